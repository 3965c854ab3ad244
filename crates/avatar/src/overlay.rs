//! The overlays in front of the set: subtitles with a karaoke highlight, the ticker, the AI
//! label and the offer countdown. Each text is rasterised once per distinct string.

use std::ops::Range;

use cosmic_text::Align;
use show::Locale;
use tiny_skia::{Color, Pixmap, PixmapMut, Transform};

use crate::layout::{Layout, Rect};
use crate::paint::{self, alpha, rgba};
use crate::text::{Fonts, TextBlock, TextStyle};
use crate::theme::Theme;
use crate::{TextBox, TextRole, i18n};

/// A sentence ready to show: its box with the white text baked in, and the same text in the
/// highlight colour for the word being spoken.
pub(crate) struct Subtitle {
    pub text: String,
    sprite: Option<Pixmap>,
    highlight: TextBlock,
    /// Frame position of the sprite and of the text inside it.
    x: i32,
    y: i32,
    tx: i32,
    ty: i32,
    pub rect: Rect,
    pub ink: Option<Rect>,
}

/// The last few sentences, so a sentence is set once however many frames show it.
pub(crate) struct Subtitles {
    cache: Vec<Subtitle>,
}

const KEEP: usize = 6;

impl Subtitles {
    pub fn new() -> Subtitles {
        Subtitles { cache: Vec::new() }
    }

    pub fn get(&mut self, fonts: &mut Fonts, text: &str, layout: &Layout, theme: &Theme) -> &Subtitle {
        if let Some(i) = self.cache.iter().position(|s| s.text == text) {
            // Most recent last.
            let s = self.cache.remove(i);
            self.cache.push(s);
        } else {
            if self.cache.len() >= KEEP {
                self.cache.remove(0);
            }
            let s = make_subtitle(fonts, text, layout, theme);
            self.cache.push(s);
        }
        &self.cache[self.cache.len() - 1]
    }
}

fn subtitle_style(u: f32) -> TextStyle {
    TextStyle::new(29.0 * u, Color::WHITE).bold().shrink_to(20.0 * u).lines(2).align(Align::Center)
}

fn make_subtitle(fonts: &mut Fonts, text: &str, layout: &Layout, theme: &Theme) -> Subtitle {
    let u = layout.unit;
    let px = |v: f32| (v * u).round() as i32;
    let area = layout.subtitle;
    let (pad_x, pad_y) = (px(22.0), px(10.0));
    let st = subtitle_style(u);
    let inner_w = area.w - 2 * pad_x;
    let block = fonts.block(text, &st, inner_w, area.h - 2 * pad_y);
    let highlight = fonts.block(text, &TextStyle { color: theme.on_accent, ..st }, inner_w, area.h - 2 * pad_y);
    // The box hugs the sentence, centred, on the area's bottom edge.
    let (x0, x1) = (block.lines_x.0.floor() as i32, block.lines_x.1.ceil() as i32);
    let text_w = (x1 - x0).max(1);
    let box_w = (text_w + 2 * pad_x).min(area.w);
    let box_h = (block.height() + 2 * pad_y).min(area.h);
    let rect = Rect::new(area.x + (area.w - box_w) / 2, area.bottom() - box_h, box_w, box_h);
    let mut sprite = Pixmap::new(box_w.max(1) as u32, box_h.max(1) as u32);
    if let (Some(sp), Some(p)) = (sprite.as_mut(), paint::rounded_rect(0.0, 0.0, box_w as f32, box_h as f32, 14.0 * u)) {
        paint::fill(&mut sp.as_mut(), &p, rgba(14, 10, 30, 168), Transform::identity());
    }
    // The text sprite is `inner_w` wide; shift it so its lines sit in the hugging box.
    let tx = pad_x - x0 + (box_w - 2 * pad_x - text_w) / 2;
    let ty = pad_y;
    if let Some(sp) = sprite.as_mut() {
        block.draw(&mut sp.as_mut(), tx, ty, None);
    }
    let ink = block.ink.map(|i| i.translate(rect.x + tx, rect.y + ty));
    Subtitle { text: text.to_string(), sprite, highlight, x: rect.x, y: rect.y, tx, ty, rect, ink }
}

impl Subtitle {
    /// Draws the box and highlights `word` (bytes of the text) on an accent pill.
    pub fn draw(&self, pm: &mut PixmapMut<'_>, word: Option<&Range<usize>>, theme: &Theme, u: f32) {
        if let Some(sp) = &self.sprite {
            paint::blit(pm, sp.as_ref(), self.x, self.y, None);
        }
        let Some(word) = word else { return };
        if word.start >= word.end || word.end > self.text.len() {
            return;
        }
        let (ox, oy) = (self.x + self.tx, self.y + self.ty);
        for (line, x0, x1) in self.highlight.spans(word) {
            let Some(&(top, h)) = self.highlight.lines.get(line) else { continue };
            let pad = 3.5 * u;
            let (rx, ry) = (ox as f32 + x0 - pad, oy as f32 + top + h * 0.06);
            let (rw, rh) = (x1 - x0 + 2.0 * pad, h * 0.9);
            if let Some(p) = paint::rounded_rect(rx, ry, rw, rh, 8.0 * u) {
                paint::fill(pm, &p, theme.accent, Transform::identity());
            }
            let clip = Rect::new(rx.floor() as i32, ry.floor() as i32, rw.ceil() as i32 + 1, rh.ceil() as i32 + 1).intersect(self.rect);
            self.highlight.draw(pm, ox, oy, Some(clip));
        }
    }
}

/// The scrolling lower third.
pub(crate) struct Ticker {
    strip: Pixmap,
    /// Where the text scrolls: the bar minus its tag.
    area: Rect,
    text_y: i32,
    speed: f32,
    rtl: bool,
    pub text: String,
    ink_h: Option<(i32, i32)>,
}

impl Ticker {
    /// Draws the static bar into `base` and sets the text strip.
    pub fn new(fonts: &mut Fonts, lines: &[String], layout: &Layout, theme: &Theme, rtl: bool, base: &mut Pixmap) -> Option<Ticker> {
        let lines: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() || layout.ticker.is_empty() {
            return None;
        }
        let u = layout.unit;
        let px = |v: f32| (v * u).round() as i32;
        let bar = layout.ticker;
        let (bx, by, bw, bh) = bar.f();
        if let Some(p) = paint::rounded_rect(bx, by, bw, bh, bh / 2.0) {
            paint::fill(&mut base.as_mut(), &p, rgba(14, 10, 30, 178), Transform::identity());
        }
        // The tag: an accent disc with a bag, on the reading start side.
        let tag = bar.h;
        let tag_x = if rtl { bar.right() - tag } else { bar.x };
        if let Some(p) = paint::circle((tag_x + tag / 2) as f32, by + bh / 2.0, bh / 2.0 - 3.0 * u) {
            paint::fill(&mut base.as_mut(), &p, theme.accent, Transform::identity());
        }
        bag_icon(&mut base.as_mut(), (tag_x + tag / 2) as f32, by + bh / 2.0, bh * 0.42, theme.on_accent);

        let text = format!("{}     •     ", lines.join("     •     "));
        let st = TextStyle::new(18.0 * u, Color::WHITE).align(Align::Left);
        let block = fonts.block(&text, &st, 40_000, bar.h);
        let strip_w = (block.lines_x.1.ceil() as i32).max(1);
        let strip = block.pixmap.as_ref()?.clone_rect(tiny_skia::IntRect::from_xywh(0, 0, strip_w as u32, block.height() as u32)?)?;
        let area = Rect::new(if rtl { bar.x + px(12.0) } else { bar.x + tag + px(8.0) }, bar.y, bar.w - tag - px(20.0), bar.h);
        let text_y = bar.y + (bar.h - strip.height() as i32) / 2;
        let ink_h = block.ink.map(|i| (text_y + i.y, i.h));
        Some(Ticker { strip, area, text_y, speed: 70.0 * u, rtl, text, ink_h })
    }

    pub fn draw(&self, pm: &mut PixmapMut<'_>, t: f64) {
        let w = self.strip.width() as i32;
        let shift = ((t * f64::from(self.speed)).rem_euclid(f64::from(w))) as i32;
        // Left-to-right scripts scroll leftwards; right-to-left ones rightwards.
        let mut x = if self.rtl { self.area.x - w + shift } else { self.area.x - shift };
        while x < self.area.right() {
            paint::blit(pm, self.strip.as_ref(), x, self.text_y, Some(self.area));
            x += w;
        }
    }

    pub fn text_box(&self) -> TextBox {
        let ink = self.ink_h.map(|(y, h)| Rect::new(self.area.x, y, self.area.w, h));
        TextBox { role: TextRole::Ticker, text: self.text.clone(), rect: self.area, ink }
    }
}

fn bag_icon(pm: &mut PixmapMut<'_>, cx: f32, cy: f32, s: f32, c: Color) {
    if let Some(p) = paint::rounded_rect(cx - s * 0.42, cy - s * 0.18, s * 0.84, s * 0.66, s * 0.1) {
        paint::fill(pm, &p, c, Transform::identity());
    }
    let mut pb = tiny_skia::PathBuilder::new();
    pb.move_to(cx - s * 0.2, cy - s * 0.16);
    pb.cubic_to(cx - s * 0.2, cy - s * 0.55, cx + s * 0.2, cy - s * 0.55, cx + s * 0.2, cy - s * 0.16);
    if let Some(p) = pb.finish() {
        let stroke = tiny_skia::Stroke { width: s * 0.11, line_cap: tiny_skia::LineCap::Round, ..Default::default() };
        pm.stroke_path(&p, &paint::solid(c), &stroke, Transform::identity(), None);
    }
}

/// The AI label: a pill sprite, where it goes, and its text box. It is drawn over everything,
/// the host included, so no rig can hide it.
pub(crate) fn label(fonts: &mut Fonts, text: &str, layout: &Layout, theme: &Theme, rtl: bool) -> Option<(Pixmap, Rect, TextBox)> {
    let u = layout.unit;
    let px = |v: f32| (v * u).round() as i32;
    let area = layout.label;
    let st = TextStyle::new(17.0 * u, Color::WHITE).bold().shrink_to(12.0 * u).align(Align::Left);
    let icon = px(22.0);
    let pad = px(12.0);
    let max_text = area.w - icon - 2 * pad - px(6.0);
    let block = fonts.block(text, &st, max_text, area.h - px(8.0));
    let tw = (block.lines_x.1.ceil() as i32).clamp(1, max_text);
    let pill_w = tw + icon + 2 * pad + px(6.0);
    let pill = Rect::new(if rtl { area.right() - pill_w } else { area.x }, area.y, pill_w, area.h);
    let mut sprite = Pixmap::new(pill.w as u32, pill.h as u32)?;
    let (w, h) = (pill.w as f32, pill.h as f32);
    if let Some(p) = paint::rounded_rect(0.0, 0.0, w, h, h / 2.0) {
        paint::fill(&mut sprite.as_mut(), &p, rgba(14, 10, 30, 190), Transform::identity());
    }
    // A four-point sparkle in the accent colour: the usual mark of generated content.
    let ix = if rtl { pill.w - pad - icon / 2 } else { pad + icon / 2 } as f32;
    sparkle(&mut sprite.as_mut(), ix, h / 2.0, icon as f32 * 0.5, theme.accent);
    let tx = if rtl { pad } else { pad + icon + px(6.0) };
    let ty = (pill.h - block.height()) / 2;
    block.draw(&mut sprite.as_mut(), tx, ty, Some(Rect::new(tx, 0, tw, pill.h)));
    let text_rect = Rect::new(pill.x + tx, pill.y, tw, pill.h);
    let ink = block.ink.map(|i| i.translate(pill.x + tx, pill.y + ty).intersect(text_rect));
    Some((sprite, pill, TextBox { role: TextRole::Label, text: text.to_string(), rect: text_rect, ink }))
}

fn sparkle(pm: &mut PixmapMut<'_>, cx: f32, cy: f32, r: f32, c: Color) {
    let mut pb = tiny_skia::PathBuilder::new();
    let k = r * 0.18;
    pb.move_to(cx, cy - r);
    pb.quad_to(cx + k, cy - k, cx + r, cy);
    pb.quad_to(cx + k, cy + k, cx, cy + r);
    pb.quad_to(cx - k, cy + k, cx - r, cy);
    pb.quad_to(cx - k, cy - k, cx, cy - r);
    pb.close();
    if let Some(p) = pb.finish() {
        paint::fill(pm, &p, c, Transform::identity());
    }
    if let Some(p) = paint::circle(cx + r * 0.75, cy - r * 0.7, r * 0.2) {
        paint::fill(pm, &p, alpha(c, 0.8), Transform::identity());
    }
}

/// The offer countdown pill; re-set only when the shown second changes.
pub(crate) struct Countdown {
    shown: String,
    sprite: Option<Pixmap>,
    x: i32,
    ink: Option<Rect>,
    text_rect: Rect,
}

/// `mm:ss` (or `h:mm:ss`) for a number of seconds left, counting whole seconds up.
pub(crate) fn clock(secs: f32) -> String {
    let s = secs.max(0.0).ceil() as u64;
    if s >= 3600 { format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) } else { format!("{:02}:{:02}", s / 60, s % 60) }
}

impl Countdown {
    pub fn new() -> Countdown {
        Countdown { shown: String::new(), sprite: None, x: 0, ink: None, text_rect: Rect::default() }
    }

    pub fn draw(&mut self, fonts: &mut Fonts, pm: &mut PixmapMut<'_>, secs: f32, layout: &Layout, theme: &Theme, locale: &Locale) {
        let text = format!("{} {}", i18n::ends_in(locale), clock(secs));
        if text != self.shown || self.sprite.is_none() {
            self.set(fonts, &text, layout, theme, locale.is_rtl());
        }
        if let Some(s) = &self.sprite {
            // The last ten seconds pulse.
            let pulse = if secs <= 10.0 { 0.75 + 0.25 * (secs * std::f32::consts::TAU).cos().abs() } else { 1.0 };
            paint::blit_faded(pm, s.as_ref(), self.x, layout.countdown.y, pulse, None);
        }
    }

    pub fn text_box(&mut self, fonts: &mut Fonts, secs: f32, layout: &Layout, theme: &Theme, locale: &Locale) -> TextBox {
        let text = format!("{} {}", i18n::ends_in(locale), clock(secs));
        if text != self.shown {
            self.set(fonts, &text, layout, theme, locale.is_rtl());
        }
        TextBox { role: TextRole::Countdown, text, rect: self.text_rect, ink: self.ink }
    }

    fn set(&mut self, fonts: &mut Fonts, text: &str, layout: &Layout, theme: &Theme, rtl: bool) {
        let u = layout.unit;
        let px = |v: f32| (v * u).round() as i32;
        let area = layout.countdown;
        let icon = px(20.0);
        let pad = px(12.0);
        let st = TextStyle::new(19.0 * u, theme.on_accent).bold().shrink_to(13.0 * u).align(Align::Left);
        let max_text = area.w - icon - 2 * pad - px(6.0);
        let block = fonts.block(text, &st, max_text, area.h - px(6.0));
        let tw = (block.lines_x.1.ceil() as i32).clamp(1, max_text);
        let pill_w = tw + icon + 2 * pad + px(6.0);
        let Some(mut sprite) = Pixmap::new(pill_w as u32, area.h as u32) else { return };
        let h = area.h as f32;
        if let Some(p) = paint::rounded_rect(0.0, 0.0, pill_w as f32, h, h / 2.0) {
            paint::fill(&mut sprite.as_mut(), &p, theme.accent, Transform::identity());
        }
        let ix = if rtl { pill_w - pad - icon / 2 } else { pad + icon / 2 } as f32;
        stopwatch(&mut sprite.as_mut(), ix, h / 2.0, icon as f32 * 0.45, theme.on_accent);
        let tx = if rtl { pad } else { pad + icon + px(6.0) };
        let ty = (area.h - block.height()) / 2;
        block.draw(&mut sprite.as_mut(), tx, ty, Some(Rect::new(tx, 0, tw, area.h)));
        // The pill ends at the area's outer edge (right, or left in right-to-left layouts).
        self.x = if layout.countdown.x > layout.width as i32 / 2 { area.right() - pill_w } else { area.x };
        self.text_rect = Rect::new(self.x + tx, area.y, tw, area.h);
        self.ink = block.ink.map(|i| i.translate(self.x + tx, area.y + ty).intersect(self.text_rect));
        self.sprite = Some(sprite);
        self.shown = text.to_string();
    }
}

fn stopwatch(pm: &mut PixmapMut<'_>, cx: f32, cy: f32, r: f32, c: Color) {
    let stroke = tiny_skia::Stroke { width: r * 0.22, line_cap: tiny_skia::LineCap::Round, ..Default::default() };
    if let Some(p) = paint::circle(cx, cy + r * 0.08, r * 0.82) {
        pm.stroke_path(&p, &paint::solid(c), &stroke, Transform::identity(), None);
    }
    let mut pb = tiny_skia::PathBuilder::new();
    pb.move_to(cx, cy + r * 0.08);
    pb.line_to(cx, cy - r * 0.42);
    pb.move_to(cx - r * 0.25, cy - r * 1.02);
    pb.line_to(cx + r * 0.25, cy - r * 1.02);
    if let Some(p) = pb.finish() {
        pm.stroke_path(&p, &paint::solid(c), &stroke, Transform::identity(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(299.2), "05:00");
        assert_eq!(clock(59.0), "00:59");
        assert_eq!(clock(0.0), "00:00");
        assert_eq!(clock(3725.0), "1:02:05");
    }
}
