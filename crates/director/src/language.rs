//! Rooms' languages: the language packs of a show (built in, or from a `packs/` folder next
//! to it), and the kit that turns a pack into a room's chain — translator, market guard, voice
//! and native templates — sharing one translation model and one memory per pack among rooms.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use script::llm::LlmWorker;
use script::{Guard, TemplateWriter};
use show::config::{LipSync, Persona};
use show::pack::{EngineKind, VoiceEngine};
use show::stages::{SameLanguage, Translator, Voice};
use show::{Line, Locale, Pack, PackSet, RoomConfig, SAMPLE_RATE, SegmentKind, SourceError, Utterance};

use crate::DirectorError;
use crate::feed::RoomLanguage;
use crate::show::Show;

/// The packs shipped in `assets/packs/`, built into the binary so it runs from anywhere.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("en-US", include_str!("../../../assets/packs/en-US/pack.toml")),
    ("en-GB", include_str!("../../../assets/packs/en-GB/pack.toml")),
    ("es-MX", include_str!("../../../assets/packs/es-MX/pack.toml")),
    ("es-ES", include_str!("../../../assets/packs/es-ES/pack.toml")),
    ("pt-BR", include_str!("../../../assets/packs/pt-BR/pack.toml")),
    ("fr-FR", include_str!("../../../assets/packs/fr-FR/pack.toml")),
    ("de-DE", include_str!("../../../assets/packs/de-DE/pack.toml")),
    ("ja-JP", include_str!("../../../assets/packs/ja-JP/pack.toml")),
    ("zh-CN", include_str!("../../../assets/packs/zh-CN/pack.toml")),
    ("id-ID", include_str!("../../../assets/packs/id-ID/pack.toml")),
    ("th-TH", include_str!("../../../assets/packs/th-TH/pack.toml")),
    ("vi-VN", include_str!("../../../assets/packs/vi-VN/pack.toml")),
    ("ar-SA", include_str!("../../../assets/packs/ar-SA/pack.toml")),
];

/// The built-in packs, then `packs/` folders (next to the show, or given), later ones
/// overriding earlier ones by id.
pub fn load_packs(extra_dirs: &[PathBuf]) -> Result<PackSet, DirectorError> {
    PackSet::load(BUILTIN_PACKS, extra_dirs).map_err(DirectorError::Config)
}

/// The language the show's writers write in. Rooms in other languages translate from it.
pub fn source_locale() -> Locale {
    Locale::parse("en-US").expect("valid tag")
}

/// The voices a room may speak with, in order: `voice = "…"` in the show, else the pack's
/// voices; espeak-ng for the room's language closes the list, so a room always speaks.
fn voice_candidates(room: &RoomConfig, pack: &Pack) -> Vec<voice::VoiceSpec> {
    let mut candidates: Vec<voice::VoiceSpec> = match &room.voice {
        Some(v) => vec![voice::VoiceSpec::parse(v)],
        None => pack
            .voices
            .iter()
            .map(|v| {
                let engine = match v.engine {
                    VoiceEngine::Espeak => voice::voices::Engine::Espeak,
                    VoiceEngine::Kokoro => voice::voices::Engine::Kokoro,
                    VoiceEngine::Piper => voice::voices::Engine::Piper,
                };
                voice::VoiceSpec { engine, voice: v.voice.clone(), speed: v.speed }
            })
            .collect(),
    };
    if let Some(v) = pack.espeak_voice() {
        candidates.push(voice::VoiceSpec { engine: voice::voices::Engine::Espeak, voice: v.voice.clone(), speed: v.speed });
    }
    candidates
}

/// The locale a room writes and speaks in: the pack's, unless the room names no pack and its
/// own locale is a variant of the pack's language (an es-US room on the es-MX pack).
pub fn room_locale(room: &RoomConfig, pack: &Pack) -> Locale {
    if room.pack.is_some() || room.locale.language() != pack.locale.language() { pack.locale.clone() } else { room.locale.clone() }
}

/// Where evercast keeps state between runs (translation memories): `$EVERCAST_STATE_DIR`,
/// else `$XDG_STATE_HOME/evercast`, else `~/.local/state/evercast`.
pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("EVERCAST_STATE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME") {
        return PathBuf::from(d).join("evercast");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/state/evercast"),
        None => std::env::temp_dir().join("evercast-state"),
    }
}

/// Builds rooms' languages for one show. Heavy parts are made once and shared: the
/// translation model (one thread, loaded when the first room needs it) and one translation
/// memory per pack.
pub struct LanguageKit {
    pub packs: PackSet,
    models_dir: PathBuf,
    memory_dir: Option<PathBuf>,
    llm_threads: usize,
    llm: Mutex<HashMap<PathBuf, Arc<LlmWorker>>>,
    memories: Mutex<HashMap<String, Arc<Mutex<translate::Memory>>>>,
    warned: Mutex<Vec<String>>,
    title: String,
    persona: show::config::Persona,
    seed: u64,
    offer_minutes: u32,
    /// The show's policy sentences: replies may state their numbers.
    policies: Vec<String>,
    protect_names: Vec<String>,
    show_file: PathBuf,
}

impl LanguageKit {
    /// `memory_dir`: where translation memories live (`None`: in memory only, for tests and
    /// benches that must start cold).
    pub fn new(show: &Show, memory_dir: Option<PathBuf>, llm_threads: usize) -> Result<LanguageKit, DirectorError> {
        let dir = show.config.file.parent().unwrap_or(Path::new(".")).to_path_buf();
        let packs = load_packs(&[dir.join("packs")])?;
        let mut names = Vec::new();
        for p in &show.catalog.products {
            names.push(p.title.clone());
            names.push(script::template::short_name(&p.title));
            if let Some(v) = &p.vendor {
                names.push(v.clone());
            }
        }
        names.push(show.config.title.clone());
        names.push(show.config.persona.name.clone());
        names.sort();
        names.dedup();
        Ok(LanguageKit {
            packs,
            models_dir: script::models::default_models_dir(),
            memory_dir,
            llm_threads: llm_threads.max(1),
            llm: Mutex::new(HashMap::new()),
            memories: Mutex::new(HashMap::new()),
            warned: Mutex::new(Vec::new()),
            title: show.config.title.clone(),
            persona: show.config.persona.clone(),
            seed: show.config.seed,
            offer_minutes: show.config.run_of_show.offer_minutes,
            policies: show.config.policies.all().into_iter().map(|(_, t)| t.to_string()).collect(),
            protect_names: names,
            show_file: show.config.file.clone(),
        })
    }

    /// The pack a room speaks: `pack = "…"` if it names one, else the one for its locale.
    pub fn pack_for(&self, room: &RoomConfig) -> Result<&Pack, DirectorError> {
        match &room.pack {
            Some(id) => self.packs.get(id).ok_or_else(|| {
                let mut e = SourceError::new(&self.show_file, format!("room `{}`: no language pack `{id}` (packs: {}; or add packs/{id}/pack.toml next to the show)", room.id, self.packs.ids().join(", "))).field("pack");
                if let Some((l, c)) = room.pack_at {
                    e = e.at(l, c);
                }
                DirectorError::Config(e.into())
            }),
            None => self.packs.for_locale(&room.locale).ok_or_else(|| {
                DirectorError::Setup(format!("room `{}`: no language pack for {} (packs: {}); add packs/<id>/pack.toml next to the show", room.id, room.locale, self.packs.ids().join(", ")))
            }),
        }
    }

    fn warn_once(&self, key: String, message: String) {
        let mut w = self.warned.lock().unwrap_or_else(|e| e.into_inner());
        if !w.contains(&key) {
            w.push(key);
            tracing::warn!("{message}");
        }
    }

    fn memory(&self, pack: &str) -> Arc<Mutex<translate::Memory>> {
        let mut m = self.memories.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(pack.to_string())
            .or_insert_with(|| {
                let mem = match &self.memory_dir {
                    Some(dir) => {
                        let file = dir.join(format!("{pack}.jsonl"));
                        translate::Memory::open(&file).unwrap_or_else(|e| {
                            tracing::warn!("translation memory {} unusable ({e}); this run keeps it in memory only", file.display());
                            translate::Memory::in_memory()
                        })
                    }
                    None => translate::Memory::in_memory(),
                };
                Arc::new(Mutex::new(mem))
            })
            .clone()
    }

    /// The shared translation model, loaded on first use; `None` (with a warning naming the
    /// install command) when it is not installed or does not load.
    fn llm(&self, model: &str) -> Option<Arc<LlmWorker>> {
        let path = match script::models::resolve(model, &self.models_dir) {
            Ok(p) => p,
            Err(e) => {
                self.warn_once(format!("model:{model}"), format!("the LLM translator is off: {e}; rooms in other languages use their other engines (Apertium for Spanish) and their packs' native lines"));
                return None;
            }
        };
        let mut map = self.llm.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = map.get(&path) {
            return Some(w.clone());
        }
        // Its weights move to 2 MiB pages while it waits for lines (`LlmWorker`), not before
        // the rooms start.
        let opts = script::llm::LoadOptions { threads: self.llm_threads, defer_huge_pages: true, ..Default::default() };
        match script::llm::Llm::load_with(&path, &opts).and_then(LlmWorker::new) {
            Ok(w) => {
                tracing::info!(model = %path.display(), "translation model ready");
                let w = Arc::new(w);
                map.insert(path, w.clone());
                Some(w)
            }
            Err(e) => {
                self.warn_once(format!("load:{model}"), format!("the LLM translator could not start ({e}); rooms in other languages use their other engines (Apertium for Spanish) and their packs' native lines"));
                None
            }
        }
    }

    /// The translator of a pack: its engines in order, over the shared memory. A pack whose
    /// engines are all missing still translates what the memory holds, and its room speaks
    /// native template lines for the rest.
    pub fn translator(&self, pack: &Pack) -> Box<dyn Translator> {
        if pack.locale.language() == source_locale().language() {
            return Box::new(SameLanguage);
        }
        Box::new(self.translator_with(pack, &pack.translator.engines))
    }

    /// The pack's translator without its slow engines, for a live room in a hurry: memory hits
    /// and fast engines only (no warning when that leaves no engine: the memory still serves).
    fn fast_translator(&self, pack: &Pack) -> Box<dyn Translator> {
        let quick: Vec<EngineKind> = pack.translator.engines.iter().copied().filter(|e| *e != EngineKind::Llm).collect();
        Box::new(self.build_translator(pack, &quick, false))
    }

    /// The pack's translator with the given engines, in order (`evercast translate --engine`).
    pub fn translator_with(&self, pack: &Pack, kinds: &[EngineKind]) -> translate::RoomTranslator {
        self.build_translator(pack, kinds, true)
    }

    fn build_translator(&self, pack: &Pack, kinds: &[EngineKind], warn_if_none: bool) -> translate::RoomTranslator {
        let mut engines: Vec<Box<dyn translate::Engine>> = Vec::new();
        for kind in kinds {
            match kind {
                EngineKind::Llm => {
                    let model = pack.translator.model.clone().unwrap_or_else(|| "qwen2.5-0.5b".into());
                    if let Some(w) = self.llm(&model) {
                        engines.push(Box::new(translate::LlmEngine::new(w)));
                    }
                }
                EngineKind::Apertium => {
                    let pair = pack.translator.apertium_pair.clone().unwrap_or_else(|| "eng-spa".into());
                    match translate::Apertium::new(&pair) {
                        Ok(a) => engines.push(Box::new(a)),
                        Err(e) => self.warn_once(format!("apertium:{pair}"), format!("pack {}: apertium is off: {e}", pack.id)),
                    }
                }
            }
        }
        if engines.is_empty() && warn_if_none {
            self.warn_once(format!("engines:{}", pack.id), format!("pack {}: no translation engine is available; the room speaks its native templates", pack.id));
        }
        let protect = translate::Protect {
            names: self.protect_names.clone(),
            keep: pack.glossary.keep.clone(),
            terms: pack.glossary.terms.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
        };
        translate::RoomTranslator::new(&pack.id, &pack.language_name, engines, protect, self.memory(&pack.id))
    }

    /// Everything a room needs to speak `pack`. Fails when the market forbids a synthetic
    /// voice, or the voice cannot start.
    pub fn room_language(&self, room: &RoomConfig, pack: &Pack) -> Result<RoomLanguage, DirectorError> {
        if !pack.rules.ai_voice_allowed {
            return Err(DirectorError::Setup(format!(
                "room `{}`: the {} pack says this market does not allow synthetic voices (ai_voice_allowed = false in {}); \
                 a synthetic host cannot speak here — pick another pack or run this market with a human operator's voice",
                room.id, pack.id, pack.origin
            )));
        }
        let locale = room_locale(room, pack);
        let voice = self.voice(room, pack)?;
        let native = native_writer(pack, &self.title, &self.persona, self.seed);
        let foreign = pack.locale.language() != source_locale().language();
        let fast = (foreign && pack.translator.engines.contains(&EngineKind::Llm)).then(|| self.fast_translator(pack));
        Ok(RoomLanguage { pack: pack.clone(), locale, translator: self.translator(pack), fast, guard: Guard::new(self.offer_minutes).with_market(pack).with_numbers_of(self.policies.iter().map(String::as_str)), voice, native })
    }

    /// Opens each room's voice once and lets it go, quietly: a neural voice's model stays
    /// loaded for the process, so this can run on a thread of its own while the writer's model
    /// loads, and the rooms then start without the wait.
    pub fn warm_voices(&self, rooms: &[RoomConfig]) {
        for room in rooms {
            // A market that bans synthetic voices gets none: its room will not start.
            let Some(pack) = self.pack_for(room).ok().filter(|p| p.rules.ai_voice_allowed) else { continue };
            let _ = crate::voices::open_first(&voice_candidates(room, pack), &room_locale(room, pack), &self.models_dir);
        }
    }

    /// The room's voice: `voice = "…"` in the show, else the pack's voices in order (the first
    /// that is installed and speaks the room's language), espeak-ng last; levelled to the
    /// room's programme loudness. A neural voice that is not installed is skipped with a
    /// warning naming its install command.
    pub fn voice(&self, room: &RoomConfig, pack: &Pack) -> Result<Box<dyn Voice>, DirectorError> {
        let locale = room_locale(room, pack);
        let candidates = voice_candidates(room, pack);
        let (v, spec, skipped) = crate::voices::open_first(&candidates, &locale, &self.models_dir)
            .map_err(|e| DirectorError::Setup(format!("room `{}`: {e}", room.id)))?;
        for reason in &skipped {
            if spec.engine == voice::voices::Engine::Espeak && !reason.contains("does not speak") {
                tracing::warn!(room = %room.id, "{reason}; speaking with {} instead", spec.label());
            } else {
                tracing::debug!(room = %room.id, "{reason}");
            }
        }
        tracing::info!(room = %room.id, voice = %spec.label(), "room voice");
        let neural = spec.engine != voice::voices::Engine::Espeak;
        let (lipsync, loudness) = (room.lipsync, room.loudness);
        let dress = move |v: Box<dyn Voice>| -> Box<dyn Voice> {
            let v: Box<dyn Voice> = match lipsync {
                // Neural voices give no phoneme timing: their mouth shapes come from the audio already.
                LipSync::Audio if !neural => Box::new(AudioLipSync(v)),
                _ => v,
            };
            let v = crate::faults::Faults::from_env().wrap_voice(v);
            Box::new(crate::voices::Leveled { inner: v, leveler: voice::Leveler::new(loudness) })
        };
        // Watched on its own thread: a voice that hangs is opened afresh from the same spec.
        let models_dir = self.models_dir.clone();
        let reopen = Box::new(move || crate::voices::open_voice(&spec, &models_dir).map(dress));
        let per_char = if neural { crate::voices::NEURAL_STALL_PER_CHAR } else { std::time::Duration::ZERO };
        let supervised = crate::voices::Supervised::new(dress(v), reopen, per_char).map_err(|e| DirectorError::Setup(format!("room `{}`: {}", room.id, e.message)))?;
        Ok(Box::new(supervised))
    }
}

/// A voice whose mouth shapes are estimated from its audio, as they must be for voices that
/// give no phoneme timing (a human operator's microphone, some neural voices).
struct AudioLipSync(Box<dyn Voice>);

impl Voice for AudioLipSync {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, show::stages::StageError> {
        let mut u = self.0.speak(line, locale)?;
        u.visemes = voice::visemes_from_audio(&u.samples, SAMPLE_RATE);
        Ok(u)
    }
}

/// The writer of a room's own lines (its opening and AI disclosures) and of those no engine
/// could translate: the pack's native templates, or for an English pack the built-in banks
/// with the pack's own AI disclosure.
pub fn native_writer(pack: &Pack, title: &str, persona: &Persona, seed: u64) -> TemplateWriter {
    match &pack.templates {
        Some(bank) => TemplateWriter::native(Arc::new(bank.clone()), title, persona, seed).with_bank_id(&pack.id),
        None => {
            let mut bank = script::banks::english();
            bank.disclosure = pack.disclosure.spoken.clone();
            TemplateWriter::with_bank(Arc::new(bank), title, persona, seed).with_bank_id(&pack.id)
        }
    }
}

/// Checks a pack folder as `evercast packs validate` does: it parses, its espeak voice exists
/// and its subtitle font is installed.
pub fn validate_dir(dir: &Path) -> Result<Pack, DirectorError> {
    let pack = Pack::load_dir(dir).map_err(DirectorError::Config)?;
    if !avatar::font_installed(&pack.subtitle_font) {
        return Err(DirectorError::Config(
            SourceError::new(&dir.join("pack.toml"), format!("the subtitle font \"{}\" is not installed (Debian: fonts-noto-core, fonts-noto-cjk)", pack.subtitle_font)).field("pack.subtitle_font").into(),
        ));
    }
    for v in pack.voices.iter().filter(|v| v.engine == VoiceEngine::Kokoro) {
        let known = voice::kokoro::parse_blend(&v.voice).map_err(|e| e.to_string()).and_then(|parts| {
            for (name, _) in &parts {
                if !voice::voices::KOKORO_VOICES.contains(&name.as_str()) {
                    return Err(format!("Kokoro has no voice `{name}` (`evercast voices list` shows them)"));
                }
                let lang = voice::kokoro::KokoroLanguage::of_voice(name).map(|l| l.tag().split('-').next().unwrap_or_default().to_string());
                if lang.as_deref() != Some(pack.locale.language()) {
                    return Err(format!("Kokoro voice `{name}` does not speak {}", pack.locale.language()));
                }
            }
            Ok(())
        });
        if let Err(e) = known {
            return Err(DirectorError::Config(SourceError::new(&dir.join("pack.toml"), e).field("voices.voice").into()));
        }
    }
    for v in pack.voices.iter().filter(|v| v.engine == VoiceEngine::Espeak) {
        if let Err(e) = voice::Espeak::new(&v.voice) {
            return Err(DirectorError::Config(SourceError::new(&dir.join("pack.toml"), e.to_string()).field("voices.voice").into()));
        }
    }
    Ok(pack)
}

/// Lines the host says when the chain has nothing ready, in the pack's language, rendered
/// before they are needed and handed to `deliver` one by one, the shortest first (the
/// quickest to render, and the least to sit through while the chain catches up). Stops
/// when `deliver` returns false (nobody listens any more).
pub fn fillers(pack: &Pack, locale: &Locale, voice: &mut dyn Voice, deliver: &mut dyn FnMut(Arc<Utterance>) -> bool) {
    let english = script::banks::english();
    let bank = pack.templates.as_ref().map_or(&english.filler, |t| &t.filler);
    let mut bank: Vec<&String> = bank.iter().collect();
    bank.sort_by_key(|t| t.chars().count());
    for t in bank {
        match voice.speak(&Line::new(SegmentKind::Filler, None).text(t.clone()), locale) {
            Ok(u) => {
                if !deliver(Arc::new(u)) {
                    return;
                }
            }
            Err(e) => tracing::debug!("a filler line could not be spoken: {e}"),
        }
    }
}
