//! One keyslot: who opens it, with which Argon2 costs, and what it wraps —
//! the slot's own age identity (format 2) or, in a slot carried over from
//! format 1, the database key itself.

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{DbKey, KdfParams, KeyError, kek};
use crate::store::keychain::DeviceSecret;

/// The length of an age X25519 identity as text (`AGE-SECRET-KEY-1…`).
const IDENTITY_TEXT_LEN: usize = 74;

/// The length of the XChaCha20-Poly1305 tag.
const TAG_LEN: usize = 16;

/// What a slot is opened with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlotOwner {
    /// An account's password, mixed with the device secret.
    Account {
        /// The account's login name.
        name: String,
    },
    /// The recovery code shown once at set-up.
    Recovery,
}

impl SlotOwner {
    /// The owner as the slot's associated data and the slot list name it:
    /// `account:NAME` or `recovery`.
    pub(super) fn label(&self) -> String {
        match self {
            SlotOwner::Account { name } => format!("account:{name}"),
            SlotOwner::Recovery => "recovery".to_owned(),
        }
    }

    /// The account's name; `None` for the recovery slot.
    pub fn account(&self) -> Option<&str> {
        match self {
            SlotOwner::Account { name } => Some(name),
            SlotOwner::Recovery => None,
        }
    }
}

/// One keyslot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keyslot {
    /// Who opens it.
    #[serde(flatten)]
    pub owner: SlotOwner,
    /// Argon2id cost.
    pub kdf: KdfParams,
    /// Argon2 salt (base64).
    salt: String,
    /// XChaCha20 nonce (base64).
    nonce: String,
    /// What the slot wraps, with its tag (base64): the slot's age identity;
    /// in a slot carried over from format 1 (no `recipient`), the database
    /// key itself.
    wrapped: String,
    /// The slot's age recipient (`age1…`, public), to which the database key
    /// is sealed. Absent in a slot carried over from format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recipient: Option<String>,
    /// The account is disabled: the slot still checks its password, so that
    /// its owner is told so, but no key is sealed to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What opening a slot gave.
pub enum Opened {
    /// A slot of format 2: its identity, which opens the sealed database key.
    Identity(SlotIdentity),
    /// A slot carried over from format 1: the database key itself.
    Legacy(DbKey),
}

/// A slot's age identity, unwrapped. Never printed.
pub struct SlotIdentity(pub(super) age::x25519::Identity);

impl std::fmt::Debug for SlotIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlotIdentity(‹redacted›)")
    }
}

impl Keyslot {
    /// A new slot for `owner` with a fresh identity, wrapped under the
    /// key-encryption key of `secret` (and `device` for an account).
    pub(super) fn new(
        store_id: &str,
        owner: SlotOwner,
        secret: &[u8],
        device: Option<&DeviceSecret>,
        kdf: KdfParams,
    ) -> Result<Self, KeyError> {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let text = identity.to_string();
        let aad = aad_v2(store_id, &owner, &recipient);
        let (salt, nonce, wrapped) =
            wrap(kdf, secret, device, &aad, text.expose_secret().as_bytes())?;
        Ok(Self {
            owner,
            kdf,
            salt,
            nonce,
            wrapped,
            recipient: Some(recipient),
            disabled: false,
        })
    }

    /// Opens the slot with `secret` (and `device` for an account). A wrong
    /// secret is [`KeyError::WrongSecret`]; a disabled slot whose secret is
    /// right is [`KeyError::Disabled`].
    pub(super) fn open(
        &self,
        store_id: &str,
        secret: &[u8],
        device: Option<&DeviceSecret>,
    ) -> Result<Opened, KeyError> {
        let aad = match &self.recipient {
            Some(recipient) => aad_v2(store_id, &self.owner, recipient),
            None => aad_v1(store_id, &self.owner),
        };
        let plain = self.unwrap(secret, device, &aad)?;
        if self.disabled {
            return Err(KeyError::Disabled);
        }
        let Some(recipient) = &self.recipient else {
            return Ok(Opened::Legacy(DbKey::from_bytes(&plain)?));
        };
        let text = std::str::from_utf8(&plain).map_err(|_| KeyError::Malformed)?;
        let identity = age::x25519::Identity::from_str(text).map_err(|_| KeyError::Malformed)?;
        // The recipient is bound into the associated data, so a slot whose
        // identity is not its recipient's was made so on purpose.
        if identity.to_public().to_string() != *recipient {
            return Err(KeyError::Malformed);
        }
        Ok(Opened::Identity(SlotIdentity(identity)))
    }

    /// Whether the slot was carried over from format 1 and wraps the
    /// database key itself.
    pub fn is_legacy(&self) -> bool {
        self.recipient.is_none()
    }

    /// The recipient the database key is sealed to; `None` for a legacy or
    /// disabled slot.
    pub(super) fn sealed_to(&self) -> Option<&str> {
        self.recipient.as_deref().filter(|_| !self.disabled)
    }

    /// The slot as the slot list names it, for the binding: owner, recipient,
    /// disabled.
    pub(super) fn list_entry(&self) -> String {
        format!(
            "{}\0{}\0{}\n",
            self.owner.label(),
            self.recipient.as_deref().unwrap_or(""),
            u8::from(self.disabled)
        )
    }

    /// Checks what can be checked without a secret: the Argon2 costs, the
    /// sizes of the salt, nonce and wrapped secret, and the recipient. A slot
    /// without a recipient (format 1) is never disabled.
    pub(super) fn check(&self) -> Result<(), KeyError> {
        self.kdf.check()?;
        let decodes_to =
            |field: &str, len: usize| B64.decode(field).is_ok_and(|bytes| bytes.len() == len);
        let wrapped_len = match &self.recipient {
            Some(recipient) => {
                age::x25519::Recipient::from_str(recipient).map_err(|_| KeyError::Malformed)?;
                IDENTITY_TEXT_LEN + TAG_LEN
            }
            None if !self.disabled => 32 + TAG_LEN,
            None => return Err(KeyError::Malformed),
        };
        if decodes_to(&self.salt, 16)
            && decodes_to(&self.nonce, 24)
            && decodes_to(&self.wrapped, wrapped_len)
        {
            Ok(())
        } else {
            Err(KeyError::Malformed)
        }
    }

    fn unwrap(
        &self,
        secret: &[u8],
        device: Option<&DeviceSecret>,
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let salt = B64.decode(&self.salt).map_err(|_| KeyError::Malformed)?;
        let nonce = B64.decode(&self.nonce).map_err(|_| KeyError::Malformed)?;
        let wrapped = B64.decode(&self.wrapped).map_err(|_| KeyError::Malformed)?;
        if nonce.len() != 24 {
            return Err(KeyError::Malformed);
        }
        let kek = kek(self.kdf, secret, &salt, device)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let plain = cipher
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &wrapped, aad })
            .map_err(|_| KeyError::WrongSecret)?;
        Ok(Zeroizing::new(plain))
    }
}

/// Wraps `plain` under the key-encryption key of `secret`: returns the salt,
/// the nonce and the wrapped bytes, each in base64.
fn wrap(
    kdf: KdfParams,
    secret: &[u8],
    device: Option<&DeviceSecret>,
    aad: &[u8],
    plain: &[u8],
) -> Result<(String, String, String), KeyError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let kek = kek(kdf, secret, &salt, device)?;
    let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
    let wrapped = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| KeyError::Malformed)?;
    Ok((B64.encode(salt), B64.encode(nonce), B64.encode(wrapped)))
}

/// The associated data of a format-1 slot: the store and the owner.
fn aad_v1(store_id: &str, owner: &SlotOwner) -> Vec<u8> {
    format!("tsunagi-keyslot-v1\0{store_id}\0{}", owner.label()).into_bytes()
}

/// The associated data of a format-2 slot: the store, the owner and the
/// recipient, so that neither a slot moved to another owner nor a recipient
/// swapped for another opens.
fn aad_v2(store_id: &str, owner: &SlotOwner, recipient: &str) -> Vec<u8> {
    format!(
        "tsunagi-keyslot-v2\0{store_id}\0{}\0{recipient}",
        owner.label()
    )
    .into_bytes()
}

/// A slot as format 1 wrote it: the database key itself under the slot's
/// key-encryption key. Only for tests that build an old keyslot file.
#[cfg(test)]
pub(super) fn legacy_slot(
    store_id: &str,
    owner: SlotOwner,
    secret: &[u8],
    device: Option<&DeviceSecret>,
    key: &DbKey,
    kdf: KdfParams,
) -> Result<Keyslot, KeyError> {
    let aad = aad_v1(store_id, &owner);
    let (salt, nonce, wrapped) = wrap(kdf, secret, device, &aad, key.0.as_ref())?;
    Ok(Keyslot {
        owner,
        kdf,
        salt,
        nonce,
        wrapped,
        recipient: None,
        disabled: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FOR_TESTS;

    fn alice() -> SlotOwner {
        SlotOwner::Account {
            name: "alice".into(),
        }
    }

    #[test]
    fn an_identity_is_as_long_as_the_slot_check_expects() {
        let text = age::x25519::Identity::generate().to_string();
        assert_eq!(text.expose_secret().len(), IDENTITY_TEXT_LEN);
    }

    #[test]
    fn a_slot_opens_only_with_its_password_and_device_secret() {
        let device = DeviceSecret::generate();
        let slot = Keyslot::new("s", alice(), b"correct horse", Some(&device), FAST).expect("seal");
        slot.check().expect("whole");
        assert!(matches!(
            slot.open("s", b"correct horse", Some(&device)),
            Ok(Opened::Identity(_))
        ));
        assert!(matches!(
            slot.open("s", b"wrong", Some(&device)),
            Err(KeyError::WrongSecret)
        ));
        let other = DeviceSecret::generate();
        assert!(matches!(
            slot.open("s", b"correct horse", Some(&other)),
            Err(KeyError::WrongSecret)
        ));
        assert!(matches!(
            slot.open("another store", b"correct horse", Some(&device)),
            Err(KeyError::WrongSecret)
        ));
    }

    #[test]
    fn a_slot_moved_to_another_account_or_given_another_recipient_does_not_open() {
        let device = DeviceSecret::generate();
        let slot = Keyslot::new("s", alice(), b"pw", Some(&device), FAST).expect("seal");
        let mut moved = slot.clone();
        moved.owner = SlotOwner::Account {
            name: "mallory".into(),
        };
        assert!(matches!(
            moved.open("s", b"pw", Some(&device)),
            Err(KeyError::WrongSecret)
        ));
        let mut swapped = slot;
        swapped.recipient = Some(age::x25519::Identity::generate().to_public().to_string());
        assert!(matches!(
            swapped.open("s", b"pw", Some(&device)),
            Err(KeyError::WrongSecret)
        ));
    }

    #[test]
    fn a_disabled_slot_checks_the_password_and_then_says_it_is_disabled() {
        let device = DeviceSecret::generate();
        let mut slot = Keyslot::new("s", alice(), b"pw", Some(&device), FAST).expect("seal");
        slot.disabled = true;
        assert!(matches!(
            slot.open("s", b"wrong", Some(&device)),
            Err(KeyError::WrongSecret)
        ));
        assert!(matches!(
            slot.open("s", b"pw", Some(&device)),
            Err(KeyError::Disabled)
        ));
        assert_eq!(slot.sealed_to(), None);
    }

    #[test]
    fn a_format_1_slot_gives_the_database_key_itself() {
        let key = DbKey::generate();
        let slot = legacy_slot("s", SlotOwner::Recovery, b"code", None, &key, FAST).expect("seal");
        slot.check().expect("whole");
        let mut disabled = slot.clone();
        disabled.disabled = true;
        assert!(matches!(disabled.check(), Err(KeyError::Malformed)));
        match slot.open("s", b"code", None) {
            Ok(Opened::Legacy(opened)) => assert_eq!(opened.0.as_ref(), key.0.as_ref()),
            _ => panic!("a legacy slot gives the key"),
        }
    }
}
