//! The part of espeak-ng's C API (`speak_lib.h`, API revision 12) evercast uses, loaded at run
//! time so a binary without the library still starts and can say what to install.
//!
//! Layouts follow `/usr/include/espeak-ng/speak_lib.h`; the test `event_layout_matches_header`
//! compiles a probe against the header to check them.

use std::ffi::{c_char, c_int, c_short, c_uint, c_void};

use libloading::Library;

/// `espeak_AUDIO_OUTPUT::AUDIO_OUTPUT_SYNCHRONOUS`: audio comes back through the callback and
/// `espeak_Synth` returns when synthesis is done.
pub const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_PHONEME_EVENTS`.
pub const INITIALIZE_PHONEME_EVENTS: c_int = 0x0001;
/// `espeakINITIALIZE_PHONEME_IPA`: phoneme events carry IPA names, the same symbols in every
/// language, rather than each language's own mnemonics.
pub const INITIALIZE_PHONEME_IPA: c_int = 0x0002;
/// `espeakINITIALIZE_DONT_EXIT`: report a missing data folder instead of calling `exit()`.
pub const INITIALIZE_DONT_EXIT: c_int = 0x8000;

/// `espeakCHARS_UTF8`.
pub const CHARS_UTF8: c_uint = 1;
/// `espeak_POSITION_TYPE::POS_CHARACTER`.
pub const POS_CHARACTER: c_int = 1;

/// `espeak_PARAMETER` values.
pub const PARAM_RATE: c_int = 1;
pub const PARAM_VOLUME: c_int = 2;
pub const PARAM_PITCH: c_int = 3;
pub const PARAM_RANGE: c_int = 4;
pub const PARAM_WORDGAP: c_int = 7;

/// `espeak_ERROR::EE_OK`.
pub const EE_OK: c_int = 0;

/// `espeak_EVENT_TYPE` values.
pub const EVENT_LIST_TERMINATED: c_int = 0;
pub const EVENT_WORD: c_int = 1;
pub const EVENT_END: c_int = 5;
pub const EVENT_PHONEME: c_int = 7;

/// `espeak_EVENT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Event {
    pub kind: c_int,
    pub unique_identifier: c_uint,
    /// Characters from the start of the text, counting from 1.
    pub text_position: c_int,
    /// Word length in characters (word events).
    pub length: c_int,
    /// Milliseconds from the start of the synthesized audio.
    pub audio_position: c_int,
    pub sample: c_int,
    pub user_data: *mut c_void,
    /// `union { int number; const char *name; char string[8]; }`: phoneme events use `string`.
    pub id: [u8; 8],
}

/// `espeak_VOICE`.
#[repr(C)]
pub struct VoiceSpec {
    pub name: *const c_char,
    /// Pairs of a priority byte and a NUL-terminated language, ended by an empty string.
    pub languages: *const c_char,
    pub identifier: *const c_char,
    pub gender: u8,
    pub age: u8,
    pub variant: u8,
    pub xx1: u8,
    pub score: c_int,
    pub spare: *mut c_void,
}

/// `t_espeak_callback`: returns 0 to go on, 1 to abort.
pub type SynthCallback = unsafe extern "C" fn(wav: *mut c_short, samples: c_int, events: *mut Event) -> c_int;

/// The entry points, copied out of the library, which stays loaded for the process.
pub struct Api {
    pub initialize: unsafe extern "C" fn(output: c_int, buflength: c_int, path: *const c_char, options: c_int) -> c_int,
    pub set_synth_callback: unsafe extern "C" fn(callback: Option<SynthCallback>),
    pub synth: unsafe extern "C" fn(
        text: *const c_void,
        size: usize,
        position: c_uint,
        position_type: c_int,
        end_position: c_uint,
        flags: c_uint,
        unique_identifier: *mut c_uint,
        user_data: *mut c_void,
    ) -> c_int,
    pub synchronize: unsafe extern "C" fn() -> c_int,
    pub set_parameter: unsafe extern "C" fn(parameter: c_int, value: c_int, relative: c_int) -> c_int,
    pub set_voice_by_name: unsafe extern "C" fn(name: *const c_char) -> c_int,
    pub list_voices: unsafe extern "C" fn(spec: *mut VoiceSpec) -> *const *const VoiceSpec,
    pub info: unsafe extern "C" fn(path_data: *mut *const c_char) -> *const c_char,
    pub text_to_phonemes: unsafe extern "C" fn(textptr: *mut *const c_void, textmode: c_int, phonememode: c_int) -> *const c_char,
    _library: Library,
}

// SAFETY: the function pointers are plain code addresses and the library handle is never
// used again after loading; every call into espeak is serialised by the engine's mutex.
unsafe impl Send for Api {}
unsafe impl Sync for Api {}

impl Api {
    /// Loads the library at `path` (a file name searched the usual way, or a path).
    ///
    /// # Safety
    /// The library must be espeak-ng's: its initialisers run and its symbols are trusted to
    /// have the signatures of `speak_lib.h`.
    pub unsafe fn load(path: &str) -> Result<Api, String> {
        // SAFETY: loading runs the library's initialisers; espeak-ng has none with side effects.
        let library = unsafe { Library::new(path) }.map_err(|e| e.to_string())?;
        macro_rules! sym {
            ($name:literal) => {
                // SAFETY: the symbol is declared in speak_lib.h with the signature of the field
                // it is stored in.
                *unsafe { library.get($name) }.map_err(|e| format!("{}: {e}", String::from_utf8_lossy(&$name[..$name.len() - 1])))?
            };
        }
        Ok(Api {
            initialize: sym!(b"espeak_Initialize\0"),
            set_synth_callback: sym!(b"espeak_SetSynthCallback\0"),
            synth: sym!(b"espeak_Synth\0"),
            synchronize: sym!(b"espeak_Synchronize\0"),
            set_parameter: sym!(b"espeak_SetParameter\0"),
            set_voice_by_name: sym!(b"espeak_SetVoiceByName\0"),
            list_voices: sym!(b"espeak_ListVoices\0"),
            info: sym!(b"espeak_Info\0"),
            text_to_phonemes: sym!(b"espeak_TextToPhonemes\0"),
            _library: library,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};
    use std::process::Command;

    /// Compiles a probe against the installed header and compares its layout with ours.
    #[test]
    fn event_layout_matches_header() {
        let header = std::path::Path::new("/usr/include/espeak-ng/speak_lib.h");
        assert!(header.exists(), "{} is missing: install libespeak-ng-dev", header.display());
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("probe.c");
        let exe = dir.path().join("probe");
        std::fs::write(
            &src,
            r#"#include <stdio.h>
#include <stddef.h>
#include <espeak-ng/speak_lib.h>
int main(void) {
  printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(espeak_EVENT), offsetof(espeak_EVENT, text_position),
    offsetof(espeak_EVENT, length), offsetof(espeak_EVENT, audio_position), offsetof(espeak_EVENT, user_data),
    offsetof(espeak_EVENT, id), sizeof(espeak_VOICE), offsetof(espeak_VOICE, gender), offsetof(espeak_VOICE, spare));
  printf("%d %d %d %d %d %d %d\n", espeakEVENT_WORD, espeakEVENT_PHONEME, espeakEVENT_END, AUDIO_OUTPUT_SYNCHRONOUS,
    espeakINITIALIZE_PHONEME_IPA, espeakRATE, POS_CHARACTER);
  return 0;
}
"#,
        )
        .unwrap();
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
        let built = Command::new(&cc).arg(&src).arg("-o").arg(&exe).status().unwrap();
        assert!(built.success(), "{cc} could not compile the layout probe");
        let out = Command::new(&exe).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let ours = format!(
            "{} {} {} {} {} {} {} {} {}\n{} {} {} {} {} {} {}\n",
            size_of::<Event>(),
            offset_of!(Event, text_position),
            offset_of!(Event, length),
            offset_of!(Event, audio_position),
            offset_of!(Event, user_data),
            offset_of!(Event, id),
            size_of::<VoiceSpec>(),
            offset_of!(VoiceSpec, gender),
            offset_of!(VoiceSpec, spare),
            EVENT_WORD,
            EVENT_PHONEME,
            EVENT_END,
            AUDIO_OUTPUT_SYNCHRONOUS,
            INITIALIZE_PHONEME_IPA,
            PARAM_RATE,
            POS_CHARACTER,
        );
        assert_eq!(text, ours);
    }
}
