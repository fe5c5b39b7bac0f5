//! Who must be told of an incident, by when: the reporting duties of a medical institution after
//! a cyber incident or a leak of personal data, derived from the incident's facts.
//!
//! Sources (see the research notes §6 and the catalog errata): the 2018 MHLW notice (vendor at
//! once; MHLW and the prefecture promptly; the prefecture then investigates under its 医療法第25条
//! powers, which put no reporting duty on the institution), the police consultation desks, and the
//! APPI: 速報 "promptly" (概ね3–5日), 確報 within 30 days, or 60 days when the leak may stem from a
//! malicious act. Article 26 binds private institutions and, through article 58, public hospitals
//! and clinics since April 2023; administrative organs report under article 68.
//!
//! Our counting rule, kept here in one place: the day of awareness is day 1. A 確報 deadline that
//! falls on a Saturday, Sunday, national holiday (振替休日 included) or 12/29–1/3 moves to the next
//! day that is none of these; 速報 does not move.

use crate::clock::jst_date;
use crate::holidays::is_holiday;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// The MHLW desk for cyber incidents at medical institutions, as named since the 2022
/// reorganisation (医政局参事官(特定医薬品開発支援・医療情報担当)).
pub const MHLW_DESK: &str = "厚生労働省 医政局 特定医薬品開発支援・医療情報担当参事官室";
/// The same office in English.
pub const MHLW_DESK_EN: &str = "MHLW Health Policy Bureau, Office of the Counsellor for Specified Drug Development Support and Medical Information";

/// Whether personal data is involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Involvement {
    /// Personal data leaked, was lost or damaged.
    Yes,
    /// It may have been (おそれ).
    Possible,
    /// No personal data is concerned.
    #[default]
    No,
}

/// Personal data facts of an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonalData {
    /// Whether it is involved.
    pub involved: Involvement,
    /// How many people (本人の数), as far as known.
    pub count: u64,
    /// 要配慮個人情報 (medical data always is).
    pub sensitive: bool,
    /// Risk of financial damage (e.g. card or account data).
    pub financial_risk: bool,
    /// Protected by a high level of encryption: then no report is due, unless the key leaked too.
    pub highly_encrypted: bool,
    /// The encryption key (or the means to decrypt) leaked as well: the exemption is lost.
    pub key_leaked: bool,
    /// A vendor (委託先) handled the data: it reports too, unless it told the institution.
    pub vendor_handled: bool,
}

coded! {
    /// Who runs the institution, which decides the article of the APPI a leak is reported under.
    #[derive(Default)]
    Operator {
        /// 民間(医療法人・個人・社会福祉法人など): 第26条.
        #[default]
        Private = "private", "民間(医療法人・個人など)", "Private (medical corporation, individual, …)";
        /// 地方公共団体・地方独立行政法人・国立大学法人などの病院・診療所: 第58条により民間と同じ第26条.
        PublicMedical = "public_medical", "公立・公的(地方公共団体・地方独立行政法人などの病院・診療所)", "Public (a local government's or public corporation's hospital or clinic)";
        /// 国の行政機関などの医療(自衛隊病院など)、病院以外の業務: 第68条(行政機関等).
        Administrative = "administrative", "行政機関等(国の行政機関の病院など、規律移行の対象外)", "Administrative organ (e.g. a ministry's own hospital, outside article 58)";
    }
}

/// The facts of an incident that decide the duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// When the institution became aware (RFC 3339).
    pub aware_at: DateTime<Utc>,
    /// A cyber attack, also if only suspected.
    #[serde(default)]
    pub cyber_attack: bool,
    /// Care is disrupted (paper operation, stopped services).
    #[serde(default)]
    pub care_disrupted: bool,
    /// A malicious purpose is suspected (不正の目的: unauthorised access, ransomware, theft).
    #[serde(default)]
    pub malicious: bool,
    /// A crime is suspected.
    #[serde(default)]
    pub crime: bool,
    /// Who runs the institution.
    #[serde(default)]
    pub operator: Operator,
    /// Personal data.
    #[serde(default)]
    pub personal_data: PersonalData,
}

/// Who is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The system's vendor / maintenance company.
    Vendor,
    /// 厚生労働省.
    Mhlw,
    /// 都道府県・保健所.
    Prefecture,
    /// 警察 (cyber crime consultation desk).
    Police,
    /// 個人情報保護委員会.
    Ppc,
    /// The affected individuals (本人).
    Individuals,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    /// A notice or contact.
    Notice,
    /// 速報 (preliminary report).
    Sokuho,
    /// 確報 (final report).
    Kakuho,
}

/// How binding the duty is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    /// Required by law.
    Legal,
    /// Requested by the administration (通知・事務連絡).
    Administrative,
    /// Recommended.
    Recommended,
}

/// One duty: to whom, which report, by when, how binding and on what basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    /// Who is told.
    pub recipient: Recipient,
    /// Which report.
    pub report: Report,
    /// The latest day (Japan date), or `None` where the rule says "at once" / "promptly".
    pub due: Option<NaiveDate>,
    /// The day to aim for, where the rule gives one.
    pub target: Option<NaiveDate>,
    /// How binding.
    pub obligation: Obligation,
    /// The rule it rests on, in Japanese.
    pub basis: String,
    /// The rule it rests on, in English.
    pub basis_en: String,
}

impl Duty {
    /// The basis in a language.
    pub fn basis_in(&self, lang: crate::Lang) -> &str {
        lang.pick(&self.basis, &self.basis_en)
    }
}

/// Whether offices are closed: weekends, national holidays and 12/29–1/3.
pub fn is_closed(day: NaiveDate) -> bool {
    let year_end = (day.month() == 12 && day.day() >= 29) || (day.month() == 1 && day.day() <= 3);
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || year_end || is_holiday(day)
}

/// The first day on or after `day` that is not closed.
pub fn next_open_day(day: NaiveDate) -> NaiveDate {
    let mut d = day;
    while is_closed(d) {
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    d
}

/// Day `n` counting the day of awareness as day 1.
fn day_n(aware: NaiveDate, n: i64) -> NaiveDate {
    aware + Duration::days(n - 1)
}

/// Whether the APPI makes the incident reportable to the PPC and the individuals. High-grade
/// encryption removes the duty only while the key is safe.
pub fn appi_reportable(p: &PersonalData, malicious: bool) -> bool {
    p.involved != Involvement::No
        && (p.key_leaked || !p.highly_encrypted)
        && (p.sensitive || p.financial_risk || malicious || p.count > 1000)
}

/// The APPI articles a leak is reported under, by who runs the institution: (PPC report,
/// notice to the individuals), Japanese and English.
fn appi_articles(op: Operator) -> ((&'static str, &'static str), (&'static str, &'static str)) {
    match op {
        Operator::Private => (
            ("個人情報保護法第26条第1項", "APPI art. 26(1)"),
            ("個人情報保護法第26条第2項", "APPI art. 26(2)"),
        ),
        // Since April 2023 public hospitals and clinics follow the private-sector rules (art. 58).
        Operator::PublicMedical => (
            (
                "個人情報保護法第58条により第26条第1項",
                "APPI art. 26(1), applied by art. 58",
            ),
            (
                "個人情報保護法第58条により第26条第2項",
                "APPI art. 26(2), applied by art. 58",
            ),
        ),
        Operator::Administrative => (
            (
                "個人情報保護法第68条第1項(行政機関等)",
                "APPI art. 68(1) (administrative organs)",
            ),
            (
                "個人情報保護法第68条第2項(行政機関等)",
                "APPI art. 68(2) (administrative organs)",
            ),
        ),
    }
}

fn duty(
    recipient: Recipient,
    report: Report,
    obligation: Obligation,
    basis: (String, String),
) -> Duty {
    Duty {
        recipient,
        report,
        due: None,
        target: None,
        obligation,
        basis: basis.0,
        basis_en: basis.1,
    }
}

fn pair(ja: &str, en: &str) -> (String, String) {
    (ja.to_string(), en.to_string())
}

/// The duties the facts give rise to, in the order they are usually carried out.
pub fn duties(f: &Facts) -> Vec<Duty> {
    let aware = jst_date(f.aware_at);
    let reportable = appi_reportable(&f.personal_data, f.malicious);
    let mut vendor = pair(
        "医政局通知(平成30年10月29日): 感染・攻撃の疑いがあれば直ちに保守会社へ連絡",
        "MHLW notice of 29 October 2018: contact the maintenance vendor at once when an infection or attack is suspected",
    );
    if reportable && f.personal_data.vendor_handled {
        vendor.0.push_str("。委託先の事業者が扱っていたデータの漏えい等は、当院が報告し、事業者も報告する(事業者が当院へ通知したときは事業者の報告は不要: 法第26条第1項ただし書)。通知の日時と内容を記録する");
        vendor.1.push_str(". Where a vendor handled the data, the institution reports and so does the vendor, unless the vendor has notified the institution (APPI art. 26(1), proviso): record when and what it notified");
    }
    let mut out = vec![Duty {
        target: Some(aware),
        ..duty(
            Recipient::Vendor,
            Report::Notice,
            Obligation::Administrative,
            vendor,
        )
    }];
    if f.cyber_attack {
        out.push(duty(
            Recipient::Mhlw,
            Report::Notice,
            Obligation::Administrative,
            (
                format!("医政局通知(平成30年10月29日): サイバー攻撃(疑いを含む)によるシステム障害・診療への影響・個人情報漏えいのおそれは速やかに厚生労働省({})へ連絡", MHLW_DESK),
                format!("MHLW notice of 29 October 2018: report promptly to the MHLW ({}) a system failure, an effect on care or a possible leak caused by a cyber attack, also if only suspected", MHLW_DESK_EN),
            ),
        ));
    }
    if f.cyber_attack || f.care_disrupted {
        // Article 25 of the Medical Care Act is the authority's power to inspect, not a duty of
        // the institution to report: the ask comes from the notice.
        out.push(duty(
            Recipient::Prefecture,
            Report::Notice,
            Obligation::Administrative,
            pair(
                "医政局通知(平成30年10月29日): 厚生労働省への連絡と併せて、都道府県・保健所設置市・特別区の医務主管課へも速やかに連絡するよう求めている(法令上の報告義務ではない)",
                "MHLW notice of 29 October 2018: asks institutions to contact the medical affairs division of the prefecture (or the city or ward with a health centre) promptly as well as the MHLW (a request, not a statutory duty)",
            ),
        ));
    }
    if f.crime || f.malicious {
        out.push(duty(
            Recipient::Police,
            Report::Notice,
            Obligation::Recommended,
            pair(
                "犯罪の疑い: 都道府県警察のサイバー犯罪相談窓口へ相談",
                "A crime is suspected: consult the prefectural police's cybercrime desk",
            ),
        ));
    }
    if reportable {
        let ((ppc_ja, ppc_en), (ind_ja, ind_en)) = appi_articles(f.operator);
        let kakuho_days = if f.malicious { 60 } else { 30 };
        let key = if f.personal_data.highly_encrypted {
            (
                "。暗号化されていても復号の鍵が漏えいしたため報告を要する",
                ". The data was encrypted, but the key leaked too, so the report is due",
            )
        } else {
            ("", "")
        };
        out.push(Duty {
            due: Some(day_n(aware, 5)),
            target: Some(day_n(aware, 3)),
            ..duty(
                Recipient::Ppc,
                Report::Sokuho,
                Obligation::Legal,
                (
                    format!("{ppc_ja}・施行規則: 速報は速やかに(概ね3〜5日以内)。3日目を目安に、遅くとも5日目までに{}", key.0),
                    format!("{ppc_en} and its Enforcement Rules: a preliminary report promptly (about 3 to 5 days); aim for day 3, day 5 at the latest{}", key.1),
                ),
            )
        });
        out.push(Duty {
            due: Some(next_open_day(day_n(aware, kakuho_days))),
            ..duty(
                Recipient::Ppc,
                Report::Kakuho,
                Obligation::Legal,
                if f.malicious {
                    (
                        format!("{ppc_ja}・施行規則: 不正の目的によるおそれがある場合の確報は60日以内"),
                        format!("{ppc_en} and its Enforcement Rules: the final report within 60 days where a malicious purpose is suspected"),
                    )
                } else {
                    (
                        format!("{ppc_ja}・施行規則: 確報は30日以内"),
                        format!("{ppc_en} and its Enforcement Rules: the final report within 30 days"),
                    )
                },
            )
        });
        out.push(duty(
            Recipient::Individuals,
            Report::Notice,
            Obligation::Legal,
            (
                format!("{ind_ja}: 本人への通知(困難な場合の代替措置を含む)"),
                format!("{ind_en}: notify the individuals (or, where that is hard, take the alternative measures)"),
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn leak(aware: &str, malicious: bool) -> Facts {
        Facts {
            aware_at: at(aware),
            cyber_attack: true,
            care_disrupted: true,
            malicious,
            crime: malicious,
            operator: Operator::Private,
            personal_data: PersonalData {
                involved: Involvement::Possible,
                count: 10,
                sensitive: true,
                ..PersonalData::default()
            },
        }
    }

    fn find(d: &[Duty], r: Recipient, k: Report) -> Option<&Duty> {
        d.iter().find(|x| x.recipient == r && x.report == k)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn ransomware_with_medical_data_owes_every_report() {
        let d = duties(&leak("2025-06-02T10:00:00+09:00", true));
        let who: Vec<_> = d.iter().map(|x| (x.recipient, x.report)).collect();
        assert_eq!(
            who,
            vec![
                (Recipient::Vendor, Report::Notice),
                (Recipient::Mhlw, Report::Notice),
                (Recipient::Prefecture, Report::Notice),
                (Recipient::Police, Report::Notice),
                (Recipient::Ppc, Report::Sokuho),
                (Recipient::Ppc, Report::Kakuho),
                (Recipient::Individuals, Report::Notice),
            ]
        );
        let s = find(&d, Recipient::Ppc, Report::Sokuho);
        assert_eq!(
            s.map(|s| (s.target, s.due)),
            Some((Some(date("2025-06-04")), Some(date("2025-06-06"))))
        );
        assert!(s.is_some_and(|s| s.basis.contains("3日目を目安に、遅くとも5日目まで")));
        // The prefecture is asked by the notice; article 25 is the prefecture's power to inspect.
        let pref = find(&d, Recipient::Prefecture, Report::Notice).map(|p| p.basis.clone());
        assert!(
            pref.as_ref()
                .is_some_and(|b| !b.contains("第25条") && b.contains("平成30年10月29日")),
            "{pref:?}"
        );
        let mhlw = find(&d, Recipient::Mhlw, Report::Notice).map(|p| p.basis.clone());
        assert!(mhlw.is_some_and(|b| b.contains("特定医薬品開発支援・医療情報担当参事官室")));
        // Day 60 counting 06-02 as day 1 is 07-31 (a Thursday).
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due),
            Some(date("2025-07-31"))
        );
    }

    #[test]
    fn thirty_days_without_a_malicious_purpose_sixty_with_one() {
        let plain = Facts {
            cyber_attack: false,
            care_disrupted: false,
            malicious: false,
            crime: false,
            ..leak("2025-06-02T10:00:00+09:00", false)
        };
        let d = duties(&plain);
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due),
            Some(date("2025-07-01"))
        );
        assert!(
            find(&d, Recipient::Mhlw, Report::Notice).is_none()
                && find(&d, Recipient::Police, Report::Notice).is_none()
        );
        // Also when another ground (sensitive data) applies, a malicious purpose gives 60 days.
        let d = duties(&Facts {
            malicious: true,
            ..plain
        });
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due),
            Some(date("2025-07-31"))
        );
    }

    #[test]
    fn awareness_is_counted_in_japan_time_around_midnight() {
        // 23:59 JST on 06-02 is day 1 = 06-02; one minute later it is 06-03.
        let before = duties(&leak("2025-06-02T14:59:00Z", false));
        let after = duties(&leak("2025-06-02T15:00:00Z", false));
        assert_eq!(
            find(&before, Recipient::Ppc, Report::Sokuho).and_then(|s| s.target),
            Some(date("2025-06-04"))
        );
        assert_eq!(
            find(&after, Recipient::Ppc, Report::Sokuho).and_then(|s| s.target),
            Some(date("2025-06-05"))
        );
    }

    #[test]
    fn a_kakuho_deadline_on_a_closed_day_moves_but_a_sokuho_does_not() {
        // Aware 2025-10-24 (Fri): day 30 is 11-22 (Sat); 11-23 is Sunday and a holiday, 11-24 its 振替休日.
        let d = duties(&Facts {
            malicious: false,
            crime: false,
            ..leak("2025-10-24T09:00:00+09:00", false)
        });
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due),
            Some(date("2025-11-25"))
        );
        // Aware 2025-12-03: day 30 is 2026-01-01, year-end closure until 01-03 (Sat), then Sunday.
        let d = duties(&Facts {
            malicious: false,
            crime: false,
            ..leak("2025-12-03T09:00:00+09:00", false)
        });
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due),
            Some(date("2026-01-05"))
        );
        // A 速報 due on a Saturday stays there.
        let d = duties(&leak("2025-06-03T09:00:00+09:00", false));
        assert_eq!(
            find(&d, Recipient::Ppc, Report::Sokuho).and_then(|s| s.due),
            Some(date("2025-06-07"))
        );
    }

    #[test]
    fn high_encryption_or_no_ground_means_no_appi_report() {
        let mut f = leak("2025-06-02T10:00:00+09:00", false);
        f.personal_data.highly_encrypted = true;
        assert!(find(&duties(&f), Recipient::Ppc, Report::Sokuho).is_none());
        let f = Facts {
            personal_data: PersonalData {
                involved: Involvement::Yes,
                count: 1000,
                ..PersonalData::default()
            },
            malicious: false,
            ..leak("2025-06-02T10:00:00+09:00", false)
        };
        assert!(
            find(&duties(&f), Recipient::Ppc, Report::Sokuho).is_none(),
            "1,000 people is not more than 1,000"
        );
        let f = Facts {
            personal_data: PersonalData {
                involved: Involvement::Yes,
                count: 1001,
                ..PersonalData::default()
            },
            malicious: false,
            ..leak("2025-06-02T10:00:00+09:00", false)
        };
        assert!(find(&duties(&f), Recipient::Ppc, Report::Sokuho).is_some());
    }

    #[test]
    fn a_leaked_key_ends_the_encryption_exemption() {
        let mut f = leak("2025-06-02T10:00:00+09:00", false);
        f.personal_data.highly_encrypted = true;
        f.personal_data.key_leaked = true;
        let d = duties(&f);
        let s = find(&d, Recipient::Ppc, Report::Sokuho);
        assert!(
            s.is_some_and(|s| s.basis.contains("鍵が漏えい") && s.basis_en.contains("key leaked"))
        );
        // A leaked key of data that was never encrypted changes nothing.
        f.personal_data.highly_encrypted = false;
        let s = find(&duties(&f), Recipient::Ppc, Report::Sokuho).map(|s| s.basis.clone());
        assert!(s.is_some_and(|b| !b.contains("鍵")));
    }

    #[test]
    fn who_runs_the_institution_decides_the_article() {
        let article = |op| {
            let f = Facts {
                operator: op,
                ..leak("2025-06-02T10:00:00+09:00", false)
            };
            let d = duties(&f);
            let ppc = find(&d, Recipient::Ppc, Report::Kakuho).map(|x| x.basis.clone());
            let ind = find(&d, Recipient::Individuals, Report::Notice).map(|x| x.basis.clone());
            (ppc.unwrap_or_default(), ind.unwrap_or_default())
        };
        let (ppc, ind) = article(Operator::Private);
        assert!(
            ppc.starts_with("個人情報保護法第26条第1項")
                && ind.starts_with("個人情報保護法第26条第2項")
        );
        let (ppc, _) = article(Operator::PublicMedical);
        assert!(
            ppc.contains("第58条") && ppc.contains("第26条第1項"),
            "{ppc}"
        );
        let (ppc, ind) = article(Operator::Administrative);
        assert!(
            ppc.contains("第68条第1項") && !ppc.contains("第26条"),
            "{ppc}"
        );
        assert!(ind.contains("第68条第2項"), "{ind}");
    }

    #[test]
    fn a_vendor_that_handled_the_data_reports_too_unless_it_told_the_institution() {
        let mut f = leak("2025-06-02T10:00:00+09:00", false);
        let plain = find(&duties(&f), Recipient::Vendor, Report::Notice).map(|v| v.basis.clone());
        assert!(plain.is_some_and(|b| !b.contains("ただし書")));
        f.personal_data.vendor_handled = true;
        let d = duties(&f);
        let v = find(&d, Recipient::Vendor, Report::Notice);
        assert!(v.is_some_and(|v| v.basis.contains("ただし書") && v.basis_en.contains("proviso")));
        assert!(
            find(&d, Recipient::Ppc, Report::Sokuho).is_some(),
            "the institution still reports"
        );
    }

    #[test]
    fn every_basis_reads_in_english_too() {
        let f = Facts {
            personal_data: PersonalData {
                highly_encrypted: true,
                key_leaked: true,
                vendor_handled: true,
                ..leak("2025-06-02T10:00:00+09:00", true).personal_data
            },
            ..leak("2025-06-02T10:00:00+09:00", true)
        };
        for op in Operator::ALL {
            for d in duties(&Facts {
                operator: *op,
                ..f.clone()
            }) {
                assert!(!d.basis_en.is_empty());
                assert!(
                    d.basis_en.chars().all(|c| (c as u32) < 0x3000),
                    "Japanese left in {:?}: {}",
                    d.recipient,
                    d.basis_en
                );
                assert_eq!(d.basis_in(crate::Lang::En), d.basis_en);
            }
        }
    }

    #[test]
    fn changing_a_fact_recomputes_the_duties() {
        let mut f = Facts {
            personal_data: PersonalData::default(),
            malicious: false,
            crime: false,
            ..leak("2025-06-02T10:00:00+09:00", false)
        };
        assert!(find(&duties(&f), Recipient::Ppc, Report::Kakuho).is_none());
        f.personal_data = PersonalData {
            involved: Involvement::Yes,
            count: 1,
            sensitive: true,
            ..PersonalData::default()
        };
        assert!(find(&duties(&f), Recipient::Ppc, Report::Kakuho).is_some());
    }

    proptest! {
        #[test]
        fn a_moved_deadline_is_open_and_never_earlier(days in 0i64..3650, malicious in any::<bool>()) {
            let aware = date("2016-01-01") + Duration::days(days);
            let f = Facts { aware_at: aware.and_hms_opt(3, 0, 0).map(|t| t.and_utc()).unwrap_or_default(), malicious, ..leak("2025-06-02T10:00:00+09:00", malicious) };
            let d = duties(&f);
            let k = find(&d, Recipient::Ppc, Report::Kakuho).and_then(|k| k.due).unwrap_or_default();
            let nominal = day_n(aware, if malicious { 60 } else { 30 });
            prop_assert!(k >= nominal && !is_closed(k));
            prop_assert!((k - nominal).num_days() <= 10);
        }
    }
}
