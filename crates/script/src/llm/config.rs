//! The model's shape, read from GGUF metadata.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use candle_core::quantized::gguf_file::{Content, Value};

use super::error::{LlmError, Result};

/// Transformer hyper-parameters shared by the llama and qwen2 families.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    pub arch: String,
    pub name: String,
    pub n_layer: usize,
    pub d_model: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub rope_base: f32,
    pub rms_eps: f32,
    pub context: usize,
    /// NEOX rotary layout (pairs i, i+d/2: qwen2) rather than interleaved pairs (llama, whose
    /// GGUF q/k weights are permuted for it).
    pub rope_neox: bool,
}

/// The architectures this runtime runs.
pub const SUPPORTED_ARCHS: &[&str] = &["llama", "qwen2"];

pub(crate) fn hint() -> String {
    format!("run `evercast models install {}` or give another GGUF file", crate::models::manifest().default_model().name)
}

/// Opens a GGUF file and reads its header (metadata and tensor table).
pub(crate) fn open(path: &Path) -> Result<(Content, BufReader<File>)> {
    let file = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LlmError::BadModel { path: path.to_path_buf(), reason: "no such file".into(), hint: hint() }
        } else {
            LlmError::BadModel { path: path.to_path_buf(), reason: e.to_string(), hint: hint() }
        }
    })?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let content = Content::read(&mut reader).map_err(|e| LlmError::BadModel {
        path: path.to_path_buf(),
        reason: format!("not a readable GGUF file ({e})"),
        hint: hint(),
    })?;
    Ok((content, reader))
}

pub(crate) fn md<'a>(c: &'a Content, key: &str) -> Option<&'a Value> {
    c.metadata.get(key)
}

pub(crate) fn md_u32(c: &Content, key: &str) -> Option<u32> {
    md(c, key).and_then(|v| v.to_u32().ok().or_else(|| v.to_u64().ok().map(|x| x as u32)).or_else(|| v.to_i32().ok().map(|x| x as u32)))
}

pub(crate) fn md_str<'a>(c: &'a Content, key: &str) -> Option<&'a str> {
    md(c, key).and_then(|v| v.to_string().ok()).map(|s| s.as_str())
}

impl ModelConfig {
    pub(crate) fn from_gguf(c: &Content, path: &Path) -> Result<ModelConfig> {
        let bad = |reason: String| LlmError::BadModel { path: path.to_path_buf(), reason, hint: hint() };
        let arch = md_str(c, "general.architecture").ok_or_else(|| bad("no general.architecture".into()))?.to_string();
        if !SUPPORTED_ARCHS.contains(&arch.as_str()) {
            return Err(LlmError::Unsupported {
                path: path.to_path_buf(),
                reason: format!("architecture `{arch}` (supported: {})", SUPPORTED_ARCHS.join(", ")),
            });
        }
        let key = |k: &str| format!("{arch}.{k}");
        let need = |k: &str| md_u32(c, &key(k)).map(|v| v as usize).ok_or_else(|| bad(format!("metadata {} is missing", key(k))));
        let n_layer = need("block_count")?;
        let d_model = need("embedding_length")?;
        let n_head = need("attention.head_count")?;
        let n_kv_head = md_u32(c, &key("attention.head_count_kv")).map(|v| v as usize).unwrap_or(n_head);
        let ffn = need("feed_forward_length")?;
        let context = md_u32(c, &key("context_length")).map(|v| v as usize).unwrap_or(2048);
        let rope_base = md(c, &key("rope.freq_base")).and_then(|v| v.to_f32().ok()).unwrap_or(10_000.0);
        let rms_eps = md(c, &key("attention.layer_norm_rms_epsilon")).and_then(|v| v.to_f32().ok()).unwrap_or(1e-6);
        if n_head == 0 || n_kv_head == 0 || d_model % n_head != 0 || n_head % n_kv_head != 0 {
            return Err(bad(format!("inconsistent heads: d={d_model}, heads={n_head}, kv heads={n_kv_head}")));
        }
        let head_dim = d_model / n_head;
        let rope_dim = md_u32(c, &key("rope.dimension_count")).map(|v| v as usize).unwrap_or(head_dim);
        if rope_dim != head_dim {
            return Err(LlmError::Unsupported {
                path: path.to_path_buf(),
                reason: format!("partial rotary embeddings ({rope_dim} of {head_dim})"),
            });
        }
        let vocab = match c.tensor_infos.get("token_embd.weight").map(|t| t.shape.dims()) {
            Some([rows, cols]) if *cols == d_model => *rows,
            Some(dims) => return Err(bad(format!("token_embd.weight has shape {dims:?}, expected [vocab, {d_model}]"))),
            None => return Err(bad("no token_embd.weight tensor".into())),
        };
        Ok(ModelConfig {
            name: md_str(c, "general.name").unwrap_or("").to_string(),
            rope_neox: arch == "qwen2",
            arch,
            n_layer,
            d_model,
            n_head,
            n_kv_head,
            head_dim,
            ffn,
            vocab,
            rope_base,
            rms_eps,
            context,
        })
    }

    pub fn kv_dim(&self) -> usize {
        self.n_kv_head * self.head_dim
    }
}
