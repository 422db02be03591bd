//! The five documents (資料) as A4 PDFs, rendered from a case: 個人プロフィール,
//! キャリア計画書, カスタマイズ就業提案書, 個別就労支援計画書 and 総括 — and
//! the programme figures sheet (seed 002).
//!
//! Rendering is pure: a [`Case`], its [`DocumentMeta`] from the store, the
//! reference database for accommodation and issue wording, and photos the
//! client approved go in; PDF bytes come out. Printing is in
//! [`crate::print`].
//!
//! Disclosure (開示/非開示) governs what the two documents that go to
//! employers — the profile and the proposal — say about health; see
//! [`HealthShown`].

mod career_plan;
mod layout;
mod profile;
pub mod programme;
mod proposal;
mod summary;
mod support_plan;
mod text;
mod writer;

use std::fmt;
use std::io::Read;
use std::str::FromStr;

use printpdf::RawImage;
use time::{Date, OffsetDateTime};
use tsunagi_core::consent::Refusal;
use tsunagi_core::media::MediaKind;
use tsunagi_core::model::{Case, CaseId, ConsentScope, Disclosure};
use tsunagi_core::reference::{AccommodationId, IssueCode, ReferenceDb};
use tsunagi_core::store::{Store, StoreError};

pub use text::MISSING_GLYPH;

/// One of the five documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// 個人プロフィール — the positive profile, with photos.
    Profile,
    /// キャリア計画書 — the career plan for the planning meeting.
    CareerPlan,
    /// カスタマイズ就業提案書 — the proposal to one employer.
    Proposal,
    /// 個別就労支援計画書 — the individual employment support plan.
    SupportPlan,
    /// 総括 — the summary from discovery to outcome.
    Summary,
}

impl DocumentKind {
    /// The five, in the order of the support.
    pub const ALL: [Self; 5] = [
        Self::Profile,
        Self::CareerPlan,
        Self::Proposal,
        Self::SupportPlan,
        Self::Summary,
    ];

    /// The document's title as printed.
    pub fn title_ja(self) -> &'static str {
        match self {
            Self::Profile => "個人プロフィール",
            Self::CareerPlan => "キャリア計画書",
            Self::Proposal => "カスタマイズ就業提案書",
            Self::SupportPlan => "個別就労支援計画書",
            Self::Summary => "総括",
        }
    }

    /// The name on the command line (`--doc`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::CareerPlan => "career-plan",
            Self::Proposal => "proposal",
            Self::SupportPlan => "support-plan",
            Self::Summary => "summary",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.slug() == s)
            .ok_or_else(|| DocumentError::UnknownKind(s.to_owned()).to_string())
    }
}

/// What the store knows about the case beyond its content: printed in the
/// title block of every document.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentMeta {
    /// ケース番号 — the case id.
    pub case_number: String,
    /// 作成日 — when the case was created.
    pub created_on: Date,
    /// 版 — the case's revision number in the store.
    pub revision: i64,
    /// 改訂日 — the date of that revision.
    pub revised_on: Date,
    /// When the PDF is made (its CreationDate and ModDate).
    pub generated_at: OffsetDateTime,
}

impl DocumentMeta {
    /// The meta of a case in `store`: created at its first revision, revised
    /// at its last, the dates as they were where the office is (`offset`).
    pub fn from_store(
        store: &mut Store,
        case: CaseId,
        offset: time::UtcOffset,
    ) -> Result<Self, DocumentError> {
        let history = store.history(case, None)?;
        let first = history.first().ok_or(DocumentError::Date)?;
        let last = history.last().ok_or(DocumentError::Date)?;
        Ok(Self {
            case_number: case.to_string(),
            created_on: first.at.to_offset(offset).date(),
            revision: last.revision,
            revised_on: last.at.to_offset(offset).date(),
            generated_at: OffsetDateTime::now_utc().to_offset(offset),
        })
    }
}

/// A photo the client approved for the profile (本人が承認した写真).
#[derive(Clone, PartialEq, Eq)]
pub struct ApprovedPhoto {
    /// The JPEG file's bytes.
    pub jpeg: Vec<u8>,
    /// キャプション. Identifying (free text).
    pub caption: String,
}

impl ApprovedPhoto {
    /// The photos of `case` the client approved (videos are not printed),
    /// oldest first, each read from the encrypted media store.
    ///
    /// Only while the client's consent to the use of photos and video is in
    /// force on `day`; otherwise no photo, and the refusal says why (for the
    /// office, never printed on the employer's copy).
    pub fn from_store(
        store: &mut Store,
        case: CaseId,
        day: Date,
    ) -> Result<(Vec<Self>, Option<Refusal>), DocumentError> {
        let shown = store.media_for_employers(case, day)?;
        let mut photos = Vec::new();
        for item in shown.items {
            if item.kind != MediaKind::Photo {
                continue;
            }
            let mut jpeg = Vec::new();
            store
                .open_media(case, item.id)?
                .read_to_end(&mut jpeg)
                .map_err(|_| DocumentError::PhotoUnreadable {
                    index: photos.len() + 1,
                })?;
            photos.push(Self {
                jpeg,
                caption: item.caption.expose().clone(),
            });
        }
        Ok((photos, shown.withheld))
    }
}

impl fmt::Debug for ApprovedPhoto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApprovedPhoto")
            .field("jpeg_bytes", &self.jpeg.len())
            .finish_non_exhaustive()
    }
}

/// Which document to make, and for the proposal which employer.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The document.
    pub kind: DocumentKind,
    /// 事業所 — the employer's id, for the proposal; the first employer when `None`.
    pub employer_id: Option<&'a str>,
    /// Photos the client approved, for the profile (ignored by the others).
    pub photos: &'a [ApprovedPhoto],
    /// For the support plan: which revision (第N版) to print; the plan in
    /// force when `None`.
    pub plan_revision: Option<u32>,
}

impl Request<'_> {
    /// A request for `kind` with no employer chosen and no photos.
    pub fn new(kind: DocumentKind) -> Self {
        Self {
            kind,
            employer_id: None,
            photos: &[],
            plan_revision: None,
        }
    }
}

/// Why a document could not be made. Messages never carry case content.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// `--doc` named no document.
    #[error(
        "「{0}」という資料はありません (no such document): profile, career-plan, proposal, support-plan, summary"
    )]
    UnknownKind(String),
    /// The proposal needs an employer and the case has none.
    #[error(
        "この支援ケースには事業所が登録されていません (the case has no employer for a proposal)"
    )]
    NoEmployer,
    /// The employer id is not in the case.
    #[error("指定した事業所はこの支援ケースにありません (no employer with id {0} in this case)")]
    EmployerNotFound(String),
    /// A photo could not be read.
    #[error("{index}枚目の写真を読み込めません (photo {index} is not a readable JPEG image)")]
    PhotoUnreadable {
        /// Which photo, from 1.
        index: usize,
    },
    /// The support plan has no kept revision with that number.
    #[error("支援計画に第{0}版はありません (the support plan has no revision {0})")]
    NoSuchRevision(u32),
    /// A date in the store could not be read.
    #[error("ケースの日付を読み取れません (the case's dates could not be read)")]
    Date,
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Renders one document of `case` as PDF bytes.
pub fn render(
    case: &Case,
    meta: &DocumentMeta,
    request: &Request<'_>,
    reference: &ReferenceDb,
) -> Result<Vec<u8>, DocumentError> {
    let ctx = Ctx {
        case,
        meta,
        reference,
    };
    match request.kind {
        DocumentKind::Profile => {
            let photos = request
                .photos
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let image = RawImage::decode_from_bytes(&p.jpeg, &mut Vec::new())
                        .map_err(|_| DocumentError::PhotoUnreadable { index: i + 1 })?;
                    Ok((image, p.caption.clone()))
                })
                .collect::<Result<Vec<_>, DocumentError>>()?;
            profile::render(&ctx, &photos)
        }
        DocumentKind::CareerPlan => career_plan::render(&ctx),
        DocumentKind::Proposal => {
            let employers = &case.job_match.employers;
            let employer = match request.employer_id {
                Some(id) => employers
                    .iter()
                    .find(|e| e.id == id)
                    .ok_or_else(|| DocumentError::EmployerNotFound(id.to_owned()))?,
                None => employers.first().ok_or(DocumentError::NoEmployer)?,
            };
            proposal::render(&ctx, employer)
        }
        DocumentKind::SupportPlan => support_plan::render(&ctx, request.plan_revision),
        DocumentKind::Summary => summary::render(&ctx),
    }
}

/// What the documents for employers (profile, proposal) show about health,
/// by the client's disclosure choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthShown {
    /// 非開示: nothing — no disease name, group, type or course, no
    /// vocational issues, accommodations or adjustments, and none of the
    /// free-text conditions and notes that may describe symptoms.
    Nothing,
    /// 一部開示: the workplace needs the client agreed to share — the
    /// accommodations, the adjustments made and the conditions asked for —
    /// and the consents that say with whom; never the disease's name, type,
    /// course or the problems it causes.
    NeedsOnly,
    /// 開示: the disease and everything the workplace needs to know.
    Everything,
}

impl HealthShown {
    /// The level for a disclosure choice, by the rule the tablet's
    /// presentation follows too ([`Disclosure::shows_disease`],
    /// [`Disclosure::shows_workplace_needs`]).
    pub fn for_disclosure(disclosure: Disclosure) -> Self {
        if disclosure.shows_disease() {
            Self::Everything
        } else if disclosure.shows_workplace_needs() {
            Self::NeedsOnly
        } else {
            Self::Nothing
        }
    }

    /// Whether workplace needs are shown.
    pub fn needs(self) -> bool {
        self != Self::Nothing
    }

    /// Whether the disease itself is shown.
    pub fn disease(self) -> bool {
        self == Self::Everything
    }
}

/// What each document module needs.
pub(crate) struct Ctx<'a> {
    pub case: &'a Case,
    pub meta: &'a DocumentMeta,
    pub reference: &'a ReferenceDb,
}

impl Ctx<'_> {
    /// The wording of an accommodation: the reference text, then any own note.
    pub fn accommodation(&self, a: &tsunagi_core::model::Accommodation) -> String {
        let reference = a
            .reference_id
            .as_deref()
            .and_then(|id| AccommodationId::new(id).ok())
            .and_then(|id| self.reference.accommodation(&id))
            .map(|r| r.text.ja.clone());
        let own = a.text.expose().trim();
        match (reference, own.is_empty()) {
            (Some(r), true) => r,
            (Some(r), false) => format!("{r}（{own}）"),
            (None, false) => own.to_owned(),
            (None, true) => a.reference_id.clone().unwrap_or_default(),
        }
    }

    /// The name of a vocational issue code in the reference.
    pub fn issue_name(&self, code: &str) -> String {
        IssueCode::new(code)
            .ok()
            .and_then(|c| self.reference.issue(&c))
            .map(|i| i.name.ja.clone())
            .unwrap_or_else(|| code.to_owned())
    }

    /// The health level of the employer-facing documents.
    pub fn health(&self) -> HealthShown {
        HealthShown::for_disclosure(self.case.disclosure)
    }

    /// The in-force employer-sharing consents as "content（recipient）".
    pub fn employer_sharing(&self) -> Vec<String> {
        let today = self.meta.generated_at.date();
        self.case
            .consents
            .iter()
            .filter(|c| c.scope == ConsentScope::EmployerSharing && c.in_force_on(today))
            .map(|c| {
                let recipient = c.recipient.expose();
                if recipient.trim().is_empty() {
                    c.content.expose().clone()
                } else {
                    format!("{}（提供先: {}）", c.content.expose(), recipient)
                }
            })
            .collect()
    }
}

/// A field of the client's basic information, labelled and shown as every
/// document labels and shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BasicField {
    /// 氏名.
    Name,
    /// ふりがな.
    Kana,
    /// 生年月日.
    BirthDate,
    /// 生まれ年: the year alone, where the full date is not needed.
    BirthYear,
    /// 性別.
    Sex,
    /// 住所.
    Address,
    /// 電話番号.
    Phone,
    /// メール.
    Email,
    /// 備考.
    Note,
}

impl BasicField {
    /// The field's label and its value in `basic`.
    fn row(self, basic: &tsunagi_core::model::BasicInfo) -> (&'static str, String) {
        match self {
            Self::Name => ("氏名", basic.name.expose().clone()),
            Self::Kana => ("ふりがな", basic.kana.expose().clone()),
            Self::BirthDate => ("生年月日", format_opt_date(*basic.birth_date.expose())),
            Self::BirthYear => (
                "生まれ年",
                basic
                    .birth_year
                    .map(|y| format!("{y}年"))
                    .unwrap_or_default(),
            ),
            Self::Sex => ("性別", basic.sex.label_ja().to_owned()),
            Self::Address => ("住所", basic.address.expose().clone()),
            Self::Phone => ("電話番号", basic.phone.expose().clone()),
            Self::Email => ("メール", basic.email.expose().clone()),
            Self::Note => ("備考", basic.note.expose().clone()),
        }
    }
}

/// The rows of `fields` of `basic`, then `more`, for [`layout::Doc::form`].
pub(crate) fn basic_rows(
    basic: &tsunagi_core::model::BasicInfo,
    fields: &[BasicField],
    more: impl IntoIterator<Item = (&'static str, String)>,
) -> Vec<(&'static str, String)> {
    fields.iter().map(|f| f.row(basic)).chain(more).collect()
}

/// A date as printed: 2024年5月10日.
pub fn format_date(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An optional date as printed, or an empty string.
pub fn format_opt_date(date: Option<Date>) -> String {
    date.map(format_date).unwrap_or_default()
}

/// A number of hours or days, without a trailing ".0".
pub fn format_number(n: f32) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}
