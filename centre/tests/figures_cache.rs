//! The figures are made from counts kept beside the records and shown from
//! a cache of the data version: the counts always equal counting every
//! record, and a page shows a change as soon as it is stored (an intake, a
//! withdrawal, a deletion), whichever connection stored it.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::site::{HOST, RESEARCHER, Site};
use common::{Fixture, batch_at, records, reference};
use tower::ServiceExt;
use tsunagi_centre::figures::{self, Tally};
use tsunagi_centre::server::router;
use tsunagi_centre::storage::{Agency, Database, SqliteDatabase};
use tsunagi_core::research::{Month, ProgressRecord, seal_batch};
use tsunagi_core::seal::DeviceKeys;

fn at(text: &str) -> tsunagi_core::rfc3339::Timestamp {
    tsunagi_core::rfc3339::Timestamp::parse(text).expect("a time")
}

/// The same case a year on: every dated step a year later.
fn a_year_on(record: &ProgressRecord) -> ProgressRecord {
    let mut r = record.clone();
    let on = |m: &mut Option<Month>| *m = m.map(|m| m.plus(12));
    for s in &mut r.stages {
        on(&mut s.month);
    }
    for p in &mut r.programmes {
        on(&mut p.selected);
        on(&mut p.consented);
        for review in &mut p.reviews {
            on(&mut review.month);
        }
    }
    if let Some(e) = &mut r.employment {
        on(&mut e.hired);
    }
    r
}

/// Asserts that the stored counts are those of every stored record, and
/// returns the data version.
fn counts_match_the_records(db: &mut dyn Database, step: &str) -> u64 {
    let counts = db.figure_counts().expect("reads the counts");
    let records = db.records().expect("reads the records");
    assert_eq!(counts.tally, Tally::of(&records), "after {step}");
    assert_eq!(
        counts.tally.tables(&reference()),
        figures::tables(&records, &reference()),
        "after {step}"
    );
    assert_eq!(counts.tally.cases(), records.len(), "after {step}");
    assert_eq!(
        counts.batches,
        db.batch_count().expect("counts"),
        "after {step}"
    );
    assert_eq!(
        counts.version,
        db.data_version().expect("the version"),
        "after {step}"
    );
    counts.version
}

/// Registers an agency on `db`, stores, replaces, withdraws and deletes
/// its records, and checks the counts after each step.
fn kept_counts_follow_every_change(db: &mut dyn Database) {
    let keys = DeviceKeys::generate();
    let agency = Agency::new(common::AGENCY, keys.signer());
    let mut version = counts_match_the_records(db, "opening");
    let changed = |db: &mut dyn Database, version: &mut u64, step: &str| {
        let now = counts_match_the_records(db, step);
        assert!(now > *version, "the data version stayed after {step}");
        *version = now;
    };
    db.add_agency(&agency).expect("registers");
    changed(db, &mut version, "a new agency");

    let all = records(4);
    let first = batch_at(all.clone(), "2026-12-01T09:00:00Z");
    db.store_batch(&agency, &first, at("2026-12-01T09:00:05Z"))
        .expect("stores");
    changed(db, &mut version, "a first batch");

    // The whole caseload again, each case a year on, one case twice (the
    // later one wins) and one withdrawn.
    let mut again: Vec<ProgressRecord> = all[1..].iter().map(a_year_on).collect();
    again.push(all[2].clone());
    let second =
        batch_at(again, "2027-12-01T09:00:00Z").with_withdrawn(vec![all[0].pseudonym.clone()]);
    db.store_batch(&agency, &second, at("2027-12-01T09:00:05Z"))
        .expect("stores");
    changed(db, &mut version, "a second batch replacing and withdrawing");

    // The same batch again changes nothing, not even the version.
    db.store_batch(&agency, &second, at("2027-12-02T00:00:00Z"))
        .expect("stores");
    assert_eq!(counts_match_the_records(db, "a repeat"), version);

    // An older batch arriving late replaces nothing.
    let late = batch_at(all.clone(), "2026-06-01T09:00:00Z");
    db.store_batch(&agency, &late, at("2027-12-03T09:00:00Z"))
        .expect("stores");
    changed(db, &mut version, "a late older batch");

    // A second agency's cases, then its registration revoked with them.
    let other_keys = DeviceKeys::generate();
    let other = Agency::new("別市難病相談支援センター", other_keys.signer());
    db.add_agency(&other).expect("registers");
    changed(db, &mut version, "another agency");
    let mut theirs = batch_at(records(2), "2027-12-04T09:00:00Z");
    theirs.agency = other.name.clone();
    db.store_batch(&other, &theirs, at("2027-12-04T09:00:05Z"))
        .expect("stores");
    changed(db, &mut version, "the other agency's batch");
    let deleted = db.revoke_agency(&other.name, true).expect("revokes");
    assert_eq!(deleted, theirs.records.len());
    changed(db, &mut version, "a revocation deleting its records");
    assert_eq!(
        db.figure_counts().expect("reads").tally.cases(),
        all.len() - 1
    );
}

#[test]
fn the_kept_counts_equal_counting_every_record_after_every_change() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut db = SqliteDatabase::open(dir.path()).expect("opens");
    kept_counts_follow_every_change(&mut db);
}

#[test]
fn counts_missing_from_an_older_database_are_made_when_it_is_opened() {
    let mut f = Fixture::new();
    let all = records(3);
    f.db.store_batch(
        &f.agency,
        &batch_at(all, "2026-12-01T09:00:00Z"),
        at("2026-12-01T09:00:05Z"),
    )
    .expect("stores");
    // As a database made before the counts were kept: no counts, no rules.
    let conn =
        rusqlite::Connection::open(f.dir.path().join(tsunagi_centre::storage::DATABASE_FILE))
            .expect("opens");
    conn.execute(
        "UPDATE figure_counts SET rules = 0, tally = '' WHERE id = 1",
        [],
    )
    .expect("forgets the counts");
    drop(conn);
    let mut reopened = tsunagi_centre::storage::SqliteDatabase::open(f.dir.path()).expect("opens");
    counts_match_the_records(&mut reopened, "reopening");
    assert!(reopened.figure_counts().expect("reads").tally.cases() > 0);
}

/// The page's text from its title on (the account bar before it is the
/// viewer's own).
fn figures_of(page: &str) -> &str {
    let at = page.find("<h1>").expect("the page has its title");
    &page[at..]
}

/// "ケース N" as the page shows the case count.
fn shows_cases(page: &str, n: usize) -> bool {
    page.contains(&format!("ケース {n}<br>"))
}

#[tokio::test]
async fn the_page_shows_a_new_intake_and_a_withdrawal_at_once() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let first = site.get("/", &[&session]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(shows_cases(&first.body, 0), "{}", first.body);
    let csv_before = site.get("/figures/outcomes.csv", &[&session]).await.body;

    // A batch through intake, sealed as a companion seals it.
    let all = records(3);
    let batch = batch_at(all.clone(), "2026-12-01T09:00:00Z");
    let sealed =
        seal_batch(&batch, &site.fixture.keys, &site.centre.keys.recipient()).expect("seals");
    let answer = site
        .send(
            Request::post("/batches")
                .header("host", HOST)
                .header("content-type", "application/octet-stream")
                .body(Body::from(sealed))
                .expect("a request"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after_intake = site.get("/", &[&session]).await;
    assert!(
        shows_cases(&after_intake.body, all.len()),
        "the page still shows the figures from before the intake"
    );
    assert_ne!(figures_of(&first.body), figures_of(&after_intake.body));
    let csv_after = site.get("/figures/outcomes.csv", &[&session]).await.body;
    assert_ne!(csv_before, csv_after, "the CSV is from before the intake");

    // A withdrawal stored by another connection (another process may
    // share the database).
    let withdrawal = batch_at(all[1..].to_vec(), "2026-12-02T09:00:00Z")
        .with_withdrawn(vec![all[0].pseudonym.clone()]);
    site.database()
        .store_batch(
            &site.fixture.agency,
            &withdrawal,
            at("2026-12-02T09:00:05Z"),
        )
        .expect("stores");
    let after_withdrawal = site.get("/", &[&session]).await;
    assert!(
        shows_cases(&after_withdrawal.body, all.len() - 1),
        "the page still counts the withdrawn case"
    );

    // What is shown is what counting every record shows, suppression
    // and all.
    let mut db = site.database();
    let stored = db.records().expect("reads");
    let counted = figures::to_html(
        &figures::tables(&stored, &reference()),
        stored.len(),
        db.batch_count().expect("counts"),
        db.agencies().expect("lists").len(),
    );
    assert_eq!(figures_of(&after_withdrawal.body), figures_of(&counted));
    let csv = site.get("/figures/stages.csv", &[&session]).await.body;
    assert_eq!(csv, figures::to_csv(&figures::stages(&stored)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_at_once_are_shown_the_same_figures() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let mut db = site.database();
    db.store_batch(
        &site.fixture.agency,
        &batch_at(records(4), "2026-12-01T09:00:00Z"),
        at("2026-12-01T09:00:05Z"),
    )
    .expect("stores");
    let stored = db.records().expect("reads");
    // The data changed since the last page: the first readers find nothing
    // held and ask at once, each on its own task.
    let mut readers = Vec::new();
    for _ in 0..16 {
        let (centre, session) = (Arc::clone(&site.centre), session.clone());
        readers.push(tokio::spawn(async move {
            let request = Request::get("/")
                .header("host", HOST)
                .header("cookie", session)
                .body(Body::empty())
                .expect("a request");
            let answer = router(centre).oneshot(request).await.expect("answers");
            assert_eq!(answer.status(), StatusCode::OK);
            let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
                .await
                .expect("a body");
            String::from_utf8(body.to_vec()).expect("UTF-8")
        }));
    }
    let mut pages = Vec::new();
    for reader in readers {
        pages.push(reader.await.expect("a reader"));
    }
    assert!(shows_cases(&pages[0], stored.len()), "{}", pages[0]);
    assert!(
        pages.iter().all(|p| *p == pages[0]),
        "readers were shown different figures"
    );
}
