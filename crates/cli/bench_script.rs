//! `evercast bench script`: how the show's copy reads, per writer and model — the share of
//! spoken lines the LLM wrote, refusals by reason, verbatim repeats per hour, product-name
//! errors, words per minute, the writer's CPU per show minute, and a fluency score (mean
//! per-token log-probability under the largest installed model) for the LLM's lines and the
//! templates' alike.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use anyhow::{Context, Result};
use director::room::{WriterChoice, make_writer};
use director::show::Show;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use show::stages::Writer;

/// Where a scored line came from, for the fluency means.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Llm,
    Template,
    Other,
}

#[derive(Serialize, Default)]
pub struct ScriptFigures {
    pub writer: String,
    pub show_minutes: f64,
    pub spoken_lines: usize,
    /// Share of spoken lines the LLM wrote (the rest: templates and the persona's own words).
    pub llm_share: f64,
    pub refusals: BTreeMap<String, usize>,
    /// Up to three refused lines per reason, with the guard's or judge's words.
    pub refusal_examples: BTreeMap<String, Vec<String>>,
    pub verbatim_repeats_per_hour: f64,
    /// Spoken lines naming a product other than the one on stage (or, in a transition, the next).
    pub product_name_errors: usize,
    /// Spoken lines whose facts the catalog does not back (re-checked after the writer).
    pub unsupported_facts: usize,
    pub words_per_minute: f64,
    /// CPU seconds the writer used per minute of show written.
    pub writer_cpu_s_per_show_minute: f64,
    /// Where the LLM's time went, per minute of show: prompt tokens run (not from the cache)
    /// and seconds on them, tokens decoded and seconds on them.
    pub llm_prefill_tokens_per_show_minute: f64,
    pub llm_prefill_s_per_show_minute: f64,
    pub llm_decode_tokens_per_show_minute: f64,
    pub llm_decode_s_per_show_minute: f64,
    /// Mean fluency of the LLM's spoken lines and of the templates' (nats per token).
    pub fluency_llm: Option<f64>,
    /// The templates' lines only (not the persona's own words).
    pub fluency_templates: Option<f64>,
    /// The templates' mean minus the LLM's within each segment kind both wrote lines of,
    /// averaged over those kinds weighted by their lines: the two means above also differ
    /// because the sources say different things (the LLM restates the product's facts, which
    /// the judge has just read; the templates also say the stock lines of a show — openings,
    /// calls to action — that no fact predicts). Positive: the templates read better.
    pub fluency_templates_minus_llm_same_kinds: Option<f64>,
    pub lowest_fluency: Option<(f64, String)>,
    pub lines_below_floor: usize,
    /// Spoken lines the judge's grammar probe calls broken (probability ≥ its floor), by
    /// source; none without a probe.
    pub broken_llm: Option<usize>,
    pub broken_templates: Option<usize>,
    /// The spoken line the probe finds most likely broken.
    pub most_broken: Option<(f64, String)>,
    /// With `--lines`: every spoken line (segment, source, fluency, text) and every refusal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ScriptedLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub all_refusals: Vec<(String, String)>,
}

/// One spoken line of a writer's script, for reading the copy itself.
#[derive(Serialize)]
pub struct ScriptedLine {
    pub segment: String,
    pub source: String,
    pub fluency: Option<f64>,
    /// The judge's grammar probe: how likely the line is broken.
    pub broken: Option<f64>,
    pub text: String,
}

#[derive(Serialize)]
struct ScriptReport {
    machine: String,
    catalog: String,
    judge: Option<String>,
    fluency_floor: f32,
    /// The grammar probe's probability at which a line counts as broken.
    grammar_floor: f32,
    results: Vec<ScriptFigures>,
}

/// A refusal's reason, grouped: "words the catalog does not support: glad, hear" → "unsupported words".
fn reason_kind(r: &str) -> String {
    let table = [
        ("reads as broken", "broken grammar"),
        ("words the catalog does not support", "unsupported words"),
        // Before "price": the denial is quoted, and may hold any word.
        ("a denial the product's text does not make", "unsupported denial"),
        ("the product's text says no to", "denied claim"),
        ("belongs in a tip, said as one", "care tip as a property"),
        ("is what a part is made of", "material of a part"),
        ("in a viewer's cart until they add it", "in the cart already"),
        ("the price is exact", "price"),
        ("describes the person wearing it", "model's measurement"),
        ("the model's measurement", "model's measurement"),
        ("is the person wearing it", "model's measurement"),
        ("is when this price ends", "offer minutes"),
        ("I am the host", "host in the third person"),
        ("I say what I like", "viewers told what they like"),
        ("name it once", "product named twice"),
        ("the product is not a", "called another thing"),
        ("is on the whole product", "discount on a part"),
        ("stock coming back", "restock promised"),
        ("safe, not the", "safe turned round"),
        ("names the", "wrong product name"),
        ("is not the name of the product", "invented product name"),
        ("too long", "too long"),
        ("too short", "too short"),
        ("unfinished", "unfinished"),
        ("off script", "off script"),
        ("does not say what it was asked", "off task"),
        ("superlative", "superlative"),
        ("banned", "banned claim"),
        ("urgency", "false urgency"),
        ("price", "price"),
        ("discount", "price"),
        ("said before", "repeat"),
        ("said a moment ago", "repeat"),
        ("no subject", "no subject"),
        ("does not fit there", "long shot"),
        ("the number", "number not in catalog"),
        ("count", "number not in catalog"),
        ("rating", "number not in catalog"),
        ("minutes", "offer minutes"),
        ("emoji", "emoji"),
        ("regular price", "price"),
        ("today's price", "price"),
    ];
    table.iter().find(|(k, _)| r.contains(k)).map(|(_, v)| v.to_string()).unwrap_or_else(|| "other".into())
}

#[allow(clippy::too_many_arguments)]
pub fn bench_script(show_path: Option<PathBuf>, catalog: Option<PathBuf>, minutes: f64, writers: &[String], models_dir: Option<PathBuf>, lines: bool, json: bool, machine: String) -> Result<()> {
    let path = crate::util::show_path(show_path)?;
    let show = Show::load(&path, catalog.as_deref())?;
    let dir = models_dir.unwrap_or_else(script::models::default_models_dir);
    let judge_path = script::fluency::Judge::largest(&dir);
    let mut results = Vec::new();
    let mut scored: Vec<Vec<(Source, show::SegmentKind, String, String)>> = Vec::new();
    for w in writers {
        let choice = if w == "template" {
            WriterChoice::Template
        } else {
            let model = script::models::resolve(w, &dir).with_context(|| format!("writer {w}"))?;
            WriterChoice::Llm { grammar: crate::writer::grammar_reader(&dir, &model), model, device: script::llm::DeviceChoice::Auto, threads: script::llm::default_threads() }
        };
        let mut writer: Box<dyn Writer> = make_writer(&show, &choice)?;
        let bar = ProgressBar::new(1000);
        bar.set_style(ProgressStyle::with_template("{prefix:>16} [{bar:30}] {percent:>3}% ({eta} left)").expect("valid template").progress_chars("=> "));
        bar.set_prefix(w.clone());
        let cpu0 = crate::bench::cpu_seconds();
        let llm0 = script::llm::TOTALS.read();
        let script = director::script_feed::write_script(&show, writer.as_mut(), minutes * 60.0, &mut |f| bar.set_position((f * 1000.0) as u64));
        let cpu = crate::bench::cpu_seconds() - cpu0;
        let llm = script::llm::TOTALS.read().since(llm0);
        bar.finish_and_clear();
        let en = show::Locale::parse("en-US").expect("valid tag");
        let show_minutes = script.seconds / 60.0;
        let mut f = ScriptFigures { writer: w.clone(), show_minutes, spoken_lines: script.lines.len(), ..Default::default() };
        let llm_lines = script.lines.iter().filter(|l| l.by.is_llm()).count();
        f.llm_share = llm_lines as f64 / script.lines.len().max(1) as f64;
        if lines {
            f.lines = script.lines.iter().map(|l| ScriptedLine { segment: l.kind.name().into(), source: l.by.label(), fluency: None, broken: None, text: l.display(&en) }).collect();
            f.all_refusals = script.rejected.clone();
        }
        for (text, r) in &script.rejected {
            let kind = reason_kind(r);
            *f.refusals.entry(kind.clone()).or_default() += 1;
            let ex = f.refusal_examples.entry(kind).or_default();
            if ex.len() < 3 {
                ex.push(format!("{text} ({r})"));
            }
        }
        let mut seen = HashSet::new();
        let repeats = script.lines.iter().filter(|l| !seen.insert(l.key())).count();
        f.verbatim_repeats_per_hour = repeats as f64 / (show_minutes / 60.0).max(1e-9);
        // Independent re-checks of what would be spoken: the guard with names on, every line.
        let guard = script::Guard::new(show.config.run_of_show.offer_minutes).with_names(&show.config.title, &show.config.persona.name);
        let by_id: HashMap<&str, usize> = show.products.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        for l in &script.lines {
            let next = l.product.as_deref().and_then(|id| by_id.get(id)).and_then(|i| show.products.get((i + 1) % show.products.len()));
            if let Err(r) = guard.check_in(l, &show.catalog, next) {
                if r.reason.contains("name") {
                    f.product_name_errors += 1;
                } else {
                    f.unsupported_facts += 1;
                }
            }
        }
        let words: usize = script.lines.iter().map(|l| l.display(&en).split_whitespace().count()).sum();
        f.words_per_minute = words as f64 / show_minutes.max(1e-9);
        f.writer_cpu_s_per_show_minute = cpu / show_minutes.max(1e-9);
        let per_min = |x: f64| x / show_minutes.max(1e-9);
        f.llm_prefill_tokens_per_show_minute = per_min(llm.prefill_tokens);
        f.llm_prefill_s_per_show_minute = per_min(llm.prefill_secs);
        f.llm_decode_tokens_per_show_minute = per_min(llm.decode_tokens);
        f.llm_decode_s_per_show_minute = per_min(llm.decode_secs);
        // The judge reads the product's facts first (a transition's, the next product's too),
        // so what it scores is how the line is put together, not how surprising its subject is.
        let facts_of = |l: &show::Line| -> String {
            let product = l.product.as_deref().and_then(|id| show.catalog.product(id));
            // The show and its host, the product's points, options and price: what any line
            // may name, so none of it counts as a surprise.
            let mut facts = format!("Show: {}, hosted by {}.", show.config.title, show.config.persona.name);
            if let Some(p) = product {
                facts.push_str(&format!(" {}. {}", p.title, script::points::speakable(p).iter().filter_map(|pt| pt.sentence()).collect::<Vec<_>>().join(" ")));
                let mut names: Vec<&String> = Vec::new();
                for (name, _) in p.variants.iter().flat_map(|v| &v.options) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                for name in names {
                    let values = p.option_values(name);
                    if values.len() >= 2 {
                        facts.push_str(&format!(" {name}: {}.", values.join(", ")));
                    }
                }
                facts.push_str(&format!(" Price: {}", en.format_money(&p.price())));
                if let Some(was) = p.compare_at() {
                    facts.push_str(&format!(", regular price {}", en.format_money(&was)));
                }
                facts.push('.');
            }
            if l.kind == show::SegmentKind::Transition
                && let Some(next) = l.product.as_deref().and_then(|id| by_id.get(id)).and_then(|i| show.products.get((i + 1) % show.products.len()))
            {
                facts.push_str(&format!(" Next product: {}.", next.title));
            }
            facts
        };
        // Means by source: the model's lines against the templates'; the persona's own words (the
        // seller's) count for the floor and the lowest line only.
        let source = |l: &show::Line| match &l.by {
            show::Provenance::Llm { .. } => Source::Llm,
            show::Provenance::Template { .. } => Source::Template,
            _ => Source::Other,
        };
        scored.push(script.lines.iter().map(|l| (source(l), l.kind, facts_of(l), l.display(&en))).collect());
        results.push(f);
        drop(writer);
    }
    // Fluency, after the writers are gone (the judge is the biggest model; one at a time).
    let judge_name = match &judge_path {
        Some(p) => {
            let mut judge = script::fluency::Judge::open(p)?;
            let total: usize = scored.iter().map(|s| s.iter().map(|(_, _, _, t)| t).collect::<HashSet<_>>().len()).sum();
            let bar = ProgressBar::new(total as u64);
            bar.set_style(ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} lines ({eta} left)").expect("valid template").progress_chars("=> "));
            bar.set_prefix(format!("judge {}", judge.model));
            let mut cache: HashMap<String, f64> = HashMap::new();
            let mut probed: HashMap<String, f64> = HashMap::new();
            for (f, lines) in results.iter_mut().zip(&scored) {
                if judge.has_probe() {
                    f.broken_llm = Some(0);
                    f.broken_templates = Some(0);
                }
                let mut by_kind: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
                for (i, (source, kind, facts, text)) in lines.iter().enumerate() {
                    let key = format!("{facts}\u{1}{text}");
                    let s = match cache.get(&key) {
                        Some(s) => *s,
                        None => {
                            let s = judge.score(facts, text)? as f64;
                            cache.insert(key, s);
                            bar.inc(1);
                            s
                        }
                    };
                    if s < script::fluency::FLOOR as f64 {
                        f.lines_below_floor += 1;
                    }
                    let broken = match probed.get(text) {
                        Some(b) => Some(*b),
                        None => match judge.broken(text) {
                            Some(b) => {
                                let b = b? as f64;
                                probed.insert(text.clone(), b);
                                Some(b)
                            }
                            None => None,
                        },
                    };
                    if let Some(b) = broken {
                        if b >= script::grammar::FLOOR as f64 {
                            let count = match source {
                                Source::Llm => &mut f.broken_llm,
                                Source::Template => &mut f.broken_templates,
                                Source::Other => &mut None,
                            };
                            if let Some(c) = count {
                                *c += 1;
                            }
                        }
                        if f.most_broken.as_ref().is_none_or(|(m, _)| b > *m) {
                            f.most_broken = Some((b, text.clone()));
                        }
                        if let Some(l) = f.lines.get_mut(i) {
                            l.broken = Some(b);
                        }
                    }
                    if f.lowest_fluency.as_ref().is_none_or(|(m, _)| s < *m) {
                        f.lowest_fluency = Some((s, text.clone()));
                    }
                    let pair = by_kind.entry(kind.name()).or_default();
                    match source {
                        Source::Llm => pair.0.push(s),
                        Source::Template => pair.1.push(s),
                        Source::Other => {}
                    }
                    // `lines` and `scored` both follow the script's order.
                    if let Some(l) = f.lines.get_mut(i) {
                        l.fluency = Some(s);
                    }
                }
                let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
                let llm: Vec<f64> = by_kind.values().flat_map(|(l, _)| l.iter().copied()).collect();
                let tpl: Vec<f64> = by_kind.values().flat_map(|(_, t)| t.iter().copied()).collect();
                f.fluency_llm = mean(&llm);
                f.fluency_templates = mean(&tpl);
                let (mut sum, mut weight) = (0.0, 0usize);
                for (l, t) in by_kind.values() {
                    if let (Some(ml), Some(mt)) = (mean(l), mean(t)) {
                        sum += (mt - ml) * (l.len() + t.len()) as f64;
                        weight += l.len() + t.len();
                    }
                }
                f.fluency_templates_minus_llm_same_kinds = (weight > 0).then(|| sum / weight as f64);
            }
            bar.finish_and_clear();
            Some(judge.model.clone())
        }
        None => None,
    };
    let report = ScriptReport {
        machine,
        catalog: show.config.catalog.display().to_string(),
        judge: judge_name,
        fluency_floor: script::fluency::FLOOR,
        grammar_floor: script::grammar::FLOOR,
        results,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("machine: {}", report.machine);
    println!("catalog: {}; fluency judge: {}", report.catalog, report.judge.as_deref().unwrap_or("none installed"));
    println!("| writer | show min | lines | LLM share | repeats/h | name errors | unsupported facts | words/min | writer CPU s/show min | fluency LLM | fluency templates | templates − LLM, same kinds | below {} | broken LLM / templates |", report.fluency_floor);
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into());
    for f in &report.results {
        println!(
            "| {} | {:.1} | {} | {:.0}% | {:.1} | {} | {} | {:.0} | {:.1} | {} | {} | {} | {} | {} |",
            f.writer, f.show_minutes, f.spoken_lines, f.llm_share * 100.0, f.verbatim_repeats_per_hour, f.product_name_errors, f.unsupported_facts,
            f.words_per_minute, f.writer_cpu_s_per_show_minute, opt(f.fluency_llm), opt(f.fluency_templates), f.fluency_templates_minus_llm_same_kinds.map(|x| format!("{x:+.2}")).unwrap_or_else(|| "—".into()), f.lines_below_floor,
            match (f.broken_llm, f.broken_templates) {
                (Some(l), Some(t)) => format!("{l} / {t}"),
                _ => "— (no probe)".into(),
            }
        );
    }
    for f in &report.results {
        let refusals = f.refusals.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        println!("{}: refusals: {}", f.writer, if refusals.is_empty() { "none".into() } else { refusals });
        if f.llm_prefill_tokens_per_show_minute + f.llm_decode_tokens_per_show_minute > 0.0 {
            println!(
                "{}: per show minute the LLM ran {:.0} prompt tokens in {:.1} s and decoded {:.0} tokens in {:.1} s",
                f.writer, f.llm_prefill_tokens_per_show_minute, f.llm_prefill_s_per_show_minute, f.llm_decode_tokens_per_show_minute, f.llm_decode_s_per_show_minute
            );
        }
        for (kind, ex) in &f.refusal_examples {
            for e in ex {
                println!("    {kind}: {e}");
            }
        }
        if let Some((s, t)) = &f.lowest_fluency {
            println!("{}: lowest fluency {s:.2}: {t}", f.writer);
        }
        if let Some((b, t)) = &f.most_broken {
            println!("{}: most likely broken ({b:.2}, floor {}): {t}", f.writer, report.grammar_floor);
        }
        if !f.lines.is_empty() {
            println!("{}: the script", f.writer);
            for l in &f.lines {
                println!(
                    "    {:<10} {:>6} {:>5} {:<28} {}",
                    l.segment,
                    l.fluency.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    l.broken.map(|b| format!("{b:.2}")).unwrap_or_default(),
                    l.source,
                    l.text
                );
            }
            println!("{}: every refusal", f.writer);
            for (text, why) in &f.all_refusals {
                println!("    {text} ({why})");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::reason_kind;

    #[test]
    fn the_writers_refusals_are_grouped() {
        assert_eq!(reason_kind("said before, word for word"), "repeat");
        assert_eq!(reason_kind("5 of its 6 phrases were said a moment ago"), "repeat");
        assert_eq!(reason_kind("9 of its 10 phrases were said before"), "repeat");
        assert_eq!(reason_kind("a denial the product's text does not make (\"doesn't price\")"), "unsupported denial");
        assert_eq!(reason_kind("nothing is in a viewer's cart until they add it: ask them to add it"), "in the cart already");
        assert_eq!(reason_kind("brass is what a part is made of (\"brass buckle\"), not the whole product"), "material of a part");
        assert_eq!(reason_kind("\"balm\" belongs in a tip, said as one: \"Condition it with leather balm twice a year.\""), "care tip as a property");
        assert_eq!(reason_kind("the product's text says no to \"dishwasher\""), "denied claim");
        assert_eq!(reason_kind("5 minutes is when this price ends, not a wait or a delivery time"), "offer minutes");
        assert_eq!(reason_kind("I say what I like about it myself"), "viewers told what they like");
        assert_eq!(reason_kind("the product is not a knit: say what the text says of the knit"), "called another thing");
        assert_eq!(reason_kind("the product and \"your …\" are one thing: name it once"), "product named twice");
        assert_eq!(reason_kind("178 is the model's measurement in the catalog, not the product's: say it of the model"), "model's measurement");
        assert_eq!(reason_kind("false urgency about the product itself"), "false urgency");
        assert_eq!(reason_kind("I am the host, so I say \"I\""), "host in the third person");
        assert_eq!(reason_kind("words the catalog does not support: glad, hear"), "unsupported words");
        assert_eq!(reason_kind("no subject: not a whole sentence"), "no subject");
        assert_eq!(reason_kind("the discount is on the whole product, not on the hand burr grinder"), "discount on a part");
        assert_eq!(reason_kind("the show knows nothing of stock coming back"), "restock promised");
        assert_eq!(reason_kind("the product is dishwasher safe, not the dishwasher"), "safe turned round");
    }
}
