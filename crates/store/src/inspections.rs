//! On-site inspections (立入検査) an authority records, and their follow-up, which the inspected
//! institution reports done when it has an account here. The authority that recorded one and the
//! institution it names read it; no one else.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::oversight::{Finding, Inspection};
use serde_json::json;
use uuid::Uuid;

/// An inspection as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInspection {
    /// Its id.
    pub id: Uuid,
    /// The authority that inspected.
    pub authority_id: Uuid,
    /// The institution's code.
    pub institution_code: String,
    /// Its name, as the roster or its submission gave it.
    pub institution_name: String,
    /// The institution's organisation here, when it has one.
    pub org_id: Option<Uuid>,
    /// The checklist submission seen.
    pub submission_id: Option<Uuid>,
    /// The day.
    pub inspected_on: NaiveDate,
    /// Who inspected.
    pub inspectors: String,
    /// The findings.
    pub findings: Vec<Finding>,
    /// The guidance given.
    pub guidance: String,
    /// When the follow-up is due.
    pub follow_up_due: Option<NaiveDate>,
    /// When the institution reported it done.
    pub follow_up_done_on: Option<NaiveDate>,
    /// What it said it did.
    pub follow_up_note: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
}

/// Whom an inspection concerns, beyond what was typed: the institution's name and organisation
/// here, and the submission seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The institution's name.
    pub name: String,
    /// Its organisation here, if any.
    pub org_id: Option<Uuid>,
    /// The checklist submission seen, if any.
    pub submission_id: Option<Uuid>,
}

type Row = (
    Uuid,
    Uuid,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    NaiveDate,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
    DateTime<Utc>,
    String,
);

const COLUMNS: &str = "id, authority_id, institution_code, institution_name, org_id, submission_id, \
     inspected_on, inspectors, findings, guidance, follow_up_due, follow_up_done_on, follow_up_note, \
     created_at, created_by";

fn stored(r: Row) -> Result<StoredInspection> {
    Ok(StoredInspection {
        id: r.0,
        authority_id: r.1,
        institution_code: r.2,
        institution_name: r.3,
        org_id: r.4,
        submission_id: r.5,
        inspected_on: r.6,
        inspectors: r.7,
        findings: serde_json::from_str(&r.8).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        guidance: r.9,
        follow_up_due: r.10,
        follow_up_done_on: r.11,
        follow_up_note: r.12,
        created_at: r.13,
        created_by: r.14,
    })
}

impl Store {
    /// Records an inspection by the context's organisation.
    pub async fn record_inspection(
        &self,
        ctx: &Ctx,
        i: &Inspection,
        who: &Inspected,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let findings =
            serde_json::to_string(&i.findings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO inspections (id, authority_id, institution_code, institution_name, org_id, submission_id, \
                 inspected_on, inspectors, findings, guidance, follow_up_due, follow_up_done_on, follow_up_note, \
                 created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, '', $12, $13)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(&i.institution_code)
            .bind(&who.name)
            .bind(who.org_id)
            .bind(who.submission_id)
            .bind(i.inspected_on)
            .bind(&i.inspectors)
            .bind(&findings)
            .bind(&i.guidance)
            .bind(i.follow_up_due)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "inspection.record",
                    "inspection",
                    id,
                    json!({"institution": i.institution_code, "on": i.inspected_on,
                        "findings": i.findings.len()})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The inspections an authority recorded, newest first.
    pub async fn inspections_by(&self, authority_id: Uuid) -> Result<Vec<StoredInspection>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM inspections WHERE authority_id = $1 \
             ORDER BY inspected_on DESC, created_at DESC"
        );
        let rows: Vec<Row> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(authority_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(stored).collect()
    }

    /// The inspections of an institution, newest first.
    pub async fn inspections_of(&self, org_id: Uuid) -> Result<Vec<StoredInspection>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM inspections WHERE org_id = $1 \
             ORDER BY inspected_on DESC, created_at DESC"
        );
        let rows: Vec<Row> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(stored).collect()
    }

    /// One inspection, for the authority that recorded it or the institution it names.
    pub async fn inspection(&self, reader_org: Uuid, id: Uuid) -> Result<StoredInspection> {
        let sql = format!(
            "SELECT {COLUMNS} FROM inspections WHERE id = $1 AND (authority_id = $2 OR org_id = $2)"
        );
        let row: Option<Row> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id)
        .bind(reader_org)
        .fetch_optional(p)
        .await?);
        stored(row.ok_or(StoreError::NotFound)?)
    }

    /// The inspected institution reports its follow-up done; the authority's audit trail sees it.
    pub async fn report_follow_up(
        &self,
        ctx: &Ctx,
        id: Uuid,
        done_on: NaiveDate,
        note: &str,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let owner: Option<(Uuid,)> = sqlx::query_as(
                "SELECT authority_id FROM inspections WHERE id = $1 AND org_id = $2",
            )
            .bind(id)
            .bind(ctx.org_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (authority,) = owner.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "UPDATE inspections SET follow_up_done_on = $1, follow_up_note = $2 WHERE id = $3",
            )
            .bind(done_on)
            .bind(note)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event_on(
                    authority,
                    "inspection.follow_up",
                    "inspection",
                    id,
                    json!({"done_on": done_on})
                ),
                ctx.now
            );
        });
        Ok(())
    }
}
