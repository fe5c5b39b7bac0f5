//! The self-assessment's rules as pages and API both use them: who reaches a sheet and how
//! (owner, or the vendor asked to answer it), checking answers against the clock, evidence,
//! maturity, sending a vendor sheet, carrying last year over, and what a sheet adds up to.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use crate::core::{catalog, display_name, invite_link, new_invite};
use mamori_domain::access::Access;
use mamori_domain::assessment::{
    AnswerDraft, AnswerRule, Figures, ItemAnswer, Round, Summary, current_answers, summarise,
};
use mamori_domain::authz::Permission::{AnswerAssessments, ViewAssessments};
use mamori_domain::catalog::{Catalog, Sheet, SheetKind};
use mamori_domain::status::RegisterState;
use mamori_domain::validate::{FieldError, Problem};
use mamori_store::{Assessment, Evidence, StoredAnswer};
use std::collections::HashMap;
use uuid::Uuid;

/// The longest title of an assessment (the vendor and system of a vendor sheet).
const TITLE_MAX: usize = 200;

/// The catalog sheet an assessment answers.
pub fn sheet_of(a: &Assessment) -> Result<&'static Sheet, AppError> {
    catalog()?
        .sheets
        .get(&a.sheet_id)
        .ok_or_else(|| AppError::Internal(format!("sheet {} not in catalog", a.sheet_id)))
}

/// The answer that counts for each item: the second round's where given, else the first's.
pub fn current(answers: &[StoredAnswer]) -> HashMap<String, ItemAnswer> {
    current_answers(
        answers
            .iter()
            .map(|a| (a.item_id.as_str(), a.round, &a.answer)),
    )
}

/// What a sheet's current answers add up to on `today`.
pub fn summary_of_answers(
    sheet: &Sheet,
    answers: &[StoredAnswer],
    today: chrono::NaiveDate,
) -> Summary {
    summarise(&sheet.items, &current(answers), today)
}

/// What an assessment adds up to, read as organisation `org_id` (its owner or respondent).
pub async fn summary_of(
    state: &AppState,
    org_id: Uuid,
    a: &Assessment,
) -> Result<Summary, AppError> {
    // Scoped to what the organisation reaches within the one query.
    let answers = state
        .store
        .answers_of(org_id, &[a.id])
        .await?
        .remove(&a.id)
        .unwrap_or_default();
    Ok(summary_of_answers(
        sheet_of(a)?,
        &answers,
        mamori_domain::clock::jst_date(state.now()),
    ))
}

/// An assessment the caller's organisation reaches, with how it stands to it.
pub async fn open(state: &AppState, c: &Caller, id: Uuid) -> Result<Access<Assessment>, AppError> {
    c.require(ViewAssessments)?;
    Ok(state.store.assessment_access(c.org.id, id).await?)
}

/// An assessment the caller's organisation owns; a respondent gets not found, as a stranger would.
async fn own(state: &AppState, c: &Caller, id: Uuid) -> Result<Assessment, AppError> {
    open(state, c, id).await?.owned().ok_or(AppError::NotFound)
}

/// The organisation's own assessments, newest fiscal year first.
pub async fn own_list(state: &AppState, c: &Caller) -> Result<Vec<Assessment>, AppError> {
    c.require(ViewAssessments)?;
    Ok(state.store.assessments(c.org.id).await?)
}

/// Every assessment the caller's organisation reaches, its own first and then those it was asked
/// to answer: whole, or the page `(limit, offset)`; with the length of the whole list.
pub async fn reached(
    state: &AppState,
    c: &Caller,
    page: Option<(i64, i64)>,
) -> Result<(Vec<Assessment>, i64), AppError> {
    c.require(ViewAssessments)?;
    Ok(state.store.reached_assessments(c.org.id, page).await?)
}

/// The vendor sheets other organisations asked this one to answer, with the requester's name.
pub async fn to_answer(
    state: &AppState,
    c: &Caller,
) -> Result<Vec<(Assessment, String)>, AppError> {
    c.require(ViewAssessments)?;
    let names = state.store.requesters_of(c.org.id).await?;
    Ok(state
        .store
        .assessments_to_answer(c.org.id)
        .await?
        .into_iter()
        .map(|a| {
            let requester = names.get(&a.org_id).cloned().unwrap_or_default();
            (a, requester)
        })
        .collect())
}

/// A new assessment as asked for.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct StartDraft {
    /// Catalog sheet id (`fy2025.institution`).
    pub sheet: String,
    /// For vendor sheets: the vendor and system.
    pub title: String,
    /// Start from last fiscal year's answers, marked to re-confirm.
    pub carry: bool,
}

/// Starts an assessment of a catalog sheet; a vendor sheet names the vendor and system.
pub async fn start(state: &AppState, c: &Caller, d: &StartDraft) -> Result<Assessment, AppError> {
    c.require(AnswerAssessments)?;
    let sheet = catalog()?.sheets.get(d.sheet.trim());
    let title = d.title.trim();
    let fault = match sheet {
        None => Some(("sheet", "error.choose_one")),
        Some(sh) if sh.kind == SheetKind::Vendor && title.is_empty() => {
            Some(("title", "error.vendor_title"))
        }
        Some(_) if title.chars().count() > TITLE_MAX => Some(("title", "error.too_long")),
        Some(_) => None,
    };
    let (Some(sheet), None) = (sheet, fault) else {
        let (field, key) = fault.unwrap_or(("sheet", "error.choose_one"));
        return Err(AppError::Invalid(Problem::field(field, key)));
    };
    let a = state
        .store
        .create_assessment(&c.ctx(), i64::from(sheet.fiscal_year), &sheet.id, title)
        .await?;
    if d.carry {
        carry_from_last_year(state, c, &a).await?;
    }
    Ok(a)
}

/// An item of the sheet an assessment answers, or not found.
pub fn item_of(a: &Assessment, item: &str) -> Result<(), AppError> {
    if sheet_of(a)?.items.iter().any(|i| i.id == item) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Answers an item in a round, as the owner or as the vendor asked to answer. Files sent with
/// the answer are kept even when the answer has a fault, so nothing attached is lost.
pub async fn answer(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    item: &str,
    round: Round,
    draft: &AnswerDraft,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(), AppError> {
    c.require(AnswerAssessments)?;
    let a = open(state, c, id).await?;
    let sheet = sheet_of(&a)?;
    let rule = sheet
        .items
        .iter()
        .find(|i| i.id == item)
        .map(|i| AnswerRule::of(sheet, i))
        .ok_or(AppError::NotFound)?;
    keep_evidence(state, c, &a, item, files).await?;
    let answer = draft
        .validate(&rule, c.today())
        .map_err(AppError::Invalid)?;
    Ok(state
        .store
        .save_answer(&c.ctx(), id, item, round, &answer)
        .await?)
}

/// The stored answers of an assessment the caller reaches, both rounds.
pub async fn answers(
    state: &AppState,
    c: &Caller,
    a: &Assessment,
) -> Result<Vec<StoredAnswer>, AppError> {
    Ok(state.store.answers(c.org.id, a.id).await?)
}

/// The figures (how far answered, the overall tally) of every assessment the caller's
/// organisation reaches, by assessment.
pub async fn figures_of_all(
    state: &AppState,
    c: &Caller,
) -> Result<HashMap<Uuid, Figures>, AppError> {
    c.require(ViewAssessments)?;
    crate::status::assessment_figures(state, c.org.id).await
}

/// The figures of these assessments (those the caller's organisation reaches), by assessment.
pub async fn figures_of(
    state: &AppState,
    c: &Caller,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Figures>, AppError> {
    c.require(ViewAssessments)?;
    crate::status::figures_of(state, c.org.id, ids).await
}

/// Keeps uploaded files as evidence of an item: the bytes under the assessment owner's folder by
/// SHA-256, the record with name, size, hash, uploader and time.
pub async fn keep_evidence(
    state: &AppState,
    c: &Caller,
    a: &Assessment,
    item: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<Evidence>, AppError> {
    c.require(AnswerAssessments)?;
    item_of(a, item)?;
    let mut kept = Vec::new();
    for (filename, bytes) in files {
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let sha256 = crate::core::uploads::store(
            &state.config.upload_dir,
            a.org_id,
            bytes,
            state.config.upload_quota_bytes,
        )
        .await?;
        let name = crate::core::uploads::clean_filename(&filename);
        kept.push(
            state
                .store
                .add_evidence(
                    &c.ctx(),
                    a.id,
                    &mamori_store::NewEvidence {
                        item_id: item,
                        filename: &name,
                        size,
                        sha256: &sha256,
                    },
                )
                .await?,
        );
    }
    Ok(kept)
}

/// The evidence of an assessment the caller reaches.
pub async fn evidence(state: &AppState, c: &Caller, id: Uuid) -> Result<Vec<Evidence>, AppError> {
    open(state, c, id).await?;
    Ok(state.store.evidence_list(c.org.id, id).await?)
}

/// An evidence file as an attachment (never rendered in the page's origin).
pub async fn evidence_file(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    evidence_id: Uuid,
) -> Result<axum::response::Response, AppError> {
    let a = open(state, c, id).await?;
    let e = state.store.evidence(c.org.id, evidence_id).await?;
    if e.assessment_id != id {
        return Err(AppError::NotFound);
    }
    // Files live under the assessment owner's folder, also when a vendor uploaded them.
    let bytes = crate::core::uploads::load(&state.config.upload_dir, a.org_id, &e.sha256).await?;
    Ok(crate::core::uploads::attachment(&e.filename, bytes))
}

/// Records the maturity stage (1–5) the organisation assigns itself, with the rationale; the
/// owner only.
pub async fn set_maturity(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    stage: &str,
    rationale: &str,
) -> Result<(), AppError> {
    c.require(AnswerAssessments)?;
    own(state, c, id).await?;
    let (stage, rationale) = maturity_of(stage, rationale).map_err(AppError::Invalid)?;
    Ok(state
        .store
        .set_maturity(&c.ctx(), id, stage, &rationale)
        .await?)
}

/// Checks a maturity stage (1–5) and its rationale; faults name their field.
fn maturity_of(stage: &str, rationale: &str) -> Result<(i64, String), Problem> {
    let stage = stage
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=5).contains(n));
    let rationale = rationale.trim();
    let mut errors = Vec::new();
    if stage.is_none() {
        errors.push(FieldError::new("stage", "error.choose_one"));
    }
    if rationale.is_empty() {
        errors.push(FieldError::new("rationale", "error.required"));
    } else if rationale.chars().count() > 4000 {
        errors.push(FieldError::new("rationale", "error.too_long"));
    }
    match stage {
        Some(n) if errors.is_empty() => Ok((n, rationale.to_string())),
        _ => Err(Problem::new(errors)),
    }
}

/// Whom to ask to answer a vendor sheet.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SendDraft {
    /// The vendor contact's e-mail.
    pub email: String,
    /// For a vendor without an account: the vendor's name.
    pub vendor_name: String,
    /// For a vendor without an account: the contact's name.
    pub contact_name: String,
}

/// Sends a vendor sheet to the vendor's organisation to answer (the owner only): an existing
/// vendor account is linked; otherwise a vendor organisation is registered and its contact
/// invited. Returns the one-time invitation link when a contact was invited.
pub async fn send(
    state: &AppState,
    c: &Caller,
    id: Uuid,
    d: &SendDraft,
) -> Result<Option<String>, AppError> {
    c.require(AnswerAssessments)?;
    let a = own(state, c, id).await?;
    if sheet_of(&a)?.kind != SheetKind::Vendor {
        return Err(AppError::NotFound);
    }
    let invalid = |errors| Err(AppError::Invalid(Problem::new(errors)));
    let Ok(email) = mamori_domain::validate::email(&d.email) else {
        return invalid(vec![FieldError::new("email", "error.email")]);
    };
    let ctx = c.ctx();
    let accounts = state.store.login_candidates(&email).await?;
    // Only the caller's own accounts and vendors' are looked at: whether the address has an
    // account at another hospital is none of the caller's business, and such an address simply
    // gets a vendor account of its own.
    if accounts.iter().any(|(_, org)| org.id == c.org.id) {
        return invalid(vec![FieldError::new("email", "error.not_vendor")]);
    }
    let vendor = accounts
        .iter()
        .find(|(_, org)| org.profile.kind == mamori_domain::org::OrgKind::Vendor);
    match vendor {
        Some((_, org)) => {
            state.store.send_to_vendor(&ctx, id, org.id).await?;
            Ok(None)
        }
        None => {
            let mut errors = Vec::new();
            let vendor = d.vendor_name.trim();
            if vendor.is_empty() {
                errors.push(FieldError::new("vendor_name", "error.required"));
            } else if vendor.chars().count() > TITLE_MAX {
                errors.push(FieldError::new("vendor_name", "error.too_long"));
            }
            let contact = display_name(&d.contact_name, &mut errors);
            if !errors.is_empty() {
                return invalid(errors);
            }
            let profile = mamori_domain::org::OrgProfile {
                name: vendor.to_string(),
                kind: mamori_domain::org::OrgKind::Vendor,
                institution_type: None,
                beds: None,
            };
            let (token, expires) = new_invite(state);
            let admin = mamori_store::NewUser {
                email,
                display_name: contact,
                roles: mamori_domain::role::RoleSet::new([mamori_domain::role::Role::Admin]),
                password_hash: None,
                must_change_password: false,
            };
            let (org, _) = state
                .store
                .register_org(
                    &ctx,
                    &profile,
                    &admin,
                    &crate::core::crypto::digest(&token),
                    expires,
                )
                .await?;
            state.store.send_to_vendor(&ctx, id, org.id).await?;
            Ok(Some(invite_link(state, &token)))
        }
    }
}

/// Last fiscal year's assessment of the same kind of sheet (and the same subject, for vendor
/// sheets), if the organisation has one.
pub async fn previous_year(
    state: &AppState,
    org_id: Uuid,
    a: &Assessment,
) -> Result<Option<Assessment>, AppError> {
    let kind = a.sheet_id.split_once('.').map(|(_, k)| k).unwrap_or("");
    let wanted = format!("fy{}.{kind}", a.fiscal_year - 1);
    Ok(state
        .store
        .assessments(org_id)
        .await?
        .into_iter()
        .find(|p| p.sheet_id == wanted && p.title == a.title))
}

/// Starts last year's answers in round 1 of a new assessment, marked 要再確認.
async fn carry_from_last_year(
    state: &AppState,
    c: &Caller,
    a: &Assessment,
) -> Result<usize, AppError> {
    let Some(prev) = previous_year(state, c.org.id, a).await? else {
        return Ok(0);
    };
    let from = sheet_of(&prev)?;
    let last = current(&state.store.answers(c.org.id, prev.id).await?);
    let carried: Vec<_> = Catalog::predecessors(from, sheet_of(a)?)
        .into_iter()
        .filter_map(|(to, froms)| {
            froms
                .iter()
                .find_map(|f| last.get(*f))
                .map(|ans| (to.to_string(), Round::First, ans.clone()))
        })
        .collect();
    state.store.carry_over(&c.ctx(), a.id, &carried).await?;
    Ok(carried.len())
}

/// The state of each register a sheet's items point to, for the organisation that owns the
/// assessment (a register speaks for its owner, also when a vendor answers).
pub async fn register_states(
    state: &AppState,
    a: &Assessment,
) -> Result<Vec<RegisterState>, AppError> {
    let mut out: Vec<RegisterState> = Vec::new();
    for code in sheet_of(a)?.items.iter().flat_map(|i| i.registers.iter()) {
        if out.iter().any(|r| r.code == code) {
            continue;
        }
        if let Some(s) = crate::status::register_state(state, a.org_id, code).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// Where the organisation's latest assessment of its own sheet (not a vendor sheet) stands.
pub async fn latest_own(
    state: &AppState,
    c: &Caller,
) -> Result<Option<(Assessment, Summary)>, AppError> {
    c.require(ViewAssessments)?;
    // The newest: the latest fiscal year, and within it the one started last (one row, read by
    // the database, whatever the number of assessments).
    let Some(a) = state
        .store
        .newest_own_assessment(c.org.id)
        .await?
        .filter(|a| sheet_of(a).is_ok_and(|s| s.kind != SheetKind::Vendor))
    else {
        return Ok(None);
    };
    let summary = summary_of(state, c.org.id, &a).await?;
    Ok(Some((a, summary)))
}
