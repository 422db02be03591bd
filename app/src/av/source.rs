//! Where pictures and sound come from: the device's camera and microphone,
//! or, standing in for them, GStreamer's test patterns or a still picture.

use gstreamer as gst;
use gstreamer::prelude::*;
use tsunagi_platform::{Access, Answer, CaptureDevice};

use super::AvError;

/// Environment variable that overrides the configured source: `test` uses
/// the test patterns, the path of a `.png` or `.jpg` file shows that
/// picture, anything else (or unset) leaves the setting alone.
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
    /// A still picture (PNG or JPEG) held in front of the camera, without
    /// sound: what the tests of QR code scanning use.
    Picture(std::path::PathBuf),
}

impl Source {
    /// The source to use: [`Source::Test`] when `TSUNAGI_CAMERA=test`, a
    /// [`Source::Picture`] when it names a picture file, otherwise the
    /// configured `setting` (`"test"`, `"camera"`, empty, a picture file, or
    /// a device path such as `/dev/video2`).
    pub fn from_setting(setting: &str) -> Self {
        let env = std::env::var(CAMERA_ENV).unwrap_or_default();
        let env = env.trim();
        let chosen = if env.eq_ignore_ascii_case("test") || is_picture(env) {
            env
        } else {
            setting.trim()
        };
        match chosen {
            test if test.eq_ignore_ascii_case("test") => Self::Test,
            "" | "camera" => Self::Camera,
            picture if is_picture(picture) => Self::Picture(picture.into()),
            device => Self::CameraDevice(device.to_owned()),
        }
    }

    /// Whether this is a real camera (whose absence is an error to show).
    pub fn is_camera(&self) -> bool {
        matches!(self, Self::Camera | Self::CameraDevice(_))
    }

    /// Before a real camera opens: asks the platform for the camera and,
    /// with `sound`, the microphone, in one prompt (Android and iOS show
    /// the system's question the first time; Linux never asks). Returns at
    /// once, without waiting for the person's answer: see [`allowed`].
    /// Test patterns and pictures need no permission.
    pub(crate) fn ask_permission(&self, sound: bool) -> Result<(), AvError> {
        if !self.is_camera() {
            return Ok(());
        }
        let devices: &[CaptureDevice] = if sound {
            &[CaptureDevice::Camera, CaptureDevice::Microphone]
        } else {
            &[CaptureDevice::Camera]
        };
        let answers = tsunagi_platform::current().request_access(devices)?;
        allowed(devices, &answers)
    }

    /// The video source as one element with a `src` pad giving raw video at
    /// [`FPS`], or [`AvError::NoCamera`] when there is no camera to open.
    /// A real camera is asked for first ([`Source::ask_permission`]):
    /// [`AvError::PermissionAsked`] or [`AvError::CameraRefused`] when the
    /// platform does not allow it yet.
    pub(crate) fn video(&self) -> Result<gst::Element, AvError> {
        let description = match self {
            Self::Test => format!(
                "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! \
                 capsfilter caps=\"video/x-raw,width=640,height=480,framerate={FPS}/1\""
            ),
            Self::Picture(path) => {
                let path = path.to_str().filter(|p| is_plain_path(p)).ok_or_else(|| {
                    AvError::Pipeline("the picture's path is not a plain path".into())
                })?;
                // Not decodebin: its pads appear later, and a description
                // made into a bin would take videoconvert's input for its own.
                let decoder = if path.to_ascii_lowercase().ends_with(".png") {
                    "pngdec"
                } else {
                    "jpegdec"
                };
                format!(
                    "filesrc location={path} ! {decoder} ! videoconvert ! \
                     imagefreeze is-live=true ! videorate ! \
                     capsfilter caps=\"video/x-raw,framerate={FPS}/1\""
                )
            }
            Self::Camera | Self::CameraDevice(_) => {
                self.ask_permission(false)?;
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
            Self::Picture(_) => return Ok(None),
            Self::Camera | Self::CameraDevice(_) => {
                // Asked for, if at all, by `ask_permission(true)` before
                // the recording: not allowed, the clip has no sound.
                let access = tsunagi_platform::current().access(CaptureDevice::Microphone);
                if !matches!(access, Ok(Access::Granted)) {
                    return Ok(None);
                }
                let microphone = tsunagi_platform::current().microphone_element();
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

/// Whether the camera may open, given the platform's `answers` for
/// `devices`: the camera must be allowed; a microphone still being asked
/// for stops the recording too (so that no clip is recorded silent while
/// the question is on screen), but a refused one does not: the clip is
/// then recorded without sound, as on a tablet without a microphone.
fn allowed(devices: &[CaptureDevice], answers: &[Answer]) -> Result<(), AvError> {
    for (device, answer) in devices.iter().zip(answers) {
        match (device, answer) {
            (_, Answer::Granted) | (CaptureDevice::Microphone, Answer::Refused) => {}
            (_, Answer::Asked) => return Err(AvError::PermissionAsked(*device)),
            (CaptureDevice::Camera, Answer::Refused) => return Err(AvError::CameraRefused),
        }
    }
    Ok(())
}

/// The platform's camera element with its device chosen.
fn camera_element(source: &Source) -> Result<String, AvError> {
    let factory = tsunagi_platform::current().camera_element();
    if gst::ElementFactory::find(factory).is_none() {
        return Err(AvError::NoCamera);
    }
    match source {
        Source::CameraDevice(device) if factory == "v4l2src" => {
            // The device path goes into a pipeline description: only plain
            // paths are accepted.
            if !is_plain_path(device) {
                return Err(AvError::NoCamera);
            }
            Ok(format!("v4l2src device={device}"))
        }
        _ => Ok(factory.to_owned()),
    }
}

/// Whether `setting` names a picture file (by its extension).
fn is_picture(setting: &str) -> bool {
    let lower = setting.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e))
}

/// A path safe to put into a pipeline description unquoted.
fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c))
}

/// A bin from a pipeline description, its unlinked output as a ghost `src`
/// (caps must be written as a `capsfilter`: a description cannot end in
/// bare caps).
fn bin(description: &str) -> Result<gst::Element, AvError> {
    gst::parse::bin_from_description(description, true)
        .map(|bin| bin.upcast())
        .map_err(|e| AvError::Pipeline(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [CaptureDevice; 2] = [CaptureDevice::Camera, CaptureDevice::Microphone];

    #[test]
    fn the_camera_opens_when_both_devices_are_allowed() {
        assert!(allowed(&BOTH, &[Answer::Granted, Answer::Granted]).is_ok());
    }

    #[test]
    fn a_camera_still_being_asked_for_tells_the_person_to_allow_it_and_try_again() {
        let error = allowed(&[CaptureDevice::Camera], &[Answer::Asked]).expect_err("waits");
        assert!(matches!(
            error,
            AvError::PermissionAsked(CaptureDevice::Camera)
        ));
        assert!(error.to_string().contains("カメラ"), "{error}");
    }

    #[test]
    fn a_refused_camera_points_to_the_settings() {
        let error = allowed(&BOTH, &[Answer::Refused, Answer::Granted]).expect_err("refused");
        assert!(matches!(error, AvError::CameraRefused));
        assert!(error.to_string().contains("設定"), "{error}");
    }

    #[test]
    fn no_clip_is_recorded_while_the_microphone_is_still_being_asked_for() {
        let error = allowed(&BOTH, &[Answer::Granted, Answer::Asked]).expect_err("waits");
        assert!(matches!(
            error,
            AvError::PermissionAsked(CaptureDevice::Microphone)
        ));
        assert!(error.to_string().contains("マイク"), "{error}");
    }

    #[test]
    fn a_refused_microphone_records_picture_only() {
        assert!(allowed(&BOTH, &[Answer::Granted, Answer::Refused]).is_ok());
    }
}
