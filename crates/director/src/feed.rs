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

fn run(s: FeedSetup, tx: Sender<Spoken>, stats: Arc<Mutex<FeedStats>>, stop: Arc<AtomicBool>) {
    let FeedSetup { room, catalog, products, mut planner, mut writer, guard, mut translator, mut voice, source, locale, offer_minutes, pause_seconds, .. } = s;
    let mut planned = 0.0f64;
    let mut consecutive_voice_errors = 0u32;
    let record = |stats: &Mutex<FeedStats>, f: &mut dyn FnMut(&mut FeedStats)| f(&mut stats.lock().unwrap_or_else(|e| e.into_inner()));
    while !stop.load(Ordering::Relaxed) {
        let seg = planner.next(planned);
        let product = products.get(seg.product);
        let next = products.get(seg.next_product).filter(|_| products.len() > 1);
        let request = SegmentRequest {
            kind: seg.kind,
            product,
            next_product: next,
            index: seg.index,
            block: seg.block,
            sentences: seg.sentences,
            offer_minutes,
        };
        let mut closed = false;
        // Each line is checked, translated, spoken and queued the moment the writer hands it
        // over (an LLM is still writing the next one), so the first words come early.
        let mut on_line = |line: show::Line| -> bool {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            if let Err(r) = guard.check(&line, &catalog) {
                record(&stats, &mut |st| {
                    st.rejected += 1;
                    st.rejections.push(Rejected { planned_at: planned, text: line.display(&source), reason: r.reason.clone() });
                });
                tracing::warn!(room, reason = %r, "guard refused a line");
                return true;
            }
            let line = match translator.translate(&line, &source, &locale) {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!(room, "translation failed: {e}");
                    return true;
                }
            };
            let utterance = match voice.speak(&line, &locale) {
                Ok(u) => {
                    consecutive_voice_errors = 0;
                    u
                }
                Err(e) => {
                    consecutive_voice_errors += 1;
                    record(&stats, &mut |st| st.voice_errors += 1);
                    tracing::error!(room, "the {} voice failed: {e}", voice.name());
                    if consecutive_voice_errors > 20 {
                        std::thread::sleep(std::time::Duration::from_secs(1));
                    }
                    return true;
                }
            };
            planned += f64::from(utterance.duration()) + f64::from(pause_seconds);
            let product = line.product.as_deref().and_then(|id| products.iter().position(|p| p.id == id));
            record(&stats, &mut |st| st.lines += 1);
            if tx.send(Spoken { utterance: Arc::new(utterance), segment: seg.kind, product }).is_err() {
                closed = true; // the room stopped listening
                return false;
            }
            true
        };
        let written = writer.write(&request, &mut on_line);
        let refused = writer.take_rejected();
        if !refused.is_empty() {
            record(&stats, &mut |st| {
                for (text, reason) in &refused {
                    st.rejected += 1;
                    st.rejections.push(Rejected { planned_at: planned, text: text.clone(), reason: reason.clone() });
                }
            });
        }
        if closed {
            return;
        }
        if let Err(e) = written {
            tracing::error!(room, "the {} writer failed: {e}", writer.name());
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}
