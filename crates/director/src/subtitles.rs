//! Subtitle files (SRT, WebVTT) and the timestamped script (`script.md`) of a rendered show.

use std::fmt::Write as _;

use crate::script_feed::Rejected;
use crate::timeline::PlayedLine;

fn stamp(t: f64, sep: char) -> String {
    let ms = (t * 1000.0).round().max(0.0) as u64;
    format!("{:02}:{:02}:{:02}{sep}{:03}", ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000)
}

/// Subtitle text wrapped to two lines of about `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let cur = lines.last_mut().expect("non-empty");
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines.join("\n")
}

pub fn srt(lines: &[PlayedLine]) -> String {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(out, "{}\n{} --> {}\n{}\n\n", i + 1, stamp(l.start, ','), stamp(l.end, ','), wrap(&l.utterance.display, 42));
    }
    out
}

pub fn vtt(lines: &[PlayedLine]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for l in lines {
        let _ = write!(out, "{} --> {}\n{}\n\n", stamp(l.start, '.'), stamp(l.end, '.'), wrap(&l.utterance.display, 42));
    }
    out
}

/// Who wrote a played line: the room's own line's provenance (a pack template), else the
/// source line's writer (`llm qwen2.5-0.5b`, `template pitch#3`), else `filler`.
pub fn written_by(l: &PlayedLine) -> String {
    match (&l.utterance.line.by, &l.origin) {
        (show::Provenance::Unknown, Some(o)) if !o.writer.is_empty() => o.writer.clone(),
        (show::Provenance::Unknown, _) => if l.segment == show::SegmentKind::Filler { "filler".into() } else { "unknown".into() },
        (by, _) => by.label(),
    }
}

/// One room's section of `script.md`.
pub fn script_section(room: &str, heading: &str, lines: &[PlayedLine], rejected: &[Rejected], product_name: &dyn Fn(Option<usize>) -> String) -> String {
    // Rooms that translate show the source line and how it was carried.
    let translated = lines.iter().any(|l| l.origin.as_ref().is_some_and(|o| o.engine != "same-language"));
    let mut out = if translated {
        format!("## Room `{room}` — {heading}\n\n| time | segment | product | line | written by | source line | engine | notes |\n|---|---|---|---|---|---|---|---|\n")
    } else {
        format!("## Room `{room}` — {heading}\n\n| time | segment | product | line | written by |\n|---|---|---|---|---|\n")
    };
    let mut last_product = usize::MAX;
    for l in lines {
        let product = match l.product {
            Some(p) if p != last_product => {
                last_product = p;
                product_name(Some(p))
            }
            Some(_) => "″".to_string(),
            None => {
                last_product = usize::MAX;
                "—".to_string()
            }
        };
        let text = l.utterance.display.replace('|', "\\|");
        if translated {
            let (source, engine, notes) = match &l.origin {
                Some(o) => (o.source.clone(), o.engine.clone(), o.notes.join("; ")),
                None => (String::new(), "filler".to_string(), String::new()),
            };
            let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
            let _ = writeln!(out, "| {} | {} | {} | {} | {} | {} | {} | {} |", stamp(l.start, '.'), l.segment.name(), product, text, written_by(l), cell(&source), engine, cell(&notes));
        } else {
            let _ = writeln!(out, "| {} | {} | {} | {} | {} |", stamp(l.start, '.'), l.segment.name(), product, text, written_by(l));
        }
    }
    if !rejected.is_empty() {
        let _ = write!(out, "\n### Lines the guard refused ({})\n\n| planned at | line | why |\n|---|---|---|\n", rejected.len());
        for r in rejected {
            let _ = writeln!(out, "| {} | {} | {} |", stamp(r.planned_at, '.'), r.text.replace('|', "\\|"), r.reason.replace('|', "\\|"));
        }
    }
    out.push('\n');
    out
}

/// The played lines as JSON, for tools: times, segment, product, what was shown and what was
/// said, and the facts each line states.
pub fn lines_json(lines: &[PlayedLine], products: &[show::Product]) -> String {
    let list: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| {
            serde_json::json!({
                "start": (l.start * 1000.0).round() / 1000.0,
                "end": (l.end * 1000.0).round() / 1000.0,
                "segment": l.segment.name(),
                "product": l.product.and_then(|i| products.get(i)).map(|p| p.id.clone()),
                "display": l.utterance.display,
                "spoken": l.utterance.spoken,
                "facts": l.utterance.line.facts().collect::<Vec<_>>(),
                "source": l.origin.as_ref().map(|o| o.source.clone()),
                "engine": l.origin.as_ref().map(|o| o.engine.clone()),
                "writer": l.origin.as_ref().map(|o| o.writer.clone()),
                "written_by": written_by(l),
                "provenance": &l.utterance.line.by,
                "pack": l.origin.as_ref().map(|o| o.pack.clone()),
                "notes": l.origin.as_ref().map(|o| o.notes.clone()).unwrap_or_default(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_and_wrapping() {
        assert_eq!(stamp(3723.4567, ','), "01:02:03,457");
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
    }
}
