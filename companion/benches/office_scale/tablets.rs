//! The tablets' side, run in a child process of its own so that its memory
//! is not counted in the companion's: building the paired tablets (each a
//! store of its own, with its own device identity), and docking them, one
//! after another, with the tablet's real sync client over QUIC.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use tsunagi_core::media::{VideoInfo, fixtures, video::placeholder_poster};
use tsunagi_core::model::fictional::{FAMILY_NAMES as FAMILY, GIVEN_NAMES as GIVEN};
use tsunagi_core::model::{Case, CaseId, ConsentRecord, ConsentScope, SupportStage, demo_cases};
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{FileKeychain, MediaDetails, Store};

use super::{ADMIN, Config, FAST, PW, peer_line, read_peer};

/// Photos taken per tablet (each approved by the client, so the profile
/// prints it).
const PHOTOS_PER_TABLET: usize = 4;
/// The tablet whose case the documents are rendered from.
pub const DOCUMENT_TABLET: usize = 1;

/// Case `k` of tablet `t`: one of the demo cases (full records: basic
/// facts, consultations, plans, employers, consents) under a fictional name
/// of its own, at a stage of its own.
fn varied(demos: &[Case], t: usize, k: usize) -> Case {
    let mut case = demos[k % demos.len()].clone();
    if k.is_multiple_of(demos.len()) {
        // The full demo case, with the client's consent to photos (the one
        // the second demo case records) so that its approved photos print.
        if let Some(media) = demos[1]
            .consents
            .iter()
            .find(|c| c.scope == ConsentScope::Media)
        {
            case.consents.push(ConsentRecord {
                id: ConsentRecord::new().id,
                ..media.clone()
            });
        }
    }
    let (family, family_kana) = FAMILY[(k * 7 + t) % FAMILY.len()];
    let (given, given_kana) = GIVEN[(k / FAMILY.len() + t * 5) % GIVEN.len()];
    case.basic.name = format!("{family} {given}").as_str().into();
    case.basic.kana = format!("{family_kana} {given_kana}").as_str().into();
    case.stage = SupportStage::ALL[(k / demos.len() + t) % SupportStage::ALL.len()];
    case
}

/// A 1600×1200 picture with some texture, as a camera JPEG.
fn camera_jpeg() -> anyhow::Result<Vec<u8>> {
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
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img)?;
    Ok(out)
}

/// A video of `bytes` bytes of media data behind an MP4 header, streamed.
pub fn video(bytes: u64) -> anyhow::Result<impl Read> {
    let mut header = fixtures::minimal_mp4(60_000, 0);
    header.truncate(header.len() - 8);
    header.extend_from_slice(&u32::try_from(8 + bytes)?.to_be_bytes());
    header.extend_from_slice(b"mdat");
    Ok(std::io::Cursor::new(header).chain(std::io::repeat(0x5a).take(bytes)))
}

/// Adds a video of `bytes` to `case`.
pub fn add_video(store: &mut Store, case: CaseId, bytes: u64) -> anyhow::Result<()> {
    let info = VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: 60_000,
    };
    store.add_video(
        case,
        &mut video(bytes)?,
        &placeholder_poster(),
        &info,
        &MediaDetails::default(),
    )?;
    Ok(())
}

pub fn tablet_dir(root: &Path, t: usize) -> PathBuf {
    root.join(format!("tablet-{t:02}"))
}

fn open(root: &Path, t: usize) -> anyhow::Result<Store> {
    let dir = tablet_dir(root, t);
    let keychain = Arc::new(FileKeychain::new(dir.join("keys")));
    Ok(Store::unlock(&dir.join("data"), keychain, ADMIN, PW)?)
}

/// What building one tablet gave.
struct Built {
    line: String,
    bundle_bytes: u64,
    media_bytes: u64,
}

/// Tablet `t`: its cases and media, paired with the office (and, for the
/// first, sealed once for the small baseline office too), its bundle
/// sealed as it is when the tablet docks.
fn build_one(
    root: &Path,
    t: usize,
    cfg: &Config,
    office: &Peer,
    small: Option<&Peer>,
    jpeg: &[u8],
) -> anyhow::Result<Built> {
    let dir = tablet_dir(root, t);
    let keychain = Arc::new(FileKeychain::new(dir.join("keys")));
    let (mut tablet, _) = Store::create(&dir.join("data"), keychain, ADMIN, PW, FAST)?;
    let demos = demo_cases();
    let mut ids = Vec::with_capacity(cfg.cases);
    for k in 0..cfg.cases {
        ids.push(tablet.create_case(&varied(&demos, t, k))?);
    }
    for p in 0..PHOTOS_PER_TABLET {
        // Photo cases are the full demo case (k a multiple of 4).
        let case = ids[(p * cfg.cases / PHOTOS_PER_TABLET) & !3];
        let id = tablet.import_photo(case, jpeg, &MediaDetails::default())?;
        tablet.set_media_approval(case, id, true)?;
    }
    if cfg.video_bytes > 0 {
        add_video(&mut tablet, ids[1 % ids.len()], cfg.video_bytes)?;
    }
    let media_bytes = folder_size(&tablet.media_dir());
    let mut extra = String::new();
    if let Some(small) = small {
        tablet.add_peer(small)?;
        let bundle = tablet
            .seal_changes_for(small)?
            .context("cases for the small office")?;
        fs::rename(&bundle.file, root.join("small.age"))?;
        tablet.remove_peer(&small.fingerprint)?;
    }
    if t == DOCUMENT_TABLET {
        extra = format!("case {}\n", ids[(cfg.cases / 2) & !3]);
    }
    tablet.add_peer(office)?;
    let bundle = tablet
        .seal_changes_for(office)?
        .context("cases for the office")?;
    let me = super::peer_of(&mut tablet, PeerKind::Tablet)?;
    Ok(Built {
        line: format!("{extra}tablet {}\n", peer_line(&me)),
        bundle_bytes: bundle.outgoing.size,
        media_bytes,
    })
}

pub fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The child that builds every tablet, two at a time (one a core), and
/// writes their identities to `tablets.txt`.
pub fn build_main(root: &Path, cfg: &Config) -> anyhow::Result<()> {
    let peers = fs::read_to_string(root.join("companions.txt"))?;
    let mut lines = peers.lines();
    let office = read_peer(lines.next().context("the office")?, PeerKind::Companion)?;
    let small = read_peer(
        lines.next().context("the small office")?,
        PeerKind::Companion,
    )?;
    let jpeg = camera_jpeg()?;
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let built: Vec<anyhow::Result<Vec<(usize, Built)>>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let t = next.fetch_add(1, Ordering::SeqCst);
                        if t >= cfg.tablets {
                            return Ok(mine);
                        }
                        let small = (t == 0).then_some(&small);
                        mine.push((t, build_one(root, t, cfg, &office, small, &jpeg)?));
                        println!(
                            "  tablet {:2} built ({:.0} s)",
                            t + 1,
                            start.elapsed().as_secs_f64()
                        );
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked")))
            })
            .collect()
    });
    let mut all = Vec::new();
    for b in built {
        all.extend(b?);
    }
    all.sort_by_key(|(t, _)| *t);
    let mut out = fs::File::create(root.join("tablets.txt"))?;
    let (mut bundles, mut media) = (0, 0);
    for (_, b) in &all {
        out.write_all(b.line.as_bytes())?;
        bundles += b.bundle_bytes;
        media += b.media_bytes;
    }
    writeln!(
        out,
        "built {} {} {} {}",
        start.elapsed().as_secs_f64(),
        bundles,
        media,
        PHOTOS_PER_TABLET * cfg.tablets
    )?;
    Ok(())
}

/// The child that docks every tablet in turn (its real sync client, over
/// QUIC to the office's server), then the first tablet once more with a
/// video of `cfg.media_bytes` alone.
pub fn dock_main(root: &Path, cfg: &Config) -> anyhow::Result<()> {
    for t in 0..cfg.tablets {
        let mut tablet = open(root, t)?;
        let report = tsunagi_app::sync::sync(&mut tablet)?;
        anyhow::ensure!(
            report.delivered == 1 && report.refused.is_empty(),
            "tablet {t} delivered {} and had {} refused",
            report.delivered,
            report.refused.len()
        );
    }
    if cfg.media_bytes > 0 {
        let mut tablet = open(root, 0)?;
        let case = tablet
            .list_cases(&Default::default())?
            .first()
            .map(|c| c.id)
            .context("a case")?;
        add_video(&mut tablet, case, cfg.media_bytes)?;
        let report = tsunagi_app::sync::sync(&mut tablet)?;
        anyhow::ensure!(report.delivered == 1, "the video was not delivered");
    }
    Ok(())
}
