//! Whisper's text decoder with key/value caches, for greedy decoding one token at a time.
//!
//! candle's `whisper::model::TextDecoder` caches only the cross-attention's keys and values,
//! and re-lays them out into heads at every call; each step also runs the whole token
//! sequence again. This decoder, loaded from the same weights (shared, not copied), splits
//! the audio's keys and values into heads once per window and keeps the self-attention's keys
//! and values, so a step runs one token: on two cores a step takes milliseconds instead of
//! over a hundred. Same maths as OpenAI's `TextDecoder` (exact GELU, pre-norm blocks, output
//! projection tied to the token embeddings).

use candle_core::{Device, Module, Result, Tensor};
use candle_nn::{LayerNorm, Linear, VarBuilder, layer_norm, linear, linear_no_bias, ops::softmax_last_dim};
use candle_transformers::models::whisper::Config;

struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
}

impl Attention {
    fn load(d: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            query: linear(d, d, vb.pp("q_proj"))?,
            key: linear_no_bias(d, d, vb.pp("k_proj"))?,
            value: linear(d, d, vb.pp("v_proj"))?,
            out: linear(d, d, vb.pp("out_proj"))?,
        })
    }
}

struct Block {
    attn: Attention,
    attn_ln: LayerNorm,
    cross: Attention,
    cross_ln: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    mlp_ln: LayerNorm,
}

/// Keys `(1, heads, hd, len)` (transposed, ready for `q·k`) and values `(1, heads, len, hd)`.
struct Kv {
    keys_t: Tensor,
    values: Tensor,
}

pub(crate) struct Decoder {
    /// `(vocab, d)`: token embeddings, and the output projection.
    embeddings: Tensor,
    /// `(text_ctx, d)`.
    positions: Tensor,
    blocks: Vec<Block>,
    ln: LayerNorm,
    heads: usize,
    /// Per block, the audio window's cross-attention keys and values.
    audio: Vec<Kv>,
    /// Per block, the self-attention keys `(1, heads, len, hd)` and values of the tokens so far.
    cache: Vec<Option<(Tensor, Tensor)>>,
    /// Tokens run since [`Decoder::start`].
    len: usize,
    /// The exact (erf) GELU of OpenAI's model; `false`: the tanh approximation candle uses.
    pub(crate) exact_gelu: bool,
}

impl Decoder {
    /// Loads `model.decoder.*` (Hugging Face names).
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let d = config.d_model;
        let ln = |vb: VarBuilder| layer_norm(d, 1e-5, vb);
        let blocks = (0..config.decoder_layers)
            .map(|i| {
                let vb = vb.pp(format!("layers.{i}"));
                Ok(Block {
                    attn: Attention::load(d, vb.pp("self_attn"))?,
                    attn_ln: ln(vb.pp("self_attn_layer_norm"))?,
                    cross: Attention::load(d, vb.pp("encoder_attn"))?,
                    cross_ln: ln(vb.pp("encoder_attn_layer_norm"))?,
                    fc1: linear(d, 4 * d, vb.pp("fc1"))?,
                    fc2: linear(4 * d, d, vb.pp("fc2"))?,
                    mlp_ln: ln(vb.pp("final_layer_norm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            embeddings: vb.get((config.vocab_size, d), "embed_tokens.weight")?,
            positions: vb.get((config.max_target_positions, d), "embed_positions.weight")?,
            blocks,
            ln: ln(vb.pp("layer_norm"))?,
            heads: config.decoder_attention_heads,
            audio: Vec::new(),
            cache: Vec::new(),
            len: 0,
            exact_gelu: true,
        })
    }

    /// `(1, n, d)` → `(1, heads, n, hd)`.
    fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
        let (b, n, d) = x.dims3()?;
        x.reshape((b, n, self.heads, d / self.heads))?.transpose(1, 2)?.contiguous()
    }

    /// `(1, heads, n, hd)` → `(1, n, d)`.
    fn merge_heads(x: &Tensor) -> Result<Tensor> {
        let (b, h, n, hd) = x.dims4()?;
        x.transpose(1, 2)?.reshape((b, n, h * hd))
    }

    fn scale(&self) -> f64 {
        let hd = self.positions.dim(1).unwrap_or(64) / self.heads;
        (hd as f64).powf(-0.5)
    }

    /// Starts a new sequence over the encoder's output `features` `(1, frames, d)`.
    pub(crate) fn start(&mut self, features: &Tensor) -> Result<()> {
        let mut audio = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let keys = self.split_heads(&block.cross.key.forward(features)?)?;
            let values = self.split_heads(&block.cross.value.forward(features)?)?;
            audio.push(Kv { keys_t: keys.transpose(2, 3)?.contiguous()?, values });
        }
        self.audio = audio;
        self.cache = vec![None; self.blocks.len()];
        self.len = 0;
        Ok(())
    }

    /// Runs the next `tokens` and returns their hidden states `(n, d)`, after the final
    /// layer norm (see [`Decoder::logits`]).
    pub(crate) fn forward(&mut self, tokens: &[u32]) -> Result<Tensor> {
        let n = tokens.len();
        let device = self.embeddings.device().clone();
        let ids = Tensor::new(tokens, &device)?;
        let mut x = self.embeddings.index_select(&ids, 0)?.add(&self.positions.narrow(0, self.len, n)?)?.unsqueeze(0)?;
        let total = self.len + n;
        // New token i (at self.len + i) sees positions up to its own.
        let mask = (n > 1).then(|| causal_mask(n, self.len, &device)).transpose()?;
        let scale = self.scale();
        for (i, block) in self.blocks.iter().enumerate() {
            // Self-attention over the cached tokens and the new ones.
            let h = block.attn_ln.forward(&x)?;
            let q = (self.split_heads(&block.attn.query.forward(&h)?)? * scale)?;
            let k = self.split_heads(&block.attn.key.forward(&h)?)?;
            let v = self.split_heads(&block.attn.value.forward(&h)?)?;
            let (k, v) = match self.cache[i].take() {
                Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
                None => (k, v),
            };
            debug_assert_eq!(k.dim(2)?, total);
            let mut w = q.matmul(&k.t()?)?;
            if let Some(mask) = &mask {
                w = w.broadcast_add(mask)?;
            }
            let a = softmax_last_dim(&w)?.matmul(&v)?;
            self.cache[i] = Some((k, v));
            x = (x + block.attn.out.forward(&Self::merge_heads(&a)?)?)?;

            // Cross-attention over the audio.
            let h = block.cross_ln.forward(&x)?;
            let q = (self.split_heads(&block.cross.query.forward(&h)?)? * scale)?;
            let audio = &self.audio[i];
            let a = softmax_last_dim(&q.matmul(&audio.keys_t)?)?.matmul(&audio.values)?;
            x = (x + block.cross.out.forward(&Self::merge_heads(&a)?)?)?;

            // MLP.
            let h = block.mlp_ln.forward(&x)?;
            let h = block.fc1.forward(&h)?;
            let h = if self.exact_gelu { h.gelu_erf()? } else { h.gelu()? };
            x = (x + block.fc2.forward(&h)?)?;
        }
        self.len = total;
        self.ln.forward(&x)?.squeeze(0)
    }

    /// Logits of one hidden state `(d)` or `(1, d)` row: its product with every token
    /// embedding.
    pub(crate) fn logits(&self, hidden: &Tensor) -> Result<Vec<f32>> {
        let column = hidden.flatten_all()?.unsqueeze(1)?;
        self.embeddings.matmul(&column)?.flatten_all()?.to_vec1::<f32>()
    }
}

/// `(n, past + n)`: 0 where new token `i` may look (positions `≤ past + i`), −∞ elsewhere.
fn causal_mask(n: usize, past: usize, device: &Device) -> Result<Tensor> {
    let values: Vec<f32> =
        (0..n).flat_map(|i| (0..past + n).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 })).collect();
    Tensor::from_vec(values, (n, past + n), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_lets_each_new_token_see_the_past_and_itself() {
        let m = causal_mask(2, 3, &Device::Cpu).unwrap().to_vec2::<f32>().unwrap();
        assert_eq!(m[0][..4], [0.0; 4]);
        assert_eq!(m[0][4], f32::NEG_INFINITY);
        assert_eq!(m[1], vec![0.0; 5]);
    }
}
