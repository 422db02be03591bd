//! The five documents rendered from cases held in a real companion store:
//! every filled value comes back from the PDF in order (pdftotext), fonts are
//! embedded subsets (pdffonts), the files are sound (qpdf --check), every page
//! carries "n / N", no line starts with 、 or 。, long cases run over pages,
//! and with the disease not disclosed the profile and the proposal name no
//! disease at all.

mod common;

use common::{Pdf, demo_store, fixed_meta, long_case, normalise};
use tsunagi_companion::documents::{
    self, ApprovedPhoto, DocumentError, DocumentKind, Request, format_date, format_number,
    format_opt_date,
};
use tsunagi_core::model::{Case, Disclosure, Employer, TextItem};
use tsunagi_core::reference::{AccommodationId, IssueCode, ReferenceDb};

fn reference() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference loads")
}

fn texts(items: &[TextItem]) -> Vec<String> {
    items.iter().map(|i| i.text.expose().clone()).collect()
}

fn accommodation(db: &ReferenceDb, a: &tsunagi_core::model::Accommodation) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = a
        .reference_id
        .as_deref()
        .and_then(|id| AccommodationId::new(id).ok())
        .and_then(|id| db.accommodation(&id))
    {
        out.push(text.text.ja.clone());
    }
    out.push(a.text.expose().clone());
    out
}

fn issue_name(db: &ReferenceDb, code: &str) -> String {
    db.issue(&IssueCode::new(code).expect("code"))
        .map(|i| i.name.ja.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// Every filled value the document must show, in the order it shows them,
/// taken from the model field by field.
fn expected(
    case: &Case,
    kind: DocumentKind,
    employer: Option<&Employer>,
    db: &ReferenceDb,
) -> Vec<String> {
    let b = &case.basic;
    let d = &case.career_plan.discovery;
    let c = &d.conditions;
    let health = documents::HealthShown::for_disclosure(case.disclosure);
    let hours = |h: Option<f32>| {
        h.map(|h| format!("{}時間", format_number(h)))
            .unwrap_or_default()
    };
    let mut v: Vec<String> = Vec::new();
    match kind {
        DocumentKind::Profile => {
            v.extend([b.name.expose().clone(), b.kana.expose().clone()]);
            v.extend(b.birth_year.map(|y| format!("{y}年")));
            v.push(b.sex.label_ja().to_owned());
            v.push(d.narrative.expose().clone());
            for list in [
                &d.strengths,
                &d.interests,
                &d.achievements,
                &d.preferred_work,
            ] {
                v.extend(texts(list));
            }
            v.extend([
                hours(c.hours_per_week),
                hours(c.hours_per_day),
                c.days_per_week
                    .map(|n| format!("{n}日"))
                    .unwrap_or_default(),
                c.time_of_day.clone(),
                c.max_commute_minutes
                    .map(|m| format!("{m}分以内"))
                    .unwrap_or_default(),
                c.commute_means.clone(),
            ]);
            if health.needs() {
                v.extend([c.environment.expose().clone(), c.other.expose().clone()]);
            }
            for q in &b.qualifications {
                v.extend([q.name.clone(), format_opt_date(q.acquired_on)]);
            }
            for e in &b.education {
                v.extend([
                    e.level.label_ja().to_owned(),
                    e.school.expose().clone(),
                    e.field.clone(),
                    format_opt_date(e.from),
                    format_opt_date(e.to),
                ]);
            }
            for w in &b.work_history {
                v.extend([
                    w.employer.expose().clone(),
                    w.industry.clone(),
                    w.job.clone(),
                ]);
                v.extend(w.employment_type.map(|t| t.label_ja().to_owned()));
                v.extend([format_opt_date(w.from), format_opt_date(w.to)]);
            }
            if health.disease() {
                for x in &b.diseases {
                    v.extend([x.name.clone(), x.subtype.clone()]);
                }
            }
        }
        DocumentKind::CareerPlan => {
            v.extend([
                b.name.expose().clone(),
                b.kana.expose().clone(),
                format_opt_date(*b.birth_date.expose()),
                case.stage.label_ja().to_owned(),
            ]);
            for list in [
                &d.strengths,
                &d.interests,
                &d.preferred_work,
                &d.achievements,
            ] {
                v.extend(texts(list));
            }
            v.push(d.narrative.expose().clone());
            v.extend([
                hours(c.hours_per_week),
                hours(c.hours_per_day),
                c.days_per_week
                    .map(|n| format!("{n}日"))
                    .unwrap_or_default(),
                c.time_of_day.clone(),
                c.max_commute_minutes
                    .map(|m| format!("{m}分以内"))
                    .unwrap_or_default(),
                c.commute_means.clone(),
                c.environment.expose().clone(),
                c.other.expose().clone(),
            ]);
            for a in &d.activities {
                v.extend([
                    format_opt_date(a.date),
                    a.kind.label_ja().to_owned(),
                    a.content.expose().clone(),
                ]);
            }
            for m in &case.career_plan.meetings {
                v.push(format_opt_date(m.date));
                for a in &m.attendees {
                    v.extend([a.name.expose().clone(), a.role.clone()]);
                }
                v.push(m.minutes.expose().clone());
            }
            v.push(case.career_plan.direction.summary.expose().clone());
            v.extend(case.career_plan.direction.job_areas.iter().cloned());
            v.extend(
                case.career_plan
                    .agreeing_meeting()
                    .map(|m| format_opt_date(m.date)),
            );
        }
        DocumentKind::Proposal => {
            let e = employer.expect("an employer for the proposal");
            v.extend([
                e.name.expose().clone(),
                e.industry.clone(),
                e.address.expose().clone(),
                e.contact_person.expose().clone(),
                e.contact.expose().clone(),
                e.status.label_ja().to_owned(),
                b.name.expose().clone(),
                b.kana.expose().clone(),
            ]);
            v.extend(texts(&e.business_needs));
            for t in &e.tasks {
                v.extend([t.name.clone(), t.frequency.clone()]);
                v.extend(t.minutes.map(|m| format!("{m}分")));
                for id in &t.strength_ids {
                    v.extend(
                        d.strengths
                            .iter()
                            .filter(|s| &s.id == id)
                            .map(|s| s.text.expose().clone()),
                    );
                }
                if health.needs() {
                    v.push(t.note.expose().clone());
                }
            }
            v.extend(texts(&d.strengths));
            v.extend(texts(&d.interests));
            v.extend(texts(&d.preferred_work));
            let mut conditions = vec![&e.proposed];
            if !e.negotiated.is_empty() {
                conditions.push(&e.negotiated);
            }
            for cond in conditions {
                v.push(format_opt_date(cond.date));
                v.push(hours(cond.hours_per_week));
                v.extend(cond.days_per_week.map(|n| format!("{n}日")));
                v.push(cond.schedule.clone());
                v.extend(
                    cond.wage
                        .as_ref()
                        .map(|w| format!("{}{}円", w.unit.label_ja(), w.amount_yen)),
                );
                for id in &cond.duties {
                    v.extend(e.task(id).map(|t| t.name.clone()));
                }
                if health.needs() {
                    for a in &cond.accommodations {
                        v.extend(accommodation(db, a));
                    }
                    v.push(cond.note.expose().clone());
                }
            }
            if health.needs() {
                for a in &e.adjustments {
                    if health.disease() {
                        v.push(a.problem.expose().clone());
                    }
                    v.push(a.adjustment.expose().clone());
                }
            }
            if health.disease() {
                for x in &b.diseases {
                    v.extend([x.name.clone(), x.subtype.clone()]);
                }
            }
        }
        DocumentKind::SupportPlan => {
            let cm = &case.case_management;
            let plan = &cm.support_plan;
            v.extend([
                tsunagi_core::model::revision_title_ja(plan.revision, None),
                format_opt_date(plan.revised_on),
                case.stage.label_ja().to_owned(),
                case.disclosure.label_ja().to_owned(),
                b.name.expose().clone(),
                b.kana.expose().clone(),
                format_opt_date(*b.birth_date.expose()),
                b.sex.label_ja().to_owned(),
                b.address.expose().clone(),
                b.phone.expose().clone(),
                b.email.expose().clone(),
                b.note.expose().clone(),
            ]);
            for x in &b.diseases {
                v.extend([x.name.clone(), x.subtype.clone()]);
                for s in &x.status_history {
                    v.extend([
                        format_opt_date(s.date),
                        s.status.label_ja().to_owned(),
                        s.note.expose().clone(),
                    ]);
                }
                v.push(x.note.expose().clone());
            }
            for c in &b.disability_certificates {
                v.extend([
                    c.kind.full_name_ja().to_owned(),
                    c.grade.clone(),
                    format_opt_date(c.issued_on),
                    format_opt_date(c.renewal_on),
                ]);
            }
            if let Some(p) = &b.disability_pension {
                v.extend([
                    p.kind.label_ja().to_owned(),
                    format_opt_date(p.since),
                    format_opt_date(p.renewal_on),
                ]);
            }
            for m in &b.medical_certificates {
                v.extend([m.kind.label_ja().to_owned(), format_opt_date(m.valid_until)]);
            }
            for f in &b.family {
                v.extend([
                    f.relation.clone(),
                    f.name.expose().clone(),
                    f.note.expose().clone(),
                ]);
            }
            for s in &b.supporters {
                v.extend([
                    s.relation.clone(),
                    s.name.expose().clone(),
                    s.role.expose().clone(),
                    s.contact.expose().clone(),
                ]);
            }
            for i in &cm.vocational_issues {
                v.extend(i.code.as_deref().map(|c| issue_name(db, c)));
                v.push(i.text.expose().clone());
                for a in &i.accommodations {
                    v.extend(accommodation(db, a));
                }
                v.push(i.note.expose().clone());
            }
            for p in &plan.items {
                v.extend([
                    p.action.expose().clone(),
                    p.who.expose().clone(),
                    p.agency.clone(),
                    format_opt_date(p.due),
                    p.status.label_ja().to_owned(),
                ]);
            }
            for c in &case.consultations {
                v.extend([format_opt_date(c.date), c.kind.label_ja().to_owned()]);
                v.extend(c.duration_minutes.map(|m| format!("{m}分")));
                v.extend(
                    c.employer_id
                        .as_deref()
                        .and_then(|id| case.job_match.employer(id))
                        .map(|e| e.name.expose().clone()),
                );
                v.extend([
                    c.content.expose().clone(),
                    c.next_step.expose().clone(),
                    c.author.expose().clone(),
                ]);
            }
            for p in &case.programmes {
                v.extend([
                    p.programme.clone(),
                    p.agency.clone(),
                    format_opt_date(p.selected_on),
                    p.selection_criterion.clone(),
                    format_opt_date(p.consent_on),
                    format_opt_date(p.plan_agreed_on),
                ]);
                v.extend(p.review_interval_months.map(|m| format!("{m}か月")));
                v.extend([p.selection_reason.expose().clone(), p.note.expose().clone()]);
                for g in &p.goals {
                    v.extend([
                        g.goal.expose().clone(),
                        format_opt_date(g.target_date),
                        format_opt_date(g.achieved_on),
                    ]);
                }
                for r in &p.reviews {
                    v.extend([
                        format_opt_date(r.date),
                        r.outcome.label_ja().to_owned(),
                        r.reason.expose().clone(),
                    ]);
                }
                for w in &p.barriers {
                    v.extend([
                        w.kind.label_ja().to_owned(),
                        w.description.expose().clone(),
                        w.resolution.expose().clone(),
                        format_opt_date(w.resolved_on),
                    ]);
                }
            }
            for c in &case.consents {
                v.extend([
                    c.scope.label_ja().to_owned(),
                    c.content.expose().clone(),
                    c.recipient.expose().clone(),
                    format_opt_date(c.given_on),
                    format_opt_date(c.withdrawn_on),
                ]);
            }
        }
        DocumentKind::Summary => {
            let m = &case.monitoring;
            let s = &m.summary;
            v.extend([
                b.name.expose().clone(),
                b.kana.expose().clone(),
                case.stage.label_ja().to_owned(),
                s.outcome.label_ja().to_owned(),
                format_opt_date(s.written_on),
                s.text.expose().clone(),
            ]);
            let mut course: Vec<(Option<time::Date>, String)> = Vec::new();
            course.extend(
                d.activities
                    .iter()
                    .map(|a| (a.date, a.content.expose().clone())),
            );
            course.extend(
                case.career_plan
                    .meetings
                    .iter()
                    .map(|x| (x.date, x.minutes.expose().clone())),
            );
            course.extend(
                case.consultations
                    .iter()
                    .map(|x| (x.date, x.content.expose().clone())),
            );
            course.sort_by_key(|(date, _)| *date);
            for (date, text) in course {
                v.extend([format_opt_date(date), text]);
            }
            v.push(case.career_plan.direction.summary.expose().clone());
            for e in &case.job_match.employers {
                v.extend([
                    e.name.expose().clone(),
                    e.industry.clone(),
                    e.status.label_ja().to_owned(),
                    format_opt_date(e.proposed.date),
                    format_opt_date(e.negotiated.date),
                ]);
            }
            if let Some(h) = &m.hire {
                v.extend(
                    case.job_match
                        .employer(&h.employer_id)
                        .map(|e| e.name.expose().clone()),
                );
                v.extend([
                    format_opt_date(h.hired_on),
                    h.job_title.clone(),
                    hours(h.hours_per_week),
                ]);
                v.extend(h.employment_type.map(|t| t.label_ja().to_owned()));
                v.extend(h.job_category.map(|t| t.label_ja().to_owned()));
                v.extend([
                    format_opt_date(h.left_on),
                    h.leaving_reason.expose().clone(),
                    h.note.expose().clone(),
                ]);
            }
            for f in &m.follow_ups {
                v.extend([
                    format_opt_date(f.date),
                    f.kind.label_ja().to_owned(),
                    f.health_changes.expose().clone(),
                    f.work_changes.expose().clone(),
                    f.notes.expose().clone(),
                ]);
            }
            for r in &m.reviews {
                v.extend([
                    format_opt_date(r.date),
                    r.evaluation.expose().clone(),
                    r.changes.expose().clone(),
                ]);
            }
            for c in &s.confirmations {
                v.extend([c.supporter.expose().clone(), c.agency.clone()]);
                v.push(
                    c.confirmed_on
                        .map(format_date)
                        .unwrap_or_else(|| "確認待ち".to_owned()),
                );
            }
        }
    }
    v.retain(|x| !x.trim().is_empty());
    v
}

/// Renders, checks the file as a whole, and checks every expected value.
fn check_document(
    case: &Case,
    kind: DocumentKind,
    employer: Option<&Employer>,
    db: &ReferenceDb,
    meta: &documents::DocumentMeta,
) -> Pdf {
    let request = Request {
        employer_id: employer.map(|e| e.id.as_str()),
        ..Request::new(kind)
    };
    let bytes = documents::render(case, meta, &request, db).expect("renders");
    let pdf = Pdf::new(bytes);
    pdf.check_sound();
    let text = pdf.raw_text();
    let values = expected(case, kind, employer, db);
    common::assert_in_order(&text, &values, kind.slug());
    pdf
}

#[test]
fn every_document_of_every_demo_case_gives_back_its_values_in_order() {
    let db = reference();
    let (_dir, mut store, ids) = demo_store();
    for id in ids {
        let case = store.load_case(id).expect("loads");
        let meta = documents::DocumentMeta::from_store(&mut store, id, time::UtcOffset::UTC)
            .expect("meta");
        assert_eq!(meta.case_number, id.to_string());
        for kind in DocumentKind::ALL {
            if kind == DocumentKind::Proposal {
                for employer in &case.job_match.employers {
                    check_document(&case, kind, Some(employer), &db, &meta);
                }
            } else {
                let pdf = check_document(&case, kind, None, &db, &meta);
                let text = normalise(&pdf.raw_text());
                assert!(text.contains(&normalise(kind.title_ja())), "{kind}: title");
                assert!(
                    text.contains(&normalise(&format!("第{}版", meta.revision))),
                    "{kind}: revision"
                );
                assert!(
                    text.contains(&normalise(&id.to_string())),
                    "{kind}: case number"
                );
            }
        }
    }
}

#[test]
fn a_long_case_runs_over_pages_with_numbers_and_nothing_lost() {
    let db = reference();
    let case = long_case();
    let meta = fixed_meta();
    for kind in DocumentKind::ALL {
        let employer = (kind == DocumentKind::Proposal).then(|| &case.job_match.employers[0]);
        let pdf = check_document(&case, kind, employer, &db, &meta);
        let pages = pdf.pages();
        assert!(pages > 1, "{kind}: {pages} page(s)");
        eprintln!("{kind}: {pages} pages, {} bytes", pdf.bytes.len());
    }
}

#[test]
fn with_the_disease_not_disclosed_no_disease_name_reaches_an_employer_document() {
    let db = reference();
    let mut names: Vec<String> = Vec::new();
    for d in db.diseases() {
        names.push(d.name.ja.clone());
        if !d.name.en.trim().is_empty() {
            names.push(d.name.en.clone());
        }
    }
    assert!(names.len() > 10, "the reference lists diseases");
    let meta = fixed_meta();
    let mut cases = tsunagi_core::model::demo_cases();
    cases.push(long_case());
    for mut case in cases {
        let own: Vec<String> = case.basic.diseases.iter().map(|d| d.name.clone()).collect();
        for disclosure in [
            Disclosure::NotDisclosed,
            Disclosure::Partial,
            Disclosure::Disclosed,
        ] {
            case.disclosure = disclosure;
            for kind in [DocumentKind::Profile, DocumentKind::Proposal] {
                if kind == DocumentKind::Proposal && case.job_match.employers.is_empty() {
                    continue;
                }
                let bytes =
                    documents::render(&case, &meta, &Request::new(kind), &db).expect("renders");
                let text = normalise(&Pdf::new(bytes).raw_text()).to_lowercase();
                let found: Vec<&String> = names
                    .iter()
                    .chain(&own)
                    .filter(|n| text.contains(&normalise(n).to_lowercase()))
                    .collect();
                if disclosure == Disclosure::Disclosed {
                    assert!(
                        own.iter()
                            .all(|n| text.contains(&normalise(n).to_lowercase())),
                        "{kind}: a disclosed disease is named"
                    );
                } else {
                    assert!(found.is_empty(), "{kind} {disclosure:?} names {found:?}");
                }
            }
        }
    }
}

#[test]
fn partial_disclosure_shows_the_accommodations_but_not_the_problems() {
    let db = reference();
    let case = tsunagi_core::model::demo_cases()
        .into_iter()
        .find(|c| c.disclosure == Disclosure::Partial)
        .expect("a partly disclosed demo case");
    let employer = &case.job_match.employers[0];
    let bytes = documents::render(
        &case,
        &fixed_meta(),
        &Request::new(DocumentKind::Proposal),
        &db,
    )
    .expect("renders");
    let text = normalise(&Pdf::new(bytes).raw_text());
    for a in &employer.adjustments {
        assert!(text.contains(&normalise(a.adjustment.expose())));
        assert!(!text.contains(&normalise(a.problem.expose())));
    }
    for a in &employer.proposed.accommodations {
        for part in accommodation(&db, a) {
            assert!(text.contains(&normalise(&part)), "accommodation shown");
        }
    }
}

#[test]
fn approved_photos_are_placed_in_the_profile_and_a_bad_one_is_refused_plainly() {
    let db = reference();
    let case = tsunagi_core::model::demo_cases().remove(0);
    let jpeg = |blue: u8| {
        let mut bytes = Vec::new();
        let image = image::RgbImage::from_fn(320, 240, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, blue])
        });
        image::DynamicImage::ImageRgb8(image)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Jpeg,
            )
            .expect("encodes a JPEG");
        bytes
    };
    let photos = vec![
        ApprovedPhoto {
            jpeg: jpeg(40),
            caption: "職場体験で書類を整理しているところ".into(),
        },
        ApprovedPhoto {
            jpeg: jpeg(200),
            caption: "育てているハーブ".into(),
        },
    ];
    let request = Request {
        photos: &photos,
        ..Request::new(DocumentKind::Profile)
    };
    let pdf = Pdf::new(documents::render(&case, &fixed_meta(), &request, &db).expect("renders"));
    pdf.check_sound();
    assert_eq!(pdf.image_count(), 2, "both photos are in the PDF");
    let text = normalise(&pdf.raw_text());
    assert!(text.contains(&normalise("職場体験で書類を整理しているところ")));

    let bad = vec![ApprovedPhoto {
        jpeg: b"not a jpeg".to_vec(),
        caption: "秘密のキャプション".into(),
    }];
    let request = Request {
        photos: &bad,
        ..Request::new(DocumentKind::Profile)
    };
    let err = documents::render(&case, &fixed_meta(), &request, &db).expect_err("refused");
    assert!(matches!(err, DocumentError::PhotoUnreadable { index: 1 }));
    assert!(!err.to_string().contains("秘密"), "{err}");
}

#[test]
fn a_proposal_for_an_unknown_employer_is_refused() {
    let db = reference();
    let case = tsunagi_core::model::demo_cases().remove(0);
    let request = Request {
        employer_id: Some("no-such-employer"),
        ..Request::new(DocumentKind::Proposal)
    };
    let err = documents::render(&case, &fixed_meta(), &request, &db).expect_err("refused");
    assert!(matches!(err, DocumentError::EmployerNotFound(_)), "{err:?}");
    let empty = Case::new();
    let err = documents::render(
        &empty,
        &fixed_meta(),
        &Request::new(DocumentKind::Proposal),
        &db,
    )
    .expect_err("refused");
    assert!(matches!(err, DocumentError::NoEmployer), "{err:?}");
}

#[test]
fn an_empty_case_renders_every_other_document() {
    let db = reference();
    for kind in DocumentKind::ALL
        .into_iter()
        .filter(|k| *k != DocumentKind::Proposal)
    {
        let pdf = Pdf::new(
            documents::render(&Case::new(), &fixed_meta(), &Request::new(kind), &db)
                .expect("renders"),
        );
        pdf.check_sound();
        assert_eq!(pdf.pages(), 1, "{kind}");
    }
}

#[test]
fn the_title_block_dates_are_the_offices_dates() {
    let (_dir, mut store, ids) = demo_store();
    let east = time::UtcOffset::from_hms(14, 0, 0).expect("an offset");
    let west = time::UtcOffset::from_hms(-12, 0, 0).expect("an offset");
    let mut at =
        |offset| documents::DocumentMeta::from_store(&mut store, ids[0], offset).expect("meta");
    let (in_east, in_west) = (at(east), at(west));
    // 26 hours apart: the same moment is a later day in the east.
    assert!(in_east.created_on > in_west.created_on);
    assert!(in_east.revised_on > in_west.revised_on);
    assert_eq!(in_east.generated_at.offset(), east);
}
