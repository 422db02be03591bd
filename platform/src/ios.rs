//! iOS (iPadOS), through Objective-C with `objc2`.
//!
//! - Data folder: the app's Application Support folder
//!   (`NSFileManager URLsForDirectory:inDomains:`), `<program>` in it,
//!   created and marked `NSURLIsExcludedFromBackupKey` so that the store
//!   never reaches an iCloud or computer backup (as `allowBackup="false"`
//!   does on Android); the device key file, used only when the Apple
//!   keychain cannot be, in `keystore` beside it.
//! - Camera and microphone: `AVCaptureDevice authorizationStatusForMediaType:`
//!   and `requestAccessForMediaType:completionHandler:`. The texts iOS shows
//!   are the usage descriptions in `ios/Info.plist`; without them iOS ends
//!   the app when it asks.
//! - Multicast: iOS has no lock to take. The system asks the person for
//!   local network access itself the first time the app uses the LAN
//!   (`NSLocalNetworkUsageDescription` in `ios/Info.plist`); see ios/README.md
//!   for what discovery still needs there.
//!
//! Compile-checked for `aarch64-apple-ios` only: not linked or run on a
//! device (no macOS or Xcode on the project's machines).

// Objective-C: AVFoundation's constants are extern statics, and the
// bindings mark messages whose arguments the compiler cannot check unsafe.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};

use block2::RcBlock;
use objc2::runtime::{AnyObject, Bool};
use objc2_av_foundation::{
    AVAuthorizationStatus, AVCaptureDevice, AVMediaType, AVMediaTypeAudio, AVMediaTypeVideo,
};
use objc2_foundation::{
    NSFileManager, NSNumber, NSSearchPathDirectory, NSSearchPathDomainMask, NSString, NSURL,
    NSURLIsExcludedFromBackupKey,
};

use crate::{Access, CaptureDevice, MulticastLock, MulticastSwitch, Platform, PlatformError};

/// The iOS platform.
#[derive(Debug)]
pub struct Ios {
    multicast: MulticastLock,
}

impl Ios {
    /// The iOS platform. Calls nothing until a method is used.
    pub fn new() -> Self {
        Self {
            multicast: MulticastLock::new(NoSwitch),
        }
    }
}

impl Default for Ios {
    fn default() -> Self {
        Self::new()
    }
}

impl Platform for Ios {
    fn data_dir(&self, program: &str) -> Result<PathBuf, PlatformError> {
        let dir = application_support()?.join(program);
        kept_out_of_backups(&dir)?;
        Ok(dir)
    }

    fn keystore_dir(&self) -> Result<Option<PathBuf>, PlatformError> {
        let dir = application_support()?.join("keystore");
        kept_out_of_backups(&dir)?;
        Ok(Some(dir))
    }

    fn access(&self, device: CaptureDevice) -> Result<Access, PlatformError> {
        let media = media_type(device)?;
        // SAFETY: `media` is AVMediaTypeVideo or AVMediaTypeAudio, the only
        // values for which the method does not throw.
        let status = unsafe { AVCaptureDevice::authorizationStatusForMediaType(media) };
        Ok(match status {
            AVAuthorizationStatus::Authorized => Access::Granted,
            AVAuthorizationStatus::NotDetermined => Access::Undecided,
            // Denied, Restricted (device management), and any status a
            // later iOS adds: the app cannot ask.
            _ => Access::Refused,
        })
    }

    /// Asks for the first device; the prompt for the next one is shown from
    /// the first one's completion handler, since iOS shows one at a time.
    fn ask(&self, devices: &[CaptureDevice]) -> Result<(), PlatformError> {
        for device in devices {
            media_type(*device)?;
        }
        ask_in_turn(devices.to_vec());
        Ok(())
    }

    /// `avfvideosrc` (GStreamer's AVFoundation camera source).
    fn camera_element(&self) -> &'static str {
        "avfvideosrc"
    }

    /// `autoaudiosrc`, which finds `osxaudiosrc` on iOS.
    fn microphone_element(&self) -> &'static str {
        "autoaudiosrc"
    }

    fn multicast(&self) -> &MulticastLock {
        &self.multicast
    }
}

/// Shows the prompt for `devices[0]`, then, once it is answered, for the
/// rest. The completion handler runs on an arbitrary dispatch queue and
/// touches no UI.
fn ask_in_turn(devices: Vec<CaptureDevice>) {
    let Some((first, rest)) = devices.split_first() else {
        return;
    };
    let Ok(media) = media_type(*first) else {
        return;
    };
    let rest = rest.to_vec();
    let handler = RcBlock::new(move |_granted: Bool| ask_in_turn(rest.clone()));
    // SAFETY: `media` is AVMediaTypeVideo or AVMediaTypeAudio (the method
    // throws for any other); the handler is a block taking one BOOL, as
    // the method's signature says, and AVFoundation retains it.
    unsafe { AVCaptureDevice::requestAccessForMediaType_completionHandler(media, &handler) };
}

/// AVFoundation's media type for `device`.
fn media_type(device: CaptureDevice) -> Result<&'static AVMediaType, PlatformError> {
    // SAFETY: reading AVFoundation's constant strings, which the framework
    // defines once and never changes.
    let media = unsafe {
        match device {
            CaptureDevice::Camera => AVMediaTypeVideo,
            CaptureDevice::Microphone => AVMediaTypeAudio,
        }
    };
    media.ok_or(PlatformError::System {
        call: "AVMediaType",
        reason: "AVFoundation does not define the media type".into(),
    })
}

/// The app's Application Support folder (inside its sandbox).
fn application_support() -> Result<PathBuf, PlatformError> {
    let urls = NSFileManager::defaultManager().URLsForDirectory_inDomains(
        NSSearchPathDirectory::ApplicationSupportDirectory,
        NSSearchPathDomainMask::UserDomainMask,
    );
    let path = urls
        .firstObject()
        .and_then(|url| url.path())
        .ok_or(PlatformError::NoDataDir)?;
    Ok(PathBuf::from(path.to_string()))
}

/// Creates `dir` and marks it to be left out of backups.
fn kept_out_of_backups(dir: &Path) -> Result<(), PlatformError> {
    std::fs::create_dir_all(dir)?;
    let path = dir.to_str().ok_or(PlatformError::NoDataDir)?;
    let url = NSURL::fileURLWithPath_isDirectory(&NSString::from_str(path), true);
    let yes = NSNumber::numberWithBool(true);
    let value: &AnyObject = &yes;
    // SAFETY: the key is Foundation's constant, and its value must be an
    // NSNumber holding a boolean, which it is.
    unsafe { url.setResourceValue_forKey_error(Some(value), NSURLIsExcludedFromBackupKey) }.map_err(
        |error| PlatformError::System {
            call: "NSURL.setResourceValue:forKey:error:",
            reason: error.localizedDescription().to_string(),
        },
    )
}

/// Nothing to turn on (see the module's documentation).
struct NoSwitch;

impl MulticastSwitch for NoSwitch {
    fn turn_on(&self) -> Result<(), PlatformError> {
        Ok(())
    }

    fn turn_off(&self) {}
}
