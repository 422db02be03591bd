//! The photos and clip of 見本 花子's presentation for the `resume-N`
//! screens: drawn pictures (no machine here has a camera, and the test
//! pattern says nothing of a person), each illustrating an item of her
//! positive profile, one chosen as the cover, and one photo she has not
//! approved (which must never appear).

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use tsunagi_app::av::{self, Source};
use tsunagi_core::media::VideoInfo;
use tsunagi_core::model::{CaseId, Section};
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::{MediaDetails, Store};

type Colour = [u8; 3];

/// A canvas with a vertical gradient from `top` to `bottom`.
fn canvas(w: u32, h: u32, top: Colour, bottom: Colour) -> RgbImage {
    RgbImage::from_fn(w, h, |_, y| {
        let t = y as f32 / h as f32;
        Rgb(std::array::from_fn(|i| {
            (f32::from(top[i]) * (1.0 - t) + f32::from(bottom[i]) * t) as u8
        }))
    })
}

/// Paints where `distance` (negative inside, in pixels) says, smoothing
/// the edge over one pixel, within the box `(x0, y0, x1, y1)`.
fn paint(img: &mut RgbImage, bounds: [f32; 4], colour: Colour, distance: impl Fn(f32, f32) -> f32) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let [x0, y0, x1, y1] = bounds;
    for y in (y0 - 2.0).max(0.0) as u32..(y1 + 2.0).min(h) as u32 {
        for x in (x0 - 2.0).max(0.0) as u32..(x1 + 2.0).min(w) as u32 {
            let a = (0.5 - distance(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0);
            if a > 0.0 {
                let p = img.get_pixel_mut(x, y);
                for (channel, c) in p.0.iter_mut().zip(colour) {
                    *channel = (f32::from(*channel) * (1.0 - a) + f32::from(c) * a) as u8;
                }
            }
        }
    }
}

fn rect(img: &mut RgbImage, [x0, y0, x1, y1]: [f32; 4], r: f32, colour: Colour) {
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (hx, hy) = ((x1 - x0) / 2.0 - r, (y1 - y0) / 2.0 - r);
    paint(img, [x0, y0, x1, y1], colour, |x, y| {
        let (dx, dy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
        let outside = dx.max(0.0).hypot(dy.max(0.0));
        outside + dx.max(dy).min(0.0) - r
    });
}

fn ellipse(img: &mut RgbImage, (cx, cy): (f32, f32), (rx, ry): (f32, f32), colour: Colour) {
    paint(img, [cx - rx, cy - ry, cx + rx, cy + ry], colour, |x, y| {
        (((x - cx) / rx).hypot((y - cy) / ry) - 1.0) * rx.min(ry)
    });
}

fn png(img: RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// At the reception desk: a stylised portrait, for the cover.
fn portrait() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1200, 1500, [236, 226, 212], [214, 198, 180]);
    rect(
        &mut img,
        [120.0, 140.0, 760.0, 820.0],
        18.0,
        [246, 242, 234],
    );
    rect(&mut img, [150.0, 170.0, 730.0, 790.0], 8.0, [204, 224, 232]);
    ellipse(&mut img, (980.0, 700.0), (90.0, 150.0), [124, 160, 120]);
    rect(
        &mut img,
        [940.0, 800.0, 1020.0, 1000.0],
        10.0,
        [176, 120, 92],
    );
    ellipse(&mut img, (600.0, 1540.0), (420.0, 460.0), [70, 110, 128]);
    rect(
        &mut img,
        [540.0, 900.0, 660.0, 1120.0],
        50.0,
        [232, 196, 166],
    );
    ellipse(&mut img, (600.0, 690.0), (215.0, 250.0), [62, 52, 48]);
    ellipse(&mut img, (600.0, 760.0), (175.0, 215.0), [238, 204, 176]);
    rect(&mut img, [395.0, 540.0, 805.0, 660.0], 60.0, [62, 52, 48]);
    rect(
        &mut img,
        [700.0, 1180.0, 800.0, 1310.0],
        10.0,
        [250, 250, 248],
    );
    rect(&mut img, [715.0, 1200.0, 785.0, 1225.0], 4.0, [29, 90, 158]);
    rect(&mut img, [0.0, 1400.0, 1200.0, 1500.0], 0.0, [150, 116, 88]);
    png(img)
}

/// Checking invoice figures on a spreadsheet, a ticked list beside it.
fn spreadsheet() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1600, 1200, [226, 232, 238], [206, 214, 222]);
    rect(&mut img, [0.0, 880.0, 1600.0, 1200.0], 0.0, [176, 138, 104]);
    rect(&mut img, [330.0, 180.0, 1150.0, 760.0], 24.0, [44, 48, 54]);
    rect(
        &mut img,
        [360.0, 210.0, 1120.0, 730.0],
        6.0,
        [252, 252, 252],
    );
    for row in 0..10 {
        let y = 250.0 + row as f32 * 46.0;
        rect(&mut img, [380.0, y, 1100.0, y + 2.0], 0.0, [214, 220, 228]);
        if row == 4 {
            rect(
                &mut img,
                [380.0, y + 6.0, 1100.0, y + 40.0],
                4.0,
                [214, 232, 248],
            );
        }
        for col in 0..5 {
            let x = 400.0 + col as f32 * 140.0;
            let w = if col == 0 {
                100.0
            } else {
                60.0 + ((row * 7 + col * 3) % 5) as f32 * 12.0
            };
            rect(
                &mut img,
                [x, y + 16.0, x + w, y + 30.0],
                4.0,
                [120, 130, 142],
            );
        }
    }
    rect(&mut img, [700.0, 760.0, 780.0, 880.0], 0.0, [60, 64, 70]);
    rect(&mut img, [600.0, 860.0, 880.0, 890.0], 8.0, [60, 64, 70]);
    rect(
        &mut img,
        [1210.0, 520.0, 1500.0, 900.0],
        8.0,
        [250, 249, 244],
    );
    for i in 0..5 {
        let y = 580.0 + i as f32 * 60.0;
        rect(&mut img, [1240.0, y, 1270.0, y + 30.0], 6.0, [29, 90, 158]);
        rect(
            &mut img,
            [1290.0, y + 8.0, 1460.0, y + 22.0],
            4.0,
            [150, 156, 166],
        );
    }
    ellipse(&mut img, (180.0, 900.0), (90.0, 30.0), [120, 90, 70]);
    rect(
        &mut img,
        [110.0, 760.0, 250.0, 900.0],
        30.0,
        [236, 236, 232],
    );
    png(img)
}

/// On the telephone, a notepad at hand: the clip's poster.
fn telephone() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1600, 900, [232, 236, 232], [212, 220, 214]);
    rect(&mut img, [0.0, 620.0, 1600.0, 900.0], 0.0, [170, 134, 100]);
    rect(&mut img, [480.0, 470.0, 900.0, 690.0], 30.0, [58, 62, 66]);
    rect(&mut img, [520.0, 420.0, 860.0, 500.0], 40.0, [72, 76, 82]);
    for i in 0..3 {
        for j in 0..4 {
            let (x, y) = (560.0 + j as f32 * 70.0, 540.0 + i as f32 * 40.0);
            rect(&mut img, [x, y, x + 50.0, y + 26.0], 6.0, [200, 204, 208]);
        }
    }
    rect(
        &mut img,
        [1000.0, 440.0, 1300.0, 720.0],
        10.0,
        [252, 250, 240],
    );
    for i in 0..5 {
        let y = 490.0 + i as f32 * 42.0;
        rect(
            &mut img,
            [1030.0, y, 1270.0 - (i % 2) as f32 * 60.0, y + 10.0],
            4.0,
            [156, 164, 176],
        );
    }
    rect(&mut img, [1320.0, 470.0, 1340.0, 700.0], 8.0, [29, 90, 158]);
    ellipse(&mut img, (260.0, 560.0), (70.0, 90.0), [238, 236, 228]);
    rect(
        &mut img,
        [190.0, 560.0, 330.0, 660.0],
        20.0,
        [238, 236, 228],
    );
    png(img)
}

/// Herbs grown on the balcony.
fn herbs() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1400, 1050, [214, 230, 240], [236, 240, 232]);
    rect(&mut img, [0.0, 760.0, 1400.0, 1050.0], 0.0, [196, 190, 180]);
    for x in (60..1400).step_by(120) {
        rect(
            &mut img,
            [x as f32, 560.0, x as f32 + 16.0, 780.0],
            4.0,
            [240, 240, 236],
        );
    }
    rect(&mut img, [0.0, 540.0, 1400.0, 570.0], 6.0, [240, 240, 236]);
    for (cx, scale) in [(420.0_f32, 1.0_f32), (900.0, 0.8)] {
        for k in 0..9 {
            let angle = -2.6 + k as f32 * 0.3;
            let (dx, dy) = (angle.cos() * 170.0 * scale, angle.sin() * 200.0 * scale);
            rect(
                &mut img,
                [cx - 4.0, 520.0, cx + 4.0, 720.0],
                4.0,
                [96, 132, 80],
            );
            ellipse(
                &mut img,
                (cx + dx, 640.0 + dy),
                (70.0 * scale, 38.0 * scale),
                [104, 156, 92],
            );
            ellipse(
                &mut img,
                (cx + dx * 0.6, 660.0 + dy * 0.6),
                (50.0 * scale, 28.0 * scale),
                [132, 182, 110],
            );
        }
        rect(
            &mut img,
            [
                cx - 150.0 * scale,
                700.0,
                cx + 150.0 * scale,
                720.0 + 160.0 * scale,
            ],
            24.0,
            [196, 112, 76],
        );
        rect(
            &mut img,
            [cx - 170.0 * scale, 690.0, cx + 170.0 * scale, 740.0],
            12.0,
            [176, 98, 66],
        );
    }
    png(img)
}

/// The checking manual she wrote, open on the desk.
fn manual() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1600, 1200, [230, 228, 224], [210, 206, 200]);
    rect(&mut img, [0.0, 860.0, 1600.0, 1200.0], 0.0, [160, 126, 96]);
    rect(&mut img, [300.0, 260.0, 1300.0, 960.0], 16.0, [29, 90, 158]);
    rect(&mut img, [330.0, 280.0, 790.0, 940.0], 6.0, [252, 251, 246]);
    rect(
        &mut img,
        [810.0, 280.0, 1270.0, 940.0],
        6.0,
        [252, 251, 246],
    );
    for i in 0..9 {
        let y = 340.0 + i as f32 * 64.0;
        rect(
            &mut img,
            [370.0, y, 750.0 - (i % 3) as f32 * 70.0, y + 14.0],
            5.0,
            [150, 156, 166],
        );
        rect(&mut img, [850.0, y, 880.0, y + 30.0], 6.0, [104, 156, 92]);
        rect(
            &mut img,
            [900.0, y + 8.0, 1230.0 - (i % 2) as f32 * 90.0, y + 22.0],
            5.0,
            [150, 156, 166],
        );
    }
    rect(&mut img, [785.0, 270.0, 815.0, 950.0], 8.0, [200, 200, 196]);
    png(img)
}

/// A photo she has not approved.
fn unapproved() -> anyhow::Result<Vec<u8>> {
    let mut img = canvas(1200, 900, [200, 200, 200], [170, 170, 170]);
    ellipse(&mut img, (600.0, 450.0), (200.0, 200.0), [120, 120, 120]);
    png(img)
}

/// 見本 花子's pictures: the cover (chosen), her first strength in a photo,
/// her second in a clip, an interest and an achievement, all approved;
/// her third strength in a photo she has not approved.
pub fn add(store: &mut Store, case: CaseId) -> anyhow::Result<()> {
    let plan = store.load_case(case)?.career_plan;
    let d = &plan.discovery;
    let text = |items: &[tsunagi_core::model::TextItem], i: usize| -> String {
        items
            .get(i)
            .map(|t| t.text.expose().clone())
            .unwrap_or_default()
    };
    let details = |illustrates: String, caption: &str| MediaDetails {
        caption: caption.into(),
        illustrates: illustrates.into(),
        taken_at: Timestamp::parse("2026-11-20T10:00:00+09:00"),
    };
    let cover = store.import_photo(
        case,
        &portrait()?,
        &details(String::new(), "職場体験先の受付で"),
    )?;
    store.set_media_approval(case, cover, true)?;
    let photo = store.import_photo(
        case,
        &spreadsheet()?,
        &details(
            text(&d.strengths, 0),
            "請求書の金額を表計算ソフトで照合しているところ",
        ),
    )?;
    store.set_media_approval(case, photo, true)?;

    let limits = av::Limits {
        max_duration: std::time::Duration::from_secs(2),
        max_bytes: 50 * 1024 * 1024,
    };
    let encoded = av::record_clip(&Source::Test, limits, Cursor::new(Vec::new()), None)?.wait()?;
    let mut writer = store.begin_video(case)?;
    std::io::Write::write_all(&mut writer, encoded.writer.get_ref())?;
    let written = writer.finish()?;
    let clip = store.commit_video(
        case,
        written,
        &telephone()?,
        &VideoInfo {
            mime: "video/mp4".into(),
            duration_ms: u64::try_from(encoded.duration.as_millis()).unwrap_or(0),
        },
        &details(text(&d.strengths, 1), "職場体験で電話を受ける練習"),
    )?;
    store.set_media_approval(case, clip, true)?;

    for (picture, illustrates, caption) in [
        (
            herbs()?,
            text(&d.interests, 1),
            "ベランダで育てているバジルとミント",
        ),
        (
            manual()?,
            text(&d.achievements, 0),
            "前職で作った請求書チェックの手順書",
        ),
    ] {
        let item = store.import_photo(case, &picture, &details(illustrates, caption))?;
        store.set_media_approval(case, item, true)?;
    }
    store.import_photo(
        case,
        &unapproved()?,
        &details(text(&d.strengths, 2), "本人がまだ承認していない写真"),
    )?;

    let mut plan = plan;
    plan.discovery.cover_media = Some(cover.to_string());
    store.save_section(case, &Section::CareerPlan(plan))?;
    Ok(())
}
