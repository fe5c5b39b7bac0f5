//! The two backends behind one type, and the macros that run one SQL text on either.

use crate::{Result, StoreError};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// `$first, $first+1, …`: `n` bind marks for an `IN (…)`.
pub(crate) fn marks_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// The pool and a count of the calls made on it.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pool: Pool,
    calls: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Db {
    fn new(pool: Pool) -> Db {
        Db {
            pool,
            calls: Default::default(),
        }
    }

    /// The pool, counting one call on it.
    pub(crate) fn call(&self) -> &Pool {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.pool
    }
}

/// Runs the same expression on whichever pool the store holds, counted as one call.
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match ($db).call() {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Pg($p) => $body,
        }
    };
}

/// Runs the body in a write transaction and commits it; any `?` inside rolls back. SQLite takes
/// the write lock at the start (`BEGIN IMMEDIATE`) so that a read followed by a write in the same
/// transaction cannot fail on a concurrent writer.
macro_rules! write_tx {
    ($db:expr, |$tx:ident| $body:expr) => {
        match ($db).call() {
            $crate::db::Pool::Sqlite(p) => {
                let mut $tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::db::Pool::Pg(p) => {
                let mut $tx = p.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// The storage of one mamori installation.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// The key of the audit chain; none keeps the plain SHA-256 chain (tests, tools).
    pub(crate) audit_key: Option<std::sync::Arc<mamori_domain::audit::AuditKey>>,
    /// The key that seals secrets kept at rest (TOTP secrets); none keeps them plain (tests).
    pub(crate) secret_key: Option<[u8; 32]>,
}

impl Store {
    /// Opens (creating if needed) the database a URL names and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a write that was answered survives a crash or power loss.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            Db::new(Pool::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                // While the server is down a request waits this long for a connection, then gets
                // a clear "unavailable" rather than hanging; the pool reconnects once it is back.
                .acquire_timeout(Duration::from_secs(3))
                .connect(url)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Db::new(Pool::Pg(pool))
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        Ok(Store {
            db,
            audit_key: None,
            secret_key: None,
        })
    }

    /// The store, sealing secrets at rest with `key` from now on.
    pub fn with_secret_key(mut self, key: [u8; 32]) -> Store {
        self.secret_key = Some(key);
        self
    }

    /// The store, keying the audit chain with `key` from now on.
    pub fn with_audit_key(mut self, key: mamori_domain::audit::AuditKey) -> Store {
        self.audit_key = Some(std::sync::Arc::new(key));
        self
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.db.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Pg(_) => Backend::Postgres,
        }
    }

    /// Calls made on the database since the store was opened: each query outside a transaction
    /// and each transaction once: how tests prove that a page or a list takes a bounded number
    /// of calls whatever the data size.
    pub fn db_calls(&self) -> u64 {
        self.db.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Connections open and idle in the pool, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.db.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Pg(p) => (p.size(), p.num_idle()),
        }
    }

    /// Whether the database answers, for `/healthz`.
    pub async fn ping(&self) -> bool {
        on_db!(&self.db, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .is_ok())
    }

    /// The tables and their columns, sorted, to prove both backends have the same schema.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = match self.db.call() {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Pg(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    /// The indexes made by migrations (not those backing keys and unique constraints), as
    /// (table, index), sorted.
    pub async fn schema_indexes(&self) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = match self.db.call() {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND tbl_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Pg(p) => {
                sqlx::query_as(
                    "SELECT t.relname::text, i.relname::text FROM pg_index x \
                     JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                     JOIN pg_namespace n ON n.oid = t.relnamespace \
                     WHERE n.nspname = current_schema() AND t.relname NOT LIKE '_sqlx%' \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
                     ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    /// What the triggers guard, as (table, event) with the event `UPDATE`, `DELETE` or
    /// `INSERT`, sorted: the backends name and group triggers differently, so their targets are
    /// what must agree.
    pub async fn schema_triggers(&self) -> Result<Vec<(String, String)>> {
        let mut rows: Vec<(String, String)> = match self.db.call() {
            Pool::Sqlite(p) => {
                let raw: Vec<(String, String)> = sqlx::query_as(
                    "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1",
                )
                .fetch_all(p)
                .await?;
                raw.into_iter()
                    .flat_map(|(table, sql)| {
                        let sql = sql.to_uppercase();
                        ["UPDATE", "DELETE", "INSERT"]
                            .into_iter()
                            .filter(move |e| sql.contains(&format!(" {e} ON")))
                            .map(move |e| (table.clone(), e.to_string()))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            }
            Pool::Pg(p) => {
                sqlx::query_as(
                    "SELECT event_object_table::text, event_manipulation::text \
                     FROM information_schema.triggers WHERE trigger_schema = current_schema()",
                )
                .fetch_all(p)
                .await?
            }
        };
        rows.sort();
        rows.dedup();
        Ok(rows)
    }

    /// The migrations applied, by version and description.
    pub async fn applied_migrations(&self) -> Result<Vec<(i64, String)>> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "SELECT version, description FROM _sqlx_migrations ORDER BY version"
        )
        .fetch_all(p)
        .await?))
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        on_db!(&self.db, |p| p.close().await)
    }
}
