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
use mamori_domain::role::Role;
use mamori_store::AuditFilter;

mod executive;

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
    /// The items past their target: number and text.
    pub overdue_items: Vec<(String, String)>,
}

/// What the institution is exposed to and what is behind, for those who keep the registers
/// (安全管理責任者, システム運用担当者): the riskiest first.
pub struct RiskCard {
    /// KEV flaws on devices reachable from outside, not yet decided on.
    pub exposed_kev: Vec<mamori_domain::vuln::Finding>,
    /// Registers with concerns (devices past support end, …) or an overdue review.
    pub registers: Vec<RegisterLine>,
    /// Vendor sheets not answered yet.
    pub vendor_sheets: Vec<crate::status::VendorSheetState>,
    /// Devices past their end of support.
    pub unsupported: usize,
}

/// A register that needs attention, in words.
pub struct RegisterLine {
    /// The register's name.
    pub name: &'static str,
    /// Where it is kept.
    pub href: String,
    /// What is wrong, in words.
    pub concerns: Vec<String>,
    /// No review within its interval.
    pub review_overdue: bool,
}

impl RiskCard {
    /// The registers with concerns.
    pub fn behind(&self) -> Vec<&RegisterLine> {
        self.registers
            .iter()
            .filter(|r| !r.concerns.is_empty())
            .collect()
    }

    /// The registers not reviewed within their interval.
    pub fn unreviewed(&self) -> Vec<&RegisterLine> {
        self.registers.iter().filter(|r| r.review_overdue).collect()
    }

    /// Whether anything needs attention.
    pub fn any(&self) -> bool {
        !self.exposed_kev.is_empty() || !self.registers.is_empty() || !self.vendor_sheets.is_empty()
    }
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
    risks: Option<RiskCard>,
    show_risks: bool,
    executive: Option<executive::ExecutiveCard>,
    can_report: bool,
    alerts: Vec<crate::sharing::service::AlertView>,
}

/// What needs attention in incident response: reports awaiting triage and open incidents with
/// the next duty and its countdown.
pub struct IncidentCard {
    /// Reports awaiting triage.
    pub open_reports: i64,
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
    let latest = if s.actor.can(Permission::ViewAssessments) {
        crate::assessment::service::latest_own(&state, &s).await?
    } else {
        None
    };
    let assessment = latest.as_ref().map(|(a, summary)| AssessmentCard {
        id: a.id,
        title: crate::assessment::service::sheet_of(a)
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
        overdue_items: crate::assessment::service::sheet_of(a)
            .map(|sh| {
                summary
                    .gaps
                    .iter()
                    .filter(|g| g.overdue)
                    .filter_map(|g| sh.items.iter().find(|i| i.id == g.item_id))
                    .map(|i| {
                        (
                            i.number.clone(),
                            lang.pick(&i.text_ja, &i.text_en).to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    });
    let incidents = if s.actor.can(Permission::ViewIncidents) {
        let open = state
            .store
            .incidents(s.org.id)
            .await?
            .into_iter()
            .filter(|i| i.is_open())
            .collect();
        Some(IncidentCard {
            open_reports: state.store.open_report_count(s.org.id).await?,
            open: crate::incident::service::incident_rows(&state, &s, open).await?,
        })
    } else {
        None
    };
    let executive = s.user.roles.has(Role::Executive);
    let risks = if s.actor.can(Permission::ViewRegisters) || executive {
        Some(risks(&state, &s).await?)
    } else {
        None
    };
    let executive = match (&risks, executive) {
        (Some(r), true) => Some(
            executive::card(
                &state,
                &s,
                latest.as_ref(),
                r,
                incidents.as_ref().map_or(0, |c| c.open.len()),
            )
            .await?,
        ),
        _ => None,
    };
    let p = DashboardPage {
        show_risks: s.actor.can(Permission::ViewRegisters),
        executive,
        risks,
        can_report: s.actor.can(Permission::ReportAnomalies),
        alerts: crate::sharing::service::open_alerts(&state, &s).await?,
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

/// The risk card: exposed KEV flaws, registers behind, vendor sheets outstanding.
async fn risks(state: &AppState, s: &SignedIn) -> Result<RiskCard, AppError> {
    let states = crate::status::register_states(state, s.org.id).await?;
    let unsupported = states
        .iter()
        .flat_map(|r| r.concerns.iter())
        .filter(|c| c.code == "unsupported")
        .filter_map(|c| c.count)
        .sum();
    let registers = states
        .into_iter()
        .filter(|r| r.needs_attention())
        .map(|r| RegisterLine {
            name: r.label(s.lang),
            concerns: r.concerns.iter().map(|c| c.text(s.lang)).collect(),
            review_overdue: r.review_overdue,
            href: r.href,
        })
        .collect();
    let vendor_sheets = if s.actor.can(Permission::ViewAssessments) {
        crate::status::vendor_sheets(state, s.org.id)
            .await?
            .into_iter()
            .filter(|v| v.progress != crate::status::SheetProgress::Answered)
            .collect()
    } else {
        Vec::new()
    };
    Ok(RiskCard {
        exposed_kev: crate::status::exposed_kev(state, s.org.id).await?,
        registers,
        vendor_sheets,
        unsupported,
    })
}
