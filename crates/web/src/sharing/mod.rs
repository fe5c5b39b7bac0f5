//! The information sharing hub: collections of STIX 2.1 objects that member organisations read
//! and share into, under TLP 2.0 audiences, served over TAXII 2.1 to any client and through the
//! JSON API.

pub mod alert_pages;
pub mod alerts;
pub mod api;
pub mod draft_pages;
pub mod drafts;
pub mod feeds;
pub mod group_api;
pub mod group_pages;
pub mod groups;
pub mod pages;
pub mod service;
pub mod taxii;

use crate::core::routes::{Guard, Routes};
use mamori_domain::authz::Permission::{ManageCollections, ShareThreatInformation, ViewSharing};
use utoipa_axum::routes;

/// The hub's TAXII server, pages and API.
pub fn routes() -> Routes {
    let view = Guard::Holds(ViewSharing);
    let keep = Guard::Holds(ManageCollections);
    let share = Guard::Holds(ShareThreatInformation);
    Routes::new()
        .get("/sharing", view, pages::index)
        .post("/sharing", keep, pages::create)
        .get("/sharing/search", view, pages::search)
        .get("/sharing/drafts", share, draft_pages::list)
        .post("/sharing/drafts", share, draft_pages::create)
        .get("/sharing/drafts/{draft}", share, draft_pages::show)
        .post(
            "/sharing/drafts/{draft}/approve",
            share,
            draft_pages::approve,
        )
        .get("/sharing/groups", keep, group_pages::list)
        .post("/sharing/groups", keep, group_pages::create)
        .post("/sharing/groups/{group}/members", keep, group_pages::member)
        .get("/sharing/alerts", view, alert_pages::list)
        .post("/sharing/alerts", keep, alert_pages::publish)
        .get("/sharing/alerts/{alert}", view, alert_pages::show)
        .post(
            "/sharing/alerts/{alert}/ack",
            view,
            alert_pages::acknowledge,
        )
        .get("/sharing/{id}", view, pages::show)
        .get("/sharing/{id}/export.json", view, pages::export_bundle)
        .get("/sharing/{id}/export.txt", view, pages::export_list)
        .post(
            "/sharing/{id}/indicators",
            Guard::Holds(ShareThreatInformation),
            pages::share,
        )
        .post("/sharing/{id}/grants", keep, pages::grant)
        .post("/sharing/{id}/group-grants", keep, group_pages::grant)
        .post(
            "/sharing/{id}/sightings",
            Guard::Holds(ShareThreatInformation),
            pages::sight,
        )
        .merge(taxii::routes())
        .api(routes!(api::collections, api::create_collection))
        .api(routes!(api::collection))
        .api(routes!(api::grant))
        .api(routes!(group_api::grants))
        .api(routes!(group_api::grant_group))
        .api(routes!(group_api::audience))
        .api(routes!(group_api::groups, group_api::create_group))
        .api(routes!(group_api::add_member, group_api::remove_member))
        .api(routes!(api::objects))
        .api_upload(routes!(api::share), taxii::MAX_ENVELOPE_BYTES)
        .api(routes!(api::status))
        .api(routes!(api::export))
        .api(routes!(api::sightings, api::sight))
        .api(routes!(api::feeds, api::add_feed))
        .api(routes!(api::alerts, api::publish_alert))
        .api(routes!(api::acknowledge_alert))
        .api(routes!(api::alert_acks))
        .api(routes!(api::create_draft))
        .api(routes!(api::draft))
        .api(routes!(api::approve_draft))
        .api(routes!(api::pull_feed))
        .api(routes!(api::feed_runs))
        .post("/sharing/feeds", keep, pages::add_feed)
        .post("/sharing/feeds/{feed}/pull", keep, pages::pull_feed)
}
