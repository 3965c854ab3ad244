//! What a user sees when espeak-ng or its data is missing. espeak is loaded once per process,
//! so each case runs this test binary again with the environment pointing at nothing.

use std::process::Command;

use show::stages::StageErrorKind;
use voice::Espeak;

/// Runs the ignored test `name` in a child process with `env` set; returns its output.
fn run_child(name: &str, env: (&str, &str)) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", name, "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name} failed:\n{text}");
    assert!(text.contains("1 passed"), "{name} did not run:\n{text}");
    text
}

#[test]
fn a_missing_library_names_the_package() {
    let text = run_child("child_missing_library", ("ESPEAK_NG_LIB", "/nonexistent/libespeak-ng.so.1"));
    println!("{text}");
}

#[test]
fn missing_data_names_the_package_and_the_variable() {
    run_child("child_missing_data", ("ESPEAK_DATA_PATH", "/nonexistent/espeak-data"));
}

#[test]
fn library_and_data_can_be_pointed_at() {
    let info = voice::library_info().unwrap();
    let parent = info.data_path.parent().unwrap().to_str().unwrap().to_string();
    // ESPEAK_DATA_PATH may name the folder holding espeak-ng-data, as espeak's own tools accept.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_pointed_at", "--nocapture"])
        .env("ESPEAK_DATA_PATH", &parent)
        .env("ESPEAK_NG_LIB", "libespeak-ng.so.1")
        .env("EXPECT_DATA", info.data_path.to_str().unwrap())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("1 passed"), "{text}");
}

#[test]
#[ignore = "run by library_and_data_can_be_pointed_at in its own process"]
fn child_pointed_at() {
    let info = voice::library_info().unwrap();
    assert_eq!(info.library, "libespeak-ng.so.1");
    assert_eq!(info.data_path.to_str(), std::env::var("EXPECT_DATA").ok().as_deref());
    assert!(Espeak::new("en-us").is_ok());
}

#[test]
#[ignore = "run by a_missing_library_names_the_package in its own process"]
fn child_missing_library() {
    let err = Espeak::new("en-us").unwrap_err();
    assert_eq!(err.kind, StageErrorKind::Missing);
    assert!(err.message.contains("`espeak-ng`"), "{}", err.message);
    assert!(err.message.contains("apt-get install espeak-ng"), "{}", err.message);
    assert!(err.message.contains("/nonexistent/libespeak-ng.so.1"), "{}", err.message);
    // Every entry point says the same, and nothing panics.
    assert_eq!(voice::library_info().unwrap_err().kind, StageErrorKind::Missing);
    assert_eq!(voice::list_voices().unwrap_err().kind, StageErrorKind::Missing);
    println!("message: {}", err.message);
}

#[test]
#[ignore = "run by missing_data_names_the_package_and_the_variable in its own process"]
fn child_missing_data() {
    let err = Espeak::new("en-us").unwrap_err();
    assert_eq!(err.kind, StageErrorKind::Missing);
    assert!(err.message.contains("espeak-ng-data") && err.message.contains("ESPEAK_DATA_PATH"), "{}", err.message);
    assert!(err.message.contains("/nonexistent/espeak-data"), "{}", err.message);
}
