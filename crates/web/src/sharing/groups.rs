//! Groups of organisations (共有グループ) and the audiences a sharer may name: the keeper of a hub
//! names its groups once, grants collections to them and its members share AMBER objects with
//! them; RED objects go to people of the organisations that read the collection.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::authz::Actor;
use mamori_domain::authz::Permission::{ManageCollections, ViewSharing};
use mamori_domain::org::OrgKind;
use mamori_domain::validate::{FieldError, Problem};
use mamori_store::{Audience, Collection, GroupGrant, SharingGroup, StoreError, User};
use uuid::Uuid;

/// The longest group name.
const MAX_NAME: usize = 100;

/// The groups the caller's organisation keeps, each with its members.
pub async fn groups(state: &AppState, c: &Caller) -> Result<Vec<SharingGroup>, AppError> {
    c.require(ManageCollections)?;
    Ok(state.store.groups(c.org.id).await?)
}

/// One group the caller's organisation keeps; not found otherwise.
pub async fn group(state: &AppState, c: &Caller, id: Uuid) -> Result<SharingGroup, AppError> {
    groups(state, c)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(AppError::NotFound)
}

/// Makes a group kept by the caller's organisation; an empty, long or taken name is a fault on
/// `name`.
pub async fn create_group(state: &AppState, c: &Caller, name: &str) -> Result<Uuid, AppError> {
    c.require(ManageCollections)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::Invalid(Problem::field(
            "name",
            "sharing.error.group_name",
        )));
    }
    match state.store.create_group(&c.ctx(), name).await {
        Err(StoreError::Conflict(_)) => Err(AppError::Invalid(Problem::field(
            "name",
            "sharing.error.group_taken",
        ))),
        other => Ok(other?),
    }
}

/// Adds an organisation of this installation to a group the caller's organisation keeps, or
/// takes it out.
pub async fn set_member(
    state: &AppState,
    c: &Caller,
    group_id: Uuid,
    org_id: Uuid,
    is_member: bool,
) -> Result<(), AppError> {
    c.require(ManageCollections)?;
    if is_member {
        match state.store.org(org_id).await {
            Err(StoreError::NotFound) => {
                return Err(AppError::BadRequest("sharing.error.no_such_org"));
            }
            other => {
                other?;
            }
        }
    }
    Ok(state
        .store
        .set_group_member(&c.ctx(), group_id, org_id, is_member)
        .await?)
}

/// Grants (or, with both false, takes back) a group's reading and writing of a collection; both
/// must be the caller's organisation's.
pub async fn grant_group(
    state: &AppState,
    c: &Caller,
    collection_id: Uuid,
    group_id: Uuid,
    can_read: bool,
    can_write: bool,
) -> Result<(), AppError> {
    c.require(ManageCollections)?;
    Ok(state
        .store
        .grant_collection_to_group(&c.ctx(), collection_id, group_id, can_read, can_write)
        .await?)
}

/// The groups granted a collection the caller's organisation keeps.
pub async fn group_grants(
    state: &AppState,
    c: &Caller,
    col: &Collection,
) -> Result<Vec<GroupGrant>, AppError> {
    c.require(ManageCollections)?;
    if col.org_id != c.org.id {
        return Err(AppError::NotFound);
    }
    Ok(state.store.collection_group_grants(col.id).await?)
}

/// A person a RED object may be shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The user's id.
    pub id: Uuid,
    /// Their organisation.
    pub org_id: Uuid,
    /// Their name.
    pub name: String,
}

/// Whom a sharer may name for an object shared into a collection.
#[derive(Debug, Clone, Default)]
pub struct AudienceChoices {
    /// Organisations that read the collection (AMBER, AMBER+STRICT); offered to its keeper only,
    /// who alone may see who its members are.
    pub orgs: Vec<Uuid>,
    /// Groups granted reading (AMBER): their names, never their members.
    pub groups: Vec<(Uuid, String)>,
    /// People who may read shared threat information (RED): the sharer's colleagues and the
    /// keeper's people; for the keeper, the people of every organisation that reads it.
    pub people: Vec<Person>,
}

/// Whom the caller may name when sharing into a collection.
pub async fn choices(
    state: &AppState,
    c: &Caller,
    col: &Collection,
) -> Result<AudienceChoices, AppError> {
    c.require(ViewSharing)?;
    let kept = col.org_id == c.org.id;
    let mut orgs = if kept {
        state.store.collection_readers(col.id).await?
    } else {
        Vec::new()
    };
    orgs.retain(|o| *o != c.org.id);
    let groups = state
        .store
        .collection_group_grants(col.id)
        .await?
        .into_iter()
        .filter(|g| g.can_read)
        .map(|g| (g.group_id, g.name))
        .collect();
    let people = state
        .store
        .collection_people(col.id)
        .await?
        .into_iter()
        .filter(|u| kept || u.org_id == c.org.id || u.org_id == col.org_id)
        .filter(|u| u.id != c.user.id && reads_sharing(u))
        .map(|u| Person {
            id: u.id,
            org_id: u.org_id,
            name: if u.display_name.is_empty() {
                u.email
            } else {
                u.display_name
            },
        })
        .collect();
    Ok(AudienceChoices {
        orgs,
        groups,
        people,
    })
}

/// Whether a person's roles let them read shared threat information (it rests on roles alone).
fn reads_sharing(u: &User) -> bool {
    Actor {
        user_id: u.id,
        org_id: u.org_id,
        org_kind: OrgKind::Institution,
        home_org: false,
        roles: u.roles.clone(),
        label: String::new(),
    }
    .can(ViewSharing)
}

/// Checks that everyone an audience names may be named for the collection: organisations and
/// the people's organisations must read it, groups must be granted reading. Each fault names
/// its member (`audience_orgs`, `audience_groups`, `audience_users`).
pub async fn check_audience(
    state: &AppState,
    col: &Collection,
    audience: &Audience,
) -> Result<(), AppError> {
    if audience.orgs.is_empty() && audience.groups.is_empty() && audience.users.is_empty() {
        return Ok(());
    }
    let readers = state.store.collection_readers(col.id).await?;
    let mut faults = Vec::new();
    if audience.orgs.iter().any(|o| !readers.contains(o)) {
        faults.push(FieldError::new(
            "audience_orgs",
            "sharing.error.audience_org",
        ));
    }
    if !audience.groups.is_empty() {
        let granted = state.store.collection_group_grants(col.id).await?;
        if audience
            .groups
            .iter()
            .any(|g| !granted.iter().any(|x| x.group_id == *g && x.can_read))
        {
            faults.push(FieldError::new(
                "audience_groups",
                "sharing.error.audience_group",
            ));
        }
    }
    if !audience.users.is_empty() {
        let people = state.store.collection_people(col.id).await?;
        if audience
            .users
            .iter()
            .any(|u| !people.iter().any(|p| p.id == *u))
        {
            faults.push(FieldError::new(
                "audience_users",
                "sharing.error.audience_user",
            ));
        }
    }
    if faults.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(Problem::new(faults)))
    }
}
