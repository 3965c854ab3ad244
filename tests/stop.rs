//! Ctrl-C, or SIGTERM from a supervisor, ends a live show cleanly: the streams get their end,
//! files are finalized and playable.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;

#[test]
fn ctrl_c_finalizes_playable_files() {
    stops_cleanly_on(libc::SIGINT);
}

#[test]
fn sigterm_finalizes_playable_files() {
    stops_cleanly_on(libc::SIGTERM);
}

fn stops_cleanly_on(signal: i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("show.mp4");
    let spawned = std::time::Instant::now();
    let mut run = Guarded(
        evercast()
            .args(["run", "assets/demo/show.toml", "--output"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Stop a few seconds into the stream, once both files are being written (the demo opens
    // in 7-15 s on 2 cores, depending on the models installed and the machine's load).
    let log = LogTail::of(&mut run.0);
    log.wait_until("both rooms' pipelines", Duration::from_secs(90), |t| {
        t.lines().filter(|l| l.contains("pipeline started") && (l.contains("room=\"main\"") || l.contains("room=\"vertical\""))).count() >= 2
    });
    std::thread::sleep(Duration::from_secs(5));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(run.0.id() as i32, signal) };
    let status = run.wait_for(Duration::from_secs(60));
    let err = log.finish();
    let ran = spawned.elapsed().as_secs_f64();
    assert!(status.success(), "{err}");
    for file in [out.clone(), dir.path().join("show_vertical.mp4")] {
        let probe = ffprobe(file.to_str().unwrap());
        let d: f64 = probe["format"]["duration"].as_str().unwrap().parse().unwrap();
        // Each room streamed at least the 5 s waited after its start, and not longer than the run.
        assert!((3.0..ran).contains(&d), "{}: {d} s in a run of {ran:.1} s\n{}", file.display(), err.lines().filter(|l| l.contains("pipeline") || l.contains("stopping") || l.contains("streamed")).collect::<Vec<_>>().join("\n"));
        assert_eq!(stream(&probe, "video")["codec_name"], "h264");
        assert_eq!(stream(&probe, "audio")["codec_name"], "aac");
    }
}
