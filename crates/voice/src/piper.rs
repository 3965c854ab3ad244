//! Piper (VITS, ONNX): the fast voice. Any `NAME.onnx` with its `NAME.onnx.json` under the
//! models folder is a voice named `piper:NAME` (the manifest installs `en_US-joe-medium`).
//!
//! Load → forward → audio: espeak-ng IPA for the voice's espeak language, each symbol mapped to
//! ids by the voice's own `phoneme_id_map` (BOS, then every symbol followed by the pad, EOS),
//! the scales from its `inference` section, audio at its sample rate.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ort::value::Tensor;
use serde::Deserialize;
use show::stages::{StageError, Voice};
use show::{Line, Locale, Utterance};

use crate::error::VoiceError;
use crate::espeak::Espeak;
use crate::neural::{self, ChunkAudio};
use crate::onnx::{self, SharedSession};

/// The manifest model that holds the default Piper voice.
pub const MODEL: &str = "piper-joe";

#[derive(Debug, Deserialize)]
struct Config {
    audio: AudioConfig,
    espeak: EspeakConfig,
    #[serde(default)]
    inference: Inference,
    phoneme_id_map: HashMap<String, Vec<i64>>,
    #[serde(default)]
    phoneme_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AudioConfig {
    sample_rate: u32,
}

#[derive(Debug, Deserialize)]
struct EspeakConfig {
    voice: String,
}

#[derive(Debug, Deserialize)]
struct Inference {
    noise_scale: f32,
    length_scale: f32,
    noise_w: f32,
}

impl Default for Inference {
    fn default() -> Self {
        Inference { noise_scale: 0.667, length_scale: 1.0, noise_w: 0.8 }
    }
}

/// A Piper voice file found under the models folder.
#[derive(Clone, Debug, PartialEq)]
pub struct PiperVoiceFile {
    /// `en_US-joe-medium`.
    pub name: String,
    pub model: PathBuf,
    /// The espeak language it reads (from its config), when the config parses.
    pub language: Option<String>,
}

/// Every `*.onnx` with a `*.onnx.json` one folder below `models_dir`.
pub fn find_voices(models_dir: &Path) -> Vec<PiperVoiceFile> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(models_dir).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()) {
        for f in std::fs::read_dir(&dir).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()) {
            let Some(name) = f.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".onnx")) else { continue };
            let json = f.with_file_name(format!("{name}.onnx.json"));
            if !json.exists() {
                continue;
            }
            let language = std::fs::read_to_string(&json).ok().and_then(|t| serde_json::from_str::<Config>(&t).ok()).map(|c| c.espeak.voice);
            out.push(PiperVoiceFile { name: name.to_string(), model: f, language });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A loaded Piper voice.
#[derive(Clone)]
pub struct Piper {
    session: SharedSession,
    model: PathBuf,
    ids: Arc<HashMap<char, Vec<i64>>>,
    sample_rate: u32,
    scales: [f32; 3],
    espeak: Espeak,
    name: String,
}

impl Piper {
    /// The voice `name` (a file stem) from the models folder; a missing voice names the install
    /// command.
    pub fn new(models_dir: &Path, name: &str, speed: f32) -> Result<Piper, VoiceError> {
        let found = find_voices(models_dir).into_iter().find(|v| v.name == name).ok_or_else(|| {
            VoiceError::NotInstalled(format!(
                "no Piper voice `{name}` in {}: run `evercast models install {MODEL}` for en_US-joe-medium, or put NAME.onnx and NAME.onnx.json in a folder under it",
                models_dir.display()
            ))
        })?;
        Piper::load(models_dir, &found.model, speed)
    }

    /// A Piper voice from its `.onnx` file (the `.onnx.json` beside it).
    pub fn load(models_dir: &Path, model: &Path, speed: f32) -> Result<Piper, VoiceError> {
        let json = PathBuf::from(format!("{}.json", model.display()));
        let bad = |reason: String| VoiceError::Model { path: json.clone(), reason };
        let text = std::fs::read_to_string(&json).map_err(|e| bad(e.to_string()))?;
        let config: Config = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if config.phoneme_type.as_deref().is_some_and(|t| t != "espeak") {
            return Err(bad(format!("phoneme_type `{}` is not supported (only espeak)", config.phoneme_type.unwrap_or_default())));
        }
        let mut ids = HashMap::new();
        for (k, v) in &config.phoneme_id_map {
            let mut chars = k.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                ids.insert(c, v.clone());
            }
        }
        for needed in ['^', '$', '_'] {
            if !ids.contains_key(&needed) {
                return Err(bad(format!("phoneme_id_map lacks `{needed}`")));
            }
        }
        let espeak = Espeak::new(&config.espeak.voice).map_err(|e| VoiceError::NotInstalled(e.message))?;
        let session = onnx::session(models_dir, model)?;
        let stem = model.file_stem().and_then(|s| s.to_str()).unwrap_or("piper").to_string();
        let i = &config.inference;
        Ok(Piper {
            session,
            model: model.to_path_buf(),
            ids: Arc::new(ids),
            sample_rate: config.audio.sample_rate,
            scales: [i.noise_scale, i.length_scale / speed.clamp(0.5, 2.0), i.noise_w],
            espeak,
            name: format!("piper {stem}"),
        })
    }

    /// The ids of one chunk: BOS, every phoneme followed by the pad, EOS.
    fn ids(&self, phonemes: &str) -> Vec<i64> {
        let pad = &self.ids[&'_'];
        let mut out: Vec<i64> = self.ids[&'^'].clone();
        out.extend_from_slice(pad);
        for c in phonemes.chars() {
            if let Some(id) = self.ids.get(&c) {
                out.extend_from_slice(id);
                out.extend_from_slice(pad);
            }
        }
        out.extend_from_slice(&self.ids[&'$']);
        out
    }

    fn synthesize(&self, ids: Vec<i64>) -> Result<Vec<f32>, VoiceError> {
        let err = |e: ort::Error| VoiceError::Model { path: self.model.clone(), reason: e.to_string() };
        let n = ids.len();
        let inputs = ort::inputs![
            "input" => Tensor::from_array(([1usize, n], ids)).map_err(err)?,
            "input_lengths" => Tensor::from_array(([1usize], vec![n as i64])).map_err(err)?,
            "scales" => Tensor::from_array(([3usize], self.scales.to_vec())).map_err(err)?,
        ];
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = session.run(inputs).map_err(err)?;
        let (_, audio) = out[0].try_extract_tensor::<f32>().map_err(err)?;
        Ok(audio.to_vec())
    }

}

/// Piper reads espeak's IPA as espeak prints it (no ties), with the chunk's final mark.
fn phonemes_with_weights(espeak: &Espeak, text: &str, words: &[Range<usize>]) -> Result<(String, Vec<f32>), StageError> {
    let clauses = espeak.ipa(text, false)?;
    let mut ipa = clauses.join(", ");
    if let Some(end) = text.trim_end().chars().last().filter(|c| matches!(c, '.' | '!' | '?' | ',' | ';' | ':')) {
        ipa.push(end);
    }
    let ipa_words: Vec<&str> = clauses.iter().flat_map(|c| c.split_whitespace()).collect();
    let weights = if ipa_words.len() == words.len() {
        ipa_words.iter().map(|p| p.chars().filter(|c| c.is_alphabetic()).count().max(1) as f32).collect()
    } else {
        words.iter().map(|r| text[r.clone()].chars().filter(|c| c.is_alphanumeric()).count().max(1) as f32).collect()
    };
    Ok((ipa, weights))
}

impl neural::ChunkedVoice for Piper {
    fn label(&self) -> &str {
        &self.name
    }

    fn speak_chunks(&self, text: &str, first_words: usize, each: &mut dyn FnMut(ChunkAudio)) -> Result<(), StageError> {
        for chunk in neural::chunks_with(text, first_words) {
            let piece = &text[chunk.range.clone()];
            let words = neural::words(piece);
            let (phonemes, weights) = phonemes_with_weights(&self.espeak, piece, &words)?;
            let ids = self.ids(&phonemes);
            let samples = self.synthesize(ids)?;
            let words = words.iter().zip(weights).map(|(r, w)| (r.start + chunk.range.start..r.end + chunk.range.start, w)).collect();
            each(ChunkAudio { samples, sample_rate: self.sample_rate, words, pause: chunk.pause });
        }
        Ok(())
    }
}

impl Voice for Piper {
    fn name(&self) -> &str {
        &self.name
    }

    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, StageError> {
        neural::ChunkedVoice::speak_line(self, line, locale)
    }
}
