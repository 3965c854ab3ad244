//! Prints what the LLM writer says for every segment kind of every demo product: for tuning
//! prompts by eye. `cargo run --release -p script --example llm_segments [MODEL_NAME] [CATALOG
//! [CURRENCY [PRODUCTS]]]` (the demo catalog in USD, its first 3 products, by default).
use std::path::Path;
use std::sync::Arc;

use script::LlmWriter;
use script::llm::{DeviceChoice, Llm};
use show::SegmentKind;
use show::stages::{SegmentRequest, Writer};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let name = std::env::args().nth(1).unwrap_or_else(|| "smollm2-135m".into());
    let model = script::models::resolve(&name, &root.join("models")).expect("model installed");
    let path = std::env::args().nth(2).map(std::path::PathBuf::from).unwrap_or_else(|| root.join("assets/demo/catalog.csv"));
    let currency = std::env::args().nth(3).map(|c| show::Currency::from_code(&c).expect("a currency code")).unwrap_or(show::Currency::USD);
    let products: usize = std::env::args().nth(4).map(|n| n.parse().expect("a number of products")).unwrap_or(3);
    let catalog = Arc::new(show::catalog::load(&path, currency).unwrap());
    let persona: show::config::Persona = toml::from_str("name = \"Mia\"\ntone = \"warm\"").unwrap();
    let llm = Llm::load(&model, DeviceChoice::Cpu).unwrap();
    let mut w = LlmWriter::new(llm, "Sunny Nest Live", &persona, catalog.clone(), 5, 7);
    let kinds = [SegmentKind::Hook, SegmentKind::Pitch, SegmentKind::SocialProof, SegmentKind::Offer, SegmentKind::CallToAction, SegmentKind::Transition];
    let mut index = 1;
    let en = show::Locale::parse("en-US").unwrap();
    // ROUNDS=n: the products' segments n times over, as a long show visits them again.
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let kinds_only: Option<String> = std::env::var("KINDS").ok();
    for (b, p) in (0..rounds).flat_map(|_| catalog.products.iter().enumerate().take(products)) {
        for kind in kinds.into_iter().filter(|k| kinds_only.as_ref().is_none_or(|only| only.split(',').any(|o| o.eq_ignore_ascii_case(&format!("{k:?}"))))) {
            let req = SegmentRequest { kind, product: Some(p), next_product: catalog.products.get(b + 1), index, block: b as u64, sentences: if kind == SegmentKind::Pitch { 3 } else { 2 }, offer_minutes: 5 };
            index += 1;
            let t = std::time::Instant::now();
            w.write(&req, &mut |l| {
                println!("  [{:?}] {}", kind, l.display(&en));
                true
            })
            .unwrap();
            for (text, why) in w.take_rejected() {
                println!("      x {text}  <- {why}");
            }
            println!("      ({:.2}s)", t.elapsed().as_secs_f32());
        }
    }
    println!("{:?}", w.counters);
}
