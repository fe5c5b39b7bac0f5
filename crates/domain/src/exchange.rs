//! A sheet's answers as a table, laid out like the official form (one row per item: number, text,
//! 1回目 date and answer, target date, 2回目 date and answer, remarks) with the remaining fields in
//! columns after it, so that export and import lose nothing. The CSV and spreadsheet formats are
//! edges around this table.

use crate::assessment::{Answer, AnswerDraft, AnswerRule, ItemAnswer, Round};
use crate::catalog::Sheet;
use crate::table::CellError;
use chrono::NaiveDate;

/// Column headers (Japanese, English): the official form's columns first.
pub const COLUMNS: [(&str, &str); 15] = [
    ("項目ID", "Item id"),
    ("No.", "No."),
    ("項目", "Item"),
    ("1回目確認日", "1st check date"),
    ("1回目回答", "1st answer"),
    ("目標日", "Target date"),
    ("2回目確認日", "2nd check date"),
    ("2回目回答", "2nd answer"),
    ("備考", "Remarks"),
    ("2回目目標日", "2nd target date"),
    ("2回目備考", "2nd remarks"),
    ("1回目該当なし理由", "1st reason for N/A"),
    ("2回目該当なし理由", "2nd reason for N/A"),
    ("1回目担当", "1st assignee"),
    ("2回目担当", "2nd assignee"),
];

const ID: usize = 0;
const FIRST_DATE: usize = 3;
const FIRST_ANSWER: usize = 4;
const FIRST_TARGET: usize = 5;
const SECOND_DATE: usize = 6;
const SECOND_ANSWER: usize = 7;
const FIRST_NOTES: usize = 8;
const SECOND_TARGET: usize = 9;
const SECOND_NOTES: usize = 10;
const FIRST_REASON: usize = 11;
const SECOND_REASON: usize = 12;
const FIRST_ASSIGNEE: usize = 13;
const SECOND_ASSIGNEE: usize = 14;

/// The columns one round's fields live in: date, answer, target, notes, reason, assignee.
fn round_columns(round: Round) -> [usize; 6] {
    match round {
        Round::First => [
            FIRST_DATE,
            FIRST_ANSWER,
            FIRST_TARGET,
            FIRST_NOTES,
            FIRST_REASON,
            FIRST_ASSIGNEE,
        ],
        Round::Second => [
            SECOND_DATE,
            SECOND_ANSWER,
            SECOND_TARGET,
            SECOND_NOTES,
            SECOND_REASON,
            SECOND_ASSIGNEE,
        ],
    }
}

/// The header row in Japanese (the official form's language).
pub fn header() -> Vec<String> {
    COLUMNS.iter().map(|(ja, _)| ja.to_string()).collect()
}

fn answer_text(a: Answer) -> &'static str {
    a.label(crate::Lang::Ja)
}

fn parse_answer(s: &str) -> String {
    let t = crate::cells::half_width(s);
    match t.trim().to_lowercase().as_str() {
        "該当なし" | "na" | "n/a" | "非該当" | "対象外" => "na".into(),
        "" => String::new(),
        v => match crate::cells::flag(v) {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => v.to_string(),
        },
    }
}

/// Spreadsheets turn dates into `2025/6/10`, people write 令和7年6月10日: read them all.
fn normalise_date(s: &str) -> String {
    crate::cells::date(s).map_or_else(|| s.trim().to_string(), |d| d.to_string())
}

/// The table rows (without header) of a sheet's answers.
pub fn export_rows(sheet: &Sheet, answers: &[(String, Round, ItemAnswer)]) -> Vec<Vec<String>> {
    sheet
        .items
        .iter()
        .map(|item| {
            let mut row = vec![String::new(); COLUMNS.len()];
            let cell = |row: &mut Vec<String>, i: usize, v: String| {
                if let Some(c) = row.get_mut(i) {
                    *c = v;
                }
            };
            cell(&mut row, ID, item.id.clone());
            cell(&mut row, 1, item.number.clone());
            cell(&mut row, 2, item.text_ja.clone());
            for (id, round, a) in answers {
                if *id != item.id {
                    continue;
                }
                let [date, answer, target, notes, reason, assignee] = round_columns(*round);
                cell(&mut row, date, a.checked_on.to_string());
                cell(&mut row, answer, answer_text(a.answer).to_string());
                cell(
                    &mut row,
                    target,
                    a.target_date.map(|d| d.to_string()).unwrap_or_default(),
                );
                cell(&mut row, notes, a.notes.clone());
                cell(&mut row, reason, a.reason.clone());
                cell(&mut row, assignee, a.assignee.clone());
            }
            row
        })
        .collect()
}

fn cell_error(row: usize, col: usize, key: &str) -> CellError {
    CellError::at(row, Some(col), COLUMNS.get(col).map_or("", |c| c.0), key)
}

/// Reads a table (header first) into answers, checking every cell against the answer rules.
/// Rounds left blank are not answers. Any fault rejects the whole table.
pub fn import_rows(
    sheet: &Sheet,
    rows: &[Vec<String>],
    today: NaiveDate,
) -> Result<Vec<(String, Round, ItemAnswer)>, Vec<CellError>> {
    let mut errors = Vec::new();
    let Some(head) = rows.first() else {
        return Err(vec![cell_error(1, 0, "error.import_empty")]);
    };
    for (i, (ja, en)) in COLUMNS.iter().enumerate().take(9) {
        let got = head
            .get(i)
            .map(|s| s.trim().trim_start_matches('\u{feff}'))
            .unwrap_or("");
        if got != *ja && got != *en {
            errors.push(cell_error(1, i, "error.import_header"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, row) in rows.iter().enumerate().skip(1) {
        let line = n + 1;
        let get = |i: usize| row.get(i).map(|s| s.trim()).unwrap_or("");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let id = get(ID);
        let Some(item) = sheet.items.iter().find(|i| i.id == id) else {
            errors.push(cell_error(line, ID, "error.import_unknown_item"));
            continue;
        };
        if !seen.insert(id.to_string()) {
            errors.push(cell_error(line, ID, "error.import_duplicate_item"));
            continue;
        }
        for round in [Round::First, Round::Second] {
            let [date, answer, target, notes, reason, assignee] = round_columns(round);
            if get(date).is_empty() && get(answer).is_empty() {
                continue;
            }
            let draft = AnswerDraft {
                answer: parse_answer(get(answer)),
                checked_on: normalise_date(get(date)),
                target_date: normalise_date(get(target)),
                reason: get(reason).to_string(),
                assignee: get(assignee).to_string(),
                notes: get(notes).to_string(),
                // The sheet says what was filled in on paper; odd dates are kept and flagged
                // on the sheet's page, as they are after confirming in the form.
                accept_warnings: true,
            };
            match draft.validate(&AnswerRule::of(sheet, item), today) {
                Ok(a) => out.push((id.to_string(), round, a)),
                Err(p) => {
                    for e in p.errors {
                        let col = match e.field.as_str() {
                            "answer" => answer,
                            "checked_on" => date,
                            "target_date" => target,
                            "reason" => reason,
                            "assignee" => assignee,
                            _ => notes,
                        };
                        errors.push(cell_error(line, col, &e.key));
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ChecklistItem, Section, SheetKind};

    fn sheet() -> Sheet {
        let item = |id: &str| ChecklistItem {
            ..crate::catalog::test_item(id, Section::Management)
        };
        Sheet {
            id: "fy2025.institution".into(),
            fiscal_year: 2025,
            kind: SheetKind::Institution,
            title_ja: "x".into(),
            title_en: "x".into(),
            items: vec![item("a"), item("b")],
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn export_then_import_gives_back_every_field() {
        let answers = vec![
            (
                "a".to_string(),
                Round::First,
                ItemAnswer {
                    answer: Answer::No,
                    checked_on: d("2025-06-10"),
                    target_date: Some(d("2026-03-31")),
                    reason: String::new(),
                    assignee: "情シス".into(),
                    notes: "作成中, \"台帳\"".into(),
                },
            ),
            (
                "a".to_string(),
                Round::Second,
                ItemAnswer {
                    answer: Answer::Yes,
                    checked_on: d("2026-02-01"),
                    target_date: None,
                    reason: String::new(),
                    assignee: "情シス".into(),
                    notes: "完了".into(),
                },
            ),
            (
                "b".to_string(),
                Round::First,
                ItemAnswer {
                    answer: Answer::NotApplicable,
                    checked_on: d("2025-06-10"),
                    target_date: None,
                    reason: "機器なし".into(),
                    assignee: String::new(),
                    notes: String::new(),
                },
            ),
        ];
        let mut table = vec![header()];
        table.extend(export_rows(&sheet(), &answers));
        assert_eq!(
            table.get(1).and_then(|r| r.get(4)).map(String::as_str),
            Some("いいえ")
        );
        let back = import_rows(&sheet(), &table, d("2026-05-01"));
        assert_eq!(back, Ok(answers));
    }

    #[test]
    fn faults_name_row_and_column_and_nothing_is_returned() {
        let row = |cells: &[(usize, &str)]| -> Vec<String> {
            (0..COLUMNS.len())
                .map(|i| {
                    cells
                        .iter()
                        .find(|(c, _)| *c == i)
                        .map(|(_, v)| v.to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        let table = vec![
            header(),
            row(&[(0, "a"), (3, "2025/6/10"), (4, "いいえ"), (5, "2026-04-15")]),
            row(&[(0, "zzz")]),
        ];
        let errors = import_rows(&sheet(), &table, d("2026-05-01"))
            .err()
            .unwrap_or_default();
        let cells: Vec<_> = errors
            .iter()
            .map(|e| (e.row, e.letter.as_str(), e.key.as_str()))
            .collect();
        assert_eq!(
            cells,
            vec![
                (2, "F", "error.target_in_fiscal_year"),
                (3, "A", "error.import_unknown_item")
            ]
        );
    }

    #[test]
    fn a_foreign_header_is_refused() {
        let table = vec![vec!["id".to_string(), "x".to_string()]];
        let errors = import_rows(&sheet(), &table, d("2026-05-01"))
            .err()
            .unwrap_or_default();
        assert!(
            errors
                .iter()
                .all(|e| e.row == 1 && e.key == "error.import_header")
        );
    }
}
