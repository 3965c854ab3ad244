//! `evercast preview`: the show rendered offline to files, for a copywriter's review.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use director::language::{LanguageKit, state_dir};
use director::room::{ShowRun, WriterChoice, render_room};
use director::show::Show;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args)]
pub struct PreviewArgs {
    /// The show definition (default: the demo show).
    show: Option<PathBuf>,
    /// Folder for script.md and each room's .mp4, .wav, .srt and .vtt.
    #[arg(long)]
    out: PathBuf,
    /// Minutes of show to render per room.
    #[arg(long, default_value_t = 2.0)]
    minutes: f64,
    /// Render only this room.
    #[arg(long)]
    room: Option<String>,
    /// Use this catalog instead of the show's.
    #[arg(long)]
    catalog: Option<PathBuf>,
    #[command(flatten)]
    writer: crate::writer::WriterArgs,
}

pub fn preview(args: PreviewArgs) -> Result<ExitCode> {
    let path = crate::util::show_path(args.show)?;
    let show = Show::load(&path, args.catalog.as_deref())?;
    let rooms = show.rooms(args.room.as_deref())?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let seconds = (args.minutes * 60.0).max(1.0);
    let writer: WriterChoice = args.writer.resolve(&show.config.writer, false)?;
    // Every stage runs at once here and the cores stay busy: one thread per voice model.
    voice::onnx::set_threads(1);
    let mut script = String::new();
    let _ = writeln!(
        script,
        "# Run of show — {}\n\nRendered by evercast {} · host {} · writer: {} · {:.1} minutes per room · catalog {}\n",
        show.config.title,
        env!("CARGO_PKG_VERSION"),
        show.config.persona.name,
        match &writer {
            WriterChoice::Template => "template".to_string(),
            WriterChoice::Llm { model, .. } => format!("llm ({}, falling back to templates)", model.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()),
        },
        args.minutes,
        show.config.catalog.display()
    );
    for n in &show.catalog.notices {
        let _ = writeln!(script, "> Catalog note: {n}\n");
    }
    // One writer for the whole show: every room renders the same script in its language.
    let kit = Arc::new(LanguageKit::new(&show, Some(state_dir().join("tm")), script::llm::default_threads())?);
    // The rooms' voices load while the writer's model does (about 1.5 s each for Piper's).
    let warming = {
        let (kit, rooms) = (kit.clone(), rooms.clone());
        std::thread::spawn(move || kit.warm_voices(&rooms))
    };
    let mut run = ShowRun::start(&show, &writer, kit.clone(), true)?;
    let _ = warming.join();
    for room in &rooms {
        let profile = show.profiles.get(&room.profile)?.clone();
        let bar = ProgressBar::new(1000);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {percent:>3}% {msg} ({eta} left)")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(room.id.clone());
        bar.set_message(format!("{}x{}", profile.width, profile.height));
        let render = render_room(&show, &run, room, &profile, &args.out, seconds, &mut |f| bar.set_position((f * 1000.0) as u64))?;
        bar.finish_and_clear();
        let speed = render.seconds / render.wall.as_secs_f64().max(1e-6);
        eprintln!(
            "{:>12}: {} lines ({}; {} native, {} dropped to keep time), {:.0} s of show in {:.1} s ({:.1}× real time) → {}",
            room.id,
            render.played.len(),
            render.pack,
            render.native_lines,
            render.dropped_lines,
            render.seconds,
            render.wall.as_secs_f64(),
            speed,
            render.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        );
        let pack = kit.pack_for(room)?;
        let voice = room.voice.clone().or_else(|| pack.espeak_voice().map(|v| format!("espeak:{}", v.voice))).unwrap_or_default();
        let heading = format!("{} (pack {}), {} ({}x{}), voice {}", pack.locale, pack.id, profile.name, profile.width, profile.height, voice);
        script.push_str(&director::subtitles::script_section(&room.id, &heading, &render.played, &render.rejected, &|i| show.product_title(i)));
    }
    run.stop();
    let script_path = args.out.join("script.md");
    std::fs::write(&script_path, script).with_context(|| format!("cannot write {}", script_path.display()))?;
    eprintln!("{:>12}: {}", "script", script_path.display());
    Ok(ExitCode::SUCCESS)
}
