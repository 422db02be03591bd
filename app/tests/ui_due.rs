//! What is due (期限・予定) beside the case list: computed from the cases
//! (a certificate running out, a support-plan item past its date), overdue
//! first, each naming its case; tapping one opens the case; locking
//! empties it.

mod common;
use common::*;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use time::{Duration, OffsetDateTime};
use tsunagi_app::window::ui::{CaseAdapter, DueAdapter, Screen};
use tsunagi_core::model::{Case, MedicalCertificate, PlanItemStatus, SupportPlanItem};
use tsunagi_core::pii::Identifying;

fn ymd(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[test]
fn the_case_list_shows_what_is_due_overdue_first_and_opens_its_case() {
    // The window shows dates in Japan's offset (as `logged_in_window` sets).
    let today = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+9))
        .date();
    let (soon, late, far) = (
        today + Duration::days(10),
        today - Duration::days(3),
        today + Duration::days(90),
    );
    let (_temp, app) = logged_in_window(|store| {
        let mut yamada = Case::new();
        yamada.basic.name = Identifying::new("山田 花子".to_owned());
        yamada.basic.medical_certificates.push(MedicalCertificate {
            valid_until: Some(soon),
            ..MedicalCertificate::default()
        });
        store.create_case(&yamada).expect("a case");

        let mut suzuki = Case::new();
        suzuki.basic.name = Identifying::new("鈴木 一郎".to_owned());
        let mut late_item = SupportPlanItem::new("履歴書を一緒に作る");
        late_item.due = Some(late);
        let mut done_item = SupportPlanItem::new("面接の練習");
        done_item.due = Some(late);
        done_item.status = PlanItemStatus::Done;
        let mut far_item = SupportPlanItem::new("職場見学");
        far_item.due = Some(far);
        suzuki.case_management.support_plan.items = vec![late_item, done_item, far_item];
        store.create_case(&suzuki).expect("a case");
    });
    let w = app.window();
    settle();

    let due = w.global::<DueAdapter<'_>>();
    let items: Vec<(String, String, String, bool)> = due
        .get_items()
        .iter()
        .map(|e| {
            (
                e.when.to_string(),
                e.name.to_string(),
                e.what.to_string(),
                e.overdue,
            )
        })
        .collect();
    // The item done, and the one three months off, are not listed.
    assert_eq!(
        items,
        vec![
            (ymd(late), "鈴木 一郎".into(), "支援計画の期限".into(), true),
            (
                ymd(soon),
                "山田 花子".into(),
                "医療受給者証の有効期限".into(),
                false
            ),
        ]
    );
    let overdue = format!("期限切れ：{}、鈴木 一郎、支援計画の期限", ymd(late));
    assert!(shows(w, &overdue, AccessibleRole::ListItem));
    assert!(shows(
        w,
        &format!("{}、山田 花子、医療受給者証の有効期限", ymd(soon)),
        AccessibleRole::ListItem
    ));

    // Tapping an item opens its case.
    press_as(w, &overdue, AccessibleRole::ListItem);
    assert_eq!(w.get_screen(), Screen::Case);
    assert_eq!(w.global::<CaseAdapter<'_>>().get_name(), "鈴木 一郎");

    // Locking empties the list.
    w.global::<tsunagi_app::window::ui::CaseListAdapter<'_>>()
        .invoke_lock();
    settle();
    assert_eq!(due.get_items().row_count(), 0);
}

#[test]
fn in_portrait_the_due_list_shows_three_until_unfolded() {
    let soon = OffsetDateTime::now_utc().date() + Duration::days(5);
    let names = ["相田", "井上", "上野", "江口", "大野"];
    let (_temp, app) = logged_in_window(|store| {
        for name in names {
            let mut case = Case::new();
            case.basic.name = Identifying::new(name.to_owned());
            case.basic.medical_certificates.push(MedicalCertificate {
                valid_until: Some(soon),
                ..MedicalCertificate::default()
            });
            store.create_case(&case).expect("a case");
        }
    });
    let w = app.window();
    w.window().set_size(slint::LogicalSize::new(800.0, 1280.0));
    settle();
    let listed = |w: &tsunagi_app::window::ui::AppWindow| {
        names
            .iter()
            .filter(|name| {
                !all(
                    w,
                    &format!("{}、{name}、医療受給者証の有効期限", ymd(soon)),
                    AccessibleRole::ListItem,
                )
                .is_empty()
            })
            .count()
    };
    assert_eq!(listed(w), 3);
    press(w, "すべて表示（5件）");
    assert_eq!(listed(w), 5);
    press(w, "たたむ");
    assert_eq!(listed(w), 3);
}
