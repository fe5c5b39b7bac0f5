//! Self-assessments and their answers, per organisation.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::access::{Access, Relation};
use mamori_domain::assessment::{Answer, ItemAnswer, Round};
use serde_json::json;
use uuid::Uuid;

/// An assessment of one organisation against one catalog sheet.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Assessment {
    /// Its id.
    pub id: Uuid,
    /// The organisation assessed.
    pub org_id: Uuid,
    /// The fiscal year.
    pub fiscal_year: i64,
    /// The catalog sheet, e.g. `fy2025.institution`.
    pub sheet_id: String,
    /// A label, e.g. the vendor and system for a vendor sheet.
    pub title: String,
    /// The maturity stage the organisation assigns itself (1–5).
    pub maturity: Option<i64>,
    /// Why that stage.
    pub maturity_rationale: String,
    /// Started at.
    pub created_at: DateTime<Utc>,
    /// Started by (e-mail).
    pub created_by: String,
    /// For a vendor sheet sent to the vendor: the vendor's organisation, which answers it.
    pub respondent_org_id: Option<Uuid>,
}

/// A stored answer with its round and who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The catalog item.
    pub item_id: String,
    /// The round.
    pub round: Round,
    /// The answer.
    pub answer: ItemAnswer,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Last changed by.
    pub updated_by: String,
    /// Carried over from last fiscal year and not confirmed since (要再確認).
    pub carried_over: bool,
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    item_id: String,
    round: i64,
    answer: String,
    checked_on: NaiveDate,
    target_date: Option<NaiveDate>,
    reason: String,
    assignee: String,
    notes: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
    carried_over: bool,
}

/// An answer with the assessment it belongs to.
#[derive(sqlx::FromRow)]
pub(crate) struct AnswerOfRow {
    assessment_id: Uuid,
    #[sqlx(flatten)]
    answer: AnswerRow,
}

/// The columns of [`AnswerOfRow`], on `assessment_answers x`.
pub(crate) const ANSWER_OF_COLUMNS: &str = "x.assessment_id, x.item_id, x.round, x.answer, x.checked_on, x.target_date, x.reason, x.assignee, x.notes, \
     x.updated_at, x.updated_by, x.carried_over";

/// Answers grouped by their assessment, in the order read.
pub(crate) fn by_assessment(
    rows: Vec<AnswerOfRow>,
) -> Result<std::collections::HashMap<Uuid, Vec<StoredAnswer>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<StoredAnswer>> = Default::default();
    for r in rows {
        out.entry(r.assessment_id)
            .or_default()
            .push(StoredAnswer::try_from(r.answer)?);
    }
    Ok(out)
}

impl TryFrom<AnswerRow> for StoredAnswer {
    type Error = StoreError;
    fn try_from(r: AnswerRow) -> std::result::Result<Self, StoreError> {
        Ok(StoredAnswer {
            item_id: r.item_id,
            round: Round::from_number(r.round)
                .ok_or_else(|| StoreError::Corrupt(format!("round {}", r.round)))?,
            answer: ItemAnswer {
                answer: Answer::from_code(&r.answer)
                    .ok_or_else(|| StoreError::Corrupt(format!("answer {}", r.answer)))?,
                checked_on: r.checked_on,
                target_date: r.target_date,
                reason: r.reason,
                assignee: r.assignee,
                notes: r.notes,
            },
            updated_at: r.updated_at,
            updated_by: r.updated_by,
            carried_over: r.carried_over,
        })
    }
}

/// The one condition under which organisation `$1` reaches an assessment: it owns it, or it was
/// asked to answer it (a vendor sheet sent to it). Every cross-organisation read and write of
/// assessments and their evidence goes through it; a macro so that `concat!` can build the
/// `'static` SQL texts around it.
macro_rules! reaches {
    () => {
        "(org_id = $1 OR respondent_org_id = $1)"
    };
}

/// `reaches!()` as a value, for SQL texts built with `format!`.
pub(crate) const REACHES: &str = reaches!();

/// Inside a write transaction: the owner of assessment `$id` if organisation `$org` reaches it
/// (`owner_only`: if it owns it), else the transaction ends with not found.
macro_rules! owner_within {
    ($tx:ident, $org:expr, $id:expr, $owner_only:expr) => {{
        let sql = if $owner_only {
            "SELECT org_id FROM assessments WHERE id = $2 AND org_id = $1"
        } else {
            concat!(
                "SELECT org_id FROM assessments WHERE id = $2 AND ",
                reaches!()
            )
        };
        let row: Option<(Uuid,)> = sqlx::query_as(sql)
            .bind($org)
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?;
        row.ok_or(StoreError::NotFound)?.0
    }};
}

const ASSESSMENT_COLUMNS: &str = "id, org_id, fiscal_year, sheet_id, title, maturity, maturity_rationale, created_at, created_by, respondent_org_id";

impl Store {
    /// Starts an assessment of the context's organisation.
    pub async fn create_assessment(
        &self,
        ctx: &Ctx,
        fiscal_year: i64,
        sheet_id: &str,
        title: &str,
    ) -> Result<Assessment> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO assessments (id, org_id, fiscal_year, sheet_id, title, maturity, maturity_rationale, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, NULL, '', $6, $7)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(fiscal_year)
            .bind(sheet_id)
            .bind(title)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "assessment.create",
                    "assessment",
                    id,
                    json!({"sheet": sheet_id, "title": title})
                ),
                ctx.now
            );
        });
        self.assessment(ctx.org_id, id).await
    }

    /// One assessment of an organisation.
    pub async fn assessment(&self, org_id: Uuid, id: Uuid) -> Result<Assessment> {
        self.one_assessment("org_id = $1 AND id = $2", org_id, id)
            .await
    }

    /// An organisation's assessments, newest fiscal year first.
    pub async fn assessments(&self, org_id: Uuid) -> Result<Vec<Assessment>> {
        self.some_assessments(
            "org_id = $1 ORDER BY fiscal_year DESC, sheet_id, title, created_at, id",
            org_id,
        )
        .await
    }

    /// The organisation's own assessments of these catalog sheets, newest fiscal year first.
    pub async fn assessments_of_sheets(
        &self,
        org_id: Uuid,
        sheets: &[&str],
    ) -> Result<Vec<Assessment>> {
        if sheets.is_empty() {
            return Ok(Vec::new());
        }
        // Ordered here: with an ORDER BY the planner prefers the index by year to the one by sheet.
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE org_id = $1 AND sheet_id IN ({})",
            crate::db::marks_from(2, sheets.len())
        );
        let mut rows: Vec<Assessment> = on_db!(&self.db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
            for s in sheets {
                q = q.bind(*s);
            }
            q.fetch_all(p).await?
        });
        rows.sort_by(|a, b| {
            (b.fiscal_year, &a.sheet_id, &a.title, a.created_at, a.id).cmp(&(
                a.fiscal_year,
                &b.sheet_id,
                &b.title,
                b.created_at,
                b.id,
            ))
        });
        Ok(rows)
    }

    /// Every assessment the organisation reaches: its own in the order of
    /// [`Store::assessments`], then the vendor sheets it was asked to answer in the order of
    /// [`Store::assessments_to_answer`]; whole, or the page `(limit, offset)` cut by the
    /// database. With the length of the whole list.
    pub async fn reached_assessments(
        &self,
        org_id: Uuid,
        page: Option<(i64, i64)>,
    ) -> Result<(Vec<Assessment>, i64)> {
        let (limit, offset) = page.unwrap_or((-1, 0));
        // The same order as the two lists one after the other: own first, and only the own
        // ones ordered by sheet and title.
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE {REACHES} \
             ORDER BY CASE WHEN org_id = $1 THEN 0 ELSE 1 END, fiscal_year DESC, \
             CASE WHEN org_id = $1 THEN sheet_id ELSE '' END, CASE WHEN org_id = $1 THEN title ELSE '' END, \
             created_at, id {}",
            if page.is_some() {
                "LIMIT $2 OFFSET $3"
            } else {
                ""
            }
        );
        let rows: Vec<Assessment> = on_db!(&self.db, |p| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
            if page.is_some() {
                q.bind(limit).bind(offset).fetch_all(p).await?
            } else {
                q.fetch_all(p).await?
            }
        });
        if page.is_none() {
            let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            return Ok((rows, total));
        }
        let sql = format!("SELECT COUNT(*) FROM assessments WHERE {REACHES}");
        let (total,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_one(p)
        .await?);
        Ok((rows, total))
    }

    /// The organisation's newest assessment of its own sheets (not a vendor sheet it keeps):
    /// the latest fiscal year, and within it the one started last.
    pub async fn newest_own_assessment(&self, org_id: Uuid) -> Result<Option<Assessment>> {
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE org_id = $1 AND sheet_id NOT LIKE '%.vendor' \
             ORDER BY fiscal_year DESC, created_at DESC LIMIT 1"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_optional(p)
        .await?))
    }

    /// All answers of an assessment, both rounds.
    pub async fn answers(&self, org_id: Uuid, assessment_id: Uuid) -> Result<Vec<StoredAnswer>> {
        self.assessment_access(org_id, assessment_id).await?;
        let rows: Vec<AnswerRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT item_id, round, answer, checked_on, target_date, reason, assignee, notes, updated_at, updated_by, carried_over \
             FROM assessment_answers WHERE assessment_id = $1 ORDER BY item_id, round"
        )
        .bind(assessment_id)
        .fetch_all(p)
        .await?
        });
        rows.into_iter().map(StoredAnswer::try_from).collect()
    }

    /// The names of the organisations that sent this one vendor sheets to answer, by id.
    pub async fn requesters_of(
        &self,
        org_id: Uuid,
    ) -> Result<std::collections::HashMap<Uuid, String>> {
        let rows: Vec<(Uuid, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT id, name FROM organisations WHERE id IN (SELECT org_id FROM assessments WHERE respondent_org_id = $1)"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Records (or replaces) the answer to an item in a round.
    pub async fn save_answer(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        item_id: &str,
        round: Round,
        a: &ItemAnswer,
    ) -> Result<()> {
        self.save_answers(
            ctx,
            assessment_id,
            &[(item_id.to_string(), round, a.clone())],
            "assessment.answer",
        )
        .await
    }

    /// Records several answers in one transaction (an import): all are written or none.
    pub async fn save_answers(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        answers: &[(String, Round, ItemAnswer)],
        action: &str,
    ) -> Result<()> {
        self.write_answers(ctx, assessment_id, answers, action, false)
            .await
    }

    /// Writes answers from last fiscal year into round 1 of a new assessment, marked 要再確認.
    pub async fn carry_over(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        answers: &[(String, Round, ItemAnswer)],
    ) -> Result<()> {
        self.write_answers(ctx, assessment_id, answers, "assessment.carry_over", true)
            .await
    }

    async fn write_answers(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        answers: &[(String, Round, ItemAnswer)],
        action: &str,
        carried: bool,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let owner = owner_within!(tx, ctx.org_id, assessment_id, false);
            for (item_id, round, a) in answers {
                sqlx::query(
                    "INSERT INTO assessment_answers (assessment_id, item_id, round, answer, checked_on, target_date, reason, assignee, notes, updated_at, updated_by, carried_over) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (assessment_id, item_id, round) DO UPDATE SET answer = $4, checked_on = $5, target_date = $6, \
                     reason = $7, assignee = $8, notes = $9, updated_at = $10, updated_by = $11, carried_over = $12",
                )
                .bind(assessment_id)
                .bind(item_id)
                .bind(round.number())
                .bind(a.answer.code())
                .bind(a.checked_on)
                .bind(a.target_date)
                .bind(&a.reason)
                .bind(&a.assignee)
                .bind(&a.notes)
                .bind(ctx.now)
                .bind(&ctx.actor_label)
                .bind(carried)
                .execute(&mut *tx)
                .await?;
            }
            let detail = match answers {
                [(item, round, a)] => json!({"item": item, "round": round.number(), "answer": a}),
                many => json!({"answers": many.len()}),
            };
            append_audit!(
                self,
                tx,
                ctx.event_on(owner, action, "assessment", assessment_id, detail),
                ctx.now
            );
        });
        Ok(())
    }

    /// Records the maturity stage the organisation assigns itself, with the rationale.
    pub async fn set_maturity(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        stage: i64,
        rationale: &str,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            owner_within!(tx, ctx.org_id, assessment_id, true);
            sqlx::query("UPDATE assessments SET maturity = $1, maturity_rationale = $2 WHERE org_id = $3 AND id = $4")
                .bind(stage)
                .bind(rationale)
                .bind(ctx.org_id)
                .bind(assessment_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "assessment.maturity",
                    "assessment",
                    assessment_id,
                    json!({"stage": stage, "rationale": rationale})
                ),
                ctx.now
            );
        });
        Ok(())
    }
}

impl Store {
    /// One assessment matching a condition on the organisation (`$1`) and the id (`$2`).
    async fn one_assessment(
        &self,
        condition: &'static str,
        org_id: Uuid,
        id: Uuid,
    ) -> Result<Assessment> {
        let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE {condition}");
        let row: Option<Assessment> =
            on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(org_id)
                .bind(id)
                .fetch_optional(p)
                .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// The assessments matching a condition on the organisation (`$1`), in the condition's order.
    async fn some_assessments(
        &self,
        condition: &'static str,
        org_id: Uuid,
    ) -> Result<Vec<Assessment>> {
        let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE {condition}");
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// An assessment the organisation reaches, with how it stands to it: owner, or respondent of
    /// a vendor sheet sent to it.
    pub async fn assessment_access(&self, org_id: Uuid, id: Uuid) -> Result<Access<Assessment>> {
        let a = self
            .one_assessment(concat!("id = $2 AND ", reaches!()), org_id, id)
            .await?;
        let relation = if a.org_id == org_id {
            Relation::Owner
        } else {
            Relation::Respondent
        };
        Ok(Access {
            object: a,
            relation,
        })
    }

    /// The vendor sheets other organisations asked this organisation to answer.
    pub async fn assessments_to_answer(&self, org_id: Uuid) -> Result<Vec<Assessment>> {
        self.some_assessments(
            "respondent_org_id = $1 ORDER BY fiscal_year DESC, created_at, id",
            org_id,
        )
        .await
    }

    /// Sends a vendor sheet of the context's organisation to the vendor's organisation to answer.
    pub async fn send_to_vendor(
        &self,
        ctx: &Ctx,
        assessment_id: Uuid,
        vendor_org_id: Uuid,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            owner_within!(tx, ctx.org_id, assessment_id, true);
            sqlx::query(
                "UPDATE assessments SET respondent_org_id = $1 WHERE org_id = $2 AND id = $3",
            )
            .bind(vendor_org_id)
            .bind(ctx.org_id)
            .bind(assessment_id)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "assessment.send_to_vendor",
                    "assessment",
                    assessment_id,
                    json!({"vendor_org": vendor_org_id})
                ),
                ctx.now
            );
        });
        Ok(())
    }
}
