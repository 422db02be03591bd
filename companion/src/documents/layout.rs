//! The page frame shared by the five documents: A4 portrait, margins, a
//! title block with the case number, creation and revision dates, section
//! headings, wrapped paragraphs, ruled tables whose rows split across pages
//! with the header repeated, labelled form fields, photos, confirmation
//! boxes (確認印) and "n / N" page numbers on every page.
//!
//! Positions are kept as distances from the top of the page in points and
//! turned into PDF coordinates (from the bottom) when drawn.

use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfDocument,
    PdfFontHandle, PdfPage, Point, Pt, RawImage, Rect, TextItem, TextMatrix, XObjectTransform,
};

use super::text::{Fonts, Weight, fonts, wrap};
use super::{DocumentError, DocumentMeta, format_date, writer};

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.276;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const MARGIN_X: f32 = 15.0 * MM;
const MARGIN_TOP: f32 = 12.0 * MM;
const MARGIN_BOTTOM: f32 = 12.0 * MM;
/// Where the body starts below the running header.
const BODY_TOP: f32 = MARGIN_TOP + 18.0;
/// Where the body ends above the page number.
const BODY_BOTTOM: f32 = PAGE_H - MARGIN_BOTTOM - 16.0;
/// The usable width.
pub(crate) const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

const BODY_SIZE: f32 = 9.5;
const BODY_LEADING: f32 = 14.5;
const CELL_SIZE: f32 = 9.0;
const CELL_LEADING: f32 = 13.0;
const CELL_PAD: f32 = 3.5;
const HEADING_SIZE: f32 = 11.0;
const SMALL_SIZE: f32 = 8.0;

/// One column of a ruled table.
pub(crate) struct Column {
    /// Header text (empty for tables without a header row).
    pub header: &'static str,
    /// Share of the body width.
    pub share: f32,
    /// A label column: shaded, bold.
    pub label: bool,
    /// The fewest lines a cell of this column takes: room for a seal (印)
    /// in a confirmation column.
    pub min_lines: usize,
}

/// A column with a header and a share of the width.
pub(crate) fn col(header: &'static str, share: f32) -> Column {
    Column {
        header,
        share,
        label: false,
        min_lines: 1,
    }
}

/// An empty column tall enough for a seal (確認印) in every row.
pub(crate) fn seal_col(header: &'static str, share: f32) -> Column {
    Column {
        min_lines: 3,
        ..col(header, share)
    }
}

/// A page being filled and the pages done.
pub(crate) struct Doc {
    fonts: &'static Fonts,
    pdf: PdfDocument,
    regular: FontId,
    bold: FontId,
    title: &'static str,
    meta: DocumentMeta,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Distance of the next free line from the top of the page.
    y: f32,
}

impl Doc {
    /// A new document with its title block on the first page.
    pub fn new(title: &'static str, meta: &DocumentMeta) -> Self {
        let fonts = fonts();
        let mut pdf = PdfDocument::new(title);
        let regular = pdf.add_font(&fonts.regular);
        let bold = pdf.add_font(&fonts.bold);
        let mut doc = Self {
            fonts,
            pdf,
            regular,
            bold,
            title,
            meta: meta.clone(),
            pages: Vec::new(),
            ops: Vec::new(),
            y: BODY_TOP,
        };
        doc.title_block();
        doc
    }

    fn title_block(&mut self) {
        let w = self.fonts.width(self.title, Weight::Bold, 18.0);
        self.text(
            (PAGE_W - w) / 2.0,
            self.y + 18.0,
            self.title,
            Weight::Bold,
            18.0,
        );
        self.y += 30.0;
        let lines = [
            format!("ケース番号　{}", self.meta.case_number),
            format!("作成日　{}", format_date(self.meta.created_on)),
            format!(
                "改訂　第{}版（{}）",
                self.meta.revision,
                format_date(self.meta.revised_on)
            ),
        ];
        for line in lines {
            let w = self.fonts.width(&line, Weight::Regular, SMALL_SIZE);
            self.text(
                PAGE_W - MARGIN_X - w,
                self.y + SMALL_SIZE,
                &line,
                Weight::Regular,
                SMALL_SIZE,
            );
            self.y += SMALL_SIZE + 3.0;
        }
        self.y += 6.0;
    }

    fn font(&self, weight: Weight) -> PdfFontHandle {
        PdfFontHandle::External(match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        })
    }

    /// `text` as the face's glyph ids, each with its character for copying
    /// and searching. printpdf would otherwise look every character up in
    /// the face's character map again, twice, when it saves the document.
    fn glyph_ids(&self, text: &str, weight: Weight) -> TextItem {
        TextItem::GlyphIds(
            text.chars()
                .map(|c| Codepoint {
                    gid: self.fonts.glyph(c, weight).map_or(0, |g| g.id),
                    offset: 0.0,
                    cid: Some(c.to_string()),
                })
                .collect(),
        )
    }

    /// Draws one line of text with its baseline `baseline` points from the top.
    fn text(&mut self, x: f32, baseline: f32, text: &str, weight: Weight, size: f32) {
        if text.is_empty() {
            return;
        }
        let font = self.font(weight);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(x), Pt(PAGE_H - baseline)),
            },
            Op::ShowText {
                items: vec![self.glyph_ids(text, weight)],
            },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops.extend([
            Op::SetOutlineThickness { pt: Pt(width) },
            Op::SetOutlineColor { col: grey(0.0) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y1), point(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, fill: Option<f32>) {
        if let Some(level) = fill {
            self.ops.extend([
                Op::SetFillColor { col: grey(level) },
                Op::DrawRectangle {
                    rectangle: Rect {
                        mode: Some(PaintMode::Fill),
                        ..Rect::from_xywh(Pt(x), Pt(PAGE_H - top - h), Pt(w), Pt(h))
                    },
                },
                Op::SetFillColor { col: grey(0.0) },
            ]);
        }
        self.ops.extend([
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::SetOutlineColor { col: grey(0.0) },
            Op::DrawRectangle {
                rectangle: Rect {
                    mode: Some(PaintMode::Stroke),
                    ..Rect::from_xywh(Pt(x), Pt(PAGE_H - top - h), Pt(w), Pt(h))
                },
            },
        ]);
    }

    /// Space left on this page.
    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages.push(ops);
        self.y = BODY_TOP;
    }

    /// Makes sure `height` points are free, else starts a new page.
    fn need(&mut self, height: f32) {
        if self.room() < height && self.y > BODY_TOP + 0.5 {
            self.new_page();
        }
    }

    /// A section heading, kept with what follows: a table's header row and
    /// a first row of up to three lines (a seal row), or four lines of text.
    pub fn heading(&mut self, text: &str) {
        self.need(HEADING_SIZE + 8.0 + 4.0 * CELL_LEADING + 4.0 * CELL_PAD);
        if self.y > BODY_TOP + 0.5 {
            self.y += 6.0;
        }
        let h = HEADING_SIZE + 6.0;
        self.rect(MARGIN_X, self.y, 3.0, h, Some(0.2));
        self.text(
            MARGIN_X + 7.0,
            self.y + HEADING_SIZE + 1.5,
            text,
            Weight::Bold,
            HEADING_SIZE,
        );
        self.y += h;
        self.rule(MARGIN_X, self.y, PAGE_W - MARGIN_X, self.y, 0.75);
        self.y += 5.0;
    }

    /// A wrapped paragraph over the body width; lines flow across pages.
    pub fn paragraph(&mut self, text: &str) {
        let lines = wrap(self.fonts, text, Weight::Regular, BODY_SIZE, BODY_W);
        for line in lines {
            self.need(BODY_LEADING);
            self.text(
                MARGIN_X,
                self.y + BODY_SIZE,
                &line,
                Weight::Regular,
                BODY_SIZE,
            );
            self.y += BODY_LEADING;
        }
    }

    /// A small note in the body width.
    pub fn note(&mut self, text: &str) {
        let lines = wrap(self.fonts, text, Weight::Regular, SMALL_SIZE, BODY_W);
        for line in lines {
            self.need(SMALL_SIZE + 4.0);
            self.text(
                MARGIN_X,
                self.y + SMALL_SIZE,
                &line,
                Weight::Regular,
                SMALL_SIZE,
            );
            self.y += SMALL_SIZE + 4.0;
        }
        self.y += 2.0;
    }

    /// A form of labelled fields (label | value), `pairs` per row: each row
    /// of `fields` holds `pairs` label/value pairs.
    pub fn form(&mut self, pairs: usize, fields: &[(&'static str, String)]) {
        let label_share = 0.18 / pairs as f32 * 2.0;
        let value_share = (1.0 - label_share * pairs as f32) / pairs as f32;
        let mut columns = Vec::new();
        for _ in 0..pairs {
            columns.push(Column {
                label: true,
                ..col("", label_share)
            });
            columns.push(col("", value_share));
        }
        let rows: Vec<Vec<String>> = fields
            .chunks(pairs)
            .map(|chunk| {
                let mut row = Vec::new();
                for (label, value) in chunk {
                    row.push((*label).to_owned());
                    row.push(value.clone());
                }
                row.resize(pairs * 2, String::new());
                row
            })
            .collect();
        self.table(&columns, &rows);
    }

    /// A ruled table. Cells wrap; a row that does not fit moves to the next
    /// page, and a row taller than what is left is split, the header row
    /// repeated on each new page.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns.iter().map(|c| c.share / total * BODY_W).collect();
        let has_header = columns.iter().any(|c| !c.header.is_empty());
        let header: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                wrap(
                    self.fonts,
                    c.header,
                    Weight::Bold,
                    CELL_SIZE,
                    w - 2.0 * CELL_PAD,
                )
            })
            .collect();
        let header_h = if has_header {
            row_height(header.iter().map(Vec::len).max().unwrap_or(1))
        } else {
            0.0
        };
        // The header row never ends a page alone: it goes with the first
        // row's fewest lines (three in a seal column).
        let first = columns.iter().map(|c| c.min_lines).max().unwrap_or(1);
        self.need(header_h + row_height(first));
        if has_header {
            self.draw_row(columns, &widths, &header, 0, usize::MAX, true);
        }
        for row in rows {
            let cells: Vec<Vec<String>> = columns
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let weight = if c.label {
                        Weight::Bold
                    } else {
                        Weight::Regular
                    };
                    let text = row.get(i).map(String::as_str).unwrap_or("");
                    let mut lines = wrap(self.fonts, text, weight, CELL_SIZE, w - 2.0 * CELL_PAD);
                    if lines.len() < c.min_lines {
                        lines.resize(c.min_lines, String::new());
                    }
                    lines
                })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut from = 0;
            loop {
                let fit = ((self.room() - 2.0 * CELL_PAD) / CELL_LEADING)
                    .floor()
                    .max(0.0) as usize;
                let left = n - from;
                if fit >= left {
                    self.draw_row(columns, &widths, &cells, from, n, false);
                    break;
                }
                let fresh = ((BODY_BOTTOM - BODY_TOP - header_h - 2.0 * CELL_PAD) / CELL_LEADING)
                    .floor() as usize;
                let at_top = self.y <= BODY_TOP + header_h + 0.5;
                if !at_top && (fit < 2 || (from == 0 && left <= fresh)) {
                    self.new_page();
                    if has_header {
                        self.draw_row(columns, &widths, &header, 0, usize::MAX, true);
                    }
                    continue;
                }
                let upto = from + fit.max(1);
                self.draw_row(columns, &widths, &cells, from, upto, false);
                from = upto;
                self.new_page();
                if has_header {
                    self.draw_row(columns, &widths, &header, 0, usize::MAX, true);
                }
            }
        }
        self.y += 6.0;
    }

    /// Draws lines `from..to` of each cell as one row band.
    fn draw_row(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        cells: &[Vec<String>],
        from: usize,
        to: usize,
        header: bool,
    ) {
        let n = cells
            .iter()
            .map(|c| c.len().min(to).saturating_sub(from))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = row_height(n);
        let mut x = MARGIN_X;
        for ((column, w), lines) in columns.iter().zip(widths).zip(cells) {
            let fill = if header {
                Some(0.85)
            } else if column.label {
                Some(0.93)
            } else {
                None
            };
            self.rect(x, self.y, *w, h, fill);
            let weight = if header || column.label {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let end = lines.len().min(to);
            for (i, line) in lines.iter().enumerate().take(end).skip(from) {
                let baseline = self.y + CELL_PAD + CELL_SIZE + (i - from) as f32 * CELL_LEADING;
                self.text(x + CELL_PAD, baseline, line, weight, CELL_SIZE);
            }
            x += w;
        }
        self.y += h;
    }

    /// A bulleted list, one wrapped item after another.
    pub fn bullets(&mut self, items: &[String]) {
        let indent = 12.0;
        for item in items {
            let lines = wrap(
                self.fonts,
                item,
                Weight::Regular,
                BODY_SIZE,
                BODY_W - indent,
            );
            for (i, line) in lines.iter().enumerate() {
                self.need(BODY_LEADING);
                if i == 0 {
                    self.text(
                        MARGIN_X + 2.0,
                        self.y + BODY_SIZE,
                        "・",
                        Weight::Regular,
                        BODY_SIZE,
                    );
                }
                self.text(
                    MARGIN_X + indent,
                    self.y + BODY_SIZE,
                    line,
                    Weight::Regular,
                    BODY_SIZE,
                );
                self.y += BODY_LEADING;
            }
        }
        self.y += 3.0;
    }

    /// Photos, two to a row, each scaled into its box with its caption below.
    pub fn photos(&mut self, photos: &[(RawImage, String)]) {
        let box_w = (BODY_W - 10.0) / 2.0;
        let box_h = 60.0 * MM;
        for pair in photos.chunks(2) {
            let captions: Vec<Vec<String>> = pair
                .iter()
                .map(|(_, c)| wrap(self.fonts, c, Weight::Regular, CELL_SIZE, box_w))
                .collect();
            let cap_h = captions.iter().map(Vec::len).max().unwrap_or(0) as f32 * CELL_LEADING;
            self.need(box_h + cap_h + 8.0);
            for (i, ((image, _), caption)) in pair.iter().zip(&captions).enumerate() {
                let x = MARGIN_X + i as f32 * (box_w + 10.0);
                let (w, h) = (image.width.max(1) as f32, image.height.max(1) as f32);
                let scale = (box_w / w).min(box_h / h);
                let (dw, dh) = (w * scale, h * scale);
                let id = self.pdf.add_image(image);
                self.ops.push(Op::UseXobject {
                    id,
                    transform: XObjectTransform {
                        translate_x: Some(Pt(x + (box_w - dw) / 2.0)),
                        translate_y: Some(Pt(PAGE_H - self.y - box_h + (box_h - dh) / 2.0)),
                        scale_x: Some(scale),
                        scale_y: Some(scale),
                        dpi: Some(72.0),
                        ..XObjectTransform::default()
                    },
                });
                for (j, line) in caption.iter().enumerate() {
                    let baseline = self.y + box_h + 4.0 + CELL_SIZE + j as f32 * CELL_LEADING;
                    self.text(x, baseline, line, Weight::Regular, CELL_SIZE);
                }
            }
            self.y += box_h + cap_h + 10.0;
        }
    }

    /// Confirmation boxes (確認印): one labelled box per party, kept together.
    pub fn seals(&mut self, parties: &[&str]) {
        if parties.is_empty() {
            return;
        }
        let size = 24.0 * MM;
        let label_h = CELL_LEADING + 2.0 * CELL_PAD;
        let date_h = CELL_LEADING + 2.0 * CELL_PAD;
        self.need(label_h + size + date_h + 24.0);
        self.y += 4.0;
        self.text(
            MARGIN_X,
            self.y + CELL_SIZE,
            "確認印",
            Weight::Bold,
            CELL_SIZE,
        );
        self.y += CELL_LEADING;
        let per_row = ((BODY_W + 6.0) / (size + 6.0)).floor().max(1.0) as usize;
        for row in parties.chunks(per_row) {
            self.need(label_h + size + date_h + 4.0);
            let top = self.y;
            for (i, party) in row.iter().enumerate() {
                let x = PAGE_W - MARGIN_X - (row.len() - i) as f32 * (size + 6.0) + 6.0;
                self.rect(x, top, size, label_h, Some(0.93));
                let lines = wrap(
                    self.fonts,
                    party,
                    Weight::Bold,
                    SMALL_SIZE,
                    size - 2.0 * CELL_PAD,
                );
                if let Some(line) = lines.first() {
                    self.text(
                        x + CELL_PAD,
                        top + CELL_PAD + SMALL_SIZE + 1.0,
                        line,
                        Weight::Bold,
                        SMALL_SIZE,
                    );
                }
                self.rect(x, top + label_h, size, size, None);
                self.rect(x, top + label_h + size, size, date_h, None);
                self.text(
                    x + CELL_PAD,
                    top + label_h + size + CELL_PAD + SMALL_SIZE + 1.0,
                    "　　年　月　日",
                    Weight::Regular,
                    SMALL_SIZE,
                );
            }
            self.y = top + label_h + size + date_h + 6.0;
        }
    }

    /// Adds the running header and "n / N" to every page and serialises the
    /// PDF with subset fonts and the document's own dates.
    pub fn finish(mut self) -> Result<Vec<u8>, DocumentError> {
        let last = std::mem::take(&mut self.ops);
        self.pages.push(last);
        let total = self.pages.len();
        let header = format!("{}　ケース番号 {}", self.title, self.meta.case_number);
        let mut pages = Vec::with_capacity(total);
        let bodies = std::mem::take(&mut self.pages);
        for (i, body) in bodies.into_iter().enumerate() {
            // Frame first, so that text extraction reads it before the body.
            self.ops.clear();
            if i > 0 {
                self.text(
                    MARGIN_X,
                    MARGIN_TOP + SMALL_SIZE,
                    &header,
                    Weight::Regular,
                    SMALL_SIZE,
                );
            }
            self.rule(
                MARGIN_X,
                MARGIN_TOP + 12.0,
                PAGE_W - MARGIN_X,
                MARGIN_TOP + 12.0,
                0.5,
            );
            let number = format!("{} / {}", i + 1, total);
            let w = self.fonts.width(&number, Weight::Regular, SMALL_SIZE);
            self.text(
                (PAGE_W - w) / 2.0,
                PAGE_H - MARGIN_BOTTOM,
                &number,
                Weight::Regular,
                SMALL_SIZE,
            );
            let mut ops = std::mem::take(&mut self.ops);
            ops.extend(body);
            pages.push(PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops));
        }
        let stamp =
            printpdf::OffsetDateTime::from_unix_timestamp(self.meta.generated_at.unix_timestamp())
                .map_err(|_| DocumentError::Date)?;
        let info = &mut self.pdf.metadata.info;
        info.creation_date = stamp;
        info.modification_date = stamp;
        info.metadata_date = stamp;
        info.creator = "Tsunagi".to_owned();
        info.producer = "Tsunagi (printpdf)".to_owned();
        Ok(writer::save(self.pdf.with_pages(pages)))
    }
}

fn row_height(lines: usize) -> f32 {
    lines as f32 * CELL_LEADING + 2.0 * CELL_PAD
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

fn point(x: f32, top: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(PAGE_H - top),
        },
        bezier: false,
    }
}
