//! The dashboard, the lists and their pages make a bounded number of database calls whatever the
//! number of assessments, answers, devices, incidents and audit records.

use crate::support::*;

/// The routes counted, as a browser (pages) or a token holder (API) asks for them.
const PAGES: [&str; 5] = [
    "/",
    "/assessments",
    "/incidents",
    "/registers/devices",
    "/audit",
];
const API: [&str; 5] = [
    "/api/v1/assessments",
    "/api/v1/registers/devices",
    "/api/v1/registers/devices?limit=10",
    "/api/v1/incidents",
    "/api/v1/reports",
];

/// Adds `n` assessments with two answers each, `n` devices, `n` open incidents and `n` reports.
async fn grow(app: &App, token: &str, from: usize, n: usize) {
    for k in from..from + n {
        let r = app
            .api(
                token,
                "POST",
                "/api/v1/assessments",
                Some(serde_json::json!({"sheet": "fy2025.institution"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().expect("id").to_string();
        for item in ["2-01", "2-02"] {
            let r = app
                .api(
                    token,
                    "PUT",
                    &format!("/api/v1/assessments/{id}/answers/fy2025.institution.{item}"),
                    Some(serde_json::json!({"answer": "yes", "checked_on": "2025-06-01"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = app
            .api(
                token,
                "POST",
                "/api/v1/registers/devices",
                Some(serde_json::json!({"name": format!("端末{k:04}"), "kind": "pc"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .api(
                token,
                "POST",
                "/api/v1/incidents",
                Some(serde_json::json!({
                    "title": format!("事案{k}"), "kind": "ransomware", "severity": "high",
                    "aware_at": "2026-05-01T09:30", "personal_data": "yes", "pd_count": 10
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .api(
                token,
                "POST",
                "/api/v1/reports",
                Some(serde_json::json!({"what": format!("画面が固まる{k}"), "place": "外来"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
}

/// The database calls each route makes, asked twice: the first read may count and keep figures
/// that changed, the second is what every later reader pays.
async fn calls(app: &App, b: &mut Browser, token: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for path in PAGES {
        for _ in 0..2 {
            let before = app.store.db_calls();
            let r = app.get(b, path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            out.push((path.to_string(), app.store.db_calls() - before));
        }
    }
    for path in API {
        for _ in 0..2 {
            let before = app.store.db_calls();
            let r = app.api(token, "GET", path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            out.push((path.to_string(), app.store.db_calls() - before));
        }
    }
    // Only the second of each pair.
    out.into_iter().skip(1).step_by(2).collect()
}

#[tokio::test]
async fn pages_and_lists_make_as_many_database_calls_for_thirty_rows_as_for_two() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    grow(&app, &token, 0, 2).await;
    let small = calls(&app, &mut admin, &token).await;
    grow(&app, &token, 2, 28).await;
    let large = calls(&app, &mut admin, &token).await;
    assert_eq!(small, large);
    // And they are few: a page needs the session, then a handful of reads; the dashboard of a
    // security manager reads every register's state for the risk card, all registers' rows and
    // reviews at once.
    for (path, n) in &large {
        let most = if *path == "/" { 20 } else { 8 };
        assert!(*n <= most, "{path}: {n} calls");
    }
}

#[tokio::test]
async fn the_figures_a_list_shows_follow_every_answer() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let id = start_assessment(&app, &mut admin, "fy2025.institution", "").await;
    let listed = |body: serde_json::Value| {
        let a = body
            .as_array()
            .and_then(|l| l.iter().find(|a| a["id"] == id.as_str()).cloned())
            .expect("listed");
        (a["completion"].as_u64(), a["yes_percent"].as_u64())
    };
    let empty = listed(
        app.api(&token, "GET", "/api/v1/assessments", None)
            .await
            .json(),
    );
    assert_eq!(empty, (Some(0), None));
    for (item, answer) in [("2-01", "yes"), ("2-02", "no"), ("2-02", "yes")] {
        let mut body = serde_json::json!({"answer": answer, "checked_on": "2025-06-01"});
        if answer == "no" {
            body["target_date"] = "2026-03-31".into();
        }
        let r = app
            .api(
                &token,
                "PUT",
                &format!("/api/v1/assessments/{id}/answers/fy2025.institution.{item}"),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The list agrees with the assessment's own figures after every change.
        let one = app
            .api(&token, "GET", &format!("/api/v1/assessments/{id}"), None)
            .await
            .json();
        let whole = (
            one["assessment"]["completion"].as_u64(),
            one["assessment"]["yes_percent"].as_u64(),
        );
        let list = listed(
            app.api(&token, "GET", "/api/v1/assessments", None)
                .await
                .json(),
        );
        assert_eq!(list, whole, "after {item} {answer}");
    }
    let last = listed(
        app.api(&token, "GET", "/api/v1/assessments", None)
            .await
            .json(),
    );
    assert_eq!(last.1, Some(100), "2-02 changed from いいえ to はい");
    // The page shows the same.
    let page = app.get(&mut admin, "/assessments").await;
    assert!(page.body.contains("100%"), "{}", page.body);
}
