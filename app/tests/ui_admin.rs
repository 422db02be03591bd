//! The administration and settings screens, driven through the
//! accessibility tree: an administrator adds a support worker, assigns a
//! case and reads the audit log with its tamper check; the worker then sees
//! only that case and no 管理 entry; English and back; the auto-lock.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop to deliver results from a thread.

mod common;
use common::*;

use std::time::{Duration, Instant};

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{AdminAdapter, AppWindow, AuditActions, CaseListAdapter, Screen};
use tsunagi_app::window::{AUDIT_ACTIONS, Language, Settings};
use tsunagi_core::model::demo_cases;

const WORKER_PASSWORD: &str = "さとうの合言葉 2026";

fn activate(window: &AppWindow, label: &str, role: AccessibleRole) {
    one(window, label, role).invoke_accessible_default_action();
    settle();
}

fn listed(window: &AppWindow) -> Vec<String> {
    let cases = window.global::<CaseListAdapter<'_>>().get_cases();
    cases.iter().map(|row| row.name.to_string()).collect()
}

/// Every element's text on screen with role `Text`: for "is this label shown".
fn text_shown(window: &AppWindow, text: &str) -> bool {
    shows(window, text, AccessibleRole::Text)
}

/// Whether any text on screen contains `part`.
fn shows_containing(window: &AppWindow, part: &str) -> bool {
    ElementQuery::from_root(window)
        .match_descendants()
        .find_all()
        .into_iter()
        .filter_map(|e| e.accessible_label())
        .any(|l| l.contains(part))
}

#[test]
fn an_administrator_manages_accounts_assignments_and_the_audit_log() {
    let (temp, app) = logged_in_window(|store| {
        for case in demo_cases() {
            store.create_case(&case).expect("demo case");
        }
    });
    let data = temp.path().join("data");
    let w = app.window();

    // ── the administration screen ───────────────────────────────────────
    press(w, "管理");
    assert_eq!(w.get_screen(), Screen::Admin);
    assert!(shows(w, "admin", AccessibleRole::ListItem));

    type_into(w, "新しいアカウントのユーザー名", "sato");
    type_into(w, "初期パスワード", WORKER_PASSWORD);
    press(w, "新しいアカウントの権限：支援員");
    press(w, "アカウントを追加");
    assert!(
        text_shown(w, "アカウント sato を追加しました。"),
        "the addition is confirmed"
    );
    let sato = one(w, "sato", AccessibleRole::ListItem);
    assert_eq!(sato.accessible_description().as_deref(), Some("支援員"));
    assert!(
        w.global::<AdminAdapter<'_>>().get_new_password().is_empty(),
        "the initial password does not stay on screen"
    );

    // The new account is selected: tick one case for it.
    assert!(text_shown(w, "sato の設定"));
    let case = one(w, "見本 花子", AccessibleRole::Checkbox);
    assert_eq!(case.accessible_checked(), Some(false));
    case.invoke_accessible_default_action();
    settle();
    assert_eq!(
        one(w, "見本 花子", AccessibleRole::Checkbox).accessible_checked(),
        Some(true),
        "the store now has the assignment"
    );

    // ── the audit log ───────────────────────────────────────────────────
    activate(w, "監査ログ", AccessibleRole::Tab);
    settle();
    // Audit rows read "time　account　action".
    let rows: Vec<String> = ElementQuery::from_root(w)
        .match_descendants()
        .match_accessible_role(AccessibleRole::ListItem)
        .find_all()
        .into_iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("admin") && r.ends_with("ログイン")),
        "a login entry is listed: {rows:?}"
    );
    assert!(
        rows.first().is_some_and(|r| r.ends_with("担当の変更")),
        "newest first: the assignment just made comes first: {rows:?}"
    );
    assert!(rows.iter().any(|r| r.ends_with("ケース一覧の表示")));
    press(w, "改ざん検査");
    assert!(text_shown(
        w,
        "改ざん検査：問題ありません。監査ログはすべて記録されたときのままです。"
    ));

    // ── English and back ────────────────────────────────────────────────
    press(w, "ケース一覧へ戻る");
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert!(
        w.global::<AdminAdapter<'_>>().get_cases().row_count() == 0,
        "leaving the screen empties its case names"
    );
    press(w, "設定");
    assert_eq!(w.get_screen(), Screen::Settings);
    press(w, "言語：English");
    assert!(text_shown(w, "Settings"), "the title is in English");
    press(w, "Back to cases");
    assert!(
        text_shown(w, "Cases"),
        "the case list's title is in English"
    );
    assert!(!text_shown(w, "ケース一覧"));
    assert_eq!(Settings::load(&data).language, Language::English, "kept");
    press(w, "Settings");
    press(w, "Language: 日本語");
    press(w, "ケース一覧へ戻る");
    assert!(text_shown(w, "ケース一覧"), "back in Japanese");

    // ── auto-lock after five quiet minutes ──────────────────────────────
    let now = Instant::now();
    assert!(!app.lock_if_idle(now + Duration::from_secs(4 * 60)));
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert!(app.lock_if_idle(now + Duration::from_secs(5 * 60 + 5)));
    assert_eq!(w.get_screen(), Screen::Login);
    assert_eq!(
        w.global::<CaseListAdapter<'_>>().get_cases().row_count(),
        0,
        "no case value stays after the auto-lock"
    );
    assert!(!shows(w, "見本 花子", AccessibleRole::ListItem));

    // ── the support worker sees the assigned case and no 管理 ───────────
    log_in(w, "sato", WORKER_PASSWORD);
    assert_eq!(listed(w), ["見本 花子"]);
    assert!(!shows(w, "管理", AccessibleRole::Button));
    assert!(shows(w, "設定", AccessibleRole::Button));
    press(w, "ロック");
    drop(app);
}

/// The audit actions on screen are core's labels, in admin.rs's order.
#[test]
fn audit_action_labels_on_screen_match_core() {
    init_backend();
    let w = AppWindow::new().expect("window");
    let labels: Vec<String> = w
        .global::<AuditActions<'_>>()
        .get_labels()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let core: Vec<String> = AUDIT_ACTIONS
        .iter()
        .map(|a| a.label_ja().to_owned())
        .collect();
    assert_eq!(labels, core);
}

#[test]
fn an_administrator_disables_enables_and_removes_accounts_on_screen() {
    let (_temp, app) = logged_in_window(|store| {
        for name in ["sato", "suzuki"] {
            store
                .add_account(
                    name,
                    tsunagi_core::store::Role::SupportWorker,
                    WORKER_PASSWORD,
                )
                .expect("adds");
        }
    });
    let w = app.window();
    press(w, "管理");

    // One's own account offers neither.
    activate(w, "admin", AccessibleRole::ListItem);
    assert!(!shows(w, "アカウントを無効にする", AccessibleRole::Button));
    assert!(!shows(w, "アカウントを削除…", AccessibleRole::Button));

    // Disabled: marked in the list, and it can no longer log in.
    activate(w, "sato", AccessibleRole::ListItem);
    press(w, "アカウントを無効にする");
    assert!(text_shown(w, "sato を無効にしました。"));
    assert_eq!(
        one(w, "sato", AccessibleRole::ListItem)
            .accessible_description()
            .as_deref(),
        Some("支援員（無効）")
    );
    press(w, "ロック");
    type_into(w, "ユーザー名", "sato");
    type_into(w, "パスワード", WORKER_PASSWORD);
    press(w, "ログイン");
    assert_eq!(
        w.get_screen(),
        Screen::Login,
        "a disabled account is kept out"
    );
    assert!(
        shows_containing(w, "このアカウントは無効になっています"),
        "the login screen says why"
    );

    // Enabled again, with the password it had.
    log_in(w, "admin", PASSWORD);
    press(w, "管理");
    activate(w, "sato", AccessibleRole::ListItem);
    press(w, "有効に戻す");
    assert!(text_shown(w, "sato を有効に戻しました。"));
    assert_eq!(
        one(w, "sato", AccessibleRole::ListItem)
            .accessible_description()
            .as_deref(),
        Some("支援員")
    );

    // Removed after a second press that confirms; "やめる" keeps it.
    activate(w, "suzuki", AccessibleRole::ListItem);
    press(w, "アカウントを削除…");
    press(w, "やめる");
    assert!(shows(w, "suzuki", AccessibleRole::ListItem));
    press(w, "アカウントを削除…");
    assert!(text_shown(
        w,
        "suzuki を削除します。担当の割り当ても外れます。元に戻せません。"
    ));
    press(w, "削除する");
    assert!(text_shown(w, "suzuki を削除しました。"));
    assert!(!shows(w, "suzuki", AccessibleRole::ListItem));
    press(w, "ロック");
    type_into(w, "ユーザー名", "suzuki");
    type_into(w, "パスワード", WORKER_PASSWORD);
    press(w, "ログイン");
    assert_eq!(
        w.get_screen(),
        Screen::Login,
        "a removed account is kept out"
    );
    log_in(w, "sato", WORKER_PASSWORD);
    press(w, "ロック");
    drop(app);
}
