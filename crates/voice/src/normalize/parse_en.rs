//! English words back to numbers and prices: "fourteen dollars and ninety cents" → $14.90.
//!
//! A checking aid for tests and for the guard: it proves that what the voice says is the
//! price in the catalog. It reads what [`super::money_words`] writes for English (US and
//! British forms, "and" or not), not arbitrary English.

use show::{Currency, Money};

use super::money::english_names;

const UNITS: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES: [(&str, u64); 6] = [
    ("thousand", 1_000),
    ("million", 1_000_000),
    ("billion", 1_000_000_000),
    ("trillion", 1_000_000_000_000),
    ("quadrillion", 1_000_000_000_000_000),
    ("quintillion", 1_000_000_000_000_000_000),
];

/// Lower-case words with hyphens split and punctuation dropped.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn small(word: &str) -> Option<u64> {
    UNITS.iter().position(|u| *u == word).or_else(|| TENS.iter().position(|t| !t.is_empty() && *t == word).map(|t| t * 10)).map(|v| v as u64)
}

fn is_number_word(w: &str) -> bool {
    small(w).is_some() || w == "hundred" || SCALES.iter().any(|(s, _)| *s == w)
}

/// Reads a number from the start of `words`; returns it and how many words it took.
fn number_prefix(words: &[String]) -> Option<(u64, usize)> {
    let (mut total, mut current, mut used, mut any) = (0u64, 0u64, 0usize, false);
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if let Some(v) = small(w) {
            current = current.checked_add(v)?;
        } else if w == "hundred" && any {
            current = current.checked_mul(100)?;
        } else if let Some((_, scale)) = SCALES.iter().find(|(s, _)| *s == w).filter(|_| any) {
            total = total.checked_add(current.checked_mul(*scale)?)?;
            current = 0;
        } else if w == "and" && any && words.get(i + 1).is_some_and(|n| small(n).is_some()) {
            // "one hundred and five"
        } else {
            break;
        }
        any = true;
        i += 1;
        used = i;
    }
    any.then(|| (total + current, used))
}

/// The number English words say: "one thousand two hundred ninety-nine" → 1299.
/// `None` unless every word is part of the number.
pub fn number(text: &str) -> Option<u64> {
    let words = tokens(text);
    let (n, used) = number_prefix(&words)?;
    (used == words.len()).then_some(n)
}

/// Reads an amount at the start of `words`: the money and how many words it took.
fn money_prefix(words: &[String], hint: Currency) -> Option<(Money, usize)> {
    let (negative, start) = if words.first().is_some_and(|w| w == "minus") { (true, 1) } else { (false, 0) };
    let (first, used) = number_prefix(&words[start..])?;
    let at = start + used;
    let names = english_names();
    // The currency named after the number, longest name first ("US dollars" before "dollars"),
    // the hint's own names before others that share them ("dollars").
    let mut candidates: Vec<(Currency, &'static str, bool)> = Vec::new();
    for (code, name) in &names {
        let Some(c) = Currency::from_code(code) else { continue };
        for noun in [name.home, name.abroad] {
            candidates.push((c, noun.singular, false));
            candidates.push((c, noun.plural, false));
        }
        if let Some(minor) = name.minor {
            candidates.push((c, minor.singular, true));
            candidates.push((c, minor.plural, true));
        }
    }
    candidates.sort_by_key(|(c, n, _)| (std::cmp::Reverse(n.split(' ').count()), *c != hint));
    let matches = |at: usize, name: &str| {
        let parts: Vec<String> = tokens(name);
        words.len() >= at + parts.len() && words[at..at + parts.len()] == parts[..]
    };
    let (currency, name, is_minor) = candidates.iter().copied().find(|(_, n, _)| matches(at, n))?;
    let mut at = at + tokens(name).len();
    let minor = if is_minor {
        first
    } else {
        let mut minor = first.checked_mul(u64::try_from(currency.scale()).ok()?)?;
        // "… and ninety cents", or French-style "… ninety" is not English: only "and".
        if words.get(at).is_some_and(|w| w == "and")
            && let Some((cents, used)) = number_prefix(&words[at + 1..])
        {
            let after = at + 1 + used;
            let minor_name = candidates.iter().find(|(c, n, m)| *c == currency && *m && matches(after, n));
            if let Some((_, n, _)) = minor_name {
                minor = minor.checked_add(cents)?;
                at = after + tokens(n).len();
            }
        }
        minor
    };
    let minor = i64::try_from(minor).ok()?;
    Some((Money::new(if negative { -minor } else { minor }, currency), at))
}

/// The price English words say: "fourteen dollars and ninety cents" → 14.90 USD.
/// `hint` settles names several currencies share ("dollars", "cents"). `None` unless the
/// whole text is one amount.
pub fn money(text: &str, hint: Currency) -> Option<Money> {
    let words = tokens(text);
    let (m, used) = money_prefix(&words, hint)?;
    (used == words.len()).then_some(m)
}

/// Every amount of money said in an English text, in order.
pub fn amounts(text: &str, hint: Currency) -> Vec<Money> {
    let words = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // Start only at the first word of a number, so "… ninety cents" is not read again.
        let starts = (words[i] == "minus" || is_number_word(&words[i])) && (i == 0 || !is_number_word(&words[i - 1]));
        match money_prefix(&words[i..], hint).filter(|_| starts) {
            Some((m, used)) => {
                out.push(m);
                i += used;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    #[test]
    fn numbers() {
        assert_eq!(number("zero"), Some(0));
        assert_eq!(number("twenty-one"), Some(21));
        assert_eq!(number("one hundred and five"), Some(105));
        assert_eq!(number("one thousand two hundred ninety-nine"), Some(1299));
        assert_eq!(number("three billion four hundred million"), Some(3_400_000_000));
        assert_eq!(number("fourteen dollars"), None);
        assert_eq!(number("hundred"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn prices() {
        assert_eq!(money("fourteen dollars and ninety cents", Currency::USD), Some(usd(1490)));
        assert_eq!(money("ninety-nine cents", Currency::USD), Some(usd(99)));
        assert_eq!(money("one dollar", Currency::USD), Some(usd(100)));
        assert_eq!(money("minus five dollars", Currency::USD), Some(usd(-500)));
        let gbp = Currency::from_code("GBP").unwrap();
        assert_eq!(money("two pounds and five pence", Currency::USD), Some(Money::new(205, gbp)));
        let cad = Currency::from_code("CAD").unwrap();
        assert_eq!(money("twenty Canadian dollars", Currency::USD), Some(Money::new(2000, cad)));
        assert_eq!(money("twenty dollars", cad), Some(Money::new(2000, cad)));
        assert_eq!(money("fourteen dollars and ninety", Currency::USD), None);
        assert_eq!(money("fourteen", Currency::USD), None);
    }

    #[test]
    fn amounts_in_a_sentence() {
        let said = "Was twenty-four dollars and ninety cents, now just fourteen dollars and ninety cents, save ten dollars!";
        assert_eq!(amounts(said, Currency::USD), vec![usd(2490), usd(1490), usd(1000)]);
        assert_eq!(amounts("Only twenty-one left", Currency::USD), vec![]);
    }
}
