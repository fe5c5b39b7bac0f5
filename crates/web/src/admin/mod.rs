//! Administration and one's own account: setup, login, invitations, the account page, users,
//! organisations and the audit trail.

pub mod account;
pub mod api;
pub mod audit;
pub mod invite;
pub mod login;
pub mod orgs;
pub mod service;
pub mod setup;
pub mod users;

use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::routes::{Guard, Routes};
use crate::core::state::AppState;
use mamori_domain::password;
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::validate::Problem;
use uuid::Uuid;

/// Checks a new password against the rules (with the account's own words: e-mail, name,
/// organisation), its confirmation and (for an existing account) the last passwords, and hashes
/// it. Faults are reported on the `password` / `password_confirm` fields.
pub async fn new_password_hash(
    state: &AppState,
    existing: Option<(Uuid, Uuid)>,
    (password, confirm): (&str, &str),
    two_factor: bool,
    context: &[&str],
) -> Result<Result<String, Problem>, AppError> {
    if let Err(key) = password::check(password, two_factor, context) {
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

/// Administration's and the account's pages and API.
pub fn routes() -> Routes {
    use mamori_domain::authz::Permission::{
        EditOwnOrganisation, ManageUsers, RegisterOrganisations, ViewAudit,
    };
    use utoipa_axum::routes;
    let me = Guard::SignedIn;
    let users = Guard::Holds(ManageUsers);
    Routes::new()
        .get("/setup", Guard::Public, setup::form)
        .post("/setup", Guard::Public, setup::submit)
        .get("/login", Guard::Public, login::form)
        .post("/login", Guard::Public, login::submit)
        .get("/login/totp", Guard::Public, login::totp_form)
        .post("/login/totp", Guard::Public, login::totp_submit)
        .post("/logout", me, login::logout)
        .post("/lang", Guard::Public, account::switch_lang)
        .get("/invite/{token}", Guard::Public, invite::form)
        .post("/invite/{token}", Guard::Public, invite::submit)
        .get("/account", me, account::show)
        .post("/account/password", me, account::change_password)
        .get("/account/totp", me, account::totp_enrol)
        .post("/account/totp", me, account::totp_confirm)
        .post("/account/totp/start", me, account::totp_start)
        .post("/account/totp/disable", me, account::totp_disable)
        .post("/account/tokens", me, account::create_token)
        .post("/account/tokens/{id}/revoke", me, account::revoke_token)
        .post(
            "/account/sessions/end-others",
            me,
            account::end_other_sessions,
        )
        .get("/users", users, users::list)
        .post("/users", users, users::invite)
        .get("/users/{id}", users, users::show)
        .post("/users/{id}/roles", users, users::set_roles)
        .post("/users/{id}/disable", users, users::disable)
        .post("/users/{id}/enable", users, users::enable)
        .post("/users/{id}/unlock", users, users::unlock)
        .post("/users/{id}/reinvite", users, users::reinvite)
        .get("/organisation", me, orgs::own)
        .post(
            "/organisation",
            Guard::Holds(EditOwnOrganisation),
            orgs::update_own,
        )
        .get(
            "/organisations",
            Guard::Holds(RegisterOrganisations),
            orgs::directory,
        )
        .post(
            "/organisations",
            Guard::Holds(RegisterOrganisations),
            orgs::register,
        )
        .get("/audit", Guard::Holds(ViewAudit), audit::list)
        .api(routes!(api::me))
        .api(routes!(api::organisations, api::create_organisation))
        .api(routes!(api::organisation))
        .api(routes!(api::users, api::invite_user))
        .api(routes!(api::user, api::patch_user))
        .api(routes!(api::audit))
}
