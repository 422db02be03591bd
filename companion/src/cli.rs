//! The companion's command line. Every failure is one line on stderr and a
//! non-zero exit; a command either completes or changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tsunagi_core::login;
use tsunagi_core::store::CaseQuery;

/// The name in messages and the default data folder.
pub const PROGRAM: &str = "tsunagi-companion";

/// Tsunagi companion (つなぎ 事務所用): receives cases from the tablets,
/// prints the plan documents, sends progress data to the research centre.
#[derive(Debug, Parser)]
#[command(name = "tsunagi-companion", version, about)]
pub struct Cli {
    /// The data folder holding the companion's encrypted store.
    #[arg(
        long,
        global = true,
        env = "TSUNAGI_COMPANION_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sets up the companion's store with its first administrator and prints
    /// the recovery code once. The password comes from TSUNAGI_PASSWORD, else
    /// a prompt.
    Init {
        /// The administrator's login name.
        #[arg(long)]
        user: String,
    },
    /// Cases received from the tablets.
    #[command(subcommand)]
    Case(CaseCommand),
}

/// `tsunagi-companion case …`.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// One line per case: the id, a tab, the name (as the tablet's `case list`).
    List,
}

/// Runs the command line and turns any error into one line on stderr.
pub fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{PROGRAM}: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = cli
        .data_dir
        .unwrap_or_else(|| login::default_data_dir(PROGRAM));
    match cli.command {
        Command::Init { user } => {
            login::init(PROGRAM, &dir, &user)?;
        }
        Command::Case(CaseCommand::List) => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            for row in store.list_cases(&CaseQuery::default())? {
                println!("{}\t{}", row.id, row.name.expose());
            }
        }
    }
    Ok(())
}
