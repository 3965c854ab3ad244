//! Speed figures for `evercast bench writer`, and the llama.cpp anchor they are compared with.
//!
//! Both sides read the prompts in `bench/prompts.json` and measure the same way:
//! prefill = prompt tokens / time to run them on an empty cache; decode = greedy tokens after
//! the first / time from the first to the last (EOS ignored, so every run decodes as many);
//! warm TTFT = time to the first token of a chat question whose system+catalog prefix is
//! already cached. Each figure is the median of `runs` runs; every run is kept.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};

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
    let runs = p.runs.max(1);
    let mut sink = |_: &str| true;
    // One untimed pass so page faults and first-call costs are paid on both sides alike.
    llm.clear_cache();
    llm.generate_inner(&p.short_prompt, &Sampling::greedy(4), true, &mut sink)?;

    let (mut prefill, mut decode) = (Vec::new(), Vec::new());
    let mut prefill_tokens = 0;
    for _ in 0..runs {
        llm.clear_cache();
        let s = llm.generate_inner(&p.short_prompt, &Sampling::greedy(p.decode_tokens), true, &mut sink)?;
        prefill_tokens = s.prompt_tokens;
        prefill.push(s.prompt_tokens as f64 / s.first_token_secs);
        decode.push(s.decode_tok_s());
    }
    let mut ttft = Vec::new();
    let (mut chat_tokens, mut reused) = (0, 0);
    for _ in 0..runs {
        llm.clear_cache();
        llm.generate_inner(&p.warm_prompt, &Sampling::greedy(1), true, &mut sink)?;
        let s = llm.generate_inner(&p.chat_prompt, &Sampling::greedy(1), true, &mut sink)?;
        chat_tokens = s.prompt_tokens;
        reused = s.reused_tokens;
        ttft.push(s.first_token_secs * 1000.0);
    }
    Ok(BenchFigures {
        engine: "evercast".into(),
        model: gguf.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        arch: llm.arch().to_string(),
        device: llm.device_name(),
        load_s,
        prefill_tokens,
        prefill_tok_s: median(&prefill),
        prefill_tok_s_runs: prefill,
        decode_tokens: p.decode_tokens,
        decode_tok_s: median(&decode),
        decode_tok_s_runs: decode,
        chat_prompt_tokens: chat_tokens,
        chat_reused_tokens: reused,
        warm_ttft_ms: median(&ttft),
        warm_ttft_ms_runs: ttft,
    })
}

/// The anchor's Python (`.tools/llamacpp/bin/python` under `root`), if `bench/setup-anchor.sh`
/// has been run.
pub fn anchor_python(root: &Path) -> Option<PathBuf> {
    let p = root.join(".tools/llamacpp/bin/python");
    p.exists().then_some(p)
}

/// Runs `bench/llamacpp_bench.py` (under `root`) on `gguf` with `threads` threads and parses
/// its figures.
pub fn run_anchor(root: &Path, gguf: &Path, threads: usize) -> Result<AnchorFigures, LlmError> {
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
    /// ours / llama.cpp: (prefill, decode).
    pub ratios: Option<(f64, f64)>,
}

/// Benchmarks every installed manifest LLM under `models_dir` (and llama.cpp on the same files
/// when `root/.tools/llamacpp` exists); `progress` gets a line per step.
pub fn bench_writer(
    models_dir: &Path,
    root: &Path,
    device: DeviceChoice,
    progress: &dyn Fn(&str),
) -> Result<Vec<WriterBench>, LlmError> {
    let mut rows = Vec::new();
    for status in crate::models::list(models_dir) {
        if status.kind != "llm" || !status.installed {
            continue;
        }
        let path = crate::models::resolve(&status.name, models_dir)?;
        progress(&format!("benchmarking {} on {device}", status.name));
        let ours = bench(&path, device)?;
        let threads = super::default_threads();
        let (anchor, anchor_note) = if anchor_python(root).is_none() {
            (None, Some("llama.cpp anchor not set up (bench/setup-anchor.sh)".to_string()))
        } else {
            progress(&format!("benchmarking llama.cpp on {} ({threads} threads)", status.name));
            match run_anchor(root, &path, threads) {
                Ok(a) => (Some(a), None),
                Err(e) => (None, Some(e.to_string())),
            }
        };
        let ratios = anchor.as_ref().map(|a| ours.ratios(a));
        rows.push(WriterBench { name: status.name, ours, anchor, anchor_note, ratios });
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
    }
    out
}
