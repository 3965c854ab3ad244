//! Faults on purpose, for drills: `EVERCAST_FAULTS` makes a stage stall or fail at a chosen
//! time, so an operator (or a test) can watch the real show survive it — the writer watchdog
//! hand the script to templates, fillers cover a voice that fails.
//!
//! `EVERCAST_FAULTS="writer-stall=20+60,voice-down=30+10,voice-stall=50+15"`: the script writer
//! blocks from 20 s after start for 60 s; every room's voice fails every line from 30 s for
//! 10 s, and hangs on the line it is given from 50 s until 65 s. Times are seconds since the
//! process started its show. Unset (the normal case), nothing is wrapped.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use show::stages::{SegmentRequest, StageError, Voice, Writer};
use show::{Line, Locale, Utterance};

/// A window of time after the show started: `at` seconds, lasting `for_s` seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub at: f64,
    pub for_s: f64,
}

impl Window {
    fn contains(&self, t: f64) -> bool {
        t >= self.at && t < self.at + self.for_s
    }
}

/// The faults asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub writer_stall: Option<Window>,
    pub voice_down: Option<Window>,
    pub voice_stall: Option<Window>,
}

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn now() -> f64 {
    origin().elapsed().as_secs_f64()
}

impl Faults {
    /// Parses `name=AT+FOR,…`.
    pub fn parse(text: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, when) = part.split_once('=').ok_or_else(|| format!("`{part}`: expected name=AT+FOR (seconds)"))?;
            let (at, for_s) = when.split_once('+').ok_or_else(|| format!("`{part}`: expected name=AT+FOR (seconds)"))?;
            let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| format!("`{part}`: `{s}` is not a number of seconds"));
            let w = Window { at: num(at)?, for_s: num(for_s)? };
            match name.trim() {
                "writer-stall" => f.writer_stall = Some(w),
                "voice-down" => f.voice_down = Some(w),
                "voice-stall" => f.voice_stall = Some(w),
                other => return Err(format!("unknown fault `{other}` (known: writer-stall, voice-down, voice-stall)")),
            }
        }
        Ok(f)
    }

    /// The faults in `EVERCAST_FAULTS`, read once; a malformed value is reported and ignored.
    pub fn from_env() -> &'static Faults {
        static FAULTS: OnceLock<Faults> = OnceLock::new();
        FAULTS.get_or_init(|| {
            origin();
            match std::env::var("EVERCAST_FAULTS") {
                Ok(v) if !v.trim().is_empty() => match Faults::parse(&v) {
                    Ok(f) => {
                        tracing::warn!("EVERCAST_FAULTS is set: this show will stall or fail on purpose ({v})");
                        f
                    }
                    Err(e) => {
                        tracing::error!("EVERCAST_FAULTS ignored: {e}");
                        Faults::default()
                    }
                },
                _ => Faults::default(),
            }
        })
    }

    pub fn wrap_writer(&self, w: Box<dyn Writer>) -> Box<dyn Writer> {
        match self.writer_stall {
            Some(window) => Box::new(StallingWriter { inner: w, window }),
            None => w,
        }
    }

    pub fn wrap_voice(&self, v: Box<dyn Voice>) -> Box<dyn Voice> {
        if self.voice_down.is_none() && self.voice_stall.is_none() {
            return v;
        }
        Box::new(FailingVoice { inner: v, down: self.voice_down, stall: self.voice_stall })
    }
}

/// A writer that blocks (as a model stuck in a forward pass would) during its window.
struct StallingWriter {
    inner: Box<dyn Writer>,
    window: Window,
}

impl Writer for StallingWriter {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn write(&mut self, request: &SegmentRequest<'_>, emit: &mut dyn FnMut(Line) -> bool) -> Result<(), StageError> {
        let t = now();
        if self.window.contains(t) {
            tracing::warn!("fault drill: the writer stalls for {:.0} s", self.window.at + self.window.for_s - t);
            std::thread::sleep(Duration::from_secs_f64(self.window.at + self.window.for_s - t));
        }
        self.inner.write(request, emit)
    }

    fn take_rejected(&mut self) -> Vec<(String, String)> {
        self.inner.take_rejected()
    }

    fn settle(&mut self) -> bool {
        self.inner.settle()
    }
}

/// A voice that fails every line during one window and hangs (as a stuck engine would) during
/// the other.
struct FailingVoice {
    inner: Box<dyn Voice>,
    down: Option<Window>,
    stall: Option<Window>,
}

impl Voice for FailingVoice {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn speak(&mut self, line: &Line, locale: &Locale) -> Result<Utterance, StageError> {
        let t = now();
        if self.down.is_some_and(|w| w.contains(t)) {
            return Err(StageError::failed("fault drill: the voice is down"));
        }
        if let Some(w) = self.stall.filter(|w| w.contains(t)) {
            std::thread::sleep(Duration::from_secs_f64(w.at + w.for_s - t));
        }
        self.inner.speak(line, locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_windows_and_reports_mistakes() {
        let f = Faults::parse("writer-stall=20+60, voice-down=30.5+10").unwrap();
        assert_eq!(f.writer_stall, Some(Window { at: 20.0, for_s: 60.0 }));
        assert_eq!(f.voice_down, Some(Window { at: 30.5, for_s: 10.0 }));
        assert_eq!(Faults::parse("voice-stall=1+2").unwrap().voice_stall, Some(Window { at: 1.0, for_s: 2.0 }));
        assert!(Faults::parse("voice-down=30").unwrap_err().contains("AT+FOR"));
        assert!(Faults::parse("disk-full=1+2").unwrap_err().contains("unknown fault"));
        assert!(Faults::parse("voice-down=x+2").unwrap_err().contains("not a number"));
        assert_eq!(Faults::parse("").unwrap(), Faults::default());
    }
}
