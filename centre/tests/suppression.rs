//! An attacker's try at the figures: work out hidden cells from what the
//! page and the CSV files show, by subtracting shown counts from a total.

mod common;

use std::collections::BTreeMap;

use common::{records, reference};
use tsunagi_centre::figures::{self, HIDDEN};
use tsunagi_core::model::SupportStage;
use tsunagi_core::research::{Month, ProgressRecord, StageReached};

/// A shown cell: a count, or hidden.
type Shown = Option<usize>;

/// Records built so that one column has a lone small count and the case
/// count at the top of the page is that column's total: 7, 6 and 3 cases
/// first seen in three months, nothing else dated; 3 of them hired.
fn lone_small_count() -> Vec<ProgressRecord> {
    let template = records(1).remove(0);
    let mut out = Vec::new();
    for (month, cases) in [(4, 7), (5, 6), (6, 3)] {
        for _ in 0..cases {
            let mut r = template.clone();
            r.pseudonym = records(1).remove(0).pseudonym;
            r.stages = vec![StageReached {
                stage: SupportStage::ALL[0],
                month: Month::new(2026, month),
            }];
            r.programmes.clear();
            if let Some(e) = r.employment.as_mut() {
                e.hired = None;
                e.retained_3_months = None;
                e.retained_6_months = None;
                e.retained_12_months = None;
            }
            out.push(r);
        }
    }
    for r in out.iter_mut().take(3) {
        if let Some(e) = r.employment.as_mut() {
            e.hired = Month::new(2026, 6);
        }
    }
    out
}

/// The tables as the page shows them: per table slug, its count columns,
/// each a list of shown cells.
fn from_html(html: &str) -> BTreeMap<String, Vec<Vec<Shown>>> {
    let mut out = BTreeMap::new();
    for section in html.split("<h2 id=\"").skip(1) {
        let slug = section.split('"').next().expect("an id").to_owned();
        let body = section
            .split("<tbody>")
            .nth(1)
            .and_then(|b| b.split("</tbody>").next())
            .expect("a table body");
        let rows: Vec<Vec<Shown>> = body
            .split("<tr>")
            .skip(1)
            .map(|row| {
                row.split("<td class=\"n")
                    .skip(1)
                    .map(|cell| {
                        let text = cell.split('>').nth(1).expect("a cell").split('<').next();
                        parse(text.expect("text"))
                    })
                    .collect()
            })
            .filter(|r: &Vec<Shown>| !r.is_empty())
            .collect();
        out.insert(slug, transpose(rows));
    }
    out
}

/// The same from a table's CSV: its count columns are the last
/// `columns` fields of each line.
fn from_csv(csv: &str, columns: usize) -> Vec<Vec<Shown>> {
    let rows = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut cells: Vec<Shown> = line
                .rsplitn(columns + 1, ',')
                .take(columns)
                .map(parse)
                .collect();
            cells.reverse();
            cells
        })
        .collect();
    transpose(rows)
}

fn parse(text: &str) -> Shown {
    if text == HIDDEN {
        None
    } else {
        Some(
            text.parse()
                .unwrap_or_else(|_| panic!("a count or the mark: {text:?}")),
        )
    }
}

fn transpose(rows: Vec<Vec<Shown>>) -> Vec<Vec<Shown>> {
    let width = rows.first().map_or(0, Vec::len);
    (0..width)
        .map(|c| rows.iter().map(|r| r[c]).collect())
        .collect()
}

/// What subtraction from `total` tells of a hidden cell of `column`: the
/// smallest and largest counts that fit it.
fn what_fits(column: &[Shown], total: usize) -> Option<(usize, usize)> {
    let shown: usize = column.iter().flatten().sum();
    let hidden = column.iter().filter(|c| c.is_none()).count();
    let rest = total.checked_sub(shown)?;
    if hidden == 0 {
        None
    } else if hidden == 1 {
        Some((rest, rest))
    } else if rest >= hidden {
        // Zeros are shown, so each hidden cell is at least 1.
        Some((1, rest - (hidden - 1)))
    } else {
        // Then some hidden cell is a zero.
        Some((0, rest))
    }
}

#[test]
fn no_hidden_cell_can_be_worked_out_from_a_total() {
    let records = lone_small_count();
    let tables = figures::tables(&records, &reference());
    let html = figures::to_html(&tables, records.len(), 1, 1);
    let shown_html = from_html(&html);
    let cases: usize = html
        .split("ケース ")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.trim().parse().ok())
        .expect("the page shows the case count");
    assert_eq!(cases, records.len());

    // Every total an attacker can read off the figures: the case count,
    // and the sum of every column shown whole.
    let mut known = vec![cases];
    for columns in shown_html.values() {
        for column in columns {
            if column.iter().all(Option::is_some) {
                known.push(column.iter().flatten().sum());
            }
        }
    }

    let mut tried = 0;
    for table in &tables {
        let from_page = &shown_html[table.slug];
        let from_file = from_csv(&figures::to_csv(table), table.count_headings.len());
        assert_eq!(
            from_page, &from_file,
            "{}: the page and the CSV differ",
            table.slug
        );
        for (c, column) in from_page.iter().enumerate() {
            // And, stronger than anything shown, the column's true total,
            // as if published elsewhere; unless the column shows no count
            // at all, when that total is no more than the hidden cells'
            // own sum.
            let truth: usize = table.rows.iter().map(|(_, counts)| counts[c]).sum();
            let shows_a_count = column.iter().any(|cell| cell.is_some_and(|n| n > 0));
            let outside = shows_a_count.then_some(truth);
            for total in known.iter().copied().chain(outside) {
                let Some((low, high)) = what_fits(column, total) else {
                    continue;
                };
                for (r, cell) in column.iter().enumerate() {
                    if cell.is_some() {
                        continue;
                    }
                    tried += 1;
                    let real = table.rows[r].1[c];
                    assert!(
                        !(low == high && low == real),
                        "{} column {c} row {r}: the hidden {real} is worked out from the total {total}",
                        table.slug
                    );
                }
            }
        }
    }
    assert!(tried > 0, "the figures hide something to try on");
    // The first stage's column has a lone small count (3) and its total
    // is the case count at the top: the case this test is about.
    let first_stage: Vec<usize> = tables[0].rows.iter().map(|(_, c)| c[0]).collect();
    assert_eq!(first_stage, [7, 6, 3]);
}

#[test]
fn hidden_cells_are_marked_alike_in_the_page_and_the_csv() {
    let records = lone_small_count();
    let tables = figures::tables(&records, &reference());
    let html = figures::to_html(&tables, records.len(), 1, 1);
    // The 3 is hidden, and so is the 6 next to it, with the same mark.
    let stages = &from_html(&html)["stages"][0];
    assert_eq!(stages, &[Some(7), None, None]);
    let csv = figures::to_csv(&tables[0]);
    assert!(!csv.contains("<5"), "{csv}");
    for n in 1..5 {
        assert!(
            !html.contains(&format!(">{n}</td>")),
            "a count of {n} is shown"
        );
    }
}
