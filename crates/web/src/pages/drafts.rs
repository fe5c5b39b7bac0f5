//! The documents of an incident: drafts pre-filled from its facts, edited and saved as versions,
//! printable on A4 and exportable as JSON.

use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::drafts::{DraftKind, DraftSource, prefill};
use mamori_domain::incident::TaskStatus;
use mamori_domain::validate::Problem;
use mamori_store::{DocumentVersion, Incident};
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

fn kind_of(code: &str) -> Result<DraftKind, AppError> {
    DraftKind::from_code(code).ok_or(AppError::NotFound)
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

/// The first draft: what mamori knows, in Japanese.
async fn first_draft(
    state: &AppState,
    s: &SignedIn,
    i: &Incident,
    kind: DraftKind,
) -> Result<BTreeMap<String, String>, AppError> {
    let cat = super::catalog()?;
    let done = state
        .store
        .incident_tasks(s.org.id, i.id)
        .await?
        .into_iter()
        .filter(|t| t.status == TaskStatus::Done)
        .filter_map(|t| {
            let task = cat.tasks.get(&t.task_id)?;
            Some(if t.note.is_empty() {
                task.text_ja.clone()
            } else {
                format!("{}({})", task.text_ja, t.note)
            })
        })
        .collect();
    Ok(prefill(
        kind,
        &DraftSource {
            institution: &s.org.profile.name,
            incident: &i.facts,
            done,
            today: today(state),
        },
    ))
}

/// `?version=N`.
#[derive(Deserialize, Default)]
pub struct VersionQuery {
    #[serde(default)]
    version: Option<i64>,
}

/// The version asked for, or the latest; `None` when nothing was saved yet.
fn pick(
    versions: &[DocumentVersion],
    wanted: Option<i64>,
) -> Result<Option<&DocumentVersion>, AppError> {
    match wanted {
        Some(n) => versions
            .iter()
            .find(|v| v.version == n)
            .map(Some)
            .ok_or(AppError::NotFound),
        None => Ok(versions.first()),
    }
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
    let i = state.store.incident(s.org.id, id).await?;
    let versions = state.store.document_versions(s.org.id, id, kind).await?;
    let shown = pick(&versions, wanted)?;
    let (values, errors) = match typed {
        Some(t) => t,
        None => (
            match shown {
                Some(v) => v.fields.clone(),
                None => first_draft(state, s, &i, kind).await?,
            },
            Problem::new(vec![]),
        ),
    };
    Ok(DraftPage {
        page: Page::signed_in(s, "draft.title", "/incidents"),
        code: kind.code(),
        label: kind.label(s.lang),
        fields: field_rows(kind, &values, s.lang),
        errors,
        shown: shown.map(|v| v.version),
        versions: versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    format!("{} · {}", format_jst(v.saved_at), v.saved_by),
                )
            })
            .collect(),
        can_handle: s.actor.can(Permission::HandleIncidents),
        i,
    })
}

/// A document: the latest version (or a first draft) to edit, with its versions.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewIncidents)?;
    render(&draft_page(&state, &s, id, kind_of(&code)?, q.version, None).await?)
}

/// Saves the edited fields as a new version.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    crate::form::Form(mut form): crate::form::Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    let kind = kind_of(&code)?;
    s.check_csrf(&form.remove("csrf").unwrap_or_default())?;
    match kind.validate(&form) {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &draft_page(&state, &s, id, kind, None, Some((form, p))).await?,
        ),
        Ok(fields) => {
            let v = state
                .store
                .save_document(&s.ctx(), id, kind, &fields)
                .await?;
            Ok(see_other(&format!(
                "/incidents/{id}/documents/{code}?version={v}"
            )))
        }
    }
}

/// The incident, the version asked for (or the latest), and its values — the first draft when
/// nothing was saved yet.
async fn shown_document(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    kind: DraftKind,
    wanted: Option<i64>,
) -> Result<(Incident, Option<DocumentVersion>, BTreeMap<String, String>), AppError> {
    let i = state.store.incident(s.org.id, id).await?;
    let versions = state.store.document_versions(s.org.id, id, kind).await?;
    let shown = pick(&versions, wanted)?.cloned();
    let values = match &shown {
        Some(v) => v.fields.clone(),
        None => first_draft(state, s, &i, kind).await?,
    };
    Ok((i, shown, values))
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
    s.require(Permission::ViewIncidents)?;
    let kind = kind_of(&code)?;
    let (i, shown, values) = shown_document(&state, &s, id, kind, q.version).await?;
    render(&PrintPage {
        page: Page::signed_in(&s, "draft.title", "/incidents"),
        title_ja: kind.label(mamori_domain::Lang::Ja),
        fields: field_rows(kind, &values, mamori_domain::Lang::Ja),
        version: shown.as_ref().map(|v| v.version),
        printed: format_jst(state.now()),
        i,
    })
}

/// The document as JSON, for other tools (and the PPC web form by hand).
pub async fn export_json(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, code)): Path<(Uuid, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewIncidents)?;
    let kind = kind_of(&code)?;
    let (i, shown, values) = shown_document(&state, &s, id, kind, q.version).await?;
    let body = serde_json::json!({
        "incident": i.number,
        "kind": kind.code(),
        "version": shown.as_ref().map(|v| v.version),
        "saved_at": shown.as_ref().map(|v| v.saved_at),
        "saved_by": shown.as_ref().map(|v| v.saved_by.clone()),
        "fields": kind.fields().iter().map(|f| serde_json::json!({
            "key": f.key, "label": f.ja, "value": values.get(f.key).cloned().unwrap_or_default()
        })).collect::<Vec<_>>(),
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"incident-{}-{}.json\"",
                    i.number,
                    kind.code()
                ),
            ),
        ],
        body.to_string(),
    )
        .into_response())
}
