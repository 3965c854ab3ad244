//! Shared by the tests that need the real model or Apertium: they fail, never skip, when
//! either is missing, naming what to install.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use script::llm::{Llm, LlmWorker, LoadOptions};

pub const MODEL: &str = "qwen2.5-0.5b";

/// The seven markets the translation tests and measurements cover, with the language's name.
pub const ROOMS: &[(&str, &str)] = &[
    ("es-MX", "Mexican Spanish"),
    ("pt-BR", "Brazilian Portuguese"),
    ("fr-FR", "French"),
    ("de-DE", "German"),
    ("ja-JP", "Japanese"),
    ("zh-CN", "Simplified Chinese"),
    ("id-ID", "Indonesian"),
];

/// The multilingual model's GGUF under the workspace's `models/`.
pub fn model_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(MODEL);
    let gguf = std::fs::read_dir(&dir).ok().and_then(|rd| {
        rd.filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "gguf"))
    });
    match gguf {
        Some(p) => p,
        None => panic!(
            "the multilingual model is not installed in {}: run `target/release/evercast models install {MODEL}` \
             (or scripts/setup.sh --tests) first",
            dir.display()
        ),
    }
}

pub fn worker() -> Arc<LlmWorker> {
    let path = model_path();
    let llm = Llm::load_with(&path, &LoadOptions::default())
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
    Arc::new(LlmWorker::new(llm).expect("LLM thread"))
}

pub fn apertium() -> translate::Apertium {
    translate::Apertium::new("eng-spa").unwrap_or_else(|e| {
        panic!("Apertium is needed for this test: {e} (apt-get install apertium apertium-eng-spa)")
    })
}
