//! The organisation's audit trail, filtered.

use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::view::{Page, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mamori_domain::audit::AuditRecord;
use mamori_domain::clock::{format_jst, jst};
use mamori_store::AuditFilter;
use serde::Deserialize;

/// Filters as typed in the form (dates are Japan dates).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct AuditQuery {
    /// Action prefix, e.g. `auth.`.
    pub action: String,
    /// Part of the actor's e-mail.
    pub actor: String,
    /// From this date (inclusive), `YYYY-MM-DD`.
    pub from: String,
    /// To this date (inclusive), `YYYY-MM-DD`.
    pub to: String,
}

/// The start of a Japan calendar day in UTC.
pub fn jst_day_start(d: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()?;
    jst()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl AuditQuery {
    /// The store filter; dates that do not parse are reported by field.
    pub fn filter(&self, limit: i64) -> (AuditFilter, Vec<&'static str>) {
        let mut bad = Vec::new();
        let since = if self.from.trim().is_empty() {
            None
        } else {
            jst_day_start(&self.from).or_else(|| {
                bad.push("from");
                None
            })
        };
        let until = if self.to.trim().is_empty() {
            None
        } else {
            jst_day_start(&self.to)
                .map(|t| t + chrono::Duration::days(1))
                .or_else(|| {
                    bad.push("to");
                    None
                })
        };
        let f = AuditFilter {
            action_prefix: Some(self.action.trim().to_string()).filter(|s| !s.is_empty()),
            actor: Some(self.actor.trim().to_string()).filter(|s| !s.is_empty()),
            since,
            until,
            limit,
        };
        (f, bad)
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    q: AuditQuery,
    rows: Vec<(String, AuditRecord)>,
    bad: Vec<&'static str>,
}

/// The audit trail page.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let (_, bad) = q.filter(500);
    // Dates that do not parse are shown beside their fields; nothing is listed until they do.
    let rows = if bad.is_empty() {
        super::service::audit(&state, &s, &q, 500)
            .await?
            .into_iter()
            .map(|r| (format_jst(r.at), r))
            .collect()
    } else {
        Vec::new()
    };
    render(&AuditPage {
        page: Page::signed_in(&s, "audit.title", "/audit"),
        q,
        rows,
        bad,
    })
}
