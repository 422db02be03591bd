//! The centre's command line: `init`, `agency add`, `agency list`,
//! `agency revoke`, `account add | disable | enable | password | list`,
//! `reference keygen`, `reference sign`, `serve`.
//! Every failure is one line on stderr and a non-zero exit.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::SignerKey;
use zeroize::Zeroizing;

use crate::accounts::{Account, LoginName, PasswordHasher, Role, check_new_password};
use crate::board;
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
    /// Accounts that may log in to read the figures (アカウント).
    #[command(subcommand)]
    Account(AccountCommand),
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

/// `account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Adds an account. The password (at least 12 characters) is one line
    /// read from standard input, or asked for twice on a terminal.
    Add {
        /// The login name (ログイン名): no spaces, at most 64 characters.
        name: String,
        /// What the account is.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// For `--role agency`: the agency it belongs to, as registered.
        #[arg(long, value_name = "AGENCY")]
        agency: Option<String>,
        /// The name the pages show (表示名); the login name if not given.
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
    },
    /// Disables an account: it can no longer log in, and its sessions end
    /// at once.
    Disable {
        /// The login name.
        name: String,
    },
    /// Lets a disabled account log in again.
    Enable {
        /// The login name.
        name: String,
    },
    /// Sets an account's password (read as for `add`), for someone who
    /// forgot theirs; its sessions end at once. A logged-in user changes
    /// their own on the page 「パスワードの変更」.
    Password {
        /// The login name.
        name: String,
    },
    /// Lists the accounts (disabled ones marked).
    List,
}

/// An account's role on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// 研究者: reads every figure.
    Researcher,
    /// 機関: an account of a registered agency (`--agency`).
    Agency,
    /// 管理者: reads every figure.
    Admin,
}

impl RoleArg {
    fn as_str(self) -> &'static str {
        match self {
            Self::Researcher => "researcher",
            Self::Agency => "agency",
            Self::Admin => "admin",
        }
    }
}

/// A new account's password: asked twice on a terminal, else one line of
/// standard input; at least 12 characters.
fn read_new_password() -> anyhow::Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(
            rpassword::prompt_password(
                "パスワード（12文字以上） Password (at least 12 characters): ",
            )
            .context("could not read the password")?,
        );
        check_new_password(&first)?;
        let again = Zeroizing::new(
            rpassword::prompt_password("もう一度 Once more: ")
                .context("could not read the password")?,
        );
        anyhow::ensure!(
            *first == *again,
            "パスワードが一致しません。 The two passwords differ; nothing was changed."
        );
        return Ok(first);
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    let password = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    check_new_password(&password)?;
    Ok(password)
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
        Command::Account(AccountCommand::Add {
            name,
            role,
            agency,
            display_name,
        }) => {
            let login = LoginName::parse(&name)?;
            let role = Role::from_parts(role.as_str(), agency.as_deref())?;
            let display_name = display_name
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| login.as_str().to_owned());
            let mut db = storage::open(&dir, database)?;
            let password = read_new_password()?;
            let hash = PasswordHasher::standard().hash(&password);
            let account = Account {
                login,
                display_name,
                role,
                disabled: false,
                created_at: tsunagi_core::rfc3339::Timestamp::now(),
            };
            db.add_account(&account, &hash)?;
            println!(
                "added the account {} ({})",
                account.login.as_str(),
                account.role.as_str()
            );
        }
        Command::Account(AccountCommand::Disable { name }) => {
            storage::open(&dir, database)?.disable_account(name.trim())?;
            println!("disabled {}; its sessions have ended", name.trim());
        }
        Command::Account(AccountCommand::Enable { name }) => {
            storage::open(&dir, database)?.enable_account(name.trim())?;
            println!("enabled {}", name.trim());
        }
        Command::Account(AccountCommand::Password { name }) => {
            let mut db = storage::open(&dir, database)?;
            let password = read_new_password()?;
            let hash = PasswordHasher::standard().hash(&password);
            db.set_password(name.trim(), &hash)?;
            println!(
                "set the password of {}; its sessions have ended",
                name.trim()
            );
        }
        Command::Account(AccountCommand::List) => {
            for a in storage::open(&dir, database)?.accounts()? {
                let role = match a.role.agency() {
                    Some(agency) => format!("agency {agency}"),
                    None => a.role.as_str().to_owned(),
                };
                let disabled = if a.disabled { "\tdisabled" } else { "" };
                println!(
                    "{}\t{}\t{role}\tadded {}{disabled}",
                    a.login.as_str(),
                    a.display_name,
                    a.created_at
                );
            }
        }
        Command::Serve { listen } => {
            let identity = CentreIdentity::load(&dir)?;
            let db = storage::open(&dir, database)?;
            let reference =
                ReferenceDb::bundled().context("the disease reference does not load")?;
            let listener = std::net::TcpListener::bind(listen)
                .with_context(|| format!("could not listen on {listen}"))?;
            // The board stays in SQLite beside the identity even with
            // `--database` (PostgreSQL): see docs/board.md.
            let board = board::open(&dir).context("the board's database does not open")?;
            let centre = Arc::new(
                Centre::new(CentreIdentity::load(&dir)?.keys, db, reference).with_board(board),
            );
            // The dummy hash for unknown names, made before the first login.
            centre.passwords.warm();
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
