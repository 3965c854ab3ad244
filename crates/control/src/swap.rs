//! Control of a running show: the token, the rooms the operator can reach, and live
//! language-pack swaps, from the local control endpoint (`evercast packs swap`) or from a
//! reloaded show file (SIGHUP).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow, bail};
use director::language::LanguageKit;
use director::room::{LiveHooks, ShowRun, prepare_swap};
use director::show::Show;
use show::{OutputProfile, RoomConfig, ShowConfig};

/// The environment variable that sets the control token (else one is generated).
pub const TOKEN_VAR: &str = "EVERCAST_CONTROL_TOKEN";

pub struct ControlRoom {
    pub room: RoomConfig,
    pub profile: OutputProfile,
    /// The room's inboxes and flags, set by the room while it runs.
    pub hooks: LiveHooks,
}

pub struct Control {
    token: String,
    pub(crate) show: Arc<Show>,
    kit: Arc<LanguageKit>,
    pub(crate) rooms: Vec<ControlRoom>,
    /// The show's writer (product switches).
    pub(crate) run: Arc<ShowRun>,
    /// The pack each room speaks now.
    current: Mutex<HashMap<String, String>>,
}

impl Control {
    pub fn new(token: String, show: Arc<Show>, kit: Arc<LanguageKit>, run: Arc<ShowRun>, rooms: Vec<ControlRoom>) -> Result<Control> {
        let mut current = HashMap::new();
        for r in &rooms {
            current.insert(r.room.id.clone(), kit.pack_for(&r.room)?.id.clone());
        }
        Ok(Control { token, show, kit, rooms, run, current: Mutex::new(current) })
    }

    /// The rooms this show runs.
    pub fn room_ids(&self) -> Vec<String> {
        self.rooms.iter().map(|r| r.room.id.clone()).collect()
    }

    /// The rooms a request names (`None`: all of them).
    pub(crate) fn targets(&self, room: Option<&str>) -> Result<Vec<&ControlRoom>> {
        match room {
            None => Ok(self.rooms.iter().collect()),
            Some(id) => match self.rooms.iter().find(|r| r.room.id == id) {
                Some(r) => Ok(vec![r]),
                None => bail!("no room `{id}` in this show (rooms: {})", self.room_ids().join(", ")),
            },
        }
    }

    /// Whether an `Authorization` header carries the token (compared in constant time).
    pub fn authorized(&self, header: &str) -> bool {
        let Some(given) = header.strip_prefix("Bearer ") else { return false };
        let (a, b) = (given.trim().as_bytes(), self.token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Swaps a room to a pack; returns the pack's id. Blocks while the new language is built.
    pub fn swap(&self, room_id: &str, pack: &str) -> Result<String> {
        let room = self.rooms.iter().find(|r| r.room.id == room_id).ok_or_else(|| {
            anyhow!("no room `{room_id}` in this show (rooms: {})", self.rooms.iter().map(|r| r.room.id.as_str()).collect::<Vec<_>>().join(", "))
        })?;
        let request = prepare_swap(&self.show, &self.kit, &room.room, &room.profile, pack)?;
        let id = request.language.pack.id.clone();
        let sender = room.hooks.swaps.lock().unwrap_or_else(|e| e.into_inner()).clone().ok_or_else(|| anyhow!("room `{room_id}` is not running"))?;
        // Sent and recorded under one lock, so concurrent swaps (HTTP and SIGHUP) agree on
        // what each room speaks.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        sender.try_send(request).map_err(|e| match e {
            crossbeam_channel::TrySendError::Full(_) => anyhow!("room `{room_id}` has a swap pending already; try again in a moment"),
            crossbeam_channel::TrySendError::Disconnected(_) => anyhow!("room `{room_id}` is not running"),
        })?;
        current.insert(room_id.to_string(), id.clone());
        drop(current);
        eprintln!("{room_id:>12}: switching to the {id} pack");
        Ok(id)
    }

    /// Re-reads the show file and swaps every room whose pack changed (SIGHUP).
    pub fn reload(&self, path: &Path) -> Result<()> {
        let config = ShowConfig::load(path).map_err(|e| anyhow!("{e}"))?;
        for r in &self.rooms {
            let Some(new) = config.room(&r.room.id) else { continue };
            let pack = self.kit.pack_for(new)?.id.clone();
            let now = self.current.lock().unwrap_or_else(|e| e.into_inner()).get(&r.room.id).cloned();
            if now.as_deref() != Some(pack.as_str()) {
                self.swap(&r.room.id, &pack)?;
            }
        }
        Ok(())
    }
}

/// The control token: `$EVERCAST_CONTROL_TOKEN`, else a new random one (true: generated).
pub fn token() -> Result<(String, bool)> {
    if let Ok(t) = std::env::var(TOKEN_VAR)
        && !t.trim().is_empty()
    {
        return Ok((t.trim().to_string(), false));
    }
    let mut bytes = [0u8; 16];
    use std::io::Read;
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).map_err(|e| anyhow!("cannot make a control token: {e}"))?;
    Ok((bytes.iter().map(|b| format!("{b:02x}")).collect(), true))
}

/// Where a running show leaves its token for local tools (`evercast packs swap`), readable by
/// its user only.
pub fn token_file(port: u16) -> PathBuf {
    director::language::state_dir().join(format!("control-{port}.token"))
}

pub fn write_token_file(port: u16, token: &str) -> Result<PathBuf> {
    let file = token_file(port);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    // A fresh file (never one planted in its place): removed, then created exclusively.
    let _ = std::fs::remove_file(&file);
    use std::io::Write;
    #[cfg(unix)]
    let mut f = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file)?
    };
    #[cfg(not(unix))]
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&file)?;
    f.write_all(token.as_bytes())?;
    Ok(file)
}

/// `POST` to the local control endpoint; returns the response body, or the server's error.
pub fn post(port: u16, path: &str, token: &str, body: &str) -> Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| anyhow!("no show is running on 127.0.0.1:{port} ({e}); pass --port"))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(120)))?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head.split_whitespace().nth(1).unwrap_or("0");
    // The body may be chunked; the JSON is on one line either way.
    let json = body.lines().find(|l| l.trim_start().starts_with('{')).unwrap_or(body).to_string();
    if status != "200" {
        let msg = serde_json::from_str::<serde_json::Value>(&json).ok().and_then(|v| v["error"].as_str().map(str::to_string)).unwrap_or(json.clone());
        bail!("the show refused ({status}): {msg}");
    }
    Ok(json)
}
