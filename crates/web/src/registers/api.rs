//! The registers' part of the JSON API: the state of every register, the device ledger, the
//! registers kept as rows, reviews, files, the accounts review, vulnerability feeds and findings.
//! Every operation calls the same service as the pages, with the same rules and errors.

use super::service::{self, AccountsImport, DecisionDraft, FindingRow, register_of};
use crate::core::api::{ErrorOut, JsonBody, Paging, RowsImportedOut, counted, created, no_content};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::import::mapping_json;
use crate::core::state::AppState;
use crate::core::table::{Refusal, Upload};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::register::DeviceDraft;
use mamori_domain::status::{RegisterState, Remark};
use mamori_domain::validate::Problem;
use mamori_store::{FindingDecision, LedgerRow, RegisterReview, RowChange, RowFile, StoredDevice};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The registers kept as rows, as their `{code}` in paths.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RowRegister {
    /// Remote connections (リモート接続).
    RemoteConnections,
    /// Vendors and contracts (事業者・契約).
    Vendors,
    /// Backups (バックアップ).
    Backups,
    /// Restore tests (復旧テスト).
    RestoreTests,
}

/// The registers reviewed through `/api/v1/registers/{code}/review` (the device ledger has its
/// own `/api/v1/registers/devices/review`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ReviewedRegister {
    /// The accounts review.
    Accounts,
    /// Remote connections.
    RemoteConnections,
    /// Vendors and contracts.
    Vendors,
    /// Backups.
    Backups,
    /// Restore tests.
    RestoreTests,
}

// ---- where every register stands ---------------------------------------------------------

/// A counted figure or concern.
#[derive(Serialize, ToSchema)]
pub struct RemarkOut {
    /// Stable code, e.g. `without_two_factor`.
    code: String,
    /// Rows it concerns; none for the register as a whole.
    count: Option<usize>,
    /// In words, in the request's language.
    text: String,
}

/// The last review of a register.
#[derive(Serialize, ToSchema)]
pub struct ReviewOut {
    reviewed_on: NaiveDate,
    reviewed_by: String,
    note: String,
}

impl From<RegisterReview> for ReviewOut {
    fn from(r: RegisterReview) -> Self {
        ReviewOut {
            reviewed_on: r.reviewed_on,
            reviewed_by: r.reviewed_by,
            note: r.note,
        }
    }
}

/// Where a register stands.
#[derive(Serialize, ToSchema)]
pub struct RegisterStateOut {
    /// `devices`, `accounts`, `contacts`, `remote_connections`, `vendors`, `backups` or `restore_tests`.
    code: String,
    label: String,
    count: usize,
    figures: Vec<RemarkOut>,
    concerns: Vec<RemarkOut>,
    last_reviewed_on: Option<NaiveDate>,
    review_overdue: bool,
    /// The state in one line, as the checklist shows it.
    line: String,
}

fn remarks(r: &[Remark], lang: mamori_domain::Lang) -> Vec<RemarkOut> {
    r.iter()
        .map(|x| RemarkOut {
            code: x.code.into(),
            count: x.count,
            text: x.text(lang),
        })
        .collect()
}

impl RegisterStateOut {
    fn new(s: &RegisterState, lang: mamori_domain::Lang) -> RegisterStateOut {
        RegisterStateOut {
            code: s.code.into(),
            label: s.label(lang).into(),
            count: s.count,
            figures: remarks(&s.figures, lang),
            concerns: remarks(&s.concerns, lang),
            last_reviewed_on: s.last_review.as_ref().map(|r| r.on),
            review_overdue: s.review_overdue,
            line: s.line(lang),
        }
    }
}

/// Every register with where it stands.
#[utoipa::path(get, path = "/api/v1/registers", tag = "registers",
    responses((status = 200, body = Vec<RegisterStateOut>), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn states(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<RegisterStateOut>>, AppError> {
    Ok(Json(
        service::states(&state, &c)
            .await?
            .iter()
            .map(|s| RegisterStateOut::new(s, c.lang))
            .collect(),
    ))
}

/// What the review found or removed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReviewIn {
    /// At most 2,000 characters.
    #[schema(example = "退職者のアカウント2件を削除")]
    note: String,
}

/// Records that a register (`devices`, `accounts` or one kept as rows) was reviewed today.
#[utoipa::path(post, path = "/api/v1/registers/{code}/review", tag = "registers",
    params(("code" = inline(ReviewedRegister), Path)), request_body = ReviewIn,
    responses((status = 201, body = ReviewOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn review(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<ReviewIn>,
) -> Result<Response, AppError> {
    Ok(created(ReviewOut::from(
        service::review(&state, &c, &code, &b.note).await?,
    )))
}

/// Records that the device ledger was reviewed today.
#[utoipa::path(post, path = "/api/v1/registers/devices/review", tag = "registers", request_body = ReviewIn,
    responses((status = 201, body = ReviewOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn review_devices(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<ReviewIn>,
) -> Result<Response, AppError> {
    Ok(created(ReviewOut::from(
        service::review(&state, &c, "devices", &b.note).await?,
    )))
}

// ---- the device ledger -------------------------------------------------------------------

/// A device as sent: the same fields as the form and the table.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DeviceIn {
    /// `server`, `terminal`, `network`, `medical`, `iot` or `other` (or its label).
    #[schema(example = "network")]
    kind: String,
    /// Unique in the ledger (required).
    #[schema(example = "VPN-01", min_length = 1)]
    name: String,
    location: String,
    owner: String,
    system: String,
    #[schema(example = "Fortinet")]
    vendor: String,
    #[schema(example = "FortiGate 60F")]
    product: String,
    #[schema(example = "6.0.4")]
    version: String,
    /// Reachable from the internet.
    internet_facing: bool,
    /// End of vendor support (`YYYY-MM-DD`).
    support_end: String,
    /// Last patch applied (`YYYY-MM-DD`).
    last_patch: String,
    /// A CPE 2.3 name, when known.
    cpe: String,
}

impl From<DeviceIn> for DeviceDraft {
    fn from(d: DeviceIn) -> Self {
        DeviceDraft {
            kind: d.kind,
            name: d.name,
            location: d.location,
            owner: d.owner,
            system: d.system,
            vendor: d.vendor,
            product: d.product,
            version: d.version,
            internet_facing: if d.internet_facing {
                "true".into()
            } else {
                String::new()
            },
            support_end: d.support_end,
            last_patch: d.last_patch,
            cpe: d.cpe,
        }
    }
}

/// A device as recorded.
#[derive(Serialize, ToSchema)]
pub struct DeviceOut {
    id: Uuid,
    kind: String,
    name: String,
    location: String,
    owner: String,
    system: String,
    vendor: String,
    product: String,
    version: String,
    internet_facing: bool,
    support_end: Option<NaiveDate>,
    last_patch: Option<NaiveDate>,
    cpe: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl From<StoredDevice> for DeviceOut {
    fn from(s: StoredDevice) -> Self {
        let d = s.device;
        DeviceOut {
            id: s.id,
            kind: d.kind.code().into(),
            name: d.name,
            location: d.location,
            owner: d.owner,
            system: d.system,
            vendor: d.vendor,
            product: d.product,
            version: d.version,
            internet_facing: d.internet_facing,
            support_end: d.support_end,
            last_patch: d.last_patch,
            cpe: d.cpe,
            updated_at: s.updated_at,
            updated_by: s.updated_by,
        }
    }
}

/// One change of a row: who changed what.
#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    at: DateTime<Utc>,
    actor: String,
    /// What was done (`create`, `update`, `import`, `remove`).
    action: String,
    /// JSON text of the row before.
    before: String,
    /// JSON text of the row after.
    after: String,
}

impl From<RowChange> for ChangeOut {
    fn from(c: RowChange) -> Self {
        ChangeOut {
            at: c.at,
            actor: c.actor,
            action: c.action,
            before: c.before,
            after: c.after,
        }
    }
}

/// A device with its history.
#[derive(Serialize, ToSchema)]
pub struct DeviceDetail {
    device: DeviceOut,
    history: Vec<ChangeOut>,
}

/// The device ledger in name order: whole, or a page of it with `limit` and `offset`; the
/// `X-Total-Count` header gives the ledger's size.
#[utoipa::path(get, path = "/api/v1/registers/devices", tag = "registers",
    params(("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "at most this many devices (1000 when only `offset` is given); without both, the whole ledger"),
           ("offset" = Option<i64>, Query, minimum = 0, description = "devices to skip, in name order")),
    responses((status = 200, body = Vec<DeviceOut>, headers(("X-Total-Count" = i64, description = "devices in the ledger"))), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn devices(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<Paging>,
) -> Result<Response, AppError> {
    let (list, total) = match q.window(service::DEVICE_PAGE_MAX)? {
        Some((limit, offset)) => service::device_page(&state, &c, limit, offset).await?,
        None => {
            let all = service::devices(&state, &c).await?;
            let n = all.len() as i64;
            (all, n)
        }
    };
    Ok(counted(
        list.into_iter().map(DeviceOut::from).collect::<Vec<_>>(),
        total,
    ))
}

/// Adds a device; the same rules as the form (a taken name is refused on `name`).
#[utoipa::path(post, path = "/api/v1/registers/devices", tag = "registers", request_body = DeviceIn,
    responses((status = 201, body = DeviceOut), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn add_device(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<DeviceIn>,
) -> Result<Response, AppError> {
    let d = service::save_device(&state, &c, None, &b.into()).await?;
    Ok(created(DeviceOut::from(d)))
}

/// One device with its history.
#[utoipa::path(get, path = "/api/v1/registers/devices/{id}", tag = "registers", params(("id" = Uuid, Path)),
    responses((status = 200, body = DeviceDetail), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn device(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<DeviceDetail>, AppError> {
    let (d, history) = service::device(&state, &c, id).await?;
    Ok(Json(DeviceDetail {
        device: d.into(),
        history: history.into_iter().map(ChangeOut::from).collect(),
    }))
}

/// Changes a device.
#[utoipa::path(put, path = "/api/v1/registers/devices/{id}", tag = "registers", params(("id" = Uuid, Path)), request_body = DeviceIn,
    responses((status = 200, body = DeviceOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn put_device(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<DeviceIn>,
) -> Result<Json<DeviceOut>, AppError> {
    Ok(Json(
        service::save_device(&state, &c, Some(id), &b.into())
            .await?
            .into(),
    ))
}

/// Removes a device (its history stays).
#[utoipa::path(delete, path = "/api/v1/registers/devices/{id}", tag = "registers", params(("id" = Uuid, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn remove_device(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    service::remove_device(&state, &c, id).await?;
    Ok(no_content())
}

fn refused(r: Refusal) -> AppError {
    AppError::Invalid(r.problem())
}

/// Imports a device table (multipart `file`: CSV in UTF-8 or Shift_JIS, or XLSX): all rows or none;
/// faults come back as fields named by cell (e.g. `C5`). Columns are found by our headers and the
/// names people commonly use; an optional `mapping` part (JSON object, field key → header) says
/// which column fills which field, and is remembered for the next import.
#[utoipa::path(post, path = "/api/v1/registers/devices/import", tag = "registers",
    request_body(content_type = "multipart/form-data", description = "a `file` part, and optionally a `mapping` part"),
    responses((status = 200, body = RowsImportedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn import_devices(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<RowsImportedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let mapping = mapping_json(up.field("mapping"))?;
    let (name, bytes) = up.file();
    let i = service::import_device_table(&state, &c, name, bytes, mapping)
        .await?
        .map_err(refused)?;
    Ok(Json(RowsImportedOut {
        added: i.added,
        updated: i.updated,
    }))
}

/// The device ledger as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/registers/devices/export.csv", tag = "registers",
    responses((status = 200, description = "the CSV file", content_type = "text/csv"), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn export_devices_csv(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, AppError> {
    Ok(service::export_devices(&state, &c, false)
        .await?
        .into_response())
}

/// The device ledger as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/registers/devices/export.xlsx", tag = "registers",
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn export_devices_xlsx(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, AppError> {
    Ok(service::export_devices(&state, &c, true)
        .await?
        .into_response())
}

// ---- the registers kept as rows ----------------------------------------------------------

/// A row as sent: field key → value as typed (dates `YYYY-MM-DD`, yes/no as `true` or empty,
/// choices by code). The keys are those of the register's table (see docs/api.md).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RowIn {
    #[schema(example = json!({"name": "保守用VPN", "kind": "vpn", "two_factor": "true"}))]
    fields: BTreeMap<String, String>,
}

/// A row as stored, with its values in canonical form.
#[derive(Serialize, ToSchema)]
pub struct RowOut {
    id: Uuid,
    fields: BTreeMap<String, String>,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl From<LedgerRow> for RowOut {
    fn from(r: LedgerRow) -> Self {
        RowOut {
            id: r.id,
            fields: r.row,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

/// A file attached to a row.
#[derive(Serialize, ToSchema)]
pub struct FileOut {
    id: Uuid,
    filename: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    uploaded_at: DateTime<Utc>,
}

impl From<RowFile> for FileOut {
    fn from(f: RowFile) -> Self {
        FileOut {
            id: f.id,
            filename: f.filename,
            size: f.size,
            sha256: f.sha256,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
        }
    }
}

/// A row with its history and files.
#[derive(Serialize, ToSchema)]
pub struct RowDetail {
    row: RowOut,
    history: Vec<ChangeOut>,
    files: Vec<FileOut>,
}

/// A register's rows (`remote_connections`, `vendors`, `backups`, `restore_tests`).
#[utoipa::path(get, path = "/api/v1/registers/{code}", tag = "registers", params(("code" = inline(RowRegister), Path)),
    responses((status = 200, body = Vec<RowOut>), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn rows(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<Vec<RowOut>>, AppError> {
    let reg = register_of(&code)?;
    Ok(Json(
        service::rows(&state, &c, reg)
            .await?
            .into_iter()
            .map(RowOut::from)
            .collect(),
    ))
}

/// Adds a row; the same rules as the form (a taken name is refused on `name`).
#[utoipa::path(post, path = "/api/v1/registers/{code}", tag = "registers", params(("code" = inline(RowRegister), Path)), request_body = RowIn,
    responses((status = 201, body = RowOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn add_row(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<RowIn>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    Ok(created(RowOut::from(
        service::save_row(&state, &c, reg, None, &b.fields).await?,
    )))
}

/// One row with its history and files.
#[utoipa::path(get, path = "/api/v1/registers/{code}/{id}", tag = "registers", params(("code" = inline(RowRegister), Path), ("id" = Uuid, Path)),
    responses((status = 200, body = RowDetail), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn row(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Json<RowDetail>, AppError> {
    let (row, history, files) = service::row(&state, &c, register_of(&code)?, id).await?;
    Ok(Json(RowDetail {
        row: row.into(),
        history: history.into_iter().map(ChangeOut::from).collect(),
        files: files.into_iter().map(FileOut::from).collect(),
    }))
}

/// Changes a row.
#[utoipa::path(put, path = "/api/v1/registers/{code}/{id}", tag = "registers", params(("code" = inline(RowRegister), Path), ("id" = Uuid, Path)), request_body = RowIn,
    responses((status = 200, body = RowOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn put_row(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((code, id)): Path<(String, Uuid)>,
    JsonBody(b): JsonBody<RowIn>,
) -> Result<Json<RowOut>, AppError> {
    let reg = register_of(&code)?;
    Ok(Json(
        service::save_row(&state, &c, reg, Some(id), &b.fields)
            .await?
            .into(),
    ))
}

/// Removes a row (its history stays).
#[utoipa::path(delete, path = "/api/v1/registers/{code}/{id}", tag = "registers", params(("code" = inline(RowRegister), Path), ("id" = Uuid, Path)),
    responses((status = 204, description = "removed"), (status = 404, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn remove_row(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    service::remove_row(&state, &c, register_of(&code)?, id).await?;
    Ok(no_content())
}

/// Imports a register's table (multipart `file`): all rows or none. Columns are found by our
/// headers and the names people commonly use; an optional `mapping` part (JSON object, field key
/// → header) says which column fills which field, and is remembered for the next import.
#[utoipa::path(post, path = "/api/v1/registers/{code}/import", tag = "registers", params(("code" = inline(RowRegister), Path)),
    request_body(content_type = "multipart/form-data", description = "a `file` part, and optionally a `mapping` part"),
    responses((status = 200, body = RowsImportedOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn import_rows(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Result<Json<RowsImportedOut>, AppError> {
    let reg = register_of(&code)?;
    let up = Upload::read(&mut form).await?;
    let mapping = mapping_json(up.field("mapping"))?;
    let (name, bytes) = up.file();
    let i = service::import_row_table(&state, &c, reg, name, bytes, mapping)
        .await?
        .map_err(refused)?;
    Ok(Json(RowsImportedOut {
        added: i.added,
        updated: i.updated,
    }))
}

/// A register as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/registers/{code}/export.csv", tag = "registers", params(("code" = inline(RowRegister), Path)),
    responses((status = 200, description = "the CSV file", content_type = "text/csv"), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn export_rows_csv(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    Ok(service::export_rows(&state, &c, register_of(&code)?, false)
        .await?
        .into_response())
}

/// A register as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/registers/{code}/export.xlsx", tag = "registers", params(("code" = inline(RowRegister), Path)),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn export_rows_xlsx(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    Ok(service::export_rows(&state, &c, register_of(&code)?, true)
        .await?
        .into_response())
}

/// Attaches a file to a row (multipart `file`), e.g. the MDS/SDS a vendor handed over.
#[utoipa::path(post, path = "/api/v1/registers/{code}/{id}/files", tag = "registers", params(("code" = inline(RowRegister), Path), ("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "a `file` part"),
    responses((status = 201, body = FileOut), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn attach(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((code, id)): Path<(String, Uuid)>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    let up = Upload::read(&mut form).await?;
    let (name, bytes) = up.file();
    let f = service::attach(&state, &c, reg, id, name, bytes.to_vec()).await?;
    Ok(created(FileOut::from(f)))
}

/// Downloads a file attached to a row.
#[utoipa::path(get, path = "/api/v1/registers/{code}/{id}/files/{file}", tag = "registers",
    params(("code" = inline(RowRegister), Path), ("id" = Uuid, Path), ("file" = Uuid, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn file(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((code, id, file)): Path<(String, Uuid, Uuid)>,
) -> Result<Response, AppError> {
    service::row_file(&state, &c, register_of(&code)?, id, file).await
}

// ---- the accounts review -----------------------------------------------------------------

/// A system's user list as imported.
#[derive(Serialize, ToSchema)]
pub struct SystemOut {
    system: String,
    accounts: usize,
    imported_at: Option<DateTime<Utc>>,
    imported_by: String,
    /// Role (`login`, `name`, `employee_id`, `last_login`, `admin`, `disabled`) → the header it reads.
    mapping: BTreeMap<String, String>,
}

/// An account with what is wrong with it.
#[derive(Serialize, ToSchema)]
pub struct FlaggedOut {
    system: String,
    login: String,
    name: String,
    employee_id: String,
    last_login: Option<NaiveDate>,
    admin: bool,
    disabled: bool,
    /// `left`, `not_on_staff_list`, `unused`, `shared`, `admin`.
    flags: Vec<String>,
}

/// Where the accounts review stands.
#[derive(Serialize, ToSchema)]
pub struct AccountsOut {
    total: usize,
    unused_days: i64,
    systems: Vec<SystemOut>,
    flagged: Vec<FlaggedOut>,
    last_review: Option<ReviewOut>,
}

fn flag_code(f: mamori_domain::accounts::Flag) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The accounts review: the systems' user lists, the flagged accounts, the last review.
#[utoipa::path(get, path = "/api/v1/accounts-review", tag = "registers",
    responses((status = 200, body = AccountsOut), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn accounts(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<AccountsOut>, AppError> {
    let r = service::accounts(&state, &c).await?;
    let systems = state
        .store
        .account_systems(c.org.id)
        .await?
        .into_iter()
        .map(|s| SystemOut {
            accounts: s.accounts.len(),
            imported_at: s.imported_at,
            imported_by: s.imported_by,
            mapping: s.mapping,
            system: s.system,
        })
        .collect();
    Ok(Json(AccountsOut {
        total: r.total,
        unused_days: r.unused_days,
        systems,
        flagged: r
            .flagged
            .into_iter()
            .map(|f| FlaggedOut {
                system: f.system,
                login: f.account.login,
                name: f.account.name,
                employee_id: f.account.employee_id,
                last_login: f.account.last_login,
                admin: f.account.admin,
                disabled: f.account.disabled,
                flags: f.flags.into_iter().map(flag_code).collect(),
            })
            .collect(),
        last_review: r.last_review.map(ReviewOut::from),
    }))
}

/// How many accounts an import read.
#[derive(Serialize, ToSchema)]
pub struct AccountsImportedOut {
    imported: usize,
}

/// Imports a system's user list (multipart: `system`, `file`, and optionally the mapping as
/// `map_login`, `map_name`, `map_employee_id`, `map_last_login`, `map_admin`, `map_disabled`,
/// each naming a header of the file). Without a mapping the one remembered for the system is
/// used when it fits the file; else the answer is 422 on `map_login`.
#[utoipa::path(post, path = "/api/v1/accounts-review/import", tag = "registers",
    request_body(content_type = "multipart/form-data", description = "`system`, `file` and optional `map_*` parts"),
    responses((status = 200, body = AccountsImportedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn import_accounts(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<AccountsImportedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let (name, bytes) = up.file();
    let mapping = up
        .fields
        .keys()
        .any(|k| k.starts_with("map_"))
        .then(|| service::mapping_from(&up.fields, "map_"));
    match service::import_accounts(&state, &c, up.field("system"), name, bytes, mapping)
        .await?
        .map_err(refused)?
    {
        AccountsImport::Imported(imported) => Ok(Json(AccountsImportedOut { imported })),
        AccountsImport::NeedsMapping { .. } => Err(AppError::Invalid(Problem::field(
            "map_login",
            "error.mapping_needed",
        ))),
    }
}

/// Imports the staff list (multipart `file` with 職員番号, 氏名, 退職日).
#[utoipa::path(post, path = "/api/v1/accounts-review/staff", tag = "registers",
    request_body(content_type = "multipart/form-data", description = "a `file` part"),
    responses((status = 200, body = AccountsImportedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn import_staff(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<AccountsImportedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let (name, bytes) = up.file();
    let imported = service::import_staff(&state, &c, name, bytes)
        .await?
        .map_err(refused)?;
    Ok(Json(AccountsImportedOut { imported }))
}

/// The review's settings.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct AccountsSettings {
    /// Days without a login after which an account counts as unused (1–3650).
    #[schema(example = 90, minimum = 1, maximum = 3650)]
    unused_days: i64,
}

/// Sets how many days without a login count as unused.
#[utoipa::path(put, path = "/api/v1/accounts-review/settings", tag = "registers", request_body = AccountsSettings,
    responses((status = 200, body = AccountsSettings), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn put_settings(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<AccountsSettings>,
) -> Result<Json<AccountsSettings>, AppError> {
    let unused_days = service::set_unused_days(&state, &c, &b.unused_days.to_string()).await?;
    Ok(Json(AccountsSettings { unused_days }))
}

/// The accounts to check as CSV, to hand to each system's administrator.
#[utoipa::path(get, path = "/api/v1/accounts-review/flagged.csv", tag = "registers",
    responses((status = 200, description = "the CSV file", content_type = "text/csv"), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn flagged_csv(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, AppError> {
    Ok(service::flagged_csv(&state, &c).await?.into_response())
}

// ---- known vulnerabilities ---------------------------------------------------------------

/// How many vulnerability records a feed held.
#[derive(Serialize, ToSchema)]
pub struct FeedImportedOut {
    records: usize,
}

/// Imports a CISA KEV catalog, an NVD CVE API 2.0 file or a JVN iPedia list (multipart `file`,
/// JSON), merging per CVE; a file that is none of these is refused with the reason.
#[utoipa::path(post, path = "/api/v1/vulnerabilities/import", tag = "registers",
    request_body(content_type = "multipart/form-data", description = "a `file` part"),
    responses((status = 200, body = FeedImportedOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn import_feed(
    State(state): State<AppState>,
    c: ApiCaller,
    mut form: Multipart,
) -> Result<Json<FeedImportedOut>, AppError> {
    let up = Upload::read(&mut form).await?;
    let (_, bytes) = up.file();
    let records = service::import_feed(&state, &c, bytes.to_vec()).await?;
    Ok(Json(FeedImportedOut { records }))
}

/// A decision taken on a finding.
#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    /// `accept` or `patched`.
    action: String,
    reason: Option<String>,
    patched_on: Option<NaiveDate>,
    decided_by: String,
    decided_at: DateTime<Utc>,
}

/// A known vulnerability found on a device of the ledger.
#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    device_id: Uuid,
    device: String,
    /// The device is internet-facing or the entrance of a remote connection.
    internet_facing: bool,
    cve: String,
    /// Known exploited (CISA KEV).
    kev: bool,
    /// Known ransomware use.
    ransomware: bool,
    /// CISA's due date, when in KEV.
    kev_due: String,
    cvss: Option<f32>,
    /// `version_matched` or `product_only` (the version could not be checked).
    certainty: String,
    /// Why it matched, so a person can check it against the record.
    why: WhyOut,
    summary: String,
    /// None while the finding is open.
    decision: Option<DecisionOut>,
}

/// Which CPE and which bound a finding matched on.
#[derive(Serialize, ToSchema)]
pub struct WhyOut {
    /// The CPE 2.3 name of the record's match (vendor to update), or KEV's vendor and product.
    #[schema(example = "cpe:2.3:o:fortinet:fortios:*:*")]
    cpe: String,
    /// `exact`, `range`, `any_version`, `no_version_typed`, `not_versioned`, `kev_name` or
    /// `only_on_hardware`.
    rule: String,
    /// The hardware name the device was found by, when not the CPE's own product.
    via_hardware: Option<String>,
    /// The whole reason in the request's language, e.g. `6.0.0 ≤ 6.0.4 < 6.0.5`.
    text: String,
}

impl FindingOut {
    fn of(r: FindingRow, lang: mamori_domain::Lang) -> Self {
        let f = r.f;
        let why = WhyOut {
            text: f.why.text(lang),
            rule: f.why.rule.kind().into(),
            cpe: f.why.cpe.clone(),
            via_hardware: f.why.via_hardware.clone(),
        };
        FindingOut {
            why,
            device_id: f.device_id,
            device: f.device,
            internet_facing: f.internet_facing,
            cve: f.cve,
            kev: f.kev,
            ransomware: f.ransomware,
            kev_due: f.kev_due,
            cvss: f.cvss,
            certainty: serde_json::to_value(f.certainty)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            summary: f.summary,
            decision: r.decision.map(|d| {
                let (action, reason, patched_on) = match d.decision {
                    FindingDecision::Accepted(r) => ("accept", Some(r), None),
                    FindingDecision::Patched(on) => ("patched", None, Some(on)),
                };
                DecisionOut {
                    action: action.into(),
                    reason,
                    patched_on,
                    decided_by: d.decided_by,
                    decided_at: d.decided_at,
                }
            }),
        }
    }
}

/// Every finding on the ledger's devices, the riskiest first (known exploited, internet-facing,
/// ransomware use, version confirmed, CVSS).
#[utoipa::path(get, path = "/api/v1/findings", tag = "registers",
    responses((status = 200, body = Vec<FindingOut>), (status = 403, body = ErrorOut)),
    security(("token" = ["view_registers"])))]
pub async fn findings(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<FindingOut>>, AppError> {
    Ok(Json(
        service::finding_list(&state, &c)
            .await?
            .into_iter()
            .map(|r| FindingOut::of(r, c.lang))
            .collect(),
    ))
}

/// A decision on a finding.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DecisionIn {
    /// `accept` (with a reason) or `patched` (with the day).
    #[schema(example = "patched")]
    action: String,
    /// Why the risk is accepted (at most 2,000 characters).
    reason: String,
    /// The day the patch was applied (`YYYY-MM-DD`, not in the future).
    #[schema(example = "2026-05-01")]
    patched_on: String,
}

/// Records a decision on the finding (device, CVE): accepted with a reason, or patched on a day.
#[utoipa::path(put, path = "/api/v1/findings/{device}/{cve}", tag = "registers",
    params(("device" = Uuid, Path), ("cve" = String, Path, description = "e.g. `CVE-2018-13379`")), request_body = DecisionIn,
    responses((status = 204, description = "recorded"), (status = 404, body = ErrorOut), (status = 422, body = ErrorOut)),
    security(("token" = ["manage_registers"])))]
pub async fn decide(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((device, cve)): Path<(Uuid, String)>,
    JsonBody(b): JsonBody<DecisionIn>,
) -> Result<Response, AppError> {
    let d = DecisionDraft {
        action: b.action,
        reason: b.reason,
        patched_on: b.patched_on,
    };
    service::decide(&state, &c, device, &cve, &d).await?;
    Ok(no_content())
}
