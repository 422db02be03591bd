//! The Tsunagi tablet app: the Slint window and the scripting command line,
//! both thin shells over `tsunagi-core`.

pub mod av;
pub mod cli;
pub mod discovery;
pub mod sync;
pub mod window;

/// The Android entry point, called by `android-activity` on the app's main
/// thread: sets Slint up on the activity and opens the window on the data
/// folder in the app's internal storage (private to the app, removed with
/// it). Everything else is the same code as on the desktop.
///
/// Built only for Android, which the project's build machines cannot do (no
/// NDK): see android/README.md.
#[cfg(target_os = "android")]
#[allow(unsafe_code)] // `no_mangle` is how android-activity finds the entry.
#[unsafe(no_mangle)]
fn android_main(app: slint::android::AndroidApp) {
    let Some(data_dir) = app.internal_data_path().map(|dir| dir.join("tsunagi")) else {
        return;
    };
    if slint::android::init(app).is_err() {
        return;
    }
    // There is no terminal to report to; a failure ends the activity, and
    // its message (which never holds case data) reaches logcat.
    if let Err(error) = window::run(data_dir) {
        eprintln!("tsunagi: {error:#}");
    }
}
