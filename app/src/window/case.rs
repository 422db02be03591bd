//! The case screen's controller: opening a case from the list, showing the
//! tab's blocks ([`CaseForm`]), saving every edit as it is made, the stage,
//! the consultation quick entry and the history panel.
//!
//! Saving: an edit changes the form at once and is saved on the store's
//! worker thread 400 ms after the last keystroke, at once when another field
//! is edited, a field is left or Enter is pressed, and before leaving the
//! screen, locking or closing the app ([`flush_and_wait`]). Nothing typed
//! more than that pause ago is lost if the app is killed.
//!
//! Threads: the open case lives in the screen's [`CaseScreen`] on the UI
//! thread; only the store calls run on the worker thread.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, Timer, VecModel};
use time::{Date, OffsetDateTime};
use tsunagi_core::model::{Case, CaseId, Section};
use tsunagi_core::store::{Account, Revision, Role, StoreError};

pub use super::case_form::{
    BlockView, CaseForm, EditError, FieldView, Kind, Tab, parse_date, show_date,
};
use super::case_query::{format_time, stage_index};
use super::case_rows::refresh;
use super::plan_revisions;
use super::problem::Report;
use super::router::{CarryRequest, MediaRequest, Router};
use super::session::Session;
use super::ui::{
    AppWindow, CaseAdapter, CaseBlock, CaseField, CaseListAdapter, FieldKind, HistoryRow,
    PlanRevisionsAdapter, SaveState, Screen,
};

use super::session::SAVE_PAUSE;

/// The open case on the UI thread.
struct Open {
    form: CaseForm,
    tab: Tab,
    author: String,
    can_edit: bool,
    /// The field whose edits wait for the pause.
    pending: Option<String>,
    /// Saves asked for and not yet answered.
    in_flight: u32,
    /// The sections whose last save failed: the screen says so until a
    /// later save of each succeeds.
    failed: std::collections::BTreeSet<tsunagi_core::model::SectionName>,
    /// The fields a restore left empty, to be filled in again (要再入力),
    /// as the store had them after the last save.
    reentry: BTreeSet<String>,
}

/// The case screen's state on the UI thread: the open case, and the pause
/// after the last keystroke before a save.
#[derive(Default)]
pub(super) struct CaseScreen {
    open: RefCell<Option<Open>>,
    pause: Timer,
}

impl CaseScreen {
    /// Runs `f` on the open case; `None` when no case is open.
    fn with_open<R>(&self, f: impl FnOnce(&mut Open) -> R) -> Option<R> {
        self.open.borrow_mut().as_mut().map(f)
    }
}

/// A case's blocks as the screen's rows, the fields at the paths in
/// `reentry` marked 要再入力.
pub fn ui_blocks(blocks: &[BlockView], reentry: &BTreeSet<String>) -> Vec<CaseBlock> {
    blocks.iter().map(|b| ui_block(b, reentry)).collect()
}

fn ui_block(block: &BlockView, reentry: &BTreeSet<String>) -> CaseBlock {
    CaseBlock {
        title: block.title.as_str().into(),
        path: block.path.as_str().into(),
        level: block.level,
        fields: ModelRc::new(VecModel::from(
            block
                .fields
                .iter()
                .map(|f| ui_field(f, reentry.contains(&f.path)))
                .collect::<Vec<_>>(),
        )),
        add_label: block.add_label.as_str().into(),
        add_path: block.add_path.as_str().into(),
        remove_path: block.remove_path.as_str().into(),
        action_label: block.action_label.as_str().into(),
        action_path: block.action_path.as_str().into(),
    }
}

fn ui_field(field: &FieldView, reentry: bool) -> CaseField {
    CaseField {
        path: field.path.as_str().into(),
        label: field.label.as_str().into(),
        a11y: field.a11y.as_str().into(),
        kind: match field.kind {
            Kind::Text => FieldKind::Text,
            Kind::Multiline => FieldKind::Multiline,
            Kind::Int | Kind::Float => FieldKind::Number,
            Kind::Date => FieldKind::Date,
            Kind::Choice(..) | Kind::Employer => FieldKind::Choice,
            Kind::Check => FieldKind::Check,
        },
        value: field.value.as_str().into(),
        options: ModelRc::new(VecModel::from(
            field
                .options
                .iter()
                .map(SharedString::from)
                .collect::<Vec<_>>(),
        )),
        choice: field.choice,
        checked: field.checked,
        remove_path: field.remove_path.as_str().into(),
        reentry,
    }
}

/// A history value as shown: text as it is, nothing as 「（空）」.
pub fn show_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => super::i18n::tr("（空）").to_owned(),
        serde_json::Value::String(s) if s.is_empty() => super::i18n::tr("（空）").to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The history panel's rows, newest first.
pub fn history_rows(revisions: &[Revision], offset: time::UtcOffset) -> Vec<HistoryRow> {
    revisions
        .iter()
        .rev()
        .flat_map(|r| {
            r.changes.iter().map(move |c| HistoryRow {
                when: format_time(r.at, offset).into(),
                author: r.author.as_str().into(),
                field: c.path.as_str().into(),
                old: show_value(&c.old).into(),
                new: show_value(&c.new).into(),
            })
        })
        .collect()
}

fn today(session: &Session) -> Date {
    OffsetDateTime::now_utc()
        .to_offset(session.utc_offset())
        .date()
}

/// Connects the case screen (and the case list's rows) to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let screen = Rc::new(CaseScreen::default());
    let (c1, c2, c3, c4) = (
        Rc::clone(&screen),
        Rc::clone(&screen),
        Rc::clone(&screen),
        Rc::clone(&screen),
    );
    router.offer(|r| {
        r.open_case = Some(Rc::new(move |s, window, id| open(&c1, s, window, id)));
        r.show_case = Some(Rc::new(move |_, window, ()| show(&c2, window)));
        r.editable_case_name = Some(Rc::new(move || editable_case_name(&c3)));
        r.add_job_area = Some(Rc::new(move |s, window, name| {
            add_to_list(&c4, s, window, JOB_AREAS, name)
        }));
    });
    // Edits still waiting for their pause are saved before the store closes.
    let c = Rc::clone(&screen);
    router.on_leaving(move |s, window| leave(&c, s, window));
    let list = window.global::<CaseListAdapter<'_>>();
    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    list.on_open_case(move |id| {
        let Some(window) = weak.upgrade() else { return };
        if let Ok(id) = id.parse::<CaseId>() {
            open(&c, &s, &window, id);
        }
    });

    let adapter = window.global::<CaseAdapter<'_>>();
    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        leave(&c, &s, &window);
        window.set_screen(Screen::CaseList);
        refresh(&s, &window);
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_select_tab(move |index| {
        let Some(window) = weak.upgrade() else { return };
        flush(&c, &s, &window);
        c.with_open(|o| o.tab = Tab::from_index(index));
        show(&c, &window);
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_set_stage(move |index| {
        let Some(window) = weak.upgrade() else { return };
        if c.with_open(|o| o.can_edit && o.form.set_stage(index).is_some()) == Some(true) {
            window.global::<CaseAdapter<'_>>().set_stage(index);
            flush(&c, &s, &window);
        }
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_edited(move |path, value| {
        let Some(window) = weak.upgrade() else { return };
        super::typed(&window);
        let other = c.with_open(|o| o.pending.as_deref().is_some_and(|p| p != path.as_str()));
        if other == Some(true) {
            flush(&c, &s, &window);
        }
        let taken = c.with_open(|o| {
            let taken = o.can_edit && o.form.edit(&path, &value).is_ok();
            if taken {
                o.pending = Some(path.to_string());
            }
            taken
        });
        if taken == Some(true) {
            if path.starts_with("basic.name") || path.starts_with("basic.kana") {
                show_header(&c, &window);
            }
            let (weak, s, screen) = (window.as_weak(), Arc::clone(&s), Rc::downgrade(&c));
            c.pause
                .start(slint::TimerMode::SingleShot, SAVE_PAUSE, move || {
                    if let (Some(window), Some(c)) = (weak.upgrade(), screen.upgrade()) {
                        flush(&c, &s, &window);
                    }
                });
        }
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_accepted(move |_| {
        let Some(window) = weak.upgrade() else { return };
        flush(&c, &s, &window);
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_chosen(move |path, index| {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, _| o.form.choose(&path, index));
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_toggled(move |path, checked| {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, _| o.form.toggle(&path, checked));
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_add_row(move |path| {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, _| o.form.add_row(&path));
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_remove_row(move |path| {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, _| o.form.remove_row(&path));
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_action(move |path| {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, day| o.form.set_today(&path, day));
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_add_consultation(move || {
        let Some(window) = weak.upgrade() else { return };
        add_consultation(&c, &s, &window);
    });

    // 計画を改定 (confirmed): the plan's next revision, dated today, saved
    // at once. 版の一覧: the revisions as they stand now, edits not yet saved included.
    let revisions = window.global::<PlanRevisionsAdapter<'_>>();
    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    revisions.on_revise(move || {
        let Some(window) = weak.upgrade() else { return };
        structural(&c, &s, &window, |o, day| o.form.revise_plan(day));
    });
    let (weak, c) = (window.as_weak(), Rc::clone(&screen));
    revisions.on_open_list(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some(case) = c.with_open(|o| o.form.case()) {
            plan_revisions::open_list(&window, &case.case_management);
        }
    });

    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_show_history(move |path, title| {
        let Some(window) = weak.upgrade() else { return };
        show_history(&c, &s, &window, path.to_string(), title);
    });

    let weak = window.as_weak();
    adapter.on_close_history(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<CaseAdapter<'_>>();
        adapter.set_history_open(false);
        adapter.set_history(ModelRc::default());
    });
    // 「疾患と職業的課題」: pending edits are saved first; the disease screen
    // (app/src/window/disease.rs) reopens this case when it is left.
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_open_disease(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some(id) = c.with_open(|o| o.form.id()) {
            flush(&c, &s, &window);
            if let Some(open) = r.routes().open_disease {
                open(&s, &window, id);
            }
        }
    });
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_open_media(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some((id, name, can_edit)) = c.with_open(|o| {
            let case = o.form.case();
            (case.id, case.basic.name.expose().clone(), o.can_edit)
        }) {
            flush(&c, &s, &window);
            if let Some(open) = r.routes().open_media {
                let request = MediaRequest {
                    case: id,
                    name,
                    can_edit,
                };
                open(&s, &window, request);
            }
        }
    });
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_open_presentation(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some(case) = c.with_open(|o| o.form.case()) {
            flush(&c, &s, &window);
            if let Some(open) = r.routes().open_presentation {
                open(&s, &window, case);
            }
        }
    });
    // 「似た事例」: pending edits are saved first, so the case is compared
    // as it stands; the similar-cases screen comes back to this case.
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_open_similar(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some(id) = c.with_open(|o| o.form.id()) {
            flush(&c, &s, &window);
            if let Some(open) = r.routes().open_similar {
                open(&s, &window, id);
            }
        }
    });
    // 「本人携帯記録をつくる」: pending edits are saved first; the carry
    // screen (app/src/window/carry.rs) reopens this case when it is left.
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_open_carry(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some((id, name, can_edit)) = c.with_open(|o| {
            let case = o.form.case();
            (case.id, case.basic.name.expose().clone(), o.can_edit)
        }) {
            flush(&c, &s, &window);
            if let Some(open) = r.routes().open_carry {
                let request = CarryRequest {
                    case: id,
                    name,
                    can_edit,
                };
                open(&s, &window, request);
            }
        }
    });
}

/// A change that rebuilds the tab (a choice, a check, a row added or
/// removed): applied, shown and saved at once.
fn structural(
    screen: &Rc<CaseScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    change: impl FnOnce(&mut Open, Date) -> Result<tsunagi_core::model::SectionName, EditError>,
) {
    let day = today(session);
    let changed = screen.with_open(|o| o.can_edit && change(o, day).is_ok());
    if changed == Some(true) {
        show(screen, window);
        flush(screen, session, window);
    }
}

/// Loads case `id` and shows it.
fn open(screen: &Rc<CaseScreen>, session: &Arc<Session>, window: &AppWindow, id: CaseId) {
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| {
            session.with_store(
                |store| -> Result<(Case, Account, Vec<String>), StoreError> {
                    Ok((
                        store.load_case(id)?,
                        store.account().clone(),
                        store.needs_reentry(id)?,
                    ))
                },
            )
        },
        move |session, window, loaded| {
            if session.epoch() != epoch {
                return;
            }
            match loaded {
                Some(Ok((case, account, reentry))) => {
                    *screen.open.borrow_mut() = Some(Open {
                        form: CaseForm::new(&case),
                        tab: Tab::Basic,
                        author: account.name.clone(),
                        can_edit: account.role != Role::ReadOnly,
                        pending: None,
                        in_flight: 0,
                        failed: Default::default(),
                        reentry: reentry.into_iter().collect(),
                    });
                    let adapter = window.global::<CaseAdapter<'_>>();
                    adapter.set_can_edit(account.role != Role::ReadOnly);
                    adapter.set_problem(Report::none().problem);
                    adapter.set_save_state(SaveState::Idle);
                    adapter.set_history_open(false);
                    adapter.set_entry_date(show_date(today(session)).into());
                    adapter.set_entry_kind(0);
                    adapter.set_entry_content(SharedString::new());
                    adapter.set_entry_next(SharedString::new());
                    adapter.set_entry_invalid(false);
                    show(&screen, window);
                    window.set_screen(Screen::Case);
                }
                Some(Err(error)) => {
                    let report = Report::from(&error);
                    let list = window.global::<CaseListAdapter<'_>>();
                    list.set_problem(report.problem);
                    list.set_problem_detail(report.detail.into());
                }
                None => {}
            }
        },
    );
}

fn show_header(screen: &CaseScreen, window: &AppWindow) {
    let Some(case) = screen.with_open(|o| o.form.case()) else {
        return;
    };
    let adapter = window.global::<CaseAdapter<'_>>();
    adapter.set_name(case.basic.name.expose().as_str().into());
    adapter.set_kana(case.basic.kana.expose().as_str().into());
    adapter.set_stage(stage_index(case.stage));
}

/// The kinds of work to explore (職域) of the open case.
pub const JOB_AREAS: &str = "career_plan.direction.job_areas";

/// The open case's name, when the account may edit it.
fn editable_case_name(screen: &CaseScreen) -> Option<String> {
    screen
        .with_open(|o| {
            o.can_edit
                .then(|| o.form.case().basic.name.expose().clone())
        })
        .flatten()
}

/// Adds `text` to the open case's list at `path` and saves it. `Some(true)`
/// when added, `Some(false)` when the list held it already, `None` when no
/// case is open for editing.
fn add_to_list(
    screen: &Rc<CaseScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    path: &str,
    text: &str,
) -> Option<bool> {
    let added = screen
        .with_open(|o| {
            if !o.can_edit {
                return None;
            }
            o.form.add_text(path, text).ok().map(|name| name.is_some())
        })
        .flatten()?;
    if added {
        flush(screen, session, window);
    }
    Some(added)
}

/// Puts the open case's current tab on the screen.
fn show(screen: &CaseScreen, window: &AppWindow) {
    let Some((blocks, tab, reentry)) =
        screen.with_open(|o| (o.form.blocks(o.tab), o.tab, o.reentry.clone()))
    else {
        return;
    };
    let adapter = window.global::<CaseAdapter<'_>>();
    let index = Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
    adapter.set_tab(i32::try_from(index).unwrap_or(0));
    adapter.set_blocks(ModelRc::new(VecModel::from(ui_blocks(&blocks, &reentry))));
    adapter.set_reentry_count(i32::try_from(reentry.len()).unwrap_or(i32::MAX));
    show_header(screen, window);
    if tab == Tab::CaseManagement
        && let Some(case) = screen.with_open(|o| o.form.case())
    {
        plan_revisions::show(window, &case.case_management);
    }
}

/// Saves every edited section now (on the worker thread).
fn flush(screen: &Rc<CaseScreen>, session: &Arc<Session>, window: &AppWindow) {
    screen.pause.stop();
    let Some((id, sections)) = screen.with_open(|o| {
        o.pending = None;
        if !o.form.has_unsaved() {
            return (o.form.id(), Vec::new());
        }
        let sections = o.form.take_unsaved();
        o.in_flight += u32::try_from(sections.len()).unwrap_or(0);
        (o.form.id(), sections)
    }) else {
        return;
    };
    if sections.is_empty() {
        return;
    }
    window
        .global::<CaseAdapter<'_>>()
        .set_save_state(SaveState::Saving);
    for section in sections {
        save(screen, session, window, id, section);
    }
}

fn save(
    screen: &Rc<CaseScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    id: CaseId,
    section: Section,
) {
    let name = section.name();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| {
            session.with_store(|store| {
                store.save_section(id, &section)?;
                store.needs_reentry(id)
            })
        },
        move |_, window, saved| {
            let adapter = window.global::<CaseAdapter<'_>>();
            let state = screen.with_open(|o| {
                if o.form.id() != id {
                    return None;
                }
                o.in_flight = o.in_flight.saturating_sub(1);
                match &saved {
                    Some(Ok(reentry)) => {
                        // The marks a save cleared go from the count now
                        // and from the fields when the tab is next shown.
                        o.reentry = reentry.iter().cloned().collect();
                        adapter
                            .set_reentry_count(i32::try_from(o.reentry.len()).unwrap_or(i32::MAX));
                        o.failed.remove(&name);
                        if o.failed.is_empty() {
                            adapter.set_problem(Report::none().problem);
                            adapter.set_problem_detail(SharedString::new());
                        }
                    }
                    Some(Err(error)) => {
                        o.failed.insert(name);
                        let report = Report::from(error);
                        adapter.set_problem(report.problem);
                        adapter.set_problem_detail(report.detail.into());
                    }
                    None => {
                        o.failed.insert(name);
                    }
                }
                Some(if o.in_flight > 0 {
                    SaveState::Saving
                } else if !o.failed.is_empty() {
                    SaveState::Failed
                } else {
                    SaveState::Saved
                })
            });
            if let Some(Some(state)) = state {
                adapter.set_save_state(state);
            }
        },
    );
}

/// Saves what is pending and closes the case (back to the list, or a lock):
/// the case's values leave the screen.
fn leave(screen: &Rc<CaseScreen>, session: &Arc<Session>, window: &AppWindow) {
    flush(screen, session, window);
    screen.open.borrow_mut().take();
    let adapter = window.global::<CaseAdapter<'_>>();
    adapter.set_blocks(ModelRc::default());
    adapter.set_history(ModelRc::default());
    adapter.set_history_open(false);
    adapter.set_name(SharedString::new());
    adapter.set_kana(SharedString::new());
    adapter.set_entry_content(SharedString::new());
    adapter.set_entry_next(SharedString::new());
    adapter.set_problem(Report::none().problem);
    plan_revisions::clear(window);
}

fn add_consultation(screen: &Rc<CaseScreen>, session: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<CaseAdapter<'_>>();
    let date_text = adapter.get_entry_date();
    let date = if date_text.trim().is_empty() {
        None
    } else if let Some(date) = parse_date(&date_text) {
        Some(date)
    } else {
        adapter.set_entry_invalid(true);
        return;
    };
    let added = screen.with_open(|o| {
        if !o.can_edit {
            return false;
        }
        let author = o.author.clone();
        o.form.add_consultation(
            date,
            adapter.get_entry_kind(),
            &adapter.get_entry_content(),
            &adapter.get_entry_next(),
            &author,
        );
        true
    });
    if added == Some(true) {
        adapter.set_entry_invalid(false);
        adapter.set_entry_content(SharedString::new());
        adapter.set_entry_next(SharedString::new());
        adapter.set_entry_date(show_date(today(session)).into());
        adapter.set_entry_kind(0);
        show(screen, window);
        flush(screen, session, window);
    }
}

fn show_history(
    screen: &Rc<CaseScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    path: String,
    title: SharedString,
) {
    let Some(id) = screen.with_open(|o| o.form.id()) else {
        return;
    };
    // What is typed but not yet saved belongs in the history too.
    flush(screen, session, window);
    let epoch = session.epoch();
    let offset = session.utc_offset();
    session.run(
        window,
        move |session| session.with_store(|store| store.history(id, Some(&path))),
        move |session, window, revisions| {
            if session.epoch() != epoch {
                return;
            }
            let adapter = window.global::<CaseAdapter<'_>>();
            match revisions {
                Some(Ok(revisions)) => {
                    adapter.set_history_title(title);
                    adapter.set_history(ModelRc::new(VecModel::from(history_rows(
                        &revisions, offset,
                    ))));
                    adapter.set_history_open(true);
                }
                Some(Err(error)) => {
                    let report = Report::from(&error);
                    adapter.set_problem(report.problem);
                    adapter.set_problem_detail(report.detail.into());
                }
                None => {}
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use slint::Model;
    use tsunagi_core::model::SectionName;
    use tsunagi_core::revision::FieldChange;

    use super::*;

    #[test]
    fn history_rows_are_newest_first_with_old_and_new_values() {
        let revisions = vec![
            Revision {
                revision: 1,
                author: "admin".into(),
                at: tsunagi_core::rfc3339::Timestamp::parse("2026-11-24T05:00:00Z")
                    .expect("a time"),
                section: SectionName::Basic,
                changes: vec![FieldChange {
                    path: "basic.name".into(),
                    old: serde_json::Value::Null,
                    new: json!("見本"),
                }],
            },
            Revision {
                revision: 2,
                author: "sato".into(),
                at: tsunagi_core::rfc3339::Timestamp::parse("2026-11-25T01:30:00Z")
                    .expect("a time"),
                section: SectionName::Basic,
                changes: vec![FieldChange {
                    path: "basic.name".into(),
                    old: json!("見本"),
                    new: json!("見本 花子"),
                }],
            },
        ];
        let rows = history_rows(&revisions, time::macros::offset!(+9));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].author.as_str(), "sato");
        assert_eq!(rows[0].when.as_str(), "2026/11/25 10:30");
        assert_eq!(
            (rows[0].old.as_str(), rows[0].new.as_str()),
            ("見本", "見本 花子")
        );
        assert_eq!(rows[1].old.as_str(), "（空）");
    }

    #[test]
    fn blocks_become_screen_rows_with_their_fields() {
        let mut form = CaseForm::new(&Case::new());
        let marked = BTreeSet::from(["basic.kana".to_owned()]);
        let blocks = ui_blocks(&form.blocks(Tab::Basic), &marked);
        assert_eq!(blocks[0].title.as_str(), "基本情報");
        let fields: Vec<CaseField> = blocks[0].fields.iter().collect();
        assert_eq!(fields[0].path.as_str(), "basic.name");
        let reentry: Vec<&str> = fields
            .iter()
            .filter(|f| f.reentry)
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(
            reentry,
            ["basic.kana"],
            "only the marked field says 要再入力"
        );
        let sex = fields.iter().find(|f| f.path == "basic.sex").expect("sex");
        assert_eq!(sex.kind, FieldKind::Choice);
        assert_eq!(sex.options.row_count(), 4);
        assert!(blocks.iter().any(|b| b.add_path == "basic.family"));
    }
}
