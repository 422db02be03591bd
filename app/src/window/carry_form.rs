//! What the client's own record (本人携帯記録) screen decides, without a
//! window: the rows the worker and the client tick (sections, diseases,
//! approved photos and videos), the [`CarryChoice`] they make, the
//! passphrase in groups, what an opened file holds in words, and why
//! something failed. `carry.rs` puts these on the screen.
//!
//! What is identifying here: the disease names, the accommodations' own
//! wording, the captions, the consent's note, the client's name in a
//! preview. None of it is logged.

use std::path::{Path, PathBuf};

use time::{Date, UtcOffset};
use tsunagi_core::carry::{CARRIED_SECTIONS, CarryChoice, CarryError, DiseasePick, Preview};
use tsunagi_core::media::MediaKind;
use tsunagi_core::model::{Case, ConsentRecord, SectionName};
use tsunagi_core::reference::{AccommodationId, ReferenceDb};
use tsunagi_core::store::{MediaId, MediaItem};

use super::case_query::{format_day, format_time};
use super::i18n::{self, Language, tr, tr_fill};

/// The folder of the data folder the records are written to by default.
pub const EXPORT_FOLDER: &str = "export";

/// The three lists of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Whole sections.
    Section,
    /// Diseases.
    Disease,
    /// Approved photos and videos.
    Media,
}

impl Group {
    /// The group the screen numbers `index` (0, 1, 2).
    pub fn from_index(index: i32) -> Option<Self> {
        match index {
            0 => Some(Self::Section),
            1 => Some(Self::Disease),
            2 => Some(Self::Media),
            _ => None,
        }
    }
}

/// One row to tick: what it is, a line about it, whether it is ticked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// What the row is (a section's name, a disease's name, a caption).
    pub label: String,
    /// A line under it (what the section holds, a photo's kind and date).
    pub detail: String,
    /// Ticked.
    pub checked: bool,
}

/// The choosing form of one case: every section a record may carry, every
/// disease of the case, every photo and video the client has approved.
#[derive(Clone, Debug, Default)]
pub struct CarryForm {
    sections: Vec<(SectionName, Row)>,
    diseases: Vec<(String, Row)>,
    media: Vec<(MediaId, Row)>,
    withheld: usize,
    accommodations: Vec<String>,
}

impl CarryForm {
    /// The form of `case` with its `items`: nothing ticked. Items the
    /// client has not approved are not offered (they are counted for
    /// [`CarryForm::withheld_note`]). `reference` words the accommodations
    /// chosen from it; times show at `offset`.
    pub fn new(
        case: &Case,
        items: &[MediaItem],
        reference: Option<&ReferenceDb>,
        offset: UtcOffset,
    ) -> Self {
        let empty = Case::new().sections();
        let held = case.sections();
        let sections = CARRIED_SECTIONS
            .into_iter()
            .map(|name| {
                let is_empty = held
                    .iter()
                    .zip(&empty)
                    .any(|(h, e)| h.name() == name && h == e);
                let mut detail = tr(section_contents(name)).to_owned();
                if is_empty {
                    detail = tr_fill("{}（まだ何も入力されていません）", &[&detail]);
                }
                let row = Row {
                    label: section_name(name),
                    detail,
                    checked: false,
                };
                (name, row)
            })
            .collect();
        let diseases = case
            .basic
            .diseases
            .iter()
            .map(|d| {
                let name = d.name.trim();
                let label = match (name.is_empty(), d.subtype.trim()) {
                    (true, _) => tr("（病名未入力）").to_owned(),
                    (false, "") => name.to_owned(),
                    (false, subtype) => format!("{name}（{subtype}）"),
                };
                let row = Row {
                    label,
                    detail: tr("経過と医療受給者証を含みます").to_owned(),
                    checked: false,
                };
                (d.id.clone(), row)
            })
            .collect();
        let media = items
            .iter()
            .filter(|i| i.approval.is_some())
            .map(|i| (i.id, media_row(i, offset)))
            .collect();
        Self {
            sections,
            diseases,
            media,
            withheld: items.iter().filter(|i| i.approval.is_none()).count(),
            accommodations: accommodation_words(case, reference),
        }
    }

    /// The rows of `group`, in the screen's order.
    pub fn rows(&self, group: Group) -> Vec<Row> {
        match group {
            Group::Section => self.sections.iter().map(|(_, r)| r.clone()).collect(),
            Group::Disease => self.diseases.iter().map(|(_, r)| r.clone()).collect(),
            Group::Media => self.media.iter().map(|(_, r)| r.clone()).collect(),
        }
    }

    /// The photos and videos offered, in the screen's order.
    pub fn media_ids(&self) -> Vec<MediaId> {
        self.media.iter().map(|(id, _)| *id).collect()
    }

    /// Ticks or unticks row `index` of `group`; whether there is such a row.
    pub fn toggle(&mut self, group: Group, index: usize, checked: bool) -> bool {
        let row = match group {
            Group::Section => self.sections.get_mut(index).map(|(_, r)| r),
            Group::Disease => self.diseases.get_mut(index).map(|(_, r)| r),
            Group::Media => self.media.get_mut(index).map(|(_, r)| r),
        };
        row.map(|r| r.checked = checked).is_some()
    }

    /// What the ticked rows choose.
    pub fn choice(&self) -> CarryChoice {
        CarryChoice {
            sections: self
                .sections
                .iter()
                .filter(|(_, r)| r.checked)
                .map(|(s, _)| *s)
                .collect(),
            diseases: self
                .diseases
                .iter()
                .filter(|(_, r)| r.checked)
                .map(|(id, _)| DiseasePick::Id(id.clone()))
                .collect(),
            media: self
                .media
                .iter()
                .filter(|(_, r)| r.checked)
                .map(|(id, _)| *id)
                .collect(),
        }
    }

    /// How many rows are ticked.
    pub fn chosen(&self) -> usize {
        let choice = self.choice();
        choice.sections.len() + choice.diseases.len() + choice.media.len()
    }

    /// "選んだ内容：項目 2・疾患 1・写真と動画 1", or why nothing can be
    /// written yet.
    pub fn summary(&self) -> String {
        let choice = self.choice();
        if choice.is_empty() {
            return tr(
                "まだ何も選んでいません。本人が持っていく内容を一つ以上選ぶと、書き出せます。",
            )
            .to_owned();
        }
        tr_fill(
            "選んだ内容：項目 {}・疾患 {}・写真と動画 {}",
            &[
                &choice.sections.len().to_string(),
                &choice.diseases.len().to_string(),
                &choice.media.len().to_string(),
            ],
        )
    }

    /// What goes with any disease chosen: the client's vocational issues'
    /// accommodations (the model keeps them for the client, not per
    /// disease); empty when the case has none, or no disease.
    pub fn accommodations_note(&self) -> String {
        if self.diseases.is_empty() {
            return String::new();
        }
        if self.accommodations.is_empty() {
            return tr("疾患を選ぶと、該当する職業的課題も一緒に入ります（配慮事項はまだ選ばれていません）。")
                .to_owned();
        }
        let mut note = tr(
            "疾患を選ぶと、該当する職業的課題と配慮事項も一緒に入ります（疾患ごとではなく本人の記録です）。配慮事項：",
        )
        .to_owned();
        let bullet = match i18n::current() {
            Language::Japanese => String::from('・'),
            Language::English => String::from("• "),
        };
        for text in &self.accommodations {
            note.push('\n');
            note.push_str(&bullet);
            note.push_str(text);
        }
        note
    }

    /// Why some photos and videos are not offered, or empty.
    pub fn withheld_note(&self) -> String {
        if self.withheld == 0 {
            return String::new();
        }
        tr_fill(
            "本人の承認がない写真・動画が {} 件あります。承認のないものは本人携帯記録に入れられないため、ここには出していません（「写真・動画」で本人が承認すると選べます）。",
            &[&self.withheld.to_string()],
        )
    }
}

/// A section's name in the chosen language (the core's labels; in
/// English with a capital, as a heading).
pub fn section_name(section: SectionName) -> String {
    let (ja, en) = tsunagi_core::carry::section_label(section);
    match i18n::current() {
        Language::Japanese => ja.to_owned(),
        Language::English => {
            let mut chars = en.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

/// What a carried section holds, in Japanese (the catalogue's key).
fn section_contents(section: SectionName) -> &'static str {
    match section {
        SectionName::Basic => "氏名・連絡先・家族・手帳や年金など（疾患は下で選びます）",
        SectionName::CareerPlan => "強み・興味・希望する仕事と条件・キャリアの方向",
        SectionName::JobMatch => "候補の事業所・課業リスト・交渉した条件",
        SectionName::CaseManagement => "職業的課題と配慮事項・支援計画",
        SectionName::Monitoring => "就職の確認・フォローアップ・評価",
        SectionName::Consultations => "相談の記録と求職活動",
        _ => "",
    }
}

fn media_row(item: &MediaItem, offset: UtcOffset) -> Row {
    let caption = item.caption.expose().trim();
    let kind = match item.kind {
        MediaKind::Photo => tr("写真"),
        MediaKind::Video => tr("動画"),
    };
    let day = format_day(item.taken_at.unwrap_or(item.created_at), offset);
    let illustrates = item.illustrates.expose().trim();
    let mut parts = vec![kind, day.as_str()];
    if !illustrates.is_empty() {
        parts.push(illustrates);
    }
    let detail = parts.join(tr("・"));
    Row {
        label: if caption.is_empty() {
            tr("（説明なし）").to_owned()
        } else {
            caption.to_owned()
        },
        detail,
        checked: false,
    }
}

/// The accommodations of the issues that apply to the client, in words:
/// the worker's own, else the reference's, each once.
fn accommodation_words(case: &Case, reference: Option<&ReferenceDb>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for a in case
        .case_management
        .applicable_issues()
        .flat_map(|i| &i.accommodations)
    {
        let own = a.text.expose().trim();
        let text = if own.is_empty() {
            a.reference_id
                .as_ref()
                .and_then(|id| AccommodationId::new(id.as_str()).ok())
                .and_then(|id| reference?.accommodation(&id).map(|r| i18n::text(&r.text)))
                .unwrap_or_default()
                .to_owned()
        } else {
            own.to_owned()
        };
        if !text.is_empty() && !words.contains(&text) {
            words.push(text);
        }
    }
    words
}

/// The passphrase as the client copies it: its groups of four.
pub fn passphrase_groups(passphrase: &str) -> Vec<String> {
    passphrase
        .split('-')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where a record is written unless the worker says otherwise: the data
/// folder's `export` folder, `本人携帯記録-<date>.age` in Japanese (no name
/// of the client: a file name shows without the passphrase), numbered
/// when a file of that name `exists`.
pub fn default_out(data_dir: &Path, date: Date, exists: impl Fn(&Path) -> bool) -> PathBuf {
    let folder = data_dir.join(EXPORT_FOLDER);
    let stem = tr_fill("本人携帯記録-{}", &[&date.to_string()]);
    let mut path = folder.join(format!("{stem}.age"));
    let mut n = 2;
    while exists(&path) {
        path = folder.join(format!("{stem}-{n}.age"));
        n += 1;
    }
    path
}

/// One line of what an opened record holds: (what, value).
pub type PreviewLine = (String, String);

/// What an opened record holds, line by line, before anything is taken
/// in: the client's name (when the file carries it), when and where it
/// was made, its sections, its diseases, how many photos and videos.
pub fn preview_lines(preview: &Preview, offset: UtcOffset) -> Vec<PreviewLine> {
    let name = preview.name.expose().trim();
    let none = || tr("なし").to_owned();
    let sections: Vec<String> = preview.sections.iter().map(|s| section_name(*s)).collect();
    vec![
        (
            tr("氏名").to_owned(),
            if name.is_empty() {
                tr("（ファイルに入っていません）").to_owned()
            } else {
                name.to_owned()
            },
        ),
        (
            tr("作成日時").to_owned(),
            format_time(preview.created_at, offset),
        ),
        (
            tr("作成した機関").to_owned(),
            preview
                .agency
                .clone()
                .unwrap_or_else(|| tr("（名前なし）").to_owned()),
        ),
        (
            tr("項目").to_owned(),
            if sections.is_empty() {
                none()
            } else {
                sections.join("、")
            },
        ),
        (
            tr("疾患").to_owned(),
            if preview.diseases.is_empty() {
                none()
            } else {
                preview.diseases.join("、")
            },
        ),
        (
            tr("写真・動画").to_owned(),
            tr_fill(
                "写真 {}件・動画 {}件",
                &[&preview.photos.to_string(), &preview.videos.to_string()],
            ),
        ),
    ]
}

/// What was recorded on the case as the client's consent, in words.
pub fn consent_words(consent: &ConsentRecord) -> String {
    let given = consent.given_on.map_or_else(String::new, |d| d.to_string());
    tr_fill(
        "同意の範囲：{}／提供先：{}／同意日：{}／内容：{}",
        &[
            tr(consent.scope.label_ja()),
            consent.recipient.expose(),
            &given,
            consent.content.expose(),
        ],
    )
}

/// Why a record could not be made, opened or taken in, in the chosen
/// language. The core's own words (Japanese and English together) for
/// the rarer failures.
pub fn error_words(error: &CarryError) -> String {
    match error {
        CarryError::WrongPassphrase => tr(
            "パスフレーズが違います。本人に渡した紙のとおりに入力してください。何も取り込んでいません。",
        )
        .to_owned(),
        CarryError::Damaged(_) => tr(
            "本人携帯記録のファイルが壊れているか、途中で切れています。何も取り込んでいません。",
        )
        .to_owned(),
        CarryError::NotACarryFile => {
            tr("つなぎの本人携帯記録のファイルではありません。何も取り込んでいません。").to_owned()
        }
        CarryError::NothingChosen => tr(
            "本人が持っていく内容（項目・疾患・写真や動画）を一つ以上選んでください。ファイルは作っていません。",
        )
        .to_owned(),
        CarryError::MediaNotApproved(_) => tr(
            "本人の承認がない写真・動画は入れられません。ファイルは作っていません。",
        )
        .to_owned(),
        CarryError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tr("ファイルまたはフォルダーが見つかりません。場所を確かめてください。").to_owned()
        }
        CarryError::Io(_) => tr(
            "ファイルを読み書きできませんでした。場所と空き容量、USBメモリがつながっているかを確かめてください。",
        )
        .to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "carry_form_tests.rs"]
mod tests;
