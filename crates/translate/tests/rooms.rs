//! The key test: 200 generated sales sentences, spread over seven rooms' languages, through
//! the real chain (memory, the LLM on the installed multilingual model, Apertium behind it for
//! Spanish). Every sentence either comes back with every locked term intact (the same facts,
//! every name, code, URL and handle verbatim) or the chain refuses it, and the director then
//! speaks a native line. Counts are printed for the report.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use show::line::{Cue, Fact, Line, SegmentKind};
use show::locale::Locale;
use show::money::{Currency, Money};
use show::stages::Translator;
use translate::{Engine, LlmEngine, Memory, Protect, RoomTranslator};

use common::ROOMS;

const PRODUCTS: &[&str] = &[
    "竹制台灯",
    "مصباح الخيزران",
    "Bamboo Desk Lamp",
    "Lumo Kettle",
    "AeroPress Go",
    "Nordic Wool Throw",
];
const CODES: &[&str] = &["SPRING15", "SAVE20", "SKU-123"];
const URLS: &[&str] = &["https://shop.example.com/deal", "evercast.shop/lamp"];
const HANDLES: &[&str] = &["@lumo_store", "@evercast"];

/// One generated sentence and the text that must come back verbatim.
struct Case {
    line: Line,
    verbatim: Vec<String>,
}

fn price(cents: i64) -> Fact {
    Fact::Price(
        Money::parse(
            &format!("{}.{:02}", cents / 100, cents % 100),
            Currency::USD,
        )
        .expect("price"),
    )
}

fn case(i: usize) -> Case {
    let t = (i / ROOMS.len()) % 14;
    let name = PRODUCTS[(i / 3) % PRODUCTS.len()];
    let code = CODES[i % CODES.len()];
    let url = URLS[(i / 2) % URLS.len()];
    let handle = HANDLES[(i / 5) % HANDLES.len()];
    let p = price(990 + (i as i64 * 137) % 9000);
    let pct = Fact::Percent(10 + (i as u32 * 5) % 50);
    let l = |kind| Line::new(kind, Some(format!("p{}", i % 6)));
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (line, verbatim) = match t {
        0 => (
            l(SegmentKind::Offer)
                .text(format!("Meet the {name}, now just "))
                .fact(p)
                .text("!")
                .cue(Cue::Point),
            v(&[name]),
        ),
        1 => (
            l(SegmentKind::Offer)
                .text(format!("Use code {code} at checkout and save "))
                .fact(pct)
                .text(" today."),
            v(&[code]),
        ),
        2 => (
            l(SegmentKind::Pitch).text(format!("The {name} is 9.5 cm tall and holds 500 ml.")),
            v(&[name, "9.5 cm", "500 ml"]),
        ),
        3 => (
            l(SegmentKind::CallToAction)
                .text("Only ")
                .fact(Fact::Count(7 + i as i64 % 20))
                .text(format!(" left, order at {url} before they're gone!")),
            v(&[url]),
        ),
        4 => (
            l(SegmentKind::CallToAction)
                .text(format!("Follow {handle} for more deals like the {name}."))
                .cue(Cue::Wave),
            v(&[handle, name]),
        ),
        5 => (
            l(SegmentKind::Offer)
                .text(format!("Get the {name} 2-pack for "))
                .fact(p)
                .text(" today."),
            v(&[name, "2-pack"]),
        ),
        6 => (
            l(SegmentKind::Offer)
                .text("It's ")
                .fact(pct)
                .text(" off for the next ")
                .fact(Fact::Minutes(15))
                .text(" minutes!")
                .cue(Cue::Countdown(900)),
            v(&[]),
        ),
        7 => (
            l(SegmentKind::SocialProof)
                .text(format!("Buyers rate the {name} "))
                .fact(Fact::Rating(47))
                .text(" out of 5."),
            v(&[name, "5"]),
        ),
        8 => (
            l(SegmentKind::Pitch).text(format!("The {name} is 3x brighter than an ordinary lamp.")),
            v(&[name, "3x"]),
        ),
        9 => (
            l(SegmentKind::CallToAction)
                .text(format!("Tap the link at {url} and grab your {name} for "))
                .fact(p)
                .text("."),
            v(&[url, name]),
        ),
        10 => (
            l(SegmentKind::Offer)
                .text("It was ")
                .fact(price(4990))
                .text(", now only ")
                .fact(p)
                .text(format!(" with code {code}!")),
            v(&[code]),
        ),
        11 => (
            l(SegmentKind::Answer).text(format!("Ask {handle} anything about the {name}!")),
            v(&[handle, name]),
        ),
        12 => (
            l(SegmentKind::Pitch).text(format!(
                "The {name} weighs 1.2 kg and comes with a 40% coupon."
            )),
            v(&[name, "1.2 kg", "40%"]),
        ),
        _ => (
            l(SegmentKind::Hook).text(format!(
                "Welcome back! Today the {name} is the star of the show."
            )),
            v(&[name]),
        ),
    };
    Case { line, verbatim }
}

/// Each fact of `a` matched by one equal fact of `b`, and nothing left over.
fn same_facts(a: &Line, b: &Line) -> bool {
    let mut rest: Vec<&Fact> = b.facts().collect();
    for f in a.facts() {
        match rest.iter().position(|g| *g == f) {
            Some(i) => {
                rest.swap_remove(i);
            }
            None => return false,
        }
    }
    rest.is_empty()
}

#[derive(Default, Debug)]
struct Tally {
    sentences: usize,
    memory: usize,
    llm_first_try: usize,
    llm_after_retry: usize,
    apertium: usize,
    refused: usize,
    placeholders: usize,
}

#[test]
fn two_hundred_sentences_keep_every_locked_term_or_are_refused() {
    let started = Instant::now();
    let worker = common::worker();
    let load_secs = started.elapsed().as_secs_f64();
    let memory = Arc::new(Mutex::new(Memory::in_memory()));
    let protect = Protect {
        names: PRODUCTS.iter().map(|s| s.to_string()).collect(),
        keep: vec![],
        terms: vec![],
    };
    let en = Locale::parse("en-US").unwrap();
    let mut rooms: Vec<(Locale, RoomTranslator)> = ROOMS
        .iter()
        .map(|(tag, name)| {
            let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(LlmEngine::new(worker.clone()))];
            if tag.starts_with("es") {
                engines.push(Box::new(common::apertium()));
            }
            (
                Locale::parse(tag).unwrap(),
                RoomTranslator::new(tag, name, engines, protect.clone(), memory.clone()),
            )
        })
        .collect();

    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut samples = Vec::new();
    for i in 0..200 {
        let c = case(i);
        let r = i % ROOMS.len();
        let (to, room) = &mut rooms[r];
        let t = tally.entry(ROOMS[r].0).or_default();
        t.sentences += 1;
        t.placeholders += translate::lock(&c.line, &protect, &en).placeholders();
        match room.translate(&c.line, &en, to) {
            Ok(tr) => {
                let shown = tr.line.display(to);
                if !same_facts(&c.line, &tr.line) {
                    failures.push(format!(
                        "{}: facts changed: {:?} → {:?}",
                        ROOMS[r].0, c.line.parts, tr.line.parts
                    ));
                }
                for v in &c.verbatim {
                    if !shown.contains(v.as_str()) {
                        failures.push(format!(
                            "{}: `{v}` missing: {} → {shown}",
                            ROOMS[r].0,
                            c.line.key()
                        ));
                    }
                }
                if ["refused", "⟦", "Translate from"]
                    .iter()
                    .any(|x| shown.contains(x))
                {
                    failures.push(format!(
                        "{}: the prompt leaked into the line: {shown}",
                        ROOMS[r].0
                    ));
                }
                if (tr.line.kind, &tr.line.product, &tr.line.cues)
                    != (c.line.kind, &c.line.product, &c.line.cues)
                {
                    failures.push(format!("{}: kind/product/cues changed", ROOMS[r].0));
                }
                match (tr.engine.as_str(), tr.notes.is_empty()) {
                    ("memory", _) => t.memory += 1,
                    ("llm", true) => t.llm_first_try += 1,
                    ("llm", false) => t.llm_after_retry += 1,
                    ("apertium", _) => t.apertium += 1,
                    (other, _) => failures.push(format!("unexpected engine {other}")),
                }
                if tr.engine != "memory" && samples.len() < 40 {
                    samples.push(format!(
                        "[{}] {} → {shown}  ({}{})",
                        ROOMS[r].0,
                        c.line.key(),
                        tr.engine,
                        if tr.notes.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", tr.notes.join("; "))
                        }
                    ));
                }
            }
            Err(e) => {
                t.refused += 1;
                if samples.len() < 40 {
                    samples.push(format!("[{}] {} → REFUSED: {e}", ROOMS[r].0, c.line.key()));
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    for s in &samples {
        println!("{s}");
    }
    println!("\nroom    sent  memory  llm-1st  llm-retry  apertium  refused");
    let mut total = Tally::default();
    for (room, t) in &tally {
        println!(
            "{room:6} {:5} {:7} {:8} {:10} {:9} {:8}",
            t.sentences, t.memory, t.llm_first_try, t.llm_after_retry, t.apertium, t.refused
        );
        total.sentences += t.sentences;
        total.memory += t.memory;
        total.llm_first_try += t.llm_first_try;
        total.llm_after_retry += t.llm_after_retry;
        total.apertium += t.apertium;
        total.refused += t.refused;
    }
    println!(
        "total  {:5} {:7} {:8} {:10} {:9} {:8}",
        total.sentences,
        total.memory,
        total.llm_first_try,
        total.llm_after_retry,
        total.apertium,
        total.refused
    );
    let m = memory.lock().unwrap();
    println!(
        "memory: {} entries, {} hits, {} misses; model load {load_secs:.1}s, total {secs:.1}s",
        m.len(),
        m.hits(),
        m.misses()
    );
    assert!(
        failures.is_empty(),
        "{} sentences lost a locked term:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total.sentences, 200);
    // The chain must be useful, not only safe: most sentences get through.
    assert!(
        total.refused * 4 < total.sentences,
        "{} of 200 refused",
        total.refused
    );
}
