//! Exporting a sheet's answers as CSV (Excel-friendly UTF-8 with BOM) or JSON, and importing the
//! same CSV back, also when Japanese Excel saved it as Shift_JIS. A faulty file is reported by row
//! and column and nothing is written.

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
use mamori_domain::exchange::{
    COLUMNS, CellError, export_rows, header as table_header, import_rows,
};
use uuid::Uuid;

async fn table(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
) -> Result<
    (
        mamori_store::Assessment,
        &'static mamori_domain::catalog::Sheet,
        Vec<Vec<String>>,
    ),
    AppError,
> {
    let a = state.store.assessment_visible(s.org.id, id).await?;
    let sheet = super::assessments::sheet_of(&a)?;
    let answers: Vec<_> = state
        .store
        .answers(s.org.id, id)
        .await?
        .into_iter()
        .map(|x| (x.item_id, x.round, x.answer))
        .collect();
    let mut rows = vec![table_header()];
    rows.extend(export_rows(sheet, &answers));
    Ok((a, sheet, rows))
}

fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// The sheet as CSV, laid out like the official form.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewAssessments)?;
    let (a, _, rows) = table(&state, &s, id).await?;
    // The byte-order mark makes Excel read UTF-8 instead of guessing Shift_JIS.
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in &rows {
        w.write_record(r)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(
        &format!("{}.csv", a.sheet_id),
        "text/csv; charset=utf-8",
        body,
    ))
}

/// The sheet as an XLSX workbook laid out like the official form (title, header, one row per item).
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewAssessments)?;
    let (a, sheet, rows) = table(&state, &s, id).await?;
    let title = format!(
        "{} — {}{}",
        sheet.title_ja,
        s.org.profile.name,
        if a.title.is_empty() {
            String::new()
        } else {
            format!(" — {}", a.title)
        }
    );
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
    Ok(attachment(
        &format!("{}.xlsx", a.sheet_id),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
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
    Ok(attachment(
        &format!("{}.json", a.sheet_id),
        "application/json",
        bytes,
    ))
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
    id: Uuid,
    file: String,
    faults: Vec<FaultRow>,
}

fn refuse(
    s: &SignedIn,
    id: Uuid,
    file: &str,
    errors: Vec<CellError>,
) -> Result<Response, AppError> {
    let faults = errors
        .into_iter()
        .map(|e| FaultRow {
            row: e.row,
            column: format!("{} ({})", e.letter, e.column),
            key: e.key,
        })
        .collect();
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ImportErrors {
            page: Page::signed_in(s, "assess.import", "/assessments"),
            id,
            file: file.to_string(),
            faults,
        },
    )
}

/// Imports answers from a CSV file: every row is checked first, then all are written in one
/// transaction, or none.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::AnswerAssessments)?;
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
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("error.malformed"))?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    s.check_csrf(&csrf)?;
    let a = state.store.assessment_visible(s.org.id, id).await?;
    let sheet = super::assessments::sheet_of(&a)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(
            &s,
            id,
            "",
            vec![CellError {
                row: 0,
                column: String::new(),
                letter: String::new(),
                key: "error.import_empty".into(),
            }],
        );
    };
    let whole = |key: &str, row: usize| {
        vec![CellError {
            row,
            column: String::new(),
            letter: String::new(),
            key: key.into(),
        }]
    };
    let (rows, offset, label) = if bytes.starts_with(b"PK\x03\x04") {
        let Ok((worksheet, rows)) = mamori_report::read_xlsx_named(&bytes) else {
            return refuse(&s, id, &name, whole("error.import_xlsx", 0));
        };
        // Faults name the file and the worksheet, then row and column.
        let label = format!("{name} — {worksheet}");
        // The workbook has a title above the header: start at the header row.
        let h = rows
            .iter()
            .position(|r| {
                r.first()
                    .is_some_and(|c| c.trim() == COLUMNS[0].0 || c.trim() == COLUMNS[0].1)
            })
            .unwrap_or(0);
        (rows.into_iter().skip(h).collect::<Vec<_>>(), h, label)
    } else {
        let Some(text) = decode(&bytes) else {
            return refuse(&s, id, &name, whole("error.import_encoding", 0));
        };
        match parse_csv(&text) {
            Ok(r) => (r, 0, name.clone()),
            Err(row) => return refuse(&s, id, &name, whole("error.import_csv", row)),
        }
    };
    let today = state.now().with_timezone(&jst()).date_naive();
    match import_rows(sheet, &rows, today) {
        Err(errors) => refuse(
            &s,
            id,
            &label,
            errors
                .into_iter()
                .map(|mut e| {
                    e.row += offset;
                    e
                })
                .collect(),
        ),
        Ok(answers) => {
            state
                .store
                .save_answers(&s.ctx(), id, &answers, "assessment.import")
                .await?;
            Ok(see_other(&format!(
                "/assessments/{id}?imported={}",
                answers.len()
            )))
        }
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
