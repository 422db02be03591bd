//! 目標とする職業 — the job the client is aiming at, chosen on the disease
//! screen so that the vocational-issue checklist puts first what that job
//! demands (vocational issues differ by disease, type, job and way of
//! working: DOMAIN.md). Kept in ケースマネジメント beside the checklist it
//! orders.

use serde::{Deserialize, Serialize};

/// 目標とする職業: an occupation of the reference database, or the
/// worker's own words when none fits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetOccupation {
    /// The occupation's id in the reference database (`"truck-driver"`);
    /// `None` when the job is given in the worker's own words.
    pub reference_id: Option<String>,
    /// 職業名 — the reference's name when chosen, or the own words
    /// (「配送センターの仕分け」). A job title: not identifying.
    pub name: String,
}

impl TargetOccupation {
    /// An occupation of the reference, with its name as shown when chosen.
    pub fn from_reference(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            reference_id: Some(id.into()),
            name: name.into(),
        }
    }

    /// A job in the worker's own words, trimmed; `None` when blank.
    pub fn own(words: &str) -> Option<Self> {
        let words = words.trim();
        (!words.is_empty()).then(|| Self {
            reference_id: None,
            name: words.to_owned(),
        })
    }

    /// Whether it was given in own words rather than chosen from the reference.
    pub fn is_own_words(&self) -> bool {
        self.reference_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaseManagement;

    #[test]
    fn own_words_are_trimmed_and_blank_words_choose_nothing() {
        assert_eq!(TargetOccupation::own("   "), None);
        let own = TargetOccupation::own(" 配送センターの仕分け ").expect("words");
        assert_eq!(own.name, "配送センターの仕分け");
        assert!(own.is_own_words());
        assert!(!TargetOccupation::from_reference("truck-driver", "トラック運転手").is_own_words());
    }

    #[test]
    fn the_target_occupation_is_saved_with_case_management_and_may_be_absent() {
        let old: CaseManagement =
            serde_json::from_str(r#"{"vocational_issues":[]}"#).expect("an older case reads");
        assert_eq!(old.target_occupation, None);
        let cm = CaseManagement {
            target_occupation: Some(TargetOccupation::from_reference(
                "truck-driver",
                "トラック運転手",
            )),
            ..CaseManagement::default()
        };
        let text = serde_json::to_string(&cm).expect("serialises");
        assert!(text.contains(r#""reference_id":"truck-driver""#), "{text}");
        let back: CaseManagement = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, cm);
        assert!(
            serde_json::from_str::<CaseManagement>(r#"{"target_occupation":{"nmae":"x"}}"#)
                .is_err(),
            "a misspelt field is refused"
        );
    }
}
