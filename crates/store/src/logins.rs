//! Login bookkeeping: failures per account (with the growing wait of the throttle rule) and per
//! client address, kept in the database so that a restart forgets nothing.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, User};
use chrono::{DateTime, Utc};
use mamori_domain::audit::AuditEvent;
use mamori_domain::throttle::{AddressLimit, lockout_after};
use serde_json::json;
use uuid::Uuid;

/// Deletes the windows (of one address, or all when it is empty) that opened at or before
/// `cutoff`, summing their refusals into the audit trail; evaluates to how many closed.
macro_rules! close_windows {
    ($store:expr, $tx:ident, $address:expr, $cutoff:expr, $now:expr) => {{
        let closed: Vec<(String, DateTime<Utc>, i64)> = sqlx::query_as(
            "DELETE FROM login_throttle WHERE window_start <= $1 AND ($2 = '' OR address = $2) \
             RETURNING address, window_start, refused",
        )
        .bind($cutoff)
        .bind($address)
        .fetch_all(&mut *$tx)
        .await?;
        for (address, start, refused) in closed.iter().filter(|c| c.2 > 1) {
            append_audit!(
                $store,
                $tx,
                anonymous(
                    "auth.rate_limited_summary",
                    address,
                    "",
                    "",
                    json!({"refused": refused, "window_start": start})
                ),
                $now
            );
        }
        u64::try_from(closed.len()).unwrap_or(u64::MAX)
    }};
}

/// Why a login of a known account failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// The password was wrong.
    Password,
    /// The password was right and the second factor wrong: whoever tries knows the password.
    SecondFactor,
    /// The account is waiting out a lockout; nothing was tried.
    WhileLocked,
    /// The account is disabled.
    Disabled,
}

impl LoginFailure {
    fn code(self) -> &'static str {
        match self {
            LoginFailure::Password => "password",
            LoginFailure::SecondFactor => "totp",
            LoginFailure::WhileLocked => "locked",
            LoginFailure::Disabled => "disabled",
        }
    }

    /// Whether the failure counts towards a lockout (a try during one does not lengthen it).
    fn counts(self) -> bool {
        matches!(self, LoginFailure::Password | LoginFailure::SecondFactor)
    }
}

/// What a failed login left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// Consecutive failures so far.
    pub consecutive: i64,
    /// Until when the account now waits, if this failure started a wait.
    pub until: Option<DateTime<Utc>>,
}

impl Store {
    /// Lifts a lockout and clears the failure count.
    pub async fn unlock(&self, ctx: &Ctx, user_id: Uuid) -> Result<User> {
        self.user(ctx.org_id, user_id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE org_id = $1 AND id = $2",
            )
            .bind(ctx.org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event("user.unlock", "user", user_id, json!({})),
                ctx.now
            );
        });
        self.user(ctx.org_id, user_id).await
    }

    /// Records a failed login of the context's actor. A counted failure from the fifth on makes
    /// the account wait (the throttle rule); one at the second factor that does so also ends all
    /// the account's sessions, as its password is known to whoever is trying.
    pub async fn login_failed(
        &self,
        ctx: &Ctx,
        user_id: Uuid,
        why: LoginFailure,
    ) -> Result<Lockout> {
        let lockout = write_tx!(&self.db, |tx| {
            let consecutive: i64 = if why.counts() {
                sqlx::query_scalar("UPDATE users SET failed_logins = failed_logins + 1 WHERE org_id = $1 AND id = $2 RETURNING failed_logins")
                    .bind(ctx.org_id).bind(user_id).fetch_one(&mut *tx).await?
            } else {
                sqlx::query_scalar("SELECT failed_logins FROM users WHERE org_id = $1 AND id = $2")
                    .bind(ctx.org_id)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?
            };
            append_audit!(
                self,
                tx,
                ctx.event(
                    "auth.login_failed",
                    "user",
                    user_id,
                    json!({"reason": why.code(), "consecutive": consecutive})
                ),
                ctx.now
            );
            let wait = lockout_after(consecutive).filter(|_| why.counts());
            let until = wait.map(|w| ctx.now + w);
            if let (Some(wait), Some(until)) = (wait, until) {
                sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                    .bind(until)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                let ended = if why == LoginFailure::SecondFactor {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                } else {
                    0
                };
                append_audit!(
                    self,
                    tx,
                    ctx.event(
                        "auth.locked",
                        "user",
                        user_id,
                        json!({"consecutive": consecutive, "minutes": wait.num_minutes(), "until": until, "sessions_ended": ended})
                    ),
                    ctx.now
                );
            }
            Lockout { consecutive, until }
        });
        Ok(lockout)
    }

    /// Records a completed login and clears the failure count.
    pub async fn login_succeeded(&self, ctx: &Ctx, user_id: Uuid, method: &str) -> Result<()> {
        write_tx!(&self.db, |tx| {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE org_id = $2 AND id = $3")
                .bind(ctx.now).bind(ctx.org_id).bind(user_id).execute(&mut *tx).await?;
            append_audit!(
                self,
                tx,
                ctx.event("auth.login", "user", user_id, json!({"method": method})),
                ctx.now
            );
        });
        Ok(())
    }

    /// The current window of failed logins from a client address: when it opened and how many.
    pub async fn address_failures(&self, address: &str) -> Result<Option<(DateTime<Utc>, i64)>> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "SELECT window_start, failures FROM login_throttle WHERE address = $1"
        )
        .bind(address)
        .fetch_optional(p)
        .await?))
    }

    /// Counts a failed login from a client address, opening a new window when the last closed.
    pub async fn address_failed(
        &self,
        address: &str,
        limit: &AddressLimit,
        now: DateTime<Utc>,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            close_windows!(self, tx, address, now - limit.window, now);
            sqlx::query(
                "INSERT INTO login_throttle (address, window_start, failures, refused) VALUES ($1, $2, 1, 0) \
                 ON CONFLICT (address) DO UPDATE SET failures = login_throttle.failures + 1",
            )
            .bind(address)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Counts a login refused because its address is over the limit. Only the first refusal of a
    /// window is written to the audit trail at once; the rest are summed when the window closes,
    /// so that a flood of attempts cannot flood the trail.
    pub async fn address_refused(
        &self,
        address: &str,
        tried: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let refused: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE login_throttle SET refused = refused + 1 WHERE address = $1 RETURNING refused, failures",
            )
            .bind(address)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((1, failures)) = refused {
                append_audit!(
                    self,
                    tx,
                    anonymous(
                        "auth.rate_limited",
                        address,
                        tried,
                        ip,
                        json!({"failures": failures})
                    ),
                    now
                );
            }
        });
        Ok(())
    }

    /// Forgets the closed windows of every address, writing for each that refused more than once
    /// one audit record with the number refused. Returns how many windows closed.
    pub async fn close_address_windows(
        &self,
        limit: &AddressLimit,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        Ok(write_tx!(&self.db, |tx| close_windows!(
            self,
            tx,
            "",
            now - limit.window,
            now
        )))
    }
}

/// An audit event of someone not signed in, about a client address.
fn anonymous(
    action: &str,
    address: &str,
    tried: &str,
    ip: &str,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        org_id: None,
        actor_id: None,
        actor_label: tried.to_string(),
        action: action.into(),
        object_type: "address".into(),
        object_id: address.to_string(),
        detail: detail.to_string(),
        ip: ip.to_string(),
        subject_org_id: None,
    }
}
