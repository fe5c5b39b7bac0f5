//! The alert pages: the alerts a member received, with its own devices they concern and the
//! acknowledgement; for the publisher, the form and who acknowledged.

use super::alerts::{self, AlertDraft, AlertView};
use super::pages::TokenForm;
use super::service;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::alert::{Severity, affected_text};
use mamori_domain::authz::Permission::ManageCollections;
use mamori_domain::clock::format_jst;
use mamori_domain::validate::Problem;
use mamori_store::Collection;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "sharing_alerts.html")]
struct AlertsPage {
    page: Page,
    alerts: Vec<AlertView>,
    kept: Vec<Collection>,
    severities: Vec<Severity>,
    draft: AlertDraft,
    errors: Problem,
}

async fn alerts_page(
    state: &AppState,
    s: &SignedIn,
    draft: AlertDraft,
    errors: Problem,
) -> Result<AlertsPage, AppError> {
    let mut all = alerts::alerts(state, s).await?;
    all.sort_by_key(|a| !a.open());
    let kept = if s.actor.can(ManageCollections) {
        service::collections(state, s)
            .await?
            .into_iter()
            .filter(|c| c.org_id == s.org.id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(AlertsPage {
        page: Page::signed_in(s, "alerts.title", "/sharing/alerts"),
        alerts: all,
        kept,
        severities: Severity::ALL.to_vec(),
        draft,
        errors,
    })
}

/// The alerts the organisation received and published.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let draft = AlertDraft {
        severity: "high".into(),
        ..Default::default()
    };
    render(&alerts_page(&state, &s, draft, Problem::new(vec![])).await?)
}

/// An alert as sent from the form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AlertForm {
    csrf: String,
    collection_id: Option<Uuid>,
    title: String,
    summary: String,
    actions: String,
    severity: String,
    affected: String,
    due_on: String,
}

/// Publishes an alert; a fault keeps what was typed.
pub async fn publish(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<AlertForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let d = AlertDraft {
        collection_id: f.collection_id,
        title: f.title,
        summary: f.summary,
        actions: f.actions,
        severity: f.severity,
        affected: f.affected,
        due_on: f.due_on,
    };
    match alerts::publish(&state, &s, &d).await {
        Ok(id) => Ok(see_other(&format!("/sharing/alerts/{id}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &alerts_page(&state, &s, d, p).await?,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "sharing_alert.html")]
struct AlertPage {
    page: Page,
    a: AlertView,
    products: String,
    published: String,
    acknowledged: String,
    acks: Vec<(String, String)>,
}

/// One alert: what to do, the devices it concerns, and for the publisher who acknowledged.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let a = alerts::alert(&state, &s, id).await?;
    let acks = if a.own {
        alerts::acknowledgements(&state, &s, id)
            .await?
            .into_iter()
            .map(|(_, name, at)| (name, at.map(format_jst).unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    render(&AlertPage {
        page: Page::signed_in(&s, "alerts.title", "/sharing/alerts"),
        products: affected_text(&a.products),
        published: format_jst(a.alert.published_at),
        acknowledged: a.alert.acknowledged_at.map(format_jst).unwrap_or_default(),
        acks,
        a,
    })
}

/// Acknowledges an alert for the organisation.
pub async fn acknowledge(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    alerts::acknowledge(&state, &s, id).await?;
    Ok(see_other(&format!("/sharing/alerts/{id}")))
}
