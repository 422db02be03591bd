//! A reference release's two files, split at the first zero byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::reference::ReferenceDb;

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (d, o) = (&data[..cut], data.get(cut + 1..).unwrap_or_default());
    if let (Ok(d), Ok(o)) = (std::str::from_utf8(d), std::str::from_utf8(o)) {
        let _ = ReferenceDb::from_texts(d, o);
    }
});
