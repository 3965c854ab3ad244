//! Translate: carries the show's lines into each room's language.
//!
//! **Owns**: term locking ([`lock`]: product names, prices, numbers with units, percentages,
//! codes, URLs and @names become placeholders before translation and are restored and verified
//! after), the engines ([`llm`] on the installed multilingual GGUF, [`apertium`] for en↔es),
//! the translation memory ([`memory`]) and the chain that ties them together and implements
//! [`show::stages::Translator`] ([`chain`]).
//!
//! **Must not touch**: what is said (the writer), the market's rules (the guard runs again on
//! the translated text in the director), audio, video.

pub mod apertium;
pub mod chain;
pub mod engine;
pub mod llm;
pub mod lock;
pub mod memory;
pub mod quality;

pub use apertium::Apertium;
pub use chain::RoomTranslator;
pub use engine::{Engine, Job, language_name};
pub use llm::LlmEngine;
pub use lock::{LockError, Locked, Protect, lock, unlock};
pub use memory::Memory;
pub use quality::chrf;
