//! The real GStreamer graph, fed synthetic frames and a tone: what comes out is read back with
//! ffprobe (the same tool a platform's ingest check resembles).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use broadcast::{RoomPipeline, Target, pick_encoder};
use show::OutputProfile;
use show::profile::EncoderChoice;

fn profile(w: u32, h: u32) -> OutputProfile {
    OutputProfile::parse(Path::new("t.toml"), &format!("name = \"t\"\nwidth = {w}\nheight = {h}\nfps = 30\nx264_preset = \"ultrafast\"\n")).unwrap()
}

/// Pushes `seconds` of a moving gradient and a 440 Hz tone.
fn feed(p: &mut RoomPipeline, prof: &OutputProfile, seconds: u32) {
    let spf = prof.samples_per_frame();
    let mut phase = 0.0f32;
    for n in 0..(seconds * prof.fps) {
        let audio: Vec<f32> = (0..spf)
            .map(|_| {
                phase += 440.0 * std::f32::consts::TAU / 48_000.0;
                0.3 * phase.sin()
            })
            .collect();
        let w = prof.width as usize;
        p.push(
            |buf| {
                for (i, px) in buf.chunks_exact_mut(4).enumerate() {
                    let (x, y) = (i % w, i / w);
                    px.copy_from_slice(&[(x + n as usize) as u8, y as u8, 128, 255]);
                }
            },
            &audio,
        )
        .unwrap();
    }
}

fn ffprobe(path: &Path, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", entries, "-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn mp4_has_h264_and_aac_of_matching_length() {
    let dir = tempfile::tempdir().unwrap();
    let prof = profile(320, 240);
    let path = dir.path().join("out.mp4");
    let enc = pick_encoder(EncoderChoice::X264).unwrap();
    let mut p = RoomPipeline::start("test", &prof, &Target::Mp4 { path: path.clone() }, enc, false).unwrap();
    feed(&mut p, &prof, 3);
    assert_eq!(p.frames(), 90);
    p.finish(Duration::from_secs(20)).unwrap();

    let info = ffprobe(&path, "stream=codec_name,width,height,avg_frame_rate,duration,channels,sample_rate");
    assert!(info.contains("codec_name=h264"), "{info}");
    assert!(info.contains("codec_name=aac"), "{info}");
    assert!(info.contains("width=320") && info.contains("height=240"), "{info}");
    assert!(info.contains("avg_frame_rate=30/1"), "{info}");
    assert!(info.contains("channels=2") && info.contains("sample_rate=48000"), "{info}");
    let durations: Vec<f64> = info.lines().filter_map(|l| l.strip_prefix("duration=")).filter_map(|d| d.parse().ok()).collect();
    assert_eq!(durations.len(), 2, "{info}");
    assert!((durations[0] - 3.0).abs() < 0.05 && (durations[1] - 3.0).abs() < 0.1, "{durations:?}");
}

#[test]
fn hls_writes_a_playlist_and_segments() {
    let dir = tempfile::tempdir().unwrap();
    let prof = profile(320, 180);
    let enc = pick_encoder(EncoderChoice::X264).unwrap();
    let mut p = RoomPipeline::start("test", &prof, &Target::Hls { dir: dir.path().to_path_buf(), playlist: "index.m3u8".into() }, enc, false).unwrap();
    feed(&mut p, &prof, 5);
    p.finish(Duration::from_secs(20)).unwrap();
    let playlist = std::fs::read_to_string(dir.path().join("index.m3u8")).unwrap();
    assert!(playlist.contains("#EXTM3U") && playlist.contains("segment00000.ts"), "{playlist}");
    let info = ffprobe(&dir.path().join("segment00000.ts"), "stream=codec_name");
    assert!(info.contains("h264") && info.contains("aac"), "{info}");
}

#[test]
fn an_unreachable_rtmp_server_is_reported_as_a_disconnection() {
    // Port 9 on loopback: nothing listens (discard is not served here).
    let prof = profile(320, 180);
    let enc = pick_encoder(EncoderChoice::X264).unwrap();
    let started = RoomPipeline::start("test", &prof, &Target::Rtmp { url: "rtmp://127.0.0.1:9/live/secret-key".into() }, enc, true);
    let err = match started {
        Err(e) => e,
        Ok(mut p) => {
            let mut last = None;
            for _ in 0..300 {
                if let Err(e) = p.push(|b| b.fill(0), &vec![0.0; prof.samples_per_frame()]) {
                    last = Some(e);
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            last.expect("pushing to a dead server fails")
        }
    };
    assert!(!err.to_string().contains("secret-key"), "errors never carry the stream key: {err}");
    eprintln!("{:?}: {err}", err.kind);
    assert!(matches!(err.kind, broadcast::ErrorKind::Disconnected | broadcast::ErrorKind::Setup), "{err}");
}

#[test]
fn music_decodes_to_the_show_rate() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tone.wav");
    let spec = hound::WavSpec { channels: 2, sample_rate: 22_050, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..22_050 {
        let s = ((i as f32 * 0.05).sin() * 10_000.0) as i16;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    let samples = broadcast::decode_audio(&wav).unwrap();
    assert!((samples.len() as i64 - 48_000).abs() < 200, "{} samples", samples.len());
    assert!(samples.iter().any(|s| s.abs() > 0.2));
    assert!(broadcast::decode_audio(&dir.path().join("missing.ogg")).is_err());
}
