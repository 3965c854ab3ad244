//! The `evercast` command: parses, wires and reports. The work lives in the stage crates and in
//! `director`; this binary only turns a command line into calls to them.

mod bench;
mod bench_live;
mod bench_rooms;
mod bench_script;
mod bench_voice;
mod demo;
mod doctor;
mod preview;
mod run;
mod snapshot;
mod util;
mod writer;
mod models_cmd;
mod packs_cmd;
mod transcribe_cmd;
mod voices_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "evercast", version, about = "An AI virtual host for live commerce: catalog in, live show out.")]
struct Cli {
    /// More logging (-v debug, -vv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Streams every room live until stopped (Ctrl-C) or until --for passes. Rooms without an
    /// output are served as a local preview on http://127.0.0.1:8080/.
    Run(run::RunArgs),
    /// Renders the show offline, faster than real time: script.md, and per room
    /// <room>.mp4, .wav, .srt and .vtt.
    Preview(preview::PreviewArgs),
    /// Checks GStreamer and its plugins, espeak-ng, encoders, fonts and models, and says what
    /// to install for anything missing.
    Doctor,
    /// Benchmarks (figures for BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Renders one frame of the preview to a PNG (check a look before going live).
    Snapshot(snapshot::SnapshotArgs),
    /// Lists and installs the models evercast can use (from the package registries).
    Models {
        #[command(subcommand)]
        what: models_cmd::ModelsCommand,
    },
    /// Language packs: list, show, validate, new, swap a running room's pack, pre-translate.
    Packs {
        #[command(subcommand)]
        what: packs_cmd::PacksCommand,
    },
    /// Translates lines from standard input (one per line) the way a room would: product
    /// names, prices and codes locked, the pack's glossary, its market's banned phrases.
    Translate(packs_cmd::TranslateArgs),
    /// Transcribes the speech in a WAV file with Whisper (`evercast models install whisper-base`).
    Transcribe(transcribe_cmd::TranscribeArgs),
    /// Voices: list Kokoro's, Piper's and espeak-ng's, installed or not.
    Voices {
        #[command(subcommand)]
        what: voices_cmd::VoicesCommand,
    },
    /// Says a line with a voice into a WAV file (`--voice kokoro:ef_dora`), to try voices.
    Say(voices_cmd::SayArgs),
    /// Reads a catalog (Shopify CSV export or evercast JSON) and reports its products, or every
    /// error with file, line, column and field.
    Catalog {
        file: PathBuf,
        /// The shop's currency (Shopify exports carry none).
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Print the products as JSON.
        #[arg(long)]
        json: bool,
        /// Show each selling point's form and how the host says it (or why it is not read).
        #[arg(long)]
        points: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    util::init_logging(cli.verbose);
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Preview(args) => preview::preview(args),
        Command::Doctor => doctor::doctor(),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Models { what } => models_cmd::run(what),
        Command::Bench { what } => bench::bench(what),
        Command::Packs { what } => packs_cmd::run(what),
        Command::Translate(args) => packs_cmd::translate(args),
        Command::Transcribe(args) => transcribe_cmd::transcribe(args),
        Command::Voices { what } => voices_cmd::run(what),
        Command::Say(args) => voices_cmd::say(args),
        Command::Catalog { file, currency, json, points } => util::catalog(&file, &currency, json, points),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
