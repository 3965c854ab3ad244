//! The local LLM runtime: GGUF models (llama and qwen2 families) on the CPU or on candle's
//! CUDA/Metal devices, with a tokenizer rebuilt from the GGUF metadata, ChatML prompts,
//! seeded sampling and a key/value cache that is kept between calls.
//!
//! **Prefix reuse.** [`Llm::generate`] compares the new prompt's tokens with what the cache
//! holds and only runs the tokens after the longest common prefix. Prompts that start with the
//! same system/catalog text therefore pay for that text once; a chat answer reads only the
//! question.
//!
//! **Devices.** The CPU path ([`cpu`]) is this crate's own forward pass with quantised kernels
//! (AVX2 where the CPU has it) and a two-thread split of every matrix product; candle runs the
//! same graph on CUDA or Metal when built with the `cuda` or `metal` feature.
//!
//! **Threads.** An [`Llm`] is used from one thread at a time; [`LlmWorker`] puts it on a
//! dedicated thread and streams whole sentences back, ready for the voice.

mod bench;
mod candle_engine;
mod chat;
mod config;
pub(crate) mod cpu;
mod engine;
mod error;
mod sampling;
mod sentence;
mod tokenizer;
mod worker;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

pub use bench::{
    AnchorFigures, BenchFigures, BenchPrompts, WriterBench, anchor_python, bench, bench_prompts, bench_writer, format_writer_bench,
    StreamProbe, run_anchor, weight_bytes_per_token,
};
pub use chat::{Role, chatml, strip_markers};
pub use config::{ModelConfig, SUPPORTED_ARCHS};
pub use error::LlmError;
pub use sampling::Sampling;
pub use sentence::SentenceSplitter;
pub use worker::{Event, LlmWorker};

use engine::Engine;
use sampling::Sampler;
use tokenizer::{TextStream, Vocab};

/// Where inference runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// CUDA if built in and present, then Metal, then the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
    Metal,
}

impl FromStr for DeviceChoice {
    type Err = LlmError;
    fn from_str(s: &str) -> Result<Self, LlmError> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda),
            "metal" => Ok(DeviceChoice::Metal),
            other => Err(LlmError::Device(other.to_string(), "expected auto, cpu, cuda or metal".into())),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::Cpu => "cpu",
            DeviceChoice::Cuda => "cuda",
            DeviceChoice::Metal => "metal",
        })
    }
}

/// Which GPU backends this build carries.
pub fn compiled_backends() -> Vec<&'static str> {
    let mut v = vec!["cpu"];
    if cfg!(feature = "cuda") {
        v.push("cuda");
    }
    if cfg!(feature = "metal") {
        v.push("metal");
    }
    v
}

/// Tokens drafted per step by prompt-lookup decoding in the show's own generations (the
/// writer's lines, chat answers); see [`Sampling::lookup`]. `EVERCAST_LLM_LOOKUP=0` turns it
/// off (the replies are the same; only the time differs), another number sets it.
pub fn lookup_tokens() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| std::env::var("EVERCAST_LLM_LOOKUP").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(LOOKUP).min(16))
}

const LOOKUP: usize = 4;

/// The tokens that followed the most recent earlier occurrence of `history`'s last two
/// tokens, at most `max` of them (empty when there is none): a reply that restates its prompt
/// continues the way the prompt did.
fn lookup_draft(history: &[u32], max: usize, out: &mut Vec<u32>) {
    const KEY: usize = 2;
    out.clear();
    let n = history.len();
    if max == 0 || n <= KEY {
        return;
    }
    let key = &history[n - KEY..];
    if let Some(start) = (0..n - KEY).rev().find(|&s| &history[s..s + KEY] == key) {
        let from = start + KEY;
        out.extend_from_slice(&history[from..(from + max).min(n)]);
    }
}

/// A forward pass over a sampled token and its draft: the logits after each of them, and how
/// many of the draft the sampler has confirmed so far.
struct Drafted {
    /// Where the sampled token sits in the cache (its draft follows it).
    base: usize,
    draft: Vec<u32>,
    /// One row of logits per fed token (the sampled one, then each of the draft).
    rows: Vec<f32>,
    confirmed: usize,
}

/// Number of CPU threads inference uses: `$EVERCAST_LLM_THREADS`, else every core (at most 8).
pub fn default_threads() -> usize {
    std::env::var("EVERCAST_LLM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8))
}

/// One line for `evercast doctor`: the device `choice` resolves to, and why.
pub fn device_report(choice: DeviceChoice) -> String {
    let built = compiled_backends().join(", ");
    let isa = cpu::kernels::Isa::detect();
    let cpu = if isa == cpu::kernels::Isa::Scalar {
        "cpu (candle)".to_string()
    } else {
        format!("cpu ({} threads, {} kernels)", default_threads(), isa.name())
    };
    let try_gpu = |kind: &str| candle_engine::open_device(kind).map(|_| format!("{kind} (candle)"));
    let resolved = match choice {
        DeviceChoice::Cpu => Ok(cpu),
        DeviceChoice::Cuda => try_gpu("cuda"),
        DeviceChoice::Metal => try_gpu("metal"),
        DeviceChoice::Auto => {
            let mut notes = Vec::new();
            let mut pick = None;
            for kind in ["cuda", "metal"] {
                if compiled_backends().contains(&kind) {
                    match try_gpu(kind) {
                        Ok(d) => {
                            pick = Some(d);
                            break;
                        }
                        Err(e) => notes.push(e.to_string()),
                    }
                }
            }
            Ok(match pick {
                Some(d) => d,
                None if notes.is_empty() => cpu,
                None => format!("{cpu}; {}", notes.join("; ")),
            })
        }
    };
    match resolved {
        Ok(d) => format!("LLM device: {d} [--device {choice}; built with: {built}]"),
        Err(e) => format!("LLM device: unavailable: {e} [--device {choice}; built with: {built}]"),
    }
}

/// How to load a model (defaults: [`DeviceChoice::Auto`], [`default_threads`], 8192 tokens).
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub device: DeviceChoice,
    pub threads: usize,
    /// Longest context (prompt and reply) the cache may hold; capped by the model's own.
    pub max_context: usize,
    /// Runs candle's CPU backend instead of this crate's CPU path (for comparisons; chosen
    /// anyway on CPUs without AVX2).
    pub candle_on_cpu: bool,
    /// Loads only the first this many layers and no output head (this crate's CPU path; the
    /// others load the whole model): the model then gives those layers' hidden states (a
    /// grammar probe's reading) in a fraction of the load time and memory, but cannot
    /// generate or score.
    pub only_layers: Option<usize>,
    /// Leaves the weights on the allocator's pages at load, for [`Llm::settle_some_pages`] to move
    /// onto 2 MiB pages when the caller can spare the time (this crate's CPU path): the move
    /// is the kernel zeroing fresh pages, which some VMs back only on first touch (a 0.5B's
    /// 485 MB took 5–6 s there), and a show's start should not wait for it.
    pub defer_huge_pages: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { device: DeviceChoice::Auto, threads: default_threads(), max_context: 8192, candle_on_cpu: false, only_layers: None, defer_huge_pages: false }
    }
}

/// Why a generation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StopReason {
    /// The model ended its turn (EOS / `<|im_end|>`).
    EndOfTurn,
    MaxTokens,
    /// `on_text` returned false.
    Caller,
    ContextFull,
}

/// Figures of one [`Llm::generate`] call.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GenStats {
    pub prompt_tokens: usize,
    /// Prompt tokens whose keys/values came from the cache (not recomputed).
    pub reused_tokens: usize,
    pub generated_tokens: usize,
    /// Time spent running the new prompt tokens.
    pub prefill_secs: f64,
    /// From the first generated token to the last.
    pub decode_secs: f64,
    /// From the call to the first generated token (tokenising, prefill, sampling).
    pub first_token_secs: f64,
    pub stop: StopReason,
    /// Generated tokens that came with an earlier one's forward pass: prompt-lookup guesses
    /// the sampler took ([`Sampling::lookup`]).
    pub looked_up: usize,
    /// Each generated token's text and log-probability under the model (temperature 1, after
    /// the repetition penalty), when [`Sampling::logprobs`] asked for them (empty otherwise): a
    /// long shot in a sentence is often a typo or a broken phrase.
    #[serde(skip)]
    pub pieces: Vec<(String, f32)>,
}

impl GenStats {
    pub fn prefill_tok_s(&self) -> f64 {
        rate(self.prompt_tokens - self.reused_tokens, self.prefill_secs)
    }
    /// Tokens per second after the first (each needs one forward step, or a row of one with
    /// prompt lookup).
    pub fn decode_tok_s(&self) -> f64 {
        rate(self.generated_tokens.saturating_sub(1), self.decode_secs)
    }
}

fn rate(n: usize, secs: f64) -> f64 {
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

/// log softmax(logits)[token].
fn log_prob(logits: &[f32], token: u32) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|l| (l - max).exp()).sum();
    logits[token as usize] - max - sum.ln()
}

/// How long a thread that owns a show's model (started at `started`) waits with nothing to do
/// before it takes a step of [`Llm::settle_some_pages`]: a second, and never in the first 30 s
/// — a show's start is busy enough (other models loading, rooms starting) without the kernel
/// zeroing fresh pages beside it. Between steps it only looks for work.
pub fn idle_before_settling(started: Instant) -> std::time::Duration {
    const IDLE: std::time::Duration = std::time::Duration::from_secs(1);
    const NOT_IN_THE_START: std::time::Duration = std::time::Duration::from_secs(30);
    IDLE.max(NOT_IN_THE_START.saturating_sub(started.elapsed()))
}

/// A loaded model with its tokenizer and cache. Not shared between threads; see [`LlmWorker`].
pub struct Llm {
    engine: Box<dyn Engine>,
    tokenizer: tokenizers::Tokenizer,
    vocab: Vocab,
    config: ModelConfig,
    /// Tokens whose keys/values the engine holds, in order.
    cached: Vec<u32>,
    logits: Vec<f32>,
    /// The installed model's name (`qwen2.5-0.5b`), or the file's stem.
    label: String,
    /// The GGUF file it was loaded from.
    path: std::path::PathBuf,
    /// A second cache and its tokens, for [`Llm::hidden_mean`]'s context: swapped in and out
    /// so that neither evicts the other (the writer's prompt is hundreds of tokens).
    aside: Option<(Box<dyn std::any::Any + Send>, Vec<u32>)>,
    /// Bytes moved and time spent so far by [`Llm::settle_some_pages`] (logged when done).
    settling: (usize, std::time::Duration),
}

impl fmt::Debug for Llm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Llm").field("arch", &self.config.arch).field("device", &self.engine.device_name()).finish()
    }
}

impl Llm {
    /// Loads a GGUF model on `device` with default options.
    pub fn load(gguf: &Path, device: DeviceChoice) -> Result<Llm, LlmError> {
        Llm::load_with(gguf, &LoadOptions { device, ..LoadOptions::default() })
    }

    pub fn load_with(gguf: &Path, opts: &LoadOptions) -> Result<Llm, LlmError> {
        let started = Instant::now();
        let (content, mut reader) = config::open(gguf)?;
        let config = ModelConfig::from_gguf(&content, gguf)?;
        let (tokenizer, vocab) = tokenizer::from_gguf(&content, gguf)?;
        if vocab.im_start.is_none() || vocab.im_end.is_none() {
            tracing::warn!(path = %gguf.display(), "the vocabulary has no ChatML markers; chat prompts may not work well");
        }
        let mut gpu = |kind: &str| -> Result<Box<dyn Engine>, LlmError> {
            let dev = candle_engine::open_device(kind)?;
            Ok(Box::new(candle_engine::CandleModel::load(&content, &mut reader, gguf, &config, &dev, opts.max_context)?))
        };
        let engine: Box<dyn Engine> = match opts.device {
            DeviceChoice::Cuda => gpu("cuda")?,
            DeviceChoice::Metal => gpu("metal")?,
            DeviceChoice::Cpu | DeviceChoice::Auto => {
                let mut chosen = None;
                if opts.device == DeviceChoice::Auto {
                    for kind in ["cuda", "metal"] {
                        if compiled_backends().contains(&kind) && candle_engine::open_device(kind).is_ok() {
                            chosen = Some(kind);
                            break;
                        }
                    }
                }
                // Without this crate's SIMD kernels (not x86-64 with AVX2, e.g. Apple or ARM
                // servers) candle's CPU backend, which has NEON kernels, is the faster choice.
                let candle_cpu = opts.candle_on_cpu || cpu::kernels::Isa::detect() == cpu::kernels::Isa::Scalar;
                match chosen {
                    Some(kind) => gpu(kind)?,
                    None if candle_cpu => Box::new(candle_engine::CandleModel::load(
                        &content,
                        &mut reader,
                        gguf,
                        &config,
                        &candle_core::Device::Cpu,
                        opts.max_context,
                    )?),
                    None => Box::new(cpu::CpuModel::load(&content, &mut reader, gguf, &config, opts.threads, opts.max_context, opts.only_layers, opts.defer_huge_pages)?),
                }
            }
        };
        tracing::info!(
            model = %config.name, arch = %config.arch, device = %engine.device_name(),
            secs = started.elapsed().as_secs_f64(), "LLM loaded"
        );
        let label = crate::models::label_of(gguf);
        Ok(Llm {
            engine,
            tokenizer,
            vocab,
            config,
            cached: Vec::new(),
            logits: Vec::new(),
            label,
            path: gguf.to_path_buf(),
            aside: None,
            settling: (0, std::time::Duration::ZERO),
        })
    }

    /// The model's name for provenance and reports: the manifest name of an installed model
    /// (`qwen2.5-0.5b`), else the GGUF file's stem.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The GGUF file the model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The GGUF architecture (`llama`, `qwen2`).
    pub fn arch(&self) -> &str {
        &self.config.arch
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    pub fn tokenizer(&self) -> &tokenizers::Tokenizer {
        &self.tokenizer
    }

    /// Where inference runs, in words (for `evercast doctor`).
    pub fn device_name(&self) -> String {
        self.engine.device_name()
    }

    /// Longest prompt plus reply, in tokens.
    pub fn max_context(&self) -> usize {
        self.engine.max_context()
    }

    /// Tokens of `text` as the model reads it (ChatML markers become their control tokens).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, LlmError> {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| LlmError::Tokenizer(e.to_string()))
    }

    /// A ChatML prompt ending where the assistant's reply begins.
    pub fn chat_prompt(&self, system: &str, turns: &[(Role, String)]) -> String {
        chatml(system, turns)
    }

    /// Forgets the cached prefix.
    pub fn clear_cache(&mut self) {
        self.engine.truncate(0);
        self.cached.clear();
    }

    /// Encodes `context` and `text` and runs the context, from the cache where it is there
    /// already (its last token runs again: its logits, left in `self.logits`, predict the
    /// text's first token); the text is left to the caller.
    fn run_context(&mut self, context: &str, text: &str, logits: bool) -> Result<(Vec<u32>, Vec<u32>), LlmError> {
        let ctx = self.encode(context)?;
        let body = self.encode(text)?;
        if ctx.is_empty() || body.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if ctx.len() + body.len() >= self.engine.max_context() {
            return Err(LlmError::ContextFull { needed: ctx.len() + body.len(), max: self.engine.max_context() });
        }
        let common = self.cached.iter().zip(&ctx).take_while(|(a, b)| a == b).count().min(ctx.len() - 1);
        self.engine.truncate(common);
        self.cached.truncate(common);
        let fed = if logits { self.engine.forward(&ctx[common..], common, &mut self.logits) } else { self.engine.feed(&ctx[common..], common) };
        if let Err(e) = fed {
            self.cached.truncate(self.engine.cached_len());
            return Err(e);
        }
        self.cached.extend_from_slice(&ctx[common..]);
        Ok((ctx, body))
    }

    /// How fluent `text` reads after `context`: the mean log-probability (natural log) of its
    /// tokens under this model. Higher is better; a well-formed host line scores about −2 to −3
    /// under Qwen, a garbled one well below. The context stays cached, so scoring many lines
    /// after the same context costs only their own tokens.
    pub fn score(&mut self, context: &str, text: &str) -> Result<f32, LlmError> {
        let (ctx, body) = self.run_context(context, text, true)?;
        let vocab = self.logits.len();
        let mut total = log_prob(&self.logits, body[0]);
        if body.len() > 1 {
            let mut rows = Vec::new();
            let fed = self.engine.forward_all(&body[..body.len() - 1], ctx.len(), &mut rows);
            // Only the context stays cached.
            self.engine.truncate(ctx.len());
            fed?;
            for (i, &t) in body[1..].iter().enumerate() {
                total += log_prob(&rows[i * vocab..(i + 1) * vocab], t);
            }
        }
        Ok(total / body.len() as f32)
    }

    /// The mean over the tokens of `text` (after `context`, cached as in [`Llm::score`] but in
    /// a cache of its own, so the prompt cached for generating stays) of their hidden states
    /// after `layer`.
    pub fn hidden_mean(&mut self, context: &str, text: &str, layer: usize) -> Result<Vec<f32>, LlmError> {
        let Some(main) = self.engine.take_cache() else {
            return self.hidden_mean_here(context, text, layer);
        };
        let main_tokens = std::mem::take(&mut self.cached);
        if let Some((cache, tokens)) = self.aside.take() {
            self.engine.put_cache(cache);
            self.cached = tokens;
        }
        let out = self.hidden_mean_here(context, text, layer);
        if let Some(cache) = self.engine.take_cache() {
            self.aside = Some((cache, std::mem::take(&mut self.cached)));
        }
        self.engine.put_cache(main);
        self.cached = main_tokens;
        out
    }

    fn hidden_mean_here(&mut self, context: &str, text: &str, layer: usize) -> Result<Vec<f32>, LlmError> {
        let (ctx, body) = self.run_context(context, text, false)?;
        let mut rows = Vec::new();
        self.engine.hidden(&body, ctx.len(), layer, &mut rows)?;
        let d = self.config.d_model;
        let mut mean = vec![0.0f32; d];
        for row in rows.chunks_exact(d) {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x;
            }
        }
        let n = (rows.len() / d).max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        Ok(mean)
    }

    /// Moves the next few weight matrices (~32 MB) onto 2 MiB pages, if the load left that
    /// for later ([`LoadOptions::defer_huge_pages`]); decode then reads them faster. A step
    /// takes a fraction of a second (up to ~2 s on a VM whose host zeroes fresh pages slowly),
    /// so a model that must answer soon can still take one whenever it is idle. Returns
    /// whether any are left to move (none on the GPU paths or where the kernel gives no such
    /// pages).
    pub fn settle_some_pages(&mut self) -> bool {
        let started = Instant::now();
        let (moved, more) = self.engine.settle_pages(32 << 20);
        self.settling.0 += moved;
        self.settling.1 += started.elapsed();
        if !more && self.settling.0 > 0 {
            tracing::info!(model = %self.label, mb = self.settling.0 / 1_000_000, ms = self.settling.1.as_millis() as u64, "weights moved to 2 MiB pages");
            self.settling = (0, std::time::Duration::ZERO);
        }
        more
    }

    /// Generates a reply, reusing the KV cache for the longest common token prefix with the
    /// previous call; calls `on_text` with each decoded piece; stops when it returns false, on
    /// EOS/`<|im_end|>` or after `max_tokens`.
    pub fn generate(
        &mut self,
        prompt: &str,
        sampling: &Sampling,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, LlmError> {
        self.generate_inner(prompt, sampling, false, on_text)
    }

    /// Cuts the cache back to the sampled token and the guesses the sampler confirmed; hands
    /// back the rows' buffer for the next draft.
    fn drop_guesses(&mut self, d: Drafted) -> Vec<f32> {
        let keep = d.base + 1 + d.confirmed;
        self.engine.truncate(keep);
        self.cached.truncate(keep);
        d.rows
    }

    pub(crate) fn generate_inner(
        &mut self,
        prompt: &str,
        sampling: &Sampling,
        ignore_eos: bool,
        on_text: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, LlmError> {
        let _span = tracing::debug_span!("script.generate").entered();
        let started = Instant::now();
        let tokens = self.encode(prompt)?;
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        let max_ctx = self.engine.max_context();
        if tokens.len() >= max_ctx {
            return Err(LlmError::ContextFull { needed: tokens.len() + 1, max: max_ctx });
        }
        // The longest prefix already in the cache; the last prompt token always runs, since
        // its logits start the reply.
        let common = self.cached.iter().zip(&tokens).take_while(|(a, b)| a == b).count();
        let reuse = common.min(tokens.len() - 1);
        self.engine.truncate(reuse);
        self.cached.truncate(reuse);
        debug_assert_eq!(self.engine.cached_len(), reuse);

        let t0 = Instant::now();
        let fed = self.engine.forward(&tokens[reuse..], reuse, &mut self.logits);
        if let Err(e) = fed {
            self.cached.truncate(self.engine.cached_len());
            return Err(e);
        }
        self.cached.extend_from_slice(&tokens[reuse..]);
        let prefill_secs = t0.elapsed().as_secs_f64();

        let mut sampler = Sampler::new(sampling);
        let mut history = tokens.clone();
        let mut stream = TextStream::default();
        let mut generated = 0usize;
        let mut first_token_secs = 0.0;
        let mut first_at = None;
        let mut stop = StopReason::MaxTokens;
        let budget = sampling.max_tokens.min(max_ctx - tokens.len());
        if budget < sampling.max_tokens {
            stop = StopReason::ContextFull;
        }
        let vocab = self.logits.len();
        let lookup = if self.engine.batches_rows() { sampling.lookup } else { 0 };
        let mut drafted: Option<Drafted> = None;
        // Buffers reused from step to step (a drafted step's rows are a few MB).
        let (mut draft, mut fed, mut spare_rows) = (Vec::new(), Vec::new(), Vec::new());
        let mut looked_up = 0usize;
        let mut pieces = Vec::new();
        // No token the caller ruled out (`Sampling::banned`), and not as the first one those of
        // `Sampling::not_first`.
        let banned: Vec<u32> = self.vocab.banned.iter().chain(&sampling.banned).copied().collect();
        let first_banned: Vec<u32> = banned.iter().chain(&sampling.not_first).copied().collect();
        while generated < budget {
            let banned = if generated == 0 { &first_banned } else { &banned };
            let tok = sampler.sample(&mut self.logits, &history, banned);
            if first_at.is_none() {
                first_token_secs = started.elapsed().as_secs_f64();
                first_at = Some(Instant::now());
            }
            if !ignore_eos && self.vocab.stop.contains(&tok) {
                stop = StopReason::EndOfTurn;
                break;
            }
            generated += 1;
            history.push(tok);
            let text = stream.push(&self.vocab, tok);
            if sampling.logprobs {
                pieces.push((text.clone(), sampler.last_logp));
            }
            if !text.is_empty() && !on_text(&text) {
                stop = StopReason::Caller;
                break;
            }
            if generated == budget {
                break;
            }
            // The token the draft guessed: the model has run it already.
            if let Some(d) = drafted.as_mut()
                && d.draft.get(d.confirmed) == Some(&tok)
            {
                d.confirmed += 1;
                looked_up += 1;
                self.logits.copy_from_slice(&d.rows[d.confirmed * vocab..(d.confirmed + 1) * vocab]);
                continue;
            }
            // A guess the sampler did not take: the cache drops it.
            if let Some(d) = drafted.take() {
                spare_rows = self.drop_guesses(d);
            }
            let pos = self.cached.len();
            lookup_draft(&history, lookup.min(budget - generated - 1).min(max_ctx - 1 - pos), &mut draft);
            if draft.is_empty() {
                if let Err(e) = self.engine.forward(&[tok], pos, &mut self.logits) {
                    self.cached.truncate(self.engine.cached_len());
                    return Err(e);
                }
                self.cached.push(tok);
            } else {
                fed.clear();
                fed.push(tok);
                fed.extend_from_slice(&draft);
                let mut rows = std::mem::take(&mut spare_rows);
                if let Err(e) = self.engine.forward_all(&fed, pos, &mut rows) {
                    self.cached.truncate(self.engine.cached_len());
                    return Err(e);
                }
                self.cached.extend_from_slice(&fed);
                self.logits.copy_from_slice(&rows[..vocab]);
                drafted = Some(Drafted { base: pos, draft: std::mem::take(&mut draft), rows, confirmed: 0 });
            }
        }
        // Guesses past the reply's end leave the cache (it must hold what was said, exactly).
        if let Some(d) = drafted.take() {
            self.drop_guesses(d);
        }
        let rest = stream.finish();
        if !rest.is_empty() && stop != StopReason::Caller {
            on_text(&rest);
        }
        let stats = GenStats {
            prompt_tokens: tokens.len(),
            reused_tokens: reuse,
            generated_tokens: generated,
            prefill_secs,
            decode_secs: first_at.map(|t| t.elapsed().as_secs_f64()).unwrap_or(0.0),
            first_token_secs,
            stop,
            looked_up,
            pieces,
        };
        tracing::debug!(?stats, "generation done");
        TOTALS.add(&stats);
        Ok(stats)
    }
}

/// Every generation's figures added up, across the process (for a live show's `/metrics`).
pub static TOTALS: Totals = Totals::new();

/// What the LLMs of the process have computed ([`Totals::read`]): prompt tokens run (not from
/// a cache) and the seconds on them; tokens decoded after each reply's first and the seconds on them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LlmWork {
    pub prefill_tokens: f64,
    pub prefill_secs: f64,
    pub decode_tokens: f64,
    pub decode_secs: f64,
}

impl LlmWork {
    /// The work done since `earlier`.
    pub fn since(self, earlier: LlmWork) -> LlmWork {
        LlmWork {
            prefill_tokens: self.prefill_tokens - earlier.prefill_tokens,
            prefill_secs: self.prefill_secs - earlier.prefill_secs,
            decode_tokens: self.decode_tokens - earlier.decode_tokens,
            decode_secs: self.decode_secs - earlier.decode_secs,
        }
    }
}

/// Counters of [`TOTALS`].
pub struct Totals {
    pub prefill_tokens: std::sync::atomic::AtomicU64,
    pub prefill_micros: std::sync::atomic::AtomicU64,
    pub generated_tokens: std::sync::atomic::AtomicU64,
    pub decode_micros: std::sync::atomic::AtomicU64,
}

impl Totals {
    const fn new() -> Totals {
        use std::sync::atomic::AtomicU64;
        Totals { prefill_tokens: AtomicU64::new(0), prefill_micros: AtomicU64::new(0), generated_tokens: AtomicU64::new(0), decode_micros: AtomicU64::new(0) }
    }

    /// The counters now, as numbers (seconds as seconds).
    pub fn read(&self) -> LlmWork {
        use std::sync::atomic::Ordering::Relaxed;
        LlmWork {
            prefill_tokens: self.prefill_tokens.load(Relaxed) as f64,
            prefill_secs: self.prefill_micros.load(Relaxed) as f64 / 1e6,
            decode_tokens: self.generated_tokens.load(Relaxed) as f64,
            decode_secs: self.decode_micros.load(Relaxed) as f64 / 1e6,
        }
    }

    fn add(&self, s: &GenStats) {
        use std::sync::atomic::Ordering::Relaxed;
        self.prefill_tokens.fetch_add((s.prompt_tokens - s.reused_tokens) as u64, Relaxed);
        self.prefill_micros.fetch_add((s.prefill_secs * 1e6) as u64, Relaxed);
        // Decode rate counts the steps after the first token, as [`GenStats::decode_tok_s`].
        self.generated_tokens.fetch_add(s.generated_tokens.saturating_sub(1) as u64, Relaxed);
        self.decode_micros.fetch_add((s.decode_secs * 1e6) as u64, Relaxed);
    }
}
