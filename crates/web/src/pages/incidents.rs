//! An incident: its facts, the phases and role tasks from the catalog, the duties with their
//! deadlines and status, and the timeline of everything done and decided.

use super::reports::{ReportRow, rows};
use super::{catalog, see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use mamori_domain::Lang;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::drafts::DraftKind;
use mamori_domain::duties::{self, Obligation};
use mamori_domain::incident::{
    self as inc, CLOSED, DutyChange, IncidentDraft, IncidentKind, Severity, TaskStatus,
};
use mamori_domain::validate::Problem;
use mamori_store::{DutyRecord, Incident, TimelineEntry};
use serde::Deserialize;
use uuid::Uuid;

/// The first phase of the catalog (検知).
pub fn first_phase() -> Result<&'static str, AppError> {
    let cat = catalog()?;
    cat.phases
        .values()
        .min_by_key(|p| p.order)
        .map(|p| p.id.as_str())
        .ok_or_else(|| AppError::Internal("catalog has no incident phases".into()))
}

/// The incident facts form (shared by triage, new and edit) in the page language.
pub struct IncidentForm {
    /// As typed.
    pub draft: IncidentDraft,
    /// Faults.
    pub errors: Problem,
    /// Kind choices (code, label).
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Severity choices (code, label).
    pub severities: Vec<(&'static str, &'static str)>,
    /// Whether the reason for a change is asked.
    pub editing: bool,
}

impl IncidentForm {
    /// The form for a draft.
    pub fn new(lang: Lang, draft: IncidentDraft, errors: Problem, editing: bool) -> IncidentForm {
        IncidentForm {
            draft,
            errors,
            kinds: IncidentKind::ALL
                .iter()
                .map(|k| (k.code(), k.label(lang)))
                .collect(),
            severities: Severity::ALL
                .iter()
                .map(|k| (k.code(), k.label(lang)))
                .collect(),
            editing,
        }
    }
}

/// One duty as shown: to whom, what, how binding, by when, and whether it is done.
pub struct DutyRow {
    /// Stable key, e.g. `ppc.sokuho`.
    pub key: String,
    /// Recipient label.
    pub recipient: &'static str,
    /// Report label.
    pub report: &'static str,
    /// Obligation label.
    pub obligation: &'static str,
    /// Obligation code (for styling).
    pub obligation_code: &'static str,
    /// The rule.
    pub basis: String,
    /// Target day, or empty.
    pub target: String,
    /// Latest day, or empty ("promptly").
    pub due: String,
    /// Days to the deadline (the due day, else the target day); negative when past.
    pub days_left: Option<i64>,
    /// Still owed and past its deadline.
    pub overdue: bool,
    /// Done: when and to whom.
    pub sent: Option<DutyRecord>,
}

impl DutyRow {
    /// Whether it is still owed.
    pub fn open(&self) -> bool {
        self.sent.is_none()
    }
}

/// The duties an incident's facts give rise to, with their status, in the usual order.
pub fn duty_rows(
    incident: &Incident,
    records: &[DutyRecord],
    today: NaiveDate,
    lang: Lang,
) -> Vec<DutyRow> {
    duties::duties(&incident.facts.facts)
        .into_iter()
        .map(|d| {
            let key = inc::duty_key(d.recipient, d.report);
            let deadline = d.due.or(d.target);
            let sent = records.iter().find(|r| r.duty == key).cloned();
            let days_left = deadline.map(|x| inc::days_left(x, today));
            DutyRow {
                recipient: inc::recipient_label(d.recipient, lang),
                report: inc::report_label(d.report, lang),
                obligation: inc::obligation_label(d.obligation, lang),
                obligation_code: match d.obligation {
                    Obligation::Legal => "legal",
                    Obligation::Administrative => "administrative",
                    Obligation::Recommended => "recommended",
                },
                basis: d.basis,
                target: d.target.map(|t| t.to_string()).unwrap_or_default(),
                due: d.due.map(|t| t.to_string()).unwrap_or_default(),
                overdue: sent.is_none() && days_left.is_some_and(|n| n < 0),
                days_left,
                sent,
                key,
            }
        })
        .collect()
}

/// The duty to act on next: the open one with the nearest deadline, else one owed "promptly".
pub fn next_duty(rows: Vec<DutyRow>) -> Option<DutyRow> {
    let mut open: Vec<DutyRow> = rows.into_iter().filter(DutyRow::open).collect();
    open.sort_by_key(|r| r.days_left.unwrap_or(i64::MAX));
    open.into_iter().next()
}

/// An incident as listed.
pub struct IncidentRow {
    /// The incident.
    pub i: Incident,
    /// Kind label.
    pub kind: &'static str,
    /// Severity label.
    pub severity: &'static str,
    /// Phase name.
    pub phase: String,
    /// The next duty.
    pub next: Option<DutyRow>,
    /// Opened at, Japan time.
    pub opened: String,
}

/// Incidents as rows with their next duty.
pub async fn incident_rows(
    state: &AppState,
    s: &SignedIn,
    incidents: Vec<Incident>,
) -> Result<Vec<IncidentRow>, AppError> {
    let mut out = Vec::new();
    for i in incidents {
        let records = state.store.duty_records(s.org.id, i.id).await?;
        let next = if i.is_open() {
            next_duty(duty_rows(&i, &records, today(state), s.lang))
        } else {
            None
        };
        out.push(IncidentRow {
            kind: i.facts.kind.label(s.lang),
            severity: i.facts.severity.label(s.lang),
            phase: phase_name(&i.phase, s.lang)?,
            opened: format_jst(i.created_at),
            next,
            i,
        });
    }
    Ok(out)
}

fn phase_name(id: &str, lang: Lang) -> Result<String, AppError> {
    if id == CLOSED {
        return Ok(lang.pick("終了", "Closed").to_string());
    }
    Ok(catalog()?
        .phases
        .get(id)
        .map(|p| lang.pick(&p.name_ja, &p.name_en).to_string())
        .unwrap_or_else(|| id.to_string()))
}

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
    s.require(Permission::ViewIncidents)?;
    let reports = rows(state.store.anomaly_reports(s.org.id, true).await?, s.lang);
    let all = incident_rows(&state, &s, state.store.incidents(s.org.id).await?).await?;
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
pub async fn new_form(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    let draft = IncidentDraft {
        aware_at: mamori_domain::clock::format_local_jst(state.now()),
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

/// The facts form as sent.
#[derive(Deserialize)]
pub struct FactsForm {
    pub(crate) csrf: String,
    #[serde(flatten)]
    pub(crate) draft: IncidentDraft,
}

/// Opens an incident without a report.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<FactsForm>,
) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    match f.draft.validate(state.now(), false) {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&s, None, IncidentForm::new(s.lang, f.draft, p, false)),
        ),
        Ok(facts) => {
            let i = state
                .store
                .open_incident(&s.ctx(), None, &facts, first_phase()?)
                .await?;
            Ok(see_other(&format!("/incidents/{}", i.id)))
        }
    }
}

/// The facts of an incident, to change them (with the reason).
pub async fn facts_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    let i = state.store.incident(s.org.id, id).await?;
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
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    let before = state.store.incident(s.org.id, id).await?;
    match f.draft.validate(state.now(), true) {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&s, Some(id), IncidentForm::new(s.lang, f.draft, p, true)),
        ),
        Ok(facts) => {
            let change = DutyChange::between(
                &duties::duties(&before.facts.facts),
                &duties::duties(&facts.facts),
            );
            let change =
                serde_json::to_value(change).map_err(|e| AppError::Internal(e.to_string()))?;
            state
                .store
                .update_incident_facts(&s.ctx(), id, &facts, f.draft.reason.trim(), change)
                .await?;
            Ok(see_other(&format!("/incidents/{id}")))
        }
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
    s.require(Permission::ViewIncidents)?;
    let lang = s.lang;
    let i = state.store.incident(s.org.id, id).await?;
    let records = state.store.duty_records(s.org.id, id).await?;
    let states = state.store.incident_tasks(s.org.id, id).await?;
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
    let timeline = state
        .store
        .incident_timeline(s.org.id, id)
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
        duties: duty_rows(&i, &records, today(&state), lang),
        phases: phase_rows,
        phase_choices,
        statuses: TaskStatus::ALL
            .iter()
            .map(|t| (t.code(), t.label(lang)))
            .collect(),
        timeline,
        documents,
        reports: rows(state.store.incident_reports(s.org.id, id).await?, lang),
        can_handle: s.actor.can(Permission::HandleIncidents),
        today: today(&state).to_string(),
        i,
    };
    render(&p)
}

/// The phase form.
#[derive(Deserialize)]
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
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    if f.phase != CLOSED && !catalog()?.phases.contains_key(&f.phase) {
        return Err(AppError::BadRequest("error.choose_one"));
    }
    state
        .store
        .set_incident_phase(&s.ctx(), id, &f.phase)
        .await?;
    Ok(see_other(&format!("/incidents/{id}#phases")))
}

/// The task form.
#[derive(Deserialize)]
pub struct TaskForm {
    csrf: String,
    status: String,
    #[serde(default)]
    note: String,
}

/// Records a task's status.
pub async fn set_task(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, task)): Path<(Uuid, String)>,
    Form(f): Form<TaskForm>,
) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    if !catalog()?.tasks.contains_key(&task) {
        return Err(AppError::NotFound);
    }
    let status =
        TaskStatus::from_code(&f.status).ok_or(AppError::BadRequest("error.choose_one"))?;
    let note = f.note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::BadRequest("error.too_long"));
    }
    state
        .store
        .set_incident_task(&s.ctx(), id, &task, status, note)
        .await?;
    Ok(see_other(&format!("/incidents/{id}#task-{task}")))
}

/// The form recording a duty as done.
#[derive(Deserialize)]
pub struct DutyForm {
    csrf: String,
    sent_on: String,
    #[serde(default)]
    sent_to: String,
}

/// Records a duty as done (済): the day and to whom.
pub async fn duty_sent(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, duty)): Path<(Uuid, String)>,
    Form(f): Form<DutyForm>,
) -> Result<Response, AppError> {
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    let i = state.store.incident(s.org.id, id).await?;
    if !duties::duties(&i.facts.facts)
        .iter()
        .any(|d| inc::duty_key(d.recipient, d.report) == duty)
    {
        return Err(AppError::NotFound);
    }
    let sent_on = NaiveDate::parse_from_str(f.sent_on.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::BadRequest("error.date"))?;
    if sent_on > today(&state) {
        return Err(AppError::BadRequest("error.in_future"));
    }
    let sent_to = f.sent_to.trim();
    if sent_to.is_empty() || sent_to.chars().count() > 500 {
        return Err(AppError::BadRequest("error.sent_to"));
    }
    state
        .store
        .record_duty_sent(&s.ctx(), id, &duty, sent_on, sent_to)
        .await?;
    Ok(see_other(&format!("/incidents/{id}#duty-{duty}")))
}

/// The timeline form.
#[derive(Deserialize)]
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
    s.require(Permission::HandleIncidents)?;
    s.check_csrf(&f.csrf)?;
    let kind = match f.kind.as_str() {
        "note" | "decision" => f.kind.as_str(),
        _ => return Err(AppError::BadRequest("error.choose_one")),
    };
    let text = f.text.trim();
    if text.is_empty() {
        return Err(AppError::BadRequest("error.required"));
    }
    if text.chars().count() > 4000 {
        return Err(AppError::BadRequest("error.too_long"));
    }
    state
        .store
        .add_timeline_entry(&s.ctx(), id, kind, text)
        .await?;
    Ok(see_other(&format!("/incidents/{id}#timeline")))
}
