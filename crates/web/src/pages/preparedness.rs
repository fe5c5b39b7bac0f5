//! Being ready: the contact chart (連絡体制図), the recovery procedures per system, and the
//! emergency pack made from them.

use super::see_other;
use crate::auth::SignedIn;
use crate::emergency::{ChartGroup, chart_groups, pack_html, write_pack};
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::preparedness::{Contact, ContactGroup, RecoveryProcedure, standard_bodies};
use mamori_domain::validate::Problem;
use mamori_store::StoredProcedure;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "preparedness.html")]
struct PreparednessPage {
    page: Page,
    groups: Vec<ChartGroup>,
    procedures: Vec<StoredProcedure>,
    can_edit: bool,
    missing_24h: usize,
}

/// The chart and the procedures; everyone may read them (staff need to know whom to call).
pub async fn show(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let contacts = state.store.contacts(s.org.id).await?;
    let missing_24h = contacts.iter().filter(|c| c.contact.lacks_24h()).count();
    render(&PreparednessPage {
        page: Page::signed_in(&s, "prep.title", "/preparedness"),
        groups: chart_groups(contacts, s.lang),
        procedures: state.store.recovery_procedures(s.org.id).await?,
        can_edit: s.actor.can(Permission::ManagePreparedness),
        missing_24h,
    })
}

#[derive(Template)]
#[template(path = "contact_print.html")]
struct ChartPrint {
    org_name: String,
    groups: Vec<ChartGroup>,
    printed: String,
}

/// The contact chart on one A4 page, in Japanese.
pub async fn print_chart(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&ChartPrint {
        org_name: s.org.profile.name.clone(),
        groups: chart_groups(
            state.store.contacts(s.org.id).await?,
            mamori_domain::Lang::Ja,
        ),
        printed: format_jst(state.now()),
    })
}

/// Downloads the emergency pack (one HTML file that needs nothing else).
pub async fn emergency_pack(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    let html = pack_html(&state.store, &s.org, state.now())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"emergency-pack.html\"",
            ),
        ],
        html,
    )
        .into_response())
}

/// Rewrites the organisation's pack in the emergency folder after a change. A failure to write
/// is logged, not shown: the change itself is saved and the pack can still be downloaded.
async fn refresh_pack(state: &AppState, s: &SignedIn) {
    if let Err(e) = write_pack(
        &state.store,
        &s.org,
        &state.config.emergency_dir,
        state.now(),
    )
    .await
    {
        tracing::error!(org = %s.org.id, error = %e, "could not write the emergency pack");
    }
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactPage {
    page: Page,
    action: String,
    c: Contact,
    errors: Problem,
    groups: Vec<(&'static str, &'static str)>,
}

impl ContactPage {
    /// The text fields: name, label key, value, input type.
    fn text_fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let c = &self.c;
        vec![
            ("role", "prep.role", c.role.as_str(), "text"),
            (
                "organisation",
                "prep.organisation",
                c.organisation.as_str(),
                "text",
            ),
            ("name", "prep.name", c.name.as_str(), "text"),
            ("system", "prep.system", c.system.as_str(), "text"),
            ("phone", "prep.phone", c.phone.as_str(), "tel"),
            ("phone_24h", "prep.phone_24h", c.phone_24h.as_str(), "tel"),
            ("email", "prep.email", c.email.as_str(), "email"),
            ("notes", "prep.notes", c.notes.as_str(), "text"),
        ]
    }
}

fn contact_page(s: &SignedIn, id: Option<Uuid>, c: Contact, errors: Problem) -> ContactPage {
    ContactPage {
        page: Page::signed_in(s, "prep.contact", "/preparedness"),
        action: match id {
            Some(id) => format!("/preparedness/contacts/{id}"),
            None => "/preparedness/contacts".into(),
        },
        c,
        errors,
        groups: ContactGroup::ALL
            .iter()
            .map(|g| (g.code(), g.label(s.lang)))
            .collect(),
    }
}

/// An empty contact form.
pub async fn new_contact(s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    let c = Contact {
        group: ContactGroup::Internal.code().into(),
        ..Default::default()
    };
    render(&contact_page(&s, None, c, Problem::new(vec![])))
}

/// A contact's form.
pub async fn edit_contact(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    let c = state
        .store
        .contacts(s.org.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    render(&contact_page(&s, Some(id), c.contact, Problem::new(vec![])))
}

/// A contact form as sent.
#[derive(Deserialize)]
pub struct ContactForm {
    csrf: String,
    #[serde(flatten)]
    c: Contact,
}

async fn save_contact(
    state: &AppState,
    s: &SignedIn,
    id: Option<Uuid>,
    f: ContactForm,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    s.check_csrf(&f.csrf)?;
    match f.c.validate() {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &contact_page(s, id, f.c, p),
        ),
        Ok(c) => {
            match id {
                Some(id) => state.store.update_contact(&s.ctx(), id, &c).await?,
                None => state.store.add_contacts(&s.ctx(), &[c]).await?,
            }
            refresh_pack(state, s).await;
            Ok(see_other("/preparedness#chart"))
        }
    }
}

/// Adds a contact.
pub async fn add_contact(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<ContactForm>,
) -> Result<Response, AppError> {
    save_contact(&state, &s, None, f).await
}

/// Changes a contact.
pub async fn update_contact(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<ContactForm>,
) -> Result<Response, AppError> {
    save_contact(&state, &s, Some(id), f).await
}

/// A form with only the token.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// Adds the external bodies every chart needs, numbers to be filled in.
pub async fn add_standard_bodies(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    s.check_csrf(&f.csrf)?;
    state
        .store
        .add_contacts(&s.ctx(), &standard_bodies())
        .await?;
    refresh_pack(&state, &s).await;
    Ok(see_other("/preparedness#chart"))
}

/// Removes a contact.
pub async fn remove_contact(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    s.check_csrf(&f.csrf)?;
    state.store.remove_contact(&s.ctx(), id).await?;
    refresh_pack(&state, &s).await;
    Ok(see_other("/preparedness#chart"))
}

#[derive(Template)]
#[template(path = "procedure_form.html")]
struct ProcedurePage {
    page: Page,
    action: String,
    p: RecoveryProcedure,
    errors: Problem,
}

fn procedure_page(
    s: &SignedIn,
    id: Option<Uuid>,
    p: RecoveryProcedure,
    errors: Problem,
) -> ProcedurePage {
    ProcedurePage {
        page: Page::signed_in(s, "prep.procedure", "/preparedness"),
        action: match id {
            Some(id) => format!("/preparedness/procedures/{id}"),
            None => "/preparedness/procedures".into(),
        },
        p,
        errors,
    }
}

/// An empty procedure form.
pub async fn new_procedure(s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    render(&procedure_page(
        &s,
        None,
        RecoveryProcedure::default(),
        Problem::new(vec![]),
    ))
}

/// A procedure's form.
pub async fn edit_procedure(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    let p = state
        .store
        .recovery_procedures(s.org.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)?;
    render(&procedure_page(
        &s,
        Some(id),
        p.procedure,
        Problem::new(vec![]),
    ))
}

/// A procedure form as sent.
#[derive(Deserialize)]
pub struct ProcedureForm {
    csrf: String,
    #[serde(flatten)]
    p: RecoveryProcedure,
}

async fn save_procedure(
    state: &AppState,
    s: &SignedIn,
    id: Option<Uuid>,
    f: ProcedureForm,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    s.check_csrf(&f.csrf)?;
    match f.p.validate() {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &procedure_page(s, id, f.p, p),
        ),
        Ok(p) => {
            state.store.save_procedure(&s.ctx(), id, &p).await?;
            refresh_pack(state, s).await;
            Ok(see_other("/preparedness#procedures"))
        }
    }
}

/// Adds a procedure.
pub async fn add_procedure(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<ProcedureForm>,
) -> Result<Response, AppError> {
    save_procedure(&state, &s, None, f).await
}

/// Changes a procedure.
pub async fn update_procedure(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<ProcedureForm>,
) -> Result<Response, AppError> {
    save_procedure(&state, &s, Some(id), f).await
}

/// Removes a procedure.
pub async fn remove_procedure(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    s.check_csrf(&f.csrf)?;
    state.store.remove_procedure(&s.ctx(), id).await?;
    refresh_pack(&state, &s).await;
    Ok(see_other("/preparedness#procedures"))
}

fn chart_table(contacts: &[mamori_store::StoredContact]) -> Vec<Vec<String>> {
    contacts.iter().map(|c| c.contact.cells()).collect()
}

fn chart_header() -> Vec<String> {
    mamori_domain::preparedness::CONTACT_COLUMNS
        .iter()
        .map(|c| c.1.to_string())
        .collect()
}

/// The contact chart as CSV.
pub async fn export_chart_csv(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    let rows: Vec<Vec<String>> = std::iter::once(chart_header())
        .chain(chart_table(&state.store.contacts(s.org.id).await?))
        .collect();
    super::exchange::csv_download("contacts.csv", &rows)
}

/// The contact chart as XLSX.
pub async fn export_chart_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    super::exchange::xlsx_download(
        "contacts.xlsx",
        "連絡体制図",
        &format!("連絡体制図 — {}", s.org.profile.name),
        &chart_header(),
        &chart_table(&state.store.contacts(s.org.id).await?),
    )
}

/// Adds the contacts of a CSV or XLSX table: all rows or none.
pub async fn import_chart(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManagePreparedness)?;
    let (csrf, file) = super::exchange::csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let first: Vec<&str> = mamori_domain::preparedness::CONTACT_COLUMNS
        .iter()
        .flat_map(|c| [c.1, c.2])
        .collect();
    let back = |r| {
        super::exchange::refusal_page(&s, "/preparedness", "/preparedness".into(), "prep.title", r)
    };
    let (rows, offset, label) = match super::exchange::read_table(&name, &bytes, &first) {
        Ok(t) => t,
        Err(r) => return back(r),
    };
    match mamori_domain::preparedness::import_contacts(&rows) {
        Err(errors) => back(super::exchange::Refusal::shifted(label, errors, offset)),
        Ok(contacts) => {
            state.store.add_contacts(&s.ctx(), &contacts).await?;
            refresh_pack(&state, &s).await;
            Ok(see_other("/preparedness#chart"))
        }
    }
}
