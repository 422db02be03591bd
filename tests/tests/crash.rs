//! Killing the process in the middle of a stream of writes loses nothing that
//! was acknowledged, and the store always opens again.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tsunagi_core::store::{CaseQuery, FileKeychain, KdfParams, Store, StoreOptions};
use tsunagi_tests::PASSWORD;

const KILLS: usize = 200;

#[test]
fn killing_the_writer_at_random_points_loses_no_acknowledged_write() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("data");
    let keys = root.path().join("keys");
    let keychain = Arc::new(FileKeychain::new(&keys));
    let options = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    drop(Store::create(&dir, keychain.clone(), "admin", PASSWORD, options).expect("creates"));

    let mut acknowledged: HashSet<String> = HashSet::new();
    let mut rng = rand::thread_rng();
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_write_stream"))
            .args([
                dir.as_os_str(),
                keys.as_os_str(),
                format!("r{round}").as_ref(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("starts the writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..120)));
        child.kill().expect("kills the writer");
        child.wait().expect("reaps the writer");
        for line in reader.join().expect("reader thread") {
            let i = line.strip_prefix("ok ").expect("writer prints ok N");
            acknowledged.insert(format!("r{round}-{i}"));
        }

        // The store opens after every kill, with every acknowledged case.
        let mut store = Store::unlock(&dir, keychain.clone(), "admin", PASSWORD)
            .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
        let names: HashSet<String> = store
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .into_iter()
            .map(|c| c.name.expose().clone())
            .collect();
        let lost: Vec<_> = acknowledged.difference(&names).collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged writes lost: {lost:?}"
        );
    }
    assert!(
        acknowledged.len() > KILLS,
        "the writer hardly ever got a write in: {}",
        acknowledged.len()
    );
}
