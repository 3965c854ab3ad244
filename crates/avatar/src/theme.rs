//! Colours of the set, and the background drawn once per stage.

use std::path::Path;

use tiny_skia::{Color, GradientStop, LinearGradient, Paint, Pixmap, Point, RadialGradient, SpreadMode, Transform};

use crate::error::AvatarError;
use crate::layout::Layout;
use crate::paint::{self, alpha, hex_or, luminance, mix, rgb, rgba};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    pub accent: Color,
    /// Text on the accent colour.
    pub on_accent: Color,
    pub card: Color,
    pub ink: Color,
    pub muted: Color,
    /// Discount badge and sold-out.
    pub sale: Color,
    /// The low-stock dot.
    pub stock: Color,
    pub bg_top: Color,
    pub bg_bottom: Color,
    pub glow: Color,
}

impl Theme {
    pub fn new(stage_accent: Option<&str>, look_accent: &str) -> Theme {
        let accent = hex_or(stage_accent.or(Some(look_accent)), rgb(255, 209, 102));
        let on_accent = if luminance(accent) > 0.55 { rgb(28, 22, 40) } else { Color::WHITE };
        Theme {
            accent,
            on_accent,
            card: rgb(255, 255, 255),
            ink: rgb(27, 24, 43),
            muted: rgb(118, 112, 134),
            sale: rgb(232, 49, 74),
            stock: rgb(245, 158, 11),
            bg_top: rgb(35, 26, 74),
            bg_bottom: rgb(84, 38, 96),
            glow: rgb(255, 122, 138),
        }
    }
}

fn stops(v: &[(f32, Color)]) -> Vec<GradientStop> {
    v.iter().map(|(p, c)| GradientStop::new(*p, *c)).collect()
}

fn radial(pm: &mut Pixmap, cx: f32, cy: f32, r: f32, c: Color) {
    if let Some(shader) = RadialGradient::new(
        Point::from_xy(cx, cy),
        0.0,
        Point::from_xy(cx, cy),
        r,
        stops(&[(0.0, c), (0.55, alpha(c, c.alpha() * 0.35)), (1.0, alpha(c, 0.0))]),
        SpreadMode::Pad,
        Transform::identity(),
    ) {
        let paint = Paint { shader, anti_alias: true, ..Paint::default() };
        if let Some(rect) = tiny_skia::Rect::from_xywh(cx - r, cy - r, 2.0 * r, 2.0 * r) {
            pm.fill_rect(rect, &paint, Transform::identity(), None);
        }
    }
}

/// The set behind everything: the show's picture, or a studio gradient with soft lights.
pub(crate) fn background(layout: &Layout, theme: &Theme, image: Option<&Path>) -> Result<Pixmap, AvatarError> {
    let (w, h) = (layout.width, layout.height);
    let mut pm = Pixmap::new(w, h).ok_or(AvatarError::Size { width: w, height: h, reason: "too large" })?;
    let (wf, hf) = (w as f32, h as f32);
    let u = layout.unit;
    if let Some(path) = image {
        let img = image::open(path).map_err(|e| AvatarError::image(path, e))?.to_rgba8();
        // Cover the frame, cropping the longer side.
        let (iw, ih) = img.dimensions();
        let s = (wf / iw as f32).max(hf / ih as f32);
        let (sw, sh) = ((iw as f32 * s).ceil() as u32, (ih as f32 * s).ceil() as u32);
        let scaled = image::imageops::resize(&img, sw.max(1), sh.max(1), image::imageops::FilterType::Triangle);
        if let Some(sprite) = crate::card::premultiplied(&scaled) {
            pm.fill(Color::BLACK);
            paint::blit(&mut pm.as_mut(), sprite.as_ref(), (w as i32 - sw as i32) / 2, (h as i32 - sh as i32) / 2, None);
        }
        // Dim the picture a little so the overlays stay readable.
        if let Some(shader) = LinearGradient::new(
            Point::from_xy(0.0, 0.0),
            Point::from_xy(0.0, hf),
            stops(&[(0.0, rgba(0, 0, 0, 40)), (0.6, rgba(0, 0, 0, 50)), (1.0, rgba(0, 0, 0, 120))]),
            SpreadMode::Pad,
            Transform::identity(),
        ) {
            let paint = Paint { shader, ..Paint::default() };
            if let Some(r) = tiny_skia::Rect::from_xywh(0.0, 0.0, wf, hf) {
                pm.fill_rect(r, &paint, Transform::identity(), None);
            }
        }
        return Ok(pm);
    }
    if let Some(shader) = LinearGradient::new(
        Point::from_xy(0.0, 0.0),
        Point::from_xy(wf * 0.35, hf),
        stops(&[(0.0, theme.bg_top), (1.0, theme.bg_bottom)]),
        SpreadMode::Pad,
        Transform::identity(),
    ) {
        let paint = Paint { shader, ..Paint::default() };
        if let Some(r) = tiny_skia::Rect::from_xywh(0.0, 0.0, wf, hf) {
            pm.fill_rect(r, &paint, Transform::identity(), None);
        }
    }
    let host = layout.host;
    let (hx, hy, hw, hh) = host.f();
    // A warm spotlight behind the host, a cooler light behind the card.
    radial(&mut pm, hx + hw * 0.5, hy + hh * 0.42, hw.max(hh) * 0.75, alpha(theme.glow, 0.55));
    let (cx, cy, cw, ch) = layout.card.f();
    radial(&mut pm, cx + cw * 0.5, cy + ch * 0.45, cw.max(ch) * 0.8, alpha(mix(theme.accent, rgb(120, 160, 255), 0.5), 0.35));
    // Soft bokeh dots.
    for i in 0..14u64 {
        let rx = crate::motion::hash01(i * 7 + 1) as f32;
        let ry = crate::motion::hash01(i * 7 + 2) as f32;
        let rr = crate::motion::hash01(i * 7 + 3) as f32;
        let c = if i % 3 == 0 { theme.accent } else { rgb(255, 255, 255) };
        radial(&mut pm, rx * wf, ry * hf * 0.8, (18.0 + rr * 60.0) * u, alpha(c, 0.10 + rr * 0.08));
    }
    // A floor band along the bottom, like a studio desk edge.
    if let Some(shader) = LinearGradient::new(
        Point::from_xy(0.0, hf * 0.78),
        Point::from_xy(0.0, hf),
        stops(&[(0.0, rgba(0, 0, 0, 0)), (1.0, rgba(10, 6, 24, 150))]),
        SpreadMode::Pad,
        Transform::identity(),
    ) {
        let paint = Paint { shader, ..Paint::default() };
        if let Some(r) = tiny_skia::Rect::from_xywh(0.0, hf * 0.78, wf, hf * 0.22) {
            pm.fill_rect(r, &paint, Transform::identity(), None);
        }
    }
    Ok(pm)
}
