//! Evidence files attached to assessment items (metadata; the bytes are kept by the caller under
//! their SHA-256).

use crate::assessments::REACHES;
use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// An evidence file as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Evidence {
    /// Its id.
    pub id: Uuid,
    /// The assessment.
    pub assessment_id: Uuid,
    /// The checklist item.
    pub item_id: String,
    /// The file name as uploaded.
    pub filename: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

impl Evidence {
    /// The first 16 hex digits of the hash, for lists (never panics on a short stored value).
    pub fn short_hash(&self) -> &str {
        self.sha256.get(..16).unwrap_or(&self.sha256)
    }
}

/// A file about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    /// The checklist item.
    pub item_id: &'a str,
    /// File name as uploaded.
    pub filename: &'a str,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: &'a str,
}

const COLUMNS: &str =
    "id, assessment_id, item_id, filename, size, sha256, uploaded_by, uploaded_at";

impl Store {
    /// Records an uploaded file against an item of an assessment of the context's organisation.
    pub async fn add_evidence(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        e: &NewEvidence<'_>,
    ) -> Result<Evidence> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            let owner = owner_within!(tx, ctx.org_id, assessment_id, false);
            sqlx::query(
                "INSERT INTO evidence (id, org_id, assessment_id, item_id, filename, size, sha256, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(assessment_id)
            .bind(e.item_id)
            .bind(e.filename)
            .bind(e.size)
            .bind(e.sha256)
            .bind(&ctx.actor_label)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event_on(owner, "evidence.upload", "evidence", id, json!({"assessment": assessment_id, "item": e.item_id, "filename": e.filename, "size": e.size, "sha256": e.sha256})),
                ctx.now
            );
        });
        self.evidence(ctx.org_id, id).await
    }

    /// One evidence record visible to an organisation (the assessment's owner, or the vendor asked
    /// to answer it).
    pub async fn evidence(&self, org_id: Uuid, id: Uuid) -> Result<Evidence> {
        let sql = format!(
            "SELECT {COLUMNS} FROM evidence WHERE id = $2 AND assessment_id IN \
             (SELECT id FROM assessments WHERE {REACHES})"
        );
        let row: Option<Evidence> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// The evidence of an assessment, by item and upload time.
    pub async fn evidence_list(&self, org_id: Uuid, assessment_id: Uuid) -> Result<Vec<Evidence>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM evidence WHERE assessment_id = $2 AND assessment_id IN \
             (SELECT id FROM assessments WHERE {REACHES}) ORDER BY item_id, uploaded_at"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(org_id)
        .bind(assessment_id)
        .fetch_all(p)
        .await?))
    }
}
