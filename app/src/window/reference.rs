//! 疾患・職業の参照: the controller of `ui/app/reference_screen.slint`, the
//! reference database browsed without a case (read through the session's
//! [`super::library::Library`], which the disease and presentation screens
//! share).
//!
//! Nothing here is personal data: it is general reference text.

use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use tsunagi_core::reference::{
    Basis, DemandLevel, Disease, DiseaseId, Frequency, Occupation, ReferenceDb, Schedule,
};

use super::i18n::Language;
use super::i18n::{self, text, tr, tr_fill};
use super::router::Router;
use super::session::Session;
use super::ui::{
    AppWindow, CaseAdapter, CaseListAdapter, Problem, RefDiseaseItem, RefDiseasePage, RefGroup,
    RefIssue, RefLine, RefOccupation, ReferenceAdapter, ReferenceTab, Screen,
};

/// The disease list by group (疾患群) for a search; groups without a hit are
/// left out. An empty query lists every disease.
pub fn disease_groups(db: &ReferenceDb, query: &str) -> Vec<RefGroup> {
    let hits = db.search_diseases(query);
    db.groups()
        .iter()
        .filter_map(|group| {
            let mut diseases: Vec<&Disease> = hits
                .iter()
                .copied()
                .filter(|d| d.group == group.id)
                .collect();
            if diseases.is_empty() {
                return None;
            }
            if query.trim().is_empty() {
                diseases.sort_by(|a, b| a.kana.cmp(&b.kana));
            }
            let items: Vec<RefDiseaseItem> = diseases.into_iter().map(disease_item).collect();
            Some(RefGroup {
                name: text(&group.name).into(),
                diseases: ModelRc::new(VecModel::from(items)),
            })
        })
        .collect()
}

fn disease_item(d: &Disease) -> RefDiseaseItem {
    let mut detail = d.kana.clone();
    if !d.aliases.is_empty() {
        detail.push_str(&format!("（{}: {}）", tr("旧"), d.aliases.join("、")));
    }
    RefDiseaseItem {
        id: d.id.as_str().into(),
        name: text(&d.name).into(),
        detail: detail.into(),
        unverified: !d.unverified.is_empty(),
    }
}

fn line(text: String, basis: Basis) -> RefLine {
    RefLine {
        text: text.into(),
        unverified: !basis.is_verified(),
    }
}

/// A disease's page: what it is, its course, its issues with their
/// accommodation options, work-relevant notes, sources, and what is
/// unverified. `None` for an id the database does not know.
pub fn disease_page(db: &ReferenceDb, id: &str) -> Option<RefDiseasePage> {
    let d = db.disease(&DiseaseId::new(id).ok()?)?;
    let mut detail = vec![d.kana.clone()];
    let other = match i18n::current() {
        Language::Japanese => &d.name.en,
        Language::English => &d.name.ja,
    };
    if !other.is_empty() {
        detail.push(other.clone());
    }
    if let Some(n) = d.notification_number {
        detail.push(format!("{} {n}", tr("告示番号")));
    }
    if let Some(group) = db.group(&d.group) {
        let mut g = text(&group.name).to_owned();
        if let Some(more) = &d.group_detail {
            g.push_str(&format!("（{}）", text(more)));
        }
        detail.push(g);
    }
    let issues: Vec<RefIssue> = d
        .issues
        .iter()
        .filter_map(|di| {
            let issue = db.issue(&di.code)?;
            let options: Vec<RefLine> = issue
                .accommodations
                .iter()
                .map(|a| line(text(&a.text).to_owned(), a.basis))
                .collect();
            Some(RefIssue {
                name: text(&issue.name).into(),
                text: text(di.note.as_ref().unwrap_or(&issue.description)).into(),
                unverified: !di.basis.is_verified(),
                accommodations: ModelRc::new(VecModel::from(options)),
            })
        })
        .collect();
    let notes: Vec<RefLine> = d
        .notes
        .iter()
        .map(|n| line(text(&n.text).to_owned(), n.basis))
        .collect();
    let sources: Vec<SharedString> = d
        .sources
        .iter()
        .map(|r| {
            let title = db.source(&r.source).map_or("", |s| s.title.as_str());
            match &r.at {
                Some(at) => format!("[{}] {title}（{at}）", r.source),
                None => format!("[{}] {title}", r.source),
            }
            .into()
        })
        .collect();
    let unverified: Vec<SharedString> = d.unverified.iter().map(|u| text(&u.note).into()).collect();
    Some(RefDiseasePage {
        name: text(&d.name).into(),
        detail: detail.join(" / ").into(),
        summary: text(&d.summary).into(),
        course: format!("{}: {}", tr(d.course.label_ja()), text(&d.course_text)).into(),
        issues: ModelRc::new(VecModel::from(issues)),
        notes: ModelRc::new(VecModel::from(notes)),
        sources: ModelRc::new(VecModel::from(sources)),
        unverified: ModelRc::new(VecModel::from(unverified)),
    })
}

/// Occupations matching a search (職業検索), each with its demands, strong
/// ones first, and its usual working time.
pub fn occupation_rows(db: &ReferenceDb, query: &str) -> Vec<RefOccupation> {
    db.search_occupations(query)
        .into_iter()
        .map(|o| occupation_row(db, o))
        .collect()
}

fn occupation_row(db: &ReferenceDb, o: &Occupation) -> RefOccupation {
    let mut demands: Vec<_> = o.demands.iter().collect();
    demands.sort_by_key(|d| std::cmp::Reverse(d.level));
    let demands: Vec<RefLine> = demands
        .into_iter()
        .map(|d| {
            let level = tr(match d.level {
                DemandLevel::High => "強い",
                DemandLevel::Moderate => "ある程度",
            });
            let issue = db.issue(&d.code).map_or(d.code.as_str(), |i| text(&i.name));
            let text = match &d.note {
                Some(note) => format!("【{level}】{issue} — {}", text(note)),
                None => format!("【{level}】{issue}"),
            };
            // The occupation as a whole carries the 要確認 mark.
            line(text, Basis::Sourced)
        })
        .collect();
    RefOccupation {
        id: o.id.as_str().into(),
        name: text(&o.name).into(),
        category: db
            .category(&o.category)
            .map_or("", |c| text(&c.name))
            .into(),
        description: text(&o.description).into(),
        demands: ModelRc::new(VecModel::from(demands)),
        schedule: schedule_text(&o.schedule).into(),
        unverified: !o.basis.is_verified(),
    }
}

/// The working-time pattern in words: `夜勤: 少ない、残業: 多い …`.
pub fn schedule_text(s: &Schedule) -> String {
    let label = |f: Frequency| {
        tr(match f {
            Frequency::Rare => "少ない",
            Frequency::Sometimes => "職場による",
            Frequency::Common => "多い",
        })
    };
    [
        ("交替勤務", s.shift_work),
        ("夜勤", s.night_work),
        ("始業時刻が固定", s.fixed_start),
        ("残業", s.overtime),
        ("在宅勤務", s.remote),
        ("短時間勤務", s.part_time),
    ]
    .iter()
    .map(|(what, f)| format!("{}: {}", tr(what), label(*f)))
    .collect::<Vec<_>>()
    .join("、")
}

// ───────────────────────────── wiring ─────────────────────────────────────

/// A handler that opens the reference and remembers the screen it was
/// opened from, where 戻る returns. It hands back the window for what the
/// caller shows next.
fn opener(
    window: &AppWindow,
    session: &Arc<Session>,
    came_from: &Arc<Mutex<Screen>>,
) -> impl Fn() -> Option<AppWindow> + 'static {
    let (weak, s, back_to) = (window.as_weak(), Arc::clone(session), Arc::clone(came_from));
    move || {
        let window = weak.upgrade()?;
        *back_to.lock().unwrap_or_else(PoisonError::into_inner) = window.get_screen();
        open(&s, &window);
        Some(window)
    }
}

/// Connects the reference screen to `session`, with the case list's
/// 「疾患・職業の参照」 button and the case's 「職業を調べる」.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    router.on_lock(|_, window| {
        // The occupation search names the case it was opened from.
        let reference = window.global::<ReferenceAdapter<'_>>();
        reference.set_for_case(SharedString::new());
        reference.set_added(SharedString::new());
    });
    let came_from = Arc::new(Mutex::new(Screen::CaseList));

    let open_reference = opener(window, session, &came_from);
    window
        .global::<CaseListAdapter<'_>>()
        .on_open_reference(move || {
            open_reference();
        });

    // From a case's キャリア計画: the occupation search, adding to its 職域.
    let open_occupations = opener(window, session, &came_from);
    let r = Rc::clone(router);
    window
        .global::<CaseAdapter<'_>>()
        .on_open_occupations(move || {
            let Some(window) = open_occupations() else {
                return;
            };
            let adapter = window.global::<ReferenceAdapter<'_>>();
            adapter.set_tab(ReferenceTab::Occupations);
            let name = r.routes().editable_case_name.and_then(|name| name());
            adapter.set_for_case(name.unwrap_or_default().into());
        });

    let adapter = window.global::<ReferenceAdapter<'_>>();
    let (weak, s, r, back_to) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(router),
        Arc::clone(&came_from),
    );
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let screen = *back_to.lock().unwrap_or_else(PoisonError::into_inner);
        if screen == Screen::Case
            && let Some(show) = r.routes().show_case
        {
            // What was added shows on the case's tab.
            show(&s, &window, ());
        }
        window.set_screen(screen);
    });

    let (weak, s, r) = (window.as_weak(), Arc::clone(session), Rc::clone(router));
    adapter.on_add_job_area(move |name| {
        let Some(window) = weak.upgrade() else { return };
        let added = r
            .routes()
            .add_job_area
            .and_then(|add| add(&s, &window, &name));
        let said = match added {
            Some(true) => "「{}」を職域に加えました。",
            Some(false) => "「{}」はすでに職域にあります。",
            None => "このケースは編集できません。",
        };
        window
            .global::<ReferenceAdapter<'_>>()
            .set_added(tr_fill(said, &[&name]).into());
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_disease_search_changed(move |text| {
        let (Some(window), Some(db)) = (weak.upgrade(), s.library().get()) else {
            return;
        };
        let adapter = window.global::<ReferenceAdapter<'_>>();
        adapter.set_groups(ModelRc::new(VecModel::from(disease_groups(&db, &text))));
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_open_disease(move |id| {
        let (Some(window), Some(db)) = (weak.upgrade(), s.library().get()) else {
            return;
        };
        if let Some(page) = disease_page(&db, &id) {
            let adapter = window.global::<ReferenceAdapter<'_>>();
            adapter.set_page(page);
            adapter.set_page_open(true);
        }
    });

    let weak = window.as_weak();
    adapter.on_close_disease(move || {
        if let Some(window) = weak.upgrade() {
            window.global::<ReferenceAdapter<'_>>().set_page_open(false);
        }
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_occupation_search_changed(move |text| {
        let (Some(window), Some(db)) = (weak.upgrade(), s.library().get()) else {
            return;
        };
        let adapter = window.global::<ReferenceAdapter<'_>>();
        adapter.set_occupations(ModelRc::new(VecModel::from(occupation_rows(&db, &text))));
    });

    adapter.set_groups(ModelRc::default());
    adapter.set_occupations(ModelRc::default());
    adapter.set_page_open(false);
    adapter.set_version(SharedString::new());
}

/// Shows the reference screen, reading the database first if need be.
fn open(session: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<ReferenceAdapter<'_>>();
    adapter.set_loading(true);
    adapter.set_tab(ReferenceTab::Diseases);
    adapter.set_page_open(false);
    adapter.set_disease_search(SharedString::new());
    adapter.set_occupation_search(SharedString::new());
    adapter.set_for_case(SharedString::new());
    adapter.set_added(SharedString::new());
    window.set_screen(Screen::Reference);
    session.run(
        window,
        |session| session.library().get_or_load(session.dir()),
        |_, window, db| {
            let adapter = window.global::<ReferenceAdapter<'_>>();
            adapter.set_loading(false);
            match db {
                Ok(db) => {
                    adapter.set_problem(Problem::None);
                    adapter.set_version(db.version().to_string().into());
                    adapter.set_groups(ModelRc::new(VecModel::from(disease_groups(&db, ""))));
                    adapter.set_occupations(ModelRc::new(VecModel::from(occupation_rows(&db, ""))));
                }
                Err(error) => {
                    adapter.set_problem(Problem::Other);
                    adapter.set_problem_detail(error.to_string().into());
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use slint::Model;

    use super::*;

    fn db() -> ReferenceDb {
        ReferenceDb::bundled().expect("the bundled reference is valid")
    }

    fn names(groups: &[RefGroup]) -> Vec<String> {
        groups
            .iter()
            .flat_map(|g| g.diseases.iter().map(|d| d.name.to_string()))
            .collect()
    }

    #[test]
    fn every_disease_is_listed_under_its_group() {
        let db = db();
        let groups = disease_groups(&db, "");
        assert_eq!(names(&groups).len(), db.diseases().len());
        let digestive = groups
            .iter()
            .find(|g| g.name == "消化器系")
            .expect("a digestive group");
        let inside: Vec<String> = digestive
            .diseases
            .iter()
            .map(|d| d.name.to_string())
            .collect();
        assert!(inside.contains(&"潰瘍性大腸炎".to_owned()), "{inside:?}");
    }

    #[test]
    fn search_narrows_the_list_by_kana_and_english() {
        let db = db();
        assert_eq!(
            names(&disease_groups(&db, "かいようせい")),
            ["潰瘍性大腸炎"]
        );
        assert!(names(&disease_groups(&db, "SLE")).contains(&"全身性エリテマトーデス".to_owned()));
        assert!(disease_groups(&db, "該当なしの病名").is_empty());
    }

    #[test]
    fn a_disease_page_shows_issues_sources_and_what_is_unverified() {
        let db = db();
        let page = disease_page(&db, "ulcerative-colitis").expect("UC is in the reference");
        assert_eq!(page.name, "潰瘍性大腸炎");
        assert!(page.issues.iter().any(|i| i.name.contains("トイレ")));
        assert!(page.issues.iter().all(|i| i.accommodations.row_count() > 0));
        assert!(page.sources.row_count() > 0);
        assert!(page.sources.iter().all(|s| s.starts_with("[S")));
        let with_doubts = db
            .diseases()
            .iter()
            .find(|d| !d.unverified.is_empty())
            .expect("some entries are marked unverified");
        let page = disease_page(&db, with_doubts.id.as_str()).expect("page");
        assert_eq!(page.unverified.row_count(), with_doubts.unverified.len());
        assert!(disease_page(&db, "no-such-disease").is_none());
    }

    #[test]
    fn occupation_search_shows_demands_strongest_first_and_the_schedule() {
        let db = db();
        let rows = occupation_rows(&db, "トラック");
        assert_eq!(rows[0].name, "トラック運転手");
        let demands: Vec<String> = rows[0].demands.iter().map(|d| d.text.to_string()).collect();
        assert!(demands[0].starts_with("【強い】"), "{demands:?}");
        assert!(demands.iter().any(|d| d.contains("トイレ")), "{demands:?}");
        assert!(rows[0].schedule.contains("夜勤"));
        assert_eq!(occupation_rows(&db, "").len(), db.occupations().len());
    }
}
