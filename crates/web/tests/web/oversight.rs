//! Oversight through the pages and the API: the home organisation sets who oversees where, a
//! prefecture imports its roster, an institution submits its checklist as frozen versions, and
//! each authority reads what lies in its jurisdiction and nothing else.

use crate::support::*;
use serde_json::json;

/// An authority registered by the home administrator: its administrator's browser, a token
/// and its id.
async fn authority(
    app: &App,
    home: &mut Browser,
    name: &str,
    email: &str,
) -> (Browser, String, String) {
    let r = app
        .submit(
            home,
            "/organisations",
            "/organisations",
            &[
                ("name", name),
                ("kind", "municipality"),
                ("admin_name", "担当"),
                ("admin_email", email),
            ],
        )
        .await;
    let (mut b, _) = app.accept_invite(&r).await;
    let token = app.token(&mut b).await;
    let id = app.api(&token, "GET", "/api/v1/me", None).await.json()["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (b, token, id)
}

#[tokio::test]
async fn a_prefecture_sees_who_submitted_in_its_jurisdiction_and_a_submission_never_changes() {
    let app = App::new().await;
    let mut home = app.setup().await;
    let home_token = app.token(&mut home).await;
    let (mut tokyo_b, tokyo, tokyo_id) = authority(&app, &mut home, "東京都", "t@tokyo.test").await;
    let (_, kanagawa, kanagawa_id) =
        authority(&app, &mut home, "神奈川県", "k@kanagawa.test").await;

    // Only the home organisation sets jurisdictions; the authority cannot widen its own.
    let own = app
        .api(
            &tokyo,
            "PUT",
            &format!("/api/v1/oversight/jurisdictions/{tokyo_id}"),
            Some(json!({"scope": "national"})),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let bad = app
        .submit(
            &mut home,
            "/oversight/jurisdictions",
            &format!("/oversight/jurisdictions/{tokyo_id}"),
            &[
                ("scope", "municipalities"),
                ("prefecture", ""),
                ("municipalities", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("都道府県を選んでください"));
    let set = app
        .submit(
            &mut home,
            "/oversight/jurisdictions",
            &format!("/oversight/jurisdictions/{tokyo_id}"),
            &[("scope", "prefecture"), ("prefecture", "13")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let r = app
        .api(
            &home_token,
            "PUT",
            &format!("/api/v1/oversight/jurisdictions/{kanagawa_id}"),
            Some(json!({"scope": "prefecture", "prefecture": "神奈川県"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // Tokyo imports its roster from its own list; a faulty one is refused by row and column and
    // leaves the roster as it was.
    let page = app.get(&mut tokyo_b, "/oversight").await;
    assert!(page.body.contains("東京都"), "{}", page.body);
    let csrf = page.hidden("csrf");
    let roster = "医療機関番号,施設名,施設種別,許可病床数,所在市区町村\n1312345678,守り市民病院,病院,200,新宿区\n1398765432,まもり薬局,薬局,,中野区\n";
    let r = upload(
        &app,
        &mut tokyo_b,
        "/oversight/roster",
        &csrf,
        roster.as_bytes(),
    )
    .await;
    let r = if r.status == StatusCode::OK {
        // Columns other than ours are shown for review first; confirm them as recognised.
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("action".into(), "confirm".into()),
            ("data".into(), html_unescape(&r.hidden("data"))),
            ("file".into(), r.hidden("file")),
            ("offset".into(), r.hidden("offset")),
        ];
        for (k, h) in [
            ("code", "医療機関番号"),
            ("name", "施設名"),
            ("type", "施設種別"),
            ("beds", "許可病床数"),
            ("municipality", "所在市区町村"),
        ] {
            fields.push((format!("map_{k}"), h.into()));
        }
        let f: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        app.post(&mut tokyo_b, "/oversight/roster/review", &f).await
    } else {
        r
    };
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let faulty = "医療機関コード,名称,種別,病床数,市区町村\n1311111111,良い病院,病院,100,港区\n99,悪い行,温泉,,\n";
    let r = upload(
        &app,
        &mut tokyo_b,
        "/oversight/roster",
        &csrf,
        faulty.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("医療機関コードは都道府県番号で始まる10桁"),
        "{}",
        r.body
    );
    let kept = app
        .api(&tokyo, "GET", "/api/v1/oversight/roster", None)
        .await
        .json();
    assert_eq!(kept.as_array().unwrap().len(), 2, "{kept}");

    // The home hospital answers its FY2025 sheet and submits it to Tokyo.
    let assessment = start_assessment(&app, &mut home, "fy2025.institution", "").await;
    let answer = app
        .api(
            &home_token,
            "PUT",
            &format!("/api/v1/assessments/{assessment}/answers/fy2025.institution.1-01?round=1"),
            Some(json!({"answer": "yes", "checked_on": "2025-06-10"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // A code outside the authority's prefecture is refused, with what was typed kept.
    let outside = app
        .submit(
            &mut home,
            "/oversight/submit",
            "/oversight/submit",
            &[
                ("authority_id", &tokyo_id),
                ("assessment_id", &assessment),
                ("institution_code", "1412345678"),
                ("municipality", "横浜市"),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(outside.body.contains(r#"value="1412345678""#));
    assert!(outside.body.contains("所管に、医療機関コードの都道府県"));
    let first = app
        .submit(
            &mut home,
            "/oversight/submit",
            "/oversight/submit",
            &[
                ("authority_id", &tokyo_id),
                ("assessment_id", &assessment),
                ("institution_code", "１３１２３４５６７８"),
                ("municipality", "新宿区"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let first_id = first
        .location()
        .trim_start_matches("/oversight/submissions/")
        .to_string();
    let shown = app.get(&mut home, first.location()).await;
    assert!(shown.body.contains("v1"));
    let first_digest = shown.by_id("digest");
    assert_eq!(first_digest.len(), 64);
    // A changed answer, submitted again, is version 2; version 1 stays as it was.
    app.api(
        &home_token,
        "PUT",
        &format!("/api/v1/assessments/{assessment}/answers/fy2025.institution.1-01?round=1"),
        Some(json!({"answer": "no", "checked_on": "2025-06-11", "target_date": "2026-03-01"})),
    )
    .await;
    let second = app
        .api(
            &home_token,
            "POST",
            "/api/v1/oversight/submissions",
            Some(
                json!({"authority_id": tokyo_id, "assessment_id": assessment,
                "institution_code": "1312345678", "municipality": "新宿区"}),
            ),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second = second.json();
    assert_eq!(second["version"], 2);
    assert_ne!(second["digest"], first_digest.as_str());
    let again = app
        .api(
            &tokyo,
            "GET",
            &format!("/api/v1/oversight/submissions/{first_id}"),
            None,
        )
        .await
        .json();
    assert_eq!(again["digest"], first_digest.as_str());
    let item = again["snapshot"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["item_id"] == "fy2025.institution.1-01")
        .unwrap()
        .clone();
    assert_eq!(item["answer"], "yes");

    // A snapshot made by the institution's own mamori elsewhere is kept exactly as sent, as the
    // next version; one that does not fit its sheet is refused whole.
    let mut made: mamori_domain::oversight::ChecklistSnapshot =
        serde_json::from_value(again["snapshot"].clone()).unwrap();
    made.answers[1].answer = "yes".into();
    let sent = app
        .api(
            &home_token,
            "POST",
            "/api/v1/oversight/snapshots",
            Some(json!({"authority_id": tokyo_id, "snapshot": made})),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.json()["version"], 3);
    let sent_id = sent.json()["id"].as_str().unwrap().to_string();
    assert_eq!(sent.json()["digest"], made.digest().as_str());
    let mut wrong = made.clone();
    wrong.answers.swap(0, 1);
    wrong.answers[2].answer = "maybe".into();
    let refused = app
        .api(
            &home_token,
            "POST",
            "/api/v1/oversight/snapshots",
            Some(json!({"authority_id": kanagawa_id, "snapshot": wrong})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("snapshot.answers"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("authority_id"), "{}", refused.body);
    // Tokyo sees who submitted and who did not; one institution's rate is not shown.
    let overview = app
        .api(
            &tokyo,
            "GET",
            "/api/v1/oversight/overview?fiscal_year=2025",
            None,
        )
        .await
        .json();
    assert_eq!(overview["missing"], 1, "{overview}");
    let hospital = overview["roster"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["entry"]["code"] == "1312345678")
        .unwrap()
        .clone();
    assert_eq!(hospital["latest"]["version"], 3);
    assert!(overview["items"][0]["yes_percent"].is_null());
    let page = app.get(&mut tokyo_b, "/oversight?fy=2025").await;
    assert!(page.body.contains("未提出"));
    assert!(page.body.contains("提出済 v3"));
    let csv = app.get(&mut tokyo_b, "/oversight/export.csv?fy=2025").await;
    assert!(
        csv.body
            .contains("1398765432,まもり薬局,薬局,,中野区,未提出"),
        "{}",
        csv.body
    );
    // Filtered by type, size or municipality: the figures are of those institutions only.
    let pharmacies = app
        .api(
            &tokyo,
            "GET",
            "/api/v1/oversight/overview?fiscal_year=2025&type=pharmacy",
            None,
        )
        .await
        .json();
    assert_eq!(pharmacies["roster"].as_array().unwrap().len(), 1);
    assert_eq!(pharmacies["missing"], 1);
    assert!(
        pharmacies["items"].as_array().unwrap().is_empty(),
        "no sheet among them: {pharmacies}"
    );
    let large = app
        .api(
            &tokyo,
            "GET",
            "/api/v1/oversight/overview?fiscal_year=2025&beds=200%2B",
            None,
        )
        .await
        .json();
    assert_eq!(large["missing"], 0, "{large}");
    assert_eq!(large["roster"].as_array().unwrap().len(), 1);
    let page = app
        .get(
            &mut tokyo_b,
            "/oversight?fy=2025&municipality=%E4%B8%AD%E9%87%8E%E5%8C%BA",
        )
        .await;
    assert!(page.body.contains("まもり薬局</td>"), "{}", page.body);
    assert!(!page.body.contains("守り市民病院</td>"));
    let bad = app
        .api(&tokyo, "GET", "/api/v1/oversight/overview?type=onsen", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let xlsx = app
        .get(&mut tokyo_b, "/oversight/export.xlsx?fy=2025&type=hospital")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "a workbook");

    // Kanagawa sees none of it, not even by id.
    let k = app
        .api(
            &kanagawa,
            "GET",
            "/api/v1/oversight/submissions?fiscal_year=2025",
            None,
        )
        .await
        .json();
    assert_eq!(k, json!([]));
    let r = app
        .api(
            &kanagawa,
            "GET",
            &format!("/api/v1/oversight/submissions/{first_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The institution lists its own two versions.
    let own = app
        .api(
            &home_token,
            "GET",
            "/api/v1/oversight/own-submissions",
            None,
        )
        .await
        .json();
    assert_eq!(own.as_array().unwrap().len(), 3);

    // Tokyo records an inspection from the roster row: a finding on item 1-01 by its number, a
    // general one, guidance and a follow-up due.
    let number = item["number"].as_str().unwrap().to_string();
    let form = app
        .get(&mut tokyo_b, "/oversight/inspections/new?code=1312345678")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let findings = format!("{number} 確認日の記録がない\n委託先との責任分界が不明確");
    let bad = app
        .submit(
            &mut tokyo_b,
            "/oversight/inspections/new?code=1312345678",
            "/oversight/inspections",
            &[
                ("institution_code", "1312345678"),
                ("inspected_on", "2025-10-01"),
                ("inspectors", ""),
                ("findings", &findings),
                ("follow_up_due", "2025-09-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("確認日の記録がない"),
        "what was typed is kept"
    );
    let recorded = app
        .submit(
            &mut tokyo_b,
            "/oversight/inspections/new?code=1312345678",
            "/oversight/inspections",
            &[
                ("institution_code", "1312345678"),
                ("inspected_on", "令和7年10月1日"),
                ("inspectors", "監督 一郎"),
                ("findings", &findings),
                ("guidance", "年度内に改善して報告すること"),
                ("follow_up_due", "2025-12-26"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let inspection_id = recorded
        .location()
        .trim_start_matches("/oversight/inspections/")
        .to_string();
    let kept = app
        .api(
            &tokyo,
            "GET",
            &format!("/api/v1/oversight/inspections/{inspection_id}"),
            None,
        )
        .await
        .json();
    assert_eq!(kept["findings"][0]["item_id"], "fy2025.institution.1-01");
    assert_eq!(kept["findings"][1]["number"], "");
    assert_eq!(
        kept["submission"],
        sent_id.as_str(),
        "the latest submission seen"
    );
    // The institution sees it with its follow-up as a task, and reports it done.
    let mine = app
        .api(&home_token, "GET", "/api/v1/oversight/my-inspections", None)
        .await
        .json();
    assert_eq!(mine[0]["id"], inspection_id.as_str());
    let page = app
        .get(
            &mut home,
            &format!("/oversight/inspections/{inspection_id}"),
        )
        .await;
    assert!(page.body.contains("follow-up-form"), "{}", page.body);
    let owed = app.get(&mut home, "/oversight/my-inspections").await;
    assert!(
        owed.body
            .contains(r#"<span class="bad">期限 2025-12-26</span>"#),
        "{}",
        owed.body
    );
    let done = app
        .submit(
            &mut home,
            &format!("/oversight/inspections/{inspection_id}"),
            &format!("/oversight/inspections/{inspection_id}/follow-up"),
            &[
                ("done_on", "2025-11-20"),
                ("note", "確認日を記録する手順を定めた"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = app
        .api(
            &tokyo,
            "GET",
            &format!("/api/v1/oversight/inspections/{inspection_id}"),
            None,
        )
        .await
        .json();
    assert_eq!(after["follow_up_done_on"], "2025-11-20");
    let owed = app.get(&mut home, "/oversight/my-inspections").await;
    assert!(
        owed.body.contains("報告済 2025-11-20"),
        "reported, no longer due: {}",
        owed.body
    );
    // Kanagawa neither reads it nor records one; the institution records none.
    let r = app
        .api(
            &kanagawa,
            "GET",
            &format!("/api/v1/oversight/inspections/{inspection_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            &home_token,
            "POST",
            "/api/v1/oversight/inspections",
            Some(
                json!({"institution_code": "1312345678", "inspected_on": "2025-10-01",
                "inspectors": "x"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
