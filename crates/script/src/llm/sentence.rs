//! Cutting streamed text into sentences, so each one can go to the voice as soon as it is
//! complete.
//!
//! A `.`, `!`, `?` or `…` ends a sentence when whitespace follows and the next word does not
//! start in lower case (so "e.g. this" and "$19.99" stay whole); titles such as "Dr." and list
//! markers such as "1." do not end one. CJK full stops (`。！？`) end a sentence at once, and so
//! does a line break. A sentence that runs past `max_chars` is cut at its last comma or space,
//! so the voice never waits on an endless run-on.

/// Words that end with a dot but do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "srta", "jr", "st", "vs", "approx", "no", "nr", "e.g", "i.e", "etc", "cf",
    "fig", "inc", "ltd", "co", "ud", "uds", "dra", "p.ej",
];

const CLOSERS: &[char] = &['"', '\'', ')', ']', '»', '”', '’', '」', '』', '）', '】'];

/// Accumulates streamed text and hands out complete sentences.
#[derive(Debug)]
pub struct SentenceSplitter {
    buf: String,
    max_chars: usize,
}

impl Default for SentenceSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl SentenceSplitter {
    pub fn new() -> Self {
        SentenceSplitter { buf: String::new(), max_chars: 280 }
    }

    /// Longest sentence (in characters) before a forced cut.
    pub fn with_max_chars(max_chars: usize) -> Self {
        SentenceSplitter { buf: String::new(), max_chars: max_chars.max(16) }
    }

    /// Adds streamed text; returns the sentences it completed (trimmed, never empty).
    pub fn push(&mut self, text: &str) -> Vec<String> {
        self.buf.push_str(text);
        let mut out = Vec::new();
        loop {
            let end = match self.boundary() {
                Some(end) => end,
                None => match self.forced_cut() {
                    Some(end) => end,
                    None => break,
                },
            };
            let sentence = self.buf[..end].trim().to_string();
            self.buf.drain(..end);
            if !sentence.is_empty() {
                out.push(sentence);
            }
        }
        out
    }

    /// The text left over when the stream ends.
    pub fn finish(&mut self) -> Option<String> {
        let rest = self.buf.trim().to_string();
        self.buf.clear();
        (!rest.is_empty()).then_some(rest)
    }

    /// Byte index just past the first sentence end, if it is decided yet.
    fn boundary(&self) -> Option<usize> {
        let b = &self.buf;
        let mut it = b.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            match c {
                '\n' if !b[..i].trim().is_empty() => return Some(i + 1),
                '。' | '！' | '？' => {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, d)) = it.peek() {
                        if CLOSERS.contains(&d) || matches!(d, '。' | '！' | '？') {
                            end = j + d.len_utf8();
                            it.next();
                        } else {
                            break;
                        }
                    }
                    return Some(end);
                }
                '.' | '!' | '?' | '…' => {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, d)) = it.peek() {
                        if CLOSERS.contains(&d) || matches!(d, '.' | '!' | '?' | '…') {
                            end = j + d.len_utf8();
                            it.next();
                        } else {
                            break;
                        }
                    }
                    let after = &b[end..];
                    let Some(first) = after.chars().next() else {
                        return None; // undecided until more text arrives
                    };
                    if !first.is_whitespace() {
                        continue; // "19.99", "e.g.x", "Hi!!!x"
                    }
                    let Some(next) = after.chars().find(|ch| !ch.is_whitespace()) else {
                        // Only whitespace so far: a line break decides, anything else waits.
                        return after.contains('\n').then_some(end);
                    };
                    if (c == '.' || c == '…') && !self.dot_ends_sentence(i, next) {
                        continue;
                    }
                    return Some(end);
                }
                _ => {}
            }
        }
        None
    }

    /// Whether the dot at byte `dot` (followed by whitespace, then `next`) ends a sentence.
    fn dot_ends_sentence(&self, dot: usize, next: char) -> bool {
        if next.is_lowercase() {
            return false;
        }
        let before = &self.buf[..dot];
        let word = before.rsplit(|ch: char| ch.is_whitespace() || ch == '(' || ch == '"').next().unwrap_or("");
        let lw = word.to_lowercase();
        if ABBREVIATIONS.contains(&lw.as_str()) {
            return false;
        }
        // A list marker ("1. ") at the start of a sentence.
        if !word.is_empty() && word.chars().all(|ch| ch.is_ascii_digit()) && before.trim() == word {
            return false;
        }
        // A single initial ("J. Smith").
        if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
            return false;
        }
        true
    }

    /// When the buffer is longer than allowed, the end of its last clause or word.
    fn forced_cut(&self) -> Option<usize> {
        if self.buf.chars().count() <= self.max_chars {
            return None;
        }
        let limit = self.buf.char_indices().nth(self.max_chars).map(|(i, _)| i).unwrap_or(self.buf.len());
        let head = &self.buf[..limit];
        let cut = head
            .rfind([',', ';', ':', '，', '、', '；'])
            .map(|i| i + head[i..].chars().next().map_or(1, char::len_utf8))
            .filter(|&i| i > limit / 3)
            .or_else(|| head.rfind(char::is_whitespace).filter(|&i| i > 0))
            .unwrap_or(limit);
        Some(cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds text in small pieces, as tokens arrive.
    fn split(text: &str, piece: usize) -> Vec<String> {
        let mut s = SentenceSplitter::new();
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        for chunk in chars.chunks(piece) {
            out.extend(s.push(&chunk.iter().collect::<String>()));
        }
        out.extend(s.finish());
        out
    }

    #[test]
    fn sentences_come_out_as_soon_as_they_end() {
        let mut s = SentenceSplitter::new();
        assert!(s.push("This kettle boils in").is_empty());
        assert!(s.push(" two minutes.").is_empty(), "undecided until the next word");
        assert_eq!(s.push(" It"), vec!["This kettle boils in two minutes."]);
        assert_eq!(s.push(" costs $19.99! Want one? "), vec!["It costs $19.99!"]);
        assert_eq!(s.push("Yes"), vec!["Want one?"]);
        assert_eq!(s.finish().as_deref(), Some("Yes"));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn abbreviations_numbers_and_lists_do_not_cut() {
        let text = "Dr. Lee loves it, e.g. for tea. Prices start at 3.50 euros. 1. Light. 2. Strong. J. Smith agrees.";
        for piece in [1, 3, 7, 100] {
            assert_eq!(
                split(text, piece),
                vec!["Dr. Lee loves it, e.g. for tea.", "Prices start at 3.50 euros.", "1. Light.", "2. Strong.", "J. Smith agrees."],
                "piece size {piece}"
            );
        }
    }

    #[test]
    fn spanish_chinese_quotes_and_line_breaks() {
        assert_eq!(split("¿Te gusta? ¡Es genial! Cuesta 20 €.", 2), vec!["¿Te gusta?", "¡Es genial!", "Cuesta 20 €."]);
        assert_eq!(split("这款茶壶很好用。价格是九十九元！要吗？", 1), vec!["这款茶壶很好用。", "价格是九十九元！", "要吗？"]);
        assert_eq!(split("She said \"Wow!\" Then left...", 4), vec!["She said \"Wow!\"", "Then left..."]);
        assert_eq!(split("Features:\n- warm\n- light", 3), vec!["Features:", "- warm", "- light"]);
    }

    #[test]
    fn run_on_text_is_cut_at_a_clause() {
        let mut s = SentenceSplitter::with_max_chars(40);
        let out = s.push("this goes on and on, with no full stop in sight");
        assert_eq!(out, vec!["this goes on and on,"]);
        let rest = s.finish().unwrap_or_default();
        assert_eq!(rest, "with no full stop in sight");
    }
}
