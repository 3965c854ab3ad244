//! Prints Kokoro phonemes for Chinese or Japanese text.
//!
//! ```text
//! cargo run --release -p voice --example g2p -- zh 今天降价，包邮！
//! cargo run --release -p voice --example g2p -- ja 新しい商品です。
//! cargo run --release -p voice --example g2p -- zh-pinyin 银行还有    # tone-numbered pinyin
//! echo 東京 | cargo run --release -p voice --example g2p -- ja        # one line per line of stdin
//! ```
//!
//! Japanese reads the IPADIC dictionary from `models/ipadic` (or `--dict DIR`).

use std::io::BufRead;
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut dict = PathBuf::from("models/ipadic");
    if let Some(i) = args.iter().position(|a| a == "--dict") {
        if i + 1 < args.len() {
            dict = PathBuf::from(args.remove(i + 1));
        }
        args.remove(i);
    }
    if args.is_empty() {
        eprintln!("usage: g2p zh|zh-pinyin|ja [--dict DIR] [TEXT...]   (no TEXT: read lines from stdin)");
        std::process::exit(2);
    }
    let lang = args.remove(0);
    let ja = if lang == "ja" {
        let t = std::time::Instant::now();
        match voice::g2p::ja::JaReader::load(&dict) {
            Ok(r) => {
                eprintln!("dictionary loaded in {:.2} s", t.elapsed().as_secs_f64());
                Some(r)
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let convert = |text: &str| -> String {
        match lang.as_str() {
            "zh" => voice::g2p::zh::mandarin_phonemes(text),
            "zh-pinyin" => voice::g2p::zh::mandarin_pinyin(text).join(" "),
            "ja" => ja.as_ref().map(|r| r.phonemes(text)).unwrap_or_default(),
            other => {
                eprintln!("unknown language {other:?} (zh, zh-pinyin or ja)");
                std::process::exit(2);
            }
        }
    };
    if args.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line.unwrap_or_default();
            println!("{}", convert(&line));
        }
    } else {
        for text in &args {
            println!("{}", convert(text));
        }
    }
}
