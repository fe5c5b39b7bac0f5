//! Typed read models that one capability may show of another. A checklist item shows the state
//! of the registers that evidence it, the vendors register shows where each vendor sheet stands,
//! the dashboard shows what needs attention: all read here, as counts and concerns computed from
//! the store and the domain, never through another capability's pages or services.

mod checklists;
mod incidents;
mod registers;
mod risks;

use crate::core::catalog;
use crate::core::error::AppError;
use crate::core::state::AppState;
pub use checklists::{OwnChecklist, checklist_answers, own_checklists};
pub use incidents::{IncidentToShare, incident_values, incidents_to_share};
use mamori_domain::assessment::{Figures, current_answers, summarise};
use mamori_domain::catalog::SheetKind;
pub use mamori_domain::status::{RegisterState, Remark};
use mamori_store::{FiguresState, KeptFigures};
pub use registers::{
    AccountsReview, FlaggedAccount, PATCH_STALE_DAYS, REVIEW_INTERVAL_DAYS, accounts_review, codes,
    device_identities, stale_patch,
};
pub use risks::{entrances, exposed, exposed_kev};
use std::collections::HashMap;
use uuid::Uuid;

/// Where one register of an organisation stands; none when the code names no register.
pub async fn register_state(
    state: &AppState,
    org_id: Uuid,
    code: &str,
) -> Result<Option<RegisterState>, AppError> {
    let sources = registers::Sources::one(state, org_id, code).await?;
    registers::state_of(state, org_id, code, &sources).await
}

/// Every register of an organisation with its state, in the order the index shows them.
pub async fn register_states(
    state: &AppState,
    org_id: Uuid,
) -> Result<Vec<RegisterState>, AppError> {
    // Every register's reviews and rows read at once, not once per register.
    let sources = registers::Sources::all(state, org_id).await?;
    let mut out = Vec::new();
    for code in codes() {
        if let Some(s) = registers::state_of(state, org_id, code, &sources).await? {
            out.push(s);
        }
    }
    Ok(out)
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

/// The figures of every assessment an organisation reaches (owns, or answers as a vendor), by
/// assessment: read as kept, and counted again (and kept) only for those whose answers or catalog
/// changed since. A bounded number of queries whatever the number of assessments.
pub async fn assessment_figures(
    state: &AppState,
    org_id: Uuid,
) -> Result<HashMap<Uuid, Figures>, AppError> {
    let states = state.store.figures_states(org_id).await?;
    figures_from(state, org_id, states).await
}

/// [`assessment_figures`] of these assessments only (those the organisation reaches).
pub async fn figures_of(
    state: &AppState,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Figures>, AppError> {
    let states = state.store.figures_states_of(org_id, ids).await?;
    figures_from(state, org_id, states).await
}

/// The figures of these states: as kept where fresh, else counted from the answers and kept.
async fn figures_from(
    state: &AppState,
    org_id: Uuid,
    states: HashMap<Uuid, FiguresState>,
) -> Result<HashMap<Uuid, Figures>, AppError> {
    let cat = catalog()?;
    let fingerprint = mamori_catalog::fingerprint();
    let mut out = HashMap::new();
    let mut stale = Vec::new();
    for (id, st) in &states {
        match st.fresh(fingerprint) {
            Some(f) => {
                out.insert(*id, f);
            }
            None => stale.push(*id),
        }
    }
    if stale.is_empty() {
        return Ok(out);
    }
    let today = mamori_domain::clock::jst_date(state.now());
    let mut answers = state.store.answers_of(org_id, &stale).await?;
    let mut counted = Vec::new();
    for id in stale {
        let Some(st) = states.get(&id) else { continue };
        let Some(sheet) = cat.sheets.get(&st.sheet_id) else {
            continue;
        };
        let given = answers.remove(&id).unwrap_or_default();
        let current = current_answers(
            given
                .iter()
                .map(|x| (x.item_id.as_str(), x.round, &x.answer)),
        );
        let figures = summarise(&sheet.items, &current, today).figures();
        out.insert(id, figures);
        counted.push((
            id,
            KeptFigures {
                // The revision read before the answers: if they moved on in between, these
                // figures look behind and are counted again next time, never the other way.
                answers_rev: st.answers_rev,
                catalog: fingerprint.to_string(),
                figures,
            },
        ));
    }
    state.store.keep_figures(&counted).await?;
    Ok(out)
}

/// Where an organisation's vendor sheets stand, newest fiscal year first.
pub async fn vendor_sheets(
    state: &AppState,
    org_id: Uuid,
) -> Result<Vec<VendorSheetState>, AppError> {
    let cat = catalog()?;
    let vendor: Vec<&str> = cat
        .sheets
        .values()
        .filter(|s| s.kind == SheetKind::Vendor)
        .map(|s| s.id.as_str())
        .collect();
    let sheets = state.store.assessments_of_sheets(org_id, &vendor).await?;
    let ids: Vec<Uuid> = sheets.iter().map(|a| a.id).collect();
    let figures = figures_of(state, org_id, &ids).await?;
    let mut out = Vec::new();
    for a in sheets {
        let sum = figures.get(&a.id).copied().unwrap_or_default();
        let progress = if sum.required > 0 && sum.answered == sum.required {
            SheetProgress::Answered
        } else if a.respondent_org_id.is_some() {
            SheetProgress::Sent
        } else {
            SheetProgress::NotSent
        };
        out.push(VendorSheetState {
            id: a.id,
            title: a.title.clone(),
            fiscal_year: a.fiscal_year,
            progress,
            answered: sum.answered,
            required: sum.required,
        });
    }
    Ok(out)
}
