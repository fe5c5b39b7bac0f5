//! The hub's pages: the collections a member reaches, each with what was shared there recently
//! under its TLP label, a search by value across everything the member may see, sharing one
//! value as an indicator, and for the keeper, who may read and write.

use super::groups;
use super::service::{self, ValueShare};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::authz::Permission::{ManageCollections, ShareThreatInformation};
use mamori_domain::clock::format_jst;
use mamori_domain::validate::Problem;
use mamori_store::{Collection, ObjectFilter, StoredObject, Versions};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use stix::Tlp;
use uuid::Uuid;

/// A TLP level as a label: its name and the class that colours it as FIRST's standard says.
pub struct TlpLabel {
    /// `TLP:AMBER+STRICT`.
    pub name: &'static str,
    /// `tlp-amber-strict`.
    pub class: &'static str,
}

impl TlpLabel {
    fn of(code: &str) -> TlpLabel {
        let tlp = Tlp::from_code(code).unwrap_or(Tlp::Red);
        TlpLabel {
            name: tlp.name(),
            class: match tlp {
                Tlp::Clear => "tlp-clear",
                Tlp::Green => "tlp-green",
                Tlp::Amber => "tlp-amber",
                Tlp::AmberStrict => "tlp-amber-strict",
                Tlp::Red => "tlp-red",
            },
        }
    }
}

/// The levels a page offers, widest first.
fn levels() -> Vec<(&'static str, TlpLabel)> {
    Tlp::ALL
        .iter()
        .map(|t| (t.code(), TlpLabel::of(t.code())))
        .collect()
}

/// A shared object as a row of a page.
pub struct ObjectRow {
    /// `type--UUID`.
    pub id: String,
    /// The STIX type.
    pub kind: String,
    /// Its name, or its value.
    pub title: String,
    /// Its pattern, or what else says what it is.
    pub detail: String,
    /// Its TLP label.
    pub tlp: TlpLabel,
    /// Who shared it, as this reader may know it (empty: an anonymous member).
    pub shared_by: String,
    /// When the collection received it, in Japan's time.
    pub added: String,
    /// How many institutions reported seeing it, and how many times.
    pub sighted: service::Sighted,
}

fn row(o: &StoredObject, shared_by: Option<Uuid>, names: &HashMap<Uuid, String>) -> ObjectRow {
    let body: Value = serde_json::from_str(&o.body).unwrap_or(Value::Null);
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let title = [text("name"), text("value"), text("abstract")]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or(&o.object_id)
        .to_string();
    let detail = [text("pattern"), text("description"), text("content")]
        .into_iter()
        .find(|t| !t.is_empty())
        .map(|t| t.chars().take(300).collect())
        .unwrap_or_default();
    ObjectRow {
        id: o.object_id.clone(),
        kind: o.object_type.clone(),
        title,
        detail,
        tlp: TlpLabel::of(&o.tlp),
        shared_by: shared_by
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default(),
        added: format_jst(o.added_at),
        sighted: service::Sighted::default(),
    }
}

async fn org_names(state: &AppState) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(state
        .store
        .org_directory()
        .await?
        .into_iter()
        .map(|o| (o.id, o.profile.name))
        .collect())
}

#[derive(Template)]
#[template(path = "sharing.html")]
struct HubPage {
    page: Page,
    collections: Vec<(Collection, TlpLabel)>,
    my_org: Uuid,
    can_create: bool,
    levels: Vec<(&'static str, TlpLabel)>,
    title: String,
    description: String,
    default_tlp: String,
    errors: Problem,
    feeds: Vec<FeedRow>,
    keeps_any: bool,
    feed: FeedForm,
    feed_errors: Problem,
}

/// A feed as a row of the hub page.
pub struct FeedRow {
    id: Uuid,
    title: String,
    remote: String,
    collection: String,
    last_run: String,
    next_run: String,
    failures: i64,
    last_error: String,
    imported_total: i64,
}

fn hub_page(
    s: &SignedIn,
    collections: Vec<Collection>,
    form: CollectionForm,
    errors: Problem,
) -> HubPage {
    HubPage {
        keeps_any: collections.iter().any(|c| c.org_id == s.org.id),
        feeds: Vec::new(),
        feed: FeedForm::default(),
        feed_errors: Problem::new(vec![]),
        page: Page::signed_in(s, "sharing.title", "/sharing"),
        collections: collections
            .into_iter()
            .map(|c| {
                let l = TlpLabel::of(&c.default_tlp);
                (c, l)
            })
            .collect(),
        my_org: s.org.id,
        can_create: s.actor.can(ManageCollections),
        levels: levels(),
        title: form.title,
        description: form.description,
        default_tlp: if form.default_tlp.is_empty() {
            "amber".into()
        } else {
            form.default_tlp
        },
        errors,
    }
}

/// The hub page with the organisation's feeds, for those who keep collections.
async fn with_feeds(
    state: &AppState,
    s: &SignedIn,
    mut page: HubPage,
) -> Result<HubPage, AppError> {
    if !s.actor.can(ManageCollections) {
        return Ok(page);
    }
    let titles: HashMap<Uuid, String> = page
        .collections
        .iter()
        .map(|(c, _)| (c.id, c.title.clone()))
        .collect();
    page.feeds = super::feeds::feeds(state, s)
        .await?
        .into_iter()
        .map(|f| FeedRow {
            id: f.id,
            remote: format!("{} {}", f.api_root_url, f.remote_collection),
            collection: titles.get(&f.collection_id).cloned().unwrap_or_default(),
            last_run: f.last_run_at.map(format_jst).unwrap_or_default(),
            next_run: format_jst(f.next_run_at),
            failures: f.failures,
            last_error: f.last_error,
            imported_total: f.imported_total,
            title: f.title,
        })
        .collect();
    Ok(page)
}

/// The collections the organisation reaches, and its feeds.
pub async fn index(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let all = service::collections(&state, &s).await?;
    let page = hub_page(&s, all, CollectionForm::default(), Problem::new(vec![]));
    render(&with_feeds(&state, &s, page).await?)
}

/// A feed as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedForm {
    csrf: String,
    collection_id: Option<Uuid>,
    title: String,
    api_root_url: String,
    remote_collection: String,
    username: String,
    secret: String,
    interval_minutes: String,
}

/// Sets up a feed; a fault keeps what was typed (but the secret).
pub async fn add_feed(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<FeedForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let d = super::feeds::FeedDraft {
        collection_id: f.collection_id.unwrap_or_default(),
        title: f.title.clone(),
        api_root_url: f.api_root_url.clone(),
        remote_collection: f.remote_collection.clone(),
        username: f.username.clone(),
        secret: f.secret.clone(),
        interval_minutes: f.interval_minutes.trim().parse().unwrap_or(0),
    };
    match super::feeds::add_feed(&state, &s, &d).await {
        Ok(_) => Ok(see_other("/sharing#feeds")),
        Err(AppError::Invalid(p)) => {
            let all = service::collections(&state, &s).await?;
            let mut page = hub_page(&s, all, CollectionForm::default(), Problem::new(vec![]));
            page = with_feeds(&state, &s, page).await?;
            page.feed = FeedForm {
                secret: String::new(),
                ..f
            };
            page.feed_errors = p;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// A form with only its token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    pub(crate) csrf: String,
}

/// Pulls a feed now.
pub async fn pull_feed(
    State(state): State<AppState>,
    s: SignedIn,
    Path(feed): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    super::feeds::pull_now(&state, &s, feed).await?;
    Ok(see_other("/sharing#feeds"))
}

/// A new collection as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CollectionForm {
    csrf: String,
    title: String,
    description: String,
    default_tlp: String,
}

/// Makes a collection; a fault keeps what was typed.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CollectionForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let tlp = Tlp::from_code(&f.default_tlp);
    let made = match tlp {
        Some(t) => service::create_collection(&state, &s, &f.title, &f.description, t).await,
        None => Err(AppError::BadRequest("sharing.error.tlp")),
    };
    match made {
        Ok(id) => Ok(see_other(&format!("/sharing/{id}"))),
        Err(AppError::BadRequest(key)) => {
            let field = if key == "sharing.error.tlp" {
                "default_tlp"
            } else {
                "title"
            };
            let all = service::collections(&state, &s).await?;
            let page = hub_page(&s, all, f, Problem::field(field, key));
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &with_feeds(&state, &s, page).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "sharing_collection.html")]
struct CollectionPage {
    page: Page,
    c: Collection,
    default_label: TlpLabel,
    kept: bool,
    rows: Vec<ObjectRow>,
    can_share: bool,
    can_grant: bool,
    grants: Vec<(Uuid, String, bool, bool)>,
    others: Vec<(Uuid, String)>,
    group_grants: Vec<mamori_store::GroupGrant>,
    own_groups: Vec<(Uuid, String)>,
    amber_orgs: Vec<(Uuid, String)>,
    amber_groups: Vec<(Uuid, String)>,
    red_people: Vec<(Uuid, String)>,
    levels: Vec<(&'static str, TlpLabel)>,
    share: ValueShare,
    errors: Problem,
    shared: Option<String>,
}

/// What a collection page shows after a share: how many of it were kept.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CollectionQuery {
    shared: Option<String>,
}

async fn collection_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    share: ValueShare,
    errors: Problem,
    shared: Option<String>,
) -> Result<CollectionPage, AppError> {
    let c = service::collection(state, s, id).await?;
    let names = org_names(state).await?;
    let rows = if c.can_read {
        let f = ObjectFilter {
            versions: Versions::Last,
            newest_first: true,
            limit: 100,
            ..Default::default()
        };
        let (objects, _) = service::objects(state, s, id, &f).await?;
        let sighted = service::sightings(state, s, id).await?;
        objects
            .iter()
            .map(|o| ObjectRow {
                sighted: sighted.get(&o.object_id).copied().unwrap_or_default(),
                ..row(o, service::sharer_shown(o, &c, s.org.id), &names)
            })
            .collect()
    } else {
        Vec::new()
    };
    let kept = c.org_id == s.org.id;
    let can_grant = kept && s.actor.can(ManageCollections);
    let grants = if kept {
        state
            .store
            .collection_grants(s.org.id, id)
            .await?
            .into_iter()
            .map(|(org, r, w)| (org, names.get(&org).cloned().unwrap_or_default(), r, w))
            .collect()
    } else {
        Vec::new()
    };
    // Only the keeper, who grants, sees the installation's other organisations.
    let mut others: Vec<(Uuid, String)> = names
        .iter()
        .filter(|(org, _)| can_grant && **org != s.org.id)
        .map(|(org, name)| (*org, name.clone()))
        .collect();
    others.sort_by(|a, b| a.1.cmp(&b.1));
    let (group_grants, own_groups) = if can_grant {
        let own = groups::groups(state, s)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect();
        (groups::group_grants(state, s, &c).await?, own)
    } else {
        (Vec::new(), Vec::new())
    };
    let can_share = c.can_write && s.actor.can(ShareThreatInformation);
    let choices = if can_share {
        groups::choices(state, s, &c).await?
    } else {
        groups::AudienceChoices::default()
    };
    let name_of = |org: &Uuid| names.get(org).cloned().unwrap_or_default();
    let mut amber_orgs: Vec<(Uuid, String)> =
        choices.orgs.iter().map(|o| (*o, name_of(o))).collect();
    amber_orgs.sort_by(|a, b| a.1.cmp(&b.1));
    let red_people = choices
        .people
        .into_iter()
        .map(|p| (p.id, format!("{}({})", p.name, name_of(&p.org_id))))
        .collect();
    let share = ValueShare {
        tlp: if share.tlp.is_empty() {
            c.default_tlp.clone()
        } else {
            share.tlp
        },
        ..share
    };
    Ok(CollectionPage {
        page: Page::signed_in(s, "sharing.title", "/sharing"),
        default_label: TlpLabel::of(&c.default_tlp),
        can_share,
        c,
        kept,
        rows,
        can_grant,
        grants,
        others,
        group_grants,
        own_groups,
        amber_orgs,
        amber_groups: choices.groups,
        red_people,
        levels: levels(),
        share,
        errors,
        shared,
    })
}

/// One collection: what was shared there recently, the share form, and its grants.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Query(q): Query<CollectionQuery>,
) -> Result<Response, AppError> {
    let page = collection_page(
        &state,
        &s,
        id,
        ValueShare::default(),
        Problem::new(vec![]),
        q.shared,
    )
    .await?;
    render(&page)
}

/// The share form as sent (its fields spelt out: a flattened struct would read every value as
/// text, and the checkboxes are not).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShareForm {
    csrf: String,
    value: String,
    name: String,
    description: String,
    tlp: String,
    audience_orgs: Vec<Uuid>,
    audience_groups: Vec<Uuid>,
    audience_users: Vec<Uuid>,
    anonymous: bool,
}

impl ShareForm {
    fn share(self) -> ValueShare {
        ValueShare {
            value: self.value,
            name: self.name,
            description: self.description,
            tlp: self.tlp,
            audience_orgs: self.audience_orgs,
            audience_groups: self.audience_groups,
            audience_users: self.audience_users,
            anonymous: self.anonymous,
        }
    }
}

/// Shares one value as an indicator; a fault keeps what was typed.
pub async fn share(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<ShareForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let share = f.share();
    match service::share_value(&state, &s, id, &share).await {
        Ok(status) => {
            let done = status.successes.contains("\"id\"");
            Ok(see_other(&format!(
                "/sharing/{id}?shared={}",
                if done { "ok" } else { "failed" }
            )))
        }
        Err(AppError::Invalid(p)) => {
            let page = collection_page(&state, &s, id, share, p, None).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// A grant as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    csrf: String,
    org: Option<Uuid>,
    can_read: bool,
    can_write: bool,
}

/// Grants (or takes back) an organisation's reading and writing.
pub async fn grant(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    // A collection the organisation does not reach is not found, whatever the form holds.
    service::collection(&state, &s, id).await?;
    let org = f
        .org
        .ok_or(AppError::BadRequest("sharing.error.no_such_org"))?;
    service::grant(&state, &s, id, org, f.can_read, f.can_write).await?;
    Ok(see_other(&format!("/sharing/{id}#grants")))
}

#[derive(Template)]
#[template(path = "sharing_search.html")]
struct SearchPage {
    page: Page,
    q: String,
    searched: bool,
    hits: Vec<(String, String, ObjectRow, bool)>,
}

/// A search by value.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// Everything the member may see about a value: exact matches, then mentions.
pub async fn search(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let hits = service::search(&state, &s, &q.q).await?;
    let names = org_names(&state).await?;
    let mut collections: HashMap<Uuid, Collection> = HashMap::new();
    for c in service::collections(&state, &s).await? {
        collections.insert(c.id, c);
    }
    let hits = hits
        .into_iter()
        .filter_map(|h| {
            let c = collections.get(&h.found.collection_id)?;
            let shown = service::sharer_shown(&h.found.object, c, s.org.id);
            Some((
                c.id.to_string(),
                c.title.clone(),
                row(&h.found.object, shown, &names),
                h.exact,
            ))
        })
        .collect();
    render(&SearchPage {
        page: Page::signed_in(&s, "sharing.search", "/sharing"),
        searched: q.q.trim().chars().count() >= 3,
        q: q.q,
        hits,
    })
}

/// A collection's objects the member may see (RED left out) as a STIX 2.1 bundle file.
pub async fn export_bundle(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let objects = service::exportable(&state, &s, id).await?;
    Ok(download(
        "application/stix+json;version=2.1",
        &format!("collection-{id}.json"),
        service::bundle_of(&objects),
    ))
}

/// A collection's indicator values the member may see, one a line, for block lists.
pub async fn export_list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let objects = service::exportable(&state, &s, id).await?;
    let mut text = service::plain_values(&objects).join("\n");
    text.push('\n');
    Ok(download(
        "text/plain; charset=utf-8",
        &format!("indicators-{id}.txt"),
        text,
    ))
}

fn download(content_type: &'static str, name: &str, body: String) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A sighting as sent from an indicator's row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SightingForm {
    csrf: String,
    indicator: String,
    count: Option<u32>,
}

/// Says "we saw this too" on an indicator.
pub async fn sight(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<SightingForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let d = service::SightingDraft {
        indicator: f.indicator,
        count: f.count,
        ..Default::default()
    };
    service::sight(&state, &s, id, &d).await?;
    Ok(see_other(&format!(
        "/sharing/{id}?shared=ok#{}",
        d.indicator
    )))
}
