//! Fault drills with the real binary (`EVERCAST_FAULTS`): the script writer blocks for 70 s,
//! then the room's voice fails every line for 55 s, then hangs for 15 s. The watchdog hands the
//! script to templates, fillers cover the failing voice, the hung voice is opened afresh, and
//! the output never goes silent for 3 s.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn a_stalled_writer_gets_templates_a_failing_voice_fillers_and_a_hung_voice_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let video = out.path().join("drill.mp4");
    let log = out.path().join("stderr.log");
    let port = free_port();
    // A room holds ~8 script lines and 6 spoken ones ahead (about a minute): each fault lasts
    // long enough to get past them, and the voice goes down only after the watchdog's lines
    // are spoken ahead (~40 s in), or they would be lost to it. Times are seconds from the
    // show's start.
    let mut run = Guarded(
        evercast()
            .args(["run", "tests/fixtures/show-chat.toml", "--room", "us", "--for", "150s", "--writer", "template", "--no-chat", "--port", &port.to_string()])
            .arg("--output")
            .arg(&video)
            .arg("--state")
            .arg(state.path())
            .env("EVERCAST_STATE_DIR", state.path())
            .env("EVERCAST_CONTROL_TOKEN", "test-token-faults")
            .env("EVERCAST_FAULTS", "writer-stall=3+70,voice-down=55+55,voice-stall=120+15")
            .stdout(Stdio::null())
            // To a file: a pipe nobody reads would block the show's logging once full.
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let transcript = state.path().join("us.transcript.jsonl");
    // Near the end, while the show still runs, read its counters.
    let until = Instant::now() + Duration::from_secs(175);
    while !read_jsonl(&transcript).iter().any(|e| e["start"].as_f64().unwrap() > 137.0) {
        assert!(Instant::now() < until, "the show did not reach 137 s: {}", std::fs::read_to_string(&log).unwrap());
        std::thread::sleep(Duration::from_millis(500));
    }
    let (code, metrics) = http(port, "GET", "/metrics", None, None);
    assert_eq!(code, 200);
    let value = |name: &str| -> f64 { metrics.lines().filter(|l| l.starts_with(name)).filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok()).sum() };
    assert!(value("evercast_writer_stalls_total") >= 1.0, "{metrics}");
    assert!(value("evercast_room_voice_errors_total") >= 1.0, "{metrics}");
    assert!(value("evercast_voice_restarts_total") >= 1.0, "the hung voice was not restarted: {metrics}");

    let status = run.wait_for(Duration::from_secs(60));
    let err = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{err}");
    let t = read_jsonl(&transcript);
    let at = |e: &serde_json::Value| e["start"].as_f64().unwrap();
    let by = |e: &serde_json::Value| e["written_by"].as_str().unwrap_or("").to_string();
    let brief: Vec<String> = t.iter().map(|e| format!("{:.1} {} {}", at(e), e["source"], by(e))).collect();
    // The writer stalled: the watchdog's templates kept the script going, and the writer took
    // over again once it answered. They are spoken after the lines the room held ahead (60–80 s
    // of speech, as long as those lines are).
    let watchdog: Vec<f64> = t.iter().filter(|e| by(e).contains("writer stalled")).map(at).collect();
    let stalls: Vec<&str> = err.lines().filter(|l| l.contains("stall") || l.contains("answers again") || l.contains("voice")).collect();
    assert!(watchdog.first().is_some_and(|s| (30.0..100.0).contains(s)), "no line from the watchdog's templates: {brief:#?}\n{stalls:#?}");
    assert!(err.contains("answers again"), "the writer did not take over again:\n{err}");
    assert!(t.iter().any(|e| e["source"] == "script" && at(e) > 80.0 && !by(e).contains("stalled")), "{brief:#?}");
    // The voice was down for 55 s: once the lines spoken ahead ran out, fillers (rendered
    // before, with their own voice) filled in.
    assert!(t.iter().any(|e| e["source"] == "filler" && (60.0..115.0).contains(&at(e))), "no filler while the voice was down: {brief:#?}");
    // The hung voice was restarted and the show spoke on.
    assert!(err.contains("is restarted"), "{err}");
    assert!(t.iter().any(|e| e["source"] == "script" && at(e) > 137.0), "{brief:#?}");
    // Never silent: lines follow each other, and the output audio has no gap over 3 s.
    for w in t.windows(2) {
        let gap = at(&w[1]) - w[0]["end"].as_f64().unwrap();
        assert!(gap < 3.0, "{gap:.1} s between lines at {:.1}: {brief:#?}", at(&w[0]));
    }
    let silence = longest_silence(&video);
    assert!(silence < 3.0, "{silence:.1} s of silence in the output");
}
