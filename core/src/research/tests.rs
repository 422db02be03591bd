use crate::rfc3339::Timestamp;
use serde_json::Value;
use time::macros::date;

use super::*;
use crate::model::{Case, ProgrammeKind, demo_cases};
use crate::reference::ReferenceDb;
use crate::seal::{DeviceKeys, Manifest, PartInfo, PartKind, SealError, SignerKey};

fn reference() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference loads")
}

/// Every string leaf of `case` that can hold any text (it still parses as a
/// case with a made-up value there) gets a distinctive marker. Returns the
/// case and, per marker, the JSON path it went into.
fn seeded(case: &Case, tag: usize) -> (Case, Vec<(String, String)>) {
    fn walk(root: &mut Value, path: Vec<String>, markers: &mut Vec<(String, String)>, tag: usize) {
        let here = pointer(&path);
        let children: Vec<String> = match root.pointer(&here) {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(Value::Array(a)) => (0..a.len()).map(|i| i.to_string()).collect(),
            Some(Value::String(_)) => {
                let marker = format!("ZQXMARK{tag}N{}Q", markers.len());
                let old = root
                    .pointer_mut(&here)
                    .map(|v| std::mem::replace(v, Value::String(marker.clone())))
                    .expect("the leaf exists");
                if serde_json::from_value::<Case>(root.clone()).is_ok() {
                    markers.push((marker, here));
                } else if let Some(v) = root.pointer_mut(&here) {
                    *v = old;
                }
                return;
            }
            _ => return,
        };
        for c in children {
            let mut p = path.clone();
            p.push(c);
            walk(root, p, markers, tag);
        }
    }
    fn pointer(path: &[String]) -> String {
        path.iter().map(|p| format!("/{p}")).collect()
    }
    let mut value = serde_json::to_value(case).expect("a case serialises");
    let mut markers = Vec::new();
    walk(&mut value, Vec::new(), &mut markers, tag);
    (
        serde_json::from_value(value).expect("the seeded case parses"),
        markers,
    )
}

#[test]
fn no_record_carries_an_identifying_or_free_text_value() {
    let secret = AgencySecret::generate();
    let reference = reference();
    let mut identifying_seen = 0;
    for (i, case) in demo_cases().into_iter().enumerate() {
        let plain = serde_json::to_string(&ProgressRecord::from_case(
            &case,
            &secret,
            date!(2026 - 12 - 01),
            &reference,
            5,
        ))
        .expect("serialises");
        // The demo case's own identifying values and full birth date.
        if let Some(birth) = case.basic.birth_date.expose() {
            assert!(!plain.contains(&birth.to_string()), "full birth date sent");
        }
        for s in [
            &case.basic.name,
            &case.basic.kana,
            &case.basic.address,
            &case.basic.phone,
        ] {
            if !s.expose().is_empty() {
                identifying_seen += 1;
                assert!(
                    !plain.contains(s.expose().as_str()),
                    "an identifying value was sent"
                );
            }
        }
        let (case, markers) = seeded(&case, i);
        assert!(
            markers.len() > 20,
            "the seeding reached the case's text fields"
        );
        let record =
            ProgressRecord::from_case(&case, &secret, date!(2026 - 12 - 01), &reference, 5);
        let json = serde_json::to_string(&record).expect("serialises");
        for (marker, path) in &markers {
            assert!(!json.contains(marker.as_str()), "{path} is in the record");
        }
        assert!(!json.contains(&case.id.to_string()), "the case id was sent");
    }
    assert!(identifying_seen >= 8);
}

#[test]
fn a_case_gets_the_same_pseudonym_every_time_and_another_under_another_secret() {
    let case = &demo_cases()[0];
    let (a, b) = (AgencySecret::generate(), AgencySecret::generate());
    assert_eq!(Pseudonym::of(&a, case.id), Pseudonym::of(&a, case.id));
    assert_ne!(Pseudonym::of(&a, case.id), Pseudonym::of(&b, case.id));
    assert_eq!(Pseudonym::of(&a, case.id).as_str().len(), 64);
}

#[test]
fn the_record_reads_bands_groups_stages_and_employment_from_the_case() {
    let reference = reference();
    let secret = AgencySecret::generate();
    let records: Vec<ProgressRecord> = demo_cases()
        .iter()
        .map(|c| ProgressRecord::from_case(c, &secret, date!(2026 - 12 - 01), &reference, 10))
        .collect();
    for (r, c) in records.iter().zip(demo_cases()) {
        if let Some(y) = c.basic.birth_year {
            let band = r.age_band.expect("a band from the birth year");
            let age = 2026 - y;
            assert!(i32::from(band.from_age()) <= age && age < i32::from(band.from_age()) + 10);
        }
        assert_eq!(r.stages.last().map(|s| s.stage), Some(c.stage));
        assert!(!r.disease_groups.is_empty());
        assert!(
            r.disease_groups.iter().all(|g| g != UNLISTED_GROUP),
            "demo diseases are listed"
        );
    }
    let hired = records
        .iter()
        .find(|r| r.employment.is_some())
        .expect("one demo case is hired");
    let employment = hired.employment.as_ref().expect("hired");
    assert!(employment.hired.is_some());
    assert!(employment.job_category.is_some());
    let programme = records
        .iter()
        .flat_map(|r| &r.programmes)
        .next()
        .expect("one demo case is on a programme");
    assert!(!programme.reviews.is_empty());
}

#[test]
fn a_programme_goes_by_its_kind_and_its_name_stays_in_the_office() {
    let reference = reference();
    let secret = AgencySecret::generate();
    let mut case = demo_cases()
        .into_iter()
        .find(|c| !c.programmes.is_empty())
        .expect("one demo case is on a programme");
    let kinds = |case: &Case| -> Vec<ProgrammeKind> {
        ProgressRecord::from_case(case, &secret, date!(2026 - 12 - 01), &reference, 5)
            .programmes
            .iter()
            .map(|p| p.kind)
            .collect()
    };
    // Chosen on the form: that kind, whatever the name says.
    case.programmes[0].programme = "竹原市精神障害者退院支援プログラム".into();
    case.programmes[0].kind = ProgrammeKind::Health;
    assert_eq!(kinds(&case), [ProgrammeKind::Health]);
    // Not chosen: read from the name, and the name itself is not sent.
    case.programmes[0].kind = ProgrammeKind::Unspecified;
    assert_eq!(kinds(&case), [ProgrammeKind::Discharge]);
    let json = serde_json::to_string(&ProgressRecord::from_case(
        &case,
        &secret,
        date!(2026 - 12 - 01),
        &reference,
        5,
    ))
    .expect("serialises");
    assert!(!json.contains("竹原市"), "{json}");
    assert!(json.contains(r#""kind":"discharge""#), "{json}");
    // A name that names no kind, or tries to be a formula, is "other".
    case.programmes[0].programme = "=HYPERLINK(\"http://x\")".into();
    assert_eq!(kinds(&case), [ProgrammeKind::Other]);
}

#[test]
fn a_programme_period_and_its_goals_met_go_as_months_without_their_text() {
    use crate::model::{ProgrammeExtension, ProgrammeGoal, ProgrammeOutcome, ProgrammePeriod};
    let reference = reference();
    let secret = AgencySecret::generate();
    let mut case = demo_cases()
        .into_iter()
        .find(|c| !c.programmes.is_empty())
        .expect("one demo case is on a programme");
    let p = &mut case.programmes[0];
    p.kind = ProgrammeKind::DailyLiving;
    p.period = ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6);
    p.period.extensions.push(ProgrammeExtension::new(
        date!(2025 - 12 - 31),
        "延長理由ZQXREASON",
    ));
    p.goals = vec![
        ProgrammeGoal {
            achieved_on: Some(date!(2025 - 06 - 10)),
            ..ProgrammeGoal::new("目標ZQXGOAL", None)
        },
        ProgrammeGoal {
            achieved_on: Some(date!(2026 - 03 - 31)),
            ..ProgrammeGoal::new("目標ZQXGOAL", None)
        },
    ];
    let record = ProgressRecord::from_case(&case, &secret, date!(2026 - 12 - 01), &reference, 5);
    let sent = &record.programmes[0];
    assert_eq!(sent.started, Month::new(2025, 4));
    assert_eq!(sent.ends, Month::new(2025, 12));
    assert_eq!(sent.extensions, 1);
    assert_eq!(sent.goals_met, Month::new(2026, 3));
    // March 2026 is in 2025年度: achieved then, and not in 2026年度.
    assert!(sent.achieved_in(2025));
    assert!(!sent.achieved_in(2026));
    let json = serde_json::to_string(&record).expect("serialises");
    assert!(!json.contains("ZQX"), "{json}");
    assert!(!json.contains("2025-12-31"), "{json}");
    // The same record as an employment programme: goals met is no job.
    let mut employment = sent.clone();
    employment.kind = ProgrammeKind::Employment;
    assert!(!employment.achieved_in(2025));
    employment.reviews.push(ReviewRecord {
        month: Month::new(2026, 1),
        outcome: ProgrammeOutcome::Employed,
        reasons: Vec::new(),
    });
    assert!(employment.achieved_in(2025));
    // A record without the new fields reads as empty, and writes none back.
    let old: ProgrammeRecord = serde_json::from_value(serde_json::json!({
        "kind": "health", "selected": "2025-04", "consented": null,
        "plan_agreed": null, "reviews": [], "barriers": [],
    }))
    .expect("an older record parses");
    assert_eq!(
        (old.started, old.ends, old.extensions, old.goals_met),
        (None, None, 0, None)
    );
    let written = serde_json::to_value(&old).expect("serialises");
    assert!(written.get("goals_met").is_none() && written.get("extensions").is_none());
}

#[test]
fn a_record_from_before_programme_kinds_reads_its_name_as_a_kind() {
    let record = |programme: &str| -> ProgrammeRecord {
        serde_json::from_value(serde_json::json!({
            "programme": programme,
            "selected": null, "consented": null, "plan_agreed": null,
            "reviews": [], "barriers": [],
        }))
        .expect("an old record parses")
    };
    assert_eq!(
        record("就労準備支援プログラム").kind,
        ProgrammeKind::EmploymentReadiness
    );
    assert_eq!(record("employment").kind, ProgrammeKind::Employment);
    assert_eq!(record("unspecified").kind, ProgrammeKind::Other);
    assert_eq!(record("@SUM(A1)").kind, ProgrammeKind::Other);
}

#[test]
fn months_bands_and_grades_parse_only_their_own_forms() {
    assert_eq!(
        "2024-03".parse::<Month>().expect("month").fiscal_year(),
        2023
    );
    assert_eq!(
        "2024-04".parse::<Month>().expect("month").fiscal_year(),
        2024
    );
    for bad in ["2024-13", "2024-3", "24-03", "2024-03-01", "山田"] {
        assert!(bad.parse::<Month>().is_err(), "{bad}");
    }
    assert_eq!(AgeBand::of(37, 5).expect("band").to_string(), "35-39");
    assert_eq!(AgeBand::of(37, 10).expect("band").to_string(), "30-39");
    assert!("35-40".parse::<AgeBand>().is_err());
    assert_eq!(
        CertificateGrade::parse_written("２級")
            .expect("grade")
            .as_str(),
        "2"
    );
    assert_eq!(
        CertificateGrade::parse_written("b1")
            .expect("grade")
            .as_str(),
        "B1"
    );
    assert!(CertificateGrade::parse_written("山田太郎").is_none());
}

fn batch(reference: &ReferenceDb) -> Batch {
    let secret = AgencySecret::generate();
    Batch::new(
        "架空市福祉事務所",
        demo_cases()
            .iter()
            .map(|c| ProgressRecord::from_case(c, &secret, date!(2026 - 12 - 01), reference, 5))
            .collect(),
    )
}

#[test]
fn a_sealed_batch_opens_at_the_centre_as_it_was_sent() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let batch = batch(&reference());
    let sealed = seal_batch(&batch, &agency, &centre.recipient()).expect("seals");
    let opened = open_batch(&sealed, &centre, &|k| *k == agency.signer()).expect("opens");
    assert_eq!(opened.batch, batch);
    assert_eq!(opened.signer, agency.signer());
}

#[test]
fn a_batch_for_another_centre_does_not_open() {
    let (agency, centre, other) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let sealed = seal_batch(&batch(&reference()), &agency, &centre.recipient()).expect("seals");
    let err = open_batch(&sealed, &other, &|_| true).expect_err("refused");
    assert!(
        matches!(err, ResearchError::Seal(SealError::NotForUs)),
        "{err}"
    );
}

#[test]
fn a_tampered_batch_is_refused() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let sealed = seal_batch(&batch(&reference()), &agency, &centre.recipient()).expect("seals");
    for at in [sealed.len() / 2, sealed.len() - 10] {
        let mut bad = sealed.clone();
        bad[at] ^= 0x40;
        let err = open_batch(&bad, &centre, &|_| true).expect_err("refused");
        assert!(
            matches!(err, ResearchError::Seal(SealError::Damaged(_))),
            "{err}"
        );
    }
    assert!(open_batch(&sealed[..sealed.len() / 3], &centre, &|_| true).is_err());
    assert!(open_batch(b"not a batch", &centre, &|_| true).is_err());
}

#[test]
fn a_batch_from_an_unregistered_agency_is_refused() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let sealed = seal_batch(&batch(&reference()), &agency, &centre.recipient()).expect("seals");
    let err = open_batch(&sealed, &centre, &|_| false).expect_err("refused");
    assert!(matches!(err, ResearchError::UnknownAgency(_)), "{err}");
    assert!(err.to_string().contains("未登録"));
}

/// The sealed plaintext written by hand (the format in `crate::seal`), so a
/// test can claim one signer and sign with another.
fn forged(centre: &DeviceKeys, claimed: SignerKey, signer: &DeviceKeys, body: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    use std::io::Write;
    let manifest = Manifest {
        format: 1,
        sender: claimed.to_hex(),
        recipient: centre.recipient().as_string(),
        created_at: Timestamp::parse("2026-12-01T00:00:00Z").expect("a time"),
        nonce: "00".repeat(16),
        parts: vec![PartInfo {
            name: "research/batch".into(),
            kind: PartKind::Research,
            length: body.len() as u64,
            sha256: hex::encode(Sha256::digest(body)),
        }],
    };
    let manifest = serde_json::to_vec(&manifest).expect("serialises");
    let mut signed = b"tsunagi bundle manifest v1\0".to_vec();
    signed.extend_from_slice(&manifest);
    let recipient: age::x25519::Recipient =
        centre.recipient().as_string().parse().expect("an age key");
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("encrypts");
    let mut w = encryptor.wrap_output(Vec::new()).expect("wraps");
    w.write_all(b"TSNGBNDL").expect("writes");
    w.write_all(&1u16.to_be_bytes()).expect("writes");
    w.write_all(&(manifest.len() as u32).to_be_bytes())
        .expect("writes");
    w.write_all(&manifest).expect("writes");
    w.write_all(&signer.sign(&signed)).expect("writes");
    w.write_all(body).expect("writes");
    w.finish().expect("finishes")
}

#[test]
fn a_batch_signed_by_another_key_than_it_names_is_refused() {
    let (agency, centre, thief) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let body = serde_json::to_vec(&batch(&reference())).expect("serialises");
    let honest = forged(&centre, agency.signer(), &agency, &body);
    assert!(
        open_batch(&honest, &centre, &|k| *k == agency.signer()).is_ok(),
        "the forgery helper writes valid batches"
    );
    let bad = forged(&centre, agency.signer(), &thief, &body);
    let err = open_batch(&bad, &centre, &|k| *k == agency.signer()).expect_err("refused");
    assert!(
        matches!(err, ResearchError::Seal(SealError::BadSignature)),
        "{err}"
    );
}

#[test]
fn a_batch_with_a_malformed_record_is_refused() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let mut value = serde_json::to_value(batch(&reference())).expect("serialises");
    value["records"][0]["name"] = Value::String("見本 花子".into());
    let body = serde_json::to_vec(&value).expect("serialises");
    let sealed = forged(&centre, agency.signer(), &agency, &body);
    let err = open_batch(&sealed, &centre, &|_| true).expect_err("refused");
    assert!(matches!(err, ResearchError::Malformed(_)), "{err}");
    assert!(!err.to_string().contains("見本"), "{err}");

    let mut value = serde_json::to_value(batch(&reference())).expect("serialises");
    value["records"][0]["as_of"] = Value::String("2026-12-01".into());
    let sealed = forged(
        &centre,
        agency.signer(),
        &agency,
        &serde_json::to_vec(&value).expect("json"),
    );
    assert!(matches!(
        open_batch(&sealed, &centre, &|_| true),
        Err(ResearchError::Malformed(_))
    ));
}

#[test]
fn a_batch_that_sends_and_withdraws_the_same_case_is_refused() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let full = batch(&reference());
    let kept = full.records[0].pseudonym.clone();
    let gone = full.records[1].pseudonym.clone();
    let records: Vec<ProgressRecord> = full
        .records
        .iter()
        .filter(|r| r.pseudonym != gone)
        .cloned()
        .collect();

    let honest = Batch::new(&full.agency, records.clone()).with_withdrawn(vec![gone.clone()]);
    let sealed = seal_batch(&honest, &agency, &centre.recipient()).expect("seals");
    let opened = open_batch(&sealed, &centre, &|_| true).expect("a withdrawal opens");
    assert_eq!(opened.batch.withdrawn, vec![gone]);

    let both = Batch::new(&full.agency, records).with_withdrawn(vec![kept]);
    let sealed = seal_batch(&both, &agency, &centre.recipient()).expect("seals");
    let err = open_batch(&sealed, &centre, &|_| true).expect_err("refused");
    assert!(matches!(err, ResearchError::Malformed(_)), "{err}");
}

#[test]
fn a_batch_written_without_withdrawals_still_opens() {
    let (agency, centre) = (DeviceKeys::generate(), DeviceKeys::generate());
    let sent = batch(&reference());
    let value = serde_json::to_value(&sent).expect("serialises");
    assert!(
        value.get("withdrawn").is_none(),
        "an empty list is left out, so older centres read the batch"
    );
    let sealed = forged(
        &centre,
        agency.signer(),
        &agency,
        &serde_json::to_vec(&value).expect("json"),
    );
    let opened = open_batch(&sealed, &centre, &|_| true).expect("opens");
    assert!(opened.batch.withdrawn.is_empty());
    assert_eq!(opened.batch, sent);
}

#[test]
fn a_disease_removed_as_a_mistake_is_not_in_the_record() {
    let reference = reference();
    let secret = AgencySecret::generate();
    let mut case = Case::new();
    let mut mistake = crate::model::Disease::new(Some("parkinsons-disease"), "パーキンソン病");
    mistake
        .remove(date!(2026 - 11 - 25), "worker", "別の方の病名を誤って登録")
        .expect("removed");
    case.basic.diseases.push(mistake);
    let record = ProgressRecord::from_case(&case, &secret, date!(2026 - 12 - 01), &reference, 10);
    assert!(
        record.disease_groups.is_empty(),
        "{:?}",
        record.disease_groups
    );
    case.basic.diseases.push(crate::model::Disease::new(
        Some("ulcerative-colitis"),
        "潰瘍性大腸炎",
    ));
    let record = ProgressRecord::from_case(&case, &secret, date!(2026 - 12 - 01), &reference, 10);
    assert_eq!(record.disease_groups.len(), 1);
}
