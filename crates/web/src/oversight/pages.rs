//! Oversight's pages: an authority's view of its jurisdiction (who submitted, item rates, by
//! municipality) with its roster import and CSV export; the home organisation's jurisdictions;
//! an institution's submission form and its submissions; one submission as submitted.

use super::api::year_of;
use super::service::{self, Overview, SubmitDraft};
use crate::core::auth::SignedIn;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::import::{Taken, review_form, review_page};
use crate::core::see_other;
use crate::core::state::AppState;
use crate::core::table::{Download, Refusal, Upload, read_table, refusal_page};
use crate::core::view::{Page, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_domain::authz::Permission::ManageOversight;
use mamori_domain::clock::format_jst;
use mamori_domain::org::InstitutionType;
use mamori_domain::oversight::{BedBand, Jurisdiction, PREFECTURES};
use mamori_domain::validate::Problem;
use mamori_store::{Authority, Submission};
use serde::Deserialize;
use uuid::Uuid;

/// Which fiscal year a page shows, and which institutions.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    fy: Option<i32>,
    r#type: String,
    beds: String,
    municipality: String,
}

impl YearQuery {
    /// The same choices as a query string, for the export links.
    fn query(&self, fy: i32) -> String {
        format!(
            "fy={fy}&type={}&beds={}&municipality={}",
            enc(&self.r#type),
            enc(&self.beds),
            enc(&self.municipality)
        )
    }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "oversight.html")]
struct OverviewPage {
    page: Page,
    o: Overview,
    jurisdiction: String,
    can_manage: bool,
    q: YearQuery,
    query: String,
    types: Vec<(&'static str, &'static str)>,
    bands: Vec<(&'static str, &'static str)>,
    places: Vec<String>,
}

impl OverviewPage {
    fn percent(p: Option<u32>) -> String {
        p.map_or_else(|| "—".to_string(), |v| format!("{v}%"))
    }
}

/// The authority's view of its jurisdiction.
pub async fn overview(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&state, &s, q.fy).await?;
    let filter = service::filter_of(&q.r#type, &q.beds, &q.municipality)?;
    let o = service::overview(&state, &s, fy, &filter).await?;
    let mut places: Vec<String> = service::roster(&state, &s)
        .await?
        .into_iter()
        .map(|e| e.municipality)
        .collect();
    places.dedup();
    places.sort();
    places.dedup();
    render(&OverviewPage {
        page: Page::signed_in(&s, "oversight.title", "/oversight"),
        jurisdiction: o
            .jurisdiction
            .as_ref()
            .map(|j| j.label(s.lang))
            .unwrap_or_default(),
        can_manage: s.actor.can(ManageOversight),
        query: q.query(fy),
        q,
        types: InstitutionType::ALL
            .iter()
            .map(|t| (t.code(), t.label(s.lang)))
            .collect(),
        bands: BedBand::ALL
            .iter()
            .map(|b| (b.code(), b.label(s.lang)))
            .collect(),
        places,
        o,
    })
}

/// The overview as a table: each roster entry with its latest submission, then the item rates
/// (those below the smallest cell left out).
fn export_table(o: &Overview) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = [
        "医療機関コード",
        "名称",
        "種別",
        "病床数",
        "市区町村",
        "提出",
        "版",
        "はい/回答",
        "SHA-256",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for r in &o.roster {
        let l = r.latest.as_ref();
        rows.push(vec![
            r.entry.code.clone(),
            r.entry.name.clone(),
            r.entry
                .institution_type
                .label(mamori_domain::Lang::Ja)
                .into(),
            r.entry.beds.map(|b| b.to_string()).unwrap_or_default(),
            r.entry.municipality.clone(),
            l.map_or("未提出".into(), |l| format_jst(l.submitted_at)),
            l.map_or(String::new(), |l| l.version.to_string()),
            l.map_or(String::new(), |l| {
                format!("{}/{}", l.snapshot.yes(), l.snapshot.answered())
            }),
            l.map_or(String::new(), |l| l.digest.clone()),
        ]);
    }
    // One table shape for the whole file: the item rates follow below, in the first columns.
    let padded = |mut r: Vec<String>| {
        r.resize(header.len(), String::new());
        r
    };
    rows.push(padded(Vec::new()));
    rows.push(padded(vec!["項目".into(), "はい率".into()]));
    for i in &o.items {
        rows.push(padded(vec![
            i.number.clone(),
            OverviewPage::percent(i.yes_percent(o.min_cell)),
        ]));
    }
    (header, rows)
}

/// The overview as it is filtered, as a workbook or CSV.
async fn export_as(
    state: &AppState,
    s: &SignedIn,
    q: &YearQuery,
    xlsx: bool,
) -> Result<Response, AppError> {
    let fy = year_of(state, s, q.fy).await?;
    let filter = service::filter_of(&q.r#type, &q.beds, &q.municipality)?;
    let o = service::overview(state, s, fy, &filter).await?;
    let (header, rows) = export_table(&o);
    let download = if xlsx {
        Download::xlsx(
            &format!("oversight-{fy}.xlsx"),
            "提出状況",
            &format!("提出状況 {fy}年度"),
            &header,
            &rows,
            None,
        )?
    } else {
        let mut all = vec![header];
        all.extend(rows);
        Download::csv(&format!("oversight-{fy}.csv"), &all)?
    };
    Ok(download.into_response())
}

/// The overview as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    export_as(&state, &s, &q, false).await
}

/// The overview as an XLSX workbook.
pub async fn export_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    export_as(&state, &s, &q, true).await
}

/// Replaces the roster with an uploaded table.
pub async fn import_roster(
    State(state): State<AppState>,
    s: SignedIn,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(&mut form).await?;
    s.check_csrf(up.csrf())?;
    let (name, bytes) = up.file();
    match read_table(name, bytes, &[]) {
        Err(r) => roster_refused(&s, r),
        Ok(table) => roster_imported(&s, service::review_roster(&state, &s, &table, None).await),
    }
}

/// The review page's answer for a roster: the columns as set, and whether to take it.
pub async fn import_roster_review(
    State(state): State<AppState>,
    s: SignedIn,
    Form(fields): Form<std::collections::BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    s.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let f = review_form(&fields)?;
    roster_imported(
        &s,
        service::review_roster(&state, &s, &f.table, Some(f.choice)).await,
    )
}

fn roster_refused(s: &SignedIn, r: Refusal) -> Result<Response, AppError> {
    refusal_page(s, "/oversight", "/oversight".into(), "oversight.title", r)
}

fn roster_imported(s: &SignedIn, t: Result<Taken<usize>, AppError>) -> Result<Response, AppError> {
    match t? {
        Taken::Done(_) => Ok(see_other("/oversight#roster")),
        Taken::Review(r) => review_page(
            s,
            "/oversight",
            "/oversight".into(),
            "oversight.title",
            "/oversight/roster/review".into(),
            r,
        ),
        Taken::Refused(r) => roster_refused(s, r),
    }
}

/// An authority organisation as the jurisdictions page lists it.
pub struct AuthorityRow {
    id: Uuid,
    name: String,
    jurisdiction: Option<Jurisdiction>,
    label: String,
}

#[derive(Template)]
#[template(path = "oversight_jurisdictions.html")]
struct JurisdictionsPage {
    page: Page,
    rows: Vec<AuthorityRow>,
    prefectures: Vec<(&'static str, &'static str)>,
    failed: Option<Uuid>,
    errors: Problem,
}

async fn jurisdictions_page(
    state: &AppState,
    s: &SignedIn,
    failed: Option<Uuid>,
    errors: Problem,
) -> Result<JurisdictionsPage, AppError> {
    let rows = service::authority_orgs(state, s)
        .await?
        .into_iter()
        .map(|(o, j)| AuthorityRow {
            id: o.id,
            name: o.profile.name,
            label: j.as_ref().map(|j| j.label(s.lang)).unwrap_or_default(),
            jurisdiction: j,
        })
        .collect();
    Ok(JurisdictionsPage {
        page: Page::signed_in(s, "oversight.jurisdictions", "/oversight/jurisdictions"),
        rows,
        prefectures: PREFECTURES
            .iter()
            .map(|(c, ja, en)| (*c, s.lang.pick(ja, en)))
            .collect(),
        failed,
        errors,
    })
}

/// The authorities of this installation and where each oversees.
pub async fn jurisdictions(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, AppError> {
    render(&jurisdictions_page(&state, &s, None, Problem::new(vec![])).await?)
}

/// A jurisdiction as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JurisdictionForm {
    csrf: String,
    scope: String,
    prefecture: String,
    municipalities: String,
}

/// Sets where an authority oversees.
pub async fn set_jurisdiction(
    State(state): State<AppState>,
    s: SignedIn,
    Path(org): Path<Uuid>,
    Form(f): Form<JurisdictionForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::set_jurisdiction(&state, &s, org, &f.scope, &f.prefecture, &f.municipalities)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/oversight/jurisdictions#org-{org}"))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &jurisdictions_page(&state, &s, Some(org), p).await?,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "oversight_submit.html")]
struct SubmitPage {
    page: Page,
    authorities: Vec<(Authority, String)>,
    assessments: Vec<(Uuid, String)>,
    submitted: Vec<Submission>,
    names: std::collections::HashMap<Uuid, String>,
    draft: SubmitDraft,
    errors: Problem,
}

async fn submit_page(
    state: &AppState,
    s: &SignedIn,
    draft: SubmitDraft,
    errors: Problem,
) -> Result<SubmitPage, AppError> {
    let authorities: Vec<(Authority, String)> = service::authorities(state, s)
        .await?
        .into_iter()
        .map(|a| {
            let label = a.jurisdiction.label(s.lang);
            (a, label)
        })
        .collect();
    let names = authorities
        .iter()
        .map(|(a, _)| (a.org_id, a.name.clone()))
        .collect();
    let assessments = service::own_checklists(state, s)
        .await?
        .into_iter()
        .map(|a| {
            let sheet = s.lang.pick(&a.sheet.title_ja, &a.sheet.title_en);
            (a.id, format!("{sheet} {}", a.title).trim().to_string())
        })
        .collect();
    // The code and municipality typed last time, so that a new version is one click.
    let submitted = service::own_submissions(state, s).await?;
    let draft = match (draft.institution_code.is_empty(), submitted.first()) {
        (true, Some(last)) => SubmitDraft {
            institution_code: last.snapshot.institution_code.clone(),
            municipality: last.municipality.clone(),
            authority_id: draft.authority_id.or(Some(last.authority_id)),
            ..draft
        },
        _ => draft,
    };
    Ok(SubmitPage {
        page: Page::signed_in(s, "oversight.submit", "/oversight/submit"),
        authorities,
        assessments,
        submitted,
        names,
        draft,
        errors,
    })
}

/// The submission form and the institution's submissions.
pub async fn submit_form(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&submit_page(&state, &s, SubmitDraft::default(), Problem::new(vec![])).await?)
}

/// A submission as sent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    csrf: String,
    authority_id: Option<Uuid>,
    assessment_id: Option<Uuid>,
    institution_code: String,
    municipality: String,
}

/// Submits; a fault keeps what was typed.
pub async fn submit(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<SubmitForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let d = SubmitDraft {
        authority_id: f.authority_id,
        assessment_id: f.assessment_id,
        institution_code: f.institution_code,
        municipality: f.municipality,
    };
    match service::submit(&state, &s, &d).await {
        Ok(sub) => Ok(see_other(&format!("/oversight/submissions/{}", sub.id))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &submit_page(&state, &s, d, p).await?,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "oversight_submission.html")]
struct SubmissionPage {
    page: Page,
    s: Submission,
    submitted_at: String,
}

/// One submission as it was submitted, with its digest: for the institution and its authority.
pub async fn submission(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let sub = service::submission(&state, &s, id).await?;
    render(&SubmissionPage {
        page: Page::signed_in(&s, "oversight.submission", "/oversight"),
        submitted_at: format_jst(sub.submitted_at),
        s: sub,
    })
}
