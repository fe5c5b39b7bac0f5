//! What every part of the JSON API shares: the error body, the token security scheme, paging of
//! lists, and the assembled OpenAPI document.

use crate::core::error::AppError;
use mamori_domain::validate::Problem;
use serde::{Deserialize, Serialize};
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
    /// `not_found`, `forbidden`, `unauthorized`, `bad_request`, `conflict`, `invalid`, `unreadable`, `csrf`, `quota_exceeded`, `too_many_requests`, `unavailable`, `internal`.
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

/// A page of a list: `limit` and `offset` in the query string; without both, the whole list.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct Paging {
    /// At most this many rows (1 to the list's maximum).
    pub limit: Option<i64>,
    /// Rows to skip, in the list's order.
    pub offset: Option<i64>,
}

impl Paging {
    /// The page asked for as (limit, offset), `max` rows when only the offset is given; none for
    /// the whole list. A limit out of 1..=max or a negative offset is a fault on that field.
    pub fn window(self, max: i64) -> Result<Option<(i64, i64)>, AppError> {
        if self.limit.is_none() && self.offset.is_none() {
            return Ok(None);
        }
        let limit = self.limit.unwrap_or(max);
        if !(1..=max).contains(&limit) {
            return Err(AppError::Invalid(Problem::field("limit", "error.page")));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(AppError::Invalid(Problem::field("offset", "error.page")));
        }
        Ok(Some((limit, offset)))
    }
}

/// A JSON list with its full length in `X-Total-Count`.
pub fn counted<T: Serialize>(rows: Vec<T>, total: i64) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([("x-total-count", total.to_string())], axum::Json(rows)).into_response()
}

/// How many rows an import added and updated.
#[derive(Serialize, ToSchema)]
pub struct RowsImportedOut {
    /// Rows added.
    pub added: usize,
    /// Rows updated (matched by name).
    pub updated: usize,
}

/// The document with the answers every operation may give besides its own: a missing or invalid
/// token (401), a permission the token's user lacks (403), a malformed path, query or body (400),
/// an object that is not there or not the caller's (404), and for operations that take a body a
/// wrong content type (415), a body too large (413) or faults in it (422). The route guards, the
/// extractors and the error renderer give these to every operation alike, so they are stated
/// once here rather than on each.
pub fn with_common_answers(mut doc: serde_json::Value) -> serde_json::Value {
    let answer = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return doc;
    };
    for (path, item) in paths.iter_mut() {
        let has_params = path.contains('{');
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            if !matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                continue;
            }
            let scoped = op
                .pointer("/security/0/token")
                .and_then(|t| t.as_array())
                .is_some_and(|s| !s.is_empty());
            let body = op.get("requestBody").is_some();
            let query = op
                .get("parameters")
                .and_then(|p| p.as_array())
                .is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.get("in").and_then(|v| v.as_str()) == Some("query"))
                });
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
                continue;
            };
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_string())
                    .or_insert_with(|| answer(description));
            };
            add("400", "The path, query or body cannot be read.");
            add("401", "No token, or an invalid, revoked or expired one.");
            if scoped {
                add(
                    "403",
                    "The token's user lacks the permission this operation needs.",
                );
            }
            if has_params {
                add("404", "Not there, or not the caller's organisation's.");
            }
            if body {
                add("413", "The body is larger than this operation takes.");
                add(
                    "415",
                    "The body is not of the content type this operation takes.",
                );
                add("422", "The body has faults; each is named by its field.");
            }
            if query {
                add("422", "A query parameter has a fault.");
            }
        }
    }
    doc
}

/// The longest text any API field takes (the longest a page's field takes, a document section);
/// fields with a tighter rule of their own are checked by their service.
pub const TEXT_MAX: usize = mamori_domain::validate::TEXT_MAX;

/// A JSON request body whose every string is at most `TEXT_MAX` characters, refused otherwise
/// with 422 naming the field, before the body is turned into `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // serde would read a struct from an array of its fields in order: only objects are bodies.
        if !value.is_object() {
            return Err(crate::core::error::AppError::BadRequest("error.malformed").into_response());
        }
        if let Some(field) = too_long(&value, "") {
            return Err(crate::core::error::AppError::Invalid(
                mamori_domain::validate::Problem::field(&field, "error.too_long"),
            )
            .into_response());
        }
        serde_json::from_value(value).map(JsonBody).map_err(|e| {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response()
        })
    }
}

/// The path of the first string (value or member name) in a JSON value longer than `TEXT_MAX`
/// (`title`, `rows.3.name`).
fn too_long(v: &serde_json::Value, at: &str) -> Option<String> {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match v {
        serde_json::Value::String(s) if s.chars().count() > TEXT_MAX => Some(if at.is_empty() {
            "body".into()
        } else {
            at.into()
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| too_long(x, &join(&i.to_string()))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            if k.chars().count() > TEXT_MAX {
                Some(if at.is_empty() {
                    "body".into()
                } else {
                    at.into()
                })
            } else {
                too_long(x, &join(k))
            }
        }),
        _ => None,
    }
}

/// States the length limit on every string a request body may carry (the schemas request bodies
/// name, and what they name in turn), unless the schema states a tighter one or is a format
/// (date, uuid) or a set of codes.
pub fn with_text_limits(mut doc: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    out.push(name.to_string());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    fn limit(v: &mut Value) {
        match v {
            Value::Object(m) => {
                let is_text = m.get("type").is_some_and(|t| {
                    t == "string"
                        || t.as_array()
                            .is_some_and(|a| a.iter().any(|x| x == "string"))
                });
                if is_text
                    && !m.contains_key("maxLength")
                    && !m.contains_key("format")
                    && !m.contains_key("enum")
                {
                    m.insert("maxLength".into(), Value::from(TEXT_MAX));
                }
                m.values_mut().for_each(limit);
            }
            Value::Array(a) => a.iter_mut().for_each(limit),
            _ => {}
        }
    }
    let mut names = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                if let Some(body) = op.get_mut("requestBody") {
                    refs(body, &mut names);
                    if let Some(json) = body.pointer_mut("/content/application~1json/schema") {
                        limit(json);
                    }
                }
            }
        }
    }
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = names.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            refs(schema, &mut names);
            limit(schema);
        }
    }
    doc
}
