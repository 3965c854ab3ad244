//! Offline preview: the files a copywriter gets, and what must hold between them.

mod common;

use common::*;

#[test]
fn preview_files_agree_with_each_other_and_with_the_catalog() {
    let out = tempfile::tempdir().unwrap();
    let status = evercast()
        .args(["preview", "tests/fixtures/show-quiet.toml", "--room", "main", "--minutes", "1", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    for f in ["script.md", "main.mp4", "main.wav", "main.srt", "main.vtt", "main.lines.json"] {
        assert!(out.path().join(f).is_file(), "{f} is written");
    }

    // Video and audio of the MP4 last as long as each other (< 100 ms apart), and as asked.
    let probe = ffprobe(out.path().join("main.mp4").to_str().unwrap());
    let vd: f64 = stream(&probe, "video")["duration"].as_str().unwrap().parse().unwrap();
    let ad: f64 = stream(&probe, "audio")["duration"].as_str().unwrap().parse().unwrap();
    assert!((vd - ad).abs() < 0.1, "video {vd} s vs audio {ad} s");
    assert!((vd - 60.0).abs() < 0.2, "video {vd} s");

    // Every subtitle cue falls inside speech in the WAV, not in silence.
    let (wav, rate) = read_wav(&out.path().join("main.wav"));
    assert_eq!(rate, 48_000);
    assert!(((wav.len() as f64 / 48_000.0) - 60.0).abs() < 0.05);
    let win = 480; // 10 ms
    let rms = rms_windows(&wav, win);
    let voiced = |t: f64| rms.get((t * 100.0) as usize).is_some_and(|r| *r > 0.01);
    let cues = read_srt(&out.path().join("main.srt"));
    assert!(cues.len() >= 8, "a minute of show has many lines, got {}", cues.len());
    for (start, end, text) in &cues {
        assert!(end > start);
        let n = ((end - start) * 100.0) as usize;
        let voiced_share = (0..n).filter(|i| voiced(start + *i as f64 / 100.0)).count() as f64 / n as f64;
        assert!(voiced_share > 0.6, "cue {start:.2}-{end:.2} \"{text}\" is {:.0}% speech", voiced_share * 100.0);
        assert!(voiced(start + 0.03) || voiced(start + 0.06), "cue \"{text}\" starts in silence at {start:.2}");
    }
    // Between cues there is silence (the pause), so cues are not just covering everything.
    let gaps = cues.windows(2).filter(|w| w[1].0 - w[0].1 > 0.3).count();
    assert!(gaps >= cues.len() / 2);

    // The spoken words of every price say the catalog's amount.
    let lines: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("main.lines.json")).unwrap()).unwrap();
    let catalog = show::catalog::load(&repo("assets/demo/catalog.csv"), show::Currency::USD).unwrap();
    let amounts: Vec<i64> = catalog.amounts().iter().map(|m| m.minor).collect();
    let mut prices = 0;
    for l in lines.as_array().unwrap() {
        let spoken = l["spoken"].as_str().unwrap();
        for said in voice::parse_en::amounts(spoken, show::Currency::USD).iter().map(|m| m.minor) {
            assert!(amounts.contains(&said), "\"{spoken}\" says {said} cents, not a catalog amount");
            prices += 1;
        }
        assert!(!spoken.contains('$'), "no symbols reach the voice: {spoken}");
    }
    // The offer states the price once (more where the writer's model restates it).
    assert!(prices >= 1, "a minute of show states the price ({prices})");

    // Every line says who wrote it: a template by its bank and index, the persona, the LLM by
    // its model, or the room's filler bank; `script.md` shows the same.
    for l in lines.as_array().unwrap() {
        let by = l["written_by"].as_str().unwrap();
        assert!(["template ", "llm ", "persona"].iter().any(|p| by.starts_with(p)), "{l}: written by {by:?}");
    }
    let script = std::fs::read_to_string(out.path().join("script.md")).unwrap();
    assert!(script.contains("## Room `main`") && script.contains("| 00:00:00."), "{script}");
    assert!(script.contains("| written by |") && script.contains("| template "), "{script}");
}
