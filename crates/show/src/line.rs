//! What the writer produces: lines of the show, with their facts kept apart from their words.
//!
//! A [`Line`] holds its prices, percentages and counts as [`Fact`]s rather than as text, so each
//! room can write them the way its market does (`$14.90`, `14,90 €`) and speak them in its own
//! language, and so a translator can lock them: facts are never re-typed by a model.

use serde::{Deserialize, Serialize};

use crate::locale::Locale;
use crate::money::Money;

/// The kinds of segment a run of show is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Opening of the show or of a product block: grab attention.
    Hook,
    /// The product and its selling points.
    Pitch,
    /// How it is used.
    Demo,
    /// Ratings, reviews, units sold: only what the catalog supplies.
    SocialProof,
    /// Price, discount and the limited-time offer with its countdown.
    Offer,
    /// Tell viewers what to do now.
    #[serde(alias = "cta")]
    CallToAction,
    /// Bridge to the next product.
    Transition,
    /// A reply to a viewer.
    Answer,
    /// Said while waiting for the next line, so there is never dead air.
    Filler,
}

impl SegmentKind {
    pub fn name(&self) -> &'static str {
        match self {
            SegmentKind::Hook => "hook",
            SegmentKind::Pitch => "pitch",
            SegmentKind::Demo => "demo",
            SegmentKind::SocialProof => "social proof",
            SegmentKind::Offer => "offer",
            SegmentKind::CallToAction => "call to action",
            SegmentKind::Transition => "transition",
            SegmentKind::Answer => "answer",
            SegmentKind::Filler => "filler",
        }
    }
}

/// A fact a line states: the guard checks each against the catalog before it is spoken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fact {
    Price(Money),
    /// A discount or other percentage, in whole percent.
    Percent(u32),
    /// Units: stock left, units sold, reviews.
    Count(i64),
    /// A duration in minutes (the offer's countdown).
    Minutes(u32),
    /// An average rating in tenths (47 = 4.7 out of 5).
    Rating(u32),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Text(String),
    Fact(Fact),
}

/// Stage directions that travel with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cue {
    /// Point at the product card (price talk).
    Point,
    /// Wave at the viewers (calls to action, greetings).
    Wave,
    /// Open palms (explaining).
    OpenPalms,
    ThumbsUp,
    /// Look at the product card.
    LookAtCard,
    /// Start the offer countdown on screen, running for this many seconds.
    Countdown(u32),
}

/// Who wrote a line: kept with it into `lines.json` and `script.md`, so a seller can see which
/// lines a model wrote and which came from a template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Provenance {
    #[default]
    Unknown,
    /// A language model, by its installed name (`qwen2.5-0.5b`) or file stem.
    Llm { model: String },
    /// A template: its bank and index (`pitch#3`), prefixed by the pack for a pack's own banks
    /// (`es-MX:cta#2`).
    Template { id: String },
    /// The persona's own words from the show file (intro, catchphrases).
    Persona,
    /// A reply to a viewer's chat message (its id), written by `writer` (`answers`, a model).
    Chat { message: String, writer: String },
    /// Said because the operator asked for it.
    Operator,
}

impl Provenance {
    /// A short label: `llm qwen2.5-0.5b`, `template pitch#3`, `persona`.
    pub fn label(&self) -> String {
        match self {
            Provenance::Unknown => "unknown".into(),
            Provenance::Llm { model } => format!("llm {model}"),
            Provenance::Template { id } => format!("template {id}"),
            Provenance::Persona => "persona".into(),
            Provenance::Chat { message, writer } => format!("chat {message} ({writer})"),
            Provenance::Operator => "operator".into(),
        }
    }

    pub fn is_llm(&self) -> bool {
        matches!(self, Provenance::Llm { .. })
    }
}

/// One sentence of the show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub parts: Vec<Part>,
    pub kind: SegmentKind,
    /// The product this line is about (its catalog id).
    pub product: Option<String>,
    pub cues: Vec<Cue>,
    /// What a line is for when a room must say its own version of it rather than a
    /// translation: `show_open`, `disclosure` (the AI self-introduction the market requires).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub by: Provenance,
}

impl Line {
    pub fn new(kind: SegmentKind, product: Option<String>) -> Line {
        Line { parts: Vec::new(), kind, product, cues: Vec::new(), tag: None, by: Provenance::Unknown }
    }

    pub fn tagged(mut self, tag: &str) -> Line {
        self.tag = Some(tag.to_string());
        self
    }

    pub fn text(mut self, s: impl Into<String>) -> Line {
        let s = s.into();
        if let Some(Part::Text(t)) = self.parts.last_mut() {
            t.push_str(&s);
        } else {
            self.parts.push(Part::Text(s));
        }
        self
    }

    pub fn fact(mut self, f: Fact) -> Line {
        self.parts.push(Part::Fact(f));
        self
    }

    pub fn by(mut self, by: Provenance) -> Line {
        self.by = by;
        self
    }

    pub fn cue(mut self, c: Cue) -> Line {
        self.cues.push(c);
        self
    }

    pub fn facts(&self) -> impl Iterator<Item = &Fact> {
        self.parts.iter().filter_map(|p| match p {
            Part::Fact(f) => Some(f),
            Part::Text(_) => None,
        })
    }

    /// The line as the market writes it on screen: `Just $14.90 today!`.
    pub fn display(&self, locale: &Locale) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Fact(f) => out.push_str(&format_fact(f, locale)),
            }
        }
        out.trim().to_string()
    }

    /// A stable key for "was this said before" checks.
    pub fn key(&self) -> String {
        self.display(&Locale::parse("en-US").expect("valid tag"))
    }
}

/// A fact written the way the market writes it.
pub fn format_fact(f: &Fact, locale: &Locale) -> String {
    match f {
        Fact::Price(m) => locale.format_money(m),
        Fact::Percent(p) => locale.format_percent(*p),
        Fact::Count(n) => locale.format_count(*n),
        Fact::Minutes(m) => m.to_string(),
        Fact::Rating(t) => {
            format!("{}{}{}", t / 10, locale.decimal_separator(), t % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn display_per_market() {
        let price = Money::parse("14.90", Currency::USD).unwrap();
        let line = Line::new(SegmentKind::Offer, None).text("Now just ").fact(Fact::Price(price)).text(", that's ").fact(Fact::Percent(40)).text(" off!");
        assert_eq!(line.display(&Locale::parse("en-US").unwrap()), "Now just $14.90, that's 40% off!");
        assert_eq!(line.display(&Locale::parse("es-ES").unwrap()), "Now just 14,90\u{a0}US$, that's 40\u{a0}% off!");
    }
}
