//! The voices of evercast: each room's lines become speech with mouth shapes and word timing.
//!
//! **Owns**: turning a [`show::Line`] into a [`show::Utterance`] for a room's locale —
//! number, price and percentage normalization ([`normalize`]: words for en, es, fr, de, it,
//! pt; digits plus the currency's name elsewhere); the voices behind [`show::stages::Voice`]:
//! the embedded espeak-ng ([`Espeak`], a hand-written FFI loaded at run time), and the neural
//! [`Kokoro`] and [`Piper`] on ONNX Runtime ([`onnx`], loaded at run time) with their
//! grapheme-to-phoneme front ends ([`g2p`] for Mandarin and Japanese; espeak IPA elsewhere);
//! choosing a voice by name ([`voices`]); chunking and word alignment for voices without
//! durations ([`neural`]); resampling to the show's 48 kHz and trimming ([`audio`]); visemes
//! from phonemes or from audio alone ([`viseme`]); programme loudness ([`loudness`]); word
//! timings mapped back to the subtitle's bytes ([`speech`]); and a speed bench
//! ([`bench_voice`]).
//!
//! **Must not touch**: writing or translating lines, rendering, GStreamer, model installation
//! (callers verify installed files; this crate loads what it is pointed at), other stages. It
//! depends on `show` only among the stages.
//!
//! ```no_run
//! use show::stages::Voice;
//! use show::{Fact, Line, Locale, Money, Currency, SegmentKind};
//!
//! let locale = Locale::parse("en-US").unwrap();
//! let mut voice = voice::Espeak::for_locale(&locale)?.with_rate(170);
//! let line = Line::new(SegmentKind::Offer, None).text("Just ").fact(Fact::Price(Money::new(1490, Currency::USD))).text("!");
//! let u = voice.speak(&line, &locale)?;
//! assert_eq!(u.display, "Just $14.90!");
//! assert_eq!(u.spoken, "Just fourteen dollars and ninety cents!");
//! # Ok::<(), show::stages::StageError>(())
//! ```
//!
//! **Threads**: espeak-ng is process-global and not thread-safe; one engine sits behind a
//! mutex and each call sets its own voice and rate, so rooms may speak from any thread. The
//! lock is held only while espeak runs (about 5 ms per second of speech); resampling and the
//! rest run outside it. espeak's noise sources make two renderings of a line differ in their
//! samples, not in their words or timing.

pub mod audio;
mod bench;
pub mod error;
pub mod espeak;
pub mod g2p;
pub mod kokoro;
pub mod loudness;
pub mod neural;
pub mod normalize;
pub mod onnx;
pub mod piper;
pub mod speech;
pub mod viseme;
pub mod voices;

pub use bench::{BenchReport, bench_lines, bench_voice, sample_lines};
pub use error::VoiceError;
pub use espeak::{Espeak, LibraryInfo, VoiceInfo, library_info, list_voices};
pub use kokoro::{Kokoro, KokoroModel};
pub use loudness::Leveler;
pub use piper::Piper;
pub use voices::{VoicePaths, VoiceSpec};
pub use normalize::parse_en;
pub use normalize::{Spoken, as_spoken, money_words, say_number, spoken};
pub use speech::{Speech, SpokenWord, utterance};
pub use viseme::visemes_from_audio;
