//! Registers kept as rows of typed fields (see `mamori_domain::ledger`), with their history.

use crate::audit::append_audit;
use crate::{Ctx, Result, RowChange, Store, StoreError};
use chrono::{DateTime, Utc};
use mamori_domain::ledger::Row;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A file attached to a register row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RowFile {
    /// Its id.
    pub id: Uuid,
    /// The row.
    pub row_id: Uuid,
    /// The file name as uploaded.
    pub filename: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

/// A stored register row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// Its id.
    pub id: Uuid,
    /// The fields.
    pub row: Row,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Last changed by.
    pub updated_by: String,
}

fn name_of(row: &Row) -> String {
    row.get("name").cloned().unwrap_or_default()
}

fn encode(row: &Row) -> Result<String> {
    serde_json::to_string(row).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Writes a row (insert or update by id) and its history entry in the caller's transaction.
macro_rules! put_row {
    ($tx:ident, $ctx:expr, $register:expr, $id:expr, $row:expr, $action:expr, $before:expr) => {{
        let data = encode($row)?;
        sqlx::query(
            "INSERT INTO register_rows (id, org_id, register, name, data, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET name = $4, data = $5, updated_at = $6, updated_by = $7",
        )
        .bind($id)
        .bind($ctx.org_id)
        .bind($register)
        .bind(name_of($row))
        .bind(&data)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .execute(&mut *$tx)
        .await
        .map_err(|e| StoreError::unique(e, "register row name"))?;
        let before: Option<&Row> = $before;
        let before = match before {
            Some(b) => encode(b)?,
            None => String::new(),
        };
        sqlx::query(
            "INSERT INTO register_history (id, org_id, register, row_id, at, actor, action, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::new_v4())
        .bind($ctx.org_id)
        .bind($register)
        .bind($id)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .bind($action)
        .bind(&before)
        .bind(&data)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// A stored row as read: register, id, data, when and by whom last changed.
type RowRecord = (String, Uuid, String, DateTime<Utc>, String);

fn decoded((register, id, data, updated_at, updated_by): RowRecord) -> Result<(String, LedgerRow)> {
    Ok((
        register,
        LedgerRow {
            id,
            row: serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("register row: {e}")))?,
            updated_at,
            updated_by,
        },
    ))
}

impl Store {
    /// A register's rows, by name.
    pub async fn ledger_rows(&self, org_id: Uuid, register: &str) -> Result<Vec<LedgerRow>> {
        let rows: Vec<RowRecord> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT register, id, data, updated_at, updated_by FROM register_rows WHERE org_id = $1 AND register = $2 ORDER BY name"
        )
        .bind(org_id)
        .bind(register)
        .fetch_all(p)
        .await?
        });
        rows.into_iter().map(|r| Ok(decoded(r)?.1)).collect()
    }

    /// The rows of every register kept as rows, by register and then by name, in one query.
    pub async fn all_ledger_rows(&self, org_id: Uuid) -> Result<HashMap<String, Vec<LedgerRow>>> {
        let rows: Vec<RowRecord> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT register, id, data, updated_at, updated_by FROM register_rows WHERE org_id = $1 ORDER BY register, name"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        let mut out: HashMap<String, Vec<LedgerRow>> = HashMap::new();
        for r in rows {
            let (register, row) = decoded(r)?;
            out.entry(register).or_default().push(row);
        }
        Ok(out)
    }

    /// One row of a register.
    pub async fn ledger_row(&self, org_id: Uuid, register: &str, id: Uuid) -> Result<LedgerRow> {
        self.ledger_rows(org_id, register)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Adds (`id` None) or changes a row; a name already in the register is a conflict.
    pub async fn save_ledger_row(
        &self,
        ctx: &Ctx,
        register: &str,
        id: Option<Uuid>,
        row: &Row,
    ) -> Result<Uuid> {
        let before = match id {
            Some(id) => Some(self.ledger_row(ctx.org_id, register, id).await?.row),
            None => None,
        };
        let target = id.unwrap_or_else(Uuid::new_v4);
        let action = if id.is_some() { "update" } else { "add" };
        write_tx!(&self.db, |tx| {
            put_row!(tx, ctx, register, target, row, action, before.as_ref());
            append_audit!(
                self,
                tx,
                ctx.event(&format!("register.{action}"), register, target, json!(row)),
                ctx.now
            );
        });
        Ok(target)
    }

    /// Imports rows in one transaction: a row whose name is in the register updates it, others
    /// are added. Returns (added, updated).
    pub async fn import_ledger_rows(
        &self,
        ctx: &Ctx,
        register: &str,
        rows: &[Row],
    ) -> Result<(usize, usize)> {
        let existing: HashMap<String, LedgerRow> = self
            .ledger_rows(ctx.org_id, register)
            .await?
            .into_iter()
            .map(|r| (name_of(&r.row), r))
            .collect();
        let (mut added, mut updated) = (0, 0);
        write_tx!(&self.db, |tx| {
            for row in rows {
                match existing.get(&name_of(row)) {
                    Some(old) if old.row == *row => {}
                    Some(old) => {
                        put_row!(tx, ctx, register, old.id, row, "import", Some(&old.row));
                        updated += 1;
                    }
                    None => {
                        put_row!(tx, ctx, register, Uuid::new_v4(), row, "import", None);
                        added += 1;
                    }
                }
            }
            append_audit!(
                self,
                tx,
                ctx.event(
                    "register.import",
                    register,
                    register,
                    json!({"rows": rows.len(), "added": added, "updated": updated})
                ),
                ctx.now
            );
        });
        Ok((added, updated))
    }

    /// Removes a row (its history stays).
    pub async fn remove_ledger_row(&self, ctx: &Ctx, register: &str, id: Uuid) -> Result<()> {
        let before = self.ledger_row(ctx.org_id, register, id).await?;
        let data = encode(&before.row)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "DELETE FROM register_rows WHERE org_id = $1 AND register = $2 AND id = $3",
            )
            .bind(ctx.org_id)
            .bind(register)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO register_history (id, org_id, register, row_id, at, actor, action, before, after) VALUES ($1, $2, $3, $4, $5, $6, 'remove', $7, '')",
            )
            .bind(Uuid::new_v4())
            .bind(ctx.org_id)
            .bind(register)
            .bind(id)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .bind(&data)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event("register.remove", register, id, json!(before.row)),
                ctx.now
            );
        });
        Ok(())
    }

    /// A row's history, newest first.
    pub async fn ledger_history(
        &self,
        org_id: Uuid,
        register: &str,
        id: Uuid,
    ) -> Result<Vec<RowChange>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT at, actor, action, before, after FROM register_history WHERE org_id = $1 AND register = $2 AND row_id = $3 ORDER BY at DESC"
        )
        .bind(org_id)
        .bind(register)
        .bind(id)
        .fetch_all(p)
        .await?
        }))
    }

    /// Records a file attached to a row (the bytes are kept by the caller under their hash).
    pub async fn add_row_file(
        &self,
        ctx: &Ctx,
        register: &str,
        row_id: Uuid,
        filename: &str,
        size: i64,
        sha256: &str,
    ) -> Result<Uuid> {
        self.ledger_row(ctx.org_id, register, row_id).await?;
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO register_files (id, org_id, register, row_id, filename, size, sha256, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(register)
            .bind(row_id)
            .bind(filename)
            .bind(size)
            .bind(sha256)
            .bind(&ctx.actor_label)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "register.file",
                    register,
                    row_id,
                    json!({"file": filename, "size": size, "sha256": sha256})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The files attached to a row, oldest first.
    pub async fn row_files(
        &self,
        org_id: Uuid,
        register: &str,
        row_id: Uuid,
    ) -> Result<Vec<RowFile>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT id, row_id, filename, size, sha256, uploaded_by, uploaded_at FROM register_files \
             WHERE org_id = $1 AND register = $2 AND row_id = $3 ORDER BY uploaded_at"
        )
        .bind(org_id)
        .bind(register)
        .bind(row_id)
        .fetch_all(p)
        .await?
        }))
    }
}
