//! The client's own record (本人携帯記録) screen (ui/app/carry_screen.slint):
//! making one from a case (the rows to tick and the words are
//! [`super::carry_form`]'s), and taking one in as a new case from the case
//! list. The work is `tsunagi_core::carry`'s, on the store's worker thread
//! (each takes about a second of scrypt).
//!
//! The passphrase is made on the worker thread, shown once, and leaves
//! the screen (and memory this module holds) when the screen is left or
//! the app locks. An opened file is kept only until it is taken in, the
//! fields change, or the screen is left.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, Image, Model as _, ModelRc, SharedString, VecModel};
use tsunagi_core::carry::{
    CarryError, CarryFile, CarryPassphrase, import_carry_file, open_carry_file, write_carry_file,
};
use tsunagi_core::model::{Case, CaseId, ConsentScope};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{MediaId, MediaItem, Store, StoreError};
use zeroize::Zeroizing;

use super::carry_form::{
    CarryForm, EXPORT_FOLDER, Group, Row, consent_words, default_out, error_words,
    passphrase_groups, preview_lines,
};
use super::case_rows::refresh;
use super::router::{CarryRequest, Router};
use super::session::Session;
use super::ui::{AppWindow, CarryAdapter, CarryLine, CarryMode, CarryRow, Screen};
use crate::av::Frame;

/// The program named in the records this app writes.
const MADE_BY: &str = "tsunagi";

/// The long edge of a photo's thumbnail on the screen.
const THUMBNAIL_EDGE: u32 = 224;

/// What the screen shows.
enum Open {
    /// Choosing what the client takes from `case`.
    Export {
        case: CaseId,
        form: Option<CarryForm>,
        thumbnails: HashMap<MediaId, Frame>,
    },
    /// Taking a record in; the file once it has been opened and shown.
    Import { file: Option<Arc<CarryFile>> },
}

/// The screen's state on the UI thread.
#[derive(Default)]
pub(super) struct CarryScreen {
    open: RefCell<Option<Open>>,
}

impl CarryScreen {
    fn export_case(&self) -> Option<CaseId> {
        match self.open.borrow().as_ref() {
            Some(Open::Export { case, .. }) => Some(*case),
            _ => None,
        }
    }
}

/// What a case's form is made of, read in one job.
struct Loaded {
    case: Case,
    items: Vec<MediaItem>,
    thumbnails: HashMap<MediaId, Frame>,
    reference: Option<Arc<ReferenceDb>>,
}

fn load(session: &Session, case: CaseId) -> Option<Result<Loaded, StoreError>> {
    let reference = session.library().get_or_load(session.dir()).ok();
    session.with_store(|store| {
        let loaded = store.load_case(case)?;
        let items = store.list_media(case)?;
        let mut thumbnails = HashMap::new();
        for item in items.iter().filter(|i| i.approval.is_some()) {
            // A damaged poster costs only its thumbnail.
            if let Some(frame) = store
                .media_poster(case, item.id)
                .ok()
                .and_then(|jpeg| thumbnail(&jpeg))
            {
                thumbnails.insert(item.id, frame);
            }
        }
        Ok(Loaded {
            case: loaded,
            items,
            thumbnails,
            reference,
        })
    })
}

fn thumbnail(jpeg: &[u8]) -> Option<Frame> {
    let img = tsunagi_core::media::photo::decode_upright(jpeg)
        .ok()?
        .thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE);
    let rgba = img.to_rgba8();
    Some(Frame::clone_from_slice(
        rgba.as_raw(),
        rgba.width(),
        rgba.height(),
    ))
}

fn ui_rows(rows: Vec<Row>, pictures: &[Option<Frame>]) -> ModelRc<CarryRow> {
    let rows: Vec<CarryRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let picture = pictures.get(i).cloned().flatten();
            CarryRow {
                label: r.label.into(),
                detail: r.detail.into(),
                checked: r.checked,
                has_picture: picture.is_some(),
                picture: picture.map(Image::from_rgba8).unwrap_or_default(),
            }
        })
        .collect();
    ModelRc::new(VecModel::from(rows))
}

/// Empties the screen: no case value, passphrase or opened file stays.
fn reset(screen: &CarryScreen, window: &AppWindow) {
    *screen.open.borrow_mut() = None;
    let a = window.global::<CarryAdapter<'_>>();
    a.set_client_name(SharedString::new());
    a.set_sections(ModelRc::default());
    a.set_diseases(ModelRc::default());
    a.set_media(ModelRc::default());
    a.set_accommodations_note(SharedString::new());
    a.set_withheld_note(SharedString::new());
    a.set_chosen(0);
    a.set_summary(SharedString::new());
    a.set_out_path(SharedString::new());
    a.set_passphrase(SharedString::new());
    a.set_passphrase_groups(ModelRc::default());
    a.set_written_to(SharedString::new());
    a.set_consent(SharedString::new());
    a.set_copied(false);
    a.set_import_path(SharedString::new());
    a.set_import_passphrase(SharedString::new());
    a.set_preview(ModelRc::default());
    a.set_busy(false);
    a.set_error(SharedString::new());
}

/// Opens the screen on `request`'s case to choose what the client takes.
fn open_export(
    screen: &Rc<CarryScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    request: CarryRequest,
) {
    reset(screen, window);
    let case = request.case;
    *screen.open.borrow_mut() = Some(Open::Export {
        case,
        form: None,
        thumbnails: HashMap::new(),
    });
    let a = window.global::<CarryAdapter<'_>>();
    a.set_mode(CarryMode::Export);
    a.set_client_name(request.name.into());
    a.set_can_edit(request.can_edit);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(session.utc_offset())
        .date();
    let out = default_out(session.dir(), today, Path::exists);
    a.set_out_path(out.display().to_string().into());
    a.set_busy(true);
    window.set_screen(Screen::Carry);
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| load(session, case),
        move |session, window, loaded| {
            if session.epoch() != epoch || screen.export_case() != Some(case) {
                return;
            }
            let a = window.global::<CarryAdapter<'_>>();
            a.set_busy(false);
            match loaded {
                Some(Ok(loaded)) => {
                    let form = CarryForm::new(
                        &loaded.case,
                        &loaded.items,
                        loaded.reference.as_deref(),
                        session.utc_offset(),
                    );
                    *screen.open.borrow_mut() = Some(Open::Export {
                        case,
                        form: Some(form),
                        thumbnails: loaded.thumbnails,
                    });
                    show_form(&screen, window);
                }
                Some(Err(e)) => a.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Puts the form's rows and words on the screen.
fn show_form(screen: &CarryScreen, window: &AppWindow) {
    let open = screen.open.borrow();
    let Some(Open::Export {
        form: Some(form),
        thumbnails,
        ..
    }) = open.as_ref()
    else {
        return;
    };
    let a = window.global::<CarryAdapter<'_>>();
    let pictures: Vec<Option<Frame>> = form
        .media_ids()
        .iter()
        .map(|id| thumbnails.get(id).cloned())
        .collect();
    a.set_sections(ui_rows(form.rows(Group::Section), &[]));
    a.set_diseases(ui_rows(form.rows(Group::Disease), &[]));
    a.set_media(ui_rows(form.rows(Group::Media), &pictures));
    a.set_accommodations_note(form.accommodations_note().into());
    a.set_withheld_note(form.withheld_note().into());
    show_chosen(form, &a);
}

fn show_chosen(form: &CarryForm, a: &CarryAdapter<'_>) {
    a.set_chosen(i32::try_from(form.chosen()).unwrap_or(i32::MAX));
    a.set_summary(form.summary().into());
}

fn toggled(screen: &CarryScreen, window: &AppWindow, group: i32, index: i32, checked: bool) {
    let (Some(group), Ok(index)) = (Group::from_index(group), usize::try_from(index)) else {
        return;
    };
    let mut open = screen.open.borrow_mut();
    let Some(Open::Export {
        form: Some(form), ..
    }) = open.as_mut()
    else {
        return;
    };
    if !form.toggle(group, index, checked) {
        return;
    }
    let a = window.global::<CarryAdapter<'_>>();
    let rows = match group {
        Group::Section => a.get_sections(),
        Group::Disease => a.get_diseases(),
        Group::Media => a.get_media(),
    };
    if let Some(mut row) = rows.row_data(index) {
        row.checked = checked;
        rows.set_row_data(index, row);
    }
    show_chosen(form, &a);
}

/// Writes the record with what is ticked, records the consent, and shows
/// the passphrase.
fn write(screen: &Rc<CarryScreen>, session: &Arc<Session>, window: &AppWindow) {
    let a = window.global::<CarryAdapter<'_>>();
    if a.get_busy() {
        return;
    }
    let Some((case, choice)) = (match screen.open.borrow().as_ref() {
        Some(Open::Export {
            case,
            form: Some(form),
            ..
        }) => Some((*case, form.choice())),
        _ => None,
    }) else {
        return;
    };
    if choice.is_empty() {
        a.set_error(error_words(&CarryError::NothingChosen).into());
        return;
    }
    let out = PathBuf::from(a.get_out_path().trim());
    if out.as_os_str().is_empty() {
        a.set_error(super::i18n::tr("保存先のファイルを入力してください。").into());
        return;
    }
    // Only the default folder is made: a path typed to a stick that is
    // not there must fail, not become a folder on the tablet.
    let make_folder = out.parent() == Some(&session.dir().join(EXPORT_FOLDER));
    a.set_busy(true);
    a.set_error(SharedString::new());
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    let written_to = out.display().to_string();
    session.run(
        window,
        move |session| {
            session.with_store(|store| Ok(write_record(store, case, &choice, &out, make_folder)))
        },
        move |session, window, written| {
            if session.epoch() != epoch || screen.export_case() != Some(case) {
                return;
            }
            let a = window.global::<CarryAdapter<'_>>();
            a.set_busy(false);
            match written {
                Some(Ok(Ok((passphrase, consent)))) => {
                    let groups: Vec<SharedString> = passphrase_groups(passphrase.expose())
                        .into_iter()
                        .map(SharedString::from)
                        .collect();
                    a.set_passphrase(passphrase.expose().into());
                    a.set_passphrase_groups(ModelRc::new(VecModel::from(groups)));
                    a.set_written_to(written_to.into());
                    a.set_consent(consent.into());
                    a.set_copied(false);
                }
                Some(Ok(Err(e))) => a.set_error(error_words(&e).into()),
                Some(Err(e)) => a.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Makes the passphrase, writes the file, and reads back the consent the
/// core recorded, in words. On the worker thread.
fn write_record(
    store: &mut Store,
    case: CaseId,
    choice: &tsunagi_core::carry::CarryChoice,
    out: &Path,
    make_folder: bool,
) -> Result<(CarryPassphrase, String), CarryError> {
    if make_folder && let Some(folder) = out.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let passphrase = CarryPassphrase::generate();
    write_carry_file(store, case, choice, &passphrase, MADE_BY, out)?;
    let consent = store
        .load_case(case)?
        .consents
        .iter()
        .rev()
        .find(|c| c.scope == ConsentScope::ClientRecord)
        .map(consent_words)
        .unwrap_or_default();
    Ok((passphrase, consent))
}

/// Opens the screen to take a record in.
fn open_import(screen: &Rc<CarryScreen>, window: &AppWindow) {
    reset(screen, window);
    *screen.open.borrow_mut() = Some(Open::Import { file: None });
    window
        .global::<CarryAdapter<'_>>()
        .set_mode(CarryMode::Import);
    window.set_screen(Screen::Carry);
}

/// Drops an opened file and what it showed.
fn forget_file(screen: &CarryScreen, window: &AppWindow) {
    if let Some(Open::Import { file }) = screen.open.borrow_mut().as_mut() {
        *file = None;
    }
    let a = window.global::<CarryAdapter<'_>>();
    a.set_preview(ModelRc::default());
    a.set_error(SharedString::new());
}

/// Opens the file with the passphrase and shows what it holds; creates
/// nothing.
fn check_file(screen: &Rc<CarryScreen>, session: &Arc<Session>, window: &AppWindow) {
    let a = window.global::<CarryAdapter<'_>>();
    if a.get_busy() || !matches!(screen.open.borrow().as_ref(), Some(Open::Import { .. })) {
        return;
    }
    forget_file(screen, window);
    let path = PathBuf::from(a.get_import_path().trim());
    let passphrase = Zeroizing::new(a.get_import_passphrase().to_string());
    a.set_busy(true);
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |_| open_carry_file(&path, passphrase.as_str()),
        move |session, window, opened| {
            if session.epoch() != epoch {
                return;
            }
            let a = window.global::<CarryAdapter<'_>>();
            a.set_busy(false);
            let mut open = screen.open.borrow_mut();
            let Some(Open::Import { file }) = open.as_mut() else {
                return;
            };
            match opened {
                Ok(opened) => {
                    let lines: Vec<CarryLine> =
                        preview_lines(&opened.preview(), session.utc_offset())
                            .into_iter()
                            .map(|(what, value)| CarryLine {
                                what: what.into(),
                                value: value.into(),
                            })
                            .collect();
                    a.set_preview(ModelRc::new(VecModel::from(lines)));
                    *file = Some(Arc::new(opened));
                }
                Err(e) => a.set_error(error_words(&e).into()),
            }
        },
    );
}

/// Creates a new case from the file shown, then opens it.
fn take_in(
    screen: &Rc<CarryScreen>,
    session: &Arc<Session>,
    router: &Rc<Router>,
    window: &AppWindow,
) {
    let a = window.global::<CarryAdapter<'_>>();
    if a.get_busy() {
        return;
    }
    let Some(file) = (match screen.open.borrow().as_ref() {
        Some(Open::Import { file }) => file.clone(),
        _ => None,
    }) else {
        return;
    };
    a.set_busy(true);
    a.set_error(SharedString::new());
    let epoch = session.epoch();
    let (screen, router) = (Rc::clone(screen), Rc::clone(router));
    session.run(
        window,
        move |session| session.with_store(|store| Ok(import_carry_file(store, &file))),
        move |session, window, created| {
            if session.epoch() != epoch {
                return;
            }
            let a = window.global::<CarryAdapter<'_>>();
            a.set_busy(false);
            match created {
                Some(Ok(Ok(id))) => {
                    reset(&screen, window);
                    refresh(session, window);
                    match router.routes().open_case {
                        Some(open) => open(session, window, id),
                        None => window.set_screen(Screen::CaseList),
                    }
                }
                Some(Ok(Err(e))) => a.set_error(error_words(&e).into()),
                Some(Err(e)) => a.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Leaves the screen: back to the case it was opened on, or to the list.
fn back(screen: &Rc<CarryScreen>, session: &Arc<Session>, router: &Rc<Router>, window: &AppWindow) {
    let case = screen.export_case();
    reset(screen, window);
    match (case, router.routes().open_case) {
        (Some(id), Some(open)) => open(session, window, id),
        _ => {
            window.set_screen(Screen::CaseList);
            refresh(session, window);
        }
    }
}

/// Connects the screen and offers it to the case screen and the case list.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let screen = Rc::new(CarryScreen::default());
    let (c1, c2) = (Rc::clone(&screen), Rc::clone(&screen));
    router.offer(|r| {
        r.open_carry = Some(Rc::new(move |s, window, request| {
            open_export(&c1, s, window, request);
        }));
        r.open_carry_import = Some(Rc::new(move |_, window, ()| open_import(&c2, window)));
    });
    let c = Rc::clone(&screen);
    router.on_lock(move |_, window| reset(&c, window));
    reset(&screen, window);

    let adapter = window.global::<CarryAdapter<'_>>();
    let (weak, c) = (window.as_weak(), Rc::clone(&screen));
    adapter.on_toggled(move |group, index, checked| {
        if let Some(window) = weak.upgrade() {
            toggled(&c, &window, group, index, checked);
        }
    });
    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_write(move || {
        if let Some(window) = weak.upgrade() {
            write(&c, &s, &window);
        }
    });
    let (weak, s, c) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_check_file(move || {
        if let Some(window) = weak.upgrade() {
            check_file(&c, &s, &window);
        }
    });
    let (weak, c) = (window.as_weak(), Rc::clone(&screen));
    adapter.on_import_edited(move || {
        if let Some(window) = weak.upgrade() {
            super::typed(&window);
            forget_file(&c, &window);
        }
    });
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_take_in(move || {
        if let Some(window) = weak.upgrade() {
            take_in(&c, &s, &r, &window);
        }
    });
    let (weak, s, c, r) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_back(move || {
        if let Some(window) = weak.upgrade() {
            back(&c, &s, &r, &window);
        }
    });
}
