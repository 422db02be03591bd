//! Making a full backup of the companion's store: the copy of the store
//! (`store::full_copy`), a first pass that hashes every file into the
//! manifest, and a second that streams them into the sealed file.

use std::fs::{self, File};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{ArchiveWriter, EntryWire, FullHeader, ManifestWire};
use super::{FullBackupInfo, FullSummary};
use crate::backup::BackupError;
use crate::backup::file::replace_atomically;
use crate::backup::sealing::{SealTo, seal};
use crate::reference::UPDATE_FOLDER;
use crate::store::full_copy::StoreCopy;
use crate::store::{DB_FILE, MEDIA_DIR, Role, Store, StoreError};

/// How many times a backup starts again when a file changed under it (a
/// photo deleted while it ran) before it gives up.
const ATTEMPTS: usize = 3;

/// Where a file's bytes come from.
enum Source {
    /// Read whole already (the keyslot files and `store.id`).
    Bytes(Vec<u8>),
    /// A file, opened again for each pass.
    File(PathBuf),
}

impl Source {
    /// Opens it: [`BackupError::StoreChanged`] when the file is gone or is
    /// no longer a plain file (deleted since the copy was taken).
    fn open(&self) -> Result<Box<dyn Read + '_>, BackupError> {
        match self {
            Self::Bytes(bytes) => Ok(Box::new(Cursor::new(bytes.as_slice()))),
            Self::File(path) => {
                let meta = match fs::symlink_metadata(path) {
                    Ok(meta) => meta,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(BackupError::StoreChanged);
                    }
                    Err(e) => return Err(e.into()),
                };
                if !meta.is_file() {
                    return Err(BackupError::StoreChanged);
                }
                match File::open(path) {
                    Ok(file) => Ok(Box::new(file)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        Err(BackupError::StoreChanged)
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
}

/// Every file of the backup with where its bytes come from, and the
/// manifest made by hashing them once.
struct Plan {
    sources: Vec<Source>,
    manifest: ManifestWire,
    media: usize,
}

impl Plan {
    /// The files of `copy` and of the reference update folder in `data`,
    /// each read once to hash it.
    fn of(copy: &StoreCopy, data: &Path) -> Result<Self, BackupError> {
        let mut named: Vec<(String, Source)> = Vec::new();
        for (name, bytes) in &copy.key_files {
            named.push(((*name).to_owned(), Source::Bytes(bytes.clone())));
        }
        named.push((DB_FILE.to_owned(), Source::File(copy.database.clone())));
        for name in plain_files(&data.join(UPDATE_FOLDER))? {
            let path = data.join(UPDATE_FOLDER).join(&name);
            named.push((format!("{UPDATE_FOLDER}/{name}"), Source::File(path)));
        }
        for name in &copy.media {
            if name.contains(['/', '\\']) || name.starts_with('.') {
                return Err(StoreError::Damaged.into());
            }
            named.push((
                format!("{MEDIA_DIR}/{name}"),
                Source::File(copy.media_dir.join(name)),
            ));
        }
        let mut manifest = ManifestWire::default();
        let mut sources = Vec::with_capacity(named.len());
        for (path, source) in named {
            let (len, sha256) = hash(&mut source.open()?)?;
            manifest.bytes = manifest
                .bytes
                .checked_add(len)
                .ok_or_else(|| std::io::Error::other("the store is too large"))?;
            manifest.files.push(EntryWire { path, len, sha256 });
            sources.push(source);
        }
        Ok(Self {
            sources,
            manifest,
            media: copy.media.len(),
        })
    }
}

/// The names of the regular files directly in `dir` (none when it does not
/// exist), sorted; links, folders, temporary and hidden files are left out.
fn plain_files(dir: &Path) -> Result<Vec<String>, BackupError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        if let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
            && !name.ends_with(".tmp")
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The length and SHA-256 (hex) of what `source` gives.
fn hash(source: &mut dyn Read) -> Result<(u64, String), BackupError> {
    let mut hasher = Sha256::new();
    let len = std::io::copy(source, &mut hasher)?;
    Ok((len, hex::encode(hasher.finalize())))
}

/// A private folder beside the backup for the copy of the database,
/// removed on drop (with whatever a killed run of the same backup left).
struct Scratch(PathBuf);

impl Scratch {
    fn beside(out: &Path) -> Result<Self, BackupError> {
        let name = out
            .file_name()
            .ok_or_else(|| std::io::Error::other("the backup needs a file name"))?
            .to_string_lossy()
            .into_owned();
        let folder = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let prefix = format!(".{name}.");
        if let Ok(entries) = fs::read_dir(&folder) {
            for entry in entries.flatten() {
                let left = entry.file_name().to_string_lossy().into_owned();
                if left.starts_with(&prefix)
                    && left.ends_with(".snapshot")
                    && entry.file_type().is_ok_and(|t| t.is_dir())
                {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let path = folder.join(format!("{prefix}{}.snapshot", uuid::Uuid::new_v4()));
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path)?;
        Ok(Self(path))
    }

    /// Empties it for another attempt.
    fn clear(&self) -> Result<(), BackupError> {
        for entry in fs::read_dir(&self.0)? {
            let path = entry?.path();
            fs::remove_file(path)?;
        }
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes a full backup (全体バックアップ) of `store` to `out`, sealed as
/// `to` says; `made_by` names the program. Administrators only.
///
/// It holds the database copied at one moment (encrypted with the store's
/// own key), the keyslot files and `store.id`, every photo and video file
/// the copy names, the installed reference update, and the device key
/// (see the module docs for what that means). Other handles may keep
/// writing meanwhile; if a file changes under it (a photo deleted), it
/// starts again, up to three times ([`BackupError::StoreChanged`]).
///
/// The file appears under `out` only whole; on any error `out` is as it
/// was. Needs free space beside `out` for a second copy of the database
/// (removed afterwards). Blocking I/O and, for a passphrase, about a
/// second of scrypt, on the calling thread.
pub fn write_full_backup(
    store: &mut Store,
    to: &SealTo,
    made_by: &str,
    out: &Path,
) -> Result<FullSummary, BackupError> {
    let account = store.account().clone();
    if account.role != Role::Administrator {
        return Err(StoreError::NotPermitted {
            role: account.role.label_ja(),
            action: "make a full backup of the store",
        }
        .into());
    }
    if let SealTo::Key(recipient) = to
        && store.device_identity()?.keys.recipient().to_string() == recipient.to_string()
    {
        return Err(BackupError::OwnKey);
    }
    let scratch = Scratch::beside(out)?;
    let mut attempt = 1;
    loop {
        match write_once(store, to, made_by, &account.name, out, &scratch.0) {
            Err(BackupError::StoreChanged) if attempt < ATTEMPTS => {
                scratch.clear()?;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn write_once(
    store: &mut Store,
    to: &SealTo,
    made_by: &str,
    account: &str,
    out: &Path,
    scratch: &Path,
) -> Result<FullSummary, BackupError> {
    let copy = store.copy_for_full_backup(scratch)?;
    let plan = Plan::of(&copy, store.dir())?;
    let header = FullHeader::new(
        &copy.store_id,
        made_by,
        account,
        copy.schema_version,
        &copy.device_secret,
    );
    replace_atomically(out, |file| {
        let mut archive = ArchiveWriter::new(seal(file, to)?, &header, &plan.manifest)?;
        for source in &plan.sources {
            archive.entry(&mut source.open()?)?;
        }
        archive.finish()?.finish()?;
        Ok(())
    })?;
    Ok(FullSummary {
        info: FullBackupInfo::of(&header),
        files: plan.manifest.files.len(),
        bytes: plan.manifest.bytes,
        media: plan.media,
    })
}
