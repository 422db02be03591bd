//! Restoring a full backup into a new data folder: every file written into
//! a private temporary folder beside the target, checked, synced, and the
//! folder renamed into place only when whole.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

use super::archive::ArchiveReader;
use super::{FullBackupInfo, FullSummary};
use crate::backup::BackupError;
use crate::backup::sealing::{BackupFile, Unseal};
use crate::store::{Keychain, MEDIA_DIR, StoreError};

/// Space left free beyond the backup's own size when restoring.
const SPACE_MARGIN: u64 = 16 * 1024 * 1024;

/// What happened to the device key (端末鍵) a full backup carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKeyRestored {
    /// It was put into this machine's keychain: the accounts' passwords
    /// open the restored store.
    Saved,
    /// This machine's keychain held it already (the store was restored
    /// here before, or is still here in another folder).
    AlreadyThere,
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullRestoreSummary {
    /// What the backup held.
    pub backup: FullSummary,
    /// What happened to the device key.
    pub device_key: DeviceKeyRestored,
}

/// Refuses (before anything is asked or read) a target that is not a
/// folder that does not exist yet or an empty folder: a file, a link, a
/// folder holding anything.
pub fn check_restore_target(target: &Path) -> Result<(), BackupError> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
        Ok(meta) if meta.is_dir() && fs::read_dir(target)?.next().is_none() => Ok(()),
        Ok(_) => Err(BackupError::TargetNotEmpty(target.to_path_buf())),
    }
}

/// The folder holding `target` and `target`'s name in it.
fn parent_and_name(target: &Path) -> Result<(PathBuf, String), BackupError> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| BackupError::TargetNotEmpty(target.to_path_buf()))?
        .to_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// The temporary folder a restore writes into, removed on drop unless
/// kept (renamed into place).
struct Staging {
    path: PathBuf,
    folders: Vec<PathBuf>,
    kept: bool,
}

impl Staging {
    /// A new private folder `.NAME.restore-UUID` in `parent`, after
    /// removing any such folder a killed restore of the same target left.
    fn create(parent: &Path, name: &str) -> Result<Self, BackupError> {
        let prefix = format!(".{name}.restore-");
        for entry in fs::read_dir(parent)?.flatten() {
            let left = entry.file_name().to_string_lossy().into_owned();
            if left.starts_with(&prefix) && entry.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let path = parent.join(format!("{prefix}{}", uuid::Uuid::new_v4()));
        private_folder(&path)?;
        Ok(Self {
            folders: vec![path.clone()],
            path,
            kept: false,
        })
    }

    /// Creates the file at `path` (under the folder) and the folders above
    /// it, never opening anything that was there.
    fn new_file(&mut self, path: &Path) -> Result<File, BackupError> {
        let folder = path
            .parent()
            .ok_or_else(|| std::io::Error::other("a file without a folder"))?;
        let mut missing = Vec::new();
        let mut at = folder;
        while !at.exists() {
            missing.push(at.to_path_buf());
            at = at
                .parent()
                .ok_or_else(|| std::io::Error::other("a file outside the folder"))?;
        }
        for folder in missing.into_iter().rev() {
            private_folder(&folder)?;
            self.folders.push(folder);
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        Ok(options.open(path)?)
    }

    /// Syncs every folder made, deepest first, so that the files' names
    /// survive a power cut once renamed.
    fn sync_folders(&self) {
        for folder in self.folders.iter().rev() {
            sync_folder(folder);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// The folders above the target that a restore had to make, removed
/// again (when still empty) on drop unless kept: a refused restore leaves
/// no empty folder behind either.
struct MadeFolders(Vec<PathBuf>);

impl MadeFolders {
    fn create(parent: &Path) -> Result<Self, BackupError> {
        let mut missing = Vec::new();
        let mut at = Some(parent);
        while let Some(folder) = at.filter(|f| !f.as_os_str().is_empty() && !f.exists()) {
            missing.push(folder.to_path_buf());
            at = folder.parent();
        }
        fs::create_dir_all(parent)?;
        Ok(Self(missing))
    }

    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for MadeFolders {
    fn drop(&mut self) {
        // Deepest first; `remove_dir` leaves a folder that is not empty.
        for folder in &self.0 {
            let _ = fs::remove_dir(folder);
        }
    }
}

fn private_folder(path: &Path) -> Result<(), BackupError> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)?;
    Ok(())
}

/// Makes a folder's entries durable (where a folder can be opened).
fn sync_folder(path: &Path) {
    if let Ok(dir) = File::open(path) {
        let _ = dir.sync_all();
    }
}

/// Restores the full backup `file`, opened with `key`, into `target`, a
/// data folder that does not exist yet or is empty, and puts its device key
/// into `keychain` (the one the companion will open the store with).
///
/// Every path is checked before anything is written; every file is
/// written into a temporary folder beside `target`, its length and SHA-256
/// checked, synced; only when the whole backup has read to its end is the
/// folder renamed to `target`. On any error (a wrong passphrase or key, a
/// damaged, cut-short or hostile file, another kind of file, too little
/// space, a keychain that holds another device key for the store —
/// [`BackupError::DeviceKeyConflict`]) nothing is left: no `target`, no
/// temporary folder, no folder made above it, no device key. A restore
/// killed part-way leaves only the temporary folder, which the next
/// restore into the same target removes. Blocking I/O on the calling
/// thread.
pub fn restore_full_backup<R: Read>(
    file: BackupFile<R>,
    key: &Unseal,
    target: &Path,
    keychain: &dyn Keychain,
) -> Result<FullRestoreSummary, BackupError> {
    check_restore_target(target)?;
    let (parent, name) = parent_and_name(target)?;
    let mut archive = ArchiveReader::open(BufReader::new(file.decrypt(key)?))?;
    let store_id = archive.header().store_id.clone();
    if store_id.is_empty()
        || store_id.len() > 64
        || !store_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(BackupError::Damaged("the store id does not read"));
    }
    let secret = archive.header().device_key.secret()?;
    // A keychain holding another key for this store is refused before
    // anything is written: the passwords would not open what was restored.
    let held = keychain.load(&store_id).map_err(StoreError::from)?;
    if held
        .as_ref()
        .is_some_and(|held| held.as_bytes() != secret.as_bytes())
    {
        return Err(BackupError::DeviceKeyConflict);
    }
    let info = FullBackupInfo::of(archive.header());
    let manifest = archive.manifest().clone();

    let made = MadeFolders::create(&parent)?;
    let needed = manifest.bytes.saturating_add(SPACE_MARGIN);
    if fs4::available_space(&parent).is_ok_and(|free| free < needed) {
        return Err(BackupError::NoSpace(needed));
    }
    let mut staging = Staging::create(&parent, &name)?;
    for entry in &manifest.entries {
        let path = entry.path.under(&staging.path);
        let mut out = BufWriter::new(staging.new_file(&path)?);
        archive.copy_next(&mut out)?;
        let out = out.into_inner().map_err(|e| e.into_error())?;
        out.sync_all()?;
    }
    archive.finish()?;
    staging.sync_folders();

    // Someone may have put something there meanwhile.
    check_restore_target(target)?;
    let device_key = if held.is_some() {
        DeviceKeyRestored::AlreadyThere
    } else {
        keychain
            .save(&store_id, &secret)
            .map_err(StoreError::from)?;
        DeviceKeyRestored::Saved
    };
    #[cfg(not(unix))]
    if target.exists() {
        fs::remove_dir(target)?;
    }
    // On Unix, rename(2) replaces an empty folder in one step.
    fs::rename(&staging.path, target)?;
    staging.kept = true;
    made.keep();
    sync_folder(&parent);

    let media_prefix = format!("{MEDIA_DIR}/");
    Ok(FullRestoreSummary {
        backup: FullSummary {
            info,
            files: manifest.entries.len(),
            bytes: manifest.bytes,
            media: manifest
                .entries
                .iter()
                .filter(|e| e.path.as_str().starts_with(&media_prefix))
                .count(),
        },
        device_key,
    })
}
