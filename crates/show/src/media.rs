//! Speech as it leaves the voice: audio, the mouth shapes that go with it, and word timings.

use serde::{Deserialize, Serialize};

use crate::line::Line;

/// The sample rate of every room's audio timeline. Voices resample to it; 48 kHz is what
/// streaming platforms and AAC encoders expect, and 48000 / 30 fps = 1600 samples per frame,
/// so audio and video stay locked without rounding.
pub const SAMPLE_RATE: u32 = 48_000;

/// Mouth shapes, grouped by what the lips, teeth and tongue do (visemes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Viseme {
    /// Silence: lips together, relaxed.
    Rest,
    /// p, b, m: lips pressed.
    Closed,
    /// f, v: lower lip under the upper teeth.
    LipTeeth,
    /// th, l: tongue tip visible.
    Tongue,
    /// t, d, n, s, z: teeth nearly together.
    Teeth,
    /// k, g, ng, h, r, y: mouth half open.
    Back,
    /// sh, ch, j, zh: lips pushed forward.
    Sh,
    /// a (father, cat): wide open.
    Open,
    /// e, i (see, bed): spread.
    Wide,
    /// o (go, law): rounded.
    Round,
    /// u, w (you, we): pursed.
    Pucker,
}

impl Viseme {
    pub const ALL: [Viseme; 11] = [
        Viseme::Rest,
        Viseme::Closed,
        Viseme::LipTeeth,
        Viseme::Tongue,
        Viseme::Teeth,
        Viseme::Back,
        Viseme::Sh,
        Viseme::Open,
        Viseme::Wide,
        Viseme::Round,
        Viseme::Pucker,
    ];

    /// The mouth pose this viseme aims for.
    pub fn shape(self) -> MouthShape {
        let (open, width, round) = match self {
            Viseme::Rest => (0.0, 0.5, 0.0),
            Viseme::Closed => (0.0, 0.45, 0.1),
            Viseme::LipTeeth => (0.15, 0.55, 0.0),
            Viseme::Tongue => (0.35, 0.55, 0.0),
            Viseme::Teeth => (0.2, 0.65, 0.0),
            Viseme::Back => (0.45, 0.5, 0.1),
            Viseme::Sh => (0.3, 0.3, 0.7),
            Viseme::Open => (0.9, 0.6, 0.0),
            Viseme::Wide => (0.4, 0.85, 0.0),
            Viseme::Round => (0.65, 0.3, 0.8),
            Viseme::Pucker => (0.3, 0.15, 1.0),
        };
        MouthShape { open, width, round }
    }

    pub fn name(self) -> &'static str {
        match self {
            Viseme::Rest => "rest",
            Viseme::Closed => "closed",
            Viseme::LipTeeth => "lip_teeth",
            Viseme::Tongue => "tongue",
            Viseme::Teeth => "teeth",
            Viseme::Back => "back",
            Viseme::Sh => "sh",
            Viseme::Open => "open",
            Viseme::Wide => "wide",
            Viseme::Round => "round",
            Viseme::Pucker => "pucker",
        }
    }

    pub fn from_name(s: &str) -> Option<Viseme> {
        Viseme::ALL.into_iter().find(|v| v.name() == s)
    }
}

/// A continuous mouth pose: what renderers draw, blended between visemes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MouthShape {
    /// Jaw opening, 0 (closed) … 1 (wide open).
    pub open: f32,
    /// Lip width, 0 (pursed) … 1 (spread).
    pub width: f32,
    /// Lip rounding, 0 … 1.
    pub round: f32,
}

impl MouthShape {
    pub const REST: MouthShape = MouthShape { open: 0.0, width: 0.5, round: 0.0 };

    pub fn lerp(self, other: MouthShape, t: f32) -> MouthShape {
        let t = t.clamp(0.0, 1.0);
        MouthShape {
            open: self.open + (other.open - self.open) * t,
            width: self.width + (other.width - self.width) * t,
            round: self.round + (other.round - self.round) * t,
        }
    }

    /// The nearest viseme, for rigs that draw one image per viseme class.
    pub fn nearest_viseme(self) -> Viseme {
        Viseme::ALL
            .into_iter()
            .min_by(|a, b| self.distance(a.shape()).total_cmp(&self.distance(b.shape())))
            .unwrap_or(Viseme::Rest)
    }

    fn distance(self, o: MouthShape) -> f32 {
        (self.open - o.open).powi(2) * 2.0 + (self.width - o.width).powi(2) + (self.round - o.round).powi(2)
    }
}

/// Visemes in time: each key starts at `at` seconds from the utterance's first sample and
/// lasts until the next key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VisemeTrack {
    pub keys: Vec<VisemeKey>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisemeKey {
    pub at: f32,
    pub viseme: Viseme,
}

impl VisemeTrack {
    /// The viseme active at `t` seconds.
    pub fn at(&self, t: f32) -> Viseme {
        let i = self.keys.partition_point(|k| k.at <= t);
        if i == 0 { Viseme::Rest } else { self.keys[i - 1].viseme }
    }

    /// The mouth pose at `t`, with coarticulation: each key's target is approached over
    /// `blend` seconds, so the mouth moves through shapes rather than snapping (no flicker
    /// on short phonemes). The move starts ahead of the sound, as lips do: a mouth that only
    /// starts opening when the vowel is heard looks late on screen.
    pub fn shape_at(&self, t: f32, blend: f32) -> MouthShape {
        let t = t + blend * ANTICIPATION;
        let i = self.keys.partition_point(|k| k.at <= t);
        if i == 0 {
            return MouthShape::REST;
        }
        let cur = self.keys[i - 1];
        let prev = if i >= 2 { self.keys[i - 2].viseme.shape() } else { MouthShape::REST };
        let into = ((t - cur.at) / blend.max(1e-3)).clamp(0.0, 1.0);
        // Ease in-out for a natural jaw motion.
        let eased = into * into * (3.0 - 2.0 * into);
        prev.lerp(cur.viseme.shape(), eased)
    }

    /// Shifts every key by `dt` seconds (used when leading silence is trimmed).
    pub fn shift(&mut self, dt: f32) {
        for k in &mut self.keys {
            k.at = (k.at + dt).max(0.0);
        }
    }
}

/// How far ahead of its sound a mouth shape starts to form, as a fraction of the blend time.
const ANTICIPATION: f32 = 0.6;

/// When a word is said, and where it stands in the displayed text (byte range).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WordTiming {
    pub start: f32,
    pub end: f32,
    pub display: std::ops::Range<usize>,
}

/// One spoken line: audio at [`SAMPLE_RATE`], visemes and word timings aligned to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    pub line: Line,
    /// The line as shown in subtitles, in the market's own writing.
    pub display: String,
    /// The words the voice was given (numbers spelled out).
    pub spoken: String,
    /// Mono samples in -1 … 1 at [`SAMPLE_RATE`], trimmed of leading and trailing silence.
    pub samples: Vec<f32>,
    pub visemes: VisemeTrack,
    pub words: Vec<WordTiming>,
}

impl Utterance {
    pub fn duration(&self) -> f32 {
        self.samples.len() as f32 / SAMPLE_RATE as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_lookup_and_blend() {
        let track = VisemeTrack {
            keys: vec![VisemeKey { at: 0.1, viseme: Viseme::Open }, VisemeKey { at: 0.3, viseme: Viseme::Closed }],
        };
        assert_eq!(track.at(0.0), Viseme::Rest);
        assert_eq!(track.at(0.2), Viseme::Open);
        assert_eq!(track.at(0.5), Viseme::Closed);
        // The mouth starts opening ahead of the sound and is open once it sounds.
        assert!(track.shape_at(0.05, 0.06).open < 0.01);
        assert!(track.shape_at(0.1, 0.06).open > 0.3);
        assert!((track.shape_at(0.25, 0.06).open - 0.9).abs() < 1e-4);
        let mid = track.shape_at(0.3, 0.06).open;
        assert!(mid > 0.0 && mid < 0.9);
        assert_eq!(Viseme::Open.shape().nearest_viseme(), Viseme::Open);
    }
}
