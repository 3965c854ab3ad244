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

/// Where this machine keeps ONNX Runtime's optimised graph of `model`: [`show::cache_dir`]
/// then `onnx-optimized/`, named by the model file (name, size, modification time), the
/// runtime library and this CPU — the fullest optimisation level lays tensors out for the CPU
/// it ran on, so the copy is this machine's only. A copy is about the model's size; one for a model since replaced stays
/// until the folder is cleared. `None`: no such folder.
fn optimized_path(models_dir: &Path, model: &Path) -> Option<PathBuf> {
    let dir = show::cache_dir()?;
    let meta = std::fs::metadata(model).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let library = library_path(models_dir);
    let library_bytes = std::fs::metadata(&library).map_or(0, |m| m.len());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).map(str::to_string))
        .unwrap_or_default();
    #[cfg(target_arch = "x86_64")]
    let isa = format!("{}{}{}", is_x86_feature_detected!("avx2"), is_x86_feature_detected!("avx512f"), is_x86_feature_detected!("avx512vnni"));
    #[cfg(not(target_arch = "x86_64"))]
    let isa = String::new();
    let machine = fnv1a(&format!("{}|{library_bytes}|{cpu}|{isa}|{}", library.display(), std::env::consts::ARCH));
    let name = model.file_stem()?.to_string_lossy().into_owned();
    Some(dir.join("onnx-optimized").join(format!("{name}.{}.{modified}.{machine:016x}.onnx", meta.len())))
}

/// FNV-1a, 64 bits: a stable short name for a machine's description (std's hasher may change
/// between Rust releases, and the cache outlives a build).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
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
    let builder = Session::builder(env)
        .map_err(err)?
        .with_intra_threads(threads)
        .map_err(|e| err(e.into()))?
        .with_inter_threads(1)
        .map_err(|e| err(e.into()))?
        // Idle threads sleep rather than spin: a voice always shares the cores with video and
        // the writer, and spinning cost more than it gained (`bench voice` with a 720p room
        // streaming: Kokoro RTF 0.76 without, 0.84 with; Piper's first audio 109 vs 157 ms).
        // `EVERCAST_VOICE_SPIN=1` turns it on for a machine that only speaks.
        .with_intra_op_spinning(std::env::var_os("EVERCAST_VOICE_SPIN").is_some())
        .map_err(|e| err(e.into()))?;
    // The graph optimisations take most of a session's start (2.9 of Piper's 3.8 s on two
    // cores), at every start: the optimised graph is kept per machine and read as it is.
    let kept = optimized_path(models_dir, model);
    let mut from_cache = None;
    if let Some(kept) = kept.as_ref().filter(|k| k.is_file()) {
        match builder.clone().with_optimization_level(GraphOptimizationLevel::Disable).map_err(|e| err(e.into())).and_then(|mut b| b.commit_from_file(kept).map_err(err)) {
            Ok(s) => from_cache = Some(s),
            Err(e) => {
                tracing::warn!(target: "voice", kept = %kept.display(), "the kept optimised voice model does not load ({e}); optimising the original again");
                let _ = std::fs::remove_file(kept);
            }
        }
    }
    let optimised_here = from_cache.is_none();
    let session = match from_cache {
        Some(s) => s,
        None => {
            let mut b = builder.with_optimization_level(GraphOptimizationLevel::Level3).map_err(|e| err(e.into()))?;
            // Written beside its final name and renamed, so a process loading it meanwhile
            // (tests run several) never reads half a file.
            let partial = kept.as_ref().map(|k| k.with_extension(format!("{}.partial", std::process::id())));
            if let Some(p) = partial.as_ref().filter(|p| p.parent().is_some_and(|d| std::fs::create_dir_all(d).is_ok())) {
                b = b.with_optimized_model_path(p).map_err(|e| err(e.into()))?;
            }
            let s = match b.commit_from_file(model) {
                Ok(s) => s,
                Err(e) => {
                    if let Some(p) = &partial {
                        let _ = std::fs::remove_file(p);
                    }
                    return Err(err(e));
                }
            };
            if let (Some(p), Some(k)) = (&partial, &kept)
                && p.is_file()
                && let Err(e) = std::fs::rename(p, k)
            {
                tracing::debug!(target: "voice", error = %e, "the optimised voice model is not kept");
                let _ = std::fs::remove_file(p);
            }
            s
        }
    };
    tracing::info!(target: "voice", model = %model.display(), threads, optimised_here, ms = started.elapsed().as_millis() as u64, "voice model loaded");
    let shared = Arc::new(Mutex::new(session));
    sessions.push((model.to_path_buf(), shared.clone()));
    Ok(shared)
}
