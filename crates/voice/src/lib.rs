//! voice
pub mod audio;
pub mod error;
pub mod espeak;
pub mod normalize;
pub mod viseme;

pub use error::VoiceError;
pub use espeak::{Espeak, LibraryInfo, VoiceInfo, library_info, list_voices};
pub use normalize::{Spoken, money_words, say_number, spoken};
pub use viseme::visemes_from_audio;
