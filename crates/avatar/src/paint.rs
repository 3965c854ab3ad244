//! Small drawing helpers shared by the layers: colours, shapes, and the premultiplied blits the
//! per-frame path is made of (tiny-skia draws the vector art once; moving sprites are copied
//! with these loops, which cost a fraction of a pattern fill).

use tiny_skia::{Color, FillRule, Paint, Path, PathBuilder, Pixmap, PixmapMut, PixmapRef, Transform};

use crate::layout::Rect;

/// `#rrggbb` → colour, or `fallback` when the text is not a colour.
pub(crate) fn hex_or(s: Option<&str>, fallback: Color) -> Color {
    s.and_then(show::config::parse_hex_color).map_or(fallback, |(r, g, b)| Color::from_rgba8(r, g, b, 255))
}

pub(crate) fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color::from_rgba8(r, g, b, 255)
}

pub(crate) fn rgba(r: u8, g: u8, b: u8, a: u8) -> Color {
    Color::from_rgba8(r, g, b, a)
}

/// The colour with alpha multiplied by `a`.
pub(crate) fn alpha(c: Color, a: f32) -> Color {
    let mut c = c;
    c.set_alpha((c.alpha() * a).clamp(0.0, 1.0));
    c
}

/// Linear mix of two colours (t = 0 → a, 1 → b).
pub(crate) fn mix(a: Color, b: Color, t: f32) -> Color {
    let t = t.clamp(0.0, 1.0);
    let l = |x: f32, y: f32| x + (y - x) * t;
    Color::from_rgba(l(a.red(), b.red()), l(a.green(), b.green()), l(a.blue(), b.blue()), l(a.alpha(), b.alpha()))
        .unwrap_or(a)
}

/// Darker (k < 0) or lighter (k > 0) version of a colour.
pub(crate) fn shade(c: Color, k: f32) -> Color {
    if k < 0.0 { mix(c, rgba(20, 10, 18, (c.alpha() * 255.0) as u8), -k) } else { mix(c, alpha(Color::WHITE, c.alpha()), k) }
}

/// Relative luminance, 0 … 1, to choose readable text on a colour.
pub(crate) fn luminance(c: Color) -> f32 {
    0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()
}

pub(crate) fn solid(c: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(c);
    p.anti_alias = true;
    p
}

/// Fills `path`; a shape with no area (a closed mouth's lens, say) draws nothing, and is
/// skipped rather than handed to tiny-skia, which logs a warning for each one.
pub(crate) fn fill(pm: &mut PixmapMut<'_>, path: &Path, c: Color, ts: Transform) {
    let b = path.bounds();
    if b.width() > 0.0 && b.height() > 0.0 {
        pm.fill_path(path, &solid(c), FillRule::Winding, ts, None);
    }
}

/// A rounded rectangle path; `None` only for an empty rectangle.
pub(crate) fn rounded_rect(x: f32, y: f32, w: f32, h: f32, r: f32) -> Option<Path> {
    if w <= 0.0 || h <= 0.0 {
        return None;
    }
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    // Cubic approximation of a quarter circle.
    let k = r * 0.552_284_8;
    let mut pb = PathBuilder::new();
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
    pb.line_to(x, y + r);
    pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    pb.close();
    pb.finish()
}

pub(crate) fn ellipse(cx: f32, cy: f32, rx: f32, ry: f32) -> Option<Path> {
    tiny_skia::Rect::from_xywh(cx - rx, cy - ry, rx * 2.0, ry * 2.0).and_then(PathBuilder::from_oval)
}

pub(crate) fn circle(cx: f32, cy: f32, r: f32) -> Option<Path> {
    PathBuilder::from_circle(cx, cy, r)
}

/// A five-point star.
pub(crate) fn star(cx: f32, cy: f32, r: f32, r_in: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let rad = if i % 2 == 0 { r } else { r_in };
        let a = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
        let (x, y) = (cx + rad * a.cos(), cy + rad * a.sin());
        if i == 0 { pb.move_to(x, y) } else { pb.line_to(x, y) }
    }
    pb.close();
    pb.finish()
}

/// One premultiplied pixel over another, both packed little-endian (r, g, b, a).
/// Two channels at a time (SWAR); `(x·inv + x) >> 8` is x·inv/255 to within one step.
#[inline(always)]
fn over(s: u32, d: u32) -> u32 {
    let a = s >> 24;
    if a == 255 {
        return s;
    }
    if a == 0 {
        return d;
    }
    let inv = 255 - a;
    let rb = d & 0x00ff_00ff;
    let ag = (d >> 8) & 0x00ff_00ff;
    let rb = ((rb * inv + rb) >> 8) & 0x00ff_00ff;
    let ag = (ag * inv + ag) & 0xff00_ff00;
    s + (rb | ag)
}

/// `p` scaled by k / 256 (k ≤ 256), all four channels.
#[inline(always)]
fn scale_px(p: u32, k: u32) -> u32 {
    let rb = (((p & 0x00ff_00ff) * k) >> 8) & 0x00ff_00ff;
    let ag = (((p >> 8) & 0x00ff_00ff) * k) & 0xff00_ff00;
    rb | ag
}

/// Linear mix of two pixels, `w` / 256 of `q`.
#[inline(always)]
fn lerp_px(p: u32, q: u32, w: u32) -> u32 {
    // Equal texels (flat colour, the common case) come back exact.
    if w == 0 || p == q {
        return p;
    }
    scale_px(p, 256 - w).wrapping_add(scale_px(q, w))
}

/// Draws a premultiplied sprite at (x, y), clipped to `clip` and to the target.
pub(crate) fn blit(dst: &mut PixmapMut<'_>, src: PixmapRef<'_>, x: i32, y: i32, clip: Option<Rect>) {
    blit_data(dst, src.data(), src.width() as i32, src.height() as i32, x, y, clip);
}

pub(crate) fn blit_data(dst: &mut PixmapMut<'_>, src: &[u8], sw: i32, sh: i32, x: i32, y: i32, clip: Option<Rect>) {
    let (dw, dh) = (dst.width() as i32, dst.height() as i32);
    let mut area = Rect::new(0, 0, dw, dh).intersect(Rect::new(x, y, sw, sh));
    if let Some(c) = clip {
        area = area.intersect(c);
    }
    if area.is_empty() {
        return;
    }
    let data = dst.data_mut();
    let row_len = (area.w * 4) as usize;
    for row in area.y..area.bottom() {
        let s0 = (((row - y) * sw + (area.x - x)) * 4) as usize;
        let d0 = ((row * dw + area.x) * 4) as usize;
        let s = &src[s0..s0 + row_len];
        let d = &mut data[d0..d0 + row_len];
        for (dp, sp) in d.chunks_exact_mut(4).zip(s.chunks_exact(4)) {
            let sv = u32::from_le_bytes([sp[0], sp[1], sp[2], sp[3]]);
            if sv >> 24 == 0 {
                continue;
            }
            let dv = u32::from_le_bytes([dp[0], dp[1], dp[2], dp[3]]);
            dp.copy_from_slice(&over(sv, dv).to_le_bytes());
        }
    }
}

/// Copies an opaque sprite (no blending).
pub(crate) fn copy(dst: &mut PixmapMut<'_>, src: PixmapRef<'_>, x: i32, y: i32) {
    let (sw, sh) = (src.width() as i32, src.height() as i32);
    let (dw, dh) = (dst.width() as i32, dst.height() as i32);
    let area = Rect::new(0, 0, dw, dh).intersect(Rect::new(x, y, sw, sh));
    if area.is_empty() {
        return;
    }
    let src = src.data();
    let data = dst.data_mut();
    let row_len = (area.w * 4) as usize;
    for row in area.y..area.bottom() {
        let s0 = (((row - y) * sw + (area.x - x)) * 4) as usize;
        let d0 = ((row * dw + area.x) * 4) as usize;
        data[d0..d0 + row_len].copy_from_slice(&src[s0..s0 + row_len]);
    }
}

/// A sprite's pixels packed as little-endian u32, with a transparent border of one pixel,
/// for [`blit_affine`].
pub(crate) struct Packed {
    px: Vec<u32>,
    w: i32,
    h: i32,
}

impl Packed {
    /// Packs `pm`, adding the transparent border (so the sprite's pixel (0, 0) is (1, 1) here).
    pub fn new(pm: PixmapRef<'_>) -> Packed {
        let (w, h) = (pm.width() as i32 + 2, pm.height() as i32 + 2);
        let mut px = vec![0u32; (w * h) as usize];
        for (y, row) in pm.data().chunks_exact(pm.width() as usize * 4).enumerate() {
            for (x, p) in row.chunks_exact(4).enumerate() {
                px[(y + 1) * w as usize + x + 1] = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
            }
        }
        Packed { px, w, h }
    }
}

/// Draws a packed sprite through an affine transform (sprite pixels → target pixels) with
/// bilinear filtering: the small tilts and sub-pixel moves of the host's head. Integer
/// arithmetic over only the span of each row the sprite covers, so it costs a few
/// nanoseconds a pixel.
pub(crate) fn blit_affine(dst: &mut PixmapMut<'_>, src: &Packed, ts: Transform, clip: Option<Rect>) {
    // Account for the packed border: packed pixel (1, 1) is sprite pixel (0, 0).
    let ts = ts.pre_translate(-1.0, -1.0);
    let Some(inv) = ts.invert() else { return };
    let (sw, sh) = (src.w, src.h);
    let (dw, dh) = (dst.width() as i32, dst.height() as i32);
    let corners = [(0.0, 0.0), (sw as f32, 0.0), (0.0, sh as f32), (sw as f32, sh as f32)];
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (cx, cy) in corners {
        let px = ts.sx * cx + ts.kx * cy + ts.tx;
        let py = ts.ky * cx + ts.sy * cy + ts.ty;
        x0 = x0.min(px);
        y0 = y0.min(py);
        x1 = x1.max(px);
        y1 = y1.max(py);
    }
    let bounds = Rect::new(x0.floor() as i32, y0.floor() as i32, (x1 - x0).ceil() as i32 + 2, (y1 - y0).ceil() as i32 + 2);
    let mut area = Rect::new(0, 0, dw, dh).intersect(bounds);
    if let Some(c) = clip {
        area = area.intersect(c);
    }
    if area.is_empty() {
        return;
    }
    let data = dst.data_mut();
    const ONE: f64 = 65536.0;
    let (du, dv) = (f64::from(inv.sx), f64::from(inv.ky));
    // Texel (iu, iv) and its right and lower neighbours must exist: u in [0, sw − 1).
    let (umax, vmax) = (f64::from(sw - 1), f64::from(sh - 1));
    for row in area.y..area.bottom() {
        let (fx, fy) = (f64::from(area.x) + 0.5, f64::from(row) + 0.5);
        let u0 = f64::from(inv.sx) * fx + f64::from(inv.kx) * fy + f64::from(inv.tx) - 0.5;
        let v0 = f64::from(inv.ky) * fx + f64::from(inv.sy) * fy + f64::from(inv.ty) - 0.5;
        // The x steps k for which 0 ≤ u0 + k·du < umax and 0 ≤ v0 + k·dv < vmax.
        let (mut lo, mut hi) = (0.0f64, f64::from(area.w));
        for (c0, d, max) in [(u0, du, umax), (v0, dv, vmax)] {
            if d.abs() < 1e-12 {
                if c0 < 0.0 || c0 >= max {
                    hi = lo;
                }
            } else {
                let (a, b) = ((0.0 - c0) / d, (max - c0) / d);
                lo = lo.max(a.min(b));
                hi = hi.min(a.max(b));
            }
        }
        let (k0, k1) = (lo.ceil().max(0.0) as i32, (hi.floor() as i32 + 1).min(area.w));
        if k0 >= k1 {
            continue;
        }
        let mut u = ((u0 + f64::from(k0) * du) * ONE) as i64;
        let mut v = ((v0 + f64::from(k0) * dv) * ONE) as i64;
        let (su, sv) = ((du * ONE) as i64, (dv * ONE) as i64);
        let d0 = ((row * dw + area.x + k0) * 4) as usize;
        for dp in data[d0..d0 + ((k1 - k0) * 4) as usize].chunks_exact_mut(4) {
            let (iu, iv) = ((u >> 16) as i32, (v >> 16) as i32);
            u += su;
            v += sv;
            if iu < 0 || iv < 0 || iu >= sw - 1 || iv >= sh - 1 {
                continue;
            }
            let i = (iv * sw + iu) as usize;
            let (p00, p10) = (src.px[i], src.px[i + 1]);
            let (p01, p11) = (src.px[i + sw as usize], src.px[i + sw as usize + 1]);
            if (p00 | p10 | p01 | p11) == 0 {
                continue;
            }
            let (fu, fv) = ((((u - su) >> 8) & 0xff) as u32, (((v - sv) >> 8) & 0xff) as u32);
            let s = lerp_px(lerp_px(p00, p10, fu), lerp_px(p01, p11, fu), fv);
            let dv0 = u32::from_le_bytes([dp[0], dp[1], dp[2], dp[3]]);
            dp.copy_from_slice(&over(s, dv0).to_le_bytes());
        }
    }
}

/// Draws a sprite with an extra opacity (0 … 1), for fades.
pub(crate) fn blit_faded(dst: &mut PixmapMut<'_>, src: PixmapRef<'_>, x: i32, y: i32, opacity: f32, clip: Option<Rect>) {
    let k = (opacity.clamp(0.0, 1.0) * 256.0) as u32;
    if k >= 256 {
        return blit(dst, src, x, y, clip);
    }
    if k == 0 {
        return;
    }
    let (sw, sh) = (src.width() as i32, src.height() as i32);
    let (dw, dh) = (dst.width() as i32, dst.height() as i32);
    let mut area = Rect::new(0, 0, dw, dh).intersect(Rect::new(x, y, sw, sh));
    if let Some(c) = clip {
        area = area.intersect(c);
    }
    if area.is_empty() {
        return;
    }
    let src = src.data();
    let data = dst.data_mut();
    let row_len = (area.w * 4) as usize;
    for row in area.y..area.bottom() {
        let s0 = (((row - y) * sw + (area.x - x)) * 4) as usize;
        let d0 = ((row * dw + area.x) * 4) as usize;
        for (dp, sp) in data[d0..d0 + row_len].chunks_exact_mut(4).zip(src[s0..s0 + row_len].chunks_exact(4)) {
            let sv = scale_px(u32::from_le_bytes([sp[0], sp[1], sp[2], sp[3]]), k);
            if sv >> 24 == 0 {
                continue;
            }
            let dv = u32::from_le_bytes([dp[0], dp[1], dp[2], dp[3]]);
            dp.copy_from_slice(&over(sv, dv).to_le_bytes());
        }
    }
}

/// A blurred drop shadow of `shape` (drawn in any opaque colour), `radius` pixels soft.
pub(crate) fn soft_shadow(w: u32, h: u32, radius: u32, shape: impl FnOnce(&mut PixmapMut<'_>), color: Color) -> Option<Pixmap> {
    let mut pm = Pixmap::new(w, h)?;
    shape(&mut pm.as_mut());
    let mut a: Vec<u8> = pm.data().chunks_exact(4).map(|p| p[3]).collect();
    // Three box blurs approximate a gaussian.
    let r = (radius / 2).max(1) as usize;
    for _ in 0..3 {
        box_blur(&mut a, w as usize, h as usize, r);
    }
    let (cr, cg, cb, ca) = (color.red(), color.green(), color.blue(), color.alpha());
    for (p, &al) in pm.data_mut().chunks_exact_mut(4).zip(&a) {
        let al = f32::from(al) / 255.0 * ca;
        p[0] = (cr * al * 255.0) as u8;
        p[1] = (cg * al * 255.0) as u8;
        p[2] = (cb * al * 255.0) as u8;
        p[3] = (al * 255.0) as u8;
    }
    Some(pm)
}

fn box_blur(a: &mut [u8], w: usize, h: usize, r: usize) {
    let mut tmp = vec![0u8; a.len()];
    let win = (2 * r + 1) as u32;
    // Horizontal pass into tmp, vertical pass back into a.
    for y in 0..h {
        let row = &a[y * w..(y + 1) * w];
        let mut sum: u32 = row[..=r.min(w.saturating_sub(1))].iter().map(|&v| u32::from(v)).sum();
        for x in 0..w {
            tmp[y * w + x] = (sum / win) as u8;
            if x + r + 1 < w {
                sum += u32::from(row[x + r + 1]);
            }
            if x >= r {
                sum -= u32::from(row[x - r]);
            }
        }
    }
    for x in 0..w {
        let mut sum: u32 = 0;
        for i in 0..=r.min(h.saturating_sub(1)) {
            sum += u32::from(tmp[i * w + x]);
        }
        for y in 0..h {
            a[y * w + x] = (sum / win) as u8;
            if y + r + 1 < h {
                sum += u32::from(tmp[(y + r + 1) * w + x]);
            }
            if y >= r {
                sum -= u32::from(tmp[(y - r) * w + x]);
            }
        }
    }
}

/// The smallest rectangle holding every pixel with alpha above zero, if any.
pub(crate) fn ink_bounds(pm: PixmapRef<'_>) -> Option<Rect> {
    let (w, h) = (pm.width() as i32, pm.height() as i32);
    let data = pm.data();
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, -1, -1);
    for y in 0..h {
        let row = &data[(y * w * 4) as usize..((y + 1) * w * 4) as usize];
        for (x, p) in row.chunks_exact(4).enumerate() {
            if p[3] != 0 {
                let x = x as i32;
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    (x1 >= 0).then(|| Rect::new(x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blit_is_src_over_and_clips() {
        let mut dst = Pixmap::new(4, 4).unwrap();
        dst.fill(Color::from_rgba8(0, 0, 255, 255));
        let mut src = Pixmap::new(2, 2).unwrap();
        src.fill(Color::from_rgba8(255, 0, 0, 128));
        blit(&mut dst.as_mut(), src.as_ref(), 3, 3, None);
        let p = dst.pixel(3, 3).unwrap();
        assert_eq!((p.red(), p.alpha()), (128, 255));
        assert!(p.blue() > 120 && p.blue() < 130, "{}", p.blue());
        // Outside the sprite, and outside a clip, nothing changes.
        assert_eq!(dst.pixel(2, 2).unwrap().blue(), 255);
        blit(&mut dst.as_mut(), src.as_ref(), 0, 0, Some(Rect::new(1, 1, 3, 3)));
        assert_eq!(dst.pixel(0, 0).unwrap().red(), 0);
        assert_eq!(dst.pixel(1, 1).unwrap().red(), 128);
    }

    #[test]
    fn affine_blit_matches_plain_blit_on_whole_pixels() {
        let mut src = Pixmap::new(8, 8).unwrap();
        src.fill(Color::from_rgba8(200, 40, 40, 255));
        let mut a = Pixmap::new(32, 32).unwrap();
        a.fill(Color::from_rgba8(0, 0, 90, 255));
        let mut b = a.clone();
        blit(&mut a.as_mut(), src.as_ref(), 5, 7, None);
        blit_affine(&mut b.as_mut(), &Packed::new(src.as_ref()), Transform::from_translate(5.0, 7.0), None);
        assert_eq!(a.data(), b.data());
        // A tilt keeps the sprite's centre and colour.
        let mut c = Pixmap::new(32, 32).unwrap();
        c.fill(Color::from_rgba8(0, 0, 90, 255));
        blit_affine(&mut c.as_mut(), &Packed::new(src.as_ref()), Transform::from_rotate_at(10.0, 13.0, 15.0).pre_translate(9.0, 11.0), None);
        let p = c.pixel(13, 15).unwrap();
        assert_eq!((p.red(), p.green(), p.blue(), p.alpha()), (200, 40, 40, 255));
    }

    #[test]
    fn shadow_is_soft() {
        let sh = soft_shadow(60, 60, 10, |pm| fill(pm, &rounded_rect(15.0, 15.0, 30.0, 30.0, 4.0).unwrap(), Color::BLACK, Transform::identity()), Color::BLACK).unwrap();
        let mid = sh.pixel(30, 30).unwrap().alpha();
        let edge = sh.pixel(12, 30).unwrap().alpha();
        assert!(mid > 200 && edge > 0 && edge < mid, "{mid} {edge}");
    }
}
