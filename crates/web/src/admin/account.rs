//! One's own account: password, two-factor authentication, API tokens, language, sessions.

use super::login::CsrfOnly;
use super::{new_password_hash, verify_blocking};
use crate::core::auth::{SignedIn, Visitor};
use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::http::{LANG_COOKIE, local_path, set_cookie};
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{see_other, with_cookies};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::Lang;
use mamori_domain::clock::format_jst;
use mamori_domain::password;
use mamori_domain::validate::Problem;
use mamori_store::{ApiToken, PasswordChange};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// A token as listed.
pub struct TokenRow {
    /// The token.
    pub token: ApiToken,
    /// Created, Japan time.
    pub created: String,
    /// Last used, Japan time, or empty.
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    email: String,
    roles: Vec<&'static str>,
    two_factor: bool,
    recovery_left: i64,
    tokens: Vec<TokenRow>,
    /// Whether any token is unrevoked (and could be kept through a password change).
    live_tokens: bool,
    errors: Problem,
    token_name: String,
    disable_error: Option<&'static str>,
}

async fn account_page(
    state: &AppState,
    s: &SignedIn,
    errors: Problem,
    disable_error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<AccountPage, AppError> {
    let tokens: Vec<TokenRow> = state
        .store
        .tokens(s.org.id, s.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            created: format_jst(t.created_at),
            last_used: t.last_used_at.map(format_jst).unwrap_or_default(),
            token: t,
        })
        .collect();
    let mut page = Page::signed_in(s, "account.title", "/account");
    if let Some(n) = notice {
        page = page.with_notice(n);
    }
    Ok(AccountPage {
        page,
        email: s.user.email.clone(),
        roles: s.user.roles.iter().map(|r| r.label(s.lang)).collect(),
        two_factor: s.user.totp_enabled,
        recovery_left: state.store.recovery_codes_left(s.user.id).await?,
        live_tokens: tokens.iter().any(|t| t.token.revoked_at.is_none()),
        tokens,
        errors,
        token_name: String::new(),
        disable_error,
    })
}

/// The account page.
pub async fn show(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    let notice = s.user.must_change_password.then_some("account.must_change");
    render(&account_page(&state, &s, Problem::new(vec![]), None, notice).await?)
}

/// The password change form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    password: String,
    password_confirm: String,
    /// Ticked to keep the API tokens; left unticked (or absent), they are revoked.
    keep_tokens: Option<String>,
}

/// Changes one's password: the current one, the rules for the account's 2FA state, no reuse.
pub async fn change_password(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let current_ok = match &s.user.password_hash {
        Some(h) => verify_blocking(f.current.clone(), h.clone()).await?,
        None => false,
    };
    let result = if current_ok {
        let context = [
            s.user.email.as_str(),
            s.user.display_name.as_str(),
            s.org.profile.name.as_str(),
        ];
        new_password_hash(
            &state,
            Some((s.org.id, s.user.id)),
            (&f.password, &f.password_confirm),
            s.user.totp_enabled,
            &context,
        )
        .await?
    } else {
        Err(Problem::field("current", "error.password_current"))
    };
    match result {
        Err(p) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(&state, &s, p, None, None).await?,
        ),
        Ok(hash) => {
            let change = PasswordChange {
                keep_session: Some(&s.session_hash),
                keep_tokens: f.keep_tokens.is_some(),
                ..PasswordChange::ending_everything(&hash)
            };
            state
                .store
                .set_password(&s.ctx(), s.user.id, &change)
                .await?;
            render(
                &account_page(
                    &state,
                    &s,
                    Problem::new(vec![]),
                    None,
                    Some("account.password_changed"),
                )
                .await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "totp_enrol.html")]
struct EnrolPage {
    page: Page,
    pending: bool,
    qr: String,
    secret: String,
    error: Option<&'static str>,
}

fn enrol_page(s: &SignedIn, secret: Option<&str>, error: Option<&'static str>) -> EnrolPage {
    let qr = secret
        .and_then(|sec| crypto::totp_url(sec, &s.user.email))
        .and_then(|u| crypto::qr_svg_data_url(&u))
        .unwrap_or_default();
    EnrolPage {
        page: Page::signed_in(s, "totp.enrol_title", "/account"),
        pending: secret.is_some(),
        qr,
        secret: secret.unwrap_or_default().to_string(),
        error,
    }
}

/// Two-factor enrolment: a start button, or the QR code of the pending secret.
pub async fn totp_enrol(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    if s.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    render(&enrol_page(
        &s,
        state.store.totp_secret(&s.user).as_deref(),
        None,
    ))
}

/// Starts enrolment with a new secret.
pub async fn totp_start(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    if s.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    state
        .store
        .totp_begin(&s.ctx(), s.user.id, &crypto::new_totp_secret())
        .await?;
    Ok(see_other("/account/totp"))
}

/// The confirmation code form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryPage {
    page: Page,
    codes: Vec<String>,
}

/// Confirms enrolment with a code from the app; shows the recovery codes once.
pub async fn totp_confirm(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let Some(secret) = state
        .store
        .totp_secret(&s.user)
        .filter(|_| !s.user.totp_enabled)
    else {
        return Ok(see_other("/account"));
    };
    let unix = u64::try_from(state.now().timestamp()).unwrap_or(0);
    let Some(step) = crypto::totp_check(&secret, &f.code, unix) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &enrol_page(&s, Some(&secret), Some("error.totp_wrong")),
        );
    };
    let codes = crypto::recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| crypto::digest(&crypto::normalise_recovery_code(c)))
        .collect();
    state
        .store
        .totp_enable(&s.ctx(), s.user.id, step, &hashes)
        .await?;
    render(&RecoveryPage {
        page: Page::signed_in(&s, "totp.recovery_title", "/account"),
        codes,
    })
}

/// The form that turns two-factor off, confirmed by the password.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisableForm {
    csrf: String,
    current: String,
}

/// Turns two-factor off, unless the password would then be too short for the rules.
pub async fn totp_disable(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<DisableForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let ok = match &s.user.password_hash {
        Some(h) => verify_blocking(f.current.clone(), h.clone()).await?,
        None => false,
    };
    let refusal = if !ok {
        Some("error.password_current")
    } else if !password::long_enough_without_two_factor(&f.current) {
        Some("error.totp_disable_short_password")
    } else {
        None
    };
    if let Some(key) = refusal {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(&state, &s, Problem::new(vec![]), Some(key), None).await?,
        );
    }
    state.store.totp_disable(&s.ctx(), s.user.id).await?;
    Ok(see_other("/account"))
}

/// The new token form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

#[derive(Template)]
#[template(path = "token_created.html")]
struct TokenCreatedPage {
    page: Page,
    name: String,
    token: String,
}

/// Creates an API token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let name = f.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        let mut p = account_page(
            &state,
            &s,
            Problem::field(
                "token_name",
                if name.is_empty() {
                    "error.required"
                } else {
                    "error.too_long"
                },
            ),
            None,
            None,
        )
        .await?;
        p.token_name = f.name.clone();
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let t = crypto::new_api_token();
    state
        .store
        .create_token(&s.ctx(), s.user.id, &name, &t.digest, &t.prefix)
        .await?;
    render(&TokenCreatedPage {
        page: Page::signed_in(&s, "token.created_title", "/account"),
        name,
        token: t.secret,
    })
}

/// Revokes one of one's tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    state.store.revoke_token(&s.ctx(), s.user.id, id).await?;
    Ok(see_other("/account"))
}

/// Ends all of one's other sessions.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let n = state
        .store
        .delete_user_sessions(s.user.id, Some(&s.session_hash))
        .await?;
    state
        .store
        .record(
            s.ctx().event(
                "auth.end_other_sessions",
                "user",
                s.user.id,
                json!({"ended": n}),
            ),
            state.now(),
        )
        .await?;
    render(
        &account_page(
            &state,
            &s,
            Problem::new(vec![]),
            None,
            Some("account.sessions_ended"),
        )
        .await?,
    )
}

/// The language switch.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LangForm {
    csrf: String,
    lang: String,
    back: String,
}

/// Switches the language: remembered per user when signed in, by cookie otherwise.
pub async fn switch_lang(
    State(state): State<AppState>,
    v: Visitor,
    s: Result<SignedIn, AppError>,
    Form(f): Form<LangForm>,
) -> Result<Response, AppError> {
    let lang = Lang::from_code(&f.lang).ok_or(AppError::BadRequest("error.malformed"))?;
    match &s {
        Ok(s) => {
            s.check_csrf(&f.csrf)?;
            state.store.set_lang(&s.ctx(), s.user.id, lang).await?;
        }
        Err(_) => v.check_csrf(&f.csrf)?,
    }
    // Only local paths, so the switch cannot be used to send people elsewhere.
    let back = local_path(&f.back).unwrap_or("/");
    Ok(with_cookies(
        see_other(back),
        [set_cookie(
            LANG_COOKIE,
            lang.code(),
            60 * 60 * 24 * 365,
            state.config.secure_cookies,
        )],
    ))
}
