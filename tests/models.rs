//! `evercast models install` on an installed LLM whose grammar probe is unreadable: the probe
//! is trained again through the model (the path a fresh machine's set-up takes), not kept
//! broken, and kept in the machine's cache for the next checkout.

mod common;

#[test]
fn an_unreadable_grammar_probe_is_trained_again() {
    let name = "smollm2-135m";
    let installed = common::repo("models").join(name);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    std::fs::create_dir_all(&copy).unwrap();
    // The model's files, without its probe.
    for entry in std::fs::read_dir(&installed).unwrap_or_else(|e| panic!("`scripts/setup.sh` installs {name}: {e}")) {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file.ends_with(".grammar-probe.json") {
            continue;
        }
        // Only the weights are linked: the install rewrites its notice in place.
        let linked = file.ends_with(".gguf") && std::fs::hard_link(&path, copy.join(&file)).is_ok();
        if !linked {
            std::fs::copy(&path, copy.join(&file)).unwrap();
        }
    }
    let gguf = std::fs::read_dir(&copy).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "gguf")).unwrap();
    let probe = gguf.with_file_name(format!("{}.grammar-probe.json", gguf.file_name().unwrap().to_string_lossy()));
    std::fs::write(&probe, "{\"layer\": 4, \"weights\": [0.1,").unwrap();

    // A machine that never trained it: an empty cache.
    let cache = tempfile::tempdir().unwrap();
    let install = || common::evercast().args(["models", "install", name, "--dir"]).arg(dir.path()).env("EVERCAST_CACHE", cache.path()).output().unwrap();
    let out = install();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("already installed and verified"), "the model is not fetched again: {err}");
    assert!(err.contains("not a grammar probe") && err.contains("training it again"), "{err}");
    let trained: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&probe).unwrap()).unwrap();
    // SmolLM2-135M: 576-wide hidden states, 30 layers (the probe reads the 20th, 68% down).
    assert_eq!(trained["weights"].as_array().map(Vec::len), Some(576), "{trained}");
    assert_eq!(trained["layer"], 20);
    // Lines told right at the floor (0.7): 75.5% for SmolLM2, the weakest of the three.
    assert!(trained["train_accuracy"].as_f64().unwrap() > 0.7, "{}", trained["train_accuracy"]);
    // A second install keeps the probe it has.
    let again = install();
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stderr).contains("training"), "{}", String::from_utf8_lossy(&again.stderr));
    // The machine keeps a copy: another checkout (here: the probe deleted) takes it from there.
    let kept: Vec<_> = std::fs::read_dir(cache.path().join("grammar-probes")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    std::fs::remove_file(&probe).unwrap();
    let other = install();
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(other.status.success() && !err.contains("training") && err.contains("trained it before"), "{err}");
    let restored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&probe).unwrap()).unwrap();
    assert_eq!(restored, trained);
}
