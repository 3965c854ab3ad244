//! Text: shaping, bidi and font fallback by cosmic-text (Noto for Latin, CJK, Thai, Arabic,
//! colour emoji), fitted into a box by shrinking, then ellipsizing, and rasterised once into a
//! premultiplied sprite. Fitting checks the real glyph ink, not line metrics, so Thai marks and
//! Arabic descenders never leave their box.

use std::ops::Range;
use std::sync::OnceLock;

use cosmic_text::fontdb;
use cosmic_text::{
    Align, Attrs, Buffer, Ellipsize, EllipsizeHeightLimit, Family, FontSystem, Metrics, Shaping, SwashCache,
    SwashContent, Weight, Wrap,
};
use tiny_skia::{Color, Pixmap};

use crate::error::AvatarError;
use crate::layout::Rect;

/// The face the overlays are set in; other scripts fall back through cosmic-text's lists.
const FAMILY: &str = "Noto Sans";

/// System fonts are scanned once per process (hundreds of faces): each stage clones the index.
fn font_db() -> &'static fontdb::Database {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    DB.get_or_init(|| {
        let started = std::time::Instant::now();
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db.set_sans_serif_family(FAMILY);
        tracing::debug!(faces = db.len(), ms = started.elapsed().as_millis() as u64, "font index loaded");
        db
    })
}

pub(crate) struct Fonts {
    system: FontSystem,
    swash: SwashCache,
}

/// How a piece of text is set.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextStyle {
    /// Preferred size in pixels.
    pub size: f32,
    /// Smallest size before the text is ellipsized instead.
    pub min_size: f32,
    pub bold: bool,
    pub color: Color,
    /// Line height as a multiple of the size.
    pub line_height: f32,
    /// `None`: the paragraph's own start (left, or right for right-to-left text).
    pub align: Option<Align>,
    pub max_lines: usize,
}

impl TextStyle {
    pub fn new(size: f32, color: Color) -> TextStyle {
        TextStyle { size, min_size: size, bold: false, color, line_height: 1.25, align: None, max_lines: 1 }
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn shrink_to(mut self, min: f32) -> Self {
        self.min_size = min;
        self
    }
    pub fn lines(mut self, n: usize) -> Self {
        self.max_lines = n.max(1);
        self
    }
    pub fn align(mut self, a: Align) -> Self {
        self.align = Some(a);
        self
    }
}

/// Where a glyph landed in its block, and which bytes of the text it shows.
#[derive(Clone, Debug)]
pub(crate) struct GlyphBox {
    pub bytes: Range<usize>,
    pub x: f32,
    pub w: f32,
    pub line: usize,
}

/// Text rasterised into a sprite the size of its box (or smaller, for shrink-to-fit blocks).
pub(crate) struct TextBlock {
    /// `None` only if the sprite could not be allocated; the block then draws nothing.
    pub pixmap: Option<Pixmap>,
    w: i32,
    h: i32,
    /// Horizontal extent of the set lines within the sprite: [x0, x1).
    pub lines_x: (f32, f32),
    /// Top and height of each line in the sprite.
    pub lines: Vec<(f32, f32)>,
    pub glyphs: Vec<GlyphBox>,
    /// Pixels actually inked, in sprite coordinates.
    pub ink: Option<Rect>,
    /// The size the text was set at, and whether it had to be cut with an ellipsis.
    #[cfg_attr(not(test), allow(dead_code))]
    pub size: f32,
    pub ellipsized: bool,
}

impl TextBlock {
    pub fn width(&self) -> i32 {
        self.w
    }
    pub fn height(&self) -> i32 {
        self.h
    }

    /// Draws the text with its top-left corner at (x, y).
    pub fn draw(&self, pm: &mut tiny_skia::PixmapMut<'_>, x: i32, y: i32, clip: Option<Rect>) {
        if let Some(p) = &self.pixmap {
            crate::paint::blit(pm, p.as_ref(), x, y, clip);
        }
    }

    /// Spans (line, x0, x1) covering the glyphs of `bytes`, one per line the range touches.
    pub fn spans(&self, bytes: &Range<usize>) -> Vec<(usize, f32, f32)> {
        let mut out: Vec<(usize, f32, f32)> = Vec::new();
        for g in &self.glyphs {
            if g.bytes.start < bytes.end && g.bytes.end > bytes.start {
                match out.iter_mut().find(|s| s.0 == g.line) {
                    Some(s) => {
                        s.1 = s.1.min(g.x);
                        s.2 = s.2.max(g.x + g.w);
                    }
                    None => out.push((g.line, g.x, g.x + g.w)),
                }
            }
        }
        out
    }
}

struct Laid {
    buffer: Buffer,
    ink: Option<Rect>,
    used_h: f32,
    lines: usize,
}

/// Whether a font family is installed (a language pack's subtitle font).
pub fn font_installed(family: &str) -> bool {
    font_db().faces().any(|f| f.families.iter().any(|(n, _)| n == family))
}

impl Fonts {
    /// A font system for `locale` (it picks the CJK face for Han text: SC, TC, JP, KR).
    pub fn new(locale: &show::Locale) -> Result<Fonts, AvatarError> {
        let db = font_db().clone();
        if db.faces().next().is_none() {
            return Err(AvatarError::Fonts { wanted: format!("{FAMILY} and any system font") });
        }
        let system = FontSystem::new_with_locale_and_db(locale.tag().to_string(), db);
        Ok(Fonts { system, swash: SwashCache::new() })
    }

    /// Whether a face with this family name is installed.
    #[cfg(test)]
    pub fn has_family(&self, name: &str) -> bool {
        self.system.db().faces().any(|f| f.families.iter().any(|(n, _)| n == name))
    }

    fn lay(&mut self, text: &str, st: &TextStyle, size: f32, max_w: f32, ellipsize: bool) -> Laid {
        let metrics = Metrics::new(size, (size * st.line_height).ceil());
        let mut buffer = Buffer::new(&mut self.system, metrics);
        buffer.set_size(Some(max_w), None);
        // Always wrapping, and counting lines in `block`: with `Wrap::None` cosmic-text 0.19
        // drops a number that opens a right-to-left line ("4.8 بيع" shows only "بيع").
        buffer.set_wrap(Wrap::WordOrGlyph);
        if ellipsize {
            buffer.set_ellipsize(Ellipsize::End(EllipsizeHeightLimit::Lines(st.max_lines)));
        }
        let attrs = Attrs::new().family(Family::Name(FAMILY)).weight(if st.bold { Weight::BOLD } else { Weight::NORMAL });
        buffer.set_text(text, &attrs, Shaping::Advanced, st.align);
        buffer.shape_until_scroll(&mut self.system, false);
        let mut ink: Option<Rect> = None;
        let mut used_h: f32 = 0.0;
        let mut lines = 0;
        for run in buffer.layout_runs() {
            lines += 1;
            used_h = used_h.max(run.line_top + run.line_height);
            for g in run.glyphs {
                let pg = g.physical((0.0, run.line_y), 1.0);
                if let Some(img) = self.swash.get_image(&mut self.system, pg.cache_key) {
                    let p = img.placement;
                    if p.width == 0 || p.height == 0 {
                        continue;
                    }
                    let r = Rect::new(pg.x + p.left, pg.y - p.top, p.width as i32, p.height as i32);
                    ink = Some(ink.map_or(r, |i| i.union(&r)));
                }
            }
        }
        Laid { buffer, ink, used_h, lines }
    }

    /// Sets `text` into a box `max_w` × `max_h`: the largest size from `st.size` down to
    /// `st.min_size` whose ink fits in `st.max_lines` lines, else the smallest size ellipsized.
    /// The sprite is `max_w` wide and as tall as the text needs (never more than `max_h`).
    pub fn block(&mut self, text: &str, st: &TextStyle, max_w: i32, max_h: i32) -> TextBlock {
        let text = clean(text);
        let (w, h) = (max_w.max(1), max_h.max(1));
        let fits = |l: &Laid| {
            let Some(i) = l.ink else { return l.lines <= st.max_lines };
            let dy = (-i.y).max(0);
            l.lines <= st.max_lines && i.x >= 0 && i.right() <= w && i.bottom() + dy <= h
        };
        let mut size = st.size;
        let mut chosen = None;
        loop {
            let laid = self.lay(&text, st, size, w as f32, false);
            if fits(&laid) {
                chosen = Some((laid, false));
                break;
            }
            if size <= st.min_size {
                break;
            }
            size = (size * 0.93).max(st.min_size);
        }
        let (laid, ellipsized) = match chosen {
            Some(c) => c,
            None => (self.lay(&text, st, st.min_size, w as f32, true), true),
        };
        self.raster(laid, st, size, w, h, ellipsized)
    }

    #[allow(clippy::too_many_arguments)]
    fn raster(&mut self, laid: Laid, st: &TextStyle, size: f32, w: i32, h: i32, ellipsized: bool) -> TextBlock {
        // Tall marks above the first line push the block down rather than being cut.
        let dy = laid.ink.map_or(0, |i| (-i.y).max(0));
        let used = (laid.used_h.ceil() as i32).max(laid.ink.map_or(0, |i| i.bottom())) + dy;
        let ph = used.clamp(1, h);
        let mut pixmap = Pixmap::new(w as u32, ph as u32);
        let (pw, phh) = (w, ph);
        let mut scratch = [0u8; 0];
        let data: &mut [u8] = match pixmap.as_mut() {
            Some(p) => p.data_mut(),
            None => &mut scratch,
        };
        let base = st.color;
        let mut glyphs = Vec::new();
        let mut lines = Vec::new();
        let (mut x0, mut x1) = (f32::MAX, f32::MIN);
        for (li, run) in laid.buffer.layout_runs().enumerate() {
            lines.push((run.line_top + dy as f32, run.line_height));
            for g in run.glyphs {
                x0 = x0.min(g.x);
                x1 = x1.max(g.x + g.w);
                glyphs.push(GlyphBox { bytes: g.start..g.end, x: g.x, w: g.w, line: li });
                let pg = g.physical((0.0, run.line_y + dy as f32), 1.0);
                let color = g.color_opt.map_or(base, |c| Color::from_rgba8(c.r(), c.g(), c.b(), c.a()));
                let Some(img) = self.swash.get_image(&mut self.system, pg.cache_key) else { continue };
                let p = img.placement;
                let (gx, gy) = (pg.x + p.left, pg.y - p.top);
                let (gw, gh) = (p.width as i32, p.height as i32);
                for yy in 0..gh {
                    let ty = gy + yy;
                    if ty < 0 || ty >= phh {
                        continue;
                    }
                    for xx in 0..gw {
                        let tx = gx + xx;
                        if tx < 0 || tx >= pw {
                            continue;
                        }
                        let src = match img.content {
                            SwashContent::Mask => {
                                let cov = f32::from(img.data[(yy * gw + xx) as usize]) / 255.0 * color.alpha();
                                [color.red() * cov, color.green() * cov, color.blue() * cov, cov]
                            }
                            SwashContent::Color => {
                                let i = ((yy * gw + xx) * 4) as usize;
                                let a = f32::from(img.data[i + 3]) / 255.0 * color.alpha();
                                let c = |v: u8| f32::from(v) / 255.0 * a;
                                [c(img.data[i]), c(img.data[i + 1]), c(img.data[i + 2]), a]
                            }
                            SwashContent::SubpixelMask => {
                                let i = ((yy * gw + xx) * 4) as usize;
                                let cov = f32::from(img.data[i + 1]) / 255.0 * color.alpha();
                                [color.red() * cov, color.green() * cov, color.blue() * cov, cov]
                            }
                        };
                        if src[3] <= 0.0 || data.is_empty() {
                            continue;
                        }
                        let di = ((ty * pw + tx) * 4) as usize;
                        let inv = 1.0 - src[3];
                        for k in 0..4 {
                            let d = f32::from(data[di + k]) / 255.0;
                            data[di + k] = ((src[k] + d * inv) * 255.0).round().clamp(0.0, 255.0) as u8;
                        }
                    }
                }
            }
        }
        let ink = pixmap.as_ref().and_then(|p| crate::paint::ink_bounds(p.as_ref()));
        if x0 > x1 {
            (x0, x1) = (0.0, 0.0);
        }
        TextBlock { pixmap, w: pw, h: phh, lines_x: (x0, x1), lines, glyphs, ink, size, ellipsized }
    }
}

/// One paragraph: line breaks and tabs become spaces, byte for byte, so word ranges still point
/// at the same bytes.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::new(&show::Locale::parse("en-US").unwrap()).unwrap()
    }

    #[test]
    fn scripts_are_covered_by_installed_fonts() {
        let f = fonts();
        for family in ["Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "Noto Sans Thai", "Noto Color Emoji"] {
            assert!(f.has_family(family), "{family} is not installed");
        }
    }

    #[test]
    fn every_script_draws_ink_inside_its_box() {
        let mut f = fonts();
        for text in ["Hello shoppers", "限时特价，马上抢购", "عرض خاص لفترة محدودة", "ลดราคาพิเศษวันนี้", "Deal 🔥🛍️", "Größe ÀÉÎ ñ"] {
            let b = f.block(text, &TextStyle::new(28.0, Color::WHITE), 400, 60);
            let ink = b.ink.expect("text draws pixels");
            assert!(Rect::new(0, 0, 400, 60).contains(&ink), "{text}: ink {ink:?}");
            assert!(ink.w > 40 && ink.h > 10, "{text}: ink too small {ink:?}");
        }
    }

    #[test]
    fn long_text_shrinks_then_ellipsizes() {
        let mut f = fonts();
        let long = "An extraordinarily long product name that keeps going with more and more words to describe it in detail";
        let st = TextStyle::new(30.0, Color::BLACK).shrink_to(18.0).lines(2);
        let b = f.block(long, &st, 300, 60);
        assert!(b.size < 30.0);
        assert!(b.lines.len() <= 2 && b.ellipsized, "{} lines", b.lines.len());
        assert!(Rect::new(0, 0, 300, 60).contains(&b.ink.unwrap()));
        // A short name keeps its full size.
        let b = f.block("Mug", &st, 300, 60);
        assert_eq!(b.size, 30.0);
        assert!(!b.ellipsized);
    }

    #[test]
    fn right_to_left_lines_keep_every_character() {
        let mut f = Fonts::new(&show::Locale::parse("ar-SA").unwrap()).unwrap();
        for text in ["4.8 (312) · بيع 2,140", "4.8 بيع", "بيع 4.8 (312)"] {
            for lines in [1, 2] {
                let b = f.block(text, &TextStyle::new(17.0, Color::BLACK).lines(lines), 300, 50);
                let mut covered = vec![false; text.len()];
                for g in &b.glyphs {
                    covered[g.bytes.clone()].iter_mut().for_each(|c| *c = true);
                }
                assert!(covered.iter().all(|c| *c), "{text:?} in {lines} line(s) lost characters: {covered:?}");
            }
        }
    }

    #[test]
    fn right_to_left_text_is_laid_out_from_the_right() {
        let mut f = fonts();
        let text = "مرحبا بكم";
        let b = f.block(text, &TextStyle::new(28.0, Color::WHITE), 400, 50);
        // The first word (first bytes) is on the right in a right-to-left paragraph.
        let first = b.spans(&(0.."مرحبا".len()));
        let second = b.spans(&("مرحبا ".len()..text.len()));
        assert!(first[0].1 > second[0].2 - 1.0, "first word {first:?} should be right of {second:?}");
    }
}
