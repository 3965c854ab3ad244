//! Translation quality figures for benchmarks: chrF, the character n-gram F-score.
//!
//! chrF compares characters rather than words, so it works for languages written without
//! spaces (Japanese, Chinese) and is robust to inflection; it is what `evercast bench rooms`
//! reports against reference translations.

use std::collections::HashMap;

const ORDER: usize = 6;
const BETA: f64 = 2.0;

/// chrF as sacrebleu defines it (`CHRF(char_order=6, word_order=0, beta=2)`, whitespace
/// removed, no smoothing): precision and recall averaged over the n-gram orders both texts
/// have, combined into an F-score weighting recall `beta` times as much. 0 to 100.
pub fn chrf(hypothesis: &str, reference: &str) -> f64 {
    let hyp: Vec<char> = hypothesis.chars().filter(|c| !c.is_whitespace()).collect();
    let reference: Vec<char> = reference.chars().filter(|c| !c.is_whitespace()).collect();
    let factor = BETA * BETA;
    let (mut avg_prec, mut avg_rec, mut effective) = (0.0, 0.0, 0usize);
    for n in 1..=ORDER {
        let h = ngrams(&hyp, n);
        let r = ngrams(&reference, n);
        let n_hyp: usize = h.values().sum();
        let n_ref: usize = r.values().sum();
        let matched: usize = h
            .iter()
            .map(|(g, &c)| c.min(r.get(g).copied().unwrap_or(0)))
            .sum();
        if n_hyp > 0 && n_ref > 0 {
            avg_prec += matched as f64 / n_hyp as f64;
            avg_rec += matched as f64 / n_ref as f64;
            effective += 1;
        }
    }
    if effective == 0 {
        return 0.0;
    }
    avg_prec /= effective as f64;
    avg_rec /= effective as f64;
    if avg_prec + avg_rec == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)
}

fn ngrams(chars: &[char], n: usize) -> HashMap<&[char], usize> {
    let mut m = HashMap::new();
    if chars.len() >= n {
        for w in chars.windows(n) {
            *m.entry(w).or_insert(0) += 1;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_100_disjoint_is_0() {
        assert!((chrf("the lamp", "the lamp") - 100.0).abs() < 1e-9);
        assert_eq!(chrf("abc", "xyz"), 0.0);
        assert_eq!(chrf("", "abc"), 0.0);
    }

    #[test]
    fn hand_computed() {
        // hyp "ab", ref "a bc" (spaces removed: "abc").
        // n=1: 2 hyp, 3 ref, 2 match → P 1, R 2/3. n=2: 1 hyp ("ab"), 2 ref, 1 match → P 1, R 1/2.
        // n=3..6: no hyp grams, so those orders do not count. Orders with both: 2.
        // avgP = 1, avgR ≈ (2/3 + 1/2) / 2 = 7/12; F2 = 5·1·(7/12) / (4 + 7/12) = 35/55 = 7/11.
        assert!(
            (chrf("ab", "a bc") - 700.0 / 11.0).abs() < 1e-9,
            "{}",
            chrf("ab", "a bc")
        );
    }
}
