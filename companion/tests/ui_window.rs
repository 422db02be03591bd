//! The companion's window through the accessibility tree: a wrong password
//! is refused in words; the received cases are listed; a case's documents
//! are previewed page by page (Poppler), saved as PDF (never over a file)
//! and printed through a private cupsd with the job's state shown, a
//! stopped printer told plainly; a pairing code is issued with its QR
//! code; the research data shows no name and says when no centre is set;
//! locking empties the window.
//!
//! Slow work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

mod common;

use std::sync::Arc;

use common::cups::{Cups, files, user_and_home, wait_for_output};
use common::ui::{press, settle, type_into};
use common::{PW, RecordingLauncher, demo_store, page_count};
use slint::{ComponentHandle, Model};
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{
    DeskAdapter, DeskScreen, DeskWindow, DocumentsAdapter, PairingAdapter, ResearchAdapter,
};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::store::FileKeychain;

/// The window on a companion store holding the demo cases, logged in.
fn logged_in(
    dir: &tempfile::TempDir,
    cups: CupsServer,
    listen: Option<std::net::SocketAddr>,
) -> DeskWindow {
    let w = window::build(Options {
        dir: dir.path().join("data"),
        keychain: Arc::new(FileKeychain::new(dir.path().join("keys"))),
        background: Background::Inline,
        listen,
        cups,
        utc_offset: time::UtcOffset::UTC,
        launcher: Arc::new(RecordingLauncher::default()),
    })
    .expect("the window builds");
    w.window().set_size(slint::LogicalSize::new(1280.0, 1600.0));
    w.show().expect("the window shows");
    assert_eq!(w.get_screen(), DeskScreen::Login);
    type_into(&w, "ユーザー名", "admin");
    type_into(&w, "パスワード", "まちがい");
    press(&w, "ログイン");
    assert_eq!(w.get_screen(), DeskScreen::Login);
    let error = w
        .global::<tsunagi_companion::window::ui::DeskLoginAdapter<'_>>()
        .get_error();
    assert!(error.contains("パスワードが違います"), "{error}");
    type_into(&w, "パスワード", PW);
    press(&w, "ログイン");
    assert_eq!(w.get_screen(), DeskScreen::Cases);
    w
}

#[test]
fn the_window_lists_cases_previews_saves_pairs_and_locks() {
    i_slint_backend_testing::init_no_event_loop();
    let (dir, store, ids) = demo_store();
    drop(store);
    let w = logged_in(
        &dir,
        CupsServer::default(),
        Some(([127, 0, 0, 1], 0).into()),
    );
    let docs = w.global::<DocumentsAdapter<'_>>();
    assert_eq!(docs.get_cases().row_count(), ids.len());
    let status = w.global::<DeskAdapter<'_>>().get_link_status();
    assert!(status.contains("受信中"), "{status}");

    // The case with the most written: its support plan runs over pages.
    docs.invoke_select_case(0);
    settle();
    docs.invoke_choose_document(3);
    settle();
    assert_eq!(docs.get_error(), "", "rendering failed");
    let pages = docs.get_pages();
    assert!(pages >= 1, "{pages} pages");
    assert_eq!(docs.get_page(), 1);
    let first = docs.get_preview();
    assert!(
        first.size().height > 500,
        "a readable preview: {:?}",
        first.size()
    );
    if pages > 1 {
        press(&w, "次のページ");
        assert_eq!(docs.get_page(), 2);
        press(&w, "前のページ");
        assert_eq!(docs.get_page(), 1);
    }

    // Saved as PDF with the pages previewed; never over an existing file.
    let out = tempfile::tempdir().expect("temp dir");
    let path = out.path().join("plan.pdf");
    docs.set_save_path(path.display().to_string().into());
    press(&w, "PDFとして保存");
    assert!(
        docs.get_status().contains("保存しました"),
        "{}",
        docs.get_error()
    );
    assert_eq!(page_count(&path), usize::try_from(pages).expect("pages"));
    press(&w, "PDFとして保存");
    assert!(
        docs.get_error().contains("上書きしません"),
        "{}",
        docs.get_error()
    );

    // Every document of every case renders.
    for case in 0..ids.len() {
        docs.invoke_select_case(i32::try_from(case).expect("index"));
        for doc in 0..5 {
            docs.invoke_choose_document(doc);
            settle();
            let error = docs.get_error();
            // The proposal needs an employer; a case without one says so.
            assert!(
                error.is_empty() || (doc == 2 && error.contains("事業所が登録されていません")),
                "case {case}, document {doc}: {error}"
            );
        }
    }

    // A pairing code with its QR code.
    w.global::<DeskAdapter<'_>>()
        .invoke_show(DeskScreen::Pairing);
    settle();
    press(&w, "ペアリングコードを発行");
    let pairing = w.global::<PairingAdapter<'_>>();
    assert!(
        pairing.get_code().starts_with("TSUNAGI1-"),
        "{}",
        pairing.get_error()
    );
    assert!(pairing.get_qr().size().width > 100, "a QR code is shown");
    assert_eq!(pairing.get_tablets().row_count(), 0);

    // The research data: one line per case as it would be sent, with no
    // name in it; with no centre set, sending says so and queues nothing.
    w.global::<DeskAdapter<'_>>()
        .invoke_show(DeskScreen::Research);
    settle();
    let research = w.global::<ResearchAdapter<'_>>();
    let preview = research.get_preview();
    assert_eq!(
        preview.row_count(),
        ids.len() + 1,
        "a heading and the cases"
    );
    let shown: String = preview
        .iter()
        .flat_map(|row| row.cells.iter().collect::<Vec<_>>())
        .map(|cell| cell.to_string())
        .collect();
    assert!(shown.contains("仮名ID"), "{shown}");
    for case in tsunagi_core::model::demo_cases() {
        assert!(
            !shown.contains(case.basic.name.expose().as_str()),
            "{shown}"
        );
    }
    assert!(research.get_centre().contains("設定されていません"));
    press(&w, "研究センターへ送付");
    assert!(
        research
            .get_error()
            .contains("no research centre is configured"),
        "{}",
        research.get_error()
    );
    assert_eq!(research.get_outbox().row_count(), 1, "only the heading");

    // Locking empties the window.
    press(&w, "ロック");
    assert_eq!(w.get_screen(), DeskScreen::Login);
    assert_eq!(research.get_preview().row_count(), 0);
    assert_eq!(docs.get_cases().row_count(), 0);
    assert_eq!(pairing.get_code(), "");
    assert_eq!(docs.get_preview().size().width, 0);
}

#[test]
fn the_window_prints_through_cups_and_tells_a_stopped_printer_plainly() {
    i_slint_backend_testing::init_no_event_loop();
    let cups = Cups::start();
    let (dir, store, _ids) = demo_store();
    drop(store);
    let (_, home) = user_and_home();
    let outdir = home.join("PDF");
    let w = logged_in(&dir, cups.server.clone(), None);
    let docs = w.global::<DocumentsAdapter<'_>>();
    docs.invoke_select_case(2);
    settle();
    docs.invoke_choose_document(1);
    settle();
    let pages = usize::try_from(docs.get_pages()).expect("pages");
    let printers: Vec<String> = docs.get_printers().iter().map(|p| p.to_string()).collect();
    let queue = printers
        .iter()
        .position(|p| p.starts_with(&cups.queue))
        .unwrap_or_else(|| panic!("the queue is listed: {printers:?}"));
    docs.set_printer(i32::try_from(queue).expect("index"));
    let before = files(&outdir);
    press(&w, "印刷");
    assert_eq!(
        docs.get_error(),
        "",
        "printing failed: {}",
        cups.error_log()
    );
    let status = docs.get_status().to_string();
    let job: i32 = status
        .split("ジョブ ")
        .nth(1)
        .and_then(|r| r.trim_end_matches('）').parse().ok())
        .unwrap_or_else(|| panic!("no job number in {status:?}"));
    let printed = wait_for_output(&outdir, job, &before);
    let printed_pages = page_count(&printed);
    let _ = std::fs::remove_file(&printed);
    assert_eq!(
        printed_pages, pages,
        "the printed file has the previewed pages"
    );

    cups.disable();
    press(&w, "印刷");
    let error = docs.get_error();
    assert!(error.contains("停止"), "{error}");
    cups.enable();
}
