//! The sharing hub's rules, called alike by TAXII 2.1, the JSON API and the pages: who may read,
//! share and keep collections; what a shared object must be (valid STIX 2.1, with a TLP marking);
//! and the submission status that tells a sharer what was kept and what was refused, and why.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use chrono::{DateTime, Utc};
use mamori_domain::authz::Permission::{ManageCollections, ShareThreatInformation, ViewSharing};
use mamori_store::{
    Audience, Collection, NewObject, ObjectFilter, Reader, StoreError, StoredObject,
    SubmissionStatus, Versions,
};
use serde::Serialize;
use serde_json::Value;
use stix::{Timestamp, Tlp};
use uuid::Uuid;

/// Objects one envelope or bundle may hold.
pub const MAX_OBJECTS_PER_SUBMISSION: usize = 10_000;

// The alerts are part of the hub's service: the dashboard shows the open ones.
pub use super::alerts::{AlertView, open_alerts};

/// The reader a caller is: its organisation and itself.
pub fn reader(c: &Caller) -> Reader {
    Reader {
        org_id: c.org.id,
        user_id: Some(c.user.id),
    }
}

/// The collections the caller's organisation reaches.
pub async fn collections(state: &AppState, c: &Caller) -> Result<Vec<Collection>, AppError> {
    c.require(ViewSharing)?;
    Ok(state.store.collections(c.org.id).await?)
}

/// One collection the caller's organisation reaches; not found otherwise.
pub async fn collection(state: &AppState, c: &Caller, id: Uuid) -> Result<Collection, AppError> {
    c.require(ViewSharing)?;
    Ok(state.store.collection(c.org.id, id).await?)
}

/// A page of a collection's objects the caller may see. A collection the organisation may only
/// write to is refused (it knows the collection exists); one it does not reach is not found.
pub async fn objects(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    filter: &ObjectFilter,
) -> Result<(Vec<StoredObject>, bool), AppError> {
    c.require(ViewSharing)?;
    match state.store.collection_objects(reader(c), id, filter).await {
        // Refused: a member that may only write knows the collection exists; anyone else does not.
        Err(StoreError::NotFound) if collection(state, c, id).await.is_ok() => {
            Err(AppError::Forbidden)
        }
        other => Ok(other?),
    }
}

/// Every newest version the caller may see in a collection, of the given types (all when empty),
/// read page by page.
async fn all_newest(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    types: &[&str],
) -> Result<Vec<StoredObject>, AppError> {
    let mut out = Vec::new();
    let mut f = ObjectFilter {
        types: types.iter().map(|t| t.to_string()).collect(),
        versions: Versions::Last,
        limit: 1000,
        ..Default::default()
    };
    loop {
        let (page, more) = objects(state, c, id, &f).await?;
        f.after_seq = page.last().map_or(f.after_seq, |o| o.seq);
        out.extend(page);
        if !more {
            return Ok(out);
        }
    }
}

/// Who shared an object, as a reader of the collection is shown it: none when the sharer chose
/// to be anonymous, except to itself and to the collection's keeper.
pub fn sharer_shown(o: &StoredObject, col: &Collection, reader_org: Uuid) -> Option<Uuid> {
    (!o.anonymous || reader_org == o.added_by_org || reader_org == col.org_id)
        .then_some(o.added_by_org)
}

/// Makes a collection kept by the caller's organisation.
pub async fn create_collection(
    state: &AppState,
    c: &Caller,
    title: &str,
    description: &str,
    default_tlp: Tlp,
) -> Result<Uuid, AppError> {
    c.require(ManageCollections)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 || description.chars().count() > 2000 {
        return Err(AppError::BadRequest("sharing.error.title"));
    }
    Ok(state
        .store
        .create_collection(&c.ctx(), title, description.trim(), default_tlp.code())
        .await?)
}

/// Grants (or, with both false, takes back) another organisation's reading and writing of a
/// collection the caller's organisation keeps.
pub async fn grant(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    org_id: Uuid,
    can_read: bool,
    can_write: bool,
) -> Result<(), AppError> {
    c.require(ManageCollections)?;
    if org_id == c.org.id {
        return Err(AppError::BadRequest("sharing.error.grant_self"));
    }
    // An organisation that does not exist here is not granted anything.
    match state.store.org(org_id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(AppError::BadRequest("sharing.error.no_such_org")),
        Err(e) => return Err(e.into()),
    }
    Ok(state
        .store
        .grant_collection(&c.ctx(), collection_id, org_id, can_read, can_write)
        .await?)
}

/// How one object of a submission fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The object's id as given (or its place, when it had none).
    pub id: String,
    /// Its version, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why it was refused, or that it was kept already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Shares objects into a collection: each valid one is kept under its TLP level (its strictest
/// TLP marking, or the collection's default, which is then marked on it) for the audience given;
/// each invalid one is refused with its faults; the outcome is kept as a status resource.
pub async fn submit(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    objects: &[Value],
    audience: &Audience,
    anonymous: bool,
) -> Result<SubmissionStatus, AppError> {
    c.require(ShareThreatInformation)?;
    let col = collection(state, c, collection_id).await?;
    if !col.can_write {
        return Err(AppError::Forbidden);
    }
    if objects.len() > MAX_OBJECTS_PER_SUBMISSION {
        return Err(AppError::BadRequest("sharing.error.too_many_objects"));
    }
    let default = Tlp::from_code(&col.default_tlp).unwrap_or(Tlp::Amber);
    let mut kept = Vec::new();
    let mut failures = Vec::new();
    for (i, value) in objects.iter().enumerate() {
        let place = format!("objects[{i}]");
        match prepare(value, &place, default) {
            Ok(o) => kept.push((NewObject { anonymous, ..o }, audience.clone())),
            Err(f) => failures.push(f),
        }
    }
    let added = state
        .store
        .add_objects(&c.ctx(), collection_id, &kept)
        .await?;
    let successes: Vec<Outcome> = kept
        .iter()
        .zip(added)
        .map(|((o, _), new)| Outcome {
            id: o.object_id.clone(),
            version: (!o.version.is_empty()).then(|| o.version.clone()),
            message: (!new).then(|| "already in the collection".to_string()),
        })
        .collect();
    let status = SubmissionStatus {
        id: Uuid::new_v4(),
        collection_id,
        request_timestamp: c.now,
        total_count: i64::try_from(objects.len()).unwrap_or(i64::MAX),
        successes: serde_json::to_string(&successes).unwrap_or_else(|_| "[]".into()),
        failures: serde_json::to_string(&failures).unwrap_or_else(|_| "[]".into()),
    };
    state.store.save_status(&c.ctx(), &status).await?;
    Ok(status)
}

/// An object ready to keep, or why it is refused.
pub(crate) fn prepare(value: &Value, place: &str, default: Tlp) -> Result<NewObject, Outcome> {
    let problems = stix::validate_object(value, place);
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(place)
        .to_string();
    let version = version_of(value);
    if !problems.is_empty() {
        let message = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Outcome {
            id,
            version,
            message: Some(message),
        });
    }
    let object_type = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut body = value.clone();
    let tlp = if object_type == "marking-definition" {
        // Marking definitions are how markings are read; they are for everyone.
        Tlp::Clear
    } else {
        let marked = Tlp::strictest(
            body.get("object_marking_refs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
        match marked {
            Some(t) => t,
            None => {
                mark(&mut body, default);
                default
            }
        }
    };
    Ok(NewObject {
        object_id: id,
        object_type,
        version: version.unwrap_or_default(),
        spec_version: body
            .get("spec_version")
            .and_then(Value::as_str)
            .unwrap_or("2.1")
            .to_string(),
        tlp: tlp.code().to_string(),
        anonymous: false,
        body: body.to_string(),
    })
}

/// Adds a TLP marking to an object that carried none, so that whoever reads it later sees the
/// level it was shared under.
fn mark(body: &mut Value, tlp: Tlp) {
    if let Some(map) = body.as_object_mut() {
        let refs = map
            .entry("object_marking_refs")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = refs.as_array_mut() {
            list.push(Value::String(tlp.marking_id().to_string()));
        }
    }
}

/// Shares objects for an audience the caller named: everyone named must be one the collection's
/// readers (see [`super::groups::check_audience`]), then as [`submit`].
pub async fn share_objects(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    objects: &[Value],
    audience: &Audience,
    anonymous: bool,
) -> Result<SubmissionStatus, AppError> {
    c.require(ShareThreatInformation)?;
    let col = collection(state, c, collection_id).await?;
    super::groups::check_audience(state, &col, audience).await?;
    submit(state, c, collection_id, objects, audience, anonymous).await
}

/// An object's version as kept: its `modified`, else its `created`, to the millisecond; none
/// for an object with neither (a cyber-observable, which has one version).
pub fn version_of(value: &Value) -> Option<String> {
    let text = value
        .get("modified")
        .or_else(|| value.get("created"))
        .and_then(Value::as_str)?;
    Timestamp::parse(text).ok().map(|t| version_text(t.at()))
}

/// A version as kept and shown: a STIX timestamp to the millisecond.
pub fn version_text(at: DateTime<Utc>) -> String {
    Timestamp::millis(at).as_str().to_string()
}

/// The status of a submission by the caller's organisation.
pub async fn status(state: &AppState, c: &Caller, id: Uuid) -> Result<SubmissionStatus, AppError> {
    c.require(ViewSharing)?;
    Ok(state.store.submission_status(c.org.id, id).await?)
}

/// Deletes versions of an object the caller's organisation shared (or any, in a collection it
/// keeps).
pub async fn delete(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    object_id: &str,
    versions: &Versions,
) -> Result<u64, AppError> {
    c.require(ShareThreatInformation)?;
    let col = collection(state, c, collection_id).await?;
    if !col.can_write {
        return Err(AppError::Forbidden);
    }
    Ok(state
        .store
        .delete_object(&c.ctx(), collection_id, object_id, versions)
        .await?)
}

/// One indicator value as a person shares it from a page.
#[derive(Debug, Clone, Default)]
pub struct ValueShare {
    /// The value: an address or range, a domain, a URL, a hash, an e-mail address.
    pub value: String,
    /// What it is called (the value itself when empty).
    pub name: String,
    /// Why it is shared.
    pub description: String,
    /// The TLP level's code.
    pub tlp: String,
    /// Organisations an AMBER or AMBER+STRICT object is for.
    pub audience_orgs: Vec<Uuid>,
    /// Groups an AMBER object is for.
    pub audience_groups: Vec<Uuid>,
    /// People a RED object is for.
    pub audience_users: Vec<Uuid>,
    /// Whether other members are not shown who shared.
    pub anonymous: bool,
}

/// Shares one value as a STIX indicator whose pattern the value's kind decides; a value of no
/// known kind is a fault on `value`, a level that is not TLP on `tlp`. Of the audience given,
/// the level decides what counts: organisations for AMBER and AMBER+STRICT, groups for AMBER
/// (a group with AMBER+STRICT is a fault on `audience_groups`), people for RED.
pub async fn share_value(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    v: &ValueShare,
) -> Result<SubmissionStatus, AppError> {
    use mamori_domain::validate::{FieldError, Problem};
    let kind = stix::value::guess(&v.value);
    let tlp = Tlp::from_code(&v.tlp);
    let mut faults = Vec::new();
    if kind.is_none() {
        faults.push(FieldError::new("value", "sharing.error.value"));
    }
    if tlp.is_none() {
        faults.push(FieldError::new("tlp", "sharing.error.tlp"));
    }
    if v.name.chars().count() > 200 || v.description.chars().count() > 5000 {
        faults.push(FieldError::new("description", "sharing.error.text"));
    }
    if tlp == Some(Tlp::AmberStrict) && !v.audience_groups.is_empty() {
        faults.push(FieldError::new(
            "audience_groups",
            "sharing.error.strict_groups",
        ));
    }
    let (Some(kind), Some(tlp)) = (kind, tlp) else {
        return Err(AppError::Invalid(Problem::new(faults)));
    };
    if !faults.is_empty() {
        return Err(AppError::Invalid(Problem::new(faults)));
    }
    let now = version_text(c.now);
    let value = stix::value::normalise(kind, &v.value);
    let name = if v.name.trim().is_empty() {
        value.clone()
    } else {
        v.name.trim().to_string()
    };
    let mut indicator = serde_json::json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{}", Uuid::new_v4()),
        "created": now,
        "modified": now,
        "name": name,
        "indicator_types": ["malicious-activity"],
        "pattern": stix::value::pattern(kind, &value),
        "pattern_type": "stix",
        "valid_from": now,
        "object_marking_refs": [tlp.marking_id()],
    });
    if let (false, Some(map)) = (v.description.trim().is_empty(), indicator.as_object_mut()) {
        map.insert("description".into(), v.description.trim().into());
    }
    let audience = Audience {
        orgs: match tlp {
            Tlp::Amber | Tlp::AmberStrict => v.audience_orgs.clone(),
            _ => Vec::new(),
        },
        groups: match tlp {
            Tlp::Amber => v.audience_groups.clone(),
            _ => Vec::new(),
        },
        users: match tlp {
            Tlp::Red => v.audience_users.clone(),
            _ => Vec::new(),
        },
    };
    share_objects(
        state,
        c,
        collection_id,
        &[indicator],
        &audience,
        v.anonymous,
    )
    .await
}

/// An object found by a search, and whether it tests for the value itself (an indicator whose
/// pattern compares with it, an observable that is it) or only mentions it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// What was found.
    pub found: mamori_store::FoundObject,
    /// Whether it is about the value itself.
    pub exact: bool,
}

/// Everything the caller may see that is about a value or mentions it, newest first; exact
/// matches before mentions. `10.0.0.1` does not find `10.0.0.10`.
pub async fn search(state: &AppState, c: &Caller, query: &str) -> Result<Vec<Hit>, AppError> {
    c.require(ViewSharing)?;
    let q = query.trim();
    if q.chars().count() < 3 {
        return Ok(Vec::new());
    }
    let (needle, kind) = match stix::value::guess(q) {
        Some(k) => (stix::value::normalise(k, q), Some(k)),
        None => (q.to_string(), None),
    };
    let found = state.store.search_objects(reader(c), &needle, 200).await?;
    let mut hits: Vec<Hit> = found
        .into_iter()
        .filter_map(|f| {
            let body: Value = serde_json::from_str(&f.object.body).ok()?;
            let exact = kind.is_some_and(|k| is_about(&body, k, &needle));
            (exact || mentions(&body, &needle)).then_some(Hit { found: f, exact })
        })
        .collect();
    hits.sort_by_key(|h| !h.exact);
    Ok(hits)
}

/// Whether an object tests for, or is, the value (compared as its kind compares).
fn is_about(body: &Value, kind: stix::value::ValueKind, needle: &str) -> bool {
    let same = |v: &str| {
        let v = stix::value::normalise(kind, v);
        if kind.case_insensitive() {
            v.eq_ignore_ascii_case(needle)
        } else {
            v == needle
        }
    };
    if let Some(p) = body.get("pattern").and_then(Value::as_str)
        && let Ok(pattern) = stix::Pattern::parse(p)
    {
        return pattern.equalities().iter().any(|(_, _, lit)| match lit {
            stix::pattern::Literal::Str(s) => same(s),
            _ => false,
        });
    }
    let value = body.get("value").and_then(Value::as_str).is_some_and(same);
    let hash = body
        .get("hashes")
        .and_then(Value::as_object)
        .is_some_and(|h| h.values().filter_map(Value::as_str).any(same));
    value || hash
}

/// Whether a text property of an object contains the value as a whole word (not `10.0.0.10`
/// for `10.0.0.1`).
fn mentions(body: &Value, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    let word = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '/' | ':');
    let in_text = |text: &str| {
        let text = text.to_lowercase();
        text.match_indices(&needle).any(|(i, m)| {
            let before = text.get(..i).and_then(|t| t.chars().next_back());
            let after = text.get(i + m.len()..).and_then(|t| t.chars().next());
            // A sentence's full stop after the value is not part of it.
            let after_ok = match after {
                None => true,
                Some('.') => text
                    .get(i + m.len() + 1..)
                    .is_none_or(|t| t.chars().next().is_none_or(|c| !c.is_alphanumeric())),
                Some(c) => !word(c),
            };
            before.is_none_or(|c| !word(c)) && after_ok
        })
    };
    [
        "name",
        "description",
        "pattern",
        "value",
        "content",
        "abstract",
    ]
    .iter()
    .filter_map(|k| body.get(*k).and_then(Value::as_str))
    .any(in_text)
}

/// A member's "we saw this too" on an indicator.
#[derive(Debug, Clone, Default)]
pub struct SightingDraft {
    /// The indicator's id.
    pub indicator: String,
    /// How many times (1 when not given).
    pub count: Option<u32>,
    /// When first seen.
    pub first_seen: Option<DateTime<Utc>>,
    /// When last seen.
    pub last_seen: Option<DateTime<Utc>>,
}

/// Shares a STIX sighting of an indicator the caller may see, under the indicator's own TLP level
/// and for its sharer too; it names no one (no `where_sighted_refs`), so the hub can count
/// institutions without naming them.
pub async fn sight(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    d: &SightingDraft,
) -> Result<SubmissionStatus, AppError> {
    use mamori_domain::validate::{FieldError, Problem};
    c.require(ShareThreatInformation)?;
    let f = ObjectFilter {
        ids: vec![d.indicator.clone()],
        versions: Versions::Last,
        limit: 1,
        ..Default::default()
    };
    let (found, _) = objects(state, c, collection_id, &f).await?;
    let indicator = found
        .into_iter()
        .find(|o| o.object_type == "indicator")
        .ok_or(AppError::NotFound)?;
    let mut faults = Vec::new();
    let count = d.count.unwrap_or(1);
    if !(1..=999_999_999).contains(&count) {
        faults.push(FieldError::new("count", "sharing.error.count"));
    }
    if let (Some(a), Some(b)) = (d.first_seen, d.last_seen)
        && b < a
    {
        faults.push(FieldError::new("last_seen", "sharing.error.seen_order"));
    }
    if !faults.is_empty() {
        return Err(AppError::Invalid(Problem::new(faults)));
    }
    let tlp = Tlp::from_code(&indicator.tlp).unwrap_or(Tlp::Red);
    let now = version_text(c.now);
    let mut sighting = serde_json::json!({
        "type": "sighting",
        "spec_version": "2.1",
        "id": format!("sighting--{}", Uuid::new_v4()),
        "created": now,
        "modified": now,
        "sighting_of_ref": indicator.object_id,
        "count": count,
        "object_marking_refs": [tlp.marking_id()],
    });
    if let Some(map) = sighting.as_object_mut() {
        for (k, v) in [("first_seen", d.first_seen), ("last_seen", d.last_seen)] {
            if let Some(at) = v {
                map.insert(k.into(), version_text(at).into());
            }
        }
    }
    let audience = Audience {
        orgs: vec![indicator.added_by_org],
        ..Audience::default()
    };
    submit(state, c, collection_id, &[sighting], &audience, true).await
}

/// How many institutions saw an indicator, and how many times in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sighted {
    /// Distinct organisations that shared a sighting.
    pub institutions: usize,
    /// The sum of their counts.
    pub count: u64,
}

/// The sightings the caller may see in a collection, by the indicator they are of.
pub async fn sightings(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
) -> Result<std::collections::BTreeMap<String, Sighted>, AppError> {
    let mut by: std::collections::BTreeMap<String, (std::collections::HashSet<Uuid>, u64)> =
        Default::default();
    for o in all_newest(state, c, collection_id, &["sighting"]).await? {
        let Ok(body) = serde_json::from_str::<Value>(&o.body) else {
            continue;
        };
        let Some(of) = body.get("sighting_of_ref").and_then(Value::as_str) else {
            continue;
        };
        let n = body.get("count").and_then(Value::as_u64).unwrap_or(1);
        let e = by.entry(of.to_string()).or_default();
        e.0.insert(o.added_by_org);
        e.1 += n;
    }
    Ok(by
        .into_iter()
        .map(|(k, (orgs, count))| {
            (
                k,
                Sighted {
                    institutions: orgs.len(),
                    count,
                },
            )
        })
        .collect())
}

/// Every newest version the caller may see in a collection, for export: RED objects are left
/// out, as TLP:RED is never passed on.
pub async fn exportable(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<Vec<StoredObject>, AppError> {
    let mut all = all_newest(state, c, id, &[]).await?;
    all.retain(|o| o.tlp != Tlp::Red.code());
    Ok(all)
}

/// The objects as a STIX 2.1 bundle.
pub fn bundle_of(objects: &[StoredObject]) -> String {
    let mut out = format!(
        "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[",
        Uuid::new_v4()
    );
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&o.body);
    }
    out.push_str("]}");
    out
}

/// The values the indicators test for (`=` on an address, a domain, a URL, a hash, an e-mail
/// address) and the observables' values, one each, in the order first met: what a firewall's or
/// a mail filter's block list takes.
pub fn plain_values(objects: &[StoredObject]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for o in objects {
        let Ok(body) = serde_json::from_str::<Value>(&o.body) else {
            continue;
        };
        let mut values: Vec<String> = Vec::new();
        if let Some(p) = body
            .get("pattern")
            .and_then(Value::as_str)
            .and_then(|p| stix::Pattern::parse(p).ok())
        {
            for (_, _, lit) in p.equalities() {
                if let stix::pattern::Literal::Str(v) = lit
                    && stix::value::guess(v).is_some()
                {
                    values.push(v.clone());
                }
            }
        } else if let Some(v) = body.get("value").and_then(Value::as_str) {
            values.push(v.to_string());
        }
        for v in values {
            if seen.insert(v.clone()) {
                out.push(v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn indicator() -> Value {
        json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-01T09:00:00.000Z", "modified": "2026-11-02T09:00:00.123456Z",
            "pattern": "[ipv4-addr:value = '203.0.113.7']", "pattern_type": "stix",
            "valid_from": "2026-11-01T09:00:00Z"
        })
    }

    #[test]
    fn an_unmarked_object_takes_the_collection_default_and_says_so() {
        let o = prepare(&indicator(), "objects[0]", Tlp::Green).expect("valid");
        assert_eq!(o.tlp, "green");
        assert_eq!(o.version, "2026-11-02T09:00:00.123Z");
        let body: Value = serde_json::from_str(&o.body).expect("json");
        assert_eq!(
            body["object_marking_refs"],
            json!([Tlp::Green.marking_id()])
        );
    }

    #[test]
    fn the_strictest_marking_decides_and_is_kept_as_given() {
        let mut v = indicator();
        v["object_marking_refs"] = json!([Tlp::Green.marking_id(), Tlp::Red.marking_id()]);
        let o = prepare(&v, "objects[0]", Tlp::Clear).expect("valid");
        assert_eq!(o.tlp, "red");
        assert_eq!(serde_json::from_str::<Value>(&o.body).expect("json"), v);
    }

    #[test]
    fn a_search_finds_the_value_not_a_longer_one() {
        let ind = indicator();
        let ipv4 = stix::value::ValueKind::Ipv4;
        assert!(is_about(&ind, ipv4, "203.0.113.7"));
        assert!(!is_about(&ind, ipv4, "203.0.113.70"));
        let report =
            json!({"type": "report", "description": "C2 at 10.0.0.10 and evil.example.com."});
        assert!(mentions(&report, "evil.example.com"));
        assert!(mentions(&report, "10.0.0.10"));
        assert!(!mentions(&report, "10.0.0.1"));
        assert!(!mentions(&report, "example.com"));
    }

    #[test]
    fn an_invalid_object_is_refused_with_its_faults() {
        let mut v = indicator();
        v["pattern"] = json!("[ipv4-addr:value = ");
        let f = prepare(&v, "objects[0]", Tlp::Clear).expect_err("invalid");
        assert_eq!(f.id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
        assert!(f.message.expect("why").contains("pattern"));
    }
}
