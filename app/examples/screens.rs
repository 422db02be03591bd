//! Opens the app on a throw-away store with the demo cases, logged in, at
//! the disease screen of the first demo case (`disease`), at the reference
//! browser (`reference`, `occupations`, `page`), at the occupation search
//! opened from the first demo case with one occupation added to its 職域
//! (`job-areas`), at the sending screen
//! (`sync`; `sync-paired` once paired with an office PC), at the settings with the backup (`settings`), reading a pairing code with the camera (`scan`), at the audit
//! log after a support worker was added and given a case (`audit`), or at tab N
//! of the first
//! demo case (`case-N`, N from 0), at page N of its presentation
//! (`present-N`), at its photos and videos (`media`; `media-no-consent` for
//! a client without the consent to their use), in English with `en`
//! after the folder. The first demo case gets two photos of the test
//! pattern (one approved, shown in the presentation) and a 2-second clip of
//! it (approved). For 例田 さくら, whose disclosure is 非開示, use
//! `hidden-N` for page N of her presentation. `resume-N` is page N of the
//! first demo case's presentation with drawn photos and a clip of her
//! strengths, interest and achievement, a chosen cover photo, and a photo
//! she has not approved (screens_parts/resume.rs). `restored-N` opens tab N of
//! (`restored-disease`: the disease screen of) the first demo case on a
//! store restored from a backup without personal
//! data of the demo store (its emptied fields marked 要再入力). `carry`
//! opens the client's own record of the first demo case with the career
//! plan, the job match, the first disease and the approved photo ticked
//! (`carry-written`: then written to the data folder's export folder, the
//! passphrase shown); `carry-import` takes such a record of it in, at the
//! preview. `disease-corrected` opens the disease screen of the first demo
//! case with its type set, a disease removed, a status entry corrected and
//! a target occupation saved; `disease-correcting` then opens a removal's
//! confirmation and a correction. `list` stays at the case list. `similar` shows the similar
//! cases (似た事例) of the first demo case, among colleagues' cases made
//! like the demo cases, one of them without the client's consent.
//! `programme` opens the first demo case's programme tab, where the
//! welfare demo case's programme was added with a six-month period and
//! one extension.
//! `plan-list` opens the list of the first demo case's support plan
//! revisions, `plan-revisions` its 第2版 with what changed since 第1版;
//! `plan-confirm` asks to revise it.
//! for screenshots (docs/screenshots/README.md):
//!
//! ```sh
//! DISPLAY=:99 SLINT_BACKEND=winit-software \
//!   cargo run -p tsunagi --example screens -- case-2 /tmp/shots en
//! ```

use std::sync::Arc;

use slint::ComponentHandle;
use tsunagi_app::av::{self, Source};
use tsunagi_app::window::ui::{
    AdminAdapter, CarryAdapter, CaseAdapter, CaseListAdapter, DiseaseAdapter, LoginAdapter,
    PresentationAdapter, ReferenceAdapter, ReferenceTab, SettingsAdapter, SyncAdapter, SyncState,
};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::media::VideoInfo;
use tsunagi_core::model::{CaseId, demo_cases};
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::{
    CaseQuery, KdfParams, Keychain, MediaDetails, MemoryKeychain, Role, Store, StoreOptions,
};

#[path = "screens_parts/resume.rs"]
mod resume;

const PASSWORD: &str = "ながい合言葉 2026";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("disease", String::as_str);
    let dir = std::path::PathBuf::from(args.get(2).map_or("/tmp/tsunagi-shots", String::as_str));
    let _ = std::fs::remove_dir_all(&dir);
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let store_options = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let first = {
        let (mut store, _) = Store::create(
            &dir,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            store_options,
        )?;
        for case in demo_cases() {
            store.create_case(&case)?;
        }
        let cases = store.list_cases(&CaseQuery::default())?;
        let find = |name: &str| {
            cases
                .iter()
                .find(|c| c.name.expose() == name)
                .map(|c| c.id)
                .ok_or_else(|| anyhow::anyhow!("the demo case {name} is missing"))
        };
        let (first, hidden) = (find("見本 花子")?, find("例田 さくら")?);
        if what.starts_with("resume-") {
            resume::add(&mut store, first)?;
        } else {
            add_media(&mut store, first)?;
        }
        // The same photos and clip for a client who has not consented to
        // their use (写真・動画の利用).
        let without_consent = cases
            .iter()
            .map(|c| c.id)
            .find(|id| *id != first && *id != hidden)
            .ok_or_else(|| anyhow::anyhow!("a third demo case"))?;
        if what == "media-no-consent" {
            add_media(&mut store, without_consent)?;
        }
        if what == "audit" || what == "accounts" {
            store.add_account("sato", Role::SupportWorker, "さとうの合言葉 2026")?;
            store.assign(first, "sato")?;
        }
        if what == "sync-paired" {
            let office = tsunagi_core::seal::DeviceKeys::generate();
            store.add_peer(&tsunagi_core::store::sync::Peer {
                fingerprint: tsunagi_core::link::TlsIdentity::generate("office").fingerprint(),
                kind: tsunagi_core::store::sync::PeerKind::Companion,
                signer: office.signer(),
                recipient: office.recipient(),
                address: Some("192.168.1.20:47800".into()),
                paired_at: Timestamp::now(),
            })?;
        }
        if what == "carry-import" {
            carry_file(&mut store, first, &dir)?;
        }
        if what.starts_with("disease-") {
            corrected_disease(&mut store, first)?;
        }
        if what == "similar" {
            similar_cases(&mut store)?;
        }
        if what == "programme" {
            programme_with_period(&mut store, first)?;
        }
        if what == "accounts" {
            store.add_account("suzuki", Role::ReadOnly, "すずきの合言葉 2026")?;
            store.disable_account("suzuki")?;
        }
        (first, hidden, without_consent)
    };
    let (first, hidden, without_consent) = first;
    let carry_record = carry_path(&dir);
    let dir = if what.starts_with("restored") {
        restored(&dir, &keychain, store_options)?
    } else {
        dir
    };
    let app = window::build(
        dir,
        Options {
            background: Background::Inline,
            store_options,
            ..Options::new(keychain)
        },
    )?;
    let w = app.window();
    w.global::<LoginAdapter<'_>>()
        .invoke_log_in("admin".into(), PASSWORD.into());
    if args.get(3).is_some_and(|a| a == "en") {
        w.global::<SettingsAdapter<'_>>().invoke_language_chosen(1);
    }
    match what {
        "restored-disease" => app.open_disease(first),
        tab if tab.starts_with("case-") || tab.starts_with("restored-") => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            let index = tab
                .rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            w.global::<CaseAdapter<'_>>().invoke_select_tab(index);
        }
        page if page.starts_with("present-")
            || page.starts_with("hidden-")
            || page.starts_with("resume-") =>
        {
            let (case, index) = match page.split_once('-') {
                Some(("hidden", n)) => (hidden, n),
                Some((_, n)) => (first, n),
                None => (first, "0"),
            };
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(case.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_open_presentation();
            w.global::<PresentationAdapter<'_>>()
                .set_page(index.parse().unwrap_or(0));
        }
        "media" | "media-no-consent" => {
            let case = if what == "media" {
                first
            } else {
                without_consent
            };
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(case.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_open_media();
        }
        "carry" | "carry-written" => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_select_tab(7);
            w.global::<CaseAdapter<'_>>().invoke_open_carry();
            // With the client: the career plan and the job match, the
            // first disease and the approved photo.
            let carry = w.global::<CarryAdapter<'_>>();
            for (group, index) in [(0, 1), (0, 2), (1, 0), (2, 0)] {
                carry.invoke_toggled(group, index, true);
            }
            if what == "carry-written" {
                carry.invoke_write();
            }
        }
        "plan-revisions" | "plan-list" | "plan-confirm" => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_select_tab(3);
            let plan = w.global::<tsunagi_app::window::ui::PlanRevisionsAdapter<'_>>();
            if what == "plan-confirm" {
                plan.invoke_ask_revise();
            } else {
                plan.invoke_open_list();
                plan.set_opened(if what == "plan-list" { -1 } else { 1 });
            }
        }
        "list" => {}
        "programme" => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_select_tab(6);
        }
        "similar" => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_select_tab(3);
            w.global::<CaseAdapter<'_>>().invoke_open_similar();
        }
        "carry-import" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_carry_import();
            let carry = w.global::<CarryAdapter<'_>>();
            let file = carry_record;
            let passphrase = std::fs::read_to_string(file.with_extension("txt"))?;
            carry.set_import_path(file.display().to_string().into());
            carry.set_import_passphrase(passphrase.trim().into());
            carry.invoke_check_file();
        }
        "reference" | "occupations" | "page" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_reference();
            let reference = w.global::<ReferenceAdapter<'_>>();
            if what == "occupations" {
                reference.set_tab(ReferenceTab::Occupations);
            }
            if what == "page" {
                reference.invoke_open_disease("ulcerative-colitis".into());
            }
        }
        "job-areas" => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_select_tab(1);
            w.global::<CaseAdapter<'_>>().invoke_open_occupations();
            let reference = w.global::<ReferenceAdapter<'_>>();
            reference.set_occupation_search("事務".into());
            reference.invoke_occupation_search_changed("事務".into());
            if let Some(row) = slint::Model::row_data(&reference.get_occupations(), 0) {
                reference.invoke_add_job_area(row.name);
            }
        }
        "sync" | "sync-paired" => w.global::<CaseListAdapter<'_>>().invoke_open_sync(),
        "settings" => w.global::<CaseListAdapter<'_>>().invoke_open_settings(),
        "accounts" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_admin();
            // The disabled account, with the remove button pressed once.
            let admin = w.global::<AdminAdapter<'_>>();
            admin.invoke_select_account(2);
            admin.set_confirm_remove(true);
        }
        "audit" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_admin();
            let admin = w.global::<AdminAdapter<'_>>();
            admin.set_tab(1);
            admin.invoke_verify();
        }
        "disease-correcting" => {
            app.open_disease(first);
            let disease = w.global::<DiseaseAdapter<'_>>();
            disease.set_confirming_removal(true);
            disease.set_removal_reason("主治医の確認で誤りと分かった".into());
            let latest = slint::Model::row_data(&disease.get_history(), 0).map(|r| r.id);
            disease.invoke_start_correction(latest.unwrap_or_default());
            disease.set_fix_status(4);
            disease.set_fix_reason("受診日を取り違えた".into());
        }
        "scan" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_sync();
            // The camera's picture as the scan shows it, set directly: run
            // for real, the scan would read the code and start pairing.
            let sync = w.global::<SyncAdapter<'_>>();
            sync.set_state(SyncState::Scanning);
            sync.set_camera_frame(slint::Image::from_rgba8(qr_frame(
                "TSUNAGI1-192.168.10.20:47800-EXAMPLE",
            )));
        }
        _ => app.open_disease(first),
    }
    // SCREENS_SIZE=800x1280: the window at that size (portrait shots on an
    // X server with no window manager, where nothing else resizes it).
    if let Some((width, height)) = std::env::var("SCREENS_SIZE").ok().and_then(|s| {
        Some((
            s.split_once('x')?.0.parse().ok()?,
            s.split_once('x')?.1.parse().ok()?,
        ))
    }) {
        w.window().set_fullscreen(false);
        w.window().set_size(slint::LogicalSize::new(width, height));
    }
    app.run()
}

/// Colleagues' cases made from the demo cases, their clients consented to
/// their use as similar cases (事例検討への活用), and one without it.
fn similar_cases(store: &mut Store) -> anyhow::Result<()> {
    use tsunagi_core::model::{
        ConsentRecord, ConsentScope, EmploymentType, FollowUp, FollowUpKind, HireConfirmation,
        JobCategory, SupportStage,
    };
    let day = |y, m, d| time::Date::from_calendar_date(y, m, d);
    let consent = ConsentRecord {
        scope: ConsentScope::CaseStudy,
        given_on: Some(day(2025, time::Month::January, 10)?),
        ..ConsentRecord::new()
    };
    let demo = demo_cases();
    // Crohn's disease, the same issues, hired and kept for six months.
    let mut hired = demo[0].clone();
    if let Some(disease) = hired.basic.diseases.first_mut() {
        disease.reference_id = Some("crohns-disease".into());
        disease.name = "クローン病".into();
    }
    hired.stage = SupportStage::FollowUp;
    let hired_on = day(2025, time::Month::April, 1)?;
    hired.monitoring.hire = Some(HireConfirmation {
        employer_id: hired.job_match.employers[0].id.clone(),
        hired_on: Some(hired_on),
        job_category: Some(JobCategory::Clerical),
        employment_type: Some(EmploymentType::PartTime),
        disability_employment: true,
        ..HireConfirmation::default()
    });
    hired.monitoring.follow_ups = vec![FollowUp::new(
        day(2025, time::Month::November, 5)?,
        FollowUpKind::WorkplaceVisit,
    )];
    // Ulcerative colitis, negotiating like the first demo case.
    let negotiating = demo[0].clone();
    let mut others = vec![hired, negotiating, demo[2].clone(), demo[3].clone()];
    for case in &mut others {
        case.consents.push(consent.clone());
    }
    // The same again, without the client's consent: counted, not shown.
    others.push(demo[0].clone());
    for case in &others {
        store.create_case(case)?;
    }
    Ok(())
}

/// For the `disease-…` modes: on the first demo case, the type (病型) set,
/// a second disease entered by mistake and removed, the latest status
/// entry corrected, and a target occupation saved.
fn corrected_disease(store: &mut Store, case: CaseId) -> anyhow::Result<()> {
    use tsunagi_core::model::{Disease, DiseaseStatus, Section, StatusChange, TargetOccupation};
    let mut loaded = store.load_case(case)?;
    let day = |y, m, d| time::Date::from_calendar_date(y, m, d);
    let mut mistake = Disease::new(Some("crohns-disease"), "クローン病");
    mistake.remove(
        day(2026, time::Month::November, 2)?,
        "admin",
        "別の方の病名を誤って登録",
    )?;
    loaded.basic.diseases.push(mistake);
    let uc = loaded
        .basic
        .diseases
        .first_mut()
        .ok_or_else(|| anyhow::anyhow!("the first demo case has a disease"))?;
    uc.set_subtype("全大腸炎型");
    let wrong = uc
        .latest_change()
        .map(|c| (c.id.clone(), c.date))
        .ok_or_else(|| anyhow::anyhow!("the disease has a history"))?;
    let fixed = StatusChange {
        date: wrong.1,
        ..StatusChange::new(
            day(2026, time::Month::January, 1)?,
            DiseaseStatus::Remission,
            "血便なし",
        )
    };
    uc.correct_status(
        &wrong.0,
        fixed,
        day(2026, time::Month::November, 3)?,
        "admin",
        "改善ではなく寛解と診断されていた",
    )?;
    loaded.case_management.target_occupation = Some(TargetOccupation::from_reference(
        "product-inspector",
        "検品・検査",
    ));
    store.save_section(case, &Section::Basic(loaded.basic))?;
    store.save_section(case, &Section::CaseManagement(loaded.case_management))?;
    Ok(())
}

/// Two photos and a clip of the test pattern for `case`: the first photo
/// and the clip approved by the client, the second photo not.
fn add_media(store: &mut Store, case: CaseId) -> anyhow::Result<()> {
    let photo = av::capture_photo(&Source::Test)?;
    let details = |illustrates: &str, caption: &str| MediaDetails {
        caption: caption.into(),
        illustrates: illustrates.into(),
        taken_at: Timestamp::parse("2026-11-20T10:00:00+09:00"),
    };
    let shown = store.import_photo(
        case,
        &photo,
        &details("丁寧な作業", "職場体験で部品の検品をしているところ"),
    )?;
    store.set_media_approval(case, shown, true)?;
    store.import_photo(case, &photo, &details("", "まだ本人の承認を得ていない写真"))?;
    let limits = av::Limits {
        max_duration: std::time::Duration::from_secs(2),
        max_bytes: 50 * 1024 * 1024,
    };
    let recording = av::record_clip(
        &Source::Test,
        limits,
        std::io::Cursor::new(Vec::new()),
        None,
    )?;
    let encoded = recording.wait()?;
    let bytes = encoded.writer.into_inner();
    let poster = av::poster(std::io::Cursor::new(bytes.clone()))?;
    let mut writer = store.begin_video(case)?;
    std::io::Write::write_all(&mut writer, &bytes)?;
    let written = writer.finish()?;
    let clip = store.commit_video(
        case,
        written,
        &poster,
        &VideoInfo {
            mime: "video/mp4".into(),
            duration_ms: u64::try_from(encoded.duration.as_millis()).unwrap_or(0),
        },
        &details("作業の手順を守る", "検品の手順を説明する動画"),
    )?;
    store.set_media_approval(case, clip, true)?;
    Ok(())
}

/// Where `carry-import` finds its record: beside the store's folder.
fn carry_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.with_extension("carry.age")
}

/// A client's own record of `case` (the career plan, the job match, its
/// first disease and the first approved photo) beside `dir`, its
/// passphrase in a `.txt` beside it.
fn carry_file(store: &mut Store, case: CaseId, dir: &std::path::Path) -> anyhow::Result<()> {
    use tsunagi_core::carry::{CarryChoice, CarryPassphrase, DiseasePick, write_carry_file};
    use tsunagi_core::model::SectionName;
    let photo = store
        .list_media(case)?
        .into_iter()
        .find(|i| i.approval.is_some() && i.kind == tsunagi_core::media::MediaKind::Photo)
        .ok_or_else(|| anyhow::anyhow!("an approved photo"))?;
    let choice = CarryChoice {
        sections: [SectionName::CareerPlan, SectionName::JobMatch].into(),
        diseases: vec![DiseasePick::Number(1)],
        media: vec![photo.id],
    };
    let passphrase = CarryPassphrase::generate();
    let out = carry_path(dir);
    write_carry_file(store, case, &choice, &passphrase, "tsunagi", &out)?;
    std::fs::write(out.with_extension("txt"), passphrase.expose())?;
    Ok(())
}

/// A 640×480 camera frame of a screen showing `text` as a QR code.
fn qr_frame(text: &str) -> av::Frame {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("fits a code");
    let side = code.width();
    let colors = code.to_colors();
    let (scale, left, top) = (8usize, 200usize, 60usize);
    let mut frame = av::Frame::new(640, 480);
    for (i, p) in frame.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = (i % 640, i / 640);
        let (mx, my) = (
            (x.wrapping_sub(left)) / scale,
            (y.wrapping_sub(top)) / scale,
        );
        let on = x >= left
            && y >= top
            && mx < side
            && my < side
            && colors[my * side + mx] == qrcode::Color::Dark;
        let v = if on {
            30
        } else if x >= left - 32
            && x < left + side * scale + 32
            && y >= top - 32
            && y < top + side * scale + 32
        {
            235
        } else {
            120
        };
        *p = slint::Rgba8Pixel {
            r: v,
            g: v,
            b: v.saturating_add(6),
            a: 255,
        };
    }
    frame
}

/// The store in `dir` backed up without personal data and restored onto a
/// new store beside it (`dir` with `-restored`); the new store's folder.
fn restored(
    dir: &std::path::Path,
    keychain: &Arc<dyn Keychain>,
    store_options: StoreOptions,
) -> anyhow::Result<std::path::PathBuf> {
    use tsunagi_core::backup::{BackupFile, SealTo, Unseal, restore_backup, write_backup};
    let office = tsunagi_core::seal::DeviceKeys::generate();
    let file = dir.with_extension("age");
    let mut source = Store::unlock(dir, Arc::clone(keychain), "admin", PASSWORD)?;
    write_backup(
        &mut source,
        &SealTo::Key(office.recipient()),
        "tsunagi",
        &file,
    )?;
    drop(source);
    let target = dir.with_file_name(format!(
        "{}-restored",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("shots")
    ));
    let _ = std::fs::remove_dir_all(&target);
    let (mut store, _) = Store::create(
        &target,
        Arc::clone(keychain),
        "admin",
        PASSWORD,
        store_options,
    )?;
    let backup = BackupFile::open(std::fs::File::open(&file)?)?.unseal(&Unseal::device(&office))?;
    restore_backup(&mut store, backup)?;
    Ok(target)
}

/// Gives the case `id` the welfare demo case's programme, with a period
/// of six months from its consent and one extension of three months.
fn programme_with_period(store: &mut Store, id: CaseId) -> anyhow::Result<()> {
    let mut programme = demo_cases()
        .into_iter()
        .flat_map(|c| c.programmes)
        .next()
        .ok_or_else(|| anyhow::anyhow!("a demo case is on a programme"))?;
    let start = time::macros::date!(2024 - 04 - 22);
    programme.period = tsunagi_core::model::ProgrammePeriod::of_months(start, 6);
    programme
        .period
        .extensions
        .push(tsunagi_core::model::ProgrammeExtension::new(
            time::macros::date!(2025 - 01 - 21),
            "応募先を事務職に広げて続ける",
        ));
    store.save_section(
        id,
        &tsunagi_core::model::Section::Programmes(vec![programme]),
    )?;
    Ok(())
}
