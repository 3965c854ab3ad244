use std::io;
use std::path::PathBuf;

/// Everything that can go wrong loading a model or transcribing.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    /// The model folder lacks a file (`evercast models install whisper-base` puts them there).
    #[error("no Whisper model in {}: {missing} is missing ({})", dir.display(), crate::INSTALL_HINT)]
    MissingModel { dir: PathBuf, missing: String },
    /// A model file is there but cannot be read as what it should be.
    #[error("{}: {reason} (reinstall with `evercast models install whisper-base`)", path.display())]
    Format { path: PathBuf, reason: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("unknown language `{0}`: give an ISO 639-1 code Whisper knows (en, es, pt, fr, de, ja, zh, ar, …)")]
    UnknownLanguage(String),
    #[error("audio: {0}")]
    Audio(String),
    #[error("whisper: {0}")]
    Candle(#[from] candle_core::Error),
}

pub(crate) fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> AsrError {
    let context = context.into();
    move |source| AsrError::Io { context, source }
}
