//! The categories the centre keeps: the model project's seven to start
//! with, more added by the centre, each usable at once by posts, lists and
//! statistics; a post under a category the board does not keep is
//! refused and stores nothing.

use tsunagi_centre::accounts::Role;
use tsunagi_centre::board::model::SEEDED_CATEGORIES;
use tsunagi_centre::board::{
    Board, BoardError, Category, CategoryCode, Kind, NewPost, PostFilter, Visibility,
};

use super::{agency, category, viewer};

fn codes(board: &mut dyn Board) -> Vec<String> {
    board
        .categories()
        .expect("the categories")
        .iter()
        .map(|c| c.code().to_string())
        .collect()
}

fn post_under(code: &str) -> NewPost {
    NewPost {
        category: category(code),
        kind: Kind::Information,
        title: "就労支援機器の貸出".to_owned(),
        body: "支援機器の貸出の流れをまとめました。".to_owned(),
        visibility: Visibility::AllAgencies,
    }
}

/// A new board has the model project's seven categories, in the source's
/// order, with their names.
pub fn a_new_board_has_the_model_projects_seven_categories_in_order(board: &mut dyn Board) {
    let categories = board.categories().expect("the categories");
    let seen: Vec<(&str, &str, &str)> = categories
        .iter()
        .map(|c| (c.code().as_str(), c.label_ja(), c.label_en()))
        .collect();
    assert_eq!(seen, SEEDED_CATEGORIES);
    assert_eq!(seen[0].1, "プロジェクト進行");
    assert_eq!(seen[6].1, "コミュニケーション・雑談");
}

/// A category the centre adds comes last, takes posts at once, narrows a
/// list and has its own line in the statistics; its names come back with
/// the post.
pub fn an_added_category_comes_last_and_takes_posts_lists_and_statistics(board: &mut dyn Board) {
    let added = Category::new(
        CategoryCode::parse("equipment").expect("a code"),
        " 就労支援機器 ",
        "Assistive equipment",
    )
    .expect("a category");
    board.add_category(&added).expect("added");
    let now = codes(board);
    assert_eq!(now.len(), 8);
    assert_eq!(now.last().map(String::as_str), Some("equipment"));
    let member = agency("aoi", "north");
    let under_it = board
        .create_post(&member, &post_under("equipment"))
        .expect("posted under the new category");
    board
        .create_post(&member, &post_under("techniques"))
        .expect("posted under a seeded one");

    let post = board
        .get_post(&member, under_it)
        .expect("read")
        .expect("there");
    assert_eq!(
        post.category.label_ja(),
        "就労支援機器",
        "names are trimmed"
    );
    assert_eq!(post.category.label_en(), "Assistive equipment");
    let filter = PostFilter {
        category: Some(category("equipment")),
        ..PostFilter::default()
    };
    let listed = board.list_posts(&member, &filter).expect("a list");
    assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), [under_it]);

    let stats = board
        .stats(&viewer("kei", Role::Researcher), None)
        .expect("statistics");
    let lines: Vec<(&str, u64)> = stats
        .by_category
        .iter()
        .map(|t| (t.key.code().as_str(), t.posts))
        .collect();
    assert_eq!(lines.len(), 8, "every category has a line, zeros included");
    assert_eq!(lines[2], ("techniques", 1));
    assert_eq!(lines[7], ("equipment", 1));
    assert_eq!(stats.by_category[7].posts_percent, 50.0);
}

/// A code kept already, a malformed code and an empty or overlong name are
/// refused, and the list stays as it was.
pub fn a_taken_code_or_a_malformed_category_is_refused(board: &mut dyn Board) {
    let before = codes(board);
    let again = Category::new(category("reports"), "報告書", "Report papers").expect("a category");
    assert!(matches!(
        board.add_category(&again),
        Err(BoardError::CategoryExists)
    ));
    for bad in [
        "",
        "Reports",
        "1st",
        "報告",
        "with space",
        "a_b",
        &"x".repeat(33),
    ] {
        assert!(
            matches!(CategoryCode::parse(bad), Err(BoardError::BadCategoryCode)),
            "{bad:?} is not a code"
        );
    }
    for (ja, en) in [
        ("", "Empty"),
        ("   ", "Blank"),
        ("報告", ""),
        (&*"長".repeat(41), "Long"),
    ] {
        assert!(
            matches!(
                Category::new(category("fine"), ja, en),
                Err(BoardError::BadCategoryLabel)
            ),
            "{ja:?} / {en:?} is refused"
        );
    }
    assert_eq!(codes(board), before);
    let names = board.categories().expect("the categories");
    assert_eq!(names[4].label_ja(), "報告", "the kept name is unchanged");
}

/// A post under a category the board does not keep is refused in words
/// and stores nothing.
pub fn a_post_under_a_category_the_board_does_not_keep_stores_nothing(board: &mut dyn Board) {
    let member = agency("aoi", "north");
    let refused = board.create_post(&member, &post_under("no-such-thing"));
    let Err(e) = refused else {
        panic!("a post under an unknown category was stored");
    };
    assert!(matches!(e, BoardError::NoSuchCategory));
    assert!(e.to_string().starts_with("そのカテゴリはありません"));
    let listed = board
        .list_posts(&member, &PostFilter::default())
        .expect("a list");
    assert!(listed.is_empty());
    assert!(
        board
            .search(&member, "貸出の流れ")
            .expect("a search")
            .is_empty(),
        "nothing reached the search index"
    );
}
