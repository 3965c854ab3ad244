//! Where a running show is, for a restart: `<state>/show-state.json` holds the product on
//! stage in the first room and its offer countdown, saved every two seconds (written whole,
//! then renamed), so a show killed — even with `kill -9` — and started again resumes there.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::room::{LiveHooks, RoomStatus};
use crate::show::Show;

/// Where a running show is, kept in `<state>/show-state.json` every few seconds, so a show
/// killed (even with `kill -9`) and started again resumes at the same product and offer.
#[derive(serde::Serialize, serde::Deserialize)]
struct ShowState {
    /// The catalog id of the product on stage in the first room.
    product: String,
    /// Seconds left on its offer countdown.
    countdown_left: Option<f64>,
    /// When it was saved (ms since the Unix epoch).
    saved_ms: u64,
}

const STATE_FILE: &str = "show-state.json";

/// A saved state no older than this is resumed (a show down for longer starts over).
const RESUME_WITHIN: Duration = Duration::from_secs(6 * 3600);

/// Where a saved show resumes: the product (its index among the show's products, and its id)
/// and the seconds left on its offer, less the time the show was down. `None`: start over.
pub fn read_state(dir: &Path, show: &Show) -> Option<(usize, String, Option<f64>)> {
    let text = std::fs::read_to_string(dir.join(STATE_FILE)).ok()?;
    let st: ShowState = match serde_json::from_str(&text) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("{} is not a show state ({e}); starting from the top", dir.join(STATE_FILE).display());
            return None;
        }
    };
    let down_ms = show::chat::now_ms().saturating_sub(st.saved_ms);
    if down_ms > RESUME_WITHIN.as_millis() as u64 {
        return None;
    }
    let index = show.products.iter().position(|p| p.id == st.product)?;
    let left = st.countdown_left.map(|l| l - down_ms as f64 / 1000.0).filter(|l| *l > 1.0);
    Some((index, st.product, left))
}

/// Saves where the first room is, every two seconds, until `stop`.
pub fn keep_state(dir: PathBuf, hooks: LiveHooks, status: Arc<Mutex<RoomStatus>>, stop: Arc<AtomicBool>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("show-state".into()).spawn(move || {
        let mut warned = false;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(2));
            let Some(product) = hooks.on_stage.lock().unwrap_or_else(|e| e.into_inner()).clone() else { continue };
            let countdown_left = status.lock().unwrap_or_else(|e| e.into_inner()).countdown_left;
            let st = ShowState { product, countdown_left, saved_ms: show::chat::now_ms() };
            // Written whole, then renamed: a kill mid-write leaves the previous state.
            let tmp = dir.join(format!("{STATE_FILE}.tmp"));
            let r = serde_json::to_vec(&st).map_err(std::io::Error::other).and_then(|b| std::fs::write(&tmp, b)).and_then(|_| std::fs::rename(&tmp, dir.join(STATE_FILE)));
            if let Err(e) = r
                && !warned
            {
                tracing::warn!("cannot save the show state in {}: {e}", dir.display());
                warned = true;
            }
        }
    })
}

