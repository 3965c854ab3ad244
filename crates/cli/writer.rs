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
    /// templates only, or auto (the LLM when its model is installed).
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
        let default = models::manifest().default_model().name.clone();
        let name = self.model.clone().or_else(|| config.model.clone()).unwrap_or(default);
        let device = match (self.device, &config.device) {
            (Some(d), _) => d,
            (None, Some(d)) => d.parse().map_err(|e| anyhow::anyhow!("[writer] device: {e}"))?,
            (None, None) => DeviceChoice::Auto,
        };
        match models::resolve(&name, &dir) {
            Ok(model) => {
                let threads = if live { 1 } else { script::llm::default_threads() };
                Ok(WriterChoice::Llm { model, device, threads })
            }
            Err(e) if kind == WriterKind::Auto => {
                tracing::warn!("the LLM writer is off ({e}); templates write the show");
                Ok(WriterChoice::Template)
            }
            Err(e) => bail!("{e}"),
        }
    }
}
