//! Which problem to show for a store error. The words themselves are in
//! `ui/common/messages.slint` (through `@tr`, Japanese first); this module
//! only decides which of them applies.

use tsunagi_core::model::{MAX_LIST_ITEMS, MAX_PROGRAMME_MONTHS, MAX_TEXT_CHARS, ValidationError};
use tsunagi_core::store::{KeyError, KeychainError, MIN_PASSWORD_CHARS, StoreError};

use super::i18n::{tr, tr_fill};
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
            StoreError::Damaged
            | StoreError::Keys(KeyError::Malformed | KeyError::KdfOutOfBounds { .. }) => {
                Problem::Damaged
            }
            StoreError::Keys(KeyError::BelongsToAnotherStore) => {
                return Self {
                    problem: Problem::Other,
                    detail: tr("鍵ファイル（keyslots.json）が、このデータフォルダーのものではありません。このデータの鍵ファイルを戻すか、データフォルダー全体を一つのバックアップから戻してください。").to_owned(),
                };
            }
            StoreError::TooNew(_) => Problem::TooNew,
            StoreError::DiskFull => Problem::DiskFull,
            StoreError::NotPermitted { .. } | StoreError::NotAssigned => Problem::NotPermitted,
            StoreError::NoStore(_) => Problem::NoStore,
            StoreError::AlreadyExists(_) => Problem::AlreadyExists,
            StoreError::Inconsistent(why) => {
                return Self {
                    problem: Problem::Inconsistent,
                    detail: inconsistency(why),
                };
            }
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

/// Why a case cannot be saved as it is, in words of the chosen language.
pub fn inconsistency(error: &ValidationError) -> String {
    let max_text = MAX_TEXT_CHARS.to_string();
    let max_list = MAX_LIST_ITEMS.to_string();
    let (template, path) = match error {
        ValidationError::TextTooLong { field } => {
            return tr_fill(
                "「{}」が長すぎます（{}文字まで）。",
                &[&field_label(field), &max_text],
            );
        }
        ValidationError::ListTooLong { list } => {
            return tr_fill(
                "「{}」の項目が多すぎます（{}件まで）。",
                &[&field_label(list), &max_list],
            );
        }
        ValidationError::CaseTooLarge => {
            return tr("ケースの記録が大きすぎるため保存できません。長い文章を分けるか、古い記録を整理してください。").to_owned();
        }
        ValidationError::DatesReversed { field } => (
            "「{}」の日付の順序が逆です（終わりが始まりより前になっています）。",
            *field,
        ),
        ValidationError::DanglingReference { field, .. } => {
            ("「{}」が、このケースにない項目を指しています。", *field)
        }
        ValidationError::MissingId { list } | ValidationError::DuplicateId { list, .. } => {
            ("「{}」の項目の識別子が正しくありません。", *list)
        }
        ValidationError::ProgrammeTooLong => {
            return tr_fill(
                "自立支援プログラムの期間は、延長を含めて開始日から{}か月までです。終了予定日か延長後の終了日を見直してください。",
                &[&MAX_PROGRAMME_MONTHS.to_string()],
            );
        }
        ValidationError::ExtensionNotLater { field } => (
            "「{}」は、延長する前の終了日より後の日付にしてください。",
            *field,
        ),
    };
    tr_fill(template, &[&field_label(path)])
}

/// A field of the case, as its form calls it; its path when unknown.
fn field_label(path: &str) -> String {
    let label = match path {
        "basic.education[].from/to" => "学歴の期間",
        "basic.work_history[].from/to" => "職歴の期間",
        "basic.medical_certificates[].disease_id" => "診断書の疾患",
        "career_plan.direction.agreed_at_meeting" => "方向性を合意した会議",
        "job_match.employers[].tasks[].strength_ids" => "職務に生かす強み",
        "job_match.employers[].proposed/negotiated.duties" => "提案・交渉した職務",
        "case_management.support_plan.items[].issue_id" => "支援計画の課題",
        "monitoring.hire.employer_id" => "就職先の事業所",
        "monitoring.hire.hired_on/left_on" => "就職日と離職日",
        "consultations[].employer_id" => "相談経過の事業所",
        "consents[].given_on/withdrawn_on" => "同意日と撤回日",
        "programmes[].period.start/planned_end" => "プログラムの開始日と終了予定日",
        "programmes[].period.extensions[].new_end" => "延長後の終了日",
        "basic.name" => "氏名",
        "basic.kana" => "ふりがな",
        "basic.address" => "住所",
        "consultations" => "相談経過",
        "consultations[].content" => "相談経過の内容",
        _ => return path.to_owned(),
    };
    tr(label).to_owned()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn an_inconsistent_case_is_explained_with_the_forms_words() {
        let report = Report::from(&StoreError::Inconsistent(ValidationError::DatesReversed {
            field: "consents[].given_on/withdrawn_on",
        }));
        assert_eq!(report.problem, Problem::Inconsistent);
        assert_eq!(
            report.detail,
            "「同意日と撤回日」の日付の順序が逆です（終わりが始まりより前になっています）。"
        );
        let dangling = inconsistency(&ValidationError::DanglingReference {
            field: "consultations[].employer_id",
            id: "e-1".into(),
        });
        assert_eq!(
            dangling,
            "「相談経過の事業所」が、このケースにない項目を指しています。"
        );
        // A field without a label is named by its path.
        let unknown = inconsistency(&ValidationError::DatesReversed { field: "x.y" });
        assert!(unknown.contains("「x.y」"), "{unknown}");
    }

    #[test]
    fn a_field_past_its_limit_and_a_key_file_of_another_store_are_said_in_words() {
        let long = inconsistency(&ValidationError::TextTooLong {
            field: "basic.name".into(),
        });
        assert_eq!(long, "「氏名」が長すぎます（20000文字まで）。");
        let report = Report::from(&StoreError::Keys(KeyError::BelongsToAnotherStore));
        assert_eq!(report.problem, Problem::Other);
        assert!(
            report
                .detail
                .contains("このデータフォルダーのものではありません")
        );
        let costly = Report::from(&StoreError::Keys(KeyError::KdfOutOfBounds {
            memory_kib: u32::MAX,
            iterations: 1,
            parallelism: 1,
        }));
        assert_eq!(costly.problem, Problem::Damaged);
    }

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
