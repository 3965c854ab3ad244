//! Loading a Whisper model folder and transcribing with it: log-mel spectrogram, encoder,
//! greedy decoding in 30 s windows, language detection.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::whisper::{self as consts, Config, audio::pcm_to_mel, model::Whisper as Model};
use tokenizers::Tokenizer;

use crate::audio::{MEL_SAMPLE_RATE, mel_filters, resample};
use crate::decoder::Decoder;
use crate::ct2::{CONFIG_FILE, CT2_FILE, SAFETENSORS_FILE, ct2_to_hf, convert_ct2, needs_conversion};
use crate::error::{AsrError, io_err};

const TOKENIZER_FILE: &str = "tokenizer.json";
/// New tokens per 30 s window at most (Whisper's own limit: half the text context).
const MAX_NEW_TOKENS: usize = 224;
/// A window whose loudest sample is below this (−60 dBFS) is silence and is not decoded.
const SILENCE_PEAK: f32 = 1e-3;
/// Languages written without spaces: their windows are joined without one.
const UNSPACED_LANGUAGES: [&str; 7] = ["zh", "ja", "th", "lo", "my", "km", "yue"];

/// What was said in a recording.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Transcript {
    /// The text, windows joined.
    pub text: String,
    /// The ISO 639-1 code of the language it was transcribed in (the one given, else the one
    /// detected in the first window that holds speech; empty when no speech was heard and
    /// none was given).
    pub language: String,
    /// The audio's length in seconds.
    pub seconds: f32,
}

/// The config the loader reads: candle's Whisper config plus the token lists.
#[derive(serde::Deserialize)]
struct ModelConfig {
    #[serde(flatten)]
    whisper: Config,
    #[serde(default)]
    begin_suppress_tokens: Vec<u32>,
    #[serde(default)]
    lang_ids: Vec<u32>,
}

/// The device models run on by default: CUDA or Metal when this build has them and one is
/// present, else the CPU.
pub fn default_device() -> Device {
    if cfg!(feature = "cuda")
        && let Ok(d) = Device::new_cuda(0)
    {
        return d;
    }
    if cfg!(feature = "metal")
        && let Ok(d) = Device::new_metal(0)
    {
        return d;
    }
    Device::Cpu
}

/// A loaded Whisper model with its tokenizer.
///
/// A model folder holds `tokenizer.json` and either a CTranslate2 `model.bin` (+ its
/// `config.json`), converted on first load, or `model.safetensors` + `whisper-config.json`
/// (a Hugging Face Whisper folder with its `config.json` works too).
pub struct Whisper {
    /// candle's Whisper, for its audio encoder.
    model: Model,
    decoder: Decoder,
    tokenizer: Tokenizer,
    device: Device,
    filters: Vec<f32>,
    sot: u32,
    eot: u32,
    transcribe: u32,
    no_timestamps: u32,
    no_speech: Option<u32>,
    /// (ISO code, token id), in the model's order.
    languages: Vec<(String, u32)>,
    /// Tokens never sampled: the config's list and every special token but end-of-text.
    suppress: Vec<u32>,
    /// Tokens not sampled first (a blank, end-of-text).
    suppress_begin: Vec<u32>,
}

/// One window's decoding.
struct Decoded {
    tokens: Vec<u32>,
    /// The language token used (given or detected).
    language: u32,
    avg_logprob: f32,
    no_speech_prob: f32,
}

impl Whisper {
    /// Loads the model in `dir` on [`default_device`], converting a CTranslate2 `model.bin`
    /// first when `model.safetensors` is missing or older than it.
    pub fn load(dir: &Path) -> Result<Whisper, AsrError> {
        Self::load_on(dir, default_device())
    }

    /// Loads the model in `dir` on `device`.
    pub fn load_on(dir: &Path, device: Device) -> Result<Whisper, AsrError> {
        let missing = |what: &str| AsrError::MissingModel { dir: dir.to_path_buf(), missing: what.to_string() };
        if !dir.is_dir() {
            return Err(missing("the folder"));
        }
        let tokenizer_path = dir.join(TOKENIZER_FILE);
        if !tokenizer_path.is_file() {
            return Err(missing(TOKENIZER_FILE));
        }
        let started = Instant::now();
        let weights_path = dir.join(SAFETENSORS_FILE);
        let mut in_memory = None;
        if needs_conversion(dir) {
            match convert_ct2(dir) {
                Ok(_) => {}
                // A folder we cannot write to (a read-only install): convert in memory.
                Err(AsrError::Io { context, source }) => {
                    tracing::warn!("cannot save the converted Whisper model ({context}: {source}); converting in memory");
                    in_memory = Some(ct2_to_hf(dir)?);
                }
                Err(e) => return Err(e),
            }
        } else if !weights_path.is_file() {
            return Err(missing(CT2_FILE));
        }

        let (tensors, config) = match in_memory {
            Some((tensors, config)) => {
                let config: ModelConfig = serde_json::from_value(config)
                    .map_err(|e| AsrError::Format { path: dir.join(CT2_FILE), reason: e.to_string() })?;
                (tensors, config)
            }
            None => {
                let config = read_config(dir)?;
                let tensors = candle_core::safetensors::load(&weights_path, &Device::Cpu)
                    .map_err(|e| AsrError::Format { path: weights_path.clone(), reason: e.to_string() })?;
                (tensors, config)
            }
        };
        // f32 on the device, once: candle's model (for its encoder) and our decoder share them.
        let tensors = tensors
            .into_iter()
            .map(|(name, t)| Ok((name, t.to_dtype(DType::F32)?.to_device(&device)?)))
            .collect::<Result<HashMap<_, _>, candle_core::Error>>()?;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let not_whisper = |e: candle_core::Error| AsrError::Format {
            path: weights_path.clone(),
            reason: format!("not the Whisper weights the config describes: {e}"),
        };
        let model = Model::load(&vb, config.whisper.clone()).map_err(not_whisper)?;
        let decoder = Decoder::load(vb.pp("model.decoder"), &config.whisper).map_err(not_whisper)?;
        drop(vb);

        let bad_tokenizer = |reason: String| AsrError::Format { path: tokenizer_path.clone(), reason };
        let tokenizer = Tokenizer::from_file(&tokenizer_path).map_err(|e| bad_tokenizer(e.to_string()))?;
        let id = |token: &str| tokenizer.token_to_id(token).ok_or_else(|| bad_tokenizer(format!("no {token} token")));
        let sot = id(consts::SOT_TOKEN)?;
        let eot = id(consts::EOT_TOKEN)?;
        let transcribe = id(consts::TRANSCRIBE_TOKEN)?;
        let translate = id(consts::TRANSLATE_TOKEN)?;
        let no_timestamps = id(consts::NO_TIMESTAMPS_TOKEN)?;
        let no_speech = consts::NO_SPEECH_TOKENS.iter().find_map(|t| tokenizer.token_to_id(t));
        let language_code = |id: u32| {
            let token = tokenizer.id_to_token(id)?;
            let code = token.strip_prefix("<|")?.strip_suffix("|>")?;
            (!code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase())).then(|| code.to_string())
        };
        let languages: Vec<(String, u32)> = if config.lang_ids.is_empty() {
            // The language tokens follow <|startoftranscript|> up to <|translate|>.
            (sot + 1..translate).filter_map(|id| Some((language_code(id)?, id))).collect()
        } else {
            config.lang_ids.iter().filter_map(|&id| Some((language_code(id)?, id))).collect()
        };
        if languages.is_empty() {
            return Err(bad_tokenizer("no language tokens".into()));
        }
        let vocab = config.whisper.vocab_size as u32;
        let mut suppress: Vec<u32> = config.whisper.suppress_tokens.iter().copied().filter(|&t| t < vocab).collect();
        suppress.extend(eot + 1..vocab);
        suppress.sort_unstable();
        suppress.dedup();
        let suppress_begin = if config.begin_suppress_tokens.is_empty() {
            [tokenizer.token_to_id("Ġ"), Some(eot)].into_iter().flatten().collect()
        } else {
            config.begin_suppress_tokens.clone()
        };
        // candle's `pcm_to_mel` (from whisper.cpp) adds each FFT bin's mirror image to it, so
        // the power it hands the filters is twice the one-sided power Whisper was trained on
        // (`|stft|²`); halving the filters gives Whisper's log-mel exactly (the DC and Nyquist
        // bins, which are not doubled, have zero weight in every filter).
        let filters = mel_filters(MEL_SAMPLE_RATE, consts::N_FFT, config.whisper.num_mel_bins).into_iter().map(|w| w * 0.5).collect();
        tracing::info!(
            "Whisper loaded from {} in {:.1} s ({} layers, d_model {}, {} languages, {})",
            dir.display(),
            started.elapsed().as_secs_f32(),
            config.whisper.encoder_layers,
            config.whisper.d_model,
            languages.len(),
            device_name(&device)
        );
        Ok(Whisper { model, decoder, tokenizer, device, filters, sot, eot, transcribe, no_timestamps, no_speech, languages, suppress, suppress_begin })
    }

    /// `cpu`, `cuda` or `metal`.
    pub fn device_name(&self) -> &'static str {
        device_name(&self.device)
    }

    /// The ISO codes of the languages the model knows, in its order.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|(code, _)| code.as_str())
    }

    /// The language token for an ISO 639-1 code (`es`, also `es-MX`, `pt_BR`, any case).
    fn language_token(&self, language: &str) -> Result<u32, AsrError> {
        let code = language.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase();
        self.languages
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, id)| *id)
            .ok_or_else(|| AsrError::UnknownLanguage(language.to_string()))
    }

    fn language_code(&self, token: u32) -> String {
        self.languages.iter().find(|(_, id)| *id == token).map(|(c, _)| c.clone()).unwrap_or_default()
    }

    /// Transcribes mono `samples` at `sample_rate` Hz (resampled to 16 kHz when needed).
    ///
    /// `language` is an ISO 639-1 code (`en`, `es`, `pt-BR` …); `None` or `"auto"` detects it
    /// from the first window that holds speech. The audio is cut in consecutive 30 s windows,
    /// each decoded greedily (temperature 0) without timestamps and without the previous
    /// window's text as a prompt; a word spoken across a window boundary may be misread.
    /// Silent windows, and windows the model judges to hold no speech (OpenAI's rule:
    /// no-speech probability over 0.6 and mean log-probability under −1), give no text.
    pub fn transcribe(&mut self, samples: &[f32], sample_rate: u32, language: Option<&str>) -> Result<Transcript, AsrError> {
        if sample_rate == 0 {
            return Err(AsrError::Audio("a sample rate of 0 Hz".into()));
        }
        let seconds = samples.len() as f32 / sample_rate as f32;
        let mut lang_token = match language.map(str::trim) {
            None | Some("" | "auto") => None,
            Some(l) => Some(self.language_token(l)?),
        };
        let mut pcm = resample(samples, sample_rate, MEL_SAMPLE_RATE)?;
        let windows = pcm.len().div_ceil(consts::N_SAMPLES);
        if windows == 0 {
            let language = lang_token.map(|t| self.language_code(t)).unwrap_or_default();
            return Ok(Transcript { text: String::new(), language, seconds });
        }
        let config = &self.model.config;
        let n_mels = config.num_mel_bins;
        let started = Instant::now();
        // `pcm_to_mel` pads with zeros to a whole number of 15 s plus 15 s, which covers the
        // last window once the audio is a whole number of hops; the last window is padded
        // whole only if that ever falls short.
        pcm.resize(pcm.len().next_multiple_of(consts::HOP_LENGTH), 0.0);
        let mut mel = pcm_to_mel(config, &centred(&pcm), &self.filters);
        if mel.len() / n_mels < windows * consts::N_FRAMES {
            pcm.resize(windows * consts::N_SAMPLES, 0.0);
            mel = pcm_to_mel(config, &centred(&pcm), &self.filters);
        }
        let frames = mel.len() / n_mels;
        tracing::debug!("log-mel spectrogram of {seconds:.1} s in {:.2} s", started.elapsed().as_secs_f32());
        let mel = Tensor::from_vec(mel, (1, n_mels, frames), &self.device)?;

        let mut texts: Vec<String> = Vec::new();
        for w in 0..windows {
            let audio = &pcm[w * consts::N_SAMPLES..((w + 1) * consts::N_SAMPLES).min(pcm.len())];
            if audio.iter().fold(0.0f32, |m, s| m.max(s.abs())) < SILENCE_PEAK {
                tracing::debug!("window {w}: silence");
                continue;
            }
            let started = Instant::now();
            let window = mel.narrow(2, w * consts::N_FRAMES, consts::N_FRAMES)?;
            let features = self.model.encoder.forward(&window, true)?;
            let encoded = started.elapsed().as_secs_f32();
            let decoded = self.decode(&features, lang_token)?;
            let text = self.tokenizer.decode(&decoded.tokens, true).map_err(|e| AsrError::Audio(format!("decoding tokens: {e}")))?;
            let text = text.trim();
            tracing::debug!(
                "window {w}: encoded in {encoded:.2} s, decoded in {:.2} s: {} tokens, avg logprob {:.2}, no-speech {:.2}: {text}",
                started.elapsed().as_secs_f32() - encoded,
                decoded.tokens.len(),
                decoded.avg_logprob,
                decoded.no_speech_prob
            );
            if decoded.no_speech_prob > consts::NO_SPEECH_THRESHOLD as f32 && decoded.avg_logprob < consts::LOGPROB_THRESHOLD as f32 {
                tracing::debug!("window {w}: no speech");
                continue;
            }
            // A detected language holds for the windows after the first one with speech.
            lang_token = Some(decoded.language);
            if !text.is_empty() {
                texts.push(text.to_string());
            }
        }
        let language = lang_token.map(|t| self.language_code(t)).unwrap_or_default();
        let joiner = if UNSPACED_LANGUAGES.contains(&language.as_str()) { "" } else { " " };
        Ok(Transcript { text: texts.join(joiner), language, seconds })
    }

    /// Greedy decoding of one window: <|startoftranscript|>, then the language token (`lang`,
    /// else the most likely one there), <|transcribe|>, <|notimestamps|>, then the most
    /// likely allowed token until <|endoftext|>.
    fn decode(&mut self, features: &Tensor, lang: Option<u32>) -> Result<Decoded, AsrError> {
        self.decoder.start(features)?;
        let sot_hidden = self.decoder.forward(&[self.sot])?;
        let sot_logits = self.decoder.logits(&sot_hidden)?;
        let no_speech_prob = self.no_speech.map_or(0.0, |ns| (sot_logits[ns as usize] - log_sum_exp(&sot_logits)).exp());
        let language = match lang {
            Some(l) => l,
            None => {
                let (_, best) = self
                    .languages
                    .iter()
                    .map(|(_, id)| (sot_logits[*id as usize], *id))
                    .fold((f32::NEG_INFINITY, self.languages[0].1), |a, b| if b.0 > a.0 { b } else { a });
                tracing::debug!("detected language {}", self.language_code(best));
                best
            }
        };
        let prompt = [language, self.transcribe, self.no_timestamps];
        let hidden = self.decoder.forward(&prompt)?;
        let mut last = hidden.get(prompt.len() - 1)?;
        let max_new = MAX_NEW_TOKENS.min(self.model.config.max_target_positions.saturating_sub(prompt.len() + 1));
        let mut tokens: Vec<u32> = Vec::new();
        let mut sum_logprob = 0.0f64;
        let mut sampled = 0usize;
        while tokens.len() < max_new {
            let mut logits = self.decoder.logits(&last)?;
            for &t in &self.suppress {
                logits[t as usize] = f32::NEG_INFINITY;
            }
            if tokens.is_empty() {
                for &t in &self.suppress_begin {
                    logits[t as usize] = f32::NEG_INFINITY;
                }
            }
            let (next, best) = logits
                .iter()
                .enumerate()
                .fold((0usize, f32::NEG_INFINITY), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
            sum_logprob += f64::from(best - log_sum_exp(&logits));
            sampled += 1;
            let next = next as u32;
            if next == self.eot {
                break;
            }
            tokens.push(next);
            if let Some(keep) = repetition_loop(&tokens) {
                tracing::debug!("cut a repetition loop after {keep} tokens");
                tokens.truncate(keep);
                break;
            }
            last = self.decoder.forward(&[next])?.get(0)?;
        }
        Ok(Decoded { tokens, language, avg_logprob: (sum_logprob / sampled.max(1) as f64) as f32, no_speech_prob })
    }
}

/// `pcm` with `N_FFT / 2` samples of reflection in front: candle's frame `t` starts at sample
/// `t · hop`, Whisper's (`torch.stft(center=True)`, reflect padding) is centred there.
fn centred(pcm: &[f32]) -> Vec<f32> {
    let pad = (consts::N_FFT / 2).min(pcm.len().saturating_sub(1));
    if pad == 0 {
        return pcm.to_vec();
    }
    let mut out = Vec::with_capacity(pcm.len() + pad);
    out.extend(pcm[1..=pad].iter().rev());
    out.extend_from_slice(pcm);
    out
}

fn device_name(device: &Device) -> &'static str {
    match device {
        Device::Cpu => "cpu",
        Device::Cuda(_) => "cuda",
        Device::Metal(_) => "metal",
    }
}

fn read_config(dir: &Path) -> Result<ModelConfig, AsrError> {
    // The converted model's config, else a Hugging Face folder's own config.json.
    let candidates: [PathBuf; 2] = [dir.join(CONFIG_FILE), dir.join("config.json")];
    let mut first_err = None;
    for path in candidates.iter().filter(|p| p.is_file()) {
        let text = fs::read_to_string(path).map_err(io_err(format!("reading {}", path.display())))?;
        match serde_json::from_str::<ModelConfig>(&text) {
            Ok(c) => return Ok(c),
            Err(e) => {
                first_err.get_or_insert(AsrError::Format { path: path.clone(), reason: e.to_string() });
            }
        }
    }
    Err(first_err.unwrap_or_else(|| AsrError::MissingModel { dir: dir.to_path_buf(), missing: CONFIG_FILE.into() }))
}

fn log_sum_exp(v: &[f32]) -> f32 {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return max;
    }
    max + v.iter().map(|x| (x - max).exp()).sum::<f32>().ln()
}

/// Greedy decoding can fall into a loop ("on every order on every order …"). When the
/// tokens end with one n-gram (n ≤ 16) repeated 4 times — 8 for a single token — this is
/// the length to keep: the text before the loop and one copy of it.
fn repetition_loop(tokens: &[u32]) -> Option<usize> {
    for n in 1..=16 {
        let times = if n == 1 { 8 } else { 4 };
        if tokens.len() < n * times {
            break;
        }
        let tail = &tokens[tokens.len() - n * times..];
        let gram = &tail[..n];
        if tail.chunks_exact(n).all(|c| c == gram) {
            return Some(tokens.len() - n * (times - 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our cached decoder, fed in pieces, against candle's, which runs the whole sequence:
    /// the same logits but for GELU (candle's is the tanh approximation, ours the exact one).
    #[test]
    fn the_cached_decoder_matches_candles() {
        use candle_core::IndexOp;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/whisper-base");
        assert!(
            dir.join(TOKENIZER_FILE).is_file(),
            "the Whisper model is missing from {}: run `evercast models install whisper-base` first",
            dir.display()
        );
        let mut w = Whisper::load_on(&dir, Device::Cpu).unwrap();
        // A chirp, on and off: any audio gives features to attend to.
        let pcm: Vec<f32> = (0..consts::N_SAMPLES)
            .map(|i| if (i / 8000) % 2 == 0 { 0.3 * (i as f32 * (0.02 + i as f32 * 1e-7)).sin() } else { 0.0 })
            .collect();
        let mel = pcm_to_mel(&w.model.config, &pcm, &w.filters);
        let frames = mel.len() / 80;
        let mel = Tensor::from_vec(mel, (1, 80, frames), &Device::Cpu).unwrap().narrow(2, 0, consts::N_FRAMES).unwrap();
        let features = w.model.encoder.forward(&mel, true).unwrap();
        let en = w.language_token("en").unwrap();
        let tokens = [w.sot, en, w.transcribe, w.no_timestamps, 400, 1000, 2000];
        let input = Tensor::new(&tokens[..], &Device::Cpu).unwrap().unsqueeze(0).unwrap();
        let ys = w.model.decoder.forward(&input, &features, true).unwrap();
        let theirs = w.model.decoder.final_linear(&ys).unwrap().i(0).unwrap().to_vec2::<f32>().unwrap();
        let argmax = |v: &[f32]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        // With candle's GELU the logits agree to float rounding; with the exact one, closely.
        for (exact, tolerance) in [(false, 1e-3), (true, 0.3)] {
            w.decoder.exact_gelu = exact;
            w.decoder.start(&features).unwrap();
            let mut ours = Vec::new();
            for piece in [&tokens[..1], &tokens[1..4], &tokens[4..5], &tokens[5..]] {
                let hidden = w.decoder.forward(piece).unwrap();
                for i in 0..piece.len() {
                    ours.push(w.decoder.logits(&hidden.get(i).unwrap()).unwrap());
                }
            }
            for (pos, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                let diff = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
                eprintln!("exact GELU {exact}, position {pos}: max |Δlogit| {diff:.5}");
                assert!(diff < tolerance, "position {pos}: logits differ by {diff}");
                assert_eq!(argmax(a), argmax(b), "position {pos}");
            }
        }
    }

    #[test]
    fn repetition_loops_are_cut_to_one_copy() {
        assert_eq!(repetition_loop(&[1, 2, 3]), None);
        assert_eq!(repetition_loop(&[9, 1, 2, 1, 2, 1, 2, 1, 2]), Some(3));
        assert_eq!(repetition_loop(&[5, 5, 5, 5, 5, 5, 5]), None);
        assert_eq!(repetition_loop(&[5; 8]), Some(1));
        assert_eq!(repetition_loop(&[7, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]), Some(4));
    }

    #[test]
    fn frames_are_centred_by_reflection() {
        let pcm: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        let c = centred(&pcm);
        assert_eq!(c.len(), 1200);
        assert_eq!(&c[..3], &[200.0, 199.0, 198.0]);
        assert_eq!(c[199], 1.0);
        assert_eq!(&c[200..], pcm.as_slice());
        assert_eq!(centred(&[0.5]), vec![0.5]);
        assert!(centred(&[]).is_empty());
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f32.ln())).abs() < 1e-3);
        assert_eq!(log_sum_exp(&[f32::NEG_INFINITY]), f32::NEG_INFINITY);
    }
}
