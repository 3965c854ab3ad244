//! The built-in illustrated host: a flat-shaded vector character drawn with tiny-skia on a
//! canvas of 1000 × 1200 units (head at the top, cut at the waist), fitted into the layout's
//! host box.
//!
//! What never changes (hair behind the head, torso and outfit, face, hair in front) is drawn
//! once per look into sprites; each frame copies them with the head and breathing offsets and
//! draws only what moves as vectors: eyes, brows, mouth and gesturing arms.

use show::config::Look;
use show::{Cue, MouthShape};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Mask, Path, PathBuilder, Pixmap, PixmapMut, Stroke, Transform,
};

use super::{HostState, card_direction, fit_bottom};
use crate::MOUTH_INTERIOR;
use crate::layout::{CardSide, Rect};
use crate::motion;
use crate::paint::{self, alpha, hex_or, mix, rgb, shade};

/// Canvas size in units.
pub(crate) const CANVAS_W: f32 = 1000.0;
pub(crate) const CANVAS_H: f32 = 1200.0;

/// The mouth's centre on the canvas.
const MOUTH_X: f32 = 500.0;
const MOUTH_Y: f32 = 468.0;
/// The neck: the head tilts about this point.
const PIVOT: (f32, f32) = (500.0, 600.0);
/// How far idle motion moves the head, in units, and how far it tilts, in degrees.
const HEAD_SWAY: f32 = 7.0;
const HEAD_BOB: f32 = 5.0;
const HEAD_TILT: f32 = 2.2;
/// Hands are drawn a little larger than life: they must read at 360p.
const HAND: f32 = 1.35;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hair {
    Bob,
    Long,
    Bun,
    Short,
    Curly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outfit {
    Blazer,
    Tee,
    Hoodie,
    Dress,
}

#[derive(Clone, Copy, Debug)]
struct Palette {
    skin: Color,
    skin_dark: Color,
    skin_deep: Color,
    blush: Color,
    lip: Color,
    lip_dark: Color,
    hair: Color,
    hair_dark: Color,
    hair_light: Color,
    iris: Color,
    outfit: Color,
    outfit_dark: Color,
    outfit_light: Color,
    accent: Color,
    shirt: Color,
    lash: Color,
}

impl Palette {
    fn from_look(look: &Look) -> Palette {
        let d = Look::default();
        let skin = hex_or(Some(&look.skin), hex_or(Some(&d.skin), rgb(232, 184, 148)));
        let hair = hex_or(Some(&look.hair), rgb(59, 34, 25));
        let outfit = hex_or(Some(&look.outfit_color), rgb(228, 87, 46));
        let lip = mix(skin, rgb(196, 64, 88), 0.55);
        Palette {
            skin,
            skin_dark: shade(skin, -0.13),
            skin_deep: shade(skin, -0.38),
            blush: alpha(mix(skin, rgb(255, 96, 120), 0.55), 0.42),
            lip,
            lip_dark: shade(lip, -0.35),
            hair,
            hair_dark: shade(hair, -0.28),
            hair_light: alpha(shade(hair, 0.35), 0.55),
            iris: hex_or(Some(&look.eyes), rgb(74, 52, 38)),
            outfit,
            outfit_dark: shade(outfit, -0.25),
            outfit_light: shade(outfit, 0.14),
            accent: hex_or(Some(&look.accent), rgb(255, 209, 102)),
            shirt: rgb(249, 246, 241),
            lash: mix(shade(hair, -0.5), rgb(30, 18, 20), 0.6),
        }
    }
}

/// A static layer drawn once, with where its top-left pixel sits on the canvas.
struct Sprite {
    pixmap: Pixmap,
    /// The same pixels packed for filtered drawing.
    packed: paint::Packed,
    /// Canvas position of the sprite's (0, 0), in units.
    origin: (f32, f32),
}

pub(crate) struct BuiltIn {
    pal: Palette,
    hair: Hair,
    outfit: Outfit,
    /// Canvas → frame: frame = offset + canvas · scale.
    scale: f32,
    offset: (f32, f32),
    side: CardSide,
    box_: Rect,
    hair_back: Option<Sprite>,
    body: Option<Sprite>,
    head: Option<Sprite>,
    /// The host box as a mask of the frame: arms reach the box's edges and are clipped to it.
    clip: Option<Mask>,
    /// Smoothed "looking at the card" amount, so the head turns rather than snaps.
    look: f32,
    last_t: f64,
}

/// A path builder that reads like the drawing: m, l, c, q, z.
struct P(PathBuilder);

impl P {
    fn new() -> P {
        P(PathBuilder::new())
    }
    fn m(mut self, x: f32, y: f32) -> P {
        self.0.move_to(x, y);
        self
    }
    fn l(mut self, x: f32, y: f32) -> P {
        self.0.line_to(x, y);
        self
    }
    fn c(mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) -> P {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
        self
    }
    fn q(mut self, x1: f32, y1: f32, x: f32, y: f32) -> P {
        self.0.quad_to(x1, y1, x, y);
        self
    }
    fn z(mut self) -> P {
        self.0.close();
        self
    }
    fn done(self) -> Option<Path> {
        self.0.finish()
    }
}

fn fill(pm: &mut PixmapMut<'_>, path: Option<Path>, c: Color, ts: Transform) {
    if let Some(p) = path {
        paint::fill(pm, &p, c, ts);
    }
}

fn line(pm: &mut PixmapMut<'_>, path: Option<Path>, c: Color, width: f32, ts: Transform) {
    line_in(pm, path, c, width, ts, None);
}

/// A round-capped stroke, kept inside `clip` when given.
fn line_in(pm: &mut PixmapMut<'_>, path: Option<Path>, c: Color, width: f32, ts: Transform, clip: Option<&Mask>) {
    if let Some(p) = path.filter(|p| width > 0.0 && (p.bounds().width() > 0.0 || p.bounds().height() > 0.0)) {
        let stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
        pm.stroke_path(&p, &paint::solid(c), &stroke, ts, clip);
    }
}

fn seg(x0: f32, y0: f32, x1: f32, y1: f32) -> Option<Path> {
    P::new().m(x0, y0).l(x1, y1).done()
}

/// Draws `layer` once into a sprite covering `bounds` (canvas units) at `scale`, cropped to the
/// pixels it inked.
fn bake(bounds: (f32, f32, f32, f32), scale: f32, layer: impl FnOnce(&mut PixmapMut<'_>, Transform)) -> Option<Sprite> {
    let (x0, y0, x1, y1) = bounds;
    let w = ((x1 - x0) * scale).ceil() as u32 + 2;
    let h = ((y1 - y0) * scale).ceil() as u32 + 2;
    let mut pm = Pixmap::new(w, h)?;
    let ts = Transform::from_row(scale, 0.0, 0.0, scale, -x0 * scale, -y0 * scale);
    layer(&mut pm.as_mut(), ts);
    let ink = paint::ink_bounds(pm.as_ref())?;
    let pixmap = pm.clone_rect(tiny_skia::IntRect::from_xywh(ink.x, ink.y, ink.w as u32, ink.h as u32)?)?;
    let packed = paint::Packed::new(pixmap.as_ref());
    Some(Sprite { pixmap, packed, origin: (x0 + ink.x as f32 / scale, y0 + ink.y as f32 / scale) })
}

impl BuiltIn {
    pub fn new(look: &Look, host: Rect, side: CardSide) -> BuiltIn {
        let hair = match look.hair_style.trim().to_ascii_lowercase().as_str() {
            "long" => Hair::Long,
            "bun" => Hair::Bun,
            "short" => Hair::Short,
            "curly" => Hair::Curly,
            _ => Hair::Bob,
        };
        let outfit = match look.outfit.trim().to_ascii_lowercase().as_str() {
            "tee" | "t-shirt" | "tshirt" => Outfit::Tee,
            "hoodie" => Outfit::Hoodie,
            "dress" => Outfit::Dress,
            _ => Outfit::Blazer,
        };
        let (scale, x, y) = fit_bottom(CANVAS_W, CANVAS_H, host);
        let mut h = BuiltIn {
            pal: Palette::from_look(look),
            hair,
            outfit,
            scale,
            offset: (x, y),
            side,
            box_: host,
            hair_back: None,
            body: None,
            head: None,
            clip: None,
            look: 0.0,
            last_t: f64::NEG_INFINITY,
        };
        h.bake_sprites();
        h
    }

    fn bake_sprites(&mut self) {
        let s = self.scale;
        let me = &*self;
        let hair_back = bake((130.0, 40.0, 870.0, 860.0), s, |pm, ts| me.draw_hair_back(pm, ts));
        let body = bake((150.0, 440.0, 850.0, CANVAS_H), s, |pm, ts| me.draw_body(pm, ts));
        // Face and the hair in front of it are one sprite: eyes, brows and mouth go on top
        // (no hair style reaches over them).
        let head = bake((280.0, 100.0, 720.0, 720.0), s, |pm, ts| {
            me.draw_head(pm, ts);
            me.draw_hair_front(pm, ts);
        });
        self.hair_back = hair_back;
        self.body = body;
        self.head = head;
    }

    fn base(&self) -> Transform {
        Transform::from_row(self.scale, 0.0, 0.0, self.scale, self.offset.0, self.offset.1)
    }

    /// The frame rectangle the mouth stays in, whatever the head does.
    pub fn mouth_rect(&self) -> Rect {
        // The mouth's own extent at its widest and most open, plus the head's reach.
        let reach = HEAD_SWAY + 3.0 + (HEAD_TILT + 1.5).to_radians().sin() * (PIVOT.1 - MOUTH_Y + 60.0);
        let (x0, x1) = (MOUTH_X - 58.0 - reach, MOUTH_X + 58.0 + reach);
        let (y0, y1) = (MOUTH_Y - 26.0 - HEAD_BOB - 8.0, MOUTH_Y + 58.0 + HEAD_BOB + 8.0);
        let (ox, oy) = self.offset;
        let s = self.scale;
        let fx0 = (ox + x0 * s).floor() as i32;
        let fy0 = (oy + y0 * s).floor() as i32;
        let fx1 = (ox + x1 * s).ceil() as i32;
        let fy1 = (oy + y1 * s).ceil() as i32;
        Rect::new(fx0, fy0, fx1 - fx0, fy1 - fy0).intersect(self.box_)
    }

    /// Head and body placement for this instant.
    fn pose(&mut self, st: &HostState) -> Pose {
        let t = st.t;
        // Glancing at the card eases in and out over ~0.25 s.
        let dt = if self.last_t.is_finite() { (t - self.last_t).clamp(0.0, 0.2) as f32 } else { 1.0 };
        self.last_t = t;
        let target = if st.look_at_card || matches!(st.gesture, Some((Cue::Point | Cue::LookAtCard, _))) { 1.0 } else { 0.0 };
        let k = 1.0 - (-dt / 0.12).exp();
        self.look += (target - self.look) * k;
        let look = self.look;
        let (cdx, cdy) = card_direction(self.side);

        let breath = motion::breath(t);
        let talk = if st.speaking { st.mouth.open.clamp(0.0, 1.0) } else { 0.0 };
        let dx = motion::sway(t, 0.0) * HEAD_SWAY * 0.8 + cdx * look * HEAD_SWAY * 0.2;
        let dy = motion::sway(t, 2.1) * HEAD_BOB * 0.6 + breath * 1.2 + talk * 2.0;
        let tilt = motion::sway(t, 4.2) * HEAD_TILT * 0.8 + cdx * look * 1.2 + cdy * look * 0.3;
        let (gx, gy) = motion::glance(t);
        let gaze = (gx * (1.0 - look) + cdx * look, gy * (1.0 - look) + cdy * look * 0.8);
        let brow = if st.speaking { 0.35 + talk * 0.5 } else { 0.15 } + if st.gesture.is_some() { 0.3 } else { 0.0 };
        Pose { head_dx: dx, head_dy: dy, tilt, body_dy: breath * 2.6, gaze, open: 1.0 - motion::blink(t), brow }
    }

    pub fn draw(&mut self, pm: &mut PixmapMut<'_>, st: &HostState) {
        let pose = self.pose(st);
        let base = self.base();
        let head_ts = base.pre_concat(
            Transform::from_translate(pose.head_dx, pose.head_dy).pre_concat(Transform::from_rotate_at(pose.tilt, PIVOT.0, PIVOT.1)),
        );
        let body_ts = base.pre_concat(Transform::from_translate(0.0, pose.body_dy));

        self.blit(pm, self.hair_back.as_ref(), head_ts);
        self.blit(pm, self.body.as_ref(), body_ts);
        self.blit(pm, self.head.as_ref(), head_ts);
        self.draw_eyes(pm, head_ts, pose.open, pose.gaze);
        self.draw_brows(pm, head_ts, pose.brow);
        self.draw_mouth(pm, head_ts, st.mouth);
        if let Some((cue, since)) = st.gesture {
            let a = motion::gesture_amount(cue, since);
            if a > 0.0 {
                if self.clip.as_ref().is_none_or(|m| m.width() != pm.width() || m.height() != pm.height()) {
                    self.clip = box_mask(pm.width(), pm.height(), self.box_);
                }
                self.draw_gesture(pm, body_ts, cue, since, a, st.t);
            }
        }
    }

    /// Draws a sprite with a canvas transform: a plain copy when it only translates (breathing),
    /// a filtered draw when the head tilts.
    fn blit(&self, pm: &mut PixmapMut<'_>, sprite: Option<&Sprite>, ts: Transform) {
        let Some(sp) = sprite else { return };
        let (ox, oy) = sp.origin;
        // The sprite's pixel (0,0) sits at canvas (ox, oy); its pixels are 1/scale units.
        let inv = 1.0 / self.scale;
        let ts = ts.pre_concat(Transform::from_row(inv, 0.0, 0.0, inv, ox, oy));
        if ts.kx == 0.0 && ts.ky == 0.0 && (ts.sx - 1.0).abs() < 1e-4 && (ts.sy - 1.0).abs() < 1e-4 {
            paint::blit(pm, sp.pixmap.as_ref(), ts.tx.round() as i32, ts.ty.round() as i32, Some(self.box_));
        } else {
            paint::blit_affine(pm, &sp.packed, ts, Some(self.box_));
        }
    }

    // ----- static layers -------------------------------------------------------------------

    fn draw_hair_back(&self, pm: &mut PixmapMut<'_>, ts: Transform) {
        let c = self.pal.hair_dark;
        match self.hair {
            Hair::Bob => fill(
                pm,
                P::new()
                    .m(500.0, 150.0)
                    .c(650.0, 150.0, 705.0, 250.0, 692.0, 370.0)
                    .c(684.0, 450.0, 690.0, 520.0, 712.0, 566.0)
                    .c(660.0, 596.0, 600.0, 590.0, 574.0, 566.0)
                    .l(426.0, 566.0)
                    .c(400.0, 590.0, 340.0, 596.0, 288.0, 566.0)
                    .c(310.0, 520.0, 316.0, 450.0, 308.0, 370.0)
                    .c(295.0, 250.0, 350.0, 150.0, 500.0, 150.0)
                    .z()
                    .done(),
                c,
                ts,
            ),
            Hair::Long => fill(
                pm,
                P::new()
                    .m(500.0, 145.0)
                    .c(655.0, 145.0, 720.0, 250.0, 704.0, 390.0)
                    .c(690.0, 530.0, 736.0, 690.0, 726.0, 820.0)
                    .c(660.0, 850.0, 590.0, 840.0, 560.0, 800.0)
                    .l(440.0, 800.0)
                    .c(410.0, 840.0, 340.0, 850.0, 274.0, 820.0)
                    .c(264.0, 690.0, 310.0, 530.0, 296.0, 390.0)
                    .c(280.0, 250.0, 345.0, 145.0, 500.0, 145.0)
                    .z()
                    .done(),
                c,
                ts,
            ),
            Hair::Bun => {
                fill(pm, paint::circle(500.0, 128.0, 64.0), c, ts);
                fill(pm, paint::ellipse(500.0, 300.0, 166.0, 160.0), c, ts);
                line(pm, P::new().m(452.0, 112.0).q(500.0, 80.0, 548.0, 112.0).done(), self.pal.hair_light, 6.0, ts);
            }
            Hair::Short => fill(pm, paint::ellipse(500.0, 292.0, 166.0, 150.0), c, ts),
            Hair::Curly => {
                // A soft cloud: many small curls around a big oval, down to the jaw.
                fill(pm, paint::ellipse(500.0, 330.0, 196.0, 214.0), c, ts);
                for i in 0..26 {
                    let a = std::f32::consts::PI * (0.82 + i as f32 * 1.36 / 25.0);
                    let (x, y) = (500.0 + 196.0 * a.cos(), 330.0 + 214.0 * a.sin());
                    fill(pm, paint::circle(x, y, 40.0 + (i % 3) as f32 * 5.0), c, ts);
                }
                for (x, y) in [(318.0, 500.0), (682.0, 500.0), (336.0, 560.0), (664.0, 560.0), (372.0, 590.0), (628.0, 590.0)] {
                    fill(pm, paint::circle(x, y, 44.0), c, ts);
                }
                for i in 0..9 {
                    let a = std::f32::consts::PI * (1.1 + i as f32 * 0.8 / 8.0);
                    let (x, y) = (500.0 + 160.0 * a.cos(), 320.0 + 180.0 * a.sin());
                    line(pm, P::new().m(x - 16.0, y + 4.0).q(x, y - 14.0, x + 16.0, y + 4.0).done(), self.pal.hair_light, 5.0, ts);
                }
            }
        }
    }

    fn torso(&self) -> Option<Path> {
        P::new()
            .m(446.0, 626.0)
            .c(405.0, 648.0, 330.0, 652.0, 292.0, 668.0)
            .c(246.0, 686.0, 224.0, 714.0, 218.0, 772.0)
            .c(212.0, 880.0, 206.0, 1040.0, 202.0, 1196.0)
            .l(798.0, 1196.0)
            .c(794.0, 1040.0, 788.0, 880.0, 782.0, 772.0)
            .c(776.0, 714.0, 754.0, 686.0, 708.0, 668.0)
            .c(670.0, 652.0, 595.0, 648.0, 554.0, 626.0)
            .z()
            .done()
    }

    fn draw_body(&self, pm: &mut PixmapMut<'_>, ts: Transform) {
        let p = &self.pal;
        // Neck, with the chin's shadow.
        fill(
            pm,
            P::new()
                .m(452.0, 460.0)
                .l(548.0, 460.0)
                .c(546.0, 540.0, 550.0, 600.0, 562.0, 640.0)
                .c(530.0, 662.0, 470.0, 662.0, 438.0, 640.0)
                .c(450.0, 600.0, 454.0, 540.0, 452.0, 460.0)
                .z()
                .done(),
            p.skin,
            ts,
        );
        fill(pm, P::new().m(452.0, 470.0).l(548.0, 470.0).l(548.0, 540.0).c(525.0, 585.0, 475.0, 585.0, 452.0, 540.0).z().done(), p.skin_dark, ts);

        let (body_c, body_dark) = if self.outfit == Outfit::Dress { (p.skin, p.skin_dark) } else { (p.outfit, p.outfit_dark) };
        fill(pm, self.torso(), body_c, ts);
        // Where the arms meet the body.
        for (x0, x1) in [(266.0, 272.0), (734.0, 728.0)] {
            line(pm, P::new().m(x0, 835.0).q(x0 + (x1 - x0) * 0.4, 1000.0, x1, 1196.0).done(), alpha(body_dark, 0.7), 5.0, ts);
        }
        match self.outfit {
            Outfit::Blazer => {
                fill(pm, P::new().m(438.0, 632.0).l(562.0, 632.0).l(500.0, 870.0).z().done(), p.shirt, ts);
                // Shirt collar wings.
                fill(pm, P::new().m(440.0, 628.0).l(500.0, 690.0).l(474.0, 706.0).l(428.0, 648.0).z().done(), shade(p.shirt, -0.06), ts);
                fill(pm, P::new().m(560.0, 628.0).l(500.0, 690.0).l(526.0, 706.0).l(572.0, 648.0).z().done(), shade(p.shirt, -0.06), ts);
                for sx in [-1.0f32, 1.0] {
                    let x = |v: f32| 500.0 + sx * (v - 500.0);
                    fill(
                        pm,
                        P::new()
                            .m(x(440.0), 630.0)
                            .l(x(500.0), 872.0)
                            .l(x(462.0), 800.0)
                            .l(x(398.0), 716.0)
                            .l(x(428.0), 694.0)
                            .l(x(410.0), 662.0)
                            .z()
                            .done(),
                        p.outfit_light,
                        ts,
                    );
                    line(pm, P::new().m(x(440.0), 630.0).l(x(500.0), 872.0).done(), p.outfit_dark, 4.0, ts);
                }
                for y in [935.0, 1030.0] {
                    fill(pm, paint::circle(518.0, y, 9.0), p.outfit_dark, ts);
                }
                // Pocket square in the accent colour.
                fill(pm, P::new().m(326.0, 800.0).l(386.0, 800.0).l(376.0, 772.0).l(356.0, 788.0).l(340.0, 770.0).z().done(), p.accent, ts);
                line(pm, seg(316.0, 802.0, 398.0, 802.0), p.outfit_dark, 4.0, ts);
            }
            Outfit::Tee => {
                fill(pm, P::new().m(440.0, 626.0).c(462.0, 676.0, 538.0, 676.0, 560.0, 626.0).z().done(), p.skin, ts);
                line(pm, P::new().m(438.0, 628.0).c(462.0, 682.0, 538.0, 682.0, 562.0, 628.0).done(), p.outfit_dark, 12.0, ts);
                // A small chest print.
                fill(pm, paint::circle(610.0, 800.0, 30.0), p.accent, ts);
                fill(pm, paint::star(610.0, 800.0, 19.0, 8.0), p.outfit, ts);
            }
            Outfit::Hoodie => {
                fill(pm, paint::ellipse(500.0, 650.0, 122.0, 46.0), p.outfit_dark, ts);
                fill(pm, P::new().m(452.0, 622.0).c(468.0, 676.0, 532.0, 676.0, 548.0, 622.0).z().done(), p.skin, ts);
                for (x0, x1) in [(470.0, 458.0), (530.0, 542.0)] {
                    line(pm, seg(x0, 672.0, x1, 820.0), p.shirt, 6.0, ts);
                    line(pm, seg(x1, 812.0, x1, 838.0), p.accent, 10.0, ts);
                }
                line(pm, P::new().m(330.0, 1196.0).l(360.0, 1040.0).l(640.0, 1040.0).l(670.0, 1196.0).done(), p.outfit_dark, 6.0, ts);
            }
            Outfit::Dress => {
                fill(
                    pm,
                    P::new()
                        .m(292.0, 1196.0)
                        .l(296.0, 790.0)
                        .c(350.0, 764.0, 430.0, 790.0, 500.0, 812.0)
                        .c(570.0, 790.0, 650.0, 764.0, 704.0, 790.0)
                        .l(708.0, 1196.0)
                        .z()
                        .done(),
                    p.outfit,
                    ts,
                );
                for (x0, x1) in [(330.0, 392.0), (670.0, 608.0)] {
                    line(pm, seg(x0, 782.0, x1, 664.0), p.outfit, 18.0, ts);
                }
                line(pm, P::new().m(450.0, 642.0).q(500.0, 730.0, 550.0, 642.0).done(), p.accent, 3.5, ts);
                fill(pm, paint::circle(500.0, 690.0, 10.0), p.accent, ts);
            }
        }
    }

    fn face(&self) -> Option<Path> {
        P::new()
            .m(500.0, 168.0)
            .c(592.0, 168.0, 650.0, 226.0, 650.0, 322.0)
            .c(650.0, 420.0, 612.0, 494.0, 560.0, 526.0)
            .c(536.0, 545.0, 464.0, 545.0, 440.0, 526.0)
            .c(388.0, 494.0, 350.0, 420.0, 350.0, 322.0)
            .c(350.0, 226.0, 408.0, 168.0, 500.0, 168.0)
            .z()
            .done()
    }

    fn draw_head(&self, pm: &mut PixmapMut<'_>, ts: Transform) {
        let p = &self.pal;
        for sx in [-1.0f32, 1.0] {
            let x = 500.0 + sx * 148.0;
            fill(pm, paint::ellipse(x, 362.0, 24.0, 38.0), p.skin, ts);
            fill(pm, paint::ellipse(x + sx * 4.0, 364.0, 11.0, 22.0), p.skin_dark, ts);
        }
        fill(pm, self.face(), p.skin, ts);
        // Soft shading along the jaw.
        line(pm, P::new().m(372.0, 440.0).c(400.0, 500.0, 450.0, 536.0, 500.0, 538.0).c(550.0, 536.0, 600.0, 500.0, 628.0, 440.0).done(), alpha(p.skin_dark, 0.55), 7.0, ts);
        for sx in [-1.0f32, 1.0] {
            fill(pm, paint::ellipse(500.0 + sx * 86.0, 428.0, 36.0, 19.0), p.blush, ts);
        }
        // Nose: a small shadow hook and a highlight.
        line(pm, P::new().m(494.0, 392.0).c(488.0, 412.0, 490.0, 424.0, 502.0, 426.0).c(510.0, 427.0, 514.0, 423.0, 516.0, 419.0).done(), p.skin_deep, 4.5, ts);
        fill(pm, paint::circle(506.0, 404.0, 4.0), alpha(Color::WHITE, 0.35), ts);
    }

    fn draw_hair_front(&self, pm: &mut PixmapMut<'_>, ts: Transform) {
        let p = &self.pal;
        match self.hair {
            Hair::Bob => {
                fill(
                    pm,
                    P::new()
                        .m(346.0, 470.0)
                        .c(330.0, 360.0, 334.0, 250.0, 392.0, 196.0)
                        .c(446.0, 150.0, 560.0, 146.0, 614.0, 188.0)
                        .c(670.0, 232.0, 672.0, 350.0, 656.0, 470.0)
                        .c(640.0, 420.0, 632.0, 330.0, 618.0, 292.0)
                        .c(598.0, 276.0, 574.0, 258.0, 556.0, 236.0)
                        .c(536.0, 262.0, 500.0, 280.0, 462.0, 276.0)
                        .c(440.0, 274.0, 410.0, 284.0, 388.0, 300.0)
                        .c(372.0, 340.0, 362.0, 410.0, 346.0, 470.0)
                        .z()
                        .done(),
                    p.hair,
                    ts,
                );
                sheen(pm, ts, p.hair_light, 214.0);
                line(pm, P::new().m(556.0, 240.0).c(540.0, 228.0, 520.0, 222.0, 500.0, 224.0).done(), alpha(p.hair_dark, 0.8), 4.0, ts);
            }
            Hair::Long => {
                fill(
                    pm,
                    P::new()
                        .m(340.0, 700.0)
                        .c(322.0, 560.0, 320.0, 260.0, 392.0, 194.0)
                        .c(452.0, 144.0, 566.0, 146.0, 618.0, 192.0)
                        .c(680.0, 250.0, 680.0, 560.0, 662.0, 700.0)
                        .c(640.0, 640.0, 642.0, 520.0, 630.0, 420.0)
                        .c(622.0, 340.0, 612.0, 300.0, 596.0, 276.0)
                        .c(540.0, 300.0, 460.0, 300.0, 380.0, 330.0)
                        .c(372.0, 420.0, 366.0, 560.0, 340.0, 700.0)
                        .z()
                        .done(),
                    p.hair,
                    ts,
                );
                sheen(pm, ts, p.hair_light, 212.0);
                line(pm, P::new().m(646.0, 420.0).c(656.0, 520.0, 652.0, 600.0, 648.0, 660.0).done(), p.hair_light, 6.0, ts);
            }
            Hair::Bun => {
                fill(
                    pm,
                    P::new()
                        .m(350.0, 332.0)
                        .c(340.0, 220.0, 410.0, 150.0, 500.0, 150.0)
                        .c(590.0, 150.0, 660.0, 220.0, 650.0, 332.0)
                        .c(630.0, 270.0, 580.0, 226.0, 500.0, 222.0)
                        .c(420.0, 226.0, 370.0, 270.0, 350.0, 332.0)
                        .z()
                        .done(),
                    p.hair,
                    ts,
                );
                line(pm, P::new().m(500.0, 224.0).q(506.0, 190.0, 500.0, 154.0).done(), alpha(p.hair_dark, 0.9), 4.0, ts);
                line(pm, P::new().m(420.0, 190.0).q(460.0, 168.0, 486.0, 166.0).done(), p.hair_light, 7.0, ts);
            }
            Hair::Short => {
                fill(
                    pm,
                    P::new()
                        .m(352.0, 350.0)
                        .c(336.0, 230.0, 400.0, 148.0, 500.0, 148.0)
                        .c(600.0, 148.0, 664.0, 230.0, 648.0, 350.0)
                        .c(640.0, 300.0, 630.0, 272.0, 612.0, 256.0)
                        .l(590.0, 272.0)
                        .l(574.0, 244.0)
                        .l(548.0, 264.0)
                        .l(530.0, 238.0)
                        .l(502.0, 262.0)
                        .l(480.0, 236.0)
                        .l(454.0, 262.0)
                        .l(432.0, 242.0)
                        .l(410.0, 270.0)
                        .l(388.0, 258.0)
                        .c(370.0, 276.0, 360.0, 300.0, 352.0, 350.0)
                        .z()
                        .done(),
                    p.hair,
                    ts,
                );
                sheen(pm, ts, p.hair_light, 200.0);
            }
            Hair::Curly => {
                // The crown, and a fringe of curls scalloped along the hairline.
                let mut pb = P::new().m(352.0, 340.0).c(340.0, 220.0, 410.0, 150.0, 500.0, 150.0).c(590.0, 150.0, 660.0, 220.0, 648.0, 340.0);
                let xs = [648.0f32, 614.0, 578.0, 540.0, 500.0, 460.0, 422.0, 386.0, 352.0];
                let ys = [300.0f32, 268.0, 252.0, 246.0, 244.0, 246.0, 252.0, 268.0, 300.0];
                for i in 1..xs.len() {
                    let (mx, my) = ((xs[i - 1] + xs[i]) / 2.0, (ys[i - 1] + ys[i]) / 2.0 + 26.0);
                    pb = pb.q(mx, my, xs[i], ys[i]);
                }
                fill(pm, pb.z().done(), p.hair, ts);
                for i in 1..xs.len() - 1 {
                    let (x, y) = (xs[i], ys[i]);
                    line(pm, P::new().m(x - 14.0, y - 14.0).q(x, y - 30.0, x + 14.0, y - 14.0).done(), p.hair_light, 5.0, ts);
                }
            }
        }
    }

    // ----- what moves ----------------------------------------------------------------------

    fn draw_eyes(&self, pm: &mut PixmapMut<'_>, ts: Transform, open: f32, gaze: (f32, f32)) {
        let p = &self.pal;
        let open = open.clamp(0.0, 1.0);
        for sx in [-1.0f32, 1.0] {
            // sx = -1: the eye on the viewer's left; its outer corner is on the left.
            let cx = 500.0 + sx * 64.0;
            let cy = 352.0;
            let x = |v: f32| cx + sx * v;
            let outer = (x(38.0), cy - 2.0);
            let inner = (x(-32.0), cy + 4.0);
            let up_y = cy + 20.0 + (-38.0 - 20.0) * open;
            let (lo1, lo2) = ((x(-18.0), cy + 22.0), (x(20.0), cy + 20.0));
            let upper = |b: P| b.c(x(22.0), up_y, x(-18.0), up_y, inner.0, inner.1);
            if open > 0.08 {
                let white = upper(P::new().m(outer.0, outer.1)).c(lo1.0, lo1.1, lo2.0, lo2.1, outer.0, outer.1).z().done();
                fill(pm, white, rgb(252, 250, 248), ts);
                let (ix, iy) = (cx + gaze.0 * 9.0 + -sx, cy + 2.0 + gaze.1 * 6.0);
                fill(pm, paint::circle(ix, iy, 19.0), p.iris, ts);
                fill(pm, paint::circle(ix, iy + 3.0, 12.0), shade(p.iris, -0.35), ts);
                fill(pm, paint::circle(ix, iy, 8.5), rgb(22, 14, 14), ts);
                fill(pm, paint::circle(ix - 7.0, iy - 7.0, 6.0), Color::WHITE, ts);
                fill(pm, paint::circle(ix + 6.0, iy + 6.0, 2.8), alpha(Color::WHITE, 0.85), ts);
                // Lids cover what of the iris lies outside the eye opening.
                let above = upper(P::new().m(outer.0, outer.1)).l(x(-40.0), cy - 52.0).l(x(46.0), cy - 52.0).z().done();
                fill(pm, above, p.skin, ts);
                let below = P::new().m(outer.0, outer.1).c(lo2.0, lo2.1, lo1.0, lo1.1, inner.0, inner.1).l(x(-40.0), cy + 44.0).l(x(46.0), cy + 44.0).z().done();
                fill(pm, below, p.skin, ts);
                line(pm, upper(P::new().m(outer.0, outer.1)).done(), p.lash, 6.0, ts);
                line(pm, P::new().m(outer.0, outer.1).l(x(50.0), cy - 12.0).done(), p.lash, 5.0, ts);
                line(pm, P::new().m(x(28.0), cy + 12.0).c(x(16.0), cy + 21.0, x(0.0), cy + 22.0, x(-12.0), cy + 19.0).done(), alpha(p.lash, 0.35), 2.0, ts);
                if open > 0.6 {
                    let crease_y = up_y - 6.0;
                    line(pm, P::new().m(x(30.0), cy - 18.0).c(x(16.0), crease_y, x(-12.0), crease_y, x(-26.0), cy - 12.0).done(), alpha(p.skin_deep, 0.45), 2.5, ts);
                }
            } else {
                // Shut: the lid line along the lower lid.
                line(pm, P::new().m(outer.0, outer.1 + 4.0).c(lo2.0, lo2.1, lo1.0, lo1.1, inner.0, inner.1).done(), p.lash, 5.5, ts);
                line(pm, P::new().m(outer.0, outer.1 + 4.0).l(x(48.0), cy - 4.0).done(), p.lash, 4.5, ts);
            }
        }
    }

    fn draw_brows(&self, pm: &mut PixmapMut<'_>, ts: Transform, raise: f32) {
        let c = shade(self.pal.hair, -0.1);
        for sx in [-1.0f32, 1.0] {
            let cx = 500.0 + sx * 64.0;
            let y = 298.0 - raise * 7.0;
            let x = |v: f32| cx + sx * v;
            line(pm, P::new().m(x(-30.0), y + 4.0).q(x(4.0), y - 14.0 - raise * 2.0, x(40.0), y + 6.0).done(), c, 8.5, ts);
        }
    }

    fn draw_mouth(&self, pm: &mut PixmapMut<'_>, ts: Transform, m: MouthShape) {
        paint_mouth(pm, ts, m, (MOUTH_X, MOUTH_Y), self.pal.lip, self.pal.lip_dark);
    }

    fn draw_gesture(&self, pm: &mut PixmapMut<'_>, body: Transform, cue: Cue, since: f32, a: f32, t: f64) {
        let (dx, _) = card_direction(self.side);
        // Canvas x on the card's side (mirrored when the card is on the left).
        let mirror = self.side == CardSide::Left;
        let mx = |x: f32| if mirror { CANVAS_W - x } else { x };
        let wobble = (t * std::f64::consts::TAU * 2.2).sin() as f32;
        match cue {
            Cue::Point => {
                // Sideways at the card; angled down when the card is below (vertical layouts),
                // with the hand kept above the card's top edge.
                let (elbow, wrist) = if self.side == CardSide::Below {
                    ((760.0, 1060.0), (806.0, 770.0))
                } else {
                    ((mx(760.0), 1080.0), (mx(810.0), 866.0))
                };
                let dir = if self.side == CardSide::Below { (0.87, 0.5) } else { (dx, -0.18) };
                let ang = dir.0.atan2(-dir.1).to_degrees() + wobble * 2.0 * (1.0 - a);
                self.arm(pm, body, elbow, wrist, a, ang, Hand::Point, mirror);
            }
            Cue::Wave => {
                // The far hand waves, leaving the card side free.
                let far = |x: f32| if mirror { x } else { CANVAS_W - x };
                let ang = -12.0 * if mirror { -1.0 } else { 1.0 } + wobble * 18.0 * a;
                self.arm(pm, body, (far(756.0), 1090.0), (far(812.0), 690.0), a, -ang, Hand::Open, !mirror);
            }
            Cue::OpenPalms => {
                self.arm(pm, body, (300.0, 1090.0), (344.0, 880.0), a, -32.0, Hand::Open, true);
                self.arm(pm, body, (700.0, 1090.0), (656.0, 880.0), a, 32.0, Hand::Open, false);
            }
            Cue::ThumbsUp => {
                let bump = ((since * 3.0).min(1.0) * std::f32::consts::PI).sin() * 12.0;
                self.arm(pm, body, (mx(712.0), 1090.0), (mx(650.0), 872.0 - bump), a, if mirror { 8.0 } else { -8.0 }, Hand::ThumbUp, mirror);
            }
            Cue::LookAtCard | Cue::Countdown(_) => {}
        }
    }

    /// A forearm raised from below the frame edge to `wrist`, eased by `a`, ending in a hand
    /// turned `angle` degrees from pointing up.
    #[allow(clippy::too_many_arguments)]
    fn arm(&self, pm: &mut PixmapMut<'_>, ts: Transform, elbow: (f32, f32), wrist: (f32, f32), a: f32, angle: f32, hand: Hand, mirror: bool) {
        let p = &self.pal;
        let clip = self.clip.as_ref();
        let rest_y = CANVAS_H - 40.0;
        let lerp = |r: f32, v: f32| r + (v - r) * a;
        let e = (elbow.0, lerp(rest_y + 120.0, elbow.1).min(rest_y));
        let w = (lerp(elbow.0, wrist.0), lerp(rest_y + 60.0, wrist.1).min(rest_y));
        // Blazers and hoodies have long sleeves; a tee or a dress shows the forearm.
        let long = matches!(self.outfit, Outfit::Blazer | Outfit::Hoodie);
        let sleeve = if long { p.outfit } else { p.skin };
        let sleeve_dark = if long { p.outfit_dark } else { p.skin_deep };
        // Sleeve up to just short of the wrist.
        let (vx, vy) = (w.0 - e.0, w.1 - e.1);
        let cuff = (e.0 + vx * 0.86, e.1 + vy * 0.86);
        line_in(pm, seg(e.0, e.1 + 40.0, cuff.0, cuff.1), sleeve_dark, 92.0, ts, clip);
        line_in(pm, seg(e.0, e.1 + 40.0, cuff.0, cuff.1), sleeve, 84.0, ts, clip);
        // A fold of shadow along the sleeve's inner side.
        let n = (vx * vx + vy * vy).sqrt().max(1.0);
        let (nx, ny) = (-vy / n * 22.0, vx / n * 22.0);
        line_in(pm, seg(e.0 + nx, e.1 + ny + 40.0, cuff.0 + nx * 0.8, cuff.1 + ny * 0.8), alpha(sleeve_dark, 0.45), 14.0, ts, clip);
        let hand_ts = ts
            .pre_concat(Transform::from_translate(w.0, w.1))
            .pre_concat(Transform::from_rotate(angle))
            .pre_concat(Transform::from_scale(if mirror { -HAND } else { HAND }, HAND));
        // Wrist, then the hand on top of the sleeve's end.
        line_in(pm, seg(0.0, 20.0, 0.0, -10.0), p.skin_deep, 46.0, hand_ts, clip);
        line_in(pm, seg(0.0, 20.0, 0.0, -10.0), p.skin, 40.0, hand_ts, clip);
        // A shirt cuff between the sleeve's end and the hand; none when the arm hangs so
        // straight that it would be a sliver (tiny-skia warns about the empty outline).
        let c0 = (e.0 + vx * 0.83, e.1 + vy * 0.83);
        if self.outfit == Outfit::Blazer && (cuff.0 - c0.0).hypot(cuff.1 - c0.1) > 0.5 {
            let band = Stroke { width: 62.0, line_cap: LineCap::Butt, ..Stroke::default() };
            if let Some(path) = seg(c0.0, c0.1, cuff.0, cuff.1) {
                pm.stroke_path(&path, &paint::solid(p.shirt), &band, ts, clip);
            }
        }
        draw_hand(pm, hand_ts, hand, p.skin, p.skin_deep, clip);
    }
}

/// A mouth centred on `centre` (canvas units, about 110 wide): lips around an opening in [`MOUTH_INTERIOR`], with upper teeth and tongue
/// taking fixed shares of it, so the interior's area grows with `open` at any width.
pub(crate) fn paint_mouth(pm: &mut PixmapMut<'_>, ts: Transform, m: MouthShape, centre: (f32, f32), lip: Color, lip_dark: Color) {
    let open = m.open.clamp(0.0, 1.0);
    let width = m.width.clamp(0.0, 1.0);
    let round = m.round.clamp(0.0, 1.0);
    let (cx, cy) = centre;
    let hw = 26.0 + 26.0 * width - 8.0 * round;
    let smile = 5.0 * (1.0 - round) * (1.0 - open * 0.6);
    let height = open * 62.0;
    let a_up = height * (0.22 + 0.08 * round);
    let a_down = height - a_up;
    // Rounder lips push the control points towards the corners: an O rather than a lens.
    let k = 0.55 + 0.4 * round;
    let lens = |hw: f32, up: f32, down: f32| {
        let (lx, rx, y) = (cx - hw, cx + hw, cy - smile);
        P::new()
            .m(lx, y)
            .c(cx - hw * k, cy - up * 1.333, cx + hw * k, cy - up * 1.333, rx, y)
            .c(cx + hw * k, cy + down * 1.333, cx - hw * k, cy + down * 1.333, lx, y)
            .z()
            .done()
    };
    // Lips: a rim around the opening, fuller below.
    fill(pm, lens(hw + 5.0, a_up + 4.5, a_down + 7.0), lip, ts);
    if height > 1.0 {
        let [r, g, b] = MOUTH_INTERIOR;
        fill(pm, lens(hw, a_up, a_down), rgb(r, g, b), ts);
        // Upper teeth: between the upper lip and a curve a fixed share lower.
        let teeth = (height * 0.3).min(11.0);
        let (lx, rx, y) = (cx - hw, cx + hw, cy - smile);
        let teeth_path = P::new()
            .m(lx, y)
            .c(cx - hw * k, cy - a_up * 1.333, cx + hw * k, cy - a_up * 1.333, rx, y)
            .c(cx + hw * k, cy + (teeth - a_up) * 1.333, cx - hw * k, cy + (teeth - a_up) * 1.333, lx, y)
            .z()
            .done();
        fill(pm, teeth_path, rgb(252, 249, 244), ts);
        if height > 4.0 {
            let tongue = a_down * 0.28 * (height / 20.0).min(1.0);
            let tongue_path = P::new()
                .m(lx, y)
                .c(cx - hw * k, cy + (a_down - tongue) * 1.333, cx + hw * k, cy + (a_down - tongue) * 1.333, rx, y)
                .c(cx + hw * k, cy + a_down * 1.333, cx - hw * k, cy + a_down * 1.333, lx, y)
                .z()
                .done();
            fill(pm, tongue_path, rgb(204, 86, 100), ts);
        }
    } else {
        line(pm, P::new().m(cx - hw - 2.0, cy - smile - 1.0).q(cx, cy + 3.0, cx + hw + 2.0, cy - smile - 1.0).done(), lip_dark, 3.5, ts);
    }
    // A highlight on the lower lip.
    line(pm, P::new().m(cx - hw * 0.3, cy + a_down + 5.5).q(cx, cy + a_down + 7.5, cx + hw * 0.3, cy + a_down + 5.5).done(), alpha(Color::WHITE, 0.35), 2.5, ts);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hand {
    Open,
    Point,
    ThumbUp,
}

type Capsule = ((f32, f32), (f32, f32), f32);

/// A hand in its own frame: wrist at the origin, fingers towards −y, thumb on the −x side.
/// Outlines are drawn under the fills so the gaps between fingers read as lines.
fn draw_hand(pm: &mut PixmapMut<'_>, ts: Transform, hand: Hand, skin: Color, edge: Color, clip: Option<&Mask>) {
    // Fingers and thumb: (from, to, width).
    let mut capsules: Vec<Capsule> = Vec::new();
    let palm: Option<Path>;
    match hand {
        Hand::Open => {
            palm = paint::rounded_rect(-32.0, -74.0, 64.0, 72.0, 24.0);
            for (x, len, spread) in [(-23.0, 42.0, -7.0), (-8.0, 50.0, -2.0), (8.0, 48.0, 2.0), (23.0, 38.0, 7.0)] {
                capsules.push(((x, -64.0), (x + spread, -64.0 - len), 14.0));
            }
            capsules.push(((-26.0, -26.0), (-56.0, -58.0), 17.0));
        }
        Hand::Point => {
            palm = paint::rounded_rect(-30.0, -64.0, 60.0, 62.0, 22.0);
            capsules.push(((-15.0, -58.0), (-15.0, -122.0), 16.0));
            for y in [-50.0, -35.0, -20.0] {
                capsules.push(((2.0, y), (24.0, y), 14.0));
            }
            capsules.push(((-28.0, -26.0), (-4.0, -40.0), 16.0));
        }
        Hand::ThumbUp => {
            palm = paint::rounded_rect(-34.0, -58.0, 64.0, 60.0, 22.0);
            for y in [-47.0, -33.0, -19.0, -5.0] {
                capsules.push(((-4.0, y), (28.0, y), 13.0));
            }
            capsules.push(((-22.0, -50.0), (-18.0, -104.0), 18.0));
        }
    }
    if let Some(pal) = &palm {
        let stroke = Stroke { width: 6.0, line_join: LineJoin::Round, ..Stroke::default() };
        pm.stroke_path(pal, &paint::solid(edge), &stroke, ts, clip);
    }
    for (a, b, w) in &capsules {
        line_in(pm, seg(a.0, a.1, b.0, b.1), edge, w + 5.0, ts, clip);
    }
    if let Some(pal) = palm {
        pm.fill_path(&pal, &paint::solid(skin), FillRule::Winding, ts, clip);
    }
    for (a, b, w) in &capsules {
        line_in(pm, seg(a.0, a.1, b.0, b.1), skin, *w, ts, clip);
    }
    // Knuckle lines on a fist.
    if hand != Hand::Open {
        for (a, b, _) in capsules.iter().filter(|c| (c.0.1 - c.1.1).abs() < 1.0) {
            line_in(pm, seg(a.0, a.1 + 7.0, b.0, b.1 + 7.0), alpha(edge, 0.6), 2.0, ts, clip);
        }
    }
}

/// A frame-sized mask open only inside `r`.
fn box_mask(w: u32, h: u32, r: Rect) -> Option<Mask> {
    let mut m = Mask::new(w, h)?;
    let rect = tiny_skia::Rect::from_xywh(r.x as f32, r.y as f32, r.w as f32, r.h as f32)?;
    m.fill_path(&PathBuilder::from_rect(rect), FillRule::Winding, false, Transform::identity());
    Some(m)
}

/// Two short strokes of light on the crown, as on glossy hair.
fn sheen(pm: &mut PixmapMut<'_>, ts: Transform, c: Color, y: f32) {
    line(pm, P::new().m(418.0, y + 14.0).q(440.0, y - 2.0, 470.0, y - 8.0).done(), alpha(c, 0.8), 7.0, ts);
    line(pm, P::new().m(488.0, y - 10.0).q(520.0, y - 12.0, 548.0, y - 2.0).done(), alpha(c, 0.55), 6.0, ts);
}

struct Pose {
    head_dx: f32,
    head_dy: f32,
    tilt: f32,
    body_dy: f32,
    gaze: (f32, f32),
    open: f32,
    brow: f32,
}
