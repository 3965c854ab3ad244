//! Script: what the host says.
//!
//! **Owns**: writers behind [`show::stages::Writer`] — the template writer ([`template`]) and,
//! later in this crate, the local LLM writer — and the guard ([`guard`]) that checks every
//! line's facts and claims against the catalog before it is spoken.
//!
//! **Must not touch**: audio, video, GStreamer, rooms' languages (translation is its own stage).

pub mod banks;
pub mod guard;
pub mod template;

pub use guard::Guard;
pub use template::TemplateWriter;
