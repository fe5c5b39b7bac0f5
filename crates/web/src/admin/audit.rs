//! The organisation's audit trail, filtered.

use super::service::AuditQuery;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::view::{Page, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use mamori_domain::audit::AuditRecord;
use mamori_domain::clock::format_jst;

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
