//! The registers that ground the checklist answers: the device ledger, the registers kept as
//! rows (remote connections, vendors, backups, restore tests), the accounts review, and the
//! known vulnerabilities found on the ledger's devices.

pub mod accounts;
pub mod api;
pub mod devices;
pub mod findings;
pub mod index;
pub mod ledgers;
pub mod review;
pub mod service;

use crate::core::import::REVIEW_FORM_BYTES;
use crate::core::routes::{Guard, Routes};
use crate::core::uploads::MAX_UPLOAD_BYTES;
use mamori_domain::authz::Permission::{ManageRegisters, ViewRegisters};
use utoipa_axum::routes;

/// The registers' pages and API.
pub fn routes() -> Routes {
    let view = Guard::Holds(ViewRegisters);
    let manage = Guard::Holds(ManageRegisters);
    Routes::new()
        .get("/registers", view, index::index)
        .get("/registers/devices", view, devices::list)
        .post("/registers/devices", manage, devices::add)
        .get("/registers/devices/new", manage, devices::new_form)
        .post("/registers/devices/review", manage, devices::review)
        .upload(
            "/registers/devices/import",
            manage,
            MAX_UPLOAD_BYTES,
            devices::import,
        )
        .post_sized(
            "/registers/devices/import/review",
            manage,
            REVIEW_FORM_BYTES,
            devices::import_review,
        )
        .get("/registers/devices/export.csv", view, devices::export_csv)
        .get("/registers/devices/export.xlsx", view, devices::export_xlsx)
        .get("/registers/devices/{id}", view, devices::edit_form)
        .post("/registers/devices/{id}", manage, devices::update)
        .post("/registers/devices/{id}/remove", manage, devices::remove)
        .get("/registers/findings", view, findings::list)
        .upload(
            "/registers/findings/import",
            manage,
            findings::MAX_FEED_BYTES,
            findings::import,
        )
        .post(
            "/registers/findings/{device}/{cve}",
            manage,
            findings::decide,
        )
        .get("/registers/accounts", view, accounts::show)
        .upload(
            "/registers/accounts/import",
            manage,
            MAX_UPLOAD_BYTES,
            accounts::import,
        )
        .post("/registers/accounts/map", manage, accounts::map)
        .upload(
            "/registers/accounts/staff",
            manage,
            MAX_UPLOAD_BYTES,
            accounts::import_staff,
        )
        .post("/registers/accounts/settings", manage, accounts::settings)
        .post("/registers/accounts/review", manage, accounts::review)
        .get(
            "/registers/accounts/flagged.csv",
            view,
            accounts::export_flagged,
        )
        .get("/registers/{code}", view, ledgers::list)
        .post("/registers/{code}", manage, ledgers::add)
        .get("/registers/{code}/new", manage, ledgers::new_form)
        .post("/registers/{code}/review", manage, ledgers::review)
        .upload(
            "/registers/{code}/import",
            manage,
            MAX_UPLOAD_BYTES,
            ledgers::import,
        )
        .post_sized(
            "/registers/{code}/import/review",
            manage,
            REVIEW_FORM_BYTES,
            ledgers::import_review,
        )
        .get("/registers/{code}/export.csv", view, ledgers::export_csv)
        .get("/registers/{code}/export.xlsx", view, ledgers::export_xlsx)
        .get("/registers/{code}/{id}", view, ledgers::edit_form)
        .post("/registers/{code}/{id}", manage, ledgers::update)
        .post("/registers/{code}/{id}/remove", manage, ledgers::remove)
        .upload(
            "/registers/{code}/{id}/files",
            manage,
            MAX_UPLOAD_BYTES + 64 * 1024,
            ledgers::attach,
        )
        .get("/registers/{code}/{id}/files/{file}", view, ledgers::file)
        .api(routes!(api::states))
        .api(routes!(api::devices, api::add_device))
        .api(routes!(api::device, api::put_device, api::remove_device))
        .api(routes!(api::review_devices))
        .api_upload(routes!(api::import_devices), MAX_UPLOAD_BYTES)
        .api(routes!(api::export_devices_csv))
        .api(routes!(api::export_devices_xlsx))
        .api(routes!(api::review))
        .api(routes!(api::rows, api::add_row))
        .api(routes!(api::row, api::put_row, api::remove_row))
        .api_upload(routes!(api::import_rows), MAX_UPLOAD_BYTES)
        .api(routes!(api::export_rows_csv))
        .api(routes!(api::export_rows_xlsx))
        .api_upload(routes!(api::attach), MAX_UPLOAD_BYTES + 64 * 1024)
        .api(routes!(api::file))
        .api(routes!(api::accounts))
        .api_upload(routes!(api::import_accounts), MAX_UPLOAD_BYTES)
        .api_upload(routes!(api::import_staff), MAX_UPLOAD_BYTES)
        .api(routes!(api::put_settings))
        .api(routes!(api::flagged_csv))
        .api_upload(routes!(api::import_feed), findings::MAX_FEED_BYTES)
        .api(routes!(api::findings))
        .api(routes!(api::decide))
}
