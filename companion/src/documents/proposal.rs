//! カスタマイズ就業提案書 — the proposal to one employer: the business's
//! needs, the task list, the person's strengths that match them and the
//! proposed conditions. It goes to the employer: health is shown only as
//! far as [`HealthShown`](super::HealthShown) allows.

use tsunagi_core::model::{Employer, JobConditions};

use super::layout::{Doc, col};
use super::{
    BasicField, Ctx, DocumentError, DocumentKind, basic_rows, format_number, format_opt_date,
};

/// Renders the proposal for `employer`.
pub(crate) fn render(ctx: &Ctx<'_>, employer: &Employer) -> Result<Vec<u8>, DocumentError> {
    let case = ctx.case;
    let discovery = &case.career_plan.discovery;
    let health = ctx.health();
    let mut doc = Doc::new(DocumentKind::Proposal.title_ja(), ctx.meta);

    doc.heading("事業所");
    doc.form(
        2,
        &[
            ("事業所名", employer.name.expose().clone()),
            ("業種", employer.industry.clone()),
            ("所在地", employer.address.expose().clone()),
            ("担当者", employer.contact_person.expose().clone()),
            ("連絡先", employer.contact.expose().clone()),
            ("状況", employer.status.label_ja().to_owned()),
        ],
    );
    doc.heading("ご提案する方");
    doc.form(
        2,
        &basic_rows(&case.basic, &[BasicField::Name, BasicField::Kana], []),
    );

    if !employer.business_needs.is_empty() {
        doc.heading("事業所のニーズ");
        let needs: Vec<String> = employer
            .business_needs
            .iter()
            .map(|n| n.text.expose().clone())
            .collect();
        doc.bullets(&needs);
    }

    let strength = |id: &str| {
        discovery
            .strengths
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.text.expose().clone())
    };
    if !employer.tasks.is_empty() {
        doc.heading("課業リスト");
        let rows: Vec<Vec<String>> = employer
            .tasks
            .iter()
            .map(|t| {
                let strengths: Vec<String> = t
                    .strength_ids
                    .iter()
                    .filter_map(|id| strength(id))
                    .collect();
                let mut row = vec![
                    if t.selected { "○" } else { "" }.to_owned(),
                    t.name.clone(),
                    t.frequency.clone(),
                    t.minutes.map(|m| format!("{m}分")).unwrap_or_default(),
                    strengths.join("\n"),
                ];
                row.push(if health.needs() {
                    t.note.expose().clone()
                } else {
                    String::new()
                });
                row
            })
            .collect();
        doc.table(
            &[
                col("提案", 0.6),
                col("課業", 2.2),
                col("頻度", 1.0),
                col("所要時間", 0.9),
                col("活かせる強み", 2.6),
                col("備考", 1.6),
            ],
            &rows,
        );
    }

    doc.heading("本人の強みと興味");
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
            ("強み", list(&discovery.strengths)),
            ("興味・関心", list(&discovery.interests)),
            ("希望する仕事", list(&discovery.preferred_work)),
        ],
    );

    conditions(ctx, &mut doc, "提案する条件", &employer.proposed, employer);
    if !employer.negotiated.is_empty() {
        conditions(
            ctx,
            &mut doc,
            "合意した条件",
            &employer.negotiated,
            employer,
        );
    }

    if health.needs() && !employer.adjustments.is_empty() {
        doc.heading("想定される課題と条件の調整");
        let rows: Vec<Vec<String>> = employer
            .adjustments
            .iter()
            .map(|a| {
                let mut row = Vec::new();
                if health.disease() {
                    row.push(a.problem.expose().clone());
                }
                row.push(a.adjustment.expose().clone());
                row
            })
            .collect();
        if health.disease() {
            doc.table(&[col("想定される課題", 1.0), col("調整", 1.0)], &rows);
        } else {
            doc.table(&[col("条件の調整", 1.0)], &rows);
        }
    }
    if health.disease() && case.basic.current_diseases().next().is_some() {
        doc.heading("疾患・障害（本人の同意により開示）");
        let rows: Vec<Vec<String>> = case
            .basic
            .current_diseases()
            .map(|d| vec![d.name.clone(), d.subtype.clone()])
            .collect();
        doc.table(&[col("疾患名・障害名", 2.0), col("病型", 1.0)], &rows);
    }
    if health.needs() {
        let sharing = ctx.employer_sharing();
        doc.heading("開示の範囲");
        doc.form(1, &[("開示", case.disclosure.label_ja().to_owned())]);
        doc.bullets(&sharing);
        if health.needs() && !employer.note.expose().trim().is_empty() {
            doc.form(1, &[("備考", employer.note.expose().clone())]);
        }
    }
    doc.seals(&["事業所", "本人", "就業支援員"]);
    doc.finish()
}

fn conditions(ctx: &Ctx<'_>, doc: &mut Doc, title: &str, c: &JobConditions, employer: &Employer) {
    let health = ctx.health();
    doc.heading(title);
    let duties: Vec<String> = c
        .duties
        .iter()
        .filter_map(|id| employer.task(id))
        .map(|t| t.name.clone())
        .collect();
    let wage = c
        .wage
        .as_ref()
        .map(|w| format!("{} {}円", w.unit.label_ja(), w.amount_yen))
        .unwrap_or_default();
    let mut fields = vec![
        ("日付", format_opt_date(c.date)),
        (
            "週の労働時間",
            c.hours_per_week
                .map(|h| format!("{}時間", format_number(h)))
                .unwrap_or_default(),
        ),
        (
            "週の勤務日数",
            c.days_per_week
                .map(|n| format!("{n}日"))
                .unwrap_or_default(),
        ),
        ("勤務日・時間帯", c.schedule.clone()),
        ("賃金", wage),
        ("職務", duties.join("、")),
    ];
    if health.needs() {
        let accommodations: Vec<String> = c
            .accommodations
            .iter()
            .map(|a| format!("・{}", ctx.accommodation(a)))
            .collect();
        fields.push(("配慮事項", accommodations.join("\n")));
        fields.push(("備考", c.note.expose().clone()));
    }
    doc.form(1, &fields);
}
