//! End-to-end tests that cross crate and process boundaries. The shared
//! fixtures live here; the tests are under `tests/`.

/// The password of every test store.
pub const PASSWORD: &str = "correct horse battery";

pub mod age_tool;
pub mod browser;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `tsunagi-companion serve`: where it listens, and its output
/// lines as they come. Killed on drop.
pub struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The address it printed (`listening on ADDR …`).
    pub addr: String,
}

impl Serve {
    /// Starts `command` (a companion command line ending in `serve …`) and
    /// waits for the line saying where it listens.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts serve");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints where it listens");
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|r| r.split(' ').next())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Self { child, lines, addr }
    }

    /// Waits (up to a minute per line) for a line containing `what`.
    pub fn wait_for(&self, what: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("serve never said {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    }

    /// The lines printed so far and not yet waited for.
    pub fn drain(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub mod devices;

pub mod board_checks;

pub mod postgres {
    //! A private PostgreSQL server for a test: its own cluster in a temporary
    //! folder, on its own port, stopped on drop. As root, the server runs as
    //! the `postgres` account (PostgreSQL refuses to run as root).

    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// A running PostgreSQL server with a `tsunagi` superuser (trust
    /// authentication on loopback only).
    pub struct Postgres {
        dir: tempfile::TempDir,
        bin: PathBuf,
        port: u16,
    }

    fn is_root() -> bool {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false)
    }

    /// The newest installed server's programs (`/usr/lib/postgresql/N/bin`).
    fn bin_dir() -> PathBuf {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (cargo xtask test installs it)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop().expect("a PostgreSQL server is installed")
    }

    impl Postgres {
        /// Makes a cluster and starts the server; waits until it accepts
        /// connections.
        pub fn start() -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            if is_root() {
                let status = Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(dir.path())
                    .status()
                    .expect("runs chown");
                assert!(status.success(), "chown to postgres failed");
            }
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let pg = Self {
                bin: bin_dir(),
                dir,
                port,
            };
            let data = pg.data();
            pg.run(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "tsunagi",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
            );
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                pg.dir.path().display()
            );
            let log = pg.dir.path().join("server.log").display().to_string();
            pg.run(
                "pg_ctl",
                &[
                    "start", "-D", &data, "-w", "-t", "60", "-l", &log, "-o", &options,
                ],
            );
            pg
        }

        fn data(&self) -> String {
            self.dir.path().join("data").display().to_string()
        }

        fn command(&self, program: &str) -> Command {
            let program = self.bin.join(program);
            if is_root() {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", "postgres", "--"]).arg(program);
                cmd
            } else {
                Command::new(program)
            }
        }

        fn run(&self, program: &str, args: &[&str]) -> String {
            let out = self
                .command(program)
                .args(args)
                .current_dir(Path::new("/"))
                .output()
                .unwrap_or_else(|e| panic!("could not run {program}: {e}"));
            assert!(
                out.status.success(),
                "{program} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }

        /// The connection string for the `postgres` database.
        pub fn url(&self) -> String {
            self.url_of("postgres")
        }

        /// The connection string for the database `name` (made with
        /// `CREATE DATABASE` first).
        pub fn url_of(&self, name: &str) -> String {
            format!("postgres://tsunagi@127.0.0.1:{}/{name}", self.port)
        }

        /// Everything the server holds, as `pg_dump` writes it.
        pub fn dump(&self) -> String {
            let port = self.port.to_string();
            self.run(
                "pg_dump",
                &["-h", "127.0.0.1", "-p", &port, "-U", "tsunagi", "postgres"],
            )
        }
    }

    impl Drop for Postgres {
        fn drop(&mut self) {
            let _ = self
                .command("pg_ctl")
                .args(["stop", "-D", &self.data(), "-m", "immediate", "-w"])
                .output();
        }
    }
}
