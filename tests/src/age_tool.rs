//! The `age` command-line tool (Debian's `age`) on files the programs
//! seal with a passphrase.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `age -d -o OUT FILE` typing `passphrase` at its prompt, which age reads
/// from the terminal only: run under `script`, which gives it one.
pub fn age_decrypt_with_passphrase(file: &Path, out: &Path, passphrase: &str) -> bool {
    let command = format!("age -d -o '{}' '{}'", out.display(), file.display());
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script runs");
    let mut stdout = child.stdout.take().expect("piped");
    // Type the passphrase once age has asked for it.
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("passphrase") {
        let n = stdout.read(&mut buf).expect("reads the prompt");
        assert!(n > 0, "age never asked for the passphrase");
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("piped");
    stdin
        .write_all(format!("{passphrase}\n").as_bytes())
        .expect("types the passphrase");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            drop(stdin);
            return status.success();
        }
        assert!(Instant::now() < deadline, "age did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
}
