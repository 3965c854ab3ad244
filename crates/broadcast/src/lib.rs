//! Broadcast: the GStreamer graph that turns a room's frames and samples into a stream or a file.
//!
//! **Owns**: building and running the pipeline (appsrc video + appsrc audio → H.264 + AAC →
//! FLV/RTMP, MP4 or HLS), encoder selection (hardware when present, x264 otherwise), bus
//! errors, decoding audio files (background music), and the element checks behind
//! `evercast doctor`.
//!
//! **Must not touch**: what is said or drawn. Frames arrive already composed in RGBA and audio
//! already mixed, each stamped from the room's one media clock (frame and sample counters), so
//! the graph never decides timing; it never blocks on inference either — producers push from
//! their own threads into bounded `appsrc` queues, which give back-pressure.

pub mod bench;
mod convert;
mod decode;
mod doctor;
mod encoder;
mod pipeline;

pub use decode::decode_audio;
pub use doctor::{ElementCheck, check_elements};
pub use encoder::{EncoderKind, pick_encoder};
pub use pipeline::{RoomPipeline, Target};

use std::sync::OnceLock;

/// What went wrong, so the caller can retry (a dropped RTMP connection) or give up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A GStreamer element or plugin is missing.
    MissingElement,
    /// The pipeline could not be built or started.
    Setup,
    /// The sink lost its destination (RTMP server gone): retry later.
    Disconnected,
    /// Any other runtime failure.
    Runtime,
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct BroadcastError {
    pub kind: ErrorKind,
    pub message: String,
}

impl BroadcastError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        BroadcastError { kind, message: message.into() }
    }
}

/// Initializes GStreamer once for the process.
pub fn init() -> Result<(), BroadcastError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gst::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| BroadcastError::new(ErrorKind::Setup, format!("GStreamer failed to initialize: {e}")))
}

/// Makes an element, or says which Debian package provides it.
pub(crate) fn make(factory: &str) -> Result<gst::Element, BroadcastError> {
    gst::ElementFactory::make(factory).build().map_err(|_| {
        BroadcastError::new(
            ErrorKind::MissingElement,
            format!("the GStreamer element `{factory}` is missing: install {}", doctor::package_for(factory)),
        )
    })
}

/// Sets a property from its string form, without the panics of `set_property` when an element
/// version lacks the property or the value does not parse (hardware encoders differ by version).
pub(crate) fn set_prop(el: &gst::Element, name: &str, value: &str) -> Result<(), BroadcastError> {
    use gst::prelude::*;
    let factory = el.factory().map(|f| f.name().to_string()).unwrap_or_default();
    let pspec = el.find_property(name).ok_or_else(|| {
        BroadcastError::new(ErrorKind::Setup, format!("`{factory}` has no property `{name}`"))
    })?;
    let v = gst::glib::Value::deserialize_with_pspec(value, &pspec).map_err(|_| {
        BroadcastError::new(ErrorKind::Setup, format!("`{factory}`: `{value}` is not a valid value for `{name}`"))
    })?;
    el.set_property_from_value(name, &v);
    Ok(())
}

/// Like [`set_prop`], but a property this element version lacks is only logged.
pub(crate) fn set_prop_lenient(el: &gst::Element, name: &str, value: &str) {
    if let Err(e) = set_prop(el, name, value) {
        tracing::warn!("{e}; left at its default");
    }
}
