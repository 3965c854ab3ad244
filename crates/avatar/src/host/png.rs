//! The layered PNG rig (PNGTuber style); its folder format is documented on
//! [`crate::RigChoice`]. Layers are scaled once at load to the stage's host box; each frame
//! only copies them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use show::{Cue, Viseme};
use tiny_skia::{Pixmap, PixmapMut};

use super::{HostState, fit_bottom};
use crate::error::AvatarError;
use crate::layout::Rect;
use crate::motion;
use crate::paint;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Descriptor {
    #[serde(default)]
    name: Option<String>,
    canvas: [u32; 2],
    layers: HashMap<String, LayerSpec>,
    mouths: HashMap<String, LayerSpec>,
    #[serde(default)]
    gestures: HashMap<String, LayerSpec>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct LayerSpec {
    file: PathBuf,
    anchor: [f32; 2],
    #[serde(default)]
    pivot: [f32; 2],
}

/// A layer scaled to the stage, with its top-left corner on the frame.
struct Layer {
    pixmap: Pixmap,
    x: i32,
    y: i32,
}

impl Layer {
    fn rect(&self) -> Rect {
        Rect::new(self.x, self.y, self.pixmap.width() as i32, self.pixmap.height() as i32)
    }
}

pub(crate) struct PngRig {
    body: Layer,
    head: Layer,
    eyes_open: Layer,
    eyes_closed: Layer,
    mouths: Vec<(Viseme, Layer)>,
    gestures: Vec<(Cue, Layer)>,
    /// Frame pixels per canvas pixel.
    scale: f32,
    mouth_rect: Rect,
    box_: Rect,
}

const REQUIRED: [&str; 4] = ["body", "head", "eyes_open", "eyes_closed"];
/// Head bob and sway, in canvas pixels.
const BOB: f32 = 6.0;

fn gesture_name(cue: Cue) -> Option<&'static str> {
    match cue {
        Cue::Point => Some("point"),
        Cue::Wave => Some("wave"),
        Cue::OpenPalms => Some("open_palms"),
        Cue::ThumbsUp => Some("thumbs_up"),
        Cue::LookAtCard | Cue::Countdown(_) => None,
    }
}

impl PngRig {
    pub fn load(dir: &Path, host: Rect) -> Result<PngRig, AvatarError> {
        let desc_path = dir.join("rig.toml");
        let text = std::fs::read_to_string(&desc_path)
            .map_err(|e| AvatarError::RigDescriptor { path: desc_path.clone(), message: format!("cannot read it: {e}") })?;
        let desc: Descriptor = toml::from_str(&text)
            .map_err(|e| AvatarError::RigDescriptor { path: desc_path.clone(), message: e.message().to_string() })?;
        let [cw, ch] = desc.canvas;
        if cw == 0 || ch == 0 {
            return Err(AvatarError::RigDescriptor { path: desc_path, message: "`canvas` must be a non-empty [width, height]".into() });
        }
        let (scale, ox, oy) = fit_bottom(cw as f32, ch as f32, host);
        let missing = |layer: &str, message: String| AvatarError::RigLayer { rig: dir.to_path_buf(), layer: layer.to_string(), message };
        let load = |name: &str, spec: &LayerSpec| -> Result<Layer, AvatarError> {
            let path = dir.join(&spec.file);
            if !path.is_file() {
                return Err(missing(name, format!("its file {} is not there", path.display())));
            }
            let img = image::open(&path).map_err(|e| missing(name, format!("cannot read {}: {e}", path.display())))?.to_rgba8();
            let (w, h) = img.dimensions();
            let sw = ((w as f32 * scale).round() as u32).max(1);
            let sh = ((h as f32 * scale).round() as u32).max(1);
            let scaled = image::imageops::resize(&img, sw, sh, image::imageops::FilterType::CatmullRom);
            let pixmap = crate::card::premultiplied(&scaled).ok_or_else(|| missing(name, "the image is empty".into()))?;
            let x = ox + (spec.anchor[0] - spec.pivot[0]) * scale;
            let y = oy + (spec.anchor[1] - spec.pivot[1]) * scale;
            Ok(Layer { pixmap, x: x.round() as i32, y: y.round() as i32 })
        };
        let mut required = Vec::new();
        for name in REQUIRED {
            let spec = desc.layers.get(name).ok_or_else(|| missing(name, "rig.toml does not name it under [layers]".into()))?;
            required.push(load(name, spec)?);
        }
        let mut mouths = Vec::new();
        for v in Viseme::ALL {
            let key = v.name();
            let spec = desc
                .mouths
                .get(key)
                .ok_or_else(|| missing(&format!("mouths.{key}"), "rig.toml needs one mouth image per viseme class".into()))?;
            mouths.push((v, load(&format!("mouths.{key}"), spec)?));
        }
        if let Some(unknown) = desc.mouths.keys().find(|k| Viseme::from_name(k).is_none()) {
            return Err(AvatarError::RigDescriptor {
                path: desc_path,
                message: format!("`mouths.{unknown}` is not a viseme class (rest, closed, lip_teeth, tongue, teeth, back, sh, open, wide, round, pucker)"),
            });
        }
        let mut gestures = Vec::new();
        for (name, spec) in &desc.gestures {
            let cue = [Cue::Point, Cue::Wave, Cue::OpenPalms, Cue::ThumbsUp].into_iter().find(|c| gesture_name(*c) == Some(name.as_str()));
            let Some(cue) = cue else {
                return Err(AvatarError::RigDescriptor {
                    path: desc_path,
                    message: format!("`gestures.{name}` is not a gesture (point, wave, open_palms, thumbs_up)"),
                });
            };
            gestures.push((cue, load(&format!("gestures.{name}"), spec)?));
        }
        let mut it = required.into_iter();
        let (Some(body), Some(head), Some(eyes_open), Some(eyes_closed)) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(missing("body", "internal: layers out of order".into()));
        };
        // Head sway, bob, talking nod and breathing together.
        let reach = ((BOB + 4.0) * scale).ceil() as i32 + 1;
        let mouth_rect = mouths.iter().fold(Rect::default(), |r, (_, l)| r.union(&l.rect())).inset(-reach).intersect(host);
        tracing::info!(rig = %dir.display(), name = desc.name.as_deref().unwrap_or("?"), gestures = gestures.len(), "PNG rig loaded");
        Ok(PngRig { body, head, eyes_open, eyes_closed, mouths, gestures, scale, mouth_rect, box_: host })
    }

    pub fn mouth_rect(&self) -> Rect {
        self.mouth_rect
    }

    pub fn draw(&mut self, pm: &mut PixmapMut<'_>, st: &HostState) {
        let t = st.t;
        let s = self.scale;
        let breath = (motion::breath(t) * 2.0 * s).round() as i32;
        let talk = if st.speaking { st.mouth.open * 2.0 } else { 0.0 };
        let hx = (motion::sway(t, 0.0) * BOB * s).round() as i32;
        let hy = ((motion::sway(t, 2.1) * BOB * 0.5 + talk) * s).round() as i32 + breath;
        let clip = Some(self.box_);
        let put = |pm: &mut PixmapMut<'_>, l: &Layer, dx: i32, dy: i32| paint::blit(pm, l.pixmap.as_ref(), l.x + dx, l.y + dy, clip);
        put(pm, &self.body, 0, breath);
        put(pm, &self.head, hx, hy);
        let eyes = if motion::blink(t) >= 0.5 { &self.eyes_closed } else { &self.eyes_open };
        put(pm, eyes, hx, hy);
        let v = if st.speaking || st.mouth.open > 0.02 { st.mouth.nearest_viseme() } else { Viseme::Rest };
        if let Some((_, m)) = self.mouths.iter().find(|(mv, _)| *mv == v) {
            put(pm, m, hx, hy);
        }
        if let Some((cue, since)) = st.gesture {
            let a = motion::gesture_amount(cue, since);
            if let Some((_, g)) = self.gestures.iter().find(|(c, _)| *c == cue)
                && a > 0.0
            {
                paint::blit_faded(pm, g.pixmap.as_ref(), g.x, g.y + breath, a, clip);
            }
        }
    }
}
