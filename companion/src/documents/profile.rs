//! 個人プロフィール — the positive profile from discovery: who the person
//! is, their strengths, interests, achievements and the work they want,
//! with photos they approved. It goes to employers: health is shown only as
//! far as [`HealthShown`](super::HealthShown) allows.

use printpdf::RawImage;

use super::layout::Doc;
use super::{
    BasicField, Ctx, DocumentError, DocumentKind, basic_rows, format_date, format_number,
    format_opt_date,
};

/// Renders the profile.
pub(crate) fn render(
    ctx: &Ctx<'_>,
    photos: &[(RawImage, String)],
) -> Result<Vec<u8>, DocumentError> {
    let case = ctx.case;
    let b = &case.basic;
    let d = &case.career_plan.discovery;
    let health = ctx.health();
    let mut doc = Doc::new(DocumentKind::Profile.title_ja(), ctx.meta);

    doc.heading("本人について");
    doc.form(
        2,
        &basic_rows(
            b,
            &[
                BasicField::Name,
                BasicField::Kana,
                BasicField::BirthYear,
                BasicField::Sex,
            ],
            [],
        ),
    );
    if !d.narrative.expose().trim().is_empty() {
        doc.heading("人物像");
        doc.paragraph(d.narrative.expose());
    }
    if !photos.is_empty() {
        doc.heading("写真");
        doc.photos(photos);
    }
    for (title, list) in [
        ("強み", &d.strengths),
        ("興味・関心", &d.interests),
        ("実績", &d.achievements),
        ("希望する仕事", &d.preferred_work),
    ] {
        if list.is_empty() {
            continue;
        }
        doc.heading(title);
        let items: Vec<String> = list.iter().map(|i| i.text.expose().clone()).collect();
        doc.bullets(&items);
    }

    let c = &d.conditions;
    let mut conditions = vec![
        (
            "週の労働時間",
            c.hours_per_week
                .map(|h| format!("{}時間", format_number(h)))
                .unwrap_or_default(),
        ),
        (
            "1日の労働時間",
            c.hours_per_day
                .map(|h| format!("{}時間", format_number(h)))
                .unwrap_or_default(),
        ),
        (
            "週の勤務日数",
            c.days_per_week
                .map(|n| format!("{n}日"))
                .unwrap_or_default(),
        ),
        ("勤務時間帯", c.time_of_day.clone()),
        (
            "通勤時間",
            c.max_commute_minutes
                .map(|m| format!("{m}分以内"))
                .unwrap_or_default(),
        ),
        ("通勤手段", c.commute_means.clone()),
    ];
    if health.needs() {
        conditions.push(("職場環境", c.environment.expose().clone()));
        conditions.push(("その他の条件", c.other.expose().clone()));
    }
    conditions.retain(|(_, v)| !v.trim().is_empty());
    if !conditions.is_empty() {
        doc.heading("希望する条件");
        doc.form(1, &conditions);
    }

    if !b.qualifications.is_empty() {
        doc.heading("資格・免許");
        let rows: Vec<Vec<String>> = b
            .qualifications
            .iter()
            .map(|q| vec![q.name.clone(), format_opt_date(q.acquired_on)])
            .collect();
        doc.table(
            &[
                super::layout::col("資格・免許", 3.0),
                super::layout::col("取得日", 1.0),
            ],
            &rows,
        );
    }
    if !b.education.is_empty() {
        doc.heading("学歴");
        let rows: Vec<Vec<String>> = b
            .education
            .iter()
            .map(|e| {
                vec![
                    e.level.label_ja().to_owned(),
                    e.school.expose().clone(),
                    e.field.clone(),
                    format_opt_date(e.from),
                    format_opt_date(e.to),
                    e.completion.label_ja().to_owned(),
                ]
            })
            .collect();
        doc.table(
            &[
                super::layout::col("種類", 1.3),
                super::layout::col("学校名", 2.0),
                super::layout::col("学部・学科", 1.4),
                super::layout::col("入学", 1.2),
                super::layout::col("卒業・退学", 1.2),
                super::layout::col("", 0.7),
            ],
            &rows,
        );
    }
    if !b.work_history.is_empty() {
        doc.heading("職歴");
        let rows: Vec<Vec<String>> = b
            .work_history
            .iter()
            .map(|w| {
                vec![
                    w.employer.expose().clone(),
                    w.industry.clone(),
                    w.job.clone(),
                    w.employment_type
                        .map(|t| t.label_ja().to_owned())
                        .unwrap_or_default(),
                    format_opt_date(w.from),
                    w.to.map(format_date).unwrap_or_else(|| "在職中".to_owned()),
                ]
            })
            .collect();
        doc.table(
            &[
                super::layout::col("勤務先", 2.0),
                super::layout::col("業種", 1.1),
                super::layout::col("職種・仕事内容", 1.8),
                super::layout::col("雇用形態", 1.3),
                super::layout::col("入職", 1.2),
                super::layout::col("離職", 1.2),
            ],
            &rows,
        );
    }

    if health.disease() && b.current_diseases().next().is_some() {
        doc.heading("疾患・障害");
        let rows: Vec<Vec<String>> = b
            .current_diseases()
            .map(|d| vec![d.name.clone(), d.subtype.clone()])
            .collect();
        doc.table(
            &[
                super::layout::col("疾患名・障害名", 2.0),
                super::layout::col("病型", 1.0),
            ],
            &rows,
        );
    }
    if health.needs() {
        let sharing = ctx.employer_sharing();
        if !sharing.is_empty() {
            doc.heading("開示の範囲");
            doc.form(1, &[("開示", ctx.case.disclosure.label_ja().to_owned())]);
            doc.bullets(&sharing);
        }
    }
    doc.note("この資料は、本人の強みと希望を関係者に知ってもらうために本人の同意を得て作成したものです。");
    doc.seals(&["本人"]);
    doc.finish()
}
