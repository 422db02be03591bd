//! A photo file as imported: decoded, turned upright, re-encoded clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::media::photo;

fuzz_target!(|data: &[u8]| {
    let _ = photo::sanitize(data, 256);
});
