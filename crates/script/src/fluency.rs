//! Fluency: how natural a spoken line reads, scored by a language model used as a judge — the
//! mean per-token log-probability of the line after a fixed context. Ungrammatical copy ("Let
//! me point out that can be used morning and evening.") scores low because the model finds
//! its tokens unlikely; the same for the templates' lines and the LLM's, so the two compare.

use std::path::{Path, PathBuf};

use crate::llm::{LlmError, LoadOptions};
use crate::models;

/// What the judge reads before each line: the product's catalog text goes in `{facts}`, so
/// its words are expected and what is left to judge is how the line is put together.
pub const CONTEXT: &str = "Notes for a live shopping stream. Product facts: {facts}\nTranscript. The host says:\n";

/// The score below which `bench script` counts a line as poorly put together, under the
/// judge of [`Judge::largest`] (mean natural-log probability per token). Under Qwen 1.5B the
/// issue's broken examples score −2.6 to −5.0 and their mended forms −1.7 to −4.3: the score
/// orders a line against its mended form, but no one floor separates every broken line
/// from every good one, so this floor is reported, not enforced.
pub const FLOOR: f32 = -3.0;

pub struct Judge {
    llm: crate::llm::Llm,
    pub model: String,
    /// The judge model's grammar probe, when it has one (`grammar`).
    probe: Option<crate::grammar::Probe>,
}

impl Judge {
    pub fn open(gguf: &Path) -> Result<Judge, LlmError> {
        let llm = crate::llm::Llm::load_with(gguf, &LoadOptions { threads: crate::llm::default_threads(), ..Default::default() })?;
        let model = llm.label().to_string();
        let probe = crate::grammar::Probe::load(gguf).ok().flatten();
        Ok(Judge { llm, model, probe })
    }

    /// The largest installed language model (the best judge this machine has).
    pub fn largest(models_dir: &Path) -> Option<PathBuf> {
        models::list(models_dir).into_iter().filter(|m| m.kind == "llm" && m.installed).max_by_key(|m| m.size).map(|m| m.path)
    }

    /// The line's fluency after the product's facts (its title and points, or anything the
    /// line may draw on): mean log-probability per token (higher is better).
    pub fn score(&mut self, facts: &str, line: &str) -> Result<f32, LlmError> {
        self.llm.score(&CONTEXT.replace("{facts}", facts), line.trim())
    }

    /// Whether the judge has a grammar probe.
    pub fn has_probe(&self) -> bool {
        self.probe.is_some()
    }

    /// How likely the judge's grammar probe finds `line` broken (none without a probe).
    pub fn broken(&mut self, line: &str) -> Option<Result<f32, LlmError>> {
        Some(self.probe.as_ref()?.broken(&mut self.llm, line))
    }
}
