//! Tests with the real installed models (the set-up installs them with `evercast models install`;
//! see `models::tests::install_manifest_models`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use candle_core::{Device, Tensor};

use super::*;

fn models_dir() -> PathBuf {
    match std::env::var_os("EVERCAST_MODELS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
    }
}

fn model(name: &str) -> PathBuf {
    crate::models::resolve(name, &models_dir()).unwrap_or_else(|e| panic!("the tests need the installed model: {e}"))
}

const SMOL: &str = "smollm2-135m";
const QWEN: &str = "qwen2.5-0.5b";

/// Model tests share two cores; running them one at a time keeps timings and memory sane.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| Mutex::new(())).lock().unwrap_or_else(|p| p.into_inner())
}

fn load(name: &str) -> Llm {
    Llm::load_with(&model(name), &LoadOptions { device: DeviceChoice::Cpu, ..LoadOptions::default() }).unwrap()
}

const SAMPLES: &[&str] = &[
    "The Aurora teapot keeps tea hot for 40 minutes, and costs $39.00!",
    "¿Cuánto cuesta la tetera? Cuesta 39,00 € y está en oferta hoy, ¡qué maravilla!",
    "这款陶瓷茶壶可以保温四十分钟，价格是三十九美元。",
    "Great deal 🔥🍵✨ — don't miss it 👍🏽 (only 7 left)",
    "  leading spaces,\ttabs\nand new lines\r\n  ",
];

fn round_trip(llm: &Llm) {
    for s in SAMPLES {
        let ids = llm.encode(s).unwrap();
        assert!(!ids.is_empty());
        let back = llm.tokenizer().decode(&ids, false).unwrap();
        assert_eq!(&back, s, "{} round trip", llm.arch());
        // The streaming decoder gives the same text, token by token.
        let mut stream = tokenizer::TextStream::default();
        let mut text: String = ids.iter().map(|&t| stream.push(&llm.vocab, t)).collect();
        text.push_str(&stream.finish());
        assert_eq!(&text, s, "{} streamed", llm.arch());
    }
}

#[test]
fn smollm2_tokenizer_round_trips_en_es_zh_emoji() {
    let _g = serial();
    let llm = load(SMOL);
    assert_eq!(llm.arch(), "llama");
    round_trip(&llm);
    // ChatML markers are single control tokens; digits are split one by one (SmolLM's recipe).
    assert_eq!(llm.encode("<|im_start|>user\n").unwrap()[0], 1);
    assert_eq!(llm.encode("<|im_end|>").unwrap(), vec![2]);
    let digits = llm.encode("2024").unwrap();
    assert_eq!(digits.len(), 4, "{digits:?}");
    // A reply can end its turn but never open another one.
    assert!(llm.vocab.stop.contains(&2) && !llm.vocab.banned.contains(&2));
    assert!(llm.vocab.banned.contains(&1));
}

#[test]
fn qwen2_tokenizer_round_trips_en_es_zh_emoji() {
    let _g = serial();
    let llm = load(QWEN);
    assert_eq!(llm.arch(), "qwen2");
    round_trip(&llm);
    assert_eq!(llm.encode("<|im_start|>").unwrap(), vec![151644]);
    assert_eq!(llm.encode("<|im_end|>").unwrap(), vec![151645]);
    // Chinese is tokenised compactly, not byte by byte.
    let zh = llm.encode(SAMPLES[2]).unwrap();
    assert!(zh.len() < SAMPLES[2].chars().count(), "{} tokens", zh.len());
}

/// The texts of `SAMPLES`, then a ChatML turn, tokenised by llama.cpp (llama-cpp-python 0.3.36,
/// `tokenize(add_bos=False, special=True)`) from the same GGUF files.
const LLAMA_CPP_SMOLLM2: &[&[u32]] = &[
    &[504, 41556, 543, 512, 320, 8211, 7188, 3380, 327, 216, 36, 32, 3487, 28, 284, 3499, 1885, 35, 41, 30, 32, 32, 17],
    &[
        47416, 47663, 5415, 399, 95, 28869, 34318, 2618, 252, 1932, 81, 47, 24094, 34318, 216, 35, 41, 28, 32, 32, 24927, 329, 1264,
        5415, 430, 282, 730, 81, 294, 922, 28, 3351, 111, 385, 2756, 1831, 565, 7712, 17,
    ],
    &[
        48287, 177, 122, 139, 35804, 131, 178, 237, 132, 179, 230, 131, 176, 113, 131, 37139, 38746, 29767, 247, 177, 133, 119,
        23022, 245, 27991, 219, 37349, 180, 236, 249, 12831, 15076, 132, 26519, 137, 27830, 7906, 227, 27991, 219, 27948, 247, 178,
        139, 232, 17086, 221, 19076,
    ],
    &[15635, 3795, 15107, 238, 115, 10813, 231, 130, 38083, 118, 1841, 1326, 982, 3956, 357, 15107, 235, 231, 10813, 233, 138, 365, 8979, 216, 39, 2049, 25],
    &[216, 2899, 5600, 28, 197, 100, 7366, 198, 397, 725, 3204, 2738, 256],
    &[1, 4093, 198, 26843, 216, 33, 34, 35, 36, 37, 2, 198],
];
const LLAMA_CPP_QWEN2: &[&[u32]] = &[
    &[785, 46792, 1013, 89901, 13598, 15243, 4017, 369, 220, 19, 15, 4420, 11, 323, 7049, 400, 18, 24, 13, 15, 15, 0],
    &[
        30182, 44819, 85433, 78, 272, 19441, 1187, 259, 1404, 64, 30, 356, 19441, 220, 18, 24, 11, 15, 15, 12984, 379, 15466, 662,
        84220, 48741, 11, 48813, 63491, 3594, 402, 6241, 0,
    ],
    &[101469, 105845, 100019, 106469, 73670, 106631, 107035, 83031, 3837, 97480, 20412, 44991, 100993, 101237, 1773],
    &[21396, 3484, 95069, 98, 146357, 144232, 1959, 1513, 944, 3116, 432, 61804, 235, 145375, 320, 3243, 220, 22, 2115, 8],
    &[220, 6388, 12621, 11, 3244, 3435, 198, 437, 501, 5128, 319, 256],
    &[151644, 872, 198, 13048, 220, 16, 17, 18, 19, 20, 151645, 198],
];

fn same_tokens_as_llama_cpp(llm: &Llm, expected: &[&[u32]]) {
    let texts: Vec<&str> = SAMPLES.iter().copied().chain(["<|im_start|>user\nHi 12345<|im_end|>\n"]).collect();
    for (text, want) in texts.iter().zip(expected) {
        assert_eq!(llm.encode(text).unwrap(), *want, "{} tokens of {text:?}", llm.arch());
    }
}

#[test]
fn tokenizers_agree_with_llama_cpp() {
    let _g = serial();
    same_tokens_as_llama_cpp(&load(SMOL), LLAMA_CPP_SMOLLM2);
    same_tokens_as_llama_cpp(&load(QWEN), LLAMA_CPP_QWEN2);
}

/// Last-position logits of candle's own `quantized_llama` / `quantized_qwen2` for `tokens`.
fn candle_reference(path: &Path, arch: &str, tokens: &[u32], steps: &[u32]) -> Vec<Vec<f32>> {
    let mut f = std::fs::File::open(path).unwrap();
    let content = candle_core::quantized::gguf_file::Content::read(&mut f).unwrap();
    let dev = Device::Cpu;
    let mut outs = Vec::new();
    let mut run = |fwd: &mut dyn FnMut(&Tensor, usize) -> candle_core::Result<Tensor>| {
        let input = Tensor::new(tokens, &dev).unwrap().unsqueeze(0).unwrap();
        outs.push(fwd(&input, 0).unwrap().squeeze(0).unwrap().to_vec1::<f32>().unwrap());
        for (i, &t) in steps.iter().enumerate() {
            let input = Tensor::new(&[t], &dev).unwrap().unsqueeze(0).unwrap();
            outs.push(fwd(&input, tokens.len() + i).unwrap().squeeze(0).unwrap().to_vec1::<f32>().unwrap());
        }
    };
    match arch {
        "llama" => {
            let mut m = candle_transformers::models::quantized_llama::ModelWeights::from_gguf(content, &mut f, &dev).unwrap();
            run(&mut |x, p| m.forward(x, p));
        }
        _ => {
            let mut m = candle_transformers::models::quantized_qwen2::ModelWeights::from_gguf(content, &mut f, &dev).unwrap();
            run(&mut |x, p| m.forward(x, p));
        }
    }
    outs
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn top_k(v: &[f32], k: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..v.len() as u32).collect();
    idx.sort_by(|a, b| v[*b as usize].total_cmp(&v[*a as usize]));
    idx.truncate(k);
    idx
}

/// Our logits for the prompt and for a few single-token steps after it.
fn our_logits(llm: &mut Llm, tokens: &[u32], steps: &[u32]) -> Vec<Vec<f32>> {
    llm.clear_cache();
    let mut out = Vec::new();
    let mut logits = Vec::new();
    llm.engine.forward(tokens, 0, &mut logits).unwrap();
    out.push(logits.clone());
    for (i, &t) in steps.iter().enumerate() {
        llm.engine.forward(&[t], tokens.len() + i, &mut logits).unwrap();
        out.push(logits.clone());
    }
    llm.clear_cache();
    out
}

fn agree(name: &str, ours: &[Vec<f32>], reference: &[Vec<f32>], min_cos: f64) {
    for (i, (a, b)) in ours.iter().zip(reference).enumerate() {
        assert_eq!(a.len(), b.len());
        let c = cosine(a, b);
        let (ta, tb) = (top_k(a, 5), top_k(b, 5));
        eprintln!("{name} step {i}: cosine {c:.6}, top5 ours {ta:?} candle {tb:?}");
        assert!(c > min_cos, "{name} step {i}: cosine {c}");
        // The best token is the same, or a near tie in candle's own logits.
        let spread = {
            let mean = b.iter().sum::<f32>() / b.len() as f32;
            (b.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / b.len() as f32).sqrt()
        };
        let gap = b[tb[0] as usize] - b[ta[0] as usize];
        assert!(gap <= 0.1 * spread, "{name} step {i}: our best token is {gap} below candle's (spread {spread})");
        // The runner-up tokens largely agree too.
        assert!(ta.iter().filter(|t| tb.contains(t)).count() >= 3, "{name} step {i}: {ta:?} vs {tb:?}");
    }
}

fn check_against_candle(name: &str) {
    let path = model(name);
    let mut fast = load(name);
    // The catalog prompt of the benchmark: several of the CPU path's 64-token chunks.
    let tokens = fast.encode(&bench_prompts().unwrap().warm_prompt).unwrap();
    assert!(tokens.len() > 3 * 64, "{} tokens", tokens.len());
    let steps = [fast.encode(" The").unwrap()[0], fast.encode(" teapot").unwrap()[0], 13];
    let reference = candle_reference(&path, fast.arch(), &tokens, &steps);
    agree(&format!("{name} fast CPU path"), &our_logits(&mut fast, &tokens, &steps), &reference, 0.995);
    drop(fast);
    // The graph used on CUDA/Metal, run on candle's CPU backend, matches candle's model as
    // closely (the same kernels; rotary tables and summation order differ slightly).
    let mut graph = Llm::load_with(&path, &LoadOptions { device: DeviceChoice::Cpu, candle_on_cpu: true, ..LoadOptions::default() }).unwrap();
    assert!(graph.device_name().contains("candle"));
    agree(&format!("{name} candle graph"), &our_logits(&mut graph, &tokens, &steps), &reference, 0.999);
}

#[test]
fn smollm2_cpu_path_matches_candle_quantized_llama() {
    let _g = serial();
    check_against_candle(SMOL);
}

#[test]
fn qwen2_cpu_path_matches_candle_quantized_qwen2() {
    let _g = serial();
    check_against_candle(QWEN);
}

fn collect(llm: &mut Llm, prompt: &str, s: &Sampling) -> (String, GenStats) {
    let mut text = String::new();
    let stats = llm
        .generate(prompt, s, &mut |t| {
            text.push_str(t);
            true
        })
        .unwrap();
    (text, stats)
}

#[test]
fn fixed_seed_generation_is_deterministic_and_the_prefix_is_reused() {
    let _g = serial();
    let mut llm = load(SMOL);
    let system = "You are Mia, host of a live shopping show. Catalog: Aurora Ceramic Teapot, $39.00, keeps tea hot for 40 minutes. Kyoto Cast Iron Kettle, $64.50.";
    let ask = |q: &str| chatml(system, &[(Role::User, q.to_string())]);
    let sampling = Sampling { temperature: 0.8, top_p: 0.95, repeat_penalty: 1.1, repeat_last_n: 64, seed: 1234, max_tokens: 40, lookup: 0, logprobs: false, not_first: Vec::new(), banned: Vec::new() };

    let (a, sa) = collect(&mut llm, &ask("What does the teapot cost?"), &sampling);
    assert!(!a.trim().is_empty());
    assert_eq!(sa.reused_tokens, 0);
    // Same prompt and seed: same text, and the whole prompt but its last token comes from the cache.
    let (b, sb) = collect(&mut llm, &ask("What does the teapot cost?"), &sampling);
    assert_eq!(a, b);
    assert_eq!(sb.reused_tokens, sb.prompt_tokens - 1);
    // Cold cache, same result: reuse does not change what the model computes.
    llm.clear_cache();
    let (c, _) = collect(&mut llm, &ask("What does the teapot cost?"), &sampling);
    assert_eq!(a, c);
    // Another seed samples differently.
    let (d, _) = collect(&mut llm, &ask("What does the teapot cost?"), &Sampling { seed: 99, ..sampling.clone() });
    assert_ne!(a, d);

    // A different question reuses the system prefix and only reads the question.
    let (_, warm) = collect(&mut llm, &ask("Tell me about the kettle."), &sampling);
    let system_tokens = llm.encode(&format!("<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n")).unwrap().len();
    assert!(warm.reused_tokens >= system_tokens, "{} reused, system is {system_tokens}", warm.reused_tokens);
    assert!(warm.prompt_tokens - warm.reused_tokens < 15, "{warm:?}");
    // And gives what a cold run gives (greedy, to compare whole replies).
    let g = Sampling::greedy(30);
    let (warm_text, s1) = collect(&mut llm, &ask("Is the kettle in stock?"), &g);
    assert!(s1.reused_tokens > 0);
    llm.clear_cache();
    let (cold_text, s2) = collect(&mut llm, &ask("Is the kettle in stock?"), &g);
    assert_eq!(s2.reused_tokens, 0);
    assert_eq!(warm_text, cold_text);
}

/// A probe's hidden states are read in a cache of their own: the prompt cached for
/// generating stays (the writer's system prompt and examples are hundreds of tokens), and the
/// states are the same whatever was cached before.
#[test]
fn hidden_states_keep_the_generation_cache() {
    let _g = serial();
    let mut llm = load(SMOL);
    let prompt = chatml("You are Mia, host of a live shopping show. Catalog: Aurora Ceramic Teapot, $39.00.", &[(Role::User, "What does the teapot cost?".into())]);
    let (_, first) = collect(&mut llm, &prompt, &Sampling::greedy(10));
    let cold = llm.hidden_mean("The host says:\n", "It keeps tea hot for 40 minutes.", 10).unwrap();
    assert_eq!(cold.len(), llm.config().d_model);
    let (_, again) = collect(&mut llm, &prompt, &Sampling::greedy(10));
    assert_eq!(again.reused_tokens, again.prompt_tokens - 1, "the prompt stayed cached ({first:?} then {again:?})");
    let warm = llm.hidden_mean("The host says:\n", "It keeps tea hot for 40 minutes.", 10).unwrap();
    let diff = cold.iter().zip(&warm).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(diff < 1e-3, "the same states from its own cache: {diff}");
}

/// A show loads its models without moving their weights to 2 MiB pages (the move can take
/// seconds on a VM) and moves them later, a few matrices at a step: each step moves about what
/// it was asked, the steps end, and the model computes the same before, during and after.
#[test]
fn weights_left_on_their_pages_move_later_in_steps_and_compute_the_same() {
    let _g = serial();
    let opts = LoadOptions { device: DeviceChoice::Cpu, threads: 1, defer_huge_pages: true, ..LoadOptions::default() };
    let mut llm = Llm::load_with(&model(SMOL), &opts).unwrap();
    let prompt = chatml("You are Mia, host of a live shopping show. Catalog: Aurora Ceramic Teapot, $39.00.", &[(Role::User, "What does the teapot cost?".into())]);
    let (before, _) = collect(&mut llm, &prompt, &Sampling::greedy(24));
    let moves_here = cfg!(target_os = "linux") && std::env::var("EVERCAST_HUGE_PAGES").map_or(true, |v| v != "0");
    let (mut steps, mut moved) = (0, 0);
    loop {
        let (m, more) = llm.engine.settle_pages(8 << 20);
        steps += 1;
        moved += m;
        if steps == 2 {
            // Halfway: some matrices moved, some not, the same reply.
            llm.clear_cache();
            assert_eq!(collect(&mut llm, &prompt, &Sampling::greedy(24)).0, before);
        }
        if !more {
            break;
        }
        assert!(m >= 8 << 20 && m < 64 << 20, "a step moves what it was asked, in whole matrices: {m} bytes");
        assert!(steps < 1000);
    }
    if moves_here {
        // SmolLM2-135M: ~100 MB of weights (its embeddings, also its output head, included).
        assert!(steps >= 4 && moved > 60_000_000, "{steps} steps moved {moved} bytes");
    } else {
        assert_eq!((steps, moved), (1, 0));
    }
    assert_eq!(llm.engine.settle_pages(usize::MAX), (0, false), "nothing is left to move");
    assert!(!llm.settle_some_pages());
    llm.clear_cache();
    assert_eq!(collect(&mut llm, &prompt, &Sampling::greedy(24)).0, before);
}

/// A model loaded up to a layer (a grammar probe's reader) gives that layer's states exactly as
/// the whole model does, and refuses to generate rather than say nonsense without its head.
#[test]
fn a_model_loaded_in_part_reads_its_layers_and_does_not_generate() {
    let _g = serial();
    let layer = 10;
    let text = "It keeps tea hot for 40 minutes.";
    let whole = load(SMOL).hidden_mean("The host says:\n", text, layer).unwrap();
    let opts = LoadOptions { device: DeviceChoice::Cpu, only_layers: Some(layer + 1), ..LoadOptions::default() };
    let mut part = Llm::load_with(&model(SMOL), &opts).unwrap();
    assert_eq!(part.hidden_mean("The host says:\n", text, layer).unwrap(), whole);
    assert!(part.hidden_mean("The host says:\n", text, layer + 1).is_err(), "a layer it has not loaded");
    let prompt = chatml("You are Mia.", &[(Role::User, "Hello!".into())]);
    let mut out = String::new();
    let err = part.generate_inner(&prompt, &Sampling::greedy(4), false, &mut |t| {
        out.push_str(t);
        true
    });
    assert!(err.is_err() && out.is_empty(), "generated {out:?} without an output head");
}

/// Prompt lookup runs guessed tokens in the same pass as the sampled one and keeps those the
/// sampler picks anyway: the replies are plain decoding's, greedy or sampled, and the cache
/// holds exactly what was said afterwards (the next call's reuse gives a cold run's reply).
#[test]
fn prompt_lookup_gives_what_plain_decoding_gives() {
    let _g = serial();
    let mut llm = load(QWEN);
    let system = "You are Mia, host of a live shopping show. Facts: The Bamboo LED Desk Lamp has stepless dimming, 3 colour temperatures (3000K, 4000K, 5000K) and a USB-C port. It costs $32.90 today.";
    let ask = |q: &str| chatml(system, &[(Role::User, q.to_string())]);
    let prompt = ask("Say the facts about the Bamboo LED Desk Lamp in two sentences, in your own voice.");
    for sampling in [Sampling::greedy(60), Sampling { temperature: 0.6, top_p: 0.9, repeat_penalty: 1.1, repeat_last_n: 64, seed: 7, max_tokens: 60, lookup: 0, logprobs: false, not_first: Vec::new(), banned: Vec::new() }] {
        llm.clear_cache();
        let (plain, s0) = collect(&mut llm, &prompt, &sampling);
        assert_eq!(s0.looked_up, 0);
        llm.clear_cache();
        let (looked, s1) = collect(&mut llm, &prompt, &Sampling { lookup: LOOKUP, ..sampling.clone() });
        assert_eq!(plain, looked, "t={}", sampling.temperature);
        assert_eq!(s0.generated_tokens, s1.generated_tokens);
        assert!(s1.looked_up >= 3, "a reply restating its prompt took {} guesses: {looked}", s1.looked_up);
        // The cache after a reply with guesses: a follow-up warm gives what it gives cold.
        let follow = ask("And in one sentence, what does the Bamboo LED Desk Lamp cost?");
        let (warm, sw) = collect(&mut llm, &follow, &Sampling { lookup: LOOKUP, ..Sampling::greedy(30) });
        assert!(sw.reused_tokens > 0);
        llm.clear_cache();
        let (cold, _) = collect(&mut llm, &follow, &Sampling::greedy(30));
        assert_eq!(warm, cold);
    }
}

/// A reply told not to open as a refused one did opens otherwise (greedy: the next most likely
/// opening); the next call without it is as before.
#[test]
fn a_reply_can_be_made_to_open_otherwise() {
    let _g = serial();
    let mut llm = load(QWEN);
    let prompt = chatml("You are Mia, host of a live shopping show.", &[(Role::User, "Tell the viewers in one sentence that the Aurora Teapot keeps tea hot for 40 minutes.".into())]);
    let (first, _) = collect(&mut llm, &prompt, &Sampling::greedy(30));
    let opening = llm.encode(&first).unwrap()[0];
    let (other, _) = collect(&mut llm, &prompt, &Sampling { not_first: vec![opening], ..Sampling::greedy(30) });
    let other_ids = llm.encode(&other).unwrap();
    assert_ne!(other_ids[0], opening, "{first:?} then {other:?}");
    assert_ne!(first, other);
    // Without the ban, the same prompt gives the first reply again (the ban lasts one call).
    assert_eq!(collect(&mut llm, &prompt, &Sampling::greedy(30)).0, first);
}

/// A word ruled out for a reply is not in it anywhere (greedy: the model says it otherwise).
#[test]
fn a_reply_can_be_kept_from_a_word() {
    let _g = serial();
    let mut llm = load(QWEN);
    let prompt = chatml("You are Mia, host of a live shopping show.", &[(Role::User, "Tell the viewers in one sentence that the Aurora Teapot keeps tea hot for 40 minutes.".into())]);
    let (first, _) = collect(&mut llm, &prompt, &Sampling::greedy(30));
    assert!(first.contains(" tea"), "{first:?}");
    let tea = llm.encode(" tea").unwrap();
    assert_eq!(tea.len(), 1);
    let (other, _) = collect(&mut llm, &prompt, &Sampling { banned: tea.clone(), ..Sampling::greedy(30) });
    assert!(!llm.encode(&other).unwrap().contains(&tea[0]), "{other:?}");
    assert!(other.split_whitespace().count() > 4, "{other:?}");
}

#[test]
fn qwen2_answers_in_spanish_and_chinese() {
    let _g = serial();
    let mut llm = load(QWEN);
    let g = Sampling::greedy(48);
    let (es, _) = collect(&mut llm, &chatml("Eres una presentadora de ventas en directo. Responde en español.", &[(Role::User, "Describe una tetera de cerámica azul en una frase.".into())]), &g);
    assert!(es.chars().any(|c| "áéíóúñ".contains(c)) || es.contains(" la ") || es.contains(" de "), "{es}");
    let (zh, _) = collect(&mut llm, &chatml("你是直播带货主播。请用中文回答。", &[(Role::User, "用一句话介绍这款蓝色陶瓷茶壶。".into())]), &g);
    assert!(zh.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() > 5, "{zh}");
}

#[test]
fn stops_on_callback_max_tokens_and_end_of_turn() {
    let _g = serial();
    let mut llm = load(SMOL);
    let prompt = chatml("You are a helpful assistant.", &[(Role::User, "Count from one to fifty in words.".into())]);
    let s = llm.generate(&prompt, &Sampling::greedy(7), &mut |_| true).unwrap();
    assert_eq!((s.generated_tokens, s.stop), (7, StopReason::MaxTokens));
    let mut pieces = 0;
    let s = llm
        .generate(&prompt, &Sampling::greedy(100), &mut |_| {
            pieces += 1;
            pieces < 3
        })
        .unwrap();
    assert_eq!(s.stop, StopReason::Caller);
    assert!(s.generated_tokens <= 4, "{s:?}");
    let s = llm
        .generate(&chatml("Answer with one word.", &[(Role::User, "Say hello.".into())]), &Sampling::greedy(200), &mut |_| true)
        .unwrap();
    assert_eq!(s.stop, StopReason::EndOfTurn, "{s:?}");
    assert!(s.generated_tokens < 200);
}

#[test]
fn missing_and_corrupt_models_name_the_install_command() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.gguf");
    let err = Llm::load(&missing, DeviceChoice::Cpu).unwrap_err();
    assert!(err.to_string().contains("evercast models install smollm2-135m"), "{err}");
    // A download cut short: a valid header, then nothing.
    let src = std::fs::read(model(SMOL)).unwrap();
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &src[..src.len() / 3]).unwrap();
    let err = Llm::load(&cut, DeviceChoice::Cpu).unwrap_err();
    assert!(matches!(err, LlmError::BadModel { .. }), "{err}");
    assert!(err.to_string().contains("evercast models install smollm2-135m"), "{err}");
    // Not a GGUF at all.
    let junk = dir.path().join("junk.gguf");
    std::fs::write(&junk, b"PK\x03\x04 this is a zip file").unwrap();
    let err = Llm::load(&junk, DeviceChoice::Cpu).unwrap_err();
    assert!(err.to_string().contains("evercast models install smollm2-135m"), "{err}");
}

#[test]
fn gpu_devices_are_refused_cleanly_without_the_feature() {
    if cfg!(feature = "cuda") {
        return;
    }
    let err = Llm::load(&model(SMOL), DeviceChoice::Cuda).unwrap_err();
    assert!(matches!(err, LlmError::Device(..)), "{err}");
    assert!(err.to_string().contains("--features cuda"), "{err}");
    assert!(device_report(DeviceChoice::Auto).contains("LLM device: cpu"));
    assert!(device_report(DeviceChoice::Cuda).contains("unavailable"));
    assert_eq!("metal".parse::<DeviceChoice>().unwrap(), DeviceChoice::Metal);
    assert!("tpu".parse::<DeviceChoice>().is_err());
}

#[test]
fn worker_streams_sentences_and_cancels() {
    let _g = serial();
    let worker = LlmWorker::new(load(SMOL)).unwrap();
    let prompt = chatml("You are a live shopping host. Speak in short sentences.", &[(Role::User, "Tell me three things about a blue teapot.".into())]);
    let rx = worker.submit(prompt.clone(), Sampling::greedy(120)).unwrap();
    let mut sentences = Vec::new();
    let stats = loop {
        match rx.recv().unwrap() {
            Event::Sentence(s) => sentences.push(s),
            Event::Done(s) => break s,
            Event::Error(e) => panic!("{e}"),
        }
    };
    assert!(stats.generated_tokens > 10);
    assert!(sentences.len() >= 2, "{sentences:?}");
    assert!(sentences.iter().all(|s| !s.is_empty() && s == s.trim()));
    // Cancelling stops a long generation early.
    let rx = worker.submit(prompt, Sampling { max_tokens: 2000, ..Sampling::greedy(2000) }).unwrap();
    match rx.recv().unwrap() {
        Event::Sentence(_) => {}
        other => panic!("expected a sentence first, got {other:?}"),
    }
    worker.cancel();
    let done = rx.iter().find_map(|e| if let Event::Done(s) = e { Some(s) } else { None }).unwrap();
    assert_ne!(done.stop, StopReason::MaxTokens, "{done:?}");
}

#[test]
fn urgent_jobs_run_before_queued_ones() {
    let _g = serial();
    let worker = LlmWorker::new(load(SMOL)).unwrap();
    let ask = |q: &str| chatml("You are a live shopping host.", &[(Role::User, q.to_string())]);
    let running = worker.submit(ask("Describe a teapot."), Sampling::greedy(40)).unwrap();
    // Wait until the first job is under way, then queue a normal and an urgent one.
    let first = running.recv().unwrap();
    assert!(matches!(first, Event::Sentence(_) | Event::Done(_)), "{first:?}");
    let normal = worker.submit(ask("Describe a kettle."), Sampling::greedy(20)).unwrap();
    let urgent = worker.submit_urgent(ask("Is it in stock?"), Sampling::greedy(20)).unwrap();
    let order = std::sync::Arc::new(Mutex::new(Vec::new()));
    let waiters: Vec<_> = [("running", running), ("normal", normal), ("urgent", urgent)]
        .into_iter()
        .map(|(name, rx)| {
            let order = order.clone();
            std::thread::spawn(move || {
                for e in rx.iter() {
                    if let Event::Done(_) = e {
                        order.lock().unwrap().push(name);
                    }
                }
            })
        })
        .collect();
    // Each channel closes when its job is over.
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec!["running", "urgent", "normal"]);
}

/// The headline numbers of one model (`$EVERCAST_PROFILE_MODEL`, else SmolLM2), for a quick
/// look: `cargo test --release -p script bench_one -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run by hand or through `evercast bench writer`"]
fn bench_one() {
    let _g = serial();
    let name = std::env::var("EVERCAST_PROFILE_MODEL").unwrap_or_else(|_| SMOL.to_string());
    let f = bench(&model(&name), DeviceChoice::Cpu).unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&f).unwrap());
}

/// Decode only, for profiling: `perf record <test binary> --ignored decode_loop`.
#[test]
#[ignore = "profiling aid"]
fn decode_loop() {
    let _g = serial();
    let name = std::env::var("EVERCAST_PROFILE_MODEL").unwrap_or_else(|_| SMOL.to_string());
    let mut llm = load(&name);
    let p = bench_prompts().unwrap();
    let s = llm.generate_inner(&p.short_prompt, &Sampling::greedy(600), true, &mut |_| true).unwrap();
    eprintln!("decode {:.1} tok/s, prefill {:.1} tok/s", s.decode_tok_s(), s.prefill_tok_s());
}

/// The full `evercast bench writer` table (every installed model, with the llama.cpp anchor
/// when set up): `cargo test --release -p script bench_writer_table -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run by hand or through `evercast bench writer`"]
fn bench_writer_table() {
    let _g = serial();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rows = bench_writer(&models_dir(), &root, DeviceChoice::Cpu, &|l| eprintln!("{l}")).unwrap();
    eprintln!("{}", format_writer_bench(&rows));
    eprintln!("{}", serde_json::to_string(&rows).unwrap());
}

#[test]
fn lookup_drafts_what_followed_the_last_two_tokens() {
    let mut d = Vec::new();
    lookup_draft(&[1, 2, 3, 4, 1, 2], 4, &mut d);
    assert_eq!(d, [3, 4, 1, 2]);
    lookup_draft(&[1, 2, 3, 4, 1, 2], 1, &mut d);
    assert_eq!(d, [3]);
    // The most recent occurrence wins.
    lookup_draft(&[5, 6, 7, 5, 6, 8, 9, 5, 6], 2, &mut d);
    assert_eq!(d, [8, 9]);
    // Nothing to go on.
    lookup_draft(&[1, 2, 3], 4, &mut d);
    assert!(d.is_empty());
    lookup_draft(&[1, 2, 1, 2], 0, &mut d);
    assert!(d.is_empty());
}

/// The weights a generated token reads, against the sums the `gguf` Python package gives for
/// the same files: SmolLM2's output head is its embeddings (they count), Qwen's is its own
/// matrix (the embeddings, read a row per token, do not).
#[test]
fn a_token_reads_every_matrix_but_unshared_embeddings() {
    assert_eq!(weight_bytes_per_token(&model(SMOL)).unwrap(), 96_436_224);
    assert_eq!(weight_bytes_per_token(&model(QWEN)).unwrap(), 391_573_504);
}

/// The bandwidth probe reads something real: a 2-core VM streams several GB/s, not 0 or ∞.
#[test]
fn the_memory_bandwidth_probe_gives_a_plausible_figure() {
    let gb_s = StreamProbe::new().gb_s(2);
    assert!(gb_s.is_finite() && (1.0..2000.0).contains(&gb_s), "{gb_s} GB/s");
}
