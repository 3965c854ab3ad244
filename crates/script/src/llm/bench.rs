//! Speed figures for `evercast bench writer`, and the llama.cpp anchor they are compared with.
//!
//! Both sides read the prompts in `bench/prompts.json` and measure the same way:
//! prefill = prompt tokens / time to run them on an empty cache; decode = greedy tokens after
//! the first / time from the first to the last (EOS ignored, so every run decodes as many);
//! warm TTFT = time to the first token of a chat question whose system+catalog prefix is
//! already cached. Each figure is the median of `runs` runs; every run is kept. In
//! `bench_writer` the two engines take turns, a run each per round, and the ratios are the
//! median of each round's ratio; next to them, the bytes of weights a token reads and the
//! machine's streaming bandwidth, which bounds decode.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::cpu::huge::{Bytes, on_huge_pages};
use super::error::LlmError;
use super::sampling::Sampling;
use super::{DeviceChoice, Llm};

const PROMPTS_JSON: &str = include_str!("../../../../bench/prompts.json");

/// The benchmark's prompts (`bench/prompts.json`).
#[derive(Clone, Debug, Deserialize)]
pub struct BenchPrompts {
    pub short_prompt: String,
    pub decode_tokens: usize,
    pub warm_prompt: String,
    pub chat_prompt: String,
    pub runs: usize,
}

pub fn bench_prompts() -> Result<BenchPrompts, LlmError> {
    serde_json::from_str(PROMPTS_JSON).map_err(|e| LlmError::Bench(format!("bench/prompts.json: {e}")))
}

/// Figures of this crate's runtime on one model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchFigures {
    pub engine: String,
    pub model: String,
    pub arch: String,
    pub device: String,
    pub load_s: f64,
    pub prefill_tokens: usize,
    pub prefill_tok_s: f64,
    pub prefill_tok_s_runs: Vec<f64>,
    pub decode_tokens: usize,
    pub decode_tok_s: f64,
    pub decode_tok_s_runs: Vec<f64>,
    pub chat_prompt_tokens: usize,
    pub chat_reused_tokens: usize,
    pub warm_ttft_ms: f64,
    pub warm_ttft_ms_runs: Vec<f64>,
}

/// Figures printed by `bench/llamacpp_bench.py`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnchorFigures {
    pub engine: String,
    pub version: String,
    pub model: String,
    pub threads: usize,
    pub load_s: f64,
    pub prefill_tokens: usize,
    pub prefill_tok_s: f64,
    pub prefill_tok_s_runs: Vec<f64>,
    pub decode_tokens: usize,
    pub decode_tok_s: f64,
    pub decode_tok_s_runs: Vec<f64>,
    pub chat_prompt_tokens: usize,
    pub chat_reused_tokens: usize,
    pub warm_ttft_ms: f64,
    pub warm_ttft_ms_runs: Vec<f64>,
}

impl BenchFigures {
    /// (prefill, decode) speed relative to the anchor: 1.0 = as fast as llama.cpp.
    pub fn ratios(&self, anchor: &AnchorFigures) -> (f64, f64) {
        (self.prefill_tok_s / anchor.prefill_tok_s.max(1e-9), self.decode_tok_s / anchor.decode_tok_s.max(1e-9))
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// Measures prefill and decode speed and the warm-prefix time to first token of `gguf`.
pub fn bench(gguf: &Path, device: DeviceChoice) -> Result<BenchFigures, LlmError> {
    let p = bench_prompts()?;
    let t = Instant::now();
    let mut llm = Llm::load(gguf, device)?;
    let load_s = t.elapsed().as_secs_f64();
    bench_loaded(&mut llm, gguf, load_s, &p)
}

pub(crate) fn bench_loaded(llm: &mut Llm, gguf: &Path, load_s: f64, p: &BenchPrompts) -> Result<BenchFigures, LlmError> {
    warm_up(llm, p)?;
    let mut rounds = Vec::new();
    for _ in 0..p.runs.max(1) {
        rounds.push(bench_round(llm, p)?);
    }
    Ok(figures(llm, gguf, load_s, p, &rounds))
}

/// One untimed pass, so page faults and first-call costs are paid on both sides alike.
fn warm_up(llm: &mut Llm, p: &BenchPrompts) -> Result<(), LlmError> {
    llm.clear_cache();
    llm.generate_inner(&p.short_prompt, &Sampling::greedy(4), true, &mut |_: &str| true)?;
    Ok(())
}

/// One run of each measurement.
struct Round {
    prompt_tokens: usize,
    prefill_tok_s: f64,
    decode_tok_s: f64,
    chat_tokens: usize,
    reused: usize,
    ttft_ms: f64,
}

fn bench_round(llm: &mut Llm, p: &BenchPrompts) -> Result<Round, LlmError> {
    let mut sink = |_: &str| true;
    llm.clear_cache();
    let s = llm.generate_inner(&p.short_prompt, &Sampling::greedy(p.decode_tokens), true, &mut sink)?;
    let (prompt_tokens, prefill_tok_s, decode_tok_s) = (s.prompt_tokens, s.prompt_tokens as f64 / s.first_token_secs, s.decode_tok_s());
    llm.clear_cache();
    llm.generate_inner(&p.warm_prompt, &Sampling::greedy(1), true, &mut sink)?;
    let s = llm.generate_inner(&p.chat_prompt, &Sampling::greedy(1), true, &mut sink)?;
    Ok(Round { prompt_tokens, prefill_tok_s, decode_tok_s, chat_tokens: s.prompt_tokens, reused: s.reused_tokens, ttft_ms: s.first_token_secs * 1000.0 })
}

fn figures(llm: &Llm, gguf: &Path, load_s: f64, p: &BenchPrompts, rounds: &[Round]) -> BenchFigures {
    let col = |f: fn(&Round) -> f64| rounds.iter().map(f).collect::<Vec<f64>>();
    let (prefill, decode, ttft) = (col(|r| r.prefill_tok_s), col(|r| r.decode_tok_s), col(|r| r.ttft_ms));
    let last = rounds.last();
    BenchFigures {
        engine: "evercast".into(),
        model: gguf.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        arch: llm.arch().to_string(),
        device: llm.device_name(),
        load_s,
        prefill_tokens: last.map_or(0, |r| r.prompt_tokens),
        prefill_tok_s: median(&prefill),
        prefill_tok_s_runs: prefill,
        decode_tokens: p.decode_tokens,
        decode_tok_s: median(&decode),
        decode_tok_s_runs: decode,
        chat_prompt_tokens: last.map_or(0, |r| r.chat_tokens),
        chat_reused_tokens: last.map_or(0, |r| r.reused),
        warm_ttft_ms: median(&ttft),
        warm_ttft_ms_runs: ttft,
    }
}

/// Bytes of weights a generated token streams from memory: every matrix of the file but the
/// token embeddings, which are read a row per token (unless the output head is tied to them).
pub fn weight_bytes_per_token(gguf: &Path) -> Result<u64, LlmError> {
    let mut f = std::fs::File::open(gguf).map_err(|e| LlmError::Bench(format!("{}: {e}", gguf.display())))?;
    let content = candle_core::quantized::gguf_file::Content::read(&mut f).map_err(|e| LlmError::Bench(format!("{}: {e}", gguf.display())))?;
    let tied = !content.tensor_infos.contains_key("output.weight");
    Ok(content
        .tensor_infos
        .iter()
        .filter(|(name, info)| info.shape.dims().len() == 2 && (tied || name.as_str() != "token_embd.weight"))
        .map(|(_, info)| (info.shape.elem_count() / info.ggml_dtype.block_size() * info.ggml_dtype.type_size()) as u64)
        .sum())
}

/// A buffer well past any cache, read to measure the machine's memory bandwidth: made once, so
/// a benchmark measuring after every round does not allocate and fill 512 MiB each time. It lies
/// on 2 MiB pages where the weights do (`cpu::huge`), so the figure is the ceiling of this
/// runtime's decode, not of a reader on 4 KiB pages.
pub struct StreamProbe(Bytes);

impl StreamProbe {
    const BYTES: usize = 512 << 20;

    pub fn new() -> StreamProbe {
        StreamProbe(on_huge_pages((0..Self::BYTES).map(|i| (i * 31) as u8).collect()))
    }

    /// The bandwidth of a stream of reads on `threads` threads, in GB/s: the ceiling of a decode
    /// that reads every weight once per token. Reads the buffer twice, keeps the faster pass.
    pub fn gb_s(&self, threads: usize) -> f64 {
        // SAFETY: any 8 bytes are a valid u64; the unaligned ends (if any) are left out.
        let (_, words, _) = unsafe { self.0.align_to::<u64>() };
        let per = words.len().div_ceil(threads.max(1));
        let mut best = 0f64;
        for _ in 0..2 {
            let t = Instant::now();
            let sum = std::thread::scope(|sc| {
                let parts: Vec<_> = words.chunks(per).map(|c| sc.spawn(move || c.iter().fold(0u64, |a, &x| a.wrapping_add(x ^ (x >> 3))))).collect();
                parts.into_iter().map(|h| h.join().unwrap_or(0)).fold(0u64, u64::wrapping_add)
            });
            std::hint::black_box(sum);
            best = best.max((words.len() * 8) as f64 / t.elapsed().as_secs_f64() / 1e9);
        }
        best
    }
}

impl Default for StreamProbe {
    fn default() -> Self {
        Self::new()
    }
}

/// The anchor's Python (`.tools/llamacpp/bin/python` under `root`), if `bench/setup-anchor.sh`
/// has been run.
pub fn anchor_python(root: &Path) -> Option<PathBuf> {
    let p = root.join(".tools/llamacpp/bin/python");
    p.exists().then_some(p)
}

/// Runs `bench/llamacpp_bench.py` (under `root`) on `gguf` with `threads` threads for `runs`
/// runs and parses its figures.
pub fn run_anchor(root: &Path, gguf: &Path, threads: usize, runs: usize) -> Result<AnchorFigures, LlmError> {
    let python = anchor_python(root).ok_or_else(|| {
        LlmError::Bench(format!("the llama.cpp anchor is not set up in {}; run bench/setup-anchor.sh", root.display()))
    })?;
    let script = root.join("bench/llamacpp_bench.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(gguf)
        .arg("--threads")
        .arg(threads.to_string())
        .arg("--prompts")
        .arg(root.join("bench/prompts.json"))
        .arg("--runs")
        .arg(runs.to_string())
        .output()
        .map_err(|e| LlmError::Bench(format!("running {}: {e}", python.display())))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(8).collect();
        return Err(LlmError::Bench(format!(
            "{} failed ({}): {}",
            script.display(),
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.trim_start().starts_with('{')).unwrap_or("");
    serde_json::from_str(line).map_err(|e| LlmError::Bench(format!("unreadable anchor output ({e}): {text}")))
}

/// One model's row of `evercast bench writer`: our figures and, when the anchor is set up,
/// llama.cpp's on the same GGUF in the same run.
#[derive(Clone, Debug, Serialize)]
pub struct WriterBench {
    pub name: String,
    pub ours: BenchFigures,
    pub anchor: Option<AnchorFigures>,
    /// Why there are no anchor figures (not set up, or it failed).
    pub anchor_note: Option<String>,
    /// ours / llama.cpp: (prefill, decode), the median of each round's ratio (the two engines
    /// take turns, so a round's pair shares the machine's state).
    pub ratios: Option<(f64, f64)>,
    /// Bytes of weights one generated token reads ([`weight_bytes_per_token`]).
    pub weight_bytes_per_token: u64,
    /// The machine's streaming read bandwidth (GB/s, same threads), measured after each round:
    /// context for the decode figures, which it bounds; on a shared VM it moves by a third
    /// within a minute, so a decode may read faster than the probe's median.
    pub stream_gb_s_runs: Vec<f64>,
    pub stream_gb_s: f64,
}

impl WriterBench {
    /// GB/s of weights a decode at `tok_s` reads.
    pub fn decode_gb_s(&self, tok_s: f64) -> f64 {
        tok_s * self.weight_bytes_per_token as f64 / 1e9
    }
}

/// Benchmarks every installed manifest LLM under `models_dir` (and llama.cpp on the same files
/// when `root/.tools/llamacpp` exists); `progress` gets a line per step.
///
/// The engines take turns, a run each per round, and the memory bandwidth is measured after
/// each round: on a shared VM the bandwidth a neighbour leaves moves decode speed by a third
/// within minutes, and a decode that reads every weight once per token is bound by it.
pub fn bench_writer(
    models_dir: &Path,
    root: &Path,
    device: DeviceChoice,
    progress: &dyn Fn(&str),
) -> Result<Vec<WriterBench>, LlmError> {
    let p = bench_prompts()?;
    let threads = super::default_threads();
    let probe = StreamProbe::new();
    let mut rows = Vec::new();
    for status in crate::models::list(models_dir) {
        if status.kind != "llm" || !status.installed {
            continue;
        }
        let path = crate::models::resolve(&status.name, models_dir)?;
        let with_anchor = anchor_python(root).is_some();
        progress(&format!(
            "benchmarking {} on {device}{}, {} rounds",
            status.name,
            if with_anchor { format!(" and llama.cpp ({threads} threads) in turn") } else { String::new() },
            p.runs.max(1)
        ));
        let t = Instant::now();
        let mut llm = Llm::load(&path, device)?;
        let load_s = t.elapsed().as_secs_f64();
        warm_up(&mut llm, &p)?;
        let (mut rounds, mut anchors, mut streams) = (Vec::new(), Vec::new(), Vec::new());
        let mut anchor_note = (!with_anchor).then(|| "llama.cpp anchor not set up (bench/setup-anchor.sh)".to_string());
        for _ in 0..p.runs.max(1) {
            rounds.push(bench_round(&mut llm, &p)?);
            if anchor_note.is_none() {
                match run_anchor(root, &path, threads, 1) {
                    Ok(a) => anchors.push(a),
                    Err(e) => anchor_note = Some(e.to_string()),
                }
            }
            streams.push(probe.gb_s(threads));
        }
        let ours = figures(&llm, &path, load_s, &p, &rounds);
        drop(llm);
        let anchor = if anchor_note.is_none() { merge_anchor_runs(anchors) } else { None };
        let ratios = anchor.as_ref().map(|a| {
            let paired = |o: &[f64], l: &[f64]| median(&o.iter().zip(l).map(|(o, l)| o / l.max(1e-9)).collect::<Vec<f64>>());
            (paired(&ours.prefill_tok_s_runs, &a.prefill_tok_s_runs), paired(&ours.decode_tok_s_runs, &a.decode_tok_s_runs))
        });
        rows.push(WriterBench {
            name: status.name,
            ours,
            anchor,
            anchor_note,
            ratios,
            weight_bytes_per_token: weight_bytes_per_token(&path)?,
            stream_gb_s: median(&streams),
            stream_gb_s_runs: streams,
        });
    }
    if rows.is_empty() {
        return Err(LlmError::Bench(format!(
            "no LLM is installed in {}; run `evercast models install {}`",
            models_dir.display(),
            crate::models::manifest().default_model().name
        )));
    }
    Ok(rows)
}

/// The anchor's one-run results of each round as one set of figures (medians over the runs).
fn merge_anchor_runs(runs: Vec<AnchorFigures>) -> Option<AnchorFigures> {
    let mut all = runs.first()?.clone();
    let cat = |f: fn(&AnchorFigures) -> &Vec<f64>| runs.iter().flat_map(|r| f(r).iter().copied()).collect::<Vec<f64>>();
    all.prefill_tok_s_runs = cat(|r| &r.prefill_tok_s_runs);
    all.decode_tok_s_runs = cat(|r| &r.decode_tok_s_runs);
    all.warm_ttft_ms_runs = cat(|r| &r.warm_ttft_ms_runs);
    all.prefill_tok_s = median(&all.prefill_tok_s_runs);
    all.decode_tok_s = median(&all.decode_tok_s_runs);
    all.warm_ttft_ms = median(&all.warm_ttft_ms_runs);
    all.load_s = median(&runs.iter().map(|r| r.load_s).collect::<Vec<f64>>());
    Some(all)
}

fn spread(v: &[f64]) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.len() > 1 { format!(" ({lo:.0}–{hi:.0})") } else { String::new() }
}

/// A plain-text table of `bench_writer` rows (medians, with the runs' range).
pub fn format_writer_bench(rows: &[WriterBench]) -> String {
    let mut out = String::new();
    out.push_str("model            engine      prefill tok/s     decode tok/s      warm TTFT ms\n");
    for r in rows {
        let o = &r.ours;
        out.push_str(&format!(
            "{:<16} {:<11} {:>7.0}{:<10} {:>6.1}{:<11} {:>6.0}{}\n",
            r.name,
            "evercast",
            o.prefill_tok_s,
            spread(&o.prefill_tok_s_runs),
            o.decode_tok_s,
            spread(&o.decode_tok_s_runs),
            o.warm_ttft_ms,
            spread(&o.warm_ttft_ms_runs)
        ));
        match (&r.anchor, &r.ratios) {
            (Some(a), Some((p, d))) => {
                out.push_str(&format!(
                    "{:<16} {:<11} {:>7.0}{:<10} {:>6.1}{:<11} {:>6.0}{}\n",
                    "",
                    "llama.cpp",
                    a.prefill_tok_s,
                    spread(&a.prefill_tok_s_runs),
                    a.decode_tok_s,
                    spread(&a.decode_tok_s_runs),
                    a.warm_ttft_ms,
                    spread(&a.warm_ttft_ms_runs)
                ));
                out.push_str(&format!("{:<16} {:<11} {:>6.2}x {:>19.2}x\n", "", "ratio", p, d));
            }
            _ => {
                if let Some(n) = &r.anchor_note {
                    out.push_str(&format!("{:<16} llama.cpp: {n}\n", ""));
                }
            }
        }
        // The roofline: a token reads every weight once, so decode cannot beat the bandwidth.
        let mut mem = format!("{:.2} GB of weights a token; decode reads evercast {:.1} GB/s", r.weight_bytes_per_token as f64 / 1e9, r.decode_gb_s(o.decode_tok_s));
        if let Some(a) = &r.anchor {
            mem.push_str(&format!(", llama.cpp {:.1} GB/s", r.decode_gb_s(a.decode_tok_s)));
        }
        mem.push_str(&format!("; the machine streamed {:.1} GB/s{}", r.stream_gb_s, spread(&r.stream_gb_s_runs)));
        out.push_str(&format!("{:<16} {:<11} {mem}\n", "", "memory"));
    }
    out
}
