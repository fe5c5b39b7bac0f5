//! 注意喚起: alerts published to the members of a collection, and each member organisation's
//! acknowledgement. A member reaches the alerts of the collections it may read, nothing else.

use crate::audit::append_audit;
use crate::sharing::{MEMBERS, reads_collection};
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

/// An alert to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The collection whose members receive it (kept by the publisher).
    pub collection_id: Uuid,
    /// Title.
    pub title: String,
    /// What happened.
    pub summary: String,
    /// What members should do.
    pub actions: String,
    /// The severity's code.
    pub severity: String,
    /// The products it concerns (JSON array).
    pub affected: String,
    /// By when.
    pub due_on: Option<NaiveDate>,
}

/// An alert as a member organisation reaches it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAlert {
    /// Its id.
    pub id: Uuid,
    /// The collection.
    pub collection_id: Uuid,
    /// The publisher.
    pub org_id: Uuid,
    /// Title.
    pub title: String,
    /// What happened.
    pub summary: String,
    /// What to do.
    pub actions: String,
    /// Severity code.
    pub severity: String,
    /// Affected products (JSON array).
    pub affected: String,
    /// By when.
    pub due_on: Option<NaiveDate>,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// When the reader's organisation acknowledged it, if it did.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
}

/// The alerts organisation `$1` reaches: those of the collections it reads.
fn alerts_reached() -> String {
    format!(
        "SELECT a.id, a.collection_id, a.org_id, a.title, a.summary, a.actions, a.severity, \
         a.affected, a.due_on, a.published_at, k.acknowledged_at, k.acknowledged_by \
         FROM alerts a JOIN collections c ON c.id = a.collection_id \
         LEFT JOIN alert_acks k ON k.alert_id = a.id AND k.org_id = $1 \
         WHERE {}",
        reads_collection()
    )
}

impl Store {
    /// Publishes an alert to the members of a collection the context's organisation keeps.
    pub async fn publish_alert(&self, ctx: &Ctx, a: &NewAlert) -> Result<Uuid> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            let kept: Option<(Uuid,)> =
                sqlx::query_as("SELECT id FROM collections WHERE id = $1 AND org_id = $2")
                    .bind(a.collection_id)
                    .bind(ctx.org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            kept.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO alerts (id, collection_id, org_id, title, summary, actions, severity, affected, due_on, published_at, published_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(a.collection_id)
            .bind(ctx.org_id)
            .bind(&a.title)
            .bind(&a.summary)
            .bind(&a.actions)
            .bind(&a.severity)
            .bind(&a.affected)
            .bind(a.due_on)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "alert.publish",
                    "alert",
                    id,
                    json!({"title": a.title, "severity": a.severity})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The alerts an organisation reaches (its own and those of collections it reads), newest
    /// first, with its acknowledgement.
    pub async fn alerts(&self, org_id: Uuid) -> Result<Vec<StoredAlert>> {
        let sql = format!("{} ORDER BY a.published_at DESC, a.id", alerts_reached());
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// One alert the organisation reaches.
    pub async fn alert(&self, org_id: Uuid, id: Uuid) -> Result<StoredAlert> {
        let sql = format!("{} AND a.id = $2", alerts_reached());
        let row: Option<StoredAlert> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(p)
        .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// Records that the context's organisation acknowledged an alert it reaches (once; again
    /// changes nothing).
    pub async fn acknowledge_alert(&self, ctx: &Ctx, id: Uuid) -> Result<()> {
        let a = self.alert(ctx.org_id, id).await?;
        write_tx!(&self.db, |tx| {
            let n = sqlx::query(
                "INSERT INTO alert_acks (alert_id, org_id, acknowledged_by, acknowledged_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (alert_id, org_id) DO NOTHING",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(&ctx.actor_label)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_audit!(
                    self,
                    tx,
                    ctx.event_on(a.org_id, "alert.acknowledge", "alert", id, json!({})),
                    ctx.now
                );
            }
        });
        Ok(())
    }

    /// For the publisher: every member organisation of the alert's collection, with when it
    /// acknowledged (none: not yet). Not found for anyone else.
    pub async fn alert_acknowledgements(
        &self,
        org_id: Uuid,
        id: Uuid,
    ) -> Result<Vec<(Uuid, Option<DateTime<Utc>>)>> {
        let sql = format!(
            "SELECT mm.org_id, k.acknowledged_at FROM alerts a \
             JOIN {MEMBERS} mm ON mm.collection_id = a.collection_id \
             LEFT JOIN alert_acks k ON k.alert_id = a.id AND k.org_id = mm.org_id \
             WHERE a.id = $1 AND a.org_id = $2 AND mm.org_id <> a.org_id ORDER BY mm.org_id"
        );
        let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = on_db!(&self.db, |p| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(p)
        .await?);
        if rows.is_empty() {
            // Either not the publisher's, or a collection without members: tell them apart.
            let own: Option<(Uuid,)> = on_db!(&self.db, |p| sqlx::query_as(
                "SELECT id FROM alerts WHERE id = $1 AND org_id = $2"
            )
            .bind(id)
            .bind(org_id)
            .fetch_optional(p)
            .await?);
            own.ok_or(StoreError::NotFound)?;
        }
        Ok(rows)
    }
}
