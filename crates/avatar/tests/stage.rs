//! The stage with real fonts, real pictures and the real rig fixtures: lip-sync measurability,
//! layout limits, blinks, gestures, overlays.

use std::ops::Range;
use std::path::PathBuf;

use avatar::{FrameState, Layout, MOUTH_INTERIOR, Rect, RigChoice, Stage, StageSetup, TextRole, ai_label, blink};
use show::config::{Look, Persona, StageConfig};
use show::{Cue, Locale, Money, MouthShape, Product, Variant, Viseme};

fn usd(minor: i64) -> Money {
    Money::new(minor, show::Currency::USD)
}

fn product(id: &str, title: &str, price: i64, was: Option<i64>, stock: Option<i64>) -> Product {
    Product {
        id: id.into(),
        title: title.into(),
        vendor: None,
        product_type: None,
        tags: vec![],
        description: String::new(),
        points: vec![],
        variants: vec![Variant {
            title: "Default Title".into(),
            options: vec![],
            sku: None,
            price: usd(price),
            compare_at: was.map(usd),
            inventory: stock,
            image: None,
        }],
        images: vec![],
        url: Some(format!("https://shop.example.com/products/{id}")),
        proof: Default::default(),
        line: 1,
    }
}

fn persona() -> Persona {
    Persona { name: "Mia".into(), tone: Default::default(), catchphrases: vec![], intro: None, look: Look::default() }
}

fn setup(w: u32, h: u32, locale: &str, products: Vec<Product>) -> StageSetup {
    StageSetup {
        width: w,
        height: h,
        fps: 30,
        locale: Locale::parse(locale).unwrap(),
        persona: persona(),
        products,
        stage: StageConfig {
            label: None,
            ticker: vec!["Free shipping over $35".into(), "30-day returns".into()],
            accent: None,
            background: None,
            ..StageConfig::default()
        },
        rig: RigChoice::BuiltIn,
    }
}

fn rigs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rigs")
}

fn frame(stage: &mut Stage, state: &FrameState<'_>) -> Vec<u8> {
    let l = stage.layout();
    let mut out = vec![0u8; (l.width * l.height * 4) as usize];
    stage.render(state, &mut out);
    out
}

fn px(frame: &[u8], width: u32, x: i32, y: i32) -> [u8; 3] {
    let i = ((y as u32 * width + x as u32) * 4) as usize;
    [frame[i], frame[i + 1], frame[i + 2]]
}

/// Pixels of exactly `MOUTH_INTERIOR` inside `r`.
fn interior(frame: &[u8], width: u32, r: Rect) -> usize {
    let mut n = 0;
    for y in r.y..r.bottom() {
        for x in r.x..r.right() {
            if px(frame, width, x, y) == MOUTH_INTERIOR {
                n += 1;
            }
        }
    }
    n
}

/// Mouth-interior-like pixels inside `r` in decoded video, where compression moves colours:
/// a dark, strongly red pixel (lips, hair and skin shadows are not).
fn dark_red(frame: &[u8], width: u32, r: Rect) -> usize {
    let mut n = 0;
    for y in r.y..r.bottom() {
        for x in r.x..r.right() {
            let [red, g, b] = px(frame, width, x, y).map(i32::from);
            if (45..=140).contains(&red) && g <= 55 && b <= 75 && red * 10 >= g * 18 {
                n += 1;
            }
        }
    }
    n
}

/// Pixels within `tol` of `MOUTH_INTERIOR` (per channel) inside `r`.
fn near_interior(frame: &[u8], width: u32, r: Rect, tol: i32) -> usize {
    let mut n = 0;
    for y in r.y..r.bottom() {
        for x in r.x..r.right() {
            let p = px(frame, width, x, y);
            if (0..3).all(|c| (i32::from(p[c]) - i32::from(MOUTH_INTERIOR[c])).abs() <= tol) {
                n += 1;
            }
        }
    }
    n
}

fn speaking(t: f64, mouth: MouthShape) -> FrameState<'static> {
    let mut s = FrameState::idle(t);
    s.mouth = mouth;
    s.speaking = true;
    s
}

#[test]
fn mouth_interior_grows_with_opening_and_vanishes_when_closed() {
    for (w, h) in [(640, 360), (1280, 720), (720, 1280)] {
        let mut stage = Stage::new(setup(w, h, "en-US", vec![])).unwrap();
        let mouth = stage.layout().mouth;
        assert!(!mouth.is_empty() && stage.layout().host.contains(&mouth));
        for (width, round) in [(0.5, 0.0), (0.3, 0.8), (0.85, 0.0), (0.15, 1.0)] {
            let mut last = 0;
            let mut counts = Vec::new();
            for step in 0..=20 {
                let open = step as f32 / 20.0;
                let f = frame(&mut stage, &speaking(7.3, MouthShape { open, width, round }));
                let n = interior(&f, w, mouth);
                // Non-decreasing, allowing one pixel of anti-aliasing jitter.
                assert!(n + 1 >= last, "{w}x{h} width {width} round {round}: {n} px at open {open} after {last}: {counts:?}");
                last = last.max(n);
                counts.push(n);
            }
            assert!(counts[0] == 0, "{w}x{h}: closed mouth shows {} interior px", counts[0]);
            let full = counts[18];
            // Pursed lips (pucker) open least.
            let min_full = (w.min(h) as usize * w.min(h) as usize) / if width < 0.2 { 2000 } else { 1400 };
            assert!(full > min_full, "{w}x{h} width {width} round {round}: only {full} px wide open (want > {min_full}): {counts:?}");
            assert!(counts[6] > 0 && counts[6] < full, "{counts:?}");
        }
        // Rest and the lips-pressed viseme show no interior at all, at any time.
        for t in [0.0, 1.7, 4.2, 9.9] {
            for v in [Viseme::Rest, Viseme::Closed] {
                let f = frame(&mut stage, &speaking(t, v.shape()));
                assert_eq!(interior(&f, w, mouth), 0, "{w}x{h} {v:?} at {t}");
            }
            let f = frame(&mut stage, &FrameState::idle(t));
            assert_eq!(interior(&f, w, mouth), 0, "{w}x{h} silent at {t}");
        }
    }
}

#[test]
fn mouth_colour_appears_only_in_the_mouth_box() {
    let mut stage = Stage::new(setup(1280, 720, "en-US", vec![product("a", "Stoneware Mug", 1490, Some(2490), Some(9))])).unwrap();
    let l = stage.layout().clone();
    for (i, v) in Viseme::ALL.iter().enumerate() {
        let mut s = speaking(i as f64 * 0.77, v.shape());
        s.product = Some(0);
        s.subtitle = Some("Only nine left!");
        s.gesture = Some(([Cue::Point, Cue::Wave, Cue::OpenPalms, Cue::ThumbsUp][i % 4], 1.0));
        let f = frame(&mut stage, &s);
        let all = interior(&f, 1280, l.frame());
        let inside = interior(&f, 1280, l.mouth);
        assert_eq!(all, inside, "{v:?}: the mouth colour leaks outside the mouth box");
    }
}

#[test]
fn at_least_eight_distinct_mouth_shapes() {
    let mut stage = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    let m = stage.layout().mouth;
    let crops: Vec<Vec<[u8; 3]>> = Viseme::ALL
        .iter()
        .map(|v| {
            let f = frame(&mut stage, &speaking(2.0, v.shape()));
            let mut c = Vec::new();
            for y in m.y..m.bottom() {
                for x in m.x..m.right() {
                    c.push(px(&f, 1280, x, y));
                }
            }
            c
        })
        .collect();
    // Group visemes whose mouths differ in fewer than 40 pixels.
    let mut groups: Vec<usize> = Vec::new();
    for (i, c) in crops.iter().enumerate() {
        let same = groups.iter().any(|&g| crops[g].iter().zip(c).filter(|(a, b)| a != b).count() < 40);
        if !same {
            groups.push(i);
        }
    }
    assert!(groups.len() >= 8, "only {} distinct mouths", groups.len());
}

#[test]
fn blinks_are_short_regular_and_deterministic() {
    // Find every span with the eyes fully shut over two minutes, in 1 ms steps.
    let mut spans: Vec<(f64, f64)> = Vec::new();
    let mut start = None;
    for ms in 0..120_000 {
        let t = ms as f64 / 1000.0;
        let shut = blink(t) >= 0.999;
        match (shut, start) {
            (true, None) => start = Some(t),
            (false, Some(s)) => {
                spans.push((s, t));
                start = None;
            }
            _ => {}
        }
        assert_eq!(blink(t), blink(t));
    }
    assert!(spans.len() >= 20 && spans.len() <= 60, "{} blinks in two minutes", spans.len());
    for (s, e) in &spans {
        let ms = (e - s) * 1000.0;
        assert!((110.0..=130.0).contains(&ms), "eyes shut for {ms} ms at {s}");
    }
    let longest_gap = spans.windows(2).map(|w| w[1].0 - w[0].1).fold(0.0, f64::max);
    assert!(longest_gap < 8.0, "no blink for {longest_gap} s");

    // The eyes' whites disappear from the frame while shut.
    let mut stage = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    let host = stage.layout().host;
    let whites = |f: &[u8]| {
        let mut n = 0;
        for y in host.y..host.y + host.h / 2 {
            for x in host.x..host.right() {
                if px(f, 1280, x, y) == [252, 250, 248] {
                    n += 1;
                }
            }
        }
        n
    };
    let (s, e) = spans[3];
    let shut = frame(&mut stage, &FrameState::idle((s + e) / 2.0));
    let open = frame(&mut stage, &FrameState::idle(e + 0.5));
    assert!(whites(&open) > 100 && whites(&shut) == 0, "open {} shut {}", whites(&open), whites(&shut));
}

fn catalog() -> Vec<Product> {
    let long = "Ultra-Soft Organic Cotton Oversized Weekend Hoodie with Kangaroo Pocket, Ribbed Cuffs and Extra-Long Drawstrings";
    assert!(long.chars().count() >= 110);
    let long120 = format!("{long} 2026 ed.");
    let mut p = vec![
        product("long", &long120, 4990, Some(7990), Some(7)),
        product("cjk", "超柔软有机棉宽松连帽卫衣，带袋鼠口袋和加长抽绳，周末居家出行两用，秋冬加厚保暖款，多色可选，男女同款情侣装", 12900, Some(19900), Some(0)),
        product("ar", "سترة قطنية عضوية فائقة النعومة بقلنسوة وجيب أمامي وأساور مضلعة وأربطة طويلة إضافية لعطلة نهاية الأسبوع", 9900, None, Some(30)),
        product("short", "Mug", 990, None, None),
        product("thai", "เสื้อฮู้ดผ้าฝ้ายออร์แกนิกนุ่มพิเศษ ทรงโอเวอร์ไซส์ พร้อมกระเป๋าหน้าและเชือกยาวพิเศษ", 59000, Some(89000), Some(3)),
        product("emoji", "Cozy Hoodie 🔥 Best Seller 🛍️ Limited Drop ✨", 3990, Some(5990), Some(50)),
    ];
    p[0].proof.rating = Some(4.8);
    p[0].proof.reviews = Some(1312);
    p[0].proof.sold = Some(20140);
    p[3].url = None;
    p[3].images = vec!["https://cdn.example.com/mug.jpg".into()];
    p[4].images = vec!["/nonexistent/picture.png".into()];
    p
}

#[test]
fn no_text_leaves_its_box_or_the_safe_area() {
    let sentence = "Everything must go today: 40% off the hoodie, the mug and the lamp — tap the cart now before the timer runs out!";
    for (w, h) in [(1280, 720), (720, 1280), (640, 360), (1080, 1920)] {
        for locale in ["en-US", "zh-CN", "ar-SA", "th-TH"] {
            let products = catalog();
            let n = products.len();
            let mut stage = Stage::new(setup(w, h, locale, products)).unwrap();
            let l: Layout = stage.layout().clone();
            assert!(l.host_share() <= 0.5, "{w}x{h}: host covers {}", l.host_share());
            for i in 0..n {
                let mut s = FrameState::idle(3.0);
                s.product = Some(i);
                s.subtitle = Some(sentence);
                s.countdown = Some(3599.0);
                let boxes = stage.text_boxes(&s);
                for role in [TextRole::Label, TextRole::Name, TextRole::Price, TextRole::Subtitle, TextRole::Countdown, TextRole::Ticker] {
                    assert!(boxes.iter().any(|b| b.role == role), "{w}x{h} {locale} #{i}: no {role:?}");
                }
                for b in &boxes {
                    assert!(l.safe.contains(&b.rect), "{w}x{h} {locale} #{i}: {:?} box {:?} leaves the safe area {:?}", b.role, b.rect, l.safe);
                    let ink = b.ink.unwrap_or_else(|| panic!("{w}x{h} {locale} #{i}: {:?} {:?} draws nothing", b.role, b.text));
                    assert!(b.rect.contains(&ink), "{w}x{h} {locale} #{i}: {:?} {:?} ink {ink:?} leaves its box {:?}", b.role, b.text, b.rect);
                }
                // By pixels: the card changes nothing outside the card's own area and shadow
                // (rendered after its entrance has settled).
                frame(&mut stage, &s);
                s.t = 3.5;
                let with = frame(&mut stage, &s);
                assert!(with != frame(&mut stage, &FrameState { product: None, ..s.clone() }), "{w}x{h} {locale} #{i}: no card drawn");
                s.product = None;
                let without = frame(&mut stage, &s);
                let margin = (26.0 * l.unit).round() as i32 + 1;
                let card_area = l.card.inset(-margin);
                for y in 0..h as i32 {
                    for x in 0..w as i32 {
                        if !card_area.contains_point(x, y) {
                            assert_eq!(px(&with, w, x, y), px(&without, w, x, y), "{w}x{h} {locale} #{i}: card pixel at {x},{y}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_host_draws_only_inside_its_box() {
    for (w, h, locale) in [(1280, 720, "en-US"), (720, 1280, "en-US"), (1280, 720, "ar-SA"), (640, 360, "en-US")] {
        let mut st = setup(w, h, locale, vec![]);
        st.stage.ticker.clear();
        for hair in ["bob", "long", "bun", "short", "curly"] {
            st.persona.look.hair_style = hair.into();
            st.persona.look.outfit = ["blazer", "tee", "hoodie", "dress", "blazer"][hair.len() % 5].into();
            let mut stage = Stage::new(st.clone()).unwrap();
            let host = stage.layout().host;
            let reference = frame(&mut stage, &FrameState::idle(0.0));
            // Different times, mouths and gestures change the host and nothing else.
            for (k, cue) in [None, Some(Cue::Point), Some(Cue::Wave), Some(Cue::OpenPalms), Some(Cue::ThumbsUp)].into_iter().enumerate() {
                for since in [0.15, 1.0, 2.0] {
                    let mut s = speaking(k as f64 * 1.37 + f64::from(since), Viseme::Open.shape());
                    s.gesture = cue.map(|c| (c, since));
                    s.look_at_card = k % 2 == 0;
                    let f = frame(&mut stage, &s);
                    for y in 0..h as i32 {
                        for x in 0..w as i32 {
                            if !host.contains_point(x, y) {
                                assert_eq!(px(&f, w, x, y), px(&reference, w, x, y), "{w}x{h} {hair} {cue:?}: pixel {x},{y} outside {host:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn frames_are_opaque_complete_and_repeatable() {
    let mut stage = Stage::new(setup(1280, 720, "en-US", catalog())).unwrap();
    let mut s = speaking(5.5, Viseme::Wide.shape());
    s.product = Some(0);
    s.subtitle = Some("Hello shoppers!");
    s.word = Some(0..5);
    s.countdown = Some(61.0);
    let mut a = vec![0x5Au8; 1280 * 720 * 4];
    stage.render(&s, &mut a);
    assert!(a.chunks_exact(4).all(|p| p[3] == 255), "every pixel is opaque");
    let mut b = vec![0u8; 1280 * 720 * 4];
    stage.render(&s, &mut b);
    assert!(a == b, "the same state draws the same frame");
    // A buffer of the wrong size is refused without a panic.
    let mut small = vec![7u8; 16];
    stage.render(&s, &mut small);
    assert_eq!(small, vec![7u8; 16]);
}

fn word(s: &str, w: &str) -> Range<usize> {
    let i = s.find(w).unwrap();
    i..i + w.len()
}

#[test]
fn karaoke_highlights_the_spoken_word() {
    let mut stage = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    let accent = [255, 209, 102];
    let sentence = "Grab yours before the timer runs out";
    let mut s = speaking(1.0, Viseme::Open.shape());
    s.subtitle = Some(sentence);
    let plain = frame(&mut stage, &s);
    let boxes = stage.text_boxes(&s);
    let sub = boxes.iter().find(|b| b.role == TextRole::Subtitle).unwrap().rect;
    let count_accent = |f: &[u8], x0: i32, x1: i32| {
        let mut n = 0;
        for y in sub.y..sub.bottom() {
            for x in x0..x1 {
                if px(f, 1280, x, y) == accent {
                    n += 1;
                }
            }
        }
        n
    };
    assert_eq!(count_accent(&plain, sub.x, sub.right()), 0);
    s.word = Some(word(sentence, "Grab"));
    let first = frame(&mut stage, &s);
    s.word = Some(word(sentence, "out"));
    let last = frame(&mut stage, &s);
    let mid = sub.x + sub.w / 2;
    // The first word lights up on the left, the last on the right.
    assert!(count_accent(&first, sub.x, mid) > 200 && count_accent(&first, mid, sub.right()) == 0);
    assert!(count_accent(&last, mid, sub.right()) > 150 && count_accent(&last, sub.x, mid) == 0);
    // Nothing outside the subtitle box changes.
    let host = stage.layout().host;
    for y in 0..720 {
        for x in 0..1280 {
            if !sub.contains_point(x, y) && !host.contains_point(x, y) {
                assert_eq!(px(&first, 1280, x, y), px(&plain, 1280, x, y));
            }
        }
    }
}

#[test]
fn the_ai_label_is_localized_visible_and_overridable() {
    for (locale, text) in [("en-US", "AI-generated host"), ("es-MX", "Presentador generado por IA"), ("zh-CN", "AI 生成主播"), ("ar-EG", ai_label(&Locale::parse("ar").unwrap()))] {
        let mut stage = Stage::new(setup(1280, 720, locale, vec![])).unwrap();
        let label = stage.text_boxes(&FrameState::idle(0.0)).into_iter().find(|b| b.role == TextRole::Label).unwrap();
        assert_eq!(label.text, text);
        let ink = label.ink.expect("label draws");
        assert!(ink.w > 60 && ink.h > 8, "{locale}: {ink:?}");
    }
    let mut st = setup(720, 1280, "en-US", vec![]);
    st.stage.label = Some("Virtual presenter (AI)".into());
    let mut stage = Stage::new(st).unwrap();
    let boxes = stage.text_boxes(&FrameState::idle(0.0));
    assert_eq!(boxes[0].text, "Virtual presenter (AI)");
    // Drawn over the host: the pixels in the label box are the label's whatever the host does.
    let l = stage.layout().label;
    let a = frame(&mut stage, &FrameState::idle(0.0));
    let b = frame(&mut stage, &speaking(3.3, Viseme::Open.shape()));
    for y in l.y..l.bottom() {
        for x in l.x..l.right() {
            assert_eq!(px(&a, 720, x, y), px(&b, 720, x, y));
        }
    }
}

#[test]
fn right_to_left_markets_mirror_the_set() {
    let mut stage = Stage::new(setup(1280, 720, "ar-SA", catalog())).unwrap();
    let l = stage.layout().clone();
    assert!(l.rtl && l.card.x < l.host.x, "card {:?} should be left of host {:?}", l.card, l.host);
    let mut s = FrameState::idle(0.0);
    s.product = Some(0);
    let boxes = stage.text_boxes(&s);
    let price = boxes.iter().find(|b| b.role == TextRole::Price).unwrap();
    assert_eq!(price.text, "49.90\u{a0}US$");
    // The price starts from the card's right edge.
    assert!(price.rect.right() > l.card.x + l.card.w / 2, "{:?} in {:?}", price.rect, l.card);
}

#[test]
fn card_shows_price_discount_stock_and_placeholders() {
    let mut stage = Stage::new(setup(1280, 720, "es-ES", catalog())).unwrap();
    let mut s = FrameState::idle(0.0);
    let texts = |stage: &mut Stage, s: &FrameState<'_>, role: TextRole| -> Vec<String> {
        stage.text_boxes(s).into_iter().filter(|b| b.role == role).map(|b| b.text).collect()
    };
    s.product = Some(0);
    assert_eq!(texts(&mut stage, &s, TextRole::Price), ["49,90\u{a0}US$"]);
    assert_eq!(texts(&mut stage, &s, TextRole::CompareAt), ["79,90\u{a0}US$"]);
    assert_eq!(texts(&mut stage, &s, TextRole::Discount), ["-37\u{a0}%"]);
    assert_eq!(texts(&mut stage, &s, TextRole::Stock), ["¡Solo quedan 7!"]);
    assert_eq!(texts(&mut stage, &s, TextRole::Proof), ["4,8 (1312) · 20.140 vendidos"]);
    s.product = Some(1);
    assert_eq!(texts(&mut stage, &s, TextRole::Stock), ["Agotado"]);
    // A remote image and a missing file both give a card, not an error.
    for i in [3, 4] {
        s.product = Some(i);
        let f = frame(&mut stage, &s);
        assert!(f.chunks_exact(4).all(|p| p[3] == 255));
        assert!(texts(&mut stage, &s, TextRole::Name).len() == 1);
    }
    s.product = Some(3);
    assert!(texts(&mut stage, &s, TextRole::Stock).is_empty() && texts(&mut stage, &s, TextRole::Discount).is_empty());
}

#[test]
fn countdown_counts_down_in_minutes_and_seconds() {
    let mut stage = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    let mut s = FrameState::idle(0.0);
    for (secs, shown) in [(299.4, "Ends in 05:00"), (61.0, "Ends in 01:01"), (0.2, "Ends in 00:01")] {
        s.countdown = Some(secs);
        let b = stage.text_boxes(&s).into_iter().find(|b| b.role == TextRole::Countdown).unwrap();
        assert_eq!(b.text, shown);
        assert!(stage.layout().countdown.contains(&b.rect));
    }
    s.countdown = None;
    assert!(stage.text_boxes(&s).iter().all(|b| b.role != TextRole::Countdown));
}

#[test]
fn looks_change_the_host() {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for (hair, outfit, skin) in [("bob", "blazer", "#e8b894"), ("long", "dress", "#8d5524"), ("bun", "tee", "#f1c7a5"), ("curly", "hoodie", "#c68642")] {
        let mut st = setup(640, 360, "en-US", vec![]);
        st.persona.look.hair_style = hair.into();
        st.persona.look.outfit = outfit.into();
        st.persona.look.skin = skin.into();
        let mut stage = Stage::new(st).unwrap();
        let f = frame(&mut stage, &FrameState::idle(1.0));
        assert!(seen.iter().all(|o| o.iter().zip(&f).filter(|(a, b)| a != b).count() > 2000), "{hair}/{outfit} looks like another look");
        seen.push(f);
    }
}

#[test]
fn png_rig_renders_blinks_and_lip_syncs() {
    let mut st = setup(1280, 720, "en-US", vec![]);
    st.rig = RigChoice::Png(rigs().join("pip"));
    let mut stage = Stage::new(st).unwrap();
    let mouth = stage.layout().mouth;
    assert!(stage.layout().host.contains(&mouth));
    let rest = frame(&mut stage, &speaking(0.5, MouthShape::REST));
    let open = frame(&mut stage, &speaking(0.5, Viseme::Open.shape()));
    let round = frame(&mut stage, &speaking(0.5, Viseme::Round.shape()));
    // Layers are resampled to the stage once, so allow the colour a step of rounding.
    let (rest, open, round) = (near_interior(&rest, 1280, mouth, 2), near_interior(&open, 1280, mouth, 2), near_interior(&round, 1280, mouth, 2));
    assert_eq!(rest, 0);
    assert!(open > round && round > 100, "open {open} round {round}");
    // Blinks swap the eye layer.
    let shut_t = (0..20_000).map(|ms| ms as f64 / 1000.0).find(|t| blink(*t) >= 0.999).unwrap();
    let shut = frame(&mut stage, &FrameState::idle(shut_t));
    let open_eyes = frame(&mut stage, &FrameState::idle(shut_t + 0.4));
    let navy = |f: &[u8]| f.chunks_exact(4).filter(|p| p[..3].iter().zip([29, 53, 87]).all(|(a, b)| (i32::from(*a) - b).abs() <= 2)).count();
    assert!(navy(&open_eyes) > navy(&shut) + 500, "{} vs {}", navy(&open_eyes), navy(&shut));
    // A gesture layer appears while its cue runs.
    let mut wave = speaking(0.5, MouthShape::REST);
    wave.gesture = Some((Cue::Wave, 1.0));
    let waving = frame(&mut stage, &wave);
    let still = frame(&mut stage, &speaking(0.5, MouthShape::REST));
    assert!(waving.iter().zip(&still).filter(|(a, b)| a != b).count() > 10_000);
}

fn copy_rig(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(rigs().join(name)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    dir
}

#[test]
fn broken_png_rigs_name_what_is_wrong() {
    let err = |dir: &std::path::Path| {
        let mut st = setup(640, 360, "en-US", vec![]);
        st.rig = RigChoice::Png(dir.to_path_buf());
        match Stage::new(st) {
            Ok(_) => panic!("a broken rig loaded"),
            Err(e) => e.to_string(),
        }
    };
    let d = copy_rig("pip");
    std::fs::remove_file(d.path().join("mouth_open.png")).unwrap();
    let e = err(d.path());
    assert!(e.contains("`mouths.open`") && e.contains("mouth_open.png"), "{e}");

    let d = copy_rig("pip");
    let toml = std::fs::read_to_string(d.path().join("rig.toml")).unwrap();
    let without: String = toml.lines().filter(|l| !l.starts_with("eyes_closed")).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.path().join("rig.toml"), without).unwrap();
    let e = err(d.path());
    assert!(e.contains("`eyes_closed`"), "{e}");

    let d = copy_rig("pip");
    std::fs::write(d.path().join("rig.toml"), "canvas = [600, 720\n").unwrap();
    let e = err(d.path());
    assert!(e.contains("rig.toml") && e.contains("not valid"), "{e}");

    let d = copy_rig("pip");
    std::fs::write(d.path().join("head.png"), b"not a png").unwrap();
    let e = err(d.path());
    assert!(e.contains("`head`"), "{e}");
}

#[test]
fn clip_rig_switches_to_talking_loops() {
    let mut st = setup(1280, 720, "en-US", vec![]);
    st.rig = RigChoice::Clips(rigs().join("clip-host"));
    let mut stage = Stage::new(st).unwrap();
    let mouth = stage.layout().mouth;
    assert!(stage.layout().host.contains(&mouth) && !mouth.is_empty());
    // Silent for 3 s, then speaking for 4 s, frame by frame as the director would.
    let mut silent = Vec::new();
    let mut talking = Vec::new();
    for f in 0..(7 * 30) {
        let t = f as f64 / 30.0;
        let s = if t < 3.0 { FrameState::idle(t) } else { speaking(t, Viseme::Open.shape()) };
        let fr = frame(&mut stage, &s);
        let n = dark_red(&fr, 1280, mouth);
        if t < 3.0 {
            silent.push(n);
        } else if t > 5.0 {
            talking.push(n);
        }
    }
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
    assert!(mean(&talking) > mean(&silent) * 2.0 + 100.0, "talking {} vs silent {}", mean(&talking), mean(&silent));

    // A clip named in clips.toml that is not there is named in the error.
    let d = copy_rig("clip-host");
    std::fs::remove_file(d.path().join("talk2.mp4")).unwrap();
    let mut st = setup(640, 360, "en-US", vec![]);
    st.rig = RigChoice::Clips(d.path().to_path_buf());
    let e = Stage::new(st).err().expect("missing clip").to_string();
    assert!(e.contains("`talk`") && e.contains("talk2.mp4"), "{e}");
}

#[test]
fn bench_reports_frame_times() {
    let s = avatar::bench_render(setup(640, 360, "en-US", catalog()), 60).unwrap();
    assert_eq!((s.frames, s.width, s.height), (60, 640, 360));
    assert!(s.median_ms > 0.0 && s.p99_ms >= s.median_ms && s.max_ms >= s.p99_ms, "{s:?}");
}

#[test]
fn background_picture_and_accent_come_from_the_show() {
    let dir = tempfile::tempdir().unwrap();
    let pic = dir.path().join("set.png");
    image::RgbaImage::from_pixel(160, 90, image::Rgba([20, 180, 90, 255])).save(&pic).unwrap();
    let mut st = setup(1280, 720, "en-US", vec![]);
    st.stage.background = Some(pic);
    st.stage.accent = Some("#3a86ff".into());
    let mut stage = Stage::new(st.clone()).unwrap();
    let mut s = FrameState::idle(0.0);
    s.countdown = Some(30.0);
    let f = frame(&mut stage, &s);
    // The picture fills the set (dimmed a little for the overlays), far from everything else.
    let [r, g, b] = px(&f, 1280, 1200, 360);
    assert!(g > 130 && r < 40 && b < 90, "{r} {g} {b}");
    // The countdown pill is drawn in the show's accent colour.
    let c = stage.text_boxes(&s).into_iter().find(|b| b.role == TextRole::Countdown).unwrap().rect;
    let accent = (c.y..c.bottom()).flat_map(|y| (c.x - 30..c.right()).map(move |x| (x, y))).filter(|&(x, y)| px(&f, 1280, x, y) == [58, 134, 255]).count();
    assert!(accent > 200, "{accent} accent pixels around the countdown");

    let bad = dir.path().join("set.jpg");
    std::fs::write(&bad, b"not a picture").unwrap();
    st.stage.background = Some(bad);
    let e = Stage::new(st).err().expect("an unreadable background is an error").to_string();
    assert!(e.contains("set.jpg"), "{e}");
}

#[test]
fn a_prepared_subtitle_draws_the_same() {
    let sentence = "Prepared ahead, drawn the same.";
    let mut a = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    let mut b = Stage::new(setup(1280, 720, "en-US", vec![])).unwrap();
    b.prepare_subtitle(sentence);
    let mut s = FrameState::idle(1.0);
    s.subtitle = Some(sentence);
    s.word = Some(0..8);
    assert!(frame(&mut a, &s) == frame(&mut b, &s));
}
