//! Renders demo screenshots of the stage to PNG files, for looking at the design.
//!
//! `cargo run --release -p avatar --example screens -- [catalog.json|csv] [out-dir]`

use std::path::{Path, PathBuf};

use avatar::{FrameState, RigChoice, Stage, StageSetup};
use show::config::{Look, Persona, StageConfig};
use show::{Cue, Locale, Money, MouthShape, Product, Variant, Viseme};

fn demo_products() -> Vec<Product> {
    let usd = show::Currency::USD;
    let variant = |price: i64, was: Option<i64>, stock: Option<i64>| Variant {
        title: "Default Title".into(),
        options: vec![],
        sku: None,
        price: Money::new(price, usd),
        compare_at: was.map(|w| Money::new(w, usd)),
        inventory: stock,
        image: None,
    };
    vec![Product {
        id: "mug".into(),
        title: "Hand-glazed Stoneware Mug, 350 ml".into(),
        vendor: None,
        product_type: None,
        tags: vec![],
        description: String::new(),
        points: vec![],
        variants: vec![variant(1490, Some(2490), Some(12))],
        images: vec!["https://example.com/mug.jpg".into()],
        url: Some("https://shop.example.com/p/mug".into()),
        proof: Default::default(),
        line: 1,
    }]
}

fn save(path: &Path, w: u32, h: u32, rgba: &[u8]) {
    let img = image::RgbaImage::from_raw(w, h, rgba.to_vec()).expect("frame size");
    img.save(path).expect("write png");
    println!("wrote {}", path.display());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut products = match args.get(1) {
        Some(p) => show::catalog::load(Path::new(p), show::Currency::USD).expect("catalog").products,
        None => demo_products(),
    };
    // Show the QR code on the first card.
    if products[0].url.is_none() {
        products[0].url = Some(format!("https://shop.example.com/p/{}", products[0].id));
    }
    let out = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "screens".into()));
    std::fs::create_dir_all(&out).expect("out dir");
    let persona = Persona { name: "Mia".into(), tone: Default::default(), catchphrases: vec![], intro: None, look: Look::default() };
    let stage = StageConfig {
        label: None,
        ticker: vec!["Free shipping over $35".into(), "30-day returns".into(), "Code NEST10 for 10% off".into()],
        accent: None,
        background: None,
        ..StageConfig::default()
    };
    let sentence = "This mug keeps your coffee hot, and today it's just $14.90!";
    let word_start = sentence.find("today").unwrap_or(0);
    let shots: [(&str, u32, u32, &str); 5] = [
        ("landscape", 1280, 720, "en-US"),
        ("vertical", 720, 1280, "en-US"),
        ("preview", 640, 360, "en-US"),
        ("landscape-zh", 1280, 720, "zh-CN"),
        ("landscape-ar", 1280, 720, "ar-SA"),
    ];
    for (name, w, h, loc) in shots {
        let setup = StageSetup {
            width: w,
            height: h,
            fps: 30,
            locale: Locale::parse(loc).expect("locale"),
            persona: persona.clone(),
            products: products.clone(),
            stage: stage.clone(),
            rig: RigChoice::BuiltIn,
        };
        let mut st = Stage::new(setup).expect("stage");
        let mut frame = vec![0u8; (w * h * 4) as usize];
        let state = FrameState {
            t: 12.4,
            product: Some(0),
            subtitle: Some(sentence),
            word: Some(word_start..word_start + 5),
            mouth: Viseme::Open.shape(),
            speaking: true,
            countdown: Some(284.0),
            gesture: Some((Cue::Point, 1.0)),
            look_at_card: true,
        };
        st.render(&state, &mut frame);
        save(&out.join(format!("{name}.png")), w, h, &frame);
    }
    // The fixture rigs, speaking, with the card.
    for (name, rig) in [("rig-png", RigChoice::Png("assets/rigs/pip".into())), ("rig-clips", RigChoice::Clips("assets/rigs/clip-host".into()))] {
        let setup = StageSetup {
            width: 1280,
            height: 720,
            fps: 30,
            locale: Locale::parse("en-US").expect("locale"),
            persona: persona.clone(),
            products: products.clone(),
            stage: stage.clone(),
            rig,
        };
        let mut st = match Stage::new(setup) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let mut frame = vec![0u8; 1280 * 720 * 4];
        for f in 0..=75 {
            let mut state = FrameState::idle(f as f64 / 30.0);
            state.product = Some(1 % products.len());
            state.speaking = true;
            state.mouth = Viseme::Open.shape();
            state.subtitle = Some(sentence);
            state.gesture = Some((Cue::Wave, f as f32 / 30.0));
            st.render(&state, &mut frame);
        }
        save(&out.join(format!("{name}.png")), 1280, 720, &frame);
    }
    // Looks: every hair style and outfit, host only, mouth shapes and gestures.
    let looks = [
        ("bob", "blazer", "#e8b894", "#3b2219", "#e4572e"),
        ("long", "dress", "#f1c7a5", "#6b3e26", "#2a9d8f"),
        ("bun", "tee", "#c68642", "#1b1b1b", "#f4a261"),
        ("short", "hoodie", "#8d5524", "#111111", "#3a86ff"),
        ("curly", "blazer", "#ffdbac", "#a0522d", "#8338ec"),
    ];
    let cues = [Some(Cue::Wave), Some(Cue::OpenPalms), Some(Cue::ThumbsUp), None, Some(Cue::Point)];
    let mouths = [Viseme::Rest, Viseme::Open, Viseme::Round, Viseme::Wide, Viseme::Pucker];
    for (i, (hair, outfit, skin, hair_c, outfit_c)) in looks.iter().enumerate() {
        let look = Look {
            skin: skin.to_string(),
            hair: hair_c.to_string(),
            hair_style: hair.to_string(),
            eyes: "#4a3426".into(),
            outfit: outfit.to_string(),
            outfit_color: outfit_c.to_string(),
            accent: "#ffd166".into(),
        };
        let setup = StageSetup {
            width: 1280,
            height: 720,
            fps: 30,
            locale: Locale::parse("en-US").expect("locale"),
            persona: Persona { look, ..persona.clone() },
            products: vec![],
            stage: StageConfig::default(),
            rig: RigChoice::BuiltIn,
        };
        let mut st = Stage::new(setup).expect("stage");
        let mut frame = vec![0u8; 1280 * 720 * 4];
        let mut state = FrameState::idle(3.0 + i as f64);
        state.mouth = mouths[i].shape();
        state.speaking = true;
        state.gesture = cues[i].map(|c| (c, 1.0));
        st.render(&state, &mut frame);
        save(&out.join(format!("look-{hair}-{outfit}.png")), 1280, 720, &frame);
    }
    // Every viseme's mouth, cropped and tiled.
    let setup = StageSetup {
        width: 1280,
        height: 720,
        fps: 30,
        locale: Locale::parse("en-US").expect("locale"),
        persona: persona.clone(),
        products: vec![],
        stage: StageConfig::default(),
        rig: RigChoice::BuiltIn,
    };
    let mut st = Stage::new(setup).expect("stage");
    let m = st.layout().mouth;
    let mut sheet = image::RgbaImage::new(m.w as u32 * 11, m.h as u32);
    let mut frame = vec![0u8; 1280 * 720 * 4];
    for (i, v) in Viseme::ALL.iter().enumerate() {
        let mut state = FrameState::idle(0.0);
        state.mouth = v.shape();
        state.speaking = true;
        st.render(&state, &mut frame);
        for y in 0..m.h {
            for x in 0..m.w {
                let s = (((m.y + y) * 1280 + m.x + x) * 4) as usize;
                sheet.put_pixel(i as u32 * m.w as u32 + x as u32, y as u32, image::Rgba([frame[s], frame[s + 1], frame[s + 2], 255]));
            }
        }
    }
    let _ = MouthShape::REST;
    sheet.save(out.join("mouths.png")).expect("write png");
    println!("wrote mouths.png");
}
