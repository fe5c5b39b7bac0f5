//! Spreadsheets for mamori: write a table as an XLSX workbook laid out for people (title row,
//! bold header, borders, wrapped text) and read the first worksheet of an XLSX back as text
//! cells, with dates as `YYYY-MM-DD` — within limits on what the file unpacks to and on its rows,
//! columns and cells, so that a small hostile file cannot make the reader allocate gigabytes.

use calamine::{DataRef, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::io::Read;

/// Why a workbook could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error("cannot write the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
    /// The file is not a readable XLSX workbook.
    #[error("not a readable XLSX workbook: {0}")]
    Read(String),
    /// The workbook is larger than the limits allow; the text says which limit.
    #[error("the workbook is too large: {0}")]
    TooLarge(String),
}

/// How much a workbook read may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all the workbook's parts unpack to, together.
    pub unpacked_bytes: u64,
    /// Rows of the worksheet (the last used row's number).
    pub rows: usize,
    /// Columns of the worksheet (the last used column's number).
    pub columns: usize,
    /// Cells with a value.
    pub cells: usize,
}

impl Default for Limits {
    /// Far above any register or checklist a hospital keeps, far below what hurts a small server.
    fn default() -> Self {
        Limits {
            unpacked_bytes: 64 * 1024 * 1024,
            rows: 50_000,
            columns: 200,
            cells: 1_000_000,
        }
    }
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

fn text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// Unpacks every part of the zip container once, counting, and refuses the file as soon as the
/// parts together pass the limit: the sizes a zip declares can lie, the bytes it unpacks to
/// cannot.
fn check_unpacked(bytes: &[u8], limit: u64) -> Result<(), ReportError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReportError::Read(e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| ReportError::Read(e.to_string()))?;
        let left = limit.saturating_sub(total);
        let n = std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink())
            .map_err(|e| ReportError::Read(e.to_string()))?;
        total += n;
        if total > limit {
            return Err(ReportError::TooLarge(format!(
                "it unpacks to more than {} MB",
                limit / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// Reads the first worksheet as rows of text cells (row 1 first), dates as `YYYY-MM-DD`.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReportError> {
    read_xlsx_named(bytes, &Limits::default()).map(|(_, rows)| rows)
}

/// Like [`read_xlsx`], within `limits`, with the worksheet's name so faults can name the sheet.
/// The cells are read one by one (never as the rectangle the sheet claims to span), and reading
/// stops at the first cell past a limit.
pub fn read_xlsx_named(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(String, Vec<Vec<String>>), ReportError> {
    check_unpacked(bytes, limits.unpacked_bytes)?;
    let mut wb: Xlsx<Cursor<Vec<u8>>> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| ReportError::Read(e.to_string()))?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ReportError::Read("no worksheet".into()))?;
    let mut cells: BTreeMap<(usize, usize), String> = BTreeMap::new();
    {
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| ReportError::Read(e.to_string()))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| ReportError::Read(e.to_string()))?
        {
            let (r, c) = cell.get_position();
            let (r, c) = (r as usize, c as usize);
            if r >= limits.rows {
                return Err(ReportError::TooLarge(format!(
                    "more than {} rows",
                    limits.rows
                )));
            }
            if c >= limits.columns {
                return Err(ReportError::TooLarge(format!(
                    "more than {} columns",
                    limits.columns
                )));
            }
            let v = text(cell.get_value());
            if v.is_empty() {
                continue;
            }
            if cells.len() >= limits.cells {
                return Err(ReportError::TooLarge(format!(
                    "more than {} cells",
                    limits.cells
                )));
            }
            cells.insert((r, c), v);
        }
    }
    // Rows as the sheet numbers them; each only as wide as its last used cell.
    let last_row = cells.keys().map(|(r, _)| *r).max();
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); last_row.map_or(0, |r| r + 1)];
    for ((r, c), v) in cells {
        if let Some(row) = rows.get_mut(r) {
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            if let Some(slot) = row.get_mut(c) {
                *slot = v;
            }
        }
    }
    Ok((name, rows))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
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

    fn sparse(cells: &[(u32, u16)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c) in cells {
            ws.write_string(*r, *c, "x").unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_spanning_a_huge_rectangle_with_two_cells_is_refused_without_filling_it() {
        // A1 and ALL60000: a file of about 6 KB whose rectangle is 60 million cells.
        let bomb = sparse(&[(0, 0), (59_999, 999)]);
        assert!(bomb.len() < 10_000);
        match read_xlsx_named(&bomb, &Limits::default()) {
            Err(ReportError::TooLarge(why)) => {
                assert!(why.contains("rows") || why.contains("columns"))
            }
            other => panic!("not refused: {:?}", other.map(|(n, r)| (n, r.len()))),
        }
        // Within the limits the same two cells read as two rows of their own widths.
        let limits = Limits {
            rows: 70_000,
            columns: 1_000,
            ..Limits::default()
        };
        let (_, rows) = read_xlsx_named(&bomb, &limits).unwrap();
        assert_eq!(rows.len(), 60_000);
        assert_eq!(rows[0], vec!["x".to_string()]);
        assert_eq!(rows[59_999].len(), 1_000);
        assert!(rows[1].is_empty());
    }

    #[test]
    fn cells_past_the_limit_stop_the_read() {
        let many: Vec<(u32, u16)> = (0..50).flat_map(|r| (0..10).map(move |c| (r, c))).collect();
        let limits = Limits {
            cells: 100,
            ..Limits::default()
        };
        assert!(matches!(
            read_xlsx_named(&sparse(&many), &limits),
            Err(ReportError::TooLarge(_))
        ));
    }

    #[test]
    fn a_container_that_unpacks_past_the_limit_is_refused() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        let zeros = vec![b'0'; 1024 * 1024];
        for _ in 0..80 {
            w.write_all(&zeros).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert!(
            bytes.len() < 1024 * 1024,
            "small on the wire: {}",
            bytes.len()
        );
        match read_xlsx_named(&bytes, &Limits::default()) {
            Err(ReportError::TooLarge(why)) => assert!(why.contains("unpacks")),
            other => panic!("not refused: {:?}", other.map(|(n, _)| n)),
        }
    }
}
