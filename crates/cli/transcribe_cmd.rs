//! `evercast transcribe`: the speech in a WAV file as text, with Whisper (the `asr` crate).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use script::models;

#[derive(Args)]
pub struct TranscribeArgs {
    /// The WAV file (any sample rate; channels are mixed to mono).
    file: PathBuf,
    /// The language spoken, as an ISO code (en, es, pt, ja, zh, …; default: detected).
    #[arg(long)]
    language: Option<String>,
    /// A Whisper model folder (default: whisper-base in the models folder, checked against
    /// the manifest).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print one JSON object: text, language, audio seconds, seconds taken, real-time factor.
    #[arg(long)]
    json: bool,
}

pub fn transcribe(args: TranscribeArgs) -> Result<ExitCode> {
    let dir = match args.model {
        Some(dir) => dir,
        None => models::resolve_dir("whisper-base", &models::default_models_dir())?,
    };
    let (samples, rate) = asr::read_wav(&args.file)?;
    let started = Instant::now();
    let mut whisper = asr::Whisper::load(&dir)?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let t = whisper
        .transcribe(&samples, rate, args.language.as_deref())
        .with_context(|| format!("transcribing {}", args.file.display()))?;
    let took = started.elapsed().as_secs_f64();
    let rtf = if t.seconds > 0.0 { took / f64::from(t.seconds) } else { 0.0 };
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "file": args.file,
                "text": t.text,
                "language": t.language,
                "seconds": (f64::from(t.seconds) * 100.0).round() / 100.0,
                "transcribe_s": (took * 100.0).round() / 100.0,
                "load_s": (load_s * 100.0).round() / 100.0,
                "rtf": (rtf * 1000.0).round() / 1000.0,
                "device": whisper.device_name(),
            })
        );
    } else {
        println!("{}", t.text);
        eprintln!(
            "[{}, {:.1} s of audio, transcribed in {:.1} s (real-time factor {rtf:.2}) on {}; model loaded in {load_s:.1} s]",
            if t.language.is_empty() { "no speech" } else { t.language.as_str() },
            t.seconds,
            took,
            whisper.device_name()
        );
    }
    Ok(ExitCode::SUCCESS)
}
