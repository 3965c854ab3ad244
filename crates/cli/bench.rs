//! `evercast bench`: figures for BENCHMARKS.md, printed and optionally as JSON.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use broadcast::Target;
use clap::Subcommand;
use director::room::{RoomStatus, ShowRun, WriterChoice, render_room, run_live};
use director::show::Show;
use serde::Serialize;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Stage and stream: offline render speed and live CPU per second of stream, per profile.
    Stage {
        /// The show to measure with (default: the demo show).
        show: Option<PathBuf>,
        /// Seconds of show per measurement.
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Profiles to measure.
        #[arg(long, value_delimiter = ',', default_value = "landscape-720p,vertical-1080x1920")]
        profiles: Vec<String>,
        /// Skip the per-rig rendering figures.
        #[arg(long)]
        no_rigs: bool,
    },
    /// The LLM writer: prefill and decode tokens/s and warm time to first token for each
    /// installed model, next to llama.cpp on the same GGUF when `bench/setup-anchor.sh` has
    /// built it.
    Writer {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "auto")]
        device: script::llm::DeviceChoice,
        #[arg(long)]
        models_dir: Option<PathBuf>,
    },
    /// The voices: real-time factor, time to first audio of a 12-word sentence and Whisper
    /// base's word error rate on each voice's own sales lines, alone and while a 720p room
    /// streams; then a live 720p room speaking with Kokoro and with Piper.
    Voice {
        #[arg(long)]
        json: bool,
        /// ENGINE:VOICE@LOCALE, comma-separated.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "kokoro:af_heart@en-US,kokoro:bf_emma@en-GB,kokoro:ef_dora@es-ES,kokoro:ff_siwis@fr-FR,kokoro:pf_dora@pt-BR,kokoro:zf_xiaoxiao@zh-CN,kokoro:jf_alpha@ja-JP,piper:en_US-joe-medium@en-US,espeak:en-us@en-US,espeak:es@es-ES"
        )]
        voices: Vec<String>,
        /// Seconds each live room streams (0 skips the live part).
        #[arg(long, default_value_t = 60.0)]
        live_seconds: f64,
        /// Skip the Whisper round trip.
        #[arg(long)]
        no_asr: bool,
        #[arg(long)]
        models_dir: Option<PathBuf>,
    },
    /// Multilingual rooms: translation latency (p50/p95) and chrF per engine and language
    /// against bench/translations, the translation memory's hit rate over a 30-minute script,
    /// and simultaneous 720p30 live rooms in distinct languages on one writer.
    Rooms {
        /// The show to measure with (default: the demo show).
        show: Option<PathBuf>,
        #[arg(long, value_delimiter = ',', default_value = "es-MX,pt-BR,fr-FR,de-DE,ja-JP,zh-CN,id-ID")]
        packs: Vec<String>,
        #[arg(long, value_delimiter = ',', default_value = "llm,apertium")]
        engines: Vec<String>,
        /// Reference sentences per language (of the 40 in bench/translations).
        #[arg(long, default_value_t = 20)]
        sentences: usize,
        /// Seconds each live measurement streams (0: skip the live rooms).
        #[arg(long, default_value_t = 60.0)]
        live_seconds: f64,
        /// Measure 1 … this many simultaneous live rooms.
        #[arg(long, default_value_t = 3)]
        max_rooms: usize,
        #[arg(long)]
        json: bool,
    },
    /// The copy: per writer and model, the share of spoken lines the LLM wrote, refusals by
    /// reason, verbatim repeats per hour, product-name errors, words per minute, writer CPU per
    /// show minute, and fluency under the largest installed model as a judge.
    Script {
        /// The show (default: the demo show).
        show: Option<PathBuf>,
        /// Another catalog for the show (a Shopify export, JSON, CSV).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Minutes of show each writer writes.
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        /// `template` and installed models, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "template,smollm2-135m,qwen2.5-0.5b")]
        writers: Vec<String>,
        #[arg(long)]
        models_dir: Option<PathBuf>,
        /// Also print every spoken line (segment, source, fluency) and every refused one.
        #[arg(long)]
        lines: bool,
        #[arg(long)]
        json: bool,
    },
    /// Live chat: question → first sample of its answer while a room streams, moderation
    /// throughput, memory growth and silences of the run.
    Live {
        /// The show (default: the demo show).
        show: Option<PathBuf>,
        /// The room to measure (default: the first).
        #[arg(long)]
        room: Option<String>,
        #[arg(long, default_value_t = 120)]
        seconds: u64,
        /// One chat message every this many seconds.
        #[arg(long, default_value_t = 6.0)]
        every: f64,
        /// The writer (default: the show's, as `evercast run` picks it).
        #[arg(long)]
        writer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Composing a frame in Rust vs GStreamer's compositor (caps pinned and not): CPU per frame.
    Compose {
        #[arg(long, default_value_t = 300)]
        frames: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct StageFigures {
    profile: String,
    width: u32,
    height: u32,
    fps: u32,
    encoder: String,
    /// Offline render: seconds of show per second of wall time.
    preview_speed_x_realtime: f64,
    /// Offline render: mean time to draw one frame (ms).
    preview_render_ms_per_frame: f64,
    /// Live: CPU seconds (all threads: writer, voice, stage, encoder) per second of stream.
    live_cpu_per_stream_second: f64,
    /// Live: mean time to draw one frame (ms).
    live_render_ms_per_frame: f64,
    live_late_frames: u64,
    seconds: f64,
}

#[derive(Serialize)]
struct RigFigures {
    rig: String,
    width: u32,
    height: u32,
    /// Wall-clock ms per frame (median, p99) and the rendering thread's CPU ms (median, p99).
    median_ms: f64,
    p99_ms: f64,
    cpu_median_ms: f64,
    cpu_p99_ms: f64,
}

#[derive(Serialize)]
struct StageReport {
    machine: String,
    cores: usize,
    /// Stage rendering alone, per rig and size (built-in host and all overlays).
    rigs: Vec<RigFigures>,
    /// Whole rooms: offline render and live stream with encoding.
    results: Vec<StageFigures>,
}

pub(crate) fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

pub(crate) fn machine() -> String {
    script::auto::cpu_model().unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

pub fn bench(cmd: BenchCommand) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Stage { show, seconds, json, profiles, no_rigs } => bench_stage(show, seconds, json, &profiles, no_rigs),
        BenchCommand::Compose { frames, json } => bench_compose(frames, json),
        BenchCommand::Live { show, room, seconds, every, writer, json } => {
            crate::bench_live::bench_live(show, room, seconds, every, writer, json, machine())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Script { show, catalog, minutes, writers, models_dir, lines, json } => {
            crate::bench_script::bench_script(show, catalog, minutes, &writers, models_dir, lines, json, machine())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Rooms { show, packs, engines, sentences, live_seconds, max_rooms, json } => {
            crate::bench_rooms::bench_rooms(show, &packs, &engines, sentences, live_seconds, max_rooms, json, machine())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Voice { json, voices, live_seconds, no_asr, models_dir } => {
            crate::bench_voice::bench_voice(&voices, live_seconds, no_asr, models_dir, json, machine())?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Writer { json, device, models_dir } => {
            let dir = models_dir.unwrap_or_else(script::models::default_models_dir);
            let root = std::env::current_dir()?;
            let rows = script::llm::bench_writer(&dir, &root, device, &|l| {
                if !json {
                    eprintln!("{l}");
                }
            })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!("machine: {}", machine());
                print!("{}", script::llm::format_writer_bench(&rows));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn bench_stage(show: Option<PathBuf>, seconds: f64, json: bool, profiles: &[String], no_rigs: bool) -> Result<ExitCode> {
    let path = crate::util::show_path(show)?;
    let show = Show::load(&path, None)?;
    let room = show.config.rooms.first().context("the show has no room")?.clone();
    let dir = tempfile_dir()?;
    let mut rigs = Vec::new();
    let repo_rigs = PathBuf::from("assets/rigs");
    let rig_choices: Vec<(&str, avatar::RigChoice)> = {
        let mut v = vec![("built-in", avatar::RigChoice::BuiltIn)];
        if repo_rigs.join("pip/rig.toml").is_file() {
            v.push(("png (pip)", avatar::RigChoice::Png(repo_rigs.join("pip"))));
        }
        if repo_rigs.join("clip-host/clips.toml").is_file() {
            v.push(("clips (clip-host)", avatar::RigChoice::Clips(repo_rigs.join("clip-host"))));
        }
        v
    };
    for (name, rig) in rig_choices.iter().filter(|_| !no_rigs) {
        for (w, h) in [(1280, 720), (1080, 1920)] {
            if !json {
                eprintln!("measuring the {name} rig at {w}x{h} …");
            }
            let room = show.config.rooms.first().context("the show has no room")?;
            let mut stage_cfg = show.config.stage.clone();
            stage_cfg.label = room.label.clone().or(stage_cfg.label);
            let setup = avatar::StageSetup {
                width: w,
                height: h,
                fps: 30,
                locale: room.locale.clone(),
                persona: show.config.persona.clone(),
                products: (*show.products).clone(),
                stage: stage_cfg,
                rig: rig.clone(),
            };
            let st = avatar::bench_render(setup, 600)?;
            rigs.push(RigFigures { rig: name.to_string(), width: w, height: h, median_ms: st.median_ms, p99_ms: st.p99_ms, cpu_median_ms: st.cpu_median_ms, cpu_p99_ms: st.cpu_p99_ms });
        }
    }
    let mut results = Vec::new();
    for name in profiles {
        let profile = show.profiles.get(name)?.clone();
        let encoder = director::room::encoder_for(&profile)?;
        if !json {
            eprintln!("measuring {name} ({}x{}@{}, {}) …", profile.width, profile.height, profile.fps, encoder.element());
        }
        let kit = Arc::new(director::language::LanguageKit::new(&show, None, 1)?);
        let render = {
            let run = ShowRun::start(&show, &WriterChoice::Template, kit.clone(), true)?;
            render_room(&show, &run, &room, &profile, &dir, seconds, &mut |_| {})?
        };
        let run = ShowRun::start(&show, &WriterChoice::Template, kit, false)?;
        let frames = (seconds * f64::from(profile.fps)).round();
        let cpu0 = cpu_seconds();
        let wall0 = Instant::now();
        let status = Arc::new(Mutex::new(RoomStatus::default()));
        let live = run_live(
            &show,
            &run,
            &room,
            &profile,
            Target::Mp4 { path: dir.join(format!("live-{name}.mp4")) },
            Some(Duration::from_secs_f64(seconds)),
            Arc::new(AtomicBool::new(false)),
            status,
            director::room::LiveHooks::default(),
        )?;
        drop(run);
        let cpu = cpu_seconds() - cpu0;
        let _wall = wall0.elapsed();
        results.push(StageFigures {
            profile: name.clone(),
            width: profile.width,
            height: profile.height,
            fps: profile.fps,
            encoder: encoder.element().to_string(),
            preview_speed_x_realtime: render.seconds / render.wall.as_secs_f64(),
            preview_render_ms_per_frame: render.render_time.as_secs_f64() * 1000.0 / frames,
            live_cpu_per_stream_second: cpu / live.seconds.max(1e-6),
            live_render_ms_per_frame: live.render_time.as_secs_f64() * 1000.0 / live.frames.max(1) as f64,
            live_late_frames: live.late_frames,
            seconds,
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    let report = StageReport { machine: machine(), cores: std::thread::available_parallelism().map_or(1, |n| n.get()), rigs, results };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("machine: {} ({} cores)", report.machine, report.cores);
        println!("stage rendering (host + overlays), ms per frame:");
        println!("{:<20} {:>11} {:>9} {:>9} {:>12} {:>12}", "rig", "size", "median", "p99", "CPU median", "CPU p99");
        for r in &report.rigs {
            println!("{:<20} {:>11} {:>9.2} {:>9.2} {:>12.2} {:>12.2}", r.rig, format!("{}x{}", r.width, r.height), r.median_ms, r.p99_ms, r.cpu_median_ms, r.cpu_p99_ms);
        }
        println!();
        println!("{:<20} {:>11} {:>9} {:>14} {:>13} {:>17} {:>13}", "profile", "size", "encoder", "preview speed", "preview ms/f", "live CPU/stream s", "live ms/f");
        for r in &report.results {
            println!(
                "{:<20} {:>11} {:>9} {:>13.2}× {:>13.2} {:>16.0}% {:>13.2}",
                r.profile,
                format!("{}x{}", r.width, r.height),
                r.encoder,
                r.preview_speed_x_realtime,
                r.preview_render_ms_per_frame,
                r.live_cpu_per_stream_second * 100.0,
                r.live_render_ms_per_frame
            );
        }
        println!("(live CPU is the whole process — writer, voice, stage, encoder — as % of one core)");
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_compose(frames: u32, json: bool) -> Result<ExitCode> {
    let mut all = Vec::new();
    for (w, h) in [(1280, 720), (1080, 1920)] {
        all.push(broadcast::bench::compose_costs(w, h, frames)?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        println!("machine: {}", machine());
        println!("{:<11} {:>22} {:>26} {:>28}", "size", "Rust frame → I420", "compositor, caps pinned", "compositor, caps unpinned");
        for c in &all {
            println!(
                "{:<11} {:>19.2} ms {:>23.2} ms {:>25.2} ms",
                format!("{}x{}", c.width, c.height),
                c.rust_frame_ms,
                c.compositor_pinned_ms,
                c.compositor_unpinned_ms
            );
        }
        println!("(CPU time per frame, encoder excluded)");
    }
    Ok(ExitCode::SUCCESS)
}

fn tempfile_dir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("evercast-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    Ok(d)
}
