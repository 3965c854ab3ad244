//! Director: runs a show. It wires the stages — writer, guard, translator, voice, stage,
//! broadcast — into rooms, plans the run of show and keeps each room's one media clock.
//!
//! **Owns**: the run-of-show planner ([`plan`]), the show's one script writer and its shared
//! log ([`script_feed`]), each room's chain ([`feed`]) and language ([`language`]: packs,
//! translators, market guards, voices), the media
//! timeline that turns utterances into audio and stage states ([`timeline`]: replies to viewers
//! and the operator's lines play at the next sentence, before the run of show), offline renders
//! and live rooms ([`room`]: their transcripts, the operator's pause, skip and product switch, a
//! restarted show's resume), subtitle and script files ([`subtitles`]), the watchdogs that keep
//! a stalled writer or voice from silencing a room ([`script_feed`], [`voices`]) and the fault
//! drills that exercise them ([`faults`]).
//!
//! **Must not touch**: how lines are written, spoken or drawn, or how the GStreamer graph is
//! built: it calls the stage crates through their public APIs and the traits in `show`.

pub mod faults;
pub mod feed;
pub mod language;
pub mod plan;
pub mod room;
pub mod script_feed;
pub mod show;
pub mod state;
pub mod subtitles;
pub mod timeline;
pub mod voices;

/// Lowers the calling thread's scheduling priority (a nice value, 0–19): threads that work
/// ahead of a live room (its chain, its fillers, the script writer) yield the CPU to the frame
/// loop and to replies, which are late by nature. Best effort; a no-op off Linux.
pub(crate) fn work_ahead_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's own id (a Linux thread has its own nice value).
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 5);
    }
}

/// What can stop a show from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum DirectorError {
    #[error("{0}")]
    Config(::show::SourceErrors),
    #[error("{0}")]
    Setup(String),
    #[error("{0}")]
    Broadcast(broadcast::BroadcastError),
    #[error("{0}")]
    Io(String),
}

impl DirectorError {
    pub(crate) fn config(e: ::show::SourceError) -> Self {
        DirectorError::Config(e.into())
    }
}
