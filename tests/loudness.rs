//! Programme loudness: a two-minute preview of each kind of voice, with the music bed under
//! it, measured with ffmpeg's EBU R 128 meter, lands within 1 LU of the room's target with its
//! true peak under -1 dBTP, so switching voice or language never jumps in level.

mod common;

use common::*;

/// (integrated LUFS, true peak dBTP) of an audio file, by ffmpeg's `ebur128` filter.
fn ebur128(path: &std::path::Path) -> (f64, f64) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = log.rsplit("Summary:").next().unwrap_or_default();
    let value = |key: &str| -> f64 {
        let at = summary.find(key).unwrap_or_else(|| panic!("no `{key}` in ffmpeg's summary:\n{summary}"));
        summary[at + key.len()..].split_whitespace().next().unwrap().parse().unwrap()
    };
    (value("I:"), value("Peak:"))
}

#[test]
fn every_voice_plays_at_the_rooms_programme_loudness() {
    let out = tempfile::tempdir().unwrap();
    let status = evercast()
        .args(["preview", "tests/fixtures/show-voices.toml", "--minutes", "2", "--writer", "template", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    for (room, target) in [("espeak", -16.0), ("piper", -16.0), ("kokoro", -16.0), ("broadcast", -23.0)] {
        let (integrated, peak) = ebur128(&out.path().join(format!("{room}.wav")));
        eprintln!("{room}: {integrated:.1} LUFS (target {target}), true peak {peak:.1} dBTP");
        assert!((integrated - target).abs() <= 1.0, "{room}: {integrated} LUFS, target {target}");
        assert!(peak <= -1.0 + 0.05, "{room}: true peak {peak} dBTP");
    }
}
