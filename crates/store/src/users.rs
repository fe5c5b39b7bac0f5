//! Users: invitations, roles, disabling, login bookkeeping, passwords and two-factor.

use crate::audit::append_audit;
use crate::models::{USER_COLUMNS, UserRow};
use crate::orgs::{insert_invite, insert_user};
use crate::{Ctx, NewUser, Organisation, Result, Store, StoreError, User};
use chrono::{DateTime, Utc};
use mamori_domain::Lang;
use mamori_domain::role::RoleSet;
use serde_json::json;
use uuid::Uuid;

/// Sets a password and appends it to the history, inside a transaction.
macro_rules! set_password_in_tx {
    ($tx:ident, $ctx:expr, $user_id:expr, $hash:expr) => {{
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = FALSE WHERE org_id = $3 AND id = $4")
            .bind($hash).bind($ctx.now).bind($ctx.org_id).bind($user_id).execute(&mut *$tx).await?;
        sqlx::query("INSERT INTO password_history (id, user_id, password_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::new_v4()).bind($user_id).bind($hash).bind($ctx.now).execute(&mut *$tx).await?;
    }};
}

/// The most accounts one e-mail is tried against at login (each costs a password check).
pub const LOGIN_CANDIDATES: usize = 10;

/// A new password and what it ends.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    /// The new password's hash.
    pub hash: &'a str,
    /// The session to keep (the one the change was made in); every other one ends.
    pub keep_session: Option<&'a str>,
    /// Keep the user's API tokens; by default they are revoked.
    pub keep_tokens: bool,
    /// A one-time password set for the user, to be replaced at the next login.
    pub one_time: bool,
}

impl<'a> PasswordChange<'a> {
    /// A new password that ends every session and revokes every token.
    pub fn ending_everything(hash: &'a str) -> Self {
        PasswordChange {
            hash,
            keep_session: None,
            keep_tokens: false,
            one_time: false,
        }
    }
}

/// What a new password ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    /// Sessions ended.
    pub sessions_ended: u64,
    /// API tokens revoked.
    pub tokens_revoked: u64,
}

impl Store {
    /// The users of an organisation, by name.
    pub async fn users(&self, org_id: Uuid) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY display_name, email"
        );
        let rows: Vec<UserRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(User::try_from).collect()
    }

    /// Creates a user with a password already chosen (setup, command line, demo).
    pub async fn create_user(&self, ctx: &Ctx, new: &NewUser) -> Result<User> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            insert_user!(tx, id, ctx.org_id, new, ctx.now);
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.create",
                    "user",
                    id,
                    json!({"email": new.email, "roles": new.roles.to_codes()})
                ),
                ctx.now
            );
        });
        self.user(ctx.org_id, id).await
    }

    /// Creates a user without a password and a one-time invitation (by the hash of its token).
    pub async fn invite_user(
        &self,
        ctx: &Ctx,
        new: &NewUser,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<User> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            insert_user!(tx, id, ctx.org_id, new, ctx.now);
            insert_invite!(tx, token_hash, ctx.org_id, id, expires);
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.invite",
                    "user",
                    id,
                    json!({"email": new.email, "roles": new.roles.to_codes()})
                ),
                ctx.now
            );
        });
        self.user(ctx.org_id, id).await
    }

    /// Issues a new invitation for an existing user who has not set a password yet.
    pub async fn reinvite_user(
        &self,
        ctx: &Ctx,
        user_id: Uuid,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user(ctx.org_id, user_id).await?;
        if user.password_hash.is_some() {
            return Err(StoreError::Conflict("password"));
        }
        write_tx!(&self.db, |tx| {
            insert_invite!(tx, token_hash, ctx.org_id, user_id, expires);
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.reinvite",
                    "user",
                    user_id,
                    json!({"email": user.email})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// The user an unused, unexpired invitation token (by hash) is for.
    pub async fn invite(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User> {
        let row: Option<(Uuid, Uuid)> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT org_id, user_id FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
        ).bind(token_hash).bind(now).fetch_optional(p).await?
        });
        let (org_id, user_id) = row.ok_or(StoreError::NotFound)?;
        let user = self.user(org_id, user_id).await?;
        if user.disabled {
            Err(StoreError::NotFound)
        } else {
            Ok(user)
        }
    }

    /// Accepts an invitation: sets the first password and spends the token.
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        password_hash: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let user = self.invite(token_hash, now).await?;
        let ctx = Ctx {
            org_id: user.org_id,
            actor_id: Some(user.id),
            actor_label: user.email.clone(),
            ip: ip.to_string(),
            now,
        };
        write_tx!(&self.db, |tx| {
            let spent = sqlx::query(
                "UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
            )
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent != 1 {
                return Err(StoreError::NotFound);
            }
            set_password_in_tx!(tx, ctx, user.id, password_hash);
            append_audit!(
                self,
                tx,
                ctx.event("user.accept_invite", "user", user.id, json!({})),
                now
            );
        });
        self.user(user.org_id, user.id).await
    }

    /// The accounts (with their organisations) that sign in with an e-mail, for authentication
    /// only: one person may hold an account in several organisations. The most recently used
    /// first; at most `LOGIN_CANDIDATES`.
    pub async fn login_candidates(&self, email: &str) -> Result<Vec<(User, Organisation)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1 \
             ORDER BY last_login_at IS NULL, last_login_at DESC, created_at LIMIT {LOGIN_CANDIDATES}"
        );
        let rows: Vec<UserRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_all(p)
            .await?);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let user = User::try_from(r)?;
            let org = self.org(user.org_id).await?;
            out.push((user, org));
        }
        Ok(out)
    }

    /// Replaces a user's roles.
    pub async fn set_roles(&self, ctx: &Ctx, user_id: Uuid, roles: &RoleSet) -> Result<User> {
        let before = self.user(ctx.org_id, user_id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE users SET roles = $1 WHERE org_id = $2 AND id = $3")
                .bind(roles.to_codes())
                .bind(ctx.org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.roles",
                    "user",
                    user_id,
                    json!({"before": before.roles.to_codes(), "after": roles.to_codes()})
                ),
                ctx.now
            );
        });
        self.user(ctx.org_id, user_id).await
    }

    /// Disables or re-enables an account; disabling also ends its sessions.
    pub async fn set_disabled(&self, ctx: &Ctx, user_id: Uuid, disabled: bool) -> Result<User> {
        self.user(ctx.org_id, user_id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE users SET disabled = $1 WHERE org_id = $2 AND id = $3")
                .bind(disabled)
                .bind(ctx.org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let action = if disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            append_audit!(
                self,
                tx,
                ctx.event(action, "user", user_id, json!({})),
                ctx.now
            );
        });
        self.user(ctx.org_id, user_id).await
    }

    /// The hashes of the user's most recent passwords, newest first (the current one included).
    pub async fn recent_password_hashes(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        n: usize,
    ) -> Result<Vec<String>> {
        self.user(org_id, user_id).await?;
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        Ok(on_db!(&self.db, |p| {
            sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2"
        ).bind(user_id).bind(limit).fetch_all(p).await?
        }))
    }

    /// Sets a new password (already checked against the rules and history) and, in the same
    /// transaction, ends the sessions and revokes the tokens it should, since whoever knew the old
    /// password may have opened them.
    pub async fn set_password(
        &self,
        ctx: &Ctx,
        user_id: Uuid,
        change: &PasswordChange<'_>,
    ) -> Result<PasswordChanged> {
        self.user(ctx.org_id, user_id).await?;
        let done = write_tx!(&self.db, |tx| {
            set_password_in_tx!(tx, ctx, user_id, change.hash);
            if change.one_time {
                sqlx::query("UPDATE users SET must_change_password = TRUE WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let sessions_ended =
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                    .bind(user_id)
                    .bind(change.keep_session.unwrap_or(""))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            let tokens_revoked = if change.keep_tokens {
                0
            } else {
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(ctx.now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            };
            let action = if change.one_time {
                "user.password_reset"
            } else {
                "user.password_change"
            };
            append_audit!(
                self,
                tx,
                ctx.event(
                    action,
                    "user",
                    user_id,
                    json!({"sessions_ended": sessions_ended, "tokens_revoked": tokens_revoked})
                ),
                ctx.now
            );
            PasswordChanged {
                sessions_ended,
                tokens_revoked,
            }
        });
        Ok(done)
    }

    /// Stores a new TOTP secret for enrolment (not yet required at login).
    pub async fn totp_begin(&self, ctx: &Ctx, user_id: Uuid, secret: &str) -> Result<()> {
        let stored = self.seal_secret(user_id, secret)?;
        let secret = stored.as_str();
        write_tx!(&self.db, |tx| {
            let n = sqlx::query("UPDATE users SET totp_secret = $1 WHERE org_id = $2 AND id = $3 AND totp_enabled = FALSE")
                .bind(secret).bind(ctx.org_id).bind(user_id).execute(&mut *tx).await?.rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict("totp"));
            }
            append_audit!(
                self,
                tx,
                ctx.event("user.totp_begin", "user", user_id, json!({})),
                ctx.now
            );
        });
        Ok(())
    }

    fn seal_secret(&self, user_id: Uuid, secret: &str) -> Result<String> {
        match &self.secret_key {
            Some(k) => crate::sealed::seal(k, user_id.as_bytes(), secret)
                .ok_or_else(|| StoreError::Corrupt("sealing failed".into())),
            None => Ok(secret.to_string()),
        }
    }

    /// A user's TOTP secret in the clear, to check a code or show the enrolment QR code; none when
    /// there is none, or it cannot be opened (the key file is not the one it was sealed with).
    pub fn totp_secret(&self, user: &User) -> Option<String> {
        let stored = user.totp_secret.as_deref()?;
        crate::sealed::open(self.secret_key.as_ref(), user.id.as_bytes(), stored)
    }

    /// Seals the TOTP secrets written before sealing began; returns how many.
    pub async fn seal_plain_secrets(&self) -> Result<usize> {
        let Some(key) = self.secret_key else {
            return Ok(0);
        };
        let rows: Vec<(Uuid, String)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL"
        )
        .fetch_all(p)
        .await?);
        let mut n = 0;
        for (id, stored) in rows {
            if crate::sealed::is_sealed(&stored) {
                continue;
            }
            let sealed = crate::sealed::seal(&key, id.as_bytes(), &stored)
                .ok_or_else(|| StoreError::Corrupt("sealing failed".into()))?;
            on_db!(&self.db, |p| sqlx::query(
                "UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3"
            )
            .bind(&sealed)
            .bind(id)
            .bind(&stored)
            .execute(p)
            .await
            .map(|_| ()))?;
            n += 1;
        }
        Ok(n)
    }

    /// Turns TOTP on after a code was confirmed, replacing recovery codes with new ones (hashes).
    pub async fn totp_enable(
        &self,
        ctx: &Ctx,
        user_id: Uuid,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let n = sqlx::query("UPDATE users SET totp_enabled = TRUE, totp_last_step = $1 WHERE org_id = $2 AND id = $3 AND totp_secret IS NOT NULL")
                .bind(step).bind(ctx.org_id).bind(user_id).execute(&mut *tx).await?.rows_affected();
            if n != 1 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for h in recovery_hashes {
                sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash, used_at) VALUES ($1, $2, $3, NULL)")
                    .bind(Uuid::new_v4()).bind(user_id).bind(h).execute(&mut *tx).await?;
            }
            append_audit!(
                self,
                tx,
                ctx.event(
                    "user.totp_enable",
                    "user",
                    user_id,
                    json!({"recovery_codes": recovery_hashes.len()})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// Turns TOTP off and forgets the secret and recovery codes.
    pub async fn totp_disable(&self, ctx: &Ctx, user_id: Uuid) -> Result<()> {
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE users SET totp_enabled = FALSE, totp_secret = NULL, totp_last_step = 0 WHERE org_id = $1 AND id = $2")
                .bind(ctx.org_id).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event("user.totp_disable", "user", user_id, json!({})),
                ctx.now
            );
        });
        Ok(())
    }

    /// Accepts a TOTP time step only if it is later than the last one used (no replays).
    pub async fn totp_accept_step(&self, user_id: Uuid, step: i64) -> Result<bool> {
        let n = on_db!(&self.db, |p| sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1"
        )
        .bind(step)
        .bind(user_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Spends a recovery code (by hash); false if it does not exist or was used.
    pub async fn use_recovery_code(
        &self,
        user_id: Uuid,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = on_db!(&self.db, |p| {
            sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now).bind(user_id).bind(code_hash).execute(p).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Unused recovery codes left.
    pub async fn recovery_codes_left(&self, user_id: Uuid) -> Result<i64> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"
        )
        .bind(user_id)
        .fetch_one(p)
        .await?))
    }

    /// Remembers a user's language.
    pub async fn set_lang(&self, ctx: &Ctx, user_id: Uuid, lang: Lang) -> Result<()> {
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE users SET lang = $1 WHERE org_id = $2 AND id = $3")
                .bind(lang.code())
                .bind(ctx.org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event("user.lang", "user", user_id, json!({"lang": lang.code()})),
                ctx.now
            );
        });
        Ok(())
    }
}
