//! The centre's identity: its `age` key (agencies seal to it), a signing
//! key it does not use, and its self-signed TLS certificate (agencies pin
//! its fingerprint).
//!
//! Kept in `identity.json` in the data folder, readable by the service's
//! user only. It is a plain file, not an encrypted store: the service must
//! start unattended after a reboot, so the secret would need a key kept
//! next to it anyway; protecting the disk is the operator's job.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tsunagi_core::link::{Fingerprint, TlsIdentity};
use tsunagi_core::seal::DeviceKeys;
use zeroize::Zeroizing;

/// The file name in the data folder.
pub const IDENTITY_FILE: &str = "identity.json";

/// Why the identity could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// `init` was run twice.
    #[error("this data folder already has a centre identity; nothing was changed")]
    Exists,
    /// No `init` yet.
    #[error(
        "this data folder has no centre identity: run `tsunagi-centre --data-dir DIR init` first"
    )]
    Missing,
    /// The file does not parse or holds bad keys.
    #[error("the centre identity file is damaged")]
    Damaged,
    /// The file could not be read or written.
    #[error("the centre identity file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityFile {
    age_identity: String,
    signing_key: String,
    tls_cert: String,
    tls_key: String,
}

/// The centre's keys and certificate. `Debug` shows no secret.
#[derive(Debug)]
pub struct CentreIdentity {
    /// The `age` identity batches are sealed to.
    pub keys: DeviceKeys,
    /// The TLS certificate and key.
    pub tls: TlsIdentity,
}

impl CentreIdentity {
    /// Makes a new identity in `dir` (created if missing); refuses to
    /// replace one.
    pub fn create(dir: &Path) -> Result<Self, IdentityError> {
        fs::create_dir_all(dir)?;
        let path = dir.join(IDENTITY_FILE);
        let keys = DeviceKeys::generate();
        let tls = TlsIdentity::generate("tsunagi-centre");
        let (signing, age) = keys.to_secret_parts();
        let file = IdentityFile {
            age_identity: age.to_string(),
            signing_key: hex::encode(signing.as_slice()),
            tls_cert: hex::encode(&tls.cert_der),
            tls_key: hex::encode(tls.key_der.as_slice()),
        };
        let text = Zeroizing::new(serde_json::to_string_pretty(&file).expect("serialises"));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => IdentityError::Exists,
            _ => IdentityError::Io(e),
        })?;
        out.write_all(text.as_bytes())?;
        out.sync_all()?;
        Ok(Self { keys, tls })
    }

    /// Reads the identity in `dir`.
    pub fn load(dir: &Path) -> Result<Self, IdentityError> {
        let text =
            Zeroizing::new(fs::read_to_string(dir.join(IDENTITY_FILE)).map_err(
                |e| match e.kind() {
                    std::io::ErrorKind::NotFound => IdentityError::Missing,
                    _ => IdentityError::Io(e),
                },
            )?);
        let file: IdentityFile = serde_json::from_str(&text).map_err(|_| IdentityError::Damaged)?;
        let signing =
            Zeroizing::new(hex::decode(&file.signing_key).map_err(|_| IdentityError::Damaged)?);
        let keys = DeviceKeys::from_secret_parts(&signing, &file.age_identity)
            .map_err(|_| IdentityError::Damaged)?;
        let tls = TlsIdentity {
            cert_der: hex::decode(&file.tls_cert).map_err(|_| IdentityError::Damaged)?,
            key_der: Zeroizing::new(
                hex::decode(&file.tls_key).map_err(|_| IdentityError::Damaged)?,
            ),
        };
        Ok(Self { keys, tls })
    }

    /// The fingerprint agencies pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.tls.fingerprint()
    }
}
