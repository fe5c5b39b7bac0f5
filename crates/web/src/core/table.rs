//! Tables in and out, for every capability: downloads as CSV (UTF-8 with BOM, which Japanese Excel
//! opens correctly) and XLSX, uploads read from XLSX or CSV in UTF-8 or Shift_JIS, and the page
//! that names each fault of a refused file by row and column.

use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::view::{Page, render_status};
use askama::Template;
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::table::CellError;
use std::collections::BTreeMap;

/// A file to hand out: name, content type, bytes.
pub struct Download {
    /// File name.
    pub name: String,
    /// Content type.
    pub content_type: &'static str,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The content type of XLSX workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Download {
    /// A table as CSV, header row included in `rows`.
    pub fn csv(name: &str, rows: &[Vec<String>]) -> Result<Download, AppError> {
        // The byte-order mark makes Excel read UTF-8 instead of guessing Shift_JIS.
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        for row in rows {
            w.write_record(row.iter().map(|c| guard(c)))
                .map_err(|e| AppError::Internal(e.to_string()))?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Download {
            name: name.to_string(),
            content_type: "text/csv; charset=utf-8",
            bytes,
        })
    }

    /// A table as an XLSX workbook with a title row above the header (as the imports expect);
    /// column widths follow the header unless given.
    pub fn xlsx(
        name: &str,
        sheet_name: &str,
        title: &str,
        header: &[String],
        rows: &[Vec<String>],
        widths: Option<&[f64]>,
    ) -> Result<Download, AppError> {
        let from_header: Vec<f64> = header
            .iter()
            .map(|h| (h.chars().count() as f64 * 2.2).clamp(10.0, 40.0))
            .collect();
        let bytes = mamori_report::write_xlsx(&mamori_report::Table {
            sheet_name,
            title,
            header,
            rows,
            widths: widths.unwrap_or(&from_header),
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Download {
            name: name.to_string(),
            content_type: XLSX,
            bytes,
        })
    }

    /// A JSON document as a file.
    pub fn json(name: &str, value: &serde_json::Value) -> Result<Download, AppError> {
        Ok(Download {
            name: name.to_string(),
            content_type: "application/json; charset=utf-8",
            bytes: serde_json::to_vec_pretty(value)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        })
    }
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

/// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
fn formula_lead(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell as written to CSV: one that a spreadsheet would run as a formula (a device named
/// `=HYPERLINK(…)`, a vendor's note) is written with a leading `'`, which spreadsheets show as
/// text. [`unguard`] takes it off again, so a round trip is lossless.
pub fn guard(cell: &str) -> String {
    let mut chars = cell.chars();
    match chars.next() {
        Some(c) if formula_lead(c) => format!("'{cell}"),
        // A cell that itself starts with the guard: guard it too, so unguard returns it.
        Some('\'') if chars.next().is_some_and(formula_lead) => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// A cell as read from CSV: the guard [`guard`] wrote is taken off.
pub fn unguard(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest.chars().next().is_some_and(formula_lead)
                || (rest.starts_with('\'') && rest.chars().nth(1).is_some_and(formula_lead)) =>
        {
            rest.to_string()
        }
        _ => cell.to_string(),
    }
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

/// Rows as CSV text, formula-like cells guarded (`parse_csv` takes the guard off again).
pub fn to_csv(rows: &[Vec<String>]) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|c| guard(c)))
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    String::from_utf8(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Why CSV text could not be read into rows.
#[derive(Debug, PartialEq, Eq)]
pub enum CsvFault {
    /// The record at this row is malformed.
    Malformed(usize),
    /// More rows, columns or cells than the limits allow.
    TooLarge,
}

/// Parses CSV text into rows of cells within the limits (the same as for workbooks); a
/// malformed file names the record at fault, and reading stops at the first row past a limit.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, CsvFault> {
    let limits = mamori_report::Limits::default();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells = 0usize;
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|_| CsvFault::Malformed(i + 1))?;
        cells += rec.len();
        if i >= limits.rows || rec.len() > limits.columns || cells > limits.cells {
            return Err(CsvFault::TooLarge);
        }
        rows.push(rec.iter().map(unguard).collect());
    }
    Ok(rows)
}

/// Why an imported file was refused: the file (and worksheet) and every fault.
#[derive(Debug)]
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
            errors: errors.into_iter().map(|e| e.shifted(offset)).collect(),
        }
    }

    /// A fault of the whole file (empty, unreadable, wrong encoding).
    pub fn whole(file: &str, key: &str, row: usize) -> Refusal {
        Refusal {
            file: file.to_string(),
            errors: vec![CellError::whole(row, key)],
        }
    }

    /// The faults as API field errors, each named by its cell (e.g. `F5`) or row (`row 5`).
    pub fn problem(&self) -> mamori_domain::validate::Problem {
        mamori_domain::validate::Problem::new(
            self.errors
                .iter()
                .map(|e| mamori_domain::validate::FieldError {
                    field: match (e.letter.is_empty(), e.row) {
                        (true, 0) => "file".to_string(),
                        (true, row) => format!("row {row}"),
                        (false, row) => format!("{}{row}", e.letter),
                    },
                    key: e.key.clone(),
                })
                .collect(),
        )
    }
}

/// An uploaded table: its rows from the header on, how many rows stood above the header, and
/// the file's label (with the worksheet).
pub struct UploadedTable {
    /// Rows, header first.
    pub rows: Vec<Vec<String>>,
    /// Rows skipped above the header (a title).
    pub offset: usize,
    /// File name, with the worksheet for a workbook.
    pub label: String,
}

impl UploadedTable {
    /// The refusal of this table's faults, numbered as the user sees the file's rows.
    pub fn refusal(&self, errors: Vec<CellError>) -> Refusal {
        Refusal::shifted(self.label.clone(), errors, self.offset)
    }
}

/// Reads an uploaded table: XLSX (from the row whose first cell is one of `first`, since our
/// workbooks carry a title above the header) or CSV in UTF-8 or Shift_JIS.
pub fn read_table(name: &str, bytes: &[u8], first: &[&str]) -> Result<UploadedTable, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::whole(name, "error.import_empty", 0));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let (worksheet, rows) =
            match mamori_report::read_xlsx_named(bytes, &mamori_report::Limits::default()) {
                Ok(t) => t,
                Err(mamori_report::ReportError::TooLarge(_)) => {
                    return Err(Refusal::whole(name, "error.import_too_large", 0));
                }
                Err(_) => return Err(Refusal::whole(name, "error.import_xlsx", 0)),
            };
        let h = rows
            .iter()
            .position(|r| r.first().is_some_and(|c| first.contains(&c.trim())))
            .unwrap_or(0);
        return Ok(UploadedTable {
            rows: rows.into_iter().skip(h).collect(),
            offset: h,
            label: format!("{name} — {worksheet}"),
        });
    }
    let Some(text) = decode(bytes) else {
        return Err(Refusal::whole(name, "error.import_encoding", 0));
    };
    match parse_csv(&text) {
        Ok(rows) => Ok(UploadedTable {
            rows,
            offset: 0,
            label: name.to_string(),
        }),
        Err(CsvFault::Malformed(row)) => Err(Refusal::whole(name, "error.import_csv", row)),
        Err(CsvFault::TooLarge) => Err(Refusal::whole(name, "error.import_too_large", 0)),
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

/// A multipart form: its text fields and its first `file` part (name and bytes).
#[derive(Default)]
pub struct Upload {
    /// Text fields by name (the last value of a repeated name).
    pub fields: BTreeMap<String, String>,
    /// The file, if one was sent.
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    /// Reads a multipart form.
    pub async fn read(form: &mut Multipart) -> Result<Upload, AppError> {
        let bad = |_| AppError::BadRequest("error.malformed");
        let mut out = Upload::default();
        while let Some(field) = form.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let filename = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if out.file.is_none() {
                    out.file = Some((filename, bytes.to_vec()));
                }
            } else {
                out.fields.insert(name, field.text().await.map_err(bad)?);
            }
        }
        Ok(out)
    }

    /// A text field, or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// The form token sent with the form.
    pub fn csrf(&self) -> &str {
        self.field("csrf")
    }

    /// The file's name and bytes, empty when none was sent.
    pub fn file(&self) -> (&str, &[u8]) {
        match &self.file {
            Some((n, b)) => (n.as_str(), b.as_slice()),
            None => ("", &[]),
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

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_as_they_were() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already",
            "plain",
            "",
            "'quoted",
        ] {
            let written = guard(cell);
            assert!(
                !written.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} written as {written:?}"
            );
            assert_eq!(unguard(&written), cell, "{cell:?} round trips");
        }
        let d = Download::csv("t.csv", &[vec!["=1+1".to_string()]]).map(|d| d.bytes);
        assert_eq!(d.ok().as_deref(), Some("\u{feff}'=1+1\n".as_bytes()));
    }

    #[test]
    fn a_table_past_the_limits_is_refused() {
        let wide = vec!["x"; 201].join(",");
        assert_eq!(parse_csv(&wide), Err(CsvFault::TooLarge));
        let long = "x\n".repeat(50_001);
        assert_eq!(parse_csv(&long), Err(CsvFault::TooLarge));
    }
}
