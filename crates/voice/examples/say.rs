//! Speaks a line with espeak-ng and writes it to a WAV file, printing what was said, the
//! word timings and the viseme track.
//!
//! `cargo run --release -p voice --example say -- en-US "Now just $14.90, 40% off!" out.wav`

use show::stages::Voice;
use show::{Line, Locale, SegmentKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [locale, text, out @ ..] = args.as_slice() else {
        eprintln!("usage: say LOCALE TEXT [OUT.wav] [VOICE]");
        std::process::exit(2);
    };
    let locale = Locale::parse(locale)?;
    let mut voice = match out.get(1) {
        Some(v) => voice::Espeak::new(v)?,
        None => voice::Espeak::for_locale(&locale)?,
    };
    let line = Line::new(SegmentKind::Pitch, None).text(text.as_str());
    let u = voice.speak(&line, &locale)?;
    println!("voice:   {}", voice.name());
    println!("display: {}", u.display);
    println!("spoken:  {}", u.spoken);
    println!("audio:   {:.3} s", u.duration());
    for w in &u.words {
        println!("  {:6.3}-{:6.3}  {}", w.start, w.end, &u.display[w.display.clone()]);
    }
    let keys: Vec<String> = u.visemes.keys.iter().map(|k| format!("{:.3}:{}", k.at, k.viseme.name())).collect();
    println!("visemes: {}", keys.join(" "));
    if let Some(path) = out.first() {
        voice::audio::write_wav(std::path::Path::new(path), &u.samples, show::SAMPLE_RATE)?;
        println!("wrote {path}");
    }
    Ok(())
}
