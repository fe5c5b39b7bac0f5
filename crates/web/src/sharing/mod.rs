//! The information sharing hub: collections of STIX 2.1 objects that member organisations read
//! and share into, under TLP 2.0 audiences, served over TAXII 2.1 to any client and through the
//! JSON API.

pub mod api;
pub mod service;
pub mod taxii;

use crate::core::routes::Routes;
use utoipa_axum::routes;

/// The hub's TAXII server, pages and API.
pub fn routes() -> Routes {
    Routes::new()
        .merge(taxii::routes())
        .api(routes!(api::collections, api::create_collection))
        .api(routes!(api::collection))
        .api(routes!(api::grant))
        .api(routes!(api::objects))
        .api_upload(routes!(api::share), taxii::MAX_ENVELOPE_BYTES)
        .api(routes!(api::status))
}
