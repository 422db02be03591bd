use crate::rfc3339::Timestamp;
use std::io::Cursor;

use super::*;
use crate::model::demo_cases;

fn records() -> Vec<CaseRecord> {
    demo_cases()
        .into_iter()
        .map(|case| CaseRecord {
            case,
            revision: 3,
            revisions: vec![],
            media: vec![],
            audit_head: None,
            pending_reentry: vec![],
        })
        .collect()
}

fn sealed(tablet: &DeviceKeys, to: &DeviceKeys) -> Vec<u8> {
    let (_, out) = seal_case_records(Vec::new(), tablet, &to.recipient(), &records(), Vec::new())
        .expect("seals");
    out
}

fn open(
    bytes: &[u8],
    companion: &DeviceKeys,
    known: &DeviceKeys,
) -> Result<(BundleId, SignerKey, Vec<CaseRecord>), SealError> {
    let signer = known.signer();
    BundleReader::open(Cursor::new(bytes), companion, &|s| *s == signer)?.read_case_records()
}

#[test]
fn a_sealed_bundle_opens_for_its_recipient_with_every_case_intact() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let sent = records();
    let (id, out) = seal_case_records(
        Vec::new(),
        &tablet,
        &companion.recipient(),
        &sent,
        Vec::new(),
    )
    .expect("seals");
    let (opened_id, signer, got) = open(&out, &companion, &tablet).expect("opens");
    assert_eq!(opened_id, id);
    assert_eq!(signer, tablet.signer());
    assert_eq!(got, sent);
}

#[test]
fn the_sealed_file_is_a_standard_age_file_without_plaintext() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let out = sealed(&tablet, &companion);
    assert!(out.starts_with(b"age-encryption.org/v1\n"));
    let name = records()[0].case.basic.name.expose().clone();
    assert!(!name.is_empty());
    let text = String::from_utf8_lossy(&out);
    assert!(
        !text.contains(&name),
        "a client's name is visible in the sealed file"
    );
    assert!(!text.contains("TSNGBNDL"));
}

#[test]
fn every_flipped_byte_is_refused() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let out = sealed(&tablet, &companion);
    // Every position in the header, and a spread through the payload.
    let step = (out.len() / 300).max(1);
    for i in (0..out.len()).step_by(step) {
        let mut bad = out.clone();
        bad[i] ^= 0x01;
        assert!(
            open(&bad, &companion, &tablet).is_err(),
            "a flip at {i} was accepted"
        );
    }
}

#[test]
fn a_tampered_payload_is_refused_as_damaged() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let mut out = sealed(&tablet, &companion);
    let i = out.len() - 100;
    out[i] ^= 0x40;
    assert!(matches!(
        open(&out, &companion, &tablet),
        Err(SealError::Damaged(_))
    ));
}

#[test]
fn every_truncation_is_refused() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let out = sealed(&tablet, &companion);
    let step = (out.len() / 200).max(1);
    for len in (0..out.len()).step_by(step).chain([out.len() - 1]) {
        assert!(
            open(&out[..len], &companion, &tablet).is_err(),
            "a bundle cut to {len} of {} bytes was accepted",
            out.len()
        );
    }
}

#[test]
fn a_bundle_for_another_companion_is_refused_as_misaddressed() {
    let (tablet, companion, other) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let out = sealed(&tablet, &other);
    assert!(matches!(
        open(&out, &companion, &tablet),
        Err(SealError::NotForUs)
    ));
}

#[test]
fn a_bundle_signed_by_an_unknown_tablet_is_refused() {
    let (tablet, stranger, companion) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let out = sealed(&stranger, &companion);
    assert!(matches!(
        open(&out, &companion, &tablet),
        Err(SealError::UnknownSigner(s)) if s == stranger.signer().to_string()
    ));
}

/// Someone who can encrypt to the companion (its key is public) but does not
/// hold the tablet's signing key cannot make a bundle in the tablet's name.
#[test]
fn a_manifest_naming_a_known_tablet_without_its_signature_is_refused() {
    let (tablet, forger, companion) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let manifest = Manifest {
        format: FORMAT_VERSION,
        sender: tablet.signer().to_hex(),
        recipient: companion.recipient().as_string(),
        created_at: Timestamp::parse("2026-01-01T00:00:00Z").expect("a time"),
        nonce: "00".into(),
        parts: vec![],
    };
    let bytes = serde_json::to_vec(&manifest).expect("serialises");
    let sig = forger.sign(&signed_message(&bytes));
    let encryptor = age::Encryptor::with_recipients(std::iter::once(
        &companion.recipient().0 as &dyn age::Recipient,
    ))
    .expect("recipient");
    let mut w = encryptor.wrap_output(Vec::new()).expect("wraps");
    w.write_all(MAGIC).expect("writes");
    w.write_all(&FORMAT_VERSION.to_be_bytes()).expect("writes");
    w.write_all(&(bytes.len() as u32).to_be_bytes())
        .expect("writes");
    w.write_all(&bytes).expect("writes");
    w.write_all(&sig).expect("writes");
    let out = w.finish().expect("finishes");
    assert!(matches!(
        open(&out, &companion, &tablet),
        Err(SealError::BadSignature)
    ));
}

/// A bundle the companion decrypted and re-encrypted to someone else keeps
/// its signature but names the first recipient: the second refuses it.
#[test]
fn a_signed_bundle_re_encrypted_to_another_recipient_is_refused() {
    let (tablet, companion, other) = (
        DeviceKeys::generate(),
        DeviceKeys::generate(),
        DeviceKeys::generate(),
    );
    let out = sealed(&tablet, &companion);
    let decryptor = age::Decryptor::new(Cursor::new(&out)).expect("age file");
    let mut plain = Vec::new();
    decryptor
        .decrypt(std::iter::once(
            companion.age_identity() as &dyn age::Identity
        ))
        .expect("decrypts")
        .read_to_end(&mut plain)
        .expect("reads");
    let encryptor = age::Encryptor::with_recipients(std::iter::once(
        &other.recipient().0 as &dyn age::Recipient,
    ))
    .expect("recipient");
    let mut w = encryptor.wrap_output(Vec::new()).expect("wraps");
    w.write_all(&plain).expect("writes");
    let forwarded = w.finish().expect("finishes");
    assert!(matches!(
        open(&forwarded, &other, &tablet),
        Err(SealError::WrongRecipient)
    ));
}

#[test]
fn a_large_media_part_streams_through_with_its_hash_checked() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let len: u64 = 5 * 1024 * 1024 + 17;
    let make = || std::io::Read::take(std::io::repeat(0xA5), len);
    let mut hasher = Sha256::new();
    std::io::copy(&mut make(), &mut hasher).expect("hashes");
    let part = PartSource {
        info: PartInfo {
            name: "media/1".into(),
            kind: PartKind::Media,
            length: len,
            sha256: hex::encode(hasher.finalize()),
        },
        reader: Box::new(make()),
    };
    let (id, out) = seal(Vec::new(), &tablet, &companion.recipient(), vec![part]).expect("seals");
    let signer = tablet.signer();
    let mut reader =
        BundleReader::open(Cursor::new(&out), &companion, &|s| *s == signer).expect("opens");
    assert_eq!(reader.id(), id);
    let mut sink = CountingSink(0);
    let info = reader.next_part(&mut sink).expect("reads").expect("a part");
    assert_eq!(info.kind, PartKind::Media);
    assert_eq!(sink.0, len);
    assert!(reader.next_part(&mut sink).expect("reads").is_none());
    reader.finish().expect("ends cleanly");
}

#[test]
fn a_part_that_does_not_match_its_declared_hash_is_not_sealed() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let mut part = PartSource::from_bytes("media/1", PartKind::Media, b"hello");
    part.reader = Box::new(&b"hellp"[..]);
    assert!(matches!(
        seal(Vec::new(), &tablet, &companion.recipient(), vec![part]),
        Err(SealError::SourceMismatch)
    ));
}

#[test]
fn two_bundles_of_the_same_cases_have_different_ids() {
    let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
    let (a, _) = seal_case_records(
        Vec::new(),
        &tablet,
        &companion.recipient(),
        &records(),
        Vec::new(),
    )
    .expect("seals");
    let (b, _) = seal_case_records(
        Vec::new(),
        &tablet,
        &companion.recipient(),
        &records(),
        Vec::new(),
    )
    .expect("seals");
    assert_ne!(a, b);
}

#[test]
fn device_keys_survive_their_stored_form() {
    let keys = DeviceKeys::generate();
    let (signing, age) = keys.to_secret_parts();
    let back = DeviceKeys::from_secret_parts(&signing, &age).expect("parses");
    assert_eq!(back.signer(), keys.signer());
    assert_eq!(back.recipient(), keys.recipient());
    assert!(!format!("{keys:?}").contains(age.as_str()));
}

struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

mod hostile {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    /// One genuine bundle, its sender and its recipient, made once.
    static GENUINE: LazyLock<(Vec<u8>, DeviceKeys, DeviceKeys)> = LazyLock::new(|| {
        let (tablet, companion) = (DeviceKeys::generate(), DeviceKeys::generate());
        (sealed(&tablet, &companion), tablet, companion)
    });

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn a_changed_or_cut_bundle_is_refused_and_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let (bytes, tablet, companion) = &*GENUINE;
            let mut bad = bytes.clone();
            for (at, xor) in &flips {
                let i = at.index(bad.len());
                bad[i] ^= xor;
            }
            if truncate {
                bad.truncate(cut.index(bad.len()));
            }
            prop_assert!(open(&bad, companion, tablet).is_err());
        }

        #[test]
        fn random_bytes_are_refused_as_a_bundle_without_a_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let (_, tablet, companion) = &*GENUINE;
            prop_assert!(open(&bytes, companion, tablet).is_err());
        }
    }
}
