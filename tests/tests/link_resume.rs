//! Killing the companion in the middle of a 300 MB transfer and starting it
//! again on the same address: the tablet's sync reconnects, the transfer
//! resumes from what the companion had written, and the case and its video
//! arrive once.

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tsunagi_core::media::{VideoInfo, fixtures};
use tsunagi_core::model::CaseId;
use tsunagi_core::store::MediaDetails;
use tsunagi_tests::devices::Devices;

/// The video's size: 300 MB, far more than any buffer on the way (the
/// tablet's store, its outbox, the companion's inbox and store each hold
/// it once on disk, so the test needs about 1.2 GB free).
const VIDEO: u64 = 300_000_000;

#[test]
fn killing_the_companion_mid_transfer_resumes_and_imports_once() {
    let env = Devices::empty(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    env.tablet_ok(&["init", "--user", "admin"]);
    env.companion_ok(&["init", "--user", "admin"]);

    // One case with a 300 MB video, streamed into the tablet's store (never
    // held in memory). The video is encrypted there and in the bundle, so
    // its content does not matter to the transfer.
    env.tablet_ok(&["demo"]);
    let id = env.tablet_ok(&["case", "list"]);
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

    let server = env.serve();
    env.pair(&server);
    let addr = server.addr.clone();

    let mut sync = env
        .tablet_command(&["sync"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts sync");

    // Kill the companion once part of the bundle is on its disk.
    let start = Instant::now();
    let partial_at_kill = loop {
        let held: u64 = env.inbox_files().iter().map(|(_, len)| len).sum();
        if held > VIDEO / 3 {
            drop(server);
            break held;
        }
        if sync.try_wait().expect("sync's status").is_some() {
            let out = sync.wait_with_output().expect("sync's output");
            panic!(
                "sync ended before the transfer was a third done: {}\ncompanion: {:?}",
                String::from_utf8_lossy(&out.stderr),
                server.drain()
            );
        }
        // Sealing the video and writing it twice is slow on a busy machine; the
        // bound only keeps a hung transfer from running forever.
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "the transfer never reached a third in 15 minutes ({held} bytes); companion: {:?}",
            server.drain()
        );
        std::thread::sleep(Duration::from_millis(5));
    };

    let server = env.serve_on(&addr);
    let resumed = server.wait_for("resuming bundle");
    let from: u64 = resumed
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("an offset");
    assert!(
        from >= partial_at_kill.saturating_sub(tsunagi_core::link::wire::CHUNK_SIZE),
        "resumed from {from} though {partial_at_kill} bytes had been written"
    );
    server.wait_for("imported bundle");
    let out = sync.wait_with_output().expect("sync ends");
    assert!(
        out.status.success(),
        "sync failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("delivered 1 bundle"));

    assert_eq!(
        env.case_list(false),
        env.case_list(true),
        "cases missing or duplicated"
    );
    drop(server);

    // The video arrived once, whole, and reads back to its last byte.
    let mut companion = env.store("companion");
    let items = companion.list_media(id).expect("lists");
    assert_eq!(items.len(), 1, "the video once");
    assert_eq!(items[0].id, video_id);
    let mut stream = companion.open_media(id, video_id).expect("opens");
    let read = std::io::copy(&mut stream, &mut std::io::sink()).expect("decrypts to the end");
    assert!(read > VIDEO, "{read} bytes");
}
