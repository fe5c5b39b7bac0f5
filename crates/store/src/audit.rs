//! Writing and reading the hash-chained audit trail.

use crate::{AuditFilter, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use mamori_domain::audit::{self, AuditEvent, AuditRecord, ChainBreak, Checkpoint};
use uuid::Uuid;

/// Appends an event to the chain inside the caller's transaction, keyed with the store's audit
/// key. The no-op update takes the row lock on the chain head first, so concurrent writers queue
/// instead of forking the chain.
macro_rules! append_audit {
    ($store:expr, $tx:ident, $event:expr, $now:expr) => {{
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *$tx).await?;
        let (head_seq, head_digest): (i64, String) =
            sqlx::query_as("SELECT seq, digest FROM audit_head WHERE id = 1").fetch_one(&mut *$tx).await?;
        let prev = if head_seq == 0 { None } else { Some((head_seq, head_digest.as_str())) };
        let rec = mamori_domain::audit::seal($event, $now, prev, $store.audit_key.as_deref());
        sqlx::query(
            "INSERT INTO audit_log (seq, at, org_id, actor_id, actor_label, action, object_type, object_id, \
             detail, ip, prev_digest, digest, subject_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(rec.seq)
        .bind(rec.at)
        .bind(rec.event.org_id)
        .bind(rec.event.actor_id)
        .bind(&rec.event.actor_label)
        .bind(&rec.event.action)
        .bind(&rec.event.object_type)
        .bind(&rec.event.object_id)
        .bind(&rec.event.detail)
        .bind(&rec.event.ip)
        .bind(&rec.prev_digest)
        .bind(&rec.digest)
        .bind(rec.event.subject_org_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, digest = $2 WHERE id = 1")
            .bind(rec.seq)
            .bind(&rec.digest)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: DateTime<Utc>,
    org_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    actor_label: String,
    action: String,
    object_type: String,
    object_id: String,
    detail: String,
    ip: String,
    prev_digest: String,
    digest: String,
    subject_org_id: Option<Uuid>,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> Self {
        AuditRecord {
            seq: r.seq,
            at: r.at,
            event: AuditEvent {
                org_id: r.org_id,
                actor_id: r.actor_id,
                actor_label: r.actor_label,
                action: r.action,
                object_type: r.object_type,
                object_id: r.object_id,
                detail: r.detail,
                ip: r.ip,
                subject_org_id: r.subject_org_id,
            },
            prev_digest: r.prev_digest,
            digest: r.digest,
        }
    }
}

const AUDIT_COLUMNS: &str = "seq, at, org_id, actor_id, actor_label, action, object_type, object_id, detail, ip, prev_digest, digest, subject_org_id";

/// The conditions of an audit filter other than the organisation, appended to a query.
fn push_filters<DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, f: &AuditFilter)
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> DateTime<Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(a) = f.action_prefix.as_deref().filter(|s| !s.is_empty()) {
        // Prefix match by range keeps it case-exact and index-friendly on both backends.
        qb.push(" AND action >= ").push_bind(a.to_string());
        qb.push(" AND action < ")
            .push_bind(format!("{a}\u{10FFFF}"));
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND actor_label LIKE ")
            .push_bind(format!("%{}%", a.to_lowercase()));
    }
    if let Some(s) = f.since {
        qb.push(" AND at >= ").push_bind(s);
    }
    if let Some(u) = f.until {
        qb.push(" AND at < ").push_bind(u);
    }
}

impl Store {
    /// Records an event that changes nothing else (e.g. a failed login) as its own transaction.
    pub async fn record(&self, event: AuditEvent, now: DateTime<Utc>) -> Result<()> {
        write_tx!(&self.db, |tx| append_audit!(self, tx, event, now));
        Ok(())
    }

    /// An organisation's audit records, newest first, filtered: its own users' actions and what
    /// others did to its objects (a vendor answering its sheet).
    pub async fn audit_list(&self, org_id: Uuid, f: &AuditFilter) -> Result<Vec<AuditRecord>> {
        let limit = if f.limit <= 0 { 100 } else { f.limit.min(1000) };
        // Each side of the OR walks its own index newest first and stops at the limit; one query
        // with `org_id = $1 OR subject_org_id = $1` would gather and sort the whole history.
        on_db!(&self.db, |p| {
            let mut qb = sqlx::QueryBuilder::new("SELECT * FROM (SELECT * FROM (");
            for (n, column) in ["org_id", "subject_org_id"].into_iter().enumerate() {
                if n > 0 {
                    qb.push(") o UNION SELECT * FROM (");
                }
                qb.push(format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {column} = "
                ))
                .push_bind(org_id);
                push_filters(&mut qb, f);
                qb.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            }
            qb.push(") s) r ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows: Vec<AuditRow> = qb.build_query_as().fetch_all(p).await?;
            Ok(rows.into_iter().map(AuditRecord::from).collect())
        })
    }

    async fn chain(&self) -> Result<(Vec<AuditRecord>, Option<(i64, String)>)> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq");
        let (rows, head): (Vec<AuditRow>, Option<(i64, String)>) = on_db!(&self.db, |p| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(p)
                .await?;
            let head = sqlx::query_as("SELECT seq, digest FROM audit_head WHERE id = 1")
                .fetch_optional(p)
                .await?;
            (rows, head)
        });
        Ok((rows.into_iter().map(AuditRecord::from).collect(), head))
    }

    /// Checks the whole chain, with the store's key, against its head; returns how many records
    /// were verified. A checkpoint, when given, must still be extended by the log.
    pub async fn audit_verify(
        &self,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<std::result::Result<i64, ChainBreak>> {
        let (records, head) = self.chain().await?;
        let Some((seq, digest)) = head else {
            return Ok(Err(ChainBreak::HeadMissing));
        };
        let head = (seq != 0).then_some((seq, digest.as_str()));
        let key = self.audit_key.as_deref();
        let verified = audit::verify(&records, head, key);
        Ok(match (verified, checkpoint, key) {
            (Ok(n), Some(cp), Some(k)) => cp.extended_by(k, &records).map(|()| n),
            (other, _, _) => other,
        })
    }

    /// A signed checkpoint of the chain's head now, to keep outside the database; none without a
    /// key.
    pub async fn audit_checkpoint(&self, now: DateTime<Utc>) -> Result<Option<Checkpoint>> {
        let Some(key) = self.audit_key.as_deref() else {
            return Ok(None);
        };
        let head: Option<(i64, String)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT seq, digest FROM audit_head WHERE id = 1"
        )
        .fetch_optional(p)
        .await?);
        let (seq, digest) = head.ok_or(StoreError::NotFound)?;
        Ok(Some(Checkpoint::of(key, seq, &digest, now)))
    }

    /// The chain's last record number: where a key created now starts keying.
    pub async fn audit_head_seq(&self) -> Result<i64> {
        let head: Option<(i64,)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT seq FROM audit_head WHERE id = 1"
        )
        .fetch_optional(p)
        .await?);
        Ok(head.map(|h| h.0).unwrap_or(0))
    }

    /// Every audit record in order, for tests that tamper with the chain as an attacker would.
    #[doc(hidden)]
    pub async fn audit_records(&self) -> Result<Vec<AuditRecord>> {
        Ok(self.chain().await?.0)
    }

    /// Runs raw SQL, for tests that tamper with the database as an attacker would.
    #[doc(hidden)]
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        let sql = sql.to_string();
        on_db!(&self.db, |p| Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await?
            .rows_affected()))
    }
}
