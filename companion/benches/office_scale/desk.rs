//! What the office does with the cases once they are in: the case list as
//! the companion's window shows it, search as you type, and the five
//! documents of one case.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use slint::{ComponentHandle, Model};
use tsunagi_companion::board::{BoardError, BoardUrl, Launcher};
use tsunagi_companion::documents::{self, ApprovedPhoto, DocumentKind, DocumentMeta, Request};
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{
    DeskAdapter, DeskLoginAdapter, DeskScreen, DeskWindow, DocumentsAdapter,
};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::model::CaseId;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{CaseQuery, FileKeychain, Store};

use super::{ADMIN, PW};

/// What a support worker types into a search field, one keystroke at a
/// time (the IME commits kana first, then the kanji), then clears it:
/// the same keystrokes as the tablet's search benchmark.
pub const KEYSTROKES: [&str; 9] = [
    "さ",
    "さと",
    "さとう",
    "佐藤",
    "佐藤 は",
    "は",
    "はな",
    "はなこ",
    "",
];

/// No browser: the board is never opened here.
struct NoBrowser;

impl Launcher for NoBrowser {
    fn open(&self, _url: &BoardUrl) -> Result<(), BoardError> {
        Ok(())
    }
}

/// The companion's window on the store in `dir` (its data and keys
/// folders), logged in, its work done inline on this thread.
pub fn logged_in(dir: &Path) -> anyhow::Result<DeskWindow> {
    let w = window::build(Options {
        dir: dir.join("data"),
        keychain: Arc::new(FileKeychain::new(dir.join("keys"))),
        background: Background::Inline,
        listen: None,
        cups: CupsServer::default(),
        utc_offset: time::macros::offset!(+9),
        launcher: Arc::new(NoBrowser),
    })?;
    w.global::<DeskLoginAdapter<'_>>()
        .invoke_log_in(ADMIN.into(), PW.into());
    anyhow::ensure!(w.get_screen() == DeskScreen::Cases, "the login failed");
    Ok(w)
}

/// The received-cases screen shown again `rounds` times (what the window
/// does on opening it and after each dock: every case read from the store,
/// with when it arrived, turned into rows and handed to the list): each
/// time, and the rows listed.
pub fn list_rounds(w: &DeskWindow, rounds: usize) -> (Vec<Duration>, usize) {
    let times = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            w.global::<DeskAdapter<'_>>().invoke_show(DeskScreen::Cases);
            start.elapsed()
        })
        .collect();
    let rows = w.global::<DocumentsAdapter<'_>>().get_cases().row_count();
    (times, rows)
}

/// One pass of search as you type: per keystroke, the time of
/// `Store::list_cases` with the typed text, and the rows it gave.
pub fn search_pass(store: &mut Store) -> anyhow::Result<Vec<(Duration, usize)>> {
    KEYSTROKES
        .iter()
        .map(|text| {
            let query = CaseQuery {
                text: (*text).to_owned(),
                ..CaseQuery::default()
            };
            let start = Instant::now();
            let rows = store.list_cases(&query)?;
            Ok((start.elapsed(), rows.len()))
        })
        .collect()
}

/// The five documents of `case`, rendered as the window renders each
/// (`window::documents::render_from`: the case, its history for the title
/// block, the approved photos for the profile, the installed disease
/// reference, then the PDF). Returns the time and the bytes made.
pub fn five_documents(store: &mut Store, case: CaseId) -> anyhow::Result<(Duration, usize)> {
    let offset = time::macros::offset!(+9);
    let start = Instant::now();
    let mut bytes = 0;
    for kind in DocumentKind::ALL {
        let loaded = store.load_case(case)?;
        let meta = DocumentMeta::from_store(store, case, offset)?;
        let photos = if kind == DocumentKind::Profile {
            let (photos, withheld) =
                ApprovedPhoto::from_store(store, case, meta.generated_at.date())?;
            anyhow::ensure!(withheld.is_none(), "the photos were withheld");
            photos
        } else {
            Vec::new()
        };
        let reference = ReferenceDb::load_installed(store.dir())?;
        let request = Request {
            photos: &photos,
            ..Request::new(kind)
        };
        bytes += documents::render(&loaded, &meta, &request, &reference)
            .with_context(|| format!("renders the {}", kind.slug()))?
            .len();
    }
    Ok((start.elapsed(), bytes))
}

/// A store of one case: `case` of `from`, with its approved photos, as a
/// new case in a new store at `dir`.
pub fn one_case_store(
    from: &mut Store,
    case: CaseId,
    dir: &Path,
) -> anyhow::Result<(Store, CaseId)> {
    let keychain = Arc::new(FileKeychain::new(dir.join("keys")));
    let (mut one, _) = Store::create(&dir.join("data"), keychain, ADMIN, PW, super::FAST)?;
    let loaded = from.load_case(case)?;
    let id = one.create_case(&loaded)?;
    let today = time::OffsetDateTime::now_utc().date();
    let (photos, _) = ApprovedPhoto::from_store(from, case, today)?;
    for photo in photos {
        let media = one.import_photo(id, &photo.jpeg, &Default::default())?;
        one.set_media_approval(id, media, true)?;
    }
    Ok((one, id))
}
