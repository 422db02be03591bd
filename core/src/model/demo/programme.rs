//! Demo case 4: 架空 次郎 — 後縦靱帯骨化症, on a welfare-office programme.

use time::macros::date;

use super::*;

/// 架空 次郎: OPLL, on public assistance, enrolled in a welfare-office programme.
pub(super) fn welfare_programme() -> Case {
    let mut opll = Disease::new(
        Some("ossification-of-posterior-longitudinal-ligament"),
        "後縦靱帯骨化症",
    );
    for (day, status, note) in [
        (
            date!(2019 - 10 - 01),
            DiseaseStatus::Onset,
            "首の痛みと手のしびれで受診し診断。",
        ),
        (
            date!(2023 - 06 - 01),
            DiseaseStatus::Progression,
            "しびれが強まり、頸椎の手術を受けた。",
        ),
        (
            date!(2024 - 01 - 15),
            DiseaseStatus::Improvement,
            "術後のリハビリで歩行は安定。",
        ),
    ] {
        opll.record_status(StatusChange::new(day, status, note));
    }
    let basic = BasicInfo {
        name: idf("架空 次郎"),
        kana: idf("かくう じろう"),
        birth_date: Identifying::new(Some(date!(1975 - 07 - 07))),
        birth_year: Some(1975),
        sex: Sex::Male,
        address: idf("架空県架空市もみじ台3-4-5-201"),
        phone: idf("000-0000-0601"),
        email: idf(""),
        disability_certificates: vec![DisabilityCertificate {
            kind: CertificateKind::Physical,
            grade: "4級".into(),
            issued_on: Some(date!(2023 - 12 - 01)),
            renewal_on: None,
        }],
        disability_pension: None,
        medical_certificates: vec![specified_disease_certificate(&opll, date!(2025 - 06 - 30))],
        diseases: vec![opll],
        family: vec![family(
            "母",
            "架空 ハナ",
            true,
            "要介護2。週3回デイサービスを利用。",
        )],
        supporters: vec![
            supporter(
                "担当ケースワーカー",
                "模範 太一",
                "生活保護の担当、プログラムの進行管理",
                "架空市福祉事務所 000-0000-0690",
            ),
            supporter(
                "ケアマネジャー",
                "見習 光",
                "母の介護サービスの調整",
                "000-0000-0691",
            ),
        ],
        education: vec![Education {
            school: idf("架空県立架空東高校"),
            field: "普通科".into(),
            from: Some(date!(1991 - 04 - 01)),
            to: Some(date!(1994 - 03 - 31)),
            ..Education::new(SchoolLevel::HighSchool)
        }],
        qualifications: vec![Qualification::new(
            "中型自動車運転免許",
            Some(date!(1998 - 09 - 01)),
        )],
        work_history: vec![WorkHistoryEntry {
            employer: idf("架空運送有限会社"),
            industry: "運輸業".into(),
            job: "配送ドライバー".into(),
            employment_type: Some(EmploymentType::Contract),
            from: Some(date!(2005 - 04 - 01)),
            to: Some(date!(2023 - 05 - 31)),
            reason_for_leaving: idf("手のしびれでハンドル操作が不安になり退職。"),
            ..WorkHistoryEntry::new()
        }],
        note: idf("2023年8月から生活保護を受給。"),
    };
    let career_plan = CareerPlan {
        discovery: Discovery {
            strengths: items(&["市内の道と配送先をよく知っている", "時間に正確で無遅刻"]),
            interests: items(&["パソコンで表を作ること（独学中）"]),
            preferred_work: items(&["倉庫内の在庫管理", "配車の事務"]),
            conditions: PreferredConditions {
                hours_per_week: Some(25.0),
                hours_per_day: Some(5.0),
                days_per_week: Some(5),
                time_of_day: "母のデイサービスの日は9時〜16時".into(),
                max_commute_minutes: Some(30),
                commute_means: "自転車・バス".into(),
                environment: idf("重い物を持たない、首を長く曲げない作業"),
                other: idf(""),
            },
            ..Discovery::default()
        },
        ..CareerPlan::default()
    };
    let warehouse = Employer {
        name: idf("見本倉庫サービス株式会社"),
        industry: "倉庫業".into(),
        contact_person: idf("標本 誠"),
        contact: idf("000-0000-0701"),
        status: EmployerStatus::Exploring,
        business_needs: items(&["在庫表の入力が現場任せで、数が合わないことがある"]),
        tasks: vec![
            Task::new("入出庫伝票と在庫表の照合", "毎日"),
            Task::new("配送ルートの下調べ", "週2回"),
        ],
        ..Employer::new()
    };
    let warehouse_id = warehouse.id.clone();
    let fat = issue(
        "FAT",
        "長時間同じ姿勢でいると首の痛みが出る",
        vec![Accommodation::from_reference("fat-breaks")],
    );
    let fine = issue(
        "HAND",
        "",
        vec![Accommodation::own("細かい手作業は短時間に区切る")],
    );
    let care = VocationalIssue::own("母の介護で、デイサービスのない日は早く帰る必要がある");
    let case_management = CaseManagement {
        target_occupation: None,
        support_plan: SupportPlan {
            revision: 1,
            revised_on: Some(date!(2024 - 05 - 10)),
            items: vec![
                plan_item(
                    "ハローワークへの求職登録に同行",
                    "就労支援員",
                    "ハローワーク",
                    date!(2024 - 05 - 31),
                    PlanItemStatus::Done,
                ),
                plan_item(
                    "主治医に稼働能力についての意見を聞く",
                    "担当CW",
                    "福祉事務所",
                    date!(2024 - 06 - 30),
                    PlanItemStatus::Done,
                ),
                SupportPlanItem {
                    issue_id: Some(care.id.clone()),
                    ..plan_item(
                        "デイサービスの利用日を増やす調整",
                        "担当ケアマネジャー",
                        "居宅介護支援事業所",
                        date!(2024 - 10 - 31),
                        PlanItemStatus::Done,
                    )
                },
                plan_item(
                    "倉庫業の事業所を訪問し課業を聞き取る",
                    WORKER,
                    CENTRE,
                    date!(2025 - 01 - 31),
                    PlanItemStatus::InProgress,
                ),
            ],
            earlier: Vec::new(),
        },
        vocational_issues: vec![fat, fine, care],
    };
    let programme = ProgrammeEnrolment {
        programme: "就労支援プログラム".into(),
        kind: ProgrammeKind::Employment,
        agency: "架空市福祉事務所".into(),
        selected_on: Some(date!(2024 - 04 - 15)),
        selection_criterion: "稼働能力・就労意欲あり".into(),
        selection_reason: idf("術後の経過が良く、本人から働きたいとの申し出があった。"),
        consent_on: Some(date!(2024 - 04 - 22)),
        plan_agreed_on: Some(date!(2024 - 05 - 10)),
        goals: vec![
            ProgrammeGoal {
                achieved_on: Some(date!(2024 - 05 - 20)),
                ..ProgrammeGoal::new("ハローワークに求職登録する", Some(date!(2024 - 05 - 31)))
            },
            ProgrammeGoal::new("週3日以上の仕事に就く", Some(date!(2024 - 12 - 31))),
        ],
        review_interval_months: Some(3),
        reviews: vec![
            ProgrammeReview::new(
                date!(2024 - 07 - 31),
                ProgrammeOutcome::Continue,
                "求職活動は続けているが、運転を伴わない求人が少なく応募に至らない。",
            ),
            ProgrammeReview::new(
                date!(2024 - 10 - 31),
                ProgrammeOutcome::Continue,
                "母のデイサービスが週3回になり、働ける時間が広がった。",
            ),
        ],
        barriers: vec![
            WorkBarrier {
                resolution: idf("運転を伴わない職種に絞る。主治医の意見で軽作業は可能と確認。"),
                resolved_on: Some(date!(2024 - 06 - 25)),
                ..WorkBarrier::new(
                    BarrierKind::Illness,
                    "首の痛みと手のしびれで、長時間の運転ができない。",
                )
            },
            WorkBarrier {
                resolution: idf("ケアマネジャーと調整し、デイサービスを週3回に増やした。"),
                resolved_on: Some(date!(2024 - 10 - 15)),
                ..WorkBarrier::new(BarrierKind::Care, "母の介護で、午前中に家を空けにくい。")
            },
        ],
        note: idf("経過記録は毎月、担当CWに報告する。"),
        ..ProgrammeEnrolment::new()
    };
    Case {
        id: CaseId::new(),
        stage: SupportStage::Employer,
        basic,
        career_plan,
        job_match: JobMatch {
            employers: vec![warehouse],
        },
        case_management,
        consultations: vec![
            consultation(
                date!(2024 - 04 - 22),
                ConsultationKind::Interview,
                "福祉事務所で面接。担当CW同席でプログラムを説明し、参加の同意を得る。",
                "ハローワークへの同行日を決める。",
                None,
            ),
            consultation(
                date!(2024 - 05 - 20),
                ConsultationKind::HelloWorkAccompaniment,
                "ハローワークに同行し求職登録。履歴書の書き方を一緒に確認。",
                "週1回、求職活動の状況を報告してもらう。",
                None,
            ),
            consultation(
                date!(2024 - 09 - 03),
                ConsultationKind::OwnJobSearch,
                "本人が倉庫の事務の求人に自分で応募したが、書類で不採用。",
                "求人票の条件にこだわらず、事業所に直接あたる方法を提案。",
                None,
            ),
            consultation(
                date!(2024 - 10 - 08),
                ConsultationKind::HomeVisit,
                "保健師と家庭訪問。母の介護の状況と本人の生活リズムを確認。",
                "ケアマネジャーとデイサービスの日程を調整。",
                None,
            ),
            consultation(
                date!(2025 - 01 - 16),
                ConsultationKind::EmployerVisit,
                "倉庫業の事業所を訪問。在庫表の照合に人手が足りないと聞く。",
                "課業リストをまとめ、本人と見学の日程を決める。",
                Some(&warehouse_id),
            ),
        ],
        programmes: vec![programme],
        consents: vec![
            consent(
                ConsentScope::Programme,
                "就労支援プログラムに参加すること",
                "架空市福祉事務所 保護課",
                date!(2024 - 04 - 22),
            ),
            consent(
                ConsentScope::AgencySharing,
                "支援の経過を福祉事務所とハローワークで共有すること",
                "架空市福祉事務所 保護課、ハローワーク見本",
                date!(2024 - 04 - 22),
            ),
        ],
        disclosure: Disclosure::Disclosed,
        ..Case::default()
    }
}
