//! Every price of a sample catalog, spoken in English, parses back to the same price: the
//! words the voice says are the catalog's facts.

use std::path::Path;

use show::{Catalog, Currency, Fact, Line, Locale, Money, SegmentKind};
use voice::normalize::parse_en;

fn catalog(code: &str) -> Catalog {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog.json");
    show::catalog::load(&path, Currency::from_code(code).unwrap()).unwrap()
}

fn price_line(m: Money) -> Line {
    Line::new(SegmentKind::Offer, None).fact(Fact::Price(m))
}

#[test]
fn every_price_parses_back_from_its_english_words() {
    let mut checked = 0;
    let yen = Currency::from_code("JPY").unwrap();
    for code in ["USD", "EUR", "GBP", "CAD", "JPY"] {
        // A yen catalog has no decimals: the same figures, read as whole yen.
        let amounts: Vec<Money> = if code == "JPY" {
            catalog("USD").amounts().iter().map(|m| Money::new(m.minor, yen)).collect()
        } else {
            catalog(code).amounts()
        };
        assert!(amounts.len() >= 20, "{code}: {}", amounts.len());
        for tag in ["en-US", "en-GB", "en-CA"] {
            let locale = Locale::parse(tag).unwrap();
            for m in &amounts {
                let said = voice::spoken(&price_line(*m), &locale).text;
                assert_eq!(parse_en::money(&said, m.currency), Some(*m), "{tag}: {} said as {said:?}", m);
                checked += 1;
            }
        }
    }
    println!("{checked} prices round-tripped");
}

#[test]
fn offers_read_back_as_the_catalog_says() {
    let locale = Locale::parse("en-US").unwrap();
    for p in &catalog("USD").products {
        let (Some(was), now) = (p.compare_at(), p.price()) else { continue };
        let line = Line::new(SegmentKind::Offer, Some(p.id.clone()))
            .text(format!("{} was ", p.title))
            .fact(Fact::Price(was))
            .text(", today just ")
            .fact(Fact::Price(now))
            .text(". That's ")
            .fact(Fact::Percent(p.discount_percent().unwrap_or(0)))
            .text(" off!");
        let said = voice::spoken(&line, &locale).text;
        assert_eq!(parse_en::amounts(&said, Currency::USD), vec![was, now], "{said}");
    }
}
