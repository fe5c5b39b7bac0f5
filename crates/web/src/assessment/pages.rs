//! Self-assessment pages: start an assessment of a catalog sheet, answer its items per round,
//! see the results, and print the sheet for the inspection.

use super::service::{self, SendDraft, StartDraft, sheet_of};
use crate::core::auth::SignedIn;
use crate::core::charts::control_matrix;
use crate::core::error::AppError;
use crate::core::form::Form;
use crate::core::state::AppState;
use crate::core::view::{Page, render, render_status};
use crate::core::{catalog, see_other};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::Lang;
use mamori_domain::assessment::{
    AnswerDraft, Figures, ItemAnswer, MATURITY_STAGES, Round, Summary,
};
use mamori_domain::authz::Permission;
use mamori_domain::catalog::{Catalog, ChecklistItem, Scope, Sheet, SheetKind};
use mamori_domain::fiscal::fiscal_year_label;
use mamori_domain::status::RegisterState;
use mamori_domain::validate::Problem;
use mamori_store::{Assessment, StoredAnswer};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

fn sheet_title(sheet: &Sheet, lang: Lang) -> String {
    lang.pick(&sheet.title_ja, &sheet.title_en).to_string()
}

/// A rate in percent as shown, or a dash when there is nothing to rate.
fn percent(p: Option<u32>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

/// A guideline reference as shown beside an item.
pub struct RefView {
    /// Catalog id.
    pub id: String,
    /// Title or text in the page language.
    pub title: String,
}

fn refs_of(cat: &Catalog, item: &ChecklistItem, lang: Lang) -> Vec<RefView> {
    item.refs
        .iter()
        .map(|r| {
            let title = cat
                .sections
                .get(r)
                .map(|s| format!("{} {}", s.number, lang.pick(&s.title_ja, &s.title_en)))
                .or_else(|| {
                    cat.mandatory
                        .get(r)
                        .map(|m| format!("{} {}", m.number, lang.pick(&m.text_ja, &m.text_en)))
                })
                .unwrap_or_default();
            let volume = r.split('.').nth(1).unwrap_or("");
            let volume = match volume {
                "gov" => lang.pick("経営管理編", "Governance"),
                "mgmt" => lang.pick("企画管理編", "Management"),
                "ctl" => lang.pick("システム運用編", "Control"),
                _ => "",
            };
            RefView {
                id: r.clone(),
                title: format!("{volume} {title}"),
            }
        })
        .collect()
}

/// An assessment as listed.
pub struct AssessmentRow {
    /// The assessment.
    pub a: Assessment,
    /// 令和7年度 / FY2025.
    pub year: String,
    /// Sheet title.
    pub sheet: String,
    /// Completion percent.
    pub completion: u32,
    /// はい rate.
    pub yes: String,
}

/// A sheet that can be started.
pub struct SheetChoice {
    /// Catalog id.
    pub id: String,
    /// Title.
    pub title: String,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct ListPage {
    page: Page,
    rows: Vec<AssessmentRow>,
    /// Vendor sheets other organisations asked this one to answer, with the requester's name.
    to_answer: Vec<(AssessmentRow, String)>,
    can_start: bool,
    sheets: Vec<SheetChoice>,
    form: StartForm,
    errors: Problem,
}

/// The start form.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct StartForm {
    csrf: String,
    sheet: String,
    title: String,
    carry: String,
}

fn assessment_row(
    s: &SignedIn,
    a: Assessment,
    figures: &HashMap<Uuid, Figures>,
) -> Result<AssessmentRow, AppError> {
    let summary = figures.get(&a.id).copied().unwrap_or_default();
    Ok(AssessmentRow {
        year: fiscal_year_label(a.fiscal_year as i32, s.lang),
        sheet: sheet_title(sheet_of(&a)?, s.lang),
        completion: summary.completion_percent(),
        yes: percent(summary.overall.yes_percent()),
        a,
    })
}

async fn list_page(
    state: &AppState,
    s: &SignedIn,
    form: StartForm,
    errors: Problem,
) -> Result<ListPage, AppError> {
    let cat = catalog()?;
    // Every assessment's figures as kept, however many there are.
    let figures = service::figures_of_all(state, s).await?;
    let mut rows = Vec::new();
    for a in service::own_list(state, s).await? {
        rows.push(assessment_row(s, a, &figures)?);
    }
    let mut to_answer = Vec::new();
    for (a, requester) in service::to_answer(state, s).await? {
        to_answer.push((assessment_row(s, a, &figures)?, requester));
    }
    let mut sheets: Vec<_> = cat.sheets.values().collect();
    sheets.sort_by(|a, b| b.fiscal_year.cmp(&a.fiscal_year).then(a.id.cmp(&b.id)));
    let sheets = sheets
        .into_iter()
        .map(|sh| SheetChoice {
            id: sh.id.clone(),
            title: sheet_title(sh, s.lang),
        })
        .collect();
    Ok(ListPage {
        page: Page::signed_in(s, "assess.title", "/assessments"),
        rows,
        to_answer,
        can_start: s.actor.can(Permission::AnswerAssessments),
        sheets,
        form,
        errors,
    })
}

/// The organisation's assessments and the form to start one.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, AppError> {
    render(&list_page(&state, &s, StartForm::default(), Problem::new(vec![])).await?)
}

/// Starts an assessment of a sheet (a vendor sheet names the vendor and system).
pub async fn start(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<StartForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let draft = StartDraft {
        sheet: f.sheet.clone(),
        title: f.title.clone(),
        carry: f.carry == "on",
    };
    match service::start(&state, &s, &draft).await {
        Ok(a) => Ok(see_other(&format!("/assessments/{}", a.id))),
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&state, &s, f, p).await?,
        ),
        Err(e) => Err(e),
    }
}

/// One item of the sheet with its answers in both rounds.
pub struct ItemRow {
    /// The catalog item.
    pub item: &'static ChecklistItem,
    /// Text in the page language.
    pub text: &'static str,
    /// The scope when the sheet repeats the item per scope (サーバ, 端末PC, …), else empty.
    pub scope: &'static str,
    /// Evidence guidance in the page language.
    pub evidence: &'static str,
    /// Guideline references.
    pub refs: Vec<RefView>,
    /// 1回目.
    pub first: Option<ItemAnswer>,
    /// Whether the 1回目 answer was carried over from last year and awaits confirmation.
    pub carried: bool,
    /// 2回目.
    pub second: Option<ItemAnswer>,
    /// The state of the registers that evidence the item (e.g. the device ledger), or empty.
    pub registers: Vec<RegisterState>,
    /// What looks odd in the answers (dates kept after a warning), as message keys.
    pub warnings: Vec<String>,
}

fn scope_label(scope: Scope, lang: Lang) -> &'static str {
    match scope {
        Scope::General => "",
        Scope::Server => lang.pick("サーバ", "Servers"),
        Scope::Terminal => lang.pick("端末PC", "Terminal PCs"),
        Scope::Network => lang.pick("ネットワーク機器", "Network devices"),
    }
}

fn item_rows(
    cat: &Catalog,
    sheet: &'static Sheet,
    answers: &[StoredAnswer],
    registers: &[RegisterState],
    lang: Lang,
) -> Vec<(String, Vec<ItemRow>)> {
    let mut out: Vec<(String, Vec<ItemRow>)> = Vec::new();
    for item in &sheet.items {
        let label = item.section.label(lang).to_string();
        let mut warnings: Vec<String> = answers
            .iter()
            .filter(|a| a.item_id == item.id)
            .flat_map(|a| a.answer.warnings(i32::from(sheet.fiscal_year)))
            .map(|w| w.key)
            .collect();
        warnings.sort();
        warnings.dedup();
        let row = ItemRow {
            warnings,
            item,
            text: lang.pick(&item.text_ja, &item.text_en),
            scope: scope_label(item.scope, lang),
            evidence: lang.pick(&item.evidence_ja, &item.evidence_en),
            refs: refs_of(cat, item, lang),
            carried: answers
                .iter()
                .any(|a| a.item_id == item.id && a.round == Round::First && a.carried_over),
            first: answers
                .iter()
                .find(|a| a.item_id == item.id && a.round == Round::First)
                .map(|a| a.answer.clone()),
            second: answers
                .iter()
                .find(|a| a.item_id == item.id && a.round == Round::Second)
                .map(|a| a.answer.clone()),
            registers: item
                .registers
                .iter()
                .filter_map(|r| registers.iter().find(|s| s.code == r))
                .cloned()
                .collect(),
        };
        match out.last_mut() {
            Some((l, rows)) if *l == label => rows.push(row),
            _ => out.push((label, vec![row])),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct SheetPage {
    page: Page,
    a: Assessment,
    title: String,
    sections: Vec<(String, Vec<ItemRow>)>,
    round: i64,
    can_answer: bool,
    summary: Summary,
    /// The requesting organisation, when this organisation answers another's vendor sheet.
    requester: Option<String>,
    /// The vendor organisation a vendor sheet was sent to, if any.
    respondent: Option<String>,
    /// Whether this organisation owns a vendor sheet it may send to the vendor.
    can_send: bool,
    send: SendForm,
    send_errors: Problem,
    invite_link: Option<String>,
}

/// The round chosen in the query (`?round=2`), 1 by default.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoundQuery {
    round: Option<i64>,
    imported: Option<usize>,
}

impl RoundQuery {
    fn round(&self) -> Result<Round, AppError> {
        Round::from_number(self.round.unwrap_or(1)).ok_or(AppError::BadRequest("error.malformed"))
    }
}

/// The sheet with every item and its answers.
/// Sending a vendor sheet to the vendor: the vendor's name (for a new organisation) and contact.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct SendForm {
    csrf: String,
    vendor_name: String,
    contact_name: String,
    email: String,
}

async fn sheet_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    round: Round,
    send: SendForm,
    send_errors: Problem,
    invite_link: Option<String>,
) -> Result<SheetPage, AppError> {
    let a = service::open(state, s, id).await?;
    let sheet = sheet_of(&a)?;
    let answers = service::answers(state, s, &a).await?;
    let summary = service::summary_of_answers(sheet, &answers, s.today());
    let owner = a.is_owner();
    let a = a.object;
    let requester = if owner {
        None
    } else {
        Some(state.store.org(a.org_id).await?.profile.name)
    };
    let respondent = match a.respondent_org_id {
        Some(v) if owner => Some(state.store.org(v).await?.profile.name),
        _ => None,
    };
    Ok(SheetPage {
        page: Page::signed_in(s, "assess.sheet", "/assessments"),
        title: sheet_title(sheet, s.lang),
        sections: item_rows(
            catalog()?,
            sheet,
            &answers,
            &service::register_states(state, &a).await?,
            s.lang,
        ),
        round: round.number(),
        can_answer: s.actor.can(Permission::AnswerAssessments),
        can_send: owner
            && sheet.kind == SheetKind::Vendor
            && s.actor.can(Permission::AnswerAssessments),
        summary,
        requester,
        respondent,
        send,
        send_errors,
        invite_link,
        a,
    })
}

/// The sheet with every item and its answers.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    let mut p = sheet_page(
        &state,
        &s,
        id,
        q.round()?,
        SendForm::default(),
        Problem::new(vec![]),
        None,
    )
    .await?;
    if let Some(n) = q.imported {
        p.page.notice = Some(format!("{} {n}", p.page.t("assess.imported")));
    }
    render(&p)
}

/// The "ask the vendor" form on a vendor sheet.
pub async fn send_to_vendor(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<SendForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    let draft = SendDraft {
        email: f.email.clone(),
        vendor_name: f.vendor_name.clone(),
        contact_name: f.contact_name.clone(),
    };
    match service::send(&state, &s, id, &draft).await {
        Ok(None) => Ok(see_other(&format!("/assessments/{id}"))),
        Ok(Some(link)) => render(
            &sheet_page(
                &state,
                &s,
                id,
                Round::First,
                SendForm::default(),
                Problem::new(vec![]),
                Some(link),
            )
            .await?,
        ),
        Err(AppError::Invalid(problem)) => {
            let p = sheet_page(&state, &s, id, Round::First, f.clone(), problem, None).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    page: Page,
    a: Assessment,
    evidence: Vec<mamori_store::Evidence>,
    row: ItemRow,
    round: i64,
    draft: AnswerDraft,
    errors: Problem,
    fy_range: String,
    /// Whether the form came back with warnings only the user can clear by confirming.
    warned: bool,
}

async fn answer_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    item_id: &str,
    round: Round,
    draft: Option<AnswerDraft>,
    errors: Problem,
) -> Result<AnswerPage, AppError> {
    let a = service::open(state, s, id).await?.object;
    let sheet = sheet_of(&a)?;
    let answers = service::answers(state, s, &a).await?;
    let lines = service::register_states(state, &a).await?;
    let row = item_rows(catalog()?, sheet, &answers, &lines, s.lang)
        .into_iter()
        .flat_map(|(_, rows)| rows)
        .find(|r| r.item.id == item_id)
        .ok_or(AppError::NotFound)?;
    let existing = match round {
        Round::First => row.first.clone(),
        Round::Second => row.second.clone(),
    };
    let draft = draft.unwrap_or_else(|| {
        existing
            .map(|e| e.to_draft())
            .unwrap_or_else(|| AnswerDraft {
                checked_on: s.today().to_string(),
                ..Default::default()
            })
    });
    let fy_range = mamori_domain::assessment::AnswerRule::of(sheet, row.item)
        .target_window()
        .map(|(b, e)| format!("{b} – {e}"))
        .unwrap_or_default();
    let warned = errors.errors.iter().any(|e| e.key.starts_with("warning."));
    let evidence = service::evidence(state, s, id)
        .await?
        .into_iter()
        .filter(|e| e.item_id == item_id)
        .collect();
    Ok(AnswerPage {
        page: Page::signed_in(s, "assess.answer", "/assessments"),
        evidence,
        a,
        row,
        round: round.number(),
        draft,
        errors,
        fy_range,
        warned,
    })
}

/// The answer form of one item in one round.
pub async fn answer_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, item)): Path<(Uuid, String)>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    render(
        &answer_page(
            &state,
            &s,
            id,
            &item,
            q.round()?,
            None,
            Problem::new(vec![]),
        )
        .await?,
    )
}

/// Saves an answer and any evidence files sent with it. Files are kept even when the answer has
/// a fault, so nothing attached is lost; the form comes back with what was typed and the message
/// beside the field.
pub async fn answer_submit(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, item)): Path<(Uuid, String)>,
    Query(q): Query<RoundQuery>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let round = q.round()?;
    let mut csrf = String::new();
    let mut draft = AnswerDraft::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let bad = |_| AppError::BadRequest("error.malformed");
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "evidence" {
            let filename = field.file_name().unwrap_or("").trim().to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if !filename.is_empty() && !bytes.is_empty() {
                files.push((filename, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = value,
            "answer" => draft.answer = value,
            "checked_on" => draft.checked_on = value,
            "target_date" => draft.target_date = value,
            "reason" => draft.reason = value,
            "assignee" => draft.assignee = value,
            "notes" => draft.notes = value,
            "accept_warnings" => draft.accept_warnings = !value.is_empty(),
            _ => {}
        }
    }
    s.check_csrf(&csrf)?;
    match service::answer(&state, &s, id, &item, round, &draft, files).await {
        Err(AppError::Invalid(p)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &answer_page(&state, &s, id, &item, round, Some(draft), p).await?,
        ),
        Err(e) => Err(e),
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{id}?round={}#item-{item}",
            round.number()
        ))),
    }
}

/// Downloads an evidence file (always as an attachment, never rendered in the page's origin).
pub async fn evidence_download(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, evidence_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    service::evidence_file(&state, &s, id, evidence_id).await
}

/// A rated group for the results tables.
pub struct GroupRow {
    /// Label.
    pub label: String,
    /// はい.
    pub yes: u32,
    /// いいえ.
    pub no: u32,
    /// 該当なし.
    pub na: u32,
    /// Not answered.
    pub open: u32,
    /// Rate text.
    pub rate: String,
}

fn group_rows<K: Ord + Copy>(
    m: &std::collections::BTreeMap<K, mamori_domain::assessment::Tally>,
    label: impl Fn(K) -> String,
) -> Vec<GroupRow> {
    m.iter()
        .map(|(k, t)| GroupRow {
            label: label(*k),
            yes: t.yes,
            no: t.no,
            na: t.na,
            open: t.open,
            rate: percent(t.yes_percent()),
        })
        .collect()
}

/// A いいえ item on the priority list.
pub struct GapRow {
    /// Item id.
    pub id: String,
    /// Number on the sheet.
    pub number: String,
    /// Text.
    pub text: String,
    /// Target date.
    pub target: String,
    /// Overdue.
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    page: Page,
    a: Assessment,
    title: String,
    summary: Summary,
    sections: Vec<GroupRow>,
    scopes: Vec<GroupRow>,
    elements: Vec<GroupRow>,
    heatmap: String,
    gaps: Vec<GapRow>,
    stages: Vec<(i64, &'static str, bool)>,
    can_answer: bool,
    errors: Problem,
    /// Last year against this year: (label, last year's はい rate, this year's).
    yoy: Vec<(String, String, String)>,
    /// Vendor sheets of the same fiscal year not yet complete: (id, subject, completion).
    vendors_outstanding: Vec<(Uuid, String, u32)>,
    /// The evidence behind the answers, shown beside the maturity and its rationale.
    evidence: Vec<mamori_store::Evidence>,
}

fn rate(t: Option<&mamori_domain::assessment::Tally>) -> String {
    percent(t.and_then(|t| t.yes_percent()))
}

/// This year's はい rates beside last year's, overall and by section.
fn year_over_year(last: &Summary, this: &Summary, lang: Lang) -> Vec<(String, String, String)> {
    let mut rows = vec![(
        lang.pick("全体", "Overall").to_string(),
        rate(Some(&last.overall)),
        rate(Some(&this.overall)),
    )];
    let mut sections: Vec<_> = last
        .by_section
        .keys()
        .chain(this.by_section.keys())
        .copied()
        .collect();
    sections.sort();
    sections.dedup();
    for k in sections {
        rows.push((
            k.label(lang).to_string(),
            rate(last.by_section.get(&k)),
            rate(this.by_section.get(&k)),
        ));
    }
    rows
}

async fn results_page(
    state: &AppState,
    s: &SignedIn,
    id: Uuid,
    errors: Problem,
) -> Result<ResultsPage, AppError> {
    let access = service::open(state, s, id).await?;
    let owner = access.is_owner();
    let a = access.object;
    let sheet = sheet_of(&a)?;
    let summary = service::summary_of(state, s.org.id, &a).await?;
    let mut vendors_outstanding = Vec::new();
    if owner && sheet.kind != SheetKind::Vendor {
        for v in crate::status::vendor_sheets(state, s.org.id).await? {
            if v.fiscal_year == a.fiscal_year && v.answered < v.required {
                let done = (v.answered * 100).checked_div(v.required).unwrap_or(100);
                vendors_outstanding.push((v.id, v.title, done));
            }
        }
    }
    let evidence = service::evidence(state, s, a.id).await?;
    let yoy = match service::previous_year(state, s.org.id, &a).await? {
        Some(prev) if owner => {
            let last = service::summary_of(state, s.org.id, &prev).await?;
            year_over_year(&last, &summary, s.lang)
        }
        _ => Vec::new(),
    };
    let lang = s.lang;
    let scope_name = |k: Scope| match k {
        Scope::General => lang.pick("全般", "General").to_string(),
        other => scope_label(other, lang).to_string(),
    };
    let element_label = |k: mamori_domain::catalog::Element| {
        use mamori_domain::catalog::Element::*;
        match k {
            Organisational => lang.pick("組織", "Organisation"),
            Human => lang.pick("人", "People"),
            Technical => lang.pick("技術", "Technology"),
            Physical => lang.pick("物理", "Physical"),
        }
        .to_string()
    };
    let gaps = summary
        .gaps
        .iter()
        .filter_map(|g| {
            let item = sheet.items.iter().find(|i| i.id == g.item_id)?;
            Some(GapRow {
                id: item.id.clone(),
                number: item.number.clone(),
                text: lang.pick(&item.text_ja, &item.text_en).to_string(),
                target: g.target_date.map(|d| d.to_string()).unwrap_or_default(),
                overdue: g.overdue,
            })
        })
        .collect();
    Ok(ResultsPage {
        page: Page::signed_in(s, "assess.results", "/assessments"),
        title: sheet_title(sheet, lang),
        sections: group_rows(&summary.by_section, |k| k.label(lang).to_string()),
        scopes: group_rows(&summary.by_scope, scope_name),
        elements: group_rows(&summary.by_element, element_label),
        heatmap: control_matrix(&summary.by_control, lang),
        gaps,
        stages: MATURITY_STAGES
            .iter()
            .map(|(n, ja, en)| {
                (
                    i64::from(*n),
                    lang.pick(ja, en),
                    a.maturity == Some(i64::from(*n)),
                )
            })
            .collect(),
        // Only the owner grades its own maturity; a vendor answering a sheet sees the figures.
        can_answer: s.actor.can(Permission::AnswerAssessments) && owner,
        summary,
        errors,
        yoy,
        vendors_outstanding,
        evidence,
        a,
    })
}

/// Completion, はい rates by section, scope, element and control cell, the priority list and maturity.
pub async fn results(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    render(&results_page(&state, &s, id, Problem::new(vec![])).await?)
}

/// The maturity form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MaturityForm {
    csrf: String,
    stage: String,
    rationale: String,
}

/// Records the maturity stage the organisation assigns itself, with the rationale.
pub async fn maturity(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
    Form(f): Form<MaturityForm>,
) -> Result<Response, AppError> {
    s.check_csrf(&f.csrf)?;
    match service::set_maturity(&state, &s, id, &f.stage, &f.rationale).await {
        Ok(()) => Ok(see_other(&format!("/assessments/{id}/results"))),
        Err(AppError::Invalid(problem)) => {
            let mut p = results_page(&state, &s, id, problem).await?;
            p.a.maturity_rationale = f.rationale.clone();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e),
    }
}

/// One sheet on paper.
pub struct PrintDoc {
    /// The assessment.
    pub a: Assessment,
    /// Sheet title.
    pub title: String,
    /// Items by section.
    pub sections: Vec<(String, Vec<ItemRow>)>,
    /// Its evidence.
    pub evidence: Vec<mamori_store::Evidence>,
}

#[derive(Template)]
#[template(path = "assessment_print.html")]
struct PrintPage {
    tr: crate::core::i18n::Tr,
    org_name: String,
    heading: String,
    docs: Vec<PrintDoc>,
    printed: String,
}

async fn print_doc(state: &AppState, s: &SignedIn, a: Assessment) -> Result<PrintDoc, AppError> {
    let sheet = sheet_of(&a)?;
    let answers = service::answers(state, s, &a).await?;
    Ok(PrintDoc {
        evidence: service::evidence(state, s, a.id).await?,
        title: sheet_title(sheet, s.lang),
        sections: item_rows(
            catalog()?,
            sheet,
            &answers,
            &service::register_states(state, &a).await?,
            s.lang,
        ),
        a,
    })
}

/// The sheet as the inspector expects it on paper (A4, no navigation).
pub async fn print(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let a = service::open(&state, &s, id).await?.object;
    let doc = print_doc(&state, &s, a).await?;
    let p = PrintPage {
        tr: crate::core::i18n::Tr::new(s.lang),
        org_name: s.org.profile.name.clone(),
        heading: doc.title.clone(),
        docs: vec![doc],
        printed: s.today().to_string(),
    };
    render(&p)
}

/// The fiscal year for the inspection view.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InspectionQuery {
    fy: Option<i64>,
}

/// Everything the on-site inspection (立入検査) looks at for a fiscal year, on paper: the
/// institution's own sheet first, then every vendor sheet, with dates, answers and evidence.
pub async fn inspection(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<InspectionQuery>,
) -> Result<Response, AppError> {
    let fy = q.fy.ok_or(AppError::BadRequest("error.malformed"))?;
    let mut mine: Vec<Assessment> = service::own_list(&state, &s)
        .await?
        .into_iter()
        .filter(|a| a.fiscal_year == fy)
        .collect();
    // Own sheets (institution, pharmacy) before vendor sheets.
    mine.sort_by_key(|a| (a.sheet_id.ends_with(".vendor"), a.title.clone()));
    if mine.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut docs = Vec::new();
    for a in mine {
        docs.push(print_doc(&state, &s, a).await?);
    }
    let heading = format!(
        "{} {}",
        fiscal_year_label(fy as i32, s.lang),
        crate::core::i18n::Tr::new(s.lang).t("assess.inspection_view")
    );
    render(&PrintPage {
        tr: crate::core::i18n::Tr::new(s.lang),
        org_name: s.org.profile.name.clone(),
        heading,
        docs,
        printed: s.today().to_string(),
    })
}
