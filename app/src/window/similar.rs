//! The similar-cases screen (似た事例, ui/app/similar_screen.slint), opened
//! from the case screen: the store finds and describes the cases
//! (`Store::similar_cases`, which checks the role, the assignment and each
//! client's consent, and audits the viewing); this module only puts the
//! coded result into words of the chosen language, with the reference's
//! own wording for groups, issues, accommodations and occupations.
//!
//! Threads: the search runs as a job on the store's worker thread; the
//! words are made on the UI thread. Nothing stays after the screen is left
//! or the app locks.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::OffsetDateTime;
use tsunagi_core::model::{CaseId, SupportStage};
use tsunagi_core::reference::{GroupId, IssueCode, ReferenceDb};
use tsunagi_core::similar::{
    DEFAULT_LIMIT, HireOutcome, Ranking, Reason, SimilarCase, Tenure, Traits,
};
use tsunagi_core::store::StoreError;

use super::i18n::{text, tr, tr_fill};
use super::problem::Report;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, Screen, SimilarAdapter, SimilarItem, SimilarLine};

/// The screen's state on the UI thread: which case the shown (or awaited)
/// result is for.
#[derive(Default)]
struct SimilarScreen {
    case: Cell<Option<CaseId>>,
}

/// One labelled value, as the screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The label (配慮事項, 就職…).
    pub what: String,
    /// The value, possibly several lines.
    pub value: String,
}

/// One similar case in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// 「似た事例 1」.
    pub heading: String,
    /// The stage's name.
    pub stage: String,
    /// Why it is alike, one reason each.
    pub reasons: Vec<String>,
    /// What was tried and how it went.
    pub lines: Vec<Line>,
}

fn line(what: &str, value: String) -> Line {
    Line {
        what: tr(what).to_owned(),
        value,
    }
}

fn group_names(db: &ReferenceDb, groups: &[GroupId]) -> String {
    groups
        .iter()
        .map(|g| db.group(g).map_or(g.as_str(), |g| text(&g.name)))
        .collect::<Vec<_>>()
        .join("・")
}

fn issue_names(db: &ReferenceDb, issues: &[IssueCode]) -> String {
    issues
        .iter()
        .map(|c| db.issue(c).map_or(c.as_str(), |i| text(&i.name)))
        .collect::<Vec<_>>()
        .join("、")
}

fn stage_name(stage: SupportStage) -> String {
    tr(stage.label_ja()).to_owned()
}

/// A reason in words: 「同じ疾患群（神経・筋）」「共通の職業的課題：易疲労・体調変動、通院」
/// 「同じ段階：定着支援」.
pub fn reason_words(db: &ReferenceDb, reason: &Reason) -> String {
    match reason {
        Reason::DiseaseGroup(groups) => tr_fill("同じ疾患群（{}）", &[&group_names(db, groups)]),
        Reason::Issues(issues) => tr_fill("共通の職業的課題：{}", &[&issue_names(db, issues)]),
        Reason::Stage(stage) => tr_fill("同じ段階：{}", &[&stage_name(*stage)]),
    }
}

/// What the case asked about is compared by, as lines.
pub fn trait_lines(db: &ReferenceDb, traits: &Traits) -> Vec<Line> {
    let or_none = |s: String| {
        if s.is_empty() {
            tr("記録なし").to_owned()
        } else {
            s
        }
    };
    vec![
        line("疾患群", or_none(group_names(db, &traits.groups))),
        line("職業的課題", or_none(issue_names(db, &traits.issues))),
        line("支援段階", stage_name(traits.stage)),
    ]
}

fn hire_words(hire: &HireOutcome) -> String {
    let mut kind: Vec<String> = Vec::new();
    if let Some(category) = hire.job_category {
        kind.push(tr(category.label_ja()).to_owned());
    }
    if let Some(employment) = hire.employment_type {
        kind.push(tr(employment.label_ja()).to_owned());
    }
    if hire.disability_employment {
        kind.push(tr("障害者雇用枠").to_owned());
    }
    let tenure = match hire.tenure {
        Tenure::Kept => tr("在職中"),
        Tenure::Ended => tr("離職"),
    };
    let kept = hire
        .retained_months
        .map(|m| tr_fill("（{}か月以上定着）", &[&m.to_string()]))
        .unwrap_or_default();
    if kind.is_empty() {
        tr_fill("就職／{}{}", &[tenure, &kept])
    } else {
        tr_fill("{}／{}{}", &[&kind.join("・"), tenure, &kept])
    }
}

/// One similar case in words; `number` counts from 1 on this screen.
pub fn item(db: &ReferenceDb, number: usize, case: &SimilarCase) -> Item {
    let mut lines = Vec::new();
    if !case.groups.is_empty() {
        lines.push(line("疾患群", group_names(db, &case.groups)));
    }
    let accommodations: Vec<String> = case
        .accommodations
        .iter()
        .filter_map(|id| db.accommodation(id))
        .map(|a| tr_fill("・{}", &[text(&a.text)]))
        .collect();
    lines.push(line(
        "配慮事項",
        if accommodations.is_empty() {
            tr("参考データから選んだ配慮事項はありません").to_owned()
        } else {
            accommodations.join("\n")
        },
    ));
    let areas: Vec<&str> = case
        .job_areas
        .iter()
        .filter_map(|id| db.occupation(id))
        .map(|o| text(&o.name))
        .collect();
    lines.push(line(
        "職域",
        if areas.is_empty() {
            tr("参考データの職業にある職域はありません").to_owned()
        } else {
            areas.join("、")
        },
    ));
    if !case.employers.is_empty() {
        let counts: Vec<String> = case
            .employers
            .iter()
            .map(|e| tr_fill("{} {}", &[tr(e.status.label_ja()), &e.count.to_string()]))
            .collect();
        lines.push(line("事業所", counts.join("・")));
    }
    lines.push(line(
        "就職",
        case.hire
            .as_ref()
            .map_or_else(|| tr("就職の記録なし").to_owned(), hire_words),
    ));
    if !case.programmes.is_empty() {
        let programmes: Vec<String> = case
            .programmes
            .iter()
            .map(|p| {
                let outcome = p.outcome.map_or_else(|| tr("評価前"), |o| tr(o.label_ja()));
                tr_fill("{}：{}", &[tr(p.kind.label_ja()), outcome])
            })
            .collect();
        lines.push(line("自立支援プログラム", programmes.join("、")));
    }
    lines.push(line("支援の結果", tr(case.outcome.label_ja()).to_owned()));
    Item {
        heading: tr_fill("似た事例 {}", &[&number.to_string()]),
        stage: stage_name(case.stage),
        reasons: case.reasons.iter().map(|r| reason_words(db, r)).collect(),
        lines,
    }
}

/// Why some similar cases are not shown, or nothing when all are.
pub fn withheld_words(without_consent: usize) -> String {
    if without_consent == 0 {
        return String::new();
    }
    tr_fill(
        "似た事例のうち{}件は、本人の「事例検討への活用」への同意がないため表示していません。",
        &[&without_consent.to_string()],
    )
}

fn ui_lines(lines: Vec<Line>) -> ModelRc<SimilarLine> {
    let lines: Vec<SimilarLine> = lines
        .into_iter()
        .map(|l| SimilarLine {
            what: l.what.into(),
            value: l.value.into(),
        })
        .collect();
    ModelRc::new(VecModel::from(lines))
}

fn ui_item(item: Item) -> SimilarItem {
    SimilarItem {
        heading: item.heading.into(),
        stage: item.stage.into(),
        reasons: ModelRc::new(VecModel::from(
            item.reasons
                .into_iter()
                .map(SharedString::from)
                .collect::<Vec<_>>(),
        )),
        lines: ui_lines(item.lines),
    }
}

fn show(window: &AppWindow, db: &ReferenceDb, ranking: &Ranking) {
    let a = window.global::<SimilarAdapter<'_>>();
    a.set_traits(ui_lines(trait_lines(db, &ranking.traits)));
    let items: Vec<SimilarItem> = ranking
        .shown
        .iter()
        .enumerate()
        .map(|(i, case)| ui_item(item(db, i + 1, case)))
        .collect();
    a.set_items(ModelRc::new(VecModel::from(items)));
    a.set_withheld_note(withheld_words(ranking.without_consent).into());
}

/// Empties the screen.
fn clear(screen: &SimilarScreen, window: &AppWindow) {
    screen.case.set(None);
    let a = window.global::<SimilarAdapter<'_>>();
    a.set_traits(ModelRc::default());
    a.set_items(ModelRc::default());
    a.set_withheld_note(SharedString::new());
    a.set_busy(false);
    a.set_problem(Report::none().problem);
    a.set_problem_detail(SharedString::new());
}

/// Why the search could not run: the store's refusal, or the reference.
enum Failed {
    Store(StoreError),
    Reference(String),
}

fn open(screen: &Rc<SimilarScreen>, session: &Arc<Session>, window: &AppWindow, case: CaseId) {
    clear(screen, window);
    screen.case.set(Some(case));
    window.global::<SimilarAdapter<'_>>().set_busy(true);
    window.set_screen(Screen::Similar);
    let today = OffsetDateTime::now_utc()
        .to_offset(session.utc_offset())
        .date();
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| {
            let db = match session.library().get_or_load(session.dir()) {
                Ok(db) => db,
                Err(e) => return Some(Err(Failed::Reference(e.to_string()))),
            };
            let found =
                session.with_store(|store| store.similar_cases(case, &db, today, DEFAULT_LIMIT))?;
            Some(found.map(|ranking| (db, ranking)).map_err(Failed::Store))
        },
        move |session, window, result| {
            if session.epoch() != epoch || screen.case.get() != Some(case) {
                return;
            }
            let a = window.global::<SimilarAdapter<'_>>();
            a.set_busy(false);
            match result {
                Some(Ok((db, ranking))) => show(window, &db, &ranking),
                Some(Err(Failed::Store(error))) => {
                    let report = Report::from(&error);
                    a.set_problem(report.problem);
                    a.set_problem_detail(report.detail.into());
                }
                Some(Err(Failed::Reference(detail))) => {
                    a.set_problem(super::ui::Problem::Other);
                    a.set_problem_detail(detail.into());
                }
                None => {}
            }
        },
    );
}

/// Connects the similar-cases screen: the route the case screen asks,
/// going back, and emptying at a lock.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let screen = Rc::new(SimilarScreen::default());
    let s = Rc::clone(&screen);
    router.offer(|r| {
        r.open_similar = Some(Rc::new(move |session, window, case| {
            open(&s, session, window, case);
        }));
    });
    let s = Rc::clone(&screen);
    router.on_lock(move |_, window| clear(&s, window));
    let (weak, session, router) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    window.global::<SimilarAdapter<'_>>().on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        clear(&screen, &window);
        if let Some(show) = router.routes().show_case {
            show(&session, &window, ());
        }
        window.set_screen(Screen::Case);
    });
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::{CaseOutcome, EmploymentType, JobCategory};
    use tsunagi_core::reference::{AccommodationId, OccupationId};
    use tsunagi_core::similar::EmployerCount;

    use super::*;

    fn db() -> ReferenceDb {
        ReferenceDb::bundled().expect("the bundled reference")
    }

    #[test]
    fn reasons_read_as_a_worker_would_say_them() {
        let db = db();
        let group = |id: &str| GroupId::new(id).expect("id");
        let code = |c: &str| IssueCode::new(c).expect("code");
        assert_eq!(
            reason_words(&db, &Reason::DiseaseGroup(vec![group("neuromuscular")])),
            "同じ疾患群（神経・筋）"
        );
        assert_eq!(
            reason_words(&db, &Reason::Issues(vec![code("FAT"), code("CLIN")])),
            "共通の職業的課題：易疲労・体調変動、通院"
        );
        assert_eq!(
            reason_words(&db, &Reason::Stage(SupportStage::FollowUp)),
            "同じ段階：定着支援"
        );
    }

    #[test]
    fn a_case_reads_in_reference_wording_and_coded_results() {
        let db = db();
        let case = SimilarCase {
            score: 7,
            reasons: vec![Reason::Stage(SupportStage::Closed)],
            stage: SupportStage::Closed,
            groups: vec![GroupId::new("digestive").expect("id")],
            accommodations: vec![AccommodationId::new("toil-near-toilet").expect("id")],
            job_areas: vec![OccupationId::new("data-entry").expect("id")],
            employers: vec![EmployerCount {
                status: tsunagi_core::model::EmployerStatus::Declined,
                count: 2,
            }],
            hire: Some(HireOutcome {
                job_category: Some(JobCategory::Clerical),
                employment_type: Some(EmploymentType::PartTime),
                disability_employment: false,
                tenure: Tenure::Kept,
                retained_months: Some(12),
            }),
            programmes: Vec::new(),
            outcome: CaseOutcome::Employed,
        };
        let item = item(&db, 2, &case);
        assert_eq!(item.heading, "似た事例 2");
        assert_eq!(item.stage, "終結");
        let value = |what: &str| {
            item.lines
                .iter()
                .find(|l| l.what == what)
                .map(|l| l.value.clone())
                .unwrap_or_default()
        };
        assert_eq!(value("疾患群"), "消化器系");
        assert!(value("配慮事項").starts_with("・"), "{}", value("配慮事項"));
        assert_eq!(value("職域"), "データ入力");
        assert_eq!(value("事業所"), "不成立 2");
        assert_eq!(
            value("就職"),
            "事務的職業・パート・アルバイト／在職中（12か月以上定着）"
        );
        assert_eq!(value("支援の結果"), "就職・定着");
        assert_eq!(withheld_words(0), "");
        assert!(withheld_words(3).contains("3件"));
    }
}
