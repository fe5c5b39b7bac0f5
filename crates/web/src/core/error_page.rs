//! Error responses as people and programs read them: the page (with the navigation for a
//! signed-in user refused a page) or the JSON body, in the user's language. Kept apart from
//! `error`, which the page frame and the session both need, so that neither depends on the other.

use crate::core::error::ErrorInfo;
use crate::core::http::request_lang;
use crate::core::i18n::Tr;
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Json, Redirect, Response};

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
