//! A sealed bundle's manifest, once decrypted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::seal::Manifest;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Manifest>(data);
});
