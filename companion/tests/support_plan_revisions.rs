//! The support plan's revisions in print (個別就労支援計画書, 第N版): the
//! plan in force says its revision and date and lists what changed since
//! the revision before (前回（第N-1版）からの変更); an earlier revision
//! prints its own items, says that it is not the plan in force, and is
//! chosen on the command line with `print --doc support-plan --revision N`.

mod common;

use std::process::Command;

use common::{PW, Pdf, demo_store, fixed_meta, normalise};
use time::macros::date;
use tsunagi_companion::documents::{self, DocumentError, DocumentKind, Request};
use tsunagi_core::model::{Case, PlanItemStatus, Section, SupportPlanItem};
use tsunagi_core::reference::ReferenceDb;

const KEPT: &str = "ハローワークで求人の相談に同行する";
const DROPPED: &str = "履歴書の下書きを一緒に作る";
const ADDED: &str = "地域障害者職業センターで職業評価を受ける";

/// A case whose plan was agreed (第1版, with KEPT and DROPPED), then
/// revised (第2版): DROPPED removed, KEPT in progress with a new person,
/// ADDED added.
fn revised_case() -> Case {
    let mut case = Case::new();
    let plan = &mut case.case_management.support_plan;
    plan.items = vec![
        SupportPlanItem {
            who: "佐藤".into(),
            agency: "ハローワーク".into(),
            due: Some(date!(2024 - 07 - 31)),
            ..SupportPlanItem::new(KEPT)
        },
        SupportPlanItem {
            who: "本人".into(),
            ..SupportPlanItem::new(DROPPED)
        },
    ];
    plan.revise(date!(2024 - 06 - 01));
    plan.revise(date!(2024 - 09 - 01));
    plan.items.remove(1);
    plan.items[0].status = PlanItemStatus::InProgress;
    *plan.items[0].who.expose_mut() = "鈴木".into();
    plan.items.push(SupportPlanItem {
        agency: "地域障害者職業センター".into(),
        ..SupportPlanItem::new(ADDED)
    });
    case
}

fn render(case: &Case, revision: Option<u32>) -> Result<Pdf, DocumentError> {
    let db = ReferenceDb::bundled().expect("the bundled reference loads");
    let request = Request {
        plan_revision: revision,
        ..Request::new(DocumentKind::SupportPlan)
    };
    documents::render(case, &fixed_meta(), &request, &db).map(Pdf::new)
}

#[test]
fn the_plan_in_force_says_its_revision_and_what_changed_since_the_last() {
    let pdf = render(&revised_case(), None).expect("renders");
    pdf.check_sound();
    let text = normalise(&pdf.raw_text());
    for expected in [
        "計画の版第2版",
        "2024年9月1日",
        "前回（第1版）からの変更",
        &format!("変更：{KEPT}（担当者：佐藤→鈴木、状況：予定→実施中）"),
        &format!("追加：{ADDED}（関係機関：地域障害者職業センター、状況：予定）"),
        &format!("削除：{DROPPED}"),
    ] {
        assert!(
            text.contains(&normalise(expected)),
            "{expected:?} in {text}"
        );
    }
    assert!(
        !text.contains("以前の版"),
        "the plan in force is not marked old"
    );
}

#[test]
fn an_earlier_revision_prints_its_own_items() {
    let pdf = render(&revised_case(), Some(1)).expect("renders");
    pdf.check_sound();
    let text = normalise(&pdf.raw_text());
    for expected in [
        "計画の版第1版",
        "2024年6月1日",
        "これは以前の版（第1版）です。現在の計画は第2版（2024年9月1日）です。",
        KEPT,
        "佐藤",
        DROPPED,
    ] {
        assert!(
            text.contains(&normalise(expected)),
            "{expected:?} in {text}"
        );
    }
    assert!(
        !text.contains(&normalise(ADDED)),
        "第2版's item is not in 第1版"
    );
    assert!(!text.contains("鈴木"), "第2版's change is not in 第1版");
    assert!(!text.contains("からの変更"), "第1版 has nothing before it");
}

#[test]
fn a_revision_that_was_never_made_is_refused() {
    let err = render(&revised_case(), Some(3)).err().expect("refused");
    assert!(matches!(err, DocumentError::NoSuchRevision(3)), "{err:?}");
}

#[test]
fn the_command_line_prints_the_revision_asked_for() {
    let (dir, mut store, ids) = demo_store();
    let id = ids[0];
    let mut case = store.load_case(id).expect("loads");
    case.case_management.support_plan = revised_case().case_management.support_plan;
    store
        .save_section(id, &Section::CaseManagement(case.case_management))
        .expect("saves");
    drop(store);
    let work = tempfile::tempdir().expect("temp dir");
    let print = |revision: &str, doc: &str| {
        let path = work.path().join(format!("{doc}-{revision}.pdf"));
        let out = Command::new(env!("CARGO_BIN_EXE_tsunagi-companion"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args([
                "print",
                &id.to_string(),
                "--doc",
                doc,
                "--revision",
                revision,
            ])
            .arg("--out")
            .arg(&path)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", dir.path().join("keys"))
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", PW)
            .output()
            .expect("runs tsunagi-companion");
        (out, path)
    };

    let (out, path) = print("1", "support-plan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = normalise(&Pdf::new(std::fs::read(&path).expect("saved")).raw_text());
    assert!(text.contains("計画の版第1版") && text.contains(&normalise(DROPPED)));
    assert!(!text.contains(&normalise(ADDED)));

    let (out, _) = print("5", "support-plan");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第5版はありません"), "{err}");

    let (out, _) = print("1", "career-plan");
    assert!(!out.status.success(), "--revision is for the support plan");
}
