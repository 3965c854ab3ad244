//! Measures the two ways of composing a frame, so the choice is made on figures:
//! (a) the whole frame composed in Rust, handed over as one RGBA frame and converted to I420;
//! (b) GStreamer's `compositor` blending a static background with a moving host layer (with
//!     alpha), caps pinned on every pad (BGRA in, I420 out), as `../shared/design.md` advises.
//! Both push the same number of frames through to a `fakesink` unsynced; the figure is CPU
//! time of the process per frame, so the encoder (the same in both) is left out.

use gst::prelude::*;

use crate::{BroadcastError, ErrorKind, make, set_prop};

#[derive(Clone, Debug, serde::Serialize)]
pub struct ComposeCosts {
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    /// CPU ms per frame: Rust-composed RGBA → videoconvert → I420.
    pub rust_frame_ms: f64,
    /// CPU ms per frame: compositor(background BGRA + host BGRA with alpha) → I420.
    pub compositor_pinned_ms: f64,
    /// CPU ms per frame: the same compositor with its output caps left open.
    pub compositor_unpinned_ms: f64,
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn appsrc(name: &str, format: gst_video::VideoFormat, w: u32, h: u32, fps: i32) -> Result<gst_app::AppSrc, BroadcastError> {
    let info = gst_video::VideoInfo::builder(format, w, h)
        .fps(gst::Fraction::new(fps, 1))
        .build()
        .map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
    let caps = info.to_caps().map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
    Ok(gst_app::AppSrc::builder().name(name).caps(&caps).format(gst::Format::Time).block(true).max_bytes(info.size() as u64 * 3).build())
}

fn push(src: &gst_app::AppSrc, data: &[u8], n: u64, fps: u64) -> Result<(), BroadcastError> {
    let mut buf = gst::Buffer::from_mut_slice(data.to_vec());
    {
        let b = buf.get_mut().ok_or_else(|| BroadcastError::new(ErrorKind::Runtime, "shared buffer"))?;
        b.set_pts(gst::ClockTime::from_nseconds(n * 1_000_000_000 / fps));
        b.set_duration(gst::ClockTime::from_nseconds(1_000_000_000 / fps));
    }
    src.push_buffer(buf).map_err(|e| BroadcastError::new(ErrorKind::Runtime, format!("{e:?}")))?;
    Ok(())
}

fn run(pipeline: &gst::Pipeline, feed: impl FnOnce() -> Result<(), BroadcastError>) -> Result<f64, BroadcastError> {
    pipeline.set_state(gst::State::Playing).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
    let cpu0 = cpu_seconds();
    feed()?;
    let bus = pipeline.bus().ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "no bus"))?;
    let msg = bus.timed_pop_filtered(gst::ClockTime::from_seconds(120), &[gst::MessageType::Eos, gst::MessageType::Error]);
    let cpu = cpu_seconds() - cpu0;
    let _ = pipeline.set_state(gst::State::Null);
    match msg.map(|m| m.view().clone_error()) {
        Some(Some(e)) => Err(BroadcastError::new(ErrorKind::Runtime, e)),
        Some(None) => Ok(cpu),
        None => Err(BroadcastError::new(ErrorKind::Runtime, "timed out")),
    }
}

trait CloneError {
    fn clone_error(&self) -> Option<String>;
}

impl CloneError for gst::MessageView<'_> {
    fn clone_error(&self) -> Option<String> {
        match self {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }
}

/// Measures both ways over `frames` frames at `width`×`height`, 30 fps.
pub fn compose_costs(width: u32, height: u32, frames: u32) -> Result<ComposeCosts, BroadcastError> {
    crate::init()?;
    let fps = 30u64;
    let (w, h) = (width as usize, height as usize);
    // A host layer the size the stage gives the host: ~40 % of the width, full height.
    let (hw, hh) = ((w * 2 / 5) & !1, h & !1);
    let background: Vec<u8> = (0..w * h).flat_map(|i| [(i % w) as u8, (i / w) as u8, 90, 255]).collect();
    let host: Vec<u8> = (0..hw * hh).flat_map(|i| if (i % hw) > hw / 4 && (i % hw) < hw * 3 / 4 { [200, 150, 120, 255] } else { [0, 0, 0, 0] }).collect();

    // (a) One RGBA frame from Rust: compose = copy the cached background, blit the host.
    let rust = {
        let p = gst::Pipeline::new();
        let src = appsrc("v", gst_video::VideoFormat::Rgba, width, height, fps as i32)?;
        let conv = make("videoconvert")?;
        let caps = make("capsfilter")?;
        caps.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "I420").build());
        let sink = make("fakesink")?;
        set_prop(&sink, "sync", "false")?;
        p.add_many([src.upcast_ref(), &conv, &caps, &sink]).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        gst::Element::link_many([src.upcast_ref(), &conv, &caps, &sink]).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        let mut frame = background.clone();
        run(&p, || {
            for n in 0..u64::from(frames) {
                frame.copy_from_slice(&background);
                let x0 = (n as usize * 2) % (w - hw);
                for y in 0..hh {
                    let row = &host[y * hw * 4..(y + 1) * hw * 4];
                    let dst = &mut frame[(y * w + x0) * 4..(y * w + x0 + hw) * 4];
                    for (d, s) in dst.chunks_exact_mut(4).zip(row.chunks_exact(4)) {
                        if s[3] != 0 {
                            d.copy_from_slice(s);
                        }
                    }
                }
                push(&src, &frame, n, fps)?;
            }
            src.end_of_stream().map_err(|e| BroadcastError::new(ErrorKind::Runtime, format!("{e:?}")))?;
            Ok(())
        })?
    };

    // (b) compositor: background and host as two BGRA layers.
    let compositor = |pinned: bool| -> Result<f64, BroadcastError> {
        let p = gst::Pipeline::new();
        let bg = appsrc("bg", gst_video::VideoFormat::Bgra, width, height, fps as i32)?;
        let fg = appsrc("fg", gst_video::VideoFormat::Bgra, hw as u32, hh as u32, fps as i32)?;
        let comp = make("compositor")?;
        let conv = make("videoconvert")?;
        let caps = make("capsfilter")?;
        let out_caps = if pinned {
            gst::Caps::builder("video/x-raw").field("format", "I420").field("width", width as i32).field("height", height as i32).build()
        } else {
            gst::Caps::builder("video/x-raw").field("format", "I420").build()
        };
        caps.set_property("caps", out_caps);
        let sink = make("fakesink")?;
        set_prop(&sink, "sync", "false")?;
        p.add_many([bg.upcast_ref(), fg.upcast_ref(), &comp, &conv, &caps, &sink]).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        if pinned {
            // Pin the compositor's own output to BGRA (it blends alpha there) at the frame size.
            let pin = make("capsfilter")?;
            pin.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "BGRA").field("width", width as i32).field("height", height as i32).build());
            p.add(&pin).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
            gst::Element::link_many([&comp, &pin, &conv, &caps, &sink]).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        } else {
            gst::Element::link_many([&comp, &conv, &caps, &sink]).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        }
        bg.link(&comp).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        fg.link(&comp).map_err(|e| BroadcastError::new(ErrorKind::Setup, e.to_string()))?;
        let fg_pad = comp.static_pad("sink_1").ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "no compositor pad"))?;
        run(&p, || {
            for n in 0..u64::from(frames) {
                fg_pad.set_property("xpos", ((n as usize * 2) % (w - hw)) as i32);
                push(&bg, &background, n, fps)?;
                push(&fg, &host, n, fps)?;
            }
            bg.end_of_stream().map_err(|e| BroadcastError::new(ErrorKind::Runtime, format!("{e:?}")))?;
            fg.end_of_stream().map_err(|e| BroadcastError::new(ErrorKind::Runtime, format!("{e:?}")))?;
            Ok(())
        })
    };
    let pinned = compositor(true)?;
    let unpinned = compositor(false)?;
    let per = |s: f64| s * 1000.0 / f64::from(frames);
    Ok(ComposeCosts { width, height, frames, rust_frame_ms: per(rust), compositor_pinned_ms: per(pinned), compositor_unpinned_ms: per(unpinned) })
}
