//! The incident facts form, shared by triage, a new incident and changing the facts.

use mamori_domain::Lang;
use mamori_domain::incident::{IncidentDraft, IncidentKind, Severity};
use mamori_domain::validate::Problem;
use serde::Deserialize;

/// The incident facts form (shared by triage, new and edit) in the page language.
pub struct IncidentForm {
    /// As typed.
    pub draft: IncidentDraft,
    /// Faults.
    pub errors: Problem,
    /// Kind choices (code, label).
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Severity choices (code, label).
    pub severities: Vec<(&'static str, &'static str)>,
    /// Whether the reason for a change is asked.
    pub editing: bool,
}

impl IncidentForm {
    /// The form for a draft.
    pub fn new(lang: Lang, draft: IncidentDraft, errors: Problem, editing: bool) -> IncidentForm {
        IncidentForm {
            draft,
            errors,
            kinds: IncidentKind::ALL
                .iter()
                .map(|k| (k.code(), k.label(lang)))
                .collect(),
            severities: Severity::ALL
                .iter()
                .map(|k| (k.code(), k.label(lang)))
                .collect(),
            editing,
        }
    }
}

/// The facts form as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FactsForm {
    pub(crate) csrf: String,
    #[serde(flatten)]
    pub(crate) draft: IncidentDraft,
}
