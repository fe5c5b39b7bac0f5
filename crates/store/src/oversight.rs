//! Oversight's storage: authorities' jurisdictions, their rosters, and the checklist snapshots
//! institutions submit. An authority reads a submission addressed to it or one placed within its
//! jurisdiction (the predicate is written once, in [`IN_SCOPE`]); an institution reads its own.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use mamori_domain::org::InstitutionType;
use mamori_domain::oversight::{ChecklistSnapshot, Jurisdiction, RosterEntry};
use serde_json::json;
use uuid::Uuid;

/// A submitted checklist, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Its id.
    pub id: Uuid,
    /// The institution that submitted it.
    pub org_id: Uuid,
    /// The authority it was addressed to.
    pub authority_id: Uuid,
    /// The fiscal year.
    pub fiscal_year: i32,
    /// 1 for the first submission of the year to this authority, then 2, …
    pub version: i64,
    /// The prefecture it lies in (from its code).
    pub prefecture: String,
    /// The municipality it lies in.
    pub municipality: String,
    /// The snapshot as submitted.
    pub snapshot: ChecklistSnapshot,
    /// The snapshot's SHA-256, as computed when it was submitted.
    pub digest: String,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// By whom.
    pub submitted_by: String,
}

/// An authority an institution may submit to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// The organisation.
    pub org_id: Uuid,
    /// Its name.
    pub name: String,
    /// Where it oversees.
    pub jurisdiction: Jurisdiction,
}

type SubmissionRow = (
    Uuid,
    Uuid,
    Uuid,
    i64,
    i64,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
    String,
);

const SUBMISSION_COLUMNS: &str = "s.id, s.org_id, s.authority_id, s.fiscal_year, s.version, \
     s.prefecture, s.municipality, s.snapshot, s.digest, s.submitted_at, s.submitted_by";

/// Whether organisation `$1` may read submission `s`: it was addressed to it, or it lies within
/// the organisation's jurisdiction.
const IN_SCOPE: &str = "(s.authority_id = $1 OR EXISTS (SELECT 1 FROM jurisdictions j WHERE j.org_id = $1 \
     AND (j.scope = 'national' \
       OR (j.scope = 'prefecture' AND j.prefecture = s.prefecture) \
       OR (j.scope = 'municipalities' AND j.prefecture = s.prefecture AND EXISTS ( \
           SELECT 1 FROM jurisdiction_municipalities m WHERE m.org_id = $1 AND m.municipality = s.municipality)))))";

fn submission(r: SubmissionRow) -> Result<Submission> {
    let snapshot = serde_json::from_str(&r.7).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Submission {
        id: r.0,
        org_id: r.1,
        authority_id: r.2,
        fiscal_year: i32::try_from(r.3).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        version: r.4,
        prefecture: r.5,
        municipality: r.6,
        snapshot,
        digest: r.8,
        submitted_at: r.9,
        submitted_by: r.10,
    })
}

fn jurisdiction_of(
    scope: &str,
    prefecture: Option<String>,
    municipalities: Vec<String>,
) -> Result<Jurisdiction> {
    let p = || {
        prefecture
            .clone()
            .ok_or(StoreError::Corrupt("prefecture".into()))
    };
    Ok(match scope {
        "national" => Jurisdiction::National,
        "prefecture" => Jurisdiction::Prefecture { prefecture: p()? },
        "municipalities" => Jurisdiction::Municipalities {
            prefecture: p()?,
            municipalities,
        },
        other => return Err(StoreError::Corrupt(format!("scope {other}"))),
    })
}

impl Store {
    /// Sets where an authority oversees; done by the installation's home organisation, which
    /// registers the authorities (an authority does not choose its own reach).
    pub async fn set_jurisdiction(&self, ctx: &Ctx, org_id: Uuid, j: &Jurisdiction) -> Result<()> {
        write_tx!(&self.db, |tx| {
            sqlx::query("DELETE FROM jurisdiction_municipalities WHERE org_id = $1")
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO jurisdictions (org_id, scope, prefecture, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id) DO UPDATE SET scope = excluded.scope, prefecture = excluded.prefecture, \
                 updated_at = excluded.updated_at",
            )
            .bind(org_id)
            .bind(j.scope())
            .bind(j.prefecture())
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?;
            for m in j.municipalities() {
                sqlx::query(
                    "INSERT INTO jurisdiction_municipalities (org_id, municipality) VALUES ($1, $2) \
                     ON CONFLICT (org_id, municipality) DO NOTHING",
                )
                .bind(org_id)
                .bind(m)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                self,
                tx,
                ctx.event_on(
                    org_id,
                    "jurisdiction.set",
                    "organisation",
                    org_id,
                    serde_json::to_value(j).unwrap_or_default()
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// Every authority with a jurisdiction, by name.
    pub async fn authorities(&self) -> Result<Vec<Authority>> {
        let rows: Vec<(Uuid, String, String, Option<String>)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT o.id, o.name, j.scope, j.prefecture FROM jurisdictions j \
                 JOIN organisations o ON o.id = j.org_id ORDER BY o.name, o.id",
            )
            .fetch_all(p)
            .await?
        });
        let places: Vec<(Uuid, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT org_id, municipality FROM jurisdiction_municipalities ORDER BY municipality",
            )
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(org_id, name, scope, prefecture)| {
                let mine = places
                    .iter()
                    .filter(|(o, _)| *o == org_id)
                    .map(|(_, m)| m.clone())
                    .collect();
                Ok(Authority {
                    org_id,
                    name,
                    jurisdiction: jurisdiction_of(&scope, prefecture, mine)?,
                })
            })
            .collect()
    }

    /// An organisation's jurisdiction, if it has one.
    pub async fn jurisdiction(&self, org_id: Uuid) -> Result<Option<Jurisdiction>> {
        let row: Option<(String, Option<String>)> = on_db!(&self.db, |p| {
            sqlx::query_as("SELECT scope, prefecture FROM jurisdictions WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(p)
                .await?
        });
        let Some((scope, prefecture)) = row else {
            return Ok(None);
        };
        let places: Vec<(String,)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT municipality FROM jurisdiction_municipalities WHERE org_id = $1 ORDER BY municipality",
            )
            .bind(org_id)
            .fetch_all(p)
            .await?
        });
        jurisdiction_of(
            &scope,
            prefecture,
            places.into_iter().map(|(m,)| m).collect(),
        )
        .map(Some)
    }

    /// Replaces the context's organisation's roster with these entries, all or nothing; how many.
    pub async fn replace_roster(&self, ctx: &Ctx, entries: &[RosterEntry]) -> Result<usize> {
        write_tx!(&self.db, |tx| {
            sqlx::query("DELETE FROM roster_entries WHERE authority_id = $1")
                .bind(ctx.org_id)
                .execute(&mut *tx)
                .await?;
            for e in entries {
                sqlx::query(
                    "INSERT INTO roster_entries (authority_id, code, name, institution_type, beds, prefecture, municipality, email) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(ctx.org_id)
                .bind(&e.code)
                .bind(&e.name)
                .bind(e.institution_type.code())
                .bind(e.beds.map(i64::from))
                .bind(&e.prefecture)
                .bind(&e.municipality)
                .bind(&e.email)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique(e, "roster code"))?;
            }
            append_audit!(
                self,
                tx,
                ctx.event(
                    "roster.replace",
                    "organisation",
                    ctx.org_id,
                    json!({"entries": entries.len()})
                ),
                ctx.now
            );
        });
        Ok(entries.len())
    }

    /// An authority's roster, by municipality and code.
    pub async fn roster(&self, authority_id: Uuid) -> Result<Vec<RosterEntry>> {
        type Row = (String, String, String, Option<i64>, String, String, String);
        let rows: Vec<Row> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT code, name, institution_type, beds, prefecture, municipality, email \
                 FROM roster_entries WHERE authority_id = $1 ORDER BY municipality, code",
            )
            .bind(authority_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(
                |(code, name, kind, beds, prefecture, municipality, email)| {
                    Ok(RosterEntry {
                        code,
                        name,
                        institution_type: InstitutionType::from_code(&kind).ok_or_else(|| {
                            StoreError::Corrupt(format!("institution type {kind}"))
                        })?,
                        beds: beds.and_then(|b| u32::try_from(b).ok()),
                        prefecture,
                        municipality,
                        email,
                    })
                },
            )
            .collect()
    }

    /// Keeps a snapshot the context's institution submits to an authority, as the next version
    /// of its fiscal year there; earlier versions are never changed.
    pub async fn submit_checklist(
        &self,
        ctx: &Ctx,
        authority_id: Uuid,
        snapshot: &ChecklistSnapshot,
    ) -> Result<Submission> {
        let id = Uuid::new_v4();
        let body =
            serde_json::to_string(snapshot).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let digest = snapshot.digest();
        let prefecture = snapshot
            .institution_code
            .get(..2)
            .unwrap_or_default()
            .to_string();
        let version = write_tx!(&self.db, |tx| {
            let (last,): (Option<i64>,) = sqlx::query_as(
                "SELECT MAX(version) FROM checklist_submissions \
                 WHERE org_id = $1 AND authority_id = $2 AND fiscal_year = $3",
            )
            .bind(ctx.org_id)
            .bind(authority_id)
            .bind(i64::from(snapshot.fiscal_year))
            .fetch_one(&mut *tx)
            .await?;
            let version = last.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO checklist_submissions (id, org_id, authority_id, fiscal_year, version, institution_code, \
                 prefecture, municipality, snapshot, digest, submitted_at, submitted_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(authority_id)
            .bind(i64::from(snapshot.fiscal_year))
            .bind(version)
            .bind(&snapshot.institution_code)
            .bind(&prefecture)
            .bind(&snapshot.municipality)
            .bind(&body)
            .bind(&digest)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "checklist.submit",
                    "checklist_submission",
                    id,
                    json!({"authority": authority_id, "fiscal_year": snapshot.fiscal_year,
                        "version": version, "digest": digest})
                ),
                ctx.now
            );
            version
        });
        Ok(Submission {
            id,
            org_id: ctx.org_id,
            authority_id,
            fiscal_year: snapshot.fiscal_year,
            version,
            prefecture,
            municipality: snapshot.municipality.clone(),
            snapshot: snapshot.clone(),
            digest,
            submitted_at: ctx.now,
            submitted_by: ctx.actor_label.clone(),
        })
    }

    /// An institution's own submissions, newest first.
    pub async fn own_submissions(&self, org_id: Uuid) -> Result<Vec<Submission>> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM checklist_submissions s WHERE s.org_id = $1 \
             ORDER BY s.submitted_at DESC, s.version DESC"
        );
        let rows: Vec<SubmissionRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(submission).collect()
    }

    /// Every version of every submission of a fiscal year that an authority may read, by
    /// institution code and version.
    pub async fn submissions_in_scope(
        &self,
        reader_org: Uuid,
        fiscal_year: i32,
    ) -> Result<Vec<Submission>> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM checklist_submissions s \
             WHERE s.fiscal_year = $2 AND {IN_SCOPE} ORDER BY s.institution_code, s.org_id, s.version"
        );
        let rows: Vec<SubmissionRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(reader_org)
        .bind(i64::from(fiscal_year))
        .fetch_all(p)
        .await?);
        rows.into_iter().map(submission).collect()
    }

    /// The latest submission of an institution (by code) that an authority may read, of any
    /// fiscal year.
    pub async fn latest_submission_in_scope(
        &self,
        reader_org: Uuid,
        institution_code: &str,
    ) -> Result<Option<Submission>> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM checklist_submissions s \
             WHERE s.institution_code = $2 AND {IN_SCOPE} \
             ORDER BY s.fiscal_year DESC, s.submitted_at DESC, s.version DESC LIMIT 1"
        );
        let row: Option<SubmissionRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(reader_org)
        .bind(institution_code)
        .fetch_optional(p)
        .await?);
        row.map(submission).transpose()
    }

    /// The newest fiscal year of any submission an authority may read.
    pub async fn latest_fiscal_year_in_scope(&self, reader_org: Uuid) -> Result<Option<i32>> {
        let sql =
            format!("SELECT MAX(s.fiscal_year) FROM checklist_submissions s WHERE {IN_SCOPE}");
        let (fy,): (Option<i64>,) = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(reader_org)
        .fetch_one(p)
        .await?);
        Ok(fy.and_then(|y| i32::try_from(y).ok()))
    }

    /// One submission, for the institution that made it or an authority that may read it; not
    /// found for anyone else.
    pub async fn submission(&self, reader_org: Uuid, id: Uuid) -> Result<Submission> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM checklist_submissions s \
             WHERE s.id = $2 AND (s.org_id = $1 OR {IN_SCOPE})"
        );
        let row: Option<SubmissionRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(reader_org)
        .bind(id)
        .fetch_optional(p)
        .await?);
        submission(row.ok_or(StoreError::NotFound)?)
    }
}
