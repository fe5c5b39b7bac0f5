//! Incident response: anomaly reports and triage, incidents with their phases, role tasks,
//! duties and timeline, document drafts, the contact chart, recovery procedures and the
//! emergency pack.

pub mod api;
pub mod drafts;
pub mod emergency;
pub mod facts;
pub mod incidents;
mod notify;
pub mod preparedness;
pub mod reports;
pub mod service;

use crate::core::import::REVIEW_FORM_BYTES;
use crate::core::routes::{Guard, Routes};
use crate::core::uploads::MAX_UPLOAD_BYTES;
use mamori_domain::authz::Permission::{
    HandleIncidents, ManagePreparedness, ReportAnomalies, ViewIncidents,
};
use utoipa_axum::routes;

/// Incident response's pages and API.
pub fn routes() -> Routes {
    let view = Guard::Holds(ViewIncidents);
    let handle = Guard::Holds(HandleIncidents);
    let prepare = Guard::Holds(ManagePreparedness);
    let anyone = Guard::SignedIn;
    Routes::new()
        .get("/report", Guard::Holds(ReportAnomalies), reports::form)
        .post("/report", Guard::Holds(ReportAnomalies), reports::submit)
        .get("/reports/{id}", view, reports::show)
        .post("/reports/{id}/incident", handle, reports::to_incident)
        .post("/reports/{id}/close", handle, reports::close)
        .post("/reports/{id}/merge", handle, reports::merge)
        .get("/incidents", view, incidents::list)
        .get("/incidents/new", handle, incidents::new_form)
        .post("/incidents/new", handle, incidents::create)
        .get("/incidents/{id}", view, incidents::show)
        .get("/incidents/{id}/facts", handle, incidents::facts_form)
        .post("/incidents/{id}/facts", handle, incidents::facts_submit)
        .post("/incidents/{id}/phase", handle, incidents::set_phase)
        .post("/incidents/{id}/tasks/{task}", handle, incidents::set_task)
        .post(
            "/incidents/{id}/duties/{duty}",
            handle,
            incidents::duty_sent,
        )
        .post("/incidents/{id}/timeline", handle, incidents::add_entry)
        .get("/incidents/{id}/documents/{kind}", view, drafts::show)
        .post("/incidents/{id}/documents/{kind}", handle, drafts::save)
        .get(
            "/incidents/{id}/documents/{kind}/print",
            view,
            drafts::print,
        )
        .get(
            "/incidents/{id}/documents/{kind}/export.json",
            view,
            drafts::export_json,
        )
        .get("/preparedness", anyone, preparedness::show)
        .get(
            "/preparedness/emergency-pack.html",
            anyone,
            preparedness::emergency_pack,
        )
        .post("/preparedness/contacts", prepare, preparedness::add_contact)
        .get(
            "/preparedness/contacts/new",
            prepare,
            preparedness::new_contact,
        )
        .get(
            "/preparedness/contacts/print",
            anyone,
            preparedness::print_chart,
        )
        .get(
            "/preparedness/contacts/export.csv",
            anyone,
            preparedness::export_chart_csv,
        )
        .get(
            "/preparedness/contacts/export.xlsx",
            anyone,
            preparedness::export_chart_xlsx,
        )
        .upload(
            "/preparedness/contacts/import",
            prepare,
            MAX_UPLOAD_BYTES,
            preparedness::import_chart,
        )
        .post_sized(
            "/preparedness/contacts/import/review",
            prepare,
            REVIEW_FORM_BYTES,
            preparedness::import_chart_review,
        )
        .post(
            "/preparedness/contacts/standard",
            prepare,
            preparedness::add_standard_bodies,
        )
        .get(
            "/preparedness/contacts/{id}",
            prepare,
            preparedness::edit_contact,
        )
        .post(
            "/preparedness/contacts/{id}",
            prepare,
            preparedness::update_contact,
        )
        .post(
            "/preparedness/contacts/{id}/remove",
            prepare,
            preparedness::remove_contact,
        )
        .post(
            "/preparedness/procedures",
            prepare,
            preparedness::add_procedure,
        )
        .get(
            "/preparedness/procedures/new",
            prepare,
            preparedness::new_procedure,
        )
        .get(
            "/preparedness/procedures/{id}",
            prepare,
            preparedness::edit_procedure,
        )
        .post(
            "/preparedness/procedures/{id}",
            prepare,
            preparedness::update_procedure,
        )
        .post(
            "/preparedness/procedures/{id}/remove",
            prepare,
            preparedness::remove_procedure,
        )
        .api(routes!(api::report, api::reports))
        .api(routes!(api::report_one))
        .api(routes!(api::triage_incident))
        .api(routes!(api::close_report))
        .api(routes!(api::merge_report))
        .api(routes!(api::incidents, api::create_incident))
        .api(routes!(api::incident))
        .api(routes!(api::put_facts))
        .api(routes!(api::put_phase))
        .api(routes!(api::put_task))
        .api(routes!(api::put_duty))
        .api(routes!(api::timeline, api::add_entry))
        .api(routes!(api::document, api::save_document))
        .api(routes!(api::contacts, api::add_contact))
        .api(routes!(api::contact, api::put_contact, api::remove_contact))
        .api(routes!(api::add_standard_bodies))
        .api_upload(routes!(api::import_contacts), MAX_UPLOAD_BYTES)
        .api(routes!(api::export_contacts_csv))
        .api(routes!(api::export_contacts_xlsx))
        .api(routes!(api::procedures, api::add_procedure))
        .api(routes!(
            api::procedure,
            api::put_procedure,
            api::remove_procedure
        ))
}
