//! The self-assessment part of the JSON API.

use super::service::{self, SendDraft, StartDraft, sheet_of};
use crate::core::api::{ErrorOut, JsonBody, Paging, counted};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use mamori_domain::assessment::{AnswerDraft, Round};
use mamori_store::Assessment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// An assessment with its headline figures.
#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    id: Uuid,
    /// Catalog sheet id, e.g. `fy2025.institution`.
    sheet: String,
    fiscal_year: i64,
    title: String,
    /// Completion in percent.
    completion: u32,
    /// はい among はい and いいえ, in percent (absent when neither was given).
    yes_percent: Option<u32>,
    maturity: Option<i64>,
    maturity_rationale: String,
}

/// Counts of one group.
#[derive(Serialize, ToSchema)]
pub struct TallyOut {
    yes: u32,
    no: u32,
    na: u32,
    open: u32,
    yes_percent: Option<u32>,
}

/// An item answered いいえ, in priority order.
#[derive(Serialize, ToSchema)]
pub struct GapOut {
    item_id: String,
    target_date: Option<chrono::NaiveDate>,
    overdue: bool,
}

/// One stored answer.
#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    item_id: String,
    round: i64,
    /// `yes`, `no` or `na`.
    answer: String,
    checked_on: chrono::NaiveDate,
    target_date: Option<chrono::NaiveDate>,
    reason: String,
    assignee: String,
    notes: String,
    updated_by: String,
}

/// An assessment with answers and aggregation.
#[derive(Serialize, ToSchema)]
pub struct AssessmentDetail {
    assessment: AssessmentOut,
    by_section: BTreeMap<String, TallyOut>,
    by_scope: BTreeMap<String, TallyOut>,
    by_element: BTreeMap<String, TallyOut>,
    /// Keyed `kind/timing`, e.g. `system/preventive`.
    by_control: BTreeMap<String, TallyOut>,
    gaps: Vec<GapOut>,
    answers: Vec<AnswerOut>,
}

fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn tally(t: &mamori_domain::assessment::Tally) -> TallyOut {
    TallyOut {
        yes: t.yes,
        no: t.no,
        na: t.na,
        open: t.open,
        yes_percent: t.yes_percent(),
    }
}

async fn detail(
    state: &AppState,
    c: &ApiCaller,
    a: Assessment,
) -> Result<AssessmentDetail, AppError> {
    let stored = service::answers(state, c, &a).await?;
    detail_of(c, a, stored)
}

/// An assessment's detail from its answers.
fn detail_of(
    c: &ApiCaller,
    a: Assessment,
    stored: Vec<mamori_store::StoredAnswer>,
) -> Result<AssessmentDetail, AppError> {
    let sheet = sheet_of(&a)?;
    let s = service::summary_of_answers(sheet, &stored, c.today());
    Ok(AssessmentDetail {
        by_section: s
            .by_section
            .iter()
            .map(|(k, t)| (code(k), tally(t)))
            .collect(),
        by_scope: s
            .by_scope
            .iter()
            .map(|(k, t)| (code(k), tally(t)))
            .collect(),
        by_element: s
            .by_element
            .iter()
            .map(|(k, t)| (code(k), tally(t)))
            .collect(),
        by_control: s
            .by_control
            .iter()
            .map(|((k, tm), t)| (format!("{}/{}", code(k), code(tm)), tally(t)))
            .collect(),
        gaps: s
            .gaps
            .iter()
            .map(|g| GapOut {
                item_id: g.item_id.clone(),
                target_date: g.target_date,
                overdue: g.overdue,
            })
            .collect(),
        answers: stored
            .into_iter()
            .map(|x| AnswerOut {
                item_id: x.item_id,
                round: x.round.number(),
                answer: x.answer.answer.code().into(),
                checked_on: x.answer.checked_on,
                target_date: x.answer.target_date,
                reason: x.answer.reason,
                assignee: x.answer.assignee,
                notes: x.answer.notes,
                updated_by: x.updated_by,
            })
            .collect(),
        assessment: out_of(a, &s.figures()),
    })
}

/// The assessment as listed, with what its answers add up to.
fn out_of(a: Assessment, s: &mamori_domain::assessment::Figures) -> AssessmentOut {
    AssessmentOut {
        id: a.id,
        sheet: a.sheet_id,
        fiscal_year: a.fiscal_year,
        title: a.title,
        completion: s.completion_percent(),
        yes_percent: s.overall.yes_percent(),
        maturity: a.maturity,
        maturity_rationale: a.maturity_rationale,
    }
}

/// At most this many assessments in one page of the list.
const ASSESSMENT_PAGE_MAX: i64 = 1000;

/// The organisation's own assessments (newest fiscal year first) and then the vendor sheets it was
/// asked to answer: whole, or a page with `limit` and `offset`; `X-Total-Count` gives the length.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments",
    params(("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "at most this many assessments (1000 when only `offset` is given); without both, the whole list"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "assessments to skip, in list order")),
    responses((status = 200, body = Vec<AssessmentOut>, headers(("X-Total-Count" = i64, description = "assessments in the list"))), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn list(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<Paging>,
) -> Result<Response, AppError> {
    // A bounded number of queries whatever the number of assessments: the page is cut by the
    // database and its figures are kept.
    let (page, total) = service::reached(&state, &c, q.window(ASSESSMENT_PAGE_MAX)?).await?;
    let ids: Vec<Uuid> = page.iter().map(|a| a.id).collect();
    let figures = service::figures_of(&state, &c, &ids).await?;
    let out: Vec<AssessmentOut> = page
        .into_iter()
        .map(|a| {
            let f = figures.get(&a.id).copied().unwrap_or_default();
            out_of(a, &f)
        })
        .collect();
    Ok(counted(out, total))
}

/// One assessment with its answers, aggregation and priority list.
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments", params(("id" = Uuid, Path)),
    responses((status = 200, body = AssessmentDetail), (status = 404, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn get_one(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<AssessmentDetail>, AppError> {
    let a = service::open(&state, &c, id).await?.object;
    Ok(Json(detail(&state, &c, a).await?))
}

/// A new assessment.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AssessmentIn {
    /// Catalog sheet id (see `mamori catalog list`), e.g. `fy2025.institution`.
    #[schema(example = "fy2025.institution")]
    sheet: String,
    /// For vendor sheets: the vendor and system (at most 200 characters).
    title: String,
    /// Start from last fiscal year's answers (marked to re-confirm).
    carry: bool,
}

/// Starts an assessment; the same rules as the page's form apply.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessments", request_body = AssessmentIn,
    responses((status = 201, body = AssessmentOut), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn create(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<AssessmentIn>,
) -> Result<Response, AppError> {
    let draft = StartDraft {
        sheet: b.sheet,
        title: b.title,
        carry: b.carry,
    };
    let a = service::start(&state, &c, &draft).await?;
    let out = detail(&state, &c, a).await?.assessment;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// The round to answer (`?round=2`), 1 by default.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoundParam {
    round: Option<i64>,
}

/// Answers an item in a round; the same rules as the form apply.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/answers/{item}", tag = "assessments",
    params(("id" = Uuid, Path), ("item" = String, Path), ("round" = Option<i64>, Query)),
    request_body = inline(Object),
    responses((status = 200, body = AssessmentDetail), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn put_answer(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, item)): Path<(Uuid, String)>,
    Query(q): Query<RoundParam>,
    JsonBody(draft): JsonBody<AnswerDraft>,
) -> Result<Json<AssessmentDetail>, AppError> {
    let round =
        Round::from_number(q.round.unwrap_or(1)).ok_or(AppError::BadRequest("error.malformed"))?;
    service::answer(&state, &c, id, &item, round, &draft, vec![]).await?;
    let a = service::open(&state, &c, id).await?.object;
    Ok(Json(detail(&state, &c, a).await?))
}

/// A maturity stage and its rationale.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MaturityIn {
    /// 1 未整備 … 5 遵守.
    stage: i64,
    rationale: String,
}

/// Records the maturity stage the organisation assigns itself (owner only).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/maturity", tag = "assessments", params(("id" = Uuid, Path)), request_body = MaturityIn,
    responses((status = 200, body = AssessmentOut), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn put_maturity(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<MaturityIn>,
) -> Result<Json<AssessmentOut>, AppError> {
    service::set_maturity(&state, &c, id, &b.stage.to_string(), &b.rationale).await?;
    let a = service::open(&state, &c, id).await?.object;
    Ok(Json(detail(&state, &c, a).await?.assessment))
}

/// Whom to ask to answer a vendor sheet.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SendIn {
    /// The vendor contact's e-mail.
    email: String,
    /// For a vendor without an account: the vendor's name.
    #[serde(default)]
    vendor_name: String,
    /// For a vendor without an account: the contact's name.
    #[serde(default)]
    contact_name: String,
}

/// The outcome of sending: a one-time invitation link when a new contact was invited.
#[derive(Serialize, ToSchema)]
pub struct SentOut {
    invite_url: Option<String>,
}

/// Sends a vendor sheet to the vendor's organisation to answer.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/send", tag = "assessments", params(("id" = Uuid, Path)), request_body = SendIn,
    responses((status = 200, body = SentOut), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn send(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<SendIn>,
) -> Result<Json<SentOut>, AppError> {
    let draft = SendDraft {
        email: b.email,
        vendor_name: b.vendor_name,
        contact_name: b.contact_name,
    };
    let invite_url = service::send(&state, &c, id, &draft).await?;
    Ok(Json(SentOut { invite_url }))
}

/// An evidence file's record.
#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    id: Uuid,
    item_id: String,
    filename: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    uploaded_at: chrono::DateTime<chrono::Utc>,
}

impl From<mamori_store::Evidence> for EvidenceOut {
    fn from(e: mamori_store::Evidence) -> Self {
        EvidenceOut {
            id: e.id,
            item_id: e.item_id,
            filename: e.filename,
            size: e.size,
            sha256: e.sha256,
            uploaded_by: e.uploaded_by,
            uploaded_at: e.uploaded_at,
        }
    }
}

/// The evidence of an assessment.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/evidence", tag = "assessments", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EvidenceOut>), (status = 404, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn evidence_list(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<EvidenceOut>>, AppError> {
    Ok(Json(
        service::evidence(&state, &c, id)
            .await?
            .into_iter()
            .map(EvidenceOut::from)
            .collect(),
    ))
}

/// Uploads evidence files for an item (multipart, one or more `file` parts).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/items/{item}/evidence", tag = "assessments", params(("id" = Uuid, Path), ("item" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "one or more `file` parts"),
    responses((status = 201, body = Vec<EvidenceOut>), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn evidence_upload(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, item)): Path<(Uuid, String)>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let a = service::open(&state, &c, id).await?.object;
    service::item_of(&a, &item)?;
    let mut files = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.malformed"))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("file").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("error.malformed"))?;
            if !bytes.is_empty() {
                files.push((name, bytes.to_vec()));
            }
        }
    }
    if files.is_empty() {
        return Err(AppError::Invalid(mamori_domain::validate::Problem::field(
            "file",
            "error.import_empty",
        )));
    }
    let kept = service::keep_evidence(&state, &c, &a, &item, files).await?;
    let out: Vec<EvidenceOut> = kept.into_iter().map(EvidenceOut::from).collect();
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// Downloads one evidence file.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/evidence/{evidence}", tag = "assessments", params(("id" = Uuid, Path), ("evidence" = Uuid, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn evidence_download(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, evidence)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    service::evidence_file(&state, &c, id, evidence).await
}

/// The sheet as an XLSX workbook laid out like the official form.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/export.xlsx", tag = "assessments", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the workbook"), (status = 404, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(super::exchange::xlsx_file(&state, &c, id)
        .await?
        .into_response())
}

/// The sheet as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/assessments/{id}/export.csv", tag = "assessments", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the CSV file"), (status = 404, body = ErrorOut)), security(("token" = ["view_assessments"])))]
pub async fn export_csv(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(super::exchange::csv_file(&state, &c, id)
        .await?
        .into_response())
}

/// How many answers an import wrote.
#[derive(Serialize, ToSchema)]
pub struct ImportedOut {
    imported: usize,
}

/// Imports an XLSX or CSV file (multipart `file`); faults come back as fields named by cell
/// (e.g. `F5`), and nothing is written.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/import", tag = "assessments", params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "a `file` part: the sheet as XLSX or CSV"),
    responses((status = 200, body = ImportedOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)), security(("token" = ["answer_assessments"])))]
pub async fn import(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    mut form: axum::extract::Multipart,
) -> Result<Json<ImportedOut>, AppError> {
    let up = crate::core::table::Upload::read(&mut form).await?;
    let (name, bytes) = up.file();
    match super::exchange::import_file(&state, &c, id, name, bytes).await? {
        Ok(imported) => Ok(Json(ImportedOut { imported })),
        Err(r) => Err(AppError::Invalid(r.problem())),
    }
}
