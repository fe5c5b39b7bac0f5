//! What the store hands back: organisations, users, sessions, tokens.

use chrono::{DateTime, Utc};
use mamori_domain::Lang;
use mamori_domain::org::{InstitutionType, OrgKind, OrgProfile};
use mamori_domain::role::RoleSet;
use uuid::Uuid;

use crate::StoreError;

/// An organisation (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: Uuid,
    /// Name, kind, type and beds.
    pub profile: OrgProfile,
    /// Whether this is the installation's home organisation (created at setup).
    pub home: bool,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrgRow {
    id: Uuid,
    name: String,
    kind: String,
    institution_type: Option<String>,
    beds: Option<i64>,
    home: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<OrgRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Self, StoreError> {
        let kind = OrgKind::from_code(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("organisation kind {}", r.kind)))?;
        let institution_type = match r.institution_type {
            Some(t) => Some(
                InstitutionType::from_code(&t)
                    .ok_or_else(|| StoreError::Corrupt(format!("institution type {t}")))?,
            ),
            None => None,
        };
        Ok(Organisation {
            id: r.id,
            profile: OrgProfile {
                name: r.name,
                kind,
                institution_type,
                beds: r.beds.and_then(|b| u32::try_from(b).ok()),
            },
            home: r.home,
            created_at: r.created_at,
        })
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: Uuid,
    /// Its one organisation.
    pub org_id: Uuid,
    /// Login name, lower-cased.
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Roles held.
    pub roles: RoleSet,
    /// Argon2id PHC string; `None` until an invitation is accepted.
    pub password_hash: Option<String>,
    /// Set for a one-time password: the user must choose a new one before anything else.
    pub must_change_password: bool,
    /// Disabled accounts cannot log in or use tokens.
    pub disabled: bool,
    /// After repeated login failures, no password is tried before this instant.
    pub locked_until: Option<DateTime<Utc>>,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// Base32 TOTP secret, once enrolment has started.
    pub totp_secret: Option<String>,
    /// Whether a TOTP code is required at login.
    pub totp_enabled: bool,
    /// The last TOTP time step accepted, to refuse replays.
    pub totp_last_step: i64,
    /// Preferred language, if chosen.
    pub lang: Option<Lang>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// Last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    /// Whether password logins are refused at `now` because of recent failures.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    org_id: Uuid,
    email: String,
    display_name: String,
    roles: String,
    password_hash: Option<String>,
    must_change_password: bool,
    disabled: bool,
    locked_until: Option<DateTime<Utc>>,
    failed_logins: i64,
    totp_secret: Option<String>,
    totp_enabled: bool,
    totp_last_step: i64,
    lang: Option<String>,
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
}

pub(crate) const USER_COLUMNS: &str = "id, org_id, email, display_name, roles, password_hash, must_change_password, disabled, locked_until, \
     failed_logins, totp_secret, totp_enabled, totp_last_step, lang, created_at, last_login_at";

/// `USER_COLUMNS` of the users table under alias `u`, for joins.
pub(crate) fn user_columns_of_u() -> &'static str {
    static C: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        USER_COLUMNS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id,
            org_id: r.org_id,
            email: r.email,
            display_name: r.display_name,
            roles: RoleSet::from_codes(&r.roles)
                .map_err(|c| StoreError::Corrupt(format!("role {c}")))?,
            password_hash: r.password_hash,
            must_change_password: r.must_change_password,
            disabled: r.disabled,
            locked_until: r.locked_until,
            failed_logins: r.failed_logins,
            totp_secret: r.totp_secret,
            totp_enabled: r.totp_enabled,
            totp_last_step: r.totp_last_step,
            lang: r.lang.as_deref().and_then(Lang::from_code),
            created_at: r.created_at,
            last_login_at: r.last_login_at,
        })
    }
}

/// A browser session as found by its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// The synchronizer token every form of this session must carry.
    pub csrf: String,
    /// Password accepted, TOTP code still owed.
    pub awaiting_totp: bool,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// The user.
    pub user: User,
    /// The user's organisation.
    pub org: Organisation,
}

/// An API token as listed to its owner (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    /// Its id.
    pub id: Uuid,
    /// The owner's label for it.
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Filters for listing an organisation's audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Action code starts with this (e.g. `auth.`).
    pub action_prefix: Option<String>,
    /// Actor label contains this.
    pub actor: Option<String>,
    /// Not before this instant.
    pub since: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
    /// At most this many, newest first (0: 100; never more than 1000).
    pub limit: i64,
}

/// Who changes what, from where and when: every mutating store call takes one and writes the
/// audit record in the same transaction as the change.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The organisation whose data changes; all reads and writes are scoped by it.
    pub org_id: Uuid,
    /// The acting user, if any.
    pub actor_id: Option<Uuid>,
    /// How the actor is shown (e-mail, or `system` / `cli`).
    pub actor_label: String,
    /// Client address, or empty.
    pub ip: String,
    /// The instant of the change.
    pub now: DateTime<Utc>,
}

impl Ctx {
    /// The audit event for an action on an object of another organisation (`owner`), recorded
    /// for both; the same as `event` when the owner is the context's organisation.
    pub fn event_on(
        &self,
        owner: Uuid,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        detail: serde_json::Value,
    ) -> mamori_domain::audit::AuditEvent {
        let mut e = self.event(action, object_type, object_id, detail);
        e.subject_org_id = (owner != self.org_id).then_some(owner);
        e
    }

    /// The audit event for an action on an object of this context.
    pub fn event(
        &self,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        detail: serde_json::Value,
    ) -> mamori_domain::audit::AuditEvent {
        mamori_domain::audit::AuditEvent {
            org_id: Some(self.org_id),
            actor_id: self.actor_id,
            actor_label: self.actor_label.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            detail: detail.to_string(),
            ip: self.ip.clone(),
            subject_org_id: None,
        }
    }
}

/// A user about to be created.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login e-mail, already normalised.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles.
    pub roles: RoleSet,
    /// Argon2id hash, or `None` for an invited user who sets it on acceptance.
    pub password_hash: Option<String>,
    /// Whether the password is a one-time password to be replaced at first login.
    pub must_change_password: bool,
}

/// The device ledger's figures, counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceCounts {
    /// Devices in the ledger.
    pub total: usize,
    /// Reachable from the internet.
    pub internet_facing: usize,
    /// Past their end of support.
    pub unsupported: usize,
    /// Without a patch within the period asked for (or ever).
    pub stale_patch: usize,
}
