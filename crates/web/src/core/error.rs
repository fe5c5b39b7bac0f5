//! Errors as users see them: an HTML page or a JSON body with a stable code, in the user's
//! language, rendered in one place for handlers and for the framework's own rejections alike.

use crate::core::http::request_lang;
use crate::core::i18n::Tr;
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use mamori_domain::validate::Problem;
use mamori_store::StoreError;

/// Why a request failed.
#[derive(Debug)]
pub enum AppError {
    /// No such thing here (also for other organisations' things: we do not reveal they exist).
    NotFound,
    /// Signed in, but not allowed.
    Forbidden,
    /// Not signed in, or the token is invalid.
    Unauthorized,
    /// Signed in with a one-time password that must be replaced first.
    MustChangePassword,
    /// The form token is missing or wrong.
    Csrf,
    /// A state-changing request sent by another site (its `Origin` or `Sec-Fetch-Site` says so).
    CrossSite,
    /// A request that cannot be understood; the key names the message.
    BadRequest(&'static str),
    /// A conflict with existing data; the key names the message.
    Conflict(&'static str),
    /// Field-level validation faults (API).
    Invalid(Problem),
    /// The database cannot be reached; the request may be retried once it is back.
    Unavailable,
    /// An upload that would take the organisation past its storage quota (in use / quota).
    OverQuota(String),
    /// An uploaded file that cannot be read as what it should be: the message key, and what the
    /// reader found (shown after the message).
    Unreadable {
        /// Message key.
        key: &'static str,
        /// Where the reader stopped, in its words.
        detail: String,
    },
    /// Something broke on our side; details go to the log, not the user.
    Internal(String),
}

/// Marks a response as an error to be rendered by `render_errors`.
#[derive(Debug, Clone)]
struct ErrorInfo {
    code: &'static str,
    key: &'static str,
    fields: Option<Problem>,
    detail: Option<String>,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "error.not_found"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "error.forbidden"),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "error.unauthorized",
            ),
            AppError::MustChangePassword => (
                StatusCode::FORBIDDEN,
                "must_change_password",
                "error.must_change_password",
            ),
            AppError::Csrf => (StatusCode::FORBIDDEN, "csrf", "error.csrf"),
            AppError::CrossSite => (StatusCode::FORBIDDEN, "csrf", "error.cross_site"),
            AppError::BadRequest(k) => (StatusCode::BAD_REQUEST, "bad_request", k),
            AppError::Conflict(k) => (StatusCode::CONFLICT, "conflict", k),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", "error.invalid"),
            AppError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "error.db_unavailable",
            ),
            AppError::OverQuota(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "quota_exceeded",
                "error.quota_exceeded",
            ),
            AppError::Unreadable { key, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unreadable", key)
            }
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "error.internal",
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let (status, code, key) = self.parts();
        let (fields, detail) = match self {
            AppError::Invalid(p) => (Some(p), None),
            AppError::Unreadable { detail, .. } | AppError::OverQuota(detail) => {
                (None, Some(detail))
            }
            _ => (None, None),
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorInfo {
            code,
            key,
            fields,
            detail,
        });
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict("email") => AppError::Conflict("error.email_taken"),
            StoreError::Conflict(_) => AppError::Conflict("error.conflict"),
            ref other if other.is_unavailable() => {
                tracing::warn!(error = %other, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    status: u16,
    message: &'a str,
    login_link: bool,
}

/// The page a signed-in user sees when a page is not theirs to open: the navigation and the way
/// out stay, so the refusal is not a dead end.
#[derive(Template)]
#[template(path = "forbidden.html")]
struct ForbiddenPage<'a> {
    page: crate::core::view::Page,
    message: &'a str,
}

/// The forbidden page for the session of a refused request, when it has one.
async fn forbidden_page(
    state: &crate::core::state::AppState,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    message: &str,
) -> Option<String> {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = method;
    parts.uri = uri;
    parts.headers = headers;
    let s = crate::core::auth::SignedIn::from_session(&parts, state)
        .await
        .ok()?;
    ForbiddenPage {
        page: crate::core::view::Page::signed_in(&s, "error.title", "/"),
        message,
    }
    .render()
    .ok()
}

/// Replaces the body of every error response (ours and the framework's rejections) with a page or
/// JSON in the user's language; sends signed-out visitors of pages to the login page.
pub async fn render_errors(
    axum::extract::State(state): axum::extract::State<crate::core::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = request_lang(req.headers());
    // Kept for a refused page, which is shown with its navigation (see `forbidden_page`).
    let asked = (
        req.method().clone(),
        req.uri().clone(),
        req.headers().clone(),
    );
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = res.extensions().get::<ErrorInfo>().cloned();
    let is_plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    let info = match info {
        Some(i) => i,
        None if is_plain => ErrorInfo {
            code: "bad_request",
            key: "error.malformed",
            fields: None,
            detail: None,
        },
        None => return res,
    };
    let tr = Tr::new(lang);
    if info.code == "unauthorized" && !api {
        return carried(Redirect::to("/login").into_response(), &res);
    }
    if info.code == "must_change_password" && !api {
        return carried(Redirect::to("/account#password").into_response(), &res);
    }
    let message = match (&info.detail, &info.fields) {
        (Some(d), _) => format!("{} ({d})", tr.t(info.key)),
        // A page has no field to show the fault beside: name the faults themselves.
        (None, Some(p)) if !api && !p.errors.is_empty() => p
            .errors
            .iter()
            .map(|e| tr.t(&e.key))
            .collect::<Vec<_>>()
            .join(" "),
        _ => tr.t(info.key).to_string(),
    };
    let mut out = if api {
        let fields = info.fields.as_ref().map(|p| {
            p.errors
                .iter()
                .map(|e| serde_json::json!({"field": e.field, "code": e.key, "message": tr.t(&e.key)}))
                .collect::<Vec<_>>()
        });
        let mut body = serde_json::json!({"error": {"code": info.code, "message": message}});
        if let (Some(f), Some(obj)) = (
            fields,
            body.get_mut("error").and_then(|e| e.as_object_mut()),
        ) {
            obj.insert("fields".into(), serde_json::Value::Array(f));
        }
        (status, Json(body)).into_response()
    } else {
        let signed_in = match info.code {
            "forbidden" => forbidden_page(&state, asked.0, asked.1, asked.2, &message).await,
            _ => None,
        };
        let page = ErrorPage {
            tr,
            status: status.as_u16(),
            message: &message,
            login_link: info.code == "csrf",
        };
        match signed_in.map_or_else(|| page.render(), Ok) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    };
    out.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    carried(out, &res)
}

/// A replacement response that keeps what the inner layers said about the original (security
/// headers, cookies), except its body's type and length.
fn carried(mut out: Response, from: &Response) -> Response {
    for (name, value) in from.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !out.headers().contains_key(name)
        {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// The answer for paths that do not exist.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
