//! The guard: every fact a line states must be backed by the catalog (or the show's own
//! settings) before it is spoken, and no line may make a claim advertising rules forbid.
//!
//! Facts are checked structurally ([`Fact`] parts of a [`Line`]); numbers that appear in free
//! text are checked too, against the numbers the product's own text contains, so "holds 9.5
//! cm pots" passes for a product whose description says so and "30-day returns" does not for
//! one whose catalog never mentions it.

use std::collections::HashSet;

use show::pack::BannedMatcher;
use show::{Catalog, Fact, Line, Money, Part, Product, SegmentKind};

/// Why a line was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Phrases refused in any market unless a rule set says otherwise: medical and cure claims,
/// absolute superlatives, guarantees and certifications a host cannot verify.
pub const DEFAULT_BANNED: &[&str] = &[
    "fda approved",
    "fda-approved",
    "clinically proven",
    "cures",
    "cure ",
    "heals",
    "treats ",
    "prevents disease",
    "guaranteed",
    "guarantee",
    "best in the world",
    "world's best",
    "number one in the world",
    "#1 in the world",
    "100% safe",
    "risk-free",
    "miracle",
    "certified organic",
    "doctor recommended",
];

/// What the guard may accept for one show.
pub struct Guard {
    banned: Vec<String>,
    /// The room's market rules, in its language (from its language pack).
    market: Option<(String, BannedMatcher)>,
    offer_minutes: u32,
    /// Product-name fidelity ([`check_names`]), with the show's and host's names allowed; on
    /// for the show's own script, off for translations (German capitalises every noun).
    names: Option<HashSet<String>>,
    /// Numbers the show's own settings state (its policies: "free shipping over $35").
    numbers: HashSet<String>,
}

impl Guard {
    pub fn new(offer_minutes: u32) -> Guard {
        Guard { banned: DEFAULT_BANNED.iter().map(|s| s.to_string()).collect(), market: None, offer_minutes, names: None, numbers: HashSet::new() }
    }

    /// Checks product names in lines of the show's own language; `show_title` and `host` may
    /// be said too.
    pub fn with_names(mut self, show_title: &str, host: &str) -> Guard {
        self.names = Some(name_words(&format!("{show_title} {host}")).into_iter().collect());
        self
    }

    /// Adds a market's banned phrases (matched whatever the case, accents or spacing).
    pub fn with_market(mut self, pack: &show::Pack) -> Guard {
        self.market = Some((pack.id.clone(), pack.banned()));
        self
    }

    pub fn with_banned(mut self, phrases: impl IntoIterator<Item = String>) -> Guard {
        self.banned.extend(phrases.into_iter().map(|p| p.to_lowercase()));
        self
    }

    /// Lets lines state the numbers of these texts (the show's policies), in any line.
    pub fn with_numbers_of<'a>(mut self, texts: impl IntoIterator<Item = &'a str>) -> Guard {
        for t in texts {
            self.numbers.extend(numbers_in(t));
        }
        self
    }

    /// Lets lines name what these texts name (the show's policies: "Apple Pay", "PayPal").
    pub fn with_names_of<'a>(mut self, texts: impl IntoIterator<Item = &'a str>) -> Guard {
        if let Some(names) = self.names.as_mut() {
            for t in texts {
                names.extend(name_words(t));
            }
        }
        self
    }

    /// [`Guard::check`] for a reply to a viewer, who may be named (`viewer`, already sanitised).
    pub fn check_reply(&self, line: &Line, catalog: &Catalog, viewer: Option<&str>) -> Result<(), Rejection> {
        self.check_with(line, catalog, None, viewer.map(name_words).unwrap_or_default())
    }

    /// Checks a line against the catalog. `Ok(())` means it may be spoken.
    pub fn check(&self, line: &Line, catalog: &Catalog) -> Result<(), Rejection> {
        self.check_in(line, catalog, None)
    }

    /// [`Guard::check`], knowing the product a transition leads to (a transition may name it).
    pub fn check_in(&self, line: &Line, catalog: &Catalog, next: Option<&Product>) -> Result<(), Rejection> {
        self.check_with(line, catalog, next, Vec::new())
    }

    fn check_with(&self, line: &Line, catalog: &Catalog, next: Option<&Product>, also_names: Vec<String>) -> Result<(), Rejection> {
        let product = line.product.as_deref().and_then(|id| catalog.product(id));
        let text: String = line
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(t) => Some(t.as_str()),
                Part::Fact(_) => None,
            })
            .collect::<Vec<_>>()
            .join(" ");
        let lower = format!(" {} ", text.to_lowercase());
        for phrase in &self.banned {
            if lower.contains(phrase.as_str()) {
                return Err(Rejection { reason: format!("banned claim \"{}\"", phrase.trim()) });
            }
        }
        if let Some((market, m)) = &self.market
            && let Some(b) = m.find(&text)
        {
            return Err(Rejection { reason: format!("banned in {market}: \"{b}\"") });
        }
        for fact in line.facts() {
            self.check_fact(fact, product, catalog)?;
        }
        if let Some(extra) = &self.names {
            if also_names.is_empty() {
                check_names(&text, line.kind, product, next, catalog, extra)?;
            } else {
                let mut extra = extra.clone();
                extra.extend(also_names);
                check_names(&text, line.kind, product, next, catalog, &extra)?;
            }
        }
        // Numbers of the product's own text, and of any product's name (transitions name the
        // next product).
        let mut allowed = product.map(text_numbers_of).unwrap_or_default();
        allowed.extend(self.numbers.iter().cloned());
        // The product's counts (stock, reviews, units sold) and rating, however a sentence
        // words them ("1,200 of them have been sold").
        if let Some(p) = product {
            allowed.extend(counts_of(p).into_iter().map(|n| n.to_string()));
            if let Some(r) = p.proof.rating {
                allowed.extend(numbers_in(&format!("{r:.1}")));
            }
        }
        for p in &catalog.products {
            allowed.extend(numbers_in(&p.title));
        }
        // A rating is said against its scale: "4.7 out of 5".
        if line.facts().any(|f| matches!(f, Fact::Rating(_))) {
            allowed.insert("5".to_string());
        }
        for n in numbers_in(&text) {
            if !allowed.contains(&n) {
                return Err(Rejection { reason: format!("the number {n} in the text is not in the catalog") });
            }
        }
        // A number the catalog only says of the model wearing the product ("Model is 178 cm")
        // is said of the model, not of the product ("The Merino Crew Sweater is 178 cm long").
        // In the catalog's own language only, as the names are: a translation says "modelo".
        // The product's fit notes are looked at only for a line that states a number.
        let numbers = numbers_in(&text);
        if let Some(p) = product
            && !numbers.is_empty()
            && self.names.is_some()
            && !crate::grounding::words(&lower).any(|w| w == "model" || w == "model's" || w == "models")
        {
            let model_only = model_numbers_of(p);
            if let Some(n) = numbers.into_iter().find(|n| model_only.contains(n)) {
                return Err(Rejection { reason: format!("{n} is the model's measurement in the catalog, not the product's: say it of the model") });
            }
        }
        Ok(())
    }

    fn check_fact(&self, fact: &Fact, product: Option<&Product>, catalog: &Catalog) -> Result<(), Rejection> {
        let no = |what: String| Err(Rejection { reason: what });
        match *fact {
            Fact::Price(m) => {
                let ok = match product {
                    Some(p) => p.amounts().contains(&m),
                    None => catalog.amounts().contains(&m),
                };
                if ok { Ok(()) } else { no(format!("price {m} is not a price or compare-at price of the product")) }
            }
            Fact::Percent(pct) => {
                let Some(p) = product else { return no(format!("{pct}% without a product")) };
                let ok = p.variants.iter().any(|v| v.compare_at.and_then(|c| v.price.discount_percent_from(&c)) == Some(pct));
                if ok { Ok(()) } else { no(format!("discount {pct}% is not what the catalog's prices give")) }
            }
            Fact::Count(n) => {
                let Some(p) = product else { return no(format!("count {n} without a product")) };
                if counts_of(p).contains(&n) { Ok(()) } else { no(format!("the count {n} is not in the catalog")) }
            }
            Fact::Minutes(m) => {
                if m == self.offer_minutes { Ok(()) } else { no(format!("{m} minutes is not the show's offer window ({})", self.offer_minutes)) }
            }
            Fact::Rating(r) => {
                let ok = product.and_then(|p| p.proof.rating).is_some_and(|x| (x * 10.0).round() as u32 == r);
                if ok { Ok(()) } else { no(format!("rating {}.{} is not the product's rating", r / 10, r % 10)) }
            }
        }
    }
}

/// Product-name fidelity: a line about the product on stage may name it (or a short form of
/// it) and, in a transition, the next product; a word that only another product's name has, or
/// a capitalised name that is no product's, refuses the line ("the Rose Hip Lotion" said while
/// the Vitamin C Brightening Lotion is on stage).
pub fn check_names(text: &str, kind: SegmentKind, product: Option<&Product>, next: Option<&Product>, catalog: &Catalog, extra: &HashSet<String>) -> Result<(), Rejection> {
    let Some(product) = product else { return Ok(()) };
    // A transition whose next product is not known here may name any product.
    let any_product = kind == SegmentKind::Transition && next.is_none();
    let words: Vec<String> = name_words(text);
    let own = product_words(product);
    let mut allowed = own;
    allowed.extend(extra.iter().cloned());
    if let Some(n) = next {
        allowed.extend(name_words(&n.title));
    }
    if any_product {
        for p in &catalog.products {
            allowed.extend(name_words(&p.title));
        }
    }
    for other in &catalog.products {
        if other.id == product.id || next.is_some_and(|n| n.id == other.id) || any_product {
            continue;
        }
        let short = crate::template::short_name(&other.title);
        let distinctive: Vec<String> = name_words(&short).into_iter().filter(|w| w.chars().count() >= 3 && !allowed.contains(w) && !crate::grounding::is_talk(w)).collect();
        if let Some(w) = distinctive.iter().find(|w| words.contains(w)) {
            return Err(Rejection { reason: format!("\"{w}\" names the {short}, not the {} on stage", crate::template::short_name(&product.title)) });
        }
    }
    // Capitalised runs inside the sentence ("the Glow Master Cream"): every word must belong to
    // an allowed name.
    let raw: Vec<&str> = text.split_whitespace().collect();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>| -> Result<(), Rejection> {
        if run.len() >= 2
            && let Some(w) = run.iter().find(|w| !allowed.contains(&w.to_lowercase()) && !NAME_OK.contains(&w.as_str()))
        {
            let name = run.join(" ");
            return Err(Rejection { reason: format!("\"{name}\" is not the name of the product on stage (\"{w}\" is not in it)") });
        }
        run.clear();
        Ok(())
    };
    for (i, w) in raw.iter().enumerate() {
        let clean = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        // "the Hydrating Serum's texture" names the serum.
        let clean: String = possessive_off(clean).to_string();
        let capital = clean.chars().next().is_some_and(|c| c.is_uppercase());
        // The sentence's first word is capitalised anyway.
        let sentence_start = i == 0 || raw[i - 1].ends_with(['.', '!', '?', ':']);
        if capital && !(sentence_start && crate::grounding::is_talk(&clean.to_lowercase())) {
            run.push(clean);
        } else {
            flush(&mut run)?;
        }
        if w.ends_with([',', '.', '!', '?', ':', ';']) {
            flush(&mut run)?;
        }
    }
    flush(&mut run)
}

/// Capitalised words that are no product name.
const NAME_OK: &[&str] = &["I", "I'm", "I'll", "I've", "I'd", "AI", "OK", "Okay", "Hi", "Hello", "Hey", "Live", "Shop", "USB-C", "USB"];

/// A word without its possessive ending ("Serum's", "Serum’s" → "Serum").
fn possessive_off(w: &str) -> &str {
    w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")).unwrap_or(w)
}

/// A text's words, lower case, for name matching.
fn name_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’'))
        .map(|w| possessive_off(w.trim_matches(['-', '\'', '’'])).to_lowercase())
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            // "Self-Watering" also matches "self" and "watering" said apart.
            let mut v = vec![w.clone()];
            if w.contains('-') {
                v.extend(w.split('-').filter(|p| !p.is_empty()).map(str::to_string));
            }
            v
        })
        .collect()
}

/// Words a line about `p` may use in a name: its title, text, options, tags and type.
fn product_words(p: &Product) -> HashSet<String> {
    let mut text = format!("{} {} {}", p.title, p.description, p.points.join(" "));
    for v in &p.variants {
        text.push(' ');
        text.push_str(&v.title);
        for (n, val) in &v.options {
            text.push_str(&format!(" {n} {val}"));
        }
    }
    for t in &p.tags {
        text.push(' ');
        text.push_str(t);
    }
    if let Some(t) = &p.product_type {
        text.push(' ');
        text.push_str(t);
    }
    name_words(&text).into_iter().collect()
}

/// Counts a host may cite for a product: stock, variant and option counts, reviews, units sold.
pub fn counts_of(p: &Product) -> HashSet<i64> {
    let mut out = HashSet::new();
    if let Some(s) = p.stock() {
        out.insert(s);
    }
    out.insert(p.variants.len() as i64);
    for v in &p.variants {
        if let Some(q) = v.inventory {
            out.insert(q);
        }
    }
    for name in option_names(p) {
        out.insert(p.option_values(&name).len() as i64);
    }
    if let Some(r) = p.proof.reviews {
        out.insert(i64::from(r));
    }
    if let Some(s) = p.proof.sold {
        out.insert(i64::from(s));
    }
    out
}

fn option_names(p: &Product) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for v in &p.variants {
        for (n, _) in &v.options {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// Numbers written in the product's own text (title, description, points, options).
pub fn text_numbers_of(p: &Product) -> HashSet<String> {
    numbers_in(&product_text(p)).into_iter().collect()
}

/// The product's own text (title, description, points, variants), one piece a line.
pub(crate) fn product_text(p: &Product) -> String {
    let mut text = format!("{}\n{}\n{}", p.title, p.description, p.points.join("\n"));
    for v in &p.variants {
        text.push('\n');
        text.push_str(&v.title);
    }
    text
}

/// Numbers the product's text gives only in fit notes about the model wearing it ("Model is
/// 178 cm and wears size M"), not anywhere else (a size 10 the variants sell stays the product's).
pub fn model_numbers_of(p: &Product) -> HashSet<String> {
    let (model, other) = fit_notes_and_the_rest(p);
    let elsewhere: HashSet<String> = other.iter().flat_map(|s| numbers_in(s)).collect();
    model.iter().flat_map(|s| numbers_in(s)).filter(|n| !elsewhere.contains(n)).collect()
}

/// The sentences and bullets of the product's text (title, description, points, variants):
/// the fit notes about the model wearing it, and the rest.
pub fn fit_notes_and_the_rest(p: &Product) -> (Vec<String>, Vec<String>) {
    // Not at a decimal point ("9.5 cm").
    product_text(p).split(['\n', ';', '•']).flat_map(|s| s.split(". ")).map(str::to_string).partition(|s| crate::points::about_the_model(s))
}

/// The numbers in a text, normalized (`1,299.00` → `1299`, `9.5` stays `9.5`).
pub fn numbers_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || ((chars[i] == '.' || chars[i] == ',') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()))) {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            out.push(normalize_number(&raw));
        } else {
            i += 1;
        }
    }
    out
}

fn normalize_number(raw: &str) -> String {
    // "1,299.00" → "1299"; "9,5" (decimal comma) → "9.5"; "14.90" → "14.9".
    let s = if raw.contains('.') && raw.contains(',') {
        raw.replace(',', "")
    } else if let Some((a, b)) = raw.split_once(',') {
        if b.len() == 3 && !b.contains(',') { format!("{a}{b}") } else { format!("{a}.{b}") }
    } else {
        raw.to_string()
    };
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    let s = s.trim_start_matches('0');
    if s.is_empty() || s.starts_with('.') { format!("0{s}") } else { s.to_string() }
}

/// Whether two amounts are the same money (used by callers comparing parsed prices).
pub fn same_amount(a: &Money, b: &Money) -> bool {
    a.currency == b.currency && a.minor == b.minor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalized() {
        assert_eq!(numbers_in("holds 9.5 cm, 1,299.00 or 14.90 and 007"), ["9.5", "1299", "14.9", "7"]);
        assert_eq!(numbers_in("100% cotton, 2-pack"), ["100", "2"]);
    }
}
