//! What the neural voices (Kokoro, Piper) share: cutting a sentence into chunks that can be
//! synthesised one after another (the first one short, so the first audio comes early),
//! and timing words inside a chunk's audio when the model reports no durations.
//!
//! Neither exported model gives phoneme durations, so word timing is aligned from the text
//! and the audio: each word weighs its phoneme count, and the weights are laid over the
//! chunk's *voiced* frames, so pauses fall between words instead of stretching them. Mouth
//! shapes come from the audio itself ([`crate::visemes_from_audio`]).

use std::ops::Range;

use show::SAMPLE_RATE;

use crate::audio::{envelope, resample, speech_bounds};
use crate::error::VoiceError;
use crate::speech::{Speech, SpokenWord};

/// A piece of the text synthesised in one model call.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Its bytes in the whole text.
    pub range: Range<usize>,
    /// The silence that follows it, in seconds (by the punctuation it ends with).
    pub pause: f32,
}

/// Words per chunk at most; long clauses are cut at a word boundary.
pub const MAX_WORDS: usize = 24;
/// When the first audio must come early (a streamed answer), the first chunk stays this short.
pub const FIRST_WORDS: usize = 4;

/// Words that usually start a phrase: a cut before one sounds like a natural breath.
const PHRASE_STARTS: &[&str] = &[
    "and", "but", "or", "with", "for", "to", "in", "on", "at", "that", "which", "so", "because", "while", "when", "from", "y", "con", "para",
    "que", "en", "et", "avec", "pour", "e", "com", "per", "und", "mit", "für",
];

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

fn is_clause_end(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '—' | '，' | '、' | '；' | '：')
}

/// Splits `text` into chunks: at every sentence end, at clause marks once a chunk has a few
/// words, and long clauses at a word boundary (before a phrase-starting word when there is one).
/// Text without spaces (Chinese, Japanese) is cut at punctuation only.
pub fn chunks(text: &str) -> Vec<Chunk> {
    chunks_with(text, MAX_WORDS)
}

/// [`chunks`] with the first chunk cut after about `first_words` words, so that its audio is
/// ready early — at a small cost in the sentence's melody, so only for streamed speech.
pub fn chunks_with(text: &str, first_words: usize) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut start = 0;
    let mut words = 0;
    let mut in_word = false;
    let iter: Vec<(usize, char)> = text.char_indices().collect();
    let limit = |out: &Vec<Chunk>| if out.is_empty() { first_words } else { MAX_WORDS };
    // How far past the limit a cut waits for a phrase-starting word.
    let slack = |out: &Vec<Chunk>| if out.is_empty() && first_words < MAX_WORDS { 1 } else { 4 };
    for (k, &(i, c)) in iter.iter().enumerate() {
        let end = i + c.len_utf8();
        if c.is_whitespace() {
            in_word = false;
            continue;
        }
        if !in_word {
            in_word = true;
            let word_start = i;
            words += 1;
            // A long run of words: cut before this word if it starts a phrase, or anyway
            // when far past the limit.
            let w = text[i..].split(|ch: char| ch.is_whitespace() || is_clause_end(ch) || is_sentence_end(ch)).next().unwrap_or("");
            let phrase = PHRASE_STARTS.contains(&w.to_lowercase().as_str());
            let over = words > limit(&out);
            if over && (phrase || words > limit(&out) + slack(&out)) && text[start..i].split_whitespace().count() >= 3 {
                push(&mut out, text, start..word_start, 0.06);
                start = word_start;
                words = 1;
            }
        }
        let next = iter.get(k + 1).map(|(_, c)| *c);
        // A mark ends a piece when a space, a closing quote or the end follows ("4.5" and
        // "U.S." do not); CJK marks carry no space after them.
        let wide = matches!(c, '。' | '！' | '？' | '，' | '、' | '；' | '：');
        let boundary = wide || next.is_none_or(|n| n.is_whitespace() || matches!(n, '"' | '”' | '»' | ')' | '」' | '』'));
        if is_sentence_end(c) && boundary {
            push(&mut out, text, start..end, 0.32);
            start = end;
            words = 0;
        } else if is_clause_end(c) && boundary && (words >= 3 || out.is_empty() && words >= 2) {
            push(&mut out, text, start..end, 0.16);
            start = end;
            words = 0;
        }
    }
    if start < text.len() {
        push(&mut out, text, start..text.len(), 0.0);
    }
    if let Some(last) = out.last_mut() {
        last.pause = 0.0;
    }
    out
}

fn push(out: &mut Vec<Chunk>, text: &str, range: Range<usize>, pause: f32) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let range = range.start + lead..range.end - trail;
    if range.is_empty() || !text[range.clone()].chars().any(char::is_alphanumeric) {
        // Bare punctuation joins the previous chunk's pause.
        if let Some(last) = out.last_mut() {
            last.pause = last.pause.max(pause);
        }
        return;
    }
    out.push(Chunk { range, pause });
}

/// The words of `text` (byte ranges): runs between spaces, and each CJK character on its own.
pub fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let cjk = is_cjk(c);
        if c.is_whitespace() || cjk {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
            if cjk {
                out.push(i..i + c.len_utf8());
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    // Punctuation alone is not a word.
    out.retain(|r| text[r.clone()].chars().any(char::is_alphanumeric));
    out
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Times `words` (with their weights) inside `samples`: the weights are laid over the voiced
/// 10 ms frames in order, so each word spans its share of the sound and silences separate them.
pub fn align_words(samples: &[f32], sample_rate: u32, words: &[(Range<usize>, f32)]) -> Vec<SpokenWord> {
    if words.is_empty() {
        return Vec::new();
    }
    let hop = 0.01;
    let env = envelope(samples, sample_rate, hop);
    let peak = env.iter().copied().fold(0.0f32, f32::max);
    let voiced: Vec<bool> = env.iter().map(|e| *e > (peak * 0.05).max(1e-4)).collect();
    let total_voiced = voiced.iter().filter(|v| **v).count().max(1) as f32;
    let total_weight: f32 = words.iter().map(|(_, w)| w.max(0.1)).sum();
    // Cumulative voiced frames → time.
    let mut voiced_at: Vec<f32> = Vec::with_capacity(voiced.len() + 1);
    let mut n = 0usize;
    voiced_at.push(0.0);
    for v in &voiced {
        if *v {
            n += 1;
        }
        voiced_at.push(n as f32);
    }
    let time_of = |share: f32, first: bool| -> f32 {
        let target = share * total_voiced;
        // The first frame at which `target` voiced frames have passed (for a start, the frame
        // after the last unvoiced one, so a word does not begin in a pause).
        let idx = if first {
            voiced_at.iter().position(|c| *c > target).map_or(voiced.len(), |i| i.saturating_sub(1))
        } else {
            voiced_at.iter().position(|c| *c >= target).unwrap_or(voiced.len())
        };
        idx as f32 * hop
    };
    let duration = samples.len() as f32 / sample_rate as f32;
    let mut acc = 0.0;
    words
        .iter()
        .map(|(range, w)| {
            let start = time_of(acc / total_weight, true);
            acc += w.max(0.1);
            let end = time_of(acc / total_weight, false).max(start + 0.02);
            SpokenWord { start: start.min(duration), end: end.min(duration), text: range.clone() }
        })
        .collect()
}

/// One synthesised chunk: audio at the model's rate and the chunk's word weights.
pub struct ChunkAudio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    pub words: Vec<(Range<usize>, f32)>,
    pub pause: f32,
}

/// Joins chunks into a [`Speech`] at the show's rate: each trimmed of its edge silence,
/// followed by its pause; words aligned inside each chunk.
pub fn assemble(chunks: Vec<ChunkAudio>) -> Result<Speech, VoiceError> {
    let mut samples: Vec<f32> = Vec::new();
    let mut words = Vec::new();
    let n = chunks.len();
    for (i, c) in chunks.into_iter().enumerate() {
        let Some(bounds) = speech_bounds(&c.samples, c.sample_rate) else { continue };
        let audio = resample(&c.samples[bounds], c.sample_rate, SAMPLE_RATE)?;
        let offset = samples.len() as f32 / SAMPLE_RATE as f32;
        for mut w in align_words(&audio, SAMPLE_RATE, &c.words) {
            w.start += offset;
            w.end += offset;
            words.push(w);
        }
        samples.extend_from_slice(&audio);
        if i + 1 < n {
            samples.extend(std::iter::repeat_n(0.0, (c.pause * SAMPLE_RATE as f32) as usize));
        }
    }
    for s in &mut samples {
        *s = s.clamp(-1.0, 1.0);
    }
    let visemes = crate::viseme::visemes_from_audio_weighted(&samples, SAMPLE_RATE, 0.75);
    Ok(Speech { samples, visemes, words })
}

/// A voice that synthesises text chunk by chunk (Kokoro, Piper): the rest of its path — whole
/// sentences, lines, utterances — is the same for every such engine.
pub trait ChunkedVoice {
    fn label(&self) -> &str;

    /// Synthesises `text` chunk by chunk, handing each chunk's audio to `each` as soon as it is
    /// ready. `first_words` bounds the first chunk ([`MAX_WORDS`] for whole sentences).
    fn speak_chunks(&self, text: &str, first_words: usize, each: &mut dyn FnMut(ChunkAudio)) -> Result<(), show::stages::StageError>;

    /// Speaks `text` as given (no normalization).
    fn speak_text(&self, text: &str) -> Result<Speech, show::stages::StageError> {
        let _span = tracing::debug_span!(target: "voice", "voice.synth", voice = %self.label(), chars = text.len()).entered();
        let mut chunks = Vec::new();
        self.speak_chunks(text, MAX_WORDS, &mut |c| chunks.push(c))?;
        Ok(assemble(chunks)?)
    }

    /// A show's line as this voice says it in `locale`.
    fn speak_line(&self, line: &show::Line, locale: &show::Locale) -> Result<show::Utterance, show::stages::StageError> {
        let spoken = crate::normalize::spoken(line, locale);
        let speech = self.speak_text(&spoken.text)?;
        Ok(crate::speech::utterance(line, spoken, speech))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        chunks(text).into_iter().map(|c| &text[c.range]).collect()
    }

    #[test]
    fn sentences_and_long_clauses_become_chunks_and_the_first_is_short() {
        let t = "This travel mug keeps coffee hot for twelve hours and cold for a whole day. Grab yours now, friends!";
        let p = pieces(t);
        assert_eq!(p, vec!["This travel mug keeps coffee hot for twelve hours and cold for a whole day.", "Grab yours now,", "friends!"]);
        let c = chunks(t);
        assert!(c[0].pause > 0.2 && c[1].pause > 0.1 && c[2].pause == 0.0);
        // Streamed: the first chunk is short, cut before a phrase-starting word when one is near.
        let streamed: Vec<&str> = chunks_with(t, FIRST_WORDS).into_iter().map(|c| &t[c.range]).collect();
        assert_eq!(streamed[0], "This travel mug keeps coffee", "{streamed:?}");
        assert_eq!(streamed[1], "hot for twelve hours and cold for a whole day.");
        let s = "Look at this bamboo lamp with three colours.";
        let streamed: Vec<&str> = chunks_with(s, FIRST_WORDS).into_iter().map(|c| &s[c.range]).collect();
        assert_eq!(streamed, vec!["Look at this bamboo lamp", "with three colours."]);
        // A short sentence stays whole; a decimal point is not a sentence end.
        assert_eq!(pieces("Only 4.5 ounces."), vec!["Only 4.5 ounces."]);
        assert_eq!(pieces("¡Hola! ¿Qué tal?"), vec!["¡Hola!", "¿Qué tal?"]);
        assert_eq!(pieces("今天降价。包邮！"), vec!["今天降价。", "包邮！"]);
    }

    #[test]
    fn words_split_at_spaces_and_cjk_characters() {
        let t = "Hi, 包邮 now!";
        let w: Vec<&str> = words(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(w, vec!["Hi,", "包", "邮", "now!"]);
    }

    #[test]
    fn words_are_laid_over_voiced_frames_and_skip_the_pause() {
        // 0.5 s tone, 0.3 s silence, 0.5 s tone: two equal words.
        let sr = 16_000;
        let tone = |n: usize| (0..n).map(|i| (i as f32 * 0.2).sin() * 0.5).collect::<Vec<f32>>();
        let mut s = tone(8000);
        s.extend(vec![0.0; 4800]);
        s.extend(tone(8000));
        let w = align_words(&s, sr, &[(0..3, 1.0), (4..7, 1.0)]);
        assert!((w[0].start - 0.0).abs() < 0.02, "{w:?}");
        assert!((w[0].end - 0.5).abs() < 0.03, "{w:?}");
        assert!((w[1].start - 0.8).abs() < 0.03, "{w:?}");
        assert!((w[1].end - 1.3).abs() < 0.03, "{w:?}");
    }
}
