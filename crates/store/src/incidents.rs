//! Anomaly reports, their triage, and incidents with their tasks, timeline, duty status and
//! document drafts. Every change to an incident also lands on its timeline and in the audit trail,
//! in the same transaction.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::drafts::DraftKind;
use mamori_domain::incident::{Anomaly, CLOSED, IncidentFacts, ReportStatus, TaskStatus};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A staff member's report of something odd (異常の報告).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyReport {
    /// Its id.
    pub id: Uuid,
    /// Running number within the organisation.
    pub number: i64,
    /// What was reported.
    pub anomaly: Anomaly,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// Who reported it (e-mail).
    pub reported_by: String,
    /// Where triage left it.
    pub status: ReportStatus,
    /// Why it was closed, or a note on the merge.
    pub resolution: String,
    /// The incident it became or joined.
    pub incident_id: Option<Uuid>,
    /// The report it was merged into.
    pub merged_into: Option<Uuid>,
    /// Triaged at and by.
    pub triaged: Option<(DateTime<Utc>, String)>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: Uuid,
    number: i64,
    what: String,
    place: String,
    device: String,
    noticed_at: DateTime<Utc>,
    reported_at: DateTime<Utc>,
    reported_by: String,
    status: String,
    resolution: String,
    incident_id: Option<Uuid>,
    merged_into: Option<Uuid>,
    triaged_at: Option<DateTime<Utc>>,
    triaged_by: Option<String>,
}

impl TryFrom<ReportRow> for AnomalyReport {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> std::result::Result<Self, StoreError> {
        Ok(AnomalyReport {
            id: r.id,
            number: r.number,
            anomaly: Anomaly {
                what: r.what,
                place: r.place,
                noticed_at: r.noticed_at,
                device: r.device,
            },
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            status: ReportStatus::from_code(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("report status {}", r.status)))?,
            resolution: r.resolution,
            incident_id: r.incident_id,
            merged_into: r.merged_into,
            triaged: r.triaged_at.zip(r.triaged_by),
        })
    }
}

const REPORT_COLUMNS: &str = "id, number, what, place, device, noticed_at, reported_at, reported_by, status, resolution, incident_id, merged_into, triaged_at, triaged_by";

/// An incident (インシデント).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Its id.
    pub id: Uuid,
    /// Running number within the organisation.
    pub number: i64,
    /// What is recorded about it.
    pub facts: IncidentFacts,
    /// The current phase (catalog id) or `closed`.
    pub phase: String,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Opened by.
    pub created_by: String,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Incident {
    /// Whether it is still being handled.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct IncidentRow {
    id: Uuid,
    number: i64,
    facts: String,
    phase: String,
    created_at: DateTime<Utc>,
    created_by: String,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

impl TryFrom<IncidentRow> for Incident {
    type Error = StoreError;
    fn try_from(r: IncidentRow) -> std::result::Result<Self, StoreError> {
        Ok(Incident {
            id: r.id,
            number: r.number,
            facts: serde_json::from_str(&r.facts)
                .map_err(|e| StoreError::Corrupt(format!("incident facts: {e}")))?,
            phase: r.phase,
            created_at: r.created_at,
            created_by: r.created_by,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
        })
    }
}

const INCIDENT_COLUMNS: &str =
    "id, number, facts, phase, created_at, created_by, updated_at, closed_at";

/// The status of one catalog task in one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    /// The catalog task.
    pub task_id: String,
    /// Its status.
    pub status: TaskStatus,
    /// A note.
    pub note: String,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
    /// Changed by.
    pub updated_by: String,
}

/// One entry of an incident's timeline (時系列記録).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TimelineEntry {
    /// Position, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What kind of entry (`note`, `decision`, `opened`, `facts`, `phase`, `task`, `duty`, …).
    pub kind: String,
    /// The words of the entry.
    pub text: String,
    /// Structured detail (JSON).
    pub detail: String,
}

/// A duty recorded as done (済).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DutyRecord {
    /// The duty's key, e.g. `ppc.sokuho`.
    pub duty: String,
    /// The day it was sent.
    pub sent_on: NaiveDate,
    /// To whom (desk, person).
    pub sent_to: String,
    /// Recorded at.
    pub recorded_at: DateTime<Utc>,
    /// Recorded by.
    pub recorded_by: String,
}

/// One saved version of a document draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentVersion {
    /// From 1.
    pub version: i64,
    /// The fields.
    pub fields: BTreeMap<String, String>,
    /// Saved at.
    pub saved_at: DateTime<Utc>,
    /// Saved by.
    pub saved_by: String,
}

/// Where a report is merged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeTarget {
    /// Into another open report (the same event reported twice).
    Report(Uuid),
    /// Into an incident already opened.
    Incident(Uuid),
}

/// Appends a timeline entry and its audit event inside the caller's transaction.
macro_rules! timeline {
    ($store:expr, $tx:ident, $ctx:expr, $incident:expr, $kind:expr, $text:expr, $detail:expr) => {{
        let (next,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM incident_timeline WHERE incident_id = $1",
        )
        .bind($incident)
        .fetch_one(&mut *$tx)
        .await?;
        let detail: Value = $detail;
        sqlx::query(
            "INSERT INTO incident_timeline (seq, incident_id, at, actor, kind, text, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(next)
        .bind($incident)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .bind($kind)
        .bind($text)
        .bind(detail.to_string())
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
            .bind($ctx.now)
            .bind($incident)
            .execute(&mut *$tx)
            .await?;
        append_audit!(
            $store,
            $tx,
            $ctx.event(
                &format!("incident.{}", $kind),
                "incident",
                $incident,
                json!({"text": $text, "detail": detail})
            ),
            $ctx.now
        );
    }};
}

/// The next running number of a table within an organisation.
macro_rules! next_number {
    ($tx:ident, $table:literal, $org:expr) => {{
        let (n,): (i64,) = sqlx::query_as(concat!(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM ",
            $table,
            " WHERE org_id = $1"
        ))
        .bind($org)
        .fetch_one(&mut *$tx)
        .await?;
        n
    }};
}

/// Sets a report's triage outcome and audits it, inside the caller's transaction.
macro_rules! mark_report {
    ($store:expr, $tx:ident, $ctx:expr, $report:expr, $status:literal, $resolution:expr, $incident:expr, $merged:expr) => {{
        sqlx::query(
            "UPDATE anomaly_reports SET status = $1, resolution = $2, incident_id = $3, merged_into = $4, \
             triaged_at = $5, triaged_by = $6 WHERE org_id = $7 AND id = $8",
        )
        .bind($status)
        .bind($resolution)
        .bind($incident)
        .bind($merged)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .bind($ctx.org_id)
        .bind($report)
        .execute(&mut *$tx)
        .await?;
        append_audit!(
            $store,
            $tx,
            $ctx.event(
                concat!("anomaly.", $status),
                "anomaly_report",
                $report,
                json!({"resolution": $resolution, "incident": $incident, "merged_into": $merged})
            ),
            $ctx.now
        );
    }};
}

fn facts_json(f: &IncidentFacts) -> Result<String> {
    serde_json::to_string(f).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Records a staff member's anomaly report.
    pub async fn report_anomaly(&self, ctx: &Ctx, a: &Anomaly) -> Result<AnomalyReport> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            let number = next_number!(tx, "anomaly_reports", ctx.org_id);
            sqlx::query(
                "INSERT INTO anomaly_reports (id, org_id, number, what, place, device, noticed_at, reported_at, reported_by, status, resolution) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', '')",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(number)
            .bind(&a.what)
            .bind(&a.place)
            .bind(&a.device)
            .bind(a.noticed_at)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "anomaly.report",
                    "anomaly_report",
                    id,
                    json!({"number": number, "report": a})
                ),
                ctx.now
            );
        });
        self.anomaly_report(ctx.org_id, id).await
    }

    /// One anomaly report of an organisation.
    pub async fn anomaly_report(&self, org_id: Uuid, id: Uuid) -> Result<AnomalyReport> {
        let sql =
            format!("SELECT {REPORT_COLUMNS} FROM anomaly_reports WHERE org_id = $1 AND id = $2");
        let row: Option<ReportRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// An organisation's anomaly reports, newest first: all, or only those awaiting triage.
    pub async fn anomaly_reports(
        &self,
        org_id: Uuid,
        open_only: bool,
    ) -> Result<Vec<AnomalyReport>> {
        let filter = if open_only {
            " AND status = 'open'"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM anomaly_reports WHERE org_id = $1{filter} ORDER BY reported_at DESC, number DESC"
        );
        let rows: Vec<ReportRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(AnomalyReport::try_from).collect()
    }

    /// How many reports await triage.
    pub async fn open_report_count(&self, org_id: Uuid) -> Result<i64> {
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT COUNT(*) FROM anomaly_reports WHERE org_id = $1 AND status = 'open'"
        )
        .bind(org_id)
        .fetch_one(p)
        .await?);
        Ok(n)
    }

    /// The reports one person made, newest first, so a reporter sees what became of them.
    pub async fn anomaly_reports_by(
        &self,
        org_id: Uuid,
        reporter: &str,
    ) -> Result<Vec<AnomalyReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM anomaly_reports WHERE org_id = $1 AND reported_by = $2 ORDER BY reported_at DESC, number DESC"
        );
        let rows: Vec<ReportRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(reporter)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(AnomalyReport::try_from).collect()
    }

    /// The reports attached to an incident (the one it grew from and any merged in).
    pub async fn incident_reports(
        &self,
        org_id: Uuid,
        incident_id: Uuid,
    ) -> Result<Vec<AnomalyReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM anomaly_reports WHERE org_id = $1 AND incident_id = $2 ORDER BY number"
        );
        let rows: Vec<ReportRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(incident_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(AnomalyReport::try_from).collect()
    }

    /// Opens an incident from an open report, in its first phase.
    pub async fn open_incident(
        &self,
        ctx: &Ctx,
        report_id: Option<Uuid>,
        facts: &IncidentFacts,
        first_phase: &str,
    ) -> Result<Incident> {
        if let Some(r) = report_id {
            self.open_report(ctx.org_id, r).await?;
        }
        let id = Uuid::new_v4();
        let stored = facts_json(facts)?;
        write_tx!(&self.db, |tx| {
            let number = next_number!(tx, "incidents", ctx.org_id);
            sqlx::query(
                "INSERT INTO incidents (id, org_id, number, facts, phase, training, created_at, created_by, updated_at, closed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, NULL)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(number)
            .bind(&stored)
            .bind(first_phase)
            .bind(facts.training)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            if let Some(r) = report_id {
                mark_report!(self, tx, ctx, r, "incident", "", Some(id), None::<Uuid>);
            }
            timeline!(
                self,
                tx,
                ctx,
                id,
                "opened",
                &facts.title,
                json!({"facts": facts, "report": report_id})
            );
        });
        self.incident(ctx.org_id, id).await
    }

    /// Closes an open report with the reason (e.g. "printer out of paper").
    pub async fn close_report(&self, ctx: &Ctx, report_id: Uuid, reason: &str) -> Result<()> {
        self.open_report(ctx.org_id, report_id).await?;
        write_tx!(&self.db, |tx| {
            mark_report!(
                self,
                tx,
                ctx,
                report_id,
                "closed",
                reason,
                None::<Uuid>,
                None::<Uuid>
            );
        });
        Ok(())
    }

    /// Merges an open report into another report or into an incident.
    pub async fn merge_report(
        &self,
        ctx: &Ctx,
        report_id: Uuid,
        into: MergeTarget,
        note: &str,
    ) -> Result<()> {
        self.open_report(ctx.org_id, report_id).await?;
        match into {
            MergeTarget::Report(other) => {
                if other == report_id {
                    return Err(StoreError::Conflict("merge into itself"));
                }
                self.anomaly_report(ctx.org_id, other).await?;
                write_tx!(&self.db, |tx| {
                    mark_report!(
                        self,
                        tx,
                        ctx,
                        report_id,
                        "merged",
                        note,
                        None::<Uuid>,
                        Some(other)
                    );
                });
            }
            MergeTarget::Incident(incident) => {
                self.incident(ctx.org_id, incident).await?;
                let r = self.anomaly_report(ctx.org_id, report_id).await?;
                write_tx!(&self.db, |tx| {
                    mark_report!(
                        self,
                        tx,
                        ctx,
                        report_id,
                        "incident",
                        note,
                        Some(incident),
                        None::<Uuid>
                    );
                    timeline!(
                        self,
                        tx,
                        ctx,
                        incident,
                        "report_merged",
                        &r.anomaly.what,
                        json!({"report": r.number})
                    );
                });
            }
        }
        Ok(())
    }

    async fn open_report(&self, org_id: Uuid, id: Uuid) -> Result<AnomalyReport> {
        let r = self.anomaly_report(org_id, id).await?;
        if r.status != ReportStatus::Open {
            return Err(StoreError::Conflict("report already triaged"));
        }
        Ok(r)
    }

    /// One incident of an organisation.
    pub async fn incident(&self, org_id: Uuid, id: Uuid) -> Result<Incident> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND id = $2");
        let row: Option<IncidentRow> =
            on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(org_id)
                .bind(id)
                .fetch_optional(p)
                .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// An organisation's incidents, open ones first, newest first.
    pub async fn incidents(&self, org_id: Uuid) -> Result<Vec<Incident>> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 \
             ORDER BY CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END, created_at DESC"
        );
        let rows: Vec<IncidentRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(Incident::try_from).collect()
    }

    /// Changes an incident's facts; the reason and what it did to the duties go on the timeline.
    pub async fn update_incident_facts(
        &self,
        ctx: &Ctx,
        id: Uuid,
        facts: &IncidentFacts,
        reason: &str,
        duty_change: Value,
    ) -> Result<()> {
        let before = self.incident(ctx.org_id, id).await?;
        let stored = facts_json(facts)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "UPDATE incidents SET facts = $1, training = $2 WHERE org_id = $3 AND id = $4",
            )
            .bind(&stored)
            .bind(facts.training)
            .bind(ctx.org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            timeline!(
                self,
                tx,
                ctx,
                id,
                "facts",
                reason,
                json!({"before": before.facts, "after": facts, "duties": duty_change})
            );
        });
        Ok(())
    }

    /// Moves an incident to a phase, or closes it (`closed`).
    pub async fn set_incident_phase(&self, ctx: &Ctx, id: Uuid, phase: &str) -> Result<()> {
        let before = self.incident(ctx.org_id, id).await?;
        let closed_at = (phase == CLOSED).then_some(ctx.now);
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "UPDATE incidents SET phase = $1, closed_at = $2 WHERE org_id = $3 AND id = $4",
            )
            .bind(phase)
            .bind(closed_at)
            .bind(ctx.org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            timeline!(
                self,
                tx,
                ctx,
                id,
                "phase",
                phase,
                json!({"from": before.phase, "to": phase})
            );
        });
        Ok(())
    }

    /// Records the status of a catalog task in an incident.
    pub async fn set_incident_task(
        &self,
        ctx: &Ctx,
        id: Uuid,
        task_id: &str,
        status: TaskStatus,
        note: &str,
    ) -> Result<()> {
        self.incident(ctx.org_id, id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO incident_tasks (incident_id, task_id, status, note, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, task_id) \
                 DO UPDATE SET status = $3, note = $4, updated_at = $5, updated_by = $6",
            )
            .bind(id)
            .bind(task_id)
            .bind(status.code())
            .bind(note)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            timeline!(
                self,
                tx,
                ctx,
                id,
                "task",
                note,
                json!({"task": task_id, "status": status.code()})
            );
        });
        Ok(())
    }

    /// The recorded task statuses of an incident.
    pub async fn incident_tasks(&self, org_id: Uuid, id: Uuid) -> Result<Vec<TaskState>> {
        self.incident(org_id, id).await?;
        let rows: Vec<(String, String, String, DateTime<Utc>, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT task_id, status, note, updated_at, updated_by FROM incident_tasks WHERE incident_id = $1 ORDER BY task_id",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(task_id, status, note, updated_at, updated_by)| {
                Ok(TaskState {
                    status: TaskStatus::from_code(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("task status {status}")))?,
                    task_id,
                    note,
                    updated_at,
                    updated_by,
                })
            })
            .collect()
    }

    /// Adds a note or decision to the timeline (corrections are new entries, never edits).
    pub async fn add_timeline_entry(
        &self,
        ctx: &Ctx,
        id: Uuid,
        kind: &str,
        text: &str,
    ) -> Result<()> {
        self.incident(ctx.org_id, id).await?;
        write_tx!(&self.db, |tx| {
            timeline!(self, tx, ctx, id, kind, text, json!({}));
        });
        Ok(())
    }

    /// An incident's timeline, oldest first.
    pub async fn incident_timeline(&self, org_id: Uuid, id: Uuid) -> Result<Vec<TimelineEntry>> {
        self.incident(org_id, id).await?;
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT seq, at, actor, kind, text, detail FROM incident_timeline WHERE incident_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(p)
        .await?
        }))
    }

    /// Records a duty as done (済): on which day, to whom.
    pub async fn record_duty_sent(
        &self,
        ctx: &Ctx,
        id: Uuid,
        duty: &str,
        sent_on: NaiveDate,
        sent_to: &str,
    ) -> Result<()> {
        self.incident(ctx.org_id, id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO incident_duties (incident_id, duty, sent_on, sent_to, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, duty) \
                 DO UPDATE SET sent_on = $3, sent_to = $4, recorded_at = $5, recorded_by = $6",
            )
            .bind(id)
            .bind(duty)
            .bind(sent_on)
            .bind(sent_to)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            timeline!(
                self,
                tx,
                ctx,
                id,
                "duty",
                sent_to,
                json!({"duty": duty, "sent_on": sent_on})
            );
        });
        Ok(())
    }

    /// The duties recorded as done for an incident.
    pub async fn duty_records(&self, org_id: Uuid, id: Uuid) -> Result<Vec<DutyRecord>> {
        self.incident(org_id, id).await?;
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT duty, sent_on, sent_to, recorded_at, recorded_by FROM incident_duties WHERE incident_id = $1 ORDER BY duty"
        )
        .bind(id)
        .fetch_all(p)
        .await?
        }))
    }

    /// The duties recorded as done for every incident of the organisation, by incident, in one
    /// query: what lists of incidents show without a query each.
    pub async fn duty_records_by_incident(
        &self,
        org_id: Uuid,
    ) -> Result<std::collections::HashMap<Uuid, Vec<DutyRecord>>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            incident_id: Uuid,
            #[sqlx(flatten)]
            record: DutyRecord,
        }
        let rows: Vec<Row> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT d.incident_id, d.duty, d.sent_on, d.sent_to, d.recorded_at, d.recorded_by \
                 FROM incident_duties d JOIN incidents i ON i.id = d.incident_id \
                 WHERE i.org_id = $1 ORDER BY d.incident_id, d.duty",
            )
            .bind(org_id)
            .fetch_all(p)
            .await?
        });
        let mut out: std::collections::HashMap<Uuid, Vec<DutyRecord>> = Default::default();
        for r in rows {
            out.entry(r.incident_id).or_default().push(r.record);
        }
        Ok(out)
    }

    /// Saves a new version of a document draft and returns its number.
    pub async fn save_document(
        &self,
        ctx: &Ctx,
        id: Uuid,
        kind: DraftKind,
        fields: &BTreeMap<String, String>,
    ) -> Result<i64> {
        self.incident(ctx.org_id, id).await?;
        let stored =
            serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let version = write_tx!(&self.db, |tx| {
            let (v,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM incident_documents WHERE incident_id = $1 AND kind = $2",
            )
            .bind(id)
            .bind(kind.code())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO incident_documents (incident_id, kind, version, fields, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(kind.code())
            .bind(v)
            .bind(&stored)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            timeline!(
                self,
                tx,
                ctx,
                id,
                "document",
                kind.code(),
                json!({"kind": kind.code(), "version": v})
            );
            v
        });
        Ok(version)
    }

    /// The saved versions of a document of an incident, newest first.
    pub async fn document_versions(
        &self,
        org_id: Uuid,
        id: Uuid,
        kind: DraftKind,
    ) -> Result<Vec<DocumentVersion>> {
        self.incident(org_id, id).await?;
        let rows: Vec<(i64, String, DateTime<Utc>, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT version, fields, saved_at, saved_by FROM incident_documents WHERE incident_id = $1 AND kind = $2 ORDER BY version DESC"
        )
        .bind(id)
        .bind(kind.code())
        .fetch_all(p)
        .await?
        });
        rows.into_iter()
            .map(|(version, fields, saved_at, saved_by)| {
                Ok(DocumentVersion {
                    version,
                    fields: serde_json::from_str(&fields)
                        .map_err(|e| StoreError::Corrupt(format!("document fields: {e}")))?,
                    saved_at,
                    saved_by,
                })
            })
            .collect()
    }
}
