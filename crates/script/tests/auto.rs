//! `--writer auto`: installed models are measured once per machine and the largest one that a
//! live writer thread runs comfortably ahead of speech is chosen.

use std::path::PathBuf;
use std::time::Instant;

use script::auto::{MAX_DUTY, choose};

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

#[test]
fn auto_measures_once_and_picks_the_largest_model_that_keeps_up() {
    let cache = std::env::temp_dir().join(format!("evercast-writer-auto-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&cache);
    let first = choose(&models_dir(), 1, &cache);
    eprintln!("{}", first.reason);
    let (name, path) = first.model.clone().expect("the default model keeps up on one thread: run scripts/setup.sh");
    assert!(path.is_file());
    // Smaller models measured first; the chosen one is the last that kept up, and measuring
    // stopped at the first that did not.
    let at = first.measured.iter().position(|m| m.model == name).expect("the chosen model was measured");
    assert!(first.measured[..=at].iter().all(|m| m.duty <= MAX_DUTY), "{:?}", first.measured);
    assert!(first.measured.len() <= at + 2 && first.measured[at + 1..].iter().all(|m| m.duty > MAX_DUTY), "{:?}", first.measured);
    assert!(first.measured.iter().all(|m| m.decode_tok_s > 0.0 && m.prefill_tok_s > 0.0));
    assert!(cache.is_file(), "measurements are kept");
    // The second choice reads them back instead of loading the models again.
    let t = Instant::now();
    let second = choose(&models_dir(), 1, &cache);
    assert!(t.elapsed().as_secs_f64() < 2.0, "re-measured: {:?}", t.elapsed());
    assert_eq!(second.model.map(|m| m.0), Some(name));
    let _ = std::fs::remove_file(&cache);

    let empty = std::env::temp_dir().join(format!("evercast-no-models-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let none = choose(&empty, 1, &cache);
    assert!(none.model.is_none() && none.reason.contains("no LLM is installed"), "{}", none.reason);
    let _ = std::fs::remove_dir_all(&empty);
}

/// A larger installed model's grammar probe reads the writer's lines when the writer's
/// measured duty leaves room for it, and not otherwise.
#[test]
fn a_larger_models_probe_reads_the_lines_where_there_is_room() {
    let dir = models_dir();
    let (small, large) = ("qwen2.5-0.5b", "qwen2.5-1.5b");
    let writer = script::models::resolve(small, &dir).expect("`scripts/setup.sh --tests` installs qwen2.5-0.5b");
    let cache = std::env::temp_dir().join(format!("evercast-grammar-reader-{}.json", std::process::id()));
    let write = |writer_duty: f64, reader_prefill: f64| {
        let m = |model: &str, duty: f64, prefill: f64| serde_json::json!({"model": model, "threads": 1, "prefill_tok_s": prefill, "decode_tok_s": 20.0, "duty": duty});
        let c = serde_json::json!({"machine": script::auto::machine_key(), "results": [m(small, writer_duty, 200.0), m(large, 0.8, reader_prefill)]});
        std::fs::write(&cache, c.to_string()).unwrap();
    };
    // 1.5 sentences of 25 tokens through 68% of the layers at 60 tok/s, nine in ten of them
    // read (those the writer's own probe doubts): 8.3% of a line's time.
    write(0.31, 60.0);
    let chosen = script::auto::grammar_reader(&dir, &writer, 1, &cache);
    assert_eq!(chosen.model.as_ref().map(|m| m.0.as_str()), Some(large), "{}", chosen.reason);
    assert!(chosen.reason.contains("39.3%"), "{}", chosen.reason);
    write(0.45, 60.0);
    let busy = script::auto::grammar_reader(&dir, &writer, 1, &cache);
    assert!(busy.model.is_none() && busy.reason.contains("53.3% of speech time with it"), "{}", busy.reason);
    // The largest model has no larger one to read its lines.
    let top = script::auto::grammar_reader(&dir, &script::models::resolve(large, &dir).unwrap(), 1, &cache);
    assert!(top.model.is_none() && top.reason.contains("no larger"), "{}", top.reason);
    let _ = std::fs::remove_file(&cache);
    // Not measured on this machine: not used.
    let unmeasured = script::auto::grammar_reader(&dir, &writer, 1, &cache);
    assert!(unmeasured.model.is_none() && unmeasured.reason.contains("not measured"), "{}", unmeasured.reason);
}
