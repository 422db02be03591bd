//! Backup and restore at office scale: an office store of 1,000 cases and
//! 1 GiB of photos and video; then, in each of three rounds, the full
//! backup of the office (make, verify, restore into a new folder), sealed
//! to an office `age1…` key and with a passphrase; the backup without
//! personal data with a passphrase (make, restore onto an empty store);
//! and a replaced tablet receiving every case from the office in process
//! (seal, import). The baseline, measured in every round, is a plain copy
//! of the office's data folder: each file copied with `std::fs::copy` and
//! synced, then its folder synced. A passphrase costs age's scrypt, timed
//! alone too. The office's keyslot uses the default Argon2id
//! (`KdfParams::DEFAULT`), timed in the restored copy's first unlock; the
//! empty store and the tablets use the fast test parameters, untimed.
//!
//! `cargo bench -p tsunagi-core --bench restore`
//! (`RESTORE_BENCH_MEDIA_MB=128` for a shorter run, `BENCH_DIR` for
//! another disk.)

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use age::secrecy::{ExposeSecret, SecretString};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use tsunagi_core::backup::{
    BackupFile, DeviceKeyRestored, SealTo, Unseal, Verified, restore_backup, restore_full_backup,
    verify_backup, write_backup, write_full_backup,
};
use tsunagi_core::link::Fingerprint;
use tsunagi_core::media::{VideoInfo, fixtures, video::placeholder_poster};
use tsunagi_core::model::{CaseId, demo_cases};
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::sync::{Imported, Peer, PeerKind};
use tsunagi_core::store::{
    CaseQuery, KdfParams, MediaDetails, MemoryKeychain, Store, StoreOptions,
};

const CASES: usize = 1000;
const ROUNDS: usize = 3;
const MIB: u64 = 1024 * 1024;
const VIDEO_BYTES: u64 = 10 * MIB;
/// One photo for every this many cases, within a tenth of the media.
const CASES_PER_PHOTO: usize = 5;
const ADMIN: &str = "admin";
const PASSWORD: &str = "benchmark password";
const PASSPHRASE: &str = "office backup passphrase, benchmark only";
const PROGRAM: &str = "tsunagi-companion";
const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

/// One measured operation: its time in each round, and its file's size.
struct Measure {
    name: &'static str,
    runs: Vec<Duration>,
    size: Option<u64>,
}

impl Measure {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            runs: Vec::new(),
            size: None,
        }
    }

    fn median(&self) -> Duration {
        let mut runs = self.runs.clone();
        runs.sort();
        runs[runs.len() / 2]
    }
}

fn timed<T>(m: &mut Measure, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    m.runs.push(start.elapsed());
    out
}

fn new_store(dir: &Path, kdf: KdfParams) -> Store {
    Store::create(
        dir,
        Arc::new(MemoryKeychain::default()),
        ADMIN,
        PASSWORD,
        StoreOptions { kdf },
    )
    .expect("creates")
    .0
}

/// A 1600×1200 picture with some texture, as a camera JPEG (the store
/// shrinks nothing at this size, only re-encodes it without metadata).
fn camera_jpeg() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let img = RgbImage::from_fn(1600, 1200, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed & 0x1f) as u8;
        Rgb([
            ((x / 7) as u8).wrapping_add(noise),
            ((y / 5) as u8).wrapping_add(noise),
            (((x + y) / 11) as u8).wrapping_add(noise),
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encodes");
    out
}

/// A video of `bytes` bytes of media data behind an MP4 header, streamed.
fn video(bytes: u64) -> impl Read {
    let mut header = fixtures::minimal_mp4(60_000, 0);
    header.truncate(header.len() - 8);
    header.extend_from_slice(&u32::try_from(8 + bytes).expect("fits").to_be_bytes());
    header.extend_from_slice(b"mdat");
    std::io::Cursor::new(header).chain(std::io::repeat(0x5a).take(bytes))
}

fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| {
            let e = e.expect("entry");
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() {
                folder_size(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// The office: `CASES` cases varied from the demo cases, photos of one
/// case in `CASES_PER_PHOTO` (at most a tenth of `media`), and videos of
/// `VIDEO_BYTES` spread over the cases for the rest of `media` bytes.
fn build_office(dir: &Path, media: u64) -> (Store, Vec<CaseId>) {
    let start = Instant::now();
    let mut office = new_store(dir, KdfParams::DEFAULT);
    let demos = demo_cases();
    let ids: Vec<CaseId> = (0..CASES)
        .map(|i| {
            let mut case = demos[i % demos.len()].clone();
            case.basic.name = format!("{} {i}", case.basic.name.expose()).into();
            office.create_case(&case).expect("creates")
        })
        .collect();
    let jpeg = camera_jpeg();
    let mut photos = 0;
    while photos * CASES_PER_PHOTO < CASES && folder_size(&office.media_dir()) < media / 10 {
        let case = ids[photos * CASES_PER_PHOTO];
        office
            .import_photo(case, &jpeg, &MediaDetails::default())
            .expect("imports the photo");
        photos += 1;
    }
    let mut left = media.saturating_sub(folder_size(&office.media_dir()));
    let count = left.div_ceil(VIDEO_BYTES) as usize;
    let poster = placeholder_poster();
    let info = VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: 60_000,
    };
    for k in 0..count {
        let bytes = left.min(VIDEO_BYTES);
        left -= bytes;
        office
            .add_video(
                ids[k * CASES / count],
                &mut video(bytes),
                &poster,
                &info,
                &MediaDetails::default(),
            )
            .expect("stores the video");
    }
    println!(
        "office: {CASES} cases, {photos} photos, {count} videos; database + keyslots {} bytes, media {} bytes; built in {:.1} s",
        folder_size(dir) - folder_size(&office.media_dir()),
        folder_size(&office.media_dir()),
        start.elapsed().as_secs_f64()
    );
    (office, ids)
}

fn sync_folder(dir: &Path) {
    File::open(dir).and_then(|f| f.sync_all()).expect("syncs");
}

/// The baseline: every file of `from` copied into `to` and synced, each
/// folder synced once its files are; returns the bytes copied.
fn plain_copy(from: &Path, to: &Path) -> u64 {
    fs::create_dir_all(to).expect("creates");
    let mut total = 0;
    for entry in fs::read_dir(from).expect("reads") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            total += plain_copy(&entry.path(), &target);
        } else {
            total += fs::copy(entry.path(), &target).expect("copies");
            File::open(&target)
                .and_then(|f| f.sync_all())
                .expect("syncs");
        }
    }
    sync_folder(to);
    total
}

fn peer_of(store: &mut Store, kind: PeerKind) -> Peer {
    let id = store.device_identity().expect("identity");
    Peer {
        fingerprint: id.tls.fingerprint(),
        kind,
        signer: id.keys.signer(),
        recipient: id.keys.recipient(),
        address: Some("127.0.0.1:1".into()),
        paired_at: Timestamp::now(),
    }
}

/// age's scrypt alone: sealing and opening an empty file with the
/// passphrase, the fixed cost in every passphrase backup and restore.
fn scrypt_alone(seal: &mut Measure, open: &mut Measure) {
    let passphrase = || SecretString::from(PASSPHRASE.to_owned());
    let sealed = timed(seal, || {
        let mut out = Vec::new();
        let writer = age::Encryptor::with_user_passphrase(passphrase())
            .wrap_output(&mut out)
            .expect("seals");
        writer.finish().expect("finishes");
        out
    });
    timed(open, || {
        let identity = age::scrypt::Identity::new(passphrase());
        let mut reader = age::Decryptor::new(&sealed[..])
            .expect("reads the header")
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .expect("opens");
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).expect("reads");
    });
}

#[derive(Default)]
struct Tablets {
    previous: Option<Fingerprint>,
}

impl Tablets {
    /// A new tablet paired with the office, every case handed to it (the
    /// first by hand, one by one; later ones by revoking the previous
    /// tablet, as the office does for a replaced one); times sealing and
    /// importing.
    fn receive(
        &mut self,
        office: &mut Store,
        ids: &[CaseId],
        dir: &Path,
        seal: &mut Measure,
        import: &mut Measure,
    ) {
        let mut tablet = new_store(dir, KdfParams::INSECURE_FOR_TESTS);
        let tablet_peer = peer_of(&mut tablet, PeerKind::Tablet);
        let office_peer = peer_of(office, PeerKind::Companion);
        office.add_peer(&tablet_peer).expect("pairs");
        tablet.add_peer(&office_peer).expect("pairs");
        match self.previous.replace(tablet_peer.fingerprint) {
            None => {
                for id in ids {
                    office
                        .hand_over_case(*id, tablet_peer.fingerprint)
                        .expect("hands over");
                }
            }
            Some(old) => {
                let revoked = office
                    .revoke_tablet(&old, Some(&tablet_peer.fingerprint))
                    .expect("revokes");
                assert_eq!(revoked.handed_over, ids.len());
            }
        }
        let bundle = timed(seal, || office.seal_handed_over_for(&tablet_peer))
            .expect("seals")
            .expect("cases to send");
        seal.size = Some(fs::metadata(&bundle.file).expect("metadata").len());
        let file = File::open(&bundle.file).expect("opens");
        let imported = timed(import, || tablet.import_from_office(file)).expect("imports");
        assert_eq!(imported, Imported::Now(ids.len()));
        office.forget_bundle(bundle.outgoing.id).expect("forgets");
        drop(tablet);
        fs::remove_dir_all(dir).expect("removes");
    }
}

/// A new office key (`age-keygen`): what to seal to, and its identity file.
fn office_key() -> (SealTo, Unseal) {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string().parse().expect("age1…");
    let file = identity.to_string();
    let key = Unseal::identity_file(file.expose_secret()).expect("an identity");
    (SealTo::Key(recipient), key)
}

/// The full backup's three timings for one way of sealing.
struct FullRows {
    make: Measure,
    verify: Measure,
    restore: Measure,
    media_files: usize,
}

impl FullRows {
    fn new(make: &'static str, verify: &'static str, restore: &'static str, media: usize) -> Self {
        Self {
            make: Measure::new(make),
            verify: Measure::new(verify),
            restore: Measure::new(restore),
            media_files: media,
        }
    }

    /// Makes a full backup of `office` beside its folder, verifies it,
    /// restores it into a new folder with a new keychain (a new computer),
    /// and, with `unlock`, times the first unlock of the restored copy.
    fn round(
        &mut self,
        office: &mut Store,
        (to, key): &(SealTo, Unseal),
        office_dir: &Path,
        round: usize,
        unlock: Option<&mut Measure>,
    ) {
        let out = office_dir.with_file_name("office-full.age");
        let made = timed(&mut self.make, || {
            write_full_backup(office, to, PROGRAM, &out)
        })
        .expect("makes the full backup");
        assert_eq!(made.media, self.media_files);
        self.make.size = Some(fs::metadata(&out).expect("metadata").len());
        let verified = timed(&mut self.verify, || {
            verify_backup(BackupFile::open(File::open(&out)?)?, key)
        })
        .expect("verifies");
        assert!(matches!(verified, Verified::Full(s) if s.media == self.media_files));
        let target = office_dir.with_file_name(format!("restored-{round}"));
        let keychain = Arc::new(MemoryKeychain::default());
        let restored = timed(&mut self.restore, || {
            restore_full_backup(
                BackupFile::open(File::open(&out)?)?,
                key,
                &target,
                keychain.as_ref(),
            )
        })
        .expect("restores");
        assert_eq!(restored.device_key, DeviceKeyRestored::Saved);
        if let Some(unlock) = unlock {
            let mut reopened = timed(unlock, || {
                Store::unlock(&target, keychain.clone(), ADMIN, PASSWORD)
            })
            .expect("the restored copy opens with the same password");
            let listed = reopened.list_cases(&CaseQuery::default()).expect("lists");
            assert_eq!(listed.len(), CASES);
        }
        fs::remove_dir_all(&target).expect("removes");
        fs::remove_file(&out).expect("removes");
    }
}

fn media_budget() -> u64 {
    std::env::var("RESTORE_BENCH_MEDIA_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
        * MIB
}

fn main() {
    let root = tempfile::tempdir_in(
        std::env::var_os("BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir),
    )
    .expect("temp dir");
    let at = |name: String| root.path().join(name);
    let office_dir = root.path().join("office");
    let (mut office, ids) = build_office(&office_dir, media_budget());
    let media_files = fs::read_dir(office.media_dir()).expect("reads").count();

    let mut copy = Measure::new("plain copy of the data folder (baseline)");
    let mut key_full = FullRows::new(
        "full backup to an age1 key: make",
        "full backup to an age1 key: verify",
        "full backup to an age1 key: restore-full, new folder",
        media_files,
    );
    let mut pass_full = FullRows::new(
        "full backup, passphrase: make",
        "full backup, passphrase: verify",
        "full backup, passphrase: restore-full, new folder",
        media_files,
    );
    let mut first_unlock = Measure::new("restored copy: first unlock (Argon2id default)");
    let mut wpd_make = Measure::new("without personal data: make (no media)");
    let mut wpd_restore = Measure::new("without personal data: restore onto an empty store");
    let mut seal = Measure::new("replaced tablet: office seals every case");
    let mut import = Measure::new("replaced tablet: tablet imports the bundle");
    let mut scrypt_seal = Measure::new("age scrypt alone: seal an empty file");
    let mut scrypt_open = Measure::new("age scrypt alone: open it");
    let office_key = office_key();
    let passphrase = (
        SealTo::passphrase(PASSPHRASE.to_owned()).expect("long enough"),
        Unseal::passphrase(PASSPHRASE.to_owned()),
    );
    let (to, key) = (&passphrase.0, &passphrase.1);
    let mut tablets = Tablets::default();

    for round in 0..ROUNDS {
        let copied = at(format!("copy-{round}"));
        let bytes = timed(&mut copy, || plain_copy(&office_dir, &copied));
        copy.size = Some(bytes);
        fs::remove_dir_all(&copied).expect("removes");

        key_full.round(
            &mut office,
            &office_key,
            &office_dir,
            round,
            Some(&mut first_unlock),
        );
        pass_full.round(&mut office, &passphrase, &office_dir, round, None);

        let out = at("office-without-personal-data.age".into());
        let made = timed(&mut wpd_make, || {
            write_backup(&mut office, to, PROGRAM, &out)
        })
        .expect("makes the backup");
        assert_eq!(made.cases, CASES);
        wpd_make.size = Some(fs::metadata(&out).expect("metadata").len());
        let empty_dir = at(format!("empty-{round}"));
        let mut empty = new_store(&empty_dir, FAST.kdf);
        let restored = timed(&mut wpd_restore, || {
            restore_backup(
                &mut empty,
                BackupFile::open(File::open(&out)?)?.unseal(key)?,
            )
        })
        .expect("restores");
        assert_eq!(restored.cases, CASES);
        drop(empty);
        fs::remove_dir_all(&empty_dir).expect("removes");
        fs::remove_file(&out).expect("removes");

        let tablet_dir = at(format!("tablet-{round}"));
        tablets.receive(&mut office, &ids, &tablet_dir, &mut seal, &mut import);
        scrypt_alone(&mut scrypt_seal, &mut scrypt_open);
        println!("round {} of {ROUNDS} done", round + 1);
    }

    let base = copy.median();
    println!();
    println!(
        "{:<54} {:>8} {:>8} {:>8} {:>8} {:>7} {:>15}",
        "measure (seconds)", "run 1", "run 2", "run 3", "median", "× copy", "size (bytes)"
    );
    for m in [
        &copy,
        &key_full.make,
        &key_full.verify,
        &key_full.restore,
        &first_unlock,
        &pass_full.make,
        &pass_full.verify,
        &pass_full.restore,
        &wpd_make,
        &wpd_restore,
        &seal,
        &import,
        &scrypt_seal,
        &scrypt_open,
    ] {
        let runs: Vec<String> = m
            .runs
            .iter()
            .map(|d| format!("{:>8.3}", d.as_secs_f64()))
            .collect();
        println!(
            "{:<54} {} {:>8.3} {:>6.2}× {:>15}",
            m.name,
            runs.join(" "),
            m.median().as_secs_f64(),
            m.median().as_secs_f64() / base.as_secs_f64(),
            m.size.map(|s| s.to_string()).unwrap_or_default()
        );
    }
}
