//! `cargo xtask`: the project's two commands, with the system packages they
//! need installed first on Debian.
//!
//! - `cargo xtask run [ARGS…]` — installs what the app needs and runs it;
//! - `cargo xtask test` — installs what the tests need and runs every test,
//!   after compile-checking the platform glue for Android and iOS.

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

/// Debian packages that building and running the app needs.
const APP_PACKAGES: &[&str] = &[
    "pkg-config",
    "libfontconfig1-dev",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    // Photos and video (app/src/av): GStreamer to build against, and the
    // plugins it runs (camera, x264, AAC, MP4, decoders for imports).
    "libgstreamer1.0-dev",
    "libgstreamer-plugins-base1.0-dev",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-bad",
    "gstreamer1.0-plugins-ugly",
    "gstreamer1.0-libav",
];

/// Debian packages that the tests need on top of the app's.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "imagemagick",
    "python3-pip",
    "cups",
    "cups-client",
    "printer-driver-cups-pdf",
    "poppler-utils",
    "qpdf",
    "ghostscript",
    // gst-launch-1.0 makes test videos in formats the app must transcode.
    "gstreamer1.0-tools",
    // The backup tests open the sealed backups with the age tool itself.
    "age",
    // The research centre's tests: a real PostgreSQL server, and its
    // figures pages checked in a real browser.
    "postgresql",
    "chromium",
];

/// Targets that `tsunagi-platform` is compile-checked for. Its Android and
/// iOS code cannot be linked or run here (no NDK, no Xcode), but it is pure
/// Rust, so `cargo clippy --target …` checks it with only the target's
/// standard library, which rustup installs.
const PLATFORM_TARGETS: &[&str] = &["aarch64-linux-android", "aarch64-apple-ios"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("install-deps") => install(&[APP_PACKAGES, TEST_PACKAGES].concat()),
        _ => {
            eprintln!("usage: cargo xtask run [ARGS…] | test [CARGO TEST ARGS…] | install-deps");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_app(args: &[String]) -> anyhow::Result<()> {
    install(APP_PACKAGES)?;
    cargo(&[&["run", "--package", "tsunagi", "--"], &as_strs(args)[..]].concat())
}

fn test(args: &[String]) -> anyhow::Result<()> {
    install(&[APP_PACKAGES, TEST_PACKAGES].concat())?;
    let targets = add_targets(PLATFORM_TARGETS)?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    for target in targets {
        cargo(&[
            "clippy",
            "--package",
            "tsunagi-platform",
            "--target",
            target,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])?;
    }
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[&["test", "--workspace"], &as_strs(args)[..]].concat())
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .status()
        .with_context(|| format!("could not start {cargo}"))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Adds the rustup targets that are missing and returns the targets there
/// are. Without rustup (a toolchain installed another way) it says what to
/// add and returns none, as `install` does without apt-get.
fn add_targets(targets: &[&'static str]) -> anyhow::Result<Vec<&'static str>> {
    let Ok(listed) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        eprintln!(
            "xtask: warning: no rustup here; add these targets yourself to check the platform glue: {}",
            targets.join(" ")
        );
        return Ok(Vec::new());
    };
    let installed = String::from_utf8_lossy(&listed.stdout);
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|line| line.trim() == *t))
        .collect();
    if !missing.is_empty() {
        eprintln!("xtask: rustup target add {}", missing.join(" "));
        let status = Command::new("rustup")
            .args([&["target", "add"], &missing[..]].concat())
            .status()
            .context("could not run rustup")?;
        if !status.success() {
            bail!("rustup target add {} failed ({status})", missing.join(" "));
        }
    }
    Ok(targets.to_vec())
}

/// Installs the packages that are missing, with apt-get (as root, or through
/// sudo). On a system without apt-get it says what to install and goes on.
fn install(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if Command::new("apt-get").arg("--version").output().is_err() {
        eprintln!(
            "xtask: warning: no apt-get here; install these yourself: {}",
            missing.join(" ")
        );
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let prefix: &[&str] = if root { &[] } else { &["sudo"] };
    eprintln!("xtask: installing {}", missing.join(" "));
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let all = [prefix, &["apt-get"], args].concat();
        let status = Command::new(all[0])
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| format!("could not run {}", all.join(" ")))?;
        if !status.success() {
            bail!("{} failed ({status})", all.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    apt(&[
        &["install", "-y", "-qq", "--no-install-recommends"],
        &missing[..],
    ]
    .concat())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).contains("install ok installed")
        })
        .unwrap_or(false)
}
