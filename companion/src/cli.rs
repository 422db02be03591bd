//! The companion's command line. Every failure is one line on stderr and a
//! non-zero exit; a command either completes or changes nothing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tsunagi_core::link::PairingCode;
use tsunagi_core::login;
use tsunagi_core::store::sync::Imported;
use tsunagi_core::store::CaseQuery;

use crate::link;

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
    /// Issues a one-time pairing code (valid 10 minutes, single use) for a
    /// tablet to type in with `tsunagi pair CODE`. `serve` must be running.
    Pair {
        /// The address the tablet connects to (default: this machine's
        /// network address and the default port).
        #[arg(long, value_name = "IP:PORT")]
        address: Option<SocketAddr>,
    },
    /// Receives cases from paired tablets until stopped.
    Serve {
        /// Where to listen.
        #[arg(long, value_name = "IP:PORT", default_value_t = SocketAddr::from(([0, 0, 0, 0], link::DEFAULT_PORT)))]
        listen: SocketAddr,
    },
    /// Paired tablets: one line each, the certificate fingerprint and when
    /// it was paired.
    Peers,
    /// Forgets a paired tablet (by its full fingerprint from `peers`): it is
    /// refused from now on.
    Unpair {
        /// The fingerprint (64 hex digits).
        fingerprint: String,
    },
}

/// `tsunagi-companion case …`.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// One line per case: the id, a tab, the name (as the tablet's `case list`).
    List,
    /// Imports a sealed send-data file (送付用データ) made with the tablet's
    /// `case export`; refused unless addressed to this companion and signed
    /// by a paired tablet.
    ImportBundle {
        /// The `.age` file.
        file: PathBuf,
    },
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
        Command::Case(CaseCommand::ImportBundle { file }) => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            match store.import_bundle(std::io::BufReader::new(input))? {
                Imported::Now(n) => println!("imported {n} case(s)"),
                Imported::Before => println!("this bundle was imported before; nothing changed"),
            }
        }
        Command::Pair { address } => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let identity = store.device_identity()?;
            let secret = store.issue_pairing_secret(time::OffsetDateTime::now_utc())?;
            let addr = address.unwrap_or_else(|| {
                link::advertised_address(SocketAddr::from(([0, 0, 0, 0], link::DEFAULT_PORT)))
            });
            let code = PairingCode {
                addr,
                fingerprint: identity.tls.fingerprint(),
                secret,
            };
            println!("{code}");
            eprintln!(
                "タブレットで `tsunagi pair CODE` を実行してください（10分間・1回限り有効）。"
            );
            eprintln!("On the tablet run `tsunagi pair CODE` (valid for 10 minutes, once).");
        }
        Command::Serve { listen } => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("could not start the network runtime")?;
            runtime.block_on(async {
                let endpoint = link::endpoint(&mut store, listen)?;
                let fingerprint = store.device_identity()?.tls.fingerprint();
                println!(
                    "listening on {} (certificate {fingerprint})",
                    endpoint.local_addr()?
                );
                link::serve(&mut store, endpoint).await
            })?;
        }
        Command::Peers => {
            let store = login::unlock(PROGRAM, &dir)?;
            for peer in store.peers()? {
                println!("{}\t{}", peer.fingerprint.to_hex(), peer.paired_at);
            }
        }
        Command::Unpair { fingerprint } => {
            let fp: tsunagi_core::link::Fingerprint = fingerprint.trim().parse().map_err(|_| {
                anyhow::anyhow!("that is not a fingerprint: use the 64 hex digits `peers` prints")
            })?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            if !store.remove_peer(&fp)? {
                anyhow::bail!("no paired device has that fingerprint");
            }
            println!("unpaired");
        }
    }
    Ok(())
}
