//! Time to render the five documents of a full demo case, and their sizes.
//! Baseline in the same run: the profile of an empty case (one page, the
//! fixed cost of font subsetting and serialisation).
//!
//! `cargo bench -p tsunagi-companion --bench documents`
//! (`DOCUMENTS_OUT=DIR` also writes the five files there, to look at).

use std::time::{Duration, Instant};

use time::macros::{date, datetime};
use tsunagi_companion::documents::{self, DocumentKind, DocumentMeta, Request};
use tsunagi_core::model::{Case, demo_cases};
use tsunagi_core::reference::ReferenceDb;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let db = ReferenceDb::bundled().expect("bundled reference");
    let meta = DocumentMeta {
        case_number: "00000000-0000-4000-8000-000000000001".to_owned(),
        created_on: date!(2024 - 04 - 01),
        revision: 12,
        revised_on: date!(2025 - 01 - 20),
        generated_at: datetime!(2025-01-21 09:30 UTC),
    };
    let full = demo_cases().remove(0);
    let empty = Case::new();
    // Warm up: parse the fonts once, as the running companion does.
    documents::render(&empty, &meta, &Request::new(DocumentKind::Profile), &db).expect("renders");

    let runs = 15;
    let mut all = Vec::new();
    let mut base = Vec::new();
    let mut sizes = Vec::new();
    for i in 0..runs {
        let start = Instant::now();
        documents::render(&empty, &meta, &Request::new(DocumentKind::Profile), &db)
            .expect("renders");
        base.push(start.elapsed());
        let start = Instant::now();
        for kind in DocumentKind::ALL {
            let pdf = documents::render(&full, &meta, &Request::new(kind), &db).expect("renders");
            if i == 0 {
                sizes.push((kind, pdf.len()));
                if let Some(dir) = std::env::var_os("DOCUMENTS_OUT") {
                    let path = std::path::Path::new(&dir).join(format!("{}.pdf", kind.slug()));
                    std::fs::write(&path, &pdf).expect("writes the document");
                }
            }
        }
        all.push(start.elapsed());
    }
    let (all, base) = (median(all), median(base));
    println!(
        "five documents, full demo case: {:.1} ms (median of {runs})",
        all.as_secs_f64() * 1e3
    );
    println!(
        "baseline, empty one-page profile: {:.1} ms",
        base.as_secs_f64() * 1e3
    );
    println!("ratio: {:.1}×", all.as_secs_f64() / base.as_secs_f64());
    for (kind, size) in sizes {
        println!("{:<14} {:>7.1} KB", kind.slug(), size as f64 / 1024.0);
    }
}
