//! TAXII 2.1 feeds an organisation pulls into a collection it keeps: the remote, the credential
//! (sealed, like TOTP secrets), the schedule, where the last pull stopped, and every pull's
//! outcome, so that a restart or a remote that was down loses nothing and repeats nothing.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// A feed as it is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    /// The local collection (kept by the organisation) that receives what is pulled.
    pub collection_id: Uuid,
    /// What it is called here.
    pub title: String,
    /// The remote API root, e.g. `https://isac.example.jp/taxii2/hub/`.
    pub api_root_url: String,
    /// The remote collection's id.
    pub remote_collection: String,
    /// The user name for HTTP Basic; empty: the secret is a Bearer token.
    pub username: String,
    /// The password or token.
    pub secret: String,
    /// Minutes between pulls.
    pub interval_minutes: i64,
}

/// A feed as kept (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Feed {
    /// Its id.
    pub id: Uuid,
    /// The organisation pulling.
    pub org_id: Uuid,
    /// The local collection.
    pub collection_id: Uuid,
    /// Title.
    pub title: String,
    /// The remote API root.
    pub api_root_url: String,
    /// The remote collection.
    pub remote_collection: String,
    /// User name (empty: Bearer).
    pub username: String,
    /// Minutes between pulls.
    pub interval_minutes: i64,
    /// The remote's `date_added` of the last object pulled: the next pull asks for newer ones.
    pub added_after: Option<String>,
    /// When the next pull is due.
    pub next_run_at: DateTime<Utc>,
    /// Pulls that failed in a row.
    pub failures: i64,
    /// Why the last pull failed (empty when it did not).
    pub last_error: String,
    /// When it was last pulled.
    pub last_run_at: Option<DateTime<Utc>>,
    /// Objects imported in all.
    pub imported_total: i64,
}

/// How one pull went.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedRun {
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Objects newly kept.
    pub imported: i64,
    /// Objects not kept: already there, invalid, or TLP:RED (never passed on).
    pub skipped: i64,
    /// Why it failed; empty when it did not.
    pub error: String,
}

const FEED_COLUMNS: &str = "id, org_id, collection_id, title, api_root_url, remote_collection, username, \
     interval_minutes, added_after, next_run_at, failures, last_error, last_run_at, imported_total";

impl Store {
    /// Sets up a feed into a collection the context's organisation keeps; not found otherwise.
    pub async fn add_feed(&self, ctx: &Ctx, f: &NewFeed) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let secret = match &self.secret_key {
            Some(k) => crate::sealed::seal(k, id.as_bytes(), &f.secret)
                .ok_or_else(|| StoreError::Corrupt("sealing failed".into()))?,
            None => f.secret.clone(),
        };
        write_tx!(&self.db, |tx| {
            let kept: Option<(Uuid,)> =
                sqlx::query_as("SELECT id FROM collections WHERE id = $1 AND org_id = $2")
                    .bind(f.collection_id)
                    .bind(ctx.org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            kept.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO taxii_feeds (id, org_id, collection_id, title, api_root_url, remote_collection, \
                 username, secret, interval_minutes, added_after, next_run_at, failures, last_error, \
                 last_run_at, imported_total, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, 0, '', NULL, 0, $10)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(f.collection_id)
            .bind(&f.title)
            .bind(&f.api_root_url)
            .bind(&f.remote_collection)
            .bind(&f.username)
            .bind(&secret)
            .bind(f.interval_minutes)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "feed.create",
                    "feed",
                    id,
                    json!({"title": f.title, "url": f.api_root_url, "collection": f.remote_collection})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The organisation's feeds, by title.
    pub async fn feeds(&self, org_id: Uuid) -> Result<Vec<Feed>> {
        let sql =
            format!("SELECT {FEED_COLUMNS} FROM taxii_feeds WHERE org_id = $1 ORDER BY title, id");
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// One of the organisation's feeds.
    pub async fn feed(&self, org_id: Uuid, id: Uuid) -> Result<Feed> {
        let sql = format!("SELECT {FEED_COLUMNS} FROM taxii_feeds WHERE org_id = $1 AND id = $2");
        let row: Option<Feed> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(p)
        .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// The feeds of every organisation that are due: the one read across organisations, for the
    /// worker that pulls each on its organisation's behalf.
    pub async fn due_feeds(&self, now: DateTime<Utc>) -> Result<Vec<Feed>> {
        let sql = format!(
            "SELECT {FEED_COLUMNS} FROM taxii_feeds WHERE next_run_at <= $1 ORDER BY next_run_at, id"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(now)
        .fetch_all(p)
        .await?))
    }

    /// A feed's password or token in the clear, to sign in to the remote; none when it cannot be
    /// opened (the key file is not the one it was sealed with).
    pub async fn feed_secret(&self, feed: &Feed) -> Result<Option<String>> {
        let row: Option<(String,)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT secret FROM taxii_feeds WHERE id = $1 AND org_id = $2"
        )
        .bind(feed.id)
        .bind(feed.org_id)
        .fetch_optional(p)
        .await?);
        let (stored,) = row.ok_or(StoreError::NotFound)?;
        Ok(crate::sealed::open(
            self.secret_key.as_ref(),
            feed.id.as_bytes(),
            &stored,
        ))
    }

    /// Keeps where a pull has got to (after each page, so a restart resumes there).
    pub async fn feed_progress(&self, feed: &Feed, added_after: &str) -> Result<()> {
        on_db!(&self.db, |p| sqlx::query(
            "UPDATE taxii_feeds SET added_after = $1 WHERE id = $2 AND org_id = $3"
        )
        .bind(added_after)
        .bind(feed.id)
        .bind(feed.org_id)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Records a pull's outcome and when the next is due, with its audit record.
    pub async fn record_pull(
        &self,
        ctx: &Ctx,
        feed: &Feed,
        run: &FeedRun,
        next_run_at: DateTime<Utc>,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let failures_sql = if run.error.is_empty() {
                "0"
            } else {
                "failures + 1"
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE taxii_feeds SET failures = {failures_sql}, last_error = $1, last_run_at = $2, \
                 next_run_at = $3, imported_total = imported_total + $4 WHERE id = $5 AND org_id = $6"
            )))
            .bind(&run.error)
            .bind(run.started_at)
            .bind(next_run_at)
            .bind(run.imported)
            .bind(feed.id)
            .bind(feed.org_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO taxii_feed_runs (feed_id, started_at, imported, skipped, error) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (feed_id, started_at) DO NOTHING",
            )
            .bind(feed.id)
            .bind(run.started_at)
            .bind(run.imported)
            .bind(run.skipped)
            .bind(&run.error)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "feed.pull",
                    "feed",
                    feed.id,
                    json!({"imported": run.imported, "skipped": run.skipped, "error": run.error})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// A feed's latest pulls, newest first.
    pub async fn feed_runs(&self, org_id: Uuid, feed_id: Uuid, limit: i64) -> Result<Vec<FeedRun>> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "SELECT r.started_at, r.imported, r.skipped, r.error FROM taxii_feed_runs r \
             JOIN taxii_feeds f ON f.id = r.feed_id WHERE r.feed_id = $1 AND f.org_id = $2 \
             ORDER BY r.started_at DESC LIMIT $3"
        )
        .bind(feed_id)
        .bind(org_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
    }

    /// Makes a feed due now (a person asked for a pull).
    pub async fn feed_due_now(&self, ctx: &Ctx, feed_id: Uuid) -> Result<()> {
        let n = on_db!(&self.db, |p| sqlx::query(
            "UPDATE taxii_feeds SET next_run_at = $1 WHERE id = $2 AND org_id = $3"
        )
        .bind(ctx.now)
        .bind(feed_id)
        .bind(ctx.org_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?);
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
