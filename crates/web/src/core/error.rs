//! Why a request failed, with a stable code and message key; `error_page` turns every error
//! response (ours and the framework's rejections alike) into a page or a JSON body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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

/// Marks a response as an error to be rendered by `error_page::render_errors`.
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    pub(crate) code: &'static str,
    pub(crate) key: &'static str,
    pub(crate) fields: Option<Problem>,
    pub(crate) detail: Option<String>,
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

/// The answer for paths that do not exist.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
