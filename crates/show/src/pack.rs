//! Language packs: everything that makes a room speak to one market — its locale, voices,
//! translator, glossary, number writing, advertising rules, AI disclosure and native template
//! banks — in one folder with a `pack.toml`, swappable while a show runs.
//!
//! Parsing only: the built-in set and folder overrides are assembled by the director; the
//! stages read what concerns them (the voice its `voices`, the translator its `glossary`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{SourceError, SourceErrors, line_col};
use crate::locale::Locale;
use crate::money::Currency;

/// Slots a native template may use. Catalog text (`{clause}`, `{np}`, `{usage}`, `{fit}`, `{options}`) is in the seller's
/// language, so native banks cannot quote it.
pub const NATIVE_SLOTS: &[&str] = &["host", "show", "name", "next", "price", "was", "pct", "stock", "minutes", "rating", "reviews", "sold", "adj", "Adj"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceEngine {
    Espeak,
    Kokoro,
    Piper,
}

impl VoiceEngine {
    pub fn name(self) -> &'static str {
        match self {
            VoiceEngine::Espeak => "espeak",
            VoiceEngine::Kokoro => "kokoro",
            VoiceEngine::Piper => "piper",
        }
    }
}

/// One voice a pack may speak with; the first installed one wins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackVoice {
    pub engine: VoiceEngine,
    pub voice: String,
    #[serde(default = "one")]
    pub speed: f32,
    /// espeak pitch, 0 … 100.
    #[serde(default)]
    pub pitch: Option<u8>,
}

fn one() -> f32 {
    1.0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The installed multilingual LLM, prompted to translate with terms locked.
    Llm,
    /// Apertium, rule-based (Debian packages), for the pairs it has.
    Apertium,
}

impl EngineKind {
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Llm => "llm",
            EngineKind::Apertium => "apertium",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatorSpec {
    /// Engines in the order they are tried; the pack's native templates are the last resort.
    #[serde(default)]
    pub engines: Vec<EngineKind>,
    /// The LLM's model name (`evercast models list`) or a GGUF path.
    pub model: Option<String>,
    /// Apertium's language pair (`eng-spa`).
    pub apertium_pair: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Glossary {
    /// Terms never translated.
    #[serde(default)]
    pub keep: Vec<String>,
    /// Fixed translations: source phrase → the market's phrase.
    #[serde(default)]
    pub terms: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurrencyPlacement {
    Prefix,
    PrefixSpace,
    SuffixSpace,
}

/// How the market writes numbers. Checked against the locale's formatting when the pack loads,
/// so what a pack says is what the screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbers {
    pub decimal: String,
    pub group: String,
    pub currency: CurrencyPlacement,
    pub percent_space: bool,
    pub date: String,
    pub units: String,
    pub default_currency: String,
}

/// The market's advertising rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketRules {
    /// Whether a synthetic voice may speak in this market (TikTok Shop US: no).
    pub ai_voice_allowed: bool,
    /// Banned claims and phrases, in the market's language.
    #[serde(default)]
    pub banned: Vec<String>,
    /// Harmless phrases that contain a banned string (Chinese 最近 contains 最).
    #[serde(default)]
    pub allowed: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// The on-screen AI label.
    pub label: String,
    /// What the host says to introduce itself as an AI (slots `{host}`, `{show}`).
    pub spoken: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjectives {
    pub warm: Vec<String>,
    pub upbeat: Vec<String>,
    pub calm: Vec<String>,
    pub luxury: Vec<String>,
}

/// Phrase banks of a template writer, one list per kind of sentence. The built-in English
/// banks and every pack's native banks have this shape.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBank {
    pub show_open: Vec<String>,
    /// Filled from `[disclosure] spoken` for packs.
    #[serde(default)]
    pub disclosure: Vec<String>,
    pub hook: Vec<String>,
    pub pitch: Vec<String>,
    /// Quotes catalog option names: English banks only.
    #[serde(default)]
    pub options: Vec<String>,
    /// Quotes catalog usage instructions: English banks only.
    #[serde(default)]
    pub usage: Vec<String>,
    /// Quotes the catalog's fit notes about the model wearing the product: English banks only.
    #[serde(default)]
    pub fit: Vec<String>,
    pub social_proof_rating: Vec<String>,
    pub social_proof_sold: Vec<String>,
    pub social_proof_soft: Vec<String>,
    pub price: Vec<String>,
    pub price_from: Vec<String>,
    pub discount: Vec<String>,
    pub offer_start: Vec<String>,
    pub offer_running: Vec<String>,
    pub stock: Vec<String>,
    pub cta: Vec<String>,
    pub transition: Vec<String>,
    pub filler: Vec<String>,
    pub openers: Vec<String>,
    pub adjectives: Adjectives,
}

impl TemplateBank {
    /// Every list with its key, for validation and listing.
    pub fn lists(&self) -> Vec<(&'static str, &Vec<String>)> {
        vec![
            ("show_open", &self.show_open),
            ("disclosure", &self.disclosure),
            ("hook", &self.hook),
            ("pitch", &self.pitch),
            ("options", &self.options),
            ("usage", &self.usage),
            ("fit", &self.fit),
            ("social_proof_rating", &self.social_proof_rating),
            ("social_proof_sold", &self.social_proof_sold),
            ("social_proof_soft", &self.social_proof_soft),
            ("price", &self.price),
            ("price_from", &self.price_from),
            ("discount", &self.discount),
            ("offer_start", &self.offer_start),
            ("offer_running", &self.offer_running),
            ("stock", &self.stock),
            ("cta", &self.cta),
            ("transition", &self.transition),
            ("filler", &self.filler),
            ("openers", &self.openers),
            ("adjectives.warm", &self.adjectives.warm),
            ("adjectives.upbeat", &self.adjectives.upbeat),
            ("adjectives.calm", &self.adjectives.calm),
            ("adjectives.luxury", &self.adjectives.luxury),
        ]
    }
}

/// A loaded language pack.
#[derive(Clone, Debug, PartialEq)]
pub struct Pack {
    pub id: String,
    pub locale: Locale,
    /// The language's name for itself (`Español (México)`).
    pub name: String,
    /// Its English name, for prompts (`Mexican Spanish`).
    pub language_name: String,
    pub direction: Direction,
    pub subtitle_font: String,
    pub voices: Vec<PackVoice>,
    pub translator: TranslatorSpec,
    pub glossary: Glossary,
    pub numbers: Numbers,
    pub rules: MarketRules,
    pub disclosure: Disclosure,
    /// Native banks; `None` for packs in the show writer's own language (English).
    pub templates: Option<TemplateBank>,
    /// Where it came from: `built-in` or a file path.
    pub origin: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawHeader,
    voices: Vec<PackVoice>,
    #[serde(default)]
    translator: TranslatorSpec,
    #[serde(default)]
    glossary: Glossary,
    numbers: Numbers,
    rules: MarketRules,
    disclosure: Disclosure,
    templates: Option<TemplateBank>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    locale: String,
    name: String,
    language_name: String,
    direction: Direction,
    subtitle_font: String,
}

impl Pack {
    /// Parses and validates a `pack.toml`. `path` is used in errors; `origin` says where the
    /// pack came from.
    pub fn parse(path: &Path, text: &str, origin: &str) -> Result<Pack, SourceErrors> {
        let raw: RawPack = toml::from_str(text).map_err(|e| {
            let mut err = SourceError::new(path, e.message().trim().to_string());
            if let Some(span) = e.span() {
                let (l, c) = line_col(text, span.start);
                err = err.at(l, c);
            }
            SourceErrors(vec![err])
        })?;
        let mut errors = Vec::new();
        // Points at the first place `needle` is written in the file, else at the key.
        let at = |needle: &str, field: &str, msg: String| -> SourceError {
            let mut e = SourceError::new(path, msg).field(field.to_string());
            let pos = text.find(needle).or_else(|| text.find(&format!("\"{needle}\"")));
            if let Some(p) = pos.filter(|_| !needle.is_empty()) {
                let (l, c) = line_col(text, p);
                e = e.at(l, c);
            }
            e
        };
        // Points at the line where `key = …` is written.
        let at_key = |key: &str, field: &str, msg: String| -> SourceError {
            let mut e = SourceError::new(path, msg).field(field.to_string());
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let t = line.trim_start();
                if t.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')) {
                    let (l, c) = line_col(text, offset + (line.len() - t.len()));
                    e = e.at(l, c);
                    break;
                }
                offset += line.len();
            }
            e
        };
        let h = &raw.pack;
        let locale = match Locale::parse(&h.locale) {
            Ok(l) => l,
            Err(m) => {
                errors.push(at_key("locale", "pack.locale", m));
                Locale::parse("en-US").expect("valid tag")
            }
        };
        if h.id.trim().is_empty() || !h.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            errors.push(at_key("id", "pack.id", format!("`{}` is not a pack id: use letters, digits, `-` and `_`", h.id)));
        }
        if let Some(folder) = path.parent().and_then(|p| p.file_name()).and_then(|f| f.to_str())
            && path.file_name().is_some_and(|f| f == "pack.toml")
            && folder != h.id
        {
            errors.push(at_key("id", "pack.id", format!("the pack's id `{}` differs from its folder `{folder}`", h.id)));
        }
        if (h.direction == Direction::Rtl) != locale.is_rtl() {
            errors.push(at_key("direction", "pack.direction", format!("{} is written {}", locale, if locale.is_rtl() { "right to left (rtl)" } else { "left to right (ltr)" })));
        }
        if raw.voices.is_empty() {
            errors.push(at("[[voices]]", "voices", "a pack needs at least one voice (an espeak-ng voice as the last one)".into()));
        }
        for v in &raw.voices {
            if !(0.5..=2.0).contains(&v.speed) {
                errors.push(at(&v.voice, "voices.speed", format!("speed {} of `{}` is outside 0.5 … 2.0", v.speed, v.voice)));
            }
            if v.pitch.is_some_and(|p| p > 100) {
                errors.push(at(&v.voice, "voices.pitch", format!("pitch of `{}` is outside 0 … 100", v.voice)));
            }
        }
        if !raw.voices.iter().any(|v| v.engine == VoiceEngine::Espeak) {
            errors.push(at("[[voices]]", "voices", "add an espeak voice as the last one: it is the fallback when no neural voice is installed".into()));
        }
        if raw.translator.engines.contains(&EngineKind::Apertium) && raw.translator.apertium_pair.is_none() {
            errors.push(at_key("engines", "translator.apertium_pair", "the apertium engine needs `apertium_pair` (such as \"eng-spa\")".into()));
        }
        check_numbers(&raw.numbers, &locale, &at_key, &mut errors);
        if raw.disclosure.label.trim().is_empty() {
            errors.push(at_key("label", "disclosure.label", "the AI label must not be empty".into()));
        }
        if raw.disclosure.spoken.is_empty() {
            errors.push(at_key("spoken", "disclosure.spoken", "a pack needs at least one spoken AI disclosure".into()));
        }
        for s in &raw.disclosure.spoken {
            check_slots(s, &["host", "show"], "disclosure.spoken", &at, &mut errors);
        }
        let banned = BannedMatcher::new(&raw.rules);
        let mut templates = raw.templates;
        match &mut templates {
            Some(t) => {
                t.disclosure = raw.disclosure.spoken.clone();
                for (key, list) in t.lists() {
                    if list.is_empty() && !matches!(key, "options" | "usage" | "fit") {
                        errors.push(at("[templates]", &format!("templates.{key}"), format!("the native bank `{key}` is empty")));
                    }
                    if matches!(key, "options" | "usage" | "fit") && !list.is_empty() {
                        errors.push(at(&list[0], &format!("templates.{key}"), format!("native banks cannot quote catalog text: leave `{key}` out")));
                    }
                    for s in list {
                        check_slots(s, NATIVE_SLOTS, &format!("templates.{key}"), &at, &mut errors);
                        if let Some(b) = banned.find(s) {
                            errors.push(at(s, &format!("templates.{key}"), format!("the template says the banned phrase \"{b}\"")));
                        }
                    }
                }
            }
            None if locale.language() != "en" => {
                errors.push(at("[pack]", "templates", format!("a {} pack needs native [templates]: only English packs use the built-in banks", locale.language())));
            }
            None => {}
        }
        if !errors.is_empty() {
            return Err(SourceErrors(errors));
        }
        Ok(Pack {
            id: h.id.clone(),
            locale,
            name: h.name.clone(),
            language_name: h.language_name.clone(),
            direction: h.direction,
            subtitle_font: h.subtitle_font.clone(),
            voices: raw.voices,
            translator: raw.translator,
            glossary: raw.glossary,
            numbers: raw.numbers,
            rules: raw.rules,
            disclosure: raw.disclosure,
            templates,
            origin: origin.to_string(),
        })
    }

    /// Reads `DIR/pack.toml`.
    pub fn load_dir(dir: &Path) -> Result<Pack, SourceErrors> {
        let file = dir.join("pack.toml");
        let text = std::fs::read_to_string(&file).map_err(|e| SourceErrors(vec![SourceError::new(&file, format!("cannot read the pack: {e}"))]))?;
        Pack::parse(&file, &text, &file.display().to_string())
    }

    /// The espeak voice of the pack (always present once validated).
    pub fn espeak_voice(&self) -> Option<&PackVoice> {
        self.voices.iter().find(|v| v.engine == VoiceEngine::Espeak)
    }

    /// A matcher for the market's banned phrases.
    pub fn banned(&self) -> BannedMatcher {
        BannedMatcher::new(&self.rules)
    }
}

fn check_slots(s: &str, allowed: &[&str], field: &str, at: &dyn Fn(&str, &str, String) -> SourceError, errors: &mut Vec<SourceError>) {
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            errors.push(at(s, field, format!("unclosed slot in \"{s}\"")));
            return;
        };
        let slot = &rest[open + 1..open + close];
        if !allowed.contains(&slot) {
            errors.push(at(s, field, format!("the slot {{{slot}}} cannot be used here (allowed: {})", allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(" "))));
        }
        rest = &rest[open + close + 1..];
    }
}

fn check_numbers(n: &Numbers, locale: &Locale, at: &dyn Fn(&str, &str, String) -> SourceError, errors: &mut Vec<SourceError>) {
    let Some(cur) = Currency::from_code(&n.default_currency) else {
        errors.push(at("default_currency", "numbers.default_currency", format!("`{}` is not an ISO 4217 code", n.default_currency)));
        return;
    };
    // What the locale writes for 12,345.67 of the home currency and 40 %.
    let sample = crate::money::Money::new(1_234_567, cur);
    let written = locale.format_money(&sample);
    if locale.decimal_separator().to_string() != n.decimal && cur.exponent > 0 {
        errors.push(at("decimal", "numbers.decimal", format!("{locale} writes `{}` as the decimal separator, not `{}`", locale.decimal_separator(), n.decimal)));
    }
    let grouped = locale.group_digits(12_345);
    let group = grouped.trim_start_matches("12").trim_end_matches("345");
    if group != n.group {
        errors.push(at("group", "numbers.group", format!("{locale} groups digits as `{grouped}`, not with `{}`", n.group)));
    }
    let sym = crate::locale::currency_symbol(cur, locale);
    let placement = if written.starts_with(&format!("{sym}\u{a0}")) {
        CurrencyPlacement::PrefixSpace
    } else if written.starts_with(&sym) {
        CurrencyPlacement::Prefix
    } else {
        CurrencyPlacement::SuffixSpace
    };
    if placement != n.currency {
        errors.push(at("currency", "numbers.currency", format!("{locale} writes money as `{written}`")));
    }
    if locale.format_percent(40).contains('\u{a0}') != n.percent_space {
        errors.push(at("percent_space", "numbers.percent_space", format!("{locale} writes a percentage as `{}`", locale.format_percent(40))));
    }
}

/// Finds a market's banned phrases in text, whatever the case, accents, spacing, zero-width
/// characters or full-width forms a writer or a translation used.
#[derive(Clone, Debug)]
pub struct BannedMatcher {
    banned: Vec<(String, String)>,
    allowed: Vec<String>,
}

impl BannedMatcher {
    pub fn new(rules: &MarketRules) -> BannedMatcher {
        BannedMatcher {
            banned: rules.banned.iter().map(|b| (fold(b), b.clone())).filter(|(f, _)| !f.is_empty()).collect(),
            allowed: rules.allowed.iter().map(|a| fold(a)).filter(|a| !a.is_empty()).collect(),
        }
    }

    /// The first banned phrase the text says, as the pack writes it.
    pub fn find(&self, text: &str) -> Option<&str> {
        let mut folded = fold(text);
        // Harmless words that contain a banned string are blanked first.
        for a in &self.allowed {
            folded = folded.replace(a.as_str(), "\u{1}");
        }
        let spaced = format!(" {folded} ");
        for (f, original) in &self.banned {
            let hit = if f.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == '\'') && f.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                // Latin phrases match on word boundaries ("cure" is not in "secure").
                word_match(&spaced, f)
            } else {
                folded.contains(f.as_str())
            };
            if hit {
                return Some(original);
            }
        }
        None
    }
}

fn word_match(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let s = from + i;
        let e = s + needle.len();
        let before = hay[..s].chars().next_back();
        let after = hay[e..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        // "cures" and "cured" count as "cure": a trailing s/d/es is allowed.
        let after_ok = boundary(after) || {
            let tail: String = hay[e..].chars().take_while(|c| c.is_alphanumeric()).collect();
            matches!(tail.as_str(), "s" | "d" | "es" | "ed")
        };
        if boundary(before) && after_ok {
            return true;
        }
        from = s + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Case, accents, full-width forms, zero-width and repeated spaces folded away.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        let c = match c {
            '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        for l in c.to_lowercase() {
            let l = strip_accent(l);
            if l.is_whitespace() || l == '\u{3000}' {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            } else {
                out.push(l);
                last_space = false;
            }
        }
    }
    out.trim().to_string()
}

/// A Latin letter without its accent (lower case in, lower case out); other characters as they are.
pub fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        _ => c,
    }
}

/// The built-in packs and any `packs/` folders, later ones overriding earlier ones by id.
#[derive(Clone, Debug, Default)]
pub struct PackSet {
    packs: Vec<Pack>,
}

impl PackSet {
    /// Builds the set from `(id, pack.toml text)` pairs shipped in the binary, then each folder
    /// of `dirs` (each holding `<id>/pack.toml`).
    pub fn load(builtin: &[(&str, &str)], dirs: &[PathBuf]) -> Result<PackSet, SourceErrors> {
        let mut packs = Vec::new();
        for (id, text) in builtin {
            let path = PathBuf::from(format!("assets/packs/{id}/pack.toml"));
            packs.push(Pack::parse(&path, text, "built-in")?);
        }
        let mut set = PackSet { packs };
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.join("pack.toml").is_file()).collect();
            folders.sort();
            for f in folders {
                set.insert(Pack::load_dir(&f)?);
            }
        }
        Ok(set)
    }

    pub fn insert(&mut self, pack: Pack) {
        self.packs.retain(|p| p.id != pack.id);
        self.packs.push(pack);
    }

    pub fn get(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// The pack for a locale: the exact tag, else a pack of the same language.
    pub fn for_locale(&self, locale: &Locale) -> Option<&Pack> {
        self.packs.iter().find(|p| p.locale == *locale).or_else(|| self.packs.iter().find(|p| p.locale.language() == locale.language()))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Pack> {
        self.packs.iter()
    }

    pub fn ids(&self) -> Vec<String> {
        self.packs.iter().map(|p| p.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_catches_variants() {
        let rules = MarketRules { ai_voice_allowed: true, banned: vec!["cure".into(), "最好".into(), "garantizado".into(), "第一".into()], allowed: vec!["第一次".into()] };
        let m = BannedMatcher::new(&rules);
        assert_eq!(m.find("It CURES dry skin"), Some("cure"));
        assert_eq!(m.find("a secure lid"), None);
        assert_eq!(m.find("Resultado GARANTIZADO"), Some("garantizado"));
        assert_eq!(m.find("resultado garantízado"), Some("garantizado"));
        assert_eq!(m.find("这是最\u{200b}好的台灯"), Some("最好"));
        assert_eq!(m.find("第一次用就喜欢"), None);
        assert_eq!(m.find("销量第一"), Some("第一"));
        assert_eq!(fold("Ｆｒｅｅ  Ship"), "free ship");
    }
}
