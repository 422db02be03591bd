//! Encoding to H.264 Main 4:2:0 + AAC in fragmented MP4, and transcoding of
//! imported video into that format.

use std::io::{Read, Seek, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use gstreamer as gst;
use gstreamer::prelude::*;

use super::pipeline::{
    self, Cut, Failure, Role, WriterSlot, add_byte_counter, add_chain, add_cut_probe, capsfilter,
    element, queue,
};
use super::{AvError, Encoded, Limits};

/// Longest edge of an encoded picture: larger video is scaled down.
pub const MAX_LONG_EDGE: u32 = 1280;
/// Video bit rate in kbit/s (x264 average bit rate).
const VIDEO_KBPS: u32 = 2_000;
/// Sound bit rate in bit/s.
const AUDIO_BPS: i32 = 128_000;
/// Length of one MP4 fragment in milliseconds: what a crash can lose at most.
const FRAGMENT_MS: u32 = 1_000;
/// Keyframe interval in frames (about two seconds): where playback can seek.
const KEYFRAME_INTERVAL: u32 = 60;

/// One MP4 being written: the muxer, its writer and the size watch.
pub(crate) struct Mp4Output<W> {
    mux: gst::Element,
    slot: WriterSlot<W>,
    encoded: Arc<AtomicU64>,
    cut: Arc<Cut>,
    max_bytes: u64,
}

impl<W> Clone for Mp4Output<W> {
    fn clone(&self) -> Self {
        Self {
            mux: self.mux.clone(),
            slot: self.slot.clone(),
            encoded: Arc::clone(&self.encoded),
            cut: Arc::clone(&self.cut),
            max_bytes: self.max_bytes,
        }
    }
}

impl<W: Write + Send + 'static> Mp4Output<W> {
    /// Adds `mp4mux ! appsink(out)` to `pipeline`.
    pub(crate) fn new(
        pipeline: &gst::Pipeline,
        out: W,
        limits: Limits,
        cut: &Arc<Cut>,
        failure: &Failure,
    ) -> Result<Self, AvError> {
        let mux = element("mp4mux")?;
        // Fragmented and never seeking back: the writer cannot seek, and no
        // temporary file (faststart, moov recovery) is ever made.
        mux.set_property("fragment-duration", FRAGMENT_MS);
        mux.set_property("streamable", true);
        mux.set_property("faststart", false);
        let (sink, slot) = pipeline::writer_sink(out, failure);
        add_chain(pipeline, &[&mux, sink.upcast_ref()])?;
        Ok(Self {
            mux,
            slot,
            encoded: Arc::new(AtomicU64::new(0)),
            cut: Arc::clone(cut),
            max_bytes: limits.max_bytes,
        })
    }

    /// Bytes written to the output so far.
    pub(crate) fn written(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.slot.bytes)
    }

    /// Adds a video encoder fed from the returned element: any raw video in,
    /// I420 (4:2:0) at `size` (when given) into x264 Main profile. `live`
    /// tunes x264 for a camera (no look-ahead, no B-frames).
    pub(crate) fn add_video(
        &self,
        pipeline: &gst::Pipeline,
        size: Option<(u32, u32)>,
        live: bool,
    ) -> Result<gst::Element, AvError> {
        let queue = queue(3)?;
        let convert = element("videoconvert")?;
        let scale = element("videoscale")?;
        // The 4:2:0 format must be forced: on RGB input x264enc would pick
        // 4:4:4, which tablets' hardware decoders refuse.
        let mut raw = gst::Caps::builder("video/x-raw").field("format", "I420");
        if let Some((width, height)) = size {
            raw = raw
                .field("width", width as i32)
                .field("height", height as i32)
                .field("pixel-aspect-ratio", gst::Fraction::new(1, 1));
        }
        let raw = capsfilter(&raw.build())?;
        let x264 = element("x264enc")?;
        x264.set_property("bitrate", VIDEO_KBPS);
        x264.set_property("key-int-max", KEYFRAME_INTERVAL);
        x264.set_property_from_str("speed-preset", if live { "veryfast" } else { "faster" });
        if live {
            x264.set_property_from_str("tune", "zerolatency");
        }
        let h264 = capsfilter(
            &gst::Caps::builder("video/x-h264")
                .field("profile", "main")
                .build(),
        )?;
        let parse = element("h264parse")?;
        add_chain(
            pipeline,
            &[&queue, &convert, &scale, &raw, &x264, &h264, &parse],
        )?;
        self.link_to_mux(&parse, "video_%u")?;
        Ok(queue)
    }

    /// Adds an AAC encoder fed from the returned element.
    pub(crate) fn add_audio(&self, pipeline: &gst::Pipeline) -> Result<gst::Element, AvError> {
        let queue = queue(3)?;
        let convert = element("audioconvert")?;
        let resample = element("audioresample")?;
        let aac = element("avenc_aac")?;
        aac.set_property("bitrate", AUDIO_BPS);
        let parse = element("aacparse")?;
        add_chain(pipeline, &[&queue, &convert, &resample, &aac, &parse])?;
        self.link_to_mux(&parse, "audio_%u")?;
        Ok(queue)
    }

    /// Links an encoder's parser to a new muxer pad, counting what it sends
    /// so that the clip stops before it passes the size limit.
    fn link_to_mux(&self, parse: &gst::Element, template: &str) -> Result<(), AvError> {
        let src = parse
            .static_pad("src")
            .ok_or_else(|| AvError::Pipeline("a parser has no output".into()))?;
        let sink = self
            .mux
            .request_pad_simple(template)
            .ok_or_else(|| AvError::Pipeline("the muxer refused a stream".into()))?;
        src.link(&sink)
            .map_err(|e| AvError::Pipeline(format!("cannot link to the muxer: {e}")))?;
        let cut = Arc::clone(&self.cut);
        let threshold = size_threshold(self.max_bytes);
        add_byte_counter(&src, &self.encoded, move |total| {
            if total >= threshold {
                cut.fill();
            }
        });
        // The stop also applies here, after the encoders: frames still
        // queued before a slow encoder never reach the file.
        pipeline::add_full_probe(&src, &self.cut);
        Ok(())
    }

    /// Takes the writer back once the pipeline has stopped.
    pub(crate) fn finish(&self) -> Result<Encoded<W>, AvError> {
        let bytes = self.slot.bytes.load(Ordering::SeqCst);
        let writer = self.slot.take()?;
        Ok(Encoded {
            writer,
            bytes,
            duration: self.cut.span(),
        })
    }
}

/// Encoded bytes at which a clip is stopped so that it ends under
/// `max_bytes`: what is still in flight when the stop is seen (a few frames)
/// and the MP4 boxes (about 1 %) must fit in the rest.
pub(crate) fn size_threshold(max_bytes: u64) -> u64 {
    let reserve = (max_bytes / 20).max(48 * 1024);
    max_bytes.saturating_sub(reserve)
}

/// The size to encode a `width`×`height` picture at: the same, or scaled
/// down to [`MAX_LONG_EDGE`], with even sides (4:2:0 needs them).
pub(crate) fn encoded_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    let (w, h) = if long > MAX_LONG_EDGE {
        (
            (u64::from(width) * u64::from(MAX_LONG_EDGE) / u64::from(long)) as u32,
            (u64::from(height) * u64::from(MAX_LONG_EDGE) / u64::from(long)) as u32,
        )
    } else {
        (width, height)
    };
    ((w & !1).max(2), (h & !1).max(2))
}

/// Converts an imported video (取り込み) read from `input` into H.264 Main
/// 4:2:0 + AAC fragmented MP4 written to `out`; the writer is handed back.
///
/// Any container and codec GStreamer can decode is accepted; a video without
/// sound gives an MP4 without sound. Video longer than
/// `limits.max_duration`, or whose encoding would pass `limits.max_bytes`,
/// is cut there (the beginning is kept). Pictures larger than 1280 pixels
/// on the long edge are scaled down.
///
/// Blocks until the whole file is encoded (about real time or faster): call
/// it on a worker thread. Input that is not a video gives
/// [`AvError::NotAVideo`].
pub fn transcode<R, W>(input: R, limits: Limits, out: W) -> Result<Encoded<W>, AvError>
where
    R: Read + Seek + Send + 'static,
    W: Write + Send + 'static,
{
    super::init()?;
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let src = pipeline::reader_source(input, &failure)?;
    let decode = element("decodebin")?;
    add_chain(&pipeline, &[src.upcast_ref(), &decode])?;
    let cut = Cut::after(limits.max_duration);
    let output = Mp4Output::new(&pipeline, out, limits, &cut, &failure)?;

    let has_audio = AtomicBool::new(false);
    let (linking, cut) = (output.clone(), Arc::clone(&cut));
    pipeline::link_streams(&pipeline, &decode, &failure, move |pipeline, stream| {
        let linked = if stream.first_video {
            let size = pipeline::display_size(stream.pad)
                .map(|(width, height)| encoded_size(width, height));
            linking.add_video(pipeline, size, false)
        } else if stream.media_type == "audio/x-raw" && !has_audio.swap(true, Ordering::SeqCst) {
            linking.add_audio(pipeline)
        } else {
            // Subtitles, a second video or sound track: left out.
            return Ok(());
        };
        let first = linked?;
        let sink = first
            .static_pad("sink")
            .ok_or_else(|| AvError::Pipeline("a queue has no input".into()))?;
        add_cut_probe(stream.pad, &cut, Role::Any);
        stream
            .pad
            .link(&sink)
            .map(|_| ())
            .map_err(|e| AvError::Pipeline(format!("cannot link a stream: {e}")))
    });

    pipeline::run_to_end(&pipeline, &failure, true)?;
    output.finish()
}
