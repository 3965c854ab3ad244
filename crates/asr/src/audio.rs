//! The audio front end: WAV files, resampling to Whisper's 16 kHz, and the mel filterbank.

use std::path::Path;

use rubato::{FftFixedIn, Resampler};

use crate::error::AsrError;

/// The sample rate Whisper listens at.
pub const MEL_SAMPLE_RATE: u32 = 16_000;

/// Reads a WAV file (8/16/24/32-bit integer or 32-bit float, any channel count) as mono
/// samples in [-1, 1] (channels averaged) and its sample rate.
pub fn read_wav(path: &Path) -> Result<(Vec<f32>, u32), AsrError> {
    let bad = |e: hound::Error| AsrError::Audio(format!("{}: {e}", path.display()));
    let mut reader = hound::WavReader::open(path).map_err(bad)?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>().map_err(bad)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader.samples::<i32>().map(|s| s.map(|s| s as f32 * scale)).collect::<Result<_, _>>().map_err(bad)?
        }
    };
    let channels = spec.channels.max(1) as usize;
    let mono = if channels == 1 {
        interleaved
    } else {
        interleaved.chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() / channels as f32).collect()
    };
    Ok((mono, spec.sample_rate))
}

/// Resamples mono audio from `from` Hz to `to` Hz with rubato's band-limited FFT resampler.
/// The output has `len · to / from` samples (rounded) and is aligned with the input (the
/// resampler's delay is taken off).
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, AsrError> {
    if from == 0 || to == 0 {
        return Err(AsrError::Audio(format!("cannot resample from {from} Hz to {to} Hz")));
    }
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let fail = |e: &dyn std::fmt::Display| AsrError::Audio(format!("resampling {from} Hz to {to} Hz: {e}"));
    let mut r = FftFixedIn::<f32>::new(from as usize, to as usize, 1024, 2, 1).map_err(|e| fail(&e))?;
    let wanted = (input.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    let delay = r.output_delay();
    let mut out: Vec<f32> = Vec::with_capacity(wanted + delay + r.output_frames_max());
    let mut buf = r.output_buffer_allocate(true);
    let mut rest = input;
    // Whole chunks, then the partial tail, then silence until the delayed end has come out.
    while rest.len() >= r.input_frames_next() {
        let (chunk, tail) = rest.split_at(r.input_frames_next());
        let (_, n) = r.process_into_buffer(&[chunk], &mut buf, None).map_err(|e| fail(&e))?;
        out.extend_from_slice(&buf[0][..n]);
        rest = tail;
    }
    if !rest.is_empty() {
        let (_, n) = r.process_partial_into_buffer(Some(&[rest]), &mut buf, None).map_err(|e| fail(&e))?;
        out.extend_from_slice(&buf[0][..n]);
    }
    while out.len() < wanted + delay {
        let (_, n) = r.process_partial_into_buffer(None::<&[&[f32]]>, &mut buf, None).map_err(|e| fail(&e))?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[0][..n]);
    }
    out.drain(..delay.min(out.len()));
    out.resize(wanted, 0.0);
    Ok(out)
}

/// Hz → mel on the Slaney scale (librosa's default, `htk=False`): linear below 1 kHz
/// (200/3 Hz per mel), logarithmic above.
fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= MIN_LOG_HZ { min_log_mel + (hz / MIN_LOG_HZ).ln() / logstep } else { hz / F_SP }
}

fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel { MIN_LOG_HZ * (logstep * (mel - min_log_mel)).exp() } else { mel * F_SP }
}

/// The mel filterbank in f64: `n_mels` rows of `n_fft / 2 + 1` weights, row-major.
pub(crate) fn mel_filters_f64(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f64> {
    let n_bins = n_fft / 2 + 1;
    let sr = sample_rate as f64;
    let fft_hz: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr / n_fft as f64).collect();
    // n_mels + 2 edges evenly spaced in mel from 0 Hz to Nyquist.
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let edges: Vec<f64> = (0..n_mels + 2).map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64)).collect();
    let mut w = vec![0.0; n_mels * n_bins];
    for m in 0..n_mels {
        let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2]);
        // Slaney normalisation: every triangle has unit area (in Hz).
        let norm = 2.0 / (right - left);
        for (k, &f) in fft_hz.iter().enumerate() {
            let rising = (f - left) / (centre - left);
            let falling = (right - f) / (right - centre);
            w[m * n_bins + k] = rising.min(falling).max(0.0) * norm;
        }
    }
    w
}

/// The Slaney-normalised mel filterbank that Whisper's log-mel spectrogram uses: what
/// `librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels)` returns with its
/// defaults (`fmin=0`, `fmax=sr/2`, `htk=False`, `norm="slaney"`), computed in f64 and
/// rounded to f32 like librosa. `n_mels` rows of `n_fft / 2 + 1` weights, row-major — the
/// layout `candle_transformers::models::whisper::audio::pcm_to_mel` takes.
pub fn mel_filters(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    mel_filters_f64(sample_rate, n_fft, n_mels).into_iter().map(|v| v as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BINS: usize = 201;

    #[test]
    fn slaney_scale_round_trips() {
        for hz in [0.0, 100.0, 999.0, 1000.0, 1001.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn filterbank_shape_and_triangles() {
        let w = mel_filters(16_000, 400, 80);
        assert_eq!(w.len(), 80 * BINS);
        assert!(w.iter().all(|v| v.is_finite() && *v >= 0.0));
        let mut last_peak = 0;
        for m in 0..80 {
            let row = &w[m * BINS..(m + 1) * BINS];
            let peak = (0..BINS).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
            assert!(row[peak] > 0.0, "filter {m} is empty");
            assert!(peak >= last_peak, "filter peaks rise with the filter index");
            last_peak = peak;
            // Each row is one triangle: non-zero on one contiguous run of bins.
            let first = row.iter().position(|v| *v > 0.0).unwrap();
            let last = row.iter().rposition(|v| *v > 0.0).unwrap();
            assert!(row[first..=last].iter().all(|v| *v > 0.0), "filter {m} has a gap");
            // Unit area in Hz: the bin weights times the 40 Hz bin width sum to about 1.
            let area = row.iter().sum::<f32>() * 40.0;
            assert!((area - 1.0).abs() < 0.1, "filter {m}: area {area}");
        }
        // Nothing reaches the Nyquist bin, and the top filter peaks near the top.
        assert_eq!((0..80).map(|m| w[m * BINS + 200]).sum::<f32>(), 0.0);
        assert_eq!(last_peak, 192);
    }

    /// Values from librosa's algorithm (`librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`),
    /// computed with numpy in float64.
    #[test]
    fn filterbank_matches_librosa() {
        let w = mel_filters_f64(16_000, 400, 80);
        let f32s = mel_filters(16_000, 400, 80);
        let known = [
            (0, 1, 0.024862593984176087),
            (1, 2, 0.022871772096078016),
            (5, 6, 0.01490848454368575),
            (40, 43, 0.01473556574143909),
            (60, 95, 0.0027289303557943797),
            (79, 190, 0.0022320550527126157),
            (79, 192, 0.003164711739176461),
            (20, 22, 0.0),
            (79, 170, 0.0),
        ];
        for (m, k, v) in known {
            assert!((w[m * BINS + k] - v).abs() < 1e-12, "[{m},{k}] = {} vs librosa {v}", w[m * BINS + k]);
            assert!((f32s[m * BINS + k] as f64 - v).abs() < 1e-6);
        }
        let max = f32s.iter().copied().fold(0.0f32, f32::max);
        assert!((max - 0.025_880_685).abs() < 1e-6, "{max}");
        assert_eq!(f32s.iter().filter(|v| **v > 0.0).count(), 391);
    }

    #[test]
    fn resampling_keeps_length_and_pitch() {
        let from = 48_000;
        let tone: Vec<f32> = (0..from as usize).map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / from as f32).sin() * 0.5).collect();
        let out = resample(&tone, from, 16_000).unwrap();
        assert_eq!(out.len(), 16_000);
        // The ideal 440 Hz sine, delayed by `d` output samples, away from the edges.
        let err = |d: f32| {
            (1000..15_000)
                .map(|i| (out[i] - (2.0 * std::f32::consts::PI * 440.0 * (i as f32 - d) / 16_000.0).sin() * 0.5).abs())
                .fold(0.0f32, f32::max)
        };
        // Aligned to within half an output sample, and clean once aligned.
        let best = (-5..=5).map(|d| err(d as f32 / 10.0)).fold(f32::INFINITY, f32::min);
        assert!(best < 0.01, "max error {best}");
        assert_eq!(resample(&tone[..1000], 24_000, 16_000).unwrap().len(), 667);
        assert!(resample(&tone, 0, 16_000).is_err());
    }
}
