//! The plumbing every pipeline shares: elements, the reader behind an
//! `appsrc`, the writer behind an `appsink`, cutting a stream at a limit,
//! frames for Slint, and waiting for the end.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

use super::{AvError, Frame};

/// Bytes the reader hands to the pipeline at once when it may choose.
const READ_CHUNK: u32 = 256 * 1024;
/// The most the reader hands over for one request of a given length: a
/// damaged or hostile file cannot make it allocate more.
const MAX_READ: u32 = 64 * 1024 * 1024;

/// Makes one GStreamer element, or says which plugin is missing.
pub(crate) fn element(factory: &'static str) -> Result<gst::Element, AvError> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|_| AvError::MissingElement(factory))
}

/// A `capsfilter` holding `caps`.
pub(crate) fn capsfilter(caps: &gst::Caps) -> Result<gst::Element, AvError> {
    let filter = element("capsfilter")?;
    filter.set_property("caps", caps);
    Ok(filter)
}

/// A `queue` holding up to `seconds` of data and no other limit.
pub(crate) fn queue(seconds: u64) -> Result<gst::Element, AvError> {
    queue_of(0, seconds)
}

/// A queue holding at most `frames` buffers: for decoded pictures, which
/// at 1080p weigh 3 MB each, where a second of them would be 90 MB.
pub(crate) fn frame_queue(frames: u32) -> Result<gst::Element, AvError> {
    queue_of(frames, 0)
}

fn queue_of(buffers: u32, seconds: u64) -> Result<gst::Element, AvError> {
    let queue = element("queue")?;
    queue.set_property("max-size-buffers", buffers);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-time", seconds * 1_000_000_000);
    Ok(queue)
}

/// Adds `elements` to `pipeline`, links them in order and brings them to the
/// pipeline's state (they may be added while it runs).
pub(crate) fn add_chain(
    pipeline: &gst::Pipeline,
    elements: &[&gst::Element],
) -> Result<(), AvError> {
    pipeline
        .add_many(elements.iter().copied())
        .map_err(|e| AvError::Pipeline(e.to_string()))?;
    gst::Element::link_many(elements.iter().copied())
        .map_err(|e| AvError::Pipeline(e.to_string()))?;
    for element in elements {
        element
            .sync_state_with_parent()
            .map_err(|e| AvError::Pipeline(e.to_string()))?;
    }
    Ok(())
}

/// The first failure a callback saw, kept for the caller: GStreamer's own
/// error message for it is vaguer ("internal data stream error").
#[derive(Clone, Default)]
pub(crate) struct Failure(Arc<Mutex<Option<AvError>>>);

impl Failure {
    /// Keeps `error` unless an earlier failure is already kept.
    pub(crate) fn set(&self, error: AvError) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error);
        }
    }

    /// Takes the kept failure, if any.
    pub(crate) fn take(&self) -> Option<AvError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// An `appsrc` that reads `reader` on demand, in random-access mode: the
/// demuxer pulls the ranges it needs and may seek (MP4 indexes at the end,
/// seeking during playback). Nothing is copied anywhere but into the
/// pipeline's buffers.
pub(crate) fn reader_source<R>(mut reader: R, failure: &Failure) -> Result<gst_app::AppSrc, AvError>
where
    R: Read + Seek + Send + 'static,
{
    let size = reader.seek(SeekFrom::End(0)).map_err(AvError::Read)?;
    reader.seek(SeekFrom::Start(0)).map_err(AvError::Read)?;
    if size == 0 {
        return Err(AvError::NotAVideo);
    }
    let reader = Arc::new(Mutex::new(reader));
    let seek_reader = Arc::clone(&reader);
    let read_failure = failure.clone();
    let seek_failure = failure.clone();
    let src = gst_app::AppSrc::builder()
        .stream_type(gst_app::AppStreamType::RandomAccess)
        .format(gst::Format::Bytes)
        .size(i64::try_from(size).unwrap_or(i64::MAX))
        .max_bytes(u64::from(READ_CHUNK) * 4)
        .callbacks(
            gst_app::AppSrcCallbacks::builder()
                .need_data(move |src, length| {
                    // A demuxer reading at an offset (pull mode) asks for a
                    // whole frame and takes a shorter read for the end of
                    // the file: a key frame of a 1080p clip can pass 300 KB,
                    // so it gets all it asks for, within reason.
                    let wanted = match length {
                        u32::MAX => READ_CHUNK,
                        asked => asked.clamp(1, MAX_READ),
                    } as usize;
                    let mut reader = reader.lock().unwrap_or_else(PoisonError::into_inner);
                    let mut data = vec![0u8; wanted];
                    let mut filled = 0;
                    while filled < wanted {
                        match reader.read(&mut data[filled..]) {
                            Ok(0) => break,
                            Ok(n) => filled += n,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => {
                                read_failure.set(AvError::Read(e));
                                gst::element_error!(
                                    src,
                                    gst::ResourceError::Read,
                                    ("the input could not be read")
                                );
                                return;
                            }
                        }
                    }
                    if filled == 0 {
                        let _ = src.end_of_stream();
                        return;
                    }
                    data.truncate(filled);
                    let _ = src.push_buffer(gst::Buffer::from_mut_slice(data));
                })
                .seek_data(move |_src, offset| {
                    let mut reader = seek_reader.lock().unwrap_or_else(PoisonError::into_inner);
                    match reader.seek(SeekFrom::Start(offset)) {
                        Ok(_) => true,
                        Err(e) => {
                            seek_failure.set(AvError::Read(e));
                            false
                        }
                    }
                })
                .build(),
        )
        .build();
    Ok(src)
}

/// The writer at the end of an encoding, shared with the `appsink` that
/// feeds it.
pub(crate) struct WriterSlot<W> {
    writer: Arc<Mutex<Option<W>>>,
    /// Bytes written so far.
    pub(crate) bytes: Arc<AtomicU64>,
}

impl<W> Clone for WriterSlot<W> {
    fn clone(&self) -> Self {
        Self {
            writer: Arc::clone(&self.writer),
            bytes: Arc::clone(&self.bytes),
        }
    }
}

impl<W: Write> WriterSlot<W> {
    /// Takes the writer back, flushed, once the pipeline has stopped.
    pub(crate) fn take(&self) -> Result<W, AvError> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| AvError::Pipeline("the output was already taken".into()))?;
        writer.flush().map_err(AvError::Write)?;
        Ok(writer)
    }
}

/// An `appsink` that writes every buffer it gets, in order, to `writer`.
///
/// The muxer must never seek back (`streamable=true` fragmented MP4): after
/// a byte segment that does not start at 0 (a seek back to patch a header)
/// every buffer is refused, so a misconfigured muxer gives an error, never
/// a corrupt file.
pub(crate) fn writer_sink<W>(writer: W, failure: &Failure) -> (gst_app::AppSink, WriterSlot<W>)
where
    W: Write + Send + 'static,
{
    let slot = WriterSlot {
        writer: Arc::new(Mutex::new(Some(writer))),
        bytes: Arc::new(AtomicU64::new(0)),
    };
    let writer = Arc::clone(&slot.writer);
    let bytes = Arc::clone(&slot.bytes);
    let rewrite = Arc::new(AtomicBool::new(false));
    let failure = failure.clone();
    let seen_rewrite = Arc::clone(&rewrite);
    let sink = gst_app::AppSink::builder()
        .sync(false)
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if seen_rewrite.load(Ordering::SeqCst) {
                        failure.set(AvError::Pipeline(
                            "the muxer tried to rewrite earlier output".into(),
                        ));
                        return Err(gst::FlowError::Error);
                    }
                    let Some(buffer) = sample.buffer() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
                    let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
                    let Some(writer) = writer.as_mut() else {
                        return Err(gst::FlowError::Flushing);
                    };
                    if let Err(e) = writer.write_all(&map) {
                        failure.set(AvError::Write(e));
                        return Err(gst::FlowError::Error);
                    }
                    bytes.fetch_add(map.len() as u64, Ordering::SeqCst);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    // A byte segment starting anywhere but at the start is a seek back.
    if let Some(pad) = sink.static_pad("sink") {
        pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
            if let Some(gst::EventView::Segment(segment)) = info.event().map(|e| e.view())
                && let Some(segment) = segment.segment().downcast_ref::<gst::format::Bytes>()
                && segment.start().is_some_and(|start| *start != 0)
            {
                rewrite.store(true, Ordering::SeqCst);
            }
            gst::PadProbeReturn::Ok
        });
    }
    (sink, slot)
}

/// Where a clip ends: at a maximum length after its first buffer, or as soon
/// as a stop is asked for. Shared by every stream of one pipeline, so that
/// sound and picture end together.
#[derive(Default)]
pub(crate) struct Cut {
    max: Option<gst::ClockTime>,
    origin: Mutex<Option<gst::ClockTime>>,
    last: Mutex<Option<gst::ClockTime>>,
    stop: AtomicBool,
    full: AtomicBool,
}

/// How a stream takes part in a [`Cut`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Its first buffer starts the clip (a camera's picture).
    Leader,
    /// Its buffers before the leader's first are dropped (a microphone).
    Follower,
    /// Whichever stream comes first starts the clip (a file's streams).
    Any,
}

/// What becomes of one buffer.
enum Verdict {
    Keep,
    Early,
    Past,
}

impl Cut {
    /// A cut `max` after the first buffer.
    pub(crate) fn after(max: Duration) -> Arc<Self> {
        Arc::new(Self {
            max: Some(gst::ClockTime::from_nseconds(
                u64::try_from(max.as_nanos()).unwrap_or(u64::MAX),
            )),
            ..Self::default()
        })
    }

    /// Asks every stream to end at its next buffer from its source (what
    /// is already captured is still encoded).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// The output is full: like [`stop`](Self::stop), and encoded buffers
    /// not yet in the file are left out too.
    pub(crate) fn fill(&self) {
        self.full.store(true, Ordering::SeqCst);
        self.stop();
    }

    /// Whether a stop was asked for.
    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Whether any buffer went through yet.
    pub(crate) fn started(&self) -> bool {
        self.origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// The span from the first buffer to the end of the last one let
    /// through.
    pub(crate) fn span(&self) -> Duration {
        let origin = *self.origin.lock().unwrap_or_else(PoisonError::into_inner);
        let last = *self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match (origin, last) {
            (Some(origin), Some(last)) => {
                Duration::from_nanos(last.saturating_sub(origin).nseconds())
            }
            _ => Duration::ZERO,
        }
    }

    /// What becomes of a buffer at `pts` (lasting `duration`) from a stream
    /// playing `role`.
    fn judge(
        &self,
        pts: Option<gst::ClockTime>,
        duration: Option<gst::ClockTime>,
        role: Role,
    ) -> Verdict {
        if self.stopping() {
            return Verdict::Past;
        }
        let Some(pts) = pts else {
            return Verdict::Keep;
        };
        let origin = {
            let mut origin = self.origin.lock().unwrap_or_else(PoisonError::into_inner);
            match (role, *origin) {
                (Role::Follower, None) => return Verdict::Early,
                (Role::Follower, Some(start)) if pts < start => return Verdict::Early,
                (_, Some(start)) => start,
                (_, None) => *origin.insert(pts),
            }
        };
        if self
            .max
            .is_some_and(|max| pts.saturating_sub(origin) >= max)
        {
            return Verdict::Past;
        }
        let end = pts + duration.unwrap_or(gst::ClockTime::ZERO);
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.is_none_or(|last| end > last) {
            *last = Some(end);
        }
        Verdict::Keep
    }
}

/// Ends the raw stream leaving `pad` at `cut`: the first buffer past it is
/// dropped and end-of-stream is sent downstream instead; the later ones are
/// refused, so upstream stops too.
pub(crate) fn add_cut_probe(pad: &gst::Pad, cut: &Arc<Cut>, role: Role) {
    add_probe_ending_at(pad, cut, Some(role));
}

/// Ends the encoded stream leaving `pad` as soon as the output is full,
/// whatever the time (encoders shift timestamps, so only raw streams are
/// timed).
pub(crate) fn add_full_probe(pad: &gst::Pad, cut: &Arc<Cut>) {
    add_probe_ending_at(pad, cut, None);
}

fn add_probe_ending_at(pad: &gst::Pad, cut: &Arc<Cut>, role: Option<Role>) {
    let cut = Arc::clone(cut);
    let ended = AtomicBool::new(false);
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        let Some(buffer) = info.buffer() else {
            return gst::PadProbeReturn::Ok;
        };
        let verdict = match role {
            Some(role) => cut.judge(buffer.pts(), buffer.duration(), role),
            None if cut.full.load(Ordering::SeqCst) => Verdict::Past,
            None => Verdict::Keep,
        };
        match verdict {
            Verdict::Keep => return gst::PadProbeReturn::Ok,
            Verdict::Early => return gst::PadProbeReturn::Drop,
            Verdict::Past => {}
        }
        if !ended.swap(true, Ordering::SeqCst)
            && let Some(peer) = pad.peer()
        {
            peer.send_event(gst::event::Eos::new());
        }
        info.flow_res = Err(gst::FlowError::Eos);
        gst::PadProbeReturn::Handled
    });
}

/// Counts the bytes of every buffer leaving `pad` into `counter`, calling
/// `check` after each.
pub(crate) fn add_byte_counter(
    pad: &gst::Pad,
    counter: &Arc<AtomicU64>,
    check: impl Fn(u64) + Send + Sync + 'static,
) {
    let counter = Arc::clone(counter);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_pad, info| {
        if let Some(buffer) = info.buffer() {
            let total =
                counter.fetch_add(buffer.size() as u64, Ordering::SeqCst) + buffer.size() as u64;
            check(total);
        }
        gst::PadProbeReturn::Ok
    });
}

/// Copies an RGBA sample into a Slint pixel buffer (rows may be padded in
/// GStreamer's buffer, never in Slint's).
pub(crate) fn frame_from_sample(sample: &gst::Sample) -> Option<Frame> {
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let buffer = sample.buffer()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
    let (width, height) = (frame.width(), frame.height());
    let stride = usize::try_from(*frame.plane_stride().first()?).ok()?;
    let data = frame.plane_data(0).ok()?;
    let row = width as usize * 4;
    let mut pixels = Frame::new(width, height);
    for (y, out) in pixels.make_mut_bytes().chunks_exact_mut(row).enumerate() {
        out.copy_from_slice(data.get(y * stride..y * stride + row)?);
    }
    Some(pixels)
}

/// An `appsink` that hands RGBA frames to `deliver`; `sync` paces them with
/// the clock (playback) or not (preview of a live camera).
pub(crate) fn frame_sink(
    sync: bool,
    mut deliver: impl FnMut(Frame) + Send + 'static,
) -> gst_app::AppSink {
    gst_app::AppSink::builder()
        .caps(
            &gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::Rgba)
                .build(),
        )
        .sync(sync)
        .max_buffers(2)
        .drop(!sync)
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if let Some(frame) = frame_from_sample(&sample) {
                        deliver(frame);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build()
}

/// Whether a GStreamer error means the input is not a video GStreamer can
/// read (unknown type, no decoder, broken container).
pub(crate) fn means_not_a_video(error: &gst::glib::Error) -> bool {
    error.matches(gst::StreamError::TypeNotFound)
        || error.matches(gst::StreamError::WrongType)
        || error.matches(gst::StreamError::CodecNotFound)
        || error.matches(gst::StreamError::Demux)
        || error.matches(gst::StreamError::Decode)
        || error.matches(gst::StreamError::Format)
        || error.matches(gst::CoreError::MissingPlugin)
}

/// Turns an error message from the bus into an [`AvError`], preferring what
/// a callback kept.
pub(crate) fn bus_error(failure: &Failure, message: &gst::message::Error, input: bool) -> AvError {
    if let Some(kept) = failure.take() {
        return kept;
    }
    if input && means_not_a_video(&message.error()) {
        return AvError::NotAVideo;
    }
    AvError::Pipeline(message.error().to_string())
}

/// Plays `pipeline` to its end (end-of-stream) and stops it; `input` says
/// whether an unreadable stream means "not a video".
pub(crate) fn run_to_end(
    pipeline: &gst::Pipeline,
    failure: &Failure,
    input: bool,
) -> Result<(), AvError> {
    run_to_end_with(pipeline, failure, input, |_| {})
}

/// [`run_to_end`], calling `at_end` at end-of-stream, before the pipeline
/// stops (to ask it what it knows then).
pub(crate) fn run_to_end_with(
    pipeline: &gst::Pipeline,
    failure: &Failure,
    input: bool,
    at_end: impl FnOnce(&gst::Pipeline),
) -> Result<(), AvError> {
    let result = run_inner(pipeline, failure, input, at_end);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn run_inner(
    pipeline: &gst::Pipeline,
    failure: &Failure,
    input: bool,
    at_end: impl FnOnce(&gst::Pipeline),
) -> Result<(), AvError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| AvError::Pipeline("the pipeline has no bus".into()))?;
    if pipeline.set_state(gst::State::Playing).is_err() {
        return Err(first_error(&bus, failure, input));
    }
    for message in bus.iter_timed(gst::ClockTime::NONE) {
        match message.view() {
            gst::MessageView::Eos(_) => {
                at_end(pipeline);
                break;
            }
            gst::MessageView::Error(error) => return Err(bus_error(failure, error, input)),
            gst::MessageView::Application(app) if is_not_a_video(app) => {
                return Err(AvError::NotAVideo);
            }
            _ => {}
        }
    }
    match failure.take() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Brings `pipeline` to PAUSED (or, after a flushing seek, back to it) and
/// waits until its sinks hold a frame; the pipeline is left paused.
pub(crate) fn preroll(pipeline: &gst::Pipeline, failure: &Failure) -> Result<(), AvError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| AvError::Pipeline("the pipeline has no bus".into()))?;
    // After a flushing seek the pipeline is already paused, and prerolls
    // again: either way an async-done message ends the wait.
    if pipeline.set_state(gst::State::Paused).is_err() {
        return Err(first_error(&bus, failure, true));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let Some(message) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(100),
            &[
                gst::MessageType::AsyncDone,
                gst::MessageType::Error,
                gst::MessageType::Eos,
                gst::MessageType::Application,
            ],
        ) else {
            continue;
        };
        match message.view() {
            gst::MessageView::AsyncDone(_) | gst::MessageView::Eos(_) => {
                return failure.take().map_or(Ok(()), Err);
            }
            gst::MessageView::Error(error) => return Err(bus_error(failure, error, true)),
            gst::MessageView::Application(app) if is_not_a_video(app) => {
                return Err(AvError::NotAVideo);
            }
            _ => {}
        }
    }
    Err(AvError::Pipeline("the video did not start in time".into()))
}

fn is_not_a_video(message: &gst::message::Application) -> bool {
    message.structure().is_some_and(|s| s.name() == NOT_A_VIDEO)
}

/// The error a failed state change left on the bus.
pub(crate) fn first_error(bus: &gst::Bus, failure: &Failure, input: bool) -> AvError {
    let message = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(1),
        &[gst::MessageType::Error, gst::MessageType::Application],
    );
    match message.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Error(error)) => bus_error(failure, error, input),
        Some(gst::MessageView::Application(app)) if is_not_a_video(app) => AvError::NotAVideo,
        _ => failure
            .take()
            .unwrap_or_else(|| AvError::Pipeline("the pipeline could not start".into())),
    }
}

/// Name of the application message posted when the input turns out to hold
/// no video stream.
pub(crate) const NOT_A_VIDEO: &str = "tsunagi-not-a-video";

/// Posts the "not a video" message on `element`'s bus.
pub(crate) fn post_not_a_video(element: &gst::Element) {
    let _ = element.post_message(
        gst::message::Application::builder(gst::Structure::new_empty(NOT_A_VIDEO))
            .src(element)
            .build(),
    );
}

/// A stream a demuxer (`decodebin`, `parsebin`) offers.
pub(crate) struct Stream<'a> {
    /// Its pad on the demuxer.
    pub pad: &'a gst::Pad,
    /// Its media type (`video/x-raw`, `video/x-h264`, `audio/mpeg`, …).
    pub media_type: String,
    /// Whether it is the input's first video stream.
    pub first_video: bool,
}

/// Links every stream `demux` offers with `link`. A link that fails fails
/// the pipeline (`failure` keeps why); an input without a video stream
/// posts [`NOT_A_VIDEO`] once every stream is known.
pub(crate) fn link_streams(
    pipeline: &gst::Pipeline,
    demux: &gst::Element,
    failure: &Failure,
    link: impl Fn(&gst::Pipeline, Stream<'_>) -> Result<(), AvError> + Send + Sync + 'static,
) {
    let has_video = Arc::new(AtomicBool::new(false));
    let (weak, failure, seen) = (
        pipeline.downgrade(),
        failure.clone(),
        Arc::clone(&has_video),
    );
    demux.connect_pad_added(move |demux, pad| {
        let Some(pipeline) = weak.upgrade() else {
            return;
        };
        let media_type = media_type(pad).unwrap_or_default();
        let first_video = media_type.starts_with("video/") && !seen.swap(true, Ordering::SeqCst);
        let stream = Stream {
            pad,
            media_type,
            first_video,
        };
        if let Err(error) = link(&pipeline, stream) {
            failure.set(error);
            gst::element_error!(demux, gst::CoreError::Negotiation, ("stream not linked"));
        }
    });
    demux.connect_no_more_pads(move |demux| {
        if !has_video.load(Ordering::SeqCst) {
            post_not_a_video(demux);
        }
    });
}

/// The picture size of a raw video pad as it is shown: its width corrected
/// by the pixel aspect ratio. `None` before the pad has video caps.
pub(crate) fn display_size(pad: &gst::Pad) -> Option<(u32, u32)> {
    let caps = pad.current_caps()?;
    let info = gst_video::VideoInfo::from_caps(&caps).ok()?;
    let par = info.par();
    let width =
        (u64::from(info.width()) * par.numer().max(1) as u64 / par.denom().max(1) as u64) as u32;
    Some((width, info.height()))
}

/// The media type of a pad's current caps (`video/x-raw`, `audio/mpeg`, …).
pub(crate) fn media_type(pad: &gst::Pad) -> Option<String> {
    let caps = pad.current_caps().or_else(|| Some(pad.query_caps(None)))?;
    Some(caps.structure(0)?.name().to_string())
}

/// A [`gst::ClockTime`] as a [`Duration`].
pub(crate) fn to_duration(time: gst::ClockTime) -> Duration {
    Duration::from_nanos(time.nseconds())
}
