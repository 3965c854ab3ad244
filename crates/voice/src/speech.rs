//! What any voice engine produces, and how it becomes a show's [`Utterance`].
//!
//! An engine speaks the normalized text and reports its words as byte ranges of that text;
//! [`utterance`] ties them back to the subtitle through the [`Spoken`] map. Engines without
//! word or phoneme timing can still fill `visemes` with [`crate::visemes_from_audio`].

use std::ops::Range;

use show::{Line, Utterance, VisemeTrack, WordTiming};

use crate::normalize::Spoken;

/// Text as an engine spoke it: audio at [`show::SAMPLE_RATE`] trimmed of silence, visemes,
/// and word timings as byte ranges of the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Speech {
    pub samples: Vec<f32>,
    pub visemes: VisemeTrack,
    pub words: Vec<SpokenWord>,
}

/// A word of the spoken text and when it is said.
#[derive(Clone, Debug, PartialEq)]
pub struct SpokenWord {
    pub start: f32,
    pub end: f32,
    /// Its bytes in the text given to the voice.
    pub text: Range<usize>,
}

/// The utterance of `line`: `speech` is `spoken.text` as an engine said it.
///
/// Words that say one displayed piece ("fourteen dollars and ninety cents" for "$14.90")
/// become one timing, so the subtitle highlights "$14.90" while all of it is said. Words that
/// say nothing shown (spaces) are dropped.
pub fn utterance(line: &Line, spoken: Spoken, speech: Speech) -> Utterance {
    let mut words: Vec<WordTiming> = Vec::with_capacity(speech.words.len());
    for w in &speech.words {
        let Some(display) = spoken.display_range(w.text.clone()) else { continue };
        match words.last_mut() {
            Some(last) if last.display.start < display.end && display.start < last.display.end => {
                last.display = last.display.start.min(display.start)..last.display.end.max(display.end);
                last.end = last.end.max(w.end);
            }
            _ => words.push(WordTiming { start: w.start, end: w.end, display }),
        }
    }
    Utterance { line: line.clone(), display: spoken.display, spoken: spoken.text, samples: speech.samples, visemes: speech.visemes, words }
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::{Currency, Fact, Locale, Money, SegmentKind};

    #[test]
    fn words_of_one_fact_become_one_timing() {
        let line = Line::new(SegmentKind::Offer, None).text("Just ").fact(Fact::Price(Money::new(1490, Currency::USD))).text(" now");
        let spoken = crate::spoken(&line, &Locale::parse("en-US").unwrap());
        assert_eq!(spoken.text, "Just fourteen dollars and ninety cents now");
        let at = |w: &str| spoken.text.find(w).unwrap();
        let word = |w: &str, start: f32| SpokenWord { start, end: start + 0.2, text: at(w)..at(w) + w.len() };
        let speech = Speech {
            samples: vec![0.0; 4800],
            visemes: VisemeTrack::default(),
            words: vec![word("Just", 0.0), word("fourteen", 0.3), word("dollars", 0.5), word("and", 0.7), word("ninety", 0.8), word("cents", 1.0), word("now", 1.3)],
        };
        let u = utterance(&line, spoken, speech);
        let got: Vec<(&str, f32, f32)> = u.words.iter().map(|w| (&u.display[w.display.clone()], w.start, w.end)).collect();
        assert_eq!(got, vec![("Just", 0.0, 0.2), ("$14.90", 0.3, 1.2), ("now", 1.3, 1.5)]);
    }
}
