//! Putting right what was entered by mistake in 疾患・障害情報, without
//! losing it. Workers asked that disease information be editable whenever
//! the client's state changes (seed 000, §3-2-(2)-イ); the record still has
//! to show what was believed before, and who changed it:
//!
//! - a disease entered by mistake is **removed** (削除): it keeps its place
//!   in the case with the date, the account and the reason, leaves every
//!   current view — the screen's tabs, the checklist, the documents, the
//!   research record, the client's own record — and is listed under
//!   「削除した疾患」;
//! - a wrong status entry (病状の記録) is **corrected** (訂正): a new entry
//!   says what is right and names the entry it corrects, with the date, the
//!   account and the reason. The wrong entry is kept as it was; the current
//!   status, the relapses and the documents read the corrected history,
//!   and the screen's history shows both.
//!
//! Nothing here deletes or overwrites an entry.

use serde::{Deserialize, Serialize};

use super::{BasicInfo, Date, Disease, StatusChange};
use crate::pii::Identifying;

/// 削除 — why and by whom a disease was removed from the case's current
/// record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Removal {
    /// 削除日 — when.
    pub on: Option<Date>,
    /// 削除した人 — the account that removed it. Identifying (a person's name).
    pub by: Identifying<String>,
    /// 理由 — e.g. 「別の利用者の疾患を誤って登録」. Identifying (free text).
    pub reason: Identifying<String>,
}

/// 訂正 — carried by a status entry that corrects an earlier one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Correction {
    /// The id of the entry corrected (a `status_history[].id` of the same
    /// disease). That entry is kept unchanged.
    pub entry: String,
    /// 訂正日 — when the correction was made (not when the change happened:
    /// that is the correcting entry's own date).
    pub on: Option<Date>,
    /// 訂正した人 — the account. Identifying (a person's name).
    pub by: Identifying<String>,
    /// 理由 — e.g. 「日付を誤って入力」. Identifying (free text).
    pub reason: Identifying<String>,
}

/// Why a removal or a correction was refused. Names no value of the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmendError {
    /// Removing or correcting needs a reason, so that the history explains itself.
    #[error("a reason is needed to remove a disease or correct an entry")]
    NoReason,
    /// The disease was removed already; a removed disease is not edited.
    #[error("the disease has been removed")]
    Removed,
    /// The disease has no status entry with the id given.
    #[error("the disease has no status entry with that id")]
    NoSuchEntry,
    /// The entry was corrected already: correct its correction instead.
    #[error("the entry has been corrected already; correct the correction instead")]
    AlreadyCorrected,
}

fn reason_given(reason: &str) -> Result<String, AmendError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(AmendError::NoReason)
    } else {
        Ok(reason.to_owned())
    }
}

impl Disease {
    /// Whether the disease was removed (削除): it stays in the case for the
    /// history but in no current view.
    pub fn is_removed(&self) -> bool {
        self.removed.is_some()
    }

    /// Removes the disease from the current record on `on`, by the account
    /// `by`, for `reason` (required). Its entry, history and notes are kept.
    pub fn remove(&mut self, on: Date, by: &str, reason: &str) -> Result<(), AmendError> {
        if self.is_removed() {
            return Err(AmendError::Removed);
        }
        self.removed = Some(Removal {
            on: Some(on),
            by: Identifying::new(by.to_owned()),
            reason: Identifying::new(reason_given(reason)?),
        });
        Ok(())
    }

    /// Sets the type (病型), trimmed. Returns whether it changed; a removed
    /// disease is not changed.
    pub fn set_subtype(&mut self, subtype: &str) -> bool {
        let subtype = subtype.trim();
        if self.is_removed() || self.subtype == subtype {
            return false;
        }
        subtype.clone_into(&mut self.subtype);
        true
    }

    /// The entry that corrects the entry `id`, if it was corrected.
    pub fn correction_of(&self, id: &str) -> Option<&StatusChange> {
        if id.is_empty() {
            return None;
        }
        self.status_history
            .iter()
            .find(|c| c.id != id && c.corrects.as_ref().is_some_and(|k| k.entry == id))
    }

    /// Whether the entry `id` was corrected by a later entry.
    pub fn is_corrected(&self, id: &str) -> bool {
        self.correction_of(id).is_some()
    }

    /// The history as it now stands, oldest first: every entry but those a
    /// correction replaced. The current status and the documents read this;
    /// [`status_history`](Disease::status_history) keeps both.
    pub fn current_history(&self) -> impl Iterator<Item = &StatusChange> {
        self.status_history
            .iter()
            .filter(|c| !self.is_corrected(&c.id))
    }

    /// Corrects the entry `entry` with `corrected` (its date, status and
    /// note are what is right), on `on`, by the account `by`, for `reason`
    /// (required). The wrong entry is kept; `corrected` is added to the
    /// history naming it. Returns the new entry's id.
    pub fn correct_status(
        &mut self,
        entry: &str,
        mut corrected: StatusChange,
        on: Date,
        by: &str,
        reason: &str,
    ) -> Result<String, AmendError> {
        if self.is_removed() {
            return Err(AmendError::Removed);
        }
        let reason = reason_given(reason)?;
        if entry.is_empty() || !self.status_history.iter().any(|c| c.id == entry) {
            return Err(AmendError::NoSuchEntry);
        }
        if self.is_corrected(entry) {
            return Err(AmendError::AlreadyCorrected);
        }
        if corrected.id.is_empty() || corrected.id == entry {
            corrected.id = super::new_item_id();
        }
        corrected.corrects = Some(Correction {
            entry: entry.to_owned(),
            on: Some(on),
            by: Identifying::new(by.to_owned()),
            reason: Identifying::new(reason),
        });
        let id = corrected.id.clone();
        self.record_status(corrected);
        Ok(id)
    }
}

impl BasicInfo {
    /// The diseases of the current record, in the case's order: those not
    /// removed. Screens, documents and exports list these.
    pub fn current_diseases(&self) -> impl Iterator<Item = &Disease> {
        self.diseases.iter().filter(|d| !d.is_removed())
    }

    /// The diseases removed (削除した疾患), in the case's order.
    pub fn removed_diseases(&self) -> impl Iterator<Item = &Disease> {
        self.diseases.iter().filter(|d| d.is_removed())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::model::DiseaseStatus;

    fn uc_with_history() -> Disease {
        let mut d = Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎");
        d.record_status(StatusChange::new(
            date!(2020 - 04 - 01),
            DiseaseStatus::Onset,
            "診断",
        ));
        d.record_status(StatusChange::new(
            date!(2026 - 11 - 20),
            DiseaseStatus::Relapse,
            "下痢が増えた",
        ));
        d
    }

    #[test]
    fn a_removed_disease_is_kept_with_its_reason_but_leaves_the_current_record() {
        let mut basic = BasicInfo::default();
        basic.diseases.push(uc_with_history());
        basic
            .diseases
            .push(Disease::new(Some("crohns-disease"), "クローン病"));
        assert_eq!(
            basic.diseases[1].remove(date!(2026 - 11 - 25), "worker", "  "),
            Err(AmendError::NoReason),
            "a removal without a reason is refused"
        );
        assert!(!basic.diseases[1].is_removed());
        basic.diseases[1]
            .remove(
                date!(2026 - 11 - 25),
                "worker",
                " 別の方の病名を誤って登録 ",
            )
            .expect("removed");

        assert_eq!(basic.diseases.len(), 2, "never physically deleted");
        let current: Vec<&str> = basic.current_diseases().map(|d| d.name.as_str()).collect();
        assert_eq!(current, ["潰瘍性大腸炎"]);
        let removed: Vec<&Disease> = basic.removed_diseases().collect();
        assert_eq!(removed.len(), 1);
        let removal = removed[0].removed.as_ref().expect("the removal");
        assert_eq!(removal.on, Some(date!(2026 - 11 - 25)));
        assert_eq!(removal.by.expose(), "worker");
        assert_eq!(removal.reason.expose(), "別の方の病名を誤って登録");
        assert_eq!(
            basic.diseases[1].remove(date!(2026 - 11 - 26), "worker", "again"),
            Err(AmendError::Removed)
        );
        assert!(
            !basic.diseases[1].set_subtype("小腸型"),
            "a removed disease is not edited"
        );
    }

    #[test]
    fn the_subtype_can_be_changed_and_is_trimmed() {
        let mut d = uc_with_history();
        assert!(d.set_subtype(" 全大腸炎型 "));
        assert_eq!(d.subtype, "全大腸炎型");
        assert!(!d.set_subtype("全大腸炎型"), "no change, nothing to save");
        assert!(d.set_subtype("左側大腸炎型"));
        assert_eq!(d.subtype, "左側大腸炎型");
    }

    #[test]
    fn a_correction_keeps_the_wrong_entry_and_the_current_status_reads_the_correction() {
        let mut d = uc_with_history();
        let wrong = d.status_history[1].id.clone();
        assert_eq!(d.current_status(), Some(DiseaseStatus::Relapse));
        assert_eq!(
            d.correct_status(
                &wrong,
                StatusChange::new(date!(2026 - 11 - 20), DiseaseStatus::Improvement, ""),
                date!(2026 - 11 - 25),
                "worker",
                "",
            ),
            Err(AmendError::NoReason)
        );
        let id = d
            .correct_status(
                &wrong,
                StatusChange::new(date!(2026 - 11 - 20), DiseaseStatus::Improvement, "軽快"),
                date!(2026 - 11 - 25),
                "worker",
                "再燃ではなく改善と聞き違えた",
            )
            .expect("corrected");

        assert_eq!(d.status_history.len(), 3, "both entries are kept");
        let kept = d
            .status_history
            .iter()
            .find(|c| c.id == wrong)
            .expect("the wrong entry");
        assert_eq!(kept.status, DiseaseStatus::Relapse);
        assert_eq!(kept.note.expose(), "下痢が増えた");
        assert!(kept.corrects.is_none(), "the wrong entry is not altered");
        let fix = d.correction_of(&wrong).expect("the correction");
        assert_eq!(fix.id, id);
        let k = fix.corrects.as_ref().expect("it names what it corrects");
        assert_eq!(k.entry, wrong);
        assert_eq!(k.on, Some(date!(2026 - 11 - 25)));
        assert_eq!(k.by.expose(), "worker");
        assert_eq!(k.reason.expose(), "再燃ではなく改善と聞き違えた");

        assert_eq!(d.current_status(), Some(DiseaseStatus::Improvement));
        assert_eq!(
            d.relapses().count(),
            0,
            "the wrong relapse no longer counts"
        );
        let current: Vec<DiseaseStatus> = d.current_history().map(|c| c.status).collect();
        assert_eq!(current, [DiseaseStatus::Onset, DiseaseStatus::Improvement]);
    }

    #[test]
    fn a_corrected_entry_is_not_corrected_twice_but_its_correction_can_be() {
        let mut d = uc_with_history();
        let wrong = d.status_history[0].id.clone();
        let fix = |status| StatusChange::new(date!(2019 - 04 - 01), status, "");
        let first = d
            .correct_status(
                &wrong,
                fix(DiseaseStatus::Onset),
                date!(2026 - 01 - 01),
                "a",
                "年の誤り",
            )
            .expect("corrected");
        assert_eq!(
            d.correct_status(
                &wrong,
                fix(DiseaseStatus::Other),
                date!(2026 - 01 - 02),
                "a",
                "x"
            ),
            Err(AmendError::AlreadyCorrected)
        );
        d.correct_status(
            &first,
            fix(DiseaseStatus::Other),
            date!(2026 - 01 - 02),
            "a",
            "種類の誤り",
        )
        .expect("the correction is corrected");
        assert_eq!(d.status_history.len(), 4);
        let current: Vec<DiseaseStatus> = d.current_history().map(|c| c.status).collect();
        assert_eq!(current, [DiseaseStatus::Other, DiseaseStatus::Relapse]);
        assert_eq!(
            d.correct_status(
                "no-such",
                fix(DiseaseStatus::Onset),
                date!(2026 - 01 - 03),
                "a",
                "x"
            ),
            Err(AmendError::NoSuchEntry)
        );
    }

    #[test]
    fn a_case_written_before_corrections_existed_still_reads() {
        let json = r#"{"diseases":[{"id":"d1","name":"潰瘍性大腸炎",
            "status_history":[{"id":"s1","date":"2023-10-15","status":"relapse"}]}]}"#;
        let basic: BasicInfo = serde_json::from_str(json).expect("parses");
        let d = &basic.diseases[0];
        assert!(!d.is_removed() && d.status_history[0].corrects.is_none());
        assert_eq!(d.current_status(), Some(DiseaseStatus::Relapse));

        let mut again = basic.clone();
        again.diseases[0]
            .remove(date!(2026 - 11 - 25), "worker", "誤登録")
            .expect("removed");
        let text = serde_json::to_string(&again).expect("serialises");
        let back: BasicInfo = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, again);
        assert_eq!(back.current_diseases().count(), 0);
    }

    #[test]
    fn the_reasons_and_the_accounts_are_identifying() {
        let mut d = uc_with_history();
        let wrong = d.status_history[1].id.clone();
        d.correct_status(
            &wrong,
            StatusChange::new(date!(2026 - 11 - 20), DiseaseStatus::Improvement, ""),
            date!(2026 - 11 - 25),
            "担当者名",
            "訂正の理由",
        )
        .expect("corrected");
        d.remove(date!(2026 - 11 - 26), "担当者名", "削除の理由")
            .expect("removed");
        let text = crate::pii::deidentified(&d).to_string();
        for word in ["担当者名", "訂正の理由", "削除の理由"] {
            assert!(!text.contains(word), "{word} is left in");
        }
    }
}
