//! The Tsunagi tablet app: the Slint window and the scripting command line,
//! both thin shells over `tsunagi-core`.

pub mod av;
pub mod cli;
pub mod discovery;
pub mod receive;
mod reference_sync;
pub mod sync;
pub mod window;

/// The Android entry point, called by `android-activity` on the app's main
/// thread: sets Slint up on the activity and opens the window on the data
/// folder that `tsunagi-platform` gives (the app's internal storage,
/// private to the app, removed with it). Everything else is the same code
/// as on the desktop; what differs per platform is in `tsunagi-platform`.
///
/// Built only for Android, which the project's build machines cannot do (no
/// NDK): this function has never been compiled. See android/README.md.
#[cfg(target_os = "android")]
#[allow(unsafe_code)] // `no_mangle` is how android-activity finds the entry.
#[unsafe(no_mangle)]
fn android_main(app: slint::android::AndroidApp) {
    if slint::android::init(app).is_err() {
        return;
    }
    // There is no terminal to report to; a failure ends the activity. Its
    // message never holds case data.
    let result = tsunagi_platform::current()
        .data_dir("tsunagi")
        .map_err(anyhow::Error::from)
        .and_then(window::run);
    if let Err(error) = result {
        eprintln!("tsunagi: {error:#}");
    }
}
