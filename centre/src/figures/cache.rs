//! The figures as shown ([`Shown`]), made once for each version of the
//! data and shared by every viewer until the data changes
//! ([`FiguresCache`]).
//!
//! The storage keeps a data version that grows in the same transaction as
//! every change to what the figures show (a batch stored, records
//! withdrawn or deleted, an agency registered or revoked). A page view
//! reads the version; if the figures held are of that version or later it
//! shows them, else it makes them again from the stored counts. Viewers
//! asking while they are being made wait for them and share them, rather
//! than each making its own. Suppression is applied when the figures are
//! made, so what is held is only what may be shown.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use super::{Table, charts};

/// The figures of one data version, ready to send: the page without its
/// account bar, each table's CSV, and each chart once it is first asked
/// for.
#[derive(Debug)]
pub struct Shown {
    version: u64,
    tables: Vec<Table>,
    head: String,
    rest: String,
    csv: Vec<String>,
    svg: Vec<OnceLock<Option<String>>>,
}

impl Shown {
    /// The figures of data version `version`: `tables`, and the case,
    /// batch and agency counts at the top of the page.
    pub fn new(
        version: u64,
        tables: Vec<Table>,
        cases: usize,
        batches: usize,
        agencies: usize,
    ) -> Self {
        let (head, rest) = super::page_parts(&tables, cases, batches, agencies);
        let csv = tables.iter().map(super::to_csv).collect();
        let svg = tables.iter().map(|_| OnceLock::new()).collect();
        Self {
            version,
            tables,
            head,
            rest,
            csv,
            svg,
        }
    }

    /// The data version these figures are of.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The tables, in page order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// The page with `account_bar` (HTML) at its top.
    pub fn page(&self, account_bar: &str) -> String {
        let mut page = String::with_capacity(self.head.len() + account_bar.len() + self.rest.len());
        page.push_str(&self.head);
        page.push_str(account_bar);
        page.push_str(&self.rest);
        page
    }

    fn index(&self, slug: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.slug == slug)
    }

    /// The CSV of the table `slug`, if there is one.
    pub fn csv(&self, slug: &str) -> Option<&str> {
        self.index(slug).map(|i| self.csv[i].as_str())
    }

    /// The chart of the table `slug`: `None` if there is no such table,
    /// `Some(None)` if it could not be drawn (the reason is logged).
    /// Drawn on first request, on the caller's thread, then kept.
    pub fn svg(&self, slug: &str) -> Option<Option<&str>> {
        let i = self.index(slug)?;
        let drawn = self.svg[i].get_or_init(|| match charts::to_svg(&self.tables[i]) {
            Ok(svg) => Some(svg),
            Err(e) => {
                eprintln!("tsunagi-centre: {e}");
                None
            }
        });
        Some(drawn.as_deref())
    }
}

/// The latest figures made, shared by every viewer.
#[derive(Debug, Default)]
pub struct FiguresCache {
    current: tokio::sync::Mutex<Option<Arc<Shown>>>,
}

impl FiguresCache {
    /// The figures of data version `version` or later: those held, or
    /// those `make` makes (which are then held). While one caller makes
    /// them, the others wait for the lock and then find them held.
    pub async fn get<E, Fut>(
        &self,
        version: u64,
        make: impl FnOnce() -> Fut,
    ) -> Result<Arc<Shown>, E>
    where
        Fut: Future<Output = Result<Shown, E>>,
    {
        let mut current = self.current.lock().await;
        if let Some(shown) = current.as_ref().filter(|s| s.version >= version) {
            return Ok(Arc::clone(shown));
        }
        let shown = Arc::new(make().await?);
        *current = Some(Arc::clone(&shown));
        Ok(shown)
    }
}
