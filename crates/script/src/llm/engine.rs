//! The seam between the generation loop and a forward pass (the CPU path or candle's devices).

use super::error::Result;

/// A causal language model with a key/value cache that can be cut back.
pub(crate) trait Engine: Send {
    /// Runs `tokens` at positions `pos..pos + tokens.len()` (the cache must hold exactly `pos`
    /// positions) and leaves the last token's logits in `logits`. On error the cache is left
    /// at `pos`.
    fn forward(&mut self, tokens: &[u32], pos: usize, logits: &mut Vec<f32>) -> Result<()>;
    /// Like [`Engine::forward`], but only fills the cache (no logits): a context read before
    /// hidden states, on a model that may be loaded in part.
    fn feed(&mut self, tokens: &[u32], pos: usize) -> Result<()> {
        self.forward(tokens, pos, &mut Vec::new())
    }
    /// Like [`Engine::forward`], but leaves every token's logits in `logits`, one row of
    /// vocabulary size per token (for scoring a text, not for generating).
    fn forward_all(&mut self, tokens: &[u32], pos: usize, logits: &mut Vec<f32>) -> Result<()> {
        logits.clear();
        let mut row = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if let Err(e) = self.forward(std::slice::from_ref(t), pos + i, &mut row) {
                self.truncate(pos);
                return Err(e);
            }
            logits.extend_from_slice(&row);
        }
        Ok(())
    }
    /// Whether [`Engine::forward_all`] runs its tokens in one pass (so a drafted token costs a
    /// row, not a pass of its own): prompt-lookup decoding only pays off then.
    fn batches_rows(&self) -> bool {
        false
    }
    /// Runs `tokens` at positions `pos..` through layers `0..=layer` only and leaves each
    /// token's hidden state after that layer in `rows` (`d_model` values per token); the cache
    /// is left at `pos`. For probes of what a middle layer knows (see `grammar`).
    fn hidden(&mut self, _tokens: &[u32], _pos: usize, _layer: usize, _rows: &mut Vec<f32>) -> Result<()> {
        Err(super::error::LlmError::Inference("this engine does not expose hidden states".into()))
    }
    /// The key/value cache, taken out (the engine is left with an empty one) to be put back
    /// with [`Engine::put_cache`]: a second context (the grammar probe's) kept beside the
    /// writer's prompt without evicting it. None where the engine cannot.
    fn take_cache(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        None
    }
    fn put_cache(&mut self, _cache: Box<dyn std::any::Any + Send>) {}
    /// Moves the next `at_least` bytes of weights (whole matrices) to where they read fastest
    /// (2 MiB pages), if the load left that for later
    /// ([`super::LoadOptions::defer_huge_pages`]); the bytes moved, and whether any are left.
    fn settle_pages(&mut self, _at_least: usize) -> (usize, bool) {
        (0, false)
    }
    /// Keeps the first `len` cached positions and drops the rest.
    fn truncate(&mut self, len: usize);
    fn cached_len(&self) -> usize;
    fn max_context(&self) -> usize;
    fn device_name(&self) -> String;
}
