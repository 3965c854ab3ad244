//! Catalog points as things a host can say.
//!
//! A seller's bullet points come in every grammatical form: noun phrases ("Leak-proof lid &
//! carry loop"), predicates without a subject ("Can be used morning and evening"), whole
//! clauses ("Aloe and glycerin moisturize skin"), usage instructions ("Apply 2-3 drops to clean
//! skin"), specs ("Capacity: 1 L"), adjective phrases ("Machine washable"), and text no host
//! reads out (ingredient lists, legal boilerplate, SEO keyword strings). Pasting them into a
//! sentence frame as they are gives "Let me point out that can be used morning and evening.".
//!
//! Each point is classified by [`Form`] with deterministic rules, and turned into the shapes
//! template slots ask for: a clause (`{clause}`: "it can be used morning and evening"), a noun
//! phrase (`{np}`: "the leak-proof lid and carry loop") or an instruction (`{usage}`). A
//! template is used only with a point that has the shape its slot needs.

use show::Product;

/// The grammatical form of a catalog point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// "Leak-proof lid & carry loop", "A quiet harbour at dawn".
    NounPhrase,
    /// A predicate whose subject is the product: "Can be used morning and evening", "Absorbs quickly".
    Predicate,
    /// A clause with its own subject: "Aloe and glycerin moisturize skin".
    Clause,
    /// An instruction: "Apply 2-3 drops to clean skin", "Machine wash at 30 °C".
    Usage,
    /// A measured property: "Capacity: 1 L", "Frame size 9\" x 12\"", "50 ml / 1.7 fl oz", "100% cotton".
    Spec,
    /// "Machine washable", "Fragrance-free and vegan".
    Adjective,
    /// An ingredient (INCI) list or any long enumeration: not read out.
    Ingredients,
    /// Legal text, warnings, shipping terms, SEO keyword strings, links: not read out.
    Boilerplate,
}

impl Form {
    pub fn name(&self) -> &'static str {
        match self {
            Form::NounPhrase => "noun phrase",
            Form::Predicate => "predicate",
            Form::Clause => "clause",
            Form::Usage => "usage",
            Form::Spec => "spec",
            Form::Adjective => "adjective phrase",
            Form::Ingredients => "ingredients",
            Form::Boilerplate => "boilerplate",
        }
    }

    /// Whether a host says points of this form.
    pub fn speakable(&self) -> bool {
        !matches!(self, Form::Ingredients | Form::Boilerplate)
    }
}

/// A catalog point, cleaned and classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The point as the catalog has it, trimmed of bullets and end punctuation.
    pub text: String,
    pub form: Form,
}

/// Third-person verbs that open a predicate ("Keeps drinks cold", "Fits most cup holders").
const VERBS_S: &[&str] = &[
    "is", "are", "has", "have", "can", "will", "won't", "cannot", "can't", "does", "doesn't", "comes", "keeps", "holds", "fits", "makes",
    "works", "helps", "gives", "lets", "lasts", "stays", "brings", "adds", "absorbs", "dries", "drains", "folds", "locks", "opens",
    "closes", "charges", "runs", "heats", "cools", "cleans", "protects", "supports", "features", "includes", "contains", "offers",
    "provides", "delivers", "leaves", "feels", "looks", "smells", "glides", "blends", "layers", "pairs", "goes", "turns", "stands",
    "sits", "hangs", "lies", "packs", "stores", "stacks", "nests", "washes", "wipes", "rinses", "resists", "repels", "reduces",
    "boosts", "softens", "soothes", "calms", "smooths", "brightens", "hydrates", "moisturizes", "moisturises", "nourishes",
    "restores", "refreshes", "cleanses", "removes", "prevents", "evens", "plumps", "firms", "tightens", "visibly", "gently",
    "fades", "dims", "glows", "lights", "connects", "pours", "brews", "grinds", "seals", "measures", "weighs", "measures",
    "was", "were", "should", "may", "might", "must", "needs", "requires", "arrives", "ships", "wraps", "covers", "fills", "suits",
    "matches", "combines", "creates", "uses", "melts", "reaches", "switches", "shows", "falls", "keeps", "grows", "lifts",
    "carries", "remains", "becomes", "gets", "takes", "sets", "cleanse", "ensures",
];

/// Words after a first word ending in -s that show it is a verb ("Melts into skin").
const AFTER_VERB: &[&str] = &[
    "into", "up", "down", "off", "out", "itself", "quickly", "well", "easily", "gently", "smoothly", "the", "a", "an", "your", "you",
    "it", "its", "all", "any", "most", "every", "through", "over", "under", "away", "back", "just", "flat", "fast", "instantly",
];

/// Labels whose value is an instruction ("Care: hand wash cold").
const USAGE_KEYS: &[&str] = &["care", "care instructions", "how to use", "directions", "usage", "to use", "use", "washing"];

/// Participles and adjectives that open a predicate taking "it's": "Made of clay".
const PARTICIPLES: &[&str] = &[
    "made", "designed", "crafted", "built", "handmade", "printed", "woven", "knitted", "sewn", "cut", "finished", "tested",
    "certified", "suitable", "perfect", "ideal", "great", "ready", "available", "safe", "gentle", "packed", "filled", "infused",
    "enriched", "formulated", "lined", "padded", "tailored", "dyed", "hand-poured", "hand-painted", "inspired", "sourced",
];

/// Base-form verbs that open an instruction.
pub(crate) const IMPERATIVES: &[&str] = &[
    "apply", "use", "wash", "store", "keep", "massage", "shake", "spray", "rinse", "avoid", "do", "don't", "add", "fill", "pour",
    "plug", "charge", "mix", "pat", "smooth", "dispense", "remove", "clean", "wipe", "twist", "press", "attach", "place", "leave",
    "dry", "tumble", "iron", "let", "pair", "layer", "follow", "choose", "select", "pick", "hand", "machine", "spot", "steam",
    "warm", "heat", "preheat", "season", "soak", "wear", "try", "tap", "gently", "never", "always", "only", "wring", "line",
    "lay", "hang", "reshape", "refrigerate", "blend", "brew", "grind", "set", "turn", "switch", "dilute", "spread", "work",
    "order", "condition", "lift", "size", "fold", "insert", "screw", "rotate", "slide", "pull", "push", "clip", "wrap", "check",
    "allow", "replace", "refill", "open", "fasten", "unzip", "zip", "button", "bleach",
];

/// Words that end an adjective phrase ("machine washable", "dishwasher safe").
const ADJ_SUFFIXES: &[&str] = &["able", "ible", "free", "proof", "resistant", "friendly", "safe", "ful", "less", "ous", "ive", "ic", "weight"];
const ADJECTIVES: &[&str] = &[
    "vegan", "soft", "light", "compact", "durable", "sturdy", "portable", "organic", "natural", "handmade", "waterproof", "lightweight",
    "breathable", "gentle", "warm", "cosy", "cozy", "smooth", "quiet", "strong", "slim", "thin", "thick", "stretchy", "adjustable",
    "recyclable", "reusable", "unscented", "hypoallergenic", "non-toxic", "stackable", "foldable", "cruelty-free", "dermatologist-tested",
    "non-greasy", "fast-absorbing", "long-lasting", "safe", "free", "easy", "simple", "sleek", "elegant", "comfortable", "cordless", "rechargeable",
];

const DETERMINERS: &[&str] = &["a", "an", "the", "one", "two", "three", "four", "five", "each", "every", "its", "your", "our", "this", "these", "both", "all", "no"];

const BOILERPLATE: &[&str] = &[
    "external use only", "avoid contact with eyes", "discontinue use", "not been evaluated", "food and drug administration",
    "not intended to diagnose", "consult", "keep out of reach", "warning", "caution", "disclaimer", "terms and conditions", "terms of",
    "all rights reserved", "©", "free shipping", "shipping", "returns", "refund", "click", "shop now", "buy now", "order now", "http",
    "www.", ".com", "add to cart", "seo", "prop 65", "proposition 65", "results may vary", "patch test", "batch", "lot number",
    "manufactured for", "distributed by", "made in a facility", "see packaging", "individual results",
];

/// Classifies one point.
pub fn classify(raw: &str) -> Form {
    let text = clean(raw);
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.is_empty() {
        return Form::Boilerplate;
    }
    if lower.starts_with("ingredients") || lower.starts_with("inci") || lower.starts_with("full ingredient") || lower.starts_with("key ingredients") {
        return Form::Ingredients;
    }
    if text.contains('|') || BOILERPLATE.iter().any(|b| lower.contains(b)) || text.starts_with('*') || raw.trim_start().starts_with('*') {
        return Form::Boilerplate;
    }
    // Long enumerations ("Aqua, Glycerin, …"): six or more comma-separated items.
    if text.matches(',').count() >= 5 {
        return Form::Ingredients;
    }
    if words.len() > 28 {
        return Form::Boilerplate;
    }
    let first = words[0].trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
    // "Key: value" specs and labelled lines.
    if let Some((key, value)) = text.split_once(':') {
        let key_words = key.split_whitespace().count();
        if USAGE_KEYS.contains(&key.trim().to_lowercase().as_str()) && !value.trim().is_empty() {
            return Form::Usage;
        }
        if (1..=3).contains(&key_words) && !value.trim().is_empty() && !key.chars().any(|c| c.is_ascii_digit()) {
            return Form::Spec;
        }
    }
    // A whole sentence of prose ("Knitted in Portugal …, this crew neck is light enough …."):
    // said as written.
    let ends_sentence = raw.trim_end().ends_with(['.', '!']);
    let finite = words.iter().any(|w| VERBS_S.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')));
    if ends_sentence && words.len() >= 8 && finite && !IMPERATIVES.contains(&first) {
        return Form::Clause;
    }
    // "Rich in vitamin A", "Free from parabens", "Pre-washed and pre-shrunk", "Oven safe to
    // 500 °F", "USB-C powered; …": adjective phrases said after "it's".
    let second = words.get(1).map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')).unwrap_or("");
    let adjective_like = |w: &str| is_adjective(w) || (w.ends_with("ed") && w.len() > 5) || ["rich", "free", "not", "ready", "full"].contains(&w);
    if first == "not" || adjective_like(first) && !IMPERATIVES.contains(&first) && (words.len() == 1 || PREPS.contains(&second) || words[0].ends_with(';')) {
        return Form::Adjective;
    }
    if words.len() >= 2
        && (is_adjective(second) || (second.ends_with("ed") && second.len() > 5))
        && !VERBS_S.contains(&second)
        && (words.len() == 2 || words[1].ends_with([';', ',']) || words.get(2).is_some_and(|w| PREPS.contains(w)))
        && !first.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return Form::Adjective;
    }
    if IMPERATIVES.contains(&first) && !is_predicate_start(&words) {
        // "Machine washable" is an adjective phrase, "Machine wash at 30 °C" an instruction.
        if words.len() == 2 && is_adjective(words[1]) {
            return Form::Adjective;
        }
        return Form::Usage;
    }
    if is_predicate_start(&words) {
        return Form::Predicate;
    }
    if first.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        // "100% cotton", "50 ml / 1.7 fl oz", "600 ml capacity".
        return Form::Spec;
    }
    let last = words[words.len() - 1].trim_matches(',');
    if words.len() <= 4 && is_adjective(last) && !lower.chars().any(|c| c.is_ascii_digit()) {
        return Form::Adjective;
    }
    if words.iter().all(|w| w.trim_matches(',') == "and" || w.trim_matches(',') == "&" || is_adjective(w.trim_matches(','))) {
        return Form::Adjective;
    }
    // A finite verb after the first word: a clause with its own subject.
    if words.iter().skip(1).take(6).any(|w| VERBS_S.contains(&w.trim_matches(','))) && !DETERMINERS.contains(&first) || has_subject_verb(&words) {
        return Form::Clause;
    }
    // "Key value" specs: "Frame size 9\" x 12\"", "pH 5.5", "Net wt. 200 ml".
    if words.len() <= 8 && words.iter().skip(1).take(2).any(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit())) {
        return Form::Spec;
    }
    Form::NounPhrase
}

/// Prepositions and joiners that follow an adjective in a predicate.
const PREPS: &[&str] = &["in", "from", "with", "to", "for", "and", "yet", "but", "enough", "on", "at", "of", "up"];

fn is_predicate_start(words: &[&str]) -> bool {
    let first = words[0].trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
    let second = words.get(1).copied().unwrap_or("");
    // "It's a …", "That's …": a subject with its verb, not a verb.
    let verb_like = first.ends_with('s') && !first.contains('\'') && !first.ends_with("ss") && !first.ends_with("ous") && first.len() > 3 && (AFTER_VERB.contains(&second) || second.chars().next().is_some_and(|c| c.is_ascii_digit()));
    VERBS_S.contains(&first) || PARTICIPLES.contains(&first) || verb_like || ((first.ends_with("izes") || first.ends_with("ises") || first.ends_with("ifies")) && words.len() > 1)
}

/// "The lid locks tight", "Each jar holds 50 ml", "This lamp dims": a determiner or a plain
/// noun, then a verb within the next four words.
fn has_subject_verb(words: &[&str]) -> bool {
    words.iter().enumerate().skip(1).take(5).any(|(i, w)| {
        let w = w.trim_matches(',');
        let singular = VERBS_S.contains(&w) || w.ends_with("izes") || w.ends_with("ises");
        // A plural or compound subject takes the base form: "Aloe and glycerin moisturize".
        let plural = i >= 2
            && (words[i - 2] == "and" || (words[i - 1].ends_with('s') && !words[i - 1].ends_with("ss")))
            && (VERBS_S.contains(&format!("{w}s").as_str()) || VERBS_S.contains(&format!("{w}es").as_str()));
        (singular || plural) && !words[i - 1].ends_with(',')
    })
}

fn is_adjective(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    ADJECTIVES.contains(&w) || ADJ_SUFFIXES.iter().any(|s| w.len() > s.len() + 2 && w.ends_with(s)) || w.ends_with("-free") || w.ends_with("-proof")
}

/// Trims bullets, surrounding quotes and end punctuation; says `&` as "and".
fn clean(raw: &str) -> String {
    let s = raw.trim().trim_start_matches(['•', '-', '–', '*', '✓', '✔', '·']).trim();
    let s = s.trim_end_matches(['.', '!', ';', ',', ':']).trim();
    let s = s.replace(" & ", " and ").replace(" · ", ", ").replace("Net wt.", "Net weight").replace("net wt.", "net weight");
    // "10 × glass containers" is said "10 glass containers".
    let s = match s.split_once(" × ") {
        Some(("1", rest)) => format!("one {rest}"),
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => format!("{n} {rest}"),
        _ => s,
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Point {
    pub fn new(raw: &str) -> Point {
        Point { text: clean(raw), form: classify(raw) }
    }

    /// An independent clause, starting lower case: "it can be used morning and evening",
    /// "aloe and glycerin moisturize skin", "it has a leak-proof lid and carry loop".
    pub fn clause(&self) -> Option<String> {
        let t = &self.text;
        Some(match self.form {
            Form::Predicate => {
                let first = t.split_whitespace().next().unwrap_or("").to_lowercase();
                if PARTICIPLES.contains(&first.as_str()) { format!("it's {}", decap(t)) } else { format!("it {}", decap(t)) }
            }
            Form::Clause => {
                let c = agree(&decap(t));
                let first = c.split_whitespace().next().unwrap_or("");
                let words: Vec<&str> = c.split_whitespace().collect();
                // "Kettle works on gas" → "the kettle works on gas": a bare singular noun
                // subject before a verb in -s.
                let bare = !DETERMINERS.contains(&first)
                    && !["it", "they", "you", "we", "this", "that"].contains(&first)
                    && first.chars().next().is_some_and(|c| c.is_lowercase())
                    && words.iter().skip(1).take(3).position(|w| VERBS_S.contains(w) && w.ends_with('s')).is_some_and(|v| !words[..=v].contains(&"and"));
                if bare && !t.trim_end().ends_with('.') { format!("the {c}") } else { c }
            }
            Form::Adjective => format!("it's {}", decap(t)),
            Form::NounPhrase => {
                let first = t.split_whitespace().next().unwrap_or("").to_lowercase();
                if first == "a" || first == "an" {
                    format!("it's {}", decap(t))
                } else {
                    format!("it has {}", with_article(&decap(t), false))
                }
            }
            Form::Spec => {
                if t.starts_with("one ") {
                    format!("it includes {t}")
                } else if let Some((key, value)) = t.split_once(':') {
                    let key = decap(key.trim());
                    let verb = if key.ends_with('s') && !key.ends_with("ss") { "are" } else { "is" };
                    format!("its {key} {verb} {}", value.trim())
                } else if t.contains('%') {
                    format!("it's made of {}", decap(t))
                } else if t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    if is_count(t) {
                        format!("it includes {t}")
                    } else if ends_with_unit(t) {
                        format!("it comes in {t}")
                    } else {
                        format!("it has {}", with_article(&t.replacen(": ", ", ", 1), false))
                    }
                } else {
                    // "Frame size 9\" x 12\"": key words, then the value.
                    let at = t.find(|c: char| c.is_ascii_digit())?;
                    let (key, value) = t.split_at(at);
                    let key = decap(key.trim());
                    match value.trim().split_once(", ") {
                        // "pH 5.5, 150 ml / 5 fl oz": two specs, the second a size ("its pH is
                        // 5.5, 150 ml / 5 fl oz" went over the grammar probe's floor, 0.77).
                        Some((first, size)) if size.starts_with(|c: char| c.is_ascii_digit()) && ends_with_unit(size) => {
                            format!("its {key} is {first}, and it comes in {size}")
                        }
                        _ => format!("its {key} is {}", value.trim()),
                    }
                }
            }
            Form::Usage | Form::Ingredients | Form::Boilerplate => return None,
        })
    }

    /// A noun phrase, definite where it needs an article: "the leak-proof lid and carry loop".
    pub fn noun_phrase(&self) -> Option<String> {
        match self.form {
            Form::NounPhrase => Some(with_article(&decap(&self.text), true)),
            // "One detail that stands out: the 2 silicone handle sleeves" (without "the", a
            // count after a lead-in reads as a bullet).
            Form::Spec if !self.text.contains(':') && !ends_with_unit(&self.text) && !self.text.contains('%') && self.text.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                Some(if is_count(&self.text) { format!("the {}", self.text) } else { with_article(&self.text, true) })
            }
            _ => None,
        }
    }

    /// An instruction: "apply 2-3 drops to clean skin".
    pub fn usage(&self) -> Option<String> {
        if self.form != Form::Usage {
            return None;
        }
        // "Care: Hand wash cold" → "hand wash cold".
        let t = match self.text.split_once(':') {
            Some((k, v)) if USAGE_KEYS.contains(&k.trim().to_lowercase().as_str()) => v.trim(),
            _ => self.text.as_str(),
        };
        Some(with_object(&decap(t)))
    }

    /// Whether the point is a fit note about the model wearing the product (see [`about_the_model`]).
    pub fn about_the_model(&self) -> bool {
        about_the_model(&self.text)
    }

    /// The point as a sentence of its own: "It can be used morning and evening.".
    pub fn sentence(&self) -> Option<String> {
        match self.form {
            Form::Usage => self.usage().map(|u| format!("{}.", capitalize(&u))),
            _ => self.clause().map(|c| format!("{}.", capitalize(&c))),
        }
    }
}

/// Whether a point says what the product is not or cannot do ("Not dishwasher safe – hand
/// wash and dry immediately"): a limitation, said plainly, never as what the host loves.
pub fn says_not(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’').any(|w| {
        let w = w.to_lowercase();
        ["not", "never", "cannot"].contains(&w.as_str()) || w.ends_with("n't") || w.ends_with("n’t")
    })
}

/// Whether a catalog sentence is a fit note about the person wearing the product ("Model is
/// 178 cm and wears size M", "Our model wears a size 10"): its numbers are the model's, not the
/// product's, and it is a sizing tip, not a feature to praise ("I really like that the model is
/// 172 cm" was a template line; "The Merino Crew Sweater is 178 cm long" the 0.5B's).
pub fn about_the_model(text: &str) -> bool {
    let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).take(5).map(str::to_lowercase).collect();
    words.iter().take(3).position(|w| w == "model" || w == "models" || w == "model's").is_some_and(|i| {
        words.get(i + 1).is_some_and(|next| ["is", "are", "wears", "wearing", "wear", "height", "stands"].contains(&next.as_str())) || words[i] == "model's"
    })
}

/// The product's points a host may say, in catalog order.
pub fn speakable(p: &Product) -> Vec<Point> {
    p.points.iter().map(|s| Point::new(s)).filter(|pt| pt.form.speakable() && !pt.text.is_empty()).collect()
}

/// "10 glass containers", "2 silicone sleeves": a number that counts things.
fn is_count(t: &str) -> bool {
    let mut w = t.split_whitespace();
    let n = w.next().unwrap_or("");
    let next = w.next().unwrap_or("").to_lowercase();
    n.chars().all(|c| c.is_ascii_digit()) && !next.is_empty() && !is_unit(&next) && !next.starts_with(|c: char| c.is_ascii_digit())
}

fn is_unit(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '²' && c != '/');
    ["ml", "l", "oz", "g", "kg", "cm", "mm", "m", "in", "inch", "inches", "lb", "lbs", "w", "v", "mah", "g/m²", "gsm", "fl", "x", "%", "°c", "°f", "hours", "h", "mins", "minutes"].contains(&w)
        || w.is_empty()
}

fn ends_with_unit(t: &str) -> bool {
    let last = t.split_whitespace().last().unwrap_or("").to_lowercase();
    let last = last.trim_matches(|c: char| !c.is_alphanumeric());
    ["ml", "l", "oz", "g", "kg", "cm", "mm", "m", "in", "inch", "inches", "lb", "lbs", "w", "v", "mah", "pcs", "pack"].contains(&last)
        || last.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Subject–verb agreement for "Aloe and glycerin moisturizes skin": a compound subject of two
/// plain nouns takes the plural verb.
fn agree(clause: &str) -> String {
    let words: Vec<&str> = clause.split(' ').collect();
    if words.len() >= 4 && words[1] == "and" && !DETERMINERS.contains(&words[0]) {
        let verb = words[3];
        let base = if verb.ends_with("shes") || verb.ends_with("ches") || verb.ends_with("sses") || verb.ends_with("xes") {
            Some(&verb[..verb.len() - 2])
        } else if verb.ends_with('s') && !verb.ends_with("ss") && verb.len() > 3 && (VERBS_S.contains(&verb) || verb.ends_with("izes") || verb.ends_with("ises")) {
            Some(&verb[..verb.len() - 1])
        } else {
            None
        };
        if let Some(base) = base {
            let base = match verb {
                "is" => "are",
                "has" => "have",
                "does" => "do",
                _ => base,
            };
            let mut out: Vec<&str> = words.clone();
            out[3] = base;
            return out.join(" ");
        }
    }
    clause.to_string()
}

/// The same agreement mend for a whole sentence as a writer put it, and for the clause after
/// its colon ("About the gel: aloe and glycerin moisturizes skin."); case is kept.
pub(crate) fn agree_in_sentence(s: &str) -> String {
    let mend = |clause: &str| {
        let lower = decap(clause);
        let mended = agree(&lower);
        if mended == lower { clause.to_string() } else if lower == clause { mended } else { capitalize(&mended) }
    };
    let mended = match s.split_once(": ") {
        Some((head, tail)) => format!("{}: {}", mend(head), mend(tail)),
        None => mend(s),
    };
    an_before_a_vowel_number(&mended)
}

/// "a 18% discount" → "an 18% discount": a number said with a vowel first ("eight…",
/// "eleven", "eighteen", "eighteen thousand") takes "an". ("a 1,100-piece set" is left: "one
/// thousand …".)
pub(crate) fn an_before_a_vowel_number(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut rest = s;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(at);
        let digits: String = from.chars().take_while(|c| c.is_ascii_digit() || *c == ',').filter(char::is_ascii_digit).collect();
        // "eleven", "eighteen", "eleven thousand": a group of two digits leads.
        let vowel = digits.starts_with('8') || ((digits.starts_with("11") || digits.starts_with("18")) && digits.len() % 3 == 2);
        // " a " mid-sentence, "A " opening it.
        if vowel && (before.ends_with(" a ") || before == "A ") {
            out.push_str(&before[..before.len() - 1]);
            out.push_str("n ");
        } else {
            out.push_str(before);
        }
        let len = from.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(from.len());
        out.push_str(&from[..len]);
        rest = &from[len..];
    }
    out.push_str(rest);
    out
}

/// Adds an article where a noun phrase needs one: indefinite ("a leak-proof lid") or definite
/// ("the leak-proof lid"); none before a determiner or number, none for plural or mass heads
/// ("soft bristles", "USB-C charging") unless definite.
fn with_article(np: &str, definite: bool) -> String {
    let first = np.split_whitespace().next().unwrap_or("").to_lowercase();
    if DETERMINERS.contains(&first.as_str()) || is_count(np) {
        return np.to_string();
    }
    if definite {
        return format!("the {np}");
    }
    // The head of the first conjunct: the last word before "and", "with", "for", "in", ",".
    let head = np
        .split([','])
        .next()
        .unwrap_or(np)
        .split(" and ")
        .next()
        .unwrap_or(np)
        .split(" with ")
        .next()
        .unwrap_or(np)
        .split(" for ")
        .next()
        .unwrap_or(np)
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_lowercase();
    let plural = head.ends_with('s') && !head.ends_with("ss") && !head.ends_with("us") && !head.ends_with("is");
    let mass = head.ends_with("ing") || head.ends_with("tion") || head.ends_with("ness") || MASS.contains(&head.as_str());
    if plural || mass {
        return np.to_string();
    }
    let vowel = first.starts_with(['a', 'e', 'i', 'o']) || (first.starts_with('u') && !first.starts_with("us") && !first.starts_with("uni"));
    format!("{} {np}", if vowel { "an" } else { "a" })
}

const MASS: &[&str] = &[
    "cotton", "wool", "linen", "leather", "silk", "steel", "glass", "wood", "bamboo", "clay", "water", "comfort", "support", "storage",
    "quality", "moisture", "hydration", "coverage", "packaging", "stitching", "fabric", "oil", "butter", "shea", "aloe", "care",
    "warmth", "grip", "airflow", "texture", "finish", "fit", "feel",
];

/// Prepositions that can open what follows an instruction's verb when the catalog leaves the
/// object out ("Hang on a wide hanger", "Store in a cool place").
const PLACE_PREPS: &[&str] = &["on", "in", "into", "onto", "at", "with", "under", "inside", "over", "away", "off", "out", "from", "to", "between", "upside"];
/// Openers of an instruction that take no object: adverbs ("gently on damp hair") and verbs
/// like "check" ("check for …" must not become "check it for …").
const NO_OBJECT: &[&str] = &["gently", "never", "always", "only", "do", "don't", "avoid", "check", "follow", "choose", "select", "order", "size"];

/// "hang on a wide hanger between wears" → "hang it on a wide hanger between wears": a catalog's
/// care line drops the object its shelf label makes obvious; spoken, the verb needs one. Only
/// the [`IMPERATIVES`] that take an object get one.
fn with_object(instruction: &str) -> String {
    // "do not tumble dry" → "do not tumble dry it": a bare "no" read as a fragment ("Good to
    // know: do not tumble dry." probe 0.86; with "it" 0.59, "Here's a tip: don't bleach it."
    // 0.13).
    let all: Vec<&str> = instruction.split_whitespace().collect();
    let lead = match all.as_slice() {
        ["do", "not", ..] => 2,
        ["don't" | "never", ..] => 1,
        _ => 0,
    };
    let verb = &all[lead.min(all.len())..];
    let bare = |w: &str| w.chars().all(char::is_alphabetic);
    if lead > 0
        && (1..=2).contains(&verb.len())
        && verb.iter().all(|w| bare(w))
        && IMPERATIVES.contains(&verb[0])
        && !NO_OBJECT.contains(&verb[0])
        && (verb.len() == 1 || IMPERATIVES.contains(&verb[1]) || verb[1] == "clean")
    {
        return format!("{instruction} it");
    }
    let mut words = instruction.splitn(3, ' ');
    let (Some(verb), Some(next)) = (words.next(), words.next()) else {
        return instruction.to_string();
    };
    let needs = IMPERATIVES.contains(&verb)
        && !NO_OBJECT.contains(&verb)
        && PLACE_PREPS.contains(&next.trim_end_matches([',', '.']).to_ascii_lowercase().as_str());
    if needs { format!("{verb} it {}", &instruction[verb.len() + 1..]) } else { instruction.to_string() }
}

/// Whether an instruction is a care tip (washing, drying, storing, conditioning) rather than a
/// way to use the product ("apply 2-3 drops to clean skin").
pub(crate) fn is_care(instruction: &str) -> bool {
    const CARE: &[&str] = &["wash", "hand", "machine", "dry", "tumble", "iron", "bleach", "condition", "store", "hang", "clean", "wipe", "spot", "steam", "fold", "air", "polish", "rinse", "do", "don't", "never", "avoid", "keep"];
    instruction.split_whitespace().next().is_some_and(|w| CARE.contains(&w.to_lowercase().trim_end_matches([',', '.']))) 
}

/// The text with its first letter lower case, unless its first word keeps its capital (a name,
/// "I", a code with digits).
pub(crate) fn decap(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    let keep = first.chars().skip(1).any(|c| c.is_uppercase()) || first == "I" || first.chars().any(|c| c.is_ascii_digit()) || (first.len() == 1 && first != "A");
    if keep {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The text with its first letter upper case.
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_before_a_number_said_with_a_vowel() {
        use super::an_before_a_vowel_number as an;
        assert_eq!(an("It has a 18% discount today."), "It has an 18% discount today.");
        assert_eq!(an("A 8-piece set, a 11-inch pan and a 80 ml bottle."), "An 8-piece set, an 11-inch pan and an 80 ml bottle.");
        assert_eq!(an("a 10% discount, a 1,100-piece set, a 5 minute deal and 18 colours."), "a 10% discount, a 1,100-piece set, a 5 minute deal and 18 colours.");
        assert_eq!(an("It's a 8,000 mAh battery."), "It's an 8,000 mAh battery.");
        assert_eq!(an("It has a 18,000 BTU burner and a 180 ml jar."), "It has an 18,000 BTU burner and a 180 ml jar.");
    }

    use super::*;

    fn form(s: &str) -> Form {
        classify(s)
    }

    #[test]
    fn forms_are_recognised() {
        assert_eq!(form("Leak-proof lid & carry loop"), Form::NounPhrase);
        assert_eq!(form("Lightweight, non-greasy texture"), Form::NounPhrase);
        assert_eq!(form("Can be used morning and evening."), Form::Predicate);
        assert_ne!(form("It's an ultra-relaxed fit with a double-length leg."), Form::Predicate);
        assert_ne!(form("That's a lot of serum for the price."), Form::Predicate);
        assert_eq!(form("Absorbs quickly"), Form::Predicate);
        assert_eq!(form("Holds 9.5 cm pots."), Form::Predicate);
        assert_eq!(form("Aloe and glycerin moisturizes skin"), Form::Clause);
        assert_eq!(form("The lid locks tight"), Form::Clause);
        assert_eq!(form("Apply 2-3 drops to clean skin"), Form::Usage);
        assert_eq!(form("Machine wash at 30 °C"), Form::Usage);
        assert_eq!(form("Do not tumble dry"), Form::Usage);
        assert_eq!(form("Machine washable"), Form::Adjective);
        assert_eq!(form("Fragrance-free and vegan"), Form::Adjective);
        assert_eq!(form("Dishwasher safe"), Form::Adjective);
        assert_eq!(form("Capacity: 1 L"), Form::Spec);
        assert_eq!(form("100% cotton"), Form::Spec);
        assert_eq!(form("50 ml / 1.7 fl oz"), Form::Spec);
        assert_eq!(form("Frame size 9\" x 12\""), Form::Spec);
        assert_eq!(form("Ingredients: Aqua, Glycerin, Niacinamide"), Form::Ingredients);
        assert_eq!(form("Aqua, Glycerin, Aloe Barbadensis Leaf Juice, Niacinamide, Squalane, Tocopherol, Citric Acid"), Form::Ingredients);
        assert_eq!(form("For external use only. Avoid contact with eyes."), Form::Boilerplate);
        assert_eq!(form("*These statements have not been evaluated by the Food and Drug Administration."), Form::Boilerplate);
        assert_eq!(form("Best vitamin C lotion online | glow serum | moisturizer"), Form::Boilerplate);
    }

    #[test]
    fn points_become_grammatical_shapes() {
        let p = Point::new("Can be used morning and evening.");
        assert_eq!(p.clause().unwrap(), "it can be used morning and evening");
        assert_eq!(p.noun_phrase(), None);
        assert_eq!(Point::new("Aloe and glycerin moisturizes skin").clause().unwrap(), "aloe and glycerin moisturize skin");
        let lid = Point::new("Leak-proof lid & carry loop");
        assert_eq!(lid.clause().unwrap(), "it has a leak-proof lid and carry loop");
        assert_eq!(lid.noun_phrase().unwrap(), "the leak-proof lid and carry loop");
        let sleeves = Point::new("2 × silicone handle sleeves");
        assert_eq!(sleeves.clause().unwrap(), "it includes 2 silicone handle sleeves");
        assert_eq!(sleeves.noun_phrase().unwrap(), "the 2 silicone handle sleeves");
        assert_eq!(Point::new("pH 5.5, 150 ml / 5 fl oz").clause().unwrap(), "its pH is 5.5, and it comes in 150 ml / 5 fl oz");
        assert_eq!(Point::new("Frame size 9\" x 12\"").clause().unwrap(), "its frame size is 9\" x 12\"");
        assert!(says_not("Not dishwasher safe – hand wash and dry immediately"));
        assert!(says_not("It isn't suitable for induction hobs."));
        assert!(!says_not("Absorbs without a greasy feel"));
        assert!(!says_not("No added fragrance, nothing to irritate"), "a free-from claim is a feature");
        assert_eq!(Point::new("Soft bristles").clause().unwrap(), "it has soft bristles");
        assert_eq!(Point::new("USB-C charging").clause().unwrap(), "it has USB-C charging");
        assert_eq!(Point::new("Machine washable").clause().unwrap(), "it's machine washable");
        assert_eq!(Point::new("Capacity: 1 L").clause().unwrap(), "its capacity is 1 L");
        assert_eq!(Point::new("Dimensions: 30 x 20 x 8 cm").clause().unwrap(), "its dimensions are 30 x 20 x 8 cm");
        assert_eq!(Point::new("100% cotton").clause().unwrap(), "it's made of 100% cotton");
        assert_eq!(Point::new("Frame size 9\" x 12\"").clause().unwrap(), "its frame size is 9\" x 12\"");
        assert_eq!(Point::new("Apply 2-3 drops to clean skin.").usage().unwrap(), "apply 2-3 drops to clean skin");
        assert_eq!(Point::new("Apply 2-3 drops to clean skin.").clause(), None);
        // An instruction whose object the catalog left out gets "it"; the others stay as written.
        assert_eq!(Point::new("Hang on a wide hanger between wears.").usage().unwrap(), "hang it on a wide hanger between wears");
        assert_eq!(Point::new("Care: Store in a cool, dry place").usage().unwrap(), "store it in a cool, dry place");
        assert_eq!(Point::new("Turn inside out before washing").usage().unwrap(), "turn it inside out before washing");
        assert_eq!(with_object("do not tumble dry"), "do not tumble dry it");
        assert_eq!(with_object("don't bleach"), "don't bleach it");
        assert_eq!(with_object("never dry clean"), "never dry clean it");
        assert_eq!(with_object("do not wash with darks"), "do not wash with darks", "only a bare verb takes \"it\"");
        assert_eq!(Point::new("Do not tumble dry.").usage().as_deref(), Some("do not tumble dry it"));
        assert_eq!(with_object("wait for the cream to absorb"), "wait for the cream to absorb");
        assert_eq!(with_object("gently on damp hair"), "gently on damp hair");
        assert_eq!(with_object("stays in place all day"), "stays in place all day");
        assert_eq!(Point::new("Hand wash cold").usage().unwrap(), "hand wash cold");
        assert_eq!(Point::new("Hang on a wide hanger between wears.").sentence().unwrap(), "Hang it on a wide hanger between wears.");
        assert_eq!(Point::new("A quiet harbour at dawn, printed on matte paper.").clause().unwrap(), "it's a quiet harbour at dawn, printed on matte paper");
        assert_eq!(Point::new("Made of clay.").clause().unwrap(), "it's made of clay");
        assert_eq!(Point::new("Absorbs quickly").sentence().unwrap(), "It absorbs quickly.");
    }

    #[test]
    fn fit_notes_about_the_model_are_told_apart() {
        for note in ["Model is 178 cm and wears size M", "Our model wears a size 10.", "The model's height is 5'9\"", "Models are 175 cm tall"] {
            assert!(about_the_model(note), "{note}");
        }
        for point in ["High-rise waist with hidden side zip", "Model number 1234 fits every lamp", "A relaxed fit for every model of body", "100% merino wool"] {
            assert!(!about_the_model(point), "{point}");
        }
        let p = Point::new("Model is 178 cm and wears size M.");
        assert!(p.about_the_model());
        assert_eq!(p.clause().unwrap(), "the model is 178 cm and wears size M");
    }
}
