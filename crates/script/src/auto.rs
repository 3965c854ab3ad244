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

/// The CPU's model name as Linux reports it (`/proc/cpuinfo`); None elsewhere.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
}

/// What the measurements are kept for: the CPU model and core count.
pub fn machine_key() -> String {
    let cpu = cpu_model().unwrap_or_default();
    format!("{cpu} / {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// The measurements kept for `machine` (none when the file is missing, unreadable or of
/// another machine).
fn read_cache(cache_file: &Path, machine: &str) -> Cache {
    std::fs::read_to_string(cache_file).ok().and_then(|s| serde_json::from_str(&s).ok()).filter(|c: &Cache| c.machine == machine).unwrap_or_default()
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
    let mut cache = read_cache(cache_file, &machine);
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

/// Sentences a spoken line's grammar check reads (the accepted one, and those refused by the
/// check itself).
const CHECKED_PER_LINE: f64 = 1.5;

/// Which larger installed model, if any, reads the writer's lines with its grammar probe
/// (`grammar::GrammarCheck`), and why.
#[derive(Clone, Debug)]
pub struct ReaderChoice {
    pub model: Option<(String, PathBuf)>,
    pub reason: String,
}

/// The largest installed model, larger than the writer's and with a grammar probe, whose
/// reading of the sentences the writer's own probe doubts (`grammar::READ_SHARE` of them; each
/// a prefill through two thirds of its layers) keeps the writer's
/// duty under [`MAX_DUTY`] with `threads`, and which fits in the memory free now. Uses the
/// measurements `choose` keeps; a model not measured on this machine is not used.
pub fn grammar_reader(models_dir: &Path, writer: &Path, threads: usize, cache_file: &Path) -> ReaderChoice {
    let none = |reason: String| ReaderChoice { model: None, reason };
    let cache = read_cache(cache_file, &machine_key());
    let installed: Vec<_> = models::list(models_dir).into_iter().filter(|m| m.kind == "llm" && m.installed).collect();
    let same = |p: &Path| p.canonicalize().ok() == writer.canonicalize().ok();
    let Some(own) = installed.iter().find(|m| same(&m.path)) else {
        return none("the writer's model is not one of the installed models".into());
    };
    let Some(own_duty) = cache.results.iter().find(|r| r.model == own.name && r.threads == threads).map(|r| r.duty) else {
        return none(format!("{} is not measured on this machine yet (`evercast models measure`)", own.name));
    };
    let free = available_memory();
    let mut larger: Vec<_> = installed.iter().filter(|m| m.size > own.size && matches!(crate::grammar::Probe::load(&m.path), Ok(Some(_)))).collect();
    larger.sort_by_key(|m| std::cmp::Reverse(m.size));
    let mut why_not = Vec::new();
    for m in larger {
        let Some(r) = cache.results.iter().find(|r| r.model == m.name && r.threads == threads) else {
            why_not.push(format!("{} not measured", m.name));
            continue;
        };
        let read = CHECKED_PER_LINE * crate::grammar::READ_SHARE;
        let reading = read * SENTENCE_TOKENS * crate::grammar::DEPTH as f64 / r.prefill_tok_s.max(1e-3) / LINE_SECONDS;
        let duty = own_duty + reading;
        if duty > MAX_DUTY {
            why_not.push(format!("{}: {:.1}% of speech time with it", m.name, duty * 100.0));
            continue;
        }
        // Its weights, twice over for the cache and the working set, must fit in what is free.
        if free.is_some_and(|f| f < 2 * m.size) {
            why_not.push(format!("{}: {} MB free, {} MB needed", m.name, free.unwrap_or(0) >> 20, (2 * m.size) >> 20));
            continue;
        }
        let Ok(path) = models::resolve(&m.name, models_dir) else { continue };
        return ReaderChoice {
            reason: format!("{}'s grammar probe reads {}'s lines too ({:.1}% of speech time with it, under {:.0}%)", m.name, own.name, duty * 100.0, MAX_DUTY * 100.0),
            model: Some((m.name.clone(), path)),
        };
    }
    none(if why_not.is_empty() {
        format!("no larger installed model with a grammar probe than {}", own.name)
    } else {
        format!("{}'s own probe only ({})", own.name, why_not.join("; "))
    })
}

/// Bytes of memory available now (Linux), if known.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = text.lines().find(|l| l.starts_with("MemAvailable:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
