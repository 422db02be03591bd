//! `backup`, `restore` and `reseal-backup` on the tablet's and the
//! companion's command lines: one code, the same words on both.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{ArgGroup, Args};

use super::{BackupFile, SealTo, SealedWith, Unseal, reseal, restore_backup, write_backup};
use crate::login;
use crate::seal::Recipient;
use crate::store::sync::PeerKind;

/// The variable a backup's passphrase is read from (else it is asked for).
pub const PASSPHRASE_VAR: &str = "TSUNAGI_BACKUP_PASSPHRASE";

/// `backup`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("seal").required(true).args(["to", "passphrase"])))]
pub struct BackupArgs {
    /// Leave out every identifying field (name, kana, address, phone,
    /// e-mail, birth date, notes…) and every photo and video. The only
    /// kind of backup there is yet; say it to be sure of what you make.
    #[arg(long, required = true)]
    pub without_personal_data: bool,
    /// Seal to this `age` public key (`age1…`), or `companion` for the
    /// paired companion's office key.
    #[arg(long, value_name = "RECIPIENT")]
    pub to: Option<String>,
    /// Seal with a passphrase (from TSUNAGI_BACKUP_PASSPHRASE, else asked
    /// twice), at least 12 characters.
    #[arg(long)]
    pub passphrase: bool,
    /// The file to write. An existing file is replaced only by a whole new
    /// backup; a failed backup leaves it as it was.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// For a backup sealed to a key: the identity file (`age-keygen`'s
    /// AGE-SECRET-KEY-1…). Without it, the passphrase comes from
    /// TSUNAGI_BACKUP_PASSPHRASE, else it is asked for.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
}

/// `reseal-backup` (the companion).
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("seal").required(true).args(["to", "passphrase"])))]
pub struct ResealArgs {
    /// A tablet's backup sealed to this companion (`backup --to companion`).
    pub file: PathBuf,
    /// Seal the copy to this `age` public key (`age1…`).
    #[arg(long, value_name = "RECIPIENT")]
    pub to: Option<String>,
    /// Seal the copy with a passphrase (from TSUNAGI_BACKUP_PASSPHRASE,
    /// else asked twice), for the new tablet's `restore`.
    #[arg(long)]
    pub passphrase: bool,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// A new passphrase: from the variable, else asked twice on the terminal.
fn new_passphrase() -> anyhow::Result<SealTo> {
    let text = match std::env::var(PASSPHRASE_VAR) {
        Ok(text) => text,
        Err(_) => {
            let first =
                login::from_env_or_prompt(PASSPHRASE_VAR, "パスフレーズ (passphrase): ", true)?;
            let again = login::from_env_or_prompt(
                PASSPHRASE_VAR,
                "もう一度 (the passphrase again): ",
                true,
            )?;
            if first != again {
                bail!("二つのパスフレーズが違います (the two passphrases differ)");
            }
            first
        }
    };
    Ok(SealTo::passphrase(text)?)
}

fn age_key(text: &str) -> anyhow::Result<Recipient> {
    text.parse::<Recipient>().map_err(|_| {
        anyhow::anyhow!(
            "--to には age の公開鍵（age1…）か companion を指定してください (--to takes an age public key, age1…, or `companion`)"
        )
    })
}

/// `backup --without-personal-data (--to …|--passphrase) --out FILE`.
pub fn run_backup(program: &str, dir: &Path, args: BackupArgs) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    let to = match (&args.to, args.passphrase) {
        (Some(to), false) if to.trim() == "companion" => SealTo::Key(
            store
                .peers()?
                .into_iter()
                .find(|p| p.kind == PeerKind::Companion)
                .map(|p| p.recipient)
                .context(
                    "この端末は事務所PCとペアリングされていません。age1… の鍵か --passphrase を指定してください (this device is not paired with a companion: give an age1… key or --passphrase)",
                )?,
        ),
        (Some(to), false) => SealTo::Key(age_key(to)?),
        _ => new_passphrase()?,
    };
    let summary = write_backup(&mut store, &to, program, &args.out).with_context(|| {
        format!(
            "バックアップを作れませんでした。{} は元のままです (no backup was made; {} is as it was)",
            args.out.display(),
            args.out.display()
        )
    })?;
    println!(
        "{}件のケースを個人情報を除いてバックアップしました: {} (backed up {} case(s) without personal data)",
        summary.cases,
        args.out.display(),
        summary.cases
    );
    eprintln!(
        "氏名・住所など個人を特定できる情報と写真・動画は入っていません。 Names, addresses and other identifying information, photos and video are not in it."
    );
    Ok(())
}

/// How to open `file`: the identity file when given, else the passphrase.
fn unseal_key(identity: Option<&Path>, sealed: SealedWith) -> anyhow::Result<Unseal> {
    match (identity, sealed) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "鍵ファイルを読めません (could not read the identity file {})",
                    path.display()
                )
            })?;
            Ok(Unseal::identity_file(&text)?)
        }
        (None, SealedWith::Key) => Err(super::BackupError::SealedToKey.into()),
        (None, SealedWith::Passphrase) => Ok(Unseal::passphrase(login::from_env_or_prompt(
            PASSPHRASE_VAR,
            "バックアップのパスフレーズ (the backup's passphrase): ",
            true,
        )?)),
    }
}

fn open_file(path: &Path) -> anyhow::Result<BackupFile<std::fs::File>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("ファイルを開けません (could not open {})", path.display()))?;
    Ok(BackupFile::open(file)?)
}

/// `restore FILE [--identity FILE]`.
pub fn run_restore(program: &str, dir: &Path, args: RestoreArgs) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    // Refused before asking for a passphrase.
    if store.holds_cases()? {
        return Err(crate::store::StoreError::NotEmpty.into());
    }
    let file = open_file(&args.file)?;
    let key = unseal_key(args.identity.as_deref(), file.sealed_with())?;
    let summary = restore_backup(&mut store, file.unseal(&key)?)?;
    println!(
        "{}件のケースを復元しました。個人を特定できる情報は空で、{}か所に要再入力の印があります (restored {} case(s); their identifying fields are empty, {} marked 要再入力)",
        summary.cases, summary.fields_to_reenter, summary.cases, summary.fields_to_reenter
    );
    // Words from the file are shown short and without control characters.
    let shown =
        |text: &str| -> String { text.chars().filter(|c| !c.is_control()).take(64).collect() };
    let (made_by, account) = (
        shown(&summary.header.made_by),
        shown(&summary.header.account),
    );
    eprintln!(
        "バックアップ: {} に {} の {} が作成 (made {} by {} with {})",
        summary.header.created_at, made_by, account, summary.header.created_at, account, made_by
    );
    Ok(())
}

/// `reseal-backup FILE (--to …|--passphrase) --out FILE`: opens a backup
/// sealed to this device's key and seals the same backup anew.
pub fn run_reseal(program: &str, dir: &Path, args: ResealArgs) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    let file = open_file(&args.file)?;
    if file.sealed_with() != SealedWith::Key {
        return Err(super::BackupError::SealedWithPassphrase.into());
    }
    let key = Unseal::device(&store.device_identity()?.keys);
    drop(store);
    let backup = file.unseal(&key)?;
    let to = match &args.to {
        Some(to) => SealTo::Key(age_key(to)?),
        None => new_passphrase()?,
    };
    let cases = reseal(backup, &to, &args.out).with_context(|| {
        format!(
            "書き出せませんでした。{} は元のままです (nothing was written; {} is as it was)",
            args.out.display(),
            args.out.display()
        )
    })?;
    println!(
        "{}件のケースのバックアップを封をし直しました: {} (resealed a backup of {} case(s))",
        cases,
        args.out.display(),
        cases
    );
    Ok(())
}
