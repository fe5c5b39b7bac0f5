//! Socket- and process-level tests of the `mamori` binary, in one test binary: the command line,
//! crash safety of answered writes, and the real login page in headless Chromium.

mod browser;
mod cli;
mod crash;
mod holidays;
mod mail;
mod spreadsheet;
mod support;
