//! Which problem to show for a store error. The words themselves are in
//! `ui/common/messages.slint` (through `@tr`, Japanese first); this module
//! only decides which of them applies.

use tsunagi_core::store::{KeyError, KeychainError, MIN_PASSWORD_CHARS, StoreError};

use super::ui::Problem;

/// A problem for a screen: the kind, and the detail some kinds show (the
/// minimum password length, or the error's own words for [`Problem::Other`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Which message.
    pub problem: Problem,
    /// What fills the message's blank, if it has one.
    pub detail: String,
}

impl Report {
    /// No problem: clears the message.
    pub fn none() -> Self {
        Self::of(Problem::None)
    }

    /// A problem with no detail.
    pub fn of(problem: Problem) -> Self {
        Self {
            problem,
            detail: String::new(),
        }
    }

    /// The password is shorter than the store accepts.
    pub fn password_too_short() -> Self {
        Self {
            problem: Problem::PasswordTooShort,
            detail: MIN_PASSWORD_CHARS.to_string(),
        }
    }
}

impl From<&StoreError> for Report {
    fn from(error: &StoreError) -> Self {
        let problem = match error {
            StoreError::WrongPassword
            | StoreError::Keys(KeyError::WrongSecret | KeyError::NoSlot) => Problem::WrongPassword,
            StoreError::PasswordTooShort => return Self::password_too_short(),
            StoreError::BadAccountName => Problem::BadAccountName,
            StoreError::DeviceSecretMissing(_) => Problem::DeviceKeyMissing,
            StoreError::Keychain(KeychainError::Unavailable(_) | KeychainError::Io(_)) => {
                Problem::Keychain
            }
            StoreError::Keychain(KeychainError::Malformed) => Problem::DeviceKeyMissing,
            StoreError::Damaged | StoreError::Keys(KeyError::Malformed) => Problem::Damaged,
            StoreError::TooNew(_) => Problem::TooNew,
            StoreError::DiskFull => Problem::DiskFull,
            StoreError::NotPermitted { .. } | StoreError::NotAssigned => Problem::NotPermitted,
            StoreError::NoStore(_) => Problem::NoStore,
            StoreError::AlreadyExists(_) => Problem::AlreadyExists,
            // The rest are rare and their English text is specific: show it.
            // Store errors never carry a client's personal data.
            _ => {
                return Self {
                    problem: Problem::Other,
                    detail: error.to_string(),
                };
            }
        };
        Self::of(problem)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn wrong_password_and_unknown_user_read_the_same() {
        assert_eq!(
            Report::from(&StoreError::WrongPassword).problem,
            Problem::WrongPassword
        );
        assert_eq!(
            Report::from(&StoreError::Keys(KeyError::NoSlot)).problem,
            Problem::WrongPassword
        );
    }

    #[test]
    fn short_password_names_the_minimum_length() {
        let report = Report::from(&StoreError::PasswordTooShort);
        assert_eq!(report.problem, Problem::PasswordTooShort);
        assert_eq!(report.detail, MIN_PASSWORD_CHARS.to_string());
    }

    #[test]
    fn common_failures_get_their_own_message() {
        let cases = [
            (
                StoreError::DeviceSecretMissing("system keychain".into()),
                Problem::DeviceKeyMissing,
            ),
            (StoreError::Damaged, Problem::Damaged),
            (StoreError::TooNew(99), Problem::TooNew),
            (StoreError::DiskFull, Problem::DiskFull),
            (
                StoreError::NotPermitted {
                    role: "閲覧のみ",
                    action: "change cases",
                },
                Problem::NotPermitted,
            ),
            (StoreError::NoStore(PathBuf::from("/x")), Problem::NoStore),
            (
                StoreError::AlreadyExists(PathBuf::from("/x")),
                Problem::AlreadyExists,
            ),
            (StoreError::BadAccountName, Problem::BadAccountName),
        ];
        for (error, expected) in cases {
            assert_eq!(Report::from(&error).problem, expected, "for {error}");
        }
    }

    #[test]
    fn rare_failures_show_their_own_words() {
        let report = Report::from(&StoreError::AuditTampered(7));
        assert_eq!(report.problem, Problem::Other);
        assert!(report.detail.contains("audit log"), "{}", report.detail);
    }
}
