//! The sharing hub's part of the JSON API: collections, their grants, their objects and the
//! status of each submission. The same service as TAXII and the pages decides what each caller
//! may see; this API adds what TAXII cannot say, such as whom an AMBER or RED object is for.

use super::service;
use super::taxii::{MAX_PAGE, status_resource};
use crate::core::api::{ErrorOut, JsonBody, created, no_content};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{Json, Response};
use chrono::{DateTime, Utc};
use mamori_domain::validate::Problem;
use mamori_store::{Audience, Collection, ObjectFilter, Versions};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stix::Tlp;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A collection as the caller's organisation reaches it.
#[derive(Serialize, ToSchema)]
pub struct CollectionOut {
    id: Uuid,
    title: String,
    description: String,
    /// The TLP level of objects shared without a marking: `clear`, `green`, `amber`, `amber+strict`, `red`.
    default_tlp: String,
    /// Whether the caller's organisation keeps it.
    kept: bool,
    can_read: bool,
    can_write: bool,
    created_at: DateTime<Utc>,
}

impl CollectionOut {
    fn of(c: &Collection, org: Uuid) -> CollectionOut {
        CollectionOut {
            id: c.id,
            title: c.title.clone(),
            description: c.description.clone(),
            default_tlp: c.default_tlp.clone(),
            kept: c.org_id == org,
            can_read: c.can_read,
            can_write: c.can_write,
            created_at: c.created_at,
        }
    }
}

/// The collections the caller's organisation keeps or was granted.
#[utoipa::path(get, path = "/api/v1/sharing/collections", tag = "sharing",
    responses((status = 200, body = Vec<CollectionOut>)), security(("token" = ["view_sharing"])))]
pub async fn collections(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<CollectionOut>>, AppError> {
    let all = service::collections(&state, &c).await?;
    Ok(Json(
        all.iter().map(|x| CollectionOut::of(x, c.org.id)).collect(),
    ))
}

/// A new collection.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CollectionIn {
    title: String,
    description: String,
    /// `clear`, `green`, `amber` (when absent), `amber+strict` or `red`.
    default_tlp: Option<String>,
}

/// The TLP level a code names, or a fault on `field`.
fn tlp_of(code: Option<&str>, field: &str) -> Result<Tlp, AppError> {
    match code {
        None => Ok(Tlp::Amber),
        Some(c) => Tlp::from_code(&c.to_ascii_lowercase())
            .ok_or_else(|| AppError::Invalid(Problem::field(field, "sharing.error.tlp"))),
    }
}

/// Makes a collection kept by the caller's organisation.
#[utoipa::path(post, path = "/api/v1/sharing/collections", tag = "sharing", request_body = CollectionIn,
    responses((status = 201, body = CollectionOut)), security(("token" = ["manage_collections"])))]
pub async fn create_collection(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<CollectionIn>,
) -> Result<Response, AppError> {
    let tlp = tlp_of(b.default_tlp.as_deref(), "default_tlp")?;
    let id = service::create_collection(&state, &c, &b.title, &b.description, tlp).await?;
    let col = service::collection(&state, &c, id).await?;
    Ok(created(CollectionOut::of(&col, c.org.id)))
}

/// One collection the caller's organisation reaches.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = CollectionOut)), security(("token" = ["view_sharing"])))]
pub async fn collection(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<CollectionOut>, AppError> {
    let col = service::collection(&state, &c, id).await?;
    Ok(Json(CollectionOut::of(&col, c.org.id)))
}

/// What another organisation may do with a collection.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GrantIn {
    pub(crate) can_read: bool,
    pub(crate) can_write: bool,
}

/// Grants an organisation reading and/or writing of a collection the caller's organisation
/// keeps; both false takes the grant back.
#[utoipa::path(put, path = "/api/v1/sharing/collections/{id}/grants/{org}", tag = "sharing",
    params(("id" = Uuid, Path), ("org" = Uuid, Path)), request_body = GrantIn,
    responses((status = 204, description = "Granted")), security(("token" = ["manage_collections"])))]
pub async fn grant(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, org)): Path<(Uuid, Uuid)>,
    JsonBody(b): JsonBody<GrantIn>,
) -> Result<Response, AppError> {
    service::grant(&state, &c, id, org, b.can_read, b.can_write).await?;
    Ok(no_content())
}

/// Which objects: by type, after a place, how many.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ObjectsQuery {
    /// Only objects of this STIX type (`indicator`, `report`, …).
    r#type: Option<String>,
    /// Every version, not only the newest the caller may see.
    all_versions: bool,
    /// The `next` of the previous page.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// At most this many (1–1000, 100 when absent).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// An object version the caller may see.
#[derive(Serialize, ToSchema)]
pub struct ObjectOut {
    /// `type--UUID`.
    id: String,
    r#type: String,
    version: String,
    /// The TLP level it was shared under.
    tlp: String,
    /// Whether the caller's organisation shared it.
    shared_by_us: bool,
    /// Who shared it: the organisation's id, absent when it shared anonymously (to all but the
    /// collection's keeper).
    shared_by: Option<Uuid>,
    date_added: DateTime<Utc>,
    /// The STIX object.
    #[schema(value_type = Object)]
    object: Value,
}

/// A page of objects.
#[derive(Serialize, ToSchema)]
pub struct ObjectsOut {
    objects: Vec<ObjectOut>,
    /// Give as `after` for the next page; absent on the last.
    next: Option<i64>,
}

/// The objects of a collection that the caller may see, oldest first.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}/objects", tag = "sharing",
    params(("id" = Uuid, Path), ObjectsQuery),
    responses((status = 200, body = ObjectsOut), (status = 422, body = ErrorOut, description = "`limit` or `after` out of range.")),
    security(("token" = ["view_sharing"])))]
pub async fn objects(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    Query(q): Query<ObjectsQuery>,
) -> Result<Json<ObjectsOut>, AppError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(Problem::field("limit", "error.page")));
    }
    let f = ObjectFilter {
        types: q.r#type.into_iter().collect(),
        versions: if q.all_versions {
            Versions::All
        } else {
            Versions::Last
        },
        after_seq: match q.after {
            Some(a) if a < 0 => {
                return Err(AppError::Invalid(Problem::field("after", "error.page")));
            }
            a => a.unwrap_or(0),
        },
        limit,
        ..Default::default()
    };
    let col = service::collection(&state, &c, id).await?;
    let (rows, more) = service::objects(&state, &c, id, &f).await?;
    let next = more.then(|| rows.last().map(|r| r.seq)).flatten();
    Ok(Json(ObjectsOut {
        objects: rows
            .into_iter()
            .map(|r| ObjectOut {
                shared_by: service::sharer_shown(&r, &col, c.org.id),
                object: serde_json::from_str(&r.body).unwrap_or(Value::Null),
                id: r.object_id,
                r#type: r.object_type,
                version: r.version,
                tlp: r.tlp,
                shared_by_us: r.added_by_org == c.org.id,
                date_added: r.added_at,
            })
            .collect(),
        next,
    }))
}

/// Objects to share (a STIX bundle is one), and for AMBER, AMBER+STRICT and RED whom they are for.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ShareIn {
    /// STIX 2.1 objects.
    #[schema(value_type = Vec<Object>)]
    objects: Vec<Value>,
    /// Organisations an AMBER or AMBER+STRICT object is for (besides the collection's keeper);
    /// each must read the collection.
    audience_orgs: Vec<Uuid>,
    /// Groups an AMBER object is for (never AMBER+STRICT, which is for named organisations
    /// only); each must be granted reading of the collection.
    audience_groups: Vec<Uuid>,
    /// People a RED object is for; each must be of an organisation that reads the collection.
    audience_users: Vec<Uuid>,
    /// Other members are not shown who shared (the collection's keeper still is).
    anonymous: bool,
}

/// How a submission fared: a TAXII 2.1 status resource.
#[derive(Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct StatusOut(Value);

/// Shares objects into a collection; each invalid one is refused with why, the others are kept.
#[utoipa::path(post, path = "/api/v1/sharing/collections/{id}/objects", tag = "sharing",
    params(("id" = Uuid, Path)), request_body = ShareIn,
    responses((status = 201, body = StatusOut), (status = 403, body = ErrorOut)),
    security(("token" = ["share_threat_information"])))]
pub async fn share(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<ShareIn>,
) -> Result<Response, AppError> {
    // The document says objects; TAXII reports a stray value as a failure, the API refuses it.
    if !b.objects.iter().all(Value::is_object) {
        return Err(AppError::Invalid(Problem::field(
            "objects",
            "sharing.error.not_objects",
        )));
    }
    let audience = Audience {
        orgs: b.audience_orgs,
        groups: b.audience_groups,
        users: b.audience_users,
    };
    let status = service::share_objects(&state, &c, id, &b.objects, &audience, b.anonymous).await?;
    Ok(created(StatusOut(status_resource(&status))))
}

/// The status of a submission by the caller's organisation.
#[utoipa::path(get, path = "/api/v1/sharing/statuses/{id}", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusOut)), security(("token" = ["view_sharing"])))]
pub async fn status(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<StatusOut>, AppError> {
    let s = service::status(&state, &c, id).await?;
    Ok(Json(StatusOut(status_resource(&s))))
}

/// What an export is written as.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ExportQuery {
    /// `stix` (a STIX 2.1 bundle, when absent) or `text` (the indicator values, one a line).
    format: Option<String>,
}

/// A collection's objects the caller may see, RED left out, as a STIX bundle or a plain list.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}/export", tag = "sharing",
    params(("id" = Uuid, Path), ExportQuery),
    responses((status = 200, description = "The bundle or the list",
        content((Object = "application/stix+json;version=2.1"), (String = "text/plain"))),
        (status = 422, body = ErrorOut, description = "An unknown `format`.")),
    security(("token" = ["view_sharing"])))]
pub async fn export(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let objects = service::exportable(&state, &c, id).await?;
    match q.format.as_deref().unwrap_or("stix") {
        "stix" => Ok((
            [(header::CONTENT_TYPE, "application/stix+json;version=2.1")],
            service::bundle_of(&objects),
        )
            .into_response()),
        "text" => {
            let mut text = service::plain_values(&objects).join("\n");
            text.push('\n');
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
        }
        _ => Err(AppError::Invalid(Problem::field(
            "format",
            "sharing.error.format",
        ))),
    }
}

/// A sighting of an indicator.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SightingIn {
    /// The indicator's id (`indicator--…`).
    indicator: String,
    /// How many times (1 when absent).
    #[schema(minimum = 1, maximum = 999999999)]
    count: Option<u32>,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
}

/// Says "we saw this too": a STIX sighting of an indicator of the collection, under the
/// indicator's TLP level, naming no one.
#[utoipa::path(post, path = "/api/v1/sharing/collections/{id}/sightings", tag = "sharing",
    params(("id" = Uuid, Path)), request_body = SightingIn,
    responses((status = 201, body = StatusOut), (status = 404, body = ErrorOut, description = "No such indicator the caller may see.")),
    security(("token" = ["share_threat_information"])))]
pub async fn sight(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
    JsonBody(b): JsonBody<SightingIn>,
) -> Result<Response, AppError> {
    let d = service::SightingDraft {
        indicator: b.indicator,
        count: b.count,
        first_seen: b.first_seen,
        last_seen: b.last_seen,
    };
    let status = service::sight(&state, &c, id, &d).await?;
    Ok(created(StatusOut(status_resource(&status))))
}

/// How many institutions saw an indicator.
#[derive(Serialize, ToSchema)]
pub struct SightedOut {
    indicator: String,
    /// Distinct institutions (never named).
    institutions: usize,
    /// Times seen in all.
    count: u64,
}

/// The sightings of the collection's indicators that the caller may see, counted.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}/sightings", tag = "sharing",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SightedOut>)), security(("token" = ["view_sharing"])))]
pub async fn sightings(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<SightedOut>>, AppError> {
    let all = service::sightings(&state, &c, id).await?;
    Ok(Json(
        all.into_iter()
            .map(|(indicator, s)| SightedOut {
                indicator,
                institutions: s.institutions,
                count: s.count,
            })
            .collect(),
    ))
}

/// A TAXII 2.1 feed pulled into a collection.
#[derive(Serialize, ToSchema)]
pub struct FeedOut {
    id: Uuid,
    title: String,
    /// The local collection it fills.
    collection_id: Uuid,
    api_root_url: String,
    remote_collection: String,
    /// User name for HTTP Basic; empty when a Bearer token is used. The secret is never shown.
    username: String,
    interval_minutes: i64,
    /// Where the last pull stopped (the remote's date_added).
    added_after: Option<String>,
    next_run_at: DateTime<Utc>,
    last_run_at: Option<DateTime<Utc>>,
    /// Pulls failed in a row, and why the last one failed.
    failures: i64,
    last_error: String,
    imported_total: i64,
}

impl From<mamori_store::Feed> for FeedOut {
    fn from(f: mamori_store::Feed) -> Self {
        FeedOut {
            id: f.id,
            title: f.title,
            collection_id: f.collection_id,
            api_root_url: f.api_root_url,
            remote_collection: f.remote_collection,
            username: f.username,
            interval_minutes: f.interval_minutes,
            added_after: f.added_after,
            next_run_at: f.next_run_at,
            last_run_at: f.last_run_at,
            failures: f.failures,
            last_error: f.last_error,
            imported_total: f.imported_total,
        }
    }
}

/// The organisation's feeds.
#[utoipa::path(get, path = "/api/v1/sharing/feeds", tag = "sharing",
    responses((status = 200, body = Vec<FeedOut>)), security(("token" = ["manage_collections"])))]
pub async fn feeds(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<FeedOut>>, AppError> {
    let all = super::feeds::feeds(&state, &c).await?;
    Ok(Json(all.into_iter().map(FeedOut::from).collect()))
}

/// A feed to set up.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FeedIn {
    /// The local collection (kept by the caller's organisation) it fills.
    collection_id: Uuid,
    title: String,
    /// The remote API root, e.g. `https://isac.example.jp/taxii2/hub/`.
    api_root_url: String,
    remote_collection: String,
    /// For HTTP Basic; leave empty to send the secret as a Bearer token.
    username: String,
    secret: String,
    /// Minutes between pulls, 5 to 10080 (60 when absent).
    #[schema(minimum = 5, maximum = 10080)]
    interval_minutes: Option<i64>,
}

/// Sets up a feed; its first pull is due at once.
#[utoipa::path(post, path = "/api/v1/sharing/feeds", tag = "sharing", request_body = FeedIn,
    responses((status = 201, body = FeedOut), (status = 404, body = ErrorOut, description = "No such collection kept by the caller's organisation.")),
    security(("token" = ["manage_collections"])))]
pub async fn add_feed(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<FeedIn>,
) -> Result<Response, AppError> {
    let d = super::feeds::FeedDraft {
        collection_id: b.collection_id,
        title: b.title,
        api_root_url: b.api_root_url,
        remote_collection: b.remote_collection,
        username: b.username,
        secret: b.secret,
        interval_minutes: b.interval_minutes.unwrap_or(60),
    };
    let id = super::feeds::add_feed(&state, &c, &d).await?;
    let feed = state.store.feed(c.org.id, id).await?;
    Ok(created(FeedOut::from(feed)))
}

/// How a pull went.
#[derive(Serialize, ToSchema)]
pub struct FeedRunOut {
    started_at: DateTime<Utc>,
    imported: i64,
    /// Already kept, invalid, or TLP:RED (never passed on).
    skipped: i64,
    /// Empty when it worked.
    error: String,
}

impl From<mamori_store::FeedRun> for FeedRunOut {
    fn from(r: mamori_store::FeedRun) -> Self {
        FeedRunOut {
            started_at: r.started_at,
            imported: r.imported,
            skipped: r.skipped,
            error: r.error,
        }
    }
}

/// Pulls a feed now and says how it went.
#[utoipa::path(post, path = "/api/v1/sharing/feeds/{id}/pull", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedRunOut)), security(("token" = ["manage_collections"])))]
pub async fn pull_feed(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<FeedRunOut>, AppError> {
    Ok(Json(super::feeds::pull_now(&state, &c, id).await?.into()))
}

/// A feed's latest pulls, newest first.
#[utoipa::path(get, path = "/api/v1/sharing/feeds/{id}/runs", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<FeedRunOut>)), security(("token" = ["manage_collections"])))]
pub async fn feed_runs(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<FeedRunOut>>, AppError> {
    c.require(mamori_domain::authz::Permission::ManageCollections)?;
    state.store.feed(c.org.id, id).await?;
    let runs = state.store.feed_runs(c.org.id, id, 50).await?;
    Ok(Json(runs.into_iter().map(FeedRunOut::from).collect()))
}

/// A device of the caller's ledger an alert concerns.
#[derive(Serialize, ToSchema)]
pub struct AlertDeviceOut {
    /// Its name (empty when the caller may not see the ledger).
    name: String,
    /// Its version is affected (false: the version could not be checked).
    version_matched: bool,
    /// Why it matched.
    why: String,
}

/// A product an alert concerns.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AffectedOut {
    vendor: String,
    product: String,
    /// The first fixed version; absent: every version.
    fixed_in: Option<String>,
}

/// An alert as the caller's organisation received (or published) it.
#[derive(Serialize, ToSchema)]
pub struct AlertOut {
    id: Uuid,
    collection_id: Uuid,
    title: String,
    /// `critical`, `high`, `medium`, `info`.
    severity: String,
    summary: String,
    actions: String,
    affected: Vec<AffectedOut>,
    due_on: Option<chrono::NaiveDate>,
    published_at: DateTime<Utc>,
    /// Published by the caller's organisation.
    own: bool,
    acknowledged_at: Option<DateTime<Utc>>,
    /// The caller's devices it concerns.
    devices: Vec<AlertDeviceOut>,
}

impl From<super::alerts::AlertView> for AlertOut {
    fn from(v: super::alerts::AlertView) -> Self {
        AlertOut {
            id: v.alert.id,
            collection_id: v.alert.collection_id,
            title: v.alert.title,
            severity: v.severity.code().to_string(),
            summary: v.alert.summary,
            actions: v.alert.actions,
            affected: v
                .products
                .into_iter()
                .map(|p| AffectedOut {
                    vendor: p.vendor,
                    product: p.product,
                    fixed_in: p.fixed_in,
                })
                .collect(),
            due_on: v.alert.due_on,
            published_at: v.alert.published_at,
            own: v.own,
            acknowledged_at: v.alert.acknowledged_at,
            devices: v
                .devices
                .into_iter()
                .map(|d| AlertDeviceOut {
                    name: d.name,
                    version_matched: d.version_matched,
                    why: d.why,
                })
                .collect(),
        }
    }
}

/// The alerts the caller's organisation reaches, newest first, read against its ledger.
#[utoipa::path(get, path = "/api/v1/sharing/alerts", tag = "sharing",
    responses((status = 200, body = Vec<AlertOut>)), security(("token" = ["view_sharing"])))]
pub async fn alerts(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<AlertOut>>, AppError> {
    let all = super::alerts::alerts(&state, &c).await?;
    Ok(Json(all.into_iter().map(AlertOut::from).collect()))
}

/// An alert to publish.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AlertIn {
    /// The collection (kept by the caller's organisation) whose members receive it.
    collection_id: Option<Uuid>,
    title: String,
    summary: String,
    actions: String,
    /// `critical`, `high`, `medium` or `info`.
    severity: String,
    affected: Vec<AffectedOut>,
    /// `YYYY-MM-DD`.
    due_on: Option<String>,
}

/// Publishes an alert to the members of a collection.
#[utoipa::path(post, path = "/api/v1/sharing/alerts", tag = "sharing", request_body = AlertIn,
    responses((status = 201, body = AlertOut), (status = 404, body = ErrorOut, description = "No such collection kept by the caller's organisation.")),
    security(("token" = ["manage_collections"])))]
pub async fn publish_alert(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<AlertIn>,
) -> Result<Response, AppError> {
    let products: Vec<mamori_domain::alert::AffectedProduct> = b
        .affected
        .into_iter()
        .map(|p| mamori_domain::alert::AffectedProduct {
            vendor: p.vendor,
            product: p.product,
            fixed_in: p.fixed_in.filter(|f| !f.trim().is_empty()),
        })
        .collect();
    let d = super::alerts::AlertDraft {
        collection_id: b.collection_id,
        title: b.title,
        summary: b.summary,
        actions: b.actions,
        severity: b.severity,
        affected: mamori_domain::alert::affected_text(&products),
        due_on: b.due_on.unwrap_or_default(),
    };
    let id = super::alerts::publish(&state, &c, &d).await?;
    Ok(created(AlertOut::from(
        super::alerts::alert(&state, &c, id).await?,
    )))
}

/// Records that the caller's organisation read an alert.
#[utoipa::path(post, path = "/api/v1/sharing/alerts/{id}/ack", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Acknowledged")), security(("token" = ["view_sharing"])))]
pub async fn acknowledge_alert(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    super::alerts::acknowledge(&state, &c, id).await?;
    Ok(no_content())
}

/// A member organisation's acknowledgement of an alert.
#[derive(Serialize, ToSchema)]
pub struct AckOut {
    org: Uuid,
    name: String,
    /// Absent: not yet.
    acknowledged_at: Option<DateTime<Utc>>,
}

/// For the publisher: which member organisations acknowledged an alert, and which did not.
#[utoipa::path(get, path = "/api/v1/sharing/alerts/{id}/acks", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AckOut>)), security(("token" = ["view_sharing"])))]
pub async fn alert_acks(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<AckOut>>, AppError> {
    let rows = super::alerts::acknowledgements(&state, &c, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(org, name, acknowledged_at)| AckOut {
                org,
                name,
                acknowledged_at,
            })
            .collect(),
    ))
}

/// What an incident's indicators are shared as.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DraftIn {
    /// The incident they come from (the caller's organisation's).
    incident_id: Option<Uuid>,
    /// The collection to share into.
    collection_id: Option<Uuid>,
    title: String,
    summary: String,
    /// Indicator values, one a line.
    values: String,
    /// The malware family they indicate, if known.
    malware: String,
    /// `clear`, `green`, `amber` or `amber+strict`.
    tlp: String,
    /// Share under an anonymous identity.
    anonymous: bool,
}

/// A draft of what will be shared.
#[derive(Serialize, ToSchema)]
pub struct DraftOut {
    id: Uuid,
    title: String,
    tlp: String,
    anonymous: bool,
    /// `draft` or `published`.
    status: String,
    created_by: String,
    approved_by: Option<String>,
    /// The STIX objects exactly as they will be sent.
    #[schema(value_type = Vec<Object>)]
    objects: Vec<Value>,
    /// Lines of free text to check for personal data.
    #[schema(value_type = Vec<Object>)]
    flagged: Vec<Value>,
}

impl From<super::drafts::DraftView> for DraftOut {
    fn from(v: super::drafts::DraftView) -> Self {
        DraftOut {
            id: v.draft.id,
            title: v.draft.title,
            tlp: v.draft.tlp,
            anonymous: v.draft.anonymous,
            status: v.draft.status,
            created_by: v.draft.created_by,
            approved_by: v.draft.approved_by,
            objects: v.objects,
            flagged: v
                .flagged
                .iter()
                .map(|f| serde_json::to_value(f).unwrap_or_default())
                .collect(),
        }
    }
}

/// Drafts a STIX report from an incident's indicators, to be approved by a second person.
#[utoipa::path(post, path = "/api/v1/sharing/drafts", tag = "sharing", request_body = DraftIn,
    responses((status = 201, body = DraftOut), (status = 404, body = ErrorOut, description = "No such collection or incident."), (status = 403, body = ErrorOut)),
    security(("token" = ["share_threat_information"])))]
pub async fn create_draft(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<DraftIn>,
) -> Result<Response, AppError> {
    let d = super::drafts::DraftInput {
        incident_id: b.incident_id,
        collection_id: b.collection_id,
        title: b.title,
        summary: b.summary,
        values: b.values,
        malware: b.malware,
        tlp: b.tlp,
        anonymous: b.anonymous,
    };
    let id = super::drafts::create(&state, &c, &d).await?;
    Ok(created(DraftOut::from(
        super::drafts::draft(&state, &c, id).await?,
    )))
}

/// A draft, with exactly what will be sent.
#[utoipa::path(get, path = "/api/v1/sharing/drafts/{id}", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = DraftOut)), security(("token" = ["share_threat_information"])))]
pub async fn draft(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<DraftOut>, AppError> {
    Ok(Json(super::drafts::draft(&state, &c, id).await?.into()))
}

/// Approves a draft and shares it: by someone other than its author.
#[utoipa::path(post, path = "/api/v1/sharing/drafts/{id}/approve", tag = "sharing", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusOut), (status = 409, body = ErrorOut)),
    security(("token" = ["share_threat_information"])))]
pub async fn approve_draft(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<StatusOut>, AppError> {
    let status = super::drafts::approve(&state, &c, id).await?;
    Ok(Json(StatusOut(status_resource(&status))))
}
