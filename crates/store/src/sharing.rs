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
    /// The TLP level (its `tlp_2_0` code) of objects shared without a TLP marking.
    pub default_tlp: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Whether this organisation may read its objects.
    pub can_read: bool,
    /// Whether this organisation may add objects.
    pub can_write: bool,
}

/// Who reads: an organisation, and the person in it (RED reaches named people only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The reader's organisation.
    pub org_id: Uuid,
    /// The person; none for a reader that is no one in particular (a system task), who then sees
    /// no RED object but its own organisation's.
    pub user_id: Option<Uuid>,
}

/// Whom an AMBER, AMBER+STRICT or RED object is shared with, beyond the sharer and (except RED)
/// the collection's keeper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Organisations (AMBER, AMBER+STRICT).
    pub orgs: Vec<Uuid>,
    /// Groups of organisations, kept by the collection's keeper (AMBER only).
    pub groups: Vec<Uuid>,
    /// People (RED).
    pub users: Vec<Uuid>,
}

impl Audience {
    /// The audience tables and the ids each holds for this audience.
    fn rows(&self) -> [(&'static str, &[Uuid]); 3] {
        [
            (
                "INSERT INTO stix_audience_orgs (collection_id, object_id, org_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (collection_id, object_id, org_id) DO NOTHING",
                &self.orgs,
            ),
            (
                "INSERT INTO stix_audience_groups (collection_id, object_id, group_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (collection_id, object_id, group_id) DO NOTHING",
                &self.groups,
            ),
            (
                "INSERT INTO stix_audience_users (collection_id, object_id, user_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (collection_id, object_id, user_id) DO NOTHING",
                &self.users,
            ),
        ]
    }
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
    /// The TLP level it is shared under (`tlp_2_0` code).
    pub tlp: String,
    /// Whether other members are not to see who shared it.
    pub anonymous: bool,
    /// The object's JSON as kept.
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
    /// The TLP level it is shared under.
    pub tlp: String,
    /// The organisation that shared it.
    pub added_by_org: Uuid,
    /// Whether other members are not to see who shared it.
    pub anonymous: bool,
    /// When the collection received it.
    pub added_at: DateTime<Utc>,
    /// The JSON.
    pub body: String,
}

/// Which versions of each object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Versions {
    /// Every version.
    #[default]
    All,
    /// The newest the reader may see.
    Last,
    /// The oldest the reader may see.
    First,
    /// These versions.
    Exactly(Vec<String>),
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
    /// Only these spec versions (empty: all).
    pub spec_versions: Vec<String>,
    /// Which versions.
    pub versions: Versions,
    /// Only those after this place (the last `seq` of the previous page; 0 for the first).
    pub after_seq: i64,
    /// At most this many.
    pub limit: i64,
    /// The most recently added first (for people; `after_seq` then does not apply).
    pub newest_first: bool,
}

/// An object version found by value, with the collection it is in.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundObject {
    /// The collection.
    pub collection_id: Uuid,
    /// The collection's title.
    pub collection_title: String,
    /// The object.
    #[sqlx(flatten)]
    pub object: StoredObject,
}

/// The outcome of a TAXII envelope's submission, kept so that the client can ask for it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionStatus {
    /// Its id.
    pub id: Uuid,
    /// The collection written to.
    pub collection_id: Uuid,
    /// When the request arrived.
    pub request_timestamp: DateTime<Utc>,
    /// How many objects the envelope held.
    pub total_count: i64,
    /// The objects kept (JSON array of `{id, version, message}`).
    pub successes: String,
    /// The objects refused, with why (JSON array of `{id, version, message}`).
    pub failures: String,
}

/// Whether organisation `$1` holds `right` (`can_read` or `can_write`) on collection `c` through
/// a grant: its own, or one to a group it is a member of.
fn granted(right: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM collection_grants g WHERE g.collection_id = c.id AND g.org_id = $1 AND g.{right}) \
         OR EXISTS (SELECT 1 FROM collection_group_grants gg JOIN sharing_group_members m ON m.group_id = gg.group_id \
             WHERE gg.collection_id = c.id AND m.org_id = $1 AND gg.{right}))"
    )
}

/// The organisations granted reading of each collection (`collection_id`, `org_id`), directly or
/// as members of a group granted it; the keeper is not among them.
pub(crate) const MEMBERS: &str = "(SELECT collection_id, org_id FROM collection_grants WHERE can_read \
     UNION SELECT gg.collection_id, m.org_id FROM collection_group_grants gg \
         JOIN sharing_group_members m ON m.group_id = gg.group_id WHERE gg.can_read)";

/// Whether organisation `$1` may read collection `c`: it keeps it, or was granted reading.
pub(crate) fn reads_collection() -> String {
    format!("(c.org_id = $1 OR {})", granted("can_read"))
}

/// What organisation `$1` may do with collection `c`: keep it, or a grant to it or its groups.
fn reach() -> String {
    let read = reads_collection();
    let write = format!("(c.org_id = $1 OR {})", granted("can_write"));
    format!(
        "SELECT c.id, c.org_id, c.title, c.description, c.default_tlp, c.created_at, \
         {read} AS can_read, {write} AS can_write FROM collections c WHERE ({read} OR {write})"
    )
}

/// Whether reader `$1` (organisation) / `$2` (person) may see object version `o` of collection
/// `c`: the one statement of TLP 2.0's audiences, used by every read. CLEAR and GREEN reach every
/// reader of the collection; AMBER and AMBER+STRICT the sharer's organisation, the keeper and the
/// organisations named, and AMBER also the members of the groups named; RED the person who
/// shared it and the people named, no one else.
fn visible(o: &str) -> String {
    format!(
        "({o}.tlp IN ('clear', 'green') \
         OR ({o}.tlp IN ('amber', 'amber+strict') AND ({o}.added_by_org = $1 OR c.org_id = $1 \
             OR EXISTS (SELECT 1 FROM stix_audience_orgs ao WHERE ao.collection_id = {o}.collection_id \
                 AND ao.object_id = {o}.object_id AND ao.org_id = $1) \
             OR ({o}.tlp = 'amber' AND EXISTS (SELECT 1 FROM stix_audience_groups ag \
                 JOIN sharing_group_members gm ON gm.group_id = ag.group_id \
                 WHERE ag.collection_id = {o}.collection_id AND ag.object_id = {o}.object_id \
                 AND gm.org_id = $1)))) \
         OR ({o}.tlp = 'red' AND ({o}.added_by_user = $2 \
             OR EXISTS (SELECT 1 FROM stix_audience_users au WHERE au.collection_id = {o}.collection_id \
                 AND au.object_id = {o}.object_id AND au.user_id = $2))))"
    )
}

/// The columns of a [`StoredObject`] of `o`.
const OBJECT_COLUMNS: &str = "o.seq, o.object_id, o.object_type, o.version, o.spec_version, o.tlp, \
     o.added_by_org, o.anonymous, o.added_at, o.body";

/// Keeps `o` only if it is the newest (`>`) or oldest (`<`) version of its object the reader may
/// see: a newer one it may not see does not hide the one it may.
fn edge_version(op: &str) -> String {
    format!(
        " AND NOT EXISTS (SELECT 1 FROM stix_objects n WHERE n.collection_id = o.collection_id \
         AND n.object_id = o.object_id AND n.version {op} o.version AND {})",
        visible("n")
    )
}

impl Store {
    /// The newest versions the reader may see, in every collection its organisation may read,
    /// whose JSON contains `needle` (compared in lower case), most recently added first: the
    /// candidates of a search by value, which the caller confirms by reading each.
    pub async fn search_objects(
        &self,
        reader: Reader,
        needle: &str,
        limit: i64,
    ) -> Result<Vec<FoundObject>> {
        let escaped = needle
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let sql = format!(
            "SELECT c.id AS collection_id, c.title AS collection_title, {OBJECT_COLUMNS} \
             FROM stix_objects o JOIN collections c ON c.id = o.collection_id \
             WHERE {} AND {} {} \
             AND LOWER(o.body) LIKE $3 ESCAPE '\\' ORDER BY o.added_at DESC LIMIT $4",
            reads_collection(),
            visible("o"),
            edge_version(">")
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(reader.org_id)
        .bind(reader.user_id)
        .bind(format!("%{escaped}%"))
        .bind(limit.clamp(1, 1000))
        .fetch_all(p)
        .await?))
    }

    /// Makes a collection kept by the context's organisation; objects shared into it without a
    /// TLP marking take `default_tlp`.
    pub async fn create_collection(
        &self,
        ctx: &Ctx,
        title: &str,
        description: &str,
        default_tlp: &str,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO collections (id, org_id, title, description, default_tlp, next_seq, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(title)
            .bind(description)
            .bind(default_tlp)
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
                    json!({"title": title, "default_tlp": default_tlp})
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

    /// The organisations granted a collection the organisation keeps: (organisation, read, write).
    pub async fn collection_grants(
        &self,
        org_id: Uuid,
        collection_id: Uuid,
    ) -> Result<Vec<(Uuid, bool, bool)>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT g.org_id, g.can_read, g.can_write FROM collection_grants g \
             JOIN collections c ON c.id = g.collection_id \
             WHERE g.collection_id = $1 AND c.org_id = $2 AND (g.can_read OR g.can_write) ORDER BY g.org_id"
        )
        .bind(collection_id)
        .bind(org_id)
        .fetch_all(p)
        .await?
        }))
    }

    /// The collections an organisation reaches, by title.
    pub async fn collections(&self, org_id: Uuid) -> Result<Vec<Collection>> {
        let sql = format!("{} ORDER BY c.title, c.id", reach());
        Ok(on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }

    /// One collection the organisation reaches; not found otherwise.
    pub async fn collection(&self, org_id: Uuid, id: Uuid) -> Result<Collection> {
        let sql = format!("{} AND c.id = $2", reach());
        let row: Option<Collection> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(p)
        .await?);
        row.ok_or(StoreError::NotFound)
    }

    /// Adds objects, each with its audience, to a collection the context's organisation may
    /// write, in one transaction; for each, whether it was new (a version already kept is not
    /// added again, nor its audience changed). Not found when the organisation may not write.
    pub async fn add_objects(
        &self,
        ctx: &Ctx,
        collection_id: Uuid,
        objects: &[(NewObject, Audience)],
    ) -> Result<Vec<bool>> {
        let mut added = Vec::with_capacity(objects.len());
        let check = format!("{} AND c.id = $2", reach());
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
            let (mut seq, last): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
                "UPDATE collections SET next_seq = next_seq WHERE id = $1 RETURNING next_seq, last_added_at",
            )
            .bind(collection_id)
            .fetch_one(&mut *tx)
            .await?;
            // Every object gets its own date_added, later than any before it in the collection.
            let tick = chrono::Duration::microseconds(1);
            let mut at = last.map_or(ctx.now, |l| ctx.now.max(l + tick));
            let mut new = 0;
            for (o, audience) in objects {
                let inserted = sqlx::query(
                    "INSERT INTO stix_objects (collection_id, seq, object_id, object_type, version, spec_version, added_at, added_by_org, body, tlp, added_by_user, anonymous) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (collection_id, object_id, version) DO NOTHING",
                )
                .bind(collection_id)
                .bind(seq)
                .bind(&o.object_id)
                .bind(&o.object_type)
                .bind(&o.version)
                .bind(&o.spec_version)
                .bind(at)
                .bind(ctx.org_id)
                .bind(&o.body)
                .bind(&o.tlp)
                .bind(ctx.actor_id)
                .bind(o.anonymous)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if inserted {
                    for (insert, ids) in audience.rows() {
                        for id in ids {
                            sqlx::query(insert)
                                .bind(collection_id)
                                .bind(&o.object_id)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                    seq += 1;
                    new += 1;
                    at += tick;
                }
                added.push(inserted);
            }
            sqlx::query("UPDATE collections SET next_seq = $1, last_added_at = $2 WHERE id = $3")
                .bind(seq)
                .bind((new > 0).then_some(at - tick).or(last))
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

    /// A page of the object versions of a collection that the reader may see, in the order they
    /// were added, and whether more follow. Not found when it may not read the collection.
    pub async fn collection_objects(
        &self,
        reader: Reader,
        collection_id: Uuid,
        f: &ObjectFilter,
    ) -> Result<(Vec<StoredObject>, bool)> {
        if !self
            .collection(reader.org_id, collection_id)
            .await?
            .can_read
        {
            return Err(StoreError::NotFound);
        }
        let mut sql = format!(
            "SELECT {OBJECT_COLUMNS} FROM stix_objects o JOIN collections c ON c.id = o.collection_id \
             WHERE o.collection_id = $3 AND o.seq > $4 AND {}",
            visible("o")
        );
        let mut n = 5;
        let mut mark = |sql: &mut String, what: &str| {
            sql.push_str(&format!("{what}${n}"));
            n += 1;
        };
        if f.added_after.is_some() {
            mark(&mut sql, " AND o.added_at > ");
        }
        let exact = match &f.versions {
            Versions::Exactly(v) => v.as_slice(),
            _ => &[],
        };
        for (column, values) in [
            ("o.object_id", &f.ids[..]),
            ("o.object_type", &f.types[..]),
            ("o.spec_version", &f.spec_versions[..]),
            ("o.version", exact),
        ] {
            if !values.is_empty() {
                sql.push_str(&format!(" AND {column} IN ("));
                for (i, _) in values.iter().enumerate() {
                    mark(&mut sql, if i == 0 { "" } else { ", " });
                }
                sql.push(')');
            }
        }
        match f.versions {
            Versions::Last => sql.push_str(&edge_version(">")),
            Versions::First => sql.push_str(&edge_version("<")),
            _ => {}
        }
        // One more than asked tells whether another page follows.
        let order = if f.newest_first { "DESC" } else { "ASC" };
        mark(&mut sql, &format!(" ORDER BY o.seq {order} LIMIT "));
        let limit = f.limit.max(1);
        let mut rows: Vec<StoredObject> = on_db!(&self.db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(reader.org_id)
                .bind(reader.user_id)
                .bind(collection_id)
                .bind(if f.newest_first { 0 } else { f.after_seq });
            if let Some(at) = f.added_after {
                q = q.bind(at);
            }
            for v in f
                .ids
                .iter()
                .chain(&f.types)
                .chain(&f.spec_versions)
                .chain(exact)
            {
                q = q.bind(v);
            }
            q.bind(limit + 1).fetch_all(p).await?
        });
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }

    /// Deletes the versions of an object that the context's organisation shared, or all of them
    /// when it keeps the collection (`versions` as in a filter; none: all); how many went. Not
    /// found when it may not write to the collection.
    pub async fn delete_object(
        &self,
        ctx: &Ctx,
        collection_id: Uuid,
        object_id: &str,
        versions: &Versions,
    ) -> Result<u64> {
        let check = format!("{} AND c.id = $2", reach());
        let gone = write_tx!(&self.db, |tx| {
            let c: Option<Collection> = sqlx::query_as(sqlx::AssertSqlSafe(check.clone()))
                .bind(ctx.org_id)
                .bind(collection_id)
                .fetch_optional(&mut *tx)
                .await?;
            let c = c.filter(|c| c.can_write).ok_or(StoreError::NotFound)?;
            let mut sql = String::from(
                "DELETE FROM stix_objects WHERE collection_id = $1 AND object_id = $2 \
                 AND (added_by_org = $3 OR $4)",
            );
            let exact = match versions {
                Versions::Exactly(v) => v.as_slice(),
                _ => &[],
            };
            if !exact.is_empty() {
                sql.push_str(" AND version IN (");
                for i in 0..exact.len() {
                    sql.push_str(&format!("{}${}", if i == 0 { "" } else { ", " }, i + 5));
                }
                sql.push(')');
            }
            let edge = match versions {
                Versions::Last => Some("MAX"),
                Versions::First => Some("MIN"),
                _ => None,
            };
            if let Some(f) = edge {
                sql.push_str(&format!(
                    " AND version = (SELECT {f}(version) FROM stix_objects WHERE collection_id = $1 AND object_id = $2)"
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(collection_id)
                .bind(object_id)
                .bind(ctx.org_id)
                .bind(c.org_id == ctx.org_id);
            for v in exact {
                q = q.bind(v);
            }
            let gone = q.execute(&mut *tx).await?.rows_affected();
            if gone > 0 {
                let (left,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM stix_objects WHERE collection_id = $1 AND object_id = $2",
                )
                .bind(collection_id)
                .bind(object_id)
                .fetch_one(&mut *tx)
                .await?;
                if left == 0 {
                    for table in [
                        "stix_audience_orgs",
                        "stix_audience_groups",
                        "stix_audience_users",
                    ] {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DELETE FROM {table} WHERE collection_id = $1 AND object_id = $2"
                        )))
                        .bind(collection_id)
                        .bind(object_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                append_audit!(
                    self,
                    tx,
                    ctx.event_on(
                        c.org_id,
                        "collection.delete",
                        "collection",
                        collection_id,
                        json!({"object": object_id, "versions": gone})
                    ),
                    ctx.now
                );
            }
            gone
        });
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(gone)
    }

    /// Keeps the status of an envelope's submission by the context's organisation.
    pub async fn save_status(&self, ctx: &Ctx, status: &SubmissionStatus) -> Result<()> {
        on_db!(&self.db, |p| {
            sqlx::query(
            "INSERT INTO taxii_statuses (id, org_id, collection_id, request_timestamp, total_count, successes, failures) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(status.id)
        .bind(ctx.org_id)
        .bind(status.collection_id)
        .bind(status.request_timestamp)
        .bind(status.total_count)
        .bind(&status.successes)
        .bind(&status.failures)
        .execute(p)
        .await
        .map(|_| ())?
        });
        Ok(())
    }

    /// The status of a submission by the organisation; not found for another's.
    pub async fn submission_status(&self, org_id: Uuid, id: Uuid) -> Result<SubmissionStatus> {
        let row: Option<(Uuid, Uuid, DateTime<Utc>, i64, String, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT id, collection_id, request_timestamp, total_count, successes, failures \
                 FROM taxii_statuses WHERE id = $1 AND org_id = $2",
            )
            .bind(id)
            .bind(org_id)
            .fetch_optional(p)
            .await?
        });
        let (id, collection_id, request_timestamp, total_count, successes, failures) =
            row.ok_or(StoreError::NotFound)?;
        Ok(SubmissionStatus {
            id,
            collection_id,
            request_timestamp,
            total_count,
            successes,
            failures,
        })
    }
}
