//! Reference releases travel with docking, over real QUIC on loopback: the
//! companion (in this process) offers the signed release it uses; a tablet
//! with an older one fetches and installs it after its sync and then
//! uses it; a release whose publisher the tablet does not trust is never
//! installed, and the sync still succeeds.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, mpsc};

use tsunagi_companion::link::{self, Options};
use tsunagi_core::model::demo_cases;
use tsunagi_core::reference::release::{self, PublisherKey, Publishers, SIGNATURE_FILE};
use tsunagi_core::reference::{DISEASES_FILE, OCCUPATIONS_FILE, ReferenceDb, Trust, UPDATE_FOLDER};
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{KdfParams, MemoryKeychain, Store, StoreOptions};
use tsunagi_tests::PASSWORD;

/// A version newer than the built-in one, plausible today.
fn version() -> String {
    format!("{}.99", time::OffsetDateTime::now_utc().year())
}

fn store(dir: &Path) -> Store {
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

/// A publisher no build trusts, and a trust in it alone.
fn test_trust() -> (PublisherKey, Trust) {
    let key = PublisherKey::from_hex(&"3c".repeat(32)).expect("a key");
    let trust = Trust {
        publishers: Publishers::from_keys([key.public()]),
        today: time::OffsetDateTime::now_utc().date(),
    };
    (key, trust)
}

/// Installs the built-in release, renumbered [`version`] and signed by
/// `key`, in the data folder `data`.
fn install_newer(data: &Path, key: &PublisherKey, trust: &Trust) {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/reference");
    let renumbered = |file: &str| {
        let text = std::fs::read_to_string(assets.join(file)).expect("reads");
        let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
        json["version"] = version().into();
        json.to_string()
    };
    let (diseases, occupations) = (renumbered(DISEASES_FILE), renumbered(OCCUPATIONS_FILE));
    let source = data.with_file_name("release");
    std::fs::create_dir_all(&source).expect("makes");
    std::fs::write(source.join(DISEASES_FILE), &diseases).expect("writes");
    std::fs::write(source.join(OCCUPATIONS_FILE), &occupations).expect("writes");
    let signature = release::sign(key, &diseases, &occupations).expect("signs");
    std::fs::write(source.join(SIGNATURE_FILE), signature).expect("writes");
    ReferenceDb::install_update_with(&source, &data.join(UPDATE_FOLDER), trust)
        .expect("the office installs it");
}

/// The companion serving `connections` connections with `options` on a
/// thread of its own; its address.
fn serve(mut companion: Store, options: Options, connections: usize) -> SocketAddr {
    let (addr_tx, addr_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let endpoint = link::endpoint(&mut companion, "127.0.0.1:0".parse().expect("addr"))
                .expect("listens");
            addr_tx
                .send(endpoint.local_addr().expect("bound"))
                .expect("sends");
            for _ in 0..connections {
                let _ = link::accept_one(&mut companion, &endpoint, options.clone()).await;
            }
        });
    });
    addr_rx.recv().expect("address")
}

/// Pairs the companion with the tablet; the companion as the tablet will
/// pair with it, once its address is known.
fn pair(tablet: &mut Store, companion: &mut Store) -> Peer {
    let t = tablet.device_identity().expect("identity");
    companion
        .add_peer(&Peer {
            fingerprint: t.tls.fingerprint(),
            kind: PeerKind::Tablet,
            signer: t.keys.signer(),
            recipient: t.keys.recipient(),
            address: None,
            paired_at: tsunagi_core::rfc3339::Timestamp::now(),
        })
        .expect("pairs");
    let c = companion.device_identity().expect("identity");
    Peer {
        fingerprint: c.tls.fingerprint(),
        kind: PeerKind::Companion,
        signer: c.keys.signer(),
        recipient: c.keys.recipient(),
        address: None,
        paired_at: tsunagi_core::rfc3339::Timestamp::now(),
    }
}

#[test]
fn a_docking_tablet_installs_the_offices_newer_signed_release_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (key, trust) = test_trust();
    let mut tablet = store(&dir.path().join("tablet"));
    let mut companion = store(&dir.path().join("office").join("data"));
    tablet.create_case(&demo_cases()[0]).expect("a case");
    install_newer(companion.dir(), &key, &trust);
    let mut office = pair(&mut tablet, &mut companion);
    // Three connections: the first sync, its release, the second sync.
    let addr = serve(
        companion,
        Options {
            trust: trust.clone(),
            ..Options::default()
        },
        3,
    );
    office.address = Some(addr.to_string());
    tablet.add_peer(&office).expect("pairs");

    let report = tsunagi_app::sync::sync_trusting(&mut tablet, &trust, &mut |_| {}).expect("syncs");
    assert_eq!(report.delivered, 1);
    assert_eq!(report.reference, Some(version()), "{report:?}");
    let in_use =
        ReferenceDb::load_with(Some(&tablet.dir().join(UPDATE_FOLDER)), &trust).expect("loads");
    assert_eq!(in_use.version().as_str(), version());

    // Offered again at the next dock, it is already in use: not fetched.
    let again = tsunagi_app::sync::sync_trusting(&mut tablet, &trust, &mut |_| {}).expect("syncs");
    assert_eq!(again.reference, None);
    assert_eq!(again.reference_problem, None);
}

#[test]
fn a_release_the_tablet_does_not_trust_is_never_installed_and_the_sync_still_succeeds() {
    let dir = tempfile::tempdir().expect("dir");
    let (key, trust) = test_trust();
    let mut tablet = store(&dir.path().join("tablet"));
    let mut companion = store(&dir.path().join("office").join("data"));
    tablet.create_case(&demo_cases()[0]).expect("a case");
    install_newer(companion.dir(), &key, &trust);
    let mut office = pair(&mut tablet, &mut companion);
    let addr = serve(
        companion,
        Options {
            trust,
            ..Options::default()
        },
        2,
    );
    office.address = Some(addr.to_string());
    tablet.add_peer(&office).expect("pairs");

    // The tablet trusts only this build's publishers.
    let report = tsunagi_app::sync::sync_with(&mut tablet, &mut |_| {}).expect("syncs");
    assert_eq!(report.delivered, 1, "the cases still go");
    assert_eq!(report.reference, None);
    let problem = report.reference_problem.expect("said why");
    assert!(
        problem.contains("共有データベースを取り込めませんでした"),
        "{problem}"
    );
    assert!(!tablet.dir().join(UPDATE_FOLDER).exists());
    assert_eq!(
        ReferenceDb::load_installed(tablet.dir())
            .expect("loads")
            .version(),
        ReferenceDb::bundled().expect("bundled").version()
    );
}
