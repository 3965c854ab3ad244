//! What can go wrong in the voice, with what to do about it.

use std::path::PathBuf;

use show::stages::StageError;

/// A voice failure. Converts into [`StageError`] with a kind callers can fall back on:
/// missing library, data or voice → `Missing`; engine failures → `Failed`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VoiceError {
    #[error(
        "the espeak-ng library could not be loaded (tried {tried}): install the Debian package `espeak-ng` \
         (`sudo apt-get install espeak-ng`, which brings libespeak-ng1), or set ESPEAK_NG_LIB to the path of libespeak-ng.so.1"
    )]
    LibraryMissing { tried: String },

    #[error("{library} is not a usable espeak-ng library ({detail}): install espeak-ng 1.49 or later")]
    BadLibrary { library: String, detail: String },

    #[error(
        "espeak-ng's data was not found at {}: install the Debian package `espeak-ng-data` (it comes with `espeak-ng`) \
         or set ESPEAK_DATA_PATH to the folder that holds `espeak-ng-data`", path.display()
    )]
    DataMissing { path: PathBuf },

    #[error("espeak-ng has no voice `{name}`{}", suggest(similar))]
    UnknownVoice { name: String, similar: Vec<String> },

    #[error("espeak-ng failed to {action} (error {code})")]
    Engine { action: String, code: i32 },

    #[error("resampling speech from {from} Hz to {to} Hz failed: {reason}")]
    Resample { from: u32, to: u32, reason: String },

    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },

    /// ONNX Runtime could not be loaded (the message names the install command).
    #[error("{0}")]
    Runtime(String),

    /// A neural voice's files are not installed (the message names the install command).
    #[error("{0}")]
    NotInstalled(String),

    #[error("voice model {}: {reason}", path.display())]
    Model { path: PathBuf, reason: String },

    #[error("unknown voice `{name}`: {hint}")]
    UnknownNeuralVoice { name: String, hint: String },
}

fn suggest(similar: &[String]) -> String {
    if similar.is_empty() {
        "; `espeak-ng --voices` lists the installed ones".to_string()
    } else {
        format!("; similar voices: {}", similar.join(", "))
    }
}

impl From<VoiceError> for StageError {
    fn from(e: VoiceError) -> StageError {
        match e {
            VoiceError::LibraryMissing { .. }
            | VoiceError::BadLibrary { .. }
            | VoiceError::DataMissing { .. }
            | VoiceError::UnknownVoice { .. }
            | VoiceError::Runtime(_)
            | VoiceError::NotInstalled(_)
            | VoiceError::UnknownNeuralVoice { .. } => StageError::missing(e.to_string()),
            VoiceError::Engine { .. } | VoiceError::Resample { .. } | VoiceError::Io { .. } | VoiceError::Model { .. } => {
                StageError::failed(e.to_string())
            }
        }
    }
}
