//! Shopify's product CSV export.
//!
//! A product spans several rows sharing a `Handle`: the first carries the product (title,
//! description, first variant), follow-up rows carry only another variant, or only another
//! image. Column names follow Shopify's template; unknown columns are ignored.

use std::collections::HashMap;
use std::path::Path;

use super::html;
use super::{Catalog, Notice, Product, SocialProof, Variant, csv};
use crate::error::{SourceError, SourceErrors};
use crate::money::{Currency, Money};

struct Columns {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Columns {
    fn get<'r>(&self, rec: &'r csv::Record, name: &str) -> Option<&'r csv::Field> {
        self.index.get(&name.to_ascii_lowercase()).and_then(|&i| rec.fields.get(i))
    }

    fn text<'r>(&self, rec: &'r csv::Record, name: &str) -> &'r str {
        self.get(rec, name).map_or("", |f| f.text.trim())
    }

    fn has(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_ascii_lowercase())
    }
}

pub fn parse(path: &Path, text: &str, currency: Currency) -> Result<Catalog, SourceErrors> {
    let records = csv::read(text).map_err(|e| SourceError::new(path, e.message).at(e.line, e.column))?;
    let mut records = records.into_iter();
    let header = records.next().ok_or_else(|| SourceError::new(path, "the file is empty: expected Shopify's header row (Handle,Title,Body (HTML),…)"))?;
    let names: Vec<String> = header.fields.iter().map(|f| f.text.trim().to_string()).collect();
    let index: HashMap<String, usize> = names.iter().enumerate().map(|(i, n)| (n.to_ascii_lowercase(), i)).collect();
    let cols = Columns { index, names };
    for required in ["Handle", "Title", "Variant Price"] {
        if !cols.has(required) {
            return Err(SourceError::new(
                path,
                format!("the header has no `{required}` column: expected a Shopify product export (columns Handle, Title, Body (HTML), Variant Price, …)"),
            )
            .at(header.line, 1)
            .into());
        }
    }

    let mut errors: Vec<SourceError> = Vec::new();
    let mut notices: Vec<Notice> = Vec::new();
    let mut drafts: Vec<Product> = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    let mut option_names: HashMap<String, [String; 3]> = HashMap::new();
    let mut seen_handles: HashMap<String, usize> = HashMap::new();
    // Variants without a price, reported per variant only when the product has priced ones.
    let mut unpriced: HashMap<String, Vec<Notice>> = HashMap::new();

    for rec in records {
        if rec.is_blank() {
            continue;
        }
        if rec.fields.len() != cols.names.len() {
            errors.push(
                SourceError::new(
                    path,
                    format!(
                        "this row has {} fields but the header has {} (a stray quote or comma in an earlier field?)",
                        rec.fields.len(),
                        cols.names.len()
                    ),
                )
                .at(rec.line, 1),
            );
            continue;
        }
        let err = |field: &str, msg: String| -> SourceError {
            let f = cols.get(&rec, field);
            SourceError::new(path, msg).at(f.map_or(rec.line, |f| f.line), f.map_or(1, |f| f.column)).field(field)
        };
        let handle = cols.text(&rec, "Handle").to_string();
        if handle.is_empty() {
            errors.push(err("Handle", "empty: every row needs the handle of the product it belongs to".into()));
            continue;
        }
        if excluded.contains(&handle) {
            continue;
        }
        let is_new = !seen_handles.contains_key(&handle);
        if is_new {
            let title = cols.text(&rec, "Title");
            if title.is_empty() {
                errors.push(err("Title", format!("empty on the first row of product `{handle}`: expected the product's name")));
                excluded.push(handle);
                continue;
            }
            let status = cols.text(&rec, "Status").to_ascii_lowercase();
            if !status.is_empty() && status != "active" {
                notices.push(Notice { file: path.into(), line: rec.line, message: format!("product `{handle}` is {status}: left out of the show") });
                excluded.push(handle);
                continue;
            }
            if cols.text(&rec, "Gift Card").eq_ignore_ascii_case("true") {
                notices.push(Notice { file: path.into(), line: rec.line, message: format!("product `{handle}` is a gift card: left out of the show") });
                excluded.push(handle);
                continue;
            }
            let desc = html::describe(cols.get(&rec, "Body (HTML)").map_or("", |f| f.text.as_str()));
            let tags = cols.text(&rec, "Tags").split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect();
            let opt = |k: &str| cols.text(&rec, k).to_string();
            option_names.insert(handle.clone(), [opt("Option1 Name"), opt("Option2 Name"), opt("Option3 Name")]);
            seen_handles.insert(handle.clone(), drafts.len());
            drafts.push(Product {
                id: handle.clone(),
                title: html::collapse_ws(title),
                vendor: Some(cols.text(&rec, "Vendor").to_string()).filter(|s| !s.is_empty()),
                product_type: Some(cols.text(&rec, "Type").to_string()).filter(|s| !s.is_empty()),
                tags,
                description: desc.text,
                points: desc.points,
                variants: Vec::new(),
                images: Vec::new(),
                url: None,
                proof: SocialProof::default(),
                line: rec.line,
            });
        }
        let idx = seen_handles[&handle];

        let image = cols.text(&rec, "Image Src");
        if !image.is_empty() && !drafts[idx].images.iter().any(|i| i == image) {
            drafts[idx].images.push(image.to_string());
        }

        // A follow-up row is a variant when it carries any variant field; else it only adds an image.
        let variant_fields = ["Option1 Value", "Variant SKU", "Variant Price", "Variant Compare At Price", "Variant Inventory Qty"];
        let is_variant = is_new || variant_fields.iter().any(|f| !cols.text(&rec, f).is_empty());
        if !is_variant {
            continue;
        }
        let names = &option_names[&handle];
        let mut options = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let value = cols.text(&rec, &format!("Option{} Value", i + 1));
            if !value.is_empty() && !(name.eq_ignore_ascii_case("title") && value.eq_ignore_ascii_case("default title")) {
                let name = if name.is_empty() { format!("Option {}", i + 1) } else { name.clone() };
                options.push((name, value.to_string()));
            }
        }
        let title = if options.is_empty() { "Default Title".to_string() } else { options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / ") };
        let money = |field: &str| -> Result<Option<Money>, SourceError> {
            let t = cols.text(&rec, field);
            if t.is_empty() {
                return Ok(None);
            }
            Money::parse(t, currency).map(Some).map_err(|m| err(field, format!("{m}: expected a decimal amount in {currency} such as 14.90")))
        };
        let price = match money("Variant Price") {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let compare_at = match money("Variant Compare At Price") {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let qty_text = cols.text(&rec, "Variant Inventory Qty");
        let inventory = if qty_text.is_empty() {
            None
        } else {
            match qty_text.parse::<i64>() {
                Ok(q) => {
                    // Inventory not tracked by Shopify means the count is meaningless.
                    let tracked = !cols.has("Variant Inventory Tracker") || !cols.text(&rec, "Variant Inventory Tracker").is_empty();
                    if tracked { Some(q) } else { None }
                }
                Err(_) => {
                    errors.push(err("Variant Inventory Qty", format!("`{qty_text}` is not a whole number: expected a stock count such as 25")));
                    continue;
                }
            }
        };
        let Some(price) = price else {
            let f = cols.get(&rec, "Variant Price");
            unpriced.entry(handle.clone()).or_default().push(Notice {
                file: path.into(),
                line: f.map_or(rec.line, |f| f.line),
                message: format!("variant `{title}` of product `{handle}` has no Variant Price: it cannot be sold and is left out"),
            });
            continue;
        };
        let sku = Some(cols.text(&rec, "Variant SKU").to_string()).filter(|s| !s.is_empty());
        let vimage = Some(cols.text(&rec, "Variant Image").to_string()).filter(|s| !s.is_empty());
        drafts[idx].variants.push(Variant { title, options, sku, price, compare_at, inventory, image: vimage });
    }

    if !errors.is_empty() {
        return Err(SourceErrors(errors));
    }
    let mut products = Vec::new();
    for p in drafts {
        let variant_notices = unpriced.remove(&p.id).unwrap_or_default();
        if !p.variants.is_empty() {
            notices.extend(variant_notices);
        }
        if p.variants.is_empty() {
            notices.push(Notice {
                file: path.into(),
                line: p.line,
                message: format!("product `{}` (\"{}\") has no priced variant: it cannot be sold and is left out", p.id, p.title),
            });
        } else {
            products.push(p);
        }
    }
    Ok(Catalog { source: path.into(), currency, products, notices })
}
