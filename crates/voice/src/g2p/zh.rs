//! Mandarin text → Kokoro-82M v1.0 phonemes.
//!
//! Kokoro v1.0 learned Mandarin from misaki's first ("legacy") Chinese front end: text is cut
//! into words (jieba), each word is read in pinyin (pypinyin, tone numbers), each syllable is
//! written in an IPA-like alphabet with the tone as an arrow after the vowel (→ first, ↗ second,
//! ↓ third, ↘ fourth, nothing for the neutral tone), and words are separated by spaces. This
//! module follows the same conventions so its strings look like the ones the model was trained on:
//!
//! * words: jieba's dictionary and HMM ([`jieba_rs`], the same data as Python's jieba);
//! * readings: the `pinyin` crate's default reading of each character (the same data as
//!   pypinyin's), corrected by a phrase table of common words whose reading differs from the
//!   characters' defaults (银行 yín**háng**, 觉得 jué**de**, 音乐 yīn**yuè**, 还有 **hái**yǒu …);
//! * tone sandhi: like misaki, **no** third-tone sandhi (你好 stays `ni↓xau↓`; the model learned
//!   to realise it). 一 and 不 are changed by rule (一个 yí gè, 一起 yì qǐ, 不是 bú shì), which
//!   is what pypinyin's phrase data mostly did for the training text;
//! * symbols: misaki's mapping (b → p, p → pʰ, zh → ꭧ, ch → ꭧʰ, j → ʨ, q → ʨʰ, x → ɕ, h → x,
//!   r → ɻ, z → ʦ, c → ʦʰ; zhi/chi/shi/ri/zi/ci/si → ɨ; -ian → jɛn, -ong → ʊŋ, ü → y …);
//! * punctuation: ，、 → `,`  。 → `.`  ！ → `!`  ？ → `?`  ： → `:`  ； → `;`, quotes and book
//!   titles → “ ”, followed by a space as misaki writes them;
//! * Arabic numbers still in the text are read as Chinese numbers (99 → 九十九, 59.9 → 五十九点九,
//!   50% → 百分之五十, 2024年 → 二零二四年, long digit strings digit by digit).
//!
//! Latin words (brand names, "USB-C") are not Chinese: [`mandarin_phonemes_with`] hands each
//! Latin run to the caller (an English G2P); [`mandarin_phonemes`] spells it letter by letter
//! with English letter names in Kokoro's English symbols (`USB` → `jˈu ˈɛs bˈi`).

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyin;

/// `text` (simplified or traditional Chinese) as a Kokoro v1.0 phoneme string. Latin words are
/// spelled with English letter names.
pub fn mandarin_phonemes(text: &str) -> String {
    mandarin_phonemes_with(text, &mut |_| None)
}

/// Like [`mandarin_phonemes`], but each run of Latin letters (with inner `-`, `'` or `.`, e.g.
/// "USB-C", "iPhone") is first offered to `latin`; its `Some(phonemes)` is used as they are, and
/// `None` falls back to spelling the letters.
pub fn mandarin_phonemes_with(text: &str, latin: &mut dyn FnMut(&str) -> Option<String>) -> String {
    let text = numbers_to_hanzi(&normalize_width(text));
    let mut out = Out::default();
    for seg in segments(&text) {
        match seg {
            Seg::Han(run) => {
                for word in han_run_phonemes(run) {
                    out.word(&word);
                }
            }
            Seg::Latin(word) => match latin(word) {
                Some(p) if !p.trim().is_empty() => out.word(p.trim()),
                _ => {
                    for c in word.chars().filter(char::is_ascii_alphabetic) {
                        out.word(letter_name(c));
                    }
                }
            },
            Seg::Punct(p) => out.punct(p),
            Seg::Space => out.space(),
        }
    }
    out.finish()
}

/// The tone-numbered pinyin (`"yin2"`, `"hang2"`, `"de5"`; ü as `v`) that
/// [`mandarin_phonemes`] reads for each Chinese character of `text`, after the phrase table and
/// the 一/不 rules. Characters without a reading are left out.
pub fn mandarin_pinyin(text: &str) -> Vec<String> {
    let text = numbers_to_hanzi(&normalize_width(text));
    let mut all = Vec::new();
    for seg in segments(&text) {
        if let Seg::Han(run) = seg {
            for (_, syls) in read_run(run) {
                all.extend(syls.into_iter().map(|s| format!("{}{}", s.py, s.tone)));
            }
        }
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Output assembly

/// Builds the phoneme string: words separated by one space, closing punctuation glued to the
/// word before it and followed by a space, opening quotes preceded by a space.
#[derive(Default)]
struct Out {
    s: String,
    /// A space is due before the next word.
    gap: bool,
}

impl Out {
    fn word(&mut self, w: &str) {
        if w.is_empty() {
            return;
        }
        if self.gap && !self.s.is_empty() && !self.s.ends_with(' ') {
            self.s.push(' ');
        }
        self.s.push_str(w);
        self.gap = true;
    }

    fn punct(&mut self, p: &str) {
        match p {
            "“" | "(" => {
                if !self.s.is_empty() && !self.s.ends_with(' ') {
                    self.s.push(' ');
                }
                self.s.push_str(p);
                self.gap = false;
            }
            _ => {
                while self.s.ends_with(' ') {
                    self.s.pop();
                }
                self.s.push_str(p);
                self.s.push(' ');
                self.gap = false;
            }
        }
    }

    fn space(&mut self) {
        self.gap = true;
    }

    fn finish(self) -> String {
        let mut s = String::with_capacity(self.s.len());
        for c in self.s.trim().chars() {
            if c == ' ' && s.ends_with(' ') {
                continue;
            }
            s.push(c);
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Segmentation of the input

enum Seg<'a> {
    Han(&'a str),
    Latin(&'a str),
    Punct(&'static str),
    Space,
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇' | '\u{20000}'..='\u{2FA1F}')
}

/// Kokoro punctuation for a character, as misaki's Chinese front end maps it.
fn punct(c: char) -> Option<&'static str> {
    Some(match c {
        '，' | '、' | ',' | '﹐' | '､' => ",",
        '。' | '．' | '.' | '｡' => ".",
        '！' | '!' => "!",
        '？' | '?' => "?",
        '：' | ':' => ":",
        '；' | ';' => ";",
        '“' | '「' | '『' | '《' | '〈' | '【' | '〖' | '«' | '‘' => "“",
        '”' | '」' | '』' | '》' | '〉' | '】' | '〗' | '»' | '’' => "”",
        '"' => "\"",
        '（' | '(' => "(",
        '）' | ')' => ")",
        '…' | '⋯' => "…",
        '—' | '–' | '～' | '~' | '〜' => "—",
        _ => return None,
    })
}

fn segments(text: &str) -> Vec<Seg<'_>> {
    let mut segs = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if is_han(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if !is_han(d) {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            segs.push(Seg::Han(&text[i..end]));
        } else if c.is_ascii_alphabetic() {
            let mut end = i + 1;
            while let Some(&(j, d)) = it.peek() {
                if d.is_ascii_alphanumeric() {
                    end = j + 1;
                    it.next();
                    continue;
                }
                // Inner joiners: "USB-C", "Wi-Fi", "don't", "a.m".
                if matches!(d, '-' | '\'' | '.' | '’') {
                    let next = text[j + d.len_utf8()..].chars().next();
                    if next.is_some_and(|n| n.is_ascii_alphabetic()) {
                        it.next();
                        continue;
                    }
                }
                break;
            }
            segs.push(Seg::Latin(&text[i..end]));
        } else if c.is_whitespace() {
            segs.push(Seg::Space);
        } else if c == '.' && it.peek().is_some_and(|&(_, d)| d == '.') {
            // "..." → …
            while it.peek().is_some_and(|&(_, d)| d == '.') {
                it.next();
            }
            segs.push(Seg::Punct("…"));
        } else if let Some(p) = punct(c) {
            // "——" and "……" collapse to one mark.
            while it.peek().is_some_and(|&(_, d)| punct(d) == Some(p) && matches!(p, "—" | "…")) {
                it.next();
            }
            segs.push(Seg::Punct(p));
        } else {
            // Symbols Kokoro has no use for (-, /, #, emoji …) are word breaks.
            segs.push(Seg::Space);
        }
    }
    segs
}

/// Full-width ASCII (ＵＳＢ１２３) to ASCII; ideographic space to space. Full-width punctuation
/// is kept (it is mapped later).
fn normalize_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '＋' | '－' | '／' | '＃' | '＆' | '＠' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// English letter names in Kokoro's (misaki's American English) symbols.
fn letter_name(c: char) -> &'static str {
    match c.to_ascii_uppercase() {
        'A' => "ˈA",
        'B' => "bˈi",
        'C' => "sˈi",
        'D' => "dˈi",
        'E' => "ˈi",
        'F' => "ˈɛf",
        'G' => "ʤˈi",
        'H' => "ˈAʧ",
        'I' => "ˈI",
        'J' => "ʤˈA",
        'K' => "kˈA",
        'L' => "ˈɛl",
        'M' => "ˈɛm",
        'N' => "ˈɛn",
        'O' => "ˈO",
        'P' => "pˈi",
        'Q' => "kjˈu",
        'R' => "ˈɑɹ",
        'S' => "ˈɛs",
        'T' => "tˈi",
        'U' => "jˈu",
        'V' => "vˈi",
        'W' => "dˈʌbᵊlju",
        'X' => "ˈɛks",
        'Y' => "wˈI",
        'Z' => "zˈi",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Replaces the Arabic numbers left in `text` by Chinese numerals.
fn numbers_to_hanzi(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Integer part, allowing thousands separators ("1,999").
        let mut int = String::new();
        let mut j = i;
        let mut grouped = false;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                int.push(chars[j]);
                j += 1;
            } else if chars[j] == ',' && (1..=3).all(|k| chars.get(j + k).is_some_and(char::is_ascii_digit)) && !chars.get(j + 4).is_some_and(char::is_ascii_digit) {
                grouped = true;
                j += 1;
            } else {
                break;
            }
        }
        let mut frac = String::new();
        if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
            j += 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                frac.push(chars[j]);
                j += 1;
            }
        }
        let percent = j < chars.len() && matches!(chars[j], '%' | '％');
        let year = frac.is_empty() && int.len() == 4 && chars.get(j) == Some(&'年');
        let code = frac.is_empty() && !grouped && (int.len() > 12 || (int.len() >= 7 && !percent) || (int.len() > 1 && int.starts_with('0')));
        if percent {
            out.push_str("百分之");
        }
        if year || code {
            out.extend(int.chars().map(|d| DIGITS[d as usize - '0' as usize]));
        } else {
            out.push_str(&int_to_hanzi(&int));
        }
        if !frac.is_empty() {
            out.push('点');
            out.extend(frac.chars().map(|d| DIGITS[d as usize - '0' as usize]));
        }
        i = if percent { j + 1 } else { j };
    }
    out
}

/// A non-negative integer (decimal digits, up to 16) in Chinese numerals: 10 → 十, 102 → 一百零二,
/// 2000 → 两千, 13800 → 一万三千八百.
fn int_to_hanzi(digits: &str) -> String {
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return "零".into();
    }
    if digits.len() > 16 {
        return digits.chars().map(|d| DIGITS[d as usize - '0' as usize]).collect();
    }
    let n: u64 = digits.parse().unwrap_or(0);
    const UNITS: [&str; 4] = ["", "万", "亿", "万亿"];
    let mut sections = Vec::new();
    let mut m = n;
    while m > 0 {
        sections.push((m % 10_000) as u32);
        m /= 10_000;
    }
    let mut out = String::new();
    let mut zero = false;
    for (k, &sec) in sections.iter().enumerate().rev() {
        if sec == 0 {
            zero = !out.is_empty();
            continue;
        }
        if !out.is_empty() && (zero || sec < 1000) {
            out.push('零');
        }
        zero = false;
        if sec == 2 && k > 0 {
            out.push('两');
        } else {
            out.push_str(&section_hanzi(sec, out.is_empty()));
        }
        out.push_str(UNITS[k]);
    }
    out
}

/// 1..=9999 in Chinese numerals; `leading`: first section of the number (十二, not 一十二).
fn section_hanzi(sec: u32, leading: bool) -> String {
    let ds = [sec / 1000, sec / 100 % 10, sec / 10 % 10, sec % 10];
    let units = ["千", "百", "十", ""];
    let mut s = String::new();
    let mut started = false;
    let mut zero = false;
    for (i, &d) in ds.iter().enumerate() {
        if d == 0 {
            zero = started;
            continue;
        }
        if zero {
            s.push('零');
            zero = false;
        }
        let omit_one = d == 1 && i == 2 && !started && leading;
        if !omit_one {
            s.push(if d == 2 && i <= 1 && !started { '两' } else { DIGITS[d as usize] });
        }
        s.push_str(units[i]);
        started = true;
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Readings

/// One syllable: toneless pinyin (ü written `v`) and tone 1–4, 5 for the neutral tone.
#[derive(Clone, Debug, PartialEq)]
struct Syl {
    py: String,
    tone: u8,
    /// Taken from the phrase table (the 一/不 rules leave it alone).
    fixed: bool,
}

fn parse_syl(s: &str) -> Syl {
    let (py, tone) = match s.as_bytes().last() {
        Some(b @ b'0'..=b'5') => (&s[..s.len() - 1], b - b'0'),
        _ => (s, 5),
    };
    let py = py.replace('ü', "v");
    // Tone 0 in the table: decided by the 一/不 rules.
    Syl { py, tone, fixed: tone != 0 }
}

fn char_default(c: char) -> Option<Syl> {
    let p = c.to_pinyin()?;
    Some(Syl { fixed: false, ..parse_syl(p.with_tone_num_end()) })
}

fn jieba() -> &'static jieba_rs::Jieba {
    static J: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    J.get_or_init(jieba_rs::Jieba::new)
}

/// The phrase table: word → readings, and the longest word's length in characters.
fn phrases() -> &'static (HashMap<&'static str, &'static str>, usize) {
    static P: OnceLock<(HashMap<&'static str, &'static str>, usize)> = OnceLock::new();
    P.get_or_init(|| {
        let mut map = HashMap::new();
        let mut longest = 1;
        for entry in PHRASES.split([';', '\n']) {
            let Some((word, reading)) = entry.trim().split_once(' ') else { continue };
            longest = longest.max(word.chars().count());
            map.insert(word, reading.trim());
        }
        (map, longest)
    })
}

/// The words of a run of Chinese characters with the readings of their characters.
fn read_run(run: &str) -> Vec<(&str, Vec<Syl>)> {
    let (table, longest) = phrases();
    let mut words: Vec<(&str, Vec<Syl>)> = Vec::new();
    for tok in jieba().cut(run, true) {
        let word = tok.word;
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let mut syls = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            // Longest phrase of the table starting here, within the word.
            let mut matched = false;
            for len in (2..=(*longest).min(chars.len() - i)).rev() {
                let end = chars.get(i + len).map_or(word.len(), |&(b, _)| b);
                let sub = &word[chars[i].0..end];
                if let Some(reading) = table.get(sub) {
                    let rs: Vec<Syl> = reading.split(' ').map(parse_syl).collect();
                    if rs.len() == len {
                        syls.extend(rs);
                        i += len;
                        matched = true;
                        break;
                    }
                }
            }
            if !matched {
                let c = chars[i].1;
                match char_default(c) {
                    Some(s) => syls.push(s),
                    None => {
                        tracing::debug!("no pinyin for {c:?}; skipped");
                        syls.push(Syl { py: String::new(), tone: 5, fixed: true });
                    }
                }
                i += 1;
            }
        }
        words.push((word, syls));
    }
    apply_rules(&mut words);
    for (_, syls) in &mut words {
        syls.retain(|s| !s.py.is_empty());
    }
    words
}

const NUMERALS: &str = "零〇一二两三四五六七八九十百千万亿";

/// Context rules over a run: 一 and 不 sandhi, neutral suffixes, particle 得/地, measure 只.
fn apply_rules(words: &mut [(&str, Vec<Syl>)]) {
    // Flatten to (char, word index, position in word) for context.
    let mut flat: Vec<(char, usize, usize)> = Vec::new();
    for (wi, (w, _)) in words.iter().enumerate() {
        for (ci, c) in w.chars().enumerate() {
            flat.push((c, wi, ci));
        }
    }
    let tone_at = |words: &[(&str, Vec<Syl>)], k: usize| -> Option<u8> {
        let (_, wi, ci) = flat.get(k)?;
        let s = words[*wi].1.get(*ci)?;
        Some(s.tone)
    };
    for k in 0..flat.len() {
        let (c, wi, ci) = flat[k];
        let word = words[wi].0;
        let word_len = word.chars().count();
        let prev = k.checked_sub(1).map(|p| flat[p].0);
        let next = flat.get(k + 1).map(|n| n.0);
        let Some(syl) = words[wi].1.get(ci) else { continue };
        if syl.fixed && syl.tone != 0 {
            continue;
        }
        let new_tone: Option<(&str, u8)> = match c {
            '一' => {
                let next_tone = tone_at(words, k + 1);
                Some(("yi", match (prev, next) {
                    // 第一, 初一, 唯一, end of the run: yī.
                    (Some('第' | '初' | '唯' | '统' | '其' | '万'), _) | (_, None) => 1,
                    // Reduplicated verbs: 看一看, 试一试.
                    (Some(p), Some(n)) if p == n && !NUMERALS.contains(p) => 5,
                    (_, Some('百' | '千')) => 4,
                    (_, Some('万' | '亿')) => 2,
                    // Counting: 一二三, 十一, 一九九八.
                    (Some(p), _) if NUMERALS.contains(p) => 1,
                    (_, Some(n)) if NUMERALS.contains(n) => 1,
                    _ => match next_tone {
                        Some(4) | Some(5) | Some(0) => 2,
                        Some(_) => 4,
                        None => 1,
                    },
                }))
            }
            '不' => {
                let next_tone = tone_at(words, k + 1);
                Some(("bu", if next.is_some() && matches!(next_tone, Some(4)) { 2 } else { 4 }))
            }
            '们' if ci > 0 => Some(("men", 5)),
            '么' if ci > 0 => Some(("me", 5)),
            // 子 defaults to the neutral suffix (孩子); at the start of a word it is zǐ (子女).
            '子' if ci == 0 && !syl.fixed => Some(("zi", 3)),
            '头' if ci > 0 && ci + 1 == word_len && !syl.fixed && matches!(prev, Some('里' | '外' | '上' | '下' | '前' | '后' | '木' | '石' | '骨' | '舌' | '馒' | '念' | '码' | '镜' | '枕')) => Some(("tou", 5)),
            // Particles standing alone after a word: 卖得好, 轻轻地.
            '得' if word_len == 1 && prev.is_some() => Some(("de", 5)),
            '地' if word_len == 1 && wi > 0 && words[wi - 1].0.chars().count() >= 2 && next.is_some() => Some(("de", 5)),
            // 长 on its own or starting a word is mostly cháng (很长, 长款); the zhǎng words
            // (长大, 长辈 …) are in the phrase table.
            '长' if ci == 0 || (ci == 1 && word_len == 2 && prev.is_some_and(|p| "很更太最超好多较特挺真蛮够也都还不".contains(p))) => Some(("chang", 2)),
            // Measure word after a number: 一只, 两只.
            '只' if prev.is_some_and(|p| NUMERALS.contains(p)) => Some(("zhi", 1)),
            // A table tone 0 on another character (not expected): first tone.
            _ if syl.tone == 0 => Some(("", 1)),
            _ => None,
        };
        if let Some((py, tone)) = new_tone {
            let s = &mut words[wi].1[ci];
            if !py.is_empty() {
                s.py = py.to_string();
            }
            s.tone = tone;
        }
    }
}

/// The phoneme words of a run of Chinese characters.
fn han_run_phonemes(run: &str) -> Vec<String> {
    read_run(run)
        .into_iter()
        .map(|(_, syls)| {
            let mut s = String::new();
            for syl in &syls {
                syllable_ipa(&syl.py, syl.tone, &mut s);
            }
            s
        })
        .filter(|s| !s.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Pinyin → symbols

fn tone_mark(tone: u8) -> &'static str {
    match tone {
        1 => "→",
        2 => "↗",
        3 => "↓",
        4 => "↘",
        _ => "",
    }
}

/// Appends the Kokoro symbols of one syllable (`py` toneless, ü as `v`) to `out`.
fn syllable_ipa(py: &str, tone: u8, out: &mut String) {
    let t = tone_mark(tone);
    // Whole syllables without an initial/final split (interjections, syllabic nasals).
    let whole = match py {
        "m" => Some("m0"),
        "n" => Some("n0"),
        "ng" => Some("ŋ0"),
        "hm" => Some("hm0"),
        "hng" => Some("hŋ0"),
        "er" => Some("ɚ0"),
        "o" => Some("ɔ0"),
        "yo" | "io" => Some("jɔ0"),
        "ê" | "eh" => Some("ɛ0"),
        _ => None,
    };
    if let Some(w) = whole {
        out.push_str(&w.replace('0', t));
        return;
    }
    let (ini, rest) = split_initial(py);
    let fin: String = match ini {
        "" => {
            if let Some(r) = py.strip_prefix('y') {
                match r {
                    "i" | "in" | "ing" => r.to_string(),
                    "u" | "v" => "v".into(),
                    "ue" | "ve" => "ve".into(),
                    "uan" | "van" => "van".into(),
                    "un" | "vn" => "vn".into(),
                    _ => format!("i{r}"),
                }
            } else if let Some(r) = py.strip_prefix('w') {
                match r {
                    "u" => "u".into(),
                    "ei" => "uei".into(),
                    "en" => "uen".into(),
                    "eng" => "ueng".into(),
                    "o" => "uo".into(),
                    _ => format!("u{r}"),
                }
            } else {
                py.to_string()
            }
        }
        "j" | "q" | "x" => match rest.strip_prefix('u') {
            Some(r) => format!("v{r}"),
            None => rest.to_string(),
        },
        _ => rest.to_string(),
    };
    let fin = match fin.as_str() {
        "iu" => "iou".to_string(),
        "ui" => "uei".to_string(),
        "un" => "uen".to_string(),
        _ => fin,
    };
    let apical = matches!(ini, "zh" | "ch" | "sh" | "r" | "z" | "c" | "s") && fin == "i";
    let fin_ipa = if apical {
        "ɨ0"
    } else {
        match final_ipa(&fin) {
            Some(f) => f,
            None => {
                tracing::debug!("unknown pinyin final in {py:?}; skipped");
                return;
            }
        }
    };
    out.push_str(initial_ipa(ini));
    out.push_str(&fin_ipa.replace('0', t));
}

fn split_initial(py: &str) -> (&str, &str) {
    for two in ["zh", "ch", "sh"] {
        if let Some(r) = py.strip_prefix(two) {
            return (two, r);
        }
    }
    match py.chars().next() {
        Some(c) if "bpmfdtnlgkhjqxrzcs".contains(c) && py.len() > 1 => py.split_at(1),
        _ => ("", py),
    }
}

fn initial_ipa(ini: &str) -> &'static str {
    match ini {
        "b" => "p",
        "p" => "pʰ",
        "m" => "m",
        "f" => "f",
        "d" => "t",
        "t" => "tʰ",
        "n" => "n",
        "l" => "l",
        "g" => "k",
        "k" => "kʰ",
        "h" => "x",
        "j" => "ʨ",
        "q" => "ʨʰ",
        "x" => "ɕ",
        "zh" => "ꭧ",
        "ch" => "ꭧʰ",
        "sh" => "ʂ",
        "r" => "ɻ",
        "z" => "ʦ",
        "c" => "ʦʰ",
        "s" => "s",
        _ => "",
    }
}

/// A final in misaki's symbols; `0` marks where the tone goes.
fn final_ipa(fin: &str) -> Option<&'static str> {
    Some(match fin {
        "a" => "a0",
        "ai" => "ai0",
        "an" => "a0n",
        "ang" => "a0ŋ",
        "ao" => "au0",
        "e" => "ɤ0",
        "ei" => "ei0",
        "en" => "ə0n",
        "eng" => "ə0ŋ",
        "er" => "ɚ0",
        "i" => "i0",
        "ia" => "ja0",
        "ian" => "jɛ0n",
        "iang" => "ja0ŋ",
        "iao" => "jau0",
        "ie" => "je0",
        "in" => "i0n",
        "iou" => "jou0",
        "ing" => "i0ŋ",
        "iong" => "jʊ0ŋ",
        "io" => "jɔ0",
        "ong" => "ʊ0ŋ",
        "ou" => "ou0",
        "u" => "u0",
        "ua" => "wa0",
        "uai" => "wai0",
        "uan" => "wa0n",
        "uang" => "wa0ŋ",
        "uei" => "wei0",
        "uen" => "wə0n",
        "ueng" => "wə0ŋ",
        "uo" | "o" => "wo0",
        "v" | "ü" => "y0",
        "ve" | "üe" => "ɥe0",
        "van" | "üan" => "ɥɛ0n",
        "vn" | "ün" => "y0n",
        "ê" => "ɛ0",
        _ => return None,
    })
}

/// Words whose reading differs from their characters' default readings: the word and its
/// tone-numbered pinyin (5: neutral; 0: left to the 一/不 rules), entries separated by `;`. The
/// readings are those of the standard dictionaries, as in the phrase data of pypinyin (MIT) that
/// misaki used; the words are the most frequent ones in jieba's dictionary whose reading is not
/// their characters' defaults, plus common live-commerce vocabulary.
const PHRASES: &str = "
买一送一 mai3 yi1 song4 yi1; 之一 zhi1 yi1; 一号 yi1 hao4; 一日 yi1 ri4; 一月 yi1 yue4; 一楼 yi1 lou2; 一线 yi1 xian4;
一等奖 yi1 deng3 jiang3;
长老 zhang3 lao3; 长大 zhang3 da4; 长官 zhang3 guan1; 长子 zhang3 zi3; 长辈 zhang3 bei4; 长相 zhang3 xiang4;
长成 zhang3 cheng2; 长者 zhang3 zhe3; 长史 zhang3 shi3; 长进 zhang3 jin4; 长孙 zhang3 sun1; 长兄 zhang3 xiong1;
长女 zhang3 nv3; 长势 zhang3 shi4; 长满 zhang3 man3; 长大成人 zhang3 da4 cheng2 ren2; 长出 zhang3 chu1; 长袖 chang2 xiu4; 长裤 chang2 ku4; 长款 chang2 kuan3; 长裙 chang2 qun2; 加长 jia1 chang2;
哎呀 ai1 ya1; 挨打 ai2 da3; 爱好 ai4 hao4; 爱好者 ai4 hao4 zhe3; 肮脏 ang1 zang1; 巴勒斯坦 ba1 le4 si1 tan3;
白发 bai2 fa4; 包扎 bao1 za1; 孢子 bao1 zi3; 宝藏 bao3 zang4; 曝光 bao4 guang1; 背包 bei1 bao1;
背负 bei1 fu4; 北斗 bei3 dou3; 本分 ben3 fen4; 本行政区域 ben3 hang2 zheng4 qu1 yu4; 鄙薄 bi3 bo2;
秘鲁 bi4 lu3; 辟邪 bi4 xie2; 变更 bian4 geng1; 标的 biao1 di4; 别扭 bie4 niu3; 饼干 bing3 gan1;
波长 bo1 chang2; 波罗的海 bo1 luo2 di4 hai3; 伯伯 bo2 bo5; 柏拉图 bo2 la1 tu2; 柏林 bo2 lin2; 薄弱 bo2 ruo4;
泊位 bo2 wei4; 薄荷 bo4 he2; 不当 bu0 dang4; 不禁 bu0 jin1; 不尽 bu0 jin4; 不了 bu0 liao3;
不以为然 bu0 yi3 wei2 ran2; 不由得 bu0 you2 de5; 不自禁 bu0 zi4 jin1; 补给 bu3 ji3; 部分 bu4 fen4;
部将 bu4 jiang4; 布鲁塞尔 bu4 lu3 sai4 er3; 参与 can1 yu4; 测量 ce4 liang2; 差别 cha1 bie2; 差额 cha1 e2;
差额选举 cha1 e2 xuan3 ju3; 差价 cha1 jia4; 差距 cha1 ju4; 差异 cha1 yi4; 查处 cha2 chu3; 茶几 cha2 ji1;
刹那间 cha4 na4 jian1; 差遣 chai1 qian3; 长安 chang2 an1; 长安街 chang2 an1 jie1; 长长的 chang2 chang2 de5;
长城 chang2 cheng2; 长春 chang2 chun1; 长度 chang2 du4; 长短 chang2 duan3; 长发 chang2 fa4;
长方形 chang2 fang1 xing2; 长河 chang2 he2; 长虹 chang2 hong2; 偿还 chang2 huan2; 长假 chang2 jia4;
长剑 chang2 jian4; 长江 chang2 jiang1; 长江大桥 chang2 jiang1 da4 qiao2; 长江流域 chang2 jiang1 liu2 yu4;
长江三峡 chang2 jiang1 san1 xia2;
长江三峡水利枢纽工程 chang2 jiang1 san1 xia2 shui3 li4 shu1 niu3 gong1 cheng2;
长江水产研究所 chang2 jiang1 shui3 chan3 yan2 jiu1 suo3; 长久 chang2 jiu3; 长裤 chang2 ku4;
长款 chang2 kuan3; 长廊 chang2 lang2; 长矛 chang2 mao2; 长袍 chang2 pao2; 长篇 chang2 pian1;
长篇小说 chang2 pian1 xiao3 shuo1; 长期 chang2 qi1; 长期以来 chang2 qi1 yi3 lai2; 长沙 chang2 sha1;
长衫 chang2 shan1; 长寿 chang2 shou4; 长叹 chang2 tan4; 长条形 chang2 tiao2 xing2; 长途 chang2 tu2;
长袖 chang2 xiu4; 长于 chang2 yu2; 长远 chang2 yuan3; 长征 chang2 zheng1; 长治久安 chang2 zhi4 jiu3 an1;
超长 chao1 chang2; 朝鲜族 chao2 xian3 zu2; 沉着 chen2 zhuo2; 称为 cheng1 wei2; 惩处 cheng2 chu3;
成都 cheng2 du1; 成分 cheng2 fen4; 成吉思汗 cheng2 ji2 si1 han2; 成为 cheng2 wei2; 丞相 cheng2 xiang4;
充分 chong1 fen4; 重重 chong2 chong2; 重叠 chong2 die2; 重返 chong2 fan3; 重复 chong2 fu4;
重建 chong2 jian4; 重庆 chong2 qing4; 重庆市 chong2 qing4 shi4; 重申 chong2 shen1; 重现 chong2 xian4;
重新 chong2 xin1; 重修 chong2 xiu1; 重演 chong2 yan3; 重阳 chong2 yang2; 重组 chong2 zu3; 出差 chu1 chai1;
出没 chu1 mo4; 出血 chu1 xie3; 处罚 chu3 fa2; 处方 chu3 fang1; 处分 chu3 fen4; 处境 chu3 jing4;
处理 chu3 li3; 处理器 chu3 li3 qi4; 处死 chu3 si3; 处于 chu3 yu2; 处置 chu3 zhi4; 畜生 chu4 sheng5;
船只 chuan2 zhi1; 创伤 chuang1 shang1; 答应 da1 ying4; 打倒 da3 dao3; 打中 da3 zhong4; 大部分 da4 bu4 fen4;
大都 da4 du1; 大都城 da4 du1 cheng2; 大将 da4 jiang4; 逮捕 dai4 bu3; 殆尽 dai4 jin4; 代为 dai4 wei2;
单薄 dan1 bo2; 担子 dan4 zi5; 当成 dang4 cheng2; 当天 dang4 tian1; 当晚 dang4 wan3; 当真 dang4 zhen1;
当作 dang4 zuo4; 当做 dang4 zuo4; 倒闭 dao3 bi4; 倒地 dao3 di4; 倒霉 dao3 mei2; 倒塌 dao3 ta1;
倒下 dao3 xia4; 登场 deng1 chang2; 等离子体 deng3 li2 zi3 ti3; 提防 di1 fang2; 的确 di2 que4; 地处 di4 chu3;
弟弟 di4 di5; 地壳 di4 qiao4; 第一卷 di4 yi0 juan4; 弟子 di4 zi3; 颠倒 dian1 dao3; 典当 dian3 dang4;
点着 dian3 zhao2; 电荷 dian4 he4; 跌倒 die1 dao3; 东长安街 dong1 chang2 an1 jie1; 懂得 dong3 de5;
动弹 dong4 tan2; 斗拱 dou3 gong3; 都察院 du1 cha2 yuan4; 都城 du1 cheng2; 都督 du1 du1; 都督府 du1 du1 fu3;
都市 du1 shi4; 都统 du1 tong3; 堵塞 du3 se4; 肚子 du3 zi5; 度假 du4 jia4; 对称 dui4 chen4; 对应 dui4 ying4;
夺得 duo2 de5; 夺冠 duo2 guan4; 阿弥陀佛 e1 mi2 tuo2 fo2; 恶心 e3 xin1; 发难 fa1 nan4; 发型 fa4 xing2;
反弹 fan3 tan2; 反省 fan3 xing3; 反应 fan3 ying4; 范蠡 fan4 li3; 范蠡庙 fan4 li3 miao4; 放假 fang4 jia4;
非得 fei1 dei3; 分行 fen1 hang2; 分为 fen1 wei2; 分子式 fen1 zi3 shi4; 分量 fen4 liang4; 分外 fen4 wai4;
分子 fen4 zi3; 佛教 fo2 jiao4; 佛教协会 fo2 jiao4 xie2 hui4; 佛经 fo2 jing1; 佛罗伦萨 fo2 luo2 lun2 sa4;
佛山 fo2 shan1; 佛塔 fo2 ta3; 佛像 fo2 xiang4; 复辟 fu4 bi4; 负荷 fu4 he4; 附和 fu4 he4; 附着 fu4 zhuo2;
父子 fu4 zi3; 咖喱 ga1 li2; 改为 gai3 wei2; 干贝 gan1 bei4; 干脆 gan1 cui4; 干干净净 gan1 gan1 jing4 jing4;
干旱 gan1 han4; 干货 gan1 huo4; 干净 gan1 jing4; 干粮 gan1 liang2; 干扰 gan1 rao3; 干涉 gan1 she4;
干爽 gan1 shuang3; 干系 gan1 xi4; 干预 gan1 yu4; 干燥 gan1 zao4; 杆菌 gan3 jun1; 感应 gan3 ying4;
干吗 gan4 ma2; 干嘛 gan4 ma2; 杠杆 gang4 gan3; 高分子 gao1 fen1 zi3; 高兴 gao1 xing4; 疙瘩 ge1 da5;
歌曲 ge1 qu3; 更迭 geng1 die2; 更改 geng1 gai3; 更换 geng1 huan4; 更名 geng1 ming2; 更深 geng1 shen1;
更替 geng1 ti4; 更新 geng1 xin1; 耕种 geng1 zhong4; 哽咽 geng3 ye4; 更为 geng4 wei2; 公差 gong1 chai1;
功夫 gong1 fu5; 工夫 gong1 fu5; 供给 gong1 ji3; 宫阙 gong1 que4; 供应 gong1 ying4;
供应商 gong1 ying4 shang1; 供奉 gong4 feng4; 供养 gong4 yang3; 勾当 gou4 dang4; 古都 gu3 du1; 鼓乐 gu3 yue4;
冠军 guan4 jun1; 罐头 guan4 tou5; 归还 gui1 huan2; 跪倒 gui4 dao3; 过分 guo4 fen4; 海参 hai3 shen1;
行货 hang2 huo4; 行列 hang2 lie4; 行情 hang2 qing2; 行业 hang2 ye4; 行长 hang2 zhang3; 好似 hao3 si4;
好奇 hao4 qi2; 好奇心 hao4 qi2 xin1; 和平共处 he2 ping2 gong4 chu3; 喝彩 he4 cai3; 喝采 he4 cai3;
喝道 he4 dao4; 荷枪实弹 he4 qiang1 shi2 dan4; 衡量 heng2 liang2; 侯长安 hou2 chang2 an1; 呼喝 hu1 he4;
呼应 hu1 ying4; 呼吁 hu1 yu4; 胡同 hu2 tong4; 互为 hu4 wei2; 划算 hua2 suan4; 划算的 hua2 suan4 de5;
华山 hua4 shan1; 化学反应 hua4 xue2 fan3 ying4; 还给 huan2 gei3; 还价 huan2 jia4; 还原 huan2 yuan2;
黄陂 huang2 pi2; 黄陂区 huang2 pi2 qu1; 晃动 huang4 dong4; 回应 hui2 ying4; 会儿 hui4 er5; 活儿 huo2 er5;
活佛 huo2 fo2; 几乎 ji1 hu1; 积累 ji1 lei3; 击中 ji1 zhong4; 极为 ji2 wei2; 即兴 ji2 xing4; 济南 ji3 nan2;
济南市 ji3 nan2 shi4; 给予 ji3 yu3; 几只 ji3 zhi1; 脊椎动物 ji3 zhui1 dong4 wu4; 记得 ji4 de5;
系鞋带 ji4 xie2 dai4; 记载 ji4 zai3; 家当 jia1 dang4; 家伙 jia1 huo5; 加勒比海 jia1 le4 bi3 hai3;
钾长石 jia3 chang2 shi2; 假期 jia4 qi1; 假日 jia4 ri4; 间谍 jian4 die2; 建都 jian4 du1; 间断 jian4 duan4;
间隔 jian4 ge2; 间接 jian4 jie1; 间接选举 jian4 jie1 xuan3 ju3; 监利 jian4 li4; 监利县 jian4 li4 xian4;
间隙 jian4 xi4; 将领 jiang4 ling3; 将士 jiang4 shi4; 教书 jiao1 shu1; 交响曲 jiao1 xiang3 qu3;
交响乐团 jiao1 xiang3 yue4 tuan2; 叫化 jiao4 hua1; 较为 jiao4 wei2; 禁不住 jin1 bu0 zhu4; 筋斗 jin1 dou3;
劲儿 jin4 er5; 尽力 jin4 li4; 尽情 jin4 qing2; 尽数 jin4 shu4; 近似 jin4 si4; 尽头 jin4 tou2; 京都 jing1 du1;
镜头 jing4 tou2; 酒吧 jiu3 ba1; 卷发 juan3 fa4; 卷宗 juan4 zong1; 绝大部分 jue2 da4 bu4 fen4; 觉得 jue2 de5;
倔强 jue2 jiang4; 角色 jue2 se4; 角逐 jue2 zhu2; 君子 jun1 zi3; 喀什 ka1 shi2; 看守 kan1 shou3;
看中 kan4 zhong4; 康有为 kang1 you3 wei2; 考卷 kao3 juan4; 可恶 ke3 wu4; 空调 kong1 tiao2;
空调被 kong1 tiao2 bei4; 空白 kong4 bai2; 空地 kong4 di4; 空隙 kong4 xi4; 空闲 kong4 xian2; 苦难 ku3 nan4;
会计 kuai4 ji4; 会计师 kuai4 ji4 shi1; 傀儡 kui3 lei3; 落下 la4 xia4; 来得 lai2 de5; 来得及 lai2 de5 ji2;
懒得 lan3 de5; 老佛爷 lao3 fo2 ye2; 老将 lao3 jiang4; 老头儿 lao3 tou5 er5; 累积 lei3 ji1; 累计 lei3 ji4;
肋骨 lei4 gu3; 类似 lei4 si4; 理发 li3 fa4; 踉跄 liang4 qiang4; 亮相 liang4 xiang4; 量子 liang4 zi3;
了不起 liao3 bu0 qi3; 了结 liao3 jie2; 了解 liao3 jie3; 令狐 ling2 hu2; 令狐冲 ling2 hu2 chong1;
令狐大哥 ling2 hu2 da4 ge1; 刘姥姥 liu2 lao3 lao5; 流血 liu2 xie3; 笼络 long3 luo4; 笼罩 long3 zhao4;
弄堂 long4 tang2; 露面 lou4 mian4; 论语 lun2 yu3; 罗刹 luo2 cha4; 落得 luo4 de5; 码头 ma3 tou2;
埋怨 man2 yuan4; 漫长 man4 chang2; 毛发 mao2 fa4; 门将 men2 jiang4; 蒙古族 meng3 gu3 zu2;
迷迷糊糊 mi2 mi2 hu1 hu1; 免不了 mian3 bu0 liao3; 免得 mian3 de5; 勉强 mian3 qiang3; 名将 ming2 jiang4;
命中 ming4 zhong4; 命中率 ming4 zhong4 lv4; 没收 mo4 shou1; 模板 mu2 ban3; 模具 mu2 ju4; 模样 mu2 yang4;
目的 mu4 di4; 目的地 mu4 di4 di4; 哪个 na3 ge5; 那个 na4 ge5; 南京长江大桥 nan2 jing1 chang2 jiang1 da4 qiao2;
难民 nan4 min2; 粘土 nian2 tu3; 娘子 niang2 zi3; 宁可 ning4 ke3; 宁愿 ning4 yuan4; 农行 nong2 hang2;
奴仆 nu2 pu2; 暖和 nuan3 huo5; 女子 nv3 zi3; 呕吐 ou3 tu4; 排行 pai2 hang2; 排行榜 pai2 hang2 bang3;
迫击炮 pai3 ji1 pao4; 判处 pan4 chu3; 膀胱 pang2 guang1; 烹调 peng1 tiao2; 偏差 pian1 cha1; 便宜 pian2 yi5;
漂亮 piao4 liang4; 婆婆 po2 po5; 铺设 pu1 she4; 仆人 pu2 ren2; 妻子 qi1 zi3; 迄今为止 qi4 jin1 wei2 zhi3;
恰当 qia4 dang4; 迁都 qian1 du1; 纤夫 qian4 fu1; 强劲 qiang2 jing4; 强迫 qiang3 po4; 悄然 qiao3 ran2;
悄声 qiao3 sheng1; 切除 qie1 chu2; 切断 qie1 duan4; 切割 qie1 ge1; 钦差 qin1 chai1; 轻薄 qing1 bo2;
青少年 qing1 shao4 nian2; 青藏高原 qing1 zang4 gao1 yuan2; 情不自禁 qing2 bu0 zi4 jin1; 亲家 qing4 jia5;
曲调 qu3 diao4; 曲目 qu3 mu4; 曲艺 qu3 yi4; 曲子 qu3 zi5; 全军覆没 quan2 jun1 fu4 mo4; 拳头 quan2 tou5;
人参 ren2 shen1; 人为 ren2 wei2; 认得 ren4 de5; 认为 ren4 wei2; 融为一体 rong2 wei2 yi0 ti3; 若干 ruo4 gan1;
若干个 ruo4 gan1 ge4; 三部曲 san1 bu4 qu3; 三藏 san1 zang4; 散射 san3 she4; 散文 san3 wen2;
散装 san3 zhuang1; 散发 san4 fa4; 丧事 sang1 shi4; 杉木 sha1 mu4; 擅长 shan4 chang2; 商贾 shang1 gu3;
商量 shang1 liang2; 商业银行 shang1 ye4 yin2 hang2; 上当 shang4 dang4; 上行 shang4 hang2;
上将 shang4 jiang4; 少不了 shao4 bu0 liao3; 少妇 shao4 fu4; 少将 shao4 jiang4; 少林 shao4 lin2;
少林寺 shao4 lin2 si4; 少年 shao4 nian2; 少年儿童 shao4 nian2 er2 tong2; 少女 shao4 nv3; 少爷 shao4 ye2;
舍得 she3 de5; 身分 shen1 fen4; 甚么 shen2 me5; 甚为 shen4 wei2; 声乐 sheng1 yue4; 失调 shi1 tiao2;
石子 shi2 zi3; 使得 shi3 de5; 适当 shi4 dang4; 试卷 shi4 juan4; 势头 shi4 tou5; 适应 shi4 ying4;
适应性 shi4 ying4 xing4; 首都 shou3 du1; 首相 shou3 xiang4; 手指头 shou3 zhi3 tou5; 受不了 shou4 bu0 liao3;
摔倒 shuai1 dao3; 率领 shuai4 ling3; 率先 shuai4 xian1; 双重 shuang1 chong2; 水分 shui3 fen4;
睡觉 shui4 jiao4; 睡着 shui4 zhao2; 思量 si1 liang2; 似乎 si4 hu1; 松散 song1 san3; 苏打 su1 da2;
宿舍 su4 she4; 孙婆婆 sun1 po2 po5; 所得 suo3 de5; 所作所为 suo3 zuo4 suo3 wei2; 太行山 tai4 hang2 shan1;
太监 tai4 jian4; 弹劾 tan2 he2; 弹性 tan2 xing4; 坦率 tan3 shuai4; 唐贞观 tang2 zhen1 guan4; 逃难 tao2 nan4;
讨价还价 tao3 jia4 huan2 jia4; 特长 te4 chang2; 调和 tiao2 he2; 调剂 tiao2 ji4; 调节 tiao2 jie2;
调解 tiao2 jie3; 调控 tiao2 kong4; 调料 tiao2 liao4; 调皮 tiao2 pi2; 调味 tiao2 wei4;
调味品厂 tiao2 wei4 pin3 chang3; 调整 tiao2 zheng3; 调制 tiao2 zhi4; 挑衅 tiao3 xin4; 挑战 tiao3 zhan4;
帖子 tie3 zi5; 停泊 ting2 bo2; 停当 ting2 dang4; 同行 tong2 hang2; 统率 tong3 shuai4; 投奔 tou2 ben4;
头儿 tou2 er5; 头发 tou2 fa4; 投降 tou2 xiang2; 吐蕃 tu3 bo1; 退还 tui4 huan2; 妥当 tuo3 dang4; 哇哇 wa1 wa1;
王重阳 wang2 chong2 yang2; 王子 wang2 zi3; 危难 wei1 nan4; 为害 wei2 hai4; 为难 wei2 nan2; 为期 wei2 qi1;
为生 wei2 sheng1; 为首 wei2 shou3; 为数 wei2 shu4; 为所欲为 wei2 suo3 yu4 wei2; 为政 wei2 zheng4;
为止 wei2 zhi3; 为主 wei2 zhu3; 尾巴 wei3 ba5; 未了 wei4 liao3; 乌拉圭 wu1 la5 gui1; 呜咽 wu1 ye4;
无处 wu2 chu3; 无尽 wu2 jin4; 无能为力 wu2 neng2 wei2 li4; 毋宁 wu2 ning4; 五更 wu3 geng1; 武将 wu3 jiang4;
误差 wu4 cha1; 西藏 xi1 zang4; 细长 xi4 chang2; 戏曲 xi4 qu3; 狭长 xia2 chang2; 厦门 xia4 men2;
下调 xia4 tiao2; 显得 xian3 de5; 鲜有 xian3 you3; 乡长 xiang1 chang2; 相处 xiang1 chu3; 相间 xiang1 jian4;
相似 xiang1 si4; 相应 xiang1 ying4; 详尽 xiang2 jin4; 响应 xiang3 ying4; 相公 xiang4 gong1;
相机 xiang4 ji1; 相貌 xiang4 mao4; 晓得 xiao3 de5; 小将 xiao3 jiang4; 效应 xiao4 ying4; 协调 xie2 tiao2;
泄露 xie4 lou4; 寻思 xin2 si1; 星宿 xing1 xiu4; 形似 xing2 si4; 行为 xing2 wei2;
兴高采烈 xing4 gao1 cai3 lie4; 兴趣 xing4 qu4; 兴致 xing4 zhi4; 休假 xiu1 jia4; 畜牧 xu4 mu4;
畜牧业 xu4 mu4 ye4; 喧哗 xuan1 hua2; 学子 xue2 zi3; 压倒 ya1 dao3; 鸭绿江 ya1 lu4 jiang1; 丫头 ya1 tou5;
哑巴 ya3 ba5; 咽喉 yan1 hou2; 燕京 yan1 jing1; 燕京大学 yan1 jing1 da4 xue2; 淹没 yan1 mo4; 燕山 yan1 shan1;
延长 yan2 chang2; 厌恶 yan4 wu4; 央行 yang1 hang2; 洋行 yang2 hang2; 氧吧 yang3 ba1; 要求 yao1 qiu2;
摇晃 yao2 huang4; 要塞 yao4 sai4; 耶稣 ye1 su1; 一部分 yi0 bu4 fen4; 一场 yi0 chang2; 一会儿 yi0 hui4 er5;
一卷 yi0 juan4; 一模一样 yi0 mu2 yi0 yang4; 一通 yi0 tong4; 衣着 yi1 zhuo2; 宜都市 yi2 du1 shi4;
以为 yi3 wei2; 意思 yi4 si5; 音乐 yin1 yue4; 音乐会 yin1 yue4 hui4; 音乐堂 yin1 yue4 tang2;
音乐厅 yin1 yue4 ting1; 音乐学院 yin1 yue4 xue2 yuan4; 银行 yin2 hang2; 银行券 yin2 hang2 quan4;
应变 ying4 bian4; 应酬 ying4 chou2; 应付 ying4 fu4; 应急 ying4 ji2; 应聘 ying4 pin4; 应聘者 ying4 pin4 zhe3;
应试 ying4 shi4; 应邀 ying4 yao1; 应用 ying4 yong4; 用处 yong4 chu3; 有空 you3 kong4;
有所作为 you3 suo3 zuo4 wei2; 有意思 you3 yi4 si5; 于长江 yu2 chang2 jiang1; 鱼肚 yu2 du3; 与会 yu4 hui4;
与会者 yu4 hui4 zhe3; 誉为 yu4 wei2; 元大都 yuan2 da4 du1; 原子弹 yuan2 zi3 dan4; 原子核 yuan2 zi3 he2;
原子能 yuan2 zi3 neng2; 乐队 yue4 dui4; 阅卷 yue4 juan4; 乐器 yue4 qi4; 乐曲 yue4 qu3; 乐舞 yue4 wu3;
运转 yun4 zhuan4; 灾难 zai1 nan4; 宰相 zai3 xiang4; 载荷 zai4 he4; 藏族 zang4 zu2; 辗转 zhan3 zhuan3;
长相 zhang3 xiang4; 长子 zhang3 zi3; 朝阳 zhao1 yang2; 着急 zhao2 ji2; 着凉 zhao2 liang2; 照片 zhao4 pian1;
照相 zhao4 xiang4; 照相机 zhao4 xiang4 ji1; 照应 zhao4 ying4; 折腾 zhe1 teng5; 这部分 zhe4 bu4 fen4;
这个 zhe4 ge5; 这会儿 zhe4 hui4 er5; 贞观 zhen1 guan4; 真相 zhen1 xiang4; 正月 zheng1 yue4;
挣扎 zheng1 zha2; 挣钱 zheng4 qian2; 挣脱 zheng4 tuo1; 只此一家 zhi1 ci3 yi0 jia1;
知识分子 zhi1 shi2 fen4 zi3; 值得 zhi2 de5; 指头 zhi3 tou5; 质朴 zhi4 piao2; 中行 zhong1 hang2;
中将 zhong1 jiang4; 重担 zhong4 dan4; 中毒 zhong4 du2; 种植 zhong4 zhi2; 种植业 zhong4 zhi2 ye4;
周长 zhou1 chang2; 诸葛亮 zhu1 ge3 liang4; 主将 zhu3 jiang4; 主角 zhu3 jue2; 转为 zhuan3 wei2;
转载 zhuan3 zai3; 传记 zhuan4 ji4; 转速 zhuan4 su4; 着力 zhuo2 li4; 着陆 zhuo2 lu4; 琢磨 zhuo2 mo2;
着手 zhuo2 shou3; 着想 zhuo2 xiang3; 着眼 zhuo2 yan3; 着重 zhuo2 zhong4; 着装 zhuo2 zhuang1; 仔细 zi3 xi4;
自给 zi4 ji3; 自给自足 zi4 ji3 zi4 zu2; 自尽 zi4 jin4; 自力更生 zi4 li4 geng1 sheng1; 自传 zi4 zhuan4;
自转 zi4 zhuan4; 子房 zi5 fang2; 子宫 zi5 gong1; 子公司 zi5 gong1 si1; 子口 zi5 kou3; 子童阁 zi5 tong2 ge2;
总得 zong3 dei3; 组成部分 zu3 cheng2 bu4 fen4; 组分 zu3 fen4; 钻石 zuan4 shi2; 作坊 zuo1 fang5;
左传 zuo3 zhuan4; 作曲 zuo4 qu3; 作曲家 zuo4 qu3 jia1; 作为 zuo4 wei2;
";

/// Every symbol in Kokoro v1.0's vocabulary (`vocab.json`), for tests.
#[cfg(test)]
pub(crate) const KOKORO_SYMBOLS: &str = ";:,.!?—…\"()“” \u{303}ʣʥʦʨᵝꭧAIOQSTWYᵊabcdefhijklmnopqrstuvwxyzɑɐɒæβɔɕçɖðʤəɚɛɜɟɡɥɨɪʝɯɰŋɳɲɴøɸθœɹɾɻʁɽʂʃʈʧʊʋʌɣɤχʎʒʔˈˌːʰʲ↓→↗↘ᵻ";

#[cfg(test)]
mod tests {
    use super::*;

    fn py(text: &str) -> String {
        mandarin_pinyin(text).join(" ")
    }

    fn ipa(py: &str, tone: u8) -> String {
        let mut s = String::new();
        syllable_ipa(py, tone, &mut s);
        s
    }

    #[test]
    fn g2p_zh_phrases_as_misaki_writes_them() {
        // No third-tone sandhi, as misaki (the model learned to realise it).
        assert_eq!(mandarin_phonemes("你好"), "ni↓xau↓");
        assert_eq!(mandarin_phonemes("今天降价，包邮！"), "ʨi→ntʰjɛ→n ʨja↘ŋʨja↘, pau→jou↗!");
        assert_eq!(mandarin_phonemes("还有银行的长期优惠。"), "xai↗jou↓ i↗nxa↗ŋ tɤ ꭧʰa↗ŋʨʰi→ jou→xwei↘.");
        assert_eq!(mandarin_phonemes("大家好，欢迎来到我们的直播间。"), "ta↘ʨja→ xau↓, xwa→ni↗ŋ lai↗tau↘ wo↓mən tɤ ꭧɨ↗pwo→ʨjɛ→n.");
        // 不 before a fourth tone rises (misaki's pypinyin left 不错 alone; it is búcuò).
        assert_eq!(mandarin_phonemes("一个不错的东西"), "i↗kɤ↘ pu↗ʦʰwo↘ tɤ tʊ→ŋɕi→");
    }

    #[test]
    fn g2p_zh_syllables() {
        let cases = [
            ("zhi", 1, "ꭧɨ→"), ("chi", 2, "ꭧʰɨ↗"), ("shi", 4, "ʂɨ↘"), ("ri", 4, "ɻɨ↘"),
            ("zi", 3, "ʦɨ↓"), ("ci", 2, "ʦʰɨ↗"), ("si", 1, "sɨ→"),
            ("ji", 1, "ʨi→"), ("qu", 4, "ʨʰy↘"), ("xue", 2, "ɕɥe↗"), ("juan", 4, "ʨɥɛ↘n"), ("xun", 4, "ɕy↘n"),
            ("lv", 4, "ly↘"), ("nve", 4, "nɥe↘"), ("yu", 2, "y↗"), ("yuan", 2, "ɥɛ↗n"), ("yue", 4, "ɥe↘"), ("yun", 2, "y↗n"),
            ("yi", 1, "i→"), ("ya", 1, "ja→"), ("yan", 2, "jɛ↗n"), ("yang", 2, "ja↗ŋ"), ("you", 3, "jou↓"), ("ying", 1, "i→ŋ"), ("yong", 4, "jʊ↘ŋ"),
            ("wu", 3, "u↓"), ("wo", 3, "wo↓"), ("wei", 4, "wei↘"), ("wen", 4, "wə↘n"), ("weng", 1, "wə→ŋ"), ("wang", 2, "wa↗ŋ"),
            ("liu", 4, "ljou↘"), ("gui", 4, "kwei↘"), ("dun", 4, "twə↘n"), ("bo", 1, "pwo→"), ("mo", 2, "mwo↗"),
            ("ge", 4, "kɤ↘"), ("de", 5, "tɤ"), ("men", 5, "mən"), ("feng", 1, "fə→ŋ"), ("hong", 2, "xʊ↗ŋ"), ("xiong", 2, "ɕjʊ↗ŋ"),
            ("kao", 3, "kʰau↓"), ("tian", 1, "tʰjɛ→n"), ("pie", 3, "pʰje↓"), ("qiao", 2, "ʨʰjau↗"),
            ("er", 4, "ɚ↘"), ("n", 2, "n↗"), ("m", 2, "m↗"), ("ng", 2, "ŋ↗"), ("hm", 5, "hm"), ("o", 1, "ɔ→"), ("ê", 2, "ɛ↗"),
        ];
        for (p, t, want) in cases {
            assert_eq!(ipa(p, t), want, "{p}{t}");
        }
    }

    #[test]
    fn g2p_zh_heteronyms() {
        assert_eq!(py("银行"), "yin2 hang2");
        assert_eq!(py("行业"), "hang2 ye4");
        assert_eq!(py("还有"), "hai2 you3");
        assert_eq!(py("长款"), "chang2 kuan3");
        assert_eq!(py("这个很长"), "zhe4 ge5 hen3 chang2");
        assert_eq!(py("店长"), "dian4 zhang3");
        assert_eq!(py("重新"), "chong2 xin1");
        assert_eq!(py("重量"), "zhong4 liang4");
        assert_eq!(py("音乐"), "yin1 yue4");
        assert_eq!(py("快乐"), "kuai4 le4");
        assert_eq!(py("觉得"), "jue2 de5");
        assert_eq!(py("了解"), "liao3 jie3");
        assert_eq!(py("便宜"), "pian2 yi5");
        assert_eq!(py("孩子们"), "hai2 zi5 men5");
        assert_eq!(py("两只"), "liang3 zhi1");
    }

    #[test]
    fn g2p_zh_yi_bu_sandhi() {
        assert_eq!(py("一起"), "yi4 qi3");
        assert_eq!(py("一样"), "yi2 yang4");
        assert_eq!(py("第一"), "di4 yi1");
        assert_eq!(py("十一"), "shi2 yi1");
        assert_eq!(py("一千"), "yi4 qian1");
        assert_eq!(py("一万"), "yi2 wan4");
        assert_eq!(py("不是"), "bu2 shi4");
        assert_eq!(py("不好"), "bu4 hao3");
        assert_eq!(py("买一送一"), "mai3 yi1 song4 yi1");
    }

    #[test]
    fn g2p_zh_numbers() {
        assert_eq!(numbers_to_hanzi("只要99元"), "只要九十九元");
        assert_eq!(numbers_to_hanzi("原价1,999，现价59.9"), "原价一千九百九十九，现价五十九点九");
        assert_eq!(numbers_to_hanzi("50%的人"), "百分之五十的人");
        assert_eq!(numbers_to_hanzi("2024年"), "二零二四年");
        assert_eq!(numbers_to_hanzi("13800138000"), "一三八零零一三八零零零");
        assert_eq!(numbers_to_hanzi("0.5"), "零点五");
        for (n, want) in [("10", "十"), ("12", "十二"), ("20", "二十"), ("102", "一百零二"), ("110", "一百一十"), ("1010", "一千零一十"), ("2000", "两千"), ("2222", "两千二百二十二"), ("10010", "一万零一十"), ("20000", "两万"), ("100000", "十万"), ("1000000", "一百万"), ("100000000", "一亿")] {
            assert_eq!(int_to_hanzi(n), want, "{n}");
        }
        assert_eq!(mandarin_phonemes("99元"), "ʨjou↓ʂɨ↗ʨjou↓ ɥɛ↗n");
    }

    #[test]
    fn g2p_zh_punctuation() {
        assert_eq!(mandarin_phonemes("好，对。是吗？是！注意：好；"), "xau↓, twei↘. ʂɨ↘ ma? ʂɨ↘! ꭧu↘i↘: xau↓;");
        assert_eq!(mandarin_phonemes("这本《说明》（新版）……"), "ꭧɤ↘pə↓n “ʂwo→mi↗ŋ” (ɕi→npa↓n)…");
        assert_eq!(mandarin_phonemes("好、好"), "xau↓, xau↓");
    }

    #[test]
    fn g2p_zh_latin() {
        assert_eq!(mandarin_phonemes("我们支持USB-C接口。"), "wo↓mən ꭧɨ→ꭧʰɨ↗ jˈu ˈɛs bˈi sˈi ʨje→kʰou↓.");
        let mut calls = Vec::new();
        let out = mandarin_phonemes_with("新款iPhone到了", &mut |w| {
            calls.push(w.to_string());
            Some("ˈIfˌOn".to_string())
        });
        assert_eq!(calls, ["iPhone"]);
        assert_eq!(out, "ɕi→nkʰwa↓n ˈIfˌOn tau↘ lɤ");
    }

    #[test]
    fn g2p_zh_every_symbol_is_in_the_vocabulary() {
        let text = "大家好，欢迎来到直播间！今天给大家带来的是这款超轻薄的羽绒服，原价1999元，现在只要599元，\
            还送运费险。颜色有黑色、白色、卡其色和雾霾蓝，尺码从S到XXL都有。面料是防风防水的，手感非常柔软，\
            穿上一点儿也不臭，保暖效果特别好。喜欢的宝宝们赶紧点击下方小黄车一号链接，库存只有300件，\
            先到先得！我们支持七天无理由退换货，还有运费险，买一送一，满200减30。質量保證，請放心購買。\
            嗯，哦，呣，欸，儿子，女儿，日本，自行车，长颈鹿，重庆，音乐会，觉得，了不起，差不多，一模一样，\
            旅游、学习、圈子、军训、穷人、雪花、月亮、元旦、云南、翁、嗡嗡、热情、扔掉、日子、则、次、四、\
            这是第1名，100%好评，3.5折，电话13800138000，时间2024年1月1日。“真的吗？”（当然）";
        let out = mandarin_phonemes(text);
        let bad: Vec<char> = out.chars().filter(|c| !KOKORO_SYMBOLS.contains(*c)).collect();
        assert!(bad.is_empty(), "symbols outside Kokoro's vocabulary: {bad:?} in {out}");
        assert!(out.chars().count() > 500, "{out}");
    }

    #[test]
    fn g2p_zh_empty_and_odd_input() {
        assert_eq!(mandarin_phonemes(""), "");
        assert_eq!(mandarin_phonemes("   "), "");
        assert_eq!(mandarin_phonemes("😀#/"), "");
        assert_eq!(mandarin_phonemes("，，好"), ",, xau↓");
    }
}
