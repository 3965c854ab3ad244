//! Speed of the espeak voice, end to end (normalization, synthesis, resampling, visemes).

use show::Locale;
use voice::{Espeak, bench_lines, bench_voice};

#[test]
fn espeak_is_far_faster_than_real_time() {
    let lines = bench_lines();
    for (voice, locale) in [("en-us", "en-US"), ("es", "es-ES"), ("fr", "fr-FR"), ("de", "de-DE"), ("cmn", "zh-CN")] {
        let mut v = Espeak::new(voice).unwrap();
        let report = bench_voice(&mut v, &lines, &Locale::parse(locale).unwrap()).unwrap();
        println!("{report}");
        assert_eq!(report.lines, lines.len());
        assert!(report.audio_seconds > 15.0, "{report}");
        // Real time needs < 1; a live room with look-ahead wants a wide margin on 2 shared cores.
        assert!(report.rtf < 0.25, "{report}");
    }
}
