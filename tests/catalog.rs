//! Catalog import on Shopify's own export format and on broken files: the products that come
//! out, and the errors that name file, line, column and field.

use std::path::Path;
use std::process::Command;

use show::{Currency, catalog};

/// A path in the repository (these tests belong to `crates/cli`).
fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo("tests/fixtures").join(name)
}

#[test]
fn shopify_template_gives_the_expected_products() {
    let c = catalog::load(&fixture("shopify-template.csv"), Currency::USD).expect("the template parses");
    let ids: Vec<&str> = c.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["framed-print", "example-t-shirt", "gift-wrap"]);

    let print = &c.products[0];
    assert_eq!(print.title, "Framed Print 9\" x 12\"");
    assert_eq!(print.points, ["Frame size 9\" x 12\"", "Oak & glass"]);
    assert!(print.description.starts_with("A quiet harbour at dawn, printed on matte paper."));
    assert_eq!(print.variants.len(), 2);
    assert_eq!(print.variants[0].title, "9\" x 12\"");
    assert_eq!(print.variants[0].price.minor, 3900);
    assert_eq!(print.variants[0].compare_at.map(|m| m.minor), Some(4900));
    assert_eq!(print.variants[1].compare_at, None);
    assert_eq!(print.images.len(), 3, "image-only rows add images");
    assert_eq!(print.stock(), Some(20));
    assert_eq!(print.discount_percent(), Some(20));

    let tee = &c.products[1];
    assert_eq!(tee.variants.len(), 3);
    assert_eq!(tee.variants[2].title, "Sky / Small");
    assert_eq!(tee.option_values("Colour"), ["Lithograph", "Sky"]);
    assert_eq!(tee.points, ["Soft cotton tee.", "Machine wash cold, tumble dry low."]);
    // Lead variant: the cheapest one in stock.
    assert_eq!(tee.lead_variant().sku.as_deref(), Some("TS-L-S"));

    let wrap = &c.products[2];
    assert_eq!(wrap.variants[0].title, "Default Title");
    assert_eq!(wrap.variants[0].price.minor, 650);
    assert_eq!(wrap.variants[0].inventory, None, "untracked inventory is not a stock count");
    assert_eq!(wrap.description, "Recycled paper – three patterns.");

    // Nothing is dropped silently: the unpriced and the draft product are reported.
    let notes: Vec<String> = c.notices.iter().map(|n| n.to_string()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("coming-soon-mug") && n.contains("no priced variant") && n.contains(":14:")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("old-hat") && n.contains("draft")), "{notes:?}");
}

#[test]
fn broken_values_name_file_line_column_and_field() {
    let err = catalog::load(&fixture("shopify-broken.csv"), Currency::USD).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].ends_with("shopify-broken.csv:6:110: field `Variant Price`: `39.0O` is not a decimal amount: expected a decimal amount in USD such as 14.90"), "{err}");
    assert!(lines[1].contains("shopify-broken.csv:13:60: "), "{err}");
    assert!(lines[1].contains("field `Variant Inventory Qty`: `eleven` is not a whole number"), "{err}");
}

#[test]
fn stray_quote_is_located() {
    let err = catalog::load(&fixture("shopify-stray-quote.csv"), Currency::USD).unwrap_err().to_string();
    assert!(err.contains("shopify-stray-quote.csv:") && err.contains("a `\"` inside an unquoted field"), "{err}");
}

#[test]
fn the_command_reports_products_and_errors() {
    let bin = env!("CARGO_BIN_EXE_evercast");
    let ok = Command::new(bin).args(["catalog"]).arg(fixture("shopify-template.csv")).output().unwrap();
    assert!(ok.status.success());
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(out.contains("3 sellable products"), "{out}");
    assert!(out.contains("framed-print — Framed Print 9\" x 12\": $39.00 (-20% off $49.00)"), "{out}");
    let bad = Command::new(bin).args(["catalog"]).arg(fixture("shopify-broken.csv")).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("field `Variant Price`"));
}

#[test]
fn json_catalog_of_the_demo_matches_its_csv() {
    let demo = repo("assets/demo");
    let csv = catalog::load(&demo.join("catalog.csv"), Currency::USD).expect("demo csv");
    let json = catalog::load(&demo.join("catalog.json"), Currency::USD).expect("demo json");
    assert!(csv.products.len() >= 5);
    assert!(csv.notices.is_empty(), "{:?}", csv.notices);
    for (a, b) in csv.products.iter().zip(&json.products) {
        assert_eq!(a.title, b.title);
        assert_eq!(a.price(), b.price());
        assert_eq!(a.compare_at(), b.compare_at());
        for img in &a.images {
            assert!(Path::new(img).is_file(), "demo image {img} exists");
        }
    }
}
