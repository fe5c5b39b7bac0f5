//! A 200-bed hospital in its second year with mamori, as its people would have entered it: last
//! year's checklist complete, this year's two-thirds answered with evidence and targets, vendor
//! sheets out (one answered), about sixty devices with an internet-facing VPN appliance that has
//! known exploited flaws, remote lines, vendors with their MDS/SDS, backups and a restore test, an
//! accounts review, a contact chart, a closed incident with its report and a running exercise.

use super::client::{Client, field, id_of};
use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

/// The people who enter the data.
pub struct Hands<'a> {
    /// The security manager (安全管理責任者), who keeps the registers and the checklist.
    pub manager: &'a Client,
    /// A nurse, who reports what she saw.
    pub nurse: &'a Client,
    /// The EMR vendor's contact, who answers the vendor sheet.
    pub vendor: &'a Client,
    /// The vendor's e-mail, to send the sheet to.
    pub vendor_email: &'a str,
    /// Today, Japan time.
    pub today: NaiveDate,
}

/// The KEV entries the demo's vulnerability data holds.
const KEV: &[u8] = include_bytes!("../../../../testdata/vuln/kev-slice.json");

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The first day of the fiscal year (April–March) that `d` falls in.
fn fiscal_start(d: NaiveDate) -> NaiveDate {
    let year = if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(d)
}

/// Loads the whole hospital.
pub async fn load(h: &Hands<'_>) -> anyhow::Result<()> {
    contacts(h).await.context("contact chart")?;
    devices(h).await.context("devices")?;
    registers(h).await.context("registers")?;
    accounts(h).await.context("accounts review")?;
    checklists(h).await.context("checklists")?;
    incidents(h).await.context("incidents")?;
    Ok(())
}

async fn contacts(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    m.json("POST", "/api/v1/contacts/standard", json!({}))
        .await?;
    for c in [
        json!({"group": "internal", "role": "医療情報システム安全管理責任者", "name": "管理 太郎", "organisation": "情報システム課", "phone": "内線2101", "phone_24h": "090-1234-5678", "email": "admin@demo.mamori.jp"}),
        json!({"group": "internal", "role": "システム運用担当者", "name": "運用 三郎", "organisation": "情報システム課", "phone": "内線2105", "phone_24h": "080-2345-6789 (夜間当番)"}),
        json!({"group": "internal", "role": "院長", "name": "院長 花子", "phone": "内線1001"}),
        json!({"group": "vendor", "role": "電子カルテ保守窓口", "organisation": "守りメディカルシステムズ", "system": "電子カルテ", "phone": "03-1234-5678", "phone_24h": "0120-123-456", "notes": "契約番号 MMS-2024-017 を伝える"}),
        json!({"group": "vendor", "role": "PACS 保守窓口", "organisation": "画像システムズ", "system": "PACS", "phone": "06-2345-6789"}),
    ] {
        m.json("POST", "/api/v1/contacts", c).await?;
    }
    m.json(
        "POST",
        "/api/v1/procedures",
        json!({"system": "電子カルテ", "steps": "1. 院内放送で電子カルテ停止を周知する\n2. 紙運用に切り替える(紙カルテ・伝票は各病棟の赤いファイル)\n3. 保守窓口(0120-123-456)へ連絡する\n4. バックアップ(オフラインLTO)からの復元は情報システム課が判断する"}),
    )
    .await?;
    Ok(())
}

async fn devices(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    let recent = day(h.today - Duration::days(40));
    let stale = day(h.today - Duration::days(500));
    let mut all = vec![
        json!({"kind": "network", "name": "VPN装置", "location": "サーバ室", "owner": "情報システム課", "system": "リモート保守", "vendor": "Fortinet", "product": "FortiGate 60F", "version": "6.4.5", "internet_facing": true, "last_patch": stale}),
        json!({"kind": "network", "name": "基幹スイッチ", "location": "サーバ室", "vendor": "Cisco", "product": "Catalyst 9300", "version": "17.9.4a", "last_patch": recent}),
        json!({"kind": "network", "name": "UTM", "location": "サーバ室", "vendor": "Yamaha", "product": "RTX1300", "version": "23.00.05", "internet_facing": true, "last_patch": recent}),
        json!({"kind": "server", "name": "電子カルテサーバ1", "location": "サーバ室", "system": "電子カルテ", "vendor": "守りメディカルシステムズ", "product": "MMS-EMR", "version": "5.2", "last_patch": recent}),
        json!({"kind": "server", "name": "電子カルテサーバ2", "location": "サーバ室", "system": "電子カルテ", "vendor": "守りメディカルシステムズ", "product": "MMS-EMR", "version": "5.2", "last_patch": recent}),
        json!({"kind": "server", "name": "PACSサーバ", "location": "サーバ室", "system": "PACS", "vendor": "画像システムズ", "product": "ImageBank", "version": "3.1", "last_patch": recent}),
        json!({"kind": "server", "name": "部門システムサーバ", "location": "サーバ室", "system": "検査・薬剤", "vendor": "Microsoft", "product": "Windows Server 2012 R2", "version": "6.3", "support_end": "2023-10-10", "last_patch": stale}),
        json!({"kind": "server", "name": "ファイルサーバ", "location": "サーバ室", "vendor": "Microsoft", "product": "Windows Server 2022", "last_patch": recent}),
        json!({"kind": "server", "name": "バックアップサーバ", "location": "サーバ室", "system": "バックアップ", "last_patch": recent}),
        json!({"kind": "medical", "name": "CT装置", "location": "放射線科", "system": "PACS", "vendor": "画像機器", "product": "CT-128", "support_end": "2025-03-31"}),
        json!({"kind": "medical", "name": "MRI装置", "location": "放射線科", "system": "PACS", "vendor": "画像機器", "product": "MR-3T"}),
        json!({"kind": "medical", "name": "生体情報モニタ(ICU)", "location": "ICU"}),
        json!({"kind": "iot", "name": "ナースコール制御盤", "location": "3階東病棟"}),
    ];
    for (ward, n) in [
        ("外来", 12),
        ("3階東病棟", 10),
        ("4階西病棟", 10),
        ("医事課", 6),
        ("薬剤部", 4),
    ] {
        for k in 1..=n {
            all.push(json!({"kind": "terminal", "name": format!("{ward}端末{k:02}"), "location": ward, "system": "電子カルテ", "vendor": "Microsoft", "product": "Windows 11", "version": "23H2", "last_patch": recent}));
        }
    }
    for d in all {
        m.json("POST", "/api/v1/registers/devices", d).await?;
    }
    m.upload(
        "/api/v1/vulnerabilities/import",
        &[],
        "known_exploited_vulnerabilities.json",
        KEV,
    )
    .await?;
    m.json(
        "POST",
        "/api/v1/registers/devices/review",
        json!({"note": "年次棚卸し: 廃棄した端末3台を削除、VPN装置のファームウェア更新が未実施"}),
    )
    .await?;
    Ok(())
}

async fn row(m: &Client, code: &str, fields: Value) -> anyhow::Result<String> {
    id_of(
        &m.json(
            "POST",
            &format!("/api/v1/registers/{code}"),
            json!({ "fields": fields }),
        )
        .await?,
    )
}

async fn registers(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    let reviewed = day(h.today - Duration::days(120));
    row(m, "remote_connections", json!({"name": "電子カルテ保守回線", "kind": "vendor_maintenance", "device": "VPN装置", "vendor": "守りメディカルシステムズ", "purpose": "障害対応・定期保守", "two_factor": "false", "always_on": "true", "approver": "情報システム課長", "last_review": reviewed})).await?;
    row(m, "remote_connections", json!({"name": "PACS 遠隔保守", "kind": "vpn", "device": "UTM", "vendor": "画像システムズ", "purpose": "画像サーバの保守", "two_factor": "true", "always_on": "false", "approver": "情報システム課長", "last_review": reviewed})).await?;
    let emr = row(m, "vendors", json!({"name": "守りメディカルシステムズ(電子カルテ)", "system": "電子カルテ", "contract_end": "2028-03-31", "responsibility": "平時: 月次パッチ適用と監視は事業者、アカウント管理は当院。障害時: 一次切り分けは当院、復旧作業は事業者。", "mds_version": "MDS 第2版", "mds_received": day(h.today - Duration::days(200)), "certifications": "ISMS", "certification_expiry": "2027-06-30", "sheet_status": "answered"})).await?;
    m.upload(
        &format!("/api/v1/registers/vendors/{emr}/files"),
        &[],
        "MDS_電子カルテ_第2版.pdf",
        b"%PDF-1.4\n% demo MDS\n",
    )
    .await?;
    row(m, "vendors", json!({"name": "画像システムズ(PACS)", "system": "PACS", "contract_end": "2027-03-31", "sheet_status": "sent"})).await?;
    row(m, "vendors", json!({"name": "給食委託(院内給食)", "system": "給食管理", "responsibility": "給食管理端末と院内ネットワークの接続点を台帳に載せること(委託先経由の侵入に注意)", "sheet_status": "not_sent"})).await?;
    row(m, "backups", json!({"name": "電子カルテDB", "method": "LTO テープ + イミュータブルなクラウド保管", "generations": "14", "offline": "true", "immutable": "true", "location": "別棟金庫・クラウド", "frequency": "毎日"})).await?;
    row(m, "backups", json!({"name": "PACS 画像", "method": "NAS 複製", "generations": "3", "offline": "false", "immutable": "false", "location": "サーバ室", "frequency": "毎週"})).await?;
    let tested = (h.today - Duration::days(20)).max(fiscal_start(h.today));
    row(m, "restore_tests", json!({"name": "電子カルテDB 復元訓練", "system": "電子カルテ", "tested_on": day(tested), "result": "success", "hours": "6", "notes": "手順書のテープ番号の記載が古かった。修正済み。"})).await?;
    for code in ["remote_connections", "vendors", "backups", "restore_tests"] {
        m.json(
            "POST",
            &format!("/api/v1/registers/{code}/review"),
            json!({"note": "年次の見直し"}),
        )
        .await?;
    }
    Ok(())
}

async fn accounts(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    let mut staff = String::from("職員番号,氏名,退職日\n");
    let mut users = String::from("ユーザID,表示名,職員番号,最終ログイン,管理者\n");
    let recent = day(h.today - Duration::days(3));
    for k in 1..=24 {
        let left = if k == 7 || k == 15 {
            day(h.today - Duration::days(60))
        } else {
            String::new()
        };
        staff.push_str(&format!("{},職員{k:02},{left}\n", 1000 + k));
        users.push_str(&format!(
            "u{},職員{k:02},{},{recent},\n",
            1000 + k,
            1000 + k
        ));
    }
    users.push_str(&format!("shared01,病棟共用,,{recent},\n"));
    users.push_str(&format!(
        "mms-admin,保守用管理者,,{},○\n",
        day(h.today - Duration::days(200))
    ));
    m.upload(
        "/api/v1/accounts-review/staff",
        &[],
        "職員名簿.csv",
        staff.as_bytes(),
    )
    .await?;
    m.upload(
        "/api/v1/accounts-review/import",
        &[
            ("system", "電子カルテ"),
            ("map_login", "ユーザID"),
            ("map_name", "表示名"),
            ("map_employee_id", "職員番号"),
            ("map_last_login", "最終ログイン"),
            ("map_admin", "管理者"),
        ],
        "電子カルテ利用者一覧.csv",
        users.as_bytes(),
    )
    .await?;
    Ok(())
}

/// An answer of the sheet's item.
fn answer(answer: &str, checked_on: NaiveDate, target: Option<NaiveDate>) -> Value {
    match target {
        Some(t) => {
            json!({"answer": answer, "checked_on": day(checked_on), "assignee": "情報システム課",
            "target_date": day(t), "reason": "予算化して対応する"})
        }
        None => {
            json!({"answer": answer, "checked_on": day(checked_on), "assignee": "情報システム課"})
        }
    }
}

/// Answers the sheet's items that `pick` gives an answer for.
async fn answer_all(
    c: &Client,
    id: &str,
    sheet: &mamori_domain::catalog::Sheet,
    pick: impl Fn(&mamori_domain::catalog::ChecklistItem) -> Option<Value>,
) -> anyhow::Result<()> {
    for item in &sheet.items {
        let Some(answer) = pick(item) else { continue };
        c.json(
            "PUT",
            &format!("/api/v1/assessments/{id}/answers/{}", item.id),
            answer,
        )
        .await
        .with_context(|| item.id.clone())?;
    }
    Ok(())
}

async fn checklists(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    let cat =
        mamori_catalog::catalog().map_err(|e| anyhow::anyhow!("catalog: {} faults", e.len()))?;
    let sheet = |id: &str| cat.sheets.get(id).with_context(|| format!("sheet {id}"));
    let date = |y, mo, d| NaiveDate::from_ymd_opt(y, mo, d).context("date");

    // Last year's sheet, complete: two いいえ whose targets have passed since.
    let fy24 = sheet("fy2024.institution")?;
    let a = id_of(
        &m.json("POST", "/api/v1/assessments", json!({"sheet": fy24.id}))
            .await?,
    )?;
    let checked = date(2024, 10, 15)?;
    let target = date(2025, 3, 31)?;
    answer_all(m, &a, fy24, |i| {
        Some(if i.id.ends_with(".2-03") || i.id.contains(".2-04") {
            answer("no", checked, Some(target))
        } else {
            answer("yes", checked, None)
        })
    })
    .await?;
    m.json(
        "PUT",
        &format!("/api/v1/assessments/{a}/maturity"),
        json!({"stage": 2, "rationale": "規程は整ったが、委託先管理とアカウント棚卸しが途上"}),
    )
    .await?;

    // This year's sheet, about two-thirds answered: the background services, connection
    // sources and the BCP items still open; two-factor authentication planned for FY2027, and
    // the terminals' administrator rights past their target.
    let fy25 = sheet("fy2025.institution")?;
    let b = id_of(
        &m.json("POST", "/api/v1/assessments", json!({"sheet": fy25.id}))
            .await?,
    )?;
    let checked = date(2025, 10, 20)?;
    let open = [".2-09u", ".2-10", ".2-11-", ".2-12-", ".3-02", ".3-03"];
    answer_all(m, &b, fy25, |i| {
        if open.iter().any(|o| i.id.contains(o)) {
            None
        } else if i.id.ends_with(".2-13") {
            Some(answer("no", checked, date(2027, 9, 30).ok()))
        } else if i.id.ends_with(".2-04-terminal") {
            Some(answer("no", checked, date(2026, 3, 31).ok()))
        } else {
            Some(answer("yes", checked, None))
        }
    })
    .await?;
    for (item, name) in [
        ("1-01", "医療情報システム安全管理規程_2025.pdf"),
        ("3-01", "連絡体制図_2025.pdf"),
    ] {
        if let Some(i) = fy25.items.iter().find(|i| i.id.ends_with(item)) {
            m.upload(
                &format!("/api/v1/assessments/{b}/items/{}/evidence", i.id),
                &[],
                name,
                b"%PDF-1.4\n% demo evidence\n",
            )
            .await?;
        }
    }

    // Vendor sheets: the EMR vendor answered; the PACS vendor was sent one and has not.
    let vendor = sheet("fy2025.vendor")?;
    let emr = id_of(
        &m.json(
            "POST",
            "/api/v1/assessments",
            json!({"sheet": vendor.id, "title": "守りメディカルシステムズ(電子カルテ)"}),
        )
        .await?,
    )?;
    m.json(
        "POST",
        &format!("/api/v1/assessments/{emr}/send"),
        json!({"email": h.vendor_email}),
    )
    .await?;
    answer_all(h.vendor, &emr, vendor, |_| {
        Some(answer("yes", checked, None))
    })
    .await?;
    let pacs = id_of(
        &m.json(
            "POST",
            "/api/v1/assessments",
            json!({"sheet": vendor.id, "title": "画像システムズ(PACS)"}),
        )
        .await?,
    )?;
    m.json(
        "POST",
        &format!("/api/v1/assessments/{pacs}/send"),
        json!({"email": "support@pacs.example.jp", "vendor_name": "画像システムズ", "contact_name": "保守 担当"}),
    )
    .await?;
    Ok(())
}

fn jst_minute(d: NaiveDate, hour: u32) -> String {
    format!("{}T{hour:02}:10", day(d))
}

async fn incidents(h: &Hands<'_>) -> anyhow::Result<()> {
    let m = h.manager;
    // Closed: a phishing mail opened on a ward terminal, reported by a nurse, handled and closed.
    let when = h.today - Duration::days(45);
    let report = id_of(
        &h.nurse
            .json(
                "POST",
                "/api/v1/reports",
                json!({"what": "宅配業者を名乗るメールの添付を開いたら、画面が一瞬黒くなった", "place": "3階東病棟", "device": "3階東病棟端末04", "noticed_at": jst_minute(when, 9)}),
            )
            .await?,
    )?;
    let incident = m
        .json(
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            json!({"title": "病棟端末での不審メール添付の実行", "kind": "malware", "severity": "medium", "systems": "3階東病棟端末04", "sites": "3階東病棟", "aware_at": jst_minute(when, 10), "cyber_attack": true, "personal_data": "no"}),
        )
        .await?;
    let id = id_of(field(&incident, "incident")).or_else(|_| id_of(&incident))?;
    let detail = m.get(&format!("/api/v1/incidents/{id}")).await?;
    for d in field(&detail, "duties").as_array().into_iter().flatten() {
        if field(d, "sent_on").is_null()
            && let Some(key) = field(d, "key").as_str()
        {
            m.json(
                "PUT",
                &format!("/api/v1/incidents/{id}/duties/{key}"),
                json!({"sent_on": day(when + Duration::days(1)), "sent_to": field(d, "recipient")}),
            )
            .await?;
        }
    }
    let cat =
        mamori_catalog::catalog().map_err(|e| anyhow::anyhow!("catalog: {} faults", e.len()))?;
    for task in cat.tasks.keys() {
        m.json(
            "PUT",
            &format!("/api/v1/incidents/{id}/tasks/{task}"),
            json!({"status": "done", "note": ""}),
        )
        .await?;
    }
    m.json(
        "POST",
        &format!("/api/v1/incidents/{id}/timeline"),
        json!({"kind": "decision", "text": "端末を初期化して復帰。全職員に不審メールの注意喚起を実施。"}),
    )
    .await?;
    m.json(
        "PUT",
        &format!("/api/v1/incidents/{id}/phase"),
        json!({"phase": mamori_domain::incident::CLOSED}),
    )
    .await?;

    // Running: this year's tabletop exercise of a ransomware attack on the EMR.
    let exercise = m
        .json(
            "POST",
            "/api/v1/incidents",
            json!({"title": "【訓練】電子カルテのランサムウェア感染", "kind": "ransomware", "severity": "critical", "systems": "電子カルテ\nPACS", "sites": "全病棟", "care_disrupted": true, "care_decision": "紙運用に切り替え、救急の受け入れを制限", "aware_at": jst_minute(h.today - Duration::days(1), 8), "cyber_attack": true, "malicious": true, "crime": true, "personal_data": "possible", "pd_count": 52000, "pd_sensitive": true, "training": true}),
        )
        .await?;
    let ex = id_of(field(&exercise, "incident")).or_else(|_| id_of(&exercise))?;
    if let Some((task, _)) = cat.tasks.iter().next() {
        m.json(
            "PUT",
            &format!("/api/v1/incidents/{ex}/tasks/{task}"),
            json!({"status": "done", "note": "訓練開始を院内放送"}),
        )
        .await?;
    }
    Ok(())
}
