//! voice
pub mod audio;
mod bench;
pub mod error;
pub mod espeak;
pub mod normalize;
pub mod speech;
pub mod viseme;

pub use bench::{BenchReport, bench_lines, bench_voice};
pub use error::VoiceError;
pub use speech::{Speech, SpokenWord, utterance};
pub use espeak::{Espeak, LibraryInfo, VoiceInfo, library_info, list_voices};
pub use normalize::{Spoken, money_words, say_number, spoken};
pub use viseme::visemes_from_audio;
