//! Socket- and process-level tests of the `mamori` binary, in one test binary: the command line,
//! crash safety of answered writes, and the real login page in headless Chromium.
// Test code: a panic is a failed check, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bombs;
mod browser;
mod cli;
mod crash;
mod holidays;
mod mail;
mod postgres_down;
mod schemathesis;
mod shutdown;
mod spreadsheet;
mod stix_oasis;
mod support;
mod taxii_feeds;
mod taxii_oasis;
