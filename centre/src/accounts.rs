//! Accounts at the centre (アカウント) and their passwords: who may log in
//! to read the figures and to use the stakeholder board.
//!
//! **Roles.** Two belong to the centre and two to an agency:
//!
//! | role | stored as | belongs to | manages |
//! |---|---|---|---|
//! | [`Role::Admin`] 管理者 (the centre's administrator) | `admin` | the centre | agencies and their administrators |
//! | [`Role::Researcher`] 研究者 | `researcher` | the centre | — |
//! | [`Role::AgencyAdmin`] 機関管理者 (an agency's administrator) | `agency_admin` | one agency | that agency's staff |
//! | [`Role::Agency`] 機関職員 (an agency's staff) | `agency` | one agency | — |
//!
//! An agency's staff account keeps the variant and the stored name it had
//! before agencies had administrators (`Role::Agency`, `agency`), so that
//! every account made then is a staff account now, unchanged. An account
//! of either agency role names its agency as registered at the centre.
//!
//! Every role reads the same figures: they are aggregates over every
//! agency with small cells hidden (秘匿), made to be shown to the agencies
//! that sent the data, so there is nothing in them to keep from one. On
//! the board both agency roles stand as their agency
//! ([`crate::board::model::Standing`]); who may manage whose account is
//! [`Role::manages`].
//!
//! **Passwords** are at least [`MIN_PASSWORD_CHARS`] characters and are kept
//! only as an Argon2id hash in the PHC string format
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a random salt each. A
//! login with a name that has no account is checked against a dummy hash
//! made with the same costs, so that the answer takes as long either way
//! and does not tell which names exist.
//!
//! A login name and a display name may name a person: neither reaches
//! `Debug` output, an error message or the log.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The most characters a login name may have.
pub const MAX_LOGIN_CHARS: usize = 64;

/// The most characters a display name may have.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// The most characters an agency's name may have.
pub const MAX_AGENCY_NAME_CHARS: usize = 100;

/// Why an account could not be made as asked. The messages are shown to
/// the operator as they are, Japanese first.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The password is shorter than [`MIN_PASSWORD_CHARS`].
    #[error("パスワードは12文字以上にしてください。 The password must be at least 12 characters.")]
    PasswordTooShort,
    /// The login name is empty, too long, or holds a space or a control
    /// character.
    #[error(
        "ログイン名は1〜64文字で、空白や制御文字は使えません。 A login name is 1 to 64 characters, with no spaces or control characters."
    )]
    BadLoginName,
    /// The role is not one of `researcher`, `agency`, `agency_admin`,
    /// `admin`.
    #[error("the role is researcher, agency, agency_admin or admin")]
    UnknownRole,
    /// An agency's account was asked for without the agency's name.
    #[error("an agency's account needs the agency's name as registered (--agency NAME)")]
    AgencyMissing,
    /// An agency's name was given for a role that belongs to no agency.
    #[error("only an agency's account belongs to an agency: leave out --agency")]
    AgencyNotForRole,
    /// The display name is too long or holds a control character.
    #[error(
        "表示名は100文字以内で、制御文字は使えません。 A display name is at most 100 characters, with no control characters."
    )]
    BadDisplayName,
    /// The agency's name is empty, too long, or holds a control character.
    #[error(
        "機関名は1〜100文字で、制御文字は使えません。 An agency's name is 1 to 100 characters, with no control characters."
    )]
    BadAgencyName,
}

/// A login name (ログイン名): 1 to [`MAX_LOGIN_CHARS`] characters, no
/// whitespace, no control characters; compared exactly.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginName(String);

impl LoginName {
    /// The name `text` with surrounding whitespace taken off, if it is a
    /// valid login name.
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let name = text.trim();
        let chars = name.chars().count();
        if chars == 0
            || chars > MAX_LOGIN_CHARS
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(AccountError::BadLoginName);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for LoginName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginName(‹redacted›)")
    }
}

/// What an account may do, and for whom it speaks (see the module's docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// 研究者: reads every figure.
    Researcher,
    /// 機関職員: a staff account of the registered agency with this name;
    /// reads the figures (aggregates, small cells hidden). Stored as
    /// `agency`, the name it had when it was the only agency role.
    Agency(String),
    /// 機関管理者: an administrator of the registered agency with this
    /// name: reads what its staff read, and adds, disables and enables its
    /// staff accounts.
    AgencyAdmin(String),
    /// 管理者: the centre's administrator: reads every figure, registers
    /// agencies and their administrators; will moderate the board.
    Admin,
}

impl Role {
    /// From the command line's or the database's parts: `researcher`,
    /// `agency` or `agency_admin` (with the agency's name), or `admin`.
    pub fn from_parts(role: &str, agency: Option<&str>) -> Result<Self, AccountError> {
        let agency = agency.map(str::trim).filter(|a| !a.is_empty());
        match (role, agency) {
            ("agency", Some(name)) => Ok(Self::Agency(name.to_owned())),
            ("agency_admin", Some(name)) => Ok(Self::AgencyAdmin(name.to_owned())),
            ("agency" | "agency_admin", None) => Err(AccountError::AgencyMissing),
            ("researcher" | "admin", Some(_)) => Err(AccountError::AgencyNotForRole),
            ("researcher", None) => Ok(Self::Researcher),
            ("admin", None) => Ok(Self::Admin),
            _ => Err(AccountError::UnknownRole),
        }
    }

    /// The role's name as stored: `researcher`, `agency`, `agency_admin`
    /// or `admin`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Researcher => "researcher",
            Self::Agency(_) => "agency",
            Self::AgencyAdmin(_) => "agency_admin",
            Self::Admin => "admin",
        }
    }

    /// The agency an account of either agency role belongs to.
    pub fn agency(&self) -> Option<&str> {
        match self {
            Self::Agency(name) | Self::AgencyAdmin(name) => Some(name),
            Self::Researcher | Self::Admin => None,
        }
    }

    /// The role's name on the pages, in Japanese and in English, without
    /// the agency.
    pub fn label(&self) -> (&'static str, &'static str) {
        match self {
            Self::Researcher => ("研究者", "Researcher"),
            Self::Agency(_) => ("機関職員", "Agency staff"),
            Self::AgencyAdmin(_) => ("機関管理者", "Agency administrator"),
            Self::Admin => ("管理者", "Centre administrator"),
        }
    }

    /// Whether the role reads the figures pages and CSV files: every role
    /// does (see the module's docs).
    pub fn sees_figures(&self) -> bool {
        match self {
            Self::Researcher | Self::Admin | Self::Agency(_) | Self::AgencyAdmin(_) => true,
        }
    }

    /// Whether the role manages any account: the centre's administrator
    /// and an agency's.
    pub fn manages_accounts(&self) -> bool {
        matches!(self, Self::Admin | Self::AgencyAdmin(_))
    }

    /// Whether an account with this role may add, disable and enable an
    /// account with the role `other`: the centre's administrator manages
    /// every agency's administrators; an agency's administrator manages
    /// the staff of their own agency and no one else (not another
    /// administrator, not another agency, not the centre). No role manages
    /// the centre's accounts: the command line does.
    pub fn manages(&self, other: &Role) -> bool {
        match (self, other) {
            (Self::Admin, Self::AgencyAdmin(_)) => true,
            (Self::AgencyAdmin(mine), Self::Agency(theirs)) => mine == theirs,
            _ => false,
        }
    }
}

/// A display name (表示名) as given: surrounding whitespace taken off; the
/// login name when it is empty; at most [`MAX_DISPLAY_NAME_CHARS`]
/// characters and no control character.
pub fn display_name(text: &str, login: &LoginName) -> Result<String, AccountError> {
    let name = text.trim();
    if name.is_empty() {
        return Ok(login.as_str().to_owned());
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AccountError::BadDisplayName);
    }
    Ok(name.to_owned())
}

/// An agency's name as given to register it: surrounding whitespace taken
/// off, 1 to [`MAX_AGENCY_NAME_CHARS`] characters, no control character.
pub fn agency_name(text: &str) -> Result<String, AccountError> {
    let name = text.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_AGENCY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AccountError::BadAgencyName);
    }
    Ok(name.to_owned())
}

/// An account as stored, without its password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The name it logs in with.
    pub login: LoginName,
    /// The name shown on the pages (表示名).
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// A disabled account cannot log in, and its sessions end at once.
    pub disabled: bool,
    /// When it was made.
    pub created_at: tsunagi_core::rfc3339::Timestamp,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("role", &self.role.as_str())
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// Checks that `password` may be set as an account's password: at least
/// [`MIN_PASSWORD_CHARS`] characters (not bytes).
pub fn check_new_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    Ok(())
}

/// Hashes and verifies passwords with Argon2id at given costs.
///
/// The costs of a stored hash are read from its PHC string, so a hash made
/// at other costs still verifies. [`PasswordHasher::standard`] is what the
/// service and the command line use; tests pass lower costs to
/// [`PasswordHasher::new`].
pub struct PasswordHasher {
    params: Params,
    /// A hash of no one's password at the same costs, for names with no
    /// account; made on first need, or by [`PasswordHasher::warm`].
    dummy: OnceLock<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("m_cost", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .field("p_cost", &self.params.p_cost())
            .finish()
    }
}

impl PasswordHasher {
    /// Argon2id with `params`.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            dummy: OnceLock::new(),
        }
    }

    /// Argon2id at the argon2 crate's default costs, those OWASP gives as
    /// the minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane.
    /// About 30 ms a check on one core of a small server.
    pub fn standard() -> Self {
        Self::new(Params::default())
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of `password` under a new random salt. Slow: call it
    /// off the async workers.
    pub fn hash(&self, password: &str) -> String {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("Argon2id hashes any password with a generated salt")
            .to_string()
    }

    /// Makes the dummy hash now, so that the first login with an unknown
    /// name takes no longer than any other.
    pub fn warm(&self) {
        self.dummy();
    }

    fn dummy(&self) -> &str {
        self.dummy
            .get_or_init(|| self.hash("no account has this password"))
    }

    /// Whether `password` matches `stored` (a PHC string); with no stored
    /// hash (no such account), checks the dummy hash and says no, after
    /// the same work. A stored hash that does not parse says no. Slow:
    /// call it off the async workers.
    pub fn verify(&self, stored: Option<&str>, password: &str) -> bool {
        let phc = stored.unwrap_or_else(|| self.dummy());
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let matches = self
            .argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && stored.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHasher {
        PasswordHasher::new(Params::new(8, 1, 1, None).expect("valid costs"))
    }

    #[test]
    fn a_password_is_kept_as_an_argon2id_phc_string_that_verifies() {
        let hasher = cheap();
        let phc = hasher.hash("correct horse battery staple");
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(hasher.verify(Some(&phc), "correct horse battery staple"));
        assert!(!hasher.verify(Some(&phc), "correct horse battery stapler"));
        assert_ne!(phc, hasher.hash("correct horse battery staple"), "salted");
    }

    #[test]
    fn no_password_opens_an_account_that_does_not_exist() {
        let hasher = cheap();
        assert!(!hasher.verify(None, "no account has this password"));
        assert!(!hasher.verify(Some("not a phc string"), "anything"));
    }

    #[test]
    fn a_password_under_twelve_characters_is_refused_in_words() {
        let e = check_new_password("elevenchars").expect_err("11 characters");
        assert!(e.to_string().contains("12文字以上"), "{e}");
        assert!(e.to_string().contains("at least 12 characters"), "{e}");
        check_new_password("twelve chars").expect("12 characters");
        // Characters, not bytes: twelve Japanese characters are enough.
        check_new_password("ながいながいパスワードです").expect("13 characters");
    }

    #[test]
    fn roles_need_an_agency_exactly_when_they_are_an_agency() {
        assert_eq!(
            Role::from_parts("agency", Some(" 架空市 ")).expect("agency"),
            Role::Agency("架空市".into())
        );
        assert_eq!(
            Role::from_parts("agency_admin", Some("架空市")).expect("agency admin"),
            Role::AgencyAdmin("架空市".into())
        );
        assert!(matches!(
            Role::from_parts("agency", None),
            Err(AccountError::AgencyMissing)
        ));
        assert!(matches!(
            Role::from_parts("agency_admin", None),
            Err(AccountError::AgencyMissing)
        ));
        assert!(matches!(
            Role::from_parts("admin", Some("架空市")),
            Err(AccountError::AgencyNotForRole)
        ));
        assert!(matches!(
            Role::from_parts("owner", None),
            Err(AccountError::UnknownRole)
        ));
    }

    #[test]
    fn a_role_reads_back_from_what_is_stored() {
        for role in [
            Role::Researcher,
            Role::Admin,
            Role::Agency("架空市".into()),
            Role::AgencyAdmin("架空市".into()),
        ] {
            assert_eq!(
                Role::from_parts(role.as_str(), role.agency()).expect("reads back"),
                role
            );
        }
    }

    #[test]
    fn an_agency_administrator_manages_only_the_staff_of_their_own_agency() {
        let north_admin = Role::AgencyAdmin("north".into());
        assert!(north_admin.manages(&Role::Agency("north".into())));
        assert!(!north_admin.manages(&Role::Agency("south".into())));
        assert!(!north_admin.manages(&Role::AgencyAdmin("north".into())));
        assert!(!north_admin.manages(&Role::Admin));
        assert!(!north_admin.manages(&Role::Researcher));
        assert!(Role::Admin.manages(&Role::AgencyAdmin("south".into())));
        assert!(!Role::Admin.manages(&Role::Admin));
        assert!(!Role::Admin.manages(&Role::Researcher));
        for nobody in [Role::Researcher, Role::Agency("north".into())] {
            assert!(!nobody.manages_accounts());
            assert!(!nobody.manages(&Role::Agency("north".into())));
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let login = LoginName::parse("tanaka").expect("ok");
        assert_eq!(display_name("  ", &login).expect("ok"), "tanaka");
        assert_eq!(display_name(" 田中 ", &login).expect("ok"), "田中");
        assert!(display_name(&"名".repeat(101), &login).is_err());
        assert!(display_name("田中\u{7}", &login).is_err());
        assert_eq!(agency_name(" 架空市 ").expect("ok"), "架空市");
        assert!(agency_name(" ").is_err());
        assert!(agency_name(&"市".repeat(101)).is_err());
        assert!(agency_name("架空\n市").is_err());
    }

    #[test]
    fn login_names_are_trimmed_and_have_no_spaces() {
        assert_eq!(
            LoginName::parse("  tanaka ").expect("ok").as_str(),
            "tanaka"
        );
        assert!(LoginName::parse("ta naka").is_err());
        assert!(LoginName::parse("").is_err());
        assert!(LoginName::parse(&"a".repeat(65)).is_err());
        assert_eq!(
            format!("{:?}", LoginName::parse("tanaka").expect("ok")),
            "LoginName(‹redacted›)"
        );
    }
}
