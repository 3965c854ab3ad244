//! Which GStreamer elements evercast needs, and which package brings each.

/// One needed element and whether it is present.
#[derive(Clone, Debug)]
pub struct ElementCheck {
    pub element: &'static str,
    pub purpose: &'static str,
    pub present: bool,
    /// `false` when another element can stand in (e.g. one of several AAC encoders).
    pub required: bool,
    pub package: &'static str,
}

const NEEDED: &[(&str, &str, bool)] = &[
    ("appsrc", "frames and samples in", true),
    ("appsink", "decoding music", true),
    ("videoconvert", "colour conversion", true),
    ("audioconvert", "audio format conversion", true),
    ("audioresample", "audio resampling", true),
    ("queue", "decoupling threads", true),
    ("x264enc", "H.264 encoding (software)", true),
    ("h264parse", "H.264 parsing", true),
    ("aacparse", "AAC parsing", true),
    ("flvmux", "RTMP container", true),
    ("rtmp2sink", "RTMP output", true),
    ("mp4mux", "MP4 files", true),
    ("hlssink2", "HLS preview", true),
    ("uridecodebin", "decoding music files", true),
    ("vorbisdec", "Ogg Vorbis music", false),
    ("avenc_aac", "AAC encoding", false),
    ("voaacenc", "AAC encoding (fallback)", false),
    ("nvh264enc", "H.264 on NVIDIA GPUs", false),
    ("vah264enc", "H.264 on Intel/AMD GPUs (VA-API)", false),
    ("vtenc_h264", "H.264 on Apple hardware", false),
];

pub(crate) fn package_for(element: &str) -> &'static str {
    match element {
        "appsrc" | "appsink" | "videoconvert" | "audioconvert" | "audioresample" | "uridecodebin" | "vorbisdec" | "queue" => {
            "gstreamer1.0-plugins-base (apt-get install gstreamer1.0-plugins-base)"
        }
        "x264enc" => "gstreamer1.0-plugins-ugly (apt-get install gstreamer1.0-plugins-ugly)",
        "h264parse" | "rtmp2sink" | "hlssink2" | "voaacenc" | "nvh264enc" | "vah264enc" => {
            "gstreamer1.0-plugins-bad (apt-get install gstreamer1.0-plugins-bad)"
        }
        "aacparse" | "flvmux" | "mp4mux" => "gstreamer1.0-plugins-good (apt-get install gstreamer1.0-plugins-good)",
        "avenc_aac" => "gstreamer1.0-libav (apt-get install gstreamer1.0-libav)",
        "vtenc_h264" => "GStreamer's applemedia plugin (macOS)",
        _ => "the GStreamer plugin that provides it",
    }
}

/// Checks every element evercast uses.
pub fn check_elements() -> Vec<ElementCheck> {
    let _ = crate::init();
    let mut out: Vec<ElementCheck> = NEEDED
        .iter()
        .map(|&(element, purpose, required)| ElementCheck {
            element,
            purpose,
            present: gst::ElementFactory::find(element).is_some(),
            required,
            package: package_for(element),
        })
        .collect();
    // At least one AAC encoder is required.
    let any_aac = out.iter().any(|c| (c.element == "avenc_aac" || c.element == "voaacenc") && c.present);
    if !any_aac {
        for c in out.iter_mut().filter(|c| c.element == "avenc_aac") {
            c.required = true;
        }
    }
    out
}
