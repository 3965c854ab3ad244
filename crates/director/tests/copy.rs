//! The LLM writer on three Shopify exports of different kinds (`tests/fixtures/show-*.toml`):
//! what reaches the voice states only catalog facts, names only the product on stage (or the
//! next one in a transition), reads no ingredient list or legal text, and says who wrote it.

use std::path::PathBuf;

use director::room::{WriterChoice, make_writer};
use director::script_feed::write_script;
use director::show::Show;
use script::Guard;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn llm() -> WriterChoice {
    let model = script::models::resolve("smollm2-135m", &root().join("models")).expect("the default model: run scripts/setup.sh");
    WriterChoice::Llm { model, device: script::llm::DeviceChoice::Cpu, threads: 2, grammar: None }
}

#[test]
fn llm_copy_on_shopify_exports_is_grounded_and_attributed() {
    for show_file in ["show-cosmetics.toml", "show-bundles.toml", "show-eur-fashion.toml"] {
        let show = Show::load(&root().join("tests/fixtures").join(show_file), None).unwrap_or_else(|e| panic!("{show_file}: {e}"));
        let mut writer = make_writer(&show, &llm()).unwrap();
        let script = write_script(&show, writer.as_mut(), 240.0, &mut |_| {});
        let en = show::Locale::parse("en-US").unwrap();
        let guard = Guard::new(show.config.run_of_show.offer_minutes).with_names(&show.config.title, &show.config.persona.name);
        let (mut llm_lines, mut name_refusals) = (0, 0);
        for (i, l) in script.lines.iter().enumerate() {
            let text = l.display(&en);
            let next = script.lines[i..].iter().find(|n| n.product != l.product).and_then(|n| n.product.as_deref()).and_then(|id| show.catalog.product(id));
            guard.check_in(l, &show.catalog, next).unwrap_or_else(|r| panic!("{show_file}: {text:?} reached the voice: {r}"));
            let lower = text.to_lowercase();
            for bad in ["ingredients", "aqua,", "external use", "food and drug", "free shipping", "|", "http"] {
                assert!(!lower.contains(bad), "{show_file}: {text:?} reads out catalog boilerplate ({bad:?})");
            }
            assert!(!matches!(l.by, show::Provenance::Unknown), "{show_file}: {text:?} says nobody wrote it");
            if let show::Provenance::Llm { model } = &l.by {
                assert_eq!(model, "smollm2-135m");
                llm_lines += 1;
            }
        }
        for (_, why) in &script.rejected {
            if why.contains("names the") || why.contains("is not the name") {
                name_refusals += 1;
            }
        }
        eprintln!("{show_file}: {} lines, {llm_lines} by the LLM; {} refused ({name_refusals} for a product name)", script.lines.len(), script.rejected.len());
        assert!(script.lines.len() >= 40, "{show_file}: four minutes of show, {} lines", script.lines.len());
        assert!(llm_lines > 0, "{show_file}: the LLM wrote no spoken line");
    }
}
