//! The show's script, written once and read by every room.
//!
//! One writer thread plans the run of show on the **show clock**, has the writer write each
//! segment in the show's source language and the source guard check it, and appends the lines
//! to a [`ScriptLog`]. Each room reads the log through its own [`ScriptReader`] and carries the
//! lines through its own chain (translate → market guard → voice), so the LLM writer is loaded
//! once and its tokens per show minute do not grow with the number of rooms.
//!
//! The show clock advances by an estimate of each line's spoken length in the source language;
//! rooms compare their own clock with it to drop low-priority lines when their language runs
//! longer, or to hold when it runs shorter, so every room follows the same product schedule.
//!
//! The writer runs at most `lookahead` lines ahead of the *fastest* reader (a slow room drops
//! lines rather than stalling the others); lines every reader has passed are forgotten, so
//! memory stays flat in a 24/7 show.
//!
//! The writer itself works on a thread of its own, watched: when a live room has read every
//! line and the writer has given none for a few seconds (a model stuck in a forward pass), the
//! template writer writes the segment instead, and goes on doing so until the writer answers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use script::Guard;
use show::stages::{SegmentRequest, Writer};
use show::{Catalog, Line, Locale, Product};

use crate::plan::{PlannedSegment, Planner};

/// One line of the show's script, in the source language.
#[derive(Clone, Debug)]
pub struct ScriptLine {
    /// Position in the script (0, 1, 2, …), shared by every room.
    pub seq: u64,
    pub line: Line,
    pub segment: PlannedSegment,
    /// Where the line starts on the show clock, in seconds.
    pub at: f64,
    /// Its estimated spoken length in the source language, with the pause after it.
    pub duration: f64,
    /// Who wrote it: `llm qwen2.5-0.5b`, `template pitch#3`, `persona` ([`show::Provenance`]).
    pub writer: String,
    /// The line as the source market writes it, for the script log.
    pub source_text: String,
}

/// A line the guard refused, for the script log.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub planned_at: f64,
    pub text: String,
    pub reason: String,
}

struct LogState {
    /// `seq` of `lines[0]`.
    base: u64,
    lines: VecDeque<Arc<ScriptLine>>,
    /// Each reader's next `seq`.
    cursors: BTreeMap<u64, u64>,
    next_reader: u64,
    closed: bool,
    rejections: Vec<Rejected>,
    written: u64,
    /// The latest block a line was written in.
    last_block: u64,
}

/// The shared, append-only script of a show.
pub struct ScriptLog {
    state: Mutex<LogState>,
    changed: Condvar,
    lookahead: u64,
    /// Offline renders read the whole script room after room: nothing is forgotten.
    keep_all: bool,
    /// A product to switch to (the operator's switch), applied by the writer at once.
    jump: Mutex<Option<usize>>,
    /// Lines of blocks before this one are skipped by readers (written before a switch).
    barrier: Arc<std::sync::atomic::AtomicU64>,
    /// Times the writer stalled and templates took over.
    stalls: std::sync::atomic::AtomicU64,
}

impl ScriptLog {
    pub fn new(lookahead: usize, keep_all: bool) -> Arc<ScriptLog> {
        Arc::new(ScriptLog {
            state: Mutex::new(LogState { base: 0, lines: VecDeque::new(), cursors: BTreeMap::new(), next_reader: 0, closed: false, rejections: Vec::new(), written: 0, last_block: 0 }),
            changed: Condvar::new(),
            lookahead: lookahead.max(1) as u64,
            keep_all,
            jump: Mutex::new(None),
            barrier: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            stalls: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A reader from the start of the script (rooms that open with the show).
    pub fn reader(self: &Arc<Self>) -> ScriptReader {
        let mut s = self.lock();
        let id = s.next_reader;
        s.next_reader += 1;
        let from = s.base;
        s.cursors.insert(id, from);
        drop(s);
        self.changed.notify_all();
        ScriptReader { log: self.clone(), id }
    }

    /// Ends the script: readers get `None` once they have read everything.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Lines the source guard refused so far.
    pub fn rejections(&self) -> Vec<Rejected> {
        self.lock().rejections.clone()
    }

    /// How many refusals are kept (the latest 500 in a live show), without copying them.
    pub fn rejected_count(&self) -> usize {
        self.lock().rejections.len()
    }

    /// Times the writer stalled and templates wrote in its place.
    pub fn stalls(&self) -> u64 {
        self.stalls.load(Ordering::Relaxed)
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.lock().written
    }

    /// Switches the run of show to a product (index into the show's products): the writer
    /// starts its block at once and readers skip what was written before it.
    pub fn switch_product(&self, product: usize) {
        // Everything written so far is about the old product from this moment: a room must not
        // send one of those lines on between the switch and the writer's next block.
        let last = self.lock().last_block;
        self.barrier.fetch_max(last + 1, Ordering::Relaxed);
        *self.jump.lock().unwrap_or_else(|e| e.into_inner()) = Some(product);
        self.changed.notify_all();
    }

    /// Whether a line was written before the latest switch (the market's own lines never are).
    fn superseded(&self, line: &ScriptLine) -> bool {
        line.line.tag.is_none() && line.segment.block < self.barrier.load(Ordering::Relaxed)
    }

    /// The first run-of-show block still current: a room checks the lines it takes against it
    /// (one handed over in the instant of a switch must not play after the room's flush).
    pub fn barrier(&self) -> Arc<std::sync::atomic::AtomicU64> {
        self.barrier.clone()
    }

    /// Waits until the fastest reader is less than `lookahead` lines behind the end (or a
    /// switch waits); false when the show is stopping.
    fn wait_for_room(&self, stop: &AtomicBool) -> bool {
        let mut s = self.lock();
        loop {
            if stop.load(Ordering::Relaxed) || s.closed {
                return false;
            }
            if self.jump.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
                return true;
            }
            let end = s.base + s.lines.len() as u64;
            let fastest = s.cursors.values().copied().max();
            if fastest.is_some_and(|f| end.saturating_sub(f) < self.lookahead) {
                return true;
            }
            s = self.changed.wait_timeout(s, Duration::from_millis(100)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Whether the operator's product switch waits for the writer.
    fn jump_pending(&self) -> bool {
        self.jump.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Whether a reader has read every line written: a room's chain waits on the writer.
    fn starving(&self) -> bool {
        let s = self.lock();
        let end = s.base + s.lines.len() as u64;
        s.cursors.values().copied().max().is_some_and(|f| f >= end)
    }

    fn push(&self, line: ScriptLine) {
        let mut s = self.lock();
        s.last_block = s.last_block.max(line.segment.block);
        s.lines.push_back(Arc::new(line));
        s.written += 1;
        drop(s);
        self.changed.notify_all();
    }

    fn reject(&self, r: Rejected) {
        let mut s = self.lock();
        s.rejections.push(r);
        // A 24/7 show keeps the latest refusals only.
        if !self.keep_all && s.rejections.len() > 500 {
            s.rejections.drain(..250);
        }
    }

    fn trim(&self, s: &mut LogState) {
        if self.keep_all {
            return;
        }
        let Some(slowest) = s.cursors.values().copied().min() else { return };
        while s.base < slowest && !s.lines.is_empty() {
            s.lines.pop_front();
            s.base += 1;
        }
    }
}

/// One room's place in the script.
pub struct ScriptReader {
    log: Arc<ScriptLog>,
    id: u64,
}

impl ScriptReader {
    /// The next line, waiting for the writer; `None` when the script is closed and read, or
    /// `stop` is set.
    pub fn next(&self, stop: &AtomicBool) -> Option<Arc<ScriptLine>> {
        loop {
            if let Ok(line) = self.next_within(stop, Duration::from_secs(3600)) {
                return line;
            }
        }
    }

    /// [`ScriptReader::next`], waiting at most `timeout`: `Err(())` when no line came in time
    /// (the room's chain serves replies meanwhile).
    pub fn next_within(&self, stop: &AtomicBool, timeout: Duration) -> Result<Option<Arc<ScriptLine>>, ()> {
        let deadline = std::time::Instant::now() + timeout;
        let mut s = self.log.lock();
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let Some(cur) = s.cursors.get(&self.id).copied() else { return Ok(None) };
            let cur = cur.max(s.base);
            if let Some(line) = s.lines.get((cur - s.base) as usize).cloned() {
                s.cursors.insert(self.id, cur + 1);
                self.log.trim(&mut s);
                if self.log.superseded(&line) {
                    continue;
                }
                drop(s);
                self.log.changed.notify_all();
                return Ok(Some(line));
            }
            if s.closed {
                return Ok(None);
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return Err(());
            }
            s = self.log.changed.wait_timeout(s, (deadline - now).min(Duration::from_millis(100))).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Whether a line was written before the latest product switch (a room drops it unsaid).
    pub fn superseded(&self, line: &ScriptLine) -> bool {
        self.log.superseded(line)
    }

    /// Lines written that this reader has not read yet.
    pub fn backlog(&self) -> u64 {
        let s = self.log.lock();
        let end = s.base + s.lines.len() as u64;
        s.cursors.get(&self.id).map_or(0, |c| end.saturating_sub(*c))
    }
}

impl Drop for ScriptReader {
    fn drop(&mut self) {
        let mut s = self.log.lock();
        s.cursors.remove(&self.id);
        self.log.trim(&mut s);
        drop(s);
        self.log.changed.notify_all();
    }
}

/// Seconds a line takes to say in the source language, estimated from its length: the show
/// clock. espeak-ng and the neural voices speak English at about 15 characters a second.
pub fn estimate_seconds(text: &str, source: &Locale) -> f64 {
    let chars = text.chars().filter(|c| !c.is_whitespace()).count() as f64 + text.split_whitespace().count() as f64;
    let per_second = match source.language() {
        "zh" | "ja" => 5.0,
        _ => 15.0,
    };
    (chars / per_second).max(0.6)
}

pub struct ShowFeedSetup {
    pub catalog: Arc<Catalog>,
    pub products: Arc<Vec<Product>>,
    pub planner: Planner,
    pub writer: Box<dyn Writer>,
    pub guard: Guard,
    pub source: Locale,
    pub offer_minutes: u32,
    pub pause_seconds: f32,
    /// Writes a segment when the writer stalls (the template writer).
    pub fallback: Box<dyn Writer>,
    /// Live shows: how long a starving room may wait on the writer before the fallback writes
    /// the segment. Offline renders wait as long as the writer takes.
    pub watchdog: Option<Duration>,
}

/// The writer thread of a show.
pub struct ShowFeed {
    pub log: Arc<ScriptLog>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl ShowFeed {
    pub fn spawn(setup: ShowFeedSetup, log: Arc<ScriptLog>) -> std::io::Result<ShowFeed> {
        let stop = Arc::new(AtomicBool::new(false));
        let (l2, s2) = (log.clone(), stop.clone());
        let handle = std::thread::Builder::new().name("script".into()).spawn(move || run(setup, &l2, &s2))?;
        Ok(ShowFeed { log, stop, handle: Some(handle) })
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.log.close();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for ShowFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.log.close();
    }
}

/// A segment for the writer's thread: `job` tells its lines from an abandoned segment's.
struct Job {
    id: u64,
    seg: PlannedSegment,
}

enum Written {
    Line(u64, Line),
    Done { id: u64, result: Result<(), show::stages::StageError>, rejected: Vec<(String, String)> },
}

/// The writer on a thread of its own, so that a writer stuck in a forward pass can be
/// watched, and worked around, instead of stalling the show.
struct WriterThread {
    jobs: crossbeam_channel::Sender<Job>,
    out: crossbeam_channel::Receiver<Written>,
    /// The job whose lines are still wanted; anything else stops at its next line.
    current: Arc<std::sync::atomic::AtomicU64>,
    name: String,
}

impl WriterThread {
    fn spawn(mut writer: Box<dyn Writer>, products: Arc<Vec<Product>>, offer_minutes: u32, live: bool) -> std::io::Result<WriterThread> {
        let (jobs, job_rx) = crossbeam_channel::bounded::<Job>(1);
        // One line in flight: the writer waits for the log to take it (back-pressure).
        let (out_tx, out) = crossbeam_channel::bounded::<Written>(1);
        let current = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let name = writer.name().to_string();
        let cur = current.clone();
        std::thread::Builder::new().name("writer".into()).spawn(move || {
            if live {
                crate::work_ahead_priority();
            }
            // Live, while the script is far enough ahead that no job has come for a second
            // (and the show's start is past), the writer does the work it put off for the
            // start (`Writer::settle`), a step at a time, looking for a job between steps.
            let mut settled = !live;
            let started = std::time::Instant::now();
            let mut idle_after = script::llm::idle_before_settling(started);
            loop {
                let job = if settled {
                    job_rx.recv().ok()
                } else {
                    match job_rx.recv_timeout(idle_after) {
                        Ok(job) => {
                            idle_after = script::llm::idle_before_settling(started);
                            Some(job)
                        }
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                            settled = !writer.settle();
                            idle_after = Duration::ZERO;
                            continue;
                        }
                        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => None,
                    }
                };
                let Some(job) = job else { break };
                let seg = &job.seg;
                let product = products.get(seg.product);
                let next = products.get(seg.next_product).filter(|_| products.len() > 1);
                let request = SegmentRequest { kind: seg.kind, product, next_product: next, index: seg.index, block: seg.block, sentences: seg.sentences, offer_minutes };
                let mut emit = |line: Line| cur.load(Ordering::Relaxed) == job.id && out_tx.send(Written::Line(job.id, line)).is_ok();
                let result = writer.write(&request, &mut emit);
                if out_tx.send(Written::Done { id: job.id, result, rejected: writer.take_rejected() }).is_err() {
                    return;
                }
            }
        })?;
        Ok(WriterThread { jobs, out, current, name })
    }
}

fn run(s: ShowFeedSetup, log: &ScriptLog, stop: &AtomicBool) {
    let ShowFeedSetup { catalog, products, mut planner, writer, guard, source, offer_minutes, pause_seconds, mut fallback, watchdog } = s;
    let mut planned = 0.0f64;
    let mut seq = 0u64;
    let writer = match WriterThread::spawn(writer, products.clone(), offer_minutes, watchdog.is_some()) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::error!("cannot start the writer's thread ({e}): templates write the show");
            None
        }
    };
    let mut job_id = 0u64;
    // An abandoned job the writer has not finished yet: templates write until it answers.
    let mut stalled: Option<(u64, std::time::Instant)> = None;
    while log.wait_for_room(stop) {
        let jumped = log.jump.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(p) = jumped {
            planner.jump_to(p, planned);
            log.barrier.fetch_max(planner.block(), Ordering::Relaxed);
        }
        let seg = planner.next(planned);
        let product = products.get(seg.product);
        let next = products.get(seg.next_product).filter(|_| products.len() > 1);
        // `note`: why another writer wrote the line (the watchdog), kept in its provenance.
        let mut on_line = |line: Line, writer_name: &str, note: Option<&str>| -> bool {
            // The operator switched products: the rest of this segment is about the old one.
            if log.jump_pending() {
                return false;
            }
            if let Err(r) = guard.check_in(&line, &catalog, next) {
                tracing::warn!(reason = %r, "guard refused a line");
                log.reject(Rejected { planned_at: planned, text: line.display(&source), reason: r.reason });
                return !stop.load(Ordering::Relaxed);
            }
            let source_text = line.display(&source);
            let duration = estimate_seconds(&source_text, &source) + f64::from(pause_seconds);
            // Who wrote it: the line's own provenance (a model, a template id), else the writer.
            let mut line = line;
            if let Some(n) = note
                && let show::Provenance::Template { id } = &mut line.by
            {
                // The transcript and script log say why templates wrote it.
                *id = format!("{id} ({n})");
            }
            let mut writer = if line.by == show::Provenance::Unknown { writer_name.to_string() } else { line.by.label() };
            if let Some(n) = note
                && !writer.ends_with(&format!("({n})"))
            {
                writer = format!("{writer} ({n})");
            }
            log.push(ScriptLine { seq, line, segment: seg.clone(), at: planned, duration, writer, source_text });
            seq += 1;
            planned += duration;
            log.wait_for_room(stop)
        };
        // Has the stalled writer come back?
        if let (Some(w), Some((old, since))) = (&writer, stalled) {
            while let Ok(m) = w.out.try_recv() {
                if let Written::Done { id, .. } = m
                    && id == old
                {
                    tracing::info!("the {} writer answers again after {:.0} s: it writes the show again", w.name, since.elapsed().as_secs_f64());
                    stalled = None;
                }
            }
        }
        let mut refused = Vec::new();
        let by_writer = match (&writer, stalled) {
            (Some(w), None) => {
                job_id += 1;
                w.current.store(job_id, Ordering::Relaxed);
                let _ = w.jobs.send(Job { id: job_id, seg: seg.clone() });
                let mut last = std::time::Instant::now();
                loop {
                    match w.out.recv_timeout(Duration::from_millis(50)) {
                        Ok(Written::Line(id, line)) if id == job_id => {
                            if !on_line(line, &w.name, None) {
                                // Stopping (or switching products): the segment ends here; the
                                // writer stops at its next line, its `Done` is not waited for.
                                w.current.store(0, Ordering::Relaxed);
                                break true;
                            }
                            last = std::time::Instant::now();
                        }
                        Ok(Written::Line(..)) => {}
                        Ok(Written::Done { id, result, rejected }) if id == job_id => {
                            refused.extend(rejected);
                            if let Err(e) = result {
                                tracing::error!("the {} writer failed: {e}", w.name);
                                std::thread::sleep(Duration::from_millis(200));
                            }
                            break true;
                        }
                        Ok(Written::Done { .. }) => {}
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                            if stop.load(Ordering::Relaxed) || log.jump_pending() {
                                w.current.store(0, Ordering::Relaxed);
                                break true;
                            }
                            if let Some(limit) = watchdog
                                && last.elapsed() > limit
                                && log.starving()
                            {
                                tracing::warn!("the {} writer stalled ({:.1} s without a line while a room waits): templates write until it answers", w.name, last.elapsed().as_secs_f64());
                                w.current.store(0, Ordering::Relaxed);
                                log.stalls.fetch_add(1, Ordering::Relaxed);
                                stalled = Some((job_id, std::time::Instant::now()));
                                break false;
                            }
                        }
                        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                            tracing::error!("the {} writer's thread ended: templates write the show", w.name);
                            stalled = Some((job_id, std::time::Instant::now()));
                            break false;
                        }
                    }
                }
            }
            _ => false,
        };
        if !by_writer {
            let request = SegmentRequest { kind: seg.kind, product, next_product: next, index: seg.index, block: seg.block, sentences: seg.sentences, offer_minutes };
            let name = fallback.name().to_string();
            let note = writer.as_ref().map(|_| "writer stalled");
            if let Err(e) = fallback.write(&request, &mut |line| on_line(line, &name, note)) {
                tracing::error!("the {name} writer failed too: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
            refused.extend(fallback.take_rejected());
        }
        for (text, reason) in refused {
            log.reject(Rejected { planned_at: planned, text, reason });
        }
    }
    if let Some(w) = &writer {
        w.current.store(0, Ordering::Relaxed);
    }
    log.close();
}

/// The source lines the template writer says in `seconds` of the show, written at once (for
/// pre-translating a pack's memory and for benchmarks).
pub fn template_script(show: &crate::show::Show, seconds: f64) -> Vec<Line> {
    let mut writer = script::TemplateWriter::new(&show.config.title, &show.config.persona, show.config.seed);
    write_script(show, &mut writer, seconds, &mut |_| {}).lines
}

/// A script written at once by any writer, as the show would say it: the lines the guard
/// passed (with their segment), and every line refused on the way with why.
pub struct WrittenScript {
    pub lines: Vec<Line>,
    pub rejected: Vec<(String, String)>,
    /// Seconds of show the lines fill (spoken estimate plus pauses).
    pub seconds: f64,
}

/// Writes `seconds` of the show's script with `writer`, in whole segments, guarded as the live
/// show guards it (for `bench script` and [`template_script`]). `progress` gets the share
/// written so far.
pub fn write_script(show: &crate::show::Show, writer: &mut dyn Writer, seconds: f64, progress: &mut dyn FnMut(f64)) -> WrittenScript {
    let ros = &show.config.run_of_show;
    let mut planner = Planner::new(ros, show.products.len());
    let guard = Guard::new(ros.offer_minutes).with_names(&show.config.title, &show.config.persona.name);
    let source = Locale::parse("en-US").expect("valid tag");
    let mut planned = 0.0;
    let mut lines = Vec::new();
    let mut rejected = Vec::new();
    while planned < seconds {
        let seg = planner.next(planned);
        let product = show.products.get(seg.product);
        let next = show.products.get(seg.next_product).filter(|_| show.products.len() > 1);
        let request = SegmentRequest { kind: seg.kind, product, next_product: next, index: seg.index, block: seg.block, sentences: seg.sentences, offer_minutes: ros.offer_minutes };
        let before = planned;
        let mut on_line = |line: Line| -> bool {
            match guard.check_in(&line, &show.catalog, next) {
                Ok(()) => {
                    planned += estimate_seconds(&line.display(&source), &source) + f64::from(ros.pause_seconds);
                    lines.push(line);
                }
                Err(r) => rejected.push((line.display(&source), r.reason)),
            }
            true
        };
        if let Err(e) = writer.write(&request, &mut on_line) {
            tracing::warn!("the {} writer failed: {e}", writer.name());
        }
        rejected.extend(writer.take_rejected());
        if planned == before {
            planned += 1.0;
        }
        progress((planned / seconds).min(1.0));
    }
    WrittenScript { lines, rejected, seconds: planned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_in_speech_range() {
        let en = Locale::parse("en-US").unwrap();
        // espeak says this 12-word line in about 3.5 s.
        let t = estimate_seconds("Tap the product card to grab yours before the live deal ends today.", &en);
        assert!((3.0..6.0).contains(&t), "{t}");
    }
}
