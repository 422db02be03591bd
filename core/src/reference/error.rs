//! The one error type of the reference database.

use std::path::PathBuf;

use super::ReferenceVersion;

/// Why the reference database (共有データベース) could not be read, validated
/// or updated.
///
/// Messages are lowercase and written for a support worker: they name the
/// file and the offending id so that whoever prepared an update can fix it.
/// They never contain client data: the reference files hold none.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// A file could not be read (missing, no permission, not UTF-8 …).
    #[error("could not read the reference file {file}: {source}")]
    Read {
        /// The file, as shown to the user.
        file: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A file is far larger than any genuine reference file, so it is not
    /// read at all.
    #[error("{file} is {size} bytes, more than the {limit} bytes a reference file may have")]
    TooLarge {
        /// The file, as shown to the user.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// The largest size accepted.
        limit: u64,
    },

    /// A file is not JSON, or not JSON of the expected shape. `detail` gives
    /// the line and column.
    #[error("{file} is not a valid reference file: {detail}")]
    Malformed {
        /// The file, as shown to the user.
        file: String,
        /// What is wrong and where.
        detail: String,
    },

    /// The file was written for a newer (or unknown) file format.
    #[error(
        "{file} uses file format {found}, but this version of tsunagi reads format {supported}; update the app first"
    )]
    UnsupportedFormat {
        /// The file, as shown to the user.
        file: String,
        /// The `format` number found in the file.
        found: u64,
        /// The format this build reads.
        supported: u64,
    },

    /// `diseases.json` and `occupations.json` come from different releases.
    #[error(
        "diseases.json is version {diseases} but occupations.json is version {occupations}; both files must come from the same release"
    )]
    VersionMismatch {
        /// The version in `diseases.json`.
        diseases: ReferenceVersion,
        /// The version in `occupations.json`.
        occupations: ReferenceVersion,
    },

    /// A version string is not dotted numbers such as `2026.11.1`.
    #[error("\"{value}\" is not a reference version (expected dotted numbers such as 2026.11.1)")]
    InvalidVersion {
        /// The text that was given.
        value: String,
    },

    /// An id or code does not follow its spelling rule.
    #[error("\"{value}\" is not a valid {kind}: {rule}")]
    InvalidId {
        /// What kind of id it should have been ("disease id", "issue code" …).
        kind: &'static str,
        /// The text that was given.
        value: String,
        /// The spelling rule it breaks.
        rule: &'static str,
    },

    /// The same id appears twice where ids must be unique.
    #[error("{file}: the {kind} \"{id}\" appears more than once")]
    DuplicateId {
        /// The file, as shown to the user.
        file: String,
        /// What kind of id ("disease id", "issue code of disease x" …).
        kind: String,
        /// The repeated id.
        id: String,
    },

    /// A disease or occupation uses an issue code that the issue catalogue
    /// (職業的課題) does not define.
    #[error("{file}: {owner} uses the issue code \"{code}\", which is not in the issue catalogue")]
    UnknownIssueCode {
        /// The file, as shown to the user.
        file: String,
        /// Who uses it, e.g. `disease "ulcerative-colitis"`.
        owner: String,
        /// The unknown code.
        code: String,
    },

    /// An entry cites a source id that the source index does not list.
    #[error("{file}: {owner} cites the source \"{source_id}\", which is not in the source index")]
    UnknownSource {
        /// The file, as shown to the user.
        file: String,
        /// Who cites it.
        owner: String,
        /// The unknown source id.
        source_id: String,
    },

    /// An entry marked as taken from a source cites none.
    #[error("{file}: {owner} is marked as sourced but cites no source")]
    MissingSource {
        /// The file, as shown to the user.
        file: String,
        /// The entry without sources.
        owner: String,
    },

    /// The two files list the same source id with different contents.
    #[error(
        "the source \"{source_id}\" is listed differently in diseases.json and occupations.json"
    )]
    ConflictingSource {
        /// The source id listed twice.
        source_id: String,
    },

    /// A disease names a group (群) that the group list does not define.
    #[error(
        "{file}: the disease \"{disease}\" is in the group \"{group}\", which is not in the group list"
    )]
    UnknownGroup {
        /// The file, as shown to the user.
        file: String,
        /// The disease.
        disease: String,
        /// The unknown group.
        group: String,
    },

    /// An occupation names a category (職業分類) that the category list does
    /// not define.
    #[error(
        "{file}: the occupation \"{occupation}\" is in the category \"{category}\", which is not in the category list"
    )]
    UnknownCategory {
        /// The file, as shown to the user.
        file: String,
        /// The occupation.
        occupation: String,
        /// The unknown category.
        category: String,
    },

    /// An entry breaks a rule that is not about ids (an empty name, a
    /// missing designated number without saying it is unconfirmed …).
    #[error("{file}: {owner}: {problem}")]
    Invalid {
        /// The file, as shown to the user.
        file: String,
        /// The entry.
        owner: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// An update folder holds only one of the two files.
    #[error("the update folder {dir} is incomplete: {missing} is missing")]
    IncompleteUpdate {
        /// The update folder.
        dir: PathBuf,
        /// The file that is missing.
        missing: &'static str,
    },

    /// An update is not newer than the reference version already in use.
    /// When returned by [`ReferenceDb::update_warning`](super::ReferenceDb::update_warning)
    /// this is informational: it is normal after the app itself was updated.
    #[error(
        "the reference update is version {offered}, which is not newer than the version in use ({current})"
    )]
    NotNewer {
        /// The version of the update.
        offered: ReferenceVersion,
        /// The version in use.
        current: ReferenceVersion,
    },

    /// A release to install or use carries no signature file.
    #[error(
        "この更新版には発行元の署名がありません (the reference release is not signed: release.sig is missing)"
    )]
    Unsigned,

    /// A release's signature file is damaged or does not match its files.
    #[error(
        "この更新版の署名が正しくありません (the reference release's signature is not valid: {detail})"
    )]
    BadSignature {
        /// What is wrong, in words.
        detail: String,
    },

    /// A release is signed by a key that is not one of this build's
    /// publisher keys.
    #[error(
        "この更新版は信頼できる発行元の署名ではありません (the reference release is signed by an unknown key {key})"
    )]
    UnknownPublisher {
        /// The key that signed, in hex.
        key: String,
    },

    /// A signed release that cannot be genuine: numbered or dated in the
    /// future.
    #[error(
        "更新版 {version} は受け付けられません (the reference release {version} is implausible: {detail})"
    )]
    Implausible {
        /// The release's version.
        version: ReferenceVersion,
        /// Why, in words.
        detail: String,
    },

    /// Writing an update into the update folder failed; the previous
    /// reference data is unchanged.
    #[error("could not install the reference update into {dir}: {source}")]
    Install {
        /// The update folder.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A lookup named a disease that this version of the database does not
    /// have (for example one removed by an update).
    #[error("the disease \"{id}\" is not in the reference database")]
    UnknownDisease {
        /// The id asked for.
        id: String,
    },

    /// A lookup named an occupation that this version of the database does
    /// not have.
    #[error("the occupation \"{id}\" is not in the reference database")]
    UnknownOccupation {
        /// The id asked for.
        id: String,
    },
}
