//! A replaced tablet, through the real programs over QUIC on loopback: cases
//! made on tablet A are docked; the office revokes A and hands its cases to
//! tablet B; B receives every case with its history, photo and video, byte
//! for byte, resuming after it was killed part-way; A can never send again.

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tsunagi_core::media::{VideoInfo, fixtures};
use tsunagi_core::model::CaseId;
use tsunagi_core::store::{MediaDetails, Store};
use tsunagi_tests::devices::{Devices, text};

/// The video's size: large enough that the transfer can be killed part-way.
const VIDEO: u64 = 120_000_000;

/// Every case's photos and videos on `store`, by case and item id, as the
/// SHA-256 of their bytes.
fn media_of(store: &mut Store, cases: &[CaseId]) -> Vec<(CaseId, String, String)> {
    use sha2::Digest as _;
    let mut out = Vec::new();
    for &case in cases {
        for item in store.list_media(case).expect("lists") {
            let mut stream = store.open_media(case, item.id).expect("opens");
            let mut hasher = sha2::Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = stream.read(&mut buf).expect("reads");
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            out.push((case, item.id.to_string(), hex::encode(hasher.finalize())));
        }
    }
    out.sort();
    out
}

/// The history of every case, as JSON.
fn histories(store: &mut Store, cases: &[CaseId]) -> Vec<serde_json::Value> {
    cases
        .iter()
        .map(|&c| serde_json::to_value(store.history(c, None).expect("history")).expect("json"))
        .collect()
}

#[test]
fn a_replaced_tablet_receives_every_case_and_media_byte_for_byte_and_the_revoked_one_is_refused() {
    let env = Devices::with_demo(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    let cases: Vec<CaseId> = env
        .case_list(true)
        .iter()
        .map(|l| {
            l.split('\t')
                .next()
                .and_then(|i| i.parse().ok())
                .expect("an id")
        })
        .collect();
    assert!(cases.len() >= 2);
    {
        let mut tablet = env.store("tablet");
        tablet
            .import_photo(
                cases[0],
                &fixtures::gps_tagged_jpeg(),
                &MediaDetails::default(),
            )
            .expect("a photo");
        let mut header = fixtures::minimal_mp4(60_000, 0);
        header.truncate(header.len() - 8);
        header.extend_from_slice(&u32::try_from(8 + VIDEO).expect("fits").to_be_bytes());
        header.extend_from_slice(b"mdat");
        let mut video = std::io::Cursor::new(header).chain(std::io::repeat(0x5a).take(VIDEO));
        tablet
            .add_video(
                cases[1],
                &mut video,
                &tsunagi_core::media::video::placeholder_poster(),
                &VideoInfo {
                    mime: "video/mp4".into(),
                    duration_ms: 60_000,
                },
                &MediaDetails::default(),
            )
            .expect("a video");
    }

    let server = env.serve();
    let (_, lost) = env.pair_tablet("tablet", &server);
    assert!(env.tablet_ok(&["sync"]).contains("delivered"));

    // Tablet B is set up and paired; the office revokes A and hands its
    // cases to B.
    let out = env.tablet_in("tablet-b", &["init", "--user", "admin"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (_, new) = env.pair_tablet("tablet-b", &server);
    let revoked = env.companion_ok(&["revoke", &lost, "--hand-over-to", &new]);
    assert!(
        revoked.contains(&format!("{} case(s) handed over", cases.len())),
        "{revoked}"
    );

    // B's worker receives; the transfer is killed part-way through.
    let inbox = env.dir("tablet-b").join("inbox").join("office");
    let held = || -> u64 {
        std::fs::read_dir(&inbox)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let mut receiving = env
        .tablet_in_command("tablet-b", &["receive"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts receive");
    let start = Instant::now();
    let at_kill = loop {
        let n = held();
        if n > VIDEO / 3 {
            receiving.kill().expect("kills");
            let _ = receiving.wait();
            break n;
        }
        if let Some(status) = receiving.try_wait().expect("status") {
            panic!("receive ended before a third had arrived ({n} bytes): {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "a third never arrived in 15 minutes ({n} bytes); companion: {:?}",
            server.drain()
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let again = env.tablet_in("tablet-b", &["receive"]);
    let (stdout, stderr) = text(&again);
    assert!(again.status.success(), "{stderr}");
    let from: u64 = stderr
        .lines()
        .find_map(|l| l.split("resuming from byte ").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("did not resume: {stderr}"));
    assert!(
        from >= at_kill.saturating_sub(tsunagi_core::link::wire::CHUNK_SIZE),
        "resumed from {from} though {at_kill} bytes were on disk"
    );
    assert!(
        stdout.contains(&format!("received {} case(s)", cases.len())),
        "{stdout}"
    );
    assert!(held() == 0, "a partial file was left");
    // Nothing more to receive.
    let once_more = env.tablet_in("tablet-b", &["receive"]);
    assert!(text(&once_more).0.contains("received 0 case(s)"));

    // A's next sync is refused in words.
    {
        let mut tablet = env.store("tablet");
        let mut basic = tablet.load_case(cases[0]).expect("loads").basic;
        basic.phone = "000-0000-0000".into();
        tablet
            .save_section(cases[0], &tsunagi_core::model::Section::Basic(basic))
            .expect("saves");
    }
    let refused = Devices::fails(env.tablet(&["sync"]));
    assert!(refused.contains("使用停止"), "{refused}");
    drop(server);

    // Every case, its history and every photo and video, byte for byte.
    let out = env.tablet_in("tablet-b", &["case", "list"]);
    let mut on_b: Vec<String> = text(&out).0.lines().map(str::to_owned).collect();
    on_b.sort();
    assert_eq!(on_b, env.case_list(false));
    let mut a = env.store("tablet");
    let mut office = env.store("companion");
    let mut b = Store::unlock(
        &env.dir("tablet-b"),
        std::sync::Arc::new(tsunagi_core::store::FileKeychain::new(env.dir("keys"))),
        "admin",
        tsunagi_tests::PASSWORD,
    )
    .expect("opens B");
    for &case in &cases {
        assert_eq!(
            b.load_case(case).expect("loads"),
            office.load_case(case).expect("loads")
        );
    }
    assert_eq!(histories(&mut b, &cases), histories(&mut office, &cases));
    let on_a = media_of(&mut a, &cases);
    assert_eq!(on_a.len(), 2, "the photo and the video");
    assert_eq!(media_of(&mut b, &cases), on_a);
}
