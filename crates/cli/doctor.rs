//! `evercast doctor`: is this machine ready to run a show, and if not, what to install.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

struct Report {
    missing: Vec<String>,
    installs: Vec<String>,
}

impl Report {
    fn ok(&self, what: &str, detail: &str) {
        println!("  ✔ {what}: {detail}");
    }
    fn warn(&self, what: &str, detail: &str) {
        println!("  · {what}: {detail}");
    }
    fn fail(&mut self, what: &str, detail: &str, install: &str) {
        println!("  ✘ {what}: {detail}");
        self.missing.push(what.to_string());
        if !install.is_empty() && !self.installs.contains(&install.to_string()) {
            self.installs.push(install.to_string());
        }
    }
}

pub fn doctor() -> Result<ExitCode> {
    let mut r = Report { missing: Vec::new(), installs: Vec::new() };

    println!("GStreamer");
    match broadcast::init() {
        Ok(()) => r.ok("gstreamer", &gst_version()),
        Err(e) => r.fail("gstreamer", &e.to_string(), "apt-get install libgstreamer1.0-0 gstreamer1.0-plugins-base"),
    }
    for c in broadcast::check_elements() {
        if c.present {
            r.ok(c.element, c.purpose);
        } else if c.required {
            let pkg = c.package.split(" (").next().unwrap_or(c.package);
            r.fail(c.element, &format!("missing ({})", c.purpose), &format!("apt-get install {pkg}"));
        } else {
            r.warn(c.element, &format!("not present ({}), optional", c.purpose));
        }
    }

    println!("Encoders");
    match broadcast::pick_encoder(show::profile::EncoderChoice::Auto) {
        Ok(e) if e.is_hardware() => r.ok("h264", &format!("hardware encoder {} in use", e.element())),
        Ok(e) => r.ok("h264", &format!("{} (software; no hardware encoder found: nvh264enc, vah264enc, vtenc_h264)", e.element())),
        Err(e) => r.fail("h264", &e.to_string(), "apt-get install gstreamer1.0-plugins-ugly"),
    }

    println!("Voice");
    match voice::library_info() {
        Ok(info) => r.ok("espeak-ng", &format!("{} {} (data in {}, {} voices)", info.library, info.version, info.data_path.display(), info.voices)),
        Err(e) => r.fail("espeak-ng", &e.to_string(), "apt-get install espeak-ng libespeak-ng1"),
    }
    match voice::Espeak::new("en-us") {
        Ok(_) => r.ok("voices", "en-us (the demo's voice) is installed"),
        Err(e) => r.fail("voices", &e.to_string(), "apt-get install espeak-ng-data"),
    }

    println!("Rooms and translation");
    match director::language::load_packs(&[]) {
        Ok(p) => r.ok("language packs", &format!("{} built in ({})", p.ids().len(), p.ids().join(", "))),
        Err(e) => r.fail("language packs", &e.to_string(), "reinstall evercast (a built-in pack is broken)"),
    }
    match translate::Apertium::new("eng-spa") {
        Ok(_) => r.ok("apertium", "eng-spa (fast en→es translation for Spanish rooms)"),
        Err(e) => r.warn("apertium", &format!("{e}; optional: Spanish rooms use the LLM or their native lines")),
    }

    println!("Models");
    let dir = script::models::default_models_dir();
    for m in script::models::list(&dir) {
        if m.installed {
            let checked = if m.kind == "llm" { script::models::resolve(&m.name, &dir) } else { script::models::resolve_dir(&m.name, &dir) };
            match checked {
                Ok(p) if m.kind == "llm" && !matches!(script::grammar::Probe::load(&p), Ok(Some(_))) => r.warn(
                    &m.name,
                    &format!("{} ({:.0} MB), no up-to-date grammar probe: its lines are not checked for broken grammar (`evercast models install {}` trains one)", p.display(), m.size as f64 / 1e6, m.name),
                ),
                Ok(p) => r.ok(&m.name, &format!("{} ({:.0} MB)", p.display(), m.size as f64 / 1e6)),
                Err(e) => r.fail(&m.name, &e.to_string(), &format!("evercast models install {}", m.name)),
            }
        } else if m.default {
            r.fail(&m.name, &format!("not installed in {} (the LLM writer falls back to templates)", dir.display()), &format!("evercast models install {}", m.name));
        } else {
            r.warn(&m.name, "not installed, optional");
        }
    }
    r.ok("llm device", &script::llm::device_report(script::llm::DeviceChoice::Auto));
    // What `--writer auto` picks (measured with a live room's one writer thread).
    let choice = crate::writer::auto_choice(&dir, 1);
    match &choice.model {
        Some((_, path)) => {
            r.ok("writer auto", &choice.reason);
            // And which model's grammar probe reads its lines (`script::grammar`).
            r.ok("grammar check", &crate::writer::reader_choice(&dir, path).reason);
        }
        None => r.warn("writer auto", &choice.reason),
    }
    if voice::voices::runtime_installed(&dir) {
        match voice::onnx::runtime(&dir) {
            Ok(_) => r.ok(
                "onnx runtime",
                &format!("{} loads; neural voices use {} thread(s) each", voice::onnx::library_path(&dir).display(), voice::onnx::default_threads()),
            ),
            Err(e) => r.fail("onnx runtime", &e.to_string(), "evercast models install onnxruntime"),
        }
    } else {
        r.warn("onnx runtime", "not installed: Kokoro and Piper voices fall back to espeak-ng (evercast models install onnxruntime)");
    }

    println!("Fonts");
    for (what, files, pkg) in [
        ("latin", &["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"][..], "fonts-dejavu-core"),
        ("cjk", &["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"][..], "fonts-noto-cjk"),
        ("arabic", &["/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"][..], "fonts-noto-core"),
        ("thai", &["/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf"][..], "fonts-noto-core"),
        ("emoji", &["/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"][..], "fonts-noto-color-emoji"),
    ] {
        match files.iter().find(|f| Path::new(f).is_file()) {
            Some(f) => r.ok(what, f),
            None => r.fail(what, "no font found", &format!("apt-get install {pkg}")),
        }
    }

    println!();
    if r.missing.is_empty() {
        println!("all green: this machine can run evercast shows");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("missing: {}", r.missing.join(", "));
        println!("to fix, run as root:");
        for i in &r.installs {
            println!("  {i}");
        }
        Ok(ExitCode::from(1))
    }
}

fn gst_version() -> String {
    let (a, b, c, _) = gst::version();
    format!("{a}.{b}.{c}")
}
