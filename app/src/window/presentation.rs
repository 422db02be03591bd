//! Presentation mode (個人プロフィール): the positive profile of the open
//! case as full-screen pages for an employer. The pages come from
//! [`EmployerProfile`], which applies the client's disclosure choice; the
//! screen gives no way into the case: leaving asks for the worker's
//! password (checked through Argon2 on the store's worker thread).

use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use tsunagi_core::model::{Case, CaseId, EmployerProfile};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::StoreError;

use super::i18n::tr;
use super::reference::Library;
use super::session::Session;
use super::ui::{AppWindow, PresentationAdapter, PresentationPage, Screen};

/// One page: its heading, a line under it, its points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// 見出し.
    pub title: String,
    /// The line under the cover's name.
    pub subtitle: String,
    /// The page's points.
    pub lines: Vec<String>,
}

/// The pages of `case`'s presentation, empty topics left out.
pub fn pages(case: &Case, reference: &ReferenceDb) -> Vec<Page> {
    let p = EmployerProfile::of(case, reference);
    let mut pages = vec![Page {
        title: if p.name.is_empty() {
            tr("（氏名未入力）").to_owned()
        } else {
            p.name.clone()
        },
        subtitle: tr("個人プロフィール").to_owned(),
        lines: Vec::new(),
    }];
    let conditions: Vec<String> = p
        .conditions
        .iter()
        .map(|(label, value)| format!("{}: {value}", tr(label)))
        .collect();
    let topics = [
        ("強み", p.strengths),
        ("興味・関心", p.interests),
        ("これまでの実績", p.achievements),
        ("資格", p.qualifications),
        ("希望する仕事", p.preferred_work),
        ("希望条件", conditions),
        ("病名", p.diseases),
        ("配慮してほしいこと", p.accommodations),
    ];
    for (title, lines) in topics {
        if !lines.is_empty() {
            pages.push(Page {
                title: tr(title).to_owned(),
                subtitle: String::new(),
                lines,
            });
        }
    }
    pages
}

fn ui_page(page: &Page) -> PresentationPage {
    let lines: Vec<SharedString> = page.lines.iter().map(|l| l.as_str().into()).collect();
    PresentationPage {
        title: page.title.as_str().into(),
        subtitle: page.subtitle.as_str().into(),
        lines: ModelRc::new(VecModel::from(lines)),
        ..PresentationPage::default()
    }
}

/// Starts the presentation of `case` as the case screen holds it (its
/// edits already saved); leaving returns to that case.
pub(super) fn open(session: &Arc<Session>, window: &AppWindow, case: Case) {
    let Some(library) = LIBRARY.with(|l| l.borrow().clone()) else {
        return;
    };
    let epoch = session.epoch();
    session.run(
        window,
        move |session| library.get_or_load(session.dir()),
        move |session, window, db| {
            if session.epoch() != epoch {
                return;
            }
            // An unreadable update falls back to the bundled copy, which
            // is checked by the tests: failing here cannot happen.
            let Ok(db) = db.or_else(|_| ReferenceDb::bundled().map(Arc::new)) else {
                return;
            };
            let pages = pages(&case, &db);
            show(window, &pages, case.id);
        },
    );
}

fn show(window: &AppWindow, pages: &[Page], return_to: CaseId) {
    let pages: Vec<PresentationPage> = pages.iter().map(ui_page).collect();
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_pages(ModelRc::new(VecModel::from(pages)));
    adapter.set_page(0);
    adapter.set_asking(false);
    adapter.set_wrong_password(false);
    adapter.set_checking(false);
    RETURN_TO.with(|r| r.set(Some(return_to)));
    window.set_screen(Screen::Presentation);
}

thread_local! {
    /// The case to go back to when the presentation is left.
    static RETURN_TO: std::cell::Cell<Option<CaseId>> = const { std::cell::Cell::new(None) };
    /// The reference, for the words of chosen accommodations.
    static LIBRARY: std::cell::RefCell<Option<Arc<Library>>> = const { std::cell::RefCell::new(None) };
}

/// Empties the screen (on lock and on leaving).
pub(super) fn clear(window: &AppWindow) {
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_pages(ModelRc::default());
    adapter.set_asking(false);
    RETURN_TO.with(|r| r.set(None));
}

/// Connects the screen to `session`, reading the reference through `library`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, library: &Arc<Library>) {
    LIBRARY.with(|l| *l.borrow_mut() = Some(Arc::clone(library)));
    let adapter = window.global::<PresentationAdapter<'_>>();
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_leave(move |password| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<PresentationAdapter<'_>>();
        if adapter.get_checking() {
            return;
        }
        adapter.set_checking(true);
        adapter.set_wrong_password(false);
        let epoch = s.epoch();
        s.run(
            &window,
            move |session| session.with_store(|store| store.confirm_password(&password)),
            move |session, window, checked| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<PresentationAdapter<'_>>();
                adapter.set_checking(false);
                match checked {
                    Some(Ok(())) => {
                        let back = RETURN_TO.with(std::cell::Cell::get);
                        clear(window);
                        match back {
                            Some(id) => super::case::open(session, window, id),
                            None => window.set_screen(Screen::CaseList),
                        }
                    }
                    Some(Err(StoreError::WrongPassword)) => adapter.set_wrong_password(true),
                    // The store is gone (locked meanwhile) or the keychain
                    // failed: the lock screen is the safe way out.
                    Some(Err(_)) | None => adapter.set_wrong_password(true),
                }
            },
        );
    });
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::{Disclosure, demo_cases};

    use super::*;

    #[test]
    fn the_pages_are_the_positive_profile_and_follow_the_disclosure() {
        let db = ReferenceDb::bundled().expect("bundled reference");
        let mut case = demo_cases().remove(0);
        case.disclosure = Disclosure::NotDisclosed;
        let shown = pages(&case, &db);
        assert_eq!(shown[0].title, "見本 花子");
        let titles: Vec<&str> = shown.iter().map(|p| p.title.as_str()).collect();
        assert!(titles.contains(&"強み"), "{titles:?}");
        assert!(!titles.contains(&"病名") && !titles.contains(&"配慮してほしいこと"));
        let all: String = shown
            .iter()
            .flat_map(|p| std::iter::once(&p.title).chain(&p.lines))
            .cloned()
            .collect();
        for d in db.diseases() {
            assert!(!all.contains(&d.name.ja), "{} appears", d.name.ja);
        }
        case.disclosure = Disclosure::Disclosed;
        let shown = pages(&case, &db);
        let disease = shown
            .iter()
            .find(|p| p.title == "病名")
            .expect("a disease page");
        assert_eq!(disease.lines, ["潰瘍性大腸炎"]);
    }
}
