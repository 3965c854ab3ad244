//! Multilingual rooms, live: one show fanned out to an English and a Spanish room on a real
//! nginx-rtmp, and the Spanish room swapped to Brazilian Portuguese while it streams — same
//! connection, no gap in the stream, Portuguese from the next sentences on.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// Markers of Portuguese and of Spanish text (an accent, a word only one of them uses).
fn portuguese(t: &str) -> bool {
    let l = format!(" {} ", t.to_lowercase());
    // Also the digraphs nh/lh ("cozinha", "melhor") and little words Spanish writes otherwise.
    ["ã", "õ", "ç", "ê", "nh", "lh", " você", " não ", " são ", " aqui ", " muito", " isso", " está ", " uma ", " um ", " com ", " da ", " do ", " na ", "para o ", "entendi", " ao ", " seu ", " sua ", " já ", " só ", " hoje"]
        .iter()
        .any(|m| l.contains(m))
}

fn spanish(t: &str) -> bool {
    let l = format!(" {} ", t.to_lowercase());
    ["ñ", "¿", "¡", " el ", " los ", " las ", " usted", " muy ", " hoy ", " aquí", " ahora ", " esto ", " y ", " es ", " del ", " hasta ", " tu ", " puedes "].iter().any(|m| l.contains(m))
}

fn statuses(port: u16) -> Vec<serde_json::Value> {
    get(port, "/api/status").and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok()).and_then(|v| v.as_array().cloned()).unwrap_or_default()
}

fn room_status(port: u16, id: &str) -> Option<serde_json::Value> {
    statuses(port).into_iter().find(|s| s["id"] == id).map(|s| s["status"].clone())
}

#[test]
fn two_rooms_stream_and_a_room_swaps_its_language_pack_mid_stream() {
    let nginx = Nginx::start(free_port());
    let port = free_port();
    let url = format!("rtmp://127.0.0.1:{}/live/rooms-{{room}}", nginx.port);
    let token = "test-token-rooms";
    let started = Instant::now();
    let mut run = Guarded(
        evercast()
            .args(["run", "tests/fixtures/show-rooms.toml", "--for", "90s", "--writer", "template", "--port", &port.to_string(), "--output", &url])
            .env("EVERCAST_CONTROL_TOKEN", token)
            .env("EVERCAST_STATE_DIR", tempfile::tempdir().unwrap().keep())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Both rooms live, read back while they stream.
    std::thread::sleep(Duration::from_secs(12));
    for key in ["rooms-us", "rooms-mx"] {
        let live = ffprobe(&format!("rtmp://127.0.0.1:{}/live/{key}", nginx.port));
        assert_eq!(stream(&live, "video")["codec_name"], "h264", "{key}");
        assert_eq!(stream(&live, "audio")["codec_name"], "aac", "{key}");
    }
    // The Spanish room speaks Spanish.
    let mut before = Vec::new();
    let until = Instant::now() + Duration::from_secs(25);
    while Instant::now() < until && before.len() < 3 {
        if let Some(s) = room_status(port, "mx")
            && let Some(t) = s["speaking"].as_str()
            && !before.contains(&t.to_string())
        {
            assert_eq!(s["pack"], "es-MX");
            before.push(t.to_string());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(!before.is_empty(), "the mx room said nothing");
    assert!(before.iter().any(|t| spanish(t)), "the mx room does not speak Spanish: {before:?}");

    // A wrong token is refused; the right one swaps.
    let refused = evercast().args(["packs", "swap", "--room", "mx", "pt-BR", "--port", &port.to_string(), "--token", "wrong"]).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"), "{}", String::from_utf8_lossy(&refused.stderr));
    let swapped = evercast().args(["packs", "swap", "--room", "mx", "pt-BR", "--port", &port.to_string()]).env("EVERCAST_CONTROL_TOKEN", token).output().unwrap();
    assert!(swapped.status.success(), "packs swap failed: {}", String::from_utf8_lossy(&swapped.stderr));
    let swap_at = Instant::now();

    // From the next sentences on, Portuguese. The pt-BR pack's own voice (Kokoro) and the LLM
    // translator share two cores, so a long line can take a while: up to 45 s for four lines.
    let mut after = Vec::new();
    while swap_at.elapsed() < Duration::from_secs(45) && after.len() < 4 {
        if let Some(s) = room_status(port, "mx")
            && s["pack"] == "pt-BR"
            && let Some(t) = s["speaking"].as_str()
            && !after.contains(&t.to_string())
            && !before.contains(&t.to_string())
        {
            after.push(t.to_string());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(after.len() >= 3, "the mx room said {} lines after the swap: {after:?}", after.len());
    // The first line may still be the one that was playing; every later one is Portuguese.
    let later = &after[1..];
    assert!(later.iter().filter(|t| portuguese(t)).count() * 2 > later.len(), "not Portuguese after the swap: {after:?}");
    assert!(!later.iter().any(|t| spanish(t) && !portuguese(t)), "Spanish after the swap: {after:?}");
    // The English room never changed.
    assert_eq!(room_status(port, "us").unwrap()["pack"], "en-US");

    let status = run.wait_for(Duration::from_secs(120));
    let mut err = String::new();
    std::io::Read::read_to_string(run.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "evercast run failed: {err}");
    assert!(!err.contains(token), "the control token set in the environment must not be printed: {err}");

    // Same connection: nginx saw one publish of the room's stream, and its recording has no
    // gap in time.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(nginx.publishes("rooms-mx"), 1, "the mx room reconnected");
    let rec = nginx.recording("rooms-mx");
    for kind in ["v", "a"] {
        let t = packet_times(rec.to_str().unwrap(), kind);
        assert!(t.len() > 100, "{kind}: {} packets", t.len());
        let span = t[t.len() - 1] - t[0];
        assert!(span > 80.0, "{kind}: the recording spans {span} s");
        // From the first second on: the encoder's first packets settle the stream's start.
        let (at, worst) = t.windows(2).filter(|w| w[0] >= t[0] + 1.0).map(|w| (w[0], w[1] - w[0])).fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
        let swapped = swap_at.duration_since(started).as_secs_f64();
        assert!(worst <= 0.1, "{kind}: a gap of {worst:.3} s in the stream's timestamps at {at:.2} s (stream {:.2}..{:.2} s; swapped about {swapped:.1} s after start)", t[0], t[t.len() - 1]);
    }
    let us = ffprobe(nginx.recording("rooms-us").to_str().unwrap());
    assert_eq!(stream(&us, "video")["codec_name"], "h264");
}

#[test]
fn a_market_that_bans_synthetic_voices_refuses_to_start_a_tts_room() {
    let dir = tempfile::tempdir().unwrap();
    let show = std::fs::read_to_string(repo("tests/fixtures/show-rooms.toml")).unwrap();
    let show = show.replace("../../assets/demo/catalog.csv", &repo("assets/demo/catalog.csv").display().to_string());
    std::fs::write(dir.path().join("show.toml"), show).unwrap();
    let packs = dir.path().join("packs/es-MX");
    std::fs::create_dir_all(&packs).unwrap();
    let es = std::fs::read_to_string(repo("assets/packs/es-MX/pack.toml")).unwrap();
    std::fs::write(packs.join("pack.toml"), es.replace("ai_voice_allowed = true", "ai_voice_allowed = false")).unwrap();
    let out = evercast()
        .args(["run"])
        .arg(dir.path().join("show.toml"))
        .args(["--for", "5s", "--writer", "template", "--port", &free_port().to_string()])
        .env("EVERCAST_STATE_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("room `mx`") && err.contains("ai_voice_allowed = false") && err.contains("synthetic voice"), "{err}");
}

#[test]
fn sighup_rereads_the_show_and_swaps_a_rooms_pack() {
    let dir = tempfile::tempdir().unwrap();
    let show = std::fs::read_to_string(repo("tests/fixtures/show-rooms.toml")).unwrap();
    let show = show.replace("../../assets/demo/catalog.csv", &repo("assets/demo/catalog.csv").display().to_string());
    // Only the Mexican room, to a file; the preview server carries the status.
    let show = show.split("[[rooms]]").take(1).collect::<String>() + "[[rooms]]\nid = \"mx\"\nlocale = \"es-MX\"\nprofile = \"preview\"\n";
    let file = dir.path().join("show.toml");
    std::fs::write(&file, &show).unwrap();
    let port = free_port();
    let mut run = Guarded(
        evercast()
            .args(["run"])
            .arg(&file)
            .args(["--for", "40s", "--writer", "template", "--port", &port.to_string()])
            .env("EVERCAST_STATE_DIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while room_status(port, "mx").is_none_or(|s| s["state"] != "live") {
        assert!(start.elapsed() < Duration::from_secs(30), "the room did not go live");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(room_status(port, "mx").unwrap()["pack"], "es-MX");
    std::fs::write(&file, show.replace("locale = \"es-MX\"", "locale = \"es-MX\"\npack = \"pt-BR\"")).unwrap();
    // SAFETY: a signal to our own child process.
    unsafe { libc::kill(run.0.id() as i32, libc::SIGHUP) };
    let swapped = Instant::now();
    while room_status(port, "mx").is_none_or(|s| s["pack"] != "pt-BR") {
        assert!(swapped.elapsed() < Duration::from_secs(20), "the room still speaks {}", room_status(port, "mx").unwrap()["pack"]);
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = run.wait_for(Duration::from_secs(90));
    let mut err = String::new();
    std::io::Read::read_to_string(run.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("switching to the pt-BR pack"), "{err}");
}
