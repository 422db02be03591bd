//! Killing the companion in the middle of a 1 GB transfer and starting it
//! again on the same address: the tablet's sync reconnects, the transfer
//! resumes from what the companion had written, and the case and its video
//! arrive once.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use std::io::Read as _;
use std::sync::Arc;

use tsunagi_core::media::{VideoInfo, fixtures};
use tsunagi_core::model::CaseId;
use tsunagi_core::store::{FileKeychain, MediaDetails, Store};
use tsunagi_tests::PASSWORD;

/// The video's size: 1 GB.
const VIDEO: u64 = 1_000_000_000;

struct Env {
    root: tempfile::TempDir,
}

impl Env {
    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn command(&self, exe: &str, data: &str, args: &[&str]) -> Command {
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

    /// The store in `data`, opened in this process.
    fn store(&self, data: &str) -> Store {
        Store::unlock(
            &self.dir(data),
            Arc::new(FileKeychain::new(self.dir("keys"))),
            "admin",
            PASSWORD,
        )
        .expect("opens the store")
    }

    fn tablet(&self, args: &[&str]) -> String {
        let out = self
            .command(env!("CARGO_BIN_EXE_tablet"), "tablet", args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "tsunagi {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn companion(&self, args: &[&str]) -> String {
        let out = self
            .command(env!("CARGO_BIN_EXE_companion"), "companion", args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "tsunagi-companion {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn serve(&self, listen: &str) -> (Child, mpsc::Receiver<String>, String) {
        let mut child = self
            .command(
                env!("CARGO_BIN_EXE_companion"),
                "companion",
                &["serve", "--listen", listen],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts serve");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).expect("listening");
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|r| r.split(' ').next())
            .expect("an address")
            .to_owned();
        (child, rx, addr)
    }
}

fn wait_for(rx: &mpsc::Receiver<String>, what: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("serve never said {what:?}"));
        if line.contains(what) {
            return line;
        }
    }
}

#[test]
fn killing_the_companion_mid_transfer_resumes_and_imports_once() {
    let env = Env {
        root: tempfile::tempdir().expect("temp dir"),
    };
    env.tablet(&["init", "--user", "admin"]);
    env.companion(&["init", "--user", "admin"]);

    // One case with a 1 GB video, streamed into the tablet's store (never
    // held in memory). The video is encrypted there and in the bundle, so
    // its content does not matter to the transfer.
    env.tablet(&["demo"]);
    let id = env.tablet(&["case", "list"]);
    let id: CaseId = id
        .split('\t')
        .next()
        .and_then(|i| i.parse().ok())
        .expect("an id");
    let video_id = {
        let mut store = env.store("tablet");
        // `ftyp` and `moov` as the fixture writes them, then an `mdat` box
        // whose size counts the streamed bytes.
        let mut header = fixtures::minimal_mp4(600_000, 0);
        header.truncate(header.len() - 8);
        header.extend_from_slice(&u32::try_from(8 + VIDEO).expect("fits").to_be_bytes());
        header.extend_from_slice(b"mdat");
        let mut video = std::io::Cursor::new(header).chain(std::io::repeat(0x5a).take(VIDEO));
        store
            .add_video(
                id,
                &mut video,
                &tsunagi_core::media::video::placeholder_poster(),
                &VideoInfo {
                    mime: "video/mp4".into(),
                    duration_ms: 600_000,
                },
                &MediaDetails::default(),
            )
            .expect("the tablet stores the video")
    };

    let (mut server, lines, addr) = env.serve("127.0.0.1:0");
    let code = env.companion(&["pair", "--address", &addr]);
    env.tablet(&["pair", code.trim()]);
    wait_for(&lines, "paired tablet");

    let sync = env
        .command(env!("CARGO_BIN_EXE_tablet"), "tablet", &["sync"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts sync");

    // Kill the companion once part of the bundle is on its disk.
    let inbox = env.dir("companion").join("inbox");
    let start = Instant::now();
    let partial_at_kill = loop {
        let held: u64 = std::fs::read_dir(&inbox)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        if held > VIDEO / 3 {
            server.kill().expect("kills the companion");
            server.wait().expect("reaps it");
            break held;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the transfer never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    };

    let (mut server, lines, _) = env.serve(&addr);
    let resumed = wait_for(&lines, "resuming bundle");
    let from: u64 = resumed
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("an offset");
    assert!(
        from >= partial_at_kill.saturating_sub(256 * 1024),
        "resumed from {from} though {partial_at_kill} bytes had been written"
    );
    wait_for(&lines, "imported bundle");
    let out = sync.wait_with_output().expect("sync ends");
    assert!(
        out.status.success(),
        "sync failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("delivered 1 bundle"));

    let mut theirs: Vec<String> = env
        .companion(&["case", "list"])
        .lines()
        .map(str::to_owned)
        .collect();
    let mut ours: Vec<String> = env
        .tablet(&["case", "list"])
        .lines()
        .map(str::to_owned)
        .collect();
    theirs.sort();
    ours.sort();
    assert_eq!(theirs, ours, "cases missing or duplicated");
    let _ = server.kill();
    let _ = server.wait();

    // The video arrived once, whole, and reads back to its last byte.
    let mut companion = env.store("companion");
    let items = companion.list_media(id).expect("lists");
    assert_eq!(items.len(), 1, "the video once");
    assert_eq!(items[0].id, video_id);
    let mut stream = companion.open_media(id, video_id).expect("opens");
    let read = std::io::copy(&mut stream, &mut std::io::sink()).expect("decrypts to the end");
    assert!(read > VIDEO, "{read} bytes");
}
