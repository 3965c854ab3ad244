//! Errors of the LLM runtime.

use std::path::PathBuf;

/// What went wrong in the LLM runtime. Variants say what a caller can act on: a missing or
/// damaged model (install it), an unsupported file (use another), a device that is not
/// available (pick another), a context that is full (shorten the prompt).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    #[error(transparent)]
    Model(#[from] crate::models::ModelError),
    #[error("cannot read model {path}: {reason}; {hint}")]
    BadModel { path: PathBuf, reason: String, hint: String },
    #[error("model {path} is not supported: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("device {0} is not available: {1}")]
    Device(String, String),
    #[error("the prompt needs {needed} tokens but the context holds {max}")]
    ContextFull { needed: usize, max: usize },
    #[error("the prompt is empty")]
    EmptyPrompt,
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("the LLM worker thread has stopped")]
    WorkerGone,
    #[error("benchmark: {0}")]
    Bench(String),
}

impl From<candle_core::Error> for LlmError {
    fn from(e: candle_core::Error) -> Self {
        LlmError::Inference(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, LlmError>;
