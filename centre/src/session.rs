//! Sessions (ログイン中の状態): the session cookie, what the database keeps
//! of it, when it ends, and the CSRF tokens of the forms. No I/O here: the
//! pages module reads the cookies and the database.
//!
//! **The cookie.** A login sets [`SESSION_COOKIE`] to 32 random bytes
//! (base64url, no padding) with `Secure; HttpOnly; SameSite=Strict;
//! Path=/` and no `Max-Age`: the browser forgets it when it closes. The
//! `__Host-` prefix makes a browser refuse it unless it came over HTTPS
//! from this very host, with `Path=/` and no `Domain`, so no other site or
//! subdomain can set or replace it.
//!
//! **What is stored.** Only the SHA-256 of the token (hex), the account,
//! and the times it was made and last used (Unix seconds): whoever reads
//! the database cannot present a session.
//!
//! **When it ends.** After [`IDLE_LIMIT`] without a request, or
//! [`ABSOLUTE_LIMIT`] after the login whatever the use; at logout; and at
//! once when its account is disabled (the account is read with the
//! session on every request). Its last use is written at most once every
//! [`TOUCH_EVERY`] ([`SessionRecord::needs_touch`]), not on every request:
//! a write is a disk sync, and a page asks for a session many times a
//! minute. A session may so end up to that much before [`IDLE_LIMIT`].
//!
//! **CSRF.** Every form posted to the centre (except intake, which the
//! batch's signature proves) carries a token: for a logged-in account,
//! one derived from the session's token ([`csrf_token`]), so it is bound
//! to the session and known only to its holder; for the login form, where
//! there is no session yet, the same derivation from a random token in a
//! second cookie, [`LOGIN_COOKIE`] (double submit). Tokens are compared
//! in constant time ([`csrf_matches`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "__Host-tsunagi_session";

/// The login form's cookie (a pre-session CSRF token) and its name.
pub const LOGIN_COOKIE: &str = "__Host-tsunagi_login";

/// A session ends after this long without a request: 8 hours.
pub const IDLE_LIMIT: Duration = Duration::hours(8);

/// How often at most a session's last use is written.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session ends this long after the login, however much it is used: 7
/// days.
pub const ABSOLUTE_LIMIT: Duration = Duration::days(7);

/// What tells the time: the system clock in service, a clock a test moves
/// in tests.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A secret token: a session's, or a login form's. 32 random bytes, wiped
/// on drop; `Debug` shows none of it.
pub struct Token(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(‹redacted›)")
    }
}

impl Token {
    /// A new token from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// The token in a cookie's value, if it is one (43 base64url
    /// characters).
    pub fn from_cookie(value: &str) -> Option<Self> {
        let decoded = Zeroizing::new(URL_SAFE_NO_PAD.decode(value).ok()?);
        let bytes: [u8; 32] = decoded.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(bytes)))
    }

    /// The token as a cookie's value (base64url, no padding).
    pub fn to_cookie(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(self.0.as_ref()))
    }

    /// What the database keeps of a session's token: its SHA-256, in hex.
    pub fn stored_id(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_ref()))
    }
}

/// The CSRF token of the forms of whoever holds `token` (a session's, or
/// the login form's cookie): base64url of SHA-256 over a label and the
/// token. It is not the stored id (the label differs), so reading the
/// database does not give it.
pub fn csrf_token(token: &Token) -> String {
    let mut hash = Sha256::new();
    hash.update(b"tsunagi-centre csrf v1\0");
    hash.update(token.0.as_ref());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// Whether `submitted` (a form's `csrf` field) is the CSRF token of
/// `token`, compared in constant time.
pub fn csrf_matches(token: &Token, submitted: &str) -> bool {
    same_token(&csrf_token(token), submitted)
}

/// Whether `submitted` is `expected`, in time that does not depend on
/// where they differ (only on their lengths, which are public).
pub fn same_token(expected: &str, submitted: &str) -> bool {
    expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

/// A `Set-Cookie` value that sets `name` to `value` for this host only,
/// over HTTPS only, hidden from scripts, never sent with a request another
/// site starts.
pub fn set_cookie(name: &str, value: &str) -> String {
    format!("{name}={value}; Secure; HttpOnly; SameSite=Strict; Path=/")
}

/// A `Set-Cookie` value that deletes the cookie `name`.
pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The value of the cookie `name` in a request's `Cookie` headers (the
/// first one, if the browser sent it twice).
pub fn cookie<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A session as the database keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// [`Token::stored_id`] of its token.
    pub id: String,
    /// The account's login name.
    pub login: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it was last used (Unix seconds).
    pub last_seen_at: i64,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

impl SessionRecord {
    /// A new session for `login` with `token`, made `now`.
    pub fn new(token: &Token, login: &str, now: OffsetDateTime) -> Self {
        Self {
            id: token.stored_id(),
            login: login.to_owned(),
            created_at: now.unix_timestamp(),
            last_seen_at: now.unix_timestamp(),
        }
    }

    /// Whether its last use, noted at `last_seen_at`, should be noted again
    /// `now`: once [`TOUCH_EVERY`] has passed.
    pub fn needs_touch(&self, now: OffsetDateTime) -> bool {
        now.unix_timestamp() - self.last_seen_at >= TOUCH_EVERY.whole_seconds()
    }

    /// Whether it has ended by `now`: idle for [`IDLE_LIMIT`] or older than
    /// [`ABSOLUTE_LIMIT`].
    pub fn expired(&self, now: OffsetDateTime) -> bool {
        let now = now.unix_timestamp();
        now - self.last_seen_at >= IDLE_LIMIT.whole_seconds()
            || now - self.created_at >= ABSOLUTE_LIMIT.whole_seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_from_its_cookie_and_is_stored_only_as_a_hash() {
        let token = Token::generate();
        let value = token.to_cookie();
        assert_eq!(value.len(), 43);
        let back = Token::from_cookie(&value).expect("reads back");
        assert_eq!(back.stored_id(), token.stored_id());
        assert!(!token.stored_id().contains(value.as_str()));
        assert_ne!(csrf_token(&token), token.stored_id());
        assert!(Token::from_cookie("short").is_none());
        assert!(Token::from_cookie(&format!("{}AA", value.as_str())).is_none());
    }

    #[test]
    fn a_csrf_token_matches_only_its_own_session() {
        let token = Token::generate();
        assert!(csrf_matches(&token, &csrf_token(&token)));
        assert!(!csrf_matches(&token, &csrf_token(&Token::generate())));
        assert!(!csrf_matches(&token, ""));
    }

    #[test]
    fn a_session_ends_after_eight_idle_hours_or_seven_days() {
        let login = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a time");
        let session = SessionRecord::new(&Token::generate(), "tanaka", login);
        assert!(!session.expired(login + Duration::hours(8) - Duration::seconds(1)));
        assert!(session.expired(login + Duration::hours(8)));
        let mut busy = session.clone();
        busy.last_seen_at = (login + Duration::days(7) - Duration::minutes(1)).unix_timestamp();
        assert!(!busy.expired(login + Duration::days(7) - Duration::seconds(1)));
        assert!(busy.expired(login + Duration::days(7)));
    }

    #[test]
    fn a_sessions_use_is_noted_again_once_a_minute_has_passed() {
        let login = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a time");
        let session = SessionRecord::new(&Token::generate(), "tanaka", login);
        assert!(!session.needs_touch(login));
        assert!(!session.needs_touch(login + Duration::seconds(59)));
        assert!(session.needs_touch(login + Duration::minutes(1)));
    }

    #[test]
    fn the_named_cookie_is_found_among_others() {
        let headers = ["a=1; __Host-tsunagi_session=abc", "b=2"];
        assert_eq!(cookie(headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(headers, "b"), Some("2"));
        assert_eq!(cookie(headers, LOGIN_COOKIE), None);
    }
}
