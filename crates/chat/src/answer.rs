//! Replies grounded in the catalog and the show's policies.
//!
//! A reply is built from what the shop knows — the product's prices, stock, variants and
//! points, the `[policies]` table — never from the viewer's words: a message can choose the
//! topic and the product, not the text. When the shop does not know, the host says so. Every
//! reply passes the show's guard (facts, claims, product names) before it is sent.
//!
//! Open questions the templates cannot answer ("is it good for reading?") go to the LLM when
//! the show has one ([`Answerer::with_open_answers`]): the question quoted as data, the
//! product's facts in the prompt, a grounded sentence back in time, else the safe line.

use std::sync::Arc;

use script::Guard;
use show::config::Policies;
use show::{Catalog, Cue, Fact, Line, Product, Provenance, Reply, ReplyKind, SegmentKind};

use crate::intent::{Intent, plain_words};
use crate::moderation::{Accepted, DropReason};

/// Whether `line` is the "I don't have that detail" line.
fn is_safe_line(line: &Line) -> bool {
    line.parts.iter().any(|p| matches!(p, show::Part::Text(t) if t.contains("I don't have that detail")))
}

/// Words too common in product titles to tell products apart.
const GENERIC: &[&str] = &["the", "and", "with", "for", "set", "pack", "of", "new", "mini", "large", "small", "one", "two", "in", "a", "an", "by", "to", "from", "kit"];

/// Writes replies for one show.
pub struct Answerer {
    catalog: Arc<Catalog>,
    policies: Policies,
    guard: Guard,
    turn: usize,
    open: Option<script::answer_llm::OpenAnswers>,
    offer_minutes: u32,
    /// The product whose facts the answer model has read ahead.
    prepared: Option<String>,
}

impl Answerer {
    /// `guard`: the show's source guard (names on); the policies' numbers are allowed in
    /// replies that quote them.
    pub fn new(catalog: Arc<Catalog>, policies: Policies, guard: Guard) -> Answerer {
        let texts = || policies.all().into_iter().map(|(_, t)| t);
        let guard = guard.with_numbers_of(texts()).with_names_of(texts());
        Answerer { catalog, policies, guard, turn: 0, open: None, offer_minutes: 0, prepared: None }
    }

    /// Open questions the templates cannot answer go to the LLM.
    pub fn with_open_answers(mut self, open: script::answer_llm::OpenAnswers, offer_minutes: u32) -> Answerer {
        self.open = Some(open);
        self.offer_minutes = offer_minutes;
        self
    }

    /// The product on stage changed: the answer model reads its facts ahead of questions.
    pub fn prepare(&mut self, on_stage: Option<&str>) {
        if on_stage == self.prepared.as_deref() {
            return;
        }
        self.prepared = on_stage.map(str::to_string);
        if let (Some(open), Some(p)) = (&self.open, on_stage.and_then(|id| self.catalog.product(id))) {
            open.prepare(p);
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The product a message names (by the distinctive words of its title), if exactly one.
    pub fn product_named(&self, text: &str) -> Option<&Product> {
        let words: Vec<String> = plain_words(text).split_whitespace().map(str::to_string).collect();
        let stem = |w: &str| w.trim_end_matches('s').to_string();
        let said: Vec<String> = words.iter().map(|w| stem(w)).collect();
        let mut best: Vec<(usize, &Product)> = Vec::new();
        for p in &self.catalog.products {
            let score = plain_words(&p.title).split_whitespace().filter(|w| w.chars().count() >= 3 && !GENERIC.contains(w)).filter(|w| said.contains(&stem(w))).count();
            if score > 0 {
                best.push((score, p));
            }
        }
        let top = best.iter().map(|(s, _)| *s).max()?;
        let tops: Vec<&Product> = best.into_iter().filter(|(s, _)| *s == top).map(|(_, p)| p).collect();
        (tops.len() == 1).then(|| tops[0])
    }

    /// The reply to an accepted message; `on_stage`: the id of the product on screen, which a
    /// question without a product name is about.
    pub fn reply(&mut self, a: &Accepted, on_stage: Option<&str>) -> Result<Reply, DropReason> {
        self.turn += 1;
        let name = a.name.as_deref();
        let product = self.product_named(&a.text).or_else(|| on_stage.and_then(|id| self.catalog.product(id))).cloned();
        let (kind, line) = match a.intent {
            Intent::Greeting => (ReplyKind::Greeting, self.greeting(name)),
            Intent::Follow | Intent::Gift | Intent::Thanks => (ReplyKind::Thanks, self.thanks(a.intent, name)),
            Intent::Other => return Err(DropReason::NotForTheHost),
            _ => (ReplyKind::Answer, self.answer(a.intent, name, product.as_ref())),
        };
        let mut line = line.by(Provenance::Chat { message: a.message.id.clone(), writer: "answers".into() });
        if line.product.is_none() && kind == ReplyKind::Answer {
            line.product = product.clone().map(|p| p.id.clone());
        }
        // The templates do not know: the LLM may, from the product's own facts.
        if kind == ReplyKind::Answer
            && is_safe_line(&line)
            && let (Some(open), Some(p)) = (&self.open, product.as_ref())
        {
            match open.answer(p, &a.text) {
                Ok(sentence) => {
                    let lead = name.map(|n| format!("{n}, ")).unwrap_or_default();
                    // "Yes, it has…" reads on after the name; a name ("Bamboo…") keeps its capital.
                    let plain_start = ["Yes", "No", "It", "It's", "Its", "The", "This", "You", "Absolutely", "Sure", "Great"].contains(&sentence.split([' ', ',']).next().unwrap_or(""));
                    let text = match (lead.is_empty(), plain_start) {
                        (true, _) => sentence,
                        (false, true) => format!("{lead}{}", lower_first(&sentence)),
                        (false, false) => format!("{lead}{sentence}"),
                    };
                    let by = Provenance::Chat { message: a.message.id.clone(), writer: format!("llm {}", open.model()) };
                    let llm_line = script::answer_llm::answer_line(&text, p, &self.catalog, self.offer_minutes).by(by).cue(Cue::Point);
                    match self.guard.check_reply(&llm_line, &self.catalog, name) {
                        Ok(()) => line = llm_line,
                        Err(r) => tracing::info!(reason = %r, "the guard refused the model's answer; the safe line instead"),
                    }
                }
                Err(why) => tracing::info!("no answer from the model ({why}); the safe line instead"),
            }
        }
        match self.guard.check_reply(&line, &self.catalog, name) {
            Ok(()) => Ok(Reply { line, kind, message: Some((a.message.id.clone(), a.message.received_ms)) }),
            Err(r) => {
                tracing::warn!(reason = %r, "the guard refused a reply");
                Err(DropReason::Refused)
            }
        }
    }

    fn pick<'a>(&self, options: &[&'a str]) -> &'a str {
        options[self.turn % options.len()]
    }

    fn greeting(&self, name: Option<&str>) -> Line {
        let text = match name {
            Some(n) => self.pick(&["Hi {n}, welcome in!", "Hello {n}, great to have you here!", "Welcome, {n}! Make yourself at home."]).replace("{n}", n),
            None => self.pick(&["Hi there, welcome in!", "Welcome, everyone joining us!"]).to_string(),
        };
        Line::new(SegmentKind::Answer, None).text(capitalize(&text)).cue(Cue::Wave)
    }

    fn thanks(&self, intent: Intent, name: Option<&str>) -> Line {
        let n = name.map(|n| format!(", {n}")).unwrap_or_default();
        let text = match intent {
            Intent::Follow => format!("{}{n}!", self.pick(&["Thanks for the follow", "Thank you for following"])),
            Intent::Gift => format!("{}{n}, that's so kind!", self.pick(&["Thank you for the gift", "Thanks so much for the gift"])),
            _ => format!("{}{n}!", self.pick(&["You're welcome", "My pleasure"])),
        };
        Line::new(SegmentKind::Answer, None).text(text).cue(Cue::ThumbsUp)
    }

    /// "I don't have that detail": said when the shop does not know.
    fn unknown(&self, name: Option<&str>, product: Option<&Product>) -> Line {
        let lead = name.map(|n| format!("Good question, {n}. ")).unwrap_or_else(|| "Good question. ".into());
        Line::new(SegmentKind::Answer, product.map(|p| p.id.clone())).text(format!("{lead}I don't have that detail here, so please check the product page.")).cue(Cue::OpenPalms)
    }

    fn answer(&self, intent: Intent, name: Option<&str>, product: Option<&Product>) -> Line {
        let lead = |s: &str| match name {
            Some(n) => capitalize(&format!("{n}, {s}")),
            None => capitalize(s),
        };
        // A policy is the shop's own sentence, said after a short lead-in.
        let intro = match name {
            Some(n) => format!("{} {n}. ", self.pick(&["Good question,", "Sure,", "Happy to help,"])),
            None => format!("{} ", self.pick(&["Good question.", "Sure.", "Happy to help."])),
        };
        let policy = |text: &Option<String>| text.as_deref().map(|t| Line::new(SegmentKind::Answer, product.map(|p| p.id.clone())).text(format!("{intro}{}", capitalize(&sentence(t)))));
        let p = match intent {
            Intent::Shipping => return policy(&self.policies.shipping).unwrap_or_else(|| self.unknown(name, product)),
            Intent::Returns => return policy(&self.policies.returns).unwrap_or_else(|| self.unknown(name, product)),
            Intent::Payment => return policy(&self.policies.payment).unwrap_or_else(|| self.unknown(name, product)),
            Intent::Warranty => return policy(&self.policies.warranty).unwrap_or_else(|| self.unknown(name, product)),
            _ => match product {
                Some(p) => p,
                None => return self.unknown(name, None),
            },
        };
        let short = script::template::short_name(&p.title);
        let base = || Line::new(SegmentKind::Answer, Some(p.id.clone())).cue(Cue::Point);
        match intent {
            Intent::Price | Intent::Discount => {
                let mut line = if p.has_price_range() {
                    let amounts = p.variants.iter().map(|v| v.price).collect::<Vec<_>>();
                    let (lo, hi) = (amounts.iter().min().copied(), amounts.iter().max().copied());
                    match (lo, hi) {
                        (Some(lo), Some(hi)) => base().text(lead(&format!("the {short} goes from "))).fact(Fact::Price(lo)).text(" to ").fact(Fact::Price(hi)).text(", depending on the option"),
                        _ => base().text(lead(&format!("the {short} is "))).fact(Fact::Price(p.price())).text(" right now"),
                    }
                } else {
                    base().text(lead(&format!("the {short} is "))).fact(Fact::Price(p.price())).text(" right now")
                };
                match (p.compare_at(), p.discount_percent()) {
                    (Some(was), Some(pct)) if !p.has_price_range() => {
                        line = line.text(", down from ").fact(Fact::Price(was)).text(". That's ").fact(Fact::Percent(pct)).text(" off.");
                    }
                    _ if intent == Intent::Discount => line = line.text(". That's the best price I can show you today."),
                    _ => line = line.text("."),
                }
                line
            }
            Intent::Stock => match p.stock() {
                Some(n) if n > 0 => base().text(lead("we have ")).fact(Fact::Count(n)).text(format!(" of the {short} left right now.")),
                Some(_) => base().text(lead(&format!("the {short} is sold out right now, sorry!"))),
                None => self.unknown(name, Some(p)),
            },
            Intent::Options => {
                let mut groups: Vec<(String, Vec<String>)> = Vec::new();
                for v in &p.variants {
                    for (k, val) in &v.options {
                        if k.eq_ignore_ascii_case("title") || val.eq_ignore_ascii_case("default title") {
                            continue;
                        }
                        let val = say_value(val);
                        match groups.iter_mut().find(|(g, _)| g.eq_ignore_ascii_case(k)) {
                            Some((_, vals)) if !vals.contains(&val) => vals.push(val),
                            Some(_) => {}
                            None => groups.push((k.to_lowercase(), vec![val])),
                        }
                    }
                }
                if groups.is_empty() {
                    return base().text(lead(&format!("the {short} comes in just the one version you see here.")));
                }
                let parts: Vec<String> = groups.iter().take(2).map(|(k, vals)| format!("{k} {}", list(&vals.iter().take(6).cloned().collect::<Vec<_>>()))).collect();
                base().text(lead(&format!("the {short} comes in {}.", parts.join(", and "))))
            }
            Intent::Material => {
                let point = script::points::speakable(p).into_iter().find(|pt| is_material(&pt.text)).and_then(|pt| pt.sentence());
                match (point, &self.policies.materials) {
                    (Some(s), _) => base().text(lead(&lower_first(&s))),
                    (None, Some(m)) => base().text(lead(&sentence(m))),
                    (None, None) => self.unknown(name, Some(p)),
                }
            }
            Intent::Usage => {
                let point = script::points::speakable(p).into_iter().find(|pt| pt.form == script::points::Form::Usage).and_then(|pt| pt.usage());
                match point {
                    Some(u) => base().text(lead(&format!("for the {short}: {}.", u.trim_end_matches('.')))),
                    None => self.unknown(name, Some(p)),
                }
            }
            _ => self.unknown(name, Some(p)),
        }
    }
}

const MATERIALS: &[&str] = &["made of", "made from", "cotton", "linen", "wool", "silk", "bamboo", "wood", "oak", "walnut", "steel", "stainless", "aluminium", "aluminum", "glass", "ceramic", "stoneware", "porcelain", "silicone", "leather", "polyester", "nylon", "plastic", "bpa", "brass", "copper", "clay", "rattan", "cork", "recycled"];

fn is_material(text: &str) -> bool {
    let t = format!(" {} ", plain_words(text));
    MATERIALS.iter().any(|m| t.contains(&format!(" {m} ")))
}

/// An option value as said: multi-letter words in lower case ("sage green"), sizes and codes
/// as they are ("M", "XL").
fn say_value(v: &str) -> String {
    v.split_whitespace().map(|w| if w.chars().count() > 2 && w.chars().all(char::is_alphabetic) { w.to_lowercase() } else { w.to_string() }).collect::<Vec<_>>().join(" ")
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // "It's made of…" → "it's made of…"; a name ("Sunny Nest…") keeps its capital.
        Some(f) if s.starts_with("It") || s.starts_with("The ") || s.starts_with("Its ") => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// A policy as one spoken sentence, ending in a full stop.
fn sentence(t: &str) -> String {
    let t = t.trim();
    let t = lower_first(t);
    if t.ends_with(['.', '!', '?']) { t } else { format!("{t}.") }
}
