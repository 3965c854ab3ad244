//! Reading facts back out of free text: a writer that produces sentences (an LLM) says prices,
//! percentages, stock counts, minutes and ratings in words and digits; this turns them into
//! [`Fact`] parts, so the guard checks them and each room writes and speaks them its own way.

use show::{Currency, Fact, Line, Money, Part, SegmentKind};

/// A sentence as a [`Line`], with the facts it states split out of its text.
pub fn line_from_text(text: &str, kind: SegmentKind, product: Option<String>, currency: Currency, offer_minutes: u32) -> Line {
    let mut line = Line::new(kind, product);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut plain = String::new();
    let flush = |line: &mut Line, plain: &mut String| {
        if !plain.is_empty() {
            line.parts.push(Part::Text(std::mem::take(plain)));
        }
    };
    while i < chars.len() {
        // A currency symbol or code right before a number: a price.
        let sym_len = symbol_at(&chars, i);
        if sym_len > 0 {
            let j = skip_spaces(&chars, i + sym_len);
            if let Some((num, end)) = number_at(&chars, j) {
                if let Ok(m) = Money::parse(&num, currency) {
                    flush(&mut line, &mut plain);
                    line.parts.push(Part::Fact(Fact::Price(m)));
                    i = end;
                    continue;
                }
            }
        }
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            if let Some((num, end)) = number_at(&chars, i) {
                let after = skip_spaces(&chars, end);
                let rest: String = chars[after..chars.len().min(after + 12)].iter().collect::<String>().to_lowercase();
                let pct_end = if chars.get(end) == Some(&'%') {
                    Some(end + 1)
                } else if rest.starts_with("percent") {
                    Some(after + "percent".len())
                } else {
                    None
                };
                let (fact, consumed) = if let Some(pct_end) = pct_end {
                    // "55% linen", "99% aloe vera": what the product is made of, said as the
                    // catalog says it (the guard checks the number is the product's); only a
                    // saving is a discount the prices must give.
                    if is_saving(&chars, i, pct_end) { (num.parse::<u32>().ok().map(Fact::Percent), pct_end) } else { (None, pct_end) }
                } else if rest.starts_with("dollars") || rest.starts_with("usd") {
                    let word = if rest.starts_with("dollars") { "dollars" } else { "usd" };
                    (Money::parse(&num, currency).ok().map(Fact::Price), after + word.len())
                } else if rest.starts_with("out of 5") || rest.starts_with("stars") {
                    (num.parse::<f32>().ok().map(|r| Fact::Rating((r * 10.0).round() as u32)), end)
                } else if rest.starts_with("minute") && num.parse::<u32>().ok() == Some(offer_minutes) {
                    (Some(Fact::Minutes(offer_minutes)), end)
                } else if rest.starts_with("left") || rest.starts_with("in stock") || rest.starts_with("units") || rest.starts_with("reviews") || rest.starts_with("sold") {
                    (num.replace(',', "").parse::<i64>().ok().map(Fact::Count), end)
                } else {
                    (None, end)
                };
                if let Some(f) = fact {
                    flush(&mut line, &mut plain);
                    line.parts.push(Part::Fact(f));
                    i = consumed;
                    continue;
                }
                plain.extend(&chars[i..end]);
                i = end;
                continue;
            }
        }
        plain.push(chars[i]);
        i += 1;
    }
    flush(&mut line, &mut plain);
    line
}

/// Whether the percentage at `chars[start..end]` is a saving: "28% off", "a 28% discount",
/// "save 28%", "down 28%".
fn is_saving(chars: &[char], start: usize, end: usize) -> bool {
    let after: String = chars[end..chars.len().min(end + 14)].iter().collect::<String>().to_lowercase();
    let before: String = chars[start.saturating_sub(24)..start].iter().collect::<String>().to_lowercase();
    let after = after.trim_start();
    ["off", "discount", "saving", "cheaper", "less", "lower", "reduction", "markdown"].iter().any(|w| after.starts_with(w))
        || ["save", "saving", "discount", "down", "reduced", "markdown", "take "].iter().any(|w| before.contains(w))
}

fn symbol_at(chars: &[char], i: usize) -> usize {
    match chars[i] {
        '$' | '€' | '£' | '¥' => 1,
        'U' if chars.get(i + 1) == Some(&'S') && chars.get(i + 2) == Some(&'$') => 3,
        _ => 0,
    }
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] == ' ' {
        i += 1;
    }
    i
}

/// A number starting at `i` (`1,299.90`, `14.9`, `40`), and where it ends. A trailing `.` that
/// ends the sentence is not part of it.
fn number_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    if !chars.get(i)?.is_ascii_digit() {
        return None;
    }
    let mut j = i;
    while j < chars.len() && (chars[j].is_ascii_digit() || ((chars[j] == '.' || chars[j] == ',') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit()))) {
        j += 1;
    }
    Some((chars[i..j].iter().collect(), j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> Vec<Fact> {
        line_from_text(text, SegmentKind::Offer, None, Currency::USD, 5).facts().copied().collect()
    }

    #[test]
    fn prices_percents_and_counts_become_facts() {
        let usd = |s| Money::parse(s, Currency::USD).unwrap();
        assert_eq!(facts("Now just $32.90, down from $45.90."), [Fact::Price(usd("32.90")), Fact::Price(usd("45.90"))]);
        assert_eq!(facts("That's 28% off, or 28 percent off."), [Fact::Percent(28), Fact::Percent(28)]);
        assert_eq!(facts("Save 28% today, a 28 percent discount."), [Fact::Percent(28), Fact::Percent(28)]);
        // What a product is made of is not a saving.
        assert_eq!(facts("It's 55% linen, 45% cotton."), []);
        assert_eq!(facts("It's made of 99 percent organic aloe vera."), []);
        assert_eq!(facts("Only 14 left in stock!"), [Fact::Count(14)]);
        assert_eq!(facts("The deal runs for 5 minutes."), [Fact::Minutes(5)]);
        assert_eq!(facts("It's rated 4.8 out of 5."), [Fact::Rating(48)]);
        assert_eq!(facts("It costs 19.90 dollars."), [Fact::Price(usd("19.90"))]);
        assert!(facts("Holds 600 ml and folds to 5 cm.").is_empty());
        let line = line_from_text("Grab it for $9.99 now.", SegmentKind::Offer, None, Currency::USD, 5);
        assert_eq!(line.display(&show::Locale::parse("en-US").unwrap()), "Grab it for $9.99 now.");
    }
}
