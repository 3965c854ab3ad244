//! Where everything goes on the frame: landscape 16:9 and vertical 9:16 layouts, safe margins
//! for platform UI, and the host's box kept to at most half of the frame.

/// A rectangle in frame pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub const fn new(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> i32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }

    pub fn is_empty(&self) -> bool {
        self.w <= 0 || self.h <= 0
    }

    pub fn area(&self) -> i64 {
        if self.is_empty() { 0 } else { i64::from(self.w) * i64::from(self.h) }
    }

    pub fn intersect(&self, o: Rect) -> Rect {
        let x = self.x.max(o.x);
        let y = self.y.max(o.y);
        let r = self.right().min(o.right());
        let b = self.bottom().min(o.bottom());
        Rect::new(x, y, (r - x).max(0), (b - y).max(0))
    }

    /// Whether `o` lies entirely inside this rectangle (an empty `o` always does).
    pub fn contains(&self, o: &Rect) -> bool {
        o.is_empty() || (o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom())
    }

    pub fn contains_point(&self, x: i32, y: i32) -> bool {
        x >= self.x && y >= self.y && x < self.right() && y < self.bottom()
    }

    pub fn union(&self, o: &Rect) -> Rect {
        if self.is_empty() {
            return *o;
        }
        if o.is_empty() {
            return *self;
        }
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect::new(x, y, self.right().max(o.right()) - x, self.bottom().max(o.bottom()) - y)
    }

    /// Shrunk by `d` on every side (grown when negative).
    pub fn inset(&self, d: i32) -> Rect {
        Rect::new(self.x + d, self.y + d, (self.w - 2 * d).max(0), (self.h - 2 * d).max(0))
    }

    pub fn translate(&self, dx: i32, dy: i32) -> Rect {
        Rect::new(self.x + dx, self.y + dy, self.w, self.h)
    }

    /// Mirrored left↔right inside a frame `width` wide (right-to-left layouts).
    pub fn mirror(&self, width: i32) -> Rect {
        Rect::new(width - self.right(), self.y, self.w, self.h)
    }

    pub(crate) fn f(&self) -> (f32, f32, f32, f32) {
        (self.x as f32, self.y as f32, self.w as f32, self.h as f32)
    }
}

/// Which way the card sits from the host: the host points and glances that way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardSide {
    Right,
    Left,
    Below,
}

/// The rectangles of a stage, in frame pixels. All text of the overlays lies inside `safe`;
/// the host draws only inside `host`, which covers at most half of the frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub vertical: bool,
    /// Mirrored for right-to-left languages (card on the left).
    pub rtl: bool,
    /// Inside the margins platforms cover with their own UI.
    pub safe: Rect,
    /// Everything the host (any rig, any gesture) may draw.
    pub host: Rect,
    /// Where the host's mouth is, whatever the head does; see [`crate::MOUTH_INTERIOR`].
    pub mouth: Rect,
    /// The product card.
    pub card: Rect,
    /// The largest subtitle box; the drawn box shrinks to the sentence.
    pub subtitle: Rect,
    /// The "AI-generated host" label as drawn.
    pub label: Rect,
    /// The offer countdown pill (shown only while one runs).
    pub countdown: Rect,
    /// The lower-third ticker bar; empty when the show has no ticker lines.
    pub ticker: Rect,
    /// Pixels per 720p pixel: fonts and strokes scale by it.
    pub unit: f32,
    pub card_side: CardSide,
}

/// Width over height of the built-in host's canvas (1000 × 1200 units); every rig is fitted
/// into a box of this shape.
pub(crate) const HOST_ASPECT: f32 = 1000.0 / 1200.0;

impl Layout {
    /// The layout for a frame size. `ticker`: whether a ticker bar is shown.
    pub fn new(width: u32, height: u32, rtl: bool, ticker: bool) -> Layout {
        let (w, h) = (width as f32, height as f32);
        let vertical = height > width;
        let u = w.min(h) / 720.0;
        let r = |v: f32| v.round() as i32;
        let px = |v: f32| (v * u).round() as i32;

        let mut l = if vertical {
            // Platform UI: account row on top, comments and buy button along the bottom.
            let safe = Rect::new(r(w * 0.05), r(h * 0.09), r(w * 0.90), r(h * 0.71));
            let label = Rect::new(safe.x, safe.y, px(300.0), px(34.0));
            let countdown = Rect::new(safe.right() - px(210.0), safe.y, px(210.0), px(38.0));
            let ticker = if ticker { Rect::new(safe.x, safe.y + px(46.0), safe.w, px(34.0)) } else { Rect::default() };
            // Subtitles at the bottom, the card above them covering the host's waist.
            let subtitle = Rect::new(safe.x, safe.bottom() - px(96.0), safe.w, px(96.0));
            let card_h = px(210.0);
            let card = Rect::new(safe.x, subtitle.y - px(12.0) - card_h, safe.w, card_h);
            let top = if ticker.is_empty() { label.bottom() } else { ticker.bottom() } + px(8.0);
            let host_h = r(h * 0.54);
            let host_w = (host_h as f32 * HOST_ASPECT).round() as i32;
            let host = Rect::new((width as i32 - host_w) / 2, top, host_w, host_h);
            Layout {
                width,
                height,
                vertical,
                rtl,
                safe,
                host,
                mouth: Rect::default(),
                card,
                subtitle,
                label,
                countdown,
                ticker,
                unit: u,
                card_side: CardSide::Below,
            }
        } else {
            let safe = Rect::new(r(w * 0.05), r(h * 0.05), r(w * 0.90), r(h * 0.90));
            let label = Rect::new(safe.x, safe.y, px(300.0), px(34.0));
            let countdown = Rect::new(safe.right() - px(210.0), safe.y, px(210.0), px(38.0));
            let ticker = if ticker { Rect::new(safe.x, safe.bottom() - px(34.0), safe.w, px(34.0)) } else { Rect::default() };
            let sub_bottom = if ticker.is_empty() { safe.bottom() } else { ticker.y - px(10.0) };
            let sub_w = r(safe.w as f32 * 0.78);
            let subtitle = Rect::new(safe.x + (safe.w - sub_w) / 2, sub_bottom - px(96.0), sub_w, px(96.0));
            let card_w = px(420.0);
            let card_top = countdown.bottom() + px(14.0);
            let card = Rect::new(safe.right() - card_w, card_top, card_w, subtitle.y - px(14.0) - card_top);
            let host_h = r(h * 0.93);
            let host_w = (host_h as f32 * HOST_ASPECT).round() as i32;
            let centre = (safe.x + card.x) / 2;
            let host = Rect::new((centre - host_w / 2).max(0), height as i32 - host_h, host_w, host_h);
            Layout {
                width,
                height,
                vertical,
                rtl,
                safe,
                host,
                mouth: Rect::default(),
                card,
                subtitle,
                label,
                countdown,
                ticker,
                unit: u,
                card_side: CardSide::Right,
            }
        };
        if rtl && !vertical {
            let wi = width as i32;
            for rect in [&mut l.host, &mut l.card, &mut l.subtitle, &mut l.label, &mut l.countdown, &mut l.ticker, &mut l.safe] {
                *rect = rect.mirror(wi);
            }
            l.card_side = CardSide::Left;
        } else if rtl {
            for rect in [&mut l.label, &mut l.countdown] {
                *rect = rect.mirror(width as i32);
            }
        }
        l
    }

    /// The whole frame.
    pub fn frame(&self) -> Rect {
        Rect::new(0, 0, self.width as i32, self.height as i32)
    }

    /// The share of the frame the host's box covers (0 … 1).
    pub fn host_share(&self) -> f32 {
        self.host.intersect(self.frame()).area() as f32 / self.frame().area().max(1) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_fit_the_frame_and_host_stays_under_half() {
        for (w, h) in [(1280, 720), (1920, 1080), (640, 360), (720, 1280), (1080, 1920)] {
            for rtl in [false, true] {
                for ticker in [false, true] {
                    let l = Layout::new(w, h, rtl, ticker);
                    assert!(l.host_share() <= 0.5, "{w}x{h}: host covers {}", l.host_share());
                    assert!(l.host_share() > 0.25, "{w}x{h}: host too small {}", l.host_share());
                    for (name, r) in [("card", l.card), ("subtitle", l.subtitle), ("label", l.label), ("countdown", l.countdown), ("ticker", l.ticker)] {
                        assert!(l.safe.contains(&r), "{w}x{h} rtl={rtl}: {name} {r:?} leaves {:?}", l.safe);
                    }
                    assert!(l.card.intersect(l.subtitle).is_empty() && l.card.intersect(l.countdown).is_empty());
                    if !l.vertical {
                        assert!(l.host.intersect(l.card).is_empty(), "{w}x{h}: host and card overlap");
                    }
                }
            }
        }
    }
}
