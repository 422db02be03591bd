//! The live camera picture (プレビュー) shown while the worker frames a photo
//! or a clip. Nothing is encoded or written: frames go to the window only.

use gstreamer as gst;
use gstreamer::prelude::*;

use super::pipeline::{self, Failure, add_chain, element};
use super::{AvError, FrameCallback, Source};

/// A running camera preview. Dropping it closes the camera (so that a
/// recording, which opens the camera itself, can start).
pub struct Preview {
    pipeline: gst::Pipeline,
}

impl std::fmt::Debug for Preview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preview").finish_non_exhaustive()
    }
}

/// Opens `source` and hands every frame, as RGBA, to `on_frame` (on a
/// GStreamer streaming thread; late frames are dropped, never queued).
///
/// Opens the camera, which may take a moment: call it on a worker thread.
/// [`AvError::NoCamera`] when there is no camera to open; on a tablet, the
/// first preview asks for the camera and ends with
/// [`AvError::PermissionAsked`].
pub fn preview(source: &Source, on_frame: FrameCallback) -> Result<Preview, AvError> {
    super::init()?;
    let failure = Failure::default();
    let pipeline = gst::Pipeline::new();
    let video = source.video()?;
    let convert = element("videoconvert")?;
    let sink = pipeline::frame_sink(false, on_frame);
    add_chain(&pipeline, &[&video, &convert, sink.upcast_ref()])?;
    if pipeline.set_state(gst::State::Playing).is_err() {
        let error = match pipeline.bus() {
            Some(bus) => pipeline::first_error(&bus, &failure, false),
            None => AvError::Pipeline("the pipeline has no bus".into()),
        };
        let _ = pipeline.set_state(gst::State::Null);
        return Err(if source.is_camera() {
            AvError::NoCamera
        } else {
            error
        });
    }
    Ok(Preview { pipeline })
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
