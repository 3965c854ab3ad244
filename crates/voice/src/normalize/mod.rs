//! What a voice is given to say: the line with its prices, percentages and numbers spelled out
//! for the room's language, and a map from every spoken byte back to the subtitle it came from.
//!
//! English, Spanish, French, German, Italian and Portuguese are spelled out in full here
//! ([`words`], [`money`]). Every other language keeps its digits, which espeak reads natively in
//! about a hundred languages, but known currency symbols and codes become the currency's name
//! ("US$14.90" → "14.90美元"), and grouped numbers lose their separators ("2 140" → "2140",
//! which espeak reads as one number); percentages and other numbers are left as written.
//!
//! Nothing here depends on a speech engine, so neural voices reuse it unchanged.

pub mod money;
pub mod parse_en;
mod scan;
pub mod words;

use std::ops::Range;

use show::line::format_fact;
use show::{Fact, Line, Locale, Part};

pub use money::{CurrencyName, Noun, currency_name, money_words};
pub use words::{FrNumbers, Gender, Lang};

/// A line as the voice says it, tied back to the line as the subtitles show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spoken {
    /// The words given to the voice: "Now just fourteen dollars and ninety cents!".
    pub text: String,
    /// The line as the market writes it, exactly `line.display(locale)`: "Now just $14.90!".
    pub display: String,
    /// Consecutive pieces of `text`, each with the bytes of `display` it says.
    pub spans: Vec<Span>,
}

/// A piece of the spoken text and the displayed text it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub spoken: Range<usize>,
    pub display: Range<usize>,
    /// True when the spoken bytes are the displayed bytes unchanged, so any sub-range maps
    /// one to one; false for spelled-out words, which map to their whole display range.
    pub verbatim: bool,
}

impl Spoken {
    /// The displayed bytes that the spoken bytes `range` say: a word inside plain text maps
    /// to itself, any word of "fourteen dollars and ninety cents" maps to all of "$14.90".
    /// `None` when the range says nothing shown (spaces between pieces).
    pub fn display_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let mut out: Option<Range<usize>> = None;
        for span in &self.spans {
            let lo = range.start.max(span.spoken.start);
            let hi = range.end.min(span.spoken.end);
            if lo >= hi {
                continue;
            }
            let piece = if span.verbatim {
                let off = span.display.start;
                (off + lo - span.spoken.start)..(off + hi - span.spoken.start)
            } else {
                span.display.clone()
            };
            out = Some(match out {
                None => piece,
                Some(o) => o.start.min(piece.start)..o.end.max(piece.end),
            });
        }
        out.filter(|r| r.start < r.end)
    }
}

/// A line as the voice of `locale` should say it.
/// Plain text as a voice of `locale` reads it (numbers, prices and percentages in words): what a
/// recogniser wrote ("$32 and 90 cents") becomes comparable with what the voice said.
pub fn as_spoken(text: &str, locale: &Locale) -> String {
    spoken(&Line::new(show::SegmentKind::Pitch, None).text(text.to_string()), locale).text
}

pub fn spoken(line: &Line, locale: &Locale) -> Spoken {
    let scanner = scan::Scanner::new(locale);
    let mut b = Builder::default();
    for (i, part) in line.parts.iter().enumerate() {
        match part {
            Part::Text(t) => scanner.text(&mut b, t),
            Part::Fact(f) => {
                let before_noun = matches!(line.parts.get(i + 1), Some(Part::Text(t)) if t.starts_with(' ') && t[1..].starts_with(char::is_alphabetic));
                let display = format_fact(f, locale);
                match fact_words(f, locale, before_noun) {
                    Some(words) => b.said(&display, &words),
                    None => b.verbatim(&display),
                }
            }
        }
    }
    b.finish()
}

/// A fact in words for the locale; `None` where the market's writing is left to espeak.
/// `before_noun`: the fact is followed by a word ("21 left" → Spanish "veintiún").
fn fact_words(f: &Fact, locale: &Locale, before_noun: bool) -> Option<String> {
    let lang = Lang::for_locale(locale);
    match (f, lang) {
        (Fact::Price(m), _) => Some(money_words(m, locale)),
        // Plain digits: espeak reads "2140" in any language, but not always "2 140".
        (Fact::Count(n), None) => Some(n.to_string()),
        (_, None) => None,
        (Fact::Percent(p), Some(l)) => Some(l.percent(u64::from(*p))),
        (Fact::Count(n), Some(l)) => Some(if n.is_negative() || !before_noun {
            l.signed(*n)
        } else {
            l.cardinal_before(n.unsigned_abs(), Gender::Masculine)
        }),
        // The countdown: "15 minutes left", where "minute" is feminine in French and German.
        (Fact::Minutes(m), Some(l)) => {
            let gender = if matches!(l, Lang::Fr(_) | Lang::De) { Gender::Feminine } else { Gender::Masculine };
            Some(if before_noun { l.cardinal_before(u64::from(*m), gender) } else { l.cardinal(u64::from(*m)) })
        }
        (Fact::Rating(t), Some(l)) => Some(l.decimal(u64::from(t / 10), &(t % 10).to_string())),
    }
}

/// A number in words for the locale's language, or its digits where espeak reads them.
pub fn say_number(n: i64, locale: &Locale) -> String {
    match Lang::for_locale(locale) {
        Some(l) => l.signed(n),
        None => n.to_string(),
    }
}

/// Builds the spoken and displayed text side by side.
#[derive(Default)]
pub(crate) struct Builder {
    text: String,
    display: String,
    spans: Vec<Span>,
}

impl Builder {
    /// Text said as it is shown.
    pub(crate) fn verbatim(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let (t0, d0) = (self.text.len(), self.display.len());
        self.text.push_str(s);
        self.display.push_str(s);
        match self.spans.last_mut() {
            Some(last) if last.verbatim && last.spoken.end == t0 && last.display.end == d0 => {
                last.spoken.end = self.text.len();
                last.display.end = self.display.len();
            }
            _ => self.spans.push(Span { spoken: t0..self.text.len(), display: d0..self.display.len(), verbatim: true }),
        }
    }

    /// `display` shown, `words` said.
    pub(crate) fn said(&mut self, display: &str, words: &str) {
        if display == words {
            return self.verbatim(display);
        }
        // Keep words apart from a letter or digit they would otherwise run into.
        if self.text.ends_with(wordlike) && words.starts_with(wordlike) {
            self.text.push(' ');
        }
        let (t0, d0) = (self.text.len(), self.display.len());
        self.text.push_str(words);
        self.display.push_str(display);
        self.spans.push(Span { spoken: t0..self.text.len(), display: d0..self.display.len(), verbatim: false });
    }

    fn finish(self) -> Spoken {
        // `Line::display` trims; trim both texts alike and move the spans with them.
        let Builder { text, display, spans } = self;
        let (t_lead, t_keep) = trimmed(&text);
        let (d_lead, d_keep) = trimmed(&display);
        let clip = |r: &Range<usize>, lead: usize, keep: usize| {
            r.start.saturating_sub(lead).min(keep)..r.end.saturating_sub(lead).min(keep)
        };
        let spans = spans
            .iter()
            .map(|s| Span { spoken: clip(&s.spoken, t_lead, t_keep), display: clip(&s.display, d_lead, d_keep), verbatim: s.verbatim })
            .filter(|s| !s.spoken.is_empty())
            .collect();
        Spoken { text: text[t_lead..t_lead + t_keep].to_string(), display: display[d_lead..d_lead + d_keep].to_string(), spans }
    }
}

/// A letter or digit of a script that separates words with spaces: digits glued to one
/// belong to a name ("A4"). Chinese, Japanese, Korean and Thai run words together, so digits
/// right after their characters still start a number.
pub(crate) fn wordlike(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x2E80 && !('\u{0E00}'..='\u{0EFF}').contains(&c)
}

/// Bytes of leading whitespace and the length of what is left after trimming.
fn trimmed(s: &str) -> (usize, usize) {
    let lead = s.len() - s.trim_start().len();
    (lead, s.trim().len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::{Currency, Money, SegmentKind};

    fn loc(t: &str) -> Locale {
        Locale::parse(t).unwrap()
    }

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).unwrap()
    }

    fn offer() -> Line {
        Line::new(SegmentKind::Offer, None)
            .text("  Now just ")
            .fact(Fact::Price(usd("14.90")))
            .text(", that's ")
            .fact(Fact::Percent(40))
            .text(" off! Only ")
            .fact(Fact::Count(21))
            .text(" left, rated ")
            .fact(Fact::Rating(47))
            .text(".  ")
    }

    #[test]
    fn facts_are_spelled_out_and_display_matches_the_line() {
        let line = offer();
        for tag in ["en-US", "en-GB", "es-ES", "es-MX", "fr-FR", "de-DE", "it-IT", "pt-BR", "zh-CN", "ja-JP"] {
            let l = loc(tag);
            let s = spoken(&line, &l);
            assert_eq!(s.display, line.display(&l), "{tag}");
            assert!(!s.text.starts_with(' ') && !s.text.ends_with(' '), "{tag}: {:?}", s.text);
        }
        let s = spoken(&line, &loc("en-US"));
        assert_eq!(
            s.text,
            "Now just fourteen dollars and ninety cents, that's forty percent off! Only twenty-one left, rated four point seven."
        );
        let s = spoken(&line, &loc("es-ES"));
        assert_eq!(
            s.text,
            "Now just catorce dólares estadounidenses con noventa centavos, that's cuarenta por ciento off! Only veintiún left, rated cuatro coma siete."
        );
    }

    #[test]
    fn every_spoken_word_maps_back_to_its_display() {
        let line = offer();
        let s = spoken(&line, &loc("en-US"));
        let find = |w: &str| {
            let at = s.text.find(w).unwrap();
            let r = s.display_range(at..at + w.len()).unwrap();
            s.display[r].to_string()
        };
        assert_eq!(find("fourteen"), "$14.90");
        assert_eq!(find("cents"), "$14.90");
        assert_eq!(find("forty"), "40%");
        assert_eq!(find("twenty-one"), "21");
        assert_eq!(find("seven"), "4.7");
        assert_eq!(find("Now"), "Now");
        assert_eq!(find("off!"), "off!");
        // A range across a fact and its neighbours covers both.
        let at = s.text.find("just").unwrap();
        let end = s.text.find(", that's").unwrap();
        assert_eq!(&s.display[s.display_range(at..end).unwrap()], "just $14.90");
    }

    #[test]
    fn other_languages_keep_digits_but_name_the_currency() {
        let line = Line::new(SegmentKind::Offer, None).text("现在只要").fact(Fact::Price(usd("14.90"))).text("，优惠").fact(Fact::Percent(40));
        let s = spoken(&line, &loc("zh-CN"));
        assert_eq!(s.display, "现在只要US$14.90，优惠40%");
        assert_eq!(s.text, "现在只要14.90美元，优惠40%");
        let at = s.text.find("美元").unwrap();
        assert_eq!(&s.display[s.display_range(at..at + 6).unwrap()], "US$14.90");
    }

    /// Arbitrary text with digits, separators, symbols and multi-byte characters never panics,
    /// and the display always matches the line's own.
    #[test]
    fn any_text_is_handled() {
        let pieces = [
            "1", "0", "9", "12", "1,299", "1.299", ",", ".", "-", "–", "/", ":", "%", " ", "\u{a0}", "\u{202f}", "$", "US$",
            "€", "R$", "¥", "USD", "cm", "kg", "x", "×", "st", "th", "K", "a", "é", "好", "ñ", "🔥", "\u{fe0f}", "'", "’", "°C",
        ];
        let mut seed = 0x2545_f491_u32;
        for tag in ["en-US", "en-GB", "es-ES", "es-MX", "fr-CH", "de-DE", "it-IT", "pt-PT", "zh-CN", "ru-RU", "id-ID"] {
            let locale = loc(tag);
            for _ in 0..400 {
                let mut text = String::new();
                for _ in 0..12 {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    text.push_str(pieces[seed as usize % pieces.len()]);
                }
                let line = Line::new(SegmentKind::Pitch, None).text(text.as_str()).fact(Fact::Count(1234)).text(text.as_str());
                let s = spoken(&line, &locale);
                assert_eq!(s.display, line.display(&locale), "{tag}: {text:?}");
                for span in &s.spans {
                    assert!(s.text.get(span.spoken.clone()).is_some() && s.display.get(span.display.clone()).is_some(), "{tag}: {text:?}");
                }
            }
        }
    }

    #[test]
    fn numbers_for_minutes_and_counts_agree_with_their_noun() {
        let line = Line::new(SegmentKind::Offer, None).text("Plus que ").fact(Fact::Minutes(21)).text(" minutes, ").fact(Fact::Count(1)).text(" article");
        assert_eq!(spoken(&line, &loc("fr-FR")).text, "Plus que vingt et une minutes, un article");
        let line = Line::new(SegmentKind::Offer, None).text("Quedan ").fact(Fact::Count(21));
        assert_eq!(spoken(&line, &loc("es-ES")).text, "Quedan veintiuno");
        assert_eq!(say_number(-12, &loc("de-DE")), "minus zwölf");
        assert_eq!(say_number(1234, &loc("th-TH")), "1234");
    }
}
