//! 研究データ: what would go to the research centre, shown before it goes
//! (one de-identified line per case), the send button, the outbox with
//! each batch's state, and the button that opens the centre's board in the
//! browser. Sealing and delivery are `crate::research`'s; the board's
//! address and the browser are `crate::board`'s.

use std::sync::Arc;
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::UtcOffset;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::Store;
use tsunagi_core::store::research::QueuedBatch;

use super::ui::{DeskWindow, ResearchAdapter, ResearchRow};
use super::{Desk, local_time};
use crate::board::{BoardError, BoardUrl};
use crate::research::{self, ResearchSendError, Retry, Selection};

/// Attempts from the window: a few, so the window answers within seconds;
/// what is not delivered stays queued for the next press.
const WINDOW_RETRY: Retry = Retry {
    attempts: 3,
    first_delay: Duration::from_secs(2),
};

fn row(cells: Vec<String>, heading: bool) -> ResearchRow {
    let cells: Vec<SharedString> = cells.into_iter().map(SharedString::from).collect();
    ResearchRow {
        cells: ModelRc::new(VecModel::from(cells)),
        heading,
    }
}

/// The records as table lines: a heading, then one line per case with
/// exactly the values a record carries in summary (the full record is
/// what `research preview` prints); disease groups by their names in
/// `reference`.
pub fn preview_lines(selection: &Selection, reference: &ReferenceDb) -> Vec<(Vec<String>, bool)> {
    let (records, left_out) = (&selection.records, &selection.left_out);
    let group = |id: &String| reference.group_name_ja(id).unwrap_or(id).to_owned();
    let mut out = vec![(
        ["仮名ID", "年齢層", "性別", "疾患群", "到達した段階", "就職"]
            .map(str::to_owned)
            .to_vec(),
        true,
    )];
    for r in records {
        let stages: Vec<String> = r
            .stages
            .iter()
            .map(|s| match s.month {
                Some(m) => format!("{} {m}", s.stage.label_ja()),
                None => s.stage.label_ja().to_owned(),
            })
            .collect();
        let employment = match &r.employment {
            Some(e) => {
                let mut parts = Vec::new();
                if let Some(m) = e.hired {
                    parts.push(format!("就職 {m}"));
                }
                if let Some(h) = e.hours_per_week {
                    parts.push(format!("週{h}時間"));
                }
                for (months, kept) in [
                    (3, e.retained_3_months),
                    (6, e.retained_6_months),
                    (12, e.retained_12_months),
                ] {
                    if let Some(kept) = kept {
                        parts.push(format!(
                            "{months}か月{}",
                            if kept { "定着" } else { "離職" }
                        ));
                    }
                }
                parts.join("・")
            }
            None => "—".to_owned(),
        };
        out.push((
            vec![
                r.pseudonym.as_str().chars().take(12).collect(),
                r.age_band.map_or_else(|| "—".to_owned(), |b| b.to_string()),
                r.sex.label_ja().to_owned(),
                r.disease_groups
                    .iter()
                    .map(group)
                    .collect::<Vec<_>>()
                    .join("、"),
                stages.join("、"),
                employment,
            ],
            false,
        ));
    }
    for l in left_out {
        out.push((
            vec![
                l.pseudonym.as_str().chars().take(12).collect(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                format!("送りません（センターの記録は削除）: {}", l.why.message_ja()),
                "—".to_owned(),
            ],
            false,
        ));
    }
    for pseudonym in &selection.deleted {
        out.push((
            vec![
                pseudonym.as_str().chars().take(12).collect(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "送りません（この事務所で削除したケース。センターの記録も削除）".to_owned(),
                "—".to_owned(),
            ],
            false,
        ));
    }
    out
}

/// The outbox as table lines, newest last, times in `offset`.
pub fn outbox_lines(batches: &[QueuedBatch], offset: UtcOffset) -> Vec<(Vec<String>, bool)> {
    let mut out = vec![(
        ["バッチ", "作成", "件数", "状態"]
            .map(str::to_owned)
            .to_vec(),
        true,
    )];
    for b in batches {
        let state = match (&b.sent_at, &b.refused_at, &b.last_error) {
            (Some(at), _, _) => format!("送付済み {}", local_time(*at, offset)),
            (None, Some(at), e) => format!(
                "センターが受け取りを拒否 {}（理由: {}）。次の送付には影響しません",
                local_time(*at, offset),
                e.as_deref().unwrap_or_default()
            ),
            (None, None, Some(e)) => {
                format!("未送付（{}回試行、最後の理由: {e}）", b.attempts)
            }
            (None, None, None) => "未送付".to_owned(),
        };
        out.push((
            vec![
                b.id.to_string().chars().take(8).collect(),
                local_time(b.created_at, offset),
                b.records.to_string(),
                state,
            ],
            false,
        ));
    }
    out
}

fn set_rows(lines: Vec<(Vec<String>, bool)>) -> ModelRc<ResearchRow> {
    let rows: Vec<ResearchRow> = lines.into_iter().map(|(c, h)| row(c, h)).collect();
    ModelRc::new(VecModel::from(rows))
}

/// The centre's address, the preview lines and the outbox lines.
type Shown = (Option<String>, Lines, Lines);
type Lines = Vec<(Vec<String>, bool)>;

fn read(store: &mut Store, offset: UtcOffset) -> Result<Shown, ResearchSendError> {
    let reference = research::reference(store.dir())?;
    let centre = store.research_centre()?.map(|c| c.url);
    let selection = research::records(store, &reference)?;
    let batches = store.research_batches()?;
    Ok((
        centre,
        preview_lines(&selection, &reference),
        outbox_lines(&batches, offset),
    ))
}

fn show(window: &DeskWindow, shown: Shown) {
    let adapter = window.global::<ResearchAdapter<'_>>();
    let (centre, preview, outbox) = shown;
    adapter.set_board_available(centre.is_some());
    adapter.set_centre(
        match centre {
            Some(url) => format!("送付先 (centre): {url}"),
            // The panel's hint says how to set one.
            None => "研究センターが設定されていません (no research centre is set)".to_owned(),
        }
        .into(),
    );
    adapter.set_preview(set_rows(preview));
    adapter.set_outbox(set_rows(outbox));
}

/// Reads what would be sent and the outbox.
pub(super) fn refresh(desk: &Arc<Desk>, window: &DeskWindow) {
    let offset = desk.utc_offset;
    desk.with_store(
        window,
        move |store| read(store, offset),
        |_, window, shown| {
            let adapter = window.global::<ResearchAdapter<'_>>();
            adapter.set_error(SharedString::new());
            match shown {
                Some(Ok(shown)) => show(window, shown),
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Seals a batch (unless one is waiting) and sends the outbox.
fn send(desk: &Arc<Desk>, window: &DeskWindow) {
    let offset = desk.utc_offset;
    let adapter = window.global::<ResearchAdapter<'_>>();
    adapter.set_sending(true);
    adapter.set_status(SharedString::new());
    adapter.set_error(SharedString::new());
    desk.with_store(
        window,
        move |store| {
            research::queue_unless_waiting(store)?;
            let sent = research::deliver(store, WINDOW_RETRY);
            Ok::<_, ResearchSendError>((sent, read(store, offset)?))
        },
        |_, window, result| {
            let adapter = window.global::<ResearchAdapter<'_>>();
            adapter.set_sending(false);
            match result {
                Some(Ok((sent, shown))) => {
                    show(window, shown);
                    match sent {
                        Ok(n) => adapter.set_status(
                            format!("{n}件のバッチを送付しました (delivered {n} batch(es))").into(),
                        ),
                        Err(e) => adapter.set_error(e.to_string().into()),
                    }
                }
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Opens the centre's board in the browser. The address is read from the
/// store at the press (not from what the panel shows), checked
/// ([`BoardUrl::from_centre`]: `https://` only), then handed to the desk's
/// launcher on a thread of its own; the outcome lands in the status or
/// error line.
fn open_board(desk: &Arc<Desk>, window: &DeskWindow) {
    let adapter = window.global::<ResearchAdapter<'_>>();
    adapter.set_status(SharedString::new());
    adapter.set_error(SharedString::new());
    desk.with_store(
        window,
        |store| store.research_centre().map(|c| c.map(|c| c.url)),
        |desk, window, centre| {
            let adapter = window.global::<ResearchAdapter<'_>>();
            let url = match centre {
                Some(Ok(Some(centre))) => BoardUrl::from_centre(&centre),
                Some(Ok(None)) => Err(BoardError::NotConfigured),
                Some(Err(e)) => {
                    adapter.set_error(e.to_string().into());
                    return;
                }
                None => return,
            };
            let url = match url {
                Ok(url) => url,
                Err(e) => {
                    adapter.set_error(e.to_string().into());
                    return;
                }
            };
            let (launcher, shown) = (Arc::clone(&desk.launcher), url.clone());
            desk.spawn(
                window,
                move || launcher.open(&url),
                move |_, window, opened| {
                    let adapter = window.global::<ResearchAdapter<'_>>();
                    match opened {
                        Ok(()) => adapter.set_status(
                            format!(
                                "掲示板をブラウザで開きました: {shown} (opened the board in the browser)"
                            )
                            .into(),
                        ),
                        Err(e) => adapter.set_error(e.to_string().into()),
                    }
                },
            );
        },
    );
}

/// Empties the panel (on lock).
pub(super) fn clear(window: &DeskWindow) {
    let adapter = window.global::<ResearchAdapter<'_>>();
    adapter.set_board_available(false);
    adapter.set_preview(ModelRc::default());
    adapter.set_outbox(ModelRc::default());
    adapter.set_centre(SharedString::new());
    adapter.set_status(SharedString::new());
    adapter.set_error(SharedString::new());
}

pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>) {
    let adapter = window.global::<ResearchAdapter<'_>>();
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_refresh(move || {
        if let Some(window) = weak.upgrade() {
            refresh(&d, &window);
        }
    });
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_send(move || {
        if let Some(window) = weak.upgrade() {
            send(&d, &window);
        }
    });
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_open_board(move || {
        if let Some(window) = weak.upgrade() {
            open_board(&d, &window);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagi_core::model::demo_cases;
    use tsunagi_core::research::{AgencySecret, ProgressRecord};

    #[test]
    fn the_preview_shows_one_line_per_case_and_no_identifying_value() {
        let reference = ReferenceDb::bundled().expect("loads");
        let secret = AgencySecret::generate();
        let cases = demo_cases();
        let records: Vec<ProgressRecord> = cases
            .iter()
            .map(|c| {
                ProgressRecord::from_case(
                    c,
                    &secret,
                    time::macros::date!(2026 - 12 - 01),
                    &reference,
                    5,
                )
            })
            .collect();
        let selection = Selection {
            records,
            left_out: vec![crate::research::LeftOut {
                pseudonym: tsunagi_core::research::Pseudonym::of(&secret, cases[0].id),
                why: tsunagi_core::consent::Refusal::NotGiven(
                    tsunagi_core::model::ConsentScope::Research,
                ),
            }],
            deleted: vec![tsunagi_core::research::Pseudonym::of(&secret, cases[1].id)],
        };
        let lines = preview_lines(&selection, &reference);
        assert_eq!(lines.len(), cases.len() + 3);
        assert!(
            lines[cases.len() + 1].0[4].contains("研究部門への提供」への同意がありません"),
            "a case left out says why: {:?}",
            lines[cases.len() + 1]
        );
        assert!(
            lines[cases.len() + 2].0[4].contains("削除したケース"),
            "a deleted case is named as one: {:?}",
            lines[cases.len() + 2]
        );
        assert!(lines[0].1, "a heading first");
        let text: String = lines.iter().flat_map(|(c, _)| c.clone()).collect();
        assert!(
            text.contains("ディスカバリー") || text.contains("就職"),
            "{text}"
        );
        for case in &cases {
            for value in [&case.basic.name, &case.basic.kana, &case.basic.address] {
                if !value.expose().is_empty() {
                    assert!(
                        !text.contains(value.expose().as_str()),
                        "identifying value shown"
                    );
                }
            }
        }
    }
}
