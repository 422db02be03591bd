//! Link benchmark on a Wi-Fi-like path: the tablet and the office in two
//! network namespaces joined by a veth rate limited to 100 Mbit/s each way
//! (tbf), with 10 ms of delay each way (20 ms round trip) and 1 % random
//! loss each way added by a userspace relay ([`relay`]; this kernel has no
//! netem). On that path, in the same run:
//!
//! 1. rounds, alternated, of the tablet's sync driver sending a case with a
//!    video of N MB (default 100; `LINK_PATH_MB`) to the companion's server
//!    (`link::serve`), and raw quinn moving the same bytes on one stream
//!    with the link's own TLS and transport settings; figures are medians;
//! 2. a sync with a 10 s outage (everything dropped both ways) half-way:
//!    the bytes sent again and the time from the end of the outage to the
//!    first new bundle data landing on the companion's disk; done with the
//!    link's settings, then with the companion's idle timeout at 5 s (the
//!    two ends use the lower of their idle timeouts);
//! 3. raw quinn with the congestion controllers and windows tried.
//!
//! Needs root (namespaces, veth, tc); they are removed when it ends, also on
//! failure.
//!
//! `cargo bench -p tsunagi-companion --bench link_path`

mod netns;
mod relay;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quinn::congestion::{BbrConfig, CubicConfig, NewRenoConfig};
use relay::{DOWN, Impairment, Relay, UP};
use tsunagi_companion::inbox;
use tsunagi_companion::link::{self, Session};
use tsunagi_core::link::wire::CHUNK_SIZE;
use tsunagi_core::link::{TlsIdentity, quic, tls};
use tsunagi_core::media::{MediaLimits, VideoInfo, fixtures};
use tsunagi_core::model::{CaseId, demo_cases};
use tsunagi_core::seal::BundleId;
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{KdfParams, MediaDetails, MemoryKeychain, Store, StoreOptions};

const PW: &str = "correct horse battery";
const MB: u64 = 1_000_000;
/// Rounds of part 1.
const ROUNDS: usize = 3;
/// The outage of part 2.
const OUTAGE: Duration = Duration::from_secs(10);
/// Bytes each raw quinn variant of part 3 moves.
const COMPARE_BYTES: u64 = 20 * MB;
/// The relay's port on the office's veth address.
const RELAY_PORT: u16 = 47_900;
/// 100 Mbit/s each way, bursts of 64 KB, and a queue of about one
/// bandwidth-delay product (100 Mbit/s × 20 ms = 250 KB) before tbf drops.
const TBF: &[&str] = &["rate", "100mbit", "burst", "64kb", "latency", "20ms"];
const IMPAIRMENT: Impairment = Impairment {
    delay: Duration::from_millis(10),
    loss: 0.01,
    seed: 0x7473_756e_6167_6921,
};
/// The longest any one step may take before the run is called failed.
const STEP_LIMIT: Duration = Duration::from_secs(300);

fn store(dir: &Path) -> Store {
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

/// Adds a video of `bytes` to `case` and seals the change for `to`: the
/// bundle's size and id.
fn add_and_seal(tablet: &mut Store, case: CaseId, to: &Peer, bytes: u64) -> (u64, BundleId) {
    let mp4 = fixtures::minimal_mp4(60_000, bytes as usize);
    tablet
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
    let sealed = tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("a bundle")
        .outgoing;
    (sealed.size, sealed.id)
}

/// The companion's real server (`link::serve`) on the office's loopback,
/// behind the relay; each connection's result comes back on `sessions`.
struct Server {
    addr: SocketAddr,
    endpoint: quinn::Endpoint,
    sessions: mpsc::Receiver<anyhow::Result<Session>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// With the link's settings, or with `transport` instead.
    fn start(mut store: Store, transport: Option<quinn::TransportConfig>) -> Self {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (tx, sessions) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            netns::enter(netns::OFFICE);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let identity = store.device_identity().expect("identity");
                let mut config = quic::server_config(&identity.tls).expect("config");
                if let Some(t) = transport {
                    config.transport_config(Arc::new(t));
                }
                let endpoint =
                    quinn::Endpoint::server(config, ([127, 0, 0, 1], 0).into()).expect("listens");
                ready_tx
                    .send((endpoint.local_addr().expect("bound"), endpoint.clone()))
                    .expect("sends");
                link::serve(&store, endpoint, move |result| {
                    let _ = tx.send(result);
                })
                .await
                .expect("serves");
            });
        });
        let (addr, endpoint) = ready_rx.recv().expect("the companion listens");
        Self {
            addr,
            endpoint,
            sessions,
            thread: Some(thread),
        }
    }

    /// Waits for the session that imported a bundle; also returns how many
    /// connections ended in error before it or soon after.
    fn imported(&self) -> (Session, usize) {
        let mut failed = 0;
        let session = loop {
            match self.sessions.recv_timeout(STEP_LIMIT) {
                Ok(Ok(s)) if s.imported > 0 => break s,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    println!("  companion: a connection ended: {e:#}");
                    failed += 1;
                }
                Err(e) => panic!("no session imported the bundle: {e}"),
            }
        };
        while let Ok(other) = self.sessions.recv_timeout(Duration::from_secs(1)) {
            if let Err(e) = other {
                println!("  companion: a connection ended: {e:#}");
                failed += 1;
            }
        }
        (session, failed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.endpoint.close(0u32.into(), b"done");
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `f` on a thread in namespace `ns`.
fn in_ns<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            netns::enter(ns);
            f()
        })
        .join()
        .expect("the thread ends")
    })
}

/// The tablet's sync, on a thread in the tablet's namespace: what it
/// reported and how many chunks it handed to QUIC.
fn sync(tablet: &mut Store) -> (tsunagi_app::sync::SyncReport, u64) {
    let mut calls = 0u64;
    let report = tsunagi_app::sync::sync_with(tablet, &mut |_| calls += 1).expect("syncs");
    // Progress is told after every chunk and after every acknowledgement.
    (report.clone(), calls - report.delivered as u64)
}

/// Bytes in chunks handed to QUIC beyond those of one copy of the bundle.
fn chunks_again(chunks: u64, size: u64) -> u64 {
    chunks.saturating_sub(size.div_ceil(CHUNK_SIZE)) * CHUNK_SIZE
}

/// The two ends' TLS identities for raw quinn.
struct Ids {
    server: TlsIdentity,
    client: TlsIdentity,
}

/// Raw quinn moving `bytes` on one stream over the path with `transport`
/// at both ends and the link's TLS, laid out as the sync is: the reader on a
/// runtime in the office's namespace, the writer on a runtime of two workers
/// in the tablet's; timed from the first byte written to the last read.
fn raw_quinn(
    bytes: u64,
    ids: &Ids,
    relay: &Relay,
    transport: fn() -> quinn::TransportConfig,
) -> Duration {
    let (addr_tx, addr_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let reader = s.spawn(move || {
            netns::enter(netns::OFFICE);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut config = quic::server_config(&ids.server).expect("config");
                config.transport_config(Arc::new(transport()));
                let server =
                    quinn::Endpoint::server(config, ([127, 0, 0, 1], 0).into()).expect("listens");
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
                    got += n as u64;
                }
                (got, Instant::now())
            })
        });
        relay.set_target(addr_rx.recv().expect("the server listens"));
        let start = in_ns(netns::TABLET, || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut config =
                    quic::client_config(&ids.client, ids.server.fingerprint()).expect("config");
                config.transport_config(Arc::new(transport()));
                let mut client =
                    quinn::Endpoint::client(([0, 0, 0, 0], 0).into()).expect("a socket");
                client.set_default_client_config(config);
                let conn = client
                    .connect(relay.addr, tls::SERVER_NAME)
                    .expect("connects")
                    .await
                    .expect("handshake");
                let (mut send, _recv) = conn.open_bi().await.expect("stream");
                let start = Instant::now();
                let chunk = vec![0x5Au8; CHUNK_SIZE as usize];
                let mut left = bytes;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    send.write_all(&chunk[..n]).await.expect("writes");
                    left -= n as u64;
                }
                send.finish().expect("finishes");
                let _ = send.stopped().await;
                start
            })
        });
        let (got, end) = reader.join().expect("the reader ends");
        assert_eq!(got, bytes);
        end - start
    })
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// What a sync with an outage half-way did.
struct OutageRun {
    /// Connections the companion saw end in error (0: the connection rode
    /// the outage out).
    failed_connections: usize,
    /// Outage end → first datagram through to the office.
    first_datagram: Option<Duration>,
    /// Outage end → the companion's partial file grew.
    resumed: Duration,
    /// Bundle bytes the companion received more than once.
    received_twice: u64,
    /// Bundle bytes the tablet handed to QUIC more than once.
    handed_again: u64,
    /// Bytes the outage dropped towards the office.
    blacked_out: u64,
    /// The whole sync, outage included.
    whole: Duration,
}

fn outage_run(
    tablet: &mut Store,
    case: CaseId,
    to: &Peer,
    bytes: u64,
    server: &Server,
    relay: &Relay,
    peer_dir: &Path,
) -> OutageRun {
    let (size, bundle) = add_and_seal(tablet, case, to, bytes);
    let part: PathBuf = inbox::partial_file(peer_dir, bundle);
    let held = || std::fs::metadata(&part).map_or(0, |m| m.len());
    let blacked_before =
        relay.counters().blacked_out[UP].load(std::sync::atomic::Ordering::Relaxed);
    let began = Instant::now();
    let (chunks, end, at_end, resumed, whole) = std::thread::scope(|s| {
        let syncing = s.spawn(|| in_ns(netns::TABLET, || sync(tablet)));
        let limit = Instant::now() + STEP_LIMIT;
        while held() < size / 2 {
            assert!(Instant::now() < limit, "the sync did not reach half-way");
            std::thread::sleep(Duration::from_millis(1));
        }
        let end = relay.outage(OUTAGE);
        std::thread::sleep(end.saturating_duration_since(Instant::now()));
        let at_end = held();
        let resumed = loop {
            if held() > at_end {
                break Instant::now();
            }
            assert!(Instant::now() < end + STEP_LIMIT, "the sync did not resume");
            std::thread::sleep(Duration::from_millis(1));
        };
        let (report, chunks) = syncing.join().expect("the sync ends");
        assert_eq!(report.delivered, 1);
        (chunks, end, at_end, resumed, began.elapsed())
    });
    let (session, failed) = server.imported();
    // A new connection starts from what the companion held at the outage's
    // end; the same connection from the start.
    let start_offset = if failed == 0 { 0 } else { at_end };
    OutageRun {
        failed_connections: failed,
        first_datagram: relay
            .first_after_outage()
            .map(|t| t.saturating_duration_since(end)),
        resumed: resumed - end,
        received_twice: (session.bytes_received + start_offset).saturating_sub(size),
        handed_again: chunks_again(chunks, size),
        blacked_out: relay.counters().blacked_out[UP].load(std::sync::atomic::Ordering::Relaxed)
            - blacked_before,
        whole,
    }
}

fn print_outage(label: &str, o: &OutageRun) {
    println!("{label}:");
    println!(
        "  connection: {}",
        if o.failed_connections == 0 {
            "rode the outage out".to_owned()
        } else {
            format!("{} ended, the sync reconnected", o.failed_connections)
        }
    );
    println!(
        "  time to resume (outage end → new bundle data on the companion's disk): {:.0} ms",
        o.resumed.as_secs_f64() * 1e3
    );
    if let Some(d) = o.first_datagram {
        println!(
            "  outage end → first datagram through to the office: {:.0} ms",
            d.as_secs_f64() * 1e3
        );
    }
    println!(
        "  bundle bytes the companion received twice: {} (one chunk is {CHUNK_SIZE})",
        o.received_twice
    );
    println!(
        "  bundle bytes the tablet handed to QUIC again: {}",
        o.handed_again
    );
    println!(
        "  datagram bytes the outage dropped towards the office: {:.2} MB; the whole sync {:.1} s",
        o.blacked_out as f64 / 1e6,
        o.whole.as_secs_f64()
    );
}

fn with_controller(
    factory: Arc<dyn quinn::congestion::ControllerFactory + Send + Sync>,
) -> quinn::TransportConfig {
    let mut t = quic::transport();
    t.congestion_controller_factory(factory);
    t
}

/// A named way to make the transport settings tried.
type MakeTransport = fn() -> quinn::TransportConfig;

fn main() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!(
            "link_path: refusing to run: this benchmark makes two network namespaces, a veth pair and tc qdiscs, which needs root (run it as root, e.g. `sudo -E cargo bench -p tsunagi-companion --bench link_path`)"
        );
        std::process::exit(1);
    }
    let bytes = std::env::var("LINK_PATH_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(100)
        * MB;
    let _path = netns::Path::create(TBF).expect("makes the path");
    println!(
        "path: veth {} ↔ {}, tbf {} each way; relay: {} ms delay each way, {:.0} % loss each way",
        netns::TABLET,
        netns::OFFICE,
        TBF.join(" "),
        IMPAIRMENT.delay.as_millis(),
        IMPAIRMENT.loss * 100.0
    );

    let dir = tempfile::tempdir().expect("dir");
    let mut tablet = store(&dir.path().join("tablet"));
    let mut companion_store = store(&dir.path().join("companion"));
    let tablet_peer = peer(&mut tablet, PeerKind::Tablet, None);
    companion_store.add_peer(&tablet_peer).expect("pairs");
    let mut to = peer(&mut companion_store, PeerKind::Companion, None);
    let peer_dir = inbox::peer_dir(&companion_store.inbox_dir(), &tablet_peer.fingerprint);
    let second_store = companion_store.open_another().expect("opens");
    tablet
        .set_media_limits(MediaLimits {
            max_video_bytes: 2 * bytes,
            ..MediaLimits::default()
        })
        .expect("limits");
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let ids = Ids {
        server: store(&dir.path().join("raw-s"))
            .device_identity()
            .expect("id")
            .tls,
        client: store(&dir.path().join("raw-c"))
            .device_identity()
            .expect("id")
            .tls,
    };

    let server = Server::start(companion_store, None);
    let relay = Relay::start(
        SocketAddr::from((netns::OFFICE_ADDR, RELAY_PORT)),
        server.addr,
        IMPAIRMENT,
    );
    to.address = Some(relay.addr.to_string());
    tablet.add_peer(&to).expect("pairs");

    // 1. The sealed sync against raw quinn, alternated.
    println!("round   sealed MB/s   raw MB/s   ratio   sent again (companion / tablet)");
    let (mut sealed, mut raw, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut bundle = 0;
    for round in 1..=ROUNDS {
        let (size, _) = add_and_seal(&mut tablet, case, &to, bytes);
        bundle = size;
        relay.set_target(server.addr);
        let (report, chunks) = in_ns(netns::TABLET, || sync(&mut tablet));
        assert_eq!(report.delivered, 1);
        let (session, failed) = server.imported();
        let s = mb_s(size, session.transfer_time);
        let r = mb_s(size, raw_quinn(size, &ids, &relay, quic::transport));
        println!(
            "{round:5} {s:13.1} {r:10.1} {:6.2}×   {} / {} bytes{}",
            s / r,
            session.bytes_received.saturating_sub(size),
            chunks_again(chunks, size),
            if failed > 0 { " (reconnected)" } else { "" }
        );
        sealed.push(s);
        raw.push(r);
        ratios.push(s / r);
    }
    println!(
        "bundle {:.1} MB; medians of {ROUNDS} rounds: raw quinn {:.1} MB/s, sealed sync {:.1} MB/s, ratio {:.2}×",
        bundle as f64 / 1e6,
        median(raw),
        median(sealed),
        median(ratios)
    );

    // 2. A 10 s outage half-way.
    relay.set_target(server.addr);
    let o = outage_run(&mut tablet, case, &to, bytes, &server, &relay, &peer_dir);
    print_outage(
        &format!(
            "outage of {} s half-way, the link's settings",
            OUTAGE.as_secs()
        ),
        &o,
    );
    drop(server);
    let mut shorter = quic::transport();
    shorter.max_idle_timeout(Some(Duration::from_secs(5).try_into().expect("5 s")));
    let server = Server::start(second_store, Some(shorter));
    relay.set_target(server.addr);
    let o = outage_run(&mut tablet, case, &to, bytes, &server, &relay, &peer_dir);
    print_outage(
        &format!(
            "outage of {} s half-way, the companion's idle timeout at 5 s",
            OUTAGE.as_secs()
        ),
        &o,
    );
    drop(server);

    // 3. Raw quinn with the controllers tried.
    let variants: [(&str, MakeTransport); 4] = [
        ("the link's settings (BBR)", quic::transport),
        ("BBR, quinn's default windows", || {
            let mut t = quinn::TransportConfig::default();
            t.congestion_controller_factory(Arc::new(BbrConfig::default()));
            t
        }),
        ("Cubic (quinn's default)", || {
            with_controller(Arc::new(CubicConfig::default()))
        }),
        ("NewReno", || {
            with_controller(Arc::new(NewRenoConfig::default()))
        }),
    ];
    println!(
        "raw quinn, {:.0} MB on the path:",
        COMPARE_BYTES as f64 / 1e6
    );
    for (label, transport) in variants {
        let d = raw_quinn(COMPARE_BYTES, &ids, &relay, transport);
        println!("  {label:30} {:8.1} MB/s", mb_s(COMPARE_BYTES, d));
    }

    let c = relay.counters();
    let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "relay: forwarded {:.0} MB up / {:.1} MB down; dropped at random {:.2} % up / {:.2} % down",
        load(&c.forwarded[UP]) as f64 / 1e6,
        load(&c.forwarded[DOWN]) as f64 / 1e6,
        100.0 * load(&c.lost[UP]) as f64 / (load(&c.lost[UP]) + load(&c.forwarded[UP])) as f64,
        100.0 * load(&c.lost[DOWN]) as f64
            / (load(&c.lost[DOWN]) + load(&c.forwarded[DOWN])) as f64,
    );
    for ns in [netns::TABLET, netns::OFFICE] {
        if let Some((input, rcvbuf, sndbuf)) = netns::udp_drops(ns) {
            println!(
                "kernel UDP drops in {ns}: InErrors {input}, RcvbufErrors {rcvbuf}, SndbufErrors {sndbuf}"
            );
        }
    }
    drop(relay);
    drop(dir);
}
