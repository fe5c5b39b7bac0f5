//! The web application driven through its router as a browser and API clients would, on a
//! temporary SQLite store with a clock the tests control.
// Test code: a panic is a failed check, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod api;
mod assessment;
mod bounded;
mod credentials;
mod incident;
mod oversight;
mod registers;
mod sharing;
mod sharing_groups;
mod structure;
mod support;
mod tenancy;
