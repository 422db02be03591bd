//! The scripting command line. Every failure is one line on stderr and a
//! non-zero exit; a command either completes or changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tsunagi_core::media::{self, AsIsVideo, VideoImport};
use tsunagi_core::model::{Case, CaseId, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{CaseQuery, MediaDetails, MediaId, RecoveryCode, Store};

use tsunagi_core::link::PairingCode;
use tsunagi_core::login;
use tsunagi_core::seal::Recipient;
use tsunagi_core::store::sync::PeerKind;

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
    /// Accounts: list, add, role, password, disable, enable, remove.
    #[command(subcommand)]
    Account(tsunagi_core::admin::AccountCommand),
    /// Pairs this tablet with a companion using the code that
    /// `tsunagi-companion pair` printed; prints the verification code that the
    /// companion shows too.
    Pair {
        /// The pairing code (TSUNAGI1-…).
        code: String,
    },
    /// Forgets the paired companion (and tells it, when it can be reached).
    Unpair,
    /// Seals what changed since the last acknowledged sync and sends it to
    /// the paired companion.
    Sync,
    /// What is due (期限・予定) within DAYS (30 unless given), overdue first:
    /// programme reviews, medical certificates running out, follow-ups
    /// after a hire, support-plan items, computed from the cases.
    Due {
        /// How many days ahead to look.
        #[arg(long, default_value_t = 30)]
        within: u16,
    },
    /// Receives from the paired companion the cases the office handed to
    /// this tablet, with their history, photos and video (事務所PCから受け取る:
    /// a replaced tablet); resumes where a cut transfer stopped.
    Receive,
    /// Photos and video of a case (写真・動画): import, list, approve,
    /// withdraw, delete, export.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Writes a backup of every case without personal data
    /// (個人情報を除いたバックアップ): every identifying field and all photos
    /// and video left out, sealed with `age` to a key or a passphrase
    /// (administrators only; docs/backup.md).
    Backup(tsunagi_core::backup::cli::BackupArgs),
    /// Restores a backup without personal data onto this store, which must
    /// hold no case: the cases come back with their ids and history, their
    /// identifying fields empty and marked 要再入力 (administrators only).
    Restore(tsunagi_core::backup::cli::RestoreArgs),
    /// The client's own record (本人携帯記録): `export` a sealed file with
    /// what the client chose, `import` one into a new case.
    #[command(subcommand)]
    Carry(tsunagi_core::carry::cli::CarryCommand),
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
    /// Writes a case as a sealed send-data file (送付用データ): a standard
    /// `age` file, signed by this tablet.
    Export {
        /// The case id.
        id: String,
        /// An `age1…` public key, or `companion` for the paired companion.
        #[arg(long, value_name = "RECIPIENT")]
        to: String,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
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
    /// Administrators only.
    Install {
        /// The release folder or one of its files.
        source: PathBuf,
    },
}

/// `tsunagi media …`.
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Stores a photo (JPEG, PNG, WebP, GIF, TIFF: location and all other
    /// metadata removed, turned upright, shrunk) or a video (anything
    /// GStreamer decodes, transcoded to H.264 Main + AAC in MP4), and
    /// prints its id. What the file is comes from its content.
    Import {
        /// The case id.
        case: String,
        /// The photo or video file.
        file: PathBuf,
        /// キャプション: text shown with it.
        #[arg(long, default_value = "")]
        caption: String,
        /// Which strength or interest of the profile it shows.
        #[arg(long, default_value = "")]
        illustrates: String,
        /// For a video: a JPEG or PNG frame to show before it plays.
        #[arg(long, value_name = "FILE")]
        poster: Option<PathBuf>,
        /// For an MP4/MOV video already in a format tablets play: keep it
        /// byte for byte instead of transcoding it.
        #[arg(long)]
        as_is: bool,
    },
    /// One line per item: id, kind, size in bytes, approved (yes/no), date,
    /// what it illustrates, caption — tab-separated.
    List {
        /// The case id.
        case: String,
    },
    /// Records the client's approval of showing an item (本人の同意).
    Approve {
        /// The case id.
        case: String,
        /// The item id.
        media: String,
    },
    /// Records that the client withdrew that approval.
    Withdraw {
        /// The case id.
        case: String,
        /// The item id.
        media: String,
    },
    /// Deletes an item for good (its key is erased, then its file).
    Delete {
        /// The case id.
        case: String,
        /// The item id.
        media: String,
    },
    /// Shows the limits for new photos and videos, or sets them
    /// (administrators): the longest side of a photo, the longest video and
    /// the largest video. A longer recording stops at the limit; a longer
    /// imported video is cut there.
    Limits {
        /// Photos are shrunk to this many pixels on their longer side.
        #[arg(long, value_name = "PIXELS", value_parser = clap::value_parser!(u32).range(320..=8000))]
        photo_edge: Option<u32>,
        /// The longest video, in seconds.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=7200))]
        video_seconds: Option<u64>,
        /// The largest video, in megabytes (1 MB = 1,000,000 bytes).
        #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..=100_000))]
        video_mb: Option<u64>,
    },
    /// Writes an item, decrypted, to a new file (never over an existing one).
    Export {
        /// The case id.
        case: String,
        /// The item id.
        media: String,
        /// The file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
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
    let dir = match cli.data_dir {
        Some(dir) => dir,
        None => tsunagi_platform::current()
            .data_dir(PROGRAM)
            .context("the app's data folder could not be found")?,
    };
    let Some(command) = cli.command else {
        return crate::window::run(dir);
    };
    match command {
        Command::Init { user } => {
            login::init(PROGRAM, &dir, &user)?;
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
        Command::Case(CaseCommand::Export { id, to, out }) => {
            let id =
                CaseId::from_str(&id).map_err(|_| anyhow::anyhow!("{id:?} is not a case id"))?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            let recipient = if to.trim() == "companion" {
                store
                    .peers()?
                    .into_iter()
                    .find(|p| p.kind == PeerKind::Companion)
                    .map(|p| p.recipient)
                    .context("this tablet is not paired with a companion")?
            } else {
                to.parse::<Recipient>().map_err(|_| {
                    anyhow::anyhow!("--to takes an age public key (age1…) or `companion`")
                })?
            };
            let bundle = store.export_case_to_file(id, &recipient, &out)?;
            println!("{bundle}");
        }
        Command::Pair { code } => {
            let code: PairingCode = code.parse()?;
            let mut store = login::unlock(PROGRAM, &dir)?;
            let verification = crate::sync::pair(&mut store, &code)?;
            println!("確認コード (verification code): {verification}");
            eprintln!("事務所PCに同じコードが表示されていることを確認してください。");
            eprintln!("Check that the companion shows the same code.");
        }
        Command::Unpair => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            crate::sync::unpair(&mut store)?;
            println!("unpaired");
        }
        Command::Sync => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let report = crate::sync::sync(&mut store)?;
            println!("delivered {} bundle(s)", report.delivered);
            if let Some(version) = &report.reference {
                println!("installed the office's reference release {version}");
            }
            if !report.refused.is_empty() {
                bail!(
                    "the companion refused {} bundle(s) ({}); their cases stay on this tablet and go again at the next sync, each on its own",
                    report.refused.len(),
                    report.refused.join("; ")
                );
            }
        }
        Command::Due { within } => tsunagi_core::admin::print_due(PROGRAM, &dir, within)?,
        Command::Receive => {
            let mut store = login::unlock(PROGRAM, &dir)?;
            let report = crate::receive::receive_from_office(&mut store, &mut |_, _| {})?;
            println!(
                "received {} case(s) in {} bundle(s) ({} bytes)",
                report.cases, report.bundles, report.bytes
            );
        }
        Command::Reference(command) => reference(&dir, command)?,
        Command::Account(command) => tsunagi_core::admin::run_account(PROGRAM, &dir, command)?,
        Command::Media(command) => media(&dir, command)?,
        Command::Backup(args) => tsunagi_core::backup::cli::run_backup(PROGRAM, &dir, args)?,
        Command::Restore(args) => tsunagi_core::backup::cli::run_restore(PROGRAM, &dir, args)?,
        Command::Carry(command) => tsunagi_core::carry::cli::run(PROGRAM, &dir, command)?,
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
    let update_dir = dir.join(tsunagi_core::reference::UPDATE_FOLDER);
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
            let db = tsunagi_core::admin::install_reference(PROGRAM, dir, &source)?;
            println!("installed reference version {}", db.version());
        }
    }
    Ok(())
}

fn parse_case(id: &str) -> anyhow::Result<CaseId> {
    CaseId::from_str(id).map_err(|_| anyhow::anyhow!("{id:?} is not a case id"))
}

fn parse_media(id: &str) -> anyhow::Result<MediaId> {
    MediaId::from_str(id).map_err(|_| anyhow::anyhow!("{id:?} is not a photo or video id"))
}

/// One field of a tab-separated line: tabs and line breaks become spaces.
fn field(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `tsunagi media …`.
fn media(dir: &std::path::Path, command: MediaCommand) -> anyhow::Result<()> {
    match command {
        MediaCommand::Import {
            case,
            file,
            caption,
            illustrates,
            poster,
            as_is,
        } => {
            let case = parse_case(&case)?;
            let details = MediaDetails {
                caption: caption.into(),
                illustrates: illustrates.into(),
                taken_at: None,
            };
            let poster = match poster {
                Some(path) => Some(
                    std::fs::read(&path)
                        .with_context(|| format!("could not read {}", path.display()))?,
                ),
                None => None,
            };
            std::fs::metadata(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let mut store = login::unlock(PROGRAM, dir)?;
            let transcoder = crate::av::TranscodingImport {
                limits: crate::av::Limits::of(&store)?,
            };
            let videos: &dyn VideoImport = if as_is { &AsIsVideo } else { &transcoder };
            let id = crate::av::store_file(&mut store, case, &file, &details, videos, poster)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{id}");
        }
        MediaCommand::List { case } => {
            let case = parse_case(&case)?;
            let mut store = login::unlock(PROGRAM, dir)?;
            for item in store.list_media(case)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    item.id,
                    item.kind.as_str(),
                    item.size,
                    if item.approval.is_some() { "yes" } else { "no" },
                    item.taken_at.unwrap_or(item.created_at),
                    field(item.illustrates.expose()),
                    field(item.caption.expose()),
                );
            }
        }
        MediaCommand::Approve { case, media } => {
            let (case, media) = (parse_case(&case)?, parse_media(&media)?);
            login::unlock(PROGRAM, dir)?.set_media_approval(case, media, true)?;
        }
        MediaCommand::Withdraw { case, media } => {
            let (case, media) = (parse_case(&case)?, parse_media(&media)?);
            login::unlock(PROGRAM, dir)?.set_media_approval(case, media, false)?;
        }
        MediaCommand::Delete { case, media } => {
            let (case, media) = (parse_case(&case)?, parse_media(&media)?);
            login::unlock(PROGRAM, dir)?.delete_media(case, media)?;
        }
        MediaCommand::Limits {
            photo_edge,
            video_seconds,
            video_mb,
        } => {
            let mut store = login::unlock(PROGRAM, dir)?;
            let mut limits = store.media_limits()?;
            if photo_edge.is_some() || video_seconds.is_some() || video_mb.is_some() {
                if let Some(edge) = photo_edge {
                    limits.max_photo_edge = edge;
                }
                if let Some(seconds) = video_seconds {
                    limits.max_video_ms = seconds * 1000;
                }
                if let Some(mb) = video_mb {
                    limits.max_video_bytes = mb * 1_000_000;
                }
                store.set_media_limits(limits)?;
            }
            println!("photo_edge\t{}", limits.max_photo_edge);
            println!("video_seconds\t{}", limits.max_video_ms / 1000);
            println!("video_mb\t{}", limits.max_video_bytes / 1_000_000);
        }
        MediaCommand::Export { case, media, out } => {
            let (case, media) = (parse_case(&case)?, parse_media(&media)?);
            let mut store = login::unlock(PROGRAM, dir)?;
            let mut stream = store.open_media(case, media)?;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .with_context(|| {
                    format!(
                        "could not create {} (an existing file is never overwritten)",
                        out.display()
                    )
                })?;
            let copied = std::io::copy(&mut stream, &mut file).and_then(|_| file.sync_all());
            if let Err(e) = copied {
                drop(file);
                let _ = std::fs::remove_file(&out);
                return Err(match media::MediaError::from(e) {
                    media::MediaError::Io(e) => {
                        anyhow::Error::new(e).context(format!("could not write {}", out.display()))
                    }
                    other => other.into(),
                });
            }
        }
    }
    Ok(())
}
