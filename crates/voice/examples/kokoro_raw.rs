//! Times Kokoro's model call alone on synthetic token runs (compare with onnxruntime in Python
//! on the same machine), then one sentence chunk by chunk: G2P, model and assembly.
//! `cargo run --release -p voice --example kokoro_raw` from the repository root.
use std::path::Path;
use std::time::Instant;

fn main() {
    let models = Path::new("models");
    let m = voice::KokoroModel::load(models, &models.join("kokoro-v1.0")).expect("kokoro installed");
    let style: Vec<f32> = std::fs::read(models.join("kokoro-v1.0/voices/af_heart.bin")).unwrap().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    for n in [30usize, 80, 150, 30] {
        let t = Instant::now();
        let a = m.synthesize(&vec![50; n], &style, 1.0).unwrap();
        let dt = t.elapsed().as_secs_f64();
        let secs = a.len() as f64 / 24000.0;
        println!("{n} tokens: {secs:.2} s audio in {dt:.2} s, RTF {:.3}", dt / secs);
    }
    let k = voice::voices::open_kokoro(&voice::VoiceSpec::parse("kokoro:af_heart"), &voice::VoicePaths::new(models)).unwrap();
    let text = "This bamboo lamp folds flat and fits in any backpack you own today, and it costs just thirty-two dollars.";
    for _ in 0..2 {
        let t = Instant::now();
        let mut chunks = Vec::new();
        let mut synth = 0.0;
        for c in voice::neural::chunks(text) {
            let piece = &text[c.range.clone()];
            let words = voice::neural::words(piece);
            let t1 = Instant::now();
            let (ps, _) = k.phonemes(piece, &words).unwrap();
            let g2p = t1.elapsed().as_secs_f64();
            let t2 = Instant::now();
            let toks = m.tokens(&ps);
            let a = m.synthesize(&toks, &style, 1.0).unwrap();
            let s = t2.elapsed().as_secs_f64();
            synth += s;
            println!("  {piece:?}: {} tokens, g2p {:.1} ms, model {:.0} ms for {:.2} s: {ps}", toks.len(), g2p * 1000.0, s * 1000.0, a.len() as f64 / 24000.0);
            chunks.push(voice::neural::ChunkAudio { samples: a, sample_rate: 24000, words: vec![], pause: c.pause });
        }
        let t3 = Instant::now();
        let sp = voice::neural::assemble(chunks).unwrap();
        println!("total {:.0} ms (model {:.0} ms, assemble {:.0} ms) for {:.2} s", t.elapsed().as_secs_f64() * 1000.0, synth * 1000.0, t3.elapsed().as_secs_f64() * 1000.0, sp.samples.len() as f64 / 48000.0);
    }
}
