//! `evercast bench voice`: per voice and language, the real-time factor, the time to the first
//! audio of a 12-word sentence, and the word error rate of Whisper base transcribing the
//! voice's own sales lines back — alone, then again while a 720p room streams; and a live
//! 720p room speaking with a Kokoro voice (starved and late frames, cores used).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use broadcast::Target;
use director::room::{RoomStatus, ShowRun, WriterChoice, run_live};
use serde::Serialize;
use show::stages::Voice;
use voice::neural::ChunkedVoice;
use show::{Locale, SAMPLE_RATE};
use voice::voices::{Engine, VoicePaths, VoiceSpec};

/// The sentence whose first audio is timed (12 words).
pub const TWELVE_WORDS: &str = "This bamboo lamp folds flat and fits in any backpack you own today.";

#[derive(Serialize, Clone)]
pub struct VoiceRow {
    pub voice: String,
    pub locale: String,
    /// "alone" or "with a 720p room streaming".
    pub load: String,
    pub lines: usize,
    pub audio_seconds: f64,
    pub rtf: f64,
    /// Milliseconds to the first audio of [`TWELVE_WORDS`] (espeak: the whole line).
    pub first_audio_ms: Option<f64>,
    /// Word error rate of Whisper base on the voice's lines (characters for zh/ja).
    pub wer: Option<f64>,
    pub loudness_lufs: f64,
}

#[derive(Serialize)]
pub struct LiveRow {
    pub voice: String,
    pub seconds: f64,
    pub frames: u64,
    pub starved_frames: u64,
    pub late_frames: u64,
    pub cpu_cores_used: f64,
}

#[derive(Serialize)]
struct Report {
    machine: String,
    voices: Vec<VoiceRow>,
    live: Vec<LiveRow>,
}

fn spec_and_locale(s: &str) -> Result<(VoiceSpec, Locale)> {
    let (spec, tag) = s.rsplit_once('@').ok_or_else(|| anyhow!("write voices as ENGINE:VOICE@LOCALE, e.g. kokoro:ef_dora@es-ES (got `{s}`)"))?;
    Ok((VoiceSpec::parse(spec), Locale::parse(tag).map_err(anyhow::Error::msg)?))
}

/// Time to the first chunk of audio: the neural voices hand over chunks as they finish.
fn first_audio_ms(spec: &VoiceSpec, voice: &mut dyn Voice, locale: &Locale, models_dir: &std::path::Path) -> Result<f64> {
    let paths = VoicePaths::new(models_dir);
    let text = voice::spoken(&show::Line::new(show::SegmentKind::Pitch, None).text(TWELVE_WORDS), locale).text;
    let t = Instant::now();
    let mut first = None;
    match spec.engine {
        Engine::Kokoro => {
            let k = voice::voices::open_kokoro(spec, &paths)?;
            let t = Instant::now();
            k.speak_chunks(&text, voice::neural::FIRST_WORDS, &mut |_| {
                first.get_or_insert(t.elapsed());
            })?;
        }
        Engine::Piper => {
            let p = voice::Piper::new(models_dir, &spec.voice, spec.speed)?;
            let t = Instant::now();
            p.speak_chunks(&text, voice::neural::FIRST_WORDS, &mut |_| {
                first.get_or_insert(t.elapsed());
            })?;
        }
        Engine::Espeak => {
            voice.speak(&show::Line::new(show::SegmentKind::Pitch, None).text(TWELVE_WORDS), locale)?;
            first = Some(t.elapsed());
        }
    }
    Ok(first.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0))
}

fn measure(spec: &VoiceSpec, locale: &Locale, load: &str, models_dir: &std::path::Path, whisper: &mut Option<asr::Whisper>) -> Result<VoiceRow> {
    let mut v = director::voices::open_voice(spec, models_dir).map_err(|e| anyhow!("{}: {e}", spec.label()))?;
    let lines = voice::sample_lines(locale.language());
    // One untimed line warms the model (first-run allocations).
    v.speak(&lines[0], locale).map_err(|e| anyhow!("{e}"))?;
    let (mut audio, mut wall) = (0.0f64, 0.0f64);
    let mut errors = Vec::new();
    let mut all = Vec::new();
    for line in &lines {
        let t = Instant::now();
        let mut u = v.speak(line, locale).map_err(|e| anyhow!("{e}"))?;
        wall += t.elapsed().as_secs_f64();
        audio += f64::from(u.duration());
        voice::Leveler::default().apply(&mut u.samples, SAMPLE_RATE);
        all.extend_from_slice(&u.samples);
        all.extend(std::iter::repeat_n(0.0, SAMPLE_RATE as usize / 2));
        if let Some(w) = whisper.as_mut() {
            let heard = w.transcribe(&u.samples, SAMPLE_RATE, Some(locale.language()))?;
            // Whisper may write a price as "$32.90" or in words: its digits are read the
            // voice's way before comparing.
            let wer = asr::word_error_rate(&u.spoken, &voice::as_spoken(&heard.text, locale)).min(asr::word_error_rate(&u.spoken, &heard.text));
            tracing::debug!(voice = %spec.label(), said = %u.spoken, heard = %heard.text, wer, "round trip");
            errors.push(f64::from(wer));
        }
    }
    let first = first_audio_ms(spec, v.as_mut(), locale, models_dir)?;
    Ok(VoiceRow {
        voice: spec.label(),
        locale: locale.tag().to_string(),
        load: load.to_string(),
        lines: lines.len(),
        audio_seconds: audio,
        rtf: wall / audio.max(1e-9),
        first_audio_ms: Some(first),
        wer: (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64),
        loudness_lufs: voice::loudness::measure(&all, SAMPLE_RATE).integrated,
    })
}

/// Streams one 720p room of the demo show for `seconds` with `voice`, to an MP4 in a temp
/// folder, and reports its frames.
fn live_room(voice_spec: Option<&str>, seconds: f64, stop: Arc<AtomicBool>) -> Result<LiveRow> {
    let show = director::show::Show::load(&crate::util::show_path(None)?, None)?;
    let kit = Arc::new(director::language::LanguageKit::new(&show, None, 1)?);
    let profile = show.profiles.get("landscape-720p")?.clone();
    let dir = tempfile::tempdir()?;
    let run = Arc::new(ShowRun::start(&show, &WriterChoice::Template, kit, false)?);
    let mut room = show.config.rooms.first().cloned().ok_or_else(|| anyhow!("the demo show has no room"))?;
    room.voice = voice_spec.map(str::to_string);
    room.output = None;
    run.expect_rooms([room.id.as_str()]);
    let status = Arc::new(Mutex::new(RoomStatus::default()));
    let cpu0 = crate::bench::cpu_seconds();
    let t0 = Instant::now();
    let target = Target::Mp4 { path: dir.path().join("room.mp4") };
    let s = run_live(&show, &run, &room, &profile, target, Some(Duration::from_secs_f64(seconds)), stop, status.clone(), director::room::LiveHooks::default())?;
    let wall = t0.elapsed().as_secs_f64();
    let starved = status.lock().unwrap_or_else(|e| e.into_inner()).starved_frames;
    Ok(LiveRow {
        voice: voice_spec.unwrap_or("pack default").to_string(),
        seconds,
        frames: s.frames,
        starved_frames: starved,
        late_frames: s.late_frames,
        cpu_cores_used: (crate::bench::cpu_seconds() - cpu0) / wall,
    })
}

pub fn bench_voice(voices: &[String], live_seconds: f64, no_asr: bool, models_dir: Option<PathBuf>, json: bool, machine: String) -> Result<()> {
    let models_dir = models_dir.unwrap_or_else(script::models::default_models_dir);
    let specs: Vec<(VoiceSpec, Locale)> = voices.iter().map(|s| spec_and_locale(s)).collect::<Result<_>>()?;
    let mut whisper = if no_asr {
        None
    } else {
        let dir = script::models::resolve_dir("whisper-base", &models_dir)?;
        Some(asr::Whisper::load(&dir)?)
    };
    let mut rows = Vec::new();
    for (spec, locale) in &specs {
        match measure(spec, locale, "alone", &models_dir, &mut whisper) {
            Ok(r) => {
                if !json {
                    print_row(&r);
                }
                rows.push(r);
            }
            Err(e) => eprintln!("{}@{}: {e:#}", spec.label(), locale.tag()),
        }
    }
    // The same voices while a 720p room streams (its own voice: the pack's).
    let mut live = Vec::new();
    if live_seconds > 0.0 {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let background = std::thread::spawn(move || live_room(Some("espeak:en-us"), 3600.0, stop2));
        std::thread::sleep(Duration::from_secs(3));
        for (spec, locale) in &specs {
            if let Ok(r) = measure(spec, locale, "with a 720p room streaming", &models_dir, &mut None) {
                if !json {
                    print_row(&r);
                }
                rows.push(r);
            }
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = background.join();
        // One 720p room speaking with Kokoro, live, on this machine.
        for v in ["kokoro:af_heart", "piper:en_US-joe-medium"] {
            match live_room(Some(v), live_seconds, Arc::new(AtomicBool::new(false))) {
                Ok(r) => {
                    if !json {
                        eprintln!(
                            "live 720p room, voice {}: {:.0} s, {} frames, {} starved, {} late, {:.2} cores",
                            r.voice, r.seconds, r.frames, r.starved_frames, r.late_frames, r.cpu_cores_used
                        );
                    }
                    live.push(r);
                }
                Err(e) => eprintln!("live room with {v}: {e:#}"),
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&Report { machine, voices: rows, live })?);
    } else {
        println!("(RTF = time to speak ÷ length of speech; first audio = a 12-word sentence; WER = Whisper base on the voice's own lines, characters for zh/ja)");
    }
    Ok(())
}

fn print_row(r: &VoiceRow) {
    println!(
        "{:<34} {:<6} {:<27} RTF {:>6.3}  first audio {:>6.0} ms  WER {:>5}  {:>6.1} LUFS",
        r.voice,
        r.locale,
        r.load,
        r.rtf,
        r.first_audio_ms.unwrap_or(f64::NAN),
        r.wer.map_or("-".to_string(), |w| format!("{:.1}%", w * 100.0)),
        r.loudness_lufs
    );
}
