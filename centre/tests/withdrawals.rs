//! Withdrawn cases (研究同意の撤回・ケース削除) leave the centre's records
//! and its figures.

mod common;

use common::{Fixture, batch_at, records, reference};
use tsunagi_centre::figures;
use tsunagi_centre::storage::Database;

/// A time written in RFC 3339.
fn at(text: &str) -> tsunagi_core::rfc3339::Timestamp {
    tsunagi_core::rfc3339::Timestamp::parse(text).expect("a time")
}

#[test]
fn a_withdrawn_case_is_deleted_and_the_figures_change() {
    let mut f = Fixture::new();
    let all = records(3);
    let gone = all[0].pseudonym.clone();
    let first = batch_at(all.clone(), "2026-12-01T09:00:00Z");
    f.db.store_batch(&f.agency, &first, at("2026-12-01T09:00:05Z"))
        .expect("stores");
    let before = f.db.records().expect("reads");
    assert_eq!(before.len(), all.len());

    let rest: Vec<_> = all[1..].to_vec();
    let second = batch_at(rest.clone(), "2026-12-02T09:00:00Z").with_withdrawn(vec![gone.clone()]);
    let ack =
        f.db.store_batch(&f.agency, &second, at("2026-12-02T09:00:05Z"))
            .expect("stores");
    assert_eq!(ack.withdrawn, 1);
    let after = f.db.records().expect("reads");
    assert_eq!(after.len(), all.len() - 1);
    assert!(
        after.iter().all(|r| r.pseudonym != gone),
        "the record stays"
    );
    assert_ne!(
        figures::tables(&before, &reference()),
        figures::tables(&after, &reference()),
        "the figures still count the withdrawn case"
    );
    // The same batch again is acknowledged alike and changes nothing.
    assert_eq!(
        f.db.store_batch(&f.agency, &second, at("2026-12-03T00:00:00Z"))
            .expect("stores"),
        ack
    );

    // An older batch arriving late does not bring the record back.
    let late = batch_at(all[..1].to_vec(), "2026-11-30T09:00:00Z");
    f.db.store_batch(&f.agency, &late, at("2026-12-03T09:00:00Z"))
        .expect("stores");
    assert!(
        f.db.records()
            .expect("reads")
            .iter()
            .all(|r| r.pseudonym != gone),
        "a late older batch restored a withdrawn record"
    );

    // A later batch that sends the case again (consent given again) does.
    let again = batch_at(all[..1].to_vec(), "2026-12-04T09:00:00Z");
    f.db.store_batch(&f.agency, &again, at("2026-12-04T09:00:05Z"))
        .expect("stores");
    assert_eq!(f.db.records().expect("reads").len(), all.len());
}

#[test]
fn a_withdrawal_deletes_only_that_agencys_record() {
    let mut f = Fixture::new();
    let other_keys = tsunagi_core::seal::DeviceKeys::generate();
    let other = tsunagi_centre::storage::Agency::new("別の相談支援センター", other_keys.signer());
    f.db.add_agency(&other).expect("registers");
    let all = records(1);
    let gone = all[0].pseudonym.clone();
    // The same pseudonym at two agencies (unlikely, but the key is per agency).
    f.db.store_batch(
        &f.agency,
        &batch_at(all.clone(), "2026-12-01T09:00:00Z"),
        at("2026-12-01T09:00:05Z"),
    )
    .expect("stores");
    f.db.store_batch(
        &other,
        &batch_at(all.clone(), "2026-12-01T09:00:00Z"),
        at("2026-12-01T09:00:06Z"),
    )
    .expect("stores");
    let withdrawal =
        batch_at(Vec::new(), "2026-12-02T09:00:00Z").with_withdrawn(vec![gone.clone()]);
    f.db.store_batch(&f.agency, &withdrawal, at("2026-12-01T09:00:07Z"))
        .expect("stores");
    let left = f.db.records().expect("reads");
    assert_eq!(left.len(), 2 * all.len() - 1);
    assert_eq!(left.iter().filter(|r| r.pseudonym == gone).count(), 1);
}
