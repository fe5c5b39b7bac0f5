//! Known vulnerabilities: importing KEV and NVD files, and the findings on the ledger's devices,
//! riskiest first, each accepted with a reason or closed by a patch date.

use super::exchange::csrf_and_file;
use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use mamori_domain::authz::Permission;
use mamori_domain::vuln::{Certainty, Finding, VulnIndex, findings, read_feed};
use mamori_store::{FindingDecision, StoredDecision};
use serde::Deserialize;
use uuid::Uuid;

/// Largest feed file accepted (the full NVD year files are about this size).
pub const MAX_FEED_BYTES: usize = 200 * 1024 * 1024;

/// A finding with the decision taken on it.
pub struct FindingRow {
    /// The finding.
    pub f: Finding,
    /// The decision, if any.
    pub decision: Option<StoredDecision>,
}

impl FindingRow {
    /// Whether it still needs action.
    pub fn open(&self) -> bool {
        self.decision.is_none()
    }

    /// The version was confirmed in an affected range.
    pub fn confirmed(&self) -> bool {
        self.f.certainty == Certainty::VersionMatched
    }

    /// The CVSS score with one decimal, or empty.
    pub fn score(&self) -> String {
        self.f.cvss.map(|s| format!("{s:.1}")).unwrap_or_default()
    }

    /// The decision in words.
    pub fn decided(&self, lang: mamori_domain::Lang) -> String {
        match &self.decision {
            None => String::new(),
            Some(d) => match &d.decision {
                FindingDecision::Accepted(r) => format!("{}: {r}", lang.pick("受容", "Accepted")),
                FindingDecision::Patched(on) => {
                    format!("{} {on}", lang.pick("パッチ適用", "Patched on"))
                }
            },
        }
    }

    /// A key for element ids.
    pub fn key(&self) -> String {
        format!("{}-{}", self.f.device_id, self.f.cve)
    }
}

/// Every finding of an organisation with its decision, riskiest first.
pub async fn finding_rows(state: &AppState, org_id: Uuid) -> Result<Vec<FindingRow>, AppError> {
    let devices = state.store.devices(org_id).await?;
    let index = VulnIndex::new(state.store.vulnerabilities(org_id).await?);
    let decisions = state.store.finding_decisions(org_id).await?;
    // A device that a remote connection reaches in through (a VPN appliance, a vendor's gateway)
    // is an entrance, whatever its own exposure flag says: Handa and Osaka came in that way.
    let entrances: Vec<String> = state
        .store
        .ledger_rows(org_id, "remote_connections")
        .await?
        .into_iter()
        .filter_map(|r| r.row.get("device").cloned())
        .filter(|d| !d.is_empty())
        .collect();
    let found = findings(
        devices.iter().map(|d| {
            (
                d.id,
                d.device.name.as_str(),
                d.device.internet_facing || entrances.contains(&d.device.name),
                d.device.identity(),
            )
        }),
        &index,
    );
    Ok(found
        .into_iter()
        .map(|f| FindingRow {
            decision: decisions
                .iter()
                .find(|d| d.device_id == f.device_id && d.cve == f.cve)
                .cloned(),
            f,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    page: Page,
    open: Vec<FindingRow>,
    closed: Vec<FindingRow>,
    held: usize,
    kev_held: usize,
    can_edit: bool,
    today: String,
    feed_error: String,
}

/// `?imported=N` after an import, `?error=…` when a file was refused.
#[derive(Deserialize, Default)]
pub struct FeedNotice {
    #[serde(default)]
    imported: Option<usize>,
}

async fn findings_page(
    state: &AppState,
    s: &SignedIn,
    feed_error: String,
) -> Result<FindingsPage, AppError> {
    let vulns = state.store.vulnerabilities(s.org.id).await?;
    let (held, kev_held) = (
        vulns.len(),
        vulns.iter().filter(|v| v.kev.is_some()).count(),
    );
    let (open, closed) = finding_rows(state, s.org.id)
        .await?
        .into_iter()
        .partition(FindingRow::open);
    Ok(FindingsPage {
        page: Page::signed_in(s, "findings.title", "/registers/findings"),
        open,
        closed,
        held,
        kev_held,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: today(state).to_string(),
        feed_error,
    })
}

/// The findings, riskiest first, and the import form.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<FeedNotice>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let mut p = findings_page(&state, &s, String::new()).await?;
    if let Some(k) = n.imported {
        p.page.notice = Some(format!("{} ({k})", p.page.t("findings.imported")));
    }
    render(&p)
}

/// Imports a KEV catalog or an NVD CVE API 2.0 file (JSON), merging per CVE.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let parsed = tokio::task::spawn_blocking(move || read_feed(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match parsed {
        Ok(records) => {
            let new = state
                .store
                .import_vulnerabilities(&s.ctx(), &records)
                .await?;
            Ok(see_other(&format!(
                "/registers/findings?imported={}",
                records.len().max(new)
            )))
        }
        Err(e) => {
            let p = findings_page(&state, &s, format!("{name}: {e}")).await?;
            crate::view::render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
    }
}

/// A decision on a finding: `accept` with a reason, or `patched` with the day.
#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    patched_on: String,
}

/// Records a decision on the finding (device, CVE).
pub async fn decide(
    State(state): State<AppState>,
    s: SignedIn,
    Path((device, cve)): Path<(Uuid, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    if !cve.starts_with("CVE-") || cve.len() > 30 {
        return Err(AppError::NotFound);
    }
    let decision = match f.action.as_str() {
        "accept" => {
            let r = f.reason.trim();
            if r.is_empty() || r.chars().count() > 2000 {
                return Err(AppError::BadRequest("error.accept_reason"));
            }
            FindingDecision::Accepted(r.to_string())
        }
        "patched" => {
            let d = NaiveDate::parse_from_str(f.patched_on.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::BadRequest("error.date"))?;
            if d > today(&state) {
                return Err(AppError::BadRequest("error.in_future"));
            }
            FindingDecision::Patched(d)
        }
        _ => return Err(AppError::BadRequest("error.choose_one")),
    };
    state
        .store
        .decide_finding(&s.ctx(), device, &cve, &decision)
        .await?;
    Ok(see_other("/registers/findings"))
}
