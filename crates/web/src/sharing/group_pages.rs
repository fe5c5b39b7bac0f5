//! The groups page of a hub's keeper: its groups of organisations with their members, made and
//! changed here; and the grant of a collection to a group, from the collection's page.

use super::groups;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::validate::Problem;
use serde::Deserialize;
use uuid::Uuid;

/// A group as the page shows it: its members by name, and the organisations it may take in.
pub struct GroupView {
    id: Uuid,
    name: String,
    members: Vec<(Uuid, String)>,
    others: Vec<(Uuid, String)>,
}

#[derive(Template)]
#[template(path = "sharing_groups.html")]
struct GroupsPage {
    page: Page,
    groups: Vec<GroupView>,
    name: String,
    errors: Problem,
}

async fn groups_page(
    state: &AppState,
    s: &SignedIn,
    name: String,
    errors: Problem,
) -> Result<GroupsPage, AppError> {
    let kept = groups::groups(state, s).await?;
    let mut directory: Vec<(Uuid, String)> = state
        .store
        .org_directory()
        .await?
        .into_iter()
        .filter(|o| o.id != s.org.id)
        .map(|o| (o.id, o.profile.name))
        .collect();
    directory.sort_by(|a, b| a.1.cmp(&b.1));
    let groups = kept
        .into_iter()
        .map(|g| {
            let (members, others) = directory
                .iter()
                .cloned()
                .partition(|(id, _)| g.members.contains(id));
            GroupView {
                id: g.id,
                name: g.name,
                members,
                others,
            }
        })
        .collect();
    Ok(GroupsPage {
        page: Page::signed_in(s, "groups.title", "/sharing"),
        groups,
        name,
        errors,
    })
}

/// The keeper's groups.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&groups_page(&state, &s, String::new(), Problem::new(vec![])).await?)
}

/// A new group as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupForm {
    csrf: String,
    name: String,
}

/// Makes a group; a fault keeps the name typed.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<GroupForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match groups::create_group(&state, &s, &f.name).await {
        Ok(id) => Ok(see_other(&format!("/sharing/groups#group-{id}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &groups_page(&state, &s, f.name, p).await?,
        ),
        Err(e) => Err(e),
    }
}

/// A membership change as sent: `member` true adds the organisation, false takes it out.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    csrf: String,
    org: Option<Uuid>,
    member: bool,
}

/// Adds an organisation to a group, or takes it out.
pub async fn member(
    State(state): State<AppState>,
    s: SignedIn,
    Path(group): Path<Uuid>,
    Form(f): Form<MemberForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    // A group the organisation does not keep is not found, whatever the form holds.
    groups::group(&state, &s, group).await?;
    let org = f
        .org
        .ok_or(AppError::BadRequest("sharing.error.no_such_org"))?;
    groups::set_member(&state, &s, group, org, f.member).await?;
    Ok(see_other(&format!("/sharing/groups#group-{group}")))
}

/// A group's grant as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupGrantForm {
    csrf: String,
    group: Option<Uuid>,
    can_read: bool,
    can_write: bool,
}

/// Grants (or takes back) a group's reading and writing of a collection.
pub async fn grant(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<GroupGrantForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    super::service::collection(&state, &s, id).await?;
    let group = f
        .group
        .ok_or(AppError::BadRequest("sharing.error.audience_group"))?;
    groups::grant_group(&state, &s, id, group, f.can_read, f.can_write).await?;
    Ok(see_other(&format!("/sharing/{id}#grants")))
}
