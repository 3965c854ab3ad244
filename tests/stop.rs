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
    let mut run = Guarded(
        evercast()
            .args(["run", "assets/demo/show.toml", "--output"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The demo opens in about 7 s on 2 cores (its US room loads the Piper voice, ~2 s, and
    // waits for its first line); stop a few seconds into the stream.
    std::thread::sleep(Duration::from_secs(12));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(run.0.id() as i32, signal) };
    let status = run.wait_for(Duration::from_secs(60));
    let mut err = String::new();
    std::io::Read::read_to_string(run.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    for file in [out.clone(), dir.path().join("show_vertical.mp4")] {
        let probe = ffprobe(file.to_str().unwrap());
        let d: f64 = probe["format"]["duration"].as_str().unwrap().parse().unwrap();
        assert!((3.0..16.0).contains(&d), "{}: {d} s", file.display());
        assert_eq!(stream(&probe, "video")["codec_name"], "h264");
        assert_eq!(stream(&probe, "audio")["codec_name"], "aac");
    }
}
