//! The centre's figures on PostgreSQL: the counts kept beside the records
//! (updated in the same transaction as every intake, withdrawal and
//! revocation) always equal counting every record, and the data version
//! moves with every change, on a real PostgreSQL server.

use time::macros::date;
use tsunagi_centre::figures::Tally;
use tsunagi_centre::storage::{Agency, Database, PostgresDatabase};
use tsunagi_core::model::demo_cases;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{AgencySecret, Batch, ProgressRecord};
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_tests::postgres::Postgres;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("a time")
}

/// The demo cases' records, `copies` times over, each a case of its own.
fn records(copies: usize) -> Vec<ProgressRecord> {
    let secret = AgencySecret::generate();
    let reference = ReferenceDb::bundled().expect("the bundled reference");
    let mut out = Vec::new();
    for _ in 0..copies {
        for mut case in demo_cases() {
            case.id = tsunagi_core::model::CaseId::new();
            out.push(ProgressRecord::from_case(
                &case,
                &secret,
                date!(2026 - 12 - 01),
                &reference,
                5,
            ));
        }
    }
    out
}

fn batch(agency: &str, records: Vec<ProgressRecord>, created_at: &str) -> Batch {
    let mut batch = Batch::new(agency, records);
    batch.created_at = at(created_at);
    batch
}

/// The kept counts against counting every record; the data version.
fn checked(db: &mut PostgresDatabase, step: &str) -> u64 {
    let counts = db.figure_counts().expect("reads the counts");
    let records = db.records().expect("reads the records");
    assert_eq!(counts.tally, Tally::of(&records), "after {step}");
    assert_eq!(counts.tally.cases(), records.len(), "after {step}");
    assert_eq!(
        counts.version,
        db.data_version().expect("the version"),
        "after {step}"
    );
    counts.version
}

#[test]
fn the_kept_counts_equal_counting_every_record_on_postgresql() {
    let server = Postgres::start();
    let mut admin = postgres::Client::connect(&server.url(), postgres::NoTls).expect("connects");
    admin
        .batch_execute("CREATE DATABASE figures")
        .expect("a new database");
    let mut db = PostgresDatabase::connect(&server.url_of("figures")).expect("connects");
    let mut version = checked(&mut db, "opening");
    let mut changed = |db: &mut PostgresDatabase, step: &str| {
        let now = checked(db, step);
        assert!(now > version, "the data version stayed after {step}");
        version = now;
    };

    let keys = DeviceKeys::generate();
    let agency = Agency::new("架空市難病相談支援センター", keys.signer());
    db.add_agency(&agency).expect("registers");
    changed(&mut db, "a new agency");

    let all = records(3);
    let first = batch(&agency.name, all.clone(), "2026-12-01T09:00:00Z");
    db.store_batch(&agency, &first, at("2026-12-01T09:00:05Z"))
        .expect("stores");
    changed(&mut db, "a first batch");

    // The caseload again with one case withdrawn and one sent twice.
    let mut again: Vec<ProgressRecord> = all[1..].to_vec();
    again.push(all[2].clone());
    let second = batch(&agency.name, again, "2027-12-01T09:00:00Z")
        .with_withdrawn(vec![all[0].pseudonym.clone()]);
    db.store_batch(&agency, &second, at("2027-12-01T09:00:05Z"))
        .expect("stores");
    changed(&mut db, "a batch replacing and withdrawing");
    assert_eq!(
        db.figure_counts().expect("reads").tally.cases(),
        all.len() - 1
    );

    let other_keys = DeviceKeys::generate();
    let other = Agency::new("別市難病相談支援センター", other_keys.signer());
    db.add_agency(&other).expect("registers");
    changed(&mut db, "another agency");
    let theirs = batch(&other.name, records(1), "2027-12-04T09:00:00Z");
    db.store_batch(&other, &theirs, at("2027-12-04T09:00:05Z"))
        .expect("stores");
    changed(&mut db, "the other agency's batch");
    let deleted = db.revoke_agency(&other.name, true).expect("revokes");
    assert_eq!(deleted, theirs.records.len());
    changed(&mut db, "a revocation deleting its records");
    assert_eq!(
        db.figure_counts().expect("reads").tally.cases(),
        all.len() - 1
    );
}
