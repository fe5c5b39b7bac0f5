//! Browser sessions, found by the hash of the cookie's secret.

use crate::models::{UserRow, user_columns_of_u};
use crate::{Result, Session, Store, User};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A session about to be created.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// SHA-256 of the cookie secret.
    pub id_hash: &'a str,
    /// The user.
    pub user_id: Uuid,
    /// The form token.
    pub csrf: &'a str,
    /// Whether a TOTP code is still owed.
    pub awaiting_totp: bool,
    /// Creation instant.
    pub now: DateTime<Utc>,
    /// End of validity.
    pub expires_at: DateTime<Utc>,
    /// Client address.
    pub ip: &'a str,
}

/// A session with its user, as one row.
#[derive(sqlx::FromRow)]
struct SessionRow {
    csrf: String,
    awaiting_totp: bool,
    expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl Store {
    /// Stores a new session.
    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<()> {
        on_db!(&self.db, |p| {
            sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, awaiting_totp, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(s.id_hash).bind(s.user_id).bind(s.csrf).bind(s.awaiting_totp).bind(s.now).bind(s.expires_at).bind(s.ip)
        .execute(p).await?.rows_affected()
        });
        Ok(())
    }

    /// The live session for a cookie (by hash), with its user and organisation; expired sessions
    /// and sessions of disabled users are not found.
    pub async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        // The session and its user in one call: every signed-in request starts here.
        let sql = format!(
            "SELECT s.csrf, s.awaiting_totp, s.expires_at, {} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
            user_columns_of_u()
        );
        let row: Option<SessionRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(p)
        .await?);
        let Some(SessionRow {
            csrf,
            awaiting_totp,
            expires_at,
            user,
        }) = row
        else {
            return Ok(None);
        };
        let user = User::try_from(user)?;
        if user.disabled {
            return Ok(None);
        }
        let org = self.org(user.org_id).await?;
        Ok(Some(Session {
            csrf,
            awaiting_totp,
            expires_at,
            user,
            org,
        }))
    }

    /// Ends one session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        on_db!(&self.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1"
        )
        .bind(id_hash)
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Ends every session of a user except, optionally, one ("log out everywhere else").
    pub async fn delete_user_sessions(&self, user_id: Uuid, keep: Option<&str>) -> Result<u64> {
        let keep = keep.unwrap_or("");
        Ok(on_db!(&self.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2"
        )
        .bind(user_id)
        .bind(keep)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Removes expired sessions.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(on_db!(&self.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(p)
        .await?
        .rows_affected()))
    }
}
