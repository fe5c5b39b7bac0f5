//! Drafts of what an institution shares from an incident: the STIX objects exactly as they will
//! be sent, and the second person who approved and published them.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// A draft to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShareDraft {
    /// The incident it comes from, if any.
    pub incident_id: Option<Uuid>,
    /// The collection it is for.
    pub collection_id: Uuid,
    /// Title.
    pub title: String,
    /// The TLP level's code.
    pub tlp: String,
    /// Whether the institution's name is replaced by an anonymous identity.
    pub anonymous: bool,
    /// The STIX objects (JSON array), as they will be sent.
    pub objects: String,
    /// Lines flagged for review (JSON).
    pub flagged: String,
}

/// A kept draft.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ShareDraft {
    /// Its id.
    pub id: Uuid,
    /// The incident it comes from.
    pub incident_id: Option<Uuid>,
    /// The collection.
    pub collection_id: Uuid,
    /// Title.
    pub title: String,
    /// TLP code.
    pub tlp: String,
    /// Anonymous.
    pub anonymous: bool,
    /// The objects (JSON array).
    pub objects: String,
    /// Flagged lines (JSON).
    pub flagged: String,
    /// `draft` or `published`.
    pub status: String,
    /// Who drafted it.
    pub created_by_user: Uuid,
    /// Their label.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, incident_id, collection_id, title, tlp, anonymous, objects, flagged, status, \
     created_by_user, created_by, created_at, approved_by, approved_at";

impl Store {
    /// Keeps a draft by the context's user.
    pub async fn create_share_draft(&self, ctx: &Ctx, d: &NewShareDraft) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let user = ctx.actor_id.ok_or(StoreError::NotFound)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO share_drafts (id, org_id, incident_id, collection_id, title, tlp, anonymous, objects, flagged, \
                 status, created_by_user, created_by, created_at, approved_by, approved_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11, $12, NULL, NULL)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(d.incident_id)
            .bind(d.collection_id)
            .bind(&d.title)
            .bind(&d.tlp)
            .bind(d.anonymous)
            .bind(&d.objects)
            .bind(&d.flagged)
            .bind(user)
            .bind(&ctx.actor_label)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "share_draft.create",
                    "share_draft",
                    id,
                    json!({"title": d.title, "incident": d.incident_id, "tlp": d.tlp, "anonymous": d.anonymous})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The organisation's drafts, newest first.
    pub async fn share_drafts(&self, org_id: Uuid) -> Result<Vec<ShareDraft>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM share_drafts WHERE org_id = $1 ORDER BY created_at DESC, id"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// One of the organisation's drafts.
    pub async fn share_draft(&self, org_id: Uuid, id: Uuid) -> Result<ShareDraft> {
        let sql = format!("SELECT {COLUMNS} FROM share_drafts WHERE org_id = $1 AND id = $2");
        let row: Option<ShareDraft> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(p)
        .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// Marks a draft approved by the context's user, who must not be the one who drafted it;
    /// false when it was not a draft any more or the approver drafted it.
    pub async fn approve_share_draft(&self, ctx: &Ctx, id: Uuid) -> Result<bool> {
        let user = ctx.actor_id.ok_or(StoreError::NotFound)?;
        let ok = write_tx!(&self.db, |tx| {
            let n = sqlx::query(
                "UPDATE share_drafts SET status = 'published', approved_by = $1, approved_at = $2 \
                 WHERE id = $3 AND org_id = $4 AND status = 'draft' AND created_by_user <> $5",
            )
            .bind(&ctx.actor_label)
            .bind(ctx.now)
            .bind(id)
            .bind(ctx.org_id)
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_audit!(
                    self,
                    tx,
                    ctx.event("share_draft.approve", "share_draft", id, json!({})),
                    ctx.now
                );
            }
            n == 1
        });
        Ok(ok)
    }
}
