//! The stage renderer: every video frame of a room, drawn in Rust on the CPU.
//!
//! **Owns**: the host rigs (the built-in illustrated host, layered PNG rigs, video-clip rigs),
//! lip-sync drawing from [`show::MouthShape`], idle life (breathing, blinks, glances), gestures
//! from [`show::Cue`]s, the product card (picture, name, price, discount, stock, QR code), the
//! subtitles with a karaoke highlight, the ticker, the offer countdown, the localized
//! "AI-generated host" label, the landscape and vertical layouts with platform-safe margins, and
//! the fonts that cover Latin, CJK, Thai, Arabic and emoji.
//!
//! **Must not touch**: audio, speech timing, encoding or streaming (the director hands each
//! frame to `broadcast`), and other stages. GStreamer is used only to decode a clip rig's clips
//! once at load; the per-frame path is plain memory work.
//!
//! A [`Stage`] is built once per room ([`Stage::new`] loads fonts, pictures and rigs and draws
//! everything that never changes), then [`Stage::render`] is called once per frame with the
//! show's state at that media time. Static layers (set, card per product, label, ticker bar,
//! host body parts) are sprites; text is rasterised once per string; only what moves is drawn
//! per frame.
//!
//! The host's mouth interior is drawn in exactly [`MOUTH_INTERIOR`] inside [`Layout::mouth`], so
//! tests (and the director's end-to-end check) can measure how open the mouth is from pixels.

mod card;
mod error;
#[cfg(test)]
mod fixtures;
mod host;
mod i18n;
mod layout;
mod motion;
mod overlay;
mod paint;
mod text;
mod theme;

use std::ops::Range;
use std::time::Instant;

use show::config::{Persona, StageConfig};
use show::{Cue, Locale, MouthShape, Product};
use tiny_skia::{Pixmap, PixmapMut};

pub use error::AvatarError;
pub use host::RigChoice;
pub use i18n::ai_label;
pub use layout::{CardSide, Layout, Rect};
pub use motion::blink;
pub use text::font_installed;

/// The one colour the host's mouth interior is drawn in (RGB): a dark red no other part of the
/// face uses. Its pixel count inside [`Layout::mouth`] grows with [`MouthShape::open`] and is
/// zero with the mouth closed.
pub const MOUTH_INTERIOR: [u8; 3] = [88, 16, 32];

/// Everything a stage needs to know before the first frame.
#[derive(Clone, Debug)]
pub struct StageSetup {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Currency format, label language, right-to-left layout.
    pub locale: Locale,
    /// The host's name and look.
    pub persona: Persona,
    /// The show's products, in show order.
    pub products: Vec<Product>,
    /// Label override, ticker lines, accent colour, background picture.
    pub stage: StageConfig,
    pub rig: RigChoice,
}

/// The show's state at one media time.
#[derive(Clone, Debug)]
pub struct FrameState<'a> {
    /// Media time in seconds; idle motion, breathing and blinks are pure functions of it.
    pub t: f64,
    /// Index into [`StageSetup::products`] of the product on the card.
    pub product: Option<usize>,
    /// The sentence being spoken, as displayed.
    pub subtitle: Option<&'a str>,
    /// Byte range in `subtitle` of the word being spoken (karaoke highlight).
    pub word: Option<Range<usize>>,
    /// The mouth, already smoothed by the caller ([`show::VisemeTrack::shape_at`]).
    pub mouth: MouthShape,
    pub speaking: bool,
    /// Seconds left of the offer countdown, if one runs.
    pub countdown: Option<f32>,
    /// A gesture cue and the seconds since it started.
    pub gesture: Option<(Cue, f32)>,
    pub look_at_card: bool,
}

impl FrameState<'static> {
    /// A silent host with nothing on screen but the set, at `t`.
    pub fn idle(t: f64) -> FrameState<'static> {
        FrameState {
            t,
            product: None,
            subtitle: None,
            word: None,
            mouth: MouthShape::REST,
            speaking: false,
            countdown: None,
            gesture: None,
            look_at_card: false,
        }
    }
}

/// What a piece of on-screen text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextRole {
    Label,
    Name,
    Price,
    CompareAt,
    Discount,
    Stock,
    /// Rating, reviews, units sold.
    Proof,
    Caption,
    Subtitle,
    Ticker,
    Countdown,
}

/// A text as laid out: the box it was given and the pixels its glyphs actually cover (frame
/// pixels). `ink` lies inside `rect` by construction; tests check it.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBox {
    pub role: TextRole,
    pub text: String,
    pub rect: Rect,
    pub ink: Option<Rect>,
}

/// A room's renderer. Build once, call [`Stage::render`] once per frame.
pub struct Stage {
    layout: Layout,
    locale: Locale,
    theme: theme::Theme,
    fonts: text::Fonts,
    base: Pixmap,
    label: TextBox,
    label_sprite: Pixmap,
    cards: Vec<Option<card::CardSprite>>,
    rig: host::Rig,
    subtitles: overlay::Subtitles,
    ticker: Option<overlay::Ticker>,
    countdown: overlay::Countdown,
    /// The product on the card and since when, for its entrance.
    card_shown: Option<(usize, f64)>,
    rendered_any: bool,
    warned_size: bool,
}

/// How long a new product card takes to slide in, in seconds.
const CARD_ENTRANCE: f64 = 0.35;

impl Stage {
    /// Loads fonts, pictures and the rig, and draws everything that does not change.
    pub fn new(setup: StageSetup) -> Result<Stage, AvatarError> {
        let StageSetup { width, height, fps: _, locale, persona, products, stage, rig } = setup;
        if !(64..=7680).contains(&width) || !(64..=7680).contains(&height) {
            return Err(AvatarError::Size { width, height, reason: "width and height must be between 64 and 7680" });
        }
        let started = Instant::now();
        let mut fonts = text::Fonts::new(&locale)?;
        let rtl = locale.is_rtl();
        let has_ticker = stage.ticker.iter().any(|l| !l.trim().is_empty());
        let mut layout = Layout::new(width, height, rtl, has_ticker);
        let theme = theme::Theme::new(stage.accent.as_deref(), &persona.look.accent);
        let mut base = theme::background(&layout, &theme, stage.background.as_deref())?;

        let label_text = stage.label.clone().filter(|l| !l.trim().is_empty()).unwrap_or_else(|| ai_label(&locale).to_string());
        let (label_sprite, pill, label) = overlay::label(&mut fonts, &label_text, &layout, &theme, rtl)
            .ok_or(AvatarError::Size { width, height, reason: "too small for the AI label" })?;
        layout.label = pill;
        let ticker = overlay::Ticker::new(&mut fonts, &stage.ticker, &layout, &theme, rtl, &mut base);

        let rig = match &rig {
            RigChoice::BuiltIn => host::Rig::BuiltIn(Box::new(host::builtin::BuiltIn::new(&persona.look, layout.host, layout.card_side))),
            RigChoice::Png(dir) => host::Rig::Png(host::png::PngRig::load(dir, layout.host)?),
            RigChoice::Clips(dir) => host::Rig::Clips(host::clips::ClipRig::load(dir, layout.host, layout.unit)?),
        };
        layout.mouth = rig.mouth_rect();

        let cards = products
            .iter()
            .map(|p| {
                let mut c = card::render(&mut fonts, p, &locale, &layout, &theme)?;
                c.flatten(&base, layout.host);
                Some(c)
            })
            .collect();
        tracing::info!(
            width,
            height,
            locale = %locale,
            products = products.len(),
            ms = started.elapsed().as_millis() as u64,
            "stage ready"
        );
        Ok(Stage {
            layout,
            locale,
            theme,
            fonts,
            base,
            label,
            label_sprite,
            cards,
            rig,
            subtitles: overlay::Subtitles::new(),
            ticker,
            countdown: overlay::Countdown::new(),
            card_shown: None,
            rendered_any: false,
            warned_size: false,
        })
    }

    /// Where everything is, in frame pixels.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Draws the frame for `state` into `out` (RGBA8, width × height × 4 bytes), overwriting
    /// every pixel; every pixel is opaque. A buffer of the wrong size is left untouched.
    pub fn render(&mut self, state: &FrameState<'_>, out: &mut [u8]) {
        let (w, h) = (self.layout.width, self.layout.height);
        if out.len() != self.base.data().len() {
            if !self.warned_size {
                tracing::error!(len = out.len(), width = w, height = h, "frame buffer has the wrong size: nothing drawn");
                self.warned_size = true;
            }
            return;
        }
        out.copy_from_slice(self.base.data());
        let Some(mut pm) = PixmapMut::from_bytes(out, w, h) else { return };
        let host_state = host::HostState {
            t: state.t,
            mouth: state.mouth,
            speaking: state.speaking,
            gesture: state.gesture,
            look_at_card: state.look_at_card,
        };
        // The host stands behind the card (in vertical layouts the card covers the host's waist).
        self.rig.draw(&mut pm, &host_state);
        self.draw_card(&mut pm, state);
        if let Some(text) = state.subtitle.filter(|s| !s.trim().is_empty()) {
            let sub = self.subtitles.get(&mut self.fonts, text, &self.layout, &self.theme);
            sub.draw(&mut pm, state.word.as_ref(), &self.theme, self.layout.unit);
        }
        if let Some(secs) = state.countdown.filter(|s| *s > 0.0) {
            self.countdown.draw(&mut self.fonts, &mut pm, secs, &self.layout, &self.theme, &self.locale);
        }
        if let Some(t) = &self.ticker {
            t.draw(&mut pm, state.t);
        }
        // Last, so nothing covers it.
        paint::blit(&mut pm, self.label_sprite.as_ref(), self.layout.label.x, self.layout.label.y, None);
        self.rendered_any = true;
    }

    fn draw_card(&mut self, pm: &mut PixmapMut<'_>, state: &FrameState<'_>) {
        let Some(i) = state.product.filter(|i| *i < self.cards.len()) else {
            self.card_shown = None;
            return;
        };
        let since = match self.card_shown {
            Some((shown, since)) if shown == i && state.t >= since => since,
            // A new product slides in; the first card of a stage is simply there.
            Some(_) => state.t,
            None if self.rendered_any => state.t,
            None => state.t - CARD_ENTRANCE,
        };
        self.card_shown = Some((i, since));
        let Some(card) = &self.cards[i] else { return };
        let a = motion::smooth((state.t - since) / CARD_ENTRANCE) as f32;
        match &card.opaque {
            // Settled, and clear of the host: a plain copy of the card on its set.
            Some(flat) if a >= 1.0 => paint::copy(pm, flat.as_ref(), card.x, card.y),
            _ => {
                let dy = ((1.0 - a) * 24.0 * self.layout.unit).round() as i32;
                paint::blit_faded(pm, card.pixmap.as_ref(), card.x, card.y + dy, a, None);
            }
        }
    }

    /// Sets a sentence's subtitle ahead of time (shaping and rasterising takes a few
    /// milliseconds), so the frame that first shows it costs no more than the others. The last
    /// few sentences are kept.
    pub fn prepare_subtitle(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.subtitles.get(&mut self.fonts, text, &self.layout, &self.theme);
        }
    }

    /// Every text the frame for `state` shows, with its box and inked pixels (frame pixels).
    pub fn text_boxes(&mut self, state: &FrameState<'_>) -> Vec<TextBox> {
        let mut out = vec![self.label.clone()];
        if let Some(Some(card)) = state.product.and_then(|i| self.cards.get(i)) {
            out.extend(card.texts.iter().cloned());
        }
        if let Some(text) = state.subtitle.filter(|s| !s.trim().is_empty()) {
            let sub = self.subtitles.get(&mut self.fonts, text, &self.layout, &self.theme);
            out.push(TextBox { role: TextRole::Subtitle, text: text.to_string(), rect: sub.rect, ink: sub.ink });
        }
        if let Some(secs) = state.countdown.filter(|s| *s > 0.0) {
            out.push(self.countdown.text_box(&mut self.fonts, secs, &self.layout, &self.theme, &self.locale));
        }
        if let Some(t) = &self.ticker {
            out.push(t.text_box());
        }
        out
    }
}

/// Per-frame render times of [`bench_render`]: wall-clock (what a stream sees) and the thread's
/// CPU time.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderStats {
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    pub median_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
    /// The same, counting only the CPU time of the rendering thread (steady on a busy machine).
    pub cpu_median_ms: f64,
    pub cpu_p99_ms: f64,
    /// Time to build the stage (fonts, pictures, sprites), in milliseconds.
    pub setup_ms: f64,
}

/// Renders `frames` frames of a realistic, changing show (speaking with visemes, a new
/// subtitle every ~3 s with its word highlight, a running countdown, gestures, product
/// changes) on the calling thread and reports the per-frame times.
pub fn bench_render(setup: StageSetup, frames: usize) -> Result<RenderStats, AvatarError> {
    let (w, h) = (setup.width, setup.height);
    let fps = f64::from(setup.fps.max(1));
    let products = setup.products.len();
    let started = Instant::now();
    let mut stage = Stage::new(setup)?;
    let setup_ms = started.elapsed().as_secs_f64() * 1e3;
    let sentences = [
        "Welcome back, everyone! Today's deal is one you really don't want to miss.",
        "Look at this finish — it's soft, light, and it goes with everything.",
        "Only a few left at this price, so tap the cart now!",
        "限时特价，今天下单还送小礼物！",
        "And the best part? Free shipping on every order today.",
    ];
    let visemes = show::Viseme::ALL;
    let mut out = vec![0u8; (w * h * 4) as usize];
    let mut times = Vec::with_capacity(frames);
    let mut cpu = Vec::with_capacity(frames);
    for f in 0..frames {
        let t = f as f64 / fps;
        let si = (t / 3.0) as usize;
        let sentence = sentences[si % sentences.len()];
        let words: Vec<Range<usize>> = word_ranges(sentence);
        let into = (t % 3.0) / 3.0;
        let word = words.get(((into * words.len() as f64) as usize).min(words.len().saturating_sub(1))).cloned();
        let speaking = into < 0.85;
        let v = visemes[((t * 11.0) as usize * 7 + si) % visemes.len()];
        let mouth = if speaking { MouthShape::REST.lerp(v.shape(), ((t * 11.0).fract() * 2.0).min(1.0) as f32) } else { MouthShape::REST };
        let gesture_at = (t / 5.0).floor() * 5.0;
        let cues = [Cue::Point, Cue::Wave, Cue::OpenPalms, Cue::ThumbsUp];
        let state = FrameState {
            t,
            product: (products > 0).then(|| (t / 20.0) as usize % products),
            subtitle: Some(sentence),
            word: if speaking { word } else { None },
            mouth,
            speaking,
            countdown: Some((300.0 - t as f32).max(1.0)),
            gesture: Some((cues[(t / 5.0) as usize % cues.len()], (t - gesture_at) as f32)),
            look_at_card: (t % 7.0) > 5.0,
        };
        let (t0, c0) = (Instant::now(), thread_cpu_ms());
        stage.render(&state, &mut out);
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        cpu.push(thread_cpu_ms() - c0);
    }
    if times.is_empty() {
        return Ok(RenderStats { width: w, height: h, frames: 0, median_ms: 0.0, p99_ms: 0.0, mean_ms: 0.0, max_ms: 0.0, cpu_median_ms: 0.0, cpu_p99_ms: 0.0, setup_ms });
    }
    let mean_ms = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let pick = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Ok(RenderStats {
        width: w,
        height: h,
        frames,
        median_ms: pick(&times, 0.5),
        p99_ms: pick(&times, 0.99),
        mean_ms,
        max_ms: times[times.len() - 1],
        cpu_median_ms: pick(&cpu, 0.5),
        cpu_p99_ms: pick(&cpu, 0.99),
        setup_ms,
    })
}

/// CPU time of the calling thread, in milliseconds: frame costs that do not count the time
/// other processes held the core.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// Byte ranges of the space-separated words of `s` (CJK text without spaces: one per char).
fn word_ranges(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let cjk = ('\u{3000}'..='\u{9fff}').contains(&c);
        if c.is_whitespace() || cjk {
            if let Some(st) = start.take() {
                out.push(st..i);
            }
            if cjk {
                out.push(i..i + c.len_utf8());
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(st..s.len());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stage_can_move_to_a_render_thread() {
        fn send<T: Send>() {}
        send::<super::Stage>();
    }

    #[test]
    fn words_for_the_bench() {
        let s = "Hi there 限时";
        let w: Vec<&str> = super::word_ranges(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(w, ["Hi", "there", "限", "时"]);
    }
}
