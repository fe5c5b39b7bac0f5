//! Incident response's rules as pages and API both use them: reporting and triage, the
//! incident's facts, phases, tasks, duties and timeline, its documents, the contact chart and
//! the recovery procedures — each checked, timed and audited here once.

use crate::core::auth::Caller;
use crate::core::catalog;
use crate::core::error::AppError;
use crate::core::import::{Choice, Taken, take, take_api};
use crate::core::state::AppState;
use crate::core::table::{Download, Refusal, UploadedTable};
use chrono::NaiveDate;
use mamori_domain::Lang;
use mamori_domain::authz::Permission::{
    HandleIncidents, ManagePreparedness, ReportAnomalies, ViewIncidents,
};
use mamori_domain::clock::format_jst;
use mamori_domain::drafts::{DraftKind, DraftSource, prefill};
use mamori_domain::duties::{self, Obligation};
use mamori_domain::incident::{
    self as inc, AnomalyDraft, CLOSED, DutyChange, IncidentDraft, TaskStatus,
};
use mamori_domain::preparedness::{
    CONTACT_COLUMNS, Contact, ContactTable, RecoveryProcedure, standard_bodies,
};
use mamori_domain::table::ColumnMapping;
use mamori_domain::validate::Problem;
use mamori_store::{
    AnomalyReport, DocumentVersion, DutyRecord, Incident, MergeTarget, StoredContact,
    StoredProcedure,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The longest note on a task, reason for closing a report, or recipient of a duty.
const NOTE_MAX: usize = 2000;
/// The longest timeline entry.
const ENTRY_MAX: usize = 4000;

fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(Problem::field(field, key))
}

// ---- reports and triage ------------------------------------------------------------------

/// Receives a report from any staff member; the on-call roles see it on the dashboard at once
/// and, when mail is configured, by e-mail (queued after the report is stored, so mail trouble
/// never loses it).
pub async fn report(
    state: &AppState,
    c: &Caller,
    draft: &AnomalyDraft,
) -> Result<AnomalyReport, AppError> {
    c.require(ReportAnomalies)?;
    let a = draft.validate(c.now).map_err(AppError::Invalid)?;
    let r = state.store.report_anomaly(&c.ctx(), &a).await?;
    super::notify::anomaly_reported(state, &c.org, &r).await;
    Ok(r)
}

/// The caller's own reports and what became of them.
pub async fn my_reports(state: &AppState, c: &Caller) -> Result<Vec<AnomalyReport>, AppError> {
    c.require(ReportAnomalies)?;
    Ok(state
        .store
        .anomaly_reports_by(c.org.id, &c.actor.label)
        .await?)
}

/// The organisation's reports (`open_only`: those awaiting triage).
pub async fn reports(
    state: &AppState,
    c: &Caller,
    open_only: bool,
) -> Result<Vec<AnomalyReport>, AppError> {
    c.require(ViewIncidents)?;
    Ok(state.store.anomaly_reports(c.org.id, open_only).await?)
}

/// One report.
pub async fn report_of(state: &AppState, c: &Caller, id: Uuid) -> Result<AnomalyReport, AppError> {
    c.require(ViewIncidents)?;
    Ok(state.store.anomaly_report(c.org.id, id).await?)
}

/// The first phase of the catalog (検知).
pub fn first_phase() -> Result<&'static str, AppError> {
    catalog()?
        .phases
        .values()
        .min_by_key(|p| p.order)
        .map(|p| p.id.as_str())
        .ok_or_else(|| AppError::Internal("catalog has no incident phases".into()))
}

/// Triage: the report becomes an incident with these facts.
pub async fn to_incident(
    state: &AppState,
    c: &Caller,
    report: Uuid,
    draft: &IncidentDraft,
) -> Result<Incident, AppError> {
    c.require(HandleIncidents)?;
    state.store.anomaly_report(c.org.id, report).await?;
    let facts = draft.validate(c.now, false).map_err(AppError::Invalid)?;
    Ok(state
        .store
        .open_incident(&c.ctx(), Some(report), &facts, first_phase()?)
        .await?)
}

/// Triage: nothing to act on; the report is closed with the reason.
pub async fn close_report(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    c.require(HandleIncidents)?;
    state.store.anomaly_report(c.org.id, id).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "error.required"));
    }
    if reason.chars().count() > NOTE_MAX {
        return Err(invalid("reason", "error.too_long"));
    }
    Ok(state.store.close_report(&c.ctx(), id, reason).await?)
}

/// Reads a merge target as forms and the API name it: `incident:ID` or `report:ID`.
fn merge_target(s: &str) -> Result<MergeTarget, AppError> {
    match s.split_once(':') {
        Some(("incident", t)) => Uuid::parse_str(t).ok().map(MergeTarget::Incident),
        Some(("report", t)) => Uuid::parse_str(t).ok().map(MergeTarget::Report),
        _ => None,
    }
    .ok_or_else(|| invalid("target", "error.choose_one"))
}

/// Triage: the same event reported again; merged into another report or an incident
/// (`incident:ID` or `report:ID`). Returns where it went.
pub async fn merge_report(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    target: &str,
) -> Result<MergeTarget, AppError> {
    c.require(HandleIncidents)?;
    state.store.anomaly_report(c.org.id, id).await?;
    let target = merge_target(target)?;
    let note = c.lang.pick(
        "同じ事象の報告として統合",
        "Merged as a report of the same event",
    );
    state.store.merge_report(&c.ctx(), id, target, note).await?;
    Ok(target)
}

// ---- incidents -----------------------------------------------------------------------------

/// The organisation's incidents, newest first.
pub async fn incidents(state: &AppState, c: &Caller) -> Result<Vec<Incident>, AppError> {
    c.require(ViewIncidents)?;
    Ok(state.store.incidents(c.org.id).await?)
}

/// One incident.
pub async fn incident(state: &AppState, c: &Caller, id: Uuid) -> Result<Incident, AppError> {
    c.require(ViewIncidents)?;
    Ok(state.store.incident(c.org.id, id).await?)
}

/// An incident's task states (only the tasks someone has touched).
pub async fn tasks(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Vec<mamori_store::TaskState>, AppError> {
    incident(state, c, id).await?;
    Ok(state.store.incident_tasks(c.org.id, id).await?)
}

/// An incident's timeline, oldest first.
pub async fn timeline(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Vec<mamori_store::TimelineEntry>, AppError> {
    incident(state, c, id).await?;
    Ok(state.store.incident_timeline(c.org.id, id).await?)
}

/// The reports that became or were merged into an incident.
pub async fn incident_reports(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Vec<AnomalyReport>, AppError> {
    incident(state, c, id).await?;
    Ok(state.store.incident_reports(c.org.id, id).await?)
}

/// Opens an incident without a report (for example a tabletop exercise, 訓練).
pub async fn open_incident(
    state: &AppState,
    c: &Caller,
    draft: &IncidentDraft,
) -> Result<Incident, AppError> {
    c.require(HandleIncidents)?;
    let facts = draft.validate(c.now, false).map_err(AppError::Invalid)?;
    Ok(state
        .store
        .open_incident(&c.ctx(), None, &facts, first_phase()?)
        .await?)
}

/// Changes the facts (the reason is required); the duties are recomputed and the change to them
/// goes on the timeline with the reason.
pub async fn update_facts(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    draft: &IncidentDraft,
) -> Result<Incident, AppError> {
    c.require(HandleIncidents)?;
    let before = state.store.incident(c.org.id, id).await?;
    let facts = draft.validate(c.now, true).map_err(AppError::Invalid)?;
    let change = DutyChange::between(
        &duties::duties(&before.facts.facts),
        &duties::duties(&facts.facts),
    );
    let change = serde_json::to_value(change).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .update_incident_facts(&c.ctx(), id, &facts, draft.reason.trim(), change)
        .await?;
    Ok(state.store.incident(c.org.id, id).await?)
}

/// Moves the incident to a phase of the catalog, or closes it (`closed`).
pub async fn set_phase(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    phase: &str,
) -> Result<(), AppError> {
    c.require(HandleIncidents)?;
    state.store.incident(c.org.id, id).await?;
    if phase != CLOSED && !catalog()?.phases.contains_key(phase) {
        return Err(invalid("phase", "error.choose_one"));
    }
    Ok(state.store.set_incident_phase(&c.ctx(), id, phase).await?)
}

/// Records a catalog task's status in the incident, with a note.
pub async fn set_task(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    task: &str,
    status: &str,
    note: &str,
) -> Result<(), AppError> {
    c.require(HandleIncidents)?;
    state.store.incident(c.org.id, id).await?;
    if !catalog()?.tasks.contains_key(task) {
        return Err(AppError::NotFound);
    }
    let status =
        TaskStatus::from_code(status).ok_or_else(|| invalid("status", "error.choose_one"))?;
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(invalid("note", "error.too_long"));
    }
    Ok(state
        .store
        .set_incident_task(&c.ctx(), id, task, status, note)
        .await?)
}

/// Records a duty the facts give rise to as done (済): the day and to whom.
pub async fn duty_sent(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    duty: &str,
    sent_on: &str,
    sent_to: &str,
) -> Result<(), AppError> {
    c.require(HandleIncidents)?;
    let i = state.store.incident(c.org.id, id).await?;
    if !duties::duties(&i.facts.facts)
        .iter()
        .any(|d| inc::duty_key(d.recipient, d.report) == duty)
    {
        return Err(AppError::NotFound);
    }
    let sent_on = NaiveDate::parse_from_str(sent_on.trim(), "%Y-%m-%d")
        .map_err(|_| invalid("sent_on", "error.date"))?;
    if sent_on > c.today() {
        return Err(invalid("sent_on", "error.in_future"));
    }
    let sent_to = sent_to.trim();
    if sent_to.is_empty() || sent_to.chars().count() > NOTE_MAX {
        return Err(invalid("sent_to", "error.sent_to"));
    }
    Ok(state
        .store
        .record_duty_sent(&c.ctx(), id, duty, sent_on, sent_to)
        .await?)
}

/// Adds a note or a decision to the timeline (append-only).
pub async fn add_entry(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    kind: &str,
    text: &str,
) -> Result<(), AppError> {
    c.require(HandleIncidents)?;
    state.store.incident(c.org.id, id).await?;
    let kind = match kind {
        "note" | "decision" => kind,
        _ => return Err(invalid("kind", "error.choose_one")),
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("text", "error.required"));
    }
    if text.chars().count() > ENTRY_MAX {
        return Err(invalid("text", "error.too_long"));
    }
    Ok(state
        .store
        .add_timeline_entry(&c.ctx(), id, kind, text)
        .await?)
}

/// One duty as shown: to whom, what, how binding, by when, and whether it is done.
#[derive(Clone)]
pub struct DutyRow {
    /// Stable key, e.g. `ppc.sokuho`.
    pub key: String,
    /// Recipient label.
    pub recipient: &'static str,
    /// Report label.
    pub report: &'static str,
    /// Obligation label.
    pub obligation: &'static str,
    /// Obligation code (for styling and the API).
    pub obligation_code: &'static str,
    /// The rule.
    pub basis: String,
    /// Target day.
    pub target: Option<NaiveDate>,
    /// Latest day; none means "promptly".
    pub due: Option<NaiveDate>,
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
                basis: d.basis_in(lang).to_string(),
                target: d.target,
                due: d.due,
                overdue: sent.is_none() && days_left.is_some_and(|n| n < 0),
                days_left,
                sent,
                key,
            }
        })
        .collect()
}

/// An incident's duties with their status, as the caller reads them.
pub async fn duties_of(
    state: &AppState,
    c: &Caller,
    i: &Incident,
) -> Result<Vec<DutyRow>, AppError> {
    let records = state.store.duty_records(c.org.id, i.id).await?;
    Ok(duty_rows(i, &records, c.today(), c.lang))
}

/// The duty to act on next: the open one with the nearest deadline, else one owed "promptly".
pub fn next_duty(rows: Vec<DutyRow>) -> Option<DutyRow> {
    let mut open: Vec<DutyRow> = rows.into_iter().filter(DutyRow::open).collect();
    open.sort_by_key(|r| r.days_left.unwrap_or(i64::MAX));
    open.into_iter().next()
}

/// The duties still owed: those owed promptly (no date) first, as they are owed now, then by
/// deadline.
pub fn pending_duties(rows: Vec<DutyRow>) -> Vec<DutyRow> {
    let mut open: Vec<DutyRow> = rows.into_iter().filter(DutyRow::open).collect();
    open.sort_by_key(|r| r.days_left.unwrap_or(i64::MIN));
    open
}

/// The name of a phase (or 終了 for a closed incident).
pub fn phase_name(id: &str, lang: Lang) -> Result<String, AppError> {
    if id == CLOSED {
        return Ok(lang.pick("終了", "Closed").to_string());
    }
    Ok(catalog()?
        .phases
        .get(id)
        .map(|p| lang.pick(&p.name_ja, &p.name_en).to_string())
        .unwrap_or_else(|| id.to_string()))
}

/// An incident as listed: kind, severity, phase and the next duty.
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
    /// Every duty still owed: those owed promptly (速やかに, no date) first, then by deadline.
    pub pending: Vec<DutyRow>,
    /// Opened at, Japan time.
    pub opened: String,
}

/// Incidents as rows with their next duty.
pub async fn incident_rows(
    state: &AppState,
    c: &Caller,
    incidents: Vec<Incident>,
) -> Result<Vec<IncidentRow>, AppError> {
    // One query for every incident's recorded duties, however many there are.
    let mut records = state.store.duty_records_by_incident(c.org.id).await?;
    let mut out = Vec::new();
    for i in incidents {
        let pending = if i.is_open() {
            let done = records.remove(&i.id).unwrap_or_default();
            pending_duties(duty_rows(&i, &done, c.today(), c.lang))
        } else {
            Vec::new()
        };
        let next = next_duty(pending.clone());
        out.push(IncidentRow {
            kind: i.facts.kind.label(c.lang),
            severity: i.facts.severity.label(c.lang),
            phase: phase_name(&i.phase, c.lang)?,
            opened: format_jst(i.created_at),
            next,
            pending,
            i,
        });
    }
    Ok(out)
}

// ---- documents -----------------------------------------------------------------------------

/// The document kind a path names, or not found.
pub fn kind_of(code: &str) -> Result<DraftKind, AppError> {
    DraftKind::from_code(code).ok_or(AppError::NotFound)
}

/// The first draft of a document: what mamori knows, in Japanese.
async fn first_draft(
    state: &AppState,
    c: &Caller,
    i: &Incident,
    kind: DraftKind,
) -> Result<BTreeMap<String, String>, AppError> {
    let cat = catalog()?;
    let done = state
        .store
        .incident_tasks(c.org.id, i.id)
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
            institution: &c.org.profile.name,
            incident: &i.facts,
            done,
            today: c.today(),
        },
    ))
}

/// A document of an incident as shown: the incident, every saved version (newest first), the
/// version shown (the one asked for, else the latest; none before the first save) and its
/// values — the first draft when nothing was saved yet.
pub struct Document {
    /// The incident.
    pub incident: Incident,
    /// Its saved versions, newest first.
    pub versions: Vec<DocumentVersion>,
    /// The version shown.
    pub shown: Option<i64>,
    /// The values shown.
    pub values: BTreeMap<String, String>,
}

/// A document of an incident, at a version or the latest.
pub async fn document(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    kind: DraftKind,
    wanted: Option<i64>,
) -> Result<Document, AppError> {
    let incident = incident(state, c, id).await?;
    let versions = state.store.document_versions(c.org.id, id, kind).await?;
    let shown = match wanted {
        Some(n) => Some(
            versions
                .iter()
                .find(|v| v.version == n)
                .ok_or(AppError::NotFound)?,
        ),
        None => versions.first(),
    }
    .cloned();
    let values = match &shown {
        Some(v) => v.fields.clone(),
        None => first_draft(state, c, &incident, kind).await?,
    };
    Ok(Document {
        shown: shown.map(|v| v.version),
        incident,
        versions,
        values,
    })
}

/// Saves a document's fields as a new version; returns its number.
pub async fn save_document(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    kind: DraftKind,
    fields: &BTreeMap<String, String>,
) -> Result<i64, AppError> {
    c.require(HandleIncidents)?;
    state.store.incident(c.org.id, id).await?;
    let fields = kind.validate(fields).map_err(AppError::Invalid)?;
    Ok(state
        .store
        .save_document(&c.ctx(), id, kind, &fields)
        .await?)
}

// ---- the contact chart and recovery procedures ---------------------------------------------

/// The contact chart; everyone may read it (staff need to know whom to call).
pub async fn contacts(state: &AppState, c: &Caller) -> Result<Vec<StoredContact>, AppError> {
    Ok(state.store.contacts(c.org.id).await?)
}

/// One entry of the chart.
pub async fn contact(state: &AppState, c: &Caller, id: Uuid) -> Result<StoredContact, AppError> {
    contacts(state, c)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(AppError::NotFound)
}

/// Rewrites the organisation's pack in the emergency folder after a change. A failure to write
/// is logged, not shown: the change itself is saved and the pack can still be downloaded.
async fn refresh_pack(state: &AppState, c: &Caller) {
    if let Err(e) =
        super::emergency::write_pack(&state.store, &c.org, &state.config.emergency_dir, c.now).await
    {
        tracing::error!(org = %c.org.id, error = %e, "could not write the emergency pack");
    }
}

/// Adds an entry to the chart (`id` none) or changes one.
pub async fn save_contact(
    state: &AppState,
    c: &Caller,
    id: Option<Uuid>,
    typed: &Contact,
) -> Result<StoredContact, AppError> {
    c.require(ManagePreparedness)?;
    if let Some(id) = id {
        contact(state, c, id).await?;
    }
    let checked = typed.validate().map_err(AppError::Invalid)?;
    let before: Vec<Uuid> = contacts(state, c).await?.iter().map(|x| x.id).collect();
    match id {
        Some(id) => state.store.update_contact(&c.ctx(), id, &checked).await?,
        None => state.store.add_contacts(&c.ctx(), &[checked]).await?,
    }
    refresh_pack(state, c).await;
    let after = contacts(state, c).await?;
    after
        .into_iter()
        .find(|x| Some(x.id) == id || (id.is_none() && !before.contains(&x.id)))
        .ok_or(AppError::NotFound)
}

/// Removes an entry of the chart.
pub async fn remove_contact(state: &AppState, c: &Caller, id: Uuid) -> Result<(), AppError> {
    c.require(ManagePreparedness)?;
    contact(state, c, id).await?;
    state.store.remove_contact(&c.ctx(), id).await?;
    refresh_pack(state, c).await;
    Ok(())
}

/// Adds the external bodies every chart needs that it does not have yet, numbers to be filled
/// in; returns how many were added.
pub async fn add_standard_bodies(state: &AppState, c: &Caller) -> Result<usize, AppError> {
    c.require(ManagePreparedness)?;
    let have = contacts(state, c).await?;
    let missing: Vec<Contact> = standard_bodies()
        .into_iter()
        .filter(|b| {
            !have
                .iter()
                .any(|x| x.contact.group == b.group && x.contact.role == b.role)
        })
        .collect();
    if !missing.is_empty() {
        state.store.add_contacts(&c.ctx(), &missing).await?;
        refresh_pack(state, c).await;
    }
    Ok(missing.len())
}

/// Adds the contacts of a CSV or XLSX table sent to the API, through the mapping given, the
/// remembered one or the recognised columns: all rows or none.
pub async fn import_chart(
    state: &AppState,
    c: &Caller,
    name: &str,
    bytes: &[u8],
    mapping: Option<ColumnMapping>,
) -> Result<Result<usize, Refusal>, AppError> {
    c.require(ManagePreparedness)?;
    take_api(
        state,
        c,
        "contacts",
        &ContactTable,
        (name, bytes),
        mapping,
        |list| store_contacts(state, c, list),
    )
    .await
}

/// Adds the contacts of a table through the pages, asking the user to check the columns when
/// they are not ours or the remembered ones.
pub async fn review_chart(
    state: &AppState,
    c: &Caller,
    table: &UploadedTable,
    choice: Option<Choice>,
) -> Result<Taken<usize>, AppError> {
    c.require(ManagePreparedness)?;
    take(state, c, "contacts", &ContactTable, table, choice, |list| {
        store_contacts(state, c, list)
    })
    .await
}

async fn store_contacts(
    state: &AppState,
    c: &Caller,
    list: Vec<Contact>,
) -> Result<usize, AppError> {
    state.store.add_contacts(&c.ctx(), &list).await?;
    refresh_pack(state, c).await;
    Ok(list.len())
}

/// The contact chart as CSV or XLSX.
pub async fn export_chart(state: &AppState, c: &Caller, xlsx: bool) -> Result<Download, AppError> {
    let header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| c.ja.to_string()).collect();
    let rows: Vec<Vec<String>> = contacts(state, c)
        .await?
        .iter()
        .map(|x| x.contact.cells())
        .collect();
    if xlsx {
        Download::xlsx(
            "contacts.xlsx",
            "連絡体制図",
            &format!("連絡体制図 — {}", c.org.profile.name),
            &header,
            &rows,
            None,
        )
    } else {
        let table: Vec<Vec<String>> = std::iter::once(header).chain(rows).collect();
        Download::csv("contacts.csv", &table)
    }
}

/// The recovery procedures; everyone may read them.
pub async fn procedures(state: &AppState, c: &Caller) -> Result<Vec<StoredProcedure>, AppError> {
    Ok(state.store.recovery_procedures(c.org.id).await?)
}

/// One procedure.
pub async fn procedure(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<StoredProcedure, AppError> {
    procedures(state, c)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

/// Adds a procedure (`id` none) or changes one.
pub async fn save_procedure(
    state: &AppState,
    c: &Caller,
    id: Option<Uuid>,
    typed: &RecoveryProcedure,
) -> Result<StoredProcedure, AppError> {
    c.require(ManagePreparedness)?;
    if let Some(id) = id {
        procedure(state, c, id).await?;
    }
    let checked = typed.validate().map_err(AppError::Invalid)?;
    let saved = state.store.save_procedure(&c.ctx(), id, &checked).await?;
    refresh_pack(state, c).await;
    procedure(state, c, saved).await
}

/// Removes a procedure.
pub async fn remove_procedure(state: &AppState, c: &Caller, id: Uuid) -> Result<(), AppError> {
    c.require(ManagePreparedness)?;
    procedure(state, c, id).await?;
    state.store.remove_procedure(&c.ctx(), id).await?;
    refresh_pack(state, c).await;
    Ok(())
}
