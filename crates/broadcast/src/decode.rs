//! Decoding audio files (background music) into the show's sample format.

use std::path::Path;

use gst::prelude::*;
use show::SAMPLE_RATE;

use crate::{BroadcastError, ErrorKind, make};

/// Decodes any audio file GStreamer can read into mono f32 samples at [`SAMPLE_RATE`].
/// Done once at start-up; a show loops the result.
pub fn decode_audio(path: &Path) -> Result<Vec<f32>, BroadcastError> {
    crate::init()?;
    let fail = |m: String| BroadcastError::new(ErrorKind::Runtime, format!("cannot decode {}: {m}", path.display()));
    let abs = std::fs::canonicalize(path).map_err(|e| fail(e.to_string()))?;
    let uri = gst::glib::filename_to_uri(&abs, None).map_err(|e| fail(e.to_string()))?;
    let pipeline = gst::Pipeline::new();
    let src = make("uridecodebin")?;
    src.set_property("uri", uri.as_str());
    let convert = make("audioconvert")?;
    let resample = make("audioresample")?;
    let sink = gst_app::AppSink::builder()
        .caps(&gst::Caps::builder("audio/x-raw").field("format", "F32LE").field("rate", SAMPLE_RATE as i32).field("channels", 1i32).field("layout", "interleaved").build())
        .sync(false)
        .build();
    pipeline.add_many([&src, &convert, &resample, sink.upcast_ref()]).map_err(|e| fail(e.to_string()))?;
    gst::Element::link_many([&convert, &resample, sink.upcast_ref()]).map_err(|e| fail(e.to_string()))?;
    let convert_weak = convert.downgrade();
    src.connect_pad_added(move |_, pad| {
        let Some(convert) = convert_weak.upgrade() else { return };
        let is_audio = pad.current_caps().and_then(|c| c.structure(0).map(|s| s.name().starts_with("audio/"))).unwrap_or(false);
        if let Some(sinkpad) = convert.static_pad("sink")
            && is_audio
            && !sinkpad.is_linked()
        {
            let _ = pad.link(&sinkpad);
        }
    });
    pipeline.set_state(gst::State::Playing).map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::new();
    let bus = pipeline.bus().ok_or_else(|| fail("no bus".into()))?;
    loop {
        match sink.try_pull_sample(gst::ClockTime::from_seconds(5)) {
            Some(sample) => {
                if let Some(buf) = sample.buffer()
                    && let Ok(map) = buf.map_readable()
                {
                    out.extend(map.as_slice().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])));
                }
            }
            None => break,
        }
    }
    let err = bus.pop_filtered(&[gst::MessageType::Error]).and_then(|m| match m.view() {
        gst::MessageView::Error(e) => Some(e.error().to_string()),
        _ => None,
    });
    let _ = pipeline.set_state(gst::State::Null);
    if let Some(e) = err {
        return Err(fail(e));
    }
    if out.is_empty() {
        return Err(fail("no audio in the file".into()));
    }
    Ok(out)
}
