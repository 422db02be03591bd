//! The companion's command line. Every failure is one line on stderr and a
//! non-zero exit; a command either completes or changes nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tsunagi_core::link::PairingCode;
use tsunagi_core::link::discovery::instance_name;
use tsunagi_core::login;
use tsunagi_core::model::CaseId;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::CaseQuery;
use tsunagi_core::store::sync::Imported;

use crate::board::SystemBrowser;
use crate::documents::{self, ApprovedPhoto, DocumentKind, DocumentMeta, Request, programme};
use crate::saving::save_new;
use crate::{discovery, link, print};

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
    /// What to do; without a command the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
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
    /// Opens the window (the default): received cases and their documents,
    /// pairing, programme figures; receives from paired tablets meanwhile.
    Window {
        /// Where to receive from the tablets.
        #[arg(long, value_name = "IP:PORT", default_value_t = SocketAddr::from(([0, 0, 0, 0], link::DEFAULT_PORT)))]
        listen: SocketAddr,
    },
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
    /// Confirms a tablet's pairing once the office has seen the same
    /// verification code (確認コード) on the tablet as `serve` printed: only
    /// then may the tablet send.
    Confirm {
        /// The six-digit verification code shown on the tablet.
        code: String,
    },
    /// What is due (期限・予定) within DAYS (30 unless given), overdue first,
    /// across the office's cases: programme reviews, medical certificates
    /// running out, follow-ups after a hire, support-plan items.
    Due {
        /// How many days ahead to look.
        #[arg(long, default_value_t = 30)]
        within: u16,
    },
    /// This office's key (`age1…`) that another agency seals send-data
    /// files to, and its signing key.
    Key,
    /// Paired tablets: one line each, the certificate fingerprint, when it
    /// was paired, and whether it waits for its code to be confirmed.
    Peers,
    /// Forgets a paired tablet (by its full fingerprint from `peers`): it is
    /// refused from now on.
    Unpair {
        /// The fingerprint (64 hex digits).
        fingerprint: String,
    },
    /// Revokes a lost, stolen or replaced tablet (使用停止, administrators
    /// only): it is unpaired and may never pair or send again. With
    /// --hand-over-to, every case it held is handed to that paired tablet,
    /// whose worker then receives them with `tsunagi receive`.
    Revoke {
        /// The revoked tablet's fingerprint (64 hex digits, from `peers`).
        fingerprint: String,
        /// The new tablet's fingerprint.
        #[arg(long, value_name = "FINGERPRINT")]
        hand_over_to: Option<String>,
    },
    /// Prints one of the five documents of a case (資料の印刷), or saves it
    /// as a PDF with --out.
    Print(PrintArgs),
    /// The printers CUPS offers (CUPS_SERVER=host:port to ask another server).
    Printers,
    /// Self-reliance programme figures (自立支援プログラム, seed 002).
    #[command(subcommand)]
    Programme(ProgrammeCommand),
    /// Progress data for the research centre (研究センター).
    #[command(subcommand)]
    Research(ResearchCommand),
    /// The research centre's stakeholder board (掲示板), in the browser.
    #[command(subcommand)]
    Board(crate::board::BoardCommand),
    /// The disease reference (共有データベース): version, signed updates.
    #[command(subcommand)]
    Reference(crate::reference::ReferenceCommand),
    /// Accounts: list, add, role, password, disable, enable, remove.
    #[command(subcommand)]
    Account(tsunagi_core::admin::AccountCommand),
    /// Writes a backup of this companion, sealed with `age` to a key kept
    /// away from this computer or a passphrase (administrators only;
    /// docs/backup.md): `--without-personal-data` (個人情報を除いたバックアップ:
    /// every identifying field and all photos and video left out) or
    /// `--full` (全体バックアップ: the whole store, for `restore-full` on a
    /// new machine). `backup verify FILE` checks that a backup opens.
    Backup(tsunagi_core::backup::cli::OfficeBackupArgs),
    /// Restores a backup without personal data onto this companion's store,
    /// which must hold no case (administrators only).
    Restore(tsunagi_core::backup::cli::RestoreArgs),
    /// Opens a tablet's backup sealed to this companion (`tsunagi backup
    /// --to companion`) and writes the same backup sealed anew, e.g. with a
    /// passphrase for a replaced tablet's `tsunagi restore`.
    ResealBackup(tsunagi_core::backup::cli::ResealArgs),
    /// Restores a full backup (`backup --full`) into the data folder
    /// (--data-dir), which must not exist yet or be empty: on a new
    /// machine, the companion then opens with the same accounts and
    /// passwords and holds the same cases, photos and video.
    RestoreFull(tsunagi_core::backup::cli::RestoreFullArgs),
    /// The client's own record (本人携帯記録): `import` one into a new case.
    #[command(subcommand)]
    Carry(tsunagi_core::carry::cli::OfficeCarryCommand),
}

/// `tsunagi-companion print …`.
#[derive(Debug, clap::Args)]
pub struct PrintArgs {
    /// The case id (from `case list`).
    pub case_id: String,
    /// The document: profile, career-plan, proposal, support-plan, summary.
    #[arg(long)]
    pub doc: DocumentKind,
    /// For the proposal: the employer's id (default: the first employer).
    #[arg(long)]
    pub employer: Option<String>,
    /// For the support plan: the revision to print (第N版), the plan in
    /// force or an earlier one (default: the plan in force).
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,
    /// The printer's name (from `printers`).
    #[arg(long, required_unless_present = "out", conflicts_with = "out")]
    pub printer: Option<String>,
    /// How many copies (1–99).
    #[arg(long, default_value_t = 1, requires = "printer")]
    pub copies: u16,
    /// Save the PDF here instead of printing; an existing file is never overwritten.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
}

/// `tsunagi-companion programme …`.
#[derive(Debug, Subcommand)]
pub enum ProgrammeCommand {
    /// Targets, participants and achievers, and outcomes by reason, for a
    /// fiscal year (年度: April to March).
    Figures {
        /// The fiscal year, e.g. 2024 for 2024年度 (2024-04-01 to 2025-03-31).
        #[arg(long)]
        year: i32,
        /// Only this programme (プログラム名).
        #[arg(long)]
        programme: Option<String>,
        /// Also save the table as a PDF here (never overwrites).
        #[arg(long, value_name = "FILE.pdf")]
        out: Option<PathBuf>,
    },
}

/// `tsunagi-companion research …`: de-identified progress data for the
/// research centre (研究センター).
#[derive(Debug, Subcommand)]
pub enum ResearchCommand {
    /// Prints this agency's signing key (64 hex digits), which the centre
    /// registers with `tsunagi-centre agency add NAME --key FILE`.
    Key {
        /// Also write the key to this file (never overwrites).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Sets the centre to send to, from what `tsunagi-centre init` printed.
    Configure {
        /// This agency's name, as the centre registered it (機関名).
        #[arg(long)]
        agency: String,
        /// The centre's address, `https://host:port`.
        #[arg(long, value_name = "URL")]
        centre: String,
        /// The centre's `age` public key (`age1…`).
        #[arg(long, value_name = "AGE_KEY")]
        centre_key: String,
        /// The centre's certificate fingerprint (64 hex digits).
        #[arg(long, value_name = "HEX")]
        centre_cert_fingerprint: String,
    },
    /// Prints, as JSON, exactly what `send` would send now: the records of
    /// the cases whose research consent is in force, and the pseudonyms
    /// withdrawn (every other case), whose records the centre deletes.
    Preview,
    /// Seals a batch of the consenting cases' records and the withdrawals
    /// (unless batches are waiting already) and sends the outbox, retrying
    /// with back-off until the centre acknowledges or the attempts run out;
    /// what is not acknowledged stays queued for the next `send`, and a
    /// batch the centre refuses is set aside.
    Send {
        /// Attempts per batch before giving up for now.
        #[arg(long, default_value_t = 5)]
        attempts: u32,
        /// The first wait between attempts, doubled after each failure.
        #[arg(long, default_value_t = 2000, value_name = "MS")]
        retry_delay_ms: u64,
    },
    /// The outbox and history: one line per batch with its state.
    Outbox,
    /// Removes an undelivered batch (waiting or refused) from the outbox.
    Discard {
        /// The batch's id, as `outbox` lists it.
        batch: String,
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
    /// Writes a send-data file (送付用データ) of a case for another agency's
    /// office, sealed to its key (`age1…`, from its `tsunagi-companion
    /// key`): only while the client's consent to sharing with a related
    /// agency (関係機関への情報提供) is in force.
    Export {
        /// The case id.
        id: String,
        /// The receiving office's key (`age1…`).
        #[arg(long, value_name = "AGE_KEY")]
        to: String,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Takes in a send-data file from another agency's office as a new
    /// case that records where it came from (its consents are not carried
    /// over: record this office's own).
    ImportFromAgency {
        /// The `.age` file.
        file: PathBuf,
        /// The agency it came from, as it should be recorded.
        #[arg(long = "from", value_name = "AGENCY")]
        agency: String,
    },
    /// Hands a case over to another paired tablet (a replaced tablet, a new
    /// worker): from now on only that tablet may send the case.
    HandOver {
        /// The case id.
        id: String,
        /// The receiving tablet's fingerprint, as `peers` prints it.
        #[arg(long, value_name = "FINGERPRINT")]
        to: String,
    },
    /// Deletes a case with its history, photos and video, when the client
    /// asks or the office's keeping period has passed (administrators
    /// only). Its tablet cannot bring it back, and the next research send
    /// tells the centre to delete its record. Asks to be sure, or takes
    /// --yes.
    Delete {
        /// The case id.
        id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
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
        .unwrap_or_else(|| tsunagi_platform::desktop::data_dir(PROGRAM));
    let command = cli.command.unwrap_or(Command::Window {
        listen: SocketAddr::from(([0, 0, 0, 0], link::DEFAULT_PORT)),
    });
    match command {
        Command::Window { listen } => {
            crate::window::run(crate::window::Options {
                dir,
                keychain: login::keychain(PROGRAM),
                background: crate::window::Background::Threads,
                listen: Some(listen),
                cups: print::CupsServer::from_env(),
                utc_offset: crate::window::local_offset(),
                launcher: Arc::new(SystemBrowser),
            })?;
        }
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
                Imported::Now(0) => {
                    println!(
                        "the file holds nothing newer than this companion has; nothing changed"
                    );
                }
                Imported::Now(n) => println!("imported {n} case(s)"),
                Imported::Before => println!("this bundle was imported before; nothing changed"),
            }
        }
        Command::Case(CaseCommand::Export { id, to, out }) => {
            let case: CaseId = id.parse().map_err(|_| {
                anyhow::anyhow!("「{id}」はケース番号ではありません (not a case id)")
            })?;
            let to: tsunagi_core::seal::Recipient = to
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--to takes the receiving office's key (age1…)"))?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            let bundle = store.export_case_to_file(case, &to, &out)?;
            println!("{bundle}");
        }
        Command::Case(CaseCommand::ImportFromAgency { file, agency }) => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            match store.import_from_agency(std::io::BufReader::new(input), &agency)? {
                Some(created) => {
                    for case in created {
                        println!("{case}\t{agency}");
                    }
                }
                None => println!("this file was taken in before; nothing changed"),
            }
        }
        Command::Due { within } => tsunagi_core::admin::print_due(PROGRAM, &dir, within)?,
        Command::Key => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let identity = store.device_identity()?;
            println!("{}", identity.keys.recipient().as_string());
            println!("signer\t{}", identity.keys.signer().to_hex());
        }
        Command::Case(CaseCommand::HandOver { id, to }) => {
            let case: CaseId = id.parse().map_err(|_| {
                anyhow::anyhow!("「{id}」はケース番号ではありません (not a case id)")
            })?;
            let to = fingerprint_arg(&to)?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            store.hand_over_case(case, to)?;
            println!("case {case} handed over to tablet {}", to.to_hex());
        }
        Command::Case(CaseCommand::Delete { id, yes }) => {
            let case: CaseId = id.parse().map_err(|_| {
                anyhow::anyhow!("「{id}」はケース番号ではありません (not a case id)")
            })?;
            if !yes {
                anyhow::bail!(
                    "ケースの削除は元に戻せません。確かめたうえで --yes を付けてください (deleting a case cannot be undone: add --yes once you are sure)"
                );
            }
            let mut store = login::unlock(PROGRAM, &dir)?;
            store.delete_case(case)?;
            println!(
                "ケース {case} を削除しました。次の研究送信でセンターの記録も削除されます (deleted case {case}; the next research send deletes the centre's record)"
            );
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
                let local = endpoint.local_addr()?;
                println!("listening on {local} (certificate {fingerprint})");
                // Kept while serving; withdrawn when `serve` ends.
                let _advertised = match discovery::advertise(&fingerprint, local) {
                    Ok(advertised) => {
                        println!(
                            "advertised on the LAN (mDNS) as {}",
                            instance_name(&fingerprint)
                        );
                        Some(advertised)
                    }
                    Err(e) => {
                        eprintln!("tsunagi-companion: {e:#}; tablets use the paired address");
                        None
                    }
                };
                link::serve(&store, endpoint, |result| match result {
                    Ok(session) => println!("{}", session.summary),
                    Err(e) => println!("{e:#}"),
                })
                .await
            })?;
        }
        Command::Peers => {
            let store = login::unlock(PROGRAM, &dir)?;
            for peer in store.peers()? {
                let state = if store.awaits_confirmation(&peer.fingerprint)? {
                    "unconfirmed (確認待ち)"
                } else {
                    "confirmed"
                };
                println!("{}\t{}\t{state}", peer.fingerprint.to_hex(), peer.paired_at);
            }
            for (tablet, at, what) in store.audit_log_warnings()? {
                eprintln!(
                    "警告: タブレット {tablet} の監査ログが短くなっています（{at}）: {what} (warning: the tablet's audit log was cut short)"
                );
            }
        }
        Command::Confirm { code } => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            match store.confirm_pairing(&code)? {
                Some(fp) => println!("confirmed tablet {}", fp.to_hex()),
                None => anyhow::bail!(
                    "確認コード {code} のペアリングはありません (no pairing waits with that verification code)"
                ),
            }
        }
        Command::Unpair { fingerprint } => {
            let fp = fingerprint_arg(&fingerprint)?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            if !store.remove_peer(&fp)? {
                anyhow::bail!("no paired device has that fingerprint");
            }
            println!("unpaired");
        }
        Command::Revoke {
            fingerprint,
            hand_over_to,
        } => {
            let old = fingerprint_arg(&fingerprint)?;
            let new = hand_over_to.as_deref().map(fingerprint_arg).transpose()?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            let revoked = store.revoke_tablet(&old, new.as_ref())?;
            println!("revoked tablet {}", old.to_hex());
            if let Some(new) = new {
                println!(
                    "{} case(s) handed over to tablet {}",
                    revoked.handed_over,
                    new.to_hex()
                );
            }
        }
        Command::Print(args) => print_document(&args, &dir)?,
        Command::Printers => list_printers()?,
        Command::Programme(ProgrammeCommand::Figures {
            year,
            programme,
            out,
        }) => programme_figures(&dir, year, programme.as_deref(), out.as_deref())?,
        Command::Research(command) => research(&dir, command)?,
        Command::Board(command) => crate::board::run(&dir, command, &SystemBrowser)?,
        Command::Reference(command) => crate::reference::run(&dir, command)?,
        Command::Account(command) => tsunagi_core::admin::run_account(PROGRAM, &dir, command)?,
        Command::Backup(args) => {
            tsunagi_core::backup::cli::run_office_backup(PROGRAM, &dir, args)?;
        }
        Command::Restore(args) => tsunagi_core::backup::cli::run_restore(PROGRAM, &dir, args)?,
        Command::Carry(command) => tsunagi_core::carry::cli::run_office(PROGRAM, &dir, command)?,
        Command::ResealBackup(args) => {
            tsunagi_core::backup::cli::run_reseal(PROGRAM, &dir, args)?;
        }
        Command::RestoreFull(args) => {
            tsunagi_core::backup::cli::run_restore_full(PROGRAM, &dir, args)?;
        }
    }
    Ok(())
}

/// `research …`.
fn research(dir: &Path, command: ResearchCommand) -> anyhow::Result<()> {
    use crate::research as upload;
    let mut store = login::unlock(PROGRAM, dir)?;
    match command {
        ResearchCommand::Key { out } => {
            let key = store.research_keys()?.keys.signer().to_hex();
            println!("{key}");
            if let Some(path) = out {
                save_new(&path, format!("{key}\n").as_bytes())?;
            }
        }
        ResearchCommand::Configure {
            agency,
            centre,
            centre_key,
            centre_cert_fingerprint,
        } => {
            let url = centre.trim().trim_end_matches('/').to_owned();
            anyhow::ensure!(
                url.starts_with("https://"),
                "the centre's address must start with https://"
            );
            let agency = agency.trim().to_owned();
            anyhow::ensure!(!agency.is_empty(), "the agency needs a name");
            let config = tsunagi_core::store::research::CentreConfig {
                agency,
                url,
                recipient: centre_key.parse().map_err(|_| {
                    anyhow::anyhow!("the centre key must be an age public key (age1…)")
                })?,
                fingerprint: centre_cert_fingerprint.trim().parse().map_err(|_| {
                    anyhow::anyhow!(
                        "the fingerprint must be the 64 hex digits `tsunagi-centre init` printed"
                    )
                })?,
            };
            store.set_research_centre(&config)?;
            println!("research centre set: {}", config.url);
        }
        ResearchCommand::Preview => {
            let selection = upload::records(&mut store, &upload::reference(dir)?)?;
            for left in &selection.left_out {
                eprintln!(
                    "not sent, the centre deletes its record: {} ({})",
                    left.pseudonym.as_str(),
                    left.why.message_en()
                );
            }
            for pseudonym in &selection.deleted {
                eprintln!(
                    "deleted here, the centre deletes its record: {}",
                    pseudonym.as_str()
                );
            }
            let preview = serde_json::json!({
                "records": selection.records,
                "withdrawn": selection.withdrawn(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&preview).expect("records serialise")
            );
        }
        ResearchCommand::Send {
            attempts,
            retry_delay_ms,
        } => {
            match upload::queue_unless_waiting(&mut store)? {
                upload::Queued::Sealed(batch) => {
                    println!("sealed batch {} ({} records)", batch.id, batch.records);
                }
                upload::Queued::Waiting(n) => {
                    println!("{n} batch(es) already queued: sending those first");
                }
            }
            let retry = upload::Retry {
                attempts,
                first_delay: Duration::from_millis(retry_delay_ms),
            };
            let sent = upload::deliver(&mut store, retry)?;
            println!("delivered {sent} batch(es)");
        }
        ResearchCommand::Discard { batch } => {
            let id = batch.parse().map_err(|_| {
                anyhow::anyhow!("「{batch}」はバッチ番号ではありません (not a batch id)")
            })?;
            anyhow::ensure!(
                store.discard_research_batch(id)?,
                "no undelivered batch {id} in the outbox"
            );
            println!("discarded batch {id}");
        }
        ResearchCommand::Outbox => {
            for b in store.research_batches()? {
                let state = match (&b.sent_at, &b.refused_at, &b.last_error) {
                    (Some(at), _, _) => format!("sent {at}"),
                    (None, Some(at), e) => {
                        format!("refused {at}: {}", e.as_deref().unwrap_or_default())
                    }
                    (None, None, Some(e)) => {
                        format!("queued, {} attempt(s), last: {e}", b.attempts)
                    }
                    (None, None, None) => "queued".to_owned(),
                };
                println!("{}\t{}\t{} records\t{state}", b.id, b.created_at, b.records);
            }
        }
    }
    Ok(())
}

/// `print`: renders the document, then saves or prints it.
fn print_document(args: &PrintArgs, dir: &Path) -> anyhow::Result<()> {
    let offset = crate::window::local_offset();
    let id: CaseId = args.case_id.parse().map_err(|_| {
        anyhow::anyhow!(
            "「{}」はケース番号ではありません (not a case id)",
            args.case_id
        )
    })?;
    if args.revision.is_some() && args.doc != DocumentKind::SupportPlan {
        anyhow::bail!(
            "--revision は支援計画書（--doc support-plan）にだけ使えます (--revision is for the support plan only)"
        );
    }
    let mut store = login::unlock(PROGRAM, dir)?;
    let case = store.load_case(id)?;
    let meta = DocumentMeta::from_store(&mut store, id, offset)?;
    let reference = ReferenceDb::load_installed(dir)?;
    let photos = if args.doc == DocumentKind::Profile {
        let today = meta.generated_at.date();
        let (photos, withheld) = ApprovedPhoto::from_store(&mut store, id, today)?;
        if let Some(why) = withheld {
            eprintln!(
                "写真は載せません: {} (no photos: {})",
                why.message_ja(),
                why.message_en()
            );
        }
        photos
    } else {
        Vec::new()
    };
    let request = Request {
        employer_id: args.employer.as_deref(),
        photos: &photos,
        plan_revision: args.revision,
        ..Request::new(args.doc)
    };
    let pdf = documents::render(&case, &meta, &request, &reference)?;
    match (&args.out, &args.printer) {
        (Some(path), _) => {
            save_new(path, &pdf)?;
            println!("{}", path.display());
        }
        (None, Some(printer)) => {
            let server = print::CupsServer::from_env();
            let title = format!("Tsunagi {}", args.doc.title_ja());
            let job = print::print_pdf(&server, printer, &pdf, args.copies, &title).context(
                "印刷できませんでした。--out FILE.pdf で保存できます (not printed; --out FILE.pdf saves it)",
            )?;
            let status = print::wait_for_job(&server, printer, job, Duration::from_secs(20))
                .context("印刷の状況 (print job)")?;
            println!("{printer}\tjob {}\t{}", job.0, status.state.label_ja());
        }
        (None, None) => {
            anyhow::bail!(
                "--printer NAME か --out FILE.pdf を指定してください (give --printer or --out)"
            )
        }
    }
    Ok(())
}

/// `printers`: one line per printer: name, description, location, state.
fn list_printers() -> anyhow::Result<()> {
    for p in print::list_printers(&print::CupsServer::from_env())? {
        let state = match p.check_ready() {
            Ok(()) => p.state.label_ja().to_owned(),
            Err(e) => e.to_string(),
        };
        println!("{}\t{}\t{}\t{}", p.name, p.info, p.location, state);
    }
    Ok(())
}

/// `programme figures`: the table as text, and as a PDF with `out`.
fn programme_figures(
    dir: &Path,
    year: i32,
    name: Option<&str>,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let mut store = login::unlock(PROGRAM, dir)?;
    let mut cases = Vec::new();
    for row in store.list_cases(&CaseQuery::default())? {
        cases.push(store.load_case(row.id)?);
    }
    let figures = programme::figures(&cases, year, name);
    print!("{}", programme::to_text(year, &figures));
    if let Some(path) = out {
        let pdf = programme::to_pdf(year, &figures, time::OffsetDateTime::now_utc())?;
        save_new(path, &pdf)?;
        println!("{}", path.display());
    }
    Ok(())
}

/// A tablet's fingerprint as typed: the 64 hex digits `peers` prints.
fn fingerprint_arg(text: &str) -> anyhow::Result<tsunagi_core::link::Fingerprint> {
    text.trim().parse().map_err(|_| {
        anyhow::anyhow!("that is not a fingerprint: use the 64 hex digits `peers` prints")
    })
}
