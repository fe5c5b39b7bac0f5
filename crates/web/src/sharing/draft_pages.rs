//! The pages of sharing from an incident: the draft form (filled from an incident's timeline),
//! the draft exactly as it will be sent with the lines to review, and its approval.

use super::drafts::{self, DraftInput, DraftView};
use super::pages::TokenForm;
use super::service;
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
use mamori_domain::clock::format_jst;
use mamori_domain::validate::Problem;
use mamori_store::{Collection, ShareDraft};
use serde::Deserialize;
use stix::Tlp;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "sharing_drafts.html")]
struct DraftsPage {
    page: Page,
    drafts: Vec<(ShareDraft, String)>,
    incidents: Vec<crate::status::IncidentToShare>,
    collections: Vec<Collection>,
    levels: Vec<(&'static str, &'static str)>,
    d: DraftForm,
    errors: Problem,
}

async fn drafts_page(
    state: &AppState,
    s: &SignedIn,
    d: DraftForm,
    errors: Problem,
) -> Result<DraftsPage, AppError> {
    let drafts = drafts::drafts(state, s)
        .await?
        .into_iter()
        .map(|x| {
            let at = format_jst(x.created_at);
            (x, at)
        })
        .collect();
    Ok(DraftsPage {
        page: Page::signed_in(s, "share.title", "/sharing/drafts"),
        drafts,
        incidents: crate::status::incidents_to_share(state, s.org.id).await?,
        collections: service::collections(state, s)
            .await?
            .into_iter()
            .filter(|c| c.can_write)
            .collect(),
        levels: Tlp::ALL
            .iter()
            .filter(|t| **t != Tlp::Red)
            .map(|t| (t.code(), t.name()))
            .collect(),
        d,
        errors,
    })
}

/// Which incident to fill the form from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromIncident {
    incident: Option<Uuid>,
}

/// The drafts, and the form, filled from an incident's timeline when one is named.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<FromIncident>,
) -> Result<Response, AppError> {
    let mut d = DraftForm {
        tlp: "amber".into(),
        anonymous: true,
        ..Default::default()
    };
    if let Some(id) = q.incident {
        let (i, values) = crate::status::incident_values(&state, s.org.id, id).await?;
        d.incident_id = Some(i.id);
        let tr = crate::core::i18n::Tr::new(s.lang);
        d.title = format!("{} #{}: {}", tr.t("share.from_incident"), i.number, i.title);
        d.values = values.join("\n");
    }
    render(&drafts_page(&state, &s, d, Problem::new(vec![])).await?)
}

/// The draft form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DraftForm {
    csrf: String,
    incident_id: Option<Uuid>,
    collection_id: Option<Uuid>,
    title: String,
    summary: String,
    values: String,
    malware: String,
    tlp: String,
    anonymous: bool,
}

/// Makes a draft; a fault keeps what was typed.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<DraftForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let input = DraftInput {
        incident_id: f.incident_id,
        collection_id: f.collection_id,
        title: f.title.clone(),
        summary: f.summary.clone(),
        values: f.values.clone(),
        malware: f.malware.clone(),
        tlp: f.tlp.clone(),
        anonymous: f.anonymous,
    };
    match drafts::create(&state, &s, &input).await {
        Ok(id) => Ok(see_other(&format!("/sharing/drafts/{id}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &drafts_page(&state, &s, f, p).await?,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "sharing_draft.html")]
struct DraftPage {
    page: Page,
    v: DraftView,
    json: String,
    mine: bool,
    created: String,
    approved: String,
}

/// A draft exactly as it will be sent.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let v = drafts::draft(&state, &s, id).await?;
    render(&DraftPage {
        page: Page::signed_in(&s, "share.title", "/sharing/drafts"),
        json: serde_json::to_string_pretty(&v.objects).unwrap_or_default(),
        mine: v.draft.created_by_user == s.user.id,
        created: format_jst(v.draft.created_at),
        approved: v.draft.approved_at.map(format_jst).unwrap_or_default(),
        v,
    })
}

/// Approves and publishes a draft.
pub async fn approve(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    drafts::approve(&state, &s, id).await?;
    Ok(see_other(&format!("/sharing/drafts/{id}")))
}
