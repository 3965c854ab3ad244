//! The embedded voice: espeak-ng through a small hand-written binding, with phoneme timing
//! turned into visemes and word timing into karaoke subtitles.

mod engine;
mod ffi;

use std::ops::Range;

use show::stages::{StageError, Voice};
use show::{Line, Locale, SAMPLE_RATE, Utterance};
use tracing::debug;

pub use engine::{LibraryInfo, VoiceInfo};
use engine::{EventKind, engine};

use crate::audio::{resample, speech_bounds};
use crate::normalize;
use crate::speech::{Speech, SpokenWord, utterance};
use crate::viseme::{align_stops, track_from_phonemes, viseme_for_phoneme};

/// espeak's default speaking rate, in words per minute.
pub const DEFAULT_RATE: u32 = 175;

/// An espeak-ng voice. Cheap to create and to clone: the engine behind it is shared by the
/// whole process, and each call sets its own voice and rate.
#[derive(Clone, Debug)]
pub struct Espeak {
    voice: String,
    rate: u32,
    name: String,
}

impl Espeak {
    /// An espeak voice by name ("en-us", "es", "fr", "de", "cmn", "gmw/en-US") or language
    /// ("es-mx" takes the voice that lists it, es-419). An unknown name is an error that lists
    /// similar voices; a missing library is an error naming the package to install.
    pub fn new(voice: &str) -> Result<Espeak, StageError> {
        let resolved = engine()?.resolve(voice)?;
        debug!(target: "voice", requested = voice, resolved, "espeak voice");
        Ok(Espeak { name: format!("espeak-ng {resolved}"), voice: resolved, rate: DEFAULT_RATE })
    }

    /// The voice for a market: its full tag ("es-MX" → es-419), then its language ("es");
    /// Chinese is Mandarin, or Cantonese for Hong Kong and Macau.
    pub fn for_locale(locale: &Locale) -> Result<Espeak, StageError> {
        let tag = locale.tag().to_ascii_lowercase();
        let lang = match (locale.language(), locale.region()) {
            ("zh", Some("HK" | "MO")) => "yue",
            ("zh", _) => "cmn",
            (l, _) => l,
        };
        match Espeak::new(&tag) {
            Ok(v) => Ok(v),
            Err(first) => Espeak::new(lang).map_err(|_| first),
        }
    }

    /// Speaking rate in words per minute (espeak accepts 80 to 450; 175 is its default).
    pub fn with_rate(mut self, words_per_minute: u32) -> Self {
        self.rate = words_per_minute.clamp(80, 450);
        self
    }

    /// The espeak voice in use.
    pub fn voice(&self) -> &str {
        &self.voice
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// `text` in IPA as this voice reads it: one string per clause, words separated by spaces.
    /// `tie` joins the letters of one phoneme with `^` ("t^ʃ").
    pub fn ipa(&self, text: &str, tie: bool) -> Result<Vec<String>, StageError> {
        Ok(engine()?.ipa(&self.voice, text, tie)?)
    }

    /// Speaks `text` as given (no normalization).
    pub fn speak_text(&self, text: &str) -> Result<Speech, StageError> {
        let _span = tracing::debug_span!(target: "voice", "voice.synth", voice = %self.voice, chars = text.len()).entered();
        // The engine is held only while espeak runs; resampling happens outside the lock.
        let synth = engine()?.synthesize(&self.voice, self.rate, text)?;
        let raw: Vec<f32> = synth.samples.iter().map(|s| f32::from(*s) / 32768.0).collect();
        let rate = synth.sample_rate;
        let Some(bounds) = speech_bounds(&raw, rate) else {
            return Ok(Speech { samples: Vec::new(), visemes: track_from_phonemes([], 0.0), words: Vec::new() });
        };
        let offset = bounds.start as f32 / rate as f32;
        let mut samples = resample(&raw[bounds], rate, SAMPLE_RATE)?;
        // espeak runs close to full scale; the resampler's ringing may overshoot it slightly.
        for s in &mut samples {
            *s = s.clamp(-1.0, 1.0);
        }
        let duration = samples.len() as f32 / SAMPLE_RATE as f32;
        let at = |ms: u32| (ms as f32 / 1000.0 - offset).clamp(0.0, duration);

        let mut phonemes: Vec<(f32, String)> = synth
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Phoneme(name) => Some((at(e.ms), name.clone())),
                _ => None,
            })
            .collect();
        align_stops(&mut phonemes, &samples, SAMPLE_RATE);
        let visemes = track_from_phonemes(phonemes.iter().map(|(t, n)| (*t, n.as_str())), duration);
        let words = word_timings(text, &synth.events, at, duration);
        Ok(Speech { samples, visemes, words })
    }
}

/// Word timings from espeak's events: a word starts with its event and ends where its last
/// phoneme gives way to a pause or to the next word.
fn word_timings(text: &str, events: &[engine::SynthEvent], at: impl Fn(u32) -> f32, duration: f32) -> Vec<SpokenWord> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut words: Vec<SpokenWord> = Vec::new();
    let mut open: Option<(usize, bool)> = None; // (index into words, heard a sound since)
    for e in events {
        let t = at(e.ms);
        match &e.kind {
            // espeak ends some clauses with an empty word pointing back into the text.
            EventKind::Word { char_len: 0, .. } => {}
            EventKind::Word { char_start, char_len } => {
                if let Some((i, _)) = open.take() {
                    words[i].end = t.max(words[i].start);
                }
                let Some(range) = word_bytes(text, &chars, *char_start, *char_len) else { continue };
                if words.last().is_some_and(|w| range.start < w.text.start) {
                    continue;
                }
                let start = words.last().map_or(t, |w| t.max(w.start));
                words.push(SpokenWord { start, end: duration.max(start), text: range });
                open = Some((words.len() - 1, false));
            }
            EventKind::Phoneme(name) => {
                let Some((i, heard)) = open else { continue };
                match viseme_for_phoneme(name) {
                    Some(show::Viseme::Rest) if heard => {
                        words[i].end = t.max(words[i].start);
                        open = None;
                    }
                    Some(show::Viseme::Rest) | None => {}
                    Some(_) => open = Some((i, true)),
                }
            }
            EventKind::End => {
                if let Some((i, true)) = open.take() {
                    words[i].end = t.max(words[i].start);
                }
            }
        }
    }
    words
}

/// The bytes of the word espeak reports at `char_start` (counting characters). espeak's
/// positions can be off: "that's" comes as "that", and after a full stop it may point at
/// the space before the word. So the start moves forward to a letter and the end runs to the
/// end of the word ("that's", "two-pack"); Chinese characters stay one by one.
fn word_bytes(text: &str, chars: &[(usize, char)], char_start: usize, char_len: usize) -> Option<Range<usize>> {
    let n = chars.len();
    let mut s = char_start.min(n);
    while s < n && !chars[s].1.is_alphanumeric() {
        s += 1;
    }
    if s >= n {
        return None;
    }
    let wordlike = normalize::wordlike;
    let mut e = (char_start + char_len).max(s + 1).min(n);
    while e > s + 1 && !chars[e - 1].1.is_alphanumeric() {
        e -= 1;
    }
    let joiner = |c: char| matches!(c, '\'' | '’' | '-');
    while e < n {
        let (prev, c) = (chars[e - 1].1, chars[e].1);
        let inside = wordlike(c) && (wordlike(prev) || joiner(prev));
        let joined = joiner(c) && wordlike(prev) && chars.get(e + 1).is_some_and(|x| wordlike(x.1));
        if !(inside || joined) {
            break;
        }
        e += 1;
    }
    let byte = |c: usize| if c < n { chars[c].0 } else { text.len() };
    Some(byte(s)..byte(e))
}

impl Voice for Espeak {
    fn name(&self) -> &str {
        &self.name
    }

    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, StageError> {
        let spoken = normalize::spoken(line, locale);
        let speech = self.speak_text(&spoken.text)?;
        Ok(utterance(line, spoken, speech))
    }
}

/// espeak-ng's version, data folder and library, for `evercast doctor`.
pub fn library_info() -> Result<LibraryInfo, StageError> {
    Ok(engine()?.info().clone())
}

/// The installed espeak-ng voices.
pub fn list_voices() -> Result<Vec<VoiceInfo>, StageError> {
    Ok(engine()?.voices().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viseme::phoneme_is_known;

    /// Every phoneme espeak reports, in many languages and scripts, has a viseme class.
    #[test]
    fn phonemes_of_many_languages_have_viseme_classes() {
        let texts = [
            ("en-us", "The quick brown fox jumps over the lazy dog; judge my vow, thick rough shoes."),
            ("es", "El pingüino Wenceslao hizo kilómetros bajo exhaustiva lluvia y frío, añoraba a su querido cachorro."),
            ("fr", "Portez ce vieux whisky au juge blond qui fume ; l'œuf, la bûche et un brun parfum."),
            ("de", "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich; ich möchte Bücher."),
            ("it", "Quel vituperabile xenofobo zelante assaggia il whisky ed esclama: alleluja! Gli gnocchi."),
            ("pt-br", "À noite, vovô Kowalsky vê o ímã cair no pé do pinguim queixoso e vovó põe açúcar no chá."),
            ("cmn-latn-pinyin", "我能吞下玻璃而不伤身体。今天的天气很好，我们去买东西吧。"),
            ("ja", "いろはにほへと ちりぬるを わかよたれそ つねならむ"),
            ("ru", "Съешь же ещё этих мягких французских булок, да выпей чаю."),
            ("ar", "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر"),
            ("hi", "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले"),
            ("id", "Muharjo seorang xenofobia universal yang takut pada warga jazirah, contohnya Qatar."),
            ("vi", "Tôi có thể ăn thủy tinh mà không hại gì."),
            ("tr", "Pijamalı hasta yağız şoföre çabucak güvendi."),
            ("pl", "Pchnąć w tę łódź jeża lub ośm skrzyń fig."),
            ("nl", "Pa's wijze lynx bezag vroom het fikse aquaduct."),
        ];
        let mut seen = 0usize;
        let mut unknown: Vec<String> = Vec::new();
        for (voice, text) in texts {
            let synth = engine().unwrap().synthesize(voice, DEFAULT_RATE, text).unwrap();
            for e in &synth.events {
                if let EventKind::Phoneme(name) = &e.kind {
                    seen += 1;
                    if !phoneme_is_known(name) {
                        unknown.push(format!("{voice}:{name}"));
                    }
                }
            }
        }
        unknown.sort();
        unknown.dedup();
        println!("{seen} phonemes, without a class: {unknown:?}");
        assert!(seen > 800, "{seen}");
        assert!(unknown.len() * 100 <= seen, "{unknown:?}");
    }

    #[test]
    fn mandarin_reads_characters_not_tone_numbers() {
        // espeak-ng 1.51's `cmn` reads 好 as "hao three"; the voice must not (no "th").
        let v = Espeak::new("cmn").unwrap();
        let s = v.speak_text("你好，今天很好。").unwrap();
        let tongue = s.visemes.keys.iter().filter(|k| k.viseme == show::Viseme::Tongue).count();
        assert_eq!(tongue, 0, "{}: {:?}", v.voice(), s.visemes.keys);
        assert!(s.words.len() >= 5, "{:?}", s.words);
    }
}
