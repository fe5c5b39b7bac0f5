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
}
