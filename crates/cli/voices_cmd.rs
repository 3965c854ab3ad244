//! `evercast voices list` and `evercast say`: trying voices before putting them in a show.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use show::{Line, Locale, SAMPLE_RATE, SegmentKind};
use voice::voices::{self, VoicePaths, VoiceSpec};

#[derive(Subcommand)]
pub enum VoicesCommand {
    /// Lists Kokoro's, Piper's and espeak-ng's voices, whether each is installed, and how to
    /// install it.
    List {
        /// Only voices of this language (`es`, `en-GB`, `zh`).
        #[arg(long)]
        language: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        models_dir: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct SayArgs {
    /// What to say (prices and numbers are read the locale's way: "$14.90").
    pub text: String,
    /// `kokoro:af_heart`, `kokoro:af_heart*0.6+af_bella*0.4`, `piper:en_US-joe-medium`,
    /// `espeak:es`.
    #[arg(long, default_value = "kokoro:af_heart")]
    pub voice: String,
    /// The locale the text is read in (numbers, currency words); by default the voice's.
    #[arg(long)]
    pub locale: Option<String>,
    /// 1.0 is the voice's natural pace.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f32,
    /// Programme loudness, LUFS.
    #[arg(long, default_value_t = show::config::DEFAULT_LOUDNESS, allow_negative_numbers = true)]
    pub loudness: f32,
    /// The WAV file to write (48 kHz mono).
    #[arg(long, short)]
    pub out: PathBuf,
    #[arg(long)]
    pub models_dir: Option<PathBuf>,
}

pub fn run(cmd: VoicesCommand) -> Result<ExitCode> {
    match cmd {
        VoicesCommand::List { language, json, models_dir } => {
            let dir = models_dir.unwrap_or_else(script::models::default_models_dir);
            let wanted = language.map(|l| l.to_ascii_lowercase());
            let list: Vec<voices::ListedVoice> = voices::list(&VoicePaths::new(&dir))
                .into_iter()
                .filter(|v| wanted.as_ref().is_none_or(|w| v.language.to_ascii_lowercase().starts_with(w.as_str())))
                .collect();
            if json {
                let rows: Vec<serde_json::Value> = list
                    .iter()
                    .map(|v| serde_json::json!({"voice": v.spec, "engine": v.engine.name(), "language": v.language, "installed": v.installed, "install": v.install}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            for v in &list {
                let state = if v.installed { "installed".to_string() } else { format!("not installed: {}", v.install.clone().unwrap_or_default()) };
                println!("{:<34} {:<8} {}", v.spec, v.language, state);
            }
            if !voices::runtime_installed(&dir) {
                println!("(Kokoro and Piper also need ONNX Runtime: evercast models install onnxruntime)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn say(args: SayArgs) -> Result<ExitCode> {
    let dir = args.models_dir.clone().unwrap_or_else(script::models::default_models_dir);
    let spec = VoiceSpec::parse(&args.voice).with_speed(args.speed);
    let locale = match &args.locale {
        Some(l) => Locale::parse(l).map_err(|e| anyhow::anyhow!("--locale {l}: {e}"))?,
        None => default_locale(&spec)?,
    };
    let started = Instant::now();
    let mut v = director::voices::open_voice(&spec, &dir).map_err(|e| anyhow::anyhow!("{}: {e}", spec.label()))?;
    let loaded = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let line = Line::new(SegmentKind::Pitch, None).text(args.text.clone());
    let mut u = v.speak(&line, &locale).map_err(|e| anyhow::anyhow!("{e}"))?;
    let took = t.elapsed().as_secs_f64();
    if u.samples.is_empty() {
        bail!("{} said nothing for this text", v.name());
    }
    voice::Leveler::new(args.loudness).apply(&mut u.samples, SAMPLE_RATE);
    voice::audio::write_wav(&args.out, &u.samples, SAMPLE_RATE)?;
    let m = voice::loudness::measure(&u.samples, SAMPLE_RATE);
    let seconds = u.samples.len() as f64 / f64::from(SAMPLE_RATE);
    eprintln!(
        "{}: \"{}\" → {} ({:.2} s of speech in {:.2} s, RTF {:.3}; loaded in {:.2} s; {:.1} LUFS, true peak {:.1} dBTP)",
        v.name(),
        u.spoken,
        args.out.display(),
        seconds,
        took,
        took / seconds,
        loaded,
        m.integrated,
        m.true_peak
    );
    for w in &u.words {
        tracing::debug!("{:6.2}–{:6.2} {}", w.start, w.end, &u.display[w.display.clone()]);
    }
    Ok(ExitCode::SUCCESS)
}

/// The locale a voice speaks when none is given.
fn default_locale(spec: &VoiceSpec) -> Result<Locale> {
    let tag = match spec.engine {
        voices::Engine::Kokoro => match voice::kokoro::KokoroLanguage::of_voice(&spec.voice) {
            Some(l) => match l.tag() {
                "es" => "es-ES",
                "fr" => "fr-FR",
                "hi" => "hi-IN",
                "it" => "it-IT",
                "ja" => "ja-JP",
                "zh" => "zh-CN",
                t => t,
            },
            None => bail!("unknown Kokoro voice `{}`; `evercast voices list` shows them", spec.voice),
        },
        voices::Engine::Piper => "en-US",
        voices::Engine::Espeak => return Ok(Locale::parse("en-US").expect("valid")),
    };
    Locale::parse(tag).map_err(|e| anyhow::anyhow!("locale {tag}: {e}"))
}
