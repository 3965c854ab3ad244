//! Money in integer minor units: prices are facts, so they never pass through floating point.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency with the number of digits of its minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    /// Digits after the decimal point (USD 2, JPY 0, KWD 3).
    pub exponent: u8,
}

impl Currency {
    pub const USD: Currency = Currency { code: *b"USD", exponent: 2 };

    /// Parses a three-letter ISO 4217 code (case-insensitive).
    pub fn from_code(code: &str) -> Option<Currency> {
        let up = code.trim().to_ascii_uppercase();
        let b = up.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        let exponent = match up.as_str() {
            "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" | "IDR"
            | "TWD" | "HUF" => 0,
            "KWD" | "BHD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
            _ => 2,
        };
        Some(Currency { code: [b[0], b[1], b[2]], exponent })
    }

    pub fn code(&self) -> &str {
        // Built only from ASCII letters.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// 10^exponent: how many minor units make one major unit.
    pub fn scale(&self) -> i64 {
        10i64.pow(u32::from(self.exponent))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::from_code(&s).ok_or_else(|| format!("`{s}` is not a three-letter ISO 4217 currency code such as USD or EUR"))
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// An amount of money: `minor` units of `currency` (1490 USD = $14.90).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Currency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code.cmp(&other.code)
    }
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses a plain decimal amount as catalogs write it: `14.90`, `14.9`, `1,299.00`, `14`.
    /// Thousands separators (`,` or `_`) are accepted only in groups of three before the point.
    /// More decimals than the currency has are refused rather than rounded: a catalog price is a
    /// fact and must not change on import.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, String> {
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        if t.is_empty() {
            return Err("empty amount".into());
        }
        let (int_part, frac_part) = match t.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (t, None),
        };
        let digits: String = if int_part.contains([',', '_']) {
            let groups: Vec<&str> = int_part.split([',', '_']).collect();
            let ok = !groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3)
                && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(format!("`{text}` has misplaced thousands separators"));
            }
            groups.concat()
        } else {
            int_part.to_string()
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{text}` is not a decimal amount"));
        }
        let exp = usize::from(currency.exponent);
        let mut frac = frac_part.unwrap_or("").to_string();
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (frac_part.is_some() && frac.is_empty()) {
            return Err(format!("`{text}` is not a decimal amount"));
        }
        // Trailing zeros beyond the currency's precision are harmless (14.900 USD).
        while frac.len() > exp && frac.ends_with('0') {
            frac.pop();
        }
        if frac.len() > exp {
            return Err(format!(
                "`{text}` has more decimals than {} allows ({exp})",
                currency.code()
            ));
        }
        while frac.len() < exp {
            frac.push('0');
        }
        let major: i64 = digits.parse().map_err(|_| format!("`{text}` is too large"))?;
        let minor_frac: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| format!("`{text}` is not a decimal amount"))? };
        let minor = major
            .checked_mul(currency.scale())
            .and_then(|m| m.checked_add(minor_frac))
            .ok_or_else(|| format!("`{text}` is too large"))?;
        Ok(Money { minor: if neg { -minor } else { minor }, currency })
    }

    /// Whole major units (14 for $14.90).
    pub fn major(&self) -> i64 {
        self.minor / self.currency.scale()
    }

    /// The minor part (90 for $14.90).
    pub fn cents(&self) -> i64 {
        (self.minor % self.currency.scale()).abs()
    }

    /// The plain decimal form, `14.90`, independent of any locale.
    pub fn plain(&self) -> String {
        let exp = usize::from(self.currency.exponent);
        if exp == 0 {
            return self.minor.to_string();
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        format!("{sign}{}.{:0exp$}", self.major().abs(), self.cents())
    }

    /// Whole percent saved going from `was` to `self`, rounded down so a claim never overstates
    /// the saving; `None` when there is no saving or the currencies differ.
    pub fn discount_percent_from(&self, was: &Money) -> Option<u32> {
        if was.currency != self.currency || was.minor <= self.minor || was.minor <= 0 {
            return None;
        }
        let pct = (was.minor - self.minor) * 100 / was.minor;
        u32::try_from(pct).ok().filter(|p| *p > 0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.plain(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Result<Money, String> {
        Money::parse(s, Currency::USD)
    }

    #[test]
    fn parses_catalog_amounts_exactly() {
        assert_eq!(usd("14.90").unwrap().minor, 1490);
        assert_eq!(usd("14.9").unwrap().minor, 1490);
        assert_eq!(usd("14").unwrap().minor, 1400);
        assert_eq!(usd("1,299.00").unwrap().minor, 129_900);
        assert_eq!(usd("0.05").unwrap().minor, 5);
        assert_eq!(usd("14.900").unwrap().minor, 1490);
        let jpy = Currency::from_code("jpy").unwrap();
        assert_eq!(Money::parse("1490", jpy).unwrap().minor, 1490);
        assert!(Money::parse("14.5", jpy).is_err());
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in ["", "abc", "14.", "1,29.00", "$14.90", "14.999", "1.2.3"] {
            assert!(usd(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn discount_rounds_down() {
        let now = usd("14.90").unwrap();
        let was = usd("24.90").unwrap();
        assert_eq!(now.discount_percent_from(&was), Some(40)); // 40.16 %
        assert_eq!(was.discount_percent_from(&now), None);
        assert_eq!(now.plain(), "14.90");
    }
}
