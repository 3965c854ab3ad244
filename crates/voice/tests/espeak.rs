//! The espeak-ng voice against the real library: audio, timing, visemes, errors.

use show::stages::{StageErrorKind, Voice};
use show::{Currency, Fact, Line, Locale, Money, SAMPLE_RATE, SegmentKind, Utterance, Viseme};
use voice::Espeak;
use voice::audio::envelope;

fn speak(voice: &str, locale: &str, text: &str) -> Utterance {
    let mut v = Espeak::new(voice).unwrap();
    let line = Line::new(SegmentKind::Pitch, None).text(text);
    v.speak(&line, &Locale::parse(locale).unwrap()).unwrap()
}

fn rms(s: &[f32]) -> f32 {
    (s.iter().map(|x| x * x).sum::<f32>() / s.len().max(1) as f32).sqrt()
}

/// Checks what every utterance must hold: 48 kHz audio trimmed to speech, words inside the
/// audio and in order, visemes from 0 to a closing rest.
fn check_utterance(u: &Utterance, min_words: usize) {
    let dur = u.duration();
    assert!(dur > 0.3, "{:?}: {dur} s", u.display);
    assert!(u.samples.iter().all(|s| s.is_finite() && s.abs() <= 1.0));
    // Trimmed: the first and last 20 ms are speech, not silence.
    let ms20 = (SAMPLE_RATE / 50) as usize;
    let peak = envelope(&u.samples, SAMPLE_RATE, 0.005).into_iter().fold(0.0f32, f32::max);
    let (head, tail) = (rms(&u.samples[..ms20]), rms(&u.samples[u.samples.len() - ms20..]));
    assert!(head > 0.01 * peak && tail > 0.01 * peak, "{:?}: head {head} tail {tail} peak {peak}", u.display);
    // Words: inside the audio, in order, each mapped to displayed text; they span the audio,
    // which shows the samples are at the rate the timings assume.
    assert!(u.words.len() >= min_words, "{:?}: {} words", u.display, u.words.len());
    let (first, last) = (&u.words[0], &u.words[u.words.len() - 1]);
    assert!(first.start < 0.1 && last.end > 0.8 * dur && last.start < dur - 0.1, "{:?}: {first:?} … {last:?} in {dur}", u.display);
    let mut prev = (0.0f32, 0usize);
    for w in &u.words {
        assert!(0.0 <= w.start && w.start <= w.end && w.end <= dur + 1e-3, "{:?}: {w:?} in {dur}", u.display);
        assert!(w.start >= prev.0 && w.display.start >= prev.1, "{:?}: {w:?} after {prev:?}", u.display);
        assert!(u.display.get(w.display.clone()).is_some_and(|s| !s.trim().is_empty()), "{w:?}");
        prev = (w.start, w.display.end);
    }
    // Visemes: from 0, in order, ending at rest at the end of the audio.
    let keys = &u.visemes.keys;
    assert_eq!(keys[0].at, 0.0);
    assert!(keys.windows(2).all(|k| k[0].at <= k[1].at), "{keys:?}");
    let last = keys.last().unwrap();
    assert_eq!(last.viseme, Viseme::Rest);
    assert!((last.at - dur).abs() < 0.1, "last key {} of {dur}", last.at);
}

#[test]
fn speaks_five_languages_at_48k_trimmed_and_timed() {
    let cases = [
        ("en-us", "en-US", "Welcome back! This bamboo lamp is just what your desk needs.", 9),
        ("es", "es-ES", "¡Bienvenidos! Esta lámpara de bambú es justo lo que tu escritorio necesita.", 10),
        ("fr", "fr-FR", "Bienvenue ! Cette lampe en bambou est exactement ce qu'il faut à votre bureau.", 10),
        ("de", "de-DE", "Willkommen zurück! Diese Bambuslampe ist genau das, was Ihr Schreibtisch braucht.", 10),
        ("cmn", "zh-CN", "欢迎回来！这盏竹子台灯正是你的书桌需要的。", 8),
    ];
    for (voice, locale, text, words) in cases {
        let u = speak(voice, locale, text);
        check_utterance(&u, words);
        println!("{voice}: {:.2} s, {} words, {} visemes", u.duration(), u.words.len(), u.visemes.keys.len());
    }
}

#[test]
fn prices_are_spoken_in_words_and_highlighted_whole() {
    let mut v = Espeak::new("en-us").unwrap();
    let line = Line::new(SegmentKind::Offer, None)
        .text("Now just ")
        .fact(Fact::Price(Money::parse("14.90", Currency::USD).unwrap()))
        .text(", that's ")
        .fact(Fact::Percent(40))
        .text(" off!");
    let u = v.speak(&line, &Locale::parse("en-US").unwrap()).unwrap();
    check_utterance(&u, 5);
    assert_eq!(u.display, "Now just $14.90, that's 40% off!");
    assert_eq!(u.spoken, "Now just fourteen dollars and ninety cents, that's forty percent off!");
    let shown: Vec<&str> = u.words.iter().map(|w| &u.display[w.display.clone()]).collect();
    assert_eq!(shown, ["Now", "just", "$14.90", "that's", "40%", "off"]);
    // "fourteen dollars and ninety cents" takes far longer than one word.
    let price = &u.words[2];
    assert!(price.end - price.start > 1.0, "{price:?}");
}

#[test]
fn visemes_line_up_with_the_audio() {
    let u = speak("en-us", "en-US", "Mama papa. Mama papa.");
    check_utterance(&u, 4);
    let hop = 0.005;
    let env = envelope(&u.samples, SAMPLE_RATE, hop);
    let peak = env.iter().copied().fold(0.0f32, f32::max);
    let keys = &u.visemes.keys;
    let end_of = |i: usize| keys.get(i + 1).map_or(u.duration(), |k| k.at);
    // Each closure inside speech (not one after silence) sits where the envelope dips: the
    // quietest moment from the middle of the sound before to the middle of the sound after
    // falls inside the closure (±20 ms), well below the loudest moment there.
    let mut closures = 0;
    for i in 1..keys.len() - 1 {
        if keys[i].viseme != Viseme::Closed || keys[i - 1].viseme == Viseme::Rest {
            continue;
        }
        closures += 1;
        let (from, to) = ((keys[i - 1].at + keys[i].at) / 2.0, (keys[i + 1].at + end_of(i + 1)) / 2.0);
        let (a, b) = ((from / hop) as usize, ((to / hop) as usize).min(env.len()));
        let (argmin, min) = env[a..b].iter().enumerate().fold((0, f32::MAX), |m, (j, e)| if *e < m.1 { (j, *e) } else { m });
        let max = env[a..b].iter().copied().fold(0.0f32, f32::max);
        let t = (a + argmin) as f32 * hop + hop / 2.0;
        assert!(t >= keys[i].at - 0.02 && t <= end_of(i) + 0.02, "dip at {t} outside closure {}..{}", keys[i].at, end_of(i));
        assert!(min < 0.5 * max, "closure at {}: min {min} max {max}", keys[i].at);
    }
    // m, m, p, p in each of two sentences; the first m opens the audio at 0.
    assert_eq!(keys[0].at, 0.0);
    assert_eq!(keys[0].viseme, Viseme::Closed);
    assert!(closures >= 6, "{keys:?}");
    // The pause between the sentences is a rest, and it is silent.
    let rests: Vec<(f32, f32)> = (0..keys.len() - 1).filter(|i| keys[*i].viseme == Viseme::Rest).map(|i| (keys[i].at, end_of(i))).collect();
    assert_eq!(rests.len(), 1, "{keys:?}");
    let (a, b) = rests[0];
    assert!(b - a > 0.1, "{rests:?}");
    let quiet = env[(a / hop) as usize + 2..(b / hop) as usize - 1].iter().copied().fold(0.0f32, f32::max);
    assert!(quiet < 0.05 * peak, "rest {a}..{b}: {quiet} vs peak {peak}");
}

#[test]
fn unknown_voice_lists_similar_ones() {
    let err = Espeak::new("en-xx").unwrap_err();
    assert_eq!(err.kind, StageErrorKind::Missing);
    assert!(err.message.contains("en-xx") && err.message.contains("en-us") && err.message.contains("en-gb"), "{}", err.message);
    let err = Espeak::new("spanishh").unwrap_err();
    assert!(err.message.contains("es (Spanish"), "{}", err.message);
    // A language an installed voice lists is accepted: es-mx is spoken by es-419.
    assert_eq!(Espeak::new("es-mx").unwrap().voice(), "roa/es-419");
    assert_eq!(Espeak::for_locale(&Locale::parse("pt-BR").unwrap()).unwrap().voice(), "pt-br");
    assert_eq!(Espeak::for_locale(&Locale::parse("it-CH").unwrap()).unwrap().voice(), "it");
    assert_eq!(Espeak::for_locale(&Locale::parse("zh-HK").unwrap()).unwrap().voice(), "yue");
}

#[test]
fn rooms_speak_from_many_threads() {
    let texts = [("en-us", "en-US", "One bamboo lamp."), ("es", "es-ES", "Una lámpara de bambú."), ("de", "de-DE", "Eine Bambuslampe.")];
    let reference: Vec<Utterance> = texts.iter().map(|(v, l, t)| speak(v, l, t)).collect();
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let (v, l, t) = texts[i % 3];
            std::thread::spawn(move || (i % 3, speak(v, l, t)))
        })
        .collect();
    // espeak's noise sources make no two renderings sample-identical; the speech is the same.
    for h in handles {
        let (i, u) = h.join().unwrap();
        let r = &reference[i];
        assert!((u.duration() - r.duration()).abs() < 0.02, "{}: {} vs {}", u.display, u.duration(), r.duration());
        assert_eq!(u.words.len(), r.words.len());
        for (a, b) in u.words.iter().zip(&r.words) {
            assert_eq!(a.display, b.display);
            assert!((a.start - b.start).abs() < 0.02 && (a.end - b.end).abs() < 0.02, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn library_info_and_voices() {
    let info = voice::library_info().unwrap();
    assert!(info.version.starts_with('1'), "{info:?}");
    assert!(info.data_path.join("phontab").is_file(), "{info:?}");
    assert_eq!(info.sample_rate, 22_050);
    let voices = voice::list_voices().unwrap();
    assert_eq!(voices.len(), info.voices);
    for lang in ["en-us", "es", "fr-fr", "de", "cmn"] {
        assert!(voices.iter().any(|v| v.languages.iter().any(|l| l == lang)), "{lang}");
    }
}




#[test]
fn audio_visemes_follow_the_phoneme_track() {
    // Sentences the estimator's thresholds were not fitted on.
    let cases = [
        ("en-us", "en-US", "Hello and welcome, friends! This ceramic pour-over set makes a smooth cup of coffee every morning."),
        ("es", "es-ES", "Este juego de café de cerámica prepara una taza suave cada mañana, ¡y es un regalo perfecto!"),
        ("fr", "fr-FR", "Ce service à café en céramique prépare une tasse douce chaque matin, et c'est un cadeau parfait."),
        ("de", "de-DE", "Dieses Kaffeeset aus Keramik macht jeden Morgen eine milde Tasse, und es ist ein schönes Geschenk."),
        ("it", "it-IT", "Questo set da caffè in ceramica prepara una tazza morbida ogni mattina, ed è un regalo perfetto."),
    ];
    let mut all = Vec::new();
    for (voice, locale, text) in cases {
        let u = speak(voice, locale, text);
        let from_audio = voice::visemes_from_audio(&u.samples, SAMPLE_RATE);
        let r = voice::viseme::openness_correlation(&u.visemes, &from_audio, u.duration(), 0.01, 0.06);
        println!("{voice}: r = {r:.3} ({} phoneme keys, {} audio keys)", u.visemes.keys.len(), from_audio.keys.len());
        assert!(r > 0.5, "{voice}: r = {r}");
        all.push(r);
    }
    let mean = all.iter().sum::<f32>() / all.len() as f32;
    println!("mean r = {mean:.3}");
    assert!(mean > 0.6, "mean r = {mean}");
}
