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

/// The operator console in a real headless Chromium: the room's video plays, the chat log shows
/// what was answered and what was dropped and why, and the controls work from the page — say a
/// line, send a test message, approve a reply in approval mode.
#[test]
fn the_operator_console_shows_the_chat_and_its_controls_work() {
    let port = free_port();
    let token = "test-token-console";
    let state = tempfile::tempdir().unwrap();
    let mut run = Guarded(
        evercast()
            .args(["run", "assets/demo/show.toml", "--room", "main", "--for", "90s", "--writer", "template", "--port", &port.to_string()])
            .args(["--chat-replay", "tests/fixtures/chat-replay.jsonl"])
            .arg("--state")
            .arg(state.path())
            .env("EVERCAST_CONTROL_TOKEN", token)
            .env("EVERCAST_STATE_DIR", state.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "the server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut browser = Browser::open(&format!("http://127.0.0.1:{port}/console#token={token}"));
    let wait = |browser: &mut Browser, what: &str, js: &str, secs: u64| {
        let start = Instant::now();
        loop {
            if browser.eval(js) == serde_json::Value::Bool(true) {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(secs), "the console never showed {what}; page: {}", browser.eval("document.body.innerText"));
            std::thread::sleep(Duration::from_millis(400));
        }
    };
    // The token was taken from the address (and removed from it).
    assert_eq!(browser.eval("location.hash"), "");
    wait(&mut browser, "the room's video playing", "document.getElementById('video-main').currentTime > 1", 45);
    wait(&mut browser, "the line being said", "document.getElementById('line-main').textContent.length > 3", 20);
    // The replayed chat: an answer, and a dropped injection with its reason.
    wait(&mut browser, "an answered message", "[...document.querySelectorAll('#log td.answered')].length > 0", 40);
    wait(&mut browser, "a dropped injection and why", "document.getElementById('log').innerText.includes('instructions to the host')", 20);
    // Say a line from the page.
    // (A room with two replies waiting refuses more for a moment: the page says so; try again.)
    let mut said = false;
    for _ in 0..5 {
        browser.eval("document.getElementById('say-text').value = 'Thanks for shopping with us today!'; document.getElementById('say').click(); true");
        std::thread::sleep(Duration::from_millis(1500));
        if browser.eval("document.getElementById('flash').textContent.includes('queued in main')") == serde_json::Value::Bool(true) {
            said = true;
            break;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(said, "the say button never confirmed: {}", browser.eval("document.getElementById('flash').textContent"));
    // Approval mode: a test message's reply waits for a click, then is answered.
    browser.eval("document.getElementById('approval').click(); true");
    wait(&mut browser, "approval mode on", "document.getElementById('approval').checked", 10);
    browser.eval("document.getElementById('chat-user').value = 'zoe'; document.getElementById('chat-text').value = 'how much is the tumbler?'; document.getElementById('chat-send').click(); true");
    wait(&mut browser, "the reply waiting for approval", "document.getElementById('pending').innerText.includes('tumbler')", 30);
    browser.eval("document.querySelector('[data-approve]').click(); true");
    wait(&mut browser, "the approved reply answered", "[...document.querySelectorAll('#log tr')].some(r => r.innerText.includes('zoe') && r.querySelector('td.answered'))", 30);
    let (_, body) = http(port, "GET", "/api/chat", Some(token), None);
    assert!(body.contains("\"approval\":true"), "{body}");
    drop(browser);
    let _ = run.0.kill();
}
