//! The JSON API of groups of organisations and of whom a sharer may name: the keeper's groups and
//! their members, a collection's grants to organisations and groups, and the audience choices
//! of a collection.

use super::api::GrantIn;
use super::{groups, service};
use crate::core::api::{JsonBody, created, no_content};
use crate::core::auth::ApiCaller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{Path, State};
use axum::response::{Json, Response};
use chrono::{DateTime, Utc};
use mamori_store::SharingGroup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A group of organisations the caller's organisation keeps.
#[derive(Serialize, ToSchema)]
pub struct GroupOut {
    id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    /// Its member organisations.
    members: Vec<Uuid>,
}

impl From<SharingGroup> for GroupOut {
    fn from(g: SharingGroup) -> GroupOut {
        GroupOut {
            id: g.id,
            name: g.name,
            created_at: g.created_at,
            members: g.members,
        }
    }
}

/// The groups the caller's organisation keeps, by name.
#[utoipa::path(get, path = "/api/v1/sharing/groups", tag = "sharing",
    responses((status = 200, body = Vec<GroupOut>)), security(("token" = ["manage_collections"])))]
pub async fn groups(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Vec<GroupOut>>, AppError> {
    let all = groups::groups(&state, &c).await?;
    Ok(Json(all.into_iter().map(GroupOut::from).collect()))
}

/// A new group.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GroupIn {
    /// Unique among the caller's organisation's groups (1–100 characters).
    name: String,
}

/// Makes a group kept by the caller's organisation, with no members yet.
#[utoipa::path(post, path = "/api/v1/sharing/groups", tag = "sharing", request_body = GroupIn,
    responses((status = 201, body = GroupOut)), security(("token" = ["manage_collections"])))]
pub async fn create_group(
    State(state): State<AppState>,
    c: ApiCaller,
    JsonBody(b): JsonBody<GroupIn>,
) -> Result<Response, AppError> {
    let id = groups::create_group(&state, &c, &b.name).await?;
    Ok(created(GroupOut::from(
        groups::group(&state, &c, id).await?,
    )))
}

/// Adds an organisation to a group the caller's organisation keeps.
#[utoipa::path(put, path = "/api/v1/sharing/groups/{group}/members/{org}", tag = "sharing",
    params(("group" = Uuid, Path), ("org" = Uuid, Path)),
    responses((status = 204, description = "A member")), security(("token" = ["manage_collections"])))]
pub async fn add_member(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((group, org)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    groups::set_member(&state, &c, group, org, true).await?;
    Ok(no_content())
}

/// Takes an organisation out of a group the caller's organisation keeps: from then on it reads
/// nothing through the group, not even what was shared with the group while it was a member.
#[utoipa::path(delete, path = "/api/v1/sharing/groups/{group}/members/{org}", tag = "sharing",
    params(("group" = Uuid, Path), ("org" = Uuid, Path)),
    responses((status = 204, description = "No longer a member")), security(("token" = ["manage_collections"])))]
pub async fn remove_member(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((group, org)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    groups::set_member(&state, &c, group, org, false).await?;
    Ok(no_content())
}

/// Grants the members of a group reading and/or writing of a collection; the collection and the
/// group must both be the caller's organisation's. Both false takes the grant back.
#[utoipa::path(put, path = "/api/v1/sharing/collections/{id}/group-grants/{group}", tag = "sharing",
    params(("id" = Uuid, Path), ("group" = Uuid, Path)), request_body = GrantIn,
    responses((status = 204, description = "Granted")), security(("token" = ["manage_collections"])))]
pub async fn grant_group(
    State(state): State<AppState>,
    c: ApiCaller,
    Path((id, group)): Path<(Uuid, Uuid)>,
    JsonBody(b): JsonBody<GrantIn>,
) -> Result<Response, AppError> {
    groups::grant_group(&state, &c, id, group, b.can_read, b.can_write).await?;
    Ok(no_content())
}

/// An organisation's grant.
#[derive(Serialize, ToSchema)]
pub struct OrgGrantOut {
    org: Uuid,
    can_read: bool,
    can_write: bool,
}

/// A group's grant.
#[derive(Serialize, ToSchema)]
pub struct GroupGrantOut {
    group: Uuid,
    name: String,
    can_read: bool,
    can_write: bool,
}

/// Who is granted a collection.
#[derive(Serialize, ToSchema)]
pub struct GrantsOut {
    orgs: Vec<OrgGrantOut>,
    groups: Vec<GroupGrantOut>,
}

/// The organisations and groups granted a collection the caller's organisation keeps.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}/grants", tag = "sharing",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = GrantsOut)), security(("token" = ["manage_collections"])))]
pub async fn grants(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<GrantsOut>, AppError> {
    let col = service::collection(&state, &c, id).await?;
    let by_group = groups::group_grants(&state, &c, &col).await?;
    let by_org = state.store.collection_grants(c.org.id, id).await?;
    Ok(Json(GrantsOut {
        orgs: by_org
            .into_iter()
            .map(|(org, can_read, can_write)| OrgGrantOut {
                org,
                can_read,
                can_write,
            })
            .collect(),
        groups: by_group
            .into_iter()
            .map(|g| GroupGrantOut {
                group: g.group_id,
                name: g.name,
                can_read: g.can_read,
                can_write: g.can_write,
            })
            .collect(),
    }))
}

/// A group a sharer may name.
#[derive(Serialize, ToSchema)]
pub struct NamedGroupOut {
    id: Uuid,
    name: String,
}

/// A person a sharer may name.
#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    id: Uuid,
    organisation: Uuid,
    name: String,
}

/// Whom the caller may name when sharing into a collection.
#[derive(Serialize, ToSchema)]
pub struct AudienceOut {
    /// Organisations for AMBER and AMBER+STRICT (listed to the keeper only).
    orgs: Vec<Uuid>,
    /// Groups for AMBER.
    groups: Vec<NamedGroupOut>,
    /// People for RED.
    people: Vec<PersonOut>,
}

/// Whom the caller may name as the audience of what it shares into a collection.
#[utoipa::path(get, path = "/api/v1/sharing/collections/{id}/audience", tag = "sharing",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AudienceOut)), security(("token" = ["view_sharing"])))]
pub async fn audience(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<Uuid>,
) -> Result<Json<AudienceOut>, AppError> {
    let col = service::collection(&state, &c, id).await?;
    let ch = groups::choices(&state, &c, &col).await?;
    Ok(Json(AudienceOut {
        orgs: ch.orgs,
        groups: ch
            .groups
            .into_iter()
            .map(|(id, name)| NamedGroupOut { id, name })
            .collect(),
        people: ch
            .people
            .into_iter()
            .map(|p| PersonOut {
                id: p.id,
                organisation: p.org_id,
                name: p.name,
            })
            .collect(),
    }))
}
