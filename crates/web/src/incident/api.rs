//! Incident response's part of the JSON API: reports and triage, incidents with their facts,
//! phase, tasks, duties, timeline and documents, the contact chart and the recovery procedures.
//! Every operation calls the same service as the pages, with the same rules and errors.

use super::service::{self, DutyRow, kind_of};
use crate::core::api::{ErrorOut, JsonBody, created, no_content};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::table::Upload;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::duties::Involvement;
use mamori_domain::incident::{AnomalyDraft, IncidentDraft};
use mamori_domain::preparedness::{Contact, RecoveryProcedure};
use mamori_store::{AnomalyReport, Incident, StoredContact, StoredProcedure, TimelineEntry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// ---- reports -------------------------------------------------------------------------------

/// What a staff member noticed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AnomalyIn {
    /// What happened, in the reporter's words (required, at most 4,000 characters).
    #[schema(
        example = "電子カルテの画面に英語の脅迫文が表示された",
        min_length = 1,
        max_length = 4000
    )]
    what: String,
    /// Where (ward, room, department).
    place: String,
    /// When it was noticed, Japan time (`YYYY-MM-DDTHH:MM`); empty means now.
    noticed_at: String,
    /// Which device or system.
    device: String,
}

/// An anomaly report and what triage made of it.
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    id: Uuid,
    /// Its number in the organisation.
    number: i64,
    what: String,
    place: String,
    device: String,
    noticed_at: DateTime<Utc>,
    reported_at: DateTime<Utc>,
    reported_by: String,
    /// `open`, `incident`, `closed` or `merged`.
    status: String,
    /// Why it was closed, or the merge note.
    resolution: String,
    /// The incident it became or was merged into.
    incident_id: Option<Uuid>,
    /// The report it was merged into.
    merged_into: Option<Uuid>,
}

impl From<AnomalyReport> for ReportOut {
    fn from(r: AnomalyReport) -> Self {
        ReportOut {
            id: r.id,
            number: r.number,
            what: r.anomaly.what,
            place: r.anomaly.place,
            device: r.anomaly.device,
            noticed_at: r.anomaly.noticed_at,
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            status: r.status.code().into(),
            resolution: r.resolution,
            incident_id: r.incident_id,
            merged_into: r.merged_into,
        }
    }
}

/// Reports an anomaly (every staff member may).
#[utoipa::path(post, path = "/api/v1/reports", tag = "incidents", request_body = AnomalyIn,
    responses((status = 201, body = ReportOut), (status = 401, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["report_anomalies"])))]
pub async fn report(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<AnomalyIn>,
) -> Result<Response, AppError> {
    let draft = AnomalyDraft {
        what: b.what,
        place: b.place,
        noticed_at: b.noticed_at,
        device: b.device,
    };
    Ok(created(ReportOut::from(
        service::report(&state, &c, &draft).await?,
    )))
}

/// Which reports to list.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReportsQuery {
    /// Only those awaiting triage.
    open: bool,
}

/// The organisation's anomaly reports, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "incidents", params(ReportsQuery),
    responses((status = 200, body = Vec<ReportOut>), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn reports(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<ReportsQuery>,
) -> Result<Json<Vec<ReportOut>>, AppError> {
    Ok(Json(
        service::reports(&state, &c, q.open)
            .await?
            .into_iter()
            .map(ReportOut::from)
            .collect(),
    ))
}

/// One anomaly report.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "incidents", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn report_one(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<ReportOut>, AppError> {
    Ok(Json(service::report_of(&state, &c, id).await?.into()))
}

/// The facts of an incident: what it is and what decides the reporting duties.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct FactsIn {
    /// A short title (required, at most 200 characters).
    #[schema(
        example = "電子カルテのランサムウェア感染",
        min_length = 1,
        max_length = 200
    )]
    title: String,
    /// `ransomware`, `malware`, `unauthorised_access`, `lost_device`, `insider_misuse`, `vendor_side`, `system_failure` or `other`.
    #[schema(example = "ransomware")]
    kind: String,
    /// `low`, `medium`, `high` or `critical`.
    #[schema(example = "high")]
    severity: String,
    /// Affected systems, one per line.
    systems: String,
    /// Affected sites and departments.
    sites: String,
    /// Care is disrupted.
    care_disrupted: bool,
    /// How care continues (紙運用・参照のみ等).
    care_decision: String,
    /// When the institution became aware, Japan time (`YYYY-MM-DDTHH:MM`).
    #[schema(example = "2026-05-01T09:30")]
    aware_at: String,
    /// A cyber attack, also suspected.
    cyber_attack: bool,
    /// A malicious purpose suspected (不正の目的).
    malicious: bool,
    /// A crime suspected.
    crime: bool,
    /// Personal data involved: `yes`, `possible` or `no`.
    #[schema(example = "no")]
    personal_data: String,
    /// How many people (at most 200,000,000).
    #[schema(maximum = 200_000_000)]
    pd_count: u64,
    /// 要配慮個人情報 (medical data is).
    pd_sensitive: bool,
    /// Risk of financial damage.
    pd_financial_risk: bool,
    /// Protected by high-grade encryption.
    pd_highly_encrypted: bool,
    /// The encryption key leaked too (the encryption no longer exempts).
    pd_key_leaked: bool,
    /// A vendor (委託先) handled the data.
    pd_vendor_handled: bool,
    /// Who runs the institution: `private` (default), `public_medical` (a local government's or
    /// public corporation's hospital or clinic: APPI art. 26 through art. 58) or `administrative`
    /// (an administrative organ: art. 68).
    #[schema(example = "private")]
    operator: String,
    /// A tabletop exercise (訓練).
    training: bool,
    /// Why the facts change (required when changing them).
    reason: String,
}

fn on(b: bool) -> String {
    if b { "on".into() } else { String::new() }
}

impl FactsIn {
    fn draft(self) -> IncidentDraft {
        IncidentDraft {
            title: self.title,
            kind: self.kind,
            severity: self.severity,
            systems: self.systems,
            sites: self.sites,
            care_disrupted: on(self.care_disrupted),
            care_decision: self.care_decision,
            aware_at: self.aware_at,
            cyber_attack: on(self.cyber_attack),
            malicious: on(self.malicious),
            crime: on(self.crime),
            personal_data: self.personal_data,
            pd_count: self.pd_count.to_string(),
            pd_sensitive: on(self.pd_sensitive),
            pd_financial_risk: on(self.pd_financial_risk),
            pd_highly_encrypted: on(self.pd_highly_encrypted),
            pd_key_leaked: on(self.pd_key_leaked),
            pd_vendor_handled: on(self.pd_vendor_handled),
            operator: self.operator,
            training: on(self.training),
            reason: self.reason,
        }
    }
}

/// Triage: the report becomes an incident with these facts.
#[utoipa::path(post, path = "/api/v1/reports/{id}/incident", tag = "incidents", params(("id" = Uuid, Path)), request_body = FactsIn,
    responses((status = 201, body = IncidentDetail), (status = 404, body = ErrorOut), (status = 409, body = ErrorOut, description = "The report was triaged already."), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn triage_incident(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<FactsIn>,
) -> Result<Response, AppError> {
    let i = service::to_incident(&state, &c, id, &b.draft()).await?;
    Ok(created(detail(&state, &c, i).await?))
}

/// Why a report is closed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CloseIn {
    /// The reason (required, at most 2,000 characters).
    #[schema(
        example = "利用者の操作ミスで、異常はなかった",
        min_length = 1,
        max_length = 2000
    )]
    reason: String,
}

/// Triage: nothing to act on; the report is closed with the reason.
#[utoipa::path(post, path = "/api/v1/reports/{id}/close", tag = "incidents", params(("id" = Uuid, Path)), request_body = CloseIn,
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorOut), (status = 409, body = ErrorOut, description = "The report was triaged already."), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn close_report(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<CloseIn>,
) -> Result<Json<ReportOut>, AppError> {
    service::close_report(&state, &c, id, &b.reason).await?;
    Ok(Json(service::report_of(&state, &c, id).await?.into()))
}

/// Where a report goes when merged.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MergeIn {
    /// `incident:<id>` or `report:<id>`.
    #[schema(example = "incident:00000000-0000-0000-0000-000000000000")]
    target: String,
}

/// Triage: the same event reported again; merged into another report or an incident.
#[utoipa::path(post, path = "/api/v1/reports/{id}/merge", tag = "incidents", params(("id" = Uuid, Path)), request_body = MergeIn,
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorOut), (status = 409, body = ErrorOut, description = "The report was triaged already."), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn merge_report(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<MergeIn>,
) -> Result<Json<ReportOut>, AppError> {
    service::merge_report(&state, &c, id, &b.target).await?;
    Ok(Json(service::report_of(&state, &c, id).await?.into()))
}

// ---- incidents -----------------------------------------------------------------------------

/// An incident as listed.
#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    id: Uuid,
    /// Its number in the organisation.
    number: i64,
    /// The current phase's catalog id, or `closed`.
    phase: String,
    created_at: DateTime<Utc>,
    created_by: String,
    closed_at: Option<DateTime<Utc>>,
    facts: FactsOut,
}

/// The facts as recorded.
#[derive(Serialize, ToSchema)]
pub struct FactsOut {
    title: String,
    kind: String,
    severity: String,
    systems: String,
    sites: String,
    care_disrupted: bool,
    care_decision: String,
    aware_at: DateTime<Utc>,
    cyber_attack: bool,
    malicious: bool,
    crime: bool,
    /// `yes`, `possible` or `no`.
    personal_data: String,
    pd_count: u64,
    pd_sensitive: bool,
    pd_financial_risk: bool,
    pd_highly_encrypted: bool,
    pd_key_leaked: bool,
    pd_vendor_handled: bool,
    /// `private`, `public_medical` or `administrative`.
    operator: String,
    training: bool,
}

impl From<&Incident> for IncidentOut {
    fn from(i: &Incident) -> Self {
        let f = &i.facts;
        let pd = &f.facts.personal_data;
        IncidentOut {
            id: i.id,
            number: i.number,
            phase: i.phase.clone(),
            created_at: i.created_at,
            created_by: i.created_by.clone(),
            closed_at: i.closed_at,
            facts: FactsOut {
                title: f.title.clone(),
                kind: f.kind.code().into(),
                severity: f.severity.code().into(),
                systems: f.systems.clone(),
                sites: f.sites.clone(),
                care_disrupted: f.facts.care_disrupted,
                care_decision: f.care_decision.clone(),
                aware_at: f.facts.aware_at,
                cyber_attack: f.facts.cyber_attack,
                malicious: f.facts.malicious,
                crime: f.facts.crime,
                personal_data: match pd.involved {
                    Involvement::Yes => "yes",
                    Involvement::Possible => "possible",
                    Involvement::No => "no",
                }
                .into(),
                pd_count: pd.count,
                pd_sensitive: pd.sensitive,
                pd_financial_risk: pd.financial_risk,
                pd_highly_encrypted: pd.highly_encrypted,
                pd_key_leaked: pd.key_leaked,
                pd_vendor_handled: pd.vendor_handled,
                operator: f.facts.operator.code().into(),
                training: f.training,
            },
        }
    }
}

/// A duty the facts give rise to, with its deadline and status.
#[derive(Serialize, ToSchema)]
pub struct DutyOut {
    /// Stable key, e.g. `ppc.sokuho`: the `{duty}` of the operation that marks it sent.
    key: String,
    recipient: String,
    report: String,
    /// `legal`, `administrative` or `recommended`.
    obligation: String,
    /// The rule, in the request's language.
    basis: String,
    /// The day to aim for.
    target: Option<NaiveDate>,
    /// The latest day; none means promptly.
    due: Option<NaiveDate>,
    /// Days to the deadline; negative when past.
    days_left: Option<i64>,
    overdue: bool,
    sent_on: Option<NaiveDate>,
    sent_to: Option<String>,
}

impl From<DutyRow> for DutyOut {
    fn from(d: DutyRow) -> Self {
        DutyOut {
            recipient: d.recipient.into(),
            report: d.report.into(),
            obligation: d.obligation_code.into(),
            basis: d.basis,
            target: d.target,
            due: d.due,
            days_left: d.days_left,
            overdue: d.overdue,
            sent_on: d.sent.as_ref().map(|s| s.sent_on),
            sent_to: d.sent.map(|s| s.sent_to),
            key: d.key,
        }
    }
}

/// A catalog task's status in the incident.
#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    /// Catalog id: the `{task}` of the operation that sets it.
    task: String,
    /// `todo`, `doing`, `done` or `na`.
    status: String,
    note: String,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

/// A timeline entry.
#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    /// `opened`, `report_merged`, `facts`, `phase`, `task`, `duty`, `document`, `note` or `decision`.
    kind: String,
    text: String,
    /// JSON text of the details (the duty change of a facts change, the task, the phase).
    detail: String,
}

impl From<TimelineEntry> for EntryOut {
    fn from(e: TimelineEntry) -> Self {
        EntryOut {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            text: e.text,
            detail: e.detail,
        }
    }
}

/// An incident with its duties, the tasks touched and the timeline.
#[derive(Serialize, ToSchema)]
pub struct IncidentDetail {
    incident: IncidentOut,
    duties: Vec<DutyOut>,
    tasks: Vec<TaskOut>,
    timeline: Vec<EntryOut>,
}

async fn detail(state: &AppState, c: &ApiCaller, i: Incident) -> Result<IncidentDetail, AppError> {
    let duties = service::duties_of(state, c, &i).await?;
    let tasks = service::tasks(state, c, i.id).await?;
    let timeline = service::timeline(state, c, i.id).await?;
    Ok(IncidentDetail {
        incident: IncidentOut::from(&i),
        duties: duties.into_iter().map(DutyOut::from).collect(),
        tasks: tasks
            .into_iter()
            .map(|t| TaskOut {
                task: t.task_id,
                status: t.status.code().into(),
                note: t.note,
                updated_by: t.updated_by,
                updated_at: t.updated_at,
            })
            .collect(),
        timeline: timeline.into_iter().map(EntryOut::from).collect(),
    })
}

/// The organisation's incidents, newest first (exercises included, marked `training`).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    responses((status = 200, body = Vec<IncidentOut>), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn incidents(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<IncidentOut>>, AppError> {
    Ok(Json(
        service::incidents(&state, &c)
            .await?
            .iter()
            .map(IncidentOut::from)
            .collect(),
    ))
}

/// Opens an incident without a report (for example a tabletop exercise).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = FactsIn,
    responses((status = 201, body = IncidentDetail), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn create_incident(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<FactsIn>,
) -> Result<Response, AppError> {
    let i = service::open_incident(&state, &c, &b.draft()).await?;
    Ok(created(detail(&state, &c, i).await?))
}

/// One incident with its duties, tasks and timeline.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = Uuid, Path)),
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn incident(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<IncidentDetail>, AppError> {
    let i = service::incident(&state, &c, id).await?;
    Ok(Json(detail(&state, &c, i).await?))
}

/// Changes the facts (`reason` required); the duties are recomputed and the change to them goes
/// on the timeline.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/facts", tag = "incidents", params(("id" = Uuid, Path)), request_body = FactsIn,
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn put_facts(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<FactsIn>,
) -> Result<Json<IncidentDetail>, AppError> {
    let i = service::update_facts(&state, &c, id, &b.draft()).await?;
    Ok(Json(detail(&state, &c, i).await?))
}

/// The phase to move to.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PhaseIn {
    /// A phase of the catalog (`incident.detect`, `incident.initial`, `incident.recovery`, `incident.post`) or `closed`.
    #[schema(example = "incident.initial")]
    phase: String,
}

/// Moves the incident to a phase, or closes it.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/phase", tag = "incidents", params(("id" = Uuid, Path)), request_body = PhaseIn,
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn put_phase(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<PhaseIn>,
) -> Result<Json<IncidentDetail>, AppError> {
    service::set_phase(&state, &c, id, &b.phase).await?;
    let i = service::incident(&state, &c, id).await?;
    Ok(Json(detail(&state, &c, i).await?))
}

/// A task's status.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TaskIn {
    /// `todo`, `doing`, `done` or `na`.
    #[schema(example = "done")]
    status: String,
    /// A note (at most 2,000 characters).
    note: String,
}

/// Records a catalog task's status in the incident.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/tasks/{task}", tag = "incidents",
    params(("id" = Uuid, Path), ("task" = String, Path, description = "catalog task id")), request_body = TaskIn,
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn put_task(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, task)): Path<(Uuid, String)>,
    JsonBody(b): JsonBody<TaskIn>,
) -> Result<Json<IncidentDetail>, AppError> {
    service::set_task(&state, &c, id, &task, &b.status, &b.note).await?;
    let i = service::incident(&state, &c, id).await?;
    Ok(Json(detail(&state, &c, i).await?))
}

/// When and to whom a duty was done.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DutySentIn {
    /// The day it was sent (`YYYY-MM-DD`, not in the future).
    #[schema(example = "2026-05-02")]
    sent_on: String,
    /// To whom (required, at most 2,000 characters).
    #[schema(
        example = "個人情報保護委員会 (PPC web form)",
        min_length = 1,
        max_length = 2000
    )]
    sent_to: String,
}

/// Records a duty as done (済).
#[utoipa::path(put, path = "/api/v1/incidents/{id}/duties/{duty}", tag = "incidents",
    params(("id" = Uuid, Path), ("duty" = String, Path, description = "the duty's key, e.g. `ppc.sokuho`")), request_body = DutySentIn,
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn put_duty(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, duty)): Path<(Uuid, String)>,
    JsonBody(b): JsonBody<DutySentIn>,
) -> Result<Json<IncidentDetail>, AppError> {
    service::duty_sent(&state, &c, id, &duty, &b.sent_on, &b.sent_to).await?;
    let i = service::incident(&state, &c, id).await?;
    Ok(Json(detail(&state, &c, i).await?))
}

/// The incident's timeline, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/timeline", tag = "incidents", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EntryOut>), (status = 404, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn timeline(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<EntryOut>>, AppError> {
    Ok(Json(
        service::timeline(&state, &c, id)
            .await?
            .into_iter()
            .map(EntryOut::from)
            .collect(),
    ))
}

/// A note or a decision for the timeline.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EntryIn {
    /// `note` or `decision`.
    #[schema(example = "decision")]
    kind: String,
    /// The text (required, at most 4,000 characters).
    #[schema(
        example = "外来診療は紙運用で継続する",
        min_length = 1,
        max_length = 4000
    )]
    text: String,
}

/// Adds a note or a decision to the timeline (append-only); returns the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/timeline", tag = "incidents", params(("id" = Uuid, Path)), request_body = EntryIn,
    responses((status = 201, body = Vec<EntryOut>), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn add_entry(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<EntryIn>,
) -> Result<Response, AppError> {
    service::add_entry(&state, &c, id, &b.kind, &b.text).await?;
    let entries: Vec<EntryOut> = service::timeline(&state, &c, id)
        .await?
        .into_iter()
        .map(EntryOut::from)
        .collect();
    Ok(created(entries))
}

/// A document field with its Japanese label.
#[derive(Serialize, ToSchema)]
pub struct DocumentFieldOut {
    key: String,
    label: String,
    value: String,
}

/// A saved version of a document.
#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    version: i64,
    saved_at: DateTime<Utc>,
    saved_by: String,
}

/// A document of an incident: the version shown (none before the first save, when the fields are
/// the first draft mamori writes from the facts) and every saved version.
#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    /// `mhlw_report`, `ppc_sokuho`, `ppc_kakuho` or `individual_notice`.
    kind: String,
    version: Option<i64>,
    fields: Vec<DocumentFieldOut>,
    versions: Vec<VersionOut>,
}

/// `?version=N`, else the latest.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct VersionQuery {
    /// A saved version.
    version: Option<i64>,
}

async fn document_out(
    state: &AppState,
    c: &ApiCaller,
    id: Uuid,
    code: &str,
    version: Option<i64>,
) -> Result<DocumentOut, AppError> {
    let kind = kind_of(code)?;
    let doc = service::document(state, c, id, kind, version).await?;
    Ok(DocumentOut {
        kind: kind.code().into(),
        version: doc.shown,
        fields: kind
            .fields()
            .iter()
            .map(|f| DocumentFieldOut {
                key: f.key.into(),
                label: f.ja.into(),
                value: doc.values.get(f.key).cloned().unwrap_or_default(),
            })
            .collect(),
        versions: doc
            .versions
            .into_iter()
            .map(|v| VersionOut {
                version: v.version,
                saved_at: v.saved_at,
                saved_by: v.saved_by,
            })
            .collect(),
    })
}

/// A document of the incident at a version, or the latest (or the first draft).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/documents/{kind}", tag = "incidents",
    params(("id" = Uuid, Path), ("kind" = String, Path, description = "`mhlw_report`, `ppc_sokuho`, `ppc_kakuho` or `individual_notice`"), VersionQuery),
    responses((status = 200, body = DocumentOut), (status = 404, body = ErrorOut)),
    security(("token" = ["view_incidents"])))]
pub async fn document(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<DocumentOut>, AppError> {
    Ok(Json(document_out(&state, &c, id, &code, q.version).await?))
}

/// A document's fields to save.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DocumentIn {
    /// Field key → value; unknown keys are dropped.
    fields: BTreeMap<String, String>,
}

/// Saves a document's fields as a new version.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/documents/{kind}", tag = "incidents",
    params(("id" = Uuid, Path), ("kind" = String, Path)), request_body = DocumentIn,
    responses((status = 201, body = DocumentOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["handle_incidents"])))]
pub async fn save_document(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, code)): Path<(Uuid, String)>,
    JsonBody(b): JsonBody<DocumentIn>,
) -> Result<Response, AppError> {
    let kind = kind_of(&code)?;
    let v = service::save_document(&state, &c, id, kind, &b.fields).await?;
    Ok(created(document_out(&state, &c, id, &code, Some(v)).await?))
}

// ---- the contact chart ---------------------------------------------------------------------

/// An entry of the contact chart.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ContactIn {
    /// `internal`, `vendor` or `authority`.
    #[schema(example = "internal")]
    group: String,
    /// The role or desk (required), e.g. 医療情報システム安全管理責任者.
    #[schema(example = "医療情報システム安全管理責任者", min_length = 1)]
    role: String,
    name: String,
    organisation: String,
    /// For vendors: the system they look after.
    system: String,
    phone: String,
    /// A number reachable at any hour.
    phone_24h: String,
    email: String,
    notes: String,
}

impl From<ContactIn> for Contact {
    fn from(c: ContactIn) -> Self {
        Contact {
            group: c.group,
            role: c.role,
            name: c.name,
            organisation: c.organisation,
            system: c.system,
            phone: c.phone,
            phone_24h: c.phone_24h,
            email: c.email,
            notes: c.notes,
        }
    }
}

/// An entry of the contact chart as stored.
#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    id: Uuid,
    #[serde(flatten)]
    contact: ContactIn,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl From<StoredContact> for ContactOut {
    fn from(s: StoredContact) -> Self {
        let c = s.contact;
        ContactOut {
            id: s.id,
            contact: ContactIn {
                group: c.group,
                role: c.role,
                name: c.name,
                organisation: c.organisation,
                system: c.system,
                phone: c.phone,
                phone_24h: c.phone_24h,
                email: c.email,
                notes: c.notes,
            },
            updated_at: s.updated_at,
            updated_by: s.updated_by,
        }
    }
}

/// The contact chart (every token holder may read it).
#[utoipa::path(get, path = "/api/v1/contacts", tag = "preparedness",
    responses((status = 200, body = Vec<ContactOut>), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn contacts(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<ContactOut>>, AppError> {
    Ok(Json(
        service::contacts(&state, &c)
            .await?
            .into_iter()
            .map(ContactOut::from)
            .collect(),
    ))
}

/// Adds an entry to the chart.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "preparedness", request_body = ContactIn,
    responses((status = 201, body = ContactOut), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn add_contact(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<ContactIn>,
) -> Result<Response, AppError> {
    let saved = service::save_contact(&state, &c, None, &b.into()).await?;
    Ok(created(ContactOut::from(saved)))
}

/// One entry of the chart.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "preparedness", params(("id" = Uuid, Path)),
    responses((status = 200, body = ContactOut), (status = 404, body = ErrorOut)), security(("token" = [])))]
pub async fn contact(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<ContactOut>, AppError> {
    Ok(Json(service::contact(&state, &c, id).await?.into()))
}

/// Changes an entry of the chart.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "preparedness", params(("id" = Uuid, Path)), request_body = ContactIn,
    responses((status = 200, body = ContactOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn put_contact(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<ContactIn>,
) -> Result<Json<ContactOut>, AppError> {
    Ok(Json(
        service::save_contact(&state, &c, Some(id), &b.into())
            .await?
            .into(),
    ))
}

/// Removes an entry of the chart.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "preparedness", params(("id" = Uuid, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn remove_contact(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    service::remove_contact(&state, &c, id).await?;
    Ok(no_content())
}

/// How many standard bodies were added.
#[derive(Serialize, ToSchema)]
pub struct AddedOut {
    added: usize,
}

/// Adds the external bodies every chart needs that it does not have yet, numbers to be filled in.
#[utoipa::path(post, path = "/api/v1/contacts/standard", tag = "preparedness",
    responses((status = 200, body = AddedOut), (status = 403, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn add_standard_bodies(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<AddedOut>, AppError> {
    Ok(Json(AddedOut {
        added: service::add_standard_bodies(&state, &c).await?,
    }))
}

/// Adds the contacts of a CSV or XLSX table (multipart `file`): all rows or none; faults come back
/// as fields named by cell. Columns are found by our headers and the names people commonly use;
/// an optional `mapping` part (JSON object, field key → header) says which column fills which
/// field, and is remembered for the next import.
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "preparedness",
    request_body(content_type = "multipart/form-data", description = "a `file` part: CSV (UTF-8 or Shift_JIS) or XLSX, and optionally a `mapping` part"),
    responses((status = 200, body = AddedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn import_contacts(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<AddedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let mapping = crate::core::import::mapping_json(up.field("mapping"))?;
    let (name, bytes) = up.file();
    match service::import_chart(&state, &c, name, bytes, mapping).await? {
        Ok(added) => Ok(Json(AddedOut { added })),
        Err(r) => Err(AppError::Invalid(r.problem())),
    }
}

/// The contact chart as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/contacts/export.csv", tag = "preparedness",
    responses((status = 200, description = "the CSV file", content_type = "text/csv"), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn export_contacts_csv(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, AppError> {
    Ok(service::export_chart(&state, &c, false)
        .await?
        .into_response())
}

/// The contact chart as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/contacts/export.xlsx", tag = "preparedness",
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn export_contacts_xlsx(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, AppError> {
    Ok(service::export_chart(&state, &c, true)
        .await?
        .into_response())
}

// ---- recovery procedures -------------------------------------------------------------------

/// How to bring one system back.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ProcedureIn {
    /// The system (required, at most 200 characters).
    #[schema(example = "電子カルテ", min_length = 1, max_length = 200)]
    system: String,
    /// The steps, one per line (required), including where the clean backups are.
    #[schema(
        example = "1. オフラインバックアップの健全性を確認する\n2. 保守会社に連絡する",
        min_length = 1
    )]
    steps: String,
}

/// A recovery procedure as stored.
#[derive(Serialize, ToSchema)]
pub struct ProcedureOut {
    id: Uuid,
    system: String,
    steps: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl From<StoredProcedure> for ProcedureOut {
    fn from(p: StoredProcedure) -> Self {
        ProcedureOut {
            id: p.id,
            system: p.procedure.system,
            steps: p.procedure.steps,
            updated_at: p.updated_at,
            updated_by: p.updated_by,
        }
    }
}

fn procedure_of(p: ProcedureIn) -> RecoveryProcedure {
    RecoveryProcedure {
        system: p.system,
        steps: p.steps,
    }
}

/// The recovery procedures (every token holder may read them).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "preparedness",
    responses((status = 200, body = Vec<ProcedureOut>), (status = 401, body = ErrorOut)), security(("token" = [])))]
pub async fn procedures(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<ProcedureOut>>, AppError> {
    Ok(Json(
        service::procedures(&state, &c)
            .await?
            .into_iter()
            .map(ProcedureOut::from)
            .collect(),
    ))
}

/// Adds a recovery procedure.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "preparedness", request_body = ProcedureIn,
    responses((status = 201, body = ProcedureOut), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn add_procedure(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<ProcedureIn>,
) -> Result<Response, AppError> {
    let saved = service::save_procedure(&state, &c, None, &procedure_of(b)).await?;
    Ok(created(ProcedureOut::from(saved)))
}

/// One recovery procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "preparedness", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProcedureOut), (status = 404, body = ErrorOut)), security(("token" = [])))]
pub async fn procedure(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<ProcedureOut>, AppError> {
    Ok(Json(service::procedure(&state, &c, id).await?.into()))
}

/// Changes a recovery procedure.
#[utoipa::path(put, path = "/api/v1/procedures/{id}", tag = "preparedness", params(("id" = Uuid, Path)), request_body = ProcedureIn,
    responses((status = 200, body = ProcedureOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn put_procedure(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<ProcedureIn>,
) -> Result<Json<ProcedureOut>, AppError> {
    Ok(Json(
        service::save_procedure(&state, &c, Some(id), &procedure_of(b))
            .await?
            .into(),
    ))
}

/// Removes a recovery procedure.
#[utoipa::path(delete, path = "/api/v1/procedures/{id}", tag = "preparedness", params(("id" = Uuid, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = ErrorOut)),
    security(("token" = ["manage_preparedness"])))]
pub async fn remove_procedure(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    service::remove_procedure(&state, &c, id).await?;
    Ok(no_content())
}
