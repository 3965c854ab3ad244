//! The tokenizer, rebuilt from GGUF metadata (no `tokenizer.json` ships with the models).
//!
//! GGUF `gpt2`-model vocabularies are byte-level BPE: `tokenizer.ggml.tokens`, `.merges` and
//! `.token_type` give the vocabulary; `tokenizer.ggml.pre` names the pre-tokenizer recipe, which
//! is rebuilt here the way the original `tokenizer.json` had it. Control tokens (type 3) become
//! special added tokens, user-defined ones (type 4) plain added tokens.
//!
//! Besides the `tokenizers::Tokenizer` (encoding, whole-text decoding), [`Vocab`] keeps each
//! token's raw bytes, so streamed tokens are turned into text without re-decoding the reply.

use std::path::Path;

use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab as BpeVocab};
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, PreTokenizerWrapper, SplitDelimiterBehavior, Tokenizer};

use super::config::{md, md_str, md_u32};
use super::error::{LlmError, Result};

/// Qwen2's pre-tokenizer split (its `tokenizer.json`), and Llama 3's, which groups digits by three.
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// GGUF token types.
const TYPE_NORMAL: i32 = 1;
const TYPE_CONTROL: i32 = 3;
const TYPE_USER_DEFINED: i32 = 4;

/// What the runtime needs to know about the vocabulary beyond encoding.
#[derive(Clone, Debug)]
pub struct Vocab {
    /// Raw UTF-8 bytes each token stands for (empty for control tokens).
    pub(crate) bytes: Vec<Vec<u8>>,
    /// Tokens that end a reply: EOS, `<|im_end|>`, `<|endoftext|>`.
    pub(crate) stop: Vec<u32>,
    /// Tokens that must never be sampled (unused slots, control tokens that do not end a reply).
    pub(crate) banned: Vec<u32>,
    pub(crate) im_start: Option<u32>,
    pub(crate) im_end: Option<u32>,
}

fn strings(c: &Content, key: &str) -> Result<Vec<String>> {
    let v = md(c, key).ok_or_else(|| LlmError::Tokenizer(format!("GGUF metadata has no {key}")))?;
    let arr = v.to_vec().map_err(|e| LlmError::Tokenizer(format!("{key}: {e}")))?;
    arr.iter()
        .map(|x| x.to_string().cloned().map_err(|e| LlmError::Tokenizer(format!("{key}: {e}"))))
        .collect()
}

fn ints(c: &Content, key: &str) -> Option<Vec<i32>> {
    let arr = md(c, key)?.to_vec().ok()?;
    arr.iter()
        .map(|x| match x {
            Value::I32(v) => Some(*v),
            Value::U32(v) => Some(*v as i32),
            Value::I8(v) => Some(*v as i32),
            Value::U8(v) => Some(*v as i32),
            Value::I16(v) => Some(*v as i32),
            Value::U16(v) => Some(*v as i32),
            _ => None,
        })
        .collect()
}

/// GPT-2's reversible byte ↔ printable-character map, as a table from char to byte.
fn byte_decoder() -> std::collections::HashMap<char, u8> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32).collect();
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut map = std::collections::HashMap::with_capacity(256);
    let mut extra = 0u32;
    for b in 0u32..256 {
        let ch = if printable.contains(&b) {
            b
        } else {
            extra += 1;
            255 + extra
        };
        if let Some(c) = char::from_u32(ch) {
            map.insert(c, b as u8);
        }
    }
    map
}

/// Builds the tokenizer and the streaming vocabulary from GGUF metadata.
pub(crate) fn from_gguf(c: &Content, path: &Path) -> Result<(Tokenizer, Vocab)> {
    let model = md_str(c, "tokenizer.ggml.model").unwrap_or("");
    if model != "gpt2" {
        return Err(LlmError::Unsupported {
            path: path.to_path_buf(),
            reason: format!("tokenizer model `{model}` (only byte-level BPE, `gpt2`, is supported)"),
        });
    }
    let pre = md_str(c, "tokenizer.ggml.pre").unwrap_or("default").to_string();
    let tokens = strings(c, "tokenizer.ggml.tokens")?;
    let merges_raw = strings(c, "tokenizer.ggml.merges")?;
    let types = ints(c, "tokenizer.ggml.token_type").unwrap_or_else(|| vec![TYPE_NORMAL; tokens.len()]);
    if types.len() != tokens.len() {
        return Err(LlmError::Tokenizer(format!("{} tokens but {} token types", tokens.len(), types.len())));
    }

    let mut vocab = BpeVocab::default();
    for (i, t) in tokens.iter().enumerate() {
        // Keep the first id of a duplicated string, as llama.cpp does.
        vocab.entry(t.clone()).or_insert(i as u32);
    }
    let merges = merges_raw
        .iter()
        .map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| LlmError::Tokenizer(format!("bad merge `{m}`")))
        })
        .collect::<Result<Vec<_>>>()?;
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .ignore_merges(false)
        .build()
        .map_err(|e| LlmError::Tokenizer(e.to_string()))?;
    let mut tk = Tokenizer::new(bpe);

    let split = |re: &str| -> Result<PreTokenizerWrapper> {
        Ok(Split::new(SplitPattern::Regex(re.to_string()), SplitDelimiterBehavior::Isolated, false)
            .map_err(|e| LlmError::Tokenizer(e.to_string()))?
            .into())
    };
    let pre_tok: PreTokenizerWrapper = match pre.as_str() {
        // SmolLM: digits one by one, then GPT-2's byte-level split.
        "smollm" => Sequence::new(vec![Digits::new(true).into(), ByteLevel::new(false, true, true).into()]).into(),
        "qwen2" => Sequence::new(vec![split(QWEN2_SPLIT)?, ByteLevel::new(false, false, false).into()]).into(),
        "llama-bpe" | "llama3" => Sequence::new(vec![split(LLAMA3_SPLIT)?, ByteLevel::new(false, false, false).into()]).into(),
        other => {
            tracing::warn!(pre = other, "unknown GGUF pre-tokenizer; using GPT-2's byte-level split");
            ByteLevel::new(false, true, true).into()
        }
    };
    if pre == "qwen2" {
        tk.with_normalizer(Some(NFC)).map_err(|e| LlmError::Tokenizer(e.to_string()))?;
    }
    tk.with_pre_tokenizer(Some(pre_tok));
    tk.with_decoder(Some(ByteLevelDecoder::default()));

    let mut special = Vec::new();
    let mut added = Vec::new();
    for (t, &ty) in tokens.iter().zip(&types) {
        match ty {
            TYPE_CONTROL => special.push(AddedToken::from(t.clone(), true)),
            TYPE_USER_DEFINED => added.push(AddedToken::from(t.clone(), false)),
            _ => {}
        }
    }
    tk.add_special_tokens(special).map_err(|e| LlmError::Tokenizer(e.to_string()))?;
    tk.add_tokens(added).map_err(|e| LlmError::Tokenizer(e.to_string()))?;

    let table = byte_decoder();
    let bytes = tokens
        .iter()
        .zip(&types)
        .map(|(t, &ty)| match ty {
            TYPE_CONTROL => Vec::new(),
            TYPE_USER_DEFINED => t.as_bytes().to_vec(),
            _ => {
                let mut out = Vec::with_capacity(t.len());
                for ch in t.chars() {
                    match table.get(&ch) {
                        Some(&b) => out.push(b),
                        None => {
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                    }
                }
                out
            }
        })
        .collect();

    let id_of = |s: &str| tokens.iter().position(|t| t == s).map(|i| i as u32);
    let im_start = id_of("<|im_start|>");
    let im_end = id_of("<|im_end|>");
    let mut stop = Vec::new();
    if let Some(e) = md_u32(c, "tokenizer.ggml.eos_token_id") {
        stop.push(e);
    }
    for s in [im_end, id_of("<|endoftext|>"), id_of("<|eot_id|>")].into_iter().flatten() {
        if !stop.contains(&s) {
            stop.push(s);
        }
    }
    // Never sampled: unused slots, and control tokens other than the ones that end a reply
    // (a reply that opened `<|im_start|>` would write the viewer's turn itself).
    let banned = types
        .iter()
        .enumerate()
        .filter(|(i, t)| **t == 5 || **t == 0 || (**t == TYPE_CONTROL && !stop.contains(&(*i as u32))))
        .map(|(i, _)| i as u32)
        .collect();
    Ok((tk, Vocab { bytes, stop, banned, im_start, im_end }))
}

/// Turns a stream of token ids into text, holding back bytes until they form whole UTF-8
/// characters (a token may end inside a multi-byte character).
#[derive(Debug, Default)]
pub(crate) struct TextStream {
    pending: Vec<u8>,
}

impl TextStream {
    pub(crate) fn push(&mut self, vocab: &Vocab, token: u32) -> String {
        if let Some(b) = vocab.bytes.get(token as usize) {
            self.pending.extend_from_slice(b);
        }
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) => {
                // An invalid sequence that can never complete is passed on replaced, not kept.
                if e.error_len().is_some() {
                    let s = String::from_utf8_lossy(&self.pending).into_owned();
                    self.pending.clear();
                    return s;
                }
                e.valid_up_to()
            }
        };
        let rest = self.pending.split_off(valid);
        String::from_utf8(std::mem::replace(&mut self.pending, rest)).unwrap_or_default()
    }

    pub(crate) fn finish(&mut self) -> String {
        let s = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        s
    }
}
