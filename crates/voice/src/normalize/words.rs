//! Numbers as words in the languages evercast speaks in full: English, Spanish, French, German,
//! Italian and Portuguese, with their regional forms (British "and", Belgian and Swiss
//! "septante", Brazilian and European Portuguese).
//!
//! Everything here is plain tables and arithmetic on integers: no floating point, so a price is
//! never rounded on its way to the voice.

use show::Locale;

/// A language whose numbers this crate spells out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// `and_after_hundreds`: British and most non-US English say "one hundred and five".
    En { and_after_hundreds: bool },
    Es,
    Fr(FrNumbers),
    De,
    It,
    /// `brazil`: "dezesseis", "bilhão" (Brazil) or "dezasseis", "mil milhões" (Portugal, Africa).
    Pt { brazil: bool },
}

/// How French names 70, 80 and 90.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrNumbers {
    /// soixante-dix, quatre-vingts, quatre-vingt-dix.
    France,
    /// septante, quatre-vingts, nonante.
    Belgium,
    /// septante, huitante, nonante.
    Switzerland,
}

/// The grammatical gender of what is counted: Spanish "una libra", French "une minute".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Gender {
    #[default]
    Masculine,
    Feminine,
}

/// How a number ending in one is said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum One {
    /// Counting on its own: "uno", "eins".
    Alone,
    /// Before a noun: "un dólar", "ein Euro", "une minute".
    Before(Gender),
}

impl Lang {
    /// The language of a locale, or `None` where digits are left to espeak.
    pub fn for_locale(locale: &Locale) -> Option<Lang> {
        let region = locale.region();
        Some(match locale.language() {
            "en" => Lang::En { and_after_hundreds: !matches!(region, None | Some("US" | "PH")) },
            "es" => Lang::Es,
            "fr" => Lang::Fr(match region {
                Some("BE" | "CD") => FrNumbers::Belgium,
                Some("CH") => FrNumbers::Switzerland,
                _ => FrNumbers::France,
            }),
            "de" => Lang::De,
            "it" => Lang::It,
            "pt" => Lang::Pt { brazil: matches!(region, None | Some("BR")) },
            _ => return None,
        })
    }

    /// A number on its own: "twenty-one", "veintiuno", "einundzwanzig".
    pub fn cardinal(self, n: u64) -> String {
        self.number(n, One::Alone)
    }

    /// A number before a noun of the given gender: "veintiún dólares", "une minute".
    pub fn cardinal_before(self, n: u64, gender: Gender) -> String {
        self.number(n, One::Before(gender))
    }

    /// A signed number on its own.
    pub fn signed(self, n: i64) -> String {
        let words = self.cardinal(n.unsigned_abs());
        if n < 0 { format!("{} {words}", self.minus()) } else { words }
    }

    /// The word for a leading minus sign.
    pub fn minus(self) -> &'static str {
        match self {
            Lang::En { .. } | Lang::De => "minus",
            Lang::Es | Lang::Pt { .. } => "menos",
            Lang::Fr(_) => "moins",
            Lang::It => "meno",
        }
    }

    /// The word said for a decimal separator: "point", "coma", "virgule", "Komma".
    pub fn decimal_word(self) -> &'static str {
        match self {
            Lang::En { .. } => "point",
            Lang::Es => "coma",
            Lang::Fr(_) => "virgule",
            Lang::De => "Komma",
            Lang::It => "virgola",
            Lang::Pt { .. } => "vírgula",
        }
    }

    /// A decimal number from its integer part and the digits after the separator:
    /// "nine point five", "cero coma cero cinco", "null Komma sieben fünf".
    ///
    /// English and German read the fraction digit by digit; the Romance languages read it as a
    /// number when it is short ("coma setenta y cinco"), after any leading zeros.
    pub fn decimal(self, int: u64, fraction: &str) -> String {
        let mut out = self.cardinal(int);
        let digits: Vec<u64> = fraction.bytes().filter(u8::is_ascii_digit).map(|b| u64::from(b - b'0')).collect();
        if digits.is_empty() {
            return out;
        }
        out.push(' ');
        out.push_str(self.decimal_word());
        let by_digit = matches!(self, Lang::En { .. } | Lang::De) || digits.len() > 3;
        if by_digit {
            for d in digits {
                out.push(' ');
                out.push_str(&self.cardinal(d));
            }
        } else {
            let zeros = digits.iter().take_while(|d| **d == 0).count();
            for _ in 0..zeros.min(digits.len() - 1) {
                out.push(' ');
                out.push_str(&self.cardinal(0));
            }
            let rest = digits[zeros.min(digits.len() - 1)..].iter().fold(0u64, |acc, d| acc * 10 + d);
            out.push(' ');
            out.push_str(&self.cardinal(rest));
        }
        out
    }

    /// A whole percentage: "forty percent", "cuarenta por ciento", "vierzig Prozent".
    pub fn percent(self, p: u64) -> String {
        format!("{} {}", self.cardinal(p), self.percent_word())
    }

    /// What follows a number for "%".
    pub fn percent_word(self) -> &'static str {
        match self {
            Lang::En { .. } => "percent",
            Lang::Es => "por ciento",
            Lang::Fr(_) => "pour cent",
            Lang::De => "Prozent",
            Lang::It => "per cento",
            Lang::Pt { .. } => "por cento",
        }
    }

    /// A discount badge as said aloud: "-40%" → "forty percent off", "moins quarante pour cent".
    pub fn discount(self, p: u64) -> String {
        let pct = self.percent(p);
        match self {
            Lang::En { .. } => format!("{pct} off"),
            Lang::Es => format!("{pct} de descuento"),
            Lang::Pt { .. } => format!("{pct} de desconto"),
            Lang::Fr(_) | Lang::De | Lang::It => format!("{} {pct}", self.minus()),
        }
    }

    /// "to" in a range such as "10-20".
    pub fn range_word(self) -> &'static str {
        match self {
            Lang::En { .. } => "to",
            Lang::Es | Lang::It | Lang::Pt { .. } => "a",
            Lang::Fr(_) => "à",
            Lang::De => "bis",
        }
    }

    /// "out of" in a rating such as "4.7/5".
    pub fn out_of_word(self) -> &'static str {
        match self {
            Lang::En { .. } => "out of",
            Lang::Es => "de",
            Lang::Fr(_) => "sur",
            Lang::De => "von",
            Lang::It => "su",
            Lang::Pt { .. } => "de",
        }
    }

    /// "times" after a multiplier such as "2x".
    pub fn times_word(self, n: u64) -> &'static str {
        match self {
            Lang::En { .. } => "times",
            Lang::Es => if n == 1 { "vez" } else { "veces" },
            Lang::Fr(_) => "fois",
            Lang::De => "mal",
            Lang::It => if n == 1 { "volta" } else { "volte" },
            Lang::Pt { .. } => if n == 1 { "vez" } else { "vezes" },
        }
    }

    /// The conjunction between a whole amount and its cents when both are named:
    /// "and", "con", "e".
    pub fn cents_joiner(self) -> &'static str {
        match self {
            Lang::En { .. } => "and",
            Lang::Es => "con",
            Lang::Fr(_) => "et",
            Lang::De => "und",
            Lang::It | Lang::Pt { .. } => "e",
        }
    }

    /// The preposition between a round number of millions and its noun: Spanish "dos
    /// millones de dólares", French "deux millions d'euros". `None` where there is none.
    pub fn millions_of(self, noun: &str) -> Option<String> {
        let vowel = noun.chars().next().is_some_and(|c| "aeiouhéèêàâîôûAEIOUHÉ".contains(c));
        match self {
            Lang::Es | Lang::Pt { .. } => Some(format!("de {noun}")),
            Lang::Fr(_) if vowel => Some(format!("d'{noun}")),
            Lang::Fr(_) => Some(format!("de {noun}")),
            Lang::It => Some(format!("di {noun}")),
            Lang::En { .. } | Lang::De => None,
        }
    }

    /// An English ordinal ("first", "twenty-third"); `None` in the other languages, whose
    /// ordinals agree with their noun and are left to espeak.
    pub fn ordinal(self, n: u64) -> Option<String> {
        let Lang::En { .. } = self else { return None };
        let words = self.cardinal(n);
        let split = words.rfind([' ', '-']).map_or(0, |i| i + 1);
        let (head, last) = words.split_at(split);
        let last = match last {
            "one" => "first".to_string(),
            "two" => "second".to_string(),
            "three" => "third".to_string(),
            "five" => "fifth".to_string(),
            "eight" => "eighth".to_string(),
            "nine" => "ninth".to_string(),
            "twelve" => "twelfth".to_string(),
            l if l.ends_with('y') => format!("{}ieth", &l[..l.len() - 1]),
            l => format!("{l}th"),
        };
        Some(format!("{head}{last}"))
    }

    fn number(self, n: u64, one: One) -> String {
        match self {
            Lang::En { and_after_hundreds } => en::cardinal(n, and_after_hundreds),
            Lang::Es => es::cardinal(n, one),
            Lang::Fr(v) => fr::cardinal(n, v, one),
            Lang::De => de::cardinal(n, one),
            Lang::It => it::cardinal(n, one),
            Lang::Pt { brazil } => pt::cardinal(n, brazil, one),
        }
    }
}

/// Splits `n` into groups of a thousand, highest first, with the power of each group.
fn groups(n: u64) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut power = 0u32;
    let mut rest = n;
    while rest > 0 {
        out.push((rest % 1000, power));
        rest /= 1000;
        power += 1;
    }
    out.reverse();
    out
}

fn join(parts: Vec<String>) -> String {
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

mod en {
    const ONES: [&str; 20] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];
    const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    const SCALES: [&str; 7] = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];

    fn below_100(n: u64) -> String {
        if n < 20 {
            return ONES[n as usize].to_string();
        }
        let (t, u) = ((n / 10) as usize, (n % 10) as usize);
        if u == 0 { TENS[t].to_string() } else { format!("{}-{}", TENS[t], ONES[u]) }
    }

    fn below_1000(n: u64, and: bool) -> String {
        let (h, r) = (n / 100, n % 100);
        match (h, r) {
            (0, r) => below_100(r),
            (h, 0) => format!("{} hundred", ONES[h as usize]),
            (h, r) if and => format!("{} hundred and {}", ONES[h as usize], below_100(r)),
            (h, r) => format!("{} hundred {}", ONES[h as usize], below_100(r)),
        }
    }

    pub(super) fn cardinal(n: u64, and: bool) -> String {
        if n == 0 {
            return ONES[0].to_string();
        }
        let groups = super::groups(n);
        let last = groups.len() - 1;
        let mut parts = Vec::new();
        for (i, (g, power)) in groups.iter().enumerate() {
            if *g == 0 {
                continue;
            }
            // British English: "one thousand and five".
            if and && i == last && *power == 0 && *g < 100 && last > 0 {
                parts.push("and".to_string());
            }
            parts.push(below_1000(*g, and));
            parts.push(SCALES[*power as usize].to_string());
        }
        super::join(parts)
    }
}

mod es {
    use super::{Gender, One};

    const BELOW_30: [&str; 30] = [
        "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce",
        "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno",
        "veintidós", "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho",
        "veintinueve",
    ];
    const TENS: [&str; 10] =
        ["", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"];
    const HUNDREDS: [&str; 10] = [
        "", "ciento", "doscientos", "trescientos", "cuatrocientos", "quinientos", "seiscientos", "setecientos",
        "ochocientos", "novecientos",
    ];

    /// "uno" → "un"/"una" at the end of a number said before a noun.
    fn ending_one(word: &str, one: One) -> String {
        match one {
            One::Alone => word.to_string(),
            One::Before(Gender::Masculine) => match word.strip_suffix("veintiuno") {
                Some(head) => format!("{head}veintiún"),
                None => word.strip_suffix("uno").map_or(word.to_string(), |h| format!("{h}un")),
            },
            One::Before(Gender::Feminine) => word.strip_suffix("uno").map_or(word.to_string(), |h| format!("{h}una")),
        }
    }

    fn below_100(n: u64, one: One) -> String {
        let w = if n < 30 {
            BELOW_30[n as usize].to_string()
        } else if n.is_multiple_of(10) {
            TENS[(n / 10) as usize].to_string()
        } else {
            format!("{} y {}", TENS[(n / 10) as usize], BELOW_30[(n % 10) as usize])
        };
        if n % 10 == 1 && n != 11 { ending_one(&w, one) } else { w }
    }

    fn below_1000(n: u64, one: One) -> String {
        let (h, r) = (n / 100, n % 100);
        if n == 100 {
            return "cien".to_string();
        }
        let mut hundreds = HUNDREDS[h as usize].to_string();
        if one == One::Before(Gender::Feminine) && h > 1 {
            hundreds = hundreds.replace("ientos", "ientas");
        }
        match (h, r) {
            (0, r) => below_100(r, one),
            (_, 0) => hundreds,
            (_, r) => format!("{hundreds} {}", below_100(r, one)),
        }
    }

    fn below_million(n: u64, one: One) -> String {
        let (th, r) = (n / 1000, n % 1000);
        let thousands = match th {
            0 => String::new(),
            1 => "mil".to_string(),
            // "veintiún mil", "doscientas mil libras".
            th => {
                let g = if let One::Before(g) = one { g } else { Gender::Masculine };
                let mut w = below_1000(th, One::Before(g));
                if g == Gender::Feminine && th % 10 == 1 && th % 100 != 11 {
                    w = ending_one(&w.replace("una", "uno"), One::Before(Gender::Masculine));
                }
                format!("{w} mil")
            }
        };
        let rest = if r == 0 { String::new() } else { below_1000(r, one) };
        super::join(vec![thousands, rest])
    }

    pub(super) fn cardinal(n: u64, one: One) -> String {
        if n == 0 {
            return BELOW_30[0].to_string();
        }
        // Long scale: millón 10^6, billón 10^12, trillón 10^18; "mil millones" is 10^9.
        let trillions = n / 1_000_000_000_000_000_000;
        let billions = (n / 1_000_000_000_000) % 1_000_000;
        let millions = (n / 1_000_000) % 1_000_000;
        let rest = n % 1_000_000;
        let mut parts = Vec::new();
        for (count, sg, pl) in [(trillions, "trillón", "trillones"), (billions, "billón", "billones"), (millions, "millón", "millones")] {
            if count == 1 {
                parts.push(format!("un {sg}"));
            } else if count > 1 {
                parts.push(format!("{} {pl}", below_million(count, One::Before(Gender::Masculine))));
            }
        }
        if rest > 0 {
            parts.push(below_million(rest, one));
        }
        super::join(parts)
    }
}

mod fr {
    use super::{FrNumbers, Gender, One};

    const BELOW_17: [&str; 17] = [
        "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
        "treize", "quatorze", "quinze", "seize",
    ];

    fn below_20(n: u64) -> String {
        if n < 17 { BELOW_17[n as usize].to_string() } else { format!("dix-{}", BELOW_17[(n - 10) as usize]) }
    }

    /// `plural`: "quatre-vingts" takes its s only at the end of a number or before a noun such
    /// as "millions", never before "mille".
    fn below_100(n: u64, v: FrNumbers, plural: bool) -> String {
        if n < 20 {
            return below_20(n);
        }
        let (t, u) = (n / 10, n % 10);
        let simple = |word: &str| match u {
            0 => word.to_string(),
            1 => format!("{word} et un"),
            u => format!("{word}-{}", BELOW_17[u as usize]),
        };
        match (t, v) {
            (2, _) => simple("vingt"),
            (3, _) => simple("trente"),
            (4, _) => simple("quarante"),
            (5, _) => simple("cinquante"),
            (6, _) => simple("soixante"),
            (7, FrNumbers::France) if u == 1 => "soixante et onze".to_string(),
            (7, FrNumbers::France) => format!("soixante-{}", below_20(10 + u)),
            (7, _) => simple("septante"),
            (8, FrNumbers::Switzerland) => simple("huitante"),
            (8, _) if u == 0 => if plural { "quatre-vingts" } else { "quatre-vingt" }.to_string(),
            (8, _) => format!("quatre-vingt-{}", BELOW_17[u as usize]),
            (9, FrNumbers::France) => format!("quatre-vingt-{}", below_20(10 + u)),
            (_, _) => simple("nonante"),
        }
    }

    fn below_1000(n: u64, v: FrNumbers, plural: bool) -> String {
        let (h, r) = (n / 100, n % 100);
        let hundreds = match h {
            0 => String::new(),
            1 => "cent".to_string(),
            h if r == 0 && plural => format!("{} cents", BELOW_17[h as usize]),
            h => format!("{} cent", BELOW_17[h as usize]),
        };
        let rest = if r == 0 && h > 0 { String::new() } else { below_100(r, v, plural) };
        super::join(vec![hundreds, rest])
    }

    fn feminine(words: String, one: One) -> String {
        if one == One::Before(Gender::Feminine) && (words == "un" || words.ends_with(" un") || words.ends_with("-un")) {
            format!("{words}e")
        } else {
            words
        }
    }

    pub(super) fn cardinal(n: u64, v: FrNumbers, one: One) -> String {
        if n == 0 {
            return BELOW_17[0].to_string();
        }
        const SCALES: [(&str, &str); 7] = [
            ("", ""),
            ("mille", "mille"),
            ("million", "millions"),
            ("milliard", "milliards"),
            ("billion", "billions"),
            ("billiard", "billiards"),
            ("trillion", "trillions"),
        ];
        let mut parts = Vec::new();
        for (g, power) in super::groups(n) {
            if g == 0 {
                continue;
            }
            match power {
                0 => parts.push(feminine(below_1000(g, v, true), one)),
                1 if g == 1 => parts.push("mille".to_string()),
                1 => parts.push(format!("{} mille", below_1000(g, v, false))),
                p => {
                    let (sg, pl) = SCALES[p as usize];
                    parts.push(format!("{} {}", below_1000(g, v, true), if g == 1 { sg } else { pl }));
                }
            }
        }
        super::join(parts)
    }
}

mod de {
    use super::{Gender, One};

    const BELOW_20: [&str; 20] = [
        "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf",
        "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn",
    ];
    const TENS: [&str; 10] =
        ["", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"];

    /// Below a million German writes one word; `end_one` is how a final 1 is said ("eins",
    /// "ein", "eine"), and compounds always take "ein" ("einundzwanzig", "einhundert").
    fn below_100(n: u64, end_one: &str) -> String {
        match n {
            1 => end_one.to_string(),
            n if n < 20 => BELOW_20[n as usize].to_string(),
            n if n % 10 == 0 => TENS[(n / 10) as usize].to_string(),
            n => {
                let u = n % 10;
                let unit = if u == 1 { "ein" } else { BELOW_20[u as usize] };
                format!("{unit}und{}", TENS[(n / 10) as usize])
            }
        }
    }

    fn below_1000(n: u64, end_one: &str) -> String {
        let (h, r) = (n / 100, n % 100);
        let hundreds = match h {
            0 => String::new(),
            1 => "einhundert".to_string(),
            h => format!("{}hundert", BELOW_20[h as usize]),
        };
        let rest = if r == 0 { String::new() } else if h > 0 && r == 1 { "eins".to_string() } else { below_100(r, end_one) };
        format!("{hundreds}{rest}")
    }

    pub(super) fn cardinal(n: u64, one: One) -> String {
        if n == 0 {
            return BELOW_20[0].to_string();
        }
        let end_one = match one {
            One::Alone => "eins",
            One::Before(Gender::Masculine) => "ein",
            One::Before(Gender::Feminine) => "eine",
        };
        const SCALES: [(&str, &str); 7] = [
            ("", ""),
            ("", ""),
            ("Million", "Millionen"),
            ("Milliarde", "Milliarden"),
            ("Billion", "Billionen"),
            ("Billiarde", "Billiarden"),
            ("Trillion", "Trillionen"),
        ];
        let mut parts = Vec::new();
        let mut word = String::new();
        for (g, power) in super::groups(n) {
            if g == 0 {
                continue;
            }
            match power {
                0 => word.push_str(&below_1000(g, end_one)),
                1 => word.push_str(&format!("{}tausend", below_1000(g, "ein"))),
                p => {
                    let (sg, pl) = SCALES[p as usize];
                    if g == 1 {
                        parts.push(format!("eine {sg}"));
                    } else {
                        parts.push(format!("{} {pl}", below_1000(g, "eine")));
                    }
                }
            }
        }
        parts.push(word);
        super::join(parts)
    }
}

mod it {
    use super::{Gender, One};

    const BELOW_20: [&str; 20] = [
        "zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci", "undici",
        "dodici", "tredici", "quattordici", "quindici", "sedici", "diciassette", "diciotto", "diciannove",
    ];
    const TENS: [&str; 10] =
        ["", "", "venti", "trenta", "quaranta", "cinquanta", "sessanta", "settanta", "ottanta", "novanta"];

    fn below_100(n: u64) -> String {
        if n < 20 {
            return BELOW_20[n as usize].to_string();
        }
        let (t, u) = ((n / 10) as usize, (n % 10) as usize);
        match u {
            0 => TENS[t].to_string(),
            // "ventuno", "ventotto": the tens lose their vowel before a vowel.
            1 | 8 => format!("{}{}", &TENS[t][..TENS[t].len() - 1], BELOW_20[u]),
            3 => format!("{}tré", TENS[t]),
            _ => format!("{}{}", TENS[t], BELOW_20[u]),
        }
    }

    fn below_1000(n: u64) -> String {
        let (h, r) = (n / 100, n % 100);
        let hundreds = match h {
            0 => String::new(),
            1 => "cento".to_string(),
            h => format!("{}cento", BELOW_20[h as usize]),
        };
        if r == 0 {
            return hundreds;
        }
        let rest = below_100(r);
        // "centottanta": cento loses its o before "ottanta".
        if h > 0 && (80..90).contains(&r) { format!("{}{rest}", &hundreds[..hundreds.len() - 1]) } else { format!("{hundreds}{rest}") }
    }

    fn ending_one(word: String, one: One) -> String {
        match one {
            One::Alone => word,
            One::Before(Gender::Masculine) if word == "uno" => "un".to_string(),
            One::Before(Gender::Masculine) => word,
            One::Before(Gender::Feminine) => word.strip_suffix("uno").map_or(word.clone(), |h| format!("{h}una")),
        }
    }

    pub(super) fn cardinal(n: u64, one: One) -> String {
        if n == 0 {
            return BELOW_20[0].to_string();
        }
        const SCALES: [(&str, &str); 7] = [
            ("", ""),
            ("mille", "mila"),
            ("milione", "milioni"),
            ("miliardo", "miliardi"),
            ("bilione", "bilioni"),
            ("biliardo", "biliardi"),
            ("trilione", "trilioni"),
        ];
        let mut parts = Vec::new();
        for (g, power) in super::groups(n) {
            if g == 0 {
                continue;
            }
            match power {
                0 => parts.push(ending_one(below_1000(g), one)),
                1 if g == 1 => parts.push("mille".to_string()),
                // "duemila", "ventunmila".
                1 => {
                    let w = below_1000(g);
                    let w = if g % 10 == 1 && g % 100 != 11 { w.strip_suffix('o').map_or(w.clone(), str::to_string) } else { w };
                    parts.push(format!("{w}mila"));
                }
                p => {
                    let (sg, pl) = SCALES[p as usize];
                    if g == 1 { parts.push(format!("un {sg}")) } else { parts.push(format!("{} {pl}", below_1000(g))) }
                }
            }
        }
        super::join(parts)
    }
}

mod pt {
    use super::{Gender, One};

    fn below_20(n: u64, brazil: bool) -> &'static str {
        const COMMON: [&str; 20] = [
            "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze",
            "treze", "catorze", "quinze", "dezasseis", "dezassete", "dezoito", "dezanove",
        ];
        match (n, brazil) {
            (14, true) => "quatorze",
            (16, true) => "dezesseis",
            (17, true) => "dezessete",
            (19, true) => "dezenove",
            (n, _) => COMMON[n as usize],
        }
    }
    const TENS: [&str; 10] =
        ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"];
    const HUNDREDS: [&str; 10] = [
        "", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos", "setecentos", "oitocentos",
        "novecentos",
    ];

    fn unit(n: u64, brazil: bool, fem: bool) -> String {
        match (n, fem) {
            (1, true) => "uma".to_string(),
            (2, true) => "duas".to_string(),
            (n, _) => below_20(n, brazil).to_string(),
        }
    }

    fn below_100(n: u64, brazil: bool, fem: bool) -> String {
        if n < 20 {
            return unit(n, brazil, fem);
        }
        let (t, u) = (n / 10, n % 10);
        if u == 0 { TENS[t as usize].to_string() } else { format!("{} e {}", TENS[t as usize], unit(u, brazil, fem)) }
    }

    fn below_1000(n: u64, brazil: bool, fem: bool) -> String {
        let (h, r) = (n / 100, n % 100);
        if n == 100 {
            return "cem".to_string();
        }
        let mut hundreds = HUNDREDS[h as usize].to_string();
        if fem && h > 1 {
            hundreds = format!("{}as", hundreds.trim_end_matches("os"));
        }
        match (h, r) {
            (0, r) => below_100(r, brazil, fem),
            (_, 0) => hundreds,
            (_, r) => format!("{hundreds} e {}", below_100(r, brazil, fem)),
        }
    }

    pub(super) fn cardinal(n: u64, brazil: bool, one: One) -> String {
        if n == 0 {
            return "zero".to_string();
        }
        let fem = one == One::Before(Gender::Feminine);
        // Brazil counts in the short scale (bilhão 10^9); Portugal in the long (mil milhões).
        let scales: [(&str, &str); 7] = if brazil {
            [("", ""), ("mil", "mil"), ("milhão", "milhões"), ("bilhão", "bilhões"), ("trilhão", "trilhões"), ("quatrilhão", "quatrilhões"), ("quintilhão", "quintilhões")]
        } else {
            [("", ""), ("mil", "mil"), ("milhão", "milhões"), ("mil milhões", "mil milhões"), ("bilião", "biliões"), ("mil biliões", "mil biliões"), ("trilião", "triliões")]
        };
        let groups = super::groups(n);
        let mut out = String::new();
        for (i, (g, power)) in groups.iter().copied().enumerate() {
            if g == 0 {
                continue;
            }
            let words = match power {
                0 => below_1000(g, brazil, fem),
                1 if g == 1 => "mil".to_string(),
                1 => format!("{} mil", below_1000(g, brazil, fem)),
                p => {
                    let (sg, pl) = scales[p as usize];
                    if g == 1 && sg.starts_with("mil ") {
                        sg.to_string()
                    } else if g == 1 {
                        format!("um {sg}")
                    } else {
                        format!("{} {pl}", below_1000(g, brazil, false))
                    }
                }
            };
            if !out.is_empty() {
                // "mil e cem", "mil e vinte", but "mil duzentos e trinta": "e" joins the last
                // group only when it is below a hundred or a round hundred.
                let rest_is_last = groups[i + 1..].iter().all(|(g, _)| *g == 0);
                if rest_is_last && (g < 100 || g % 100 == 0) {
                    out.push_str(" e ");
                } else {
                    out.push(' ');
                }
            }
            out.push_str(&words);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN_US: Lang = Lang::En { and_after_hundreds: false };
    const EN_GB: Lang = Lang::En { and_after_hundreds: true };
    const FR: Lang = Lang::Fr(FrNumbers::France);
    const PT_BR: Lang = Lang::Pt { brazil: true };
    const PT_PT: Lang = Lang::Pt { brazil: false };

    fn check(lang: Lang, table: &[(u64, &str)]) {
        for (n, want) in table {
            assert_eq!(lang.cardinal(*n), *want, "{lang:?} {n}");
        }
    }

    #[test]
    fn english() {
        check(EN_US, &[
            (0, "zero"), (7, "seven"), (13, "thirteen"), (21, "twenty-one"), (90, "ninety"), (100, "one hundred"),
            (105, "one hundred five"), (999, "nine hundred ninety-nine"), (1000, "one thousand"),
            (1299, "one thousand two hundred ninety-nine"), (10_500, "ten thousand five hundred"),
            (2_000_000, "two million"), (1_000_001, "one million one"),
            (3_400_000_000, "three billion four hundred million"),
            (u64::MAX, "eighteen quintillion four hundred forty-six quadrillion seven hundred forty-four trillion seventy-three billion seven hundred nine million five hundred fifty-one thousand six hundred fifteen"),
        ]);
        check(EN_GB, &[(105, "one hundred and five"), (1005, "one thousand and five"), (1250, "one thousand two hundred and fifty")]);
    }

    #[test]
    fn spanish() {
        check(Lang::Es, &[
            (0, "cero"), (1, "uno"), (15, "quince"), (16, "dieciséis"), (21, "veintiuno"), (22, "veintidós"),
            (31, "treinta y uno"), (100, "cien"), (101, "ciento uno"), (115, "ciento quince"), (200, "doscientos"),
            (500, "quinientos"), (999, "novecientos noventa y nueve"), (1000, "mil"), (1299, "mil doscientos noventa y nueve"),
            (2000, "dos mil"), (21_000, "veintiún mil"), (100_000, "cien mil"), (1_000_000, "un millón"),
            (2_500_000, "dos millones quinientos mil"), (21_000_000, "veintiún millones"),
            (1_000_000_000, "mil millones"), (1_000_000_000_000, "un billón"),
        ]);
        assert_eq!(Lang::Es.cardinal_before(21, Gender::Masculine), "veintiún");
        assert_eq!(Lang::Es.cardinal_before(1, Gender::Feminine), "una");
        assert_eq!(Lang::Es.cardinal_before(31, Gender::Feminine), "treinta y una");
        assert_eq!(Lang::Es.cardinal_before(200, Gender::Feminine), "doscientas");
        assert_eq!(Lang::Es.cardinal_before(201_000, Gender::Feminine), "doscientas un mil");
        assert_eq!(Lang::Es.cardinal_before(500_500, Gender::Feminine), "quinientas mil quinientas");
    }

    #[test]
    fn french() {
        check(FR, &[
            (0, "zéro"), (1, "un"), (17, "dix-sept"), (21, "vingt et un"), (22, "vingt-deux"), (71, "soixante et onze"),
            (72, "soixante-douze"), (80, "quatre-vingts"), (81, "quatre-vingt-un"), (90, "quatre-vingt-dix"),
            (99, "quatre-vingt-dix-neuf"), (100, "cent"), (101, "cent un"), (200, "deux cents"), (201, "deux cent un"),
            (1000, "mille"), (1299, "mille deux cent quatre-vingt-dix-neuf"), (80_000, "quatre-vingt mille"),
            (200_000, "deux cent mille"), (1_000_000, "un million"), (2_000_000, "deux millions"),
            (80_000_000, "quatre-vingts millions"), (1_000_000_000, "un milliard"),
        ]);
        check(Lang::Fr(FrNumbers::Belgium), &[(71, "septante et un"), (80, "quatre-vingts"), (92, "nonante-deux")]);
        check(Lang::Fr(FrNumbers::Switzerland), &[(81, "huitante et un"), (97, "nonante-sept")]);
        assert_eq!(FR.cardinal_before(21, Gender::Feminine), "vingt et une");
        assert_eq!(FR.cardinal_before(1, Gender::Feminine), "une");
        assert_eq!(FR.cardinal_before(81, Gender::Feminine), "quatre-vingt-une");
    }

    #[test]
    fn german() {
        check(Lang::De, &[
            (0, "null"), (1, "eins"), (12, "zwölf"), (17, "siebzehn"), (21, "einundzwanzig"), (30, "dreißig"),
            (99, "neunundneunzig"), (100, "einhundert"), (101, "einhunderteins"), (1000, "eintausend"),
            (1299, "eintausendzweihundertneunundneunzig"), (21_000, "einundzwanzigtausend"),
            (1_000_000, "eine Million"), (2_500_000, "zwei Millionen fünfhunderttausend"), (3_000_000_000, "drei Milliarden"),
        ]);
        assert_eq!(Lang::De.cardinal_before(1, Gender::Masculine), "ein");
        assert_eq!(Lang::De.cardinal_before(1, Gender::Feminine), "eine");
    }

    #[test]
    fn italian() {
        check(Lang::It, &[
            (0, "zero"), (1, "uno"), (17, "diciassette"), (21, "ventuno"), (23, "ventitré"), (28, "ventotto"),
            (100, "cento"), (180, "centottanta"), (200, "duecento"), (1000, "mille"), (2000, "duemila"),
            (21_000, "ventunmila"), (1299, "mille duecentonovantanove"), (1_000_000, "un milione"),
            (2_000_000, "due milioni"), (1_000_000_000, "un miliardo"),
        ]);
        assert_eq!(Lang::It.cardinal_before(1, Gender::Feminine), "una");
    }

    #[test]
    fn portuguese() {
        check(PT_BR, &[
            (0, "zero"), (14, "quatorze"), (16, "dezesseis"), (21, "vinte e um"), (100, "cem"), (101, "cento e um"),
            (200, "duzentos"), (1000, "mil"), (1001, "mil e um"), (1100, "mil e cem"), (1299, "mil duzentos e noventa e nove"),
            (2000, "dois mil"), (1_000_000, "um milhão"), (2_000_000, "dois milhões"), (1_000_000_000, "um bilhão"),
        ]);
        check(PT_PT, &[(16, "dezasseis"), (14, "catorze"), (1_000_000_000, "mil milhões"), (2_000_000_000, "dois mil milhões")]);
        assert_eq!(PT_BR.cardinal_before(2, Gender::Feminine), "duas");
        assert_eq!(PT_BR.cardinal_before(200, Gender::Feminine), "duzentas");
        assert_eq!(PT_BR.cardinal_before(2000, Gender::Feminine), "duas mil");
    }

    #[test]
    fn decimals_and_percents() {
        assert_eq!(EN_US.decimal(9, "5"), "nine point five");
        assert_eq!(EN_US.decimal(0, "75"), "zero point seven five");
        assert_eq!(Lang::Es.decimal(0, "75"), "cero coma setenta y cinco");
        assert_eq!(Lang::Es.decimal(1, "05"), "uno coma cero cinco");
        assert_eq!(FR.decimal(4, "7"), "quatre virgule sept");
        assert_eq!(Lang::De.decimal(0, "75"), "null Komma sieben fünf");
        assert_eq!(Lang::It.decimal(9, "5"), "nove virgola cinque");
        assert_eq!(PT_BR.decimal(2, "50"), "dois vírgula cinquenta");
        assert_eq!(EN_US.percent(40), "forty percent");
        assert_eq!(Lang::Es.percent(100), "cien por ciento");
        assert_eq!(FR.percent(80), "quatre-vingts pour cent");
        assert_eq!(Lang::De.percent(25), "fünfundzwanzig Prozent");
        assert_eq!(Lang::It.percent(21), "ventuno per cento");
        assert_eq!(PT_BR.percent(15), "quinze por cento");
        assert_eq!(Lang::Es.discount(30), "treinta por ciento de descuento");
        assert_eq!(PT_PT.discount(50), "cinquenta por cento de desconto");
        assert_eq!(EN_US.discount(40), "forty percent off");
        assert_eq!(FR.discount(40), "moins quarante pour cent");
        assert_eq!(EN_US.signed(-3), "minus three");
        assert_eq!(EN_US.ordinal(1).as_deref(), Some("first"));
        assert_eq!(EN_US.ordinal(23).as_deref(), Some("twenty-third"));
        assert_eq!(EN_US.ordinal(40).as_deref(), Some("fortieth"));
        assert_eq!(EN_US.ordinal(112).as_deref(), Some("one hundred twelfth"));
        assert_eq!(Lang::Es.ordinal(1), None);
    }

    #[test]
    fn locale_picks_regional_forms() {
        let l = |t: &str| Lang::for_locale(&Locale::parse(t).unwrap());
        assert_eq!(l("en-US"), Some(EN_US));
        assert_eq!(l("en-GB"), Some(EN_GB));
        assert_eq!(l("fr-BE"), Some(Lang::Fr(FrNumbers::Belgium)));
        assert_eq!(l("pt-PT"), Some(PT_PT));
        assert_eq!(l("pt"), Some(PT_BR));
        assert_eq!(l("zh-CN"), None);
    }
}
