//! Where the device secret (端末鍵) lives: the operating system's keychain,
//! or, where none is reachable, a file.
//!
//! The device secret is mixed into every password keyslot, so a copy of the
//! data folder alone cannot be attacked with password guesses. Losing it does
//! not lose data: the recovery code opens the store without it.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use zeroize::Zeroizing;

/// The service name under which secrets are kept in the OS keychain.
const SERVICE: &str = "jp.tsunagi.store";

/// A 32-byte secret kept by the keychain for one store. Zeroed on drop.
#[derive(Clone)]
pub struct DeviceSecret(Zeroizing<[u8; 32]>);

impl DeviceSecret {
    /// A fresh random secret.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// The secret whose bytes are `bytes`: a full backup's copy, put back
    /// into a new machine's keychain when the backup is restored.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The secret's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(B64.encode(self.0.as_ref()))
    }

    fn from_text(text: &str) -> Result<Self, KeychainError> {
        let bytes = Zeroizing::new(
            B64.decode(text.trim())
                .map_err(|_| KeychainError::Malformed)?,
        );
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeychainError::Malformed)?;
        Ok(Self(Zeroizing::new(array)))
    }
}

impl std::fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecret(‹redacted›)")
    }
}

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// The OS keychain refused or is not running.
    #[error("the system keychain is not available ({0})")]
    Unavailable(String),
    /// The stored secret is not one this program wrote.
    #[error("the device key in the keychain is damaged")]
    Malformed,
    /// The file keystore could not be read or written.
    #[error("the key file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}

/// A place that keeps one secret per store id.
pub trait Keychain: Send + Sync {
    /// A short name for messages: "system keychain", "key file", "memory".
    fn describe(&self) -> String;
    /// The secret for `store_id`, or `None` when there is none.
    fn load(&self, store_id: &str) -> Result<Option<DeviceSecret>, KeychainError>;
    /// Keeps `secret` for `store_id`, replacing any earlier one.
    fn save(&self, store_id: &str, secret: &DeviceSecret) -> Result<(), KeychainError>;
    /// Forgets the secret for `store_id`; not an error when there is none.
    fn delete(&self, store_id: &str) -> Result<(), KeychainError>;
}

/// The operating system's keychain through `keyring`: Keychain on Apple
/// platforms, Credential Manager on Windows, Secret Service on Linux.
#[derive(Debug, Default)]
pub struct OsKeychain;

impl OsKeychain {
    fn entry(store_id: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(SERVICE, store_id)
            .map_err(|e| KeychainError::Unavailable(e.to_string()))
    }

    /// Whether a secret can be written, read back and removed right now.
    pub fn probe() -> bool {
        let id = format!("probe-{}", uuid::Uuid::new_v4());
        let keychain = OsKeychain;
        let secret = DeviceSecret::generate();
        let ok = keychain.save(&id, &secret).is_ok()
            && matches!(keychain.load(&id), Ok(Some(s)) if s.as_bytes() == secret.as_bytes());
        let _ = keychain.delete(&id);
        ok
    }
}

impl Keychain for OsKeychain {
    fn describe(&self) -> String {
        "system keychain".into()
    }

    fn load(&self, store_id: &str) -> Result<Option<DeviceSecret>, KeychainError> {
        match Self::entry(store_id)?.get_password() {
            Ok(text) => DeviceSecret::from_text(&text).map(Some),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeychainError::Unavailable(e.to_string())),
        }
    }

    fn save(&self, store_id: &str, secret: &DeviceSecret) -> Result<(), KeychainError> {
        Self::entry(store_id)?
            .set_password(&secret.to_text())
            .map_err(|e| KeychainError::Unavailable(e.to_string()))
    }

    fn delete(&self, store_id: &str) -> Result<(), KeychainError> {
        match Self::entry(store_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeychainError::Unavailable(e.to_string())),
        }
    }
}

/// A keystore in files, one per store, readable only by the user (0600).
///
/// Weaker than a keychain: anyone who can read the user's files has the
/// device secret, and only the password protects the store. Used where no
/// keychain is reachable (headless Linux, CI), always with a warning.
#[derive(Debug, Clone)]
pub struct FileKeychain {
    dir: PathBuf,
}

impl FileKeychain {
    /// A file keystore in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default folder: `$TSUNAGI_KEYSTORE_DIR`, else
    /// `$XDG_DATA_HOME/tsunagi/keystore`, else `~/.local/share/tsunagi/keystore`.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("TSUNAGI_KEYSTORE_DIR") {
            return dir.into();
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| ".".into());
                home.join(".local/share")
            });
        base.join("tsunagi/keystore")
    }

    fn path(&self, store_id: &str) -> PathBuf {
        let safe: String = store_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        self.dir.join(format!("{safe}.key"))
    }
}

impl Keychain for FileKeychain {
    fn describe(&self) -> String {
        format!("key file in {}", self.dir.display())
    }

    fn load(&self, store_id: &str) -> Result<Option<DeviceSecret>, KeychainError> {
        match fs::read_to_string(self.path(store_id)) {
            Ok(text) => DeviceSecret::from_text(&Zeroizing::new(text)).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn save(&self, store_id: &str, secret: &DeviceSecret) -> Result<(), KeychainError> {
        fs::create_dir_all(&self.dir)?;
        let path = self.path(store_id);
        let tmp = path.with_extension("key.tmp");
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(secret.to_text().as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &path)?;
        Ok(())
    }

    fn delete(&self, store_id: &str) -> Result<(), KeychainError> {
        match fs::remove_file(self.path(store_id)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// An in-memory keychain: the mock store for tests. Secrets live as long as
/// the value, and survive across [`Store`](super::Store) objects sharing it.
#[derive(Debug, Default)]
pub struct MemoryKeychain {
    secrets: Mutex<HashMap<String, [u8; 32]>>,
}

impl Keychain for MemoryKeychain {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn load(&self, store_id: &str) -> Result<Option<DeviceSecret>, KeychainError> {
        let secrets = self
            .secrets
            .lock()
            .expect("keychain lock is never poisoned");
        Ok(secrets
            .get(store_id)
            .map(|b| DeviceSecret(Zeroizing::new(*b))))
    }

    fn save(&self, store_id: &str, secret: &DeviceSecret) -> Result<(), KeychainError> {
        let mut secrets = self
            .secrets
            .lock()
            .expect("keychain lock is never poisoned");
        secrets.insert(store_id.to_owned(), *secret.as_bytes());
        Ok(())
    }

    fn delete(&self, store_id: &str) -> Result<(), KeychainError> {
        self.secrets
            .lock()
            .expect("keychain lock is never poisoned")
            .remove(store_id);
        Ok(())
    }
}

/// The keychain chosen for this run, and a warning to show when it is weaker
/// than the system keychain.
pub struct ChosenKeychain {
    /// The keychain to use.
    pub keychain: Box<dyn Keychain>,
    /// Set when the file keystore was chosen: say so to the user.
    pub warning: Option<String>,
}

/// Chooses the keychain: `TSUNAGI_KEYSTORE=file` or `=system` forces one;
/// otherwise the system keychain when it answers a probe, else the file
/// keystore in [`FileKeychain::default_dir`], with a warning.
pub fn choose_keychain() -> ChosenKeychain {
    choose_keychain_in(FileKeychain::default_dir())
}

/// As [`choose_keychain`], with the file keystore, when it is the one
/// chosen, in `file_dir`: the tablets' private storage, where the desktop's
/// default folder does not exist.
pub fn choose_keychain_in(file_dir: PathBuf) -> ChosenKeychain {
    let file = move || {
        let keychain = FileKeychain::new(file_dir);
        let warning = format!(
            "no system keychain is available: the device key is kept in a {}; protect this computer's account",
            keychain.describe()
        );
        ChosenKeychain {
            keychain: Box::new(keychain),
            warning: Some(warning),
        }
    };
    match std::env::var("TSUNAGI_KEYSTORE").as_deref() {
        Ok("file") => file(),
        Ok("system") => ChosenKeychain {
            keychain: Box::new(OsKeychain),
            warning: None,
        },
        _ if OsKeychain::probe() => ChosenKeychain {
            keychain: Box::new(OsKeychain),
            warning: None,
        },
        _ => file(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_keychain_keeps_a_secret_across_instances_and_forgets_it_on_delete() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secret = DeviceSecret::generate();
        FileKeychain::new(dir.path())
            .save("store-1", &secret)
            .expect("save");
        let again = FileKeychain::new(dir.path())
            .load("store-1")
            .expect("load")
            .expect("present");
        assert_eq!(again.as_bytes(), secret.as_bytes());
        FileKeychain::new(dir.path())
            .delete("store-1")
            .expect("delete");
        assert!(
            FileKeychain::new(dir.path())
                .load("store-1")
                .expect("load")
                .is_none()
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_keychain_file_is_readable_only_by_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = FileKeychain::new(dir.path());
        keychain.save("s", &DeviceSecret::generate()).expect("save");
        let mode = fs::metadata(keychain.path("s"))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }

    #[test]
    fn damaged_key_file_is_reported_not_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = FileKeychain::new(dir.path());
        fs::write(keychain.path("s"), "not base64!").expect("write");
        assert!(matches!(keychain.load("s"), Err(KeychainError::Malformed)));
    }

    #[test]
    fn device_secret_debug_is_redacted() {
        assert!(!format!("{:?}", DeviceSecret::generate()).contains(|c: char| c.is_ascii_digit()));
    }
}
