//! An incident: its facts, the phases and role tasks from the catalog, the duties with their
//! deadlines and status, and the timeline of everything done and decided.

use super::facts::{FactsForm, IncidentForm};
use super::reports::{ReportRow, rows};
use super::service::{self, DutyRow, IncidentRow, incident_rows, phase_name};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{catalog, see_other};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use mamori_domain::Lang;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::drafts::DraftKind;
use mamori_domain::duties::{self};
use mamori_domain::incident::{
    self as inc, CLOSED, DutyChange, IncidentDraft, Severity, TaskStatus,
};
use mamori_domain::validate::Problem;
use mamori_store::{Incident, TimelineEntry};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    page: Page,
    reports: Vec<ReportRow>,
    open: Vec<IncidentRow>,
    closed: Vec<IncidentRow>,
    can_handle: bool,
}

/// Reports awaiting triage and the incidents, open first.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let reports = rows(service::reports(&state, &s, true).await?, s.lang);
    let all = incident_rows(&state, &s, service::incidents(&state, &s).await?).await?;
    let (open, closed) = all.into_iter().partition(|r| r.i.is_open());
    render(&ListPage {
        page: Page::signed_in(&s, "incidents.title", "/incidents"),
        reports,
        open,
        closed,
        can_handle: s.actor.can(Permission::HandleIncidents),
    })
}

#[derive(Template)]
#[template(path = "incident_form.html")]
struct FormPage {
    page: Page,
    action: String,
    back: String,
    form: IncidentForm,
}

fn form_page(s: &SignedIn, id: Option<Uuid>, form: IncidentForm) -> FormPage {
    let (action, back) = match id {
        Some(id) => (format!("/incidents/{id}/facts"), format!("/incidents/{id}")),
        None => ("/incidents/new".to_string(), "/incidents".to_string()),
    };
    let title = if id.is_some() {
        "incident.edit_facts"
    } else {
        "incident.new"
    };
    FormPage {
        page: Page::signed_in(s, title, "/incidents"),
        action,
        back,
        form,
    }
}

/// A form to open an incident directly (for example a tabletop exercise, 訓練).
pub async fn new_form(s: SignedIn) -> Result<Response, AppError> {
    let draft = IncidentDraft {
        aware_at: mamori_domain::clock::format_local_jst(s.now),
        severity: Severity::Medium.code().into(),
        personal_data: "no".into(),
        ..Default::default()
    };
    render(&form_page(
        &s,
        None,
        IncidentForm::new(s.lang, draft, Problem::new(vec![]), false),
    ))
}

/// Opens an incident without a report.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<FactsForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::open_incident(&state, &s, &f.draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&s, None, IncidentForm::new(s.lang, f.draft, p, false)),
        ),
        Err(e) => Err(e),
        Ok(i) => Ok(see_other(&format!("/incidents/{}", i.id))),
    }
}

/// The facts of an incident, to change them (with the reason).
pub async fn facts_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let i = service::incident(&state, &s, id).await?;
    render(&form_page(
        &s,
        Some(id),
        IncidentForm::new(
            s.lang,
            IncidentDraft::from_facts(&i.facts),
            Problem::new(vec![]),
            true,
        ),
    ))
}

/// Changes the facts; the duties are recomputed and the change recorded with its reason.
pub async fn facts_submit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<FactsForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::update_facts(&state, &s, id, &f.draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&s, Some(id), IncidentForm::new(s.lang, f.draft, p, true)),
        ),
        Err(e) => Err(e),
        Ok(_) => Ok(see_other(&format!("/incidents/{id}"))),
    }
}

/// A catalog task with its status in this incident.
pub struct TaskRow {
    /// Catalog id.
    pub id: String,
    /// Role label.
    pub role: &'static str,
    /// Text.
    pub text: String,
    /// Guidance (warnings), or empty.
    pub guidance: String,
    /// Status code.
    pub status: &'static str,
    /// Status label.
    pub status_label: &'static str,
    /// Note.
    pub note: String,
    /// Who changed it, when.
    pub by: String,
}

/// A phase with its tasks.
pub struct PhaseRow {
    /// Catalog id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Whether the incident is in it.
    pub current: bool,
    /// Tasks in order.
    pub tasks: Vec<TaskRow>,
}

impl PhaseRow {
    /// Tasks done (or not applicable), for the phase's summary line.
    pub fn settled(&self) -> usize {
        self.tasks
            .iter()
            .filter(|t| matches!(t.status, "done" | "na"))
            .count()
    }
}

/// A timeline entry in the page language.
pub struct EntryRow {
    /// The entry.
    pub e: TimelineEntry,
    /// When, Japan time.
    pub at: String,
    /// What kind, as a label.
    pub kind: &'static str,
    /// A summary of the detail (the duty change, the task, the phase), or empty.
    pub detail: String,
}

/// A document kind with its latest version.
pub struct DocumentRow {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// Latest version and when, or empty.
    pub latest: String,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    page: Page,
    i: Incident,
    kind: &'static str,
    severity: &'static str,
    aware: String,
    phase: String,
    people: String,
    duties: Vec<DutyRow>,
    phases: Vec<PhaseRow>,
    phase_choices: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    timeline: Vec<EntryRow>,
    documents: Vec<DocumentRow>,
    reports: Vec<ReportRow>,
    can_handle: bool,
    today: String,
}

/// A text member of a timeline entry's detail, or empty.
fn text_of<'a>(detail: &'a serde_json::Value, key: &str) -> &'a str {
    detail
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

fn entry_row(e: TimelineEntry, lang: Lang) -> EntryRow {
    let kind = match e.kind.as_str() {
        "opened" => lang.pick("インシデント登録", "Incident opened"),
        "report_merged" => lang.pick("報告を統合", "Report merged"),
        "facts" => lang.pick("事実の変更", "Facts changed"),
        "phase" => lang.pick("フェーズ変更", "Phase changed"),
        "task" => lang.pick("タスク", "Task"),
        "duty" => lang.pick("報告・連絡済", "Notification sent"),
        "document" => lang.pick("文書を保存", "Document saved"),
        "decision" => lang.pick("決定", "Decision"),
        _ => lang.pick("記録", "Note"),
    };
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let detail = match e.kind.as_str() {
        "facts" => {
            let c: DutyChange =
                serde_json::from_value(detail.get("duties").cloned().unwrap_or_default())
                    .unwrap_or_default();
            let mut parts = Vec::new();
            if !c.added.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    lang.pick("追加された義務", "duties added"),
                    c.added.join(", ")
                ));
            }
            if !c.removed.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    lang.pick("不要になった義務", "duties removed"),
                    c.removed.join(", ")
                ));
            }
            for m in &c.moved {
                let d =
                    |x: Option<NaiveDate>| x.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
                parts.push(format!("{} {} → {}", m.duty, d(m.from), d(m.to)));
            }
            if parts.is_empty() {
                lang.pick("義務に変更なし", "duties unchanged").to_string()
            } else {
                parts.join(" / ")
            }
        }
        "task" => format!(
            "{} — {}",
            text_of(&detail, "task"),
            TaskStatus::from_code(text_of(&detail, "status"))
                .map(|s| s.label(lang))
                .unwrap_or_default()
        ),
        "duty" => format!(
            "{} ({})",
            text_of(&detail, "duty"),
            text_of(&detail, "sent_on")
        ),
        "document" => format!(
            "{} v{}",
            DraftKind::from_code(text_of(&detail, "kind"))
                .map(|k| k.label(lang))
                .unwrap_or_default(),
            detail.get("version").cloned().unwrap_or_default()
        ),
        "phase" => phase_name(text_of(&detail, "from"), lang)
            .map(|from| format!("{from} →"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    EntryRow {
        at: format_jst(e.at),
        kind,
        detail,
        e,
    }
}

/// The incident's page.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let lang = s.lang;
    let i = service::incident(&state, &s, id).await?;
    let states = service::tasks(&state, &s, id).await?;
    let cat = catalog()?;
    let mut phases: Vec<_> = cat.phases.values().collect();
    phases.sort_by_key(|p| p.order);
    let phase_rows = phases
        .iter()
        .map(|p| PhaseRow {
            id: p.id.clone(),
            name: lang.pick(&p.name_ja, &p.name_en).to_string(),
            purpose: lang.pick(&p.purpose_ja, &p.purpose_en).to_string(),
            current: p.id == i.phase,
            tasks: cat
                .phase_tasks(&p.id)
                .into_iter()
                .map(|t| {
                    let st = states.iter().find(|x| x.task_id == t.id);
                    let status = st.map(|x| x.status).unwrap_or(TaskStatus::Todo);
                    TaskRow {
                        id: t.id.clone(),
                        role: inc::task_role_label(&t.role, lang),
                        text: lang.pick(&t.text_ja, &t.text_en).to_string(),
                        guidance: lang.pick(&t.guidance_ja, &t.guidance_en).to_string(),
                        status: status.code(),
                        status_label: status.label(lang),
                        note: st.map(|x| x.note.clone()).unwrap_or_default(),
                        by: st
                            .map(|x| format!("{} {}", x.updated_by, format_jst(x.updated_at)))
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    let mut phase_choices: Vec<(String, String)> = phases
        .iter()
        .map(|p| (p.id.clone(), lang.pick(&p.name_ja, &p.name_en).to_string()))
        .collect();
    phase_choices.push((CLOSED.to_string(), phase_name(CLOSED, lang)?));
    let mut documents = Vec::new();
    for k in DraftKind::ALL {
        let latest = state
            .store
            .document_versions(s.org.id, id, *k)
            .await?
            .into_iter()
            .next()
            .map(|v| {
                format!(
                    "v{} · {} · {}",
                    v.version,
                    format_jst(v.saved_at),
                    v.saved_by
                )
            })
            .unwrap_or_default();
        documents.push(DocumentRow {
            code: k.code(),
            label: k.label(lang),
            latest,
        });
    }
    let pd = &i.facts.facts.personal_data;
    let people = match pd.involved {
        duties::Involvement::No => lang.pick("関係なし", "Not involved").to_string(),
        duties::Involvement::Possible => format!(
            "{} {}",
            pd.count,
            lang.pick("人(おそれ)", "people (possibly)")
        ),
        duties::Involvement::Yes => format!("{} {}", pd.count, lang.pick("人", "people")),
    };
    let timeline = service::timeline(&state, &s, id)
        .await?
        .into_iter()
        .map(|e| entry_row(e, lang))
        .collect();
    let p = IncidentPage {
        page: Page::signed_in(&s, "incident.title", "/incidents"),
        kind: i.facts.kind.label(lang),
        severity: i.facts.severity.label(lang),
        aware: format_jst(i.facts.facts.aware_at),
        phase: phase_name(&i.phase, lang)?,
        people,
        duties: service::duties_of(&state, &s, &i).await?,
        phases: phase_rows,
        phase_choices,
        statuses: TaskStatus::ALL
            .iter()
            .map(|t| (t.code(), t.label(lang)))
            .collect(),
        timeline,
        documents,
        reports: rows(service::incident_reports(&state, &s, id).await?, lang),
        can_handle: s.actor.can(Permission::HandleIncidents),
        today: s.today().to_string(),
        i,
    };
    render(&p)
}

/// The phase form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PhaseForm {
    csrf: String,
    phase: String,
}

/// Moves the incident to another phase, or closes it.
pub async fn set_phase(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<PhaseForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::set_phase(&state, &s, id, &f.phase).await?;
    Ok(see_other(&format!("/incidents/{id}#phases")))
}

/// The task form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    csrf: String,
    status: String,
    note: String,
}

/// Records a task's status.
pub async fn set_task(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, task)): Path<(Uuid, String)>,
    Form(f): Form<TaskForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::set_task(&state, &s, id, &task, &f.status, &f.note).await?;
    Ok(see_other(&format!("/incidents/{id}#task-{task}")))
}

/// The form recording a duty as done.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DutyForm {
    csrf: String,
    sent_on: String,
    sent_to: String,
}

/// Records a duty as done (済): the day and to whom.
pub async fn duty_sent(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, duty)): Path<(Uuid, String)>,
    Form(f): Form<DutyForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::duty_sent(&state, &s, id, &duty, &f.sent_on, &f.sent_to).await?;
    Ok(see_other(&format!("/incidents/{id}#duty-{duty}")))
}

/// The timeline form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    csrf: String,
    kind: String,
    text: String,
}

/// Adds a note or a decision to the timeline.
pub async fn add_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::add_entry(&state, &s, id, &f.kind, &f.text).await?;
    Ok(see_other(&format!("/incidents/{id}#timeline")))
}
