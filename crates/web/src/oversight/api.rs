//! Oversight's part of the JSON API: an authority's overview, roster and submissions; an
//! institution's submissions; the home organisation's setting of jurisdictions.

use super::service::{self, SubmitDraft};
use crate::core::api::{ErrorOut, JsonBody, created, no_content};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::table::Upload;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Json, Response};
use chrono::{DateTime, Utc};
use mamori_domain::oversight::{ChecklistSnapshot, Jurisdiction, RosterEntry};
use mamori_store::Submission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A submission: its place and version, the digest and the snapshot as submitted.
#[derive(Serialize, ToSchema)]
pub struct SubmissionOut {
    id: Uuid,
    /// The institution's organisation.
    organisation: Uuid,
    authority: Uuid,
    fiscal_year: i32,
    version: i64,
    prefecture: String,
    municipality: String,
    /// SHA-256 of the snapshot's JSON as serialised here (hex).
    digest: String,
    submitted_at: DateTime<Utc>,
    submitted_by: String,
    /// The snapshot (docs/api.md describes its format).
    #[schema(value_type = Object)]
    snapshot: ChecklistSnapshot,
}

impl From<Submission> for SubmissionOut {
    fn from(s: Submission) -> SubmissionOut {
        SubmissionOut {
            id: s.id,
            organisation: s.org_id,
            authority: s.authority_id,
            fiscal_year: s.fiscal_year,
            version: s.version,
            prefecture: s.prefecture,
            municipality: s.municipality,
            digest: s.digest,
            submitted_at: s.submitted_at,
            submitted_by: s.submitted_by,
            snapshot: s.snapshot,
        }
    }
}

/// Which fiscal year.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct YearQuery {
    /// The fiscal year (2025 for 令和7年度); the current one when absent.
    #[param(minimum = 2000, maximum = 2100)]
    fiscal_year: Option<i32>,
}

/// The fiscal year asked (a fault on `fiscal_year` outside 2000–2100), or the newest with a
/// submission the caller may read, or the current one.
pub async fn year_of(
    state: &AppState,
    c: &crate::core::auth::Caller,
    asked: Option<i32>,
) -> Result<i32, AppError> {
    match asked {
        Some(y) if !(2000..=2100).contains(&y) => Err(AppError::Invalid(
            mamori_domain::validate::Problem::field("fiscal_year", "oversight.error.year"),
        )),
        Some(y) => Ok(y),
        None => Ok(service::latest_fiscal_year(state, c)
            .await?
            .unwrap_or_else(|| {
                mamori_domain::fiscal::fiscal_year_of(mamori_domain::clock::jst_date(c.now))
            })),
    }
}

/// One institution of the roster and its latest submission.
#[derive(Serialize, ToSchema)]
pub struct RosterStatusOut {
    #[schema(value_type = Object)]
    entry: RosterEntry,
    /// Its latest submission's id, version, digest and date; absent when it has not submitted.
    latest: Option<LatestOut>,
}

/// The latest submission of an institution, in brief.
#[derive(Serialize, ToSchema)]
pub struct LatestOut {
    id: Uuid,
    version: i64,
    digest: String,
    submitted_at: DateTime<Utc>,
    answered: usize,
    yes: usize,
}

/// An item's はい rate; `yes_percent` is absent when fewer than `min_cell` institutions answered.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    item_id: String,
    number: String,
    yes_percent: Option<u32>,
}

/// A municipality's line; `yes_percent` is absent below `min_cell` submissions.
#[derive(Serialize, ToSchema)]
pub struct MunicipalityOut {
    name: String,
    roster: usize,
    submitted: usize,
    yes_percent: Option<u32>,
}

/// What an authority sees of its jurisdiction for a fiscal year.
#[derive(Serialize, ToSchema)]
pub struct OverviewOut {
    fiscal_year: i32,
    #[schema(value_type = Object)]
    jurisdiction: Option<Jurisdiction>,
    /// Institutions of the roster that have not submitted.
    missing: usize,
    roster: Vec<RosterStatusOut>,
    /// Submissions from institutions not in the roster.
    unlisted: Vec<SubmissionOut>,
    items: Vec<ItemOut>,
    municipalities: Vec<MunicipalityOut>,
    /// Figures describing fewer institutions than this are left out.
    min_cell: usize,
}

/// Which fiscal year, and which institutions of the roster.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OverviewQuery {
    /// The fiscal year (2025 for 令和7年度); the newest with a submission when absent.
    #[param(minimum = 2000, maximum = 2100)]
    fiscal_year: Option<i32>,
    /// `hospital`, `clinic`, `dental_clinic` or `pharmacy`.
    r#type: String,
    /// `none`, `1-19`, `20-199` or `200+`.
    beds: String,
    /// One municipality.
    municipality: String,
}

/// The authority's view of its jurisdiction: who submitted, and how the items stand.
#[utoipa::path(get, path = "/api/v1/oversight/overview", tag = "oversight", params(OverviewQuery),
    responses((status = 200, body = OverviewOut), (status = 422, body = ErrorOut)),
    security(("token" = ["view_oversight"])))]
pub async fn overview(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<OverviewQuery>,
) -> Result<Json<OverviewOut>, AppError> {
    let fy = year_of(&state, &c, q.fiscal_year).await?;
    let filter = service::filter_of(&q.r#type, &q.beds, &q.municipality)?;
    let o = service::overview(&state, &c, fy, &filter).await?;
    let missing = o.missing();
    Ok(Json(OverviewOut {
        fiscal_year: o.fiscal_year,
        jurisdiction: o.jurisdiction,
        missing,
        roster: o
            .roster
            .into_iter()
            .map(|r| RosterStatusOut {
                latest: r.latest.map(|s| LatestOut {
                    answered: s.snapshot.answered(),
                    yes: s.snapshot.yes(),
                    id: s.id,
                    version: s.version,
                    digest: s.digest,
                    submitted_at: s.submitted_at,
                }),
                entry: r.entry,
            })
            .collect(),
        unlisted: o.unlisted.into_iter().map(SubmissionOut::from).collect(),
        items: o
            .items
            .iter()
            .map(|i| ItemOut {
                item_id: i.item_id.clone(),
                number: i.number.clone(),
                yes_percent: i.yes_percent(o.min_cell),
            })
            .collect(),
        municipalities: o
            .municipalities
            .into_iter()
            .map(|m| MunicipalityOut {
                name: m.name,
                roster: m.roster,
                submitted: m.submitted,
                yes_percent: m.yes_percent,
            })
            .collect(),
        min_cell: o.min_cell,
    }))
}

/// The authority's roster.
#[utoipa::path(get, path = "/api/v1/oversight/roster", tag = "oversight",
    responses((status = 200, body = Vec<Object>)), security(("token" = ["view_oversight"])))]
pub async fn roster(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<RosterEntry>>, AppError> {
    Ok(Json(service::roster(&state, &c).await?))
}

/// How many rows a table import took.
#[derive(Serialize, ToSchema)]
pub struct ImportedOut {
    imported: usize,
}

/// Replaces the roster with a CSV or XLSX table (multipart `file`, optional `mapping`): all rows
/// or none; faults come back named by row and column.
#[utoipa::path(post, path = "/api/v1/oversight/roster", tag = "oversight",
    request_body(content_type = "multipart/form-data", description = "a `file` part: CSV (UTF-8 or Shift_JIS) or XLSX with 医療機関コード, 名称, 種別, 病床数, 市区町村, メールアドレス; optionally a `mapping` part"),
    responses((status = 200, body = ImportedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_oversight"])))]
pub async fn import_roster(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<ImportedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let mapping = crate::core::import::mapping_json(up.field("mapping"))?;
    let (name, bytes) = up.file();
    match service::import_roster(&state, &c, name, bytes, mapping).await? {
        Ok(imported) => Ok(Json(ImportedOut { imported })),
        Err(r) => Err(AppError::Invalid(r.problem())),
    }
}

/// A jurisdiction as sent.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct JurisdictionIn {
    /// `national`, `prefecture` or `municipalities`.
    scope: String,
    /// The prefecture's code (13) or name (東京都).
    prefecture: String,
    /// For `municipalities`: their names.
    municipalities: Vec<String>,
}

/// Sets where an authority (a local government or an operator) oversees.
#[utoipa::path(put, path = "/api/v1/oversight/jurisdictions/{org}", tag = "oversight",
    params(("org" = Uuid, Path)), request_body = JurisdictionIn,
    responses((status = 204, description = "Set"), (status = 422, body = ErrorOut)),
    security(("token" = ["register_organisations"])))]
pub async fn set_jurisdiction(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(org): Path<Uuid>,
    JsonBody(b): JsonBody<JurisdictionIn>,
) -> Result<Response, AppError> {
    service::set_jurisdiction(
        &state,
        &c,
        org,
        &b.scope,
        &b.prefecture,
        &b.municipalities.join("\n"),
    )
    .await?;
    Ok(no_content())
}

/// An authority an institution may submit to.
#[derive(Serialize, ToSchema)]
pub struct AuthorityOut {
    id: Uuid,
    name: String,
    #[schema(value_type = Object)]
    jurisdiction: Jurisdiction,
}

/// The authorities an institution may submit its checklist to.
#[utoipa::path(get, path = "/api/v1/oversight/authorities", tag = "oversight",
    responses((status = 200, body = Vec<AuthorityOut>)), security(("token" = ["submit_checklist"])))]
pub async fn authorities(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<AuthorityOut>>, AppError> {
    Ok(Json(
        service::authorities(&state, &c)
            .await?
            .into_iter()
            .map(|a| AuthorityOut {
                id: a.org_id,
                name: a.name,
                jurisdiction: a.jurisdiction,
            })
            .collect(),
    ))
}

/// A submission as asked.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SubmitIn {
    authority_id: Option<Uuid>,
    /// The institution's own sheet of the year whose answers are submitted.
    assessment_id: Option<Uuid>,
    /// 医療機関コード (ten digits).
    institution_code: String,
    municipality: String,
}

/// Submits the institution's checklist to an authority: a frozen snapshot, the next version of
/// its fiscal year there.
#[utoipa::path(post, path = "/api/v1/oversight/submissions", tag = "oversight", request_body = SubmitIn,
    responses((status = 201, body = SubmissionOut), (status = 422, body = ErrorOut)),
    security(("token" = ["submit_checklist"])))]
pub async fn submit(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<SubmitIn>,
) -> Result<Response, AppError> {
    let d = SubmitDraft {
        authority_id: b.authority_id,
        assessment_id: b.assessment_id,
        institution_code: b.institution_code,
        municipality: b.municipality,
    };
    let s = service::submit(&state, &c, &d).await?;
    Ok(created(SubmissionOut::from(s)))
}

/// A snapshot made elsewhere, and the authority it is for.
#[derive(Deserialize, ToSchema)]
pub struct SnapshotIn {
    authority_id: Option<Uuid>,
    /// The snapshot, in the format described in docs/api.md.
    #[schema(value_type = Object)]
    snapshot: ChecklistSnapshot,
}

/// Submits a snapshot made elsewhere (the institution's own mamori, or a script): kept exactly
/// as sent once it fits its sheet, as the next version of its fiscal year for that authority.
#[utoipa::path(post, path = "/api/v1/oversight/snapshots", tag = "oversight", request_body = SnapshotIn,
    responses((status = 201, body = SubmissionOut), (status = 422, body = ErrorOut)),
    security(("token" = ["submit_checklist"])))]
pub async fn submit_snapshot(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<SnapshotIn>,
) -> Result<Response, AppError> {
    let s = service::submit_snapshot(&state, &c, b.authority_id, &b.snapshot).await?;
    Ok(created(SubmissionOut::from(s)))
}

/// Every version of every submission of a fiscal year within the authority's reach.
#[utoipa::path(get, path = "/api/v1/oversight/submissions", tag = "oversight", params(YearQuery),
    responses((status = 200, body = Vec<SubmissionOut>), (status = 422, body = ErrorOut)),
    security(("token" = ["view_oversight"])))]
pub async fn submissions(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<SubmissionOut>>, AppError> {
    let fy = year_of(&state, &c, q.fiscal_year).await?;
    let all = service::submissions(&state, &c, fy).await?;
    Ok(Json(all.into_iter().map(SubmissionOut::from).collect()))
}

/// The institution's own submissions, newest first.
#[utoipa::path(get, path = "/api/v1/oversight/own-submissions", tag = "oversight",
    responses((status = 200, body = Vec<SubmissionOut>)), security(("token" = ["submit_checklist"])))]
pub async fn own_submissions(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<SubmissionOut>>, AppError> {
    let all = service::own_submissions(&state, &c).await?;
    Ok(Json(all.into_iter().map(SubmissionOut::from).collect()))
}

/// One submission: the institution's own, or one the authority may read.
#[utoipa::path(get, path = "/api/v1/oversight/submissions/{id}", tag = "oversight",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = SubmissionOut)), security(("token" = [])))]
pub async fn submission(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<SubmissionOut>, AppError> {
    Ok(Json(SubmissionOut::from(
        service::submission(&state, &c, id).await?,
    )))
}

/// An inspection as kept.
#[derive(Serialize, ToSchema)]
pub struct InspectionOut {
    id: Uuid,
    authority: Uuid,
    institution_code: String,
    institution_name: String,
    /// The institution's organisation here, when it has one.
    organisation: Option<Uuid>,
    /// The checklist submission seen.
    submission: Option<Uuid>,
    inspected_on: chrono::NaiveDate,
    inspectors: String,
    /// Findings: `{number, item_id, text}`, number and item empty for a general one.
    #[schema(value_type = Vec<Object>)]
    findings: Vec<mamori_domain::oversight::Finding>,
    guidance: String,
    follow_up_due: Option<chrono::NaiveDate>,
    follow_up_done_on: Option<chrono::NaiveDate>,
    follow_up_note: String,
    created_at: DateTime<Utc>,
}

impl From<mamori_store::StoredInspection> for InspectionOut {
    fn from(i: mamori_store::StoredInspection) -> InspectionOut {
        InspectionOut {
            id: i.id,
            authority: i.authority_id,
            institution_code: i.institution_code,
            institution_name: i.institution_name,
            organisation: i.org_id,
            submission: i.submission_id,
            inspected_on: i.inspected_on,
            inspectors: i.inspectors,
            findings: i.findings,
            guidance: i.guidance,
            follow_up_due: i.follow_up_due,
            follow_up_done_on: i.follow_up_done_on,
            follow_up_note: i.follow_up_note,
            created_at: i.created_at,
        }
    }
}

/// An inspection to record: `findings` one a line, a line beginning with an item's number (2-⑬)
/// being about that item of the submission seen.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct InspectionIn {
    institution_code: String,
    /// `2025-10-01` (or 2025/10/1, 令和7年10月1日).
    inspected_on: String,
    inspectors: String,
    findings: String,
    guidance: String,
    follow_up_due: String,
}

/// The inspections the authority recorded, newest first.
#[utoipa::path(get, path = "/api/v1/oversight/inspections", tag = "oversight",
    responses((status = 200, body = Vec<InspectionOut>)), security(("token" = ["view_oversight"])))]
pub async fn inspections(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<InspectionOut>>, AppError> {
    let all = super::inspections::recorded(&state, &c).await?;
    Ok(Json(all.into_iter().map(InspectionOut::from).collect()))
}

/// Records an on-site inspection of an institution.
#[utoipa::path(post, path = "/api/v1/oversight/inspections", tag = "oversight", request_body = InspectionIn,
    responses((status = 201, body = InspectionOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_oversight"])))]
pub async fn record_inspection(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<InspectionIn>,
) -> Result<Response, AppError> {
    let d = mamori_domain::oversight::InspectionDraft {
        institution_code: b.institution_code,
        inspected_on: b.inspected_on,
        inspectors: b.inspectors,
        findings: b.findings,
        guidance: b.guidance,
        follow_up_due: b.follow_up_due,
    };
    let id = super::inspections::record(&state, &c, &d).await?;
    Ok(created(InspectionOut::from(
        super::inspections::one(&state, &c, id).await?,
    )))
}

/// The institution's own inspections, newest first.
#[utoipa::path(get, path = "/api/v1/oversight/my-inspections", tag = "oversight",
    responses((status = 200, body = Vec<InspectionOut>)), security(("token" = ["view_assessments"])))]
pub async fn my_inspections(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<InspectionOut>>, AppError> {
    let all = super::inspections::received(&state, &c).await?;
    Ok(Json(all.into_iter().map(InspectionOut::from).collect()))
}

/// One inspection: for the authority that recorded it or the institution it names.
#[utoipa::path(get, path = "/api/v1/oversight/inspections/{id}", tag = "oversight",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InspectionOut)), security(("token" = [])))]
pub async fn inspection(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<InspectionOut>, AppError> {
    Ok(Json(InspectionOut::from(
        super::inspections::one(&state, &c, id).await?,
    )))
}

/// The follow-up the institution reports done.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FollowUpIn {
    done_on: String,
    note: String,
}

/// The inspected institution reports the follow-up done.
#[utoipa::path(post, path = "/api/v1/oversight/inspections/{id}/follow-up", tag = "oversight",
    params(("id" = Uuid, Path)), request_body = FollowUpIn,
    responses((status = 204, description = "Reported"), (status = 422, body = ErrorOut)),
    security(("token" = ["submit_checklist"])))]
pub async fn report_follow_up(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<FollowUpIn>,
) -> Result<Response, AppError> {
    super::inspections::report_follow_up(&state, &c, id, &b.done_on, &b.note).await?;
    Ok(no_content())
}
