//! Incidents (インシデント) and the anomaly reports (異常の報告) they grow from: what is recorded,
//! how a form is checked, and what changed when the facts change.

use crate::Lang;
use crate::clock::{format_local_jst, parse_local_jst};
use crate::duties::{
    Duty, Facts, Involvement, Obligation, Operator, PersonalData, Recipient, Report,
};
use crate::validate::{FieldError, Problem};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

coded! {
    /// The kind of incident (事案の種別).
    IncidentKind {
        /// ランサムウェア.
        Ransomware = "ransomware", "ランサムウェア", "Ransomware";
        /// マルウェア (Emotet 等).
        Malware = "malware", "マルウェア(Emotet 等)", "Malware (Emotet etc.)";
        /// 不正アクセス.
        UnauthorisedAccess = "unauthorised_access", "不正アクセス", "Unauthorised access";
        /// 端末・媒体の紛失・盗難.
        LostDevice = "lost_device", "端末・媒体の紛失・盗難", "Lost or stolen device or media";
        /// 内部不正.
        InsiderMisuse = "insider_misuse", "内部不正", "Insider misuse";
        /// 委託先・事業者側の事案.
        VendorSide = "vendor_side", "委託先・事業者側の事案", "Vendor-side incident";
        /// システム障害.
        SystemFailure = "system_failure", "システム障害", "System failure";
        /// その他.
        Other = "other", "その他", "Other";
    }
}

impl IncidentKind {
    /// Kinds that are attacks by their nature, so a malicious purpose is presumed.
    pub fn is_attack(self) -> bool {
        matches!(
            self,
            IncidentKind::Ransomware | IncidentKind::Malware | IncidentKind::UnauthorisedAccess
        )
    }
}

coded! {
    /// How severe (重大度).
    Severity {
        /// 低.
        Low = "low", "低", "Low";
        /// 中.
        Medium = "medium", "中", "Medium";
        /// 高.
        High = "high", "高", "High";
        /// 重大 (診療停止など).
        Critical = "critical", "重大", "Critical";
    }
}

coded! {
    /// Where a task stands.
    TaskStatus {
        /// 未着手.
        Todo = "todo", "未着手", "To do";
        /// 対応中.
        Doing = "doing", "対応中", "In progress";
        /// 完了.
        Done = "done", "完了", "Done";
        /// 該当なし.
        NotApplicable = "na", "該当なし", "Not applicable";
    }
}

coded! {
    /// Where an anomaly report stands after triage (トリアージ).
    ReportStatus {
        /// 未対応: waiting for triage.
        Open = "open", "未対応", "Open";
        /// インシデント化: became (or joined) an incident.
        Incident = "incident", "インシデント化", "Became an incident";
        /// 終了: closed with a reason.
        Closed = "closed", "終了", "Closed";
        /// 統合: merged into another report.
        Merged = "merged", "統合", "Merged";
    }
}

/// The phase id meaning the incident is closed (after 事後対応).
pub const CLOSED: &str = "closed";

/// The longest free text kept in one field.
const LONG_TEXT: usize = 4000;
/// The most people an incident can concern: more than live in Japan.
pub const PEOPLE_MAX: u64 = 200_000_000;
/// The longest short text (a place, a device, a title).
const SHORT_TEXT: usize = 200;

/// How far ahead of the clock a typed time may be (clocks of phones drift).
fn skew() -> Duration {
    Duration::minutes(10)
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> String {
    let v = raw.trim().to_string();
    if required && v.is_empty() {
        errors.push(FieldError::new(field, "error.required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, "error.too_long"));
    }
    v
}

/// A time typed in a form, not in the future; empty means `now` when `default_now`.
fn past_time(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    now: DateTime<Utc>,
    default_now: bool,
) -> DateTime<Utc> {
    if raw.trim().is_empty() {
        if !default_now {
            errors.push(FieldError::new(field, "error.required"));
        }
        return now;
    }
    match parse_local_jst(raw) {
        None => {
            errors.push(FieldError::new(field, "error.datetime"));
            now
        }
        Some(t) if t > now + skew() => {
            errors.push(FieldError::new(field, "error.in_future"));
            now
        }
        Some(t) => t,
    }
}

fn finish<T>(errors: Vec<FieldError>, value: T) -> Result<T, Problem> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(Problem::new(errors))
    }
}

/// What a staff member noticed, as typed in the report form (no jargon asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnomalyDraft {
    /// What happened, in the reporter's words.
    pub what: String,
    /// Where (ward, room, department).
    pub place: String,
    /// When it was noticed (`datetime-local`, Japan time); empty means now.
    pub noticed_at: String,
    /// Which device or system.
    pub device: String,
}

/// A checked anomaly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// What happened.
    pub what: String,
    /// Where.
    pub place: String,
    /// When it was noticed.
    pub noticed_at: DateTime<Utc>,
    /// Which device or system.
    pub device: String,
}

impl AnomalyDraft {
    /// Checks the report at `now`; faults name their field.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Anomaly, Problem> {
        let mut e = Vec::new();
        let a = Anomaly {
            what: text(&mut e, "what", &self.what, LONG_TEXT, true),
            place: text(&mut e, "place", &self.place, SHORT_TEXT, false),
            noticed_at: past_time(&mut e, "noticed_at", &self.noticed_at, now, true),
            device: text(&mut e, "device", &self.device, SHORT_TEXT, false),
        };
        finish(e, a)
    }
}

/// Everything recorded about an incident that a person decides: what it is and the facts that
/// decide the reporting duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    /// A short title.
    pub title: String,
    /// The kind.
    pub kind: IncidentKind,
    /// The severity.
    pub severity: Severity,
    /// Affected systems (one per line).
    pub systems: String,
    /// Affected sites and departments.
    pub sites: String,
    /// The decision on how care continues (紙運用・参照のみ等), when care is disrupted.
    pub care_decision: String,
    /// A tabletop exercise (訓練): kept out of real statistics.
    pub training: bool,
    /// The facts the duties are derived from.
    pub facts: Facts,
}

/// The incident form as typed: checkboxes arrive as `on` or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentDraft {
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Severity code.
    pub severity: String,
    /// Affected systems.
    pub systems: String,
    /// Affected sites.
    pub sites: String,
    /// Care is disrupted.
    pub care_disrupted: String,
    /// The decision on care.
    pub care_decision: String,
    /// When the institution became aware (`datetime-local`, Japan time).
    pub aware_at: String,
    /// A cyber attack (also suspected).
    pub cyber_attack: String,
    /// A malicious purpose suspected.
    pub malicious: String,
    /// A crime suspected.
    pub crime: String,
    /// Personal data involved: `yes`, `possible`, `no`.
    pub personal_data: String,
    /// How many people.
    pub pd_count: String,
    /// 要配慮個人情報.
    pub pd_sensitive: String,
    /// Risk of financial damage.
    pub pd_financial_risk: String,
    /// Highly encrypted.
    pub pd_highly_encrypted: String,
    /// The encryption key leaked too.
    pub pd_key_leaked: String,
    /// A vendor (委託先) handled the data.
    pub pd_vendor_handled: String,
    /// Who runs the institution (`private`, `public_medical`, `administrative`).
    pub operator: String,
    /// A tabletop exercise.
    pub training: String,
    /// Why the facts change (required when editing).
    pub reason: String,
}

fn checked(v: &str) -> bool {
    matches!(v.trim(), "on" | "true" | "1" | "yes")
}

fn flag(b: bool) -> String {
    if b { "on".into() } else { String::new() }
}

impl IncidentDraft {
    /// The form filled from recorded facts, to edit them.
    pub fn from_facts(f: &IncidentFacts) -> IncidentDraft {
        let pd = &f.facts.personal_data;
        IncidentDraft {
            title: f.title.clone(),
            kind: f.kind.code().into(),
            severity: f.severity.code().into(),
            systems: f.systems.clone(),
            sites: f.sites.clone(),
            care_disrupted: flag(f.facts.care_disrupted),
            care_decision: f.care_decision.clone(),
            aware_at: format_local_jst(f.facts.aware_at),
            cyber_attack: flag(f.facts.cyber_attack),
            malicious: flag(f.facts.malicious),
            crime: flag(f.facts.crime),
            personal_data: match pd.involved {
                Involvement::Yes => "yes",
                Involvement::Possible => "possible",
                Involvement::No => "no",
            }
            .into(),
            pd_count: pd.count.to_string(),
            pd_sensitive: flag(pd.sensitive),
            pd_financial_risk: flag(pd.financial_risk),
            pd_highly_encrypted: flag(pd.highly_encrypted),
            pd_key_leaked: flag(pd.key_leaked),
            pd_vendor_handled: flag(pd.vendor_handled),
            operator: f.facts.operator.code().into(),
            training: flag(f.training),
            reason: String::new(),
        }
    }

    /// A new incident's form from an anomaly report: its words and its time of noticing.
    pub fn from_anomaly(a: &Anomaly) -> IncidentDraft {
        IncidentDraft {
            title: a.what.chars().take(60).collect(),
            severity: Severity::Medium.code().into(),
            systems: a.device.clone(),
            sites: a.place.clone(),
            aware_at: format_local_jst(a.noticed_at),
            personal_data: "no".into(),
            pd_count: "0".into(),
            ..Default::default()
        }
    }

    /// Whether a checkbox of this form is ticked, for templates.
    pub fn is_checked(&self, field: &str) -> bool {
        checked(match field {
            "care_disrupted" => &self.care_disrupted,
            "cyber_attack" => &self.cyber_attack,
            "malicious" => &self.malicious,
            "crime" => &self.crime,
            "pd_sensitive" => &self.pd_sensitive,
            "pd_financial_risk" => &self.pd_financial_risk,
            "pd_highly_encrypted" => &self.pd_highly_encrypted,
            "pd_key_leaked" => &self.pd_key_leaked,
            "pd_vendor_handled" => &self.pd_vendor_handled,
            "training" => &self.training,
            _ => "",
        })
    }

    /// Checks the form at `now`. `editing` requires the reason for the change.
    pub fn validate(&self, now: DateTime<Utc>, editing: bool) -> Result<IncidentFacts, Problem> {
        let mut e = Vec::new();
        let title = text(&mut e, "title", &self.title, SHORT_TEXT, true);
        let kind = IncidentKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "error.choose_one"));
        }
        let severity = Severity::from_code(self.severity.trim());
        if severity.is_none() {
            e.push(FieldError::new("severity", "error.choose_one"));
        }
        let systems = text(&mut e, "systems", &self.systems, LONG_TEXT, false);
        let sites = text(&mut e, "sites", &self.sites, LONG_TEXT, false);
        let care_disrupted = checked(&self.care_disrupted);
        let care_decision = text(
            &mut e,
            "care_decision",
            &self.care_decision,
            LONG_TEXT,
            false,
        );
        let aware_at = past_time(&mut e, "aware_at", &self.aware_at, now, false);
        let involved = match self.personal_data.trim() {
            "yes" => Some(Involvement::Yes),
            "possible" => Some(Involvement::Possible),
            "no" | "" => Some(Involvement::No),
            _ => None,
        };
        if involved.is_none() {
            e.push(FieldError::new("personal_data", "error.choose_one"));
        }
        let count = match self.pd_count.trim() {
            "" => 0,
            n => match n.parse::<u64>() {
                Ok(c) if c <= PEOPLE_MAX => c,
                Ok(_) => {
                    e.push(FieldError::new("pd_count", "error.people_count_range"));
                    0
                }
                Err(_) => {
                    e.push(FieldError::new("pd_count", "error.number"));
                    0
                }
            },
        };
        let operator = match self.operator.trim() {
            "" => Some(Operator::Private),
            c => Operator::from_code(c),
        };
        if operator.is_none() {
            e.push(FieldError::new("operator", "error.choose_one"));
        }
        let involved = involved.unwrap_or_default();
        if involved != Involvement::No && count == 0 {
            e.push(FieldError::new("pd_count", "error.people_count"));
        }
        // The reason itself is read from the draft by the caller and kept on the timeline.
        text(&mut e, "reason", &self.reason, LONG_TEXT, editing);
        let kind = kind.unwrap_or(IncidentKind::Other);
        let facts = IncidentFacts {
            title,
            kind,
            severity: severity.unwrap_or(Severity::Medium),
            systems,
            sites,
            care_decision,
            training: checked(&self.training),
            facts: Facts {
                aware_at,
                cyber_attack: checked(&self.cyber_attack) || kind.is_attack(),
                care_disrupted,
                // Ransomware and unauthorised access are 不正の目的 by their nature (PPC guidance).
                malicious: checked(&self.malicious) || kind.is_attack(),
                crime: checked(&self.crime),
                operator: operator.unwrap_or_default(),
                personal_data: PersonalData {
                    involved,
                    count,
                    sensitive: checked(&self.pd_sensitive),
                    financial_risk: checked(&self.pd_financial_risk),
                    highly_encrypted: checked(&self.pd_highly_encrypted),
                    key_leaked: checked(&self.pd_key_leaked),
                    vendor_handled: checked(&self.pd_vendor_handled),
                },
            },
        };
        finish(e, facts)
    }
}

/// The stable key of a duty, e.g. `ppc.sokuho`, under which its status is kept.
pub fn duty_key(recipient: Recipient, report: Report) -> String {
    format!("{}.{}", recipient_code(recipient), report_code(report))
}

/// The code of a recipient, as in `mamori duties` output.
pub fn recipient_code(r: Recipient) -> &'static str {
    match r {
        Recipient::Vendor => "vendor",
        Recipient::Mhlw => "mhlw",
        Recipient::Prefecture => "prefecture",
        Recipient::Police => "police",
        Recipient::Ppc => "ppc",
        Recipient::Individuals => "individuals",
    }
}

/// The code of a report, as in `mamori duties` output.
pub fn report_code(r: Report) -> &'static str {
    match r {
        Report::Notice => "notice",
        Report::Sokuho => "sokuho",
        Report::Kakuho => "kakuho",
    }
}

/// A duty whose deadline moved after a change of facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedDuty {
    /// The duty's key.
    pub duty: String,
    /// The deadline before.
    pub from: Option<NaiveDate>,
    /// The deadline now.
    pub to: Option<NaiveDate>,
}

/// What a change of facts did to the duties; recorded on the timeline with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyChange {
    /// Duties now owed that were not before.
    pub added: Vec<String>,
    /// Duties no longer owed.
    pub removed: Vec<String>,
    /// Duties whose deadline moved.
    pub moved: Vec<MovedDuty>,
}

impl DutyChange {
    /// Compares the duties before and after a change of facts.
    pub fn between(before: &[Duty], after: &[Duty]) -> DutyChange {
        let key = |d: &Duty| duty_key(d.recipient, d.report);
        let mut c = DutyChange::default();
        for a in after {
            match before
                .iter()
                .find(|b| b.recipient == a.recipient && b.report == a.report)
            {
                None => c.added.push(key(a)),
                Some(b) if b.due != a.due => c.moved.push(MovedDuty {
                    duty: key(a),
                    from: b.due,
                    to: a.due,
                }),
                Some(_) => {}
            }
        }
        for b in before {
            if !after
                .iter()
                .any(|a| a.recipient == b.recipient && a.report == b.report)
            {
                c.removed.push(key(b));
            }
        }
        c
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.moved.is_empty()
    }
}

/// Days from `today` to `due` (negative when overdue), for countdowns.
pub fn days_left(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// The label of a recipient.
pub fn recipient_label(r: Recipient, lang: Lang) -> &'static str {
    match r {
        Recipient::Vendor => lang.pick("事業者(保守会社)", "Vendor (maintenance)"),
        Recipient::Mhlw => lang.pick("厚生労働省", "MHLW"),
        Recipient::Prefecture => lang.pick("都道府県・保健所", "Prefecture / health centre"),
        Recipient::Police => lang.pick("警察", "Police"),
        Recipient::Ppc => lang.pick(
            "個人情報保護委員会",
            "Personal Information Protection Commission",
        ),
        Recipient::Individuals => lang.pick("ご本人", "Affected individuals"),
    }
}

/// The label of a report.
pub fn report_label(r: Report, lang: Lang) -> &'static str {
    match r {
        Report::Notice => lang.pick("連絡・通知", "Notice"),
        Report::Sokuho => lang.pick("速報", "Preliminary report (速報)"),
        Report::Kakuho => lang.pick("確報", "Final report (確報)"),
    }
}

/// The label of an obligation.
pub fn obligation_label(o: Obligation, lang: Lang) -> &'static str {
    match o {
        Obligation::Legal => lang.pick("法令上の義務", "Legal duty"),
        Obligation::Administrative => lang.pick("行政からの要請", "Administrative request"),
        Obligation::Recommended => lang.pick("推奨", "Recommended"),
    }
}

/// The label of a role a catalog task is addressed to (the catalog's role codes).
pub fn task_role_label(code: &str, lang: Lang) -> &'static str {
    match code {
        "executive" => lang.pick("経営層", "Executives"),
        "security_manager" => lang.pick("安全管理責任者", "Security manager"),
        "system_operator" => lang.pick("システム運用担当者", "System operators"),
        "staff" => lang.pick("職員", "All staff"),
        "vendor" => lang.pick("事業者", "Vendor"),
        "csirt" => lang.pick("CSIRT", "CSIRT"),
        _ => lang.pick("その他", "Other"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::duties::duties;

    fn now() -> DateTime<Utc> {
        parse_local_jst("2026-11-23T10:00").unwrap()
    }

    fn draft() -> IncidentDraft {
        IncidentDraft {
            title: "電子カルテが暗号化".into(),
            kind: "ransomware".into(),
            severity: "critical".into(),
            aware_at: "2026-11-23T08:30".into(),
            personal_data: "possible".into(),
            pd_count: "12000".into(),
            pd_sensitive: "on".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_report_needs_what_and_no_future_time() {
        let p = AnomalyDraft::default().validate(now()).unwrap_err();
        assert_eq!(p.for_field("what"), Some("error.required"));
        let d = AnomalyDraft {
            what: "画面に英語の脅迫文".into(),
            noticed_at: "2026-11-24T10:00".into(),
            ..Default::default()
        };
        assert_eq!(
            d.validate(now()).unwrap_err().for_field("noticed_at"),
            Some("error.in_future")
        );
        let ok = AnomalyDraft {
            noticed_at: String::new(),
            ..d
        }
        .validate(now())
        .unwrap();
        assert_eq!(ok.noticed_at, now());
    }

    #[test]
    fn an_attack_kind_is_a_cyber_attack_and_round_trips_through_the_form() {
        let f = draft().validate(now(), false).unwrap();
        assert!(f.facts.cyber_attack);
        assert_eq!(f.facts.personal_data.involved, Involvement::Possible);
        let again = IncidentDraft::from_facts(&f)
            .validate(now(), false)
            .unwrap();
        assert_eq!(again, f);
    }

    #[test]
    fn editing_needs_a_reason_and_personal_data_a_count() {
        let p = IncidentDraft {
            pd_count: "0".into(),
            ..draft()
        }
        .validate(now(), true)
        .unwrap_err();
        assert_eq!(p.for_field("reason"), Some("error.required"));
        assert_eq!(p.for_field("pd_count"), Some("error.people_count"));
        let p = IncidentDraft {
            kind: "earthquake".into(),
            pd_count: "many".into(),
            ..draft()
        }
        .validate(now(), false)
        .unwrap_err();
        assert_eq!(p.for_field("kind"), Some("error.choose_one"));
        assert_eq!(p.for_field("pd_count"), Some("error.number"));
    }

    #[test]
    fn a_leak_found_later_adds_the_ppc_duties() {
        let mut f = IncidentDraft {
            personal_data: "no".into(),
            pd_count: String::new(),
            pd_sensitive: String::new(),
            ..draft()
        }
        .validate(now(), false)
        .unwrap();
        let before = duties(&f.facts);
        f.facts.personal_data = PersonalData {
            involved: Involvement::Yes,
            count: 3,
            sensitive: true,
            ..Default::default()
        };
        f.facts.malicious = true;
        let change = DutyChange::between(&before, &duties(&f.facts));
        assert!(change.added.contains(&"ppc.sokuho".to_string()));
        assert!(change.added.contains(&"ppc.kakuho".to_string()));
        assert!(change.added.contains(&"individuals.notice".to_string()));
        assert!(change.removed.is_empty());
        assert!(DutyChange::between(&before, &before).is_empty());
    }

    #[test]
    fn codes_round_trip() {
        for k in IncidentKind::ALL {
            assert_eq!(IncidentKind::from_code(k.code()), Some(*k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::from_code(s.code()), Some(*s));
        }
        assert_eq!(
            days_left(
                NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
            ),
            2
        );
    }
}
