//! Makes the rig fixtures under `assets/rigs/`: the art is drawn here, so the project owns it.
//!
//! `cargo test --release -p avatar --lib -- --ignored make_rig_fixtures` rewrites
//! `assets/rigs/pip` (a layered PNG rig: a small robot host) and `assets/rigs/clip-host` (a
//! clip rig: loops of the built-in host rendered and encoded with ffmpeg/x264, standing in
//! for a seller's own recordings).

use std::path::{Path, PathBuf};
use std::process::Command;

use show::config::Look;
use show::media::{VisemeKey, VisemeTrack};
use show::{Cue, MouthShape, Viseme};
use tiny_skia::{Color, Pixmap, PixmapMut, Transform};

use crate::host::HostState;
use crate::host::builtin::{BuiltIn, paint_mouth};
use crate::layout::{CardSide, Rect};
use crate::paint::{self, alpha, rgb};

fn rigs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/rigs")
}

fn save(pm: &Pixmap, path: &Path) {
    pm.save_png(path).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn canvas(w: u32, h: u32, draw: impl FnOnce(&mut PixmapMut<'_>)) -> Pixmap {
    let mut pm = Pixmap::new(w, h).expect("layer size");
    draw(&mut pm.as_mut());
    pm
}

fn fill(pm: &mut PixmapMut<'_>, p: Option<tiny_skia::Path>, c: Color) {
    if let Some(p) = p {
        paint::fill(pm, &p, c, Transform::identity());
    }
}

fn stroke(pm: &mut PixmapMut<'_>, p: Option<tiny_skia::Path>, c: Color, w: f32) {
    if let Some(p) = p {
        let s = tiny_skia::Stroke { width: w, line_cap: tiny_skia::LineCap::Round, ..Default::default() };
        pm.stroke_path(&p, &paint::solid(c), &s, Transform::identity(), None);
    }
}

fn seg(a: (f32, f32), b: (f32, f32)) -> Option<tiny_skia::Path> {
    let mut pb = tiny_skia::PathBuilder::new();
    pb.move_to(a.0, a.1);
    pb.line_to(b.0, b.1);
    pb.finish()
}

fn make_pip(dir: &Path) {
    std::fs::create_dir_all(dir).expect("rig dir");
    let teal = rgb(46, 196, 182);
    let teal_dark = rgb(30, 140, 130);
    let shell = rgb(241, 245, 249);
    let face = rgb(253, 226, 200);
    let coral = rgb(255, 107, 107);
    let navy = rgb(29, 53, 87);
    let steel = rgb(154, 165, 177);

    let body = canvas(440, 300, |pm| {
        fill(pm, paint::rounded_rect(190.0, 0.0, 60.0, 70.0, 12.0), steel);
        fill(pm, paint::rounded_rect(20.0, 40.0, 400.0, 320.0, 120.0), teal);
        fill(pm, paint::rounded_rect(20.0, 200.0, 400.0, 160.0, 40.0), teal_dark);
        fill(pm, paint::rounded_rect(40.0, 50.0, 360.0, 220.0, 100.0), teal);
        fill(pm, paint::rounded_rect(150.0, 110.0, 140.0, 110.0, 26.0), rgb(203, 243, 240));
        let mut heart = tiny_skia::PathBuilder::new();
        heart.move_to(220.0, 200.0);
        heart.cubic_to(170.0, 165.0, 185.0, 125.0, 220.0, 145.0);
        heart.cubic_to(255.0, 125.0, 270.0, 165.0, 220.0, 200.0);
        heart.close();
        fill(pm, heart.finish(), coral);
    });
    save(&body, &dir.join("body.png"));

    let head = canvas(400, 360, |pm| {
        stroke(pm, seg((200.0, 60.0), (200.0, 18.0)), steel, 10.0);
        fill(pm, paint::circle(200.0, 16.0, 14.0), coral);
        for x in [26.0, 374.0] {
            fill(pm, paint::circle(x, 200.0, 28.0), teal);
        }
        fill(pm, paint::rounded_rect(20.0, 44.0, 360.0, 300.0, 120.0), shell);
        fill(pm, paint::rounded_rect(20.0, 260.0, 360.0, 84.0, 60.0), rgb(226, 232, 240));
        fill(pm, paint::rounded_rect(28.0, 52.0, 344.0, 270.0, 112.0), shell);
        fill(pm, paint::rounded_rect(62.0, 104.0, 276.0, 200.0, 86.0), face);
        for x in [118.0, 282.0] {
            fill(pm, paint::ellipse(x, 250.0, 26.0, 14.0), alpha(coral, 0.35));
        }
    });
    save(&head, &dir.join("head.png"));

    let eyes_open = canvas(240, 100, |pm| {
        for x in [50.0, 190.0] {
            fill(pm, paint::ellipse(x, 50.0, 25.0, 31.0), navy);
            fill(pm, paint::circle(x - 8.0, 38.0, 9.0), Color::WHITE);
            fill(pm, paint::circle(x + 9.0, 62.0, 4.0), alpha(Color::WHITE, 0.8));
        }
    });
    save(&eyes_open, &dir.join("eyes_open.png"));
    let eyes_closed = canvas(240, 100, |pm| {
        for x in [50.0, 190.0] {
            let mut pb = tiny_skia::PathBuilder::new();
            pb.move_to(x - 26.0, 48.0);
            pb.quad_to(x, 74.0, x + 26.0, 48.0);
            stroke(pm, pb.finish(), navy, 8.0);
        }
    });
    save(&eyes_closed, &dir.join("eyes_closed.png"));

    let mut mouths = String::from("[mouths]\n");
    for v in Viseme::ALL {
        let m = canvas(160, 120, |pm| paint_mouth(pm, Transform::identity(), v.shape(), (80.0, 44.0), rgb(226, 110, 120), rgb(184, 84, 96)));
        let file = format!("mouth_{}.png", v.name());
        save(&m, &dir.join(&file));
        mouths.push_str(&format!("{} = {{ file = \"{file}\", anchor = [300, 352], pivot = [80, 44] }}\n", v.name()));
    }

    // Gestures: an arm raised to wave (viewer's left), an arm pointing right at the card.
    let wave = canvas(200, 320, |pm| {
        stroke(pm, seg((150.0, 300.0), (84.0, 110.0)), teal_dark, 64.0);
        stroke(pm, seg((150.0, 300.0), (84.0, 110.0)), teal, 56.0);
        fill(pm, paint::circle(74.0, 70.0, 46.0), shell);
        stroke(pm, seg((34.0, 86.0), (16.0, 60.0)), shell, 24.0);
        for x in [56.0, 76.0, 96.0] {
            stroke(pm, seg((x, 52.0), (x, 66.0)), rgb(203, 213, 225), 4.0);
        }
    });
    save(&wave, &dir.join("gesture_wave.png"));
    let point = canvas(220, 200, |pm| {
        stroke(pm, seg((30.0, 170.0), (140.0, 96.0)), teal_dark, 64.0);
        stroke(pm, seg((30.0, 170.0), (140.0, 96.0)), teal, 56.0);
        fill(pm, paint::circle(150.0, 88.0, 38.0), shell);
        stroke(pm, seg((170.0, 80.0), (212.0, 66.0)), shell, 22.0);
    });
    save(&point, &dir.join("gesture_point.png"));

    let toml = format!(
        "# Pip: a small robot host, a layered PNG rig (see crates/avatar/src/host/png.rs).\n\
         # Made by crates/avatar/src/fixtures.rs; `anchor` is where the layer's `pivot` pixel\n\
         # (default: its top-left corner) sits on the {w}x{h} canvas.\n\
         name = \"Pip\"\ncanvas = [{w}, {h}]\n\n\
         [layers]\n\
         body = {{ file = \"body.png\", anchor = [80, 420] }}\n\
         head = {{ file = \"head.png\", anchor = [100, 90] }}\n\
         eyes_open = {{ file = \"eyes_open.png\", anchor = [180, 220] }}\n\
         eyes_closed = {{ file = \"eyes_closed.png\", anchor = [180, 220] }}\n\n\
         {mouths}\n\
         [gestures]\n\
         wave = {{ file = \"gesture_wave.png\", anchor = [0, 260] }}\n\
         point = {{ file = \"gesture_point.png\", anchor = [380, 420] }}\n",
        w = 600,
        h = 720,
    );
    std::fs::write(dir.join("rig.toml"), toml).expect("rig.toml");
}

/// What the host does `t` seconds into a clip: mouth, speaking, gesture.
type ClipScript = dyn Fn(f32) -> (MouthShape, bool, Option<(Cue, f32)>);

/// Clip frames: the built-in host in front of a plain wall, as a seller's phone would film.
fn make_clips(dir: &Path) {
    std::fs::create_dir_all(dir).expect("rig dir");
    let (w, h) = (320u32, 384u32);
    let fps = 15.0;
    let look = Look {
        skin: "#c98e6a".into(),
        hair: "#2b1a12".into(),
        hair_style: "curly".into(),
        eyes: "#3a2a1e".into(),
        outfit: "tee".into(),
        outfit_color: "#2a9d8f".into(),
        accent: "#ffd166".into(),
    };
    let mut host = BuiltIn::new(&look, Rect::new(0, 0, w as i32, h as i32), CardSide::Right);
    let mouth = host.mouth_rect();
    let mut wall = Pixmap::new(w, h).expect("frame");
    wall.fill(rgb(236, 226, 214));
    fill(&mut wall.as_mut(), paint::rounded_rect(-10.0, 266.0, w as f32 + 20.0, 10.0, 4.0), rgb(200, 180, 160));
    fill(&mut wall.as_mut(), paint::circle(268.0, 80.0, 34.0), rgb(120, 170, 120));

    let talk_track = |pattern: &[Viseme]| VisemeTrack {
        keys: pattern.iter().enumerate().map(|(i, v)| VisemeKey { at: 0.05 + i as f32 * 0.09, viseme: *v }).collect(),
    };
    use Viseme::*;
    let talk1 = talk_track(&[Back, Open, Teeth, Round, Closed, Wide, Open, Tongue, Back, Open, Sh, Wide, Open, Rest, Rest, Rest]);
    let talk2 = talk_track(&[Wide, Teeth, Open, Pucker, Round, Back, Open, LipTeeth, Open, Wide, Closed, Open, Teeth, Rest, Rest, Rest]);
    let clips: Vec<(&str, f32, Box<ClipScript>)> = vec![
        ("idle", 2.0, Box::new(|_| (MouthShape::REST, false, None))),
        ("talk1", 1.6, Box::new(move |t| (talk1.shape_at(t, 0.06), true, None))),
        ("talk2", 1.6, Box::new(move |t| (talk2.shape_at(t, 0.06), true, None))),
        ("wave", 1.6, Box::new(|t| (MouthShape::REST, false, Some((Cue::Wave, t))))),
    ];
    let tmp = std::env::temp_dir().join(format!("evercast-clip-frames-{}", std::process::id()));
    for (name, secs, state) in &clips {
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).expect("frames dir");
        let n = (secs * fps).round() as usize;
        for i in 0..n {
            let t = i as f32 / fps;
            let (m, speaking, gesture) = state(t);
            let mut frame = wall.clone();
            host.draw(&mut frame.as_mut(), &HostState { t: 0.8 + f64::from(t), mouth: m, speaking, gesture, look_at_card: false });
            save(&frame, &tmp.join(format!("{i:03}.png")));
        }
        let out = dir.join(format!("{name}.mp4"));
        let status = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-framerate", "15", "-i"])
            .arg(tmp.join("%03d.png"))
            .args(["-c:v", "libx264", "-preset", "veryslow", "-crf", "24", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an"])
            .arg(&out)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg failed for {name}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let toml = format!(
        "# A clip rig (see crates/avatar/src/host/clips.rs): loops of the built-in host rendered\n\
         # at {w}x{h}, 15 fps, by crates/avatar/src/fixtures.rs and encoded with x264, standing in\n\
         # for a seller's own recordings.\n\
         idle = [\"idle.mp4\"]\n\
         talk = [\"talk1.mp4\", \"talk2.mp4\"]\n\
         crossfade = 0.2\n\
         mouth = [{}, {}, {}, {}]\n\n\
         [gestures]\n\
         wave = \"wave.mp4\"\n",
        mouth.x, mouth.y, mouth.w, mouth.h
    );
    std::fs::write(dir.join("clips.toml"), toml).expect("clips.toml");
}

#[test]
#[ignore = "rewrites the committed fixtures under assets/rigs; run on purpose"]
fn make_rig_fixtures() {
    let dir = rigs_dir();
    make_pip(&dir.join("pip"));
    make_clips(&dir.join("clip-host"));
}
