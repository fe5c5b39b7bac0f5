//! Signing in (password, then TOTP or a recovery code when enabled) and out.

use super::verify_blocking;
use crate::core::auth::{SignedIn, Visitor, end_session_cookie, start_session};
use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::http::{LANG_COOKIE, set_cookie};
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{see_other, with_cookies};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::audit::AuditEvent;
use mamori_domain::throttle::{self, AddressLimit};
use mamori_store::{Ctx, LoginFailure, User};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// The login form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    /// The organisation chosen when the e-mail signs in to several.
    org: String,
}

/// An organisation to choose at login, when the password opens accounts in several.
struct OrgChoice {
    id: Uuid,
    name: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    error: Option<&'static str>,
    choices: Vec<OrgChoice>,
}

/// The login page (or the setup page while the installation is empty).
pub async fn form(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    if state.store.org_count().await? == 0 {
        return Ok(see_other("/setup"));
    }
    let p = LoginPage {
        page: Page::visitor(v.lang, &v.csrf, "login.title", "/login"),
        email: String::new(),
        error: None,
        choices: vec![],
    };
    Ok(with_cookies(
        render(&p)?,
        v.csrf_cookie(state.config.secure_cookies),
    ))
}

fn ctx_for(user: &User, ip: &str, now: chrono::DateTime<chrono::Utc>) -> Ctx {
    Ctx {
        org_id: user.org_id,
        actor_id: Some(user.id),
        actor_label: user.email.clone(),
        ip: ip.to_string(),
        now,
    }
}

fn refuse(
    v: &Visitor,
    email: &str,
    key: &'static str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let p = LoginPage {
        page: Page::visitor(v.lang, &v.csrf, "login.title", "/login"),
        email: email.to_string(),
        error: Some(key),
        choices: vec![],
    };
    render_status(status, &p)
}

/// The client address failures are counted under, and its limit.
fn address_of(state: &AppState, v: &Visitor) -> (Option<String>, AddressLimit) {
    (
        v.ip.map(throttle::address_key),
        AddressLimit::per_ten_minutes(state.config.login_failures_per_address),
    )
}

/// Checks the password; completes the login or asks for the TOTP code. A wrong password, an
/// unknown e-mail, a disabled account and one waiting out a lockout all get the same answer in
/// the same time, so that the form tells nobody which accounts exist or are locked.
pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&f.csrf)?;
    let now = state.now();
    let ip = v.ip.map(|i| i.to_string()).unwrap_or_default();
    let email = f.email.trim().to_lowercase();
    let (address, limit) = address_of(&state, &v);
    if let Some(address) = &address
        && !limit.allows(state.store.address_failures(address).await?, now)
    {
        state
            .store
            .address_refused(address, &email, &ip, now)
            .await?;
        return refuse(
            &v,
            &f.email,
            "error.too_many",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let mut candidates = state.store.login_candidates(&email).await?;
    if let Ok(org) = Uuid::parse_str(f.org.trim()) {
        candidates.retain(|(u, _)| u.org_id == org);
    }
    // One password check per account with the e-mail (a decoy when there is none or it has no
    // password yet), so the time depends on nothing an attacker could learn from.
    if candidates.is_empty() {
        verify_blocking(f.password.clone(), crypto::decoy_hash().to_string()).await?;
    }
    let mut verdicts = Vec::with_capacity(candidates.len());
    for (user, org) in candidates {
        let hash = user
            .password_hash
            .clone()
            .unwrap_or_else(|| crypto::decoy_hash().to_string());
        let password_ok =
            verify_blocking(f.password.clone(), hash).await? && user.password_hash.is_some();
        let failure = if user.disabled {
            Some(LoginFailure::Disabled)
        } else if user.is_locked(now) {
            Some(LoginFailure::WhileLocked)
        } else if !password_ok {
            Some(LoginFailure::Password)
        } else {
            None
        };
        verdicts.push((user, org, failure));
    }
    let accepted: Vec<_> = verdicts.iter().filter(|v| v.2.is_none()).collect();
    match accepted.as_slice() {
        [(user, _, _)] => return password_accepted(&state, user, &ip, now).await,
        [] => {}
        several => {
            // The password opens accounts in several organisations: the person says which.
            let p = LoginPage {
                page: Page::visitor(v.lang, &v.csrf, "login.title", "/login"),
                email: f.email.clone(),
                error: Some("login.choose_org"),
                choices: several
                    .iter()
                    .map(|(_, org, _)| OrgChoice {
                        id: org.id,
                        name: org.profile.name.clone(),
                    })
                    .collect(),
            };
            return render_status(StatusCode::OK, &p);
        }
    }
    // Nobody got in: every account tried counts the failure (another account of the same person
    // is left alone when one of them opened).
    for (user, _, why) in &verdicts {
        if let Some(why) = why {
            state
                .store
                .login_failed(&ctx_for(user, &ip, now), user.id, *why)
                .await?;
        }
    }
    if verdicts.is_empty() {
        state
            .store
            .record(
                AuditEvent {
                    org_id: None,
                    actor_id: None,
                    actor_label: email.clone(),
                    action: "auth.login_failed".into(),
                    object_type: "user".into(),
                    object_id: String::new(),
                    detail: json!({"reason": "unknown_email"}).to_string(),
                    ip: ip.clone(),
                    subject_org_id: None,
                },
                now,
            )
            .await?;
    }
    if let Some(address) = &address {
        state.store.address_failed(address, &limit, now).await?;
    }
    refuse(&v, &f.email, "error.login_failed", StatusCode::UNAUTHORIZED)
}

/// Completes a login whose password was right: the session, or the TOTP step first.
async fn password_accepted(
    state: &AppState,
    user: &User,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, AppError> {
    let ctx = ctx_for(user, ip, now);
    let mut cookies = vec![];
    if let Some(l) = user.lang {
        cookies.push(set_cookie(
            LANG_COOKIE,
            l.code(),
            60 * 60 * 24 * 365,
            state.config.secure_cookies,
        ));
    }
    if user.totp_enabled {
        cookies.push(start_session(state, user.id, true, ip).await?);
        return Ok(with_cookies(see_other("/login/totp"), cookies));
    }
    state
        .store
        .login_succeeded(&ctx, user.id, "password")
        .await?;
    cookies.push(start_session(state, user.id, false, ip).await?);
    Ok(with_cookies(see_other("/"), cookies))
}

/// The second step form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TotpForm {
    csrf: String,
    code: String,
}

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage {
    page: Page,
    error: Option<&'static str>,
}

async fn pending(state: &AppState, v: &Visitor) -> Result<Option<(String, User)>, AppError> {
    let Some(secret) = &v.session_secret else {
        return Ok(None);
    };
    let hash = crypto::digest(secret);
    match state.store.session(&hash, state.now()).await? {
        Some(s) if s.awaiting_totp => Ok(Some((hash, s.user))),
        _ => Ok(None),
    }
}

/// Asks for the code from the authenticator app.
pub async fn totp_form(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    if pending(&state, &v).await?.is_none() {
        return Ok(see_other("/login"));
    }
    let p = TotpPage {
        page: Page::visitor(v.lang, &v.csrf, "totp.title", "/login/totp"),
        error: None,
    };
    Ok(with_cookies(
        render(&p)?,
        v.csrf_cookie(state.config.secure_cookies),
    ))
}

/// Checks a TOTP code (each time step accepted once) or a recovery code, then completes the login
/// with a new session id.
pub async fn totp_submit(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<TotpForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&f.csrf)?;
    let Some((pending_hash, user)) = pending(&state, &v).await? else {
        return Ok(see_other("/login"));
    };
    let now = state.now();
    let ip = v.ip.map(|i| i.to_string()).unwrap_or_default();
    let ctx = ctx_for(&user, &ip, now);
    if user.is_locked(now) || user.disabled {
        state.store.delete_session(&pending_hash).await?;
        return Ok(see_other("/login"));
    }
    let unix = u64::try_from(now.timestamp()).unwrap_or(0);
    let by_code = match state
        .store
        .totp_secret(&user)
        .and_then(|s| crypto::totp_check(&s, &f.code, unix))
    {
        Some(step) => state.store.totp_accept_step(user.id, step).await?,
        None => false,
    };
    let method = if by_code {
        "totp"
    } else if f.code.contains('-')
        && state
            .store
            .use_recovery_code(
                user.id,
                &crypto::digest(&crypto::normalise_recovery_code(&f.code)),
                now,
            )
            .await?
    {
        "recovery_code"
    } else {
        // Reaching a lockout here ends every session of the account, this pending one included.
        let lockout = state
            .store
            .login_failed(&ctx, user.id, LoginFailure::SecondFactor)
            .await?;
        let (address, limit) = address_of(&state, &v);
        if let Some(address) = &address {
            state.store.address_failed(address, &limit, now).await?;
        }
        if lockout.until.is_some() {
            return Ok(see_other("/login"));
        }
        let p = TotpPage {
            page: Page::visitor(v.lang, &v.csrf, "totp.title", "/login/totp"),
            error: Some("error.totp_wrong"),
        };
        return render_status(StatusCode::UNAUTHORIZED, &p);
    };
    state.store.delete_session(&pending_hash).await?;
    state.store.login_succeeded(&ctx, user.id, method).await?;
    let cookie = start_session(&state, user.id, false, &ip).await?;
    Ok(with_cookies(see_other("/"), [cookie]))
}

/// The logout form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    /// The form token.
    pub csrf: String,
}

/// Ends the session.
pub async fn logout(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    state.store.delete_session(&s.session_hash).await?;
    state
        .store
        .record(
            s.ctx().event("auth.logout", "user", s.user.id, json!({})),
            state.now(),
        )
        .await?;
    Ok(with_cookies(
        see_other("/login"),
        [end_session_cookie(state.config.secure_cookies)],
    ))
}
