//! What a room uses: lock the line, ask the memory, then each engine in turn, and accept only a
//! translation that brings every locked term back.
//!
//! An engine's refused attempt is retried once with the reason in the request (a small model
//! often fixes a dropped placeholder when told), then the next engine gets the line. When all
//! fail the chain says so: the director then speaks a native template line, never the
//! untranslated source and never silence.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use show::line::Line;
use show::locale::Locale;
use show::stages::{StageError, Translation, Translator};

use crate::engine::{Engine, Job};
use crate::lock::{Protect, lock, unlock};
use crate::memory::Memory;

/// The translator of one room: its language pack, engines, protected terms and the memory
/// (shared between rooms and shows).
pub struct RoomTranslator {
    pack: String,
    to_name: String,
    engines: Vec<Box<dyn Engine>>,
    protect: Protect,
    memory: Arc<Mutex<Memory>>,
    name: String,
}

impl RoomTranslator {
    /// `pack` keys the memory (a room's locale tag, e.g. `es-MX`); `to_name` names the target
    /// language in prompts ("Mexican Spanish"); `engines` are tried in order.
    pub fn new(
        pack: &str,
        to_name: &str,
        engines: Vec<Box<dyn Engine>>,
        protect: Protect,
        memory: Arc<Mutex<Memory>>,
    ) -> RoomTranslator {
        let name = if engines.is_empty() {
            "memory".to_string()
        } else {
            engines
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join("+")
        };
        RoomTranslator {
            pack: pack.to_string(),
            to_name: to_name.to_string(),
            engines,
            protect,
            memory,
            name,
        }
    }
}

/// The shared memory, locked. A poisoned lock only means another room panicked mid-update;
/// the map is still usable.
fn guard(memory: &Mutex<Memory>) -> MutexGuard<'_, Memory> {
    memory.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Translator for RoomTranslator {
    fn name(&self) -> &str {
        &self.name
    }

    /// The market's guard refused this line's translation: the memory forgets it, so the
    /// next time an engine is asked again rather than the refusal repeating.
    fn refused(&mut self, line: &Line, from: &Locale) {
        let locked = lock(line, &self.protect, from);
        guard(&self.memory).forget(&self.pack, &locked.text);
    }

    fn translate(
        &mut self,
        line: &Line,
        from: &Locale,
        to: &Locale,
    ) -> Result<Translation, StageError> {
        if from.language() == to.language() {
            return Ok(Translation {
                line: line.clone(),
                engine: "same-language".into(),
                notes: Vec::new(),
            });
        }
        let locked = lock(line, &self.protect, from);
        if !locked.has_words() {
            // Only facts, names and glossary terms: nothing for an engine to do. Unlocking the
            // text as it is writes glossary terms the market's way; facts stay facts.
            return match unlock(&locked, &locked.text, line) {
                Ok(out) => Ok(Translation { line: out, engine: "verbatim".into(), notes: Vec::new() }),
                Err(e) => Err(StageError::failed(format!("cannot restore the locked terms: {e}"))),
            };
        }
        let mut notes = Vec::new();
        let remembered = guard(&self.memory).get(&self.pack, &locked.text);
        if let Some(target) = remembered {
            match unlock(&locked, &target, line) {
                Ok(out) => {
                    return Ok(Translation {
                        line: out,
                        engine: "memory".into(),
                        notes,
                    });
                }
                Err(e) => notes.push(format!("memory: {e}")),
            }
        }
        for engine in &mut self.engines {
            let mut retry: Option<String> = None;
            for _attempt in 0..2 {
                let job = Job {
                    from,
                    to,
                    to_name: &self.to_name,
                    retry: retry.as_deref(),
                };
                let reason = match engine.translate(&locked.text, &job) {
                    Ok(out) => match unlock(&locked, &out, line) {
                        Ok(translated) => {
                            guard(&self.memory).put(
                                &self.pack,
                                &locked.text,
                                out.trim(),
                                engine.name(),
                            );
                            tracing::debug!(engine = engine.name(), pack = %self.pack, source = %locked.text, target = %out, "translated");
                            return Ok(Translation {
                                line: translated,
                                engine: engine.name().to_string(),
                                notes,
                            });
                        }
                        Err(e) => {
                            tracing::debug!(engine = engine.name(), source = %locked.text, output = %out, error = %e, "translation refused");
                            e.to_string()
                        }
                    },
                    Err(e) => {
                        let give_up = e.kind != show::stages::StageErrorKind::Failed;
                        notes.push(format!("{}: {e}", engine.name()));
                        if give_up {
                            break; // missing or unsupported: a retry cannot help
                        }
                        continue;
                    }
                };
                notes.push(format!("{}: {reason}", engine.name()));
                retry = Some(reason);
            }
        }
        if self.engines.is_empty() {
            // The memory alone (a room in a hurry): a miss is expected, not a fault.
            tracing::debug!(pack = %self.pack, source = %locked.source(), "not in the translation memory");
        } else {
            tracing::warn!(pack = %self.pack, source = %locked.source(), notes = ?notes, "no faithful translation");
        }
        Err(StageError::failed(format!(
            "no faithful translation into {}: {}",
            self.to_name,
            notes.join("; ")
        )))
    }
}
