//! Choosing a voice by name: `kokoro:ef_dora`, `kokoro:af_heart*0.6+af_bella*0.4`,
//! `piper:en_US-joe-medium`, `espeak:es` (or a bare espeak name), and listing what is
//! installed. A neural voice whose files are missing is a `Missing` error naming the install
//! command, so callers can fall back to espeak-ng.

use std::path::{Path, PathBuf};

use show::Locale;
use show::stages::{StageError, Voice};

use crate::error::VoiceError;
use crate::espeak::Espeak;
use crate::kokoro::{self, Kokoro, KokoroLanguage, KokoroModel};
use crate::piper::{self, Piper};

/// The engines a voice name can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Espeak,
    Kokoro,
    Piper,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Espeak => "espeak",
            Engine::Kokoro => "kokoro",
            Engine::Piper => "piper",
        }
    }
}

/// A voice as a show or a command names it.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceSpec {
    pub engine: Engine,
    /// The engine's own name for it (`ef_dora`, `en_US-joe-medium`, `es-419`).
    pub voice: String,
    /// 1.0 is the engine's natural pace.
    pub speed: f32,
}

impl VoiceSpec {
    /// `engine:name`; a name without an engine is an espeak voice.
    pub fn parse(text: &str) -> VoiceSpec {
        let text = text.trim();
        let (engine, voice) = match text.split_once(':') {
            Some(("kokoro", v)) => (Engine::Kokoro, v),
            Some(("piper", v)) => (Engine::Piper, v),
            Some(("espeak", v)) => (Engine::Espeak, v),
            _ => (Engine::Espeak, text),
        };
        VoiceSpec { engine, voice: voice.trim().to_string(), speed: 1.0 }
    }

    pub fn with_speed(mut self, speed: f32) -> VoiceSpec {
        self.speed = speed;
        self
    }

    pub fn label(&self) -> String {
        format!("{}:{}", self.engine.name(), self.voice)
    }
}

/// Where the neural voices' files are: the models folder and the installed model folders in it.
#[derive(Clone, Debug)]
pub struct VoicePaths {
    pub models_dir: PathBuf,
}

impl VoicePaths {
    pub fn new(models_dir: impl Into<PathBuf>) -> VoicePaths {
        VoicePaths { models_dir: models_dir.into() }
    }

    pub fn kokoro_dir(&self) -> PathBuf {
        self.models_dir.join(kokoro::MODEL)
    }

    pub fn ipadic_dir(&self) -> PathBuf {
        self.models_dir.join("ipadic")
    }
}

/// Opens the voice `spec` names. Neural voices load their model once per process.
pub fn open(spec: &VoiceSpec, paths: &VoicePaths) -> Result<Box<dyn Voice>, StageError> {
    Ok(match spec.engine {
        Engine::Espeak => Box::new(Espeak::new(&spec.voice)?.with_rate((crate::espeak::DEFAULT_RATE as f32 * spec.speed).round() as u32)),
        Engine::Kokoro => Box::new(open_kokoro(spec, paths)?),
        Engine::Piper => Box::new(Piper::new(&paths.models_dir, &spec.voice, spec.speed)?),
    })
}

/// A Kokoro voice by spec.
pub fn open_kokoro(spec: &VoiceSpec, paths: &VoicePaths) -> Result<Kokoro, VoiceError> {
    let dir = paths.kokoro_dir();
    let model = KokoroModel::load(&paths.models_dir, &dir)?;
    let ipadic = paths.ipadic_dir();
    Ok(Kokoro::new(model, &spec.voice, spec.speed, Some(&ipadic))?)
}

/// Whether a voice of `spec` speaks the language of `locale` (Kokoro and Piper voices carry
/// their language; espeak voices are checked by espeak itself).
pub fn speaks(spec: &VoiceSpec, locale: &Locale, paths: &VoicePaths) -> bool {
    match spec.engine {
        Engine::Espeak => {
            // "es-419" → es, "gmw/en-US" → en, "cmn" → zh; names without a language code pass.
            let name = spec.voice.rsplit('/').next().unwrap_or(&spec.voice).to_ascii_lowercase();
            let lang = name.split(['-', '_']).next().unwrap_or_default();
            let lang = match lang {
                "cmn" | "yue" | "hak" => "zh",
                l => l,
            };
            lang.len() > 3 || lang == locale.language()
        }
        Engine::Kokoro => KokoroLanguage::of_voice(&spec.voice).is_some_and(|l| l.tag().split('-').next() == Some(locale.language())),
        Engine::Piper => piper::find_voices(&paths.models_dir)
            .iter()
            .find(|v| v.name == spec.voice)
            .and_then(|v| v.language.clone())
            .is_none_or(|l| l.split('-').next() == Some(locale.language())),
    }
}

/// One voice `evercast voices list` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedVoice {
    pub spec: String,
    pub engine: Engine,
    /// A language tag (`en-US`, `es`, `cmn`).
    pub language: String,
    pub installed: bool,
    /// How to install it when it is not.
    pub install: Option<String>,
}

/// Kokoro's 54 voices (installed or not), the Piper voices in the models folder (and the
/// manifest's one when absent), and espeak-ng's voices.
pub fn list(paths: &VoicePaths) -> Vec<ListedVoice> {
    let mut out = Vec::new();
    let kokoro_installed = paths.kokoro_dir().join("kokoro-v1.0.int8.onnx").exists();
    let installed_styles = KokoroModel::voices(&paths.kokoro_dir());
    let names: Vec<String> = if installed_styles.is_empty() { KOKORO_VOICES.iter().map(|s| s.to_string()).collect() } else { installed_styles };
    for name in names {
        let Some(lang) = KokoroLanguage::of_voice(&name) else { continue };
        let installed = kokoro_installed && paths.kokoro_dir().join("voices").join(format!("{name}.bin")).exists();
        out.push(ListedVoice {
            spec: format!("kokoro:{name}"),
            engine: Engine::Kokoro,
            language: lang.tag().to_string(),
            installed,
            install: (!installed).then(|| format!("evercast models install {}", kokoro::MODEL)),
        });
    }
    let piper_voices = piper::find_voices(&paths.models_dir);
    if !piper_voices.iter().any(|v| v.name == "en_US-joe-medium") {
        out.push(ListedVoice {
            spec: "piper:en_US-joe-medium".into(),
            engine: Engine::Piper,
            language: "en-us".into(),
            installed: false,
            install: Some(format!("evercast models install {}", piper::MODEL)),
        });
    }
    for v in piper_voices {
        out.push(ListedVoice { spec: format!("piper:{}", v.name), engine: Engine::Piper, language: v.language.unwrap_or_default(), installed: true, install: None });
    }
    if let Ok(voices) = crate::list_voices() {
        for v in voices.into_iter().filter(|v| !v.identifier.starts_with("mb/")) {
            out.push(ListedVoice {
                spec: format!("espeak:{}", v.languages.first().cloned().unwrap_or_else(|| v.identifier.clone())),
                engine: Engine::Espeak,
                language: v.languages.first().cloned().unwrap_or_default(),
                installed: true,
                install: None,
            });
        }
    }
    out
}

/// Kokoro v1.0's voices (the voice files of kokoro-js 1.2.1), listed before they are installed.
pub const KOKORO_VOICES: &[&str] = &[
    "af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole", "af_nova", "af_river", "af_sarah", "af_sky", "am_adam",
    "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx", "am_puck", "am_santa", "bf_alice", "bf_emma", "bf_isabella", "bf_lily",
    "bm_daniel", "bm_fable", "bm_george", "bm_lewis", "ef_dora", "em_alex", "em_santa", "ff_siwis", "hf_alpha", "hf_beta", "hm_omega", "hm_psi",
    "if_sara", "im_nicola", "jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo", "pf_dora", "pm_alex", "pm_santa", "zf_xiaobei",
    "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang",
];

/// Whether the models folder has the ONNX Runtime library.
pub fn runtime_installed(models_dir: &Path) -> bool {
    crate::onnx::library_path(models_dir).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_and_without_engine() {
        assert_eq!(VoiceSpec::parse("kokoro:ef_dora").engine, Engine::Kokoro);
        assert_eq!(VoiceSpec::parse("piper:en_US-joe-medium").voice, "en_US-joe-medium");
        assert_eq!(VoiceSpec::parse("espeak:es").voice, "es");
        assert_eq!(VoiceSpec::parse("en-us"), VoiceSpec { engine: Engine::Espeak, voice: "en-us".into(), speed: 1.0 });
        assert_eq!(KOKORO_VOICES.len(), 54);
    }

    #[test]
    fn a_missing_kokoro_names_the_install_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(&VoiceSpec::parse("kokoro:af_heart"), &VoicePaths::new(dir.path())).err().expect("no model there");
        assert_eq!(err.kind, show::stages::StageErrorKind::Missing);
        assert!(err.message.contains("evercast models install"), "{err}");
        let err = open(&VoiceSpec::parse("piper:en_US-joe-medium"), &VoicePaths::new(dir.path())).err().expect("no voice there");
        assert!(err.message.contains("evercast models install piper-joe"), "{err}");
    }
}
