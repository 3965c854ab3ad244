//! The demo show, built into the binary so `evercast run` works from any folder.

use std::path::PathBuf;

use anyhow::{Context, Result};

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// Unpacks the demo into a cache folder and returns its show file.
pub fn unpack() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("evercast")
        .join(format!("demo-{}", env!("CARGO_PKG_VERSION")));
    for (name, bytes) in DEMO_FILES {
        let path = base.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        if std::fs::read(&path).ok().as_deref() != Some(*bytes) {
            std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(base.join("show.toml"))
}
