//! Where the database comes from: the bundled copy, a folder, and the update
//! folder that lets a newer release replace the bundled one without
//! rebuilding the app.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::{Date, OffsetDateTime};

use super::files::{FileText, parse};
use super::release::{self, Publishers, SIGNATURE_FILE};
use super::{DISEASES_FILE, OCCUPATIONS_FILE, ReferenceDb, ReferenceError, ReferenceOrigin};

pub(super) const BUNDLED_DISEASES: &str = include_str!("../../../assets/reference/diseases.json");
pub(super) const BUNDLED_OCCUPATIONS: &str =
    include_str!("../../../assets/reference/occupations.json");

/// The update folder's name inside an app's data folder.
pub const UPDATE_FOLDER: &str = "reference";

/// No genuine reference file comes near this; anything larger is refused
/// before it is read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl ReferenceDb {
    /// The release compiled into this build (同梱版).
    ///
    /// Fails only if the bundled files are invalid, which the test suite
    /// rules out; callers may still show the error rather than panic.
    pub fn bundled() -> Result<ReferenceDb, ReferenceError> {
        parse(
            FileText {
                label: "built-in diseases.json",
                text: BUNDLED_DISEASES,
            },
            FileText {
                label: "built-in occupations.json",
                text: BUNDLED_OCCUPATIONS,
            },
            ReferenceOrigin::Bundled,
        )
    }

    /// Validates a release given as the texts of its two files, as a
    /// publisher's tool reads them; no signature is asked for.
    pub fn from_texts(diseases: &str, occupations: &str) -> Result<ReferenceDb, ReferenceError> {
        parse(
            FileText {
                label: DISEASES_FILE,
                text: diseases,
            },
            FileText {
                label: OCCUPATIONS_FILE,
                text: occupations,
            },
            ReferenceOrigin::Bundled,
        )
    }

    /// Reads and validates `diseases.json` and `occupations.json` from a
    /// folder, without asking for a signature. Blocking file I/O.
    #[cfg(test)]
    pub(crate) fn load_dir(dir: &Path) -> Result<ReferenceDb, ReferenceError> {
        let diseases_path = dir.join(DISEASES_FILE);
        let occupations_path = dir.join(OCCUPATIONS_FILE);
        let diseases = read_limited(&diseases_path)?;
        let occupations = read_limited(&occupations_path)?;
        parse_texts(
            &diseases_path,
            &diseases,
            &occupations_path,
            &occupations,
            ReferenceOrigin::Folder(dir.to_owned()),
        )
    }

    /// The database to use: the bundled release, replaced by the signed
    /// release in `update_dir` when that one is valid, signed by one of this
    /// build's publisher keys and newer ([`Trust::built_in`]).
    ///
    /// An update that is malformed, incomplete, unsigned, wrongly signed,
    /// implausible or not newer is ignored and the bundled release is
    /// returned with the reason in [`ReferenceDb::update_warning`], for the
    /// caller to show. A missing or empty update folder is not a problem
    /// and gives no warning; neither does an update of exactly the bundled
    /// version.
    ///
    /// Errors only when the bundled release itself is invalid. Blocking file
    /// I/O: call it off the UI thread.
    pub fn load(update_dir: Option<&Path>) -> Result<ReferenceDb, ReferenceError> {
        Self::load_with(update_dir, &Trust::built_in())
    }

    /// [`ReferenceDb::load`] from the update folder of a data folder
    /// ([`UPDATE_FOLDER`] inside it), where both apps install releases.
    pub fn load_installed(data_dir: &Path) -> Result<ReferenceDb, ReferenceError> {
        Self::load(Some(&data_dir.join(UPDATE_FOLDER)))
    }

    /// [`ReferenceDb::load`] trusting the given publisher keys on the given
    /// day.
    pub fn load_with(
        update_dir: Option<&Path>,
        trust: &Trust,
    ) -> Result<ReferenceDb, ReferenceError> {
        let mut bundled = Self::bundled()?;
        let Some(dir) = update_dir else {
            return Ok(bundled);
        };
        let outcome = match installed_files(dir) {
            Ok(false) => return Ok(bundled),
            Ok(true) => read_release(dir, dir, trust).map(|(db, _)| db),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(update) if update.version > bundled.version => Ok(update),
            Ok(update) if update.version == bundled.version => Ok(bundled),
            Ok(update) => {
                bundled.update_warning = Some(Arc::new(ReferenceError::NotNewer {
                    offered: update.version,
                    current: bundled.version.clone(),
                }));
                Ok(bundled)
            }
            Err(e) => {
                bundled.update_warning = Some(Arc::new(e));
                Ok(bundled)
            }
        }
    }

    /// Installs a newer signed release into `update_dir` (更新版の取り込み)
    /// and returns it, ready to use. Trusts this build's publisher keys;
    /// see [`ReferenceDb::install_update_with`].
    pub fn install_update(source: &Path, update_dir: &Path) -> Result<ReferenceDb, ReferenceError> {
        Self::install_update_with(source, update_dir, &Trust::built_in())
    }

    /// Installs a newer signed release into `update_dir`.
    ///
    /// `source` is a folder holding `diseases.json`, `occupations.json` and
    /// `release.sig`, or the path of one of them (its folder is used), as a
    /// file picker would give it. The files are read once, validated, their
    /// signature checked against `trust`, and refused unless newer than the
    /// release [`ReferenceDb::load_with`] would currently give; then exactly
    /// the checked bytes are written to temporary files, flushed to disk,
    /// and renamed over the old ones. If the process dies between the
    /// renames, the folder holds files the signature does not cover, which
    /// `load` refuses (falling back to the bundled release with a warning)
    /// until the install is repeated. On any error the previous update stays
    /// in place. Blocking file I/O: call it off the UI thread.
    pub fn install_update_with(
        source: &Path,
        update_dir: &Path,
        trust: &Trust,
    ) -> Result<ReferenceDb, ReferenceError> {
        let source_dir = match source.file_name().and_then(|n| n.to_str()) {
            Some(DISEASES_FILE | OCCUPATIONS_FILE | SIGNATURE_FILE) if source.is_file() => {
                source.parent().unwrap_or(Path::new("."))
            }
            _ => source,
        };
        let (mut candidate, texts) = read_release(source_dir, update_dir, trust)?;

        let current = Self::load_with(Some(update_dir), trust)?;
        if candidate.version <= current.version {
            return Err(ReferenceError::NotNewer {
                offered: candidate.version,
                current: current.version,
            });
        }

        write_atomically(
            update_dir,
            &[
                (SIGNATURE_FILE, &texts.signature),
                (OCCUPATIONS_FILE, &texts.occupations),
                (DISEASES_FILE, &texts.diseases),
            ],
        )
        .map_err(|source| ReferenceError::Install {
            dir: update_dir.to_owned(),
            source,
        })?;
        candidate.update_warning = None;
        Ok(candidate)
    }
}

/// The publisher keys to trust and the day to judge plausibility on.
#[derive(Clone, Debug)]
pub struct Trust {
    /// Whose signatures are accepted.
    pub publishers: Publishers,
    /// Today, in UTC.
    pub today: Date,
}

impl Trust {
    /// This build's publisher keys, today.
    pub fn built_in() -> Self {
        Self {
            publishers: Publishers::built_in(),
            today: OffsetDateTime::now_utc().date(),
        }
    }
}

/// The three texts of a release, exactly as checked.
struct ReleaseTexts {
    diseases: String,
    occupations: String,
    signature: String,
}

/// Reads, validates and checks the signature of the release in `dir`; the
/// database it gives says it came from `origin_dir`.
fn read_release(
    dir: &Path,
    origin_dir: &Path,
    trust: &Trust,
) -> Result<(ReferenceDb, ReleaseTexts), ReferenceError> {
    let diseases_path = dir.join(DISEASES_FILE);
    let occupations_path = dir.join(OCCUPATIONS_FILE);
    let signature_path = dir.join(SIGNATURE_FILE);
    let diseases = read_limited(&diseases_path)?;
    let occupations = read_limited(&occupations_path)?;
    let signature = match signature_path.try_exists() {
        Ok(true) => Some(read_limited(&signature_path)?),
        Ok(false) => None,
        Err(source) => {
            return Err(ReferenceError::Read {
                file: signature_path.display().to_string(),
                source,
            });
        }
    };
    let db = parse_texts(
        &diseases_path,
        &diseases,
        &occupations_path,
        &occupations,
        ReferenceOrigin::Folder(origin_dir.to_owned()),
    )?;
    release::verify(
        signature.as_deref(),
        &diseases,
        &occupations,
        &db,
        &trust.publishers,
        trust.today,
    )?;
    let texts = ReleaseTexts {
        diseases,
        occupations,
        signature: signature.unwrap_or_default(),
    };
    Ok((db, texts))
}

fn parse_texts(
    diseases_path: &Path,
    diseases: &str,
    occupations_path: &Path,
    occupations: &str,
    origin: ReferenceOrigin,
) -> Result<ReferenceDb, ReferenceError> {
    let d_label = diseases_path.display().to_string();
    let o_label = occupations_path.display().to_string();
    parse(
        FileText {
            label: &d_label,
            text: diseases,
        },
        FileText {
            label: &o_label,
            text: occupations,
        },
        origin,
    )
}

/// Whether an update is installed: `false` when neither file exists (or the
/// folder does not), an error when only one does.
fn installed_files(dir: &Path) -> Result<bool, ReferenceError> {
    let exists = |name: &str| {
        let path = dir.join(name);
        path.try_exists().map_err(|source| ReferenceError::Read {
            file: path.display().to_string(),
            source,
        })
    };
    match (exists(DISEASES_FILE)?, exists(OCCUPATIONS_FILE)?) {
        (false, false) => Ok(false),
        (true, true) => Ok(true),
        (false, true) => Err(ReferenceError::IncompleteUpdate {
            dir: dir.to_owned(),
            missing: DISEASES_FILE,
        }),
        (true, false) => Err(ReferenceError::IncompleteUpdate {
            dir: dir.to_owned(),
            missing: OCCUPATIONS_FILE,
        }),
    }
}

/// Reads a UTF-8 text file, refusing anything over [`MAX_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<String, ReferenceError> {
    let file_label = || path.display().to_string();
    let read_err = |source| ReferenceError::Read {
        file: file_label(),
        source,
    };
    let file = fs::File::open(path).map_err(read_err)?;
    let size = file.metadata().map_err(read_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ReferenceError::TooLarge {
            file: file_label(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::new();
    // `take` guards against a file that grows while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReferenceError::TooLarge {
            file: file_label(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| ReferenceError::Malformed {
        file: file_label(),
        detail: "the file is not UTF-8 text".to_owned(),
    })
}

/// Writes every file to a temporary name in `dir`, flushes them, then
/// renames them into place in the given order. Temporary files are removed
/// on failure.
fn write_atomically(dir: &Path, files: &[(&str, &str)]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    remove_stale_temporaries(dir);
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for (name, contents) in files {
            let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()));
            written.push((tmp.clone(), dir.join(name)));
            let mut file = fs::File::create(&tmp)?;
            file.write_all(contents.as_bytes())?;
            file.sync_all()?;
        }
        for (tmp, target) in &written {
            fs::rename(tmp, target)?;
        }
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        for (tmp, _) in &written {
            let _ = fs::remove_file(tmp);
        }
    }
    result
}

/// Removes temporary files left by an install that was cut off. Best effort.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes the renames durable where the platform allows syncing a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
