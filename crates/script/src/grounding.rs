//! Grounding: a small model paraphrases well but also invents ("stonewashed wool", "arriving
//! tomorrow", "a coffee shop"). Numbers are checked by the guard; words are checked here: every
//! content word of a generated sentence must come from the product's own text, the show, or a
//! vocabulary of everyday selling talk. A sentence that brings in anything else is not spoken.

use std::collections::HashSet;

use show::Product;

use crate::points::{Form, IMPERATIVES, Point};

/// Everyday words of a host's talk that state no fact about a product.
const TALK: &str = "
a about absolutely add added adding after again ago all allow almost along already also always am amazing an and another any anyone
anything anywhere are around as ask at available away back be beautiful beautifully because been before being best better between
big bit both bring brings but buy by call can cart catch chance check choice choose chosen clean click close closer come comes
comfortable comfortably comfy cool could cozy cute daily day days deal deals definitely design designed details did do does doing
done down easy easily enjoy enough especially even evening every everyday everyone everything excited exactly favourite favorite
favorites favourites feel feeling feels find fine first fits for friend friends from fun get gets getting gift gifts give gives go
going good gorgeous got grab great had handy happy has have having help helps her here high his home honestly hot how i if in into
is it its it's just keep keeps kind know last let lets life light like likes little live long look looking looks lot lots love
lovely loves made make makes making many may me might mine minutes more morning most much must my need needs new next nice night
no not now of off offer on once one only or order other our out over own perfect perfectly pick picks piece place please plus pretty
price prices quality quick quickly quite ready real really right same save saving say see seen set she show shop shopping should
simple simply since so soft some something space special stay still stock stream stunning stylish such super sure take tap
than thanks thank that the their them then there these they thing things think this those through time timer to today together
too top touch treat tried true try two up us use used useful uses using very viewers want wants was watch way we welcome well were
what when where which while who why will wish with without wonderful work works worth would yes yet you your yours yourself
everybody folks guys hello hi hey everyone's let's that's it'll you'll you're we're i'm here's there's what's don't won't can't
isn't doesn't ideal elegant sleek modern classic practical smart stylish timeless warm bright calm cheerful charming delightful
fantastic awesome brilliant incredible wonderful lovely adorable handy versatile neat clever thoughtful gentle sturdy durable
solid natural clean fresh crisp smooth soft light lightweight compact easy effortless quiet right today's tonight live stream
screen card link below button corner minute minutes left hurry fast quickly don't miss ends ending countdown
instead coming product products sale feature features cost costs regular discount discounted reduced convenient ideal
functional comfort quality durable affordable item items piece pieces style styles look choice choices option options
perfect great good nice beautiful making keeps including included include includes available whole plenty each also
experience enjoy enjoying ready brings bring bringing offers offering now here there right away just only both either
run runs running last lasts lasting purchase purchases sure i'd kept add adds stay tuned setting settings
addition office workspace home room rooms space spaces corner setup desk table shelf bedroom living kitchen
design designs convenience simplicity ease value upgrade essential essentials lifestyle routine routines moment moments
mood vibe treat pamper relax relaxing unwind cozy everyday daily weekend weekends mornings evenings nights day night
work working studying reading someone family loved ones people anyone everybody yourself ourselves gifting occasion
occasions season seasonal wonderful lovely stunning gorgeous pretty cute charming attractive appealing handsome
choice choices option selection favourite go-to must-have staple staples addition additions companion partner
helpful useful thoughtful practical versatile convenient everyday ideal great excellent superb
impressive delightful pleasant enjoyable satisfying refreshing beautiful elegant sleek clean minimal minimalist
modern timeless classic simple stylish chic tidy neat organised organized clutter
avoid discover explore via due during according different currently glad provide providing require requiring
maintain gently turn change ability preference preferences suit suits i'll we'll they're you've i've we've
whether throughout within across among toward towards beyond besides however though although unless until
drop dropped slashed marked originally previously part parts array level levels supply source stands
valid contact range wide various length construction durability shown showcase showcasing hold holds
measure measures measuring ensure ensures ensuring decrease decreased lower lowered session fully suitable
skincare appreciate introduce introducing create
remember forget expire expires soon follows ahead fallen till tip tips recommend recommended care cared caring careful carefully attention idea information info learn join start variety imagine you'd pair said case joined missed reminder heads interested
";

/// Words a product's text implies without writing them: a lamp with stepless dimming has
/// "adjustable brightness", a USB-C powered one a USB-C "port". Each entry: words of which one
/// must be in the product's text (matched by stem, so "dimming" and "dimmer" meet "dim"), and
/// the words they ground.
const IMPLIED: &[(&[&str], &[&str])] = &[
    (&["dim", "bright"], &["adjustable", "adjust", "brightness", "dimmable", "dimmer", "dim", "customizable"]),
    (&["usb"], &["port", "plug"]),
    (&["cable", "cord"], &["plug", "plugs"]),
    // A fit note ("Model is 178 cm and wears size M") gives a height.
    (&["model"], &["tall", "height"]),
    // What goes on skin or hair is applied ("pat onto damp skin" → "apply it to damp skin").
    (&["skin", "hair", "face", "lips"], &["apply", "applying", "application"]),
    // A measure's noun: "3.5 cm wide" gives a width ("a 3.5 cm width" was refused 7 times in
    // 30 minutes of EUR fashion).
    (&["wide"], &["width"]),
    (&["deep"], &["depth"]),
    (&["thick"], &["thickness"]),
    (&["warm"], &["warmth"]),
    // What is worn is a garment, part of an outfit. Not "clothes": its stem is "cloth" (a
    // dry-clean-only coat came out "To dry clean it, use a clean cloth").
    (&["sweater", "shirt", "tee", "trousers", "jeans", "merino", "jacket", "dress", "skirt", "knit", "knitwear"], &["garment", "garments", "outfit", "outfits", "wardrobe"]),
];

const SUFFIXES: &[&str] = &["ing", "ed", "es", "s", "ly", "er"];

/// A word reduced for matching: lower case, common suffixes off, and long words cut to their
/// first five letters, so "washes" and "washable", "breathable" and "breathability" meet
/// (while "amazon" stays apart from "amazing").
fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    // "the lamp's arm" speaks of the lamp.
    if let Some(base) = w.strip_suffix("'s") {
        w = base.to_string();
    }
    // British and American spellings meet: personalise/personalize here, colour/color once
    // the suffix is off (so "pouring" stays with "pour").
    if w.chars().count() >= 5 {
        w = w.replace("ise", "ize").replace("isa", "iza").replace("yse", "yze");
    }
    for suf in SUFFIXES {
        if w.len() > suf.len() + 2 && w.ends_with(suf) {
            w.truncate(w.len() - suf.len());
            // "tapping" → "tap", "wiped" → "wip" (as "wipe" below).
            let b = w.as_bytes();
            if (*suf == "ing" || *suf == "ed" || *suf == "er") && b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] && !b"aeiouls".contains(&b[b.len() - 1]) {
                w.pop();
            }
            // "applied", "applies" → "appli" → "apply".
            if (*suf == "ed" || *suf == "es") && w.ends_with('i') {
                w.pop();
                w.push('y');
            }
            break;
        }
    }
    if w.chars().count() >= 5 {
        w = w.replace("our", "or");
    }
    // "wipe" and "wiped", "make" and "making" meet.
    if w.len() >= 4 && w.ends_with('e') {
        w.pop();
    }
    if w.chars().count() > 6 {
        w = w.chars().take(5).collect();
    }
    w
}

/// A word's stems for matching: its stem, and the stem of that ("powered" → "power" → "pow"
/// meets "power" → "pow"), since one pass takes one suffix off and some words end in two.
fn stems(word: &str) -> [String; 2] {
    let once = stem(word);
    let twice = stem(&once);
    [once, twice]
}

/// Units written after a number in catalogs, and the words a host says for them ("1.5 m" →
/// "1.5 meters", "5V/2A" → "five volts, two amps").
const UNITS: &[(&str, &[&str])] = &[
    ("m", &["meter", "metre"]),
    ("cm", &["centimeter", "centimetre"]),
    ("mm", &["millimeter", "millimetre"]),
    ("km", &["kilometer", "kilometre"]),
    ("kg", &["kilogram", "kilo"]),
    ("g", &["gram", "gramme"]),
    ("mg", &["milligram"]),
    ("ml", &["milliliter", "millilitre"]),
    ("l", &["liter", "litre"]),
    ("oz", &["ounce"]),
    ("lb", &["pound"]),
    ("lbs", &["pound"]),
    ("in", &["inch", "inches"]),
    ("ft", &["foot", "feet"]),
    ("w", &["watt"]),
    ("v", &["volt"]),
    ("a", &["amp", "ampere"]),
    ("mah", &["milliamp", "hour"]),
    ("h", &["hour"]),
    ("hr", &["hour"]),
    ("hrs", &["hour"]),
    ("min", &["minute"]),
    ("k", &["kelvin"]),
];

/// The spoken words of the units the text writes after numbers.
fn unit_words(text: &str) -> Vec<&'static str> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
            i += 1;
        }
        let mut j = i;
        if chars.get(j) == Some(&' ') {
            j += 1;
        }
        let start = j;
        while j < chars.len() && chars[j].is_alphabetic() {
            j += 1;
        }
        // 3.2" is 3.2 inches.
        if chars.get(i) == Some(&'"') {
            out.push("inch");
            out.push("inches");
        }
        let unit: String = chars[start..j].iter().collect::<String>().to_lowercase();
        if let Some((_, said)) = UNITS.iter().find(|(u, _)| *u == unit) {
            out.extend(said.iter().copied());
        }
    }
    out
}

pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'')).map(|w| w.trim_matches('\'')).filter(|w| !w.is_empty())
}

/// Whether a phrase's last word names a thing (a word, not a number or a symbol, and not
/// talk): what `called_another_thing` and `discount_on_a_part` look at.
fn names_a_thing(head: &str) -> bool {
    head.chars().count() >= 3 && head.chars().all(char::is_alphabetic) && !is_talk(head)
}

/// Whether a word is everyday selling talk (states nothing about a product).
pub fn is_talk(word: &str) -> bool {
    static TALK_STEMS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    TALK_STEMS.get_or_init(|| words(TALK).map(stem).collect()).contains(&stem(word))
}

/// The words a sentence about a product may use.
pub struct Vocabulary {
    stems: HashSet<String>,
    /// Stems of the words the product's own text says no about ("does not sweat", "no
    /// alcohol", "without a click"): the only denials a line may make.
    negated: HashSet<String>,
    /// The stems of [`Vocabulary::negated`] that the text also denies as a statement, not only
    /// as an instruction: "Do not bleach" grounds "don't bleach it", not "it does not bleach".
    negated_as_fact: HashSet<String>,
    /// Words the product's text only ever denies ("dishwasher" of "Not dishwasher safe"): a
    /// line that says them without a no says what the text denies.
    denied: Vec<String>,
    /// The [`COMPOUND_ONLY`] words the product's own text uses on their own, each with the
    /// word after it ("free shipping"): "a free serum" is not grounded by "free shipping".
    standalone: Vec<(&'static str, Option<String>)>,
    /// The product's name and its short form, lower case, longest first: a denial's object,
    /// not what it denies ("Don't bleach the Organic Cotton Tee" denies bleaching).
    names: Vec<String>,
    /// Stems of the words the product's text has only in its instructions ("balm" and "twice"
    /// of "Condition with leather balm twice a year"): said, they belong in an instruction.
    care_only: HashSet<String>,
    /// The instructions as the text has them, end punctuation off (a care label among them,
    /// "Dry clean only", said whole is a property: "it's dry clean only").
    instructions: Vec<String>,
    /// Stems of each two words in a row of an instruction of which one is in
    /// [`Vocabulary::care_only`] ("machine wash"): a line saying the pair says the instruction
    /// even where the text uses one of its words elsewhere ("washed linen").
    care_pairs: HashSet<(String, String)>,
    /// Stems of the product's words each with the words after it wherever the text uses it
    /// only to qualify another noun ("brass" → "brass buckle" of "Solid brass buckle"): what a
    /// part is made of, not the whole product.
    part_materials: Vec<(String, String)>,
    /// Stems of what the product is called (its title, type and tags): with [`TALK`], what a
    /// line may say the product is ("a gentle cleanser", "it's a great choice").
    what_it_is: HashSet<String>,
    /// What the product's text says it is safe in (see [`Vocabulary::safe_turned_round`]).
    safe_in: HashSet<String>,
}

/// Words after a material that leave it the material of the whole ("wool and polyamide",
/// "linen-cotton blend", "stoneware in sea blue"), not of a part ("brass buckle").
const AFTER_A_MATERIAL: &[&str] = &[
    "and", "or", "with", "in", "from", "for", "that", "which", "to", "on", "is", "are", "was", "by", "at", "of", "blend", "mix", "fabric",
    "fibre", "fiber", "yarn", "knit", "jersey", "construction", "body", "shell", "upper", "finish", "throughout",
];

/// Words that state an offer on their own ("with a free gift") but a property inside a
/// compound ("flicker-free"): a compound in the catalog does not ground the word alone.
const COMPOUND_ONLY: &[&str] = &["free"];

/// Whether `text` has `word` on its own: not inside a hyphenated compound or a longer word.
#[cfg(test)]
fn has_standalone(text: &str, word: &str) -> bool {
    !standalone_uses(text, word).is_empty()
}

/// Each use of `word` on its own in `text`, with the word right after it (none where a
/// punctuation mark or the end comes first), lower case.
fn standalone_uses(text: &str, word: &str) -> Vec<Option<String>> {
    let lower = text.to_lowercase();
    let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
    lower
        .match_indices(word)
        .filter(|(i, _)| !joined(lower[..*i].chars().next_back()) && !joined(lower[i + word.len()..].chars().next()))
        .map(|(i, _)| {
            let rest = &lower[i + word.len()..];
            let next = rest.strip_prefix(' ').map(|r| r.trim_start()).unwrap_or("");
            let w: String = next.chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
            (!w.is_empty()).then_some(w)
        })
        .collect()
}

impl Vocabulary {
    /// The product's own text, every product's name (transitions name the next one), the show's
    /// title, the host's name, and everyday talk.
    pub fn for_product(product: &Product, all: &[Product], show_title: &str, host: &str) -> Vocabulary {
        let mut known: HashSet<String> = words(TALK).map(stem).collect();
        let mut add = |t: &str| {
            for w in words(t) {
                known.extend(stems(w));
            }
            for u in unit_words(t) {
                known.extend(stems(u));
            }
        };
        add(&product.title);
        add(&product.description);
        for p in &product.points {
            add(p);
        }
        for v in &product.variants {
            add(&v.title);
            for (n, val) in &v.options {
                add(n);
                add(val);
            }
        }
        if let Some(t) = &product.product_type {
            add(t);
        }
        for t in &product.tags {
            add(t);
        }
        for p in all {
            add(&p.title);
        }
        add(show_title);
        add(host);
        // One point a line: a point ends a clause ("… inside out" and "Do not bleach").
        let own = format!("{}\n{}\n{}", product.title, product.description, product.points.join("\n"));
        let own_stems: HashSet<String> = words(&own).flat_map(stems).collect();
        for (triggers, implied) in IMPLIED {
            if triggers.iter().any(|t| stems(t).iter().any(|s| own_stems.contains(s))) {
                for w in *implied {
                    known.extend(stems(w));
                }
            }
        }
        // Small numbers the product's text writes in digits may be said in words ("3 colour
        // temperatures" → "three colour temperatures"); the guard checks the digits.
        const NUMBER_WORDS: [&str; 13] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
        for n in crate::guard::numbers_in(&own) {
            if let Ok(i) = n.parse::<usize>()
                && i < NUMBER_WORDS.len()
            {
                known.insert(stem(NUMBER_WORDS[i]));
            }
        }
        let mut own_text = format!("{own} {}", product.product_type.clone().unwrap_or_default());
        for v in &product.variants {
            own_text.push_str(&format!(" {}", v.title));
        }
        let standalone = COMPOUND_ONLY.iter().flat_map(|w| standalone_uses(&own_text, w).into_iter().map(move |next| (*w, next))).collect();
        let lower = own_text.to_lowercase();
        let found = denials(&lower, 4);
        let mut negated: HashSet<String> = found.iter().flat_map(|d| &d.span).flat_map(|w| stems(w)).collect();
        let mut negated_as_fact: HashSet<String> = found.iter().filter(|d| !d.instruction).flat_map(|d| &d.span).flat_map(|w| stems(w)).collect();
        // "paraben-free", "fragrance-free": the text says no to parabens and fragrance.
        let free = free_of(&lower);
        for w in &free {
            negated.extend(stems(w));
            negated_as_fact.extend(stems(w));
        }
        // What the text only ever says no to ("Not dishwasher safe", "without a greasy feel"):
        // the first word of each denial that is no everyday talk, unless the text also says it
        // plainly somewhere (a "lid" denied "(without lid)" and sold "with snap-lock lids").
        let said_plainly: HashSet<String> = lower
            .split(CLAUSE_ENDS)
            .filter(|clause| denials(clause, 4).is_empty() && !clause.contains("-free"))
            .flat_map(|clause| words(clause).flat_map(stems).collect::<Vec<_>>())
            .filter(|s| negated.contains(s))
            .collect();
        let denied: Vec<String> = found
            .iter()
            .filter_map(|d| d.span.iter().take(2).find(|w| w.len() > 2 && !is_talk(w)).cloned())
            .chain(free)
            .filter(|w| !stems(w).iter().any(|s| said_plainly.contains(s)))
            .collect();
        // "Organic Cotton Tee – 2er Pack" is said "the Organic Cotton Tee".
        let title = product.title.to_lowercase();
        let short = [" – ", " — ", " - ", "(", ","].iter().fold(title.as_str(), |t, sep| t.split(sep).next().unwrap_or(t)).trim().to_string();
        let names = [title, short].into_iter().filter(|n| n.split_whitespace().count() >= 2).collect();
        let (care_only, care_pairs, instructions) = care_words(product);
        let part = part_materials(&own, &product.title);
        let what_it_is = words(&product.title)
            .chain(product.product_type.iter().flat_map(|t| words(t)))
            .chain(product.tags.iter().flat_map(|t| words(t)))
            .flat_map(|w| stems(&w.to_lowercase()))
            .collect();
        let safe_in = safe_in(&format!("{}\n{}", product.description, product.points.join("\n")));
        Vocabulary { stems: known, standalone, negated, negated_as_fact, denied, names, care_only, instructions, care_pairs, part_materials: part, what_it_is, safe_in }
    }

    /// What `sentence` says the whole product is made of where the product's text has it only
    /// as a part's: "The Vegetable-Tanned Leather Belt is made of solid brass" of a belt in
    /// "Full-grain Italian leather" with a "Solid brass buckle". Returns the material and the
    /// text's words for the part ("brass buckle").
    pub fn material_of_a_part(&self, sentence: &str) -> Option<(String, String)> {
        const MADE: &[&str] = &["made of ", "made from ", "made out of ", "crafted from ", "crafted of ", "crafted out of "];
        // "… made from full-grain Italian leather and has a 3.5 cm …": a verb ends the materials.
        const PHRASE_ENDS: &[&str] = &["with", "featuring", "for", "that", "which", "so", "to", "in", "has", "have", "is", "are", "comes", "features"];
        let lower = sentence.to_lowercase();
        MADE.iter().flat_map(|m| lower.match_indices(m).map(move |(i, _)| (i, i + m.len())).collect::<Vec<_>>()).find_map(|(start, at)| {
            let phrase = lower[at..].split(CLAUSE_ENDS).next().unwrap_or("");
            // What is made of it: "its buckle is made of solid brass" is about the part.
            let subject: HashSet<String> = words(lower[..start].rsplit(CLAUSE_ENDS).next().unwrap_or("")).flat_map(stems).collect();
            let ws: Vec<&str> = words(phrase).take_while(|w| !PHRASE_ENDS.contains(w)).collect();
            // "wool and polyamide": each material is the last word before an "and" or "or".
            // A material is a word of letters, not an article ("a" of "a single piece").
            let material = |w: &&&str| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic) && !["the", "its", "their", "this"].contains(*w);
            ws.split(|w| ["and", "or"].contains(w)).filter_map(|part| part.iter().rev().find(material)).find_map(|head| {
                let found = stems(head).into_iter().find_map(|s| self.part_materials.iter().find(|(p, _)| *p == s))?;
                let part_noun = found.1.split(' ').nth(1).unwrap_or("");
                (!stems(part_noun).iter().any(|s| subject.contains(s))).then(|| (head.to_string(), found.1.clone()))
            })
        })
    }

    /// The thing `sentence` says the product is, where the product's text has that word only
    /// for something else: "The Élise Wool-Blend Coat is a soft, chunky knit" of a coat whose
    /// "shoulders are soft, so a chunky knit fits underneath", "it's a solid brass buckle" of a
    /// belt. What the product is called ("a gentle cleanser" of the Gentle Foaming Cleanser)
    /// and talk ("a great choice") pass.
    pub fn called_another_thing(&self, sentence: &str) -> Option<String> {
        // A verb ends the noun phrase too: "a great choice and has a solid brass buckle".
        const PHRASE_ENDS: &[&str] = &[
            "that", "with", "for", "which", "to", "in", "from", "made", "of", "you", "i", "because", "so", "like", "has", "have", "is", "are", "comes",
            "features", "includes", "makes", "keeps", "will", "can",
        ];
        let lower = sentence.to_lowercase().replace(['’', '‘'], "'");
        let ends = |c: char| CLAUSE_ENDS.contains(&c) && c != ',';
        // Whole words only: "this a …" has no "is a".
        let starts_a_word = |i: usize| !lower[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        ["is a ", "is an ", "it's a ", "it's an ", "are a "].iter().flat_map(|m| lower.match_indices(m).filter(|(i, _)| starts_a_word(*i)).map(move |(i, _)| i + m.len()).collect::<Vec<_>>()).find_map(|at| {
            let phrase = lower[at..].split(ends).next().unwrap_or("");
            let ws: Vec<&str> = words(phrase).take_while(|w| !PHRASE_ENDS.contains(w)).collect();
            // The head is the last noun's: "a rich and lightweight lotion" is a lotion.
            let head = *ws.split(|w| ["and", "or"].contains(w)).filter(|part| !part.is_empty()).last()?.last()?;
            (names_a_thing(head) && !self.calls_it(head)).then(|| head.to_string())
        })
    }

    /// Whether `word` is one of what the product is called (its title, type or tags).
    fn calls_it(&self, word: &str) -> bool {
        stems(word).iter().any(|s| self.what_it_is.contains(s))
    }

    /// The part a discount is said to be on: "The Barista Bundle has an 18% discount on its
    /// hand burr grinder" (the live price is the whole product's). A discount on "its price"
    /// or the product ("20% off the Barista Bundle") passes; what follows "its" is a part
    /// unless it is talk ("its regular price"); what follows "the" is one unless it is what
    /// the product is called or talk.
    pub fn discount_on_a_part(&self, sentence: &str) -> Option<String> {
        const PHRASE_ENDS: &[&str] = &[
            "today", "now", "tonight", "right", "only", "just", "until", "while", "during", "when", "if", "at", "for", "with", "and", "or", "so", "that", "which",
            "you", "is", "are", "will", "in",
        ];
        // What a product is, whatever its name: "a discount on this set".
        const THE_WHOLE: &[&str] = &["set", "bundle", "kit", "pack", "item", "product", "one", "piece", "pair", "collection", "duo", "trio"];
        let lower = sentence.to_lowercase().replace(['’', '‘'], "'");
        lower.split(CLAUSE_ENDS).find_map(|clause| {
            let ws: Vec<&str> = words(clause).collect();
            (0..ws.len()).find_map(|i| {
                // "18% off", "a discount on", "save on"; not "take it off the shelf".
                let after = match (i.checked_sub(1).map(|j| ws[j]), ws[i], ws.get(i + 1).copied()) {
                    (Some(n), "off", _) if n.chars().all(|c| c.is_ascii_digit()) || n == "percent" => i + 1,
                    (_, "discount" | "discounted" | "savings" | "saving" | "save", Some("on")) => i + 2,
                    _ => return None,
                };
                let owner = *ws.get(after)?;
                if !["its", "their", "the", "this", "that"].contains(&owner) {
                    return None;
                }
                let phrase: Vec<&str> = ws[after + 1..].iter().copied().take_while(|w| !PHRASE_ENDS.contains(w)).collect();
                let head = *phrase.last()?;
                let part = names_a_thing(head) && !THE_WHOLE.contains(&head) && (["its", "their"].contains(&owner) || !self.calls_it(head));
                part.then(|| phrase.join(" "))
            })
        })
    }

    /// What the product is safe in, said in `sentence` to be what is safe ("The Dishwasher is
    /// safe for this …" of a product "Dishwasher safe"), if it is.
    pub fn safe_turned_round(&self, sentence: &str) -> Option<String> {
        safe_turned_round(sentence, &self.safe_in)
    }

    /// A word of the product's instructions that `sentence` says as a property: "The Vegetable-
    /// Tanned Leather Belt has leather balm twice a year" of "Condition with leather balm twice
    /// a year", "Iron is on medium heat while slightly damp", "The machine washes at 30 °C".
    /// `None` when fewer than two such words are said (one may be plain talk: "cold days" of
    /// "wash cold"), when each clause that says one is an instruction ("condition it with
    /// leather balm twice a year", "don't tumble dry it", "it can be machine washed at 30 °C"),
    /// when the sentence speaks to the viewer ("you can …"), or when it says a care label whole
    /// ("it's dry clean only").
    ///
    /// Returns the word and the instruction it comes from (the one sharing most words with the
    /// sentence), as the text has it.
    pub fn instruction_as_property(&self, sentence: &str) -> Option<(String, String)> {
        if self.care_only.is_empty() {
            return None;
        }
        let lower = sentence.to_lowercase().replace(['’', '‘'], "'");
        let care = |w: &str| stems(w).iter().any(|s| self.care_only.contains(s));
        let all: Vec<&str> = words(&lower).collect();
        let said: HashSet<&str> = all.iter().copied().filter(|w| care(w)).collect();
        let pairs = all.windows(2).filter(|p| self.care_pairs.contains(&(stem(p[0]), stem(p[1])))).count();
        // "40°C" and "40 °C", "dry-clean only" and "dry clean only" are the same quote.
        let squeezed = |t: &str| t.to_lowercase().chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>();
        // A label said whole is a property: "it's dry clean only", "hand wash only".
        let label = |i: &String| i.to_lowercase().ends_with(" only") && squeezed(&lower).contains(&squeezed(i));
        if said.len() + pairs < 2 || all.contains(&"you") || self.instructions.iter().any(label) {
            return None;
        }
        // A clause with no verb of its own ("…, inside out", "After showering, …") goes with
        // the clause before it, or with the one after where it comes first.
        let clauses: Vec<(&str, Vec<&str>)> = lower.split([',', ':', ';', '.', '!', '?', '—', '–']).map(|c| (c, words(c).collect::<Vec<_>>())).filter(|(_, ws)| !ws.is_empty()).collect();
        let own: Vec<Option<bool>> = clauses
            .iter()
            .map(|(c, ws)| {
                let instruction = is_instruction(ws, c);
                (instruction || !is_fragment(ws)).then_some(instruction)
            })
            .collect();
        let status = |i: usize| own[i].or_else(|| own[..i].iter().rev().flatten().next().copied()).or_else(|| own[i..].iter().flatten().next().copied()).unwrap_or(false);
        let word = clauses.iter().enumerate().find_map(|(i, (_, ws))| if status(i) { None } else { ws.iter().find(|w| care(w)).map(|w| w.to_string()) })?;
        let sentence_stems: HashSet<String> = all.iter().flat_map(|w| stems(w)).collect();
        let shared = |i: &String| words(&i.to_lowercase()).filter(|w| stems(w).iter().any(|s| sentence_stems.contains(s))).count();
        let from = self.instructions.iter().filter(|i| words(&i.to_lowercase()).any(|w| stems(w).iter().any(|s| stems(&word).contains(s)))).max_by_key(|i| shared(i))?;
        Some((word, from.clone()))
    }

    /// A denial in `sentence` that the product's own text does not make, if any: "It doesn't
    /// contain vitamin A" about an oil rich in it, "do not use the dropper" about an oil applied
    /// with one. Every word a denial covers must be one the text says no about ("does not
    /// sweat" grounds "it doesn't sweat"); stock phrases ("don't miss it") deny nothing.
    pub fn unsupported_denial(&self, sentence: &str) -> Option<String> {
        let sentence = self.names.iter().fold(sentence.to_lowercase(), |s, name| s.replace(name.as_str(), "it"));
        // "Do not wash your coat", "do not bleach the tee": the product's head noun is what
        // an instruction is about, not what it denies.
        let heads: Vec<&str> = self.names.iter().filter_map(|n| n.split_whitespace().last()).collect();
        denials(&sentence, 3).into_iter().find_map(|Denial { negation, mut span, instruction }| {
            span.retain(|w| !heads.contains(&w.as_str()));
            let first = span.first()?;
            // A care instruction said as a property ("Do not bleach" → "it does not bleach",
            // "Do not wash" → "it doesn't need to be washed") states what the text does not.
            let grounded = if instruction { &self.negated } else { &self.negated_as_fact };
            if STOCK_DENIALS.contains(&first.as_str()) || span.iter().all(|w| stems(w).iter().any(|s| grounded.contains(s))) {
                return None;
            }
            Some(format!("{negation} {}", span.join(" ")))
        })
    }

    /// A word the product's text only ever denies, said in `sentence` without a no: "The Cast
    /// Iron Skillet Duo is dishwasher safe" about a skillet "Not dishwasher safe" (a small
    /// model drops the "not"). `None` when every such word is denied where it is said.
    pub fn denied_claim(&self, sentence: &str) -> Option<String> {
        if self.denied.is_empty() {
            return None;
        }
        let lower = sentence.to_lowercase().replace(['’', '‘'], "'");
        let covered: HashSet<String> = denials(&lower, 4).into_iter().flat_map(|d| d.span).chain(free_of(&lower)).flat_map(|w| stems(&w)).collect();
        let said: HashSet<String> = words(&lower).flat_map(stems).collect();
        self.denied.iter().find(|w| stems(w).iter().any(|s| said.contains(s)) && !stems(w).iter().any(|s| covered.contains(s))).cloned()
    }

    /// Whether a word the vocabulary knows may begin with `piece` (a word's first letters, lower
    /// case): a piece no known word begins with begins only words [`Vocabulary::unknown`]
    /// refuses. Errs towards yes (a stem is a word cut short).
    pub fn may_begin_a_known_word(&self, piece: &str) -> bool {
        // A five-letter stem may be a longer word cut ("stonewashed" is "stone").
        self.stems.iter().any(|s| s.starts_with(piece) || (s.len() >= 5 && piece.starts_with(s.as_str())))
    }

    /// The words of `sentence` this vocabulary does not have (numbers are the guard's job).
    pub fn unknown(&self, sentence: &str) -> Vec<String> {
        // Idioms of the offer's timer ("keep your eye on the timer") say nothing about a
        // product; "eye" alone might ("gentle around the eyes").
        let mut plain = sentence.to_string();
        for idiom in STOCK_IDIOMS {
            // ASCII lower case keeps every byte where it was.
            while let Some(at) = plain.to_ascii_lowercase().find(idiom) {
                plain.replace_range(at..at + idiom.len(), " ");
            }
        }
        let sentence = plain.as_str();
        words(sentence)
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            // "200ml": the number is the guard's; the unit must be the catalog's.
            .filter(|w| {
                let unit = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                unit.len() == w.len() || !stems(unit).iter().any(|s| self.stems.contains(s))
            })
            .filter(|w| w.chars().count() > 2)
            .filter(|w| !stems(w).iter().any(|s| self.stems.contains(s)))
            .map(|w| w.to_string())
            .chain(
                COMPOUND_ONLY
                    .iter()
                    .filter(|w| standalone_uses(sentence, w).into_iter().any(|next| !self.standalone.iter().any(|(sw, sn)| sw == *w && *sn == next)))
                    .map(|w| w.to_string()),
            )
            .collect()
    }
}

/// The words a product's text has only in its instructions ("Condition with leather balm twice a
/// year", "Iron on medium heat while slightly damp"), as stems; each two words in a row of an
/// instruction one of which is such a word; and the instructions themselves, end punctuation off.
fn care_words(product: &Product) -> (HashSet<String>, HashSet<(String, String)>, Vec<String>) {
    let instructions: Vec<&String> = product.points.iter().filter(|p| Point::new(p).form == Form::Usage).collect();
    let mut elsewhere = instructions.iter().fold(product.description.clone(), |d, i| d.replace(i.trim_end_matches(['.', '!']), " "));
    for p in product.points.iter().filter(|p| !instructions.contains(p)) {
        elsewhere.push_str(&format!("\n{p}"));
    }
    elsewhere.push_str(&format!("\n{}\n{}\n{}", product.title, product.product_type.clone().unwrap_or_default(), product.tags.join(" ")));
    for v in &product.variants {
        elsewhere.push_str(&format!("\n{}", v.title));
        for (n, val) in &v.options {
            elsewhere.push_str(&format!("\n{n} {val}"));
        }
    }
    let elsewhere: HashSet<String> = words(&elsewhere).flat_map(stems).collect();
    let care_only: HashSet<String> = instructions
        .iter()
        .flat_map(|i| words(i).map(str::to_lowercase).collect::<Vec<_>>())
        .filter(|w| w.len() > 2 && !w.chars().any(|c| c.is_ascii_digit()) && !is_talk(w) && !stems(w).iter().any(|s| elsewhere.contains(s)))
        .flat_map(|w| stems(&w))
        .collect();
    let care_pairs = instructions
        .iter()
        .flat_map(|i| {
            let ws: Vec<String> = words(&i.to_lowercase()).map(str::to_string).collect();
            ws.windows(2).map(|p| (stem(&p[0]), stem(&p[1]))).collect::<Vec<_>>()
        })
        .filter(|(a, b)| care_only.contains(a) || care_only.contains(b))
        .collect();
    let instructions = instructions.iter().map(|i| i.trim().trim_end_matches(['.', '!']).to_string()).collect();
    (care_only, care_pairs, instructions)
}

/// Each word of the product's own text (`own`) that it only ever puts before another noun, as
/// stems with the two words ("brass" → "brass buckle"): a word before a clause end, a function
/// word or a word of the product's name is ever the whole thing's material.
fn part_materials(own: &str, title: &str) -> Vec<(String, String)> {
    let title_stems: HashSet<String> = words(&title.to_lowercase()).flat_map(stems).collect();
    let (mut whole, mut part): (HashSet<String>, Vec<(String, String)>) = (HashSet::new(), Vec::new());
    for clause in own.to_lowercase().split(CLAUSE_ENDS) {
        let ws: Vec<&str> = words(clause).collect();
        for (i, w) in ws.iter().enumerate() {
            match ws.get(i + 1) {
                Some(next) if !AFTER_A_MATERIAL.contains(next) && !stems(next).iter().any(|s| title_stems.contains(s)) => {
                    part.extend(stems(w).into_iter().map(|s| (s, format!("{w} {next}"))));
                }
                _ => whole.extend(stems(w)),
            }
        }
    }
    part.retain(|(s, _)| !whole.contains(s));
    part
}

/// Whether a clause (lower case, as words) has no subject or verb of its own: "inside out",
/// "on the wool cycle".
fn is_fragment(ws: &[&str]) -> bool {
    const OWN: &[&str] = &["is", "are", "was", "were", "has", "have", "it", "it's", "its", "they", "they're", "this", "these", "the", "can", "will", "does"];
    !ws.iter().any(|w| OWN.contains(w))
}

/// Whether a clause (lower case, as words) tells how to use or care for the product: it opens
/// with an imperative ("condition it …", "hand wash it cold", "don't tumble dry") or says what
/// the product can or should have done ("it can be machine washed", "it needs …").
fn is_instruction(ws: &[&str], clause: &str) -> bool {
    const OPENERS: &[&str] = &["and", "then", "also", "so", "just", "simply", "please", "gently", "always", "never", "don't", "do", "not", "only", "let's", "to"];
    const MODAL: &[&str] = &["can be", "should be", "must be", "needs", "need to", "is best", "are best", "it's best", "best to", "easy to", "how to"];
    if MODAL.iter().any(|m| clause.contains(m)) {
        return true;
    }
    let lead = ws.iter().take_while(|w| OPENERS.contains(w)).count();
    let (Some(verb), next) = (ws.get(lead), ws.get(lead + 1).copied().unwrap_or("")) else {
        return false;
    };
    if ["is", "are", "was", "were", "has", "have", "will"].contains(&next) {
        return false;
    }
    // "don't bleach", "never iron": a no or an always makes any verb an instruction.
    if ws[..lead].iter().any(|w| ["don't", "do", "never", "always", "please", "let's"].contains(w)) {
        return true;
    }
    match *verb {
        // "hand wash", "machine wash", "tumble dry": the opener needs its verb.
        "hand" | "machine" | "spot" | "line" | "tumble" => IMPERATIVES.contains(&next),
        v => IMPERATIVES.contains(&v),
    }
}

/// The words `text` (lower case) puts before "-free" ("bpa" of "BPA-free").
fn free_of(text: &str) -> Vec<String> {
    text.match_indices("-free").filter_map(|(i, _)| words(&text[..i]).last().map(str::to_string)).collect()
}

/// Stock phrases of selling talk whose words are not everyday talk on their own.
const STOCK_IDIOMS: &[&str] = &["an eye on", "your eye on", "your eyes on", "an eye out", "your eyes peeled"];

/// Words that say no.
const NEGATIONS: &[&str] = &[
    "no", "not", "non", "never", "nor", "without", "nothing", "none", "cannot", "don't", "doesn't", "isn't", "aren't", "can't", "won't", "wasn't", "weren't", "didn't",
    "shouldn't", "wouldn't", "couldn't", "haven't", "hasn't",
];

/// Selling talk that starts with a no and denies nothing about a product.
const STOCK_DENIALS: &[&str] = &["miss", "forget", "wait", "worry", "worries", "hesitate", "only", "just", "matter", "sleep", "delay", "problem", "doubt"];

/// Little words a denial's span skips ("does not *have any* parabens").
const SPAN_SKIP: &[&str] = &[
    "a", "an", "the", "any", "to", "on", "of", "for", "in", "with", "your", "you", "it", "its", "it's", "be", "is", "are", "was", "have", "has", "so", "too", "very",
    "at", "or", "this", "that", "them", "they", "we", "me", "my", "our", "do", "does", "get", "ever", "even", "really", "more", "much", "need", "needed", "by", "from",
    // Verbs a denial hangs on: "doesn't contain parabens" is grounded by "no parabens".
    "contain", "contains", "include", "includes", "come", "comes", "use",
];

/// Where a clause ends, for the denials: punctuation, and the end of a point (one a line).
const CLAUSE_ENDS: [char; 13] = [',', '.', ';', ':', '!', '?', '—', '–', '(', ')', '<', '>', '\n'];

/// A negation and what it covers.
struct Denial {
    negation: String,
    /// Up to `max` content words it covers.
    span: Vec<String>,
    /// Said as an instruction: at the clause's start ("Do not tumble dry", "never iron the
    /// print"), or after "should"/"must"/"please".
    instruction: bool,
}

/// Each negation in `text` with up to `max` content words it covers (to the end of its clause,
/// or an "and"/"but"), lower case.
fn denials(text: &str, max: usize) -> Vec<Denial> {
    // A spaced hyphen is a dash: "not dishwasher safe - hand wash" denies no hand washing.
    let text = text.to_lowercase().replace(['’', '‘'], "'").replace(" - ", " — ");
    let mut out = Vec::new();
    for clause in text.split(CLAUSE_ENDS) {
        let ws: Vec<&str> = words(clause).collect();
        for (i, w) in ws.iter().enumerate() {
            // "free from parabens" says no too.
            let free_of = *w == "free" && ws.get(i + 1).is_some_and(|n| *n == "from" || *n == "of");
            if !NEGATIONS.contains(w) && !free_of {
                continue;
            }
            // "non-sticky" denies one word; "not sticky and fast-drying" denies what comes
            // before the "and".
            let max = if *w == "non" { 1 } else { max };
            let span: Vec<String> = ws[i + 1..]
                .iter()
                .take_while(|w| **w != "and" && **w != "but")
                .filter(|w| !SPAN_SKIP.contains(w) && !NEGATIONS.contains(w))
                .take(max)
                .map(|w| w.to_string())
                .collect();
            let before: Vec<&str> = ws[..i].iter().copied().filter(|w| !["please", "so", "and", "just", "but", "then", "also"].contains(w)).collect();
            let instruction = match before.as_slice() {
                [] => ["don't", "never"].contains(w),
                ["do"] => *w == "not",
                [.., b] => ["should", "must"].contains(b) && *w == "not",
            } || ["shouldn't", "mustn't"].contains(w);
            out.push(Denial { negation: w.to_string(), span, instruction });
        }
    }
    out
}

/// "The Dishwasher is safe for this …" of a product "Dishwasher safe": what the product is
/// safe in, said to be what is safe (the 0.5B, three times in one test run). The word before
/// "safe" in the product's text ("dishwasher", "freezer and microwave", "oven-safe"), said as
/// "the dishwasher is safe" or "microwaves are safe".
fn safe_turned_round(sentence: &str, safe_in: &HashSet<String>) -> Option<String> {
    let said = split_lower(sentence);
    said.windows(3).find_map(|w| {
        let thing = w[0].strip_suffix('s').filter(|t| safe_in.contains(*t)).unwrap_or(&w[0]);
        (safe_in.contains(thing) && ["is", "are"].contains(&w[1].as_str()) && w[2] == "safe").then(|| thing.to_string())
    })
}

/// Lower-case words of `t`, split at anything not a letter or digit ("oven-safe" is two).
fn split_lower(t: &str) -> Vec<String> {
    t.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// What a product's text says it is safe in: the words before each "safe" ("dishwasher",
/// "freezer" and "microwave" of "Freezer and microwave safe", "oven" of "Oven-safe").
fn safe_in(product_text: &str) -> HashSet<String> {
    let text = split_lower(product_text);
    let mut safe_in: HashSet<String> = HashSet::new();
    for i in (0..text.len()).filter(|&i| text[i] == "safe") {
        // "freezer and microwave safe": both.
        let mut j = i;
        while j > 0 && !["is", "are", "it", "not", "and"].contains(&text[j - 1].as_str()) {
            safe_in.insert(text[j - 1].clone());
            j = if j >= 2 && text[j - 2] == "and" { j - 2 } else { 0 };
        }
    }
    safe_in
}

/// Superlatives and absolutes a host must not claim about a product, whatever its catalog says.
pub const SUPERLATIVES: &[&str] = &["the best", "the most", "ultimate", "unbeatable", "unmatched", "world's", "number one", "#1", "revolutionary", "perfect for everyone"];

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog of the repository, by its path from the root.
    fn catalog(path: &str) -> show::Catalog {
        show::catalog::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path), show::Currency::USD).unwrap()
    }

    #[test]
    fn invented_words_are_found() {
        let cat = catalog("assets/demo/catalog.csv");
        let throw = cat.product("stonewashed-linen-throw").unwrap();
        let v = Vocabulary::for_product(throw, &cat.products, "Sunny Nest Live", "Mia");
        assert!(v.unknown("This linen throw is stonewashed for softness and gets softer with every wash.").is_empty());
        assert_eq!(v.unknown("It is made of stonewashed wool and arrives tomorrow."), ["wool", "arrives", "tomorrow"]);
        assert!(v.unknown("Tap the card to grab the Self-Watering Planter next!").is_empty());
        assert!(v.unknown("Keep your eye on the timer for this deal.").is_empty(), "{:?}", v.unknown("Keep your eye on the timer for this deal."));
        assert_eq!(v.unknown("It is gentle on the eyes."), ["eyes"]);
        // Inflections that take two suffixes, and units said in words.
        let lamp = cat.product("bamboo-led-desk-lamp").unwrap();
        let v = Vocabulary::for_product(lamp, &cat.products, "Sunny Nest Live", "Mia");
        assert!(v.unknown("USB-C power, a cable of 1.5 meters and the adapter come with it.").is_empty(), "{:?}", v.unknown("USB-C power, a cable of 1.5 meters and the adapter come with it."));
        assert_eq!(v.unknown("It runs on batteries for hours."), ["batteries", "hours"]);
        assert!(v.unknown("The lamp's bamboo arm is sealed with lacquer.").is_empty());
        // British/American spellings, and "pouring" from "Pour-Over" in a product's name.
        assert!(v.unknown("Its colours and colors look great.").is_empty());
        assert!(v.unknown("Next, the set for pouring coffee.").is_empty());
        // "flicker-free" in the lamp's text does not make a free gift.
        assert!(v.unknown("Its light is flicker-free.").is_empty());
        assert_eq!(v.unknown("You can buy it today with a free gift."), ["free"]);
        // The serum's SEO line says "free shipping on orders over $50": that grounds free
        // shipping, not a free serum (a 30-minute run of the cosmetics export spoke one).
        let cosmetics = catalog("tests/fixtures/shopify-cosmetics.csv");
        let serum = cosmetics.products.iter().find(|p| p.title.contains("Hyaluronic Hydrating Serum")).unwrap();
        let sv = Vocabulary::for_product(serum, &cosmetics.products, "Glow Lab Live", "Ava");
        assert_eq!(sv.unknown("Tap the product card for a free Hyaluronic Hydrating Serum!"), ["free"]);
        assert!(sv.unknown("Plus, free shipping on orders over $50.").is_empty());
        // What the text implies: stepless dimming is adjustable brightness, USB-C power has a port;
        // neutral words of instructions and offers.
        assert!(v.unknown("It has three colour temperatures and adjustable brightness.").is_empty());
        assert!(v.unknown("It plugs into a USB-C port with a 1.5 m cable.").is_empty());
        assert!(v.unknown("Avoid contact with water; this price is valid for 5 minutes.").is_empty());
        assert_eq!(v.unknown("It has a water-resistant finish for charging devices."), ["resistant", "charging", "devices"]);
        let set = cat.product("ceramic-pour-over-coffee-set").unwrap();
        let v = Vocabulary::for_product(set, &cat.products, "Sunny Nest Live", "Mia");
        assert!(v.unknown("Two 200ml cups, 3.2 inches tall, comfortable to hold.").is_empty(), "{:?}", v.unknown("Two 200ml cups, 3.2 inches tall, comfortable to hold."));
        assert_eq!(v.unknown("Two 200kg cups."), ["200kg"]);
        // y → i before a suffix: "apply" and "applied" meet.
        for w in ["applied", "applies"] {
            assert!(stems(w).iter().any(|s| stems("apply").contains(s)), "{w}: {:?} vs {:?}", stems(w), stems("apply"));
        }
        let throw = cat.product("stonewashed-linen-throw").unwrap();
        let v = Vocabulary::for_product(throw, &cat.products, "Sunny Nest Live", "Mia");
        assert_eq!(v.unknown("It has adjustable straps and a USB port."), ["adjustable", "straps", "USB", "port"]);
        assert!(!has_standalone("BPA-free and lead-free", "free"));
    }

    #[test]
    fn a_piece_no_known_word_begins_with_is_told_apart() {
        let cat = catalog("assets/demo/catalog.csv");
        let throw = cat.product("stonewashed-linen-throw").unwrap();
        let v = Vocabulary::for_product(throw, &cat.products, "Sunny Nest Live", "Mia");
        // "stonewashed", "softer": known words begin so; nothing known begins "woo" or "tomo".
        for piece in ["stone", "stonew", "soft", "lin"] {
            assert!(v.may_begin_a_known_word(piece), "{piece}");
        }
        for piece in ["woo", "tomo", "blem"] {
            assert!(!v.may_begin_a_known_word(piece), "{piece}");
        }
    }

    #[test]
    fn what_it_is_safe_in_is_not_what_is_safe() {
        let text = "Glass meal prep containers.\nDishwasher safe\nFreezer and microwave safe\nOven-safe to 500 °F";
        for wrong in ["The Dishwasher is safe for this Meal Prep Container Set.", "Microwaves are safe with it.", "The freezer is safe for the Meal Prep Container Set."] {
            assert!(safe_turned_round(wrong, &safe_in(text)).is_some(), "{wrong}");
        }
        for right in ["The Meal Prep Container Set is dishwasher safe.", "It's freezer and microwave safe.", "It is oven-safe to 500 °F.", "The glass is safe in the oven."] {
            assert_eq!(safe_turned_round(right, &safe_in(text)), None, "{right}");
        }
    }

    #[test]
    fn denials_only_where_the_catalog_denies() {
        let cat = catalog("assets/demo/catalog.csv");
        let lamp = cat.product("bamboo-led-desk-lamp").unwrap();
        let v = Vocabulary::for_product(lamp, &cat.products, "Sunny Nest Live", "Mia");
        // The lamp's text: "sets brightness and colour without a click".
        assert_eq!(v.unsupported_denial("The touch strip sets the brightness without a click."), None);
        assert_eq!(v.unsupported_denial("It doesn’t contain batteries."), Some("doesn't batteries".into()));
        assert_eq!(v.unsupported_denial("You may not grab the lamp by tapping the card."), Some("not grab tapping".into()));
        // "flicker-free" in the lamp's text: it does not flicker.
        assert_eq!(v.unsupported_denial("Its light doesn't flicker."), None);
        // Stock talk, and a no at a clause's end, deny nothing.
        assert_eq!(v.unsupported_denial("Don't miss this deal, it ends soon!"), None);
        assert_eq!(v.unsupported_denial("Hurry or not, the timer runs."), None);
        let bottle = cat.products.iter().find(|p| p.description.to_lowercase().contains("does not sweat")).expect("a product whose text says it does not sweat");
        let v = Vocabulary::for_product(bottle, &cat.products, "Sunny Nest Live", "Mia");
        assert_eq!(v.unsupported_denial("The finish does not sweat."), None);
        assert_eq!(v.unsupported_denial("It does not leak."), Some("not leak".into()));
        // Lines a 30-minute run of the cosmetics export spoke before this check.
        let cat = catalog("tests/fixtures/shopify-cosmetics.csv");
        let oil = cat.products.iter().find(|p| p.title.contains("Rose Hip Facial Oil")).unwrap();
        let v = Vocabulary::for_product(oil, &cat.products, "Glow Lab Live", "Ava");
        for line in ["It doesn't contain Vitamin A and essential fatty acids.", "Massage gently until absorbed, do not use dropper."] {
            assert!(v.unsupported_denial(line).is_some(), "{line}");
        }
        // The lotion's text: "lightweight, non-greasy", "Fragrance-free".
        let lotion = cat.products.iter().find(|p| p.title.contains("Vitamin C Brightening Lotion")).unwrap();
        let v = Vocabulary::for_product(lotion, &cat.products, "Glow Lab Live", "Ava");
        for line in ["The Vitamin C Brightening Lotion is light and doesn't get greasy.", "It has a non-greasy texture.", "It doesn't contain fragrance."] {
            assert_eq!(v.unsupported_denial(line), None, "{line}");
        }
        assert!(v.unsupported_denial("It's no longer free from parabens.").is_some());
        // A 30-minute run refused these true lines about a "non-sticky, fast-drying" gel.
        let gel = cat.products.iter().find(|p| p.title.contains("Aloe Soothing Gel")).unwrap();
        let v = Vocabulary::for_product(gel, &cat.products, "Glow Lab Live", "Ava");
        for line in ["The Aloe Soothing Gel is non-sticky and fast-drying.", "It is not sticky and fast-drying."] {
            assert_eq!(v.unsupported_denial(line), None, "{line}");
        }
        assert!(v.unsupported_denial("It doesn't dry fast.").is_some());
        // The product's name is what a denial is about, not what it denies.
        let cat = catalog("tests/fixtures/shopify-eur-fashion.csv");
        let tee = cat.products.iter().find(|p| p.title.starts_with("Organic Cotton Tee")).unwrap();
        let v = Vocabulary::for_product(tee, &cat.products, "Atelier Live", "Lena");
        assert_eq!(v.unsupported_denial("Don't bleach the Organic Cotton Tee."), None);
        assert!(v.unsupported_denial("It doesn't contain cotton.").is_some());
        // Its text says "Do not bleach": an instruction, not a property of the tee.
        assert!(v.unsupported_denial("The Organic Cotton Tee does not bleach.").is_some());
        assert_eq!(v.unsupported_denial("Please do not bleach it."), None);
        assert_eq!(v.unsupported_denial("You should not bleach it."), None);
        assert_eq!(v.unsupported_denial("Use organic cotton, GOTS certified, and do not bleach the tee."), None);
        let coat = cat.products.iter().find(|p| p.title.contains("Wool-Blend Coat")).unwrap();
        let v = Vocabulary::for_product(coat, &cat.products, "Atelier Live", "Lena");
        assert!(v.unsupported_denial("This coat doesn't need to be washed.").is_some(), "its text says \"Do not wash\": dry clean");
        assert_eq!(v.unsupported_denial("Do not wash your coat."), None);
        // The skillet's text: "Not dishwasher safe – hand wash and dry immediately".
        let cat = catalog("tests/fixtures/shopify-bundles.csv");
        let skillet = cat.products.iter().find(|p| p.title.starts_with("Cast Iron Skillet Duo")).unwrap();
        let v = Vocabulary::for_product(skillet, &cat.products, "Home Cook Live", "Leo");
        for wrong in ["The Cast Iron Skillet Duo is dishwasher safe.", "It is dishwasher safe but must be washed and dried immediately."] {
            assert_eq!(v.denied_claim(wrong).as_deref(), Some("dishwasher"), "{wrong}");
        }
        for right in ["It's not dishwasher safe, so hand wash and dry it right away.", "Keep it out of the dishwasher: it is not dishwasher safe.", "It is oven-safe up to 500 °F."] {
            assert_eq!(v.denied_claim(right), None, "{right}");
        }
        // A spaced hyphen ends the denial as the text's dash does (a 30-minute run refused it
        // as denying "hand").
        assert_eq!(v.unsupported_denial("It's not dishwasher safe - hand wash and dry immediately."), None);
        // A word the text denies once and says plainly elsewhere is no denial ("(without lid)",
        // "snap-lock lids"); "-free" says no as well.
        let set = cat.products.iter().find(|p| p.title.starts_with("Meal Prep Container Set")).unwrap();
        let v = Vocabulary::for_product(set, &cat.products, "Home Cook Live", "Leo");
        assert_eq!(v.denied_claim("It comes with snap-lock lids and silicone seals."), None);
        assert_eq!(v.denied_claim("The containers are BPA-free."), None);
        assert_eq!(v.denied_claim("The containers are made with BPA."), Some("bpa".into()));
        assert!(has_standalone("Free shipping on every order.", "free"));
    }

    /// The vocabulary of the EUR fashion export's product whose title starts `title`.
    fn eur(title: &str) -> Vocabulary {
        let cat = catalog("tests/fixtures/shopify-eur-fashion.csv");
        let p = cat.products.iter().find(|p| p.title.starts_with(title)).unwrap();
        Vocabulary::for_product(p, &cat.products, "Atelier Live", "Lena")
    }

    #[test]
    fn instructions_stay_instructions() {
        let v = eur;
        // "Condition with leather balm twice a year"; "Solid brass buckle", "Full-grain Italian leather".
        let belt = v("Vegetable-Tanned Leather Belt");
        for wrong in [
            "The Vegetable-Tanned Leather Belt has leather balm twice a year.",
            "About the Vegetable-Tanned Leather Belt: it has leather balm twice a year.",
            "The Vegetable-Tanned Leather Belt is made in Germany and has a leather balm twice a year.",
        ] {
            assert_eq!(belt.instruction_as_property(wrong).map(|(_, from)| from).as_deref(), Some("Condition with leather balm twice a year"), "{wrong}");
        }
        for right in [
            "Here's a tip: condition it with leather balm twice a year.",
            "To keep it supple, condition the belt with leather balm twice a year.",
            "It needs a little leather balm twice a year.",
            "You can condition it with leather balm twice a year.",
            "It has a solid brass buckle and full-grain Italian leather.",
        ] {
            assert_eq!(belt.instruction_as_property(right), None, "{right}");
        }
        // "Machine wash at 30 °C", "Do not tumble dry", "Iron on medium heat while slightly damp".
        let trousers = v("Linen Wide-Leg Trousers");
        // "washed linen-cotton blend" leaves "machine" the one word of "Machine wash at 30 °C"
        // its instructions have alone; said with "wash", the pair is the instruction's.
        for wrong in [
            "Iron is on medium heat while slightly damp.",
            "They are ironed on medium heat while slightly damp.",
            "The Linen Wide-Leg Trousers have machine wash at 30°C.",
            "The Linen Wide-Leg Trousers machine washes at 30°C.",
        ] {
            assert!(trousers.instruction_as_property(wrong).is_some(), "{wrong}");
        }
        for right in [
            "Iron them on medium heat while slightly damp.",
            "Machine wash them at 30 °C and don't tumble dry.",
            "They can be machine washed at 30 °C.",
            "Let's iron them on medium heat while slightly damp!",
            "How to care for the Linen Wide-Leg Trousers: machine wash at 30°C.",
        ] {
            assert_eq!(trousers.instruction_as_property(right), None, "{right}");
        }
        // "Dry flat in shape and store folded"; "Dry clean only".
        assert!(v("Merino Crew Sweater").instruction_as_property("This sweater is dry, flat, and stored folded.").is_some());
        assert_eq!(v("Élise Wool-Blend Coat").instruction_as_property("The Élise Wool-Blend Coat is dry clean only."), None);
        assert_eq!(v("Élise Wool-Blend Coat").instruction_as_property("The Élise Wool-Blend Coat is dry-clean only."), None);
        // "After showering, smooth it over …", "To use it for …, keep it in the fridge".
        let cat = catalog("tests/fixtures/shopify-cosmetics.csv");
        let vocabulary = |t: &str| Vocabulary::for_product(cat.products.iter().find(|p| p.title.starts_with(t)).unwrap(), &cat.products, "Glow Lab Live", "Ava");
        let lotion = vocabulary("Shea & Rose Hip Body Lotion");
        assert_eq!(lotion.instruction_as_property("After showering, smooth it over your arms, legs, and elbows to lock in moisture."), None);
        let gel = vocabulary("Aloe Soothing Gel");
        assert_eq!(gel.instruction_as_property("To use the Aloe Soothing Gel for an extra cooling effect, keep it in the fridge."), None);
        // "Machine wash at 40 °C, inside out": the clause without a verb goes with the one before.
        let tee = v("Organic Cotton Tee");
        for right in ["Machine wash at 40°C, inside out.", "About the Organic Cotton Tee: machine wash it at 40 °C, inside out."] {
            assert_eq!(tee.instruction_as_property(right), None, "{right}");
        }
        assert_eq!(
            tee.instruction_as_property("The Organic Cotton Tee machine washes at 40°C, inside out.").map(|(_, from)| from).as_deref(),
            Some("Machine wash at 40 °C, inside out")
        );
    }

    #[test]
    fn a_discount_is_on_the_whole_product() {
        let cat = catalog("tests/fixtures/shopify-bundles.csv");
        let barista = cat.products.iter().find(|p| p.title.starts_with("Barista Bundle")).unwrap();
        let bundle = Vocabulary::for_product(barista, &cat.products, "Hearth & Hollow Live", "Mia");
        assert_eq!(bundle.discount_on_a_part("The Barista Bundle has an 18% discount on its hand burr grinder.").as_deref(), Some("hand burr grinder"));
        assert_eq!(bundle.discount_on_a_part("Get 18% off the glass dripper right now!").as_deref(), Some("glass dripper"));
        for right in [
            "The Barista Bundle is 18% off its regular price today.",
            "Save 18% on the Barista Bundle right now.",
            "Get 18% off the bundle while the timer runs.",
            "It's $129.00 today, a discount on the usual $158.00.",
            "Take the lid off the kettle and pour.",
            "You get an 18% discount on this set today.",
            "That's 18% off, just for the next 5 minutes.",
        ] {
            assert_eq!(bundle.discount_on_a_part(right), None, "{right}");
        }
    }

    #[test]
    fn the_product_is_what_it_is() {
        let coat = eur("Élise Wool-Blend Coat");
        assert_eq!(coat.called_another_thing("The Élise Wool-Blend Coat is a soft, chunky knit that fits under the shoulders.").as_deref(), Some("knit"));
        let belt = eur("Vegetable-Tanned Leather Belt");
        assert_eq!(belt.called_another_thing("It's a solid brass buckle.").as_deref(), Some("buckle"));
        let trousers = eur("Linen Wide-Leg Trousers");
        assert_eq!(trousers.called_another_thing("The Linen Wide-Leg Trousers are a comfy, comfortable waist with full length.").as_deref(), Some("waist"));
        assert_eq!(trousers.called_another_thing("They are a relaxed and high-rise pair of trousers."), None);
        for right in [
            "It's a great choice for cold days.",
            "The Vegetable-Tanned Leather Belt is a full-grain Italian leather belt, 3.5 cm wide.",
            "It has a solid brass buckle.",
            "It's a must-have.",
            "This belt is a 3.5 cm wide.",
            "It's a full-grain and vegetable-tanned leather belt.",
            "It's a great choice and has a solid brass buckle.",
            "Get this a brass buckle.",
        ] {
            assert_eq!(belt.called_another_thing(right), None, "{right}");
        }
    }

    #[test]
    fn a_parts_material_is_not_the_whole_products() {
        let v = eur;
        // "Full-grain Italian leather, 3.5 cm wide", "Solid brass buckle".
        let belt = v("Vegetable-Tanned Leather Belt");
        assert_eq!(belt.material_of_a_part("The Vegetable-Tanned Leather Belt is made of solid brass, with a solid brass buckle."), Some(("brass".into(), "brass buckle".into())));
        for right in [
            "It's made of full-grain Italian leather.",
            "The belt is made from Italian leather and has a solid brass buckle.",
            "It has a solid brass buckle.",
            "Its buckle is made of solid brass.",
            "The Vegetable-Tanned Leather Belt is made from full-grain Italian leather and has a 3.5 cm wide belt.",
            "It is made from a single piece of full-grain Italian leather.",
        ] {
            assert_eq!(belt.material_of_a_part(right), None, "{right}");
        }
        // "… a dense blend of 70% wool and 30% polyamide with a smooth viscose lining", "horn buttons".
        let coat = v("Élise Wool-Blend Coat");
        assert_eq!(coat.material_of_a_part("The coat is made from a blend of 70% wool and 30% polyamide."), None);
        assert_eq!(coat.material_of_a_part("The coat is made of soft viscose.").map(|(m, _)| m).as_deref(), Some("viscose"));
        assert_eq!(coat.material_of_a_part("It is made of horn and wool.").map(|(m, _)| m).as_deref(), Some("horn"));
        // A material the name carries is the whole product's: "Cast Iron Skillet Duo".
        let cat = catalog("tests/fixtures/shopify-bundles.csv");
        let skillet = cat.products.iter().find(|p| p.title.starts_with("Cast Iron Skillet Duo")).unwrap();
        let v = Vocabulary::for_product(skillet, &cat.products, "Home Cook Live", "Leo");
        assert_eq!(v.material_of_a_part("The Cast Iron Skillet Duo is made of cast iron."), None);
    }
}
