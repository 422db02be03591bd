//! Reading the two data files and validating them into a [`ReferenceDb`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

use serde::{Deserialize, Deserializer};
use time::Date;
use time::macros::format_description;

use super::{
    Accommodation, AccommodationSlot, Basis, Disease, DiseaseGroup, Index, NumberCheck, Occupation,
    OccupationCategory, ReferenceDb, ReferenceError, ReferenceOrigin, ReferenceVersion,
    SUPPORTED_FORMAT, Source, SourceRef, SourcedNote, VocationalIssue,
};

/// The contents of one file, with the name to show in error messages.
pub(crate) struct FileText<'a> {
    pub(crate) label: &'a str,
    pub(crate) text: &'a str,
}

#[derive(Deserialize)]
struct Header {
    format: u64,
}

#[derive(Deserialize)]
struct DiseasesFile {
    version: ReferenceVersion,
    #[serde(deserialize_with = "date")]
    published: Date,
    sources: Vec<Source>,
    groups: Vec<DiseaseGroup>,
    issues: Vec<VocationalIssue>,
    #[serde(default)]
    general_accommodations: Vec<Accommodation>,
    diseases: Vec<Disease>,
}

#[derive(Deserialize)]
struct OccupationsFile {
    version: ReferenceVersion,
    // Read so that a malformed date is refused, though only the disease
    // file's date is shown.
    #[serde(deserialize_with = "date", rename = "published")]
    _published: Date,
    #[serde(default)]
    sources: Vec<Source>,
    categories: Vec<OccupationCategory>,
    occupations: Vec<Occupation>,
}

fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    let text = String::deserialize(deserializer)?;
    Date::parse(&text, format_description!("[year]-[month]-[day]")).map_err(|_| {
        serde::de::Error::custom(format!("\"{text}\" is not a date (expected YYYY-MM-DD)"))
    })
}

fn parse_file<T: for<'de> Deserialize<'de>>(file: &FileText<'_>) -> Result<T, ReferenceError> {
    let malformed = |e: serde_json::Error| ReferenceError::Malformed {
        file: file.label.to_owned(),
        detail: e.to_string(),
    };
    // The format number first, so that a file from a newer format says so
    // instead of failing on some field this build does not know.
    let header: Header = serde_json::from_str(file.text).map_err(malformed)?;
    if header.format != SUPPORTED_FORMAT {
        return Err(ReferenceError::UnsupportedFormat {
            file: file.label.to_owned(),
            found: header.format,
            supported: SUPPORTED_FORMAT,
        });
    }
    serde_json::from_str(file.text).map_err(malformed)
}

/// Parses and validates both files into a database.
pub(crate) fn parse(
    diseases: FileText<'_>,
    occupations: FileText<'_>,
    origin: ReferenceOrigin,
) -> Result<ReferenceDb, ReferenceError> {
    let d: DiseasesFile = parse_file(&diseases)?;
    let o: OccupationsFile = parse_file(&occupations)?;
    if d.version != o.version {
        return Err(ReferenceError::VersionMismatch {
            diseases: d.version,
            occupations: o.version,
        });
    }

    let mut index = Index::default();
    let dv = Validator {
        file: diseases.label,
    };
    let ov = Validator {
        file: occupations.label,
    };

    // Sources: the union of both files; the same id twice must be the same source.
    let mut sources = d.sources;
    for (i, s) in sources.iter().enumerate() {
        dv.insert_unique(&mut index.sources, s.id.clone(), i, "source id")?;
    }
    for s in o.sources {
        match index.sources.get(&s.id) {
            Some(&i) if sources[i] == s => {}
            Some(_) => {
                return Err(ReferenceError::ConflictingSource {
                    source_id: s.id.to_string(),
                });
            }
            None => {
                index.sources.insert(s.id.clone(), sources.len());
                sources.push(s);
            }
        }
    }
    let cites =
        |v: &Validator<'_>, owner: &dyn Fn() -> String, refs: &[SourceRef], required: bool| {
            v.check_sources(&index.sources, owner, refs, required)
        };

    for (i, g) in d.groups.iter().enumerate() {
        dv.insert_unique(&mut index.groups, g.id.clone(), i, "group id")?;
        cites(&dv, &|| format!("group \"{}\"", g.id), &g.sources, false)?;
    }

    for (i, issue) in d.issues.iter().enumerate() {
        dv.insert_unique(&mut index.issues, issue.code.clone(), i, "issue code")?;
        dv.non_empty(&|| format!("issue \"{}\"", issue.code), &issue.name.ja)?;
        cites(
            &dv,
            &|| format!("issue \"{}\"", issue.code),
            &issue.sources,
            false,
        )?;
        for (j, a) in issue.accommodations.iter().enumerate() {
            let slot = AccommodationSlot::Issue {
                issue: i,
                option: j,
            };
            dv.insert_unique(
                &mut index.accommodations,
                a.id.clone(),
                slot,
                "accommodation id",
            )?;
            dv.check_accommodation(&index.sources, a)?;
        }
    }
    for (i, a) in d.general_accommodations.iter().enumerate() {
        dv.insert_unique(
            &mut index.accommodations,
            a.id.clone(),
            AccommodationSlot::General(i),
            "accommodation id",
        )?;
        dv.check_accommodation(&index.sources, a)?;
    }

    let mut numbers = HashMap::new();
    for (i, disease) in d.diseases.iter().enumerate() {
        let owner = || format!("disease \"{}\"", disease.id);
        dv.insert_unique(&mut index.diseases, disease.id.clone(), i, "disease id")?;
        dv.non_empty(&owner, &disease.name.ja)?;
        if disease.notification_number.is_none() && disease.number_check != NumberCheck::Unconfirmed
        {
            return Err(dv.invalid(
                &owner,
                "has no designated number (告示番号) but its number_check is not \"unconfirmed\"",
            ));
        }
        if let Some(n) = disease.notification_number {
            dv.insert_unique(&mut numbers, n, (), "designated number (告示番号)")?;
        }
        if !index.groups.contains_key(&disease.group) {
            return Err(ReferenceError::UnknownGroup {
                file: dv.file.to_owned(),
                disease: disease.id.to_string(),
                group: disease.group.to_string(),
            });
        }
        cites(&dv, &owner, &disease.sources, true)?;
        let mut codes = HashMap::new();
        for di in &disease.issues {
            dv.known_issue(&index, &owner, &di.code)?;
            dv.insert_unique(
                &mut codes,
                di.code.clone(),
                (),
                &format!("issue code of disease \"{}\"", disease.id),
            )?;
            // An issue without its own citation rests on the disease's sources.
            cites(
                &dv,
                &|| format!("disease \"{}\", issue \"{}\"", disease.id, di.code),
                &di.sources,
                false,
            )?;
        }
        dv.check_notes(&index.sources, &owner, &disease.notes)?;
    }

    for (i, c) in o.categories.iter().enumerate() {
        ov.insert_unique(&mut index.categories, c.code.clone(), i, "category code")?;
        let owner = || format!("category \"{}\"", c.code);
        cites(&ov, &owner, &c.sources, c.basis == Basis::Sourced)?;
        ov.check_notes(&index.sources, &owner, &c.notes)?;
    }
    for (i, occupation) in o.occupations.iter().enumerate() {
        let owner = || format!("occupation \"{}\"", occupation.id);
        ov.insert_unique(
            &mut index.occupations,
            occupation.id.clone(),
            i,
            "occupation id",
        )?;
        ov.non_empty(&owner, &occupation.name.ja)?;
        if !index.categories.contains_key(&occupation.category) {
            return Err(ReferenceError::UnknownCategory {
                file: ov.file.to_owned(),
                occupation: occupation.id.to_string(),
                category: occupation.category.to_string(),
            });
        }
        cites(
            &ov,
            &owner,
            &occupation.sources,
            occupation.basis == Basis::Sourced,
        )?;
        let mut codes = HashMap::new();
        for demand in &occupation.demands {
            ov.known_issue(&index, &owner, &demand.code)?;
            ov.insert_unique(
                &mut codes,
                demand.code.clone(),
                (),
                &format!("demand of occupation \"{}\"", occupation.id),
            )?;
        }
        ov.check_notes(&index.sources, &owner, &occupation.notes)?;
    }

    Ok(ReferenceDb {
        version: d.version,
        published: d.published,
        sources,
        groups: d.groups,
        issues: d.issues,
        general_accommodations: d.general_accommodations,
        diseases: d.diseases,
        categories: o.categories,
        occupations: o.occupations,
        index,
        origin,
        update_warning: None,
    })
}

/// Checks entries of one file, naming that file in its errors.
struct Validator<'a> {
    file: &'a str,
}

impl Validator<'_> {
    fn insert_unique<K, V>(
        &self,
        map: &mut HashMap<K, V>,
        key: K,
        value: V,
        kind: &str,
    ) -> Result<(), ReferenceError>
    where
        K: Eq + Hash + std::fmt::Display,
    {
        match map.entry(key) {
            Entry::Occupied(e) => Err(ReferenceError::DuplicateId {
                file: self.file.to_owned(),
                kind: kind.to_owned(),
                id: e.key().to_string(),
            }),
            Entry::Vacant(e) => {
                e.insert(value);
                Ok(())
            }
        }
    }

    fn invalid(&self, owner: &dyn Fn() -> String, problem: &'static str) -> ReferenceError {
        ReferenceError::Invalid {
            file: self.file.to_owned(),
            owner: owner(),
            problem,
        }
    }

    fn non_empty(&self, owner: &dyn Fn() -> String, ja: &str) -> Result<(), ReferenceError> {
        if ja.trim().is_empty() {
            Err(self.invalid(owner, "has an empty Japanese name"))
        } else {
            Ok(())
        }
    }

    fn known_issue(
        &self,
        index: &Index,
        owner: &dyn Fn() -> String,
        code: &super::IssueCode,
    ) -> Result<(), ReferenceError> {
        if index.issues.contains_key(code) {
            Ok(())
        } else {
            Err(ReferenceError::UnknownIssueCode {
                file: self.file.to_owned(),
                owner: owner(),
                code: code.to_string(),
            })
        }
    }

    /// Every cited source must exist; when `required` (an entry marked
    /// `Sourced`), at least one must be cited.
    fn check_sources(
        &self,
        sources: &HashMap<super::SourceId, usize>,
        owner: &dyn Fn() -> String,
        refs: &[SourceRef],
        required: bool,
    ) -> Result<(), ReferenceError> {
        if required && refs.is_empty() {
            return Err(ReferenceError::MissingSource {
                file: self.file.to_owned(),
                owner: owner(),
            });
        }
        match refs.iter().find(|r| !sources.contains_key(&r.source)) {
            Some(r) => Err(ReferenceError::UnknownSource {
                file: self.file.to_owned(),
                owner: owner(),
                source_id: r.source.to_string(),
            }),
            None => Ok(()),
        }
    }

    fn check_accommodation(
        &self,
        sources: &HashMap<super::SourceId, usize>,
        a: &Accommodation,
    ) -> Result<(), ReferenceError> {
        let owner = || format!("accommodation \"{}\"", a.id);
        if a.text.ja.trim().is_empty() {
            return Err(self.invalid(&owner, "has an empty Japanese text"));
        }
        self.check_sources(sources, &owner, &a.sources, a.basis == Basis::Sourced)
    }

    fn check_notes(
        &self,
        sources: &HashMap<super::SourceId, usize>,
        owner: &dyn Fn() -> String,
        notes: &[SourcedNote],
    ) -> Result<(), ReferenceError> {
        for (n, note) in notes.iter().enumerate() {
            self.check_sources(
                sources,
                &|| format!("{}, note {}", owner(), n + 1),
                &note.sources,
                note.basis == Basis::Sourced,
            )?;
        }
        Ok(())
    }
}
