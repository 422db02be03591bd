//! Opens the app on a throw-away store with the demo cases, logged in, at
//! the disease screen of the first demo case (`disease`), at the reference
//! browser (`reference`, `occupations`, `page`), at the sending screen
//! (`sync`), or at tab N of the first
//! demo case (`case-N`, N from 0), at page N of its presentation
//! (`present-N`), in English with `en` after the folder,
//! for screenshots (docs/screenshots/README.md):
//!
//! ```sh
//! DISPLAY=:99 SLINT_BACKEND=winit-software \
//!   cargo run -p tsunagi --example screens -- case-2 /tmp/shots en
//! ```

use std::sync::Arc;

use slint::ComponentHandle;
use tsunagi_app::window::ui::{
    CaseAdapter, CaseListAdapter, LoginAdapter, PresentationAdapter, ReferenceAdapter,
    ReferenceTab, SettingsAdapter,
};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{CaseQuery, KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("disease", String::as_str);
    let dir = std::path::PathBuf::from(args.get(2).map_or("/tmp/tsunagi-shots", String::as_str));
    let _ = std::fs::remove_dir_all(&dir);
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let store_options = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let first = {
        let (mut store, _) = Store::create(
            &dir,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            store_options,
        )?;
        for case in demo_cases() {
            store.create_case(&case)?;
        }
        let cases = store.list_cases(&CaseQuery::default())?;
        cases
            .into_iter()
            .find(|c| c.name.expose() == "見本 花子")
            .map(|c| c.id)
            .ok_or_else(|| anyhow::anyhow!("the demo case is missing"))?
    };
    let app = window::build(
        dir,
        Options {
            background: Background::Inline,
            store_options,
            ..Options::new(keychain)
        },
    )?;
    let w = app.window();
    w.global::<LoginAdapter<'_>>()
        .invoke_log_in("admin".into(), PASSWORD.into());
    if args.get(3).is_some_and(|a| a == "en") {
        w.global::<SettingsAdapter<'_>>().invoke_language_chosen(1);
    }
    match what {
        tab if tab.starts_with("case-") => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            let index = tab["case-".len()..].parse().unwrap_or(0);
            w.global::<CaseAdapter<'_>>().invoke_select_tab(index);
        }
        page if page.starts_with("present-") => {
            w.global::<CaseListAdapter<'_>>()
                .invoke_open_case(first.to_string().into());
            w.global::<CaseAdapter<'_>>().invoke_open_presentation();
            let index = page["present-".len()..].parse().unwrap_or(0);
            w.global::<PresentationAdapter<'_>>().set_page(index);
        }
        "reference" | "occupations" | "page" => {
            w.global::<CaseListAdapter<'_>>().invoke_open_reference();
            let reference = w.global::<ReferenceAdapter<'_>>();
            if what == "occupations" {
                reference.set_tab(ReferenceTab::Occupations);
            }
            if what == "page" {
                reference.invoke_open_disease("ulcerative-colitis".into());
            }
        }
        "sync" => w.global::<CaseListAdapter<'_>>().invoke_open_sync(),
        _ => app.open_disease(first),
    }
    app.run()
}
