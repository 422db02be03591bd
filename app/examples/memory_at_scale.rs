//! Memory benchmark: the tablet app's resident memory with 10,000 cases and
//! 1 GiB of media, while a worker logs in, browses the case list, searches
//! as they type, opens cases and their photos and clips, presents a client
//! page by page and plays a clip (BENCHMARKS.md).
//!
//! Each measure is a fresh process running the real window (its event loop,
//! the store's worker thread, the software renderer), driven by a timer
//! through the accessibility tree (`memory_at_scale/drive.rs`); it reports
//! its resident memory after each phase and the peak within it. The
//! baseline, in the same run, is the same window on a store with no case,
//! going through the steps that apply to it.
//!
//! Run under Xvfb with the software renderer:
//!
//! ```sh
//! Xvfb :77 -screen 0 1280x800x24 &
//! DISPLAY=:77 SLINT_BACKEND=winit-software \
//!   cargo run --release -p tsunagi --example memory_at_scale
//! ```
//!
//! Building the store takes minutes: with `MEMORY_BENCH_DIR=/some/folder`
//! it is built there once and reused by later runs.

#[path = "memory_at_scale/drive.rs"]
mod drive;
#[path = "memory_at_scale/fill.rs"]
mod fill;

use std::path::{Path, PathBuf};
use std::process::Command;

use slint::ComponentHandle;
use tsunagi_app::window::{self, Options};

/// The target: peak resident memory of the app, in bytes.
const TARGET: u64 = 300_000_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child") => child(&args[2], Path::new(&args[3])),
        _ => parent(),
    }
}

/// One measured process: the window on the store in `dir`, the steps, and
/// one `PHASE name rss peak` line (KiB) per phase on stdout.
fn child(kind: &str, dir: &Path) -> anyhow::Result<()> {
    let options = Options::new(fill::keychain_of(dir));
    let app = window::build(dir.join("data"), options)?;
    app.window().show()?;
    let outcome = std::rc::Rc::new(std::cell::RefCell::new(None));
    let result = std::rc::Rc::clone(&outcome);
    let _timer = drive::Script::for_store(kind == "app").run(
        app.window(),
        |name, (rss, peak)| println!("PHASE\t{name}\t{rss}\t{peak}"),
        move |state| {
            *result.borrow_mut() = Some(state);
            let _ = slint::quit_event_loop();
        },
    );
    slint::run_event_loop()?;
    match outcome.borrow_mut().take() {
        Some(Ok(state)) => {
            if !state.playback.is_empty() {
                println!("PLAYBACK\t{}", state.playback);
            }
            Ok(())
        }
        Some(Err(why)) => anyhow::bail!("{why}"),
        None => anyhow::bail!("the window closed before the steps ended"),
    }
}

/// What a child reported.
#[derive(Default)]
struct Measured {
    /// Per phase: its name, resident KiB at its end, peak KiB within it.
    phases: Vec<(String, u64, u64)>,
    playback: String,
}

impl Measured {
    fn peak(&self) -> u64 {
        self.phases.iter().map(|p| p.2).max().unwrap_or(0)
    }
}

fn measure(kind: &str, dir: &Path) -> anyhow::Result<Measured> {
    let out = Command::new(std::env::current_exe()?)
        .args(["--child", kind, &dir.display().to_string()])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "the {kind} run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut measured = Measured::default();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["PHASE", name, rss, peak] => {
                measured
                    .phases
                    .push(((*name).to_owned(), rss.parse()?, peak.parse()?));
            }
            ["PLAYBACK", what] => measured.playback = (*what).to_owned(),
            _ => {}
        }
    }
    Ok(measured)
}

fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

fn parent() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let root = std::env::var_os("MEMORY_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_owned());
    let (full, empty) = (root.join("full"), root.join("empty"));
    fill::full_store(&full)?;
    fill::empty_store(&empty)?;

    let base = measure("empty", &empty)?;
    let app = measure("app", &full)?;

    println!(
        "| phase | empty store: RSS at end / peak | 10,000 cases + 1 GiB media: RSS at end / peak |"
    );
    println!("|---|---|---|");
    for (name, rss, peak) in &app.phases {
        let baseline = base
            .phases
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or("—".to_owned(), |(_, r, p)| {
                format!("{:.0} / {:.0} MB", mb(*r), mb(*p))
            });
        println!(
            "| {name} | {baseline} | {:.0} / {:.0} MB |",
            mb(*rss),
            mb(*peak)
        );
    }
    let (base_peak, app_peak) = (base.peak(), app.peak());
    println!(
        "peak RSS: empty store {:.0} MB, full store {:.0} MB, ratio {:.2}×; clip: {}",
        mb(base_peak),
        mb(app_peak),
        app_peak as f64 / base_peak.max(1) as f64,
        if app.playback.is_empty() {
            "not reached"
        } else {
            &app.playback
        }
    );
    println!(
        "target: peak ≤ 300 MB: {}",
        if app_peak * 1024 <= TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}
