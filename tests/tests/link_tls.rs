//! The companion's server in this process over real QUIC on loopback, with
//! clients that are not what they claim: a certificate copied without its
//! key, and a device that was never paired; and a paired tablet coming back
//! on a new connection while the companion still holds its old one.

use std::net::SocketAddr;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use tsunagi_companion::link::{self, Options, Session};
use tsunagi_core::link::wire::{Chunk, Frame, Message};
use tsunagi_core::link::{Fingerprint, TlsIdentity, tls};
use tsunagi_core::seal::BundleId;
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{CaseQuery, KdfParams, MemoryKeychain, Store, StoreOptions};
use tsunagi_tests::PASSWORD;

fn store(dir: &std::path::Path) -> Store {
    Store::create(
        dir,
        Arc::new(MemoryKeychain::default()),
        "admin",
        PASSWORD,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("creates")
    .0
}

/// Runs `serve` with the companion's endpoint (on loopback) on a runtime
/// of a thread of its own; returns the address it listens on.
fn on_its_own_thread<F, Fut>(mut store: Store, serve: F) -> SocketAddr
where
    F: FnOnce(Store, quinn::Endpoint) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (addr_tx, addr_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let endpoint =
                link::endpoint(&mut store, "127.0.0.1:0".parse().expect("addr")).expect("listens");
            addr_tx
                .send(endpoint.local_addr().expect("bound"))
                .expect("sends");
            serve(store, endpoint).await;
        });
    });
    addr_rx.recv().expect("address")
}

/// A companion serving one connection on its own thread; its store comes
/// back with the session's result.
fn companion(store: Store) -> (SocketAddr, mpsc::Receiver<(anyhow::Result<Session>, Store)>) {
    let (tx, rx) = mpsc::channel();
    let addr = on_its_own_thread(store, move |mut store, endpoint| async move {
        let result = link::accept_one(&mut store, &endpoint, Options::default())
            .await
            .expect("a connection");
        let _ = tx.send((result, store));
    });
    (addr, rx)
}

/// Connects with `config`, says hello, and returns the first answer (or the
/// failure as text).
fn hello(config: rustls::ClientConfig, addr: SocketAddr) -> Result<Frame, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let quic = quinn::crypto::rustls::QuicClientConfig::try_from(config).expect("quic");
        let mut client = quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("ok");
        client.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic)));
        let attempt = async {
            let conn = client
                .connect(addr, tls::SERVER_NAME)
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())?;
            let (mut send, mut recv) = conn.open_bi().await.map_err(|e| e.to_string())?;
            send.write_all(&Frame::Message(Message::Hello).encode())
                .await
                .map_err(|e| e.to_string())?;
            let frame = link::read_frame(&mut recv)
                .await
                .map_err(|e| format!("{e:#}"))?
                .ok_or("no answer")?;
            conn.close(0u32.into(), b"bye");
            Ok(frame)
        };
        tokio::time::timeout(Duration::from_secs(20), attempt)
            .await
            .unwrap_or_else(|_| Err("timed out".into()))
    })
}

fn paired_pair() -> (tempfile::TempDir, Store, TlsIdentity, Fingerprint) {
    let dir = tempfile::tempdir().expect("dir");
    let mut tablet = store(&dir.path().join("tablet"));
    let mut companion = store(&dir.path().join("companion"));
    let t = tablet.device_identity().expect("identity");
    companion
        .add_peer(&Peer {
            fingerprint: t.tls.fingerprint(),
            kind: PeerKind::Tablet,
            signer: t.keys.signer(),
            recipient: t.keys.recipient(),
            address: None,
            paired_at: tsunagi_core::rfc3339::Timestamp::parse("2026-01-01T00:00:00Z")
                .expect("a time"),
        })
        .expect("pairs");
    let fp = companion
        .device_identity()
        .expect("identity")
        .tls
        .fingerprint();
    (dir, companion, t.tls, fp)
}

#[derive(Debug)]
struct CopiedCertificate(Arc<CertifiedKey>);

impl ResolvesClientCert for CopiedCertificate {
    fn resolve(
        &self,
        _hints: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[test]
fn the_paired_tablet_is_welcomed() {
    let (_dir, companion_store, tablet_tls, fp) = paired_pair();
    let (addr, done) = companion(companion_store);
    let config = tls::client_config(&tablet_tls, fp).expect("tls");
    let answer = hello(config, addr).expect("answered");
    assert!(
        matches!(answer, Frame::Message(Message::Welcome { .. })),
        "{answer:?}"
    );
    drop(done);
}

#[test]
fn a_copied_certificate_without_its_key_fails_the_handshake() {
    let (_dir, companion_store, tablet_tls, fp) = paired_pair();
    let (addr, done) = companion(companion_store);
    // The paired tablet's certificate, signed for with another key.
    let thief = TlsIdentity::generate("tsunagi");
    let key = rustls::crypto::ring::default_provider()
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            thief.key_der.to_vec(),
        )))
        .expect("a key");
    let certified = CertifiedKey::new(vec![CertificateDer::from(tablet_tls.cert_der.clone())], key);
    let config =
        tls::client_config_with_resolver(Arc::new(CopiedCertificate(Arc::new(certified))), fp)
            .expect("tls");
    let answer = hello(config, addr);
    assert!(
        answer.is_err(),
        "a copied certificate was answered: {answer:?}"
    );
    let (result, mut store) = done.recv_timeout(Duration::from_secs(30)).expect("served");
    let err = result.expect_err("the companion refused it");
    assert!(format!("{err:#}").contains("handshake failed"), "{err:#}");
    assert!(
        store
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .is_empty()
    );
}

#[test]
fn a_device_that_was_never_paired_is_refused_before_anything_moves() {
    let (_dir, companion_store, _tablet_tls, fp) = paired_pair();
    let (addr, done) = companion(companion_store);
    let stranger = TlsIdentity::generate("tsunagi");
    let config = tls::client_config(&stranger, fp).expect("tls");
    match hello(config, addr).expect("answered") {
        Frame::Message(Message::Refused { reason }) => {
            assert!(reason.contains("not paired"), "{reason}")
        }
        other => panic!("an unpaired device got {other:?}"),
    }
    let (result, _store) = done.recv_timeout(Duration::from_secs(30)).expect("served");
    assert!(result.expect("a session").summary.contains("refused"));
}

#[test]
fn a_companion_with_another_certificate_is_not_trusted() {
    let (_dir, companion_store, tablet_tls, _fp) = paired_pair();
    let (addr, done) = companion(companion_store);
    let config = tls::client_config(&tablet_tls, Fingerprint([1; 32])).expect("tls");
    let answer = hello(config, addr);
    assert!(
        answer.is_err(),
        "an unpinned companion was trusted: {answer:?}"
    );
    drop(done);
}

/// A companion serving every connection at once (as `serve` and the window
/// do) on its own thread; each connection's outcome comes back in words.
fn serving(store: Store) -> (SocketAddr, mpsc::Receiver<String>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let addr = on_its_own_thread(store, move |store, endpoint| async move {
        link::serve(&store, endpoint, move |result| {
            let line = match result {
                Ok(session) => session.summary,
                Err(e) => format!("{e:#}"),
            };
            let _ = tx.lock().expect("not poisoned").send(line);
        })
        .await
        .expect("serves");
    });
    (addr, rx)
}

/// Strangers on the LAN holding connections to `addr` until `release`
/// is dropped: one says nothing at all (kept alive by QUIC keep-alives),
/// one opens its stream and announces a huge first frame it never sends.
fn strangers(addr: SocketAddr, fp: Fingerprint, release: mpsc::Receiver<()>) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut transport = quinn::TransportConfig::default();
            transport.keep_alive_interval(Some(Duration::from_millis(500)));
            let transport = Arc::new(transport);
            let mut held = Vec::new();
            for announce in [false, true] {
                let stranger = TlsIdentity::generate("tsunagi");
                let config = tls::client_config(&stranger, fp).expect("tls");
                let quic = quinn::crypto::rustls::QuicClientConfig::try_from(config).expect("quic");
                let mut client_config = quinn::ClientConfig::new(Arc::new(quic));
                client_config.transport_config(Arc::clone(&transport));
                let mut client =
                    quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("ok");
                client.set_default_client_config(client_config);
                let conn = client
                    .connect(addr, tls::SERVER_NAME)
                    .expect("connects")
                    .await
                    .expect("the handshake succeeds: any certificate gets that far");
                if announce {
                    let (mut send, recv) = conn.open_bi().await.expect("a stream");
                    send.write_all(&(1u32 << 20).to_be_bytes())
                        .await
                        .expect("writes");
                    held.push((client, conn, Some((send, recv))));
                } else {
                    held.push((client, conn, None));
                }
            }
            let _ = tokio::task::spawn_blocking(move || release.recv()).await;
            drop(held);
        });
    });
}

#[test]
fn strangers_holding_connections_do_not_stop_a_paired_tablet_from_docking() {
    let (_dir, companion_store, tablet_tls, fp) = paired_pair();
    let (addr, reports) = serving(companion_store);
    let (release, hold) = mpsc::channel::<()>();
    strangers(addr, fp, hold);
    std::thread::sleep(Duration::from_millis(500));

    // While both strangers hold their connections, the tablet is welcomed.
    let config = tls::client_config(&tablet_tls, fp).expect("tls");
    let answer = hello(config, addr).expect("the paired tablet is answered");
    assert!(
        matches!(answer, Frame::Message(Message::Welcome { .. })),
        "{answer:?}"
    );

    // Each stranger is turned away with a reason, while still connected.
    let mut said = Vec::new();
    while said.len() < 3 {
        said.push(
            reports
                .recv_timeout(Duration::from_secs(60))
                .expect("every connection ends"),
        );
    }
    drop(release);
    assert!(
        said.iter().any(|s| s.contains("did not introduce itself")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.contains("more than it may")),
        "{said:?}"
    );
}

/// A paired tablet's connection, welcomed: its endpoint, the connection and
/// its stream.
async fn welcomed(
    tls: &TlsIdentity,
    fp: Fingerprint,
    addr: SocketAddr,
) -> (
    quinn::Endpoint,
    quinn::Connection,
    quinn::SendStream,
    quinn::RecvStream,
) {
    let config = tls::client_config(tls, fp).expect("tls");
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(config).expect("quic");
    let mut client = quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("ok");
    client.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic)));
    let conn = client
        .connect(addr, tls::SERVER_NAME)
        .expect("connects")
        .await
        .expect("the handshake succeeds");
    let (mut send, mut recv) = conn.open_bi().await.expect("a stream");
    send.write_all(&Frame::Message(Message::Hello).encode())
        .await
        .expect("writes");
    let answer = link::read_frame(&mut recv).await.expect("reads");
    assert!(
        matches!(answer, Some(Frame::Message(Message::Welcome { .. }))),
        "{answer:?}"
    );
    (client, conn, send, recv)
}

/// Offers `bundle` of `size` bytes and returns the offset the companion
/// asks to resume from, or what it said instead.
async fn offer(
    send: &mut quinn::SendStream,
    recv: &mut quinn::RecvStream,
    bundle: BundleId,
    size: u64,
) -> Result<u64, String> {
    let offer = Message::Offer {
        bundle: bundle.to_string(),
        size,
        sha256: "0".repeat(64),
    };
    send.write_all(&Frame::Message(offer).encode())
        .await
        .map_err(|e| e.to_string())?;
    match link::read_frame(recv).await {
        Ok(Some(Frame::Message(Message::Have { offset, .. }))) => Ok(offset),
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(format!("{e:#}")),
    }
}

#[test]
fn a_tablet_back_on_a_new_connection_takes_over_its_bundle_at_once() {
    let (_dir, companion_store, tablet_tls, fp) = paired_pair();
    let (addr, reports) = serving(companion_store);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let bundle = BundleId([7; 32]);
        // The first connection sends 1,000 bytes of 4,000, then goes quiet
        // (the tablet lost its Wi-Fi; to the companion it is still there).
        let (_old_client, old, mut old_send, mut old_recv) = welcomed(&tablet_tls, fp, addr).await;
        let from = offer(&mut old_send, &mut old_recv, bundle, 4000).await;
        assert_eq!(from, Ok(0));
        let chunk = Chunk {
            bundle,
            offset: 0,
            data: vec![1; 1000],
        };
        old_send
            .write_all(&Frame::Chunk(chunk).encode())
            .await
            .expect("writes");
        tokio::time::sleep(Duration::from_millis(500)).await;

        // Back on a new connection, the same tablet offers the bundle again:
        // it is told to go on from the byte the first connection reached,
        // at once, and the first connection is closed by the companion.
        let (_client, _new, mut send, mut recv) = welcomed(&tablet_tls, fp, addr).await;
        let asked = std::time::Instant::now();
        let from = tokio::time::timeout(
            Duration::from_secs(4),
            offer(&mut send, &mut recv, bundle, 4000),
        )
        .await
        .expect("answered before the old connection would have timed out");
        assert_eq!(from, Ok(1000), "resumes where the old connection stopped");
        assert!(asked.elapsed() < Duration::from_secs(4));
        let closed = tokio::time::timeout(Duration::from_secs(4), old.closed())
            .await
            .expect("the old connection is closed");
        assert!(
            matches!(closed, quinn::ConnectionError::ApplicationClosed(_)),
            "{closed:?}"
        );
    });
    let said = reports
        .recv_timeout(Duration::from_secs(20))
        .expect("the old connection's end is reported");
    assert!(said.contains("the link was cut"), "{said}");
}
