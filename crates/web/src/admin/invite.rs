//! Accepting an invitation: the invited person chooses a password.

use super::new_password_hash;
use crate::core::auth::{Visitor, start_session};
use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{see_other, with_cookies};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::validate::Problem;
use serde::Deserialize;

/// The acceptance form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    csrf: String,
    password: String,
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    page: Page,
    email: String,
    org_name: String,
    errors: Problem,
}

/// Shows whom the invitation is for.
pub async fn form(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let user = state
        .store
        .invite(&crypto::digest(&token), state.now())
        .await?;
    let org = state.store.org(user.org_id).await?;
    let p = InvitePage {
        page: Page::visitor(v.lang, &v.csrf, "invite.title", "/login"),
        email: user.email,
        org_name: org.profile.name,
        errors: Problem::new(vec![]),
    };
    Ok(with_cookies(
        render(&p)?,
        v.csrf_cookie(state.config.secure_cookies),
    ))
}

/// Sets the password, spends the invitation and signs the user in.
pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    Form(f): Form<AcceptForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&f.csrf)?;
    let hash = crypto::digest(&token);
    let user = state.store.invite(&hash, state.now()).await?;
    let org = state.store.org(user.org_id).await?;
    let context = [
        user.email.as_str(),
        user.display_name.as_str(),
        org.profile.name.as_str(),
    ];
    match new_password_hash(
        &state,
        None,
        (&f.password, &f.password_confirm),
        false,
        &context,
    )
    .await?
    {
        Err(errors) => {
            let p = InvitePage {
                page: Page::visitor(v.lang, &v.csrf, "invite.title", "/login"),
                email: user.email,
                org_name: org.profile.name,
                errors,
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Ok(pw) => {
            let ip = v.ip.map(|i| i.to_string()).unwrap_or_default();
            let user = state
                .store
                .accept_invite(&hash, &pw, &ip, state.now())
                .await?;
            let cookie = start_session(&state, user.id, false, &ip).await?;
            Ok(with_cookies(see_other("/"), [cookie]))
        }
    }
}
