//! What every capability shares: state, who is asking, errors, the page frame and forms,
//! uploads and tables, languages, security headers, metrics, mail, and the route table.

pub mod api;
pub mod auth;
pub mod charts;
pub mod client;
pub mod crypto;
pub mod error;
pub mod error_page;
pub mod form;
pub mod http;
pub mod i18n;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod observe;
pub mod routes;
pub mod security;
pub mod state;
pub mod table;
pub mod uploads;
pub mod view;

use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_domain::validate::FieldError;

/// The embedded catalog; an invalid one is a fault of the build, reported as an internal error.
pub(crate) fn catalog() -> Result<&'static mamori_domain::catalog::Catalog, AppError> {
    mamori_catalog::catalog()
        .map_err(|e| AppError::Internal(format!("catalog invalid: {} faults", e.len())))
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(mut res: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A 303 redirect after a successful form.
pub fn see_other(to: &str) -> Response {
    // A target no header can carry falls back to the start page rather than failing the request.
    match HeaderValue::from_str(to) {
        Ok(_) => Redirect::to(to).into_response(),
        Err(_) => Redirect::to("/").into_response(),
    }
}

/// Checks a display name.
pub fn display_name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim().to_string();
    if name.is_empty() {
        errors.push(FieldError::new("display_name", "error.required"));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new("display_name", "error.too_long"));
    }
    name
}

/// The invitation link for a token.
pub fn invite_link(state: &AppState, token: &str) -> String {
    format!(
        "{}/invite/{token}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// A new invitation token and its expiry (7 days).
pub fn new_invite(state: &AppState) -> (String, chrono::DateTime<chrono::Utc>) {
    (
        crypto::random_token(32),
        state.now() + chrono::Duration::days(7),
    )
}
