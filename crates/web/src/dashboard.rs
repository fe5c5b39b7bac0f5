//! The dashboard: where the organisation stands, for the person signed in.

use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use mamori_domain::audit::AuditRecord;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_store::AuditFilter;

/// Account hygiene figures an administrator acts on.
pub struct AccountFigures {
    /// Active accounts.
    pub active: usize,
    /// Active accounts without two-factor authentication.
    pub without_two_factor: usize,
    /// Locked accounts.
    pub locked: usize,
    /// Invited, not yet accepted.
    pub pending: usize,
    /// Disabled accounts.
    pub disabled: usize,
}

/// Where the latest self-assessment stands, for executives (経営層).
pub struct AssessmentCard {
    /// The assessment's id.
    pub id: uuid::Uuid,
    /// Sheet title.
    pub title: String,
    /// Completion percent.
    pub completion: u32,
    /// はい rate.
    pub yes: String,
    /// Items answered いいえ.
    pub gaps: usize,
    /// Of those, past their target date.
    pub overdue: usize,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    assessment: Option<AssessmentCard>,
    page: Page,
    two_factor: bool,
    org_kind: &'static str,
    org_type: &'static str,
    beds: String,
    roles: Vec<&'static str>,
    figures: Option<AccountFigures>,
    recent: Vec<(String, AuditRecord)>,
    incidents: Option<IncidentCard>,
}

/// What needs attention in incident response: reports awaiting triage and open incidents with
/// the next duty and its countdown.
pub struct IncidentCard {
    /// Reports awaiting triage.
    pub open_reports: usize,
    /// Open incidents (exercises included, marked).
    pub open: Vec<crate::incident::service::IncidentRow>,
}

/// The dashboard, or the way to setup or login.
pub async fn show(
    State(state): State<AppState>,
    s: Result<SignedIn, AppError>,
) -> Result<Response, AppError> {
    let s = match s {
        Ok(s) => s,
        Err(_) if state.store.org_count().await? == 0 => return Ok(see_other("/setup")),
        Err(e) => return Err(e),
    };
    let lang = s.lang;
    let figures = if s.actor.can(Permission::ManageUsers) {
        let users = state.store.users(s.org.id).await?;
        let active: Vec<_> = users
            .iter()
            .filter(|u| !u.disabled && u.password_hash.is_some())
            .collect();
        Some(AccountFigures {
            active: active.len(),
            without_two_factor: active.iter().filter(|u| !u.totp_enabled).count(),
            locked: users
                .iter()
                .filter(|u| u.is_locked(s.now) && !u.disabled)
                .count(),
            pending: users
                .iter()
                .filter(|u| u.password_hash.is_none() && !u.disabled)
                .count(),
            disabled: users.iter().filter(|u| u.disabled).count(),
        })
    } else {
        None
    };
    let recent = if s.actor.can(Permission::ViewAudit) {
        let f = AuditFilter {
            limit: 8,
            ..Default::default()
        };
        state
            .store
            .audit_list(s.org.id, &f)
            .await?
            .into_iter()
            .map(|r| (format_jst(r.at), r))
            .collect()
    } else {
        Vec::new()
    };
    let assessment = if s.actor.can(Permission::ViewAssessments) {
        crate::assessment::service::latest_own(&state, &s)
            .await?
            .map(|(a, summary)| AssessmentCard {
                id: a.id,
                title: crate::assessment::service::sheet_of(&a)
                    .map(|sh| lang.pick(&sh.title_ja, &sh.title_en).to_string())
                    .unwrap_or_default(),
                completion: summary.completion_percent(),
                yes: summary
                    .overall
                    .yes_percent()
                    .map(|p| format!("{p}%"))
                    .unwrap_or_else(|| "—".into()),
                gaps: summary.gaps.len(),
                overdue: summary.gaps.iter().filter(|g| g.overdue).count(),
            })
    } else {
        None
    };
    let incidents = if s.actor.can(Permission::ViewIncidents) {
        let open = state
            .store
            .incidents(s.org.id)
            .await?
            .into_iter()
            .filter(|i| i.is_open())
            .collect();
        Some(IncidentCard {
            open_reports: state.store.anomaly_reports(s.org.id, true).await?.len(),
            open: crate::incident::service::incident_rows(&state, &s, open).await?,
        })
    } else {
        None
    };
    let p = DashboardPage {
        incidents,
        assessment,
        two_factor: s.user.totp_enabled,
        org_kind: s.org.profile.kind.label(lang),
        org_type: s
            .org
            .profile
            .institution_type
            .map(|t| t.label(lang))
            .unwrap_or(""),
        beds: s
            .org
            .profile
            .beds
            .map(|b| b.to_string())
            .unwrap_or_default(),
        roles: s.user.roles.iter().map(|r| r.label(lang)).collect(),
        figures,
        recent,
        page: Page::signed_in(&s, "dashboard.title", "/"),
    };
    render(&p)
}
