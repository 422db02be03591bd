//! Renders the five documents of the demo case 見本 花子 (fictional) as PDFs
//! into a folder, for looking at them and for the PNGs in docs/documents/;
//! with `--long`, those of the tests' long case (very long texts, many rows)
//! instead:
//!
//! ```sh
//! cargo run -p tsunagi-companion --example render_documents -- /tmp/docs
//! cargo run -p tsunagi-companion --example render_documents -- /tmp/long --long
//! pdftoppm -r 80 -f 1 -l 1 -png -singlefile /tmp/docs/profile.pdf docs/documents/profile
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use tsunagi_companion::documents::{self, DocumentKind, DocumentMeta, Request};
use tsunagi_core::model::demo_cases;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{KdfParams, MemoryKeychain, Store, StoreOptions};

/// The tests' fixtures, for their long case.
#[allow(unused_imports, missing_docs)]
#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/docs".into()),
    );
    std::fs::create_dir_all(&out)?;
    let store_dir = tempfile::tempdir()?;
    let (mut store, _) = Store::create(
        store_dir.path(),
        Arc::new(MemoryKeychain::default()),
        "admin",
        "見本のパスワード 2026",
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )?;
    let case = if std::env::args().any(|a| a == "--long") {
        common::long_case()
    } else {
        demo_cases()
            .into_iter()
            .find(|c| c.basic.name.expose() == "見本 花子")
            .ok_or_else(|| anyhow::anyhow!("the demo case is missing"))?
    };
    let id = store.create_case(&case)?;
    let meta = DocumentMeta::from_store(&mut store, id, tsunagi_companion::window::local_offset())?;
    let reference = ReferenceDb::bundled()?;
    for kind in DocumentKind::ALL {
        let pdf = documents::render(&case, &meta, &Request::new(kind), &reference)?;
        let path = out.join(format!("{}.pdf", kind.slug()));
        std::fs::write(&path, pdf)?;
        println!("{}", path.display());
    }
    // The support plan's earlier revisions (第N版), as `print --revision N`.
    for earlier in &case.case_management.support_plan.earlier {
        let request = Request {
            plan_revision: Some(earlier.revision),
            ..Request::new(DocumentKind::SupportPlan)
        };
        let pdf = documents::render(&case, &meta, &request, &reference)?;
        let path = out.join(format!("support-plan-revision-{}.pdf", earlier.revision));
        std::fs::write(&path, pdf)?;
        println!("{}", path.display());
    }
    Ok(())
}
