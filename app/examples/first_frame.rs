//! UI benchmark: cold start to the first rendered frame (BENCHMARKS.md).
//!
//! Each measurement is a fresh process (a cold start of this binary): it
//! builds either the app's window on a store (login screen, as the app
//! starts) or, as the baseline, an empty Slint window, shows it, and prints
//! the time from process start to the first frame the renderer finishes.
//! The parent runs both kinds alternately and prints medians and the ratio.
//!
//! Run under Xvfb with the software renderer:
//!
//! ```sh
//! Xvfb :99 -screen 0 1280x800x24 &
//! DISPLAY=:99 SLINT_BACKEND=winit-software \
//!   cargo run --release -p tsunagi --example first_frame
//! ```

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use slint::ComponentHandle;
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::store::{FileKeychain, KdfParams, Store, StoreOptions};

/// The baseline: an empty window of the same size.
#[allow(missing_docs)]
mod empty {
    slint::slint! {
        export component Empty inherits Window {
            preferred-width: 1280px;
            preferred-height: 800px;
        }
    }
}
use empty::Empty;

const RUNS: usize = 7;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child") => child(&args[2], args[3].parse()?, Path::new(&args[4])),
        _ => parent(),
    }
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// One cold start: prints milliseconds from `spawned_at` (the parent's clock
/// just before spawning this process) to the first finished frame.
fn child(kind: &str, spawned_at: u128, dir: &Path) -> anyhow::Result<()> {
    if kind == "app" {
        let options = Options {
            background: Background::WorkerThread,
            ..Options::new(Arc::new(FileKeychain::new(dir.join("keys"))))
        };
        let app = window::build(dir.join("data"), options)?;
        first_frame(app.window(), spawned_at)
    } else {
        first_frame(&Empty::new()?, spawned_at)
    }
}

/// Shows `component` and prints the time to its first rendered frame.
///
/// The software renderer has no rendering notifier: once the event loop runs
/// and the window has its size (mapped), a snapshot renders the whole window
/// with the same renderer, and the clock stops when that frame is done.
fn first_frame<C: ComponentHandle + 'static>(
    component: &C,
    spawned_at: u128,
) -> anyhow::Result<()> {
    component.show()?;
    try_frame(component.as_weak(), spawned_at);
    slint::run_event_loop()?;
    Ok(())
}

/// Takes the frame, or tries again in a millisecond while the window has no
/// size yet.
fn try_frame<C: ComponentHandle + 'static>(weak: slint::Weak<C>, spawned_at: u128) {
    slint::Timer::single_shot(std::time::Duration::from_millis(1), move || {
        let Some(component) = weak.upgrade() else {
            return;
        };
        match component.window().take_snapshot() {
            Ok(_) => {
                let ms = now_nanos().saturating_sub(spawned_at) as f64 / 1e6;
                println!("{ms:.1}");
                let _ = slint::quit_event_loop();
            }
            Err(_) => try_frame(weak, spawned_at),
        }
    });
}

fn parent() -> anyhow::Result<()> {
    // A store exists, so the app starts on its login screen, as it does every
    // day after set-up. Creating it is not part of the measure.
    let temp = tempfile::tempdir()?;
    let keychain = Arc::new(FileKeychain::new(temp.path().join("keys")));
    let fast = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    drop(Store::create(
        &temp.path().join("data"),
        keychain,
        "admin",
        "ながい合言葉 2026",
        fast,
    )?);
    let dir = temp.path().display().to_string();

    let exe = std::env::current_exe()?;
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        for (i, kind) in ["empty", "app"].iter().enumerate() {
            let spawned_at = now_nanos();
            let out = Command::new(&exe)
                .args(["--child", kind, &spawned_at.to_string(), &dir])
                .output()?;
            anyhow::ensure!(
                out.status.success(),
                "the {kind} window failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let ms: f64 = String::from_utf8_lossy(&out.stdout).trim().parse()?;
            times[i].push(ms);
        }
    }
    let [empty, app] = times.map(|mut t| {
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    });
    println!("cold start to first frame, median of {RUNS} (process spawn included):");
    println!("  empty Slint window (baseline): {empty:7.1} ms");
    println!("  Tsunagi login screen:          {app:7.1} ms");
    println!("  ratio:                         {:7.2}x", app / empty);
    Ok(())
}
