//! Response headers that harden every page, and the cross-site check on state-changing requests.

use crate::core::auth::bearer_token_of;
use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Refuses state-changing requests sent by another site, and sets security headers on every
/// response. API calls with a live bearer token carry no ambient credentials, so they pass; a
/// header that merely looks like one does not.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = state.config.public_url.starts_with("https://");
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && is_cross_site(req.headers(), &state.config.public_url) {
        let live_token = match bearer_token_of(req.headers()) {
            Some(t) => state
                .store
                .token_is_live(&crypto::digest(t))
                .await
                .unwrap_or(false),
            None => false,
        };
        if !live_token {
            return with_headers(AppError::CrossSite.into_response(), https);
        }
    }
    with_headers(next.run(req).await, https)
}

/// Whether a request says it came from another site: by `Sec-Fetch-Site`, or by an `Origin`
/// whose scheme is not the public URL's or whose host is not the one asked.
fn is_cross_site(h: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
        && site != "none"
    {
        return true;
    }
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let scheme = public_url.split("://").next().unwrap_or("http");
    match origin.split_once("://") {
        Some((s, origin_host)) => s != scheme || host.is_some_and(|h| h != origin_host),
        // "null" (a sandboxed or privacy-sensitive context) and anything else unreadable.
        None => true,
    }
}

fn with_headers(mut res: Response, https: bool) -> Response {
    let h = res.headers_mut();
    if https {
        // Served over TLS (directly or by the proxy): browsers keep to it for a year.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
