//! 疾患と職業的課題: the controller of `ui/app/disease_screen.slint`.
//!
//! [`DiseaseController`] holds the two sections this screen edits — the
//! diseases with their status history ([`Section::Basic`]) and the vocational
//! issues with their accommodations ([`Section::CaseManagement`]) — and turns
//! them, with the reference database, into the checklist rows. Every edit
//! returns the section to save; [`wire`] saves it at once on the store's
//! worker thread (autosave, no save button).
//!
//! Mistakes are put right without being lost (corrections.rs): a disease
//! is removed with a reason and stays under 削除した疾患, a status entry is
//! corrected by a new entry that names it. The target occupation
//! (目標とする職業) is saved in case management; until one is, the job of
//! the case's hire or job match is suggested (occupation.rs).

use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use tsunagi_core::model::{
    Accommodation, BasicInfo, Case, CaseId, CaseManagement, Disease, DiseaseStatus, Section,
    StatusChange, VocationalIssue,
};
use tsunagi_core::reference::{DiseaseId, OccupationId, ReferenceDb};
use tsunagi_core::store::{Role, StoreError};

use super::i18n::{self, tr};
use super::problem::Report;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, DiseaseAdapter, DiseaseChoice, DiseaseTab, Screen};

mod corrections;
mod occupation;
mod reentry;
mod rows;

/// How many search hits the screen lists.
const MAX_HITS: usize = 8;

/// The state of the disease screen for one case. Holds identifying data
/// (the client's name, notes): it has no `Debug`.
pub struct DiseaseController {
    case: CaseId,
    client: String,
    basic: BasicInfo,
    management: CaseManagement,
    /// The disease shown, as its place in `basic.diseases` (removed ones
    /// included); the tabs list only the current ones.
    selected: usize,
    /// The reference occupation the checklist follows: the saved target,
    /// or a suggestion while none is saved.
    occupation: Option<OccupationId>,
    candidates: Vec<(OccupationId, String)>,
    read_only: bool,
    /// The account at work, named in removals and corrections. Identifying.
    account: String,
    /// The case's fields a restore left empty (要再入力), as paths.
    reentry: BTreeSet<String>,
}

impl DiseaseController {
    /// The screen for `case`, its first current disease selected, and as the
    /// target occupation the one saved or else the job of its hire (or job
    /// match), if one is found in `db`.
    pub fn new(case: &Case, db: &ReferenceDb, read_only: bool) -> Self {
        let mut c = Self {
            case: case.id,
            client: case.basic.name.expose().clone(),
            basic: case.basic.clone(),
            management: case.case_management.clone(),
            selected: 0,
            occupation: None,
            candidates: occupation::candidates(case, db),
            read_only,
            account: String::new(),
            reentry: BTreeSet::new(),
        };
        c.selected = c.current_indices().first().copied().unwrap_or(0);
        c.occupation = c.resolved_occupation(db);
        c
    }

    /// Names `account` as the one who removes and corrects.
    pub fn with_account(mut self, account: &str) -> Self {
        account.clone_into(&mut self.account);
        self
    }

    /// Marks the fields at `paths` 要再入力 (a case restored from a backup
    /// without personal data).
    pub fn with_reentry(mut self, paths: impl IntoIterator<Item = String>) -> Self {
        self.reentry = paths.into_iter().collect();
        self
    }

    /// The case shown.
    pub fn case(&self) -> CaseId {
        self.case
    }

    /// The diseases and their history as they now stand.
    #[cfg(test)]
    pub fn basic(&self) -> &BasicInfo {
        &self.basic
    }

    /// The vocational issues as they now stand.
    #[cfg(test)]
    pub fn management(&self) -> &CaseManagement {
        &self.management
    }

    /// The disease shown: never a removed one.
    fn disease(&self) -> Option<&Disease> {
        self.basic
            .diseases
            .get(self.selected)
            .filter(|d| !d.is_removed())
    }

    /// Where the current (not removed) diseases stand in `basic.diseases`,
    /// in the order of the tabs.
    fn current_indices(&self) -> Vec<usize> {
        (0..self.basic.diseases.len())
            .filter(|&i| !self.basic.diseases[i].is_removed())
            .collect()
    }

    /// Adds the reference disease `id` to the case and selects it; selects
    /// it if the case has it already. Returns the section to save.
    pub fn choose_disease(&mut self, db: &ReferenceDb, id: &str) -> Option<Section> {
        // A disease removed as a mistake is not chosen again: choosing it
        // adds a new entry, and the removed one stays in the history.
        if let Some(at) = self
            .basic
            .diseases
            .iter()
            .position(|d| !d.is_removed() && d.reference_id.as_deref() == Some(id))
        {
            self.selected = at;
            return None;
        }
        if self.read_only {
            return None;
        }
        let entry = db.disease(&DiseaseId::new(id).ok()?)?;
        self.basic
            .diseases
            .push(Disease::new(Some(id), entry.name.ja.clone()));
        self.selected = self.basic.diseases.len() - 1;
        Some(Section::Basic(self.basic.clone()))
    }

    /// Shows the disease of tab `index` (ignored when out of range).
    pub fn select(&mut self, index: usize) {
        if let Some(&at) = self.current_indices().get(index) {
            self.selected = at;
        }
    }

    /// The tab of the disease shown.
    fn selected_tab(&self) -> usize {
        self.current_indices()
            .iter()
            .position(|&i| i == self.selected)
            .unwrap_or(0)
    }

    /// Records a status change of the selected disease. The history keeps
    /// every earlier entry.
    pub fn record_status(
        &mut self,
        status: DiseaseStatus,
        date: Date,
        note: &str,
    ) -> Option<Section> {
        if self.read_only {
            return None;
        }
        let disease = self
            .basic
            .diseases
            .get_mut(self.selected)
            .filter(|d| !d.is_removed())?;
        disease.record_status(StatusChange::new(date, status, note.trim()));
        Some(Section::Basic(self.basic.clone()))
    }

    fn issue_mut(&mut self, code: &str) -> &mut VocationalIssue {
        let issues = &mut self.management.vocational_issues;
        let at = match issues.iter().position(|i| i.code.as_deref() == Some(code)) {
            Some(at) => at,
            None => {
                issues.push(VocationalIssue::from_reference(code, false));
                issues.len() - 1
            }
        };
        &mut issues[at]
    }

    fn issue(&self, code: &str) -> Option<&VocationalIssue> {
        self.management
            .vocational_issues
            .iter()
            .find(|i| i.code.as_deref() == Some(code))
    }

    /// Ticks or unticks the reference issue `code` (該当). Unticking keeps the
    /// chosen accommodations, so that ticking again brings them back.
    pub fn set_applicable(&mut self, code: &str, applicable: bool) -> Option<Section> {
        if self.read_only || self.issue(code).map(|i| i.applicable) == Some(applicable) {
            return None;
        }
        if !applicable && self.issue(code).is_none() {
            return None;
        }
        self.issue_mut(code).applicable = applicable;
        Some(self.management_section())
    }

    /// Chooses or drops the reference accommodation `id` for issue `code`.
    pub fn set_accommodation(&mut self, code: &str, id: &str, chosen: bool) -> Option<Section> {
        if self.read_only {
            return None;
        }
        let issue = self.issue_mut(code);
        let has = issue
            .accommodations
            .iter()
            .any(|a| a.reference_id.as_deref() == Some(id));
        match (has, chosen) {
            (false, true) => issue.accommodations.push(Accommodation::from_reference(id)),
            (true, false) => issue
                .accommodations
                .retain(|a| a.reference_id.as_deref() != Some(id)),
            _ => return None,
        }
        Some(self.management_section())
    }

    /// Adds an accommodation in the worker's own words to issue `code`.
    pub fn add_own(&mut self, code: &str, text: &str) -> Option<Section> {
        let text = text.trim();
        if self.read_only || text.is_empty() {
            return None;
        }
        self.issue_mut(code)
            .accommodations
            .push(Accommodation::own(text));
        Some(self.management_section())
    }

    /// Removes the `index`-th own accommodation (in the order shown) of `code`.
    pub fn remove_own(&mut self, code: &str, index: usize) -> Option<Section> {
        if self.read_only {
            return None;
        }
        let issue = self
            .management
            .vocational_issues
            .iter_mut()
            .find(|i| i.code.as_deref() == Some(code))?;
        let at = issue
            .accommodations
            .iter()
            .enumerate()
            .filter(|(_, a)| a.reference_id.is_none())
            .nth(index)?
            .0;
        issue.accommodations.remove(at);
        Some(self.management_section())
    }

    fn management_section(&self) -> Section {
        Section::CaseManagement(self.management.clone())
    }

    /// The selected disease's current status.
    pub fn current_status(&self) -> Option<DiseaseStatus> {
        self.disease().and_then(Disease::current_status)
    }

    /// Whether the checklist should be reviewed: the disease has relapsed
    /// (再燃) or progressed (進行) since it was last stable.
    pub fn needs_review(&self) -> bool {
        matches!(
            self.current_status(),
            Some(DiseaseStatus::Relapse | DiseaseStatus::Progression)
        )
    }

    fn tabs(&self) -> Vec<DiseaseTab> {
        self.basic
            .current_diseases()
            .map(|d| DiseaseTab {
                name: d.name.as_str().into(),
                status: d
                    .current_status()
                    .map(|s| tr(s.label_ja()))
                    .unwrap_or_default()
                    .into(),
            })
            .collect()
    }
}

/// A date as the screen shows it: `2026/11/25`.
pub fn format_date(date: Date) -> String {
    let format = format_description!("[year]/[month]/[day]");
    date.format(&format).unwrap_or_default()
}

/// Reads a date typed as `2026/11/25`, `2026-11-25` or `2026/1/5`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text
        .trim()
        .replace(['-', '.', '年', '月'], "/")
        .replace('日', "");
    let mut parts = text.split('/').map(|p| p.trim().parse::<i32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

// ───────────────────────────── wiring ─────────────────────────────────────

/// What the screen's callbacks share: the open case.
struct State {
    screen: Mutex<Option<Open>>,
}

struct Open {
    controller: DiseaseController,
    db: Arc<ReferenceDb>,
    came_from: Screen,
}

impl State {
    fn open(&self) -> MutexGuard<'_, Option<Open>> {
        self.screen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Shows the disease screen for `case`; 「戻る」 returns to the screen shown
/// now. Call on the UI thread; the case is read on the worker thread.
pub(super) fn open(window: &AppWindow, case: CaseId) {
    window
        .global::<DiseaseAdapter<'_>>()
        .invoke_open_case(case.to_string().into());
}

/// Connects the disease screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    router.offer(|r| r.open_disease = Some(Rc::new(|_, window, case| open(window, case))));
    router.on_lock(|_, window| window.global::<DiseaseAdapter<'_>>().invoke_reset());
    let state = Arc::new(State {
        screen: Mutex::new(None),
    });
    clear(window);
    let adapter = window.global::<DiseaseAdapter<'_>>();

    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(&state));
    adapter.on_open_case(move |id| {
        let Some(window) = weak.upgrade() else { return };
        let Ok(case) = id.parse::<CaseId>() else {
            return;
        };
        load(&s, &st, &window, case);
    });

    let (weak, s, st, router) = (
        window.as_weak(),
        Arc::clone(session),
        Arc::clone(&state),
        Rc::clone(router),
    );
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let left = st.open().take().map(|o| (o.came_from, o.controller.case()));
        clear(&window);
        match left {
            // The case screen holds its own copy of the sections edited
            // here: it reads the case again.
            Some((Screen::Case, case)) => {
                if let Some(open) = router.routes().open_case {
                    open(&s, &window, case);
                }
            }
            Some((screen, _)) => window.set_screen(screen),
            None => window.set_screen(Screen::CaseList),
        }
    });

    let (weak, st) = (window.as_weak(), Arc::clone(&state));
    adapter.on_reset(move || {
        st.open().take();
        if let Some(window) = weak.upgrade() {
            clear(&window);
        }
    });

    let (weak, st) = (window.as_weak(), Arc::clone(&state));
    adapter.on_disease_search_changed(move |text| {
        let Some(window) = weak.upgrade() else { return };
        let hits = st.open().as_ref().map(|o| disease_hits(&o.db, &text));
        let adapter = window.global::<DiseaseAdapter<'_>>();
        adapter.set_disease_results(ModelRc::new(VecModel::from(hits.unwrap_or_default())));
    });

    let (weak, st) = (window.as_weak(), Arc::clone(&state));
    adapter.on_occupation_search_changed(move |text| {
        let Some(window) = weak.upgrade() else { return };
        let hits = st.open().as_ref().map(|o| occupation::hits(&o.db, &text));
        let adapter = window.global::<DiseaseAdapter<'_>>();
        adapter.set_occupation_results(ModelRc::new(VecModel::from(hits.unwrap_or_default())));
    });

    edit(window, session, &state, |adapter, f| {
        adapter.on_choose_disease(move |id| {
            f(&mut |c, db| c.choose_disease(db, &id));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_select_disease(move |index| {
            f(&mut |c, _| {
                c.select(usize::try_from(index).unwrap_or(usize::MAX));
                None
            });
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_issue_toggled(move |code, on| {
            f(&mut |c, _| c.set_applicable(&code, on));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_accommodation_toggled(move |code, id, on| {
            f(&mut |c, _| c.set_accommodation(&code, &id, on));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_own_accommodation_added(move |code, text| {
            f(&mut |c, _| c.add_own(&code, &text));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_own_accommodation_removed(move |code, index| {
            let index = usize::try_from(index).unwrap_or(usize::MAX);
            f(&mut |c, _| c.remove_own(&code, index));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_choose_occupation(move |id| {
            f(&mut |c, db| c.set_occupation(db, Some(&id)));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_clear_occupation(move || {
            f(&mut |c, db| c.set_occupation(db, None));
        });
    });
    edit(window, session, &state, |adapter, f| {
        adapter.on_own_occupation(move |words| {
            f(&mut |c, db| c.set_own_occupation(db, &words));
        });
    });
    corrections::wire(window, session, &state);

    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(&state));
    adapter.on_record_status(move |status, date, note| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DiseaseAdapter<'_>>();
        let Some(date) = parse_date(&date) else {
            adapter.set_date_invalid(true);
            return;
        };
        adapter.set_date_invalid(false);
        let status = usize::try_from(status)
            .ok()
            .and_then(|i| DiseaseStatus::ALL.get(i).copied())
            .unwrap_or_default();
        let saved = apply(&s, &st, &window, &mut |c, _| {
            c.record_status(status, date, &note)
        });
        if saved {
            adapter.set_new_note(SharedString::new());
        }
    });
}

type Edit<'a> = dyn FnMut(&mut DiseaseController, &ReferenceDb) -> Option<Section> + 'a;

/// Registers one editing callback: `register` receives the adapter and a
/// function that applies an edit, shows the result and saves.
fn edit(
    window: &AppWindow,
    session: &Arc<Session>,
    state: &Arc<State>,
    register: impl FnOnce(&DiseaseAdapter<'_>, Box<dyn Fn(&mut Edit<'_>)>),
) {
    let (weak, s, st) = (window.as_weak(), Arc::clone(session), Arc::clone(state));
    let apply_edit = Box::new(move |change: &mut Edit<'_>| {
        if let Some(window) = weak.upgrade() {
            apply(&s, &st, &window, change);
        }
    });
    register(&window.global::<DiseaseAdapter<'_>>(), apply_edit);
}

/// Applies `change` to the open case, shows it, and saves the section it
/// returns. Returns whether something was saved.
fn apply(session: &Arc<Session>, state: &State, window: &AppWindow, change: &mut Edit<'_>) -> bool {
    let mut open = state.open();
    let Some(o) = open.as_mut() else { return false };
    let section = change(&mut o.controller, &o.db);
    show(window, &o.controller, &o.db);
    let case = o.controller.case();
    drop(open);
    let Some(section) = section else { return false };
    let epoch = session.epoch();
    session.run(
        window,
        move |session| session.with_store(|store| store.save_section(case, &section)),
        move |session, window, saved| {
            if session.epoch() != epoch {
                return;
            }
            let adapter = window.global::<DiseaseAdapter<'_>>();
            match saved {
                Some(Ok(_)) => adapter.set_problem(Report::none().problem),
                Some(Err(error)) => show_problem(window, &error),
                None => {}
            }
        },
    );
    true
}

fn show_problem(window: &AppWindow, error: &StoreError) {
    let report = Report::from(error);
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_problem(report.problem);
    adapter.set_problem_detail(report.detail.into());
}

/// Reads the case and the reference on the worker thread, then shows them.
fn load(session: &Arc<Session>, state: &Arc<State>, window: &AppWindow, case: CaseId) {
    clear(window);
    let came_from = match window.get_screen() {
        Screen::Disease => state
            .open()
            .as_ref()
            .map_or(Screen::CaseList, |o| o.came_from),
        other => other,
    };
    *state.open() = None;
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_loading(true);
    adapter.set_new_date(format_date(today(session)).into());
    window.set_screen(Screen::Disease);
    let epoch = session.epoch();
    let state = Arc::clone(state);
    session.run(
        window,
        move |session| {
            let db = session.library().get_or_load(session.dir());
            let case = session.with_store(|store| {
                let account = store.account().clone();
                let loaded = store.load_case(case)?;
                Ok((loaded, account, store.needs_reentry(case)?))
            });
            (db, case)
        },
        move |session, window, (db, case)| {
            if session.epoch() != epoch || window.get_screen() != Screen::Disease {
                return;
            }
            let adapter = window.global::<DiseaseAdapter<'_>>();
            adapter.set_loading(false);
            let db = match db {
                Ok(db) => db,
                Err(error) => {
                    adapter.set_problem(super::ui::Problem::Other);
                    adapter.set_problem_detail(error.to_string().into());
                    return;
                }
            };
            match case {
                Some(Ok((case, account, reentry))) => {
                    let read_only = account.role == Role::ReadOnly;
                    let controller = DiseaseController::new(&case, &db, read_only)
                        .with_reentry(reentry)
                        .with_account(&account.name);
                    show(window, &controller, &db);
                    *state.open() = Some(Open {
                        controller,
                        db,
                        came_from,
                    });
                }
                Some(Err(error)) => show_problem(window, &error),
                None => {}
            }
        },
    );
}

fn today(session: &Session) -> Date {
    OffsetDateTime::now_utc()
        .to_offset(session.utc_offset())
        .date()
}

fn disease_hits(db: &ReferenceDb, text: &str) -> Vec<DiseaseChoice> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    db.search_diseases(text)
        .into_iter()
        .take(MAX_HITS)
        .map(|d| DiseaseChoice {
            id: d.id.as_str().into(),
            title: i18n::text(&d.name).into(),
            detail: format!("{} / {}", d.kana, d.name.en).into(),
        })
        .collect()
}

/// Puts the controller's state on the screen.
fn show(window: &AppWindow, c: &DiseaseController, db: &ReferenceDb) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_client_name(c.client.as_str().into());
    adapter.set_read_only(c.read_only);
    adapter.set_diseases(ModelRc::new(VecModel::from(c.tabs())));
    adapter.set_selected(i32::try_from(c.selected_tab()).unwrap_or(0));
    adapter.set_current_status(
        c.current_status()
            .map(|s| tr(s.label_ja()))
            .unwrap_or_default()
            .into(),
    );
    adapter.set_needs_review(c.needs_review());
    adapter.set_history(ModelRc::new(VecModel::from(c.history())));
    adapter.set_issues(ModelRc::new(VecModel::from(c.checklist(db))));
    occupation::show(window, c, db);
    corrections::show(window, c);
}

/// Empties the screen: no case value stays behind once it is left.
fn clear(window: &AppWindow) {
    let adapter = window.global::<DiseaseAdapter<'_>>();
    adapter.set_client_name(SharedString::new());
    adapter.set_read_only(true);
    adapter.set_loading(false);
    adapter.set_diseases(ModelRc::default());
    adapter.set_selected(0);
    adapter.set_current_status(SharedString::new());
    adapter.set_needs_review(false);
    adapter.set_new_status(1);
    adapter.set_new_note(SharedString::new());
    adapter.set_date_invalid(false);
    adapter.set_history(ModelRc::default());
    adapter.set_issues(ModelRc::default());
    adapter.set_disease_search(SharedString::new());
    adapter.set_disease_results(ModelRc::default());
    adapter.set_occupation_search(SharedString::new());
    adapter.set_occupation_results(ModelRc::default());
    adapter.set_problem(Report::none().problem);
    adapter.set_problem_detail(SharedString::new());
    occupation::clear(window);
    corrections::clear(window);
}

#[cfg(test)]
mod corrections_tests;
#[cfg(test)]
mod tests;
