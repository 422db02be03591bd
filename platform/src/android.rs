//! Android, through JNI on the app's activity (the `NativeActivity` that
//! `android-activity` starts, which `ndk-context` hands out).
//!
//! - Data folder: `Context.getFilesDir()` (the app's internal storage,
//!   private to the app, removed with it, never backed up: the manifest
//!   says `allowBackup="false"`), `files/<program>`; the device key file in
//!   `files/keystore`.
//! - Camera and microphone: `Context.checkSelfPermission` and
//!   `Activity.requestPermissions` (API 23+, no AndroidX). A
//!   `NativeActivity` does not hand the answer back to native code, so the
//!   app learns it by checking again when the person tries again.
//! - Multicast: one `WifiManager.MulticastLock` (not reference-counted;
//!   [`MulticastLock`] counts), acquired while discovery runs; needs
//!   `CHANGE_WIFI_MULTICAST_STATE` in the manifest.
//!
//! Compile-checked for `aarch64-linux-android` only: not linked or run on a
//! device (no NDK on the project's machines).

// JNI hands the VM and the activity over as raw pointers.
#![allow(unsafe_code)]

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use jni::objects::{JObject, JObjectArray, JString, JValue};
use jni::refs::Global;
use jni::{Env, JavaVM, jni_sig, jni_str};

use crate::{Access, CaptureDevice, MulticastLock, MulticastSwitch, Platform, PlatformError};

/// `PackageManager.PERMISSION_GRANTED`.
const PERMISSION_GRANTED: i32 = 0;

/// The request code passed to `requestPermissions`; nothing reads the
/// answer by it (see the module's documentation).
const PERMISSION_REQUEST: i32 = 0x7453;

/// The tag Android shows for the multicast lock (`dumpsys wifi`).
const MULTICAST_TAG: &str = "tsunagi-discovery";

/// The Android platform.
#[derive(Debug)]
pub struct Android {
    multicast: MulticastLock,
}

impl Android {
    /// The Android platform. Makes no JNI call until a method is used.
    pub fn new() -> Self {
        Self {
            multicast: MulticastLock::new(WifiMulticast::default()),
        }
    }

    /// The app's internal storage (`Context.getFilesDir()`).
    fn files_dir(&self) -> Result<PathBuf, PlatformError> {
        with_activity("Context.getFilesDir", |env, activity| {
            let dir = env
                .call_method(
                    activity,
                    jni_str!("getFilesDir"),
                    jni_sig!("()Ljava/io/File;"),
                    &[],
                )?
                .l()?;
            if dir.is_null() {
                return Err(Failure::Null("getFilesDir"));
            }
            let path = env
                .call_method(
                    &dir,
                    jni_str!("getAbsolutePath"),
                    jni_sig!("()Ljava/lang/String;"),
                    &[],
                )?
                .l()?;
            let path = env.cast_local::<JString<'_>>(path)?;
            Ok(PathBuf::from(path.try_to_string(env)?))
        })
    }
}

impl Default for Android {
    fn default() -> Self {
        Self::new()
    }
}

impl Platform for Android {
    fn data_dir(&self, program: &str) -> Result<PathBuf, PlatformError> {
        Ok(self.files_dir()?.join(program))
    }

    /// `files/keystore`: keyring has no Android keystore back end in the
    /// version the store uses, so the device key is always the key file
    /// here (the login screen says so).
    fn keystore_dir(&self) -> Result<Option<PathBuf>, PlatformError> {
        Ok(Some(self.files_dir()?.join("keystore")))
    }

    /// [`Access::Granted`] or [`Access::Undecided`]: Android does not tell
    /// an app whether a refusal is final (after two refusals the system
    /// refuses a new request itself, without a prompt).
    fn access(&self, device: CaptureDevice) -> Result<Access, PlatformError> {
        with_activity("Context.checkSelfPermission", |env, activity| {
            let name = env.new_string(permission(device))?;
            let result = env
                .call_method(
                    activity,
                    jni_str!("checkSelfPermission"),
                    jni_sig!("(Ljava/lang/String;)I"),
                    &[JValue::Object(&name)],
                )?
                .i()?;
            Ok(if result == PERMISSION_GRANTED {
                Access::Granted
            } else {
                Access::Undecided
            })
        })
    }

    fn ask(&self, devices: &[CaptureDevice]) -> Result<(), PlatformError> {
        with_activity("Activity.requestPermissions", |env, activity| {
            let names = JObjectArray::<JString<'_>>::new(env, devices.len(), JString::null())?;
            for (index, device) in devices.iter().enumerate() {
                let name = env.new_string(permission(*device))?;
                names.set_element(env, index, &name)?;
            }
            env.call_method(
                activity,
                jni_str!("requestPermissions"),
                jni_sig!("([Ljava/lang/String;I)V"),
                &[JValue::Object(&names), JValue::Int(PERMISSION_REQUEST)],
            )?
            .v()?;
            Ok(())
        })
    }

    /// `ahcsrc` (GStreamer's Android camera source).
    fn camera_element(&self) -> &'static str {
        "ahcsrc"
    }

    /// `autoaudiosrc`, which finds `openslessrc` on Android.
    fn microphone_element(&self) -> &'static str {
        "autoaudiosrc"
    }

    fn multicast(&self) -> &MulticastLock {
        &self.multicast
    }
}

/// The manifest permission for `device`.
fn permission(device: CaptureDevice) -> &'static str {
    match device {
        CaptureDevice::Camera => "android.permission.CAMERA",
        CaptureDevice::Microphone => "android.permission.RECORD_AUDIO",
    }
}

/// The app's `WifiManager.MulticastLock`, made on first use and kept (as a
/// JNI global reference) for the life of the process.
#[derive(Default)]
struct WifiMulticast {
    lock: Mutex<Option<Global<JObject<'static>>>>,
}

impl WifiMulticast {
    /// The lock object, made now if it is not yet.
    fn lock_object<'local>(
        &self,
        env: &mut Env<'local>,
        activity: &JObject<'_>,
        held: &mut Option<Global<JObject<'static>>>,
    ) -> Result<(), Failure> {
        if held.is_some() {
            return Ok(());
        }
        // The application context: a WifiManager from an activity's
        // context leaks the activity on older releases.
        let app = env
            .call_method(
                activity,
                jni_str!("getApplicationContext"),
                jni_sig!("()Landroid/content/Context;"),
                &[],
            )?
            .l()?;
        let service = env.new_string("wifi")?; // Context.WIFI_SERVICE
        let wifi = env
            .call_method(
                &app,
                jni_str!("getSystemService"),
                jni_sig!("(Ljava/lang/String;)Ljava/lang/Object;"),
                &[JValue::Object(&service)],
            )?
            .l()?;
        if wifi.is_null() {
            return Err(Failure::Null("getSystemService(WIFI_SERVICE)"));
        }
        let tag = env.new_string(MULTICAST_TAG)?;
        let lock = env
            .call_method(
                &wifi,
                jni_str!("createMulticastLock"),
                jni_sig!("(Ljava/lang/String;)Landroid/net/wifi/WifiManager$MulticastLock;"),
                &[JValue::Object(&tag)],
            )?
            .l()?;
        if lock.is_null() {
            return Err(Failure::Null("createMulticastLock"));
        }
        env.call_method(
            &lock,
            jni_str!("setReferenceCounted"),
            jni_sig!("(Z)V"),
            &[JValue::Bool(false)],
        )?
        .v()?;
        *held = Some(env.new_global_ref(lock)?);
        Ok(())
    }
}

impl MulticastSwitch for WifiMulticast {
    fn turn_on(&self) -> Result<(), PlatformError> {
        let mut held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        with_activity("WifiManager.MulticastLock.acquire", |env, activity| {
            self.lock_object(env, activity, &mut held)?;
            if let Some(lock) = held.as_ref() {
                env.call_method(lock, jni_str!("acquire"), jni_sig!("()V"), &[])?
                    .v()?;
            }
            Ok(())
        })
    }

    fn turn_off(&self) {
        let held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(lock) = held.as_ref() else {
            return;
        };
        // A failure leaves the lock held until the process ends, which
        // costs battery but nothing else; the system logs its own reason.
        let _ = with_activity("WifiManager.MulticastLock.release", |env, _| {
            env.call_method(lock, jni_str!("release"), jni_sig!("()V"), &[])?
                .v()?;
            Ok(())
        });
    }
}

/// Why a JNI call sequence failed, before it is named for the caller.
enum Failure {
    /// The JNI call failed or threw (the exception is caught and cleared).
    Jni(jni::errors::Error),
    /// A call that should return an object returned `null`.
    Null(&'static str),
}

impl From<jni::errors::Error> for Failure {
    fn from(error: jni::errors::Error) -> Self {
        Self::Jni(error)
    }
}

/// Runs `body` on this thread (attached to the VM if it is not yet) with
/// the app's activity. `call` names the call in the error.
fn with_activity<T>(
    call: &'static str,
    body: impl FnOnce(&mut Env<'_>, &JObject<'_>) -> Result<T, Failure>,
) -> Result<T, PlatformError> {
    let context = ndk_context::android_context();
    if context.vm().is_null() || context.context().is_null() {
        return Err(PlatformError::NoContext);
    }
    // SAFETY: ndk-context holds the process's JavaVM, set by
    // android-activity before `android_main` runs and valid for the life
    // of the process; it was checked to be non-null above.
    let vm = unsafe { JavaVM::from_raw(context.vm().cast()) };
    // Attaching also catches and clears a Java exception thrown by `body`,
    // returning it as an error.
    vm.attach_current_thread(|env| -> Result<T, Failure> {
        let raw: jni::sys::jobject = context.context().cast();
        // SAFETY: ndk-context's context is a global reference to the
        // activity that android-activity keeps for the life of the
        // process, so it outlives this call; the cast does not take
        // ownership of it and checks its class.
        let activity = unsafe { env.as_cast_raw::<Global<JObject<'static>>>(&raw) }?;
        let activity: &JObject<'_> = &activity;
        body(env, activity)
    })
    .map_err(|failure| PlatformError::System {
        call,
        reason: match failure {
            Failure::Jni(error) => error.to_string(),
            Failure::Null(what) => format!("{what} returned null"),
        },
    })
}
