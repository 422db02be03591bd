//! The companion's inbox folder: partial bundles (a transfer cut part-way)
//! wait here, named by bundle id, until the tablet resumes them. The inbox
//! never grows without bound: at most [`MAX_PARTIAL_BUNDLES`] are kept (the
//! least recently written go first), none older than [`PARTIAL_MAX_AGE`],
//! and a bundle is taken only when the disk has room for the rest of it
//! beside [`DISK_RESERVE`]; older partial files make room first.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tsunagi_core::seal::BundleId;

/// Partial bundles kept in the inbox.
pub const MAX_PARTIAL_BUNDLES: usize = 8;
/// A partial bundle not written to for this long is removed when serving
/// starts.
pub const PARTIAL_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Disk space always left free beside a bundle being received, so that the
/// store, the documents and the system keep working: 512 MiB.
pub const DISK_RESERVE: u64 = 512 * 1024 * 1024;

/// The partial files in `inbox`, with when each was last written.
fn partials(inbox: &Path) -> Vec<(PathBuf, SystemTime)> {
    let Ok(entries) = fs::read_dir(inbox) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "part"))
        .filter_map(|p| {
            let written = fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((p, written))
        })
        .collect()
}

/// Removes partial bundles not written to for `max_age`.
pub fn sweep_inbox(inbox: &Path, max_age: Duration) {
    let now = SystemTime::now();
    for (path, written) in partials(inbox) {
        if now.duration_since(written).is_ok_and(|age| age > max_age) {
            let _ = fs::remove_file(path);
        }
    }
}

/// Makes room for `bundle`'s partial file: of the others, only the `max - 1`
/// most recently written stay.
pub fn keep_partials(inbox: &Path, bundle: BundleId, max: usize) {
    let own = format!("{bundle}.part");
    let mut others: Vec<_> = partials(inbox)
        .into_iter()
        .filter(|(p, _)| p.file_name().is_none_or(|n| n != own.as_str()))
        .collect();
    others.sort_by_key(|(_, written)| std::cmp::Reverse(*written));
    for (path, _) in others.into_iter().skip(max.saturating_sub(1)) {
        let _ = fs::remove_file(path);
    }
}

/// The disk has no room for a bundle, even with every other partial file
/// removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoRoom {
    /// Bytes the rest of the bundle needs.
    pub needed: u64,
    /// Bytes free on the disk, less [`DISK_RESERVE`].
    pub free: u64,
}

impl fmt::Display for NoRoom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b.div_ceil(1024 * 1024);
        write!(
            f,
            "事務所のパソコンの空き容量が足りません。あと {} MB 必要です。空きを作ってからもう一度ドックしてください (the office computer needs {} MB more free disk space for this sync; free some and dock again)",
            mib(self.needed.saturating_sub(self.free)),
            mib(self.needed.saturating_sub(self.free)),
        )
    }
}

impl std::error::Error for NoRoom {}

/// Makes room for the `needed` bytes still to come of `bundle`: while the
/// disk (as `free_space` measures it) has less than `needed` beyond
/// [`DISK_RESERVE`], the least recently written other partial file is
/// removed. Fails, removing nothing more, when even that is not enough.
pub fn make_room(
    inbox: &Path,
    bundle: BundleId,
    needed: u64,
    free_space: impl Fn() -> u64,
) -> Result<(), NoRoom> {
    let own = format!("{bundle}.part");
    let mut others: Vec<_> = partials(inbox)
        .into_iter()
        .filter(|(p, _)| p.file_name().is_none_or(|n| n != own.as_str()))
        .collect();
    others.sort_by_key(|(_, written)| *written);
    let mut others = others.into_iter();
    loop {
        let free = free_space().saturating_sub(DISK_RESERVE);
        if free >= needed {
            return Ok(());
        }
        match others.next() {
            Some((path, _)) => {
                let _ = fs::remove_file(path);
            }
            None => return Err(NoRoom { needed, free }),
        }
    }
}

/// Free bytes on the disk holding `inbox` (0 when it cannot be told).
pub fn free_space(inbox: &Path) -> u64 {
    fs4::available_space(inbox).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;

    fn partial(inbox: &Path, n: u8, age: Duration) -> BundleId {
        let id: BundleId = hex::encode([n; 32]).parse().expect("a bundle id");
        let path = inbox.join(format!("{id}.part"));
        fs::write(&path, [n; 16]).expect("writes");
        File::options()
            .write(true)
            .open(&path)
            .expect("opens")
            .set_modified(SystemTime::now() - age)
            .expect("dates");
        id
    }

    fn left(inbox: &Path) -> usize {
        fs::read_dir(inbox).expect("lists").count()
    }

    #[test]
    fn at_most_the_newest_partial_bundles_are_kept_beside_the_one_arriving() {
        let dir = tempfile::tempdir().expect("temp dir");
        for n in 0..12 {
            partial(dir.path(), n, Duration::from_secs(60 * u64::from(n)));
        }
        let arriving = partial(dir.path(), 99, Duration::from_secs(3600));
        keep_partials(dir.path(), arriving, 4);
        assert_eq!(left(dir.path()), 4, "the arriving one and the 3 newest");
        assert!(dir.path().join(format!("{arriving}.part")).exists());
        for n in 0..3 {
            let id: BundleId = hex::encode([n; 32]).parse().expect("a bundle id");
            assert!(dir.path().join(format!("{id}.part")).exists(), "{n}");
        }
    }

    #[test]
    fn partial_bundles_untouched_for_longer_than_the_limit_are_swept() {
        let dir = tempfile::tempdir().expect("temp dir");
        partial(dir.path(), 1, Duration::from_secs(60));
        partial(dir.path(), 2, PARTIAL_MAX_AGE + Duration::from_secs(60));
        fs::write(dir.path().join("notes.txt"), b"kept").expect("writes");
        sweep_inbox(dir.path(), PARTIAL_MAX_AGE);
        assert_eq!(left(dir.path()), 2, "the recent partial and the other file");
    }

    #[test]
    fn older_partial_files_make_room_and_a_bundle_without_room_is_refused_in_words() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = partial(dir.path(), 1, Duration::from_secs(600));
        let newer = partial(dir.path(), 2, Duration::from_secs(60));
        let arriving = partial(dir.path(), 3, Duration::from_secs(1));
        let path = |id: BundleId| dir.path().join(format!("{id}.part"));
        // The disk gains 1 GiB for every partial file removed.
        let free = || {
            let gone = [old, newer]
                .iter()
                .filter(|&&id| !path(id).exists())
                .count() as u64;
            DISK_RESERVE + (gone << 30)
        };
        make_room(dir.path(), arriving, 1 << 30, free).expect("one removal is enough");
        assert!(!path(old).exists(), "the least recently written went first");
        assert!(path(newer).exists() && path(arriving).exists());

        let err = make_room(dir.path(), arriving, 5 << 30, free).expect_err("no room");
        assert!(
            path(arriving).exists(),
            "the arriving bundle's own file stays"
        );
        assert_eq!(err.needed, 5 << 30);
        let words = err.to_string();
        assert!(words.contains("空き容量が足りません"), "{words}");
        assert!(words.contains("3072 MB"), "{words}");
    }
}
