//! Speech recognition: turning speech audio into text with Whisper (run by candle), and
//! scoring a transcript against what should have been said.
//!
//! **What this crate owns.**
//! - [`Whisper`]: loads a Whisper model folder and transcribes mono audio of any sample rate,
//!   in consecutive 30 s windows, greedily, in a given or detected language. candle's model
//!   runs the audio encoder; the text decoder is this crate's own (same weights, same maths)
//!   because it keeps key/value caches, which makes a decoding step cheap on a small CPU.
//! - [`convert_ct2`]: the one-off conversion of a CTranslate2 `model.bin` (the format the
//!   packaged `whisper-base` comes in) to the `model.safetensors` + `whisper-config.json` that
//!   candle loads. [`Whisper::load`] runs it when needed.
//! - The audio front end: WAV reading, resampling to 16 kHz and the Slaney mel filterbank
//!   ([`mel_filters`]) that Whisper's log-mel spectrogram uses.
//! - [`word_error_rate`] and its normalisation ([`normalize_for_wer`]).
//!
//! **Threads.** candle runs the encoder's and decoder's matrix products on rayon's global pool
//! (every core; `RAYON_NUM_THREADS` caps it). A [`Whisper`] is used from one thread at a time
//! (`&mut self`); load one per worker to transcribe in parallel.
//!
//! **What it must not touch.** The other stages: speech synthesis (`voice`), scripts and the
//! LLM (`script`), translation, the stage and the stream. Callers hand it samples and get text
//! back; it neither plays, records nor writes anything besides the converted model files.

mod audio;
mod ct2;
mod decoder;
mod error;
mod wer;
mod whisper;

pub use audio::{MEL_SAMPLE_RATE, mel_filters, read_wav, resample};
pub use ct2::{CONFIG_FILE, SAFETENSORS_FILE, convert_ct2};
pub use error::AsrError;
pub use wer::{normalize_for_wer, word_error_rate};
pub use whisper::{Transcript, Whisper, default_device};

/// What to run when the model is missing.
pub const INSTALL_HINT: &str = "run `evercast models install whisper-base`";
