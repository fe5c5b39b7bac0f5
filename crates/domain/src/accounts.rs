//! The accounts review (アカウントの棚卸し): user lists exported from each system (electronic
//! medical record, Active Directory, …) read through a column mapping chosen once per system, set
//! against the staff list, and flagged: people who left, accounts unused for N days, shared
//! accounts, administrator rights.

use crate::table::CellError;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The roles a column can play in a user list; `login` is required.
pub const MAPPING_ROLES: [(&str, &str, &str); 6] = [
    ("login", "ログインID", "Login"),
    ("name", "氏名", "Name"),
    ("employee_id", "職員番号", "Employee number"),
    ("last_login", "最終ログイン日時", "Last login"),
    ("admin", "管理者権限", "Administrator"),
    ("disabled", "無効・停止", "Disabled"),
];

/// Which header of a system's export holds which role (role → header text).
pub use crate::table::ColumnMapping;

/// Default days without a login after which an account is flagged.
pub const DEFAULT_UNUSED_DAYS: i64 = 90;

/// An account in one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemAccount {
    /// Login name.
    pub login: String,
    /// Person's name.
    pub name: String,
    /// Employee number, when the system keeps it.
    pub employee_id: String,
    /// Last login day.
    pub last_login: Option<NaiveDate>,
    /// Holds administrator rights.
    pub admin: bool,
    /// Disabled in the system.
    pub disabled: bool,
}

/// A person on the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Employee number.
    pub employee_id: String,
    /// Name.
    pub name: String,
    /// The day they left, if they did.
    pub left_on: Option<NaiveDate>,
}

/// What is wrong with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Belongs to someone who left (退職者).
    Left,
    /// Not found on the staff list.
    NotOnStaffList,
    /// No login for the set number of days, or never.
    Unused,
    /// Looks shared (共用): a generic login or name.
    Shared,
    /// Holds administrator rights.
    Admin,
}

impl Flag {
    /// Label.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Flag::Left => lang.pick("退職者", "Left"),
            Flag::NotOnStaffList => lang.pick("職員名簿にない", "Not on staff list"),
            Flag::Unused => lang.pick("長期未使用", "Unused"),
            Flag::Shared => lang.pick("共用の疑い", "Possibly shared"),
            Flag::Admin => lang.pick("管理者権限", "Administrator"),
        }
    }

    /// Every flag, in display order.
    pub const ALL: [Flag; 5] = [
        Flag::Left,
        Flag::NotOnStaffList,
        Flag::Unused,
        Flag::Shared,
        Flag::Admin,
    ];
}

/// Reads a day from what exports write: `2025-09-01`, `2025/09/01`, with or without a time.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head: String = s.chars().take(10).collect();
    NaiveDate::parse_from_str(&head, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&head, "%Y/%m/%d"))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y/%-m/%-d %H:%M")
                .ok()
                .map(|t| t.date())
        })
        .or_else(|| NaiveDate::parse_from_str(s, "%Y/%-m/%-d").ok())
}

fn truthy(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" | "はい" | "有" | "あり" | "○" | "管理者" | "admin"
        | "administrator" | "無効" | "停止" | "disabled" => Some(true),
        "" | "0" | "false" | "no" | "n" | "off" | "いいえ" | "無" | "なし" | "×" | "一般"
        | "user" | "有効" | "enabled" => Some(false),
        _ => None,
    }
}

fn fault(row: usize, col: Option<usize>, column: &str, key: &str) -> CellError {
    CellError::at(row, col, column, key)
}

/// Whether a mapping names a login column that the header has (and only columns it has).
pub fn mapping_fits(header: &[String], mapping: &ColumnMapping) -> bool {
    crate::table::mapping_fits(header, mapping)
        && mapping.get("login").is_some_and(|h| !h.is_empty())
}

/// Reads a user list through a mapping; every fault is named by row and column.
pub fn parse_accounts(
    rows: &[Vec<String>],
    mapping: &ColumnMapping,
) -> Result<Vec<SystemAccount>, Vec<CellError>> {
    let Some(header) = rows.first() else {
        return Err(vec![fault(1, None, "", "error.import_empty")]);
    };
    let at = |role: &str| -> Option<usize> {
        let h = mapping.get(role).filter(|h| !h.is_empty())?;
        header.iter().position(|x| x.trim() == h)
    };
    let Some(login_at) = at("login") else {
        return Err(vec![fault(
            1,
            None,
            mapping.get("login").map(String::as_str).unwrap_or("login"),
            "error.import_header",
        )]);
    };
    let cols: BTreeMap<&str, Option<usize>> =
        MAPPING_ROLES.iter().map(|(r, _, _)| (*r, at(r))).collect();
    let cell = |row: &Vec<String>, role: &str| {
        cols.get(role)
            .copied()
            .flatten()
            .and_then(|i| row.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let n = i + 1;
        let login = cell(row, "login");
        if login.is_empty() {
            errors.push(fault(
                n,
                Some(login_at),
                mapping.get("login").map(String::as_str).unwrap_or(""),
                "error.required",
            ));
        }
        let last = cell(row, "last_login");
        let last_login = match last.as_str() {
            "" | "-" | "なし" | "never" => None,
            s => match parse_day(s) {
                Some(d) => Some(d),
                None => {
                    errors.push(fault(
                        n,
                        cols.get("last_login").copied().flatten(),
                        mapping.get("last_login").map(String::as_str).unwrap_or(""),
                        "error.date",
                    ));
                    None
                }
            },
        };
        let mut flag = |role: &str| match truthy(&cell(row, role)) {
            Some(b) => b,
            None => {
                errors.push(fault(
                    n,
                    cols.get(role).copied().flatten(),
                    mapping.get(role).map(String::as_str).unwrap_or(""),
                    "error.yes_no",
                ));
                false
            }
        };
        let admin = flag("admin");
        let disabled = flag("disabled");
        out.push(SystemAccount {
            login,
            name: cell(row, "name"),
            employee_id: cell(row, "employee_id"),
            last_login,
            admin,
            disabled,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The staff list's headers: 職員番号, 氏名, 退職日 (English accepted).
pub const STAFF_COLUMNS: [(&str, &str); 3] = [
    ("職員番号", "Employee number"),
    ("氏名", "Name"),
    ("退職日", "Left on"),
];

/// Reads a staff list.
pub fn parse_staff(rows: &[Vec<String>]) -> Result<Vec<StaffMember>, Vec<CellError>> {
    let Some(header) = rows.first() else {
        return Err(vec![fault(1, None, "", "error.import_empty")]);
    };
    let at: Vec<Option<usize>> = STAFF_COLUMNS
        .iter()
        .map(|(ja, en)| {
            header
                .iter()
                .position(|h| h.trim() == *ja || h.trim().eq_ignore_ascii_case(en))
        })
        .collect();
    let (Some(id_at), Some(name_at)) =
        (at.first().copied().flatten(), at.get(1).copied().flatten())
    else {
        return Err(vec![fault(
            1,
            None,
            "職員番号・氏名",
            "error.import_header",
        )]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |c: usize| row.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let (employee_id, name) = (get(id_at), get(name_at));
        if employee_id.is_empty() && name.is_empty() {
            errors.push(fault(i + 1, Some(id_at), "職員番号", "error.required"));
        }
        let left_at = at.get(2).copied().flatten();
        let left = left_at.map(get).unwrap_or_default();
        let left_on = if left.is_empty() {
            None
        } else {
            match parse_day(&left) {
                Some(d) => Some(d),
                None => {
                    errors.push(fault(i + 1, left_at, "退職日", "error.date"));
                    None
                }
            }
        };
        out.push(StaffMember {
            employee_id,
            name,
            left_on,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

const SHARED_WORDS: [&str; 10] = [
    "shared", "share", "common", "guest", "kyoyu", "kyouyu", "public", "temp", "test", "team",
];
const SHARED_NAMES: [&str; 4] = ["共用", "共有", "共通", "ゲスト"];

/// The flags of an account against the staff list on `today`.
pub fn flags(
    a: &SystemAccount,
    staff: &[StaffMember],
    today: NaiveDate,
    unused_days: i64,
) -> Vec<Flag> {
    let mut out = Vec::new();
    let person = staff.iter().find(|s| {
        (!a.employee_id.is_empty() && s.employee_id == a.employee_id)
            || (a.employee_id.is_empty()
                && !a.name.is_empty()
                && s.name.replace([' ', '　'], "") == a.name.replace([' ', '　'], ""))
    });
    let login = a.login.to_lowercase();
    let shared = SHARED_WORDS.iter().any(|w| login.contains(w))
        || SHARED_NAMES.iter().any(|w| a.name.contains(w));
    if !a.disabled {
        match person {
            Some(p) if p.left_on.is_some_and(|d| d <= today) => out.push(Flag::Left),
            None if !staff.is_empty() && !shared => out.push(Flag::NotOnStaffList),
            _ => {}
        }
        if a.last_login
            .is_none_or(|d| (today - d).num_days() > unused_days)
        {
            out.push(Flag::Unused);
        }
    }
    if shared {
        out.push(Flag::Shared);
    }
    if a.admin {
        out.push(Flag::Admin);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    fn emr_mapping() -> ColumnMapping {
        [
            ("login", "利用者ID"),
            ("name", "利用者名"),
            ("employee_id", "職員CD"),
            ("last_login", "最終ログイン"),
            ("admin", "権限区分"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn a_user_list_is_read_through_its_mapping() {
        let rows = table(&[
            &["利用者ID", "利用者名", "職員CD", "最終ログイン", "権限区分"],
            &["t.yamada", "山田 太郎", "1001", "2026/04/30 08:12", "一般"],
            &["admin", "システム管理", "", "2026-04-01", "管理者"],
        ]);
        let accounts = parse_accounts(&rows, &emr_mapping()).unwrap();
        assert_eq!(accounts[0].last_login, NaiveDate::from_ymd_opt(2026, 4, 30));
        assert!(accounts[1].admin && !accounts[0].admin);
        assert!(mapping_fits(&rows[0], &emr_mapping()));
        assert!(!mapping_fits(&rows[0][..2], &emr_mapping()));
        let bad = table(&[
            &["利用者ID", "利用者名", "職員CD", "最終ログイン", "権限区分"],
            &["", "x", "", "昨日", "たぶん"],
        ]);
        let e = parse_accounts(&bad, &emr_mapping()).unwrap_err();
        let at: Vec<_> = e
            .iter()
            .map(|e| (e.row, e.letter.as_str(), e.key.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (2, "A", "error.required"),
                (2, "D", "error.date"),
                (2, "E", "error.yes_no")
            ]
        );
    }

    #[test]
    fn accounts_are_flagged_against_the_staff_list() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let staff = parse_staff(&table(&[
            &["職員番号", "氏名", "退職日"],
            &["1001", "山田 太郎", ""],
            &["1002", "佐藤 花子", "2026/03/31"],
        ]))
        .unwrap();
        let acct =
            |login: &str, name: &str, id: &str, last: Option<(i32, u32, u32)>, admin: bool| {
                SystemAccount {
                    login: login.into(),
                    name: name.into(),
                    employee_id: id.into(),
                    last_login: last.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
                    admin,
                    disabled: false,
                }
            };
        assert!(
            flags(
                &acct("t.yamada", "山田太郎", "1001", Some((2026, 4, 30)), false),
                &staff,
                today,
                90
            )
            .is_empty()
        );
        assert_eq!(
            flags(
                &acct("h.sato", "佐藤 花子", "1002", Some((2026, 3, 30)), false),
                &staff,
                today,
                90
            ),
            vec![Flag::Left]
        );
        assert_eq!(
            flags(
                &acct("k.ito", "伊藤", "1003", Some((2025, 12, 1)), false),
                &staff,
                today,
                90
            ),
            vec![Flag::NotOnStaffList, Flag::Unused]
        );
        assert_eq!(
            flags(
                &acct("nurse_shared", "病棟共用", "", Some((2026, 4, 30)), true),
                &staff,
                today,
                90
            ),
            vec![Flag::Shared, Flag::Admin]
        );
        let disabled = SystemAccount {
            disabled: true,
            ..acct("h.sato", "佐藤 花子", "1002", None, false)
        };
        assert!(
            flags(&disabled, &staff, today, 90).is_empty(),
            "a disabled account of a leaver is what we want"
        );
    }
}
