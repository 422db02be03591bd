//! The administration screen's controller (管理): accounts and roles,
//! password resets, which cases each account is assigned, and the audit log
//! with its tamper check. Only administrators reach it; the store refuses
//! every one of these calls to anyone else as well.
//!
//! Store work runs as jobs on the session's worker; each action reloads the
//! screen's data in the same job, so what shows is what the store holds.
//! The case names shown for assignment are identifying: [`clear`] empties
//! them when the app locks.

use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use time::UtcOffset;
use tsunagi_core::model::{CaseId, SectionName};
use tsunagi_core::store::{
    Account, AuditAction, AuditEntry, CaseQuery, CaseSummary, Role, Store, StoreError,
};

use super::case_query::format_seconds;
use super::i18n::{tr, tr_fill};
use super::problem::Report;
use super::router::Router;
use super::session::Session;
use super::ui::{
    AccountItem, AdminAdapter, AdminDone, AppWindow, AssignItem, AuditItem, CaseListAdapter,
    Problem, Screen, VerifyState,
};

/// The roles in the order of the screen's `Roles.labels`.
pub const ROLES: [Role; 3] = [Role::Administrator, Role::SupportWorker, Role::ReadOnly];

/// The audit actions in the order of the screen's `AuditActions.labels`.
pub const AUDIT_ACTIONS: [AuditAction; 12] = [
    AuditAction::StoreCreated,
    AuditAction::Login,
    AuditAction::Recovered,
    AuditAction::ListCases,
    AuditAction::ReadCase,
    AuditAction::ReadHistory,
    AuditAction::CreateCase,
    AuditAction::WriteCase,
    AuditAction::Account,
    AuditAction::Assignment,
    AuditAction::DeleteCase,
    AuditAction::SimilarCases,
];

/// How many audit entries the screen shows (the newest).
pub const AUDIT_SHOWN: u32 = 500;

/// What the screen shows, read from the store in one job.
#[derive(Clone, Debug)]
pub struct AdminData {
    /// Every account, by name: the enabled ones, then the disabled ones.
    pub accounts: Vec<Account>,
    /// The names of the disabled accounts among them.
    pub disabled: Vec<String>,
    /// Every case, with the accounts it is assigned to.
    pub cases: Vec<CaseSummary>,
    /// The newest audit entries, newest first.
    pub audit: Vec<AuditEntry>,
}

impl AdminData {
    /// Reads everything the screen shows. Listing the cases is itself
    /// recorded in the audit log, like every list of names.
    pub fn read(store: &mut Store) -> Result<Self, StoreError> {
        let mut accounts = store.accounts()?;
        let disabled_accounts = store.disabled_accounts()?;
        let disabled = disabled_accounts.iter().map(|a| a.name.clone()).collect();
        accounts.extend(disabled_accounts);
        let mut cases = store.list_cases(&CaseQuery::default())?;
        cases.sort_by(|a, b| a.kana.expose().cmp(b.kana.expose()));
        let audit = store.audit_log(AUDIT_SHOWN)?;
        Ok(Self {
            accounts,
            disabled,
            cases,
            audit,
        })
    }

    /// The account rows.
    pub fn account_rows(&self) -> Vec<AccountItem> {
        self.accounts
            .iter()
            .map(|a| AccountItem {
                name: a.name.as_str().into(),
                role: index_of(&ROLES, a.role),
                disabled: self.disabled.contains(&a.name),
            })
            .collect()
    }

    /// The case rows for `account`: every case, ticked where it is assigned.
    pub fn assignment_rows(&self, account: &str) -> Vec<AssignItem> {
        self.cases
            .iter()
            .map(|c| AssignItem {
                id: c.id.to_string().into(),
                name: c.name.expose().as_str().into(),
                assigned: c.assigned_to.iter().any(|a| a == account),
            })
            .collect()
    }

    /// The audit rows, newest first, times at `offset`.
    pub fn audit_rows(&self, offset: UtcOffset) -> Vec<AuditItem> {
        let mut entries = self.audit.clone();
        entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
        entries.iter().map(|e| audit_row(e, offset)).collect()
    }
}

/// One audit entry as the screen shows it.
pub fn audit_row(entry: &AuditEntry, offset: UtcOffset) -> AuditItem {
    AuditItem {
        at: format_seconds(entry.at, offset).into(),
        account: entry.account.as_str().into(),
        action: index_of(&AUDIT_ACTIONS, entry.action),
        case_id: entry
            .case_id
            .as_deref()
            .map(short_id)
            .unwrap_or_default()
            .into(),
        detail: audit_detail(entry.action, &entry.detail).into(),
    }
}

/// An id as the audit log shows it: ids are long, and their first block (at
/// most 12 characters) tells them apart on screen.
fn short_id(id: &str) -> &str {
    let first = id.split('-').next().unwrap_or(id);
    first
        .char_indices()
        .nth(12)
        .map_or(first, |(end, _)| &first[..end])
}

/// An audit entry's detail in words of the chosen language. What is stored
/// is terse and the same in every language (`assign sato`, `12 rows`,
/// `media add photo ID`); a detail this does not know is shown as stored.
pub fn audit_detail(action: AuditAction, detail: &str) -> String {
    let role = |r: &str| {
        tr(match Role::parse(r) {
            Some(Role::Administrator) => "管理者",
            Some(Role::SupportWorker) => "支援員",
            Some(Role::ReadOnly) => "閲覧のみ",
            None => return r.to_owned(),
        })
        .to_owned()
    };
    let words: Vec<&str> = detail.split(' ').collect();
    match words.as_slice() {
        [""] => String::new(),
        [n, "rows"] => tr_fill("{} 件", &[n]),
        ["media", "list", n, "rows"] => tr_fill("写真・動画 {} 件の一覧", &[n]),
        ["media", "approved", n, "rows"] => tr_fill("承認済みの写真・動画 {} 件", &[n]),
        ["media", "add", "photo", id] => tr_fill("写真を追加 {}", &[short_id(id)]),
        ["media", "add", "video", id] => tr_fill("動画を追加 {}", &[short_id(id)]),
        ["media", "read", id] => tr_fill("写真・動画を表示 {}", &[short_id(id)]),
        ["media", "poster", id] => tr_fill("動画の表紙を表示 {}", &[short_id(id)]),
        ["media", "approve", id] => tr_fill("本人が公開を承認 {}", &[short_id(id)]),
        ["media", "withdraw", id] => tr_fill("公開の承認を取り消し {}", &[short_id(id)]),
        ["media", "details", id] => tr_fill("写真・動画の説明を変更 {}", &[short_id(id)]),
        ["media", "delete", id] => tr_fill("写真・動画を削除 {}", &[short_id(id)]),
        ["assign", who] => tr_fill("{} を担当に", &[who]),
        ["unassign", who] => tr_fill("{} を担当から外す", &[who]),
        ["add", who, r] => tr_fill("アカウント {} を追加（{}）", &[who, &role(r)]),
        ["role", who, r] => tr_fill("{} の役割を「{}」に変更", &[who, &role(r)]),
        ["password", who] => tr_fill("{} のパスワードを変更", &[who]),
        ["disable", who] => tr_fill("{} を無効に", &[who]),
        ["enable", who] => tr_fill("{} を有効に戻す", &[who]),
        ["remove", who] => tr_fill("アカウント {} を削除", &[who]),
        [n, "media"] if action == AuditAction::DeleteCase => {
            tr_fill("写真・動画 {} 件とともに削除", &[n])
        }
        ["paired", "a", "device"] => tr("端末とペアリング").to_owned(),
        ["unpaired", "a", "device"] => tr("端末とのペアリングを解除").to_owned(),
        ["sealed", "into", "bundle", id] => tr_fill("送信データに封入 {}", &[short_id(id)]),
        ["exported", "in", "bundle", id] => tr_fill("送付用データに書き出し {}", &[short_id(id)]),
        ["imported", "from", "bundle", id] => tr_fill("送信データから取り込み {}", &[short_id(id)]),
        [key] if action == AuditAction::WriteCase => match SectionName::from_key(key) {
            Some(section) => tr(section_label(section)).to_owned(),
            None => detail.to_owned(),
        },
        _ => detail.to_owned(),
    }
}

/// A section's name as the case screen's tabs say it.
fn section_label(section: SectionName) -> &'static str {
    match section {
        SectionName::Stage => "支援段階",
        SectionName::Basic => "基本情報",
        SectionName::CareerPlan => "キャリア計画",
        SectionName::JobMatch => "ジョブマッチ",
        SectionName::CaseManagement => "ケースマネジメント",
        SectionName::Monitoring => "モニタリング",
        SectionName::Consultations => "相談経過",
        SectionName::Programmes => "自立支援プログラム",
        SectionName::Consents => "同意の記録",
        SectionName::Disclosure => "開示・非開示の選択",
    }
}

/// A stored time as `2026/11/24 14:05:09` at `offset`; unreadable ones as stored.
fn index_of<T: PartialEq>(all: &[T], value: T) -> i32 {
    all.iter()
        .position(|v| *v == value)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(-1)
}

/// What an action changed, for the confirmation at the top.
#[derive(Clone, Copy)]
enum Done {
    Nothing,
    Added,
    Role,
    Password,
    Disabled,
    Enabled,
    Removed,
}

/// Connects the administration screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    router.on_lock(|_, window| clear(window));
    let adapter = window.global::<AdminAdapter<'_>>();

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    window
        .global::<CaseListAdapter<'_>>()
        .on_open_admin(move || {
            let Some(window) = weak.upgrade() else { return };
            clear(&window);
            let admin = window.global::<AdminAdapter<'_>>();
            admin.set_self_name(window.global::<CaseListAdapter<'_>>().get_account_name());
            window.set_screen(Screen::Admin);
            act(&s, &window, None, Done::Nothing, |_| Ok(()));
        });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_add_account(move |name, role, password| {
        let Some(window) = weak.upgrade() else { return };
        let name = name.trim().to_owned();
        let role = ROLES.get(usize::try_from(role).unwrap_or(1)).copied();
        let role = role.unwrap_or(Role::SupportWorker);
        // The password leaves the screen at once; the job has it from here.
        let admin = window.global::<AdminAdapter<'_>>();
        admin.set_new_password(SharedString::new());
        let shown = name.clone();
        act(&s, &window, Some(shown), Done::Added, move |store| {
            store.add_account(&name, role, password.as_str())
        });
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_select_account(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let admin = window.global::<AdminAdapter<'_>>();
        admin.set_selected(index);
        admin.set_replacement_password(SharedString::new());
        admin.set_confirm_remove(false);
        let name = account_at(&window, index);
        act(&s, &window, name, Done::Nothing, |_| Ok(()));
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_set_role(move |index, role| {
        let Some(window) = weak.upgrade() else { return };
        let (Some(name), Some(role)) = (
            account_at(&window, index),
            ROLES
                .get(usize::try_from(role).unwrap_or(usize::MAX))
                .copied(),
        ) else {
            return;
        };
        let target = name.clone();
        act(&s, &window, Some(name), Done::Role, move |store| {
            store.set_role(&target, role)
        });
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_reset_password(move |index, password| {
        let Some(window) = weak.upgrade() else { return };
        let Some(name) = account_at(&window, index) else {
            return;
        };
        window
            .global::<AdminAdapter<'_>>()
            .set_replacement_password(SharedString::new());
        let target = name.clone();
        act(&s, &window, Some(name), Done::Password, move |store| {
            store.set_password(&target, password.as_str())
        });
    });

    let retire = |done: Done, change: fn(&mut Store, &str) -> Result<(), StoreError>| {
        let (weak, s) = (window.as_weak(), Arc::clone(session));
        move |index| {
            let Some(window) = weak.upgrade() else { return };
            let Some(name) = account_at(&window, index) else {
                return;
            };
            window
                .global::<AdminAdapter<'_>>()
                .set_confirm_remove(false);
            // A removed account is no longer in the list: nothing is
            // selected then, and the confirmation still names it.
            let target = name.clone();
            act(&s, &window, Some(name), done, move |store| {
                change(store, &target)
            });
        }
    };
    adapter.on_disable_account(retire(Done::Disabled, Store::disable_account));
    adapter.on_enable_account(retire(Done::Enabled, Store::enable_account));
    adapter.on_remove_account(retire(Done::Removed, Store::remove_account));

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_set_assigned(move |index, case, assigned| {
        let Some(window) = weak.upgrade() else { return };
        let (Some(name), Ok(case)) = (account_at(&window, index), case.parse::<CaseId>()) else {
            return;
        };
        let target = name.clone();
        act(&s, &window, Some(name), Done::Nothing, move |store| {
            if assigned {
                store.assign(case, &target)
            } else {
                store.unassign(case, &target)
            }
        });
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_verify(move || {
        let Some(window) = weak.upgrade() else { return };
        verify(&s, &window);
    });

    let weak = window.as_weak();
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        clear(&window);
        window.set_screen(Screen::CaseList);
    });

    let (weak, s, router) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_lock(move || {
        let Some(window) = weak.upgrade() else { return };
        router.lock(&s, &window);
    });
}

/// The name of the account at `index` of the screen's list.
fn account_at(window: &AppWindow, index: i32) -> Option<String> {
    let accounts = window.global::<AdminAdapter<'_>>().get_accounts();
    let row = accounts.row_data(usize::try_from(index).ok()?)?;
    Some(row.name.to_string())
}

/// Runs `change` on the store, then reads the screen's data again and shows
/// it with the cases of `account` (the one selected, or the one changed).
fn act(
    session: &Arc<Session>,
    window: &AppWindow,
    account: Option<String>,
    done: Done,
    change: impl FnOnce(&mut Store) -> Result<(), StoreError> + Send + 'static,
) {
    let admin = window.global::<AdminAdapter<'_>>();
    if admin.get_busy() {
        return;
    }
    admin.set_busy(true);
    admin.set_problem(Problem::None);
    admin.set_done(AdminDone::Nothing);
    let epoch = session.epoch();
    session.run(
        window,
        move |session| {
            session.with_store(|store| {
                let changed = change(store);
                let data = AdminData::read(store)?;
                Ok((changed, data))
            })
        },
        move |session, window, result| {
            let admin = window.global::<AdminAdapter<'_>>();
            admin.set_busy(false);
            if session.epoch() != epoch || window.get_screen() != Screen::Admin {
                return;
            }
            match result {
                Some(Ok((changed, data))) => {
                    show(window, &data, account.as_deref(), session.utc_offset());
                    match changed {
                        Ok(()) => {
                            let name = account.as_deref().unwrap_or_default();
                            confirm(window, done, name);
                            if matches!(done, Done::Added) {
                                admin.set_new_name(SharedString::new());
                            }
                        }
                        Err(error) => report(window, &error),
                    }
                }
                Some(Err(error)) => report(window, &error),
                None => {}
            }
        },
    );
}

/// Puts `data` on the screen, with `account` selected when given.
fn show(window: &AppWindow, data: &AdminData, account: Option<&str>, offset: UtcOffset) {
    let admin = window.global::<AdminAdapter<'_>>();
    let selected = account.and_then(|name| data.accounts.iter().position(|a| a.name == name));
    admin.set_accounts(ModelRc::new(VecModel::from(data.account_rows())));
    admin.set_selected(selected.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
    let cases = account
        .filter(|_| selected.is_some())
        .map(|name| data.assignment_rows(name))
        .unwrap_or_default();
    admin.set_cases(ModelRc::new(VecModel::from(cases)));
    admin.set_audit(ModelRc::new(VecModel::from(data.audit_rows(offset))));
}

fn confirm(window: &AppWindow, done: Done, name: &str) {
    let admin = window.global::<AdminAdapter<'_>>();
    admin.set_done(match done {
        Done::Nothing => AdminDone::Nothing,
        Done::Added => AdminDone::AccountAdded,
        Done::Role => AdminDone::RoleChanged,
        Done::Password => AdminDone::PasswordReset,
        Done::Disabled => AdminDone::AccountDisabled,
        Done::Enabled => AdminDone::AccountEnabled,
        Done::Removed => AdminDone::AccountRemoved,
    });
    admin.set_done_name(name.into());
}

fn report(window: &AppWindow, error: &StoreError) {
    let admin = window.global::<AdminAdapter<'_>>();
    let report = Report::from(error);
    admin.set_problem(report.problem);
    admin.set_problem_detail(report.detail.into());
}

/// Runs the audit log's tamper check and shows its verdict.
fn verify(session: &Arc<Session>, window: &AppWindow) {
    let admin = window.global::<AdminAdapter<'_>>();
    if admin.get_busy() {
        return;
    }
    admin.set_busy(true);
    admin.set_verify_state(VerifyState::NotRun);
    let epoch = session.epoch();
    session.run(
        window,
        |session| session.with_store(|store| Ok(store.verify_audit_log())),
        move |session, window, result| {
            let admin = window.global::<AdminAdapter<'_>>();
            admin.set_busy(false);
            if session.epoch() != epoch {
                return;
            }
            match result {
                Some(Ok(Ok(()))) => admin.set_verify_state(VerifyState::Intact),
                Some(Ok(Err(StoreError::AuditTampered(seq)))) => {
                    admin.set_broken_entry(i32::try_from(seq).unwrap_or(i32::MAX));
                    admin.set_verify_state(VerifyState::Tampered);
                }
                Some(Ok(Err(error)) | Err(error)) => {
                    report(window, &error);
                    admin.set_verify_state(VerifyState::Failed);
                }
                None => {}
            }
        },
    );
}

/// Empties every value of the administration screen: called when the app
/// locks and when the screen is left, so no case name stays in a model.
pub(super) fn clear(window: &AppWindow) {
    let admin = window.global::<AdminAdapter<'_>>();
    admin.set_accounts(ModelRc::default());
    admin.set_cases(ModelRc::default());
    admin.set_audit(ModelRc::default());
    admin.set_selected(-1);
    admin.set_tab(0);
    admin.set_new_name(SharedString::new());
    admin.set_new_role(1);
    admin.set_new_password(SharedString::new());
    admin.set_replacement_password(SharedString::new());
    admin.set_confirm_remove(false);
    admin.set_verify_state(VerifyState::NotRun);
    admin.set_done(AdminDone::Nothing);
    admin.set_done_name(SharedString::new());
    admin.set_self_name(SharedString::new());
    admin.set_problem(Problem::None);
    admin.set_problem_detail(SharedString::new());
    admin.set_busy(false);
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::SupportStage;

    use super::*;

    #[test]
    fn audit_details_are_said_in_words_and_unknown_ones_shown_as_stored() {
        let said = |action, detail| audit_detail(action, detail);
        assert_eq!(said(AuditAction::ListCases, "12 rows"), "12 件");
        assert_eq!(
            said(AuditAction::Assignment, "assign sato"),
            "sato を担当に"
        );
        assert_eq!(
            said(AuditAction::Account, "add sato support_worker"),
            "アカウント sato を追加（支援員）"
        );
        assert_eq!(
            said(AuditAction::Account, "role sato read_only"),
            "sato の役割を「閲覧のみ」に変更"
        );
        assert_eq!(said(AuditAction::WriteCase, "career_plan"), "キャリア計画");
        assert_eq!(
            said(
                AuditAction::WriteCase,
                "media add photo 3f2a9c1e-0000-4000-8000-000000000000"
            ),
            "写真を追加 3f2a9c1e"
        );
        assert_eq!(said(AuditAction::Account, "disable sato"), "sato を無効に");
        assert_eq!(
            said(AuditAction::Account, "remove sato"),
            "アカウント sato を削除"
        );
        assert_eq!(
            said(AuditAction::DeleteCase, "3 media"),
            "写真・動画 3 件とともに削除"
        );
        assert_eq!(said(AuditAction::Login, ""), "");
        assert_eq!(said(AuditAction::ReadHistory, "basic.name"), "basic.name");
        assert_eq!(said(AuditAction::Account, "something new"), "something new");
    }

    const JST: UtcOffset = time::macros::offset!(+9);

    fn entry(seq: i64, action: AuditAction, case_id: Option<&str>) -> AuditEntry {
        AuditEntry {
            seq,
            at: tsunagi_core::rfc3339::Timestamp::parse("2026-11-24T05:05:09Z").expect("a time"),
            account: "admin".into(),
            action,
            case_id: case_id.map(str::to_owned),
            detail: String::new(),
        }
    }

    fn case(name: &str, kana: &str, assigned: &[&str]) -> CaseSummary {
        CaseSummary {
            id: CaseId::new(),
            name: name.into(),
            kana: kana.into(),
            stage: SupportStage::Discovery,
            updated_at: tsunagi_core::rfc3339::Timestamp::parse("2026-11-24T05:05:09Z")
                .expect("a time"),
            assigned_to: assigned.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn the_audit_log_shows_newest_first_in_local_time() {
        let data = AdminData {
            accounts: Vec::new(),
            disabled: Vec::new(),
            cases: Vec::new(),
            audit: vec![
                entry(1, AuditAction::StoreCreated, None),
                entry(3, AuditAction::ReadCase, Some("0a1b2c3d-aaaa-bbbb")),
                entry(2, AuditAction::Login, None),
            ],
        };
        let rows = data.audit_rows(JST);
        let actions: Vec<i32> = rows.iter().map(|r| r.action).collect();
        assert_eq!(actions, [4, 1, 0], "read, login, set-up");
        assert_eq!(rows[0].at.as_str(), "2026/11/24 14:05:09");
        assert_eq!(rows[0].case_id.as_str(), "0a1b2c3d", "shortened");
        assert!(rows[1].case_id.is_empty());
    }

    #[test]
    fn every_audit_action_and_role_has_a_place_on_screen() {
        for action in AUDIT_ACTIONS {
            assert!(index_of(&AUDIT_ACTIONS, action) >= 0);
        }
        let roles: Vec<i32> = ROLES.iter().map(|r| index_of(&ROLES, *r)).collect();
        assert_eq!(roles, [0, 1, 2]);
    }

    #[test]
    fn the_assignment_list_ticks_only_the_chosen_accounts_cases() {
        let data = AdminData {
            accounts: vec![Account {
                name: "sato".into(),
                role: Role::SupportWorker,
            }],
            disabled: Vec::new(),
            cases: vec![
                case("見本 花子", "みほん はなこ", &["sato", "admin"]),
                case("例田 さくら", "れいだ さくら", &["suzuki"]),
            ],
            audit: Vec::new(),
        };
        let rows = data.assignment_rows("sato");
        let ticked: Vec<(&str, bool)> =
            rows.iter().map(|r| (r.name.as_str(), r.assigned)).collect();
        assert_eq!(ticked, [("見本 花子", true), ("例田 さくら", false)]);
        assert_eq!(data.account_rows()[0].role, 1, "支援員");
    }
}
