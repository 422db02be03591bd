//! 目標とする職業 on the disease screen: the job the checklist is looked at
//! for. It is saved in case management, either as an occupation of the
//! reference or in the worker's own words (then the checklist follows the
//! reference occupation those words most likely mean). Until one is saved,
//! the job of the case's hire or job match is suggested, and the checklist
//! follows the suggestion.

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use tsunagi_core::model::{Case, Section, TargetOccupation};
use tsunagi_core::reference::{OccupationId, ReferenceDb};

use super::{DiseaseController, MAX_HITS};
use crate::window::i18n::{self, tr, tr_fill};
use crate::window::ui::{AppWindow, DiseaseAdapter, DiseaseChoice};

impl DiseaseController {
    /// The reference occupation the checklist follows: the saved target's
    /// (for own words, the best match of the words), or else the first
    /// suggestion.
    pub(super) fn resolved_occupation(&self, db: &ReferenceDb) -> Option<OccupationId> {
        match &self.management.target_occupation {
            Some(TargetOccupation {
                reference_id: Some(id),
                ..
            }) => OccupationId::new(id)
                .ok()
                .filter(|id| db.occupation(id).is_some()),
            Some(target) => best_occupation(db, &target.name),
            None => self.candidates.first().map(|(id, _)| id.clone()),
        }
    }

    /// The target occupation saved with the case, if any.
    pub fn target(&self) -> Option<&TargetOccupation> {
        self.management.target_occupation.as_ref()
    }

    /// Saves the reference occupation `id` as the target, or (`None`)
    /// takes the saved target away, the suggestion coming back. Returns the
    /// section to save. A read-only account may look at the checklist for
    /// another job, but nothing is saved.
    pub fn set_occupation(&mut self, db: &ReferenceDb, id: Option<&str>) -> Option<Section> {
        let target = match id {
            Some(id) => {
                let id = OccupationId::new(id).ok()?;
                let entry = db.occupation(&id)?;
                Some(TargetOccupation::from_reference(
                    id.as_str(),
                    entry.name.ja.clone(),
                ))
            }
            None => None,
        };
        self.save_target(db, target)
    }

    /// Saves `words` as the target in the worker's own words (blank words
    /// change nothing).
    pub fn set_own_occupation(&mut self, db: &ReferenceDb, words: &str) -> Option<Section> {
        let target = TargetOccupation::own(words)?;
        self.save_target(db, Some(target))
    }

    fn save_target(
        &mut self,
        db: &ReferenceDb,
        target: Option<TargetOccupation>,
    ) -> Option<Section> {
        if self.read_only {
            self.occupation = match &target {
                Some(t) => t
                    .reference_id
                    .as_deref()
                    .and_then(|id| OccupationId::new(id).ok())
                    .or_else(|| best_occupation(db, &t.name)),
                None => None,
            };
            return None;
        }
        if self.management.target_occupation == target {
            return None;
        }
        self.management.target_occupation = target;
        self.occupation = self.resolved_occupation(db);
        Some(Section::CaseManagement(self.management.clone()))
    }

    /// What the screen says under the target: where a suggestion comes
    /// from, or which reference occupation own words are read as.
    fn occupation_note(&self, db: &ReferenceDb) -> String {
        let name = |id: &OccupationId| db.occupation(id).map(|o| i18n::text(&o.name));
        match (self.target(), &self.occupation) {
            (Some(t), Some(id)) if t.is_own_words() => tr_fill(
                "チェックリストは近い職業「{}」の要件で並べています。",
                &[name(id).unwrap_or_default()],
            ),
            (Some(t), None) if t.is_own_words() => tr(
                "共有データベースに近い職業が見つからないため、職業による並べ替えはしていません。",
            )
            .to_owned(),
            (None, Some(id)) if !self.read_only => {
                let from = self
                    .candidates
                    .iter()
                    .find(|(c, _)| c == id)
                    .map(|(_, from)| from.as_str())
                    .unwrap_or_default();
                tr_fill("「{}」からの候補です。まだ保存されていません。", &[from])
            }
            _ => String::new(),
        }
    }

    /// Occupations suggested from the case's hire and job match, but the
    /// one the checklist follows now.
    fn candidate_rows(&self, db: &ReferenceDb) -> Vec<DiseaseChoice> {
        self.candidates
            .iter()
            .filter(|(id, _)| Some(id) != self.occupation.as_ref())
            .filter_map(|(id, from)| {
                let o = db.occupation(id)?;
                Some(DiseaseChoice {
                    id: id.as_str().into(),
                    title: i18n::text(&o.name).into(),
                    detail: tr_fill("「{}」から", &[from]).into(),
                })
            })
            .collect()
    }
}

/// Occupations of the reference that the case's hire (職名) or the duties
/// and tasks of its employers name, hire first, each once.
pub(super) fn candidates(case: &Case, db: &ReferenceDb) -> Vec<(OccupationId, String)> {
    let mut words: Vec<&str> = Vec::new();
    if let Some(hire) = &case.monitoring.hire {
        words.push(&hire.job_title);
    }
    for employer in &case.job_match.employers {
        words.extend(employer.negotiated.duties.iter().map(String::as_str));
        words.extend(employer.proposed.duties.iter().map(String::as_str));
        words.extend(employer.tasks.iter().map(|t| t.name.as_str()));
    }
    let mut found: Vec<(OccupationId, String)> = Vec::new();
    // Duties may name tasks by their ids: those are not job titles.
    let is_id = |w: &str| w.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    for word in words.into_iter().map(str::trim).filter(|w| !is_id(w)) {
        if let Some(o) = best_occupation(db, word)
            && !found.iter().any(|(id, _)| *id == o)
        {
            found.push((o, word.to_owned()));
        }
        if found.len() >= 4 {
            break;
        }
    }
    found
}

/// The occupation a free-text job title most likely means: the best hit for
/// the whole title, or else for its longest leading part that finds one
/// (「検品スタッフ」 → 「検品」 → 検品・検査).
pub(super) fn best_occupation(db: &ReferenceDb, title: &str) -> Option<OccupationId> {
    let chars: Vec<char> = title.trim().chars().collect();
    (2..=chars.len()).rev().find_map(|n| {
        let part: String = chars[..n].iter().collect();
        db.search_occupations(&part).first().map(|o| o.id.clone())
    })
}

/// The search hits for `text` among the reference's occupations.
pub(super) fn hits(db: &ReferenceDb, text: &str) -> Vec<DiseaseChoice> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    db.search_occupations(text)
        .into_iter()
        .take(MAX_HITS)
        .map(|o| DiseaseChoice {
            id: o.id.as_str().into(),
            title: i18n::text(&o.name).into(),
            detail: i18n::text(&o.description).into(),
        })
        .collect()
}

/// Puts the target occupation on the screen.
pub(super) fn show(window: &AppWindow, c: &DiseaseController, db: &ReferenceDb) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    let shown = c.occupation.as_ref().and_then(|id| db.occupation(id));
    adapter.set_occupation(
        shown
            .map(|o| i18n::text(&o.name))
            .unwrap_or_default()
            .into(),
    );
    adapter.set_occupation_id(
        c.occupation
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default()
            .into(),
    );
    adapter.set_occupation_saved(c.target().is_some() || (c.read_only && c.occupation.is_some()));
    adapter.set_occupation_own(
        c.target()
            .filter(|t| t.is_own_words())
            .map(|t| t.name.clone())
            .unwrap_or_default()
            .into(),
    );
    adapter.set_occupation_note(c.occupation_note(db).into());
    adapter.set_occupation_candidates(ModelRc::new(VecModel::from(c.candidate_rows(db))));
    if c.target().is_some_and(TargetOccupation::is_own_words) {
        adapter.set_occupation_words(SharedString::new());
    }
}

/// Empties the target occupation's part of the screen.
pub(super) fn clear(window: &AppWindow) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_occupation(SharedString::new());
    adapter.set_occupation_id(SharedString::new());
    adapter.set_occupation_saved(false);
    adapter.set_occupation_own(SharedString::new());
    adapter.set_occupation_note(SharedString::new());
    adapter.set_occupation_words(SharedString::new());
    adapter.set_occupation_candidates(ModelRc::default());
}
