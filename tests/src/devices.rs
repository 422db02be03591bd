//! A tablet and a companion as processes, each with its own data folder and
//! both keeping their keys in files under one temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use tsunagi_core::store::{FileKeychain, Store};

use crate::{PASSWORD, Serve};

/// The two devices' folders and the programs that run them.
pub struct Devices {
    root: tempfile::TempDir,
    tablet_exe: PathBuf,
    companion_exe: PathBuf,
}

/// A finished command's standard output and standard error.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

impl Devices {
    /// Two empty folders; `tablet` and `companion` are the programs
    /// (`env!("CARGO_BIN_EXE_tablet")`, `…_companion`).
    pub fn empty(tablet: &str, companion: &str) -> Self {
        Self {
            root: tempfile::tempdir().expect("temp dir"),
            tablet_exe: tablet.into(),
            companion_exe: companion.into(),
        }
    }

    /// Both stores made, the tablet's with the demo cases.
    pub fn with_demo(tablet: &str, companion: &str) -> Self {
        let devices = Self::empty(tablet, companion);
        devices.tablet_ok(&["init", "--user", "admin"]);
        devices.tablet_ok(&["demo"]);
        devices.companion_ok(&["init", "--user", "admin"]);
        devices
    }

    /// A path under the temporary folder (`tablet` and `companion` are the
    /// two data folders).
    pub fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// The companion's partial bundle files (in its tablets' folders in the
    /// inbox), with their lengths.
    pub fn inbox_files(&self) -> Vec<(PathBuf, u64)> {
        let list = |dir: &Path| -> Vec<PathBuf> {
            std::fs::read_dir(dir)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default()
        };
        list(&self.dir("companion").join("inbox"))
            .into_iter()
            .flat_map(|p| if p.is_dir() { list(&p) } else { vec![p] })
            .filter_map(|p| {
                let len = std::fs::metadata(&p).ok()?.len();
                Some((p, len))
            })
            .collect()
    }

    /// `exe --data-dir DIR/data args…`, signed in as `admin`.
    pub fn command(&self, exe: &std::path::Path, data: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(exe);
        cmd.arg("--data-dir")
            .arg(self.dir(data))
            .args(args)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", self.dir("keys"))
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", PASSWORD)
            .env_remove("TSUNAGI_DATA_DIR")
            .env_remove("TSUNAGI_COMPANION_DATA_DIR");
        cmd
    }

    /// A tablet command (`tsunagi`) on the `tablet` folder.
    pub fn tablet_command(&self, args: &[&str]) -> Command {
        self.command(&self.tablet_exe, "tablet", args)
    }

    /// A companion command (`tsunagi-companion`) on the `companion` folder.
    pub fn companion_command(&self, args: &[&str]) -> Command {
        self.command(&self.companion_exe, "companion", args)
    }

    /// Runs a tablet command.
    pub fn tablet(&self, args: &[&str]) -> Output {
        self.tablet_command(args).output().expect("runs the tablet")
    }

    /// A tablet command (`tsunagi`) on the data folder `data` (a second
    /// tablet).
    pub fn tablet_in_command(&self, data: &str, args: &[&str]) -> Command {
        self.command(&self.tablet_exe, data, args)
    }

    /// Runs a companion command on the data folder `data` (another
    /// office).
    pub fn companion_in(&self, data: &str, args: &[&str]) -> Output {
        self.command(&self.companion_exe, data, args)
            .output()
            .expect("runs the companion")
    }

    /// Runs a tablet command on the data folder `data`.
    pub fn tablet_in(&self, data: &str, args: &[&str]) -> Output {
        self.tablet_in_command(data, args)
            .output()
            .expect("runs the tablet")
    }

    /// Runs a companion command.
    pub fn companion(&self, args: &[&str]) -> Output {
        self.companion_command(args)
            .output()
            .expect("runs the companion")
    }

    /// Runs a tablet command that must succeed; its output.
    pub fn tablet_ok(&self, args: &[&str]) -> String {
        let out = self.tablet(args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "tsunagi {args:?} failed: {stderr}");
        stdout
    }

    /// Runs a companion command that must succeed; its output.
    pub fn companion_ok(&self, args: &[&str]) -> String {
        let out = self.companion(args);
        let (stdout, stderr) = text(&out);
        assert!(
            out.status.success(),
            "tsunagi-companion {args:?} failed: {stderr}"
        );
        stdout
    }

    /// A failing command's one line of error.
    pub fn fails(out: Output) -> String {
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "succeeded but should not have");
        stderr
            .lines()
            .find(|l| l.contains("error:"))
            .unwrap_or_else(|| panic!("no error line in {stderr:?}"))
            .to_owned()
    }

    /// `serve` on a free loopback port.
    pub fn serve(&self) -> Serve {
        self.serve_on("127.0.0.1:0")
    }

    /// `serve` listening on `listen` (a restart keeps the paired address).
    pub fn serve_on(&self, listen: &str) -> Serve {
        Serve::start(self.companion_command(&["serve", "--listen", listen]))
    }

    /// `case list` on the tablet or the companion, sorted.
    pub fn case_list(&self, tablet: bool) -> Vec<String> {
        let out = if tablet {
            self.tablet_ok(&["case", "list"])
        } else {
            self.companion_ok(&["case", "list"])
        };
        let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    }

    /// Pairs the tablet with `server`, checks that both sides show the
    /// same verification code, and confirms it as the office would.
    /// Returns the pairing code used.
    pub fn pair(&self, server: &Serve) -> String {
        self.pair_tablet("tablet", server).0
    }

    /// Pairs the tablet whose data folder is `data` with `server` as
    /// [`Devices::pair`] does. Returns the pairing code used and the
    /// tablet's fingerprint as the office confirmed it.
    pub fn pair_tablet(&self, data: &str, server: &Serve) -> (String, String) {
        let (code, verification) = self.pair_unconfirmed_in(data, server);
        // The office sees the same code on the tablet and confirms it.
        let confirmed = self.companion_ok(&["confirm", &verification]);
        let fingerprint = confirmed
            .trim()
            .strip_prefix("confirmed tablet ")
            .unwrap_or_else(|| panic!("{confirmed}"))
            .to_owned();
        (code, fingerprint)
    }

    /// Pairs the tablet with `server` and checks that both sides show the
    /// same verification code, without the office's confirmation. Returns
    /// the pairing code used and the verification code.
    pub fn pair_unconfirmed(&self, server: &Serve) -> (String, String) {
        self.pair_unconfirmed_in("tablet", server)
    }

    fn pair_unconfirmed_in(&self, data: &str, server: &Serve) -> (String, String) {
        let code = self.companion_ok(&["pair", "--address", &server.addr]);
        let code = code.trim().to_owned();
        let paired = self.tablet_in(data, &["pair", &code]);
        let (out, stderr) = text(&paired);
        assert!(paired.status.success(), "pairing failed: {stderr}");
        let verification = out
            .trim()
            .rsplit(": ")
            .next()
            .expect("a verification code")
            .to_owned();
        let line = server.wait_for("paired tablet");
        assert!(
            line.ends_with(&verification),
            "the two sides show different codes: {line:?} vs {verification:?}"
        );
        (code, verification)
    }

    /// The store in the `data` folder, opened in this process (not while
    /// a command has it open).
    pub fn store(&self, data: &str) -> Store {
        Store::unlock(
            &self.dir(data),
            Arc::new(FileKeychain::new(self.dir("keys"))),
            "admin",
            PASSWORD,
        )
        .expect("opens the store")
    }
}
