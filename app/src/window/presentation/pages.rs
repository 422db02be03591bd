//! What the presentation shows, page by page, as plain data: the cover with
//! the photo the client chose, each strength (and interest, achievement)
//! beside the photo or clip that shows it, the topics of the positive
//! profile, the proposal to the employer, and — only as far as the
//! disclosure allows, which [`EmployerProfile`] has already applied — the
//! disease and the accommodations. Built without a window, so that it is
//! tested as data.
//!
//! A photo or clip belongs to a strength when what it illustrates (表している
//! 強み, free text in the worker's words) and the strength's text are the
//! same, or one contains the other, once spaces and punctuation are set
//! aside: 「丁寧な作業」 goes with 「丁寧な作業が得意」. An item that belongs
//! to no strength, interest or achievement keeps a page of its own at the
//! end, headed by what it illustrates.

use tsunagi_core::model::EmployerProfile;
use tsunagi_core::store::MediaId;

use crate::window::i18n::tr;

/// A photo or clip that may be shown to an employer: approved by the
/// client, with the media consent in force (the store decided that).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The item.
    pub id: MediaId,
    /// 表している強み, in the worker's words.
    pub illustrates: String,
    /// キャプション: under the picture, and what a screen reader says of it.
    pub caption: String,
    /// A clip rather than a photo.
    pub video: bool,
}

/// How a page is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The name, the narrative and the cover photo.
    Cover,
    /// One statement beside its photo or clip.
    Feature,
    /// A heading and its points.
    List,
}

/// One point of a list page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// A small label above the point (a condition's name, a task's
    /// frequency), or empty.
    pub label: String,
    /// The point, in the client's words.
    pub text: String,
    /// A small line under it (the strength a task uses), or empty.
    pub detail: String,
}

impl Line {
    fn plain(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            ..Self::default()
        }
    }
}

/// One page of the presentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// How it is laid out.
    pub layout: Layout,
    /// 見出し: the name on the cover, the topic elsewhere (強み, 提案する仕事…).
    pub title: String,
    /// The line above the name on the cover (個人プロフィール).
    pub subtitle: String,
    /// The statement of a feature page (the strength itself); the
    /// narrative (人物像) on the cover.
    pub statement: String,
    /// The points of a list page.
    pub lines: Vec<Line>,
    /// The tasks proposed that use this strength, on its feature page.
    pub related: Vec<String>,
    /// The photo or clip shown, if any (on the cover: the chosen photo).
    pub media: Option<MediaId>,
}

impl Page {
    fn new(layout: Layout, title: &str) -> Self {
        Self {
            layout,
            title: title.to_owned(),
            subtitle: String::new(),
            statement: String::new(),
            lines: Vec::new(),
            related: Vec::new(),
            media: None,
        }
    }

    fn list(title: &str, lines: Vec<Line>) -> Self {
        Self {
            lines,
            ..Self::new(Layout::List, title)
        }
    }
}

/// The text as compared for pairing: no spaces, no punctuation.
fn bare(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .filter(|c| !"、。・，．「」『』（）！？".contains(*c))
        .collect()
}

/// Whether an item illustrating `illustrates` shows `text`.
fn shows(illustrates: &str, text: &str) -> bool {
    let (a, b) = (bare(illustrates), bare(text));
    a.chars().count() >= 2 && !b.is_empty() && (a == b || b.contains(&a) || a.contains(&b))
}

/// The pages of one topic of the positive profile: each text that a photo
/// or clip shows gets a feature page per item; the others share a list
/// page. `used` marks the items taken (an item goes with the first text
/// it shows); `related` gives a text's related lines.
fn topic(
    title: &str,
    texts: &[String],
    media: &[Shown],
    used: &mut [bool],
    related: &dyn Fn(&str) -> Vec<String>,
) -> Vec<Page> {
    let mut featured = Vec::new();
    let mut rest = Vec::new();
    let mut owner: Vec<Option<usize>> = vec![None; media.len()];
    for (m, item) in media.iter().enumerate() {
        if !used[m] {
            owner[m] = texts.iter().position(|t| shows(&item.illustrates, t));
        }
    }
    for (i, text) in texts.iter().enumerate() {
        let mine: Vec<usize> = (0..media.len()).filter(|m| owner[*m] == Some(i)).collect();
        if mine.is_empty() {
            let uses = related(text);
            rest.push(Line {
                detail: if uses.is_empty() {
                    String::new()
                } else {
                    format!("{}{}", tr("活かせる仕事："), uses.join("、"))
                },
                ..Line::plain(text)
            });
            continue;
        }
        for m in mine {
            used[m] = true;
            featured.push(Page {
                statement: text.clone(),
                related: related(text),
                media: Some(media[m].id),
                ..Page::new(Layout::Feature, title)
            });
        }
    }
    if !rest.is_empty() {
        featured.push(Page::list(title, rest));
    }
    featured
}

/// The pages of `profile`'s presentation, empty topics left out; `media`
/// are the items that may be shown, in the store's order. The cover shows
/// the photo chosen for it only when it is one of `media` and a photo.
pub fn pages(profile: &EmployerProfile, media: &[Shown]) -> Vec<Page> {
    let cover_id = profile
        .cover_media
        .as_deref()
        .and_then(|id| id.parse::<MediaId>().ok())
        .filter(|id| media.iter().any(|m| m.id == *id && !m.video));
    let mut pages = vec![Page {
        subtitle: tr("個人プロフィール").to_owned(),
        statement: profile.narrative.clone(),
        media: cover_id,
        ..Page::new(
            Layout::Cover,
            if profile.name.is_empty() {
                tr("（氏名未入力）")
            } else {
                &profile.name
            },
        )
    }];
    let mut used = vec![false; media.len()];
    let proposal = profile.proposal.as_ref();
    let uses = |strength: &str| -> Vec<String> {
        proposal
            .map(|p| {
                p.tasks
                    .iter()
                    .filter(|t| t.strengths.iter().any(|s| s == strength))
                    .map(|t| t.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let none = |_: &str| Vec::new();
    pages.extend(topic(
        tr("強み"),
        &profile.strengths,
        media,
        &mut used,
        &uses,
    ));
    pages.extend(topic(
        tr("興味・関心"),
        &profile.interests,
        media,
        &mut used,
        &none,
    ));
    pages.extend(topic(
        tr("これまでの実績"),
        &profile.achievements,
        media,
        &mut used,
        &none,
    ));
    let plain = |texts: &[String]| texts.iter().map(|t| Line::plain(t)).collect::<Vec<_>>();
    let labelled = |pairs: &[(&'static str, String)]| {
        pairs
            .iter()
            .map(|(label, value)| Line {
                label: tr(label).to_owned(),
                text: value.clone(),
                detail: String::new(),
            })
            .collect::<Vec<_>>()
    };
    let mut lists = vec![
        (tr("資格"), plain(&profile.qualifications)),
        (tr("希望する仕事"), plain(&profile.preferred_work)),
        (tr("希望条件"), labelled(&profile.conditions)),
    ];
    if let Some(p) = proposal {
        let tasks = p
            .tasks
            .iter()
            .map(|t| Line {
                label: t.when.clone(),
                text: t.name.clone(),
                detail: if t.strengths.is_empty() {
                    String::new()
                } else {
                    format!("{}{}", tr("活かせる強み："), t.strengths.join("、"))
                },
            })
            .collect();
        lists.push((tr("提案する仕事"), tasks));
        lists.push((tr("提案する働き方"), labelled(&p.conditions)));
    }
    lists.push((tr("病名"), plain(&profile.diseases)));
    lists.push((tr("配慮してほしいこと"), plain(&profile.accommodations)));
    for (title, lines) in lists {
        if !lines.is_empty() {
            pages.push(Page::list(title, lines));
        }
    }
    // What illustrates nothing of the profile: a page of its own — but
    // the cover photo, when it says nothing more than the cover does.
    for (item, _) in media.iter().zip(&used).filter(|(_, used)| !**used) {
        if cover_id == Some(item.id) && item.illustrates.trim().is_empty() {
            continue;
        }
        let kind = if item.video {
            tr("動画")
        } else {
            tr("写真")
        };
        pages.push(Page {
            statement: item.illustrates.trim().to_owned(),
            media: Some(item.id),
            ..Page::new(Layout::Feature, kind)
        });
    }
    pages
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::{Disclosure, demo_cases};
    use tsunagi_core::reference::ReferenceDb;

    use super::*;

    fn item(illustrates: &str, video: bool) -> Shown {
        Shown {
            id: MediaId::new(),
            illustrates: illustrates.to_owned(),
            caption: format!("{illustrates}の様子"),
            video,
        }
    }

    fn profile(disclosure: Disclosure) -> EmployerProfile {
        let db = ReferenceDb::bundled().expect("bundled reference");
        let mut case = demo_cases().remove(0);
        case.disclosure = disclosure;
        EmployerProfile::of(&case, &db)
    }

    #[test]
    fn each_strength_stands_beside_the_photo_or_clip_that_shows_it() {
        let p = profile(Disclosure::NotDisclosed);
        let photo = item("数字の入力が正確", false);
        let clip = item(" 電話応対が丁寧で落ち着いている。", true);
        let other = item("丁寧な作業", false);
        let shown = pages(&p, &[photo.clone(), clip.clone(), other.clone()]);
        let feature = |id| {
            shown
                .iter()
                .find(|pg| pg.layout == Layout::Feature && pg.media == Some(id))
                .expect("a page for the item")
        };
        assert_eq!(feature(photo.id).statement, p.strengths[0]);
        assert_eq!(feature(photo.id).title, "強み");
        assert_eq!(
            feature(photo.id).related,
            ["請求書データの入力と照合"],
            "the task proposed that uses it"
        );
        assert_eq!(feature(clip.id).statement, p.strengths[1]);
        // The strength no item shows is on the list page, with its task.
        let list = shown
            .iter()
            .find(|pg| pg.layout == Layout::List && pg.title == "強み")
            .expect("the other strengths");
        assert_eq!(list.lines.len(), 1);
        assert_eq!(list.lines[0].text, p.strengths[2]);
        assert!(list.lines[0].detail.contains("顧客名簿の更新"));
        // An item that shows nothing of the profile comes last.
        let last = shown.last().expect("pages");
        assert_eq!(last.media, Some(other.id));
        assert_eq!(last.statement, "丁寧な作業");
    }

    #[test]
    fn the_cover_shows_the_chosen_photo_only_when_it_may_be_shown() {
        let mut p = profile(Disclosure::NotDisclosed);
        let photo = item("", false);
        let clip = item("", true);
        p.cover_media = Some(photo.id.to_string());
        let shown = pages(&p, &[photo.clone(), clip.clone()]);
        assert_eq!(shown[0].layout, Layout::Cover);
        assert_eq!(shown[0].title, "見本 花子");
        assert_eq!(shown[0].media, Some(photo.id));
        assert_eq!(
            shown.iter().filter(|p| p.media == Some(photo.id)).count(),
            1,
            "a cover photo that illustrates nothing has no page of its own"
        );
        // Not among the items that may be shown (unapproved, withdrawn,
        // no consent): no photo on the cover.
        assert_eq!(pages(&p, std::slice::from_ref(&clip))[0].media, None);
        // A clip is no cover photo.
        p.cover_media = Some(clip.id.to_string());
        assert_eq!(pages(&p, &[photo, clip])[0].media, None);
    }

    #[test]
    fn the_proposal_follows_the_profile_and_the_disease_only_when_disclosed() {
        let titles = |d| -> Vec<String> {
            pages(&profile(d), &[])
                .into_iter()
                .map(|p| p.title)
                .collect()
        };
        let hidden = titles(Disclosure::NotDisclosed);
        assert!(hidden.contains(&"提案する仕事".to_owned()), "{hidden:?}");
        assert!(hidden.contains(&"提案する働き方".to_owned()));
        assert!(!hidden.contains(&"病名".to_owned()));
        assert!(!hidden.contains(&"配慮してほしいこと".to_owned()));
        let shown = pages(&profile(Disclosure::Disclosed), &[]);
        let disease = shown
            .iter()
            .find(|p| p.title == "病名")
            .expect("a disease page");
        assert_eq!(disease.lines, [Line::plain("潰瘍性大腸炎")]);
        let tasks = shown
            .iter()
            .find(|p| p.title == "提案する仕事")
            .expect("the tasks");
        assert_eq!(tasks.lines[0].label, "月末・月初・約120分");
        assert!(tasks.lines[0].detail.starts_with("活かせる強み："));
    }

    #[test]
    fn a_word_of_one_letter_pairs_with_nothing() {
        assert!(!shows("強", "強みがある"));
        assert!(shows("丁寧な作業", "丁寧な作業が得意"));
        assert!(shows(
            "数字の入力が正確で、必ず見直しをする",
            "数字の入力が正確"
        ));
        assert!(!shows("", "数字の入力が正確"));
    }
}
