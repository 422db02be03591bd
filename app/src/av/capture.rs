//! Recording a clip (録画) and taking a photo (撮影) from a [`Source`].

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::encode::Mp4Output;
use super::pipeline::{self, Cut, Failure, Role, add_chain, add_cut_probe, element, frame_queue};
use super::{AvError, Encoded, FrameCallback, Limits, Source};

/// How long a stop may wait for the streams to end by themselves before the
/// pipeline is told to end.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A recording in progress (録画中), writing into its writer as it goes.
///
/// It ends when [`stop`](Self::stop) is called, or by itself at the
/// maximum length or size; [`wait`](Self::wait) waits for that. Dropping the
/// handle stops the recording and drops the writer (the clip so far stays in
/// it: fragmented MP4 is playable up to its last whole fragment).
pub struct RecordingHandle<W> {
    pipeline: gst::Pipeline,
    cut: Arc<Cut>,
    written: Arc<AtomicU64>,
    finished: Arc<AtomicBool>,
    worker: Option<JoinHandle<Result<Encoded<W>, AvError>>>,
}

impl<W> std::fmt::Debug for RecordingHandle<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingHandle")
            .field("bytes_written", &self.bytes_written())
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Starts recording from `source` into `out`: H.264 Main 4:2:0 + AAC in
/// fragmented MP4, written as it is encoded (one fragment a second), never
/// to a file. `preview`, when given, gets every camera frame as RGBA for the
/// window (on a streaming thread, late frames dropped).
///
/// Returns once the camera runs (it opens the camera: call it on a worker
/// thread). [`AvError::NoCamera`] when there is no camera. A source without
/// a microphone, or whose microphone is not allowed, records picture only.
/// On a tablet, the first recording asks for the camera and the microphone
/// and ends with [`AvError::PermissionAsked`]: the person answers and
/// records again.
pub fn record_clip<W>(
    source: &Source,
    limits: Limits,
    out: W,
    preview: Option<FrameCallback>,
) -> Result<RecordingHandle<W>, AvError>
where
    W: Write + Send + 'static,
{
    source.ask_permission(true)?;
    super::init()?;
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let cut = Cut::after(limits.max_duration);
    let output = Mp4Output::new(&pipeline, out, limits, &cut, &failure)?;

    let video = source.video()?;
    let tee = element("tee")?;
    add_chain(&pipeline, &[&video, &tee])?;
    add_cut_probe(&src_pad(&video)?, &cut, Role::Leader);
    let encoder = output.add_video(&pipeline, None, true)?;
    link_src(&tee, &encoder)?;
    if let Some(preview) = preview {
        // The preview shows the latest frames; older ones are dropped.
        let queue = frame_queue(2)?;
        queue.set_property_from_str("leaky", "downstream");
        let convert = element("videoconvert")?;
        let sink = pipeline::frame_sink(false, preview);
        add_chain(&pipeline, &[&queue, &convert, sink.upcast_ref()])?;
        link_src(&tee, &queue)?;
    }
    if let Some(audio) = source.audio()? {
        pipeline
            .add(&audio)
            .map_err(|e| AvError::Pipeline(e.to_string()))?;
        add_cut_probe(&src_pad(&audio)?, &cut, Role::Follower);
        let encoder = output.add_audio(&pipeline)?;
        audio
            .link(&encoder)
            .map_err(|e| AvError::Pipeline(e.to_string()))?;
    }

    let bus = pipeline
        .bus()
        .ok_or_else(|| AvError::Pipeline("the pipeline has no bus".into()))?;
    if pipeline.set_state(gst::State::Playing).is_err() {
        let error = pipeline::first_error(&bus, &failure, false);
        let _ = pipeline.set_state(gst::State::Null);
        return Err(if source.is_camera() {
            AvError::NoCamera
        } else {
            error
        });
    }

    let finished = Arc::new(AtomicBool::new(false));
    let written = output.written();
    let worker = {
        let pipeline = pipeline.clone();
        let cut = Arc::clone(&cut);
        let finished = Arc::clone(&finished);
        let camera = source.is_camera();
        std::thread::Builder::new()
            .name("tsunagi-recording".into())
            .spawn(move || {
                let result = watch(&pipeline, &bus, &cut, &failure, camera);
                let _ = pipeline.set_state(gst::State::Null);
                let result = result.and_then(|()| output.finish());
                finished.store(true, Ordering::SeqCst);
                result
            })
            .map_err(|e| AvError::Pipeline(format!("cannot start a thread: {e}")))?
    };
    Ok(RecordingHandle {
        pipeline,
        cut,
        written,
        finished,
        worker: Some(worker),
    })
}

/// Follows a recording's bus until the end or an error.
fn watch(
    pipeline: &gst::Pipeline,
    bus: &gst::Bus,
    cut: &Cut,
    failure: &Failure,
    camera: bool,
) -> Result<(), AvError> {
    let mut stop_seen: Option<Instant> = None;
    let mut forced = false;
    loop {
        if cut.stopping() && !forced {
            // The streams end at their next buffer; a source that has gone
            // quiet is told to end instead.
            let since = *stop_seen.get_or_insert_with(Instant::now);
            if since.elapsed() > STOP_GRACE {
                pipeline.send_event(gst::event::Eos::new());
                forced = true;
            }
        }
        let Some(message) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(100),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        ) else {
            continue;
        };
        match message.view() {
            gst::MessageView::Eos(_) => return failure.take().map_or(Ok(()), Err),
            gst::MessageView::Error(error) => {
                if camera && !cut.started() {
                    return Err(AvError::NoCamera);
                }
                return Err(pipeline::bus_error(failure, error, false));
            }
            _ => {}
        }
    }
}

impl<W> RecordingHandle<W> {
    /// Bytes written to the output so far (grows a fragment, about a
    /// second, at a time).
    pub fn bytes_written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Whether the recording has ended (stopped, reached a limit, or
    /// failed); [`wait`](Self::wait) then returns at once.
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// Ends the recording now and waits until the MP4 is complete (a
    /// fraction of a second; blocks). Returns the writer for the store to
    /// finish.
    pub fn stop(mut self) -> Result<Encoded<W>, AvError> {
        self.cut.stop();
        self.join()
    }

    /// Waits (blocking) until the recording ends by itself at a limit, then
    /// returns the writer.
    pub fn wait(mut self) -> Result<Encoded<W>, AvError> {
        self.join()
    }

    fn join(&mut self) -> Result<Encoded<W>, AvError> {
        let worker = self
            .worker
            .take()
            .ok_or_else(|| AvError::Pipeline("the recording already ended".into()))?;
        worker
            .join()
            .unwrap_or_else(|_| Err(AvError::Pipeline("the recording thread failed".into())))
    }
}

impl<W> Drop for RecordingHandle<W> {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            self.cut.stop();
            let _ = worker.join();
        }
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Takes one photo (写真) from `source`: a JPEG of one camera frame at the
/// camera's size, in memory. The store decodes, strips and re-encodes it.
///
/// Blocks until the camera gives a frame (it skips the first few so that a
/// real camera has set its exposure): call it on a worker thread.
pub fn capture_photo(source: &Source) -> Result<Vec<u8>, AvError> {
    super::init()?;
    // A real camera's first frames are dark or unfocused.
    let skip: u64 = if source.is_camera() { 10 } else { 0 };
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let video = source.video()?;
    let convert = element("videoconvert")?;
    let jpeg = element("jpegenc")?;
    jpeg.set_property("quality", 92i32);
    let sink = gst_app::AppSink::builder().sync(false).build();
    add_chain(&pipeline, &[&video, &convert, &jpeg, sink.upcast_ref()])?;
    // Frames not wanted are dropped before the encoder.
    let seen = AtomicU64::new(0);
    src_pad(&video)?.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        if seen.fetch_add(1, Ordering::SeqCst) < skip {
            gst::PadProbeReturn::Drop
        } else {
            gst::PadProbeReturn::Ok
        }
    });
    let photo = Arc::new(Mutex::new(None));
    let bus = pipeline
        .bus()
        .ok_or_else(|| AvError::Pipeline("the pipeline has no bus".into()))?;
    let result = (|| {
        if pipeline.set_state(gst::State::Playing).is_err() {
            return Err(if source.is_camera() {
                AvError::NoCamera
            } else {
                pipeline::first_error(&bus, &failure, false)
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(100)) {
                let map = sample
                    .buffer()
                    .and_then(|buffer| buffer.map_readable().ok())
                    .map(|map| map.to_vec());
                *photo.lock().unwrap_or_else(PoisonError::into_inner) = map;
                return Ok(());
            }
            if let Some(message) = bus.pop_filtered(&[gst::MessageType::Error])
                && let gst::MessageView::Error(error) = message.view()
            {
                return Err(if source.is_camera() {
                    AvError::NoCamera
                } else {
                    pipeline::bus_error(&failure, error, false)
                });
            }
        }
        Err(if source.is_camera() {
            AvError::NoCamera
        } else {
            AvError::Pipeline("no frame came from the source".into())
        })
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result?;
    let photo = photo.lock().unwrap_or_else(PoisonError::into_inner).take();
    photo.ok_or_else(|| AvError::Pipeline("the photo could not be encoded".into()))
}

/// The `src` pad of a source bin.
fn src_pad(element: &gst::Element) -> Result<gst::Pad, AvError> {
    element
        .static_pad("src")
        .ok_or_else(|| AvError::Pipeline("a source has no output".into()))
}

/// Links a new `src_%u` pad of `tee` to `next`.
fn link_src(tee: &gst::Element, next: &gst::Element) -> Result<(), AvError> {
    let src = tee
        .request_pad_simple("src_%u")
        .ok_or_else(|| AvError::Pipeline("the tee refused a branch".into()))?;
    let sink = next
        .static_pad("sink")
        .ok_or_else(|| AvError::Pipeline("a branch has no input".into()))?;
    src.link(&sink)
        .map(|_| ())
        .map_err(|e| AvError::Pipeline(format!("cannot link a branch: {e}")))
}
