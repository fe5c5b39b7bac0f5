//! The demo's medical ISAC: it keeps a shared collection that its group of full members, the
//! demo hospital among them, reads and writes,
//! with a few indicators in it, and an alert about the VPN appliance model the hospital's ledger
//! holds, so that the hospital's dashboard shows the alert with its affected device. The hospital
//! has seen one of the indicators too.

use super::client::{Client, field, id_of};
use serde_json::json;

/// Enters the ISAC's collection, indicators and alert, and the hospital's sighting.
pub async fn load(
    isac: &Client,
    hospital: &Client,
    hospital_org: uuid::Uuid,
) -> anyhow::Result<()> {
    let collection = id_of(
        &isac
            .json(
                "POST",
                "/api/v1/sharing/collections",
                json!({"title": "医療ISAC 指標共有(デモ)", "description": "会員医療機関の間で攻撃の痕跡を共有します。", "default_tlp": "green"}),
            )
            .await?,
    )?;
    let members = id_of(
        &isac
            .json(
                "POST",
                "/api/v1/sharing/groups",
                json!({"name": "正会員(デモ)"}),
            )
            .await?,
    )?;
    isac.json(
        "PUT",
        &format!("/api/v1/sharing/groups/{members}/members/{hospital_org}"),
        json!({}),
    )
    .await?;
    isac.json(
        "PUT",
        &format!("/api/v1/sharing/collections/{collection}/group-grants/{members}"),
        json!({"can_read": true, "can_write": true}),
    )
    .await?;
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let indicator = |n: u32, name: &str, pattern: &str| {
        json!({
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--{}", uuid::Uuid::new_v4()),
            "created": now, "modified": now, "name": name, "valid_from": now,
            "indicator_types": ["malicious-activity"], "pattern": pattern, "pattern_type": "stix",
            "description": format!("会員病院からの報告 {n}"),
        })
    };
    let objects = vec![
        indicator(
            1,
            "ランサムウェアの C2 サーバ",
            "[ipv4-addr:value = '203.0.113.45']",
        ),
        indicator(
            2,
            "フィッシングサイト(医療機関向け偽ログイン)",
            "[domain-name:value = 'login-medical-portal.example']",
        ),
        indicator(
            3,
            "VPN 装置への不正ログイン元",
            "[ipv4-addr:value = '198.51.100.77']",
        ),
    ];
    let first = objects.first().map(id_of).transpose()?.unwrap_or_default();
    isac.json(
        "POST",
        &format!("/api/v1/sharing/collections/{collection}/objects"),
        json!({"objects": objects}),
    )
    .await?;
    isac.json(
        "POST",
        "/api/v1/sharing/alerts",
        json!({
            "collection_id": collection, "severity": "critical",
            "title": "FortiOS SSL-VPN の既知の脆弱性の悪用について",
            "summary": "FortiOS の SSL-VPN の脆弱性を悪用した侵入が医療機関で確認されています。",
            "actions": "1. ファームウェアを修正版に更新する\n2. VPN のログで不審な接続元を確認する\n3. 管理画面をインターネットに公開しない",
            "affected": [{"vendor": "Fortinet", "product": "FortiOS", "fixed_in": "7.0.14"}],
            "due_on": (chrono::Utc::now() + chrono::Duration::days(14)).format("%Y-%m-%d").to_string(),
        }),
    )
    .await?;
    let seen = hospital
        .json(
            "POST",
            &format!("/api/v1/sharing/collections/{collection}/sightings"),
            json!({"indicator": first, "count": 2}),
        )
        .await?;
    anyhow::ensure!(field(&seen, "success_count") == 1, "sighting: {seen}");
    Ok(())
}
