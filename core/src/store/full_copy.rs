//! A consistent copy of the whole store for the office's full backup
//! (全体バックアップ, [`crate::backup::write_full_backup`]), taken while other
//! handles — the companion's window, `serve` — may be writing.
//!
//! # How the database is copied, and why so
//!
//! The database is copied with `VACUUM INTO` on this handle's own SQLCipher
//! connection. It is one statement, so SQLite runs it inside one read
//! transaction: the copy is the database exactly as it stood at one commit,
//! whatever other handles commit meanwhile (the store is in WAL mode, so
//! they are neither blocked nor seen). SQLCipher attaches the new file with
//! the main database's key, so the copy is encrypted with the store's own
//! key and opens with the same keyslots; it is checked to be so (its first
//! bytes are not SQLite's plain-text header, and it opens with the key)
//! before anything is taken from it.
//!
//! The alternatives were weighed: copying `store.db` and its `-wal` file as
//! bytes, even under a read transaction, can catch a checkpoint half-way
//! and gives a copy that does not open; SQLite's online backup API
//! (rusqlite's `backup` feature, not built here) copies page by page and
//! restarts whenever another connection writes, unless done in one step,
//! which is what `VACUUM INTO` does anyway, and it also leaves no free
//! pages (deleted rows, a deleted photo's key) in the copy. The cost is a
//! second copy of the database on disk while the backup is made (in the
//! scratch folder the caller gives), which is removed afterwards.
//!
//! The keyslot files and `store.id` are read while this handle holds its
//! shared lock on the store, so the database key cannot be replaced
//! between them and the copy (`store::rotation`). A password changed
//! between the two reads gives a backup in which the older or the newer
//! password opens that account, never one in which neither does: both
//! wrap the same database key.
//!
//! Photos and video are files that never change once written; a new item's
//! file is renamed into place before its row commits, and a deleted item's
//! row goes before its file. So the media files the copy's rows name are
//! exactly the ones to back up, all present when the copy was taken — one
//! deleted since is noticed by the caller, which starts again.

use std::fs;
use std::path::{Path, PathBuf};

use super::keys::{KEYSLOTS_BACKUP_FILE, KEYSLOTS_FILE, STORE_ID_FILE};
use super::open::open_db;
use super::{AuditAction, DB_FILE, DeviceSecret, MEDIA_DIR, Store, StoreError, schema};

/// What the audit log says the whole store was read for.
pub const FULL_BACKUP_PURPOSE: &str = "full backup of the office (全体バックアップ)";

/// The first 16 bytes of an SQLite database that is not encrypted.
const PLAIN_SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A copy of the store taken at one moment, for a full backup.
///
/// Secret: holds the device secret, and its database opens with the
/// store's key. Its `Debug` shows neither.
pub struct StoreCopy {
    /// The copy of the database: a file in the scratch folder, encrypted
    /// with the store's own key. The caller removes it.
    pub database: PathBuf,
    /// The small files beside the database, read whole: the keyslot file,
    /// its second copy and `store.id` (those present), by name.
    pub key_files: Vec<(&'static str, Vec<u8>)>,
    /// The media folder of the store (`media/`).
    pub media_dir: PathBuf,
    /// The names, in [`MEDIA_DIR`], of the files the copy's rows name.
    pub media: Vec<String>,
    /// This device's secret (the keychain's 端末鍵), without which the
    /// accounts' passwords do not open the keyslots on another machine.
    pub device_secret: DeviceSecret,
    /// The store's id (`store.id`).
    pub store_id: String,
    /// The database's schema version.
    pub schema_version: u32,
}

impl std::fmt::Debug for StoreCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreCopy")
            .field("database", &self.database)
            .field("key_files", &self.key_files.len())
            .field("media", &self.media.len())
            .field("store_id", &self.store_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Copies the database into `scratch` (an existing folder, which must
    /// not hold a `store.db`) as it stands now, reads the keyslot files,
    /// and lists the media files the copy names; administrators only.
    /// Writes an audit entry first (so the backup holds it too). Blocking
    /// I/O on the calling thread; other handles may keep writing.
    ///
    /// On error, a partial copy may be left in `scratch`: the caller
    /// removes the folder.
    pub fn copy_for_full_backup(&mut self, scratch: &Path) -> Result<StoreCopy, StoreError> {
        self.require_admin("make a full backup of the store")?;
        self.audit(&self.conn, AuditAction::ReadCase, None, FULL_BACKUP_PURPOSE)?;

        let mut key_files = Vec::new();
        for name in [STORE_ID_FILE, KEYSLOTS_FILE, KEYSLOTS_BACKUP_FILE] {
            match fs::read(self.dir.join(name)) {
                Ok(bytes) => key_files.push((name, bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        if !key_files
            .iter()
            .any(|(n, _)| *n == KEYSLOTS_FILE || *n == KEYSLOTS_BACKUP_FILE)
        {
            return Err(StoreError::NoStore(self.dir.clone()));
        }

        let database = scratch.join(DB_FILE);
        let target = database
            .to_str()
            .ok_or_else(|| std::io::Error::other("the scratch folder's path is not UTF-8"))?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        check_encrypted(&database)?;

        let media = media_files(&open_db(&database, Some(&self.key), false)?)?;

        Ok(StoreCopy {
            database,
            key_files,
            media_dir: self.dir.join(MEDIA_DIR),
            media,
            device_secret: self.device_secret()?,
            store_id: self.slots.store_id.clone(),
            schema_version: schema::CURRENT_VERSION,
        })
    }
}

/// The media files the rows of `conn` name, sorted.
fn media_files(conn: &rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT file FROM media ORDER BY file")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

/// Refuses a copy that SQLite wrote in plain text: the backup promises the
/// database as the store keeps it, encrypted.
fn check_encrypted(path: &Path) -> Result<(), StoreError> {
    use std::io::Read as _;
    let mut head = [0u8; 16];
    fs::File::open(path)?.read_exact(&mut head)?;
    if &head == PLAIN_SQLITE_HEADER {
        let _ = fs::remove_file(path);
        return Err(std::io::Error::other("the copy of the database is not encrypted").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::demo_cases;
    use crate::store::{KdfParams, MemoryKeychain, StoreOptions};

    #[test]
    fn the_copy_is_encrypted_with_the_stores_key_and_holds_what_was_committed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = Arc::new(MemoryKeychain::default());
        let (mut store, _) = Store::create(
            &dir.path().join("data"),
            keychain.clone(),
            "admin",
            "correct horse battery",
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("creates");
        let id = store.create_case(&demo_cases()[0]).expect("creates a case");
        let scratch = dir.path().join("scratch");
        fs::create_dir(&scratch).expect("makes the scratch folder");
        let copy = store.copy_for_full_backup(&scratch).expect("copies");

        let bytes = fs::read(&copy.database).expect("reads the copy");
        assert_ne!(&bytes[..16], PLAIN_SQLITE_HEADER, "the copy is plain text");
        let name = demo_cases()[0].basic.name.expose().clone();
        assert!(
            !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "a name is readable in the copy"
        );
        // It opens with the store's key, and not without it.
        assert!(open_db(&copy.database, None, false).is_err());
        let conn = open_db(&copy.database, Some(&store.key), false).expect("opens with the key");
        let found: String = conn
            .query_row("SELECT id FROM cases", [], |r| r.get(0))
            .expect("one case");
        assert_eq!(found, id.to_string());
        assert!(
            copy.key_files
                .iter()
                .any(|(n, b)| *n == KEYSLOTS_FILE && !b.is_empty())
        );
        assert_eq!(copy.store_id, store.store_id());
        assert!(format!("{copy:?}").contains("StoreCopy"));
    }
}
