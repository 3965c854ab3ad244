//! CTranslate2 → safetensors: the packaged Whisper comes as a CTranslate2 `model.bin`, which
//! candle cannot read. [`convert_ct2`] rewrites it once, next to it, as `model.safetensors`
//! with the Hugging Face names candle's Whisper expects, plus `whisper-config.json` (a
//! Hugging Face style config derived from the tensor shapes).
//!
//! The CTranslate2 file (format version 6, little-endian):
//! `u32 version; str spec_name; u32 spec_revision; u32 n_vars;` then per variable
//! `str name; u8 rank; u32 dims[rank]; u8 dtype; u32 n_bytes; bytes`, then
//! `u32 n_aliases;` and per alias `str alias; str target`. A `str` is a `u16` length followed
//! by that many bytes, the last one a NUL. dtypes: 0 f32, 1 i8, 2 i16, 3 i32, 4 f16, 5 bf16.
//! Rank-0 variables are settings (`num_heads`, `pre_norm`, …), not weights.
//!
//! Names: CTranslate2 fuses the self-attention's query, key and value into one `linear_0`
//! ([q; k; v] along the output dimension) and the cross-attention's key and value into
//! `attention/linear_1`; they are split here. Whisper's key projections have no bias
//! (CTranslate2 stores zeros there, which are checked and dropped).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};

use crate::error::{AsrError, io_err};

/// The CTranslate2 model file in a model folder.
pub const CT2_FILE: &str = "model.bin";
/// The converted weights, with Hugging Face names.
pub const SAFETENSORS_FILE: &str = "model.safetensors";
/// The converted model's config (Hugging Face `WhisperConfig` keys, plus `lang_ids`).
pub const CONFIG_FILE: &str = "whisper-config.json";
/// The CTranslate2 config: suppressed tokens and language token ids.
const CT2_CONFIG_FILE: &str = "config.json";

const SUPPORTED_VERSION: u32 = 6;

/// A CTranslate2 model as read: weights by name, rank-0 settings, aliases.
struct Ct2Model {
    spec: String,
    revision: u32,
    weights: BTreeMap<String, Tensor>,
    settings: BTreeMap<String, f64>,
    aliases: BTreeMap<String, String>,
}

impl Ct2Model {
    /// A weight by name, following an alias.
    fn get(&self, name: &str) -> Option<&Tensor> {
        self.weights.get(name).or_else(|| self.aliases.get(name).and_then(|t| self.weights.get(t)))
    }
}

/// Little-endian reads with the file's path in every error.
struct Reader<'a> {
    inner: BufReader<File>,
    path: &'a Path,
    left: u64,
}

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, AsrError> {
        if n as u64 > self.left {
            return Err(self.bad(format!("truncated: {n} bytes wanted, {} left", self.left)));
        }
        let mut buf = vec![0u8; n];
        self.inner.read_exact(&mut buf).map_err(io_err(format!("reading {}", self.path.display())))?;
        self.left -= n as u64;
        Ok(buf)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], AsrError> {
        Ok(self.bytes(N)?.try_into().expect("N bytes"))
    }
    fn u8(&mut self) -> Result<u8, AsrError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, AsrError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, AsrError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn string(&mut self) -> Result<String, AsrError> {
        let n = self.u16()? as usize;
        let mut b = self.bytes(n)?;
        if b.last() == Some(&0) {
            b.pop();
        }
        String::from_utf8(b).map_err(|_| self.bad("a name is not UTF-8".into()))
    }
    fn bad(&self, reason: String) -> AsrError {
        AsrError::Format { path: self.path.to_path_buf(), reason }
    }
}

/// The candle dtype of a CTranslate2 float dtype code; integer codes (1-3: i8, i16, i32) are
/// quantised weights, which this reader does not take.
fn float_dtype(code: u8) -> Option<DType> {
    match code {
        0 => Some(DType::F32),
        4 => Some(DType::F16),
        5 => Some(DType::BF16),
        _ => None,
    }
}

/// A rank-0 setting's value.
fn scalar(code: u8, b: &[u8]) -> Option<f64> {
    Some(match (code, b.len()) {
        (0, 4) => f32::from_le_bytes(b.try_into().ok()?) as f64,
        (1, 1) => b[0] as i8 as f64,
        (2, 2) => i16::from_le_bytes(b.try_into().ok()?) as f64,
        (3, 4) => i32::from_le_bytes(b.try_into().ok()?) as f64,
        (4, 2) => half::f16::from_le_bytes(b.try_into().ok()?).to_f64(),
        (5, 2) => half::bf16::from_le_bytes(b.try_into().ok()?).to_f64(),
        _ => return None,
    })
}

fn read_ct2(path: &Path) -> Result<Ct2Model, AsrError> {
    let file = File::open(path).map_err(io_err(format!("opening {}", path.display())))?;
    let left = file.metadata().map_err(io_err(format!("reading {}", path.display())))?.len();
    let mut r = Reader { inner: BufReader::with_capacity(1 << 20, file), path, left };
    let version = r.u32()?;
    if version != SUPPORTED_VERSION {
        return Err(r.bad(format!("CTranslate2 format version {version}; this reader knows version {SUPPORTED_VERSION}")));
    }
    let spec = r.string()?;
    let revision = r.u32()?;
    let n_vars = r.u32()?;
    let mut model = Ct2Model { spec, revision, weights: BTreeMap::new(), settings: BTreeMap::new(), aliases: BTreeMap::new() };
    for _ in 0..n_vars {
        let name = r.string()?;
        let rank = r.u8()? as usize;
        let dims = (0..rank).map(|_| r.u32().map(|d| d as usize)).collect::<Result<Vec<_>, _>>()?;
        let code = r.u8()?;
        let n_bytes = r.u32()? as usize;
        let data = r.bytes(n_bytes)?;
        if rank == 0 {
            let value = scalar(code, &data).ok_or_else(|| r.bad(format!("{name}: unreadable setting (dtype {code})")))?;
            model.settings.insert(name, value);
            continue;
        }
        let dtype = match float_dtype(code) {
            Some(d) => d,
            None if (1..=3).contains(&code) => {
                return Err(r.bad(format!("{name}: integer weights (a quantised model); convert it with --quantization float16")));
            }
            None => return Err(r.bad(format!("{name}: unknown dtype {code}"))),
        };
        let elems: usize = dims.iter().product();
        if elems * dtype.size_in_bytes() != n_bytes {
            return Err(r.bad(format!("{name}: {n_bytes} bytes for shape {dims:?}")));
        }
        let t = Tensor::from_raw_buffer(&data, dtype, &dims, &Device::Cpu)?;
        model.weights.insert(name, t);
    }
    let n_aliases = r.u32()?;
    for _ in 0..n_aliases {
        let alias = r.string()?;
        let target = r.string()?;
        model.aliases.insert(alias, target);
    }
    Ok(model)
}

/// Where a CTranslate2 weight goes: one Hugging Face name, or a fused tensor split in equal
/// parts along its first dimension (`None` parts are dropped: the keys' zero biases).
enum Target {
    One(String),
    Split(Vec<Option<String>>),
    Skip,
}

/// Maps a CTranslate2 Whisper weight name to its Hugging Face name(s).
fn target(name: &str) -> Option<Target> {
    fn leaf(s: &str) -> Option<&'static str> {
        match s {
            "gamma" | "weight" => Some("weight"),
            "beta" | "bias" => Some("bias"),
            _ => None,
        }
    }
    let parts: Vec<&str> = name.split('/').collect();
    let one = |s: String| Some(Target::One(s));
    match parts.as_slice() {
        ["decoder", "projection", "weight"] => Some(Target::Skip), // tied to the embeddings
        ["decoder", "embeddings", "weight"] => one("model.decoder.embed_tokens.weight".into()),
        [side @ ("encoder" | "decoder"), "position_encodings", "encodings"] => one(format!("model.{side}.embed_positions.weight")),
        ["encoder", conv @ ("conv1" | "conv2"), p] => one(format!("model.encoder.{conv}.{}", leaf(p)?)),
        [side @ ("encoder" | "decoder"), "layer_norm", p] => one(format!("model.{side}.layer_norm.{}", leaf(p)?)),
        [side @ ("encoder" | "decoder"), layer, block, module, p] => {
            let n: usize = layer.strip_prefix("layer_")?.parse().ok()?;
            let pre = format!("model.{side}.layers.{n}");
            let p = leaf(p)?;
            let is_bias = p == "bias";
            let qkv = |names: &[&str]| {
                Some(Target::Split(
                    names
                        .iter()
                        .map(|m| if is_bias && m.ends_with("k_proj") { None } else { Some(format!("{pre}.{m}.{p}")) })
                        .collect(),
                ))
            };
            match (*block, *module) {
                ("self_attention", "layer_norm") => one(format!("{pre}.self_attn_layer_norm.{p}")),
                ("self_attention", "linear_0") => qkv(&["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"]),
                ("self_attention", "linear_1") => one(format!("{pre}.self_attn.out_proj.{p}")),
                ("attention", "layer_norm") if *side == "decoder" => one(format!("{pre}.encoder_attn_layer_norm.{p}")),
                ("attention", "linear_0") if *side == "decoder" => one(format!("{pre}.encoder_attn.q_proj.{p}")),
                ("attention", "linear_1") if *side == "decoder" => qkv(&["encoder_attn.k_proj", "encoder_attn.v_proj"]),
                ("attention", "linear_2") if *side == "decoder" => one(format!("{pre}.encoder_attn.out_proj.{p}")),
                ("ffn", "layer_norm") => one(format!("{pre}.final_layer_norm.{p}")),
                ("ffn", "linear_0") => one(format!("{pre}.fc1.{p}")),
                ("ffn", "linear_1") => one(format!("{pre}.fc2.{p}")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The layers a side has (`encoder/layer_N/...`).
fn count_layers(model: &Ct2Model, side: &str) -> usize {
    let prefix = format!("{side}/layer_");
    let layers: BTreeSet<usize> = model
        .weights
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix)?.split('/').next()?.parse().ok())
        .collect();
    layers.len()
}

/// The suppressed and language token ids of CTranslate2's `config.json` (all optional).
#[derive(Default, serde::Deserialize)]
struct Ct2Config {
    #[serde(default)]
    suppress_ids: Vec<u32>,
    #[serde(default)]
    suppress_ids_begin: Vec<u32>,
    #[serde(default)]
    lang_ids: Vec<u32>,
}

/// Reads `dir/model.bin` into tensors with Hugging Face names and the matching config.
pub(crate) fn ct2_to_hf(dir: &Path) -> Result<(HashMap<String, Tensor>, serde_json::Value), AsrError> {
    let path = dir.join(CT2_FILE);
    if !path.is_file() {
        return Err(AsrError::MissingModel { dir: dir.to_path_buf(), missing: CT2_FILE.into() });
    }
    let bad = |reason: String| AsrError::Format { path: path.clone(), reason };
    let model = read_ct2(&path)?;
    if model.spec != "WhisperSpec" {
        return Err(bad(format!("a CTranslate2 `{}` model, not Whisper", model.spec)));
    }
    let mut names: Vec<&String> = model.weights.keys().chain(model.aliases.keys()).collect();
    names.sort();
    names.dedup();
    let mut out = HashMap::new();
    for name in names {
        let t = model.get(name).ok_or_else(|| bad(format!("alias {name} points nowhere")))?;
        match target(name).ok_or_else(|| bad(format!("unexpected weight {name}")))? {
            Target::Skip => {}
            Target::One(hf) => {
                out.insert(hf, t.clone());
            }
            Target::Split(parts) => {
                let rows = t.dim(0)?;
                if rows % parts.len() != 0 {
                    return Err(bad(format!("{name}: {rows} rows do not split in {}", parts.len())));
                }
                let n = rows / parts.len();
                for (i, hf) in parts.iter().enumerate() {
                    let part = t.narrow(0, i * n, n)?;
                    match hf {
                        Some(hf) => {
                            out.insert(hf.clone(), part.contiguous()?);
                        }
                        None => {
                            let max = part.to_dtype(DType::F32)?.abs()?.max_all()?.to_scalar::<f32>()?;
                            if max != 0.0 {
                                return Err(bad(format!("{name}: a key bias that is not zero ({max}); Whisper has none")));
                            }
                        }
                    }
                }
            }
        }
    }

    // The config, from the shapes.
    let dims = |name: &str| -> Result<Vec<usize>, AsrError> {
        Ok(model.get(name).ok_or_else(|| bad(format!("no {name}")))?.dims().to_vec())
    };
    let conv1 = dims("encoder/conv1/weight")?; // (d_model, n_mels, 3)
    let embeddings = dims("decoder/embeddings/weight")?; // (vocab, d_model)
    let text_ctx = dims("decoder/position_encodings/encodings")?[0];
    let audio_ctx = model.get("encoder/position_encodings/encodings").map(|t| t.dims()[0]).unwrap_or(1500);
    let ffn = dims("encoder/layer_0/ffn/linear_0/weight")?[0];
    let d_model = conv1[0];
    let heads = |side: &str| model.settings.get(&format!("{side}/num_heads")).map(|&h| h as usize).unwrap_or(d_model / 64);
    let ct2_config: Ct2Config = match fs::read_to_string(dir.join(CT2_CONFIG_FILE)) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| AsrError::Format { path: dir.join(CT2_CONFIG_FILE), reason: e.to_string() })?,
        Err(_) => Ct2Config::default(),
    };
    let config = serde_json::json!({
        "model_type": "whisper",
        "architectures": ["WhisperForConditionalGeneration"],
        "num_mel_bins": conv1[1],
        "d_model": d_model,
        "encoder_layers": count_layers(&model, "encoder"),
        "encoder_attention_heads": heads("encoder"),
        "encoder_ffn_dim": ffn,
        "decoder_layers": count_layers(&model, "decoder"),
        "decoder_attention_heads": heads("decoder"),
        "decoder_ffn_dim": ffn,
        "vocab_size": embeddings[0],
        "max_source_positions": audio_ctx,
        "max_target_positions": text_ctx,
        "suppress_tokens": ct2_config.suppress_ids,
        "begin_suppress_tokens": ct2_config.suppress_ids_begin,
        "lang_ids": ct2_config.lang_ids,
        "converted_from": format!("{CT2_FILE} (CTranslate2 {} revision {})", model.spec, model.revision),
    });
    Ok((out, config))
}

/// Converts `dir/model.bin` (CTranslate2 Whisper) to `dir/model.safetensors` and
/// `dir/whisper-config.json`. Each file is written under a temporary name and renamed into
/// place, the weights last, so a reader never sees half a file and a newer
/// `model.safetensors` means a finished conversion. Returns the safetensors path.
pub fn convert_ct2(dir: &Path) -> Result<PathBuf, AsrError> {
    let started = std::time::Instant::now();
    let (tensors, config) = ct2_to_hf(dir)?;
    // The converted files are as readable as the model they come from.
    let permissions = fs::metadata(dir.join(CT2_FILE)).map_err(io_err(format!("reading {}", dir.display())))?.permissions();
    let text = serde_json::to_string_pretty(&config).expect("a JSON value serialises");
    write_atomically(&dir.join(CONFIG_FILE), &permissions, |tmp| {
        fs::write(tmp, &text).map_err(io_err(format!("writing {}", tmp.display())))
    })?;
    let out = dir.join(SAFETENSORS_FILE);
    write_atomically(&out, &permissions, |tmp| Ok(candle_core::safetensors::save(&tensors, tmp)?))?;
    tracing::info!("converted {} to {} in {:.1} s", dir.join(CT2_FILE).display(), out.display(), started.elapsed().as_secs_f32());
    Ok(out)
}

fn write_atomically(
    path: &Path,
    permissions: &fs::Permissions,
    write: impl FnOnce(&Path) -> Result<(), AsrError>,
) -> Result<(), AsrError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write(&tmp)
        .and_then(|()| fs::set_permissions(&tmp, permissions.clone()).map_err(io_err(format!("setting the permissions of {}", tmp.display()))))
        .and_then(|()| fs::rename(&tmp, path).map_err(io_err(format!("renaming {} to {}", tmp.display(), path.display()))));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether `dir` holds a CTranslate2 model whose conversion is missing or older than it.
pub(crate) fn needs_conversion(dir: &Path) -> bool {
    let Some(source) = modified(&dir.join(CT2_FILE)) else { return false };
    let source = modified(&dir.join(CT2_CONFIG_FILE)).map_or(source, |c| c.max(source));
    match (modified(&dir.join(SAFETENSORS_FILE)), modified(&dir.join(CONFIG_FILE))) {
        (Some(weights), Some(_)) => weights < source,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str) -> String {
        match target(name) {
            Some(Target::One(s)) => s,
            _ => panic!("{name} should map to one name"),
        }
    }

    #[test]
    fn names_map_to_hugging_face() {
        assert_eq!(one("encoder/conv1/weight"), "model.encoder.conv1.weight");
        assert_eq!(one("encoder/layer_norm/gamma"), "model.encoder.layer_norm.weight");
        assert_eq!(one("decoder/layer_3/ffn/layer_norm/beta"), "model.decoder.layers.3.final_layer_norm.bias");
        assert_eq!(one("decoder/layer_0/attention/linear_0/weight"), "model.decoder.layers.0.encoder_attn.q_proj.weight");
        assert_eq!(one("decoder/layer_0/attention/linear_2/bias"), "model.decoder.layers.0.encoder_attn.out_proj.bias");
        assert_eq!(one("encoder/layer_5/self_attention/linear_1/weight"), "model.encoder.layers.5.self_attn.out_proj.weight");
        assert_eq!(one("decoder/position_encodings/encodings"), "model.decoder.embed_positions.weight");
        assert!(matches!(target("decoder/projection/weight"), Some(Target::Skip)));
        assert!(target("encoder/layer_0/attention/linear_0/weight").is_none(), "the encoder has no cross-attention");
        match target("decoder/layer_1/self_attention/linear_0/bias") {
            Some(Target::Split(parts)) => assert_eq!(
                parts,
                vec![
                    Some("model.decoder.layers.1.self_attn.q_proj.bias".to_string()),
                    None,
                    Some("model.decoder.layers.1.self_attn.v_proj.bias".to_string())
                ]
            ),
            _ => panic!("fused qkv bias should split"),
        }
        match target("decoder/layer_1/attention/linear_1/weight") {
            Some(Target::Split(parts)) => assert_eq!(parts.len(), 2),
            _ => panic!("fused kv should split"),
        }
    }

    /// A tiny CTranslate2 file written by hand, converted and read back.
    #[test]
    fn a_tiny_ct2_file_converts() {
        let dir = tempfile::tempdir().unwrap();
        let mut f: Vec<u8> = Vec::new();
        let s = |f: &mut Vec<u8>, s: &str| {
            f.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
            f.extend_from_slice(s.as_bytes());
            f.push(0);
        };
        let var = |f: &mut Vec<u8>, name: &str, dims: &[u32], values: &[f32]| {
            s(f, name);
            f.push(dims.len() as u8);
            for d in dims {
                f.extend_from_slice(&d.to_le_bytes());
            }
            f.push(4);
            f.extend_from_slice(&((values.len() * 2) as u32).to_le_bytes());
            for v in values {
                f.extend_from_slice(&half::f16::from_f32(*v).to_le_bytes());
            }
        };
        f.extend_from_slice(&6u32.to_le_bytes());
        s(&mut f, "WhisperSpec");
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&7u32.to_le_bytes());
        var(&mut f, "encoder/conv1/weight", &[2, 3, 3], &[0.5; 18]);
        var(&mut f, "decoder/embeddings/weight", &[5, 2], &[1.0; 10]);
        var(&mut f, "decoder/position_encodings/encodings", &[4, 2], &[0.0; 8]);
        var(&mut f, "encoder/layer_0/ffn/linear_0/weight", &[8, 2], &[0.0; 16]);
        var(&mut f, "decoder/layer_0/self_attention/linear_0/bias", &[6], &[1.0, 2.0, 0.0, 0.0, 5.0, 6.0]);
        // num_heads as an i16 setting
        s(&mut f, "decoder/num_heads");
        f.push(0);
        f.push(2);
        f.extend_from_slice(&2u32.to_le_bytes());
        f.extend_from_slice(&1i16.to_le_bytes());
        var(&mut f, "decoder/layer_1/attention/linear_1/weight", &[4, 2], &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        f.extend_from_slice(&1u32.to_le_bytes());
        s(&mut f, "decoder/projection/weight");
        s(&mut f, "decoder/embeddings/weight");
        fs::write(dir.path().join(CT2_FILE), &f).unwrap();
        assert!(needs_conversion(dir.path()));

        convert_ct2(dir.path()).unwrap();
        assert!(!needs_conversion(dir.path()));
        let config: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap()).unwrap();
        assert_eq!(config["d_model"], 2);
        assert_eq!(config["num_mel_bins"], 3);
        assert_eq!(config["vocab_size"], 5);
        assert_eq!(config["max_target_positions"], 4);
        assert_eq!(config["decoder_attention_heads"], 1);
        assert_eq!(config["decoder_layers"], 2);
        assert_eq!(config["encoder_layers"], 1);
        let t = candle_core::safetensors::load(dir.path().join(SAFETENSORS_FILE), &Device::Cpu).unwrap();
        let v = |n: &str| t[n].to_dtype(DType::F32).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(v("model.decoder.layers.0.self_attn.q_proj.bias"), vec![1.0, 2.0]);
        assert_eq!(v("model.decoder.layers.0.self_attn.v_proj.bias"), vec![5.0, 6.0]);
        assert!(!t.contains_key("model.decoder.layers.0.self_attn.k_proj.bias"));
        assert_eq!(v("model.decoder.layers.1.encoder_attn.k_proj.weight"), vec![1.0, 1.0, 2.0, 2.0]);
        assert_eq!(v("model.decoder.layers.1.encoder_attn.v_proj.weight"), vec![3.0, 3.0, 4.0, 4.0]);
        assert_eq!(t.len(), 8);
        // No temporary files are left behind.
        let names: Vec<String> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");

        // A non-zero key bias is refused, as is a truncated file.
        let bad_bias = f.clone();
        let needle: Vec<u8> = [1.0f32, 2.0, 0.0].iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect();
        let at = bad_bias.windows(needle.len()).position(|w| w == needle.as_slice()).unwrap();
        let mut bad_bias = bad_bias;
        bad_bias[at + 4..at + 6].copy_from_slice(&half::f16::from_f32(0.25).to_le_bytes());
        fs::write(dir.path().join(CT2_FILE), &bad_bias).unwrap();
        let err = convert_ct2(dir.path()).unwrap_err().to_string();
        assert!(err.contains("key bias"), "{err}");
        fs::write(dir.path().join(CT2_FILE), &f[..f.len() - 40]).unwrap();
        let err = convert_ct2(dir.path()).unwrap_err().to_string();
        assert!(err.contains("truncated") && err.contains("evercast models install whisper-base"), "{err}");
    }
}
