//! Apertium, the rule-based engine for en↔es: fast (milliseconds a sentence), deterministic,
//! no model to load, and it never invents content. It sits behind the LLM for Spanish rooms, or
//! in front of it where CPU is short.
//!
//! One long-lived pipeline per engine, in null-flush mode: each request is written followed by
//! `\0` and its translation is read up to the next `\0`, so the transducers load once instead
//! of once a sentence. The `apertium` wrapper script cannot do this for plain text (its txt
//! deformatter does not flush), so the engine runs the pair's mode pipeline itself
//! (`apertium-wblank-mode -z <pair>.mode`) and does the txt deformatting here: escape the
//! stream's reserved characters, and end each request with a superblank (`[][\n]`), without
//! which the first stages hold the last word back. Unknown words pass unmarked (`-n`). The
//! placeholders `⟦n⟧` travel as an unknown symbol, a number and a symbol, which every stage
//! passes through.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, unbounded};
use regex::Regex;
use show::stages::StageError;

use crate::engine::{Engine, Job};

const INSTALL: &str = "apt-get install apertium apertium-eng-spa";
/// Longest wait for one sentence (a healthy pipeline answers in milliseconds).
const TIMEOUT: Duration = Duration::from_secs(10);

/// Characters the Apertium stream format reserves (what `apertium-destxt` escapes).
const RESERVED: &[char] = &['[', ']', '{', '}', '@', '$', '^', '/', '\\', '<', '>'];

/// The Apertium engine for one language pair, e.g. `eng-spa`.
pub struct Apertium {
    pair: String,
    from: String,
    to: String,
    script: String,
    process: Option<Pipeline>,
}

struct Pipeline {
    child: Child,
    stdin: ChildStdin,
    out: Receiver<String>,
}

impl Pipeline {
    /// Ends every stage: the pipeline runs in a process group of its own, led by the child.
    fn kill(&mut self) {
        let pgid = i32::try_from(self.child.id()).unwrap_or(0);
        // Never 0 or 1: those would signal our own group or every process.
        if pgid > 1 {
            // SAFETY: sends a signal to the pipeline's own process group only.
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Apertium {
    /// Starts the pipeline for `pair` (`eng-spa`) and checks it answers.
    pub fn new(pair: &str) -> Result<Apertium, StageError> {
        let (from, to) = pair
            .split_once('-')
            .map(|(a, b)| (iso639_1(a).to_string(), iso639_1(b).to_string()))
            .ok_or_else(|| {
                StageError::unsupported(format!("`{pair}` is not an Apertium pair such as eng-spa"))
            })?;
        let mode = find_mode(pair).ok_or_else(|| {
            StageError::missing(format!(
                "the Apertium pair {pair} is not installed: {}",
                install_hint(pair)
            ))
        })?;
        let script = Command::new("apertium-wblank-mode")
            .arg("-z")
            .arg(&mode)
            .output()
            .map_err(|e| {
                StageError::missing(format!(
                    "cannot run apertium-wblank-mode ({e}): {}",
                    install_hint(pair)
                ))
            })?;
        if !script.status.success() {
            return Err(StageError::failed(format!(
                "apertium-wblank-mode failed on {}: {}",
                mode.display(),
                String::from_utf8_lossy(&script.stderr).trim()
            )));
        }
        let script = String::from_utf8_lossy(&script.stdout).trim().to_string();
        let mut engine = Apertium {
            pair: pair.to_string(),
            from,
            to,
            script,
            process: None,
        };
        // Loads the transducers now, and proves the pipeline flushes.
        let probe = engine.run("Hello.")?;
        tracing::info!(pair, probe = %probe, "apertium ready");
        Ok(engine)
    }

    fn start(&self) -> Result<Pipeline, StageError> {
        // The mode script reads the generator option as $1 (`-n`: unknown words unmarked)
        // and the tagger's as $2.
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(&self.script)
            .arg("apertium")
            .arg("-n")
            .arg("")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| {
                StageError::missing(format!(
                    "cannot start apertium ({e}): {}",
                    install_hint(&self.pair)
                ))
            })?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| StageError::failed("apertium: no stdin"))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| StageError::failed("apertium: no stdout"))?;
        let stderr = child.stderr.take();
        let (tx, out) = unbounded();
        std::thread::Builder::new()
            .name("apertium-out".into())
            .spawn(move || {
                let mut pending = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(i) = pending.iter().position(|&b| b == 0) {
                        let chunk: Vec<u8> = pending.drain(..=i).collect();
                        if tx
                            .send(String::from_utf8_lossy(&chunk[..i]).into_owned())
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            })
            .map_err(|e| StageError::failed(format!("apertium: cannot start its reader: {e}")))?;
        if let Some(mut err) = stderr {
            let pair = self.pair.clone();
            let _ = std::thread::Builder::new().name("apertium-err".into()).spawn(move || {
                let mut s = String::new();
                let _ = err.read_to_string(&mut s);
                if !s.trim().is_empty() {
                    tracing::warn!(pair = %pair, stderr = %s.trim(), "apertium wrote to stderr");
                }
            });
        }
        Ok(Pipeline { child, stdin, out })
    }

    /// Translates `text` once, restarting the pipeline once if it died.
    fn run(&mut self, text: &str) -> Result<String, StageError> {
        let request = format!("{}[][\n]\0", escape(text));
        let mut last = String::new();
        for attempt in 0..2 {
            if self.process.is_none() {
                self.process = Some(self.start()?);
            }
            let Some(p) = self.process.as_mut() else {
                continue;
            };
            let sent = p
                .stdin
                .write_all(request.as_bytes())
                .and_then(|()| p.stdin.flush());
            let reply = match sent {
                Ok(()) => p.out.recv_timeout(TIMEOUT).map_err(|e| match e {
                    RecvTimeoutError::Timeout => format!("no answer in {}s", TIMEOUT.as_secs()),
                    RecvTimeoutError::Disconnected => "the pipeline exited".to_string(),
                }),
                Err(e) => Err(format!("cannot write to the pipeline: {e}")),
            };
            match reply {
                Ok(out) => return Ok(clean(&unformat(&out))),
                Err(e) => {
                    tracing::warn!(pair = %self.pair, attempt, error = %e, "apertium failed; restarting it");
                    last = e;
                    self.process = None; // killed on drop
                }
            }
        }
        Err(StageError::failed(format!(
            "apertium {}: {last}",
            self.pair
        )))
    }
}

impl Engine for Apertium {
    fn name(&self) -> &str {
        "apertium"
    }

    fn translate(&mut self, locked_text: &str, job: &Job<'_>) -> Result<String, StageError> {
        if job.from.language() != self.from || job.to.language() != self.to {
            return Err(StageError::unsupported(format!(
                "apertium {} cannot translate {} to {}",
                self.pair, job.from, job.to
            )));
        }
        self.run(locked_text)
    }
}

fn install_hint(pair: &str) -> String {
    if pair == "eng-spa" {
        INSTALL.to_string()
    } else {
        format!("apt-get install apertium apertium-{pair}")
    }
}

/// Where the pair's mode file lives (`$APERTIUM_DATADIR`, then the usual prefixes).
fn find_mode(pair: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("APERTIUM_DATADIR") {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from("/usr/share/apertium"));
    dirs.push(PathBuf::from("/usr/local/share/apertium"));
    dirs.into_iter()
        .map(|d| d.join("modes").join(format!("{pair}.mode")))
        .find(|p| Path::new(p).is_file())
}

/// Apertium names languages with ISO 639-3 codes; locales use 639-1.
fn iso639_1(code: &str) -> &str {
    match code {
        "eng" => "en",
        "spa" => "es",
        "cat" => "ca",
        "por" => "pt",
        "fra" => "fr",
        "ita" => "it",
        "glg" => "gl",
        "oci" => "oc",
        "deu" => "de",
        "nld" => "nl",
        other => other,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        // A line break would end the request early; the stream treats it as a blank anyway.
        let c = if c == '\n' || c == '\0' { ' ' } else { c };
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Drops superblanks (`[...]`, format the deformatter put aside) and unescapes.
fn unformat(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '[' => {
                // Skip to the matching unescaped ']'.
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        ']' => break,
                        _ => {}
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Removes unknown-word marks (`*word`, `#word`, `@word`) that some stages still write.
/// Handles and hashtags of the show are locked away before translation, so none is lost here.
fn clean(s: &str) -> String {
    static MARKS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(^|[\s¡¿(«"'])[*#@~](\p{L})"#).expect("valid regex"));
    MARKS.replace_all(s.trim(), "$1$2").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unformats() {
        assert_eq!(
            escape("Only [1] at <b>@x</b>"),
            r"Only \[1\] at \<b\>\@x\<\/b\>"
        );
        assert_eq!(
            unformat(
                r" Es sólo \[1\] hoy. [][
]"
            ),
            " Es sólo [1] hoy. "
        );
        assert_eq!(clean(" *Grab el #ser [1] @foo. "), "Grab el ser [1] foo.");
    }

    #[test]
    fn restarts_a_dead_pipeline_once() {
        let mut ap = Apertium::new("eng-spa")
            .unwrap_or_else(|e| panic!("{e} (apt-get install apertium apertium-eng-spa)"));
        ap.process.as_mut().expect("started").kill();
        assert_eq!(ap.run("Hello.").expect("restarted"), "Hola.");
    }
}
