//! A sheet's answers as a table laid out like the official form: exported as XLSX, CSV
//! (Excel-friendly UTF-8 with BOM) or JSON, and imported back from XLSX or CSV, also when Japanese
//! Excel saved the CSV as Shift_JIS. A faulty file is reported by file, worksheet, row and column
//! and nothing is written. Pages and API both call the functions here.

use super::service::{self, sheet_of};
use crate::core::auth::{Caller, SignedIn};
use crate::core::error::AppError;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Download, Refusal, Upload, read_table, refusal_page};
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission::AnswerAssessments;
use mamori_domain::exchange::{COLUMNS, export_rows, header as table_header, import_rows};
use mamori_store::Assessment;
use uuid::Uuid;

async fn table(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<(Assessment, Vec<Vec<String>>), AppError> {
    let a = service::open(state, c, id).await?.object;
    let answers: Vec<_> = service::answers(state, c, &a)
        .await?
        .into_iter()
        .map(|x| (x.item_id, x.round, x.answer))
        .collect();
    let mut rows = vec![table_header()];
    rows.extend(export_rows(sheet_of(&a)?, &answers));
    Ok((a, rows))
}

/// The sheet as CSV, laid out like the official form.
pub async fn csv_file(state: &AppState, c: &Caller, id: Uuid) -> Result<Download, AppError> {
    let (a, rows) = table(state, c, id).await?;
    Download::csv(&format!("{}.csv", a.sheet_id), &rows)
}

/// The sheet as an XLSX workbook laid out like the official form (title, header, one row per item).
pub async fn xlsx_file(state: &AppState, c: &Caller, id: Uuid) -> Result<Download, AppError> {
    let (a, rows) = table(state, c, id).await?;
    let sheet = sheet_of(&a)?;
    let owner = state.store.org(a.org_id).await?.profile.name;
    let subject = if a.title.is_empty() {
        String::new()
    } else {
        format!(" — {}", a.title)
    };
    let title = format!("{} — {owner}{subject}", sheet.title_ja);
    let (header, body) = rows
        .split_first()
        .ok_or_else(|| AppError::Internal("empty table".into()))?;
    let widths = [
        24.0, 7.0, 60.0, 12.0, 9.0, 12.0, 12.0, 9.0, 30.0, 12.0, 30.0, 20.0, 20.0, 14.0, 14.0,
    ];
    Download::xlsx(
        &format!("{}.xlsx", a.sheet_id),
        &sheet.title_ja,
        &title,
        header,
        body,
        Some(&widths),
    )
}

/// The sheet's answers as JSON.
pub async fn json_file(state: &AppState, c: &Caller, id: Uuid) -> Result<Download, AppError> {
    let a = service::open(state, c, id).await?.object;
    let answers: Vec<_> = service::answers(state, c, &a)
        .await?
        .into_iter()
        .map(|x| serde_json::json!({"item_id": x.item_id, "round": x.round.number(), "answer": x.answer, "updated_at": x.updated_at, "updated_by": x.updated_by}))
        .collect();
    let body = serde_json::json!({
        "id": a.id, "sheet": a.sheet_id, "fiscal_year": a.fiscal_year, "title": a.title,
        "maturity": a.maturity, "maturity_rationale": a.maturity_rationale, "answers": answers,
    });
    Download::json(&format!("{}.json", a.sheet_id), &body)
}

/// Imports an XLSX or CSV file into an assessment: every cell is checked first, then all answers
/// are written in one transaction, or none. Returns how many answers were written.
pub async fn import_file(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    name: &str,
    bytes: &[u8],
) -> Result<Result<usize, Refusal>, AppError> {
    c.require(AnswerAssessments)?;
    let a = service::open(state, c, id).await?.object;
    let first = [COLUMNS[0].0, COLUMNS[0].1];
    let table = match read_table(name, bytes, &first) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    match import_rows(sheet_of(&a)?, &table.rows, c.today()) {
        Err(errors) => Ok(Err(table.refusal(errors))),
        Ok(answers) => {
            state
                .store
                .save_answers(&c.ctx(), id, &answers, "assessment.import")
                .await?;
            Ok(Ok(answers.len()))
        }
    }
}

/// The sheet as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(csv_file(&state, &s, id).await?.into_response())
}

/// The sheet as XLSX.
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(xlsx_file(&state, &s, id).await?.into_response())
}

/// The sheet's answers as JSON.
pub async fn export_json(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(json_file(&state, &s, id).await?.into_response())
}

/// Imports answers from an XLSX or CSV file uploaded on the sheet page.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match import_file(&state, &s, id, name, bytes).await? {
        Ok(n) => Ok(see_other(&format!("/assessments/{id}?imported={n}"))),
        Err(r) => refusal_page(
            &s,
            "/assessments",
            format!("/assessments/{id}"),
            "assess.sheet",
            r,
        ),
    }
}
