//! The contact chart and the recovery procedures of an organisation.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use mamori_domain::preparedness::{Contact, RecoveryProcedure};
use serde_json::json;
use uuid::Uuid;

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContact {
    /// Its id.
    pub id: Uuid,
    /// The entry.
    pub contact: Contact,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Last changed by.
    pub updated_by: String,
}

/// A stored recovery procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProcedure {
    /// Its id.
    pub id: Uuid,
    /// The procedure.
    pub procedure: RecoveryProcedure,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Last changed by.
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: Uuid,
    grp: String,
    role: String,
    name: String,
    organisation: String,
    system: String,
    phone: String,
    phone_24h: String,
    email: String,
    notes: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl From<ContactRow> for StoredContact {
    fn from(r: ContactRow) -> Self {
        StoredContact {
            id: r.id,
            contact: Contact {
                group: r.grp,
                role: r.role,
                name: r.name,
                organisation: r.organisation,
                system: r.system,
                phone: r.phone,
                phone_24h: r.phone_24h,
                email: r.email,
                notes: r.notes,
            },
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

impl Store {
    /// The contact chart, by group and position.
    pub async fn contacts(&self, org_id: Uuid) -> Result<Vec<StoredContact>> {
        let rows: Vec<ContactRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT id, grp, role, name, organisation, system, phone, phone_24h, email, notes, updated_at, updated_by \
             FROM contacts WHERE org_id = $1 ORDER BY grp, position, role"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        Ok(rows.into_iter().map(StoredContact::from).collect())
    }

    /// Adds contacts (one, or the standard bodies) at the end of their groups.
    pub async fn add_contacts(&self, ctx: &Ctx, contacts: &[Contact]) -> Result<()> {
        write_tx!(&self.db, |tx| {
            for c in contacts {
                let id = Uuid::new_v4();
                let (position,): (i64,) = sqlx::query_as(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM contacts WHERE org_id = $1 AND grp = $2",
                )
                .bind(ctx.org_id)
                .bind(&c.group)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO contacts (id, org_id, grp, position, role, name, organisation, system, phone, phone_24h, email, notes, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(id)
                .bind(ctx.org_id)
                .bind(&c.group)
                .bind(position)
                .bind(&c.role)
                .bind(&c.name)
                .bind(&c.organisation)
                .bind(&c.system)
                .bind(&c.phone)
                .bind(&c.phone_24h)
                .bind(&c.email)
                .bind(&c.notes)
                .bind(ctx.now)
                .bind(&ctx.actor_label)
                .execute(&mut *tx)
                .await?;
                append_audit!(
                    self,
                    tx,
                    ctx.event("contact.add", "contact", id, json!(c)),
                    ctx.now
                );
            }
        });
        Ok(())
    }

    /// Changes a contact.
    pub async fn update_contact(&self, ctx: &Ctx, id: Uuid, c: &Contact) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let done = sqlx::query(
                "UPDATE contacts SET grp = $1, role = $2, name = $3, organisation = $4, system = $5, phone = $6, \
                 phone_24h = $7, email = $8, notes = $9, updated_at = $10, updated_by = $11 WHERE org_id = $12 AND id = $13",
            )
            .bind(&c.group)
            .bind(&c.role)
            .bind(&c.name)
            .bind(&c.organisation)
            .bind(&c.system)
            .bind(&c.phone)
            .bind(&c.phone_24h)
            .bind(&c.email)
            .bind(&c.notes)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .bind(ctx.org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(
                self,
                tx,
                ctx.event("contact.update", "contact", id, json!(c)),
                ctx.now
            );
        });
        Ok(())
    }

    /// Removes a contact.
    pub async fn remove_contact(&self, ctx: &Ctx, id: Uuid) -> Result<()> {
        self.remove_row(ctx, "contacts", "contact.remove", "contact", id)
            .await
    }

    /// The recovery procedures, by system.
    pub async fn recovery_procedures(&self, org_id: Uuid) -> Result<Vec<StoredProcedure>> {
        let rows: Vec<(Uuid, String, String, DateTime<Utc>, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT id, system, steps, updated_at, updated_by FROM recovery_procedures WHERE org_id = $1 ORDER BY system"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, system, steps, updated_at, updated_by)| StoredProcedure {
                    id,
                    procedure: RecoveryProcedure { system, steps },
                    updated_at,
                    updated_by,
                },
            )
            .collect())
    }

    /// Adds (`id` = None) or changes a recovery procedure.
    pub async fn save_procedure(
        &self,
        ctx: &Ctx,
        id: Option<Uuid>,
        p: &RecoveryProcedure,
    ) -> Result<Uuid> {
        let target = id.unwrap_or_else(Uuid::new_v4);
        write_tx!(&self.db, |tx| {
            let done = if id.is_some() {
                sqlx::query(
                    "UPDATE recovery_procedures SET system = $1, steps = $2, updated_at = $3, updated_by = $4 WHERE org_id = $5 AND id = $6",
                )
            } else {
                sqlx::query(
                    "INSERT INTO recovery_procedures (system, steps, updated_at, updated_by, org_id, id) VALUES ($1, $2, $3, $4, $5, $6)",
                )
            }
            .bind(&p.system)
            .bind(&p.steps)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .bind(ctx.org_id)
            .bind(target)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(
                self,
                tx,
                ctx.event("procedure.save", "recovery_procedure", target, json!(p)),
                ctx.now
            );
        });
        Ok(target)
    }

    /// Removes a recovery procedure.
    pub async fn remove_procedure(&self, ctx: &Ctx, id: Uuid) -> Result<()> {
        self.remove_row(
            ctx,
            "recovery_procedures",
            "procedure.remove",
            "recovery_procedure",
            id,
        )
        .await
    }

    async fn remove_row(
        &self,
        ctx: &Ctx,
        table: &'static str,
        action: &str,
        object_type: &str,
        id: Uuid,
    ) -> Result<()> {
        let sql = format!("DELETE FROM {table} WHERE org_id = $1 AND id = $2");
        write_tx!(&self.db, |tx| {
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(ctx.org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(
                self,
                tx,
                ctx.event(action, object_type, id, json!({})),
                ctx.now
            );
        });
        Ok(())
    }
}
