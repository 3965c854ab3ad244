//! Small helpers shared by the commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn,evercast=info,director=info,broadcast=info,voice=info,avatar=info,script=info",
        1 => "info,evercast=debug,director=debug,broadcast=debug,voice=debug,avatar=debug,script=debug",
        _ => "debug,evercast=trace,director=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("EVERCAST_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}

/// Parses `20s`, `5m`, `1h30m`, `90` (seconds), `1.5h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Ok(Duration::from_secs_f64(secs.max(0.0)));
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut any = false;
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().map_err(|_| format!("`{s}` is not a duration like 20s, 5m or 1h30m"))?;
        num.clear();
        total += n * match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86400.0,
            _ => return Err(format!("`{s}` is not a duration like 20s, 5m or 1h30m")),
        };
        any = true;
    }
    if !num.is_empty() || !any {
        return Err(format!("`{s}` is not a duration like 20s, 5m or 1h30m"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// The show file to use: the one given, else `assets/demo/show.toml` in the current folder,
/// else the demo built into the binary (unpacked to a cache folder).
pub fn show_path(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = given {
        if !p.is_file() {
            bail!("no show file at {}", p.display());
        }
        return Ok(p);
    }
    let local = Path::new("assets/demo/show.toml");
    if local.is_file() {
        return Ok(local.to_path_buf());
    }
    crate::demo::unpack().context("cannot unpack the built-in demo show")
}

pub fn catalog(file: &Path, currency: &str, json: bool, points: bool) -> Result<ExitCode> {
    let cur = show::Currency::from_code(currency).with_context(|| format!("`{currency}` is not a currency code such as USD"))?;
    match show::catalog::load(file, cur) {
        Ok(c) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&c.products)?);
            } else {
                let en = show::Locale::parse("en-US").expect("valid tag");
                println!("{}: {} sellable products", file.display(), c.products.len());
                for p in &c.products {
                    let discount = p.discount_percent().map(|d| format!(" ({} off {})", en.format_discount(d), en.format_money(&p.compare_at().expect("discount has compare-at")))).unwrap_or_default();
                    let stock = p.stock().map(|s| format!(", {s} in stock")).unwrap_or_default();
                    println!(
                        "  {} — {}: {}{}, {} variant(s){}, {} point(s), {} image(s)",
                        p.id,
                        p.title,
                        en.format_money(&p.price()),
                        discount,
                        p.variants.len(),
                        stock,
                        p.points.len(),
                        p.images.len()
                    );
                    if points {
                        for raw in &p.points {
                            let pt = script::points::Point::new(raw);
                            let said = match pt.sentence() {
                                Some(s) if pt.form.speakable() => format!("→ \"{s}\""),
                                _ => "→ not read out".to_string(),
                            };
                            let shown: String = raw.chars().take(70).collect();
                            let more = if raw.chars().count() > 70 { "…" } else { "" };
                            println!("      [{}] {shown}{more} {said}", pt.form.name());
                        }
                    }
                }
            }
            for n in &c.notices {
                eprintln!("note: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The output URL for a room when `--output` is given for several rooms: `{room}` is replaced;
/// without it the first room takes the URL as given and the others get `_<room>` appended
/// (before `.mp4`/`.m3u8` for files).
pub fn output_for(url: &str, room: &str, first: bool) -> String {
    if url.contains("{room}") {
        return url.replace("{room}", room);
    }
    if first {
        return url.to_string();
    }
    for ext in [".mp4", ".m3u8"] {
        if let Some(stem) = url.strip_suffix(ext) {
            return format!("{stem}_{room}{ext}");
        }
    }
    format!("{url}_{room}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20s").unwrap(), Duration::from_secs(20));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn outputs_per_room() {
        assert_eq!(output_for("rtmp://h/live/KEY", "main", true), "rtmp://h/live/KEY");
        assert_eq!(output_for("rtmp://h/live/KEY", "vertical", false), "rtmp://h/live/KEY_vertical");
        assert_eq!(output_for("out/show.mp4", "vertical", false), "out/show_vertical.mp4");
        assert_eq!(output_for("rtmp://h/live/{room}", "main", true), "rtmp://h/live/main");
    }
}
