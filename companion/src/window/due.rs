//! 期限・予定: what falls due across the office's cases within the chosen
//! number of days, overdue first ([`Store::due`]: computed from the cases,
//! read and audited as any case is).

use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::{Duration, OffsetDateTime};
use tsunagi_core::store::{DueRow, Store};

use super::Desk;
use super::ui::{DeskDueAdapter, DeskDueItem, DeskWindow};

/// Wires the panel's callbacks.
pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>) {
    let adapter = window.global::<DeskDueAdapter<'_>>();
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_compute(move |_| {
        if let Some(window) = weak.upgrade() {
            refresh(&d, &window);
        }
    });
}

/// Reads what is due within the panel's number of days.
pub(super) fn refresh(desk: &Arc<Desk>, window: &DeskWindow) {
    let adapter = window.global::<DeskDueAdapter<'_>>();
    let within = Duration::days(adapter.get_within_days().clamp(1, 365).into());
    let today = OffsetDateTime::now_utc().to_offset(desk.utc_offset).date();
    desk.with_store(
        window,
        move |store: &mut Store| store.due(today, within),
        move |_, window, rows| {
            let adapter = window.global::<DeskDueAdapter<'_>>();
            match rows {
                Some(Ok(rows)) => {
                    adapter.set_error(SharedString::new());
                    let items: Vec<DeskDueItem> = rows.iter().map(|row| item(row, today)).collect();
                    adapter.set_items(ModelRc::new(VecModel::from(items)));
                }
                Some(Err(e)) => {
                    adapter.set_items(ModelRc::default());
                    adapter.set_error(
                        format!("期限を読めません (cannot read what is due): {e}").into(),
                    );
                }
                None => {}
            }
        },
    );
}

/// Empties the panel (at a lock).
pub(super) fn clear(window: &DeskWindow) {
    let adapter = window.global::<DeskDueAdapter<'_>>();
    adapter.set_items(ModelRc::default());
    adapter.set_error(SharedString::new());
}

fn item(row: &DueRow, today: time::Date) -> DeskDueItem {
    let id = row.case.to_string();
    DeskDueItem {
        when: row.item.on.to_string().into(),
        overdue: row.item.on < today,
        name: row.name.expose().as_str().into(),
        case: id.chars().take(8).collect::<String>().into(),
        what: row.item.label_ja().into(),
    }
}
