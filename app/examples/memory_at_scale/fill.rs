//! The tablet store the measure runs on: 10,000 fictional cases (the demo
//! cases under other names) and about 1 GiB of media spread over the cases
//! of 見本 (みほん) clients — camera photos taken in through
//! `Store::import_photo` (12 MP JPEGs, shrunk by the store to its long-edge
//! limit) and real H.264 clips through `Store::add_video` — approved by the
//! client, with the consent to the use of photos and video in force, so
//! that the presentation shows them.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use gstreamer as gst;
use gstreamer::prelude::*;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use tsunagi_core::media::VideoInfo;
use tsunagi_core::model::fictional;
use tsunagi_core::model::{CaseId, ConsentRecord, ConsentScope, demo_cases};
use tsunagi_core::store::{FileKeychain, KdfParams, MediaDetails, Store, StoreOptions};

/// The account and password of the store.
pub const ADMIN: &str = "admin";
/// The password, as typed on the login screen.
pub const PASSWORD: &str = "ながい合言葉 2026";
/// Written last: a folder holding it is a complete store.
const READY: &str = "ready";

const CASES: usize = 10_000;
/// One case in this many is a 見本 client with photos and clips.
const CASES_PER_MEDIA_CASE: usize = 250;
/// Photos of the client presented (the first 見本 case, 見本 花子).
const PRESENTED_PHOTOS: usize = 20;
/// Photos of each other 見本 client.
const OTHER_PHOTOS: usize = 3;
/// The media in the store, photos and clips together.
const MEDIA_BYTES: u64 = 1024 * 1024 * 1024;
/// The clip: 1080p at 30 frames a second, as a tablet records.
const CLIP_SECONDS: u32 = 15;
const CLIP_KBPS: u32 = 8000;

/// The client presented, and the name every media client's starts with.
pub const PRESENTED: &str = "見本 花子";
/// What is typed to find the 見本 clients, one keystroke at a time.
pub const MEDIA_SEARCH: [&str; 4] = ["み", "みほ", "みほん", "見本"];

/// The first twenty family names and ten given names of the fictional
/// set (the figures in BENCHMARKS.md were measured with these).
const FAMILY: &[(&str, &str)] = fictional::FAMILY_NAMES.split_at(20).0;
const GIVEN: &[(&str, &str)] = fictional::GIVEN_NAMES.split_at(10).0;

fn keychain(dir: &Path) -> Arc<FileKeychain> {
    Arc::new(FileKeychain::new(dir.join("keys")))
}

/// The keychain of the store in `dir`.
pub fn keychain_of(dir: &Path) -> Arc<FileKeychain> {
    keychain(dir)
}

/// A store with the administrator alone, in `dir/data` (the baseline).
pub fn empty_store(dir: &Path) -> anyhow::Result<()> {
    if dir.join(READY).exists() {
        return Ok(());
    }
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir)?;
    let options = StoreOptions {
        kdf: KdfParams::DEFAULT,
    };
    drop(Store::create(
        &dir.join("data"),
        keychain(dir),
        ADMIN,
        PASSWORD,
        options,
    )?);
    fs::write(dir.join(READY), "")?;
    Ok(())
}

/// The full store in `dir/data`, unless `dir` already holds one.
///
/// The keyslot uses the app's default Argon2id (64 MiB), so unlocking and
/// leaving the presentation cost what they cost on a tablet.
pub fn full_store(dir: &Path) -> anyhow::Result<()> {
    if dir.join(READY).exists() {
        println!("reusing the store in {}", dir.display());
        return Ok(());
    }
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir)?;
    let started = Instant::now();
    let options = StoreOptions {
        kdf: KdfParams::DEFAULT,
    };
    let (mut store, _code) =
        Store::create(&dir.join("data"), keychain(dir), ADMIN, PASSWORD, options)?;
    let media_cases = cases(&mut store)?;
    let photos = photos(&mut store, &media_cases)?;
    let clip = dir.join("clip.mp4");
    make_clip(&clip)?;
    let clip = fs::read(&clip)?;
    let (videos, media) = videos(&mut store, &media_cases, &clip)?;
    drop(store);
    fs::write(dir.join(READY), "")?;
    println!(
        "store: {CASES} cases, {} with media: {photos} photos, {videos} clips of {:.1} MB, media {:.0} MiB; built in {:.0} s",
        media_cases.len(),
        clip.len() as f64 / 1e6,
        media as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Creates the cases; returns the 見本 clients', the presented one first.
fn cases(store: &mut Store) -> anyhow::Result<Vec<(CaseId, Vec<String>)>> {
    let demos = demo_cases();
    let mut media_cases = Vec::new();
    for i in 0..CASES {
        let (given, given_kana) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
        if i % CASES_PER_MEDIA_CASE == 0 {
            let k = i / CASES_PER_MEDIA_CASE;
            let mut case = demos[0].clone();
            let name = if k == 0 {
                PRESENTED.to_owned()
            } else {
                format!("見本 {given}{k}")
            };
            case.basic.name = name.as_str().into();
            case.basic.kana = format!("みほん {given_kana}").as_str().into();
            case.consents.retain(|c| c.scope != ConsentScope::Media);
            case.consents.push(ConsentRecord {
                scope: ConsentScope::Media,
                given_on: Some(time::macros::date!(2025 - 01 - 01)),
                ..ConsentRecord::new()
            });
            let strengths = case
                .career_plan
                .discovery
                .strengths
                .iter()
                .map(|s| s.text.expose().clone())
                .collect();
            let id = store.create_case(&case)?;
            media_cases.push((id, strengths));
        } else {
            let (family, family_kana) = FAMILY[i % FAMILY.len()];
            let mut case = demos[i % demos.len()].clone();
            case.basic.name = format!("{family} {given}{}", i / 200).as_str().into();
            case.basic.kana = format!("{family_kana} {given_kana}").as_str().into();
            store.create_case(&case)?;
        }
    }
    Ok(media_cases)
}

/// A 12 MP camera picture (4000×3000) with texture, as a JPEG at quality
/// 92: several megabytes, like a tablet's camera gives.
fn camera_jpeg(seed: u32, width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut state = 0x2545_f491_u32 ^ seed.wrapping_mul(0x9e37_79b9);
    let img = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x0f) as u8;
        Rgb([
            ((x / 13 + seed) as u8).wrapping_add(noise),
            ((y / 9) as u8).wrapping_add(noise),
            (((x + y) / 17) as u8).wrapping_add(noise),
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode_image(&img)?;
    Ok(out)
}

fn approved(
    store: &mut Store,
    case: CaseId,
    id: tsunagi_core::store::MediaId,
) -> anyhow::Result<()> {
    store.set_media_approval(case, id, true)?;
    Ok(())
}

fn details(illustrates: &str, caption: String) -> MediaDetails {
    MediaDetails {
        caption: caption.into(),
        illustrates: illustrates.into(),
        taken_at: None,
    }
}

/// Imports the photos: each illustrates one of the client's strengths in
/// turn, so each has a page of its own in the presentation.
fn photos(store: &mut Store, media_cases: &[(CaseId, Vec<String>)]) -> anyhow::Result<usize> {
    let sources = [
        camera_jpeg(1, 4000, 3000)?,
        camera_jpeg(2, 4000, 3000)?,
        camera_jpeg(3, 3000, 4000)?,
    ];
    let mut count = 0;
    for (k, (case, strengths)) in media_cases.iter().enumerate() {
        let n = if k == 0 {
            PRESENTED_PHOTOS
        } else {
            OTHER_PHOTOS
        };
        for p in 0..n {
            let illustrates = strengths.get(p % strengths.len().max(1)).map_or("", |s| s);
            let id = store.import_photo(
                *case,
                &sources[count % sources.len()],
                &details(illustrates, format!("仕事の様子 {}", p + 1)),
            )?;
            approved(store, *case, id)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Encodes the clip with GStreamer: H.264 Main 4:2:0 in MP4, 1920×1080.
fn make_clip(path: &Path) -> anyhow::Result<()> {
    gst::init()?;
    let frames = CLIP_SECONDS * 30;
    let description = format!(
        "videotestsrc num-buffers={frames} pattern=snow \
         ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 \
         ! x264enc speed-preset=ultrafast bitrate={CLIP_KBPS} key-int-max=60 \
         ! video/x-h264,profile=main ! h264parse ! mp4mux \
         ! filesink location={}",
        path.display()
    );
    let pipeline = gst::parse::launch(&description)?;
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline
        .bus()
        .ok_or_else(|| anyhow::anyhow!("the pipeline has no bus"))?;
    let ended = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(600),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    pipeline.set_state(gst::State::Null)?;
    match ended.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(()),
        _ => anyhow::bail!("the clip could not be encoded"),
    }
}

fn folder_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Adds copies of `clip` (each encrypted under its own key) until the media
/// reach `MEDIA_BYTES`, one per 見本 client in turn, the presented client
/// first (so it has two). Returns the clips added and the media's size.
fn videos(
    store: &mut Store,
    media_cases: &[(CaseId, Vec<String>)],
    clip: &[u8],
) -> anyhow::Result<(usize, u64)> {
    let poster = camera_jpeg(9, 1920, 1080)?;
    let info = VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: u64::from(CLIP_SECONDS) * 1000,
    };
    let mut count = 0;
    while folder_size(&store.media_dir()) < MEDIA_BYTES || count <= media_cases.len() {
        let (case, strengths) = &media_cases[count % media_cases.len()];
        let illustrates = strengths
            .get(count % strengths.len().max(1))
            .map_or("", |s| s);
        let id = store.add_video(
            *case,
            &mut std::io::Cursor::new(clip),
            &poster,
            &info,
            &details(illustrates, format!("作業の動画 {}", count + 1)),
        )?;
        approved(store, *case, id)?;
        count += 1;
    }
    Ok((count, folder_size(&store.media_dir())))
}
