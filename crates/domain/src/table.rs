//! What every table import shares: faults named by the row and column the user sees in the
//! spreadsheet, and finding a column by the names people give it.

use serde::Serialize;

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
