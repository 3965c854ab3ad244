//! Shared test helpers: the real binary, a real nginx-rtmp on loopback, ffprobe, WAV reading and
//! a headless Chromium driven over the DevTools protocol.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's root (the tests belong to `crates/cli`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn evercast() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_evercast"));
    c.current_dir(root());
    c
}

pub fn repo(path: &str) -> PathBuf {
    root().join(path)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when the test ends, pass or fail.
pub struct Guarded(pub Child);

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Guarded {
    /// Waits for the process to exit, up to `limit`.
    pub fn wait_for(&mut self, limit: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s;
            }
            assert!(start.elapsed() < limit, "process still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A child's stderr read as it comes, so a test can wait for a stage of the run (start-up
/// time varies with the machine and the models installed: fixed sleeps race it).
pub struct LogTail {
    text: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl LogTail {
    /// Takes the child's stderr (spawned with `Stdio::piped()`).
    pub fn of(child: &mut Child) -> LogTail {
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr must be piped");
        let sink = text.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        LogTail { text, reader: Some(reader) }
    }

    pub fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the log so far; panics with the log after `limit`.
    pub fn wait_until(&self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) {
        let until = Instant::now() + limit;
        while !done(&self.text.lock().unwrap()) {
            assert!(Instant::now() < until, "{what} not seen within {limit:?}: {}", self.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The whole log, once the child has exited (its stderr closed).
    pub fn finish(mut self) -> String {
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        self.text()
    }
}

/// nginx with the RTMP module on a loopback port, recording every stream it receives.
pub struct Nginx {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Guarded,
}

impl Drop for Nginx {
    /// Kills the master, then its workers. Killing the master alone leaves the worker holding
    /// the port (and its streams) after the test; killing the workers first lets the master
    /// respawn one in between, which then holds the port with no master: a server restarted
    /// on that port would be shadowed by it.
    fn drop(&mut self) {
        let master = self.child.0.id();
        let mut workers = Vec::new();
        if let Ok(procs) = std::fs::read_dir("/proc") {
            for p in procs.flatten() {
                let Ok(stat) = std::fs::read_to_string(p.path().join("stat")) else { continue };
                // pid (comm) state ppid …
                let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)).and_then(|v| v.parse::<u32>().ok());
                if ppid == Some(master)
                    && let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<i32>().ok())
                {
                    workers.push(pid);
                }
            }
        }
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
        for pid in workers {
            // SAFETY: signalling a process this test started (nginx's worker).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        // Wait until the port is free: the next server on it must be the only one.
        let until = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Nginx {
    pub fn start(port: u16) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("rec")).unwrap();
        std::fs::create_dir_all(p.join("logs")).unwrap();
        let module = ["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"]
            .into_iter()
            .find(|m| Path::new(m).is_file())
            .expect("nginx's RTMP module is installed (apt-get install libnginx-mod-rtmp)");
        let conf = format!(
            "load_module {module};\nuser root;\nworker_processes 1;\nerror_log {d}/logs/error.log warn;\npid {d}/nginx.pid;\n\
             events {{ worker_connections 64; }}\n\
             rtmp {{ access_log {d}/logs/rtmp-access.log; server {{ listen 127.0.0.1:{port}; chunk_size 4096;\n\
               application live {{ live on; record all; record_path {d}/rec; record_unique off; }} }} }}\n",
            d = p.display()
        );
        std::fs::write(p.join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .args(["-p"])
            .arg(p)
            .arg("-c")
            .arg(p.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx runs (apt-get install nginx libnginx-mod-rtmp)");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "nginx did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { port, dir, child: Guarded(child) }
    }

    /// Kills the server the hard way: the master and its workers (a worker left alone would go
    /// on holding the port and the stream).
    pub fn kill(self) {
        drop(self);
    }

    pub fn recording(&self, key: &str) -> PathBuf {
        self.dir.path().join("rec").join(format!("{key}.flv"))
    }

    /// How many times a stream `key` was published (nginx logs each session when it ends).
    pub fn publishes(&self, key: &str) -> usize {
        let log = std::fs::read_to_string(self.dir.path().join("logs/rtmp-access.log")).unwrap_or_default();
        log.lines().filter(|l| l.contains("PUBLISH") && l.contains(&format!("\"{key}\""))).count()
    }
}

/// The timestamps (seconds) of one kind of packet (`v` or `a`) in a media file.
pub fn packet_times(input: &str, kind: &str) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", kind, "-show_entries", "packet=pts_time", "-of", "csv=p=0", input])
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    assert!(out.status.success(), "ffprobe {input}: {}", String::from_utf8_lossy(&out.stderr));
    let mut t: Vec<f64> = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().trim_end_matches(',').parse().ok()).collect();
    t.sort_by(f64::total_cmp);
    t
}

/// A plain HTTP GET to 127.0.0.1; the body.
pub fn get(port: u16, path: &str) -> Option<String> {
    http_get(port, path).ok()
}

/// ffprobe's view of a file or URL, as JSON.
pub fn ffprobe(input: &str) -> serde_json::Value {
    let out = run_ffprobe(input);
    assert!(out.status.success(), "ffprobe {input}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// [`ffprobe`] of a live URL, tried again until `within` has passed: a show publishes only
/// once its models are loaded, which takes seconds more on a busy machine.
pub fn ffprobe_live(url: &str, within: Duration) -> serde_json::Value {
    let until = Instant::now() + within;
    loop {
        let out = run_ffprobe(url);
        if out.status.success() {
            return serde_json::from_slice(&out.stdout).unwrap();
        }
        assert!(Instant::now() < until, "ffprobe {url} for {within:?}: {}", String::from_utf8_lossy(&out.stderr));
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn run_ffprobe(input: &str) -> std::process::Output {
    Command::new("ffprobe")
        .args(["-v", "error", "-rw_timeout", "15000000", "-show_streams", "-show_format", "-of", "json", input])
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)")
}

pub fn stream<'a>(probe: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    probe["streams"].as_array().unwrap().iter().find(|s| s["codec_type"] == kind).unwrap_or_else(|| panic!("no {kind} stream in {probe}"))
}

/// Mono samples of a 16-bit WAV as -1…1, and its rate.
pub fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let ch = spec.channels as usize;
    let all: Vec<f32> = r.samples::<i16>().map(|s| s.unwrap() as f32 / 32768.0).collect();
    (all.chunks(ch).map(|c| c.iter().sum::<f32>() / ch as f32).collect(), spec.sample_rate)
}

/// RMS of consecutive windows of `n` samples.
pub fn rms_windows(samples: &[f32], n: usize) -> Vec<f32> {
    samples.chunks(n).map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt()).collect()
}

pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    cov / (va.sqrt() * vb.sqrt())
}

/// Subtitle cues of an SRT file: (start, end, text).
pub fn read_srt(path: &Path) -> Vec<(f64, f64, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let t = |s: &str| {
        let s = s.trim().replace(',', ".");
        let p: Vec<f64> = s.split(':').map(|x| x.parse().unwrap()).collect();
        p[0] * 3600.0 + p[1] * 60.0 + p[2]
    };
    text.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|b| {
            let lines: Vec<&str> = b.lines().collect();
            let (a, z) = lines[1].split_once(" --> ").unwrap();
            (t(a), t(z), lines[2..].join(" "))
        })
        .collect()
}

/// RGB frames of a video, decoded by ffmpeg.
pub fn decode_frames(path: &Path, width: u32, height: u32) -> Vec<Vec<u8>> {
    let mut child = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg runs");
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(child.wait().unwrap().success());
    out.chunks_exact((width * height * 3) as usize).map(|c| c.to_vec()).collect()
}

/// A headless Chromium with a DevTools connection to its page.
pub struct Browser {
    _child: Guarded,
    _profile: tempfile::TempDir,
    ws: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Browser {
    pub fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(["/usr/bin/chromium", "chromium"].into_iter().find(|c| Path::new(c).is_file()).unwrap_or("chromium"))
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                &format!("--remote-debugging-port={port}"),
                &format!("--user-data-dir={}", profile.path().display()),
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium runs (apt-get install chromium)");
        let child = Guarded(child);
        // Find the page's DevTools socket.
        let start = Instant::now();
        let ws_url = loop {
            if let Ok(body) = http_get(port, "/json/list") {
                if let Ok(list) = serde_json::from_str::<serde_json::Value>(&body) {
                    if let Some(u) = list.as_array().and_then(|a| a.iter().find(|t| t["type"] == "page")).and_then(|t| t["webSocketDebuggerUrl"].as_str()) {
                        break u.to_string();
                    }
                }
            }
            assert!(start.elapsed() < Duration::from_secs(30), "chromium's DevTools did not come up");
            std::thread::sleep(Duration::from_millis(200));
        };
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (ws, _) = tungstenite::client(ws_url.as_str(), stream).expect("DevTools websocket");
        Browser { _child: child, _profile: profile, ws, next_id: 1 }
    }

    /// Evaluates a JavaScript expression in the page and returns its JSON value.
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = serde_json::json!({"id": id, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": true, "awaitPromise": true}});
        self.ws.send(tungstenite::Message::Text(msg.to_string().into())).unwrap();
        loop {
            let m = self.ws.read().unwrap();
            if let tungstenite::Message::Text(t) = m {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if v["id"] == id {
                    return v["result"]["result"]["value"].clone();
                }
            }
        }
    }
}

fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    let mut length = None;
    // Headers; DevTools keeps the connection open, so the body is read by its length.
    loop {
        line.clear();
        r.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; length.unwrap_or(0)];
    r.read_exact(&mut body)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// An IRC server (Debian's ngircd) on a loopback port, for the Twitch/IRC chat source.
pub struct Ircd {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Guarded>,
}

impl Ircd {
    pub fn start(port: u16) -> Ircd {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ngircd.conf"),
            format!("[Global]\nName = irc.evercast.test\nInfo = evercast tests\nListen = 127.0.0.1\nPorts = {port}\nMotdPhrase = \"evercast tests\"\n[Limits]\nMaxNickLength = 30\n[Options]\nPAM = no\nIdent = no\nDNS = no\n"),
        )
        .unwrap();
        let mut s = Ircd { port, dir, child: None };
        s.up();
        s
    }

    fn up(&mut self) {
        let bin = ["/usr/sbin/ngircd", "/usr/bin/ngircd"].into_iter().find(|p| Path::new(p).is_file()).expect("ngircd is installed (scripts/setup.sh --tests: apt-get install ngircd)");
        let child = Command::new(bin).args(["-n", "-f"]).arg(self.dir.path().join("ngircd.conf")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "ngircd did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(Guarded(child));
    }

    /// Kills the server and starts it again on the same port after `gap`.
    pub fn restart(&mut self, gap: Duration) {
        self.child = None;
        std::thread::sleep(gap);
        self.up();
    }

    /// A viewer registers, joins `#channel` and says `text`.
    pub fn say(&self, channel: &str, nick: &str, text: &str) {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut w = s.try_clone().unwrap();
        write!(w, "NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        loop {
            line.clear();
            assert!(r.read_line(&mut line).unwrap() > 0, "the IRC server hung up");
            if line.contains(" 001 ") {
                write!(w, "JOIN {channel}\r\n").unwrap();
            }
            if line.contains("JOIN") && line.contains(channel) {
                break;
            }
        }
        write!(w, "PRIVMSG {channel} :{text}\r\nQUIT :bye\r\n").unwrap();
        while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            line.clear();
        }
    }
}

/// An HTTP request to 127.0.0.1 with an optional bearer token and JSON body: (status, body).
pub fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, String) {
    // Nothing listening (yet): status 0.
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return (0, String::new()) };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let body = body.unwrap_or("");
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    if s.read_to_string(&mut out).is_err() {
        return (0, String::new());
    }
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, body.to_string())
}

/// The lines of a JSONL file.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The longest run of near-silence (seconds) in a media file's audio.
pub fn longest_silence(media: &Path) -> f64 {
    let wav = tempfile::Builder::new().suffix(".wav").tempfile().unwrap();
    let out = Command::new("ffmpeg").args(["-v", "error", "-y", "-i"]).arg(media).args(["-ac", "1", "-ar", "16000"]).arg(wav.path()).output().expect("ffmpeg runs");
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    let (samples, rate) = read_wav(wav.path());
    let window = (rate / 10) as usize;
    let mut longest = 0usize;
    let mut run = 0usize;
    for r in rms_windows(&samples, window) {
        if r < 0.002 {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest as f64 * 0.1
}
