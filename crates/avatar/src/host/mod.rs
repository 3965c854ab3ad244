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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RigChoice {
    /// The illustrated host, drawn from the persona's look.
    #[default]
    BuiltIn,
    /// A folder with `rig.toml` and PNG layers (see the crate docs).
    Png(PathBuf),
    /// A folder with `clips.toml` and video clips of a real person.
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
    BuiltIn(builtin::BuiltIn),
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
