//! Demo case 2: 例田 さくら — 全身性エリテマトーデス, discovery just begun.

use time::macros::date;

use super::*;

/// 例田 さくら: SLE, a relapse after outdoor work, discovery just begun.
pub(super) fn discovering_sle() -> Case {
    let mut sle = Disease::new(
        Some("systemic-lupus-erythematosus"),
        "全身性エリテマトーデス",
    );
    for (day, status, note) in [
        (
            date!(2018 - 07 - 01),
            DiseaseStatus::Onset,
            "顔の紅斑と関節の痛みで受診し診断。",
        ),
        (date!(2019 - 03 - 01), DiseaseStatus::Improvement, ""),
        (
            date!(2022 - 08 - 01),
            DiseaseStatus::Relapse,
            "屋外の催事販売が続いた後に再燃。",
        ),
        (
            date!(2023 - 05 - 01),
            DiseaseStatus::Improvement,
            "ステロイドを減量中。疲れやすさは残る。",
        ),
    ] {
        sle.record_status(StatusChange::new(day, status, note));
    }
    let basic = BasicInfo {
        name: idf("例田 さくら"),
        kana: idf("れいだ さくら"),
        birth_date: Identifying::new(Some(date!(1996 - 02 - 03))),
        birth_year: Some(1996),
        sex: Sex::Female,
        address: idf("架空県例示町ひばりが丘7-8-9"),
        phone: idf("000-0000-0301"),
        email: idf("sakura.reida@example.com"),
        disability_certificates: Vec::new(),
        disability_pension: None,
        medical_certificates: vec![specified_disease_certificate(&sle, date!(2025 - 12 - 31))],
        diseases: vec![sle],
        family: vec![
            family("母", "例田 みどり", true, "在宅で仕立ての仕事をしている。"),
            family("弟", "例田 翼", false, "県外の大学に在学。"),
        ],
        supporters: vec![supporter(
            "母",
            "例田 みどり",
            "体調が悪い日の家事",
            "000-0000-0302",
        )],
        education: vec![Education {
            school: idf("架空服飾専門学校"),
            field: "服飾造形科".into(),
            from: Some(date!(2014 - 04 - 01)),
            to: Some(date!(2016 - 03 - 31)),
            ..Education::new(SchoolLevel::Vocational)
        }],
        qualifications: vec![Qualification::new(
            "色彩検定2級",
            Some(date!(2015 - 11 - 15)),
        )],
        work_history: vec![WorkHistoryEntry {
            employer: idf("雑貨のれいだい屋"),
            industry: "小売業".into(),
            job: "販売".into(),
            employment_type: Some(EmploymentType::PartTime),
            from: Some(date!(2016 - 04 - 01)),
            to: Some(date!(2022 - 09 - 30)),
            reason_for_leaving: idf("再燃後、日なたでの品出しと立ち仕事が続けられなかった。"),
            ..WorkHistoryEntry::new()
        }],
        note: idf("人の多い場所は少し苦手とのこと。"),
    };
    let career_plan = CareerPlan {
        discovery: Discovery {
            strengths: items(&[
                "色の組み合わせを考えるのが得意",
                "細かい手作業を根気よく続けられる",
            ]),
            interests: items(&[
                "刺しゅう（作品をフリマアプリで販売している）",
                "古い着物のリメイク",
            ]),
            conditions: PreferredConditions {
                hours_per_week: Some(15.0),
                environment: idf("屋内で、窓際を避けた日光の当たらない席"),
                ..PreferredConditions::default()
            },
            activities: vec![
                DiscoveryActivity::new(
                    date!(2025 - 01 - 15),
                    DiscoveryActivityKind::Interview,
                    "刺しゅうの作品づくりの手順を聞く。注文を受けて納期を守っている。",
                ),
                DiscoveryActivity::new(
                    date!(2025 - 01 - 29),
                    DiscoveryActivityKind::HomeVisit,
                    "作業部屋を見せてもらう。糸の色見本を自分で作って管理している。",
                ),
            ],
            ..Discovery::default()
        },
        ..CareerPlan::default()
    };
    let case_management = CaseManagement {
        target_occupation: None,
        vocational_issues: vec![
            issue(
                "UV",
                "日光（紫外線）で症状が悪化する",
                vec![Accommodation::from_reference("uv-limit-sun")],
            ),
            issue("FAT", "", vec![Accommodation::from_reference("fat-breaks")]),
            issue(
                "CLIN",
                "月1回の通院と、年1回の検査入院",
                vec![Accommodation::from_reference("clin-leave-and-hours")],
            ),
            VocationalIssue::from_reference("TOIL", false),
        ],
        support_plan: SupportPlan {
            revision: 0,
            revised_on: None,
            items: vec![plan_item(
                "ディスカバリーの継続（作品の販売の様子を見学）",
                WORKER,
                CENTRE,
                date!(2025 - 02 - 28),
                PlanItemStatus::Planned,
            )],
            earlier: Vec::new(),
        },
    };
    let mut research = consent(
        ConsentScope::Research,
        "進捗データを匿名化して研究部門に提供すること",
        "架空研究センター",
        date!(2025 - 01 - 15),
    );
    research.withdrawn_on = Some(date!(2025 - 02 - 10));
    Case {
        id: CaseId::new(),
        stage: SupportStage::Discovery,
        basic,
        career_plan,
        case_management,
        consultations: vec![
            consultation(
                date!(2025 - 01 - 08),
                ConsultationKind::Phone,
                "母から電話で相談の申し込み。本人も働きたい気持ちがあるとのこと。",
                "センターでの初回面接を設定。",
                None,
            ),
            consultation(
                date!(2025 - 01 - 15),
                ConsultationKind::Interview,
                "初回面接。病気のことを職場に伝えるかはまだ決めたくないとのこと。",
                "開示は急がず、ディスカバリーを進める。",
                None,
            ),
            consultation(
                date!(2025 - 01 - 29),
                ConsultationKind::HomeVisit,
                "家庭訪問。作品を見せてもらい、写真撮影について了解を得る。",
                "作品の写真を個人プロフィールに使う。",
                None,
            ),
        ],
        consents: vec![
            consent(
                ConsentScope::Registration,
                "支援のために個人情報を登録すること",
                "本センターの担当就業支援員",
                date!(2025 - 01 - 15),
            ),
            consent(
                ConsentScope::Media,
                "作品の写真を個人プロフィールに使うこと（顔は写さない）",
                "個人プロフィールの提示先（事業所・支援者）",
                date!(2025 - 01 - 29),
            ),
            research,
        ],
        disclosure: Disclosure::NotDisclosed,
        ..Case::default()
    }
}
