//! First-run set-up (初期設定): checks the form, creates the store off the UI
//! thread, adds the demo cases when asked, and shows the recovery code once.

use std::sync::Arc;

use slint::{ComponentHandle, SharedString};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{MIN_PASSWORD_CHARS, Role, Store, StoreError};
use zeroize::Zeroizing;

use super::problem::Report;
use super::session::Session;
use super::ui::{AppWindow, Problem, SetupAdapter, SetupStep};

/// Checks the set-up form before anything slow happens: a name, the same
/// password twice, long enough. The store checks again.
pub fn check_form(admin_name: &str, password: &str, password_again: &str) -> Result<(), Report> {
    if admin_name.trim().is_empty() {
        return Err(Report::of(Problem::NameMissing));
    }
    if password != password_again {
        return Err(Report::of(Problem::PasswordsDiffer));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Report::password_too_short());
    }
    Ok(())
}

/// What set-up gave, carried back to the UI thread.
enum Outcome {
    Created {
        account: String,
        code: Zeroizing<String>,
        /// The demo cases could not all be added (the store exists anyway).
        demo_failed: Option<StoreError>,
    },
    Failed(StoreError),
}

/// Connects the set-up screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>) {
    let adapter = window.global::<SetupAdapter<'_>>();

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_set_up(move |name, password, again, demo| {
        let Some(window) = weak.upgrade() else { return };
        set_up(&s, &window, name.trim(), password, &again, demo);
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_recovery_code_saved(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<SetupAdapter<'_>>();
        // Shown once: gone from the screen for good.
        adapter.set_recovery_code(SharedString::new());
        adapter.set_code_written_down(false);
        adapter.set_step(SetupStep::Form);
        adapter.set_problem(Problem::None);
        let account = adapter.get_admin_name().to_string();
        adapter.set_admin_name(SharedString::new());
        // The administrator is the only account yet.
        super::case_rows::show_case_list(
            &s,
            &window,
            &account,
            Role::Administrator,
            vec![account.clone()],
            Ok(super::case_query::CaseRows::empty()),
        );
        super::case_rows::refresh(&s, &window);
    });
}

fn set_up(
    session: &Arc<Session>,
    window: &AppWindow,
    name: &str,
    password: SharedString,
    again: &str,
    demo: bool,
) {
    let adapter = window.global::<SetupAdapter<'_>>();
    if adapter.get_busy() {
        return;
    }
    if let Err(report) = check_form(name, &password, again) {
        adapter.set_problem(report.problem);
        adapter.set_problem_detail(report.detail.into());
        return;
    }
    adapter.set_busy(true);
    adapter.set_problem(Problem::None);
    let name = name.to_owned();
    session.run(
        window,
        move |session| {
            let created = Store::create(
                session.dir(),
                session.keychain(),
                &name,
                &password,
                session.store_options(),
            );
            let (mut store, code) = match created {
                Ok(created) => created,
                Err(e) => return Outcome::Failed(e),
            };
            let demo_failed = if demo {
                demo_cases()
                    .iter()
                    .try_for_each(|c| store.create_case(c).map(drop))
                    .err()
            } else {
                None
            };
            session.open(store);
            Outcome::Created {
                account: name,
                code: code.display(),
                demo_failed,
            }
        },
        |_session, window, outcome| {
            let adapter = window.global::<SetupAdapter<'_>>();
            adapter.set_busy(false);
            match outcome {
                Outcome::Created {
                    account,
                    code,
                    demo_failed,
                } => {
                    adapter.set_password(SharedString::new());
                    adapter.set_password_again(SharedString::new());
                    adapter.set_admin_name(account.into());
                    adapter.set_recovery_code(code.as_str().into());
                    adapter.set_step(SetupStep::RecoveryCode);
                    // The store exists even if the demo cases failed: say so
                    // beside the recovery code, which must still be shown.
                    if let Some(error) = demo_failed {
                        let report = Report::from(&error);
                        adapter.set_problem(report.problem);
                        adapter.set_problem_detail(report.detail.into());
                    }
                }
                Outcome::Failed(error) => {
                    let report = Report::from(&error);
                    adapter.set_problem(report.problem);
                    adapter.set_problem_detail(report.detail.into());
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_name_is_refused_first() {
        assert_eq!(
            check_form("  ", "x", "y").map_err(|r| r.problem),
            Err(Problem::NameMissing)
        );
    }

    #[test]
    fn two_different_passwords_are_refused() {
        let result = check_form("admin", "correct horse", "correct house");
        assert_eq!(result.map_err(|r| r.problem), Err(Problem::PasswordsDiffer));
    }

    #[test]
    fn a_short_password_is_refused_with_the_minimum() {
        let report = check_form("admin", "short", "short").expect_err("too short");
        assert_eq!(report.problem, Problem::PasswordTooShort);
        assert_eq!(report.detail, MIN_PASSWORD_CHARS.to_string());
    }

    #[test]
    fn a_complete_form_passes() {
        assert!(check_form("admin", "ひらがなのパスワード", "ひらがなのパスワード").is_ok());
    }
}
