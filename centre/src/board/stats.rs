//! The board's statistics (掲示板の利用統計): how many posts and comments
//! there are by category, kind, month, poster type (the centre or the
//! agencies), person and — for the centre only — agency, as the study of
//! the board's first year counted them (121 posts and 151 comments;
//! プロジェクト進行 45.5 % of the posts, コミュニケーション・雑談 30.6 %;
//! the centre 39.7 %, the agencies 60.3 %): [`BoardStore::stats`], and
//! [`to_csv`] for a spreadsheet.
//!
//! **What is counted is what the reader may read.** The posts are chosen by
//! the database with [`readable_condition`], the rule lists and search
//! use; the comments counted are those on these posts. Deleted posts and
//! their comments are never counted, an administrator's statistics
//! included: the statistics are of the board as it stands. A post the
//! reader may not read changes no number, not even the months listed, so
//! statistics cannot reveal that it exists. Only the author, the author's
//! agency, the category, the kind and the time of each post and comment
//! are read; never a title or a body.
//!
//! **How a comment is counted:** under its post's category and kind (a
//! comment has none of its own), and under its own month, its own author
//! and its author's agency.
//!
//! **Months and days are Japan time (UTC+9, [`JAPAN`])**, as the board's
//! users count them: a post made at 2027-03-31T15:30:00Z is made on
//! 1 April in Japan and counted in 2027-04. Japan keeps no summer time, so
//! the fixed offset is exact all year.
//!
//! **Per agency only for the centre.** Setting the agencies side by side
//! is the centre's research, not something an agency is shown about the
//! others: for an agency's staff [`BoardStats::by_agency`] is `None`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;

use rusqlite::types::ToSql;
use time::{Date, UtcOffset};
use tsunagi_core::rfc3339::Timestamp;

use super::model::{Category, Kind, Viewer};
use super::store::{BoardError, BoardStore};
use super::visibility::readable_condition;
use crate::accounts::LoginName;

/// Japan time, in which the board's months and days are counted.
pub const JAPAN: UtcOffset = time::macros::offset!(+9);

/// The days counted: from `first` to `last`, both included, as dates in
/// Japan time (a fiscal year is 2027-04-01 to 2028-03-31). A post or a
/// comment is in it when the day it was made, in Japan, is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    first: Date,
    last: Date,
}

impl Period {
    /// The days from `first` to `last`, both included; `None` if `last`
    /// comes before `first`.
    pub fn new(first: Date, last: Date) -> Option<Self> {
        (first <= last).then_some(Self { first, last })
    }

    /// The first day counted.
    pub fn first(self) -> Date {
        self.first
    }

    /// The last day counted.
    pub fn last(self) -> Date {
        self.last
    }

    /// Whether `at` falls on one of the days, in Japan time.
    pub fn contains(self, at: Timestamp) -> bool {
        let day = at.to_offset(JAPAN).date();
        self.first <= day && day <= self.last
    }
}

/// A calendar month in Japan time, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthInJapan {
    year: i32,
    month: u8,
}

impl MonthInJapan {
    /// The month `at` falls in, in Japan time.
    pub fn of(at: Timestamp) -> Self {
        let local = at.to_offset(JAPAN);
        Self {
            year: local.year(),
            month: u8::from(local.month()),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 (January) to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The month after this one.
    fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for MonthInJapan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Who wrote a post or a comment (投稿者の種類): the centre's staff
/// (administrators and researchers) or an agency's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PosterType {
    /// センター: the centre's staff.
    Centre,
    /// 支援機関: the staff of any agency.
    Agencies,
}

impl PosterType {
    /// Both, in the order the statistics list them.
    pub const ALL: [Self; 2] = [Self::Centre, Self::Agencies];

    /// The code the API writes.
    pub fn code(self) -> &'static str {
        match self {
            Self::Centre => "centre",
            Self::Agencies => "agencies",
        }
    }

    /// The name shown, in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Centre => "センター",
            Self::Agencies => "支援機関",
        }
    }

    /// The name in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Centre => "The centre",
            Self::Agencies => "Agencies",
        }
    }

    /// The type of an author whose agency is `agency` (`None` for the
    /// centre).
    fn of(agency: Option<&str>) -> Self {
        match agency {
            None => Self::Centre,
            Some(_) => Self::Agencies,
        }
    }
}

/// The counts for one line of a table: `key`'s posts and comments, and
/// their shares of all the posts and of all the comments counted, in
/// percent rounded to one decimal (0 when nothing is counted).
#[derive(Clone, Debug, PartialEq)]
pub struct Tally<K> {
    /// What is counted: a category, a month, a person…
    pub key: K,
    /// How many posts.
    pub posts: u64,
    /// Their share of all the posts counted, in percent.
    pub posts_percent: f64,
    /// How many comments.
    pub comments: u64,
    /// Their share of all the comments counted, in percent.
    pub comments_percent: f64,
}

impl<K> Tally<K> {
    /// The same counts under `key`.
    fn with_key<L>(&self, key: L) -> Tally<L> {
        Tally {
            key,
            posts: self.posts,
            posts_percent: self.posts_percent,
            comments: self.comments,
            comments_percent: self.comments_percent,
        }
    }
}

/// The board's statistics for one reader ([`BoardStore::stats`]).
#[derive(Clone, Debug, PartialEq)]
pub struct BoardStats {
    /// The days counted; `None` for all of them.
    pub period: Option<Period>,
    /// How many posts are counted.
    pub posts: u64,
    /// How many comments are counted.
    pub comments: u64,
    /// Every category the board keeps, in its order, none left out.
    pub by_category: Vec<Tally<Category>>,
    /// Every kind, in [`Kind::ALL`] order, none left out.
    pub by_kind: Vec<Tally<Kind>>,
    /// Every month from the first to the last with a post or a comment
    /// counted, oldest first, the quiet months between included; empty
    /// when nothing is counted.
    pub by_month: Vec<Tally<MonthInJapan>>,
    /// The centre and the agencies, in [`PosterType::ALL`] order.
    pub by_poster: Vec<Tally<PosterType>>,
    /// Everyone with a post or a comment counted, the most posts first
    /// (then the most comments, then by login name). A login name is
    /// identifying: these are for the board's members, not for the log.
    pub by_person: Vec<Tally<LoginName>>,
    /// Every agency (by its registered name) with a post or a comment
    /// counted, in the order of `by_person`: only for the centre's staff,
    /// `None` for an agency's.
    pub by_agency: Option<Vec<Tally<String>>>,
}

impl BoardStore {
    /// The statistics of what `viewer` may read, over `period` (every day
    /// when `None`); see the [module](self) for what is counted and how.
    /// Reads the posts and the comments in one transaction, so the two
    /// agree even while others write.
    pub fn stats(
        &mut self,
        viewer: &Viewer,
        period: Option<Period>,
    ) -> Result<BoardStats, BoardError> {
        let condition = readable_condition(viewer);
        let params: Vec<(&str, &dyn ToSql)> = condition
            .params
            .iter()
            .map(|(name, value)| (*name, value as &dyn ToSql))
            .collect();
        let mut counter = Counter::new(period);
        let tx = self.conn.transaction()?;
        for (what, sql) in queries(&condition.sql) {
            let mut stmt = tx.prepare(&sql)?;
            let mut rows = stmt.query(params.as_slice())?;
            while let Some(row) = rows.next()? {
                counter.add(
                    what,
                    StatsRow {
                        author: row.get(0)?,
                        agency: row.get(1)?,
                        category: row.get(2)?,
                        kind: row.get(3)?,
                        created_at: row.get(4)?,
                    },
                )?;
            }
        }
        let categories = super::categories::read_all(&tx)?;
        tx.commit()?;
        counter.finish(viewer, categories)
    }
}

/// The two queries the statistics read, posts then comments, over the
/// posts `condition` (the reader's [`readable_condition`], in either
/// database's dialect) lets the reader read and that are not deleted.
/// Each row is [`StatsRow`]'s fields in order. Both backends read these.
pub(super) fn queries(condition: &str) -> [(What, String); 2] {
    [
        (
            What::Post,
            format!(
                "SELECT p.author_login, p.author_agency, p.category, p.kind, p.created_at
                 FROM board_posts p
                 WHERE {condition} AND p.deleted = 0"
            ),
        ),
        (
            What::Comment,
            format!(
                "SELECT c.author_login, c.author_agency, p.category, p.kind, c.created_at
                 FROM board_comments c JOIN board_posts p ON p.id = c.post_id
                 WHERE {condition} AND p.deleted = 0"
            ),
        ),
    ]
}

/// A post or a comment.
#[derive(Clone, Copy)]
pub(super) enum What {
    /// A row of the posts' query.
    Post,
    /// A row of the comments' query.
    Comment,
}

/// One row of [`queries`], as stored.
pub(super) struct StatsRow {
    /// Its author's login name.
    pub(super) author: String,
    /// Its author's agency; `None` for the centre.
    pub(super) agency: Option<String>,
    /// Its (post's) category's code.
    pub(super) category: String,
    /// Its (post's) kind's code.
    pub(super) kind: String,
    /// When it was made.
    pub(super) created_at: Timestamp,
}

/// What is counted of one post or comment.
struct Made {
    /// Its author's login name.
    author: String,
    /// Its author's agency; `None` for the centre.
    agency: Option<String>,
    /// Its (post's) category's code.
    category: String,
    /// Its (post's) kind.
    kind: Kind,
    /// When it was made.
    month: MonthInJapan,
}

/// Posts and comments of one line, before shares are worked out.
#[derive(Clone, Copy, Default)]
struct Count {
    posts: u64,
    comments: u64,
}

impl Count {
    fn add(&mut self, what: What) {
        match what {
            What::Post => self.posts += 1,
            What::Comment => self.comments += 1,
        }
    }

    /// This count as a line of a table with `key`, against `total`.
    fn tally<K>(self, key: K, total: Count) -> Tally<K> {
        Tally {
            key,
            posts: self.posts,
            posts_percent: percent(self.posts, total.posts),
            comments: self.comments,
            comments_percent: percent(self.comments, total.comments),
        }
    }
}

/// `part` of `whole` in percent, rounded to one decimal; 0 when `whole`
/// is.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// Every table's counts, as the rows come: fed [`StatsRow`]s by either
/// backend, then [`Counter::finish`]ed.
#[derive(Default)]
pub(super) struct Counter {
    period: Option<Period>,
    total: Count,
    category: HashMap<String, Count>,
    kind: HashMap<Kind, Count>,
    month: BTreeMap<MonthInJapan, Count>,
    poster: HashMap<PosterType, Count>,
    person: BTreeMap<String, Count>,
    agency: BTreeMap<String, Count>,
}

impl Counter {
    /// Counts over `period` (every day when `None`).
    pub(super) fn new(period: Option<Period>) -> Self {
        Self {
            period,
            ..Self::default()
        }
    }

    /// Counts `row` if it was made within the period.
    pub(super) fn add(&mut self, what: What, row: StatsRow) -> Result<(), BoardError> {
        // The period is applied here, not in SQL: stored times are
        // RFC 3339 text with fractions of a second of any length, which do
        // not sort as text, and days are Japan's.
        if self.period.is_some_and(|p| !p.contains(row.created_at)) {
            return Ok(());
        }
        let kind = Kind::from_code(&row.kind).ok_or(BoardError::Damaged)?;
        self.count(
            what,
            &Made {
                author: row.author,
                agency: row.agency,
                category: row.category,
                kind,
                month: MonthInJapan::of(row.created_at),
            },
        );
        Ok(())
    }

    fn count(&mut self, what: What, made: &Made) {
        self.total.add(what);
        self.category
            .entry(made.category.clone())
            .or_default()
            .add(what);
        self.kind.entry(made.kind).or_default().add(what);
        self.month.entry(made.month).or_default().add(what);
        self.poster
            .entry(PosterType::of(made.agency.as_deref()))
            .or_default()
            .add(what);
        self.person
            .entry(made.author.clone())
            .or_default()
            .add(what);
        if let Some(agency) = &made.agency {
            self.agency.entry(agency.clone()).or_default().add(what);
        }
    }

    /// The statistics for `viewer` of what was counted, with a line for
    /// each of `categories` (every category the board keeps, in its order;
    /// a post under any other is damage).
    pub(super) fn finish(
        self,
        viewer: &Viewer,
        categories: Vec<Category>,
    ) -> Result<BoardStats, BoardError> {
        let period = self.period;
        let total = self.total;
        if self
            .category
            .keys()
            .any(|code| !categories.iter().any(|c| c.code().as_str() == code))
        {
            return Err(BoardError::Damaged);
        }
        let by_category = categories
            .into_iter()
            .map(|category| {
                let count = self
                    .category
                    .get(category.code().as_str())
                    .copied()
                    .unwrap_or_default();
                count.tally(category, total)
            })
            .collect();
        let by_kind = every(Kind::ALL, &self.kind, total);
        let by_poster = every(PosterType::ALL, &self.poster, total);
        let mut by_month = Vec::new();
        if let (Some(&first), Some(&last)) = (self.month.keys().next(), self.month.keys().last()) {
            let mut month = first;
            while month <= last {
                let count = self.month.get(&month).copied().unwrap_or_default();
                by_month.push(count.tally(month, total));
                month = month.next();
            }
        }
        let by_person = busiest_first(self.person, total)
            .into_iter()
            .map(|t| {
                let login = LoginName::parse(&t.key).map_err(|_| BoardError::Damaged)?;
                Ok(t.with_key(login))
            })
            .collect::<Result<_, BoardError>>()?;
        let by_agency = viewer
            .is_centre()
            .then(|| busiest_first(self.agency, total));
        Ok(BoardStats {
            period,
            posts: total.posts,
            comments: total.comments,
            by_category,
            by_kind,
            by_month,
            by_poster,
            by_person,
            by_agency,
        })
    }
}

/// A line for each of `keys`, in their order, none left out.
fn every<K: Copy + Eq + Hash>(
    keys: impl IntoIterator<Item = K>,
    counts: &HashMap<K, Count>,
    total: Count,
) -> Vec<Tally<K>> {
    keys.into_iter()
        .map(|key| {
            let count = counts.get(&key).copied().unwrap_or_default();
            count.tally(key, total)
        })
        .collect()
}

/// The lines of `counts` with the most posts first, then the most
/// comments, then by name.
fn busiest_first(counts: BTreeMap<String, Count>, total: Count) -> Vec<Tally<String>> {
    let mut lines: Vec<Tally<String>> = counts
        .into_iter()
        .map(|(name, count)| count.tally(name, total))
        .collect();
    // Stable: equal lines keep the map's order, which is by name.
    lines.sort_by_key(|t| (Reverse(t.posts), Reverse(t.comments)));
    lines
}

/// The header of [`to_csv`].
const CSV_HEADER: [&str; 6] = [
    "表 Table",
    "項目 Item",
    "投稿数 Posts",
    "投稿の割合(%) Share of posts (%)",
    "コメント数 Comments",
    "コメントの割合(%) Share of comments (%)",
];

/// `stats` as one CSV in long format, for a spreadsheet: UTF-8 with a
/// byte order mark (so that Excel in Japan reads it as UTF-8), lines
/// ending in CRLF, the columns
///
/// `表 Table, 項目 Item, 投稿数 Posts, 投稿の割合(%), コメント数 Comments,
/// コメントの割合(%)`
///
/// and one line per item of each table, in this order: 合計 Total (the
/// item is the period, `2027-04-01〜2028-03-31`, or 全期間 All time),
/// カテゴリ Category, 種別 Kind, 月（日本時間） Month (Japan time),
/// 投稿者の種類 Poster, 機関 Agency (only when [`BoardStats::by_agency`]
/// is there), 投稿者 Person (login names). Labels are Japanese first with
/// English beside them. A field holding a comma, a quote or a line break
/// is quoted (quotes doubled); a name starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`, so that a spreadsheet does
/// not take it for a formula. Shares have one decimal.
pub fn to_csv(stats: &BoardStats) -> String {
    let mut csv = String::from('\u{feff}');
    push_line(&mut csv, &CSV_HEADER.map(str::to_owned));
    let total = Count {
        posts: stats.posts,
        comments: stats.comments,
    };
    let period = match stats.period {
        Some(p) => format!("{}〜{}", p.first(), p.last()),
        None => "全期間 All time".to_owned(),
    };
    push_tally(&mut csv, "合計 Total", &total.tally(period, total));
    for t in &stats.by_category {
        let item = format!("{} {}", t.key.label_ja(), t.key.label_en());
        push_tally(&mut csv, "カテゴリ Category", &t.with_key(item));
    }
    for t in &stats.by_kind {
        let item = format!("{} {}", t.key.label_ja(), t.key.label_en());
        push_tally(&mut csv, "種別 Kind", &t.with_key(item));
    }
    for t in &stats.by_month {
        let item = t.key.to_string();
        push_tally(
            &mut csv,
            "月（日本時間） Month (Japan time)",
            &t.with_key(item),
        );
    }
    for t in &stats.by_poster {
        let item = format!("{} {}", t.key.label_ja(), t.key.label_en());
        push_tally(&mut csv, "投稿者の種類 Poster", &t.with_key(item));
    }
    for t in stats.by_agency.iter().flatten() {
        push_tally(&mut csv, "機関 Agency", t);
    }
    for t in &stats.by_person {
        let item = t.key.as_str().to_owned();
        push_tally(&mut csv, "投稿者 Person", &t.with_key(item));
    }
    csv
}

/// One line of a table.
fn push_tally(csv: &mut String, table: &str, tally: &Tally<String>) {
    push_line(
        csv,
        &[
            table.to_owned(),
            defused(&tally.key),
            tally.posts.to_string(),
            format!("{:.1}", tally.posts_percent),
            tally.comments.to_string(),
            format!("{:.1}", tally.comments_percent),
        ],
    );
}

/// `fields` as one CSV line ending in CRLF.
fn push_line(csv: &mut String, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            csv.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            csv.push('"');
            csv.push_str(&field.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(field);
        }
    }
    csv.push_str("\r\n");
}

/// `text` with a leading `'` if a spreadsheet would read it as a formula.
fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_rounded_to_one_decimal_as_the_study_reported_them() {
        assert_eq!(percent(55, 121), 45.5);
        assert_eq!(percent(37, 121), 30.6);
        assert_eq!(percent(48, 121), 39.7);
        assert_eq!(percent(73, 121), 60.3);
        assert_eq!(percent(0, 0), 0.0);
    }

    #[test]
    fn a_field_with_a_comma_or_a_quote_is_quoted_and_a_formula_is_defused() {
        let mut csv = String::new();
        push_line(
            &mut csv,
            &[
                "北市, 就労".to_owned(),
                "「\"支援\"」".to_owned(),
                defused("=1+1"),
                defused("-"),
                "plain".to_owned(),
            ],
        );
        assert_eq!(
            csv,
            "\"北市, 就労\",\"「\"\"支援\"\"」\",'=1+1,'-,plain\r\n"
        );
    }

    #[test]
    fn december_is_followed_by_january_of_the_next_year() {
        let december = MonthInJapan {
            year: 2027,
            month: 12,
        };
        assert_eq!(december.next().to_string(), "2028-01");
    }
}
