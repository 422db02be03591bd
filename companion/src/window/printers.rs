//! The printers both panels print on (CUPS, listed on a thread of their
//! own), printing a PDF and waiting for its job, and saving a PDF. The
//! documents panel and the programme panel show the same printer list.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::Desk;
use super::ui::{DeskWindow, DocumentsAdapter, ProgrammeAdapter};
use crate::print;

/// Asks CUPS for its printers.
pub(super) fn refresh(desk: &Arc<Desk>, window: &DeskWindow) {
    let server = desk.cups.clone();
    desk.spawn(
        window,
        move || print::list_printers(&server),
        |desk, window, listed| {
            let adapter = window.global::<DocumentsAdapter<'_>>();
            match listed {
                Ok(printers) => {
                    let labels: Vec<SharedString> = printers
                        .iter()
                        .map(|p| {
                            let state = match p.check_ready() {
                                Ok(()) => p.state.label_ja().to_owned(),
                                Err(e) => e.to_string(),
                            };
                            format!("{}（{state}）", p.name).into()
                        })
                        .collect();
                    let names: Vec<String> = printers.into_iter().map(|p| p.name).collect();
                    let keep = adapter.get_printer();
                    if usize::try_from(keep).map_or(true, |k| k >= names.len()) {
                        adapter.set_printer(if names.len() == 1 { 0 } else { -1 });
                    }
                    *desk.printers.lock().unwrap_or_else(PoisonError::into_inner) = names;
                    let labels = ModelRc::new(VecModel::from(labels));
                    window
                        .global::<ProgrammeAdapter<'_>>()
                        .set_printers(labels.clone());
                    adapter.set_printers(labels);
                }
                Err(e) => adapter.set_error(e.to_string().into()),
            }
        },
    );
}

/// The name of printer `index` of the last listing.
pub(super) fn printer_name(desk: &Desk, index: i32) -> Option<String> {
    let index = usize::try_from(index).ok()?;
    desk.printers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(index)
        .cloned()
}

/// Prints `pdf` on `printer` and waits for the job's state; `done` shows
/// the outcome in words.
pub(super) fn print_pdf(
    desk: &Arc<Desk>,
    window: &DeskWindow,
    pdf: Arc<Vec<u8>>,
    printer: String,
    copies: u16,
    title: String,
    done: impl FnOnce(&DeskWindow, Result<String, String>) + Send + 'static,
) {
    let server = desk.cups.clone();
    desk.spawn(
        window,
        move || {
            let job = print::print_pdf(&server, &printer, &pdf, copies, &title)
                .map_err(|e| e.to_string())?;
            let status =
                print::wait_for_job(&server, &printer, job, std::time::Duration::from_secs(20))
                    .map_err(|e| e.to_string())?;
            Ok(format!(
                "{printer}：{copies}部 {}（ジョブ {}）",
                status.state.label_ja(),
                job.0
            ))
        },
        move |_, window, printed| done(window, printed),
    );
}

/// Saves `pdf` at `path` (never over an existing file).
pub(super) fn save_pdf(path: &str, pdf: &[u8]) -> Result<String, String> {
    let path = PathBuf::from(path.trim());
    crate::saving::save_new(&path, pdf).map_err(|e| format!("{e:#}"))?;
    Ok(format!("保存しました (saved)：{}", path.display()))
}
