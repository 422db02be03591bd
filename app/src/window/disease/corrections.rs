//! Putting right what was entered by mistake, on the disease screen: the
//! type (病型), 「この疾患を削除」 with a reason, and 「訂正」 on a status
//! entry. Nothing is deleted or overwritten (tsunagi_core's
//! `model::corrections`): a removed disease is listed under 削除した疾患,
//! and a corrected entry stays in the history beside its correction.

use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::Date;
use tsunagi_core::model::{AmendError, Disease, DiseaseStatus, Section, StatusChange};

use super::{DiseaseController, State, apply, format_date, parse_date, today};
use crate::window::i18n::{tr, tr_fill};
use crate::window::session::Session;
use crate::window::ui::{AppWindow, DiseaseAdapter, DiseaseChoice};

/// What the correction form starts from: the entry's status (an index into
/// [`DiseaseStatus::ALL`]), its date as shown, and its note.
#[derive(Clone, PartialEq, Eq)]
pub struct CorrectionDraft {
    /// The status, as an index into [`DiseaseStatus::ALL`].
    pub status: usize,
    /// The date as the screen shows it, or "" when unknown.
    pub date: String,
    /// The note. Identifying.
    pub note: String,
}

impl DiseaseController {
    /// The type (病型) of the disease shown, or "".
    pub fn subtype(&self) -> &str {
        self.disease().map_or("", |d| d.subtype.as_str())
    }

    /// Sets the type (病型) of the disease shown. Returns the section to
    /// save, or `None` when nothing changed.
    pub fn set_subtype(&mut self, text: &str) -> Option<Section> {
        if self.read_only {
            return None;
        }
        let at = self.selected;
        let disease = self.basic.diseases.get_mut(at)?;
        disease
            .set_subtype(text)
            .then(|| Section::Basic(self.basic.clone()))
    }

    /// Removes the disease shown, on `on`, for `reason`: it leaves the tabs
    /// and the checklist and is listed under 削除した疾患. The first
    /// current disease is shown next. `Ok(None)` when there is nothing to
    /// remove or the account may only read.
    pub fn remove_disease(
        &mut self,
        on: Date,
        reason: &str,
    ) -> Result<Option<Section>, AmendError> {
        if self.read_only || self.disease().is_none() {
            return Ok(None);
        }
        let at = self.selected;
        let Some(disease) = self.basic.diseases.get_mut(at) else {
            return Ok(None);
        };
        disease.remove(on, &self.account, reason)?;
        self.selected = self.current_indices().first().copied().unwrap_or(0);
        Ok(Some(Section::Basic(self.basic.clone())))
    }

    /// The correction form's starting values for the entry `id` of the
    /// disease shown, if it has one.
    pub fn correction_draft(&self, id: &str) -> Option<CorrectionDraft> {
        let entry = self.disease()?.status_history.iter().find(|c| c.id == id)?;
        Some(CorrectionDraft {
            status: DiseaseStatus::ALL
                .iter()
                .position(|s| *s == entry.status)
                .unwrap_or(0),
            date: entry.date.map(format_date).unwrap_or_default(),
            note: entry.note.expose().clone(),
        })
    }

    /// Corrects the entry `id` of the disease shown: `status`, `date` and
    /// `note` are what is right; the correction is made on `on` for
    /// `reason`. The wrong entry stays in the history.
    pub fn correct_status(
        &mut self,
        id: &str,
        status: DiseaseStatus,
        date: Date,
        note: &str,
        on: Date,
        reason: &str,
    ) -> Result<Option<Section>, AmendError> {
        if self.read_only {
            return Ok(None);
        }
        let at = self.selected;
        let Some(disease) = self.basic.diseases.get_mut(at) else {
            return Ok(None);
        };
        let corrected = StatusChange::new(date, status, note.trim());
        disease.correct_status(id, corrected, on, &self.account, reason)?;
        Ok(Some(Section::Basic(self.basic.clone())))
    }

    /// 削除した疾患: each removed disease with when, by whom and why.
    pub fn removed_rows(&self) -> Vec<DiseaseChoice> {
        self.basic
            .removed_diseases()
            .map(|d| {
                let title = match d.subtype.trim() {
                    "" => d.name.clone(),
                    subtype => format!("{}（{subtype}）", d.name),
                };
                let detail = d.removed.as_ref().map_or_else(String::new, |r| {
                    tr_fill(
                        "{}に削除（{}）：{}",
                        &[
                            &r.on.map(format_date).unwrap_or_default(),
                            r.by.expose(),
                            r.reason.expose(),
                        ],
                    )
                });
                DiseaseChoice {
                    id: d.id.as_str().into(),
                    title: title.into(),
                    detail: detail.into(),
                }
            })
            .collect()
    }
}

/// What the history says beside the entry `id` of `disease`: for a
/// corrected entry what is right instead, for a correction what it
/// corrects, when, by whom and why; "" for neither.
pub(super) fn remark(disease: &Disease, id: &str) -> String {
    let said = |c: &StatusChange| {
        tr_fill(
            "{} {}",
            &[
                &c.date.map(format_date).unwrap_or_default(),
                tr(c.status.label_ja()),
            ],
        )
    };
    let Some(entry) = disease.status_history.iter().find(|c| c.id == id) else {
        return String::new();
    };
    if let Some(fix) = disease.correction_of(id) {
        return tr_fill("正しくは「{}」", &[&said(fix)]);
    }
    let Some(k) = &entry.corrects else {
        return String::new();
    };
    let wrong = disease
        .status_history
        .iter()
        .find(|c| c.id == k.entry)
        .map(&said)
        .unwrap_or_default();
    tr_fill(
        "「{}」の訂正（{}・{}）：{}",
        &[
            &wrong,
            &k.on.map(format_date).unwrap_or_default(),
            k.by.expose(),
            k.reason.expose(),
        ],
    )
}

fn refusal(error: AmendError) -> &'static str {
    match error {
        AmendError::NoReason => tr("理由を入力してください。"),
        AmendError::Removed => tr("この疾患は削除されています。"),
        AmendError::NoSuchEntry => tr("訂正する記録が見つかりません。"),
        AmendError::AlreadyCorrected => {
            tr("この記録はすでに訂正されています。訂正後の記録を訂正してください。")
        }
    }
}

/// Connects the type, the removal and the corrections to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, state: &Arc<State>) {
    let adapter = window.global::<DiseaseAdapter<'_>>();

    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(state));
    adapter.on_subtype_changed(move |text| {
        let Some(window) = weak.upgrade() else { return };
        apply(&s, &st, &window, &mut |c, _| c.set_subtype(&text));
    });

    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(state));
    adapter.on_remove_disease(move |reason| {
        let Some(window) = weak.upgrade() else { return };
        let on = today(&s);
        let mut refused = None;
        apply(&s, &st, &window, &mut |c, _| {
            c.remove_disease(on, &reason).unwrap_or_else(|e| {
                refused = Some(e);
                None
            })
        });
        let adapter = window.global::<DiseaseAdapter<'_>>();
        match refused {
            Some(error) => adapter.set_removal_error(refusal(error).into()),
            None => {
                adapter.set_removal_error(SharedString::new());
                adapter.set_removal_reason(SharedString::new());
                adapter.set_confirming_removal(false);
            }
        }
    });

    let (weak, st) = (window.as_weak(), Arc::clone(state));
    adapter.on_start_correction(move |id| {
        let Some(window) = weak.upgrade() else { return };
        let draft = st
            .open()
            .as_ref()
            .and_then(|o| o.controller.correction_draft(&id));
        let Some(draft) = draft else { return };
        let adapter = window.global::<DiseaseAdapter<'_>>();
        adapter.set_fix_status(i32::try_from(draft.status).unwrap_or(0));
        adapter.set_fix_date(draft.date.into());
        adapter.set_fix_note(draft.note.into());
        adapter.set_fix_reason(SharedString::new());
        adapter.set_correction_error(SharedString::new());
        adapter.set_correcting(id);
    });

    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(state));
    adapter.on_correct_status(move |id, status, date, note, reason| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DiseaseAdapter<'_>>();
        let Some(date) = parse_date(&date) else {
            adapter.set_correction_error(tr("日付を「2026/11/25」の形で入力してください。").into());
            return;
        };
        let status = usize::try_from(status)
            .ok()
            .and_then(|i| DiseaseStatus::ALL.get(i).copied())
            .unwrap_or_default();
        let on = today(&s);
        let mut refused = None;
        apply(&s, &st, &window, &mut |c, _| {
            c.correct_status(&id, status, date, &note, on, &reason)
                .unwrap_or_else(|e| {
                    refused = Some(e);
                    None
                })
        });
        match refused {
            Some(error) => adapter.set_correction_error(refusal(error).into()),
            None => {
                adapter.set_correction_error(SharedString::new());
                adapter.set_correcting(SharedString::new());
            }
        }
    });
}

/// Puts the type and the removed diseases on the screen.
pub(super) fn show(window: &AppWindow, c: &DiseaseController) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_subtype(c.subtype().into());
    adapter.set_removed(ModelRc::new(VecModel::from(c.removed_rows())));
}

/// Empties this part of the screen, drafts included.
pub(super) fn clear(window: &AppWindow) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_subtype(SharedString::new());
    adapter.set_removed(ModelRc::default());
    adapter.set_confirming_removal(false);
    adapter.set_removal_reason(SharedString::new());
    adapter.set_removal_error(SharedString::new());
    adapter.set_correcting(SharedString::new());
    adapter.set_fix_status(0);
    adapter.set_fix_date(SharedString::new());
    adapter.set_fix_note(SharedString::new());
    adapter.set_fix_reason(SharedString::new());
    adapter.set_correction_error(SharedString::new());
}
