//! Table imports from the spreadsheets people already keep: a file in our own format is taken at
//! once; one with other column names is shown with the columns as recognised and the first rows
//! as they will be stored, the user corrects the mapping and confirms, and the mapping is
//! remembered for the organisation and that import, so the next file of the same shape goes
//! straight in. Every capability's import (devices, registers, contact chart) goes through here.

use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::table::{Refusal, UploadedTable, parse_csv, to_csv};
use crate::core::view::{Page, render_status};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::table::{
    ColumnMapping, PreviewRow, TableImport, mapping_fits, preview, read_through, recognise,
};
use std::collections::BTreeMap;

/// The largest review form: a table of the largest upload, carried URL-encoded (up to three
/// bytes for each byte of the file), with the choices.
pub const REVIEW_FORM_BYTES: usize = 3 * crate::core::uploads::MAX_UPLOAD_BYTES + 64 * 1024;

/// How many rows the preview shows.
const PREVIEW_ROWS: usize = 5;

/// What the user chose on the review page.
pub struct Choice {
    /// The mapping as chosen.
    pub mapping: ColumnMapping,
    /// Take the table (else only show the preview again).
    pub confirm: bool,
}

/// What to do with an uploaded table.
pub enum Plan<R> {
    /// Store these rows; remember the mapping when it was not our own format.
    Take {
        /// The rows read.
        rows: Vec<R>,
        /// The mapping they were read through.
        mapping: ColumnMapping,
        /// Whether the mapping should be remembered (it was chosen or confirmed by the user).
        remember: bool,
    },
    /// Ask the user to check the columns and confirm.
    Review(Review),
    /// Refuse with the faults.
    Refuse(Refusal),
}

/// A field on the review page: its key, label, whether required, and the column chosen for it.
pub struct FieldChoice {
    /// Field key (the form's `map_<key>`).
    pub key: &'static str,
    /// Label in the page's language.
    pub label: &'static str,
    /// Required.
    pub required: bool,
    /// The header chosen, or empty.
    pub chosen: String,
}

/// What the review page shows: the mapping, the preview and any faults, with the table carried
/// along so nothing has to be uploaded again.
pub struct Review {
    /// The file (and worksheet).
    pub file: String,
    /// The header cells of the file, to choose from.
    pub header: Vec<String>,
    /// The fields and their columns.
    pub fields: Vec<FieldChoice>,
    /// Column labels of the preview (the fields, in order).
    pub labels: Vec<&'static str>,
    /// The first rows as they will be stored.
    pub preview: Vec<PreviewRow>,
    /// Faults of the whole table, when the user confirmed a table that has some.
    pub faults: Vec<mamori_domain::table::CellError>,
    /// The table as CSV, carried in the form.
    pub data: String,
    /// Rows above the table in the file (a workbook's title), to number rows as the user sees them.
    pub offset: usize,
}

/// Decides what to do with a table uploaded through the pages: `remembered` is the mapping the
/// organisation chose last time for this import, `choice` what the user chose on the review page.
pub fn plan<S: TableImport>(
    spec: &S,
    table: &UploadedTable,
    remembered: Option<ColumnMapping>,
    choice: Option<Choice>,
    lang: mamori_domain::Lang,
) -> Result<Plan<S::Row>, AppError> {
    let columns = spec.columns();
    let seen = recognise(&table.rows, &columns);
    let review = |mapping: ColumnMapping, faults| -> Result<Plan<S::Row>, AppError> {
        Ok(Plan::Review(Review {
            file: table.label.clone(),
            header: seen
                .header
                .iter()
                .filter(|h| !h.trim().is_empty())
                .map(|h| h.trim().to_string())
                .collect(),
            fields: columns
                .iter()
                .map(|c| FieldChoice {
                    key: c.key,
                    label: c.label(lang),
                    required: c.required,
                    chosen: mapping.get(c.key).cloned().unwrap_or_default(),
                })
                .collect(),
            labels: columns.iter().map(|c| c.label(lang)).collect(),
            preview: preview(spec, &table.rows, seen.offset, &mapping, PREVIEW_ROWS),
            faults,
            data: to_csv(&table.rows)?,
            offset: table.offset,
        }))
    };
    let take = |mapping: ColumnMapping, remember: bool| match read_through(
        spec,
        &table.rows,
        seen.offset,
        &mapping,
    ) {
        Ok(rows) => Ok(Plan::Take {
            rows,
            mapping,
            remember,
        }),
        Err(errors) => review(mapping, errors),
    };
    match choice {
        Some(Choice {
            mapping,
            confirm: true,
        }) => take(mapping, true),
        Some(Choice { mapping, .. }) => review(mapping, vec![]),
        None if seen.exact => match read_through(spec, &table.rows, seen.offset, &seen.mapping) {
            Ok(rows) => Ok(Plan::Take {
                rows,
                mapping: seen.mapping,
                remember: false,
            }),
            Err(errors) => Ok(Plan::Refuse(table.refusal(errors))),
        },
        None => match remembered.filter(|m| mapping_fits(&seen.header, m)) {
            Some(m) => take(m, false),
            None => review(seen.mapping.clone(), vec![]),
        },
    }
}

/// Reads a table sent to the API: through the mapping given with it, else the one remembered
/// when it fits the header, else the recognised columns; any fault refuses it all.
pub fn plan_api<S: TableImport>(
    spec: &S,
    table: &UploadedTable,
    remembered: Option<ColumnMapping>,
    given: Option<ColumnMapping>,
) -> Result<(Vec<S::Row>, ColumnMapping), Refusal> {
    let seen = recognise(&table.rows, &spec.columns());
    let mapping = given
        .or_else(|| remembered.filter(|m| mapping_fits(&seen.header, m)))
        .unwrap_or_else(|| seen.mapping.clone());
    read_through(spec, &table.rows, seen.offset, &mapping)
        .map(|rows| (rows, mapping))
        .map_err(|errors| table.refusal(errors))
}

/// A mapping sent to the API as a JSON object (field key → header), or a fault on `mapping`.
pub fn mapping_json(text: &str) -> Result<Option<ColumnMapping>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<ColumnMapping>(text)
        .map(Some)
        .map_err(|_| {
            AppError::Invalid(mamori_domain::validate::Problem::field(
                "mapping",
                "error.import_mapping",
            ))
        })
}

/// The review form as sent: the carried table and the `map_<key>` choices.
pub struct ReviewForm {
    /// The table.
    pub table: UploadedTable,
    /// The choice.
    pub choice: Choice,
}

/// Reads the review form's fields (`data`, `file`, `offset`, `action`, `map_<key>`).
pub fn review_form(fields: &BTreeMap<String, String>) -> Result<ReviewForm, AppError> {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let rows = parse_csv(&get("data")).map_err(|_| AppError::BadRequest("error.import_csv"))?;
    let mapping = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map_")?.to_string(), v.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Ok(ReviewForm {
        table: UploadedTable {
            rows,
            offset: get("offset").parse().unwrap_or(0),
            label: get("file"),
        },
        choice: Choice {
            mapping,
            confirm: get("action") == "confirm",
        },
    })
}

#[derive(Template)]
#[template(path = "import_review.html")]
struct ReviewPage {
    page: Page,
    r: Review,
    action: String,
    back: String,
    back_key: &'static str,
}

impl ReviewPage {
    /// The message of a preview cell's fault, if any.
    fn fault_of<'a>(&'a self, row: &'a PreviewRow, i: &usize) -> Option<&'a str> {
        let key = self.r.fields.get(*i)?.key;
        row.faults
            .iter()
            .find(|(f, _)| f == key)
            .map(|(_, m)| self.page.t(m))
    }
}

/// The review page: columns as recognised, the first rows as they will be stored, and the button
/// that takes the table. `action` is where the form posts; `back` the register's page.
pub fn review_page(
    s: &SignedIn,
    here: &'static str,
    back: String,
    back_key: &'static str,
    action: String,
    r: Review,
) -> Result<Response, AppError> {
    let status = if r.faults.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ReviewPage {
            page: Page::signed_in(s, "import.review", here),
            r,
            action,
            back,
            back_key,
        },
    )
}

/// What an import through the pages came to.
pub enum Taken<T> {
    /// Stored; what the store said.
    Done(T),
    /// The user is asked to check the columns.
    Review(Review),
    /// Refused with the faults.
    Refused(Refusal),
}

/// The mapping remembered for an organisation's import target.
async fn remembered(
    state: &crate::core::state::AppState,
    c: &crate::core::auth::Caller,
    target: &str,
) -> Result<Option<ColumnMapping>, AppError> {
    Ok(state.store.import_mapping(c.org.id, target).await?)
}

/// Takes a table uploaded through the pages for `target` (`devices`, a register's code,
/// `contacts`): reads it as [`plan`] decides, stores the rows with `store`, and remembers a
/// mapping the user chose.
pub async fn take<S, T, F, Fut>(
    state: &crate::core::state::AppState,
    c: &crate::core::auth::Caller,
    target: &str,
    spec: &S,
    table: &UploadedTable,
    choice: Option<Choice>,
    store: F,
) -> Result<Taken<T>, AppError>
where
    S: TableImport,
    F: FnOnce(Vec<S::Row>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let known = remembered(state, c, target).await?;
    match plan(spec, table, known, choice, c.lang)? {
        Plan::Take {
            rows,
            mapping,
            remember,
        } => {
            let out = store(rows).await?;
            if remember {
                state
                    .store
                    .remember_import_mapping(&c.ctx(), target, &mapping)
                    .await?;
            }
            Ok(Taken::Done(out))
        }
        Plan::Review(r) => Ok(Taken::Review(r)),
        Plan::Refuse(r) => Ok(Taken::Refused(r)),
    }
}

/// Takes a file (name and bytes: CSV or XLSX) sent to the API for `target`, through the mapping
/// given with it (remembered for next time), else the remembered or recognised one; a file that
/// is no table is refused as a whole.
pub async fn take_api<S, T, F, Fut>(
    state: &crate::core::state::AppState,
    c: &crate::core::auth::Caller,
    target: &str,
    spec: &S,
    (name, bytes): (&str, &[u8]),
    given: Option<ColumnMapping>,
    store: F,
) -> Result<Result<T, Refusal>, AppError>
where
    S: TableImport,
    F: FnOnce(Vec<S::Row>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let table = match crate::core::table::read_table(name, bytes, &[]) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let known = remembered(state, c, target).await?;
    let chosen = given.is_some();
    match plan_api(spec, &table, known, given) {
        Err(r) => Ok(Err(r)),
        Ok((rows, mapping)) => {
            let out = store(rows).await?;
            if chosen {
                state
                    .store
                    .remember_import_mapping(&c.ctx(), target, &mapping)
                    .await?;
            }
            Ok(Ok(out))
        }
    }
}
