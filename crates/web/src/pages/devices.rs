//! The device ledger (機器台帳): list, add, edit with history, review, and CSV/XLSX import and
//! export; and the ledger's state as evidence beside checklist items.

use super::exchange::{csrf_and_file, csv_download, read_table, refusal_page, xlsx_download};
use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::state::AppState;
use crate::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use mamori_domain::Lang;
use mamori_domain::authz::Permission;
use mamori_domain::clock::format_jst;
use mamori_domain::register::{
    DEVICE_COLUMNS, DeviceDraft, DeviceKind, device_header, device_row, import_devices,
};
use mamori_domain::validate::Problem;
use mamori_store::{RegisterReview, RowChange, StoredDevice};
use serde::Deserialize;
use uuid::Uuid;

/// How long a ledger may go without a review (棚卸し) before it is overdue.
pub const REVIEW_INTERVAL_DAYS: i64 = 365;
/// A patch older than this is flagged.
pub const PATCH_STALE_DAYS: i64 = 365;

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

/// The state of the ledger: size, last review, what needs attention.
pub struct LedgerState {
    /// Devices.
    pub total: usize,
    /// Internet-facing devices.
    pub internet_facing: usize,
    /// Past support end.
    pub unsupported: usize,
    /// No patch recorded within a year.
    pub stale_patch: usize,
    /// The last review.
    pub last_review: Option<RegisterReview>,
    /// No review, or the last is older than the interval.
    pub review_overdue: bool,
}

impl LedgerState {
    /// One line for the checklist item it evidences.
    pub fn line(&self, lang: Lang) -> String {
        if self.total == 0 {
            return lang
                .pick("機器台帳: 未登録", "Device ledger: nothing recorded")
                .to_string();
        }
        let review = match &self.last_review {
            Some(r) => format!("{} {}", lang.pick("最終棚卸し", "reviewed"), r.reviewed_on),
            None => lang.pick("棚卸しの記録なし", "never reviewed").to_string(),
        };
        format!(
            "{} {}{} · {}{}",
            lang.pick("機器台帳", "Device ledger:"),
            self.total,
            lang.pick("台", " devices"),
            review,
            [
                (
                    self.unsupported,
                    lang.pick("サポート終了", "past support end:")
                ),
                (
                    self.stale_patch,
                    lang.pick("1年以上パッチ記録なし", "no patch within a year:")
                ),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, label)| format!(" · {label} {n}"))
            .collect::<String>()
        )
    }
}

/// The ledger's state for an organisation.
pub async fn ledger_state(state: &AppState, org_id: Uuid) -> Result<LedgerState, AppError> {
    let devices = state.store.devices(org_id).await?;
    let today = today(state);
    let last_review = state
        .store
        .reviews(org_id, "devices")
        .await?
        .into_iter()
        .next();
    Ok(LedgerState {
        total: devices.len(),
        internet_facing: devices.iter().filter(|d| d.device.internet_facing).count(),
        unsupported: devices
            .iter()
            .filter(|d| d.device.unsupported(today))
            .count(),
        stale_patch: devices
            .iter()
            .filter(|d| {
                d.device
                    .last_patch
                    .is_none_or(|p| (today - p).num_days() > PATCH_STALE_DAYS)
            })
            .count(),
        review_overdue: last_review
            .as_ref()
            .is_none_or(|r| (today - r.reviewed_on).num_days() > REVIEW_INTERVAL_DAYS),
        last_review,
    })
}

fn rows(devices: Vec<StoredDevice>, today: NaiveDate, lang: Lang) -> Vec<DeviceRow> {
    devices
        .into_iter()
        .map(|d| DeviceRow {
            kind: d.device.kind.label(lang),
            unsupported: d.device.unsupported(today),
            stale_patch: d
                .device
                .last_patch
                .is_none_or(|p| (today - p).num_days() > PATCH_STALE_DAYS),
            d,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "devices.html")]
struct ListPage {
    page: Page,
    devices: Vec<DeviceRow>,
    ledger: LedgerState,
    can_edit: bool,
    today: String,
}

/// The ledger.
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<super::registers::Notice>,
) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let devices = rows(state.store.devices(s.org.id).await?, today(&state), s.lang);
    let page = n.on(Page::signed_in(&s, "devices.title", "/registers/devices"));
    render(&ListPage {
        page,
        devices,
        ledger: ledger_state(&state, s.org.id).await?,
        can_edit: s.actor.can(Permission::ManageRegisters),
        today: today(&state).to_string(),
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
    s.require(Permission::ManageRegisters)?;
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
    s.require(Permission::ViewRegisters)?;
    let d = state.store.device(s.org.id, id).await?;
    let history = state.store.device_history(s.org.id, id).await?;
    render(&form_page(
        &s,
        Some(id),
        DeviceDraft::from_device(&d.device),
        Problem::default(),
        history,
    ))
}

/// The device form as sent.
#[derive(Deserialize)]
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
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    let history = match id {
        Some(id) => state.store.device_history(s.org.id, id).await?,
        None => vec![],
    };
    let problem = match f.draft.validate() {
        Ok(d) => match state.store.save_device(&s.ctx(), id, &d).await {
            Ok(_) => return Ok(see_other("/registers/devices")),
            Err(mamori_store::StoreError::Conflict(_)) => {
                Problem::field("name", "error.device_name_taken")
            }
            Err(e) => return Err(e.into()),
        },
        Err(p) => p,
    };
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(s, id, f.draft, problem, history),
    )
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

/// A form with only the token.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// Removes a device (its history stays).
pub async fn remove(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    state.store.remove_device(&s.ctx(), id).await?;
    Ok(see_other("/registers/devices"))
}

/// Records that the ledger was reviewed today, with what was found.
pub async fn review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<super::registers::ReviewForm>,
) -> Result<Response, AppError> {
    super::registers::record_review(&state, &s, "devices", f).await
}

/// Imports a CSV (UTF-8 or Shift_JIS) or XLSX device table: all rows or none.
pub async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: Multipart,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    let (csrf, file) = csrf_and_file(&mut form).await?;
    s.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let first: Vec<&str> = DEVICE_COLUMNS.iter().flat_map(|c| [c.1, c.2]).collect();
    let back = |r| {
        refusal_page(
            &s,
            "/registers/devices",
            "/registers/devices".into(),
            "devices.title",
            r,
        )
    };
    let (rows, offset, label) = match read_table(&name, &bytes, &first) {
        Ok(t) => t,
        Err(r) => return back(r),
    };
    match import_devices(&rows) {
        Err(errors) => back(super::exchange::Refusal::shifted(label, errors, offset)),
        Ok(devices) => {
            let (added, updated) = state.store.import_devices(&s.ctx(), &devices).await?;
            Ok(see_other(&format!(
                "/registers/devices?imported={added}-{updated}"
            )))
        }
    }
}

fn table(devices: &[StoredDevice]) -> Vec<Vec<String>> {
    std::iter::once(device_header())
        .chain(devices.iter().map(|d| device_row(&d.device)))
        .collect()
}

/// The ledger as CSV.
pub async fn export_csv(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    csv_download("devices.csv", &table(&state.store.devices(s.org.id).await?))
}

/// The ledger as an XLSX workbook.
pub async fn export_xlsx(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    s.require(Permission::ViewRegisters)?;
    let devices = state.store.devices(s.org.id).await?;
    let rows: Vec<Vec<String>> = devices.iter().map(|d| device_row(&d.device)).collect();
    xlsx_download(
        "devices.xlsx",
        "機器台帳",
        &format!("機器台帳 — {}", s.org.profile.name),
        &device_header(),
        &rows,
    )
}
