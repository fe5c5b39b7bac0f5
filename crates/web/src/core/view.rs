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
    /// Whether it is the current page's entry.
    pub active: bool,
}

/// One entry of the top navigation: a task (自己点検, 台帳, インシデント, 設定) with the pages of
/// it the user may open; it opens on the first of them.
pub struct NavGroup {
    /// Where it goes: its first page the user may open.
    pub href: &'static str,
    /// Message key of its label.
    pub key: &'static str,
    /// Whether the current page belongs to it.
    pub active: bool,
    /// Its pages the user may open, shown under the header while it is active.
    pub items: Vec<NavItem>,
}

/// The navigation by task: each group's key, the other paths that belong to it, and its pages
/// with the permission each needs (none: every signed-in user).
type NavTable = [(
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str, Option<Permission>)],
)];

const NAV: &NavTable = &[
    ("nav.home", &[], &[("/", "nav.dashboard", None)]),
    (
        "nav.assessments",
        &[],
        &[
            (
                "/assessments",
                "nav.assessments",
                Some(Permission::ViewAssessments),
            ),
            (
                "/oversight/submit",
                "nav.submit_checklist",
                Some(Permission::SubmitChecklist),
            ),
            (
                "/oversight",
                "nav.oversight",
                Some(Permission::ViewOversight),
            ),
            (
                "/oversight/inspections",
                "nav.inspections",
                Some(Permission::ViewOversight),
            ),
            (
                "/oversight/my-inspections",
                "nav.my_inspections",
                Some(Permission::SubmitChecklist),
            ),
            (
                "/oversight/jurisdictions",
                "nav.jurisdictions",
                Some(Permission::RegisterOrganisations),
            ),
        ],
    ),
    (
        "nav.registers",
        &[],
        &[
            (
                "/registers",
                "nav.registers_all",
                Some(Permission::ViewRegisters),
            ),
            (
                "/registers/devices",
                "nav.devices",
                Some(Permission::ViewRegisters),
            ),
            (
                "/registers/findings",
                "nav.findings",
                Some(Permission::ViewRegisters),
            ),
            (
                "/registers/accounts",
                "nav.accounts_review",
                Some(Permission::ViewRegisters),
            ),
        ],
    ),
    (
        "nav.incidents",
        &["/reports"],
        &[
            (
                "/incidents",
                "nav.incident_list",
                Some(Permission::ViewIncidents),
            ),
            ("/report", "nav.report", Some(Permission::ReportAnomalies)),
            ("/preparedness", "nav.preparedness", None),
        ],
    ),
    (
        "nav.sharing",
        &[],
        &[
            ("/sharing", "nav.sharing_hub", Some(Permission::ViewSharing)),
            (
                "/sharing/alerts",
                "nav.alerts",
                Some(Permission::ViewSharing),
            ),
            (
                "/sharing/drafts",
                "nav.share_drafts",
                Some(Permission::ShareThreatInformation),
            ),
        ],
    ),
    (
        "nav.settings",
        &[],
        &[
            ("/organisation", "nav.organisation", None),
            ("/users", "nav.users", Some(Permission::ManageUsers)),
            (
                "/organisations",
                "nav.organisations",
                Some(Permission::RegisterOrganisations),
            ),
            ("/audit", "nav.audit", Some(Permission::ViewAudit)),
            ("/account", "nav.account", None),
        ],
    ),
];

/// Whether page `here` is `href` or below it (`/` only itself).
fn under(here: &str, href: &str) -> bool {
    if href == "/" {
        return here == "/";
    }
    here.starts_with(href)
        && (here.len() == href.len() || here.as_bytes().get(href.len()) == Some(&b'/'))
}

/// The navigation a user with these permissions sees on page `here`.
fn navigation(can: impl Fn(Permission) -> bool, here: &str) -> Vec<NavGroup> {
    let path = here.split(['?', '#']).next().unwrap_or(here);
    NAV.iter()
        .filter_map(|(key, also, pages)| {
            let shown: Vec<_> = pages
                .iter()
                .filter(|(_, _, p)| p.is_none_or(&can))
                .collect();
            let first = shown.first()?;
            // The page's entry is the most specific one it is under (機器台帳 over 台帳一覧).
            let current = shown
                .iter()
                .filter(|(href, _, _)| under(path, href))
                .max_by_key(|(href, _, _)| href.len())
                .map(|(href, _, _)| *href);
            let items = shown
                .iter()
                .map(|(href, k, _)| NavItem {
                    href,
                    key: k,
                    active: current == Some(*href),
                })
                .collect();
            Some(NavGroup {
                href: first.0,
                key,
                active: current.is_some() || also.iter().any(|a| under(path, a)),
                items,
            })
        })
        .collect()
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
    /// The navigation by task (empty for visitors).
    pub nav: Vec<NavGroup>,
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
        let nav = navigation(|p| s.actor.can(p), here);
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

    /// The pages of the current task, shown under the header when there is more than one.
    pub fn subnav(&self) -> Option<&NavGroup> {
        self.nav.iter().find(|g| g.active && g.items.len() > 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(groups: &[NavGroup]) -> Vec<&'static str> {
        groups.iter().map(|g| g.key).collect()
    }

    #[test]
    fn the_navigation_has_at_most_six_tasks_and_each_role_sees_what_it_may_use() {
        let all = navigation(|_| true, "/");
        assert!(all.len() <= 6);
        assert_eq!(
            keys(&all),
            [
                "nav.home",
                "nav.assessments",
                "nav.registers",
                "nav.incidents",
                "nav.sharing",
                "nav.settings"
            ]
        );
        // Staff who may only report: home, the report form with the contacts, and settings.
        let staff = navigation(|p| p == Permission::ReportAnomalies, "/");
        assert_eq!(keys(&staff), ["nav.home", "nav.incidents", "nav.settings"]);
        let incidents = &staff[1];
        assert_eq!(incidents.href, "/report");
        assert_eq!(
            incidents.items.iter().map(|i| i.href).collect::<Vec<_>>(),
            ["/report", "/preparedness"]
        );
    }

    #[test]
    fn the_current_page_marks_its_task_and_its_most_specific_entry() {
        let nav = navigation(|_| true, "/registers/devices/123?x=1");
        let regs = nav
            .iter()
            .find(|g| g.key == "nav.registers")
            .expect("registers");
        assert!(regs.active);
        let active: Vec<_> = regs
            .items
            .iter()
            .filter(|i| i.active)
            .map(|i| i.href)
            .collect();
        assert_eq!(active, ["/registers/devices"]);
        assert!(!nav.iter().any(|g| g.key == "nav.home" && g.active));
        // Triage of a report belongs to incident response.
        let nav = navigation(|_| true, "/reports/abc");
        assert!(nav.iter().any(|g| g.key == "nav.incidents" && g.active));
        // "/registersx" is not under "/registers".
        let nav = navigation(|_| true, "/registersx");
        assert!(!nav.iter().any(|g| g.active));
    }
}
