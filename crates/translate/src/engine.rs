//! The seam between the chain and the engines that do the translating.

use show::locale::Locale;
use show::stages::StageError;

/// One translation request: the locked text travels separately.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    pub from: &'a Locale,
    pub to: &'a Locale,
    /// The target language in words, as a prompt names it ("Mexican Spanish").
    pub to_name: &'a str,
    /// Why the previous attempt was refused, when this is a retry.
    pub retry: Option<&'a str>,
}

/// Translates locked text (placeholders such as `⟦1⟧` must come back untouched; the chain
/// verifies that). An engine is driven by one room at a time.
pub trait Engine: Send {
    fn name(&self) -> &str;

    fn translate(&mut self, locked_text: &str, job: &Job<'_>) -> Result<String, StageError>;
}

/// English name of a language subtag, for prompts ("es" → "Spanish").
pub fn language_name(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "es" => "Spanish",
        "pt" => "Portuguese",
        "fr" => "French",
        "de" => "German",
        "it" => "Italian",
        "nl" => "Dutch",
        "ja" => "Japanese",
        "zh" => "Chinese",
        "ko" => "Korean",
        "id" => "Indonesian",
        "ms" => "Malay",
        "th" => "Thai",
        "vi" => "Vietnamese",
        "tr" => "Turkish",
        "ru" => "Russian",
        "pl" => "Polish",
        "ar" => "Arabic",
        "hi" => "Hindi",
        other => other,
    }
}
