//! The one espeak-ng engine of the process.
//!
//! espeak keeps its state in globals and is not thread-safe, so it is loaded and initialised
//! once and every call goes through one mutex; the voice and rate are set per call because
//! rooms with different voices share it. Synthesis uses the older `espeak_Initialize` API in
//! synchronous mode: it is the one that reports phoneme events, with their place in the audio.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int, c_short, c_void};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use tracing::{debug, info, warn};

use super::ffi::{self, Api, Event};
use crate::error::VoiceError;

/// A voice installed with espeak-ng.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoiceInfo {
    /// The voice's name, e.g. "English (America)".
    pub name: String,
    /// The voice file under `espeak-ng-data/lang`, e.g. "gmw/en-US"; usable as a voice name.
    pub identifier: String,
    /// The languages it speaks, most preferred first, e.g. `["en-us", "en"]`.
    pub languages: Vec<String>,
}

/// What `evercast doctor` reports about espeak-ng.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryInfo {
    /// The library file that was loaded.
    pub library: String,
    /// espeak-ng's version, e.g. "1.51".
    pub version: String,
    /// The `espeak-ng-data` folder in use.
    pub data_path: PathBuf,
    /// espeak's own sample rate (22050 Hz), before resampling.
    pub sample_rate: u32,
    /// How many voices are installed.
    pub voices: usize,
}

/// One event of a synthesis, with its time in the raw audio.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SynthEvent {
    pub ms: u32,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventKind {
    /// A word starts: its first character (from 0) and length in characters of the text.
    Word { char_start: usize, char_len: usize },
    /// A phoneme starts: its IPA name (empty for pauses).
    Phoneme(String),
    /// A sentence or clause ends.
    End,
}

/// Raw output of one synthesis.
pub(crate) struct Synthesis {
    pub samples: Vec<i16>,
    pub sample_rate: u32,
    pub events: Vec<SynthEvent>,
}

pub(crate) struct Engine {
    api: Api,
    info: LibraryInfo,
    voices: Vec<VoiceInfo>,
    /// The voice espeak has loaded, to skip reloading it.
    current_voice: Option<String>,
    /// Whether this espeak's `cmn` voice reads Chinese correctly (1.51 reads tone numbers
    /// aloud in English; see `mandarin`).
    cmn_ok: Option<bool>,
}

/// The Mandarin voice that reads espeak's own pinyin as Mandarin (see `mandarin_reads_hanzi`).
const PINYIN: &str = "cmn-latn-pinyin";

static ENGINE: OnceLock<Result<Mutex<Engine>, VoiceError>> = OnceLock::new();

/// The engine, loaded on first use. A failure to load is remembered: it will not change while
/// the process runs.
pub(crate) fn engine() -> Result<MutexGuard<'static, Engine>, VoiceError> {
    let slot = ENGINE.get_or_init(|| Engine::load().map(Mutex::new));
    match slot {
        // A panic while holding the lock leaves espeak itself consistent (every call sets the
        // voice and parameters afresh), so the poison is cleared rather than spread.
        Ok(m) => Ok(m.lock().unwrap_or_else(|p| p.into_inner())),
        Err(e) => Err(e.clone()),
    }
}

fn library_candidates() -> Vec<String> {
    if let Ok(p) = std::env::var("ESPEAK_NG_LIB")
        && !p.is_empty()
    {
        return vec![p];
    }
    let names: &[&str] = if cfg!(target_os = "macos") {
        &["libespeak-ng.1.dylib", "libespeak-ng.dylib", "/opt/homebrew/lib/libespeak-ng.dylib", "/usr/local/lib/libespeak-ng.dylib"]
    } else if cfg!(windows) {
        &["libespeak-ng.dll", "espeak-ng.dll"]
    } else {
        &["libespeak-ng.so.1", "libespeak-ng.so"]
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// Where espeak-ng-data is, when ESPEAK_DATA_PATH names it (the folder itself or its parent).
fn data_path_override() -> Result<Option<PathBuf>, VoiceError> {
    let Some(p) = std::env::var_os("ESPEAK_DATA_PATH").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let p = PathBuf::from(p);
    if p.join("phontab").is_file() || p.join("espeak-ng-data").join("phontab").is_file() {
        Ok(Some(p))
    } else {
        Err(VoiceError::DataMissing { path: p })
    }
}

thread_local! {
    /// Where the callback puts audio and events; espeak calls it on the thread that called
    /// `espeak_Synth` (synchronous mode), which holds the engine lock.
    static SINK: RefCell<Option<(Vec<i16>, Vec<SynthEvent>)>> = const { RefCell::new(None) };
}

unsafe extern "C" fn synth_callback(wav: *mut c_short, samples: c_int, events: *mut Event) -> c_int {
    SINK.with(|sink| {
        let Ok(mut sink) = sink.try_borrow_mut() else { return };
        let Some((audio, out)) = sink.as_mut() else { return };
        if !wav.is_null() && samples > 0 {
            // SAFETY: espeak hands `samples` valid i16 samples at `wav` for this call.
            audio.extend_from_slice(unsafe { std::slice::from_raw_parts(wav, samples as usize) });
        }
        if events.is_null() {
            return;
        }
        let mut p = events;
        loop {
            // SAFETY: the list is terminated by an event of type LIST_TERMINATED.
            let e = unsafe { *p };
            let kind = match e.kind {
                ffi::EVENT_LIST_TERMINATED => break,
                ffi::EVENT_WORD => Some(EventKind::Word {
                    char_start: usize::try_from(e.text_position - 1).unwrap_or(0),
                    char_len: usize::try_from(e.length).unwrap_or(0),
                }),
                ffi::EVENT_PHONEME => {
                    let end = e.id.iter().position(|b| *b == 0).unwrap_or(e.id.len());
                    Some(EventKind::Phoneme(String::from_utf8_lossy(&e.id[..end]).into_owned()))
                }
                ffi::EVENT_END => Some(EventKind::End),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(SynthEvent { ms: u32::try_from(e.audio_position).unwrap_or(0), kind });
            }
            // SAFETY: not past the terminator yet.
            p = unsafe { p.add(1) };
        }
    });
    0
}

/// A C string from espeak, or "".
fn c_str(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: espeak returns NUL-terminated strings that live as long as its voice list.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

impl Engine {
    fn load() -> Result<Engine, VoiceError> {
        let candidates = library_candidates();
        let mut errors = Vec::new();
        let mut loaded = None;
        for c in &candidates {
            // SAFETY: these names are espeak-ng's library.
            match unsafe { Api::load(c) } {
                Ok(api) => {
                    loaded = Some((c.clone(), api));
                    break;
                }
                Err(e) => errors.push(format!("{c}: {e}")),
            }
        }
        let Some((library, api)) = loaded else {
            return Err(VoiceError::LibraryMissing { tried: errors.join("; ") });
        };
        let data = data_path_override()?;
        let data_c = match &data {
            Some(p) => Some(CString::new(p.to_string_lossy().as_bytes()).map_err(|_| VoiceError::DataMissing { path: p.clone() })?),
            None => None,
        };
        let options = ffi::INITIALIZE_PHONEME_EVENTS | ffi::INITIALIZE_PHONEME_IPA | ffi::INITIALIZE_DONT_EXIT;
        // SAFETY: called once, under the OnceLock, before any other espeak call.
        let rate = unsafe {
            (api.initialize)(ffi::AUDIO_OUTPUT_SYNCHRONOUS, 0, data_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()), options)
        };
        let mut path_data: *const c_char = std::ptr::null();
        // SAFETY: `info` writes a pointer to espeak's static path buffer.
        let version = c_str(unsafe { (api.info)(&mut path_data) });
        let data_path = PathBuf::from(c_str(path_data));
        if rate <= 0 || !data_path.join("phontab").is_file() {
            return Err(VoiceError::DataMissing { path: data.unwrap_or(data_path) });
        }
        // SAFETY: the callback is a plain function that only touches thread-local state.
        unsafe { (api.set_synth_callback)(Some(synth_callback)) };
        let voices = list(&api);
        info!(target: "voice", library, version, data = %data_path.display(), voices = voices.len(), "espeak-ng loaded");
        Ok(Engine {
            info: LibraryInfo { library, version, data_path, sample_rate: rate as u32, voices: voices.len() },
            api,
            voices,
            current_voice: None,
            cmn_ok: None,
        })
    }

    pub fn info(&self) -> &LibraryInfo {
        &self.info
    }

    pub fn voices(&self) -> &[VoiceInfo] {
        &self.voices
    }

    fn set_voice(&mut self, name: &str) -> Result<(), c_int> {
        if self.current_voice.as_deref() == Some(name) {
            return Ok(());
        }
        let c = CString::new(name).map_err(|_| -1)?;
        // SAFETY: a valid C string; the engine lock is held.
        let rc = unsafe { (self.api.set_voice_by_name)(c.as_ptr()) };
        if rc == ffi::EE_OK {
            self.current_voice = Some(name.to_string());
            Ok(())
        } else {
            self.current_voice = None;
            Err(rc)
        }
    }

    /// The name espeak should load for `requested`: the name itself, a voice whose language
    /// list holds it ("es-mx" → es-419, "zh" → cmn), or an error listing similar voices.
    pub fn resolve(&mut self, requested: &str) -> Result<String, VoiceError> {
        let wanted = requested.trim();
        let by_language = |voices: &[VoiceInfo]| {
            let lower = wanted.to_ascii_lowercase().replace('_', "-");
            voices
                .iter()
                .filter(|v| !v.identifier.starts_with("mb/"))
                .filter_map(|v| v.languages.iter().position(|l| *l == lower).map(|rank| (rank, v)))
                .min_by_key(|(rank, _)| *rank)
                .map(|(_, v)| v.identifier.clone())
        };
        let name = if self.set_voice(wanted).is_ok() {
            wanted.to_string()
        } else if let Some(id) = by_language(&self.voices) {
            self.set_voice(&id).map_err(|code| VoiceError::Engine { action: format!("load voice {id}"), code })?;
            id
        } else {
            return Err(VoiceError::UnknownVoice { name: wanted.to_string(), similar: similar_voices(&self.voices, wanted) });
        };
        let pinyin_installed = self.voices.iter().any(|v| v.languages.first().is_some_and(|l| l == PINYIN));
        if is_mandarin(&name, &self.voices) && pinyin_installed && !self.mandarin_reads_hanzi() {
            warn!(target: "voice", requested, "this espeak-ng reads Chinese tone numbers aloud with `cmn`; using {PINYIN}");
            return Ok(PINYIN.to_string());
        }
        Ok(name)
    }

    /// espeak-ng 1.51's `cmn` voice turns 好 into "hao3" and reads "3" in English; its
    /// `cmn-latn-pinyin` voice reads the same pinyin as Mandarin. Checked once by transcribing
    /// a character with the current (Mandarin) voice.
    fn mandarin_reads_hanzi(&mut self) -> bool {
        if let Some(ok) = self.cmn_ok {
            return ok;
        }
        let text = CString::new("好").unwrap_or_default();
        let mut ptr = text.as_ptr() as *const c_void;
        // SAFETY: a NUL-terminated UTF-8 string; espeak advances `ptr` within it and returns
        // its own static buffer.
        let phonemes = c_str(unsafe { (self.api.text_to_phonemes)(&mut ptr, ffi::CHARS_UTF8 as c_int, 0) });
        let ok = !phonemes.contains("(en)");
        debug!(target: "voice", phonemes, ok, "Mandarin check");
        self.cmn_ok = Some(ok);
        ok
    }

    /// `text` in IPA as `voice` reads it, one string per clause espeak finds (words separated by
    /// spaces; punctuation dropped). With `tie`, the letters of one phoneme are joined by `^`
    /// ("t^ʃ"), the form Kokoro's training front end mapped to its own symbols.
    pub fn ipa(&mut self, voice: &str, text: &str, tie: bool) -> Result<Vec<String>, VoiceError> {
        self.set_voice(voice).map_err(|code| VoiceError::Engine { action: format!("load voice {voice}"), code })?;
        let c = CString::new(text.replace('\0', " ")).unwrap_or_default();
        let mut ptr = c.as_ptr() as *const c_void;
        // Bit 1: IPA; bit 7: bits 8..23 hold a tie character rather than a separator.
        let mode = if tie { 0x02 | 0x80 | (i32::from(b'^') << 8) } else { 0x02 };
        let mut clauses = Vec::new();
        while !ptr.is_null() {
            // SAFETY: `c` is NUL-terminated and outlives the loop; espeak advances `ptr` within
            // it (NULL at the end) and returns its own static buffer, copied at once.
            let out = c_str(unsafe { (self.api.text_to_phonemes)(&mut ptr, ffi::CHARS_UTF8 as c_int, mode) });
            let out = out.trim();
            if !out.is_empty() {
                clauses.push(out.to_string());
            }
        }
        Ok(clauses)
    }

    /// Speaks `text` with `voice` (a name from [`Engine::resolve`]) at `rate` words per minute.
    pub fn synthesize(&mut self, voice: &str, rate: u32, text: &str) -> Result<Synthesis, VoiceError> {
        self.set_voice(voice).map_err(|code| VoiceError::Engine { action: format!("load voice {voice}"), code })?;
        let rate = rate.clamp(80, 450) as c_int;
        // Punctuation and capitals stay at their defaults (not announced): espeak 1.51
        // answers EE_INTERNAL_ERROR to setting them even to those defaults.
        for (param, value) in [
            (ffi::PARAM_RATE, rate),
            (ffi::PARAM_VOLUME, 100),
            (ffi::PARAM_PITCH, 50),
            (ffi::PARAM_RANGE, 50),
            (ffi::PARAM_WORDGAP, 0),
        ] {
            // SAFETY: plain integer parameters; the engine lock is held.
            let rc = unsafe { (self.api.set_parameter)(param, value, 0) };
            if rc != ffi::EE_OK {
                return Err(VoiceError::Engine { action: format!("set parameter {param}"), code: rc });
            }
        }
        // A NUL would end the C string early.
        let c = CString::new(text.replace('\0', " ")).unwrap_or_default();
        SINK.with(|s| *s.borrow_mut() = Some((Vec::with_capacity(text.len() * 1500), Vec::new())));
        let bytes = c.as_bytes_with_nul();
        // SAFETY: `c` outlives the call; synchronous mode returns only when synthesis is done,
        // and the callback only writes to this thread's SINK.
        let rc = unsafe {
            let rc = (self.api.synth)(
                bytes.as_ptr() as *const c_void,
                bytes.len(),
                0,
                ffi::POS_CHARACTER,
                0,
                ffi::CHARS_UTF8,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            if rc == ffi::EE_OK { (self.api.synchronize)() } else { rc }
        };
        let (samples, events) = SINK.with(|s| s.borrow_mut().take()).unwrap_or_default();
        if rc != ffi::EE_OK {
            return Err(VoiceError::Engine { action: "synthesize".to_string(), code: rc });
        }
        Ok(Synthesis { samples, sample_rate: self.info.sample_rate, events })
    }
}

fn list(api: &Api) -> Vec<VoiceInfo> {
    let mut out = Vec::new();
    // SAFETY: a NULL spec lists every voice; the array is NULL-terminated and owned by espeak.
    let mut p = unsafe { (api.list_voices)(std::ptr::null_mut()) };
    if p.is_null() {
        return out;
    }
    loop {
        // SAFETY: p points into the NULL-terminated array.
        let v = unsafe { *p };
        if v.is_null() {
            break;
        }
        // SAFETY: a valid espeak_VOICE from the list.
        let v = unsafe { &*v };
        out.push(VoiceInfo { name: c_str(v.name), identifier: c_str(v.identifier), languages: languages(v.languages) });
        // SAFETY: not past the terminator.
        p = unsafe { p.add(1) };
    }
    out
}

/// Decodes espeak's language list: a priority byte, a NUL-terminated name, … , then an
/// empty name. Kept in espeak's order: the voice's own language comes first.
fn languages(p: *const c_char) -> Vec<String> {
    let mut out = Vec::new();
    if p.is_null() {
        return out;
    }
    let mut at = p;
    for _ in 0..64 {
        // SAFETY: within espeak's list, which ends with a zero priority byte or empty name.
        let priority = unsafe { *at } as u8;
        if priority == 0 {
            break;
        }
        // SAFETY: as above.
        let name = unsafe { CStr::from_ptr(at.add(1)) };
        if name.is_empty() {
            break;
        }
        let len = name.to_bytes().len();
        out.push(name.to_string_lossy().into_owned());
        // SAFETY: skip the priority byte, the name and its NUL.
        at = unsafe { at.add(len + 2) };
    }
    out
}

fn is_mandarin(name: &str, voices: &[VoiceInfo]) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("pinyin") {
        return false;
    }
    lower == "cmn"
        || lower.ends_with("/cmn")
        || voices.iter().any(|v| (v.identifier.eq_ignore_ascii_case(name) || v.name == name) && v.languages.first().is_some_and(|l| l == "cmn"))
}

/// Up to six voices a user may have meant: same language first, then close spellings.
pub(crate) fn similar_voices(voices: &[VoiceInfo], wanted: &str) -> Vec<String> {
    let lower = wanted.to_ascii_lowercase().replace('_', "-");
    let lang = lower.split(['-', '/', '+']).next().unwrap_or("").to_string();
    let mut scored: Vec<(usize, String)> = Vec::new();
    for v in voices.iter().filter(|v| !v.identifier.starts_with("mb/")) {
        let Some(own) = v.languages.first() else { continue };
        let name = v.name.to_ascii_lowercase();
        let distance = v
            .languages
            .iter()
            .chain([&v.identifier.to_ascii_lowercase(), &name])
            .map(|n| edit_distance(&lower, n))
            .min()
            .unwrap_or(usize::MAX);
        let same_language =
            v.languages.iter().any(|l| l.split('-').next() == Some(lang.as_str())) || (lang.len() >= 3 && name.starts_with(&lang[..3]));
        let score = if same_language { distance } else { distance + 10 };
        if score <= 12 {
            let label = format!("{own} ({})", v.name);
            if !scored.iter().any(|(_, l)| *l == label) {
                scored.push((score, label));
            }
        }
    }
    scored.sort();
    scored.into_iter().take(6).map(|(_, l)| l).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
