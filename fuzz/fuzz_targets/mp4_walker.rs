//! The MP4 box walker that reads a video's duration at import.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::media::video::mp4_duration_ms;

fuzz_target!(|data: &[u8]| {
    let _ = mp4_duration_ms(&mut std::io::Cursor::new(data));
});
