//! Tsunagi's shared core: everything the tablet app and the desktop companion
//! share, and nothing that draws a pixel or opens a socket.
//!
//! - [`backup`]: backups without personal data, sealed with `age`, and restoring them;
//! - [`consent`]: the one rule that decides every use of a case beyond the worker's own support;
//! - [`login`]: opening the store from a command line;
//! - [`media`]: photos and video: the encrypted file format and photo sanitizing;
//! - [`model`]: the case model (支援ケース) with its five sections;
//! - [`pii`]: the mark for identifying fields and de-identification;
//! - [`store`]: the encrypted store, accounts, keyslots and the audit log;
//! - [`revision`]: field-level change lists kept for every save;
//! - [`reference`]: the disease and occupation reference (共有データベース);
//! - [`research`]: de-identified progress records and batches for the research centre;
//! - [`seal`]: sealed bundles (送付用データ): `age` encryption, signed manifests;
//! - [`similar`]: similar cases (似た事例) within the agency, coded and consented;
//! - [`link`]: the link protocol to the companion as a state machine without I/O.

#[cfg(feature = "cli")]
pub mod admin;
pub mod backup;
pub mod carry;
pub mod consent;
pub mod link;
pub mod login;
pub mod media;
pub mod model;
pub mod pii;
pub mod reference;
pub mod research;
pub mod revision;
pub mod rfc3339;
pub mod seal;
pub mod similar;
pub mod store;
