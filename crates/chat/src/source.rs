//! Chat sources. Each runs on its own thread, hands messages to the desk's inbox with
//! `try_send` (a flood is dropped at the door, never queued without bound), keeps its health
//! (connected, reconnects, messages, last message) and reconnects on its own.
//!
//! - [`replay`]: a timed JSONL file (`{"at": 3.5, "user": "anna", "text": "how much?"}`), for
//!   previews, tests and soaks;
//! - [`ndjson`]: newline-delimited JSON from any reader (stdin) — the bridge any platform
//!   connector can write to; [`listen_ndjson`] takes the same over TCP;
//! - [`irc`]: Twitch chat (or any IRC server) over the IRC protocol, with IRCv3 tags when the
//!   server offers them.
//!
//! The control server's `POST /api/chat` writes to the same inbox.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use show::chat::now_ms;
use show::{ChatEvent, ChatMessage};

/// A source's health, read by the desk (silence alarm) and `/metrics`.
#[derive(Debug)]
pub struct SourceHealth {
    pub name: String,
    pub connected: AtomicBool,
    pub reconnects: AtomicU64,
    pub messages: AtomicU64,
    /// Lines that were not messages (bad JSON, unknown IRC lines are not counted).
    pub rejected_lines: AtomicU64,
    /// Messages the desk could not take (its inbox was full).
    pub dropped: AtomicU64,
    /// The last message, or the last connect (ms since the epoch).
    pub last_ms: AtomicU64,
    /// Silent for longer than the alarm allows.
    pub silent: AtomicBool,
}

impl SourceHealth {
    pub fn new(name: &str) -> Arc<SourceHealth> {
        Arc::new(SourceHealth {
            name: name.to_string(),
            connected: AtomicBool::new(false),
            reconnects: AtomicU64::new(0),
            messages: AtomicU64::new(0),
            rejected_lines: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            last_ms: AtomicU64::new(now_ms()),
            silent: AtomicBool::new(false),
        })
    }

    fn connected(&self, on: bool) {
        self.connected.store(on, Ordering::Relaxed);
        if on {
            self.last_ms.store(now_ms(), Ordering::Relaxed);
        }
    }

    /// Hands a message to the desk.
    fn deliver(&self, inbox: &Sender<ChatMessage>, mut m: ChatMessage) {
        m.source = self.name.clone();
        m.received_ms = now_ms();
        self.messages.fetch_add(1, Ordering::Relaxed);
        self.last_ms.store(m.received_ms, Ordering::Relaxed);
        if self.silent.swap(false, Ordering::Relaxed) {
            tracing::info!(source = %self.name, "chat source speaks again");
        }
        if inbox.try_send(m).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Raises the alarm (once) when a connected source has said nothing for `limit`.
    pub fn check_silence(&self, limit: Duration) {
        if !self.connected.load(Ordering::Relaxed) || limit.is_zero() {
            return;
        }
        let quiet = now_ms().saturating_sub(self.last_ms.load(Ordering::Relaxed));
        if quiet > limit.as_millis() as u64 && !self.silent.swap(true, Ordering::Relaxed) {
            tracing::warn!(source = %self.name, "chat source silent for {} s: is the chat still connected?", quiet / 1000);
        }
    }
}

/// One line of a replay file.
#[derive(serde::Deserialize)]
struct ReplayLine {
    /// Seconds after the replay starts.
    at: f64,
    #[serde(flatten)]
    message: ChatMessage,
}

/// Reads a replay file; errors name the file and line.
pub fn read_replay(path: &Path) -> Result<Vec<(f64, ChatMessage)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the chat replay {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let r: ReplayLine = serde_json::from_str(t).map_err(|e| format!("{}:{}: not a chat line ({e}); expected {{\"at\": SECONDS, \"user\": \"…\", \"text\": \"…\"}}", path.display(), i + 1))?;
        if !r.at.is_finite() || r.at < 0.0 {
            return Err(format!("{}:{}: field `at`: expected seconds from the start, ≥ 0", path.display(), i + 1));
        }
        out.push((r.at, r.message));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out)
}

/// Replays a file in real time from now; with `repeat`, starts over when it ends (soaks).
pub fn replay(path: PathBuf, repeat: bool, inbox: Sender<ChatMessage>, health: Arc<SourceHealth>, stop: Arc<AtomicBool>) -> Result<std::thread::JoinHandle<()>, String> {
    let lines = read_replay(&path)?;
    std::thread::Builder::new()
        .name("chat-replay".into())
        .spawn(move || {
            health.connected(true);
            let span = lines.last().map_or(0.0, |l| l.0) + 1.0;
            let mut round = 0u64;
            'outer: loop {
                let start = Instant::now();
                for (at, m) in &lines {
                    let due = start + Duration::from_secs_f64(*at);
                    while Instant::now() < due {
                        if stop.load(Ordering::Relaxed) {
                            break 'outer;
                        }
                        std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
                    }
                    let mut m = m.clone();
                    if round > 0 && !m.id.is_empty() {
                        m.id = format!("{}~{round}", m.id);
                    }
                    health.deliver(&inbox, m);
                }
                if !repeat {
                    break;
                }
                round += 1;
                let due = start + Duration::from_secs_f64(span);
                while Instant::now() < due && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            health.connected(false);
        })
        .map_err(|e| e.to_string())
}

/// The longest line a source reads; longer ones are cut and refused (a 10 MB line never
/// reaches memory whole).
const MAX_LINE: u64 = 16 * 1024;

/// Reads one line of at most [`MAX_LINE`] bytes; `Ok(None)` at the end.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = r.by_ref().take(MAX_LINE).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') && n as u64 >= MAX_LINE {
        // Skip the rest of the over-long line.
        let mut sink = Vec::new();
        loop {
            sink.clear();
            let m = r.by_ref().take(MAX_LINE).read_until(b'\n', &mut sink)?;
            if m == 0 || sink.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(false));
    }
    Ok(Some(true))
}

/// Reads NDJSON chat messages (`{"user": "…", "text": "…"}` per line) until the reader ends.
pub fn ndjson(reader: impl Read, inbox: &Sender<ChatMessage>, health: &SourceHealth, stop: &AtomicBool) {
    let mut r = BufReader::new(reader);
    let mut buf = Vec::new();
    health.connected(true);
    while !stop.load(Ordering::Relaxed) {
        match read_line(&mut r, &mut buf) {
            Ok(None) | Err(_) => break,
            Ok(Some(false)) => {
                health.rejected_lines.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Some(true)) => {
                let t = String::from_utf8_lossy(&buf);
                if t.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<ChatMessage>(t.trim()) {
                    Ok(m) => health.deliver(inbox, m),
                    Err(e) => {
                        health.rejected_lines.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(source = %health.name, "not a chat message: {e}");
                    }
                }
            }
        }
    }
    health.connected(false);
}

/// Accepts NDJSON connections on `addr` (at most 16 at once), each read as [`ndjson`].
pub fn listen_ndjson(addr: &str, inbox: Sender<ChatMessage>, health: Arc<SourceHealth>, stop: Arc<AtomicBool>) -> Result<(std::net::SocketAddr, std::thread::JoinHandle<()>), String> {
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen for chat on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let open = Arc::new(AtomicU64::new(0));
    let handle = std::thread::Builder::new()
        .name("chat-ndjson".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, peer)) => {
                        if open.load(Ordering::Relaxed) >= 16 {
                            tracing::warn!(%peer, "too many chat connections; refused");
                            continue;
                        }
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                        open.fetch_add(1, Ordering::Relaxed);
                        let (inbox, health, stop, open) = (inbox.clone(), health.clone(), stop.clone(), open.clone());
                        let _ = std::thread::Builder::new().name("chat-ndjson-conn".into()).spawn(move || {
                            ndjson(TimeoutReader { inner: stream, stop: stop.clone() }, &inbox, &health, &stop);
                            open.fetch_sub(1, Ordering::Relaxed);
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(50)),
                    Err(e) => {
                        tracing::warn!("chat listener: {e}");
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok((local, handle))
}

/// A socket reader that waits through read timeouts until `stop` is set.
struct TimeoutReader {
    inner: TcpStream,
    stop: Arc<AtomicBool>,
}

impl Read for TimeoutReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(0);
                    }
                }
                r => return r,
            }
        }
    }
}

/// Where an IRC source connects: `irc://host[:port]/#channel` (Twitch: `irc://irc.chat.twitch.tv:6667/#shop`).
#[derive(Clone, Debug)]
pub struct IrcConfig {
    pub host: String,
    pub port: u16,
    pub channel: String,
    pub nick: String,
    /// `oauth:…` for Twitch; from the environment, never logged.
    pub pass: Option<String>,
}

impl IrcConfig {
    /// Parses `irc://host[:port]/#channel`; the nick and password come from the caller.
    pub fn parse(url: &str, nick: &str, pass: Option<String>) -> Result<IrcConfig, String> {
        let rest = url.strip_prefix("irc://").ok_or_else(|| format!("`{url}` is not an irc:// address (irc://host[:port]/#channel)"))?;
        let (hostport, chan) = rest.split_once('/').ok_or_else(|| format!("`{url}` names no channel (irc://host[:port]/#channel)"))?;
        let chan = chan.trim();
        let channel = if chan.starts_with('#') { chan.to_string() } else { format!("#{chan}") };
        if channel.len() < 2 || channel.contains([' ', ',', '\r', '\n']) {
            return Err(format!("`{chan}` is not a channel name"));
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| format!("`{p}` is not a port"))?),
            None => (hostport.to_string(), 6667),
        };
        if host.is_empty() {
            return Err(format!("`{url}` names no host"));
        }
        let nick: String = nick.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(25).collect();
        Ok(IrcConfig { host, port, channel: channel.to_lowercase(), nick: if nick.is_empty() { "evercast".into() } else { nick }, pass })
    }
}

/// One parsed IRC line.
#[derive(Debug, PartialEq)]
pub struct IrcLine {
    pub tags: Vec<(String, String)>,
    pub nick: Option<String>,
    pub command: String,
    pub params: Vec<String>,
}

/// Parses an IRC line (`@tags :prefix COMMAND params :trailing`).
pub fn parse_irc(line: &str) -> Option<IrcLine> {
    let mut rest = line.trim_end_matches(['\r', '\n']);
    let mut tags = Vec::new();
    if let Some(r) = rest.strip_prefix('@') {
        let (t, r) = r.split_once(' ')?;
        for kv in t.split(';') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = v.replace("\\s", " ").replace("\\:", ";").replace("\\\\", "\\");
            tags.push((k.to_string(), v));
        }
        rest = r.trim_start();
    }
    let mut nick = None;
    if let Some(r) = rest.strip_prefix(':') {
        let (p, r) = r.split_once(' ')?;
        nick = Some(p.split(['!', '@']).next().unwrap_or(p).to_string());
        rest = r.trim_start();
    }
    let (command, mut r) = match rest.split_once(' ') {
        Some((c, r)) => (c.to_string(), r),
        None => (rest.to_string(), ""),
    };
    let mut params = Vec::new();
    while !r.is_empty() {
        if let Some(t) = r.strip_prefix(':') {
            params.push(t.to_string());
            break;
        }
        match r.split_once(' ') {
            Some((p, more)) => {
                params.push(p.to_string());
                r = more.trim_start();
            }
            None => {
                params.push(r.to_string());
                break;
            }
        }
    }
    if command.is_empty() {
        return None;
    }
    Some(IrcLine { tags, nick, command, params })
}

/// A chat message from an IRC line, if it is one (PRIVMSG to the channel, Twitch USERNOTICE).
pub fn irc_message(l: &IrcLine, channel: &str) -> Option<ChatMessage> {
    let tag = |k: &str| l.tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let to = l.params.first()?;
    if !to.eq_ignore_ascii_case(channel) {
        return None;
    }
    let user = tag("display-name").or_else(|| l.nick.clone())?;
    let id = tag("id").unwrap_or_default();
    match l.command.as_str() {
        "PRIVMSG" => {
            let text = l.params.get(1).cloned().unwrap_or_default();
            // CTCP ACTION (/me) reads as text; other CTCP is not chat.
            let text = match text.strip_prefix("\u{1}ACTION ") {
                Some(t) => t.trim_end_matches('\u{1}').to_string(),
                None if text.starts_with('\u{1}') => return None,
                None => text,
            };
            let kind = if tag("bits").is_some() { ChatEvent::Gift } else { ChatEvent::Message };
            Some(ChatMessage { id, user, text, kind, room: None, source: String::new(), received_ms: 0 })
        }
        "USERNOTICE" => {
            let kind = match tag("msg-id").as_deref() {
                Some("sub" | "resub" | "subgift" | "submysterygift" | "giftpaidupgrade" | "bitsbadgetier") => ChatEvent::Gift,
                Some("raid") => ChatEvent::Join,
                _ => return None,
            };
            let user = tag("login").map_or(user, |l| tag("display-name").unwrap_or(l));
            Some(ChatMessage { id, user, text: String::new(), kind, room: None, source: String::new(), received_ms: 0 })
        }
        _ => None,
    }
}

/// Reads an IRC channel until `stop`, reconnecting with back-off (1 s doubling to 30 s) when the
/// server goes away.
pub fn irc(config: IrcConfig, inbox: Sender<ChatMessage>, health: Arc<SourceHealth>, stop: Arc<AtomicBool>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("chat-irc".into()).spawn(move || {
        let mut backoff = Duration::from_secs(1);
        let mut first = true;
        while !stop.load(Ordering::Relaxed) {
            if !first {
                health.reconnects.fetch_add(1, Ordering::Relaxed);
            }
            first = false;
            match irc_session(&config, &inbox, &health, &stop) {
                Ok(true) => backoff = Duration::from_secs(1),
                Ok(false) => {}
                Err(e) => tracing::warn!(source = %health.name, "IRC {}:{}: {e}; reconnecting in {backoff:?}", config.host, config.port),
            }
            health.connected(false);
            let until = Instant::now() + backoff;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    })
}

/// One connection; `Ok(true)` when it had joined before it ended.
fn irc_session(c: &IrcConfig, inbox: &Sender<ChatMessage>, health: &SourceHealth, stop: &AtomicBool) -> std::io::Result<bool> {
    use std::net::ToSocketAddrs;
    let addr = (c.host.as_str(), c.port).to_socket_addrs()?.next().ok_or_else(|| std::io::Error::other("no address"))?;
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    // Short reads, so `stop` and keep-alives are seen.
    stream.set_read_timeout(Some(Duration::from_millis(250)))?;
    let mut w = stream.try_clone()?;
    if let Some(p) = &c.pass {
        write!(w, "PASS {p}\r\n")?;
    }
    // Twitch's tags when offered; a server that negotiates capabilities (IRCv3) holds the
    // registration until CAP END.
    write!(w, "CAP REQ :twitch.tv/tags twitch.tv/commands\r\nNICK {0}\r\nUSER {0} 0 * :evercast\r\nCAP END\r\n", c.nick)?;
    let mut r = BufReader::new(stream);
    let mut joined = false;
    // One line, kept across read timeouts (a line may arrive in pieces).
    let mut buf = Vec::new();
    let mut last_in = Instant::now();
    let mut pinged = false;
    let closed = |joined: bool| if joined { Ok(true) } else { Err(std::io::Error::other("the server closed the connection")) };
    loop {
        if stop.load(Ordering::Relaxed) {
            let _ = write!(w, "QUIT :show ended\r\n");
            return Ok(joined);
        }
        // A server silent for a minute is pinged; silent two minutes, it is gone.
        if last_in.elapsed() > Duration::from_secs(60) && !pinged {
            write!(w, "PING :evercast\r\n")?;
            pinged = true;
        }
        if last_in.elapsed() > Duration::from_secs(120) {
            return Err(std::io::Error::other("the server stopped answering"));
        }
        let room = MAX_LINE.saturating_sub(buf.len() as u64).max(1);
        match r.by_ref().take(room).read_until(b'\n', &mut buf) {
            Ok(0) => return closed(joined),
            Ok(_) if buf.last() == Some(&b'\n') => {}
            Ok(_) if buf.len() as u64 >= MAX_LINE => {
                buf.clear();
                continue;
            }
            Ok(_) => return closed(joined),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted) => continue,
            Err(e) => return Err(e),
        }
        last_in = Instant::now();
        pinged = false;
        let text = String::from_utf8_lossy(&buf).into_owned();
        buf.clear();
        let Some(l) = parse_irc(&text) else { continue };
        match l.command.as_str() {
            "PING" => write!(w, "PONG :{}\r\n", l.params.first().map(String::as_str).unwrap_or(""))?,
            // Welcome: join the channel.
            "001" => write!(w, "JOIN {}\r\n", c.channel)?,
            "433" => {
                // Nick in use: try another.
                let alt = format!("{}_{}", c.nick.chars().take(20).collect::<String>(), now_ms() % 1000);
                write!(w, "NICK {alt}\r\n")?;
            }
            "JOIN" if l.params.first().is_some_and(|ch| ch.eq_ignore_ascii_case(&c.channel)) && !joined => {
                joined = true;
                health.connected(true);
                tracing::info!(source = %health.name, "joined {} on {}:{}", c.channel, c.host, c.port);
            }
            "ERROR" => return Err(std::io::Error::other(format!("server error: {}", l.params.join(" ")))),
            "464" | "465" => return Err(std::io::Error::other("the server refused the login (check the password / oauth token)")),
            _ => {
                if let Some(m) = irc_message(&l, &c.channel) {
                    health.deliver(inbox, m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_twitch_lines() {
        let l = parse_irc("@badge-info=;display-name=Anna_B;id=abc-1 :anna_b!anna_b@anna_b.tmi.twitch.tv PRIVMSG #shop :how much is the lamp?\r\n").unwrap();
        let m = irc_message(&l, "#shop").unwrap();
        assert_eq!((m.user.as_str(), m.text.as_str(), m.id.as_str()), ("Anna_B", "how much is the lamp?", "abc-1"));
        let l = parse_irc(":bob!b@host PRIVMSG #shop :\u{1}ACTION waves\u{1}").unwrap();
        assert_eq!(irc_message(&l, "#shop").unwrap().text, "waves");
        assert!(irc_message(&parse_irc(":bob!b@host PRIVMSG #other :hi").unwrap(), "#shop").is_none());
        assert_eq!(parse_irc("PING :tmi.twitch.tv").unwrap().params, vec!["tmi.twitch.tv"]);
    }

    #[test]
    fn irc_urls() {
        let c = IrcConfig::parse("irc://127.0.0.1:6668/shop", "mia bot", None).unwrap();
        assert_eq!((c.host.as_str(), c.port, c.channel.as_str(), c.nick.as_str()), ("127.0.0.1", 6668, "#shop", "miabot"));
        assert!(IrcConfig::parse("http://x/#a", "n", None).is_err());
    }

    #[test]
    fn replay_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.jsonl");
        std::fs::write(&f, "{\"at\": 1, \"user\": \"a\", \"text\": \"hi\"}\n{\"user\": \"b\"}\n").unwrap();
        let e = read_replay(&f).unwrap_err();
        assert!(e.contains("c.jsonl:2"), "{e}");
    }
}
