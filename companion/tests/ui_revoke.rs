//! Revoking a lost tablet in the companion's window (使用停止): the office
//! picks the tablet, hands its cases to the new one, and the old one is
//! gone from the list and may never pair again; the new one is offered the
//! cases.

mod common;

use std::sync::Arc;

use common::ui::{find, press, settle, type_into};
use common::{PW, demo_store};
use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{DeskAdapter, DeskScreen, PairingAdapter};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::link::TlsIdentity;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{FileKeychain, Store, StoreError};

fn tablet() -> Peer {
    let keys = DeviceKeys::generate();
    Peer {
        fingerprint: TlsIdentity::generate("tablet").fingerprint(),
        kind: PeerKind::Tablet,
        signer: keys.signer(),
        recipient: keys.recipient(),
        address: None,
        paired_at: tsunagi_core::rfc3339::Timestamp::now(),
    }
}

#[test]
fn the_office_revokes_a_lost_tablet_and_hands_its_cases_to_the_new_one() {
    i_slint_backend_testing::init_no_event_loop();
    let (dir, mut store, ids) = demo_store();
    let (lost, new) = (tablet(), tablet());
    store.add_peer(&lost).expect("pairs");
    store.add_peer(&new).expect("pairs");
    for &case in &ids[..2] {
        store
            .hand_over_case(case, lost.fingerprint)
            .expect("the lost tablet holds the case");
    }
    drop(store);

    let w = window::build(Options {
        dir: dir.path().join("data"),
        keychain: Arc::new(FileKeychain::new(dir.path().join("keys"))),
        background: Background::Inline,
        listen: None,
        cups: CupsServer::default(),
        utc_offset: time::UtcOffset::UTC,
        launcher: Arc::new(common::RecordingLauncher::default()),
    })
    .expect("the window builds");
    w.window().set_size(slint::LogicalSize::new(1280.0, 1600.0));
    w.show().expect("the window shows");
    type_into(&w, "ユーザー名", "admin");
    type_into(&w, "パスワード", PW);
    press(&w, "ログイン");
    w.global::<DeskAdapter<'_>>()
        .invoke_show(DeskScreen::Pairing);
    settle();
    let pairing = w.global::<PairingAdapter<'_>>();
    assert_eq!(pairing.get_tablets().row_count(), 2);

    let short = |p: &Peer| p.fingerprint.to_hex()[..16].to_owned();
    press(&w, &format!("使用停止：{}", short(&lost)));
    // Only the other tablet is offered to take the cases.
    assert!(
        find(
            &w,
            &format!("{} に引き継いで使用停止", short(&lost)),
            AccessibleRole::Button
        )
        .is_empty()
    );
    press(&w, &format!("{} に引き継いで使用停止", short(&new)));
    assert_eq!(pairing.get_error(), "");
    assert!(
        pairing
            .get_result()
            .contains("2 件のケースを引き継ぎました"),
        "{}",
        pairing.get_result()
    );
    let listed: Vec<String> = pairing
        .get_tablets()
        .iter()
        .map(|t| t.fingerprint.to_string())
        .collect();
    assert_eq!(listed, vec![short(&new)]);
    drop(w);

    let mut store = Store::unlock(
        &dir.path().join("data"),
        Arc::new(FileKeychain::new(dir.path().join("keys"))),
        "admin",
        PW,
    )
    .expect("opens");
    assert!(store.is_revoked(&lost.fingerprint).expect("asks"));
    assert!(matches!(store.add_peer(&lost), Err(StoreError::Revoked)));
    let bundle = store
        .seal_handed_over_for(&new)
        .expect("seals")
        .expect("the handed-over cases wait for the new tablet");
    assert!(bundle.outgoing.size > 0);
}
