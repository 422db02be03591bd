//! The companion's inbox folder: partial bundles (a transfer cut part-way)
//! wait here until the tablet resumes them, each tablet's in a folder of
//! its own (named by its certificate's fingerprint). The inbox never grows
//! without bound, and no tablet can push another's partial files out:
//!
//! - a tablet keeps at most [`MAX_PARTIALS_PER_PEER`] partial bundles, and
//!   at most [`MAX_PEER_BYTES`] of them, its least recently written going
//!   first;
//! - none is kept after [`PARTIAL_MAX_AGE`] without a write;
//! - a bundle is taken only when the disk has room for the rest of it
//!   beside [`DISK_RESERVE`]: the same tablet's older partial files make
//!   room first, another tablet's only once idle for [`OTHERS_IDLE`].

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tsunagi_core::link::Fingerprint;
use tsunagi_core::link::transfer::MAX_BUNDLE;
use tsunagi_core::seal::BundleId;

/// Partial bundles one tablet keeps in the inbox (the one arriving
/// included): it sends one bundle at a time, so one is left from a cut link.
pub const MAX_PARTIALS_PER_PEER: usize = 2;
/// The bytes of one tablet's partial bundles, the one arriving included at
/// its full size: one bundle of the largest size the link takes.
pub const MAX_PEER_BYTES: u64 = MAX_BUNDLE;
/// A partial bundle not written to for this long is removed when serving
/// starts.
pub const PARTIAL_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Another tablet's partial bundle is removed to make room only when it has
/// not been written to for this long (its transfer is not running).
pub const OTHERS_IDLE: Duration = Duration::from_secs(60 * 60);
/// Disk space always left free beside a bundle being received, so that the
/// store, the documents and the system keep working: 512 MiB.
pub const DISK_RESERVE: u64 = 512 * 1024 * 1024;

/// The folder of `peer`'s partial bundles in the inbox `root`.
pub fn peer_dir(root: &Path, peer: &Fingerprint) -> PathBuf {
    root.join(peer.to_hex())
}

/// The partial file of `bundle` in a tablet's folder.
pub fn partial_file(peer_dir: &Path, bundle: BundleId) -> PathBuf {
    peer_dir.join(format!("{bundle}.part"))
}

/// A partial file: where it is, when it was last written, its length.
struct Partial {
    path: PathBuf,
    written: SystemTime,
    len: u64,
}

/// The partial files directly in `dir`.
fn partials(dir: &Path) -> Vec<Partial> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "part"))
        .filter_map(|path| {
            let meta = fs::metadata(&path).ok()?;
            Some(Partial {
                written: meta.modified().ok()?,
                len: meta.len(),
                path,
            })
        })
        .collect()
}

/// Every tablet's folder in the inbox `root`.
fn peer_dirs(root: &Path) -> Vec<PathBuf> {
    fs::read_dir(root)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

/// Removes partial bundles not written to for `max_age`, and tablets'
/// folders left empty. Partial files directly in `root` (where versions
/// before per-tablet folders kept them) are removed: no tablet can resume
/// them any more.
pub fn sweep_inbox(root: &Path, max_age: Duration) {
    let now = SystemTime::now();
    for p in partials(root) {
        let _ = fs::remove_file(p.path);
    }
    for dir in peer_dirs(root) {
        for p in partials(&dir) {
            if now.duration_since(p.written).is_ok_and(|age| age > max_age) {
                let _ = fs::remove_file(p.path);
            }
        }
        // Fails, harmlessly, unless the folder is empty.
        let _ = fs::remove_dir(&dir);
    }
}

/// The disk has no room for a bundle, even with every partial file that
/// may go removed.
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

/// Makes room for `bundle` of `size` bytes, `held` of which are already in
/// its partial file in `peer_dir` (inside the inbox `root`):
///
/// 1. the tablet's other partial files beyond [`MAX_PARTIALS_PER_PEER`] go,
///    least recently written first, and so do more of them while they and
///    this bundle together exceed [`MAX_PEER_BYTES`];
/// 2. while the disk (as `free_space` measures it) has less than the rest
///    of the bundle beyond [`DISK_RESERVE`], the tablet's other partial
///    files go, then other tablets' idle ones (see [`OTHERS_IDLE`]).
///
/// Fails, removing nothing more, when even that is not enough.
pub fn admit(
    root: &Path,
    peer_dir: &Path,
    bundle: BundleId,
    size: u64,
    free_space: impl Fn() -> u64,
) -> Result<(), NoRoom> {
    let own = partial_file(peer_dir, bundle);
    let held = fs::metadata(&own).map_or(0, |m| m.len());
    let mut mine: Vec<Partial> = partials(peer_dir)
        .into_iter()
        .filter(|p| p.path != own)
        .collect();
    // Newest first: the oldest are popped off the end.
    mine.sort_by_key(|p| std::cmp::Reverse(p.written));
    let mut bytes: u64 = mine.iter().map(|p| p.len).sum();
    while mine.len() >= MAX_PARTIALS_PER_PEER || (!mine.is_empty() && bytes + size > MAX_PEER_BYTES)
    {
        if let Some(p) = mine.pop() {
            bytes -= p.len;
            let _ = fs::remove_file(p.path);
        }
    }

    let needed = size.saturating_sub(held);
    let now = SystemTime::now();
    let mut others: Vec<Partial> = peer_dirs(root)
        .into_iter()
        .filter(|d| d != peer_dir)
        .flat_map(|d| partials(&d))
        .filter(|p| {
            now.duration_since(p.written)
                .is_ok_and(|idle| idle > OTHERS_IDLE)
        })
        .collect();
    others.sort_by_key(|p| p.written);
    let mut removable = mine.into_iter().rev().chain(others);
    loop {
        let free = free_space().saturating_sub(DISK_RESERVE);
        if free >= needed {
            return Ok(());
        }
        match removable.next() {
            Some(p) => {
                let _ = fs::remove_file(p.path);
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

    fn peer(n: u8) -> Fingerprint {
        Fingerprint([n; 32])
    }

    /// Writes a partial file of `len` bytes (sparse) for bundle `n` of
    /// `peer`, last written `age` ago.
    fn partial(root: &Path, peer: u8, n: u8, len: u64, age: Duration) -> BundleId {
        let id: BundleId = hex::encode([n; 32]).parse().expect("a bundle id");
        let dir = peer_dir(root, &self::peer(peer));
        fs::create_dir_all(&dir).expect("mkdir");
        let f = File::create(partial_file(&dir, id)).expect("creates");
        f.set_len(len).expect("sizes");
        f.set_modified(SystemTime::now() - age).expect("dates");
        id
    }

    fn exists(root: &Path, peer: u8, id: BundleId) -> bool {
        partial_file(&peer_dir(root, &self::peer(peer)), id).exists()
    }

    fn count(root: &Path, peer: u8) -> usize {
        partials(&peer_dir(root, &self::peer(peer))).len()
    }

    const PLENTY: fn() -> u64 = || u64::MAX;

    #[test]
    fn a_greedy_tablet_keeps_only_its_newest_partial_and_never_pushes_out_another_tablets() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let honest = partial(root, 1, 1, 4096, Duration::from_secs(3600 * 24));
        // The greedy tablet offers twelve bundles one after another and
        // leaves each part-way.
        for n in 10..22 {
            let id = partial(root, 2, n, 4096, Duration::ZERO);
            admit(root, &peer_dir(root, &peer(2)), id, 1 << 20, PLENTY).expect("admitted");
        }
        assert_eq!(count(root, 2), MAX_PARTIALS_PER_PEER);
        assert!(exists(root, 1, honest), "another tablet's partial stays");
    }

    #[test]
    fn a_tablets_partial_bytes_stay_within_one_bundle_of_the_largest_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let big = partial(root, 1, 1, MAX_PEER_BYTES / 2, Duration::from_secs(60));
        let arriving = partial(root, 1, 2, 0, Duration::ZERO);
        let mine = peer_dir(root, &peer(1));
        admit(root, &mine, arriving, MAX_PEER_BYTES / 2, PLENTY).expect("admitted");
        assert!(exists(root, 1, big), "both fit within the limit");
        admit(root, &mine, arriving, MAX_PEER_BYTES / 2 + 1, PLENTY).expect("admitted");
        assert!(!exists(root, 1, big), "the older partial made way");
        assert!(exists(root, 1, arriving));
    }

    #[test]
    fn old_partials_left_over_files_and_empty_folders_are_swept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let recent = partial(root, 1, 1, 16, Duration::from_secs(60));
        let stale = partial(root, 1, 2, 16, PARTIAL_MAX_AGE + Duration::from_secs(60));
        partial(root, 2, 3, 16, PARTIAL_MAX_AGE + Duration::from_secs(60));
        // A partial file from before tablets had folders of their own.
        fs::write(root.join(format!("{recent}.part")), b"old layout").expect("writes");
        fs::write(root.join("notes.txt"), b"kept").expect("writes");
        sweep_inbox(root, PARTIAL_MAX_AGE);
        assert!(exists(root, 1, recent));
        assert!(!exists(root, 1, stale));
        assert!(
            !peer_dir(root, &peer(2)).exists(),
            "the emptied folder went"
        );
        assert!(!root.join(format!("{recent}.part")).exists());
        assert!(root.join("notes.txt").exists());
    }

    #[test]
    fn room_comes_from_the_same_tablet_then_idle_others_and_a_bundle_without_room_is_refused_in_words()
     {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let busy_other = partial(root, 2, 1, 16, Duration::from_secs(60));
        let idle_other = partial(root, 3, 2, 16, OTHERS_IDLE + Duration::from_secs(60));
        let own_old = partial(root, 1, 3, 16, Duration::from_secs(600));
        let arriving = partial(root, 1, 4, 0, Duration::ZERO);
        let mine = peer_dir(root, &peer(1));
        let gone = || {
            [(1, own_old), (3, idle_other), (2, busy_other)]
                .iter()
                .filter(|&&(p, id)| !exists(root, p, id))
                .count() as u64
        };
        // The disk gains 1 GiB for every partial file removed.
        let free = || DISK_RESERVE + (gone() << 30);
        admit(root, &mine, arriving, 1 << 30, free).expect("one removal is enough");
        assert!(
            !exists(root, 1, own_old),
            "the tablet's own older file went first"
        );
        assert!(exists(root, 3, idle_other) && exists(root, 2, busy_other));

        admit(root, &mine, arriving, 2 << 30, free).expect("an idle file makes room");
        assert!(!exists(root, 3, idle_other));

        let err = admit(root, &mine, arriving, 5 << 30, free).expect_err("no room");
        assert!(
            exists(root, 2, busy_other),
            "a running transfer's file stays"
        );
        assert!(
            exists(root, 1, arriving),
            "the arriving bundle's own file stays"
        );
        assert_eq!(err.needed, 5 << 30);
        let words = err.to_string();
        assert!(words.contains("空き容量が足りません"), "{words}");
        assert!(words.contains("3072 MB"), "{words}");
    }
}
