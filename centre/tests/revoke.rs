//! `tsunagi-centre agency revoke NAME [--delete-records]` (登録取消).

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Parser;
use common::{AGENCY, Fixture, records, reference};
use tower::ServiceExt;
use tsunagi_centre::cli::{Cli, run};
use tsunagi_centre::server::{Centre, router};
use tsunagi_centre::storage::{Database, SqliteDatabase, StorageError};
use tsunagi_core::research::{Batch, seal_batch};
use tsunagi_core::seal::DeviceKeys;

/// Posts `body` to `/batches`; returns the status and the answer's text.
async fn post(centre: &Arc<Centre>, body: Vec<u8>) -> (StatusCode, String) {
    let request = Request::post("/batches")
        .body(Body::from(body))
        .expect("a request");
    let response = router(Arc::clone(centre))
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .expect("the answer reads");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Runs the command line on the fixture's data folder.
fn command(f: &Fixture, args: &[&str]) -> anyhow::Result<()> {
    let dir = f.dir.path().to_str().expect("a UTF-8 path").to_owned();
    let mut argv = vec!["tsunagi-centre", "--data-dir", dir.as_str()];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?)
}

#[tokio::test]
async fn a_revoked_agency_is_refused_and_its_records_stay_unless_deleted() {
    let f = Fixture::new();
    let keys = DeviceKeys::generate();
    let to_centre = keys.recipient();
    let db = SqliteDatabase::open(f.dir.path()).expect("opens");
    let centre = Arc::new(Centre::new(keys, Box::new(db), reference()));
    let seal = |n| seal_batch(&Batch::new(AGENCY, records(n)), &f.keys, &to_centre).expect("seals");

    let before = seal(2);
    assert_eq!(post(&centre, before.clone()).await.0, StatusCode::OK);
    let mut db = SqliteDatabase::open(f.dir.path()).expect("opens");
    let stored = db.records().expect("reads").len();
    assert!(stored > 0);

    command(&f, &["agency", "revoke", AGENCY]).expect("revokes");
    let (status, text) = post(&centre, seal(1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("revoked"), "{text}");
    assert_eq!(
        db.batch_count().expect("counts"),
        1,
        "the refused batch is stored"
    );
    assert_eq!(
        db.records().expect("reads").len(),
        stored,
        "the records went"
    );
    // The batch it sent before is still acknowledged, so its sender can
    // clear it from the outbox.
    assert_eq!(post(&centre, before).await.0, StatusCode::OK);

    command(&f, &["agency", "revoke", AGENCY, "--delete-records"]).expect("deletes");
    assert!(db.records().expect("reads").is_empty());
    assert_eq!(post(&centre, seal(1)).await.0, StatusCode::FORBIDDEN);
    let agencies = db.agencies().expect("reads");
    assert!(agencies[0].revoked_at.is_some(), "the revocation is listed");

    let err = command(&f, &["agency", "revoke", "存在しない機関"]).expect_err("refused");
    assert!(
        matches!(
            err.downcast_ref::<StorageError>(),
            Some(StorageError::NoSuchAgency)
        ),
        "{err}"
    );
}

#[test]
fn the_store_refuses_a_new_batch_from_a_revoked_agency() {
    let mut f = Fixture::new();
    let first = Batch::new(AGENCY, records(1));
    f.db.store_batch(&f.agency, &first, tsunagi_core::rfc3339::Timestamp::now())
        .expect("stores");
    f.db.revoke_agency(AGENCY, false).expect("revokes");
    let err =
        f.db.store_batch(
            &f.agency,
            &Batch::new(AGENCY, records(1)),
            tsunagi_core::rfc3339::Timestamp::now(),
        )
        .expect_err("refused");
    assert!(matches!(err, StorageError::Revoked), "{err}");
    assert_eq!(f.db.records().expect("reads").len(), first.records.len());
    assert_eq!(f.db.batch_count().expect("counts"), 1);
}

#[test]
fn a_database_made_before_revocations_opens_and_revokes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let old = rusqlite::Connection::open(dir.path().join(tsunagi_centre::storage::DATABASE_FILE))
        .expect("opens");
    old.execute_batch(
        "CREATE TABLE agencies (signer TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, added_at TEXT NOT NULL) STRICT;",
    )
    .expect("the old table");
    let keys = DeviceKeys::generate();
    old.execute(
        "INSERT INTO agencies VALUES (?1, ?2, 'then')",
        [keys.signer().to_hex(), AGENCY.to_owned()],
    )
    .expect("an old agency");
    drop(old);
    let mut db = SqliteDatabase::open(dir.path()).expect("the old database opens");
    assert_eq!(db.agencies().expect("reads")[0].revoked_at, None);
    db.revoke_agency(AGENCY, false).expect("revokes");
    assert!(db.agencies().expect("reads")[0].revoked_at.is_some());
}
