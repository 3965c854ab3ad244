//! `evercast run`: every room live, to its RTMP ingest, file, or the built-in local preview.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use broadcast::Target;
use clap::Args;
use director::room::{RoomStatus, run_live};
use director::show::Show;
use show::config::{OutputKind, OutputSpec};

use crate::server::{PreviewRoom, PreviewServer};
use crate::util::{output_for, parse_duration};

#[derive(Args)]
pub struct RunArgs {
    /// The show definition (default: the demo show).
    show: Option<PathBuf>,
    /// Stop after this long (20s, 5m, 1h30m); default: until Ctrl-C.
    #[arg(long = "for", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Send the selected rooms here instead of their configured outputs: rtmp://host/app/key,
    /// a .mp4 file or a .m3u8 playlist. `${VAR}` is read from the environment; `{room}` is
    /// replaced by the room id.
    #[arg(long)]
    output: Option<String>,
    /// Use this catalog instead of the show's.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Run only this room.
    #[arg(long)]
    room: Option<String>,
    /// Port of the local preview page.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    #[command(flatten)]
    writer: crate::writer::WriterArgs,
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let path = crate::util::show_path(args.show)?;
    let show = Arc::new(Show::load(&path, args.catalog.as_deref())?);
    let rooms = show.rooms(args.room.as_deref())?;
    let preview_root = std::env::temp_dir().join(format!("evercast-preview-{}", std::process::id()));

    let mut plans = Vec::new();
    let mut preview_rooms = Vec::new();
    for (i, room) in rooms.iter().enumerate() {
        let spec = match &args.output {
            Some(url) => Some(OutputSpec::new(output_for(url, &room.id, i == 0))),
            None => room.output.clone(),
        };
        let room_profile = show.profiles.get(&room.profile)?.clone();
        let status = Arc::new(Mutex::new(RoomStatus { room: room.id.clone(), state: "starting".into(), ..Default::default() }));
        let (target, profile) = match spec {
            Some(spec) => {
                let kind = spec.kind().map_err(anyhow::Error::msg)?;
                let target = match kind {
                    OutputKind::Rtmp => Target::Rtmp { url: spec.resolve().map_err(anyhow::Error::msg)? },
                    OutputKind::Mp4 => Target::Mp4 { path: PathBuf::from(spec.resolve().map_err(anyhow::Error::msg)?) },
                    OutputKind::Hls => {
                        let p = PathBuf::from(spec.resolve().map_err(anyhow::Error::msg)?);
                        let dir = p.parent().map(|d| d.to_path_buf()).unwrap_or_else(|| PathBuf::from("."));
                        let playlist = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "index.m3u8".into());
                        Target::Hls { dir, playlist }
                    }
                };
                eprintln!("{:>12}: {} → {}", room.id, room_profile.name, spec);
                (target, room_profile)
            }
            None => {
                let dir = preview_root.join(&room.id);
                let profile = show.profiles.get("preview")?.oriented_like(&room_profile);
                preview_rooms.push(PreviewRoom { id: room.id.clone(), locale: room.locale.to_string(), dir: dir.clone(), width: profile.width, height: profile.height, status: status.clone() });
                (Target::Hls { dir, playlist: "index.m3u8".into() }, profile)
            }
        };
        plans.push((room.clone(), profile, target, status));
    }
    if plans.is_empty() {
        bail!("no room to run");
    }

    let writer = args.writer.resolve(&show.config.writer, true)?;
    eprintln!("      writer: {}", writer.name());
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().context("cannot start the async runtime")?;
    let server = if preview_rooms.is_empty() {
        None
    } else {
        let server = runtime.block_on(PreviewServer::start(args.port, &show.config.title, preview_rooms))?;
        eprintln!("     preview: open http://127.0.0.1:{}/ in a browser (Ctrl-C stops the show)", server.port());
        Some(server)
    };
    {
        let stop = stop.clone();
        // Ctrl-C, or SIGTERM from systemd, docker or a supervisor: both end the show cleanly.
        runtime.spawn(async move {
            #[cfg(unix)]
            let term = async {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut s) => s.recv().await,
                    Err(_) => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let term = std::future::pending::<Option<()>>();
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_err() { return },
                _ = term => {}
            }
            eprintln!("\nstopping: finishing the streams…");
            stop.store(true, Ordering::Relaxed);
        });
    }

    let mut handles = Vec::new();
    for (room, profile, target, status) in plans {
        let (show, stop, duration, writer) = (show.clone(), stop.clone(), args.duration, writer.clone());
        let handle = std::thread::Builder::new()
            .name(format!("room-{}", room.id))
            .spawn(move || run_live(&show, &room, &profile, target, &writer, duration, stop, status).map(|s| (room.id.clone(), s)))
            .context("cannot start a room thread")?;
        handles.push(handle);
    }
    let mut failed = false;
    for h in handles {
        match h.join() {
            Ok(Ok((id, s))) => eprintln!(
                "{id:>12}: {:.1} s streamed, {} frames, {} reconnects, {} late frames, render {:.1} ms/frame",
                s.seconds,
                s.frames,
                s.reconnects,
                s.late_frames,
                s.render_time.as_secs_f64() * 1000.0 / s.frames.max(1) as f64
            ),
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                failed = true;
                stop.store(true, Ordering::Relaxed);
            }
            Err(_) => {
                eprintln!("error: a room thread panicked");
                failed = true;
            }
        }
    }
    if let Some(s) = server {
        runtime.block_on(s.shutdown());
    }
    let _ = std::fs::remove_dir_all(&preview_root);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
