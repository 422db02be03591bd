//! 個別就労支援計画書 — the individual employment support plan: the person,
//! the disease and its course, medical and welfare status, the people
//! around them, the vocational issues checked with their accommodations,
//! the plan's actions (who, which agency, by when), the consultation
//! records, programme enrolments and consents. Revised during negotiation:
//! the plan's own revision (第N版) and date are printed beside the case's,
//! with what changed since the revision before (前回からの変更). An earlier
//! revision can be printed too: its own items and changes, the rest of the
//! case as it stands, and a note saying which revision is in force.

use tsunagi_core::model::{CaseManagement, RevisionRef, revision_title_ja};

use super::layout::{Doc, col};
use super::{BasicField, Ctx, DocumentError, DocumentKind, basic_rows, format_opt_date};

/// 「第N版」, or 「作成中」 for a draft.
fn revision_ja(number: u32) -> String {
    revision_title_ja(number, None)
}

/// The name of the vocational issue `id`, as the plan's table names it.
fn issue_label(ctx: &Ctx<'_>, cm: &CaseManagement, id: &str) -> String {
    cm.vocational_issues
        .iter()
        .find(|i| i.id == id)
        .map(|i| match i.code.as_deref() {
            Some(code) => ctx.issue_name(code),
            None => i.text.expose().clone(),
        })
        .unwrap_or_else(|| "（削除された課題）".to_owned())
}

/// 前回からの変更: what changed in `shown` since the revision before it.
/// Nothing for a draft or the first plan.
fn changes(doc: &mut Doc, ctx: &Ctx<'_>, cm: &CaseManagement, shown: RevisionRef<'_>) {
    let plan = &cm.support_plan;
    if shown.revision <= 1 {
        return;
    }
    let Some(previous) = plan.previous(shown.revision) else {
        doc.heading("前回からの変更");
        doc.note("前の版の記録がないため、変更は示せません。");
        return;
    };
    doc.heading(&format!(
        "前回（{}）からの変更",
        revision_ja(previous.revision)
    ));
    let name = |id: &str| issue_label(ctx, cm, id);
    let words: Vec<String> = plan
        .changes_in(shown.revision)
        .unwrap_or_default()
        .iter()
        .map(|c| c.words_ja(&name).into_inner())
        .collect();
    if words.is_empty() {
        doc.note("前の版から変わった項目はありません。");
    } else {
        doc.bullets(&words);
    }
}

/// Renders the support plan: the plan in force, or revision `revision`.
pub(crate) fn render(ctx: &Ctx<'_>, revision: Option<u32>) -> Result<Vec<u8>, DocumentError> {
    let case = ctx.case;
    let b = &case.basic;
    let cm = &case.case_management;
    let plan = &cm.support_plan;
    let shown = match revision {
        None => plan.current(),
        Some(n) => plan.revision(n).ok_or(DocumentError::NoSuchRevision(n))?,
    };
    let mut doc = Doc::new(DocumentKind::SupportPlan.title_ja(), ctx.meta);

    doc.heading("計画の版");
    doc.form(
        2,
        &[
            ("計画の版", revision_ja(shown.revision)),
            ("作成・改訂日", format_opt_date(shown.revised_on)),
            ("支援段階", case.stage.label_ja().to_owned()),
            ("事業所への開示", case.disclosure.label_ja().to_owned()),
        ],
    );
    if !shown.current {
        doc.note(&format!(
            "これは以前の版（{}）です。現在の計画は{}です。支援内容と変更はこの版のもの、その他の欄は印刷した日の内容です。",
            revision_ja(shown.revision),
            revision_title_ja(plan.revision, plan.revised_on),
        ));
    }

    doc.heading("基本情報");
    doc.form(
        2,
        &basic_rows(
            b,
            &[
                BasicField::Name,
                BasicField::Kana,
                BasicField::BirthDate,
                BasicField::Sex,
                BasicField::Address,
                BasicField::Phone,
                BasicField::Email,
                BasicField::Note,
            ],
            [],
        ),
    );

    // Removed diseases and corrected entries are kept in the case for its
    // history; the plan shows the record as it now stands.
    if b.current_diseases().next().is_some() {
        doc.heading("疾患・障害と経過");
        let rows: Vec<Vec<String>> = b
            .current_diseases()
            .map(|d| {
                let history = d
                    .current_history()
                    .map(|c| {
                        let note = c.note.expose();
                        let head = format!("{} {}", format_opt_date(c.date), c.status.label_ja());
                        if note.trim().is_empty() {
                            head
                        } else {
                            format!("{head}：{note}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                vec![
                    d.name.clone(),
                    d.subtype.clone(),
                    history,
                    d.note.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("疾患名・障害名", 1.6),
                col("病型", 1.0),
                col("経過", 3.6),
                col("主治医の意見・備考", 1.8),
            ],
            &rows,
        );
    }

    let mut welfare: Vec<Vec<String>> = Vec::new();
    for c in &b.disability_certificates {
        welfare.push(vec![
            c.kind.full_name_ja().to_owned(),
            c.grade.clone(),
            format!("交付 {}", format_opt_date(c.issued_on)),
            format!("再認定 {}", format_opt_date(c.renewal_on)),
        ]);
    }
    if let Some(p) = &b.disability_pension {
        welfare.push(vec![
            p.kind.label_ja().to_owned(),
            p.grade.map(|g| format!("{g}級")).unwrap_or_default(),
            format!("受給開始 {}", format_opt_date(p.since)),
            format!("次回更新 {}", format_opt_date(p.renewal_on)),
        ]);
    }
    for m in &b.medical_certificates {
        let disease = m
            .disease_id
            .as_deref()
            .and_then(|id| b.diseases.iter().find(|d| d.id == id))
            .map(|d| d.name.clone())
            .unwrap_or_default();
        welfare.push(vec![
            m.kind.label_ja().to_owned(),
            disease,
            String::new(),
            format!("有効期間 {}まで", format_opt_date(m.valid_until)),
        ]);
    }
    if !welfare.is_empty() {
        doc.heading("医療・福祉の状況");
        doc.table(
            &[
                col("種類", 2.4),
                col("等級・対象", 1.6),
                col("開始", 1.8),
                col("期限", 1.8),
            ],
            &welfare,
        );
    }

    if !b.family.is_empty() || !b.supporters.is_empty() {
        doc.heading("家族構成・協力体制");
        let mut rows: Vec<Vec<String>> = b
            .family
            .iter()
            .map(|f| {
                vec![
                    format!("家族（{}）", f.relation),
                    f.name.expose().clone(),
                    if f.lives_with_client {
                        "同居"
                    } else {
                        "別居"
                    }
                    .to_owned(),
                    f.note.expose().clone(),
                ]
            })
            .collect();
        rows.extend(b.supporters.iter().map(|s| {
            vec![
                format!("協力者（{}）", s.relation),
                s.name.expose().clone(),
                s.role.expose().clone(),
                s.contact.expose().clone(),
            ]
        }));
        doc.table(
            &[
                col("関係", 1.6),
                col("氏名", 1.4),
                col("同居・役割", 2.2),
                col("備考・連絡先", 2.6),
            ],
            &rows,
        );
    }

    if !cm.vocational_issues.is_empty() {
        doc.heading("職業的課題と配慮事項");
        let rows: Vec<Vec<String>> = cm
            .vocational_issues
            .iter()
            .map(|i| {
                let name = i
                    .code
                    .as_deref()
                    .map(|c| ctx.issue_name(c))
                    .unwrap_or_default();
                let accommodations = i
                    .accommodations
                    .iter()
                    .map(|a| format!("・{}", ctx.accommodation(a)))
                    .collect::<Vec<_>>()
                    .join("\n");
                vec![
                    if i.applicable { "該当" } else { "非該当" }.to_owned(),
                    name,
                    i.text.expose().clone(),
                    accommodations,
                    i.note.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("該当", 0.8),
                col("課題", 1.6),
                col("本人の状況", 2.2),
                col("配慮事項", 2.6),
                col("備考", 1.2),
            ],
            &rows,
        );
    }

    doc.heading("支援計画");
    let rows: Vec<Vec<String>> = shown
        .items
        .iter()
        .map(|p| {
            let issue = p
                .issue_id
                .as_deref()
                .map(|id| issue_label(ctx, cm, id))
                .unwrap_or_default();
            vec![
                issue,
                p.action.expose().clone(),
                p.who.expose().clone(),
                p.agency.clone(),
                format_opt_date(p.due),
                p.status.label_ja().to_owned(),
            ]
        })
        .collect();
    doc.table(
        &[
            col("対応する課題", 1.5),
            col("支援内容", 2.8),
            col("担当者", 1.4),
            col("関係機関", 1.6),
            col("期限", 1.2),
            col("状況", 0.8),
        ],
        &rows,
    );
    changes(&mut doc, ctx, cm, shown);

    if !case.consultations.is_empty() {
        doc.heading("相談経過");
        let rows: Vec<Vec<String>> = case
            .consultations
            .iter()
            .map(|c| {
                let employer = c
                    .employer_id
                    .as_deref()
                    .and_then(|id| case.job_match.employer(id))
                    .map(|e| e.name.expose().clone())
                    .unwrap_or_default();
                let mut kind = c.kind.label_ja().to_owned();
                if let Some(m) = c.duration_minutes {
                    kind.push_str(&format!("\n{m}分"));
                }
                vec![
                    format_opt_date(c.date),
                    kind,
                    employer,
                    c.content.expose().clone(),
                    c.next_step.expose().clone(),
                    c.author.expose().clone(),
                ]
            })
            .collect();
        doc.table(
            &[
                col("実施日", 1.2),
                col("種別", 1.2),
                col("事業所", 1.3),
                col("相談内容", 3.0),
                col("今後の方針", 2.0),
                col("記録者", 1.0),
            ],
            &rows,
        );
    }

    for p in &case.programmes {
        doc.heading(&format!("自立支援プログラム：{}", p.programme));
        doc.form(
            2,
            &[
                ("実施機関", p.agency.clone()),
                ("選定日", format_opt_date(p.selected_on)),
                ("選定基準", p.selection_criterion.clone()),
                ("本人の同意", format_opt_date(p.consent_on)),
                ("ケース検討会", format_opt_date(p.plan_agreed_on)),
                (
                    "見直し間隔",
                    p.review_interval_months
                        .map(|m| format!("{m}か月"))
                        .unwrap_or_default(),
                ),
            ],
        );
        doc.form(
            1,
            &[
                ("選定理由", p.selection_reason.expose().clone()),
                ("備考", p.note.expose().clone()),
            ],
        );
        if !p.goals.is_empty() {
            let rows: Vec<Vec<String>> = p
                .goals
                .iter()
                .map(|g| {
                    vec![
                        g.goal.expose().clone(),
                        format_opt_date(g.target_date),
                        format_opt_date(g.achieved_on),
                    ]
                })
                .collect();
            doc.table(
                &[col("目標", 4.0), col("目標期日", 1.3), col("達成日", 1.3)],
                &rows,
            );
        }
        if !p.reviews.is_empty() {
            let rows: Vec<Vec<String>> = p
                .reviews
                .iter()
                .map(|r| {
                    vec![
                        format_opt_date(r.date),
                        r.outcome.label_ja().to_owned(),
                        r.reason.expose().clone(),
                    ]
                })
                .collect();
            doc.table(
                &[col("評価日", 1.3), col("評価結果", 1.1), col("理由", 4.2)],
                &rows,
            );
        }
        if !p.barriers.is_empty() {
            let rows: Vec<Vec<String>> = p
                .barriers
                .iter()
                .map(|w| {
                    vec![
                        w.kind.label_ja().to_owned(),
                        w.description.expose().clone(),
                        w.resolution.expose().clone(),
                        format_opt_date(w.resolved_on),
                    ]
                })
                .collect();
            doc.table(
                &[
                    col("就労阻害要因", 1.2),
                    col("内容", 2.4),
                    col("解消の方法", 2.4),
                    col("解消日", 1.2),
                ],
                &rows,
            );
        }
    }

    if !case.consents.is_empty() {
        doc.heading("同意");
        let rows: Vec<Vec<String>> = case
            .consents
            .iter()
            .map(|c| {
                vec![
                    c.scope.label_ja().to_owned(),
                    c.content.expose().clone(),
                    c.recipient.expose().clone(),
                    format_opt_date(c.given_on),
                    format_opt_date(c.withdrawn_on),
                ]
            })
            .collect();
        doc.table(
            &[
                col("範囲", 1.5),
                col("同意の内容", 2.8),
                col("提供先", 2.0),
                col("同意日", 1.2),
                col("撤回日", 1.2),
            ],
            &rows,
        );
    }
    doc.seals(&["本人", "就業支援員", "関係機関"]);
    doc.finish()
}
