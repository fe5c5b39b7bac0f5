//! Spreadsheets for mamori: write a table as an XLSX workbook laid out for people (title row,
//! bold header, borders, wrapped text) and read the first worksheet of an XLSX back as text
//! cells, with dates as `YYYY-MM-DD`.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::io::Cursor;

/// Why a workbook could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error("cannot write the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
    /// The file is not a readable XLSX workbook.
    #[error("not a readable XLSX workbook: {0}")]
    Read(String),
}

/// A table to write: a title above, a header row, the rows, and column widths (characters).
pub struct Table<'a> {
    /// Worksheet name (at most 31 characters).
    pub sheet_name: &'a str,
    /// The title in the first row.
    pub title: &'a str,
    /// The header row.
    pub header: &'a [String],
    /// The rows.
    pub rows: &'a [Vec<String>],
    /// Column widths in characters; columns beyond get the default.
    pub widths: &'a [f64],
}

/// Writes the table as an XLSX workbook: title in row 1, header in row 2, rows from row 3.
pub fn write_xlsx(t: &Table<'_>) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let name: String = t
        .sheet_name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    ws.set_name(if name.is_empty() { "sheet" } else { &name })?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xEEF1F5)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    ws.write_string_with_format(0, 0, t.title, &title)?;
    for (c, w) in t.widths.iter().enumerate() {
        ws.set_column_width(col(c)?, *w)?;
    }
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(1, col(c)?, h, &head)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).map_err(|_| ReportError::Read("too many rows".into()))?;
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r, col(c)?, v, &cell)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(wb.save_to_buffer()?)
}

fn col(c: usize) -> Result<u16, ReportError> {
    u16::try_from(c).map_err(|_| ReportError::Read("too many columns".into()))
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads the first worksheet as rows of text cells (row 1 first), dates as `YYYY-MM-DD`.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReportError> {
    read_xlsx_named(bytes).map(|(_, rows)| rows)
}

/// Like [`read_xlsx`], with the worksheet's name, so faults can name the sheet too.
pub fn read_xlsx_named(bytes: &[u8]) -> Result<(String, Vec<Vec<String>>), ReportError> {
    let mut wb: Xlsx<Cursor<Vec<u8>>> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| ReportError::Read(e.to_string()))?;
    let name = wb.sheet_names().first().cloned().unwrap_or_default();
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| ReportError::Read("no worksheet".into()))?
        .map_err(|e| ReportError::Read(e.to_string()))?;
    // The range starts at the first used cell; pad so that row and column numbers match the sheet.
    let (top, left) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top];
    for r in range.rows() {
        let mut row = vec![String::new(); left];
        row.extend(r.iter().map(text));
        rows.push(row);
    }
    Ok((name, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_table_reads_back_cell_for_cell() {
        let header = vec!["項目ID".to_string(), "備考".to_string()];
        let rows = vec![
            vec![
                "fy2025.institution.2-01".to_string(),
                "台帳を作成中, \"サーバ室\"".to_string(),
            ],
            vec!["x".to_string(), String::new()],
        ];
        let bytes = write_xlsx(&Table {
            sheet_name: "令和7年度 医療機関確認用",
            title: "令和7年度",
            header: &header,
            rows: &rows,
            widths: &[30.0, 40.0],
        })
        .unwrap_or_default();
        assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
        let back = read_xlsx(&bytes).unwrap_or_default();
        assert_eq!(
            back.first().and_then(|r| r.first()).map(String::as_str),
            Some("令和7年度")
        );
        assert_eq!(back.get(1), Some(&header));
        assert_eq!(back.get(2), rows.first());
        assert_eq!(
            back.get(3).and_then(|r| r.first()).map(String::as_str),
            Some("x")
        );
    }

    #[test]
    fn garbage_is_refused_with_a_message() {
        assert!(read_xlsx(b"not a zip").is_err());
    }
}
