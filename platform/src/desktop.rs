//! Linux (and any desktop that is not a tablet): the XDG data folder, no
//! run-time permissions, no multicast lock.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::{Access, CaptureDevice, MulticastLock, MulticastSwitch, Platform, PlatformError};

/// The desktop platform.
#[derive(Debug)]
pub struct Desktop {
    multicast: MulticastLock,
}

impl Desktop {
    /// The desktop platform; holds no system resource.
    pub fn new() -> Self {
        Self {
            multicast: MulticastLock::new(NoSwitch),
        }
    }
}

impl Default for Desktop {
    fn default() -> Self {
        Self::new()
    }
}

impl Platform for Desktop {
    fn data_dir(&self, program: &str) -> Result<PathBuf, PlatformError> {
        Ok(data_dir(program))
    }

    /// `None`: the store's own rule (`TSUNAGI_KEYSTORE_DIR`, else the XDG
    /// data folder's `tsunagi/keystore`).
    fn keystore_dir(&self) -> Result<Option<PathBuf>, PlatformError> {
        Ok(None)
    }

    /// Always [`Access::Granted`]: Linux has no run-time permission for a
    /// camera or a microphone. Whether the device can be opened (its file's
    /// permissions, whether it exists) shows when it is opened.
    fn access(&self, _device: CaptureDevice) -> Result<Access, PlatformError> {
        Ok(Access::Granted)
    }

    /// Nothing to show (see [`Desktop::access`]).
    fn ask(&self, _devices: &[CaptureDevice]) -> Result<(), PlatformError> {
        Ok(())
    }

    /// `v4l2src` (Video4Linux), or `avfvideosrc` on macOS.
    fn camera_element(&self) -> &'static str {
        if cfg!(target_os = "macos") {
            "avfvideosrc"
        } else {
            "v4l2src"
        }
    }

    /// `pulsesrc` on Linux (PulseAudio or PipeWire's Pulse server), else
    /// whatever `autoaudiosrc` finds.
    fn microphone_element(&self) -> &'static str {
        if cfg!(target_os = "linux") {
            "pulsesrc"
        } else {
            "autoaudiosrc"
        }
    }

    fn multicast(&self) -> &MulticastLock {
        &self.multicast
    }
}

/// A desktop delivers multicast to every socket that joins the group:
/// there is nothing to turn on.
struct NoSwitch;

impl MulticastSwitch for NoSwitch {
    fn turn_on(&self) -> Result<(), PlatformError> {
        Ok(())
    }

    fn turn_off(&self) {}
}

/// The desktop's data folder for `program`: `$XDG_DATA_HOME/<program>`,
/// else `$HOME/.local/share/<program>`, else `./.local/share/<program>`.
/// The companion and the command line use it as well as the window.
pub fn data_dir(program: &str) -> PathBuf {
    data_dir_from(
        program,
        std::env::var_os("XDG_DATA_HOME"),
        std::env::var_os("HOME"),
    )
}

fn data_dir_from(
    program: &str,
    xdg_data_home: Option<OsString>,
    home: Option<OsString>,
) -> PathBuf {
    let base = xdg_data_home.map(PathBuf::from).unwrap_or_else(|| {
        home.map(PathBuf::from)
            .unwrap_or_else(|| ".".into())
            .join(".local/share")
    });
    base.join(program)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Answer;

    #[test]
    fn the_data_folder_follows_xdg_data_home_first() {
        assert_eq!(
            data_dir_from(
                "tsunagi",
                Some("/data/xdg".into()),
                Some("/home/worker".into())
            ),
            PathBuf::from("/data/xdg/tsunagi")
        );
    }

    #[test]
    fn without_xdg_data_home_the_data_folder_is_under_home() {
        assert_eq!(
            data_dir_from("tsunagi-companion", None, Some("/home/worker".into())),
            PathBuf::from("/home/worker/.local/share/tsunagi-companion")
        );
    }

    #[test]
    fn without_home_the_data_folder_is_under_the_working_folder() {
        assert_eq!(
            data_dir_from("tsunagi", None, None),
            PathBuf::from("./.local/share/tsunagi")
        );
    }

    #[test]
    fn the_desktop_opens_the_camera_without_asking() {
        let desktop = Desktop::new();
        let answers = desktop
            .request_access(&[CaptureDevice::Camera, CaptureDevice::Microphone])
            .expect("answers");
        assert_eq!(answers, [Answer::Granted, Answer::Granted]);
    }

    #[test]
    fn the_desktop_keeps_the_stores_own_keystore_folder() {
        assert!(Desktop::new().keystore_dir().expect("answers").is_none());
    }

    #[test]
    fn discovery_on_the_desktop_holds_the_multicast_lock_only_while_it_runs() {
        let desktop = Desktop::new();
        {
            let _guard = desktop.multicast().acquire().expect("nothing to refuse");
            assert_eq!(desktop.multicast().holders(), 1);
        }
        assert_eq!(desktop.multicast().holders(), 0);
    }
}
