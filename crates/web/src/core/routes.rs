//! The route table: every page and API route with who may reach it, built by each capability
//! and enforced by a guard that runs before any handler reads the request body. The same table
//! drives the router, the OpenAPI document and the tests that try every route as every role.

use crate::core::auth::{ApiCaller, SignedIn};
use crate::core::error::AppError;
use crate::core::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use mamori_domain::authz::Permission;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, signed in or not (login, setup, health).
    Public,
    /// Any signed-in user (their own account, the contact chart).
    SignedIn,
    /// Signed-in users holding a permission.
    Holds(Permission),
    /// No one: an API operation whose document names a permission that does not exist.
    Nobody,
}

/// What a page route takes as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Nothing (GET).
    None,
    /// A urlencoded form.
    Form,
    /// A multipart form with a `file` part.
    Multipart,
}

/// A page route as the table lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRoute {
    /// `GET` or `POST`.
    pub method: Method,
    /// The path pattern, e.g. `/incidents/{id}`.
    pub path: &'static str,
    /// Who may reach it.
    pub guard: Guard,
    /// What it takes.
    pub body: Body,
}

/// A route of another protocol (TAXII 2.1) as the table lists it: its handler authenticates the
/// caller as the protocol says and then holds it to this guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolRoute {
    /// The method.
    pub method: Method,
    /// The path pattern, e.g. `/taxii2/hub/collections/{id}/`.
    pub path: &'static str,
    /// Who may reach it.
    pub guard: Guard,
}

/// A capability's routes: pages, API operations and other protocols' routes, each with its guard.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    pages: Vec<PageRoute>,
    protocols: Vec<ProtocolRoute>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Routes {
        Routes {
            router: OpenApiRouter::default(),
            pages: Vec::new(),
            protocols: Vec::new(),
        }
    }

    fn page(
        mut self,
        method: Method,
        path: &'static str,
        guard: Guard,
        body: Body,
        mr: MethodRouter<AppState>,
    ) -> Routes {
        let mr = match guard {
            Guard::Public => mr,
            _ => mr.route_layer(from_fn(move |req: Request, next: Next| {
                page_guard(guard, req, next)
            })),
        };
        self.router = self.router.route(path, mr);
        self.pages.push(PageRoute {
            method,
            path,
            guard,
            body,
        });
        self
    }

    /// A page read with GET.
    pub fn get<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.page(Method::GET, path, guard, Body::None, get(handler))
    }

    /// A form posted to a page.
    pub fn post<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.page(Method::POST, path, guard, Body::Form, post(handler))
    }

    /// A form posted to a page that may carry up to `limit` bytes (a table carried back from an
    /// import's review page).
    pub fn post_sized<H, T>(
        self,
        path: &'static str,
        guard: Guard,
        limit: usize,
        handler: H,
    ) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mr = post(handler).layer(DefaultBodyLimit::max(limit));
        self.page(Method::POST, path, guard, Body::Form, mr)
    }

    /// A multipart form with a file, up to `limit` bytes.
    pub fn upload<H, T>(self, path: &'static str, guard: Guard, limit: usize, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mr = post(handler).layer(DefaultBodyLimit::max(limit));
        self.page(Method::POST, path, guard, Body::Multipart, mr)
    }

    /// API operations (from `utoipa_axum::routes!`). The permission each needs is the scope of its
    /// `token` security requirement in the OpenAPI document; the guard enforces exactly that.
    pub fn api(self, ops: UtoipaMethodRouter<AppState>) -> Routes {
        self.api_with(ops, None)
    }

    /// API operations taking a multipart upload of up to `limit` bytes.
    pub fn api_upload(self, ops: UtoipaMethodRouter<AppState>, limit: usize) -> Routes {
        self.api_with(ops, Some(limit))
    }

    fn api_with(
        mut self,
        (schemas, paths, mr): UtoipaMethodRouter<AppState>,
        limit: Option<usize>,
    ) -> Routes {
        let guards = Arc::new(api_guards(&paths));
        let mr = mr.route_layer(from_fn(move |req: Request, next: Next| {
            let guard = guards.get(req.method()).copied().unwrap_or(Guard::Public);
            api_guard(guard, req, next)
        }));
        let mr = match limit {
            Some(n) => mr.layer(DefaultBodyLimit::max(n)),
            None => mr,
        };
        self.router = self.router.routes((schemas, paths, mr));
        self
    }

    /// A route of another protocol (TAXII 2.1), outside the page table and the API document: its
    /// handlers authenticate the caller as that protocol says and hold it to the guard listed for
    /// each method (which the tenancy matrix checks).
    pub fn protocol(
        mut self,
        path: &'static str,
        guards: &[(Method, Guard)],
        mr: MethodRouter<AppState>,
    ) -> Routes {
        self.router = self.router.route(path, mr);
        self.protocols
            .extend(guards.iter().map(|(method, guard)| ProtocolRoute {
                method: method.clone(),
                path,
                guard: *guard,
            }));
        self
    }

    /// The routes of other protocols, with their guards.
    pub fn protocol_table(&self) -> &[ProtocolRoute] {
        &self.protocols
    }

    /// These routes and another capability's.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.pages.extend(other.pages);
        self.protocols.extend(other.protocols);
        self
    }

    /// The router, the OpenAPI paths of its API, and the page table.
    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Vec<PageRoute>) {
        (self.router, self.pages)
    }
}

/// The guard of each method of an API path, read from the operations' security requirements:
/// none means public; `token` without scopes means any token holder; a scope names a permission.
fn api_guards(paths: &utoipa::openapi::path::Paths) -> BTreeMap<Method, Guard> {
    let mut out = BTreeMap::new();
    let Ok(serde_json::Value::Object(items)) = serde_json::to_value(paths) else {
        return out;
    };
    for item in items.values() {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let scopes = op
                .get("security")
                .and_then(|s| s.as_array())
                .and_then(|reqs| reqs.iter().find_map(|r| r.get("token")))
                .and_then(|t| t.as_array());
            let guard = match scopes {
                None => Guard::Public,
                Some(scopes) => match scopes
                    .first()
                    .and_then(|s| s.as_str())
                    .map(Permission::from_code)
                {
                    None => Guard::SignedIn,
                    Some(Some(p)) => Guard::Holds(p),
                    // An unknown scope is a fault of the document: refuse everyone rather than
                    // open the route.
                    Some(None) => Guard::Nobody,
                },
            };
            out.insert(method, guard);
        }
    }
    out
}

async fn page_guard(guard: Guard, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Some(state) = parts.extensions.get::<AppState>().cloned() else {
        return AppError::Internal("no application state".into()).into_response();
    };
    let s = match SignedIn::from_request_parts(&mut parts, &state).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = allowed(guard, &s.actor) {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

async fn api_guard(guard: Guard, req: Request, next: Next) -> Response {
    if guard == Guard::Public {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Some(state) = parts.extensions.get::<AppState>().cloned() else {
        return AppError::Internal("no application state".into()).into_response();
    };
    let c = match ApiCaller::from_request_parts(&mut parts, &state).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = allowed(guard, &c.actor) {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

fn allowed(guard: Guard, actor: &mamori_domain::authz::Actor) -> Result<(), AppError> {
    match guard {
        Guard::Public | Guard::SignedIn => Ok(()),
        Guard::Holds(p) if actor.can(p) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}
