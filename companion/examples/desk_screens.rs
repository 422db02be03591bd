//! Opens the companion's window on a throw-away store with the demo cases,
//! logged in, at the received cases with document N of the first case
//! (`doc-N`, N from 0), at pairing with a code issued (`pairing`) or a
//! tablet waiting for the office to confirm its code (`pairing-confirm`), or
//! revoking one of two paired tablets (`pairing-revoke`), at the
//! programme figures (`programme`) or at the research data (`research`:
//! what would be sent, and an outbox with one batch that could not be
//! delivered; `research-unset`: no centre configured, so no board to
//! open), at what is due (`due`) or at the accounts with one of three
//! selected (`accounts`), in English with `en` after the folder,
//! for screenshots (docs/screenshots/README.md):
//!
//! ```sh
//! DISPLAY=:99 SLINT_BACKEND=winit-software \
//!   cargo run -p tsunagi-companion --example desk_screens -- doc-3 /tmp/desk
//! ```

use std::sync::Arc;

use slint::ComponentHandle;
use tsunagi_companion::board::SystemBrowser;
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{
    DeskAccountsAdapter, DeskAdapter, DeskLoginAdapter, DeskScreen, DocumentsAdapter,
    PairingAdapter, ProgrammeAdapter,
};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::link::TlsIdentity;
use tsunagi_core::model::demo_cases;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_core::store::research::CentreConfig;
use tsunagi_core::store::sync::{Peer, PeerKind};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Role, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("doc-0", String::as_str);
    let dir = std::path::PathBuf::from(args.get(2).map_or("/tmp/tsunagi-desk", String::as_str));
    let _ = std::fs::remove_dir_all(&dir);
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    {
        let (mut store, _) = Store::create(
            &dir,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )?;
        for case in demo_cases() {
            store.create_case(&case)?;
        }
        if what == "pairing-revoke" {
            for _ in 0..2 {
                let keys = DeviceKeys::generate();
                store.add_peer(&Peer {
                    fingerprint: TlsIdentity::generate("tablet").fingerprint(),
                    kind: PeerKind::Tablet,
                    signer: keys.signer(),
                    recipient: keys.recipient(),
                    address: None,
                    paired_at: tsunagi_core::rfc3339::Timestamp::now(),
                })?;
            }
        }
        if what == "accounts" {
            store.add_account("sato", Role::SupportWorker, PASSWORD)?;
            store.add_account("tanaka", Role::ReadOnly, PASSWORD)?;
            store.disable_account("tanaka")?;
        }
        if what == "research" {
            // A centre nobody listens at, and a batch waiting for it.
            let centre = DeviceKeys::generate();
            store.set_research_centre(&CentreConfig {
                agency: "架空市難病相談支援センター".into(),
                url: "https://127.0.0.1:9".into(),
                recipient: centre.recipient(),
                fingerprint: TlsIdentity::generate("centre").fingerprint(),
            })?;
            let batch = tsunagi_companion::research::queue_batch(&mut store)?;
            store.research_attempt_failed(
                batch.id,
                "the research centre could not be reached (connection refused)",
            )?;
        }
    }
    let w = window::build(Options {
        dir,
        keychain,
        background: Background::Inline,
        listen: Some(([127, 0, 0, 1], 0).into()),
        cups: CupsServer::from_env(),
        utc_offset: window::local_offset(),
        launcher: Arc::new(SystemBrowser),
    })?;
    if args.get(3).is_some_and(|a| a == "en") {
        slint::select_bundled_translation("en")?;
    }
    w.global::<DeskLoginAdapter<'_>>()
        .invoke_log_in("admin".into(), PASSWORD.into());
    match what {
        doc if doc.starts_with("doc-") => {
            let documents = w.global::<DocumentsAdapter<'_>>();
            documents.invoke_select_case(0);
            documents.invoke_choose_document(doc["doc-".len()..].parse().unwrap_or(0));
        }
        "pairing" => {
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Pairing);
            w.global::<PairingAdapter<'_>>().invoke_issue_code();
        }
        "pairing-confirm" => {
            // As the tab stands once a tablet paired with the code, before
            // the office confirms the verification code.
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Pairing);
            w.global::<PairingAdapter<'_>>()
                .set_verification("482 913".into());
        }
        "pairing-revoke" => {
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Pairing);
            w.global::<PairingAdapter<'_>>().set_revoking(0);
        }
        "due" => {
            w.global::<DeskAdapter<'_>>().invoke_show(DeskScreen::Due);
        }
        "accounts" => {
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Accounts);
            w.global::<DeskAccountsAdapter<'_>>().invoke_select(1);
        }
        "research" | "research-unset" => {
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Research);
        }
        _ => {
            w.global::<DeskAdapter<'_>>()
                .invoke_show(DeskScreen::Programme);
            let programme = w.global::<ProgrammeAdapter<'_>>();
            programme.set_year(2024);
            programme.invoke_compute(2024, -1);
        }
    }
    w.run()?;
    Ok(())
}
