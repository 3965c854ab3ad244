//! Multilingual rooms, offline: one script rendered into several markets' rooms, each in its
//! language, with its own prices where it has its own catalog; script.md shows per room the
//! source line, the spoken line and how it was carried.

mod common;

use std::collections::HashSet;

use common::*;

fn lines(dir: &std::path::Path, room: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join(format!("{room}.lines.json"))).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap().as_array().unwrap().clone()
}

/// Prices (minor units) a line states, with their currency.
fn prices(line: &serde_json::Value) -> Vec<(i64, String)> {
    line["facts"].as_array().unwrap().iter().filter_map(|f| f.get("Price")).map(|m| (m["minor"].as_i64().unwrap(), m["currency"].as_str().unwrap().to_string())).collect()
}

fn catalog_prices(path: &str) -> HashSet<i64> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(repo(path)).unwrap()).unwrap();
    let mut out = HashSet::new();
    let to_minor = |s: &serde_json::Value| (s.as_str().unwrap().parse::<f64>().unwrap() * 100.0).round() as i64;
    for p in v["products"].as_array().unwrap() {
        let holders: Vec<&serde_json::Value> = match p["variants"].as_array() {
            Some(vs) => vs.iter().collect(),
            None => vec![p],
        };
        for h in holders {
            out.insert(to_minor(&h["price"]));
            if !h["compare_at_price"].is_null() {
                out.insert(to_minor(&h["compare_at_price"]));
            }
        }
    }
    out
}

#[test]
fn a_room_with_its_own_catalog_states_its_own_prices_in_its_language() {
    let out = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let run = evercast()
        .args(["preview", "tests/fixtures/show-local-prices.toml", "--minutes", "1", "--writer", "template", "--out"])
        .arg(out.path())
        .env("EVERCAST_STATE_DIR", state.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    let us = lines(out.path(), "us");
    let mx = lines(out.path(), "mx");
    assert!(us.len() >= 8 && mx.len() >= 6, "{} / {} lines", us.len(), mx.len());
    let usd = catalog_prices("assets/demo/catalog.json");
    let mxn = catalog_prices("tests/fixtures/catalog-mx.json");
    let (mut us_prices, mut mx_prices) = (0, 0);
    for l in &us {
        for (minor, cur) in prices(l) {
            assert_eq!(cur, "USD");
            assert!(usd.contains(&minor), "the us room said a price not in its catalog: {l}");
            us_prices += 1;
        }
    }
    for l in &mx {
        for (minor, cur) in prices(l) {
            assert_eq!(cur, "MXN", "the mx room said a price in another currency: {l}");
            assert!(mxn.contains(&minor), "the mx room said a price not in its catalog: {l}");
            // Pesos in Mexico are written with the bare $ sign.
            let shown = l["display"].as_str().unwrap();
            assert!(shown.contains(&format!("${}.", minor / 100)) || shown.contains(&format!("${},", minor / 100_000)), "{shown}");
            mx_prices += 1;
        }
        // Every line of the mx room is the market's: a translation, a memory hit or a native line.
        let engine = l["engine"].as_str().unwrap_or("filler");
        assert!(["llm", "apertium", "memory", "native", "filler"].contains(&engine), "{l}");
        assert_ne!(l["display"], l["source"], "an untranslated line in the mx room: {l}");
    }
    assert!(us_prices > 0 && mx_prices > 0, "no prices said: us {us_prices}, mx {mx_prices}");

    // script.md: per room, the source line, the spoken line and the engine.
    let script = std::fs::read_to_string(out.path().join("script.md")).unwrap();
    assert!(script.contains("## Room `mx`") && script.contains("| source line | engine |"), "{script}");
    assert!(script.contains("(pack es-MX)"), "{script}");
}
