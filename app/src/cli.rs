//! The scripting command line. Every failure is one line on stderr and a
//! non-zero exit; a command either completes or changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tsunagi_core::model::{Case, CaseId, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{CaseQuery, RecoveryCode, Store, StoreOptions};

use tsunagi_core::login;

const PROGRAM: &str = "tsunagi";

/// Tsunagi (つなぎ): employment support for people with intractable diseases.
#[derive(Debug, Parser)]
#[command(name = "tsunagi", version, about)]
pub struct Cli {
    /// The data folder holding the encrypted store.
    #[arg(long, global = true, env = "TSUNAGI_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do; with none, the app window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sets up a new store with its first administrator and prints the
    /// recovery code once. The password comes from TSUNAGI_PASSWORD, else a prompt.
    Init {
        /// The administrator's login name.
        #[arg(long)]
        user: String,
    },
    /// Adds a few fictional demo cases.
    Demo,
    /// Cases: list, show, import.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The disease and occupation reference (共有データベース).
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Sets a new password with the recovery code (from
    /// TSUNAGI_RECOVERY_CODE, else a prompt); the new password comes from
    /// TSUNAGI_NEW_PASSWORD, else a prompt.
    Recover {
        /// The account whose password is set.
        #[arg(long, env = "TSUNAGI_USER")]
        user: String,
    },
}

/// `tsunagi case …`.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// One line per case: the id, a tab, the name.
    List,
    /// The case as JSON (docs/case-json.md).
    Show {
        /// The case id.
        id: String,
    },
    /// Adds the case in a JSON file as a new case and prints its id.
    Import {
        /// The JSON file.
        file: PathBuf,
    },
}

/// `tsunagi reference …`.
#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// The version in use and where it came from.
    Info,
    /// Diseases and occupations matching a word (Japanese, kana or English).
    Search {
        /// What to look for.
        text: String,
    },
    /// Installs a newer release (a folder holding diseases.json and
    /// occupations.json); it replaces the bundled one without rebuilding.
    Install {
        /// The release folder or one of its files.
        source: PathBuf,
    },
}

/// Runs the command line and turns any error into one line on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tsunagi: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = cli
        .data_dir
        .unwrap_or_else(|| login::default_data_dir(PROGRAM));
    let Some(command) = cli.command else {
        return crate::window::run(dir);
    };
    match command {
        Command::Init { user } => {
            let password =
                login::from_env_or_prompt("TSUNAGI_PASSWORD", "パスワード (password): ", true)?;
            let (_store, code) = Store::create(
                &dir,
                login::keychain(PROGRAM),
                &user,
                &password,
                StoreOptions::default(),
            )?;
            println!("復旧コード (recovery code): {}", code.display().as_str());
            eprintln!(
                "この復旧コードは一度だけ表示されます。紙に書いて安全な場所に保管してください。"
            );
            eprintln!("This recovery code is shown only once: write it down and keep it safe.");
        }
        Command::Demo => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            for case in demo_cases() {
                store.create_case(&case)?;
            }
        }
        Command::Case(CaseCommand::List) => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            for row in store.list_cases(&CaseQuery::default())? {
                println!("{}\t{}", row.id, row.name.expose());
            }
        }
        Command::Case(CaseCommand::Show { id }) => {
            let id =
                CaseId::from_str(&id).map_err(|_| anyhow::anyhow!("{id:?} is not a case id"))?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            let case = store.load_case(id)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&case).expect("a case serialises to JSON")
            );
        }
        Command::Case(CaseCommand::Import { file }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let case = Case::from_json(&text).map_err(|e| {
                anyhow::anyhow!("{} does not fit the case format: {e}", file.display())
            })?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            println!("{}", store.create_case(&case)?);
        }
        Command::Reference(command) => reference(&dir, command)?,
        Command::Recover { user } => {
            let code = login::from_env_or_prompt(
                "TSUNAGI_RECOVERY_CODE",
                "復旧コード (recovery code): ",
                true,
            )?;
            let Some(code) = RecoveryCode::parse(&code) else {
                bail!(
                    "that is not a recovery code: it has 25 letters and digits, like XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"
                );
            };
            let password = login::from_env_or_prompt(
                "TSUNAGI_NEW_PASSWORD",
                "新しいパスワード (new password): ",
                true,
            )?;
            Store::recover(&dir, login::keychain(PROGRAM), &code, &user, &password)?;
            eprintln!("パスワードを設定しました (the new password is set).");
        }
    }
    Ok(())
}

fn reference(dir: &std::path::Path, command: ReferenceCommand) -> anyhow::Result<()> {
    let update_dir = dir.join("reference");
    match command {
        ReferenceCommand::Info => {
            let db = ReferenceDb::load(Some(&update_dir))?;
            if let Some(warning) = db.update_warning() {
                eprintln!("tsunagi: warning: the installed update is not used: {warning}");
            }
            println!("version\t{}", db.version());
            println!("published\t{}", db.published());
            println!("diseases\t{}", db.diseases().len());
            println!("occupations\t{}", db.occupations().len());
        }
        ReferenceCommand::Search { text } => {
            let db = ReferenceDb::load(Some(&update_dir))?;
            for d in db.search_diseases(&text) {
                println!("disease\t{}\t{}\t{}", d.id, d.name.ja, d.name.en);
            }
            for o in db.search_occupations(&text) {
                println!("occupation\t{}\t{}\t{}", o.id, o.name.ja, o.name.en);
            }
        }
        ReferenceCommand::Install { source } => {
            let db = ReferenceDb::install_update(&source, &update_dir)?;
            println!("installed reference version {}", db.version());
        }
    }
    Ok(())
}
