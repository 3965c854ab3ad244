//! A room: one market's show, from its chain to the pipeline, rendered offline or live.
//!
//! A show runs one script writer ([`ShowRun`]); every room reads that script through its own
//! chain (translate → market guard → voice, [`crate::feed`]) and its own media clock.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use avatar::{FrameState, RigChoice, Stage, StageSetup};
use broadcast::{EncoderKind, RoomPipeline, Target};
use crossbeam_channel::Sender;
use script::{Guard, LlmWriter, TemplateWriter};
use show::config::RigSpec;
use show::stages::Writer;
use show::{OutputProfile, Pack, RoomConfig, SAMPLE_RATE};

use crate::DirectorError;
use crate::feed::{Feed, FeedSetup, SwapRequest};
use crate::language::{LanguageKit, source_locale};
use crate::plan::Planner;
use crate::script_feed::{Rejected, ScriptLog, ShowFeed, ShowFeedSetup};
use crate::show::Show;
use crate::timeline::{Moment, Music, Pace, PlayedLine, Timeline};

/// Which writer writes the show.
#[derive(Clone, Debug, Default)]
pub enum WriterChoice {
    #[default]
    Template,
    /// The local LLM: a GGUF file (already resolved and verified) on a device, with this many
    /// threads (live rooms leave cores to the video); `grammar`: a larger installed model
    /// whose grammar probe reads its lines too (`script::auto::grammar_reader`).
    Llm { model: PathBuf, device: script::llm::DeviceChoice, threads: usize, grammar: Option<PathBuf> },
}

impl WriterChoice {
    pub fn name(&self) -> &'static str {
        match self {
            WriterChoice::Template => "template",
            WriterChoice::Llm { .. } => "llm",
        }
    }
}

/// Builds the show's writer. The LLM writer loads its model here, on the caller's thread,
/// before the show starts: a broken model fails the start, not the show.
pub fn make_writer(show: &Show, choice: &WriterChoice) -> Result<Box<dyn Writer>, DirectorError> {
    Ok(match choice {
        WriterChoice::Template => Box::new(TemplateWriter::new(&show.config.title, &show.config.persona, show.config.seed)),
        WriterChoice::Llm { model, device, threads, grammar } => {
            // The larger model that reads the lines too starts loading first, on a thread of
            // its own, beside the writer's model and the voice (whose loads leave a core idle
            // for seconds) rather than in the show's first seconds; the first line it reads
            // waits for it. One that cannot load costs only the second opinion.
            let reader = grammar.as_ref().map(|g| script::grammar::GrammarCheck::load_reader_on_a_thread(g.clone(), *threads));
            // The weights move to 2 MiB pages later, when the writer can spare the time
            // (`Writer::settle`): the show's first line does not wait for it.
            let opts = script::llm::LoadOptions { device: *device, threads: *threads, defer_huge_pages: true, ..Default::default() };
            let llm = script::llm::Llm::load_with(model, &opts).map_err(|e| DirectorError::Setup(format!("the LLM writer could not start: {e}")))?;
            tracing::info!(model = %model.display(), device = %llm.device_name(), "LLM writer ready");
            let writer = LlmWriter::new(llm, &show.config.title, &show.config.persona, show.catalog.clone(), show.config.run_of_show.offer_minutes, show.config.seed);
            match reader {
                Some(load) => Box::new(writer.with_grammar_reader_loading(load)),
                None => Box::new(writer),
            }
        }
    })
}

/// The parts of a running show its rooms share: the one script writer, and the kit that
/// builds rooms' languages.
pub struct ShowRun {
    pub log: Arc<ScriptLog>,
    pub kit: Arc<LanguageKit>,
    feed: ShowFeed,
    /// Readers registered before the rooms start, so a room that takes longer to start (a
    /// translator loading) still reads the script from its first line.
    readers: Mutex<std::collections::HashMap<String, crate::script_feed::ScriptReader>>,
}

impl ShowRun {
    /// Starts the writer thread. `offline`: the script is kept whole, for rooms rendered one
    /// after another; live, lines every room has passed are forgotten.
    pub fn start(show: &Show, writer: &WriterChoice, kit: Arc<LanguageKit>, offline: bool) -> Result<ShowRun, DirectorError> {
        Self::start_at(show, writer, kit, offline, None)
    }

    /// [`ShowRun::start`], the run of show opening on `product` (index into the show's
    /// products): a restarted show resumes where it was.
    pub fn start_at(show: &Show, writer: &WriterChoice, kit: Arc<LanguageKit>, offline: bool, product: Option<usize>) -> Result<ShowRun, DirectorError> {
        let ros = &show.config.run_of_show;
        let log = ScriptLog::new(if offline { 12 } else { 8 }, offline);
        let mut planner = Planner::new(ros, show.products.len());
        if let Some(p) = product.filter(|p| *p > 0 && *p < show.products.len()) {
            planner.jump_to(p, 0.0);
        }
        let feed = ShowFeed::spawn(
            ShowFeedSetup {
                catalog: show.catalog.clone(),
                products: show.products.clone(),
                planner,
                writer: crate::faults::Faults::from_env().wrap_writer(make_writer(show, writer)?),
                guard: Guard::new(ros.offer_minutes).with_names(&show.config.title, &show.config.persona.name),
                source: source_locale(),
                offer_minutes: ros.offer_minutes,
                pause_seconds: ros.pause_seconds,
                fallback: Box::new(TemplateWriter::new(&show.config.title, &show.config.persona, show.config.seed ^ 0x57a11)),
                // A live room that has read every line waits at most this long on the writer.
                watchdog: (!offline).then_some(Duration::from_secs(5)),
            },
            log.clone(),
        )
        .map_err(|e| DirectorError::Setup(format!("cannot start the script writer: {e}")))?;
        Ok(ShowRun { log, kit, feed, readers: Mutex::new(std::collections::HashMap::new()) })
    }

    /// Registers the rooms that will read the script before any of them starts: the writer
    /// waits for them, and forgets nothing they have not read.
    pub fn expect_rooms<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut r = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            r.entry(id.to_string()).or_insert_with(|| self.log.reader());
        }
    }

    /// Switches the run of show to a product (index into the show's products) from the next
    /// segment the writer plans.
    pub fn switch_product(&self, product: usize) {
        self.log.switch_product(product);
    }

    fn reader(&self, room: &str) -> crate::script_feed::ScriptReader {
        self.readers.lock().unwrap_or_else(|e| e.into_inner()).remove(room).unwrap_or_else(|| self.log.reader())
    }

    pub fn stop(&mut self) {
        self.feed.stop();
    }
}

impl Drop for ShowRun {
    fn drop(&mut self) {
        self.feed.stop();
    }
}

/// `live`: a room paced by the wall clock (it may hurry past a busy model); offline renders
/// wait for every translation and keep a log of refusals.
fn chain(show: &Show, run: &ShowRun, room: &RoomConfig, pack: &Pack, lookahead: usize, clock: Arc<AtomicU64>, live: bool) -> Result<Feed, DirectorError> {
    let ros = &show.config.run_of_show;
    let language = run.kit.room_language(room, pack)?;
    let (catalog, products) = show.room_catalog(&room.id);
    Feed::spawn(FeedSetup {
        room: room.id.clone(),
        reader: run.reader(&room.id),
        source_catalog: show.catalog.clone(),
        catalog,
        products,
        language,
        // Live: replies get a thread and a voice of their own.
        reply_language: if live { Some(run.kit.room_language(room, pack)?) } else { None },
        source: source_locale(),
        offer_minutes: ros.offer_minutes,
        pause_seconds: ros.pause_seconds,
        lookahead,
        clock,
        keep_log: !live,
        live,
    })
    .map_err(|e| DirectorError::Setup(format!("cannot start the room's chain: {e}")))
}

/// Builds what a live swap to `pack` needs — the room's new language, its stage (label,
/// layout direction) and fillers — off the media path, ready to send to the room's [`crate::feed::Feed::swapper`].
pub fn prepare_swap(show: &Show, kit: &Arc<LanguageKit>, room: &RoomConfig, profile: &OutputProfile, pack_id: &str) -> Result<SwapRequest, DirectorError> {
    let pack = kit.packs.get(pack_id).ok_or_else(|| DirectorError::Setup(format!("no language pack `{pack_id}` (packs: {})", kit.packs.ids().join(", "))))?;
    let mut swapped = room.clone();
    swapped.pack = Some(pack.id.clone());
    swapped.locale = pack.locale.clone();
    swapped.voice = None;
    // The new market's own AI label, in its language.
    swapped.label = None;
    let language = kit.room_language(&swapped, pack)?;
    let stage = make_stage(show, &swapped, Some(pack), profile)?;
    let fillers = render_fillers(kit, &swapped, pack)?;
    let reply_language = Some(kit.room_language(&swapped, pack)?);
    Ok(SwapRequest { language, reply_language, stage: Box::new(stage), fillers })
}

/// Renders `room`'s filler lines in `pack`'s language on a thread of their own, with a voice of
/// their own, and delivers each as soon as it is rendered (the shortest first).
fn render_fillers(kit: &Arc<LanguageKit>, room: &RoomConfig, pack: &Pack) -> Result<crate::feed::Fillers, DirectorError> {
    let mut voice = kit.voice(room, pack)?;
    let locale = crate::language::room_locale(room, pack);
    let (tx, rx) = crossbeam_channel::unbounded();
    let pack = pack.clone();
    std::thread::Builder::new()
        .name(format!("fillers-{}", room.id))
        .spawn(move || {
            crate::work_ahead_priority();
            crate::language::fillers(&pack, &locale, voice.as_mut(), &mut |u| tx.send(u).is_ok());
        })
        .map_err(|e| DirectorError::Setup(format!("cannot start the filler thread: {e}")))?;
    Ok(rx)
}

/// Builds the stage renderer for a room at a given size.
pub fn make_stage(show: &Show, room: &RoomConfig, pack: Option<&Pack>, profile: &OutputProfile) -> Result<Stage, DirectorError> {
    let mut stage = show.config.stage.clone();
    // The room's own label, else the show's, else the market's from its pack.
    // The room's own label; else, in a market of another language, its pack's (the show's
    // label is written in the show's language); else the show's, else the pack's.
    let foreign = pack.is_some_and(|p| p.locale.language() != source_locale().language());
    if room.label.is_some() {
        stage.label = room.label.clone();
    } else if foreign || stage.label.is_none() {
        stage.label = pack.map(|p| p.disclosure.label.clone()).or(stage.label);
    }
    let locale = pack.map_or(room.locale.clone(), |p| crate::language::room_locale(room, p));
    Stage::new(StageSetup {
        width: profile.width,
        height: profile.height,
        fps: profile.fps,
        locale,
        persona: show.config.persona.clone(),
        products: (*show.room_catalog(&room.id).1).clone(),
        rig: match room.rig.as_ref().unwrap_or(&stage.rig) {
            RigSpec::BuiltIn => RigChoice::BuiltIn,
            RigSpec::Png(dir) => RigChoice::Png(dir.clone()),
            RigSpec::Clips(dir) => RigChoice::Clips(dir.clone()),
        },
        stage,
    })
    .map_err(|e| DirectorError::Setup(format!("room `{}`: the stage could not be built: {e}", room.id)))
}

/// The music bed, levelled to the room's programme loudness before its volume applies, so a
/// loud or quiet file sits the same under the voice.
fn music(show: &Show, loudness: f32) -> Result<Option<Music>, DirectorError> {
    let Some(m) = &show.config.music else { return Ok(None) };
    let mut samples = broadcast::decode_audio(&m.file).map_err(DirectorError::Broadcast)?;
    voice::Leveler::new(loudness).apply(&mut samples, show::SAMPLE_RATE);
    Ok(Some(Music { samples: Arc::new(samples), volume: m.volume, duck: m.duck }))
}

fn frame_state<'a>(m: &'a Moment) -> FrameState<'a> {
    FrameState {
        t: m.t,
        product: m.product,
        subtitle: m.utterance.as_ref().map(|u| u.display.as_str()),
        word: m.word.clone(),
        mouth: m.mouth,
        speaking: m.speaking,
        countdown: m.countdown,
        gesture: m.gesture,
        look_at_card: m.look_at_card,
    }
}

/// What an offline render of one room produced.
pub struct RoomRender {
    pub room: RoomConfig,
    pub pack: String,
    /// Lines replaced by the pack's native templates, and lines dropped to keep to the show clock.
    pub native_lines: u64,
    pub dropped_lines: u64,
    pub profile: OutputProfile,
    pub played: Vec<PlayedLine>,
    pub rejected: Vec<Rejected>,
    pub seconds: f64,
    pub wall: Duration,
    pub render_time: Duration,
    pub files: Vec<PathBuf>,
}

/// Renders `seconds` of a room to `<out>/<room>.mp4`, `.wav`, `.srt` and `.vtt`, as fast as
/// the machine allows. `progress` gets the fraction done.
pub fn render_room(
    show: &Show,
    run: &ShowRun,
    room: &RoomConfig,
    profile: &OutputProfile,
    out: &Path,
    seconds: f64,
    progress: &mut dyn FnMut(f64),
) -> Result<RoomRender, DirectorError> {
    std::fs::create_dir_all(out).map_err(|e| DirectorError::Io(format!("cannot create {}: {e}", out.display())))?;
    let started = Instant::now();
    let pack = run.kit.pack_for(room)?.clone();
    let mut stage = make_stage(show, room, Some(&pack), profile)?;
    let mut feed = chain(show, run, room, &pack, 12, Arc::new(AtomicU64::new(0)), false)?;
    let encoder = broadcast::pick_encoder(profile.encoder).map_err(DirectorError::Broadcast)?;
    let mp4 = out.join(format!("{}.mp4", room.id));
    let wav = out.join(format!("{}.wav", room.id));
    let mut pipeline = RoomPipeline::start(&room.id, profile, &Target::Mp4 { path: mp4.clone() }, encoder, false).map_err(DirectorError::Broadcast)?;
    let spec = hound::WavSpec { channels: 1, sample_rate: SAMPLE_RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut wav_writer = hound::WavWriter::create(&wav, spec).map_err(|e| DirectorError::Io(format!("cannot write {}: {e}", wav.display())))?;
    let mut timeline = Timeline::new(profile.fps, Pace::Offline, show.config.run_of_show.pause_seconds, music(show, room.loudness)?, Vec::new(), (!show.products.is_empty()).then_some(0));
    let frames = (seconds * f64::from(profile.fps)).round() as u64;
    let mut render_time = Duration::ZERO;
    for n in 0..frames {
        let (audio, moment) = timeline.step(&feed.rx);
        for s in audio {
            wav_writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16).map_err(|e| DirectorError::Io(e.to_string()))?;
        }
        let state = frame_state(&moment);
        let mut spent = Duration::ZERO;
        pipeline
            .push(
                |buf| {
                    let t0 = Instant::now();
                    stage.render(&state, buf);
                    spent = t0.elapsed();
                },
                audio,
            )
            .map_err(DirectorError::Broadcast)?;
        render_time += spent;
        if n % 15 == 0 {
            progress(n as f64 / frames as f64);
        }
    }
    feed.stop();
    pipeline.finish(Duration::from_secs(60)).map_err(DirectorError::Broadcast)?;
    wav_writer.finalize().map_err(|e| DirectorError::Io(e.to_string()))?;
    // A line cut by the end of the render is not in the files' subtitles.
    let played: Vec<PlayedLine> = timeline.played.iter().filter(|l| l.end <= seconds).cloned().collect();
    let srt = out.join(format!("{}.srt", room.id));
    let vtt = out.join(format!("{}.vtt", room.id));
    std::fs::write(&srt, crate::subtitles::srt(&played)).map_err(|e| DirectorError::Io(e.to_string()))?;
    std::fs::write(&vtt, crate::subtitles::vtt(&played)).map_err(|e| DirectorError::Io(e.to_string()))?;
    let json = out.join(format!("{}.lines.json", room.id));
    std::fs::write(&json, crate::subtitles::lines_json(&played, &show.products)).map_err(|e| DirectorError::Io(e.to_string()))?;
    progress(1.0);
    let stats = feed.stats.lock().unwrap_or_else(|e| e.into_inner());
    let mut rejected = run.log.rejections();
    rejected.extend(stats.rejections.iter().cloned());
    Ok(RoomRender {
        room: room.clone(),
        pack: pack.id.clone(),
        native_lines: stats.native,
        dropped_lines: stats.dropped,
        profile: profile.clone(),
        played,
        rejected,
        seconds,
        wall: started.elapsed(),
        render_time,
        files: vec![mp4, wav, srt, vtt, json],
    })
}

/// Renders the frame of an offline render at `at` seconds: the same feed and timeline as
/// [`render_room`], without encoding. Returns RGBA pixels.
pub fn snapshot(show: &Show, room: &RoomConfig, profile: &OutputProfile, at: f64, writer: &WriterChoice) -> Result<Vec<u8>, DirectorError> {
    let kit = Arc::new(LanguageKit::new(show, Some(crate::language::state_dir().join("tm")), 1)?);
    let run = ShowRun::start(show, writer, kit, true)?;
    let pack = run.kit.pack_for(room)?.clone();
    let mut stage = make_stage(show, room, Some(&pack), profile)?;
    let mut feed = chain(show, &run, room, &pack, 12, Arc::new(AtomicU64::new(0)), false)?;
    let mut timeline = Timeline::new(profile.fps, Pace::Offline, show.config.run_of_show.pause_seconds, None, Vec::new(), (!show.products.is_empty()).then_some(0));
    let target = (at.max(0.0) * f64::from(profile.fps)).round() as u64;
    let mut frame = vec![0u8; (profile.width * profile.height * 4) as usize];
    loop {
        let n = timeline.frame();
        let (_, moment) = timeline.step(&feed.rx);
        // The stage animates from frame to frame (card slide-in); draw the last second of them.
        if n + u64::from(profile.fps) >= target {
            stage.render(&frame_state(&moment), &mut frame);
        }
        if n >= target {
            break;
        }
    }
    feed.stop();
    Ok(frame)
}

/// What a live room reports while it runs (read by the preview page and the CLI).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RoomStatus {
    pub room: String,
    pub state: String,
    /// The language pack speaking now.
    pub pack: String,
    pub seconds: f64,
    pub speaking: Option<String>,
    pub product: Option<String>,
    pub frames: u64,
    pub starved_frames: u64,
    pub reconnects: u64,
    pub late_frames: u64,
    /// Lines carried by a translation engine or the memory, by the pack's native templates,
    /// and dropped to keep to the show clock.
    pub translated: u64,
    pub native: u64,
    pub dropped: u64,
    /// Replies said (answers, greetings, thanks, operator lines) and, for the latest ones that
    /// answered a chat message, the time from its arrival to their first sample (ms).
    pub replies: u64,
    pub reply_latency_ms: std::collections::VecDeque<u64>,
    /// Lines the feed's voice failed on, and frames the host had nothing to say.
    pub voice_errors: u64,
    pub paused: bool,
    /// How far the room's media clock is behind the wall clock since it started (s).
    pub clock_lag: f64,
    /// Seconds left on the offer countdown on screen.
    pub countdown_left: Option<f64>,
    /// Frames sent per second of wall clock over the last few seconds.
    pub fps: f64,
    /// Audio minus video timestamps pushed to the output (s).
    pub av_drift: f64,
}

/// The operator's hold on a live room.
#[derive(Debug, Default)]
pub struct RoomControl {
    /// The run of show is held: the host says replies and operator lines only.
    pub paused: AtomicBool,
    /// Cut the line being spoken short (set by the operator, cleared by the room).
    pub skip: AtomicBool,
    /// Drop the run-of-show lines the room has ready (a product switch: they are about the
    /// product before).
    pub flush: AtomicBool,
}

/// What a live room shares with the rest of the show while it runs: its swap and reply
/// inboxes (set while its chain runs), the product on its screen, its transcript file and the
/// operator's controls.
#[derive(Clone, Default)]
pub struct LiveHooks {
    pub swaps: Arc<Mutex<Option<Sender<SwapRequest>>>>,
    pub replies: Arc<Mutex<Option<Sender<show::Reply>>>>,
    /// The catalog id of the product on screen.
    pub on_stage: Arc<Mutex<Option<String>>>,
    /// Every line said is appended here as JSON ([`TranscriptEntry`]).
    pub transcript: Option<PathBuf>,
    pub control: Arc<RoomControl>,
    /// A restarted show: the product on stage (index into the room's products) and the
    /// seconds left on its offer countdown.
    pub resume: Option<(usize, Option<f64>)>,
}

/// One line of a live room's transcript (`<state dir>/<room>.transcript.jsonl`): what was said,
/// when on the room's clock and the wall clock, and why.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TranscriptEntry {
    pub room: String,
    /// Seconds on the room's media clock.
    pub start: f64,
    pub end: f64,
    /// Milliseconds since the Unix epoch.
    pub wall_start_ms: u64,
    pub wall_end_ms: u64,
    /// As shown (subtitles) and as given to the voice.
    pub text: String,
    pub spoken: String,
    /// `script`, `answer`, `greeting`, `thanks`, `operator` or `filler`.
    pub source: String,
    pub segment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub pack: String,
    pub written_by: String,
    /// For replies: the chat message answered, when it arrived, and how long until its first
    /// sample was played.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The line was cut short: for a reply (at a clause or word), or by the operator's skip.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

fn transcript_entry(room: &str, l: &PlayedLine, now_t: f64, now_ms: u64, products: &[show::Product]) -> TranscriptEntry {
    let wall = |t: f64| (now_ms as f64 - (now_t - t) * 1000.0).max(0.0) as u64;
    let origin = l.origin.as_deref();
    let reply = origin.and_then(|o| o.reply.clone());
    let source = match (&reply, l.segment) {
        (Some((kind, _)), _) => kind.name().to_string(),
        (None, show::SegmentKind::Filler) => "filler".into(),
        (None, _) => "script".into(),
    };
    let message = reply.and_then(|(_, m)| m);
    let wall_start_ms = wall(l.start);
    TranscriptEntry {
        room: room.to_string(),
        start: l.start,
        end: l.end,
        wall_start_ms,
        wall_end_ms: wall(l.end),
        text: l.utterance.display.clone(),
        spoken: l.utterance.spoken.clone(),
        source,
        segment: l.segment.name().to_string(),
        product: l.product.and_then(|i| products.get(i)).map(|p| p.id.clone()),
        pack: origin.map(|o| o.pack.clone()).unwrap_or_default(),
        written_by: crate::subtitles::written_by(l),
        latency_ms: message.as_ref().filter(|(_, at)| *at > 0).map(|(_, at)| wall_start_ms.saturating_sub(*at)),
        received_ms: message.as_ref().map(|(_, at)| *at),
        message_id: message.map(|(id, _)| id),
        cut: l.cut,
    }
}

/// A live room's running summary when it stops.
#[derive(Clone, Debug)]
pub struct LiveSummary {
    pub seconds: f64,
    pub frames: u64,
    pub reconnects: u64,
    pub late_frames: u64,
    pub render_time: Duration,
}

/// Runs a room live until `stop` is set or `duration` passes: frames are paced by the wall
/// clock; a sink that fails (RTMP server gone) is rebuilt with back-off while the show goes on.
#[allow(clippy::too_many_arguments)]
pub fn run_live(
    show: &Show,
    run: &ShowRun,
    room: &RoomConfig,
    profile: &OutputProfile,
    target: Target,
    duration: Option<Duration>,
    stop: Arc<AtomicBool>,
    status: Arc<Mutex<RoomStatus>>,
    hooks: LiveHooks,
) -> Result<LiveSummary, DirectorError> {
    let LiveHooks { swaps, replies, on_stage, transcript, control, resume } = hooks;
    let pack = run.kit.pack_for(room)?.clone();
    let mut stage = make_stage(show, room, Some(&pack), profile)?;
    // Fillers are rendered beside the first lines, not before them: with a neural voice they
    // take seconds, and the show should open as soon as its first line is ready.
    let mut fillers_rx = render_fillers(&run.kit, room, &pack)?;
    let clock = Arc::new(AtomicU64::new(0f64.to_bits()));
    let mut feed = chain(show, run, room, &pack, 6, clock.clone(), true)?;
    *swaps.lock().unwrap_or_else(|e| e.into_inner()) = Some(feed.swapper());
    *replies.lock().unwrap_or_else(|e| e.into_inner()) = Some(feed.replier());
    let encoder = broadcast::pick_encoder(profile.encoder).map_err(DirectorError::Broadcast)?;
    let mut timeline = Timeline::new(profile.fps, Pace::Live, show.config.run_of_show.pause_seconds, music(show, room.loudness)?, Vec::new(), (!show.products.is_empty()).then_some(0))
        .forget_history()
        .with_urgent(feed.urgent.clone())
        .with_script_barrier(run.log.barrier())
        .record_finished();
    if let Some((product, countdown)) = resume {
        timeline.resume(product, countdown);
    }
    let room_products = show.room_catalog(&room.id).1;
    // The transcript is appended to (a restarted show continues it); a file that cannot be
    // written is reported once and the show goes on.
    let mut transcript = match transcript {
        Some(path) => {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
                Ok(f) => Some(std::io::BufWriter::new(f)),
                Err(e) => {
                    tracing::warn!(room = %room.id, "no transcript: cannot write {}: {e}", path.display());
                    None
                }
            }
        }
        None => None,
    };
    let set = |f: &dyn Fn(&mut RoomStatus)| f(&mut status.lock().unwrap_or_else(|e| e.into_inner()));
    set(&|s| {
        s.room = room.id.clone();
        s.state = "starting".into();
        s.pack = pack.id.clone();
    });

    // Give the feed time to get its first line ready, so the show opens with speech (a neural
    // voice takes a few seconds for a long opening line on 2 cores).
    let warm = Instant::now();
    while feed.rx.is_empty() && warm.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut pipeline: Option<RoomPipeline> = None;
    let mut retry_at = Instant::now();
    let mut backoff = Duration::from_secs(1);
    let mut reconnects = 0u64;
    let mut late_frames = 0u64;
    let mut render_time = Duration::ZERO;
    let frame_period = 1.0 / f64::from(profile.fps);
    let start = Instant::now();
    let frames_total = duration.map(|d| (d.as_secs_f64() * f64::from(profile.fps)).round() as u64);
    // The producer runs at most this far ahead of the wall clock (queue slack).
    let lead = Duration::from_millis(150);
    let mut have_frame = false;
    let mut fps_window: std::collections::VecDeque<(Instant, u64)> = std::collections::VecDeque::new();
    loop {
        while let Ok(filler) = fillers_rx.try_recv() {
            timeline.add_filler(filler);
        }
        let n = timeline.frame();
        if stop.load(Ordering::Relaxed) || frames_total.is_some_and(|t| n >= t) {
            break;
        }
        // Pace: frame n is due at start + n/fps.
        let due = start + Duration::from_secs_f64(n as f64 * frame_period);
        let now = Instant::now();
        if due > now + lead {
            std::thread::sleep(due - now - lead);
        }
        let behind = Instant::now().saturating_duration_since(due);
        // A language swap takes effect at the next sentence: new stage, new fillers, and the
        // old language's queued lines are skipped. The stream and the media clock go on.
        while let Ok(notice) = feed.notices.try_recv() {
            stage = *notice.stage;
            timeline.set_language(notice.generation);
            fillers_rx = notice.fillers;
            have_frame = false;
            set(&|s| s.pack = notice.pack.clone());
        }
        clock.store(timeline.seconds().to_bits(), Ordering::Relaxed);
        timeline.set_paused(control.paused.load(Ordering::Relaxed));
        if control.skip.swap(false, Ordering::Relaxed) {
            timeline.skip_current();
        }
        if control.flush.swap(false, Ordering::Relaxed) {
            timeline.flush_script(&feed.rx);
        }
        let (audio, moment) = timeline.step(&feed.rx);
        let audio = audio.to_vec();
        let finished = timeline.take_finished();
        if !finished.is_empty() {
            let (now_t, now_ms) = (timeline.seconds(), show::chat::now_ms());
            for l in &finished {
                let entry = transcript_entry(&room.id, l, now_t, now_ms, &room_products);
                if entry.source != "script" && entry.source != "filler" {
                    let latency = entry.latency_ms;
                    set(&|s| {
                        s.replies += 1;
                        if let Some(ms) = latency {
                            s.reply_latency_ms.push_back(ms);
                            if s.reply_latency_ms.len() > 200 {
                                s.reply_latency_ms.pop_front();
                            }
                        }
                    });
                }
                if let Some(w) = transcript.as_mut() {
                    use std::io::Write;
                    let ok = serde_json::to_string(&entry).map_err(std::io::Error::other).and_then(|j| writeln!(w, "{j}")).and_then(|_| w.flush());
                    if let Err(e) = ok {
                        tracing::warn!(room = %room.id, "the transcript stopped: {e}");
                        transcript = None;
                    }
                }
            }
        }
        if pipeline.is_none() && Instant::now() >= retry_at {
            match RoomPipeline::start(&room.id, profile, &target, encoder, true) {
                Ok(p) => {
                    pipeline = Some(p);
                    backoff = Duration::from_secs(1);
                    set(&|s| s.state = "live".into());
                }
                Err(e) => {
                    tracing::warn!(room = %room.id, "output not started: {e}; retrying in {backoff:?}");
                    retry_at = Instant::now() + backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    set(&|s| s.state = "reconnecting".into());
                }
            }
        }
        // When the machine falls behind, re-send the last picture instead of drawing a new one:
        // audio (the clock) stays whole and the picture catches up.
        let skip_render = behind > Duration::from_secs_f64(frame_period * 3.0) && have_frame;
        if skip_render {
            late_frames += 1;
        }
        // Without an output (reconnecting) nothing is drawn: the clock and the script go on.
        if let Some(p) = pipeline.as_mut() {
            let state = frame_state(&moment);
            let mut spent = Duration::ZERO;
            let result = if skip_render {
                p.push_repeat(&audio)
            } else {
                have_frame = true;
                p.push(
                    |buf| {
                        let t0 = Instant::now();
                        stage.render(&state, buf);
                        spent = t0.elapsed();
                    },
                    &audio,
                )
            };
            render_time += spent;
            if let Err(e) = result {
                tracing::warn!(room = %room.id, "output failed: {e}; the show goes on and the output is retried in {backoff:?}");
                if let Some(p) = pipeline.take() {
                    p.abort();
                }
                have_frame = false;
                reconnects += 1;
                retry_at = Instant::now() + backoff;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                set(&|s| s.state = "reconnecting".into());
            }
        }
        if n % 10 == 0 {
            *on_stage.lock().unwrap_or_else(|e| e.into_inner()) = moment.product.and_then(|i| room_products.get(i)).map(|p| p.id.clone());
            let speaking = moment.utterance.as_ref().map(|u| u.display.clone());
            let product = moment.product.map(|i| show.product_title(Some(i)));
            let secs = timeline.seconds();
            let starved = timeline.starved_frames;
            let (translated, native, dropped, voice_errors) = {
                let st = feed.stats.lock().unwrap_or_else(|e| e.into_inner());
                (st.translated, st.native, st.dropped, st.voice_errors)
            };
            let paused = control.paused.load(Ordering::Relaxed);
            let clock_lag = start.elapsed().as_secs_f64() - secs;
            let countdown_left = timeline.countdown_left();
            // Frames per wall second, over a window of about five seconds.
            let now = Instant::now();
            fps_window.push_back((now, n));
            while fps_window.len() > 2 && now.duration_since(fps_window[0].0) > Duration::from_secs(5) {
                fps_window.pop_front();
            }
            let fps = match (fps_window.front(), fps_window.back()) {
                // Under a second of history (the start, with its lead) says little.
                (Some(a), Some(b)) if b.0.duration_since(a.0) >= Duration::from_secs(1) => (b.1 - a.1) as f64 / b.0.duration_since(a.0).as_secs_f64(),
                _ => 0.0,
            };
            let av_drift = pipeline.as_ref().map_or(0.0, |p| p.av_drift());
            set(&|s| {
                s.fps = fps;
                s.av_drift = av_drift;
                s.countdown_left = countdown_left;
                s.voice_errors = voice_errors;
                s.paused = paused;
                s.clock_lag = clock_lag;
                s.translated = translated;
                s.native = native;
                s.dropped = dropped;
                s.seconds = secs;
                s.speaking = speaking.clone();
                s.product = product.clone();
                s.frames = n;
                s.starved_frames = starved;
                s.reconnects = reconnects;
                s.late_frames = late_frames;
            });
        }
    }
    *swaps.lock().unwrap_or_else(|e| e.into_inner()) = None;
    *replies.lock().unwrap_or_else(|e| e.into_inner()) = None;
    feed.stop();
    set(&|s| s.state = "finishing".into());
    if let Some(p) = pipeline.take() {
        if let Err(e) = p.finish(Duration::from_secs(10)) {
            tracing::warn!(room = %room.id, "the stream did not end cleanly: {e}");
        }
    }
    set(&|s| s.state = "stopped".into());
    Ok(LiveSummary { seconds: timeline.seconds(), frames: timeline.frame(), reconnects, late_frames, render_time })
}

/// Chooses the encoder a profile will use on this machine (for `doctor` and logs).
pub fn encoder_for(profile: &OutputProfile) -> Result<EncoderKind, DirectorError> {
    broadcast::pick_encoder(profile.encoder).map_err(DirectorError::Broadcast)
}
