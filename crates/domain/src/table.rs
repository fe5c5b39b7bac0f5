//! What every table import shares: faults named by the row and column the user sees in the
//! spreadsheet, and finding a column by the names people give it.

use crate::validate::Problem;
use serde::Serialize;
use std::collections::BTreeMap;

/// A fault in an imported table: the row (1 = header) and column as the user sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// Row number, counting the header as 1.
    pub row: usize,
    /// Column header (Japanese).
    pub column: String,
    /// Column letter as in a spreadsheet (A, B, …), empty when the fault is the whole row.
    pub letter: String,
    /// Message key.
    pub key: String,
}

impl CellError {
    /// A fault in one cell: `col` is the zero-based position of the column in the file, when the
    /// file has it.
    pub fn at(row: usize, col: Option<usize>, column: &str, key: &str) -> CellError {
        CellError {
            row,
            column: column.to_string(),
            letter: col.map(column_letter).unwrap_or_default(),
            key: key.to_string(),
        }
    }

    /// A fault of a whole row (or of the file, at row 0 or 1).
    pub fn whole(row: usize, key: &str) -> CellError {
        CellError::at(row, None, "", key)
    }

    /// The same fault in a file where the table starts `offset` rows further down (below a title).
    pub fn shifted(mut self, offset: usize) -> CellError {
        self.row += offset;
        self
    }
}

/// The spreadsheet letter of a zero-based column (A, B, …, Z, AA, …).
pub fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.iter().rev().map(|b| *b as char).collect()
}

/// The position of the first header cell equal to one of `names` (trimmed; Latin letters
/// compared without case).
pub fn find_column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim();
        names.iter().any(|n| h == *n || h.eq_ignore_ascii_case(n))
    })
}

/// A field a table import fills: its key, its header in our own files (Japanese, English), and
/// the other names people give the column in their own spreadsheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Field key.
    pub key: &'static str,
    /// Header in our files, Japanese.
    pub ja: &'static str,
    /// Header in our files, English.
    pub en: &'static str,
    /// Must be present for a row to be read.
    pub required: bool,
    /// Other headers recognised for it (機器名, ホスト名, Hostname, …).
    pub aliases: &'static [&'static str],
}

impl Column {
    /// A column: key, our headers (Japanese, English), whether required, other names.
    pub const fn new(
        key: &'static str,
        ja: &'static str,
        en: &'static str,
        required: bool,
        aliases: &'static [&'static str],
    ) -> Column {
        Column {
            key,
            ja,
            en,
            required,
            aliases,
        }
    }

    /// The header label in a language.
    pub fn label(&self, lang: crate::Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }
}

/// Which header of the user's file fills each field (field key → header text as in the file).
pub type ColumnMapping = BTreeMap<String, String>;

/// A header as compared: full-width folded, lower-case, without blanks and punctuation people
/// vary (`機器 名`, `機器名(ホスト名)` → `機器名ホスト名`).
fn header_key(h: &str) -> String {
    crate::cells::half_width(h)
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !"・_-()（）[]【】/:：.".contains(*c))
        .collect()
}

/// How a file's header was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// Rows above the header (a title, a blank line) that were skipped.
    pub offset: usize,
    /// The header row as in the file.
    pub header: Vec<String>,
    /// The columns found, by field.
    pub mapping: ColumnMapping,
    /// Every header cell is one of our own headers: nothing was guessed.
    pub exact: bool,
}

/// How well a header names a column: 0 for one of our own headers, 1 + the alias's place for
/// another name people use, none when it does not name it.
fn fit(h: &str, c: &Column) -> Option<usize> {
    let k = header_key(h);
    if k.is_empty() {
        return None;
    }
    if [c.ja, c.en, c.key].iter().any(|n| header_key(n) == k) {
        return Some(0);
    }
    c.aliases
        .iter()
        .position(|n| header_key(n) == k)
        .map(|i| i + 1)
}

/// Finds the header among the first rows (the row naming most fields) and, for each field, the
/// column that names it best (our own header first, then the commonest other name); a column
/// fills one field only.
pub fn recognise(rows: &[Vec<String>], columns: &[Column]) -> Recognised {
    let scored = |r: &Vec<String>| {
        r.iter()
            .filter(|h| columns.iter().any(|c| fit(h, c).is_some()))
            .count()
    };
    let offset = rows
        .iter()
        .take(10)
        .enumerate()
        .max_by_key(|(i, r)| (scored(r), std::cmp::Reverse(*i)))
        .filter(|(_, r)| scored(r) > 0)
        .map_or(0, |(i, _)| i);
    let header = rows.get(offset).cloned().unwrap_or_default();
    let mut mapping = ColumnMapping::new();
    let mut used = vec![false; header.len()];
    let mut own_names = 0;
    for c in columns {
        let best = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.get(*i).copied().unwrap_or(true))
            .filter_map(|(i, h)| fit(h, c).map(|f| (f, i)))
            .min();
        if let Some((f, i)) = best {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            own_names += usize::from(f == 0);
            mapping.insert(
                c.key.to_string(),
                header
                    .get(i)
                    .map(|h| h.trim().to_string())
                    .unwrap_or_default(),
            );
        }
    }
    let filled = header.iter().filter(|h| !header_key(h).is_empty()).count();
    Recognised {
        offset,
        exact: filled > 0 && own_names == filled,
        header,
        mapping,
    }
}

/// Whether a mapping can be applied to a header: every header it names is there.
pub fn mapping_fits(header: &[String], mapping: &ColumnMapping) -> bool {
    mapping
        .values()
        .filter(|h| !h.is_empty())
        .all(|h| header.iter().any(|x| x.trim() == h.trim()))
}

/// What a table import reads: its columns, how a row's values become a row, and how a row is
/// shown (in the columns' order), so that a preview shows rows as they will be stored.
pub trait TableImport {
    /// A checked row.
    type Row;
    /// The fields, in display order.
    fn columns(&self) -> Vec<Column>;
    /// Checks one row's values (field key → value as typed); faults name their field.
    fn parse(&self, values: &BTreeMap<String, String>) -> Result<Self::Row, Problem>;
    /// A checked row as cells, in the columns' order.
    fn cells(&self, row: &Self::Row) -> Vec<String>;
}

/// One row of a preview: its number in the file, the cells as they will be stored (or as typed
/// where a cell is at fault) and the faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    /// Row number in the file (the header counts).
    pub row: usize,
    /// A value per column, in the columns' order.
    pub cells: Vec<String>,
    /// The faults, by field key and message key.
    pub faults: Vec<(String, String)>,
}

fn values_of(
    header: &[String],
    row: &[String],
    columns: &[Column],
    mapping: &ColumnMapping,
) -> BTreeMap<String, String> {
    columns
        .iter()
        .map(|c| {
            let at = mapping
                .get(c.key)
                .filter(|h| !h.trim().is_empty())
                .and_then(|h| header.iter().position(|x| x.trim() == h.trim()));
            let v = at.and_then(|a| row.get(a)).cloned().unwrap_or_default();
            (c.key.to_string(), v)
        })
        .collect()
}

/// The required fields the mapping leaves without a column, as faults of the header row.
pub fn unmapped(columns: &[Column], mapping: &ColumnMapping) -> Vec<CellError> {
    columns
        .iter()
        .filter(|c| c.required && mapping.get(c.key).is_none_or(|h| h.trim().is_empty()))
        .map(|c| CellError::at(1, None, c.ja, "error.import_header"))
        .collect()
}

/// Reads every row below the header through a mapping: all rows, or every fault named by the
/// row and column of the file (row numbers count from the file's first row).
pub fn read_through<T: TableImport + ?Sized>(
    spec: &T,
    rows: &[Vec<String>],
    offset: usize,
    mapping: &ColumnMapping,
) -> Result<Vec<T::Row>, Vec<CellError>> {
    let columns = spec.columns();
    let columns = &columns[..];
    let missing = unmapped(columns, mapping);
    if !missing.is_empty() {
        return Err(missing.into_iter().map(|e| e.shifted(offset)).collect());
    }
    let header = rows.get(offset).cloned().unwrap_or_default();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(offset + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match spec.parse(&values_of(&header, row, columns, mapping)) {
            Ok(r) => out.push(r),
            Err(p) => {
                for e in p.errors {
                    let column = columns.iter().find(|c| c.key == e.field);
                    let at = column
                        .and_then(|c| mapping.get(c.key))
                        .and_then(|h| header.iter().position(|x| x.trim() == h.trim()));
                    errors.push(CellError::at(
                        i + 1,
                        at,
                        column.map_or("", |c| c.ja),
                        &e.key,
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads a table whose header is recognised by the fields' names: what an API call or a file in
/// our own format needs.
pub fn read_recognised<T: TableImport + ?Sized>(
    spec: &T,
    rows: &[Vec<String>],
) -> Result<Vec<T::Row>, Vec<CellError>> {
    if rows.is_empty() {
        return Err(vec![CellError::whole(1, "error.import_empty")]);
    }
    let r = recognise(rows, &spec.columns());
    read_through(spec, rows, r.offset, &r.mapping)
}

/// The first `n` rows below the header as they will be stored, with their faults.
pub fn preview<T: TableImport + ?Sized>(
    spec: &T,
    rows: &[Vec<String>],
    offset: usize,
    mapping: &ColumnMapping,
    n: usize,
) -> Vec<PreviewRow> {
    let columns = spec.columns();
    let columns = &columns[..];
    let header = rows.get(offset).cloned().unwrap_or_default();
    rows.iter()
        .enumerate()
        .skip(offset + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .take(n)
        .map(|(i, row)| {
            let values = values_of(&header, row, columns, mapping);
            match spec.parse(&values) {
                Ok(r) => PreviewRow {
                    row: i + 1,
                    cells: spec.cells(&r),
                    faults: vec![],
                },
                Err(p) => PreviewRow {
                    row: i + 1,
                    cells: columns
                        .iter()
                        .map(|c| values.get(c.key).cloned().unwrap_or_default())
                        .collect(),
                    faults: p.errors.into_iter().map(|e| (e.field, e.key)).collect(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn a_column_is_found_by_any_of_its_names() {
        let header = vec![" 機器名 ".to_string(), "Vendor".to_string()];
        assert_eq!(find_column(&header, &["名称", "機器名"]), Some(0));
        assert_eq!(find_column(&header, &["vendor"]), Some(1));
        assert_eq!(find_column(&header, &["version"]), None);
        let e = CellError::at(3, Some(1), "メーカー", "error.required").shifted(2);
        assert_eq!((e.row, e.letter.as_str()), (5, "B"));
    }
}
