//! The forward pass on candle's devices (CUDA, Metal; the CPU too, for checking).
//!
//! The same llama/qwen2 graph as candle's `quantized_llama`/`quantized_qwen2`, written out here
//! because the key/value cache must be cut back to a shared prefix between calls (candle's
//! models keep theirs private and can only clear it).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Tensor};

use super::config::{ModelConfig, hint};
use super::engine::Engine;
use super::error::{LlmError, Result};

struct Layer {
    attn_norm: Tensor,
    ffn_norm: Tensor,
    wq: QMatMul,
    wk: QMatMul,
    wv: QMatMul,
    wo: QMatMul,
    w_gate: QMatMul,
    w_up: QMatMul,
    w_down: QMatMul,
    bq: Option<Tensor>,
    bk: Option<Tensor>,
    bv: Option<Tensor>,
    /// (1, kv heads, positions, head_dim) each.
    cache: Option<(Tensor, Tensor)>,
}

pub(crate) struct CandleModel {
    cfg: ModelConfig,
    device: Device,
    embed: QTensor,
    head: QMatMul,
    out_norm: Tensor,
    layers: Vec<Layer>,
    cos: Tensor,
    sin: Tensor,
    len: usize,
    max_context: usize,
}

impl CandleModel {
    pub(crate) fn load(
        content: &Content,
        reader: &mut BufReader<File>,
        path: &Path,
        cfg: &ModelConfig,
        device: &Device,
        max_context: usize,
    ) -> Result<CandleModel> {
        let bad = |name: &str, e: candle_core::Error| LlmError::BadModel {
            path: path.to_path_buf(),
            reason: format!("tensor {name}: {e}"),
            hint: hint(),
        };
        let mut q = |name: &str| content.tensor(reader, name, device).map_err(|e| bad(name, e));
        let embed = q("token_embd.weight")?;
        let head = if content.tensor_infos.contains_key("output.weight") {
            q("output.weight")?
        } else {
            q("token_embd.weight")?
        };
        let mm = |t: QTensor, name: &str| QMatMul::from_qtensor(t).map_err(|e| bad(name, e));
        let vec = |t: QTensor, name: &str| t.dequantize(device).map_err(|e| bad(name, e));
        let out_norm = vec(q("output_norm.weight")?, "output_norm.weight")?;
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for i in 0..cfg.n_layer {
            let n = |s: &str| format!("blk.{i}.{s}");
            let has = |s: &str| content.tensor_infos.contains_key(&n(s));
            let mut opt = |s: &str| -> Result<Option<Tensor>> {
                if has(s) { Ok(Some(vec(q(&n(s))?, &n(s))?)) } else { Ok(None) }
            };
            let (bq, bk, bv) = (opt("attn_q.bias")?, opt("attn_k.bias")?, opt("attn_v.bias")?);
            layers.push(Layer {
                attn_norm: vec(q(&n("attn_norm.weight"))?, "attn_norm")?,
                ffn_norm: vec(q(&n("ffn_norm.weight"))?, "ffn_norm")?,
                wq: mm(q(&n("attn_q.weight"))?, "attn_q")?,
                wk: mm(q(&n("attn_k.weight"))?, "attn_k")?,
                wv: mm(q(&n("attn_v.weight"))?, "attn_v")?,
                wo: mm(q(&n("attn_output.weight"))?, "attn_output")?,
                w_gate: mm(q(&n("ffn_gate.weight"))?, "ffn_gate")?,
                w_up: mm(q(&n("ffn_up.weight"))?, "ffn_up")?,
                w_down: mm(q(&n("ffn_down.weight"))?, "ffn_down")?,
                bq,
                bk,
                bv,
                cache: None,
            });
        }
        let max_context = max_context.min(cfg.context);
        let (cos, sin) = rope_tables(cfg, max_context, device)?;
        Ok(CandleModel {
            cfg: cfg.clone(),
            device: device.clone(),
            embed,
            head: mm(head, "output")?,
            out_norm,
            layers,
            cos,
            sin,
            len: 0,
            max_context,
        })
    }

    fn run(&mut self, tokens: &[u32], pos: usize) -> candle_core::Result<Tensor> {
        let cfg = &self.cfg;
        let n = tokens.len();
        let (hd, eps) = (cfg.head_dim, cfg.rms_eps);
        let ids = Tensor::new(tokens, &self.device)?;
        let mut x = self.embed.embedding(&ids)?.unsqueeze(0)?; // (1, n, d)
        let cos = self.cos.narrow(0, pos, n)?;
        let sin = self.sin.narrow(0, pos, n)?;
        let mask = if n > 1 {
            let m: Vec<f32> = (0..n)
                .flat_map(|i| (0..pos + n).map(move |j| if j > pos + i { f32::NEG_INFINITY } else { 0.0 }))
                .collect();
            Some(Tensor::from_vec(m, (n, pos + n), &self.device)?)
        } else {
            None
        };
        let group = cfg.n_head / cfg.n_kv_head;
        for layer in &mut self.layers {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, eps)?;
            let proj = |w: &QMatMul, b: &Option<Tensor>| -> candle_core::Result<Tensor> {
                let y = w.forward(&h)?;
                match b {
                    Some(b) => y.broadcast_add(b),
                    None => Ok(y),
                }
            };
            let q = proj(&layer.wq, &layer.bq)?.reshape((1, n, cfg.n_head, hd))?.transpose(1, 2)?.contiguous()?;
            let k = proj(&layer.wk, &layer.bk)?.reshape((1, n, cfg.n_kv_head, hd))?.transpose(1, 2)?.contiguous()?;
            let v = proj(&layer.wv, &layer.bv)?.reshape((1, n, cfg.n_kv_head, hd))?.transpose(1, 2)?.contiguous()?;
            let (q, k) = if cfg.rope_neox {
                (candle_nn::rotary_emb::rope(&q, &cos, &sin)?, candle_nn::rotary_emb::rope(&k, &cos, &sin)?)
            } else {
                (candle_nn::rotary_emb::rope_i(&q, &cos, &sin)?, candle_nn::rotary_emb::rope_i(&k, &cos, &sin)?)
            };
            let (k, v) = match &layer.cache {
                Some((kc, vc)) => (Tensor::cat(&[kc, &k], 2)?, Tensor::cat(&[vc, &v], 2)?),
                None => (k, v),
            };
            layer.cache = Some((k.clone(), v.clone()));
            let k = candle_transformers::utils::repeat_kv(k, group)?.contiguous()?;
            let v = candle_transformers::utils::repeat_kv(v, group)?.contiguous()?;
            let att = (q.matmul(&k.t()?)? / (hd as f64).sqrt())?;
            let att = match &mask {
                Some(m) => att.broadcast_add(m)?,
                None => att,
            };
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            let y = att.matmul(&v)?.transpose(1, 2)?.reshape((1, n, cfg.d_model))?;
            x = (x + layer.wo.forward(&y)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, eps)?;
            let g = candle_nn::ops::silu(&layer.w_gate.forward(&h)?)?;
            let u = layer.w_up.forward(&h)?;
            x = (x + layer.w_down.forward(&(g * u)?)?)?;
        }
        let last = x.i((.., n - 1, ..))?;
        let last = candle_nn::ops::rms_norm(&last, &self.out_norm, eps)?;
        self.head.forward(&last)?.squeeze(0)?.to_dtype(DType::F32)
    }
}

impl Engine for CandleModel {
    fn forward(&mut self, tokens: &[u32], pos: usize, logits: &mut Vec<f32>) -> Result<()> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if pos != self.len {
            return Err(LlmError::Inference(format!("forward at position {pos} but {} positions are cached", self.len)));
        }
        if pos + tokens.len() > self.max_context {
            return Err(LlmError::ContextFull { needed: pos + tokens.len(), max: self.max_context });
        }
        match self.run(tokens, pos).and_then(|t| t.to_vec1::<f32>()) {
            Ok(v) => {
                *logits = v;
                self.len = pos + tokens.len();
                Ok(())
            }
            Err(e) => {
                self.truncate(pos);
                Err(e.into())
            }
        }
    }

    fn truncate(&mut self, len: usize) {
        let len = len.min(self.len);
        for layer in &mut self.layers {
            layer.cache = match layer.cache.take() {
                Some(_) if len == 0 => None,
                Some((k, v)) => match (k.narrow(2, 0, len), v.narrow(2, 0, len)) {
                    (Ok(k), Ok(v)) => Some((k, v)),
                    _ => None,
                },
                None => None,
            };
        }
        // A cache that could not be cut is dropped entirely.
        self.len = if self.layers.iter().all(|l| l.cache.is_some()) { len } else { 0 };
        if self.len == 0 {
            for l in &mut self.layers {
                l.cache = None;
            }
        }
    }

    fn cached_len(&self) -> usize {
        self.len
    }

    fn max_context(&self) -> usize {
        self.max_context
    }

    fn device_name(&self) -> String {
        match &self.device {
            Device::Cpu => "cpu (candle)".into(),
            Device::Cuda(_) => "cuda (candle)".into(),
            Device::Metal(_) => "metal (candle)".into(),
        }
    }
}

fn rope_tables(cfg: &ModelConfig, positions: usize, device: &Device) -> Result<(Tensor, Tensor)> {
    let half = cfg.head_dim / 2;
    let mut cos = Vec::with_capacity(positions * half);
    let mut sin = Vec::with_capacity(positions * half);
    for p in 0..positions {
        for i in 0..half {
            let theta = (cfg.rope_base as f64).powf(-2.0 * i as f64 / cfg.head_dim as f64);
            let (s, c) = (p as f64 * theta).sin_cos();
            cos.push(c as f32);
            sin.push(s as f32);
        }
    }
    let cos = Tensor::from_vec(cos, (positions, half), device)?;
    let sin = Tensor::from_vec(sin, (positions, half), device)?;
    Ok((cos, sin))
}

/// Opens candle's CUDA or Metal device (the CPU for anything else). candle compiles these
/// calls in every build and fails at run time without the backend, so this code path is
/// type-checked by the CPU build too; `--features cuda` / `metal` make it work.
pub(crate) fn open_device(kind: &str) -> Result<Device> {
    let (opened, built) = match kind {
        "cuda" => (Device::new_cuda(0), cfg!(feature = "cuda")),
        "metal" => (Device::new_metal(0), cfg!(feature = "metal")),
        _ => return Ok(Device::Cpu),
    };
    match opened {
        Ok(dev) => Ok(dev),
        Err(_) if !built => Err(LlmError::Device(
            kind.to_string(),
            format!("this build has no {kind} support (build with `--features {kind}`)"),
        )),
        Err(e) => Err(LlmError::Device(kind.to_string(), e.to_string())),
    }
}
