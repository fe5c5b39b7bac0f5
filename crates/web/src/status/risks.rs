//! What an organisation is exposed to now, for the dashboard: known exploited flaws on the
//! devices reachable from outside.

use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::vuln::{Finding, VulnIndex, findings};
use mamori_store::StoredDevice;
use uuid::Uuid;

/// The names of the devices a remote connection reaches in through (a VPN appliance, a vendor's
/// gateway), from the remote connections register.
pub async fn entrances(state: &AppState, org_id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(state
        .store
        .ledger_rows(org_id, "remote_connections")
        .await?
        .into_iter()
        .filter_map(|r| r.row.get("device").cloned())
        .filter(|d| !d.is_empty())
        .collect())
}

/// Whether a device is reachable from outside: flagged internet-facing, or the entrance of a
/// remote line whatever its own flag says (Handa and Osaka came in that way).
pub fn exposed(d: &StoredDevice, entrances: &[String]) -> bool {
    d.device.internet_facing || entrances.contains(&d.device.name)
}

/// Flaws in CISA's KEV catalog on devices reachable from outside with no decision taken yet,
/// riskiest first. Only KEV records are read, so this stays cheap whatever else was imported.
pub async fn exposed_kev(state: &AppState, org_id: Uuid) -> Result<Vec<Finding>, AppError> {
    let entrances = entrances(state, org_id).await?;
    // Only the exposed devices are read, so a ledger of thousands of terminals costs nothing here.
    let devices: Vec<StoredDevice> = state.store.exposed_devices(org_id, &entrances).await?;
    if devices.is_empty() {
        return Ok(Vec::new());
    }
    let index = VulnIndex::new(state.store.kev_vulnerabilities(org_id).await?);
    let decisions = state.store.finding_decisions(org_id).await?;
    Ok(findings(
        devices
            .iter()
            .map(|d| (d.id, d.device.name.as_str(), true, d.device.identity())),
        &index,
    )
    .into_iter()
    .filter(|f| {
        f.kev
            && !decisions
                .iter()
                .any(|x| x.device_id == f.device_id && x.cve == f.cve)
    })
    .collect())
}
