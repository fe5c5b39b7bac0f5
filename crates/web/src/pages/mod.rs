//! Server-rendered pages, one module per area.

pub mod account;
pub mod accounts;
pub mod assessments;
pub mod audit;
pub mod dashboard;
pub mod devices;
pub mod drafts;
pub mod exchange;
pub mod findings;
pub mod incidents;
pub mod invite;
pub mod ledgers;
pub mod login;
pub mod orgs;
pub mod preparedness;
pub mod registers;
pub mod reports;
pub mod setup;
pub mod users;

use crate::crypto;
use crate::error::AppError;
use crate::state::AppState;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_domain::password;
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::validate::{FieldError, Problem};
use uuid::Uuid;

/// The embedded catalog; an invalid one is a fault of the build, reported as an internal error.
pub(crate) fn catalog() -> Result<&'static mamori_domain::catalog::Catalog, AppError> {
    mamori_catalog::catalog()
        .map_err(|e| AppError::Internal(format!("catalog invalid: {} faults", e.len())))
}

/// Today in Japan, by the application's clock.
pub(crate) fn today(state: &AppState) -> chrono::NaiveDate {
    mamori_domain::clock::jst_date(state.now())
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(mut res: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A 303 redirect after a successful form.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Checks a new password against the rules, its confirmation and (for an existing account) the
/// last passwords, and hashes it. Faults are reported on the `password` / `password_confirm` fields.
pub async fn new_password_hash(
    state: &AppState,
    existing: Option<(Uuid, Uuid)>,
    password: &str,
    confirm: &str,
    two_factor: bool,
) -> Result<Result<String, Problem>, AppError> {
    if let Err(key) = password::check(password, two_factor) {
        return Ok(Err(Problem::field("password", key)));
    }
    if password != confirm {
        return Ok(Err(Problem::field(
            "password_confirm",
            "error.password_mismatch",
        )));
    }
    if let Some((org_id, user_id)) = existing {
        let recent = state
            .store
            .recent_password_hashes(org_id, user_id, password::HISTORY_DEPTH)
            .await?;
        let pw = password.to_string();
        let reused = tokio::task::spawn_blocking(move || {
            recent.iter().any(|h| crypto::verify_password(&pw, h))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        if reused {
            return Ok(Err(Problem::field("password", "error.password_reused")));
        }
    }
    hash_blocking(password.to_string()).await.map(Ok)
}

/// Hashes a password off the async threads (Argon2 is deliberately slow).
pub async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

/// Verifies a password off the async threads.
pub async fn verify_blocking(password: String, phc: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || crypto::verify_password(&password, &phc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Parses role checkboxes (`roles` repeated) into a non-empty set.
pub fn roles_from_form(codes: &[String]) -> Result<RoleSet, Problem> {
    let set = RoleSet::from_codes(&codes.join(","))
        .map_err(|_| Problem::field("roles", "error.choose_one"))?;
    if set.is_empty() {
        Err(Problem::field("roles", "error.choose_one"))
    } else {
        Ok(set)
    }
}

/// Checks a display name.
pub fn display_name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim().to_string();
    if name.is_empty() {
        errors.push(FieldError::new("display_name", "error.required"));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new("display_name", "error.too_long"));
    }
    name
}

/// A role with whether it is checked, for role checkboxes.
pub struct RoleChoice {
    /// Stable code.
    pub code: &'static str,
    /// Label in the page language.
    pub label: &'static str,
    /// Checked.
    pub checked: bool,
}

/// The role checkboxes for a set of checked codes.
pub fn role_choices(lang: mamori_domain::Lang, checked: &[String]) -> Vec<RoleChoice> {
    Role::ALL
        .into_iter()
        .map(|r| RoleChoice {
            code: r.code(),
            label: r.label(lang),
            checked: checked.iter().any(|c| c == r.code()),
        })
        .collect()
}

/// The invitation link for a token.
pub fn invite_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/invite/{token}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// A new invitation token and its expiry (7 days).
pub fn new_invite(state: &AppState) -> (String, chrono::DateTime<chrono::Utc>) {
    (
        crypto::random_token(32),
        state.now() + chrono::Duration::days(7),
    )
}
