//! A room's media clock. Audio samples are the clock: frame `n` covers samples
//! `[n·spf, (n+1)·spf)` with `spf = 48000 / fps`, so video can never drift from audio, not over
//! a day, not after a reconnect. Everything the stage shows (mouth, subtitle, card, countdown,
//! gestures) is derived from the position in that sample stream.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};
use show::{Cue, MouthShape, SAMPLE_RATE, SegmentKind, Utterance};

use crate::feed::{LineOrigin, Spoken};

/// Background music: decoded once, looped, ducked under speech.
pub struct Music {
    pub samples: Arc<Vec<f32>>,
    pub volume: f32,
    pub duck: f32,
}

/// How the timeline waits for the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// Offline rendering: wait for every line, so a preview is complete and reproducible.
    Offline,
    /// Live: never wait; if no line is ready, the host idles (music, idle motion) and a filler
    /// line is spoken after a grace period, so there is never dead air.
    Live,
}

/// A line as it was played, for subtitles and the script log.
#[derive(Clone, Debug)]
pub struct PlayedLine {
    pub start: f64,
    pub end: f64,
    pub segment: SegmentKind,
    pub product: Option<usize>,
    pub utterance: Arc<Utterance>,
    pub origin: Option<Arc<LineOrigin>>,
    /// Cut short for a reply (at a clause or word), or by the operator's skip.
    pub cut: bool,
}

/// What the stage needs to draw one frame.
#[derive(Clone, Debug)]
pub struct Moment {
    pub t: f64,
    pub product: Option<usize>,
    pub utterance: Option<Arc<Utterance>>,
    pub word: Option<std::ops::Range<usize>>,
    pub mouth: MouthShape,
    pub speaking: bool,
    pub countdown: Option<f32>,
    pub gesture: Option<(Cue, f32)>,
    pub look_at_card: bool,
}

struct Playing {
    spoken: Spoken,
    start: u64,
    /// Already cut short for a reply.
    cut: bool,
    /// Said again after a cut: not cut a second time.
    said_again: bool,
}

/// Gestures last this long after the line that cued them starts.
const GESTURE_SECONDS: f64 = 2.6;
/// In live mode, how long the host may stay silent before a filler line is spoken.
const FILLER_GRACE_SECONDS: f64 = 2.5;
/// Coarticulation window for mouth shapes.
const MOUTH_BLEND: f32 = 0.07;

pub struct Timeline {
    spf: u64,
    pace: Pace,
    pause: u64,
    frame: u64,
    current: Option<Playing>,
    /// The line that played most recently (to find the mouth at a frame's middle).
    recent: Option<Playing>,
    next_start: u64,
    idle_since: Option<u64>,
    product: Option<usize>,
    countdown_end: Option<f64>,
    gesture: Option<(Cue, f64)>,
    music: Option<Music>,
    music_pos: usize,
    music_gain: f32,
    fillers: Vec<Arc<Utterance>>,
    filler_next: usize,
    /// A line pulled early, waiting out its hold.
    pending: Option<Spoken>,
    /// Utterances of older language packs are skipped (after a live swap).
    generation: u32,
    audio: Vec<f32>,
    /// Whether each sample of the frame being built is speech (for ducking).
    speech: Vec<bool>,
    pub played: Vec<PlayedLine>,
    /// Frames during which the feed had nothing ready.
    pub starved_frames: u64,
    pub fillers_played: u64,
    feed_closed: bool,
    keep_history: bool,
    /// Replies ready to play: they go before the run of show at the next sentence boundary.
    urgent: Option<Receiver<Spoken>>,
    /// The run of show is held (the operator's pause): replies still play, fillers do not.
    paused: bool,
    /// Lines finished since [`Timeline::take_finished`] was last called (for the transcript).
    finished: Option<Vec<PlayedLine>>,
    /// Replies played since the last line of the run of show.
    replies_in_a_row: u32,
    /// A line cut for a reply that will be said again, whole.
    said_again: Option<Arc<Utterance>>,
    /// The line being said was about to be flushed (the operator switched products while it
    /// played): cut, it is not said again.
    current_superseded: bool,
    /// Script lines of blocks before this one were written before the operator's last product
    /// switch: they are dropped unsaid, wherever they wait.
    script_barrier: Option<Arc<std::sync::atomic::AtomicU64>>,
}

/// At most this many replies in a row while the run of show has a line ready: a busy chat
/// never silences the show.
const MAX_REPLIES_IN_A_ROW: u32 = 2;
/// A reply waiting cuts a run-of-show line short when more than this is left of it (seconds):
/// the host breaks off at the next clause — after a comma, a colon, a dash — as a person
/// taking a question would, instead of finishing a long sentence first.
const CUT_IN_LEFT: f32 = 0.8;
/// A clause further ahead than this (seconds) is not waited for: the line is cut at the next
/// word instead, when more than [`CUT_AT_WORD_LEFT`] is left of it.
const CUT_CLAUSE_WITHIN: f32 = 1.2;
const CUT_AT_WORD_LEFT: f32 = 1.2;
/// Soft end of a cut line (seconds): no click.
const CUT_FADE: f32 = 0.03;

impl Timeline {
    pub fn new(fps: u32, pace: Pace, pause_seconds: f32, music: Option<Music>, fillers: Vec<Arc<Utterance>>, first_product: Option<usize>) -> Timeline {
        let spf = u64::from(SAMPLE_RATE / fps);
        let music_gain = music.as_ref().map_or(0.0, |m| m.volume);
        Timeline {
            spf,
            pace,
            pause: (f64::from(pause_seconds) * f64::from(SAMPLE_RATE)) as u64,
            frame: 0,
            current: None,
            recent: None,
            next_start: 0,
            idle_since: None,
            product: first_product,
            countdown_end: None,
            gesture: None,
            music,
            music_pos: 0,
            music_gain,
            fillers,
            filler_next: 0,
            pending: None,
            generation: 0,
            audio: vec![0.0; spf as usize],
            speech: vec![false; spf as usize],
            played: Vec::new(),
            starved_frames: 0,
            fillers_played: 0,
            feed_closed: false,
            keep_history: true,
            urgent: None,
            paused: false,
            finished: None,
            replies_in_a_row: 0,
            said_again: None,
            current_superseded: false,
            script_barrier: None,
        }
    }

    /// Drops script lines of blocks before `barrier` when they come up (see
    /// [`crate::script_feed::ScriptLog::barrier`]).
    pub fn with_script_barrier(mut self, barrier: Arc<std::sync::atomic::AtomicU64>) -> Self {
        self.script_barrier = Some(barrier);
        self
    }

    fn superseded(&self, s: &Spoken) -> bool {
        s.block.zip(self.script_barrier.as_ref()).is_some_and(|(b, barrier)| b < barrier.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Plays replies from `rx` before the run of show, at the next sentence boundary.
    pub fn with_urgent(mut self, rx: Receiver<Spoken>) -> Self {
        self.urgent = Some(rx);
        self
    }

    /// Keeps every finished line for [`Timeline::take_finished`] (a live room's transcript).
    pub fn record_finished(mut self) -> Self {
        self.finished = Some(Vec::new());
        self
    }

    /// The lines finished since the last call.
    pub fn take_finished(&mut self) -> Vec<PlayedLine> {
        self.finished.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Puts the product on stage and its offer countdown (seconds left) back, as a restarted
    /// show found them.
    pub fn resume(&mut self, product: usize, countdown_left: Option<f64>) {
        self.product = Some(product);
        self.countdown_end = countdown_left.filter(|l| *l > 0.0).map(|l| self.seconds() + l);
    }

    /// Seconds left on the offer countdown, if one runs.
    pub fn countdown_left(&self) -> Option<f64> {
        self.countdown_end.map(|end| end - self.seconds()).filter(|l| *l > 0.0)
    }

    /// Holds (or resumes) the run of show: while held the host speaks replies only.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    /// Cuts the line being spoken short (the operator's skip); the next one starts after the
    /// usual pause.
    pub fn skip_current(&mut self) {
        if let Some(cur) = self.current.as_mut() {
            let at = self.frame * self.spf;
            let played = at.saturating_sub(cur.start) as usize;
            if played < cur.spoken.utterance.samples.len() {
                let mut u = (*cur.spoken.utterance).clone();
                u.samples.truncate(played);
                cur.spoken.utterance = Arc::new(u);
                cur.cut = true;
            }
            self.finish_current();
        }
    }

    /// A reply is waiting: the run-of-show line being said ends at its next clause (or word)
    /// instead of its end. A line the market requires (the AI disclosure, the opening), an
    /// offer or a call to action that is cut is said again, whole, after the replies.
    fn cut_for_reply(&mut self, now: u64) {
        let Some(rx) = self.urgent.as_ref() else { return };
        if rx.is_empty() || self.paused {
            return;
        }
        let Some(cur) = self.current.as_mut() else { return };
        let u = &cur.spoken.utterance;
        // A line the market requires (the AI disclosure), an offer or a call to action is cut
        // only when it can be said again, whole, right after the replies.
        let say_again = u.line.tag.is_some() || matches!(cur.spoken.segment, SegmentKind::Offer | SegmentKind::CallToAction);
        if cur.cut || cur.said_again || matches!(cur.spoken.segment, SegmentKind::Answer) || (say_again && self.pending.is_some()) {
            return;
        }
        let rate = SAMPLE_RATE as f32;
        let played = now.saturating_sub(cur.start) as f32 / rate;
        let left = u.duration() - played;
        // Past its middle, a line to be said again is finished instead: saying most of it
        // twice would cost more than the wait.
        if left <= CUT_IN_LEFT || (say_again && played > u.duration() / 2.0) {
            return;
        }
        // A clause ends at this word: punctuation right after it (or inside its range).
        let marks = [',', ';', ':', '—', '–'];
        let closers = ['"', '\'', ')', '’', '”'];
        let clause = |w: &show::WordTiming| {
            u.display.get(w.display.clone()).is_some_and(|word| word.trim_end_matches(closers).ends_with(marks))
                || u.display.get(w.display.end..).is_some_and(|rest| rest.trim_start_matches(closers).starts_with(marks))
        };
        let ahead = || u.words.iter().filter(|w| w.end > played + 0.05 && w.end < u.duration() - 0.3);
        let at = match ahead().find(|w| clause(w)).filter(|w| w.end <= played + CUT_CLAUSE_WITHIN) {
            Some(w) => w.end,
            None if left > CUT_AT_WORD_LEFT => match ahead().find(|w| w.end > played + 0.25) {
                Some(w) => w.end,
                None => return,
            },
            None => return,
        };
        let keep = ((at + 0.06) * rate) as usize;
        if keep >= u.samples.len() {
            return;
        }
        let whole = cur.spoken.clone();
        let mut cut = (**u).clone();
        cut.samples.truncate(keep);
        let fade = ((CUT_FADE * rate) as usize).min(keep);
        for (i, s) in cut.samples[keep - fade..].iter_mut().enumerate() {
            *s *= 1.0 - (i + 1) as f32 / fade as f32;
        }
        cur.spoken.utterance = Arc::new(cut);
        cur.cut = true;
        if say_again && self.pending.is_none() && !self.current_superseded {
            self.said_again = Some(whole.utterance.clone());
            self.pending = Some(Spoken { hold: 0.0, ..whole });
        }
    }

    /// Drops the run-of-show lines ready to play (after a product switch); replies stay. With
    /// a script barrier the queue is left to [`Timeline::pull`], which drops the old block's
    /// lines and keeps the market's own (the AI disclosure of a show switched at its start).
    pub fn flush_script(&mut self, rx: &Receiver<Spoken>) {
        self.pending = None;
        self.said_again = None;
        self.current_superseded = self.current.is_some();
        if self.script_barrier.is_none() {
            while rx.try_recv().is_ok() {}
        }
    }

    fn take_urgent(&mut self) -> Option<Spoken> {
        let rx = self.urgent.as_ref()?;
        while let Ok(s) = rx.try_recv() {
            if s.generation >= self.generation {
                return Some(s);
            }
        }
        None
    }

    /// A 24/7 room keeps no history of played lines (memory stays flat over days).
    pub fn forget_history(mut self) -> Self {
        self.keep_history = false;
        self
    }

    /// One more filler in the room's current language, as soon as it is rendered.
    pub fn add_filler(&mut self, filler: Arc<Utterance>) {
        self.fillers.push(filler);
    }

    /// Switches to a new language pack: only its utterances from now on, and no filler of the
    /// old language (the new one's arrive with [`Timeline::add_filler`]).
    pub fn set_language(&mut self, generation: u32) {
        self.generation = generation;
        self.fillers.clear();
        if self.pending.as_ref().is_some_and(|p| p.generation < generation) {
            self.pending = None;
        }
    }

    pub fn frame(&self) -> u64 {
        self.frame
    }

    pub fn seconds(&self) -> f64 {
        (self.frame * self.spf) as f64 / f64::from(SAMPLE_RATE)
    }

    /// True once the feed has ended and everything it sent has been played.
    pub fn exhausted(&self) -> bool {
        self.feed_closed && self.current.is_none()
    }

    fn pull(&mut self, rx: &Receiver<Spoken>, at: u64) -> Option<Spoken> {
        if self.feed_closed || self.paused {
            return None;
        }
        match self.pace {
            Pace::Offline => loop {
                match rx.recv_timeout(Duration::from_secs(120)) {
                    Ok(s) if s.generation < self.generation || self.superseded(&s) => continue,
                    Ok(s) => return Some(s),
                    Err(RecvTimeoutError::Disconnected) => {
                        self.feed_closed = true;
                        return None;
                    }
                    Err(RecvTimeoutError::Timeout) => tracing::warn!("still waiting for the script feed"),
                }
            },
            Pace::Live => match rx.try_recv() {
                // Skipped lines (an old language, a block before the operator's switch) cost no
                // frame of silence: the next one is looked at at once.
                Ok(s) if s.generation < self.generation || self.superseded(&s) => self.pull(rx, at),
                Ok(s) => Some(s),
                Err(crossbeam_channel::TryRecvError::Disconnected) => {
                    self.feed_closed = true;
                    None
                }
                Err(crossbeam_channel::TryRecvError::Empty) => {
                    // Nothing ready: after a grace period, say a filler line.
                    let since = *self.idle_since.get_or_insert(at);
                    let waited = (at - since) as f64 / f64::from(SAMPLE_RATE);
                    if waited >= FILLER_GRACE_SECONDS && !self.fillers.is_empty() {
                        let u = self.fillers[self.filler_next % self.fillers.len()].clone();
                        self.filler_next += 1;
                        self.fillers_played += 1;
                        return Some(Spoken::new(u, SegmentKind::Filler, self.product));
                    }
                    None
                }
            },
        }
    }

    fn start(&mut self, spoken: Spoken, at: u64) {
        let t = at as f64 / f64::from(SAMPLE_RATE);
        self.idle_since = None;
        // The market's own lines (the opening, the AI disclosure) are about no product: they
        // leave the card as it is (one said again after an operator's switch must not bring
        // the old product back).
        if let Some(p) = spoken.product
            && spoken.utterance.line.tag.is_none()
            && self.product != Some(p)
        {
            self.product = Some(p);
            self.countdown_end = None;
        }
        for cue in &spoken.utterance.line.cues {
            match *cue {
                // A running countdown runs out before a new one starts: a timer that jumps back up
                // would be a fake urgency (and a resumed show keeps its offer's end).
                Cue::Countdown(secs) => {
                    if self.countdown_end.is_none_or(|end| end <= t) {
                        self.countdown_end = Some(t + f64::from(secs));
                    }
                }
                Cue::Point | Cue::Wave | Cue::ThumbsUp | Cue::OpenPalms => self.gesture = Some((*cue, t)),
                Cue::LookAtCard => {}
            }
        }
        let said_again = self.said_again.take().is_some_and(|u| Arc::ptr_eq(&u, &spoken.utterance));
        self.current_superseded = false;
        self.current = Some(Playing { spoken, start: at, cut: false, said_again });
    }

    fn finish_current(&mut self) {
        if let Some(cur) = self.current.take() {
            let len = cur.spoken.utterance.samples.len() as u64;
            let end = cur.start + len;
            let played = || PlayedLine {
                start: cur.start as f64 / f64::from(SAMPLE_RATE),
                end: end as f64 / f64::from(SAMPLE_RATE),
                segment: cur.spoken.segment,
                product: cur.spoken.product,
                utterance: cur.spoken.utterance.clone(),
                origin: cur.spoken.origin.clone(),
                cut: cur.cut,
            };
            if self.keep_history {
                self.played.push(played());
            }
            if let Some(f) = self.finished.as_mut() {
                f.push(played());
            }
            // Breaking off takes a shorter breath than ending a sentence.
            self.next_start = end + if cur.cut { self.pause / 2 } else { self.pause };
            self.idle_since = Some(end);
            self.recent = Some(cur);
        }
    }

    /// Builds the next frame: its audio (speech mixed with ducked music) and the moment at its
    /// middle for the stage.
    pub fn step(&mut self, rx: &Receiver<Spoken>) -> (&[f32], Moment) {
        let spf = self.spf as usize;
        let frame_start = self.frame * self.spf;
        self.audio.iter_mut().for_each(|s| *s = 0.0);
        self.speech.iter_mut().for_each(|s| *s = false);
        let mut pos = 0usize;
        let mut starved = false;
        self.cut_for_reply(frame_start);
        while pos < spf {
            let abs = frame_start + pos as u64;
            if let Some(cur) = &self.current {
                let samples = &cur.spoken.utterance.samples;
                let off = (abs - cur.start) as usize;
                let n = (samples.len() - off).min(spf - pos);
                self.audio[pos..pos + n].copy_from_slice(&samples[off..off + n]);
                self.speech[pos..pos + n].iter_mut().for_each(|s| *s = true);
                pos += n;
                if off + n >= samples.len() {
                    self.finish_current();
                }
                continue;
            }
            if abs >= self.next_start && !starved {
                let show_waits = self.pending.is_some() || !rx.is_empty();
                let urgent = if self.replies_in_a_row < MAX_REPLIES_IN_A_ROW || !show_waits || self.paused { self.take_urgent() } else { None };
                let next = match urgent {
                    Some(u) => {
                        self.replies_in_a_row += 1;
                        Some(u)
                    }
                    None => {
                        let s = self.pending.take().or_else(|| self.pull(rx, abs));
                        if s.as_ref().is_some_and(|s| s.segment != SegmentKind::Filler) {
                            self.replies_in_a_row = 0;
                        }
                        s
                    }
                };
                if let Some(mut s) = next {
                    if s.utterance.samples.is_empty() {
                        continue;
                    }
                    if s.hold > 0.0 {
                        // Keep to the show clock: a little more silence before this line.
                        self.next_start = abs + (f64::from(s.hold) * f64::from(SAMPLE_RATE)) as u64;
                        s.hold = 0.0;
                        self.pending = Some(s);
                        continue;
                    }
                    self.start(s, abs);
                    continue;
                }
                starved = true;
            }
            // Silence until the pause ends (or the rest of the frame, if starved).
            let until = if abs < self.next_start { (self.next_start - abs) as usize } else { spf - pos };
            pos += until.min(spf - pos);
        }
        if starved && self.pace == Pace::Live && !self.paused {
            self.starved_frames += 1;
        }
        self.mix_music();

        let mid = frame_start + self.spf / 2;
        let t = mid as f64 / f64::from(SAMPLE_RATE);
        let playing = [self.current.as_ref(), self.recent.as_ref()]
            .into_iter()
            .flatten()
            .find(|p| mid >= p.start && mid < p.start + p.spoken.utterance.samples.len() as u64);
        let moment = match playing {
            Some(p) => {
                let u = &p.spoken.utterance;
                let local = ((mid - p.start) as f64 / f64::from(SAMPLE_RATE)) as f32;
                Moment {
                    t,
                    product: self.product,
                    utterance: Some(u.clone()),
                    word: u.words.iter().find(|w| local >= w.start && local < w.end).map(|w| w.display.clone()),
                    mouth: u.visemes.shape_at(local, MOUTH_BLEND),
                    speaking: true,
                    countdown: None,
                    gesture: None,
                    look_at_card: u.line.cues.contains(&Cue::LookAtCard),
                }
            }
            None => Moment {
                t,
                product: self.product,
                utterance: None,
                word: None,
                mouth: MouthShape::REST,
                speaking: false,
                countdown: None,
                gesture: None,
                look_at_card: false,
            },
        };
        let moment = Moment {
            countdown: self.countdown_end.map(|end| (end - t) as f32).filter(|left| *left > 0.0),
            gesture: self.gesture.map(|(c, since)| (c, (t - since) as f32)).filter(|(_, age)| f64::from(*age) < GESTURE_SECONDS),
            ..moment
        };
        self.frame += 1;
        (&self.audio, moment)
    }

    fn mix_music(&mut self) {
        let Some(m) = &self.music else { return };
        if m.samples.is_empty() {
            return;
        }
        // Ducking: the gain falls fast when speech starts and recovers slowly after it.
        let down = 1.0 - (-1.0 / (0.08 * SAMPLE_RATE as f32)).exp();
        let up = 1.0 - (-1.0 / (0.6 * SAMPLE_RATE as f32)).exp();
        for (i, s) in self.audio.iter_mut().enumerate() {
            let target = if self.speech[i] { m.volume * m.duck } else { m.volume };
            let k = if target < self.music_gain { down } else { up };
            self.music_gain += (target - self.music_gain) * k;
            let v = *s + m.samples[self.music_pos] * self.music_gain;
            *s = v.clamp(-1.0, 1.0);
            self.music_pos = (self.music_pos + 1) % m.samples.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::media::VisemeKey;
    use show::{Line, Viseme, VisemeTrack};

    fn utt(seconds: f32, cues: Vec<Cue>) -> Arc<Utterance> {
        let n = (seconds * SAMPLE_RATE as f32) as usize;
        let mut line = Line::new(SegmentKind::Pitch, None).text("hello there");
        line.cues = cues;
        Arc::new(Utterance {
            line,
            display: "hello there".into(),
            spoken: "hello there".into(),
            samples: vec![0.5; n],
            visemes: VisemeTrack { keys: vec![VisemeKey { at: 0.0, viseme: Viseme::Open }] },
            words: vec![],
        })
    }

    #[test]
    fn audio_is_the_clock_and_pauses_separate_lines() {
        let (tx, rx) = crossbeam_channel::bounded(4);
        tx.send(Spoken::new(utt(0.5, vec![Cue::Countdown(60)]), SegmentKind::Pitch, Some(1))).unwrap();
        tx.send(Spoken::new(utt(0.5, vec![]), SegmentKind::Pitch, Some(1))).unwrap();
        drop(tx);
        let mut tl = Timeline::new(30, Pace::Offline, 0.25, None, vec![], Some(0));
        let mut total = Vec::new();
        let mut speaking = Vec::new();
        while !tl.exhausted() {
            let (audio, m) = tl.step(&rx);
            total.extend_from_slice(audio);
            speaking.push(m.speaking);
            assert_eq!(m.product, Some(1));
            assert!(m.countdown.is_some_and(|c| c <= 60.0));
        }
        // 0.5 s speech, 0.25 s pause, 0.5 s speech.
        let on: usize = total.iter().filter(|s| **s > 0.0).count();
        assert_eq!(on, SAMPLE_RATE as usize);
        assert_eq!(total.len() % 1600, 0);
        assert_eq!(tl.played.len(), 2);
        assert!((tl.played[1].start - 0.75).abs() < 1e-9);
        // Frames in the pause are not speaking.
        assert!(speaking[16..22].iter().all(|s| !s));
    }

    #[test]
    fn live_never_waits_and_fills_silence() {
        let (_tx, rx) = crossbeam_channel::bounded::<Spoken>(1);
        let mut tl = Timeline::new(30, Pace::Live, 0.25, None, vec![utt(0.3, vec![])], None);
        let mut spoke = false;
        for _ in 0..120 {
            let (_, m) = tl.step(&rx);
            spoke |= m.speaking;
        }
        assert!(tl.starved_frames > 0);
        assert_eq!(tl.fillers_played, 1);
        assert!(spoke);
    }

    /// A line of `words` words, 0.5 s each, with a comma after the word at `comma`.
    fn worded(words: usize, comma: usize, kind: SegmentKind) -> Arc<Utterance> {
        let mut display = String::new();
        let mut timings = Vec::new();
        for i in 0..words {
            let start = display.len();
            display.push_str("word");
            timings.push(show::WordTiming { start: i as f32 * 0.5, end: i as f32 * 0.5 + 0.45, display: start..display.len() });
            display.push_str(if i == comma { ", " } else { " " });
        }
        let mut u = (*utt(words as f32 * 0.5, vec![])).clone();
        u.line = Line::new(kind, None).text(&display);
        u.display = display;
        u.words = timings;
        Arc::new(u)
    }

    #[test]
    fn a_reply_cuts_in_at_the_next_clause_and_an_offer_is_said_again() {
        for (kind, comma) in [(SegmentKind::Pitch, 3), (SegmentKind::Offer, 3), (SegmentKind::Pitch, 99), (SegmentKind::Pitch, 7)] {
            let (tx, rx) = crossbeam_channel::bounded(4);
            let (utx, urx) = crossbeam_channel::bounded(2);
            // A 10-second line; the reply comes 1 s in.
            tx.send(Spoken::new(worded(20, comma, kind), kind, None)).unwrap();
            let mut tl = Timeline::new(30, Pace::Live, 0.25, None, vec![], None).with_urgent(urx).record_finished();
            let mut reply_at = None;
            for f in 0..600u32 {
                if f == 30 {
                    utx.send(Spoken::new(utt(1.0, vec![]), SegmentKind::Answer, None)).unwrap();
                }
                tl.step(&rx);
                for l in tl.take_finished() {
                    if l.segment == SegmentKind::Answer {
                        reply_at = Some(l.start);
                    }
                }
            }
            let reply_at = reply_at.expect("the reply played");
            let cut = &tl.played[0];
            if comma != 3 {
                // No clause ahead, or one too far ahead (word 7 ends at 3.95 s): the line is cut
                // at a word within a breath.
                assert!(reply_at < 1.0 + 0.8 + 0.3, "{kind:?}: reply at {reply_at}");
                assert!(cut.end < 2.0, "{kind:?}: cut at {}", cut.end);
            } else {
                // After the comma (word 3 ends at 1.95 s), then a short breath.
                assert!((cut.end - 2.01).abs() < 0.02, "{kind:?}: cut at {}", cut.end);
                assert!((reply_at - (cut.end + 0.125)).abs() < 0.05, "{kind:?}: reply at {reply_at}");
                assert!(cut.cut);
            }
            // An offer is said again, whole, after the reply; a pitch goes on with the show.
            let whole_again = tl.played.iter().skip(1).any(|l| l.segment == SegmentKind::Offer && (l.end - l.start - 10.0).abs() < 0.01);
            assert_eq!(whole_again, kind == SegmentKind::Offer, "{kind:?}");
        }
    }

    /// A line the chain handed over in the instant of a product switch (after the room's flush)
    /// is dropped when it comes up; lines of the new block and untagged replies play.
    #[test]
    fn script_lines_from_before_a_product_switch_are_not_said() {
        let barrier = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (tx, rx) = crossbeam_channel::bounded(4);
        let mut tl = Timeline::new(30, Pace::Live, 0.25, None, vec![], Some(0)).with_script_barrier(barrier.clone()).record_finished();
        barrier.store(3, std::sync::atomic::Ordering::Relaxed);
        let old = Spoken { block: Some(2), ..Spoken::new(utt(0.5, vec![]), SegmentKind::Offer, Some(0)) };
        let new = Spoken { block: Some(3), ..Spoken::new(utt(0.5, vec![]), SegmentKind::Pitch, Some(4)) };
        let tagged = Spoken { block: None, ..Spoken::new(utt(0.5, vec![]), SegmentKind::CallToAction, None) };
        tx.send(old).unwrap();
        tx.send(new).unwrap();
        tx.send(tagged).unwrap();
        // The room's flush after the switch keeps what is still current.
        tl.flush_script(&rx);
        let mut played = Vec::new();
        for _ in 0..90 {
            tl.step(&rx);
            played.extend(tl.take_finished().into_iter().map(|l| l.segment));
        }
        assert_eq!(played, vec![SegmentKind::Pitch, SegmentKind::CallToAction]);
    }
}
