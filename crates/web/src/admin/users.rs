//! Administering the organisation's users: invite, roles, disable, unlock.

use super::login::CsrfOnly;
use super::service;
use super::{RoleChoice, role_choices};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::clock::format_jst;
use mamori_domain::role::Role;
use mamori_domain::validate::Problem;
use mamori_store::User;
use serde::Deserialize;
use uuid::Uuid;

/// A user as listed.
pub struct UserRow {
    /// The user.
    pub user: User,
    /// Role names.
    pub roles: String,
    /// Last login, Japan time.
    pub last_login: String,
    /// Until when password logins wait out a lockout, Japan time; empty when they do not.
    pub locked_until: String,
}

/// Until when a user's password logins wait, Japan time, or empty.
fn locked_until(u: &User, now: chrono::DateTime<chrono::Utc>) -> String {
    u.locked_until
        .filter(|_| u.is_locked(now))
        .map(format_jst)
        .unwrap_or_default()
}

/// The invitation form.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    display_name: String,
    email: String,
    roles: Vec<String>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    page: Page,
    rows: Vec<UserRow>,
    form: InviteForm,
    choices: Vec<RoleChoice>,
    errors: Problem,
    invited: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    s: &SignedIn,
    form: InviteForm,
    errors: Problem,
    invited: Option<(String, String)>,
) -> Result<UsersPage, AppError> {
    let rows = service::users(state, s)
        .await?
        .into_iter()
        .map(|u| UserRow {
            roles: u
                .roles
                .iter()
                .map(|r| r.label(s.lang))
                .collect::<Vec<_>>()
                .join("、"),
            last_login: u.last_login_at.map(format_jst).unwrap_or_default(),
            locked_until: locked_until(&u, s.now),
            user: u,
        })
        .collect();
    let checked = if form.roles.is_empty() {
        vec![Role::Staff.code().to_string()]
    } else {
        form.roles.clone()
    };
    Ok(UsersPage {
        page: Page::signed_in(s, "users.title", "/users"),
        rows,
        choices: role_choices(s.lang, &checked),
        form,
        errors,
        invited,
    })
}

/// The user list with the invitation form.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(
        &users_page(
            &state,
            &s,
            InviteForm::default(),
            Problem::new(vec![]),
            None,
        )
        .await?,
    )
}

/// Invites a user: creates the account without a password and shows the one-time link.
pub async fn invite(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<InviteForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let draft = service::InviteDraft {
        display_name: f.display_name.clone(),
        email: f.email.clone(),
        roles: f.roles.clone(),
    };
    match service::invite(&state, &s, &draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &users_page(&state, &s, f, p, None).await?,
        ),
        Err(e) => Err(e),
        Ok((user, link)) => render(
            &users_page(
                &state,
                &s,
                InviteForm::default(),
                Problem::new(vec![]),
                Some((user.email, link)),
            )
            .await?,
        ),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    page: Page,
    user: User,
    choices: Vec<RoleChoice>,
    created: String,
    last_login: String,
    locked_until: String,
    errors: Problem,
    invited: Option<String>,
}

async fn user_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    checked: Option<Vec<String>>,
    errors: Problem,
    invited: Option<String>,
) -> Result<UserPage, AppError> {
    let user = service::user(state, s, id).await?;
    let checked =
        checked.unwrap_or_else(|| user.roles.iter().map(|r| r.code().to_string()).collect());
    Ok(UserPage {
        page: Page::signed_in(s, "user.title", "/users"),
        choices: role_choices(s.lang, &checked),
        created: format_jst(user.created_at),
        last_login: user.last_login_at.map(format_jst).unwrap_or_default(),
        locked_until: locked_until(&user, s.now),
        user,
        errors,
        invited,
    })
}

/// One user's page.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    render(&user_page(&state, &s, id, None, Problem::new(vec![]), None).await?)
}

/// The roles form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RolesForm {
    csrf: String,
    roles: Vec<String>,
}

/// Changes a user's roles; administrators cannot remove their own administrator role.
pub async fn set_roles(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<RolesForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::set_roles(&state, &s, id, &f.roles).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &user_page(&state, &s, id, Some(f.roles), p, None).await?,
        ),
        Err(e) => Err(e),
        Ok(_) => Ok(see_other(&format!("/users/{id}"))),
    }
}

async fn set_disabled(
    state: AppState,
    s: SignedIn,
    id: Uuid,
    f: CsrfOnly,
    disabled: bool,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::set_disabled(&state, &s, id, disabled).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &user_page(&state, &s, id, None, p, None).await?,
        ),
        Err(e) => Err(e),
        Ok(_) => Ok(see_other(&format!("/users/{id}"))),
    }
}

/// Disables an account: it can no longer log in or use tokens.
pub async fn disable(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    set_disabled(state, s, id, f, true).await
}

/// Re-enables an account.
pub async fn enable(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    set_disabled(state, s, id, f, false).await
}

/// Lifts a lockout.
pub async fn unlock(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::unlock(&state, &s, id).await?;
    Ok(see_other(&format!("/users/{id}")))
}

/// Issues a new invitation link for a user who has not accepted yet.
pub async fn reinvite(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let link = service::reinvite(&state, &s, id).await?;
    render(&user_page(&state, &s, id, None, Problem::new(vec![]), Some(link)).await?)
}
