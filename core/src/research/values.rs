//! The small values of a progress record, each parsed when read: a month, an
//! age band, a pseudonymous id, a certificate grade, and the agency secret
//! the pseudonyms are keyed with.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::ResearchError;
use crate::model::{CaseId, Date};

/// A calendar month (年月), written `YYYY-MM`: the finest time a progress
/// record carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u8,
}

impl Month {
    /// The month `month` (1–12) of `year`, if both are plausible.
    pub fn new(year: i32, month: u8) -> Option<Self> {
        ((1900..=2200).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The fiscal year (年度, April to March) the month falls in: 2024 for
    /// April 2024 to March 2025.
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }

    /// Months since year 0, for arithmetic.
    fn index(self) -> i32 {
        self.year * 12 + i32::from(self.month) - 1
    }

    /// This month plus `months` (which may be negative).
    pub fn plus(self, months: i32) -> Self {
        let i = self.index() + months;
        Self {
            year: i.div_euclid(12),
            month: u8::try_from(i.rem_euclid(12) + 1).expect("a month index is 1 to 12"),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ResearchError;
    fn from_str(s: &str) -> Result<Self, ResearchError> {
        let bad = ResearchError::BadValue("month (YYYY-MM)");
        let (y, m) = s.split_once('-').ok_or(bad)?;
        let bad = || ResearchError::BadValue("month (YYYY-MM)");
        if y.len() != 4 || m.len() != 2 || !s.is_ascii() {
            return Err(bad());
        }
        Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl TryFrom<String> for Month {
    type Error = ResearchError;
    fn try_from(s: String) -> Result<Self, ResearchError> {
        s.parse()
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// An age band (年齢階級): five years wide (`35-39`) or ten (`30-39`), the
/// age taken as the record's year minus the birth year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgeBand {
    from: u8,
    width: u8,
}

impl AgeBand {
    /// The band of width `width` (5 or 10) holding `age`; ages past 120
    /// have none.
    pub fn of(age: i32, width: u8) -> Option<Self> {
        let width = if width == 10 { 10 } else { 5 };
        let age = u8::try_from(age).ok().filter(|a| *a <= 120)?;
        Some(Self {
            from: age - age % width,
            width,
        })
    }

    /// The band's first age.
    pub fn from_age(self) -> u8 {
        self.from
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.from + self.width - 1)
    }
}

impl FromStr for AgeBand {
    type Err = ResearchError;
    fn from_str(s: &str) -> Result<Self, ResearchError> {
        let bad = || ResearchError::BadValue("age band (e.g. 35-39)");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let (a, b): (u8, u8) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        let width = b.checked_sub(a).map(|w| w + 1).ok_or_else(bad)?;
        if (width == 5 || width == 10) && a % width == 0 && a <= 120 {
            Ok(Self { from: a, width })
        } else {
            Err(bad())
        }
    }
}

impl TryFrom<String> for AgeBand {
    type Error = ResearchError;
    fn try_from(s: String) -> Result<Self, ResearchError> {
        s.parse()
    }
}

impl From<AgeBand> for String {
    fn from(b: AgeBand) -> String {
        b.to_string()
    }
}

/// The pseudonymous id of a case (仮名ID): HMAC-SHA256 of the case id under
/// the agency's secret, as 64 hex digits. The same case gets the same id in
/// every batch from the same agency; without the secret it cannot be traced
/// back to the case id, and two agencies' ids for one client never match.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pseudonym(String);

impl Pseudonym {
    /// The pseudonym of `case` under `secret`.
    pub fn of(secret: &AgencySecret, case: CaseId) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.0.as_slice())
            .expect("HMAC takes a key of any length");
        mac.update(b"tsunagi research pseudonym v1\0");
        mac.update(case.0.as_bytes());
        Self(hex::encode(mac.finalize().into_bytes()))
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Pseudonym {
    type Error = ResearchError;
    fn try_from(s: String) -> Result<Self, ResearchError> {
        if s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s))
        } else {
            Err(ResearchError::BadValue(
                "pseudonym (64 lowercase hex digits)",
            ))
        }
    }
}

impl From<Pseudonym> for String {
    fn from(p: Pseudonym) -> String {
        p.0
    }
}

/// The agency's secret for pseudonyms (32 random bytes), kept in the
/// agency's encrypted store and never sent. `Debug` does not show it.
#[derive(Clone)]
pub struct AgencySecret(Zeroizing<[u8; 32]>);

impl AgencySecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut_slice());
        Self(bytes)
    }

    /// The secret from its 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ResearchError> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| ResearchError::BadValue("agency secret (32 bytes)"))?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// The 32 bytes, to be kept in the encrypted store.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for AgencySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AgencySecret(‹redacted›)")
    }
}

/// A certificate's grade (等級) as a short code parsed from the text on the
/// certificate: `1`–`7` for 身体/精神 grades (「2級」 → `2`), `A`, `A1`, `A2`,
/// `B`, `B1`, `B2` for 療育. Anything else is not sent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateGrade(String);

const GRADES: [&str; 13] = [
    "1", "2", "3", "4", "5", "6", "7", "A", "A1", "A2", "B", "B1", "B2",
];

impl CertificateGrade {
    /// The grade written on a certificate, if it is one of the known codes
    /// (full-width digits and letters, spaces and 「級」/「度」 are ignored).
    pub fn parse_written(text: &str) -> Option<Self> {
        let code: String = text
            .chars()
            .filter_map(|c| match c {
                '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                    char::from_u32(u32::from(c) - 0xFEE0)
                }
                '級' | '度' | ' ' | '　' => None,
                c => Some(c),
            })
            .collect::<String>()
            .to_ascii_uppercase();
        GRADES.contains(&code.as_str()).then_some(Self(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CertificateGrade {
    type Error = ResearchError;
    fn try_from(s: String) -> Result<Self, ResearchError> {
        if GRADES.contains(&s.as_str()) {
            Ok(Self(s))
        } else {
            Err(ResearchError::BadValue("certificate grade code"))
        }
    }
}

impl From<CertificateGrade> for String {
    fn from(g: CertificateGrade) -> String {
        g.0
    }
}
