//! `evercast doctor` on a machine set up by the README's set-up: all green.

mod common;

#[test]
fn doctor_reports_all_green() {
    let out = common::evercast().arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all green"), "{text}");
    assert!(!text.contains('✘'), "{text}");
    for what in ["x264enc", "rtmp2sink", "hlssink2", "espeak-ng", "cjk"] {
        assert!(text.contains(what), "doctor checks {what}: {text}");
    }
}
