//! A room's voice: the show's `voice = "…"` or the pack's voices in order, each neural one
//! checked against the model manifest (size and sha256) before it loads, espeak-ng last; and
//! every utterance levelled to the room's programme loudness.

use std::path::Path;

use show::stages::{StageError, StageErrorKind, Voice};
use show::{Locale, SAMPLE_RATE, Utterance};
use voice::voices::{Engine, VoicePaths, VoiceSpec};

/// Opens `spec` after verifying the installed files it needs (a file that fails its checksum
/// is refused with the install command).
pub fn open_voice(spec: &VoiceSpec, models_dir: &Path) -> Result<Box<dyn Voice>, StageError> {
    let verify = |name: &str| {
        script::models::resolve_dir(name, models_dir).map(|_| ()).map_err(|e| match e {
            script::models::ModelError::NotInstalled { .. } => StageError::missing(e.to_string()),
            other => StageError::failed(other.to_string()),
        })
    };
    match spec.engine {
        Engine::Espeak => {}
        Engine::Kokoro => {
            verify("onnxruntime")?;
            verify(voice::kokoro::MODEL)?;
            if voice::kokoro::KokoroLanguage::of_voice(&spec.voice) == Some(voice::kokoro::KokoroLanguage::Japanese) {
                verify("ipadic")?;
            }
        }
        Engine::Piper => {
            verify("onnxruntime")?;
            // The manifest's own voice is verified; a voice a user dropped in is theirs.
            if models_dir.join(voice::piper::MODEL).join(format!("{}.onnx", spec.voice)).exists() {
                verify(voice::piper::MODEL)?;
            }
        }
    }
    voice::voices::open(spec, &VoicePaths::new(models_dir))
}

/// A voice that opened, the spec it came from, and why the candidates before it did not.
pub type Opened = (Box<dyn Voice>, VoiceSpec, Vec<String>);

/// The first of `candidates` that opens and speaks `locale`'s language; the reasons the others
/// did not are returned for the log (each names its install command).
pub fn open_first(candidates: &[VoiceSpec], locale: &Locale, models_dir: &Path) -> Result<Opened, StageError> {
    let paths = VoicePaths::new(models_dir);
    let mut skipped = Vec::new();
    let mut last: Option<StageError> = None;
    for spec in candidates {
        if !voice::voices::speaks(spec, locale, &paths) {
            skipped.push(format!("{} does not speak {}", spec.label(), locale.tag()));
            continue;
        }
        match open_voice(spec, models_dir) {
            Ok(v) => return Ok((v, spec.clone(), skipped)),
            Err(e) => {
                skipped.push(format!("{}: {}", spec.label(), e.message));
                // A broken install (checksum) is worth stopping for only when nothing else works.
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| StageError { kind: StageErrorKind::Missing, message: format!("no voice for {}", locale.tag()) }))
}

/// A voice whose utterances are levelled to one programme loudness (see [`voice::loudness`]).
pub struct Leveled {
    pub inner: Box<dyn Voice>,
    pub leveler: voice::Leveler,
}

impl Voice for Leveled {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn speak(&mut self, line: &show::Line, locale: &Locale) -> Result<Utterance, StageError> {
        let mut u = self.inner.speak(line, locale)?;
        self.leveler.apply(&mut u.samples, SAMPLE_RATE);
        Ok(u)
    }
}
