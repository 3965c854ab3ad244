//! Japanese text → Kokoro-82M v1.0 phonemes.
//!
//! Kokoro v1.0 learned Japanese from misaki's cutlet-style front end: a morphological analyser
//! gives each word's pronunciation in katakana (long vowels as ー), the kana are written in an
//! IPA-like alphabet, and words are separated by spaces. This reader does the same with the IPADIC
//! source dictionary (`evercast models install ipadic`), analysed by [`vibrato`] (a MeCab-
//! compatible Viterbi tokenizer), and misaki's kana table:
//!
//! * kana: か ka, き kʲi, し ɕi, す sɨ, ち ʨi, つ ʦɨ, ふ ɸɯ, ら ɾa, わ βa, じ/ぢ ʥi, ざ ʣa …,
//!   きゃ kʲa, しゅ ɕɨ, ちょ ʨo …; ー → ː; っ → ʔ (glued to its neighbours);
//!   ん → m before m/p/b, ŋ before k/g, ɲ before ɲ/ʨ/ʥ, n before n/t/d/ɾ/z, else ɴ;
//! * words: one morpheme per word, as misaki writes them, except that a conjunctive て/で
//!   joins its verb (待って ください → `maʔte kɯdasai`);
//! * punctuation: 、→ `,`  。→ `.`  ！→ `!`  ？→ `?`  ：→ `:`  「」『』 → “ ”, ・ → space;
//! * numbers: Arabic digits are read in kana (1980 → せんきゅうひゃくはちじゅう), with the
//!   sound changes of common counters (1個 いっこ, 3本 さんぼん, 6分 ろっぷん, 2人 ふたり,
//!   4月 しがつ) and ¥/円, %;
//! * Latin words: offered to the caller ([`JaReader::phonemes_with`]) or read as Japanese letter
//!   names (USB → ユーエスビー);
//! * words the dictionary does not know: written in kana, their kana; otherwise (unknown kanji)
//!   left out, with a debug log.
//!
//! The dictionary is compiled once from the CSV sources (about half a minute) and cached next to
//! them as `ipadic.vibrato`; later loads read the cache.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use vibrato::dictionary::LexType;
use vibrato::{Dictionary, SystemDictionaryBuilder, Tokenizer};

/// The compiled dictionary's file name, in the dictionary folder.
pub const CACHE_FILE: &str = "ipadic.vibrato";

/// Why the Japanese reader could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JaError {
    #[error("no IPADIC dictionary in {} (missing {missing}): run `evercast models install ipadic`", dir.display())]
    Missing { dir: PathBuf, missing: String },
    #[error("reading {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the IPADIC dictionary in {} cannot be compiled: {msg}", dir.display())]
    Dictionary { dir: PathBuf, msg: String },
}

/// Reads Japanese text as Kokoro phonemes. Load once (the dictionary is large) and share: it
/// is `Send + Sync`, and [`JaReader::phonemes`] takes `&self`.
pub struct JaReader {
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for JaReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JaReader").finish_non_exhaustive()
    }
}

impl JaReader {
    /// Loads the IPADIC dictionary in `dir` (the `*.csv` lexicon, `matrix.def`, `char.def`,
    /// `unk.def`), from its compiled cache `ipadic.vibrato` when that is present and newer than
    /// the sources; otherwise compiles it and writes the cache (atomically; a read-only folder
    /// only costs the compile next time).
    pub fn load(dir: &Path) -> Result<JaReader, JaError> {
        let sources = source_files(dir)?;
        let cache = dir.join(CACHE_FILE);
        let newest = sources.iter().filter_map(|p| p.metadata().and_then(|m| m.modified()).ok()).max().unwrap_or(SystemTime::UNIX_EPOCH);
        let mut dict = None;
        if cache.metadata().and_then(|m| m.modified()).is_ok_and(|m| m >= newest) {
            match File::open(&cache).map_err(|e| e.to_string()).and_then(|f| Dictionary::read(BufReader::with_capacity(1 << 20, f)).map_err(|e| e.to_string())) {
                Ok(d) => dict = Some(d),
                Err(e) => tracing::warn!("{} is unreadable ({e}); compiling the dictionary again", cache.display()),
            }
        }
        let dict = match dict {
            Some(d) => d,
            None => {
                let d = compile(dir, &sources)?;
                write_cache(&d, &cache);
                d
            }
        };
        let tokenizer = Tokenizer::new(dict)
            .ignore_space(true)
            .map_err(|e| JaError::Dictionary { dir: dir.to_path_buf(), msg: e.to_string() })?
            .max_grouping_len(24);
        Ok(JaReader { tokenizer })
    }

    /// `text` as a Kokoro v1.0 phoneme string. Latin words are read as Japanese letter names.
    pub fn phonemes(&self, text: &str) -> String {
        self.phonemes_with(text, &mut |_| None)
    }

    /// Like [`JaReader::phonemes`], but each run of Latin letters ("iPhone", "USB-C") is first
    /// offered to `latin`; its `Some(phonemes)` is used as they are.
    pub fn phonemes_with(&self, text: &str, latin: &mut dyn FnMut(&str) -> Option<String>) -> String {
        let text = normalize(text);
        let mut morphs = Vec::new();
        for piece in pieces(&text) {
            match piece {
                Piece::Text(t) => self.analyse(t, &mut morphs),
                Piece::Number { kana, surface } => morphs.push(Morph { surface, pos1: "名詞", pos2: "数", kana, kind: Kind::Word }),
                Piece::Latin(w) => match latin(w) {
                    Some(p) if !p.trim().is_empty() => morphs.push(Morph { surface: w.to_string(), pos1: "名詞", pos2: "固有名詞", kana: String::new(), kind: Kind::Raw(p.trim().to_string()) }),
                    _ => morphs.push(Morph { surface: w.to_string(), pos1: "名詞", pos2: "固有名詞", kana: spell_latin(w), kind: Kind::Word }),
                },
            }
        }
        assemble(&group(morphs))
    }

    /// Morphemes of a piece of text without digits or Latin letters.
    fn analyse(&self, text: &str, out: &mut Vec<Morph>) {
        let mut worker = self.tokenizer.new_worker();
        worker.reset_sentence(text);
        worker.tokenize();
        for i in 0..worker.num_tokens() {
            let t = worker.token(i);
            let surface = t.surface();
            let f: Vec<&str> = t.feature().split(',').collect();
            let pos1 = intern_pos(f.first().copied().unwrap_or("*"));
            let pos2 = intern_pos(f.get(1).copied().unwrap_or("*"));
            if pos1 == "記号" || surface.chars().all(|c| punct(c).is_some()) {
                let p: String = surface.chars().filter_map(punct).collect();
                out.push(Morph { surface: surface.to_string(), pos1, pos2, kana: String::new(), kind: Kind::Punct(p) });
                continue;
            }
            // Pronunciation (last field), else reading, else the surface if it is kana.
            let reading = [f.get(8), f.get(7)].into_iter().flatten().copied().find(|r| *r != "*" && !r.is_empty() && r.chars().all(is_kana_or_mark));
            let kana = match reading {
                Some(r) if t.lex_type() != LexType::Unknown => to_hiragana(r),
                _ if surface.chars().all(is_kana_or_mark) => to_hiragana(surface),
                _ => {
                    tracing::debug!("no reading for {surface:?}; skipped");
                    continue;
                }
            };
            out.push(Morph { surface: surface.to_string(), pos1, pos2, kana, kind: Kind::Word });
        }
    }
}

/// The dictionary sources in `dir`, lexicon files first (sorted), then the three definitions.
fn source_files(dir: &Path) -> Result<Vec<PathBuf>, JaError> {
    let missing = |what: &str| JaError::Missing { dir: dir.to_path_buf(), missing: what.to_string() };
    let rd = std::fs::read_dir(dir).map_err(|_| missing("the folder"))?;
    let mut csvs: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "csv")).collect();
    if csvs.is_empty() {
        return Err(missing("the *.csv lexicon"));
    }
    csvs.sort();
    for def in ["matrix.def", "char.def", "unk.def"] {
        let p = dir.join(def);
        if !p.is_file() {
            return Err(missing(def));
        }
        csvs.push(p);
    }
    Ok(csvs)
}

fn compile(dir: &Path, sources: &[PathBuf]) -> Result<Dictionary, JaError> {
    let t = std::time::Instant::now();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| JaError::Io { path, source }
    };
    let mut lex = Vec::with_capacity(64 << 20);
    for p in sources.iter().filter(|p| p.extension().is_some_and(|x| x == "csv")) {
        File::open(p).and_then(|mut f| f.read_to_end(&mut lex)).map_err(io(p))?;
        if !lex.ends_with(b"\n") {
            lex.push(b'\n');
        }
    }
    let open = |name: &str| {
        let p = dir.join(name);
        File::open(&p).map(BufReader::new).map_err(io(&p))
    };
    let dict = SystemDictionaryBuilder::from_readers(&lex[..], open("matrix.def")?, open("char.def")?, open("unk.def")?)
        .map_err(|e| JaError::Dictionary { dir: dir.to_path_buf(), msg: e.to_string() })?;
    tracing::info!("compiled the IPADIC dictionary in {:.1} s", t.elapsed().as_secs_f64());
    Ok(dict)
}

/// Writes the compiled dictionary to `path` through a temporary file and a rename, so a reader
/// never sees half a file. Failures are logged, not returned: the cache only saves time.
fn write_cache(dict: &Dictionary, path: &Path) {
    let tmp = path.with_file_name(format!(".{CACHE_FILE}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        dict.write(&mut w).map_err(std::io::Error::other)?;
        w.flush()?;
        w.get_ref().sync_all()?;
        drop(w);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!("could not cache the compiled dictionary at {} ({e}); it will be compiled again next time", path.display());
    }
}

// ---------------------------------------------------------------------------------------------
// Morphemes and words

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Read from `kana`.
    Word,
    /// Punctuation, already in Kokoro's symbols (possibly empty).
    Punct(String),
    /// Phonemes supplied by the caller.
    Raw(String),
}

#[derive(Debug, Clone)]
struct Morph {
    surface: String,
    pos1: &'static str,
    pos2: &'static str,
    /// Hiragana reading (long vowels as ー).
    kana: String,
    kind: Kind,
}

/// Part-of-speech names used by the grouping rules, as static strings (others become "*").
fn intern_pos(p: &str) -> &'static str {
    const KNOWN: [&str; 16] = ["名詞", "動詞", "形容詞", "助動詞", "助詞", "接頭詞", "記号", "副詞", "連体詞", "接続詞", "感動詞", "非自立", "接尾", "接続助詞", "サ変接続", "数"];
    KNOWN.iter().find(|k| **k == p).copied().unwrap_or("*")
}

/// One spoken word: the kana of its morphemes, or punctuation.
#[derive(Debug)]
enum Word {
    Kana(String),
    Raw(String),
    Punct { symbols: String, opening: bool },
}

/// Groups morphemes into words: each morpheme is a word, except that a conjunctive て/で
/// joins the verb or adjective before it (待って, 使って), as misaki's word list joins them.
fn group(morphs: Vec<Morph>) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    // Part of speech of the last morpheme of the open word, if one is open.
    let mut last: Option<&str> = None;
    for m in morphs {
        match m.kind {
            Kind::Punct(symbols) => {
                let opening = matches!(symbols.as_str(), "“" | "(");
                words.push(Word::Punct { symbols, opening });
                last = None;
            }
            Kind::Raw(p) => {
                words.push(Word::Raw(p));
                last = None;
            }
            Kind::Word => {
                let attach = m.pos1 == "助詞"
                    && m.pos2 == "接続助詞"
                    && matches!(m.surface.as_str(), "て" | "で")
                    && matches!(last, Some("動詞" | "形容詞" | "助動詞"));
                match words.last_mut() {
                    Some(Word::Kana(k)) if attach => k.push_str(&m.kana),
                    _ => words.push(Word::Kana(m.kana)),
                }
                last = Some(m.pos1);
            }
        }
    }
    words
}

/// The phoneme string of the words, spaced as misaki spaces them.
fn assemble(words: &[Word]) -> String {
    let mut out = String::new();
    let mut space_due = false;
    for w in words {
        match w {
            Word::Kana(k) => {
                let p = kana_phonemes(k);
                if p.is_empty() {
                    continue;
                }
                if space_due && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&p);
                space_due = true;
            }
            Word::Raw(p) => {
                if space_due && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(p);
                space_due = true;
            }
            Word::Punct { symbols, opening: true } => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(symbols);
                space_due = false;
            }
            Word::Punct { symbols, opening: false } => {
                if symbols.trim().is_empty() {
                    // ・ and other separators: a word break.
                    space_due = true;
                    continue;
                }
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(symbols);
                space_due = true;
            }
        }
    }
    // Sokuon glues to its neighbours: "ʨo ʔ to" → "ʨoʔto" (misaki removes spaces before ʔ
    // unless punctuation precedes, and after it unless an opening quote follows).
    let chars: Vec<char> = out.chars().collect();
    let mut s = String::with_capacity(out.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            if next == Some('ʔ') && !prev.is_some_and(|p| "!\",.:;?—…”".contains(p)) {
                continue;
            }
            if prev == Some('ʔ') && !next.is_some_and(|n| "\"“".contains(n)) {
                continue;
            }
            if s.ends_with(' ') {
                continue;
            }
        }
        s.push(c);
    }
    s.trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// Kana → phonemes (misaki's cutlet-style table)

/// Phonemes of one kana (hiragana; ヷヸヹヺ kept as katakana).
fn mono(c: char) -> Option<&'static str> {
    Some(match c {
        'ぁ' | 'あ' => "a",
        'ぃ' | 'い' | 'ゐ' => "i",
        'ぅ' | 'う' => "ɯ",
        'ぇ' | 'え' | 'ゑ' => "e",
        'ぉ' | 'お' | 'を' => "o",
        'か' | 'ゕ' => "ka",
        'が' => "ɡa",
        'き' => "kʲi",
        'ぎ' => "ɡʲi",
        'く' => "kɯ",
        'ぐ' => "ɡɯ",
        'け' | 'ゖ' => "ke",
        'げ' => "ɡe",
        'こ' => "ko",
        'ご' => "ɡo",
        'さ' => "sa",
        'ざ' => "ʣa",
        'し' => "ɕi",
        'じ' | 'ぢ' => "ʥi",
        'す' => "sɨ",
        'ず' | 'づ' => "zɨ",
        'せ' => "se",
        'ぜ' => "ʣe",
        'そ' => "so",
        'ぞ' => "ʣo",
        'た' => "ta",
        'だ' => "da",
        'ち' => "ʨi",
        'つ' => "ʦɨ",
        'て' => "te",
        'で' => "de",
        'と' => "to",
        'ど' => "do",
        'な' => "na",
        'に' => "ɲi",
        'ぬ' => "nɯ",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ば' => "ba",
        'ぱ' => "pa",
        'ひ' => "çi",
        'び' => "bʲi",
        'ぴ' => "pʲi",
        'ふ' => "ɸɯ",
        'ぶ' => "bɯ",
        'ぷ' => "pɯ",
        'へ' => "he",
        'べ' => "be",
        'ぺ' => "pe",
        'ほ' => "ho",
        'ぼ' => "bo",
        'ぽ' => "po",
        'ま' => "ma",
        'み' => "mʲi",
        'む' => "mɯ",
        'め' => "me",
        'も' => "mo",
        'ゃ' | 'や' => "ja",
        'ゅ' | 'ゆ' => "jɯ",
        'ょ' | 'よ' => "jo",
        'ら' => "ɾa",
        'り' => "ɾʲi",
        'る' => "ɾɯ",
        'れ' => "ɾe",
        'ろ' => "ɾo",
        'ゎ' | 'わ' => "βa",
        'ゔ' => "vɯ",
        'ヷ' => "va",
        'ヸ' => "vʲi",
        'ヹ' => "ve",
        'ヺ' => "vo",
        _ => return None,
    })
}

/// Phonemes of a kana followed by a small kana, where the pair has its own sound.
fn digraph(a: char, b: char) -> Option<&'static str> {
    Some(match (a, b) {
        ('い', 'ぇ') => "je",
        ('う', 'ぃ') => "βi",
        ('う', 'ぇ') => "βe",
        ('う', 'ぉ') => "βo",
        ('き', 'ぇ') => "kʲe",
        ('き', 'ゃ') => "kʲa",
        ('き', 'ゅ') => "kʲɨ",
        ('き', 'ょ') => "kʲo",
        ('ぎ', 'ゃ') => "ɡʲa",
        ('ぎ', 'ゅ') => "ɡʲɨ",
        ('ぎ', 'ょ') => "ɡʲo",
        ('く', 'ぁ') => "kᵝa",
        ('く', 'ぃ') => "kᵝi",
        ('く', 'ぇ') => "kᵝe",
        ('く', 'ぉ') => "kᵝo",
        ('ぐ', 'ぁ') => "ɡᵝa",
        ('ぐ', 'ぃ') => "ɡᵝi",
        ('ぐ', 'ぇ') => "ɡᵝe",
        ('ぐ', 'ぉ') => "ɡᵝo",
        ('し', 'ぇ') => "ɕe",
        ('し', 'ゃ') => "ɕa",
        ('し', 'ゅ') => "ɕɨ",
        ('し', 'ょ') => "ɕo",
        ('じ' | 'ぢ', 'ぇ') => "ʥe",
        ('じ' | 'ぢ', 'ゃ') => "ʥa",
        ('じ' | 'ぢ', 'ゅ') => "ʥɨ",
        ('じ' | 'ぢ', 'ょ') => "ʥo",
        ('ち', 'ぇ') => "ʨe",
        ('ち', 'ゃ') => "ʨa",
        ('ち', 'ゅ') => "ʨɨ",
        ('ち', 'ょ') => "ʨo",
        ('つ', 'ぁ') => "ʦa",
        ('つ', 'ぃ') => "ʦʲi",
        ('つ', 'ぇ') => "ʦe",
        ('つ', 'ぉ') => "ʦo",
        ('て', 'ぃ') => "tʲi",
        ('て', 'ゅ') => "tʲɨ",
        ('で', 'ぃ') => "dʲi",
        ('で', 'ゅ') => "dʲɨ",
        ('と', 'ぅ') => "tɯ",
        ('ど', 'ぅ') => "dɯ",
        ('に', 'ぇ') => "ɲe",
        ('に', 'ゃ') => "ɲa",
        ('に', 'ゅ') => "ɲɨ",
        ('に', 'ょ') => "ɲo",
        ('ひ', 'ぇ') => "çe",
        ('ひ', 'ゃ') => "ça",
        ('ひ', 'ゅ') => "çɨ",
        ('ひ', 'ょ') => "ço",
        ('び', 'ゃ') => "bʲa",
        ('び', 'ゅ') => "bʲɨ",
        ('び', 'ょ') => "bʲo",
        ('ぴ', 'ゃ') => "pʲa",
        ('ぴ', 'ゅ') => "pʲɨ",
        ('ぴ', 'ょ') => "pʲo",
        ('ふ', 'ぁ') => "ɸa",
        ('ふ', 'ぃ') => "ɸʲi",
        ('ふ', 'ぇ') => "ɸe",
        ('ふ', 'ぉ') => "ɸo",
        ('ふ', 'ゅ') => "ɸʲɨ",
        ('ふ', 'ょ') => "ɸʲo",
        ('み', 'ゃ') => "mʲa",
        ('み', 'ゅ') => "mʲɨ",
        ('み', 'ょ') => "mʲo",
        ('り', 'ゃ') => "ɾʲa",
        ('り', 'ゅ') => "ɾʲɨ",
        ('り', 'ょ') => "ɾʲo",
        ('ゔ', 'ぁ') => "va",
        ('ゔ', 'ぃ') => "vʲi",
        ('ゔ', 'ぇ') => "ve",
        ('ゔ', 'ぉ') => "vo",
        ('ゔ', 'ゅ') => "bʲɨ",
        ('ゔ', 'ょ') => "bʲo",
        _ => return None,
    })
}

fn is_sutegana(c: char) -> bool {
    matches!(c, 'ゃ' | 'ゅ' | 'ょ' | 'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ')
}

/// The phonemes of a word's hiragana reading.
fn kana_phonemes(kana: &str) -> String {
    let ks: Vec<char> = kana.chars().collect();
    let mut out = String::new();
    for (i, &k) in ks.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| ks[j]);
        let next = ks.get(i + 1).copied();
        // Iteration marks repeat the kana before them (ゞ voiced).
        let k = match k {
            'ゝ' | 'ヽ' => match prev {
                Some(p) => p,
                None => continue,
            },
            'ゞ' | 'ヾ' => match prev.and_then(add_dakuten) {
                Some(p) => p,
                None => continue,
            },
            '々' | '〃' => continue,
            _ => k,
        };
        if let Some(d) = prev.and_then(|p| digraph(p, k)) {
            out.push_str(d);
            continue;
        }
        if next.is_some_and(|n| digraph(k, n).is_some()) {
            continue;
        }
        if let Some(n) = next.filter(|&n| is_sutegana(n)) {
            if k == 'っ' {
                continue;
            }
            if let (Some(a), Some(b)) = (mono(k), mono(n)) {
                // A kana whose sound ends in a vowel takes the small kana's instead.
                let mut a = a.to_string();
                a.pop();
                out.push_str(&a);
                out.push_str(b);
            }
            continue;
        }
        if is_sutegana(k) && prev.is_some() {
            continue;
        }
        match k {
            'ー' => out.push('ː'),
            'っ' => out.push('ʔ'),
            'ん' => {
                let n = next.and_then(mono).unwrap_or("");
                out.push(if n.starts_with(['m', 'p', 'b']) {
                    'm'
                } else if n.starts_with(['k', 'ɡ']) {
                    'ŋ'
                } else if n.starts_with(['ɲ', 'ʨ', 'ʥ']) {
                    'ɲ'
                } else if n.starts_with(['n', 't', 'd', 'ɾ', 'z']) {
                    'n'
                } else {
                    'ɴ'
                });
            }
            _ => {
                if let Some(m) = mono(k) {
                    out.push_str(m);
                }
            }
        }
    }
    out
}

fn add_dakuten(k: char) -> Option<char> {
    const PLAIN: &str = "かきくけこさしすせそたちつてとはひふへほ";
    const VOICED: &str = "がぎぐげござじずぜぞだぢづでどばびぶべぼ";
    let i = PLAIN.chars().position(|c| c == k)?;
    VOICED.chars().nth(i)
}

/// Katakana to hiragana (ヷヸヹヺ have no hiragana and stay).
fn to_hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            'ヽ' => 'ゝ',
            'ヾ' => 'ゞ',
            _ => c,
        })
        .collect()
}

fn is_kana_or_mark(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}')
}

/// Kokoro punctuation for a character (empty: a word break that is not spoken).
fn punct(c: char) -> Option<&'static str> {
    Some(match c {
        '。' | '.' | '．' | '｡' => ".",
        '、' | '，' | ',' | '､' => ",",
        '？' | '?' => "?",
        '！' | '!' => "!",
        '：' | ':' => ":",
        '；' | ';' => ";",
        '「' | '『' | '“' | '«' | '【' | '《' | '〈' | '（' | '(' => "“",
        '」' | '』' | '”' | '»' | '】' | '》' | '〉' | '）' | ')' => "”",
        '…' | '‥' => "…",
        '～' | '〜' | '—' | '―' => "—",
        '・' | '･' | '/' | '／' | '-' | '－' | '‐' | '♪' | '★' | '☆' | '※' | '→' | '＝' | '=' | '＋' | '+' | '＆' | '&' | '＠' | '@' | '#' | '＃' | '"' | '\'' => " ",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Normalisation, numbers, Latin letters

/// Full-width ASCII letters and digits to ASCII; half-width katakana to full-width; the small
/// katakana of the phonetic extensions (ㇰ …) to ordinary katakana; 〜 between numbers → から.
fn normalize(text: &str) -> String {
    const HALF: &str = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
    const FULL: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    const EXT: &str = "ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ";
    const EXT_FULL: &str = "クシストヌハヒフヘホムラリルレロ";
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '．' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '￥' => '¥',
            '\u{3000}' => ' ',
            _ => c,
        };
        if let Some(i) = HALF.chars().position(|h| h == c) {
            out.push(FULL.chars().nth(i).unwrap_or(c));
        } else if let Some(i) = EXT.chars().position(|h| h == c) {
            out.push(EXT_FULL.chars().nth(i).unwrap_or(c));
        } else if c == 'ﾞ' || c == 'ﾟ' || c == '\u{3099}' || c == '\u{309A}' {
            // (Semi-)voiced sound marks combine with the kana before them.
            let semi = c == 'ﾟ' || c == '\u{309A}';
            if let Some((last, v)) = out.last_mut().and_then(|l| voice_kana(*l, semi).map(|v| (l, v))) {
                *last = v;
            }
        } else {
            out.push(c);
        }
    }
    // 〜 between digits: a range, read から.
    let mut s = String::with_capacity(text.len());
    for (i, &c) in out.iter().enumerate() {
        if matches!(c, '〜' | '～' | '~') && i > 0 && out[i - 1].is_ascii_digit() && out.get(i + 1).is_some_and(char::is_ascii_digit) {
            s.push_str("から");
        } else {
            s.push(c);
        }
    }
    s
}

fn voice_kana(k: char, semi: bool) -> Option<char> {
    if semi {
        const PLAIN: &str = "ハヒフヘホはひふへほ";
        const SEMI: &str = "パピプペポぱぴぷぺぽ";
        let i = PLAIN.chars().position(|c| c == k)?;
        return SEMI.chars().nth(i);
    }
    if k == 'ウ' {
        return Some('ヴ');
    }
    if let Some(h) = add_dakuten(k) {
        return Some(h);
    }
    let hira = to_hiragana(&k.to_string()).chars().next()?;
    let v = add_dakuten(hira)?;
    char::from_u32(v as u32 + 0x60)
}

enum Piece<'a> {
    Text(&'a str),
    Number { kana: String, surface: String },
    Latin(&'a str),
}

/// Splits normalised text into text for the analyser, numbers (with a following counter) and
/// Latin words.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| bytes.get(i).map(|&(_, c)| c);
    let byte = |i: usize| bytes.get(i).map_or(text.len(), |&(b, _)| b);
    let mut start = 0; // start (char index) of the pending text
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i].1;
        let yen_prefix = matches!(c, '¥' | '$') && at(i + 1).is_some_and(|d| d.is_ascii_digit());
        // A number in kanji with a multiplier (二千九百八十, 三十): read like digits.
        let kanji_run = if KANJI_DIGITS.contains(c) && !matches!(c, '万' | '億' | '兆') {
            let n = bytes[i..].iter().take_while(|&&(_, d)| KANJI_DIGITS.contains(d)).count();
            let run = &text[byte(i)..byte(i + n)];
            let numeric = n >= 2 && run.contains(['十', '百', '千']) && at(i + n) != Some('屋');
            numeric.then(|| (n, kanji_number(run))).and_then(|(n, v)| v.map(|v| (n, v)))
        } else {
            None
        };
        if c.is_ascii_digit() || yen_prefix || kanji_run.is_some() {
            if start < i {
                out.push(Piece::Text(&text[byte(start)..byte(i)]));
            }
            let first = i;
            if yen_prefix {
                i += 1;
            }
            let mut int = String::new();
            let mut frac = String::new();
            if let Some((n, v)) = kanji_run {
                int = v.to_string();
                i += n;
            } else {
                while let Some(d) = at(i) {
                    if d.is_ascii_digit() {
                        int.push(d);
                        i += 1;
                    } else if d == ',' && (1..=3).all(|k| at(i + k).is_some_and(|x| x.is_ascii_digit())) && !at(i + 4).is_some_and(|x| x.is_ascii_digit()) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if at(i) == Some('.') && at(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                    while let Some(d) = at(i).filter(char::is_ascii_digit) {
                        frac.push(d);
                        i += 1;
                    }
                }
            }
            let mut kana = number_kana(&int, &frac);
            // A multiplier kanji right after the digits (3万, 1億).
            if let Some(m) = at(i).and_then(|c| match c {
                '万' => Some("まん"),
                '億' => Some("おく"),
                '兆' => Some("ちょー"),
                _ => None,
            }) {
                if m == "ちょー" && kana.ends_with("いち") {
                    kana.truncate(kana.len() - "ち".len());
                    kana.push('っ');
                }
                kana.push_str(m);
                i += 1;
            } else if frac.is_empty() {
                // A counter right after the number.
                let rest = &text[byte(i)..];
                if let Some((len, reading)) = counter(&int, rest) {
                    kana = reading;
                    i += len;
                }
            } else if matches!(at(i), Some('%')) {
                kana.push_str("ぱーせんと");
                i += 1;
            }
            if yen_prefix && c == '¥' && at(i) != Some('円') {
                kana.push_str("えん");
            } else if yen_prefix && c == '$' {
                kana.push_str("どる");
            }
            out.push(Piece::Number { kana, surface: text[byte(first)..byte(i)].to_string() });
            start = i;
        } else if c.is_ascii_alphabetic() {
            if start < i {
                out.push(Piece::Text(&text[byte(start)..byte(i)]));
            }
            let first = i;
            i += 1;
            while let Some(d) = at(i) {
                if d.is_ascii_alphanumeric() && !d.is_ascii_digit() {
                    i += 1;
                } else if matches!(d, '-' | '\'' | '.') && at(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
                    i += 2;
                } else {
                    break;
                }
            }
            out.push(Piece::Latin(&text[byte(first)..byte(i)]));
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(Piece::Text(&text[byte(start)..]));
    }
    out
}

const KANJI_DIGITS: &str = "〇一二三四五六七八九十百千万億兆";

/// The value of a number written in kanji (二千九百八十 → 2980); `None` if it is not one.
fn kanji_number(run: &str) -> Option<u64> {
    let (mut total, mut section, mut digit): (u64, u64, Option<u64>) = (0, 0, None);
    for c in run.chars() {
        let d = "〇一二三四五六七八九".chars().position(|x| x == c).map(|p| p as u64);
        match (d, c) {
            (Some(d), _) => {
                // Two plain digits in a row (二〇) are not a number with multipliers.
                if digit.is_some() {
                    return None;
                }
                digit = Some(d);
            }
            (None, '十' | '百' | '千') => {
                let m = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                section += digit.take().unwrap_or(1) * m;
            }
            (None, '万' | '億' | '兆') => {
                let m: u64 = match c {
                    '万' => 10_000,
                    '億' => 100_000_000,
                    _ => 1_000_000_000_000,
                };
                let v = section + digit.take().unwrap_or(0);
                total += if v == 0 { 1 } else { v } * m;
                section = 0;
            }
            _ => return None,
        }
    }
    Some(total + section + digit.unwrap_or(0))
}

const DIGIT_KANA: [&str; 10] = ["ぜろ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅー"];

/// A number in kana, long vowels written ー as in dictionary pronunciations:
/// 1980 → せんきゅーひゃくはちじゅー, 10000 → いちまん, 1.5 → いってんご.
fn number_kana(int: &str, frac: &str) -> String {
    let int = int.trim_start_matches('0');
    let mut s = if int.is_empty() {
        "ぜろ".to_string()
    } else if int.len() > 16 {
        int.chars().map(|d| DIGIT_KANA[d as usize - '0' as usize]).collect()
    } else {
        let n: u64 = int.parse().unwrap_or(0);
        let mut groups = Vec::new();
        let mut m = n;
        while m > 0 {
            groups.push((m % 10_000) as u32);
            m /= 10_000;
        }
        let units = ["", "まん", "おく", "ちょー"];
        let mut s = String::new();
        for (k, &g) in groups.iter().enumerate().rev() {
            if g == 0 {
                continue;
            }
            let mut part = group_kana(g, k > 0);
            if k == 3 && part.ends_with("いち") {
                part.truncate(part.len() - "ち".len());
                part.push('っ');
            }
            s.push_str(&part);
            s.push_str(units[k]);
        }
        s
    };
    if !frac.is_empty() {
        for (end, short) in [("いち", "いっ"), ("はち", "はっ"), ("じゅー", "じゅっ")] {
            if s.ends_with(end) {
                s.truncate(s.len() - end.len());
                s.push_str(short);
                break;
            }
        }
        s.push_str("てん");
        for d in frac.chars() {
            s.push_str(DIGIT_KANA[d as usize - '0' as usize]);
        }
    }
    s
}

/// 1..=9999 in kana; `before_unit`: followed by まん/おく/ちょう (一千万 is いっせんまん).
fn group_kana(g: u32, before_unit: bool) -> String {
    let (th, hu, te, on) = (g / 1000, g / 100 % 10, g / 10 % 10, g % 10);
    let mut s = String::new();
    match th {
        0 => {}
        1 => s.push_str(if before_unit && g.is_multiple_of(1000) { "いっせん" } else { "せん" }),
        3 => s.push_str("さんぜん"),
        8 => s.push_str("はっせん"),
        d => {
            s.push_str(DIGIT_KANA[d as usize]);
            s.push_str("せん");
        }
    }
    match hu {
        0 => {}
        1 => s.push_str("ひゃく"),
        3 => s.push_str("さんびゃく"),
        6 => s.push_str("ろっぴゃく"),
        8 => s.push_str("はっぴゃく"),
        d => {
            s.push_str(DIGIT_KANA[d as usize]);
            s.push_str("ひゃく");
        }
    }
    match te {
        0 => {}
        1 => s.push_str("じゅー"),
        d => {
            s.push_str(DIGIT_KANA[d as usize]);
            s.push_str("じゅー");
        }
    }
    if on > 0 {
        s.push_str(DIGIT_KANA[on as usize]);
    }
    s
}

/// A counter at the start of `rest` after the integer `int`: its length in characters and the
/// reading of number and counter together, with the usual sound changes.
fn counter(int: &str, rest: &str) -> Option<(usize, String)> {
    // (counter, reading, class): class k: gemination after 1/6/8/10/100 (個 いっこ);
    // h: gemination + p, and b after 3 (本 いっぽん, さんぼん); f: like h but p after 3 and 4
    // (分 さんぷん); s: gemination after 1/8/10 (歳 いっさい); n: no change.
    const COUNTERS: &[(&str, &str, char)] = &[
        ("時間", "じかん", 'n'),
        ("ヶ月", "かげつ", 'k'),
        ("か月", "かげつ", 'k'),
        ("カ月", "かげつ", 'k'),
        ("ヵ月", "かげつ", 'k'),
        ("%", "ぱーせんと", 's'),
        ("円", "えん", 'n'),
        ("個", "こ", 'k'),
        ("回", "かい", 'k'),
        ("階", "かい", 'k'),
        ("件", "けん", 'k'),
        ("カ所", "かしょ", 'k'),
        ("本", "ほん", 'h'),
        ("杯", "はい", 'h'),
        ("匹", "ひき", 'h'),
        ("分", "ふん", 'f'),
        ("泊", "はく", 'f'),
        ("歳", "さい", 's'),
        ("才", "さい", 's'),
        ("冊", "さつ", 's'),
        ("足", "そく", 's'),
        ("着", "ちゃく", 's'),
        ("点", "てん", 's'),
        ("枚", "まい", 'n'),
        ("台", "だい", 'n'),
        ("年", "ねん", 'n'),
        ("月", "がつ", 'n'),
        ("日", "にち", 'n'),
        ("時", "じ", 'n'),
        ("秒", "びょー", 'n'),
        ("人", "にん", 'n'),
        ("名", "めい", 'n'),
        ("倍", "ばい", 'n'),
        ("割", "わり", 'n'),
        ("度", "ど", 'n'),
        ("番", "ばん", 'n'),
        ("キロ", "きろ", 'k'),
        ("センチ", "せんち", 's'),
        ("ミリ", "みり", 'n'),
        ("グラム", "ぐらむ", 'n'),
        ("メートル", "めーとる", 'n'),
    ];
    let &(c, reading, class) = COUNTERS.iter().find(|(c, _, _)| rest.starts_with(c))?;
    let len = c.chars().count();
    let n: u64 = int.trim_start_matches('0').parse().unwrap_or(0);
    // Special readings.
    let special = match (c, n) {
        ("人", 1) => Some("ひとり"),
        ("人", 2) => Some("ふたり"),
        ("日", 2) => Some("ふつか"),
        ("日", 3) => Some("みっか"),
        ("日", 4) => Some("よっか"),
        ("日", 5) => Some("いつか"),
        ("日", 6) => Some("むいか"),
        ("日", 7) => Some("なのか"),
        ("日", 8) => Some("よーか"),
        ("日", 9) => Some("ここのか"),
        ("日", 10) => Some("とーか"),
        ("日", 20) => Some("はつか"),
        ("歳" | "才", 20) => Some("はたち"),
        _ => None,
    };
    if let Some(s) = special {
        return Some((len, s.to_string()));
    }
    let mut num = number_kana(int, "");
    let last = n % 10;
    let tens_only = n.is_multiple_of(10) && !n.is_multiple_of(100);
    let hundreds_only = n.is_multiple_of(100) && !n.is_multiple_of(1000);
    // The last digit's own reading for some counters: 4 → よ, 7 → しち, 9 → く.
    let swap = |num: &mut String, from: &str, to: &str| {
        if num.ends_with(from) {
            num.truncate(num.len() - from.len());
            num.push_str(to);
        }
    };
    match (c, last) {
        ("円" | "年" | "時" | "時間" | "人", 4) => swap(&mut num, "よん", "よ"),
        ("月", 4) => swap(&mut num, "よん", "し"),
        ("月" | "時" | "時間", 7) => swap(&mut num, "なな", "しち"),
        ("月" | "時" | "時間", 9) => swap(&mut num, "きゅー", "く"),
        _ => {}
    }
    let gem = |num: &mut String| -> bool {
        for (end, short) in [("いち", "いっ"), ("ろく", "ろっ"), ("はち", "はっ"), ("じゅー", "じゅっ"), ("ひゃく", "ひゃっ")] {
            if num.ends_with(end) {
                num.truncate(num.len() - end.len());
                num.push_str(short);
                return true;
            }
        }
        false
    };
    let ones_or_round = last == 1 || last == 6 || last == 8 || tens_only || hundreds_only;
    let mut reading = reading.to_string();
    match class {
        'k' if ones_or_round => {
            gem(&mut num);
        }
        'h' | 'f' => {
            let first = reading.chars().next().unwrap_or('は');
            if ones_or_round && gem(&mut num) {
                reading = replace_first(&reading, handakuten(first));
            } else if last == 3 && num.ends_with("さん") {
                reading = replace_first(&reading, if class == 'h' { add_dakuten(first).unwrap_or(first) } else { handakuten(first) });
            } else if class == 'f' && last == 4 && num.ends_with("よん") {
                reading = replace_first(&reading, handakuten(first));
            }
        }
        's' if last == 1 || last == 8 || tens_only => {
            gem(&mut num);
        }
        _ => {}
    }
    if c == "階" && last == 3 && num.ends_with("さん") {
        reading = "がい".to_string();
    }
    if c == "足" && last == 3 && num.ends_with("さん") {
        reading = "ぞく".to_string();
    }
    Some((len, num + &reading))
}

fn handakuten(k: char) -> char {
    match k {
        'は' => 'ぱ',
        'ひ' => 'ぴ',
        'ふ' => 'ぷ',
        'へ' => 'ぺ',
        'ほ' => 'ぽ',
        _ => k,
    }
}

fn replace_first(s: &str, c: char) -> String {
    let mut out = String::with_capacity(s.len());
    out.push(c);
    out.extend(s.chars().skip(1));
    out
}

/// Latin letters read as Japanese letter names (USB → ゆーえすびー).
fn spell_latin(word: &str) -> String {
    word.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| match c.to_ascii_uppercase() {
            'A' => "えー",
            'B' => "びー",
            'C' => "しー",
            'D' => "でぃー",
            'E' => "いー",
            'F' => "えふ",
            'G' => "じー",
            'H' => "えいち",
            'I' => "あい",
            'J' => "じぇー",
            'K' => "けー",
            'L' => "える",
            'M' => "えむ",
            'N' => "えぬ",
            'O' => "おー",
            'P' => "ぴー",
            'Q' => "きゅー",
            'R' => "あーる",
            'S' => "えす",
            'T' => "てぃー",
            'U' => "ゆー",
            'V' => "ぶい",
            'W' => "だぶりゅー",
            'X' => "えっくす",
            'Y' => "わい",
            _ => "ぜっと",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// The reader over the workspace's `models/ipadic` (compiled and cached on first use).
    fn reader() -> &'static JaReader {
        static R: OnceLock<JaReader> = OnceLock::new();
        R.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/ipadic");
            JaReader::load(&dir).unwrap_or_else(|e| {
                panic!("the Japanese tests need the IPADIC dictionary in {}: run `evercast models install ipadic` ({e})", dir.display())
            })
        })
    }

    fn ph(text: &str) -> String {
        reader().phonemes(text)
    }

    #[test]
    fn g2p_ja_kana_table() {
        assert_eq!(kana_phonemes("こんにちわ"), "koɲɲiʨiβa");
        assert_eq!(kana_phonemes("とーきょー"), "toːkʲoː");
        assert_eq!(kana_phonemes("ちょっと"), "ʨoʔto");
        assert_eq!(kana_phonemes("しんぶん"), "ɕimbɯɴ");
        assert_eq!(kana_phonemes("さんかい"), "saŋkai");
        assert_eq!(kana_phonemes("こんど"), "kondo");
        assert_eq!(kana_phonemes("ぜんいん"), "ʣeɴiɴ");
        assert_eq!(kana_phonemes("てぃーしゃつ"), "tʲiːɕaʦɨ");
        assert_eq!(kana_phonemes("ふぁいる"), "ɸaiɾɯ");
        assert_eq!(kana_phonemes("じゅーす"), "ʥɨːsɨ");
        assert_eq!(kana_phonemes("ゔぁいおりん"), "vaioɾʲiɴ");
        assert_eq!(kana_phonemes("しぃ"), "ɕi");
        assert_eq!(kana_phonemes("いすゞ"), "isɨzɨ");
        assert_eq!(to_hiragana("トーキョー"), "とーきょー");
    }

    #[test]
    fn g2p_ja_numbers_in_kana() {
        assert_eq!(number_kana("1980", ""), "せんきゅーひゃくはちじゅー");
        assert_eq!(number_kana("0", ""), "ぜろ");
        assert_eq!(number_kana("10000", ""), "いちまん");
        assert_eq!(number_kana("10000000", ""), "いっせんまん");
        assert_eq!(number_kana("11000", ""), "いちまんせん");
        assert_eq!(number_kana("300", ""), "さんびゃく");
        assert_eq!(number_kana("3600", ""), "さんぜんろっぴゃく");
        assert_eq!(number_kana("8800", ""), "はっせんはっぴゃく");
        assert_eq!(number_kana("1", "5"), "いってんご");
        assert_eq!(number_kana("1000000000000", ""), "いっちょー");
        assert_eq!(kanji_number("二千九百八十"), Some(2980));
        assert_eq!(kanji_number("三十"), Some(30));
        assert_eq!(kanji_number("一億二千万"), Some(120_000_000));
        assert_eq!(kanji_number("二〇"), None);
        for (n, rest, want) in [
            ("1", "個", "いっこ"), ("3", "本", "さんぼん"), ("1", "本", "いっぽん"), ("6", "分", "ろっぷん"),
            ("4", "分", "よんぷん"), ("2", "人", "ふたり"), ("4", "人", "よにん"), ("4", "月", "しがつ"),
            ("9", "時", "くじ"), ("10", "回", "じゅっかい"), ("8", "歳", "はっさい"), ("20", "歳", "はたち"),
            ("4", "円", "よえん"), ("100", "円", "ひゃくえん"), ("3", "階", "さんがい"), ("5", "枚", "ごまい"),
        ] {
            assert_eq!(counter(n, rest).map(|(_, r)| r), Some(want.to_string()), "{n}{rest}");
        }
    }

    #[test]
    fn g2p_ja_phrases() {
        assert_eq!(ph("こんにちは"), "koɲɲiʨiβa");
        assert_eq!(ph("東京"), "toːkʲoː");
        assert_eq!(ph("新しい商品です。"), "ataɾaɕii ɕoːçiɴ desɨ.");
        assert_eq!(ph("送料無料"), "soːɾʲoː mɯɾʲoː");
        assert_eq!(ph("ちょっと待ってください"), "ʨoʔto maʔte kɯdasai");
        assert_eq!(ph("この商品は、とても人気があります。"), "kono ɕoːçiɴ βa, totemo ɲiŋkʲi ɡa aɾʲi masɨ.");
        assert_eq!(ph("東京の倉庫からすぐに発送します。"), "toːkʲoː no soːko kaɾa sɨɡɯ ɲi haʔsoː ɕi masɨ.");
    }

    #[test]
    fn g2p_ja_digits() {
        assert_eq!(ph("1980"), "seŋkʲɨːçakɯhaʨiʥɨː");
        assert_eq!(ph("今日は3個で2,980円！"), "kʲoː βa saŋko de ɲiseŋkʲɨːçakɯhaʨiʥɨːeɴ!");
        assert_eq!(ph("二千九百八十円です"), "ɲiseŋkʲɨːçakɯhaʨiʥɨːeɴ desɨ");
        assert_eq!(ph("２０％オフ"), ph("20%オフ"));
        assert_eq!(ph("¥500"), "ɡoçakɯeɴ");
        assert_eq!(ph("1〜3個"), "iʨi kaɾa saŋko");
    }

    #[test]
    fn g2p_ja_punctuation_and_latin() {
        assert_eq!(ph("「はい」、いいえ！本当？"), "“hai”, iːe! hontoː?");
        assert_eq!(ph("USBケーブル"), "jɯːesɨbʲiː keːbɯɾɯ");
        let out = reader().phonemes_with("新しいiPhoneです", &mut |w| (w == "iPhone").then(|| "ˈIfˌOn".to_string()));
        assert_eq!(out, "ataɾaɕii ˈIfˌOn desɨ");
        assert_eq!(ph("ｺﾝﾆﾁﾊ"), ph("コンニチハ"));
    }

    #[test]
    fn g2p_ja_every_symbol_is_in_the_vocabulary() {
        let text = "皆さん、こんばんは！今夜のライブ配信へようこそ。本日ご紹介するのは、この超軽量ダウンジャケットです。\
            通常価格は19,800円ですが、今なら特別に9,980円、さらに送料無料でお届けします。カラーはブラック、ホワイト、\
            ベージュの3色、サイズはSからXLまでご用意しました。防水加工で雨の日も安心、洗濯機で丸洗いもできます。\
            在庫は残りわずか、先着100名様限定です。「今すぐ購入」ボタンを押してくださいね。ヴァイオリン、ティーカップ、\
            フィットネス、ウィークエンド、ちゃっかり、きゅうり、ぎょうざ、ぴゃっ、みゅーじっく、りょかん、にゃんこ。\
            お問い合わせは0120-123-456まで。1.5倍、4月1日、20歳、3本、6分、8回、10個……本当にありがとう～";
        let out = ph(text);
        let bad: Vec<char> = out.chars().filter(|c| !crate::g2p::zh::KOKORO_SYMBOLS.contains(*c)).collect();
        assert!(bad.is_empty(), "symbols outside Kokoro's vocabulary: {bad:?} in {out}");
        assert!(out.chars().count() > 400, "{out}");
    }

    #[test]
    fn g2p_ja_empty_input_and_sharing() {
        fn shared<T: Send + Sync>(_: &T) {}
        shared(reader());
        assert_eq!(ph(""), "");
        assert_eq!(ph("  　 "), "");
        assert_eq!(ph("♪★"), "");
    }

    #[test]
    fn g2p_ja_missing_dictionary_names_the_install_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = JaReader::load(dir.path()).unwrap_err();
        assert!(matches!(err, JaError::Missing { .. }));
        assert!(err.to_string().contains("evercast models install ipadic"), "{err}");
    }

    #[test]
    fn g2p_ja_cache_is_written_and_reused() {
        reader();
        let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/ipadic").join(CACHE_FILE);
        assert!(cache.is_file());
        let t = std::time::Instant::now();
        let r = JaReader::load(cache.parent().unwrap()).unwrap();
        assert_eq!(r.phonemes("東京"), "toːkʲoː");
        // Generous for a debug build on a slow machine; a release load takes about 0.2 s.
        assert!(t.elapsed().as_secs_f64() < 20.0);
    }
}
