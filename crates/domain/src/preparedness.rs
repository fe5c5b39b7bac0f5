//! What must be at hand before anything happens: the contact chart (連絡体制図) and the recovery
//! procedures per system (復旧手順), which also make up the emergency pack.

use crate::table::{CellError, Column, TableImport, read_recognised};
use crate::validate::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// A telephone number is kept as typed (内線1234, 090-1234-5678 (夜間)); it must hold a number.
fn phone(e: &mut Vec<FieldError>, field: &str, v: &str) -> String {
    let v = check(e, field, v, 60, false);
    if !v.is_empty()
        && !crate::cells::half_width(&v)
            .chars()
            .any(|c| c.is_ascii_digit())
    {
        e.push(FieldError::new(field, "error.phone"));
    }
    v
}

/// The number to dial of a telephone number as typed, when it is one that can be dialled from
/// outside: its leading digits (full-width ones too) without separators, 10 or 11 digits from a
/// 0 or `+` and 8 to 15 digits. An extension (内線1234) or a bare short number has none.
pub fn dialable(typed: &str) -> Option<String> {
    let t = crate::cells::half_width(typed);
    let t = t.trim();
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || "-+() .".contains(*c))
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let digits = head.trim_start_matches('+');
    let ok = if head.starts_with('+') {
        (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
    } else {
        head.starts_with('0') && (10..=11).contains(&head.len())
    };
    ok.then_some(head)
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

    /// The office-hours number to dial, if it can be dialled.
    pub fn dial(&self) -> Option<String> {
        dialable(&self.phone)
    }

    /// The 24-hour number to dial, if it can be dialled.
    pub fn dial_24h(&self) -> Option<String> {
        dialable(&self.phone_24h)
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
            crate::duties::MHLW_DESK,
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

/// The contact chart's columns, in field order, with the names people's own charts use.
pub const CONTACT_COLUMNS: [Column; 9] = [
    Column::new(
        "group",
        "区分",
        "Group",
        false,
        &["分類", "種別", "グループ", "内外", "group"],
    ),
    Column::new(
        "role",
        "役割・窓口",
        "Role or desk",
        true,
        &[
            "役割",
            "窓口",
            "役職",
            "担当",
            "連絡先名",
            "部署・役割",
            "role",
            "desk",
            "position",
        ],
    ),
    Column::new(
        "organisation",
        "組織",
        "Organisation",
        false,
        &[
            "所属",
            "組織名",
            "会社名",
            "機関名",
            "部署",
            "organization",
            "company",
        ],
    ),
    Column::new(
        "name",
        "氏名",
        "Name",
        false,
        &[
            "担当者",
            "担当者名",
            "名前",
            "氏名(担当者)",
            "person",
            "contact",
        ],
    ),
    Column::new(
        "system",
        "システム",
        "System",
        false,
        &["担当システム", "対象システム", "システム名"],
    ),
    Column::new(
        "phone",
        "電話(平日)",
        "Telephone",
        false,
        &[
            "電話",
            "電話番号",
            "連絡先",
            "tel",
            "phone",
            "内線",
            "日中連絡先",
        ],
    ),
    Column::new(
        "phone_24h",
        "電話(24時間)",
        "Telephone (24 hours)",
        false,
        &[
            "夜間連絡先",
            "夜間・休日",
            "緊急連絡先",
            "携帯",
            "携帯電話",
            "24時間",
            "休日夜間",
            "mobile",
            "emergency",
        ],
    ),
    Column::new(
        "email",
        "メール",
        "E-mail",
        false,
        &["メールアドレス", "電子メール", "mail", "email address"],
    ),
    Column::new(
        "notes",
        "備考",
        "Notes",
        false,
        &["メモ", "注記", "remarks", "note"],
    ),
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

/// The group a contact most likely belongs to, from its organisation, role and system.
fn guess_group(organisation: &str, role: &str, system: &str) -> ContactGroup {
    const AUTHORITIES: [&str; 9] = [
        "厚生労働省",
        "警察",
        "保健所",
        "都道府県",
        "医務主管課",
        "個人情報保護委員会",
        "ISAC",
        "セプター",
        "NISC",
    ];
    const COMPANIES: [&str; 5] = ["株式会社", "有限会社", "(株)", "(株)", "合同会社"];
    let text = format!("{organisation} {role}");
    if AUTHORITIES.iter().any(|w| text.contains(w)) {
        ContactGroup::Authority
    } else if !system.trim().is_empty() || COMPANIES.iter().any(|w| organisation.contains(w)) {
        ContactGroup::Vendor
    } else {
        ContactGroup::Internal
    }
}

/// The contact chart as an import reads it.
pub struct ContactTable;

impl TableImport for ContactTable {
    type Row = Contact;

    fn columns(&self) -> Vec<Column> {
        CONTACT_COLUMNS.to_vec()
    }

    fn parse(&self, v: &BTreeMap<String, String>) -> Result<Contact, Problem> {
        let cell = |k: &str| v.get(k).cloned().unwrap_or_default();
        let group = cell("group");
        let group = ContactGroup::ALL
            .iter()
            .find(|g| {
                g.code() == group.trim()
                    || g.label(crate::Lang::Ja) == group.trim()
                    || g.label(crate::Lang::En).eq_ignore_ascii_case(group.trim())
            })
            .map(|g| g.code().to_string())
            .unwrap_or(group);
        // A chart without a 区分 column: the kind of body is told from its name, and the
        // preview shows what was guessed before anything is taken.
        let group = if group.trim().is_empty() {
            guess_group(&cell("organisation"), &cell("role"), &cell("system"))
                .code()
                .to_string()
        } else {
            group
        };
        Contact {
            group,
            role: cell("role"),
            organisation: cell("organisation"),
            name: cell("name"),
            system: cell("system"),
            phone: cell("phone"),
            phone_24h: cell("phone_24h"),
            email: cell("email"),
            notes: cell("notes"),
        }
        .validate()
    }

    fn cells(&self, c: &Contact) -> Vec<String> {
        c.cells()
    }
}

/// Reads a contact table whose headers are ours or names people commonly use (any order, a
/// title above allowed); any fault refuses it all.
pub fn import_contacts(rows: &[Vec<String>]) -> Result<Vec<Contact>, Vec<CellError>> {
    read_recognised(&ContactTable, rows)
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
    fn numbers_are_kept_as_typed_and_dialled_where_they_can_be() {
        for typed in [
            "内線1234",
            "090-1234-5678 (夜間)",
            "０３－１２３４－５６７８",
            "+81 3 1234 5678",
        ] {
            let c = Contact {
                group: "internal".into(),
                role: "情報システム室".into(),
                phone: typed.into(),
                ..Default::default()
            }
            .validate();
            assert_eq!(c.map(|c| c.phone), Ok(typed.to_string()), "{typed}");
        }
        assert_eq!(
            dialable("090-1234-5678 (夜間)").as_deref(),
            Some("09012345678")
        );
        assert_eq!(
            dialable("０３－１２３４－５６７８").as_deref(),
            Some("0312345678")
        );
        assert_eq!(
            dialable("03-1234-5678 内線12").as_deref(),
            Some("0312345678")
        );
        assert_eq!(dialable("+81 3 1234 5678").as_deref(), Some("+81312345678"));
        assert_eq!(dialable("内線1234"), None);
        assert_eq!(dialable("1234"), None);
        assert_eq!(dialable("110"), None);
    }

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
        let header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| c.ja.to_string()).collect();
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
