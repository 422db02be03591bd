//! Which cells of a table are hidden (秘匿): small counts, and the cells
//! hidden with them so that no small count can be worked out by
//! subtraction.
//!
//! **Primary suppression.** Every count from 1 to [`SUPPRESS_BELOW`] − 1.
//!
//! **Complementary suppression, by column.** A column's total may be known
//! even though no table prints it: the case count at the top of the page is
//! the total of the first stage's column whenever every case has a dated
//! first stage, and of the outcomes table's case column whenever nobody is
//! in two disease groups; the same column in two tables (hires by month,
//! hires by group) sums to the same number; and an agency's own caseload
//! may be published elsewhere. So every column is treated as if its total
//! were printed. In a column with `n` hidden cells whose counts sum to `k`,
//! anyone who knows the total knows `k`, and, since zeros are shown, that
//! each hidden cell is at least 1: a hidden cell is then anything from 1 to
//! `k − (n − 1)`. Cells are added to the hidden ones, smallest shown count
//! first, until `n ≥ 2` and `k − (n − 1) ≥ SUPPRESS_BELOW − 1`: every value
//! from 1 to 4 still fits every hidden cell, so the total tells no more
//! than the mark does.
//!
//! When every non-zero cell of the column is hidden and that still does not
//! hold, one zero cell of the column is hidden too, so that a hidden cell
//! may be 0 and none is pinned to a single value. A column with no zero
//! and every cell hidden (say five disease groups of one case each) cannot
//! be protected within itself: anyone who knows its total learns each
//! count. The page then still hides the cells, and the documentation says
//! so (docs/research.md).
//!
//! Rows have no totals and no row adds up to another figure: a row's counts
//! overlap (the hired are among the cases, the retained among the hired),
//! so they give an attacker only bounds, never a sum.
//!
//! Every hidden cell, primary or complementary, shows the same mark
//! ([`HIDDEN`]); were complementary cells marked apart, knowing they are 5
//! or more would narrow the small ones again.

use super::SUPPRESS_BELOW;

/// The mark of a hidden cell (秘匿), as in Japan's official statistics.
pub const HIDDEN: &str = "x";

/// Whether a count is small enough to be hidden for itself.
pub fn is_small(n: usize) -> bool {
    n > 0 && n < SUPPRESS_BELOW
}

/// For each row and count column of `rows`, whether the cell is hidden.
pub fn hidden_cells(rows: &[Vec<usize>]) -> Vec<Vec<bool>> {
    let mut hidden: Vec<Vec<bool>> = rows
        .iter()
        .map(|row| row.iter().map(|n| is_small(*n)).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    for c in 0..columns {
        protect_column(rows, &mut hidden, c);
    }
    hidden
}

/// Hides more cells of column `c` until its total tells nothing about a
/// hidden cell (see the module docs).
fn protect_column(rows: &[Vec<usize>], hidden: &mut [Vec<bool>], c: usize) {
    let value = |r: usize| rows[r].get(c).copied().unwrap_or(0);
    let is_hidden = |hidden: &[Vec<bool>], r: usize| hidden[r].get(c).copied().unwrap_or(false);
    let state = |hidden: &[Vec<bool>]| -> (usize, usize) {
        (0..rows.len())
            .filter(|r| is_hidden(hidden, *r))
            .fold((0, 0), |(n, k), r| (n + 1, k + value(r)))
    };
    let (mut n, mut k) = state(hidden);
    if n == 0 {
        return;
    }
    // Every value from 1 to SUPPRESS_BELOW − 1 still fits each hidden cell.
    let safe = |n: usize, k: usize| n >= 2 && k + 1 >= n + (SUPPRESS_BELOW - 1);
    while !safe(n, k) {
        let next = (0..rows.len())
            .filter(|r| !is_hidden(hidden, *r) && value(*r) > 0 && c < rows[*r].len())
            .min_by_key(|r| (value(*r), *r));
        let Some(r) = next else { break };
        hidden[r][c] = true;
        (n, k) = state(hidden);
    }
    // Not pinned: at least two values fit each hidden cell.
    let pinned = n < 2 || k == n;
    if pinned && let Some(r) = (0..rows.len()).find(|r| c < rows[*r].len() && value(*r) == 0) {
        hidden[r][c] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[usize]) -> Vec<Vec<usize>> {
        values.iter().map(|v| vec![*v]).collect()
    }

    fn hidden_of(values: &[usize]) -> Vec<bool> {
        hidden_cells(&column(values))
            .into_iter()
            .map(|r| r[0])
            .collect()
    }

    #[test]
    fn a_lone_small_count_takes_the_next_smallest_count_with_it() {
        assert_eq!(
            hidden_of(&[12, 3, 7, 0, 9]),
            [false, true, true, false, false]
        );
    }

    #[test]
    fn two_small_counts_that_add_up_to_little_take_a_third_with_them() {
        // 1 + 1: knowing the total, both would be 1.
        assert_eq!(hidden_of(&[1, 20, 1, 6]), [true, false, true, true]);
        // 4 + 3: each could still be anything from 1 to 4 (7 − 1 = 6).
        assert_eq!(hidden_of(&[4, 20, 3, 6]), [true, false, true, false]);
    }

    #[test]
    fn a_column_without_small_counts_is_shown_whole() {
        assert_eq!(hidden_of(&[0, 5, 8]), [false, false, false]);
    }

    #[test]
    fn a_column_of_ones_hides_a_zero_as_well() {
        assert_eq!(hidden_of(&[1, 1, 0]), [true, true, true]);
    }
}
