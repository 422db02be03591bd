//! The case list screen's controller (ケース一覧): search, filters, a new
//! case, and the lock button. Its rows come from [`super::case_rows`].

use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString};
use tsunagi_core::model::Case;

use super::case_rows::{refresh, refresh_rows};
use super::problem::Report;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, CaseListAdapter};

/// Connects the case list screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let adapter = window.global::<CaseListAdapter<'_>>();

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_search_changed(move |text| {
        let Some(window) = weak.upgrade() else { return };
        super::typed(&window);
        s.cases().set_text(&text);
        refresh_rows(&s, &window);
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_filters_changed(move |stage, worker| {
        let Some(window) = weak.upgrade() else { return };
        s.cases().set_filters(stage, worker);
        refresh_rows(&s, &window);
    });

    let (weak, s, r) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_new_case(move || {
        let Some(window) = weak.upgrade() else { return };
        new_case(&s, &r, &window);
    });

    let (weak, s, r) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_lock(move || {
        let Some(window) = weak.upgrade() else { return };
        r.lock(&s, &window);
    });
    let (weak, s, r) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_open_carry_import(move || {
        let Some(window) = weak.upgrade() else { return };
        if let Some(open) = r.routes().open_carry_import {
            open(&s, &window, ());
        }
    });
    // `open-case` is answered by the case screen.
    router.on_lock(clear);
}

fn new_case(session: &Arc<Session>, router: &Rc<Router>, window: &AppWindow) {
    let adapter = window.global::<CaseListAdapter<'_>>();
    if adapter.get_busy() {
        return;
    }
    adapter.set_busy(true);
    let epoch = session.epoch();
    let router = Rc::clone(router);
    session.run(
        window,
        |session| session.with_store(|store| store.create_case(&Case::new())),
        move |session, window, created| {
            let adapter = window.global::<CaseListAdapter<'_>>();
            adapter.set_busy(false);
            if session.epoch() != epoch {
                return;
            }
            match created {
                Some(Ok(id)) => {
                    refresh(session, window);
                    if let Some(open) = router.routes().open_case {
                        open(session, window, id);
                    }
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

/// Empties the list at a lock.
fn clear(_: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<CaseListAdapter<'_>>();
    adapter.set_cases(ModelRc::default());
    adapter.set_workers(ModelRc::default());
    adapter.set_search_text(SharedString::new());
    adapter.set_stage_filter(-1);
    adapter.set_worker_filter(-1);
    adapter.set_account_name(SharedString::new());
    adapter.set_problem(Report::none().problem);
    adapter.set_problem_detail(SharedString::new());
    adapter.set_busy(false);
}
