//! Being ready: the contact chart (連絡体制図), the recovery procedures per system, and the
//! emergency pack made from them.

use super::emergency::{ChartGroup, chart_groups, pack_html};
use super::service;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::import::{Taken, review_form, review_page};
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Refusal, Upload, read_table, refusal_page};
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::preparedness::{Contact, ContactGroup, RecoveryProcedure};
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
    let contacts = service::contacts(&state, &s).await?;
    let missing_24h = contacts.iter().filter(|c| c.contact.lacks_24h()).count();
    render(&PreparednessPage {
        page: Page::signed_in(&s, "prep.title", "/preparedness"),
        groups: chart_groups(contacts, s.lang),
        procedures: service::procedures(&state, &s).await?,
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
            service::contacts(&state, &s).await?,
            mamori_domain::Lang::Ja,
        ),
        printed: format_jst(s.now),
    })
}

/// Downloads the emergency pack (one HTML file that needs nothing else).
pub async fn emergency_pack(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    let html = pack_html(&state.store, &s.org, s.now)
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
    let c = service::contact(&state, &s, id).await?;
    render(&contact_page(&s, Some(id), c.contact, Problem::new(vec![])))
}

/// A contact form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
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
    s.check_csrf(&f.csrf)?;
    match service::save_contact(state, s, id, &f.c).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &contact_page(s, id, f.c, p),
        ),
        Err(e) => Err(e),
        Ok(_) => Ok(see_other("/preparedness#chart")),
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
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
}

/// Adds the external bodies every chart needs, numbers to be filled in.
pub async fn add_standard_bodies(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::add_standard_bodies(&state, &s).await?;
    Ok(see_other("/preparedness#chart"))
}

/// Removes a contact.
pub async fn remove_contact(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::remove_contact(&state, &s, id).await?;
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
    let p = service::procedure(&state, &s, id).await?;
    render(&procedure_page(
        &s,
        Some(id),
        p.procedure,
        Problem::new(vec![]),
    ))
}

/// A procedure form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
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
    s.check_csrf(&f.csrf)?;
    match service::save_procedure(state, s, id, &f.p).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &procedure_page(s, id, f.p, p),
        ),
        Err(e) => Err(e),
        Ok(_) => Ok(see_other("/preparedness#procedures")),
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
    s.check_csrf(&f.csrf)?;
    service::remove_procedure(&state, &s, id).await?;
    Ok(see_other("/preparedness#procedures"))
}

/// The contact chart as CSV.
pub async fn export_chart_csv(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    Ok(service::export_chart(&state, &s, false)
        .await?
        .into_response())
}

/// The contact chart as XLSX.
pub async fn export_chart_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    Ok(service::export_chart(&state, &s, true)
        .await?
        .into_response())
}

/// Adds the contacts of a CSV or XLSX table: all rows or none; a table with other columns than
/// ours is shown for the user to check first.
pub async fn import_chart(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match read_table(name, bytes, &[]) {
        Err(r) => chart_refused(&s, r),
        Ok(table) => chart_imported(&s, service::review_chart(&state, &s, &table, None).await?),
    }
}

/// The review page's answer for a contact table: the columns as set, and whether to take it.
pub async fn import_chart_review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(fields): Form<std::collections::BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    s.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let f = review_form(&fields)?;
    chart_imported(
        &s,
        service::review_chart(&state, &s, &f.table, Some(f.choice)).await?,
    )
}

fn chart_refused(s: &SignedIn, r: Refusal) -> Result<Response, AppError> {
    refusal_page(s, "/preparedness", "/preparedness".into(), "prep.title", r)
}

fn chart_imported(s: &SignedIn, t: Taken<usize>) -> Result<Response, AppError> {
    match t {
        Taken::Done(_) => Ok(see_other("/preparedness#chart")),
        Taken::Review(r) => review_page(
            s,
            "/preparedness",
            "/preparedness".into(),
            "prep.title",
            "/preparedness/contacts/import/review".into(),
            r,
        ),
        Taken::Refused(r) => chart_refused(s, r),
    }
}
