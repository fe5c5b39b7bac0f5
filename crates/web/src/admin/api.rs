//! The JSON API under `/api/v1`, authenticated by bearer tokens, with its OpenAPI document
//! generated from these handlers.

use super::service;
use super::service::AuditQuery;
use crate::core::api::{ErrorOut, JsonBody};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use mamori_domain::org::OrgDraft;
use mamori_domain::validate::Problem;
use mamori_store::{Organisation, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An organisation.
#[derive(Serialize, ToSchema)]
pub struct OrgOut {
    id: Uuid,
    name: String,
    /// `institution`, `vendor`, `municipality` or `operator`.
    kind: String,
    /// `hospital`, `clinic`, `dental_clinic` or `pharmacy`, for institutions.
    institution_type: Option<String>,
    beds: Option<u32>,
    /// Whether this is the installation's home organisation.
    home: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Organisation> for OrgOut {
    fn from(o: &Organisation) -> Self {
        OrgOut {
            id: o.id,
            name: o.profile.name.clone(),
            kind: o.profile.kind.code().into(),
            institution_type: o.profile.institution_type.map(|t| t.code().into()),
            beds: o.profile.beds,
            home: o.home,
            created_at: o.created_at,
        }
    }
}

/// A user.
#[derive(Serialize, ToSchema)]
pub struct UserOut {
    id: Uuid,
    org_id: Uuid,
    email: String,
    display_name: String,
    /// Role codes: `executive`, `security_manager`, `planner`, `system_operator`, `staff`, `admin`.
    roles: Vec<String>,
    disabled: bool,
    /// Whether password logins wait out a lockout after repeated failures.
    locked: bool,
    /// Until when they wait.
    locked_until: Option<chrono::DateTime<chrono::Utc>>,
    two_factor: bool,
    /// False until the invitation is accepted.
    activated: bool,
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl UserOut {
    /// A user as it stands at `now`.
    fn at(u: &User, now: chrono::DateTime<chrono::Utc>) -> Self {
        let locked = u.is_locked(now);
        UserOut {
            id: u.id,
            org_id: u.org_id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
            disabled: u.disabled,
            locked,
            locked_until: u.locked_until.filter(|_| locked),
            two_factor: u.totp_enabled,
            activated: u.password_hash.is_some(),
            last_login_at: u.last_login_at,
        }
    }
}

/// The caller and their organisation.
#[derive(Serialize, ToSchema)]
pub struct MeOut {
    user: UserOut,
    organisation: OrgOut,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeOut), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn me(c: ApiCaller) -> Json<MeOut> {
    Json(MeOut {
        user: UserOut::at(&c.user, c.now),
        organisation: OrgOut::from(&c.org),
    })
}

/// The caller's organisation, or every organisation for home administrators.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrgOut>), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn organisations(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<OrgOut>>, AppError> {
    Ok(Json(
        service::organisations(&state, &c)
            .await?
            .iter()
            .map(OrgOut::from)
            .collect(),
    ))
}

/// One organisation: the caller's own (home administrators: any).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrgOut), (status = 404, body = ErrorOut)), security(("token" = [])))]
pub async fn organisation(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<OrgOut>, AppError> {
    Ok(Json(OrgOut::from(
        &service::organisation(&state, &c, id).await?,
    )))
}

/// A new organisation with its first administrator.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OrgIn {
    name: String,
    kind: String,
    #[serde(default)]
    institution_type: String,
    /// Beds as a number (hospitals ≥ 20, clinics ≤ 19).
    #[serde(default)]
    beds: Option<u32>,
    admin_email: String,
    admin_name: String,
}

/// A created organisation and the one-time invitation link for its administrator.
#[derive(Serialize, ToSchema)]
pub struct OrgCreated {
    organisation: OrgOut,
    admin: UserOut,
    invite_url: String,
}

/// Registers an organisation (home administrators).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrgIn,
    responses((status = 201, body = OrgCreated), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["register_organisations"])))]
pub async fn create_organisation(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<OrgIn>,
) -> Result<Response, AppError> {
    let draft = service::RegisterDraft {
        org: OrgDraft {
            name: b.name,
            kind: b.kind,
            institution_type: b.institution_type,
            beds: b.beds.map(|n| n.to_string()).unwrap_or_default(),
        },
        admin_name: b.admin_name,
        admin_email: b.admin_email,
    };
    let (org, user, invite_url) = service::register_org(&state, &c, &draft).await?;
    let body = OrgCreated {
        organisation: OrgOut::from(&org),
        admin: UserOut::at(&user, c.now),
        invite_url,
    };
    Ok((axum::http::StatusCode::CREATED, Json(body)).into_response())
}

/// The users of the caller's organisation (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<UserOut>), (status = 403, body = ErrorOut)), security(("token" = ["manage_users"])))]
pub async fn users(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<UserOut>>, AppError> {
    Ok(Json(
        service::users(&state, &c)
            .await?
            .iter()
            .map(|u| UserOut::at(u, c.now))
            .collect(),
    ))
}

/// One user of the caller's organisation (administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorOut)), security(("token" = ["manage_users"])))]
pub async fn user(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<UserOut>, AppError> {
    Ok(Json(UserOut::at(
        &service::user(&state, &c, id).await?,
        c.now,
    )))
}

/// An invitation.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct UserIn {
    email: String,
    display_name: String,
    /// Role codes.
    roles: Vec<String>,
}

/// An invited user and the one-time link to accept.
#[derive(Serialize, ToSchema)]
pub struct UserInvited {
    user: UserOut,
    invite_url: String,
}

/// Invites a user into the caller's organisation.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserIn,
    responses((status = 201, body = UserInvited), (status = 409, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["manage_users"])))]
pub async fn invite_user(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<UserIn>,
) -> Result<Response, AppError> {
    let draft = service::InviteDraft {
        display_name: b.display_name,
        email: b.email,
        roles: b.roles,
    };
    let (user, invite_url) = service::invite(&state, &c, &draft).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(UserInvited {
            user: UserOut::at(&user, c.now),
            invite_url,
        }),
    )
        .into_response())
}

/// Changes to a user; absent members are left as they are.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct UserPatch {
    roles: Option<Vec<String>>,
    disabled: Option<bool>,
    /// `false` lifts a lockout.
    locked: Option<bool>,
}

/// Changes a user's roles, disables or enables, unlocks.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UserPatch,
    responses((status = 200, body = UserOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["manage_users"])))]
pub async fn patch_user(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<UserPatch>,
) -> Result<Json<UserOut>, AppError> {
    let mut user = service::user(&state, &c, id).await?;
    if b.locked == Some(true) {
        return Err(AppError::Invalid(Problem::field(
            "locked",
            "error.lock_only_by_failures",
        )));
    }
    if let Some(codes) = &b.roles {
        user = service::set_roles(&state, &c, id, codes).await?;
    }
    if let Some(d) = b.disabled {
        user = service::set_disabled(&state, &c, id, d).await?;
    }
    if b.locked == Some(false) {
        user = service::unlock(&state, &c, id).await?;
    }
    Ok(Json(UserOut::at(&user, c.now)))
}

/// An audit record.
#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    seq: i64,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    action: String,
    object_type: String,
    object_id: String,
    /// JSON text of the details.
    detail: String,
    ip: String,
    digest: String,
}

/// The caller's organisation's audit trail, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("action" = Option<String>, Query), ("actor" = Option<String>, Query), ("from" = Option<String>, Query, description = "YYYY-MM-DD (Japan)"), ("to" = Option<String>, Query)),
    responses((status = 200, body = Vec<AuditOut>), (status = 403, body = ErrorOut)), security(("token" = ["view_audit"])))]
pub async fn audit(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditOut>>, AppError> {
    let rows = service::audit(&state, &c, &q, 1000).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditOut {
                seq: r.seq,
                at: r.at,
                actor: r.event.actor_label,
                action: r.event.action,
                object_type: r.event.object_type,
                object_id: r.event.object_id,
                detail: r.event.detail,
                ip: r.event.ip,
                digest: r.digest,
            })
            .collect(),
    ))
}
