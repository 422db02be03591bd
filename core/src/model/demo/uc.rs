//! Demo case 1: 見本 花子 — 潰瘍性大腸炎, negotiating with an employer.

use time::macros::date;

use super::*;

/// 見本 花子: ulcerative colitis, two relapses, negotiating with a printer.
pub(super) fn negotiating_uc() -> Case {
    let mut uc = Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎");
    uc.subtype = "全大腸炎型".into();
    uc.note = idf("主治医より、ストレスと睡眠不足が続くと再燃しやすいとの説明あり。");
    for (day, status, note) in [
        (
            date!(2012 - 09 - 01),
            DiseaseStatus::Onset,
            "下痢と血便が続き受診、大腸内視鏡で診断。",
        ),
        (
            date!(2014 - 04 - 01),
            DiseaseStatus::Remission,
            "内服治療で寛解。",
        ),
        (
            date!(2019 - 11 - 01),
            DiseaseStatus::Relapse,
            "決算期の残業が続いた後に再燃、3週間入院。",
        ),
        (date!(2020 - 06 - 01), DiseaseStatus::Remission, ""),
        (
            date!(2023 - 10 - 15),
            DiseaseStatus::Relapse,
            "再燃。倉庫の席からトイレが遠く、前職を続けられなかった。",
        ),
        (
            date!(2024 - 03 - 01),
            DiseaseStatus::Improvement,
            "生物学的製剤に切り替え後、症状が落ち着いている。",
        ),
    ] {
        uc.record_status(StatusChange::new(day, status, note));
    }

    let basic = BasicInfo {
        name: idf("見本 花子"),
        kana: idf("みほん はなこ"),
        birth_date: Identifying::new(Some(date!(1988 - 05 - 14))),
        birth_year: Some(1988),
        sex: Sex::Female,
        address: idf("架空県見本市さくら町1-2-3 見本ハイツ101"),
        phone: idf("000-0000-0101"),
        email: idf("hanako.mihon@example.com"),
        disability_certificates: Vec::new(),
        disability_pension: None,
        medical_certificates: vec![specified_disease_certificate(&uc, date!(2025 - 09 - 30))],
        diseases: vec![uc],
        family: vec![
            family(
                "母",
                "見本 和子",
                true,
                "パート勤務。通院の送迎を手伝っている。",
            ),
            family("父", "見本 正", true, "会社員。"),
        ],
        supporters: vec![
            supporter(
                "母",
                "見本 和子",
                "通院の送迎、体調の変化に気づいたときの連絡",
                "000-0000-0102",
            ),
            supporter(
                "主治医",
                "例野 医師",
                "就労上の配慮についての意見書",
                "架空県立見本病院 消化器内科 000-0000-0190",
            ),
        ],
        education: vec![Education {
            school: idf("架空大学"),
            field: "文学部".into(),
            from: Some(date!(2007 - 04 - 01)),
            to: Some(date!(2011 - 03 - 31)),
            ..Education::new(SchoolLevel::University)
        }],
        qualifications: vec![
            Qualification::new("日商簿記検定2級", Some(date!(2010 - 11 - 21))),
            Qualification::new("MOS Excel", Some(date!(2016 - 02 - 10))),
        ],
        work_history: vec![
            WorkHistoryEntry {
                employer: idf("株式会社サンプル商事"),
                industry: "卸売業".into(),
                job: "一般事務（経理）".into(),
                employment_type: Some(EmploymentType::Regular),
                from: Some(date!(2011 - 04 - 01)),
                to: Some(date!(2019 - 12 - 31)),
                reason_for_leaving: idf("再燃による入院が長引き、復職の見通しが立たず退職。"),
                ..WorkHistoryEntry::new()
            },
            WorkHistoryEntry {
                employer: idf("見本物流株式会社"),
                industry: "運輸業".into(),
                job: "データ入力".into(),
                employment_type: Some(EmploymentType::PartTime),
                from: Some(date!(2021 - 04 - 01)),
                to: Some(date!(2023 - 12 - 31)),
                reason_for_leaving: idf("再燃時、席を離れにくい配置で続けられなくなった。"),
                ..WorkHistoryEntry::new()
            },
        ],
        note: idf("午前中は体調が安定しにくいと本人談。"),
    };

    let strengths = items(&[
        "数字の入力が正確で、必ず見直しをする",
        "電話応対が丁寧で落ち着いている",
        "表計算で作業を効率化する工夫ができる",
    ]);
    let meeting = PlanningMeeting {
        attendees: vec![
            Attendee::new("見本 花子", "本人"),
            Attendee::new("見本 和子", "母"),
            Attendee::new(WORKER, "就業支援員"),
            Attendee::new("模擬 健", "ハローワーク担当者"),
        ],
        minutes: idf("事務補助を軸に、週20時間程度から始める方向で合意。病名は開示する方針。"),
        ..PlanningMeeting::new(date!(2024 - 05 - 29))
    };
    let career_plan = CareerPlan {
        discovery: Discovery {
            strengths: strengths.clone(),
            interests: items(&["図書館や資料の整理", "ベランダでのハーブ栽培"]),
            preferred_work: items(&["事務補助（データ入力・書類整理）"]),
            achievements: items(&["前職で請求書チェックの手順書を作り、部署全体で使われた"]),
            conditions: PreferredConditions {
                hours_per_week: Some(20.0),
                hours_per_day: Some(5.0),
                days_per_week: Some(4),
                time_of_day: "10時〜15時".into(),
                max_commute_minutes: Some(30),
                commute_means: "電車（各駅停車）".into(),
                environment: idf("トイレに近い席で、急な離席を言い出しやすい雰囲気"),
                other: idf("月1回の通院日は休みにしたい"),
            },
            activities: vec![
                DiscoveryActivity::new(
                    date!(2024 - 04 - 10),
                    DiscoveryActivityKind::Interview,
                    "これまでの仕事で楽しかったこと・得意だったことを聞き取り。",
                ),
                DiscoveryActivity::new(
                    date!(2024 - 04 - 24),
                    DiscoveryActivityKind::HomeVisit,
                    "自宅で家計簿と手作りの在庫表を見せてもらう。整理の工夫が多い。",
                ),
                DiscoveryActivity::new(
                    date!(2024 - 05 - 08),
                    DiscoveryActivityKind::InformantInterview,
                    "前職の上司から、締め切り前の正確さを評価していたと聞く。",
                ),
            ],
            narrative: idf(
                "几帳面で、仕組みを整えるのが好きな人。人の役に立つ裏方の仕事に誇りを持つ。",
            ),
            cover_media: None,
        },
        direction: CareerDirection {
            summary: idf("事務補助（入力・書類整理）を中心に、週20時間以内の勤務から始める。"),
            job_areas: vec!["データ入力".into(), "書類整理".into(), "経理補助".into()],
            agreed_at_meeting: Some(meeting.id.clone()),
        },
        meetings: vec![meeting],
    };

    let invoices = Task {
        minutes: Some(120),
        strength_ids: vec![strengths[0].id.clone()],
        selected: true,
        ..Task::new("請求書データの入力と照合", "月末・月初")
    };
    let customers = Task {
        minutes: Some(60),
        strength_ids: vec![strengths[2].id.clone()],
        selected: true,
        ..Task::new("顧客名簿の更新", "毎日")
    };
    let mail = Task {
        minutes: Some(30),
        selected: true,
        ..Task::new("郵便物の仕分け", "毎日")
    };
    let reception = Task {
        note: idf("繁忙時は席を離れにくいため、今回は外す。"),
        ..Task::new("電話の一次受付", "随時")
    };
    let toilet_seat = Accommodation::from_reference("toil-near-toilet");
    let clinic_day = Accommodation::from_reference("clin-leave-and-hours");
    let printer = Employer {
        name: idf("株式会社ためし印刷"),
        industry: "印刷業".into(),
        address: idf("架空県見本市みなと町4-5-6"),
        contact_person: idf("模型 一子"),
        contact: idf("000-0000-0201"),
        status: EmployerStatus::Negotiating,
        business_needs: items(&[
            "月末の請求書発行で事務担当が毎月残業になっている",
            "顧客名簿の入力が後回しになり、宛名の誤りが出ている",
        ]),
        proposed: JobConditions {
            date: Some(date!(2024 - 07 - 10)),
            hours_per_week: Some(20.0),
            days_per_week: Some(4),
            schedule: "月〜木 10時〜15時".into(),
            wage: Some(Wage {
                amount_yen: 1_100,
                unit: WageUnit::Hourly,
            }),
            duties: vec![invoices.id.clone(), customers.id.clone(), mail.id.clone()],
            accommodations: vec![
                toilet_seat.clone(),
                clinic_day.clone(),
                Accommodation::own("体調が悪い日は名簿入力だけに切り替えられるようにする"),
            ],
            note: idf("トライアル雇用（3か月）の活用を併せて提案。"),
        },
        negotiated: JobConditions {
            date: Some(date!(2024 - 08 - 02)),
            hours_per_week: Some(16.0),
            days_per_week: Some(4),
            schedule: "月・火・木・金 10時〜14時".into(),
            wage: Some(Wage {
                amount_yen: 1_100,
                unit: WageUnit::Hourly,
            }),
            duties: vec![invoices.id.clone(), customers.id.clone()],
            accommodations: vec![toilet_seat, clinic_day],
            note: idf("事業所から、最初の3か月は週16時間でとの回答。水曜を通院日に充てる。"),
        },
        adjustments: vec![
            Adjustment::new(
                Some("TOIL"),
                "事務所の奥の席からトイレまで遠い",
                "出入口とトイレに近い席に変更してもらう",
            ),
            Adjustment::new(
                Some("CLIN"),
                "月1回、平日の通院がある",
                "水曜を勤務日から外し、通院日に充てる",
            ),
        ],
        note: idf("社長が難病の社員を雇った経験あり。開示に前向き。"),
        tasks: vec![invoices, customers, mail, reception],
        ..Employer::new()
    };
    let supermarket = Employer {
        name: idf("見本スーパー株式会社"),
        industry: "小売業".into(),
        status: EmployerStatus::Declined,
        note: idf("品出しと立ち仕事が中心で、条件が合わなかった。"),
        ..Employer::new()
    };
    let printer_id = printer.id.clone();

    let toil = issue(
        "TOIL",
        "急な便意があり、すぐに離席できることが必要",
        vec![
            Accommodation::from_reference("toil-near-toilet"),
            Accommodation::from_reference("toil-facilities"),
        ],
    );
    let fat = issue(
        "FAT",
        "再燃後は午後に疲れが出やすい",
        vec![
            Accommodation::from_reference("fat-breaks"),
            Accommodation::own("午後に10分の休憩を入れる"),
        ],
    );
    let clin = issue(
        "CLIN",
        "",
        vec![Accommodation::from_reference("clin-leave-and-hours")],
    );
    let uv = VocationalIssue::from_reference("UV", false);
    let worry = VocationalIssue::own("再燃したときに長く休むことへの不安が強い");
    let items = vec![
        plan_item(
            "ハローワークでトライアル雇用の利用を相談",
            WORKER,
            "ハローワーク",
            date!(2024 - 07 - 31),
            PlanItemStatus::Done,
        ),
        SupportPlanItem {
            issue_id: Some(toil.id.clone()),
            ..plan_item(
                "事業所に席の配置の調整を依頼",
                WORKER,
                CENTRE,
                date!(2024 - 08 - 20),
                PlanItemStatus::InProgress,
            )
        },
        SupportPlanItem {
            issue_id: Some(clin.id.clone()),
            ..plan_item(
                "主治医に就労上の配慮についての意見書を依頼",
                "本人",
                "主治医の医療機関",
                date!(2024 - 08 - 31),
                PlanItemStatus::Planned,
            )
        },
        SupportPlanItem {
            issue_id: Some(worry.id.clone()),
            ..plan_item(
                "再燃時の休み方を事業所と事前に取り決める",
                WORKER,
                CENTRE,
                date!(2024 - 09 - 15),
                PlanItemStatus::Planned,
            )
        },
    ];
    // 第1版, agreed before the negotiation: the trial employment not yet
    // asked about, the seat to be arranged by the end of July, a workplace
    // visit. 第2版 dropped the visit, made in July, and added the agreement
    // on sick leave.
    let mut first: Vec<SupportPlanItem> = items[..3].to_vec();
    first[0].status = PlanItemStatus::Planned;
    first[1].due = Some(date!(2024 - 07 - 31));
    first[1].status = PlanItemStatus::Planned;
    first.push(plan_item(
        "職場見学の日程を事業所と調整",
        WORKER,
        CENTRE,
        date!(2024 - 07 - 10),
        PlanItemStatus::Planned,
    ));
    let case_management = CaseManagement {
        target_occupation: None,
        support_plan: SupportPlan {
            revision: 2,
            revised_on: Some(date!(2024 - 08 - 05)),
            items,
            earlier: vec![PlanRevision {
                revision: 1,
                revised_on: Some(date!(2024 - 06 - 20)),
                items: first,
            }],
        },
        vocational_issues: vec![toil, fat, clin, uv, worry],
    };

    let consultations = vec![
        consultation(
            date!(2024 - 04 - 10),
            ConsultationKind::Interview,
            "初回面接。前職の退職の経緯と現在の体調を聞き取る。働きたい気持ちが強い。",
            "次回は自宅を訪問し、普段の生活の様子を見せてもらう。",
            None,
        ),
        consultation(
            date!(2024 - 04 - 24),
            ConsultationKind::HomeVisit,
            "家庭訪問。母同席。家事の分担と通院の送迎について確認。",
            "前職の上司への聞き取りについて本人の了解を得る。",
            None,
        ),
        consultation(
            date!(2024 - 05 - 15),
            ConsultationKind::HelloWorkAccompaniment,
            "ハローワークに同行し求職登録。障害者手帳がないため一般求人と難病の専門援助の両方で相談。",
            "計画ミーティングの日程を調整する。",
            None,
        ),
        consultation(
            date!(2024 - 06 - 05),
            ConsultationKind::OwnJobSearch,
            "本人がハローワークの求人検索で印刷会社の事務求人を見つけ、相談に来所。",
            "求人票の条件を確認し、事業所訪問を打診する。",
            None,
        ),
        consultation(
            date!(2024 - 06 - 20),
            ConsultationKind::EmployerVisit,
            "事業所訪問。社長と総務担当に業務の流れを聞き、月末の請求書業務が負担と判明。",
            "課業リストを作り、提案書を準備する。",
            Some(&printer_id),
        ),
        consultation(
            date!(2024 - 08 - 02),
            ConsultationKind::Phone,
            "事業所より電話。最初の3か月は週16時間で、との回答。本人に伝え了承を得る。",
            "主治医の意見書が出たら条件を最終確認する。",
            Some(&printer_id),
        ),
    ];

    Case {
        id: CaseId::new(),
        stage: SupportStage::Negotiation,
        basic,
        career_plan,
        job_match: JobMatch {
            employers: vec![printer, supermarket],
        },
        case_management,
        monitoring: Monitoring::default(),
        consultations,
        programmes: Vec::new(),
        consents: vec![
            consent(
                ConsentScope::Registration,
                "支援のために個人情報を登録すること",
                "本センターの担当就業支援員",
                date!(2024 - 04 - 10),
            ),
            consent(
                ConsentScope::AgencySharing,
                "求職登録のため、支援の状況をハローワークに伝えること",
                "ハローワーク見本 専門援助部門",
                date!(2024 - 05 - 15),
            ),
            consent(
                ConsentScope::EmployerSharing,
                "病名と必要な配慮を事業所に伝えること",
                "株式会社ためし印刷 総務担当",
                date!(2024 - 07 - 01),
            ),
            consent(
                ConsentScope::Media,
                "作業の様子の写真と動画を個人プロフィールに使うこと",
                "個人プロフィールの提示先（事業所）",
                date!(2024 - 07 - 01),
            ),
        ],
        disclosure: Disclosure::Disclosed,
    }
}
