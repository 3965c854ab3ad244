//! The script feed: a dedicated thread that plans segments, has the writer write them, the
//! guard check them, the translator carry them into the room's language and the voice speak
//! them, and hands finished utterances to the room's timeline through a bounded channel.
//!
//! The channel is the look-ahead: the feed runs ahead of the show by a few utterances and
//! blocks when the timeline has enough, so inference never runs on a media thread and never
//! piles up unboundedly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use script::Guard;
use show::stages::{SegmentRequest, Translator, Voice, Writer};
use show::{Catalog, Locale, Product, SegmentKind, Utterance};

use crate::plan::Planner;

/// An utterance ready to play, with where it belongs in the run of show.
#[derive(Clone, Debug)]
pub struct Spoken {
    pub utterance: Arc<Utterance>,
    pub segment: SegmentKind,
    /// Index into the show's products.
    pub product: Option<usize>,
}

/// A line the guard refused, for the script log.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub planned_at: f64,
    pub text: String,
    pub reason: String,
}

/// Counters the feed keeps, readable while it runs.
#[derive(Default, Debug)]
pub struct FeedStats {
    pub lines: u64,
    pub rejected: u64,
    pub voice_errors: u64,
    pub rejections: Vec<Rejected>,
}

pub struct FeedSetup {
    pub room: String,
    pub catalog: Arc<Catalog>,
    /// The show's products in run-of-show order.
    pub products: Arc<Vec<Product>>,
    pub planner: Planner,
    pub writer: Box<dyn Writer>,
    pub guard: Guard,
    pub translator: Box<dyn Translator>,
    pub voice: Box<dyn Voice>,
    pub source: Locale,
    pub locale: Locale,
    pub offer_minutes: u32,
    pub pause_seconds: f32,
    /// Utterances of look-ahead.
    pub lookahead: usize,
}

pub struct Feed {
    pub rx: Receiver<Spoken>,
    pub stats: Arc<Mutex<FeedStats>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Feed {
    pub fn spawn(setup: FeedSetup) -> std::io::Result<Feed> {
        let (tx, rx) = bounded(setup.lookahead.max(1));
        let stats = Arc::new(Mutex::new(FeedStats::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2) = (stats.clone(), stop.clone());
        let handle = std::thread::Builder::new().name(format!("feed-{}", setup.room)).spawn(move || run(setup, tx, s2, st2))?;
        Ok(Feed { rx, stats, stop, handle: Some(handle) })
    }

    /// Stops the feed; the thread ends at its next line.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Unblock a pending send.
        while self.rx.try_recv().is_ok() {}
        if let Some(h) = self.handle.take() {
            // The thread may be inside a long synthesis; it checks the flag after it.
            let _ = h.join();
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn run(mut s: FeedSetup, tx: Sender<Spoken>, stats: Arc<Mutex<FeedStats>>, stop: Arc<AtomicBool>) {
    let mut planned = 0.0f64;
    let room = s.room.clone();
    let mut consecutive_voice_errors = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let seg = s.planner.next(planned);
        let product = s.products.get(seg.product);
        let next = s.products.get(seg.next_product).filter(|_| s.products.len() > 1);
        let request = SegmentRequest {
            kind: seg.kind,
            product,
            next_product: next,
            index: seg.index,
            block: seg.block,
            sentences: seg.sentences,
            offer_minutes: s.offer_minutes,
        };
        let mut lines = Vec::new();
        let written = s.writer.write(&request, &mut |line| {
            lines.push(line);
            !stop.load(Ordering::Relaxed)
        });
        if let Err(e) = written {
            tracing::error!(room, "the {} writer failed: {e}", s.writer.name());
            std::thread::sleep(std::time::Duration::from_millis(200));
            continue;
        }
        for line in lines {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if let Err(r) = s.guard.check(&line, &s.catalog) {
                let mut st = stats.lock().unwrap_or_else(|e| e.into_inner());
                st.rejected += 1;
                st.rejections.push(Rejected { planned_at: planned, text: line.display(&s.source), reason: r.reason.clone() });
                tracing::warn!(room, reason = %r, "guard refused a line");
                continue;
            }
            let line = match s.translator.translate(&line, &s.source, &s.locale) {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!(room, "translation failed: {e}");
                    continue;
                }
            };
            let utterance = match s.voice.speak(&line, &s.locale) {
                Ok(u) => {
                    consecutive_voice_errors = 0;
                    u
                }
                Err(e) => {
                    consecutive_voice_errors += 1;
                    stats.lock().unwrap_or_else(|e| e.into_inner()).voice_errors += 1;
                    tracing::error!(room, "the {} voice failed: {e}", s.voice.name());
                    if consecutive_voice_errors > 20 {
                        tracing::error!(room, "the voice keeps failing; the room continues without speech");
                        std::thread::sleep(std::time::Duration::from_secs(1));
                    }
                    continue;
                }
            };
            planned += f64::from(utterance.duration()) + f64::from(s.pause_seconds);
            let product = line.product.as_deref().and_then(|id| s.products.iter().position(|p| p.id == id));
            stats.lock().unwrap_or_else(|e| e.into_inner()).lines += 1;
            let spoken = Spoken { utterance: Arc::new(utterance), segment: seg.kind, product };
            if tx.send(spoken).is_err() {
                return; // the room stopped listening
            }
        }
    }
}
