//! The research centre's service (研究センター): intake of sealed progress
//! data from registered agencies, storage, and the research figures as web
//! pages and CSV with small cells suppressed.
//!
//! - [`identity`]: the centre's `age` key and TLS certificate;
//! - [`storage`]: the [`storage::Database`] trait and its SQLite store;
//! - [`figures`]: the tables, HTML and CSV;
//! - [`accounts`]: accounts, roles and password hashing;
//! - [`session`]: session tokens, cookies, expiry and CSRF tokens;
//! - [`throttle`]: the limit on failed logins per name;
//! - `pages`: the login form and the guard before the figures;
//! - `headers`: the security headers on every answer;
//! - [`server`]: the HTTPS routes;
//! - [`publish`]: the reference publisher's key and release signatures;
//! - [`cli`]: `init`, `agency …`, `account …`, `reference …`, `serve`.

pub mod accounts;
pub mod board;
pub mod cli;
pub mod figures;
mod headers;
pub mod identity;
mod pages;
pub mod publish;
pub mod server;
pub mod session;
pub mod storage;
pub mod throttle;

/// Now, RFC 3339 in UTC.
pub(crate) fn now() -> String {
    tsunagi_core::rfc3339::now()
}
