//! What must be at hand before anything happens: the contact chart (連絡体制図) and the recovery
//! procedures per system (復旧手順), which also make up the emergency pack.

use crate::table::{CellError, find_column};
use crate::validate::{FieldError, Problem};
use serde::{Deserialize, Serialize};

coded! {
    /// Where a contact sits on the chart.
    ContactGroup {
        /// 院内: internal roles (executive, security manager, IT, CSIRT).
        Internal = "internal", "院内", "Internal";
        /// 事業者: vendors and maintenance companies, per system.
        Vendor = "vendor", "事業者(システムごと)", "Vendors (per system)";
        /// 外部機関: MHLW, prefecture, police, PPC, ISAC.
        Authority = "authority", "外部関係機関", "External bodies";
    }
}

/// One entry of the contact chart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// The group code (`internal`, `vendor`, `authority`).
    pub group: String,
    /// The role or desk (e.g. 安全管理責任者, サイバー犯罪相談窓口).
    pub role: String,
    /// A person's name, if any.
    pub name: String,
    /// The organisation.
    pub organisation: String,
    /// For vendors: the system they look after.
    pub system: String,
    /// Telephone in office hours.
    pub phone: String,
    /// Telephone at any hour (24時間).
    pub phone_24h: String,
    /// E-mail.
    pub email: String,
    /// Notes (hours, what to say, contract number).
    pub notes: String,
}

const SHORT: usize = 200;
const LONG: usize = 2000;

fn check(e: &mut Vec<FieldError>, field: &str, v: &str, max: usize, required: bool) -> String {
    let v = v.trim().to_string();
    if required && v.is_empty() {
        e.push(FieldError::new(field, "error.required"));
    } else if v.chars().count() > max {
        e.push(FieldError::new(field, "error.too_long"));
    }
    v
}

fn phone(e: &mut Vec<FieldError>, field: &str, v: &str) -> String {
    let v = check(e, field, v, 40, false);
    if !v.chars().all(|c| c.is_ascii_digit() || "-+() ".contains(c)) {
        e.push(FieldError::new(field, "error.phone"));
    }
    v
}

impl Contact {
    /// Checks a contact as typed, returning it trimmed.
    pub fn validate(&self) -> Result<Contact, Problem> {
        let mut e = Vec::new();
        if ContactGroup::from_code(self.group.trim()).is_none() {
            e.push(FieldError::new("group", "error.choose_one"));
        }
        let c = Contact {
            group: self.group.trim().to_string(),
            role: check(&mut e, "role", &self.role, SHORT, true),
            name: check(&mut e, "name", &self.name, SHORT, false),
            organisation: check(&mut e, "organisation", &self.organisation, SHORT, false),
            system: check(&mut e, "system", &self.system, SHORT, false),
            phone: phone(&mut e, "phone", &self.phone),
            phone_24h: phone(&mut e, "phone_24h", &self.phone_24h),
            email: match self.email.trim() {
                "" => String::new(),
                m => crate::validate::email(m).unwrap_or_else(|k| {
                    e.push(FieldError::new("email", k));
                    m.to_string()
                }),
            },
            notes: check(&mut e, "notes", &self.notes, LONG, false),
        };
        if e.is_empty() {
            Ok(c)
        } else {
            Err(Problem::new(e))
        }
    }

    /// The group.
    pub fn group(&self) -> ContactGroup {
        ContactGroup::from_code(&self.group).unwrap_or(ContactGroup::Internal)
    }

    /// Whether nobody can be reached at night: no 24-hour number.
    pub fn lacks_24h(&self) -> bool {
        self.phone_24h.is_empty()
    }
}

/// The bodies every chart needs (the guideline's checklist item 3-(1) names them); the numbers are
/// the institution's to fill in, since desks differ by prefecture.
pub fn standard_bodies() -> Vec<Contact> {
    let body = |role: &str, org: &str, notes: &str| Contact {
        group: ContactGroup::Authority.code().into(),
        role: role.into(),
        organisation: org.into(),
        notes: notes.into(),
        ..Default::default()
    };
    vec![
        body(
            "医療情報システムのサイバー攻撃等の報告窓口",
            crate::drafts::MHLW_DESK,
            "サイバー攻撃(疑いを含む)は速やかに報告",
        ),
        body(
            "医務主管課(薬局は薬務主管課)・保健所",
            "都道府県・保健所設置市",
            "立入検査の窓口(病院・診療所は医療法第25条、薬局は医薬品医療機器等法)",
        ),
        body(
            "サイバー犯罪相談窓口",
            "都道府県警察",
            "犯罪の疑いがあれば相談",
        ),
        body(
            "漏えい等報告窓口",
            "個人情報保護委員会",
            "速報は概ね3〜5日以内、確報は30日(不正目的は60日)以内",
        ),
        body("情報共有窓口", "医療ISAC・医療セプター", "脅威情報の共有"),
    ]
}

/// Column headers of the contact chart as a table (Japanese, English), in field order.
pub const CONTACT_COLUMNS: [(&str, &str, &str); 9] = [
    ("group", "区分", "Group"),
    ("role", "役割・窓口", "Role or desk"),
    ("organisation", "組織", "Organisation"),
    ("name", "氏名", "Name"),
    ("system", "システム", "System"),
    ("phone", "電話(平日)", "Telephone"),
    ("phone_24h", "電話(24時間)", "Telephone (24 hours)"),
    ("email", "メール", "E-mail"),
    ("notes", "備考", "Notes"),
];

impl Contact {
    /// The contact as table cells (the group by its Japanese label).
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.group().label(crate::Lang::Ja).to_string(),
            self.role.clone(),
            self.organisation.clone(),
            self.name.clone(),
            self.system.clone(),
            self.phone.clone(),
            self.phone_24h.clone(),
            self.email.clone(),
            self.notes.clone(),
        ]
    }
}

/// Reads a contact table (Japanese or English headers, any order); any fault refuses it all.
pub fn import_contacts(rows: &[Vec<String>]) -> Result<Vec<Contact>, Vec<CellError>> {
    let Some(header) = rows.first() else {
        return Err(vec![CellError::whole(1, "error.import_empty")]);
    };
    let at: Vec<Option<usize>> = CONTACT_COLUMNS
        .iter()
        .map(|(key, ja, en)| find_column(header, &[ja, en, key]))
        .collect();
    if at.get(1).copied().flatten().is_none() {
        return Err(vec![CellError::at(
            1,
            None,
            "役割・窓口",
            "error.import_header",
        )]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |n: usize| {
            at.get(n)
                .copied()
                .flatten()
                .and_then(|a| row.get(a))
                .cloned()
                .unwrap_or_default()
        };
        let group = cell(0);
        let group = ContactGroup::ALL
            .iter()
            .find(|g| {
                g.code() == group.trim()
                    || g.label(crate::Lang::Ja) == group.trim()
                    || g.label(crate::Lang::En).eq_ignore_ascii_case(group.trim())
            })
            .map(|g| g.code().to_string())
            .unwrap_or(group);
        let c = Contact {
            group,
            role: cell(1),
            organisation: cell(2),
            name: cell(3),
            system: cell(4),
            phone: cell(5),
            phone_24h: cell(6),
            email: cell(7),
            notes: cell(8),
        };
        match c.validate() {
            Ok(c) => out.push(c),
            Err(p) => errors.extend(p.errors.into_iter().map(|e| {
                let pos = CONTACT_COLUMNS.iter().position(|c| c.0 == e.field);
                CellError::at(
                    i + 1,
                    pos.and_then(|p| at.get(p).copied().flatten()),
                    pos.and_then(|p| CONTACT_COLUMNS.get(p)).map_or("", |c| c.1),
                    &e.key,
                )
            })),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// How to bring one system back (復旧手順), kept where the emergency pack can print it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecoveryProcedure {
    /// The system.
    pub system: String,
    /// The steps, one per line, including where the clean backups are and who restores them.
    pub steps: String,
}

impl RecoveryProcedure {
    /// Checks a procedure as typed.
    pub fn validate(&self) -> Result<RecoveryProcedure, Problem> {
        let mut e = Vec::new();
        let p = RecoveryProcedure {
            system: check(&mut e, "system", &self.system, SHORT, true),
            steps: check(&mut e, "steps", &self.steps, 20_000, true),
        };
        if e.is_empty() {
            Ok(p)
        } else {
            Err(Problem::new(e))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_needs_a_role_and_sane_numbers() {
        let p = Contact {
            group: "vendor".into(),
            phone: "03-1234-5678".into(),
            phone_24h: "call Taro".into(),
            email: "nope".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(p.for_field("role"), Some("error.required"));
        assert_eq!(p.for_field("phone_24h"), Some("error.phone"));
        assert_eq!(p.for_field("email"), Some("error.email"));
        assert_eq!(p.for_field("phone"), None);
        let bad_group = Contact {
            group: "friends".into(),
            role: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            bad_group.validate().unwrap_err().for_field("group"),
            Some("error.choose_one")
        );
    }

    #[test]
    fn the_standard_bodies_cover_the_checklist_item() {
        let orgs: Vec<_> = standard_bodies()
            .into_iter()
            .map(|c| c.organisation)
            .collect();
        for needed in ["厚生労働省", "都道府県警察", "個人情報保護委員会"] {
            assert!(orgs.iter().any(|o| o.contains(needed)), "{needed}");
        }
        assert!(standard_bodies().iter().all(|c| c.validate().is_ok()));
    }

    #[test]
    fn a_procedure_needs_a_system_and_steps() {
        let p = RecoveryProcedure::default().validate().unwrap_err();
        assert_eq!(p.for_field("system"), Some("error.required"));
        assert_eq!(p.for_field("steps"), Some("error.required"));
    }

    #[test]
    fn the_chart_round_trips_as_a_table_and_faults_name_their_cell() {
        let header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| c.1.to_string()).collect();
        let bodies = standard_bodies();
        let table: Vec<Vec<String>> = std::iter::once(header.clone())
            .chain(bodies.iter().map(Contact::cells))
            .collect();
        assert_eq!(import_contacts(&table).unwrap(), bodies);
        let bad = vec![
            header,
            vec![
                "院内".into(),
                "CSIRT".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "夜間は携帯".into(),
            ],
        ];
        let e = import_contacts(&bad).unwrap_err();
        assert_eq!(
            (e[0].row, e[0].letter.as_str(), e[0].key.as_str()),
            (2, "G", "error.phone")
        );
    }
}
