//! Shared by the companion's document and print tests: a companion store
//! with the demo cases, a long case, and a PDF checked with poppler and qpdf.
#![allow(dead_code)]

pub mod cups;
pub mod ui;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, PoisonError};

use time::macros::{date, datetime};
use tsunagi_companion::board::{BoardError, BoardUrl, Launcher};
use tsunagi_companion::documents::DocumentMeta;
use tsunagi_core::model::*;
use tsunagi_core::pii::Identifying;
use tsunagi_core::store::{FileKeychain, KdfParams, Store, StoreOptions};

/// The password of the test stores.
pub const PW: &str = "correct horse battery";

/// A companion store in a temporary folder holding the demo cases, with
/// its file keystore in `keys/` and its data in `data/`.
pub fn demo_store() -> (tempfile::TempDir, Store, Vec<CaseId>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = Arc::new(FileKeychain::new(dir.path().join("keys")));
    let (mut store, _code) = Store::create(
        &dir.path().join("data"),
        keychain,
        "admin",
        PW,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("creates the store");
    let ids = demo_cases()
        .iter()
        .map(|c| store.create_case(c).expect("stores a demo case"))
        .collect();
    (dir, store, ids)
}

/// A browser that opens nothing: it records every address it is asked to
/// open, and fails as a computer with no browser would while `no_browser`
/// is set.
#[derive(Default)]
pub struct RecordingLauncher {
    opened: Mutex<Vec<String>>,
    no_browser: Mutex<bool>,
}

impl RecordingLauncher {
    /// The addresses asked for so far, oldest first (failed ones too).
    pub fn opened(&self) -> Vec<String> {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// From now on, fail (`true`) or open (`false`).
    pub fn set_no_browser(&self, no_browser: bool) {
        *self
            .no_browser
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = no_browser;
    }
}

impl Launcher for RecordingLauncher {
    fn open(&self, url: &BoardUrl) -> Result<(), BoardError> {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(url.as_str().to_owned());
        if *self
            .no_browser
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Err(BoardError::NoBrowser {
                url: url.clone(),
                why: "no launcher found".to_owned(),
            });
        }
        Ok(())
    }
}

/// A fixed title block for cases not taken from a store.
pub fn fixed_meta() -> DocumentMeta {
    DocumentMeta {
        case_number: "00000000-0000-4000-8000-000000000001".to_owned(),
        created_on: date!(2024 - 04 - 01),
        revision: 7,
        revised_on: date!(2025 - 01 - 20),
        generated_at: datetime!(2025-01-21 09:30 UTC),
    }
}

fn idf(s: impl Into<String>) -> Identifying<String> {
    Identifying::new(s.into())
}

/// A case with very long texts and many rows in every section.
pub fn long_case() -> Case {
    let mut case = demo_cases().remove(0);
    let long = |n: usize, what: &str| {
        (0..n)
            .map(|i| format!("{what}その{i}。長い文章でも、行頭に句読点が来ないように折り返し、「かぎかっこ」や（丸かっこ）も正しく扱う。ちょっとした小さい文字ゃゅょっも含める。"))
            .collect::<String>()
    };
    case.career_plan.discovery.narrative = idf(long(30, "人物像"));
    for i in 0..25 {
        case.career_plan
            .discovery
            .strengths
            .push(TextItem::new(format!("強み{i}：{}", long(1, "丁寧"))));
        case.career_plan
            .discovery
            .interests
            .push(TextItem::new(format!("興味{i}")));
    }
    for i in 0..12 {
        case.career_plan
            .discovery
            .activities
            .push(DiscoveryActivity::new(
                date!(2024 - 06 - 01),
                DiscoveryActivityKind::Observation,
                format!("活動{i}：{}", long(3, "観察")),
            ));
    }
    for i in 0..60 {
        let mut c = ConsultationRecord::new();
        c.date = Some(date!(2024 - 07 - 01));
        c.kind = ConsultationKind::Phone;
        c.duration_minutes = Some(30);
        c.content = idf(format!(
            "相談{i}：{}",
            long(if i % 10 == 0 { 40 } else { 2 }, "相談内容")
        ));
        c.next_step = idf(format!("方針{i}"));
        c.author = idf("試作 真理");
        case.consultations.push(c);
    }
    for i in 0..40 {
        let mut item = SupportPlanItem::new(format!("支援{i}：{}", long(1, "支援")));
        item.who = idf("就業支援員");
        item.agency = "ハローワーク".to_owned();
        item.due = Some(date!(2025 - 03 - 31));
        case.case_management.support_plan.items.push(item);
    }
    let employer = &mut case.job_match.employers[0];
    employer
        .business_needs
        .push(TextItem::new(long(12, "ニーズ")));
    for i in 0..50 {
        let mut t = Task::new(format!("課業{i}"), "毎日");
        t.minutes = Some(15);
        t.strength_ids = vec![case.career_plan.discovery.strengths[0].id.clone()];
        employer.tasks.push(t);
    }
    for i in 0..20 {
        case.monitoring.follow_ups.push(FollowUp {
            notes: idf(format!("定着{i}：{}", long(2, "記録"))),
            ..FollowUp::new(date!(2025 - 01 - 10), FollowUpKind::Phone)
        });
    }
    case.monitoring.summary.text = idf(long(40, "総括"));
    for i in 0..15 {
        case.monitoring
            .summary
            .confirmations
            .push(SupporterConfirmation::new(format!("支援者{i}"), "架空機関"));
    }
    case
}

/// A rendered PDF written to a temporary file for the command-line tools.
pub struct Pdf {
    /// The bytes.
    pub bytes: Vec<u8>,
    dir: tempfile::TempDir,
}

fn tool(name: &str) -> Command {
    let path = Path::new("/usr/bin").join(name);
    assert!(
        path.exists(),
        "{name} is missing: install poppler-utils and qpdf (cargo xtask install-deps)"
    );
    Command::new(path)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs the tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

impl Pdf {
    /// Writes `bytes` to a temporary file.
    pub fn new(bytes: Vec<u8>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("doc.pdf"), &bytes).expect("writes");
        Self { bytes, dir }
    }

    /// The file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("doc.pdf")
    }

    /// `pdftotext -raw`: content-stream order, pages split by form feeds.
    pub fn raw_text(&self) -> String {
        run(tool("pdftotext")
            .args(["-raw", "-enc", "UTF-8"])
            .arg(self.path())
            .arg("-"))
    }

    /// `pdftotext -layout`.
    pub fn layout_text(&self) -> String {
        run(tool("pdftotext")
            .args(["-layout", "-enc", "UTF-8"])
            .arg(self.path())
            .arg("-"))
    }

    /// The page count from `pdfinfo`.
    pub fn pages(&self) -> usize {
        page_count(&self.path())
    }

    /// The images from `pdfimages -list`.
    pub fn image_count(&self) -> usize {
        run(tool("pdfimages").arg("-list").arg(self.path()))
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    /// qpdf --check passes; pdffonts lists only embedded subsets with
    /// Unicode maps; every page carries "n / N"; no line begins with 、 or 。.
    pub fn check_sound(&self) {
        run(tool("qpdf").arg("--check").arg(self.path()));
        let fonts = run(tool("pdffonts").arg(self.path()));
        let rows: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(!rows.is_empty(), "no fonts: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "{row}");
            // … emb sub uni object ID
            assert_eq!(
                &cols[n - 5..n - 2],
                ["yes", "yes", "yes"],
                "not an embedded subset: {row}"
            );
            assert!(cols[0].contains('+'), "subset fonts carry a tag: {row}");
        }
        let pages = self.pages();
        let text = self.layout_text();
        let page_texts: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(page_texts.len(), pages, "one text block per page");
        for (i, page) in page_texts.iter().enumerate() {
            let number = format!("{} / {}", i + 1, pages);
            assert!(
                page.lines().any(|l| l.trim() == number),
                "page {} lacks {number:?}",
                i + 1
            );
        }
        for raw in [self.raw_text(), text] {
            for line in raw.lines() {
                let first = line.trim_start().chars().next();
                assert!(
                    !matches!(first, Some('、' | '。' | '）' | '」' | '』')),
                    "a line starts with a closing mark: {line:?}"
                );
            }
        }
    }
}

/// The page count of a PDF file from `pdfinfo`.
pub fn page_count(path: &Path) -> usize {
    run(tool("pdfinfo").arg(path))
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// Text with every kind of white space removed (line wraps put breaks anywhere).
pub fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every value appears in `text` (from `pdftotext -raw`), in this order.
/// The page frame (running header, "n / N") is left out first. A value may
/// run over a page break: a paragraph continues on the next page, and a
/// table row split over two pages has its head at the end of one page and
/// its tail on the next, after the repeated header row.
pub fn assert_in_order(raw: &str, values: &[String], what: &str) {
    const PAGE: char = '\u{1}';
    let pages: Vec<String> = raw
        .split('\u{c}')
        .map(|page| {
            page.lines()
                .filter(|l| {
                    let t = l.trim();
                    let numbered = t
                        .split_once(" / ")
                        .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok());
                    !numbered && !t.contains("ケース番号")
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let text: String = pages
        .join(&PAGE.to_string())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut pos = 0;
    for value in values {
        let v = normalise(value);
        if let Some(at) = text[pos..].find(&v) {
            pos += at + v.len();
            continue;
        }
        // Across a page break in running text.
        let flat: String = text[pos..].chars().filter(|c| *c != PAGE).collect();
        if let Some(at) = flat.find(&v) {
            let mut need = flat[..at + v.len()].chars().count();
            let mut end = pos;
            for (i, c) in text[pos..].char_indices() {
                if need == 0 {
                    break;
                }
                if c != PAGE {
                    need -= 1;
                }
                end = pos + i + c.len_utf8();
            }
            if flat[at..].starts_with(&v) {
                pos = end;
                continue;
            }
        }
        // A table row split over pages: a piece of the value ends each
        // page's part of the row (the header row repeats on the next page),
        // the rest continues on the following pages. The row's other cells
        // are on its first page, so the search goes on after the first piece.
        let split = {
            let mut rest = v.as_str();
            let mut p = pos;
            let mut first_piece_end = None;
            loop {
                let end = text[p..].find(PAGE).map_or(text.len(), |e| p + e);
                let page = &text[p..end];
                if let Some(at) = page.find(rest) {
                    break Some(first_piece_end.unwrap_or(p + at + rest.len()));
                }
                let shortest = rest.chars().count().min(4);
                let head = rest
                    .char_indices()
                    .map(|(i, c)| i + c.len_utf8())
                    .rev()
                    .take_while(|&cut| rest[..cut].chars().count() >= shortest)
                    .find(|&cut| page.contains(&rest[..cut]));
                match head {
                    Some(cut) if end < text.len() => {
                        if first_piece_end.is_none() {
                            let at = page.find(&rest[..cut]).unwrap_or(0);
                            first_piece_end = Some(p + at + cut);
                        }
                        rest = &rest[cut..];
                        p = end + PAGE.len_utf8();
                    }
                    _ => break None,
                }
            }
        };
        match split {
            Some(after) => pos = after,
            None => panic!(
                "{what}: {value:?} is missing or out of order after …{}",
                text[..pos]
                    .chars()
                    .rev()
                    .take(80)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<String>()
            ),
        }
    }
}
