//! 受信したケース: the received cases and, for the chosen one, its five
//! documents. A document is rendered on the store's worker (it reads the
//! case, its history and its approved photos), previewed by Poppler on a
//! thread of its own, and printed through CUPS on another, the window
//! showing the job's state. The PDF stays in memory; it reaches the disk
//! only when the user saves it.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use slint::{
    ComponentHandle, Image, Model, ModelRc, Rgb8Pixel, SharedPixelBuffer, SharedString, VecModel,
};
use tsunagi_core::model::CaseId;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{CaseQuery, Store, StoreError};

use super::preview::{self, Picture};
use super::printers::{self, print_pdf, printer_name, save_pdf};
use super::ui::{CaseItem, DeskWindow, DocumentsAdapter};
use super::{Desk, local_day, local_time};
use crate::documents::{self, ApprovedPhoto, DocumentKind, DocumentMeta, Request};

/// Dots per inch of the preview: an A4 page about 910 pixels tall, sharp
/// when shrunk to the panel.
const PREVIEW_DPI: u32 = 110;

/// What the panel holds between callbacks.
#[derive(Default)]
struct State {
    /// The listed cases' ids, in list order.
    cases: Vec<CaseId>,
    /// The chosen case's employers' ids, in choice order.
    employers: Vec<String>,
    /// The document shown, as PDF.
    pdf: Option<Arc<Vec<u8>>>,
}

/// The documents panel: its state, made by [`wire`] and shared by the
/// window's callbacks (UI thread only).
#[derive(Default)]
pub(super) struct Documents {
    state: RefCell<State>,
}

impl Documents {
    /// The id of listed case `index`.
    fn case_at(&self, index: i32) -> Option<CaseId> {
        let index = usize::try_from(index).ok()?;
        self.state.borrow().cases.get(index).copied()
    }

    /// The id of the chosen case's employer `index`.
    fn employer_at(&self, index: i32) -> Option<String> {
        let index = usize::try_from(index).ok()?;
        self.state.borrow().employers.get(index).cloned()
    }

    /// The document shown, as PDF.
    fn pdf(&self) -> Option<Arc<Vec<u8>>> {
        self.state.borrow().pdf.clone()
    }

    /// Keeps a rendered document and its case's employers' ids.
    fn keep(&self, employers: Vec<String>, pdf: &Arc<Vec<u8>>) {
        let mut state = self.state.borrow_mut();
        state.employers = employers;
        state.pdf = Some(Arc::clone(pdf));
    }
}

fn kind(index: i32) -> DocumentKind {
    usize::try_from(index)
        .ok()
        .and_then(|i| DocumentKind::ALL.get(i).copied())
        .unwrap_or(DocumentKind::Profile)
}

/// Where a document is saved unless the user says otherwise.
fn default_path(kind: DocumentKind, case: CaseId) -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let short: String = case.to_string().chars().take(8).collect();
    home.join(format!("{}_{short}.pdf", kind.title_ja()))
}

/// Reads the received cases into the list, keeping the chosen one. The
/// rows are made on the store's thread: an office holds tens of thousands
/// of cases, and the list is read again after every dock.
pub(super) fn refresh(panel: &Rc<Documents>, desk: &Arc<Desk>, window: &DeskWindow) {
    let offset = desk.utc_offset;
    let panel = Rc::clone(panel);
    desk.with_store(
        window,
        move |store| {
            let cases = store.find_cases(&CaseQuery::default())?;
            let received = store.received_at()?;
            let items: Vec<CaseItem> = cases
                .iter()
                .map(|r| CaseItem {
                    id: r.id.to_string().into(),
                    name: r.name.expose().as_str().into(),
                    stage: r.stage.label_ja().into(),
                    received: match received.get(&r.id) {
                        Some(at) => format!("受信 {}", local_time(*at, offset)).into(),
                        None => local_day(r.updated_at, offset).into(),
                    },
                })
                .collect();
            let ids: Vec<CaseId> = cases.iter().map(|r| r.id).collect();
            Ok::<_, StoreError>((items, ids))
        },
        move |_, window, listed| {
            let adapter = window.global::<DocumentsAdapter<'_>>();
            let (items, ids) = match listed {
                Some(Ok(listed)) => listed,
                Some(Err(e)) => {
                    adapter.set_error(e.to_string().into());
                    return;
                }
                None => return,
            };
            let chosen = panel.case_at(adapter.get_selected());
            let selected = chosen
                .and_then(|c| ids.iter().position(|id| *id == c))
                .map_or(-1, |i| i32::try_from(i).unwrap_or(-1));
            panel.state.borrow_mut().cases = ids;
            adapter.set_cases(ModelRc::new(VecModel::from(items)));
            adapter.set_selected(selected);
        },
    );
}

/// Empties the panel (on lock).
pub(super) fn clear(panel: &Documents, window: &DeskWindow) {
    *panel.state.borrow_mut() = State::default();
    let adapter = window.global::<DocumentsAdapter<'_>>();
    adapter.set_cases(ModelRc::default());
    adapter.set_selected(-1);
    adapter.set_document(0);
    adapter.set_employers(ModelRc::default());
    adapter.set_employer(0);
    adapter.set_preview(Image::default());
    adapter.set_page(0);
    adapter.set_pages(0);
    adapter.set_rendering(false);
    adapter.set_printing(false);
    adapter.set_status(SharedString::new());
    adapter.set_error(SharedString::new());
    adapter.set_save_path(SharedString::new());
}

fn chosen_case(panel: &Documents, window: &DeskWindow) -> Option<CaseId> {
    panel.case_at(window.global::<DocumentsAdapter<'_>>().get_selected())
}

/// A rendered document, the case's employers as (id, name), and why photos
/// were left out of a profile, if they were.
type Rendered = (Vec<u8>, Vec<(String, String)>, Option<String>);

/// The chosen document of `case`, rendered from the store.
fn render_from(
    store: &mut Store,
    case: CaseId,
    kind: DocumentKind,
    employer: Option<String>,
    offset: time::UtcOffset,
) -> Result<Rendered, String> {
    let loaded = store.load_case(case).map_err(|e| e.to_string())?;
    let employers = loaded
        .job_match
        .employers
        .iter()
        .map(|e| (e.id.clone(), e.name.expose().clone()))
        .collect();
    let meta = DocumentMeta::from_store(store, case, offset).map_err(|e| e.to_string())?;
    let (photos, withheld) = if kind == DocumentKind::Profile {
        let today = meta.generated_at.date();
        ApprovedPhoto::from_store(store, case, today).map_err(|e| e.to_string())?
    } else {
        (Vec::new(), None)
    };
    let notice = withheld.map(|why| format!("写真は載せていません: {}", why.message_ja()));
    let reference = ReferenceDb::load_installed(store.dir()).map_err(|e| e.to_string())?;
    let request = Request {
        employer_id: employer.as_deref(),
        photos: &photos,
        ..Request::new(kind)
    };
    let pdf = documents::render(&loaded, &meta, &request, &reference).map_err(|e| e.to_string())?;
    Ok((pdf, employers, notice))
}

/// Renders the chosen document of the chosen case and previews page 1.
fn render(panel: &Rc<Documents>, desk: &Arc<Desk>, window: &DeskWindow) {
    let Some(case) = chosen_case(panel, window) else {
        return;
    };
    let adapter = window.global::<DocumentsAdapter<'_>>();
    let kind = kind(adapter.get_document());
    let employer = panel.employer_at(adapter.get_employer());
    let panel = Rc::clone(panel);
    let offset = desk.utc_offset;
    adapter.set_rendering(true);
    adapter.set_error(SharedString::new());
    adapter.set_status(SharedString::new());
    adapter.set_save_path(default_path(kind, case).display().to_string().into());
    desk.with_store(
        window,
        move |store| render_from(store, case, kind, employer, offset),
        move |desk, window, rendered| {
            let adapter = window.global::<DocumentsAdapter<'_>>();
            adapter.set_rendering(false);
            match rendered {
                Some(Ok((pdf, employers, notice))) => {
                    adapter.set_status(notice.unwrap_or_default().into());
                    let names: Vec<SharedString> =
                        employers.iter().map(|(_, n)| n.as_str().into()).collect();
                    adapter.set_employers(ModelRc::new(VecModel::from(names)));
                    let pdf = Arc::new(pdf);
                    panel.keep(employers.into_iter().map(|(id, _)| id).collect(), &pdf);
                    show_page(desk, window, &pdf, 1, true);
                }
                Some(Err(e)) => {
                    panel.state.borrow_mut().pdf = None;
                    adapter.set_preview(Image::default());
                    adapter.set_pages(0);
                    adapter.set_page(0);
                    adapter.set_error(e.into());
                }
                None => {}
            }
        },
    );
}

fn to_image(picture: Picture) -> Image {
    let buffer = SharedPixelBuffer::<Rgb8Pixel>::clone_from_slice(
        &picture.rgb,
        picture.width,
        picture.height,
    );
    Image::from_rgb8(buffer)
}

/// Draws page `page` of `pdf` (and counts its pages when `count`).
fn show_page(desk: &Arc<Desk>, window: &DeskWindow, pdf: &Arc<Vec<u8>>, page: usize, count: bool) {
    let pdf = Arc::clone(pdf);
    desk.spawn(
        window,
        move || {
            let pages = if count {
                Some(preview::page_count(&pdf)?)
            } else {
                None
            };
            Ok::<_, preview::PreviewError>((pages, preview::render_page(&pdf, page, PREVIEW_DPI)?))
        },
        move |_, window, drawn| {
            let adapter = window.global::<DocumentsAdapter<'_>>();
            match drawn {
                Ok((pages, picture)) => {
                    if let Some(n) = pages {
                        adapter.set_pages(i32::try_from(n).unwrap_or(i32::MAX));
                    }
                    adapter.set_page(i32::try_from(page).unwrap_or(1));
                    adapter.set_preview(to_image(picture));
                }
                Err(e) => adapter.set_error(e.to_string().into()),
            }
        },
    );
}

/// Wires the panel's callbacks and returns the panel they share.
pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>) -> Rc<Documents> {
    let panel = Rc::new(Documents::default());
    let adapter = window.global::<DocumentsAdapter<'_>>();
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_select_case(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DocumentsAdapter<'_>>();
        adapter.set_selected(index);
        adapter.set_employer(0);
        p.state.borrow_mut().employers.clear();
        if adapter.get_printers().row_count() == 0 {
            printers::refresh(&d, &window);
        }
        render(&p, &d, &window);
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_choose_document(move |index| {
        let Some(window) = weak.upgrade() else { return };
        window.global::<DocumentsAdapter<'_>>().set_document(index);
        render(&p, &d, &window);
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_choose_employer(move |index| {
        let Some(window) = weak.upgrade() else { return };
        window.global::<DocumentsAdapter<'_>>().set_employer(index);
        render(&p, &d, &window);
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_page_to(move |page| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DocumentsAdapter<'_>>();
        if page < 1 || page > adapter.get_pages() {
            return;
        }
        if let Some(pdf) = p.pdf() {
            show_page(&d, &window, &pdf, usize::try_from(page).unwrap_or(1), false);
        }
    });
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_refresh_printers(move || {
        if let Some(window) = weak.upgrade() {
            printers::refresh(&d, &window);
        }
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), Rc::clone(&panel));
    adapter.on_print(move |printer, copies| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DocumentsAdapter<'_>>();
        let (Some(pdf), Some(name)) = (p.pdf(), printer_name(&d, printer)) else {
            adapter.set_error("プリンターを選んでください (choose a printer)".into());
            return;
        };
        adapter.set_printing(true);
        adapter.set_status(SharedString::new());
        adapter.set_error(SharedString::new());
        let title = format!("Tsunagi {}", kind(adapter.get_document()).title_ja());
        let copies = u16::try_from(copies.clamp(1, 99)).unwrap_or(1);
        print_pdf(&d, &window, pdf, name, copies, title, |window, printed| {
            let adapter = window.global::<DocumentsAdapter<'_>>();
            adapter.set_printing(false);
            match printed {
                Ok(status) => adapter.set_status(status.into()),
                Err(e) => adapter.set_error(e.into()),
            }
        });
    });
    let (weak, p) = (window.as_weak(), Rc::clone(&panel));
    adapter.on_save(move |path| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DocumentsAdapter<'_>>();
        let Some(pdf) = p.pdf() else {
            return;
        };
        adapter.set_status(SharedString::new());
        adapter.set_error(SharedString::new());
        match save_pdf(&path, &pdf) {
            Ok(done) => adapter.set_status(done.into()),
            Err(e) => adapter.set_error(e.into()),
        }
    });
    panel
}
