//! Printing end to end through a private `cupsd` (its own configuration,
//! port, spool and logs) with a cups-pdf queue, driven through the
//! `tsunagi-companion` command line: a document prints with the page count
//! it was rendered with; a stopped printer, a missing printer and a CUPS
//! that is not running give plain errors, and the PDF can still be saved.
//!
//! cups-pdf takes its output folder only from the system-wide
//! `/etc/cups/cups-pdf.conf` (a per-queue file may not set paths), which
//! puts files in the printing user's `~/PDF`: the test finds its own job's
//! file there by the job number, waits for it to be complete (cups-pdf
//! writes it late, through Ghostscript) and removes it afterwards.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::cups::{Cups, files, free_port, user_and_home, wait_for_output};
use common::{PW, demo_store, page_count};
use tsunagi_companion::print::CupsServer;

struct Companion {
    dir: tempfile::TempDir,
    case: String,
    user: String,
}

impl Companion {
    fn new() -> Self {
        let (dir, store, ids) = demo_store();
        drop(store);
        let (user, _) = user_and_home();
        Self {
            dir,
            case: ids[2].to_string(),
            user,
        }
    }

    fn run(&self, server: &CupsServer, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tsunagi-companion"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", self.dir.path().join("keys"))
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", PW)
            .env("CUPS_SERVER", server.to_string())
            .env("USER", &self.user)
            .output()
            .expect("runs tsunagi-companion")
    }

    fn save(&self, server: &CupsServer, doc: &str, path: &Path) -> Output {
        let path = path.to_str().expect("utf-8 path");
        self.run(server, &["print", &self.case, "--doc", doc, "--out", path])
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn job_id(stdout: &str) -> i32 {
    stdout
        .split('\t')
        .find_map(|f| f.strip_prefix("job "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no job number in {stdout:?}"))
}

#[test]
fn a_document_prints_through_cups_and_printer_trouble_is_told_plainly() {
    let cups = Cups::start();
    let app = Companion::new();
    let (_, home) = user_and_home();
    let outdir = home.join("PDF");
    let work = tempfile::tempdir().expect("temp dir");

    // The printer list names the queue.
    let out = app.run(&cups.server, &["printers"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        list.lines()
            .any(|l| l.starts_with(&format!("{}\t", cups.queue))),
        "{list}"
    );

    // Our own PDF, for the page count.
    let own = work.path().join("own.pdf");
    let out = app.save(&cups.server, "support-plan", &own);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = page_count(&own);

    // Print one copy and find cups-pdf's file.
    let before = files(&outdir);
    let out = app.run(
        &cups.server,
        &[
            "print",
            &app.case,
            "--doc",
            "support-plan",
            "--printer",
            &cups.queue,
            "--copies",
            "1",
        ],
    );
    assert!(
        out.status.success(),
        "print failed: {}\n{}",
        stderr(&out),
        cups.error_log()
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let job = job_id(&stdout);
    let printed = wait_for_output(&outdir, job, &before);
    let printed_pages = page_count(&printed);
    let _ = std::fs::remove_file(&printed);
    assert_eq!(
        printed_pages, pages,
        "cups-pdf's file has the document's pages"
    );

    // Two copies are accepted and reach the printer.
    let out = app.run(
        &cups.server,
        &[
            "print",
            &app.case,
            "--doc",
            "summary",
            "--printer",
            &cups.queue,
            "--copies",
            "2",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let job2 = job_id(&String::from_utf8_lossy(&out.stdout));
    let printed = wait_for_output(&outdir, job2, &before);
    let _ = std::fs::remove_file(&printed);

    // A stopped printer: a plain error, and the PDF can still be saved.
    cups.disable();
    let out = app.run(
        &cups.server,
        &[
            "print",
            &app.case,
            "--doc",
            "profile",
            "--printer",
            &cups.queue,
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("停止") && err.contains("stopped"), "{err}");
    assert!(
        err.contains("--out"),
        "the error says how to save instead: {err}"
    );
    let saved = work.path().join("profile.pdf");
    let out = app.save(&cups.server, "profile", &saved);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(page_count(&saved) >= 1);
    cups.enable();

    // A printer that does not exist.
    let out = app.run(
        &cups.server,
        &[
            "print",
            &app.case,
            "--doc",
            "profile",
            "--printer",
            "NoSuchPrinter",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("見つかりません") && err.contains("not found"),
        "{err}"
    );

    // CUPS not running.
    let closed = CupsServer {
        host: "127.0.0.1".to_owned(),
        port: free_port(),
    };
    let out = app.run(
        &closed,
        &[
            "print",
            &app.case,
            "--doc",
            "profile",
            "--printer",
            &cups.queue,
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("CUPS") && err.contains("not running"), "{err}");

    // Nothing identifying in any of those errors.
    for name in ["仮野", "一郎"] {
        assert!(!err.contains(name));
    }
}

#[test]
fn saving_never_overwrites_a_file() {
    let app = Companion::new();
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("plan.pdf");
    std::fs::write(&path, b"keep me").expect("writes");
    let out = app.save(&CupsServer::default(), "career-plan", &path);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("上書きしません"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).expect("reads"), b"keep me");
}

#[test]
fn programme_figures_come_from_the_enrolments() {
    let app = Companion::new();
    let work = tempfile::tempdir().expect("temp dir");
    let pdf = work.path().join("figures.pdf");
    let out = app.run(
        &CupsServer::default(),
        &[
            "programme",
            "figures",
            "--year",
            "2024",
            "--out",
            pdf.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The demo's welfare programme: selected 2024-04-15, consented, two
    // "continue" reviews in 2024年度, nobody employed yet.
    assert!(
        text.contains("就労支援プログラム\t架空市福祉事務所\t就労\t1\t1\t0"),
        "{text}"
    );
    assert!(text.contains("継続\t1"), "{text}");
    assert!(page_count(&pdf) >= 1);
    let out = app.run(
        &CupsServer::default(),
        &["programme", "figures", "--year", "2019"],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("該当するプログラムはありません"));
}
