//! The built-in preview page, opened in a real headless Chromium: the video plays and the line
//! being spoken is shown.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn the_preview_page_plays_and_shows_the_current_line() {
    let port = free_port();
    let mut run = Guarded(
        evercast()
            .args(["run", "assets/demo/show.toml", "--for", "60s", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}/");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "the preview server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut browser = Browser::open(&url);
    let mut first: Option<f64> = None;
    let mut advanced = false;
    let mut line = String::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(40) {
        std::thread::sleep(Duration::from_millis(500));
        let t = browser.eval("document.getElementById('video-main').currentTime").as_f64().unwrap_or(0.0);
        line = browser.eval("document.getElementById('line-main').textContent").as_str().unwrap_or("").to_string();
        match first {
            None if t > 0.0 => first = Some(t),
            Some(t0) if t > t0 + 2.0 => {
                advanced = true;
                if line.len() > 3 {
                    break;
                }
            }
            _ => {}
        }
    }
    let err = browser.eval("(() => { const v = document.getElementById('video-main'); return v.error ? v.error.message : '' })()");
    assert!(advanced, "the video's time advanced (first {first:?}); error: {err}");
    assert!(line.len() > 3 && line != "…", "the current line is shown: {line:?}");
    let vertical = browser.eval("document.getElementById('video-vertical').videoHeight").as_f64().unwrap_or(0.0);
    assert!(vertical > 0.0, "the vertical room plays too");
    drop(browser);
    let _ = run.0.kill();
}
