//! The case list's query (search text, stage, worker) and how store rows
//! become screen rows: free of the window's state, and tested here.

use std::sync::Arc;

use slint::{Model, ModelTracker};
use time::UtcOffset;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use tsunagi_core::model::SupportStage;
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::{CaseQuery, CaseSummary, Store, StoreError};

use super::ui::CaseRow;

/// Where the case list's rows come from: the store, or a fake in tests.
pub trait CaseSource {
    /// The cases matching `query`, in any order.
    fn find_cases(&mut self, query: &CaseQuery) -> Result<Vec<Arc<CaseSummary>>, StoreError>;
}

impl CaseSource for Store {
    fn find_cases(&mut self, query: &CaseQuery) -> Result<Vec<Arc<CaseSummary>>, StoreError> {
        Store::find_cases(self, query)
    }
}

/// The case list's query and how its rows look (ケース一覧).
#[derive(Clone, Debug)]
pub struct CaseListController {
    text: String,
    stage: Option<SupportStage>,
    worker: Option<String>,
    workers: Vec<String>,
    utc_offset: UtcOffset,
}

impl CaseListController {
    /// No filters; times shown at `utc_offset`.
    pub fn new(utc_offset: UtcOffset) -> Self {
        Self {
            text: String::new(),
            stage: None,
            worker: None,
            workers: Vec::new(),
            utc_offset,
        }
    }

    /// Clears the search and filters; `workers` are the accounts the worker
    /// filter offers (index 0 upwards).
    pub fn reset(&mut self, workers: Vec<String>) {
        *self = Self {
            workers,
            ..Self::new(self.utc_offset)
        };
    }

    /// The search text: part of a name or kana.
    pub fn set_text(&mut self, text: &str) {
        text.trim().clone_into(&mut self.text);
    }

    /// The filters as the screen gives them: an index into
    /// [`SupportStage::ALL`] and one into the workers, -1 (or anything out
    /// of range) for "all".
    pub fn set_filters(&mut self, stage: i32, worker: i32) {
        self.stage = usize::try_from(stage)
            .ok()
            .and_then(|i| SupportStage::ALL.get(i).copied());
        self.worker = usize::try_from(worker)
            .ok()
            .and_then(|i| self.workers.get(i).cloned());
    }

    /// The store query for the current search and filters.
    pub fn query(&self) -> CaseQuery {
        CaseQuery {
            text: self.text.clone(),
            stage: self.stage,
            worker: self.worker.clone(),
        }
    }

    /// The rows to show, most recent activity first.
    pub fn rows(&self, source: &mut impl CaseSource) -> Result<CaseRows, StoreError> {
        let mut cases = source.find_cases(&self.query())?;
        // Stable, and linear on the store's rows, which come in this order.
        cases.sort_by_key(|c| std::cmp::Reverse(c.updated_at));
        Ok(CaseRows {
            cases,
            utc_offset: self.utc_offset,
        })
    }
}

/// The case list's rows as the list view's model: each row is formatted
/// when the view asks for it, which it does only for the rows on screen,
/// so listing 100,000 cases costs what listing a screenful does.
pub struct CaseRows {
    cases: Vec<Arc<CaseSummary>>,
    utc_offset: UtcOffset,
}

impl CaseRows {
    /// No rows.
    pub fn empty() -> Self {
        Self {
            cases: Vec::new(),
            utc_offset: UtcOffset::UTC,
        }
    }
}

impl Model for CaseRows {
    type Data = CaseRow;

    fn row_count(&self) -> usize {
        self.cases.len()
    }

    fn row_data(&self, row: usize) -> Option<CaseRow> {
        let case = self.cases.get(row)?;
        Some(CaseRow {
            id: case.id.to_string().into(),
            name: case.name.expose().as_str().into(),
            kana: case.kana.expose().as_str().into(),
            stage: stage_index(case.stage),
            updated: format_time(case.updated_at, self.utc_offset).into(),
        })
    }

    fn model_tracker(&self) -> &dyn ModelTracker {
        // A new search makes a new model; this one never changes.
        &()
    }
}

/// The position of `stage` in [`SupportStage::ALL`], which is also its index
/// in the screen's `Stages.labels`.
pub fn stage_index(stage: SupportStage) -> i32 {
    let index = SupportStage::ALL
        .iter()
        .position(|s| *s == stage)
        .expect("every stage is in SupportStage::ALL");
    i32::try_from(index).expect("six stages fit an i32")
}

/// A time as the screens show it: `2026/11/24 14:05` at `offset`.
pub fn format_time(at: Timestamp, offset: UtcOffset) -> String {
    show(
        at,
        offset,
        format_description!("[year]/[month]/[day] [hour]:[minute]"),
    )
}

/// A time to the second, as the audit log shows it: `2026/11/24 14:05:09`.
pub fn format_seconds(at: Timestamp, offset: UtcOffset) -> String {
    show(
        at,
        offset,
        format_description!("[year]/[month]/[day] [hour]:[minute]:[second]"),
    )
}

/// The day of a time at `offset`: `2026/11/24`.
pub fn format_day(at: Timestamp, offset: UtcOffset) -> String {
    show(at, offset, format_description!("[year]/[month]/[day]"))
}

fn show(at: Timestamp, offset: UtcOffset, format: &[BorrowedFormatItem<'_>]) -> String {
    at.to_offset(offset)
        .format(format)
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::CaseId;

    use super::*;

    struct Fake {
        cases: Vec<CaseSummary>,
        asked: Vec<CaseQuery>,
    }

    impl CaseSource for Fake {
        fn find_cases(&mut self, query: &CaseQuery) -> Result<Vec<Arc<CaseSummary>>, StoreError> {
            self.asked.push(query.clone());
            Ok(self.cases.iter().cloned().map(Arc::new).collect())
        }
    }

    fn summary(name: &str, stage: SupportStage, updated_at: &str) -> CaseSummary {
        CaseSummary {
            id: CaseId::new(),
            name: name.into(),
            kana: format!("{name}のかな").as_str().into(),
            stage,
            updated_at: Timestamp::parse(updated_at).expect("a time"),
            assigned_to: Vec::new(),
        }
    }

    const JST: UtcOffset = time::macros::offset!(+9);

    #[test]
    fn rows_show_the_most_recent_activity_first() {
        let mut fake = Fake {
            cases: vec![
                summary("古い", SupportStage::Hired, "2026-01-01T00:00:00Z"),
                summary("新しい", SupportStage::Discovery, "2026-11-24T05:05:00Z"),
                summary("中間", SupportStage::Negotiation, "2026-06-01T12:00:00.5Z"),
            ],
            asked: Vec::new(),
        };
        let rows: Vec<CaseRow> = CaseListController::new(JST)
            .rows(&mut fake)
            .expect("rows")
            .iter()
            .collect();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["新しい", "中間", "古い"]);
        assert_eq!(
            rows[0].updated.as_str(),
            "2026/11/24 14:05",
            "shown in local time"
        );
        assert_eq!(rows[0].kana.as_str(), "新しいのかな");
        assert_eq!(rows[0].stage, 0);
        assert_eq!(rows[2].stage, stage_index(SupportStage::Hired));
    }

    #[test]
    fn search_text_and_filters_reach_the_store_query() {
        let mut controller = CaseListController::new(JST);
        controller.reset(vec!["admin".into(), "sato".into()]);
        controller.set_text("  さくら ");
        controller.set_filters(stage_index(SupportStage::Negotiation), 1);
        let query = controller.query();
        assert_eq!(query.text, "さくら");
        assert_eq!(query.stage, Some(SupportStage::Negotiation));
        assert_eq!(query.worker.as_deref(), Some("sato"));

        controller.set_filters(-1, -1);
        let query = controller.query();
        assert_eq!((query.stage, query.worker), (None, None));
    }

    #[test]
    fn out_of_range_filter_indices_mean_all() {
        let mut controller = CaseListController::new(JST);
        controller.set_filters(99, 5);
        let query = controller.query();
        assert_eq!((query.stage, query.worker), (None, None));
    }

    #[test]
    fn reset_clears_the_search_and_filters() {
        let mut controller = CaseListController::new(JST);
        controller.reset(vec!["admin".into()]);
        controller.set_text("見本");
        controller.set_filters(2, 0);
        controller.reset(Vec::new());
        let query = controller.query();
        assert!(query.text.is_empty() && query.stage.is_none() && query.worker.is_none());
    }

    #[test]
    fn every_stage_has_its_own_index_in_order() {
        let indices: Vec<i32> = SupportStage::ALL.iter().map(|s| stage_index(*s)).collect();
        assert_eq!(indices, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn an_unreadable_time_is_shown_as_stored() {}
}
