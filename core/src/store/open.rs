//! Opening the store: set-up, unlock with a password or the recovery code,
//! a second handle, and the SQLCipher connection under them.
//!
//! Every handle takes its shared lock on `store.lock` before it reads the
//! keyslot file ([`super::rotation`]), so it never reads keyslots from
//! before a rotation and a database from after it.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, ErrorCode, OpenFlags, params};
use zeroize::Zeroizing;

use super::accounts::{AccountState, account_state};
use super::keys::{self, DbKey, KeyslotFile, Opened, WhichKey};
use super::rotation::{HandleLock, LOCK_FILE};
use super::{
    Account, AuditAction, DB_FILE, DeviceSecret, KdfParams, KeyError, Keychain, RecoveryCode, Role,
    SWEEP_GRACE, Store, StoreError, StoreOptions, audit, check_account_name, check_password, now,
    schema,
};

/// Is there a store in `dir`? True when its keyslot file or the backup of
/// it is there: a store whose `keyslots.json` was lost still unlocks from
/// the backup.
pub fn exists(dir: &Path) -> bool {
    dir.join(keys::KEYSLOTS_FILE).exists() || dir.join(keys::KEYSLOTS_BACKUP_FILE).exists()
}

/// SQLCipher sets its crypto provider up when the first keyed connection of
/// the process opens and tears it down when the last one closes; a
/// connection keyed on one thread while the last other one closes on
/// another can then fail ("An error occurred with PRAGMA key or rekey").
/// One keyed in-memory connection, kept for the life of the process, keeps
/// the provider set up.
fn keep_crypto_provider() {
    static KEPT: std::sync::OnceLock<Option<std::sync::Mutex<Connection>>> =
        std::sync::OnceLock::new();
    KEPT.get_or_init(|| {
        let conn = Connection::open_in_memory().ok()?;
        conn.execute_batch("PRAGMA key = 'tsunagi: keeps the crypto provider';")
            .ok()?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .ok()?;
        Some(std::sync::Mutex::new(conn))
    });
}

pub(super) fn open_db(
    path: &Path,
    key: Option<&DbKey>,
    create: bool,
) -> Result<Connection, StoreError> {
    keep_crypto_provider();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    } else if !path.exists() {
        return Err(StoreError::Damaged);
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // Keep SQLCipher's own diagnostics ("hmac check failed") off the terminal:
    // the error returned says it better.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    if let Some(key) = key {
        let set_key = Zeroizing::new(format!(
            "PRAGMA key = \"{}\";",
            key.sqlcipher_literal().as_str()
        ));
        conn.execute_batch(&set_key)?;
    }
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|_| StoreError::Damaged)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|_| StoreError::Damaged)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows (a media item's key above all) are overwritten, not left
    // in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    match schema::migrate(conn) {
        Ok(schema::Migration::Done { .. }) => Ok(()),
        Ok(schema::Migration::TooNew { found }) => Err(StoreError::TooNew(found)),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::DiskFull) => Err(StoreError::DiskFull),
        Err(_) => Err(StoreError::Damaged),
    }
}

/// The account `user` logs in as: [`StoreError::AccountDisabled`] when it is
/// disabled, `missing` when there is none.
fn login_account(
    conn: &Connection,
    user: &str,
    missing: impl FnOnce() -> StoreError,
) -> Result<Account, StoreError> {
    match account_state(conn, user)? {
        AccountState::Enabled(account) => Ok(account),
        AccountState::Disabled(_) => Err(StoreError::AccountDisabled),
        AccountState::Missing => Err(missing()),
    }
}

/// Opens the database with the first of the keys `opened` gives that opens
/// it (the current key, else the pending one of a rotation not finished).
fn open_with(
    dir: &Path,
    slots: &KeyslotFile,
    opened: &Opened,
) -> Result<(Connection, DbKey, WhichKey), StoreError> {
    for (key, which) in slots.keys(opened)? {
        match open_db(&dir.join(DB_FILE), Some(&key), false) {
            Ok(conn) => return Ok((conn, key, which)),
            Err(StoreError::Damaged) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Damaged)
}

/// What every way into an existing store reads first: this handle's lock
/// and the keyslots.
struct Opening {
    lock: HandleLock,
    slots: KeyslotFile,
}

impl Opening {
    fn read(dir: &Path) -> Result<Self, StoreError> {
        if !exists(dir) {
            return Err(StoreError::NoStore(dir.to_owned()));
        }
        let lock = HandleLock::shared(dir)?;
        let slots = KeyslotFile::read(dir)?.ok_or_else(|| StoreError::NoStore(dir.to_owned()))?;
        Ok(Self { lock, slots })
    }
}

/// The database opened with a key and brought to the current schema, with
/// the account that is logging in.
struct Entered {
    conn: Connection,
    key: DbKey,
    /// Which of the keyslots' keys opened it (a rotation may be halfway).
    which: WhichKey,
    account: Account,
    /// The Argon2 settings of the account's slot.
    kdf: KdfParams,
}

impl Entered {
    /// Opens the database in `dir` with the key `opened` unsealed and reads
    /// `user`'s account; `unknown` is the error when there is no such
    /// (enabled) account.
    fn new(
        dir: &Path,
        slots: &KeyslotFile,
        opened: &Opened,
        user: &str,
        unknown: impl Fn() -> StoreError,
    ) -> Result<Self, StoreError> {
        let (mut conn, key, which) = open_with(dir, slots, opened)?;
        migrate(&mut conn)?;
        let account = login_account(&conn, user, unknown)?;
        let kdf = slots
            .account_slot(user)
            .map(|s| s.kdf)
            .unwrap_or(KdfParams::DEFAULT);
        Ok(Self {
            conn,
            key,
            which,
            account,
            kdf,
        })
    }
}

impl Store {
    /// The handle on what was opened.
    fn assemble(
        dir: &Path,
        lock: HandleLock,
        keychain: Arc<dyn Keychain>,
        slots: KeyslotFile,
        entered: Entered,
    ) -> Store {
        Store {
            conn: entered.conn,
            dir: dir.to_owned(),
            lock,
            keychain,
            slots,
            key: entered.key,
            account: entered.account,
            kdf: entered.kdf,
            lists_audited: std::cell::Cell::new(None),
            case_index: Default::default(),
        }
    }

    /// Sets up a new store in `dir` with its first administrator, and returns
    /// it unlocked with the recovery code, which must be shown once and never
    /// kept. Nothing is left behind if set-up fails.
    pub fn create(
        dir: &Path,
        keychain: Arc<dyn Keychain>,
        admin: &str,
        password: &str,
        options: StoreOptions,
    ) -> Result<(Store, RecoveryCode), StoreError> {
        check_account_name(admin)?;
        check_password(password)?;
        if exists(dir) || dir.join(DB_FILE).exists() {
            return Err(StoreError::AlreadyExists(dir.to_owned()));
        }
        fs::create_dir_all(dir)?;
        let result = Self::create_inner(dir, keychain, admin, password, options);
        // Until `keyslots.json` is written there is no store: clear what a
        // failed set-up left.
        if result.is_err() && !dir.join(keys::KEYSLOTS_FILE).exists() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = fs::remove_file(dir.join(format!("{DB_FILE}{suffix}")));
            }
            let _ = fs::remove_file(dir.join(keys::KEYSLOTS_BACKUP_FILE));
            let _ = fs::remove_file(dir.join(keys::STORE_ID_FILE));
            let _ = fs::remove_file(dir.join(LOCK_FILE));
        }
        result
    }

    fn create_inner(
        dir: &Path,
        keychain: Arc<dyn Keychain>,
        admin: &str,
        password: &str,
        options: StoreOptions,
    ) -> Result<(Store, RecoveryCode), StoreError> {
        let lock = HandleLock::shared(dir)?;
        let mut slots = KeyslotFile::new(uuid::Uuid::new_v4().to_string());
        let key = DbKey::generate();
        let device = DeviceSecret::generate();
        let code = RecoveryCode::generate();
        slots.put(slots.new_account_slot(admin, password, &device, options.kdf)?);
        slots.put(slots.new_recovery_slot(&code, options.kdf)?);
        slots.seal(&key)?;

        let mut conn = open_db(&dir.join(DB_FILE), Some(&key), true)?;
        migrate(&mut conn)?;
        let at = now();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('store_id', ?1)",
            [&slots.store_id],
        )?;
        tx.execute(
            "INSERT INTO accounts (name, role, created_at) VALUES (?1, ?2, ?3)",
            params![admin, Role::Administrator.as_str(), at],
        )?;
        audit::append(&tx, &at, admin, AuditAction::StoreCreated, None, "")?;
        tx.commit()?;
        keychain.save(&slots.store_id, &device)?;
        keys::write_store_id(dir, &slots.store_id)?;
        // The keyslot file is written last: until it exists, there is no store.
        slots.write(dir)?;
        let entered = Entered {
            conn,
            key,
            which: WhichKey::Current,
            account: Account {
                name: admin.to_owned(),
                role: Role::Administrator,
            },
            kdf: options.kdf,
        };
        Ok((Store::assemble(dir, lock, keychain, slots, entered), code))
    }

    /// Unlocks the store in `dir` as `user`. A wrong user name and a wrong
    /// password give the same error; a right password of a disabled account
    /// gives [`StoreError::AccountDisabled`].
    ///
    /// Waits while another handle replaces the database key. Finishes a
    /// rotation a stopped process left (see `store::rotation`), and
    /// rewrites the account's slot in the current format if it was in that
    /// of an earlier version.
    pub fn unlock(
        dir: &Path,
        keychain: Arc<dyn Keychain>,
        user: &str,
        password: &str,
    ) -> Result<Store, StoreError> {
        let Opening { lock, slots } = Opening::read(dir)?;
        let device = keychain
            .load(&slots.store_id)?
            .ok_or_else(|| StoreError::DeviceSecretMissing(keychain.describe()))?;
        let opened = slots
            .open_account(user, password, &device)
            .map_err(|e| match e {
                KeyError::NoSlot | KeyError::WrongSecret => StoreError::WrongPassword,
                KeyError::Disabled => StoreError::AccountDisabled,
                other => StoreError::Keys(other),
            })?;
        let entered = Entered::new(dir, &slots, &opened, user, || StoreError::WrongPassword)?;
        audit::append(&entered.conn, &now(), user, AuditAction::Login, None, "")?;
        let which = entered.which;
        let mut store = Store::assemble(dir, lock, keychain, slots, entered);
        if matches!(opened, Opened::Legacy(_)) {
            // Before any rotation, which would drop a slot of format 1.
            let _ = store.upgrade_own_slot(password, &device);
        }
        store.finish_opening(which);
        Ok(store)
    }

    /// Rewrites the logged-in account's slot, still of format 1, in the
    /// current format: the password is at hand only now.
    fn upgrade_own_slot(
        &mut self,
        password: &str,
        device: &DeviceSecret,
    ) -> Result<(), StoreError> {
        let mut slots = self.slots_on_disk();
        slots.put(slots.new_account_slot(&self.account.name, password, device, self.kdf)?);
        slots.seal(&self.key)?;
        slots.write(&self.dir)?;
        self.slots = slots;
        Ok(())
    }

    /// A second handle on this store, logged in as the same account, with a
    /// connection of its own: for work on another thread (the companion's
    /// link server) while this handle stays with the window. While it is
    /// open, the database key cannot be replaced
    /// ([`StoreError::OtherHandlesOpen`]).
    pub fn open_another(&self) -> Result<Store, StoreError> {
        let lock = HandleLock::shared(&self.dir)?;
        let key = self.key.duplicate();
        let conn = open_db(&self.dir.join(DB_FILE), Some(&key), false)?;
        let entered = Entered {
            conn,
            key,
            which: WhichKey::Current,
            account: self.account.clone(),
            kdf: self.kdf,
        };
        let keychain = Arc::clone(&self.keychain);
        Ok(Store::assemble(
            &self.dir,
            lock,
            keychain,
            self.slots.clone(),
            entered,
        ))
    }

    /// Checks `password` against the logged-in account without opening
    /// anything (leaving the presentation shown to an employer). Takes as
    /// long as a login: the password goes through Argon2.
    pub fn confirm_password(&self, password: &str) -> Result<(), StoreError> {
        let device = self
            .keychain
            .load(&self.slots.store_id)?
            .ok_or_else(|| StoreError::DeviceSecretMissing(self.keychain.describe()))?;
        match self
            .slots
            .open_account(&self.account.name, password, &device)
        {
            Ok(_) => Ok(()),
            Err(KeyError::NoSlot | KeyError::WrongSecret) => Err(StoreError::WrongPassword),
            Err(KeyError::Disabled) => Err(StoreError::AccountDisabled),
            Err(other) => Err(StoreError::Keys(other)),
        }
    }

    /// Opens the store with the recovery code and sets a new password for
    /// `user`. If the keychain had lost the device secret, a new one is made;
    /// the other accounts' passwords then no longer open the store and an
    /// administrator must set them again. A recovery slot in the format of
    /// an earlier version is rewritten in the current one.
    pub fn recover(
        dir: &Path,
        keychain: Arc<dyn Keychain>,
        code: &RecoveryCode,
        user: &str,
        new_password: &str,
    ) -> Result<Store, StoreError> {
        check_password(new_password)?;
        let Opening { lock, mut slots } = Opening::read(dir)?;
        let opened = slots.open_recovery(code).map_err(|e| match e {
            KeyError::WrongSecret | KeyError::NoSlot => StoreError::WrongRecoveryCode,
            other => StoreError::Keys(other),
        })?;
        let entered = Entered::new(dir, &slots, &opened, user, || {
            StoreError::NoSuchAccount(user.to_owned())
        })?;
        if entered.which == WhichKey::Pending {
            slots.promote_pending();
        }
        if let (Opened::Legacy(_), Some(recovery)) = (&opened, slots.recovery_slot()) {
            let recovery_kdf = recovery.kdf;
            slots.put(slots.new_recovery_slot(code, recovery_kdf)?);
        }
        let device = match keychain.load(&slots.store_id)? {
            Some(device) => device,
            None => {
                let device = DeviceSecret::generate();
                keychain.save(&slots.store_id, &device)?;
                slots.slots.retain(|s| s.owner == keys::SlotOwner::Recovery);
                device
            }
        };
        slots.put(slots.new_account_slot(user, new_password, &device, entered.kdf)?);
        slots.seal(&entered.key)?;
        slots.write(dir)?;
        audit::append(
            &entered.conn,
            &now(),
            user,
            AuditAction::Recovered,
            None,
            "",
        )?;
        let mut store = Store::assemble(dir, lock, keychain, slots, entered);
        store.finish_opening(WhichKey::Current);
        Ok(store)
    }

    /// A store on a plain, unencrypted SQLite file, logged in as an
    /// administrator: only the baseline that benchmarks compare the real
    /// store against. Compiled only with the `plain-baseline` feature.
    #[cfg(feature = "plain-baseline")]
    #[doc(hidden)]
    pub fn create_plain_baseline(dir: &Path) -> Result<Store, StoreError> {
        fs::create_dir_all(dir)?;
        let store = Self::plain_baseline(dir, true)?;
        store.conn.execute(
            "INSERT INTO accounts (name, role, created_at) VALUES ('admin', 'administrator', ?1)",
            [now()],
        )?;
        Ok(store)
    }

    /// Opens again a store made by [`Store::create_plain_baseline`].
    #[cfg(feature = "plain-baseline")]
    #[doc(hidden)]
    pub fn open_plain_baseline(dir: &Path) -> Result<Store, StoreError> {
        Self::plain_baseline(dir, false)
    }

    #[cfg(feature = "plain-baseline")]
    fn plain_baseline(dir: &Path, create: bool) -> Result<Store, StoreError> {
        let lock = HandleLock::shared(dir)?;
        let mut conn = open_db(&dir.join(DB_FILE), None, create)?;
        migrate(&mut conn)?;
        let entered = Entered {
            conn,
            key: DbKey::generate(),
            which: WhichKey::Current,
            account: Account {
                name: "admin".into(),
                role: Role::Administrator,
            },
            kdf: KdfParams::DEFAULT,
        };
        let keychain: Arc<dyn Keychain> = Arc::new(super::MemoryKeychain::default());
        let slots = KeyslotFile::new("plain-baseline".into());
        Ok(Store::assemble(dir, lock, keychain, slots, entered))
    }

    /// Once the key has opened the database: finishes a rotation a stopped
    /// process left (`which` key opened it), puts back a missing or damaged
    /// keyslot file or backup, and `store.id`, from the keyslots just used
    /// ([`KeyslotFile::repair`]); removes media files left by an interrupted
    /// write. A failure here must not keep anyone out: the next open tries
    /// again.
    fn finish_opening(&mut self, which: WhichKey) {
        let _ = self.finish_rotation(which);
        let _ = self.slots.repair(&self.dir);
        let _ = self.sweep_media(SWEEP_GRACE);
    }
}
