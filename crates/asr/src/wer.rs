//! Word error rate: how far a transcript is from what should have been said.

/// Scripts written without spaces between words: each character counts as one token.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x20000..=0x2FFFF // CJK extensions B…
        | 0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{FF07}')
}

/// The tokens [`word_error_rate`] compares: the text lowercased, full-width ASCII folded to
/// ASCII, apostrophes unified to `'` and kept only inside words (`don't`), `.` and `,` kept only
/// between digits (`14.99`), every other punctuation mark or symbol treated as a space; then
/// split on whitespace. Characters of scripts written without spaces (Chinese, Japanese kana,
/// Thai, Lao, Khmer, Myanmar) are one token each, so for such text the rate is a *character*
/// error rate, while Latin words inside it still count as words.
pub fn normalize_for_wer(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c as u32 {
            // Full-width ASCII forms → ASCII.
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .map(|c| if is_apostrophe(c) { '\'' } else { c })
        .collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<String>| {
        let w = word.trim_matches('\'');
        if !w.is_empty() {
            tokens.push(w.to_string());
        }
        word.clear();
    };
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        if is_unspaced_script(c) {
            flush(&mut word, &mut tokens);
            tokens.push(c.to_string());
        } else if c.is_alphanumeric() || is_mark(c) {
            word.extend(c.to_lowercase());
        } else if joins_inside_word(c, prev, next) {
            word.push(c);
        } else {
            flush(&mut word, &mut tokens);
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// An apostrophe between letters (`don't`), a decimal point or thousands separator between
/// digits (`14.99`, `1,000`).
fn joins_inside_word(c: char, prev: Option<char>, next: Option<char>) -> bool {
    match c {
        '\'' => prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric),
        '.' | ',' => prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()),
        _ => false,
    }
}

/// Combining marks that are not letters themselves (accents written separately, Hebrew and
/// Arabic vowel points, Indic viramas): part of the word they follow.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0591..=0x05BD | 0x064B..=0x065F | 0x0670 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x094D | 0x09CD | 0x0A4D | 0x0ACD | 0x0B4D | 0x0BCD | 0x0C4D | 0x0CCD | 0x0D4D
    )
}

/// Word error rate of `hypothesis` against `reference`: the Levenshtein distance between
/// their token sequences (substitutions, insertions and deletions all cost 1) divided by
/// the reference's length, after [`normalize_for_wer`]. For text in scripts without spaces
/// (Chinese, Japanese, Thai…) the tokens are characters, so it is the character error rate.
/// 0 is a perfect match; it can exceed 1 when the hypothesis adds many words. An empty
/// reference gives 0 for an empty hypothesis and 1 otherwise.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f32 {
    let r = normalize_for_wer(reference);
    let h = normalize_for_wer(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    // One row of the edit-distance table at a time.
    let mut row: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, hw) in h.iter().enumerate() {
            let cost = if rw == hw { diag } else { diag + 1 };
            diag = row[j + 1];
            row[j + 1] = cost.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[h.len()] as f32 / r.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize_for_wer("Hello, World!  It’s $14.99 — "), vec!["hello", "world", "it's", "14.99"]);
        assert_eq!(normalize_for_wer("'Quoted' words... end."), vec!["quoted", "words", "end"]);
        assert_eq!(normalize_for_wer("twenty-five, 1,000 ¡Hola! ¿Qué tal?"), vec!["twenty", "five", "1,000", "hola", "qué", "tal"]);
        assert_eq!(normalize_for_wer("ＡＢＣ　１２"), vec!["abc", "12"]);
        assert_eq!(normalize_for_wer("今日は、iPhone 15！"), vec!["今", "日", "は", "iphone", "15"]);
        assert_eq!(normalize_for_wer("ÉTÉ Straße"), vec!["été", "straße"]);
        assert!(normalize_for_wer(" ... !!").is_empty());
    }

    #[test]
    fn word_error_rate_counts_edits() {
        assert_eq!(word_error_rate("the cat sat", "The cat sat."), 0.0);
        assert_eq!(word_error_rate("the cat sat", "the cat"), 1.0 / 3.0);
        assert_eq!(word_error_rate("the cat sat", "the dog sat"), 1.0 / 3.0);
        assert_eq!(word_error_rate("the cat sat", "the cat sat down"), 1.0 / 3.0);
        assert_eq!(word_error_rate("a b c d", "b c d e"), 0.5);
        assert_eq!(word_error_rate("one", "two three four"), 3.0);
        assert_eq!(word_error_rate("", ""), 0.0);
        assert_eq!(word_error_rate("", "noise"), 1.0);
        assert_eq!(word_error_rate("It's free", "it’s FREE!"), 0.0);
    }

    #[test]
    fn unspaced_scripts_use_characters() {
        // One wrong character of seven: a character error rate of 1/7.
        assert!((word_error_rate("今日は晴れです", "今日は晴れでず") - 1.0 / 7.0).abs() < 1e-6);
        assert!((word_error_rate("只要九块九", "只要九块九。") - 0.0).abs() < 1e-6);
        assert!((word_error_rate("只要九块九", "只要十块") - 2.0 / 5.0).abs() < 1e-6);
    }
}
