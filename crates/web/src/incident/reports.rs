//! Reporting an anomaly (any staff member, one short form that works on a phone) and triage:
//! turning a report into an incident, closing it with a reason, or merging it.

use super::facts::{FactsForm, IncidentForm};
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
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::incident::{AnomalyDraft, IncidentDraft, ReportStatus};
use mamori_domain::validate::Problem;
use mamori_store::{AnomalyReport, MergeTarget};
use serde::Deserialize;
use uuid::Uuid;

/// A report as listed.
pub struct ReportRow {
    /// The report.
    pub r: AnomalyReport,
    /// Noticed at, Japan time.
    pub noticed: String,
    /// Reported at, Japan time.
    pub reported: String,
    /// Status label.
    pub status: &'static str,
}

impl ReportRow {
    fn new(r: AnomalyReport, lang: mamori_domain::Lang) -> ReportRow {
        ReportRow {
            noticed: format_jst(r.anomaly.noticed_at),
            reported: format_jst(r.reported_at),
            status: r.status.label(lang),
            r,
        }
    }

    /// Whether it still waits for triage.
    pub fn is_open(&self) -> bool {
        self.r.status == ReportStatus::Open
    }
}

/// Reports as rows in the page language.
pub fn rows(reports: Vec<AnomalyReport>, lang: mamori_domain::Lang) -> Vec<ReportRow> {
    reports
        .into_iter()
        .map(|r| ReportRow::new(r, lang))
        .collect()
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Page,
    draft: AnomalyDraft,
    errors: Problem,
    mine: Vec<ReportRow>,
    /// Whom to call first: the institution's own desks of the contact chart.
    call: Vec<mamori_domain::preparedness::Contact>,
}

/// `?sent=N` after a report was received.
#[derive(Deserialize, Default)]
pub struct SentQuery {
    #[serde(default)]
    sent: Option<i64>,
}

async fn report_page(
    state: &AppState,
    s: &SignedIn,
    draft: AnomalyDraft,
    errors: Problem,
) -> Result<ReportPage, AppError> {
    let mine = service::my_reports(state, s).await?;
    let call = service::contacts(state, s)
        .await?
        .into_iter()
        .map(|c| c.contact)
        .filter(|c| c.group == "internal" && !(c.phone.is_empty() && c.phone_24h.is_empty()))
        .collect();
    Ok(ReportPage {
        page: Page::signed_in(s, "report.title", "/report"),
        draft,
        errors,
        mine: rows(mine, s.lang),
        call,
    })
}

/// The report form, with the reporter's earlier reports and what became of them.
pub async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let mut p = report_page(&state, &s, AnomalyDraft::default(), Problem::new(vec![])).await?;
    if q.sent.is_some() {
        p.page = p.page.with_notice("report.received");
    }
    render(&p)
}

/// The report form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    csrf: String,
    #[serde(flatten)]
    draft: AnomalyDraft,
}

/// Receives a report; the security manager sees it on the dashboard at once and, when mail is
/// configured, by e-mail (queued after the report is stored, so mail trouble never loses it).
pub async fn submit(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::report(&state, &s, &f.draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &report_page(&state, &s, f.draft, p).await?,
        ),
        Err(e) => Err(e),
        Ok(r) => Ok(see_other(&format!("/report?sent={}", r.number))),
    }
}

#[derive(Template)]
#[template(path = "triage.html")]
struct TriagePage {
    page: Page,
    report: ReportRow,
    can_handle: bool,
    form: IncidentForm,
    close_reason: String,
    close_errors: Problem,
    targets: Vec<(String, String)>,
}

async fn triage_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    incident: Option<(IncidentDraft, Problem)>,
    close: Option<(String, Problem)>,
) -> Result<TriagePage, AppError> {
    let r = service::report_of(state, s, id).await?;
    let (draft, errors) = incident.unwrap_or_else(|| {
        (
            IncidentDraft::from_anomaly(&r.anomaly),
            Problem::new(vec![]),
        )
    });
    let (close_reason, close_errors) = close.unwrap_or_default();
    let mut targets = Vec::new();
    for i in service::incidents(state, s).await? {
        if i.is_open() {
            targets.push((
                format!("incident:{}", i.id),
                format!("#{} {}", i.number, i.facts.title),
            ));
        }
    }
    for o in service::reports(state, s, true).await? {
        if o.id != id {
            targets.push((
                format!("report:{}", o.id),
                format!("{} {}", o.number, o.anomaly.what),
            ));
        }
    }
    Ok(TriagePage {
        page: Page::signed_in(s, "triage.title", "/incidents"),
        report: ReportRow::new(r, s.lang),
        can_handle: s.actor.can(Permission::HandleIncidents),
        form: IncidentForm::new(s.lang, draft, errors, false),
        close_reason,
        close_errors,
        targets,
    })
}

/// A report with the triage choices.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    render(&triage_page(&state, &s, id, None, None).await?)
}

/// Triage: the report becomes an incident.
pub async fn to_incident(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<FactsForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::to_incident(&state, &s, id, &f.draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &triage_page(&state, &s, id, Some((f.draft, p)), None).await?,
        ),
        Err(e) => Err(e),
        Ok(i) => Ok(see_other(&format!("/incidents/{}", i.id))),
    }
}

/// The close form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    csrf: String,
    reason: String,
}

/// Triage: nothing to act on; closed with the reason.
pub async fn close(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CloseForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::close_report(&state, &s, id, &f.reason).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &triage_page(&state, &s, id, None, Some((f.reason, p))).await?,
        ),
        Err(e) => Err(e),
        Ok(()) => Ok(see_other("/incidents")),
    }
}

/// The merge form: `target` is `incident:ID` or `report:ID`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    csrf: String,
    target: String,
}

/// Triage: the same event reported again; merged into a report or an incident.
pub async fn merge(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let target = service::merge_report(&state, &s, id, &f.target).await?;
    Ok(match target {
        MergeTarget::Incident(i) => see_other(&format!("/incidents/{i}")),
        MergeTarget::Report(_) => see_other("/incidents"),
    })
}
