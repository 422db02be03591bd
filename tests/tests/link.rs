//! The link end to end, as processes over real QUIC on loopback: a tablet
//! store with the demo cases, a companion store, `serve`, `pair`, `sync`,
//! `case list` — and the ways a pairing or a device is refused.

use std::path::{Path, PathBuf};

use tsunagi_tests::devices::Devices as Env;

fn new_env() -> Env {
    Env::with_demo(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    )
}

fn outbox(env: &Env) -> Vec<PathBuf> {
    std::fs::read_dir(env.dir("tablet").join("outbox"))
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default()
}

#[test]
fn demo_pair_sync_puts_the_same_cases_on_the_companion() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    let out = env.tablet_ok(&["sync"]);
    assert!(out.contains("delivered 1 bundle"), "{out}");
    let tablet = env.case_list(true);
    assert!(!tablet.is_empty());
    assert_eq!(env.case_list(false), tablet);
    assert!(
        outbox(&env).is_empty(),
        "a delivered bundle stayed in the outbox"
    );
    // Nothing changed: nothing is sent again.
    let out = env.tablet_ok(&["sync"]);
    assert!(out.contains("delivered 0 bundle"), "{out}");
    assert_eq!(env.case_list(false), tablet);
}

#[test]
fn a_used_expired_or_wrong_pairing_code_is_refused_and_pairs_nothing() {
    let env = new_env();
    let server = env.serve();
    let code = env.pair(&server);
    let replay = Env::fails(env.tablet(&["pair", &code]));
    assert!(replay.contains("already used"), "{replay}");

    let fresh = env.companion_ok(&["pair", "--address", &server.addr]);
    let mut wrong: tsunagi_core::link::PairingCode = fresh.trim().parse().expect("a code");
    wrong.secret = tsunagi_core::link::PairingSecret::generate();
    let refused = Env::fails(env.tablet(&["pair", &wrong.to_string()]));
    assert!(refused.contains("code is wrong"), "{refused}");

    // A code issued more than ten minutes ago (issued here in the
    // companion's store, as `pair` would have then).
    let old_secret = {
        let mut store = env.store("companion");
        store
            .issue_pairing_secret(time::OffsetDateTime::now_utc() - time::Duration::minutes(11))
            .expect("issues")
    };
    let mut expired: tsunagi_core::link::PairingCode = fresh.trim().parse().expect("a code");
    expired.secret = old_secret;
    let refused = Env::fails(env.tablet(&["pair", &expired.to_string()]));
    assert!(refused.contains("expired"), "{refused}");

    let typo = format!("{}x", fresh.trim());
    let bad = Env::fails(env.tablet(&["pair", &typo]));
    assert!(bad.contains("not a valid pairing code"), "{bad}");
    // Only the first pairing stands.
    assert_eq!(env.companion_ok(&["peers"]).lines().count(), 1);
}

#[test]
fn a_code_for_another_companion_fails_the_pinned_handshake() {
    let env = new_env();
    let server = env.serve();
    let code = env.companion_ok(&["pair", "--address", &server.addr]);
    let mut other: tsunagi_core::link::PairingCode = code.trim().parse().expect("a code");
    other.fingerprint = tsunagi_core::link::Fingerprint([7; 32]);
    let line = Env::fails(env.tablet(&["pair", &other.to_string()]));
    assert!(line.contains("not the paired one"), "{line}");
    assert!(env.companion_ok(&["peers"]).is_empty());
}

#[test]
fn an_unpaired_tablet_is_refused_before_anything_is_sent() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    let peers = env.companion_ok(&["peers"]);
    let fingerprint = peers.split('\t').next().expect("a fingerprint");
    env.companion_ok(&["unpair", fingerprint]);
    let line = Env::fails(env.tablet(&["sync"]));
    assert!(line.contains("not paired"), "{line}");
    assert!(
        env.case_list(false).is_empty(),
        "cases arrived from an unpaired tablet"
    );
    // The sealed bundle stays, undelivered, on the tablet.
    assert_eq!(outbox(&env).len(), 1);
}

#[test]
fn a_tablet_sends_only_after_the_office_confirms_its_verification_code() {
    let env = new_env();
    let server = env.serve();
    let (_, verification) = env.pair_unconfirmed(&server);
    let line = Env::fails(env.tablet(&["sync"]));
    assert!(line.contains("確認コード"), "{line}");
    assert!(env.case_list(false).is_empty());
    let peers = env.companion_ok(&["peers"]);
    assert!(peers.contains("unconfirmed"), "{peers}");

    // A wrong code confirms nothing; the right one lets the tablet send.
    let wrong = if verification.starts_with('9') {
        "000 000"
    } else {
        "999 999"
    };
    let line = Env::fails(env.companion(&["confirm", wrong]));
    assert!(line.contains("no pairing waits"), "{line}");
    env.companion_ok(&["confirm", &verification]);
    let out = env.tablet_ok(&["sync"]);
    assert!(out.contains("delivered 1 bundle"), "{out}");
    assert_eq!(env.case_list(false), env.case_list(true));
}

#[test]
fn a_tampered_bundle_is_refused_and_its_cases_arrive_at_the_next_sync() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    // Seal without a companion to reach: stop it first.
    let addr = server.addr.clone();
    drop(server);
    let line = Env::fails(env.tablet(&["sync"]));
    assert!(line.contains("could not reach"), "{line}");
    let files = outbox(&env);
    assert_eq!(files.len(), 1);
    let mut bytes = std::fs::read(&files[0]).expect("reads");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x20;
    std::fs::write(&files[0], &bytes).expect("writes");
    let server = env.serve_on(&addr);
    let line = Env::fails(env.tablet(&["sync"]));
    assert!(line.contains("refused 1 bundle"), "{line}");
    assert!(line.contains("go again at the next sync"), "{line}");
    server.wait_for("refused bundle");
    assert!(env.case_list(false).is_empty());
    assert!(outbox(&env).is_empty(), "the refused bundle was kept");

    // The refusal does not stop docking: the cases go again, each alone,
    // sealed afresh from the tablet's store.
    let tablet = env.case_list(true);
    let out = env.tablet_ok(&["sync"]);
    assert!(
        out.contains(&format!("delivered {} bundle", tablet.len())),
        "{out}"
    );
    assert_eq!(env.case_list(false), tablet);
}

/// The id of a tablet case whose agency-sharing consent (関係機関への情報提供)
/// is in force (`true`) or not (`false`).
fn case_with_agency_consent(env: &Env, in_force: bool) -> String {
    let list = env.tablet_ok(&["case", "list"]);
    list.lines()
        .filter_map(|l| l.split('\t').next())
        .find(|id| {
            let shown = env.tablet_ok(&["case", "show", id]);
            let case: serde_json::Value = serde_json::from_str(&shown).expect("case JSON");
            let given = case["consents"].as_array().is_some_and(|all| {
                all.iter().any(|c| {
                    c["scope"] == "agency_sharing"
                        && !c["given_on"].is_null()
                        && c["withdrawn_on"].is_null()
                })
            });
            given == in_force
        })
        .expect("a demo case of that kind")
        .to_owned()
}

fn export(env: &Env, to: &str, file: &Path) -> String {
    let id = case_with_agency_consent(env, true);
    env.tablet_ok(&[
        "case",
        "export",
        &id,
        "--to",
        to,
        "--out",
        file.to_str().expect("utf-8 path"),
    ]);
    id
}

#[test]
fn send_data_files_import_once_and_only_from_a_paired_tablet() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    drop(server);
    let file = env.dir("case.age");
    let id = export(&env, "companion", &file);
    let bytes = std::fs::read(&file).expect("reads");
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));

    // Damaged copies are refused with one clear line and import nothing.
    let tampered = env.dir("tampered.age");
    let mut t = bytes.clone();
    let i = t.len() - 40;
    t[i] ^= 1;
    std::fs::write(&tampered, &t).expect("writes");
    let truncated = env.dir("truncated.age");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).expect("writes");
    for (path, expect) in [(&tampered, "damaged"), (&truncated, "damaged")] {
        let line =
            Env::fails(env.companion(&["case", "import-bundle", path.to_str().expect("utf-8")]));
        assert!(line.contains(expect), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
    assert!(env.case_list(false).is_empty());

    // The real one imports once.
    let f = file.to_str().expect("utf-8");
    let out = env.companion_ok(&["case", "import-bundle", f]);
    assert!(out.contains("imported 1 case"), "{out}");
    let out = env.companion_ok(&["case", "import-bundle", f]);
    assert!(out.contains("imported before"), "{out}");
    let list = env.case_list(false);
    assert_eq!(list.len(), 1);
    assert!(list[0].starts_with(&id));
}

#[test]
fn a_send_data_file_for_someone_else_or_from_an_unknown_tablet_is_refused() {
    let env = new_env();
    // Addressed to an unrelated age key.
    let other = tsunagi_core::seal::DeviceKeys::generate()
        .recipient()
        .to_string();
    let file = env.dir("other.age");
    // Not without the client's consent to sharing with another agency.
    let without = case_with_agency_consent(&env, false);
    let line = Env::fails(env.tablet(&[
        "case",
        "export",
        &without,
        "--to",
        &other,
        "--out",
        file.to_str().expect("utf-8 path"),
    ]));
    assert!(line.contains("関係機関への情報提供"), "{line}");
    assert!(!file.exists(), "a refused export left a file");
    export(&env, &other, &file);
    let line = Env::fails(env.companion(&["case", "import-bundle", file.to_str().expect("utf-8")]));
    assert!(line.contains("not addressed to this device"), "{line}");

    // Addressed to the companion but from a tablet it never paired with.
    let recipient = {
        let server = env.serve();
        let code = env.companion_ok(&["pair", "--address", &server.addr]);
        drop(code);
        // The companion's key as a pairing would give it.
        env.pair(&server);
        drop(server);
        let peers = env.companion_ok(&["peers"]);
        env.companion_ok(&["unpair", peers.split('\t').next().expect("fingerprint")]);
        "companion"
    };
    let file = env.dir("unknown.age");
    export(&env, recipient, &file);
    let line = Env::fails(env.companion(&["case", "import-bundle", file.to_str().expect("utf-8")]));
    assert!(line.contains("unknown device"), "{line}");
    assert!(env.case_list(false).is_empty());
}

#[test]
fn unpairing_on_the_tablet_tells_the_companion_and_stops_sending() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    assert_eq!(env.companion_ok(&["peers"]).lines().count(), 1);
    let out = env.tablet_ok(&["unpair"]);
    assert!(out.contains("unpaired"), "{out}");
    server.wait_for("unpaired");
    assert!(
        env.companion_ok(&["peers"]).is_empty(),
        "the companion forgot the tablet too"
    );
    let line = Env::fails(env.tablet(&["sync"]));
    assert!(line.contains("pair"), "{line}");
    assert!(env.case_list(false).is_empty());
}

#[test]
fn a_companion_whose_address_changed_is_found_on_the_lan() {
    let env = new_env();
    // Paired while the companion was at 127.0.0.2 …
    let server = env.serve_on("127.0.0.2:0");
    env.pair(&server);
    let port = server.addr.rsplit(':').next().expect("a port").to_owned();
    drop(server);
    // … and now it is at 127.0.0.3, on the same port, advertised by mDNS.
    let moved = format!("127.0.0.3:{port}");
    let server = env.serve_on(&moved);
    server.wait_for("advertised on the LAN");

    let out = env.tablet(&["sync"]);
    let (stdout, stderr) = tsunagi_tests::devices::text(&out);
    assert!(out.status.success(), "sync failed: {stderr}");
    assert!(
        stderr.contains(&format!("answered on the LAN at {moved}")),
        "{stderr}"
    );
    assert!(stdout.contains("delivered 1 bundle"), "{stdout}");
    server.wait_for("imported bundle");
    assert_eq!(env.case_list(false), env.case_list(true));

    // The new address is kept: the next sync goes there at once.
    let out = env.tablet(&["sync"]);
    let (_, stderr) = tsunagi_tests::devices::text(&out);
    assert!(out.status.success(), "sync failed: {stderr}");
    assert!(!stderr.contains("on the LAN"), "{stderr}");
}
