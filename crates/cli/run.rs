//! `evercast run`: every room live, to its RTMP ingest, file, or the built-in local preview.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use broadcast::Target;
use clap::Args;
use director::language::{LanguageKit, state_dir};
use director::room::{RoomStatus, ShowRun, run_live};
use director::show::Show;
use show::config::{OutputKind, OutputSpec};

use crate::control::{Control, ControlRoom};
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
                preview_rooms.push(PreviewRoom { id: room.id.clone(), preview: false, locale: room.locale.to_string(), dir: PathBuf::new(), width: room_profile.width, height: room_profile.height, status: status.clone() });
                (target, room_profile)
            }
            None => {
                let dir = preview_root.join(&room.id);
                let profile = show.profiles.get("preview")?.oriented_like(&room_profile);
                preview_rooms.push(PreviewRoom { id: room.id.clone(), preview: true, locale: room.locale.to_string(), dir: dir.clone(), width: profile.width, height: profile.height, status: status.clone() });
                (Target::Hls { dir, playlist: "index.m3u8".into() }, profile)
            }
        };
        plans.push((room.clone(), profile, target, status, Arc::new(Mutex::new(None))));
    }
    if plans.is_empty() {
        bail!("no room to run");
    }

    let writer = args.writer.resolve(&show.config.writer, true)?;
    eprintln!("      writer: {}", writer.name());
    // One writer for every room; translation shares one model thread (one core: the video
    // encoders need the other).
    let kit = Arc::new(LanguageKit::new(&show, Some(state_dir().join("tm")), 1)?);
    for (room, ..) in &plans {
        let pack = kit.pack_for(room)?;
        kit.room_language(room, pack)?; // fail the start, not the show, on a pack that cannot run
        eprintln!("{:>12}: language pack {} ({})", room.id, pack.id, pack.name);
    }
    let run = Arc::new(ShowRun::start(&show, &writer, kit.clone(), false)?);
    run.expect_rooms(plans.iter().map(|(room, ..)| room.id.as_str()));
    let (token, generated) = crate::control::token()?;
    let control = Arc::new(Control::new(
        token.clone(),
        show.clone(),
        kit.clone(),
        plans.iter().map(|(room, profile, _, _, swaps)| ControlRoom { room: room.clone(), profile: profile.clone(), swaps: Arc::clone(swaps) }).collect(),
    )?);
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().context("cannot start the async runtime")?;
    let has_preview = preview_rooms.iter().any(|r| r.preview);
    let server = match runtime.block_on(PreviewServer::start(args.port, &show.config.title, preview_rooms, control.clone())) {
        Ok(s) => Some(s),
        // Rooms that stream elsewhere run without the local server rather than not at all.
        Err(e) if !has_preview => {
            eprintln!("warning: {e:#}; the show runs without its control endpoint");
            None
        }
        Err(e) => return Err(e),
    };
    let port = server.as_ref().map_or(args.port, |s| s.port());
    if has_preview {
        eprintln!("     preview: open http://127.0.0.1:{port}/ in a browser (Ctrl-C stops the show)");
    }
    let token_file = match server.as_ref().map(|_| crate::control::write_token_file(port, &token)) {
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            eprintln!("warning: cannot leave the control token for local tools ({e}); pass --token to `evercast packs swap`");
            None
        }
        None => None,
    };
    if server.is_some() {
        if generated {
            // Printed once, for the operator; never logged.
            eprintln!("     control: http://127.0.0.1:{port}/api (bearer token {token}; set {} to choose it)", crate::control::TOKEN_VAR);
        } else {
            eprintln!("     control: http://127.0.0.1:{port}/api (bearer token from {})", crate::control::TOKEN_VAR);
        }
    }
    {
        // SIGHUP: re-read the show file and swap the rooms whose language pack changed.
        #[cfg(unix)]
        {
            let (control, path) = (control.clone(), path.clone());
            runtime.spawn(async move {
                let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
                while hup.recv().await.is_some() {
                    let (control, file) = (control.clone(), path.clone());
                    let r = tokio::task::spawn_blocking(move || control.reload(&file)).await;
                    match r {
                        Ok(Ok(())) => eprintln!("      reload: {} read again", path.display()),
                        Ok(Err(e)) => eprintln!("      reload: kept the running show: {e:#}"),
                        Err(e) => eprintln!("      reload: {e}"),
                    }
                }
            });
        }
    }
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
    for (room, profile, target, status, swaps) in plans {
        let (show, stop, duration, run) = (show.clone(), stop.clone(), args.duration, run.clone());
        let handle = std::thread::Builder::new()
            .name(format!("room-{}", room.id))
            .spawn(move || run_live(&show, &run, &room, &profile, target, duration, stop, status, swaps).map(|s| (room.id.clone(), s)))
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
            // One room's failure never stops the others.
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                failed = true;
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
    if let Some(f) = token_file {
        let _ = std::fs::remove_file(f);
    }
    drop(run);
    let _ = std::fs::remove_dir_all(&preview_root);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
