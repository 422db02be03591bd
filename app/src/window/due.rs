//! What is due (期限・予定) beside the case list: read from the store with
//! [`tsunagi_core::store::Store::due`] whenever the list is read again,
//! labelled in the window's language. Tapping an item opens its case.

use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::{Date, Duration, OffsetDateTime};
use tsunagi_core::model::{DueItem, DueKind};
use tsunagi_core::store::DueRow;

use super::case_form::show_date;
use super::i18n::{tr, tr_fill};
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, DueAdapter, DueEntry};

/// How far ahead the list looks. A month covers the programme reviews
/// (every one to three months) and the next follow-up.
const WITHIN_DAYS: u16 = 30;
/// How many items the list shows folded (in portrait, above the cases).
const FOLDED: usize = 3;

/// Connects the due list to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let adapter = window.global::<DueAdapter<'_>>();
    adapter.set_within_days(i32::from(WITHIN_DAYS));
    let (weak, s, r) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_open(move |id| {
        let Some(window) = weak.upgrade() else { return };
        let (Ok(id), Some(open)) = (id.parse(), r.routes().open_case) else {
            return;
        };
        open(&s, &window, id);
    });
    router.on_lock(|_, window| clear(window));
}

/// Reads what is due again and shows it. A problem reading leaves the list
/// empty: the case list beside it reports the store's problems.
pub(super) fn refresh(session: &Arc<Session>, window: &AppWindow) {
    let epoch = session.epoch();
    let today = OffsetDateTime::now_utc()
        .to_offset(session.utc_offset())
        .date();
    session.run(
        window,
        move |session| {
            session.with_store(|store| store.due(today, Duration::days(WITHIN_DAYS.into())))
        },
        move |session, window, rows| {
            if session.epoch() != epoch {
                return;
            }
            let entries = match rows {
                Some(Ok(rows)) => entries(&rows, today),
                _ => Vec::new(),
            };
            let adapter = window.global::<DueAdapter<'_>>();
            let first: Vec<DueEntry> = entries.iter().take(FOLDED).cloned().collect();
            adapter.set_first_items(ModelRc::new(VecModel::from(first)));
            adapter.set_items(ModelRc::new(VecModel::from(entries)));
        },
    );
}

/// Empties the list (at a lock).
fn clear(window: &AppWindow) {
    let adapter = window.global::<DueAdapter<'_>>();
    adapter.set_first_items(ModelRc::default());
    adapter.set_items(ModelRc::default());
}

/// The rows as the screen shows them, overdue first as the store sorts them.
fn entries(rows: &[DueRow], today: Date) -> Vec<DueEntry> {
    rows.iter()
        .map(|row| DueEntry {
            case_id: row.case.to_string().into(),
            name: SharedString::from(row.name.expose().as_str()),
            what: label(&row.item).into(),
            when: show_date(row.item.on).into(),
            overdue: row.item.on < today,
        })
        .collect()
}

/// What is due, in the window's language.
fn label(item: &DueItem) -> String {
    match &item.kind {
        DueKind::ProgrammeReview(name) if name.is_empty() => tr("プログラムの評価").to_owned(),
        DueKind::ProgrammeReview(name) => tr_fill("プログラムの評価（{}）", &[name]),
        DueKind::ProgrammeEnds(name) if name.is_empty() => tr("プログラムの期間終了").to_owned(),
        DueKind::ProgrammeEnds(name) => tr_fill("プログラムの期間終了（{}）", &[name]),
        DueKind::CertificateEnds => tr("医療受給者証の有効期限").to_owned(),
        DueKind::FollowUp(months) => tr_fill("就職後{}か月の定着支援", &[&months.to_string()]),
        DueKind::PlanItem => tr("支援計画の期限").to_owned(),
    }
}
