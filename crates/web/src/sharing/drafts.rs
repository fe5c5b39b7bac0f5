//! Sharing as a by-product of an incident: the indicators an incident found (typed in, or taken
//! from its timeline) and a summary become a STIX report with its indicators, an optional malware
//! family they indicate, and a TLP marking, under an anonymous identity unless the institution
//! chooses its name. The draft is made once and shown exactly as it will be sent, with the lines
//! of free text that may carry personal data flagged; a second person approves and publishes it.

use super::service::{self, version_text};
use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::authz::Permission::ShareThreatInformation;
use mamori_domain::share::review_lines;
use mamori_domain::validate::{FieldError, Problem};
use mamori_store::{Audience, NewShareDraft, ShareDraft, SubmissionStatus};
use serde_json::{Value, json};
use stix::Tlp;
use uuid::Uuid;

/// The name shown for an institution that shares anonymously.
pub const ANONYMOUS_NAME: &str = "匿名の医療機関 (anonymous medical institution)";

/// What a person puts into a draft.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    /// The incident it comes from.
    pub incident_id: Option<Uuid>,
    /// The collection it is for.
    pub collection_id: Option<Uuid>,
    /// The report's title.
    pub title: String,
    /// What happened, in words others can use.
    pub summary: String,
    /// The indicator values, one a line.
    pub values: String,
    /// The malware family they indicate, if known.
    pub malware: String,
    /// The TLP level's code.
    pub tlp: String,
    /// Whether to share under an anonymous identity.
    pub anonymous: bool,
}

/// A flagged line as kept with the draft.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FlaggedLine {
    /// Where: `summary`, `title` or `malware`, and the line number.
    pub field: String,
    /// The line number (from 1).
    pub line: usize,
    /// The line.
    pub text: String,
    /// Message keys of the reasons.
    pub reasons: Vec<String>,
}

/// Makes the draft: checks what was typed and builds the objects once.
pub async fn create(state: &AppState, c: &Caller, d: &DraftInput) -> Result<Uuid, AppError> {
    c.require(ShareThreatInformation)?;
    let mut faults = Vec::new();
    if d.title.trim().is_empty() || d.title.chars().count() > 200 {
        faults.push(FieldError::new("title", "share.error.title"));
    }
    if d.summary.chars().count() > 10_000 || d.malware.chars().count() > 200 {
        faults.push(FieldError::new("summary", "share.error.text"));
    }
    let tlp = Tlp::from_code(&d.tlp).filter(|t| *t != Tlp::Red);
    if tlp.is_none() {
        faults.push(FieldError::new("tlp", "share.error.tlp"));
    }
    let mut values = Vec::new();
    for line in d.values.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match stix::value::guess(line) {
            Some(kind) => values.push((kind, stix::value::normalise(kind, line))),
            None => {
                faults.push(FieldError::new("values", "share.error.value"));
                break;
            }
        }
    }
    if values.is_empty() && faults.iter().all(|f| f.field != "values") {
        faults.push(FieldError::new("values", "share.error.no_values"));
    }
    let (Some(tlp), Some(collection_id), true) = (tlp, d.collection_id, faults.is_empty()) else {
        if d.collection_id.is_none() {
            faults.push(FieldError::new("collection_id", "share.error.collection"));
        }
        return Err(AppError::Invalid(Problem::new(faults)));
    };
    let col = service::collection(state, c, collection_id).await?;
    if !col.can_write {
        return Err(AppError::Forbidden);
    }
    if let Some(i) = d.incident_id {
        // Only the organisation's own incident.
        crate::status::incident_values(state, c.org.id, i).await?;
    }
    let identity = if d.anonymous {
        ANONYMOUS_NAME.to_string()
    } else {
        c.org.profile.name.clone()
    };
    let objects = build(c, &identity, tlp, d, &values);
    let mut flagged = Vec::new();
    for (field, text) in [
        ("title", &d.title),
        ("summary", &d.summary),
        ("malware", &d.malware),
    ] {
        flagged.extend(review_lines(text).into_iter().map(|f| FlaggedLine {
            field: field.to_string(),
            line: f.line,
            text: f.text,
            reasons: f.reasons.iter().map(|r| r.to_string()).collect(),
        }));
    }
    let draft = NewShareDraft {
        incident_id: d.incident_id,
        collection_id,
        title: d.title.trim().to_string(),
        tlp: tlp.code().to_string(),
        anonymous: d.anonymous,
        objects: Value::Array(objects).to_string(),
        flagged: serde_json::to_string(&flagged).unwrap_or_else(|_| "[]".into()),
    };
    Ok(state.store.create_share_draft(&c.ctx(), &draft).await?)
}

/// The STIX objects of a draft: identity, indicators, the malware and its relationships, report.
fn build(
    c: &Caller,
    identity_name: &str,
    tlp: Tlp,
    d: &DraftInput,
    values: &[(stix::value::ValueKind, String)],
) -> Vec<Value> {
    let now = version_text(c.now);
    let marking = json!([tlp.marking_id()]);
    let identity_id = format!("identity--{}", Uuid::new_v4());
    let common = |kind: &str| {
        json!({
            "type": kind, "spec_version": "2.1", "id": format!("{kind}--{}", Uuid::new_v4()),
            "created": now, "modified": now, "created_by_ref": identity_id,
            "object_marking_refs": marking,
        })
    };
    let with = |mut base: Value, more: Value| {
        if let (Some(b), Value::Object(m)) = (base.as_object_mut(), more) {
            b.extend(m);
        }
        base
    };
    let mut out = vec![json!({
        "type": "identity", "spec_version": "2.1", "id": identity_id,
        "created": now, "modified": now, "name": identity_name,
        "identity_class": "organization", "sectors": ["healthcare"],
        "object_marking_refs": marking,
    })];
    let indicators: Vec<Value> = values
        .iter()
        .map(|(kind, v)| {
            with(
                common("indicator"),
                json!({
                    "name": v, "indicator_types": ["malicious-activity"],
                    "pattern": stix::value::pattern(*kind, v), "pattern_type": "stix",
                    "valid_from": now,
                }),
            )
        })
        .collect();
    let id_of = |o: &Value| o.get("id").cloned().unwrap_or_default();
    let mut refs: Vec<Value> = indicators.iter().map(id_of).collect();
    out.extend(indicators.iter().cloned());
    if !d.malware.trim().is_empty() {
        let malware = with(
            common("malware"),
            json!({"name": d.malware.trim(), "is_family": true}),
        );
        refs.push(id_of(&malware));
        for i in &indicators {
            let r = with(
                common("relationship"),
                json!({"relationship_type": "indicates", "source_ref": id_of(i), "target_ref": id_of(&malware)}),
            );
            refs.push(id_of(&r));
            out.push(r);
        }
        out.push(malware);
    }
    let mut report = with(
        common("report"),
        json!({"name": d.title.trim(), "report_types": ["threat-report"], "published": now, "object_refs": refs}),
    );
    if let (false, Some(m)) = (d.summary.trim().is_empty(), report.as_object_mut()) {
        m.insert("description".into(), d.summary.trim().into());
    }
    out.push(report);
    out
}

/// A draft with its objects and flagged lines.
pub struct DraftView {
    /// The draft.
    pub draft: ShareDraft,
    /// The objects as they will be (or were) sent.
    pub objects: Vec<Value>,
    /// Lines to review.
    pub flagged: Vec<FlaggedLine>,
}

/// The organisation's drafts.
pub async fn drafts(state: &AppState, c: &Caller) -> Result<Vec<ShareDraft>, AppError> {
    c.require(ShareThreatInformation)?;
    Ok(state.store.share_drafts(c.org.id).await?)
}

/// One draft.
pub async fn draft(state: &AppState, c: &Caller, id: Uuid) -> Result<DraftView, AppError> {
    c.require(ShareThreatInformation)?;
    let draft = state.store.share_draft(c.org.id, id).await?;
    Ok(DraftView {
        objects: serde_json::from_str(&draft.objects).unwrap_or_default(),
        flagged: serde_json::from_str(&draft.flagged).unwrap_or_default(),
        draft,
    })
}

/// Approves and publishes a draft: by a second person, never the one who drafted it.
pub async fn approve(state: &AppState, c: &Caller, id: Uuid) -> Result<SubmissionStatus, AppError> {
    let v = draft(state, c, id).await?;
    if v.draft.created_by_user == c.user.id {
        return Err(AppError::Conflict("share.error.same_person"));
    }
    if v.draft.status != "draft" {
        return Err(AppError::Conflict("share.error.published"));
    }
    // Kept objects are not kept twice, so a second approval racing this one adds nothing.
    let status = service::submit(
        state,
        c,
        v.draft.collection_id,
        &v.objects,
        &Audience::default(),
        v.draft.anonymous,
    )
    .await?;
    if !state.store.approve_share_draft(&c.ctx(), id).await? {
        return Err(AppError::Conflict("share.error.published"));
    }
    Ok(status)
}
