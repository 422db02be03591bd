//! A sealed bundle whose plaintext is hostile: the input is encrypted to
//! the receiving device's key, so the fuzzer reaches the bundle format
//! behind the age layer (magic, format, manifest, its signature, parts).
#![no_main]

use std::io::{Cursor, Write};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tsunagi_core::seal::{BundleReader, DeviceKeys};

static KEYS: LazyLock<DeviceKeys> = LazyLock::new(DeviceKeys::generate);

fuzz_target!(|data: &[u8]| {
    let recipient = KEYS.age_identity().to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("one recipient");
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).expect("in memory");
    writer.write_all(data).expect("in memory");
    writer.finish().expect("in memory");

    let Ok(mut reader) = BundleReader::open(Cursor::new(sealed), &KEYS, &|_| true) else {
        return;
    };
    let mut sink = std::io::sink();
    while let Ok(Some(_)) = reader.next_part(&mut sink) {}
    let _ = reader.finish();
});
