//! 支援計画の改定 through the accessibility tree: a case whose plan is
//! 第1版 shows it on the ケースマネジメント tab; 「計画を改定」 asks first,
//! then makes 第2版 dated today; an item edited in 第2版 leaves 第1版 as it
//! was; the list of revisions opens 第1版 with its items and 第2版 with
//! what changed; the case reopened from the store is still at 第2版.

mod common;
use common::*;

use i_slint_backend_testing::AccessibleRole;
use slint::ComponentHandle;
use time::OffsetDateTime;
use time::macros::{date, offset};
use tsunagi_app::window::ui::{AppWindow, CaseAdapter, Screen};
use tsunagi_core::model::{Case, SupportPlanItem, revision_title_ja};
use tsunagi_core::pii::Identifying;

const NAME: &str = "改定 試子";

fn case_at_first_revision() -> Case {
    let mut case = Case::new();
    case.basic.name = Identifying::new(NAME.to_owned());
    let plan = &mut case.case_management.support_plan;
    plan.items.push(SupportPlanItem {
        who: "佐藤".into(),
        ..SupportPlanItem::new("ハローワーク同行")
    });
    plan.revise(date!(2024 - 06 - 01));
    case
}

fn open_plan(w: &AppWindow) {
    one(w, NAME, AccessibleRole::ListItem).invoke_accessible_default_action();
    settle();
    assert_eq!(w.get_screen(), Screen::Case);
    one(w, "ケースマネジメント", AccessibleRole::Tab).invoke_accessible_default_action();
    settle();
}

fn text_shows(w: &AppWindow, text: &str) -> bool {
    shows(w, text, AccessibleRole::Text)
}

#[test]
fn revising_the_plan_keeps_the_earlier_revision_to_open() {
    let (_temp, app) = logged_in_window(|store| {
        store
            .create_case(&case_at_first_revision())
            .expect("a case");
    });
    let w = app.window();
    // Lookups find only what is on screen: a window tall enough for the tab.
    w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
    settle();
    open_plan(w);
    assert!(text_shows(w, "支援計画　第1版（2024年6月1日）"));
    assert!(
        !shows(w, "改訂回数", AccessibleRole::TextInput),
        "the revision is not typed"
    );

    // 計画を改定 asks first; やめる makes nothing.
    let today = OffsetDateTime::now_utc().to_offset(offset!(+9)).date();
    let second = revision_title_ja(2, Some(today));
    press(w, "計画を改定");
    let question = format!(
        "今の計画（第1版（2024年6月1日））をそのまま残し、{second}をつくります。項目は今の内容を引き継ぎ、ここから書き直せます。よろしいですか。"
    );
    assert!(text_shows(w, &question), "the confirmation names {second}");
    press(w, "改定をやめる");
    assert!(text_shows(w, "支援計画　第1版（2024年6月1日）"));

    press(w, "計画を改定");
    press(w, "改定する");
    assert!(text_shows(w, &format!("支援計画　{second}")));
    assert!(!text_shows(w, &question), "the confirmation is gone");

    // 第2版 starts as a copy of 第1版's items; editing it leaves 第1版 alone.
    type_into(w, "項目 1：担当者", "鈴木");
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(500));

    press(w, "版の一覧");
    press(w, "第1版（2024年6月1日）");
    let item = one(w, "ハローワーク同行", AccessibleRole::ListItem);
    assert_eq!(
        item.accessible_description().map(|d| d.to_string()),
        Some("担当者：佐藤　状況：予定".to_owned()),
        "第1版 as it was agreed"
    );
    assert!(text_shows(w, "最初の版です。"));

    press(w, "版の一覧へ戻る");
    press(w, &second);
    assert!(text_shows(
        w,
        "変更：ハローワーク同行（担当者：佐藤 → 鈴木）"
    ));
    press(w, "版の一覧を閉じる");
    assert!(!shows(w, "版の一覧を閉じる", AccessibleRole::Button));

    // Saved: the case read back from the store is at 第2版.
    w.global::<CaseAdapter<'_>>().invoke_back();
    settle();
    open_plan(w);
    assert!(text_shows(w, &format!("支援計画　{second}")));
}
