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

/// Times a stalled voice was abandoned and opened afresh, across the process (for `/metrics`).
pub static VOICE_RESTARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How long one line may take to speak before the voice counts as stalled: a base, plus (for
/// a neural voice) an allowance per character of the line. espeak-ng says any line in a
/// fraction of a second. A neural voice says a long line in about 2 s on a 2-core machine with
/// one room streaming, but a language swap (a second voice rendering the new fillers, the
/// translator, two encoders) has made Kokoro take over 10 s on a 100-character line; cutting a
/// slow line short throws its work away and reloads the model, which is dead air. 150 ms a
/// character is a real-time factor of about 2.
const VOICE_STALL: std::time::Duration = std::time::Duration::from_secs(10);
pub const NEURAL_STALL_PER_CHAR: std::time::Duration = std::time::Duration::from_millis(150);

type Reopen = Box<dyn FnMut() -> Result<Box<dyn Voice>, StageError> + Send>;

/// A voice on a thread of its own, watched: a line that takes longer than [`VOICE_STALL`]
/// (and `per_char` for each of its characters) fails (the room says a filler meanwhile), the
/// stuck thread is left to finish on its own, and a fresh voice is opened for the next line. A voice that hangs (an ONNX session stuck, an
/// espeak-ng lock never released) costs a line, not the show.
pub struct Supervised {
    name: String,
    worker: Option<VoiceWorker>,
    reopen: Reopen,
    limit: std::time::Duration,
    per_char: std::time::Duration,
}

struct VoiceWorker {
    jobs: crossbeam_channel::Sender<(show::Line, Locale)>,
    done: crossbeam_channel::Receiver<Result<Utterance, StageError>>,
}

impl VoiceWorker {
    fn spawn(mut voice: Box<dyn Voice>) -> Result<VoiceWorker, StageError> {
        let (jobs, job_rx) = crossbeam_channel::bounded::<(show::Line, Locale)>(1);
        let (done_tx, done) = crossbeam_channel::bounded(1);
        std::thread::Builder::new()
            .name(format!("voice-{}", voice.name()))
            .spawn(move || {
                for (line, locale) in job_rx {
                    if done_tx.send(voice.speak(&line, &locale)).is_err() {
                        return; // abandoned while it worked: the supervisor moved on
                    }
                }
            })
            .map_err(|e| StageError::failed(format!("cannot start the voice's thread: {e}")))?;
        Ok(VoiceWorker { jobs, done })
    }
}

impl Supervised {
    /// `per_char`: the extra time a line may take per character ([`NEURAL_STALL_PER_CHAR`]
    /// for a neural voice, zero for espeak-ng).
    pub fn new(voice: Box<dyn Voice>, reopen: Reopen, per_char: std::time::Duration) -> Result<Supervised, StageError> {
        Ok(Supervised { name: voice.name().to_string(), worker: Some(VoiceWorker::spawn(voice)?), reopen, limit: VOICE_STALL, per_char })
    }

    #[cfg(test)]
    fn with_limit(mut self, limit: std::time::Duration) -> Self {
        self.limit = limit;
        self
    }

    fn restart(&mut self) -> Result<(), StageError> {
        VOICE_RESTARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let voice = (self.reopen)()?;
        self.worker = Some(VoiceWorker::spawn(voice)?);
        tracing::warn!("the {} voice was opened afresh", self.name);
        Ok(())
    }
}

impl Voice for Supervised {
    fn name(&self) -> &str {
        &self.name
    }

    fn speak(&mut self, line: &show::Line, locale: &Locale) -> Result<Utterance, StageError> {
        if self.worker.is_none() {
            self.restart()?;
        }
        let w = self.worker.as_ref().expect("a worker after restart");
        let chars = line.display(locale).chars().count() as u32;
        let limit = self.limit + self.per_char * chars;
        if w.jobs.send((line.clone(), locale.clone())).is_err() {
            // Its thread ended (a panic in the engine): open it again for the next line.
            self.worker = None;
            return Err(StageError::failed(format!("the {} voice's thread ended", self.name)));
        }
        match w.done.recv_timeout(limit) {
            Ok(r) => r,
            Err(e) => {
                let why = match e {
                    crossbeam_channel::RecvTimeoutError::Timeout => format!("took more than {limit:.1?} on a line of {chars} characters"),
                    crossbeam_channel::RecvTimeoutError::Disconnected => "its thread ended".to_string(),
                };
                tracing::error!("the {} voice stalled ({why}): it is restarted", self.name);
                self.worker = None;
                if let Err(e) = self.restart() {
                    tracing::error!("the {} voice could not be opened again: {e:?}; the next line tries again", self.name);
                }
                Err(StageError::failed(format!("the {} voice stalled ({why})", self.name)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use show::{Line, SegmentKind};

    /// A voice that hangs on lines saying "hang" (as a stuck engine would) and speaks others.
    struct Sticky(&'static str);

    impl Voice for Sticky {
        fn name(&self) -> &str {
            self.0
        }
        fn speak(&mut self, line: &Line, _: &Locale) -> Result<Utterance, StageError> {
            let text = line.display(&Locale::parse("en-US").unwrap());
            if text.contains("hang") {
                std::thread::sleep(std::time::Duration::from_secs(3));
            }
            Ok(Utterance { line: line.clone(), display: text.clone(), spoken: text, samples: vec![0.1; 480], visemes: Default::default(), words: vec![] })
        }
    }

    #[test]
    fn a_stalled_voice_fails_its_line_and_is_opened_again() {
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let o = opened.clone();
        let mut v = Supervised::new(Box::new(Sticky("sticky")), Box::new(move || {
            o.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(Box::new(Sticky("sticky")) as Box<dyn Voice>)
        }), std::time::Duration::from_millis(10))
        .unwrap()
        .with_limit(std::time::Duration::from_millis(300));
        let en = Locale::parse("en-US").unwrap();
        let say = |t: &str| Line::new(SegmentKind::Pitch, None).text(t);
        assert!(v.speak(&say("hello"), &en).is_ok());
        let t0 = std::time::Instant::now();
        let err = v.speak(&say("now hang"), &en).unwrap_err();
        // 300 ms + 8 characters × 10 ms.
        assert!(t0.elapsed() < std::time::Duration::from_secs(2), "the stall was not cut short");
        assert!(t0.elapsed() >= std::time::Duration::from_millis(380), "the per-character allowance was not given");
        assert!(err.message.contains("stalled"), "{err:?}");
        assert_eq!(opened.load(std::sync::atomic::Ordering::Relaxed), 1);
        // The fresh voice speaks at once (the stuck one is still asleep).
        let t0 = std::time::Instant::now();
        assert!(v.speak(&say("hello again"), &en).is_ok());
        assert!(t0.elapsed() < std::time::Duration::from_secs(1));
    }
}
