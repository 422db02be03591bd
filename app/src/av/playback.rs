//! Playback (再生) of a stored clip, decrypting as it reads: frames to the
//! window, sound to the speaker.

use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

use super::pipeline::{self, Failure, add_chain, element, frame_queue, queue};
use super::{AvError, Frame};

/// Decoded frames waiting for their time to be shown.
const PLAYBACK_FRAMES: u32 = 4;

/// What happens to a [`Player`], told to its event callback.
#[derive(Debug)]
pub enum PlayerEvent {
    /// The clip played to its end (the last frame stays shown).
    EndOfStream,
    /// Playback failed; the player stops.
    Error(AvError),
}

/// A clip being played: decoded RGBA frames go to a callback (for a Slint
/// `Image`), sound to the default speaker (or nowhere when the machine has
/// none). Dropping the player stops it.
pub struct Player {
    pipeline: gst::Pipeline,
    closing: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player").finish_non_exhaustive()
    }
}

impl Player {
    /// Opens the clip read from `input` and shows its first frame, paused.
    ///
    /// `on_frame` gets every frame as it is due (and the frame shown after
    /// a seek while paused); `on_event` gets the end of the clip and errors.
    /// Both are called on GStreamer threads. Blocks until the first frame
    /// is decoded: call it on a worker thread. Input that is not a video
    /// gives [`AvError::NotAVideo`].
    pub fn new<R>(
        input: R,
        on_frame: impl FnMut(Frame) + Send + 'static,
        on_event: impl FnMut(PlayerEvent) + Send + 'static,
    ) -> Result<Self, AvError>
    where
        R: Read + Seek + Send + 'static,
    {
        super::init()?;
        let failure = Failure::default();
        let pipeline = gst::Pipeline::new();
        let src = pipeline::reader_source(input, &failure)?;
        let decode = element("decodebin")?;
        add_chain(&pipeline, &[src.upcast_ref(), &decode])?;

        let on_frame = Arc::new(Mutex::new(on_frame));
        let last_shown = Arc::new(Mutex::new(None::<gst::ClockTime>));
        pipeline::link_streams(&pipeline, &decode, &failure, move |pipeline, stream| {
            if stream.first_video {
                link_video(pipeline, stream.pad, &on_frame, &last_shown)
            } else if stream.media_type == "audio/x-raw" {
                link_audio(pipeline, stream.pad)
            } else {
                Ok(())
            }
        });
        if let Err(error) = pipeline::preroll(&pipeline, &failure) {
            let _ = pipeline.set_state(gst::State::Null);
            return Err(error);
        }

        let bus = pipeline
            .bus()
            .ok_or_else(|| AvError::Pipeline("the pipeline has no bus".into()))?;
        let closing = Arc::new(AtomicBool::new(false));
        let watcher = {
            let closing = Arc::clone(&closing);
            std::thread::Builder::new()
                .name("tsunagi-player".into())
                .spawn(move || watch(&bus, &failure, &closing, on_event))
                .map_err(|e| AvError::Pipeline(format!("cannot start a thread: {e}")))?
        };
        Ok(Self {
            pipeline,
            closing,
            watcher: Some(watcher),
        })
    }

    /// Plays from where it is (returns at once).
    pub fn play(&self) -> Result<(), AvError> {
        self.set_state(gst::State::Playing)
    }

    /// Pauses, keeping the current frame shown (returns at once).
    pub fn pause(&self) -> Result<(), AvError> {
        self.set_state(gst::State::Paused)
    }

    /// Jumps to `position` from the start, to the exact frame (returns at
    /// once; the frame comes to `on_frame` when decoded). Seeking after the
    /// end of the clip restarts it there.
    pub fn seek(&self, position: Duration) -> Result<(), AvError> {
        let at =
            gst::ClockTime::from_nseconds(u64::try_from(position.as_nanos()).unwrap_or(u64::MAX));
        self.pipeline
            .seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, at)
            .map_err(|_| AvError::Pipeline("the clip cannot seek there".into()))
    }

    /// Stops playback and releases the input; the player cannot be played
    /// again. Dropping it does the same.
    pub fn stop(&self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }

    /// Where playback is, from the start of the clip.
    pub fn position(&self) -> Option<Duration> {
        self.pipeline
            .query_position::<gst::ClockTime>()
            .map(pipeline::to_duration)
    }

    /// The clip's length, when the container says it. Fragmented MP4 (what
    /// this module writes) learns it only while playing: keep
    /// [`Encoded::duration`](super::Encoded) with the clip instead.
    pub fn duration(&self) -> Option<Duration> {
        self.pipeline
            .query_duration::<gst::ClockTime>()
            .map(pipeline::to_duration)
    }

    fn set_state(&self, state: gst::State) -> Result<(), AvError> {
        self.pipeline
            .set_state(state)
            .map(|_| ())
            .map_err(|_| AvError::Pipeline("the player cannot change state".into()))
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
        self.closing.store(true, Ordering::SeqCst);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}

/// Tells `on_event` about the end of the clip and errors, until the player
/// is dropped.
fn watch(
    bus: &gst::Bus,
    failure: &Failure,
    closing: &AtomicBool,
    mut on_event: impl FnMut(PlayerEvent),
) {
    while !closing.load(Ordering::SeqCst) {
        let Some(message) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
            continue;
        };
        match message.view() {
            gst::MessageView::Eos(_) => on_event(PlayerEvent::EndOfStream),
            gst::MessageView::Error(error) => {
                on_event(PlayerEvent::Error(pipeline::bus_error(
                    failure, error, true,
                )));
            }
            _ => {}
        }
    }
}

/// Frames to `on_frame`, paced by the clock. The frame shown when paused is
/// sent once, not again when playing starts.
fn link_video<F>(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    on_frame: &Arc<Mutex<F>>,
    last_shown: &Arc<Mutex<Option<gst::ClockTime>>>,
) -> Result<(), AvError>
where
    F: FnMut(Frame) + Send + 'static,
{
    // A few decoded frames between the decoder and the screen are enough
    // to play smoothly: the decoder runs ahead while the sink waits for
    // each frame's time.
    let queue = frame_queue(PLAYBACK_FRAMES)?;
    let convert = element("videoconvert")?;
    let (on_frame, on_preroll) = (Arc::clone(on_frame), Arc::clone(on_frame));
    let (last, last_preroll) = (Arc::clone(last_shown), Arc::clone(last_shown));
    let deliver =
        move |sample: &gst::Sample, on_frame: &Mutex<F>, last: &Mutex<Option<gst::ClockTime>>| {
            let pts = sample.buffer().and_then(|b| b.pts());
            {
                let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
                if pts.is_some() && *last == pts {
                    return;
                }
                *last = pts;
            }
            if let Some(frame) = pipeline::frame_from_sample(sample) {
                (on_frame.lock().unwrap_or_else(PoisonError::into_inner))(frame);
            }
        };
    let sink = gstreamer_app::AppSink::builder()
        .caps(
            &gstreamer_video::VideoCapsBuilder::new()
                .format(gstreamer_video::VideoFormat::Rgba)
                .build(),
        )
        .sync(true)
        .callbacks(
            gstreamer_app::AppSinkCallbacks::builder()
                .new_preroll(move |sink| {
                    let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Eos)?;
                    deliver(&sample, &on_preroll, &last_preroll);
                    Ok(gst::FlowSuccess::Ok)
                })
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    deliver(&sample, &on_frame, &last);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    add_chain(pipeline, &[&queue, &convert, sink.upcast_ref()])?;
    link(pad, &queue)
}

/// Sound to the default speaker, or to nothing (at the clip's pace) when
/// there is no sound device (a server, a test machine).
fn link_audio(pipeline: &gst::Pipeline, pad: &gst::Pad) -> Result<(), AvError> {
    let queue = queue(1)?;
    let convert = element("audioconvert")?;
    let resample = element("audioresample")?;
    let sink = match element("autoaudiosink") {
        Ok(sink) if sink.set_state(gst::State::Ready).is_ok() => sink,
        _ => {
            let sink = element("fakesink")?;
            sink.set_property("sync", true);
            sink
        }
    };
    add_chain(pipeline, &[&queue, &convert, &resample, &sink])?;
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
