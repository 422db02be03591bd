//! The client's own record (本人携帯記録): 「対象者本人が携帯し、必要に応じて
//! 関係機関に提供できる」.
//!
//! At the table with the client, the worker and the client choose what the
//! client takes ([`CarryChoice`]): whole sections, diseases with the
//! vocational issues and accommodations that go with them, and photos and
//! videos the client has approved. [`write_carry_file`] records that
//! choice on the case as a consent of scope 本人携帯記録
//! ([`ConsentScope::ClientRecord`](crate::model::ConsentScope::ClientRecord))
//! whose note lists what was chosen, then writes a file sealed with `age`
//! and a passphrase Tsunagi makes ([`CarryPassphrase`], 100 bits, five
//! groups of four characters) for the client to keep on paper. The client
//! keeps the file on a phone or a USB stick.
//!
//! Another agency opens it with the passphrase ([`open_carry_file`]),
//! which checks every entry and shows what it holds ([`Preview`]) before
//! anything is stored; [`import_carry_file`] then makes a new case with
//! exactly that. Only what the client chose is in the file: the stage,
//! the consents, the programme enrolments, the disclosure choice, the
//! history, the photos not chosen and every section not chosen stay at
//! the agency.
//!
//! The format (`format`): a first line saying what the file is, then the
//! case and each photo or video as an entry with its length and SHA-256,
//! then a last line counting them, all inside one `age` file that any
//! `age` tool opens with the passphrase. It is written through a
//! temporary file and appears only whole.

mod choice;
mod error;
mod format;
mod import;
mod open;
mod passphrase;
mod write;

#[cfg(feature = "cli")]
pub mod cli;

pub use choice::{CARRIED_SECTIONS, CarryChoice, DiseasePick, parse_section, section_label};
pub use error::CarryError;
pub use format::{FORMAT, Header, MAGIC, MediaInfo};
pub use import::import_carry_file;
pub use open::{CarriedMedia, CarryFile, Preview, open_carry_file};
pub use passphrase::{ALPHABET, CarryPassphrase, ENTROPY_BITS};
pub use write::{RECIPIENT, write_carry_file};

#[cfg(test)]
mod tests;
