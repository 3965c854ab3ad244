//! Term locking: what a translator must move but never rewrite.
//!
//! Before a line goes to an engine, its facts (prices, percentages, counts), product names,
//! glossary terms, codes, URLs, handles and numbers become numbered placeholders (`[1]`,
//! `[2]`, …). After translation each placeholder must come back exactly once; it is then
//! restored verbatim (a glossary term as its fixed translation, a fact as the same
//! [`Fact`] part, so each room still writes the price its own way). A translation that lost,
//! repeated or invented a placeholder, or typed a number of its own, is refused rather than
//! spoken: a wrong price on a live show is worse than a template line.
//!
//! The placeholder form `⟦n⟧` was chosen by measurement (`tests/placeholder_forms.rs`): of
//! `[n]`, `{n}`, `<n>`, `⟦n⟧`, `Xn` and `#n#`, it is the one Qwen2.5-0.5B gave back intact
//! most often across the seven target languages (27 of 28 sentences, against 23 for `[n]`),
//! it never occurs in real text, and Apertium passes it through untouched.

use std::sync::LazyLock;

use regex::Regex;
use show::line::{Fact, Line, Part, format_fact};
use show::locale::Locale;

/// What must survive translation unchanged, beyond the facts every line carries.
#[derive(Clone, Debug, Default)]
pub struct Protect {
    /// Product titles, short names and brands: locked and restored verbatim.
    pub names: Vec<String>,
    /// Glossary terms that are never translated: locked and restored verbatim.
    pub keep: Vec<String>,
    /// Glossary terms with a fixed translation (source phrase, target phrase): locked, and
    /// restored as the target phrase.
    pub terms: Vec<(String, String)>,
}

/// What one placeholder stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Slot {
    /// A fact of the line: comes back as the same [`Part::Fact`].
    Fact(Fact),
    /// Text of the line: `source` as it was written, `target` what the translation gets.
    Text { source: String, target: String },
}

/// A line with its terms replaced by placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locked {
    /// The text an engine translates: `It's ⟦1⟧ for the ⟦2⟧!`.
    pub text: String,
    slots: Vec<Slot>,
    source_locale: Locale,
}

impl Locked {
    pub fn placeholders(&self) -> usize {
        self.slots.len()
    }

    /// The source text with terms restored (for display/debug).
    pub fn source(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 32);
        let mut rest = self.text.as_str();
        while let Some(m) = MARK.find(rest) {
            out.push_str(&rest[..m.start()]);
            match parse_index(m.as_str()).and_then(|i| self.slot(i)) {
                Some(Slot::Fact(f)) => out.push_str(&format_fact(f, &self.source_locale)),
                Some(Slot::Text { source, .. }) => out.push_str(source),
                None => out.push_str(m.as_str()),
            }
            rest = &rest[m.end()..];
        }
        out.push_str(rest);
        out
    }

    /// What placeholder `index` (1-based) stands for, in words, for error messages.
    fn describe(&self, index: usize) -> String {
        match self.slot(index) {
            Some(Slot::Fact(f)) => {
                format!("{} ({})", mark(index), format_fact(f, &self.source_locale))
            }
            Some(Slot::Text { source, .. }) => format!("{} ({source})", mark(index)),
            None => mark(index),
        }
    }

    fn slot(&self, index: usize) -> Option<&Slot> {
        index.checked_sub(1).and_then(|i| self.slots.get(i))
    }

    /// Whether there is anything to translate around the placeholders.
    pub fn has_words(&self) -> bool {
        MARK.replace_all(&self.text, "")
            .chars()
            .any(char::is_alphabetic)
    }
}

/// Why a translation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    #[error("lost {0}")]
    Lost(String),
    #[error("altered placeholder {0}")]
    Altered(String),
    #[error("duplicated {0}")]
    Duplicated(String),
    #[error("number {0} that no locked term carries")]
    ExtraNumber(String),
    #[error("empty translation")]
    Empty,
    #[error("the output is the untranslated source")]
    Untranslated,
    #[error("a word said twice in a row: \"{0}\"")]
    Doubled(String),
}

/// The placeholder for slot `index` (1-based).
pub fn mark(index: usize) -> String {
    format!("⟦{index}⟧")
}

/// A placeholder as models write it back: `⟦1⟧`, `⟦ 1 ⟧`, or with square, full-width or CJK
/// brackets (`[1]`, `［1］`, `【1】`), which small models and Chinese or Japanese output
/// sometimes substitute.
static MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[⟦\[［【]\s*([0-9０-９]+)\s*[⟧\]］】]").expect("valid regex"));

fn parse_index(m: &str) -> Option<usize> {
    let digits: String = m
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            _ => None,
        })
        .collect();
    digits.parse().ok()
}

/// Terms found by pattern rather than by list. Order matters: at one position the first
/// alternative that matches wins.
static STRUCTURAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:https?://|www\.)[^\s<>]+
        | [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+
        | \b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|shop|store|io|co|app|mx|br|de|fr|jp|cn|id|es)\b(?:/[^\s<>]*)?
        | [@\#][\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*
        ",
    )
    .expect("valid regex")
});

static FIGURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:[A-Z]{1,2}\$|[$€£¥₹₩₱฿₫]|\bRp\s?)\s?[0-9][0-9.,]*[0-9]?
        | [0-9]+(?:[.,][0-9]+)?\s?%
        | [0-9]+(?:[.,][0-9]+)?\s?[€£¥₹₩]
        | [0-9]+(?:[.,][0-9]+)?(?:\s?(?:cm|mm|km|m|ml|mL|cl|l|L|kg|mg|g|oz|fl\ oz|lbs?|ft|W|kW|V|mAh|Wh|Hz|GB|TB|MB|°C|°F)\b|-?(?:pack|pk|pcs)\b|[x×]\b)
        | \b(?:[A-Z]+[0-9]|[0-9]+[A-Z])[A-Z0-9]*(?:-[A-Z0-9]+)*\b
        | \b[A-Z]+(?:-[A-Z0-9]+)*-[0-9][A-Z0-9]*\b
        | [0-9]+(?:st|nd|rd|th)\b
        | [0-9]+(?:[.,:/][0-9]+)*
        ",
    )
    .expect("valid regex")
});

/// Half a placeholder: a bracket next to a digit.
static MANGLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[⟦\[［【]\s*\d+|\d+\s*[⟧\]］】]").expect("valid regex"));

/// Any digit, for the extra-number check (Unicode digits included: `٣`, `３`).
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("valid regex"));

/// Replaces the line's facts and protected terms with placeholders.
pub fn lock(line: &Line, protect: &Protect, source: &Locale) -> Locked {
    let mut list: Vec<(Vec<char>, Option<&str>)> = Vec::new();
    for n in protect.names.iter().chain(&protect.keep) {
        if !n.trim().is_empty() {
            list.push((fold(n.trim()), None));
        }
    }
    for (s, t) in &protect.terms {
        if !s.trim().is_empty() {
            list.push((fold(s.trim()), Some(t.as_str())));
        }
    }
    // Longest first, so "Bamboo Desk Lamp Pro" wins over "Bamboo Desk Lamp".
    list.sort_by_key(|b| std::cmp::Reverse(b.0.len()));

    let mut text = String::new();
    let mut slots = Vec::new();
    for part in &line.parts {
        match part {
            Part::Fact(f) => {
                slots.push(Slot::Fact(*f));
                text.push_str(&mark(slots.len()));
            }
            Part::Text(t) => lock_text(t, &list, &mut text, &mut slots),
        }
    }
    Locked {
        text,
        slots,
        source_locale: source.clone(),
    }
}

/// A span of a text part that becomes a placeholder.
struct Span {
    start: usize,
    end: usize,
    target: Option<String>,
}

fn lock_text(
    t: &str,
    list: &[(Vec<char>, Option<&str>)],
    text: &mut String,
    slots: &mut Vec<Slot>,
) {
    let mut spans: Vec<Span> = Vec::new();
    find_pattern(t, &STRUCTURAL, &mut spans);
    find_listed(t, list, &mut spans);
    find_pattern(t, &FIGURES, &mut spans);
    spans.sort_by_key(|s| s.start);
    let mut at = 0;
    for s in spans {
        text.push_str(&t[at..s.start]);
        let source = t[s.start..s.end].to_string();
        let target = s.target.unwrap_or_else(|| source.clone());
        slots.push(Slot::Text { source, target });
        text.push_str(&mark(slots.len()));
        at = s.end;
    }
    text.push_str(&t[at..]);
}

fn overlaps(spans: &[Span], start: usize, end: usize) -> bool {
    spans.iter().any(|s| start < s.end && s.start < end)
}

/// The gaps of `t` between spans already taken.
fn gaps(t: &str, spans: &[Span]) -> Vec<(usize, usize)> {
    let mut taken: Vec<(usize, usize)> = spans.iter().map(|s| (s.start, s.end)).collect();
    taken.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in taken {
        if s > at {
            out.push((at, s));
        }
        at = at.max(e);
    }
    if at < t.len() {
        out.push((at, t.len()));
    }
    out
}

fn find_pattern(t: &str, re: &Regex, spans: &mut Vec<Span>) {
    for (g0, g1) in gaps(t, spans) {
        let gap = &t[g0..g1];
        for m in re.find_iter(gap) {
            // A URL or number does not take the sentence's closing punctuation with it.
            let trimmed = m
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"', '/', '-']);
            let trimmed = trimmed.trim_end();
            if trimmed.is_empty() || !trimmed.chars().any(|c| c.is_alphanumeric()) {
                continue;
            }
            let start = g0 + m.start();
            spans.push(Span {
                start,
                end: start + trimmed.len(),
                target: None,
            });
        }
    }
}

/// Lowercase, one char for one char (so positions map back to the original text).
fn fold(s: &str) -> Vec<char> {
    s.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Letters and digits of scripts that separate words with spaces: a listed term must not
/// start or end in the middle of such a word ("Lamp" is not in "Lamps"; CJK has no spaces).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c), 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

fn find_listed(t: &str, list: &[(Vec<char>, Option<&str>)], spans: &mut Vec<Span>) {
    if list.is_empty() {
        return;
    }
    let chars: Vec<(usize, char)> = t.char_indices().map(|(i, c)| (i, fold_char(c))).collect();
    let end_of = |k: usize| chars.get(k).map_or(t.len(), |&(i, _)| i);
    for (term, target) in list {
        let n = term.len();
        if n == 0 || n > chars.len() {
            continue;
        }
        let mut k = 0;
        while k + n <= chars.len() {
            let hit = chars[k..k + n].iter().zip(term).all(|(&(_, a), &b)| a == b);
            let bounded = hit
                && !(k > 0 && is_word_char(chars[k - 1].1) && is_word_char(term[0]))
                && !(k + n < chars.len()
                    && is_word_char(chars[k + n].1)
                    && is_word_char(term[n - 1]));
            let (start, end) = (end_of(k), end_of(k + n));
            if bounded && !overlaps(spans, start, end) {
                spans.push(Span {
                    start,
                    end,
                    target: target.map(str::to_string),
                });
                k += n;
            } else {
                k += 1;
            }
        }
    }
}

/// Restores the placeholders of `translated` and checks the translation kept every locked term:
/// each placeholder exactly once, no placeholder the source did not have, no number of its own.
/// Rebuilds `line` (same kind, product and cues) with its facts as [`Part::Fact`]s again.
pub fn unlock(locked: &Locked, translated: &str, line: &Line) -> Result<Line, LockError> {
    let translated = translated.trim();
    if translated.is_empty() {
        return Err(LockError::Empty);
    }
    if locked.has_words() && same_words(translated, &locked.text) {
        return Err(LockError::Untranslated);
    }
    if let Some(d) = doubled_word(translated).filter(|d| doubled_word(&locked.text).as_ref() != Some(d)) {
        return Err(LockError::Doubled(d));
    }
    let mut seen = vec![0usize; locked.slots.len()];
    let mut parts: Vec<Part> = Vec::new();
    let mut plain = String::new(); // the text outside placeholders, for the number check
    let mut buf = String::new();
    let mut rest = translated;
    while let Some(m) = MARK.find(rest) {
        let before = &rest[..m.start()];
        buf.push_str(before);
        plain.push_str(before);
        plain.push(' ');
        let index = parse_index(m.as_str()).filter(|&i| i >= 1 && i <= locked.slots.len());
        let Some(index) = index else {
            return Err(LockError::Altered(m.as_str().to_string()));
        };
        seen[index - 1] += 1;
        if seen[index - 1] > 1 {
            return Err(LockError::Duplicated(locked.describe(index)));
        }
        match &locked.slots[index - 1] {
            Slot::Fact(f) => {
                if !buf.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut buf)));
                }
                parts.push(Part::Fact(*f));
            }
            Slot::Text { target, .. } => buf.push_str(target),
        }
        rest = &rest[m.end()..];
    }
    buf.push_str(rest);
    plain.push_str(rest);
    if !buf.is_empty() {
        parts.push(Part::Text(buf));
    }
    if let Some(i) = seen.iter().position(|&n| n == 0) {
        return Err(LockError::Lost(locked.describe(i + 1)));
    }
    // A bracket left around a digit is a placeholder the model mangled ("[3", "3]").
    if let Some(m) = MANGLED.find(&plain) {
        return Err(LockError::Altered(m.as_str().to_string()));
    }
    let carried: Vec<&str> = locked
        .slots
        .iter()
        .filter_map(|s| match s {
            Slot::Text { source, target } => Some([source.as_str(), target.as_str()]),
            Slot::Fact(_) => None,
        })
        .flatten()
        .collect();
    for m in DIGITS.find_iter(&plain) {
        let n = m.as_str();
        let ok = carried
            .iter()
            .any(|c| DIGITS.find_iter(c).any(|d| d.as_str() == n));
        if !ok {
            return Err(LockError::ExtraNumber(n.to_string()));
        }
    }
    trim_parts(&mut parts);
    if parts.is_empty() {
        return Err(LockError::Empty);
    }
    // Everything else of the line (kind, product, cues, tag) travels unchanged.
    let mut out = line.clone();
    out.parts = parts;
    Ok(out)
}

/// Whether `output` echoes `source` rather than translating it: the same text (case, spacing
/// and punctuation aside), the source inside a longer reply (the model repeating the request),
/// or most of the source's words kept.
fn same_words(output: &str, source: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (o, s) = (norm(output), norm(source));
    if o == s || (s.chars().count() >= 12 && o.contains(&s)) {
        return true;
    }
    let words = |t: &str| -> Vec<String> {
        let t = MARK.replace_all(t, " ");
        t.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let src = words(source);
    let out = words(output);
    let kept = src.iter().filter(|w| out.contains(w)).count();
    kept >= 3 && kept * 10 >= src.len() * 7
}

/// Words that are grammatical twice in a row: German article after a relative pronoun ("die
/// die Farbe ändert"), French reflexives ("nous nous voyons"), English "that that", "had had".
const GRAMMATICAL_DOUBLES: &[&str] = &["die", "der", "das", "den", "dem", "des", "nous", "vous", "that", "had"];

/// The first word a small model stuttered ("Es es una lámpara"): the same word twice, nothing
/// between them, not one of [`GRAMMATICAL_DOUBLES`]. A comma between ("sí, sí") is speech, and
/// a hyphenated reduplication ("anak-anak") is one word.
fn doubled_word(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let a = w[0].trim_start_matches(|c: char| !c.is_alphanumeric());
        let b = w[1].trim_end_matches(|c: char| !c.is_alphanumeric());
        let (la, lb) = (a.to_lowercase(), b.to_lowercase());
        (a.chars().count() >= 2 && a.chars().all(char::is_alphabetic) && la == lb && !GRAMMATICAL_DOUBLES.contains(&la.as_str()))
            .then(|| format!("{a} {b}"))
    })
}

fn trim_parts(parts: &mut Vec<Part>) {
    if let Some(Part::Text(t)) = parts.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Part::Text(t)) = parts.last_mut() {
        *t = t.trim_end().to_string();
    }
    parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::line::SegmentKind;
    use show::money::{Currency, Money};

    fn en() -> Locale {
        Locale::parse("en-US").unwrap()
    }

    fn price(s: &str) -> Fact {
        Fact::Price(Money::parse(s, Currency::USD).unwrap())
    }

    fn protect() -> Protect {
        Protect {
            names: vec![
                "Bamboo Desk Lamp".into(),
                "Bamboo".into(),
                "竹制台灯".into(),
                "مصباح الخيزران".into(),
                "Lumo".into(),
            ],
            keep: vec!["LED".into()],
            terms: vec![("free shipping".into(), "envío gratis".into())],
        }
    }

    fn text_of(locked: &Locked) -> &str {
        &locked.text
    }

    #[test]
    fn facts_become_placeholders_and_come_back_as_facts() {
        let line = Line::new(SegmentKind::Offer, Some("p1".into()))
            .text("Now just ")
            .fact(price("14.90"))
            .text(", that's ")
            .fact(Fact::Percent(40))
            .text(" off!");
        let line = line.cue(show::line::Cue::Point);
        let l = lock(&line, &protect(), &en());
        assert_eq!(text_of(&l), "Now just ⟦1⟧, that's ⟦2⟧ off!");
        assert_eq!(l.placeholders(), 2);
        assert_eq!(l.source(), "Now just $14.90, that's 40% off!");
        let out = unlock(&l, "¡Ahora solo ⟦1⟧, eso es ⟦2⟧ de descuento!", &line).unwrap();
        assert_eq!(
            out.parts,
            vec![
                Part::Text("¡Ahora solo ".into()),
                Part::Fact(price("14.90")),
                Part::Text(", eso es ".into()),
                Part::Fact(Fact::Percent(40)),
                Part::Text(" de descuento!".into()),
            ]
        );
        assert_eq!(
            (out.kind, out.product.as_deref(), out.cues.as_slice()),
            (SegmentKind::Offer, Some("p1"), line.cues.as_slice())
        );
    }

    #[test]
    fn names_longest_first_case_insensitive_cjk_and_arabic() {
        let line = Line::new(SegmentKind::Pitch, None).text("The bamboo desk lamp, the 竹制台灯 and the مصباح الخيزران glow; Bamboo rules, Bamboos do not.");
        let l = lock(&line, &protect(), &en());
        assert_eq!(
            text_of(&l),
            "The ⟦1⟧, the ⟦2⟧ and the ⟦3⟧ glow; ⟦4⟧ rules, Bamboos do not."
        );
        let out = unlock(
            &l,
            "La ⟦1⟧, la ⟦2⟧ y la ⟦3⟧ brillan; ⟦4⟧ manda, los Bamboos no.",
            &line,
        )
        .unwrap();
        assert_eq!(
            out.display(&en()),
            "La bamboo desk lamp, la 竹制台灯 y la مصباح الخيزران brillan; Bamboo manda, los Bamboos no."
        );
        // CJK has no spaces: a name inside a CJK sentence is still found.
        let zh = Line::new(SegmentKind::Pitch, None).text("这款竹制台灯很好用");
        assert_eq!(lock(&zh, &protect(), &en()).text, "这款⟦1⟧很好用");
    }

    #[test]
    fn codes_urls_handles_units_and_numbers() {
        let line = Line::new(SegmentKind::CallToAction, None).text(
            "Use SPRING15 or SKU-123 at https://shop.example.com/lamp?x=1, ask @lumo_store or mail help@lumo.shop #BambooLove: 9.5 cm, 500 ml, 2-pack, 3x brighter, 40% off, $5 back, 3 colors, evercast.shop/deal.",
        );
        let l = lock(&line, &protect(), &en());
        assert_eq!(
            text_of(&l),
            "Use ⟦1⟧ or ⟦2⟧ at ⟦3⟧, ask ⟦4⟧ or mail ⟦5⟧ ⟦6⟧: ⟦7⟧, ⟦8⟧, ⟦9⟧, ⟦10⟧ brighter, ⟦11⟧ off, ⟦12⟧ back, ⟦13⟧ colors, ⟦14⟧."
        );
        assert_eq!(l.source(), line.display(&en()));
        let sources: Vec<String> = (1..=14).map(|i| l.describe(i)).collect();
        assert_eq!(sources[0], "⟦1⟧ (SPRING15)");
        assert_eq!(sources[2], "⟦3⟧ (https://shop.example.com/lamp?x=1)");
        assert_eq!(sources[9], "⟦10⟧ (3x)");
    }

    #[test]
    fn glossary_terms_restore_as_target_phrase_and_keep_terms_verbatim() {
        let line = Line::new(SegmentKind::Offer, None).text("Free shipping on every LED lamp.");
        let l = lock(&line, &protect(), &en());
        assert_eq!(l.text, "⟦1⟧ on every ⟦2⟧ lamp.");
        assert_eq!(l.source(), "Free shipping on every LED lamp.");
        let out = unlock(&l, "⟦1⟧ en cada lámpara ⟦2⟧.", &line).unwrap();
        assert_eq!(out.display(&en()), "envío gratis en cada lámpara LED.");
    }

    #[test]
    fn lost_duplicated_altered_and_extra_numbers_are_refused() {
        let line = Line::new(SegmentKind::Offer, None)
            .text("Use SPRING15 for ")
            .fact(price("9.99"))
            .text(" today.");
        let l = lock(&line, &protect(), &en());
        assert_eq!(l.text, "Use ⟦1⟧ for ⟦2⟧ today.");
        assert_eq!(
            unlock(&l, "Usa ⟦1⟧ por hoy.", &line),
            Err(LockError::Lost("⟦2⟧ ($9.99)".into()))
        );
        assert_eq!(
            unlock(&l, "Usa ⟦1⟧ por ⟦2⟧ hoy, ⟦1⟧.", &line),
            Err(LockError::Duplicated("⟦1⟧ (SPRING15)".into()))
        );
        assert_eq!(
            unlock(&l, "Usa ⟦1⟧ por ⟦3⟧ hoy.", &line),
            Err(LockError::Altered("⟦3⟧".into()))
        );
        assert!(matches!(
            unlock(&l, "Usa ⟦1⟧ por ⟦2 hoy ⟦2⟧.", &line),
            Err(LockError::Altered(_))
        ));
        assert_eq!(
            unlock(&l, "Usa ⟦1⟧ por ⟦2⟧ hoy, 2 veces.", &line),
            Err(LockError::ExtraNumber("2".into()))
        );
        assert_eq!(
            unlock(&l, "Use ⟦1⟧ for ⟦2⟧ today!", &line),
            Err(LockError::Untranslated)
        );
        // The request echoed with more around it, or mostly English words kept.
        let long = Line::new(SegmentKind::Offer, None)
            .text("Only ")
            .fact(Fact::Count(9))
            .text(" left, order before they're gone!");
        let l2 = lock(&long, &protect(), &en());
        assert_eq!(
            unlock(
                &l2,
                "Only ⟦1⟧ left, order before they're gone! (Translated.)",
                &long
            ),
            Err(LockError::Untranslated)
        );
        assert_eq!(
            unlock(&l2, "Only ⟦1⟧ left, ordena before they're gone!", &long),
            Err(LockError::Untranslated)
        );
        assert!(unlock(&l2, "¡Solo quedan ⟦1⟧, pide antes de que se agoten!", &long).is_ok());
        assert_eq!(unlock(&l, "  ", &line), Err(LockError::Empty));
        // Square, full-width and CJK brackets are the same placeholder.
        let out = unlock(&l, "今天用【1】只要［2］。", &line).unwrap();
        assert_eq!(out, unlock(&l, "今天用[1]只要⟦2⟧。", &line).unwrap());
        assert_eq!(out.display(&en()), "今天用SPRING15只要$9.99。");
        // A number a locked term carries may appear (the model repeating a code's digits is
        // caught as a lost code, not as an extra number).
        let named = Line::new(SegmentKind::Pitch, None).text("The Lumo X2 shines.");
        let p = Protect {
            names: vec!["Lumo X2".into()],
            ..Protect::default()
        };
        let l = lock(&named, &p, &en());
        assert_eq!(l.text, "The ⟦1⟧ shines.");
        assert!(unlock(&l, "La ⟦1⟧ (X2) brilla.", &named).is_ok());
    }

    #[test]
    fn a_stuttered_word_is_refused_and_grammatical_doubles_are_not() {
        let line = Line::new(SegmentKind::Pitch, None).text("It is a lamp that dims.");
        let l = lock(&line, &protect(), &en());
        assert_eq!(
            unlock(&l, "Es es una lámpara que se atenúa.", &line),
            Err(LockError::Doubled("Es es".into()))
        );
        assert_eq!(
            unlock(&l, "¿Es una lámpara que se atenúa? Sí sí.", &line),
            Err(LockError::Doubled("Sí sí".into()))
        );
        assert!(unlock(&l, "Es una lámpara que se atenúa, sí, sí.", &line).is_ok());
        assert!(unlock(&l, "Es ist eine Lampe, die die Helligkeit ändert.", &line).is_ok());
        assert!(unlock(&l, "Nous nous servons de cette lampe.", &line).is_ok());
        assert!(unlock(&l, "Ini lampu untuk anak-anak.", &line).is_ok());
    }

    #[test]
    fn a_line_of_only_facts_has_no_words() {
        let line = Line::new(SegmentKind::Offer, None)
            .fact(price("5.00"))
            .text("!");
        let l = lock(&line, &Protect::default(), &en());
        assert!(!l.has_words());
        assert_eq!(unlock(&l, "⟦1⟧!", &line).unwrap(), line);
    }
}
