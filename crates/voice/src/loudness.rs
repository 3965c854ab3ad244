//! Programme loudness (EBU R 128 / ITU-R BS.1770): every utterance, whatever voice said it,
//! is brought to one integrated loudness (−16 LUFS by default, the level streaming platforms
//! play speech at) with its true peak held under a ceiling (−1 dBTP) by a look-ahead limiter,
//! so a change of voice or language never jumps in level. The music bed is levelled the same
//! way before its volume applies.

use ebur128::{EbuR128, Mode};

/// The default programme loudness, in LUFS.
pub const DEFAULT_TARGET: f32 = -16.0;
/// The programme's true-peak ceiling, in dBTP.
pub const PROGRAMME_CEILING: f32 = -1.0;
/// Speech stays 0.5 dB under the programme's ceiling: the ducked music bed added under a peak
/// must not push the mix over it.
pub const DEFAULT_CEILING: f32 = PROGRAMME_CEILING - 0.5;
/// Gain limits: a near-silent line is not blown up into noise.
const MAX_GAIN_DB: f32 = 30.0;
const MIN_GAIN_DB: f32 = -30.0;

/// What a level is measured as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    /// Integrated loudness, LUFS (`-inf` for silence or under 400 ms of sound).
    pub integrated: f64,
    /// True peak, dBTP.
    pub true_peak: f64,
}

/// Integrated loudness and true peak of mono audio.
pub fn measure(samples: &[f32], sample_rate: u32) -> Measure {
    let Ok(mut m) = EbuR128::new(1, sample_rate, Mode::I | Mode::TRUE_PEAK) else {
        return Measure { integrated: f64::NEG_INFINITY, true_peak: f64::NEG_INFINITY };
    };
    if m.add_frames_f32(samples).is_err() {
        return Measure { integrated: f64::NEG_INFINITY, true_peak: f64::NEG_INFINITY };
    }
    let integrated = m.loudness_global().unwrap_or(f64::NEG_INFINITY);
    let tp = m.true_peak(0).unwrap_or(0.0);
    Measure { integrated, true_peak: 20.0 * tp.max(1e-12).log10() }
}

/// A loudness target: integrated LUFS and true-peak ceiling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Leveler {
    pub target: f32,
    pub ceiling: f32,
}

impl Default for Leveler {
    fn default() -> Self {
        Leveler { target: DEFAULT_TARGET, ceiling: DEFAULT_CEILING }
    }
}

impl Leveler {
    pub fn new(target: f32) -> Leveler {
        Leveler { target, ..Leveler::default() }
    }

    /// Brings `samples` to the target loudness and under the ceiling. Audio too short to
    /// measure (under 400 ms) is levelled by its RMS instead, as an approximation; silence is
    /// left alone. Returns the gain applied, in dB.
    pub fn apply(&self, samples: &mut [f32], sample_rate: u32) -> f32 {
        let m = measure(samples, sample_rate);
        let loudness = if m.integrated.is_finite() {
            m.integrated as f32
        } else {
            // K-weighting adds roughly +0.7 dB to speech against plain RMS.
            let rms = (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt();
            if rms < 1e-5 {
                return 0.0;
            }
            20.0 * rms.log10() - 0.691 + 0.7
        };
        let mut total = (self.target - loudness).clamp(MIN_GAIN_DB, MAX_GAIN_DB);
        scale(samples, total);
        limit(samples, sample_rate, self.ceiling);
        // Limiting peaky speech lowers its loudness a little: make that up, twice at most.
        for _ in 0..2 {
            let now = measure(samples, sample_rate).integrated;
            if !now.is_finite() || (now as f32 - self.target).abs() < 0.2 || total >= MAX_GAIN_DB {
                break;
            }
            let more = (self.target - now as f32).min(MAX_GAIN_DB - total);
            total += more;
            scale(samples, more);
            limit(samples, sample_rate, self.ceiling);
        }
        total
    }
}

fn scale(samples: &mut [f32], db: f32) {
    let gain = 10f32.powf(db / 20.0);
    for s in samples.iter_mut() {
        *s *= gain;
    }
}

/// A look-ahead peak limiter: the gain falls ahead of any sample that would pass the ceiling
/// (with 0.5 dB of margin for inter-sample peaks) and recovers over 50 ms; then, if the true
/// peak is still above the ceiling, the whole is lowered by the difference.
pub fn limit(samples: &mut [f32], sample_rate: u32, ceiling_db: f32) {
    let ceiling = 10f32.powf((ceiling_db - 0.5) / 20.0);
    if samples.iter().all(|s| s.abs() <= ceiling) {
        return fix_true_peak(samples, sample_rate, ceiling_db);
    }
    let look = ((sample_rate as f32 * 0.002) as usize).max(1);
    let release = 1.0 - (-1.0 / (0.05 * sample_rate as f32)).exp();
    let need: Vec<f32> = samples.iter().map(|s| if s.abs() > ceiling { ceiling / s.abs() } else { 1.0 }).collect();
    // The gain at each sample: the least needed within the look-ahead window on either side.
    let n = need.len();
    let mut window_min = vec![1.0f32; n];
    let mut deque: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    for i in 0..n + look {
        if i < n {
            while deque.back().is_some_and(|&j| need[j] >= need[i]) {
                deque.pop_back();
            }
            deque.push_back(i);
        }
        if i >= look {
            let at = i - look;
            while deque.front().is_some_and(|&j| j + 2 * look < i) {
                deque.pop_front();
            }
            window_min[at] = deque.front().map_or(1.0, |&j| need[j]);
        }
    }
    let mut g = 1.0f32;
    for (s, w) in samples.iter_mut().zip(window_min) {
        g = if w < g { w } else { g + (w - g) * release };
        *s *= g;
    }
    fix_true_peak(samples, sample_rate, ceiling_db);
}

fn fix_true_peak(samples: &mut [f32], sample_rate: u32, ceiling_db: f32) {
    let m = measure(samples, sample_rate);
    if m.true_peak > f64::from(ceiling_db) {
        let g = 10f32.powf((ceiling_db - m.true_peak as f32 - 0.05) / 20.0);
        for s in samples.iter_mut() {
            *s *= g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise_burst(seconds: f32, amp: f32) -> Vec<f32> {
        // Deterministic speech-like signal: amplitude-modulated harmonics.
        let sr = 48_000.0;
        (0..(seconds * sr) as usize)
            .map(|i| {
                let t = i as f32 / sr;
                let env = 0.5 + 0.5 * (t * 2.0 * std::f32::consts::PI * 3.0).sin().abs();
                amp * env * ((t * 2.0 * std::f32::consts::PI * 180.0).sin() + 0.5 * (t * 2.0 * std::f32::consts::PI * 720.0).sin())
            })
            .collect()
    }

    #[test]
    fn quiet_and_loud_speech_end_at_the_target_under_the_ceiling() {
        let l = Leveler::default();
        for amp in [0.02, 0.3, 0.9] {
            let mut s = noise_burst(3.0, amp);
            l.apply(&mut s, 48_000);
            let m = measure(&s, 48_000);
            assert!((m.integrated - -16.0).abs() < 0.6, "amp {amp}: {m:?}");
            assert!(m.true_peak <= f64::from(DEFAULT_CEILING) + 0.01, "amp {amp}: {m:?}");
        }
    }

    #[test]
    fn peaks_are_limited_without_lowering_the_rest() {
        let mut s = noise_burst(2.0, 0.1);
        s[48_000] = 0.99;
        limit(&mut s, 48_000, -1.0);
        assert!(measure(&s, 48_000).true_peak <= -0.99);
        // Far from the spike the signal is untouched.
        let before = noise_burst(2.0, 0.1);
        assert!((s[10_000] - before[10_000]).abs() < 1e-6);
    }

    #[test]
    fn silence_is_left_alone() {
        let mut s = vec![0.0f32; 48_000];
        assert_eq!(Leveler::default().apply(&mut s, 48_000), 0.0);
        assert!(s.iter().all(|x| *x == 0.0));
    }
}
