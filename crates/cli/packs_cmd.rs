//! `evercast packs …` (list, show, validate, new, swap, translate-bank) and `evercast translate`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use director::language::{BUILTIN_PACKS, LanguageKit, load_packs, source_locale, state_dir, validate_dir};
use director::show::Show;
use show::pack::EngineKind;
use show::stages::Translator;
use show::{Line, Pack, SegmentKind};

#[derive(Subcommand)]
pub enum PacksCommand {
    /// Lists the language packs (built in, and `packs/` next to the show).
    List {
        /// The show whose `packs/` folder adds or overrides packs (default: the demo show).
        show: Option<PathBuf>,
    },
    /// Shows one pack: locale, voices, translator, glossary, rules, disclosure, templates.
    Show {
        id: String,
        /// Print the pack's pack.toml.
        #[arg(long)]
        toml: bool,
    },
    /// Checks a pack folder (or a folder of packs): every error with file, line and field.
    Validate { dir: PathBuf },
    /// Starts a new pack from an existing one: writes packs/<ID>/pack.toml to edit.
    New {
        id: String,
        /// The pack to copy.
        #[arg(long, default_value = "en-US")]
        from: String,
        /// The folder of packs to write into (next to your show).
        #[arg(long, default_value = "packs")]
        dir: PathBuf,
    },
    /// Swaps a running room's language pack (the show's control endpoint on 127.0.0.1).
    Swap {
        #[arg(long)]
        room: String,
        pack: String,
        /// Port of the running show's local server.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The control token (default: $EVERCAST_CONTROL_TOKEN, else the one the show left
        /// for local tools).
        #[arg(long)]
        token: Option<String>,
    },
    /// Pre-translates the lines the show's template writer says, for review; fills the
    /// pack's translation memory so the show spends nothing on them later.
    TranslateBank {
        id: String,
        /// The show (default: the demo show).
        show: Option<PathBuf>,
        /// Minutes of script to write.
        #[arg(long, default_value_t = 30.0)]
        minutes: f64,
        /// Write the review table (Markdown) here; default: standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(cmd: PacksCommand) -> Result<ExitCode> {
    match cmd {
        PacksCommand::List { show } => list(show),
        PacksCommand::Show { id, toml } => show_pack(&id, toml),
        PacksCommand::Validate { dir } => validate(&dir),
        PacksCommand::New { id, from, dir } => new_pack(&id, &from, &dir),
        PacksCommand::Swap { room, pack, port, token } => swap(&room, &pack, port, token),
        PacksCommand::TranslateBank { id, show, minutes, out } => translate_bank(&id, show, minutes, out),
    }
}

fn packs_of(show: Option<PathBuf>) -> Result<show::PackSet> {
    let path = crate::util::show_path(show)?;
    let dir = path.parent().unwrap_or(Path::new(".")).join("packs");
    Ok(load_packs(&[dir])?)
}

fn list(show: Option<PathBuf>) -> Result<ExitCode> {
    let packs = packs_of(show)?;
    let models = script::models::default_models_dir();
    println!("{:<7} {:<24} {:<5} {:<18} {:<26} origin", "id", "name", "dir", "voice", "translator");
    for p in packs.iter() {
        let voice = p.espeak_voice().map(|v| format!("espeak:{}", v.voice)).unwrap_or_default();
        let translator = if p.locale.language() == source_locale().language() {
            "— (source language)".to_string()
        } else {
            p.translator
                .engines
                .iter()
                .map(|e| {
                    let ok = match e {
                        EngineKind::Llm => script::models::resolve(p.translator.model.as_deref().unwrap_or("qwen2.5-0.5b"), &models).is_ok(),
                        EngineKind::Apertium => which("apertium"),
                    };
                    format!("{}{}", e.name(), if ok { "" } else { "(missing)" })
                })
                .chain(std::iter::once("native".to_string()))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        println!("{:<7} {:<24} {:<5} {:<18} {:<26} {}", p.id, p.name, format!("{:?}", p.direction).to_lowercase(), voice, translator, p.origin);
    }
    Ok(ExitCode::SUCCESS)
}

fn which(bin: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

fn find_pack(id: &str) -> Result<Pack> {
    let packs = packs_of(None)?;
    packs.get(id).cloned().ok_or_else(|| anyhow!("no language pack `{id}` (packs: {})", packs.ids().join(", ")))
}

fn show_pack(id: &str, toml: bool) -> Result<ExitCode> {
    let p = find_pack(id)?;
    if toml {
        match BUILTIN_PACKS.iter().find(|(b, _)| *b == p.id).filter(|_| p.origin == "built-in") {
            Some((_, text)) => print!("{text}"),
            None => print!("{}", std::fs::read_to_string(&p.origin).with_context(|| format!("cannot read {}", p.origin))?),
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} — {} ({}), {} · {}", p.id, p.name, p.language_name, p.locale, p.origin);
    println!("  voices:      {}", p.voices.iter().map(|v| format!("{}:{} ×{}", v.engine.name(), v.voice, v.speed)).collect::<Vec<_>>().join(", "));
    println!(
        "  translator:  {} (model {}{})",
        p.translator.engines.iter().map(|e| e.name()).chain(["native"]).collect::<Vec<_>>().join(" → "),
        p.translator.model.as_deref().unwrap_or("—"),
        p.translator.apertium_pair.as_deref().map(|a| format!(", apertium {a}")).unwrap_or_default()
    );
    println!("  glossary:    {} kept, {} fixed translations", p.glossary.keep.len(), p.glossary.terms.len());
    let n = &p.numbers;
    let sample = p.locale.format_money(&show::Money::new(1_234_990, show::Currency::from_code(&n.default_currency).unwrap_or(show::Currency::USD)));
    println!("  numbers:     {sample} · {} · dates {} · {} units", p.locale.format_percent(40), n.date, n.units);
    println!("  rules:       synthetic voice {}; {} banned phrases", if p.rules.ai_voice_allowed { "allowed" } else { "NOT allowed" }, p.rules.banned.len());
    println!("  AI label:    {}", p.disclosure.label);
    println!("  disclosure:  {}", p.disclosure.spoken.first().map(String::as_str).unwrap_or("—"));
    println!("  subtitles:   {} ({})", p.subtitle_font, format!("{:?}", p.direction).to_lowercase());
    match &p.templates {
        Some(t) => println!("  templates:   native, {} lines in {} banks", t.lists().iter().map(|(_, l)| l.len()).sum::<usize>(), t.lists().iter().filter(|(_, l)| !l.is_empty()).count()),
        None => println!("  templates:   the built-in English banks"),
    }
    Ok(ExitCode::SUCCESS)
}

fn validate(dir: &Path) -> Result<ExitCode> {
    let dirs: Vec<PathBuf> = if dir.join("pack.toml").is_file() {
        vec![dir.to_path_buf()]
    } else {
        let mut d: Vec<PathBuf> = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.flatten().map(|e| e.path()).filter(|p| p.join("pack.toml").is_file()).collect();
        d.sort();
        d
    };
    if dirs.is_empty() {
        bail!("no pack.toml in {} or its folders", dir.display());
    }
    let mut failed = false;
    for d in dirs {
        match validate_dir(&d) {
            Ok(p) => println!("ok    {} ({}, {})", p.id, p.locale, d.display()),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn new_pack(id: &str, from: &str, dir: &Path) -> Result<ExitCode> {
    let src = find_pack(from)?;
    let text = match BUILTIN_PACKS.iter().find(|(b, _)| *b == src.id).filter(|_| src.origin == "built-in") {
        Some((_, t)) => t.to_string(),
        None => std::fs::read_to_string(&src.origin)?,
    };
    let folder = dir.join(id);
    let file = folder.join("pack.toml");
    if file.exists() {
        bail!("{} exists already", file.display());
    }
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("id =") {
            out.push_str(&format!("id = \"{id}\""));
        } else if t.starts_with("locale =") && show::Locale::parse(id).is_ok() {
            out.push_str(&format!("locale = \"{}\"", show::Locale::parse(id).map(|l| l.to_string()).unwrap_or_default()));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    std::fs::create_dir_all(&folder)?;
    std::fs::write(&file, out)?;
    println!("wrote {} (a copy of {from}): edit it, then `evercast packs validate {}`", file.display(), folder.display());
    Ok(ExitCode::SUCCESS)
}

fn swap(room: &str, pack: &str, port: u16, token: Option<String>) -> Result<ExitCode> {
    let token = match token.or_else(|| std::env::var(control::swap::TOKEN_VAR).ok()) {
        Some(t) => t,
        None => std::fs::read_to_string(control::swap::token_file(port))
            .map_err(|_| anyhow!("no control token: pass --token or set {} (the running show printed it at start)", control::swap::TOKEN_VAR))?,
    };
    let body = serde_json::json!({ "pack": pack }).to_string();
    control::swap::post(port, &format!("/api/rooms/{room}/pack"), token.trim(), &body)?;
    println!("{room}: now speaking {pack} from its next sentence");
    Ok(ExitCode::SUCCESS)
}

fn translate_bank(id: &str, show: Option<PathBuf>, minutes: f64, out: Option<PathBuf>) -> Result<ExitCode> {
    let path = crate::util::show_path(show)?;
    let show = Show::load(&path, None)?;
    let kit = LanguageKit::new(&show, Some(state_dir().join("tm")), script::llm::default_threads())?;
    let pack = kit.packs.get(id).cloned().ok_or_else(|| anyhow!("no language pack `{id}`"))?;
    if pack.locale.language() == source_locale().language() {
        bail!("{id} speaks the show's own language: nothing to translate");
    }
    let mut translator = kit.translator(&pack);
    let lines = director::script_feed::template_script(&show, minutes * 60.0);
    let mut seen = std::collections::HashSet::new();
    let mut table = format!("# {} — template lines translated for review\n\n| English | {} | engine |\n|---|---|---|\n", pack.id, pack.name);
    let bar = indicatif::ProgressBar::new(lines.len() as u64);
    let (mut done, mut failed) = (0, 0);
    for line in lines {
        bar.inc(1);
        let src = line.display(&source_locale());
        if !seen.insert(src.clone()) {
            continue;
        }
        let cell = |s: &str| s.replace('|', "\\|");
        match translator.translate(&line, &source_locale(), &pack.locale) {
            Ok(t) => {
                done += 1;
                table.push_str(&format!("| {} | {} | {} |\n", cell(&src), cell(&t.line.display(&pack.locale)), t.engine));
            }
            Err(e) => {
                failed += 1;
                table.push_str(&format!("| {} | — | refused: {} |\n", cell(&src), cell(&e.message)));
            }
        }
    }
    bar.finish_and_clear();
    match out {
        Some(f) => std::fs::write(&f, &table).with_context(|| format!("cannot write {}", f.display()))?,
        None => print!("{table}"),
    }
    eprintln!("{done} lines translated, {failed} without a faithful translation (the room says native lines for those)");
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct TranslateArgs {
    /// The language pack to translate into (`es-MX`, `ja-JP`, …).
    #[arg(long)]
    to: String,
    /// The source language.
    #[arg(long, default_value = "en-US")]
    from: String,
    /// Use only this engine (default: the pack's engines in order).
    #[arg(long, value_parser = ["llm", "apertium"])]
    engine: Option<String>,
    /// Skip the translation memory (measure the engine itself).
    #[arg(long)]
    no_memory: bool,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// The show whose product names are locked (default: the demo show).
    #[arg(long)]
    show: Option<PathBuf>,
}

/// `evercast translate`: lines from stdin, translated the way a room would (locking,
/// glossary, market guard), each with its engine and any refusal.
pub fn translate(args: TranslateArgs) -> Result<ExitCode> {
    let path = crate::util::show_path(args.show)?;
    let show = Show::load(&path, None)?;
    let memory = if args.no_memory { None } else { Some(state_dir().join("tm")) };
    let kit = Arc::new(LanguageKit::new(&show, memory, script::llm::default_threads())?);
    let pack = kit.packs.get(&args.to).cloned().ok_or_else(|| anyhow!("no language pack `{}` (packs: {})", args.to, kit.packs.ids().join(", ")))?;
    let from = show::Locale::parse(&args.from).map_err(anyhow::Error::msg)?;
    let kinds: Vec<EngineKind> = match args.engine.as_deref() {
        Some("llm") => vec![EngineKind::Llm],
        Some("apertium") => vec![EngineKind::Apertium],
        _ => pack.translator.engines.clone(),
    };
    let mut translator = kit.translator_with(&pack, &kinds);
    let banned = pack.banned();
    let stdin = std::io::stdin();
    for text in stdin.lock().lines() {
        let text = text?;
        if text.trim().is_empty() {
            continue;
        }
        let line = Line::new(SegmentKind::Pitch, None).text(text.trim().to_string());
        let started = std::time::Instant::now();
        let result = translator.translate(&line, &from, &pack.locale);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (translation, engine, notes, refused) = match result {
            Ok(t) => {
                let display = t.line.display(&pack.locale);
                // Free text has no catalog facts to check: the market's banned phrases are.
                let refused = banned.find(&display).map(|b| format!("banned in {}: \"{b}\"", pack.id));
                (Some(display), t.engine, t.notes, refused)
            }
            Err(e) => (None, "none".to_string(), Vec::new(), Some(e.message)),
        };
        if args.json {
            println!("{}", serde_json::json!({"source": text, "translation": translation, "engine": engine, "notes": notes, "refused": refused, "ms": (ms * 10.0).round() / 10.0}));
        } else {
            match (&translation, &refused) {
                (Some(t), None) => println!("{t}\t[{engine}, {ms:.0} ms]"),
                (Some(t), Some(r)) => println!("REFUSED ({r}): {t}\t[{engine}]"),
                (None, Some(r)) => println!("NO TRANSLATION ({r})"),
                (None, None) => println!("NO TRANSLATION"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
