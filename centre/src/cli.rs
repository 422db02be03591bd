//! The centre's command line: `init`, `agency add`, `agency list`,
//! `agency revoke`, `reference keygen`, `reference sign`, `serve`.
//! Every failure is one line on stderr and a non-zero exit.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::SignerKey;

use crate::identity::CentreIdentity;
use crate::publish;
use crate::server::{self, Centre};
use crate::storage::{self, Agency};

/// Tsunagi research centre (つなぎ 研究センター): takes sealed progress data
/// from registered agencies and shows the research figures.
#[derive(Debug, Parser)]
#[command(name = "tsunagi-centre", version, about)]
pub struct Cli {
    /// The data folder: identity, database.
    #[arg(
        long,
        global = true,
        env = "TSUNAGI_CENTRE_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL connection string (`postgres://user@host/db`) to keep
    /// agencies and batches in PostgreSQL instead of SQLite in the data
    /// folder. Never printed.
    #[arg(
        long,
        global = true,
        env = "TSUNAGI_CENTRE_DATABASE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates the centre's keys and TLS certificate; prints the `age` public
    /// key and the certificate fingerprint for the agencies.
    Init,
    /// Registered agencies.
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Publishing reference releases: the publisher's key and signatures.
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Serves intake and figures over HTTPS.
    Serve {
        /// Where to listen.
        #[arg(long, value_name = "IP:PORT", default_value = "0.0.0.0:8443")]
        listen: SocketAddr,
    },
}

/// `agency …`.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Registers an agency by its public key (the file `tsunagi-companion
    /// research key` writes: 64 hex digits).
    Add {
        /// The agency's name (機関名).
        name: String,
        /// The file with its key.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Lists the registered agencies (revoked ones marked, with the time).
    List,
    /// Revokes an agency's registration (登録取消): its later batches are
    /// refused with 403. What it sent before stays in the figures unless
    /// `--delete-records` is given.
    Revoke {
        /// The agency's name, as registered.
        name: String,
        /// Also delete every record the agency sent.
        #[arg(long)]
        delete_records: bool,
    },
}

/// `reference …`.
#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// Writes a new publisher key to FILE (readable by its owner only) and
    /// prints its public half for `assets/reference/publishers.txt`.
    Keygen {
        /// Where to write the private key; must not exist.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Validates the release in DIR (`diseases.json`, `occupations.json`)
    /// and writes its signature, `DIR/release.sig`.
    Sign {
        /// The release folder.
        dir: PathBuf,
        /// The publisher's private key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
}

/// Runs the command line and turns any error into one line on stderr.
pub fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tsunagi-centre: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = cli
        .data_dir
        .unwrap_or_else(|| PathBuf::from("tsunagi-centre-data"));
    let database = cli.database.as_deref();
    match cli.command {
        Command::Init => {
            // The database first: a wrong connection string leaves no
            // half-made identity behind.
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            storage::open(&dir, database)?;
            let identity = CentreIdentity::create(&dir)?;
            println!("age public key: {}", identity.keys.recipient());
            println!(
                "certificate fingerprint: {}",
                identity.fingerprint().to_hex()
            );
        }
        Command::Agency(AgencyCommand::Add { name, key }) => {
            let text = std::fs::read_to_string(&key)
                .with_context(|| format!("could not read {}", key.display()))?;
            let signer: SignerKey = text.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "{} does not hold an agency key (64 hex digits)",
                    key.display()
                )
            })?;
            let name = name.trim().to_owned();
            anyhow::ensure!(!name.is_empty(), "the agency needs a name");
            CentreIdentity::load(&dir)?;
            storage::open(&dir, database)?.add_agency(&Agency::new(name.clone(), signer))?;
            println!("registered {name} ({signer})");
        }
        Command::Agency(AgencyCommand::List) => {
            for a in storage::open(&dir, database)?.agencies()? {
                match &a.revoked_at {
                    Some(at) => println!("{}\t{}\trevoked {at}", a.name, a.signer.to_hex()),
                    None => println!("{}\t{}", a.name, a.signer.to_hex()),
                }
            }
        }
        Command::Agency(AgencyCommand::Revoke {
            name,
            delete_records,
        }) => {
            let name = name.trim();
            let deleted = storage::open(&dir, database)?.revoke_agency(name, delete_records)?;
            if delete_records {
                println!("revoked {name}; deleted its {deleted} stored record(s)");
            } else {
                println!("revoked {name}; its stored records stay (--delete-records deletes them)");
            }
        }
        Command::Reference(ReferenceCommand::Keygen { out }) => {
            println!("{}", publish::keygen(&out)?);
        }
        Command::Reference(ReferenceCommand::Sign { dir, key }) => {
            let version = publish::sign(&dir, &key)?;
            println!("signed reference release {version}");
        }
        Command::Serve { listen } => {
            let identity = CentreIdentity::load(&dir)?;
            let db = storage::open(&dir, database)?;
            let reference =
                ReferenceDb::bundled().context("the disease reference does not load")?;
            let listener = std::net::TcpListener::bind(listen)
                .with_context(|| format!("could not listen on {listen}"))?;
            let centre = Arc::new(Centre::new(CentreIdentity::load(&dir)?.keys, db, reference));
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("could not start the network runtime")?;
            println!(
                "listening on {} (certificate {})",
                listener.local_addr()?,
                identity.fingerprint().to_hex()
            );
            runtime.block_on(server::serve(listener, &identity, centre))?;
        }
    }
    Ok(())
}
