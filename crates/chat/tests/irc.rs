//! The IRC (Twitch) chat source against a real IRC server — Debian's ngircd on loopback —
//! including a server restart: messages in, reconnect, messages in again.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chat::source::{IrcConfig, irc};
use chat::SourceHealth;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ngircd(conf: &Path, port: u16) -> Server {
    let bin = ["/usr/sbin/ngircd", "/usr/bin/ngircd"].into_iter().find(|p| Path::new(p).is_file()).expect("ngircd is installed (scripts/setup.sh --tests installs it: apt-get install ngircd)");
    let child = Command::new(bin).args(["-n", "-f"]).arg(conf).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // Ready when it accepts connections.
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "ngircd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

/// A viewer: registers, joins and says `text` in the channel.
fn viewer_says(port: u16, nick: &str, text: &str) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut w = s.try_clone().unwrap();
    write!(w, "NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    // Wait for the welcome, then join and wait for the join.
    loop {
        line.clear();
        assert!(r.read_line(&mut line).unwrap() > 0, "the server hung up");
        if line.contains(" 001 ") {
            write!(w, "JOIN #shop\r\n").unwrap();
        }
        if line.contains("JOIN") && line.contains("#shop") {
            break;
        }
    }
    write!(w, "PRIVMSG #shop :{text}\r\nQUIT :bye\r\n").unwrap();
    // Let the server take it before the socket closes.
    while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        line.clear();
    }
}

#[test]
fn irc_messages_come_in_and_the_source_reconnects_after_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let conf = dir.path().join("ngircd.conf");
    std::fs::write(
        &conf,
        format!("[Global]\nName = irc.evercast.test\nInfo = evercast tests\nListen = 127.0.0.1\nPorts = {port}\nMotdPhrase = \"evercast tests\"\n[Limits]\nMaxNickLength = 30\n[Options]\nPAM = no\nIdent = no\nDNS = no\n"),
    )
    .unwrap();
    let server = ngircd(&conf, port);
    let (tx, rx) = crossbeam_channel::bounded(64);
    let health = SourceHealth::new("irc");
    let stop = Arc::new(AtomicBool::new(false));
    let config = IrcConfig::parse(&format!("irc://127.0.0.1:{port}/#shop"), "evercast", None).unwrap();
    let handle = irc(config, tx, health.clone(), stop.clone()).unwrap();
    let start = Instant::now();
    while !health.connected.load(Ordering::Relaxed) {
        assert!(start.elapsed() < Duration::from_secs(15), "the source did not join");
        std::thread::sleep(Duration::from_millis(50));
    }
    viewer_says(port, "anna", "how much is the lamp?");
    let m = rx.recv_timeout(Duration::from_secs(10)).expect("the message came in");
    assert_eq!((m.user.as_str(), m.text.as_str(), m.source.as_str()), ("anna", "how much is the lamp?", "irc"));
    assert!(m.received_ms > 0);

    // The server goes away and comes back on the same port.
    drop(server);
    let gone = Instant::now();
    while health.connected.load(Ordering::Relaxed) {
        assert!(gone.elapsed() < Duration::from_secs(10), "the source did not notice the server left");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    let _server = ngircd(&conf, port);
    let back = Instant::now();
    while !health.connected.load(Ordering::Relaxed) {
        assert!(back.elapsed() < Duration::from_secs(40), "the source did not reconnect");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(health.reconnects.load(Ordering::Relaxed) >= 1);
    viewer_says(port, "ben", "do you ship to Canada?");
    let m = rx.recv_timeout(Duration::from_secs(10)).expect("a message after the restart came in");
    assert_eq!((m.user.as_str(), m.text.as_str()), ("ben", "do you ship to Canada?"));
    stop.store(true, Ordering::Relaxed);
    handle.join().unwrap();
}
