//! Link benchmark: a sealed bundle (a case with a 200 MB video) sent by the
//! tablet's sync driver to the companion's server over QUIC on loopback,
//! against raw quinn moving the same number of bytes on one stream in the
//! same run; then the bytes sent again after the companion cuts the link
//! half-way through the next bundle (another such video). The first part is
//! run in rounds, alternating the two, and reported by its medians.
//!
//! `cargo bench -p tsunagi-companion --bench link`

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tsunagi_companion::link::{self, Options, Session};
use tsunagi_core::link::tls;
use tsunagi_core::media::{MediaLimits, VideoInfo, fixtures};
use tsunagi_core::model::{CaseId, demo_cases};
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{KdfParams, MediaDetails, MemoryKeychain, Store, StoreOptions};

const VIDEO_BYTES: usize = 200 * 1000 * 1000;
const PW: &str = "correct horse battery";

fn store(dir: &std::path::Path) -> Store {
    Store::create(
        dir,
        Arc::new(MemoryKeychain::default()),
        "admin",
        PW,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("creates")
    .0
}

fn peer(store: &mut Store, kind: PeerKind, address: Option<String>) -> Peer {
    let id = store.device_identity().expect("identity");
    Peer {
        fingerprint: id.tls.fingerprint(),
        kind,
        signer: id.keys.signer(),
        recipient: id.keys.recipient(),
        address,
        paired_at: tsunagi_core::rfc3339::Timestamp::parse("2026-01-01T00:00:00Z").expect("a time"),
    }
}

/// Adds a video of about [`VIDEO_BYTES`] to `case`.
fn add_video(store: &mut Store, case: CaseId) {
    let mp4 = fixtures::minimal_mp4(60_000, VIDEO_BYTES);
    store
        .add_video(
            case,
            &mut std::io::Cursor::new(mp4),
            &fixtures::gps_tagged_jpeg(),
            &VideoInfo {
                mime: "video/mp4".into(),
                duration_ms: 60_000,
            },
            &MediaDetails::default(),
        )
        .expect("stores the video");
}

/// Adds a video to `case` and seals the change for `to`: the bundle's size.
fn add_and_seal(tablet: &mut Store, case: CaseId, to: &Peer) -> u64 {
    add_video(tablet, case);
    tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("a bundle")
        .outgoing
        .size
}

/// Runs the companion on its own thread; each session's result comes back.
fn companion(
    mut store: Store,
    sessions: Vec<Options>,
) -> (SocketAddr, mpsc::Receiver<anyhow::Result<Session>>) {
    let (addr_tx, addr_rx) = mpsc::channel();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let endpoint =
                link::endpoint(&mut store, "127.0.0.1:0".parse().expect("addr")).expect("listens");
            addr_tx
                .send(endpoint.local_addr().expect("bound"))
                .expect("sends");
            for options in sessions {
                let Some(result) = link::accept_one(&mut store, &endpoint, options).await else {
                    break;
                };
                if tx.send(result).is_err() {
                    break;
                }
            }
        });
    });
    (addr_rx.recv().expect("address"), rx)
}

/// Raw quinn: `bytes` on one stream, 256 KiB writes, same TLS set-up.
/// Raw quinn moving `bytes` on one stream, laid out as the sync is: the
/// receiving end on a thread and runtime of its own (as the companion's
/// server), the sending end on another runtime of two workers (as the
/// tablet's sync). With `to_file`, the receiver also writes what it reads
/// to a file there (as the companion must, to resume a cut transfer).
fn raw_quinn(bytes: u64, to_file: Option<&std::path::Path>) -> Duration {
    let mut file = to_file.map(|p| std::fs::File::create(p).expect("creates"));
    let dir = tempfile::tempdir().expect("dir");
    let mut server_store = store(&dir.path().join("s"));
    let mut client_store = store(&dir.path().join("c"));
    let server_id = server_store.device_identity().expect("id");
    let client_id = client_store.device_identity().expect("id");
    let (addr_tx, addr_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let server = link::endpoint(&mut server_store, "127.0.0.1:0".parse().expect("addr"))
                .expect("ok");
            addr_tx
                .send(server.local_addr().expect("bound"))
                .expect("sends");
            let conn = server
                .accept()
                .await
                .expect("incoming")
                .await
                .expect("conn");
            let (_send, mut recv) = conn.accept_bi().await.expect("stream");
            let mut buf = vec![0u8; 256 * 1024];
            let mut got = 0u64;
            while let Some(n) = recv.read(&mut buf).await.expect("reads") {
                if let Some(f) = &mut file {
                    std::io::Write::write_all(f, &buf[..n]).expect("writes");
                }
                got += n as u64;
            }
            (got, Instant::now())
        })
    });
    let addr = addr_rx.recv().expect("the server listens");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let start = rt.block_on(async {
        let crypto = tls::client_config(&client_id.tls, server_id.tls.fingerprint()).expect("tls");
        let quic = quinn::crypto::rustls::QuicClientConfig::try_from(crypto).expect("quic");
        let mut config = quinn::ClientConfig::new(Arc::new(quic));
        let mut transport = quinn::TransportConfig::default();
        transport
            .stream_receive_window((8u32 << 20).into())
            .send_window(16 << 20);
        config.transport_config(Arc::new(transport));
        let mut client = quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("ok");
        client.set_default_client_config(config);
        let conn = client
            .connect(addr, tls::SERVER_NAME)
            .expect("connects")
            .await
            .expect("handshake");
        let (mut send, _recv) = conn.open_bi().await.expect("stream");
        // From the first byte, as the sealed transfer is timed from its offer.
        let start = Instant::now();
        let chunk = vec![0x5Au8; 256 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            send.write_all(&chunk[..n]).await.expect("writes");
            left -= n as u64;
        }
        send.finish().expect("finishes");
        // Keep the connection until the reader has everything.
        let _ = send.stopped().await;
        start
    });
    let (got, end) = reader.join().expect("the reader ends");
    assert_eq!(got, bytes);
    end - start
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

/// Rounds of the sealed transfer and raw quinn, alternated so that both see
/// the same state of the machine; the figures are the rounds' medians.
const ROUNDS: usize = 5;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let mut tablet = store(&dir.path().join("tablet"));
    let mut companion_store = store(&dir.path().join("companion"));
    let tablet_peer = peer(&mut tablet, PeerKind::Tablet, None);
    companion_store.add_peer(&tablet_peer).expect("pairs");
    let mut to = peer(&mut companion_store, PeerKind::Companion, None);

    tablet
        .set_media_limits(MediaLimits {
            max_video_bytes: 2 * VIDEO_BYTES as u64,
            ..MediaLimits::default()
        })
        .expect("limits");
    let first_case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let half = Options {
        cut_after_bytes: Some(VIDEO_BYTES as u64 / 2),
        ..Options::default()
    };
    let mut plan = vec![Options::default(); ROUNDS];
    plan.extend([half.clone(), Options::default()]);
    let (addr, sessions) = companion(companion_store, plan);
    to.address = Some(addr.to_string());
    tablet.add_peer(&to).expect("pairs");

    // 1. Full syncs of one large bundle each, against raw quinn.
    let (mut sealed, mut raw, mut raw_to_disk, mut ratios) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut import_ms, mut bundle_bytes) = (Vec::new(), 0);
    println!("round   sealed MB/s   raw MB/s   raw→file MB/s   ratio");
    for round in 1..=ROUNDS {
        let size = add_and_seal(&mut tablet, first_case, &to);
        bundle_bytes = size;
        let report = tsunagi_app::sync::sync(&mut tablet).expect("syncs");
        assert_eq!(report.delivered, 1);
        let session = sessions.recv().expect("a session").expect("served");
        let s = mb_s(size, session.transfer_time);
        let r = mb_s(size, raw_quinn(size, None));
        let f = mb_s(size, raw_quinn(size, Some(&dir.path().join("raw.bin"))));
        println!("{round:5} {s:13.1} {r:10.1} {f:15.1} {:7.2}×", s / r);
        sealed.push(s);
        raw.push(r);
        raw_to_disk.push(f);
        ratios.push(s / r);
        import_ms.push(session.import_time.as_secs_f64() * 1e3);
    }
    println!(
        "bundle: {:.1} MB; medians of {ROUNDS} rounds:",
        bundle_bytes as f64 / 1e6
    );
    println!(
        "raw quinn, one stream:                       {:8.1} MB/s",
        median(raw)
    );
    println!(
        "raw quinn, the receiver writing to a file:   {:8.1} MB/s",
        median(raw_to_disk)
    );
    println!(
        "sealed transfer (offer → last byte on disk):  {:8.1} MB/s  ratio {:.2}×",
        median(sealed),
        median(ratios)
    );
    println!(
        "verify + import of a bundle:                 {:8.0} ms",
        median(import_ms)
    );

    // 2. A cut half-way: what is sent again.
    let size = add_and_seal(&mut tablet, first_case, &to);
    let report = tsunagi_app::sync::sync(&mut tablet).expect("syncs after the cut");
    assert_eq!(report.delivered, 1);
    let cut = sessions.recv().expect("a session");
    assert!(cut.is_err(), "the first session was not cut");
    let resumed = sessions.recv().expect("a session").expect("served");
    let received = half.cut_after_bytes.expect("set") + resumed.bytes_received;
    println!(
        "cut at {:.1} MB of {:.1} MB: bytes sent again after the cut: {} (one chunk is {})",
        half.cut_after_bytes.expect("set") as f64 / 1e6,
        size as f64 / 1e6,
        received.saturating_sub(size),
        tsunagi_core::link::wire::CHUNK_SIZE
    );
    drop(dir);
}
