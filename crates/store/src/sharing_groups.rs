//! Groups of organisations (共有グループ) that a hub's keeper names once, grants collections to
//! and that sharers name as an AMBER audience; and who, through organisations and groups, reads
//! a collection.

use crate::audit::append_audit;
use crate::models::{UserRow, user_columns_of_u};
use crate::sharing::MEMBERS;
use crate::{Ctx, Result, Store, StoreError, User};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// A group of organisations kept by one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharingGroup {
    /// Its id.
    pub id: Uuid,
    /// The organisation that keeps it.
    pub org_id: Uuid,
    /// Its name, unique within the keeper.
    pub name: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Its member organisations.
    pub members: Vec<Uuid>,
}

/// A grant of a collection to a group.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupGrant {
    /// The group.
    pub group_id: Uuid,
    /// Its name.
    pub name: String,
    /// Whether its members may read.
    pub can_read: bool,
    /// Whether its members may add objects.
    pub can_write: bool,
}

/// The organisations that read collection `$1`: its keeper, and its members.
fn readers() -> String {
    format!(
        "SELECT org_id FROM collections WHERE id = $1 \
         UNION SELECT mm.org_id FROM {MEMBERS} mm WHERE mm.collection_id = $1"
    )
}

impl Store {
    /// Makes a group kept by the context's organisation; a name it already uses is a conflict.
    pub async fn create_group(&self, ctx: &Ctx, name: &str) -> Result<Uuid> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO sharing_groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(name)
            .bind(ctx.now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "group"))?;
            append_audit!(
                self,
                tx,
                ctx.event("group.create", "sharing_group", id, json!({"name": name})),
                ctx.now
            );
        });
        Ok(id)
    }

    /// The groups an organisation keeps, by name, each with its members.
    pub async fn groups(&self, org_id: Uuid) -> Result<Vec<SharingGroup>> {
        let rows: Vec<(Uuid, String, DateTime<Utc>, Option<Uuid>)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT g.id, g.name, g.created_at, m.org_id FROM sharing_groups g \
                 LEFT JOIN sharing_group_members m ON m.group_id = g.id \
                 WHERE g.org_id = $1 ORDER BY g.name, g.id, m.org_id",
            )
            .bind(org_id)
            .fetch_all(p)
            .await?
        });
        let mut out: Vec<SharingGroup> = Vec::new();
        for (id, name, created_at, member) in rows {
            if out.last().is_none_or(|g| g.id != id) {
                out.push(SharingGroup {
                    id,
                    org_id,
                    name,
                    created_at,
                    members: Vec::new(),
                });
            }
            if let (Some(m), Some(g)) = (member, out.last_mut()) {
                g.members.push(m);
            }
        }
        Ok(out)
    }

    /// Adds an organisation to a group the context's organisation keeps, or takes it out.
    pub async fn set_group_member(
        &self,
        ctx: &Ctx,
        group_id: Uuid,
        member: Uuid,
        is_member: bool,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let kept: Option<(Uuid,)> =
                sqlx::query_as("SELECT id FROM sharing_groups WHERE id = $1 AND org_id = $2")
                    .bind(group_id)
                    .bind(ctx.org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            kept.ok_or(StoreError::NotFound)?;
            let sql = if is_member {
                "INSERT INTO sharing_group_members (group_id, org_id) VALUES ($1, $2) \
                 ON CONFLICT (group_id, org_id) DO NOTHING"
            } else {
                "DELETE FROM sharing_group_members WHERE group_id = $1 AND org_id = $2"
            };
            let changed = sqlx::query(sql)
                .bind(group_id)
                .bind(member)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed > 0 {
                let action = if is_member {
                    "group.member_add"
                } else {
                    "group.member_remove"
                };
                append_audit!(
                    self,
                    tx,
                    ctx.event(action, "sharing_group", group_id, json!({"org": member})),
                    ctx.now
                );
            }
        });
        Ok(())
    }

    /// Lets the members of a group read and/or write a collection; both the collection and the
    /// group must be the context's organisation's (both false takes the grant back).
    pub async fn grant_collection_to_group(
        &self,
        ctx: &Ctx,
        collection_id: Uuid,
        group_id: Uuid,
        can_read: bool,
        can_write: bool,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let both: (i64,) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM collections WHERE id = $1 AND org_id = $3) \
                 + (SELECT COUNT(*) FROM sharing_groups WHERE id = $2 AND org_id = $3)",
            )
            .bind(collection_id)
            .bind(group_id)
            .bind(ctx.org_id)
            .fetch_one(&mut *tx)
            .await?;
            if both.0 != 2 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO collection_group_grants (collection_id, group_id, can_read, can_write) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (collection_id, group_id) \
                 DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write",
            )
            .bind(collection_id)
            .bind(group_id)
            .bind(can_read)
            .bind(can_write)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "collection.grant_group",
                    "collection",
                    collection_id,
                    json!({"group": group_id, "read": can_read, "write": can_write})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// The groups granted a collection (read or write), by name. The caller decides who may
    /// know them: the keeper, and readers of the collection for the groups they may name.
    pub async fn collection_group_grants(&self, collection_id: Uuid) -> Result<Vec<GroupGrant>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT g.id AS group_id, g.name, gg.can_read, gg.can_write \
                 FROM collection_group_grants gg JOIN sharing_groups g ON g.id = gg.group_id \
                 JOIN collections c ON c.id = gg.collection_id AND c.org_id = g.org_id \
                 WHERE gg.collection_id = $1 AND (gg.can_read OR gg.can_write) ORDER BY g.name, g.id",
            )
            .bind(collection_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Every organisation that reads a collection: its keeper, those granted reading, and the
    /// members of the groups granted reading. The caller decides who may know them.
    pub async fn collection_readers(&self, collection_id: Uuid) -> Result<Vec<Uuid>> {
        let rows: Vec<(Uuid,)> = on_db!(&self.db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(readers()))
                .bind(collection_id)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().map(|(o,)| o).collect())
    }

    /// The people, not disabled, of every organisation that reads a collection, by
    /// organisation and name. The caller decides whom of them another may be shown.
    pub async fn collection_people(&self, collection_id: Uuid) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users u WHERE NOT u.disabled AND u.org_id IN ({}) \
             ORDER BY u.org_id, u.display_name, u.email",
            user_columns_of_u(),
            readers()
        );
        let rows: Vec<UserRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(collection_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(User::try_from).collect()
    }
}
