//! `backup`, `restore` and `reseal-backup` on the tablet's and the
//! companion's command lines: one code, the same words on both; and the
//! companion's own `backup --full`, `backup verify` and `restore-full`
//! (the full backup of the office).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{ArgGroup, Args, Subcommand};

use super::{
    BackupFile, DeviceKeyRestored, SealTo, SealedWith, Unseal, Verified, check_restore_target,
    reseal, restore_backup, restore_full_backup, shown, verify_backup, write_backup,
    write_full_backup,
};
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

/// `backup` on the companion: a backup without personal data, the full
/// backup of the office, or `backup verify FILE`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(group(ArgGroup::new("what").required(true).args(["without_personal_data", "full"])))]
#[command(group(ArgGroup::new("seal").required(true).args(["to", "passphrase"])))]
pub struct OfficeBackupArgs {
    /// Leave out every identifying field (name, kana, address, phone,
    /// e-mail, birth date, notes…) and every photo and video.
    #[arg(long)]
    pub without_personal_data: bool,
    /// The whole store (全体バックアップ): every case with every field,
    /// photos and video, accounts and keyslots, the audit log and the
    /// device key, for `restore-full` on a new machine. Seal it to an
    /// office key kept offline.
    #[arg(long)]
    pub full: bool,
    /// Seal to this `age` public key (`age1…`), e.g. the office key.
    #[arg(long, value_name = "RECIPIENT")]
    pub to: Option<String>,
    /// Seal with a passphrase (from TSUNAGI_BACKUP_PASSPHRASE, else asked
    /// twice), at least 12 characters.
    #[arg(long)]
    pub passphrase: bool,
    /// The file to write. An existing file is replaced only by a whole new
    /// backup; a failed backup leaves it as it was.
    #[arg(long, value_name = "FILE", required = true)]
    pub out: Option<PathBuf>,
    /// `verify FILE`: check a backup instead of making one.
    #[command(subcommand)]
    pub command: Option<OfficeBackupCommand>,
}

/// `backup …` subcommands on the companion.
#[derive(Debug, Subcommand)]
pub enum OfficeBackupCommand {
    /// Proves that a backup (either kind) opens: decrypts it to its end,
    /// checks every file's length and SHA-256 against its manifest (every
    /// case line of a backup without personal data), and says what it
    /// holds. Writes nothing and needs no store or password.
    Verify(VerifyArgs),
}

/// `backup verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The backup file.
    pub file: PathBuf,
    /// For a backup sealed to a key: the identity file (`age-keygen`'s
    /// AGE-SECRET-KEY-1…). Without it, the passphrase comes from
    /// TSUNAGI_BACKUP_PASSPHRASE, else it is asked for.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
}

/// `restore-full` (the companion): into the data folder (`--data-dir`, else
/// the default one), which must not exist yet or be empty.
#[derive(Debug, Args)]
pub struct RestoreFullArgs {
    /// The full backup file (`backup --full`).
    pub file: PathBuf,
    /// For a backup sealed to a key: the identity file (`age-keygen`'s
    /// AGE-SECRET-KEY-1…). Without it, the passphrase comes from
    /// TSUNAGI_BACKUP_PASSPHRASE, else it is asked for.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
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

/// `backup` on the companion: `--without-personal-data`, `--full`, or
/// `verify FILE`.
pub fn run_office_backup(program: &str, dir: &Path, args: OfficeBackupArgs) -> anyhow::Result<()> {
    let OfficeBackupArgs {
        without_personal_data,
        full,
        to,
        passphrase,
        out,
        command,
    } = args;
    if let Some(OfficeBackupCommand::Verify(args)) = command {
        return run_verify(args);
    }
    let out = out.context("--out FILE を指定してください (give --out FILE)")?;
    if full {
        return run_full_backup(program, dir, to.as_deref(), &out);
    }
    run_backup(
        program,
        dir,
        BackupArgs {
            without_personal_data,
            to,
            passphrase,
            out,
        },
    )
}

/// `backup --full (--to age1…|--passphrase) --out FILE`.
fn run_full_backup(program: &str, dir: &Path, to: Option<&str>, out: &Path) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    let to = match to {
        Some(to) => SealTo::Key(to.trim().parse::<Recipient>().map_err(|_| {
            anyhow::anyhow!(
                "--to には事務所の鍵（age の公開鍵 age1…）を指定してください (--to takes the office's age public key, age1…)"
            )
        })?),
        None => new_passphrase()?,
    };
    let summary = write_full_backup(&mut store, &to, program, out).with_context(|| {
        format!(
            "全体バックアップを作れませんでした。{} は元のままです (no full backup was made; {} is as it was)",
            out.display(),
            out.display()
        )
    })?;
    println!(
        "全体バックアップを作りました: {} （{}ファイル、写真・動画{}件、{}バイト） (made a full backup: {} file(s), {} photo(s) and video(s), {} bytes)",
        out.display(),
        summary.files,
        summary.media,
        summary.bytes,
        summary.files,
        summary.media,
        summary.bytes
    );
    eprintln!(
        "氏名・住所・写真などすべての情報と端末鍵が入っています。封をした鍵はこのPCから離して保管してください。 It holds everything, names, photos and the device key included: keep the key it is sealed to away from this computer."
    );
    Ok(())
}

/// `backup verify FILE [--identity FILE]`.
fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let file = open_file(&args.file)?;
    let key = unseal_key(args.identity.as_deref(), file.sealed_with())?;
    match verify_backup(file, &key)? {
        Verified::Full(summary) => {
            let info = &summary.info;
            println!(
                "バックアップを確かめました。開けます: 全体バックアップ、{}ファイル（写真・動画{}件）、{}バイト、{} に {} の {} が作成、保管庫 {} (verified, it opens: a full backup of {} file(s), {} photo(s) and video(s), {} bytes, made {} by {} with {}, store {})",
                summary.files,
                summary.media,
                summary.bytes,
                info.created_at,
                shown(&info.made_by),
                shown(&info.account),
                shown(&info.store_id),
                summary.files,
                summary.media,
                summary.bytes,
                info.created_at,
                shown(&info.account),
                shown(&info.made_by),
                shown(&info.store_id)
            );
        }
        Verified::WithoutPersonalData { header, cases } => {
            println!(
                "バックアップを確かめました。開けます: 個人情報を除いたバックアップ、{}件のケース、{} に {} の {} が作成、保管庫 {} (verified, it opens: a backup without personal data of {} case(s), made {} by {} with {}, store {})",
                cases,
                header.created_at,
                shown(&header.made_by),
                shown(&header.account),
                shown(&header.store_id),
                cases,
                header.created_at,
                shown(&header.account),
                shown(&header.made_by),
                shown(&header.store_id)
            );
        }
    }
    eprintln!("何も書き込んでいません。 Nothing was written.");
    Ok(())
}

/// `restore-full FILE [--identity FILE]` into the data folder `dir`, which
/// must not exist yet or be empty.
pub fn run_restore_full(program: &str, dir: &Path, args: RestoreFullArgs) -> anyhow::Result<()> {
    // Refused before asking for a passphrase.
    check_restore_target(dir)?;
    let file = open_file(&args.file)?;
    let key = unseal_key(args.identity.as_deref(), file.sealed_with())?;
    let keychain = login::keychain(program);
    let restored = restore_full_backup(file, &key, dir, keychain.as_ref())?;
    let summary = &restored.backup;
    println!(
        "全体バックアップを復元しました: {} （{}ファイル、写真・動画{}件、{}バイト）。バックアップを作った時点のアカウントとパスワードで開けます (restored a full backup into {}: {} file(s), {} photo(s) and video(s), {} bytes; it opens with the accounts and passwords as they were when it was made)",
        dir.display(),
        summary.files,
        summary.media,
        summary.bytes,
        dir.display(),
        summary.files,
        summary.media,
        summary.bytes
    );
    let info = &summary.info;
    eprintln!(
        "バックアップ: {} に {} の {} が作成 (made {} by {} with {})",
        info.created_at,
        shown(&info.made_by),
        shown(&info.account),
        info.created_at,
        shown(&info.account),
        shown(&info.made_by)
    );
    if restored.device_key == DeviceKeyRestored::Saved {
        eprintln!(
            "端末鍵をこのPCに保存しました（{}）。 The device key was saved to this computer's {}.",
            keychain.describe(),
            keychain.describe()
        );
    }
    Ok(())
}
