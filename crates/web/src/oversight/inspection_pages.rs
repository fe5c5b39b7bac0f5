//! The inspection pages: an authority's record of its on-site inspections and the form to record
//! one; the institution's list of its inspections; one inspection, with the follow-up the
//! institution reports.

use super::inspections;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::authz::Permission::{ManageOversight, SubmitChecklist};
use mamori_domain::oversight::InspectionDraft;
use mamori_domain::validate::Problem;
use mamori_store::StoredInspection;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "oversight_inspections.html")]
struct ListPage {
    page: Page,
    inspections: Vec<StoredInspection>,
    authority: bool,
    can_record: bool,
}

/// The inspections the authority recorded.
pub async fn recorded(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&ListPage {
        page: Page::signed_in(&s, "inspections.title", "/oversight/inspections"),
        inspections: inspections::recorded(&state, &s).await?,
        authority: true,
        can_record: s.actor.can(ManageOversight),
    })
}

/// The institution's inspections.
pub async fn received(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&ListPage {
        page: Page::signed_in(&s, "inspections.received", "/oversight/my-inspections"),
        inspections: inspections::received(&state, &s).await?,
        authority: false,
        can_record: false,
    })
}

#[derive(Template)]
#[template(path = "oversight_inspection_form.html")]
struct FormPage {
    page: Page,
    d: InspectionDraft,
    errors: Problem,
}

/// Which institution a new inspection is of.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    code: String,
}

/// The form to record an inspection.
pub async fn new(
    State(_): State<AppState>,
    s: SignedIn,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    s.require(ManageOversight)?;
    let d = InspectionDraft {
        institution_code: q.code,
        inspected_on: s.today().to_string(),
        inspectors: s.user.display_name.clone(),
        ..Default::default()
    };
    render(&FormPage {
        page: Page::signed_in(&s, "inspections.new", "/oversight/inspections"),
        d,
        errors: Problem::new(vec![]),
    })
}

/// An inspection as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InspectionForm {
    csrf: String,
    #[serde(flatten)]
    d: InspectionDraft,
}

/// Records an inspection; a fault keeps what was typed.
pub async fn record(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<InspectionForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match inspections::record(&state, &s, &f.d).await {
        Ok(id) => Ok(see_other(&format!("/oversight/inspections/{id}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                page: Page::signed_in(&s, "inspections.new", "/oversight/inspections"),
                d: f.d,
                errors: p,
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "oversight_inspection.html")]
struct OnePage {
    page: Page,
    i: StoredInspection,
    can_report: bool,
    done_on: String,
    note: String,
    errors: Problem,
}

async fn one_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    (done_on, note, errors): (String, String, Problem),
) -> Result<OnePage, AppError> {
    let i = inspections::one(state, s, id).await?;
    Ok(OnePage {
        page: Page::signed_in(s, "inspections.one", "/oversight/inspections"),
        can_report: i.org_id == Some(s.org.id)
            && s.actor.can(SubmitChecklist)
            && i.follow_up_due.is_some()
            && i.follow_up_done_on.is_none(),
        i,
        done_on,
        note,
        errors,
    })
}

/// One inspection.
pub async fn one(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let today = s.today().to_string();
    render(&one_page(&state, &s, id, (today, String::new(), Problem::new(vec![]))).await?)
}

/// A follow-up as reported.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FollowUpForm {
    csrf: String,
    done_on: String,
    note: String,
}

/// The institution reports the follow-up done; a fault keeps what was typed.
pub async fn follow_up(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<FollowUpForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match inspections::report_follow_up(&state, &s, id, &f.done_on, &f.note).await {
        Ok(()) => Ok(see_other(&format!("/oversight/inspections/{id}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &one_page(&state, &s, id, (f.done_on, f.note, p)).await?,
        ),
        Err(e) => Err(e),
    }
}
