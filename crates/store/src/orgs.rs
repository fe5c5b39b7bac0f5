//! Organisations and the first setup of an installation.

use crate::audit::append_audit;
use crate::models::{OrgRow, USER_COLUMNS, UserRow};
use crate::{Ctx, NewUser, Organisation, Result, Store, StoreError, User};
use mamori_domain::org::OrgProfile;
use serde_json::json;
use uuid::Uuid;

const ORG_COLUMNS: &str = "id, name, kind, institution_type, beds, home, created_at";

fn profile_json(p: &OrgProfile) -> serde_json::Value {
    json!({"name": p.name, "kind": p.kind.code(), "institution_type": p.institution_type.map(|t| t.code()), "beds": p.beds})
}

macro_rules! insert_org {
    ($tx:ident, $id:expr, $p:expr, $home:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, institution_type, beds, home, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($id)
        .bind(&$p.name)
        .bind($p.kind.code())
        .bind($p.institution_type.map(|t| t.code()))
        .bind($p.beds.map(i64::from))
        .bind($home)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}

macro_rules! insert_user {
    ($tx:ident, $id:expr, $org:expr, $u:expr, $now:expr) => {{
        sqlx::query(
            "INSERT INTO users (id, org_id, email, display_name, roles, password_hash, password_changed_at, \
             must_change_password, disabled, locked_until, failed_logins, totp_secret, totp_enabled, totp_last_step, lang, created_at, last_login_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $9, FALSE, NULL, 0, NULL, FALSE, 0, NULL, $8, NULL)",
        )
        .bind($id)
        .bind($org)
        .bind(&$u.email)
        .bind(&$u.display_name)
        .bind($u.roles.to_codes())
        .bind(&$u.password_hash)
        .bind($u.password_hash.as_ref().map(|_| $now))
        .bind($now)
        .bind($u.must_change_password)
        .execute(&mut *$tx)
        .await
        .map_err(|e| StoreError::unique(e, "email"))?;
        if let Some(h) = &$u.password_hash {
            sqlx::query("INSERT INTO password_history (id, user_id, password_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(Uuid::new_v4())
                .bind($id)
                .bind(h)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use insert_user;

macro_rules! insert_invite {
    ($tx:ident, $hash:expr, $org:expr, $user:expr, $expires:expr) => {
        sqlx::query("INSERT INTO invites (token_hash, org_id, user_id, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)")
            .bind($hash)
            .bind($org)
            .bind($user)
            .bind($expires)
            .execute(&mut *$tx)
            .await?
    };
}
pub(crate) use insert_invite;

impl Store {
    /// How many organisations exist; zero means the installation still needs its setup.
    pub async fn org_count(&self) -> Result<i64> {
        on_db!(&self.db, |p| Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM organisations"
        )
        .fetch_one(p)
        .await?))
    }

    /// Creates the home organisation and its first administrator; refused once any organisation exists.
    pub async fn setup(
        &self,
        profile: &OrgProfile,
        admin: &NewUser,
        ip: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Organisation, User)> {
        let org_id = Uuid::new_v4();
        let user_id = Uuid::new_v4();
        let ctx = Ctx {
            org_id,
            actor_id: Some(user_id),
            actor_label: admin.email.clone(),
            ip: ip.to_string(),
            now,
        };
        write_tx!(&self.db, |tx| {
            let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
                .fetch_one(&mut *tx)
                .await?;
            if existing > 0 {
                return Err(StoreError::Conflict("setup"));
            }
            insert_org!(tx, org_id, profile, true, now);
            append_audit!(
                self,
                tx,
                ctx.event("org.create", "organisation", org_id, profile_json(profile)),
                now
            );
            insert_user!(tx, user_id, org_id, admin, now);
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.create",
                    "user",
                    user_id,
                    json!({"email": admin.email, "roles": admin.roles.to_codes()})
                ),
                now
            );
        });
        Ok((self.org(org_id).await?, self.user(org_id, user_id).await?))
    }

    /// Registers another organisation (by a home administrator) together with its first
    /// administrator, who is invited by the one-time token whose hash is given.
    pub async fn register_org(
        &self,
        ctx: &Ctx,
        profile: &OrgProfile,
        admin: &NewUser,
        invite_hash: &str,
        invite_expires: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Organisation, User)> {
        let org_id = Uuid::new_v4();
        let user_id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            insert_org!(tx, org_id, profile, false, ctx.now);
            append_audit!(
                self,
                tx,
                ctx.event("org.create", "organisation", org_id, profile_json(profile)),
                ctx.now
            );
            insert_user!(tx, user_id, org_id, admin, ctx.now);
            insert_invite!(tx, invite_hash, org_id, user_id, invite_expires);
            // Recorded in the registering organisation's trail: the new organisation's trail
            // starts with its own administrator, and sees nothing of the registrar.
            let ev = ctx.event(
                "user.invite",
                "user",
                user_id,
                json!({"email": admin.email, "roles": admin.roles.to_codes(), "org_id": org_id}),
            );
            append_audit!(self, tx, ev, ctx.now);
        });
        Ok((self.org(org_id).await?, self.user(org_id, user_id).await?))
    }

    /// One organisation by id.
    pub async fn org(&self, org_id: Uuid) -> Result<Organisation> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1");
        let row: Option<OrgRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The directory of organisations (names and kinds only), for home administrators.
    pub async fn org_directory(&self) -> Result<Vec<Organisation>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations ORDER BY home DESC, name");
        let rows: Vec<OrgRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(Organisation::try_from).collect()
    }

    /// Changes the caller's own organisation's profile.
    pub async fn update_org(&self, ctx: &Ctx, profile: &OrgProfile) -> Result<Organisation> {
        let before = self.org(ctx.org_id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE organisations SET name = $1, kind = $2, institution_type = $3, beds = $4 WHERE id = $5")
                .bind(&profile.name)
                .bind(profile.kind.code())
                .bind(profile.institution_type.map(|t| t.code()))
                .bind(profile.beds.map(i64::from))
                .bind(ctx.org_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "org.update",
                    "organisation",
                    ctx.org_id,
                    json!({"before": profile_json(&before.profile), "after": profile_json(profile)})
                ),
                ctx.now
            );
        });
        self.org(ctx.org_id).await
    }

    /// One user of an organisation.
    pub async fn user(&self, org_id: Uuid, user_id: Uuid) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2");
        let row: Option<UserRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }
}
