//! The translation memory: translations already made and verified, kept on disk.
//!
//! The key is the *locked* source text, so "It's ⟦1⟧ for the ⟦2⟧!" is one entry whatever the
//! price and the product: a show's template lines hit the memory almost every time and cost no
//! model call. The file is JSON Lines, appended to as translations are made, so a crash loses
//! at most the line being written and two shows can read the same history.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Entry {
    pack: String,
    source: String,
    target: String,
    #[serde(default)]
    engine: String,
}

/// Locked source → locked target, per language pack.
pub struct Memory {
    map: HashMap<(String, String), String>,
    file: Option<(PathBuf, File)>,
    hits: u64,
    misses: u64,
}

impl Memory {
    /// Opens (or creates) the memory at `path`. Lines that do not parse are skipped with a
    /// warning; later entries for the same key win.
    pub fn open(path: &Path) -> Result<Memory, std::io::Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        let mut map = HashMap::new();
        let mut skipped = 0usize;
        for (n, line) in BufReader::new(&file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(&line) {
                // An empty target records a forgotten entry.
                Ok(e) if e.target.is_empty() => {
                    map.remove(&(e.pack, e.source));
                }
                Ok(e) => {
                    map.insert((e.pack, e.source), e.target);
                }
                Err(e) => {
                    skipped += 1;
                    tracing::warn!(path = %path.display(), line = n + 1, error = %e, "skipping a corrupt translation-memory line");
                }
            }
        }
        tracing::debug!(path = %path.display(), entries = map.len(), skipped, "translation memory opened");
        Ok(Memory {
            map,
            file: Some((path.to_path_buf(), file)),
            hits: 0,
            misses: 0,
        })
    }

    /// A memory that lives only as long as the process.
    pub fn in_memory() -> Memory {
        Memory {
            map: HashMap::new(),
            file: None,
            hits: 0,
            misses: 0,
        }
    }

    /// The stored translation of `locked_source` for `pack`; counts a hit or a miss.
    pub fn get(&mut self, pack: &str, locked_source: &str) -> Option<String> {
        let found = self
            .map
            .get(&(pack.to_string(), locked_source.to_string()))
            .cloned();
        if found.is_some() {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        found
    }

    /// Stores a verified translation; on disk too when the memory has a file (a write error is
    /// logged, not fatal: the show goes on without persisting).
    pub fn put(&mut self, pack: &str, locked_source: &str, locked_target: &str, engine: &str) {
        let key = (pack.to_string(), locked_source.to_string());
        if self.map.get(&key).is_some_and(|t| t == locked_target) {
            return;
        }
        self.map.insert(key, locked_target.to_string());
        if let Some((path, file)) = &mut self.file {
            let entry = Entry {
                pack: pack.into(),
                source: locked_source.into(),
                target: locked_target.into(),
                engine: engine.into(),
            };
            let written = serde_json::to_string(&entry)
                .map_err(std::io::Error::other)
                .and_then(|mut s| {
                    s.push('\n');
                    file.write_all(s.as_bytes())
                });
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "cannot append to the translation memory");
            }
        }
    }

    /// Drops an entry (a translation the market's guard refused). A file-backed memory records
    /// the removal as an entry with an empty target, which reopening honours.
    pub fn forget(&mut self, pack: &str, locked_source: &str) {
        let key = (pack.to_string(), locked_source.to_string());
        if self.map.remove(&key).is_none() {
            return;
        }
        if let Some((path, file)) = &mut self.file {
            let entry = Entry { pack: pack.into(), source: locked_source.into(), target: String::new(), engine: "forgotten".into() };
            let written = serde_json::to_string(&entry).map_err(std::io::Error::other).and_then(|mut s| {
                s.push('\n');
                file.write_all(s.as_bytes())
            });
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "cannot append to the translation memory");
            }
        }
    }

    pub fn hits(&self) -> u64 {
        self.hits
    }

    pub fn misses(&self) -> u64 {
        self.misses
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_translation_stays_forgotten_after_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("es.jsonl");
        let mut m = Memory::open(&path).unwrap();
        m.put("es-MX", "It's ⟦1⟧.", "Es ⟦1⟧.", "llm");
        m.put("es-MX", "Tap ⟦1⟧.", "Toca ⟦1⟧.", "llm");
        m.forget("es-MX", "It's ⟦1⟧.");
        assert_eq!(m.get("es-MX", "It's ⟦1⟧."), None);
        drop(m);
        let mut m = Memory::open(&path).unwrap();
        assert_eq!(m.get("es-MX", "It's ⟦1⟧."), None);
        assert_eq!(m.get("es-MX", "Tap ⟦1⟧.").as_deref(), Some("Toca ⟦1⟧."));
    }

    #[test]
    fn persists_across_reopen_counts_hits_and_skips_corrupt_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tm/memory.jsonl");
        {
            let mut m = Memory::open(&path).unwrap();
            assert!(m.is_empty());
            assert_eq!(m.get("es-MX", "It's ⟦1⟧!"), None);
            m.put("es-MX", "It's ⟦1⟧!", "¡Cuesta ⟦1⟧!", "llm");
            m.put("fr-FR", "It's ⟦1⟧!", "C'est ⟦1⟧ !", "llm");
            assert_eq!(m.get("es-MX", "It's ⟦1⟧!").as_deref(), Some("¡Cuesta ⟦1⟧!"));
            assert_eq!((m.hits(), m.misses(), m.len()), (1, 1, 2));
        }
        // A torn or foreign line is skipped, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{not json\n")
            .unwrap();
        let mut m = Memory::open(&path).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("fr-FR", "It's ⟦1⟧!").as_deref(), Some("C'est ⟦1⟧ !"));
        assert_eq!(m.get("de-DE", "It's ⟦1⟧!"), None);
        assert_eq!((m.hits(), m.misses()), (1, 1));
        m.put("es-MX", "It's ⟦1⟧!", "¡Es ⟦1⟧!", "apertium");
        drop(m);
        let mut m = Memory::open(&path).unwrap();
        assert_eq!(
            m.get("es-MX", "It's ⟦1⟧!").as_deref(),
            Some("¡Es ⟦1⟧!"),
            "the later entry wins"
        );

        let mut mem = Memory::in_memory();
        mem.put("es-MX", "a", "b", "llm");
        assert_eq!(mem.get("es-MX", "a").as_deref(), Some("b"));
    }
}
