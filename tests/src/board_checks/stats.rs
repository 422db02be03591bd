//! The board's statistics: what each reader's numbers count, that a post
//! hidden from a reader changes none of their numbers, the per-agency
//! table for the centre only, months in Japan time, the period, and the
//! CSV.

use time::macros::date;
use tsunagi_centre::accounts::Role;
use tsunagi_centre::board::stats::{BoardStats, Period, PosterType, Tally, to_csv};
use tsunagi_centre::board::{Category, CommentId, Kind, NewPost, PostId, Viewer, Visibility};

use super::{Boards, Dated, TestBoard, category, viewer};

/// Agency A.
const NORTH: &str = "北市就労支援センター";
/// Agency B.
const EAST: &str = "東市難病相談支援センター";

fn researcher() -> Viewer {
    viewer("kei", Role::Researcher)
}

fn admin() -> Viewer {
    viewer("admin", Role::Admin)
}

/// Agency A's author.
fn aoi() -> Viewer {
    viewer("aoi", Role::Agency(NORTH.to_owned()))
}

/// Agency A's other member.
fn ren() -> Viewer {
    viewer("ren", Role::Agency(NORTH.to_owned()))
}

/// Agency B's member.
fn sora() -> Viewer {
    viewer("sora", Role::Agency(EAST.to_owned()))
}

fn new_post(category_code: &str, kind: Kind, visibility: Visibility) -> NewPost {
    NewPost {
        category: category(category_code),
        kind,
        title: "就労支援の進め方について".to_owned(),
        body: "面談の前に就労支援の流れを紙で渡しています。".to_owned(),
        visibility,
    }
}

/// A post by `author`, made at `at` (RFC 3339).
fn post(
    board: &mut TestBoard,
    author: &Viewer,
    category: &str,
    kind: Kind,
    visibility: Visibility,
    at: &str,
) -> PostId {
    let id = board
        .board
        .create_post(author, &new_post(category, kind, visibility))
        .expect("the post is made");
    board.clock.set(Dated::Post, id.0, at);
    id
}

/// A comment by `author` on `post`, made at `at`.
fn comment(board: &mut TestBoard, author: &Viewer, post: PostId, at: &str) -> CommentId {
    let id = board
        .board
        .add_comment(author, post, "補足です。")
        .expect("the comment is made");
    board.clock.set(Dated::Comment, id.0, at);
    id
}

/// All-time statistics for `reader`.
fn stats(board: &mut TestBoard, reader: &Viewer) -> BoardStats {
    board.board.stats(reader, None).expect("statistics")
}

/// Posts and comments by the centre, agency A (north) and agency B
/// (east). With `hidden_from_east`, also those agency B's `sora` may not
/// read: A's "my agency" and "centre only" posts, a centre-only post of
/// the centre's, and the comments on them. A deleted post with a comment
/// is made either way.
fn seed(board: &mut TestBoard, hidden_from_east: bool) {
    let t = "2027-05-10T01:00:00Z";
    let welcome = post(
        board,
        &researcher(),
        "project",
        Kind::Notice,
        Visibility::AllAgencies,
        t,
    );
    comment(board, &sora(), welcome, t);
    comment(board, &aoi(), welcome, t);
    let to_east = post(
        board,
        &aoi(),
        "conversation",
        Kind::Information,
        Visibility::Agencies(vec![EAST.to_owned()]),
        t,
    );
    comment(board, &sora(), to_east, t);
    post(
        board,
        &sora(),
        "conversation",
        Kind::Enquiry,
        Visibility::AllAgencies,
        t,
    );
    let gone = post(
        board,
        &ren(),
        "project",
        Kind::Report,
        Visibility::AllAgencies,
        t,
    );
    comment(board, &sora(), gone, t);
    board
        .board
        .delete_post(&admin(), gone)
        .expect("the administrator deletes it");
    if hidden_from_east {
        let own = post(
            board,
            &aoi(),
            "techniques",
            Kind::Information,
            Visibility::MyAgency,
            // A month of its own: not even the month may show.
            "2027-07-01T01:00:00Z",
        );
        comment(board, &ren(), own, "2027-08-01T01:00:00Z");
        let to_centre = post(
            board,
            &aoi(),
            "reports",
            Kind::Report,
            Visibility::CentreOnly,
            t,
        );
        comment(board, &researcher(), to_centre, t);
        let internal = post(
            board,
            &researcher(),
            "questions",
            Kind::Other,
            Visibility::CentreOnly,
            t,
        );
        comment(board, &researcher(), internal, t);
    }
}

/// `(key, posts, comments)` of each line.
/// `(code, posts, comments)` of each category.
fn category_counts(lines: &[Tally<Category>]) -> Vec<(&str, u64, u64)> {
    lines
        .iter()
        .map(|t| (t.key.code().as_str(), t.posts, t.comments))
        .collect()
}

fn counts<K: Clone>(lines: &[Tally<K>]) -> Vec<(K, u64, u64)> {
    lines
        .iter()
        .map(|t| (t.key.clone(), t.posts, t.comments))
        .collect()
}

/// `(login, posts, comments)` of each person.
fn people(stats: &BoardStats) -> Vec<(String, u64, u64)> {
    stats
        .by_person
        .iter()
        .map(|t| (t.key.as_str().to_owned(), t.posts, t.comments))
        .collect()
}

/// Another agencys hidden posts change none of an agency members numbers.
pub fn another_agencys_hidden_posts_change_none_of_an_agency_members_numbers(
    boards: &mut dyn Boards,
) {
    let mut with_hidden = boards.fresh();
    seed(&mut with_hidden, true);
    let mut without = boards.fresh();
    seed(&mut without, false);
    let seen = stats(&mut with_hidden, &sora());
    assert_eq!(seen, stats(&mut without, &sora()));

    // What sora reads: the centre's welcome (2 comments), A's post to
    // east (1 comment), sora's own post; not the deleted one.
    assert_eq!((seen.posts, seen.comments), (3, 3));
    assert_eq!(
        category_counts(&seen.by_category),
        [
            ("project", 1, 2),
            ("model", 0, 0),
            ("techniques", 0, 0),
            ("questions", 0, 0),
            ("reports", 0, 0),
            ("publicity", 0, 0),
            ("conversation", 2, 1),
        ]
    );
    assert_eq!(
        counts(&seen.by_kind),
        [
            (Kind::Notice, 1, 2),
            (Kind::Enquiry, 1, 0),
            (Kind::Report, 0, 0),
            (Kind::Information, 1, 1),
            (Kind::Other, 0, 0),
        ]
    );
    assert_eq!(
        counts(&seen.by_poster),
        [(PosterType::Centre, 1, 0), (PosterType::Agencies, 2, 3)]
    );
    assert_eq!(
        people(&seen),
        [
            ("sora".to_owned(), 1, 2),
            ("aoi".to_owned(), 1, 1),
            ("kei".to_owned(), 1, 0),
        ]
    );
    let months: Vec<String> = seen.by_month.iter().map(|t| t.key.to_string()).collect();
    assert_eq!(months, ["2027-05"]);
    assert_eq!(seen.by_agency, None);
}

/// The centre counts every post that is not deleted and each agency.
pub fn the_centre_counts_every_post_that_is_not_deleted_and_each_agency(boards: &mut dyn Boards) {
    let board = &mut boards.fresh();
    seed(board, true);
    let researcher_stats = stats(board, &researcher());
    let admin_stats = stats(board, &admin());
    // Deleted posts are not counted for an administrator either.
    assert_eq!(researcher_stats, admin_stats);
    let stats = researcher_stats;
    assert_eq!((stats.posts, stats.comments), (6, 6));
    assert_eq!(
        counts(&stats.by_poster),
        [(PosterType::Centre, 2, 2), (PosterType::Agencies, 4, 4)]
    );
    assert_eq!(
        counts(
            stats
                .by_agency
                .as_deref()
                .expect("the centre sees agencies")
        ),
        [(NORTH.to_owned(), 3, 2), (EAST.to_owned(), 1, 2)]
    );
    let months: Vec<String> = stats.by_month.iter().map(|t| t.key.to_string()).collect();
    assert_eq!(months, ["2027-05", "2027-06", "2027-07", "2027-08"]);
    let june = &stats.by_month[1];
    assert_eq!(
        (june.posts, june.comments),
        (0, 0),
        "a quiet month is listed"
    );
    assert_eq!(
        people(&stats),
        [
            ("aoi".to_owned(), 3, 1),
            ("kei".to_owned(), 2, 2),
            ("sora".to_owned(), 1, 2),
            ("ren".to_owned(), 0, 1),
        ]
    );
}

/// Only the centre gets the table by agency.
pub fn only_the_centre_gets_the_table_by_agency(boards: &mut dyn Boards) {
    let board = &mut boards.fresh();
    seed(board, true);
    for reader in [aoi(), ren(), sora()] {
        assert_eq!(stats(board, &reader).by_agency, None);
    }
    for reader in [researcher(), admin()] {
        assert!(stats(board, &reader).by_agency.is_some());
    }
}

/// An agency member counts their colleagues my agency posts but not their centre only ones.
pub fn an_agency_member_counts_their_colleagues_my_agency_posts_but_not_their_centre_only_ones(
    boards: &mut dyn Boards,
) {
    let board = &mut boards.fresh();
    seed(board, true);
    let author = stats(board, &aoi());
    let colleague = stats(board, &ren());
    // aoi reads their own "centre only" post and the researcher's comment
    // on it; ren does not.
    assert_eq!((author.posts, author.comments), (5, 5));
    assert_eq!((colleague.posts, colleague.comments), (4, 4));
    assert_eq!(category_counts(&author.by_category)[4], ("reports", 1, 1));
    assert_eq!(
        category_counts(&colleague.by_category)[4],
        ("reports", 0, 0)
    );
}

/// Months are counted in japan time.
pub fn months_are_counted_in_japan_time(boards: &mut dyn Boards) {
    let board = &mut boards.fresh();
    let reader = researcher();
    let (notice, report) = (Kind::Notice, Kind::Report);
    let all = Visibility::AllAgencies;
    // 23:59:59 on 31 March in Japan, and midnight on 1 April.
    let march = post(
        board,
        &reader,
        "project",
        notice,
        all.clone(),
        "2027-03-31T14:59:59Z",
    );
    post(
        board,
        &reader,
        "project",
        report,
        all,
        "2027-03-31T15:00:00Z",
    );
    // 1 June in Japan, still 31 May in UTC.
    comment(board, &aoi(), march, "2027-05-31T15:00:00Z");

    let stats = stats(board, &reader);
    let months: Vec<(String, u64, u64)> = stats
        .by_month
        .iter()
        .map(|t| (t.key.to_string(), t.posts, t.comments))
        .collect();
    assert_eq!(
        months,
        [
            ("2027-03".to_owned(), 1, 0),
            ("2027-04".to_owned(), 1, 0),
            ("2027-05".to_owned(), 0, 0),
            ("2027-06".to_owned(), 0, 1),
        ]
    );

    // The fiscal year 2027 (1 April 2027 to 31 March 2028, in Japan)
    // starts with the second post.
    let fiscal_2027 = Period::new(date!(2027 - 04 - 01), date!(2028 - 03 - 31)).expect("a period");
    let within = board
        .board
        .stats(&reader, Some(fiscal_2027))
        .expect("statistics");
    assert_eq!((within.posts, within.comments), (1, 1));
    assert_eq!(within.period, Some(fiscal_2027));
    // The comment is in June, on a post of March: it counts under the
    // post's kind.
    assert_eq!(counts(&within.by_kind)[0], (Kind::Notice, 0, 1));
    assert_eq!(counts(&within.by_kind)[2], (Kind::Report, 1, 0));
    let march_only = Period::new(date!(2027 - 03 - 31), date!(2027 - 03 - 31)).expect("a day");
    let stats = board
        .board
        .stats(&reader, Some(march_only))
        .expect("statistics");
    assert_eq!((stats.posts, stats.comments), (1, 0));
    assert!(Period::new(date!(2027 - 04 - 01), date!(2027 - 03 - 31)).is_none());
}

/// Shares are percent of the posts and of the comments counted.
pub fn shares_are_percent_of_the_posts_and_of_the_comments_counted(boards: &mut dyn Boards) {
    let board = &mut boards.fresh();
    let t = "2027-05-10T01:00:00Z";
    let first = post(
        board,
        &researcher(),
        "project",
        Kind::Notice,
        Visibility::AllAgencies,
        t,
    );
    for category in ["conversation", "conversation"] {
        post(
            board,
            &aoi(),
            category,
            Kind::Other,
            Visibility::AllAgencies,
            t,
        );
    }
    comment(board, &sora(), first, t);
    let stats = stats(board, &researcher());
    let project = &stats.by_category[0];
    assert_eq!(
        (project.posts_percent, project.comments_percent),
        (33.3, 100.0)
    );
    let conversation = &stats.by_category[6];
    assert_eq!(
        (conversation.posts_percent, conversation.comments_percent),
        (66.7, 0.0)
    );
    let centre = &stats.by_poster[0];
    assert_eq!(centre.posts_percent, 33.3);

    let empty = boards
        .fresh()
        .board
        .stats(&researcher(), None)
        .expect("statistics");
    assert_eq!((empty.posts, empty.comments), (0, 0));
    assert_eq!(empty.by_category.len(), 7);
    assert!(empty.by_category.iter().all(|t| t.posts_percent == 0.0));
    assert!(empty.by_month.is_empty());
    assert!(empty.by_person.is_empty());
}

/// The csv opens in a japanese spreadsheet and names agencies only for the centre.
pub fn the_csv_opens_in_a_japanese_spreadsheet_and_names_agencies_only_for_the_centre(
    boards: &mut dyn Boards,
) {
    let board = &mut boards.fresh();
    seed(board, true);
    let csv = to_csv(&stats(board, &researcher()));
    assert!(csv.starts_with('\u{feff}'), "a byte order mark");
    assert!(csv.ends_with("\r\n"));
    assert!(!csv.replace("\r\n", "").contains('\n'), "CRLF lines only");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("表 Table,項目 Item,投稿数 Posts,"));
    assert_eq!(lines[1], "合計 Total,全期間 All time,6,100.0,6,100.0");
    assert!(lines.contains(&"カテゴリ Category,プロジェクト進行 Project progress,1,16.7,2,33.3"));
    assert!(
        lines.contains(&"カテゴリ Category,就業支援モデル Employment support model,0,0.0,0,0.0")
    );
    assert!(lines.contains(&"種別 Kind,業務連絡 Notice,1,16.7,2,33.3"));
    assert!(lines.contains(&"月（日本時間） Month (Japan time),2027-06,0,0.0,0,0.0"));
    assert!(lines.contains(&"投稿者の種類 Poster,センター The centre,2,33.3,2,33.3"));
    assert!(lines.contains(&format!("機関 Agency,{NORTH},3,50.0,2,33.3").as_str()));
    assert!(lines.contains(&"投稿者 Person,aoi,3,50.0,1,16.7"));
    // 1 header, 1 total, 7 categories, 5 kinds, 4 months, 2 poster types,
    // 2 agencies, 4 people.
    assert_eq!(lines.len(), 26);

    let for_agency = to_csv(&stats(board, &sora()));
    assert!(!for_agency.contains("機関 Agency"));
    assert!(!for_agency.contains(NORTH));
    assert!(!for_agency.contains("2027-07"), "a hidden post's month");

    let year = Period::new(date!(2027 - 04 - 01), date!(2028 - 03 - 31)).expect("a period");
    let within = to_csv(&board.board.stats(&sora(), Some(year)).expect("statistics"));
    assert!(within.contains("\r\n合計 Total,2027-04-01〜2028-03-31,3,100.0,3,100.0\r\n"));
}

/// A name with a comma is quoted and a name like a formula is defused.
pub fn a_name_with_a_comma_is_quoted_and_a_name_like_a_formula_is_defused(boards: &mut dyn Boards) {
    let board = &mut boards.fresh();
    let t = "2027-05-10T01:00:00Z";
    let sneaky = viewer("=1+1", Role::Agency("西市, 相談室".to_owned()));
    post(
        board,
        &sneaky,
        "publicity",
        Kind::Information,
        Visibility::AllAgencies,
        t,
    );
    let csv = to_csv(&stats(board, &admin()));
    assert!(csv.contains("\r\n機関 Agency,\"西市, 相談室\",1,100.0,0,0.0\r\n"));
    assert!(csv.contains("\r\n投稿者 Person,'=1+1,1,100.0,0,0.0\r\n"));
}
