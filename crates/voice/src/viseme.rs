//! Mouth shapes from speech: from phonemes (IPA, any language) when the voice reports them,
//! from the audio itself when it does not.

use show::media::VisemeKey;
use show::{Viseme, VisemeTrack};

/// The viseme of a phoneme given by its IPA name (as espeak-ng reports it with
/// `espeakINITIALIZE_PHONEME_IPA`), grouped by articulation: bilabials close the lips,
/// labiodentals put lip to teeth, dentals and laterals show the tongue, alveolars the teeth,
/// postalveolars and retroflexes push the lips forward, velars, uvulars, glottals, rhotics and
/// palatals leave the mouth half open; vowels by height, frontness and rounding.
///
/// Returns `Rest` for a pause (an empty name, or espeak's `_`, `_:`) and `None` for what is
/// not a sound of its own (language-switch markers such as `(en)`, a lone palatalization
/// mark `ʲ`). Some espeak phonemes have no IPA name and come with their ASCII mnemonic
/// (Mandarin `ts.`, `i.`); those are read too. A symbol outside every class is read as
/// `Back`, a neutral half-open mouth.
pub fn viseme_for_phoneme(name: &str) -> Option<Viseme> {
    match classify(name) {
        Class::Pause => Some(Viseme::Rest),
        Class::NotASound => None,
        Class::Known(v) => Some(v),
        Class::Unknown => {
            tracing::debug!(target: "voice", phoneme = name, "phoneme without a viseme class");
            Some(Viseme::Back)
        }
    }
}

/// Whether [`viseme_for_phoneme`] has a class for this phoneme rather than its fallback.
pub fn phoneme_is_known(name: &str) -> bool {
    !matches!(classify(name), Class::Unknown)
}

enum Class {
    Pause,
    NotASound,
    Known(Viseme),
    Unknown,
}

fn classify(name: &str) -> Class {
    if name.starts_with('(') {
        return Class::NotASound;
    }
    if name.chars().all(|c| matches!(c, '_' | ':' | '|' | '!' | ' ')) {
        return Class::Pause;
    }
    // Drop stress and length marks, modifier letters and combining diacritics: "ˈaː" → "a",
    // "ɔ̃" → "ɔ", "tʰ" → "t".
    let core: String = name
        .chars()
        .filter(|c| !matches!(c, '\'' | ',' | ':' | '-' | '_' | '|' | '!' | '#' | '=' | '^'))
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c) && !('\u{02B0}'..='\u{02FF}').contains(c))
        .collect();
    let mut chars = core.chars();
    let Some(first) = chars.next() else { return Class::NotASound };
    let second = chars.next();
    // Affricates and retroflexes first: "tʃ", "dʒ", "tɕ", "ts." (Mandarin zh), "s.".
    if core.contains('.') && matches!(first, 't' | 'd' | 's' | 'z') {
        return Class::Known(Viseme::Sh);
    }
    if matches!(first, 't' | 'd') && matches!(second, Some('ʃ' | 'ʒ' | 'ɕ' | 'ʑ' | 'ʂ' | 'ʐ' | 'S' | 'Z')) {
        return Class::Known(Viseme::Sh);
    }
    Class::Known(match first {
        // Bilabials.
        'p' | 'b' | 'm' | 'ɓ' | 'β' | 'ɸ' | 'ʙ' | 'B' => Viseme::Closed,
        // Labiodentals.
        'f' | 'v' | 'ɱ' | 'ʋ' => Viseme::LipTeeth,
        // Dentals and laterals.
        'θ' | 'ð' | 'l' | 'ɫ' | 'ɬ' | 'ɮ' | 'ɭ' | 'ʎ' | 'ʟ' | 'T' | 'D' | 'L' => Viseme::Tongue,
        // Alveolars.
        't' | 'd' | 'n' | 's' | 'z' | 'ʦ' | 'ʣ' | 'ɗ' => Viseme::Teeth,
        // Postalveolars, alveolo-palatals and retroflexes.
        'ʃ' | 'ʒ' | 'ɕ' | 'ʑ' | 'ʂ' | 'ʐ' | 'ʧ' | 'ʤ' | 'ʈ' | 'ɖ' | 'ɳ' | 'S' | 'Z' => Viseme::Sh,
        // Velars, uvulars, pharyngeals, glottals, rhotics and palatals.
        'k' | 'g' | 'ɡ' | 'ŋ' | 'x' | 'ɣ' | 'χ' | 'ʁ' | 'ʀ' | 'q' | 'ɢ' | 'ħ' | 'ʕ' | 'h' | 'ɦ' | 'ʔ' | 'r' | 'ɹ'
        | 'ɾ' | 'ɽ' | 'ɻ' | 'j' | 'ɲ' | 'ç' | 'ʝ' | 'c' | 'ɟ' | 'ɰ' | 'N' | 'R' | 'Q' | 'X' | 'C' | 'J' | '?' => {
            Viseme::Back
        }
        // Lip rounding with a narrow opening.
        'w' | 'ʍ' | 'ɥ' | 'u' | 'ʊ' | 'y' | 'ʏ' | 'U' | 'H' => Viseme::Pucker,
        // Rounded mid vowels.
        'o' | 'ɔ' | 'ɒ' | 'ø' | 'œ' | 'ɵ' | 'ɞ' | 'O' | '0' | '9' | 'W' | 'Y' | '8' => Viseme::Round,
        // Open vowels.
        'a' | 'ɑ' | 'ɐ' | 'æ' | 'ʌ' | 'ɶ' | 'ä' | 'A' | 'V' | '&' | '6' => Viseme::Open,
        // Front (spread) vowels.
        'i' | 'ɪ' | 'e' | 'ɛ' | 'ɨ' | 'ɘ' | 'I' | 'E' | '1' => Viseme::Wide,
        // Central vowels (schwa, "bird") and the unrounded back vowel: a relaxed half-open mouth.
        'ə' | 'ɚ' | 'ɜ' | 'ɝ' | 'ɤ' | 'ɯ' | '@' | '3' => Viseme::Back,
        _ => return Class::Unknown,
    })
}

/// Whether a phoneme (IPA) is a stop or affricate: its lips or tongue close before the
/// burst, in silence.
fn is_stop(name: &str) -> bool {
    let core = name.trim_start_matches(['ˈ', 'ˌ']);
    core.starts_with(['p', 'b', 't', 'd', 'k', 'g', 'ɡ', 'q', 'ɢ', 'c', 'ɟ', 'ʈ', 'ɖ', 'ʔ', 'ʧ', 'ʤ'])
}

/// Moves each stop consonant back to where its closure starts in the audio.
///
/// espeak reports a stop at its burst, after the silent closure, which for lip-sync is 30 to
/// 50 ms late: the lips close when the sound stops. For each stop this looks back up to 80 ms
/// (never before the previous phoneme) for the point from which the audio stays quiet until
/// the burst, and starts the phoneme there. `phonemes` are `(seconds, IPA)` in order.
pub fn align_stops(phonemes: &mut [(f32, String)], samples: &[f32], sample_rate: u32) {
    const HOP: f32 = 0.005;
    let env = crate::audio::envelope(samples, sample_rate, HOP);
    let idx = |t: f32| ((t / HOP).max(0.0) as usize).min(env.len());
    for i in 1..phonemes.len() {
        let (t, prev) = (phonemes[i].0, phonemes[i - 1].0);
        if !is_stop(&phonemes[i].1) || t - prev < 0.02 {
            continue;
        }
        let lo = (prev + 0.01).max(t - 0.08);
        let reference = env[idx((t - 0.15).max(prev))..idx(lo).max(idx((t - 0.15).max(prev)))].iter().copied().fold(0.0f32, f32::max);
        let (a, b) = (idx(lo), idx(t));
        if reference <= 1e-3 || a >= b {
            continue;
        }
        // The earliest frame from which everything up to the burst is quiet.
        let mut start = None;
        for k in (a..b).rev() {
            if env[k] < 0.3 * reference {
                start = Some(k);
            } else {
                break;
            }
        }
        if let Some(k) = start {
            let moved = k as f32 * HOP;
            if t - moved > 0.005 {
                phonemes[i].0 = moved;
            }
        }
    }
}

/// Pauses shorter than this keep the mouth moving rather than closing it.
const MIN_REST: f32 = 0.04;

/// A viseme track from timed phonemes (`(seconds, IPA name)`, in order) for audio of
/// `duration` seconds: keys start with their phoneme, repeated shapes merge, short pauses are
/// dropped, the first key sits at 0 and a `Rest` closes the track at the end of the audio.
pub fn track_from_phonemes<'a>(phonemes: impl IntoIterator<Item = (f32, &'a str)>, duration: f32) -> VisemeTrack {
    let mut keys: Vec<VisemeKey> = Vec::new();
    for (at, name) in phonemes {
        let Some(viseme) = viseme_for_phoneme(name) else { continue };
        let at = at.clamp(0.0, duration);
        // A later phoneme at the same time replaces an earlier one (zero-length boundaries).
        while keys.last().is_some_and(|k| k.at >= at - 1e-4) {
            keys.pop();
        }
        keys.push(VisemeKey { at, viseme });
    }
    let mut out: Vec<VisemeKey> = Vec::with_capacity(keys.len() + 2);
    for (i, k) in keys.iter().enumerate() {
        let next = keys.get(i + 1).map_or(duration, |n| n.at);
        if k.viseme == Viseme::Rest && next - k.at < MIN_REST && i + 1 < keys.len() {
            continue;
        }
        if out.last().is_some_and(|p| p.viseme == k.viseme) {
            continue;
        }
        out.push(*k);
    }
    match out.first_mut() {
        Some(first) if first.at < 0.05 => first.at = 0.0,
        Some(first) => {
            let v = first.viseme;
            out.insert(0, VisemeKey { at: 0.0, viseme: if v == Viseme::Rest { v } else { Viseme::Closed } });
        }
        None => out.push(VisemeKey { at: 0.0, viseme: Viseme::Rest }),
    }
    if out.last().is_some_and(|k| k.viseme != Viseme::Rest) {
        out.push(VisemeKey { at: duration, viseme: Viseme::Rest });
    }
    VisemeTrack { keys: out }
}

/// Analysis frame hop and window for [`visemes_from_audio`].
const HOP: f32 = 0.010;
const WINDOW: f32 = 0.025;

/// A two-pole band-pass filter (RBJ cookbook, constant 0 dB peak gain).
struct BandPass {
    b0: f32,
    a1: f32,
    a2: f32,
    x: [f32; 2],
    y: [f32; 2],
}

impl BandPass {
    fn new(centre: f32, q: f32, sample_rate: u32) -> BandPass {
        let w = 2.0 * std::f32::consts::PI * centre / sample_rate as f32;
        let alpha = w.sin() / (2.0 * q);
        let a0 = 1.0 + alpha;
        BandPass { b0: alpha / a0, a1: -2.0 * w.cos() / a0, a2: (1.0 - alpha) / a0, x: [0.0; 2], y: [0.0; 2] }
    }

    fn run(&mut self, x: f32) -> f32 {
        let y = self.b0 * (x - self.x[1]) - self.a1 * self.y[0] - self.a2 * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

/// A viseme track estimated from audio alone, for voices that report no phoneme timing.
///
/// Per 10 ms frame (25 ms window) it measures loudness, brightness (energy of the first
/// difference over energy: high for hiss) and where the low formant lies: the energy around
/// 900 Hz against that around 300 Hz, high for open vowels (a) and low for close ones (i, u),
/// since the first formant rises as the jaw opens. Silence is `Rest` (or `Closed` for a gap
/// under 80 ms, a stop's closure); hiss is `Teeth`; voiced frames get an openness from
/// loudness and formant balance: `Open`, then `Wide` or `Round` by brightness, `Back`, and
/// `Closed` for murmurs such as m and b. Thresholds were fitted on espeak speech in four
/// languages against the phoneme-based track (mouth-opening correlation about 0.7 on
/// sentences they were not fitted on).
pub fn visemes_from_audio(samples: &[f32], sample_rate: u32) -> VisemeTrack {
    visemes_from_audio_weighted(samples, sample_rate, 0.5)
}

/// [`visemes_from_audio`] with the weight of loudness against the formant balance in how wide
/// the mouth opens (0.5 each there). Neural voices' spectra differ from espeak's, on which
/// the formant thresholds were fitted, so for them the jaw follows loudness more.
pub fn visemes_from_audio_weighted(samples: &[f32], sample_rate: u32, loud_weight: f32) -> VisemeTrack {
    let duration = samples.len() as f32 / sample_rate.max(1) as f32;
    let hop = ((sample_rate as f32 * HOP).round() as usize).max(1);
    let win = ((sample_rate as f32 * WINDOW).round() as usize).max(hop);
    if samples.len() < win {
        return VisemeTrack { keys: vec![VisemeKey { at: 0.0, viseme: Viseme::Rest }] };
    }
    let (mut low, mut high) = (BandPass::new(300.0, 1.0, sample_rate), BandPass::new(900.0, 1.0, sample_rate));
    let low: Vec<f32> = samples.iter().map(|s| low.run(*s)).collect();
    let high: Vec<f32> = samples.iter().map(|s| high.run(*s)).collect();
    let energy = |x: &[f32]| x.iter().map(|s| s * s).sum::<f32>() / x.len() as f32;
    let frames = (samples.len() - win) / hop + 1;
    let mut level = Vec::with_capacity(frames);
    let mut bright = Vec::with_capacity(frames);
    let mut formant = Vec::with_capacity(frames);
    for f in 0..frames {
        let at = f * hop..f * hop + win;
        let w = &samples[at.clone()];
        let e = energy(w);
        let d: f32 = w.windows(2).map(|p| (p[1] - p[0]).powi(2)).sum::<f32>() / win as f32;
        level.push(10.0 * (e + 1e-10).log10());
        bright.push(d / (e + 1e-10));
        formant.push(10.0 * ((energy(&high[at.clone()]) + 1e-10) / (energy(&low[at]) + 1e-10)).log10());
    }
    // Loudness relative to the loud parts of this utterance (95th percentile).
    let mut sorted = level.clone();
    sorted.sort_by(f32::total_cmp);
    let top = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
    // Brightness of a pure tone at frequency f is about (2π f / rate)²; 0.35 is ~2 kHz at
    // 22 kHz, scaled with the rate so the same sound classifies alike at 48 kHz.
    let hiss = 0.35 * (22_050.0f32 / sample_rate as f32).powi(2);
    let raw: Vec<Viseme> = (0..frames)
        .map(|f| {
            let rel = level[f] - top;
            if rel < -35.0 {
                return Viseme::Rest;
            }
            if bright[f] > hiss && rel < -6.0 {
                return Viseme::Teeth;
            }
            let loud = ((rel + 28.0) / 24.0).clamp(0.0, 1.0);
            let jaw = ((formant[f] + 6.0) / 10.0).clamp(0.0, 1.0);
            match loud_weight * loud + (1.0 - loud_weight) * jaw {
                o if o > 0.8 => Viseme::Open,
                o if o > 0.55 && bright[f] > 0.25 * hiss => Viseme::Wide,
                o if o > 0.55 => Viseme::Round,
                o if o > 0.4 => Viseme::Back,
                _ => Viseme::Closed,
            }
        })
        .collect();
    // A frame unlike both neighbours takes its left neighbour's class (no one-frame flicker).
    let mut smooth = raw.clone();
    for f in 1..frames.saturating_sub(1) {
        if raw[f] != raw[f - 1] && raw[f] != raw[f + 1] {
            smooth[f] = raw[f - 1];
        }
    }
    // Runs, then short rests become closures (a stop inside a word, not a pause).
    let mut runs: Vec<(usize, usize, Viseme)> = Vec::new();
    for (f, v) in smooth.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if r.2 == *v => r.1 = f + 1,
            _ => runs.push((f, f + 1, *v)),
        }
    }
    let min_rest = (0.08 / HOP) as usize;
    let last = runs.len().saturating_sub(1);
    for (i, r) in runs.iter_mut().enumerate() {
        if r.2 == Viseme::Rest && r.1 - r.0 < min_rest && i > 0 && i < last {
            r.2 = Viseme::Closed;
        }
    }
    // Keys at the centre of each run's first frame, in seconds.
    let offset = (win as f32 / 2.0 - hop as f32 / 2.0) / sample_rate as f32;
    let mut keys: Vec<VisemeKey> = Vec::new();
    for (first, _, viseme) in runs {
        if keys.last().is_some_and(|k| k.viseme == viseme) {
            continue;
        }
        let at = if first == 0 { 0.0 } else { first as f32 * HOP + offset };
        keys.push(VisemeKey { at, viseme });
    }
    if keys.last().is_some_and(|k| k.viseme != Viseme::Rest) {
        keys.push(VisemeKey { at: duration, viseme: Viseme::Rest });
    }
    VisemeTrack { keys }
}

/// Pearson correlation of two tracks' mouth opening, sampled every `step` seconds over
/// `duration` with the renderer's blending (`blend` seconds). 1 is a perfect match.
pub fn openness_correlation(a: &VisemeTrack, b: &VisemeTrack, duration: f32, step: f32, blend: f32) -> f32 {
    let n = (duration / step.max(1e-3)) as usize;
    let xs: Vec<f32> = (0..n).map(|i| a.shape_at(i as f32 * step, blend).open).collect();
    let ys: Vec<f32> = (0..n).map(|i| b.shape_at(i as f32 * step, blend).open).collect();
    pearson(&xs, &ys)
}

/// Pearson correlation coefficient; 0 when either side is constant.
pub fn pearson(xs: &[f32], ys: &[f32]) -> f32 {
    let n = xs.len().min(ys.len());
    if n < 2 {
        return 0.0;
    }
    let (mx, my) = (xs[..n].iter().sum::<f32>() / n as f32, ys[..n].iter().sum::<f32>() / n as f32);
    let (mut sxy, mut sxx, mut syy) = (0.0f32, 0.0f32, 0.0f32);
    for i in 0..n {
        let (dx, dy) = (xs[i] - mx, ys[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipa_classes() {
        let cases = [
            ("p", Viseme::Closed), ("m", Viseme::Closed), ("β", Viseme::Closed), ("f", Viseme::LipTeeth),
            ("v", Viseme::LipTeeth), ("θ", Viseme::Tongue), ("ð", Viseme::Tongue), ("l", Viseme::Tongue),
            ("ʎ", Viseme::Tongue), ("t", Viseme::Teeth), ("n", Viseme::Teeth), ("s", Viseme::Teeth),
            ("ts", Viseme::Teeth), ("ʃ", Viseme::Sh), ("tʃ", Viseme::Sh), ("dʒ", Viseme::Sh), ("tɕ", Viseme::Sh),
            ("ts.", Viseme::Sh), ("s.", Viseme::Sh), ("k", Viseme::Back), ("ŋ", Viseme::Back), ("h", Viseme::Back),
            ("ɹ", Viseme::Back), ("ʁ", Viseme::Back), ("j", Viseme::Back), ("ɲ", Viseme::Back), ("ç", Viseme::Back),
            ("a", Viseme::Open), ("ɑː", Viseme::Open), ("æ", Viseme::Open), ("aɪ", Viseme::Open), ("ɑ̃", Viseme::Open),
            ("i", Viseme::Wide), ("ɪ", Viseme::Wide), ("eɪ", Viseme::Wide), ("ɛ̃", Viseme::Wide), ("i.", Viseme::Wide),
            ("o", Viseme::Round), ("ɔ", Viseme::Round), ("oʊ", Viseme::Round), ("œ", Viseme::Round), ("ɔ̃", Viseme::Round),
            ("u", Viseme::Pucker), ("uː", Viseme::Pucker), ("w", Viseme::Pucker), ("y", Viseme::Pucker),
            ("ə", Viseme::Back), ("", Viseme::Rest),
        ];
        for (ipa, want) in cases {
            assert_eq!(viseme_for_phoneme(ipa), Some(want), "{ipa:?}");
            assert!(phoneme_is_known(ipa), "{ipa:?}");
        }
        assert_eq!(viseme_for_phoneme("(en)"), None);
        assert_eq!(viseme_for_phoneme("ʲ"), None);
        assert_eq!(viseme_for_phoneme("_:"), Some(Viseme::Rest));
        assert_eq!(viseme_for_phoneme("tʰ"), Some(Viseme::Teeth));
        assert!(!phoneme_is_known("ʘ"));
        assert_eq!(viseme_for_phoneme("ʘ"), Some(Viseme::Back));
    }

    #[test]
    fn track_building() {
        let ph = [(0.0, ""), (0.01, "m"), (0.1, "a"), (0.2, "m"), (0.25, "a"), (0.4, ""), (0.41, "p"), (0.5, "ɑː"), (0.7, "")];
        let t = track_from_phonemes(ph, 0.8);
        let got: Vec<(f32, Viseme)> = t.keys.iter().map(|k| (k.at, k.viseme)).collect();
        assert_eq!(got, vec![
            (0.0, Viseme::Closed), (0.1, Viseme::Open), (0.2, Viseme::Closed), (0.25, Viseme::Open),
            (0.41, Viseme::Closed), (0.5, Viseme::Open), (0.7, Viseme::Rest),
        ]);
    }

    #[test]
    fn correlation() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-6);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-6);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }
}
