//! Life without randomness: blinks, breathing, idle sway, glances and gesture timing are pure
//! functions of the media time, so a frame can be re-rendered identically and tests can find
//! every blink.

use show::Cue;

/// A stable pseudo-random number in [0, 1) for an integer (splitmix64).
pub(crate) fn hash01(n: u64) -> f64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Blinks come once per slot, at a varying place in it: 1–6 s apart.
const BLINK_SLOT: f64 = 3.7;
/// Lids close over 40 ms, stay shut 120 ms, open over 70 ms.
const CLOSING: f64 = 0.040;
const SHUT: f64 = 0.120;
const OPENING: f64 = 0.070;

fn blink_starts(slot: i64) -> [Option<f64>; 2] {
    let n = slot as u64;
    let start = slot as f64 * BLINK_SLOT + 0.2 + hash01(n) * 2.6;
    // About one blink in six is a double blink.
    let second = (hash01(n ^ 0xB11C) < 0.17).then_some(start + CLOSING + SHUT + OPENING + 0.12);
    [Some(start), second]
}

/// How closed the eyes are at `t` seconds: 0 open … 1 shut. Eyes are fully shut for 120 ms
/// once every few seconds.
pub fn blink(t: f64) -> f32 {
    let slot = (t / BLINK_SLOT).floor() as i64;
    let mut closed: f64 = 0.0;
    for s in [slot - 1, slot] {
        for start in blink_starts(s).into_iter().flatten() {
            let d = t - start;
            let c = if d < 0.0 {
                0.0
            } else if d < CLOSING {
                smooth(d / CLOSING)
            } else if d < CLOSING + SHUT {
                1.0
            } else if d < CLOSING + SHUT + OPENING {
                1.0 - smooth((d - CLOSING - SHUT) / OPENING)
            } else {
                0.0
            };
            closed = closed.max(c);
        }
    }
    closed as f32
}

pub(crate) fn smooth(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// A slow wandering value in about −1 … 1: a sum of incommensurate sines.
pub(crate) fn sway(t: f64, seed: f64) -> f32 {
    let tau = std::f64::consts::TAU;
    (0.55 * (tau * t / 7.3 + seed).sin() + 0.3 * (tau * t / 3.1 + 1.7 * seed).sin() + 0.15 * (tau * t / 1.9 + 2.3 * seed).sin())
        as f32
}

/// Breathing, −1 … 1, one breath every 4.2 s.
pub(crate) fn breath(t: f64) -> f32 {
    (std::f64::consts::TAU * t / 4.2).sin() as f32
}

/// Small glances away from the camera: a new target every 1.3–2.5 s, reached at once (eyes
/// jump; they do not glide).
pub(crate) fn glance(t: f64) -> (f32, f32) {
    let slot = (t / 1.9).floor() as i64;
    let n = slot as u64 ^ 0x6A2E;
    // Most of the time the host looks into the lens.
    if hash01(n) < 0.55 {
        return (0.0, 0.0);
    }
    ((hash01(n ^ 1) * 2.0 - 1.0) as f32 * 0.5, (hash01(n ^ 2) * 2.0 - 1.0) as f32 * 0.25)
}

/// How long a gesture cue keeps the arm up, in seconds.
pub(crate) fn gesture_length(cue: Cue) -> f32 {
    match cue {
        Cue::Point => 2.4,
        Cue::Wave => 2.2,
        Cue::OpenPalms => 2.2,
        Cue::ThumbsUp => 1.9,
        Cue::LookAtCard | Cue::Countdown(_) => 0.0,
    }
}

/// How far a gesture is raised, 0 … 1, `since` seconds after its cue: up in 0.35 s, held,
/// down in 0.4 s.
pub(crate) fn gesture_amount(cue: Cue, since: f32) -> f32 {
    let len = gesture_length(cue);
    if len <= 0.0 || since < 0.0 || since > len {
        return 0.0;
    }
    let up = since / 0.35;
    let down = (len - since) / 0.4;
    smooth(f64::from(up.min(down).min(1.0))) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gestures_rise_hold_and_fall() {
        assert_eq!(gesture_amount(Cue::Point, 0.0), 0.0);
        assert_eq!(gesture_amount(Cue::Point, 1.0), 1.0);
        assert!(gesture_amount(Cue::Point, 0.2) > 0.2 && gesture_amount(Cue::Point, 0.2) < 1.0);
        assert_eq!(gesture_amount(Cue::Point, 5.0), 0.0);
        assert_eq!(gesture_amount(Cue::LookAtCard, 0.5), 0.0);
    }
}
