//! The passphrase of a client's own record: made by Tsunagi, never
//! chosen, and written on paper for the client.
//!
//! Five groups of four characters from an alphabet without the
//! characters people confuse on paper (no 0/O, no 1/I): 32 symbols, so
//! 5 bits each, 100 bits in all, drawn from the operating system's
//! random source. `age`'s scrypt makes each guess cost about a second on
//! top. Typed back, case, spaces and hyphens do not matter.

use rand::Rng as _;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

/// The characters a passphrase is made of.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// How many groups.
pub const GROUPS: usize = 5;
/// How many characters in a group.
pub const GROUP_LEN: usize = 4;
/// The bits of chance in a passphrase.
pub const ENTROPY_BITS: usize = GROUPS * GROUP_LEN * 5;

/// A client's own record's passphrase, as printed (`ABCD-EFGH-…`).
/// Its `Debug` says `‹redacted›`; the memory is cleared on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct CarryPassphrase(Zeroizing<String>);

impl std::fmt::Debug for CarryPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CarryPassphrase(‹redacted›)")
    }
}

impl CarryPassphrase {
    /// A new random passphrase.
    pub fn generate() -> Self {
        let mut rng = OsRng;
        let mut text = String::with_capacity(GROUPS * (GROUP_LEN + 1));
        for group in 0..GROUPS {
            if group > 0 {
                text.push('-');
            }
            for _ in 0..GROUP_LEN {
                text.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
            }
        }
        Self(Zeroizing::new(text))
    }

    /// The passphrase itself, to print for the client or to unseal with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A passphrase as the client typed it: when it reads as one Tsunagi
/// made (ignoring case, spaces and hyphens), in the printed form;
/// otherwise as typed, without surrounding spaces.
pub(super) fn typed(text: &str) -> Zeroizing<String> {
    let letters: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    let ours =
        letters.len() == GROUPS * GROUP_LEN && letters.bytes().all(|b| ALPHABET.contains(&b));
    if !ours {
        return Zeroizing::new(text.trim().to_owned());
    }
    let mut printed = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    for (i, c) in letters.chars().enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            printed.push('-');
        }
        printed.push(c);
    }
    Zeroizing::new(printed)
}
