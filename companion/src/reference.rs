//! `tsunagi-companion reference …`: the disease reference the documents and
//! research records are written from. The companion installs and uses
//! releases exactly as the tablet does (signed by the publisher, newer than
//! the one in use, installed by an administrator), so that both name the
//! same disease groups.

use std::path::Path;

use clap::Subcommand;
use tsunagi_core::reference::ReferenceDb;

use crate::cli::PROGRAM;

/// `reference …`.
#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// The version in use, and why an installed release is not used.
    Info,
    /// Installs a newer release signed by the publisher (a folder with
    /// diseases.json, occupations.json and release.sig). Administrators only.
    Install {
        /// The release folder, or one of its files.
        source: std::path::PathBuf,
    },
}

/// Runs one `reference` command against the data folder `dir`.
pub fn run(dir: &Path, command: ReferenceCommand) -> anyhow::Result<()> {
    match command {
        ReferenceCommand::Info => {
            let db = ReferenceDb::load_installed(dir)?;
            if let Some(warning) = db.update_warning() {
                eprintln!(
                    "tsunagi-companion: warning: the installed update is not used: {warning}"
                );
            }
            println!("version\t{}", db.version());
            println!("published\t{}", db.published());
            println!("diseases\t{}", db.diseases().len());
        }
        ReferenceCommand::Install { source } => {
            let db = tsunagi_core::admin::install_reference(PROGRAM, dir, &source)?;
            println!("installed reference version {}", db.version());
        }
    }
    Ok(())
}
