//! Demo case 3: 仮野 一郎 — パーキンソン病, hired and in follow-up.

use time::macros::date;

use super::*;

/// 仮野 一郎: Parkinson's disease, hired as an inspector, in follow-up.
pub(super) fn following_up_parkinsons() -> Case {
    let mut pd = Disease::new(Some("parkinsons-disease"), "パーキンソン病");
    for (day, status, note) in [
        (
            date!(2016 - 03 - 01),
            DiseaseStatus::Onset,
            "右手のふるえで受診し診断。",
        ),
        (
            date!(2021 - 04 - 01),
            DiseaseStatus::Progression,
            "歩き始めのすくみが出る。ヤール重症度III。",
        ),
        (
            date!(2022 - 02 - 01),
            DiseaseStatus::Improvement,
            "薬の調整で、効きの切れる時間が短くなった。",
        ),
    ] {
        pd.record_status(StatusChange::new(day, status, note));
    }
    let basic = BasicInfo {
        name: idf("仮野 一郎"),
        kana: idf("かりの いちろう"),
        birth_date: Identifying::new(Some(date!(1968 - 10 - 21))),
        birth_year: Some(1968),
        sex: Sex::Male,
        address: idf("架空県仮町けやき通り10-11"),
        phone: idf("000-0000-0401"),
        email: idf("ichiro.karino@example.com"),
        disability_certificates: vec![DisabilityCertificate {
            kind: CertificateKind::Physical,
            grade: "3級".into(),
            issued_on: Some(date!(2021 - 09 - 01)),
            renewal_on: None,
        }],
        disability_pension: Some(DisabilityPension {
            kind: PensionKind::Employees,
            grade: Some(3),
            since: Some(date!(2022 - 01 - 01)),
            renewal_on: Some(date!(2026 - 12 - 31)),
        }),
        medical_certificates: vec![specified_disease_certificate(&pd, date!(2025 - 09 - 30))],
        diseases: vec![pd],
        family: vec![
            family("妻", "仮野 良子", true, "介護職の正社員。"),
            family("長女", "仮野 愛", false, "隣の市に住む。"),
        ],
        supporters: vec![
            supporter(
                "妻",
                "仮野 良子",
                "服薬の声かけと朝の送り出し",
                "000-0000-0402",
            ),
            supporter(
                "保健師",
                "例示 保子",
                "体調と生活の相談",
                "架空県仮保健所 000-0000-0490",
            ),
        ],
        education: vec![Education {
            school: idf("架空県立仮工業高校"),
            field: "機械科".into(),
            from: Some(date!(1984 - 04 - 01)),
            to: Some(date!(1987 - 03 - 31)),
            ..Education::new(SchoolLevel::HighSchool)
        }],
        qualifications: vec![
            Qualification::new("第二種電気工事士", Some(date!(1990 - 07 - 01))),
            Qualification::new("フォークリフト運転技能講習", Some(date!(1995 - 05 - 20))),
        ],
        work_history: vec![WorkHistoryEntry {
            employer: idf("架空精機株式会社"),
            industry: "製造業".into(),
            job: "機械加工（旋盤）".into(),
            employment_type: Some(EmploymentType::Regular),
            from: Some(date!(1987 - 04 - 01)),
            to: Some(date!(2021 - 06 - 30)),
            reason_for_leaving: idf("症状が進み、旋盤作業が危険になったため退職。"),
            ..WorkHistoryEntry::new()
        }],
        note: idf("朝の薬が効くまで1時間ほどかかる。"),
    };
    let strengths = items(&[
        "部品の不良を見分ける目が確か",
        "後輩に手順を分かりやすく教えられる",
    ]);
    let meeting = PlanningMeeting {
        attendees: vec![
            Attendee::new("仮野 一郎", "本人"),
            Attendee::new("仮野 良子", "妻"),
            Attendee::new(WORKER, "就業支援員"),
            Attendee::new("模擬 健", "ハローワーク担当者"),
        ],
        minutes: idf("座ってできる検品の仕事を、午前中心の短時間から始める方向で合意。"),
        ..PlanningMeeting::new(date!(2022 - 05 - 20))
    };
    let career_plan = CareerPlan {
        discovery: Discovery {
            strengths: strengths.clone(),
            interests: items(&["古い時計の分解と修理", "家庭菜園"]),
            preferred_work: items(&["検品・部品の仕分け"]),
            achievements: items(&["治具の改良の提案で社内表彰を受けた"]),
            conditions: PreferredConditions {
                hours_per_week: Some(20.0),
                hours_per_day: Some(4.0),
                days_per_week: Some(5),
                time_of_day: "9時30分〜13時30分".into(),
                max_commute_minutes: Some(20),
                commute_means: "路線バス".into(),
                environment: idf("座ってできる作業で、通路に段差が少ないこと"),
                other: idf(""),
            },
            activities: vec![DiscoveryActivity::new(
                date!(2022 - 04 - 12),
                DiscoveryActivityKind::Observation,
                "自宅の作業台で時計を分解する様子を見る。手順の段取りが正確。",
            )],
            narrative: idf("ものづくり一筋の職人肌。教えることにも喜びを感じる。"),
            cover_media: None,
        },
        direction: CareerDirection {
            summary: idf("座位での検品・軽作業。午前中心の短時間勤務から始める。"),
            job_areas: vec!["検品".into(), "部品の仕分け".into()],
            agreed_at_meeting: Some(meeting.id.clone()),
        },
        meetings: vec![meeting],
    };
    let inspect = Task {
        minutes: Some(120),
        strength_ids: vec![strengths[0].id.clone()],
        selected: true,
        ..Task::new("完成品の目視検品", "毎日")
    };
    let bagging = Task {
        minutes: Some(60),
        selected: true,
        ..Task::new("部品の数量確認と袋詰め", "毎日")
    };
    let manual = Task {
        minutes: Some(60),
        strength_ids: vec![strengths[1].id.clone()],
        selected: true,
        ..Task::new("作業手順書の見直し", "月1回")
    };
    let conditions = JobConditions {
        date: Some(date!(2022 - 08 - 10)),
        hours_per_week: Some(20.0),
        days_per_week: Some(5),
        schedule: "月〜金 9時30分〜13時30分".into(),
        wage: Some(Wage {
            amount_yen: 1_050,
            unit: WageUnit::Hourly,
        }),
        duties: vec![inspect.id.clone(), bagging.id.clone(), manual.id.clone()],
        accommodations: vec![
            Accommodation::from_reference("hand-task-adjustment"),
            Accommodation::own("出勤は薬が効いてからの9時30分とする"),
        ],
        note: idf("病名は工場長にのみ伝える。"),
    };
    let workshop = Employer {
        name: idf("有限会社れんしゅう製作所"),
        industry: "製造業".into(),
        address: idf("架空県仮町工業団地2-1"),
        contact_person: idf("練習 工"),
        contact: idf("000-0000-0501"),
        status: EmployerStatus::Agreed,
        business_needs: items(&[
            "熟練者が検品に追われ、加工に専念できない",
            "作業手順書が古く新人が迷う",
        ]),
        proposed: JobConditions {
            date: Some(date!(2022 - 07 - 20)),
            ..conditions.clone()
        },
        negotiated: conditions,
        adjustments: vec![
            Adjustment::new(
                Some("HAND"),
                "細かい部品をつまむ作業でふるえが出る",
                "トレーと治具を使い、つまむ作業を減らす",
            ),
            Adjustment::new(
                Some("FAT"),
                "昼前に動きが鈍くなる",
                "勤務を13時30分までにする",
            ),
        ],
        tasks: vec![inspect, bagging, manual],
        ..Employer::new()
    };
    let workshop_id = workshop.id.clone();
    let case_management = CaseManagement {
        target_occupation: None,
        vocational_issues: vec![
            issue(
                "HAND",
                "手のふるえで細かい部品の扱いが難しい",
                vec![Accommodation::from_reference("hand-task-adjustment")],
            ),
            issue(
                "FAT",
                "",
                vec![Accommodation::from_reference("fat-adjust-workload")],
            ),
            issue(
                "CLIN",
                "月1回の通院（神経内科）",
                vec![Accommodation::from_reference("clin-leave-and-hours")],
            ),
            VocationalIssue::own("歩き始めのすくみによる転倒の心配"),
        ],
        support_plan: SupportPlan {
            revision: 3,
            revised_on: Some(date!(2023 - 09 - 01)),
            items: vec![
                plan_item(
                    "通路の段差と作業台の高さを確認",
                    WORKER,
                    CENTRE,
                    date!(2022 - 08 - 31),
                    PlanItemStatus::Done,
                ),
                plan_item(
                    "ジョブコーチ支援の利用",
                    "職業センターのジョブコーチ",
                    "地域障害者職業センター",
                    date!(2022 - 11 - 30),
                    PlanItemStatus::Done,
                ),
                plan_item(
                    "冬場の出勤時刻の見直しを事業所と相談",
                    WORKER,
                    CENTRE,
                    date!(2023 - 11 - 30),
                    PlanItemStatus::InProgress,
                ),
            ],
            earlier: Vec::new(),
        },
    };
    let monitoring = Monitoring {
        hire: Some(HireConfirmation {
            employer_id: workshop_id.clone(),
            hired_on: Some(date!(2022 - 09 - 01)),
            job_title: "検品スタッフ".into(),
            hours_per_week: Some(20.0),
            employment_type: Some(EmploymentType::PartTime),
            job_category: Some(JobCategory::Production),
            disability_employment: true,
            note: idf("障害者雇用として採用。特定求職者雇用開発助成金の対象。"),
            ..HireConfirmation::default()
        }),
        follow_ups: vec![
            FollowUp {
                work_changes: idf("検品の手順を覚え、一人で任されるようになった。"),
                notes: idf("工場長から、丁寧で助かっているとの声。"),
                ..FollowUp::new(date!(2022 - 09 - 15), FollowUpKind::WorkplaceVisit)
            },
            FollowUp {
                health_changes: idf("疲れはあるが、睡眠はとれている。"),
                notes: idf("休日は家庭菜園を続けている。"),
                ..FollowUp::new(date!(2022 - 10 - 20), FollowUpKind::Interview)
            },
            FollowUp {
                health_changes: idf("寒い朝は動き出しが遅く、始業に間に合わないことがある。"),
                work_changes: idf("作業手順書の改訂を任された。"),
                ..FollowUp::new(date!(2023 - 01 - 12), FollowUpKind::EmployerContact)
            },
            FollowUp {
                notes: idf("冬場だけ始業を10時にする案を検討。"),
                ..FollowUp::new(date!(2023 - 09 - 01), FollowUpKind::CaseMeeting)
            },
        ],
        reviews: vec![
            Review {
                evaluation: idf("3か月経過。検品の精度が高く、職場に定着している。"),
                changes: idf("ジョブコーチ支援を終了。"),
                plan_revised: true,
                ..Review::new(date!(2022 - 12 - 01))
            },
            Review {
                evaluation: idf("1年経過。冬場の朝の症状に配慮が必要。"),
                changes: idf("11月〜2月は始業を10時とする方向で調整。"),
                plan_revised: true,
                ..Review::new(date!(2023 - 09 - 01))
            },
        ],
        summary: Summary {
            written_on: Some(date!(2023 - 09 - 30)),
            outcome: CaseOutcome::Employed,
            text: idf(
                "検品の仕事を通じて熟練の目が生かされ、1年以上勤務を続けている。定着支援は継続。",
            ),
            confirmations: vec![
                SupporterConfirmation {
                    confirmed_on: Some(date!(2023 - 10 - 02)),
                    ..SupporterConfirmation::new(WORKER, CENTRE)
                },
                SupporterConfirmation {
                    confirmed_on: Some(date!(2023 - 10 - 05)),
                    ..SupporterConfirmation::new("模擬 健", "ハローワーク見本")
                },
                SupporterConfirmation::new("例示 保子", "架空県仮保健所"),
            ],
        },
    };
    Case {
        id: CaseId::new(),
        stage: SupportStage::FollowUp,
        basic,
        career_plan,
        job_match: JobMatch {
            employers: vec![workshop],
        },
        case_management,
        monitoring,
        consultations: vec![
            consultation(
                date!(2022 - 04 - 05),
                ConsultationKind::Interview,
                "初回面接。退職後、家にこもりがちで、また働きたいとのこと。",
                "自宅での作業の様子を見せてもらう。",
                None,
            ),
            consultation(
                date!(2022 - 06 - 14),
                ConsultationKind::HelloWorkAccompaniment,
                "ハローワークに同行。障害者求人の中から製造業の事業所を探す。",
                "候補の事業所を訪問する。",
                None,
            ),
            consultation(
                date!(2022 - 07 - 06),
                ConsultationKind::EmployerVisit,
                "事業所訪問。工場長と検品工程を見学。熟練者の手が足りないと聞く。",
                "課業リストと提案書を作る。",
                Some(&workshop_id),
            ),
            consultation(
                date!(2023 - 01 - 12),
                ConsultationKind::Phone,
                "工場長より電話。寒い朝の遅刻が続いているとの相談。",
                "ケース会議で始業時刻の調整を話し合う。",
                Some(&workshop_id),
            ),
        ],
        consents: vec![
            consent(
                ConsentScope::Registration,
                "支援のために個人情報を登録すること",
                "本センターの担当就業支援員",
                date!(2022 - 04 - 05),
            ),
            consent(
                ConsentScope::EmployerSharing,
                "病名と配慮事項を工場長にのみ伝えること",
                "有限会社れんしゅう製作所 工場長",
                date!(2022 - 07 - 15),
            ),
            consent(
                ConsentScope::Research,
                "進捗データを匿名化して研究部門に提供すること",
                "架空研究センター",
                date!(2022 - 04 - 05),
            ),
        ],
        disclosure: Disclosure::Partial,
        ..Case::default()
    }
}
