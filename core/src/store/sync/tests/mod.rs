//! The link's store side, tablet and companion in one process: sealing,
//! importing, media, ownership and order, pairing, refusals. Shared set-up
//! here; the tests in the modules below.

use std::sync::Arc;

use super::*;
use crate::model::demo_cases;
use crate::model::{Case, Section};
use crate::seal::{BundleReader, PartKind};
use crate::store::{KdfParams, MemoryKeychain, StoreOptions};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, _) = Store::create(
        dir.path(),
        Arc::new(MemoryKeychain::default()),
        "admin",
        "correct horse battery",
        FAST,
    )
    .expect("creates");
    (dir, store)
}

fn peer_of(store: &mut Store, kind: PeerKind) -> Peer {
    let id = store.device_identity().expect("identity");
    Peer {
        fingerprint: id.tls.fingerprint(),
        kind,
        signer: id.keys.signer(),
        recipient: id.keys.recipient(),
        address: Some("127.0.0.1:1".into()),
        paired_at: crate::rfc3339::Timestamp::now(),
    }
}

fn paired() -> ((tempfile::TempDir, Store), (tempfile::TempDir, Store), Peer) {
    let (td, mut tablet) = store();
    let (cd, mut companion) = store();
    let tablet_peer = peer_of(&mut tablet, PeerKind::Tablet);
    let companion_peer = peer_of(&mut companion, PeerKind::Companion);
    companion.add_peer(&tablet_peer).expect("pairs");
    tablet.add_peer(&companion_peer).expect("pairs");
    ((td, tablet), (cd, companion), companion_peer)
}

fn media_files(store: &Store) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(store.media_dir()) {
        Ok(entries) => entries.map(|e| e.expect("entry").path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Seals what changed, imports it on the companion, marks it delivered;
/// returns the kinds of the bundle's parts.
fn deliver(tablet: &mut Store, companion: &mut Store, to: &Peer) -> Vec<crate::seal::PartKind> {
    let bundle = tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("changes");
    let keys = companion.device_identity().expect("identity").keys;
    let reader = BundleReader::open(
        std::fs::File::open(&bundle.file).expect("opens"),
        &keys,
        &|_| true,
    )
    .expect("a bundle for the companion");
    let kinds = reader.manifest().parts.iter().map(|p| p.kind).collect();
    companion
        .import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
        .expect("imports");
    tablet.mark_delivered(bundle.outgoing.id).expect("marks");
    kinds
}

/// Saves `times` changes to `case`'s basic information on `store`, with
/// `name` as the name.
fn edit(store: &mut Store, case: CaseId, name: &str, times: usize) {
    let mut basic = store.load_case(case).expect("loads").basic;
    basic.name = name.into();
    for n in 0..times {
        basic.address = crate::pii::Identifying::new(format!("番地{n}"));
        store
            .save_section(case, &Section::Basic(basic.clone()))
            .expect("saves");
    }
}

/// What `companion` makes of the changes `tablet` seals for it.
fn offer(tablet: &mut Store, companion: &mut Store, to: &Peer) -> Result<Imported, SyncError> {
    let bundle = tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("changes");
    companion.import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
}

fn name_on(store: &mut Store, case: CaseId) -> String {
    store
        .load_case(case)
        .expect("loads")
        .basic
        .name
        .expose()
        .clone()
}

/// Stores `case` under its own id, as a misbehaving tablet could.
fn create_with_id(store: &mut Store, case: &Case) {
    let at = now();
    let tx = store.conn.unchecked_transaction().expect("begins");
    tx.execute(
        "INSERT INTO cases (id, created_at, created_by, updated_at, stage) VALUES (?1, ?2, 'admin', ?2, ?3)",
        params![case.id.to_string(), at, crate::store::stage_key(case.stage)],
    )
    .expect("inserts");
    for section in case.sections() {
        crate::store::cases::write_section(&tx, case.id, &section, "admin", &at).expect("writes");
    }
    tx.commit().expect("commits");
}

/// The cases a sealed bundle for `companion` carries, and how many media
/// parts.
fn contents(companion: &mut Store, bundle: &PendingBundle) -> (Vec<CaseId>, usize) {
    let keys = companion.device_identity().expect("identity").keys;
    let reader = BundleReader::open(
        std::fs::File::open(&bundle.file).expect("opens"),
        &keys,
        &|_| true,
    )
    .expect("a bundle for the companion");
    let parts = &reader.manifest().parts;
    let media = parts.iter().filter(|p| p.kind == PartKind::Media).count();
    let cases = parts
        .iter()
        .filter(|p| p.kind == PartKind::Case)
        .map(|p| {
            p.name
                .strip_prefix("case/")
                .and_then(|id| id.parse().ok())
                .expect("a case part names its case")
        })
        .collect();
    (cases, media)
}

mod agency;
mod basics;
mod deleted;
mod media;
mod ownership;
mod pairing;
mod refusals;
mod replaced;
