//! The clip rig, for a real person: short video loops recorded once (idle, talking, gestures),
//! switched on speech at loop boundaries with a short crossfade. Its folder format is
//! documented on [`crate::RigChoice`].
//!
//! Every clip is decoded once at load with GStreamer, scaled to the stage's host box, into
//! memory; rendering a frame never touches GStreamer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gst::prelude::*;
use serde::Deserialize;
use show::Cue;
use tiny_skia::{Pixmap, PixmapMut};

use super::HostState;
use crate::error::AvatarError;
use crate::layout::Rect;
use crate::paint;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Descriptor {
    idle: Vec<PathBuf>,
    talk: Vec<PathBuf>,
    #[serde(default = "default_crossfade")]
    crossfade: f32,
    #[serde(default)]
    mouth: Option<[u32; 4]>,
    #[serde(default = "default_corner")]
    corner: f32,
    #[serde(default)]
    gestures: HashMap<String, PathBuf>,
}

fn default_crossfade() -> f32 {
    0.2
}
fn default_corner() -> f32 {
    24.0
}

/// A decoded clip: premultiplied frames and when each starts.
struct Clip {
    frames: Vec<Pixmap>,
    starts: Vec<f64>,
    duration: f64,
}

impl Clip {
    /// The frame shown `local` seconds into the clip; past its end, the last frame holds
    /// (an outgoing clip fades out on it).
    fn frame_at(&self, local: f64) -> &Pixmap {
        let i = self.starts.partition_point(|s| *s <= local).saturating_sub(1);
        &self.frames[i.min(self.frames.len() - 1)]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Idle,
    Talk,
    Gesture(usize),
}

#[derive(Clone, Copy, Debug)]
struct Playing {
    kind: Kind,
    index: usize,
    since: f64,
}

pub(crate) struct ClipRig {
    idle: Vec<Clip>,
    talk: Vec<Clip>,
    gestures: Vec<(Cue, Clip)>,
    crossfade: f64,
    x: i32,
    y: i32,
    mouth: Rect,
    now: Option<Playing>,
    before: Option<Playing>,
    talk_turn: usize,
    /// The start time of the last gesture cue a clip was played for.
    gesture_done: f64,
}

impl ClipRig {
    pub fn load(dir: &Path, host: Rect, unit: f32) -> Result<ClipRig, AvatarError> {
        let desc_path = dir.join("clips.toml");
        let bad = |message: String| AvatarError::RigDescriptor { path: desc_path.clone(), message };
        let text = std::fs::read_to_string(&desc_path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let desc: Descriptor = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
        if desc.idle.is_empty() {
            return Err(AvatarError::RigLayer { rig: dir.to_path_buf(), layer: "idle".into(), message: "clips.toml names no idle clip".into() });
        }
        if desc.talk.is_empty() {
            return Err(AvatarError::RigLayer { rig: dir.to_path_buf(), layer: "talk".into(), message: "clips.toml names no talking clip".into() });
        }
        gst::init().map_err(|e| AvatarError::Clip { path: dir.to_path_buf(), message: format!("GStreamer does not start: {e}") })?;

        let check = |layer: &str, file: &Path| -> Result<PathBuf, AvatarError> {
            let path = dir.join(file);
            if path.is_file() {
                Ok(path)
            } else {
                Err(AvatarError::RigLayer { rig: dir.to_path_buf(), layer: layer.to_string(), message: format!("its file {} is not there", path.display()) })
            }
        };
        // The first idle clip fixes the size every clip is scaled to.
        let first = check("idle", &desc.idle[0])?;
        let (nw, nh) = native_size(&first)?;
        let (s, fx, fy) = super::fit_bottom(nw as f32, nh as f32, host);
        let (w, h) = (((nw as f32 * s).round() as u32).max(2) & !1, ((nh as f32 * s).round() as u32).max(2) & !1);
        let mask = corner_mask(w, h, desc.corner * unit);
        let decode_all = |layer: &str, files: &[PathBuf]| -> Result<Vec<Clip>, AvatarError> {
            files.iter().map(|f| decode(&check(layer, f)?, w, h, &mask)).collect()
        };
        let idle = decode_all("idle", &desc.idle)?;
        let talk = decode_all("talk", &desc.talk)?;
        let mut gestures = Vec::new();
        for (name, file) in &desc.gestures {
            let cue = match name.as_str() {
                "point" => Cue::Point,
                "wave" => Cue::Wave,
                "open_palms" => Cue::OpenPalms,
                "thumbs_up" => Cue::ThumbsUp,
                other => return Err(bad(format!("`gestures.{other}` is not a gesture (point, wave, open_palms, thumbs_up)"))),
            };
            gestures.push((cue, decode(&check(&format!("gestures.{name}"), file)?, w, h, &mask)?));
        }
        let (x, y) = (fx.round() as i32, fy.round() as i32);
        let mouth = match desc.mouth {
            Some([mx, my, mw, mh]) => {
                let k = w as f32 / nw as f32;
                Rect::new(x + (mx as f32 * k) as i32, y + (my as f32 * k) as i32, (mw as f32 * k).ceil() as i32, (mh as f32 * k).ceil() as i32)
            }
            // Without a hint: the middle of the upper half, where a face is in a bust shot.
            None => Rect::new(x + w as i32 * 3 / 8, y + h as i32 / 4, w as i32 / 4, h as i32 / 5),
        }
        .intersect(host);
        let frames: usize = idle.iter().chain(&talk).chain(gestures.iter().map(|(_, c)| c)).map(|c| c.frames.len()).sum();
        tracing::info!(rig = %dir.display(), frames, mib = (frames as u64 * u64::from(w * h * 4)) >> 20, "clip rig decoded");
        Ok(ClipRig::assemble(idle, talk, gestures, f64::from(desc.crossfade.clamp(0.0, 2.0)), (x, y), mouth))
    }

    fn assemble(idle: Vec<Clip>, talk: Vec<Clip>, gestures: Vec<(Cue, Clip)>, crossfade: f64, at: (i32, i32), mouth: Rect) -> ClipRig {
        ClipRig {
            idle,
            talk,
            gestures,
            crossfade,
            x: at.0,
            y: at.1,
            mouth,
            now: None,
            before: None,
            talk_turn: 0,
            gesture_done: f64::NEG_INFINITY,
        }
    }

    pub fn mouth_rect(&self) -> Rect {
        self.mouth
    }

    fn clip(&self, p: &Playing) -> &Clip {
        match p.kind {
            Kind::Idle => &self.idle[p.index % self.idle.len()],
            Kind::Talk => &self.talk[p.index % self.talk.len()],
            Kind::Gesture(i) => &self.gestures[i].1,
        }
    }

    /// What plays after a loop ends (or at the start): a pending gesture, else talking or idle.
    fn next(&mut self, st: &HostState, at: f64) -> Playing {
        if let Some((cue, since)) = st.gesture {
            let cue_start = st.t - f64::from(since);
            if cue_start > self.gesture_done + 1e-6
                && let Some(i) = self.gestures.iter().position(|(c, _)| *c == cue)
            {
                self.gesture_done = cue_start;
                return Playing { kind: Kind::Gesture(i), index: 0, since: at };
            }
        }
        if st.speaking {
            self.talk_turn += 1;
            Playing { kind: Kind::Talk, index: self.talk_turn, since: at }
        } else {
            Playing { kind: Kind::Idle, index: 0, since: at }
        }
    }

    pub fn draw(&mut self, pm: &mut PixmapMut<'_>, st: &HostState) {
        let t = st.t;
        let mut now = match self.now {
            Some(p) if t >= p.since => p,
            // First frame, or time went back (a new show): start over.
            _ => {
                self.before = None;
                self.gesture_done = f64::NEG_INFINITY;
                self.next(st, t)
            }
        };
        // Switch only at loop boundaries; an idle loop never cuts a sentence's start short
        // by more than its own length.
        let mut guard = 0;
        loop {
            let end = now.since + self.clip(&now).duration;
            if t < end || guard > 1000 {
                break;
            }
            self.before = Some(now);
            now = self.next(st, end);
            guard += 1;
        }
        self.now = Some(now);
        let cur = self.clip(&now).frame_at(t - now.since);
        let fade = if self.crossfade > 0.0 { (t - now.since) / self.crossfade } else { 1.0 };
        // Crossfade from the clip that just ended, held on its last frame: this also smooths a
        // loop that does not end exactly where it starts.
        let prev = self.before.filter(|_| fade < 1.0);
        match prev {
            Some(b) => {
                let old = self.clip(&b).frame_at(t - b.since);
                mix_blit(pm, old, cur, self.x, self.y, fade as f32);
            }
            None => paint::blit(pm, cur.as_ref(), self.x, self.y, None),
        }
    }
}

/// Blends two frames of the same size (both premultiplied, same mask) onto the stage.
fn mix_blit(pm: &mut PixmapMut<'_>, a: &Pixmap, b: &Pixmap, x: i32, y: i32, t: f32) {
    paint::blit(pm, a.as_ref(), x, y, None);
    paint::blit_faded(pm, b.as_ref(), x, y, t, None);
}

/// Alpha of a rounded-corner rectangle, 0 … 255 per pixel.
fn corner_mask(w: u32, h: u32, r: f32) -> Vec<u8> {
    let mut pm = match Pixmap::new(w, h) {
        Some(p) => p,
        None => return vec![255; (w * h) as usize],
    };
    if let Some(path) = paint::rounded_rect(0.0, 0.0, w as f32, h as f32, r) {
        paint::fill(&mut pm.as_mut(), &path, tiny_skia::Color::BLACK, tiny_skia::Transform::identity());
    }
    pm.data().chunks_exact(4).map(|p| p[3]).collect()
}

fn pipeline(path: &Path) -> Result<(gst::Pipeline, gst_app::AppSink, gst::Element), AvatarError> {
    let err = |m: String| AvatarError::Clip { path: path.to_path_buf(), message: m };
    let desc = "filesrc name=src ! decodebin ! videoconvert ! videoscale ! capsfilter name=size ! appsink name=sink sync=false";
    let pipeline = gst::parse::launch(desc)
        .map_err(|e| err(format!("cannot build the decoder: {e}")))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| err("the decoder is not a pipeline".into()))?;
    let src = pipeline.by_name("src").ok_or_else(|| err("no source element".into()))?;
    src.set_property("location", path.to_string_lossy().as_ref());
    let sink = pipeline
        .by_name("sink")
        .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
        .ok_or_else(|| err("no appsink".into()))?;
    let size = pipeline.by_name("size").ok_or_else(|| err("no capsfilter".into()))?;
    Ok((pipeline, sink, size))
}

fn bus_error(p: &gst::Pipeline) -> Option<String> {
    let bus = p.bus()?;
    while let Some(msg) = bus.pop() {
        if let gst::MessageView::Error(e) = msg.view() {
            return Some(format!("{} ({})", e.error(), e.debug().map(|d| d.to_string()).unwrap_or_default()));
        }
    }
    None
}

/// The clip's picture size, with square pixels.
fn native_size(path: &Path) -> Result<(u32, u32), AvatarError> {
    let err = |m: String| AvatarError::Clip { path: path.to_path_buf(), message: m };
    let (p, sink, size) = pipeline(path)?;
    size.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "RGBA").field("pixel-aspect-ratio", gst::Fraction::new(1, 1)).build());
    let _ = p.set_state(gst::State::Paused);
    let sample = sink.pull_preroll();
    let out = match sample {
        Ok(s) => {
            let caps = s.caps().ok_or_else(|| err("the decoder gave no format".into()))?;
            let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| err(format!("unreadable format: {e}")))?;
            Ok((info.width(), info.height()))
        }
        Err(_) => Err(err(bus_error(&p).unwrap_or_else(|| "no video frame".into()))),
    };
    let _ = p.set_state(gst::State::Null);
    out
}

fn decode(path: &Path, w: u32, h: u32, mask: &[u8]) -> Result<Clip, AvatarError> {
    let err = |m: String| AvatarError::Clip { path: path.to_path_buf(), message: m };
    let (p, sink, size) = pipeline(path)?;
    size.set_property(
        "caps",
        gst::Caps::builder("video/x-raw")
            .field("format", "RGBA")
            .field("width", w as i32)
            .field("height", h as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .build(),
    );
    p.set_state(gst::State::Playing).map_err(|e| err(format!("cannot play: {e}")))?;
    let mut frames = Vec::new();
    let mut starts = Vec::new();
    let mut last_len = 1.0 / 30.0;
    while let Ok(sample) = sink.pull_sample() {
        let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else { continue };
        let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| err(format!("unreadable format: {e}")))?;
        let map = buffer.map_readable().map_err(|e| err(format!("unreadable frame: {e}")))?;
        let stride = info.stride()[0] as usize;
        let Some(mut pm) = Pixmap::new(w, h) else { continue };
        let data = pm.data_mut();
        for row in 0..h as usize {
            let src = &map[row * stride..row * stride + w as usize * 4];
            let dst = &mut data[row * w as usize * 4..(row + 1) * w as usize * 4];
            for (i, (d, s)) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)).enumerate() {
                // Video is opaque; the mask rounds the corners (premultiplied).
                let a = u32::from(mask[row * w as usize + i]);
                d[0] = ((u32::from(s[0]) * a + 127) / 255) as u8;
                d[1] = ((u32::from(s[1]) * a + 127) / 255) as u8;
                d[2] = ((u32::from(s[2]) * a + 127) / 255) as u8;
                d[3] = a as u8;
            }
        }
        let pts = buffer.pts().map_or(starts.last().map_or(0.0, |s: &f64| s + last_len), |c| c.nseconds() as f64 / 1e9);
        if let Some(d) = buffer.duration() {
            last_len = d.nseconds() as f64 / 1e9;
        }
        starts.push(pts);
        frames.push(pm);
    }
    let failure = bus_error(&p);
    let _ = p.set_state(gst::State::Null);
    if let Some(e) = failure {
        return Err(err(e));
    }
    if frames.is_empty() {
        return Err(err("it has no video frames".into()));
    }
    // Timestamps relative to the first frame.
    let t0 = starts[0];
    for s in &mut starts {
        *s -= t0;
    }
    let duration = starts.last().copied().unwrap_or(0.0) + last_len;
    Ok(Clip { frames, starts, duration })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::Color;

    /// A clip of `n` frames at 10 fps, all one colour.
    fn solid(c: Color, n: usize) -> Clip {
        let frames = (0..n)
            .map(|_| {
                let mut p = Pixmap::new(4, 4).unwrap();
                p.fill(c);
                p
            })
            .collect();
        Clip { frames, starts: (0..n).map(|i| i as f64 / 10.0).collect(), duration: n as f64 / 10.0 }
    }

    fn state(t: f64, speaking: bool, gesture: Option<(Cue, f32)>) -> HostState {
        HostState { t, mouth: show::MouthShape::REST, speaking, gesture, look_at_card: false }
    }

    fn red_at(rig: &mut ClipRig, st: &HostState) -> (u8, u8) {
        let mut pm = Pixmap::new(4, 4).unwrap();
        rig.draw(&mut pm.as_mut(), st);
        let p = pm.pixel(1, 1).unwrap();
        (p.red(), p.blue())
    }

    #[test]
    fn speech_switches_at_the_loop_boundary_with_a_crossfade() {
        let red = Color::from_rgba8(255, 0, 0, 255);
        let blue = Color::from_rgba8(0, 0, 255, 255);
        let green = Color::from_rgba8(0, 255, 0, 255);
        let mut rig = ClipRig::assemble(vec![solid(red, 10)], vec![solid(blue, 10)], vec![(Cue::Wave, solid(green, 5))], 0.2, (0, 0), Rect::new(0, 0, 4, 4));
        // Idle loops of 1 s; speech starts at 0.5 s but the switch waits for 1.0 s.
        assert_eq!(red_at(&mut rig, &state(0.0, false, None)), (255, 0));
        assert_eq!(red_at(&mut rig, &state(0.5, true, None)), (255, 0));
        assert_eq!(red_at(&mut rig, &state(0.95, true, None)), (255, 0));
        let (r, b) = red_at(&mut rig, &state(1.1, true, None));
        assert!(r > 60 && b > 60, "half way through the crossfade: red {r} blue {b}");
        assert_eq!(red_at(&mut rig, &state(1.5, true, None)), (0, 255));
        // Silence again: back to idle at the next boundary (2.0 s).
        assert_eq!(red_at(&mut rig, &state(1.9, false, None)), (0, 255));
        assert_eq!(red_at(&mut rig, &state(2.5, false, None)), (255, 0));
        // A gesture cue plays its clip once, at the next boundary.
        let mut pm = Pixmap::new(4, 4).unwrap();
        rig.draw(&mut pm.as_mut(), &state(2.9, false, Some((Cue::Wave, 0.1))));
        rig.draw(&mut pm.as_mut(), &state(3.3, false, Some((Cue::Wave, 0.5))));
        assert_eq!(pm.pixel(1, 1).unwrap().green(), 255);
        rig.draw(&mut pm.as_mut(), &state(3.8, false, Some((Cue::Wave, 1.0))));
        assert_eq!(pm.pixel(1, 1).unwrap().red(), 255, "the gesture clip plays once");
        // Time going back (a new show) starts over.
        assert_eq!(red_at(&mut rig, &state(0.0, false, None)), (255, 0));
    }
}
