//! The accounts review: user lists per system with their column mapping, the staff list, and the
//! unused-days setting.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use mamori_domain::accounts::{ColumnMapping, DEFAULT_UNUSED_DAYS, StaffMember, SystemAccount};
use serde_json::json;
use uuid::Uuid;

/// A system's user list as last imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSystem {
    /// The system's name.
    pub system: String,
    /// The column mapping chosen for its exports.
    pub mapping: ColumnMapping,
    /// Its accounts.
    pub accounts: Vec<SystemAccount>,
    /// When the list was imported (none while only the mapping is known).
    pub imported_at: Option<DateTime<Utc>>,
    /// By whom.
    pub imported_by: String,
}

/// system, mapping, accounts, imported at, imported by.
type SystemRow = (String, String, String, Option<DateTime<Utc>>, String);

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("accounts: {e}"))
}

impl Store {
    /// The systems whose user lists the organisation reviews.
    pub async fn account_systems(&self, org_id: Uuid) -> Result<Vec<AccountSystem>> {
        let rows: Vec<SystemRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT system, mapping, accounts, imported_at, imported_by FROM account_systems WHERE org_id = $1 ORDER BY system"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        rows.into_iter()
            .map(|(system, mapping, accounts, imported_at, imported_by)| {
                Ok(AccountSystem {
                    system,
                    mapping: serde_json::from_str(&mapping).map_err(corrupt)?,
                    accounts: serde_json::from_str(&accounts).map_err(corrupt)?,
                    imported_at,
                    imported_by,
                })
            })
            .collect()
    }

    /// Replaces a system's user list (and remembers the mapping used) in one transaction.
    pub async fn import_accounts(
        &self,
        ctx: &Ctx,
        system: &str,
        mapping: &ColumnMapping,
        accounts: &[SystemAccount],
    ) -> Result<()> {
        let mapping_json = serde_json::to_string(mapping).map_err(corrupt)?;
        let accounts_json = serde_json::to_string(accounts).map_err(corrupt)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO account_systems (org_id, system, mapping, accounts, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (org_id, system) DO UPDATE SET mapping = $3, accounts = $4, imported_at = $5, imported_by = $6",
            )
            .bind(ctx.org_id)
            .bind(system)
            .bind(&mapping_json)
            .bind(&accounts_json)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "accounts.import",
                    "account_system",
                    system,
                    json!({"accounts": accounts.len(), "mapping": mapping})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// The staff list, when one was imported.
    pub async fn staff_list(
        &self,
        org_id: Uuid,
    ) -> Result<Option<(Vec<StaffMember>, DateTime<Utc>, String)>> {
        let row: Option<(String, DateTime<Utc>, String)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT staff, imported_at, imported_by FROM staff_lists WHERE org_id = $1"
        )
        .bind(org_id)
        .fetch_optional(p)
        .await?);
        row.map(|(s, at, by)| Ok((serde_json::from_str(&s).map_err(corrupt)?, at, by)))
            .transpose()
    }

    /// Replaces the staff list.
    pub async fn import_staff(&self, ctx: &Ctx, staff: &[StaffMember]) -> Result<()> {
        let data = serde_json::to_string(staff).map_err(corrupt)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO staff_lists (org_id, staff, imported_at, imported_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id) DO UPDATE SET staff = $2, imported_at = $3, imported_by = $4",
            )
            .bind(ctx.org_id)
            .bind(&data)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "accounts.staff_import",
                    "staff_list",
                    ctx.org_id,
                    json!({"people": staff.len()})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// Days without a login after which an account is flagged (default 90).
    pub async fn unused_days(&self, org_id: Uuid) -> Result<i64> {
        let row: Option<(i64,)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT unused_days FROM account_settings WHERE org_id = $1"
        )
        .bind(org_id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|r| r.0).unwrap_or(DEFAULT_UNUSED_DAYS))
    }

    /// Sets the days without a login after which an account is flagged.
    pub async fn set_unused_days(&self, ctx: &Ctx, days: i64) -> Result<()> {
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO account_settings (org_id, unused_days) VALUES ($1, $2) ON CONFLICT (org_id) DO UPDATE SET unused_days = $2",
            )
            .bind(ctx.org_id)
            .bind(days)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "accounts.unused_days",
                    "account_settings",
                    ctx.org_id,
                    json!({"days": days})
                ),
                ctx.now
            );
        });
        Ok(())
    }
}
