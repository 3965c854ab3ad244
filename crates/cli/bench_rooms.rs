//! `evercast bench rooms`: translation latency and quality per engine and language, the
//! translation memory's hit rate over a long script, and how many live rooms in distinct
//! languages one machine carries.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use broadcast::Target;
use director::language::{LanguageKit, source_locale};
use director::room::{RoomStatus, ShowRun, WriterChoice, run_live};
use director::show::Show;
use serde::Serialize;
use show::pack::EngineKind;
use show::stages::Translator;
use show::{Line, SegmentKind};

#[derive(Serialize)]
pub struct EngineFigures {
    pack: String,
    engine: String,
    sentences: usize,
    /// Sentences the engine translated faithfully (every locked term kept), after its retry.
    faithful: usize,
    p50_ms: f64,
    p95_ms: f64,
    /// chrF (0–100) of the faithful translations against the human references in bench/.
    chrf: f64,
}

#[derive(Serialize)]
pub struct LiveFigures {
    rooms: usize,
    packs: Vec<String>,
    seconds: f64,
    frames: u64,
    starved_frames: u64,
    late_frames: u64,
    late_percent: f64,
    /// Script lines the show's one writer wrote per minute: the same whatever the rooms.
    script_lines_per_minute: f64,
    cpu_cores_used: f64,
    /// Lines of the translating rooms: by an engine or the memory, by native templates, dropped.
    translated_lines: u64,
    native_lines: u64,
    dropped_lines: u64,
}

#[derive(Serialize)]
pub struct RoomsReport {
    machine: String,
    engines: Vec<EngineFigures>,
    memory_lines: usize,
    /// First pass: a cold memory (the template writer repeats no sentence within an hour).
    memory_hit_rate: f64,
    /// The same script again: a memory warmed by `packs translate-bank` or an earlier run.
    memory_hit_rate_warm: f64,
    live: Vec<LiveFigures>,
}

fn references(pack: &str) -> Result<Vec<(String, String)>> {
    let file = PathBuf::from(format!("bench/translations/en-{pack}.tsv"));
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {} (run from the repository)", file.display()))?;
    Ok(text.lines().skip(1).filter_map(|l| l.split_once('\t')).map(|(a, b)| (a.trim().to_string(), b.trim().to_string())).collect())
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

#[allow(clippy::too_many_arguments)]
pub fn bench_rooms(show: Option<PathBuf>, packs: &[String], engines: &[String], sentences: usize, live_seconds: f64, max_rooms: usize, json: bool, machine: String) -> Result<()> {
    let path = crate::util::show_path(show)?;
    let show = Arc::new(Show::load(&path, None)?);
    // Cold memory: every sentence is really translated.
    let kit = Arc::new(LanguageKit::new(&show, None, script::llm::default_threads())?);
    let mut report = RoomsReport { machine, engines: Vec::new(), memory_lines: 0, memory_hit_rate: 0.0, memory_hit_rate_warm: 0.0, live: Vec::new() };

    for id in packs {
        let pack = kit.packs.get(id).cloned().ok_or_else(|| anyhow!("no pack {id}"))?;
        let refs = references(id)?;
        for engine in engines {
            let kind = match engine.as_str() {
                "llm" => EngineKind::Llm,
                "apertium" if pack.translator.apertium_pair.is_some() => EngineKind::Apertium,
                _ => continue,
            };
            let mut t = kit.translator_with(&pack, &[kind]);
            let (mut ms, mut scores, mut faithful) = (Vec::new(), Vec::new(), 0);
            for (src, reference) in refs.iter().take(sentences) {
                let line = Line::new(SegmentKind::Pitch, None).text(src.clone());
                let t0 = Instant::now();
                let r = t.translate(&line, &source_locale(), &pack.locale);
                ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                if let Ok(tr) = r {
                    faithful += 1;
                    scores.push(translate::chrf(&tr.line.display(&pack.locale), reference));
                }
            }
            ms.sort_by(f64::total_cmp);
            let row = EngineFigures {
                pack: id.clone(),
                engine: engine.clone(),
                sentences: ms.len(),
                faithful,
                p50_ms: percentile(&ms, 0.5),
                p95_ms: percentile(&ms, 0.95),
                chrf: if scores.is_empty() { 0.0 } else { scores.iter().sum::<f64>() / scores.len() as f64 },
            };
            if !json {
                eprintln!("{:<6} {:<9} {:>3}/{:<3} faithful  p50 {:>6.0} ms  p95 {:>6.0} ms  chrF {:>5.1}", row.pack, row.engine, row.faithful, row.sentences, row.p50_ms, row.p95_ms, row.chrf);
            }
            report.engines.push(row);
        }
    }

    // The memory over a 30-minute script: template lines repeat their shape with other facts.
    if let Some(pack) = kit.packs.get("es-MX").cloned() {
        let lines = director::script_feed::template_script(&show, 30.0 * 60.0);
        let memory = Arc::new(Mutex::new(translate::Memory::in_memory()));
        let engines: Vec<Box<dyn translate::Engine>> = match translate::Apertium::new("eng-spa") {
            Ok(a) => vec![Box::new(a)],
            Err(_) => Vec::new(),
        };
        let protect = translate::Protect { names: show.catalog.products.iter().map(|p| p.title.clone()).collect(), keep: pack.glossary.keep.clone(), terms: Vec::new() };
        let mut t = translate::RoomTranslator::new("es-MX", &pack.language_name, engines, protect, memory.clone());
        let pass = |t: &mut translate::RoomTranslator| {
            let (h0, m0) = {
                let m = memory.lock().unwrap_or_else(|e| e.into_inner());
                (m.hits(), m.misses())
            };
            for l in &lines {
                let _ = t.translate(l, &source_locale(), &pack.locale);
            }
            let m = memory.lock().unwrap_or_else(|e| e.into_inner());
            (m.hits() - h0) as f64 / ((m.hits() - h0) + (m.misses() - m0)).max(1) as f64
        };
        report.memory_lines = lines.len();
        report.memory_hit_rate = pass(&mut t);
        report.memory_hit_rate_warm = pass(&mut t);
        if !json {
            eprintln!(
                "memory: {} lines of a 30-minute template script into es-MX (apertium): {:.0}% from a cold memory, {:.0}% the second time",
                lines.len(),
                report.memory_hit_rate * 100.0,
                report.memory_hit_rate_warm * 100.0
            );
        }
    }

    // Live rooms in distinct languages, one writer, 720p30 each.
    let order = ["en-US", "es-MX", "pt-BR", "fr-FR", "de-DE"];
    for n in 1..=max_rooms.min(order.len()) {
        if live_seconds <= 0.0 {
            break;
        }
        let base = show.config.rooms.first().cloned().ok_or_else(|| anyhow!("the show has no room"))?;
        let profile = show.profiles.get("landscape-720p")?.clone();
        let dir = tempfile::tempdir()?;
        let run = Arc::new(ShowRun::start(&show, &WriterChoice::Template, kit.clone(), false)?);
        let ids: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
        run.expect_rooms(ids.iter().map(String::as_str));
        let cpu0 = crate::bench::cpu_seconds();
        let t0 = Instant::now();
        let mut handles = Vec::new();
        let mut statuses = Vec::new();
        for (i, pack) in order.iter().take(n).enumerate() {
            let mut room = base.clone();
            room.id = format!("r{i}");
            room.pack = Some(pack.to_string());
            room.locale = show::Locale::parse(pack).map_err(anyhow::Error::msg)?;
            room.voice = None;
            room.output = None;
            let status = Arc::new(Mutex::new(RoomStatus::default()));
            statuses.push(status.clone());
            let (show2, run2, profile2) = (show.clone(), run.clone(), profile.clone());
            let target = Target::Mp4 { path: dir.path().join(format!("{}.mp4", room.id)) };
            handles.push(std::thread::spawn(move || {
                run_live(&show2, &run2, &room, &profile2, target, Some(Duration::from_secs_f64(live_seconds)), Arc::new(AtomicBool::new(false)), status, director::room::LiveHooks::default())
            }));
        }
        let mut frames = 0;
        let mut late = 0;
        for h in handles {
            let s = h.join().map_err(|_| anyhow!("a room panicked"))??;
            frames += s.frames;
            late += s.late_frames;
        }
        let sum = |f: &dyn Fn(&RoomStatus) -> u64| statuses.iter().map(|s| f(&s.lock().unwrap_or_else(|e| e.into_inner()))).sum::<u64>();
        let starved = sum(&|s| s.starved_frames);
        let wall = t0.elapsed().as_secs_f64();
        let row = LiveFigures {
            rooms: n,
            packs: order.iter().take(n).map(|s| s.to_string()).collect(),
            seconds: live_seconds,
            frames,
            starved_frames: starved,
            late_frames: late,
            late_percent: late as f64 * 100.0 / frames.max(1) as f64,
            script_lines_per_minute: run.log.written() as f64 / (wall / 60.0),
            cpu_cores_used: (crate::bench::cpu_seconds() - cpu0) / wall,
            translated_lines: sum(&|s| s.translated),
            native_lines: sum(&|s| s.native),
            dropped_lines: sum(&|s| s.dropped),
        };
        if !json {
            eprintln!(
                "live: {} room(s) {:?}: {} frames, {} starved, {} late ({:.2}%), {:.0} script lines/min, {:.2} cores; translated {}, native {}, dropped {}",
                row.rooms,
                row.packs,
                row.frames,
                row.starved_frames,
                row.late_frames,
                row.late_percent,
                row.script_lines_per_minute,
                row.cpu_cores_used,
                row.translated_lines,
                row.native_lines,
                row.dropped_lines
            );
        }
        report.live.push(row);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
