//! The OpenAPI document: served, complete, and as reviewed.

use crate::support::*;

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = App::new().await;
    let mut b = Browser::default();
    let r = app.get(&mut b, "/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let paths = doc["paths"].as_object().expect("paths");
    // Every capability's operations are in the document the router serves.
    for p in [
        "/api/v1/me",
        "/api/v1/users/{id}",
        "/api/v1/assessments/{id}/answers/{item}",
        "/api/v1/reports",
        "/api/v1/incidents/{id}/duties/{duty}",
        "/api/v1/contacts/{id}",
        "/api/v1/procedures",
        "/api/v1/registers/devices/import",
        "/api/v1/registers/{code}/{id}/files",
        "/api/v1/accounts-review/import",
        "/api/v1/vulnerabilities/import",
        "/api/v1/findings/{device}/{cve}",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    // Every operation names its permission (or none, for any token holder), and every
    // permission it names exists: the route guard reads exactly these.
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            let scopes = op["security"][0]["token"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} has no token requirement"));
            for s in scopes {
                let code = s.as_str().unwrap_or_default();
                assert!(
                    mamori_domain::authz::Permission::from_code(code).is_some(),
                    "{method} {path}: unknown permission {code}"
                );
            }
        }
    }
}

/// The document is kept as a snapshot, so that every change to the API shows in review.
#[test]
fn the_openapi_document_is_as_reviewed() {
    insta::assert_json_snapshot!("openapi", mamori_web::openapi());
}

#[tokio::test]
async fn no_api_text_is_longer_than_the_document_says() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let huge = "あ".repeat(1_500_000 / 3);
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/reports",
            Some(serde_json::json!({"what": "x", "place": huge})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "place");
    assert_eq!(r.json()["error"]["fields"][0]["code"], "error.too_long");
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/assessments",
            Some(serde_json::json!({"sheet": "fy2025.institution", "title": "x".repeat(8001)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "title");
    // Member names count too, and a body is an object, never its fields in an array.
    let long_key =
        serde_json::json!({"fields": {"kind": "vpn", "name": "保守用VPN", "k".repeat(8001): ""}});
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/registers/remote_connections",
            Some(long_key),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "fields");
    let me = app.api(&token, "GET", "/api/v1/me", None).await.json()["user"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = app
        .api(
            &token,
            "PATCH",
            &format!("/api/v1/users/{me}"),
            Some(serde_json::json!([null, null])),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Numbers have their documented range.
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/incidents",
            Some(serde_json::json!({
                "title": "x", "kind": "ransomware", "severity": "high", "aware_at": "2026-05-01T09:30",
                "personal_data": "yes", "pd_count": 200_000_001u64
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|e| e["code"] == "error.people_count_range")),
        "{}",
        r.body
    );
    // Every string a request body may carry has its limit in the document.
    let doc = mamori_web::openapi();
    let schema = &doc["components"]["schemas"]["AnomalyIn"]["properties"];
    assert!(
        schema
            .as_object()
            .expect("properties")
            .values()
            .filter(|p| p["type"] == "string" && p.get("format").is_none())
            .all(|p| p["maxLength"].as_u64().is_some_and(|n| n <= 8000)),
        "{schema}"
    );
}
