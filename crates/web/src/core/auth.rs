//! Who is asking: a visitor, a signed-in browser session, or an API token, decided in extractors
//! so that no handler can forget to check.

use crate::core::client::client_ip;
use crate::core::crypto;
use crate::core::error::AppError;
use crate::core::http::{cookie, request_lang, set_cookie};
use crate::core::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use mamori_domain::Lang;
use mamori_domain::authz::{Actor, Permission};
use mamori_store::{Ctx, NewSession, Organisation, User};
use std::net::IpAddr;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mamori_session";
/// The cookie holding a visitor's form token (double-submit) before signing in.
pub const VISITOR_CSRF_COOKIE: &str = "mamori_csrf";

fn actor_of(user: &User, org: &Organisation) -> Actor {
    Actor {
        user_id: user.id,
        org_id: org.id,
        org_kind: org.profile.kind,
        home_org: org.home,
        roles: user.roles.clone(),
        label: user.email.clone(),
    }
}

/// Whoever a request acts for, however they proved it (session or token): what every service
/// function takes.
#[derive(Clone, Debug)]
pub struct Caller {
    /// What the user may do.
    pub actor: Actor,
    /// The user.
    pub user: User,
    /// The user's organisation.
    pub org: Organisation,
    /// The language of pages and messages.
    pub lang: Lang,
    /// Client address (empty if unknown).
    pub ip: String,
    /// The instant the request arrived; every rule of the request reads time from here.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Caller {
    fn new(
        (user, org): (User, Organisation),
        lang: Lang,
        parts: &Parts,
        state: &AppState,
        now: DateTime<Utc>,
    ) -> Caller {
        Caller {
            actor: actor_of(&user, &org),
            user,
            org,
            lang,
            ip: client_ip(parts, &state.config.trusted_proxies)
                .map(|i| i.to_string())
                .unwrap_or_default(),
            now,
        }
    }

    /// Fails with 403 unless the caller holds a permission.
    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.actor.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The audit context of a change by this caller in their organisation.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            org_id: self.org.id,
            actor_id: Some(self.user.id),
            actor_label: self.user.email.clone(),
            ip: self.ip.clone(),
            now: self.now,
        }
    }

    /// Today in Japan, when the request arrived.
    pub fn today(&self) -> chrono::NaiveDate {
        mamori_domain::clock::jst_date(self.now)
    }
}

/// A signed-in browser session (password and, if enabled, TOTP done).
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// Who is signed in.
    pub caller: Caller,
    /// The session's form token.
    pub csrf: String,
    /// Hash of the session cookie.
    pub session_hash: String,
    /// Where this page can be shown again: the address of a page read with GET, or for a form
    /// sent with POST the page it was sent from (so that switching the language on a form that
    /// came back with a fault returns to that form, not to the start of the section).
    pub return_to: Option<String>,
}

/// The local address a request's page can be shown again at (see [`SignedIn::return_to`]).
fn return_to(parts: &Parts) -> Option<String> {
    let local = |p: &str| {
        (p.starts_with('/') && !p.starts_with("//") && !p.contains(['\\', '\r', '\n']))
            .then(|| p.to_string())
    };
    if parts.method == axum::http::Method::GET {
        return parts.uri.path_and_query().and_then(|p| local(p.as_str()));
    }
    // The Referer of a form is the page it is on; only its path and query are kept.
    let referer = parts
        .headers
        .get(axum::http::header::REFERER)?
        .to_str()
        .ok()?;
    let after_host = referer
        .split_once("://")
        .map(|(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]))
        .unwrap_or(referer);
    local(after_host)
}

impl std::ops::Deref for SignedIn {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl SignedIn {
    /// Fails unless the submitted form token is this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if crypto::same(submitted, &self.csrf) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    pub(crate) async fn from_session(parts: &Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(AppError::Unauthorized);
        };
        let hash = crypto::digest(secret);
        let now = state.now();
        let session = state
            .store
            .session(&hash, now)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if session.awaiting_totp {
            return Err(AppError::Unauthorized);
        }
        // A one-time password opens only the pages that replace it.
        let path = parts.uri.path();
        if session.user.must_change_password
            && !matches!(path, "/account" | "/account/password" | "/logout" | "/lang")
        {
            return Err(AppError::MustChangePassword);
        }
        let lang = session
            .user
            .lang
            .unwrap_or_else(|| request_lang(&parts.headers));
        Ok(SignedIn {
            caller: Caller::new((session.user, session.org), lang, parts, state, now),
            csrf: session.csrf,
            session_hash: hash,
            return_to: return_to(parts),
        })
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // The route's guard has usually looked the session up already.
        if let Some(s) = parts.extensions.get::<SignedIn>() {
            return Ok(s.clone());
        }
        let s = SignedIn::from_session(parts, state).await?;
        parts.extensions.insert(s.clone());
        Ok(s)
    }
}

/// Someone not (yet) signed in, with a form token kept in a cookie.
pub struct Visitor {
    /// The page language.
    pub lang: Lang,
    /// The form token.
    pub csrf: String,
    /// Whether the token is new and its cookie must be set.
    pub new_token: bool,
    /// Client address.
    pub ip: Option<IpAddr>,
    /// The session secret from the cookie, if any (e.g. half-way through a TOTP login).
    pub session_secret: Option<String>,
}

impl Visitor {
    /// Fails unless the submitted form token matches the cookie.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if !self.new_token && crypto::same(submitted, &self.csrf) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    /// The `Set-Cookie` for a new form token, if one is needed.
    pub fn csrf_cookie(&self, secure: bool) -> Option<String> {
        self.new_token
            .then(|| set_cookie(VISITOR_CSRF_COOKIE, &self.csrf, 60 * 60 * 24, secure))
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let existing = cookie(&parts.headers, VISITOR_CSRF_COOKIE)
            .filter(|c| c.len() >= 20)
            .map(str::to_string);
        let new_token = existing.is_none();
        Ok(Visitor {
            lang: request_lang(&parts.headers),
            csrf: existing.unwrap_or_else(|| crypto::random_token(24)),
            new_token,
            ip: client_ip(parts, &state.config.trusted_proxies),
            session_secret: cookie(&parts.headers, SESSION_COOKIE).map(str::to_string),
        })
    }
}

/// A caller of the JSON API authenticated by `Authorization: Bearer <token>`.
#[derive(Clone, Debug)]
pub struct ApiCaller(pub Caller);

impl std::ops::Deref for ApiCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl ApiCaller {
    async fn from_token(parts: &Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(parts).ok_or(AppError::Unauthorized)?;
        Ok(ApiCaller(token_caller(parts, state, token, None).await?))
    }
}

/// The caller an API token stands for; with `user`, only if the token is that user's (HTTP
/// Basic names the user beside the token).
async fn token_caller(
    parts: &Parts,
    state: &AppState,
    token: &str,
    user: Option<&str>,
) -> Result<Caller, AppError> {
    let now = state.now();
    let (owner, org) = state
        .store
        .token_owner(&crypto::digest(token), now)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.is_some_and(|u| !u.trim().eq_ignore_ascii_case(&owner.email)) {
        return Err(AppError::Unauthorized);
    }
    let lang = request_lang(&parts.headers);
    Ok(Caller::new((owner, org), lang, parts, state, now))
}

/// A caller of a protocol whose clients authenticate by HTTP Basic (user name and API token as
/// the password) or by a Bearer token: TAXII 2.1.
#[derive(Clone, Debug)]
pub struct BasicOrBearer(pub Caller);

impl std::ops::Deref for BasicOrBearer {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// The user name and password of an `Authorization: Basic` header, if the request has one.
fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

impl FromRequestParts<AppState> for BasicOrBearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(c) = parts.extensions.get::<BasicOrBearer>() {
            return Ok(c.clone());
        }
        let caller = match (bearer_token(parts), basic_credentials(&parts.headers)) {
            (Some(token), _) => token_caller(parts, state, token, None).await?,
            (None, Some((user, token))) => token_caller(parts, state, &token, Some(&user)).await?,
            (None, None) => return Err(AppError::Unauthorized),
        };
        let c = BasicOrBearer(caller);
        parts.extensions.insert(c.clone());
        Ok(c)
    }
}

/// The token of an `Authorization: Bearer` header, if the request has one.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    bearer_token_of(&parts.headers)
}

/// The token of an `Authorization: Bearer` header among these headers, if there is one.
pub fn bearer_token_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(c) = parts.extensions.get::<ApiCaller>() {
            return Ok(c.clone());
        }
        let c = ApiCaller::from_token(parts, state).await?;
        parts.extensions.insert(c.clone());
        Ok(c)
    }
}

/// Starts a session for a user and returns the `Set-Cookie` value carrying its secret.
pub async fn start_session(
    state: &AppState,
    user_id: uuid::Uuid,
    awaiting_totp: bool,
    ip: &str,
) -> Result<String, AppError> {
    let secret = crypto::random_token(32);
    let now = state.now();
    let hours = if awaiting_totp {
        0
    } else {
        state.config.session_hours
    };
    let expires_at = now
        + chrono::Duration::hours(hours)
        + chrono::Duration::minutes(if awaiting_totp { 10 } else { 0 });
    let csrf = crypto::random_token(24);
    state
        .store
        .create_session(&NewSession {
            id_hash: &crypto::digest(&secret),
            user_id,
            csrf: &csrf,
            awaiting_totp,
            now,
            expires_at,
            ip,
        })
        .await?;
    let max_age = (expires_at - now).num_seconds();
    Ok(set_cookie(
        SESSION_COOKIE,
        &secret,
        max_age,
        state.config.secure_cookies,
    ))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn end_session_cookie(secure: bool) -> String {
    set_cookie(SESSION_COOKIE, "", 0, secure)
}
