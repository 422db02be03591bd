//! What differs between the platforms the tablet app runs on, behind one
//! trait, [`Platform`]: where the data folder is, where the device key file
//! goes when there is no system keychain, asking for the camera and the
//! microphone at run time (and which GStreamer elements read them), and
//! keeping Wi-Fi multicast on while the app looks for its companion on the
//! LAN.
//!
//! [`current`] is the platform this build runs on: [`desktop::Desktop`] on
//! Linux (and any other desktop), `android::Android` on Android,
//! `ios::Ios` on iOS. The Android and iOS parts are pure Rust (JNI through
//! `jni`, Objective-C through `objc2`): `cargo xtask test` compile-checks
//! them for `aarch64-linux-android` and `aarch64-apple-ios`, but they have
//! never been linked or run on a device (README, "Platforms").
//!
//! Nothing here knows about cases or people: errors name the system call
//! that failed, never data.

use std::path::PathBuf;
use std::sync::OnceLock;

#[cfg(target_os = "android")]
pub mod android;
pub mod desktop;
#[cfg(target_os = "ios")]
pub mod ios;
mod multicast;

pub use multicast::{MulticastGuard, MulticastLock, MulticastSwitch};

/// A device the app needs the person's permission for (端末の権限).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaptureDevice {
    /// The camera: photos, video and reading the pairing QR code.
    Camera,
    /// The microphone: the sound of video clips.
    Microphone,
}

/// Whether the app may use a device, as the system says now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Allowed.
    Granted,
    /// Not allowed yet, and the app may ask: the system shows its prompt.
    Undecided,
    /// Refused, and only the system's settings can change that (iOS: the
    /// person said no, or the device's management forbids it).
    Refused,
}

/// Where a device stands after [`Platform::request_access`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Allowed: the device can be opened now.
    Granted,
    /// The system is asking the person now; their answer is not known yet.
    /// The app says so and tries again when the person asks it to.
    Asked,
    /// Refused: only the system's settings can change that.
    Refused,
}

/// Why a platform call failed. Messages name the call, never data.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The app runs without the Java VM and activity that Android's
    /// native-activity glue provides (it was not started by
    /// `android-activity`).
    #[error("the app's Android context is not available")]
    NoContext,
    /// A call into the system (JNI or Objective-C) failed; `call` names it,
    /// `reason` is the system's own text, which holds no case data.
    #[error("the system call {call} failed: {reason}")]
    System {
        /// The call, e.g. `Activity.requestPermissions`.
        call: &'static str,
        /// The system's or the binding's error text.
        reason: String,
    },
    /// The system names no folder for the app's own data.
    #[error("the system names no folder for the app's data")]
    NoDataDir,
    /// The data folder could not be created.
    #[error("the app's data folder could not be created: {0}")]
    Io(#[from] std::io::Error),
}

/// One platform's answers. Every method may be called from any thread;
/// none blocks for longer than a call into the system (no method waits for
/// the person to answer a prompt).
pub trait Platform: Send + Sync {
    /// The folder that holds `program`'s encrypted store when none is given
    /// on the command line or in `TSUNAGI_DATA_DIR`. It is created only
    /// where the platform needs it to exist to mark it (iOS: excluded from
    /// iCloud backup); elsewhere the store creates it.
    fn data_dir(&self, program: &str) -> Result<PathBuf, PlatformError>;

    /// Where the device key file goes when the system keychain cannot be
    /// used, or `None` for the store's own default
    /// (`tsunagi_core::store::FileKeychain::default_dir`, the desktop's).
    /// On the tablets it is the app's private storage, beside the data
    /// folder but not in it, so that a copy of the data folder alone does
    /// not carry the key.
    fn keystore_dir(&self) -> Result<Option<PathBuf>, PlatformError>;

    /// Whether the app may use `device` now. Shows nothing.
    fn access(&self, device: CaptureDevice) -> Result<Access, PlatformError>;

    /// Shows the system's prompt for `devices` (together where the system
    /// can, one after the other where it cannot) and returns at once,
    /// without waiting for the answer.
    fn ask(&self, devices: &[CaptureDevice]) -> Result<(), PlatformError>;

    /// The GStreamer element that reads the camera (GStreamer is the one
    /// multimedia layer on every platform).
    fn camera_element(&self) -> &'static str;

    /// The GStreamer element that records from the microphone.
    fn microphone_element(&self) -> &'static str;

    /// This process's hold on Wi-Fi multicast (Android drops multicast
    /// packets to apps that hold no `WifiManager.MulticastLock`).
    fn multicast(&self) -> &MulticastLock;

    /// Where each of `devices` stands, in the same order, after asking in
    /// one prompt for those that are [`Access::Undecided`]. Granted and
    /// refused devices are not asked again. Returns at once: a device asked
    /// now is [`Answer::Asked`] until the person has answered.
    fn request_access(&self, devices: &[CaptureDevice]) -> Result<Vec<Answer>, PlatformError> {
        let now = devices
            .iter()
            .map(|device| self.access(*device))
            .collect::<Result<Vec<_>, _>>()?;
        let undecided: Vec<CaptureDevice> = devices
            .iter()
            .zip(&now)
            .filter(|(_, access)| **access == Access::Undecided)
            .map(|(device, _)| *device)
            .collect();
        if !undecided.is_empty() {
            self.ask(&undecided)?;
        }
        Ok(now
            .into_iter()
            .map(|access| match access {
                Access::Granted => Answer::Granted,
                Access::Undecided => Answer::Asked,
                Access::Refused => Answer::Refused,
            })
            .collect())
    }
}

/// The platform this build runs on, made on first use and kept for the
/// life of the process.
pub fn current() -> &'static dyn Platform {
    static CURRENT: OnceLock<Box<dyn Platform>> = OnceLock::new();
    CURRENT.get_or_init(native).as_ref()
}

#[cfg(target_os = "android")]
fn native() -> Box<dyn Platform> {
    Box::new(android::Android::new())
}

#[cfg(target_os = "ios")]
fn native() -> Box<dyn Platform> {
    Box::new(ios::Ios::new())
}

#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn native() -> Box<dyn Platform> {
    Box::new(desktop::Desktop::new())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::multicast::tests::CountingSwitch;

    /// A platform whose permissions are set by the test and which records
    /// every prompt it was asked to show.
    struct Fake {
        camera: Access,
        microphone: Access,
        prompts: Mutex<Vec<Vec<CaptureDevice>>>,
        prompt_fails: bool,
        multicast: MulticastLock,
    }

    impl Fake {
        fn new(camera: Access, microphone: Access) -> Self {
            Self {
                camera,
                microphone,
                prompts: Mutex::new(Vec::new()),
                prompt_fails: false,
                multicast: MulticastLock::new(CountingSwitch::default()),
            }
        }

        fn prompts(&self) -> Vec<Vec<CaptureDevice>> {
            self.prompts.lock().expect("not poisoned").clone()
        }
    }

    impl Platform for Fake {
        fn data_dir(&self, program: &str) -> Result<PathBuf, PlatformError> {
            Ok(PathBuf::from(program))
        }

        fn keystore_dir(&self) -> Result<Option<PathBuf>, PlatformError> {
            Ok(None)
        }

        fn access(&self, device: CaptureDevice) -> Result<Access, PlatformError> {
            Ok(match device {
                CaptureDevice::Camera => self.camera,
                CaptureDevice::Microphone => self.microphone,
            })
        }

        fn ask(&self, devices: &[CaptureDevice]) -> Result<(), PlatformError> {
            if self.prompt_fails {
                return Err(PlatformError::System {
                    call: "Activity.requestPermissions",
                    reason: "no activity".into(),
                });
            }
            self.prompts
                .lock()
                .expect("not poisoned")
                .push(devices.to_vec());
            Ok(())
        }

        fn camera_element(&self) -> &'static str {
            "videotestsrc"
        }

        fn microphone_element(&self) -> &'static str {
            "audiotestsrc"
        }

        fn multicast(&self) -> &MulticastLock {
            &self.multicast
        }
    }

    const BOTH: [CaptureDevice; 2] = [CaptureDevice::Camera, CaptureDevice::Microphone];

    #[test]
    fn nothing_is_asked_when_every_device_is_already_allowed() {
        let platform = Fake::new(Access::Granted, Access::Granted);
        let answers = platform.request_access(&BOTH).expect("answers");
        assert_eq!(answers, [Answer::Granted, Answer::Granted]);
        assert!(platform.prompts().is_empty());
    }

    #[test]
    fn the_undecided_devices_are_asked_for_in_one_prompt() {
        let platform = Fake::new(Access::Undecided, Access::Undecided);
        let answers = platform.request_access(&BOTH).expect("answers");
        assert_eq!(answers, [Answer::Asked, Answer::Asked]);
        assert_eq!(platform.prompts(), [BOTH.to_vec()]);
    }

    #[test]
    fn only_the_undecided_device_is_asked_for() {
        let platform = Fake::new(Access::Granted, Access::Undecided);
        let answers = platform.request_access(&BOTH).expect("answers");
        assert_eq!(answers, [Answer::Granted, Answer::Asked]);
        assert_eq!(platform.prompts(), [vec![CaptureDevice::Microphone]]);
    }

    #[test]
    fn a_refused_device_is_not_asked_for_again() {
        let platform = Fake::new(Access::Refused, Access::Granted);
        let answers = platform.request_access(&BOTH).expect("answers");
        assert_eq!(answers, [Answer::Refused, Answer::Granted]);
        assert!(platform.prompts().is_empty());
    }

    #[test]
    fn a_prompt_the_system_could_not_show_is_an_error_not_a_wait() {
        let platform = Fake {
            prompt_fails: true,
            ..Fake::new(Access::Undecided, Access::Granted)
        };
        let error = platform.request_access(&BOTH).expect_err("fails");
        assert!(
            error.to_string().contains("Activity.requestPermissions"),
            "{error}"
        );
    }

    #[test]
    fn the_platform_is_made_once_per_process() {
        assert!(std::ptr::addr_eq(current(), current()));
    }
}
