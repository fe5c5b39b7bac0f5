//! The registers' rules as pages and API both use them: who may read and keep them, checking
//! what is typed or imported, the clock, and the state each register is in.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::import::{Choice, Taken, take, take_api};
use crate::core::state::AppState;
use crate::core::table::{Download, Refusal, UploadedTable, read_table};
use crate::status::{self, AccountsReview};
use mamori_domain::Lang;
use mamori_domain::accounts::{
    ColumnMapping, MAPPING_ROLES, mapping_fits, parse_accounts, parse_staff,
};
use mamori_domain::authz::Permission::{ManageRegisters, ViewRegisters};
use mamori_domain::ledger::{Register, register};
use mamori_domain::register::{DeviceDraft, DeviceTable, device_header, device_row};
use mamori_domain::status::RegisterState;
use mamori_domain::validate::Problem;
use mamori_domain::vuln::{Finding, VulnIndex, findings, read_feed};
use mamori_store::{
    FindingDecision, LedgerRow, RegisterReview, RowChange, RowFile, StoreError, StoredDecision,
    StoredDevice,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The longest review note kept.
const NOTE_MAX: usize = 2000;

/// The register kept as rows with this code, or not found.
pub fn register_of(code: &str) -> Result<&'static Register, AppError> {
    register(code).ok_or(AppError::NotFound)
}

/// The outcome of an import: rows added and rows updated (matched by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// New rows.
    pub added: usize,
    /// Existing rows replaced.
    pub updated: usize,
}

fn name_taken(e: StoreError, key: &'static str) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Invalid(Problem::field("name", key)),
        other => other.into(),
    }
}

// ---- the device ledger -------------------------------------------------------------------

/// The organisation's devices.
pub async fn devices(state: &AppState, c: &Caller) -> Result<Vec<StoredDevice>, AppError> {
    c.require(ViewRegisters)?;
    Ok(state.store.devices(c.org.id).await?)
}

/// The largest page of devices the API gives at once.
pub const DEVICE_PAGE_MAX: i64 = 1000;

/// A page of the ledger (at most [`DEVICE_PAGE_MAX`] devices) and the ledger's size.
pub async fn device_page(
    state: &AppState,
    c: &Caller,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredDevice>, i64), AppError> {
    c.require(ViewRegisters)?;
    // Checked where the page was asked for (`Paging::window`); bounded again for any other caller.
    let limit = limit.clamp(1, DEVICE_PAGE_MAX);
    Ok(state
        .store
        .devices_page(c.org.id, limit, offset.max(0))
        .await?)
}

/// One device with its history.
pub async fn device(
    state: &AppState,
    c: &Caller,
    id: Uuid,
) -> Result<(StoredDevice, Vec<RowChange>), AppError> {
    c.require(ViewRegisters)?;
    let d = state.store.device(c.org.id, id).await?;
    let history = state.store.device_history(c.org.id, id).await?;
    Ok((d, history))
}

/// Adds a device (`id` none) or changes one; faults come back by field, a taken name included.
pub async fn save_device(
    state: &AppState,
    c: &Caller,
    id: Option<Uuid>,
    draft: &DeviceDraft,
) -> Result<StoredDevice, AppError> {
    c.require(ManageRegisters)?;
    if let Some(id) = id {
        state.store.device(c.org.id, id).await?;
    }
    let d = draft.validate().map_err(AppError::Invalid)?;
    let id = state
        .store
        .save_device(&c.ctx(), id, &d)
        .await
        .map_err(|e| name_taken(e, "error.device_name_taken"))?;
    Ok(state.store.device(c.org.id, id).await?)
}

/// Removes a device (its history stays).
pub async fn remove_device(state: &AppState, c: &Caller, id: Uuid) -> Result<(), AppError> {
    c.require(ManageRegisters)?;
    Ok(state.store.remove_device(&c.ctx(), id).await?)
}

/// Imports a device table sent to the API (CSV in UTF-8 or Shift_JIS, or XLSX) through the
/// mapping given, the remembered one or the recognised columns: all rows or none.
pub async fn import_device_table(
    state: &AppState,
    c: &Caller,
    name: &str,
    bytes: &[u8],
    mapping: Option<ColumnMapping>,
) -> Result<Result<Imported, Refusal>, AppError> {
    c.require(ManageRegisters)?;
    take_api(
        state,
        c,
        "devices",
        &DeviceTable,
        (name, bytes),
        mapping,
        |devices| store_devices(state, c, devices),
    )
    .await
}

/// Imports a device table through the pages: at once when its columns are ours or the
/// remembered ones, else after the user checked the columns and the preview.
pub async fn review_device_table(
    state: &AppState,
    c: &Caller,
    table: &UploadedTable,
    choice: Option<Choice>,
) -> Result<Taken<Imported>, AppError> {
    c.require(ManageRegisters)?;
    take(
        state,
        c,
        "devices",
        &DeviceTable,
        table,
        choice,
        |devices| store_devices(state, c, devices),
    )
    .await
}

async fn store_devices(
    state: &AppState,
    c: &Caller,
    devices: Vec<mamori_domain::register::Device>,
) -> Result<Imported, AppError> {
    let (added, updated) = state.store.import_devices(&c.ctx(), &devices).await?;
    Ok(Imported { added, updated })
}

/// The device ledger as CSV or XLSX.
pub async fn export_devices(
    state: &AppState,
    c: &Caller,
    xlsx: bool,
) -> Result<Download, AppError> {
    let devices = devices(state, c).await?;
    let rows: Vec<Vec<String>> = devices.iter().map(|d| device_row(&d.device)).collect();
    if xlsx {
        Download::xlsx(
            "devices.xlsx",
            "機器台帳",
            &format!("機器台帳 — {}", c.org.profile.name),
            &device_header(),
            &rows,
            None,
        )
    } else {
        let table: Vec<Vec<String>> = std::iter::once(device_header()).chain(rows).collect();
        Download::csv("devices.csv", &table)
    }
}

// ---- the registers kept as rows ----------------------------------------------------------

/// A register's rows.
pub async fn rows(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
) -> Result<Vec<LedgerRow>, AppError> {
    c.require(ViewRegisters)?;
    Ok(state.store.ledger_rows(c.org.id, reg.code).await?)
}

/// One row with its history and files.
pub async fn row(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    id: Uuid,
) -> Result<(LedgerRow, Vec<RowChange>, Vec<RowFile>), AppError> {
    c.require(ViewRegisters)?;
    let row = state.store.ledger_row(c.org.id, reg.code, id).await?;
    let history = state.store.ledger_history(c.org.id, reg.code, id).await?;
    let files = state.store.row_files(c.org.id, reg.code, id).await?;
    Ok((row, history, files))
}

/// Adds a row (`id` none) or changes one, from the values as typed.
pub async fn save_row(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    id: Option<Uuid>,
    input: &BTreeMap<String, String>,
) -> Result<LedgerRow, AppError> {
    c.require(ManageRegisters)?;
    if let Some(id) = id {
        state.store.ledger_row(c.org.id, reg.code, id).await?;
    }
    let row = reg.validate(input).map_err(AppError::Invalid)?;
    let id = state
        .store
        .save_ledger_row(&c.ctx(), reg.code, id, &row)
        .await
        .map_err(|e| name_taken(e, "error.row_name_taken"))?;
    Ok(state.store.ledger_row(c.org.id, reg.code, id).await?)
}

/// Removes a row (its history stays).
pub async fn remove_row(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    id: Uuid,
) -> Result<(), AppError> {
    c.require(ManageRegisters)?;
    Ok(state
        .store
        .remove_ledger_row(&c.ctx(), reg.code, id)
        .await?)
}

/// Imports a register's table sent to the API, through the mapping given, the remembered one or
/// the recognised columns: all rows or none.
pub async fn import_row_table(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    name: &str,
    bytes: &[u8],
    mapping: Option<ColumnMapping>,
) -> Result<Result<Imported, Refusal>, AppError> {
    c.require(ManageRegisters)?;
    take_api(state, c, reg.code, reg, (name, bytes), mapping, |rows| {
        store_rows(state, c, reg, rows)
    })
    .await
}

/// Imports a register's table through the pages, asking the user to check the columns when
/// they are not ours or the remembered ones.
pub async fn review_row_table(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    table: &UploadedTable,
    choice: Option<Choice>,
) -> Result<Taken<Imported>, AppError> {
    c.require(ManageRegisters)?;
    take(state, c, reg.code, reg, table, choice, |rows| {
        store_rows(state, c, reg, rows)
    })
    .await
}

async fn store_rows(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    rows: Vec<mamori_domain::ledger::Row>,
) -> Result<Imported, AppError> {
    let (added, updated) = state
        .store
        .import_ledger_rows(&c.ctx(), reg.code, &rows)
        .await?;
    Ok(Imported { added, updated })
}

/// A register as CSV or XLSX.
pub async fn export_rows(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    xlsx: bool,
) -> Result<Download, AppError> {
    let rows: Vec<Vec<String>> = rows(state, c, reg)
        .await?
        .iter()
        .map(|r| reg.cells(&r.row))
        .collect();
    if xlsx {
        Download::xlsx(
            &format!("{}.xlsx", reg.code),
            reg.ja,
            &format!("{} — {}", reg.ja, c.org.profile.name),
            &reg.header(),
            &rows,
            None,
        )
    } else {
        let table: Vec<Vec<String>> = std::iter::once(reg.header()).chain(rows).collect();
        Download::csv(&format!("{}.csv", reg.code), &table)
    }
}

/// Attaches a file to a row (e.g. the MDS/SDS a vendor handed over).
pub async fn attach(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    id: Uuid,
    name: &str,
    bytes: Vec<u8>,
) -> Result<RowFile, AppError> {
    c.require(ManageRegisters)?;
    state.store.ledger_row(c.org.id, reg.code, id).await?;
    if bytes.is_empty() {
        return Err(AppError::Invalid(Problem::field(
            "file",
            "error.import_empty",
        )));
    }
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let sha = crate::core::uploads::store(
        &state.config.upload_dir,
        c.org.id,
        bytes,
        state.config.upload_quota_bytes,
    )
    .await?;
    let file_id = state
        .store
        .add_row_file(
            &c.ctx(),
            reg.code,
            id,
            &crate::core::uploads::clean_filename(name),
            size,
            &sha,
        )
        .await?;
    state
        .store
        .row_files(c.org.id, reg.code, id)
        .await?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or(AppError::NotFound)
}

/// A file attached to a row, as an attachment download.
pub async fn row_file(
    state: &AppState,
    c: &Caller,
    reg: &'static Register,
    id: Uuid,
    file: Uuid,
) -> Result<axum::response::Response, AppError> {
    c.require(ViewRegisters)?;
    let f = state
        .store
        .row_files(c.org.id, reg.code, id)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(AppError::NotFound)?;
    let bytes = crate::core::uploads::load(&state.config.upload_dir, c.org.id, &f.sha256).await?;
    Ok(crate::core::uploads::attachment(&f.filename, bytes))
}

// ---- reviews (棚卸し) ---------------------------------------------------------------------

/// The registers that can be reviewed: the device ledger, the accounts review and those kept
/// as rows.
fn reviewable(code: &str) -> bool {
    matches!(code, "devices" | "accounts") || register(code).is_some()
}

/// Records that a register was reviewed today, by the caller, with what was found or removed.
pub async fn review(
    state: &AppState,
    c: &Caller,
    code: &str,
    note: &str,
) -> Result<RegisterReview, AppError> {
    c.require(ManageRegisters)?;
    if !reviewable(code) {
        return Err(AppError::NotFound);
    }
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::Invalid(Problem::field("note", "error.too_long")));
    }
    state
        .store
        .record_review(&c.ctx(), code, c.today(), note)
        .await?;
    state
        .store
        .reviews(c.org.id, code)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Internal("review not recorded".into()))
}

// ---- the accounts review -----------------------------------------------------------------

/// The caller's organisation's accounts review.
pub async fn accounts(state: &AppState, c: &Caller) -> Result<AccountsReview, AppError> {
    c.require(ViewRegisters)?;
    status::accounts_review(state, c.org.id).await
}

/// What an import of a system's user list came to.
pub enum AccountsImport {
    /// The accounts were read through the mapping and stored.
    Imported(usize),
    /// The system has no mapping yet, or its export's header changed: the columns to map.
    NeedsMapping {
        /// The header of the file.
        header: Vec<String>,
        /// Every row, header first, to carry to the mapping form.
        rows: Vec<Vec<String>>,
    },
}

fn system_name(system: &str) -> Result<String, AppError> {
    let system = system.trim();
    if system.is_empty() || system.chars().count() > 100 {
        return Err(AppError::Invalid(Problem::field(
            "system",
            "error.system_name",
        )));
    }
    Ok(system.to_string())
}

/// Imports a system's user list: through `mapping` when given, else through the mapping
/// remembered for the system when it fits the file's header, else asks for the mapping.
pub async fn import_accounts(
    state: &AppState,
    c: &Caller,
    system: &str,
    name: &str,
    bytes: &[u8],
    mapping: Option<ColumnMapping>,
) -> Result<Result<AccountsImport, Refusal>, AppError> {
    c.require(ManageRegisters)?;
    let system = system_name(system)?;
    let table = match read_table(name, bytes, &[]) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let header = table.rows.first().cloned().unwrap_or_default();
    let mapping = match mapping {
        Some(m) => m,
        None => {
            let known = state
                .store
                .account_systems(c.org.id)
                .await?
                .into_iter()
                .find(|x| x.system == system)
                .map(|x| x.mapping);
            match known {
                Some(m) if mapping_fits(&header, &m) => m,
                _ => {
                    return Ok(Ok(AccountsImport::NeedsMapping {
                        header,
                        rows: table.rows,
                    }));
                }
            }
        }
    };
    apply_mapping(state, c, &system, &table.label, &table.rows, &mapping).await
}

/// Reads the rows of a user list through a mapping and stores them, remembering the mapping.
pub async fn apply_mapping(
    state: &AppState,
    c: &Caller,
    system: &str,
    label: &str,
    rows: &[Vec<String>],
    mapping: &ColumnMapping,
) -> Result<Result<AccountsImport, Refusal>, AppError> {
    c.require(ManageRegisters)?;
    let system = system_name(system)?;
    match parse_accounts(rows, mapping) {
        Err(errors) => Ok(Err(Refusal {
            file: label.to_string(),
            errors,
        })),
        Ok(accounts) => {
            state
                .store
                .import_accounts(&c.ctx(), &system, mapping, &accounts)
                .await?;
            Ok(Ok(AccountsImport::Imported(accounts.len())))
        }
    }
}

/// A mapping from the form's `map_<role>` choices (or the API's role → header object).
pub fn mapping_from(choices: &BTreeMap<String, String>, prefix: &str) -> ColumnMapping {
    MAPPING_ROLES
        .iter()
        .map(|(role, _, _)| {
            (
                role.to_string(),
                choices
                    .get(&format!("{prefix}{role}"))
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// Imports the staff list (職員番号, 氏名, 退職日): all rows or none.
pub async fn import_staff(
    state: &AppState,
    c: &Caller,
    name: &str,
    bytes: &[u8],
) -> Result<Result<usize, Refusal>, AppError> {
    c.require(ManageRegisters)?;
    let table = match read_table(name, bytes, &["職員番号", "Employee number"]) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    match parse_staff(&table.rows) {
        Err(errors) => Ok(Err(table.refusal(errors))),
        Ok(staff) => {
            state.store.import_staff(&c.ctx(), &staff).await?;
            Ok(Ok(staff.len()))
        }
    }
}

/// Sets how many days without a login count as unused (1–3650).
pub async fn set_unused_days(state: &AppState, c: &Caller, days: &str) -> Result<i64, AppError> {
    c.require(ManageRegisters)?;
    let days = days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or(AppError::Invalid(Problem::field(
            "unused_days",
            "error.unused_days",
        )))?;
    state.store.set_unused_days(&c.ctx(), days).await?;
    Ok(days)
}

/// The accounts to check as CSV, to hand to each system's administrator.
pub async fn flagged_csv(state: &AppState, c: &Caller) -> Result<Download, AppError> {
    let review = accounts(state, c).await?;
    let header = [
        "システム",
        "ログインID",
        "氏名",
        "職員番号",
        "最終ログイン",
        "指摘",
    ];
    let rows: Vec<Vec<String>> = std::iter::once(header.iter().map(|h| h.to_string()).collect())
        .chain(review.flagged.into_iter().map(|f| {
            vec![
                f.system,
                f.account.login,
                f.account.name,
                f.account.employee_id,
                f.account
                    .last_login
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                f.flags
                    .iter()
                    .map(|x| x.label(Lang::Ja))
                    .collect::<Vec<_>>()
                    .join("・"),
            ]
        }))
        .collect();
    Download::csv("accounts-to-check.csv", &rows)
}

// ---- known vulnerabilities ---------------------------------------------------------------

/// Largest feed file accepted (the full NVD year files are about this size).
pub const MAX_FEED_BYTES: usize = 200 * 1024 * 1024;

/// A finding with the decision taken on it.
pub struct FindingRow {
    /// The finding.
    pub f: Finding,
    /// The decision, if any.
    pub decision: Option<StoredDecision>,
}

impl FindingRow {
    /// Whether it still needs action.
    pub fn open(&self) -> bool {
        self.decision.is_none()
    }
}

/// Every finding of an organisation with its decision, riskiest first.
pub async fn finding_rows(state: &AppState, org_id: Uuid) -> Result<Vec<FindingRow>, AppError> {
    let devices = state.store.devices(org_id).await?;
    let index = VulnIndex::new(state.store.vulnerabilities(org_id).await?);
    let decisions = state.store.finding_decisions(org_id).await?;
    let entrances = crate::status::entrances(state, org_id).await?;
    let found = findings(
        devices.iter().map(|d| {
            (
                d.id,
                d.device.name.as_str(),
                crate::status::exposed(d, &entrances),
                d.device.identity(),
            )
        }),
        &index,
    );
    Ok(found
        .into_iter()
        .map(|f| FindingRow {
            decision: decisions
                .iter()
                .find(|d| d.device_id == f.device_id && d.cve == f.cve)
                .cloned(),
            f,
        })
        .collect())
}

/// The caller's organisation's findings.
pub async fn finding_list(state: &AppState, c: &Caller) -> Result<Vec<FindingRow>, AppError> {
    c.require(ViewRegisters)?;
    finding_rows(state, c.org.id).await
}

/// How much vulnerability data the organisation holds: records, and of those in KEV.
pub async fn feed_holdings(state: &AppState, c: &Caller) -> Result<(usize, usize), AppError> {
    c.require(ViewRegisters)?;
    let vulns = state.store.vulnerabilities(c.org.id).await?;
    Ok((
        vulns.len(),
        vulns.iter().filter(|v| v.kev.is_some()).count(),
    ))
}

/// Imports a KEV catalog, an NVD CVE API 2.0 file or a JVN iPedia list, merging per CVE; a file
/// that is none of these is refused on the `file` field with the reason. Returns the records read.
pub async fn import_feed(state: &AppState, c: &Caller, bytes: Vec<u8>) -> Result<usize, AppError> {
    c.require(ManageRegisters)?;
    let parsed = tokio::task::spawn_blocking(move || read_feed(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match parsed {
        Ok(records) => {
            let new = state
                .store
                .import_vulnerabilities(&c.ctx(), &records)
                .await?;
            Ok(records.len().max(new))
        }
        Err(e) => Err(AppError::Unreadable {
            key: "error.feed_unreadable",
            detail: e.to_string(),
        }),
    }
}

/// A decision on a finding as typed: `accept` with a reason, or `patched` with the day.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct DecisionDraft {
    /// `accept` or `patched`.
    pub action: String,
    /// Why the risk is accepted.
    pub reason: String,
    /// The day the patch was applied (YYYY-MM-DD).
    pub patched_on: String,
}

/// Records a decision on the finding (device, CVE) of one of the organisation's devices.
pub async fn decide(
    state: &AppState,
    c: &Caller,
    device: Uuid,
    cve: &str,
    d: &DecisionDraft,
) -> Result<(), AppError> {
    c.require(ManageRegisters)?;
    if !cve.starts_with("CVE-") || cve.len() > 30 {
        return Err(AppError::NotFound);
    }
    state.store.device(c.org.id, device).await?;
    let decision = match d.action.as_str() {
        "accept" => {
            let r = d.reason.trim();
            if r.is_empty() || r.chars().count() > NOTE_MAX {
                return Err(AppError::Invalid(Problem::field(
                    "reason",
                    "error.accept_reason",
                )));
            }
            FindingDecision::Accepted(r.to_string())
        }
        "patched" => {
            let day = chrono::NaiveDate::parse_from_str(d.patched_on.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::Invalid(Problem::field("patched_on", "error.date")))?;
            if day > c.today() {
                return Err(AppError::Invalid(Problem::field(
                    "patched_on",
                    "error.in_future",
                )));
            }
            FindingDecision::Patched(day)
        }
        _ => {
            return Err(AppError::Invalid(Problem::field(
                "action",
                "error.choose_one",
            )));
        }
    };
    Ok(state
        .store
        .decide_finding(&c.ctx(), device, cve, &decision)
        .await?)
}

/// Every register of the caller's organisation with its state.
pub async fn states(state: &AppState, c: &Caller) -> Result<Vec<RegisterState>, AppError> {
    c.require(ViewRegisters)?;
    status::register_states(state, c.org.id).await
}

/// Where one register of the caller's organisation stands.
pub async fn state_of(state: &AppState, c: &Caller, code: &str) -> Result<RegisterState, AppError> {
    c.require(ViewRegisters)?;
    status::register_state(state, c.org.id, code)
        .await?
        .ok_or(AppError::NotFound)
}
