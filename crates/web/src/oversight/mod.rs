//! Oversight (監督): authorities (prefectures, 保健所, MHLW, an ISAC) see the checklists that the
//! institutions of their jurisdiction submit, against their roster; institutions submit a fiscal
//! year's checklist as a frozen snapshot. The home organisation decides who oversees where.

pub mod api;
pub mod inspection_pages;
pub mod inspections;
pub mod pages;
pub mod service;

use crate::core::import::REVIEW_FORM_BYTES;
use crate::core::routes::{Guard, Routes};
use crate::core::uploads::MAX_UPLOAD_BYTES;
use mamori_domain::authz::Permission::{
    ManageOversight, RegisterOrganisations, SubmitChecklist, ViewAssessments, ViewOversight,
};
use utoipa_axum::routes;

/// Oversight's pages and API.
pub fn routes() -> Routes {
    let view = Guard::Holds(ViewOversight);
    let manage = Guard::Holds(ManageOversight);
    let submit = Guard::Holds(SubmitChecklist);
    let home = Guard::Holds(RegisterOrganisations);
    Routes::new()
        .get("/oversight", view, pages::overview)
        .get("/oversight/export.csv", view, pages::export_csv)
        .get("/oversight/export.xlsx", view, pages::export_xlsx)
        .upload(
            "/oversight/roster",
            manage,
            MAX_UPLOAD_BYTES,
            pages::import_roster,
        )
        .post_sized(
            "/oversight/roster/review",
            manage,
            REVIEW_FORM_BYTES,
            pages::import_roster_review,
        )
        .get("/oversight/jurisdictions", home, pages::jurisdictions)
        .post(
            "/oversight/jurisdictions/{org}",
            home,
            pages::set_jurisdiction,
        )
        .get("/oversight/submit", submit, pages::submit_form)
        .post("/oversight/submit", submit, pages::submit)
        .get(
            "/oversight/submissions/{id}",
            Guard::SignedIn,
            pages::submission,
        )
        .get("/oversight/inspections", view, inspection_pages::recorded)
        .post("/oversight/inspections", manage, inspection_pages::record)
        .get("/oversight/inspections/new", manage, inspection_pages::new)
        .get(
            "/oversight/my-inspections",
            Guard::Holds(ViewAssessments),
            inspection_pages::received,
        )
        .get(
            "/oversight/inspections/{id}",
            Guard::SignedIn,
            inspection_pages::one,
        )
        .post(
            "/oversight/inspections/{id}/follow-up",
            submit,
            inspection_pages::follow_up,
        )
        .api(routes!(api::overview))
        .api(routes!(api::roster))
        .api_upload(routes!(api::import_roster), MAX_UPLOAD_BYTES)
        .api(routes!(api::set_jurisdiction))
        .api(routes!(api::authorities))
        .api(routes!(api::submissions, api::submit))
        .api(routes!(api::own_submissions))
        .api(routes!(api::submit_snapshot))
        .api(routes!(api::submission))
        .api(routes!(api::inspections, api::record_inspection))
        .api(routes!(api::my_inspections))
        .api(routes!(api::inspection))
        .api(routes!(api::report_follow_up))
}
