//! Known vulnerabilities' pages: importing KEV, NVD and JVN files, and the findings on the
//! ledger's devices, riskiest first, each accepted with a reason or closed by a patch date.

use super::service::{self, DecisionDraft, FindingRow};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::Upload;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::authz::Permission;
use mamori_domain::vuln::Certainty;
use mamori_store::FindingDecision;
use serde::Deserialize;
use uuid::Uuid;

pub use service::MAX_FEED_BYTES;

impl FindingRow {
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
    let (held, kev_held) = service::feed_holdings(state, s).await?;
    let (open, closed) = service::finding_list(state, s)
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
        today: s.today().to_string(),
        feed_error,
    })
}

/// The findings, riskiest first, and the import form.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<FeedNotice>,
) -> Result<Response, AppError> {
    let mut p = findings_page(&state, &s, String::new()).await?;
    if let Some(k) = n.imported {
        p.page.notice = Some(format!("{} ({k})", p.page.t("findings.imported")));
    }
    render(&p)
}

/// Imports a KEV catalog, an NVD CVE API 2.0 file or a JVN iPedia list (JSON), merging per CVE.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match service::import_feed(&state, &s, bytes.to_vec()).await {
        Ok(n) => Ok(see_other(&format!("/registers/findings?imported={n}"))),
        Err(AppError::Unreadable { detail, .. }) => {
            let p = findings_page(&state, &s, format!("{name}: {detail}")).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e),
    }
}

/// The decision form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    #[serde(flatten)]
    decision: DecisionDraft,
}

/// Records a decision on the finding (device, CVE).
pub async fn decide(
    State(state): State<AppState>,
    s: SignedIn,
    Path((device, cve)): Path<(Uuid, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::decide(&state, &s, device, &cve, &f.decision).await?;
    Ok(see_other("/registers/findings"))
}
