//! The fluency judge tells the broken copy the issue quoted from its mended form.

use std::path::PathBuf;

use script::fluency::Judge;

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

/// (broken, mended): the broken lines are what the templates said before catalog points were
/// given shapes; the mended ones are what they say now.
const PAIRS: &[(&str, &str)] = &[
    ("Here's what I love: can be used morning and evening.", "It can be used morning and evening."),
    ("Let me point out that can be used morning and evening.", "Let me point out that it can be used morning and evening."),
    // Subject–verb agreement ("aloe and glycerin moisturizes") is mended by rule
    // (`points::tests`); the judge barely hears it, so it is not asked to here.
    ("It makes a so easy to love gift, too.", "It makes an easy-to-love gift, too."),
    ("In everyday use, leak-proof lid & carry loop.", "Plus, it has a leak-proof lid and carry loop."),
];

const FACTS: &str = "Travel tumbler. Can be used morning and evening. Leak-proof lid & carry loop.";

#[test]
fn mended_copy_scores_above_its_broken_form() {
    let Some(gguf) = Judge::largest(&models_dir()) else {
        panic!("no LLM is installed: run `evercast models install smollm2-135m` (scripts/setup.sh --tests installs the judges)");
    };
    let mut judge = Judge::open(&gguf).unwrap();
    let mut report = String::new();
    let mut ok = true;
    for (broken, mended) in PAIRS {
        let b = judge.score(FACTS, broken).unwrap();
        let m = judge.score(FACTS, mended).unwrap();
        report.push_str(&format!("{b:6.2} {broken}\n{m:6.2} {mended}\n"));
        ok &= b < m;
    }
    eprintln!("judge {}:\n{report}", judge.model);
    assert!(ok, "a mended line must score above its broken form:\n{report}");
}

/// The issue's broken lines and sound ones saying the same. (The agreement slip "aloe and
/// glycerin moisturizes" is mended by rule, `points::agree_in_sentence`, before any judge.)
const PROBE_PAIRS: &[(&str, &str)] = &[
    ("Here's what I love: can be used morning and evening.", "It can be used morning and evening."),
    ("Let me point out that can be used morning and evening.", "Let me point out that it can be used morning and evening."),
    ("It makes a so easy to love gift, too.", "It's easy to love, and it makes a great gift."),
    ("In everyday use, leak-proof lid & carry loop.", "Plus, it has a leak-proof lid and carry loop."),
];

/// The grammar probes of the Qwen writers (trained by `evercast models install`) call the
/// issue's broken copy broken and its mended form sound: the floor the writer enforces.
#[test]
fn grammar_probe_calls_broken_copy_broken() {
    use script::grammar::{FLOOR, Probe};
    let mut report = String::new();
    let mut ok = true;
    for name in ["qwen2.5-0.5b", "qwen2.5-1.5b"] {
        let gguf = script::models::resolve(name, &models_dir()).unwrap_or_else(|e| panic!("{e} (scripts/setup.sh --tests installs it)"));
        let probe = Probe::load(&gguf).unwrap().unwrap_or_else(|| panic!("{name} has no grammar probe: `evercast models install {name}` trains it"));
        let mut llm = script::llm::Llm::load_with(&gguf, &script::llm::LoadOptions { threads: script::llm::default_threads(), ..Default::default() }).unwrap();
        for (broken, mended) in PROBE_PAIRS {
            let b = probe.broken(&mut llm, broken).unwrap();
            let m = probe.broken(&mut llm, mended).unwrap();
            report.push_str(&format!("{name}: {b:.2} {broken}\n{name}: {m:.2} {mended}\n"));
            ok &= b >= FLOOR && m < FLOOR;
        }
    }
    eprintln!("{report}");
    assert!(ok, "each broken line must be at or over the floor {FLOOR}, each mended one under it:\n{report}");
}

/// For rewording copy: scores each `facts<TAB>line` of the file `FLUENCY_LINES` under the
/// largest installed model, lowest first.
/// `FLUENCY_LINES=lines.tsv cargo test --release -p script --test fluency score_lines -- --ignored --nocapture`
#[test]
#[ignore = "a tuning tool, not a check"]
fn score_lines() {
    let path = std::env::var("FLUENCY_LINES").expect("FLUENCY_LINES names a file of facts<TAB>line rows");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut judge = Judge::open(&Judge::largest(&models_dir()).expect("an installed LLM")).unwrap();
    let mut scored: Vec<(f32, String)> = Vec::new();
    for row in text.lines().filter(|l| !l.trim().is_empty()) {
        let (facts, line) = row.split_once('\t').unwrap_or(("", row));
        scored.push((judge.score(facts, line).unwrap(), line.to_string()));
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (s, l) in &scored {
        eprintln!("{s:6.2} {l}");
    }
}

/// For judging the grammar probe: scores each `label<TAB>line` of the file `PROBE_LINES`
/// ("good"/"bad") with the probe of `PROBE_MODEL` (a GGUF; the largest installed model if
/// unset), most broken first, and counts each label on either side of the floor.
/// `PROBE_LINES=labelled.tsv cargo test --release -p script --test fluency probe_lines -- --ignored --nocapture`
#[test]
#[ignore = "a tuning tool, not a check"]
fn probe_lines() {
    use script::grammar::{FLOOR, Probe};
    use script::llm::{Llm, LoadOptions};
    let text = std::fs::read_to_string(std::env::var("PROBE_LINES").expect("PROBE_LINES names a file of label<TAB>line rows")).unwrap();
    let gguf = std::env::var("PROBE_MODEL").map(PathBuf::from).unwrap_or_else(|_| Judge::largest(&models_dir()).unwrap());
    let probe = Probe::load(&gguf).unwrap().expect("a trained probe: run `evercast models install` for this model");
    let mut llm = Llm::load_with(&gguf, &LoadOptions { threads: script::llm::default_threads(), ..Default::default() }).unwrap();
    let mut scored: Vec<(f32, String, String)> = Vec::new();
    for row in text.lines().filter(|l| !l.trim().is_empty()) {
        let (label, line) = row.split_once('\t').unwrap_or(("?", row));
        scored.push((probe.broken(&mut llm, line).unwrap(), label.to_string(), line.to_string()));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (p, label, line) in &scored {
        eprintln!("{p:5.3} {label:5} {line}");
    }
    for label in ["good", "bad"] {
        let all = scored.iter().filter(|s| s.1 == label).count();
        let over = scored.iter().filter(|s| s.1 == label && s.0 >= FLOOR).count();
        eprintln!("{label}: {over} of {all} at or over the floor {FLOOR}");
    }
}
