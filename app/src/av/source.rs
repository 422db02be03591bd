//! Where pictures and sound come from: the device's camera and microphone,
//! or GStreamer's test patterns standing in for them.

use gstreamer as gst;
use gstreamer::prelude::*;

use super::AvError;

/// Environment variable that overrides the configured source: `test` uses
/// the test patterns, anything else (or unset) leaves the setting alone.
pub const CAMERA_ENV: &str = "TSUNAGI_CAMERA";

/// Frame rate asked of every source.
pub(crate) const FPS: i32 = 30;

/// Where frames and sound come from (映像の入力元).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// The device's camera and microphone: `v4l2src` on Linux (`device`
    /// picks `/dev/videoN`, default the first), `ahcsrc` on Android,
    /// `avfvideosrc` on iOS and macOS; sound from the platform's default
    /// microphone.
    #[default]
    Camera,
    /// One Linux camera device by path, e.g. `/dev/video2`.
    CameraDevice(String),
    /// A moving test pattern (640×480, 30 frames per second) and a quiet
    /// 440 Hz tone, both live: what tests and machines without a camera use.
    Test,
}

impl Source {
    /// The source to use: [`Source::Test`] when `TSUNAGI_CAMERA=test`,
    /// otherwise the configured `setting` (`"test"`, `"camera"`, empty, or a
    /// device path such as `/dev/video2`).
    pub fn from_setting(setting: &str) -> Self {
        let env = std::env::var(CAMERA_ENV).unwrap_or_default();
        let chosen = if env.trim().eq_ignore_ascii_case("test") {
            "test"
        } else {
            setting.trim()
        };
        match chosen {
            "test" => Self::Test,
            "" | "camera" => Self::Camera,
            device => Self::CameraDevice(device.to_owned()),
        }
    }

    /// Whether this is a real camera (whose absence is an error to show).
    pub fn is_camera(&self) -> bool {
        !matches!(self, Self::Test)
    }

    /// The video source as one element with a `src` pad giving raw video at
    /// [`FPS`], or [`AvError::NoCamera`] when there is no camera to open.
    pub(crate) fn video(&self) -> Result<gst::Element, AvError> {
        let description = match self {
            Self::Test => format!(
                "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! \
                 capsfilter caps=\"video/x-raw,width=640,height=480,framerate={FPS}/1\""
            ),
            Self::Camera | Self::CameraDevice(_) => {
                let camera = camera_element(self)?;
                format!(
                    "{camera} ! videoconvert ! videoscale ! videorate ! \
                     capsfilter caps=\"video/x-raw,framerate={FPS}/1\""
                )
            }
        };
        let bin = bin(&description).map_err(|e| {
            if self.is_camera() {
                AvError::NoCamera
            } else {
                e
            }
        })?;
        if self.is_camera() {
            // Opening the device now turns "no camera" into a clear error
            // rather than a failure somewhere in the pipeline.
            let opened = bin.set_state(gst::State::Ready).is_ok();
            let _ = bin.set_state(gst::State::Null);
            if !opened {
                return Err(AvError::NoCamera);
            }
        }
        Ok(bin)
    }

    /// The sound source as one element with a `src` pad, or `None` when
    /// there is no microphone (the clip is then recorded without sound).
    pub(crate) fn audio(&self) -> Result<Option<gst::Element>, AvError> {
        let description = match self {
            Self::Test => "audiotestsrc is-live=true wave=sine freq=440 volume=0.1 ! \
                           capsfilter caps=\"audio/x-raw,rate=48000,channels=1\""
                .to_owned(),
            Self::Camera | Self::CameraDevice(_) => {
                let microphone = if cfg!(target_os = "linux") {
                    "pulsesrc"
                } else {
                    "autoaudiosrc"
                };
                format!("{microphone} ! audioconvert ! audioresample")
            }
        };
        let Ok(bin) = bin(&description) else {
            return Ok(None);
        };
        if self.is_camera() {
            let opened = bin.set_state(gst::State::Ready).is_ok();
            let _ = bin.set_state(gst::State::Null);
            if !opened {
                return Ok(None);
            }
        }
        Ok(Some(bin))
    }
}

/// The platform's camera element with its device chosen.
fn camera_element(source: &Source) -> Result<String, AvError> {
    let factory = if cfg!(target_os = "android") {
        "ahcsrc"
    } else if cfg!(any(target_os = "ios", target_os = "macos")) {
        "avfvideosrc"
    } else {
        "v4l2src"
    };
    if gst::ElementFactory::find(factory).is_none() {
        return Err(AvError::NoCamera);
    }
    match source {
        Source::CameraDevice(device) if factory == "v4l2src" => {
            // The device path goes into a pipeline description: only plain
            // paths are accepted.
            if !device
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c))
            {
                return Err(AvError::NoCamera);
            }
            Ok(format!("v4l2src device={device}"))
        }
        _ => Ok(factory.to_owned()),
    }
}

/// A bin from a pipeline description, its unlinked output as a ghost `src`
/// (caps must be written as a `capsfilter`: a description cannot end in
/// bare caps).
fn bin(description: &str) -> Result<gst::Element, AvError> {
    gst::parse::bin_from_description(description, true)
        .map(|bin| bin.upcast())
        .map_err(|e| AvError::Pipeline(e.to_string()))
}
