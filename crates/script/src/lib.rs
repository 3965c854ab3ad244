//! Script: what the host says.
//!
//! **Owns**: the writers behind [`show::stages::Writer`] — the local LLM writer
//! ([`writer_llm`], on the runtime in [`llm`] with models from [`models`]) and the template
//! writer ([`template`]) it falls back to — the guard ([`guard`]) that checks every line's facts
//! and claims against the catalog before it is spoken, reading facts out of free text
//! ([`facts`]), turning catalog points into speakable shapes ([`points`]), and the LLM's
//! grounded one-sentence answers to viewers' open questions ([`answer_llm`]).
//!
//! **Must not touch**: audio, video, GStreamer, rooms' languages (translation is its own stage).

pub mod answer_llm;
pub mod auto;
pub mod banks;
pub mod facts;
pub mod fluency;
pub mod grammar;
pub mod grounding;
pub mod guard;
pub mod llm;
pub mod models;
pub mod points;
pub mod template;
pub mod writer_llm;

pub use guard::Guard;
pub use template::TemplateWriter;
pub use writer_llm::LlmWriter;
