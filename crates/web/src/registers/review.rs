//! What every register page shares: the notice after an import or a review, the forms that carry
//! only a token or a review note, and recording a review.

use super::service;
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::view::Page;
use axum::response::Response;
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

/// A form with only the token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    /// The form token.
    pub csrf: String,
}

/// The review form (棚卸し): what was found or removed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    note: String,
}

/// Records that a register was reviewed today by the signed-in user, and returns to it.
pub async fn reviewed(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    f: ReviewForm,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    service::review(state, s, code, &f.note).await?;
    Ok(see_other(&format!("/registers/{code}?reviewed=1")))
}
