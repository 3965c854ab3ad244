//! Language packs: every built-in pack loads and speaks, its native banks fill every slot and
//! write prices the market's way, market rules refuse what they must, and a broken pack is
//! reported with file, line and field.

use std::path::Path;
use std::sync::Arc;

use director::language::{BUILTIN_PACKS, load_packs, validate_dir};
use director::plan::Planner;
use script::{Guard, TemplateWriter};
use show::stages::{SegmentRequest, Voice};
use show::{Currency, Fact, Line, Pack, Part, SegmentKind, catalog};

fn demo_catalog() -> show::Catalog {
    catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo/catalog.json"), Currency::USD).expect("demo catalog")
}

fn persona() -> show::config::Persona {
    show::config::Persona { name: "Mia".into(), tone: show::config::Tone::Warm, catchphrases: vec![], intro: None, look: Default::default() }
}

#[test]
fn every_builtin_pack_validates_and_its_voice_exists() {
    let packs = load_packs(&[]).expect("built-in packs parse");
    let ids = packs.ids();
    for want in ["en-US", "en-GB", "es-MX", "es-ES", "pt-BR", "fr-FR", "de-DE", "ja-JP", "zh-CN", "id-ID", "th-TH", "vi-VN", "ar-SA"] {
        assert!(ids.iter().any(|i| i == want), "no built-in {want} pack");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/packs");
    for (id, _) in BUILTIN_PACKS {
        let p = validate_dir(&dir.join(id)).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(&p.id, id);
        assert!(!p.disclosure.label.is_empty() && !p.disclosure.spoken.is_empty(), "{id}: no AI disclosure");
        assert!(!p.rules.banned.is_empty(), "{id}: no banned phrases");
    }
}

/// Ten minutes of a room speaking only its pack's native templates, every line spoken by the
/// pack's voice: no slot left unfilled, every price written the market's way.
#[test]
fn every_pack_speaks_ten_minutes_of_native_lines_with_every_slot_filled() {
    let catalog = demo_catalog();
    let products = catalog.products.clone();
    let packs = load_packs(&[]).unwrap();
    let ros = show::config::RunOfShow { product_minutes: 2.0, ..Default::default() };
    for pack in packs.iter() {
        let mut writer = director::language::native_writer(pack, "Sunny Nest Live", &persona(), 7);
        let guard = Guard::new(ros.offer_minutes).with_market(pack);
        let mut voice = voice::Espeak::new(&pack.espeak_voice().unwrap().voice).unwrap_or_else(|e| panic!("{}: {e}", pack.id));
        let mut planner = Planner::new(&ros, products.len());
        let (mut t, mut lines, mut prices) = (0.0f64, 0, 0);
        while t < 600.0 {
            let seg = planner.next(t);
            let req = SegmentRequest {
                kind: seg.kind,
                product: products.get(seg.product),
                next_product: products.get(seg.next_product),
                index: seg.index,
                block: seg.block,
                sentences: seg.sentences,
                offer_minutes: ros.offer_minutes,
            };
            let before = t;
            for line in writer.compose(&req) {
                let shown = line.display(&pack.locale);
                assert!(!shown.contains('{') && !shown.contains('}'), "{}: unfilled slot in \"{shown}\"", pack.id);
                if let Err(r) = guard.check(&line, &catalog) {
                    panic!("{}: the pack's own line \"{shown}\" is refused: {r}", pack.id);
                }
                for f in line.facts() {
                    if let Fact::Price(m) = f {
                        assert!(shown.contains(&pack.locale.format_money(m)), "{}: price not written the market's way in \"{shown}\"", pack.id);
                        prices += 1;
                    }
                }
                let u = voice.speak(&line, &pack.locale).unwrap_or_else(|e| panic!("{}: the voice cannot say \"{shown}\": {e}", pack.id));
                assert!(u.duration() > 0.2, "{}: \"{shown}\" spoken in {} s", pack.id, u.duration());
                t += f64::from(u.duration()) + 0.45;
                lines += 1;
            }
            if t == before {
                t += 1.0;
            }
        }
        assert!(lines > 60 && prices > 3, "{}: {lines} lines, {prices} prices in ten minutes", pack.id);
        eprintln!("{}: {lines} lines, {prices} prices in 10 minutes", pack.id);
    }
}

/// A room says its pack's own AI disclosure each time the show re-discloses (its opening, then
/// every fourth product: five times an hour at the default three minutes a product): in every
/// pack each is one of the pack's phrasings as written, never behind an opener, and none comes
/// back before every other was said, so an hour of the default show repeats none.
#[test]
fn every_pack_discloses_the_ai_host_as_written_and_in_turn() {
    let catalog = demo_catalog();
    let products = catalog.products.clone();
    let per_hour = 1 + (60.0 / show::config::RunOfShow::default().product_minutes / 4.0).ceil() as usize;
    for pack in load_packs(&[]).unwrap().iter() {
        let phrasings: Vec<String> = pack.disclosure.spoken.iter().map(|d| d.replace("{host}", "Mia").replace("{show}", "Sunny Nest Live")).collect();
        assert!(phrasings.len() >= per_hour, "{}: {} phrasings of the AI disclosure, the default show says {per_hour} an hour", pack.id, phrasings.len());
        let mut writer = director::language::native_writer(pack, "Sunny Nest Live", &persona(), 7);
        let guard = Guard::new(5).with_market(pack);
        let mut said: Vec<String> = Vec::new();
        for i in 0..3 * phrasings.len() {
            let req = SegmentRequest { kind: SegmentKind::Hook, product: products.get(i % products.len()), next_product: None, index: 4 * i as u64, block: 4 * i as u64, sentences: 1, offer_minutes: 5 };
            if i == 0 {
                let open = writer.tagged_line("show_open", &req).unwrap_or_else(|| panic!("{}: no opening", pack.id));
                guard.check(&open, &catalog).unwrap_or_else(|r| panic!("{}: the opening refused: {r}", pack.id));
            }
            let line = writer.tagged_line("disclosure", &req).unwrap_or_else(|| panic!("{}: no disclosure", pack.id));
            let shown = line.display(&pack.locale);
            guard.check(&line, &catalog).unwrap_or_else(|r| panic!("{}: \"{shown}\" refused: {r}", pack.id));
            assert!(phrasings.contains(&shown), "{}: \"{shown}\" is not one of the pack's disclosures as written", pack.id);
            let since = said.len().saturating_sub(phrasings.len() - 1);
            assert!(!said[since..].contains(&shown), "{}: \"{shown}\" came back before every phrasing was said: {said:#?}", pack.id);
            said.push(shown);
        }
        assert_eq!(writer.repeats_forced as usize, 2 * phrasings.len(), "{}: the third round of phrasings repeats the first", pack.id);
    }
}

fn pack(id: &str) -> Pack {
    load_packs(&[]).unwrap().get(id).unwrap().clone()
}

fn text_line(text: &str) -> Line {
    Line::new(SegmentKind::Pitch, None).text(text)
}

#[test]
fn market_rules_refuse_banned_claims_in_the_markets_language() {
    let catalog = demo_catalog();
    let zh = Guard::new(5).with_market(&pack("zh-CN"));
    assert!(zh.check(&text_line("这是全网最好的台灯。"), &catalog).is_err(), "an absolute term passes in zh-CN");
    assert!(zh.check(&text_line("这款台灯是销量第一的款式。"), &catalog).is_err());
    assert!(zh.check(&text_line("最近很多朋友都在问这款台灯。"), &catalog).is_ok(), "a harmless 最近 is refused");
    let us = Guard::new(5).with_market(&pack("en-US"));
    assert!(us.check(&text_line("This balm cures eczema overnight."), &catalog).is_err(), "a cure claim passes in en-US");
    // A harmless English line whose (bad) translation makes a claim is caught on the
    // translated text.
    let es = Guard::new(5).with_market(&pack("es-MX"));
    let source = text_line("This cream feels soft on your hands.");
    assert!(us.check(&source, &catalog).is_ok());
    let translated = text_line("Esta crema cura la piel seca de tus manos.");
    let refused = es.check(&translated, &catalog).expect_err("a cure claim in Spanish passes in es-MX");
    assert!(refused.reason.contains("es-MX"), "{refused}");
    let spaced = text_line("Resultado GARANTIZADO en una semana.");
    assert!(es.check(&spaced, &catalog).is_err(), "a shouted banned word passes");
}

#[test]
fn a_broken_pack_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("xx-YY");
    std::fs::create_dir_all(&folder).unwrap();
    let es = BUILTIN_PACKS.iter().find(|(id, _)| *id == "es-MX").unwrap().1;
    let broken = es.replace("id = \"es-MX\"", "id = \"xx-YY\"").replacen("decimal = \".\"", "decimal = \",\"", 1);
    let broken = broken.replacen("{name}", "{point}", 1);
    std::fs::write(folder.join("pack.toml"), &broken).unwrap();
    let e = validate_dir(&folder).unwrap_err().to_string();
    assert!(e.contains("pack.toml:") && e.contains("field `numbers.decimal`"), "{e}");
    assert!(e.contains("{point}") && e.contains("templates."), "{e}");
    // A TOML error points at its line too.
    std::fs::write(folder.join("pack.toml"), broken.replacen("[rules]", "[rules]\nai_voice_allowd = true", 1)).unwrap();
    let e = validate_dir(&folder).unwrap_err().to_string();
    assert!(e.contains("ai_voice_allowd") && e.contains("pack.toml:"), "{e}");
}

#[test]
fn source_lines_keep_their_facts_apart() {
    // The native writer states facts as Facts, never as typed digits.
    let catalog = demo_catalog();
    let p = pack("de-DE");
    let mut w = TemplateWriter::native(Arc::new(p.templates.clone().unwrap()), "Sunny Nest", &persona(), 1);
    let prod = catalog.products.iter().find(|p| p.discount_percent().is_some()).unwrap();
    let req = SegmentRequest { kind: SegmentKind::Offer, product: Some(prod), next_product: None, index: 3, block: 0, sentences: 1, offer_minutes: 5 };
    for line in w.compose(&req) {
        for part in &line.parts {
            if let Part::Text(t) = part {
                assert!(!t.chars().any(|c| c.is_ascii_digit()), "digits typed into a native line: {t}");
            }
        }
    }
}

/// A room's fillers arrive one by one, the shortest first, each in the pack's language: a room
/// that has just swapped language can say its first filler before the whole bank is rendered.
#[test]
fn fillers_are_delivered_one_by_one_shortest_first() {
    let pt = pack("pt-BR");
    let bank = &pt.templates.as_ref().expect("pt-BR has native templates").filler;
    let locale = pt.locale.clone();
    let mut voice = voice::Espeak::new(&pt.espeak_voice().unwrap().voice).unwrap();
    let mut got: Vec<String> = Vec::new();
    director::language::fillers(&pt, &locale, &mut voice, &mut |u| {
        assert!(!u.samples.is_empty(), "a silent filler: {}", u.display);
        got.push(u.display.clone());
        true
    });
    assert_eq!(got.len(), bank.len(), "{got:?}");
    assert!(got.windows(2).all(|w| w[0].chars().count() <= w[1].chars().count()), "not shortest first: {got:?}");
    assert!(got.iter().all(|t| bank.contains(t)), "{got:?}");
    // Nobody listening any more: rendering stops after the first.
    let mut n = 0;
    director::language::fillers(&pt, &locale, &mut voice, &mut |_| {
        n += 1;
        false
    });
    assert_eq!(n, 1);
}
