//! Choosing the writer: `--writer auto|llm|template`, `--model`, `--device`, over the show's
//! `[writer]` section.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use director::room::WriterChoice;
use script::llm::DeviceChoice;
use script::models;
use show::config::{WriterConfig, WriterKind};

#[derive(Args, Clone, Debug, Default)]
pub struct WriterArgs {
    /// Who writes the script: the local LLM (falling back to templates sentence by sentence),
    /// templates only, or auto (the largest installed model that this machine runs comfortably
    /// ahead of speech, measured once; `evercast doctor` shows the choice and why).
    #[arg(long)]
    pub writer: Option<WriterKind>,
    /// An installed model (`evercast models list`) or a GGUF file.
    #[arg(long)]
    pub model: Option<String>,
    /// Where the LLM runs.
    #[arg(long)]
    pub device: Option<DeviceChoice>,
    /// Where installed models live (default: $EVERCAST_MODELS or ./models).
    #[arg(long)]
    pub models_dir: Option<PathBuf>,
}

impl WriterArgs {
    /// Resolves the writer. `live` leaves the cores to the video: one LLM thread per room.
    pub fn resolve(&self, config: &WriterConfig, live: bool) -> Result<WriterChoice> {
        let kind = self.writer.unwrap_or(config.kind);
        if kind == WriterKind::Template {
            return Ok(WriterChoice::Template);
        }
        let dir = self.models_dir.clone().unwrap_or_else(models::default_models_dir);
        let threads = if live { 1 } else { script::llm::default_threads() };
        let device = match (self.device, &config.device) {
            (Some(d), _) => d,
            (None, Some(d)) => d.parse().map_err(|e| anyhow::anyhow!("[writer] device: {e}"))?,
            (None, None) => DeviceChoice::Auto,
        };
        let named = self.model.clone().or_else(|| config.model.clone());
        if kind == WriterKind::Auto && named.is_none() {
            // No model named: the best one a live room's writer (one thread) runs comfortably
            // ahead of speech here, by measurement; a preview uses the same model, so it shows
            // what the live show would say.
            let choice = auto_choice(&dir, 1);
            tracing::info!("writer: {}", choice.reason);
            return Ok(match choice.model {
                Some((_, model)) => WriterChoice::Llm { grammar: grammar_reader(&dir, &model), model, device, threads },
                None => WriterChoice::Template,
            });
        }
        let default = models::manifest().default_model().name.clone();
        let name = named.unwrap_or(default);
        match models::resolve(&name, &dir) {
            Ok(model) => Ok(WriterChoice::Llm { grammar: grammar_reader(&dir, &model), model, device, threads }),
            Err(e) if kind == WriterKind::Auto => {
                tracing::warn!("the LLM writer is off ({e}); templates write the show");
                Ok(WriterChoice::Template)
            }
            Err(e) => bail!("{e}"),
        }
    }
}

/// `--writer auto`'s choice for `threads` writer threads (measurements kept in the state dir).
pub fn auto_choice(models_dir: &std::path::Path, threads: usize) -> script::auto::AutoChoice {
    script::auto::choose(models_dir, threads, &auto_cache_file())
}

/// The larger model whose grammar probe reads the writer's lines too, chosen for a live
/// room's one writer thread (a preview reads with the same, so it says what the show would).
pub fn grammar_reader(models_dir: &std::path::Path, writer: &std::path::Path) -> Option<PathBuf> {
    let choice = reader_choice(models_dir, writer);
    tracing::info!("grammar check: {}", choice.reason);
    choice.model.map(|(_, path)| path)
}

/// [`grammar_reader`]'s choice and why, without the log line (for `doctor`).
pub fn reader_choice(models_dir: &std::path::Path, writer: &std::path::Path) -> script::auto::ReaderChoice {
    script::auto::grammar_reader(models_dir, writer, 1, &auto_cache_file())
}

/// Where `--writer auto` keeps its measurements.
pub fn auto_cache_file() -> std::path::PathBuf {
    director::language::state_dir().join("writer-auto.json")
}
