//! The registers kept as rows (remote connections, vendors, backups, restore tests): one set of
//! pages driven by each register's schema.

use super::review::{Notice, ReviewForm, TokenForm, reviewed};
use super::service::{self, Imported, register_of};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::import::{Taken, review_form, review_page};
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Refusal, Upload, read_table, refusal_page};
use crate::core::view::{Page, render, render_status};
use crate::status::{self, VendorSheetState};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::ledger::{FieldKind, Register};
use mamori_domain::status::RegisterState;
use mamori_domain::validate::Problem;
use mamori_store::{RowChange, RowFile};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A column of the list.
pub struct Column {
    /// Key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
}

/// A row as shown.
pub struct ShownRow {
    /// Id.
    pub id: Uuid,
    /// Values in column order, each with its column's label (shown beside it on a phone).
    pub values: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct ListPage {
    page: Page,
    code: &'static str,
    label: &'static str,
    columns: Vec<Column>,
    rows: Vec<ShownRow>,
    summary: RegisterState,
    can_edit: bool,
    today: String,
    vendor_sheets: Vec<VendorSheetState>,
}

/// A register's rows.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    let rows = service::rows(&state, &s, reg)
        .await?
        .into_iter()
        .map(|r| ShownRow {
            id: r.id,
            values: reg
                .fields
                .iter()
                .map(|f| (s.lang.pick(f.ja, f.en), reg.display(&r.row, f.key, s.lang)))
                .collect(),
        })
        .collect();
    render(&ListPage {
        page: n.on(Page::signed_in(&s, "registers.title", "/registers").titled(reg.label(s.lang))),
        code: reg.code,
        label: reg.label(s.lang),
        columns: reg
            .fields
            .iter()
            .map(|f| Column {
                key: f.key,
                label: s.lang.pick(f.ja, f.en),
            })
            .collect(),
        rows,
        summary: service::state_of(&state, &s, reg.code).await?,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: s.today().to_string(),
        // The vendors register shows where each vendor's checklist sheet stands.
        vendor_sheets: if reg.code == "vendors" {
            status::vendor_sheets(&state, s.org.id).await?
        } else {
            vec![]
        },
    })
}

/// A field of the form.
pub struct FormField {
    /// Key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// `text`, `long`, `bool`, `date`, `number` or `choice`.
    pub kind: &'static str,
    /// Choices (code, label) for `choice`.
    pub choices: Vec<(&'static str, &'static str)>,
    /// Value as typed or stored.
    pub value: String,
    /// Required.
    pub required: bool,
}

impl FormField {
    /// Whether a boolean field is ticked.
    pub fn ticked(&self) -> bool {
        matches!(self.value.as_str(), "true" | "on")
    }
}

#[derive(Template)]
#[template(path = "ledger_form.html")]
struct FormPage {
    page: Page,
    code: &'static str,
    label: &'static str,
    action: String,
    fields: Vec<FormField>,
    errors: Problem,
    history: Vec<(String, RowChange)>,
    id: Option<Uuid>,
    files: Vec<RowFile>,
}

fn form_page(
    s: &SignedIn,
    reg: &'static Register,
    id: Option<Uuid>,
    values: &BTreeMap<String, String>,
    errors: Problem,
    history: Vec<RowChange>,
) -> FormPage {
    let lang = s.lang;
    FormPage {
        page: Page::signed_in(s, "registers.title", "/registers").titled(reg.label(lang)),
        code: reg.code,
        label: reg.label(lang),
        action: match id {
            Some(id) => format!("/registers/{}/{id}", reg.code),
            None => format!("/registers/{}", reg.code),
        },
        fields: reg
            .fields
            .iter()
            .map(|f| {
                let (kind, choices) = match f.kind {
                    FieldKind::Text => ("text", vec![]),
                    FieldKind::Long => ("long", vec![]),
                    FieldKind::Bool => ("bool", vec![]),
                    FieldKind::Date => ("date", vec![]),
                    FieldKind::Number => ("number", vec![]),
                    FieldKind::Choice(options) => (
                        "choice",
                        options
                            .iter()
                            .map(|(code, ja, en)| (*code, lang.pick(ja, en)))
                            .collect(),
                    ),
                };
                FormField {
                    key: f.key,
                    label: lang.pick(f.ja, f.en),
                    kind,
                    choices,
                    value: values.get(f.key).cloned().unwrap_or_default(),
                    required: f.required,
                }
            })
            .collect(),
        errors,
        history: history.into_iter().map(|h| (format_jst(h.at), h)).collect(),
        id,
        files: vec![],
    }
}

/// An empty row form.
pub async fn new_form(s: SignedIn, Path(code): Path<String>) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    render(&form_page(
        &s,
        reg,
        None,
        &BTreeMap::new(),
        Problem::default(),
        vec![],
    ))
}

/// A row's form with its history and files.
pub async fn edit_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    let (row, history, files) = service::row(&state, &s, reg, id).await?;
    let mut page = form_page(&s, reg, Some(id), &row.row, Problem::default(), history);
    page.files = files;
    render(&page)
}

/// Attaches a file to a row (e.g. the MDS/SDS a vendor handed over).
pub async fn attach(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    service::attach(&state, &s, reg, id, name, bytes.to_vec()).await?;
    Ok(see_other(&format!("/registers/{}/{id}#files", reg.code)))
}

/// Downloads a file attached to a row.
pub async fn file(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id, file)): Path<(String, Uuid, Uuid)>,
) -> Result<Response, AppError> {
    service::row_file(&state, &s, register_of(&code)?, id, file).await
}

async fn save(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    id: Option<Uuid>,
    mut form: BTreeMap<String, String>,
) -> Result<Response, AppError> {
    let reg = register_of(code)?;
    s.check_csrf(&form.remove("csrf").unwrap_or_default())?;
    match service::save_row(state, s, reg, id, &form).await {
        Ok(_) => Ok(see_other(&format!("/registers/{}", reg.code))),
        Err(AppError::Invalid(problem)) => {
            let history = match id {
                Some(id) => service::row(state, s, reg, id).await?.1,
                None => vec![],
            };
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(s, reg, id, &form, problem, history),
            )
        }
        Err(e) => Err(e),
    }
}

/// Adds a row.
pub async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    save(&state, &s, &code, None, form).await
}

/// Changes a row.
pub async fn update(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    save(&state, &s, &code, Some(id), form).await
}

/// Removes a row (its history stays).
pub async fn remove(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let reg = register_of(&code)?;
    service::remove_row(&state, &s, reg, id).await?;
    Ok(see_other(&format!("/registers/{}", reg.code)))
}

/// Records that the register was reviewed today.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    reviewed(&state, &s, reg.code, f).await
}

/// Imports a CSV or XLSX table: all rows or none; a table with other columns than ours is shown
/// for the user to check first.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match read_table(name, bytes, &[]) {
        Err(r) => refused(&s, reg, r),
        Ok(table) => imported(
            &s,
            reg,
            service::review_row_table(&state, &s, reg, &table, None).await?,
        ),
    }
}

/// The review page's answer: the columns as the user set them, and whether to take the table.
pub async fn import_review(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    s.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let f = review_form(&fields)?;
    imported(
        &s,
        reg,
        service::review_row_table(&state, &s, reg, &f.table, Some(f.choice)).await?,
    )
}

fn refused(s: &SignedIn, reg: &Register, r: Refusal) -> Result<Response, AppError> {
    refusal_page(
        s,
        "/registers",
        format!("/registers/{}", reg.code),
        "registers.title",
        r,
    )
}

fn imported(s: &SignedIn, reg: &Register, t: Taken<Imported>) -> Result<Response, AppError> {
    match t {
        Taken::Done(Imported { added, updated }) => Ok(see_other(&format!(
            "/registers/{}?imported={added}-{updated}",
            reg.code
        ))),
        Taken::Review(r) => review_page(
            s,
            "/registers",
            format!("/registers/{}", reg.code),
            "registers.title",
            format!("/registers/{}/import/review", reg.code),
            r,
        ),
        Taken::Refused(r) => refused(s, reg, r),
    }
}

/// A register as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    Ok(service::export_rows(&state, &s, reg, false)
        .await?
        .into_response())
}

/// A register as XLSX.
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    Ok(service::export_rows(&state, &s, reg, true)
        .await?
        .into_response())
}
