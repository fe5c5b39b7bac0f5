//! What every register page shares: the notice after an import or a review, and recording a review.

use super::{see_other, today};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::Page;
use axum::response::Response;
use mamori_domain::authz::Permission;
use serde::Deserialize;

/// `?imported=…` after an import, `?reviewed=1` after a review.
#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    imported: Option<String>,
    #[serde(default)]
    reviewed: Option<String>,
}

impl Notice {
    /// The page with the notice these parameters call for.
    pub fn on(self, mut page: Page) -> Page {
        if let Some(counts) = self.imported {
            page.notice = Some(format!("{} ({counts})", page.t("devices.imported")));
            page
        } else if self.reviewed.is_some() {
            page.with_notice("devices.reviewed")
        } else {
            page
        }
    }
}

/// The review form (棚卸し): what was found or removed.
#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// Records that a register was reviewed today, by the signed-in user, with the note.
pub async fn record_review(
    state: &AppState,
    s: &SignedIn,
    register: &str,
    f: ReviewForm,
) -> Result<Response, AppError> {
    s.require(Permission::ManageRegisters)?;
    s.check_csrf(&f.csrf)?;
    let note = f.note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::BadRequest("error.too_long"));
    }
    state
        .store
        .record_review(&s.ctx(), register, today(state), note)
        .await?;
    Ok(see_other(&format!("/registers/{register}?reviewed=1")))
}
