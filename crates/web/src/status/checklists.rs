//! An institution's own checklists as another capability may read them: oversight freezes one
//! into a submission to an authority.

use crate::core::catalog;
use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::assessment::{ItemAnswer, current_answers};
use mamori_domain::catalog::{Sheet, SheetKind};
use std::collections::HashMap;
use uuid::Uuid;

/// One of the organisation's own checklists: its sheet is an institution's or a pharmacy's (not
/// a vendor's).
#[derive(Debug, Clone)]
pub struct OwnChecklist {
    /// The assessment's id.
    pub id: Uuid,
    /// The sheet it answers.
    pub sheet: &'static Sheet,
    /// Its label.
    pub title: String,
}

/// The organisation's own checklists, newest fiscal year first.
pub async fn own_checklists(state: &AppState, org_id: Uuid) -> Result<Vec<OwnChecklist>, AppError> {
    let sheets = &catalog()?.sheets;
    Ok(state
        .store
        .assessments(org_id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let sheet = sheets.get(&a.sheet_id)?;
            matches!(sheet.kind, SheetKind::Institution | SheetKind::Pharmacy).then(|| {
                OwnChecklist {
                    id: a.id,
                    sheet,
                    title: a.title,
                }
            })
        })
        .collect())
}

/// The answer that counts for each item of one of the organisation's own checklists (the second
/// round's where given); none when it has no such checklist.
pub async fn checklist_answers(
    state: &AppState,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<(OwnChecklist, HashMap<String, ItemAnswer>)>, AppError> {
    let Some(list) = own_checklists(state, org_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
    else {
        return Ok(None);
    };
    let answers = state.store.answers(org_id, id).await?;
    let current = current_answers(
        answers
            .iter()
            .map(|a| (a.item_id.as_str(), a.round, &a.answer)),
    );
    Ok(Some((list, current)))
}
