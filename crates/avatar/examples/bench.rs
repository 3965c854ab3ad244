//! Per-frame render times of the stage at the usual sizes (one thread).
//!
//! `cargo run --release -p avatar --example bench -- [frames] [catalog]`

use std::path::Path;

use avatar::{RigChoice, StageSetup, bench_render};
use show::config::{Persona, StageConfig};
use show::Locale;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let frames: usize = args.get(1).and_then(|f| f.parse().ok()).unwrap_or(600);
    let products = args.get(2).map(|p| show::catalog::load(Path::new(p), show::Currency::USD).expect("catalog").products).unwrap_or_default();
    let rig = match args.get(3).map(String::as_str) {
        Some("png") => RigChoice::Png("assets/rigs/pip".into()),
        Some("clips") => RigChoice::Clips("assets/rigs/clip-host".into()),
        _ => RigChoice::BuiltIn,
    };
    for (w, h) in [(1280, 720), (720, 1280), (1080, 1920), (1920, 1080), (640, 360)] {
        let setup = StageSetup {
            width: w,
            height: h,
            fps: 30,
            locale: Locale::parse("en-US").expect("locale"),
            persona: Persona { name: "Mia".into(), tone: Default::default(), catchphrases: vec![], intro: None, look: Default::default() },
            products: products.clone(),
            stage: StageConfig { ticker: vec!["Free shipping over $35".into(), "30-day returns".into()], ..StageConfig::default() },
            rig: rig.clone(),
        };
        let s = bench_render(setup, frames).expect("bench");
        println!(
            "{w}x{h}: median {:.2} ms, p99 {:.2} ms, max {:.2} ms; cpu median {:.2} ms, p99 {:.2} ms; {} frames (setup {:.0} ms)",
            s.median_ms, s.p99_ms, s.max_ms, s.cpu_median_ms, s.cpu_p99_ms, s.frames, s.setup_ms
        );
    }
}
