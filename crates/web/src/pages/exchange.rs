//! Exporting a sheet's answers as XLSX, CSV (Excel-friendly UTF-8 with BOM) or JSON, and importing
//! the XLSX or CSV back, also when Japanese Excel saved the CSV as Shift_JIS. A faulty file is
//! reported by file, worksheet, row and column and nothing is written. The same functions serve the
//! pages and the token API.

use super::see_other;
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Page, render_status};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::jst;
use mamori_domain::exchange::{COLUMNS, export_rows, header as table_header, import_rows};
use mamori_domain::table::CellError;
use mamori_store::Ctx;
use uuid::Uuid;

/// A file to hand out: name, content type, bytes.
pub struct Download {
    /// File name.
    pub name: String,
    /// Content type.
    pub content_type: &'static str,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl IntoResponse for Download {
    fn into_response(self) -> Response {
        let disposition = format!("attachment; filename=\"{}\"", self.name);
        (
            [
                (header::CONTENT_TYPE, self.content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.bytes,
        )
            .into_response()
    }
}

/// A table as a CSV download (UTF-8 with BOM, which Japanese Excel opens correctly).
pub fn csv_download(name: &str, rows: &[Vec<String>]) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        w.write_record(row)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download {
        name: name.to_string(),
        content_type: "text/csv; charset=utf-8",
        bytes,
    }
    .into_response())
}

/// A table as an XLSX download, with a title row above the header (as the import expects).
pub fn xlsx_download(
    name: &str,
    sheet_name: &str,
    title: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    let widths: Vec<f64> = header
        .iter()
        .map(|h| (h.chars().count() as f64 * 2.2).clamp(10.0, 40.0))
        .collect();
    let bytes = mamori_report::write_xlsx(&mamori_report::Table {
        sheet_name,
        title,
        header,
        rows,
        widths: &widths,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download {
        name: name.to_string(),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    }
    .into_response())
}

async fn table(
    state: &AppState,
    org_id: Uuid,
    id: Uuid,
) -> Result<
    (
        mamori_store::Assessment,
        &'static mamori_domain::catalog::Sheet,
        Vec<Vec<String>>,
    ),
    AppError,
> {
    let a = state.store.assessment_visible(org_id, id).await?;
    let sheet = super::assessments::sheet_of(&a)?;
    let answers: Vec<_> = state
        .store
        .answers(org_id, id)
        .await?
        .into_iter()
        .map(|x| (x.item_id, x.round, x.answer))
        .collect();
    let mut rows = vec![table_header()];
    rows.extend(export_rows(sheet, &answers));
    Ok((a, sheet, rows))
}

/// The sheet as CSV, laid out like the official form, for a caller of organisation `org_id`.
pub async fn csv_file(state: &AppState, org_id: Uuid, id: Uuid) -> Result<Download, AppError> {
    let (a, _, rows) = table(state, org_id, id).await?;
    // The byte-order mark makes Excel read UTF-8 instead of guessing Shift_JIS.
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in &rows {
        w.write_record(r)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download {
        name: format!("{}.csv", a.sheet_id),
        content_type: "text/csv; charset=utf-8",
        bytes,
    })
}

/// The sheet as an XLSX workbook laid out like the official form (title, header, one row per item).
pub async fn xlsx_file(state: &AppState, org_id: Uuid, id: Uuid) -> Result<Download, AppError> {
    let (a, sheet, rows) = table(state, org_id, id).await?;
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
    let bytes = mamori_report::write_xlsx(&mamori_report::Table {
        sheet_name: &sheet.title_ja,
        title: &title,
        header,
        rows: body,
        widths: &widths,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download {
        name: format!("{}.xlsx", a.sheet_id),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    })
}

/// The sheet as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewAssessments)?;
    Ok(csv_file(&state, s.org.id, id).await?.into_response())
}

/// The sheet as XLSX.
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewAssessments)?;
    Ok(xlsx_file(&state, s.org.id, id).await?.into_response())
}

/// The sheet's answers as JSON.
pub async fn export_json(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewAssessments)?;
    let a = state.store.assessment_visible(s.org.id, id).await?;
    let answers: Vec<_> = state
        .store
        .answers(s.org.id, id)
        .await?
        .into_iter()
        .map(|x| serde_json::json!({"item_id": x.item_id, "round": x.round.number(), "answer": x.answer, "updated_at": x.updated_at, "updated_by": x.updated_by}))
        .collect();
    let body = serde_json::json!({
        "id": a.id, "sheet": a.sheet_id, "fiscal_year": a.fiscal_year, "title": a.title,
        "maturity": a.maturity, "maturity_rationale": a.maturity_rationale, "answers": answers,
    });
    let bytes = serde_json::to_vec_pretty(&body).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download {
        name: format!("{}.json", a.sheet_id),
        content_type: "application/json",
        bytes,
    }
    .into_response())
}

/// Decodes a CSV file: UTF-8 (with or without BOM), else Shift_JIS as Japanese Excel writes it.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    (!had_errors).then(|| text.into_owned())
}

/// Parses CSV text into rows of cells.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|_| i + 1)?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Why an imported file was refused: the file (and worksheet) and every fault.
pub struct Refusal {
    /// File name, with the worksheet for a workbook.
    pub file: String,
    /// The faults.
    pub errors: Vec<CellError>,
}

impl Refusal {
    /// The faults of a table that starts `offset` rows down the file (below a title), numbered as
    /// the user sees the rows.
    pub fn shifted(file: String, errors: Vec<CellError>, offset: usize) -> Refusal {
        Refusal {
            file,
            errors: errors
                .into_iter()
                .map(|mut e| {
                    e.row += offset;
                    e
                })
                .collect(),
        }
    }
}

fn whole(file: &str, key: &str, row: usize) -> Refusal {
    Refusal {
        file: file.to_string(),
        errors: vec![CellError {
            row,
            column: String::new(),
            letter: String::new(),
            key: key.into(),
        }],
    }
}

/// Reads an uploaded table: XLSX (from the row whose first cell is one of `first`, since our
/// workbooks carry a title above the header) or CSV in UTF-8 or Shift_JIS. Returns the rows, how
/// many rows were skipped above the header, and the file's label (with the worksheet).
pub fn read_table(
    name: &str,
    bytes: &[u8],
    first: &[&str],
) -> Result<(Vec<Vec<String>>, usize, String), Refusal> {
    if bytes.is_empty() {
        return Err(whole(name, "error.import_empty", 0));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let Ok((worksheet, rows)) = mamori_report::read_xlsx_named(bytes) else {
            return Err(whole(name, "error.import_xlsx", 0));
        };
        let h = rows
            .iter()
            .position(|r| r.first().is_some_and(|c| first.contains(&c.trim())))
            .unwrap_or(0);
        return Ok((
            rows.into_iter().skip(h).collect(),
            h,
            format!("{name} — {worksheet}"),
        ));
    }
    let Some(text) = decode(bytes) else {
        return Err(whole(name, "error.import_encoding", 0));
    };
    match parse_csv(&text) {
        Ok(r) => Ok((r, 0, name.to_string())),
        Err(row) => Err(whole(name, "error.import_csv", row)),
    }
}

/// Imports an XLSX or CSV file into an assessment: every cell is checked first, then all answers
/// are written in one transaction, or none. Returns how many answers were written.
pub async fn import_file(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    name: &str,
    bytes: &[u8],
) -> Result<Result<usize, Refusal>, AppError> {
    let a = state.store.assessment_visible(ctx.org_id, id).await?;
    let sheet = super::assessments::sheet_of(&a)?;
    let first = [COLUMNS[0].0, COLUMNS[0].1];
    let (rows, offset, label) = match read_table(name, bytes, &first) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let today = state.now().with_timezone(&jst()).date_naive();
    match import_rows(sheet, &rows, today) {
        Err(errors) => Ok(Err(Refusal::shifted(label, errors, offset))),
        Ok(answers) => {
            state
                .store
                .save_answers(ctx, id, &answers, "assessment.import")
                .await?;
            Ok(Ok(answers.len()))
        }
    }
}

/// One fault as shown.
pub struct FaultRow {
    /// Row number (header = 1).
    pub row: usize,
    /// Column letter and header.
    pub column: String,
    /// Message key.
    pub key: String,
}

#[derive(Template)]
#[template(path = "import_errors.html")]
struct ImportErrors {
    page: Page,
    back: String,
    back_key: &'static str,
    file: String,
    faults: Vec<FaultRow>,
}

/// The page that shows why an import was refused, with the way back.
pub fn refusal_page(
    s: &SignedIn,
    here: &'static str,
    back: String,
    back_key: &'static str,
    r: Refusal,
) -> Result<Response, AppError> {
    let faults = r
        .errors
        .into_iter()
        .map(|e| FaultRow {
            row: e.row,
            column: if e.letter.is_empty() {
                e.column
            } else {
                format!("{} ({})", e.letter, e.column)
            },
            key: e.key,
        })
        .collect();
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ImportErrors {
            page: Page::signed_in(s, "assess.import", here),
            back,
            back_key,
            file: r.file,
            faults,
        },
    )
}

/// Reads the form token and the first file of a multipart form.
pub async fn csrf_and_file(
    form: &mut Multipart,
) -> Result<(String, Option<(String, Vec<u8>)>), AppError> {
    let mut csrf = String::new();
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.malformed"))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadRequest("error.malformed"))?
            }
            Some("file") if file.is_none() => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("error.malformed"))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// Imports answers from an XLSX or CSV file uploaded on the sheet page.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::AnswerAssessments)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    match import_file(&state, &s.ctx(), id, &name, &bytes).await? {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_from_japanese_excel_is_read() {
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("項目ID,No.\nfy2025.institution.2-01,2-①\n");
        let text = decode(&sjis).unwrap_or_default();
        assert!(text.starts_with("項目ID"));
        assert_eq!(decode(b"\xEF\xBB\xBFabc").as_deref(), Some("abc"));
        assert_eq!(decode(&[0x82, 0xFF, 0xFF]), None);
        assert_eq!(parse_csv("a,\"b,c\"\nd").map(|r| r.len()), Ok(2));
    }
}
