//! evercast's simple JSON catalog.
//!
//! ```json
//! { "currency": "USD",
//!   "products": [
//!     { "id": "bamboo-lamp", "title": "Bamboo Desk Lamp", "description": "…or HTML…",
//!       "points": ["Warm dimmable light"], "price": "24.90", "compare_at_price": "39.90",
//!       "inventory": 42, "image": "images/lamp.png", "url": "https://…",
//!       "rating": 4.7, "reviews": 318, "sold": 2100,
//!       "variants": [ { "title": "Oak", "options": {"Finish": "Oak"}, "price": "26.90" } ] } ] }
//! ```
//! A product has either `price` (one variant) or `variants`. Unknown keys are errors, so a typo
//! does not silently lose a fact. Errors name the line and column of the offending value.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::html;
use super::{Catalog, Notice, Product, SocialProof, Variant};
use crate::error::{SourceError, SourceErrors, line_col};
use crate::money::{Currency, Money};

const PRODUCT_KEYS: &[&str] = &[
    "id", "title", "description", "points", "price", "compare_at_price", "inventory", "sku", "image", "images", "url",
    "vendor", "type", "tags", "rating", "reviews", "sold", "variants",
];
const VARIANT_KEYS: &[&str] = &["title", "options", "price", "compare_at_price", "inventory", "sku", "image"];

pub fn parse(path: &Path, text: &str, show_currency: Currency) -> Result<Catalog, SourceErrors> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        SourceError::new(path, format!("not valid JSON: {e}")).at(e.line(), e.column())
    })?;
    let spans = index_positions(text);
    let ctx = Ctx { path, spans: &spans };
    let mut errors = Vec::new();
    let mut notices = Vec::new();

    let Some(obj) = root.as_object() else {
        return Err(ctx.err("", "", "expected an object with a `products` array").into());
    };
    for k in obj.keys() {
        if k != "currency" && k != "products" {
            errors.push(ctx.err(&format!("/{k}"), k, "unknown key: expected `currency` or `products`"));
        }
    }
    let currency = match obj.get("currency") {
        None => show_currency,
        Some(Value::String(s)) => match Currency::from_code(s) {
            Some(c) if c == show_currency => c,
            Some(c) => {
                return Err(ctx
                    .err("/currency", "currency", &format!("the catalog is priced in {c} but the show's currency is {show_currency}: make them agree"))
                    .into());
            }
            None => return Err(ctx.err("/currency", "currency", "expected a three-letter ISO 4217 code such as USD").into()),
        },
        Some(_) => return Err(ctx.err("/currency", "currency", "expected a string such as \"USD\"").into()),
    };
    let Some(list) = obj.get("products").and_then(Value::as_array) else {
        return Err(ctx.err("", "products", "missing or not an array: expected `\"products\": [ … ]`").into());
    };

    let mut products = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, pv) in list.iter().enumerate() {
        let at = format!("/products/{i}");
        let Some(p) = pv.as_object() else {
            errors.push(ctx.err(&at, "", "expected a product object"));
            continue;
        };
        let line = ctx.line(&at);
        let before = errors.len();
        for k in p.keys() {
            if !PRODUCT_KEYS.contains(&k.as_str()) {
                errors.push(ctx.err(&format!("{at}/{k}"), k, &format!("unknown key: expected one of {}", PRODUCT_KEYS.join(", "))));
            }
        }
        let id = ctx.string(p, &at, "id", true, &mut errors).unwrap_or_default();
        let title = ctx.string(p, &at, "title", true, &mut errors).unwrap_or_default();
        if !id.is_empty() {
            if let Some(prev) = ids.insert(id.clone(), line) {
                errors.push(ctx.err(&format!("{at}/id"), "id", &format!("duplicate id `{id}` (first used on line {prev})")));
            }
        }
        let desc = html::describe(&ctx.string(p, &at, "description", false, &mut errors).unwrap_or_default());
        let points = match p.get("points") {
            None => desc.points.clone(),
            Some(_) => ctx.strings(p, &at, "points", &mut errors),
        };
        let mut images = ctx.strings(p, &at, "images", &mut errors);
        if let Some(img) = ctx.string(p, &at, "image", false, &mut errors) {
            images.insert(0, img);
        }
        let proof = SocialProof {
            rating: ctx.number(p, &at, "rating", &mut errors).and_then(|r| {
                if (0.0..=5.0).contains(&r) { Some(r as f32) } else {
                    errors.push(ctx.err(&format!("{at}/rating"), "rating", "expected an average rating between 0 and 5"));
                    None
                }
            }),
            reviews: ctx.count(p, &at, "reviews", &mut errors).map(|n| n as u32),
            sold: ctx.count(p, &at, "sold", &mut errors).map(|n| n as u32),
        };
        let mut variants = Vec::new();
        let mut unpriced = Vec::new();
        match p.get("variants") {
            Some(Value::Array(vs)) => {
                if p.contains_key("price") {
                    errors.push(ctx.err(&format!("{at}/price"), "price", "a product has either `price` or `variants`, not both"));
                }
                for (j, vv) in vs.iter().enumerate() {
                    let vat = format!("{at}/variants/{j}");
                    let Some(v) = vv.as_object() else {
                        errors.push(ctx.err(&vat, "", "expected a variant object"));
                        continue;
                    };
                    for k in v.keys() {
                        if !VARIANT_KEYS.contains(&k.as_str()) {
                            errors.push(ctx.err(&format!("{vat}/{k}"), k, &format!("unknown key: expected one of {}", VARIANT_KEYS.join(", "))));
                        }
                    }
                    let options: Vec<(String, String)> = match v.get("options") {
                        None => Vec::new(),
                        Some(Value::Object(o)) => o.iter().map(|(k, v)| (k.clone(), v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))).collect(),
                        Some(_) => {
                            errors.push(ctx.err(&format!("{vat}/options"), "options", "expected an object such as {\"Color\": \"Red\"}"));
                            Vec::new()
                        }
                    };
                    let vtitle = ctx.string(v, &vat, "title", false, &mut errors).unwrap_or_else(|| {
                        if options.is_empty() { "Default Title".into() } else { options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / ") }
                    });
                    if let Some(variant) = ctx.variant(v, &vat, vtitle.clone(), options, currency, &mut errors) {
                        variants.push(variant);
                    } else if errors.len() == before && !v.contains_key("price") {
                        unpriced.push(Notice { file: path.into(), line: ctx.line(&vat), message: format!("variant `{vtitle}` of product `{id}` has no price: it cannot be sold and is left out") });
                    }
                }
            }
            Some(_) => errors.push(ctx.err(&format!("{at}/variants"), "variants", "expected an array of variants")),
            None => {
                if let Some(v) = ctx.variant(p, &at, "Default Title".into(), Vec::new(), currency, &mut errors) {
                    variants.push(v);
                }
            }
        }
        if errors.len() > before {
            continue;
        }
        if variants.is_empty() {
            notices.push(Notice { file: path.into(), line, message: format!("product `{id}` (\"{title}\") has no price: it cannot be sold and is left out") });
            continue;
        }
        notices.extend(unpriced);
        products.push(Product {
            id,
            title,
            vendor: ctx.string(p, &at, "vendor", false, &mut errors),
            product_type: ctx.string(p, &at, "type", false, &mut errors),
            tags: ctx.strings(p, &at, "tags", &mut errors),
            description: desc.text,
            points,
            variants,
            images,
            url: ctx.string(p, &at, "url", false, &mut errors),
            proof,
            line,
        });
    }
    if !errors.is_empty() {
        return Err(SourceErrors(errors));
    }
    Ok(Catalog { source: path.into(), currency, products, notices })
}

struct Ctx<'a> {
    path: &'a Path,
    spans: &'a HashMap<String, (usize, usize)>,
}

impl Ctx<'_> {
    fn err(&self, pointer: &str, field: &str, msg: &str) -> SourceError {
        let mut e = SourceError::new(self.path, msg);
        if let Some(&(l, c)) = self.spans.get(pointer) {
            e = e.at(l, c);
        }
        if !field.is_empty() {
            e = e.field(field);
        }
        e
    }

    fn line(&self, pointer: &str) -> usize {
        self.spans.get(pointer).map_or(1, |s| s.0)
    }

    fn string(&self, o: &Map<String, Value>, at: &str, key: &str, required: bool, errors: &mut Vec<SourceError>) -> Option<String> {
        match o.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::String(_)) | None if required => {
                let ptr = if o.contains_key(key) { format!("{at}/{key}") } else { at.to_string() };
                errors.push(self.err(&ptr, key, "missing or empty: expected a non-empty string"));
                None
            }
            Some(Value::String(_)) | None | Some(Value::Null) => None,
            Some(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "expected a string"));
                None
            }
        }
    }

    fn strings(&self, o: &Map<String, Value>, at: &str, key: &str, errors: &mut Vec<SourceError>) -> Vec<String> {
        match o.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                a.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            }
            Some(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "expected an array of strings"));
                Vec::new()
            }
        }
    }

    fn number(&self, o: &Map<String, Value>, at: &str, key: &str, errors: &mut Vec<SourceError>) -> Option<f64> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "expected a number"));
                None
            }
        }
    }

    fn count(&self, o: &Map<String, Value>, at: &str, key: &str, errors: &mut Vec<SourceError>) -> Option<i64> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v >= 0 || key == "inventory") => n.as_i64(),
            Some(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "expected a whole number such as 25"));
                None
            }
        }
    }

    fn money(&self, o: &Map<String, Value>, at: &str, key: &str, currency: Currency, errors: &mut Vec<SourceError>) -> Option<Money> {
        let text = match o.get(key) {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) if s.trim().is_empty() => return None,
            Some(Value::String(s)) => s.clone(),
            // serde_json prints a float in its shortest round-trip form: 14.9 → "14.9".
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "expected an amount such as \"14.90\""));
                return None;
            }
        };
        match Money::parse(&text, currency) {
            Ok(m) if m.minor >= 0 => Some(m),
            Ok(_) => {
                errors.push(self.err(&format!("{at}/{key}"), key, "a price cannot be negative"));
                None
            }
            Err(m) => {
                errors.push(self.err(&format!("{at}/{key}"), key, &format!("{m}: expected a decimal amount in {currency} such as \"14.90\"")));
                None
            }
        }
    }

    fn variant(
        &self,
        o: &Map<String, Value>,
        at: &str,
        title: String,
        options: Vec<(String, String)>,
        currency: Currency,
        errors: &mut Vec<SourceError>,
    ) -> Option<Variant> {
        let price = self.money(o, at, "price", currency, errors);
        let compare_at = self.money(o, at, "compare_at_price", currency, errors);
        let inventory = self.count(o, at, "inventory", errors);
        let sku = self.string(o, at, "sku", false, errors);
        let image = self.string(o, at, "image", false, errors);
        Some(Variant { title, options, sku, price: price?, compare_at, inventory, image })
    }
}

/// Maps each JSON pointer (`/products/0/price`) to the line and column where its value starts.
/// serde_json keeps no spans, and errors must say where to look.
fn index_positions(text: &str) -> HashMap<String, (usize, usize)> {
    let mut out = HashMap::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let pos = |byte: usize| line_col(text, byte);
    walk(bytes, &mut i, String::new(), &mut out, &pos);
    out
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

fn read_string(b: &[u8], i: &mut usize) -> String {
    // Assumes valid JSON (checked by serde_json first); decodes only what keys need.
    let start = *i + 1;
    *i += 1;
    while *i < b.len() && b[*i] != b'"' {
        if b[*i] == b'\\' {
            *i += 1;
        }
        *i += 1;
    }
    let raw = String::from_utf8_lossy(&b[start..(*i).min(b.len())]).into_owned();
    *i += 1;
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or(raw)
}

fn walk(b: &[u8], i: &mut usize, ptr: String, out: &mut HashMap<String, (usize, usize)>, pos: &dyn Fn(usize) -> (usize, usize)) {
    skip_ws(b, i);
    if *i >= b.len() {
        return;
    }
    out.insert(ptr.clone(), pos(*i));
    match b[*i] {
        b'{' => {
            *i += 1;
            loop {
                skip_ws(b, i);
                if *i >= b.len() || b[*i] == b'}' {
                    *i += 1;
                    return;
                }
                if b[*i] == b',' {
                    *i += 1;
                    continue;
                }
                let key = read_string(b, i);
                skip_ws(b, i);
                *i += 1; // ':'
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(b, i, format!("{ptr}/{escaped}"), out, pos);
            }
        }
        b'[' => {
            *i += 1;
            let mut n = 0;
            loop {
                skip_ws(b, i);
                if *i >= b.len() || b[*i] == b']' {
                    *i += 1;
                    return;
                }
                if b[*i] == b',' {
                    *i += 1;
                    continue;
                }
                walk(b, i, format!("{ptr}/{n}"), out, pos);
                n += 1;
            }
        }
        b'"' => {
            read_string(b, i);
        }
        _ => {
            while *i < b.len() && !matches!(b[*i], b',' | b'}' | b']') && !b[*i].is_ascii_whitespace() {
                *i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values() {
        let text = "{\n  \"products\": [\n    {\"id\": \"a\",\n     \"price\": \"x\"}\n  ]\n}";
        let idx = index_positions(text);
        assert_eq!(idx["/products/0/price"], (4, 15));
        assert_eq!(idx["/products/0"], (3, 5));
    }

    #[test]
    fn bad_price_names_line_and_field() {
        let text = "{\"products\": [\n {\"id\": \"a\", \"title\": \"A\",\n  \"price\": \"12,5\"}]}";
        let e = parse(Path::new("c.json"), text, Currency::USD).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("c.json:3:12: field `price`:"), "{s}");
    }

    #[test]
    fn unpriced_product_is_reported_not_dropped() {
        let text = r#"{"products": [{"id": "a", "title": "A", "price": 14.9, "compare_at_price": "24.90"}, {"id": "b", "title": "B"}]}"#;
        let c = parse(Path::new("c.json"), text, Currency::USD).unwrap();
        assert_eq!(c.products.len(), 1);
        assert_eq!(c.products[0].price().minor, 1490);
        assert_eq!(c.products[0].discount_percent(), Some(40));
        assert_eq!(c.notices.len(), 1);
        assert!(c.notices[0].message.contains("`b`"));
    }
}
