//! The rules of mamori's field in plain Rust: organisations and roles, who may do what,
//! password rules of the MHLW checklist, the hash-chained audit trail and login throttling.
//! No IO, no async: time and randomness come in as parameters.

#[macro_use]
mod codes;

pub mod access;
pub mod accounts;
pub mod alert;
pub mod assessment;
pub mod audit;
pub mod authz;
pub mod catalog;
pub mod cells;
pub mod clock;
pub mod drafts;
pub mod duties;
pub mod exchange;
pub mod fiscal;
pub mod holidays;
pub mod i18n;
pub mod incident;
pub mod keys;
pub mod ledger;
pub mod org;
pub mod oversight;
pub mod password;
pub mod preparedness;
pub mod register;
pub mod role;
pub mod share;
pub mod status;
pub mod table;
pub mod throttle;
pub mod validate;
pub mod vuln;

pub use i18n::Lang;
