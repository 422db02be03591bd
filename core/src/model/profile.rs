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

use crate::reference::{AccommodationId, ReferenceDb};

use super::Case;

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
                .diseases
                .iter()
                .map(|d| d.name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        let mut accommodations: Vec<String> = Vec::new();
        if some {
            let issues = case.case_management.vocational_issues.iter();
            for a in issues
                .filter(|i| i.applicable)
                .flat_map(|i| &i.accommodations)
            {
                let own = a.text.expose().trim();
                let text = if own.is_empty() {
                    a.reference_id
                        .as_ref()
                        .and_then(|id| AccommodationId::new(id.as_str()).ok())
                        .and_then(|id| reference.accommodation(&id))
                        .map(|r| r.text.ja.clone())
                        .unwrap_or_default()
                } else {
                    own.to_owned()
                };
                if !text.is_empty() && !accommodations.contains(&text) {
                    accommodations.push(text);
                }
            }
        }
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
}
