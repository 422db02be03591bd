//! A private `cupsd` (its own configuration, port, spool and logs) with a
//! cups-pdf queue, for the printing tests, and finding cups-pdf's output.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use tsunagi_companion::print::{self, CupsServer};

const PPD: &str = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";

/// A private cupsd, stopped and cleaned up on drop.
pub struct Cups {
    root: tempfile::TempDir,
    child: Child,
    /// Where it listens.
    pub server: CupsServer,
    /// The cups-pdf queue.
    pub queue: String,
}

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "cannot run the printing test: {path} is missing (apt-get install cups cups-client printer-driver-cups-pdf poppler-utils, or cargo xtask install-deps)"
    );
}

/// A TCP port free on loopback now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds a port");
    listener.local_addr().expect("address").port()
}

impl Cups {
    /// Starts it and adds the queue; panics with its log if it fails.
    pub fn start() -> Self {
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

    /// cupsd's error log, for failure messages.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("log/error_log")).unwrap_or_default()
    }

    /// Stops the queue (cupsdisable).
    pub fn disable(&self) {
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

    /// Starts the queue again (cupsenable).
    pub fn enable(&self) {
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
pub fn user_and_home() -> (String, PathBuf) {
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

/// The files in `dir` now.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

/// Waits for cups-pdf's file of job `job` in `dir` (one not in `before`)
/// to stop growing.
pub fn wait_for_output(dir: &Path, job: i32, before: &[PathBuf]) -> PathBuf {
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
