//! The web face of mamori: server-rendered pages that work without JavaScript, the JSON API under
//! `/api/v1`, authentication (passwords, TOTP, sessions, API tokens), CSRF protection, security
//! headers, metrics and health.
//!
//! One folder per capability (`assessment`, `incident`, `registers`, `sharing`, `oversight`, `admin`), each with its
//! routes, pages, API and the service both call; `core` holds what they share, `status` the typed
//! read models one capability may show of another, and `dashboard` composes their cards.

pub mod admin;
pub mod assessment;
pub mod core;
mod dashboard;
pub mod incident;
pub mod oversight;
pub mod registers;
pub mod sharing;
pub mod status;

pub use core::routes::{Body, Guard, PageRoute, ProtocolRoute};
pub use core::state::{AppState, WebConfig};
pub use core::{client, crypto, i18n, mail};
pub use incident::emergency;

use axum::{Extension, Json, Router};
use core::routes::Routes;
use utoipa::OpenApi;

/// Every route of the application with its guard: the capabilities' pages and API, and the pages
/// that belong to none (the dashboard, health, metrics, the stylesheet).
fn all_routes() -> Routes {
    Routes::new()
        .get("/", Guard::Public, dashboard::show)
        .get("/static/mamori.css", Guard::Public, core::view::stylesheet)
        .get("/healthz", Guard::Public, core::observe::healthz)
        .get("/metrics", Guard::Public, core::observe::metrics)
        .get("/api/v1/openapi.json", Guard::Public, openapi_json)
        .merge(admin::routes())
        .merge(assessment::routes())
        .merge(incident::routes())
        .merge(registers::routes())
        .merge(sharing::routes())
        .merge(oversight::routes())
}

/// The page routes, each with its guard and body, as the router serves them.
pub fn page_routes() -> Vec<PageRoute> {
    all_routes().into_parts().1
}

/// The routes of other protocols (TAXII 2.1), each method with its guard.
pub fn protocol_routes() -> Vec<ProtocolRoute> {
    all_routes().protocol_table().to_vec()
}

/// The OpenAPI document of the JSON API, built from the same routes the router serves.
pub fn openapi() -> serde_json::Value {
    let (router, _) = all_routes().into_parts();
    let mut doc = core::api::ApiDoc::openapi();
    doc.merge(router.split_for_parts().1);
    let doc = core::api::with_common_answers(serde_json::to_value(doc).unwrap_or_default());
    core::api::with_text_limits(doc)
}

/// Serves the OpenAPI document, built once.
async fn openapi_json() -> Json<&'static serde_json::Value> {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi))
}

/// Builds the whole application: pages, API, health and metrics, with the middleware that every
/// response passes through (security headers, error pages in the user's language, metrics).
pub fn router(state: AppState) -> Router {
    let (router, _) = all_routes().into_parts();
    let (router, _) = router.split_for_parts();
    router
        .fallback(core::error::not_found)
        // The route guards find the state here: they run before the handler's extractors.
        .layer(Extension(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            core::security::guard,
        ))
        // Outside the guard, so that a refused request is told why in a page or JSON too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            core::error_page::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            core::observe::measure,
        ))
        .with_state(state)
}
