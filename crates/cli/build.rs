//! Embeds the demo show (`assets/demo/**`) into the binary, so `evercast run` works from any
//! folder on embedded defaults.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    // This crate sits in crates/cli; the demo is the repository's.
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("../..");
    let demo = root.join("assets/demo");
    println!("cargo:rerun-if-changed={}", demo.display());
    let mut files = Vec::new();
    walk(&demo, &mut files);
    let mut code = String::from("/// The demo show's files: path relative to the demo folder, and contents.\npub const DEMO_FILES: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&demo).expect("under demo").to_string_lossy().replace('\\', "/");
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({:?})),", f.display().to_string());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("demo_files.rs");
    std::fs::write(out, code).expect("write demo_files.rs");
}
