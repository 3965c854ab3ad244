//! Choosing the next token: repetition penalty, temperature, nucleus (top-p), seeded.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Sampling settings. `temperature <= 0` means greedy decoding. The same settings (seed
/// included) on the same prompt give the same reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sampling {
    pub temperature: f32,
    pub top_p: f32,
    /// > 1 discourages tokens seen in the last `repeat_last_n` tokens (1 = off).
    pub repeat_penalty: f32,
    pub repeat_last_n: usize,
    pub seed: u64,
    pub max_tokens: usize,
    /// Prompt-lookup decoding: up to this many tokens that followed the last two tokens
    /// earlier in the prompt or reply are run with the next one in a single forward pass and
    /// kept as far as the sampler picks them anyway (0 = off). The output is what plain
    /// decoding gives (each token is still sampled from the model's own distribution); a host
    /// restating the catalog's facts from the prompt gets several tokens per weight read.
    pub lookup: usize,
    /// Note each generated token's log-probability ([`crate::llm::GenStats::pieces`]): one more
    /// pass over the vocabulary a token, so only for callers that read it.
    pub logprobs: bool,
    /// Tokens the reply must not begin with: a retry that must not open the way a refused
    /// sentence did (a small model asked again writes the same sentence again).
    pub not_first: Vec<u32>,
    /// Tokens the reply must not contain at all: a retry that must not use a word a refused
    /// sentence used (told "do not say radiant", a small model says radiant again).
    pub banned: Vec<u32>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling { temperature: 0.7, top_p: 0.9, repeat_penalty: 1.1, repeat_last_n: 64, seed: 42, max_tokens: 256, lookup: 0, logprobs: false, not_first: Vec::new(), banned: Vec::new() }
    }
}

impl Sampling {
    /// Greedy decoding (always the most likely token), for tests and benchmarks.
    pub fn greedy(max_tokens: usize) -> Self {
        Sampling { temperature: 0.0, top_p: 1.0, repeat_penalty: 1.0, repeat_last_n: 0, seed: 0, max_tokens, lookup: 0, logprobs: false, not_first: Vec::new(), banned: Vec::new() }
    }
}

/// Sampling state for one generation; reuses its buffers from token to token.
pub(crate) struct Sampler {
    rng: ChaCha8Rng,
    cfg: Sampling,
    probs: Vec<f32>,
    idx: Vec<u32>,
    seen: Vec<u32>,
    /// The log-probability of the token [`Sampler::sample`] last picked, under the model's own
    /// distribution (temperature 1, after the repetition penalty): how much of a long shot it was.
    pub(crate) last_logp: f32,
}

impl Sampler {
    pub(crate) fn new(cfg: &Sampling) -> Self {
        Sampler { rng: ChaCha8Rng::seed_from_u64(cfg.seed), cfg: cfg.clone(), probs: Vec::new(), idx: Vec::new(), seen: Vec::new(), last_logp: 0.0 }
    }

    /// Picks a token ([`Sampler::pick`]) and, when [`Sampling::logprobs`] asks, notes its
    /// log-probability in `last_logp` (left as it was otherwise).
    pub(crate) fn sample(&mut self, logits: &mut [f32], history: &[u32], banned: &[u32]) -> u32 {
        let tok = self.pick(logits, history, banned);
        if !self.cfg.logprobs {
            return tok;
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
        self.last_logp = logits[tok as usize] - max - sum.ln();
        tok
    }

    /// Picks a token from `logits` (modified in place). `history` holds the tokens so far
    /// (prompt and reply), for the repetition penalty; `banned` can never be chosen.
    fn pick(&mut self, logits: &mut [f32], history: &[u32], banned: &[u32]) -> u32 {
        let c = &self.cfg;
        if c.repeat_penalty != 1.0 && c.repeat_last_n > 0 {
            let start = history.len().saturating_sub(c.repeat_last_n);
            self.seen.clear();
            self.seen.extend_from_slice(&history[start..]);
            self.seen.sort_unstable();
            self.seen.dedup();
            for &t in &self.seen {
                if let Some(l) = logits.get_mut(t as usize) {
                    *l = if *l >= 0.0 { *l / c.repeat_penalty } else { *l * c.repeat_penalty };
                }
            }
        }
        for &b in banned {
            if let Some(l) = logits.get_mut(b as usize) {
                *l = f32::NEG_INFINITY;
            }
        }
        if c.temperature <= 0.0 || c.top_p <= 0.0 {
            return argmax(logits);
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let inv_t = 1.0 / c.temperature;
        self.probs.clear();
        self.probs.extend(logits.iter().map(|&l| ((l - max) * inv_t).exp()));
        let total: f32 = self.probs.iter().sum();
        let want = c.top_p.min(1.0) * total;
        let n = self.probs.len();
        self.idx.clear();
        self.idx.extend(0..n as u32);
        let probs = &self.probs;
        let by_prob_desc = |a: &u32, b: &u32| probs[*b as usize].total_cmp(&probs[*a as usize]).then(a.cmp(b));
        // Find the nucleus without sorting the whole vocabulary: grow the top-k until it
        // holds enough mass.
        let mut k = 64.min(n);
        loop {
            if k < n {
                self.idx.select_nth_unstable_by(k, by_prob_desc);
            }
            let mass: f32 = self.idx[..k].iter().map(|&i| probs[i as usize]).sum();
            if mass >= want || k == n {
                break;
            }
            k = (k * 4).min(n);
        }
        let top = &mut self.idx[..k];
        top.sort_unstable_by(by_prob_desc);
        let mut cum = 0.0;
        let mut cut = top.len();
        for (j, &i) in top.iter().enumerate() {
            cum += probs[i as usize];
            if cum >= want {
                cut = j + 1;
                break;
            }
        }
        let nucleus = &top[..cut];
        let mass: f32 = nucleus.iter().map(|&i| probs[i as usize]).sum();
        let mut r = self.rng.random::<f32>() * mass;
        for &i in nucleus {
            r -= probs[i as usize];
            if r <= 0.0 {
                return i;
            }
        }
        nucleus[nucleus.len() - 1]
    }
}

pub(crate) fn argmax(v: &[f32]) -> u32 {
    let mut best = 0;
    let mut best_v = f32::NEG_INFINITY;
    for (i, &x) in v.iter().enumerate() {
        if x > best_v {
            best_v = x;
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logits() -> Vec<f32> {
        (0..1000).map(|i| ((i * 7919) % 1000) as f32 / 100.0).collect()
    }

    #[test]
    fn greedy_takes_the_maximum() {
        let mut l = logits();
        let best = argmax(&l);
        assert_eq!(l[best as usize], 9.99);
        assert_eq!(Sampler::new(&Sampling::greedy(1)).sample(&mut l, &[], &[]), best);
    }

    #[test]
    fn same_seed_same_choices_other_seed_other_choices() {
        let cfg = Sampling { temperature: 1.5, top_p: 0.95, repeat_penalty: 1.0, ..Sampling::default() };
        let run = |seed| {
            let mut s = Sampler::new(&Sampling { seed, ..cfg.clone() });
            (0..50).map(|_| s.sample(&mut logits(), &[], &[])).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        // A high temperature spreads choices over many tokens.
        let mut distinct = run(7);
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 5, "{distinct:?}");
    }

    #[test]
    fn top_p_keeps_only_the_nucleus() {
        // Token 3 holds ~88% of the mass, token 1 ~12%: top_p 0.5 leaves only token 3.
        let mut s = Sampler::new(&Sampling { temperature: 1.0, top_p: 0.5, repeat_penalty: 1.0, ..Sampling::default() });
        for _ in 0..200 {
            assert_eq!(s.sample(&mut [0.0, 8.0, -1.0, 10.0], &[], &[]), 3);
        }
        // top_p 0.95 lets token 1 in now and then, never the tail.
        let mut s = Sampler::new(&Sampling { temperature: 1.0, top_p: 0.95, repeat_penalty: 1.0, ..Sampling::default() });
        let picks: Vec<u32> = (0..400).map(|_| s.sample(&mut [0.0, 8.0, -1.0, 10.0], &[], &[])).collect();
        assert!(picks.contains(&1) && picks.contains(&3));
        assert!(!picks.contains(&0) && !picks.contains(&2));
    }

    #[test]
    fn repetition_penalty_and_bans() {
        let cfg = Sampling { temperature: 0.0, repeat_penalty: 2.0, repeat_last_n: 4, ..Sampling::default() };
        // Token 1 leads (3.0 vs 2.0) but was just said: 3.0 / 2 = 1.5 < 2.0.
        assert_eq!(Sampler::new(&cfg).sample(&mut [0.0, 3.0, 2.0], &[1], &[]), 2);
        // Outside the window it is not penalised.
        assert_eq!(Sampler::new(&cfg).sample(&mut [0.0, 3.0, 2.0], &[1, 0, 0, 0, 0], &[]), 1);
        // Negative logits are pushed further down, not up.
        let mut l = vec![-1.0, -3.0, -1.5];
        assert_eq!(Sampler::new(&cfg).sample(&mut l, &[0], &[]), 2);
        assert_eq!(l[0], -2.0);
        assert_eq!(Sampler::new(&cfg).sample(&mut [0.0, 3.0, 2.0], &[], &[1]), 2);
    }
}
