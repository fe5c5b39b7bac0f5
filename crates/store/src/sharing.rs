//! The sharing hub's storage: collections of STIX objects, who may read and write each, and the
//! objects with every version. An organisation reaches a collection it keeps or one it was
//! granted; any other is not found, so that a member never learns it exists.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// A collection as one organisation reaches it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Collection {
    /// Its id.
    pub id: Uuid,
    /// The organisation that keeps it.
    pub org_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Whether this organisation may read its objects.
    pub can_read: bool,
    /// Whether this organisation may add objects.
    pub can_write: bool,
}

/// An object to keep: its id, type and version as the caller read them, and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObject {
    /// `type--UUID`.
    pub object_id: String,
    /// Its type.
    pub object_type: String,
    /// The version, in a form that sorts by time (its `modified`, else `created`, to the
    /// millisecond; observables have one version).
    pub version: String,
    /// `2.1`.
    pub spec_version: String,
    /// The object's JSON as received.
    pub body: String,
}

/// A kept object version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredObject {
    /// Its place in the collection, in the order objects were added.
    pub seq: i64,
    /// `type--UUID`.
    pub object_id: String,
    /// Its type.
    pub object_type: String,
    /// The version.
    pub version: String,
    /// The spec version.
    pub spec_version: String,
    /// When the collection received it.
    pub added_at: DateTime<Utc>,
    /// The JSON.
    pub body: String,
}

/// Which objects of a collection, and which page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFilter {
    /// Only those added after this instant.
    pub added_after: Option<DateTime<Utc>>,
    /// Only these ids (empty: all).
    pub ids: Vec<String>,
    /// Only these types (empty: all).
    pub types: Vec<String>,
    /// Only the newest version of each object.
    pub latest_only: bool,
    /// Only those after this place (the last `seq` of the previous page; 0 for the first).
    pub after_seq: i64,
    /// At most this many.
    pub limit: i64,
}

/// What organisation `$1` may do with collection `c`: keep it, or a grant.
const REACH: &str = "SELECT c.id, c.org_id, c.title, c.description, c.created_at, \
     (c.org_id = $1 OR COALESCE(g.can_read, FALSE)) AS can_read, \
     (c.org_id = $1 OR COALESCE(g.can_write, FALSE)) AS can_write \
     FROM collections c LEFT JOIN collection_grants g ON g.collection_id = c.id AND g.org_id = $1 \
     WHERE (c.org_id = $1 OR g.can_read OR g.can_write)";

impl Store {
    /// Makes a collection kept by the context's organisation.
    pub async fn create_collection(
        &self,
        ctx: &Ctx,
        title: &str,
        description: &str,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO collections (id, org_id, title, description, next_seq, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(title)
            .bind(description)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "collection.create",
                    "collection",
                    id,
                    json!({"title": title})
                ),
                ctx.now
            );
        });
        Ok(id)
    }

    /// Lets another organisation read and/or write a collection the context's organisation
    /// keeps (both false takes the grant back).
    pub async fn grant_collection(
        &self,
        ctx: &Ctx,
        collection_id: Uuid,
        org_id: Uuid,
        can_read: bool,
        can_write: bool,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            let owned: Option<(Uuid,)> =
                sqlx::query_as("SELECT id FROM collections WHERE id = $1 AND org_id = $2")
                    .bind(collection_id)
                    .bind(ctx.org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            owned.ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO collection_grants (collection_id, org_id, can_read, can_write) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (collection_id, org_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write",
            )
            .bind(collection_id)
            .bind(org_id)
            .bind(can_read)
            .bind(can_write)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "collection.grant",
                    "collection",
                    collection_id,
                    json!({"org": org_id, "read": can_read, "write": can_write})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// The collections an organisation reaches, by title.
    pub async fn collections(&self, org_id: Uuid) -> Result<Vec<Collection>> {
        let sql = format!("{REACH} ORDER BY c.title, c.id");
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// One collection the organisation reaches; not found otherwise.
    pub async fn collection(&self, org_id: Uuid, id: Uuid) -> Result<Collection> {
        let sql = format!("{REACH} AND c.id = $2");
        let row: Option<Collection> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(p)
        .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// Adds objects to a collection the context's organisation may write, in one transaction;
    /// for each, whether it was new (a version already kept is not added again). Not found when
    /// the organisation may not write to it.
    pub async fn add_objects(
        &self,
        ctx: &Ctx,
        collection_id: Uuid,
        objects: &[NewObject],
    ) -> Result<Vec<bool>> {
        let mut added = Vec::with_capacity(objects.len());
        let check = format!("{REACH} AND c.id = $2");
        write_tx!(&self.db, |tx| {
            let c: Option<Collection> = sqlx::query_as(sqlx::AssertSqlSafe(check.clone()))
                .bind(ctx.org_id)
                .bind(collection_id)
                .fetch_optional(&mut *tx)
                .await?;
            let owner = c
                .filter(|c| c.can_write)
                .ok_or(StoreError::NotFound)?
                .org_id;
            // The collection's row is the counter: taking it also orders concurrent writers.
            let (mut seq,): (i64,) = sqlx::query_as(
                "UPDATE collections SET next_seq = next_seq WHERE id = $1 RETURNING next_seq",
            )
            .bind(collection_id)
            .fetch_one(&mut *tx)
            .await?;
            let mut new = 0;
            for o in objects {
                // A version already kept is left as it is; only a new one takes a number.
                let inserted = sqlx::query(
                    "INSERT INTO stix_objects (collection_id, seq, object_id, object_type, version, spec_version, added_at, added_by_org, body) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (collection_id, object_id, version) DO NOTHING",
                )
                .bind(collection_id)
                .bind(seq)
                .bind(&o.object_id)
                .bind(&o.object_type)
                .bind(&o.version)
                .bind(&o.spec_version)
                .bind(ctx.now)
                .bind(ctx.org_id)
                .bind(&o.body)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if inserted {
                    seq += 1;
                    new += 1;
                }
                added.push(inserted);
            }
            sqlx::query("UPDATE collections SET next_seq = $1 WHERE id = $2")
                .bind(seq)
                .bind(collection_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(
                self,
                tx,
                ctx.event_on(
                    owner,
                    "collection.add",
                    "collection",
                    collection_id,
                    json!({"added": new, "offered": objects.len()})
                ),
                ctx.now
            );
        });
        Ok(added)
    }

    /// A page of a collection's objects the organisation may read, in the order they were
    /// added, and whether more follow. Not found when it may not read the collection.
    pub async fn collection_objects(
        &self,
        org_id: Uuid,
        collection_id: Uuid,
        f: &ObjectFilter,
    ) -> Result<(Vec<StoredObject>, bool)> {
        if !self.collection(org_id, collection_id).await?.can_read {
            return Err(StoreError::NotFound);
        }
        let mut sql = String::from(
            "SELECT seq, object_id, object_type, version, spec_version, added_at, body FROM stix_objects o \
             WHERE collection_id = $1 AND seq > $2",
        );
        let mut n = 3;
        let mut mark = |sql: &mut String, what: &str| {
            sql.push_str(&format!("{what}${n}"));
            n += 1;
        };
        if f.added_after.is_some() {
            mark(&mut sql, " AND added_at > ");
        }
        for (column, values) in [("object_id", &f.ids), ("object_type", &f.types)] {
            if !values.is_empty() {
                sql.push_str(&format!(" AND {column} IN ("));
                for (i, _) in values.iter().enumerate() {
                    mark(&mut sql, if i == 0 { "" } else { ", " });
                }
                sql.push(')');
            }
        }
        if f.latest_only {
            sql.push_str(
                " AND NOT EXISTS (SELECT 1 FROM stix_objects n WHERE n.collection_id = o.collection_id \
                 AND n.object_id = o.object_id AND n.version > o.version)",
            );
        }
        // One more than asked tells whether another page follows.
        mark(&mut sql, " ORDER BY seq LIMIT ");
        let limit = f.limit.max(1);
        let mut rows: Vec<StoredObject> = on_db!(&self.db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(collection_id)
                .bind(f.after_seq);
            if let Some(at) = f.added_after {
                q = q.bind(at);
            }
            for v in f.ids.iter().chain(&f.types) {
                q = q.bind(v);
            }
            q.bind(limit + 1).fetch_all(p).await?
        });
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }
}
