//! The web face of mamori: server-rendered pages that work without JavaScript, the JSON API under
//! `/api/v1`, authentication (passwords, TOTP, sessions, API tokens), CSRF protection, security
//! headers, metrics and health.

mod api;
mod api_assessments;
mod auth;
mod charts;
pub mod crypto;
pub mod emergency;
mod error;
mod form;
pub mod i18n;
pub mod mail;
mod metrics;
mod pages;
mod security;
mod state;
mod uploads;
mod view;

pub use api::ApiDoc;
pub use state::{AppState, WebConfig};

use axum::Router;
use axum::routing::{get, post};

/// Builds the whole application: pages, API, health and metrics, with the middleware that every
/// response passes through (security headers, error pages in the user's language, metrics).
pub fn router(state: AppState) -> Router {
    use pages::*;
    let app = Router::new()
        .route("/", get(dashboard::show))
        .route("/setup", get(setup::form).post(setup::submit))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/totp",
            get(login::totp_form).post(login::totp_submit),
        )
        .route("/logout", post(login::logout))
        .route("/lang", post(account::switch_lang))
        .route("/invite/{token}", get(invite::form).post(invite::submit))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/totp",
            get(account::totp_enrol).post(account::totp_confirm),
        )
        .route("/account/totp/start", post(account::totp_start))
        .route("/account/totp/disable", post(account::totp_disable))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/sessions/end-others",
            post(account::end_other_sessions),
        )
        .route("/users", get(users::list).post(users::invite))
        .route("/users/{id}", get(users::show))
        .route("/users/{id}/roles", post(users::set_roles))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/users/{id}/unlock", post(users::unlock))
        .route("/users/{id}/reinvite", post(users::reinvite))
        .route("/organisation", get(orgs::own).post(orgs::update_own))
        .route("/organisations", get(orgs::directory).post(orgs::register))
        .route("/audit", get(audit::list))
        .route(
            "/assessments",
            get(assessments::list).post(assessments::start),
        )
        .route("/assessments/inspection", get(assessments::inspection))
        .route("/assessments/{id}", get(assessments::show))
        .route(
            "/assessments/{id}/items/{item}",
            get(assessments::answer_form)
                .post(assessments::answer_submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    uploads::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route(
            "/assessments/{id}/evidence/{evidence}",
            get(assessments::evidence_download),
        )
        .route("/assessments/{id}/results", get(assessments::results))
        .route("/assessments/{id}/send", post(assessments::send_to_vendor))
        .route("/assessments/{id}/maturity", post(assessments::maturity))
        .route("/assessments/{id}/print", get(assessments::print))
        .route("/assessments/{id}/export.csv", get(exchange::export_csv))
        .route("/assessments/{id}/export.xlsx", get(exchange::export_xlsx))
        .route("/assessments/{id}/export.json", get(exchange::export_json))
        .route("/assessments/{id}/import", post(exchange::import))
        .route("/report", get(reports::form).post(reports::submit))
        .route("/reports/{id}", get(reports::show))
        .route("/reports/{id}/incident", post(reports::to_incident))
        .route("/reports/{id}/close", post(reports::close))
        .route("/reports/{id}/merge", post(reports::merge))
        .route("/incidents", get(incidents::list))
        .route(
            "/incidents/new",
            get(incidents::new_form).post(incidents::create),
        )
        .route("/incidents/{id}", get(incidents::show))
        .route(
            "/incidents/{id}/facts",
            get(incidents::facts_form).post(incidents::facts_submit),
        )
        .route("/incidents/{id}/phase", post(incidents::set_phase))
        .route("/incidents/{id}/tasks/{task}", post(incidents::set_task))
        .route("/incidents/{id}/duties/{duty}", post(incidents::duty_sent))
        .route("/incidents/{id}/timeline", post(incidents::add_entry))
        .route(
            "/incidents/{id}/documents/{kind}",
            get(drafts::show).post(drafts::save),
        )
        .route("/incidents/{id}/documents/{kind}/print", get(drafts::print))
        .route(
            "/incidents/{id}/documents/{kind}/export.json",
            get(drafts::export_json),
        )
        .route("/preparedness", get(preparedness::show))
        .route(
            "/preparedness/emergency-pack.html",
            get(preparedness::emergency_pack),
        )
        .route("/preparedness/contacts", post(preparedness::add_contact))
        .route("/preparedness/contacts/new", get(preparedness::new_contact))
        .route(
            "/preparedness/contacts/print",
            get(preparedness::print_chart),
        )
        .route(
            "/preparedness/contacts/export.csv",
            get(preparedness::export_chart_csv),
        )
        .route(
            "/preparedness/contacts/export.xlsx",
            get(preparedness::export_chart_xlsx),
        )
        .route(
            "/preparedness/contacts/import",
            post(preparedness::import_chart).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/preparedness/contacts/standard",
            post(preparedness::add_standard_bodies),
        )
        .route(
            "/preparedness/contacts/{id}",
            get(preparedness::edit_contact).post(preparedness::update_contact),
        )
        .route(
            "/preparedness/contacts/{id}/remove",
            post(preparedness::remove_contact),
        )
        .route(
            "/preparedness/procedures",
            post(preparedness::add_procedure),
        )
        .route(
            "/preparedness/procedures/new",
            get(preparedness::new_procedure),
        )
        .route(
            "/preparedness/procedures/{id}",
            get(preparedness::edit_procedure).post(preparedness::update_procedure),
        )
        .route(
            "/preparedness/procedures/{id}/remove",
            post(preparedness::remove_procedure),
        )
        .route("/registers/devices", get(devices::list).post(devices::add))
        .route("/registers/devices/new", get(devices::new_form))
        .route("/registers/devices/review", post(devices::review))
        .route(
            "/registers/devices/import",
            post(devices::import).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/registers/devices/export.csv", get(devices::export_csv))
        .route("/registers/devices/export.xlsx", get(devices::export_xlsx))
        .route(
            "/registers/devices/{id}",
            get(devices::edit_form).post(devices::update),
        )
        .route("/registers/devices/{id}/remove", post(devices::remove))
        .route("/registers/findings", get(findings::list))
        .route(
            "/registers/findings/import",
            post(findings::import).layer(axum::extract::DefaultBodyLimit::max(
                findings::MAX_FEED_BYTES,
            )),
        )
        .route("/registers/findings/{device}/{cve}", post(findings::decide))
        .route("/registers", get(ledgers::index))
        .route("/registers/accounts", get(accounts::show))
        .route(
            "/registers/accounts/import",
            post(accounts::import).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/registers/accounts/map",
            post(accounts::map).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/registers/accounts/staff",
            post(accounts::import_staff).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/registers/accounts/settings", post(accounts::settings))
        .route("/registers/accounts/review", post(accounts::review))
        .route(
            "/registers/accounts/flagged.csv",
            get(accounts::export_flagged),
        )
        .route("/registers/{code}", get(ledgers::list).post(ledgers::add))
        .route("/registers/{code}/new", get(ledgers::new_form))
        .route("/registers/{code}/review", post(ledgers::review))
        .route(
            "/registers/{code}/import",
            post(ledgers::import).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/registers/{code}/export.csv", get(ledgers::export_csv))
        .route("/registers/{code}/export.xlsx", get(ledgers::export_xlsx))
        .route(
            "/registers/{code}/{id}",
            get(ledgers::edit_form).post(ledgers::update),
        )
        .route("/registers/{code}/{id}/remove", post(ledgers::remove))
        .route(
            "/registers/{code}/{id}/files",
            post(ledgers::attach).layer(axum::extract::DefaultBodyLimit::max(
                uploads::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/registers/{code}/{id}/files/{file}", get(ledgers::file))
        .route("/static/mamori.css", get(view::stylesheet))
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::metrics))
        .merge(api::routes());
    app.fallback(error::not_found)
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(security::guard))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::measure,
        ))
        .with_state(state)
}
