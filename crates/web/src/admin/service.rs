//! Administration's rules as pages and API both use them: inviting users and changing their
//! roles and status (never locking oneself out), registering organisations with their first
//! administrator, the organisation's own profile, and reading the audit trail.

use super::roles_from_form;
use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::{crypto, display_name, invite_link, new_invite};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mamori_domain::audit::AuditRecord;
use mamori_domain::authz::Permission::{
    EditOwnOrganisation, ManageUsers, RegisterOrganisations, ViewAudit,
};
use mamori_domain::clock::jst;
use mamori_domain::org::OrgDraft;
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::validate::{self, FieldError, Problem};
use mamori_store::AuditFilter;
use mamori_store::{NewUser, Organisation, StoreError, User};
use serde::Deserialize;
use uuid::Uuid;

fn email_taken(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict("email") => {
            AppError::Invalid(Problem::field(field, "error.email_taken"))
        }
        other => other.into(),
    }
}

/// The users of the caller's organisation.
pub async fn users(state: &AppState, c: &Caller) -> Result<Vec<User>, AppError> {
    c.require(ManageUsers)?;
    Ok(state.store.users(c.org.id).await?)
}

/// One user of the caller's organisation (oneself is `/api/v1/me` and the account page).
pub async fn user(state: &AppState, c: &Caller, id: Uuid) -> Result<User, AppError> {
    c.require(ManageUsers)?;
    Ok(state.store.user(c.org.id, id).await?)
}

/// A user to invite, as typed.
#[derive(Debug, Default, Clone)]
pub struct InviteDraft {
    /// Name shown to colleagues.
    pub display_name: String,
    /// Login e-mail.
    pub email: String,
    /// Role codes.
    pub roles: Vec<String>,
}

/// Invites a user into the caller's organisation: the account has no password until the
/// one-time link (returned) is followed.
pub async fn invite(
    state: &AppState,
    c: &Caller,
    d: &InviteDraft,
) -> Result<(User, String), AppError> {
    c.require(ManageUsers)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let email = validate::email(&d.email)
        .map_err(|k| errors.push(FieldError::new("email", k)))
        .ok();
    let name = display_name(&d.display_name, &mut errors);
    let roles = roles_from_form(&d.roles)
        .map_err(|p| errors.extend(p.errors))
        .ok();
    let (Some(email), Some(roles), true) = (email, roles, errors.is_empty()) else {
        return Err(AppError::Invalid(Problem::new(errors)));
    };
    let (token, expires) = new_invite(state);
    let user = state
        .store
        .invite_user(
            &c.ctx(),
            &NewUser {
                email,
                display_name: name,
                roles,
                password_hash: None,
                must_change_password: false,
            },
            &crypto::digest(&token),
            expires,
        )
        .await
        .map_err(email_taken("email"))?;
    Ok((user, invite_link(state, &token)))
}

/// Changes a user's roles; administrators cannot remove their own administrator role.
pub async fn set_roles(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    codes: &[String],
) -> Result<User, AppError> {
    c.require(ManageUsers)?;
    state.store.user(c.org.id, id).await?;
    let roles = roles_from_form(codes).map_err(AppError::Invalid)?;
    if id == c.user.id && !roles.has(Role::Admin) {
        return Err(AppError::Invalid(Problem::field(
            "roles",
            "error.self_lockout",
        )));
    }
    Ok(state.store.set_roles(&c.ctx(), id, &roles).await?)
}

/// Disables an account (it can no longer log in or use tokens) or enables it again; nobody
/// disables their own.
pub async fn set_disabled(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    disabled: bool,
) -> Result<User, AppError> {
    c.require(ManageUsers)?;
    state.store.user(c.org.id, id).await?;
    if disabled && id == c.user.id {
        return Err(AppError::Invalid(Problem::field(
            "status",
            "error.self_lockout",
        )));
    }
    Ok(state.store.set_disabled(&c.ctx(), id, disabled).await?)
}

/// Lifts a lockout.
pub async fn unlock(state: &AppState, c: &Caller, id: Uuid) -> Result<User, AppError> {
    c.require(ManageUsers)?;
    state.store.user(c.org.id, id).await?;
    Ok(state.store.unlock(&c.ctx(), id).await?)
}

/// Issues a new one-time link for a user who has not accepted the invitation yet.
pub async fn reinvite(state: &AppState, c: &Caller, id: Uuid) -> Result<String, AppError> {
    c.require(ManageUsers)?;
    let (token, expires) = new_invite(state);
    state
        .store
        .reinvite_user(&c.ctx(), id, &crypto::digest(&token), expires)
        .await?;
    Ok(invite_link(state, &token))
}

/// The organisations the caller may see: every one for the home administrators, else its own.
pub async fn organisations(state: &AppState, c: &Caller) -> Result<Vec<Organisation>, AppError> {
    if c.actor.can(RegisterOrganisations) {
        Ok(state.store.org_directory().await?)
    } else {
        Ok(vec![c.org.clone()])
    }
}

/// One organisation: the caller's own (home administrators: any).
pub async fn organisation(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Organisation, AppError> {
    if id == c.org.id || c.actor.can(RegisterOrganisations) {
        Ok(state.store.org(id).await?)
    } else {
        Err(AppError::NotFound)
    }
}

/// Another organisation to register, with its first administrator.
#[derive(Debug, Default, Clone)]
pub struct RegisterDraft {
    /// Name, kind, type and beds as typed.
    pub org: OrgDraft,
    /// The administrator's name.
    pub admin_name: String,
    /// The administrator's e-mail.
    pub admin_email: String,
}

/// Registers an organisation and invites its administrator; returns both and the one-time link.
pub async fn register_org(
    state: &AppState,
    c: &Caller,
    d: &RegisterDraft,
) -> Result<(Organisation, User, String), AppError> {
    c.require(RegisterOrganisations)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let profile = d.org.validate().map_err(|p| errors.extend(p.errors)).ok();
    let mut name_errors = Vec::new();
    let name = display_name(&d.admin_name, &mut name_errors);
    errors.extend(name_errors.into_iter().map(|mut e| {
        e.field = "admin_name".into();
        e
    }));
    let email = validate::email(&d.admin_email)
        .map_err(|k| errors.push(FieldError::new("admin_email", k)))
        .ok();
    let (Some(profile), Some(email), true) = (profile, email, errors.is_empty()) else {
        return Err(AppError::Invalid(Problem::new(errors)));
    };
    let (token, expires) = new_invite(state);
    let admin = NewUser {
        email,
        display_name: name,
        roles: RoleSet::new([Role::Admin]),
        password_hash: None,
        must_change_password: false,
    };
    let (org, user) = state
        .store
        .register_org(&c.ctx(), &profile, &admin, &crypto::digest(&token), expires)
        .await
        .map_err(email_taken("admin_email"))?;
    Ok((org, user, invite_link(state, &token)))
}

/// Saves the caller's organisation's profile.
pub async fn update_own_org(
    state: &AppState,
    c: &Caller,
    d: &OrgDraft,
) -> Result<Organisation, AppError> {
    c.require(EditOwnOrganisation)?;
    let profile = d.validate().map_err(AppError::Invalid)?;
    Ok(state.store.update_org(&c.ctx(), &profile).await?)
}

/// The caller's organisation's audit trail, newest first, filtered; at most `limit` records.
pub async fn audit(
    state: &AppState,
    c: &Caller,
    q: &AuditQuery,
    limit: i64,
) -> Result<Vec<AuditRecord>, AppError> {
    c.require(ViewAudit)?;
    let (filter, bad) = q.filter(limit);
    if let Some(f) = bad.first() {
        return Err(AppError::Invalid(Problem::field(f, "error.date")));
    }
    Ok(state.store.audit_list(c.org.id, &filter).await?)
}

/// Filters as typed in the form (dates are Japan dates).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct AuditQuery {
    /// Action prefix, e.g. `auth.`.
    pub action: String,
    /// Part of the actor's e-mail.
    pub actor: String,
    /// From this date (inclusive), `YYYY-MM-DD`.
    pub from: String,
    /// To this date (inclusive), `YYYY-MM-DD`.
    pub to: String,
}

/// The start of a Japan calendar day in UTC.
pub fn jst_day_start(d: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()?;
    jst()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl AuditQuery {
    /// The store filter; dates that do not parse are reported by field.
    pub fn filter(&self, limit: i64) -> (AuditFilter, Vec<&'static str>) {
        let mut bad = Vec::new();
        let since = if self.from.trim().is_empty() {
            None
        } else {
            jst_day_start(&self.from).or_else(|| {
                bad.push("from");
                None
            })
        };
        let until = if self.to.trim().is_empty() {
            None
        } else {
            jst_day_start(&self.to)
                .map(|t| t + chrono::Duration::days(1))
                .or_else(|| {
                    bad.push("to");
                    None
                })
        };
        let f = AuditFilter {
            action_prefix: Some(self.action.trim().to_string()).filter(|s| !s.is_empty()),
            actor: Some(self.actor.trim().to_string()).filter(|s| !s.is_empty()),
            since,
            until,
            limit,
        };
        (f, bad)
    }
}
