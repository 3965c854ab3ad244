//! The fast CPU path: a forward pass of its own for llama/qwen2 GGUF models.
//!
//! Weights stay in their GGUF block formats (types without a kernel are converted to Q8_0
//! once at load; on AVX-512 VNNI CPUs the layers' blocks are regrouped 8 rows at a time); activations are quantised to 8 bits per token and multiplied with the
//! kernels in [`kernels`]. The matrices are gathered into one block on 2 MiB pages ([`huge`]),
//! since a decode streams them all for every token. Every buffer is allocated once and reused, matrices sharing an input
//! (q/k/v, gate/up) run as one parallel step, and a prompt runs in chunks of tokens, so each
//! weight block is read once per chunk rather than once per token. The output head (tied to
//! the embeddings in SmolLM2) runs for the last token only.

pub(crate) mod huge;
pub(crate) mod kernels;
pub(crate) mod pool;
pub(crate) mod quant;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::Device;
use half::f16;
use candle_core::quantized::gguf_file::Content;

use self::kernels::{Isa, attend, gemm, swiglu};
use self::pool::{Pool, SyncPtr};
use self::quant::{QActs, QMatrix, QType};
use super::config::{ModelConfig, hint};
use super::engine::Engine;
use super::error::{LlmError, Result};

/// Tokens per forward step while reading a prompt.
const CHUNK: usize = 64;

struct Layer {
    attn_norm: Vec<f32>,
    ffn_norm: Vec<f32>,
    wq: QMatrix,
    wk: QMatrix,
    wv: QMatrix,
    wo: QMatrix,
    w_gate: QMatrix,
    w_up: QMatrix,
    w_down: QMatrix,
    bq: Option<Vec<f32>>,
    bk: Option<Vec<f32>>,
    bv: Option<Vec<f32>>,
}

/// Per-layer key/value history in f16, one growing buffer per kv head (`[position][head_dim]`).
struct KvCache {
    k: Vec<Vec<f16>>,
    v: Vec<Vec<f16>>,
    len: usize,
}

#[derive(Default)]
struct Buffers {
    x: Vec<f32>,
    xn: Vec<f32>,
    qkv: Vec<f32>,
    att: Vec<f32>,
    tmp: Vec<f32>,
    gu: Vec<f32>,
    h: Vec<f32>,
    acts: QActs,
    cos: Vec<f32>,
    sin: Vec<f32>,
    /// Attention scores, one buffer per pool thread.
    scores: Vec<Vec<f32>>,
}

pub(crate) struct CpuModel {
    cfg: ModelConfig,
    embed: QMatrix,
    head: Option<QMatrix>,
    out_norm: Vec<f32>,
    layers: Vec<Layer>,
    kv: KvCache,
    buf: Buffers,
    pool: Pool,
    isa: Isa,
    max_context: usize,
    /// Set while [`Engine::hidden`] runs: the layer after which a pass stops.
    stop_after: Option<usize>,
    /// How many matrices, in [`CpuModel::settle_pages`]' order, are where they stay; `None`
    /// once all are (or none will move: a model loaded in part, no 2 MiB pages to be had).
    pages_settled: Option<usize>,
}

struct Loader<'a> {
    content: &'a Content,
    reader: &'a mut BufReader<File>,
    path: &'a Path,
}

impl Loader<'_> {
    fn bad(&self, reason: String) -> LlmError {
        LlmError::BadModel { path: self.path.to_path_buf(), reason, hint: hint() }
    }

    fn has(&self, name: &str) -> bool {
        self.content.tensor_infos.contains_key(name)
    }

    fn matrix(&mut self, name: &str) -> Result<QMatrix> {
        let info = self.content.tensor_infos.get(name).ok_or_else(|| self.bad(format!("tensor {name} is missing")))?;
        let dims = info.shape.dims().to_vec();
        let (rows, cols) = match dims.as_slice() {
            [r, c] => (*r, *c),
            _ => return Err(self.bad(format!("tensor {name} has shape {dims:?}, expected a matrix"))),
        };
        if let Some(ty) = QType::from_ggml(info.ggml_dtype).filter(|t| cols % t.block_elems() == 0) {
            let size = rows * cols / ty.block_elems() * ty.block_bytes();
            let mut data = vec![0u8; size];
            let at = self.content.tensor_data_offset + info.offset;
            self.reader
                .seek(SeekFrom::Start(at))
                .and_then(|_| self.reader.read_exact(&mut data))
                .map_err(|e| self.bad(format!("reading tensor {name}: {e} (the file may be truncated)")))?;
            return QMatrix::new(ty, rows, cols, data).ok_or_else(|| self.bad(format!("tensor {name}: size mismatch")));
        }
        // No kernel for this type: go through f32 to Q8_0, once.
        if cols % 32 != 0 {
            return Err(LlmError::Unsupported {
                path: self.path.to_path_buf(),
                reason: format!("tensor {name} has rows of {cols} values (not a multiple of 32)"),
            });
        }
        tracing::debug!(tensor = name, dtype = ?info.ggml_dtype, "converting to Q8_0 for the CPU kernels");
        let values = self.f32s(name)?;
        QMatrix::from_f32_q8_0(rows, cols, &values).ok_or_else(|| self.bad(format!("tensor {name}: size mismatch")))
    }

    fn f32s(&mut self, name: &str) -> Result<Vec<f32>> {
        let info = self.content.tensor_infos.get(name).ok_or_else(|| self.bad(format!("tensor {name} is missing")))?;
        let t = info
            .read(self.reader, self.content.tensor_data_offset, &Device::Cpu)
            .and_then(|q| q.dequantize(&Device::Cpu))
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| self.bad(format!("reading tensor {name}: {e}")))?;
        Ok(t)
    }

    fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>> {
        let v = self.f32s(name)?;
        if v.len() != len {
            return Err(self.bad(format!("tensor {name} has {} values, expected {len}", v.len())));
        }
        Ok(v)
    }
}

impl CpuModel {
    pub(crate) fn load(
        content: &Content,
        reader: &mut BufReader<File>,
        path: &Path,
        cfg: &ModelConfig,
        threads: usize,
        max_context: usize,
        only_layers: Option<usize>,
        defer_pages: bool,
    ) -> Result<CpuModel> {
        let mut ld = Loader { content, reader, path };
        let n_layers = only_layers.map_or(cfg.n_layer, |n| n.clamp(1, cfg.n_layer));
        let whole = n_layers == cfg.n_layer;
        let embed = ld.matrix("token_embd.weight")?;
        // A model loaded in part never makes logits: its output head stays in the file.
        let mut head = if whole && ld.has("output.weight") { Some(ld.matrix("output.weight")?) } else { None };
        let out_norm = ld.vector("output_norm.weight", cfg.d_model)?;
        let (d, kv) = (cfg.d_model, cfg.kv_dim());
        let mut layers = Vec::with_capacity(n_layers);
        for i in 0..n_layers {
            let n = |s: &str| format!("blk.{i}.{s}");
            let bias = |ld: &mut Loader, s: &str, len: usize| -> Result<Option<Vec<f32>>> {
                if ld.has(&n(s)) { Ok(Some(ld.vector(&n(s), len)?)) } else { Ok(None) }
            };
            let layer = Layer {
                attn_norm: ld.vector(&n("attn_norm.weight"), d)?,
                ffn_norm: ld.vector(&n("ffn_norm.weight"), d)?,
                wq: ld.matrix(&n("attn_q.weight"))?,
                wk: ld.matrix(&n("attn_k.weight"))?,
                wv: ld.matrix(&n("attn_v.weight"))?,
                wo: ld.matrix(&n("attn_output.weight"))?,
                w_gate: ld.matrix(&n("ffn_gate.weight"))?,
                w_up: ld.matrix(&n("ffn_up.weight"))?,
                w_down: ld.matrix(&n("ffn_down.weight"))?,
                bq: bias(&mut ld, "attn_q.bias", d)?,
                bk: bias(&mut ld, "attn_k.bias", kv)?,
                bv: bias(&mut ld, "attn_v.bias", kv)?,
            };
            let shapes = [
                (&layer.wq, d, d),
                (&layer.wk, kv, d),
                (&layer.wv, kv, d),
                (&layer.wo, d, d),
                (&layer.w_gate, cfg.ffn, d),
                (&layer.w_up, cfg.ffn, d),
                (&layer.w_down, d, cfg.ffn),
            ];
            if let Some((m, r, c)) = shapes.iter().find(|(m, r, c)| m.rows != *r || m.cols != *c) {
                return Err(ld.bad(format!("layer {i}: a {}x{} matrix where {r}x{c} was expected", m.rows, m.cols)));
            }
            layers.push(layer);
        }
        if embed.cols != d || head.as_ref().is_some_and(|h| h.cols != d) {
            return Err(ld.bad("embedding width does not match the model width".into()));
        }
        let pool = Pool::new(threads);
        let isa = Isa::detect();
        if isa.packs() {
            // The layers' matrices (and an untied output head) only ever meet the kernels;
            // the embeddings are also read row by row, so they keep the file's layout.
            for l in &mut layers {
                for m in [&mut l.wq, &mut l.wk, &mut l.wv, &mut l.wo, &mut l.w_gate, &mut l.w_up, &mut l.w_down] {
                    m.pack8();
                }
            }
            if let Some(h) = head.as_mut() {
                h.pack8();
            }
        }
        tracing::info!(arch = %cfg.arch, threads = pool.threads(), isa = isa.name(), prefetch = kernels::weight_prefetch(), layers = n_layers, "CPU model loaded");
        let slots = cfg.n_layer * cfg.n_kv_head;
        let mut model = CpuModel {
            cfg: cfg.clone(),
            embed,
            head,
            out_norm,
            layers,
            kv: KvCache { k: vec![Vec::new(); slots], v: vec![Vec::new(); slots], len: 0 },
            buf: Buffers { scores: vec![Vec::new(); pool.threads()], ..Buffers::default() },
            pool,
            isa,
            max_context: max_context.min(cfg.context),
            stop_after: None,
            // A model loaded in part never decodes (it reads whole sentences at once), so it
            // does not pay the fresh pages' cost.
            pages_settled: whole.then_some(0),
        };
        if !defer_pages {
            model.settle_pages(usize::MAX);
        }
        Ok(model)
    }

    /// Moves the next matrices (at least `at_least` bytes of them, whole matrices, in layer
    /// order) onto 2 MiB pages: decode streams every matrix once a token, and on 2 MiB pages
    /// that read runs faster. The move's cost is the kernel zeroing the fresh pages, which
    /// some VMs back only on first touch (seconds for a 0.5B there), so a running show moves
    /// them a few at a time. Returns the bytes moved and whether any are left to move.
    fn settle_pages(&mut self, at_least: usize) -> (usize, bool) {
        let Some(done) = self.pages_settled else { return (0, false) };
        let mut next: Vec<_> = self
            .layers
            .iter_mut()
            .flat_map(|l| [&mut l.wq, &mut l.wk, &mut l.wv, &mut l.wo, &mut l.w_gate, &mut l.w_up, &mut l.w_down])
            .chain(self.head.as_mut())
            .chain([&mut self.embed])
            .skip(done)
            .map(|m| &mut m.data)
            .collect();
        let left = next.len();
        let mut take = 0;
        let mut bytes = 0usize;
        while take < left && bytes < at_least {
            bytes += next[take].len();
            take += 1;
        }
        let moved = huge::gather(&mut next[..take]);
        // Nothing moved where something was to move: no 2 MiB pages here; stop asking.
        self.pages_settled = (moved > 0 && take < left).then_some(done + take);
        tracing::debug!(mb = moved / 1_000_000, matrices = take, "weights gathered for 2 MiB pages");
        (moved, self.pages_settled.is_some())
    }

    /// Runs one chunk of tokens at positions `pos..`; leaves the last token's logits in `logits`
    /// when asked.
    fn step(&mut self, tokens: &[u32], pos: usize, logits: Option<&mut Vec<f32>>) -> Result<()> {
        self.step_rows(tokens, pos, logits, false)
    }

    /// [`CpuModel::step`]; `all_rows` leaves every token's logits (appended to `logits`), not
    /// just the last one's.
    fn step_rows(&mut self, tokens: &[u32], pos: usize, logits: Option<&mut Vec<f32>>, all_rows: bool) -> Result<()> {
        let cfg = &self.cfg;
        let n = tokens.len();
        let (d, hd, kvd) = (cfg.d_model, cfg.head_dim, cfg.kv_dim());
        let qkv_w = d + 2 * kvd;
        let b = &mut self.buf;
        b.x.resize(n * d, 0.0);
        b.xn.resize(n * d, 0.0);
        b.qkv.resize(n * qkv_w, 0.0);
        b.att.resize(n * d, 0.0);
        b.tmp.resize(n * d, 0.0);
        b.gu.resize(n * 2 * cfg.ffn, 0.0);
        b.h.resize(n * cfg.ffn, 0.0);
        for (t, &tok) in tokens.iter().enumerate() {
            if tok as usize >= self.embed.rows {
                return Err(LlmError::Inference(format!("token id {tok} is outside the vocabulary")));
            }
            self.embed.dequantize_row(tok as usize, &mut b.x[t * d..(t + 1) * d]);
        }
        rope_tables(cfg, pos, n, &mut b.cos, &mut b.sin);
        let ctx_len = pos + n;
        for s in &mut b.scores {
            s.resize(ctx_len, 0.0);
        }

        for (li, layer) in self.layers.iter().enumerate() {
            // Attention block.
            for t in 0..n {
                rms_norm(&b.x[t * d..(t + 1) * d], &layer.attn_norm, cfg.rms_eps, &mut b.xn[t * d..(t + 1) * d]);
            }
            b.acts.quantize(self.isa, &b.xn, n, d);
            matmuls(&self.pool, self.isa, &[(&layer.wq, 0), (&layer.wk, d), (&layer.wv, d + kvd)], &b.acts, &mut b.qkv, qkv_w);
            for t in 0..n {
                let row = &mut b.qkv[t * qkv_w..(t + 1) * qkv_w];
                for (bias, off, len) in [(&layer.bq, 0, d), (&layer.bk, d, kvd), (&layer.bv, d + kvd, kvd)] {
                    if let Some(bias) = bias {
                        for (x, b) in row[off..off + len].iter_mut().zip(bias) {
                            *x += b;
                        }
                    }
                }
                let (cos, sin) = (&b.cos[t * hd / 2..(t + 1) * hd / 2], &b.sin[t * hd / 2..(t + 1) * hd / 2]);
                for head in row[..d + kvd].chunks_exact_mut(hd) {
                    rope(head, cos, sin, cfg.rope_neox);
                }
                for h in 0..cfg.n_kv_head {
                    let slot = li * cfg.n_kv_head + h;
                    self.kv.k[slot].extend(row[d + h * hd..d + (h + 1) * hd].iter().map(|&x| f16::from_f32(x)));
                    self.kv.v[slot].extend(row[d + kvd + h * hd..d + kvd + (h + 1) * hd].iter().map(|&x| f16::from_f32(x)));
                }
            }
            attention(&self.pool, self.isa, cfg, li, pos, n, &b.qkv, &self.kv, &mut b.scores, &mut b.att);
            b.acts.quantize(self.isa, &b.att, n, d);
            matmuls(&self.pool, self.isa, &[(&layer.wo, 0)], &b.acts, &mut b.tmp, d);
            for (x, y) in b.x.iter_mut().zip(&b.tmp) {
                *x += y;
            }

            // Feed-forward block.
            for t in 0..n {
                rms_norm(&b.x[t * d..(t + 1) * d], &layer.ffn_norm, cfg.rms_eps, &mut b.xn[t * d..(t + 1) * d]);
            }
            b.acts.quantize(self.isa, &b.xn, n, d);
            let f = cfg.ffn;
            matmuls(&self.pool, self.isa, &[(&layer.w_gate, 0), (&layer.w_up, f)], &b.acts, &mut b.gu, 2 * f);
            for t in 0..n {
                let (g, u) = b.gu[t * 2 * f..(t + 1) * 2 * f].split_at(f);
                swiglu(self.isa, g, u, &mut b.h[t * f..(t + 1) * f]);
            }
            b.acts.quantize(self.isa, &b.h, n, f);
            matmuls(&self.pool, self.isa, &[(&layer.w_down, 0)], &b.acts, &mut b.tmp, d);
            for (x, y) in b.x.iter_mut().zip(&b.tmp) {
                *x += y;
            }
            if self.stop_after == Some(li) {
                break;
            }
        }
        self.kv.len = pos + n;

        if let Some(logits) = logits {
            if self.layers.len() < cfg.n_layer {
                return Err(LlmError::Inference(format!("only {} of the model's {} layers are loaded: it gives hidden states, not logits", self.layers.len(), cfg.n_layer)));
            }
            if !all_rows {
                let last = &b.x[(n - 1) * d..n * d];
                rms_norm(last, &self.out_norm, cfg.rms_eps, &mut b.xn[..d]);
                b.acts.quantize(self.isa, &b.xn[..d], 1, d);
                let head = self.head.as_ref().unwrap_or(&self.embed);
                logits.resize(head.rows, 0.0);
                matmuls(&self.pool, self.isa, &[(head, 0)], &b.acts, logits, head.rows);
                return Ok(());
            }
            for t in 0..n {
                rms_norm(&b.x[t * d..(t + 1) * d], &self.out_norm, cfg.rms_eps, &mut b.xn[t * d..(t + 1) * d]);
            }
            b.acts.quantize(self.isa, &b.xn, n, d);
            let head = self.head.as_ref().unwrap_or(&self.embed);
            let start = logits.len();
            logits.resize(start + n * head.rows, 0.0);
            matmuls(&self.pool, self.isa, &[(head, 0)], &b.acts, &mut logits[start..], head.rows);
        }
        Ok(())
    }
}

impl CpuModel {
    /// [`Engine::forward`], the last token's logits only where asked.
    fn run(&mut self, tokens: &[u32], pos: usize, mut logits: Option<&mut Vec<f32>>) -> Result<()> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if pos != self.kv.len {
            return Err(LlmError::Inference(format!("forward at position {pos} but {} positions are cached", self.kv.len)));
        }
        if pos + tokens.len() > self.max_context {
            return Err(LlmError::ContextFull { needed: pos + tokens.len(), max: self.max_context });
        }
        let chunks: Vec<&[u32]> = tokens.chunks(CHUNK).collect();
        let mut p = pos;
        for (i, chunk) in chunks.iter().enumerate() {
            let last = i + 1 == chunks.len();
            if let Err(e) = self.step(chunk, p, if last { logits.as_deref_mut() } else { None }) {
                self.truncate(pos);
                return Err(e);
            }
            p += chunk.len();
        }
        Ok(())
    }
}

impl Engine for CpuModel {
    fn forward(&mut self, tokens: &[u32], pos: usize, logits: &mut Vec<f32>) -> Result<()> {
        self.run(tokens, pos, Some(logits))
    }

    fn settle_pages(&mut self, at_least: usize) -> (usize, bool) {
        CpuModel::settle_pages(self, at_least)
    }

    fn feed(&mut self, tokens: &[u32], pos: usize) -> Result<()> {
        self.run(tokens, pos, None)
    }

    fn forward_all(&mut self, tokens: &[u32], pos: usize, logits: &mut Vec<f32>) -> Result<()> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if pos != self.kv.len || pos + tokens.len() > self.max_context {
            return Err(LlmError::Inference(format!("scoring at position {pos} with {} cached of {}", self.kv.len, self.max_context)));
        }
        logits.clear();
        let mut p = pos;
        for chunk in tokens.chunks(CHUNK) {
            if let Err(e) = self.step_rows(chunk, p, Some(&mut *logits), true) {
                self.truncate(pos);
                return Err(e);
            }
            p += chunk.len();
        }
        Ok(())
    }

    fn take_cache(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        let slots = self.kv.k.len();
        let empty = KvCache { k: vec![Vec::new(); slots], v: vec![Vec::new(); slots], len: 0 };
        Some(Box::new(std::mem::replace(&mut self.kv, empty)))
    }

    fn put_cache(&mut self, cache: Box<dyn std::any::Any + Send>) {
        if let Ok(kv) = cache.downcast::<KvCache>() {
            self.kv = *kv;
        }
    }

    fn hidden(&mut self, tokens: &[u32], pos: usize, layer: usize, rows: &mut Vec<f32>) -> Result<()> {
        if tokens.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if pos != self.kv.len || pos + tokens.len() > self.max_context || layer >= self.layers.len() {
            return Err(LlmError::Inference(format!("hidden states of layer {layer} at position {pos} with {} cached of {}", self.kv.len, self.max_context)));
        }
        rows.clear();
        self.stop_after = Some(layer);
        let d = self.cfg.d_model;
        let mut p = pos;
        let mut done = Ok(());
        for chunk in tokens.chunks(CHUNK) {
            if let Err(e) = self.step_rows(chunk, p, None, false) {
                done = Err(e);
                break;
            }
            rows.extend_from_slice(&self.buf.x[..chunk.len() * d]);
            p += chunk.len();
        }
        self.stop_after = None;
        // The layers after `layer` hold no keys for these tokens: none of them stays cached.
        self.truncate(pos);
        done
    }

    fn batches_rows(&self) -> bool {
        true
    }

    fn truncate(&mut self, len: usize) {
        let len = len.min(self.kv.len);
        let hd = self.cfg.head_dim;
        for c in self.kv.k.iter_mut().chain(self.kv.v.iter_mut()) {
            c.truncate(len * hd);
        }
        self.kv.len = len;
    }

    fn cached_len(&self) -> usize {
        self.kv.len
    }

    fn max_context(&self) -> usize {
        self.max_context
    }

    fn device_name(&self) -> String {
        format!("cpu ({} threads, {} kernels)", self.pool.threads(), self.isa.name())
    }
}

/// Runs several matrices on the same activations in one parallel step; matrix `i` writes
/// columns `off_i..off_i + rows_i` of `out` (`stride` values per token).
fn matmuls(pool: &Pool, isa: Isa, ws: &[(&QMatrix, usize)], a: &QActs, out: &mut [f32], stride: usize) {
    debug_assert!(out.len() >= a.n * stride);
    // Chunks of rows, handed out in order and shrinking as the step nears its end (a quarter
    // of each thread's share of what is left, 16 to 512 rows): every thread gets several
    // (balance under load), each stays long enough to stream, and the last ones are short, so
    // no thread waits long for another's last chunk.
    let mut left: usize = ws.iter().map(|(w, _)| w.rows).sum();
    let mut chunks: Vec<(usize, usize, usize)> = Vec::new(); // (matrix, row start, row end)
    for (i, (w, _)) in ws.iter().enumerate() {
        let mut r = 0;
        while r < w.rows {
            let per = (left / (pool.threads() * 4)).clamp(16, 512).next_multiple_of(16);
            let e = (r + per).min(w.rows);
            chunks.push((i, r, e));
            left -= e - r;
            r = e;
        }
    }
    let ptr = SyncPtr(out.as_mut_ptr());
    pool.for_chunks(chunks.len(), &|_, c| {
        let (i, r0, r1) = chunks[c];
        let (w, off) = ws[i];
        gemm(isa, w, a, r0..r1, ptr, stride, off);
    });
}

#[allow(clippy::too_many_arguments)]
fn attention(
    pool: &Pool,
    isa: Isa,
    cfg: &ModelConfig,
    layer: usize,
    pos: usize,
    n: usize,
    qkv: &[f32],
    kv: &KvCache,
    scores: &mut [Vec<f32>],
    out: &mut [f32],
) {
    let (d, hd) = (cfg.d_model, cfg.head_dim);
    let qkv_w = d + 2 * cfg.kv_dim();
    let group = cfg.n_head / cfg.n_kv_head;
    let scale = 1.0 / (hd as f32).sqrt();
    let out_ptr = SyncPtr(out.as_mut_ptr());
    let score_ptrs: Vec<SyncPtr<f32>> = scores.iter_mut().map(|s| SyncPtr(s.as_mut_ptr())).collect();
    let units = n * cfg.n_head;
    pool.for_chunks(units, &|tid, u| {
        let (t, h) = (u / cfg.n_head, u % cfg.n_head);
        let slot = layer * cfg.n_kv_head + h / group;
        let (kc, vc) = (&kv.k[slot], &kv.v[slot]);
        let q = &qkv[t * qkv_w + h * hd..t * qkv_w + (h + 1) * hd];
        let ctx = pos + t + 1;
        // SAFETY: each pool thread owns the scores buffer of its index (sized `pos + n`), and
        // each (token, head) unit writes its own `hd` outputs.
        let sc = unsafe { std::slice::from_raw_parts_mut(score_ptrs[tid].get(), ctx) };
        let o = unsafe { std::slice::from_raw_parts_mut(out_ptr.get().add(t * d + h * hd), hd) };
        attend(isa, q, kc, vc, ctx, scale, sc, o);
    });
}

fn rms_norm(x: &[f32], w: &[f32], eps: f32, out: &mut [f32]) {
    let ss: f32 = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let inv = 1.0 / (ss + eps).sqrt();
    for ((o, x), w) in out.iter_mut().zip(x).zip(w) {
        *o = x * inv * w;
    }
}

/// cos/sin of every rotary frequency for positions `pos..pos + n` (`[token][head_dim / 2]`).
fn rope_tables(cfg: &ModelConfig, pos: usize, n: usize, cos: &mut Vec<f32>, sin: &mut Vec<f32>) {
    let half = cfg.head_dim / 2;
    cos.clear();
    sin.clear();
    for t in 0..n {
        let p = (pos + t) as f64;
        for i in 0..half {
            let theta = (cfg.rope_base as f64).powf(-2.0 * i as f64 / cfg.head_dim as f64);
            let (s, c) = (p * theta).sin_cos();
            cos.push(c as f32);
            sin.push(s as f32);
        }
    }
}

/// Rotates one head in place: pairs (i, i + d/2) for NEOX, (2i, 2i + 1) otherwise.
fn rope(x: &mut [f32], cos: &[f32], sin: &[f32], neox: bool) {
    let half = x.len() / 2;
    for i in 0..half {
        let (a, b) = if neox { (i, i + half) } else { (2 * i, 2 * i + 1) };
        let (x0, x1) = (x[a], x[b]);
        x[a] = x0 * cos[i] - x1 * sin[i];
        x[b] = x0 * sin[i] + x1 * cos[i];
    }
}
