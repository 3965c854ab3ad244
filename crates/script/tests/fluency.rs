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
