//! H.264 encoder selection: a hardware encoder when one is present and opens, x264 otherwise.

use gst::prelude::*;
use show::profile::{EncoderChoice, OutputProfile};

use crate::{BroadcastError, ErrorKind, make, set_prop, set_prop_lenient};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncoderKind {
    X264,
    Nvh264,
    Vah264,
    Vtenc,
}

impl EncoderKind {
    pub fn element(self) -> &'static str {
        match self {
            EncoderKind::X264 => "x264enc",
            EncoderKind::Nvh264 => "nvh264enc",
            EncoderKind::Vah264 => "vah264enc",
            EncoderKind::Vtenc => "vtenc_h264",
        }
    }

    pub fn is_hardware(self) -> bool {
        self != EncoderKind::X264
    }
}

/// True when the element exists and can open its device (a plugin may be installed on a
/// machine without the GPU it drives).
fn usable(kind: EncoderKind) -> bool {
    let Ok(el) = gst::ElementFactory::make(kind.element()).build() else {
        return false;
    };
    let ok = el.set_state(gst::State::Ready).is_ok();
    let _ = el.set_state(gst::State::Null);
    ok
}

/// Resolves the profile's encoder choice to an encoder that works on this machine.
pub fn pick_encoder(choice: EncoderChoice) -> Result<EncoderKind, BroadcastError> {
    crate::init()?;
    let wanted = match choice {
        EncoderChoice::Auto => {
            for kind in [EncoderKind::Nvh264, EncoderKind::Vah264, EncoderKind::Vtenc] {
                if usable(kind) {
                    return Ok(kind);
                }
            }
            EncoderKind::X264
        }
        EncoderChoice::X264 => EncoderKind::X264,
        EncoderChoice::Nvh264 => EncoderKind::Nvh264,
        EncoderChoice::Vah264 => EncoderKind::Vah264,
        EncoderChoice::Vtenc => EncoderKind::Vtenc,
    };
    if usable(wanted) {
        Ok(wanted)
    } else {
        Err(BroadcastError::new(
            ErrorKind::MissingElement,
            format!(
                "the encoder `{}` is not usable on this machine (missing plugin or device); use encoder = \"auto\" or \"x264\" in the profile",
                wanted.element()
            ),
        ))
    }
}

/// Builds the encoder element configured for the profile. `live` favours latency (no
/// look-ahead, no B-frames); files favour quality per bit.
pub(crate) fn build(kind: EncoderKind, profile: &OutputProfile, live: bool) -> Result<gst::Element, BroadcastError> {
    let enc = make(kind.element())?;
    let gop = (profile.fps * profile.keyframe_seconds).to_string();
    let kbps = profile.video_bitrate_kbps.to_string();
    match kind {
        EncoderKind::X264 => {
            set_prop(&enc, "bitrate", &kbps)?;
            set_prop(&enc, "key-int-max", &gop)?;
            set_prop(&enc, "speed-preset", if live { &profile.x264_preset } else { &profile.x264_offline_preset })?;
            if live {
                set_prop(&enc, "tune", "zerolatency")?;
            }
            // One thread: live, the encoder only has to keep up with the clock, and one does at
            // 720p without the threading overhead (about a fifth of x264's CPU here). Offline,
            // the writer, the voice and the stage keep the other cores busy: the demo's
            // 2-minute preview with the 0.5B writer took 63–70 CPU s against 67–77 with
            // x264's own threads, and a templates-only one the same time either way.
            set_prop(&enc, "threads", "1")?;
            // Platforms want a steady picture order: no B-frames keeps RTMP ingest happy.
            set_prop(&enc, "bframes", "0")?;
        }
        EncoderKind::Nvh264 => {
            set_prop_lenient(&enc, "bitrate", &kbps);
            set_prop_lenient(&enc, "gop-size", &gop);
            set_prop_lenient(&enc, "rc-mode", "cbr");
            set_prop_lenient(&enc, "bframes", "0");
        }
        EncoderKind::Vah264 => {
            set_prop_lenient(&enc, "bitrate", &kbps);
            set_prop_lenient(&enc, "key-int-max", &gop);
            set_prop_lenient(&enc, "rate-control", "cbr");
            set_prop_lenient(&enc, "b-frames", "0");
        }
        EncoderKind::Vtenc => {
            set_prop_lenient(&enc, "bitrate", &kbps);
            set_prop_lenient(&enc, "max-keyframe-interval", &gop);
            set_prop_lenient(&enc, "realtime", if live { "true" } else { "false" });
            set_prop_lenient(&enc, "allow-frame-reordering", "false");
        }
    }
    Ok(enc)
}
