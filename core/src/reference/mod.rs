//! The reference database (共有データベース): designated intractable diseases
//! (指定難病), the vocational issues they bring (職業的課題), the workplace
//! accommodations that answer them (配慮事項), and occupations described in
//! the same issue codes, so that a worker can see which issues matter for a
//! given job.
//!
//! The data are two versioned JSON files in `assets/reference/`
//! (`diseases.json`, `occupations.json`; their format is described in
//! `assets/reference/README.md`). A copy is compiled into the binary
//! ([`ReferenceDb::bundled`]); a newer release can be installed into an
//! update folder at run time ([`ReferenceDb::install_update`]) and is then
//! preferred by [`ReferenceDb::load`], so the database is updated without
//! rebuilding the app.
//!
//! Every loaded database has been validated: ids are unique, and every issue
//! code, group, category and source that an entry names exists. All of it is
//! general reference text; none of it is personal data.
//!
//! The data files are read straight into the types of this module (the file
//! format *is* the domain here); the only way to obtain a [`ReferenceDb`] is
//! through validation.

mod checklist;
mod diseases;
mod error;
mod files;
mod ids;
mod issues;
mod occupations;
pub mod release;
mod search;
mod sources;
mod text;
mod update;
mod version;

#[cfg(test)]
mod data_tests;
#[cfg(test)]
mod release_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod update_tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use time::Date;

pub use checklist::ChecklistItem;
pub use diseases::{Disease, DiseaseCourse, DiseaseGroup, DiseaseIssue, NumberCheck, Unverified};
pub use error::ReferenceError;
pub use ids::{
    AccommodationId, CategoryCode, DiseaseId, GroupId, IssueCode, OccupationId, SourceId,
};
pub use issues::{Accommodation, VocationalIssue};
pub use occupations::{
    DemandLevel, Frequency, Occupation, OccupationCategory, OccupationDemand, Schedule,
};
pub use sources::{Basis, Source, SourceRef, SourcedNote};
pub use text::LocalizedText;
pub use update::{MAX_FILE_BYTES, Trust, UPDATE_FOLDER};
pub use version::ReferenceVersion;

/// File name of the disease file inside a reference folder.
pub const DISEASES_FILE: &str = "diseases.json";
/// File name of the occupation file inside a reference folder.
pub const OCCUPATIONS_FILE: &str = "occupations.json";
/// The file format this build reads (the `format` field of both files).
pub const SUPPORTED_FORMAT: u64 = 1;

/// Where a loaded database came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceOrigin {
    /// The copy compiled into the app (同梱版).
    Bundled,
    /// A folder read at run time, usually the update folder (更新版).
    Folder(PathBuf),
}

/// A validated, read-only reference database (共有データベース).
///
/// Cheap to share behind an `Arc`; cloning copies all the data (a few
/// hundred kilobytes). Lookups never fail for ids that came from the same
/// database.
#[derive(Debug, Clone)]
pub struct ReferenceDb {
    version: ReferenceVersion,
    published: Date,
    sources: Vec<Source>,
    groups: Vec<DiseaseGroup>,
    issues: Vec<VocationalIssue>,
    general_accommodations: Vec<Accommodation>,
    diseases: Vec<Disease>,
    categories: Vec<OccupationCategory>,
    occupations: Vec<Occupation>,
    index: Index,
    origin: ReferenceOrigin,
    update_warning: Option<Arc<ReferenceError>>,
}

/// Where each id lives in the vectors of a [`ReferenceDb`].
#[derive(Debug, Clone, Default)]
struct Index {
    sources: HashMap<SourceId, usize>,
    groups: HashMap<GroupId, usize>,
    issues: HashMap<IssueCode, usize>,
    accommodations: HashMap<AccommodationId, AccommodationSlot>,
    diseases: HashMap<DiseaseId, usize>,
    categories: HashMap<CategoryCode, usize>,
    occupations: HashMap<OccupationId, usize>,
}

#[derive(Debug, Clone, Copy)]
enum AccommodationSlot {
    Issue { issue: usize, option: usize },
    General(usize),
}

impl ReferenceDb {
    /// The release version (版) of the data in use.
    pub fn version(&self) -> &ReferenceVersion {
        &self.version
    }

    /// The date the disease file of this release was published.
    pub fn published(&self) -> Date {
        self.published
    }

    /// Where this database was read from.
    pub fn origin(&self) -> &ReferenceOrigin {
        &self.origin
    }

    /// Why an update found by [`ReferenceDb::load`] was not used, if one was
    /// found and not used: malformed, incomplete, or not newer. Show it to the
    /// user; the database itself is the bundled one and fully usable.
    pub fn update_warning(&self) -> Option<&ReferenceError> {
        self.update_warning.as_deref()
    }

    /// The source index (出典一覧), in file order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// A source by id.
    pub fn source(&self, id: &SourceId) -> Option<&Source> {
        self.index.sources.get(id).map(|&i| &self.sources[i])
    }

    /// The disease groups (疾患群), in file order.
    pub fn groups(&self) -> &[DiseaseGroup] {
        &self.groups
    }

    /// A disease group by id.
    pub fn group(&self, id: &GroupId) -> Option<&DiseaseGroup> {
        self.index.groups.get(id).map(|&i| &self.groups[i])
    }

    /// The Japanese name of the disease group with the id written `id`
    /// (as a progress record carries it), if this reference has it.
    pub fn group_name_ja(&self, id: &str) -> Option<&str> {
        let id = GroupId::new(id).ok()?;
        self.group(&id).map(|g| g.name.ja.as_str())
    }

    /// The vocational-issue catalogue (職業的課題), in file order.
    pub fn issues(&self) -> &[VocationalIssue] {
        &self.issues
    }

    /// A vocational issue by code.
    pub fn issue(&self, code: &IssueCode) -> Option<&VocationalIssue> {
        self.index.issues.get(code).map(|&i| &self.issues[i])
    }

    /// Accommodations that apply whatever the disease: the hiring stage and
    /// the examples of the reasonable-accommodation guideline (合理的配慮指針).
    pub fn general_accommodations(&self) -> &[Accommodation] {
        &self.general_accommodations
    }

    /// An accommodation option (配慮事項) by id, whether it belongs to an
    /// issue or to the general list.
    pub fn accommodation(&self, id: &AccommodationId) -> Option<&Accommodation> {
        match *self.index.accommodations.get(id)? {
            AccommodationSlot::Issue { issue, option } => {
                self.issues[issue].accommodations.get(option)
            }
            AccommodationSlot::General(i) => self.general_accommodations.get(i),
        }
    }

    /// All diseases, in file order.
    pub fn diseases(&self) -> &[Disease] {
        &self.diseases
    }

    /// A disease by id.
    pub fn disease(&self, id: &DiseaseId) -> Option<&Disease> {
        self.index.diseases.get(id).map(|&i| &self.diseases[i])
    }

    /// The occupation categories (職業分類の大分類), in file order.
    pub fn categories(&self) -> &[OccupationCategory] {
        &self.categories
    }

    /// An occupation category by code.
    pub fn category(&self, code: &CategoryCode) -> Option<&OccupationCategory> {
        self.index
            .categories
            .get(code)
            .map(|&i| &self.categories[i])
    }

    /// All occupations, in file order.
    pub fn occupations(&self) -> &[Occupation] {
        &self.occupations
    }

    /// An occupation by id.
    pub fn occupation(&self, id: &OccupationId) -> Option<&Occupation> {
        self.index
            .occupations
            .get(id)
            .map(|&i| &self.occupations[i])
    }
}
