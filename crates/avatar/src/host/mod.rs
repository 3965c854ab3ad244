//! The host rigs: the built-in illustrated host, a layered PNG rig for artists, and a clip rig
//! for a real person. Each draws only inside the layout's host box.

pub(crate) mod builtin;
pub(crate) mod clips;
pub(crate) mod png;

use std::path::PathBuf;

use show::{Cue, MouthShape};
use tiny_skia::PixmapMut;

use crate::layout::{CardSide, Rect};

/// Which host stands on the stage.
///
/// A **PNG rig** (PNGTuber style) is a folder with `rig.toml` naming PNG layers and where
/// they sit on the rig's canvas:
///
/// ```toml
/// name = "Pip"
/// canvas = [600, 720]     # the rig's own pixel space: width, height (fitted to the host box)
///
/// [layers]                # required: body, head, eyes_open, eyes_closed
/// body = { file = "body.png", anchor = [80, 420] }
/// head = { file = "head.png", anchor = [300, 250], pivot = [200, 160] }
/// eyes_open = { file = "eyes_open.png", anchor = [180, 220] }
/// eyes_closed = { file = "eyes_closed.png", anchor = [180, 220] }
///
/// [mouths]                # required: one image per viseme class: rest, closed, lip_teeth,
///                         # tongue, teeth, back, sh, open, wide, round, pucker
/// rest = { file = "mouth_rest.png", anchor = [300, 352], pivot = [80, 44] }
///
/// [gestures]              # optional: point, wave, open_palms, thumbs_up
/// wave = { file = "gesture_wave.png", anchor = [0, 260] }
/// ```
///
/// `anchor` is the canvas point where the image's `pivot` pixel goes (`pivot` defaults to the
/// top-left corner). Eyes and mouths move with the head, gestures with the body; the mouth
/// shown is [`show::MouthShape::nearest_viseme`]. A missing layer or file is an
/// [`crate::AvatarError::RigLayer`] naming the layer.
///
/// A **clip rig**, for a real person, is a folder with `clips.toml` and short video clips
/// (anything GStreamer decodes), switched on speech at loop boundaries with a crossfade:
///
/// ```toml
/// idle = ["idle.mp4"]                 # required: loops played while the host is silent
/// talk = ["talk1.mp4", "talk2.mp4"]   # required: loops played while speaking, in turn
/// crossfade = 0.2                     # seconds (default 0.2)
/// mouth = [120, 150, 80, 60]          # optional: the mouth's box, in clip pixels
/// corner = 24                         # optional: rounded corners, in 720p pixels
///
/// [gestures]                          # optional: played once at the next loop boundary
/// wave = "wave.mp4"
/// ```
///
/// Clips are decoded once at load, scaled to the host box, and kept in memory (about
/// 1.2 MB per frame at 720p: keep loops short). `assets/rigs/` holds one rig of each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RigChoice {
    /// The illustrated host, drawn from the persona's look.
    #[default]
    BuiltIn,
    /// A folder with `rig.toml` and PNG layers.
    Png(PathBuf),
    /// A folder with `clips.toml` and video clips.
    Clips(PathBuf),
}

/// What the host is doing at one instant.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HostState {
    pub t: f64,
    pub mouth: MouthShape,
    pub speaking: bool,
    pub gesture: Option<(Cue, f32)>,
    pub look_at_card: bool,
}

pub(crate) enum Rig {
    BuiltIn(Box<builtin::BuiltIn>),
    Png(png::PngRig),
    Clips(clips::ClipRig),
}

impl Rig {
    pub fn draw(&mut self, pm: &mut PixmapMut<'_>, st: &HostState) {
        match self {
            Rig::BuiltIn(h) => h.draw(pm, st),
            Rig::Png(h) => h.draw(pm, st),
            Rig::Clips(h) => h.draw(pm, st),
        }
    }

    /// Where the mouth is in frame pixels, whatever the head does.
    pub fn mouth_rect(&self) -> Rect {
        match self {
            Rig::BuiltIn(h) => h.mouth_rect(),
            Rig::Png(h) => h.mouth_rect(),
            Rig::Clips(h) => h.mouth_rect(),
        }
    }
}

/// The unit vector from the host towards the card, in canvas units (y down).
pub(crate) fn card_direction(side: CardSide) -> (f32, f32) {
    match side {
        CardSide::Right => (1.0, 0.0),
        CardSide::Left => (-1.0, 0.0),
        CardSide::Below => (0.6, 0.8),
    }
}

/// Fits a `w`×`h` picture into `rect`, keeping its shape, standing on the box's bottom edge:
/// returns (scale, x, y) of its top-left corner.
pub(crate) fn fit_bottom(w: f32, h: f32, rect: Rect) -> (f32, f32, f32) {
    let s = (rect.w as f32 / w).min(rect.h as f32 / h);
    let x = rect.x as f32 + (rect.w as f32 - w * s) / 2.0;
    let y = rect.bottom() as f32 - h * s;
    (s, x, y)
}
