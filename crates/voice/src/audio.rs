//! Engine-independent audio work: resampling to the show's 48 kHz, finding where speech
//! starts and ends, loudness envelopes, and WAV files.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rubato::{FftFixedIn, Resampler};

use crate::error::VoiceError;

/// Input frames per resampler chunk: long enough for an efficient FFT, short enough that the
/// zero padding after the last chunk costs little.
const CHUNK: usize = 1024;

thread_local! {
    /// Resamplers by (from, to) rate: building one plans FFTs and filters, so each thread
    /// (each room's voice worker) keeps its own and resets it per utterance.
    static RESAMPLERS: RefCell<HashMap<(u32, u32), FftFixedIn<f32>>> = RefCell::new(HashMap::new());
}

/// Resamples mono audio from `from` Hz to `to` Hz with a band-limited FFT resampler. The
/// output is aligned with the input (the resampler's delay is removed) and has
/// `len * to / from` samples, rounded.
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, VoiceError> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let err = |reason: String| VoiceError::Resample { from, to, reason };
    RESAMPLERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let r = match cache.entry((from, to)) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let r = e.into_mut();
                r.reset();
                r
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(FftFixedIn::new(from as usize, to as usize, CHUNK, 2, 1).map_err(|e| err(e.to_string()))?)
            }
        };
        let expected = ((input.len() as u64 * u64::from(to) + u64::from(from) / 2) / u64::from(from)) as usize;
        let delay = r.output_delay();
        let mut out = Vec::with_capacity(expected + delay + 2 * r.output_frames_max());
        let mut buf = r.output_buffer_allocate(true);
        let mut pos = 0;
        while input.len() - pos >= r.input_frames_next() {
            let n = r.input_frames_next();
            let (_, written) = r.process_into_buffer(&[&input[pos..pos + n]], &mut buf, None).map_err(|e| err(e.to_string()))?;
            out.extend_from_slice(&buf[0][..written]);
            pos += n;
        }
        // An input that ends exactly on a chunk leaves no tail: rubato refuses an empty
        // partial chunk ("insufficient buffer size 0"), so flush with None instead.
        let mut rest: Option<&[f32]> = Some(&input[pos..]).filter(|t| !t.is_empty());
        while out.len() < expected + delay {
            let (_, written) = match rest.take() {
                Some(tail) => r.process_partial_into_buffer(Some(&[tail]), &mut buf, None),
                None => r.process_partial_into_buffer(None::<&[&[f32]]>, &mut buf, None),
            }
            .map_err(|e| err(e.to_string()))?;
            out.extend_from_slice(&buf[0][..written]);
        }
        out.drain(..delay);
        out.truncate(expected);
        Ok(out)
    })
}

/// Root-mean-square loudness of consecutive windows of `hop` seconds.
pub fn envelope(samples: &[f32], sample_rate: u32, hop: f32) -> Vec<f32> {
    let n = ((sample_rate as f32 * hop).round() as usize).max(1);
    samples.chunks(n).map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt()).collect()
}

/// The samples that hold speech: from the first to the last 5 ms window louder than 2 % of
/// the loudest window (−34 dB), with 5 ms of margin. `None` for silence.
pub fn speech_bounds(samples: &[f32], sample_rate: u32) -> Option<Range<usize>> {
    let hop = ((sample_rate as f32 * 0.005).round() as usize).max(1);
    let env = envelope(samples, sample_rate, 0.005);
    let peak = env.iter().copied().fold(0.0f32, f32::max);
    let threshold = (peak * 0.02).max(1e-3);
    let first = env.iter().position(|e| *e > threshold)?;
    let last = env.iter().rposition(|e| *e > threshold)?;
    let start = (first * hop).saturating_sub(hop);
    let end = ((last + 2) * hop).min(samples.len());
    Some(start..end)
}

/// Writes mono samples as a 16-bit PCM WAV file.
pub fn write_wav(path: &Path, samples: &[f32], sample_rate: u32) -> Result<(), VoiceError> {
    let io = |e: hound::Error| VoiceError::Io { path: path.to_path_buf(), reason: e.to_string() };
    let spec = hound::WavSpec { channels: 1, sample_rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).map_err(io)?;
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).map_err(io)?;
    }
    w.finalize().map_err(io)
}

/// Reads a WAV file as mono samples (channels averaged) and its sample rate.
pub fn read_wav(path: &Path) -> Result<(Vec<f32>, u32), VoiceError> {
    let io = |e: hound::Error| VoiceError::Io { path: path.to_path_buf(), reason: e.to_string() };
    let mut r = hound::WavReader::open(path).map_err(io)?;
    let spec = r.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().collect::<Result<_, _>>().map_err(io)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.map(|v| v as f32 * scale)).collect::<Result<_, _>>().map_err(io)?
        }
    };
    let ch = usize::from(spec.channels.max(1));
    Ok((interleaved.chunks(ch).map(|c| c.iter().sum::<f32>() / ch as f32).collect(), spec.sample_rate))
}

#[cfg(test)]
mod tests {
    #[test]
    fn input_of_whole_chunks_resamples() {
        // 1024 · 3 samples: the input ends exactly on a chunk boundary.
        let input: Vec<f32> = (0..super::CHUNK * 3).map(|i| (i as f32 * 0.01).sin()).collect();
        let out = super::resample(&input, 22050, 48000).unwrap();
        assert_eq!(out.len(), (input.len() * 48000 + 11025) / 22050);
    }

    use super::*;

    fn tone(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        (0..(rate as f32 * seconds) as usize).map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5).collect()
    }

    #[test]
    fn resampling_keeps_length_pitch_and_alignment() {
        let input = tone(440.0, 22_050, 1.3);
        let out = resample(&input, 22_050, 48_000).unwrap();
        assert_eq!(out.len(), (input.len() as f64 * 48_000.0 / 22_050.0).round() as usize);
        // Same frequency: compare zero crossings per second.
        let crossings = |s: &[f32]| s.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        let (a, b) = (crossings(&input[2205..26460]), crossings(&out[4800..57600]));
        assert!((a as i64 - b as i64).abs() <= 1, "{a} vs {b}");
        // Aligned: a click at 0.5 s stays at 0.5 s.
        let mut click = vec![0.0f32; 22_050];
        click[11_025] = 1.0;
        let out = resample(&click, 22_050, 48_000).unwrap();
        let peak = out.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        assert!((peak as i64 - 24_000).abs() <= 2, "click at {peak}");
        // The cached resampler carries no state over.
        let again = resample(&click, 22_050, 48_000).unwrap();
        assert_eq!(out, again);
    }

    #[test]
    fn bounds_skip_silence() {
        let rate = 48_000;
        let mut s = vec![0.0f32; 24_000];
        s.extend(tone(200.0, rate, 0.5));
        s.extend(vec![0.0f32; 12_000]);
        let b = speech_bounds(&s, rate).unwrap();
        assert!((b.start as i64 - 24_000).abs() <= 480, "{b:?}");
        assert!((b.end as i64 - 48_000).abs() <= 480, "{b:?}");
        assert_eq!(speech_bounds(&[0.0; 4800], rate), None);
    }

    #[test]
    fn wav_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        let s = tone(300.0, 48_000, 0.1);
        write_wav(&path, &s, 48_000).unwrap();
        let (back, rate) = read_wav(&path).unwrap();
        assert_eq!(rate, 48_000);
        assert_eq!(back.len(), s.len());
        assert!(back.iter().zip(&s).all(|(a, b)| (a - b).abs() < 1e-3));
    }
}
