//! The accounts review (アカウントの棚卸し): user lists per system through a remembered column
//! mapping, the staff list, flagged accounts, and the record of each review.

use super::exchange::{Refusal, csrf_and_file, read_table, refusal_page};
use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use mamori_domain::Lang;
use mamori_domain::accounts::{
    ColumnMapping, Flag, MAPPING_ROLES, SystemAccount, flags, mapping_fits, parse_accounts,
    parse_staff,
};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_store::RegisterReview;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// An account with its flags.
pub struct FlaggedAccount {
    /// The system.
    pub system: String,
    /// The account.
    pub a: SystemAccount,
    /// Flag labels.
    pub flags: Vec<&'static str>,
}

/// Where the accounts review stands.
pub struct AccountsState {
    /// Accounts across systems.
    pub total: usize,
    /// Systems.
    pub systems: usize,
    /// Count per flag, in `Flag::ALL` order.
    pub counts: Vec<(Flag, usize)>,
    /// The flagged accounts.
    pub flagged: Vec<FlaggedAccount>,
    /// The last review.
    pub last_review: Option<RegisterReview>,
    /// Days without login that count as unused.
    pub unused_days: i64,
}

impl AccountsState {
    /// One line for the checklist items it evidences.
    pub fn line(&self, lang: Lang) -> String {
        if self.total == 0 {
            return lang
                .pick("アカウント: 未取り込み", "Accounts: no user list imported")
                .to_string();
        }
        let mut parts = vec![format!(
            "{} {}{} ({}{})",
            lang.pick("アカウント", "Accounts:"),
            self.total,
            lang.pick("件", ""),
            self.systems,
            lang.pick("システム", " systems")
        )];
        for (f, n) in &self.counts {
            if *n > 0 {
                parts.push(format!("{} {n}", f.label(lang)));
            }
        }
        parts.push(match &self.last_review {
            Some(r) => format!("{} {}", lang.pick("最終棚卸し", "reviewed"), r.reviewed_on),
            None => lang.pick("棚卸しの記録なし", "never reviewed").to_string(),
        });
        parts.join(" · ")
    }
}

/// The accounts review of an organisation.
pub async fn accounts_state(
    state: &AppState,
    org_id: Uuid,
    lang: Lang,
) -> Result<AccountsState, AppError> {
    let systems = state.store.account_systems(org_id).await?;
    let staff = state
        .store
        .staff_list(org_id)
        .await?
        .map(|s| s.0)
        .unwrap_or_default();
    let unused_days = state.store.unused_days(org_id).await?;
    let today = today(state);
    let mut counts: Vec<(Flag, usize)> = Flag::ALL.iter().map(|f| (*f, 0)).collect();
    let mut flagged = Vec::new();
    let mut total = 0;
    for s in &systems {
        for a in &s.accounts {
            total += 1;
            let fs = flags(a, &staff, today, unused_days);
            for f in &fs {
                if let Some(c) = counts.iter_mut().find(|(k, _)| k == f) {
                    c.1 += 1;
                }
            }
            if !fs.is_empty() {
                flagged.push(FlaggedAccount {
                    system: s.system.clone(),
                    a: a.clone(),
                    flags: fs.iter().map(|f| f.label(lang)).collect(),
                });
            }
        }
    }
    Ok(AccountsState {
        total,
        systems: systems.iter().filter(|s| s.imported_at.is_some()).count(),
        counts,
        flagged,
        last_review: state
            .store
            .reviews(org_id, "accounts")
            .await?
            .into_iter()
            .next(),
        unused_days,
    })
}

/// A system as listed.
pub struct SystemRow {
    /// Name.
    pub system: String,
    /// Accounts.
    pub accounts: usize,
    /// Imported at and by.
    pub imported: String,
    /// The mapping in words.
    pub mapping: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    page: Page,
    review: AccountsState,
    systems: Vec<SystemRow>,
    staff: String,
    can_edit: bool,
    today: String,
}

/// The review page.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<super::registers::Notice>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let page = n.on(Page::signed_in(&s, "accounts.title", "/registers"));
    let systems = state
        .store
        .account_systems(s.org.id)
        .await?
        .into_iter()
        .map(|x| SystemRow {
            accounts: x.accounts.len(),
            imported: x
                .imported_at
                .map(|t| format!("{} · {}", format_jst(t), x.imported_by))
                .unwrap_or_default(),
            mapping: MAPPING_ROLES
                .iter()
                .filter_map(|(role, ja, en)| {
                    x.mapping
                        .get(*role)
                        .filter(|h| !h.is_empty())
                        .map(|h| format!("{}={h}", s.lang.pick(ja, en)))
                })
                .collect::<Vec<_>>()
                .join(", "),
            system: x.system,
        })
        .collect();
    let staff = match state.store.staff_list(s.org.id).await? {
        Some((list, at, by)) => format!("{} · {} · {by}", list.len(), format_jst(at)),
        None => String::new(),
    };
    render(&AccountsPage {
        page,
        review: accounts_state(&state, s.org.id, s.lang).await?,
        systems,
        staff,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: today(&state).to_string(),
    })
}

fn back(s: &SignedIn, r: Refusal) -> Result<Response, AppError> {
    refusal_page(
        s,
        "/registers",
        "/registers/accounts".into(),
        "accounts.title",
        r,
    )
}

/// Reads the fields and the file of a multipart form.
async fn fields_and_file(
    form: &mut Multipart,
) -> Result<(BTreeMap<String, String>, Option<(String, Vec<u8>)>), AppError> {
    let bad = |_| AppError::BadRequest("error.malformed");
    let mut fields = BTreeMap::new();
    let mut file = None;
    while let Some(f) = form.next_field().await.map_err(bad)? {
        let name = f.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = f.file_name().unwrap_or("").to_string();
            file = Some((filename, f.bytes().await.map_err(bad)?.to_vec()));
        } else {
            fields.insert(name, f.text().await.map_err(bad)?);
        }
    }
    Ok((fields, file))
}

#[derive(Template)]
#[template(path = "accounts_mapping.html")]
struct MappingPage {
    page: Page,
    system: String,
    data: String,
    headers: Vec<String>,
    roles: Vec<(&'static str, &'static str, String)>,
}

/// Guesses the column for a role from usual header words, to pre-select the mapping form.
fn guess(role: &str, headers: &[String]) -> String {
    let words: &[&str] = match role {
        "login" => &[
            "ログイン",
            "利用者ID",
            "ユーザID",
            "ユーザーID",
            "samaccountname",
            "login",
            "user",
        ],
        "name" => &["氏名", "名前", "利用者名", "displayname", "name"],
        "employee_id" => &["職員", "社員", "employee"],
        "last_login" => &["最終", "lastlogon", "last"],
        "admin" => &["管理者", "権限", "admin"],
        "disabled" => &["無効", "停止", "enabled", "disabled"],
        _ => &[],
    };
    headers
        .iter()
        .find(|h| {
            let h = h.to_lowercase();
            words.iter().any(|w| h.contains(&w.to_lowercase()))
        })
        .cloned()
        .unwrap_or_default()
}

fn as_csv(rows: &[Vec<String>]) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    String::from_utf8(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

async fn apply(
    state: &AppState,
    s: &SignedIn,
    system: &str,
    label: String,
    rows: &[Vec<String>],
    mapping: &ColumnMapping,
) -> Result<Response, AppError> {
    match parse_accounts(rows, mapping) {
        Err(errors) => back(
            s,
            Refusal {
                file: label,
                errors,
            },
        ),
        Ok(accounts) => {
            state
                .store
                .import_accounts(&s.ctx(), system, mapping, &accounts)
                .await?;
            Ok(see_other(&format!(
                "/registers/accounts?imported={}",
                accounts.len()
            )))
        }
    }
}

/// Imports a system's user list: through the remembered mapping when it fits the file's header,
/// else by asking for the mapping first.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let (fields, file) = fields_and_file(&mut form).await?;
    s.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let system = fields
        .get("system")
        .map(|x| x.trim().to_string())
        .unwrap_or_default();
    if system.is_empty() || system.chars().count() > 100 {
        return Err(AppError::BadRequest("error.system_name"));
    }
    let (name, bytes) = file.unwrap_or_default();
    let (rows, _, label) = match read_table(&name, &bytes, &[]) {
        Ok(t) => t,
        Err(r) => return back(&s, r),
    };
    let header = rows.first().cloned().unwrap_or_default();
    let known = state
        .store
        .account_systems(s.org.id)
        .await?
        .into_iter()
        .find(|x| x.system == system)
        .map(|x| x.mapping);
    match known {
        Some(m) if mapping_fits(&header, &m) => apply(&state, &s, &system, label, &rows, &m).await,
        _ => render(&MappingPage {
            page: Page::signed_in(&s, "accounts.mapping", "/registers"),
            data: as_csv(&rows)?,
            roles: MAPPING_ROLES
                .iter()
                .map(|(role, ja, en)| (*role, s.lang.pick(ja, en), guess(role, &header)))
                .collect(),
            headers: header,
            system,
        }),
    }
}

/// The mapping form as sent, with the table it applies to.
#[derive(Deserialize)]
pub struct MappingForm {
    csrf: String,
    system: String,
    data: String,
    #[serde(flatten)]
    roles: BTreeMap<String, String>,
}

/// Applies the chosen mapping and remembers it for the system's next export.
pub async fn map(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<MappingForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    let rows = super::exchange::parse_csv(&f.data)
        .map_err(|_| AppError::BadRequest("error.import_csv"))?;
    let mapping: ColumnMapping = MAPPING_ROLES
        .iter()
        .map(|(role, _, _)| {
            (
                role.to_string(),
                f.roles
                    .get(&format!("map_{role}"))
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect();
    apply(
        &state,
        &s,
        f.system.trim(),
        f.system.clone(),
        &rows,
        &mapping,
    )
    .await
}

/// Imports the staff list (職員番号, 氏名, 退職日).
pub async fn import_staff(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let (rows, offset, label) = match read_table(&name, &bytes, &["職員番号", "Employee number"])
    {
        Ok(t) => t,
        Err(r) => return back(&s, r),
    };
    match parse_staff(&rows) {
        Err(errors) => back(&s, Refusal::shifted(label, errors, offset)),
        Ok(staff) => {
            state.store.import_staff(&s.ctx(), &staff).await?;
            Ok(see_other(&format!(
                "/registers/accounts?imported={}",
                staff.len()
            )))
        }
    }
}

/// The settings form.
#[derive(Deserialize)]
pub struct SettingsForm {
    csrf: String,
    unused_days: String,
}

/// Sets how many days without a login count as unused.
pub async fn settings(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    let days = f
        .unused_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or(AppError::BadRequest("error.unused_days"))?;
    state.store.set_unused_days(&s.ctx(), days).await?;
    Ok(see_other("/registers/accounts"))
}

/// Records a review: who, when (today), what was removed.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<super::registers::ReviewForm>,
) -> Result<Response, AppError> {
    super::registers::record_review(&state, &s, "accounts", f).await
}

/// The accounts to check as CSV, to hand to each system's administrator.
pub async fn export_flagged(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let review = accounts_state(&state, s.org.id, Lang::Ja).await?;
    let rows: Vec<Vec<String>> = std::iter::once(
        [
            "システム",
            "ログインID",
            "氏名",
            "職員番号",
            "最終ログイン",
            "指摘",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
    )
    .chain(review.flagged.into_iter().map(|f| {
        vec![
            f.system,
            f.a.login,
            f.a.name,
            f.a.employee_id,
            f.a.last_login.map(|d| d.to_string()).unwrap_or_default(),
            f.flags.join("・"),
        ]
    }))
    .collect();
    super::exchange::csv_download("accounts-to-check.csv", &rows)
}
