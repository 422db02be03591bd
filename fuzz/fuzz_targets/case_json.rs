//! A case as a send-data file or a bundle part carries it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::model::Case;

fuzz_target!(|data: &[u8]| {
    if let Ok(case) = serde_json::from_slice::<Case>(data) {
        let _ = case.validate();
    }
});
