//! Consent decides every use (同意).
//!
//! The client's consents are not notes: [`may_use`] answers "may a use of
//! this scope happen for this case on this day?", and every path that uses
//! a case for something other than the worker's own support asks it first:
//! the research record (研究部門への提供), photos and video in the
//! presentation and the printed profile (写真・動画の利用), a send-data file
//! for another agency (関係機関への情報提供), a case shown as a similar case
//! to other workers of the agency (事例検討への活用, [`crate::similar`]).
//! The client's own record
//! (本人携帯記録, [`crate::carry`]) is the client's choice itself: making
//! one records a consent of that scope. A withdrawal acts forwards from
//! its date; a consent given again after a withdrawal is in force again.
//!
//! When the answer is no, [`Refusal`] says why in words a support worker
//! and the client understand, so a screen can say what was left out.

use crate::model::{Case, ConsentRecord, ConsentScope, Date};

/// Why a use may not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No consent of this scope has been given.
    NotGiven(ConsentScope),
    /// The consent is dated after the day asked about.
    NotYet(ConsentScope, Date),
    /// The consent was withdrawn on this date.
    Withdrawn(ConsentScope, Date),
}

impl Refusal {
    /// The scope the refusal is about.
    pub fn scope(self) -> ConsentScope {
        match self {
            Self::NotGiven(scope) | Self::NotYet(scope, _) | Self::Withdrawn(scope, _) => scope,
        }
    }

    /// The reason in Japanese, e.g. 「研究部門への提供への同意がありません」.
    pub fn message_ja(self) -> String {
        let scope = self.scope().label_ja();
        match self {
            Self::NotGiven(_) => format!("「{scope}」への同意がありません"),
            Self::NotYet(_, on) => format!(
                "「{scope}」への同意は{}年{}月{}日からです",
                on.year(),
                u8::from(on.month()),
                on.day()
            ),
            Self::Withdrawn(_, on) => format!(
                "「{scope}」への同意は{}年{}月{}日に撤回されています",
                on.year(),
                u8::from(on.month()),
                on.day()
            ),
        }
    }

    /// The reason in English.
    pub fn message_en(self) -> String {
        let scope = scope_en(self.scope());
        match self {
            Self::NotGiven(_) => format!("There is no consent to {scope}"),
            Self::NotYet(_, on) => format!("The consent to {scope} starts on {on}"),
            Self::Withdrawn(_, on) => format!("The consent to {scope} was withdrawn on {on}"),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_ja())
    }
}

impl std::error::Error for Refusal {}

fn scope_en(scope: ConsentScope) -> &'static str {
    match scope {
        ConsentScope::Registration => "registering the client's information",
        ConsentScope::AgencySharing => "sharing with a related agency",
        ConsentScope::EmployerSharing => "sharing with an employer",
        ConsentScope::Research => "de-identified data for research",
        ConsentScope::CaseStudy => "use as a de-identified similar case within the agency",
        ConsentScope::Media => "using photos and video",
        ConsentScope::Programme => "taking part in a programme",
        ConsentScope::ClientRecord => "the client's own record",
        ConsentScope::Other => "this use",
    }
}

/// Whether a use of `scope` may happen on `day`, given the case's
/// `consents`: yes when one consent of that scope is in force on that day
/// ([`ConsentRecord::in_force_on`]). The one rule every use goes through.
pub fn may_use(consents: &[ConsentRecord], scope: ConsentScope, day: Date) -> Result<(), Refusal> {
    let of_scope = || consents.iter().filter(move |c| c.scope == scope);
    if of_scope().any(|c| c.in_force_on(day)) {
        return Ok(());
    }
    if let Some(on) = of_scope()
        .filter_map(|c| c.withdrawn_on.filter(|w| *w <= day))
        .max()
    {
        return Err(Refusal::Withdrawn(scope, on));
    }
    if let Some(from) = of_scope().filter_map(|c| c.given_on).min() {
        return Err(Refusal::NotYet(scope, from));
    }
    Err(Refusal::NotGiven(scope))
}

impl Case {
    /// [`may_use`] on this case's consents.
    pub fn may_use(&self, scope: ConsentScope, day: Date) -> Result<(), Refusal> {
        may_use(&self.consents, scope, day)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn consent(scope: ConsentScope, given: Option<Date>, withdrawn: Option<Date>) -> ConsentRecord {
        ConsentRecord {
            scope,
            given_on: given,
            withdrawn_on: withdrawn,
            ..ConsentRecord::new()
        }
    }

    #[test]
    fn a_use_without_any_consent_of_its_scope_is_refused() {
        let consents = [consent(
            ConsentScope::Registration,
            Some(date!(2025 - 01 - 01)),
            None,
        )];
        assert_eq!(
            may_use(&consents, ConsentScope::Research, date!(2025 - 06 - 01)),
            Err(Refusal::NotGiven(ConsentScope::Research))
        );
        assert_eq!(
            may_use(&consents, ConsentScope::Registration, date!(2025 - 06 - 01)),
            Ok(())
        );
    }

    #[test]
    fn a_withdrawal_acts_from_its_date_onwards() {
        let consents = [consent(
            ConsentScope::Research,
            Some(date!(2025 - 01 - 15)),
            Some(date!(2025 - 02 - 10)),
        )];
        assert_eq!(
            may_use(&consents, ConsentScope::Research, date!(2025 - 02 - 09)),
            Ok(())
        );
        let refused = may_use(&consents, ConsentScope::Research, date!(2025 - 02 - 10));
        assert_eq!(
            refused,
            Err(Refusal::Withdrawn(
                ConsentScope::Research,
                date!(2025 - 02 - 10)
            ))
        );
        let words = refused.expect_err("refused").message_ja();
        assert!(words.contains("研究部門への提供"), "{words}");
        assert!(words.contains("2025年2月10日に撤回"), "{words}");
    }

    #[test]
    fn a_consent_given_again_after_a_withdrawal_is_in_force() {
        let consents = [
            consent(
                ConsentScope::Media,
                Some(date!(2025 - 01 - 01)),
                Some(date!(2025 - 02 - 01)),
            ),
            consent(ConsentScope::Media, Some(date!(2025 - 03 - 01)), None),
        ];
        assert!(may_use(&consents, ConsentScope::Media, date!(2025 - 02 - 15)).is_err());
        assert_eq!(
            may_use(&consents, ConsentScope::Media, date!(2025 - 03 - 01)),
            Ok(())
        );
    }

    #[test]
    fn a_consent_dated_later_does_not_cover_an_earlier_day() {
        let consents = [consent(
            ConsentScope::AgencySharing,
            Some(date!(2025 - 05 - 01)),
            None,
        )];
        assert_eq!(
            may_use(
                &consents,
                ConsentScope::AgencySharing,
                date!(2025 - 04 - 30)
            ),
            Err(Refusal::NotYet(
                ConsentScope::AgencySharing,
                date!(2025 - 05 - 01)
            ))
        );
    }

    #[test]
    fn an_undated_consent_is_not_in_force() {
        let consents = [consent(ConsentScope::Media, None, None)];
        assert_eq!(
            may_use(&consents, ConsentScope::Media, date!(2025 - 04 - 30)),
            Err(Refusal::NotGiven(ConsentScope::Media))
        );
    }
}
