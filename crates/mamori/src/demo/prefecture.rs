//! The demo's prefecture: it oversees Tokyo, keeps a roster of institutions there with the demo
//! hospital among them, and has received the hospital's checklists of last year and this year.

use super::client::{Client, field, id_of};
use serde_json::json;

/// The demo hospital's 医療機関コード.
const HOSPITAL_CODE: &str = "1312345678";

/// The roster the prefecture keeps, as its own spreadsheet names the columns.
const ROSTER: &str = "医療機関番号,施設名,施設種別,許可病床数,所在市区町村\n\
1312345678,守り市民病院(デモ),病院,200,新宿区\n\
1310000011,新宿中央クリニック(デモ),診療所,0,新宿区\n\
1310000029,西新宿歯科(デモ),歯科診療所,0,新宿区\n\
1340000017,まもり薬局 新宿店(デモ),薬局,,新宿区\n\
1310000037,中野記念病院(デモ),病院,120,中野区\n\
1310000045,中野駅前内科(デモ),診療所,19,中野区\n\
1310000053,渋谷こども病院(デモ),病院,80,渋谷区\n\
1340000025,渋谷ひまわり薬局(デモ),薬局,,渋谷区\n";

/// Sets the prefecture's jurisdiction (as the home organisation), imports its roster, and
/// submits the hospital's own checklists to it.
pub async fn load(
    home: &Client,
    prefecture: &Client,
    prefecture_org: uuid::Uuid,
) -> anyhow::Result<()> {
    home.json(
        "PUT",
        &format!("/api/v1/oversight/jurisdictions/{prefecture_org}"),
        json!({"scope": "prefecture", "prefecture": "13"}),
    )
    .await?;
    let mapping = json!({"code": "医療機関番号", "name": "施設名", "type": "施設種別",
        "beds": "許可病床数", "municipality": "所在市区町村"})
    .to_string();
    let imported = prefecture
        .upload(
            "/api/v1/oversight/roster",
            &[("mapping", &mapping)],
            "roster.csv",
            ROSTER.as_bytes(),
        )
        .await?;
    anyhow::ensure!(field(&imported, "imported") == 8, "roster: {imported}");
    let assessments = home.get("/api/v1/assessments").await?;
    let own: Vec<String> = assessments
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| {
            a.get("sheet")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|s| s.ends_with(".institution"))
        })
        .map(id_of)
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!own.is_empty(), "no institution sheet: {assessments}");
    for id in own {
        home.json(
            "POST",
            "/api/v1/oversight/submissions",
            json!({"authority_id": prefecture_org, "assessment_id": id,
                "institution_code": HOSPITAL_CODE, "municipality": "新宿区"}),
        )
        .await?;
    }
    Ok(())
}
