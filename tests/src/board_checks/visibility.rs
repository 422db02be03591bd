//! The board's visibility rule through every door: for each reader and
//! each visibility, `may_read` and what `list_posts`, `get_post`,
//! `comments`, `history` and `search` answer must agree; and the rules of
//! posting, editing, deleting, listing and searching around it.

use tsunagi_centre::accounts::Role;
use tsunagi_centre::board::model::SEEDED_CATEGORIES;
use tsunagi_centre::board::visibility::may_read;
use tsunagi_centre::board::{
    Board, BoardError, Kind, NewPost, PostFilter, PostId, Viewer, Visibility,
};

use super::{agency, category, viewer};

fn post(title: &str, body: &str, visibility: Visibility) -> NewPost {
    NewPost {
        category: category("techniques"),
        kind: Kind::Information,
        title: title.to_owned(),
        body: body.to_owned(),
        visibility,
    }
}

/// The four visibilities, the chosen agency being `east`.
fn visibilities() -> [Visibility; 4] {
    [
        Visibility::CentreOnly,
        Visibility::MyAgency,
        Visibility::Agencies(vec!["east".to_owned()]),
        Visibility::AllAgencies,
    ]
}

/// Posts one post per visibility by `author` (all holding 就労支援 in the
/// body), each with one comment and one edit, and checks that each reader
/// in `table` (name, viewer, expected for each visibility in order) sees
/// exactly the expected ones through every query.
fn check_every_door(board: &mut dyn Board, author: &Viewer, table: &[(&str, Viewer, [bool; 4])]) {
    let mut ids: Vec<(PostId, Visibility)> = Vec::new();
    for visibility in visibilities() {
        let id = match board.create_post(
            author,
            &post(
                &format!("{} の投稿", visibility.code()),
                "就労支援の進め方について",
                visibility.clone(),
            ),
        ) {
            Ok(id) => id,
            Err(BoardError::CentreHasNoAgency) if author.is_centre() => continue,
            Err(e) => panic!("posting failed: {e}"),
        };
        board
            .add_comment(author, id, "補足です")
            .expect("the author comments");
        board
            .edit_post(author, id, "件名(改)", "就労支援の進め方について(改)")
            .expect("the author edits");
        ids.push((id, visibility));
    }
    for (who, reader, expected) in table {
        let listed: Vec<PostId> = board
            .list_posts(reader, &PostFilter::default())
            .expect("a list")
            .iter()
            .map(|p| p.id)
            .collect();
        let found: Vec<PostId> = board
            .search(reader, "就労支援")
            .expect("a search")
            .iter()
            .map(|p| p.id)
            .collect();
        let found_short: Vec<PostId> = board
            .search(reader, "支援")
            .expect("a short search")
            .iter()
            .map(|p| p.id)
            .collect();
        for (id, visibility) in &ids {
            let at = visibilities()
                .iter()
                .position(|v| v == visibility)
                .expect("one of the four");
            let want = expected[at];
            let case = format!("{who} reading a {} post", visibility.code());
            assert_eq!(
                may_read(reader, author.login().as_str(), author.agency(), visibility),
                want,
                "may_read: {case}"
            );
            assert_eq!(listed.contains(id), want, "list_posts: {case}");
            assert_eq!(
                board.get_post(reader, *id).expect("a get").is_some(),
                want,
                "get_post: {case}"
            );
            assert_eq!(
                board.comments(reader, *id).expect("comments").len(),
                usize::from(want),
                "comments: {case}"
            );
            assert_eq!(
                board.history(reader, *id).expect("history").len(),
                usize::from(want),
                "history: {case}"
            );
            assert_eq!(found.contains(id), want, "search (trigram): {case}");
            assert_eq!(found_short.contains(id), want, "search (LIKE): {case}");
        }
        assert_eq!(listed.len(), found.len(), "{who}: search and list agree");
    }
}

/// Every reader sees an agency members post as its visibility says.
pub fn every_reader_sees_an_agency_members_post_as_its_visibility_says(board: &mut dyn Board) {
    let author = agency("aoi", "north");
    //                                              centre only, my agency, [east], all
    let table = [
        (
            "an administrator",
            viewer("admin", Role::Admin),
            [true, true, true, true],
        ),
        (
            "a researcher",
            viewer("kei", Role::Researcher),
            [true, true, true, true],
        ),
        ("the author", author.clone(), [true, true, true, true]),
        (
            "a colleague of the author",
            agency("ren", "north"),
            [false, true, true, true],
        ),
        (
            "a member of the chosen agency",
            agency("mio", "east"),
            [false, false, true, true],
        ),
        (
            "a member of another agency",
            agency("sho", "west"),
            [false, false, false, true],
        ),
    ];
    check_every_door(board, &author, &table);
}

/// Every reader sees a centre post as its visibility says.
pub fn every_reader_sees_a_centre_post_as_its_visibility_says(board: &mut dyn Board) {
    // A centre account cannot choose "my agency": that column is skipped.
    let author = viewer("kei", Role::Researcher);
    let table = [
        (
            "an administrator",
            viewer("admin", Role::Admin),
            [true, true, true, true],
        ),
        (
            "another researcher",
            viewer("yui", Role::Researcher),
            [true, true, true, true],
        ),
        (
            "a member of the chosen agency",
            agency("mio", "east"),
            [false, false, true, true],
        ),
        (
            "a member of another agency",
            agency("sho", "west"),
            [false, false, false, true],
        ),
    ];
    check_every_door(board, &author, &table);
}

/// A post that may not be read is answered like one that does not exist.
pub fn a_post_that_may_not_be_read_is_answered_like_one_that_does_not_exist(board: &mut dyn Board) {
    let author = agency("aoi", "north");
    let outsider = agency("sho", "west");
    let hidden = board
        .create_post(
            &author,
            &post("内部", "自機関だけの連絡", Visibility::MyAgency),
        )
        .expect("posted");
    let missing = PostId(hidden.0 + 1000);
    assert!(board.get_post(&outsider, hidden).expect("a get").is_none());
    assert!(board.get_post(&outsider, missing).expect("a get").is_none());
    for id in [hidden, missing] {
        assert!(matches!(
            board.add_comment(&outsider, id, "こんにちは"),
            Err(BoardError::NoSuchPost)
        ));
        assert!(matches!(
            board.edit_post(&outsider, id, "t", "b"),
            Err(BoardError::NoSuchPost)
        ));
        assert!(matches!(
            board.delete_post(&outsider, id),
            Err(BoardError::NoSuchPost)
        ));
        assert!(board.comments(&outsider, id).expect("comments").is_empty());
    }
}

/// A deleted post is gone for agencies and researchers but not for administrators.
pub fn a_deleted_post_is_gone_for_agencies_and_researchers_but_not_for_administrators(
    board: &mut dyn Board,
) {
    let author = agency("aoi", "north");
    let colleague = agency("ren", "north");
    let researcher = viewer("kei", Role::Researcher);
    let admin = viewer("admin", Role::Admin);
    let id = board
        .create_post(
            &author,
            &post(
                "お知らせ",
                "就労支援の進め方について",
                Visibility::AllAgencies,
            ),
        )
        .expect("posted");
    board
        .add_comment(&colleague, id, "了解です")
        .expect("commented");
    assert!(matches!(
        board.delete_post(&colleague, id),
        Err(BoardError::NotAuthor)
    ));
    board.delete_post(&author, id).expect("the author deletes");
    for reader in [&author, &colleague, &researcher] {
        assert!(board.get_post(reader, id).expect("a get").is_none());
        assert!(
            board
                .list_posts(reader, &PostFilter::default())
                .expect("a list")
                .is_empty()
        );
        assert!(
            board
                .search(reader, "就労支援")
                .expect("a search")
                .is_empty()
        );
        assert!(board.comments(reader, id).expect("comments").is_empty());
    }
    assert!(matches!(
        board.add_comment(&colleague, id, "まだ見えますか"),
        Err(BoardError::NoSuchPost)
    ));
    let kept = board
        .get_post(&admin, id)
        .expect("a get")
        .expect("kept for the administrator");
    assert!(kept.deleted);
    assert_eq!(board.comments(&admin, id).expect("comments").len(), 1);
}

/// An edit keeps the old text in the history and only the author edits.
pub fn an_edit_keeps_the_old_text_in_the_history_and_only_the_author_edits(board: &mut dyn Board) {
    let author = agency("aoi", "north");
    let id = board
        .create_post(
            &author,
            &post("初めの件名", "初めの本文", Visibility::AllAgencies),
        )
        .expect("posted");
    board
        .edit_post(&author, id, "直した件名", "直した本文")
        .expect("edited");
    assert!(matches!(
        board.edit_post(&viewer("admin", Role::Admin), id, "x", "y"),
        Err(BoardError::NotAuthor)
    ));
    let now = board
        .get_post(&author, id)
        .expect("a get")
        .expect("the post");
    assert_eq!(
        (now.title.as_str(), now.body.as_str()),
        ("直した件名", "直した本文")
    );
    assert!(now.updated_at >= now.created_at);
    let history = board.history(&author, id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].title, "初めの件名");
    assert_eq!(history[0].body, "初めの本文");
    // The search follows the edit: the old words no longer find it.
    assert!(
        board
            .search(&author, "初めの本文")
            .expect("a search")
            .is_empty()
    );
    assert_eq!(
        board.search(&author, "直した本文").expect("a search").len(),
        1
    );
}

/// A japanese search finds a three character substring and nothing hidden.
pub fn a_japanese_search_finds_a_three_character_substring_and_nothing_hidden(
    board: &mut dyn Board,
) {
    let north = agency("aoi", "north");
    let west = agency("sho", "west");
    let open = board
        .create_post(
            &north,
            &post("相談", "就労支援の進め方について", Visibility::AllAgencies),
        )
        .expect("posted");
    let closed = board
        .create_post(
            &north,
            &post(
                "内部",
                "就労支援の進め方について(内部)",
                Visibility::MyAgency,
            ),
        )
        .expect("posted");
    board
        .create_post(
            &north,
            &post("別件", "職場定着の工夫", Visibility::AllAgencies),
        )
        .expect("posted");
    let ids =
        |posts: Vec<tsunagi_centre::board::Post>| posts.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(
        ids(board.search(&west, "就労支").expect("a search")),
        vec![open]
    );
    assert_eq!(
        ids(board.search(&west, "進め方").expect("a search")),
        vec![open]
    );
    assert_eq!(
        ids(board.search(&north, "就労支援").expect("a search")),
        vec![closed, open]
    );
    assert_eq!(
        ids(board.search(&west, "就労支援 進め方").expect("a search")),
        vec![open]
    );
    assert!(
        board
            .search(&west, "就職支援")
            .expect("a search")
            .is_empty()
    );
    assert!(board.search(&west, "  ").expect("a search").is_empty());
    // FTS5 syntax and LIKE wildcards in a query are only text.
    for odd in [
        "\"",
        "AND OR NOT",
        "*",
        "a\"b c(",
        "%",
        "_",
        "%%%",
        "NEAR(a b)",
    ] {
        assert!(
            board
                .search(&west, odd)
                .expect("an odd query is not an error")
                .is_empty(),
            "{odd}"
        );
    }
}

/// A script in a title is kept as text.
pub fn a_script_in_a_title_is_kept_as_text(board: &mut dyn Board) {
    let author = agency("aoi", "north");
    let title = "<script>alert('x')</script> & \"引用\"";
    let id = board
        .create_post(&author, &post(title, "本文", Visibility::AllAgencies))
        .expect("posted");
    let stored = board
        .get_post(&author, id)
        .expect("a get")
        .expect("the post");
    assert_eq!(stored.title, title);
    assert_eq!(
        board.search(&author, "<script>").expect("a search").len(),
        1
    );
}

/// A post must say something and name whom it is for.
pub fn a_post_must_say_something_and_name_whom_it_is_for(board: &mut dyn Board) {
    let member = agency("aoi", "north");
    let centre = viewer("kei", Role::Researcher);
    assert!(matches!(
        board.create_post(&centre, &post("件名", "本文", Visibility::MyAgency)),
        Err(BoardError::CentreHasNoAgency)
    ));
    assert!(matches!(
        board.create_post(
            &member,
            &post("件名", "本文", Visibility::Agencies(vec![" ".into()]))
        ),
        Err(BoardError::NoAgencyChosen)
    ));
    assert!(matches!(
        board.create_post(&member, &post(" ", "本文", Visibility::AllAgencies)),
        Err(BoardError::EmptyTitle)
    ));
    assert!(matches!(
        board.create_post(&member, &post("件名", "\n", Visibility::AllAgencies)),
        Err(BoardError::EmptyBody)
    ));
    assert!(
        board
            .list_posts(&centre, &PostFilter::default())
            .expect("a list")
            .is_empty()
    );
}

/// A list keeps to its category and kind newest first.
pub fn a_list_keeps_to_its_category_and_kind_newest_first(board: &mut dyn Board) {
    let member = agency("aoi", "north");
    let mut ids = Vec::new();
    for (code, label, _) in SEEDED_CATEGORIES {
        let mut new = post(label, "本文", Visibility::AllAgencies);
        new.category = category(code);
        ids.push(board.create_post(&member, &new).expect("posted"));
    }
    let all = board
        .list_posts(&member, &PostFilter::default())
        .expect("a list");
    let newest_first: Vec<PostId> = ids.iter().rev().copied().collect();
    assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), newest_first);
    let reports = PostFilter {
        category: Some(category("reports")),
        ..PostFilter::default()
    };
    let listed = board.list_posts(&member, &reports).expect("a list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].category.label_ja(), "報告");
    let enquiries = PostFilter {
        kind: Some(Kind::Enquiry),
        ..PostFilter::default()
    };
    assert!(
        board
            .list_posts(&member, &enquiries)
            .expect("a list")
            .is_empty()
    );
    let two = PostFilter {
        limit: Some(2),
        ..PostFilter::default()
    };
    assert_eq!(board.list_posts(&member, &two).expect("a list").len(), 2);
}

/// A list pages backwards from a post's number, and a post the reader
/// may not read is on no page.
pub fn a_list_pages_backwards_from_a_post_number(board: &mut dyn Board) {
    let member = agency("aoi", "north");
    let other = agency("sora", "south");
    let mut mine = Vec::new();
    for n in 0..5 {
        mine.push(
            board
                .create_post(
                    &member,
                    &post(&format!("投稿{n}"), "本文", Visibility::AllAgencies),
                )
                .expect("posted"),
        );
        board
            .create_post(&other, &post("南の内部", "本文", Visibility::MyAgency))
            .expect("posted");
    }
    let page = |board: &mut dyn Board, before: Option<PostId>| {
        let filter = PostFilter {
            limit: Some(2),
            before,
            ..PostFilter::default()
        };
        board
            .list_posts(&member, &filter)
            .expect("a list")
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    let first = page(board, None);
    assert_eq!(first, [mine[4], mine[3]]);
    let second = page(board, first.last().copied());
    assert_eq!(second, [mine[2], mine[1]]);
    let third = page(board, second.last().copied());
    assert_eq!(third, [mine[0]]);
    assert!(page(board, Some(mine[0])).is_empty());
}

/// A search answers the newest hundred of what matches.
pub fn a_search_answers_the_newest_hundred_of_what_matches(board: &mut dyn Board) {
    let author = agency("aoi", "north");
    let limit = tsunagi_centre::board::store::SEARCH_LIMIT as usize;
    let mut last = None;
    for n in 0..limit + 5 {
        let id = board
            .create_post(
                &author,
                &post(
                    &format!("{n}件目"),
                    "就労支援の進め方",
                    Visibility::AllAgencies,
                ),
            )
            .expect("posts");
        last = Some(id);
    }
    let found = board.search(&author, "就労支援").expect("searches");
    assert_eq!(found.len(), limit);
    assert_eq!(found.first().map(|p| p.id), last, "newest first");
}
