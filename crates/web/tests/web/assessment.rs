//! Self-assessment through pages and API: answering, aggregating, printing, exchanging tables, vendor sheets.

use crate::support::*;

#[tokio::test]
async fn a_checklist_sheet_is_answered_aggregated_and_printed() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let r = app
        .submit(
            &mut b,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.vendor"), ("title", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("事業者名とシステム名を入力してください"));
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let sheet = app.get(&mut b, &format!("/assessments/{id}")).await;
    assert!(sheet.body.contains("令和7年度 医療機関確認用") && sheet.body.contains("台帳"));
    assert!(
        sheet.body.contains("gl6.mgmt.9.1"),
        "guideline references are shown"
    );

    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    let r = app
        .submit_multipart(
            &mut b,
            &item,
            &item,
            &[
                ("answer", "no"),
                ("checked_on", "2025-06-10"),
                ("target_date", "2026-04-15"),
                ("assignee", "情報システム室"),
                ("notes", "台帳を作成中"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("目標日はこの年度内") && r.body.contains("2025-04-01 – 2026-03-31"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"2026-04-15\"")
            && r.body.contains("value=\"情報システム室\"")
            && r.body.contains("台帳を作成中"),
        "what was typed is kept"
    );
    let r = app
        .submit_multipart(
            &mut b,
            &item,
            &item,
            &[
                ("answer", "no"),
                ("checked_on", "2025-06-10"),
                ("target_date", "2026-03-31"),
                ("assignee", "情報システム室"),
                ("notes", "台帳を作成中"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let gate = format!("/assessments/{id}/items/fy2025.institution.0-gate?round=1");
    app.submit_multipart(
        &mut b,
        &gate,
        &gate,
        &[("answer", "yes"), ("checked_on", "2025-06-10")],
    )
    .await;
    let mfa = format!("/assessments/{id}/items/fy2025.institution.2-13?round=1");
    app.submit_multipart(
        &mut b,
        &mfa,
        &mfa,
        &[("answer", "yes"), ("checked_on", "2025-06-10")],
    )
    .await;
    let na = format!("/assessments/{id}/items/fy2025.institution.2-12-network?round=1");
    let r = app
        .submit_multipart(
            &mut b,
            &na,
            &na,
            &[("answer", "na"), ("checked_on", "2025-06-10")],
        )
        .await;
    assert!(r.body.contains("「該当なし」の理由を入力してください"));
    // The second round is kept apart from the first.
    let second = format!("/assessments/{id}/items/fy2025.institution.2-01?round=2");
    let r = app
        .submit_multipart(
            &mut b,
            &second,
            &second,
            &[("answer", "yes"), ("checked_on", "2026-02-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let results = app.get(&mut b, &format!("/assessments/{id}/results")).await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(
        results.body.contains("<svg") && results.body.contains("システム的 × 予防的"),
        "the heatmap is drawn"
    );
    assert!(
        results.body.contains("<th scope=\"row\">システム的</th>"),
        "with its figures in a table"
    );
    assert!(
        results.body.contains("「いいえ」の項目はありません"),
        "the second round's yes closes the gap"
    );
    let r = app
        .submit(
            &mut b,
            &format!("/assessments/{id}/results"),
            &format!("/assessments/{id}/maturity"),
            &[("stage", "3"), ("rationale", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .submit(
            &mut b,
            &format!("/assessments/{id}/results"),
            &format!("/assessments/{id}/maturity"),
            &[
                ("stage", "3"),
                ("rationale", "台帳は整備済、運用はこれから"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let results = app.get(&mut b, &format!("/assessments/{id}/results")).await;
    assert!(
        results.body.contains("整備済・運用途上")
            && results.body.contains("台帳は整備済、運用はこれから")
    );

    let print = app.get(&mut b, &format!("/assessments/{id}/print")).await;
    assert!(
        print.body.contains("守り市民病院")
            && print.body.contains("2026-03-31")
            && print.body.contains("2026-02-01")
    );
    assert!(!print.body.contains("<nav"), "no navigation on paper");
    let list = app.get(&mut b, "/assessments").await;
    assert!(list.body.contains("令和7年度"));
    let dash = app.get(&mut b, "/").await;
    assert!(
        dash.body.contains("id=\"assessment-card\""),
        "the executives' card is on the dashboard"
    );
}

#[tokio::test]
async fn overdue_gaps_come_first_and_only_answering_roles_answer() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let id = start_assessment(&app, &mut admin, "fy2025.institution", "").await;
    // Today is 2026-05-01: a FY2025 target of 2026-03-31 is overdue, one of 2026-03-30 too, earlier first.
    for (item, target) in [("2-09u", "2026-03-31"), ("3-02", "2026-03-30")] {
        let p = format!("/assessments/{id}/items/fy2025.institution.{item}?round=1");
        let r = app
            .submit_multipart(
                &mut admin,
                &p,
                &p,
                &[
                    ("answer", "no"),
                    ("checked_on", "2025-06-10"),
                    ("target_date", target),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let results = app
        .get(&mut admin, &format!("/assessments/{id}/results"))
        .await;
    let gaps = &results.body[results.body.find("id=\"gaps\"").expect("gap table")..];
    let backup = gaps.find("バックアップ").expect("backup gap");
    let usb = gaps.find("USB").expect("usb gap");
    assert!(backup < usb, "overdue and inspected first");
    assert!(gaps.contains("期限超過"));

    let mut staff = app.user(&mut admin, "staff@mamori.test", &["staff"]).await;
    assert_eq!(
        app.get(&mut staff, "/assessments").await.status,
        StatusCode::FORBIDDEN
    );
    let mut exec = app
        .user(&mut admin, "director@mamori.test", &["executive"])
        .await;
    let page = app.get(&mut exec, &format!("/assessments/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("/items/"),
        "executives read, they do not answer"
    );
    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    let csrf = page.hidden("csrf");
    let r = app
        .post_multipart(
            &mut exec,
            &item,
            &[
                ("csrf", &csrf),
                ("answer", "yes"),
                ("checked_on", "2025-06-10"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another organisation cannot reach the assessment at all.
    let mut other = app.other_clinic(&mut admin).await;
    let csrf = app.get(&mut other, "/assessments").await.hidden("csrf");
    for p in [
        format!("/assessments/{id}"),
        format!("/assessments/{id}/results"),
        format!("/assessments/{id}/print"),
        item.clone(),
    ] {
        assert_eq!(
            app.get(&mut other, &p).await.status,
            StatusCode::NOT_FOUND,
            "GET {p}"
        );
    }
    let r = app
        .post_multipart(
            &mut other,
            &item,
            &[
                ("csrf", &csrf),
                ("answer", "yes"),
                ("checked_on", "2025-06-10"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &mut other,
            &format!("/assessments/{id}/maturity"),
            &[("csrf", &csrf), ("stage", "5"), ("rationale", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_sheet_round_trips_through_csv_and_a_bad_cell_writes_nothing() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    app.submit_multipart(
        &mut b,
        &item,
        &item,
        &[
            ("answer", "no"),
            ("checked_on", "2025-06-10"),
            ("target_date", "2026-03-31"),
            ("assignee", "情報システム室"),
            ("notes", "台帳を作成中, 「サーバ室」分"),
        ],
    )
    .await;
    let na = format!("/assessments/{id}/items/fy2025.institution.2-12-network?round=2");
    app.submit_multipart(
        &mut b,
        &na,
        &na,
        &[
            ("answer", "na"),
            ("checked_on", "2026-01-20"),
            ("reason", "ネットワーク機器なし"),
        ],
    )
    .await;
    let csv = app
        .get(&mut b, &format!("/assessments/{id}/export.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "BOM for Excel");
    assert!(
        csv.body
            .contains("項目ID,No.,項目,1回目確認日,1回目回答,目標日,2回目確認日,2回目回答,備考")
    );
    assert!(csv.body.contains("fy2025.institution.2-01,2-①,"));
    let before = app
        .get(&mut b, &format!("/assessments/{id}/export.json"))
        .await
        .json();

    // Import the export into a fresh assessment, saved by Japanese Excel as Shift_JIS.
    let other = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let (sjis, _, unmappable) =
        encoding_rs::SHIFT_JIS.encode(csv.body.trim_start_matches('\u{feff}'));
    assert!(!unmappable);
    let csrf = app
        .get(&mut b, &format!("/assessments/{other}"))
        .await
        .hidden("csrf");
    let r = upload(
        &app,
        &mut b,
        &format!("/assessments/{other}/import"),
        &csrf,
        &sjis,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app
        .get(&mut b, &format!("/assessments/{other}/export.json"))
        .await
        .json();
    let strip = |v: &serde_json::Value| {
        v["answers"].as_array().map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["item_id"].clone(),
                        x["round"].clone(),
                        x["answer"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        strip(&after),
        strip(&before),
        "nothing lost in the round trip"
    );
    assert_eq!(strip(&after).map(|a| a.len()), Some(2));

    // A bad cell: reported by row and column, nothing written.
    let bad = csv
        .body
        .replace("2026-03-31", "2026-04-15")
        .replace("ネットワーク機器なし", "");
    let third = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let r = upload(
        &app,
        &mut b,
        &format!("/assessments/{third}/import"),
        &csrf,
        bad.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = 5; // header, gate, 1-①, 1-②, then 2-①
    assert!(
        r.body
            .contains(&format!("<td>{row}</td><td>F (目標日)</td>")),
        "{}",
        r.body
    );
    assert!(r.body.contains("M (2回目該当なし理由)") && r.body.contains("何も書き込んでいません"));
    let third_json = app
        .get(&mut b, &format!("/assessments/{third}/export.json"))
        .await
        .json();
    assert_eq!(third_json["answers"].as_array().map(|a| a.len()), Some(0));
    let r = upload(
        &app,
        &mut b,
        &format!("/assessments/{third}/import"),
        &csrf,
        b"\x82\xff\xff\xfe",
    )
    .await;
    assert!(r.body.contains("文字コードを読み取れません"));
}

#[tokio::test]
async fn evidence_attached_to_a_faulty_answer_is_kept_and_listed_for_the_inspector() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    let csrf = app.get(&mut b, &item).await.hidden("csrf");
    let ledger = "機器名,設置場所\n電子カルテサーバ,サーバ室\n".as_bytes();
    let r = app
        .post_multipart(
            &mut b,
            &item,
            &[
                ("csrf", &csrf),
                ("answer", "no"),
                ("checked_on", "2025-06-10"),
                ("target_date", "2027-01-01"),
            ],
            &[("evidence", "機器台帳.csv", ledger)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("機器台帳.csv"),
        "the file attached to a faulty answer is kept and shown"
    );
    let href = r
        .body
        .split("href=\"/assessments/")
        .find(|s| s.contains("/evidence/"))
        .map(|s| format!("/assessments/{}", &s[..s.find('"').unwrap_or(0)]))
        .expect("download link");
    let file = app.get(&mut b, &href).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.as_bytes(), ledger);
    assert_eq!(
        file.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/octet-stream")
    );
    assert!(
        file.headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("attachment;")
    );
    let print = app.get(&mut b, &format!("/assessments/{id}/print")).await;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(ledger));
    assert!(
        print.body.contains("機器台帳.csv") && print.body.contains(&sha[..16]),
        "the print view lists evidence with its hash"
    );
    let audit = app.get(&mut b, "/audit?action=evidence.").await;
    assert!(audit.body.contains("evidence.upload") && audit.body.contains(&sha));
    // Another organisation cannot fetch it.
    let mut other = app.other_clinic(&mut b).await;
    assert_eq!(
        app.get(&mut other, &href).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn assessments_are_answered_and_aggregated_through_the_api() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.vendor"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "title");
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.institution"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_string();
    let put = |item: &str| format!("/api/v1/assessments/{id}/answers/{item}?round=1");
    let r = app.api(&token, "PUT", &put("fy2025.institution.3-02"), Some(serde_json::json!({"answer": "no", "checked_on": "2025-06-10", "target_date": "2026-06-01"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["code"],
        "error.target_in_fiscal_year"
    );
    let r = app.api(&token, "PUT", &put("fy2025.institution.3-02"), Some(serde_json::json!({"answer": "no", "checked_on": "2025-06-10", "target_date": "2026-03-01"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            &token,
            "PUT",
            &put("fy2025.institution.3-01"),
            Some(serde_json::json!({"answer": "yes", "checked_on": "2025-06-10"})),
        )
        .await;
    let d = r.json();
    assert_eq!(d["by_section"]["incident"]["yes"], 1);
    assert_eq!(d["by_section"]["incident"]["no"], 1);
    assert_eq!(d["gaps"][0]["item_id"], "fy2025.institution.3-02");
    assert_eq!(d["gaps"][0]["overdue"], true);
    assert_eq!(d["assessment"]["yes_percent"], 50);
    assert!(d["by_control"]["organisational/corrective"]["yes"].as_u64() >= Some(1));
    let r = app
        .api(
            &token,
            "PUT",
            &put("fy9999.nothing"),
            Some(serde_json::json!({"answer": "yes", "checked_on": "2025-06-10"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = app
        .api(&token, "GET", "/api/v1/assessments", None)
        .await
        .json();
    assert_eq!(list.as_array().map(|a| a.len()), Some(1));
    let doc = app
        .get(&mut Browser::default(), "/api/v1/openapi.json")
        .await
        .json();
    assert!(doc["paths"]["/api/v1/assessments/{id}/answers/{item}"]["put"].is_object());
}

#[tokio::test]
async fn a_new_year_starts_from_last_years_answers_to_reconfirm_and_compares_with_it() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let last = start_assessment(&app, &mut b, "fy2024.institution", "").await;
    for (item, answer, target) in [
        ("2-01", "yes", ""),
        ("2-07-server", "no", "2025-03-01"),
        ("3-01", "no", "2025-02-01"),
    ] {
        let p = format!("/assessments/{last}/items/fy2024.institution.{item}?round=1");
        let r = app
            .submit_multipart(
                &mut b,
                &p,
                &p,
                &[
                    ("answer", answer),
                    ("checked_on", "2024-06-01"),
                    ("target_date", target),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = app
        .submit(
            &mut b,
            "/assessments",
            "/assessments",
            &[
                ("sheet", "fy2025.institution"),
                ("title", ""),
                ("carry", "on"),
            ],
        )
        .await;
    let this = r.location().trim_start_matches("/assessments/").to_string();
    let api = app.token(&mut b).await;
    let d = app
        .api(&api, "GET", &format!("/api/v1/assessments/{this}"), None)
        .await
        .json();
    let answers: Vec<(String, String)> = d["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| {
            (
                a["item_id"].as_str().unwrap_or("").to_string(),
                a["answer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        answers,
        vec![
            ("fy2025.institution.2-01".to_string(), "yes".to_string()),
            ("fy2025.institution.2-10".to_string(), "no".to_string()),
            ("fy2025.institution.3-01".to_string(), "no".to_string()),
        ],
        "same ids and renumbered items carry over; new items do not"
    );
    let sheet = app.get(&mut b, &format!("/assessments/{this}")).await;
    assert_eq!(sheet.body.matches("要再確認</span>").count(), 3);
    let p = format!("/assessments/{this}/items/fy2025.institution.2-01?round=1");
    app.submit_multipart(
        &mut b,
        &p,
        &p,
        &[("answer", "yes"), ("checked_on", "2025-06-01")],
    )
    .await;
    let p = format!("/assessments/{this}/items/fy2025.institution.3-01?round=1");
    app.submit_multipart(
        &mut b,
        &p,
        &p,
        &[("answer", "yes"), ("checked_on", "2025-06-01")],
    )
    .await;
    let sheet = app.get(&mut b, &format!("/assessments/{this}")).await;
    assert_eq!(
        sheet.body.matches("要再確認</span>").count(),
        1,
        "confirming clears the mark"
    );
    let results = app
        .get(&mut b, &format!("/assessments/{this}/results"))
        .await;
    let yoy = &results.body[results
        .body
        .find("id=\"yoy\"")
        .expect("year-over-year table")..];
    assert!(
        yoy.contains("<th scope=\"row\">全体</th><td>33%</td><td>67%</td>"),
        "{}",
        &yoy[..yoy.find("</table>").unwrap_or(0)]
    );
}

#[tokio::test]
async fn a_sheet_round_trips_through_xlsx_and_faults_name_the_spreadsheet_row() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    app.submit_multipart(
        &mut b,
        &item,
        &item,
        &[
            ("answer", "no"),
            ("checked_on", "2025-06-10"),
            ("target_date", "2026-03-31"),
            ("notes", "台帳を作成中"),
        ],
    )
    .await;
    let req = Request::get(format!("/assessments/{id}/export.xlsx"));
    let res = app
        .router
        .clone()
        .oneshot(
            req.header(
                header::COOKIE,
                b.cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
            .body(Body::empty())
            .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let xlsx = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    let rows = mamori_report::read_xlsx(&xlsx).expect("readable workbook");
    assert!(rows[0][0].starts_with("令和7年度 医療機関確認用 — 守り市民病院"));
    assert_eq!(
        rows[1][..9].join(","),
        "項目ID,No.,項目,1回目確認日,1回目回答,目標日,2回目確認日,2回目回答,備考"
    );
    let ledger = rows
        .iter()
        .position(|r| r[0] == "fy2025.institution.2-01")
        .expect("ledger row");
    assert_eq!(rows[ledger][3..6].join(","), "2025-06-10,いいえ,2026-03-31");

    let other = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let csrf = app
        .get(&mut b, &format!("/assessments/{other}"))
        .await
        .hidden("csrf");
    let r = upload(
        &app,
        &mut b,
        &format!("/assessments/{other}/import"),
        &csrf,
        &xlsx,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let back = app
        .get(&mut b, &format!("/assessments/{other}/export.json"))
        .await
        .json();
    assert_eq!(back["answers"][0]["answer"]["notes"], "台帳を作成中");

    // Change one cell to a target date outside the fiscal year: the fault names the sheet's row.
    let mut edited = rows.clone();
    edited[ledger][5] = "2026-04-15".into();
    let header = edited[1].clone();
    let bad = mamori_report::write_xlsx(&mamori_report::Table {
        sheet_name: "x",
        title: "x",
        header: &header,
        rows: &edited[2..],
        widths: &[],
    })
    .expect("xlsx");
    let third = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let r = upload(
        &app,
        &mut b,
        &format!("/assessments/{third}/import"),
        &csrf,
        &bad,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains(&format!("<td>{}</td><td>F (目標日)</td>", ledger + 1)),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("sheet.csv — x"),
        "the file and the worksheet are named too"
    );
}

#[tokio::test]
async fn a_vendor_answers_the_sheet_it_was_sent_and_sees_nothing_else() {
    let app = App::new().await;
    let mut hospital = app.setup().await;
    let own = start_assessment(&app, &mut hospital, "fy2025.institution", "").await;
    let vendor_sheet = start_assessment(
        &app,
        &mut hospital,
        "fy2025.vendor",
        "守りシステム株式会社 電子カルテ",
    )
    .await;
    let page = format!("/assessments/{vendor_sheet}");
    let r = app
        .submit(
            &mut hospital,
            &page,
            &format!("{page}/send"),
            &[
                ("vendor_name", ""),
                ("contact_name", "事業 太郎"),
                ("email", "sales@vendor.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"sales@vendor.test\"") && r.body.contains("入力してください"));
    let r = app
        .submit(
            &mut hospital,
            &page,
            &format!("{page}/send"),
            &[
                ("vendor_name", "守りシステム株式会社"),
                ("contact_name", "事業 太郎"),
                ("email", "sales@vendor.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (mut vendor, _) = app.accept_invite(&r).await;

    let list = app.get(&mut vendor, "/assessments").await;
    assert!(
        list.body.contains("id=\"to-answer\"")
            && list.body.contains("守り市民病院")
            && list.body.contains(&vendor_sheet)
    );
    assert!(
        !list.body.contains(&own),
        "the hospital's own sheet is not listed to the vendor"
    );
    let sheet = app.get(&mut vendor, &page).await;
    assert!(sheet.body.contains("依頼元") && sheet.body.contains("守り市民病院"));
    let item = format!("{page}/items/fy2025.vendor.2-03?round=1");
    let r = app
        .submit_multipart(
            &mut vendor,
            &item,
            &item,
            &[
                ("answer", "yes"),
                ("checked_on", "2025-07-01"),
                ("notes", "MDS/SDS 第2版を提出"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let seen = app.get(&mut hospital, &page).await;
    assert!(
        seen.body.contains("守りシステム株式会社") && seen.body.contains("2025-07-01"),
        "the hospital sees the vendor's answer"
    );
    // The vendor reaches nothing else of the hospital's.
    for p in [
        format!("/assessments/{own}"),
        format!("/assessments/{own}/print"),
        format!("/assessments/{own}/export.json"),
    ] {
        assert_eq!(
            app.get(&mut vendor, &p).await.status,
            StatusCode::NOT_FOUND,
            "{p}"
        );
    }
    let csrf = sheet.hidden("csrf");
    let r = app
        .post(
            &mut vendor,
            &format!("{page}/maturity"),
            &[("csrf", &csrf), ("stage", "5"), ("rationale", "x")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "only the hospital grades its own maturity"
    );
    let r = app
        .post(
            &mut vendor,
            &format!("{page}/send"),
            &[("csrf", &csrf), ("email", "x@y.test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Sending a second sheet to an existing vendor account links it without a new organisation.
    let second = start_assessment(
        &app,
        &mut hospital,
        "fy2025.vendor",
        "守りシステム株式会社 PACS",
    )
    .await;
    let p2 = format!("/assessments/{second}");
    let r = app
        .submit(
            &mut hospital,
            &p2,
            &format!("{p2}/send"),
            &[("email", "sales@vendor.test")],
        )
        .await;
    assert_eq!(r.location(), p2);
    assert!(
        app.get(&mut vendor, "/assessments")
            .await
            .body
            .contains(&second)
    );
    // The hospital's results name the vendor sheets still open, and the inspection view prints
    // the hospital's own sheet first, then every vendor sheet.
    let results = app
        .get(&mut hospital, &format!("/assessments/{own}/results"))
        .await;
    assert!(
        results.body.contains("id=\"vendors-outstanding\"")
            && results.body.contains("守りシステム株式会社 電子カルテ")
    );
    let inspection = app
        .get(&mut hospital, "/assessments/inspection?fy=2025")
        .await;
    assert_eq!(inspection.status, StatusCode::OK);
    let own_at = inspection
        .body
        .find("令和7年度 医療機関確認用</h2>")
        .expect("own sheet");
    let vendor_at = inspection
        .body
        .find("令和7年度 事業者確認用 — 守りシステム株式会社 電子カルテ")
        .expect("vendor sheet");
    assert!(own_at < vendor_at && inspection.body.contains("MDS/SDS 第2版を提出"));
    assert_eq!(
        app.get(&mut vendor, "/assessments/inspection?fy=2025")
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the vendor has no sheets of its own"
    );
    // The hospital's own account is not a vendor.
    let third = start_assessment(&app, &mut hospital, "fy2025.vendor", "other").await;
    let p3 = format!("/assessments/{third}");
    let r = app
        .submit(
            &mut hospital,
            &p3,
            &format!("{p3}/send"),
            &[("email", "admin@mamori.test")],
        )
        .await;
    assert!(r.body.contains("自組織のアカウントです"), "{}", r.body);
    // An address with an account at another hospital is answered as one with no account at all:
    // the vendor's name is asked for, and a vendor account of its own is invited.
    app.other_clinic(&mut hospital).await;
    let r = app
        .submit(
            &mut hospital,
            &p3,
            &format!("{p3}/send"),
            &[("email", "x@other.test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("自組織のアカウントです"));
    let r = app
        .submit(
            &mut hospital,
            &p3,
            &format!("{p3}/send"),
            &[
                ("email", "x@other.test"),
                ("vendor_name", "別の事業者"),
                ("contact_name", "X"),
            ],
        )
        .await;
    assert!(r.body.contains("invite-link"), "{}", r.body);
}

#[tokio::test]
async fn everything_the_pages_do_with_a_sheet_the_api_does_too() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let last = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2024.institution"})),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    app.api(
        &token,
        "PUT",
        &format!("/api/v1/assessments/{last}/answers/fy2024.institution.2-01"),
        Some(serde_json::json!({"answer": "yes", "checked_on": "2024-06-01"})),
    )
    .await;
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.institution", "carry": true})),
        )
        .await;
    let id = r.json()["id"].as_str().expect("id").to_string();
    let d = app
        .api(&token, "GET", &format!("/api/v1/assessments/{id}"), None)
        .await
        .json();
    assert_eq!(
        d["answers"][0]["item_id"], "fy2025.institution.2-01",
        "carried over"
    );

    let r = app
        .api(
            &token,
            "PUT",
            &format!("/api/v1/assessments/{id}/maturity"),
            Some(serde_json::json!({"stage": 9, "rationale": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            &token,
            "PUT",
            &format!("/api/v1/assessments/{id}/maturity"),
            Some(serde_json::json!({"stage": 2, "rationale": "台帳のみ整備"})),
        )
        .await;
    assert_eq!(r.json()["maturity"], 2);

    let r = api_multipart(
        &app,
        &token,
        &format!("/api/v1/assessments/{id}/items/fy2025.institution.2-01/evidence"),
        &[("ledger.csv", b"a,b\n")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ev = r.json()[0]["id"].as_str().expect("evidence id").to_string();
    let list = app
        .api(
            &token,
            "GET",
            &format!("/api/v1/assessments/{id}/evidence"),
            None,
        )
        .await
        .json();
    assert_eq!(list[0]["filename"], "ledger.csv");
    let file = app
        .api(
            &token,
            "GET",
            &format!("/api/v1/assessments/{id}/evidence/{ev}"),
            None,
        )
        .await;
    assert_eq!(file.body, "a,b\n");

    let csv = app
        .api(
            &token,
            "GET",
            &format!("/api/v1/assessments/{id}/export.csv"),
            None,
        )
        .await;
    assert!(csv.body.contains("fy2025.institution.2-01,2-①"));
    let other = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.institution"})),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = api_multipart(
        &app,
        &token,
        &format!("/api/v1/assessments/{other}/import"),
        &[("sheet.csv", csv.body.as_bytes())],
    )
    .await;
    assert_eq!(r.json()["imported"], 1, "{}", r.body);
    let bad = csv.body.replace(",2024-06-01,はい,", ",2024-06-01,たぶん,");
    let r = api_multipart(
        &app,
        &token,
        &format!("/api/v1/assessments/{other}/import"),
        &[("sheet.csv", bad.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "E5");

    let vendor = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.vendor", "title": "検査システム"})),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = app.api(&token, "POST", &format!("/api/v1/assessments/{vendor}/send"), Some(serde_json::json!({"email": "lab@vendor.test", "vendor_name": "検査株式会社", "contact_name": "検査 花子"}))).await;
    assert!(
        r.json()["invite_url"]
            .as_str()
            .unwrap_or("")
            .starts_with("http://mamori.test/invite/"),
        "{}",
        r.body
    );
    let xlsx = app
        .api(
            &token,
            "GET",
            &format!("/api/v1/assessments/{id}/export.xlsx"),
            None,
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

/// The API follows the same rules as the pages: a vendor answers the sheet it was sent through
/// its token as through the page, cannot grade the hospital's maturity, and the hospital's audit
/// trail shows what the vendor did; a vendor sheet needs its title on both paths.
#[tokio::test]
async fn a_vendor_answers_through_the_api_and_the_hospital_sees_it_in_its_audit_trail() {
    let app = App::new().await;
    let mut hospital = app.setup().await;
    let h = app.token(&mut hospital).await;
    let r = app
        .api(
            &h,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.vendor"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "title");
    let r = app
        .api(
            &h,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.vendor", "title": "保守会社 電子カルテ"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .api(
            &h,
            "POST",
            &format!("/api/v1/assessments/{id}/send"),
            Some(serde_json::json!({"email": "api-vendor@vendor.test", "vendor_name": "保守会社", "contact_name": "保守 次郎"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let link = r.json()["invite_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = link.trim_start_matches("http://mamori.test");
    let mut vendor = Browser::default();
    let r = app
        .submit(
            &mut vendor,
            path,
            path,
            &[("password", USER_PW), ("password_confirm", USER_PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = app.token(&mut vendor).await;
    let listed = app.api(&v, "GET", "/api/v1/assessments", None).await;
    assert!(listed.body.contains(&id), "{}", listed.body);
    let item = "fy2025.vendor.2-03";
    let r = app
        .api(
            &v,
            "PUT",
            &format!("/api/v1/assessments/{id}/answers/{item}"),
            Some(serde_json::json!({"answer": "yes", "checked_on": "2025-09-20"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the respondent answers: {}",
        r.body
    );
    let r = app
        .api(
            &v,
            "PUT",
            &format!("/api/v1/assessments/{id}/maturity"),
            Some(serde_json::json!({"stage": 3, "rationale": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "only the owner grades");
    let detail = app
        .api(&h, "GET", &format!("/api/v1/assessments/{id}"), None)
        .await;
    let answer = &detail.json()["answers"][0];
    assert_eq!(answer["item_id"], item);
    assert_eq!(answer["updated_by"], "api-vendor@vendor.test");
    let audit = app
        .api(&h, "GET", "/api/v1/audit?action=assessment.answer", None)
        .await;
    assert_eq!(audit.status, StatusCode::OK);
    let rows = audit.json();
    assert!(
        rows.as_array()
            .is_some_and(|a| a.iter().any(|r| r["actor"] == "api-vendor@vendor.test")),
        "the vendor's answer is in the hospital's audit trail: {}",
        audit.body
    );
}

#[tokio::test]
async fn an_organisation_keeps_files_up_to_its_quota_and_the_same_file_twice_costs_nothing() {
    let app = App::with_config(|c| c.upload_quota_bytes = 100_000).await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let id = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.institution"})),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/api/v1/assessments/{id}/items/fy2025.institution.2-01/evidence");
    let first = vec![b'a'; 60_000];
    let second = vec![b'b'; 60_000];
    let r = api_multipart(&app, &token, &path, &[("ledger.csv", &first)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api_multipart(&app, &token, &path, &[("ledger-copy.csv", &first)]).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the same bytes are kept once"
    );
    let r = api_multipart(&app, &token, &path, &[("other.csv", &second)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "quota_exceeded");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("保存容量") && m.contains("1 MB / 1 MB")),
        "{}",
        r.body
    );
    let listed = app
        .api(
            &token,
            "GET",
            &format!("/api/v1/assessments/{id}/evidence"),
            None,
        )
        .await;
    assert_eq!(
        listed.json().as_array().map(Vec::len),
        Some(2),
        "nothing of the refused file"
    );
}

#[tokio::test]
async fn the_dashboard_shows_the_newest_assessment_and_lists_hold_every_one() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let start = |title: &'static str| {
        let token = token.clone();
        let app = &app;
        async move {
            app.api(
                &token,
                "POST",
                "/api/v1/assessments",
                Some(serde_json::json!({"sheet": "fy2025.institution", "title": title})),
            )
            .await
            .json()["id"]
                .as_str()
                .expect("id")
                .to_string()
        }
    };
    let older = start("A 病棟").await;
    app.advance(Duration::minutes(1));
    let newer = start("B 病棟").await;
    app.api(
        &token,
        "POST",
        "/api/v1/assessments",
        Some(serde_json::json!({"sheet": "fy2024.institution"})),
    )
    .await;
    let dashboard = app.get(&mut admin, "/").await;
    assert!(
        dashboard.body.contains(&format!("/assessments/{newer}")),
        "{}",
        dashboard.body
    );
    assert!(!dashboard.body.contains(&format!("/assessments/{older}")));
    let list = app.api(&token, "GET", "/api/v1/assessments", None).await;
    assert_eq!(list.json().as_array().map(Vec::len), Some(3));
    let page = app.get(&mut admin, "/assessments").await;
    assert!(page.body.contains(&older) && page.body.contains(&newer));
}

#[tokio::test]
async fn odd_dates_warn_and_are_kept_once_confirmed_and_two_factor_may_aim_at_fy2027() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let sheet = app.get(&mut b, &format!("/assessments/{id}")).await;
    assert!(
        sheet.body.contains("出典未確認の番号/文言") && !sheet.body.contains("要確認"),
        "inferred catalog data is named for what it is"
    );
    // Two-factor authentication (2-⑩) may be planned up to the end of FY2027, not beyond.
    let mfa = format!("/assessments/{id}/items/fy2025.institution.2-13?round=1");
    let form = app.get(&mut b, &mfa).await;
    assert!(
        form.body.contains("2025-04-01 – 2028-03-31"),
        "{}",
        form.body
    );
    let answer = |target: &'static str| {
        vec![
            ("answer", "no"),
            ("checked_on", "2025-06-10"),
            ("target_date", target),
        ]
    };
    let r = app
        .submit_multipart(&mut b, &mfa, &mfa, &answer("2028-04-01"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("項目が認める年度の末まで"), "{}", r.body);
    let r = app
        .submit_multipart(&mut b, &mfa, &mfa, &answer("2028-03-31"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A 確認日 in the last fiscal year is not refused, nor silently taken: it warns.
    let item = format!("/assessments/{id}/items/fy2025.institution.2-01?round=1");
    let early = [
        ("answer", "yes"),
        ("checked_on", "2025-03-20"),
        ("notes", "前年度末に棚卸し"),
    ];
    let r = app.submit_multipart(&mut b, &item, &item, &early).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("確認日がこのシートの年度")
            && r.body.contains("name=\"accept_warnings\"")
            && r.body.contains("前年度末に棚卸し"),
        "{}",
        r.body
    );
    let sheet = app.get(&mut b, &format!("/assessments/{id}")).await;
    assert!(
        !sheet.body.contains("確認日がこのシートの年度"),
        "nothing saved yet"
    );
    let mut confirmed = early.to_vec();
    confirmed.push(("accept_warnings", "1"));
    let r = app.submit_multipart(&mut b, &item, &item, &confirmed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sheet = app.get(&mut b, &format!("/assessments/{id}")).await;
    assert!(
        sheet.body.contains("確認日がこのシートの年度"),
        "the kept answer stays flagged on the sheet"
    );

    // The API says the same and takes the same confirmation.
    let token = app.token(&mut b).await;
    let put = format!("/api/v1/assessments/{id}/answers/fy2025.institution.3-02?round=1");
    let body = serde_json::json!({"answer": "no", "checked_on": "2025-06-10", "target_date": "2025-05-01"});
    let r = app.api(&token, "PUT", &put, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["code"],
        "warning.target_before_check"
    );
    let mut body = body;
    body["accept_warnings"] = serde_json::json!(true);
    let r = app.api(&token, "PUT", &put, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn each_register_named_on_the_checklist_links_to_its_own_register() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let id = start_assessment(&app, &mut b, "fy2025.institution", "").await;
    let sheet = app.get(&mut b, &format!("/assessments/{id}")).await;
    let row = |item: &str| {
        let at = sheet
            .body
            .find(&format!("id=\"item-fy2025.institution.{item}\""))
            .unwrap_or_else(|| panic!("no item {item}"));
        let rest = &sheet.body[at..];
        rest[..rest.find("</tr>").unwrap_or(rest.len())].to_string()
    };
    for (item, href) in [
        ("2-01", "/registers/devices"),
        ("2-02", "/registers/remote_connections"),
        ("2-03", "/registers/vendors"),
        ("2-05-server", "/registers/accounts"),
        ("3-01", "/preparedness"),
        ("3-02", "/registers/backups"),
    ] {
        let r = row(item);
        assert!(
            r.contains(&format!("href=\"{href}\"")),
            "{item} → {href}: {r}"
        );
    }
    assert!(row("3-02").contains("href=\"/registers/restore_tests\""));
    assert!(!row("2-02").contains("href=\"/registers/devices\""));
}
