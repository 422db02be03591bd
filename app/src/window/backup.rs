//! The backup part of the settings screen (`BackupAdapter`): a backup
//! without personal data of every case of the open store, sealed to the
//! paired office computer's key or with a passphrase, and a restore of one
//! onto a store that holds no case. The work is `tsunagi_core::backup`'s,
//! on the worker thread; the store refuses anyone but an administrator, in
//! words shown here. Passphrases leave the screen's fields once used.

use std::path::PathBuf;
use std::sync::Arc;

use slint::{ComponentHandle, SharedString};
use tsunagi_core::backup::{
    BackupFile, RestoreSummary, SealTo, Unseal, restore_backup, write_backup,
};
use tsunagi_core::store::sync::PeerKind;
use tsunagi_core::store::{Store, StoreError};

use super::i18n::tr;
use super::session::Session;
use super::ui::{AppWindow, BackupAdapter};

/// The name the backups are written under, by default beside the data
/// folder.
fn default_out(session: &Session) -> PathBuf {
    let date = time::OffsetDateTime::now_utc().date();
    let name = format!("tsunagi-backup-{date}.age");
    session
        .dir()
        .parent()
        .map_or_else(|| session.dir().join(&name), |p| p.join(&name))
}

/// How the screen asks the backup to be sealed.
enum Seal {
    /// To the paired office computer's key.
    Office,
    /// With this passphrase.
    Passphrase(SealTo),
}

pub(super) fn wire(window: &AppWindow, session: &Arc<Session>) {
    let adapter = window.global::<BackupAdapter<'_>>();
    adapter.set_out_path(default_out(session).display().to_string().into());

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_make_backup(move || {
        let Some(window) = weak.upgrade() else { return };
        make_backup(&s, &window);
    });
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_restore(move || {
        let Some(window) = weak.upgrade() else { return };
        restore(&s, &window);
    });
}

/// Shows `text` as what happened (`failed`: as an error).
fn say(window: &AppWindow, text: &str, failed: bool) {
    let adapter = window.global::<BackupAdapter<'_>>();
    adapter.set_status(text.into());
    adapter.set_failed(failed);
}

fn make_backup(session: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<BackupAdapter<'_>>();
    let out = PathBuf::from(adapter.get_out_path().trim());
    if out.as_os_str().is_empty() {
        say(window, tr("保存先のファイルを入力してください。"), true);
        return;
    }
    let seal = if adapter.get_seal() == 0 {
        Seal::Office
    } else {
        let (first, again) = (adapter.get_passphrase(), adapter.get_passphrase_again());
        if first != again {
            say(window, tr("確認のパスフレーズが一致しません。"), true);
            return;
        }
        match SealTo::passphrase(first.to_string()) {
            Ok(to) => Seal::Passphrase(to),
            Err(e) => {
                say(window, &e.to_string(), true);
                return;
            }
        }
    };
    adapter.set_busy(true);
    say(window, tr("バックアップを作っています…"), false);
    session.run(
        window,
        move |session| {
            session.with_store(|store| -> Result<Result<usize, String>, StoreError> {
                let to = match seal {
                    Seal::Passphrase(to) => to,
                    Seal::Office => match office_key(store)? {
                        Some(to) => to,
                        None => return Ok(Err(tr("この端末は事務所のコンピューターとペアリングされていません。パスフレーズで封をしてください。").to_owned())),
                    },
                };
                Ok(write_backup(store, &to, "tsunagi", &out)
                    .map(|summary| summary.cases)
                    .map_err(|e| e.to_string()))
            })
        },
        move |_, window, made| {
            let adapter = window.global::<BackupAdapter<'_>>();
            adapter.set_busy(false);
            match made {
                Some(Ok(Ok(cases))) => {
                    adapter.set_passphrase(SharedString::new());
                    adapter.set_passphrase_again(SharedString::new());
                    let path = adapter.get_out_path();
                    say(
                        window,
                        &tr("{}件のケースを、個人情報と写真・動画を除いてバックアップしました：{}")
                            .replacen("{}", &cases.to_string(), 1)
                            .replacen("{}", &path, 1),
                        false,
                    );
                }
                Some(Ok(Err(text))) => say(window, &text, true),
                Some(Err(e)) => say(window, &e.to_string(), true),
                None => say(window, tr("保管庫が閉じています。ログインし直してください。"), true),
            }
        },
    );
}

/// The paired office computer's key, if this device is paired.
fn office_key(store: &Store) -> Result<Option<SealTo>, StoreError> {
    Ok(store
        .peers()?
        .into_iter()
        .find(|p| p.kind == PeerKind::Companion)
        .map(|p| SealTo::Key(p.recipient)))
}

fn restore(session: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<BackupAdapter<'_>>();
    let path = PathBuf::from(adapter.get_restore_path().trim());
    let passphrase = adapter.get_restore_passphrase().to_string();
    adapter.set_restore_passphrase(SharedString::new());
    adapter.set_busy(true);
    say(window, tr("バックアップから戻しています…"), false);
    session.run(
        window,
        move |session| {
            session.with_store(
                |store| -> Result<Result<RestoreSummary, String>, StoreError> {
                    Ok(restore_from(store, &path, passphrase))
                },
            )
        },
        move |_, window, restored| {
            window.global::<BackupAdapter<'_>>().set_busy(false);
            match restored {
                Some(Ok(Ok(summary))) => say(
                    window,
                    &tr("{}件のケースを戻しました。個人情報の項目（{}件）に「要再入力」と出ています。本人と確かめて入力してください。")
                        .replacen("{}", &summary.cases.to_string(), 1)
                        .replacen("{}", &summary.fields_to_reenter.to_string(), 1),
                    false,
                ),
                Some(Ok(Err(text))) => say(window, &text, true),
                Some(Err(e)) => say(window, &e.to_string(), true),
                None => say(window, tr("保管庫が閉じています。ログインし直してください。"), true),
            }
        },
    );
}

/// Restores the backup at `path`, sealed with `passphrase`, onto `store`;
/// what went wrong in words, nothing changed.
fn restore_from(
    store: &mut Store,
    path: &PathBuf,
    passphrase: String,
) -> Result<RestoreSummary, String> {
    let file = std::fs::File::open(path).map_err(|_| {
        tr("戻すバックアップのファイルを開けません。場所と名前を確かめてください。").to_owned()
    })?;
    let sealed = BackupFile::open(file).map_err(|e| e.to_string())?;
    let reader = match sealed.unseal(&Unseal::passphrase(passphrase)) {
        Ok(reader) => reader,
        Err(tsunagi_core::backup::BackupError::SealedToKey) => {
            return Err(tr("このバックアップは事務所のコンピューターの鍵で封をされています。事務所でパスフレーズの封に掛け直してから戻してください。").to_owned());
        }
        Err(e) => return Err(e.to_string()),
    };
    restore_backup(store, reader).map_err(|e| e.to_string())
}
