//! Writing a backup file so that a failed backup never leaves a partial
//! file under the final name: temp file beside it → fsync → rename →
//! folder fsync. An existing file of that name is replaced only by a
//! whole new backup.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use super::BackupError;

/// Writes `path` through `write`, which receives a new temporary file in
/// the same folder (readable by its owner only). Only when `write`
/// returns `Ok` is the file synced and renamed to `path`; on any error the
/// temporary file is removed and `path` is as it was.
pub(super) fn replace_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, BackupError>,
) -> Result<T, BackupError> {
    replace_file(path, write)
}

/// [`replace_atomically`] for a writer with its own kind of error.
pub(crate) fn replace_file<T, E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, E>,
) -> Result<T, E> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the file needs a name"))?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = folder.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        uuid::Uuid::new_v4()
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    let result = (|| {
        let value = write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        Ok(value)
    })();
    match result {
        Ok(value) => {
            // The rename is durable once the folder is synced; a failure
            // here leaves a whole backup under the right name.
            if let Ok(dir) = File::open(&folder) {
                let _ = dir.sync_all();
            }
            Ok(value)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}
