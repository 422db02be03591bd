//! 個人プロフィール as an employer sees it: the positive profile from
//! discovery (strengths, interests, achievements, preferred work and
//! conditions, qualifications) and — only as far as the client's disclosure
//! choice allows — the disease and the accommodations asked for. The
//! presentation on the tablet and the printed profile both show this, so
//! the disclosure rule is written once:
//!
//! | 開示の選択 | disease names | accommodations |
//! |---|---|---|
//! | 非開示 (default) | no | no |
//! | 一部開示 | no | yes, in words that name no disease |
//! | 開示 | yes | yes |
//!
//! It also carries the proposal (提案) to the employer the case is working
//! with: the tasks proposed, the strengths each uses, and the conditions.

use crate::reference::{AccommodationId, ReferenceDb};

use super::{Accommodation, Case, Employer, EmployerStatus, JobConditions};

/// The employer-facing profile of one case. Every text is the client's own
/// (identifying); show it only where the client agreed to be presented.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmployerProfile {
    /// 氏名.
    pub name: String,
    /// 強み.
    pub strengths: Vec<String>,
    /// 興味・関心.
    pub interests: Vec<String>,
    /// これまでの実績.
    pub achievements: Vec<String>,
    /// 希望する仕事.
    pub preferred_work: Vec<String>,
    /// 希望条件, as (Japanese label, value) in display order.
    pub conditions: Vec<(&'static str, String)>,
    /// 資格.
    pub qualifications: Vec<String>,
    /// 病名: only with 開示.
    pub diseases: Vec<String>,
    /// 配慮してほしいこと: with 開示 or 一部開示.
    pub accommodations: Vec<String>,
    /// 人物像, the narrative: left out (empty) when the disease is not
    /// disclosed and the text names one, since it is free text.
    pub narrative: String,
    /// 表紙の写真: the id of the media item chosen for the cover, if any.
    /// The caller shows it only if that item may be shown to an employer.
    pub cover_media: Option<String>,
    /// 提案: what is proposed to the employer the case works with, if any.
    pub proposal: Option<Proposal>,
}

/// 提案 — the tasks and conditions proposed to one employer (the
/// customized employment proposal, as far as it concerns the person). The
/// employer's name is not part of it: the presentation is shown to that
/// employer, and a proposal never names another.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Proposal {
    /// 提案する仕事: the tasks proposed, in the proposal's order.
    pub tasks: Vec<ProposedTask>,
    /// 提案する条件, as (Japanese label, value) in display order.
    pub conditions: Vec<(&'static str, String)>,
}

/// 課業 — one task of a proposal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProposedTask {
    /// 課業名.
    pub name: String,
    /// 頻度 and 所要時間, e.g. 「毎日・約30分」; empty when neither is known.
    pub when: String,
    /// 活かせる強み: the texts of the strengths it uses, as in
    /// [`EmployerProfile::strengths`].
    pub strengths: Vec<String>,
}

/// The employer a proposal is shown for: of those not declined that have
/// something proposed (tasks chosen or conditions), the one furthest on
/// (合意, then 交渉中, 提案済み, 情報収集中, 候補), the latest proposal
/// date among equals, then the first in the list.
fn proposing_employer(employers: &[Employer]) -> Option<&Employer> {
    let rank = |s: EmployerStatus| match s {
        EmployerStatus::Agreed => 5,
        EmployerStatus::Negotiating => 4,
        EmployerStatus::Proposed => 3,
        EmployerStatus::Exploring => 2,
        EmployerStatus::Candidate => 1,
        EmployerStatus::Declined => 0,
    };
    let has_proposal = |e: &&Employer| e.tasks.iter().any(|t| t.selected) || !e.proposed.is_empty();
    let mut best: Option<&Employer> = None;
    for e in employers
        .iter()
        .filter(|e| e.status != EmployerStatus::Declined)
        .filter(has_proposal)
    {
        let better = best
            .is_none_or(|b| (rank(e.status), e.proposed.date) > (rank(b.status), b.proposed.date));
        if better {
            best = Some(e);
        }
    }
    best
}

fn number(n: f32) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// "1,100" for 1100.
fn yen(amount: u32) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn proposal_of(employer: &Employer, strengths: &[(String, String)]) -> Proposal {
    let p: &JobConditions = &employer.proposed;
    // The duties of the proposed conditions, or else the tasks ticked
    // 提案に含める.
    let tasks: Vec<&super::Task> = if p.duties.is_empty() {
        employer.tasks.iter().filter(|t| t.selected).collect()
    } else {
        p.duties.iter().filter_map(|id| employer.task(id)).collect()
    };
    let tasks = tasks
        .into_iter()
        .filter(|t| !t.name.trim().is_empty())
        .map(|t| {
            let mut when = t.frequency.trim().to_owned();
            if let Some(m) = t.minutes {
                if !when.is_empty() {
                    when.push('・');
                }
                when.push_str(&format!("約{m}分"));
            }
            ProposedTask {
                name: t.name.trim().to_owned(),
                when,
                strengths: t
                    .strength_ids
                    .iter()
                    .filter_map(|id| strengths.iter().find(|(sid, _)| sid == id))
                    .map(|(_, text)| text.clone())
                    .collect(),
            }
        })
        .collect();
    let mut conditions = Vec::new();
    if let Some(n) = p.days_per_week {
        conditions.push(("勤務日数", format!("週{n}日")));
    }
    if let Some(h) = p.hours_per_week {
        conditions.push(("労働時間", format!("週{}時間", number(h))));
    }
    if !p.schedule.trim().is_empty() {
        conditions.push(("勤務日・時間帯", p.schedule.trim().to_owned()));
    }
    if let Some(w) = &p.wage {
        conditions.push((
            "賃金",
            format!("{} {}円", w.unit.label_ja(), yen(w.amount_yen)),
        ));
    }
    Proposal { tasks, conditions }
}

/// Whether `text` names the client's disease or any disease of the
/// reference, in Japanese or English.
fn names_a_disease(text: &str, case: &Case, reference: &ReferenceDb) -> bool {
    let own = case.basic.diseases.iter().map(|d| d.name.trim().to_owned());
    let known = reference
        .diseases()
        .iter()
        .flat_map(|d| [d.name.ja.clone(), d.name.en.clone()]);
    own.chain(known)
        .filter(|n| n.chars().count() >= 2)
        .any(|n| text.contains(&n))
}

fn accommodation_text(a: &Accommodation, reference: &ReferenceDb) -> String {
    let own = a.text.expose().trim();
    if !own.is_empty() {
        return own.to_owned();
    }
    a.reference_id
        .as_ref()
        .and_then(|id| AccommodationId::new(id.as_str()).ok())
        .and_then(|id| reference.accommodation(&id))
        .map(|r| r.text.ja.clone())
        .unwrap_or_default()
}

impl EmployerProfile {
    /// The profile of `case`; the reference gives the words of the
    /// accommodations chosen from it.
    pub fn of(case: &Case, reference: &ReferenceDb) -> Self {
        let d = &case.career_plan.discovery;
        let texts = |items: &[super::TextItem]| -> Vec<String> {
            items
                .iter()
                .map(|i| i.text.expose().trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        };
        let c = &d.conditions;
        let mut conditions = Vec::new();
        let mut add = |label: &'static str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                conditions.push((label, v));
            }
        };
        add(
            "週の労働時間",
            c.hours_per_week.map(|h| format!("{h} 時間")),
        );
        add(
            "1日の労働時間",
            c.hours_per_day.map(|h| format!("{h} 時間")),
        );
        add("週の日数", c.days_per_week.map(|n| format!("{n} 日")));
        add("希望の時間帯", Some(c.time_of_day.clone()));
        add(
            "通勤時間の上限",
            c.max_commute_minutes.map(|m| format!("{m} 分")),
        );
        add("通勤手段", Some(c.commute_means.clone()));
        let disclosed = case.disclosure.shows_disease();
        let some = case.disclosure.shows_workplace_needs();
        // The workplace the client asks for often names a symptom (no
        // sunlight, a seat near the toilet): a workplace need, shown only
        // where needs are, as the printed profile does.
        if some {
            add("職場環境の希望", Some(c.environment.expose().clone()));
        }
        let diseases = if disclosed {
            case.basic
                .current_diseases()
                .map(|d| d.name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        let proposing = proposing_employer(&case.job_match.employers);
        let mut accommodations: Vec<String> = Vec::new();
        if some {
            let issues = case.case_management.vocational_issues.iter();
            let asked = issues
                .filter(|i| i.applicable)
                .flat_map(|i| &i.accommodations);
            // The accommodations proposed to this employer belong to what
            // the client asks for, too.
            let proposed = proposing
                .into_iter()
                .flat_map(|e| &e.proposed.accommodations);
            for a in asked.chain(proposed) {
                let text = accommodation_text(a, reference);
                if !text.is_empty() && !accommodations.contains(&text) {
                    accommodations.push(text);
                }
            }
        }
        let strength_texts: Vec<(String, String)> = d
            .strengths
            .iter()
            .map(|s| (s.id.clone(), s.text.expose().trim().to_owned()))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        let narrative = d.narrative.expose().trim();
        let narrative = if !disclosed && names_a_disease(narrative, case, reference) {
            String::new()
        } else {
            narrative.to_owned()
        };
        Self {
            name: case.basic.name.expose().trim().to_owned(),
            strengths: texts(&d.strengths),
            interests: texts(&d.interests),
            achievements: texts(&d.achievements),
            preferred_work: texts(&d.preferred_work),
            conditions,
            qualifications: case
                .basic
                .qualifications
                .iter()
                .map(|q| q.name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect(),
            diseases,
            accommodations,
            narrative,
            cover_media: d.cover_media.clone().filter(|id| !id.trim().is_empty()),
            proposal: proposing.map(|e| proposal_of(e, &strength_texts)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Disclosure, demo_cases};

    fn disease_words(case: &Case, db: &ReferenceDb) -> Vec<String> {
        let mut words: Vec<String> = case.basic.diseases.iter().map(|d| d.name.clone()).collect();
        for d in db.diseases() {
            words.push(d.name.ja.clone());
            if !d.name.en.is_empty() {
                words.push(d.name.en.clone());
            }
        }
        words
    }

    fn all_text(p: &EmployerProfile) -> String {
        let mut all = vec![p.name.clone()];
        for list in [
            &p.strengths,
            &p.interests,
            &p.achievements,
            &p.preferred_work,
            &p.qualifications,
            &p.diseases,
            &p.accommodations,
        ] {
            all.extend(list.iter().cloned());
        }
        all.extend(p.conditions.iter().map(|(l, v)| format!("{l}{v}")));
        all.join("\n")
    }

    #[test]
    fn not_disclosed_shows_no_disease_and_no_accommodation() {
        let db = crate::reference::test_support::bundled();
        for mut case in demo_cases() {
            case.disclosure = Disclosure::NotDisclosed;
            let p = EmployerProfile::of(&case, &db);
            assert!(p.diseases.is_empty() && p.accommodations.is_empty());
            let text = all_text(&p);
            for word in disease_words(&case, &db) {
                assert!(!text.contains(&word), "{word} appears");
            }
            assert!(!p.strengths.is_empty(), "the positive profile is there");
            let environment = case.career_plan.discovery.conditions.environment.expose();
            if !environment.trim().is_empty() {
                assert!(
                    !text.contains(environment.as_str()),
                    "the workplace asked for can describe a symptom"
                );
            }
        }
    }

    #[test]
    fn partial_shows_accommodations_without_the_disease() {
        let db = crate::reference::test_support::bundled();
        let mut case = demo_cases().remove(0);
        case.disclosure = Disclosure::Partial;
        let p = EmployerProfile::of(&case, &db);
        assert!(
            !p.accommodations.is_empty(),
            "the demo case has chosen some"
        );
        assert!(p.diseases.is_empty());
        let text = all_text(&p);
        for word in disease_words(&case, &db) {
            assert!(!text.contains(&word), "{word} appears");
        }
    }

    #[test]
    fn disclosed_names_the_disease() {
        let db = crate::reference::test_support::bundled();
        let mut case = demo_cases().remove(0);
        case.disclosure = Disclosure::Disclosed;
        let p = EmployerProfile::of(&case, &db);
        assert_eq!(p.diseases, ["潰瘍性大腸炎"]);
        assert!(!p.accommodations.is_empty());
    }

    #[test]
    fn the_proposal_is_the_furthest_employer_s_tasks_with_the_strengths_they_use() {
        let db = crate::reference::test_support::bundled();
        let case = demo_cases().remove(0);
        let p = EmployerProfile::of(&case, &db);
        let proposal = p.proposal.expect("the demo case is negotiating");
        let names: Vec<&str> = proposal.tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "請求書データの入力と照合",
                "顧客名簿の更新",
                "郵便物の仕分け"
            ],
            "the duties proposed, not the task left out"
        );
        assert_eq!(proposal.tasks[0].when, "月末・月初・約120分");
        assert_eq!(proposal.tasks[0].strengths, [p.strengths[0].clone()]);
        assert!(proposal.tasks[2].strengths.is_empty());
        let values: Vec<&str> = proposal
            .conditions
            .iter()
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            values,
            ["週4日", "週20時間", "月〜木 10時〜15時", "時給 1,100円"]
        );
    }

    #[test]
    fn a_declined_employer_is_never_proposed_to() {
        let db = crate::reference::test_support::bundled();
        let mut case = demo_cases().remove(0);
        for e in &mut case.job_match.employers {
            e.status = crate::model::EmployerStatus::Declined;
        }
        assert_eq!(EmployerProfile::of(&case, &db).proposal, None);
    }

    #[test]
    fn a_narrative_naming_the_disease_is_left_out_unless_disclosed() {
        let db = crate::reference::test_support::bundled();
        let mut case = demo_cases().remove(0);
        case.career_plan.discovery.narrative =
            crate::pii::Identifying::new("潰瘍性大腸炎と付き合いながら働く几帳面な人。".to_owned());
        case.disclosure = Disclosure::Partial;
        assert_eq!(EmployerProfile::of(&case, &db).narrative, "");
        case.disclosure = Disclosure::Disclosed;
        assert!(EmployerProfile::of(&case, &db).narrative.contains("几帳面"));
        case.disclosure = Disclosure::NotDisclosed;
        case.career_plan.discovery.narrative =
            crate::pii::Identifying::new("几帳面で、仕組みを整えるのが好きな人。".to_owned());
        assert!(EmployerProfile::of(&case, &db).narrative.contains("几帳面"));
    }
}

#[cfg(test)]
mod removed_disease_tests {
    use time::macros::date;

    use super::*;
    use crate::model::{Disclosure, Disease, demo_cases};

    #[test]
    fn a_disease_removed_as_a_mistake_is_never_named_to_an_employer() {
        let db = crate::reference::test_support::bundled();
        let mut case = demo_cases().remove(0);
        case.disclosure = Disclosure::Disclosed;
        let mut mistake = Disease::new(None, "誤って登録した疾患");
        mistake
            .remove(date!(2026 - 11 - 25), "worker", "誤登録")
            .expect("removed");
        case.basic.diseases.push(mistake);
        assert_eq!(EmployerProfile::of(&case, &db).diseases, ["潰瘍性大腸炎"]);
    }
}
