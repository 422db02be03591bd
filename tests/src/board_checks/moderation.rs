//! Reports hide a post until an administrator reviews it; what each reader
//! has read; the audit log. Through every door a post can be reached by.

use tsunagi_centre::accounts::Role;
use tsunagi_centre::board::audit::Action;
use tsunagi_centre::board::moderation::Decision;
use tsunagi_centre::board::{
    Board, BoardError, Kind, NewPost, PostFilter, PostId, Viewer, Visibility,
};

use super::{agency as staff, category, viewer};

fn post(board: &mut dyn Board, author: &Viewer, title: &str) -> PostId {
    board
        .create_post(
            author,
            &NewPost {
                category: category("questions"),
                kind: Kind::Enquiry,
                title: title.to_owned(),
                body: "就労支援の進め方について".to_owned(),
                visibility: Visibility::AllAgencies,
            },
        )
        .expect("posts")
}

/// Whether `reader` reaches the post `id` by list, address, search and
/// comments (each must agree).
fn reaches(board: &mut dyn Board, reader: &Viewer, id: PostId) -> bool {
    let listed = board
        .list_posts(reader, &PostFilter::default())
        .expect("lists")
        .iter()
        .any(|p| p.id == id);
    let direct = board.get_post(reader, id).expect("reads").is_some();
    let found = board
        .search(reader, "就労支援")
        .expect("searches")
        .iter()
        .any(|p| p.id == id);
    let commented = !board.comments(reader, id).expect("comments").is_empty();
    assert_eq!(listed, direct, "list and address agree");
    assert_eq!(found, direct, "search and address agree");
    assert_eq!(commented, direct, "comments and address agree");
    direct
}

/// A report hides a post from all but its author and administrators until reviewed.
pub fn a_report_hides_a_post_from_all_but_its_author_and_administrators_until_reviewed(
    board: &mut dyn Board,
) {
    let author = staff("aoi", "north");
    let colleague = staff("ren", "north");
    let reporter = staff("sora", "east");
    let researcher = viewer("kei", Role::Researcher);
    let admin = viewer("admin", Role::Admin);
    let id = post(board, &author, "名前の出ている投稿");
    board
        .add_comment(&author, id, "補足です")
        .expect("comments");
    for reader in [&author, &colleague, &reporter, &researcher, &admin] {
        assert!(reaches(board, reader, id));
    }

    board
        .report_post(&reporter, id, "利用者の名前が書かれています")
        .expect("reports");
    for reader in [&colleague, &reporter, &researcher] {
        assert!(!reaches(board, reader, id), "hidden from {reader:?}");
    }
    assert!(reaches(board, &author, id), "its author still reads it");
    assert!(reaches(board, &admin, id), "an administrator reviews it");
    assert!(
        board
            .get_post(&author, id)
            .expect("reads")
            .expect("a post")
            .hidden,
        "the author is told it is hidden"
    );
    // A comment on a hidden post is refused as on a missing one.
    assert!(matches!(
        board.add_comment(&colleague, id, "見えますか"),
        Err(BoardError::NoSuchPost)
    ));

    // Only an administrator reviews.
    assert!(matches!(
        board.reports_to_review(&researcher),
        Err(BoardError::NotAdministrator)
    ));
    assert!(matches!(
        board.review(&author, id, Decision::Restore),
        Err(BoardError::NotAdministrator)
    ));
    let open = board.reports_to_review(&admin).expect("the queue");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].post.id, id);
    assert_eq!(open[0].reports[0].reason, "利用者の名前が書かれています");

    board
        .review(&admin, id, Decision::Restore)
        .expect("restores");
    for reader in [&colleague, &reporter, &researcher] {
        assert!(reaches(board, reader, id), "shown again to {reader:?}");
    }
    assert!(
        board
            .reports_to_review(&admin)
            .expect("the queue")
            .is_empty()
    );
    assert!(
        matches!(
            board.review(&admin, id, Decision::Remove),
            Err(BoardError::NoSuchPost)
        ),
        "a review needs an open report"
    );

    // Reported again and removed: deleted for everyone but administrators.
    board.report_post(&colleague, id, "").expect("reports");
    board.review(&admin, id, Decision::Remove).expect("removes");
    for reader in [&author, &colleague, &reporter, &researcher] {
        assert!(!reaches(board, reader, id), "deleted for {reader:?}");
    }
    assert!(
        board
            .get_post(&admin, id)
            .expect("reads")
            .expect("kept")
            .deleted
    );
}

/// A post one may not read cannot be reported.
pub fn a_post_one_may_not_read_cannot_be_reported(board: &mut dyn Board) {
    let author = staff("aoi", "north");
    let id = board
        .create_post(
            &author,
            &NewPost {
                category: category("questions"),
                kind: Kind::Enquiry,
                title: "自機関のみ".into(),
                body: "本文".into(),
                visibility: Visibility::MyAgency,
            },
        )
        .expect("posts");
    let outsider = staff("sora", "east");
    assert!(matches!(
        board.report_post(&outsider, id, "理由"),
        Err(BoardError::NoSuchPost)
    ));
    assert!(
        !board
            .get_post(&author, id)
            .expect("reads")
            .expect("a post")
            .hidden
    );
}

/// A post is unread until opened and again after a new comment.
pub fn a_post_is_unread_until_opened_and_again_after_a_new_comment(board: &mut dyn Board) {
    let author = staff("aoi", "north");
    let reader = staff("ren", "east");
    let first = post(board, &author, "一つ目");
    let second = post(board, &author, "二つ目");
    let unread = |board: &mut dyn Board| {
        let mut ids: Vec<i64> = board
            .unread_among(&reader, &[first, second])
            .expect("unread")
            .into_iter()
            .map(|p| p.0)
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(unread(board), vec![first.0, second.0]);
    board.mark_read(&reader, first).expect("marks");
    assert_eq!(unread(board), vec![second.0]);
    board
        .add_comment(&author, first, "追記です")
        .expect("comments");
    assert_eq!(unread(board), vec![first.0, second.0], "a new comment");
    board.mark_read(&reader, first).expect("marks");
    board.mark_read(&reader, second).expect("marks");
    assert!(unread(board).is_empty());
    let unread_only = PostFilter {
        unread_only: true,
        ..PostFilter::default()
    };
    assert!(
        board
            .list_posts(&reader, &unread_only)
            .expect("lists")
            .is_empty()
    );
    assert_eq!(
        board
            .list_posts(&author, &unread_only)
            .expect("lists")
            .len(),
        2,
        "what one reader read is not another's"
    );
}

/// Every change is in the audit log without any text written.
pub fn every_change_is_in_the_audit_log_without_any_text_written(board: &mut dyn Board) {
    let author = staff("aoi", "north");
    let admin = viewer("admin", Role::Admin);
    board
        .record_login(author.login(), true)
        .expect("records the login");
    let id = post(board, &author, "秘密の件名");
    board
        .add_comment(&author, id, "秘密のコメント")
        .expect("comments");
    board
        .edit_post(&author, id, "直した件名", "直した本文")
        .expect("edits");
    board
        .set_visibility(&author, id, &Visibility::MyAgency)
        .expect("narrows who reads it");
    board
        .set_visibility(&author, id, &Visibility::MyAgency)
        .expect("the same again changes nothing");
    board
        .report_post(&author, id, "秘密の理由")
        .expect("reports");
    board
        .review(&admin, id, Decision::Restore)
        .expect("restores");
    board.delete_post(&author, id).expect("deletes");

    assert!(matches!(
        board.audit_log(&author, 100),
        Err(BoardError::NotAdministrator)
    ));
    let log = board.audit_log(&admin, 100).expect("the log");
    let actions: Vec<Action> = log.iter().rev().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![
            Action::LoggedIn,
            Action::Posted,
            Action::Commented,
            Action::Edited,
            Action::VisibilityChanged,
            Action::Reported,
            Action::Restored,
            Action::Deleted,
        ]
    );
    assert!(
        log.iter()
            .filter(|e| e.action != Action::LoggedIn)
            .all(|e| e.post == Some(id))
    );
    let change = log
        .iter()
        .find(|e| e.action == Action::VisibilityChanged)
        .expect("the change");
    assert_eq!(change.detail.as_deref(), Some("all→agency"));
    let text = format!("{log:?}");
    for secret in ["秘密", "直した"] {
        assert!(!text.contains(secret), "{text}");
    }
}
