//! プログラムの集計: the programme figures of a fiscal year on screen, printed
//! or saved like the documents (`documents::programme` computes them).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use tsunagi_core::model::{Case, ProgrammeOutcome};
use tsunagi_core::store::{CaseQuery, Store, StoreError};

use super::Desk;
use super::printers::{self, print_pdf, printer_name, save_pdf};
use super::ui::{DeskWindow, ProgrammeAdapter, ProgrammeRow};
use crate::documents::programme::{self, OutcomeKey, ProgrammeFigures};

/// The programme panel: the programme names offered and the figures
/// shown, made by [`wire`] and shared by the window's callbacks (UI thread
/// only).
#[derive(Default)]
pub(super) struct Programme {
    state: RefCell<(Vec<String>, Vec<ProgrammeFigures>)>,
}

impl Programme {
    /// The name of offered programme `index`.
    fn name_at(&self, index: i32) -> Option<String> {
        let index = usize::try_from(index).ok()?;
        self.state.borrow().0.get(index).cloned()
    }
}

fn row(cells: &[String], heading: bool) -> ProgrammeRow {
    let cells: Vec<SharedString> = cells.iter().map(|c| c.as_str().into()).collect();
    ProgrammeRow {
        cells: ModelRc::new(VecModel::from(cells)),
        heading,
    }
}

/// The figures as table lines, as the printed table has them.
pub fn rows(figures: &[ProgrammeFigures]) -> Vec<(Vec<String>, bool)> {
    let mut out = Vec::new();
    if figures.is_empty() {
        out.push((
            vec!["該当するプログラムはありません (no programme had targets that year)".to_owned()],
            false,
        ));
        return out;
    }
    out.push((
        [
            "プログラム名",
            "実施機関",
            "達成の基準",
            "支援対象者数",
            "参加者数",
            "達成者数",
        ]
        .map(str::to_owned)
        .to_vec(),
        true,
    ));
    for f in figures {
        out.push((
            vec![
                f.programme.clone(),
                f.agencies.join("、"),
                programme::achieved_by(f),
                f.targets.to_string(),
                f.participants.to_string(),
                f.achievers.to_string(),
            ],
            false,
        ));
    }
    for f in figures {
        out.push((vec![format!("{}：評価結果", f.programme)], true));
        for key in ProgrammeOutcome::ALL.map(OutcomeKey::of) {
            let n = f.outcomes.get(&key).copied().unwrap_or(0);
            out.push((
                vec![key.outcome().label_ja().to_owned(), n.to_string()],
                false,
            ));
        }
        for (outcome, reason, n) in &f.reasons {
            out.push((
                vec![outcome.label_ja().to_owned(), format!("{reason}（{n}件）")],
                false,
            ));
        }
    }
    out
}

fn all_cases(store: &mut Store) -> Result<Vec<Case>, StoreError> {
    let mut cases = Vec::new();
    for summary in store.list_cases(&CaseQuery::default())? {
        cases.push(store.load_case(summary.id)?);
    }
    Ok(cases)
}

/// Reads the programme names and shows the figures of the chosen year.
pub(super) fn refresh(panel: &Rc<Programme>, desk: &Arc<Desk>, window: &DeskWindow) {
    let adapter = window.global::<ProgrammeAdapter<'_>>();
    if adapter.get_printers().row_count() == 0 {
        printers::refresh(desk, window);
    }
    compute(
        panel,
        desk,
        window,
        adapter.get_year(),
        adapter.get_programme(),
    );
}

fn compute(
    panel: &Rc<Programme>,
    desk: &Arc<Desk>,
    window: &DeskWindow,
    year: i32,
    programme_index: i32,
) {
    let chosen = panel.name_at(programme_index);
    let panel = Rc::clone(panel);
    desk.with_store(
        window,
        move |store| {
            let cases = all_cases(store)?;
            let names: BTreeSet<String> = cases
                .iter()
                .flat_map(|c| &c.programmes)
                .map(|e| e.programme.clone())
                .filter(|n| !n.trim().is_empty())
                .collect();
            let figures = programme::figures(&cases, year, chosen.as_deref());
            Ok::<_, StoreError>((names.into_iter().collect::<Vec<_>>(), figures))
        },
        move |_, window, computed| {
            let adapter = window.global::<ProgrammeAdapter<'_>>();
            adapter.set_error(SharedString::new());
            adapter.set_status(SharedString::new());
            match computed {
                Some(Ok((names, figures))) => {
                    let shown: Vec<ProgrammeRow> =
                        rows(&figures).iter().map(|(c, h)| row(c, *h)).collect();
                    adapter.set_rows(ModelRc::new(VecModel::from(shown)));
                    let options: Vec<SharedString> =
                        names.iter().map(|n| n.as_str().into()).collect();
                    adapter.set_programmes(ModelRc::new(VecModel::from(options)));
                    if adapter.get_save_path().is_empty() {
                        let home = std::env::var("HOME").unwrap_or_else(|_| ".".into());
                        adapter.set_save_path(
                            format!("{home}/プログラム集計_{}年度.pdf", adapter.get_year()).into(),
                        );
                    }
                    *panel.state.borrow_mut() = (names, figures);
                }
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Empties the panel (on lock).
pub(super) fn clear(panel: &Programme, window: &DeskWindow) {
    *panel.state.borrow_mut() = Default::default();
    let adapter = window.global::<ProgrammeAdapter<'_>>();
    adapter.set_rows(ModelRc::default());
    adapter.set_programmes(ModelRc::default());
    adapter.set_programme(-1);
    adapter.set_status(SharedString::new());
    adapter.set_error(SharedString::new());
}

/// The figures shown, as the printed table of `year`.
fn pdf_of(panel: &Programme, year: i32) -> Result<Vec<u8>, String> {
    let figures = panel.state.borrow().1.clone();
    programme::to_pdf(year, &figures, time::OffsetDateTime::now_utc()).map_err(|e| e.to_string())
}

/// Wires the panel's callbacks and returns the panel they share.
pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>) -> Rc<Programme> {
    let panel = Rc::new(Programme::default());
    let adapter = window.global::<ProgrammeAdapter<'_>>();
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_compute(move |year, programme| {
        if let Some(window) = weak.upgrade() {
            compute(&p, &d, &window, year, programme);
        }
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_print(move |printer| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<ProgrammeAdapter<'_>>();
        let Some(name) = printer_name(&d, printer) else {
            adapter.set_error("プリンターを選んでください (choose a printer)".into());
            return;
        };
        match pdf_of(&p, adapter.get_year()) {
            Ok(pdf) => {
                let title = format!("Tsunagi プログラム集計 {}年度", adapter.get_year());
                print_pdf(
                    &d,
                    &window,
                    Arc::new(pdf),
                    name,
                    1,
                    title,
                    |window, printed| {
                        let adapter = window.global::<ProgrammeAdapter<'_>>();
                        match printed {
                            Ok(status) => adapter.set_status(status.into()),
                            Err(e) => adapter.set_error(e.into()),
                        }
                    },
                );
            }
            Err(e) => adapter.set_error(e.into()),
        }
    });
    let (weak, p) = (window.as_weak(), Rc::clone(&panel));
    adapter.on_save(move |path| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<ProgrammeAdapter<'_>>();
        adapter.set_status(SharedString::new());
        adapter.set_error(SharedString::new());
        match pdf_of(&p, adapter.get_year()).and_then(|pdf| save_pdf(&path, &pdf)) {
            Ok(done) => adapter.set_status(done.into()),
            Err(e) => adapter.set_error(e.into()),
        }
    });
    panel
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagi_core::model::ProgrammeGoalType;

    #[test]
    fn the_table_lines_hold_every_figure() {
        let figures = vec![ProgrammeFigures {
            programme: "就労準備".into(),
            agencies: vec!["A相談支援センター".into()],
            achieved_by: vec![ProgrammeGoalType::GoalsMet],
            targets: 12,
            participants: 9,
            achievers: 4,
            outcomes: [(OutcomeKey::of(ProgrammeOutcome::Employed), 4)].into(),
            reasons: vec![(ProgrammeOutcome::Stop, "体調".into(), 2)],
        }];
        let lines = rows(&figures);
        assert!(lines[0].1, "the first line is the heading");
        assert_eq!(
            lines[1].0,
            ["就労準備", "A相談支援センター", "目標達成", "12", "9", "4"]
        );
        let flat: Vec<String> = lines.iter().flat_map(|(c, _)| c.clone()).collect();
        assert!(flat.contains(&"体調（2件）".to_owned()), "{flat:?}");
        assert!(rows(&[])[0].0[0].contains("該当するプログラムはありません"));
    }
}
