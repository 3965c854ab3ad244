//! The LLM engine: the installed multilingual model, on the shared model thread.
//!
//! The prompt is ChatML with a fixed system turn and a few fixed example turns (the same bytes
//! on every call, whatever the room's language, so the model's prefix cache holds them and a
//! call only pays for the sentence). The examples show placeholders carried over untouched,
//! which small models follow far better than an instruction alone. Decoding is greedy: a
//! translation has no use for variety, and the same line gives the same output (which the
//! memory then keeps).

use std::sync::Arc;
use std::time::Duration;

use script::llm::{Event, LlmWorker, Role, Sampling, chatml};
use show::stages::StageError;

use crate::engine::{Engine, Job, language_name};

/// Longest wait for one sentence before giving up on the model (it is shared with the writer,
/// so the wait includes the writer's queued work).
const TIMEOUT: Duration = Duration::from_secs(90);

const SYSTEM: &str = "You translate live-shopping sentences. Reply with the translation only, one line, no notes. \
Placeholders such as ⟦1⟧ and ⟦2⟧ stand for prices, product names and codes: copy each one exactly once, \
unchanged, and never write digits of your own.";

/// Few-shot turns: (source language, target language, source, translation).
const EXAMPLES: &[(&str, &str, &str, &str)] = &[
    (
        "English",
        "Spanish",
        "Only ⟦1⟧ left in stock, so hurry!",
        "¡Solo quedan ⟦1⟧ en stock, date prisa!",
    ),
    (
        "English",
        "Japanese",
        "The ⟦1⟧ ships today for ⟦2⟧.",
        "⟦1⟧は本日⟦2⟧で発送します。",
    ),
    (
        "English",
        "German",
        "Follow ⟦1⟧ and use code ⟦2⟧ at checkout.",
        "Folgt ⟦1⟧ und nutzt den Code ⟦2⟧ an der Kasse.",
    ),
];

fn request(from: &str, to: &str, note: &str, text: &str) -> String {
    format!("Translate from {from} into {to}{note}:\n{text}")
}

/// The LLM engine.
pub struct LlmEngine {
    worker: Arc<LlmWorker>,
}

impl LlmEngine {
    pub fn new(worker: Arc<LlmWorker>) -> LlmEngine {
        LlmEngine { worker }
    }

    /// The prompt for one sentence (public for benchmarks and tests).
    pub fn prompt(locked_text: &str, job: &Job<'_>) -> String {
        let mut turns: Vec<(Role, String)> = Vec::with_capacity(EXAMPLES.len() * 2 + 1);
        for (from, to, src, out) in EXAMPLES {
            turns.push((Role::User, request(from, to, "", src)));
            turns.push((Role::Assistant, (*out).to_string()));
        }
        // A retry's reason goes in the instruction line, never after the sentence: a model
        // that echoes or translates the sentence must not carry the note into the show.
        let note = match job.retry {
            Some(why) => format!(
                " (your last answer was refused: {why}; translate every word, keep each ⟦n⟧ exactly once, add no numbers)"
            ),
            None => String::new(),
        };
        let user = request(
            language_name(job.from.language()),
            job.to_name,
            &note,
            locked_text,
        );
        turns.push((Role::User, user));
        chatml(SYSTEM, &turns)
    }
}

/// A rough token count for the reply budget: a token is about 3 Latin characters or one CJK
/// character.
fn estimate_tokens(text: &str) -> usize {
    let (mut wide, mut narrow) = (0usize, 0usize);
    for c in text.chars() {
        if c.len_utf8() >= 3 {
            wide += 1
        } else {
            narrow += 1
        }
    }
    wide + narrow.div_ceil(3)
}

impl Engine for LlmEngine {
    fn name(&self) -> &str {
        "llm"
    }

    fn translate(&mut self, locked_text: &str, job: &Job<'_>) -> Result<String, StageError> {
        let prompt = LlmEngine::prompt(locked_text, job);
        let max_tokens = estimate_tokens(locked_text) * 5 / 2 + 16;
        let events = self
            .worker
            .submit(prompt, Sampling::greedy(max_tokens))
            .map_err(|e| StageError::failed(format!("llm: {e}")))?;
        let mut sentences: Vec<String> = Vec::new();
        loop {
            match events.recv_timeout(TIMEOUT) {
                Ok(Event::Sentence(s)) => sentences.push(s),
                Ok(Event::Done(_)) => break,
                Ok(Event::Error(e)) => return Err(StageError::failed(format!("llm: {e}"))),
                Err(_) => return Err(StageError::failed("llm: no answer from the model thread")),
            }
        }
        let out = first_line(&sentences, locked_text);
        // A reply far longer than the sentence is commentary or a repeated request, not a
        // translation.
        if out.chars().count() > locked_text.chars().count() * 3 + 24 {
            return Err(StageError::failed(format!(
                "llm: the reply is far longer than the sentence: {out}"
            )));
        }
        Ok(out)
    }
}

/// The reply as one line: the sentences joined (without a space between CJK ones), a
/// `Translation:` label or quotes the model wrapped around it removed.
fn first_line(sentences: &[String], source: &str) -> String {
    let mut out = String::new();
    for s in sentences {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        if !out.is_empty() {
            let cjk_join = out.chars().last().is_some_and(|c| c.len_utf8() >= 3)
                && s.chars().next().is_some_and(|c| c.len_utf8() >= 3);
            if !cjk_join {
                out.push(' ');
            }
        }
        out.push_str(s);
    }
    let mut t = out.trim();
    for label in [
        "Translation:",
        "Traducción:",
        "Tradução:",
        "Traduction :",
        "Traduction:",
        "Übersetzung:",
        "翻译：",
        "翻訳：",
    ] {
        if let Some(rest) = t.strip_prefix(label) {
            t = rest.trim_start();
        }
    }
    let quoted = |s: &str| source.trim_start().starts_with(s);
    for (open, close) in [("\"", "\""), ("“", "”"), ("「", "」"), ("«", "»")] {
        if !quoted(open)
            && t.len() > open.len() + close.len()
            && t.starts_with(open)
            && t.ends_with(close)
        {
            t = &t[open.len()..t.len() - close.len()];
        }
    }
    t.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::locale::Locale;

    #[test]
    fn prompt_prefix_is_the_same_for_every_room() {
        let en = Locale::parse("en-US").unwrap();
        let (es, ja) = (
            Locale::parse("es-MX").unwrap(),
            Locale::parse("ja-JP").unwrap(),
        );
        let a = LlmEngine::prompt(
            "It's ⟦1⟧!",
            &Job {
                from: &en,
                to: &es,
                to_name: "Mexican Spanish",
                retry: None,
            },
        );
        let b = LlmEngine::prompt(
            "Buy the ⟦1⟧.",
            &Job {
                from: &en,
                to: &ja,
                to_name: "Japanese",
                retry: Some("lost ⟦1⟧"),
            },
        );
        let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        assert!(
            common > a.len() * 3 / 4,
            "shared prefix {common} of {}",
            a.len()
        );
        assert!(a.ends_with("Translate from English into Mexican Spanish:\nIt's ⟦1⟧!<|im_end|>\n<|im_start|>assistant\n"));
        assert!(b.ends_with("keep each ⟦n⟧ exactly once, add no numbers):\nBuy the ⟦1⟧.<|im_end|>\n<|im_start|>assistant\n"), "{b}");
        assert!(b.contains("refused: lost ⟦1⟧"));
    }

    #[test]
    fn reply_cleanup() {
        assert_eq!(
            first_line(&["\"¡Cuesta ⟦1⟧!\"".into()], "It's ⟦1⟧!"),
            "¡Cuesta ⟦1⟧!"
        );
        assert_eq!(
            first_line(&["Translation: Hola.".into(), "Adiós.".into()], "Hi. Bye."),
            "Hola. Adiós."
        );
        assert_eq!(
            first_line(&["今日は⟦1⟧です。".into(), "急いで！".into()], "x"),
            "今日は⟦1⟧です。急いで！"
        );
        assert_eq!(estimate_tokens("abcdef"), 2);
        assert_eq!(estimate_tokens("竹制台灯"), 4);
    }
}
