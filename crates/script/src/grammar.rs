//! The grammar probe: a linear classifier on one middle layer of a language model's hidden
//! states that tells a broken line ("Here's what I love: can be used morning and evening.")
//! from a well-formed one.
//!
//! The fluency score (a line's mean log-probability, `fluency`) mixes how surprising a line's
//! content is with how well it is put together: a short call to action scores below a pasted
//! catalog bullet, so no floor on it separates the two. What a model knows about
//! well-formedness sits in its middle layers, close to linearly; a probe reads it there. It is
//! trained per model, on this machine, from the model itself: the good lines are the spoken
//! lines of our own test shows (`assets/fluency/good-lines.txt`), the bad ones the same lines
//! broken the ways small models and pasted catalog points break them ([`corrupt`]). Training
//! reads ~2,800 lines through the model (a few minutes) and leaves a small JSON file beside
//! the GGUF; `evercast models install` does it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::llm::{Llm, LlmError};

/// What the model reads before each line: the line is read as a host's words.
const CONTEXT: &str = "Transcript of a live shopping stream. The host says:\n";

/// A line the probe gives this probability of being broken, or more, is not spoken. On 53
/// hand-labelled lines of the cosmetics export (18 broken, 35 sound; none in the training
/// set) the 0.5B's probe puts 9 broken and no sound line over 0.7 (at 0.5: 10 and 2), the
/// 1.5B's 10 and 2 (12 and 5); the broken examples score 0.81–1.00 under both.
pub const FLOOR: f32 = 0.7;

/// The larger model's probe reads only the lines the writer's own probe finds at least this
/// likely broken: the two agree on sound lines the writer's probe is sure of, and the reading
/// costs the writer a prefill of the larger model. Over 30 minutes of the 0.5B's copy, its own
/// probe put the lines the 1.5B's called broken at 0.29 or more on the bundles export (7 of
/// 224 spoken lines; 91% of all at 0.1 or more) and at 0.115 on the cosmetics export ("Use
/// this Rose Hip Facial Oil as a gentle massage drop."; 85% of 247 at 0.1 or more). The
/// cosmetics' "costs now" lines read 0.44–0.65 under it.
pub const ASK_READER: f32 = 0.1;

/// Whether the larger model's probe is asked about a line the writer's own probe put at
/// `own` (None: no own verdict): only when the own neither refuses it nor is sure of it.
pub fn worth_reading(own: Option<f32>) -> bool {
    own.is_none_or(|p| (ASK_READER..FLOOR).contains(&p))
}

/// The share of the writer's lines its own probe puts at [`ASK_READER`] or more (85–91% as
/// measured above): what the larger model's reading costs, in lines.
pub const READ_SHARE: f64 = 0.9;

/// Where in the model the probe reads, as a share of its depth (layer 19 of Qwen 1.5B's 28,
/// 16 of the 0.5B's 24: measured best of the layers tried).
pub const DEPTH: f32 = 0.68;

/// The spoken lines of the test shows, one per line: the good half of the training set.
pub const GOOD_LINES: &str = include_str!("../../../assets/fluency/good-lines.txt");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Probe {
    /// The GGUF file it was trained on (name and size), so a probe is never read through
    /// another model.
    pub model_file: String,
    pub model_bytes: u64,
    pub layer: usize,
    /// Over the layer's standardised mean hidden state, folded into raw units.
    pub weights: Vec<f32>,
    pub bias: f32,
    /// How it did on its own training set (share of lines told right) and what it was
    /// trained on, for `doctor` and the benchmarks.
    pub train_accuracy: f32,
    pub lines: usize,
    /// What it was trained from ([`training_key`]): a probe of other data (the good lines or
    /// the corruptions changed since) is not used, and `evercast models install` trains it
    /// again.
    #[serde(default)]
    pub data: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a grammar probe ({source})")]
    Bad { path: PathBuf, source: serde_json::Error },
}

impl Probe {
    /// Where the probe of `gguf` is kept: beside it.
    pub fn path_for(gguf: &Path) -> PathBuf {
        let mut name = gguf.file_name().unwrap_or_default().to_os_string();
        name.push(".grammar-probe.json");
        gguf.with_file_name(name)
    }

    /// The probe trained for `gguf`, if there is one and it was trained on this very file,
    /// from today's training data.
    pub fn load(gguf: &Path) -> Result<Option<Probe>, ProbeError> {
        Ok(Probe::load_any(gguf)?.filter(|p| p.data == training_key()))
    }

    /// The probe kept for `gguf`, whatever data it was trained from (`None`: none, or one of
    /// another file).
    pub fn load_any(gguf: &Path) -> Result<Option<Probe>, ProbeError> {
        let path = Probe::path_for(gguf);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ProbeError::Io { path, source }),
        };
        let probe: Probe = serde_json::from_str(&text).map_err(|source| ProbeError::Bad { path: path.clone(), source })?;
        let bytes = std::fs::metadata(gguf).map(|m| m.len()).unwrap_or(0);
        Ok((probe.model_bytes == bytes).then_some(probe))
    }

    /// Where this machine keeps a copy of each probe it trained, by model file, size and
    /// training data: [`show::cache_dir`], then `grammar-probes/`. A second checkout (CI's clean clone, a
    /// reinstall) takes its probes from there instead of reading ~3,700 lines through each
    /// model again (the 1.5B's takes about ten minutes on two cores). `None`: no home.
    pub fn cache_path(gguf: &Path) -> Option<PathBuf> {
        let dir = show::cache_dir()?;
        let bytes = std::fs::metadata(gguf).ok()?.len();
        let name = gguf.file_name()?.to_string_lossy().into_owned();
        Some(dir.join("grammar-probes").join(format!("{name}.{bytes}.{}.json", training_key())))
    }

    /// The cached probe of `gguf` trained from today's data, if this machine has one.
    pub fn from_cache(gguf: &Path) -> Option<Probe> {
        let text = std::fs::read_to_string(Probe::cache_path(gguf)?).ok()?;
        let probe: Probe = serde_json::from_str(&text).ok()?;
        let bytes = std::fs::metadata(gguf).ok()?.len();
        let name = gguf.file_name()?.to_string_lossy();
        (probe.data == training_key() && probe.model_bytes == bytes && probe.model_file == name).then_some(probe)
    }

    /// Keeps a copy in the machine's cache ([`Probe::cache_path`]).
    pub fn keep_in_cache(&self, gguf: &Path) -> Result<PathBuf, ProbeError> {
        fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ProbeError + '_ {
            move |source| ProbeError::Io { path: path.to_path_buf(), source }
        }
        let path = Probe::cache_path(gguf).ok_or_else(|| ProbeError::Io { path: PathBuf::from("~/.cache/evercast"), source: std::io::Error::other("no cache folder (set EVERCAST_CACHE or HOME)") })?;
        let dir = path.parent().expect("a file in a folder");
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        // Written whole, then renamed: a second setup never reads half a probe.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_string(self).expect("a probe serialises")).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(path)
    }

    pub fn save(&self, gguf: &Path) -> Result<PathBuf, ProbeError> {
        let path = Probe::path_for(gguf);
        let text = serde_json::to_string(self).expect("a probe serialises");
        std::fs::write(&path, text).map_err(|source| ProbeError::Io { path: path.clone(), source })?;
        Ok(path)
    }

    /// The probability that `line` is broken, read through `llm` (the model it was trained on).
    pub fn broken(&self, llm: &mut Llm, line: &str) -> Result<f32, LlmError> {
        let h = llm.hidden_mean(CONTEXT, line.trim(), self.layer)?;
        let z = self.bias + self.weights.iter().zip(&h).map(|(w, x)| w * x).sum::<f32>();
        Ok(sigmoid(z))
    }

    /// Trains a probe for the model `llm` was loaded from (`gguf`): [`GOOD_LINES`] against
    /// their [`corrupt`]ed forms. `progress` hears how far it is.
    pub fn train(llm: &mut Llm, gguf: &Path, progress: &dyn Fn(usize, usize)) -> Result<Probe, LlmError> {
        let layer = ((llm.config().n_layer as f32 * DEPTH) as usize).min(llm.config().n_layer.saturating_sub(1));
        let examples = examples();
        let mut xs: Vec<Vec<f32>> = Vec::with_capacity(examples.len());
        for (i, (line, _)) in examples.iter().enumerate() {
            xs.push(llm.hidden_mean(CONTEXT, line, layer)?);
            if i % 100 == 0 || i + 1 == examples.len() {
                progress(i + 1, examples.len());
            }
        }
        let ys: Vec<f32> = examples.iter().map(|e| e.1).collect();
        let (weights, bias) = logistic_regression(&xs, &ys, REGULARISATION);
        let right = xs.iter().zip(&ys).filter(|(x, y)| (sigmoid(bias + dot(&weights, x)) >= FLOOR) == (**y > 0.5)).count();
        Ok(Probe {
            model_file: gguf.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            model_bytes: std::fs::metadata(gguf).map(|m| m.len()).unwrap_or(0),
            layer,
            weights,
            bias,
            train_accuracy: right as f32 / xs.len().max(1) as f32,
            lines: xs.len(),
            data: training_key(),
        })
    }
}

/// The training set: each good line (0) and, where one applies, its corruption (1).
fn examples() -> Vec<(String, f32)> {
    let mut out = Vec::new();
    for (i, line) in GOOD_LINES.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        out.push((line.to_string(), 0.0));
        if let Some(bad) = corrupt(line, i as u64) {
            out.push((bad, 1.0));
        }
    }
    out
}

/// A hash of what a probe is trained from: the examples, the context they are read in, the
/// depth and the regularisation. Computed, not versioned by hand, so a change to the good
/// lines or to [`corrupt`] cannot leave an old probe in use.
pub fn training_key() -> String {
    use sha2::{Digest, Sha256};
    // Built-in data only: computed once per process (every probe load compares with it).
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut h = Sha256::new();
        for (line, y) in examples() {
            h.update(line.as_bytes());
            h.update([0, y as u8]);
        }
        h.update(CONTEXT.as_bytes());
        h.update(DEPTH.to_le_bytes());
        h.update(REGULARISATION.to_le_bytes());
        h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
    })
    .clone()
}

/// The writer's ear for broken lines: its own model's probe and, where the machine has room
/// for it (`auto::grammar_reader`), a larger installed model's probe too. A line is as broken
/// as the more doubtful of the two finds it; the larger reads only the lines the writer's own
/// doubts ([`ASK_READER`]), which keeps its cost within the writer's time. On the 53 hand-labelled lines the 0.5B's probe
/// alone puts 9 of the 18 broken lines over the floor, the two together 11 (the 1.5B's adds
/// "The Vitamin C Brightening Lotion costs now $24.00." and "Show the Gentle Foaming
/// Cleanser."), at the cost of two of the 35 sound ones; over 30 minutes of the 0.5B's copy
/// the larger probe called 14 spoken lines broken that the writer's own had passed.
pub struct GrammarCheck {
    own: Option<Probe>,
    /// The larger model, loaded for this alone, and its probe.
    larger: Option<(Probe, Llm)>,
    /// The larger model still loading on a thread of its own ([`GrammarCheck::loading`]):
    /// waited for when a line is first read.
    pending: Option<ReaderLoad>,
}

impl GrammarCheck {
    /// `None` when there is no probe to read with.
    pub fn new(own: Option<Probe>, larger: Option<(Probe, Llm)>) -> Option<GrammarCheck> {
        (own.is_some() || larger.is_some()).then_some(GrammarCheck { own, larger, pending: None })
    }

    /// The writer's own probe, and a larger model whose load ([`GrammarCheck::load_reader_on_a_thread`])
    /// goes on while the show starts: the first line read waits for it.
    pub fn loading(own: Option<Probe>, load: ReaderLoad) -> GrammarCheck {
        GrammarCheck { own, larger: None, pending: Some(load) }
    }

    /// [`GrammarCheck::load_reader`] on a thread of its own: a show starts without waiting for
    /// it (its opening is the market's own words, not read by the probes).
    pub fn load_reader_on_a_thread(gguf: PathBuf, threads: usize) -> ReaderLoad {
        std::thread::Builder::new().name("grammar-reader".into()).spawn(move || Self::load_reader(&gguf, threads)).expect("a thread to load the grammar reader")
    }

    /// Takes the larger model in once its load is done (waiting for it), or lets it go.
    fn settle(&mut self) {
        let Some(load) = self.pending.take() else { return };
        match load.join() {
            Ok(Ok(Some(reader))) => {
                tracing::info!(reader = reader.1.label(), "a larger model's grammar probe reads the writer's lines too");
                self.larger = Some(reader);
            }
            Ok(Ok(None)) => tracing::warn!("the larger model has no grammar probe (`evercast models install` trains one); the writer's own reads alone"),
            Ok(Err(e)) => tracing::warn!("the larger model's grammar probe is off: {e}"),
            Err(_) => tracing::warn!("loading the larger model's grammar probe failed; the writer's own reads alone"),
        }
    }

    /// Loads the model `gguf` to read lines for another model's writer, with its probe;
    /// `None` when it has no probe (trained by `evercast models install`). On the CPU: only
    /// its engine exposes hidden states.
    pub fn load_reader(gguf: &Path, threads: usize) -> Result<Option<(Probe, Llm)>, ProbeError> {
        let Some(probe) = Probe::load(gguf)? else { return Ok(None) };
        // The probe reads one middle layer: the layers above it and the output head are not
        // loaded (a third of the 1.5B's weights; its load time and memory with them).
        let only_layers = Some(probe.layer + 1);
        let llm = Llm::load_with(gguf, &crate::llm::LoadOptions { threads, device: crate::llm::DeviceChoice::Cpu, only_layers, ..Default::default() })?;
        Ok(Some((probe, llm)))
    }

    /// The writer's own probe, for ranking many candidates cheaply.
    pub fn own(&self) -> Option<&Probe> {
        self.own.as_ref()
    }

    /// Whether a larger model reads the lines too (it is let go when it fails).
    pub fn has_reader(&self) -> bool {
        self.larger.is_some() || self.pending.is_some()
    }

    /// The writer's own probe, the larger model let go.
    pub fn into_own(self) -> Option<Probe> {
        self.own
    }

    /// The probability that `line` is broken: the higher of the two probes' (the larger is
    /// asked only when the writer's own neither refuses the line nor is sure of it, under
    /// [`ASK_READER`]). A larger model that fails is let go, and the writer's own probe goes
    /// on alone.
    pub fn broken(&mut self, writer: &mut Llm, line: &str) -> Result<f32, LlmError> {
        self.settle();
        let own = match &self.own {
            Some(probe) => Some(probe.broken(writer, line)?),
            None if self.larger.is_none() => return Err(LlmError::Inference("no grammar probe is left to read with".into())),
            None => None,
        };
        let mut p = own.unwrap_or(0.0);
        if worth_reading(own)
            && let Some(q) = self.reader_broken(line)
        {
            p = p.max(q);
        }
        Ok(p)
    }

    /// The probability that the larger model's probe finds `line` broken; None without a
    /// reader, or when it fails (and is let go).
    pub fn reader_broken(&mut self, line: &str) -> Option<f32> {
        self.settle();
        let (probe, llm) = self.larger.as_mut()?;
        let started = std::time::Instant::now();
        match probe.broken(llm, line) {
            Ok(q) => {
                tracing::debug!(ms = started.elapsed().as_millis() as u64, verdict = q, line, "the larger model's grammar probe read a line");
                Some(q)
            }
            Err(e) => {
                tracing::warn!(model = llm.label(), "the larger model's grammar probe failed ({e}); the writer's own reads on alone");
                self.larger = None;
                None
            }
        }
    }
}

/// A larger model and its probe loading on a thread of their own.
pub type ReaderLoad = std::thread::JoinHandle<Result<Option<(Probe, Llm)>, ProbeError>>;

/// L2 strength per example: strong, since the broken lines are made by a few rules and the
/// probe must learn what breaks a sentence, not which rule did (C = 0.01 in scikit-learn's
/// terms was best on the hand-labelled lines, against 0.001 and 0.1).
const REGULARISATION: f32 = 0.01;

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Logistic regression with an L2 penalty of `1 / (c · n)` on standardised features, by
/// gradient descent with Adam; returns weights and bias in the features' raw units.
fn logistic_regression(xs: &[Vec<f32>], ys: &[f32], c: f32) -> (Vec<f32>, f32) {
    let n = xs.len();
    let d = xs.first().map_or(0, Vec::len);
    if n == 0 || d == 0 {
        return (vec![0.0; d], 0.0);
    }
    let mut mean = vec![0.0f64; d];
    for x in xs {
        for (m, v) in mean.iter_mut().zip(x) {
            *m += *v as f64 / n as f64;
        }
    }
    let mut sd = vec![0.0f64; d];
    for x in xs {
        for ((s, v), m) in sd.iter_mut().zip(x).zip(&mean) {
            *s += (*v as f64 - m).powi(2) / n as f64;
        }
    }
    let sd: Vec<f64> = sd.iter().map(|s| s.sqrt() + 1e-6).collect();
    let z: Vec<Vec<f32>> = xs.iter().map(|x| x.iter().zip(&mean).zip(&sd).map(|((v, m), s)| ((*v as f64 - m) / s) as f32).collect()).collect();
    let lambda = 1.0 / (c * n as f32);
    let (mut w, mut b) = (vec![0.0f32; d], 0.0f32);
    let (mut mw, mut vw, mut mb, mut vb) = (vec![0.0f32; d], vec![0.0f32; d], 0.0f32, 0.0f32);
    let (rate, beta1, beta2, eps) = (0.01f32, 0.9f32, 0.999f32, 1e-8f32);
    let mut grad = vec![0.0f32; d];
    for step in 1..=600 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0.0f32;
        for (x, y) in z.iter().zip(ys) {
            let err = sigmoid(b + dot(&w, x)) - y;
            for (g, v) in grad.iter_mut().zip(x) {
                *g += err * v;
            }
            gb += err;
        }
        let t = step as i32;
        for i in 0..d {
            let g = grad[i] / n as f32 + lambda * w[i];
            mw[i] = beta1 * mw[i] + (1.0 - beta1) * g;
            vw[i] = beta2 * vw[i] + (1.0 - beta2) * g * g;
            w[i] -= rate * (mw[i] / (1.0 - beta1.powi(t))) / ((vw[i] / (1.0 - beta2.powi(t))).sqrt() + eps);
        }
        let g = gb / n as f32;
        mb = beta1 * mb + (1.0 - beta1) * g;
        vb = beta2 * vb + (1.0 - beta2) * g * g;
        b -= rate * (mb / (1.0 - beta1.powi(t))) / ((vb / (1.0 - beta2.powi(t))).sqrt() + eps);
    }
    // Fold the standardisation in: w·(x − m)/s + b = (w/s)·x + (b − Σ w·m/s).
    let raw: Vec<f32> = w.iter().zip(&sd).map(|(w, s)| (*w as f64 / s) as f32).collect();
    let shift: f64 = w.iter().zip(&mean).zip(&sd).map(|((w, m), s)| *w as f64 * m / s).sum();
    (raw, b - shift as f32)
}

/// A small deterministic generator (the corruption picked for a line depends only on `seed`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 33)).wrapping_mul(0xff51afd7ed558ccd) ^ (x >> 29)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Function words whose loss breaks a sentence.
const FUNCTION_WORDS: &[&str] = &["the", "a", "an", "to", "of", "and", "is", "it", "for", "with", "you", "your", "can", "are", "on", "in", "this"];

/// `line` broken the way generated or pasted copy breaks: a subject dropped (a catalog bullet
/// after a lead-in), a verb that does not agree, "a so easy gift", a noun phrase left where a
/// clause was, a function word dropped, a phrase said twice, a sentence cut after its article,
/// two words swapped, a wrong verb form, a word doubled. `None` when no way applies.
pub fn corrupt(line: &str, seed: u64) -> Option<String> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d);
    let ways: [fn(&str, &mut Rng) -> Option<String>; 11] =
        [drop_subject, disagree, so_before_adjective, leave_a_fragment, drop_function_word, say_twice, cut_after_article, swap_words, wrong_verb_form, double_word, paste_a_bullet];
    let mut order: Vec<usize> = (0..ways.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.into_iter().find_map(|i| ways[i](line, &mut rng).filter(|b| b != line))
}

fn words(line: &str) -> Vec<&str> {
    line.split(' ').filter(|w| !w.is_empty()).collect()
}

fn bare(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase()
}

fn drop_subject(line: &str, _: &mut Rng) -> Option<String> {
    for subject in ["It ", "They ", "This ", "You "] {
        if let Some(rest) = line.strip_prefix(subject) {
            return Some(crate::points::capitalize(rest));
        }
    }
    for subject in [": it ", ": they ", ": you ", " that it ", " that they "] {
        if let Some(at) = line.find(subject) {
            let lead = if subject.starts_with(" that") { " that " } else { ": " };
            let after = at + subject.len();
            return Some(format!("{}{lead}{}", &line[..at], &line[after..]));
        }
    }
    None
}

fn disagree(line: &str, _: &mut Rng) -> Option<String> {
    for (a, b) in [(" is ", " are "), (" are ", " is "), (" has ", " have "), (" have ", " has "), (" does ", " do "), (" was ", " were ")] {
        if line.contains(a) {
            return Some(line.replacen(a, b, 1));
        }
    }
    None
}

fn so_before_adjective(line: &str, _: &mut Rng) -> Option<String> {
    let ws = words(line);
    let i = ws.iter().position(|w| *w == "a" || *w == "an")?;
    ws.get(i + 2)?;
    let mut out: Vec<&str> = ws[..i].to_vec();
    out.extend(["a", "so"]);
    out.extend(&ws[i + 1..]);
    Some(out.join(" "))
}

fn leave_a_fragment(line: &str, _: &mut Rng) -> Option<String> {
    let lower = line.to_lowercase();
    for clause in ["it has an ", "it has a ", "it has ", "it's an ", "it's a ", "it is a ", "it is ", "they are ", "you can ", "it comes with a ", "it comes with "] {
        if let Some(at) = lower.find(clause)
            && (at == 0 || !lower[..at].ends_with(char::is_alphanumeric))
        {
            let rest = &line[at + clause.len()..];
            return Some(if at == 0 { crate::points::capitalize(rest) } else { format!("{}{rest}", &line[..at]) });
        }
    }
    None
}

fn drop_function_word(line: &str, rng: &mut Rng) -> Option<String> {
    let ws = words(line);
    let at: Vec<usize> = (1..ws.len()).filter(|&i| FUNCTION_WORDS.contains(&bare(ws[i]).as_str()) && !ws[i].ends_with([',', '.', '!', '?'])).collect();
    if at.is_empty() {
        return None;
    }
    let i = at[rng.below(at.len())];
    let mut out = ws.clone();
    out.remove(i);
    Some(out.join(" "))
}

fn say_twice(line: &str, rng: &mut Rng) -> Option<String> {
    let end = line.trim_end_matches(['.', '!', '?']);
    let stop = &line[end.len()..];
    let ws = words(end);
    if ws.len() <= 6 {
        return None;
    }
    let i = 1 + rng.below(ws.len() - 4);
    let k = 2 + rng.below(2);
    let mut out = ws.clone();
    out.extend(&ws[i..(i + k).min(ws.len())]);
    Some(format!("{}{}", out.join(" "), if stop.is_empty() { "." } else { stop }))
}

fn cut_after_article(line: &str, rng: &mut Rng) -> Option<String> {
    let ws = words(line.trim_end_matches(['.', '!', '?']));
    let at: Vec<usize> = (3..ws.len().saturating_sub(2)).filter(|&i| ["a", "an", "the", "both", "of", "with", "and", "to", "your"].contains(&ws[i].to_lowercase().as_str())).collect();
    if at.is_empty() {
        return None;
    }
    let i = at[rng.below(at.len())];
    Some(format!("{}.", ws[..i + 2].join(" ").trim_end_matches(',')))
}

fn swap_words(line: &str, rng: &mut Rng) -> Option<String> {
    let mut ws = words(line);
    if ws.len() <= 4 {
        return None;
    }
    let i = 1 + rng.below(ws.len() - 3);
    ws.swap(i, i + 1);
    Some(ws.join(" "))
}

fn wrong_verb_form(line: &str, _: &mut Rng) -> Option<String> {
    for (a, b) in [(" to get ", " to getting "), (" can be ", " can being "), (" will be ", " will being "), ("ing ", "s "), ("ed ", "ing ")] {
        if line.contains(a) {
            return Some(line.replacen(a, b, 1));
        }
    }
    None
}

fn double_word(line: &str, rng: &mut Rng) -> Option<String> {
    let ws = words(line);
    if ws.len() <= 4 {
        return None;
    }
    let i = 1 + rng.below(ws.len() - 2);
    let mut out = ws[..i].to_vec();
    out.push(ws[i].trim_end_matches([',', '.', '!', '?']));
    out.extend(&ws[i..]);
    Some(out.join(" "))
}

/// "Here's what I love: can be used morning and evening." — a catalog point with no subject
/// after a lead-in (what the templates said before points were given shapes).
fn paste_a_bullet(line: &str, rng: &mut Rng) -> Option<String> {
    let ws = words(line);
    let i = ws.iter().position(|w| w.eq_ignore_ascii_case("it"))?;
    let verb = bare(ws.get(i + 1)?);
    if !(verb.ends_with('s') || ["can", "is", "has", "will"].contains(&verb.as_str())) || ws.len() < i + 4 {
        return None;
    }
    const LEADS: [&str; 5] = ["Here's what I love:", "Let me point out that", "In everyday use,", "Good to know:", "So,"];
    let lead = LEADS[rng.below(LEADS.len())];
    Some(format!("{lead} {}", ws[i + 1..].join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe is used only with the file and the training data it was trained from.
    #[test]
    fn a_probe_of_other_data_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let gguf = dir.path().join("m.gguf");
        std::fs::write(&gguf, b"GGUF and some bytes").unwrap();
        let mut probe = Probe { model_file: "m.gguf".into(), model_bytes: 19, layer: 1, weights: vec![0.5; 4], bias: 0.1, train_accuracy: 0.9, lines: 8, data: training_key() };
        probe.save(&gguf).unwrap();
        assert!(Probe::load(&gguf).unwrap().is_some());
        probe.data = "0123456789abcdef".into();
        probe.save(&gguf).unwrap();
        assert!(Probe::load(&gguf).unwrap().is_none(), "trained from other data");
        assert!(Probe::load_any(&gguf).unwrap().is_some());
        probe.data = training_key();
        probe.model_bytes = 20;
        probe.save(&gguf).unwrap();
        assert!(Probe::load_any(&gguf).unwrap().is_none(), "trained on another file");
        // Stable, and changed by any change to the examples.
        assert_eq!(training_key(), training_key());
        assert_eq!(training_key().len(), 16);
    }

    #[test]
    fn corruptions_break_lines_and_are_repeatable() {
        let line = "It can be used morning and evening, and it has a leak-proof lid.";
        let a = corrupt(line, 3).unwrap();
        assert_eq!(Some(a.clone()), corrupt(line, 3), "the same seed breaks a line the same way");
        assert_ne!(a, line);
        let all: std::collections::HashSet<String> = (0..40).filter_map(|s| corrupt(line, s)).collect();
        assert!(all.len() >= 6, "many ways: {all:?}");
        assert!(all.iter().all(|b| b != line));
        assert_eq!(drop_subject("It can be used morning and evening.", &mut Rng(1)).unwrap(), "Can be used morning and evening.");
        assert_eq!(drop_subject("Here's why: it cools skin after sun.", &mut Rng(1)).unwrap(), "Here's why: cools skin after sun.");
        assert_eq!(so_before_adjective("It makes a lovely gift, too.", &mut Rng(1)).unwrap(), "It makes a so lovely gift, too.");
        assert_eq!(leave_a_fragment("Plus, it has a leak-proof lid and carry loop.", &mut Rng(1)).unwrap(), "Plus, leak-proof lid and carry loop.");
    }

    #[test]
    fn logistic_regression_separates_a_separable_set() {
        let xs: Vec<Vec<f32>> = (0..200).map(|i| vec![(i % 2) as f32 * 2.0 - 1.0 + (i as f32 * 0.37).sin() * 0.3, (i as f32 * 1.3).cos()]).collect();
        let ys: Vec<f32> = (0..200).map(|i| (i % 2) as f32).collect();
        let (w, b) = logistic_regression(&xs, &ys, 1.0);
        let right = xs.iter().zip(&ys).filter(|(x, y)| (sigmoid(b + dot(&w, x)) >= 0.5) == (**y > 0.5)).count();
        assert_eq!(right, 200);
    }
}
