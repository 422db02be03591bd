//! Putting the case list's rows on the screen ([`super::case_query`] makes
//! them): the list's screen, the login and the set-up fill it through here.

use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use tsunagi_core::store::{Role, StoreError};

use super::case_query::CaseRows;
use super::problem::Report;
use super::session::Session;
use super::ui::{AppWindow, CaseListAdapter, Screen};

/// Queries the store again with the current search and filters, and reads
/// what is due beside the list again (the cases may have changed).
pub(super) fn refresh(session: &Arc<Session>, window: &AppWindow) {
    refresh_rows(session, window);
    super::due::refresh(session, window);
}

/// Queries the store again with the current search and filters (what is
/// due does not depend on them).
pub(super) fn refresh_rows(session: &Arc<Session>, window: &AppWindow) {
    let controller = session.cases().clone();
    let epoch = session.epoch();
    let query = session.next_query();
    session.run(
        window,
        move |session| {
            if !session.is_latest_query(query) {
                return None;
            }
            session.with_store(|store| controller.rows(store))
        },
        move |session, window, rows| {
            if session.epoch() != epoch {
                return;
            }
            if let Some(rows) = rows {
                show_rows(window, rows);
            }
        },
    );
}

/// Puts `rows` (or the problem reading them) on the screen.
pub(super) fn show_rows(window: &AppWindow, rows: Result<CaseRows, StoreError>) {
    let adapter = window.global::<CaseListAdapter<'_>>();
    match rows {
        Ok(rows) => {
            adapter.set_cases(ModelRc::new(rows));
            adapter.set_problem(Report::none().problem);
        }
        Err(error) => {
            let report = Report::from(&error);
            adapter.set_cases(ModelRc::default());
            adapter.set_problem(report.problem);
            adapter.set_problem_detail(report.detail.into());
        }
    }
}

/// Fills the case list for a freshly opened store and shows it.
pub(super) fn show_case_list(
    session: &Arc<Session>,
    window: &AppWindow,
    account: &str,
    role: Role,
    workers: Vec<String>,
    rows: Result<CaseRows, StoreError>,
) {
    let list = window.global::<CaseListAdapter<'_>>();
    session.cases().reset(workers.clone());
    list.set_account_name(account.into());
    list.set_account_role(super::account_role(role));
    list.set_can_create(role != Role::ReadOnly);
    list.set_workers(ModelRc::new(VecModel::from(
        workers
            .into_iter()
            .map(SharedString::from)
            .collect::<Vec<_>>(),
    )));
    list.set_search_text(SharedString::new());
    list.set_stage_filter(-1);
    list.set_worker_filter(-1);
    show_rows(window, rows);
    super::due::refresh(session, window);
    window.set_screen(Screen::CaseList);
}
