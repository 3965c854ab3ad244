#!/usr/bin/env python3
"""Synthesises the demo show's background music, assets/demo/music.ogg.

A calm lo-fi pop loop: electric-piano chords, a round bass, a soft pad and brushed-sounding
drums at 88 BPM, 16 bars (about 43.6 s). There is no melody, so nothing competes with the
host's voice. Everything is generated here from sine waves and seeded noise; nothing is sampled.

The loop is seamless: every note's tail that rings past the end is folded back onto the start,
and the reverb and filters run over two copies of the loop so the kept copy starts from the
state the end of the loop leaves behind. The result is normalised to -18 LUFS (EBU R128,
measured with ffmpeg's ebur128 filter) and encoded as Ogg Vorbis with bit-exact flags, so the
same script gives the same file.

Needs Python 3.8+ (standard library only) and ffmpeg with libvorbis.
Run:  python3 assets/tools/music.py
"""

import array
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

SR = 44100
BPM = 88
BEAT = 60.0 / BPM
BARS = 16
LOOP = int(round(BARS * 4 * BEAT * SR))  # samples
TARGET_LUFS = -18.0
OUT = Path(__file__).resolve().parent.parent / "demo" / "music.ogg"
TAU = 2 * math.pi


def midi_hz(n):
    return 440.0 * 2 ** ((n - 69) / 12)


# Chords as (bass note, voicing) in MIDI numbers. Two four-bar phrases, played A B A B:
# A: Fmaj9  Em7  Dm9  Cmaj9      B: Fmaj9  Em7  Am7  G7sus4 (which leads back to Fmaj9).
FMAJ9 = (41, (57, 60, 64, 67))
EM7 = (40, (55, 59, 62, 64))
DM9 = (38, (53, 57, 60, 64))
CMAJ9 = (36, (52, 55, 59, 62))
AM7 = (45, (55, 57, 60, 64))
G7SUS = (43, (53, 55, 60, 62))
PHRASE_A = [FMAJ9, EM7, DM9, CMAJ9]
PHRASE_B = [FMAJ9, EM7, AM7, G7SUS]
CHORDS = PHRASE_A + PHRASE_B + PHRASE_A + PHRASE_B

SWING = 0.58  # where the off-beat eighth falls inside a beat


def eighth(bar, k):
    """Time in seconds of swung eighth `k` (0..7) of `bar`."""
    beat = k // 2 + (SWING if k % 2 else 0.0)
    return (bar * 4 + beat) * BEAT


class Bus:
    """A stereo buffer a little longer than the loop; tails are folded back at the end."""

    def __init__(self, tail_s=6.0):
        n = LOOP + int(tail_s * SR)
        self.l = array.array("d", bytes(8 * n))
        self.r = array.array("d", bytes(8 * n))

    def add(self, start_s, mono, gain_l, gain_r):
        i0 = int(round(start_s * SR))
        l, r = self.l, self.r
        n = min(len(mono), len(l) - i0)
        for i in range(n):
            v = mono[i]
            l[i0 + i] += v * gain_l
            r[i0 + i] += v * gain_r

    def folded(self):
        """The loop with everything past its end wrapped onto its start."""
        l = self.l[:LOOP]
        r = self.r[:LOOP]
        for i in range(LOOP, len(self.l)):
            l[i - LOOP] += self.l[i]
            r[i - LOOP] += self.r[i]
        return l, r


def pan(p):
    """Constant-power gains for p in -1 (left) … 1 (right)."""
    a = (p + 1) * math.pi / 4
    return math.cos(a), math.sin(a)


# Wow: a slow pitch drift like a tired tape; a whole number of cycles per loop keeps it seamless.
WOW_HZ = 26 / (LOOP / SR)


def epiano(note, dur, vel, start_s):
    """FM electric piano: a 1:1 carrier/modulator pair whose brightness fades after the strike,
    plus a quick high 'tine' partial. Released over 120 ms after `dur`."""
    f = midi_hz(note)
    n = int((dur + 0.5) * SR)
    out = array.array("d", bytes(8 * n))
    decay = 1.6 * (261.6 / f) ** 0.3
    rel_start, rel = int(dur * SR), 0.12 * SR
    ph = 0.0
    t0 = start_s
    for i in range(n):
        t = i / SR
        wow = 1 + 0.0012 * math.sin(TAU * WOW_HZ * (t0 + t))
        ph += TAU * f * wow / SR
        index = 0.25 + 1.6 * vel * math.exp(-t / 0.35)
        s = math.sin(ph + index * math.sin(ph))
        s += 0.18 * vel * math.exp(-t / 0.04) * math.sin(14 * ph)
        env = min(1.0, t / 0.004) * math.exp(-t / decay)
        if i > rel_start:
            env *= max(0.0, 1 - (i - rel_start) / rel)
        out[i] = s * env * vel
    return out


def bass(note, dur, vel):
    f = midi_hz(note)
    n = int((dur + 0.1) * SR)
    out = array.array("d", bytes(8 * n))
    rel_start, rel = int(dur * SR), 0.06 * SR
    for i in range(n):
        t = i / SR
        p = TAU * f * t
        s = math.sin(p) + 0.28 * math.sin(2 * p) + 0.08 * math.sin(3 * p)
        s = math.tanh(1.2 * s) / math.tanh(1.2)
        env = min(1.0, t / 0.006) * (0.55 + 0.45 * math.exp(-t / 0.25))
        if i > rel_start:
            env *= max(0.0, 1 - (i - rel_start) / rel)
        out[i] = s * env * vel
    return out


def pad(note, dur, detune_cents):
    """Soft pad voice: a few harmonics of a slightly detuned tone, slow attack and release."""
    f = midi_hz(note) * 2 ** (detune_cents / 1200)
    n = int((dur + 1.0) * SR)
    out = array.array("d", bytes(8 * n))
    att, rel_start, rel = 0.5, dur, 0.9
    for i in range(n):
        t = i / SR
        p = TAU * f * t
        s = math.sin(p) + 0.3 * math.sin(2 * p) + 0.12 * math.sin(3 * p)
        env = min(1.0, t / att)
        if t > rel_start:
            env *= max(0.0, 1 - (t - rel_start) / rel)
        out[i] = s * env
    return out


def kick(vel):
    n = int(0.6 * SR)
    out = array.array("d", bytes(8 * n))
    ph = 0.0
    for i in range(n):
        t = i / SR
        f = 48 + 80 * math.exp(-t / 0.028)
        ph += TAU * f / SR
        fade = min(1.0, (n - i) / (0.05 * SR))  # reach silence before the buffer ends: no click
        out[i] = vel * math.sin(ph) * math.exp(-t / 0.16) * min(1.0, t / 0.002) * fade
    return out


def snare(vel, rng):
    """A soft, brushed snare: band-limited noise over a short tonal body."""
    n = int(0.32 * SR)
    out = array.array("d", bytes(8 * n))
    lp = lp_slow = 0.0
    for i in range(n):
        t = i / SR
        w = rng.uniform(-1, 1)
        lp += 0.25 * (w - lp)  # low-pass near 2 kHz …
        lp_slow += 0.03 * (lp - lp_slow)
        band = lp - lp_slow  # … minus the rumble below ~200 Hz
        noise = band * math.exp(-t / 0.09)
        body = 0.5 * math.sin(TAU * 185 * t) * math.exp(-t / 0.05)
        out[i] = vel * (0.9 * noise + body) * min(1.0, t / 0.003)
    return out


def hat(vel, rng):
    """A soft, shaker-like hat: high-passed noise with its harshest top taken off."""
    n = int(0.09 * SR)
    out = array.array("d", bytes(8 * n))
    x1 = x2 = lp = 0.0
    for i in range(n):
        t = i / SR
        w = rng.uniform(-1, 1)
        h = w - 2 * x1 + x2  # second difference: a steep high-pass
        x2, x1 = x1, w
        lp += 0.5 * (h - lp)  # gentle roll-off above ~5 kHz
        out[i] = vel * 0.2 * lp * math.exp(-t / 0.02)
    return out


def compose():
    rng = random.Random(20240601)
    keys, low, drums = Bus(), Bus(), Bus()
    cache = {}

    def cached(key, make):
        if key not in cache:
            cache[key] = make()
        return cache[key]

    for bar, (root, voicing) in enumerate(CHORDS):
        # Electric piano: a long chord on the downbeat, a lighter re-strike on the swung "and" of 3.
        for k, dur_beats, vel in ((0, 2.4, 0.75), (5, 1.3, 0.55)):
            start = eighth(bar, k)
            for j, note in enumerate(voicing):
                strum = j * 0.012  # fingers land a few ms apart
                v = vel * (0.9 if j == 0 else 1.0)
                tone = epiano(note, dur_beats * BEAT - strum, v, start + strum)
                # Slow auto-pan, one sweep every two bars; its phase is whole-bar, so seamless.
                gl, gr = pan(0.35 * math.sin(TAU * (start + strum) / (8 * BEAT)))
                keys.add(start + strum, tone, gl * 0.22, gr * 0.22)
        # Pad: the chord's upper three notes, detuned left and right.
        for note in voicing[1:]:
            for cents, (gl, gr) in ((-7, pan(-0.7)), (7, pan(0.7))):
                tone = cached(("pad", note, cents), lambda: pad(note, 4 * BEAT, cents))
                keys.add(bar * 4 * BEAT, tone, gl * 0.035, gr * 0.035)
        # Bass: root on 1, root on the "and" of 3, a fifth as a pickup into the next bar.
        for k, dur_beats, note, vel in ((0, 1.3, root, 0.9), (5, 0.9, root, 0.75), (7, 0.35, root + 7, 0.5)):
            tone = cached(("bass", note, dur_beats, vel), lambda: bass(note, dur_beats * BEAT, vel))
            low.add(eighth(bar, k), tone, 0.3, 0.3)
        # Drums: kick on 1 and the "and" of 3, snare on 2 and 4, eighth-note hats.
        for k in (0, 5):
            low.add(eighth(bar, k), cached(("kick",), lambda: kick(1.0)), 0.36, 0.36)
        if bar % 4 == 3:  # a small push into each new phrase
            low.add(eighth(bar, 7), cached(("kick2",), lambda: kick(0.6)), 0.36, 0.36)
        for k in (2, 6):
            drums.add(eighth(bar, k) + 0.006, snare(0.9, rng), *pan(-0.08))
        for k in range(8):
            vel = (0.55 if k % 2 == 0 else 0.32) * rng.uniform(0.85, 1.1)
            gl, gr = pan(0.3)
            drums.add(eighth(bar, k) + rng.uniform(-0.004, 0.004), hat(vel, rng), gl * 0.5, gr * 0.5)
    return keys.folded(), low.folded(), drums.folded()


def comb(x, n, feedback, damp):
    """Feedback comb with a low-pass in the loop (Freeverb-style damping)."""
    buf = array.array("d", bytes(8 * n))
    y = array.array("d", bytes(8 * len(x)))
    i, store = 0, 0.0
    for k in range(len(x)):
        out = buf[i]
        store = out * (1 - damp) + store * damp
        buf[i] = x[k] + store * feedback
        y[k] = out
        i = i + 1 if i + 1 < n else 0
    return y


def allpass(x, n, g=0.5):
    buf = array.array("d", bytes(8 * n))
    y = array.array("d", bytes(8 * len(x)))
    i = 0
    for k in range(len(x)):
        b = buf[i]
        buf[i] = x[k] + b * g
        y[k] = b - x[k]
        i = i + 1 if i + 1 < n else 0
    return y


WARM = 6 * SR  # enough lead-in for the reverb and filters to reach the loop's steady state


def reverb(l, r):
    """A small Schroeder room (4 damped combs, 2 allpasses per side). Each side is fed the last
    seconds of the loop before the loop itself, so the kept part begins with the tail the end of
    the loop leaves behind."""
    out = []
    for side, src in enumerate((l, r)):
        spread = 23 * side
        x = src[LOOP - WARM:] + src
        acc = array.array("d", bytes(8 * len(x)))
        for n in (1116, 1188, 1277, 1356):
            c = comb(x, n + spread, 0.78, 0.3)
            for k in range(len(x)):
                acc[k] += 0.25 * c[k]
        y = allpass(allpass(acc, 556 + spread), 441 + spread)
        out.append(y[WARM:])
    return out


def lowpass_loop(x, cutoff):
    """One-pole low-pass, led in by the loop's end so the result is seamless."""
    a = 1 - math.exp(-TAU * cutoff / SR)
    src = x[LOOP - WARM:] + x
    y = array.array("d", bytes(8 * len(src)))
    s = 0.0
    for i in range(len(src)):
        s += a * (src[i] - s)
        y[i] = s
    return y[WARM:]


def mix():
    (kl, kr), (bl, br), (dl, dr) = compose()
    for name, bus in (("keys", kl), ("bass+kick", bl), ("snare+hats", dl)):
        rms = math.sqrt(sum(v * v for v in bus) / LOOP)
        print(f"{name:>10}: {20 * math.log10(rms):6.1f} dBFS rms before normalising")
    wl, wr = reverb(kl, kr)
    l = array.array("d", bytes(8 * LOOP))
    r = array.array("d", bytes(8 * LOOP))
    for i in range(LOOP):
        l[i] = kl[i] + 0.28 * wl[i] + bl[i] + 0.8 * dl[i]
        r[i] = kr[i] + 0.28 * wr[i] + br[i] + 0.8 * dr[i]
    # Lo-fi warmth: roll off the top so the host's consonants sit clear of the music.
    return lowpass_loop(l, 5500), lowpass_loop(r, 5500)


def write_wav(path, l, r, gain):
    frames = array.array("h")
    for a, b in zip(l, r):
        frames.append(max(-32767, min(32767, int(round(a * gain * 32767)))))
        frames.append(max(-32767, min(32767, int(round(b * gain * 32767)))))
    if sys.byteorder != "little":
        frames.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(frames.tobytes())


def loudness(path):
    """Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's ebur128 filter measures them."""
    res = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = res.stderr[res.stderr.rindex("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def main():
    l, r = mix()
    peak = max(max(abs(v) for v in l), max(abs(v) for v in r))
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.wav"
        # First pass at a safe level, then one linear gain to land on the target loudness.
        g0 = 0.5 / peak
        write_wav(probe, l, r, g0)
        lufs, _ = loudness(probe)
        gain = g0 * 10 ** ((TARGET_LUFS - lufs) / 20)
        final = Path(tmp) / "music.wav"
        write_wav(final, l, r, gain)
        lufs, tp = loudness(final)
        print(f"loop {LOOP / SR:.3f} s, {lufs:.1f} LUFS, true peak {tp:.1f} dBTP")
        OUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(final),
             "-c:a", "libvorbis", "-q:a", "3", "-fflags", "+bitexact", "-flags:a", "+bitexact",
             "-map_metadata", "-1", str(OUT)],
            check=True,
        )
    print(f"{OUT} {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
