//! 注意喚起: an operator publishes an alert to the members of a collection it keeps; each member
//! sees it with the devices of its own ledger it concerns until someone there acknowledges it,
//! and the operator sees who did and who did not.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::alert::{AffectedProduct, Severity, affected_devices, parse_affected};
use mamori_domain::authz::Permission::{ManageCollections, ViewRegisters, ViewSharing};
use mamori_domain::validate::{FieldError, Problem};
use mamori_domain::vuln::Certainty;
use mamori_store::{NewAlert, StoredAlert};
use uuid::Uuid;

/// An alert as its publisher writes it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AlertDraft {
    /// The collection whose members receive it.
    pub collection_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// What happened.
    pub summary: String,
    /// What to do.
    pub actions: String,
    /// Severity code.
    pub severity: String,
    /// Affected products, one a line: `vendor, product[, fixed version]`.
    pub affected: String,
    /// By when (`YYYY-MM-DD`, may be empty).
    pub due_on: String,
}

/// Publishes an alert to the members of a collection the caller's organisation keeps.
pub async fn publish(state: &AppState, c: &Caller, d: &AlertDraft) -> Result<Uuid, AppError> {
    c.require(ManageCollections)?;
    let mut faults = Vec::new();
    if d.title.trim().is_empty() || d.title.chars().count() > 200 {
        faults.push(FieldError::new("title", "alerts.error.title"));
    }
    if d.summary.chars().count() > 10_000 || d.actions.chars().count() > 10_000 {
        faults.push(FieldError::new("summary", "alerts.error.text"));
    }
    let severity = Severity::from_code(&d.severity);
    if severity.is_none() {
        faults.push(FieldError::new("severity", "alerts.error.severity"));
    }
    let products = parse_affected(&d.affected).unwrap_or_else(|_| {
        faults.push(FieldError::new("affected", "alerts.error.affected"));
        Vec::new()
    });
    let due_on = match d.due_on.trim() {
        "" => None,
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                faults.push(FieldError::new("due_on", "alerts.error.due_on"));
                None
            }
        },
    };
    let collection = d.collection_id.unwrap_or_default();
    if !faults.is_empty() {
        return Err(AppError::Invalid(Problem::new(faults)));
    }
    let col = super::service::collection(state, c, collection).await?;
    if col.org_id != c.org.id {
        return Err(AppError::NotFound);
    }
    let alert = NewAlert {
        collection_id: collection,
        title: d.title.trim().to_string(),
        summary: d.summary.trim().to_string(),
        actions: d.actions.trim().to_string(),
        severity: severity.map(|s| s.code()).unwrap_or_default().to_string(),
        affected: serde_json::to_string(&products).unwrap_or_else(|_| "[]".into()),
        due_on,
    };
    Ok(state.store.publish_alert(&c.ctx(), &alert).await?)
}

/// A device of the reader's ledger an alert concerns.
#[derive(Debug, Clone)]
pub struct AffectedDevice {
    /// Its name in the ledger (empty when the reader may not see the ledger).
    pub name: String,
    /// Whether its version is affected, or could not be checked.
    pub version_matched: bool,
    /// Why, in the reader's language.
    pub why: String,
}

/// An alert as a reader sees it.
#[derive(Debug, Clone)]
pub struct AlertView {
    /// The alert.
    pub alert: StoredAlert,
    /// Its severity.
    pub severity: Severity,
    /// The products it concerns.
    pub products: Vec<AffectedProduct>,
    /// The reader's devices it concerns.
    pub devices: Vec<AffectedDevice>,
    /// Whether the reader's organisation published it.
    pub own: bool,
}

impl AlertView {
    /// Whether it still waits for the reader's organisation.
    pub fn open(&self) -> bool {
        !self.own && self.alert.acknowledged_at.is_none()
    }
}

fn view(
    a: StoredAlert,
    c: &Caller,
    ledger: &[(String, mamori_domain::vuln::DeviceIdentity)],
) -> AlertView {
    let products: Vec<AffectedProduct> = serde_json::from_str(&a.affected).unwrap_or_default();
    let names = c.actor.can(ViewRegisters);
    let devices = affected_devices(&products, ledger)
        .into_iter()
        .map(|(name, certainty, why)| AffectedDevice {
            name: if names { name.clone() } else { String::new() },
            version_matched: certainty == Certainty::VersionMatched,
            why: why.text(c.lang),
        })
        .collect();
    AlertView {
        severity: Severity::from_code(&a.severity).unwrap_or(Severity::Info),
        own: a.org_id == c.org.id,
        alert: a,
        products,
        devices,
    }
}

/// The alerts the caller's organisation reaches, newest first, each read against its ledger.
pub async fn alerts(state: &AppState, c: &Caller) -> Result<Vec<AlertView>, AppError> {
    c.require(ViewSharing)?;
    let ledger = crate::status::device_identities(state, c.org.id).await?;
    Ok(state
        .store
        .alerts(c.org.id)
        .await?
        .into_iter()
        .map(|a| view(a, c, &ledger))
        .collect())
}

/// The alerts still waiting for the caller's organisation (not its own, not acknowledged), for the
/// dashboard: the ledger is read only when there is one.
pub async fn open_alerts(state: &AppState, c: &Caller) -> Result<Vec<AlertView>, AppError> {
    if !c.actor.can(ViewSharing) {
        return Ok(Vec::new());
    }
    let open: Vec<StoredAlert> = state
        .store
        .alerts(c.org.id)
        .await?
        .into_iter()
        .filter(|a| a.org_id != c.org.id && a.acknowledged_at.is_none())
        .collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let ledger = crate::status::device_identities(state, c.org.id).await?;
    Ok(open.into_iter().map(|a| view(a, c, &ledger)).collect())
}

/// One alert.
pub async fn alert(state: &AppState, c: &Caller, id: Uuid) -> Result<AlertView, AppError> {
    c.require(ViewSharing)?;
    let ledger = crate::status::device_identities(state, c.org.id).await?;
    Ok(view(state.store.alert(c.org.id, id).await?, c, &ledger))
}

/// Acknowledges an alert for the caller's organisation.
pub async fn acknowledge(state: &AppState, c: &Caller, id: Uuid) -> Result<(), AppError> {
    c.require(ViewSharing)?;
    Ok(state.store.acknowledge_alert(&c.ctx(), id).await?)
}

/// For the publisher: each member organisation by name, and when it acknowledged.
pub async fn acknowledgements(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Vec<(Uuid, String, Option<DateTime<Utc>>)>, AppError> {
    c.require(ViewSharing)?;
    let rows = state.store.alert_acknowledgements(c.org.id, id).await?;
    let names: std::collections::HashMap<Uuid, String> = state
        .store
        .org_directory()
        .await?
        .into_iter()
        .map(|o| (o.id, o.profile.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(org, at)| (org, names.get(&org).cloned().unwrap_or_default(), at))
        .collect())
}
