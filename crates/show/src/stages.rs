//! The seams between stages: small traits each stage implements, so writers, voices and
//! translators can be swapped (templates or an LLM, espeak or a neural voice) without the rest
//! of the show knowing.

use std::fmt;

use crate::catalog::Product;
use crate::line::{Line, SegmentKind};
use crate::locale::Locale;
use crate::media::Utterance;

/// What a stage failure was, so callers can fall back without parsing messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StageErrorKind {
    /// A model, voice or library is not installed.
    Missing,
    /// The input cannot be handled (language not supported, text too long).
    Unsupported,
    /// The engine failed while working.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageError {
    pub kind: StageErrorKind,
    pub message: String,
}

impl StageError {
    pub fn missing(m: impl Into<String>) -> Self {
        StageError { kind: StageErrorKind::Missing, message: m.into() }
    }
    pub fn unsupported(m: impl Into<String>) -> Self {
        StageError { kind: StageErrorKind::Unsupported, message: m.into() }
    }
    pub fn failed(m: impl Into<String>) -> Self {
        StageError { kind: StageErrorKind::Failed, message: m.into() }
    }
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StageError {}

/// One segment the director asks a writer for.
#[derive(Clone, Debug)]
pub struct SegmentRequest<'a> {
    pub kind: SegmentKind,
    /// The product on stage (None for show-level segments).
    pub product: Option<&'a Product>,
    /// The product that follows, for transitions.
    pub next_product: Option<&'a Product>,
    /// How many segments of the show came before: writers use it for variety.
    pub index: u64,
    /// How many product blocks came before this one (a block is one product's time on stage).
    pub block: u64,
    /// Sentences the director wants, roughly.
    pub sentences: usize,
    /// The on-screen offer countdown, in minutes (offer segments).
    pub offer_minutes: u32,
}

/// Writes the lines of the show.
pub trait Writer: Send {
    fn name(&self) -> &str;

    /// Writes one segment, handing each line to `emit` as soon as it is ready (an LLM streams
    /// sentence by sentence). Stops early when `emit` returns false.
    fn write(&mut self, request: &SegmentRequest<'_>, emit: &mut dyn FnMut(Line) -> bool) -> Result<(), StageError>;

    /// Sentences the writer produced and threw away since the last call, with the reason
    /// (a model's sentence the guard refused), for the script log.
    fn take_rejected(&mut self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// A step (well under a second where it can) of the work the writer put off so the show
    /// could start sooner (an LLM's weights moved to pages that read faster): called on the
    /// writer's thread while a live show's script is far enough ahead that the writer waits.
    /// Returns whether any is left.
    fn settle(&mut self) -> bool {
        false
    }
}

/// Speaks lines.
pub trait Voice: Send {
    fn name(&self) -> &str;

    /// Speaks `line` for `locale`: numbers and prices are spelled out for the market, the
    /// subtitle keeps the market's writing, and visemes and word timings come aligned.
    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, StageError>;
}

/// A line carried into a room's language, with where it came from (for the script log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    pub line: Line,
    /// What produced it: `same-language`, `memory`, an engine's name (`llm`, `apertium`).
    pub engine: String,
    /// Attempts that failed before this one, with the reason ("llm: lost ⟦2⟧ (SPRING15)").
    pub notes: Vec<String>,
}

/// Carries a line from the show's language into a room's. Facts (prices, numbers), product
/// names and codes are locked: a translator moves them but never rewrites them. An error means
/// no engine produced a faithful translation; the caller then says a native line instead,
/// never the untranslated source.
pub trait Translator: Send {
    fn name(&self) -> &str;

    fn translate(&mut self, line: &Line, from: &Locale, to: &Locale) -> Result<Translation, StageError>;

    /// The market's guard refused the translation of `line`: a translator that remembers
    /// translations forgets this one.
    fn refused(&mut self, _line: &Line, _from: &Locale) {}
}

/// The translator for rooms that speak the show's own language: the line passes unchanged.
/// Any other pair is refused rather than passed through untranslated.
pub struct SameLanguage;

impl Translator for SameLanguage {
    fn name(&self) -> &str {
        "same-language"
    }

    fn translate(&mut self, line: &Line, from: &Locale, to: &Locale) -> Result<Translation, StageError> {
        if from.language() == to.language() {
            Ok(Translation { line: line.clone(), engine: "same-language".into(), notes: Vec::new() })
        } else {
            Err(StageError::unsupported(format!("no translator from {from} to {to}: the room needs a translation engine")))
        }
    }
}
