//! The documents of an incident: drafts pre-filled from its facts, edited and saved as versions,
//! printable on A4 and exportable as JSON.

use super::service::{self, Document, kind_of};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::Download;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::drafts::DraftKind;
use mamori_domain::validate::Problem;
use mamori_store::Incident;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One field as shown.
pub struct FieldRow {
    /// Key.
    pub key: &'static str,
    /// Label in the page language (the Japanese label is printed on paper).
    pub label: &'static str,
    /// Japanese label.
    pub label_ja: &'static str,
    /// Value.
    pub value: String,
}

fn field_rows(
    kind: DraftKind,
    values: &BTreeMap<String, String>,
    lang: mamori_domain::Lang,
) -> Vec<FieldRow> {
    kind.fields()
        .iter()
        .map(|f| FieldRow {
            key: f.key,
            label: lang.pick(f.ja, f.en),
            label_ja: f.ja,
            value: values.get(f.key).cloned().unwrap_or_default(),
        })
        .collect()
}

/// `?version=N`.
#[derive(Deserialize, Default)]
pub struct VersionQuery {
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    page: Page,
    i: Incident,
    code: &'static str,
    label: &'static str,
    fields: Vec<FieldRow>,
    errors: Problem,
    versions: Vec<(i64, String)>,
    shown: Option<i64>,
    can_handle: bool,
}

async fn draft_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    kind: DraftKind,
    wanted: Option<i64>,
    typed: Option<(BTreeMap<String, String>, Problem)>,
) -> Result<DraftPage, AppError> {
    let doc = service::document(state, s, id, kind, wanted).await?;
    let (values, errors) = typed.unwrap_or((doc.values, Problem::new(vec![])));
    Ok(DraftPage {
        page: Page::signed_in(s, "draft.title", "/incidents"),
        code: kind.code(),
        label: kind.label(s.lang),
        fields: field_rows(kind, &values, s.lang),
        errors,
        shown: doc.shown,
        versions: doc
            .versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    format!("{} · {}", format_jst(v.saved_at), v.saved_by),
                )
            })
            .collect(),
        can_handle: s.actor.can(Permission::HandleIncidents),
        i: doc.incident,
    })
}

/// A document: the latest version (or a first draft) to edit, with its versions.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    render(&draft_page(&state, &s, id, kind_of(&code)?, q.version, None).await?)
}

/// Saves the edited fields as a new version.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    crate::core::form::Form(mut form): crate::core::form::Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let kind = kind_of(&code)?;
    s.check_csrf(&form.remove("csrf").unwrap_or_default())?;
    match service::save_document(&state, &s, id, kind, &form).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &draft_page(&state, &s, id, kind, None, Some((form, p))).await?,
        ),
        Err(e) => Err(e),
        Ok(v) => Ok(see_other(&format!(
            "/incidents/{id}/documents/{code}?version={v}"
        ))),
    }
}

#[derive(Template)]
#[template(path = "draft_print.html")]
struct PrintPage {
    page: Page,
    i: Incident,
    title_ja: &'static str,
    fields: Vec<FieldRow>,
    version: Option<i64>,
    printed: String,
}

/// The document on A4 in Japanese, to print or save as PDF from the browser.
pub async fn print(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let kind = kind_of(&code)?;
    let doc = service::document(&state, &s, id, kind, q.version).await?;
    render(&PrintPage {
        page: Page::signed_in(&s, "draft.title", "/incidents"),
        title_ja: kind.label(mamori_domain::Lang::Ja),
        fields: field_rows(kind, &doc.values, mamori_domain::Lang::Ja),
        version: doc.shown,
        printed: format_jst(s.now),
        i: doc.incident,
    })
}

/// A document as JSON: the incident's number, the kind, the version shown and every field with
/// its Japanese label, for other tools (and the PPC web form by hand).
pub fn document_json(kind: DraftKind, doc: &Document) -> serde_json::Value {
    let shown = doc.versions.iter().find(|v| Some(v.version) == doc.shown);
    serde_json::json!({
        "incident": doc.incident.number,
        "kind": kind.code(),
        "version": doc.shown,
        "saved_at": shown.map(|v| v.saved_at),
        "saved_by": shown.map(|v| v.saved_by.clone()),
        "fields": kind.fields().iter().map(|f| serde_json::json!({
            "key": f.key, "label": f.ja, "value": doc.values.get(f.key).cloned().unwrap_or_default()
        })).collect::<Vec<_>>(),
    })
}

/// The document as a JSON file.
pub async fn export_json(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let kind = kind_of(&code)?;
    let doc = service::document(&state, &s, id, kind, q.version).await?;
    let name = format!("incident-{}-{}.json", doc.incident.number, kind.code());
    Ok(Download::json(&name, &document_json(kind, &doc))?.into_response())
}
