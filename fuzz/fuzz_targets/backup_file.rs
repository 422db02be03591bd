//! A backup whose plaintext is hostile: the input is sealed to the
//! restoring side's key, so the fuzzer reaches the backup's lines behind
//! the age layer (first line, case lines, their history, the last line),
//! and every change of a history goes through the history's
//! de-identification.
#![no_main]

use std::io::{Cursor, Write};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tsunagi_core::backup::{BackupFile, Unseal, deidentified_revision};

static IDENTITY: LazyLock<age::x25519::Identity> = LazyLock::new(age::x25519::Identity::generate);

fuzz_target!(|data: &[u8]| {
    let recipient = IDENTITY.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("one recipient");
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).expect("in memory");
    writer.write_all(data).expect("in memory");
    writer.finish().expect("in memory");

    let Ok(file) = BackupFile::open(Cursor::new(sealed)) else {
        return;
    };
    let Ok(mut reader) = file.unseal(&Unseal::Identities(vec![IDENTITY.clone()])) else {
        return;
    };
    while let Ok(Some(entry)) = reader.next_case() {
        for revision in &entry.history {
            let _ = deidentified_revision(revision);
        }
    }
});
