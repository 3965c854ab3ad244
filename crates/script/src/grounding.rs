//! Grounding: a small model paraphrases well but also invents ("stonewashed wool", "arriving
//! tomorrow", "a coffee shop"). Numbers are checked by the guard; words are checked here: every
//! content word of a generated sentence must come from the product's own text, the show, or a
//! vocabulary of everyday selling talk. A sentence that brings in anything else is not spoken.

use std::collections::HashSet;

use show::Product;

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
run runs running last lasts lasting purchase purchases sure i'd kept add adds stay
addition office workspace home room rooms space spaces corner setup desk table shelf bedroom living kitchen
design designs convenience simplicity ease value upgrade essential essentials lifestyle routine routines moment moments
mood vibe treat pamper relax relaxing unwind cozy everyday daily weekend weekends mornings evenings nights day night
work working studying reading someone family loved ones people anyone everybody yourself ourselves gifting occasion
occasions season seasonal wonderful lovely stunning gorgeous pretty cute charming attractive appealing handsome
choice choices option selection favourite go-to must-have staple staples addition additions companion partner
helpful useful thoughtful practical versatile convenient everyday ideal great excellent superb
impressive delightful pleasant enjoyable satisfying refreshing beautiful elegant sleek clean minimal minimalist
modern timeless classic simple stylish chic tidy neat organised organized clutter
";

const SUFFIXES: &[&str] = &["ing", "ed", "es", "s", "ly", "er"];

/// A word reduced for matching: lower case, common suffixes off, and long words cut to their
/// first five letters, so "washes" and "washable", "breathable" and "breathability" meet
/// (while "amazon" stays apart from "amazing").
fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    // British and American spellings meet: colour/color, personalise/personalize.
    if w.chars().count() >= 5 {
        w = w.replace("our", "or").replace("ise", "ize").replace("isa", "iza").replace("yse", "yze");
    }
    for suf in SUFFIXES {
        if w.len() > suf.len() + 2 && w.ends_with(suf) {
            w.truncate(w.len() - suf.len());
            // "tapping" → "tap", "wiped" → "wip" (as "wipe" below).
            let b = w.as_bytes();
            if (*suf == "ing" || *suf == "ed" || *suf == "er") && b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] && !b"aeiouls".contains(&b[b.len() - 1]) {
                w.pop();
            }
            break;
        }
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

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'')).map(|w| w.trim_matches('\'')).filter(|w| !w.is_empty())
}

/// Whether a word is everyday selling talk (states nothing about a product).
pub fn is_talk(word: &str) -> bool {
    static TALK_STEMS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    TALK_STEMS.get_or_init(|| words(TALK).map(stem).collect()).contains(&stem(word))
}

/// The words a sentence about a product may use.
pub struct Vocabulary {
    stems: HashSet<String>,
}

impl Vocabulary {
    /// The product's own text, every product's name (transitions name the next one), the show's
    /// title, the host's name, and everyday talk.
    pub fn for_product(product: &Product, all: &[Product], show_title: &str, host: &str) -> Vocabulary {
        let mut stems: HashSet<String> = words(TALK).map(stem).collect();
        let mut add = |t: &str| stems.extend(words(t).map(stem));
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
        // Small numbers the product's text writes in digits may be said in words ("3 colour
        // temperatures" → "three colour temperatures"); the guard checks the digits.
        const NUMBER_WORDS: [&str; 13] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
        let own = format!("{} {} {}", product.title, product.description, product.points.join(" "));
        for n in crate::guard::numbers_in(&own) {
            if let Ok(i) = n.parse::<usize>()
                && i < NUMBER_WORDS.len()
            {
                stems.insert(stem(NUMBER_WORDS[i]));
            }
        }
        Vocabulary { stems }
    }

    /// The words of `sentence` this vocabulary does not have (numbers are the guard's job).
    pub fn unknown(&self, sentence: &str) -> Vec<String> {
        words(sentence)
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| w.chars().count() > 2)
            .filter(|w| !self.stems.contains(&stem(w)))
            .map(|w| w.to_string())
            .collect()
    }
}

/// Superlatives and absolutes a host must not claim about a product, whatever its catalog says.
pub const SUPERLATIVES: &[&str] = &["the best", "the most", "ultimate", "unbeatable", "unmatched", "world's", "number one", "#1", "revolutionary", "perfect for everyone"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_words_are_found() {
        let csv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo/catalog.csv");
        let cat = show::catalog::load(&csv, show::Currency::USD).unwrap();
        let throw = cat.product("stonewashed-linen-throw").unwrap();
        let v = Vocabulary::for_product(throw, &cat.products, "Sunny Nest Live", "Mia");
        assert!(v.unknown("This linen throw is stonewashed for softness and gets softer with every wash.").is_empty());
        assert_eq!(v.unknown("It is made of stonewashed wool and arrives tomorrow."), ["wool", "arrives", "tomorrow"]);
        assert!(v.unknown("Tap the card to grab the Self-Watering Planter next!").is_empty());
    }
}
