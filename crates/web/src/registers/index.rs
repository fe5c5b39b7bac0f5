//! The index of all registers with where each stands, and the open vulnerability findings.

use super::service;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::view::{Page, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use mamori_domain::status::RegisterState;

#[derive(Template)]
#[template(path = "registers.html")]
struct IndexPage {
    page: Page,
    states: Vec<RegisterState>,
    open_findings: usize,
    kev_findings: usize,
}

/// Every register with its state.
pub async fn index(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let findings = service::finding_list(&state, &s).await?;
    let open: Vec<_> = findings.iter().filter(|f| f.open()).collect();
    render(&IndexPage {
        page: Page::signed_in(&s, "registers.title", "/registers"),
        states: service::states(&state, &s).await?,
        open_findings: open.len(),
        kev_findings: open.iter().filter(|f| f.f.kev).count(),
    })
}
