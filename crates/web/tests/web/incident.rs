//! Incident response: reports, triage, incidents with duties and documents, the contact chart and mail.

use crate::support::*;

#[tokio::test]
async fn a_staff_report_becomes_an_incident_with_duties_documents_and_a_timeline() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;

    // Staff see the report form but not the incidents.
    assert_eq!(
        app.get(&mut staff, "/incidents").await.status,
        StatusCode::FORBIDDEN
    );
    let bad = app
        .submit(
            &mut staff,
            "/report",
            "/report",
            &[
                ("what", ""),
                ("place", "3階東病棟"),
                ("noticed_at", "2026-05-02T09:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("3階東病棟"), "what was typed is kept");
    assert!(bad.body.contains("入力してください") && bad.body.contains("未来の日時"));
    let ok = app
        .submit(
            &mut staff,
            "/report",
            "/report",
            &[
                (
                    "what",
                    "電子カルテ端末に英語の脅迫文が表示され、ファイルが開けない",
                ),
                ("place", "3階東病棟"),
                ("device", "ナースステーション端末2"),
                ("noticed_at", "2026-05-01T09:00"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/report?sent=1");
    let mine = app.get(&mut staff, "/report?sent=1").await;
    assert!(mine.body.contains("受け付けました") && mine.body.contains("未対応"));

    // The manager sees it at once on the dashboard and triages it.
    let dash = app.get(&mut manager, "/").await;
    assert!(
        dash.body.contains("トリアージ待ちの報告: 1"),
        "{}",
        dash.body
    );
    let list = app.get(&mut manager, "/incidents").await;
    let report_id = id_after(
        &list.body[list.body.find("href=\"/reports/").expect("report link") + 6..],
        "/reports/",
    );
    let triage = format!("/reports/{report_id}");
    let page = app.get(&mut manager, &triage).await;
    assert!(
        page.body.contains("ナースステーション端末2"),
        "the form is pre-filled from the report"
    );
    let bad = app
        .submit(
            &mut manager,
            &triage,
            &format!("{triage}/incident"),
            &[
                ("title", "ランサムウェア感染"),
                ("kind", ""),
                ("personal_data", "yes"),
                ("pd_count", ""),
                ("aware_at", "2026-05-01T09:30"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("ランサムウェア感染"));
    let opened = app
        .submit(
            &mut manager,
            &triage,
            &format!("{triage}/incident"),
            &[
                ("title", "ランサムウェア感染(電子カルテ)"),
                ("kind", "ransomware"),
                ("severity", "critical"),
                ("systems", "電子カルテ"),
                ("care_disrupted", "on"),
                ("care_decision", "外来は紙運用に切替"),
                ("aware_at", "2026-05-01T09:30"),
                ("personal_data", "possible"),
                ("pd_count", "52000"),
                ("pd_sensitive", "on"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let incident = opened.location().to_string();
    let page = app.get(&mut manager, &incident).await;
    assert_eq!(page.status, StatusCode::OK);
    // Aware Friday 2026-05-01: 速報 target day 3 (05-03), at the latest day 5 (05-05, not moved);
    // 確報 60 days for a malicious act: day 60 is Monday 06-29.
    let row = |body: &str, key: &str| -> String {
        let start = body
            .find(&format!("id=\"duty-{key}\""))
            .unwrap_or_else(|| panic!("no duty {key}"));
        body[start..start + body[start..].find("</tr>").unwrap_or(0)].to_string()
    };
    let sokuho = row(&page.body, "ppc.sokuho");
    assert!(
        sokuho.contains("2026-05-03") && sokuho.contains("2026-05-05"),
        "{sokuho}"
    );
    assert!(row(&page.body, "ppc.kakuho").contains("2026-06-29"));
    for key in [
        "vendor.notice",
        "mhlw.notice",
        "prefecture.notice",
        "police.notice",
        "individuals.notice",
    ] {
        row(&page.body, key);
    }
    assert!(
        page.body.contains("バックアップ"),
        "the containment tasks are shown"
    );

    // The PPC 速報 is sent.
    let sent = app
        .submit(
            &mut manager,
            &incident,
            &format!("{incident}/duties/ppc.sokuho"),
            &[
                ("sent_on", "2026-05-01"),
                ("sent_to", "個人情報保護委員会 漏えい等報告フォーム"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = app.get(&mut manager, &incident).await;
    let sokuho = row(&page.body, "ppc.sokuho");
    assert!(
        sokuho.contains("済") && sokuho.contains("漏えい等報告フォーム"),
        "{sokuho}"
    );
    assert!(!sokuho.contains("済にする"), "a sent duty offers no form");

    // A task is done; it shows in the MHLW draft.
    let task = app
        .submit(
            &mut manager,
            &incident,
            &format!("{incident}/tasks/incident.initial.cut-backups"),
            &[("status", "done"), ("note", "NAS の LAN ケーブルを抜いた")],
        )
        .await;
    assert_eq!(task.status, StatusCode::SEE_OTHER, "{}", task.body);
    let draft = app
        .get(&mut manager, &format!("{incident}/documents/mhlw_report"))
        .await;
    assert!(
        draft.body.contains("守り市民病院")
            && draft.body.contains("NAS の LAN ケーブルを抜いた")
            && draft.body.contains("外来は紙運用に切替"),
        "{}",
        draft.body
    );
    let saved = app
        .submit(
            &mut manager,
            &format!("{incident}/documents/mhlw_report"),
            &format!("{incident}/documents/mhlw_report"),
            &[
                ("summary", "電子カルテがランサムウェアにより暗号化"),
                ("recovery", "バックアップの安全確認中"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(saved.location().ends_with("?version=1"));
    let print = app
        .get(
            &mut manager,
            &format!("{incident}/documents/mhlw_report/print"),
        )
        .await;
    assert!(
        print.body.contains("第1版")
            && print.body.contains("バックアップの安全確認中")
            && print.body.contains("再発防止策")
    );
    let json = app
        .get(
            &mut manager,
            &format!("{incident}/documents/mhlw_report/export.json"),
        )
        .await
        .json();
    assert_eq!(json["version"], 1);
    assert!(
        json["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["label"] == "復旧状況" && f["value"] == "バックアップの安全確認中")
    );
    assert_eq!(
        app.get(&mut manager, &format!("{incident}/documents/nonsense"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A change of facts needs a reason and records what it did to the duties.
    let form = format!("{incident}/facts");
    let no_reason = app
        .submit(
            &mut manager,
            &form,
            &form,
            &[
                ("title", "ランサムウェア感染(電子カルテ)"),
                ("kind", "system_failure"),
                ("severity", "high"),
                ("aware_at", "2026-05-01T09:30"),
                ("personal_data", "no"),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = app
        .submit(
            &mut manager,
            &form,
            &form,
            &[
                ("title", "システム障害"),
                ("kind", "system_failure"),
                ("severity", "high"),
                ("aware_at", "2026-05-01T09:30"),
                ("personal_data", "no"),
                ("reason", "調査の結果、攻撃ではなく機器故障と判明"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let page = app.get(&mut manager, &incident).await;
    assert!(page.body.contains("調査の結果、攻撃ではなく機器故障と判明"));
    assert!(page.body.contains("不要になった義務") && page.body.contains("ppc.kakuho"));
    assert!(!page.body.contains("id=\"duty-ppc.kakuho\""));

    // The timeline takes notes and decisions, and the incident can be closed.
    let note = app
        .submit(
            &mut manager,
            &incident,
            &format!("{incident}/timeline"),
            &[("kind", "decision"), ("text", "院長判断で外来を午後休診")],
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    let closed = app
        .submit(
            &mut manager,
            &incident,
            &format!("{incident}/phase"),
            &[("phase", "closed")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut manager, &incident).await;
    assert!(page.body.contains("院長判断で外来を午後休診") && page.body.contains("終了"));

    // Staff cannot act on it; another organisation cannot see it.
    let csrf = app.get(&mut staff, "/report").await.hidden("csrf");
    assert_eq!(
        app.post(
            &mut staff,
            &format!("{incident}/timeline"),
            &[("csrf", &csrf), ("kind", "note"), ("text", "x")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut other = app.other_clinic(&mut admin).await;
    assert_eq!(
        app.get(&mut other, &incident).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&mut other, &triage).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn reports_can_be_closed_or_merged_and_exercises_are_marked() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    for what in [
        "プリンタが動かない",
        "同じプリンタが動かない",
        "不審なメール",
    ] {
        let r = app
            .submit(&mut manager, "/report", "/report", &[("what", what)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let reports = app
        .store
        .anomaly_reports(
            app.store
                .org_directory()
                .await
                .expect("orgs")
                .iter()
                .find(|o| o.home)
                .expect("home")
                .id,
            true,
        )
        .await
        .expect("reports");
    let by = |w: &str| {
        reports
            .iter()
            .find(|r| r.anomaly.what == w)
            .expect("report")
            .id
    };
    let first = format!("/reports/{}", by("プリンタが動かない"));
    let empty = app
        .submit(
            &mut manager,
            &first,
            &format!("{first}/close"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let closed = app
        .submit(
            &mut manager,
            &first,
            &format!("{first}/close"),
            &[("reason", "用紙切れ")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let second = format!("/reports/{}", by("同じプリンタが動かない"));
    let target = format!("report:{}", by("不審なメール"));
    let merged = app
        .submit(
            &mut manager,
            &second,
            &format!("{second}/merge"),
            &[("target", &target)],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    let again = app
        .submit(
            &mut manager,
            &first,
            &format!("{first}/close"),
            &[("reason", "二度目")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a report is triaged once"
    );
    let list = app.get(&mut manager, "/incidents").await;
    assert!(list.body.contains("不審なメール") && !list.body.contains("用紙切れ"));

    let exercise = app
        .submit(
            &mut manager,
            "/incidents/new",
            "/incidents/new",
            &[
                ("title", "机上訓練: ランサムウェア"),
                ("kind", "ransomware"),
                ("severity", "critical"),
                ("aware_at", "2026-05-01T09:00"),
                ("personal_data", "no"),
                ("training", "on"),
            ],
        )
        .await;
    assert_eq!(exercise.status, StatusCode::SEE_OTHER, "{}", exercise.body);
    let dash = app.get(&mut manager, "/").await;
    assert!(dash.body.contains("机上訓練: ランサムウェア") && dash.body.contains("訓練"));
}

#[tokio::test]
async fn the_contact_chart_is_kept_printed_and_packed_for_emergencies() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let bad = app
        .submit(
            &mut admin,
            "/preparedness/contacts/new",
            "/preparedness/contacts",
            &[
                ("group", "vendor"),
                ("role", "電子カルテ保守"),
                ("organisation", "守りシステム株式会社"),
                ("phone_24h", "夜間は携帯へ"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("守りシステム株式会社")
            && bad.body.contains("電話番号には番号(数字)を入れてください")
    );
    let ok = app
        .submit(
            &mut admin,
            "/preparedness/contacts/new",
            "/preparedness/contacts",
            &[
                ("group", "vendor"),
                ("role", "電子カルテ保守"),
                ("organisation", "守りシステム株式会社"),
                ("system", "電子カルテ"),
                ("phone_24h", "0120-000-000"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let std = app
        .submit(
            &mut admin,
            "/preparedness",
            "/preparedness/contacts/standard",
            &[],
        )
        .await;
    assert_eq!(std.status, StatusCode::SEE_OTHER);
    let proc = app
        .submit(&mut admin, "/preparedness/procedures/new", "/preparedness/procedures", &[("system", "電子カルテ"), ("steps", "1. オフライン保管のバックアップ(金庫内 LTO)を確認\n2. 保守会社が隔離環境で復元")])
        .await;
    assert_eq!(proc.status, StatusCode::SEE_OTHER);

    // Staff can read the chart (they need to know whom to call) but not change it.
    let page = app.get(&mut staff, "/preparedness").await;
    assert!(page.body.contains("0120-000-000") && page.body.contains("個人情報保護委員会"));
    assert!(!page.body.contains("/preparedness/contacts/new"));
    assert_eq!(
        app.get(&mut staff, "/preparedness/contacts/new")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let print = app.get(&mut staff, "/preparedness/contacts/print").await;
    assert!(print.body.contains("連絡体制図") && print.body.contains("守りシステム株式会社"));

    let pack = app
        .get(&mut staff, "/preparedness/emergency-pack.html")
        .await;
    assert!(
        pack.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("header")
            .contains("attachment")
    );
    for needed in ["0120-000-000", "金庫内 LTO", "初動対応", "バックアップ"] {
        assert!(pack.body.contains(needed), "{needed}");
    }
    assert!(
        !pack.body.contains("<link")
            && !pack.body.contains("<script")
            && !pack.body.contains("src=\"http"),
        "self-contained"
    );
    // The pack on disk was rewritten with the last change.
    let dir = app._dir.path().join("emergency");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("emergency folder")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let on_disk = std::fs::read_to_string(files[0].path()).expect("pack");
    assert!(on_disk.contains("金庫内 LTO"));
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_the_notice_but_loses_nothing() {
    // A port nobody listens on: connections are refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let settings = mamori_web::mail::MailSettings {
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "mamori@mamori.test".into(),
    };
    let app = App::with_mail(Some(settings.clone())).await;
    let mut admin = app.setup().await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    app.user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    app.user(&mut admin, "it@mamori.test", &["system_operator"])
        .await;
    let r = app
        .submit(
            &mut staff,
            "/report",
            "/report",
            &[("what", "見慣れない画面が出た")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let org = app
        .store
        .org_directory()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.home)
        .expect("home");
    let queued = app.store.unsent_mail(org.id).await.expect("outbox");
    let mut to: Vec<_> = queued.iter().map(|m| m.recipient.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        ["admin@mamori.test", "csm@mamori.test", "it@mamori.test"],
        "the on-call roles (the first administrator is also the security manager), not all staff"
    );
    assert!(
        queued[0].subject.contains("異常の報告 #1")
            && queued[0].body.contains("見慣れない画面が出た")
    );
    assert!(queued[0].body.contains("http://mamori.test/reports/"));

    let transport = mamori_web::mail::transport(&settings).expect("transport");
    let (sent, failed) =
        mamori_web::mail::deliver_due(&app.store, &transport, &settings.from, Utc::now())
            .await
            .expect("pass");
    assert_eq!((sent, failed), (0, 3));
    let after = app.store.unsent_mail(org.id).await.expect("outbox");
    assert!(
        after
            .iter()
            .all(|m| m.attempts == 1 && !m.last_error.is_empty())
    );
    assert!(
        app.store
            .due_mail(Utc::now(), 10)
            .await
            .expect("due")
            .is_empty(),
        "the next attempt waits"
    );
    assert_eq!(
        app.store
            .anomaly_reports(org.id, true)
            .await
            .expect("reports")
            .len(),
        1,
        "the report is kept"
    );
}

#[tokio::test]
async fn the_contact_chart_goes_out_and_comes_back_as_a_table() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let r = app
        .submit(
            &mut admin,
            "/preparedness",
            "/preparedness/contacts/standard",
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let csv = app
        .get(&mut admin, "/preparedness/contacts/export.csv")
        .await;
    assert!(csv.body.contains("外部関係機関") && csv.body.contains("個人情報保護委員会"));
    let csrf = app.get(&mut admin, "/preparedness").await.hidden("csrf");
    let bad = "区分,役割・窓口,電話(24時間)\n院内,CSIRT,夜間は携帯\n";
    let r = app
        .post_multipart(
            &mut admin,
            "/preparedness/contacts/import",
            &[("csrf", &csrf)],
            &[("file", "c.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("C (電話(24時間))"), "{}", r.body);
    let good = "区分,役割・窓口,電話(24時間)\n院内,CSIRT,090-0000-0000\n";
    let r = app
        .post_multipart(
            &mut admin,
            "/preparedness/contacts/import",
            &[("csrf", &csrf)],
            &[("file", "c.csv", good.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut admin, "/preparedness").await;
    assert!(page.body.contains("090-0000-0000"));
    let xlsx = app
        .get(&mut admin, "/preparedness/contacts/export.xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

/// A script runs an incident through the token API as people do through the pages: any staff
/// member reports, the security manager triages with the facts, the duties follow the facts and
/// change with them, tasks, duties and the timeline are recorded, documents are versioned, and the
/// contact chart and procedures are kept — with the pages' permissions and errors.
#[tokio::test]
async fn an_incident_is_run_through_the_api_with_the_pages_rules() {
    use serde_json::json;
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut nurse = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let mut manager = app
        .user(&mut admin, "sm@mamori.test", &["security_manager"])
        .await;
    let staff = app.token(&mut nurse).await;
    let sm = app.token(&mut manager).await;

    let r = app
        .api(&staff, "POST", "/api/v1/reports", Some(json!({"what": ""})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "what");
    let r = app
        .api(
            &staff,
            "POST",
            "/api/v1/reports",
            Some(json!({"what": "電子カルテに身代金要求の画面", "place": "3階病棟"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let report = r.json()["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(r.json()["status"], "open");
    assert_eq!(
        app.api(&staff, "GET", "/api/v1/reports", None).await.status,
        StatusCode::FORBIDDEN,
        "staff report but do not read the reports"
    );
    let open = app.api(&sm, "GET", "/api/v1/reports?open=true", None).await;
    assert!(open.body.contains(&report));

    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let facts = json!({
        "title": "ランサムウェア感染", "kind": "ransomware", "severity": "critical",
        "aware_at": "2026-05-01T09:00", "cyber_attack": true, "care_disrupted": true,
        "malicious": true, "personal_data": "possible", "pd_count": 1200, "pd_sensitive": true
    });
    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            Some(facts.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = r.json();
    let incident = d["incident"]["id"].as_str().unwrap_or_default().to_string();
    let keys: Vec<&str> = d["duties"]
        .as_array()
        .expect("duties")
        .iter()
        .filter_map(|x| x["key"].as_str())
        .collect();
    assert!(
        keys.contains(&"ppc.sokuho") && keys.contains(&"ppc.kakuho"),
        "{keys:?}"
    );
    // 60 days for a 確報 after a malicious act, counted from 2026-05-01 as day 1.
    let kakuho = d["duties"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["key"] == "ppc.kakuho"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(kakuho["obligation"], "legal");
    assert_eq!(kakuho["due"], "2026-06-29");
    let r = app
        .api(&sm, "GET", &format!("/api/v1/reports/{report}"), None)
        .await;
    assert_eq!(r.json()["status"], "incident");
    assert_eq!(r.json()["incident_id"], incident.as_str());

    // Changing the facts needs the reason; without personal data the PPC duties go.
    let mut changed = facts.clone();
    changed["personal_data"] = json!("no");
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/facts"),
            Some(changed.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "reason");
    changed["reason"] = json!("バックアップからの調査で個人データの持ち出しなしと判明");
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/facts"),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.json()["duties"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x["key"] != "ppc.sokuho")),
        "no PPC report is owed without personal data"
    );
    assert!(
        r.json()["timeline"]
            .as_array()
            .is_some_and(|t| t.iter().any(|e| e["kind"] == "facts"
                && e["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("ppc.sokuho"))),
        "the duty change is on the timeline"
    );

    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/phase"),
            Some(json!({"phase": "nowhere"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/phase"),
            Some(json!({"phase": "incident.initial"})),
        )
        .await;
    assert_eq!(r.json()["incident"]["phase"], "incident.initial");
    let task = mamori_catalog::catalog()
        .expect("catalog")
        .phase_tasks("incident.initial")
        .first()
        .map(|t| t.id.clone())
        .expect("a task");
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/tasks/{task}"),
            Some(json!({"status": "done", "note": "ネットワークから切断"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("ネットワークから切断"));
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/duties/mhlw.notice"),
            Some(json!({"sent_on": "2026-05-02", "sent_to": "厚労省"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not in the future"
    );
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/incidents/{incident}/duties/mhlw.notice"),
            Some(json!({"sent_on": "2026-05-01", "sent_to": "医政局 参事官室"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mhlw = r.json()["duties"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["key"] == "mhlw.notice"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(mhlw["sent_on"], "2026-05-01");
    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/incidents/{incident}/timeline"),
            Some(json!({"kind": "decision", "text": "外来は紙運用で継続"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.body.contains("外来は紙運用で継続"));

    // Documents: the first draft is written from the facts; each save is a new version.
    let draft = app
        .api(
            &sm,
            "GET",
            &format!("/api/v1/incidents/{incident}/documents/mhlw_report"),
            None,
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.json()["version"].is_null() && draft.body.contains("守り市民病院"));
    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/incidents/{incident}/documents/mhlw_report"),
            Some(json!({"fields": {"summary": "第1報"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["version"], 1);
    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/incidents/{incident}/documents/mhlw_report"),
            Some(json!({"fields": {"summary": "第2報"}})),
        )
        .await;
    assert_eq!(r.json()["version"], 2);
    let v1 = app
        .api(
            &sm,
            "GET",
            &format!("/api/v1/incidents/{incident}/documents/mhlw_report?version=1"),
            None,
        )
        .await;
    assert!(v1.body.contains("第1報") && !v1.body.contains("第2報"));
    assert_eq!(v1.json()["versions"].as_array().map(Vec::len), Some(2));

    // The contact chart and the procedures.
    let r = app
        .api(
            &sm,
            "POST",
            "/api/v1/contacts",
            Some(json!({"group": "internal", "role": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            &sm,
            "POST",
            "/api/v1/contacts",
            Some(json!({"group": "internal", "role": "安全管理責任者", "phone": "03-1234-5678"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let contact = r.json()["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .api(
            &sm,
            "PUT",
            &format!("/api/v1/contacts/{contact}"),
            Some(json!({"group": "internal", "role": "安全管理責任者", "phone_24h": "090-1234-5678"})),
        )
        .await;
    assert_eq!(r.json()["phone_24h"], "090-1234-5678");
    let added = app
        .api(&sm, "POST", "/api/v1/contacts/standard", None)
        .await;
    let first = added.json()["added"].as_u64().unwrap_or_default();
    assert!(first > 0);
    let again = app
        .api(&sm, "POST", "/api/v1/contacts/standard", None)
        .await;
    assert_eq!(
        again.json()["added"],
        0,
        "the standard bodies are added once"
    );
    assert_eq!(
        app.api(
            &staff,
            "DELETE",
            &format!("/api/v1/contacts/{contact}"),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let chart = app.api(&staff, "GET", "/api/v1/contacts", None).await;
    assert!(
        chart.body.contains("安全管理責任者"),
        "everyone reads the chart"
    );
    assert_eq!(
        app.api(&sm, "DELETE", &format!("/api/v1/contacts/{contact}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = app
        .api(
            &sm,
            "POST",
            "/api/v1/procedures",
            Some(json!({"system": "電子カルテ", "steps": "1. 保守会社に連絡"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let pack = std::fs::read_dir(app.dir().join("emergency"))
        .expect("emergency folder")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        pack.contains("保守会社に連絡"),
        "a change through the API rewrites the emergency pack too"
    );
}

#[tokio::test]
async fn who_runs_the_hospital_a_leaked_key_and_a_vendor_change_the_duties_in_both_languages() {
    use serde_json::json;
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "sm@mamori.test", &["security_manager"])
        .await;
    let sm = app.token(&mut manager).await;
    let r = app
        .api(
            &sm,
            "POST",
            "/api/v1/reports",
            Some(json!({"what": "委託先のクラウドから患者情報が流出した疑い"})),
        )
        .await;
    let report = r.json()["id"].as_str().unwrap_or_default().to_string();
    let facts = json!({
        "title": "委託先での漏えい", "kind": "vendor_side", "severity": "high", "pd_sensitive": true,
        "aware_at": "2026-05-01T09:00", "personal_data": "possible", "pd_count": 30,
        "pd_highly_encrypted": true, "pd_key_leaked": true, "pd_vendor_handled": true,
        "operator": "administrative"
    });
    let r = app
        .api(
            &sm,
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            Some(facts),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = r.json();
    assert_eq!(d["incident"]["facts"]["operator"], "administrative");
    assert_eq!(d["incident"]["facts"]["pd_key_leaked"], true);
    let basis = |key: &str| {
        d["duties"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["key"] == key))
            .map(|x| x["basis"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    // Encrypted, but the key went too: the PPC is owed a report, under article 68.
    assert!(basis("ppc.sokuho").contains("第68条第1項") && basis("ppc.sokuho").contains("鍵"));
    assert!(
        basis("vendor.notice").contains("ただし書"),
        "{}",
        basis("vendor.notice")
    );
    let incident = d["incident"]["id"].as_str().unwrap_or_default().to_string();

    // The page in English gives the legal basis in English.
    manager.lang = Some("en");
    let page = app
        .get(&mut manager, &format!("/incidents/{incident}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("APPI art. 68(1) (administrative organs)")
            && page
                .body
                .contains("MHLW notice of 29 October 2018: contact the maintenance vendor")
            && page.body.contains("(APPI art. 26(1), proviso)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("個人情報保護法第68条"));
    // The facts form offers the new facts, ticked as recorded.
    manager.lang = None;
    let form = app
        .get(&mut manager, &format!("/incidents/{incident}/facts"))
        .await;
    assert!(
        form.body
            .contains("name=\"operator\" value=\"administrative\" checked")
            && form
                .body
                .contains("name=\"pd_key_leaked\" value=\"on\" checked"),
        "{}",
        form.body
    );
}
