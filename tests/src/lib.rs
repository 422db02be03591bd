//! End-to-end tests that cross crate and process boundaries. The shared
//! fixtures live here; the tests are under `tests/`.

/// The password of every test store.
pub const PASSWORD: &str = "correct horse battery";

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `tsunagi-companion serve`: where it listens, and its output
/// lines as they come. Killed on drop.
pub struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The address it printed (`listening on ADDR …`).
    pub addr: String,
}

impl Serve {
    /// Starts `command` (a companion command line ending in `serve …`) and
    /// waits for the line saying where it listens.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts serve");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints where it listens");
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|r| r.split(' ').next())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Self { child, lines, addr }
    }

    /// Waits (up to a minute per line) for a line containing `what`.
    pub fn wait_for(&self, what: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("serve never said {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
