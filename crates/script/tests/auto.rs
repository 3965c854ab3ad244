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
