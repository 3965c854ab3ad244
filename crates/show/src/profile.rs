//! Output profiles (`pipelines/*.toml`): the format a room is rendered and encoded in.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{SourceError, line_col};

/// Which H.264 encoder to use. `Auto` takes a hardware encoder when one works, else x264.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncoderChoice {
    #[default]
    Auto,
    X264,
    /// NVIDIA NVENC (`nvh264enc`).
    Nvh264,
    /// VA-API (`vah264enc`), Intel and AMD on Linux.
    Vah264,
    /// Apple VideoToolbox (`vtenc_h264`).
    Vtenc,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputProfile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub width: u32,
    pub height: u32,
    #[serde(default = "default_fps")]
    pub fps: u32,
    #[serde(default = "default_video_kbps")]
    pub video_bitrate_kbps: u32,
    #[serde(default = "default_audio_kbps")]
    pub audio_bitrate_kbps: u32,
    /// Seconds between keyframes (platforms ask for 2).
    #[serde(default = "default_keyframe")]
    pub keyframe_seconds: u32,
    #[serde(default)]
    pub encoder: EncoderChoice,
    /// x264 speed preset when x264 is used live (ultrafast … medium).
    #[serde(default = "default_preset")]
    pub x264_preset: String,
    /// x264 speed preset for offline renders (`evercast preview`), which favour turnaround.
    #[serde(default = "default_offline_preset")]
    pub x264_offline_preset: String,
    /// HLS segment length, for HLS outputs.
    #[serde(default = "default_hls_segment")]
    pub hls_segment_seconds: u32,
}

fn default_fps() -> u32 {
    30
}
fn default_video_kbps() -> u32 {
    2500
}
fn default_audio_kbps() -> u32 {
    128
}
fn default_keyframe() -> u32 {
    2
}
fn default_preset() -> String {
    "veryfast".into()
}
fn default_offline_preset() -> String {
    // On show graphics at 2.5 Mb/s ultrafast is within 0.3 dB of superfast (57.0 vs 57.3 dB
    // PSNR, 720p) for about two thirds of the CPU; a preview is about turnaround.
    "ultrafast".into()
}
fn default_hls_segment() -> u32 {
    2
}

impl OutputProfile {
    pub fn parse(file: &Path, text: &str) -> Result<OutputProfile, SourceError> {
        let p: OutputProfile = toml::from_str(text).map_err(|e| {
            let mut err = SourceError::new(file, e.message().to_string());
            if let Some(span) = e.span() {
                let (l, c) = line_col(text, span.start);
                err = err.at(l, c);
            }
            err
        })?;
        let bad = |field: &str, msg: &str| Err(SourceError::new(file, msg.to_string()).field(field.to_string()));
        if p.width < 64 || p.height < 64 || p.width > 7680 || p.height > 7680 || p.width % 2 != 0 || p.height % 2 != 0 {
            return bad("width", "width and height must be even numbers between 64 and 7680");
        }
        if !(1..=60).contains(&p.fps) {
            return bad("fps", "expected a frame rate between 1 and 60");
        }
        if crate::media::SAMPLE_RATE % p.fps != 0 {
            return bad("fps", "the frame rate must divide 48000 (e.g. 24, 25, 30, 50, 60) so audio and video stay locked");
        }
        if p.keyframe_seconds == 0 {
            return bad("keyframe_seconds", "expected at least 1 second between keyframes");
        }
        Ok(p)
    }

    pub fn is_vertical(&self) -> bool {
        self.height > self.width
    }

    /// Audio samples that go with one video frame.
    pub fn samples_per_frame(&self) -> usize {
        (crate::media::SAMPLE_RATE / self.fps) as usize
    }

    /// This profile turned to the orientation of `room`, for previews of vertical rooms.
    pub fn oriented_like(&self, room: &OutputProfile) -> OutputProfile {
        let mut p = self.clone();
        if room.is_vertical() != self.is_vertical() {
            std::mem::swap(&mut p.width, &mut p.height);
        }
        p
    }
}
