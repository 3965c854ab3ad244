//! Kokoro-82M v1.0 (int8 ONNX): the natural multilingual voice.
//!
//! Load → forward → audio: the text is normalized (numbers and prices in words), cut into
//! chunks ([`crate::neural::chunks`]), each chunk turned into Kokoro's phoneme symbols —
//! espeak-ng IPA mapped to the symbols Kokoro was trained on for English, Spanish, French,
//! Italian, Portuguese and Hindi; pinyin for Mandarin ([`crate::g2p::zh`]); IPADIC readings
//! for Japanese ([`crate::g2p::ja`]) — and run through the model with the voice's style row
//! for that length. Voices blend (`af_heart*0.6+af_bella*0.4`).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ort::value::Tensor;
use show::stages::{StageError, Voice};
use show::{Line, Locale, Utterance};

use crate::error::VoiceError;
use crate::espeak::Espeak;
use crate::neural::{self, ChunkAudio};
use crate::onnx::{self, SharedSession};

/// The manifest model that holds Kokoro.
pub const MODEL: &str = "kokoro-v1.0";
const MODEL_FILE: &str = "kokoro-v1.0.int8.onnx";
/// Kokoro's output rate.
pub const SAMPLE_RATE: u32 = 24_000;
/// Rows of a voice file: one style per token count.
const STYLE_ROWS: usize = 510;
const STYLE_DIM: usize = 256;
/// Phoneme tokens per call at most (the model takes 512 with the two pads).
const MAX_TOKENS: usize = 500;

/// The language a Kokoro voice speaks, from the first letter of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KokoroLanguage {
    AmericanEnglish,
    BritishEnglish,
    Spanish,
    French,
    Hindi,
    Italian,
    Japanese,
    Portuguese,
    Mandarin,
}

impl KokoroLanguage {
    pub fn of_voice(name: &str) -> Option<KokoroLanguage> {
        Some(match name.chars().next()? {
            'a' => KokoroLanguage::AmericanEnglish,
            'b' => KokoroLanguage::BritishEnglish,
            'e' => KokoroLanguage::Spanish,
            'f' => KokoroLanguage::French,
            'h' => KokoroLanguage::Hindi,
            'i' => KokoroLanguage::Italian,
            'j' => KokoroLanguage::Japanese,
            'p' => KokoroLanguage::Portuguese,
            'z' => KokoroLanguage::Mandarin,
            _ => return None,
        })
    }

    /// The BCP 47 tag of the language (what a room's locale is matched against).
    pub fn tag(self) -> &'static str {
        match self {
            KokoroLanguage::AmericanEnglish => "en-US",
            KokoroLanguage::BritishEnglish => "en-GB",
            KokoroLanguage::Spanish => "es",
            KokoroLanguage::French => "fr",
            KokoroLanguage::Hindi => "hi",
            KokoroLanguage::Italian => "it",
            KokoroLanguage::Japanese => "ja",
            KokoroLanguage::Portuguese => "pt-BR",
            KokoroLanguage::Mandarin => "zh",
        }
    }

    /// The espeak-ng voice whose IPA Kokoro was trained on, for the languages read that way.
    fn espeak_voice(self) -> Option<&'static str> {
        match self {
            KokoroLanguage::AmericanEnglish => Some("en-us"),
            KokoroLanguage::BritishEnglish => Some("en-gb"),
            KokoroLanguage::Spanish => Some("es"),
            KokoroLanguage::French => Some("fr-fr"),
            KokoroLanguage::Hindi => Some("hi"),
            KokoroLanguage::Italian => Some("it"),
            KokoroLanguage::Portuguese => Some("pt-br"),
            KokoroLanguage::Japanese | KokoroLanguage::Mandarin => None,
        }
    }
}

/// The model and its phoneme vocabulary, loaded once per process.
pub struct KokoroModel {
    dir: PathBuf,
    session: SharedSession,
    vocab: HashMap<char, i64>,
    styles: Mutex<HashMap<String, Arc<Vec<f32>>>>,
}

static MODELS: OnceLock<Mutex<Vec<Arc<KokoroModel>>>> = OnceLock::new();

impl KokoroModel {
    /// Kokoro from `dir` (the installed `kokoro-v1.0` folder), loaded once per process.
    pub fn load(models_dir: &Path, dir: &Path) -> Result<Arc<KokoroModel>, VoiceError> {
        let mut cache = MODELS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = cache.iter().find(|m| m.dir == dir) {
            return Ok(m.clone());
        }
        let model = dir.join(MODEL_FILE);
        if !model.exists() {
            return Err(VoiceError::NotInstalled(format!("the Kokoro voice is not installed (no {}): run `evercast models install {MODEL}`", model.display())));
        }
        let vocab = read_vocab(&dir.join("vocab.json"))?;
        let session = onnx::session(models_dir, &model)?;
        let m = Arc::new(KokoroModel { dir: dir.to_path_buf(), session, vocab, styles: Mutex::new(HashMap::new()) });
        cache.push(m.clone());
        Ok(m)
    }

    /// The voices installed next to the model (`voices/NAME.bin`), sorted.
    pub fn voices(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join("voices"))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".bin")).map(str::to_string))
            .collect();
        v.sort();
        v
    }

    fn style(&self, name: &str) -> Result<Arc<Vec<f32>>, VoiceError> {
        let mut styles = self.styles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = styles.get(name) {
            return Ok(s.clone());
        }
        let path = self.dir.join("voices").join(format!("{name}.bin"));
        let bytes = std::fs::read(&path).map_err(|_| VoiceError::UnknownNeuralVoice {
            name: format!("kokoro:{name}"),
            hint: format!("no {}; `evercast voices list` shows the installed voices", path.display()),
        })?;
        if bytes.len() != STYLE_ROWS * STYLE_DIM * 4 {
            return Err(VoiceError::Model { path, reason: format!("{} bytes, expected {} (510×256 f32)", bytes.len(), STYLE_ROWS * STYLE_DIM * 4) });
        }
        let s: Arc<Vec<f32>> = Arc::new(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect());
        styles.insert(name.to_string(), s.clone());
        Ok(s)
    }

    /// Token ids of a phoneme string (symbols outside the vocabulary are skipped).
    pub fn tokens(&self, phonemes: &str) -> Vec<i64> {
        phonemes.chars().filter_map(|c| self.vocab.get(&c).copied()).collect()
    }

    /// Runs the model: `tokens` (without pads) in the voice `style`, at `speed`; audio at 24 kHz.
    pub fn synthesize(&self, tokens: &[i64], style: &[f32], speed: f32) -> Result<Vec<f32>, VoiceError> {
        let tokens = &tokens[..tokens.len().min(MAX_TOKENS)];
        let row = tokens.len().min(STYLE_ROWS - 1);
        let style_row = style[row * STYLE_DIM..(row + 1) * STYLE_DIM].to_vec();
        let mut ids = Vec::with_capacity(tokens.len() + 2);
        ids.push(0);
        ids.extend_from_slice(tokens);
        ids.push(0);
        let err = |e: ort::Error| VoiceError::Model { path: self.dir.join(MODEL_FILE), reason: e.to_string() };
        let n = ids.len();
        let inputs = ort::inputs![
            "tokens" => Tensor::from_array(([1usize, n], ids)).map_err(err)?,
            "style" => Tensor::from_array(([1usize, STYLE_DIM], style_row)).map_err(err)?,
            "speed" => Tensor::from_array(([1usize], vec![speed])).map_err(err)?,
        ];
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = session.run(inputs).map_err(err)?;
        let (_, audio) = out["audio"].try_extract_tensor::<f32>().map_err(err)?;
        Ok(audio.to_vec())
    }
}

fn read_vocab(path: &Path) -> Result<HashMap<char, i64>, VoiceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|_| VoiceError::NotInstalled(format!("Kokoro's vocabulary is missing ({}): run `evercast models install {MODEL}`", path.display())))?;
    let bad = |reason: String| VoiceError::Model { path: path.to_path_buf(), reason };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let map = v.get("vocab").and_then(|m| m.as_object()).ok_or_else(|| bad("no `vocab` object".into()))?;
    let mut out = HashMap::new();
    for (k, id) in map {
        let mut chars = k.chars();
        if let (Some(c), None, Some(id)) = (chars.next(), chars.next(), id.as_i64()) {
            out.insert(c, id);
        }
    }
    Ok(out)
}

/// A Kokoro voice: one voice or a blend, a language and a speed.
#[derive(Clone)]
pub struct Kokoro {
    model: Arc<KokoroModel>,
    style: Arc<Vec<f32>>,
    language: KokoroLanguage,
    speed: f32,
    name: String,
    /// The language's espeak voice; for Mandarin and Japanese, American English (for the
    /// Latin words in their text).
    espeak: Espeak,
    ja: Option<Arc<crate::g2p::ja::JaReader>>,
}

impl Kokoro {
    /// `spec` is a voice name (`af_heart`) or a blend (`af_heart*0.6+af_bella*0.4`); the
    /// blend's language is its first voice's. `ipadic` is the Japanese dictionary's folder,
    /// needed by Japanese voices only.
    pub fn new(model: Arc<KokoroModel>, spec: &str, speed: f32, ipadic: Option<&Path>) -> Result<Kokoro, VoiceError> {
        let parts = parse_blend(spec)?;
        let language = KokoroLanguage::of_voice(&parts[0].0).ok_or_else(|| VoiceError::UnknownNeuralVoice {
            name: format!("kokoro:{spec}"),
            hint: "Kokoro voice names start with the language letter (a, b, e, f, h, i, j, p, z)".into(),
        })?;
        let total: f32 = parts.iter().map(|(_, w)| w).sum();
        let mut style = vec![0.0f32; STYLE_ROWS * STYLE_DIM];
        for (name, w) in &parts {
            let s = model.style(name)?;
            for (acc, v) in style.iter_mut().zip(s.iter()) {
                *acc += v * w / total;
            }
        }
        let espeak = Espeak::new(language.espeak_voice().unwrap_or("en-us")).map_err(|e| VoiceError::NotInstalled(e.message))?;
        let ja = match language {
            KokoroLanguage::Japanese => {
                let dir = ipadic.ok_or_else(|| {
                    VoiceError::NotInstalled("Japanese Kokoro voices need the IPADIC dictionary: run `evercast models install ipadic`".into())
                })?;
                Some(shared_ja_reader(dir)?)
            }
            _ => None,
        };
        Ok(Kokoro { model, style: Arc::new(style), language, speed: speed.clamp(0.5, 2.0), name: format!("kokoro {spec}"), espeak, ja })
    }

    /// Kokoro's phoneme string for a piece of text, and the phoneme count of each word.
    pub fn phonemes(&self, text: &str, words: &[Range<usize>]) -> Result<(String, Vec<f32>), StageError> {
        match self.language {
            // Latin words in Chinese or Japanese text (brands, "USB-C") are read as English.
            KokoroLanguage::Mandarin => {
                let ps = crate::g2p::zh::mandarin_phonemes_with(text, &mut |w| self.english(w));
                Ok((ps, char_weights(text, words)))
            }
            KokoroLanguage::Japanese => {
                let ps = self.ja.as_ref().map(|r| r.phonemes_with(text, &mut |w| self.english(w))).unwrap_or_default();
                Ok((ps, char_weights(text, words)))
            }
            _ => espeak_phonemes(&self.espeak, text, words, self.language),
        }
    }

    /// A Latin word in Chinese or Japanese text read as American English, in Kokoro's symbols.
    fn english(&self, word: &str) -> Option<String> {
        let ipa = self.espeak.ipa(word, true).ok()?.join(" ");
        (!ipa.is_empty()).then(|| to_kokoro(&ipa, KokoroLanguage::AmericanEnglish))
    }

}

impl neural::ChunkedVoice for Kokoro {
    fn label(&self) -> &str {
        &self.name
    }

    fn speak_chunks(&self, text: &str, first_words: usize, each: &mut dyn FnMut(ChunkAudio)) -> Result<(), StageError> {
        for chunk in neural::chunks_with(text, first_words) {
            let piece = &text[chunk.range.clone()];
            let words = neural::words(piece);
            let (phonemes, weights) = self.phonemes(piece, &words)?;
            let tokens = self.model.tokens(&phonemes);
            if tokens.is_empty() {
                continue;
            }
            let samples = self.model.synthesize(&tokens, &self.style, self.speed)?;
            let words = words.iter().zip(weights).map(|(r, w)| (r.start + chunk.range.start..r.end + chunk.range.start, w)).collect();
            each(ChunkAudio { samples, sample_rate: SAMPLE_RATE, words, pause: chunk.pause });
        }
        Ok(())
    }
}

impl Voice for Kokoro {
    fn name(&self) -> &str {
        &self.name
    }

    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, StageError> {
        neural::ChunkedVoice::speak_line(self, line, locale)
    }
}

/// The Japanese reader for `dir`, built once per process (its dictionary is large).
fn shared_ja_reader(dir: &Path) -> Result<Arc<crate::g2p::ja::JaReader>, VoiceError> {
    static READERS: OnceLock<Mutex<Vec<(PathBuf, Arc<crate::g2p::ja::JaReader>)>>> = OnceLock::new();
    let mut readers = READERS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, r)) = readers.iter().find(|(d, _)| d == dir) {
        return Ok(r.clone());
    }
    let r = Arc::new(crate::g2p::ja::JaReader::load(dir).map_err(|e| {
        VoiceError::NotInstalled(format!("the Japanese dictionary in {} cannot be used ({e}): run `evercast models install ipadic`", dir.display()))
    })?);
    readers.push((dir.to_path_buf(), r.clone()));
    Ok(r)
}

/// `af_heart`, `af_heart*0.6+af_bella*0.4` → names and weights.
pub fn parse_blend(spec: &str) -> Result<Vec<(String, f32)>, VoiceError> {
    let bad = |hint: &str| VoiceError::UnknownNeuralVoice { name: format!("kokoro:{spec}"), hint: hint.to_string() };
    let mut out = Vec::new();
    for part in spec.split('+') {
        let (name, w) = match part.split_once('*') {
            Some((n, w)) => (n.trim(), w.trim().parse::<f32>().map_err(|_| bad("a blend weight must be a number, as in af_heart*0.6+af_bella*0.4"))?),
            None => (part.trim(), 1.0),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || !(w > 0.0) {
            return Err(bad("write a voice name such as af_heart, or a blend such as af_heart*0.6+af_bella*0.4"));
        }
        out.push((name.to_string(), w));
    }
    Ok(out)
}

/// Words weighed by their letters (for scripts espeak does not read here).
fn char_weights(text: &str, words: &[Range<usize>]) -> Vec<f32> {
    words.iter().map(|r| text[r.clone()].chars().filter(|c| c.is_alphanumeric()).count().max(1) as f32).collect()
}

/// Marks Kokoro reads as prosody; everything else between words is dropped.
fn is_kokoro_punct(c: char) -> bool {
    matches!(c, ';' | ':' | ',' | '.' | '!' | '?' | '¡' | '¿' | '—' | '…' | '"' | '«' | '»' | '“' | '”' | '(' | ')')
}

/// espeak IPA for `text`, with punctuation kept between the read runs, mapped to Kokoro's
/// symbols; and each word's phoneme count (from espeak's word split where it matches the
/// text's words, else by letters).
fn espeak_phonemes(espeak: &Espeak, text: &str, words: &[Range<usize>], language: KokoroLanguage) -> Result<(String, Vec<f32>), StageError> {
    let mut out = String::new();
    let mut weights = vec![0.0f32; words.len()];
    // Runs of text between punctuation marks.
    let mut runs: Vec<(Range<usize>, bool)> = Vec::new();
    let mut start = 0;
    let mut in_punct = None;
    for (i, c) in text.char_indices() {
        let p = is_kokoro_punct(c);
        if in_punct != Some(p) {
            if let Some(was) = in_punct {
                runs.push((start..i, was));
            }
            start = i;
            in_punct = Some(p);
        }
    }
    if let Some(was) = in_punct {
        runs.push((start..text.len(), was));
    }
    for (range, punct) in runs {
        let piece = &text[range.clone()];
        if punct {
            out.push_str(piece.trim());
            if piece.ends_with(char::is_whitespace) {
                out.push(' ');
            }
            continue;
        }
        if piece.trim().is_empty() {
            out.push(' ');
            continue;
        }
        let ipa = espeak.ipa(piece, true)?.join(" ");
        let ipa = to_kokoro(&ipa, language);
        // Words of this run and espeak's words: weigh by espeak when they pair up.
        let run_words: Vec<usize> = (0..words.len()).filter(|&w| words[w].start < range.end && words[w].end > range.start).collect();
        let ipa_words: Vec<&str> = ipa.split_whitespace().collect();
        if ipa_words.len() == run_words.len() {
            for (w, p) in run_words.iter().zip(&ipa_words) {
                weights[*w] += p.chars().filter(|c| c.is_alphabetic()).count() as f32;
            }
        } else {
            let letters: f32 = run_words.iter().map(|&w| text[words[w].clone()].chars().filter(|c| c.is_alphabetic()).count() as f32).sum();
            let phones = ipa.chars().filter(|c| c.is_alphabetic()).count() as f32;
            for &w in &run_words {
                let l = text[words[w].clone()].chars().filter(|c| c.is_alphabetic()).count() as f32;
                weights[w] += phones * l / letters.max(1.0);
            }
        }
        if piece.starts_with(char::is_whitespace) && !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&ipa);
        if piece.ends_with(char::is_whitespace) {
            out.push(' ');
        }
    }
    Ok((out.trim().to_string(), weights))
}

/// espeak's tied IPA → the symbols Kokoro v1.0 was trained on (the mapping of hexgrad's
/// misaki front end: diphthongs and affricates as single letters, American flaps as T, ...).
pub fn to_kokoro(ipa: &str, language: KokoroLanguage) -> String {
    let mut s = ipa.to_string();
    let english = matches!(language, KokoroLanguage::AmericanEnglish | KokoroLanguage::BritishEnglish);
    let common: &[(&str, &str)] = &[("a^ɪ", "I"), ("a^ʊ", "W"), ("d^ʒ", "ʤ"), ("e^ɪ", "A"), ("t^ʃ", "ʧ"), ("ɔ^ɪ", "Y")];
    if english {
        let british = language == KokoroLanguage::BritishEnglish;
        if british {
            s = s.replace("e^ə", "ɛː").replace("ə^ʊ", "Q");
        } else {
            s = s.replace("o^ʊ", "O");
        }
        for (a, b) in common {
            s = s.replace(a, b);
        }
        for (a, b) in [("ʔˌn\u{329}", "ʔn"), ("ʔn\u{329}", "ʔn"), ("ə^l", "ᵊl"), ("ʲo", "jo"), ("ʲə", "jə"), ("ʲ", ""), ("ɚ", "əɹ"), ("r", "ɹ"), ("x", "k"), ("ç", "k"), ("ɐ", "ə"), ("ɬ", "l"), ("\u{303}", "")] {
            s = s.replace(a, b);
        }
        s = s.replace('e', "A");
        if british {
            s = s.replace("iə", "ɪə");
        } else {
            s = s.replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ").replace("ɪə", "iə").replace('ː', "");
        }
        s = s.replace('o', "ɔ").replace('ɾ', "T").replace('ʔ', "t");
    } else {
        for (a, b) in common.iter().chain(&[("d^z", "ʣ"), ("o^ʊ", "O"), ("ə^ʊ", "Q"), ("s^s", "S"), ("t^s", "ʦ")]) {
            s = s.replace(a, b);
        }
        s = s.replace('-', "");
    }
    s.replace('^', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blends_parse_and_bad_specs_are_refused() {
        assert_eq!(parse_blend("af_heart").unwrap(), vec![("af_heart".to_string(), 1.0)]);
        assert_eq!(parse_blend("af_heart*0.6+af_bella*0.4").unwrap(), vec![("af_heart".to_string(), 0.6), ("af_bella".to_string(), 0.4)]);
        assert!(parse_blend("af_heart*x").is_err());
        assert!(parse_blend("../etc").is_err());
        assert!(parse_blend("af_heart*0").is_err());
    }

    #[test]
    fn espeak_ipa_maps_to_kokoro_symbols() {
        assert_eq!(to_kokoro("hˈe^ɪ t^ʃˈiːz", KokoroLanguage::AmericanEnglish), "hˈA ʧˈiz");
        assert_eq!(to_kokoro("bˈɛɾɚ", KokoroLanguage::AmericanEnglish), "bˈɛTəɹ");
        assert_eq!(to_kokoro("ɡɹˈe^ɪt", KokoroLanguage::BritishEnglish), "ɡɹˈAt");
        assert_eq!(to_kokoro("t^ʃˈiko", KokoroLanguage::Spanish), "ʧˈiko");
        assert_eq!(KokoroLanguage::of_voice("ef_dora"), Some(KokoroLanguage::Spanish));
        assert_eq!(KokoroLanguage::of_voice("zf_xiaoxiao").map(KokoroLanguage::tag), Some("zh"));
    }
}
