//! The device ledger with its history and reviews, and the vulnerability data an organisation
//! imported, with its decisions on findings.

use crate::audit::append_audit;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mamori_domain::register::{Device, DeviceKind};
use mamori_domain::vuln::{Vulnerability, merge};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A device of the ledger as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDevice {
    /// Its id.
    pub id: Uuid,
    /// The device.
    pub device: Device,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Last changed by.
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: Uuid,
    kind: String,
    name: String,
    location: String,
    owner: String,
    system: String,
    vendor: String,
    product: String,
    version: String,
    internet_facing: bool,
    support_end: Option<NaiveDate>,
    last_patch: Option<NaiveDate>,
    cpe: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl TryFrom<DeviceRow> for StoredDevice {
    type Error = StoreError;
    fn try_from(r: DeviceRow) -> std::result::Result<Self, StoreError> {
        Ok(StoredDevice {
            id: r.id,
            device: Device {
                kind: DeviceKind::from_code(&r.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("device kind {}", r.kind)))?,
                name: r.name,
                location: r.location,
                owner: r.owner,
                system: r.system,
                vendor: r.vendor,
                product: r.product,
                version: r.version,
                internet_facing: r.internet_facing,
                support_end: r.support_end,
                last_patch: r.last_patch,
                cpe: r.cpe,
            },
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        })
    }
}

/// One change of a device (who changed what).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RowChange {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// `add`, `update`, `import` or `remove`.
    pub action: String,
    /// The device before (JSON), or empty.
    pub before: String,
    /// The device after (JSON), or empty.
    pub after: String,
}

/// A review of a register (棚卸し): who confirmed it, when, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegisterReview {
    /// The day.
    pub reviewed_on: NaiveDate,
    /// By whom.
    pub reviewed_by: String,
    /// What was found or removed.
    pub note: String,
}

/// A person's decision on a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingDecision {
    /// The risk is accepted (or the device is not affected), with the reason.
    Accepted(String),
    /// Closed by a patch applied on that day.
    Patched(NaiveDate),
}

/// A stored decision on (device, CVE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    /// The device.
    pub device_id: Uuid,
    /// The CVE.
    pub cve: String,
    /// The decision.
    pub decision: FindingDecision,
    /// Decided by, at.
    pub decided_by: String,
    /// When.
    pub decided_at: DateTime<Utc>,
}

/// device, CVE, status, reason, patched on, decided at, decided by.
type DecisionRow = (
    Uuid,
    String,
    String,
    String,
    Option<NaiveDate>,
    DateTime<Utc>,
    String,
);

const DEVICE_COLUMNS: &str = "id, kind, name, location, owner, system, vendor, product, version, internet_facing, support_end, last_patch, cpe, updated_at, updated_by";

/// Writes one device row (insert or update by id) with its history entry and audit record.
macro_rules! put_device {
    ($tx:ident, $ctx:expr, $id:expr, $d:expr, $action:expr, $before:expr) => {{
        let d: &Device = $d;
        sqlx::query(
            "INSERT INTO devices (id, org_id, kind, name, location, owner, system, vendor, product, version, internet_facing, support_end, last_patch, cpe, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (id) DO UPDATE SET kind = $3, name = $4, location = $5, owner = $6, system = $7, vendor = $8, \
             product = $9, version = $10, internet_facing = $11, support_end = $12, last_patch = $13, cpe = $14, updated_at = $15, updated_by = $16",
        )
        .bind($id)
        .bind($ctx.org_id)
        .bind(d.kind.code())
        .bind(&d.name)
        .bind(&d.location)
        .bind(&d.owner)
        .bind(&d.system)
        .bind(&d.vendor)
        .bind(&d.product)
        .bind(&d.version)
        .bind(d.internet_facing)
        .bind(d.support_end)
        .bind(d.last_patch)
        .bind(&d.cpe)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .execute(&mut *$tx)
        .await
        .map_err(|e| StoreError::unique(e, "device name"))?;
        let before: Option<&Device> = $before;
        let before = before.map(|b| json!(b).to_string()).unwrap_or_default();
        sqlx::query(
            "INSERT INTO device_history (id, org_id, device_id, at, actor, action, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::new_v4())
        .bind($ctx.org_id)
        .bind($id)
        .bind($ctx.now)
        .bind(&$ctx.actor_label)
        .bind($action)
        .bind(&before)
        .bind(json!(d).to_string())
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    /// The device ledger, by name.
    pub async fn devices(&self, org_id: Uuid) -> Result<Vec<StoredDevice>> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 ORDER BY name");
        let rows: Vec<DeviceRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(StoredDevice::try_from).collect()
    }

    /// The ledger's figures counted by the database: devices, reachable from the internet, past
    /// their end of support on `today`, and without a patch since `patched_since` (or ever).
    pub async fn device_counts(
        &self,
        org_id: Uuid,
        today: chrono::NaiveDate,
        patched_since: chrono::NaiveDate,
    ) -> Result<crate::DeviceCounts> {
        let (total, internet_facing, unsupported, stale_patch): (i64, i64, i64, i64) = on_db!(
            &self.db,
            |p| {
                sqlx::query_as(
                "SELECT COUNT(*), \
                 COALESCE(SUM(CASE WHEN internet_facing THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN support_end < $2 THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN last_patch IS NULL OR last_patch < $3 THEN 1 ELSE 0 END), 0) \
                 FROM devices WHERE org_id = $1"
            )
            .bind(org_id)
            .bind(today)
            .bind(patched_since)
            .fetch_one(p)
            .await?
            }
        );
        let n = |v: i64| usize::try_from(v).unwrap_or(0);
        Ok(crate::DeviceCounts {
            total: n(total),
            internet_facing: n(internet_facing),
            unsupported: n(unsupported),
            stale_patch: n(stale_patch),
        })
    }

    /// The devices reachable from outside: flagged internet-facing, or named here (the
    /// entrances of remote lines), in name order.
    pub async fn exposed_devices(
        &self,
        org_id: Uuid,
        entrances: &[String],
    ) -> Result<Vec<StoredDevice>> {
        // Two searches joined rather than one OR, and no ORDER BY: either makes the planner walk
        // the whole ledger in name order. Each side finds its few devices by an index; they are
        // put in name order here.
        let named = if entrances.is_empty() {
            String::new()
        } else {
            format!(
                " UNION SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 AND name IN ({})",
                crate::db::marks_from(2, entrances.len())
            )
        };
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 AND internet_facing = TRUE{named}"
        );
        let rows: Vec<DeviceRow> = on_db!(&self.db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org_id);
            for name in entrances {
                q = q.bind(name);
            }
            q.fetch_all(p).await?
        });
        let mut devices = rows
            .into_iter()
            .map(StoredDevice::try_from)
            .collect::<Result<Vec<_>>>()?;
        devices.sort_by(|a, b| a.device.name.cmp(&b.device.name));
        Ok(devices)
    }

    /// A page of the ledger in name order (`offset` devices skipped, at most `limit`), and how
    /// many devices the ledger holds.
    pub async fn devices_page(
        &self,
        org_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<StoredDevice>, i64)> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 ORDER BY name LIMIT $2 OFFSET $3"
        );
        let rows: Vec<DeviceRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?);
        let (total,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(
            "SELECT COUNT(*) FROM devices WHERE org_id = $1"
        )
        .bind(org_id)
        .fetch_one(p)
        .await?);
        let page = rows
            .into_iter()
            .map(StoredDevice::try_from)
            .collect::<Result<_>>()?;
        Ok((page, total))
    }

    /// One device.
    pub async fn device(&self, org_id: Uuid, id: Uuid) -> Result<StoredDevice> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE org_id = $1 AND id = $2");
        let row: Option<DeviceRow> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// Adds a device (`id` None) or changes one. A name already in the ledger is a conflict.
    pub async fn save_device(&self, ctx: &Ctx, id: Option<Uuid>, d: &Device) -> Result<Uuid> {
        let before = match id {
            Some(id) => Some(self.device(ctx.org_id, id).await?.device),
            None => None,
        };
        let target = id.unwrap_or_else(Uuid::new_v4);
        let action = if id.is_some() { "update" } else { "add" };
        write_tx!(&self.db, |tx| {
            put_device!(tx, ctx, target, d, action, before.as_ref());
            append_audit!(
                self,
                tx,
                ctx.event(&format!("device.{action}"), "device", target, json!(d)),
                ctx.now
            );
        });
        Ok(target)
    }

    /// Imports a table of devices in one transaction: rows whose name is in the ledger update that
    /// device, others are added. Returns (added, updated).
    pub async fn import_devices(&self, ctx: &Ctx, devices: &[Device]) -> Result<(usize, usize)> {
        let existing: HashMap<String, StoredDevice> = self
            .devices(ctx.org_id)
            .await?
            .into_iter()
            .map(|d| (d.device.name.clone(), d))
            .collect();
        let (mut added, mut updated) = (0, 0);
        write_tx!(&self.db, |tx| {
            for d in devices {
                match existing.get(&d.name) {
                    Some(old) if old.device == *d => {}
                    Some(old) => {
                        put_device!(tx, ctx, old.id, d, "import", Some(&old.device));
                        updated += 1;
                    }
                    None => {
                        put_device!(tx, ctx, Uuid::new_v4(), d, "import", None);
                        added += 1;
                    }
                }
            }
            append_audit!(
                self,
                tx,
                ctx.event(
                    "device.import",
                    "device",
                    "ledger",
                    json!({"rows": devices.len(), "added": added, "updated": updated})
                ),
                ctx.now
            );
        });
        Ok((added, updated))
    }

    /// Removes a device (its history stays).
    pub async fn remove_device(&self, ctx: &Ctx, id: Uuid) -> Result<()> {
        let before = self.device(ctx.org_id, id).await?;
        write_tx!(&self.db, |tx| {
            sqlx::query("DELETE FROM devices WHERE org_id = $1 AND id = $2")
                .bind(ctx.org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO device_history (id, org_id, device_id, at, actor, action, before, after) VALUES ($1, $2, $3, $4, $5, 'remove', $6, '')",
            )
            .bind(Uuid::new_v4())
            .bind(ctx.org_id)
            .bind(id)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .bind(json!(before.device).to_string())
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event("device.remove", "device", id, json!(before.device)),
                ctx.now
            );
        });
        Ok(())
    }

    /// A device's history, newest first.
    pub async fn device_history(&self, org_id: Uuid, id: Uuid) -> Result<Vec<RowChange>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT at, actor, action, before, after FROM device_history WHERE org_id = $1 AND device_id = $2 ORDER BY at DESC"
        )
        .bind(org_id)
        .bind(id)
        .fetch_all(p)
        .await?
        }))
    }

    /// Records a review of a register (e.g. `devices`).
    pub async fn record_review(
        &self,
        ctx: &Ctx,
        register: &str,
        on: NaiveDate,
        note: &str,
    ) -> Result<()> {
        let id = Uuid::new_v4();
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO register_reviews (id, org_id, register, reviewed_on, reviewed_by, note) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(ctx.org_id)
            .bind(register)
            .bind(on)
            .bind(&ctx.actor_label)
            .bind(note)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event(
                    "register.review",
                    "register",
                    register,
                    json!({"on": on, "note": note})
                ),
                ctx.now
            );
        });
        Ok(())
    }

    /// The reviews of a register, newest first.
    pub async fn reviews(&self, org_id: Uuid, register: &str) -> Result<Vec<RegisterReview>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT reviewed_on, reviewed_by, note FROM register_reviews WHERE org_id = $1 AND register = $2 ORDER BY reviewed_on DESC"
        )
        .bind(org_id)
        .bind(register)
        .fetch_all(p)
        .await?
        }))
    }

    /// The newest review of each register of the organisation that has one, by register, in one
    /// query.
    pub async fn latest_reviews(&self, org_id: Uuid) -> Result<HashMap<String, RegisterReview>> {
        let rows: Vec<(String, NaiveDate, String, String)> = on_db!(&self.db, |p| {
            sqlx::query_as(
                "SELECT register, reviewed_on, reviewed_by, note FROM register_reviews WHERE org_id = $1 \
                 ORDER BY register, reviewed_on DESC",
            )
            .bind(org_id)
            .fetch_all(p)
            .await?
        });
        let mut out = HashMap::new();
        for (register, reviewed_on, reviewed_by, note) in rows {
            out.entry(register).or_insert(RegisterReview {
                reviewed_on,
                reviewed_by,
                note,
            });
        }
        Ok(out)
    }

    /// Imports vulnerability records, merging each with what the organisation already holds for
    /// the same CVE, in one transaction. Returns how many CVEs are new.
    pub async fn import_vulnerabilities(
        &self,
        ctx: &Ctx,
        records: &[Vulnerability],
    ) -> Result<usize> {
        let known: HashMap<String, Vulnerability> = self
            .vulnerabilities(ctx.org_id)
            .await?
            .into_iter()
            .map(|v| (v.cve.clone(), v))
            .collect();
        let mut new = 0;
        write_tx!(&self.db, |tx| {
            for r in records {
                let v = match known.get(&r.cve) {
                    Some(old) => merge(old, r),
                    None => {
                        new += 1;
                        r.clone()
                    }
                };
                let record =
                    serde_json::to_string(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO vulnerabilities (org_id, cve, record, kev, imported_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (org_id, cve) DO UPDATE SET record = $3, kev = $4, imported_at = $5",
                )
                .bind(ctx.org_id)
                .bind(&v.cve)
                .bind(&record)
                .bind(v.kev.is_some())
                .bind(ctx.now)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                self,
                tx,
                ctx.event(
                    "vulnerability.import",
                    "vulnerabilities",
                    "feed",
                    json!({"records": records.len(), "new": new})
                ),
                ctx.now
            );
        });
        Ok(new)
    }

    /// The vulnerability records an organisation holds.
    pub async fn vulnerabilities(&self, org_id: Uuid) -> Result<Vec<Vulnerability>> {
        self.vulnerabilities_where(org_id, "").await
    }

    /// The organisation's vulnerability records that are in CISA's KEV catalog.
    pub async fn kev_vulnerabilities(&self, org_id: Uuid) -> Result<Vec<Vulnerability>> {
        self.vulnerabilities_where(org_id, " AND kev = TRUE").await
    }

    async fn vulnerabilities_where(
        &self,
        org_id: Uuid,
        condition: &'static str,
    ) -> Result<Vec<Vulnerability>> {
        let sql =
            format!("SELECT record FROM vulnerabilities WHERE org_id = $1{condition} ORDER BY cve");
        let rows: Vec<(String,)> = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(org_id)
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|(r,)| {
                serde_json::from_str(&r)
                    .map_err(|e| StoreError::Corrupt(format!("vulnerability: {e}")))
            })
            .collect()
    }

    /// Records a decision on a finding (replacing an earlier one).
    pub async fn decide_finding(
        &self,
        ctx: &Ctx,
        device_id: Uuid,
        cve: &str,
        decision: &FindingDecision,
    ) -> Result<()> {
        self.device(ctx.org_id, device_id).await?;
        let (status, reason, patched_on) = match decision {
            FindingDecision::Accepted(r) => ("accepted", r.clone(), None),
            FindingDecision::Patched(d) => ("patched", String::new(), Some(*d)),
        };
        write_tx!(&self.db, |tx| {
            sqlx::query(
                "INSERT INTO finding_decisions (org_id, device_id, cve, status, reason, patched_on, decided_at, decided_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id, device_id, cve) \
                 DO UPDATE SET status = $4, reason = $5, patched_on = $6, decided_at = $7, decided_by = $8",
            )
            .bind(ctx.org_id)
            .bind(device_id)
            .bind(cve)
            .bind(status)
            .bind(&reason)
            .bind(patched_on)
            .bind(ctx.now)
            .bind(&ctx.actor_label)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                self,
                tx,
                ctx.event("finding.decide", "device", device_id, json!({"cve": cve, "status": status, "reason": reason, "patched_on": patched_on})),
                ctx.now
            );
        });
        Ok(())
    }

    /// The decisions on findings of an organisation.
    pub async fn finding_decisions(&self, org_id: Uuid) -> Result<Vec<StoredDecision>> {
        let rows: Vec<DecisionRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT device_id, cve, status, reason, patched_on, decided_at, decided_by FROM finding_decisions WHERE org_id = $1"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?
        });
        rows.into_iter()
            .map(
                |(device_id, cve, status, reason, patched_on, decided_at, decided_by)| {
                    let decision = match (status.as_str(), patched_on) {
                        ("accepted", _) => FindingDecision::Accepted(reason),
                        ("patched", Some(d)) => FindingDecision::Patched(d),
                        _ => return Err(StoreError::Corrupt(format!("finding status {status}"))),
                    };
                    Ok(StoredDecision {
                        device_id,
                        cve,
                        decision,
                        decided_by,
                        decided_at,
                    })
                },
            )
            .collect()
    }
}
