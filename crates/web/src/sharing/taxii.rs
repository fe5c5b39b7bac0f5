//! TAXII 2.1 (OASIS, 2021) over the sharing hub, under `/taxii2/`: discovery, one API root
//! (`hub`), its collections, their objects, manifests and versions, and the status of each
//! envelope posted. Clients sign in with HTTP Basic (their e-mail and an API token) or a Bearer
//! token; what they may see is decided by the same service as the pages, TLP audiences included.

use super::service::{self, Outcome, version_text};
use crate::core::auth::BasicOrBearer;
use crate::core::error::{AppError, ErrorInfo};
use crate::core::http::request_lang;
use crate::core::i18n::Tr;
use crate::core::routes::{Guard, Routes};
use crate::core::state::AppState;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, any, get};
use chrono::{DateTime, Utc};
use mamori_domain::authz::Permission::{ShareThreatInformation, ViewSharing};
use mamori_store::{Audience, ObjectFilter, StoredObject, SubmissionStatus, Versions};
use serde_json::{Value, json};
use stix::Timestamp;
use uuid::Uuid;

/// The media type of every TAXII 2.1 resource.
pub const TAXII: &str = "application/taxii+json;version=2.1";
/// The media type of the STIX objects the collections hold.
pub const STIX: &str = "application/stix+json;version=2.1";
/// The one API root's name, as in `/taxii2/hub/`.
pub const API_ROOT: &str = "hub";
/// The largest envelope a client may post, as the API root tells it (`max_content_length`).
pub const MAX_ENVELOPE_BYTES: usize = 16 * 1024 * 1024;
/// The most objects one page gives, whatever `limit` asks.
pub const MAX_PAGE: i64 = 1000;

/// The TAXII routes: each answers errors as TAXII error messages, and anything else under
/// `/taxii2/` is a TAXII 404.
pub fn routes() -> Routes {
    let signed_in = [(Method::GET, Guard::SignedIn)];
    let read = [(Method::GET, Guard::Holds(ViewSharing))];
    let share = Guard::Holds(ShareThreatInformation);
    Routes::new()
        .protocol(
            "/taxii2",
            &[],
            get(|| async { Redirect::permanent("/taxii2/") }),
        )
        .protocol("/taxii2/", &signed_in, taxii(get(discovery)))
        .protocol("/taxii2/hub/", &signed_in, taxii(get(api_root)))
        .protocol("/taxii2/hub/status/{status}/", &read, taxii(get(status)))
        .protocol("/taxii2/hub/collections/", &read, taxii(get(collections)))
        .protocol(
            "/taxii2/hub/collections/{id}/",
            &read,
            taxii(get(collection)),
        )
        .protocol(
            "/taxii2/hub/collections/{id}/manifest/",
            &read,
            taxii(get(manifest)),
        )
        .protocol(
            "/taxii2/hub/collections/{id}/objects/",
            &[
                (Method::GET, Guard::Holds(ViewSharing)),
                (Method::POST, share),
            ],
            taxii(
                get(objects)
                    .post(add_objects)
                    .layer(DefaultBodyLimit::disable()),
            ),
        )
        .protocol(
            "/taxii2/hub/collections/{id}/objects/{object}/",
            &[
                (Method::GET, Guard::Holds(ViewSharing)),
                (Method::DELETE, share),
            ],
            taxii(get(object).delete(delete_object)),
        )
        .protocol(
            "/taxii2/hub/collections/{id}/objects/{object}/versions/",
            &read,
            taxii(get(versions)),
        )
        .protocol(
            "/taxii2/{*rest}",
            &[],
            taxii(any(|| async { AppError::NotFound })),
        )
}

fn taxii(mr: MethodRouter<AppState>) -> MethodRouter<AppState> {
    mr.layer(from_fn(taxii_errors))
}

/// Turns every error response of a TAXII route (ours and the framework's rejections) into a
/// TAXII error message in the request's language; a 401 says how to sign in.
async fn taxii_errors(req: Request, next: Next) -> Response {
    let tr = Tr::new(request_lang(req.headers()));
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = res.extensions().get::<ErrorInfo>().cloned();
    let key = match (&info, status) {
        (Some(i), _) => i.key,
        (None, StatusCode::NOT_ACCEPTABLE) => "taxii.error.not_acceptable",
        (None, StatusCode::UNSUPPORTED_MEDIA_TYPE) => "taxii.error.media_type",
        (None, StatusCode::PAYLOAD_TOO_LARGE) => "taxii.error.too_large",
        (None, StatusCode::METHOD_NOT_ALLOWED) => "taxii.error.method",
        (None, StatusCode::NOT_FOUND) => "error.not_found",
        (None, _) => "error.malformed",
    };
    let mut body = serde_json::Map::new();
    body.insert("title".into(), tr.t(key).into());
    body.insert("http_status".into(), status.as_u16().to_string().into());
    if let Some(detail) = info.and_then(|i| i.detail) {
        body.insert("description".into(), detail.into());
    }
    let body = Value::Object(body);
    let mut out = taxii_json(status, body.to_string());
    if status == StatusCode::UNAUTHORIZED {
        out.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"mamori TAXII\", charset=\"UTF-8\""),
        );
    }
    out
}

fn taxii_json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(TAXII))],
        body,
    )
        .into_response()
}

/// A media type as compared: lower case, without blanks and without a quality parameter.
fn media_type(text: &str) -> String {
    text.split(';')
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty() && !p.starts_with("q="))
        .collect::<Vec<_>>()
        .join(";")
}

/// Whether the client takes TAXII 2.1 resources (no `Accept` at all is taken to mean yes).
fn accepts_taxii(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').map(media_type).any(|m| {
        matches!(
            m.as_str(),
            "application/taxii+json;version=2.1"
                | "application/taxii+json"
                | "application/*"
                | "*/*"
        )
    })
}

/// Fails with 406 unless the client takes TAXII 2.1 resources.
fn negotiate(headers: &HeaderMap) -> Result<(), Refused> {
    if accepts_taxii(headers) {
        Ok(())
    } else {
        Err(Refused::Status(StatusCode::NOT_ACCEPTABLE))
    }
}

fn parse_uuid(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text).map_err(|_| AppError::NotFound)
}

/// A STIX timestamp to the microsecond, as TAXII dates are written.
fn taxii_date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The address of the API root, as discovery names it.
fn api_root_url(state: &AppState) -> String {
    format!(
        "{}/taxii2/{API_ROOT}/",
        state.config.public_url.trim_end_matches('/')
    )
}

/// Why a TAXII request is refused; `taxii_errors` words it.
enum Refused {
    App(AppError),
    Status(StatusCode),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::App(e)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::App(e) => e.into_response(),
            Refused::Status(s) => s.into_response(),
        }
    }
}

type Answer = Result<Response, Refused>;

async fn discovery(State(state): State<AppState>, _c: BasicOrBearer, headers: HeaderMap) -> Answer {
    negotiate(&headers)?;
    let url = api_root_url(&state);
    let body = json!({
        "title": "mamori",
        "description": "mamori 情報共有ハブ (TAXII 2.1) / mamori information sharing hub",
        "default": url,
        "api_roots": [url],
    });
    Ok(taxii_json(StatusCode::OK, body.to_string()))
}

async fn api_root(_c: BasicOrBearer, headers: HeaderMap) -> Answer {
    negotiate(&headers)?;
    let body = json!({
        "title": "mamori hub",
        "description": "共有コレクション / shared collections",
        "versions": [TAXII],
        "max_content_length": MAX_ENVELOPE_BYTES,
    });
    Ok(taxii_json(StatusCode::OK, body.to_string()))
}

fn collection_resource(c: &mamori_store::Collection) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "can_read": c.can_read,
        "can_write": c.can_write,
        "media_types": [STIX],
    })
}

async fn collections(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
) -> Answer {
    negotiate(&headers)?;
    let all = service::collections(&state, &c).await?;
    let body = if all.is_empty() {
        json!({})
    } else {
        json!({"collections": all.iter().map(collection_resource).collect::<Vec<_>>()})
    };
    Ok(taxii_json(StatusCode::OK, body.to_string()))
}

async fn collection(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    negotiate(&headers)?;
    let id = parse_uuid(&id)?;
    let col = service::collection(&state, &c, id).await?;
    Ok(taxii_json(
        StatusCode::OK,
        collection_resource(&col).to_string(),
    ))
}

/// The filter a request's query asks for: `added_after`, `limit`, `next` and the `match[…]`
/// fields, each a comma-separated list; `versions` applies when `match[version]` is absent.
pub fn filter_of(query: Option<&str>, versions: Versions) -> Result<ObjectFilter, AppError> {
    let pairs: Vec<(String, String)> = serde_html_form::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::BadRequest("taxii.error.query"))?;
    let mut f = ObjectFilter {
        versions,
        limit: MAX_PAGE,
        ..Default::default()
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    for (name, value) in &pairs {
        match name.as_str() {
            "added_after" => {
                let t = Timestamp::parse(value.trim())
                    .map_err(|_| AppError::BadRequest("taxii.error.added_after"))?;
                f.added_after = Some(t.at());
            }
            "limit" => {
                let n: i64 = value
                    .trim()
                    .parse()
                    .map_err(|_| AppError::BadRequest("taxii.error.limit"))?;
                if n < 1 {
                    return Err(AppError::BadRequest("taxii.error.limit"));
                }
                f.limit = n.min(MAX_PAGE);
            }
            "next" => {
                f.after_seq = value
                    .trim()
                    .parse()
                    .map_err(|_| AppError::BadRequest("taxii.error.next"))?;
            }
            "match[id]" => f.ids.extend(list(value)),
            "match[type]" => f.types.extend(list(value)),
            "match[spec_version]" => f.spec_versions.extend(list(value)),
            "match[version]" => f.versions = versions_of(&list(value))?,
            // Fields this server does not filter on are not errors (TAXII 2.1, 3.5).
            _ => {}
        }
    }
    Ok(f)
}

fn versions_of(values: &[String]) -> Result<Versions, AppError> {
    let keyword = |k: &str| values.iter().any(|v| v == k);
    if keyword("all") || (keyword("first") && keyword("last")) {
        return Ok(Versions::All);
    }
    match values {
        [one] if one == "last" => Ok(Versions::Last),
        [one] if one == "first" => Ok(Versions::First),
        _ => values
            .iter()
            .map(|v| {
                Timestamp::parse(v)
                    .map(|t| version_text(t.at()))
                    .map_err(|_| AppError::BadRequest("taxii.error.version"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Versions::Exactly),
    }
}

/// The `X-TAXII-Date-Added-First/Last` headers of a page, and `next` when more follow.
fn paged(mut res: Response, rows: &[StoredObject]) -> Response {
    let h = res.headers_mut();
    for (name, row) in [
        ("x-taxii-date-added-first", rows.first()),
        ("x-taxii-date-added-last", rows.last()),
    ] {
        if let Some(v) = row.and_then(|r| HeaderValue::from_str(&taxii_date(r.added_at)).ok()) {
            h.insert(name, v);
        }
    }
    res
}

fn next_of(rows: &[StoredObject], more: bool) -> Option<String> {
    more.then(|| rows.last().map(|r| r.seq.to_string()))
        .flatten()
}

/// An envelope: the kept JSON of each object, as it is, without reading it again.
fn envelope(rows: &[StoredObject], more: bool) -> String {
    if rows.is_empty() {
        return json!({"more": false}).to_string();
    }
    let mut out = String::with_capacity(rows.iter().map(|r| r.body.len() + 1).sum::<usize>() + 64);
    out.push_str(&format!("{{\"more\":{more}"));
    if let Some(next) = next_of(rows, more) {
        out.push_str(&format!(",\"next\":\"{next}\""));
    }
    out.push_str(",\"objects\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&r.body);
    }
    out.push_str("]}");
    out
}

/// Sets a property of a JSON object when there is a value for it.
fn put(object: &mut Value, key: &str, value: Option<String>) {
    if let (Some(map), Some(v)) = (object.as_object_mut(), value) {
        map.insert(key.to_string(), Value::String(v));
    }
}

/// A version as shown: the kept one, or for an object with one version, when it was added.
fn shown_version(r: &StoredObject) -> String {
    if r.version.is_empty() {
        taxii_date(r.added_at)
    } else {
        r.version.clone()
    }
}

async fn page_of(
    state: &AppState,
    c: &BasicOrBearer,
    headers: &HeaderMap,
    id: &str,
    query: Option<&str>,
    object: Option<&str>,
    versions: Versions,
) -> Result<(Vec<StoredObject>, bool), Refused> {
    negotiate(headers)?;
    let id = parse_uuid(id)?;
    let mut f = filter_of(query, versions)?;
    if let Some(o) = object {
        f.ids = vec![o.to_string()];
    }
    Ok(service::objects(state, c, id, &f).await?)
}

async fn objects(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer {
    let (rows, more) = page_of(
        &state,
        &c,
        &headers,
        &id,
        q.as_deref(),
        None,
        Versions::Last,
    )
    .await?;
    Ok(paged(
        taxii_json(StatusCode::OK, envelope(&rows, more)),
        &rows,
    ))
}

/// The versions of one object the reader may see; an object it may see none of does not exist
/// for it.
async fn one_object(
    state: &AppState,
    c: &BasicOrBearer,
    headers: &HeaderMap,
    (id, object): &(String, String),
    query: Option<&str>,
    versions: Versions,
) -> Result<(Vec<StoredObject>, bool), Refused> {
    let (rows, more) = page_of(state, c, headers, id, query, Some(object), versions).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound.into());
    }
    Ok((rows, more))
}

async fn object(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(path): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let (rows, more) =
        one_object(&state, &c, &headers, &path, q.as_deref(), Versions::Last).await?;
    Ok(paged(
        taxii_json(StatusCode::OK, envelope(&rows, more)),
        &rows,
    ))
}

async fn manifest(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer {
    let (rows, more) = page_of(
        &state,
        &c,
        &headers,
        &id,
        q.as_deref(),
        None,
        Versions::Last,
    )
    .await?;
    let body = if rows.is_empty() {
        json!({"more": false})
    } else {
        let mut b = json!({
            "more": more,
            "objects": rows.iter().map(|r| json!({
                "id": r.object_id,
                "date_added": taxii_date(r.added_at),
                "version": shown_version(r),
                "media_type": STIX,
            })).collect::<Vec<_>>(),
        });
        put(&mut b, "next", next_of(&rows, more));
        b
    };
    Ok(paged(taxii_json(StatusCode::OK, body.to_string()), &rows))
}

async fn versions(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(path): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let (rows, more) = one_object(&state, &c, &headers, &path, q.as_deref(), Versions::All).await?;
    let mut body = json!({
        "more": more,
        "versions": rows.iter().map(shown_version).collect::<Vec<_>>(),
    });
    put(&mut body, "next", next_of(&rows, more));
    Ok(paged(taxii_json(StatusCode::OK, body.to_string()), &rows))
}

async fn delete_object(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path((id, object)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    negotiate(&headers)?;
    let id = parse_uuid(&id)?;
    let f = filter_of(q.as_deref(), Versions::All)?;
    service::delete(&state, &c, id, &object, &f.versions).await?;
    Ok(taxii_json(StatusCode::OK, String::new()))
}

/// Whether a request's body is a TAXII 2.1 resource.
fn is_taxii_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(media_type)
        .is_some_and(|m| m == "application/taxii+json;version=2.1" || m == "application/taxii+json")
}

async fn add_objects(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(id): Path<String>,
    req: Request,
) -> Answer {
    c.require(ShareThreatInformation)?;
    negotiate(&headers)?;
    let id = parse_uuid(&id)?;
    // Whether it may write is told before whether what it sent is right.
    let col = service::collection(&state, &c, id).await?;
    if !col.can_write {
        return Err(AppError::Forbidden.into());
    }
    if !is_taxii_body(&headers) {
        return Err(Refused::Status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    // Read only now: a caller that may not write never makes the server read its envelope.
    let body = axum::body::to_bytes(req.into_body(), MAX_ENVELOPE_BYTES)
        .await
        .map_err(|_| Refused::Status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let envelope: Value =
        serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("taxii.error.envelope"))?;
    let objects = match envelope.get("objects") {
        Some(Value::Array(list)) => list.as_slice(),
        None if envelope.is_object() => &[],
        _ => return Err(AppError::BadRequest("taxii.error.envelope").into()),
    };
    let status = service::submit(&state, &c, id, objects, &Audience::default(), false).await?;
    Ok(taxii_json(
        StatusCode::ACCEPTED,
        status_resource(&status).to_string(),
    ))
}

/// A status resource (TAXII 2.1, 4.3.1): every submission is complete when it is answered.
pub fn status_resource(s: &SubmissionStatus) -> Value {
    let read = |text: &str| -> Vec<Outcome> { serde_json::from_str(text).unwrap_or_default() };
    let detail = |o: &Outcome| {
        let mut d = json!({
            "id": o.id,
            "version": o.version.clone().unwrap_or_else(|| taxii_date(s.request_timestamp)),
        });
        put(&mut d, "message", o.message.clone());
        d
    };
    let successes = read(&s.successes);
    let failures = read(&s.failures);
    json!({
        "id": s.id,
        "status": "complete",
        "request_timestamp": taxii_date(s.request_timestamp),
        "total_count": s.total_count,
        "success_count": successes.len(),
        "successes": successes.iter().map(detail).collect::<Vec<_>>(),
        "failure_count": failures.len(),
        "failures": failures.iter().map(detail).collect::<Vec<_>>(),
        "pending_count": 0,
        "pendings": [],
    })
}

async fn status(
    State(state): State<AppState>,
    c: BasicOrBearer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    negotiate(&headers)?;
    let id = parse_uuid(&id)?;
    let s = service::status(&state, &c, id).await?;
    Ok(taxii_json(StatusCode::OK, status_resource(&s).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_takes_taxii_2_1_and_wildcards_and_nothing_else() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(v).expect("header"));
            accepts_taxii(&h)
        };
        assert!(with("application/taxii+json;version=2.1"));
        assert!(with("application/taxii+json; version=2.1"));
        assert!(with("text/html, */*;q=0.1"));
        assert!(!with("application/taxii+json;version=2.0"));
        assert!(!with("application/json"));
        assert!(accepts_taxii(&HeaderMap::new()));
    }

    #[test]
    fn the_query_names_the_filter() {
        let f = filter_of(
            Some("match[type]=indicator,malware&match[version]=all&limit=5000&next=42&added_after=2026-01-01T00:00:00Z"),
            Versions::Last,
        )
        .expect("filter");
        assert_eq!(f.types, ["indicator", "malware"]);
        assert_eq!(f.versions, Versions::All);
        assert_eq!((f.limit, f.after_seq), (MAX_PAGE, 42));
        assert!(f.added_after.is_some());
        let exact = filter_of(
            Some("match[version]=2026-01-01T00:00:00.5Z"),
            Versions::Last,
        )
        .expect("exact");
        assert_eq!(
            exact.versions,
            Versions::Exactly(vec!["2026-01-01T00:00:00.500Z".into()])
        );
        for bad in [
            "limit=0",
            "next=x",
            "added_after=yesterday",
            "match[version]=soon",
        ] {
            assert!(filter_of(Some(bad), Versions::Last).is_err(), "{bad}");
        }
    }
}
