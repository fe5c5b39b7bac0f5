//! Typed read models that one capability may show of another. A checklist item shows the state
//! of the registers that evidence it, the dashboard shows what needs attention: both read it
//! here as counts and concerns, never through the registers' pages.

use crate::core::error::AppError;
use crate::core::state::AppState;
pub use mamori_domain::status::{RegisterState, Remark};
use uuid::Uuid;

/// Where one register of an organisation stands; none when the code names no register.
pub async fn register_state(
    state: &AppState,
    org_id: Uuid,
    code: &str,
) -> Result<Option<RegisterState>, AppError> {
    crate::registers::service::state_of(state, org_id, code).await
}

/// How far a vendor sheet (事業者確認用) has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetProgress {
    /// Not yet sent to the vendor.
    NotSent,
    /// Sent, not every required item answered.
    Sent,
    /// Every required item answered.
    Answered,
}

impl SheetProgress {
    /// The label.
    pub fn label(self, lang: mamori_domain::Lang) -> &'static str {
        match self {
            SheetProgress::NotSent => lang.pick("未依頼", "Not sent"),
            SheetProgress::Sent => lang.pick("依頼済み", "Sent"),
            SheetProgress::Answered => lang.pick("回答済み", "Answered"),
        }
    }
}

/// Where one of an organisation's vendor sheets stands, for the vendors register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VendorSheetState {
    /// The assessment.
    pub id: Uuid,
    /// Vendor and system, as titled.
    pub title: String,
    /// Fiscal year.
    pub fiscal_year: i64,
    /// How far it has come.
    pub progress: SheetProgress,
    /// Required items answered.
    pub answered: u32,
    /// Required items.
    pub required: u32,
}

/// Where an organisation's vendor sheets stand, newest fiscal year first.
pub async fn vendor_sheets(
    state: &AppState,
    org_id: Uuid,
) -> Result<Vec<VendorSheetState>, AppError> {
    crate::assessment::service::vendor_sheets(state, org_id).await
}
