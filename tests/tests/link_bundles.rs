//! Bundles that a paired tablet offers over the link and the companion must
//! refuse: one cut short, one sealed to another device, one signed by a
//! tablet it never paired with. The tablet's side is played here in this
//! process, over real QUIC with the paired tablet's own certificate, so that
//! each bundle reaches the companion whole and with a matching checksum:
//! what refuses it is the companion's check of the bundle itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tsunagi_companion::link::{read_frame, write_message};
use tsunagi_core::link::tls;
use tsunagi_core::link::wire::{self, CHUNK_SIZE, Frame, Message};
use tsunagi_core::model::CaseId;
use tsunagi_core::seal::{BundleId, DeviceKeys};
use tsunagi_core::store::Store;
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_tests::devices::Devices;

/// A case of `store`'s that may go to another agency (its agency-sharing
/// consent is in force), sealed by `store`'s device to `to`.
fn sealed(store: &mut Store, to: &tsunagi_core::seal::Recipient) -> (BundleId, Vec<u8>) {
    let today = time::OffsetDateTime::now_utc().date();
    let cases = store
        .list_cases(&tsunagi_core::store::CaseQuery::default())
        .expect("lists");
    let case: CaseId = cases
        .iter()
        .map(|c| c.id)
        .find(|id| {
            store
                .load_case(*id)
                .expect("loads")
                .may_use(tsunagi_core::model::ConsentScope::AgencySharing, today)
                .is_ok()
        })
        .expect("a demo case with the consent");
    store.export_case(case, to, Vec::new()).expect("seals")
}

fn sha256_hex(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("b");
    std::fs::write(&path, bytes).expect("writes");
    let (_, hash) = tsunagi_core::store::sync::file_sha256(&path).expect("hashes");
    hex::encode(hash)
}

/// Offers each bundle to the companion at `addr` as the tablet whose store is
/// `tablet`, sends all of it, and returns what the companion answered for
/// each: `Ok(())` for an acknowledgement, `Err(reason)` for a refusal.
fn offer(
    tablet: &mut Store,
    addr: SocketAddr,
    bundles: &[(BundleId, Vec<u8>)],
) -> Vec<Result<(), String>> {
    let identity = tablet.device_identity().expect("identity");
    let companion: Peer = tablet
        .peers()
        .expect("peers")
        .into_iter()
        .find(|p| p.kind == PeerKind::Companion)
        .expect("paired");
    let crypto = tls::client_config(&identity.tls, companion.fingerprint).expect("tls");
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(crypto).expect("quic");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let mut endpoint = quinn::Endpoint::client(([127, 0, 0, 1], 0).into()).expect("endpoint");
        endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic)));
        let conn = endpoint
            .connect(addr, tls::SERVER_NAME)
            .expect("connects")
            .await
            .expect("handshake");
        let (mut send, mut recv) = conn.open_bi().await.expect("stream");
        write_message(&mut send, Message::Hello)
            .await
            .expect("hello");
        let welcome = read_frame(&mut recv).await.expect("reads");
        assert!(
            matches!(welcome, Some(Frame::Message(Message::Welcome { .. }))),
            "{welcome:?}"
        );
        let mut answers = Vec::new();
        for (id, bytes) in bundles {
            write_message(
                &mut send,
                Message::Offer {
                    bundle: id.to_string(),
                    size: bytes.len() as u64,
                    sha256: sha256_hex(bytes),
                },
            )
            .await
            .expect("offers");
            let from = match read_frame(&mut recv).await.expect("reads") {
                Some(Frame::Message(Message::Have { offset, .. })) => offset,
                other => panic!("expected Have, got {other:?}"),
            };
            assert_eq!(from, 0, "the companion holds none of it yet");
            for (i, piece) in bytes.chunks(CHUNK_SIZE as usize).enumerate() {
                let offset = i as u64 * CHUNK_SIZE;
                send.write_all(&wire::chunk_header(*id, offset, piece.len()))
                    .await
                    .expect("sends");
                send.write_all(piece).await.expect("sends");
            }
            answers.push(match read_frame(&mut recv).await.expect("reads") {
                Some(Frame::Message(Message::Ack { .. })) => Ok(()),
                Some(Frame::Message(Message::Reject { reason, .. })) => Err(reason),
                other => panic!("expected Ack or Reject, got {other:?}"),
            });
        }
        write_message(&mut send, Message::Done).await.expect("done");
        let _ = send.finish();
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
        endpoint.wait_idle().await;
        answers
    })
}

#[test]
fn truncated_misaddressed_and_unknown_signer_bundles_are_refused_over_the_link() {
    let env = Devices::with_demo(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    // A second tablet, never paired with this companion.
    let stranger = Devices::with_demo(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    let server = env.serve();
    env.pair(&server);

    let mut tablet = env.store("tablet");
    let companion_key = tablet
        .peers()
        .expect("peers")
        .into_iter()
        .find(|p| p.kind == PeerKind::Companion)
        .expect("paired")
        .recipient;

    let (id, mut bytes) = sealed(&mut tablet, &companion_key);
    bytes.truncate(bytes.len() - 100);
    let truncated = (id, bytes);
    let misaddressed = sealed(&mut tablet, &DeviceKeys::generate().recipient());
    let unknown_signer = sealed(&mut stranger.store("tablet"), &companion_key);
    // A good one last: the same session still imports it.
    let good = sealed(&mut tablet, &companion_key);

    let answers = offer(
        &mut tablet,
        server.addr.parse().expect("an address"),
        &[truncated, misaddressed, unknown_signer, good],
    );
    let reason = |i: usize| answers[i].clone().expect_err("refused");
    assert!(
        reason(0).contains("データが壊れているか不完全です"),
        "{}",
        reason(0)
    );
    assert!(reason(1).contains("送付先が違います"), "{}", reason(1));
    assert!(reason(2).contains("未登録の端末"), "{}", reason(2));
    assert_eq!(answers[3], Ok(()), "the good bundle after them");
    for _ in 0..3 {
        server.wait_for("refused bundle");
    }
    server.wait_for("imported bundle");
    drop(server);

    // Only the good bundle's case arrived.
    let list = env.case_list(false);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        env.inbox_files(),
        [],
        "refused bundles are not kept in the inbox"
    );
}
