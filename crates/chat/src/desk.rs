//! The chat desk: one thread that takes every source's messages, moderates them, queues them
//! in lanes, writes the replies and hands each to its room at the room's pace.
//!
//! It never blocks a room: replies go into each room's small bounded inbox with `try_send`,
//! and a room that is busy (its inbox full) is skipped. What happened to every message —
//! answered, dropped and why, waiting for the operator — is kept (the last few hundred) for
//! the operator console and counted for `/metrics`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use show::{ChatMessage, Reply};

use crate::answer::Answerer;
use crate::lanes::{Lane, Lanes};
use crate::moderation::{DropReason, Moderator};
use crate::source::SourceHealth;

/// A room the desk replies into.
#[derive(Clone)]
pub struct RoomLink {
    pub id: String,
    /// The room's reply inbox, set while its chain runs.
    pub inbox: Arc<Mutex<Option<Sender<Reply>>>>,
    /// The id of the product on the room's screen.
    pub on_stage: Arc<Mutex<Option<String>>>,
}

/// What became of one message, for the console.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Decision {
    pub id: String,
    pub user: String,
    pub text: String,
    pub source: String,
    pub received_ms: u64,
    pub intent: Option<&'static str>,
    /// `answered`, `dropped`, `waiting` (for approval), `queued`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    pub rooms: Vec<String>,
}

/// Counters for `/metrics`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DeskCounts {
    pub received: u64,
    pub accepted: u64,
    pub replied: u64,
    pub dropped: BTreeMap<String, u64>,
    pub by_source: BTreeMap<String, u64>,
}

/// The desk's state, shared with the control server.
#[derive(Default)]
pub struct DeskState {
    pub log: VecDeque<Decision>,
    pub counts: DeskCounts,
    /// Replies waiting for the operator (approval mode), by message id.
    pub pending: Vec<(Decision, Reply, Vec<String>)>,
    /// Messages queued in lanes: (lane, message id, user, text).
    pub queued: Vec<(String, String, String, String)>,
    pub approval: bool,
    pub muted: Vec<String>,
}

const LOG_KEEP: usize = 300;

impl DeskState {
    fn record(&mut self, d: Decision) {
        // A message recorded again (queued → answered, or one room after another) updates its
        // entry: answered in any room stays answered, with every room it was said in.
        if let Some(i) = self.log.iter().position(|x| x.id == d.id && !d.id.is_empty()) {
            let mut old = self.log.remove(i).expect("index from position");
            match (old.outcome, d.outcome) {
                ("answered", "answered") => {
                    for r in d.rooms {
                        if !old.rooms.contains(&r) {
                            old.rooms.push(r);
                        }
                    }
                    self.log.push_back(old);
                    return;
                }
                ("answered", _) => {
                    self.log.push_back(old);
                    return;
                }
                _ => {}
            }
        }
        if d.outcome == "dropped" {
            *self.counts.dropped.entry(d.reason.clone().unwrap_or_default()).or_default() += 1;
        }
        if d.outcome == "answered" {
            self.counts.replied += 1;
        }
        self.log.push_back(d);
        while self.log.len() > LOG_KEEP {
            self.log.pop_front();
        }
    }
}

/// What the operator can ask of the desk.
pub enum DeskCommand {
    Mute(String, bool),
    /// Drop everything queued (the operator's interrupt).
    Flush,
    Approve(String),
    Decline(String),
    Approval(bool),
}

pub struct DeskSetup {
    pub moderator: Moderator,
    pub answerer: Answerer,
    pub rooms: Vec<RoomLink>,
    /// Replies wait for the operator's click.
    pub approval: bool,
    /// The least time between two replies in one room (the run of show goes on between them).
    pub min_gap: Duration,
    pub health: Vec<Arc<SourceHealth>>,
    /// A source silent this long while connected raises an alarm in the log and metrics.
    pub silence_alarm: Duration,
}

pub struct Desk {
    pub state: Arc<Mutex<DeskState>>,
    commands: Sender<DeskCommand>,
    inbox: Sender<ChatMessage>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    pub health: Vec<Arc<SourceHealth>>,
}

/// Messages waiting for moderation; a source that outruns the desk drops, never grows memory.
const INBOX: usize = 1024;

impl Desk {
    pub fn spawn(setup: DeskSetup) -> std::io::Result<Desk> {
        let (inbox, rx) = crossbeam_channel::bounded(INBOX);
        let (commands, crx) = crossbeam_channel::bounded(64);
        let state = Arc::new(Mutex::new(DeskState { approval: setup.approval, ..Default::default() }));
        let stop = Arc::new(AtomicBool::new(false));
        let health = setup.health.clone();
        let (s2, st2) = (state.clone(), stop.clone());
        let handle = std::thread::Builder::new().name("chat-desk".into()).spawn(move || run(setup, rx, crx, s2, st2))?;
        Ok(Desk { state, commands, inbox, stop, handle: Some(handle), health })
    }

    /// Where sources deliver messages.
    pub fn inbox(&self) -> Sender<ChatMessage> {
        self.inbox.clone()
    }

    pub fn command(&self, c: DeskCommand) {
        let _ = self.commands.try_send(c);
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        self.stop();
    }
}

fn decision(a: &ChatMessage, text: &str, intent: Option<&'static str>, outcome: &'static str, reason: Option<String>, reply: Option<String>, rooms: Vec<String>) -> Decision {
    Decision {
        id: a.id.clone(),
        user: crate::text::clean(&a.user).chars().take(40).collect(),
        text: text.chars().take(200).collect(),
        source: a.source.clone(),
        received_ms: a.received_ms,
        intent,
        outcome,
        reason,
        reply,
        rooms,
    }
}

fn run(setup: DeskSetup, rx: Receiver<ChatMessage>, commands: Receiver<DeskCommand>, state: Arc<Mutex<DeskState>>, stop: Arc<AtomicBool>) {
    let DeskSetup { mut moderator, mut answerer, rooms, min_gap, health, silence_alarm, .. } = setup;
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let mut lanes: HashMap<String, Lanes> = HashMap::new();
    let mut last_reply: HashMap<String, Instant> = HashMap::new();
    let en = show::Locale::parse("en-US").expect("valid tag");
    let mut next_seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        while let Ok(c) = commands.try_recv() {
            match c {
                DeskCommand::Mute(user, on) => {
                    moderator.mute(&user, on);
                    lock().muted = moderator.muted();
                }
                DeskCommand::Flush => {
                    let mut st = lock();
                    for q in lanes.values_mut() {
                        for a in q.clear() {
                            st.record(decision(&a.message, &a.text, Some(a.intent.name()), "dropped", Some("flushed by the operator".into()), None, Vec::new()));
                        }
                    }
                    for (mut d, _, _) in std::mem::take(&mut st.pending) {
                        d.outcome = "dropped";
                        d.reason = Some("flushed by the operator".into());
                        st.record(d);
                    }
                }
                DeskCommand::Approval(on) => lock().approval = on,
                DeskCommand::Approve(id) => {
                    let mut st = lock();
                    if let Some(i) = st.pending.iter().position(|(d, _, _)| d.id == id) {
                        let (mut d, reply, targets) = st.pending.remove(i);
                        drop(st);
                        let sent = send(&rooms, &targets, &reply);
                        d.outcome = if sent.is_empty() { "dropped" } else { "answered" };
                        d.reason = sent.is_empty().then(|| DropReason::RoomBusy.to_string());
                        d.rooms = sent;
                        lock().record(d);
                    }
                }
                DeskCommand::Decline(id) => {
                    let mut st = lock();
                    if let Some(i) = st.pending.iter().position(|(d, _, _)| d.id == id) {
                        let (mut d, _, _) = st.pending.remove(i);
                        d.outcome = "dropped";
                        d.reason = Some(DropReason::Declined.to_string());
                        st.record(d);
                    }
                }
            }
        }
        // Take what arrived (up to a burst), judge it, queue it.
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(first) => {
                let now = Instant::now();
                for mut m in std::iter::once(first).chain(rx.try_iter().take(256)) {
                    if m.id.is_empty() {
                        next_seq += 1;
                        m.id = format!("{}-{next_seq}", if m.source.is_empty() { "chat" } else { m.source.as_str() });
                    }
                    let mut st = lock();
                    st.counts.received += 1;
                    *st.counts.by_source.entry(m.source.clone()).or_default() += 1;
                    match moderator.judge(&m, now) {
                        Err(reason) => {
                            let text: String = crate::text::clean(&m.text.chars().take(400).collect::<String>());
                            st.record(decision(&m, &text, None, "dropped", Some(reason.to_string()), None, Vec::new()));
                        }
                        Ok(a) => {
                            st.counts.accepted += 1;
                            match Lane::of(a.intent) {
                                None => st.record(decision(&m, &a.text, Some(a.intent.name()), "dropped", Some(DropReason::NotForTheHost.to_string()), None, Vec::new())),
                                Some(lane) => {
                                    // Each room replies at its own pace: a shared message waits in
                                    // every room's lanes, a room's own message in its lanes only.
                                    let targets: Vec<&RoomLink> = rooms.iter().filter(|l| m.room.as_ref().is_none_or(|r| *r == l.id)).collect();
                                    if targets.is_empty() {
                                        st.record(decision(&m, &a.text, Some(a.intent.name()), "dropped", Some(format!("no room `{}`", m.room.clone().unwrap_or_default())), None, Vec::new()));
                                        continue;
                                    }
                                    st.record(decision(&m, &a.text, Some(a.intent.name()), "queued", None, None, Vec::new()));
                                    for link in targets {
                                        if let Some((old, why)) = lanes.entry(link.id.clone()).or_default().push(lane, a.clone(), now) {
                                            st.record(decision(&old.message, &old.text, Some(old.intent.name()), "dropped", Some(why.to_string()), None, Vec::new()));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                if lanes.values().all(Lanes::is_empty) {
                    // Every source has ended and everything is answered: idle until stopped.
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        // The answer model reads the first room's product ahead of questions about it.
        if let Some(link) = rooms.first() {
            let on_stage = link.on_stage.lock().unwrap_or_else(|e| e.into_inner()).clone();
            answerer.prepare(on_stage.as_deref());
        }
        // Reply where a room is ready: it has taken its last reply and had its gap.
        let now = Instant::now();
        for link in &rooms {
            let Some(q) = lanes.get_mut(&link.id) else { continue };
            if q.is_empty() {
                continue;
            }
            let inbox_empty = link.inbox.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|s| s.is_empty()).unwrap_or(false);
            let ready = inbox_empty && last_reply.get(&link.id).is_none_or(|t| now.duration_since(*t) >= min_gap);
            let (next, expired) = if ready { q.pop(now) } else { q.expire(now) };
            {
                let mut st = lock();
                for (a, why) in expired {
                    st.record(decision(&a.message, &a.text, Some(a.intent.name()), "dropped", Some(why.to_string()), None, Vec::new()));
                }
            }
            let Some((_, a)) = next else { continue };
            let on_stage = link.on_stage.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let targets = vec![link.id.clone()];
            match answerer.reply(&a, on_stage.as_deref()) {
                Err(why) => lock().record(decision(&a.message, &a.text, Some(a.intent.name()), "dropped", Some(why.to_string()), None, Vec::new())),
                Ok(reply) => {
                    let said = reply.line.display(&en);
                    if lock().approval {
                        let d = decision(&a.message, &a.text, Some(a.intent.name()), "waiting", None, Some(said), targets.clone());
                        let mut st = lock();
                        st.record(d.clone());
                        st.pending.push((d, reply, targets));
                        if st.pending.len() > 50 {
                            let (mut d, _, _) = st.pending.remove(0);
                            d.outcome = "dropped";
                            d.reason = Some(DropReason::Expired.to_string());
                            st.record(d);
                        }
                        continue;
                    }
                    let sent = send(&rooms, &targets, &reply);
                    for id in &sent {
                        last_reply.insert(id.clone(), now);
                    }
                    let outcome = if sent.is_empty() { "dropped" } else { "answered" };
                    let reason = sent.is_empty().then(|| DropReason::RoomBusy.to_string());
                    tracing::info!(id = %a.message.id, room = %link.id, intent = a.intent.name(), "reply: {said}");
                    lock().record(decision(&a.message, &a.text, Some(a.intent.name()), outcome, reason, Some(said), sent));
                }
            }
        }
        // What waits, for the console.
        {
            let waiting: Vec<(String, String, String, String)> = lanes.values().flat_map(|q| q.waiting().into_iter().map(|(l, a)| (l.name().to_string(), a.message.id.clone(), a.message.user.chars().take(40).collect(), a.text.clone()))).collect();
            lock().queued = waiting;
        }
        for h in &health {
            h.check_silence(silence_alarm);
        }
    }
}

/// Sends a reply to each target room that can take it; returns the rooms that did.
fn send(rooms: &[RoomLink], targets: &[String], reply: &Reply) -> Vec<String> {
    let mut sent = Vec::new();
    for id in targets {
        let Some(link) = rooms.iter().find(|l| &l.id == id) else { continue };
        let inbox = link.inbox.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(tx) = inbox
            && tx.try_send(reply.clone()).is_ok()
        {
            sent.push(id.clone());
        }
    }
    sent
}
