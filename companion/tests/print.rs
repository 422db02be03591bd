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

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::{PW, demo_store, page_count};
use tsunagi_companion::print::{self, CupsServer};

const PPD: &str = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";

/// A private cupsd, stopped and cleaned up on drop.
struct Cups {
    root: tempfile::TempDir,
    child: Child,
    server: CupsServer,
    queue: String,
}

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "cannot run the printing test: {path} is missing (apt-get install cups cups-client printer-driver-cups-pdf poppler-utils, or cargo xtask install-deps)"
    );
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds a port");
    listener.local_addr().expect("address").port()
}

impl Cups {
    fn start() -> Self {
        for path in [
            "/usr/sbin/cupsd",
            "/usr/sbin/lpadmin",
            "/usr/sbin/cupsdisable",
            "/usr/lib/cups/backend/cups-pdf",
            PPD,
        ] {
            require(path);
        }
        let root = tempfile::tempdir().expect("temp dir");
        let r = root.path();
        for (dir, mode) in [
            ("", 0o755),
            ("conf", 0o755),
            ("spool", 0o755),
            ("tmp", 0o1777),
            ("cache", 0o755),
            ("state", 0o755),
            ("log", 0o755),
        ] {
            let p = r.join(dir);
            std::fs::create_dir_all(&p).expect("makes a folder");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
        let port = free_port();
        std::fs::write(
            r.join("conf/cupsd.conf"),
            format!(
                "Listen 127.0.0.1:{port}\nLogLevel warn\nBrowsing No\nWebInterface No\n\
                 <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
            ),
        )
        .expect("writes cupsd.conf");
        let d = r.display();
        std::fs::write(
            r.join("conf/cups-files.conf"),
            format!(
                "ServerRoot {d}/conf\nRequestRoot {d}/spool\nTempDir {d}/tmp\nCacheDir {d}/cache\n\
                 StateDir {d}/state\nAccessLog {d}/log/access_log\nErrorLog {d}/log/error_log\n\
                 PageLog {d}/log/page_log\n"
            ),
        )
        .expect("writes cups-files.conf");
        let child = Command::new("/usr/sbin/cupsd")
            .arg("-f")
            .arg("-c")
            .arg(r.join("conf/cupsd.conf"))
            .arg("-s")
            .arg(r.join("conf/cups-files.conf"))
            .spawn()
            .expect("starts cupsd");
        let server = CupsServer {
            host: "127.0.0.1".to_owned(),
            port,
        };
        let mut cups = Self {
            root,
            child,
            server,
            queue: format!("TsunagiTest{}", std::process::id()),
        };
        let start = Instant::now();
        loop {
            match print::list_printers(&cups.server) {
                Ok(_) => break,
                Err(e) if start.elapsed() > Duration::from_secs(30) => panic!(
                    "the private cupsd did not answer: {e}\n{}",
                    cups.error_log()
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
            if let Ok(Some(status)) = cups.child.try_wait() {
                panic!("cupsd exited at once ({status}):\n{}", cups.error_log());
            }
        }
        let out = Command::new("/usr/sbin/lpadmin")
            .args([
                "-h",
                &cups.server.to_string(),
                "-p",
                &cups.queue,
                "-E",
                "-v",
                "cups-pdf:/",
                "-P",
                PPD,
            ])
            .output()
            .expect("runs lpadmin");
        assert!(
            out.status.success(),
            "lpadmin failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cups
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("log/error_log")).unwrap_or_default()
    }

    fn disable(&self) {
        let out = Command::new("/usr/sbin/cupsdisable")
            .args(["-h", &self.server.to_string(), &self.queue])
            .output()
            .expect("runs cupsdisable");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn enable(&self) {
        let out = Command::new("/usr/sbin/cupsenable")
            .args(["-h", &self.server.to_string(), &self.queue])
            .output()
            .expect("runs cupsenable");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = Command::new("/usr/sbin/lpadmin")
            .args(["-h", &self.server.to_string(), "-x", &self.queue])
            .output();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The login name and home folder of the user running the test.
fn user_and_home() -> (String, PathBuf) {
    let out = Command::new("id").arg("-un").output().expect("runs id");
    let user = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reads /etc/passwd");
    let home = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&user.as_str()))
        .and_then(|f| f.get(5).map(PathBuf::from))
        .expect("the user has a home folder");
    (user, home)
}

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

/// The files in `dir` now.
fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

/// Waits for cups-pdf's file of job `job` in `dir` (one not in `before`)
/// to stop growing.
fn wait_for_output(dir: &Path, job: i32, before: &[PathBuf]) -> PathBuf {
    let suffix = format!("job_{job}.pdf");
    let start = Instant::now();
    let mut last = (None, 0u64, 0u32);
    while start.elapsed() < Duration::from_secs(90) {
        let found = files(dir)
            .into_iter()
            .find(|p| p.to_string_lossy().ends_with(&suffix) && !before.contains(p));
        if let Some(path) = found {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if last.0.as_ref() == Some(&path) && size == last.1 && size > 0 {
                last.2 += 1;
                if last.2 >= 4 {
                    return path;
                }
            } else {
                last = (Some(path), size, 0);
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!(
        "cups-pdf wrote no complete file for job {job} in {}",
        dir.display()
    );
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
        text.contains("就労支援プログラム\t架空市福祉事務所\t1\t1\t0"),
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
