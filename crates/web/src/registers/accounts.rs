//! The accounts review's pages (アカウントの棚卸し): user lists per system through a remembered
//! column mapping, the staff list, flagged accounts, and the record of each review.

use super::review::{Notice, ReviewForm, reviewed};
use super::service::{self, AccountsImport};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Refusal, Upload, parse_csv, refusal_page};
use crate::core::view::{Page, render};
use crate::status::AccountsReview;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use mamori_domain::accounts::MAPPING_ROLES;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    review: AccountsReview,
    line: String,
    systems: Vec<SystemRow>,
    staff: String,
    can_edit: bool,
    today: String,
}

/// The review page.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let review = service::accounts(&state, &s).await?;
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
    let line = service::state_of(&state, &s, "accounts")
        .await?
        .line(s.lang);
    render(&AccountsPage {
        page: n.on(Page::signed_in(&s, "accounts.title", "/registers")),
        review,
        line,
        systems,
        staff,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: s.today().to_string(),
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

async fn imported(
    s: &SignedIn,
    system: &str,
    outcome: Result<AccountsImport, Refusal>,
) -> Result<Response, AppError> {
    match outcome {
        Err(r) => back(s, r),
        Ok(AccountsImport::Imported(n)) => {
            Ok(see_other(&format!("/registers/accounts?imported={n}")))
        }
        Ok(AccountsImport::NeedsMapping { header, rows }) => render(&MappingPage {
            page: Page::signed_in(s, "accounts.mapping", "/registers"),
            data: crate::core::table::to_csv(&rows)?,
            roles: MAPPING_ROLES
                .iter()
                .map(|(role, ja, en)| (*role, s.lang.pick(ja, en), guess(role, &header)))
                .collect(),
            headers: header,
            system: system.trim().to_string(),
        }),
    }
}

/// Imports a system's user list: through the remembered mapping when it fits the file's header,
/// else by asking for the mapping first.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    let system = up.field("system");
    let outcome = service::import_accounts(&state, &s, system, name, bytes, None).await?;
    imported(&s, system, outcome).await
}

/// The mapping form as sent, with the table it applies to.
#[derive(Deserialize, Default)]
#[serde(default)]
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
    s.check_csrf(&f.csrf)?;
    let rows = parse_csv(&f.data).map_err(|_| AppError::BadRequest("error.import_csv"))?;
    let mapping = service::mapping_from(&f.roles, "map_");
    let outcome = service::apply_mapping(&state, &s, &f.system, &f.system, &rows, &mapping).await?;
    imported(&s, &f.system, outcome).await
}

/// Imports the staff list (職員番号, 氏名, 退職日).
pub async fn import_staff(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match service::import_staff(&state, &s, name, bytes).await? {
        Ok(n) => Ok(see_other(&format!("/registers/accounts?imported={n}"))),
        Err(r) => back(&s, r),
    }
}

/// The settings form.
#[derive(Deserialize, Default)]
#[serde(default)]
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
    s.check_csrf(&f.csrf)?;
    service::set_unused_days(&state, &s, &f.unused_days).await?;
    Ok(see_other("/registers/accounts"))
}

/// Records a review: who, when (today), what was removed.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    reviewed(&state, &s, "accounts", f).await
}

/// The accounts to check as CSV, to hand to each system's administrator.
pub async fn export_flagged(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    Ok(service::flagged_csv(&state, &s).await?.into_response())
}
