//! What every page shares: language, the form token, the signed-in user and the navigation.

use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::i18n::Tr;
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use mamori_domain::Lang;
use mamori_domain::authz::Permission;

/// One link of the navigation.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Message key of its label.
    pub key: &'static str,
    /// Whether it is the current area.
    pub active: bool,
}

/// The frame of a page: language, form token, who is signed in, and the navigation.
pub struct Page {
    /// Messages.
    pub tr: Tr,
    /// The form token to put in every form.
    pub csrf: String,
    /// The page title's message key.
    pub title_key: &'static str,
    /// Signed-in user's name, or empty for visitors.
    pub user_name: String,
    /// Signed-in user's organisation, or empty.
    pub org_name: String,
    /// Navigation links (empty for visitors).
    pub nav: Vec<NavItem>,
    /// Where the language switch returns to.
    pub here: String,
    /// A one-line notice shown at the top.
    pub notice: Option<String>,
    /// The window title when the page names its subject (a register), instead of its key's.
    pub title_text: Option<String>,
}

impl Page {
    /// A message in the page's language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.tr.t(key)
    }

    /// The page's language code for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    /// The other language's code and label, for the switch.
    pub fn other_lang(&self) -> (&'static str, &'static str) {
        match self.tr.lang {
            Lang::Ja => ("en", "English"),
            Lang::En => ("ja", "日本語"),
        }
    }

    /// The frame for a visitor (no navigation).
    pub fn visitor(lang: Lang, csrf: &str, title_key: &'static str, here: &str) -> Page {
        Page {
            tr: Tr::new(lang),
            csrf: csrf.to_string(),
            title_key,
            user_name: String::new(),
            org_name: String::new(),
            nav: Vec::new(),
            here: here.to_string(),
            notice: None,
            title_text: None,
        }
    }

    /// The frame for a signed-in user, with the areas the user may open.
    pub fn signed_in(s: &SignedIn, title_key: &'static str, here: &str) -> Page {
        let a = &s.actor;
        let mut nav = vec![
            ("/", "nav.dashboard", true),
            ("/report", "nav.report", a.can(Permission::ReportAnomalies)),
            (
                "/incidents",
                "nav.incidents",
                a.can(Permission::ViewIncidents),
            ),
            ("/preparedness", "nav.preparedness", true),
            (
                "/registers",
                "nav.registers",
                a.can(Permission::ViewRegisters),
            ),
        ];
        nav.push((
            "/assessments",
            "nav.assessments",
            a.can(Permission::ViewAssessments),
        ));
        nav.push(("/users", "nav.users", a.can(Permission::ManageUsers)));
        nav.push(("/organisation", "nav.organisation", true));
        nav.push((
            "/organisations",
            "nav.organisations",
            a.can(Permission::RegisterOrganisations),
        ));
        nav.push(("/audit", "nav.audit", a.can(Permission::ViewAudit)));
        nav.push(("/account", "nav.account", true));
        let nav = nav
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(href, key, _)| NavItem {
                href,
                key,
                active: if href == "/" {
                    here == "/"
                } else {
                    here.starts_with(href)
                        && (here.len() == href.len()
                            || here.as_bytes().get(href.len()) == Some(&b'/'))
                },
            })
            .collect();
        Page {
            tr: Tr::new(s.lang),
            csrf: s.csrf.clone(),
            title_key,
            user_name: s.user.display_name.clone(),
            org_name: s.org.profile.name.clone(),
            nav,
            here: s.return_to.clone().unwrap_or_else(|| here.to_string()),
            notice: None,
            title_text: None,
        }
    }

    /// Names the page after its subject (a register's name) in the window title.
    pub fn titled(mut self, title: &str) -> Page {
        self.title_text = Some(title.to_string());
        self
    }

    /// The window title: the subject's name, or the title key's message.
    pub fn title(&self) -> &str {
        self.title_text
            .as_deref()
            .unwrap_or_else(|| self.tr.t(self.title_key))
    }

    /// Sets the notice.
    pub fn with_notice(mut self, key: &'static str) -> Page {
        self.notice = Some(self.tr.t(key).to_string());
        self
    }
}

/// Renders a template into an HTML response.
pub fn render(t: &impl Template) -> Result<Response, AppError> {
    t.render()
        .map(|h| Html(h).into_response())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Renders a template with a status (e.g. 422 for a form with errors).
pub fn render_status(
    status: axum::http::StatusCode,
    t: &impl Template,
) -> Result<Response, AppError> {
    t.render()
        .map(|h| (status, Html(h)).into_response())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The stylesheet (a file, so the CSP needs no `unsafe-inline`).
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/mamori.css"),
    )
}
