//! Priority lanes: what the host replies to next.
//!
//! Product questions come first, then greetings, then thanks; each lane has a time to live
//! (a reply to a question asked two minutes ago is no longer an answer) and a bound (a flood
//! never grows memory: the oldest message of a full lane is dropped). Every dropped message
//! is reported with its reason.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::intent::Intent;
use crate::moderation::{Accepted, DropReason};

/// The lanes, highest priority first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    Question,
    Greeting,
    Thanks,
}

impl Lane {
    pub const ALL: [Lane; 3] = [Lane::Question, Lane::Greeting, Lane::Thanks];

    pub fn of(intent: Intent) -> Option<Lane> {
        match intent {
            Intent::Greeting => Some(Lane::Greeting),
            Intent::Follow | Intent::Gift | Intent::Thanks => Some(Lane::Thanks),
            Intent::Other => None,
            _ => Some(Lane::Question),
        }
    }

    /// How long a message may wait for its reply.
    pub fn ttl(self) -> Duration {
        match self {
            Lane::Question => Duration::from_secs(45),
            // A welcome half a minute late still lands; thanks for a follow even later.
            Lane::Greeting => Duration::from_secs(30),
            Lane::Thanks => Duration::from_secs(60),
        }
    }

    /// How many messages may wait.
    pub fn capacity(self) -> usize {
        match self {
            Lane::Question => 16,
            Lane::Greeting => 4,
            Lane::Thanks => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lane::Question => "question",
            Lane::Greeting => "greeting",
            Lane::Thanks => "thanks",
        }
    }
}

pub struct Lanes {
    queues: [VecDeque<(Accepted, Instant)>; 3],
}

impl Default for Lanes {
    fn default() -> Self {
        Lanes { queues: [VecDeque::new(), VecDeque::new(), VecDeque::new()] }
    }
}

impl Lanes {
    /// Queues a message; returns what had to make room for it (the oldest of a full lane).
    pub fn push(&mut self, lane: Lane, a: Accepted, now: Instant) -> Option<(Accepted, DropReason)> {
        let q = &mut self.queues[lane as usize];
        let dropped = if q.len() >= lane.capacity() { q.pop_front().map(|(a, _)| (a, DropReason::QueueFull)) } else { None };
        q.push_back((a, now));
        dropped
    }

    /// The next message to reply to, and the ones that expired on the way.
    pub fn pop(&mut self, now: Instant) -> (Option<(Lane, Accepted)>, Vec<(Accepted, DropReason)>) {
        let mut expired = Vec::new();
        for lane in Lane::ALL {
            let q = &mut self.queues[lane as usize];
            while let Some((a, at)) = q.pop_front() {
                if now.duration_since(at) > lane.ttl() {
                    expired.push((a, DropReason::Expired));
                    continue;
                }
                return (Some((lane, a)), expired);
            }
        }
        (None, expired)
    }

    /// Drops what waited past its lane's time to live, without taking anything.
    pub fn expire(&mut self, now: Instant) -> (Option<(Lane, Accepted)>, Vec<(Accepted, DropReason)>) {
        let mut expired = Vec::new();
        for lane in Lane::ALL {
            let q = &mut self.queues[lane as usize];
            while q.front().is_some_and(|(_, at)| now.duration_since(*at) > lane.ttl()) {
                if let Some((a, _)) = q.pop_front() {
                    expired.push((a, DropReason::Expired));
                }
            }
        }
        (None, expired)
    }

    /// Messages waiting, per lane.
    pub fn depths(&self) -> [(Lane, usize); 3] {
        Lane::ALL.map(|l| (l, self.queues[l as usize].len()))
    }

    pub fn len(&self) -> usize {
        self.queues.iter().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The waiting messages, highest lane first (for the operator console).
    pub fn waiting(&self) -> Vec<(Lane, &Accepted)> {
        Lane::ALL.iter().flat_map(|l| self.queues[*l as usize].iter().map(move |(a, _)| (*l, a))).collect()
    }

    /// Forgets everything waiting (the operator's interrupt).
    pub fn clear(&mut self) -> Vec<Accepted> {
        self.queues.iter_mut().flat_map(|q| q.drain(..).map(|(a, _)| a)).collect()
    }
}
