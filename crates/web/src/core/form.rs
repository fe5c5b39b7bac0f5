//! Form bodies, decoded with support for repeated fields (checkbox groups).

use crate::core::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// An `application/x-www-form-urlencoded` body decoded into `T`; a body that cannot be decoded is a
/// 400 with a message in the user's language.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("error.malformed"))?;
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| AppError::BadRequest("error.malformed"))
    }
}
