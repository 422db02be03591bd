//! How one screen asks for another ([`Routes`]), and what the screens do
//! when the app locks or closes.
//!
//! No screen's module calls another's: each screen registers, in its
//! `wire`, what it offers the others (open a case, open the media screen,
//! add a job area…) and what it saves and empties at a lock; the others ask
//! the router. The composition root (`window/mod.rs`) creates the router
//! and wires every screen. The router lives on the UI thread: its routes
//! are closures over the screens' own state.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use tsunagi_core::model::{Case, CaseId};

use super::session::Session;
use super::ui::{AppWindow, Screen};

/// A screen's answer to a route, called with the session and the window.
type Route<Args> = Option<Rc<dyn Fn(&Arc<Session>, &AppWindow, Args)>>;
/// Adds a job area to the open case (see [`Routes::add_job_area`]).
type AddJobArea = Rc<dyn Fn(&Arc<Session>, &AppWindow, &str) -> Option<bool>>;
/// What a screen does at a lock or at closing.
type Hook = Rc<dyn Fn(&Arc<Session>, &AppWindow)>;

/// What the screens offer each other, each registered by the screen that
/// answers it.
#[derive(Clone, Default)]
pub(super) struct Routes {
    /// The case screen: shows a case.
    pub open_case: Route<CaseId>,
    /// The case screen: shows the open case's current tab again.
    pub show_case: Route<()>,
    /// The case screen: the open case's name, when the account may edit it.
    pub editable_case_name: Option<Rc<dyn Fn() -> Option<String>>>,
    /// The case screen: adds a job area (職域) to the open case; `Some(true)`
    /// added, `Some(false)` already there, `None` no case open for editing.
    pub add_job_area: Option<AddJobArea>,
    /// The disease screen, for a case.
    pub open_disease: Route<CaseId>,
    /// The media screen, for a case.
    pub open_media: Route<MediaRequest>,
    /// The presentation of a case.
    pub open_presentation: Route<Case>,
    /// The client's own record (本人携帯記録) of a case, to choose and write.
    pub open_carry: Route<CarryRequest>,
    /// Taking a client's own record in as a new case.
    pub open_carry_import: Route<()>,
    /// The similar cases (似た事例) of a case.
    pub open_similar: Route<CaseId>,
}

/// What the client's own record screen is opened on.
pub(super) struct CarryRequest {
    /// The case.
    pub case: CaseId,
    /// The client's name, for the screen's title.
    pub name: String,
    /// Whether the account may write records (not read-only).
    pub can_edit: bool,
}

/// What the media screen is opened on.
pub(super) struct MediaRequest {
    /// The case.
    pub case: CaseId,
    /// The client's name, for the screen's title.
    pub name: String,
    /// Whether the account may add, caption and remove media.
    pub can_edit: bool,
}

/// What the screens do when the app locks, in the order they registered.
#[derive(Clone, Default)]
struct LockHooks {
    /// Before the store closes: save what waits (an edit, a recording).
    leaving: Vec<Hook>,
    /// After every job's result is made stale: empty the screen.
    clearing: Vec<Hook>,
}

/// The routes and the lock hooks. One per window, on the UI thread.
#[derive(Default)]
pub(super) struct Router {
    routes: RefCell<Routes>,
    hooks: RefCell<LockHooks>,
}

impl Router {
    /// Registers what a screen offers the others (at wiring time).
    pub(super) fn offer(&self, set: impl FnOnce(&mut Routes)) {
        set(&mut self.routes.borrow_mut());
    }

    /// What the screens offer each other. A copy: a route may register or
    /// ask for another while it runs.
    pub(super) fn routes(&self) -> Routes {
        self.routes.borrow().clone()
    }

    /// Registers what a screen saves before the store closes at a lock or
    /// when the window closes.
    pub(super) fn on_leaving(&self, hook: impl Fn(&Arc<Session>, &AppWindow) + 'static) {
        self.hooks.borrow_mut().leaving.push(Rc::new(hook));
    }

    /// Registers what a screen empties at a lock.
    pub(super) fn on_lock(&self, hook: impl Fn(&Arc<Session>, &AppWindow) + 'static) {
        self.hooks.borrow_mut().clearing.push(Rc::new(hook));
    }

    /// Locks the app: what waits is saved, every case value leaves the
    /// screen at once, the login screen shows, and the store closes behind
    /// it.
    pub(super) fn lock(&self, session: &Arc<Session>, window: &AppWindow) {
        let hooks = self.hooks.borrow().clone();
        for leave in &hooks.leaving {
            leave(session, window);
        }
        session.invalidate();
        session.cases().reset(Vec::new());
        for clear in &hooks.clearing {
            clear(session, window);
        }
        window.set_screen(Screen::Login);
        session.run(window, |session| session.close(), |_, _, ()| {});
    }

    /// The window has closed: what waits is saved, and the store has written
    /// it (waiting at most `limit`) before this returns.
    pub(super) fn close(&self, session: &Arc<Session>, window: &AppWindow, limit: Duration) {
        let leaving = self.hooks.borrow().leaving.clone();
        for leave in &leaving {
            leave(session, window);
        }
        session.wait_for_jobs(limit);
    }
}
