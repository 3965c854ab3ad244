//! Amounts of money as a host says them: "fourteen dollars and ninety cents", "catorce dólares
//! con noventa centavos", "quatorze euros quatre-vingt-dix".
//!
//! The currency's name depends on the market: a dollar is just "dollars" where it is the home
//! currency and "US dollars" elsewhere, mirroring the `$` / `US$` the subtitles show. Languages
//! without number words here get the digits in the market's writing followed by the currency's
//! name where it is known ("14.90 美元"), so espeak reads the number natively.

use show::locale::currency_symbol;
use show::{Currency, Locale, Money};

use super::words::{Gender, Lang};

/// A noun with its plural and gender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noun {
    pub singular: &'static str,
    pub plural: &'static str,
    pub gender: Gender,
}

impl Noun {
    const fn m(singular: &'static str, plural: &'static str) -> Noun {
        Noun { singular, plural, gender: Gender::Masculine }
    }
    const fn f(singular: &'static str, plural: &'static str) -> Noun {
        Noun { singular, plural, gender: Gender::Feminine }
    }
}

/// What a currency is called in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyName {
    /// The name where the currency is the market's own ("dollars" in the US).
    pub home: Noun,
    /// The name elsewhere ("US dollars" in the UK).
    pub abroad: Noun,
    /// The minor unit; `None` for currencies without one (yen).
    pub minor: Option<Noun>,
}

const fn name(home: Noun, abroad: Noun, minor: Option<Noun>) -> CurrencyName {
    CurrencyName { home, abroad, minor }
}

const fn same(n: Noun, minor: Option<Noun>) -> CurrencyName {
    CurrencyName { home: n, abroad: n, minor }
}

type M = Noun;

/// The currencies named in full, per language. Others are read as their digits and code.
const NAMES: &[(&str, &str, CurrencyName)] = &[
    ("USD", "en", name(M::m("dollar", "dollars"), M::m("US dollar", "US dollars"), Some(M::m("cent", "cents")))),
    ("USD", "es", name(M::m("dólar", "dólares"), M::m("dólar estadounidense", "dólares estadounidenses"), Some(M::m("centavo", "centavos")))),
    ("USD", "fr", name(M::m("dollar", "dollars"), M::m("dollar américain", "dollars américains"), Some(M::m("cent", "cents")))),
    ("USD", "de", name(M::m("Dollar", "Dollar"), M::m("US-Dollar", "US-Dollar"), Some(M::m("Cent", "Cent")))),
    ("USD", "it", name(M::m("dollaro", "dollari"), M::m("dollaro statunitense", "dollari statunitensi"), Some(M::m("centesimo", "centesimi")))),
    ("USD", "pt", name(M::m("dólar", "dólares"), M::m("dólar americano", "dólares americanos"), Some(M::m("centavo", "centavos")))),
    ("EUR", "en", same(M::m("euro", "euros"), Some(M::m("cent", "cents")))),
    ("EUR", "es", same(M::m("euro", "euros"), Some(M::m("céntimo", "céntimos")))),
    ("EUR", "fr", same(M::m("euro", "euros"), Some(M::m("centime", "centimes")))),
    ("EUR", "de", same(M::m("Euro", "Euro"), Some(M::m("Cent", "Cent")))),
    ("EUR", "it", same(M::m("euro", "euro"), Some(M::m("centesimo", "centesimi")))),
    ("EUR", "pt", same(M::m("euro", "euros"), Some(M::m("cêntimo", "cêntimos")))),
    ("GBP", "en", same(M::m("pound", "pounds"), Some(M::m("penny", "pence")))),
    ("GBP", "es", same(M::f("libra", "libras"), Some(M::m("penique", "peniques")))),
    ("GBP", "fr", same(M::f("livre", "livres"), Some(M::m("penny", "pence")))),
    ("GBP", "de", same(M::m("Pfund", "Pfund"), Some(M::m("Penny", "Pence")))),
    ("GBP", "it", same(M::f("sterlina", "sterline"), Some(M::m("penny", "pence")))),
    ("GBP", "pt", same(M::f("libra", "libras"), Some(M::m("pêni", "pence")))),
    ("MXN", "en", name(M::m("peso", "pesos"), M::m("Mexican peso", "Mexican pesos"), Some(M::m("centavo", "centavos")))),
    ("MXN", "es", name(M::m("peso", "pesos"), M::m("peso mexicano", "pesos mexicanos"), Some(M::m("centavo", "centavos")))),
    ("MXN", "fr", same(M::m("peso mexicain", "pesos mexicains"), Some(M::m("centavo", "centavos")))),
    ("MXN", "de", same(M::m("mexikanischer Peso", "mexikanische Pesos"), Some(M::m("Centavo", "Centavos")))),
    ("MXN", "it", same(M::m("peso messicano", "pesos messicani"), Some(M::m("centavo", "centavos")))),
    ("MXN", "pt", same(M::m("peso mexicano", "pesos mexicanos"), Some(M::m("centavo", "centavos")))),
    ("BRL", "en", same(M::m("real", "reais"), Some(M::m("centavo", "centavos")))),
    ("BRL", "es", same(M::m("real", "reales"), Some(M::m("centavo", "centavos")))),
    ("BRL", "fr", same(M::m("real", "reais"), Some(M::m("centavo", "centavos")))),
    ("BRL", "de", same(M::m("Real", "Reais"), Some(M::m("Centavo", "Centavos")))),
    ("BRL", "it", same(M::m("real", "reais"), Some(M::m("centavo", "centavos")))),
    ("BRL", "pt", same(M::m("real", "reais"), Some(M::m("centavo", "centavos")))),
    ("JPY", "en", same(M::m("yen", "yen"), None)),
    ("JPY", "es", same(M::m("yen", "yenes"), None)),
    ("JPY", "fr", same(M::m("yen", "yens"), None)),
    ("JPY", "de", same(M::m("Yen", "Yen"), None)),
    ("JPY", "it", same(M::m("yen", "yen"), None)),
    ("JPY", "pt", same(M::m("iene", "ienes"), None)),
    ("CNY", "en", same(M::m("yuan", "yuan"), Some(M::m("fen", "fen")))),
    ("CNY", "es", same(M::m("yuan", "yuanes"), Some(M::m("fen", "fen")))),
    ("CNY", "fr", same(M::m("yuan", "yuans"), Some(M::m("fen", "fen")))),
    ("CNY", "de", same(M::m("Yuan", "Yuan"), Some(M::m("Fen", "Fen")))),
    ("CNY", "it", same(M::m("yuan", "yuan"), Some(M::m("fen", "fen")))),
    ("CNY", "pt", same(M::m("yuan", "yuans"), Some(M::m("fen", "fen")))),
    ("CAD", "en", name(M::m("dollar", "dollars"), M::m("Canadian dollar", "Canadian dollars"), Some(M::m("cent", "cents")))),
    ("CAD", "es", same(M::m("dólar canadiense", "dólares canadienses"), Some(M::m("centavo", "centavos")))),
    ("CAD", "fr", name(M::m("dollar", "dollars"), M::m("dollar canadien", "dollars canadiens"), Some(M::m("cent", "cents")))),
    ("CAD", "de", same(M::m("kanadischer Dollar", "kanadische Dollar"), Some(M::m("Cent", "Cent")))),
    ("CAD", "it", same(M::m("dollaro canadese", "dollari canadesi"), Some(M::m("centesimo", "centesimi")))),
    ("CAD", "pt", same(M::m("dólar canadense", "dólares canadenses"), Some(M::m("centavo", "centavos")))),
    ("AUD", "en", name(M::m("dollar", "dollars"), M::m("Australian dollar", "Australian dollars"), Some(M::m("cent", "cents")))),
    ("AUD", "es", same(M::m("dólar australiano", "dólares australianos"), Some(M::m("centavo", "centavos")))),
    ("AUD", "fr", same(M::m("dollar australien", "dollars australiens"), Some(M::m("cent", "cents")))),
    ("AUD", "de", same(M::m("australischer Dollar", "australische Dollar"), Some(M::m("Cent", "Cent")))),
    ("AUD", "it", same(M::m("dollaro australiano", "dollari australiani"), Some(M::m("centesimo", "centesimi")))),
    ("AUD", "pt", same(M::m("dólar australiano", "dólares australianos"), Some(M::m("centavo", "centavos")))),
    ("CHF", "en", same(M::m("Swiss franc", "Swiss francs"), Some(M::m("centime", "centimes")))),
    ("CHF", "es", same(M::m("franco suizo", "francos suizos"), Some(M::m("céntimo", "céntimos")))),
    ("CHF", "fr", name(M::m("franc", "francs"), M::m("franc suisse", "francs suisses"), Some(M::m("centime", "centimes")))),
    ("CHF", "de", name(M::m("Franken", "Franken"), M::m("Schweizer Franken", "Schweizer Franken"), Some(M::m("Rappen", "Rappen")))),
    ("CHF", "it", name(M::m("franco", "franchi"), M::m("franco svizzero", "franchi svizzeri"), Some(M::m("centesimo", "centesimi")))),
    ("CHF", "pt", same(M::m("franco suíço", "francos suíços"), Some(M::m("cêntimo", "cêntimos")))),
    ("INR", "en", same(M::m("rupee", "rupees"), Some(M::m("paisa", "paise")))),
    ("INR", "es", same(M::f("rupia", "rupias"), Some(M::m("paisa", "paisas")))),
    ("INR", "fr", same(M::f("roupie", "roupies"), Some(M::m("paisa", "paisas")))),
    ("INR", "de", same(M::f("Rupie", "Rupien"), Some(M::m("Paisa", "Paise")))),
    ("INR", "it", same(M::f("rupia", "rupie"), Some(M::m("paisa", "paise")))),
    ("INR", "pt", same(M::f("rupia", "rupias"), Some(M::m("paisa", "paisas")))),
    ("ARS", "en", same(M::m("Argentine peso", "Argentine pesos"), Some(M::m("centavo", "centavos")))),
    ("ARS", "es", name(M::m("peso", "pesos"), M::m("peso argentino", "pesos argentinos"), Some(M::m("centavo", "centavos")))),
    ("ARS", "pt", same(M::m("peso argentino", "pesos argentinos"), Some(M::m("centavo", "centavos")))),
    ("COP", "en", same(M::m("Colombian peso", "Colombian pesos"), Some(M::m("centavo", "centavos")))),
    ("COP", "es", name(M::m("peso", "pesos"), M::m("peso colombiano", "pesos colombianos"), Some(M::m("centavo", "centavos")))),
    ("CLP", "en", same(M::m("Chilean peso", "Chilean pesos"), None)),
    ("CLP", "es", name(M::m("peso", "pesos"), M::m("peso chileno", "pesos chilenos"), None)),
];

/// Currency names for languages whose numbers espeak reads itself.
const OTHER_NAMES: &[(&str, &str, &str)] = &[
    ("zh", "USD", "美元"), ("zh", "EUR", "欧元"), ("zh", "GBP", "英镑"), ("zh", "JPY", "日元"), ("zh", "CNY", "元"),
    ("zh", "HKD", "港元"), ("zh", "TWD", "新台币"), ("zh", "KRW", "韩元"), ("zh", "CAD", "加元"), ("zh", "AUD", "澳元"),
    ("zh", "SGD", "新加坡元"), ("zh", "CHF", "瑞士法郎"), ("zh", "MXN", "墨西哥比索"), ("zh", "BRL", "巴西雷亚尔"),
    ("zh", "INR", "印度卢比"), ("zh", "THB", "泰铢"), ("zh", "MYR", "林吉特"), ("zh", "IDR", "印尼盾"), ("zh", "VND", "越南盾"),
    // espeak's Japanese reads kana, not kanji: 円 becomes えん.
    ("ja", "USD", "ドル"), ("ja", "EUR", "ユーロ"), ("ja", "GBP", "ポンド"), ("ja", "JPY", "えん"), ("ja", "CNY", "げん"),
    ("ja", "KRW", "ウォン"),
    ("ko", "USD", "달러"), ("ko", "EUR", "유로"), ("ko", "GBP", "파운드"), ("ko", "JPY", "엔"), ("ko", "CNY", "위안"),
    ("ko", "KRW", "원"),
    ("id", "USD", "dolar"), ("id", "EUR", "euro"), ("id", "GBP", "pound sterling"), ("id", "JPY", "yen"),
    ("id", "IDR", "rupiah"), ("id", "SGD", "dolar Singapura"), ("id", "MYR", "ringgit"),
    ("ms", "USD", "dolar"), ("ms", "EUR", "euro"), ("ms", "MYR", "ringgit"), ("ms", "SGD", "dolar Singapura"),
    ("ms", "IDR", "rupiah"),
    ("vi", "USD", "đô la"), ("vi", "EUR", "euro"), ("vi", "VND", "đồng"), ("vi", "JPY", "yên"),
    ("th", "USD", "ดอลลาร์"), ("th", "EUR", "ยูโร"), ("th", "THB", "บาท"), ("th", "JPY", "เยน"),
];

/// The currency a region pays in, so "dollars" can go without "US" at home.
fn region_currency(region: &str) -> Option<&'static str> {
    Some(match region {
        "US" | "EC" | "SV" | "PR" => "USD",
        "MX" => "MXN",
        "CA" => "CAD",
        "AU" => "AUD",
        "CH" | "LI" => "CHF",
        "BR" => "BRL",
        "GB" => "GBP",
        "JP" => "JPY",
        "CN" => "CNY",
        "IN" => "INR",
        "AR" => "ARS",
        "CO" => "COP",
        "CL" => "CLP",
        _ => return None,
    })
}

fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::En { .. } => "en",
        Lang::Es => "es",
        Lang::Fr(_) => "fr",
        Lang::De => "de",
        Lang::It => "it",
        Lang::Pt { .. } => "pt",
    }
}

/// The name of `currency` in the locale's language, if this crate knows it.
pub fn currency_name(currency: Currency, locale: &Locale) -> Option<CurrencyName> {
    let lang = Lang::for_locale(locale)?;
    let key = lang_key(lang);
    NAMES.iter().find(|(c, l, _)| *c == currency.code() && *l == key).map(|(_, _, n)| *n)
}

/// Every currency named in English, with its code.
pub(crate) fn english_names() -> Vec<(&'static str, CurrencyName)> {
    NAMES.iter().filter(|(_, l, _)| *l == "en").map(|(c, _, n)| (*c, *n)).collect()
}

/// The currency's noun for the market: "dollars" at home, "US dollars" abroad.
pub(crate) fn currency_noun(currency: Currency, locale: &Locale) -> Option<Noun> {
    let name = currency_name(currency, locale)?;
    Some(if is_home(currency, locale) { name.home } else { name.abroad })
}

/// Whether the market counts in this currency (the name drops its "US", "Mexican").
fn is_home(currency: Currency, locale: &Locale) -> bool {
    let region = locale.region().or(match locale.language() {
        "en" => Some("US"),
        "pt" => Some("BR"),
        _ => None,
    });
    region.and_then(region_currency) == Some(currency.code())
}

/// An amount of money in words for the locale: "fourteen dollars and ninety cents".
///
/// For languages without number words here, the digits stay as the market writes them and
/// the currency's name follows where known ("14.90 美元"); otherwise the market's own writing
/// (symbol included) is left for espeak.
pub fn money_words(money: &Money, locale: &Locale) -> String {
    let Some(lang) = Lang::for_locale(locale) else {
        return other_language_money(money, locale);
    };
    let Some(names) = currency_name(money.currency, locale) else {
        // An unnamed currency: the amount, then its code letter by letter.
        let code: Vec<String> = money.currency.code().chars().map(String::from).collect();
        let amount = if money.currency.exponent == 0 {
            lang.cardinal(money.major().unsigned_abs())
        } else {
            let exp = usize::from(money.currency.exponent);
            lang.decimal(money.major().unsigned_abs(), &format!("{:0exp$}", money.cents()))
        };
        let sign = if money.minor < 0 { format!("{} ", lang.minus()) } else { String::new() };
        return format!("{sign}{amount} {}", code.join(" "));
    };
    let noun = if is_home(money.currency, locale) { names.home } else { names.abroad };
    let major = money.major().unsigned_abs();
    let cents = u64::try_from(money.cents()).unwrap_or(0);
    let mut out = String::new();
    if money.minor < 0 {
        out.push_str(lang.minus());
        out.push(' ');
    }
    let minor = names.minor.filter(|_| cents > 0);
    if major > 0 || minor.is_none() {
        out.push_str(&count_noun(lang, major, noun));
    }
    if let Some(minor) = minor {
        let minor_words = count_noun(lang, cents, minor);
        if major == 0 {
            out.push_str(&minor_words);
        } else {
            match lang {
                // "quatorze euros quatre-vingt-dix", "vierzehn Euro neunzig": the cents
                // are said bare, unless so few that they could be taken for tens.
                Lang::Fr(_) | Lang::De if cents >= 10 => {
                    out.push(' ');
                    out.push_str(&lang.cardinal(cents));
                }
                _ => {
                    out.push(' ');
                    out.push_str(lang.cents_joiner());
                    out.push(' ');
                    out.push_str(&minor_words);
                }
            }
        }
    }
    out
}

/// "twenty-one dollars", "veintiún dólares", "un euro", "dos millones de dólares".
fn count_noun(lang: Lang, n: u64, noun: Noun) -> String {
    let plural = match lang {
        // French: "zéro euro", "un euro", "deux euros".
        Lang::Fr(_) => n >= 2,
        _ => n != 1,
    };
    let word = if plural { noun.plural } else { noun.singular };
    let number = lang.cardinal_before(n, noun.gender);
    if n >= 1_000_000
        && n.is_multiple_of(1_000_000)
        && let Some(of) = lang.millions_of(word)
    {
        return format!("{number} {of}");
    }
    format!("{number} {word}")
}

/// Digits for espeak, then the currency's name when known, else the market's symbol.
///
/// The digits go ungrouped with the market's decimal separator: espeak reads "2140" right in
/// every language but takes Russian "2 140" for two numbers.
fn other_language_money(money: &Money, locale: &Locale) -> String {
    let lang = match locale.language() {
        "cmn" | "yue" => "zh",
        l => l,
    };
    let sign = if money.minor < 0 { "-" } else { "" };
    let mut digits = money.major().unsigned_abs().to_string();
    if money.currency.exponent > 0 && money.cents() != 0 {
        let exp = usize::from(money.currency.exponent);
        digits.push(locale.decimal_separator());
        digits.push_str(&format!("{:0exp$}", money.cents()));
    }
    match OTHER_NAMES.iter().find(|(l, c, _)| *l == lang && *c == money.currency.code()) {
        Some((_, _, name)) if matches!(lang, "zh" | "ja") => format!("{sign}{digits}{name}"),
        Some((_, _, name)) => format!("{sign}{digits} {name}"),
        None => format!("{sign}{digits} {}", currency_symbol(money.currency, locale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(amount: &str, code: &str, locale: &str) -> String {
        let c = Currency::from_code(code).unwrap();
        money_words(&Money::parse(amount, c).unwrap(), &Locale::parse(locale).unwrap())
    }

    #[test]
    fn english_prices() {
        assert_eq!(say("14.90", "USD", "en-US"), "fourteen dollars and ninety cents");
        assert_eq!(say("1.00", "USD", "en-US"), "one dollar");
        assert_eq!(say("0.99", "USD", "en-US"), "ninety-nine cents");
        assert_eq!(say("0.01", "USD", "en-US"), "one cent");
        assert_eq!(say("1,299.00", "USD", "en-US"), "one thousand two hundred ninety-nine dollars");
        assert_eq!(say("14.90", "USD", "en-GB"), "fourteen US dollars and ninety cents");
        assert_eq!(say("2.05", "GBP", "en-GB"), "two pounds and five pence");
        assert_eq!(say("3.01", "GBP", "en-GB"), "three pounds and one penny");
        assert_eq!(say("1490", "JPY", "en-US"), "one thousand four hundred ninety yen");
        assert_eq!(say("20.00", "CAD", "en-CA"), "twenty dollars");
        assert_eq!(say("20.00", "CAD", "en-US"), "twenty Canadian dollars");
        assert_eq!(say("-5.00", "EUR", "en-US"), "minus five euros");
        assert_eq!(say("12.50", "SEK", "en-US"), "twelve point five zero S E K");
    }

    #[test]
    fn spanish_prices() {
        assert_eq!(say("14.90", "USD", "es-US"), "catorce dólares con noventa centavos");
        assert_eq!(say("14.90", "USD", "es-MX"), "catorce dólares estadounidenses con noventa centavos");
        assert_eq!(say("21.00", "MXN", "es-MX"), "veintiún pesos");
        assert_eq!(say("1.50", "EUR", "es-ES"), "un euro con cincuenta céntimos");
        assert_eq!(say("201.00", "GBP", "es-ES"), "doscientas una libras");
        assert_eq!(say("2000000.00", "USD", "es-US"), "dos millones de dólares");
        assert_eq!(say("1000000.00", "EUR", "es-ES"), "un millón de euros");
    }

    #[test]
    fn french_german_italian_portuguese_prices() {
        assert_eq!(say("14.90", "EUR", "fr-FR"), "quatorze euros quatre-vingt-dix");
        assert_eq!(say("1.05", "EUR", "fr-FR"), "un euro et cinq centimes");
        assert_eq!(say("0.50", "EUR", "fr-FR"), "cinquante centimes");
        assert_eq!(say("0.00", "EUR", "fr-FR"), "zéro euro");
        assert_eq!(say("21.00", "GBP", "fr-FR"), "vingt et une livres");
        assert_eq!(say("2000000.00", "EUR", "fr-FR"), "deux millions d'euros");
        assert_eq!(say("14.90", "EUR", "de-DE"), "vierzehn Euro neunzig");
        assert_eq!(say("1.00", "EUR", "de-DE"), "ein Euro");
        assert_eq!(say("3.05", "EUR", "de-DE"), "drei Euro und fünf Cent");
        assert_eq!(say("14.90", "CHF", "de-CH"), "vierzehn Franken neunzig");
        assert_eq!(say("14.90", "EUR", "it-IT"), "quattordici euro e novanta centesimi");
        assert_eq!(say("1.00", "EUR", "it-IT"), "un euro");
        assert_eq!(say("14.90", "BRL", "pt-BR"), "quatorze reais e noventa centavos");
        assert_eq!(say("1.01", "BRL", "pt-BR"), "um real e um centavo");
        assert_eq!(say("2.00", "GBP", "pt-PT"), "duas libras");
    }

    #[test]
    fn other_languages_keep_digits_and_name_the_currency() {
        assert_eq!(say("14.90", "USD", "zh-CN"), "14.90美元");
        assert_eq!(say("99.00", "CNY", "zh-CN"), "99元");
        assert_eq!(say("149000", "IDR", "id-ID"), "149000 rupiah");
        assert_eq!(say("1490", "JPY", "ja-JP"), "1490えん");
        // Unknown to the table: the market's symbol, for espeak; digits ungrouped.
        assert_eq!(say("2140.50", "USD", "ru-RU"), "2140,50 US$");
    }
}
