//! The programme model's rules, with dates and counts worked out by hand.

use time::macros::date;

use super::*;
use crate::model::{Case, ValidationError};

#[test]
fn next_programme_review_follows_the_last_review_by_the_interval() {
    let mut enrolment = ProgrammeEnrolment {
        consent_on: Some(date!(2024 - 11 - 30)),
        review_interval_months: Some(3),
        ..ProgrammeEnrolment::new()
    };
    assert_eq!(enrolment.next_review_due(), Some(date!(2025 - 02 - 28)));
    enrolment.reviews.push(ProgrammeReview::new(
        date!(2025 - 02 - 27),
        ProgrammeOutcome::Continue,
        "",
    ));
    assert_eq!(enrolment.next_review_due(), Some(date!(2025 - 05 - 27)));
    assert_eq!(
        enrolment.current_outcome(),
        Some(ProgrammeOutcome::Continue)
    );
}

/// An enrolment of `kind` with these reviews and goals (their achieved dates).
fn enrolment(
    kind: ProgrammeKind,
    reviews: &[(Date, ProgrammeOutcome)],
    goals: &[Option<Date>],
) -> ProgrammeEnrolment {
    ProgrammeEnrolment {
        kind,
        reviews: reviews
            .iter()
            .map(|(d, o)| ProgrammeReview::new(*d, *o, ""))
            .collect(),
        goals: goals
            .iter()
            .map(|achieved| ProgrammeGoal {
                achieved_on: *achieved,
                ..ProgrammeGoal::new("目標", None)
            })
            .collect(),
        ..ProgrammeEnrolment::new()
    }
}

fn case_with(period: ProgrammePeriod) -> Case {
    Case {
        programmes: vec![ProgrammeEnrolment {
            period,
            ..ProgrammeEnrolment::new()
        }],
        ..Case::new()
    }
}

#[test]
fn a_six_month_period_ends_the_day_before_the_same_date_six_months_on() {
    let period = ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6);
    assert_eq!(period.planned_end, Some(date!(2025 - 09 - 30)));
    assert_eq!(period.end(), Some(date!(2025 - 09 - 30)));
    // A year from 1 April is 31 March.
    assert_eq!(period.latest_end(), Some(date!(2026 - 03 - 31)));
    // From 31 August: 30 August is followed by 28 February (no 30th).
    let late_month = ProgrammePeriod::of_months(date!(2025 - 08 - 31), 6);
    assert_eq!(late_month.planned_end, Some(date!(2026 - 02 - 28)));
    // A leap day: a year on ends on 28 February.
    let leap = ProgrammePeriod::of_months(date!(2024 - 02 - 29), 12);
    assert_eq!(leap.planned_end, Some(date!(2025 - 02 - 28)));
    assert_eq!(ProgrammePeriod::default().latest_end(), None);
}

#[test]
fn the_period_ends_at_the_last_dated_extension() {
    let mut period = ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6);
    period.extensions.push(ProgrammeExtension::new(
        date!(2025 - 12 - 31),
        "応募を続ける",
    ));
    period.extensions.push(ProgrammeExtension {
        new_end: None,
        ..ProgrammeExtension::new(date!(2000 - 01 - 01), "記入中")
    });
    assert_eq!(period.end(), Some(date!(2025 - 12 - 31)));
    period
        .extensions
        .push(ProgrammeExtension::new(date!(2026 - 03 - 31), "職場実習"));
    assert_eq!(period.end(), Some(date!(2026 - 03 - 31)));
}

#[test]
fn extensions_up_to_a_year_from_the_start_are_valid_and_one_day_more_is_refused() {
    let mut period = ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6);
    period.extensions.push(ProgrammeExtension::new(
        date!(2025 - 12 - 31),
        "応募を続ける",
    ));
    period
        .extensions
        .push(ProgrammeExtension::new(date!(2026 - 03 - 31), "職場実習"));
    assert_eq!(case_with(period.clone()).validate(), Ok(()));

    period.extensions[1].new_end = Some(date!(2026 - 04 - 01));
    let err = case_with(period).validate().expect_err("past a year");
    assert_eq!(err, ValidationError::ProgrammeTooLong);
    assert_eq!(
        err.to_string(),
        "programmes[].period ends more than 12 months after it starts, extensions included"
    );

    // A planned end past a year is refused the same way.
    let long = ProgrammePeriod {
        planned_end: Some(date!(2026 - 04 - 01)),
        ..ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6)
    };
    assert_eq!(
        case_with(long).validate(),
        Err(ValidationError::ProgrammeTooLong)
    );
}

#[test]
fn an_extension_must_end_later_and_a_period_must_run_forwards() {
    let mut period = ProgrammePeriod::of_months(date!(2025 - 04 - 01), 6);
    period
        .extensions
        .push(ProgrammeExtension::new(date!(2025 - 09 - 30), "同じ日"));
    let err = case_with(period).validate().expect_err("not later");
    assert_eq!(
        err.to_string(),
        "programmes[].period.extensions[].new_end does not end later than the end it extends"
    );

    let backwards = ProgrammePeriod {
        start: Some(date!(2025 - 04 - 01)),
        planned_end: Some(date!(2025 - 03 - 31)),
        extensions: Vec::new(),
    };
    assert_eq!(
        case_with(backwards).validate(),
        Err(ValidationError::DatesReversed {
            field: "programmes[].period.start/planned_end"
        })
    );
    // Nothing entered yet, or only a start: valid.
    assert_eq!(case_with(ProgrammePeriod::default()).validate(), Ok(()));
    let started = ProgrammePeriod {
        start: Some(date!(2025 - 04 - 01)),
        ..ProgrammePeriod::default()
    };
    assert_eq!(case_with(started).validate(), Ok(()));
}

#[test]
fn an_enrolment_written_before_periods_reads_with_an_empty_period() {
    let old = r#"{"id":"p1","programme":"就労支援プログラム","kind":"employment",
        "selected_on":"2024-04-15","reviews":[{"id":"r1","date":"2024-07-31","outcome":"continue"}]}"#;
    let e: ProgrammeEnrolment = serde_json::from_str(old).expect("an old enrolment parses");
    assert_eq!(e.period, ProgrammePeriod::default());
    assert_eq!(e.period.end(), None);

    let mut new = e.clone();
    new.period = ProgrammePeriod::of_months(date!(2024 - 04 - 22), 6);
    new.period
        .extensions
        .push(ProgrammeExtension::new(date!(2025 - 01 - 21), "求人を待つ"));
    let json = serde_json::to_value(&new).expect("serialises");
    assert_eq!(json["period"]["start"], "2024-04-22");
    assert_eq!(json["period"]["planned_end"], "2024-10-21");
    assert_eq!(json["period"]["extensions"][0]["new_end"], "2025-01-21");
    let back: ProgrammeEnrolment = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, new);
    let goals_met: ProgrammeReview =
        serde_json::from_str(r#"{"outcome":"goals_met"}"#).expect("parses");
    assert_eq!(goals_met.outcome.label_ja(), "目標達成");
}

#[test]
fn every_kind_has_one_goal_type_and_only_employment_aims_at_a_job() {
    for kind in ProgrammeKind::ALL {
        let listed = GOAL_TYPES.iter().filter(|(k, _)| *k == kind).count();
        assert_eq!(listed, 1, "{kind:?}");
    }
    assert_eq!(
        ProgrammeKind::Employment.goal_type(),
        ProgrammeGoalType::Employment
    );
    let goals_met = ProgrammeKind::ALL
        .iter()
        .filter(|k| k.goal_type() == ProgrammeGoalType::GoalsMet)
        .count();
    assert_eq!(goals_met, 8);
    // A kind not chosen is read from the name.
    let by_name = ProgrammeEnrolment {
        programme: "精神障害者退院支援プログラム".into(),
        ..ProgrammeEnrolment::new()
    };
    assert_eq!(by_name.goal_type(), ProgrammeGoalType::GoalsMet);
    let by_name = ProgrammeEnrolment {
        programme: "就労支援プログラム".into(),
        ..ProgrammeEnrolment::new()
    };
    assert_eq!(by_name.goal_type(), ProgrammeGoalType::Employment);
}

#[test]
fn an_employment_programme_is_achieved_only_by_a_job() {
    let (from, to) = (date!(2025 - 04 - 01), date!(2026 - 03 - 31));
    let goals_only = enrolment(
        ProgrammeKind::Employment,
        &[(date!(2025 - 09 - 30), ProgrammeOutcome::GoalsMet)],
        &[Some(date!(2025 - 06 - 01))],
    );
    assert!(!goals_only.achieved_between(from, to));
    let employed = enrolment(
        ProgrammeKind::Employment,
        &[
            (date!(2025 - 06 - 30), ProgrammeOutcome::Continue),
            (date!(2026 - 03 - 31), ProgrammeOutcome::Employed),
        ],
        &[],
    );
    assert!(employed.achieved_between(from, to));
    // The next fiscal year does not count it again.
    assert!(!employed.achieved_between(date!(2026 - 04 - 01), date!(2027 - 03 - 31)));
}

#[test]
fn a_goals_met_programme_is_achieved_by_the_outcome_or_by_every_goal_marked_achieved() {
    let (from, to) = (date!(2025 - 04 - 01), date!(2026 - 03 - 31));
    let by_review = enrolment(
        ProgrammeKind::Discharge,
        &[(date!(2025 - 10 - 31), ProgrammeOutcome::GoalsMet)],
        &[None],
    );
    assert!(by_review.achieved_between(from, to));
    // Two goals, the second reached on 2 April 2026: achieved in 2026年度,
    // not in 2025年度.
    let by_goals = enrolment(
        ProgrammeKind::DailyLiving,
        &[(date!(2026 - 01 - 31), ProgrammeOutcome::Continue)],
        &[Some(date!(2025 - 12 - 01)), Some(date!(2026 - 04 - 02))],
    );
    assert_eq!(by_goals.goals_met_on(), Some(date!(2026 - 04 - 02)));
    assert!(!by_goals.achieved_between(from, to));
    assert!(by_goals.achieved_between(date!(2026 - 04 - 01), date!(2027 - 03 - 31)));
    // One goal still open: not achieved.
    let open = enrolment(
        ProgrammeKind::SocialParticipation,
        &[],
        &[Some(date!(2025 - 05 - 01)), None],
    );
    assert_eq!(open.goals_met_on(), None);
    assert!(!open.achieved_between(from, to));
    // No goals at all is not "every goal met".
    assert_eq!(
        enrolment(ProgrammeKind::Health, &[], &[]).goals_met_on(),
        None
    );
    // A job goes beyond a readiness goal: it counts too.
    let employed = enrolment(
        ProgrammeKind::EmploymentReadiness,
        &[(date!(2025 - 08 - 31), ProgrammeOutcome::Employed)],
        &[],
    );
    assert!(employed.achieved_between(from, to));
    // Stopped: not achieved.
    let stopped = enrolment(
        ProgrammeKind::EmploymentReadiness,
        &[(date!(2025 - 08 - 31), ProgrammeOutcome::Stop)],
        &[],
    );
    assert!(!stopped.achieved_between(from, to));
}

#[test]
fn the_achievement_rule_reads_months_as_well_as_days() {
    // The research centre applies the same rule to months.
    let months = achievements(
        ProgrammeGoalType::GoalsMet,
        [
            (Some((2025, 6)), ProgrammeOutcome::Continue),
            (None, ProgrammeOutcome::GoalsMet),
        ],
        goals_met([Some((2025, 9)), Some((2025, 7))]),
    );
    assert_eq!(months, [(2025, 9)]);
    assert!(
        achievements(
            ProgrammeGoalType::Employment,
            [(Some((2025, 6)), ProgrammeOutcome::GoalsMet)],
            Some((2025, 9)),
        )
        .is_empty()
    );
}
