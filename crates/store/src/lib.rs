//! Storage for mamori on SQLite (the embedded default) and PostgreSQL (large deployments), from one
//! migration history and one set of SQL texts. Every read or write of tenant data takes the
//! caller's organisation; there is no unscoped path to another organisation's data.

#[macro_use]
mod db;
mod accounts;
mod alerts;
mod drafts;
#[macro_use]
mod assessments;
mod audit;
mod error;
mod evidence;
mod feeds;
mod figures;
mod incidents;
mod inspections;
mod ledgers;
mod logins;
mod mail;
mod mappings;
mod models;
mod orgs;
mod oversight;
mod preparedness;
mod registers;
mod sealed;
pub mod sessions;
mod sharing;
mod sharing_groups;
mod tokens;
mod users;

pub use accounts::AccountSystem;
pub use alerts::{NewAlert, StoredAlert};
pub use assessments::{Assessment, StoredAnswer};
pub use db::{Backend, Store};
pub use drafts::{NewShareDraft, ShareDraft};
pub use error::StoreError;
pub use evidence::{Evidence, NewEvidence};
pub use feeds::{Feed, FeedRun, NewFeed};
pub use figures::{FiguresState, KeptFigures};
pub use incidents::{
    AnomalyReport, DocumentVersion, DutyRecord, Incident, MergeTarget, TaskState, TimelineEntry,
};
pub use inspections::{Inspected, StoredInspection};
pub use ledgers::{LedgerRow, RowFile};
pub use logins::{Lockout, LoginFailure};
pub use mail::{MAX_ATTEMPTS, OutgoingMail};
pub use models::*;
pub use oversight::{Authority, Submission};
pub use preparedness::{StoredContact, StoredProcedure};
pub use registers::{FindingDecision, RegisterReview, RowChange, StoredDecision, StoredDevice};
pub use sessions::NewSession;
pub use sharing::{
    Audience, Collection, FoundObject, NewObject, ObjectFilter, Reader, StoredObject,
    SubmissionStatus, Versions,
};
pub use sharing_groups::{GroupGrant, SharingGroup};
pub use users::{LOGIN_CANDIDATES, PasswordChange, PasswordChanged};

/// Results of storage operations.
pub type Result<T> = std::result::Result<T, StoreError>;
