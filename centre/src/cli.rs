//! The centre's command line: `init`, `agency add`, `agency list`,
//! `agency revoke`, `account add | disable | enable | password | list`,
//! `board agency add | list`, `board user add | disable | enable | list`,
//! `reference keygen`, `reference sign`, `serve`.
//! Every failure is one line on stderr and a non-zero exit.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::SignerKey;
use zeroize::Zeroizing;

use crate::accounts::{
    Account, LoginName, PasswordHasher, Role, agency_name, check_new_password, display_name,
};
use crate::board;
use crate::identity::CentreIdentity;
use crate::publish;
use crate::server::{self, Centre};
use crate::storage::{self, Agency, AgencyAdded, Database};

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
    /// The stakeholder board's agencies and accounts (関係者掲示板).
    #[command(subcommand)]
    Board(BoardCommand),
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
    /// research key` writes: 64 hex digits), so that it may send research
    /// data. An agency registered for the board without a key (`board
    /// agency add`) gets the key under its name, and keeps its accounts.
    Add {
        /// The agency's name (機関名).
        name: String,
        /// The file with its key.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Lists the registered agencies (revoked ones marked, with the time;
    /// those without a key marked as the board's only).
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
    /// 機関職員: a staff account of a registered agency (`--agency`).
    Agency,
    /// 機関管理者: an administrator of a registered agency (`--agency`),
    /// who manages its staff.
    AgencyAdmin,
    /// 管理者: the centre's administrator.
    Admin,
}

impl RoleArg {
    fn as_str(self) -> &'static str {
        match self {
            Self::Researcher => "researcher",
            Self::Agency => "agency",
            Self::AgencyAdmin => "agency_admin",
            Self::Admin => "admin",
        }
    }
}

/// `board …`.
#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// The agencies that use the board.
    #[command(subcommand)]
    Agency(BoardAgencyCommand),
    /// The board's accounts (the same accounts that read the figures).
    #[command(subcommand)]
    User(BoardUserCommand),
    /// The categories posts are filed under.
    #[command(subcommand)]
    Category(BoardCategoryCommand),
}

/// `board category …`.
#[derive(Debug, Subcommand)]
pub enum BoardCategoryCommand {
    /// Adds a category after the others. Categories are never removed or
    /// renamed: posts and addresses keep their codes.
    Add {
        /// Its code, kept in posts and addresses (`/board?category=CODE`):
        /// up to 32 lowercase letters, digits and hyphens, starting with a
        /// letter.
        code: String,
        /// Its name in Japanese (shown first), 1 to 40 characters.
        #[arg(long, value_name = "NAME")]
        ja: String,
        /// Its name in English, 1 to 40 characters.
        #[arg(long, value_name = "NAME")]
        en: String,
    },
    /// Lists every category in the board's order: code, Japanese, English.
    List,
}

/// `board agency …`.
#[derive(Debug, Subcommand)]
pub enum BoardAgencyCommand {
    /// Registers an agency by its name alone, for the board: it may have
    /// accounts at once, but the centre refuses its research batches as an
    /// unknown agency's until its key is added with `agency add NAME --key
    /// FILE`.
    Add {
        /// The agency's name (機関名), at most 100 characters.
        name: String,
    },
    /// Lists every agency: whether it has a key (sends research data), and
    /// how many administrators and staff accounts it has.
    List,
}

/// `board user …`.
#[derive(Debug, Subcommand)]
pub enum BoardUserCommand {
    /// Adds an account: an agency's administrator or staff (`--agency NAME
    /// --role admin|staff`), a researcher (`--researcher`) or a centre
    /// administrator (`--centre-admin`). The password (at least 12
    /// characters) is taken from the environment variable
    /// `TSUNAGI_PASSWORD` if it is set, else asked for twice on a
    /// terminal, else read as one line of standard input.
    Add {
        /// The login name (ログイン名): no spaces, at most 64 characters.
        login: String,
        /// Who the account is.
        #[command(flatten)]
        kind: UserKind,
        /// With `--agency`: the account's role in its agency.
        #[arg(long, value_enum, requires = "agency")]
        role: Option<AgencyRoleArg>,
        /// The name the pages show (表示名); the login name if not given.
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
    },
    /// Disables an account: it can no longer log in, and its sessions end
    /// at once.
    Disable {
        /// The login name.
        login: String,
    },
    /// Lets a disabled account log in again.
    Enable {
        /// The login name.
        login: String,
    },
    /// Lists every account with its role and agency (disabled ones
    /// marked).
    List,
}

/// Who a new board account is: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UserKind {
    /// An account of this agency, as registered (with `--role`).
    #[arg(long, value_name = "NAME", requires = "role")]
    agency: Option<String>,
    /// A researcher at the centre (研究者).
    #[arg(long)]
    researcher: bool,
    /// An administrator of the centre (管理者).
    #[arg(long)]
    centre_admin: bool,
}

/// An agency account's role on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AgencyRoleArg {
    /// 機関管理者: manages the agency's staff accounts on the centre's
    /// pages.
    Admin,
    /// 機関職員: the agency's staff.
    Staff,
}

/// The environment variable `board user add` takes a password from.
const PASSWORD_ENV: &str = "TSUNAGI_PASSWORD";

/// A new account's password from [`PASSWORD_ENV`] if it is set, else as
/// [`read_new_password`] reads it; at least 12 characters either way.
fn new_password_from_env_or_input() -> anyhow::Result<Zeroizing<String>> {
    let Some(value) = std::env::var_os(PASSWORD_ENV) else {
        return read_new_password();
    };
    let password = Zeroizing::new(
        value
            .into_string()
            .map_err(|_| anyhow::anyhow!("{PASSWORD_ENV} is not valid UTF-8"))?,
    );
    check_new_password(&password)?;
    Ok(password)
}

/// The role on the command line and the pages: `centre-admin`,
/// `researcher`, `agency-admin AGENCY` or `agency-staff AGENCY`.
fn role_words(role: &Role) -> String {
    match role {
        Role::Admin => "centre-admin".to_owned(),
        Role::Researcher => "researcher".to_owned(),
        Role::AgencyAdmin(agency) => format!("agency-admin {agency}"),
        Role::Agency(agency) => format!("agency-staff {agency}"),
    }
}

/// Adds the account `login` with `role` to `db`, its password from
/// `password` (asked for only once the name, the display name and the
/// agency are known to be good). An agency role's agency must be
/// registered, with a key or without.
fn add_account(
    db: &mut dyn Database,
    login: &str,
    role: Role,
    display: Option<&str>,
    password: impl FnOnce() -> anyhow::Result<Zeroizing<String>>,
) -> anyhow::Result<Account> {
    let login = LoginName::parse(login)?;
    let display_name = display_name(display.unwrap_or(""), &login)?;
    if let Some(agency) = role.agency() {
        let known = db.all_agencies()?.into_iter().any(|a| a.name == agency);
        anyhow::ensure!(
            known,
            "no agency is registered under the name {agency}; `board agency add NAME` registers one for the board, `board agency list` lists them"
        );
    }
    let password = password()?;
    let hash = PasswordHasher::standard().hash(&password);
    let account = Account {
        login,
        display_name,
        role,
        disabled: false,
        created_at: tsunagi_core::rfc3339::Timestamp::now(),
    };
    db.add_account(&account, &hash)?;
    Ok(account)
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
            let db = &mut storage::open(&dir, database)?;
            match db.add_agency(&Agency::new(name.clone(), signer))? {
                AgencyAdded::Registered => println!("registered {name} ({signer})"),
                AgencyAdded::KeyAdded => println!(
                    "added the key {signer} to {name}, registered before for the board; its batches are taken from now on"
                ),
            }
        }
        Command::Agency(AgencyCommand::List) => {
            for a in storage::open(&dir, database)?.all_agencies()? {
                let key = a
                    .signer
                    .map_or_else(|| "no key (board only)".to_owned(), |s| s.to_hex());
                match &a.revoked_at {
                    Some(at) => println!("{}\t{key}\trevoked {at}", a.name),
                    None => println!("{}\t{key}", a.name),
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
            let role = Role::from_parts(role.as_str(), agency.as_deref())?;
            let account = add_account(
                storage::open(&dir, database)?.as_mut(),
                &name,
                role,
                display_name.as_deref(),
                read_new_password,
            )?;
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
                    Some(agency) => format!("{} {agency}", a.role.as_str()),
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
        Command::Board(board) => run_board(&dir, database, board)?,
        Command::Serve { listen } => {
            let identity = CentreIdentity::load(&dir)?;
            let db = storage::open(&dir, database)?;
            let reference =
                ReferenceDb::bundled().context("the disease reference does not load")?;
            let listener = std::net::TcpListener::bind(listen)
                .with_context(|| format!("could not listen on {listen}"))?;
            // The board is kept where everything else is: `board.db` beside
            // the SQLite database, or the same PostgreSQL database.
            let boards = (0..board::BOARD_CONNECTIONS)
                .map(|_| board::open_backend(&dir, database))
                .collect::<Result<Vec<_>, _>>()
                .context("the board's database does not open")?;
            let centre = Arc::new(
                Centre::new(CentreIdentity::load(&dir)?.keys, db, reference)
                    .with_board_connections(boards),
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

/// Runs one `board …` command.
fn run_board(dir: &Path, database: Option<&str>, command: BoardCommand) -> anyhow::Result<()> {
    let open = || storage::open(dir, database);
    match command {
        BoardCommand::Agency(BoardAgencyCommand::Add { name }) => {
            let mut db = open()?;
            let name = agency_name(&name)?;
            db.add_agency_without_key(&name)?;
            println!(
                "registered {name} for the board, without a key: `agency add {name} --key FILE` lets it send research data"
            );
        }
        BoardCommand::Agency(BoardAgencyCommand::List) => {
            let mut db = open()?;
            let accounts = db.accounts()?;
            for a in db.all_agencies()? {
                let count = |admin: bool| {
                    accounts
                        .iter()
                        .filter(|acc| acc.role.agency() == Some(a.name.as_str()))
                        .filter(|acc| matches!(acc.role, Role::AgencyAdmin(_)) == admin)
                        .count()
                };
                let key = if a.signer.is_some() {
                    "key"
                } else {
                    "no key (board only)"
                };
                let revoked = match &a.revoked_at {
                    Some(at) => format!("\trevoked {at}"),
                    None => String::new(),
                };
                println!(
                    "{}\t{key}\t{} administrator(s), {} staff{revoked}",
                    a.name,
                    count(true),
                    count(false)
                );
            }
        }
        BoardCommand::User(BoardUserCommand::Add {
            login,
            kind,
            role,
            display_name,
        }) => {
            let mut db = open()?;
            let role = match (kind.agency, role, kind.researcher, kind.centre_admin) {
                (Some(agency), Some(AgencyRoleArg::Admin), _, _) => {
                    Role::AgencyAdmin(agency_name(&agency)?)
                }
                (Some(agency), Some(AgencyRoleArg::Staff), _, _) => {
                    Role::Agency(agency_name(&agency)?)
                }
                (None, None, true, false) => Role::Researcher,
                (None, None, false, true) => Role::Admin,
                _ => anyhow::bail!(
                    "give one of --agency NAME --role admin|staff, --researcher or --centre-admin"
                ),
            };
            let account = add_account(
                db.as_mut(),
                &login,
                role,
                display_name.as_deref(),
                new_password_from_env_or_input,
            )?;
            println!(
                "added the account {} ({})",
                account.login.as_str(),
                role_words(&account.role)
            );
        }
        BoardCommand::User(BoardUserCommand::Disable { login }) => {
            let mut db = open()?;
            db.disable_account(login.trim())?;
            println!("disabled {}; its sessions have ended", login.trim());
        }
        BoardCommand::User(BoardUserCommand::Enable { login }) => {
            let mut db = open()?;
            db.enable_account(login.trim())?;
            println!("enabled {}", login.trim());
        }
        BoardCommand::User(BoardUserCommand::List) => {
            let mut db = open()?;
            for a in db.accounts()? {
                let disabled = if a.disabled { "\tdisabled" } else { "" };
                println!(
                    "{}\t{}\t{}\tadded {}{disabled}",
                    a.login.as_str(),
                    a.display_name,
                    role_words(&a.role),
                    a.created_at
                );
            }
        }
        BoardCommand::Category(command) => run_board_category(dir, database, command)?,
    }
    Ok(())
}

/// Runs one `board category …` command, on the board where the centre
/// keeps it (the same database as `serve --database`, or `board.db`).
fn run_board_category(
    dir: &Path,
    database: Option<&str>,
    command: BoardCategoryCommand,
) -> anyhow::Result<()> {
    let mut board = board::open_backend(dir, database)?;
    match command {
        BoardCategoryCommand::Add { code, ja, en } => {
            let category =
                board::Category::new(board::CategoryCode::parse(code.trim())?, &ja, &en)?;
            board.add_category(&category)?;
            println!(
                "added the category {} ({} / {})",
                category.code(),
                category.label_ja(),
                category.label_en()
            );
        }
        BoardCategoryCommand::List => {
            for c in board.categories()? {
                println!("{}\t{}\t{}", c.code(), c.label_ja(), c.label_en());
            }
        }
    }
    Ok(())
}
