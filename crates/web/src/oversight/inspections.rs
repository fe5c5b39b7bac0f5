//! On-site inspections (立入検査), the service pages and API both call: an authority records one
//! against the institution's latest submission it may read; the institution reads its own and
//! reports the follow-up done.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::authz::Permission::{
    ManageOversight, SubmitChecklist, ViewAssessments, ViewOversight,
};
use mamori_domain::oversight::{InspectionDraft, institution_code};
use mamori_domain::validate::Problem;
use mamori_store::{Inspected, StoredInspection};
use uuid::Uuid;

/// Records an inspection; its findings are read against the items of the submission seen.
pub async fn record(state: &AppState, c: &Caller, d: &InspectionDraft) -> Result<Uuid, AppError> {
    c.require(ManageOversight)?;
    let code = institution_code(&d.institution_code).unwrap_or_default();
    let seen = state
        .store
        .latest_submission_in_scope(c.org.id, &code)
        .await?;
    let items: Vec<(String, String)> = seen
        .iter()
        .flat_map(|s| &s.snapshot.answers)
        .map(|a| (a.number.clone(), a.item_id.clone()))
        .collect();
    let i = d.validate(&items).map_err(AppError::Invalid)?;
    let listed = state
        .store
        .roster(c.org.id)
        .await?
        .into_iter()
        .find(|e| e.code == i.institution_code);
    let name = listed
        .map(|e| e.name)
        .or_else(|| seen.as_ref().map(|s| s.snapshot.institution_name.clone()))
        .unwrap_or_else(|| i.institution_code.clone());
    let who = Inspected {
        name,
        org_id: seen.as_ref().map(|s| s.org_id),
        submission_id: seen.as_ref().map(|s| s.id),
    };
    Ok(state.store.record_inspection(&c.ctx(), &i, &who).await?)
}

/// The inspections the authority recorded.
pub async fn recorded(state: &AppState, c: &Caller) -> Result<Vec<StoredInspection>, AppError> {
    c.require(ViewOversight)?;
    Ok(state.store.inspections_by(c.org.id).await?)
}

/// The institution's own inspections.
pub async fn received(state: &AppState, c: &Caller) -> Result<Vec<StoredInspection>, AppError> {
    c.require(ViewAssessments)?;
    Ok(state.store.inspections_of(c.org.id).await?)
}

/// One inspection, for the authority that recorded it or the institution it names; not found
/// for anyone else.
pub async fn one(state: &AppState, c: &Caller, id: Uuid) -> Result<StoredInspection, AppError> {
    let may = [ViewOversight, ViewAssessments, SubmitChecklist];
    if !may.into_iter().any(|p| c.actor.can(p)) {
        return Err(AppError::NotFound);
    }
    Ok(state.store.inspection(c.org.id, id).await?)
}

/// The institution reports the follow-up of an inspection done, on a day and with what it did.
pub async fn report_follow_up(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    done_on: &str,
    note: &str,
) -> Result<(), AppError> {
    c.require(SubmitChecklist)?;
    // Only the institution the inspection names reports its follow-up; anyone else learns
    // nothing, not even whether what it sent was well formed.
    if state.store.inspection(c.org.id, id).await?.org_id != Some(c.org.id) {
        return Err(AppError::NotFound);
    }
    let mut faults = Vec::new();
    let day = mamori_domain::cells::date(done_on);
    if day.is_none() {
        faults.push(mamori_domain::validate::FieldError::new(
            "done_on",
            "oversight.error.date",
        ));
    }
    if note.trim().is_empty() || note.chars().count() > 5000 {
        faults.push(mamori_domain::validate::FieldError::new(
            "note",
            "oversight.error.note",
        ));
    }
    let Some(day) = day.filter(|_| faults.is_empty()) else {
        return Err(AppError::Invalid(Problem::new(faults)));
    };
    Ok(state
        .store
        .report_follow_up(&c.ctx(), id, day, note.trim())
        .await?)
}
