//! One room's pipeline: appsrc video + appsrc audio → H.264 + AAC → FLV/RTMP, MP4 or HLS.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use gst::prelude::*;
use show::profile::OutputProfile;
use show::SAMPLE_RATE;

use crate::convert::I420Converter;
use crate::encoder::{self, EncoderKind};
use crate::{BroadcastError, ErrorKind, make, set_prop, set_prop_lenient};

/// How long a sink may refuse data before the output counts as stalled (a frozen RTMP
/// connection that never errors).
const STALL_LIMIT: Duration = Duration::from_secs(15);

/// How long an RTMP connection may send no bytes while frames are pushed before it counts as
/// dead. A connect made while a server restarts can "succeed" and then never publish; the
/// queues would take seconds to fill, so the socket's own byte count is watched instead.
const RTMP_SILENCE_LIMIT: Duration = Duration::from_secs(4);

/// Where the encoded stream goes.
#[derive(Clone)]
pub enum Target {
    /// An RTMP ingest URL. It holds the stream key: never log it.
    Rtmp { url: String },
    Mp4 { path: PathBuf },
    /// An HLS playlist and its `.ts` segments in `dir`.
    Hls { dir: PathBuf, playlist: String },
}

impl Target {
    /// A description safe to log (no stream key).
    pub fn describe(&self) -> String {
        match self {
            Target::Rtmp { url } => {
                let parts: Vec<&str> = url.splitn(5, '/').collect();
                if parts.len() == 5 { format!("{}//{}/{}/****", parts[0], parts[2], parts[3]) } else { "rtmp://…".into() }
            }
            Target::Mp4 { path } => path.display().to_string(),
            Target::Hls { dir, playlist } => dir.join(playlist).display().to_string(),
        }
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A running pipeline for one room. Frames and samples are pushed from the room's producer
/// thread; timestamps come from counters, never from a wall clock.
pub struct RoomPipeline {
    room: String,
    pipeline: gst::Pipeline,
    video: gst_app::AppSrc,
    audio: gst_app::AppSrc,
    pool: gst::BufferPool,
    bus: gst::Bus,
    fps: u64,
    vinfo: gst_video::VideoInfo,
    rgba: Vec<u8>,
    convert: I420Converter,
    frames: u64,
    samples: u64,
    sink_name: String,
    /// The RTMP sink and the last time its sent-byte count moved.
    rtmp: Option<RtmpFlow>,
}

/// Watches an RTMP sink's `stats` (`out-bytes-total`) for progress.
struct RtmpFlow {
    sink: gst::Element,
    sent: u64,
    moved: std::time::Instant,
}

impl RtmpFlow {
    fn sent(&self) -> u64 {
        self.sink
            .property::<Option<gst::Structure>>("stats")
            .and_then(|s| s.get::<u64>("out-bytes-total").ok())
            .unwrap_or(0)
    }
}

impl RoomPipeline {
    /// Builds and starts the pipeline. `live` paces nothing by itself (the producer does) but
    /// tunes the encoder for latency and marks the sources live.
    pub fn start(room: &str, profile: &OutputProfile, target: &Target, encoder: EncoderKind, live: bool) -> Result<RoomPipeline, BroadcastError> {
        crate::init()?;
        let pipeline = gst::Pipeline::with_name(&format!("room-{room}"));
        let setup = |e: gst::glib::BoolError| BroadcastError::new(ErrorKind::Setup, format!("room {room}: {e}"));

        // Video: frames are drawn in RGBA and converted to I420 here, in Rust, only where they
        // changed (see `convert`); GStreamer gets I420 with its caps pinned, so negotiation
        // never wanders into a costlier format.
        let vinfo = gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, profile.width, profile.height)
            .fps(gst::Fraction::new(profile.fps as i32, 1))
            .colorimetry(&gst_video::VideoColorimetry::from_str("bt709").map_err(setup)?)
            .build()
            .map_err(setup)?;
        let vcaps = vinfo.to_caps().map_err(setup)?;
        let video = gst_app::AppSrc::builder()
            .name("video")
            .caps(&vcaps)
            .format(gst::Format::Time)
            .is_live(live)
            // Back-pressure is applied by `wait_for_room`, which also watches the bus: a
            // blocking appsrc would wait forever on a pipeline that failed downstream.
            .block(false)
            // A few frames of slack: enough to absorb encoder jitter, small enough that a
            // stalled sink pushes back on the producer within a fraction of a second.
            .max_bytes((vinfo.size() * 4) as u64)
            .build();
        let vqueue = make("queue")?;
        set_prop(&vqueue, "max-size-buffers", "4")?;
        set_prop(&vqueue, "max-size-bytes", "0")?;
        set_prop(&vqueue, "max-size-time", "0")?;
        let venc = encoder::build(encoder, profile, live)?;
        let h264caps = make("capsfilter")?;
        let mut hcaps = gst::Caps::builder("video/x-h264").field("stream-format", "avc").field("alignment", "au");
        if encoder == EncoderKind::X264 {
            hcaps = hcaps.field("profile", "high");
        }
        h264caps.set_property("caps", &hcaps.build());
        let vparse = make("h264parse")?;
        set_prop_lenient(&vparse, "config-interval", "-1");

        // Audio: mono f32 at the show's rate → stereo AAC.
        let acaps = gst_audio::AudioInfo::builder(gst_audio::AudioFormat::F32le, SAMPLE_RATE, 1)
            .build()
            .map_err(setup)?
            .to_caps()
            .map_err(setup)?;
        let audio = gst_app::AppSrc::builder()
            .name("audio")
            .caps(&acaps)
            .format(gst::Format::Time)
            .is_live(live)
            .block(false)
            .max_bytes((SAMPLE_RATE as u64) * 4 / 2)
            .build();
        let aqueue = make("queue")?;
        let aconvert = make("audioconvert")?;
        let aresample = make("audioresample")?;
        let stereo = make("capsfilter")?;
        stereo.set_property("caps", gst::Caps::builder("audio/x-raw").field("rate", SAMPLE_RATE as i32).field("channels", 2i32).build());
        let aenc = match make("avenc_aac") {
            Ok(e) => e,
            Err(_) => make("voaacenc")?,
        };
        set_prop(&aenc, "bitrate", &(profile.audio_bitrate_kbps * 1000).to_string())?;
        // FFmpeg's default AAC coder ("twoloop") costs several times the "fast" one for no
        // audible gain on a voice over music.
        if aenc.find_property("aac-coder").is_some() {
            set_prop_lenient(&aenc, "aac-coder", "fast");
        }
        let aparse = make("aacparse")?;

        pipeline
            .add_many([video.upcast_ref(), &vqueue, &venc, &h264caps, &vparse])
            .map_err(setup)?;
        pipeline.add_many([audio.upcast_ref(), &aqueue, &aconvert, &aresample, &stereo, &aenc, &aparse]).map_err(setup)?;
        gst::Element::link_many([video.upcast_ref(), &vqueue, &venc, &h264caps, &vparse]).map_err(setup)?;
        gst::Element::link_many([audio.upcast_ref(), &aqueue, &aconvert, &aresample, &stereo, &aenc, &aparse]).map_err(setup)?;

        let sink_name = "sink".to_string();
        let mut rtmp = None;
        match target {
            Target::Rtmp { url } => {
                let mux = make("flvmux")?;
                set_prop(&mux, "streamable", "true")?;
                let q = make("queue")?;
                let sink = make("rtmp2sink")?;
                sink.set_property("name", &sink_name);
                set_prop(&sink, "location", url)?;
                set_prop_lenient(&sink, "sync", "false");
                set_prop_lenient(&sink, "async", "false");
                // Connect while the pipeline starts: a server that refuses (down, restarting)
                // fails the start, which the room retries with back-off. Connecting on the first
                // buffer instead could leave a restarted server's connection failed unseen.
                set_prop_lenient(&sink, "async-connect", "false");
                pipeline.add_many([&mux, &q, &sink]).map_err(setup)?;
                vparse.link(&mux).map_err(setup)?;
                aparse.link(&mux).map_err(setup)?;
                gst::Element::link_many([&mux, &q, &sink]).map_err(setup)?;
                if sink.find_property("stats").is_some() {
                    rtmp = Some(RtmpFlow { sink: sink.clone(), sent: 0, moved: std::time::Instant::now() });
                }
            }
            Target::Mp4 { path } => {
                let mux = make("mp4mux")?;
                let sink = make("filesink")?;
                sink.set_property("name", &sink_name);
                sink.set_property("location", path.to_string_lossy().as_ref());
                set_prop_lenient(&sink, "sync", "false");
                pipeline.add_many([&mux, &sink]).map_err(setup)?;
                vparse.link(&mux).map_err(setup)?;
                aparse.link(&mux).map_err(setup)?;
                mux.link(&sink).map_err(setup)?;
            }
            Target::Hls { dir, playlist } => {
                std::fs::create_dir_all(dir).map_err(|e| BroadcastError::new(ErrorKind::Setup, format!("cannot create {}: {e}", dir.display())))?;
                let sink = make("hlssink2")?;
                sink.set_property("name", &sink_name);
                sink.set_property("location", dir.join("segment%05d.ts").to_string_lossy().as_ref());
                sink.set_property("playlist-location", dir.join(playlist).to_string_lossy().as_ref());
                set_prop(&sink, "target-duration", &profile.hls_segment_seconds.to_string())?;
                set_prop(&sink, "playlist-length", "6")?;
                set_prop(&sink, "max-files", "12")?;
                pipeline.add(&sink).map_err(setup)?;
                let vpad = sink.request_pad_simple("video").ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "hlssink2 has no video pad"))?;
                let apad = sink.request_pad_simple("audio").ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "hlssink2 has no audio pad"))?;
                vparse.static_pad("src").and_then(|p| p.link(&vpad).ok()).ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "cannot link video to hlssink2"))?;
                aparse.static_pad("src").and_then(|p| p.link(&apad).ok()).ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "cannot link audio to hlssink2"))?;
            }
        }

        // Frames go out in pooled buffers: no per-frame allocation of megabytes (fresh pages
        // cost more than the copy they would save). The pool is not capped: an encoder holds
        // as many frames as its look-ahead needs, and the appsrc limit bounds the rest.
        let pool = gst::BufferPool::new();
        let mut config = pool.config();
        config.set_params(Some(&vcaps), vinfo.size() as u32, 2, 0);
        pool.set_config(config).map_err(setup)?;
        pool.set_active(true).map_err(setup)?;

        let bus = pipeline.bus().ok_or_else(|| BroadcastError::new(ErrorKind::Setup, "pipeline without a bus"))?;
        pipeline.set_state(gst::State::Playing).map_err(|e| {
            let detail = bus
                .pop_filtered(&[gst::MessageType::Error])
                .and_then(|m| match m.view() {
                    gst::MessageView::Error(err) => Some(err.error().to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| e.to_string());
            BroadcastError::new(ErrorKind::Setup, format!("room {room}: the pipeline did not start: {detail}"))
        })?;
        tracing::info!(room, target = %target.describe(), encoder = encoder.element(), live, "{}x{}@{} pipeline started", profile.width, profile.height, profile.fps);
        Ok(RoomPipeline {
            room: room.to_string(),
            pipeline,
            video,
            audio,
            pool,
            bus,
            fps: u64::from(profile.fps),
            rgba: vec![0; (profile.width * profile.height * 4) as usize],
            convert: I420Converter::new(profile.width, profile.height),
            vinfo,
            frames: 0,
            samples: 0,
            sink_name,
            rtmp,
        })
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Pushes one video frame, drawn by `draw` (RGBA, every pixel written), and the audio
    /// that plays during it. Blocks when the queues are full.
    pub fn push(&mut self, draw: impl FnOnce(&mut [u8]), audio: &[f32]) -> Result<(), BroadcastError> {
        draw(&mut self.rgba);
        self.convert.update(&self.rgba);
        self.send(audio)
    }

    /// Pushes the previous picture again with new audio: a machine that falls behind keeps
    /// the audio (the clock) whole and lets the picture catch up.
    pub fn push_repeat(&mut self, audio: &[f32]) -> Result<(), BroadcastError> {
        self.send(audio)
    }

    /// Audio pushed minus video pushed, in seconds: how far the two streams' timestamps have
    /// come apart at the pipeline's door (0 up to one frame's audio, by construction).
    pub fn av_drift(&self) -> f64 {
        self.samples as f64 / f64::from(SAMPLE_RATE) - self.frames as f64 / self.fps as f64
    }

    /// Share of the picture re-converted for the last frame (0 … 1).
    pub fn changed_share(&self) -> f64 {
        self.convert.last_tiles as f64 / self.convert.tiles_per_frame.max(1) as f64
    }

    /// Waits until both queues have room, watching the bus meanwhile, so a pipeline that failed
    /// or stalled is reported instead of blocking the producer forever.
    fn wait_for_room(&self) -> Result<(), BroadcastError> {
        let started = std::time::Instant::now();
        loop {
            self.check()?;
            if self.video.current_level_bytes() < self.video.max_bytes() && self.audio.current_level_bytes() < self.audio.max_bytes() {
                return Ok(());
            }
            if started.elapsed() > STALL_LIMIT {
                return Err(BroadcastError::new(ErrorKind::Disconnected, format!("room {}: the output took no data for {STALL_LIMIT:?}", self.room)));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Fails an RTMP output whose socket has sent nothing for [`RTMP_SILENCE_LIMIT`] while
    /// frames kept coming (checked once a second of frames).
    fn check_rtmp_flow(&mut self) -> Result<(), BroadcastError> {
        let Some(flow) = self.rtmp.as_mut() else { return Ok(()) };
        if self.frames % self.fps.max(1) != 0 {
            return Ok(());
        }
        let sent = flow.sent();
        if sent != flow.sent {
            flow.sent = sent;
            flow.moved = std::time::Instant::now();
        } else if flow.moved.elapsed() > RTMP_SILENCE_LIMIT {
            return Err(BroadcastError::new(
                ErrorKind::Disconnected,
                format!("room {}: the RTMP connection sent nothing for {:?} ({sent} bytes in all)", self.room, RTMP_SILENCE_LIMIT),
            ));
        }
        Ok(())
    }

    fn send(&mut self, audio: &[f32]) -> Result<(), BroadcastError> {
        self.wait_for_room()?;
        self.check_rtmp_flow()?;
        let pts = gst::ClockTime::from_nseconds(self.frames * 1_000_000_000 / self.fps);
        let next = gst::ClockTime::from_nseconds((self.frames + 1) * 1_000_000_000 / self.fps);
        let mut buf = self.pool.acquire_buffer(None).map_err(|e| self.flow_error(e))?;
        {
            let b = buf.get_mut().ok_or_else(|| BroadcastError::new(ErrorKind::Runtime, "pooled buffer is shared"))?;
            b.set_pts(pts);
            b.set_duration(next - pts);
            let mut map = b.map_writable().map_err(|e| BroadcastError::new(ErrorKind::Runtime, e.to_string()))?;
            copy_planes(&self.vinfo, self.convert.planes(), map.as_mut_slice());
        }
        self.video.push_buffer(buf).map_err(|e| self.flow_error(e))?;
        self.frames += 1;

        if !audio.is_empty() {
            let apts = gst::ClockTime::from_nseconds(self.samples * 1_000_000_000 / u64::from(SAMPLE_RATE));
            self.samples += audio.len() as u64;
            let aend = gst::ClockTime::from_nseconds(self.samples * 1_000_000_000 / u64::from(SAMPLE_RATE));
            let mut bytes = Vec::with_capacity(audio.len() * 4);
            for s in audio {
                bytes.extend_from_slice(&s.to_le_bytes());
            }
            let mut abuf = gst::Buffer::from_mut_slice(bytes);
            {
                let b = abuf.get_mut().ok_or_else(|| BroadcastError::new(ErrorKind::Runtime, "audio buffer is shared"))?;
                b.set_pts(apts);
                b.set_duration(aend - apts);
            }
            self.audio.push_buffer(abuf).map_err(|e| self.flow_error(e))?;
        }
        Ok(())
    }

    fn flow_error(&self, e: gst::FlowError) -> BroadcastError {
        // A flushing or errored pipeline has a reason on its bus; prefer it.
        match self.check() {
            Err(err) => err,
            Ok(()) => BroadcastError::new(ErrorKind::Runtime, format!("room {}: pushing failed: {e:?}", self.room)),
        }
    }

    /// Reports an error waiting on the bus, without blocking.
    pub fn check(&self) -> Result<(), BroadcastError> {
        while let Some(msg) = self.bus.pop_filtered(&[gst::MessageType::Error, gst::MessageType::Warning]) {
            match msg.view() {
                gst::MessageView::Error(err) => return Err(self.classify(&msg, err.error().to_string(), err.debug().map(|d| d.to_string()))),
                gst::MessageView::Warning(w) => tracing::warn!(room = %self.room, "{}", w.error()),
                _ => {}
            }
        }
        Ok(())
    }

    fn classify(&self, msg: &gst::Message, text: String, details: Option<String>) -> BroadcastError {
        let from_sink = msg.src().is_some_and(|s| s.name() == self.sink_name.as_str());
        let kind = if from_sink { ErrorKind::Disconnected } else { ErrorKind::Runtime };
        tracing::debug!(room = %self.room, ?details, "pipeline error");
        BroadcastError::new(kind, format!("room {}: {text}", self.room))
    }

    /// Ends the stream: sends EOS, waits for the muxer to finalize (MP4 index, last HLS
    /// segment, FLV tail) and stops the pipeline.
    pub fn finish(self, timeout: Duration) -> Result<(), BroadcastError> {
        let _ = self.video.end_of_stream();
        let _ = self.audio.end_of_stream();
        let result = match self.bus.timed_pop_filtered(gst::ClockTime::from_nseconds(timeout.as_nanos() as u64), &[gst::MessageType::Eos, gst::MessageType::Error]) {
            Some(msg) => match msg.view() {
                gst::MessageView::Eos(_) => Ok(()),
                gst::MessageView::Error(err) => Err(self.classify(&msg, err.error().to_string(), err.debug().map(|d| d.to_string()))),
                _ => Ok(()),
            },
            None => Err(BroadcastError::new(ErrorKind::Runtime, format!("room {}: the stream did not finish within {timeout:?}", self.room))),
        };
        let _ = self.pool.set_active(false);
        let _ = self.pipeline.set_state(gst::State::Null);
        result
    }

    /// Stops at once without finalizing (after an error).
    pub fn abort(self) {
        let _ = self.pool.set_active(false);
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Copies packed I420 planes into a buffer laid out as `info` says (strides may pad rows).
fn copy_planes(info: &gst_video::VideoInfo, packed: &[u8], out: &mut [u8]) {
    let (w, h) = (info.width() as usize, info.height() as usize);
    let mut src = 0;
    for plane in 0..3 {
        let (pw, ph) = if plane == 0 { (w, h) } else { (w / 2, h / 2) };
        let stride = info.stride()[plane] as usize;
        let offset = info.offset()[plane];
        if stride == pw {
            out[offset..offset + pw * ph].copy_from_slice(&packed[src..src + pw * ph]);
        } else {
            for row in 0..ph {
                out[offset + row * stride..offset + row * stride + pw].copy_from_slice(&packed[src + row * pw..src + (row + 1) * pw]);
            }
        }
        src += pw * ph;
    }
}

impl Drop for RoomPipeline {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
