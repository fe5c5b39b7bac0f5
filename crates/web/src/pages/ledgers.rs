//! The registers kept as rows (remote connections, vendors, backups, restore tests): one set of
//! pages driven by each register's schema, and the index of all registers with their state.

use super::exchange::{csrf_and_file, csv_download, read_table, refusal_page, xlsx_download};
use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::Lang;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::ledger::{FieldKind, REGISTERS, Register, Row, concerns, register};
use mamori_domain::validate::Problem;
use mamori_store::{LedgerRow, RegisterReview, RowChange, RowFile};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

fn register_of(code: &str) -> Result<&'static Register, AppError> {
    register(code).ok_or(AppError::NotFound)
}

/// A register's state: rows, last review, concerns.
pub struct LedgerSummary {
    /// Code.
    pub code: &'static str,
    /// Name.
    pub label: &'static str,
    /// Rows.
    pub count: usize,
    /// The last review.
    pub last_review: Option<RegisterReview>,
    /// No review within the register's interval.
    pub review_overdue: bool,
    /// What needs attention.
    pub concerns: Vec<String>,
}

impl LedgerSummary {
    /// One line for the checklist items it evidences.
    pub fn line(&self, lang: Lang) -> String {
        let mut parts = vec![format!(
            "{} {}{}",
            self.label,
            self.count,
            lang.pick("件", "")
        )];
        parts.push(match &self.last_review {
            Some(r) => format!("{} {}", lang.pick("最終棚卸し", "reviewed"), r.reviewed_on),
            None => lang.pick("棚卸しの記録なし", "never reviewed").to_string(),
        });
        parts.extend(self.concerns.iter().cloned());
        parts.join(" · ")
    }
}

/// The state of a register for an organisation.
pub async fn summary(
    state: &AppState,
    org_id: Uuid,
    reg: &'static Register,
    lang: Lang,
) -> Result<LedgerSummary, AppError> {
    let rows: Vec<Row> = state
        .store
        .ledger_rows(org_id, reg.code)
        .await?
        .into_iter()
        .map(|r| r.row)
        .collect();
    let today = today(state);
    let last_review = state
        .store
        .reviews(org_id, reg.code)
        .await?
        .into_iter()
        .next();
    Ok(LedgerSummary {
        code: reg.code,
        label: reg.label(lang),
        count: rows.len(),
        review_overdue: last_review
            .as_ref()
            .is_none_or(|r| (today - r.reviewed_on).num_days() > reg.review_days),
        last_review,
        concerns: concerns(reg, &rows, today, lang),
    })
}

#[derive(Template)]
#[template(path = "registers.html")]
struct IndexPage {
    page: Page,
    devices: super::devices::LedgerState,
    open_findings: usize,
    kev_findings: usize,
    contacts: String,
    accounts: String,
    ledgers: Vec<LedgerSummary>,
}

/// Every register with its state.
pub async fn index(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let findings = super::findings::finding_rows(&state, s.org.id).await?;
    let open: Vec<_> = findings.iter().filter(|f| f.open()).collect();
    let mut ledgers = Vec::new();
    for reg in REGISTERS {
        ledgers.push(summary(&state, s.org.id, reg, s.lang).await?);
    }
    render(&IndexPage {
        page: Page::signed_in(&s, "registers.title", "/registers"),
        devices: super::devices::ledger_state(&state, s.org.id).await?,
        open_findings: open.len(),
        kev_findings: open.iter().filter(|f| f.f.kev).count(),
        contacts: contacts_line(&state, s.org.id, s.lang).await?,
        accounts: super::accounts::accounts_state(&state, s.org.id, s.lang)
            .await?
            .line(s.lang),
        ledgers,
    })
}

/// The contact chart's state, for checklist item 3-① and the index.
pub async fn contacts_line(state: &AppState, org_id: Uuid, lang: Lang) -> Result<String, AppError> {
    let contacts = state.store.contacts(org_id).await?;
    if contacts.is_empty() {
        return Ok(lang
            .pick("連絡体制図: 未登録", "Contact chart: nothing recorded")
            .to_string());
    }
    let without = contacts.iter().filter(|c| c.contact.lacks_24h()).count();
    let mut line = format!(
        "{} {}{}",
        lang.pick("連絡体制図", "Contact chart:"),
        contacts.len(),
        lang.pick("件", " entries")
    );
    if without > 0 {
        line.push_str(&format!(
            " · {} {without}",
            lang.pick("24時間連絡先なし", "without a 24-hour number:")
        ));
    }
    Ok(line)
}

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
    /// Values in column order.
    pub values: Vec<String>,
}

/// A vendor sheet (事業者確認用) of the organisation and where it stands.
pub struct VendorSheet {
    /// The assessment.
    pub id: Uuid,
    /// Vendor and system, as titled.
    pub title: String,
    /// Fiscal year.
    pub fiscal_year: i64,
    /// Not sent, sent or answered, as a label.
    pub status: &'static str,
    /// Answered of required items.
    pub progress: String,
}

/// The organisation's vendor sheets, newest year first: the status the vendors register's
/// `sheet_status` column is typed from.
async fn vendor_sheets(state: &AppState, s: &SignedIn) -> Result<Vec<VendorSheet>, AppError> {
    let mut out = Vec::new();
    for a in state.store.assessments(s.org.id).await? {
        if super::assessments::sheet_of(&a)?.kind != mamori_domain::catalog::SheetKind::Vendor {
            continue;
        }
        let sum = super::assessments::summary_of(state, s.org.id, &a).await?;
        let code = if sum.required > 0 && sum.answered == sum.required {
            "answered"
        } else if a.respondent_org_id.is_some() {
            "sent"
        } else {
            "not_sent"
        };
        out.push(VendorSheet {
            id: a.id,
            title: a.title.clone(),
            fiscal_year: a.fiscal_year,
            status: match code {
                "answered" => s.lang.pick("回答済み", "Answered"),
                "sent" => s.lang.pick("依頼済み", "Sent"),
                _ => s.lang.pick("未依頼", "Not sent"),
            },
            progress: format!("{}/{}", sum.answered, sum.required),
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct ListPage {
    page: Page,
    code: &'static str,
    label: &'static str,
    columns: Vec<Column>,
    rows: Vec<ShownRow>,
    summary: LedgerSummary,
    can_edit: bool,
    today: String,
    vendor_sheets: Vec<VendorSheet>,
}

/// A register's rows.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Query(n): Query<super::registers::Notice>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let reg = register_of(&code)?;
    let page = n.on(Page::signed_in(&s, "registers.title", "/registers"));
    let rows = state
        .store
        .ledger_rows(s.org.id, reg.code)
        .await?
        .into_iter()
        .map(|r| ShownRow {
            id: r.id,
            values: reg
                .fields
                .iter()
                .map(|f| reg.display(&r.row, f.key, s.lang))
                .collect(),
        })
        .collect();
    render(&ListPage {
        page,
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
        summary: summary(&state, s.org.id, reg, s.lang).await?,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: today(&state).to_string(),
        vendor_sheets: if reg.code == "vendors" {
            vendor_sheets(&state, &s).await?
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
        page: Page::signed_in(s, "registers.title", "/registers"),
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
    s.require(Permission::ManageRegisters)?;
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

/// A row's form with its history.
pub async fn edit_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let reg = register_of(&code)?;
    let row: LedgerRow = state.store.ledger_row(s.org.id, reg.code, id).await?;
    let history = state.store.ledger_history(s.org.id, reg.code, id).await?;
    let mut page = form_page(&s, reg, Some(id), &row.row, Problem::default(), history);
    page.files = state.store.row_files(s.org.id, reg.code, id).await?;
    render(&page)
}

/// Attaches a file to a row (e.g. the MDS/SDS a vendor handed over).
pub async fn attach(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let reg = register_of(&code)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    state.store.ledger_row(s.org.id, reg.code, id).await?;
    let (name, bytes) = file.unwrap_or_default();
    if bytes.is_empty() {
        return Err(AppError::BadRequest("error.import_empty"));
    }
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let sha = crate::uploads::store(&state.config.upload_dir, s.org.id, bytes).await?;
    state
        .store
        .add_row_file(
            &s.ctx(),
            reg.code,
            id,
            &crate::uploads::clean_filename(&name),
            size,
            &sha,
        )
        .await?;
    Ok(see_other(&format!("/registers/{}/{id}#files", reg.code)))
}

/// Downloads a file attached to a row.
pub async fn file(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id, file)): Path<(String, Uuid, Uuid)>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let reg = register_of(&code)?;
    let f = state
        .store
        .row_files(s.org.id, reg.code, id)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(AppError::NotFound)?;
    let bytes = crate::uploads::load(&state.config.upload_dir, s.org.id, &f.sha256).await?;
    Ok(crate::uploads::attachment(&f.filename, bytes))
}

async fn save(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    id: Option<Uuid>,
    mut form: BTreeMap<String, String>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let reg = register_of(code)?;
    s.check_csrf(&form.remove("csrf").unwrap_or_default())?;
    let problem = match reg.validate(&form) {
        Ok(row) => match state
            .store
            .save_ledger_row(&s.ctx(), reg.code, id, &row)
            .await
        {
            Ok(_) => return Ok(see_other(&format!("/registers/{}", reg.code))),
            Err(mamori_store::StoreError::Conflict(_)) => {
                Problem::field("name", "error.row_name_taken")
            }
            Err(e) => return Err(e.into()),
        },
        Err(p) => p,
    };
    let history = match id {
        Some(id) => state.store.ledger_history(s.org.id, reg.code, id).await?,
        None => vec![],
    };
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(s, reg, id, &form, problem, history),
    )
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

/// A form with only the token.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// Removes a row (its history stays).
pub async fn remove(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, Uuid)>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    let reg = register_of(&code)?;
    state
        .store
        .remove_ledger_row(&s.ctx(), reg.code, id)
        .await?;
    Ok(see_other(&format!("/registers/{}", reg.code)))
}

/// Records that the register was reviewed today.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<super::registers::ReviewForm>,
) -> Result<Response, AppError> {
    let reg = register_of(&code)?;
    super::registers::record_review(&state, &s, reg.code, f).await
}

/// Imports a CSV or XLSX table: all rows or none.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let reg = register_of(&code)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let first: Vec<&str> = reg.fields.iter().flat_map(|f| [f.ja, f.en]).collect();
    let back = |r| {
        refusal_page(
            &s,
            "/registers",
            format!("/registers/{}", reg.code),
            "registers.title",
            r,
        )
    };
    let (rows, offset, label) = match read_table(&name, &bytes, &first) {
        Ok(t) => t,
        Err(r) => return back(r),
    };
    match reg.import(&rows) {
        Err(errors) => back(super::exchange::Refusal::shifted(label, errors, offset)),
        Ok(parsed) => {
            let (added, updated) = state
                .store
                .import_ledger_rows(&s.ctx(), reg.code, &parsed)
                .await?;
            Ok(see_other(&format!(
                "/registers/{}?imported={added}-{updated}",
                reg.code
            )))
        }
    }
}

async fn table(
    state: &AppState,
    org_id: Uuid,
    reg: &Register,
) -> Result<Vec<Vec<String>>, AppError> {
    Ok(state
        .store
        .ledger_rows(org_id, reg.code)
        .await?
        .iter()
        .map(|r| reg.cells(&r.row))
        .collect())
}

/// A register as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let reg = register_of(&code)?;
    let rows: Vec<Vec<String>> = std::iter::once(reg.header())
        .chain(table(&state, s.org.id, reg).await?)
        .collect();
    csv_download(&format!("{}.csv", reg.code), &rows)
}

/// A register as XLSX.
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let reg = register_of(&code)?;
    xlsx_download(
        &format!("{}.xlsx", reg.code),
        reg.ja,
        &format!("{} — {}", reg.ja, s.org.profile.name),
        &reg.header(),
        &table(&state, s.org.id, reg).await?,
    )
}
