//! キャリア計画書 — for the planning meeting (計画ミーティング): what
//! discovery found, the activities behind it, the meetings held and the
//! career direction agreed.

use super::layout::{Doc, col};
use super::{
    BasicField, Ctx, DocumentError, DocumentKind, basic_rows, format_number, format_opt_date,
};

/// Renders the career plan.
pub(crate) fn render(ctx: &Ctx<'_>) -> Result<Vec<u8>, DocumentError> {
    let case = ctx.case;
    let b = &case.basic;
    let plan = &case.career_plan;
    let d = &plan.discovery;
    let mut doc = Doc::new(DocumentKind::CareerPlan.title_ja(), ctx.meta);

    doc.heading("本人");
    doc.form(
        2,
        &basic_rows(
            b,
            &[BasicField::Name, BasicField::Kana, BasicField::BirthDate],
            [("支援段階", case.stage.label_ja().to_owned())],
        ),
    );

    doc.heading("ディスカバリーの結果");
    let list = |items: &[tsunagi_core::model::TextItem]| {
        items
            .iter()
            .map(|i| format!("・{}", i.text.expose()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    doc.form(
        1,
        &[
            ("強み", list(&d.strengths)),
            ("興味・関心", list(&d.interests)),
            ("希望する仕事", list(&d.preferred_work)),
            ("実績", list(&d.achievements)),
            ("人物像", d.narrative.expose().clone()),
        ],
    );

    let c = &d.conditions;
    let hours = |h: Option<f32>| {
        h.map(|h| format!("{}時間", format_number(h)))
            .unwrap_or_default()
    };
    doc.heading("希望する条件");
    doc.form(
        2,
        &[
            ("週の労働時間", hours(c.hours_per_week)),
            ("1日の労働時間", hours(c.hours_per_day)),
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
        ],
    );
    doc.form(
        1,
        &[
            ("職場環境", c.environment.expose().clone()),
            ("その他の条件", c.other.expose().clone()),
        ],
    );

    if !d.activities.is_empty() {
        doc.heading("ディスカバリーの活動");
        let rows: Vec<Vec<String>> = d
            .activities
            .iter()
            .map(|a| {
                vec![
                    format_opt_date(a.date),
                    a.kind.label_ja().to_owned(),
                    a.content.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("実施日", 1.2),
                col("種別", 1.4),
                col("内容・わかったこと", 5.0),
            ],
            &rows,
        );
    }

    if !plan.meetings.is_empty() {
        doc.heading("計画ミーティング");
        let rows: Vec<Vec<String>> = plan
            .meetings
            .iter()
            .map(|m| {
                let attendees = m
                    .attendees
                    .iter()
                    .map(|a| format!("{}（{}）", a.name.expose(), a.role))
                    .collect::<Vec<_>>()
                    .join("\n");
                vec![
                    format_opt_date(m.date),
                    attendees,
                    m.minutes.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[col("開催日", 1.2), col("出席者", 2.4), col("記録", 4.0)],
            &rows,
        );
    }

    doc.heading("キャリアの方向性");
    let agreed = plan
        .agreeing_meeting()
        .map(|m| format_opt_date(m.date))
        .unwrap_or_default();
    doc.form(
        1,
        &[
            ("方向性", plan.direction.summary.expose().clone()),
            ("職務領域", plan.direction.job_areas.join("、")),
            ("合意した計画ミーティング", agreed),
        ],
    );
    doc.seals(&["本人", "就業支援員", "関係機関"]);
    doc.finish()
}
