//! The product card: picture, name, price, compare-at price and discount badge, stock counter
//! and QR code, drawn once per product into a sprite with its soft shadow.

use std::path::Path;

use cosmic_text::Align;
use show::{Locale, Product};
use tiny_skia::{Color, FillRule, Mask, Pixmap, PixmapMut, Transform};

use crate::layout::{Layout, Rect};
use crate::paint::{self, alpha, rgb, rgba};
use crate::text::{Fonts, TextBlock, TextStyle};
use crate::theme::Theme;
use crate::{TextBox, TextRole, i18n};

/// A drawn card and where its texts ended up (frame pixels).
pub(crate) struct CardSprite {
    pub pixmap: Pixmap,
    pub x: i32,
    pub y: i32,
    pub texts: Vec<TextBox>,
    /// The card already drawn over its patch of the set, when nothing else is ever drawn
    /// under it: copied rather than blended each frame.
    pub opaque: Option<Pixmap>,
}

impl CardSprite {
    /// Pre-composes the card over `base` unless the host's box reaches under it.
    pub fn flatten(&mut self, base: &Pixmap, host: Rect) {
        let r = Rect::new(self.x, self.y, self.pixmap.width() as i32, self.pixmap.height() as i32);
        if !r.intersect(host).is_empty() || !Rect::new(0, 0, base.width() as i32, base.height() as i32).contains(&r) {
            return;
        }
        let Some(ir) = tiny_skia::IntRect::from_xywh(r.x, r.y, r.w as u32, r.h as u32) else { return };
        let Some(mut flat) = base.clone_rect(ir) else { return };
        paint::blit(&mut flat.as_mut(), self.pixmap.as_ref(), 0, 0, None);
        self.opaque = Some(flat);
    }
}

/// RGBA (straight alpha) → premultiplied pixmap.
pub(crate) fn premultiplied(img: &image::RgbaImage) -> Option<Pixmap> {
    let (w, h) = img.dimensions();
    let mut pm = Pixmap::new(w, h)?;
    for (d, s) in pm.data_mut().chunks_exact_mut(4).zip(img.as_raw().chunks_exact(4)) {
        let a = u32::from(s[3]);
        d[0] = ((u32::from(s[0]) * a + 127) / 255) as u8;
        d[1] = ((u32::from(s[1]) * a + 127) / 255) as u8;
        d[2] = ((u32::from(s[2]) * a + 127) / 255) as u8;
        d[3] = s[3];
    }
    Some(pm)
}

/// The product's picture, if it is a readable local file.
fn product_image(p: &Product) -> Option<image::RgbaImage> {
    let candidates = p.images.iter().chain(p.lead_variant().image.iter());
    for src in candidates {
        if src.contains("://") {
            tracing::debug!(product = %p.id, image = %src, "remote image: showing a placeholder");
            continue;
        }
        match image::open(Path::new(src)) {
            Ok(img) => return Some(img.to_rgba8()),
            Err(e) => tracing::warn!(product = %p.id, image = %src, error = %e, "cannot read the product image: showing a placeholder"),
        }
    }
    None
}

struct Ctx<'a> {
    fonts: &'a mut Fonts,
    pm: PixmapMut<'a>,
    /// Card sprite → frame offset.
    ox: i32,
    oy: i32,
    texts: Vec<TextBox>,
    rtl: bool,
}

impl Ctx<'_> {
    /// Sets text into `r` (sprite coordinates), vertically centred when `centre`.
    fn text(&mut self, role: TextRole, text: &str, st: &TextStyle, r: Rect, centre: bool) -> (Rect, TextBlock) {
        let b = self.fonts.block(text, st, r.w, r.h);
        let y = if centre { r.y + (r.h - b.height()) / 2 } else { r.y };
        b.draw(&mut self.pm, r.x, y, None);
        let frame_box = r.translate(self.ox, self.oy);
        let ink = b.ink.map(|i| i.translate(r.x + self.ox, y + self.oy));
        self.texts.push(TextBox { role, text: text.to_string(), rect: frame_box, ink });
        (Rect::new(r.x, y, b.width(), b.height()), b)
    }

    /// Where a run of `w` pixels starts inside `r`, from the reading start.
    fn start(&self, r: Rect, w: i32) -> i32 {
        if self.rtl { r.right() - w } else { r.x }
    }
}

pub(crate) fn render(fonts: &mut Fonts, product: &Product, locale: &Locale, layout: &Layout, theme: &Theme) -> Option<CardSprite> {
    let u = layout.unit;
    let px = |v: f32| (v * u).round() as i32;
    let card = layout.card;
    let margin = px(26.0);
    let (sw, sh) = ((card.w + 2 * margin) as u32, (card.h + 2 * margin) as u32);
    let mut sprite = Pixmap::new(sw, sh)?;
    let radius = 22.0 * u;
    let body = Rect::new(margin, margin, card.w, card.h);
    let (bx, by, bw, bh) = body.f();

    // Shadow, then the card.
    if let Some(shadow) = paint::soft_shadow(sw, sh, px(22.0) as u32, |pm| {
        if let Some(p) = paint::rounded_rect(bx, by + 8.0 * u, bw, bh, radius) {
            paint::fill(pm, &p, Color::BLACK, Transform::identity());
        }
    }, rgba(8, 4, 24, 130))
    {
        paint::blit(&mut sprite.as_mut(), shadow.as_ref(), 0, 0, None);
    }
    if let Some(p) = paint::rounded_rect(bx, by, bw, bh, radius) {
        paint::fill(&mut sprite.as_mut(), &p, theme.card, Transform::identity());
    }

    let pad = px(16.0);
    let inner = body.inset(pad);
    let wide = layout.vertical;
    let rtl = locale.is_rtl();
    let url = product.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    // Text rows under the name: price, then up to two lines of facts (ratings, stock).
    let info = info_lines(product, locale);
    let (price_h, info_h, gap) = (px(50.0), px(24.0), px(4.0));
    let mut rows_h = price_h + info.len() as i32 * (info_h + gap);
    if url.is_some() && !wide {
        // Room for a QR code a phone can read beside the rows.
        rows_h = rows_h.max(px(84.0));
    }
    let name_h = px(60.0);
    let name_st = TextStyle::new(24.0 * u, theme.ink).bold().shrink_to(17.0 * u).lines(2);
    let (image_r, col) = if wide {
        let img = Rect::new(inner.x, inner.y, inner.h, inner.h);
        let tx = img.right() + px(16.0);
        (img, Rect::new(tx, inner.y, inner.right() - tx, inner.h))
    } else {
        // The picture takes what the name (one or two lines) and the rows leave.
        let name_used = fonts.block(&product.title, &name_st, inner.w, name_h).height();
        let text_h = name_used + px(8.0) + rows_h;
        let img = Rect::new(inner.x, inner.y, inner.w, (inner.h - text_h - px(12.0)).max(px(60.0)));
        (img, Rect::new(inner.x, img.bottom() + px(12.0), inner.w, inner.bottom() - img.bottom() - px(12.0)))
    };
    // Right-to-left: the picture on the right of a wide card.
    let full = 2 * margin + card.w;
    let (image_r, col) = if rtl && wide { (image_r.mirror(full), col.mirror(full)) } else { (image_r, col) };
    draw_picture(&mut sprite, product, image_r, 14.0 * u, theme);

    let mut cx = Ctx { fonts, pm: sprite.as_mut(), ox: card.x - margin, oy: card.y - margin, texts: Vec::new(), rtl };

    if let Some(pct) = product.discount_percent() {
        badge(&mut cx, &locale.format_discount(pct), image_r, theme, u);
    }

    // The QR code takes the reading-end side of the rows (of the whole column on a wide card).
    let qr_side = if wide { px(92.0) } else { rows_h.min(px(100.0)) };
    let mut text_col = col;
    if let Some(url) = url {
        let qx = if rtl { col.x } else { col.right() - qr_side };
        let (qy, caption_h) = if wide { (col.y + px(6.0), px(18.0)) } else { (col.bottom() - qr_side, 0) };
        draw_qr(&mut cx.pm, url, Rect::new(qx, qy, qr_side, qr_side));
        if caption_h > 0 {
            let cap = TextStyle::new(12.0 * u, theme.muted).shrink_to(9.0 * u).align(Align::Center);
            cx.text(TextRole::Caption, i18n::scan_to_buy(locale), &cap, Rect::new(qx - px(8.0), qy + qr_side + px(4.0), qr_side + px(16.0), caption_h), false);
        }
        if wide {
            text_col.w -= qr_side + px(14.0);
            if rtl {
                text_col.x += qr_side + px(14.0);
            }
        }
    }
    let name_box_h = if wide { name_h } else { (text_col.h - rows_h - px(8.0)).clamp(1, name_h) };
    let (name_used, name) = cx.text(TextRole::Name, &product.title, &name_st, Rect::new(text_col.x, text_col.y, text_col.w, name_box_h), false);
    if name.ellipsized {
        tracing::debug!(product = %product.id, "the product name is cut short on the card");
    }
    // A wide card closes the gap under a one-line name; a tall card keeps rows on a baseline.
    let rows_top = if wide { name_used.bottom() + px(6.0) } else { text_col.bottom() - rows_h };
    let rows_w = if url.is_some() && !wide { text_col.w - qr_side - px(12.0) } else { text_col.w };
    let rows = Rect::new(if rtl { text_col.right() - rows_w } else { text_col.x }, rows_top, rows_w, rows_h);

    // Price, bold, then the struck-through compare-at price after it.
    let price_row = Rect::new(rows.x, rows.y, rows.w, price_h);
    let price = locale.format_money(&product.price());
    let price_st = TextStyle::new(40.0 * u, if product.compare_at().is_some() { theme.sale } else { theme.ink }).bold().shrink_to(22.0 * u);
    let pb = cx.fonts.block(&price, &price_st, price_row.w, price_row.h);
    let pw = ((pb.lines_x.1 - pb.lines_x.0).ceil() as i32 + 2).min(price_row.w);
    let price_r = Rect::new(cx.start(price_row, pw), price_row.y, pw, price_row.h);
    cx.text(TextRole::Price, &price, &price_st.align(Align::Left), price_r, true);
    if let Some(was) = product.compare_at() {
        let was = locale.format_money(&was);
        let room = price_row.w - pw - px(12.0);
        if room > px(40.0) {
            let st = TextStyle::new(21.0 * u, theme.muted).shrink_to(13.0 * u);
            let wb = cx.fonts.block(&was, &st, room, price_row.h);
            let ww = ((wb.lines_x.1 - wb.lines_x.0).ceil() as i32 + 2).min(room);
            let x = if rtl { price_r.x - px(12.0) - ww } else { price_r.right() + px(12.0) };
            let r = Rect::new(x, price_row.y + px(6.0), ww, price_row.h - px(6.0));
            cx.text(TextRole::CompareAt, &was, &st.align(Align::Left), r, true);
            // Strike through the middle of the digits.
            if let Some(ink) = cx.texts.last().and_then(|t| t.ink).map(|i| i.translate(-cx.ox, -cx.oy)) {
                let y = ink.y as f32 + ink.h as f32 * 0.55;
                if let Some(rect) = tiny_skia::Rect::from_xywh(ink.x as f32 - 2.0, y - u, ink.w as f32 + 4.0, (2.0 * u).max(1.0)) {
                    cx.pm.fill_rect(rect, &paint::solid(theme.muted), Transform::identity(), None);
                }
            }
        }
    }
    for (i, line) in info.iter().enumerate() {
        let y = price_row.bottom() + gap + i as i32 * (info_h + gap);
        let icon = px(16.0);
        let ix = if rtl { rows.right() - icon } else { rows.x };
        let (icx, icy) = ((ix + icon / 2) as f32, (y + info_h / 2) as f32);
        match line.icon {
            Icon::Star => {
                if let Some(p) = paint::star(icx, icy, icon as f32 * 0.55, icon as f32 * 0.24) {
                    paint::fill(&mut cx.pm, &p, theme.stock, Transform::identity());
                }
            }
            Icon::Dot(sold_out) => {
                if let Some(p) = paint::circle(icx, icy, icon as f32 * 0.3) {
                    paint::fill(&mut cx.pm, &p, if sold_out { theme.sale } else { theme.stock }, Transform::identity());
                }
            }
        }
        let tw = rows.w - icon - px(8.0);
        let r = Rect::new(if rtl { rows.x } else { rows.x + icon + px(8.0) }, y, tw, info_h);
        let st = TextStyle::new(17.0 * u, alpha(theme.ink, if line.strong { 0.92 } else { 0.7 })).shrink_to(12.0 * u);
        let st = if line.strong { st.bold() } else { st };
        cx.text(line.role, &line.text, &st, r, true);
    }
    let texts = std::mem::take(&mut cx.texts);
    drop(cx);
    Some(CardSprite { pixmap: sprite, x: card.x - margin, y: card.y - margin, texts, opaque: None })
}

enum Icon {
    Star,
    /// A dot; red when sold out.
    Dot(bool),
}

struct InfoLine {
    icon: Icon,
    text: String,
    role: TextRole,
    strong: bool,
}

/// The facts under the price: rating and sales when the catalog has them, stock when it is low.
fn info_lines(p: &Product, locale: &Locale) -> Vec<InfoLine> {
    let mut out = Vec::new();
    let proof = &p.proof;
    if let Some(r) = proof.rating.filter(|r| (0.0..=5.0).contains(r)) {
        let tenths = (r * 10.0).round() as u32;
        let mut text = format!("{}{}{}", tenths / 10, locale.decimal_separator(), tenths % 10);
        if let Some(n) = proof.reviews.filter(|n| *n > 0) {
            text.push_str(&format!(" ({})", locale.format_count(i64::from(n))));
        }
        if let Some(n) = proof.sold.filter(|n| *n > 0) {
            text.push_str(&format!(" · {}", i18n::sold(locale, &locale.format_count(i64::from(n)))));
        }
        out.push(InfoLine { icon: Icon::Star, text, role: TextRole::Proof, strong: false });
    } else if let Some(n) = proof.sold.filter(|n| *n > 0) {
        out.push(InfoLine { icon: Icon::Star, text: i18n::sold(locale, &locale.format_count(i64::from(n))), role: TextRole::Proof, strong: false });
    }
    if let Some(n) = p.stock() {
        if n <= 0 {
            out.push(InfoLine { icon: Icon::Dot(true), text: i18n::sold_out(locale).to_string(), role: TextRole::Stock, strong: true });
        } else if n <= LOW_STOCK {
            out.push(InfoLine { icon: Icon::Dot(false), text: i18n::only_left(locale, &locale.format_count(n)), role: TextRole::Stock, strong: true });
        }
    }
    out
}

/// Stock at or under this shows a counter on the card.
pub(crate) const LOW_STOCK: i64 = 50;

/// The discount badge on the picture's top corner (reading start).
fn badge(cx: &mut Ctx<'_>, label: &str, image_r: Rect, theme: &Theme, u: f32) {
    let px = |v: f32| (v * u).round() as i32;
    let st = TextStyle::new(22.0 * u, Color::WHITE).bold().align(Align::Left);
    let b = cx.fonts.block(label, &st, px(140.0), px(34.0));
    let tw = (b.lines_x.1 - b.lines_x.0).ceil() as i32 + 1;
    let (bw, bh) = (tw + px(22.0), b.height() + px(8.0));
    let bx = if cx.rtl { image_r.right() - px(10.0) - bw } else { image_r.x + px(10.0) };
    let by = image_r.y + px(10.0);
    if let Some(p) = paint::rounded_rect(bx as f32, by as f32, bw as f32, bh as f32, bh as f32 / 2.0) {
        paint::fill(&mut cx.pm, &p, theme.sale, Transform::identity());
    }
    cx.text(TextRole::Discount, label, &st, Rect::new(bx + px(11.0), by + px(4.0), tw, b.height()), true);
}

/// The picture contained in `r` on a light backdrop with rounded corners, or a placeholder.
fn draw_picture(sprite: &mut Pixmap, product: &Product, r: Rect, radius: f32, theme: &Theme) {
    let (x, y, w, h) = r.f();
    let Some(shape) = paint::rounded_rect(x, y, w, h, radius) else { return };
    paint::fill(&mut sprite.as_mut(), &shape, rgb(244, 241, 248), Transform::identity());
    let mut mask = match Mask::new(sprite.width(), sprite.height()) {
        Some(m) => m,
        None => return,
    };
    mask.fill_path(&shape, FillRule::Winding, true, Transform::identity());
    match product_image(product) {
        Some(img) => {
            let (iw, ih) = img.dimensions();
            let s = (w / iw as f32).min(h / ih as f32);
            let (tw, th) = (((iw as f32 * s).round() as u32).max(1), ((ih as f32 * s).round() as u32).max(1));
            let scaled = image::imageops::resize(&img, tw, th, image::imageops::FilterType::CatmullRom);
            if let Some(pic) = premultiplied(&scaled) {
                let px = r.x + (r.w - tw as i32) / 2;
                let py = r.y + (r.h - th as i32) / 2;
                let paint = tiny_skia::PixmapPaint::default();
                sprite.draw_pixmap(px, py, pic.as_ref(), &paint, Transform::identity(), Some(&mask));
            }
        }
        None => {
            // A shopping bag, drawn in the card's quiet colours.
            let s = w.min(h) * 0.34;
            let (cx, cy) = (x + w / 2.0, y + h / 2.0 + s * 0.1);
            let bag = theme.muted;
            if let Some(p) = paint::rounded_rect(cx - s / 2.0, cy - s * 0.35, s, s * 0.85, s * 0.12) {
                paint::fill(&mut sprite.as_mut(), &p, alpha(bag, 0.35), Transform::identity());
            }
            let mut pb = tiny_skia::PathBuilder::new();
            pb.move_to(cx - s * 0.22, cy - s * 0.3);
            pb.cubic_to(cx - s * 0.22, cy - s * 0.75, cx + s * 0.22, cy - s * 0.75, cx + s * 0.22, cy - s * 0.3);
            if let Some(p) = pb.finish() {
                let stroke = tiny_skia::Stroke { width: s * 0.07, line_cap: tiny_skia::LineCap::Round, ..Default::default() };
                sprite.stroke_path(&p, &paint::solid(alpha(bag, 0.55)), &stroke, Transform::identity(), None);
            }
        }
    }
}

/// A QR code on a white tile with its quiet zone.
fn draw_qr(pm: &mut PixmapMut<'_>, url: &str, r: Rect) {
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        tracing::warn!(url, "the product URL does not fit in a QR code");
        return;
    };
    let n = code.width();
    let colors = code.to_colors();
    let quiet = 2;
    let cell = (r.w as f32 / (n + 2 * quiet) as f32).floor().max(1.0);
    let side = cell * (n + 2 * quiet) as f32;
    let (x0, y0) = (r.x as f32 + (r.w as f32 - side) / 2.0, r.y as f32 + (r.h as f32 - side) / 2.0);
    if let Some(p) = paint::rounded_rect(x0, y0, side, side, cell * 1.5) {
        paint::fill(pm, &p, Color::WHITE, Transform::identity());
    }
    let mut pb = tiny_skia::PathBuilder::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (cx, cy) = ((i % n + quiet) as f32, (i / n + quiet) as f32);
            if let Some(rect) = tiny_skia::Rect::from_xywh(x0 + cx * cell, y0 + cy * cell, cell, cell) {
                pb.push_rect(rect);
            }
        }
    }
    if let Some(p) = pb.finish() {
        let mut paint = paint::solid(rgb(20, 18, 30));
        paint.anti_alias = false;
        pm.fill_path(&p, &paint, FillRule::Winding, Transform::identity(), None);
    }
}
