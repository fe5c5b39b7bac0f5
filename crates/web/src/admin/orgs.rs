//! One's own organisation, and the directory where home administrators register others.

use super::service;
use super::setup::{Choice, OrgFields, org_choices};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::authz::Permission;
use mamori_domain::validate::Problem;
use mamori_store::Organisation;
use serde::Deserialize;

/// The organisation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgForm {
    csrf: String,
    #[serde(flatten)]
    org: OrgFields,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OwnPage {
    page: Page,
    editable: bool,
    org: OrgFields,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    errors: Problem,
}

fn fields_of(o: &Organisation) -> OrgFields {
    let d = o.profile.to_draft();
    OrgFields {
        name: d.name,
        kind: d.kind,
        institution_type: d.institution_type,
        beds: d.beds,
    }
}

fn own_page(s: &SignedIn, org: OrgFields, errors: Problem) -> OwnPage {
    let (kinds, types) = org_choices(s.lang);
    OwnPage {
        page: Page::signed_in(s, "org.title", "/organisation"),
        editable: s.actor.can(Permission::EditOwnOrganisation),
        org,
        kinds,
        types,
        errors,
    }
}

/// The organisation's profile (a form for administrators).
pub async fn own(s: SignedIn) -> Result<Response, AppError> {
    render(&own_page(&s, fields_of(&s.org), Problem::new(vec![])))
}

/// Saves the organisation's profile.
pub async fn update_own(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::update_own_org(&state, &s, &f.org.draft()).await {
        Err(AppError::Invalid(p)) => {
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &own_page(&s, f.org, p))
        }
        Err(e) => Err(e),
        Ok(_) => Ok(see_other("/organisation")),
    }
}

/// Registration of another organisation with its first administrator.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    #[serde(flatten)]
    org: OrgFields,
    admin_name: String,
    admin_email: String,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct DirectoryPage {
    page: Page,
    orgs: Vec<(Organisation, &'static str, &'static str)>,
    org: OrgFields,
    admin_name: String,
    admin_email: String,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    errors: Problem,
    invited: Option<(String, String)>,
}

async fn directory_page(
    state: &AppState,
    s: &SignedIn,
    f: RegisterForm,
    errors: Problem,
    invited: Option<(String, String)>,
) -> Result<DirectoryPage, AppError> {
    let (kinds, types) = org_choices(s.lang);
    let orgs = service::organisations(state, s)
        .await?
        .into_iter()
        .map(|o| {
            let k = o.profile.kind.label(s.lang);
            let t = o
                .profile
                .institution_type
                .map(|t| t.label(s.lang))
                .unwrap_or("");
            (o, k, t)
        })
        .collect();
    Ok(DirectoryPage {
        page: Page::signed_in(s, "orgs.title", "/organisations"),
        orgs,
        org: f.org,
        admin_name: f.admin_name,
        admin_email: f.admin_email,
        kinds,
        types,
        errors,
        invited,
    })
}

/// The organisations of this installation.
pub async fn directory(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let f = RegisterForm {
        org: OrgFields {
            kind: "vendor".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    render(&directory_page(&state, &s, f, Problem::new(vec![]), None).await?)
}

/// Registers an organisation and invites its administrator.
pub async fn register(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let draft = service::RegisterDraft {
        org: f.org.draft(),
        admin_name: f.admin_name.clone(),
        admin_email: f.admin_email.clone(),
    };
    match service::register_org(&state, &s, &draft).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &directory_page(&state, &s, f, p, None).await?,
        ),
        Err(e) => Err(e),
        Ok((_, user, link)) => {
            let blank = RegisterForm {
                org: OrgFields {
                    kind: "vendor".into(),
                    ..Default::default()
                },
                ..Default::default()
            };
            render(
                &directory_page(
                    &state,
                    &s,
                    blank,
                    Problem::new(vec![]),
                    Some((user.email, link)),
                )
                .await?,
            )
        }
    }
}
