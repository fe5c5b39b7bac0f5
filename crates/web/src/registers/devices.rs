//! The device ledger's pages (機器台帳): list, add, edit with history, review, and CSV/XLSX import
//! and export.

use super::review::{Notice, ReviewForm, TokenForm, reviewed};
use super::service::{self, Imported};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::import::{Taken, review_form, review_page};
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Refusal, Upload, read_table, refusal_page};
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_domain::clock::format_jst;
use mamori_domain::register::{DeviceDraft, DeviceKind};
use mamori_domain::status::RegisterState;
use mamori_domain::validate::Problem;
use mamori_store::{RowChange, StoredDevice};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A device as listed.
pub struct DeviceRow {
    /// The device.
    pub d: StoredDevice,
    /// Kind label.
    pub kind: &'static str,
    /// Past its support end.
    pub unsupported: bool,
    /// No patch recorded, or the last one is old.
    pub stale_patch: bool,
}

/// The ledger's figures at the top of its page.
pub struct LedgerFigures {
    /// Devices.
    pub total: usize,
    /// Internet-facing devices.
    pub internet_facing: usize,
    /// Past support end.
    pub unsupported: usize,
    /// The ledger's state (last review, overdue).
    pub state: RegisterState,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct ListPage {
    page: Page,
    devices: Vec<DeviceRow>,
    ledger: LedgerFigures,
    can_edit: bool,
    today: String,
}

/// The ledger.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let today = s.today();
    let devices: Vec<DeviceRow> = service::devices(&state, &s)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            kind: d.device.kind.label(s.lang),
            unsupported: d.device.unsupported(today),
            stale_patch: crate::status::stale_patch(&d, today),
            d,
        })
        .collect();
    let ledger = LedgerFigures {
        total: devices.len(),
        internet_facing: devices
            .iter()
            .filter(|r| r.d.device.internet_facing)
            .count(),
        unsupported: devices.iter().filter(|r| r.unsupported).count(),
        state: service::state_of(&state, &s, "devices").await?,
    };
    render(&ListPage {
        page: n.on(Page::signed_in(&s, "devices.title", "/registers/devices")),
        devices,
        ledger,
        can_edit: s
            .actor
            .can(mamori_domain::authz::Permission::ManageRegisters),
        today: today.to_string(),
    })
}

#[derive(Template)]
#[template(path = "device_form.html")]
struct FormPage {
    page: Page,
    action: String,
    draft: DeviceDraft,
    errors: Problem,
    kinds: Vec<(&'static str, &'static str)>,
    history: Vec<(String, RowChange)>,
    id: Option<Uuid>,
}

impl FormPage {
    /// The text fields: name, label key, value, input type.
    fn text_fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let d = &self.draft;
        vec![
            ("name", "devices.name", d.name.as_str(), "text"),
            ("location", "devices.location", d.location.as_str(), "text"),
            ("owner", "devices.owner", d.owner.as_str(), "text"),
            ("system", "devices.system", d.system.as_str(), "text"),
            ("vendor", "devices.vendor", d.vendor.as_str(), "text"),
            ("product", "devices.product", d.product.as_str(), "text"),
            ("version", "devices.version", d.version.as_str(), "text"),
            (
                "support_end",
                "devices.support_end",
                d.support_end.as_str(),
                "date",
            ),
            (
                "last_patch",
                "devices.last_patch",
                d.last_patch.as_str(),
                "date",
            ),
            ("cpe", "devices.cpe", d.cpe.as_str(), "text"),
        ]
    }
}

fn form_page(
    s: &SignedIn,
    id: Option<Uuid>,
    draft: DeviceDraft,
    errors: Problem,
    history: Vec<RowChange>,
) -> FormPage {
    FormPage {
        page: Page::signed_in(s, "devices.device", "/registers/devices"),
        action: match id {
            Some(id) => format!("/registers/devices/{id}"),
            None => "/registers/devices".into(),
        },
        draft,
        errors,
        kinds: DeviceKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(s.lang)))
            .collect(),
        history: history.into_iter().map(|h| (format_jst(h.at), h)).collect(),
        id,
    }
}

/// An empty device form.
pub async fn new_form(s: SignedIn) -> Result<Response, AppError> {
    render(&form_page(
        &s,
        None,
        DeviceDraft::default(),
        Problem::default(),
        vec![],
    ))
}

/// A device's form with its history.
pub async fn edit_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let (d, history) = service::device(&state, &s, id).await?;
    render(&form_page(
        &s,
        Some(id),
        DeviceDraft::from_device(&d.device),
        Problem::default(),
        history,
    ))
}

/// The device form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeviceForm {
    csrf: String,
    #[serde(flatten)]
    draft: DeviceDraft,
}

async fn save(
    state: &AppState,
    s: &SignedIn,
    id: Option<Uuid>,
    f: DeviceForm,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::save_device(state, s, id, &f.draft).await {
        Ok(_) => Ok(see_other("/registers/devices")),
        Err(AppError::Invalid(problem)) => {
            let history = match id {
                Some(id) => service::device(state, s, id).await?.1,
                None => vec![],
            };
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(s, id, f.draft, problem, history),
            )
        }
        Err(e) => Err(e),
    }
}

/// Adds a device.
pub async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<DeviceForm>,
) -> Result<Response, AppError> {
    save(&state, &s, None, f).await
}

/// Changes a device.
pub async fn update(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<DeviceForm>,
) -> Result<Response, AppError> {
    save(&state, &s, Some(id), f).await
}

/// Removes a device (its history stays).
pub async fn remove(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::remove_device(&state, &s, id).await?;
    Ok(see_other("/registers/devices"))
}

/// Records that the ledger was reviewed today, with what was found.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    reviewed(&state, &s, "devices", f).await
}

/// Imports a CSV (UTF-8 or Shift_JIS) or XLSX device table: all rows or none; a table with other
/// columns than ours is shown for the user to check first.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match read_table(name, bytes, &[]) {
        Err(r) => refused(&s, r),
        Ok(table) => imported(
            &s,
            service::review_device_table(&state, &s, &table, None).await?,
        ),
    }
}

/// The review page's answer: the columns as the user set them, and whether to take the table.
pub async fn import_review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    s.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let f = review_form(&fields)?;
    imported(
        &s,
        service::review_device_table(&state, &s, &f.table, Some(f.choice)).await?,
    )
}

fn refused(s: &SignedIn, r: Refusal) -> Result<Response, AppError> {
    refusal_page(
        s,
        "/registers/devices",
        "/registers/devices".into(),
        "devices.title",
        r,
    )
}

fn imported(s: &SignedIn, t: Taken<Imported>) -> Result<Response, AppError> {
    match t {
        Taken::Done(Imported { added, updated }) => Ok(see_other(&format!(
            "/registers/devices?imported={added}-{updated}"
        ))),
        Taken::Review(r) => review_page(
            s,
            "/registers/devices",
            "/registers/devices".into(),
            "devices.title",
            "/registers/devices/import/review".into(),
            r,
        ),
        Taken::Refused(r) => refused(s, r),
    }
}

/// The ledger as CSV.
pub async fn export_csv(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    Ok(service::export_devices(&state, &s, false)
        .await?
        .into_response())
}

/// The ledger as an XLSX workbook.
pub async fn export_xlsx(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    Ok(service::export_devices(&state, &s, true)
        .await?
        .into_response())
}
