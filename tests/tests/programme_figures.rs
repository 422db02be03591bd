//! The yearly programme figures (支援対象者数, 参加者数, 達成者数 and the review
//! outcomes) counted by hand for a few enrolments of different kinds and
//! outcomes, and checked twice: in the office's companion, from its cases,
//! and at the research centre, from the de-identified records the companion
//! sends (selected by research consent, sealed, opened, stored and read
//! back). Both must equal the numbers written here, so that the achiever
//! rule of each kind (a job for 就労支援; 目標達成, a job, or every goal met
//! for the others) is the same on both sides.

use std::sync::Arc;

use time::Date;
use time::macros::date;
use tsunagi_centre::figures;
use tsunagi_centre::storage::{Agency, Database, SqliteDatabase};
use tsunagi_companion::documents::programme::{self, OutcomeKey, ProgrammeFigures};
use tsunagi_core::model::{
    Case, ConsentRecord, ConsentScope, ProgrammeEnrolment, ProgrammeGoal, ProgrammeKind,
    ProgrammeOutcome, ProgrammePeriod, ProgrammeReview,
};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{Batch, open_batch, seal_batch};
use tsunagi_core::seal::DeviceKeys;
use tsunagi_core::store::{CaseQuery, KdfParams, MemoryKeychain, Store, StoreOptions};

const AGENCY: &str = "架空市福祉事務所";
const PASSWORD: &str = "ながい合言葉 2026";

/// One enrolment of the fixture.
struct Enrolment {
    name: &'static str,
    kind: ProgrammeKind,
    selected: Date,
    consent: Option<Date>,
    reviews: &'static [(Date, ProgrammeOutcome)],
    /// The goals, by the day each was achieved (`None`: still open).
    goals: &'static [Option<Date>],
}

const EMPLOYMENT: &str = "就労支援プログラム";
const DISCHARGE: &str = "精神障害者退院支援プログラム";
const READINESS: &str = "就労準備支援プログラム";
const DAILY: &str = "日常生活自立支援プログラム";

use ProgrammeOutcome::{Continue, Employed, GoalsMet, Stop};

/// Every enrolment, one case each. The comments say how each counts in
/// 2025年度 (1 April 2025 to 31 March 2026).
const FIXTURE: [Enrolment; 11] = [
    // 就労支援 (achieved by a job).
    // E1: employed in October: target, participant, achiever.
    Enrolment {
        name: EMPLOYMENT,
        kind: ProgrammeKind::Employment,
        selected: date!(2025 - 04 - 10),
        consent: Some(date!(2025 - 04 - 15)),
        reviews: &[(date!(2025 - 10 - 31), Employed)],
        goals: &[],
    },
    // E2: goals met and every goal achieved, but no job: not an achiever
    // of an employment programme.
    Enrolment {
        name: EMPLOYMENT,
        kind: ProgrammeKind::Employment,
        selected: date!(2025 - 05 - 01),
        consent: Some(date!(2025 - 05 - 08)),
        reviews: &[(date!(2025 - 11 - 30), GoalsMet)],
        goals: &[Some(date!(2025 - 09 - 01))],
    },
    // E3: selected, never consented: a target only.
    Enrolment {
        name: EMPLOYMENT,
        kind: ProgrammeKind::Employment,
        selected: date!(2025 - 06 - 01),
        consent: None,
        reviews: &[],
        goals: &[],
    },
    // E4: stopped in January 2025 (2024年度): not a target in 2025年度.
    Enrolment {
        name: EMPLOYMENT,
        kind: ProgrammeKind::Employment,
        selected: date!(2024 - 06 - 01),
        consent: Some(date!(2024 - 06 - 10)),
        reviews: &[(date!(2025 - 01 - 31), Stop)],
        goals: &[],
    },
    // 退院支援 (achieved by its goals).
    // D1: ended with 目標達成 in September: an achiever.
    Enrolment {
        name: DISCHARGE,
        kind: ProgrammeKind::Discharge,
        selected: date!(2025 - 04 - 01),
        consent: Some(date!(2025 - 04 - 03)),
        reviews: &[(date!(2025 - 09 - 30), GoalsMet)],
        goals: &[None],
    },
    // D2: still continuing, but both goals reached, the last in February
    // 2026: an achiever.
    Enrolment {
        name: DISCHARGE,
        kind: ProgrammeKind::Discharge,
        selected: date!(2025 - 04 - 20),
        consent: Some(date!(2025 - 04 - 25)),
        reviews: &[(date!(2025 - 10 - 31), Continue)],
        goals: &[Some(date!(2025 - 07 - 01)), Some(date!(2026 - 02 - 15))],
    },
    // D3: one goal of two reached: not yet.
    Enrolment {
        name: DISCHARGE,
        kind: ProgrammeKind::Discharge,
        selected: date!(2025 - 07 - 01),
        consent: Some(date!(2025 - 07 - 05)),
        reviews: &[(date!(2025 - 12 - 31), Continue)],
        goals: &[Some(date!(2025 - 08 - 20)), None],
    },
    // D4: stopped in March 2026: not an achiever.
    Enrolment {
        name: DISCHARGE,
        kind: ProgrammeKind::Discharge,
        selected: date!(2025 - 08 - 01),
        consent: Some(date!(2025 - 08 - 02)),
        reviews: &[(date!(2026 - 03 - 31), Stop)],
        goals: &[],
    },
    // 就労準備支援 (achieved by its goals; a job goes beyond them).
    // R1: employed in December: an achiever.
    Enrolment {
        name: READINESS,
        kind: ProgrammeKind::EmploymentReadiness,
        selected: date!(2025 - 04 - 05),
        consent: Some(date!(2025 - 04 - 06)),
        reviews: &[(date!(2025 - 12 - 15), Employed)],
        goals: &[],
    },
    // R2: its only goal reached on 10 April 2026, in 2026年度: not an
    // achiever of 2025年度.
    Enrolment {
        name: READINESS,
        kind: ProgrammeKind::EmploymentReadiness,
        selected: date!(2025 - 05 - 05),
        consent: Some(date!(2025 - 05 - 06)),
        reviews: &[(date!(2026 - 01 - 31), Continue)],
        goals: &[Some(date!(2026 - 04 - 10))],
    },
    // 日常生活自立支援, its kind not chosen: read from the name.
    // U1: ended with 目標達成 in November: an achiever.
    Enrolment {
        name: DAILY,
        kind: ProgrammeKind::Unspecified,
        selected: date!(2025 - 06 - 10),
        consent: Some(date!(2025 - 06 - 11)),
        reviews: &[(date!(2025 - 11 - 11), GoalsMet)],
        goals: &[],
    },
];

/// The figures counted by hand: programme name, the centre's row label
/// (the kind), fiscal year, then targets, participants, achievers, and the
/// latest outcome in the year: 就労, 目標達成, 継続, 打ち切り.
const EXPECTED: [(&str, &str, i32, [usize; 7]); 5] = [
    // E4 alone; its stop falls in 2024年度.
    (
        EMPLOYMENT,
        "就労支援 Employment support",
        2024,
        [1, 1, 0, 0, 0, 0, 1],
    ),
    // E1, E2, E3; E1 achieved.
    (
        EMPLOYMENT,
        "就労支援 Employment support",
        2025,
        [3, 2, 1, 1, 1, 0, 0],
    ),
    // D1..D4; D1 and D2 achieved.
    (
        DISCHARGE,
        "退院支援 Discharge support",
        2025,
        [4, 4, 2, 0, 1, 2, 1],
    ),
    // R1, R2; R1 achieved.
    (
        READINESS,
        "就労準備支援 Work readiness",
        2025,
        [2, 2, 1, 1, 0, 1, 0],
    ),
    // U1 achieved.
    (
        DAILY,
        "日常生活自立支援 Daily living",
        2025,
        [1, 1, 1, 0, 1, 0, 0],
    ),
];

fn case_of(e: &Enrolment) -> Case {
    let mut enrolment = ProgrammeEnrolment {
        programme: e.name.to_owned(),
        kind: e.kind,
        agency: AGENCY.to_owned(),
        selected_on: Some(e.selected),
        consent_on: e.consent,
        period: e
            .consent
            .map(|d| ProgrammePeriod::of_months(d, 6))
            .unwrap_or_default(),
        ..ProgrammeEnrolment::new()
    };
    enrolment.reviews = e
        .reviews
        .iter()
        .map(|(d, o)| ProgrammeReview::new(*d, *o, "理由は事務所に残る"))
        .collect();
    enrolment.goals = e
        .goals
        .iter()
        .map(|achieved| ProgrammeGoal {
            achieved_on: *achieved,
            ..ProgrammeGoal::new("目標は事務所に残る", None)
        })
        .collect();
    let mut case = Case::new();
    case.programmes.push(enrolment);
    case.consents.push(ConsentRecord {
        scope: ConsentScope::Research,
        given_on: Some(date!(2020 - 04 - 01)),
        ..ConsentRecord::new()
    });
    case
}

/// The companion's figures of `year`, as the expected rows: the name, then
/// the seven counts.
fn companion_rows(figures: &[ProgrammeFigures], year: i32) -> Vec<(String, i32, [usize; 7])> {
    figures
        .iter()
        .map(|f| {
            let outcome = |o| f.outcomes.get(&OutcomeKey::of(o)).copied().unwrap_or(0);
            (
                f.programme.clone(),
                year,
                [
                    f.targets,
                    f.participants,
                    f.achievers,
                    outcome(Employed),
                    outcome(GoalsMet),
                    outcome(Continue),
                    outcome(Stop),
                ],
            )
        })
        .collect()
}

#[test]
fn the_companion_and_the_centre_count_programme_achievers_by_the_same_hand_counted_rule() {
    let temp = tempfile::tempdir().expect("temp dir");
    let (mut store, _code) = Store::create(
        &temp.path().join("companion"),
        Arc::new(MemoryKeychain::default()),
        "admin",
        PASSWORD,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("creates the companion store");
    for e in &FIXTURE {
        store.create_case(&case_of(e)).expect("adds the case");
    }

    // ── the office: the companion's figures from its cases ──────────────
    let mut cases = Vec::new();
    for row in store.list_cases(&CaseQuery::default()).expect("lists") {
        cases.push(store.load_case(row.id).expect("loads"));
    }
    let mut office = Vec::new();
    for year in [2024, 2025] {
        office.extend(companion_rows(
            &programme::figures(&cases, year, None),
            year,
        ));
    }
    office.sort();
    let mut expected: Vec<(String, i32, [usize; 7])> = EXPECTED
        .iter()
        .map(|(name, _, year, counts)| ((*name).to_owned(), *year, *counts))
        .collect();
    expected.sort();
    assert_eq!(office, expected, "the companion's figures");

    // ── the centre: from the records the companion sends ────────────────
    let reference = ReferenceDb::bundled().expect("the bundled reference loads");
    let selection =
        tsunagi_companion::research::records(&mut store, &reference).expect("selects records");
    assert_eq!(
        selection.records.len(),
        FIXTURE.len(),
        "every case consented"
    );
    let keys = store.research_keys().expect("the agency's keys");
    let centre_keys = DeviceKeys::generate();
    let sealed = seal_batch(
        &Batch::new(AGENCY, selection.records),
        &keys.keys,
        &centre_keys.recipient(),
    )
    .expect("seals");
    // No free text and no day travels: reasons and goals stay in the
    // office, dates go as months.
    let opened = open_batch(&sealed, &centre_keys, &|k| *k == keys.keys.signer()).expect("opens");
    let sent = serde_json::to_string(&opened.batch).expect("serialises");
    assert!(!sent.contains("事務所に残る"), "free text was sent");
    assert!(!sent.contains("2025-10-31"), "a day was sent");
    assert!(sent.contains("\"goals_met\":\"2026-02\""), "{sent}");

    let centre_dir = temp.path().join("centre");
    std::fs::create_dir_all(&centre_dir).expect("the centre's folder");
    let mut db = SqliteDatabase::open(&centre_dir).expect("opens the centre");
    let agency = Agency::new(AGENCY, keys.keys.signer());
    db.add_agency(&agency).expect("registers the agency");
    db.store_batch(
        &agency,
        &opened.batch,
        tsunagi_core::rfc3339::Timestamp::now(),
    )
    .expect("stores the batch");
    let records = db.records().expect("reads the records back");
    let table = figures::programmes(&records);
    let mut centre: Vec<(String, String, [usize; 7])> = table
        .rows
        .iter()
        .map(|(labels, counts)| {
            (
                labels[0].clone(),
                labels[1].clone(),
                counts.as_slice().try_into().expect("seven counts"),
            )
        })
        .filter(|(_, year, _)| year == "2024年度" || year == "2025年度")
        .collect();
    centre.sort();
    let mut expected: Vec<(String, String, [usize; 7])> = EXPECTED
        .iter()
        .map(|(_, kind, year, counts)| ((*kind).to_owned(), format!("{year}年度"), *counts))
        .collect();
    expected.sort();
    assert_eq!(centre, expected, "the centre's figures");
    assert_eq!(
        table.count_headings[2], "達成者数 Achievers",
        "the third count is the achievers"
    );
}
