//! Link frames as a peer on the LAN sends them, in pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsunagi_core::link::wire::FrameDecoder;

fuzz_target!(|data: &[u8]| {
    let mut decoder = FrameDecoder::default();
    // Fed in two pieces, split where the first byte says.
    let cut = data
        .first()
        .map_or(0, |&b| usize::from(b) % (data.len() + 1));
    for piece in [&data[..cut], &data[cut..]] {
        decoder.push(piece);
        while let Ok(Some(_)) = decoder.next_frame() {}
    }
});
