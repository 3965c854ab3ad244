//! Whisper base on real speech: sentences synthesised by `espeak-ng`, transcribed, scored by
//! word error rate. Needs the model in `<workspace>/models/whisper-base` (fails, naming
//! `evercast models install whisper-base`, when it is missing) and `espeak-ng`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

use asr::{Whisper, read_wav, word_error_rate};

/// What espeak-ng says, and what a transcript should read: Whisper writes prices in digits
/// and `word_error_rate` does not normalise numbers, so the reference is written that way.
const EN_SPOKEN: &str = "Just fourteen dollars and ninety nine cents today, free shipping on every order.";
const EN: &str = "Just $14.99 today, free shipping on every order.";
const ES: &str = "Gracias por acompañarnos, nos vemos mañana con más ofertas. Hoy tenemos un descuento especial en todas las sartenes.";

fn model_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/whisper-base");
    for file in ["model.bin", "tokenizer.json"] {
        assert!(
            dir.join(file).is_file() || (file == "model.bin" && dir.join("model.safetensors").is_file()),
            "the Whisper model is missing ({} not found): run `evercast models install whisper-base` first",
            dir.join(file).display()
        );
    }
    dir
}

/// One model for all the tests of this binary (loading it takes a while).
fn whisper() -> MutexGuard<'static, Whisper> {
    static MODEL: OnceLock<Mutex<Whisper>> = OnceLock::new();
    MODEL
        .get_or_init(|| Mutex::new(Whisper::load(&model_dir()).unwrap_or_else(|e| panic!("loading Whisper: {e}"))))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// `text` spoken by espeak-ng in `voice`: mono samples and their rate.
fn speak(voice: &str, text: &str) -> (Vec<f32>, u32) {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("speech.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .unwrap_or_else(|e| panic!("espeak-ng is needed for these tests (apt-get install espeak-ng): {e}"));
    assert!(status.success(), "espeak-ng failed");
    read_wav(&wav).unwrap()
}

fn transcribe(samples: &[f32], rate: u32, language: Option<&str>) -> asr::Transcript {
    let started = std::time::Instant::now();
    let t = whisper().transcribe(samples, rate, language).unwrap();
    eprintln!("{:?} → {:?} ({:.1} s of audio in {:.1} s)", language, t, t.seconds, started.elapsed().as_secs_f32());
    t
}

#[test]
fn english_speech_is_transcribed() {
    let (samples, rate) = speak("en-us", EN_SPOKEN);
    let t = transcribe(&samples, rate, Some("en"));
    let wer = word_error_rate(EN, &t.text);
    eprintln!("en WER {wer:.3}");
    assert_eq!(t.language, "en");
    assert!((t.seconds - samples.len() as f32 / rate as f32).abs() < 1e-3);
    assert!(wer <= 0.35, "WER {wer}: {:?}", t.text);
}

#[test]
fn spanish_speech_is_transcribed_and_its_language_detected() {
    let (samples, rate) = speak("es", ES);
    let t = transcribe(&samples, rate, None);
    let wer = word_error_rate(ES, &t.text);
    eprintln!("es WER {wer:.3}");
    assert_eq!(t.language, "es", "detected language");
    assert!(wer <= 0.35, "WER {wer}: {:?}", t.text);
}

#[test]
fn english_is_detected_at_48_khz() {
    let (samples, rate) = speak("en-us", EN_SPOKEN);
    let up = asr::resample(&samples, rate, 48_000).unwrap();
    let t = transcribe(&up, 48_000, Some("auto"));
    assert_eq!(t.language, "en");
    assert!(word_error_rate(EN, &t.text) <= 0.35, "{:?}", t.text);
}

/// 40 s: two sentences in the first 30 s window, one in the second.
#[test]
fn audio_longer_than_30_seconds_is_read_window_by_window() {
    let parts = [
        (0.5, "Welcome to the show, everyone."),
        (12.0, "This lamp comes in three colours."),
        (32.0, "Thank you for watching and see you tomorrow."),
    ];
    let rate = 16_000u32;
    let mut audio = vec![0.0f32; 40 * rate as usize];
    for (at, text) in parts {
        let (s, r) = speak("en-us", text);
        let s = asr::resample(&s, r, rate).unwrap();
        let start = (at * rate as f32) as usize;
        audio[start..start + s.len()].copy_from_slice(&s);
    }
    let t = transcribe(&audio, rate, Some("en"));
    let reference = parts.iter().map(|p| p.1).collect::<Vec<_>>().join(" ");
    let wer = word_error_rate(&reference, &t.text);
    eprintln!("long WER {wer:.3}");
    assert!(t.text.to_lowercase().contains("tomorrow"), "the second window is read: {:?}", t.text);
    assert!(wer <= 0.35, "WER {wer}: {:?}", t.text);
    assert!((t.seconds - 40.0).abs() < 1e-3);
}

#[test]
fn silence_gives_no_text_and_bad_languages_are_refused() {
    let t = whisper().transcribe(&vec![0.0; 48_000], 48_000, Some("en")).unwrap();
    assert_eq!(t.text, "");
    assert_eq!(t.language, "en");
    let t = whisper().transcribe(&[], 16_000, None).unwrap();
    assert_eq!((t.text.as_str(), t.seconds), ("", 0.0));
    let err = whisper().transcribe(&[0.0; 100], 16_000, Some("xx")).unwrap_err().to_string();
    assert!(err.contains("unknown language `xx`"), "{err}");
    assert!(whisper().languages().any(|l| l == "es"));
}

#[test]
fn a_missing_model_names_the_install_command() {
    let empty = tempfile::tempdir().unwrap();
    for dir in [empty.path().to_path_buf(), empty.path().join("nowhere")] {
        let err = Whisper::load(&dir).err().expect("no model there").to_string();
        assert!(err.contains("evercast models install whisper-base"), "{err}");
    }
    std::fs::write(empty.path().join("tokenizer.json"), "{}").unwrap();
    let err = Whisper::load(empty.path()).err().expect("no weights").to_string();
    assert!(err.contains("model.bin") && err.contains("evercast models install whisper-base"), "{err}");
}
