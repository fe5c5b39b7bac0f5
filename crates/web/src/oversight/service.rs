//! Oversight's rules, called alike by the pages and the API: who sets an authority's
//! jurisdiction (the installation's home organisation), an authority's roster import, an
//! institution's submission of a fiscal year's checklist as a frozen snapshot, and the figures an
//! authority reads of its jurisdiction with small numbers suppressed.

use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::import::{Choice, Taken, take, take_api};
use crate::core::state::AppState;
use crate::core::table::{Refusal, UploadedTable};
use mamori_domain::authz::Permission::{
    ManageOversight, RegisterOrganisations, SubmitChecklist, ViewAssessments, ViewOversight,
};
use mamori_domain::catalog::SheetKind;
use mamori_domain::org::{InstitutionType, OrgKind};
use mamori_domain::oversight::{
    BedBand, ChecklistSnapshot, DEFAULT_MIN_CELL, ItemRate, Jurisdiction, RosterEntry, RosterTable,
    SubmittedAnswer, institution_code, item_rates,
};
use mamori_domain::table::ColumnMapping;
use mamori_domain::validate::{FieldError, Problem};
use mamori_store::{Authority, Organisation, Submission};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The snapshot format this version writes.
const SNAPSHOT_FORMAT: u32 = 1;

/// The organisations that may be given a jurisdiction (自治体 and 運営), each with the one it has.
pub async fn authority_orgs(
    state: &AppState,
    c: &Caller,
) -> Result<Vec<(Organisation, Option<Jurisdiction>)>, AppError> {
    c.require(RegisterOrganisations)?;
    let set = state.store.authorities().await?;
    Ok(state
        .store
        .org_directory()
        .await?
        .into_iter()
        .filter(|o| matches!(o.profile.kind, OrgKind::Municipality | OrgKind::Operator))
        .map(|o| {
            let j = set
                .iter()
                .find(|a| a.org_id == o.id)
                .map(|a| a.jurisdiction.clone());
            (o, j)
        })
        .collect())
}

/// Sets an authority's jurisdiction: the home organisation's administrators decide who oversees
/// what, never the authority itself. Faults name `scope`, `prefecture`, `municipalities`, or
/// `org` for an organisation that is not an authority.
pub async fn set_jurisdiction(
    state: &AppState,
    c: &Caller,
    org_id: Uuid,
    scope: &str,
    prefecture: &str,
    municipalities: &str,
) -> Result<Jurisdiction, AppError> {
    c.require(RegisterOrganisations)?;
    let org = state.store.org(org_id).await?;
    if !matches!(org.profile.kind, OrgKind::Municipality | OrgKind::Operator) {
        return Err(AppError::Invalid(Problem::field(
            "org",
            "oversight.error.not_authority",
        )));
    }
    let j = Jurisdiction::parse(scope, prefecture, municipalities).map_err(AppError::Invalid)?;
    state.store.set_jurisdiction(&c.ctx(), org_id, &j).await?;
    Ok(j)
}

/// The caller's own jurisdiction; an authority without one has nothing to oversee yet.
pub async fn own_jurisdiction(
    state: &AppState,
    c: &Caller,
) -> Result<Option<Jurisdiction>, AppError> {
    c.require(ViewOversight)?;
    Ok(state.store.jurisdiction(c.org.id).await?)
}

/// The caller's roster.
pub async fn roster(state: &AppState, c: &Caller) -> Result<Vec<RosterEntry>, AppError> {
    c.require(ViewOversight)?;
    Ok(state.store.roster(c.org.id).await?)
}

async fn store_roster(
    state: &AppState,
    c: &Caller,
    rows: Vec<RosterEntry>,
) -> Result<usize, AppError> {
    // A code listed twice would make "who submitted" ambiguous: the whole table is refused.
    let mut seen = std::collections::HashSet::new();
    if rows.iter().any(|r| !seen.insert(r.code.as_str())) {
        return Err(AppError::Invalid(Problem::field(
            "code",
            "oversight.error.duplicate_code",
        )));
    }
    Ok(state.store.replace_roster(&c.ctx(), &rows).await?)
}

/// Replaces the roster with a table sent to the API: all rows or none, faults by row and column.
pub async fn import_roster(
    state: &AppState,
    c: &Caller,
    name: &str,
    bytes: &[u8],
    mapping: Option<ColumnMapping>,
) -> Result<Result<usize, Refusal>, AppError> {
    c.require(ManageOversight)?;
    take_api(
        state,
        c,
        "roster",
        &RosterTable,
        (name, bytes),
        mapping,
        |rows| store_roster(state, c, rows),
    )
    .await
}

/// Replaces the roster with a table uploaded through the pages, asking the user to check the
/// columns when they are not ours or the remembered ones.
pub async fn review_roster(
    state: &AppState,
    c: &Caller,
    table: &UploadedTable,
    choice: Option<Choice>,
) -> Result<Taken<usize>, AppError> {
    c.require(ManageOversight)?;
    take(state, c, "roster", &RosterTable, table, choice, |rows| {
        store_roster(state, c, rows)
    })
    .await
}

/// The authorities an institution may submit to.
pub async fn authorities(state: &AppState, c: &Caller) -> Result<Vec<Authority>, AppError> {
    c.require(SubmitChecklist)?;
    Ok(state.store.authorities().await?)
}

/// What an institution submits, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SubmitDraft {
    /// The authority.
    pub authority_id: Option<Uuid>,
    /// The assessment whose answers are submitted.
    pub assessment_id: Option<Uuid>,
    /// 医療機関コード.
    pub institution_code: String,
    /// 市区町村.
    pub municipality: String,
}

/// Submits a fiscal year's checklist (an institution's or a pharmacy's own sheet) to an authority
/// that oversees where the institution lies: a frozen snapshot with its digest, the next version
/// of that year. Faults name `authority_id`, `assessment_id`, `institution_code`, `municipality`.
pub async fn submit(state: &AppState, c: &Caller, d: &SubmitDraft) -> Result<Submission, AppError> {
    c.require(SubmitChecklist)?;
    let mut faults = Vec::new();
    let code = institution_code(&d.institution_code);
    if code.is_none() {
        faults.push(FieldError::new("institution_code", "oversight.error.code"));
    }
    let municipality = d.municipality.trim().to_string();
    if municipality.is_empty() || municipality.chars().count() > 50 {
        faults.push(FieldError::new(
            "municipality",
            "oversight.error.municipality",
        ));
    }
    let authority = match d.authority_id {
        Some(id) => state
            .store
            .authorities()
            .await?
            .into_iter()
            .find(|a| a.org_id == id),
        None => None,
    };
    match (&authority, &code) {
        (None, _) => faults.push(FieldError::new("authority_id", "oversight.error.authority")),
        (Some(a), Some(code)) if !a.jurisdiction.covers(&code[..2], &municipality) => {
            faults.push(FieldError::new("authority_id", "oversight.error.outside"));
        }
        _ => {}
    }
    let chosen = match d.assessment_id {
        Some(id) => crate::status::checklist_answers(state, c.org.id, id).await?,
        None => None,
    };
    if chosen.is_none() {
        faults.push(FieldError::new(
            "assessment_id",
            "oversight.error.assessment",
        ));
    }
    let (Some(authority), Some(code), Some((list, current)), true) =
        (authority, code, chosen, faults.is_empty())
    else {
        return Err(AppError::Invalid(Problem::new(faults)));
    };
    let sheet = list.sheet;
    let snapshot = ChecklistSnapshot {
        format: SNAPSHOT_FORMAT,
        institution_code: code,
        institution_name: c.org.profile.name.clone(),
        municipality,
        fiscal_year: i32::from(sheet.fiscal_year),
        sheet_id: sheet.id.clone(),
        answers: sheet
            .items
            .iter()
            .map(|i| {
                let given = current.get(&i.id);
                SubmittedAnswer {
                    item_id: i.id.clone(),
                    number: i.number.clone(),
                    answer: given
                        .map(|g| g.answer.code().to_string())
                        .unwrap_or_default(),
                    checked_on: given.map(|g| g.checked_on),
                    target: given.and_then(|g| g.target_date),
                }
            })
            .collect(),
    };
    Ok(state
        .store
        .submit_checklist(&c.ctx(), authority.org_id, &snapshot)
        .await?)
}

/// Every version of every submission of a fiscal year within the authority's reach.
pub async fn submissions(
    state: &AppState,
    c: &Caller,
    fiscal_year: i32,
) -> Result<Vec<Submission>, AppError> {
    c.require(ViewOversight)?;
    Ok(state
        .store
        .submissions_in_scope(c.org.id, fiscal_year)
        .await?)
}

/// The newest fiscal year of any submission the authority may read.
pub async fn latest_fiscal_year(state: &AppState, c: &Caller) -> Result<Option<i32>, AppError> {
    c.require(ViewOversight)?;
    Ok(state.store.latest_fiscal_year_in_scope(c.org.id).await?)
}

/// The institution's own checklists that may be submitted.
pub async fn own_checklists(
    state: &AppState,
    c: &Caller,
) -> Result<Vec<crate::status::OwnChecklist>, AppError> {
    c.require(SubmitChecklist)?;
    crate::status::own_checklists(state, c.org.id).await
}

/// Submits a snapshot made elsewhere (the institution's own mamori, or a script) to an authority
/// of this installation. It is kept exactly as sent once it holds: the format this version
/// writes, a valid code, a sheet of the catalog (an institution's or a pharmacy's) of its fiscal
/// year with every item in the sheet's order and each answer `yes`, `no`, `na` or empty, and an
/// authority whose jurisdiction covers the code and municipality. Faults name `snapshot.*` or
/// `authority_id`.
pub async fn submit_snapshot(
    state: &AppState,
    c: &Caller,
    authority_id: Option<Uuid>,
    s: &ChecklistSnapshot,
) -> Result<Submission, AppError> {
    c.require(SubmitChecklist)?;
    let mut faults = Vec::new();
    let mut fault = |field: &str, key: &str| faults.push(FieldError::new(field, key));
    if s.format != SNAPSHOT_FORMAT {
        fault("snapshot.format", "oversight.error.format");
    }
    let code_ok = institution_code(&s.institution_code).as_deref() == Some(&s.institution_code);
    if !code_ok {
        fault("snapshot.institution_code", "oversight.error.code");
    }
    if s.municipality.trim().is_empty() || s.municipality.chars().count() > 50 {
        fault("snapshot.municipality", "oversight.error.municipality");
    }
    if s.institution_name.trim().is_empty() || s.institution_name.chars().count() > 200 {
        fault("snapshot.institution_name", "oversight.error.name");
    }
    let sheet = crate::core::catalog()?
        .sheets
        .get(&s.sheet_id)
        .filter(|sh| matches!(sh.kind, SheetKind::Institution | SheetKind::Pharmacy))
        .filter(|sh| i32::from(sh.fiscal_year) == s.fiscal_year);
    match sheet {
        None => fault("snapshot.sheet_id", "oversight.error.sheet"),
        Some(sh) => {
            let fits = sh.items.len() == s.answers.len()
                && sh.items.iter().zip(&s.answers).all(|(i, a)| {
                    i.id == a.item_id
                        && i.number == a.number
                        && ["", "yes", "no", "na"].contains(&a.answer.as_str())
                });
            if !fits {
                fault("snapshot.answers", "oversight.error.answers");
            }
        }
    }
    let authority = match authority_id {
        Some(id) => state
            .store
            .authorities()
            .await?
            .into_iter()
            .find(|a| a.org_id == id),
        None => None,
    };
    match &authority {
        None => fault("authority_id", "oversight.error.authority"),
        Some(a)
            if code_ok
                && !a
                    .jurisdiction
                    .covers(&s.institution_code[..2], &s.municipality) =>
        {
            fault("authority_id", "oversight.error.outside");
        }
        _ => {}
    }
    let Some(authority) = authority.filter(|_| faults.is_empty()) else {
        return Err(AppError::Invalid(Problem::new(faults)));
    };
    Ok(state
        .store
        .submit_checklist(&c.ctx(), authority.org_id, s)
        .await?)
}

/// The institution's own submissions, newest first.
pub async fn own_submissions(state: &AppState, c: &Caller) -> Result<Vec<Submission>, AppError> {
    c.require(SubmitChecklist)?;
    Ok(state.store.own_submissions(c.org.id).await?)
}

/// One submission: the institution's own (for those who see its self-assessments or submit
/// them), or one the authority may read; not found for anyone else.
pub async fn submission(state: &AppState, c: &Caller, id: Uuid) -> Result<Submission, AppError> {
    let may = [SubmitChecklist, ViewOversight, ViewAssessments];
    if !may.into_iter().any(|p| c.actor.can(p)) {
        return Err(AppError::NotFound);
    }
    Ok(state.store.submission(c.org.id, id).await?)
}

/// How one institution of the roster stands for a fiscal year.
#[derive(Debug, Clone)]
pub struct RosterStatus {
    /// The roster's entry.
    pub entry: RosterEntry,
    /// Its latest submission, if any.
    pub latest: Option<Submission>,
}

/// A municipality's line: institutions in the roster, how many submitted, and the はい rate of
/// those that did, suppressed below k.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityLine {
    /// The municipality.
    pub name: String,
    /// Institutions of the roster there.
    pub roster: usize,
    /// Of those, submitted.
    pub submitted: usize,
    /// はい across the submitted sheets' answered items, in percent; none below k submissions.
    pub yes_percent: Option<u32>,
}

/// What an authority sees of its jurisdiction for a fiscal year.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// Where it oversees.
    pub jurisdiction: Option<Jurisdiction>,
    /// The roster, each with its latest submission.
    pub roster: Vec<RosterStatus>,
    /// Latest submissions from institutions not in the roster.
    pub unlisted: Vec<Submission>,
    /// Every item's rate across the latest submissions.
    pub items: Vec<ItemRate>,
    /// By municipality.
    pub municipalities: Vec<MunicipalityLine>,
    /// The smallest number of institutions a published figure may describe.
    pub min_cell: usize,
}

impl Overview {
    /// Institutions of the roster that have not submitted.
    pub fn missing(&self) -> usize {
        self.roster.iter().filter(|r| r.latest.is_none()).count()
    }
}

/// The latest version of each institution's submission.
fn latest_each(all: Vec<Submission>) -> Vec<Submission> {
    let mut by_org: BTreeMap<(String, Uuid), Submission> = BTreeMap::new();
    for s in all {
        let key = (s.snapshot.institution_code.clone(), s.org_id);
        match by_org.get(&key) {
            Some(kept) if (kept.submitted_at, kept.version) >= (s.submitted_at, s.version) => {}
            _ => {
                by_org.insert(key, s);
            }
        }
    }
    by_org.into_values().collect()
}

/// Which institutions of the roster an overview is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewFilter {
    /// Only this type.
    pub institution_type: Option<InstitutionType>,
    /// Only this size band.
    pub beds: Option<BedBand>,
    /// Only this municipality.
    pub municipality: Option<String>,
}

impl OverviewFilter {
    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        *self != OverviewFilter::default()
    }

    /// Whether a roster entry passes.
    pub fn passes(&self, e: &RosterEntry) -> bool {
        self.institution_type
            .is_none_or(|t| t == e.institution_type)
            && self.beds.is_none_or(|b| b == BedBand::of(e.beds))
            && self
                .municipality
                .as_ref()
                .is_none_or(|m| *m == e.municipality)
    }
}

/// A filter as a query gives it: a type code, a bed band code, a municipality (each empty for
/// all); an unknown code is a fault on `type` or `beds`.
pub fn filter_of(kind: &str, beds: &str, municipality: &str) -> Result<OverviewFilter, AppError> {
    let mut faults = Vec::new();
    let institution_type = match kind.trim() {
        "" => None,
        k => {
            let t = InstitutionType::from_code(k);
            if t.is_none() {
                faults.push(FieldError::new("type", "oversight.error.type"));
            }
            t
        }
    };
    let band = match beds.trim() {
        "" => None,
        b => {
            let band = BedBand::from_code(b);
            if band.is_none() {
                faults.push(FieldError::new("beds", "oversight.error.beds"));
            }
            band
        }
    };
    if !faults.is_empty() {
        return Err(AppError::Invalid(Problem::new(faults)));
    }
    Ok(OverviewFilter {
        institution_type,
        beds: band,
        municipality: Some(municipality.trim().to_string()).filter(|m| !m.is_empty()),
    })
}

/// The authority's view of its jurisdiction for a fiscal year; with a filter, of the roster's
/// institutions that pass it (and no unlisted ones).
pub async fn overview(
    state: &AppState,
    c: &Caller,
    fiscal_year: i32,
    filter: &OverviewFilter,
) -> Result<Overview, AppError> {
    c.require(ViewOversight)?;
    let jurisdiction = state.store.jurisdiction(c.org.id).await?;
    let mut roster = state.store.roster(c.org.id).await?;
    roster.retain(|e| filter.passes(e));
    let mut latest = latest_each(
        state
            .store
            .submissions_in_scope(c.org.id, fiscal_year)
            .await?,
    );
    if filter.any() {
        let kept: std::collections::HashSet<&str> =
            roster.iter().map(|e| e.code.as_str()).collect();
        latest.retain(|s| kept.contains(s.snapshot.institution_code.as_str()));
    }
    let by_code: BTreeMap<&str, &Submission> = latest
        .iter()
        .map(|s| (s.snapshot.institution_code.as_str(), s))
        .collect();
    let listed: std::collections::HashSet<&str> = roster.iter().map(|e| e.code.as_str()).collect();
    let min_cell = DEFAULT_MIN_CELL;
    let mut municipalities: BTreeMap<String, (usize, Vec<&Submission>)> = BTreeMap::new();
    for e in &roster {
        let line = municipalities.entry(e.municipality.clone()).or_default();
        line.0 += 1;
        if let Some(s) = by_code.get(e.code.as_str()) {
            line.1.push(s);
        }
    }
    let municipalities = municipalities
        .into_iter()
        .map(|(name, (roster, subs))| {
            let answered: usize = subs.iter().map(|s| s.snapshot.answered()).sum();
            let yes: usize = subs.iter().map(|s| s.snapshot.yes()).sum();
            MunicipalityLine {
                name,
                roster,
                submitted: subs.len(),
                yes_percent: mamori_domain::oversight::suppressed(yes, subs.len(), min_cell)
                    .map(|y| u32::try_from(y * 100 / answered.max(1)).unwrap_or(100)),
            }
        })
        .collect();
    // Rates are read over the institutions' own sheet of the year, not a mix of sheets.
    let primary = latest
        .iter()
        .map(|s| s.snapshot.sheet_id.clone())
        .max_by_key(|id| latest.iter().filter(|s| &s.snapshot.sheet_id == id).count());
    let items = item_rates(
        latest
            .iter()
            .filter(|s| Some(&s.snapshot.sheet_id) == primary.as_ref())
            .map(|s| &s.snapshot),
    );
    Ok(Overview {
        fiscal_year,
        jurisdiction,
        roster: roster
            .iter()
            .map(|e| RosterStatus {
                entry: e.clone(),
                latest: by_code.get(e.code.as_str()).map(|s| (*s).clone()),
            })
            .collect(),
        unlisted: latest
            .iter()
            .filter(|s| !listed.contains(s.snapshot.institution_code.as_str()))
            .cloned()
            .collect(),
        items,
        municipalities,
        min_cell,
    })
}
