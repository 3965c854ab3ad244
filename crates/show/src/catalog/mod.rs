//! The seller's catalog: products, variants, prices and selling points.
//!
//! Two formats are read: Shopify's product CSV export ([`shopify`]) and a simple JSON format
//! ([`json`]). Every malformed value is an error that names file, line, column and field; a
//! product that cannot be sold (no price) is left out and reported as a [`Notice`], never
//! silently dropped.

pub mod csv;
pub mod html;
pub mod json;
pub mod shopify;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{SourceError, SourceErrors};
use crate::money::{Currency, Money};

/// Everything a show may say and show about one product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Stable identifier (Shopify handle, JSON `id`).
    pub id: String,
    pub title: String,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    pub tags: Vec<String>,
    /// The description as clean text.
    pub description: String,
    /// Selling points: list items of the description, or its sentences.
    pub points: Vec<String>,
    /// Sellable variants, in catalog order; never empty.
    pub variants: Vec<Variant>,
    /// Local paths (resolved against the catalog's folder) or URLs.
    pub images: Vec<String>,
    pub url: Option<String>,
    /// Optional facts a host may cite as social proof; only what the seller supplied.
    pub proof: SocialProof,
    /// Where the product starts in its file.
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SocialProof {
    /// Average rating out of 5.
    pub rating: Option<f32>,
    pub reviews: Option<u32>,
    pub sold: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// "Red / Large", or "Default Title" for a product without options.
    pub title: String,
    pub options: Vec<(String, String)>,
    pub sku: Option<String>,
    pub price: Money,
    pub compare_at: Option<Money>,
    /// `None` when inventory is not tracked.
    pub inventory: Option<i64>,
    pub image: Option<String>,
}

impl Product {
    /// The variant a host talks about: the cheapest in stock, else the cheapest.
    pub fn lead_variant(&self) -> &Variant {
        let in_stock = self.variants.iter().filter(|v| v.inventory.is_none_or(|q| q > 0));
        in_stock
            .min_by_key(|v| v.price.minor)
            .or_else(|| self.variants.iter().min_by_key(|v| v.price.minor))
            .expect("a product always has at least one sellable variant")
    }

    pub fn price(&self) -> Money {
        self.lead_variant().price
    }

    /// The lead variant's compare-at price when it is higher than its price.
    pub fn compare_at(&self) -> Option<Money> {
        let v = self.lead_variant();
        v.compare_at.filter(|c| c.minor > v.price.minor)
    }

    /// Whole percent off the compare-at price, rounded down.
    pub fn discount_percent(&self) -> Option<u32> {
        let was = self.compare_at()?;
        self.price().discount_percent_from(&was)
    }

    /// Units in stock across tracked variants; `None` if no variant tracks inventory.
    pub fn stock(&self) -> Option<i64> {
        let tracked: Vec<i64> = self.variants.iter().filter_map(|v| v.inventory).collect();
        if tracked.is_empty() { None } else { Some(tracked.iter().map(|q| (*q).max(0)).sum()) }
    }

    /// True when variants differ in price ("from $9.90").
    pub fn has_price_range(&self) -> bool {
        let lead = self.price().minor;
        self.variants.iter().any(|v| v.price.minor != lead)
    }

    /// Names of option values for the option called `name` (e.g. all colours).
    pub fn option_values(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in &self.variants {
            for (n, val) in &v.options {
                if n.eq_ignore_ascii_case(name) && !out.contains(val) {
                    out.push(val.clone());
                }
            }
        }
        out
    }

    /// Every amount the catalog supports for this product: prices and compare-at prices.
    pub fn amounts(&self) -> Vec<Money> {
        let mut out = Vec::new();
        for v in &self.variants {
            out.push(v.price);
            if let Some(c) = v.compare_at {
                out.push(c);
            }
        }
        out
    }
}

/// Something the import left out or could not use, with the place it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub source: PathBuf,
    pub currency: Currency,
    pub products: Vec<Product>,
    /// Products or variants left out, and why.
    pub notices: Vec<Notice>,
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// Every amount of money the catalog supports, across products.
    pub fn amounts(&self) -> Vec<Money> {
        self.products.iter().flat_map(|p| p.amounts()).collect()
    }
}

/// Loads a catalog, choosing the reader from the extension (`.csv` Shopify, `.json` JSON).
/// `currency` is the shop's currency (Shopify exports carry none); a JSON catalog may name its
/// own, which must agree.
pub fn load(path: &Path, currency: Currency) -> Result<Catalog, SourceErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        SourceError::new(path, format!("cannot read the catalog: {e}"))
    })?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut catalog = match ext.as_str() {
        "csv" => shopify::parse(path, &text, currency)?,
        "json" => json::parse(path, &text, currency)?,
        _ => {
            return Err(SourceError::new(
                path,
                "unknown catalog format: expected a Shopify product export (.csv) or an evercast catalog (.json)",
            )
            .into());
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    for p in &mut catalog.products {
        for img in p.images.iter_mut().chain(p.variants.iter_mut().filter_map(|v| v.image.as_mut())) {
            if !img.contains("://") && Path::new(img.as_str()).is_relative() {
                *img = base.join(&*img).to_string_lossy().into_owned();
            }
        }
    }
    if catalog.products.is_empty() {
        let mut msg = "the catalog has no product that can be sold".to_string();
        for n in &catalog.notices {
            msg.push_str(&format!("\n  {n}"));
        }
        return Err(SourceError::new(path, msg).into());
    }
    Ok(catalog)
}
