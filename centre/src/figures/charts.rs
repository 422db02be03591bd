//! The figures drawn (グラフ): each table as bar charts in SVG, made with
//! plotters' SVG backend and served beside the table as
//! `/figures/NAME.svg`. The table stays on the page: it is the accessible
//! form, and the chart only draws what it shows.
//!
//! **One small chart per column.** Each count column drawn gets a panel of
//! its own, headed with the column's name; the rows keep the table's order
//! and line up across the panels, on alternate light bands. Series are thus
//! told apart by their heading and place, never by colour alone, and every
//! bar has its count written at its end. The panels share one scale, so
//! that a drop from one column to the next (cases → hired → retained)
//! shows at its true size. Stacked bars would be wrong twice over: a row's
//! counts overlap (the hired are among the cases), and a hidden segment
//! would show its size as the gap it leaves.
//!
//! **Hidden cells stay hidden.** A hidden cell ([`Table::hidden`]) is
//! drawn as the table draws it: its whole cell of the panel tinted and
//! hatched, with the mark [`HIDDEN`] at the axis. There is no bar and no
//! count, and nothing with a length that could be read off the scale as
//! one. The scale is made from the shown counts alone, so that not even an
//! axis depends on a hidden one: the SVG is the same, byte for byte,
//! whatever the hidden cells hold.
//!
//! **Text.** Plotters writes `<text>` elements and the browser draws them.
//! An SVG shown through `<img>` loads nothing, not even the page's web
//! font, so the text names BIZ UDGothic (bundled with Windows) and then
//! the Japanese fonts of other systems, ending with `sans-serif`
//! ([`FONT_FAMILY`]). Labels are escaped by the backend; the SVG holds no
//! script, style sheet or link.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{HIDDEN, SUPPRESS_BELOW, Table};

/// The fonts the charts' text asks for, in order (a CSS font-family list).
pub const FONT_FAMILY: &str =
    "BIZ UDGothic, Hiragino Sans, Yu Gothic, Meiryo, Noto Sans CJK JP, sans-serif";

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Plotters refused a drawing call. Drawing into a string does not
    /// fail in practice; this carries plotters' error message, which holds
    /// no label or count.
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
}

// Sizes, in CSS pixels at the chart's natural size.
const MARGIN: i32 = 16;
/// The panel headings: a Japanese line and an English one.
const HEAD: i32 = 56;
const ROW: i32 = 30;
const BAR: i32 = 18;
/// How far a hidden cell's hatching stays inside its row.
const CELL_INSET: i32 = 3;
/// The scale's numbers under the rows.
const AXIS: i32 = 28;
/// One line of the notes under the chart.
const NOTE_LINE: i32 = 22;
/// Room between the row labels and the first panel.
const LABEL_GAP: i32 = 18;
/// Room between one panel's longest bar label and the next panel.
const GAP: i32 = 18;
/// Room after the longest bar for its count (up to five digits).
const VALUE_ROOM: i32 = 40;
/// The hatched sample in the notes.
const SAMPLE: i32 = 22;
const PANEL_MIN: i32 = 150;

const TEXT: f64 = 16.0;
const SMALL: f64 = 14.0;
const TICK: f64 = 12.0;

const INK: RGBColor = RGBColor(0x1d, 0x27, 0x33);
const MUTED: RGBColor = RGBColor(0x4a, 0x58, 0x66);
const BAR_FILL: RGBColor = RGBColor(0x2a, 0x6f, 0x97);
const BAND: RGBColor = RGBColor(0xf1, 0xf4, 0xf7);
const RULE: RGBColor = RGBColor(0xc9, 0xd3, 0xdd);
const HIDDEN_INK: RGBColor = RGBColor(0x8a, 0x5a, 0x00);
const HIDDEN_FILL: RGBColor = RGBColor(0xff, 0xf7, 0xe6);
const HIDDEN_HATCH: RGBColor = RGBColor(0xcf, 0xa9, 0x60);

/// Plotters' SVG backend writes a font size divided by 1.24 (its own
/// notion of a point); sizes here are in CSS pixels.
const PLOTTERS_FONT_SCALE: f64 = 1.24;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The count columns a table's chart draws. The programmes chart draws
/// targets, participants and achievers; the review outcomes after them
/// (employed, continue, stopped) split the year's reviews rather than
/// narrow the same people, and stay in the table.
fn drawn_columns(table: &Table) -> Vec<usize> {
    let all = table.count_headings.len();
    match table.slug {
        "programmes" => (0..all.min(3)).collect(),
        _ => (0..all).collect(),
    }
}

/// A heading or title split into its Japanese part and its English one
/// (after the first space that only English follows): `"3か月定着 3
/// months"` → `("3か月定着", "3 months")`.
fn split_ja_en(text: &str) -> (&str, &str) {
    text.char_indices()
        .find(|(i, c)| *c == ' ' && text[i + 1..].is_ascii() && !text[..*i].is_ascii())
        .map_or((text, ""), |(i, _)| (&text[..i], &text[i + 1..]))
}

/// The label columns the chart shows: all but those under an `ID`
/// heading (codes, which the table shows).
fn label_columns(table: &Table) -> impl Iterator<Item = usize> + '_ {
    (0..table.label_headings.len()).filter(|i| table.label_headings[*i] != "ID")
}

/// A row's label in the chart.
fn row_label(table: &Table, labels: &[String]) -> String {
    label_columns(table)
        .filter_map(|i| labels.get(i).map(String::as_str))
        .collect::<Vec<_>>()
        .join("／")
}

/// The heading over the row labels, Japanese and English.
fn label_heading(table: &Table) -> (String, String) {
    let parts: Vec<(&str, &str)> = label_columns(table)
        .map(|i| split_ja_en(&table.label_headings[i]))
        .collect();
    let ja: Vec<&str> = parts.iter().map(|(ja, _)| *ja).collect();
    let en: Vec<&str> = parts
        .iter()
        .map(|(_, en)| *en)
        .filter(|en| !en.is_empty())
        .collect();
    (ja.join("／"), en.join(" / "))
}

/// The lines under the chart: what a hatched cell means, and for a
/// chart that leaves columns to the table, where they are.
fn notes(table: &Table, columns: &[usize]) -> Vec<(String, &'static RGBColor)> {
    let mut lines = vec![
        (
            format!(
                "{HIDDEN}（斜線のセル）：秘匿。1〜4件の数と、それを引き算で割り出せないよう併せて隠した数です。"
            ),
            &INK,
        ),
        (
            format!(
                "{HIDDEN} (hatched cell): hidden, a count from 1 to 4 or one hidden with it so that it cannot be worked out."
            ),
            &MUTED,
        ),
    ];
    if columns.len() < table.count_headings.len() {
        lines.push((
            "評価結果は下の表にあります。 Review outcomes are in the table below.".to_owned(),
            &MUTED,
        ));
    }
    lines
}

/// About how wide `text` is at `size` pixels: a full-width character takes
/// an em, any other about 0.6 (the text is drawn by the browser, whose
/// font is not known here).
fn text_width(text: &str, size: f64) -> i32 {
    let ems: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum();
    (ems * size).ceil() as i32
}

/// Where everything goes.
struct Layout {
    columns: Vec<usize>,
    rows: usize,
    label_width: i32,
    panel_width: i32,
    notes: Vec<(String, &'static RGBColor)>,
    /// The count at the scale's end, from the shown counts only.
    top: usize,
    /// The step between the scale's numbers.
    step: usize,
}

impl Layout {
    fn new(table: &Table) -> Self {
        let columns = drawn_columns(table);
        let hidden = table.hidden();
        let largest_shown = table
            .rows
            .iter()
            .zip(&hidden)
            .flat_map(|((_, counts), hidden)| {
                columns
                    .iter()
                    .filter(|c| !hidden.get(**c).copied().unwrap_or(true))
                    .filter_map(|c| counts.get(*c).copied())
            })
            .max()
            .unwrap_or(0);
        let (top, step) = scale(largest_shown);
        let (heading_ja, heading_en) = label_heading(table);
        let label_width = table
            .rows
            .iter()
            .map(|(labels, _)| text_width(&row_label(table, labels), TEXT))
            .chain([
                text_width(&heading_ja, TEXT),
                text_width(&heading_en, SMALL),
            ])
            .max()
            .unwrap_or(0)
            .max(60)
            + 6
            + LABEL_GAP;
        let panel_width = columns
            .iter()
            .map(|c| {
                let (ja, en) = split_ja_en(&table.count_headings[*c]);
                text_width(ja, TEXT).max(text_width(en, SMALL)) + GAP
            })
            .max()
            .unwrap_or(0)
            .max(PANEL_MIN);
        Self {
            notes: notes(table, &columns),
            columns,
            rows: table.rows.len(),
            label_width,
            panel_width,
            top,
            step,
        }
    }

    fn width(&self) -> i32 {
        let panels = self.label_width + self.columns.len() as i32 * self.panel_width;
        let notes = self
            .notes
            .iter()
            .map(|(line, _)| SAMPLE + 8 + text_width(line, SMALL))
            .max()
            .unwrap_or(0);
        2 * MARGIN + panels.max(notes)
    }

    fn height(&self) -> i32 {
        2 * MARGIN
            + HEAD
            + self.rows.max(1) as i32 * ROW
            + AXIS
            + 8
            + self.notes.len() as i32 * NOTE_LINE
    }

    /// Where panel `i`'s bars start.
    fn panel_x(&self, i: usize) -> i32 {
        MARGIN + self.label_width + i as i32 * self.panel_width
    }

    fn rows_top(&self) -> i32 {
        MARGIN + HEAD
    }

    fn rows_bottom(&self) -> i32 {
        self.rows_top() + self.rows as i32 * ROW
    }

    /// The middle of row `r`.
    fn row_middle(&self, r: usize) -> i32 {
        self.rows_top() + r as i32 * ROW + ROW / 2
    }

    /// The longest bar's length.
    fn bar_room(&self) -> i32 {
        self.panel_width - GAP - VALUE_ROOM
    }

    /// The length of a bar for `count` (a shown one).
    fn length(&self, count: usize) -> i32 {
        (count as f64 / self.top as f64 * f64::from(self.bar_room())).round() as i32
    }
}

/// The scale's end and step for counts up to `largest` (a shown count):
/// a round number with two or three steps, and at least
/// [`SUPPRESS_BELOW`] so that a chart of small counts has a scale.
fn scale(largest: usize) -> (usize, usize) {
    let largest = largest.max(SUPPRESS_BELOW);
    let mut unit: usize = 1;
    loop {
        for m in [1, 2, 5] {
            let step = unit.saturating_mul(m);
            let steps = largest.div_ceil(step);
            if steps <= 3 {
                return (steps.saturating_mul(step), step);
            }
        }
        unit = unit.saturating_mul(10);
    }
}

/// The chart's size in pixels, width and height (for the page's `<img>`).
pub fn size(table: &Table) -> (u32, u32) {
    let layout = Layout::new(table);
    (layout.width() as u32, layout.height() as u32)
}

/// A text alternative for the chart, Japanese and then English: what it
/// draws, and that the table below holds the same counts.
pub fn alt(table: &Table) -> String {
    let (title_ja, title_en) = split_ja_en(table.title);
    let columns = drawn_columns(table);
    let names: Vec<&str> = columns
        .iter()
        .map(|c| split_ja_en(&table.count_headings[*c]).0)
        .collect();
    format!(
        "横棒グラフ：{title_ja}。{names}の{n}つの小さなグラフで、数と秘匿（{HIDDEN}）は下の表のとおりです。 \
         Bar charts: {title_en}, one small chart for each of {n} columns; the counts and hidden cells ({HIDDEN}) are those of the table below.",
        names = names.join("・"),
        n = columns.len(),
    )
}

/// The table drawn as an SVG document (UTF-8, starting with `<svg`).
pub fn to_svg(table: &Table) -> Result<String, ChartError> {
    let layout = Layout::new(table);
    let mut svg = String::new();
    {
        let size = (layout.width() as u32, layout.height() as u32);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root, table, &layout)
            .and_then(|()| root.present())
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    Ok(svg)
}

fn style(size: f64, color: &'static RGBColor, bold: bool, h: HPos, v: VPos) -> TextStyle<'static> {
    let weight = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    TextStyle::from(FontDesc::new(
        FontFamily::Name(FONT_FAMILY),
        size * PLOTTERS_FONT_SCALE,
        weight,
    ))
    .color(color)
    .pos(Pos::new(h, v))
}

fn text(area: &Area<'_>, s: &str, at: (i32, i32), style: TextStyle<'static>) -> Drawn {
    area.draw(&Text::new(s, at, style))
}

fn line(area: &Area<'_>, from: (i32, i32), to: (i32, i32), color: &RGBColor) -> Drawn {
    area.draw(&PathElement::new(vec![from, to], color.stroke_width(1)))
}

fn draw(area: &Area<'_>, table: &Table, layout: &Layout) -> Drawn {
    area.fill(&WHITE)?;
    if table.rows.is_empty() {
        return text(
            area,
            "まだデータがありません。 No data yet.",
            (MARGIN, layout.rows_top()),
            style(TEXT, &INK, false, HPos::Left, VPos::Top),
        );
    }
    draw_headings(area, table, layout)?;
    draw_rows(area, table, layout)?;
    for (i, _) in layout.columns.iter().enumerate() {
        draw_scale(area, layout, layout.panel_x(i))?;
    }
    draw_cells(area, table, layout)?;
    draw_notes(area, layout)
}

/// The label column's heading and each panel's, Japanese over English.
fn draw_headings(area: &Area<'_>, table: &Table, layout: &Layout) -> Drawn {
    let headings = std::iter::once((MARGIN + 6, label_heading(table))).chain(
        layout.columns.iter().enumerate().map(|(i, c)| {
            let (ja, en) = split_ja_en(&table.count_headings[*c]);
            (layout.panel_x(i), (ja.to_owned(), en.to_owned()))
        }),
    );
    for (x, (ja, en)) in headings {
        text(
            area,
            &ja,
            (x, MARGIN + 4),
            style(TEXT, &INK, true, HPos::Left, VPos::Top),
        )?;
        if !en.is_empty() {
            text(
                area,
                &en,
                (x, MARGIN + 26),
                style(SMALL, &MUTED, false, HPos::Left, VPos::Top),
            )?;
        }
    }
    Ok(())
}

/// Alternate bands across the whole chart and each row's label.
fn draw_rows(area: &Area<'_>, table: &Table, layout: &Layout) -> Drawn {
    let right = layout.panel_x(layout.columns.len()) - GAP / 2;
    for (r, (labels, _)) in table.rows.iter().enumerate() {
        let top = layout.rows_top() + r as i32 * ROW;
        if r % 2 == 0 {
            area.draw(&Rectangle::new(
                [(MARGIN, top), (right, top + ROW)],
                BAND.filled(),
            ))?;
        }
        text(
            area,
            &row_label(table, labels),
            (MARGIN + 6, layout.row_middle(r)),
            style(TEXT, &INK, false, HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

/// One panel's light grid lines and the scale's numbers under the rows.
fn draw_scale(area: &Area<'_>, layout: &Layout, x0: i32) -> Drawn {
    let (top, bottom) = (layout.rows_top(), layout.rows_bottom());
    for tick in (0..=layout.top).step_by(layout.step.max(1)) {
        let x = x0 + layout.length(tick);
        if tick > 0 {
            line(area, (x, top), (x, bottom), &RULE)?;
        }
        line(area, (x, bottom), (x, bottom + 4), &MUTED)?;
        text(
            area,
            &tick.to_string(),
            (x, bottom + 7),
            style(TICK, &MUTED, false, HPos::Center, VPos::Top),
        )?;
    }
    line(area, (x0, top), (x0, bottom), &MUTED)?;
    line(area, (x0, bottom), (x0 + layout.bar_room(), bottom), &MUTED)
}

/// Every cell: a bar with its count, a bare `0`, or the hidden cell.
fn draw_cells(area: &Area<'_>, table: &Table, layout: &Layout) -> Drawn {
    for (r, ((_, counts), hidden)) in table.rows.iter().zip(table.hidden()).enumerate() {
        let middle = layout.row_middle(r);
        for (i, c) in layout.columns.iter().enumerate() {
            let x0 = layout.panel_x(i);
            if hidden.get(*c).copied().unwrap_or(true) {
                let top = middle - ROW / 2 + CELL_INSET;
                let bottom = middle + ROW / 2 - CELL_INSET;
                hatched(area, (x0 + 1, top), (x0 + layout.panel_width - GAP, bottom))?;
                // The mark on a clear patch, as legible as a count.
                area.draw(&Rectangle::new(
                    [(x0 + 1, top), (x0 + 18, bottom)],
                    HIDDEN_FILL.filled(),
                ))?;
                text(
                    area,
                    HIDDEN,
                    (x0 + 5, middle),
                    style(SMALL, &HIDDEN_INK, true, HPos::Left, VPos::Center),
                )?;
                continue;
            }
            let count = counts.get(*c).copied().unwrap_or(0);
            let length = layout.length(count);
            if count > 0 {
                area.draw(&Rectangle::new(
                    [(x0, middle - BAR / 2), (x0 + length, middle + BAR / 2)],
                    BAR_FILL.filled(),
                ))?;
            }
            let ink = if count > 0 { &INK } else { &MUTED };
            text(
                area,
                &count.to_string(),
                (x0 + length + 5, middle),
                style(SMALL, ink, false, HPos::Left, VPos::Center),
            )?;
        }
    }
    Ok(())
}

/// A tinted, hatched box from `top_left` to `bottom_right`: a hidden
/// cell, of one size whatever the cell holds.
fn hatched(area: &Area<'_>, top_left: (i32, i32), bottom_right: (i32, i32)) -> Drawn {
    let ((left, top), (right, bottom)) = (top_left, bottom_right);
    area.draw(&Rectangle::new(
        [top_left, bottom_right],
        HIDDEN_FILL.filled(),
    ))?;
    // Lines rising at 45°, clipped to the box.
    let (width, height) = (right - left, bottom - top);
    for k in (-height..width).step_by(7) {
        let start = (-k).max(0);
        let end = height.min(width - k);
        if start < end {
            line(
                area,
                (left + k + start, bottom - start),
                (left + k + end, bottom - end),
                &HIDDEN_HATCH,
            )?;
        }
    }
    Ok(())
}

/// The notes under the scale, the first beside a sample of a hidden
/// cell.
fn draw_notes(area: &Area<'_>, layout: &Layout) -> Drawn {
    let first = layout.rows_bottom() + AXIS + 8 + NOTE_LINE / 2;
    hatched(
        area,
        (MARGIN, first - NOTE_LINE / 2 + 1),
        (MARGIN + SAMPLE, first + NOTE_LINE / 2 - 1),
    )?;
    for (i, (note, ink)) in layout.notes.iter().enumerate() {
        text(
            area,
            note,
            (MARGIN + SAMPLE + 8, first + i as i32 * NOTE_LINE),
            style(SMALL, ink, false, HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table like the stage funnel: months down, two stages across.
    /// Column 0 holds a lone small count (3) and so also the next
    /// smallest (7); column 1 holds 2 and, hidden with it, the table's
    /// largest count (50), which the scale must not follow.
    fn table(first: [usize; 5], second: [usize; 5]) -> Table {
        Table {
            slug: "stages",
            title: "支援段階の到達（月別） Cases reaching each stage, by month",
            note: "",
            label_headings: vec!["年月 Month".into()],
            count_headings: vec!["ディスカバリー".into(), "就職 Hired".into()],
            rows: (0..5)
                .map(|r| (vec![format!("2026-0{}", r + 1)], vec![first[r], second[r]]))
                .collect(),
        }
    }

    const FIRST: [usize; 5] = [12, 3, 7, 0, 9];
    const SECOND: [usize; 5] = [0, 2, 50, 0, 0];

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("the SVG is well-formed XML")
    }

    /// The text of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        parse(svg)
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_owned())
            .collect()
    }

    /// The widths of the bars (rectangles filled with the bars' colour).
    fn bar_widths(svg: &str) -> Vec<i32> {
        parse(svg)
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#2A6F97"))
            .map(|n| {
                n.attribute("width")
                    .and_then(|w| w.parse().ok())
                    .expect("a width")
            })
            .collect()
    }

    #[test]
    fn a_hidden_count_draws_no_bar_and_no_number() {
        let t = table(FIRST, SECOND);
        assert_eq!(
            t.hidden(),
            [
                [false, false],
                [true, true],
                [true, true],
                [false, false],
                [false, false]
            ],
            "the cells this test is about are hidden"
        );
        let svg = to_svg(&t).expect("draws");
        let texts = texts(&svg);
        for hidden in ["3", "7", "2", "50"] {
            assert!(!texts.iter().any(|t| t == hidden), "{hidden} is written");
        }
        assert_eq!(
            texts.iter().filter(|t| *t == HIDDEN).count(),
            4,
            "a mark by each hidden cell"
        );
        for shown in ["12", "9"] {
            assert!(texts.iter().any(|t| t == shown), "{shown} is not written");
        }

        // One bar for each shown count above zero, each its count long on
        // a scale made from the shown counts (12 and 9: 0 to 15).
        let layout = Layout::new(&t);
        assert_eq!(layout.top, 15, "the hidden 50 does not set the scale");
        let widths = bar_widths(&svg);
        assert_eq!(widths, [12, 9].map(|n| layout.length(n)));
        for hidden in [3, 7, 2, 50] {
            assert!(
                !widths.contains(&layout.length(hidden)),
                "a bar for {hidden}"
            );
        }
    }

    #[test]
    fn the_chart_is_the_same_whatever_the_hidden_cells_hold() {
        let drawn = to_svg(&table(FIRST, SECOND)).expect("draws");
        for (first, second) in [
            ([12, 1, 8, 0, 9], [0, 4, 90, 0, 0]),
            ([12, 4, 5, 0, 9], [0, 1, 6, 0, 0]),
        ] {
            let other = table(first, second);
            assert_eq!(other.hidden(), table(FIRST, SECOND).hidden());
            assert_eq!(to_svg(&other).expect("draws"), drawn);
        }
        // A shown count does change it.
        let shown = to_svg(&table([13, 3, 7, 0, 9], SECOND)).expect("draws");
        assert_ne!(shown, drawn);
    }

    #[test]
    fn headings_row_labels_and_the_hidden_note_are_written_in_the_japanese_font() {
        let svg = to_svg(&table(FIRST, SECOND)).expect("draws");
        let texts = texts(&svg);
        for expected in [
            "ディスカバリー",
            "就職",
            "Hired",
            "年月",
            "Month",
            "2026-01",
            "2026-05",
        ] {
            assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
        }
        assert!(
            texts.iter().any(|t| t.starts_with("x（斜線のセル）：秘匿")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("x (hatched cell): hidden")),
            "{texts:?}"
        );
        let doc = parse(&svg);
        for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
            assert_eq!(node.attribute("font-family"), Some(FONT_FAMILY));
            let size: f64 = node
                .attribute("font-size")
                .and_then(|s| s.parse().ok())
                .expect("a font size");
            assert!(size >= TICK, "text of {size}px");
        }
    }

    #[test]
    fn the_svg_is_well_formed_sized_and_holds_no_script_even_from_a_label() {
        let mut t = table(FIRST, SECOND);
        t.label_headings = vec!["疾患群 Disease group".into(), "ID".into()];
        for (r, (labels, _)) in t.rows.iter_mut().enumerate() {
            labels.push(format!("code{r}"));
        }
        t.rows[0].0[0] = "<script>alert(1)</script> & \"群\"".into();
        let svg = to_svg(&t).expect("draws");
        assert!(svg.starts_with("<svg "), "{svg}");
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let (w, h) = size(&t);
        assert_eq!(root.attribute("width"), Some(w.to_string().as_str()));
        assert_eq!(root.attribute("height"), Some(h.to_string().as_str()));
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                ["svg", "rect", "text", "polyline", "line"].contains(&name),
                "<{name}>"
            );
            for a in node.attributes() {
                assert!(!a.name().starts_with("on"), "{} on <{name}>", a.name());
                assert!(!a.value().contains("javascript:"), "{}", a.value());
            }
        }
        let texts = texts(&svg);
        assert!(texts.contains(&"<script>alert(1)</script> & \"群\"".to_owned()));
        assert!(
            !texts.iter().any(|t| t.contains("code0")),
            "IDs stay in the table"
        );
    }

    #[test]
    fn an_empty_table_draws_a_note_instead_of_bars() {
        let mut t = table(FIRST, SECOND);
        t.rows.clear();
        let svg = to_svg(&t).expect("draws");
        assert!(texts(&svg).iter().any(|t| t.contains("No data yet")));
        assert!(bar_widths(&svg).is_empty());
    }

    #[test]
    fn the_programmes_chart_draws_the_first_three_columns_and_says_where_the_rest_are() {
        let t = Table {
            slug: "programmes",
            title: "自立支援プログラム（年度別） Programmes by fiscal year",
            note: "",
            label_headings: vec!["プログラム Programme".into(), "年度 Fiscal year".into()],
            count_headings: [
                "支援対象者数 Targets",
                "参加者数 Participants",
                "達成者数 Achievers",
                "就労 Employed",
                "継続 Continue",
                "打ち切り Stopped",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![(
                vec!["就労支援 Employment support".into(), "2026年度".into()],
                vec![40, 30, 20, 11, 12, 13],
            )],
        };
        let svg = to_svg(&t).expect("draws");
        let texts = texts(&svg);
        assert!(texts.contains(&"就労支援 Employment support／2026年度".to_owned()));
        for n in ["40", "30", "20"] {
            assert!(texts.iter().any(|t| t == n), "{n}");
        }
        for n in ["11", "12", "13", "継続"] {
            assert!(!texts.iter().any(|t| t == n), "{n}");
        }
        assert!(
            texts
                .iter()
                .any(|t| t.ends_with("Review outcomes are in the table below."))
        );
        let alt = alt(&t);
        assert!(
            alt.contains("支援対象者数・参加者数・達成者数の3つ")
                && alt.contains("Programmes by fiscal year"),
            "{alt}"
        );
    }

    #[test]
    fn the_scale_ends_on_a_round_number_in_two_or_three_steps() {
        assert_eq!(scale(0), (6, 2));
        assert_eq!(scale(7), (10, 5));
        assert_eq!(scale(23), (30, 10));
        assert_eq!(scale(101), (150, 50));
        assert_eq!(scale(usize::MAX).0, usize::MAX);
    }
}
