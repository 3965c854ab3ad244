//! Chat: what viewers say, and what the host replies.
//!
//! **Owns**: chat sources ([`source`]: JSONL replay, NDJSON on stdin or TCP, IRC/Twitch), their
//! health and reconnects; moderation ([`moderation`]: limits, floods, duplicates, banned words
//! however disguised, links, prompt injection) on text made safe by [`text`]; the topic of a
//! message ([`intent`]); priority lanes with time-to-live ([`lanes`]); replies grounded in the
//! catalog and the show's policies, and open questions put to the LLM with the question quoted
//! as data ([`answer`]); and the desk thread that ties them together
//! and hands each reply to its rooms ([`desk`]).
//!
//! **Must not touch**: how a reply is translated, spoken or drawn (each room's chain does that,
//! in the director), the run of show, the HTTP server (the CLI's control server feeds the desk's
//! inbox). A viewer's words are data: they choose a topic and a product, never the text the
//! host says (an LLM answer keeps at most a few of them, and only words of the product's own
//! text).

pub mod answer;
pub mod desk;
pub mod intent;
pub mod lanes;
pub mod moderation;
pub mod source;
pub mod text;

pub use answer::Answerer;
pub use desk::{Desk, DeskCommand, DeskSetup, DeskState, RoomLink};
pub use intent::Intent;
pub use lanes::Lane;
pub use moderation::{Accepted, DropReason, Limits, Moderator};
pub use source::SourceHealth;
