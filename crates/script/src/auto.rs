//! `--writer auto`: the best installed model that keeps the writer comfortably ahead of speech
//! on this machine, chosen by measuring it.
//!
//! A spoken line (about 12 words, 4.6 s with its pause) costs the writer about two attempts,
//! each a short prefill (the task turn; the product's prompt stays cached) and a sentence of
//! decoding. The writer's *duty* is that time over the line's length; a model is chosen when
//! its duty stays under [`MAX_DUTY`] with the threads the writer will have (one per room when
//! live, the rest going to video and voices). Bigger models write better copy, so the largest
//! model that fits wins; models are measured smallest first and measuring stops at the first
//! that does not fit. Measurements are kept in a small file, so only the first run on a machine
//! pays for them (`scripts/setup.sh` pays it, through `evercast models measure`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::llm::{Llm, LoadOptions, Role, Sampling};
use crate::models;

/// Highest share of a line's spoken time its writing may take: leaves the writer twice as
/// fast as speech, for refusals, chat answers and a busy machine.
pub const MAX_DUTY: f64 = 0.5;
/// Seconds a typical spoken line lasts, with its pause.
const LINE_SECONDS: f64 = 4.6;
/// Attempts per spoken line (refusals are retried).
const ATTEMPTS: f64 = 2.0;
const TASK_TOKENS: f64 = 40.0;
const SENTENCE_TOKENS: f64 = 25.0;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measured {
    pub model: String,
    pub threads: usize,
    pub prefill_tok_s: f64,
    pub decode_tok_s: f64,
    /// Writing time over speaking time.
    pub duty: f64,
}

impl Measured {
    pub fn fits(&self) -> bool {
        self.duty <= MAX_DUTY
    }
}

/// What `--writer auto` picked, and why.
#[derive(Clone, Debug)]
pub struct AutoChoice {
    /// The chosen model's name and file; `None`: templates (no model installed or none fits).
    pub model: Option<(String, PathBuf)>,
    pub measured: Vec<Measured>,
    pub reason: String,
}

#[derive(Default, Serialize, Deserialize)]
struct Cache {
    machine: String,
    results: Vec<Measured>,
}

fn machine_key() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_default();
    format!("{cpu} / {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Measures one model: a warm short prompt and a sentence of decoding, with `threads`.
pub fn measure(name: &str, gguf: &Path, threads: usize) -> Result<Measured, crate::llm::LlmError> {
    let mut llm = Llm::load_with(gguf, &LoadOptions { threads, ..Default::default() })?;
    let system = "You are Mia, the warm AI host of a live shopping stream. Answer with one short spoken sentence.";
    let sampling = Sampling { temperature: 0.0, max_tokens: 24, ..Sampling::default() };
    let mut best = (0.0f64, 0.0f64);
    for turn in ["Introduce the Bamboo Desk Lamp to the viewers.", "Tell the viewers that the lamp folds flat for storage.", "Ask the viewers to tap the card to order the lamp."] {
        let prompt = llm.chat_prompt(system, &[(Role::User, turn.to_string())]);
        let stats = llm.generate_inner(&prompt, &sampling, true, &mut |_| true)?;
        best.0 = best.0.max(stats.prefill_tok_s());
        best.1 = best.1.max(stats.decode_tok_s());
    }
    let (prefill, decode) = best;
    let per_line = ATTEMPTS * (TASK_TOKENS / prefill.max(1e-3) + SENTENCE_TOKENS / decode.max(1e-3));
    Ok(Measured { model: name.to_string(), threads, prefill_tok_s: prefill, decode_tok_s: decode, duty: per_line / LINE_SECONDS })
}

/// Chooses among the installed LLMs, measuring those not measured on this machine yet (kept
/// in `cache_file`).
pub fn choose(models_dir: &Path, threads: usize, cache_file: &Path) -> AutoChoice {
    let machine = machine_key();
    let mut cache: Cache = std::fs::read_to_string(cache_file).ok().and_then(|s| serde_json::from_str(&s).ok()).filter(|c: &Cache| c.machine == machine).unwrap_or_default();
    cache.machine = machine;
    // Installed LLMs, smallest first: measuring stops at the first that is too slow (a bigger
    // one would be slower still), so a machine never loads a model it cannot use.
    let mut installed: Vec<_> = models::list(models_dir).into_iter().filter(|m| m.kind == "llm" && m.installed).collect();
    installed.sort_by_key(|m| m.size);
    if installed.is_empty() {
        return AutoChoice { model: None, measured: Vec::new(), reason: format!("no LLM is installed in {} (templates write the show)", models_dir.display()) };
    }
    let mut measured = Vec::new();
    let mut changed = false;
    let mut chosen = None;
    for m in &installed {
        let known = cache.results.iter().find(|r| r.model == m.name && r.threads == threads).cloned();
        let result = match known {
            Some(r) => r,
            None => {
                let Ok(path) = models::resolve(&m.name, models_dir) else { continue };
                tracing::info!(model = %m.name, threads, "measuring the writer for --writer auto (once per machine)");
                match measure(&m.name, &path, threads) {
                    Ok(r) => {
                        cache.results.retain(|x| !(x.model == r.model && x.threads == threads));
                        cache.results.push(r.clone());
                        changed = true;
                        r
                    }
                    Err(e) => {
                        tracing::warn!(model = %m.name, "cannot measure: {e}");
                        continue;
                    }
                }
            }
        };
        let fits = result.fits();
        measured.push(result);
        if !fits {
            break;
        }
        if let Ok(path) = models::resolve(&m.name, models_dir) {
            chosen = Some((m.name.clone(), path));
        }
    }
    if changed {
        if let Some(dir) = cache_file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(s) = serde_json::to_string_pretty(&cache) {
            let _ = std::fs::write(cache_file, s);
        }
    }
    let figures = measured.iter().map(|r| format!("{} {:.0}% of speech time", r.model, r.duty * 100.0)).collect::<Vec<_>>().join(", ");
    let reason = match &chosen {
        Some((name, _)) => format!(
            "{name}: the largest installed model that writes a line in under {:.0}% of its speaking time with {threads} thread(s) ({figures})",
            MAX_DUTY * 100.0
        ),
        None => format!("no installed model writes fast enough with {threads} thread(s) ({figures}); templates write the show"),
    };
    AutoChoice { model: chosen, measured, reason }
}
