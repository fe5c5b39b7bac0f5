//! API tokens: stored as SHA-256 of the secret, shown once, revocable.

use crate::audit::append_audit;
use crate::models::{UserRow, user_columns_of_u};
use crate::{ApiToken, Ctx, Organisation, Result, Store, StoreError, User};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

const TOKEN_COLUMNS: &str = "id, name, prefix, created_at, last_used_at, revoked_at";

/// A live token with its user, as one row.
#[derive(sqlx::FromRow)]
struct TokenUserRow {
    token_id: Uuid,
    last_used_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl Store {
    /// Stores a new token for the context's user.
    pub async fn create_token(
        &self,
        ctx: &Ctx,
        user_id: Uuid,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query("INSERT INTO api_tokens (id, user_id, org_id, name, token_hash, prefix, created_at, last_used_at, revoked_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)")
                .bind(id).bind(user_id).bind(ctx.org_id).bind(name).bind(token_hash).bind(prefix).bind(ctx.now)
                .execute(&mut *tx).await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "token.create",
                    "api_token",
                    id,
                    json!({"name": name, "prefix": prefix})
                ),
                ctx.now
            );
        });
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(id)
        .fetch_one(p)
        .await?))
    }

    /// A user's tokens, newest first.
    pub async fn tokens(&self, org_id: Uuid, user_id: Uuid) -> Result<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE org_id = $1 AND user_id = $2 ORDER BY created_at DESC"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(org_id)
        .bind(user_id)
        .fetch_all(p)
        .await?))
    }

    /// Revokes one of a user's tokens.
    pub async fn revoke_token(&self, ctx: &Ctx, user_id: Uuid, token_id: Uuid) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE org_id = $2 AND user_id = $3 AND id = $4 AND revoked_at IS NULL")
                .bind(ctx.now).bind(ctx.org_id).bind(user_id).bind(token_id).execute(&mut *tx).await?.rows_affected();
            if n != 1 {
                return Err(StoreError::NotFound);
            }
            append_audit!(
                self,
                tx,
                ctx.event("token.revoke", "api_token", token_id, json!({})),
                ctx.now
            );
        });
        Ok(())
    }

    /// Whether a token (by hash) is live: not revoked, its user not disabled. Reads only.
    pub async fn token_is_live(&self, token_hash: &str) -> Result<bool> {
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled"
        )
        .bind(token_hash)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }

    /// The user and organisation a live token (by hash) belongs to; revoked tokens and tokens of
    /// disabled users are not found (a login lockout only holds back passwords). Notes the use.
    pub async fn token_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Organisation)>> {
        // The token and its user in one call: every API request starts here.
        let sql = format!(
            "SELECT t.id AS token_id, t.last_used_at, {} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            user_columns_of_u()
        );
        let row: Option<TokenUserRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(token_hash)
        .fetch_optional(p)
        .await?);
        let Some(TokenUserRow {
            token_id,
            last_used_at: last_used,
            user,
        }) = row
        else {
            return Ok(None);
        };
        let user = User::try_from(user)?;
        if user.disabled {
            return Ok(None);
        }
        // "Last used" to the minute: a script's every call would otherwise be a write, and
        // writes queue behind one another (on SQLite, one at a time).
        if last_used.is_none_or(|at| now - at >= chrono::Duration::minutes(1)) {
            on_db!(&self.db, |p| sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
            )
            .bind(now)
            .bind(token_id)
            .execute(p)
            .await?
            .rows_affected());
        }
        let org = self.org(user.org_id).await?;
        Ok(Some((user, org)))
    }
}
