//! The domain of an evercast show, and the data that flows between its stages.
//!
//! **Owns**: catalog import (Shopify CSV, JSON) with located errors, money and locale
//! formatting, the show definition (`show.toml`) and output profiles, the types that travel
//! between stages ([`line::Line`], [`media::Utterance`], [`media::VisemeTrack`]) and the small
//! traits at the seams ([`stages::Writer`], [`stages::Voice`], [`stages::Translator`]).
//!
//! **Must not touch**: models, audio synthesis, rendering, GStreamer, threads. Every stage
//! depends on this crate; this crate depends on no stage.

pub mod catalog;
pub mod chat;
pub mod config;
pub mod error;
pub mod line;
pub mod locale;
pub mod media;
pub mod money;
pub mod pack;
pub mod profile;
pub mod stages;

pub use catalog::{Catalog, Product, Variant};
pub use chat::{ChatEvent, ChatMessage, Reply, ReplyKind};
pub use config::{RoomConfig, ShowConfig};
pub use error::{SourceError, SourceErrors};
pub use line::{Cue, Fact, Line, Part, Provenance, SegmentKind};
pub use locale::Locale;
pub use media::{MouthShape, SAMPLE_RATE, Utterance, Viseme, VisemeTrack, WordTiming};
pub use money::{Currency, Money};
pub use pack::{Pack, PackSet};
pub use profile::OutputProfile;

/// Where this machine keeps what evercast derives from its models once and reuses from any
/// checkout (grammar probes, voices' optimised graphs): `$EVERCAST_CACHE`, else
/// `$XDG_CACHE_HOME/evercast`, else `~/.cache/evercast`. `None`: no home to put it in.
pub fn cache_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    std::env::var_os("EVERCAST_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("evercast")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/evercast")))
}
