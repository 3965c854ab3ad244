//! Numbers found inside free text ("9.5 cm", "100% cotton", "2-pack", "$14.90", "4.7/5"),
//! spelled out for the room's language.
//!
//! A writer (an LLM later) may put numbers in plain text rather than in facts. The scanner
//! reads them the way the market writes them (`1,299.00` in the US, `1.299,00` in Spain) and
//! leaves alone what is not a quantity: model names ("A4", "X200"), times ("10:30"),
//! versions ("1.2.3") and digits glued to letters it does not know ("4K").

use show::locale::currency_symbol;
use show::{Currency, Locale, Money};

use super::{Builder, wordlike};
use super::money::{currency_noun, money_words};
use super::words::{Gender, Lang};

/// Currencies whose symbols and codes are recognised in text.
const CODES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CNY", "MXN", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "BRL", "ARS", "COP", "CLP",
    "PEN", "INR", "KRW", "IDR", "THB", "VND", "PHP", "MYR", "CHF", "SEK", "NOK", "DKK", "PLN", "TRY", "ZAR",
];

/// Symbols that mean one currency whatever the market (after the market's own, which win).
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("JP¥", "JPY"), ("CN¥", "CNY"), ("¥", "JPY"),
    ("R$", "BRL"), ("MX$", "MXN"), ("CA$", "CAD"), ("C$", "CAD"), ("A$", "AUD"), ("AU$", "AUD"), ("NZ$", "NZD"),
    ("S$", "SGD"), ("HK$", "HKD"), ("NT$", "TWD"), ("₹", "INR"), ("₩", "KRW"), ("₱", "PHP"), ("฿", "THB"),
    ("₫", "VND"), ("Rp", "IDR"), ("RM", "MYR"),
];

/// Units said after a number: symbol, then (singular, plural, gender) per language in the
/// order en, es, fr, de, it, pt.
type Unit = (&'static str, [(&'static str, &'static str, Gender); 6]);
const M: Gender = Gender::Masculine;
const F: Gender = Gender::Feminine;
const UNITS: &[Unit] = &[
    ("mAh", [("milliamp hour", "milliamp hours", M), ("miliamperio hora", "miliamperios hora", M), ("milliampère-heure", "milliampères-heures", M), ("Milliamperestunde", "Milliamperestunden", F), ("milliampere ora", "milliampere ora", M), ("miliampere-hora", "miliamperes-hora", M)]),
    ("mm", [("millimeter", "millimeters", M), ("milímetro", "milímetros", M), ("millimètre", "millimètres", M), ("Millimeter", "Millimeter", M), ("millimetro", "millimetri", M), ("milímetro", "milímetros", M)]),
    ("cm", [("centimeter", "centimeters", M), ("centímetro", "centímetros", M), ("centimètre", "centimètres", M), ("Zentimeter", "Zentimeter", M), ("centimetro", "centimetri", M), ("centímetro", "centímetros", M)]),
    ("km", [("kilometer", "kilometers", M), ("kilómetro", "kilómetros", M), ("kilomètre", "kilomètres", M), ("Kilometer", "Kilometer", M), ("chilometro", "chilometri", M), ("quilômetro", "quilômetros", M)]),
    ("m", [("meter", "meters", M), ("metro", "metros", M), ("mètre", "mètres", M), ("Meter", "Meter", M), ("metro", "metri", M), ("metro", "metros", M)]),
    ("kg", [("kilogram", "kilograms", M), ("kilo", "kilos", M), ("kilo", "kilos", M), ("Kilo", "Kilo", M), ("chilo", "chili", M), ("quilo", "quilos", M)]),
    ("mg", [("milligram", "milligrams", M), ("miligramo", "miligramos", M), ("milligramme", "milligrammes", M), ("Milligramm", "Milligramm", M), ("milligrammo", "milligrammi", M), ("miligrama", "miligramas", M)]),
    ("g", [("gram", "grams", M), ("gramo", "gramos", M), ("gramme", "grammes", M), ("Gramm", "Gramm", M), ("grammo", "grammi", M), ("grama", "gramas", M)]),
    ("ml", [("milliliter", "milliliters", M), ("mililitro", "mililitros", M), ("millilitre", "millilitres", M), ("Milliliter", "Milliliter", M), ("millilitro", "millilitri", M), ("mililitro", "mililitros", M)]),
    ("mL", [("milliliter", "milliliters", M), ("mililitro", "mililitros", M), ("millilitre", "millilitres", M), ("Milliliter", "Milliliter", M), ("millilitro", "millilitri", M), ("mililitro", "mililitros", M)]),
    ("L", [("liter", "liters", M), ("litro", "litros", M), ("litre", "litres", M), ("Liter", "Liter", M), ("litro", "litri", M), ("litro", "litros", M)]),
    ("l", [("liter", "liters", M), ("litro", "litros", M), ("litre", "litres", M), ("Liter", "Liter", M), ("litro", "litri", M), ("litro", "litros", M)]),
    ("oz", [("ounce", "ounces", M), ("onza", "onzas", F), ("once", "onces", F), ("Unze", "Unzen", F), ("oncia", "once", F), ("onça", "onças", F)]),
    ("lbs", [("pound", "pounds", M), ("libra", "libras", F), ("livre", "livres", F), ("Pfund", "Pfund", M), ("libbra", "libbre", F), ("libra", "libras", F)]),
    ("lb", [("pound", "pounds", M), ("libra", "libras", F), ("livre", "livres", F), ("Pfund", "Pfund", M), ("libbra", "libbre", F), ("libra", "libras", F)]),
    ("GB", [("gigabyte", "gigabytes", M), ("gigabyte", "gigabytes", M), ("gigaoctet", "gigaoctets", M), ("Gigabyte", "Gigabyte", M), ("gigabyte", "gigabyte", M), ("gigabyte", "gigabytes", M)]),
    ("TB", [("terabyte", "terabytes", M), ("terabyte", "terabytes", M), ("téraoctet", "téraoctets", M), ("Terabyte", "Terabyte", M), ("terabyte", "terabyte", M), ("terabyte", "terabytes", M)]),
    ("W", [("watt", "watts", M), ("vatio", "vatios", M), ("watt", "watts", M), ("Watt", "Watt", M), ("watt", "watt", M), ("watt", "watts", M)]),
    ("V", [("volt", "volts", M), ("voltio", "voltios", M), ("volt", "volts", M), ("Volt", "Volt", M), ("volt", "volt", M), ("volt", "volts", M)]),
    ("°C", [("degree Celsius", "degrees Celsius", M), ("grado Celsius", "grados Celsius", M), ("degré Celsius", "degrés Celsius", M), ("Grad Celsius", "Grad Celsius", M), ("grado Celsius", "gradi Celsius", M), ("grau Celsius", "graus Celsius", M)]),
    ("min", [("minute", "minutes", M), ("minuto", "minutos", M), ("minute", "minutes", F), ("Minute", "Minuten", F), ("minuto", "minuti", M), ("minuto", "minutos", M)]),
    ("h", [("hour", "hours", M), ("hora", "horas", F), ("heure", "heures", F), ("Stunde", "Stunden", F), ("ora", "ore", F), ("hora", "horas", F)]),
];

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En { .. } => 0,
        Lang::Es => 1,
        Lang::Fr(_) => 2,
        Lang::De => 3,
        Lang::It => 4,
        Lang::Pt { .. } => 5,
    }
}

/// A number as written: its integer digits and any decimals.
#[derive(Clone, Debug)]
struct Number {
    int: u64,
    frac: Option<String>,
    end: usize,
    /// Written with group separators ("1,299", "2 140").
    grouped: bool,
}

impl Number {
    fn words(&self, lang: Lang) -> String {
        match &self.frac {
            Some(f) => lang.decimal(self.int, f),
            None => lang.cardinal(self.int),
        }
    }

    /// Whether a noun after it takes the plural.
    fn plural(&self, lang: Lang) -> bool {
        match lang {
            Lang::Fr(_) => self.int >= 2,
            _ => self.int != 1 || self.frac.is_some(),
        }
    }

    fn words_before(&self, lang: Lang, gender: Gender) -> String {
        match &self.frac {
            Some(f) => lang.decimal(self.int, f),
            None => lang.cardinal_before(self.int, gender),
        }
    }
}

fn is_digit_at(s: &str, i: usize) -> bool {
    s.as_bytes().get(i).is_some_and(u8::is_ascii_digit)
}

fn digits_from(s: &str, i: usize) -> usize {
    s[i..].bytes().take_while(u8::is_ascii_digit).count()
}

/// Reads a number at `i` the way the market writes it. Group separators are accepted only
/// in groups of three; the market's decimal separator, or a `.` not followed by three digits,
/// starts the decimals.
fn lex_number(s: &str, i: usize, decimal: char) -> Option<Number> {
    let first = digits_from(s, i);
    if first == 0 {
        return None;
    }
    let mut int_digits = s[i..i + first].to_string();
    let mut j = i + first;
    let mut frac = None;
    let mut grouped = false;
    while let Some(c) = s[j..].chars().next() {
        let after = j + c.len_utf8();
        let run = digits_from(s, after);
        if run == 0 {
            break;
        }
        let group_sep = matches!(c, ',' | '.' | '\u{a0}' | '\u{202f}' | '’' | '\'') && c != decimal;
        if group_sep && run == 3 && first <= 3 {
            int_digits.push_str(&s[after..after + 3]);
            j = after + 3;
            grouped = true;
        } else if c == decimal || c == '.' {
            frac = Some(s[after..after + run].to_string());
            j = after + run;
            break;
        } else {
            break;
        }
    }
    if int_digits.len() > 18 {
        return None;
    }
    Some(Number { int: int_digits.parse().ok()?, frac, end: j, grouped })
}

/// The currencies a market may write in text, longest token first.
fn currency_tokens(locale: &Locale) -> Vec<(String, Currency)> {
    let mut out: Vec<(String, Currency)> = Vec::new();
    for code in CODES {
        let Some(c) = Currency::from_code(code) else { continue };
        out.push((currency_symbol(c, locale), c));
        out.push((code.to_string(), c));
    }
    for (sym, code) in SYMBOLS {
        if let Some(c) = Currency::from_code(code)
            && !out.iter().any(|(s, _)| s == sym)
        {
            out.push((sym.to_string(), c));
        }
    }
    out.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    out
}

/// Whether `token` stands at `i` as a whole token: a token that begins (ends) with a letter
/// must not continue a word before (after) it ("USD" but not "USDA").
fn token_at(s: &str, i: usize, token: &str) -> bool {
    if !s[i..].starts_with(token) {
        return false;
    }
    let letter_first = token.starts_with(char::is_alphabetic);
    let letter_last = token.ends_with(char::is_alphabetic);
    let before_ok = !letter_first || !s[..i].chars().next_back().is_some_and(wordlike);
    let after_ok = !letter_last || !s[i + token.len()..].starts_with(wordlike);
    before_ok && after_ok
}

/// Whether `token` follows a number at `i` ("14.90 USD", "12€").
fn suffix_at(s: &str, i: usize, token: &str) -> bool {
    s[i..].starts_with(token) && (!token.ends_with(char::is_alphabetic) || !s[i + token.len()..].starts_with(wordlike))
}

/// Skips one space (ASCII or no-break) at `i`.
fn skip_space(s: &str, i: usize) -> usize {
    match s[i..].chars().next() {
        Some(c @ (' ' | '\u{a0}' | '\u{202f}')) => i + c.len_utf8(),
        _ => i,
    }
}

/// Money read from text, or `None` when the amount has more decimals than the currency.
fn money(n: &Number, c: Currency) -> Option<Money> {
    let exp = usize::from(c.exponent);
    let frac = n.frac.as_deref().unwrap_or("");
    let frac = frac.trim_end_matches('0');
    if frac.len() > exp {
        return None;
    }
    let minor_frac: i64 = if exp == 0 { 0 } else { format!("{frac:0<exp$}").parse().ok()? };
    let major = i64::try_from(n.int).ok()?;
    Some(Money::new(major.checked_mul(c.scale())?.checked_add(minor_frac)?, c))
}

/// How one market writes numbers and currencies, worked out once per line.
pub(super) struct Scanner<'a> {
    locale: &'a Locale,
    lang: Option<Lang>,
    decimal: char,
    tokens: Vec<(String, Currency)>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(locale: &'a Locale) -> Scanner<'a> {
        Scanner { locale, lang: Lang::for_locale(locale), decimal: locale.decimal_separator(), tokens: currency_tokens(locale) }
    }

    /// Spells out the numbers of a text part into `b`.
    pub(super) fn text(&self, b: &mut Builder, s: &str) {
        text(b, s, self.lang, self.locale, self.decimal, &self.tokens)
    }
}

fn text(b: &mut Builder, s: &str, lang: Option<Lang>, locale: &Locale, decimal: char, tokens: &[(String, Currency)]) {
    let mut plain_from = 0;
    let mut i = 0;
    while i < s.len() {
        // Emoji stay on screen but are not read out ("fire", "sparkles").
        let emoji = s[i..].chars().take_while(|c| is_emoji(*c)).map(char::len_utf8).sum::<usize>();
        if emoji > 0 {
            b.verbatim(&s[plain_from..i]);
            b.said(&s[i..i + emoji], " ");
            i += emoji;
            plain_from = i;
            continue;
        }
        let matched = match lang {
            Some(lang) => full(s, i, lang, locale, decimal, tokens),
            None => currency_only(s, i, locale, decimal, tokens),
        };
        match matched {
            Some((end, words)) => {
                b.verbatim(&s[plain_from..i]);
                b.said(&s[i..end], &words);
                i = end;
                plain_from = end;
            }
            None => {
                // Step over a word glued to digits ("A4", "X200", "mp3") so its digits stay.
                if s[i..].starts_with(wordlike) {
                    i += s[i..].find(|ch: char| !wordlike(ch)).unwrap_or(s.len() - i);
                } else {
                    i += s[i..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
    }
    b.verbatim(&s[plain_from..]);
}

/// Pictographs, dingbats, flags and the joiners and selectors that build emoji sequences.
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF | 0xFE0F | 0x200D | 0x20E3 | 0xE0020..=0xE007F)
}

/// A currency amount at `i`, symbol first or last: `$14.90`, `14,90 €`, `USD 5`.
fn currency_at(s: &str, i: usize, decimal: char, tokens: &[(String, Currency)]) -> Option<(usize, Number, Currency)> {
    for (tok, c) in tokens {
        if token_at(s, i, tok) {
            let at = skip_space(s, i + tok.len());
            if let Some(n) = lex_number(s, at, decimal)
                && !glued_to_letter(s, n.end)
            {
                return Some((n.end, n, *c));
            }
        }
    }
    let n = lex_number(s, i, decimal)?;
    let at = skip_space(s, n.end);
    for (tok, c) in tokens {
        if suffix_at(s, at, tok) {
            return Some((at + tok.len(), n, *c));
        }
    }
    None
}

fn glued_to_letter(s: &str, i: usize) -> bool {
    s[i..].starts_with(|c: char| wordlike(c) && !c.is_ascii_digit())
}

/// At a digit that starts a number, not one inside a name ("A4"), a time ("10:30"), a
/// version ("1.2.3") or a fraction ("1/2").
fn number_starts(s: &str, i: usize) -> bool {
    is_digit_at(s, i) && !s[..i].chars().next_back().is_some_and(|c| wordlike(c) || matches!(c, '.' | ',' | ':' | '/'))
}

/// For languages whose numbers espeak reads: amounts get their currency's name, and grouped
/// numbers lose their separators ("2 140" → "2140"), which espeak may read as two numbers.
fn currency_only(s: &str, i: usize, locale: &Locale, decimal: char, tokens: &[(String, Currency)]) -> Option<(usize, String)> {
    let starts = number_starts(s, i);
    if !(starts || tokens.iter().any(|(t, _)| token_at(s, i, t))) {
        return None;
    }
    if let Some((end, n, c)) = currency_at(s, i, decimal, tokens)
        && let Some(m) = money(&n, c)
    {
        return Some((end, money_words(&m, locale)));
    }
    let n = lex_number(s, i, decimal).filter(|n| starts && n.grouped && !s[n.end..].starts_with([',', '.']))?;
    let mut digits = n.int.to_string();
    if let Some(f) = &n.frac {
        digits.push(decimal);
        digits.push_str(f);
    }
    Some((n.end, digits))
}

fn full(s: &str, i: usize, lang: Lang, locale: &Locale, decimal: char, tokens: &[(String, Currency)]) -> Option<(usize, String)> {
    let starts_token = tokens.iter().any(|(t, _)| token_at(s, i, t));
    // A sign belongs to the number when it starts a word: "-40%", "-5 °C".
    let signed = s[i..].starts_with('-') && number_starts(s, i + 1) && !s[..i].chars().next_back().is_some_and(wordlike);
    if !(number_starts(s, i) || starts_token || signed) {
        return None;
    }
    if !signed {
        if let Some((end, n, c)) = currency_at(s, i, decimal, tokens) {
            return Some(match money(&n, c) {
                Some(m) => (end, money_words(&m, locale)),
                None => (end, amount_with_currency(&n, c, lang, locale)),
            });
        }
        if starts_token {
            return None;
        }
    }
    let at = if signed { i + 1 } else { i };
    let n = lex_number(s, at, decimal)?;
    let mut end = n.end;
    // Times and versions: not quantities; the whole run is left to espeak.
    if s[end..].starts_with([':', '.', ',']) && is_digit_at(s, end + 1) {
        return None;
    }
    let rest = &s[end..];
    let gap = skip_space(s, end);

    // Percent: "40%", "40 %", "-40%" (a discount badge).
    if s[gap..].starts_with('%') {
        end = gap + 1;
        let words = match (&n.frac, signed) {
            (None, true) => lang.discount(n.int),
            (_, signed) => {
                let w = format!("{} {}", n.words(lang), lang.percent_word());
                if signed { format!("{} {w}", lang.minus()) } else { w }
            }
        };
        return Some((end, words));
    }
    let sign = |w: String| if signed { format!("{} {w}", lang.minus()) } else { w };

    // Units: "9.5 cm", "500ml", "-5 °C".
    let li = lang_index(lang);
    for (sym, names) in UNITS {
        if s[gap..].starts_with(sym) && !s[gap + sym.len()..].starts_with(char::is_alphanumeric) {
            let (sg, pl, gender) = names[li];
            let noun = if n.plural(lang) { pl } else { sg };
            return Some((gap + sym.len(), sign(format!("{} {noun}", n.words_before(lang, gender)))));
        }
    }
    // A rating: "4.7/5", "9/10".
    if let Some(after) = rest.strip_prefix('/') {
        let d = digits_from(after, 0);
        if d > 0 && d <= 2 && !glued_to_letter(after, d) && !is_digit_at(after, d) {
            let of: u64 = after[..d].parse().ok()?;
            if matches!(of, 5 | 10) && (n.int <= of) {
                end += 1 + d;
                return Some((end, format!("{} {} {}", n.words(lang), lang.out_of_word(), lang.cardinal(of))));
            }
        }
        return None;
    }
    // A range: "10-20".
    if let Some(after) = rest.strip_prefix(['-', '–']) {
        let sep = rest.chars().next().map_or(1, char::len_utf8);
        if let Some(m) = lex_number(s, end + sep, decimal)
            && !glued_to_letter(s, m.end)
            && after.starts_with(|c: char| c.is_ascii_digit())
        {
            let range = format!("{} {} {}", n.words(lang), lang.range_word(), m.words(lang));
            // "10-20%": ten to twenty percent.
            let pct = skip_space(s, m.end);
            if s[pct..].starts_with('%') {
                return Some((pct + 1, sign(format!("{range} {}", lang.percent_word()))));
            }
            return Some((m.end, sign(range)));
        }
    }
    if n.frac.is_none() && !signed {
        // A multiplier: "2x", "3×".
        for x in ["x", "×"] {
            if rest.starts_with(x) && !glued_to_letter(s, end + x.len()) {
                return Some((end + x.len(), format!("{} {}", n.words(lang), lang.times_word(n.int))));
            }
        }
        // English ordinals: "1st", "22nd", "3rd", "4th".
        if let Some(ord) = lang.ordinal(n.int) {
            let suffix = match n.int % 100 {
                11..=13 => "th",
                _ => match n.int % 10 {
                    1 => "st",
                    2 => "nd",
                    3 => "rd",
                    _ => "th",
                },
            };
            if rest.starts_with(suffix) && !glued_to_letter(s, end + 2) {
                return Some((end + 2, ord));
            }
        }
    }
    // Digits glued to letters we do not know ("4K", "5G", "1er"): espeak's own reading.
    if glued_to_letter(s, end) {
        return None;
    }
    Some((end, sign(n.words(lang))))
}

/// An amount too precise for its currency ("$0.125"): the decimal, then the currency's plural.
fn amount_with_currency(n: &Number, c: Currency, lang: Lang, locale: &Locale) -> String {
    match currency_noun(c, locale) {
        Some(noun) => format!("{} {}", n.words(lang), noun.plural),
        None => format!("{} {}", n.words(lang), c.code().chars().map(String::from).collect::<Vec<_>>().join(" ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::spoken;
    use show::{Line, Locale, SegmentKind};

    fn say(text: &str, locale: &str) -> String {
        let line = Line::new(SegmentKind::Pitch, None).text(text);
        spoken(&line, &Locale::parse(locale).unwrap()).text
    }

    #[test]
    fn english_free_text() {
        let cases = [
            ("It is 9.5 cm wide", "It is nine point five centimeters wide"),
            ("100% cotton", "one hundred percent cotton"),
            ("a 2-pack for $14.90", "a two-pack for fourteen dollars and ninety cents"),
            ("Save -40% today", "Save forty percent off today"),
            ("Rated 4.7/5 by 1,299 buyers", "Rated four point seven out of five by one thousand two hundred ninety-nine buyers"),
            ("Fits 10-20 cups", "Fits ten to twenty cups"),
            ("Holds 500ml, weighs 1 kg", "Holds five hundred milliliters, weighs one kilogram"),
            ("2x faster, the 3rd drop", "two times faster, the third drop"),
            ("Only 14.90 USD or €12", "Only fourteen dollars and ninety cents or twelve euros"),
            ("A4 paper, X200 model, 4K screen, 10:30 start, v1.2.3", "A4 paper, X200 model, 4K screen, 10:30 start, v1.2.3"),
            ("Up to -5 °C", "Up to minus five degrees Celsius"),
            ("Costs $0.125 per unit", "Costs zero point one two five dollars per unit"),
            ("Save 10-20% now", "Save ten to twenty percent now"),
            ("3 colour temperatures (3000K, 4000K)", "three colour temperatures (3000K, 4000K)"),
            ("🔥 Hot deal!👍🏽 Only today ✨", "Hot deal!  Only today"),
        ];
        for (text, want) in cases {
            assert_eq!(say(text, "en-US"), want, "{text}");
        }
    }

    #[test]
    fn market_separators() {
        assert_eq!(say("Solo 1.299,00 € hoy", "es-ES"), "Solo mil doscientos noventa y nueve euros hoy");
        assert_eq!(say("Mide 9,5 cm", "es-ES"), "Mide nueve coma cinco centímetros");
        assert_eq!(say("Mide 9.5 cm", "es-ES"), "Mide nueve coma cinco centímetros");
        assert_eq!(say("Nur 14,90 € und 2 Stück", "de-DE"), "Nur vierzehn Euro neunzig und zwei Stück");
        assert_eq!(say("Só R$ 14,90", "pt-BR"), "Só quatorze reais e noventa centavos");
        assert_eq!(say("Seulement 14,90\u{a0}€, 100\u{a0}% coton", "fr-FR"), "Seulement quatorze euros quatre-vingt-dix, cent pour cent coton");
        assert_eq!(say("Solo $299 hoy", "es-MX"), "Solo doscientos noventa y nueve pesos hoy");
        assert_eq!(say("Solo $299 hoy", "es-ES"), "Solo doscientos noventa y nueve dólares estadounidenses hoy");
        assert_eq!(say("Pesa 1 oz, 21 oz", "es-ES"), "Pesa una onza, veintiuna onzas");
        assert_eq!(say("Solo 14,90 €", "it-IT"), "Solo quattordici euro e novanta centesimi");
    }

    #[test]
    fn other_languages_only_name_currencies() {
        assert_eq!(say("只要$14.90，9.5厘米", "zh-CN"), "只要14.90美元，9.5厘米");
        assert_eq!(say("Hanya Rp 149.000 hari ini, 50%", "id-ID"), "Hanya 149000 rupiah hari ini, 50%");
        assert_eq!(say("Всего 2\u{a0}140 штук по 1,5 кг", "ru-RU"), "Всего 2140 штук по 1,5 кг");
        assert_eq!(say("已售出2,140件", "zh-CN"), "已售出2140件");
    }
}
