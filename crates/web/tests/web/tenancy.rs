//! The tenancy and permission matrix, generated from the route table itself so that a new route
//! is covered without anyone remembering: every page route and every API operation, tried by
//! every role of a second organisation and of a vendor (with their sessions and their tokens)
//! against the first organisation's objects, and by every role of the first organisation against
//! the permission each route declares.

use crate::support::*;
use mamori_domain::authz::{Actor, Permission};
use mamori_domain::org::OrgKind;
use mamori_domain::role::{Role, RoleSet};
use mamori_web::{Body as RouteBody, Guard};
use serde_json::{Value, json};

const ROLES: [&str; 6] = [
    "admin",
    "executive",
    "security_manager",
    "planner",
    "system_operator",
    "staff",
];

/// What the first organisation holds, one of everything, each marked so that any byte of it in
/// a response to someone else is found.
struct Objects {
    org: String,
    assessment: String,
    item: String,
    evidence: String,
    report: String,
    incident: String,
    task: String,
    duty: String,
    contact: String,
    procedure: String,
    device: String,
    cve: String,
    row: String,
    file: String,
    nurse: String,
    token: String,
    collection: String,
    stix_object: String,
    status: String,
    feed: String,
    alert: String,
    draft: String,
    group: String,
    submission: String,
    inspection: String,
}

/// Strings only the first organisation's data contains.
const SECRETS: [&str; 13] = [
    "a-secret-feed-token",
    "A-SECRET",
    "secret-nurse@hospital-a.test",
    "boss@a.test",
    "守り市民病院",
    "a-secret-evidence.pdf",
    "a-secret-login",
    "A-STAFF-999",
    "a-line-file.pdf",
    "秘密の手順",
    "秘密の報告",
    "秘密の連絡先",
    "秘密のインシデント",
];

fn id_of(r: &Res) -> String {
    r.json()["id"].as_str().unwrap_or_default().to_string()
}

async fn ok(r: Res, what: &str) -> Res {
    assert!(r.status.is_success(), "{what}: {} {}", r.status, r.body);
    r
}

/// Builds the first organisation's objects through its API.
async fn objects(app: &App, admin: &mut Browser) -> Objects {
    let mut boss = app
        .user(
            admin,
            "boss@a.test",
            &[
                "admin",
                "executive",
                "security_manager",
                "planner",
                "system_operator",
            ],
        )
        .await;
    let t = app.token(&mut boss).await;
    app.user(admin, "secret-nurse@hospital-a.test", &["staff"])
        .await;
    let sheet = ok(
        app.api(
            &t,
            "POST",
            "/api/v1/assessments",
            Some(json!({"sheet": "fy2025.institution", "title": "A-SECRET-SHEET"})),
        )
        .await,
        "assessment",
    )
    .await;
    let assessment = id_of(&sheet);
    let item = "fy2025.institution.2-01".to_string();
    ok(
        app.api(
            &t,
            "PUT",
            &format!("/api/v1/assessments/{assessment}/answers/{item}"),
            Some(json!({"answer": "yes", "checked_on": "2025-09-20", "notes": "A-SECRET-NOTE"})),
        )
        .await,
        "answer",
    )
    .await;
    let ev = ok(
        api_multipart(
            app,
            &t,
            &format!("/api/v1/assessments/{assessment}/items/{item}/evidence"),
            &[("a-secret-evidence.pdf", b"%PDF-1.4 A-SECRET")],
        )
        .await,
        "evidence",
    )
    .await;
    let evidence = ev.json()[0]["id"].as_str().unwrap_or_default().to_string();
    let report = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/reports",
                Some(json!({"what": "秘密の報告 A-SECRET-REPORT", "place": "A-SECRET-WARD"})),
            )
            .await,
            "report",
        )
        .await,
    );
    ok(
        app.api(
            &t,
            "POST",
            "/api/v1/reports",
            Some(json!({"what": "秘密の報告 A-SECRET-REPORT-2"})),
        )
        .await,
        "second report",
    )
    .await;
    let facts = json!({
        "title": "秘密のインシデント A-SECRET-INCIDENT", "kind": "ransomware", "severity": "high",
        "aware_at": "2026-05-01T09:00", "cyber_attack": true, "care_disrupted": true,
        "personal_data": "yes", "pd_count": 3, "pd_sensitive": true, "systems": "A-SECRET-EMR"
    });
    let inc = ok(
        app.api(
            &t,
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            Some(facts),
        )
        .await,
        "incident",
    )
    .await;
    let incident = inc.json()["incident"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let duty = inc.json()["duties"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ok(
        app.api(
            &t,
            "POST",
            &format!("/api/v1/incidents/{incident}/documents/mhlw_report"),
            Some(json!({"fields": {"summary": "A-SECRET-DOC"}})),
        )
        .await,
        "document",
    )
    .await;
    let contact = id_of(
        &ok(
            app.api(&t, "POST", "/api/v1/contacts", Some(json!({"group": "internal", "role": "秘密の連絡先 A-SECRET-CONTACT", "phone": "03-0000-0000"}))).await,
            "contact",
        )
        .await,
    );
    let procedure = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/procedures",
                Some(json!({"system": "A-SECRET-PROC", "steps": "秘密の手順"})),
            )
            .await,
            "procedure",
        )
        .await,
    );
    let device = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/registers/devices",
                Some(json!({"kind": "network", "name": "A-SECRET-VPN", "vendor": "Fortinet", "product": "FortiGate 60F", "version": "6.0.4", "internet_facing": true})),
            )
            .await,
            "device",
        )
        .await,
    );
    ok(
        api_multipart(
            app,
            &t,
            "/api/v1/vulnerabilities/import",
            &[(
                "kev.json",
                include_bytes!("../../../../testdata/vuln/kev-slice.json"),
            )],
        )
        .await,
        "feed",
    )
    .await;
    let findings = ok(
        app.api(&t, "GET", "/api/v1/findings", None).await,
        "findings",
    )
    .await;
    let cve = findings.json()[0]["cve"]
        .as_str()
        .expect("a finding on the VPN appliance")
        .to_string();
    let row = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/registers/remote_connections",
                Some(json!({"fields": {"name": "A-SECRET-LINE", "kind": "vpn", "device": "A-SECRET-VPN"}})),
            )
            .await,
            "row",
        )
        .await,
    );
    let file = id_of(
        &ok(
            api_multipart(
                app,
                &t,
                &format!("/api/v1/registers/remote_connections/{row}/files"),
                &[("a-line-file.pdf", b"A-SECRET-FILE")],
            )
            .await,
            "file",
        )
        .await,
    );
    let accounts = "ログインID,氏名\na-secret-login,A-SECRET-PERSON\n";
    let r = app
        .send(
            &mut Browser::default(),
            Request::post("/api/v1/accounts-review/import")
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(
                    header::CONTENT_TYPE,
                    "multipart/form-data; boundary=acctboundary",
                ),
            Body::from(format!(
                "--acctboundary\r\nContent-Disposition: form-data; name=\"system\"\r\n\r\nA-SECRET-EMR\r\n\
                 --acctboundary\r\nContent-Disposition: form-data; name=\"map_login\"\r\n\r\nログインID\r\n\
                 --acctboundary\r\nContent-Disposition: form-data; name=\"map_name\"\r\n\r\n氏名\r\n\
                 --acctboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n\r\n{accounts}\r\n\
                 --acctboundary--\r\n"
            )),
        )
        .await;
    ok(r, "accounts").await;
    ok(
        api_multipart(
            app,
            &t,
            "/api/v1/accounts-review/staff",
            &[(
                "staff.csv",
                "職員番号,氏名,退職日\nA-STAFF-999,A-SECRET-STAFF,\n".as_bytes(),
            )],
        )
        .await,
        "staff",
    )
    .await;
    let collection = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/sharing/collections",
                Some(json!({"title": "A-SECRET-COLLECTION", "default_tlp": "clear"})),
            )
            .await,
            "collection",
        )
        .await,
    );
    let stix_object = "indicator--0a0a0a0a-0000-4000-8000-000000000001".to_string();
    let shared = ok(
        app.api(
            &t,
            "POST",
            &format!("/api/v1/sharing/collections/{collection}/objects"),
            Some(json!({"objects": [{
                "type": "indicator", "spec_version": "2.1", "id": stix_object,
                "created": "2026-04-01T00:00:00.000Z", "modified": "2026-04-01T00:00:00.000Z",
                "name": "A-SECRET-IOC", "pattern": "[domain-name:value = 'a-secret.example']",
                "pattern_type": "stix", "valid_from": "2026-04-01T00:00:00Z"
            }]})),
        )
        .await,
        "shared",
    )
    .await;
    assert_eq!(shared.json()["success_count"], 1, "{}", shared.body);
    let status = id_of(&shared);
    let feed = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/sharing/feeds",
                Some(
                    json!({"collection_id": collection, "title": "A-SECRET-FEED",
                    "api_root_url": "http://127.0.0.1:9/taxii2/hub/", "remote_collection": "x",
                    "secret": "a-secret-feed-token"}),
                ),
            )
            .await,
            "feed",
        )
        .await,
    );
    let alert = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/sharing/alerts",
                Some(json!({"collection_id": collection, "title": "A-SECRET-ALERT", "severity": "high",
                    "affected": [{"vendor": "Fortinet", "product": "FortiOS", "fixed_in": "7.2.5"}]})),
            )
            .await,
            "alert",
        )
        .await,
    );
    let draft = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/sharing/drafts",
                Some(
                    json!({"collection_id": collection, "title": "A-SECRET-DRAFT", "tlp": "amber",
                    "values": "a-secret-draft.example", "incident_id": incident}),
                ),
            )
            .await,
            "draft",
        )
        .await,
    );
    let group = id_of(
        &ok(
            app.api(
                &t,
                "POST",
                "/api/v1/sharing/groups",
                Some(json!({"name": "A-SECRET-GROUP"})),
            )
            .await,
            "group",
        )
        .await,
    );
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    let users = app.store.users(org).await.expect("users");
    let nurse = users
        .iter()
        .find(|u| u.email == "secret-nurse@hospital-a.test")
        .expect("nurse")
        .id;
    let boss_id = users
        .iter()
        .find(|u| u.email == "boss@a.test")
        .expect("boss")
        .id;
    let token = app.store.tokens(org, boss_id).await.expect("tokens")[0].id;
    // A checklist the first organisation submitted (to itself as the authority, so that no other
    // organisation of the matrix is its addressee or holds a jurisdiction over it).
    let submission = app
        .store
        .submit_checklist(
            &mamori_store::Ctx {
                org_id: org,
                actor_id: Some(boss_id),
                actor_label: "boss@a.test".into(),
                ip: String::new(),
                now: chrono::Utc::now(),
            },
            org,
            &mamori_domain::oversight::ChecklistSnapshot {
                format: 1,
                institution_code: "1312345678".into(),
                institution_name: "A-SECRET-INSTITUTION".into(),
                municipality: "新宿区".into(),
                fiscal_year: 2025,
                sheet_id: "fy2025.institution".into(),
                answers: Vec::new(),
            },
        )
        .await
        .expect("submission")
        .id
        .to_string();
    // An inspection the first organisation recorded of itself, for the same reason.
    let day = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("day");
    let inspection = app
        .store
        .record_inspection(
            &mamori_store::Ctx {
                org_id: org,
                actor_id: Some(boss_id),
                actor_label: "boss@a.test".into(),
                ip: String::new(),
                now: chrono::Utc::now(),
            },
            &mamori_domain::oversight::Inspection {
                institution_code: "1312345678".into(),
                inspected_on: day,
                inspectors: "A-SECRET-INSPECTOR".into(),
                findings: Vec::new(),
                guidance: String::new(),
                follow_up_due: Some(day),
            },
            &mamori_store::Inspected {
                name: "A-SECRET-INSTITUTION".into(),
                org_id: Some(org),
                submission_id: None,
            },
        )
        .await
        .expect("inspection")
        .to_string();
    let task = mamori_catalog::catalog()
        .expect("catalog")
        .tasks
        .keys()
        .next()
        .expect("a task")
        .clone();
    Objects {
        org: org.to_string(),
        assessment,
        item,
        evidence,
        report,
        incident,
        task,
        duty,
        contact,
        procedure,
        device,
        cve,
        row,
        file,
        nurse: nurse.to_string(),
        token: token.to_string(),
        collection,
        stix_object,
        status,
        feed,
        alert,
        draft,
        group,
        submission,
        inspection,
    }
}

/// The path with its parameters filled by the first organisation's objects; a parameter the
/// fixture does not know fails the test, so that a new route gets an object to be tried on.
fn fill(path: &str, o: &Objects) -> String {
    let area = path.trim_start_matches("/api/v1");
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .expect("closing brace");
        out.push_str(&rest[..start]);
        let param = &rest[start + 1..end];
        let first = area.trim_start_matches('/').split('/').next().unwrap_or("");
        let value: &str = match (first, param) {
            ("assessments", "id") => &o.assessment,
            ("assessments", "item") => &o.item,
            ("assessments", "evidence") => &o.evidence,
            ("reports", "id") => &o.report,
            ("incidents", "id") => &o.incident,
            ("incidents", "task") => &o.task,
            ("incidents", "duty") => &o.duty,
            ("incidents", "kind") => "mhlw_report",
            ("preparedness", "id") if area.contains("/contacts/") => &o.contact,
            ("preparedness", "id") => &o.procedure,
            ("contacts", "id") => &o.contact,
            ("procedures", "id") => &o.procedure,
            ("registers", "id") if area.starts_with("/registers/devices/") => &o.device,
            ("registers", "code") => "remote_connections",
            ("registers", "id") => &o.row,
            ("registers", "file") => &o.file,
            ("registers" | "findings", "device") => &o.device,
            ("registers" | "findings", "cve") => &o.cve,
            ("users", "id") => &o.nurse,
            ("account", "id") => &o.token,
            ("organisations", "id") => &o.org,
            ("sharing", "id") if area.contains("/statuses/") => &o.status,
            ("sharing", "id") if area.contains("/feeds/") => &o.feed,
            ("sharing", "feed") => &o.feed,
            ("sharing", "alert") => &o.alert,
            ("sharing", "draft") => &o.draft,
            ("sharing", "group") => &o.group,
            ("oversight", "org") => &o.org,
            ("oversight", "id") if area.contains("/inspections/") => &o.inspection,
            ("oversight", "id") => &o.submission,
            ("sharing", "id") if area.contains("/drafts/") => &o.draft,
            ("sharing", "id") if area.contains("/alerts/") => &o.alert,
            ("sharing" | "taxii2", "id") => &o.collection,
            ("sharing", "org") => &o.org,
            ("taxii2", "object") => &o.stix_object,
            ("taxii2", "status") => &o.status,
            ("invite", "token") => "no-such-invitation",
            _ => {
                panic!("the matrix has no object for {{{param}}} in {path}: add one to the fixture")
            }
        };
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// One route as the matrix tries it.
struct Target {
    method: String,
    path: String,
    guard: Guard,
    multipart: bool,
    api: bool,
}

/// Every page route and API operation of the application.
fn targets() -> Vec<Target> {
    let mut out: Vec<Target> = mamori_web::page_routes()
        .into_iter()
        .map(|r| Target {
            method: r.method.to_string(),
            path: r.path.to_string(),
            guard: r.guard,
            multipart: r.body == RouteBody::Multipart,
            api: false,
        })
        .collect();
    let doc = serde_json::to_value(mamori_web::openapi()).expect("document");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let scope = op["security"][0]["token"].as_array().map(|s| {
                s.first()
                    .and_then(|p| p.as_str())
                    .map(|p| Permission::from_code(p).expect("a known permission"))
            });
            out.push(Target {
                method: method.to_uppercase(),
                path: path.clone(),
                guard: match scope {
                    None => Guard::Public,
                    Some(None) => Guard::SignedIn,
                    Some(Some(p)) => Guard::Holds(p),
                },
                multipart: op["requestBody"]["content"]
                    .get("multipart/form-data")
                    .is_some(),
                api: true,
            });
        }
    }
    // TAXII: signed in by token as the API is, held to the guards its table lists.
    out.extend(mamori_web::protocol_routes().into_iter().map(|r| Target {
        method: r.method.to_string(),
        path: r.path.to_string(),
        guard: r.guard,
        multipart: false,
        api: true,
    }));
    // Ending the session last keeps every other route tried signed in.
    out.sort_by_key(|t| t.path == "/logout");
    out
}

/// A signed-in user of some organisation: their browser, form token and API token.
struct Who {
    label: String,
    role: &'static str,
    browser: Browser,
    csrf: String,
    token: String,
}

async fn who(app: &App, admin: &mut Browser, org: &str, role: &'static str) -> Who {
    let mut browser = app
        .user(admin, &format!("{role}-user@{org}.test"), &[role])
        .await;
    let token = app.token(&mut browser).await;
    let csrf = app.get(&mut browser, "/account").await.hidden("csrf");
    Who {
        label: format!("{role}@{org}"),
        role,
        browser,
        csrf,
        token,
    }
}

fn multipart_body(csrf: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "matrixboundary";
    let mut body = String::new();
    if let Some(c) = csrf {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"system\"\r\n\r\nX\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n\r\nname\r\nx\r\n--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// Sends one route as a user would: pages with the session (and its form token), API
/// operations with the token (and an empty JSON object or a small file as the body).
async fn call(app: &App, w: &mut Who, t: &Target, path: &str) -> Res {
    let req = Request::builder().method(t.method.as_str()).uri(path);
    if t.api {
        let req = req.header(header::AUTHORIZATION, format!("Bearer {}", w.token));
        let mut anon = Browser::default();
        return match (t.method.as_str(), t.multipart) {
            ("GET" | "DELETE", _) => app.send(&mut anon, req, Body::empty()).await,
            (_, true) => {
                let (ct, body) = multipart_body(None);
                app.send(
                    &mut anon,
                    req.header(header::CONTENT_TYPE, ct),
                    Body::from(body),
                )
                .await
            }
            _ => {
                app.send(
                    &mut anon,
                    req.header(header::CONTENT_TYPE, "application/json"),
                    Body::from("{}"),
                )
                .await
            }
        };
    }
    match (t.method.as_str(), t.multipart) {
        ("GET", _) => app.get(&mut w.browser, path).await,
        (_, true) => {
            let (ct, body) = multipart_body(Some(&w.csrf));
            app.send(
                &mut w.browser,
                req.header(header::CONTENT_TYPE, ct),
                Body::from(body),
            )
            .await
        }
        _ => {
            app.post(&mut w.browser, path, &[("csrf", w.csrf.as_str())])
                .await
        }
    }
}

/// What the first organisation holds, read from the store: unchanged after the others tried.
async fn holdings(app: &App, org: uuid::Uuid) -> Value {
    let s = &app.store;
    json!({
        "users": s.users(org).await.expect("users").iter().map(|u| (u.email.clone(), u.disabled, u.locked_until, u.roles.iter().map(|r| r.code()).collect::<Vec<_>>())).collect::<Vec<_>>(),
        "assessments": s.assessments(org).await.expect("a").iter().map(|a| (a.id, a.title.clone(), a.maturity, a.respondent_org_id)).collect::<Vec<_>>(),
        "answers": s.assessments(org).await.expect("a").len(),
        "reports": s.anomaly_reports(org, false).await.expect("r").iter().map(|r| (r.id, r.status.code())).collect::<Vec<_>>(),
        "incidents": s.incidents(org).await.expect("i").iter().map(|i| (i.id, i.phase.clone(), i.updated_at)).collect::<Vec<_>>(),
        "contacts": s.contacts(org).await.expect("c").iter().map(|c| (c.id, c.updated_at)).collect::<Vec<_>>(),
        "procedures": s.recovery_procedures(org).await.expect("p").iter().map(|p| (p.id, p.updated_at)).collect::<Vec<_>>(),
        "devices": s.devices(org).await.expect("d").iter().map(|d| (d.id, d.updated_at)).collect::<Vec<_>>(),
        "rows": s.ledger_rows(org, "remote_connections").await.expect("l").iter().map(|r| (r.id, r.updated_at)).collect::<Vec<_>>(),
        "decisions": s.finding_decisions(org).await.expect("f").len(),
        "audit": s.audit_list(org, &mamori_store::AuditFilter { limit: 1000, ..Default::default() }).await.expect("audit").len(),
    })
}

fn actor_with(role: &str) -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        org_id: uuid::Uuid::nil(),
        org_kind: OrgKind::Institution,
        home_org: true,
        roles: RoleSet::new([Role::from_code(role).expect("role")]),
        label: String::new(),
    }
}

#[tokio::test]
async fn every_route_keeps_each_organisation_to_itself_and_each_role_to_its_permissions() {
    let app = App::new().await;
    let mut admin_a = app.setup().await;
    let o = objects(&app, &mut admin_a).await;
    let org_a: uuid::Uuid = o.org.parse().expect("org id");

    // A second institution and a vendor, registered by the first's administrator.
    let r = app
        .submit(
            &mut admin_a,
            "/organisations",
            "/organisations",
            &[
                ("name", "B診療所"),
                ("kind", "institution"),
                ("institution_type", "clinic"),
                ("beds", "0"),
                ("admin_name", "B"),
                ("admin_email", "admin@b.test"),
            ],
        )
        .await;
    let (mut admin_b, _) = app.accept_invite(&r).await;
    let r = app
        .submit(
            &mut admin_a,
            "/organisations",
            "/organisations",
            &[
                ("name", "V保守"),
                ("kind", "vendor"),
                ("admin_name", "V"),
                ("admin_email", "admin@v.test"),
            ],
        )
        .await;
    let (mut admin_v, _) = app.accept_invite(&r).await;
    let mut others = Vec::new();
    for role in ROLES {
        others.push(who(&app, &mut admin_b, "b", role).await);
        others.push(who(&app, &mut admin_v, "v", role).await);
    }
    let before = holdings(&app, org_a).await;
    let targets = targets();
    let mut across = 0;
    for w in &mut others {
        for t in &targets {
            let path = fill(&t.path, &o);
            let r = call(&app, w, t, &path).await;
            across += 1;
            assert!(
                r.status.as_u16() < 500,
                "{} {} {}: {}",
                w.label,
                t.method,
                path,
                r.status
            );
            // A register code or a document kind names a kind of thing every organisation
            // has; an id names one of the first organisation's objects.
            if [
                "{id}",
                "{evidence}",
                "{device}",
                "{file}",
                "{status}",
                "{feed}",
                "{group}",
            ]
            .iter()
            .any(|p| t.path.contains(p))
            {
                assert!(
                    matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{} {} {}: {} {}",
                    w.label,
                    t.method,
                    path,
                    r.status,
                    r.body.chars().take(300).collect::<String>()
                );
            }
            for s in SECRETS {
                assert!(
                    !r.body.contains(s),
                    "{} {} {} shows {s}",
                    w.label,
                    t.method,
                    path
                );
            }
        }
    }
    assert_eq!(
        holdings(&app, org_a).await,
        before,
        "the first organisation's data is untouched"
    );

    // Within the first organisation, every role against the permission each route declares.
    let mut within = 0;
    let mut own = Vec::new();
    for role in ROLES {
        own.push(who(&app, &mut admin_a, "a", role).await);
    }
    for w in &mut own {
        let actor = actor_with(w.role);
        for t in &targets {
            let path = fill(&t.path, &o);
            let r = call(&app, w, t, &path).await;
            within += 1;
            assert!(
                r.status.as_u16() < 500,
                "{} {} {}: {} {}",
                w.label,
                t.method,
                path,
                r.status,
                r.body.chars().take(300).collect::<String>()
            );
            match t.guard {
                Guard::Holds(p) if !actor.can(p) => assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{} {} {} needs {p:?}",
                    w.label,
                    t.method,
                    path
                ),
                // Visitors' forms (login, setup) carry their own token; a signed-in browser's
                // post there may be refused as cross-form, which is not a permission.
                Guard::Public => {}
                _ => assert_ne!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{} {} {} is allowed: {}",
                    w.label,
                    t.method,
                    path,
                    r.body.chars().take(300).collect::<String>()
                ),
            }
        }
    }
    println!(
        "tenancy matrix: {} routes; {across} route × role pairs from other organisations, {within} within the organisation",
        targets.len()
    );
}
