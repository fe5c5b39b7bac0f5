//! Drafts of the documents an incident calls for: the report to MHLW and the prefecture, the
//! 個人情報保護委員会 速報 and 確報 (the nine items of 施行規則第8条), and the notice to the
//! individuals. Each is a list of fields, pre-filled from what mamori already knows and then
//! edited by people; every save is a new version.

use crate::clock::jst_date;
use crate::duties::Involvement;
use crate::incident::IncidentFacts;
use crate::validate::{FieldError, Problem};
use chrono::NaiveDate;
use std::collections::BTreeMap;

coded! {
    /// Which document.
    DraftKind {
        /// 厚生労働省・都道府県への報告.
        MhlwReport = "mhlw_report", "厚生労働省・都道府県への報告", "Report to MHLW and the prefecture";
        /// 個人情報保護委員会への速報.
        PpcSokuho = "ppc_sokuho", "個人情報保護委員会への報告(速報)", "PPC report (preliminary)";
        /// 個人情報保護委員会への確報.
        PpcKakuho = "ppc_kakuho", "個人情報保護委員会への報告(確報)", "PPC report (final)";
        /// 本人への通知.
        IndividualNotice = "individual_notice", "ご本人への通知", "Notice to the individuals";
    }
}

/// One field of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftField {
    /// Stable key.
    pub key: &'static str,
    /// Label, Japanese (the documents themselves are Japanese).
    pub ja: &'static str,
    /// Label, English.
    pub en: &'static str,
}

const fn f(key: &'static str, ja: &'static str, en: &'static str) -> DraftField {
    DraftField { key, ja, en }
}

use crate::duties::MHLW_DESK;

const MHLW: &[DraftField] = &[
    f("addressee", "宛先", "To"),
    f("institution", "医療機関名", "Institution"),
    f("contact", "報告者・連絡先", "Reporter and contact"),
    f("aware_at", "覚知日時", "Became aware at"),
    f("summary", "事案の概要", "Summary"),
    f("damage", "被害状況", "Damage"),
    f("response", "対応状況", "Response so far"),
    f("recovery", "復旧状況", "Recovery"),
    f("prevention", "再発防止策", "Recurrence prevention"),
];

/// The nine items of 個人情報保護法施行規則第8条 (速報 gives what is known so far).
const PPC: &[DraftField] = &[
    f("institution", "事業者名", "Business operator"),
    f("aware_at", "発覚日", "Date of discovery"),
    f("summary", "概要", "Summary"),
    f(
        "items",
        "漏えい等が発生し、又は発生したおそれがある個人データの項目",
        "Items of personal data concerned",
    ),
    f("people", "本人の数", "Number of people"),
    f("cause", "原因", "Cause"),
    f(
        "secondary",
        "二次被害又はそのおそれの有無及びその内容",
        "Secondary damage or its risk",
    ),
    f(
        "individuals",
        "本人への対応の実施状況",
        "Action towards the individuals",
    ),
    f("publication", "公表の実施状況", "Publication"),
    f(
        "prevention",
        "再発防止のための措置",
        "Recurrence prevention",
    ),
    f("other", "その他参考となる事項", "Other relevant matters"),
];

const NOTICE: &[DraftField] = &[
    f("title", "件名", "Subject"),
    f("summary", "事案の概要", "What happened"),
    f("items", "対象となる情報", "Information concerned"),
    f("cause", "原因", "Cause"),
    f("secondary", "二次被害のおそれ", "Risk of further harm"),
    f("measures", "当院の対応と再発防止策", "What we are doing"),
    f("contact", "お問い合わせ窓口", "Where to ask"),
];

/// The longest text one field keeps.
const MAX_FIELD: usize = crate::validate::TEXT_MAX;

impl DraftKind {
    /// The document's fields in their printed order.
    pub fn fields(self) -> &'static [DraftField] {
        match self {
            DraftKind::MhlwReport => MHLW,
            DraftKind::PpcSokuho | DraftKind::PpcKakuho => PPC,
            DraftKind::IndividualNotice => NOTICE,
        }
    }

    /// Checks submitted fields: unknown keys are dropped, over-long ones named.
    pub fn validate(
        self,
        input: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Problem> {
        let mut out = BTreeMap::new();
        let mut errors = Vec::new();
        for field in self.fields() {
            let v = input
                .get(field.key)
                .map(|v| v.trim().to_string())
                .unwrap_or_default();
            if v.chars().count() > MAX_FIELD {
                errors.push(FieldError::new(field.key, "error.too_long"));
            }
            out.insert(field.key.to_string(), v);
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Problem::new(errors))
        }
    }
}

/// What a first draft is filled from.
#[derive(Debug, Clone)]
pub struct DraftSource<'a> {
    /// The institution's name.
    pub institution: &'a str,
    /// The incident's facts.
    pub incident: &'a IncidentFacts,
    /// Tasks done so far, in order, in Japanese.
    pub done: Vec<String>,
    /// The day the draft is made.
    pub today: NaiveDate,
}

/// A first draft of a document, in Japanese, from what is known.
pub fn prefill(kind: DraftKind, src: &DraftSource<'_>) -> BTreeMap<String, String> {
    let i = src.incident;
    let pd = &i.facts.personal_data;
    let aware = crate::clock::format_jst(i.facts.aware_at);
    let kind_ja = i.kind.label(crate::Lang::Ja);
    let summary = format!("{}(種別: {kind_ja}、覚知: {aware})", i.title);
    let people = match pd.involved {
        Involvement::No => "なし".to_string(),
        Involvement::Possible => format!("{}人(おそれ)", pd.count),
        Involvement::Yes => format!("{}人", pd.count),
    };
    let items = if pd.sensitive {
        "患者の氏名・診療情報等(要配慮個人情報を含む)".to_string()
    } else {
        String::new()
    };
    let mut damage = Vec::new();
    if !i.systems.is_empty() {
        damage.push(format!("影響を受けたシステム: {}", i.systems));
    }
    if !i.sites.is_empty() {
        damage.push(format!("影響を受けた部署・拠点: {}", i.sites));
    }
    if i.facts.care_disrupted {
        damage.push(format!("診療への影響あり。{}", i.care_decision));
    }
    if pd.involved != Involvement::No {
        damage.push(format!("個人情報の漏えい等: {people}"));
    }
    let response = src
        .done
        .iter()
        .map(|t| format!("・{t}"))
        .collect::<Vec<_>>()
        .join("\n");
    let cause = if i.kind.is_attack() {
        format!("{kind_ja}による(調査中)")
    } else {
        "調査中".to_string()
    };
    let pairs: Vec<(&str, String)> = match kind {
        DraftKind::MhlwReport => vec![
            (
                "addressee",
                format!("{MHLW_DESK}\n都道府県(保健所設置市・特別区) 医務主管課"),
            ),
            ("institution", src.institution.to_string()),
            ("aware_at", aware),
            ("summary", summary),
            ("damage", damage.join("\n")),
            ("response", response),
        ],
        DraftKind::PpcSokuho | DraftKind::PpcKakuho => vec![
            ("institution", src.institution.to_string()),
            ("aware_at", jst_date(i.facts.aware_at).to_string()),
            ("summary", summary),
            ("items", items.clone()),
            ("people", people),
            ("cause", cause.clone()),
            ("individuals", String::new()),
            ("publication", String::new()),
            (
                "other",
                if kind == DraftKind::PpcSokuho {
                    format!("{}時点で判明している事項による速報", src.today)
                } else {
                    String::new()
                },
            ),
        ],
        DraftKind::IndividualNotice => vec![
            (
                "title",
                "個人情報の漏えい等に関するお知らせとお詫び".to_string(),
            ),
            ("summary", summary),
            ("items", items),
            ("cause", cause),
            (
                "contact",
                format!("{} 個人情報お問い合わせ窓口", src.institution),
            ),
        ],
    };
    let mut out: BTreeMap<String, String> = kind
        .fields()
        .iter()
        .map(|f| (f.key.to_string(), String::new()))
        .collect();
    for (k, v) in pairs {
        out.insert(k.to_string(), v);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::incident::IncidentDraft;

    fn incident() -> IncidentFacts {
        IncidentDraft {
            title: "電子カルテ暗号化".into(),
            kind: "ransomware".into(),
            severity: "critical".into(),
            systems: "電子カルテ".into(),
            care_disrupted: "on".into(),
            care_decision: "紙運用に切替".into(),
            aware_at: "2026-11-23T08:30".into(),
            personal_data: "possible".into(),
            pd_count: "12000".into(),
            pd_sensitive: "on".into(),
            ..Default::default()
        }
        .validate(
            crate::clock::parse_local_jst("2026-11-23T10:00").unwrap(),
            false,
        )
        .unwrap()
    }

    #[test]
    fn the_ppc_draft_has_the_nine_items_filled_from_the_facts() {
        let i = incident();
        let src = DraftSource {
            institution: "みなと病院",
            incident: &i,
            done: vec!["バックアップへの経路を遮断".into()],
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        };
        let d = prefill(DraftKind::PpcSokuho, &src);
        assert_eq!(d.len(), PPC.len());
        assert_eq!(d["people"], "12000人(おそれ)");
        assert!(d["items"].contains("要配慮個人情報"));
        assert!(d["cause"].contains("ランサムウェア"));
        let m = prefill(DraftKind::MhlwReport, &src);
        assert!(m["damage"].contains("紙運用に切替"));
        assert!(m["response"].contains("バックアップへの経路を遮断"));
    }

    #[test]
    fn validation_keeps_known_fields_and_names_long_ones() {
        let mut input = BTreeMap::new();
        input.insert("summary".to_string(), " 概要 ".to_string());
        input.insert("smuggled".to_string(), "x".to_string());
        let ok = DraftKind::IndividualNotice.validate(&input).unwrap();
        assert_eq!(ok["summary"], "概要");
        assert!(!ok.contains_key("smuggled"));
        input.insert("cause".to_string(), "あ".repeat(MAX_FIELD + 1));
        let p = DraftKind::IndividualNotice.validate(&input).unwrap_err();
        assert_eq!(p.for_field("cause"), Some("error.too_long"));
    }
}
