//! 総括 — the whole course from discovery to outcome: discovery, the
//! planning meetings, the employers approached, the hire, follow-ups,
//! reviews and the closing text, with each supporter's confirmation.

use super::layout::{Doc, col, seal_col};
use super::{
    BasicField, Ctx, DocumentError, DocumentKind, basic_rows, format_number, format_opt_date,
};

/// Renders the summary.
pub(crate) fn render(ctx: &Ctx<'_>) -> Result<Vec<u8>, DocumentError> {
    let case = ctx.case;
    let m = &case.monitoring;
    let s = &m.summary;
    let mut doc = Doc::new(DocumentKind::Summary.title_ja(), ctx.meta);

    doc.heading("本人と結果");
    doc.form(
        2,
        &basic_rows(
            &case.basic,
            &[BasicField::Name, BasicField::Kana],
            [
                ("支援段階", case.stage.label_ja().to_owned()),
                ("支援の結果", s.outcome.label_ja().to_owned()),
                ("作成日", format_opt_date(s.written_on)),
            ],
        ),
    );
    doc.heading("総括");
    doc.paragraph(s.text.expose());

    doc.heading("支援の経過");
    let mut course: Vec<(Option<time::Date>, String, String)> = Vec::new();
    for a in &case.career_plan.discovery.activities {
        course.push((
            a.date,
            format!("ディスカバリー（{}）", a.kind.label_ja()),
            a.content.expose().clone(),
        ));
    }
    for meeting in &case.career_plan.meetings {
        course.push((
            meeting.date,
            "計画ミーティング".to_owned(),
            meeting.minutes.expose().clone(),
        ));
    }
    for c in &case.consultations {
        course.push((
            c.date,
            format!("相談（{}）", c.kind.label_ja()),
            c.content.expose().clone(),
        ));
    }
    course.sort_by_key(|(date, _, _)| *date);
    let rows: Vec<Vec<String>> = course
        .into_iter()
        .map(|(date, what, text)| vec![format_opt_date(date), what, text])
        .collect();
    if !rows.is_empty() {
        doc.table(
            &[col("日付", 1.2), col("段階・種別", 2.0), col("内容", 5.0)],
            &rows,
        );
    }

    if !case
        .career_plan
        .direction
        .summary
        .expose()
        .trim()
        .is_empty()
    {
        doc.form(
            1,
            &[(
                "キャリアの方向性",
                case.career_plan.direction.summary.expose().clone(),
            )],
        );
    }

    if !case.job_match.employers.is_empty() {
        doc.heading("事業所との状況");
        let rows: Vec<Vec<String>> = case
            .job_match
            .employers
            .iter()
            .map(|e| {
                vec![
                    e.name.expose().clone(),
                    e.industry.clone(),
                    e.status.label_ja().to_owned(),
                    format_opt_date(e.proposed.date),
                    format_opt_date(e.negotiated.date),
                ]
            })
            .collect();
        doc.table(
            &[
                col("事業所", 2.4),
                col("業種", 1.2),
                col("状況", 1.0),
                col("提案日", 1.3),
                col("合意日", 1.3),
            ],
            &rows,
        );
    }

    if let Some(h) = &m.hire {
        doc.heading("就職の確認");
        let employer = case
            .job_match
            .employer(&h.employer_id)
            .map(|e| e.name.expose().clone())
            .unwrap_or_default();
        doc.form(
            2,
            &[
                ("事業所", employer),
                ("就職日", format_opt_date(h.hired_on)),
                ("職名", h.job_title.clone()),
                (
                    "週の労働時間",
                    h.hours_per_week
                        .map(|x| format!("{}時間", format_number(x)))
                        .unwrap_or_default(),
                ),
                (
                    "雇用形態",
                    h.employment_type
                        .map(|t| t.label_ja().to_owned())
                        .unwrap_or_default(),
                ),
                (
                    "職業分類",
                    h.job_category
                        .map(|c| c.label_ja().to_owned())
                        .unwrap_or_default(),
                ),
                (
                    "障害者雇用",
                    if h.disability_employment {
                        "あり"
                    } else {
                        "なし"
                    }
                    .to_owned(),
                ),
                ("離職日", format_opt_date(h.left_on)),
            ],
        );
        doc.form(
            1,
            &[
                ("離職理由", h.leaving_reason.expose().clone()),
                ("備考", h.note.expose().clone()),
            ],
        );
    }

    if !m.follow_ups.is_empty() {
        doc.heading("定着支援");
        let rows: Vec<Vec<String>> = m
            .follow_ups
            .iter()
            .map(|f| {
                vec![
                    format_opt_date(f.date),
                    f.kind.label_ja().to_owned(),
                    f.health_changes.expose().clone(),
                    f.work_changes.expose().clone(),
                    f.notes.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("実施日", 1.2),
                col("方法", 1.2),
                col("健康状態の変化", 2.2),
                col("仕事の変化", 2.2),
                col("記録", 2.2),
            ],
            &rows,
        );
    }

    if !m.reviews.is_empty() {
        doc.heading("評価・見直し");
        let rows: Vec<Vec<String>> = m
            .reviews
            .iter()
            .map(|r| {
                vec![
                    format_opt_date(r.date),
                    r.evaluation.expose().clone(),
                    r.changes.expose().clone(),
                    if r.plan_revised { "改訂" } else { "" }.to_owned(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("実施日", 1.2),
                col("評価", 3.0),
                col("見直し内容", 3.0),
                col("計画", 0.8),
            ],
            &rows,
        );
    }

    doc.heading("支援者の確認");
    let mut rows: Vec<Vec<String>> = s
        .confirmations
        .iter()
        .map(|c| {
            vec![
                c.supporter.expose().clone(),
                c.agency.clone(),
                c.confirmed_on
                    .map(super::format_date)
                    .unwrap_or_else(|| "確認待ち".to_owned()),
                String::new(),
            ]
        })
        .collect();
    if rows.is_empty() {
        // Nobody recorded yet: lines to fill in and seal by hand.
        rows = vec![vec![String::new(); 4]; 3];
    }
    doc.table(
        &[
            col("支援者", 1.6),
            col("所属機関", 2.4),
            col("確認日", 1.4),
            seal_col("確認印", 1.0),
        ],
        &rows,
    );
    doc.seals(&["本人", "就業支援員"]);
    doc.finish()
}
