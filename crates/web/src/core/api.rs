//! What every part of the JSON API shares: the error body, the token security scheme, and the
//! assembled OpenAPI document.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An error body: `{"error": {"code", "message", "fields"?}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorOut {
    error: ErrorDetail,
}

/// The error's code (stable) and message (in the request's language).
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `forbidden`, `unauthorized`, `bad_request`, `conflict`, `invalid`, `too_many_requests`, `internal`.
    code: String,
    message: String,
}

/// Adds the bearer-token security scheme that every operation's requirement names.
pub struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document's frame: title, description and the token scheme; the operations come from the
/// capabilities' routes.
#[derive(OpenApi)]
#[openapi(
    info(title = "mamori API", description = "Information-security management for Japanese medical institutions. Every operation takes an API token (`Authorization: Bearer mamori_…`); the scope of its `token` requirement names the permission it needs."),
    modifiers(&TokenScheme)
)]
pub struct ApiDoc;

/// A `201 Created` response with a JSON body.
pub fn created<T: Serialize>(body: T) -> axum::response::Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::CREATED, axum::Json(body)).into_response()
}

/// A `204 No Content` response.
pub fn no_content() -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::http::StatusCode::NO_CONTENT.into_response()
}

/// How many rows an import added and updated.
#[derive(Serialize, ToSchema)]
pub struct RowsImportedOut {
    /// Rows added.
    pub added: usize,
    /// Rows updated (matched by name).
    pub updated: usize,
}
