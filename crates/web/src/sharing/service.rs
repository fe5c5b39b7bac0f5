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
    if !collection(state, c, id).await?.can_read {
        return Err(AppError::Forbidden);
    }
    Ok(state
        .store
        .collection_objects(reader(c), id, filter)
        .await?)
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
            Ok(o) => kept.push((o, audience.clone())),
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
fn prepare(value: &Value, place: &str, default: Tlp) -> Result<NewObject, Outcome> {
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
    fn an_invalid_object_is_refused_with_its_faults() {
        let mut v = indicator();
        v["pattern"] = json!("[ipv4-addr:value = ");
        let f = prepare(&v, "objects[0]", Tlp::Clear).expect_err("invalid");
        assert_eq!(f.id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
        assert!(f.message.expect("why").contains("pattern"));
    }
}
