//! voice
pub mod normalize;
pub use normalize::{Spoken, money_words, say_number, spoken};
