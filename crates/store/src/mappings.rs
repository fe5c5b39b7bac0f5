//! The column mappings organisations chose for their table imports, one per import target
//! (`devices`, a register's code, `contacts`).

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use mamori_domain::table::ColumnMapping;
use serde_json::json;
use uuid::Uuid;

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("import mapping: {e}"))
}

impl Store {
    /// The mapping last chosen for an import target, if any.
    pub async fn import_mapping(
        &self,
        org_id: Uuid,
        target: &str,
    ) -> Result<Option<ColumnMapping>> {
        let row: Option<(String,)> = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT mapping FROM import_mappings WHERE org_id = $1 AND target = $2"
        )
        .bind(org_id)
        .bind(target)
        .fetch_optional(p)
        .await?);
        row.map(|(m,)| serde_json::from_str(&m).map_err(corrupt))
            .transpose()
    }

    /// Remembers the mapping chosen for an import target, replacing the one before.
    pub async fn remember_import_mapping(
        &self,
        ctx: &Ctx,
        target: &str,
        mapping: &ColumnMapping,
    ) -> Result<()> {
        let mapping_json = serde_json::to_string(mapping).map_err(corrupt)?;
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO import_mappings (org_id, target, mapping, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (org_id, target) DO UPDATE SET mapping = $3, updated_at = $4, updated_by = $5",
            )
            .bind(ctx.org_id)
            .bind(target)
            .bind(&mapping_json)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "import.mapping",
                    "import_mapping",
                    target,
                    json!({"mapping": mapping})
                ),
                ctx.now
            );
        });
        Ok(())
    }
}
