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
use director::room::{LiveHooks, RoomStatus, ShowRun, run_live};
use director::show::Show;
use show::config::{OutputKind, OutputSpec};

use control::swap::{Control, ControlRoom};
use control::server::{PreviewRoom, PreviewServer};
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
    /// Port of the local preview page, console and control API.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address the control server listens on: 127.0.0.1 (default) keeps it on this machine;
    /// 0.0.0.0 inside a container, published on the host's loopback.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    #[command(flatten)]
    writer: crate::writer::WriterArgs,
    #[command(flatten)]
    chat: ChatArgs,
    /// Where the show keeps its transcripts (`<room>.transcript.jsonl`); default: a folder per
    /// show under the state directory.
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
}

/// Where viewers' chat comes from (the control API's `POST /api/chat` and WebSocket feed are
/// always open).
#[derive(Args, Default)]
pub struct ChatArgs {
    /// Replay a timed chat file: one JSON object per line, {"at": SECONDS, "user": "…", "text": "…"}.
    #[arg(long, value_name = "FILE")]
    chat_replay: Option<PathBuf>,
    /// Start the replay over when it ends (soak runs).
    #[arg(long, requires = "chat_replay")]
    chat_replay_loop: bool,
    /// Read chat as NDJSON from stdin ({"user": "…", "text": "…"} per line): the bridge any
    /// platform connector can write to.
    #[arg(long)]
    chat_stdin: bool,
    /// Accept NDJSON chat connections on this address (e.g. 127.0.0.1:7070).
    #[arg(long, value_name = "ADDR")]
    chat_listen: Option<String>,
    /// Read a Twitch (or any IRC) channel: irc://irc.chat.twitch.tv:6667/#channel. The nick comes
    /// from EVERCAST_IRC_NICK, the password (Twitch: oauth:…) from EVERCAST_IRC_PASS.
    #[arg(long, value_name = "URL")]
    chat_irc: Option<String>,
    /// Replies wait for the operator's click in the console (http://127.0.0.1:PORT/console).
    #[arg(long)]
    approve_replies: bool,
    /// No chat replies at all (the run of show only).
    #[arg(long, conflicts_with_all = ["chat_replay", "chat_stdin", "chat_listen", "chat_irc"])]
    no_chat: bool,
    /// Open questions get the safe line instead of an answer from the writer's LLM (which
    /// otherwise loads a second time, on one thread, for them).
    #[arg(long)]
    no_llm_answers: bool,
}

/// A chat source silent this long while connected raises the alarm.
const CHAT_SILENCE_ALARM: Duration = Duration::from_secs(300);

/// The default folder of a show's state: `<state dir>/shows/<show file stem>`.
pub fn show_state_dir(show_file: &std::path::Path) -> PathBuf {
    let stem: String = show_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "show".into());
    // The demo's `show.toml` and a seller's own `show.toml` in another folder must not share:
    // the parent folder's name is part of it.
    let parent = show_file.canonicalize().ok().and_then(|p| p.parent().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned())).unwrap_or_default();
    let name: String = format!("{parent}-{stem}").chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    state_dir().join("shows").join(name.trim_matches('-'))
}

/// Starts the chat desk and the sources asked for.
/// The model that answers open questions, on a thread of its own (the writer's is busy
/// writing), when the show writes with an LLM ([`script::answer_llm::model_path`]).
fn open_answers(args: &ChatArgs, writer: &director::room::WriterChoice, show: &Show) -> Option<script::answer_llm::OpenAnswers> {
    let director::room::WriterChoice::Llm { model, device, .. } = writer else { return None };
    if args.no_llm_answers {
        return None;
    }
    let model = script::answer_llm::model_path(&script::models::default_models_dir(), model);
    // Its weights move to 2 MiB pages between questions (`LlmWorker`), not before the show starts.
    let opts = script::llm::LoadOptions { device: *device, threads: 1, defer_huge_pages: true, ..Default::default() };
    match script::llm::Llm::load_with(&model, &opts).and_then(|llm| {
        let name = llm.label().to_string();
        script::llm::LlmWorker::new(llm).map(|w| (name, w))
    }) {
        Ok((name, worker)) => {
            eprintln!("     answers: open questions by {name} (else templates)");
            Some(script::answer_llm::OpenAnswers::new(Arc::new(worker), &name, show.catalog.clone(), &show.config.title, &show.config.persona.name))
        }
        Err(e) => {
            tracing::warn!("open questions get the safe line: the answer model did not load ({e})");
            None
        }
    }
}

fn start_chat(args: &ChatArgs, show: &Show, kit: &LanguageKit, rooms: &[(show::RoomConfig, LiveHooks)], stop: &Arc<AtomicBool>, writer: &director::room::WriterChoice) -> Result<Arc<chat::Desk>> {
    // The union of the rooms' markets: a message banned in one room is not answered in any.
    let mut rules = show::pack::MarketRules { ai_voice_allowed: true, banned: Vec::new(), allowed: Vec::new() };
    for (room, _) in rooms {
        let pack = kit.pack_for(room)?;
        rules.banned.extend(pack.rules.banned.iter().cloned());
        rules.allowed.extend(pack.rules.allowed.iter().cloned());
    }
    let moderator = chat::Moderator::new(chat::Limits::default(), &rules);
    let guard = script::Guard::new(show.config.run_of_show.offer_minutes).with_names(&show.config.title, &show.config.persona.name);
    let mut answerer = chat::Answerer::new(show.catalog.clone(), show.config.policies.clone(), guard);
    if let Some(open) = open_answers(args, writer, show) {
        answerer = answerer.with_open_answers(open, show.config.run_of_show.offer_minutes);
    }
    let links = rooms.iter().map(|(room, hooks)| chat::RoomLink { id: room.id.clone(), inbox: hooks.replies.clone(), on_stage: hooks.on_stage.clone() }).collect();
    let mut health = vec![chat::SourceHealth::new("ws")];
    let replay = args.chat_replay.as_ref().map(|_| chat::SourceHealth::new("replay"));
    let stdin = args.chat_stdin.then(|| chat::SourceHealth::new("stdin"));
    let tcp = args.chat_listen.as_ref().map(|_| chat::SourceHealth::new("ndjson"));
    let irc = args.chat_irc.as_ref().map(|_| chat::SourceHealth::new("irc"));
    health.extend([&replay, &stdin, &tcp, &irc].into_iter().flatten().cloned());
    let desk = Arc::new(chat::Desk::spawn(chat::DeskSetup {
        moderator,
        answerer,
        rooms: links,
        approval: args.approve_replies,
        min_gap: Duration::from_secs(2),
        health,
        silence_alarm: CHAT_SILENCE_ALARM,
    })?);
    if let (Some(file), Some(h)) = (&args.chat_replay, replay) {
        chat::source::replay(file.clone(), args.chat_replay_loop, desk.inbox(), h, stop.clone()).map_err(anyhow::Error::msg)?;
        eprintln!("        chat: replaying {}", file.display());
    }
    if let Some(h) = stdin {
        let (inbox, stop) = (desk.inbox(), stop.clone());
        std::thread::Builder::new().name("chat-stdin".into()).spawn(move || chat::source::ndjson(std::io::stdin(), &inbox, &h, &stop))?;
        eprintln!("        chat: NDJSON on stdin");
    }
    if let (Some(addr), Some(h)) = (&args.chat_listen, tcp) {
        let (local, _) = chat::source::listen_ndjson(addr, desk.inbox(), h, stop.clone()).map_err(anyhow::Error::msg)?;
        eprintln!("        chat: NDJSON on tcp://{local}");
    }
    if let (Some(url), Some(h)) = (&args.chat_irc, irc) {
        let nick = std::env::var("EVERCAST_IRC_NICK").unwrap_or_else(|_| "evercast".into());
        let pass = std::env::var("EVERCAST_IRC_PASS").ok().filter(|p| !p.is_empty());
        let config = chat::source::IrcConfig::parse(url, &nick, pass).map_err(anyhow::Error::msg)?;
        eprintln!("        chat: IRC {} on {}:{} as {}", config.channel, config.host, config.port, config.nick);
        chat::source::irc(config, desk.inbox(), h, stop.clone())?;
    }
    Ok(desk)
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
        plans.push((room.clone(), profile, target, status, LiveHooks::default()));
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
    // The show's state folder: transcripts, and where the show was (a restart resumes there).
    let state = args.state.clone().unwrap_or_else(|| show_state_dir(&path));
    std::fs::create_dir_all(&state).with_context(|| format!("cannot create the show's state folder {}", state.display()))?;
    let resume = director::state::read_state(&state, &show);
    if let Some((_, id, left)) = &resume {
        eprintln!("      resume: at {}{}", show.product_title(show.products.iter().position(|p| &p.id == id)), left.map(|l| format!(", {l:.0} s left on the offer")).unwrap_or_default());
    }
    let run = Arc::new(ShowRun::start_at(&show, &writer, kit.clone(), false, resume.as_ref().map(|r| r.0))?);
    run.expect_rooms(plans.iter().map(|(room, ..)| room.id.as_str()));
    for (room, _, _, _, hooks) in plans.iter_mut() {
        hooks.transcript = Some(state.join(format!("{}.transcript.jsonl", room.id)));
        if let Some((_, id, left)) = &resume
            && let Some(i) = show.room_catalog(&room.id).1.iter().position(|p| &p.id == id)
        {
            hooks.resume = Some((i, *left));
        }
    }
    eprintln!("  transcript: {}", state.join("<room>.transcript.jsonl").display());
    let (token, generated) = control::swap::token()?;
    let control = Arc::new(Control::new(
        token.clone(),
        show.clone(),
        kit.clone(),
        run.clone(),
        plans.iter().map(|(room, profile, _, _, hooks)| ControlRoom { room: room.clone(), profile: profile.clone(), hooks: hooks.clone() }).collect(),
    )?);
    let stop = Arc::new(AtomicBool::new(false));
    // Chat stops after the rooms (their last replies are not cut).
    let chat_stop = Arc::new(AtomicBool::new(false));
    let desk = if args.chat.no_chat {
        None
    } else {
        let rooms: Vec<(show::RoomConfig, LiveHooks)> = plans.iter().map(|(room, _, _, _, hooks)| (room.clone(), hooks.clone())).collect();
        Some(start_chat(&args.chat, &show, &kit, &rooms, &chat_stop, &writer)?)
    };
    let extra_metrics: Box<dyn Fn(&mut control::metrics::Exposition) + Send + Sync> = {
        let log = run.log.clone();
        Box::new(move |e| {
            e.sample("evercast_script_lines_total", "counter", "Lines the writer wrote that the guard passed", &[], log.written() as f64);
            e.sample("evercast_guard_refusals_total", "counter", "Lines the guard refused (latest 500 kept)", &[], log.rejected_count() as f64);
            {
                let w = script::llm::TOTALS.read();
                let (pt, ps, gt, gs) = (w.prefill_tokens, w.prefill_secs, w.decode_tokens, w.decode_secs);
                e.sample("evercast_llm_prefill_tokens_total", "counter", "Prompt tokens the LLM computed (not from its cache)", &[], pt);
                e.sample("evercast_llm_prefill_seconds_total", "counter", "Seconds the LLM spent on prompts", &[], ps);
                e.sample("evercast_llm_decode_tokens_total", "counter", "Tokens the LLM decoded (after each reply's first)", &[], gt);
                e.sample("evercast_llm_decode_seconds_total", "counter", "Seconds the LLM spent decoding", &[], gs);
                e.sample("evercast_llm_decode_tokens_per_second", "gauge", "Decode speed since the start (tokens per busy second)", &[], if gs > 0.0 { gt / gs } else { 0.0 });
            }
            e.sample("evercast_voice_restarts_total", "counter", "Times a stalled voice was opened afresh", &[], director::voices::VOICE_RESTARTS.load(std::sync::atomic::Ordering::Relaxed) as f64);
            e.sample("evercast_writer_stalls_total", "counter", "Times the script writer stalled and templates wrote in its place", &[], log.stalls() as f64);
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().context("cannot start the async runtime")?;
    let has_preview = preview_rooms.iter().any(|r| r.preview);
    let server = match runtime.block_on(PreviewServer::start(args.bind, args.port, &show.config.title, preview_rooms, control.clone(), desk.clone(), extra_metrics)) {
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
    let token_file = match server.as_ref().map(|_| control::swap::write_token_file(port, &token)) {
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
            eprintln!("     control: http://127.0.0.1:{port}/api (bearer token {token}; set {} to choose it)", control::TOKEN_VAR);
            eprintln!("     console: http://127.0.0.1:{port}/console#token={token}");
        } else {
            eprintln!("     control: http://127.0.0.1:{port}/api (bearer token from {})", control::TOKEN_VAR);
            eprintln!("     console: http://127.0.0.1:{port}/console (enter the token)");
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

    let saver = {
        let (_, _, _, status, hooks) = &plans[0];
        director::state::keep_state(state.clone(), hooks.clone(), status.clone(), chat_stop.clone())?
    };
    let mut handles = Vec::new();
    for (room, profile, target, status, hooks) in plans {
        let (show, stop, duration, run) = (show.clone(), stop.clone(), args.duration, run.clone());
        let handle = std::thread::Builder::new()
            .name(format!("room-{}", room.id))
            .spawn(move || run_live(&show, &run, &room, &profile, target, duration, stop, status, hooks).map(|s| (room.id.clone(), s)))
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
    chat_stop.store(true, Ordering::Relaxed);
    let _ = saver.join();
    if let Some(s) = server {
        runtime.block_on(s.shutdown());
    }
    drop(desk);
    if let Some(f) = token_file {
        let _ = std::fs::remove_file(f);
    }
    drop(run);
    let _ = std::fs::remove_dir_all(&preview_root);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
