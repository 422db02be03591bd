//! UI benchmark: the presentation's page turn to a photo that came from a
//! 20-megapixel camera (BENCHMARKS.md).
//!
//! A camera-sized JPEG (5472×3648, generated: gradients and sensor-like
//! noise, so that it weighs what a camera file weighs) is taken in through
//! the store's real path (`Store::import_photo`: decode, turn upright, shrink
//! to the store's longest edge, re-encode without metadata, encrypt), next
//! to a small photo (640×480) and a copy of the case with no photo at all.
//! The app's window is built as `tsunagi` builds it, logged in through its
//! adapters, and the presentation is opened from the case screen. Then:
//!
//! - import: the 20 MP photo against the small one;
//! - open: the presentation of the case with both photos (reading them;
//!   on the app's worker thread in real use, inline here so that it can be
//!   timed) against the same case with no photo;
//! - first turn: right after opening, to the 20 MP photo's page (its
//!   picture decoded on the turn) against a text-only page;
//! - turn: setting the page on the screen's adapter, as the arrows and the
//!   swipe do, and rendering the whole window with Slint's software renderer
//!   (`Window::take_snapshot`, which redraws every pixel, as a page turn
//!   does), to the page of the 20 MP photo, against the same turn to the
//!   page of the small photo and to a text-only page.
//!
//! Run under Xvfb with the software renderer:
//!
//! ```sh
//! Xvfb :99 -screen 0 1280x800x24 &
//! DISPLAY=:99 SLINT_BACKEND=winit-software \
//!   cargo run --release -p tsunagi --example presentation_turn
//! ```

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{
    AppWindow, CaseAdapter, CaseListAdapter, LoginAdapter, PresentationAdapter, PresentationLayout,
    Screen,
};
use tsunagi_app::window::{self, AppHandle, Background, Options};
use tsunagi_core::model::{CaseId, demo_cases};
use tsunagi_core::store::{KdfParams, Keychain, MediaDetails, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";
const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
/// A 20-megapixel camera's frame (3:2).
const CAMERA: (u32, u32) = (5472, 3648);
const SMALL: (u32, u32) = (640, 480);
const BIG_CAPTION: &str = "20 MP";
const SMALL_CAPTION: &str = "small";
/// Imports of each photo, opens of each case, turns to each page.
const IMPORTS: usize = 3;
const OPENS: usize = 5;
const TURNS: usize = 21;

/// A photo-like JPEG: smooth gradients under per-pixel noise, encoded at
/// quality 92 as a camera does.
fn camera_jpeg((width, height): (u32, u32)) -> anyhow::Result<Vec<u8>> {
    let mut state: u32 = 0x9E37_79B9;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x1F) as i32 - 16;
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let shade = |v: f32| (v * 200.0) as i32 + 28 + noise;
        let c = |v: i32| v.clamp(0, 255) as u8;
        image::Rgb([
            c(shade(fx)),
            c(shade(fy)),
            c(shade(((fx * 9.0).sin() * (fy * 7.0).cos() + 1.0) / 2.0)),
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 92).encode_image(&img)?;
    Ok(jpeg)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median and worst.
fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
    )
}

fn row(what: &str, samples: Vec<Duration>, base: f64) -> f64 {
    let (median, worst) = stats(samples);
    println!(
        "  {what:<40} median {median:8.1} ms   worst {worst:8.1} ms   ratio {:6.2}×",
        median / base
    );
    median
}

/// What the run prepared: the store and its two cases.
struct Prepared {
    _temp: tempfile::TempDir,
    data: std::path::PathBuf,
    keychain: Arc<dyn Keychain>,
    with_photos: CaseId,
    no_photo: CaseId,
}

/// The store, the demo case with the two photos approved (each shows one of
/// its strengths) and the same case with none; prints the import times.
fn prepare() -> anyhow::Result<Prepared> {
    let temp = tempfile::tempdir()?;
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let (mut store, _code) = Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, FAST)?;
    let case = demo_cases().remove(0);
    let with_photos = store.create_case(&case)?;
    let no_photo = store.create_case(&case)?;
    let strengths: Vec<String> = case
        .career_plan
        .discovery
        .strengths
        .iter()
        .map(|s| s.text.expose().clone())
        .collect();

    let big = camera_jpeg(CAMERA)?;
    let small = camera_jpeg(SMALL)?;
    println!(
        "camera JPEG {}×{}: {:.1} MB; small JPEG {}×{}: {:.0} KB",
        CAMERA.0,
        CAMERA.1,
        big.len() as f64 / 1e6,
        SMALL.0,
        SMALL.1,
        small.len() as f64 / 1e3
    );
    let mut imports = [Vec::new(), Vec::new()];
    for round in 0..IMPORTS {
        for (i, (jpeg, caption, strength)) in [
            (&small, SMALL_CAPTION, &strengths[1]),
            (&big, BIG_CAPTION, &strengths[0]),
        ]
        .into_iter()
        .enumerate()
        {
            let details = MediaDetails {
                caption: caption.to_owned().into(),
                illustrates: strength.clone().into(),
                taken_at: None,
            };
            let start = Instant::now();
            let item = store.import_photo(with_photos, jpeg, &details)?;
            imports[i].push(start.elapsed());
            // One of each is shown; the other imports stay unapproved.
            store.set_media_approval(with_photos, item, round == 0)?;
        }
    }
    let [small_imports, big_imports] = imports;
    println!("import (Store::import_photo), {IMPORTS} of each:");
    let (base, _) = stats(small_imports.clone());
    row("small photo (baseline)", small_imports, base);
    row("20 MP camera photo", big_imports, base);
    Ok(Prepared {
        _temp: temp,
        data,
        keychain,
        with_photos,
        no_photo,
    })
}

/// Opens `case` from the case list and its presentation from the case
/// screen; returns the time from the press to the presentation set up.
fn open(w: &AppWindow, case: CaseId) -> anyhow::Result<Duration> {
    w.global::<CaseListAdapter<'_>>()
        .invoke_open_case(case.to_string().into());
    anyhow::ensure!(w.get_screen() == Screen::Case, "the case opens");
    let start = Instant::now();
    w.global::<CaseAdapter<'_>>().invoke_open_presentation();
    let took = start.elapsed();
    anyhow::ensure!(
        w.get_screen() == Screen::Presentation,
        "the presentation opens"
    );
    Ok(took)
}

/// Leaves the presentation (with the password) for the case list.
fn leave(w: &AppWindow) -> anyhow::Result<()> {
    w.global::<PresentationAdapter<'_>>()
        .invoke_leave(PASSWORD.into());
    anyhow::ensure!(w.get_screen() == Screen::Case, "the presentation is left");
    w.global::<CaseAdapter<'_>>().invoke_back();
    anyhow::ensure!(w.get_screen() == Screen::CaseList, "back at the list");
    Ok(())
}

/// One page turn: the page set as the arrows set it, and the whole window
/// drawn.
fn turn(w: &AppWindow, page: usize) -> anyhow::Result<Duration> {
    let start = Instant::now();
    w.global::<PresentationAdapter<'_>>()
        .set_page(i32::try_from(page)?);
    let frame = w.window().take_snapshot()?;
    let took = start.elapsed();
    anyhow::ensure!(frame.width() > 0, "a frame was drawn");
    Ok(took)
}

/// The page showing the photo captioned `caption`, and the first list page.
fn find_pages(w: &AppWindow) -> anyhow::Result<(usize, usize, usize)> {
    let pages = w.global::<PresentationAdapter<'_>>().get_pages();
    let find = |f: &dyn Fn(&tsunagi_app::window::ui::PresentationPage) -> bool| {
        pages
            .iter()
            .position(|p| f(&p))
            .ok_or_else(|| anyhow::anyhow!("a page is missing"))
    };
    Ok((
        find(&|p| p.has_photo && p.caption == BIG_CAPTION)?,
        find(&|p| p.has_photo && p.caption == SMALL_CAPTION)?,
        find(&|p| p.layout == PresentationLayout::List)?,
    ))
}

fn bench(app: &AppHandle, prepared: &Prepared) -> anyhow::Result<()> {
    let w = app.window();
    let login = w.global::<LoginAdapter<'_>>();
    login.invoke_log_in("admin".into(), PASSWORD.into());
    anyhow::ensure!(w.get_screen() == Screen::CaseList, "logged in");

    let mut opens = [Vec::new(), Vec::new()];
    for _ in 0..OPENS {
        for (i, case) in [prepared.no_photo, prepared.with_photos]
            .into_iter()
            .enumerate()
        {
            opens[i].push(open(w, case)?);
            leave(w)?;
        }
    }
    let [no_photo, with_photos] = opens;
    println!("open the presentation (read its pictures), {OPENS} of each:");
    let (base, _) = stats(no_photo.clone());
    row("case with no photo (baseline)", no_photo, base);
    row("case with the 20 MP and the small photo", with_photos, base);

    open(w, prepared.with_photos)?;
    let size = w.window().size();
    let (big, small, text) = find_pages(w)?;
    leave(w)?;
    // The first turn after opening, to a page whose picture nothing has
    // decoded yet (the screen decodes the page shown, and the pages beside
    // it ahead, on the worker thread: inline here, so never ahead).
    let mut first = [Vec::new(), Vec::new()];
    for _ in 0..OPENS {
        for (i, page) in [text, big].into_iter().enumerate() {
            open(w, prepared.with_photos)?;
            first[i].push(turn(w, page)?);
            leave(w)?;
        }
    }
    let [first_text, first_big] = first;
    println!("first turn after opening, {OPENS} of each:");
    let (base, _) = stats(first_text.clone());
    row("to a text-only page (baseline)", first_text, base);
    let first_big = row(
        "to the 20 MP photo's page, decoded on the turn",
        first_big,
        base,
    );
    open(w, prepared.with_photos)?;
    // Warm up: each page drawn once.
    for page in [text, small, big, text] {
        turn(w, page)?;
    }
    let mut turns = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..TURNS {
        turns[2].push(turn(w, big)?);
        turns[0].push(turn(w, text)?);
        turns[1].push(turn(w, small)?);
        turns[0].push(turn(w, text)?);
    }
    let [to_text, to_small, to_big] = turns;
    println!(
        "page turn (set the page, draw the {}×{} window), {TURNS} to each photo, {} to the text page:",
        size.width,
        size.height,
        to_text.len()
    );
    let (base, _) = stats(to_text.clone());
    row("to a text-only page (baseline)", to_text, base);
    row("to the small photo's page", to_small, base);
    let big = row("to the 20 MP photo's page", to_big, base);
    println!(
        "target ≤ 100 ms for the turn to the 20 MP photo: {} (decoded ahead), {} (decoded on the turn)",
        if big <= 100.0 { "met" } else { "NOT met" },
        if first_big <= 100.0 { "met" } else { "NOT met" }
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let prepared = prepare()?;
    let app = window::build(
        prepared.data.clone(),
        Options {
            keychain_warning: false,
            store_options: FAST,
            // The store's work runs where it can be timed; in the app it
            // runs on the worker thread and the UI thread never waits.
            background: Background::Inline,
            ..Options::new(Arc::clone(&prepared.keychain))
        },
    )?;
    app.window()
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 800.0));
    app.window().show()?;
    let result = Arc::new(std::sync::Mutex::new(None));
    let app = std::rc::Rc::new(app);
    let (weak, done) = (std::rc::Rc::downgrade(&app), Arc::clone(&result));
    let prepared = std::rc::Rc::new(prepared);
    let p = std::rc::Rc::clone(&prepared);
    slint::Timer::single_shot(Duration::from_millis(50), move || {
        if let Some(app) = weak.upgrade() {
            let outcome = bench(&app, &p).map_err(|e| e.to_string());
            if let Ok(mut slot) = done.lock() {
                *slot = Some(outcome);
            }
        }
        let _ = slint::quit_event_loop();
    });
    slint::run_event_loop()?;
    let outcome = result
        .lock()
        .map_err(|_| anyhow::anyhow!("the result was lost"))?
        .take();
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(anyhow::anyhow!(e)),
        None => Err(anyhow::anyhow!("the benchmark did not run")),
    }
}
