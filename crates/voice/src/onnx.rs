//! ONNX Runtime for the neural voices: the shared library is loaded at run time (the `ort`
//! crate's `load-dynamic`), from `ORT_DYLIB_PATH` or the models folder where
//! `evercast models install onnxruntime` puts it, so nothing is downloaded at build time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use crate::error::VoiceError;

/// The library file the manifest's `onnxruntime` model installs.
pub const LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";

/// Where the runtime was loaded from, once loaded.
/// The environment is kept for the life of the process: sessions hold only a weak link to it.
static RUNTIME: OnceLock<Result<(PathBuf, ort::environment::Environment), String>> = OnceLock::new();

/// The ONNX Runtime library to load: `ORT_DYLIB_PATH`, else `models_dir/onnxruntime/`.
pub fn library_path(models_dir: &Path) -> PathBuf {
    match std::env::var_os("ORT_DYLIB_PATH") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => models_dir.join("onnxruntime").join(LIBRARY_FILE),
    }
}

/// Loads ONNX Runtime once per process. The first caller's models folder decides where from;
/// a missing library is an error naming the install command.
pub fn runtime(models_dir: &Path) -> Result<&'static ort::environment::Environment, VoiceError> {
    let loaded = RUNTIME.get_or_init(|| {
        let path = library_path(models_dir);
        if !path.exists() {
            return Err(format!(
                "ONNX Runtime is not installed (no {}): run `evercast models install onnxruntime`, or set ORT_DYLIB_PATH to a libonnxruntime.so of version 1.31 or later",
                path.display()
            ));
        }
        let env = ort::init_from(&path).map_err(|e| format!("loading ONNX Runtime from {}: {e}", path.display()))?;
        let env = env.with_name("evercast").with_telemetry(false).build().map_err(|e| format!("starting ONNX Runtime: {e}"))?;
        tracing::info!(target: "voice", library = %path.display(), "ONNX Runtime loaded");
        Ok((path, env))
    });
    match loaded {
        Ok((_, env)) => Ok(env),
        Err(e) => Err(VoiceError::Runtime(e.clone())),
    }
}

/// Threads per voice model set by the process ([`set_threads`]); 0: not set.
static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many threads one voice model may use: `EVERCAST_VOICE_THREADS`, else what the process
/// set ([`set_threads`]), else 2 — voices share the machine with the video encoders, and a
/// live reply's first audio comes sooner on two.
pub fn default_threads() -> usize {
    std::env::var("EVERCAST_VOICE_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .or_else(|| Some(THREADS.load(std::sync::atomic::Ordering::Relaxed)).filter(|n| *n > 0))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(2))
}

/// Sets how many threads the voice models loaded from now on use (`EVERCAST_VOICE_THREADS`
/// still wins). An offline render sets 1: it runs the writer, the voice and the encoder at once
/// and keeps every core busy, so a second thread per model only adds hand-offs (the demo's
/// 2-minute preview: 78 → 74.5 CPU s, BENCHMARKS.md).
pub fn set_threads(threads: usize) {
    THREADS.store(threads, std::sync::atomic::Ordering::Relaxed);
}

/// An ONNX model session shared by every room that speaks with it (`Session::run` needs
/// exclusive access; one run at a time keeps the cores for the video).
pub type SharedSession = Arc<Mutex<Session>>;

static SESSIONS: OnceLock<Mutex<Vec<(PathBuf, SharedSession)>>> = OnceLock::new();

/// The session for `model`, loaded once per process.
pub fn session(models_dir: &Path, model: &Path) -> Result<SharedSession, VoiceError> {
    let env = runtime(models_dir)?;
    let mut sessions = SESSIONS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, s)) = sessions.iter().find(|(p, _)| p == model) {
        return Ok(s.clone());
    }
    let threads = default_threads();
    let err = |e: ort::Error| VoiceError::Model { path: model.to_path_buf(), reason: e.to_string() };
    let started = std::time::Instant::now();
    let session = Session::builder(env)
        .map_err(err)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| err(e.into()))?
        .with_intra_threads(threads)
        .map_err(|e| err(e.into()))?
        .with_inter_threads(1)
        .map_err(|e| err(e.into()))?
        // Idle threads sleep rather than spin: a voice always shares the cores with video and
        // the writer, and spinning cost more than it gained (`bench voice` with a 720p room
        // streaming: Kokoro RTF 0.76 without, 0.84 with; Piper's first audio 109 vs 157 ms).
        // `EVERCAST_VOICE_SPIN=1` turns it on for a machine that only speaks.
        .with_intra_op_spinning(std::env::var_os("EVERCAST_VOICE_SPIN").is_some())
        .map_err(|e| err(e.into()))?
        .commit_from_file(model)
        .map_err(err)?;
    tracing::info!(target: "voice", model = %model.display(), threads, ms = started.elapsed().as_millis() as u64, "voice model loaded");
    let shared = Arc::new(Mutex::new(session));
    sessions.push((model.to_path_buf(), shared.clone()));
    Ok(shared)
}
