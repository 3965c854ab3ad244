//! `/metrics` in the Prometheus text format (version 0.0.4): each room's frames, late and
//! starved frames, clock lag, reconnects, lines and replies with their latency, the chat desk's
//! counts and sources, the writer's lines and refusals, and the process's memory.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use director::room::RoomStatus;

/// A Prometheus exposition, built metric by metric.
#[derive(Default)]
pub struct Exposition {
    out: String,
    declared: Vec<String>,
}

impl Exposition {
    /// Adds one sample; `labels` as `(name, value)` pairs (values escaped here).
    pub fn sample(&mut self, name: &str, kind: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        if !self.declared.iter().any(|d| d == name) {
            let _ = writeln!(self.out, "# HELP {name} {help}");
            let _ = writeln!(self.out, "# TYPE {name} {kind}");
            self.declared.push(name.to_string());
        }
        let labels = if labels.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))).collect();
            format!("{{{}}}", parts.join(","))
        };
        let value = if value.is_finite() { format!("{value}") } else { "NaN".into() };
        let _ = writeln!(self.out, "{name}{labels} {value}");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The value at quantile `q` (0..1) of `values`, or NaN when there are none.
pub fn quantile(values: &[u64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i.min(v.len() - 1)] as f64
}

/// The process's resident memory in bytes (Linux), if known.
pub fn rss_bytes() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // x86-64 and aarch64 Linux use 4 KiB pages unless built otherwise.
    let page = 4096.0;
    Some(pages * page)
}

/// The rooms' figures.
pub fn rooms(e: &mut Exposition, rooms: &[RoomStatus]) {
    for s in rooms {
        let l = [("room", s.room.as_str())];
        e.sample("evercast_room_up", "gauge", "1 while the room streams to its output", &l, if s.state == "live" { 1.0 } else { 0.0 });
        e.sample("evercast_room_paused", "gauge", "1 while the operator holds the run of show", &l, if s.paused { 1.0 } else { 0.0 });
        e.sample("evercast_room_media_seconds", "counter", "Seconds of show on the room's media clock", &l, s.seconds);
        e.sample("evercast_room_frames_total", "counter", "Video frames produced", &l, s.frames as f64);
        e.sample("evercast_room_late_frames_total", "counter", "Frames re-sent because rendering fell behind", &l, s.late_frames as f64);
        e.sample("evercast_room_starved_frames_total", "counter", "Frames with nothing ready to say (before a filler)", &l, s.starved_frames as f64);
        e.sample("evercast_room_clock_lag_seconds", "gauge", "How far the media clock is behind the wall clock", &l, s.clock_lag);
        e.sample("evercast_room_fps", "gauge", "Frames sent per wall-clock second (last 5 s)", &l, s.fps);
        e.sample("evercast_room_av_drift_seconds", "gauge", "Audio minus video timestamps pushed to the output", &l, s.av_drift);
        e.sample("evercast_room_reconnects_total", "counter", "Output reconnects", &l, s.reconnects as f64);
        e.sample("evercast_room_translated_lines_total", "counter", "Lines carried by a translation engine or memory", &l, s.translated as f64);
        e.sample("evercast_room_native_lines_total", "counter", "Lines replaced by the pack's own templates", &l, s.native as f64);
        e.sample("evercast_room_dropped_lines_total", "counter", "Lines dropped to keep to the show clock", &l, s.dropped as f64);
        e.sample("evercast_room_voice_errors_total", "counter", "Lines the voice failed on", &l, s.voice_errors as f64);
        e.sample("evercast_room_replies_total", "counter", "Replies and operator lines said", &l, s.replies as f64);
        let lat: Vec<u64> = s.reply_latency_ms.iter().copied().collect();
        for (q, name) in [(0.5, "0.5"), (0.95, "0.95")] {
            e.sample("evercast_chat_reply_latency_seconds", "summary", "Chat message arrival to the reply's first sample (latest 200)", &[("room", s.room.as_str()), ("quantile", name)], quantile(&lat, q) / 1000.0);
        }
    }
}

/// The chat desk's figures.
pub fn chat(e: &mut Exposition, desk: &chat::Desk) {
    {
        let st = desk.state.lock().unwrap_or_else(|p| p.into_inner());
        e.sample("evercast_chat_received_total", "counter", "Chat messages received", &[], st.counts.received as f64);
        e.sample("evercast_chat_accepted_total", "counter", "Chat messages past moderation", &[], st.counts.accepted as f64);
        e.sample("evercast_chat_replied_total", "counter", "Chat messages replied to", &[], st.counts.replied as f64);
        for (reason, n) in &st.counts.dropped {
            e.sample("evercast_chat_dropped_total", "counter", "Chat messages dropped, by reason", &[("reason", reason)], *n as f64);
        }
        e.sample("evercast_chat_queue_depth", "gauge", "Messages waiting in the lanes", &[], st.queued.len() as f64);
        e.sample("evercast_chat_pending_approval", "gauge", "Replies waiting for the operator", &[], st.pending.len() as f64);
    }
    for h in &desk.health {
        let l = [("source", h.name.as_str())];
        e.sample("evercast_chat_source_connected", "gauge", "1 while the chat source is connected", &l, if h.connected.load(Ordering::Relaxed) { 1.0 } else { 0.0 });
        e.sample("evercast_chat_source_silent", "gauge", "1 while a connected source has been silent past the alarm", &l, if h.silent.load(Ordering::Relaxed) { 1.0 } else { 0.0 });
        e.sample("evercast_chat_source_messages_total", "counter", "Messages from the source", &l, h.messages.load(Ordering::Relaxed) as f64);
        e.sample("evercast_chat_source_reconnects_total", "counter", "Reconnects of the source", &l, h.reconnects.load(Ordering::Relaxed) as f64);
        e.sample("evercast_chat_source_rejected_lines_total", "counter", "Lines from the source that were not chat messages", &l, h.rejected_lines.load(Ordering::Relaxed) as f64);
    }
}

/// The process's figures.
pub fn process(e: &mut Exposition) {
    if let Some(rss) = rss_bytes() {
        e.sample("evercast_process_resident_memory_bytes", "gauge", "Resident memory of the show process", &[], rss);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_format() {
        let mut e = Exposition::default();
        e.sample("a_total", "counter", "A thing", &[("room", "m\"x")], 3.0);
        e.sample("a_total", "counter", "A thing", &[("room", "y")], 4.5);
        let t = e.finish();
        assert_eq!(t, "# HELP a_total A thing\n# TYPE a_total counter\na_total{room=\"m\\\"x\"} 3\na_total{room=\"y\"} 4.5\n");
        assert_eq!(quantile(&[5, 1, 3], 0.5), 3.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
