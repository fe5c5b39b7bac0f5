//! First start: create the home organisation and its administrator.

use super::new_password_hash;
use crate::core::auth::{Visitor, start_session};
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{display_name, see_other, with_cookies};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::org::{InstitutionType, OrgDraft, OrgKind};
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::validate::{self, FieldError, Problem};
use mamori_store::NewUser;
use serde::Deserialize;

/// What the setup form submits.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    csrf: String,
    #[serde(flatten)]
    org: OrgFields,
    display_name: String,
    email: String,
    password: String,
    password_confirm: String,
}

/// The organisation fields shared by the setup and organisation forms.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct OrgFields {
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// Institution type code.
    pub institution_type: String,
    /// Beds as typed.
    pub beds: String,
}

impl OrgFields {
    /// The domain draft.
    pub fn draft(&self) -> OrgDraft {
        OrgDraft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            institution_type: self.institution_type.clone(),
            beds: self.beds.clone(),
        }
    }
}

/// A choice in a select box.
pub struct Choice {
    /// Stable code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
}

/// The choices of organisation kind and institution type in a language.
pub fn org_choices(lang: mamori_domain::Lang) -> (Vec<Choice>, Vec<Choice>) {
    (
        OrgKind::ALL
            .into_iter()
            .map(|k| Choice {
                code: k.code(),
                label: k.label(lang),
            })
            .collect(),
        InstitutionType::ALL
            .into_iter()
            .map(|k| Choice {
                code: k.code(),
                label: k.label(lang),
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    page: Page,
    org: OrgFields,
    display_name: String,
    email: String,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    errors: Problem,
}

fn page(v: &Visitor, f: &SetupForm, errors: Problem) -> SetupPage {
    let (kinds, types) = org_choices(v.lang);
    SetupPage {
        page: Page::visitor(v.lang, &v.csrf, "setup.title", "/setup"),
        org: f.org.clone(),
        display_name: f.display_name.clone(),
        email: f.email.clone(),
        kinds,
        types,
        errors,
    }
}

/// The setup form, only while no organisation exists.
pub async fn form(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    if state.store.org_count().await? > 0 {
        return Ok(see_other("/login"));
    }
    let defaults = SetupForm {
        org: OrgFields {
            kind: "institution".into(),
            institution_type: "hospital".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(with_cookies(
        render(&page(&v, &defaults, Problem::new(vec![])))?,
        v.csrf_cookie(state.config.secure_cookies),
    ))
}

/// Creates the home organisation and administrator, then signs the administrator in.
pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<SetupForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&f.csrf)?;
    if state.store.org_count().await? > 0 {
        return Err(AppError::Conflict("error.setup_done"));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let profile = f
        .org
        .draft()
        .validate()
        .map_err(|p| errors.extend(p.errors))
        .ok();
    let name = display_name(&f.display_name, &mut errors);
    let email = validate::email(&f.email)
        .map_err(|k| errors.push(FieldError::new("email", k)))
        .ok();
    let context = [
        f.email.as_str(),
        f.display_name.as_str(),
        f.org.name.as_str(),
    ];
    let hash = match new_password_hash(
        &state,
        None,
        (&f.password, &f.password_confirm),
        false,
        &context,
    )
    .await?
    {
        Ok(h) => Some(h),
        Err(p) => {
            errors.extend(p.errors);
            None
        }
    };
    let (Some(profile), Some(email), Some(hash), true) = (profile, email, hash, errors.is_empty())
    else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&v, &f, Problem::new(errors)),
        );
    };
    let admin = NewUser {
        email,
        display_name: name,
        roles: RoleSet::new([Role::Admin, Role::SecurityManager]),
        password_hash: Some(hash),
        must_change_password: false,
    };
    let ip = v.ip.map(|i| i.to_string()).unwrap_or_default();
    let (org, user) = state
        .store
        .setup(&profile, &admin, &ip, state.now())
        .await?;
    let ctx = mamori_store::Ctx {
        org_id: org.id,
        actor_id: Some(user.id),
        actor_label: user.email.clone(),
        ip: ip.clone(),
        now: state.now(),
    };
    state.store.login_succeeded(&ctx, user.id, "setup").await?;
    let cookie = start_session(&state, user.id, false, &ip).await?;
    Ok(with_cookies(see_other("/"), [cookie]))
}
