//! Self-assessment against the MHLW checklist: sheets per fiscal year, answers per round with
//! evidence, aggregation, vendor sheets answered by the vendor, print views for the inspection,
//! and the sheet as a table (XLSX, CSV, JSON).

pub mod api;
pub mod exchange;
pub mod pages;
pub mod service;

use crate::core::routes::{Guard, Routes};
use crate::core::uploads::MAX_UPLOAD_BYTES;
use mamori_domain::authz::Permission::{AnswerAssessments, ViewAssessments};
use utoipa_axum::routes;

/// The self-assessment's pages and API.
pub fn routes() -> Routes {
    let view = Guard::Holds(ViewAssessments);
    let answer = Guard::Holds(AnswerAssessments);
    Routes::new()
        .get("/assessments", view, pages::list)
        .post("/assessments", answer, pages::start)
        .get("/assessments/inspection", view, pages::inspection)
        .get("/assessments/{id}", view, pages::show)
        .get("/assessments/{id}/items/{item}", answer, pages::answer_form)
        .upload(
            "/assessments/{id}/items/{item}",
            answer,
            MAX_UPLOAD_BYTES + 64 * 1024,
            pages::answer_submit,
        )
        .get(
            "/assessments/{id}/evidence/{evidence}",
            view,
            pages::evidence_download,
        )
        .get("/assessments/{id}/results", view, pages::results)
        .post("/assessments/{id}/send", answer, pages::send_to_vendor)
        .post("/assessments/{id}/maturity", answer, pages::maturity)
        .get("/assessments/{id}/print", view, pages::print)
        .get("/assessments/{id}/export.csv", view, exchange::export_csv)
        .get("/assessments/{id}/export.xlsx", view, exchange::export_xlsx)
        .get("/assessments/{id}/export.json", view, exchange::export_json)
        .upload(
            "/assessments/{id}/import",
            answer,
            MAX_UPLOAD_BYTES,
            exchange::import,
        )
        .api(routes!(api::list, api::create))
        .api(routes!(api::get_one))
        .api(routes!(api::put_answer))
        .api(routes!(api::put_maturity))
        .api(routes!(api::send))
        .api(routes!(api::evidence_list))
        .api(routes!(api::evidence_download))
        .api_upload(routes!(api::evidence_upload), MAX_UPLOAD_BYTES + 64 * 1024)
        .api(routes!(api::export_xlsx))
        .api(routes!(api::export_csv))
        .api_upload(routes!(api::import), MAX_UPLOAD_BYTES)
}
