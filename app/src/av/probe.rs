//! Looking into a video: what it holds ([`probe`]) and a still for the list
//! ([`poster`]), both decoded from a reader.

use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::pipeline::{self, Failure, add_chain, element, queue};
use super::{AvError, VideoInfo};

/// Long edge of a poster in pixels.
pub const POSTER_LONG_EDGE: u32 = 320;
/// Where a poster is taken from, when the clip is long enough.
const POSTER_AT: Duration = Duration::from_secs(1);

/// What the probe's callbacks gather.
#[derive(Default)]
struct Found {
    codec: Option<String>,
    profile: Option<String>,
    chroma: Option<String>,
    size: Option<(u32, u32)>,
    first: Option<gst::ClockTime>,
    end: Option<gst::ClockTime>,
}

/// Decodes the whole video read from `input` and reports what it holds:
/// length, frame count, size, codec, H.264 profile and chroma format, and
/// whether it has sound.
///
/// Blocks while it decodes every frame (faster than real time): call it on
/// a worker thread. Input that is not a video gives [`AvError::NotAVideo`].
pub fn probe<R>(input: R) -> Result<VideoInfo, AvError>
where
    R: Read + Seek + Send + 'static,
{
    super::init()?;
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let src = pipeline::reader_source(input, &failure)?;
    // parsebin gives the streams still encoded, with their parsed caps
    // (profile, chroma format); each video stream is then decoded here.
    let parse = element("parsebin")?;
    add_chain(&pipeline, &[src.upcast_ref(), &parse])?;

    let found = Arc::new(Mutex::new(Found::default()));
    let frames = Arc::new(AtomicU64::new(0));
    let has_audio = Arc::new(AtomicBool::new(false));
    {
        let (found, frames) = (Arc::clone(&found), Arc::clone(&frames));
        let has_audio = Arc::clone(&has_audio);
        pipeline::link_streams(&pipeline, &parse, &failure, move |pipeline, stream| {
            if stream.first_video {
                let caps = stream
                    .pad
                    .current_caps()
                    .unwrap_or_else(|| stream.pad.query_caps(None));
                if let Some(structure) = caps.structure(0) {
                    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
                    found.profile = structure.get::<String>("profile").ok();
                    found.chroma = structure.get::<String>("chroma-format").ok();
                    found.codec = Some(stream.media_type);
                }
                link_decoder(pipeline, stream.pad, &found, &frames)
            } else {
                if stream.media_type.starts_with("audio/") {
                    has_audio.store(true, Ordering::SeqCst);
                }
                link_fakesink(pipeline, stream.pad)
            }
        });
    }
    // The container's own idea of the length, asked just before the end.
    let reported = Arc::new(Mutex::new(None));
    pipeline::run_to_end_with(&pipeline, &failure, true, |pipeline| {
        if let Some(duration) = pipeline.query_duration::<gst::ClockTime>() {
            *reported.lock().unwrap_or_else(PoisonError::into_inner) = Some(duration);
        }
    })?;

    let found = std::mem::take(&mut *found.lock().unwrap_or_else(PoisonError::into_inner));
    let frames = frames.load(Ordering::SeqCst);
    if frames == 0 {
        return Err(AvError::NotAVideo);
    }
    let (width, height) = found.size.unwrap_or((0, 0));
    let decoded = match (found.first, found.end) {
        (Some(first), Some(end)) => end.saturating_sub(first),
        _ => gst::ClockTime::ZERO,
    };
    let reported = *reported.lock().unwrap_or_else(PoisonError::into_inner);
    Ok(VideoInfo {
        duration: pipeline::to_duration(decoded),
        container_duration: reported.filter(|d| !d.is_zero()).map(pipeline::to_duration),
        frames,
        width,
        height,
        codec: found.codec.unwrap_or_default(),
        h264_profile: found.profile,
        chroma_format: found.chroma,
        has_audio: has_audio.load(Ordering::SeqCst),
    })
}

/// Decodes one video stream of the probe and counts its frames.
fn link_decoder(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    found: &Arc<Mutex<Found>>,
    frames: &Arc<AtomicU64>,
) -> Result<(), AvError> {
    let queue = queue(3)?;
    let decode = element("decodebin")?;
    add_chain(pipeline, &[&queue, &decode])?;
    link(pad, &queue)?;
    let pipeline_weak = pipeline.downgrade();
    let (found, frames) = (Arc::clone(found), Arc::clone(frames));
    decode.connect_pad_added(move |_, pad| {
        let Some(pipeline) = pipeline_weak.upgrade() else {
            return;
        };
        if pipeline::media_type(pad).as_deref() != Some("video/x-raw") {
            let _ = link_fakesink(&pipeline, pad);
            return;
        }
        let (found, frames) = (Arc::clone(&found), Arc::clone(&frames));
        let sink = gst_app::AppSink::builder()
            .sync(false)
            .callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        frames.fetch_add(1, Ordering::SeqCst);
                        let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
                        if found.size.is_none()
                            && let Some(info) = sample
                                .caps()
                                .and_then(|caps| gstreamer_video::VideoInfo::from_caps(caps).ok())
                        {
                            found.size = Some((info.width(), info.height()));
                        }
                        if let Some(buffer) = sample.buffer()
                            && let Some(pts) = buffer.pts()
                        {
                            if found.first.is_none_or(|first| pts < first) {
                                found.first = Some(pts);
                            }
                            let end = pts + buffer.duration().unwrap_or(gst::ClockTime::ZERO);
                            if found.end.is_none_or(|last| end > last) {
                                found.end = Some(end);
                            }
                        }
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            )
            .build();
        if add_chain(&pipeline, &[sink.upcast_ref()]).is_ok() {
            let _ = link(pad, sink.upcast_ref());
        }
    });
    Ok(())
}

/// Sends a stream nobody needs to a `fakesink`.
fn link_fakesink(pipeline: &gst::Pipeline, pad: &gst::Pad) -> Result<(), AvError> {
    let queue = queue(3)?;
    let sink = element("fakesink")?;
    sink.set_property("sync", false);
    sink.set_property("async", false);
    add_chain(pipeline, &[&queue, &sink])?;
    link(pad, &queue)
}

/// Links `pad` to the `sink` pad of `next`.
fn link(pad: &gst::Pad, next: &gst::Element) -> Result<(), AvError> {
    let sink = next
        .static_pad("sink")
        .ok_or_else(|| AvError::Pipeline("an element has no input".into()))?;
    pad.link(&sink)
        .map(|_| ())
        .map_err(|e| AvError::Pipeline(format!("cannot link a stream: {e}")))
}

/// A poster (サムネイル) for the video read from `input`: a JPEG of the
/// frame about one second in (the first frame of a shorter clip), scaled
/// to [`POSTER_LONG_EDGE`] pixels on its long edge.
///
/// Blocks while it decodes up to that frame: call it on a worker thread.
/// Input that is not a video gives [`AvError::NotAVideo`].
pub fn poster<R>(input: R) -> Result<Vec<u8>, AvError>
where
    R: Read + Seek + Send + 'static,
{
    super::init()?;
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let src = pipeline::reader_source(input, &failure)?;
    let decode = element("decodebin")?;
    let sink = gst_app::AppSink::builder()
        .sync(false)
        .max_buffers(1)
        .build();
    add_chain(&pipeline, &[src.upcast_ref(), &decode])?;
    {
        let sink = sink.clone();
        pipeline::link_streams(&pipeline, &decode, &failure, move |pipeline, stream| {
            if stream.first_video {
                link_poster(pipeline, stream.pad, &sink)
            } else {
                link_fakesink(pipeline, stream.pad)
            }
        });
    }
    let result = pipeline::preroll(&pipeline, &failure).and_then(|()| {
        let long = pipeline
            .query_duration::<gst::ClockTime>()
            .is_some_and(|d| pipeline::to_duration(d) >= POSTER_AT * 2);
        if long {
            let at = gst::ClockTime::from_nseconds(POSTER_AT.as_nanos() as u64);
            // Without a seekable input the first frame will do.
            if pipeline
                .seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, at)
                .is_ok()
            {
                pipeline::preroll(&pipeline, &failure)?;
            }
        }
        let sample = sink
            .try_pull_preroll(gst::ClockTime::from_seconds(10))
            .ok_or(AvError::NotAVideo)?;
        let buffer = sample
            .buffer()
            .ok_or_else(|| AvError::Pipeline("the poster is empty".into()))?;
        let map = buffer
            .map_readable()
            .map_err(|e| AvError::Pipeline(e.to_string()))?;
        Ok(map.to_vec())
    });
    let _ = pipeline.set_state(gst::State::Null);
    result
}

/// Scales the decoded video to the poster's size and encodes it as JPEG.
fn link_poster(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    sink: &gst_app::AppSink,
) -> Result<(), AvError> {
    let (width, height) =
        pipeline::display_size(pad).unwrap_or((POSTER_LONG_EDGE, POSTER_LONG_EDGE * 3 / 4));
    let long = width.max(height).max(1);
    let scaled = |side: u32| {
        ((u64::from(side) * u64::from(POSTER_LONG_EDGE) / u64::from(long)) as u32).max(1)
    };
    let queue = queue(3)?;
    let convert = element("videoconvert")?;
    let scale = element("videoscale")?;
    let caps = pipeline::capsfilter(
        &gst::Caps::builder("video/x-raw")
            .field("width", scaled(width) as i32)
            .field("height", scaled(height) as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .build(),
    )?;
    let jpeg = element("jpegenc")?;
    jpeg.set_property("quality", 85i32);
    add_chain(
        pipeline,
        &[&queue, &convert, &scale, &caps, &jpeg, sink.upcast_ref()],
    )?;
    link(pad, &queue)
}
