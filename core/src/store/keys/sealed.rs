//! The database key sealed to the slots' recipients (an age file, X25519),
//! with the binding that ties the list of slots to that key.

use std::io::Read;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::slots::SlotIdentity;
use super::{DbKey, KeyError};

/// The most bytes a sealed key may take in the file (before base64): an age
/// header of a few hundred slots.
const MAX_SEALED_BYTES: usize = 64 * 1024;

/// The database key, sealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SealedKey {
    /// An age file (binary, base64) whose content is the 32-byte key, with
    /// one X25519 stanza per enabled slot.
    sealed: String,
    /// HMAC-SHA256 of the slot list, under a key derived from the sealed
    /// key (base64).
    binding: String,
}

impl SealedKey {
    /// Seals `key` to `recipients` (each `age1…`) and binds `list` to it.
    pub(super) fn seal(key: &DbKey, recipients: &[&str], list: &[u8]) -> Result<Self, KeyError> {
        let recipients = recipients
            .iter()
            .map(|r| age::x25519::Recipient::from_str(r).map_err(|_| KeyError::Malformed))
            .collect::<Result<Vec<_>, _>>()?;
        let encryptor =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|_| KeyError::Malformed)?;
        let mut sealed = Vec::new();
        let mut writer = encryptor.wrap_output(&mut sealed)?;
        std::io::Write::write_all(&mut writer, key.0.as_ref())?;
        writer.finish()?;
        Ok(Self {
            sealed: B64.encode(sealed),
            binding: B64.encode(binding(key, list)),
        })
    }

    /// The key, if it is sealed to `identity`; `Ok(None)` when it is not.
    pub(super) fn open(&self, identity: &SlotIdentity) -> Result<Option<DbKey>, KeyError> {
        let sealed = B64.decode(&self.sealed).map_err(|_| KeyError::Malformed)?;
        let decryptor =
            age::Decryptor::new_buffered(&sealed[..]).map_err(|_| KeyError::Malformed)?;
        let mut reader = match decryptor.decrypt(std::iter::once(&identity.0 as &dyn age::Identity))
        {
            Ok(reader) => reader,
            Err(age::DecryptError::NoMatchingKeys) => return Ok(None),
            Err(_) => return Err(KeyError::Malformed),
        };
        let mut plain = Zeroizing::new(Vec::with_capacity(32));
        reader
            .by_ref()
            .take(33)
            .read_to_end(&mut plain)
            .map_err(|_| KeyError::Malformed)?;
        DbKey::from_bytes(&plain).map(Some)
    }

    /// Whether `list` is the list this key was bound to, `key` being the key
    /// sealed here (checked in constant time).
    pub(super) fn binds(&self, key: &DbKey, list: &[u8]) -> bool {
        let Ok(given) = B64.decode(&self.binding) else {
            return false;
        };
        mac(key, list).verify_slice(&given).is_ok()
    }

    /// Checks the sizes: a sealed key that decodes and is not huge, a
    /// binding of 32 bytes.
    pub(super) fn check(&self) -> Result<(), KeyError> {
        let sealed_ok = self.sealed.len() <= MAX_SEALED_BYTES * 4 / 3 + 4
            && B64.decode(&self.sealed).is_ok_and(|b| !b.is_empty());
        let binding_ok = B64.decode(&self.binding).is_ok_and(|b| b.len() == 32);
        if sealed_ok && binding_ok {
            Ok(())
        } else {
            Err(KeyError::Malformed)
        }
    }
}

fn mac(key: &DbKey, list: &[u8]) -> Hmac<Sha256> {
    let mut mac_key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, key.0.as_ref())
        .expand(b"tsunagi keyslot list v2", mac_key.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(mac_key.as_ref())
        .expect("HMAC takes a key of any length");
    mac.update(list);
    mac
}

fn binding(key: &DbKey, list: &[u8]) -> [u8; 32] {
    mac(key, list).finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> (SlotIdentity, String) {
        let id = age::x25519::Identity::generate();
        let recipient = id.to_public().to_string();
        (SlotIdentity(id), recipient)
    }

    #[test]
    fn every_recipient_opens_the_sealed_key_and_no_one_else() {
        let key = DbKey::generate();
        let (a, a_to) = identity();
        let (b, b_to) = identity();
        let (stranger, _) = identity();
        let sealed = SealedKey::seal(&key, &[&a_to, &b_to], b"list").expect("seals");
        sealed.check().expect("whole");
        for id in [&a, &b] {
            let opened = sealed.open(id).expect("opens").expect("sealed to it");
            assert_eq!(opened.0.as_ref(), key.0.as_ref());
        }
        assert!(sealed.open(&stranger).expect("reads").is_none());
    }

    #[test]
    fn the_binding_holds_only_for_its_key_and_its_list() {
        let key = DbKey::generate();
        let (_, to) = identity();
        let sealed = SealedKey::seal(&key, &[&to], b"account:a\0age1\0no\n").expect("seals");
        assert!(sealed.binds(&key, b"account:a\0age1\0no\n"));
        assert!(!sealed.binds(&key, b"account:a\0age2\0no\n"));
        assert!(!sealed.binds(&DbKey::generate(), b"account:a\0age1\0no\n"));
    }
}
