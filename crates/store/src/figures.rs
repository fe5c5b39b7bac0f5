//! The figures kept per assessment (how far answered, the overall tally), so that a list of
//! assessments reads one row each instead of every answer. The database moves an assessment's
//! answer revision on every change to its answers; kept figures name the revision and the catalog
//! they were counted at, and whoever finds them behind counts again and keeps the new ones.

use crate::assessments::{ANSWER_OF_COLUMNS, AnswerOfRow, REACHES, by_assessment};
use crate::db::marks_from;
use crate::{Result, Store, StoredAnswer};
use mamori_domain::assessment::{Figures, Tally};
use std::collections::HashMap;
use uuid::Uuid;

/// Figures as they were counted: at which revision of the answers and against which catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFigures {
    /// The revision of the assessment's answers they were counted from.
    pub answers_rev: i64,
    /// The fingerprint of the catalog they were counted against.
    pub catalog: String,
    /// The figures.
    pub figures: Figures,
}

/// Where one reachable assessment's figures stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiguresState {
    /// The catalog sheet it answers.
    pub sheet_id: String,
    /// The revision of its answers now.
    pub answers_rev: i64,
    /// The figures kept for it, if any (possibly behind `answers_rev`).
    pub kept: Option<KeptFigures>,
}

impl FiguresState {
    /// The kept figures if they were counted from these answers against this catalog.
    pub fn fresh(&self, catalog: &str) -> Option<Figures> {
        self.kept
            .as_ref()
            .filter(|k| k.answers_rev == self.answers_rev && k.catalog == catalog)
            .map(|k| k.figures)
    }
}

type StateRow = (
    Uuid,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn count(v: Option<i64>) -> u32 {
    v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// At most this many ids bound in one `IN (…)`, well under either backend's limit.
const IDS_PER_QUERY: usize = 500;

const STATE_SELECT: &str = "SELECT s.id, s.sheet_id, s.answers_rev, f.answers_rev, f.catalog, f.required, \
     f.answered, f.yes, f.no, f.not_applicable, f.open \
     FROM assessments s LEFT JOIN assessment_figures f ON f.assessment_id = s.id";

fn state_of(
    (id, sheet_id, answers_rev, kept_rev, catalog, req, ans, y, n, na, open): StateRow,
) -> (Uuid, FiguresState) {
    let kept = kept_rev
        .zip(catalog)
        .map(|(answers_rev, catalog)| KeptFigures {
            answers_rev,
            catalog,
            figures: Figures {
                required: count(req),
                answered: count(ans),
                overall: Tally {
                    yes: count(y),
                    no: count(n),
                    na: count(na),
                    open: count(open),
                },
            },
        });
    (
        id,
        FiguresState {
            sheet_id,
            answers_rev,
            kept,
        },
    )
}

impl Store {
    /// Every assessment the organisation reaches (owns, or answers as a vendor) with the revision
    /// of its answers and the figures kept for it, in one query.
    pub async fn figures_states(&self, org_id: Uuid) -> Result<HashMap<Uuid, FiguresState>> {
        let sql = format!("{STATE_SELECT} WHERE {REACHES}");
        let rows: Vec<StateRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(state_of).collect())
    }

    /// [`Store::figures_states`] of these assessments only (those the organisation reaches): one
    /// query per 500 ids.
    pub async fn figures_states_of(
        &self,
        org_id: Uuid,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, FiguresState>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "{STATE_SELECT} WHERE {REACHES} AND s.id IN ({})",
                marks_from(2, chunk.len())
            );
            let rows: Vec<StateRow> = on_db!(&self.db, |p| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows.into_iter().map(state_of));
        }
        Ok(out)
    }

    /// The answers of these assessments, those the organisation reaches, by assessment: one query
    /// per 500 ids.
    pub async fn answers_of(
        &self,
        org_id: Uuid,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<StoredAnswer>>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT {ANSWER_OF_COLUMNS} FROM assessment_answers x JOIN assessments s ON s.id = x.assessment_id \
                 WHERE {REACHES} AND s.id IN ({}) ORDER BY x.assessment_id, x.item_id, x.round",
                marks_from(2, chunk.len())
            );
            let rows: Vec<AnswerOfRow> = on_db!(&self.db, |p| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(by_assessment(rows)?);
        }
        Ok(out)
    }

    /// Keeps figures counted afresh, in one transaction. Figures of an older revision than those
    /// kept (a slower reader counting what has since changed) do not replace them.
    pub async fn keep_figures(&self, figures: &[(Uuid, KeptFigures)]) -> Result<()> {
        if figures.is_empty() {
            return Ok(());
        }
        write_tx!(&self.db, |tx| {
            for (id, k) in figures {
                let f = &k.figures;
                sqlx::query(
                    "INSERT INTO assessment_figures (assessment_id, answers_rev, catalog, required, answered, yes, no, not_applicable, open) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (assessment_id) DO UPDATE SET answers_rev = excluded.answers_rev, catalog = excluded.catalog, \
                     required = excluded.required, answered = excluded.answered, yes = excluded.yes, no = excluded.no, \
                     not_applicable = excluded.not_applicable, open = excluded.open \
                     WHERE assessment_figures.answers_rev <= excluded.answers_rev",
                )
                .bind(id)
                .bind(k.answers_rev)
                .bind(&k.catalog)
                .bind(i64::from(f.required))
                .bind(i64::from(f.answered))
                .bind(i64::from(f.overall.yes))
                .bind(i64::from(f.overall.no))
                .bind(i64::from(f.overall.na))
                .bind(i64::from(f.overall.open))
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }
}
