//! The measurement behind the placeholder form: the same prompts with each candidate form,
//! counting how often the model gives every placeholder back exactly once. Slow (one model
//! call per sentence, form and language):
//! `cargo run --release -p translate --example placeholder_forms` (`FORMS_N=4` sentences per
//! language).

#[path = "../tests/common/mod.rs"]
mod common;

use script::llm::{Event, Sampling};
use show::locale::Locale;
use translate::{Job, LlmEngine};

const FORMS: &[(&str, &str, &str)] = &[
    ("[1]", "[", "]"),
    ("{1}", "{", "}"),
    ("<1>", "<", ">"),
    ("⟦1⟧", "⟦", "⟧"),
    ("X1", "X", ""),
    ("#1#", "#", "#"),
];

/// Which forms to measure (`FORMS=0,2,4`), all by default.
fn chosen() -> Vec<usize> {
    std::env::var("FORMS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| (0..FORMS.len()).collect())
}

const SENTENCES: &[&str] = &[
    "Meet the [1], now just [2]!",
    "Use code [1] at checkout and save [2] today.",
    "Only [1] left, order at [2] before they're gone!",
    "Follow [1] for more deals like the [2].",
    "The [1] is [2] tall and holds [3].",
    "It was [1], now only [2] with code [3]!",
    "Tap the link at [1] and grab your [2] for [3].",
    "Buyers rate the [1] [2] out of [3].",
];

use common::ROOMS;

fn convert(text: &str, open: &str, close: &str) -> String {
    let mut s = text.replace("[n]", &format!("{open}n{close}"));
    for k in 1..=9 {
        s = s.replace(&format!("[{k}]"), &format!("{open}{k}{close}"));
    }
    s
}

fn main() {
    let n: usize = std::env::var("FORMS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
        .min(SENTENCES.len());
    let worker = common::worker();
    let en = Locale::parse("en-US").unwrap();
    println!(
        "form  {}",
        ROOMS
            .iter()
            .map(|r| format!("{:>7}", r.0))
            .collect::<String>()
    );
    for (form, open, close) in chosen().into_iter().filter_map(|i| FORMS.get(i)) {
        let mut row = String::new();
        for (tag, name) in ROOMS {
            let to = Locale::parse(tag).unwrap();
            let job = Job {
                from: &en,
                to: &to,
                to_name: name,
                retry: None,
            };
            let mut kept = 0;
            for (si, s) in SENTENCES.iter().take(n).enumerate() {
                let prompt = convert(&LlmEngine::prompt(s, &job), open, close);
                let rx = worker.submit(prompt, Sampling::greedy(80)).expect("submit");
                let mut out = String::new();
                while let Ok(ev) = rx.recv() {
                    match ev {
                        Event::Sentence(x) => {
                            out.push_str(&x);
                            out.push(' ');
                        }
                        Event::Done(_) | Event::Error(_) => break,
                    }
                }
                let count = s.matches('[').count();
                let re = regex::Regex::new(&format!(
                    "{}([0-9]+){}",
                    regex::escape(open),
                    regex::escape(close)
                ))
                .unwrap();
                let found: Vec<String> = re.captures_iter(&out).map(|c| c[1].to_string()).collect();
                let ok = found.len() == count
                    && (1..=count)
                        .all(|k| found.iter().filter(|f| **f == k.to_string()).count() == 1);
                if ok {
                    kept += 1;
                }
                if si < 2 || !ok {
                    eprintln!(
                        "{form} {tag}: {} → {}{}",
                        convert(s, open, close),
                        out.trim(),
                        if ok { "" } else { "   ✗" }
                    );
                }
            }
            row.push_str(&format!("{:>6}%", kept * 100 / n));
        }
        println!("{form:5} {row}");
    }
}
