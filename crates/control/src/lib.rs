//! Control: the operator's side of a running show, on 127.0.0.1.
//!
//! **Owns**: the local server ([`server`]) — the preview page, the operator console, the
//! control API behind a bearer token (language swaps, chat in, say, pause, resume, skip,
//! switch product, mute, approve), `/metrics` in Prometheus text and `/healthz` — and the
//! operations it calls ([`swap`], [`operator`], [`metrics`]).
//!
//! **Must not touch**: the media path. Every operation hands a request to a room's inbox or
//! flips a flag a room reads at its next frame; nothing here waits on a model or a pipeline on
//! the async executor (slow work goes to `spawn_blocking`).

pub mod metrics;
pub mod operator;
pub mod server;
pub mod swap;

pub use server::{PreviewServer, ServedRoom};
pub use swap::{Control, ControlRoom, TOKEN_VAR};
