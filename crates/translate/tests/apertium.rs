//! Apertium en→es through one long-lived pipeline: placeholders kept, unknown words unmarked,
//! and the process restarted when it dies.

mod common;

use std::time::Instant;

use show::line::{Fact, Line, SegmentKind};
use show::locale::Locale;
use show::money::{Currency, Money};
use translate::{Engine, Job, Protect, lock, unlock};

#[test]
fn english_to_spanish_keeps_placeholders() {
    let mut ap = common::apertium();
    let (en, es) = (
        Locale::parse("en-US").unwrap(),
        Locale::parse("es-ES").unwrap(),
    );
    let job = Job {
        from: &en,
        to: &es,
        to_name: "Spanish",
        retry: None,
    };
    let protect = Protect {
        names: vec!["Bamboo Desk Lamp".into(), "竹制台灯".into()],
        ..Protect::default()
    };
    let price = Fact::Price(Money::parse("24.90", Currency::USD).unwrap());
    let lines = [
        Line::new(SegmentKind::Offer, Some("lamp".into()))
            .text("The Bamboo Desk Lamp is only ")
            .fact(price)
            .text(" today, use code SPRING15!"),
        Line::new(SegmentKind::CallToAction, None)
            .text("Order the 竹制台灯 at https://shop.example.com/lamp and follow @lumo_store."),
        Line::new(SegmentKind::Pitch, None)
            .text("It is 9.5 cm tall, holds 500 ml and is 3x brighter."),
        Line::new(SegmentKind::Offer, None)
            .text("Save ")
            .fact(Fact::Percent(40))
            .text(" for the next ")
            .fact(Fact::Minutes(10))
            .text(" minutes."),
    ];
    let started = Instant::now();
    for line in &lines {
        let locked = lock(line, &protect, &en);
        let out = ap
            .translate(&locked.text, &job)
            .expect("apertium translates");
        println!("{}\n  → {out}", locked.text);
        let back =
            unlock(&locked, &out, line).unwrap_or_else(|e| panic!("{e}: {} → {out}", locked.text));
        assert_eq!(back.facts().count(), line.facts().count());
        assert!(!out.contains('*') && !out.contains('\\'), "{out}");
    }
    let per = started.elapsed().as_secs_f64() / lines.len() as f64;
    println!("apertium: {:.1} ms a sentence", per * 1000.0);
    assert!(
        per < 1.0,
        "a long-lived pipeline answers in milliseconds, took {per:.2}s"
    );
    // A pair it does not cover is refused, not passed through.
    let fr = Locale::parse("fr-FR").unwrap();
    assert!(
        ap.translate(
            "Hello.",
            &Job {
                from: &en,
                to: &fr,
                to_name: "French",
                retry: None
            }
        )
        .is_err()
    );
}

#[test]
fn missing_pair_names_the_install() {
    let e = translate::Apertium::new("xxx-yyy")
        .err()
        .expect("no such pair");
    assert_eq!(e.kind, show::stages::StageErrorKind::Missing);
    assert!(e.message.contains("apt-get install apertium"), "{e}");
}
