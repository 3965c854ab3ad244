//! Locales and how a market writes money, numbers and percentages on screen.
//!
//! A small table covers the markets evercast targets; an unknown locale falls back to its
//! language, then to English conventions, so a show never fails for want of a format.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

/// A BCP 47 language tag such as `en-US`, `es-MX` or `zh-CN`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locale {
    tag: String,
}

impl Locale {
    pub fn parse(tag: &str) -> Result<Locale, String> {
        let t = tag.trim().replace('_', "-");
        let mut parts = t.split('-');
        let lang = parts.next().unwrap_or("");
        if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("`{tag}` is not a locale tag such as en-US or es-MX"));
        }
        let mut out = lang.to_ascii_lowercase();
        for p in parts {
            if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!("`{tag}` is not a locale tag such as en-US or es-MX"));
            }
            out.push('-');
            if p.len() == 2 {
                out.push_str(&p.to_ascii_uppercase());
            } else if p.len() == 4 {
                // Script subtag: title case (Hans, Latn).
                out.push_str(&p[..1].to_ascii_uppercase());
                out.push_str(&p[1..].to_ascii_lowercase());
            } else {
                out.push_str(p);
            }
        }
        Ok(Locale { tag: out })
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The language subtag: `es` for `es-MX`.
    pub fn language(&self) -> &str {
        self.tag.split('-').next().unwrap_or("en")
    }

    /// The region subtag if there is one: `MX` for `es-MX`.
    pub fn region(&self) -> Option<&str> {
        self.tag.split('-').skip(1).find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
    }

    /// Languages written right to left.
    pub fn is_rtl(&self) -> bool {
        matches!(self.language(), "ar" | "he" | "fa" | "ur")
    }

    fn style(&self) -> NumberStyle {
        NumberStyle::for_locale(self)
    }

    /// Groups digits of a non-negative integer the way the market does (`1,299` / `1.299`).
    pub fn group_digits(&self, n: u64) -> String {
        let style = self.style();
        let digits = n.to_string();
        if digits.len() < style.min_grouping_digits + 3 || style.group.is_empty() {
            return digits;
        }
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(style.group);
            }
            out.push(ch);
        }
        out
    }

    /// Formats money as the market writes it: `$14.90` (en-US), `14,90 €` (es-ES),
    /// `US$14.90` (USD outside the US), `R$ 14,90` (pt-BR).
    pub fn format_money(&self, m: &Money) -> String {
        let style = self.style();
        let exp = usize::from(m.currency.exponent);
        let mut num = self.group_digits(m.major().unsigned_abs());
        if exp > 0 {
            num.push(style.decimal);
            num.push_str(&format!("{:0exp$}", m.cents()));
        }
        let sym = currency_symbol(m.currency, self);
        let sign = if m.minor < 0 { "-" } else { "" };
        match style.currency {
            CurrencyPattern::Prefix => format!("{sign}{sym}{num}"),
            CurrencyPattern::PrefixSpace => format!("{sign}{sym}\u{a0}{num}"),
            CurrencyPattern::SuffixSpace => format!("{sign}{num}\u{a0}{sym}"),
        }
    }

    /// A discount badge as the market writes it: `-40%`, `-40 %`.
    pub fn format_discount(&self, pct: u32) -> String {
        format!("-{}", self.format_percent(pct))
    }

    pub fn format_percent(&self, pct: u32) -> String {
        if self.style().percent_space { format!("{pct}\u{a0}%") } else { format!("{pct}%") }
    }

    /// The decimal separator the market writes (`.` or `,`).
    pub fn decimal_separator(&self) -> char {
        self.style().decimal
    }

    /// Formats a plain count (stock, minutes): grouped digits.
    pub fn format_count(&self, n: i64) -> String {
        let s = self.group_digits(n.unsigned_abs());
        if n < 0 { format!("-{s}") } else { s }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

impl TryFrom<String> for Locale {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Locale::parse(&s)
    }
}

impl From<Locale> for String {
    fn from(l: Locale) -> String {
        l.tag
    }
}

#[derive(Clone, Copy)]
enum CurrencyPattern {
    Prefix,
    PrefixSpace,
    SuffixSpace,
}

#[derive(Clone, Copy)]
struct NumberStyle {
    decimal: char,
    group: &'static str,
    /// CLDR's minimumGroupingDigits: Spanish writes 1299 but 12.999.
    min_grouping_digits: usize,
    currency: CurrencyPattern,
    percent_space: bool,
}

impl NumberStyle {
    fn for_locale(l: &Locale) -> NumberStyle {
        use CurrencyPattern::*;
        let en = NumberStyle { decimal: '.', group: ",", min_grouping_digits: 1, currency: Prefix, percent_space: false };
        let continental = NumberStyle { decimal: ',', group: ".", min_grouping_digits: 1, currency: SuffixSpace, percent_space: true };
        match (l.language(), l.region()) {
            ("es", Some("MX" | "US" | "PR")) => en,
            ("es", _) => NumberStyle { min_grouping_digits: 2, ..continental },
            ("pt", Some("BR")) | ("pt", None) => NumberStyle { currency: PrefixSpace, percent_space: false, ..continental },
            ("pt", _) => NumberStyle { group: "\u{a0}", ..continental },
            ("fr", Some("CH")) => NumberStyle { decimal: '.', group: "\u{202f}", ..continental },
            ("fr", _) => NumberStyle { group: "\u{202f}", ..continental },
            ("de", Some("CH")) => NumberStyle { decimal: '.', group: "’", currency: PrefixSpace, percent_space: false, min_grouping_digits: 1 },
            ("de" | "it" | "tr" | "vi" | "da" | "el", _) => continental,
            ("nl", _) => NumberStyle { currency: PrefixSpace, percent_space: false, ..continental },
            ("id", _) => NumberStyle { currency: Prefix, percent_space: false, ..continental },
            ("ru" | "uk" | "pl" | "cs" | "sv" | "fi" | "nb", _) => NumberStyle { group: "\u{a0}", ..continental },
            ("ar" | "he" | "fa", _) => NumberStyle { currency: SuffixSpace, ..en },
            _ => en,
        }
    }
}

/// The symbol a market uses for a currency: the bare `$` only where the dollar is the home
/// currency, `US$` elsewhere, so a Mexican viewer never mistakes dollars for pesos.
pub fn currency_symbol(c: Currency, l: &Locale) -> String {
    let region = l.region().unwrap_or(default_region(l.language()));
    let home = |r: &str| region == r;
    let s = match c.code() {
        "USD" if home("US") || home("EC") || home("SV") || home("PR") => "$",
        "USD" => "US$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" if home("JP") => "¥",
        "JPY" => "JP¥",
        "CNY" if home("CN") => "¥",
        "CNY" => "CN¥",
        "MXN" if home("MX") => "$",
        "MXN" => "MX$",
        "CAD" if home("CA") => "$",
        "CAD" => "CA$",
        "AUD" if home("AU") => "$",
        "AUD" => "A$",
        "SGD" if home("SG") => "$",
        "SGD" => "S$",
        "BRL" => "R$",
        "INR" => "₹",
        "KRW" => "₩",
        "IDR" => "Rp",
        "THB" => "฿",
        "VND" => "₫",
        "PHP" => "₱",
        "MYR" => "RM",
        "TWD" => "NT$",
        "HKD" => "HK$",
        "CHF" => "CHF",
        _ => return c.code().to_string(),
    };
    s.to_string()
}

fn default_region(lang: &str) -> &'static str {
    match lang {
        "en" => "US",
        "es" => "ES",
        "pt" => "BR",
        "fr" => "FR",
        "de" => "DE",
        "it" => "IT",
        "ja" => "JP",
        "zh" => "CN",
        "id" => "ID",
        "th" => "TH",
        "vi" => "VN",
        "ms" => "MY",
        "ko" => "KR",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(tag: &str, amount: &str, cur: &str) -> String {
        let c = Currency::from_code(cur).unwrap();
        Locale::parse(tag).unwrap().format_money(&Money::parse(amount, c).unwrap())
    }

    #[test]
    fn formats_money_per_market() {
        assert_eq!(fmt("en-US", "14.90", "USD"), "$14.90");
        assert_eq!(fmt("en-US", "1299", "USD"), "$1,299.00");
        assert_eq!(fmt("en-GB", "14.90", "USD"), "US$14.90");
        assert_eq!(fmt("es-ES", "14.90", "EUR"), "14,90\u{a0}€");
        assert_eq!(fmt("es-ES", "1299", "EUR"), "1299,00\u{a0}€");
        assert_eq!(fmt("de-DE", "12999", "EUR"), "12.999,00\u{a0}€");
        assert_eq!(fmt("es-MX", "14.90", "USD"), "US$14.90");
        assert_eq!(fmt("pt-BR", "14.90", "BRL"), "R$\u{a0}14,90");
        assert_eq!(fmt("ja-JP", "1490", "JPY"), "¥1,490");
    }

    #[test]
    fn parses_tags() {
        let l = Locale::parse("es_mx").unwrap();
        assert_eq!(l.tag(), "es-MX");
        assert_eq!(l.language(), "es");
        assert_eq!(l.region(), Some("MX"));
        assert_eq!(Locale::parse("zh-hans-cn").unwrap().tag(), "zh-Hans-CN");
        assert!(Locale::parse("english").is_err());
        assert!(Locale::parse("ar-SA").unwrap().is_rtl());
    }

    #[test]
    fn percent_per_market() {
        assert_eq!(Locale::parse("en-US").unwrap().format_discount(40), "-40%");
        assert_eq!(Locale::parse("fr-FR").unwrap().format_discount(40), "-40\u{a0}%");
    }
}
