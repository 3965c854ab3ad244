//! A room's chain: a dedicated thread that reads the show's script, carries each line into the
//! room's language (translate → market guard → voice) and hands finished utterances to the
//! room's timeline through a bounded channel.
//!
//! The channel is the look-ahead: the chain runs ahead of the room by a few utterances and
//! blocks when the timeline has enough, so inference never runs on a media thread and never
//! piles up unboundedly. A translation that cannot be trusted, or that the market's rules
//! refuse, is replaced by a line from the pack's native templates: never the source language,
//! never silence.
//!
//! The room keeps to the show clock: when its language runs longer than the source, it drops
//! low-priority lines (filler, social proof, then pitch) instead of falling behind; offers and
//! calls to action are never dropped. When it runs shorter, it holds a little longer between
//! lines.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded};
use script::{Guard, TemplateWriter};
use show::stages::{SegmentRequest, Translator, Voice};
use show::{Catalog, Line, Locale, Pack, Product, Reply, ReplyKind, SegmentKind, Utterance};

use crate::script_feed::{Rejected, ScriptLine, ScriptReader};

/// Where a room's line came from, for the script log.
#[derive(Clone, Debug, Default)]
pub struct LineOrigin {
    /// The script line it carries (None for the room's own fillers).
    pub seq: Option<u64>,
    /// The line in the show's source language.
    pub source: String,
    /// `same-language`, `memory`, `llm`, `apertium`, `native` (the pack's own templates).
    pub engine: String,
    /// Who wrote the source line.
    pub writer: String,
    /// Why an engine's output was not used, or why the native line replaced it.
    pub notes: Vec<String>,
    /// The language pack that spoke it.
    pub pack: String,
    /// Said out of the run of show: a reply to a viewer or the operator's line, with the chat
    /// message it answers (id, arrival in ms since the epoch).
    pub reply: Option<(ReplyKind, Option<(String, u64)>)>,
}

/// An utterance ready to play, with where it belongs in the run of show.
#[derive(Clone, Debug)]
pub struct Spoken {
    pub utterance: Arc<Utterance>,
    pub segment: SegmentKind,
    /// Index into the show's products.
    pub product: Option<usize>,
    /// Extra silence before it, in seconds (a room whose language runs short keeps to the
    /// show clock).
    pub hold: f32,
    /// The language pack generation that spoke it: after a live swap, older utterances still
    /// queued are skipped.
    pub generation: u32,
    pub origin: Option<Arc<LineOrigin>>,
    /// The run-of-show block of a script line that a product switch supersedes (`None` for
    /// replies, fillers and the market's own tagged lines).
    pub block: Option<u64>,
}

impl Spoken {
    pub fn new(utterance: Arc<Utterance>, segment: SegmentKind, product: Option<usize>) -> Spoken {
        Spoken { utterance, segment, product, hold: 0.0, generation: 0, origin: None, block: None }
    }
}

/// Counters the chain keeps, readable while it runs.
#[derive(Default, Debug)]
pub struct FeedStats {
    pub lines: u64,
    pub rejected: u64,
    pub voice_errors: u64,
    /// Lines translated by an engine or the memory.
    pub translated: u64,
    /// Lines replaced by the pack's native templates.
    pub native: u64,
    /// Lines dropped to keep to the show clock.
    pub dropped: u64,
    pub rejections: Vec<Rejected>,
}

/// Everything that makes a room speak one market's language; replaced whole on a live swap.
pub struct RoomLanguage {
    pub pack: Pack,
    pub locale: Locale,
    pub translator: Box<dyn Translator>,
    /// The same without slow engines (the LLM): memory and fast engines only. A live room whose
    /// queue has run dry uses it, so a busy model never leaves the room waiting.
    pub fast: Option<Box<dyn Translator>>,
    /// The source guard plus the market's banned phrases.
    pub guard: Guard,
    pub voice: Box<dyn Voice>,
    /// The pack's native templates (English packs: the built-in banks).
    pub native: TemplateWriter,
}

/// A language swap for the room's frame loop: what it must change on screen.
pub struct SwapNotice {
    pub generation: u32,
    pub pack: String,
    pub stage: Box<avatar::Stage>,
    /// The new language's fillers, delivered when rendered.
    pub fillers: Fillers,
}

/// A room's filler lines, rendered on their own thread (a neural voice takes seconds for
/// them) and delivered one by one as each is ready: a room that has just swapped language has
/// no filler until its first arrives, and waiting for the whole bank was dead air.
pub type Fillers = crossbeam_channel::Receiver<Arc<Utterance>>;

/// A swap request for the chain, with the stage built off the media path and the fillers
/// on their way.
pub struct SwapRequest {
    pub language: RoomLanguage,
    /// The same language for the room's reply thread (its own voice and translators).
    pub reply_language: Option<RoomLanguage>,
    pub stage: Box<avatar::Stage>,
    pub fillers: Fillers,
}

pub struct FeedSetup {
    pub room: String,
    pub reader: ScriptReader,
    /// The catalog the script was written from.
    pub source_catalog: Arc<Catalog>,
    /// The catalog the room sells from (its own local prices, or the show's).
    pub catalog: Arc<Catalog>,
    /// The room's products in run-of-show order.
    pub products: Arc<Vec<Product>>,
    pub language: RoomLanguage,
    /// A live room's replies are spoken on a thread of their own, with their own voice: a
    /// reply is never queued behind the synthesis of a script line. `None` (an offline
    /// render): nothing replies.
    pub reply_language: Option<RoomLanguage>,
    pub source: Locale,
    pub offer_minutes: u32,
    pub pause_seconds: f32,
    /// Utterances of look-ahead.
    pub lookahead: usize,
    /// The room's media clock in seconds (f64 bits), published by a live room's frame loop:
    /// time spent on fillers counts against the show clock too.
    pub clock: Arc<AtomicU64>,
    pub keep_log: bool,
    /// A live room: when its queue runs dry it takes the fast translator.
    pub live: bool,
}

pub struct Feed {
    pub rx: Receiver<Spoken>,
    /// Replies spoken and ready: the timeline plays them at the next sentence boundary, before
    /// the run of show.
    pub urgent: Receiver<Spoken>,
    replies: Sender<Reply>,
    pub stats: Arc<Mutex<FeedStats>>,
    /// Swaps applied by the chain, for the frame loop.
    pub notices: Receiver<SwapNotice>,
    swaps: Sender<SwapRequest>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Feed {
    pub fn spawn(setup: FeedSetup) -> std::io::Result<Feed> {
        let (tx, rx) = bounded(setup.lookahead.max(1));
        let (swap_tx, swap_rx) = bounded(4);
        let (notice_tx, notices) = bounded(4);
        let (reply_tx, reply_rx) = bounded(REPLY_INBOX);
        let (urgent_tx, urgent) = bounded(REPLY_INBOX);
        let stats = Arc::new(Mutex::new(FeedStats::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2) = (stats.clone(), stop.clone());
        let mut setup = setup;
        // Seconds of replies played so far (f64 bits): the chain moves the show clock on by them.
        let reply_seconds = Arc::new(AtomicU64::new(0f64.to_bits()));
        let reply_swaps = match setup.reply_language.take() {
            Some(language) => {
                let (lang_tx, lang_rx) = bounded::<(u32, RoomLanguage)>(4);
                let r = Replier {
                    room: setup.room.clone(),
                    catalog: setup.catalog.clone(),
                    products: setup.products.clone(),
                    source: setup.source.clone(),
                    pause_seconds: setup.pause_seconds,
                    stats: stats.clone(),
                    seconds: reply_seconds.clone(),
                };
                let stop = stop.clone();
                std::thread::Builder::new().name(format!("replies-{}", setup.room)).spawn(move || r.run(language, reply_rx, urgent_tx, lang_rx, stop))?;
                Some(lang_tx)
            }
            // An offline render has no viewers: nothing replies.
            None => None,
        };
        let io = Io { tx, swaps: swap_rx, notices: notice_tx, reply_swaps, reply_seconds };
        let handle = std::thread::Builder::new().name(format!("feed-{}", setup.room)).spawn(move || run(setup, io, s2, st2))?;
        Ok(Feed { rx, urgent, replies: reply_tx, stats, notices, swaps: swap_tx, stop, handle: Some(handle) })
    }

    /// Where replies for this room go (the chat desk, the operator).
    pub fn replier(&self) -> Sender<Reply> {
        self.replies.clone()
    }

    /// A handle that can request swaps from another thread.
    pub fn swapper(&self) -> Sender<SwapRequest> {
        self.swaps.clone()
    }

    /// Stops the chain; the thread ends at its next line. Waits for it a few seconds at most:
    /// a chain inside a long model call is left to end on its own rather than hold up the
    /// stream's clean end.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let Some(h) = self.handle.take() else { return };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !h.is_finished() && std::time::Instant::now() < deadline {
            // Unblock a pending send.
            while self.rx.try_recv().is_ok() {}
            while self.urgent.try_recv().is_ok() {}
            while self.notices.try_recv().is_ok() {}
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if h.is_finished() {
            let _ = h.join();
        } else {
            tracing::debug!("a room's chain is still inside a model call; it ends on its own");
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How far behind the show clock (seconds) a room may run before it drops a line of this kind;
/// `None`: never dropped.
fn drop_after(kind: SegmentKind) -> Option<f64> {
    match kind {
        SegmentKind::Filler | SegmentKind::SocialProof => Some(2.0),
        SegmentKind::Demo | SegmentKind::Pitch => Some(6.0),
        SegmentKind::Hook | SegmentKind::Transition => Some(15.0),
        SegmentKind::Offer | SegmentKind::CallToAction | SegmentKind::Answer => None,
    }
}

/// Replies a room holds at once (waiting to be spoken, and spoken waiting to play): few, so
/// the desk's lanes decide what is said next.
const REPLY_INBOX: usize = 2;

/// The chain's channels.
struct Io {
    tx: Sender<Spoken>,
    swaps: Receiver<SwapRequest>,
    notices: Sender<SwapNotice>,
    /// The reply thread's language swaps (with the generation), when it has one.
    reply_swaps: Option<Sender<(u32, RoomLanguage)>>,
    reply_seconds: Arc<AtomicU64>,
}

/// A live room's reply thread: translates, guards and speaks replies as soon as they come,
/// with a voice of its own, and hands them to the timeline.
struct Replier {
    room: String,
    catalog: Arc<Catalog>,
    products: Arc<Vec<Product>>,
    source: Locale,
    pause_seconds: f32,
    stats: Arc<Mutex<FeedStats>>,
    seconds: Arc<AtomicU64>,
}

impl Replier {
    fn run(self, mut language: RoomLanguage, replies: Receiver<Reply>, urgent: Sender<Spoken>, swaps: Receiver<(u32, RoomLanguage)>, stop: Arc<AtomicBool>) {
        let mut generation = 0u32;
        // A neural voice's first line costs several times the next ones: pay it now, not on
        // the first viewer's question.
        let warm = |language: &mut RoomLanguage| {
            let _ = language.voice.speak(&Line::new(SegmentKind::Answer, None).text("Hello there."), &language.locale);
        };
        warm(&mut language);
        while !stop.load(Ordering::Relaxed) {
            while let Ok((g, l)) = swaps.try_recv() {
                generation = g;
                language = l;
                warm(&mut language);
            }
            // A reply is taken only while the room has room for it: otherwise it waits at
            // the desk, in its lanes.
            if urgent.is_full() {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let r = match replies.recv_timeout(Duration::from_millis(100)) {
                Ok(r) => r,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
            };
            let received = r.message.as_ref().map(|(_, at)| *at).filter(|at| *at > 0);
            let t0 = std::time::Instant::now();
            let Some(spoken) = speak_reply(&self.room, r, &mut language, &self.catalog, &self.products, &self.source, generation, &self.stats) else { continue };
            if let Some(at) = received {
                tracing::debug!(room = %self.room, since_message_ms = show::chat::now_ms().saturating_sub(at), synthesis_ms = t0.elapsed().as_millis() as u64, "reply ready to play");
            }
            let took = f64::from(spoken.utterance.duration()) + f64::from(self.pause_seconds);
            match urgent.try_send(spoken) {
                Ok(()) => {
                    let _ = self.seconds.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| Some((f64::from_bits(b) + took).to_bits()));
                }
                Err(_) => tracing::warn!(room = %self.room, "too many replies waiting: one dropped"),
            }
        }
    }
}

/// A room ahead of the show clock by more than this holds between lines.
const HOLD_AFTER: f64 = 1.0;
/// The longest extra hold before one line (longer gaps would read as dead air).
const MAX_HOLD: f64 = 1.2;

fn run(s: FeedSetup, io: Io, stats: Arc<Mutex<FeedStats>>, stop: Arc<AtomicBool>) {
    let FeedSetup { room, reader, source_catalog, catalog, products, mut language, source, offer_minutes, pause_seconds, clock, keep_log, live, .. } = s;
    let Io { tx, swaps, notices, reply_swaps, reply_seconds } = io;
    if live {
        crate::work_ahead_priority();
    }
    // Reply time already counted into `offset` (the reply thread's total, f64 seconds).
    let mut replies_counted = 0.0f64;
    let local_prices = !Arc::ptr_eq(&source_catalog, &catalog);
    let record = |f: &mut dyn FnMut(&mut FeedStats)| f(&mut stats.lock().unwrap_or_else(|e| e.into_inner()));
    let mut generation = 0u32;
    // The room's own clock: where its next line will start.
    let mut room_t = 0.0f64;
    // How far the show clock has been moved on for this room while it waited for the writer.
    let mut offset = 0.0f64;
    let mut consecutive_voice_errors = 0u32;
    'lines: loop {
        let waited = reader.backlog() == 0;
        let sl = loop {
            match reader.next_within(&stop, Duration::from_millis(50)) {
                Ok(Some(sl)) => break sl,
                Ok(None) => break 'lines,
                Err(()) => {}
            }
        };
        // The reply thread's answers moved the show clock on for this room.
        let replied = f64::from_bits(reply_seconds.load(Ordering::Relaxed));
        offset += replied - replies_counted;
        replies_counted = replied;
        if let Ok(req) = swaps.try_recv() {
            generation += 1;
            tracing::info!(room, from = %language.pack.id, to = %req.language.pack.id, "language pack swapped");
            language = req.language;
            if let (Some(tx), Some(l)) = (&reply_swaps, req.reply_language) {
                let _ = tx.try_send((generation, l));
            }
            // Never blocks: a frame loop that has stopped reading no longer needs it.
            let _ = notices.try_send(SwapNotice { generation, pack: language.pack.id.clone(), stage: req.stage, fillers: req.fillers });
            // What the old language had queued is skipped by the timeline: restart from the
            // room's media clock.
            room_t = f64::from_bits(clock.load(Ordering::Relaxed));
        }
        // A live room that ran dry played fillers: its clock moved on without the chain.
        room_t = room_t.max(f64::from_bits(clock.load(Ordering::Relaxed)));
        // A room that had to wait for the writer is not behind: the writer is. Its lag is
        // counted from here on.
        if waited {
            offset = offset.max(room_t - sl.at);
        }
        let lag = room_t - (sl.at + offset);
        // Openings and AI disclosures are never dropped: the market requires them.
        if let Some(limit) = drop_after(sl.segment.kind)
            && sl.line.tag.is_none()
            && lag > limit
        {
            tracing::debug!(room, seq = sl.seq, lag, "behind the show clock: dropping a {} line", sl.segment.kind.name());
            record(&mut |st| st.dropped += 1);
            continue;
        }
        let hold = if -lag > HOLD_AFTER { (-lag - HOLD_AFTER).min(MAX_HOLD) } else { 0.0 };
        // A room with its own catalog states its own prices: each price keeps its role (the
        // price, the compare-at price) with the room's amount.
        let localized;
        let sl: &ScriptLine = if local_prices {
            localized = ScriptLine { line: localize(&sl.line, &source_catalog, &catalog), ..(*sl).clone() };
            &localized
        } else {
            &sl
        };
        let hurry = live && tx.is_empty();
        let Some((line, origin)) = carry(&room, sl, &mut language, hurry, &catalog, &products, &source, offer_minutes, &stats, keep_log) else { continue };
        let utterance = match language.voice.speak(&line, &language.locale) {
            Ok(u) => {
                consecutive_voice_errors = 0;
                u
            }
            Err(e) => {
                consecutive_voice_errors += 1;
                record(&mut |st| st.voice_errors += 1);
                tracing::error!(room, "the {} voice failed: {e}", language.voice.name());
                if consecutive_voice_errors > 20 {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
                continue;
            }
        };
        room_t += hold + f64::from(utterance.duration()) + f64::from(pause_seconds);
        let product = line.product.as_deref().and_then(|id| products.iter().position(|p| p.id == id));
        record(&mut |st| st.lines += 1);
        let block = sl.line.tag.is_none().then_some(sl.segment.block);
        let spoken = Spoken { utterance: Arc::new(utterance), segment: sl.segment.kind, product, hold: hold as f32, generation, origin: Some(Arc::new(origin)), block };
        // Waits for the room to take the line.
        let mut spoken = spoken;
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            // The operator switched products while this line waited: it is about the old one.
            if reader.superseded(&sl) {
                break;
            }
            match tx.send_timeout(spoken, Duration::from_millis(100)) {
                Ok(()) => break,
                Err(crossbeam_channel::SendTimeoutError::Timeout(s)) => spoken = s,
                Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => return, // the room stopped listening
            }
        }
    }
}

/// A reply in the room's language, checked by the market guard and spoken; `None` when it
/// cannot be said safely (no faithful translation, refused, the voice failed).
#[allow(clippy::too_many_arguments)]
fn speak_reply(room: &str, r: Reply, lang: &mut RoomLanguage, catalog: &Catalog, products: &[Product], source: &Locale, generation: u32, stats: &Mutex<FeedStats>) -> Option<Spoken> {
    let record = |f: &mut dyn FnMut(&mut FeedStats)| f(&mut stats.lock().unwrap_or_else(|e| e.into_inner()));
    let same_language = source.language() == lang.locale.language();
    let mut origin = LineOrigin { seq: None, source: r.line.display(source), engine: String::new(), writer: r.line.by.label(), notes: Vec::new(), pack: lang.pack.id.clone(), reply: Some((r.kind, r.message.clone())) };
    let line = if same_language {
        origin.engine = "same-language".into();
        r.line.clone()
    } else {
        // A reply is late by nature: the fast engines when the room has them.
        let translator = match lang.fast.as_mut() {
            Some(fast) => fast,
            None => &mut lang.translator,
        };
        match translator.translate(&r.line, source, &lang.locale) {
            Ok(t) => {
                origin.engine = t.engine;
                origin.notes = t.notes;
                t.line
            }
            Err(e) => {
                tracing::warn!(room, "no faithful translation of a reply: {}", e.message);
                record(&mut |st| st.rejected += 1);
                return None;
            }
        }
    };
    if let Err(rej) = lang.guard.check(&line, catalog) {
        tracing::warn!(room, reason = %rej, "the market guard refused a reply");
        record(&mut |st| st.rejected += 1);
        return None;
    }
    let utterance = match lang.voice.speak(&line, &lang.locale) {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(room, "the {} voice failed on a reply: {e}", lang.voice.name());
            record(&mut |st| st.voice_errors += 1);
            return None;
        }
    };
    let product = line.product.as_deref().and_then(|id| products.iter().position(|p| p.id == id));
    record(&mut |st| st.lines += 1);
    Some(Spoken { utterance: Arc::new(utterance), segment: SegmentKind::Answer, product, hold: 0.0, generation, origin: Some(Arc::new(origin)), block: None })
}

/// The line with its prices and discount restated from the room's catalog; a fact without a
/// counterpart there is left as it is, for the guard to refuse (the room then says a native
/// line built from its own catalog).
fn localize(line: &Line, source: &Catalog, local: &Catalog) -> Line {
    let (Some(sp), Some(lp)) = (line.product.as_deref().and_then(|id| source.product(id)), line.product.as_deref().and_then(|id| local.product(id))) else {
        return line.clone();
    };
    let mut out = line.clone();
    for part in &mut out.parts {
        let show::Part::Fact(f) = part else { continue };
        *f = match *f {
            show::Fact::Price(m) if m == sp.price() => show::Fact::Price(lp.price()),
            show::Fact::Price(m) if Some(m) == sp.compare_at() => lp.compare_at().map_or(*f, show::Fact::Price),
            show::Fact::Price(m) => {
                // The same variant in the room's catalog: by SKU, else by title or options
                // (never by position: two exports may list variants in different orders).
                let counterpart = |a: &show::Variant| {
                    lp.variants.iter().find(|b| a.sku.is_some() && b.sku == a.sku).or_else(|| lp.variants.iter().find(|b| b.title == a.title && b.options == a.options))
                };
                let by_variant = sp.variants.iter().find_map(|a| {
                    let b = counterpart(a)?;
                    if a.price == m {
                        Some(b.price)
                    } else if a.compare_at == Some(m) {
                        b.compare_at
                    } else {
                        None
                    }
                });
                by_variant.map_or(*f, show::Fact::Price)
            }
            show::Fact::Percent(p) if Some(p) == sp.discount_percent() => lp.discount_percent().map_or(*f, show::Fact::Percent),
            other => other,
        };
    }
    out
}

/// The room's version of a script line, and where it came from; `None` when the room has no
/// line for it (the guard refused even the native one).
#[allow(clippy::too_many_arguments)]
fn carry(
    room: &str,
    sl: &ScriptLine,
    lang: &mut RoomLanguage,
    hurry: bool,
    catalog: &Catalog,
    products: &[Product],
    source: &Locale,
    offer_minutes: u32,
    stats: &Mutex<FeedStats>,
    keep_log: bool,
) -> Option<(Line, LineOrigin)> {
    let record = |f: &mut dyn FnMut(&mut FeedStats)| f(&mut stats.lock().unwrap_or_else(|e| e.into_inner()));
    let mut origin = LineOrigin { seq: Some(sl.seq), source: sl.source_text.clone(), engine: String::new(), writer: sl.writer.clone(), notes: Vec::new(), pack: lang.pack.id.clone(), reply: None };
    let same_language = source.language() == lang.locale.language();
    // Openings and AI disclosures are the room's own words (its pack's), never a translation.
    let own = sl.line.tag.as_deref();
    if own.is_none() {
        let translator = match lang.fast.as_mut() {
            Some(fast) if hurry => fast,
            _ => &mut lang.translator,
        };
        match translator.translate(&sl.line, source, &lang.locale) {
            Ok(t) => {
                origin.notes = t.notes;
                match lang.guard.check(&t.line, catalog) {
                    Ok(()) => {
                        origin.engine = t.engine;
                        if !same_language {
                            record(&mut |st| st.translated += 1);
                        }
                        return Some((t.line, origin));
                    }
                    Err(r) => {
                        tracing::warn!(room, reason = %r, "the market guard refused a translated line");
                        translator.refused(&sl.line, source);
                        origin.notes.push(format!("{}: refused: {}", t.engine, r.reason));
                        record(&mut |st| {
                            st.rejected += 1;
                            if keep_log {
                                st.rejections.push(Rejected { planned_at: sl.at, text: t.line.display(&lang.locale), reason: r.reason.clone() });
                            }
                        });
                        if same_language {
                            return None;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::debug!(room, "no faithful translation: {e}");
                origin.notes.push(e.message);
            }
        }
    }
    // The pack's native line for the same segment and product.
    let product = products.get(sl.segment.product);
    let next = products.get(sl.segment.next_product).filter(|_| products.len() > 1);
    let request = SegmentRequest { kind: sl.segment.kind, product, next_product: next, index: sl.segment.index.max(1), block: sl.segment.block, sentences: 1, offer_minutes };
    let line = match own {
        Some(tag) => lang.native.tagged_line(tag, &request),
        None => lang.native.fallback_line(&request, &sl.line),
    }?;
    if let Err(r) = lang.guard.check(&line, catalog) {
        tracing::warn!(room, reason = %r, "the guard refused a native line");
        return None;
    }
    origin.engine = "native".into();
    record(&mut |st| st.native += 1);
    Some((line, origin))
}
