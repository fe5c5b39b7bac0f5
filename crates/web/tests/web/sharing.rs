//! The sharing hub over TAXII 2.1 and the JSON API: what the protocol says a server answers, who
//! may read and write, and TLP audiences that hold through every way out.

use crate::support::*;
use base64::Engine;
use serde_json::{Value, json};

const TAXII: &str = "application/taxii+json;version=2.1";
pub const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
pub const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
pub const AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
pub const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
pub const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";

/// How a TAXII client signs in.
#[derive(Clone)]
pub enum Auth {
    Bearer(String),
    Basic(String, String),
    None,
}

pub async fn taxii(
    app: &App,
    auth: &Auth,
    method: &str,
    path: &str,
    body: Option<(&str, String)>,
) -> Res {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, TAXII);
    req = match auth {
        Auth::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Auth::Basic(u, p) => req.header(
            header::AUTHORIZATION,
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            ),
        ),
        Auth::None => req,
    };
    let body = match body {
        Some((ct, b)) => {
            req = req.header(header::CONTENT_TYPE, ct);
            Body::from(b)
        }
        None => Body::empty(),
    };
    app.send(&mut Browser::default(), req, body).await
}

pub fn indicator(n: u32, ip: &str, marking: Option<&str>) -> Value {
    let mut v = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{n:08x}-0000-4000-8000-000000000000"),
        "created": "2026-04-01T00:00:00.000Z", "modified": "2026-04-01T00:00:00.000Z",
        "name": format!("C2 {ip}"),
        "pattern": format!("[ipv4-addr:value = '{ip}']"), "pattern_type": "stix",
        "valid_from": "2026-04-01T00:00:00Z"
    });
    if let Some(m) = marking {
        v["object_marking_refs"] = json!([m]);
    }
    v
}

pub fn envelope(objects: &[Value]) -> Option<(&'static str, String)> {
    Some((TAXII, json!({ "objects": objects }).to_string()))
}

/// The hub: the home hospital's security manager keeps a collection; another clinic's security
/// manager and administrator are members once granted.
pub struct Hub {
    pub app: App,
    pub keeper: String,
    pub keeper_email: String,
    pub member: String,
    pub member_admin: String,
    pub member_org: String,
    pub collection: String,
    pub keeper_b: Browser,
    pub member_b: Browser,
}

pub async fn hub(default_tlp: &str) -> Hub {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut sm = app
        .user(&mut admin, "sm@mamori.test", &["security_manager"])
        .await;
    let keeper = app.token(&mut sm).await;
    let mut other = app.other_clinic(&mut admin).await;
    let member_admin = app.token(&mut other).await;
    let mut other_sm = app
        .user(&mut other, "sm@other.test", &["security_manager"])
        .await;
    let member = app.token(&mut other_sm).await;
    let member_org = app.api(&member, "GET", "/api/v1/me", None).await.json()["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .api(
            &keeper,
            "POST",
            "/api/v1/sharing/collections",
            Some(
                json!({"title": "医療ISAC 指標", "description": "IOC", "default_tlp": default_tlp}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let collection = r.json()["id"].as_str().unwrap().to_string();
    Hub {
        app,
        keeper,
        keeper_email: "sm@mamori.test".into(),
        member,
        member_admin,
        member_org,
        collection,
        keeper_b: sm,
        member_b: other_sm,
    }
}

impl Hub {
    /// A third organisation registered by the home administrator: its administrator's browser
    /// and token, and its id.
    pub async fn third(&self) -> (Browser, String, String) {
        let mut home_admin = self.app.login("admin@mamori.test", ADMIN_PW).await.0;
        let r = self
            .app
            .submit(
                &mut home_admin,
                "/organisations",
                "/organisations",
                &[
                    ("name", "第三病院"),
                    ("kind", "institution"),
                    ("institution_type", "hospital"),
                    ("beds", "100"),
                    ("admin_name", "Z"),
                    ("admin_email", "z@third.test"),
                ],
            )
            .await;
        let (mut admin, _) = self.app.accept_invite(&r).await;
        let token = self.app.token(&mut admin).await;
        let org =
            self.app.api(&token, "GET", "/api/v1/me", None).await.json()["organisation"]["id"]
                .as_str()
                .unwrap()
                .to_string();
        (admin, token, org)
    }

    pub fn objects_path(&self) -> String {
        format!("/taxii2/hub/collections/{}/objects/", self.collection)
    }

    pub async fn grant(&self, read: bool, write: bool) {
        let r = self
            .app
            .api(
                &self.keeper,
                "PUT",
                &format!(
                    "/api/v1/sharing/collections/{}/grants/{}",
                    self.collection, self.member_org
                ),
                Some(json!({"can_read": read, "can_write": write})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
}

fn ids(envelope: &Value) -> Vec<String> {
    envelope["objects"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn taxii_discovery_roots_and_collections_answer_as_the_specification_says() {
    let h = hub("green").await;
    let keeper = Auth::Basic(h.keeper_email.clone(), h.keeper.clone());
    let r = taxii(&h.app, &keeper, "GET", "/taxii2/", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], TAXII);
    assert_eq!(
        r.json()["api_roots"],
        json!(["http://mamori.test/taxii2/hub/"])
    );
    let root = taxii(&h.app, &keeper, "GET", "/taxii2/hub/", None)
        .await
        .json();
    assert_eq!(root["versions"], json!([TAXII]));
    assert!(root["max_content_length"].as_u64().unwrap() >= 1024 * 1024);
    let cols = taxii(&h.app, &keeper, "GET", "/taxii2/hub/collections/", None)
        .await
        .json();
    assert_eq!(cols["collections"][0]["id"], h.collection.as_str());
    assert_eq!(cols["collections"][0]["can_write"], true);
    assert_eq!(
        cols["collections"][0]["media_types"],
        json!(["application/stix+json;version=2.1"])
    );

    // Signing in: none, a token under another user's name, a made-up token: 401 with the way in.
    let wrong_user = Auth::Basic("someone@else.test".into(), h.keeper.clone());
    let made_up = Auth::Bearer("mamori_notatoken".into());
    for auth in [Auth::None, wrong_user, made_up] {
        let r = taxii(&h.app, &auth, "GET", "/taxii2/hub/collections/", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(
            r.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        assert_eq!(r.headers[header::CONTENT_TYPE], TAXII);
        assert_eq!(r.json()["http_status"], "401");
    }
    // A client that takes only another media type gets 406, worded as TAXII errors are.
    let req = Request::get("/taxii2/hub/collections/")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.keeper))
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en");
    let r = h
        .app
        .send(&mut Browser::default(), req, Body::empty())
        .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    assert!(
        r.json()["title"]
            .as_str()
            .unwrap()
            .contains("application/taxii+json")
    );
    // Paths the server does not have are TAXII 404s too.
    let r = taxii(&h.app, &keeper, "GET", "/taxii2/other-root/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["http_status"], "404");

    // Before it is granted, the member does not learn the collection exists.
    let member = Auth::Bearer(h.member.clone());
    let cols = taxii(&h.app, &member, "GET", "/taxii2/hub/collections/", None).await;
    assert_eq!(cols.json(), json!({}));
    let one = format!("/taxii2/hub/collections/{}/", h.collection);
    for path in [one.clone(), h.objects_path(), format!("{one}manifest/")] {
        let r = taxii(&h.app, &member, "GET", &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = taxii(
        &h.app,
        &member,
        "POST",
        &h.objects_path(),
        envelope(&[indicator(1, "203.0.113.1", None)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    h.grant(true, false).await;
    let cols = taxii(&h.app, &member, "GET", "/taxii2/hub/collections/", None)
        .await
        .json();
    assert_eq!(cols["collections"][0]["can_read"], true);
    assert_eq!(cols["collections"][0]["can_write"], false);
    // Read, not write: refused now that it knows the collection.
    let r = taxii(
        &h.app,
        &member,
        "POST",
        &h.objects_path(),
        envelope(&[indicator(1, "203.0.113.1", None)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_envelope_keeps_its_valid_objects_and_reports_the_invalid_ones_in_its_status() {
    let h = hub("green").await;
    h.grant(true, false).await;
    let keeper = Auth::Bearer(h.keeper.clone());
    let mut broken = indicator(2, "198.51.100.2", None);
    broken["pattern"] = json!("[ipv4-addr:value = '198.51.100.2'");
    let r = taxii(
        &h.app,
        &keeper,
        "POST",
        &h.objects_path(),
        envelope(&[
            indicator(1, "203.0.113.1", None),
            broken,
            indicator(3, "203.0.113.3", Some(AMBER)),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], TAXII);
    let status = r.json();
    assert_eq!(status["status"], "complete");
    assert_eq!(
        (
            &status["total_count"],
            &status["success_count"],
            &status["failure_count"]
        ),
        (&json!(3), &json!(2), &json!(1))
    );
    assert_eq!(
        status["failures"][0]["id"],
        "indicator--00000002-0000-4000-8000-000000000000"
    );
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pattern")
    );
    // The status is there to be asked for again, by the one who posted.
    let path = format!("/taxii2/hub/status/{}/", status["id"].as_str().unwrap());
    assert_eq!(
        taxii(&h.app, &keeper, "GET", &path, None).await.json(),
        status
    );
    let member = Auth::Bearer(h.member.clone());
    assert_eq!(
        taxii(&h.app, &member, "GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    // Posting the same again adds nothing and says so.
    let again = taxii(
        &h.app,
        &keeper,
        "POST",
        &h.objects_path(),
        envelope(&[indicator(1, "203.0.113.1", None)]),
    )
    .await
    .json();
    assert!(
        again["successes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already")
    );

    // The unmarked indicator took the collection's default (GREEN) and carries it; the AMBER one
    // is for the sharer and the keeper (here the same organisation), not for the member.
    let seen = taxii(&h.app, &member, "GET", &h.objects_path(), None).await;
    assert_eq!(seen.status, StatusCode::OK);
    let body = seen.json();
    assert_eq!(
        ids(&body),
        ["indicator--00000001-0000-4000-8000-000000000000"]
    );
    assert_eq!(body["objects"][0]["object_marking_refs"], json!([GREEN]));
    assert_eq!(body["more"], false);
    assert!(seen.headers.contains_key("x-taxii-date-added-first"));
    let amber = format!(
        "{}indicator--00000003-0000-4000-8000-000000000000/",
        h.objects_path()
    );
    assert_eq!(
        taxii(&h.app, &member, "GET", &amber, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        taxii(&h.app, &keeper, "GET", &amber, None).await.status,
        StatusCode::OK
    );

    // Wrong media type, not JSON, not an envelope, too large: each refused with a TAXII error.
    let wrong_type = taxii(
        &h.app,
        &keeper,
        "POST",
        &h.objects_path(),
        Some(("application/json", "{}".into())),
    )
    .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    for bad in ["not json", "{\"objects\": {}}", "[]"] {
        let r = taxii(
            &h.app,
            &keeper,
            "POST",
            &h.objects_path(),
            Some((TAXII, bad.into())),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()["http_status"], "400");
    }
    let huge = format!(
        "{{\"objects\": [{{\"type\": \"note\", \"pad\": \"{}\"}}]}}",
        "x".repeat(17 * 1024 * 1024)
    );
    let r = taxii(
        &h.app,
        &keeper,
        "POST",
        &h.objects_path(),
        Some((TAXII, huge)),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.json()["title"]
            .as_str()
            .unwrap()
            .contains("max_content_length")
    );
}

#[tokio::test]
async fn objects_page_by_next_and_filter_by_match_fields_versions_and_added_after() {
    let h = hub("clear").await;
    h.grant(true, true).await;
    let keeper = Auth::Bearer(h.keeper.clone());
    let batch: Vec<Value> = (1..=7)
        .map(|n| indicator(n, &format!("203.0.113.{n}"), None))
        .collect();
    taxii(&h.app, &keeper, "POST", &h.objects_path(), envelope(&batch)).await;
    // A second version of indicator 4, a malware object, later.
    h.app.advance(Duration::hours(1));
    let mut v2 = indicator(4, "203.0.113.4", None);
    v2["modified"] = json!("2026-04-02T00:00:00.000Z");
    let malware = json!({
        "type": "malware", "spec_version": "2.1",
        "id": "malware--00000000-0000-4000-8000-0000000000aa",
        "created": "2026-04-01T00:00:00.000Z", "modified": "2026-04-01T00:00:00.000Z",
        "name": "LockBit", "is_family": true
    });
    taxii(
        &h.app,
        &keeper,
        "POST",
        &h.objects_path(),
        envelope(&[v2, malware]),
    )
    .await;

    // Pages of three, each after the `next` of the one before: every newest version once.
    let member = Auth::Basic("sm@other.test".into(), h.member.clone());
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    let mut last_added: String;
    loop {
        let path = match &next {
            Some(n) => format!("{}?limit=3&next={n}", h.objects_path()),
            None => format!("{}?limit=3", h.objects_path()),
        };
        let r = taxii(&h.app, &member, "GET", &path, None).await;
        let body = r.json();
        seen.extend(ids(&body));
        last_added = r.headers["x-taxii-date-added-last"]
            .to_str()
            .unwrap()
            .into();
        if body["more"] != true {
            break;
        }
        next = Some(body["next"].as_str().unwrap().to_string());
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8);
    // Continuing from the last date_added seen gives nothing more; from before the second post,
    // exactly what that post added.
    let after = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}?added_after={last_added}", h.objects_path()),
        None,
    )
    .await;
    assert_eq!(after.json(), json!({"more": false}));
    let later = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}?added_after=2026-05-01T01:30:00Z", h.objects_path()),
        None,
    )
    .await
    .json();
    assert_eq!(ids(&later).len(), 2);

    let types = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}?match[type]=malware", h.objects_path()),
        None,
    )
    .await
    .json();
    assert_eq!(
        ids(&types),
        ["malware--00000000-0000-4000-8000-0000000000aa"]
    );
    let four = "indicator--00000004-0000-4000-8000-000000000000";
    let all = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}?match[id]={four}&match[version]=all", h.objects_path()),
        None,
    )
    .await
    .json();
    assert_eq!(ids(&all), [four, four]);
    let first = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}{four}/?match[version]=first", h.objects_path()),
        None,
    )
    .await
    .json();
    assert_eq!(first["objects"][0]["modified"], "2026-04-01T00:00:00.000Z");
    let versions = taxii(
        &h.app,
        &member,
        "GET",
        &format!("{}{four}/versions/", h.objects_path()),
        None,
    )
    .await
    .json();
    assert_eq!(
        versions["versions"],
        json!(["2026-04-01T00:00:00.000Z", "2026-04-02T00:00:00.000Z"])
    );
    let manifest = taxii(
        &h.app,
        &member,
        "GET",
        &format!(
            "/taxii2/hub/collections/{}/manifest/?match[id]={four}",
            h.collection
        ),
        None,
    )
    .await
    .json();
    assert_eq!(
        manifest["objects"][0]["version"],
        "2026-04-02T00:00:00.000Z"
    );
    assert_eq!(
        manifest["objects"][0]["media_type"],
        "application/stix+json;version=2.1"
    );
    for bad in [
        "limit=0",
        "next=abc",
        "added_after=yesterday",
        "match[version]=soon",
    ] {
        let r = taxii(
            &h.app,
            &member,
            "GET",
            &format!("{}?{bad}", h.objects_path()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // A member deletes only what it shared; the keeper deletes anything in its collection.
    let one = format!("{}{four}/", h.objects_path());
    assert_eq!(
        taxii(&h.app, &member, "DELETE", &one, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        taxii(
            &h.app,
            &keeper,
            "DELETE",
            &format!("{one}?match[version]=last"),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let left = taxii(&h.app, &member, "GET", &format!("{one}versions/"), None)
        .await
        .json();
    assert_eq!(left["versions"], json!(["2026-04-01T00:00:00.000Z"]));
    assert_eq!(
        taxii(&h.app, &keeper, "DELETE", &one, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        taxii(&h.app, &member, "GET", &one, None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every TLP level against every kind of recipient, through TAXII and the JSON API: an object
/// reaches exactly its audience.
#[tokio::test]
async fn every_tlp_level_reaches_exactly_its_audience_through_every_way_out() {
    let h = hub("amber").await;
    h.grant(true, true).await;
    // A third organisation, granted, named in nothing.
    let (mut third_admin, _, third_org) = h.third().await;
    let mut third_sm = h
        .app
        .user(&mut third_admin, "sm@third.test", &["security_manager"])
        .await;
    let third = h.app.token(&mut third_sm).await;
    let grant = h
        .app
        .api(
            &h.keeper,
            "PUT",
            &format!(
                "/api/v1/sharing/collections/{}/grants/{third_org}",
                h.collection
            ),
            Some(json!({"can_read": true, "can_write": true})),
        )
        .await;
    assert_eq!(grant.status, StatusCode::NO_CONTENT);
    let member_sm_id = h.app.api(&h.member, "GET", "/api/v1/me", None).await.json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The third organisation shares one object per level, naming the member organisation for
    // AMBER and AMBER+STRICT and the member's security manager for RED.
    let levels = [
        ("clear", CLEAR),
        ("green", GREEN),
        ("amber", AMBER),
        ("amber+strict", AMBER_STRICT),
        ("red", RED),
    ];
    for (i, (code, marking)) in levels.iter().enumerate() {
        let obj = indicator(
            u32::try_from(i).unwrap() + 1,
            &format!("192.0.2.{i}"),
            Some(marking),
        );
        let r = h
            .app
            .api(
                &third,
                "POST",
                &format!("/api/v1/sharing/collections/{}/objects", h.collection),
                Some(json!({
                    "objects": [obj],
                    "audience_orgs": [h.member_org],
                    "audience_users": [member_sm_id],
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{code}: {}", r.body);
        assert_eq!(r.json()["success_count"], 1, "{code}");
    }
    // The n-th level's indicator has n in its id's first group.
    let level_of = |id: &str| -> &'static str {
        let n =
            usize::from_str_radix(&id["indicator--".len().."indicator--".len() + 8], 16).unwrap();
        levels[n - 1].0
    };
    // Who reads, and what each must see (and nothing more).
    let readers: Vec<(&str, String, Vec<&str>)> = vec![
        // The sharer's organisation: all it shared (RED too, as its own person shared it).
        (
            "sharer",
            third.clone(),
            vec!["clear", "green", "amber", "amber+strict", "red"],
        ),
        // The keeper: the hub operator receives AMBER, not RED.
        (
            "keeper",
            h.keeper.clone(),
            vec!["clear", "green", "amber", "amber+strict"],
        ),
        // The named organisation's named person: everything.
        (
            "named person",
            h.member.clone(),
            vec!["clear", "green", "amber", "amber+strict", "red"],
        ),
        // A colleague in the named organisation: not RED.
        (
            "colleague of the named",
            h.member_admin.clone(),
            vec!["clear", "green", "amber", "amber+strict"],
        ),
    ];
    for (who, token, expected) in &readers {
        // TAXII.
        let env = taxii(
            &h.app,
            &Auth::Bearer(token.clone()),
            "GET",
            &h.objects_path(),
            None,
        )
        .await
        .json();
        let got: Vec<&str> = ids(&env).iter().map(|i| level_of(i)).collect();
        assert_eq!(&got, expected, "TAXII objects, {who}");
        let manifest = taxii(
            &h.app,
            &Auth::Bearer(token.clone()),
            "GET",
            &format!("/taxii2/hub/collections/{}/manifest/", h.collection),
            None,
        )
        .await
        .json();
        assert_eq!(
            ids(&manifest).len(),
            expected.len(),
            "TAXII manifest, {who}"
        );
        for (i, (code, _)) in levels.iter().enumerate() {
            let id = format!("indicator--{:08x}-0000-4000-8000-000000000000", i + 1);
            for suffix in ["", "versions/"] {
                let r = taxii(
                    &h.app,
                    &Auth::Bearer(token.clone()),
                    "GET",
                    &format!("{}{id}/{suffix}", h.objects_path()),
                    None,
                )
                .await;
                let visible = expected.contains(code);
                assert_eq!(
                    r.status,
                    if visible {
                        StatusCode::OK
                    } else {
                        StatusCode::NOT_FOUND
                    },
                    "TAXII {code} {suffix}, {who}"
                );
            }
        }
        // The JSON API.
        let api = h
            .app
            .api(
                token,
                "GET",
                &format!("/api/v1/sharing/collections/{}/objects", h.collection),
                None,
            )
            .await
            .json();
        let got: Vec<&str> = api["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["tlp"].as_str().unwrap())
            .collect();
        assert_eq!(&got, expected, "API, {who}");
        // The pages: the collection's recent objects and a search for each value.
        let email = match *who {
            "sharer" => "sm@third.test",
            "keeper" => "sm@mamori.test",
            "named person" => "sm@other.test",
            _ => "x@other.test",
        };
        let mut b = h.app.login(email, USER_PW).await.0;
        let page = h
            .app
            .get(&mut b, &format!("/sharing/{}", h.collection))
            .await
            .body;
        for (i, (code, _)) in levels.iter().enumerate() {
            let value = format!("192.0.2.{i}");
            let shown = page.contains(&format!("{value}&#39;"));
            assert_eq!(shown, expected.contains(code), "page {code}, {who}");
            let found = h
                .app
                .get(&mut b, &format!("/sharing/search?q={value}"))
                .await
                .body;
            let hit = found.contains(&format!("{value}&#39;"));
            assert_eq!(hit, expected.contains(code), "search {code}, {who}");
        }
    }
    // Once its grant is taken back, an organisation sees nothing, not even that the collection
    // exists, whatever it shared there.
    let revoke = h
        .app
        .api(
            &h.keeper,
            "PUT",
            &format!(
                "/api/v1/sharing/collections/{}/grants/{third_org}",
                h.collection
            ),
            Some(json!({"can_read": false, "can_write": false})),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    let r = taxii(
        &h.app,
        &Auth::Bearer(third.clone()),
        "GET",
        &h.objects_path(),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = h
        .app
        .api(
            &third,
            "GET",
            &format!("/api/v1/sharing/collections/{}/objects", h.collection),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_member_shares_a_value_from_the_page_and_others_find_it_under_its_tlp_label() {
    let mut h = hub("green").await;
    h.grant(true, true).await;
    let page = format!("/sharing/{}", h.collection);
    let action = format!("{page}/indicators");
    // The hub page lists the collection with its default level.
    let hub_page = h.app.get(&mut h.member_b, "/sharing").await;
    assert_eq!(hub_page.status, StatusCode::OK);
    assert!(hub_page.body.contains("医療ISAC 指標"));
    assert!(
        hub_page
            .body
            .contains(r#"<span class="tlp tlp-green">TLP:GREEN</span>"#)
    );
    // A value of no known kind comes back with the fault and what was typed.
    let bad = h
        .app
        .submit(
            &mut h.member_b,
            &page,
            &action,
            &[
                ("value", "not an address"),
                ("name", "誤入力"),
                ("tlp", "amber"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(r#"value="not an address""#),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"value="誤入力""#));
    assert!(bad.body.contains("field-error"));
    // Without the form token nothing is shared.
    let forged = h
        .app
        .post(
            &mut h.member_b,
            &action,
            &[("value", "203.0.113.9"), ("tlp", "clear")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A defanged value, GREEN, anonymously.
    let ok = h
        .app
        .submit(
            &mut h.member_b,
            &page,
            &action,
            &[
                ("value", "hxxp://evil[.]example[.]com/login"),
                ("name", "フィッシングURL"),
                ("tlp", "green"),
                ("anonymous", "true"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    h.app
        .submit(
            &mut h.member_b,
            &page,
            &action,
            &[("value", "203.0.113.7"), ("tlp", "clear")],
        )
        .await;
    h.app
        .submit(
            &mut h.member_b,
            &page,
            &action,
            &[("value", "203.0.113.70"), ("tlp", "clear")],
        )
        .await;
    // The keeper sees who shared; as the keeper it also sees past anonymity.
    let kept = h.app.get(&mut h.keeper_b, &page).await;
    assert!(kept.body.contains("フィッシングURL"));
    assert!(
        kept.body
            .contains("[url:value = &#39;http://evil.example.com/login&#39;]"),
        "{}",
        kept.body
    );
    assert!(
        kept.body
            .contains(r#"<span class="tlp tlp-green">TLP:GREEN</span>"#)
    );
    assert!(
        kept.body
            .contains(r#"<span class="tlp tlp-clear">TLP:CLEAR</span>"#)
    );
    assert!(kept.body.contains("他院"));
    assert!(!kept.body.contains("匿名の会員"));
    // The same indicator reached over TAXII, with the marking it was shared under.
    let env = taxii(
        &h.app,
        &Auth::Bearer(h.keeper.clone()),
        "GET",
        &format!("{}?match[type]=indicator", h.objects_path()),
        None,
    )
    .await
    .json();
    let url = env["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "フィッシングURL")
        .expect("the shared indicator");
    assert_eq!(url["object_marking_refs"], json!([GREEN]));

    // Search by value: the exact address, not the longer one; a domain inside the URL is
    // mentioned, not matched.
    let found = h
        .app
        .get(&mut h.keeper_b, "/sharing/search?q=203.0.113.7")
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found
            .body
            .contains("[ipv4-addr:value = &#39;203.0.113.7&#39;]")
    );
    assert!(!found.body.contains("203.0.113.70"), "{}", found.body);
    let none = h
        .app
        .get(&mut h.keeper_b, "/sharing/search?q=198.51.100.99")
        .await;
    assert!(none.body.contains(r#"id="no-hits""#));
}

#[tokio::test]
async fn an_anonymous_share_hides_the_sharer_from_other_members_but_not_from_the_keeper() {
    let mut h = hub("green").await;
    h.grant(true, true).await;
    // A third organisation that reads the collection.
    let (mut third, third_token, third_org) = h.third().await;
    // The keeper grants it on the page.
    let page = format!("/sharing/{}", h.collection);
    let g = h
        .app
        .submit(
            &mut h.keeper_b,
            &page,
            &format!("{page}/grants"),
            &[("org", &third_org), ("can_read", "true")],
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    assert!(
        h.app
            .get(&mut h.keeper_b, &page)
            .await
            .body
            .contains("第三病院")
    );
    for (value, anonymous) in [("198.51.100.1", "true"), ("198.51.100.2", "false")] {
        let r = h
            .app
            .submit(
                &mut h.member_b,
                &page,
                &format!("{page}/indicators"),
                &[("value", value), ("tlp", "green"), ("anonymous", anonymous)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let row_of = |body: &str, value: &str| -> String {
        let i = body.find(value).expect("row");
        let end = body[i..].find("</tr>").map_or(body.len(), |e| i + e);
        body[i..end].to_string()
    };
    let third_sees = h.app.get(&mut third, &page).await.body;
    assert!(row_of(&third_sees, "198.51.100.1").contains("匿名の会員"));
    assert!(!row_of(&third_sees, "198.51.100.1").contains("他院"));
    assert!(row_of(&third_sees, "198.51.100.2").contains("他院"));
    let keeper_sees = h.app.get(&mut h.keeper_b, &page).await.body;
    assert!(row_of(&keeper_sees, "198.51.100.1").contains("他院"));
    // The API says the same.
    let api = h
        .app
        .api(
            &third_token,
            "GET",
            &format!("/api/v1/sharing/collections/{}/objects", h.collection),
            None,
        )
        .await
        .json();
    let anon = api["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"]["name"] == "198.51.100.1")
        .expect("anonymous one");
    assert_eq!(anon["shared_by"], Value::Null);
    // The audit trail records who shared it all the same.
    let org: uuid::Uuid = h.member_org.parse().unwrap();
    let trail = h
        .app
        .store
        .audit_list(
            org,
            &mamori_store::AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .filter(|e| e.event.action == "collection.add")
            .all(|e| e.event.actor_label == "sm@other.test")
    );
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.event.action == "collection.add")
            .count(),
        2
    );
}

#[tokio::test]
async fn exports_and_sightings_pass_on_what_may_be_passed_on_and_count_without_naming() {
    let mut h = hub("green").await;
    h.grant(true, true).await;
    let member_user = h.app.api(&h.member, "GET", "/api/v1/me", None).await.json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let share = |objects: Vec<Value>| json!({"objects": objects, "audience_users": [member_user], "audience_orgs": [h.member_org]});
    let mut domain = indicator(2, "0.0.0.0", Some(GREEN));
    domain["pattern"] = json!("[domain-name:value = 'c2.example.net']");
    let r = h
        .app
        .api(
            &h.keeper,
            "POST",
            &format!("/api/v1/sharing/collections/{}/objects", h.collection),
            Some(share(vec![
                indicator(1, "203.0.113.1", Some(CLEAR)),
                domain,
                indicator(3, "203.0.113.3", Some(RED)),
            ])),
        )
        .await;
    assert_eq!(r.json()["success_count"], 3, "{}", r.body);
    // The member is named for RED and sees it, but exports never carry RED.
    let list = h
        .app
        .get(
            &mut h.member_b,
            &format!("/sharing/{}/export.txt", h.collection),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body, "203.0.113.1\nc2.example.net\n");
    let bundle = h
        .app
        .get(
            &mut h.member_b,
            &format!("/sharing/{}/export.json", h.collection),
        )
        .await;
    let b: Value = serde_json::from_str(&bundle.body).unwrap();
    assert_eq!(b["type"], "bundle");
    assert_eq!(b["objects"].as_array().unwrap().len(), 2);
    assert!(!bundle.body.contains("203.0.113.3"));
    let api_list = h
        .app
        .api(
            &h.member,
            "GET",
            &format!(
                "/api/v1/sharing/collections/{}/export?format=text",
                h.collection
            ),
            None,
        )
        .await;
    assert_eq!(api_list.body, list.body);
    let page = h
        .app
        .get(&mut h.member_b, &format!("/sharing/{}", h.collection))
        .await;
    assert!(
        page.body.contains("203.0.113.3"),
        "the named person sees RED on the page"
    );

    // Two institutions say they saw the CLEAR indicator: the member on the page, the keeper
    // three times through the API.
    let one = "indicator--00000001-0000-4000-8000-000000000000";
    let path = format!("/sharing/{}", h.collection);
    let r = h
        .app
        .submit(
            &mut h.member_b,
            &path,
            &format!("{path}/sightings"),
            &[("indicator", one)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = h
        .app
        .api(
            &h.keeper,
            "POST",
            &format!("/api/v1/sharing/collections/{}/sightings", h.collection),
            Some(json!({"indicator": one, "count": 3, "first_seen": "2026-04-30T00:00:00Z", "last_seen": "2026-05-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let counted = h
        .app
        .api(
            &h.member,
            "GET",
            &format!("/api/v1/sharing/collections/{}/sightings", h.collection),
            None,
        )
        .await
        .json();
    assert_eq!(
        counted,
        json!([{"indicator": one, "institutions": 2, "count": 4}])
    );
    let page = h.app.get(&mut h.member_b, &path).await;
    assert!(page.body.contains("観測した機関: 2"), "{}", page.body);
    // The sightings name no one, over TAXII either.
    let env = taxii(
        &h.app,
        &Auth::Bearer(h.member.clone()),
        "GET",
        &format!("{}?match[type]=sighting", h.objects_path()),
        None,
    )
    .await
    .json();
    let sightings = env["objects"].as_array().unwrap();
    assert_eq!(sightings.len(), 2);
    assert!(
        sightings
            .iter()
            .all(|s| s.get("where_sighted_refs").is_none()
                && s.get("created_by_ref").is_none()
                && s["sighting_of_ref"] == one
                && s["object_marking_refs"] == json!([CLEAR]))
    );
    // Backwards dates are refused; an indicator one may not see is not found.
    let r = h
        .app
        .api(
            &h.keeper,
            "POST",
            &format!("/api/v1/sharing/collections/{}/sightings", h.collection),
            Some(json!({"indicator": one, "first_seen": "2026-05-01T00:00:00Z", "last_seen": "2026-04-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = h
        .app
        .api(
            &h.member_admin,
            "POST",
            &format!("/api/v1/sharing/collections/{}/sightings", h.collection),
            Some(json!({"indicator": "indicator--00000003-0000-4000-8000-000000000000"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the administrator does not share"
    );
    let mut admin = h.app.login("x@other.test", USER_PW).await.0;
    let mut colleague = h
        .app
        .user(&mut admin, "op@other.test", &["system_operator"])
        .await;
    let op = h.app.token(&mut colleague).await;
    let r = h
        .app
        .api(
            &op,
            "POST",
            &format!("/api/v1/sharing/collections/{}/sightings", h.collection),
            Some(json!({"indicator": "indicator--00000003-0000-4000-8000-000000000000"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "RED is for the named person only"
    );
}

#[tokio::test]
async fn an_alert_reaches_the_members_with_their_own_affected_devices_until_acknowledged() {
    let mut h = hub("green").await;
    h.grant(true, false).await;
    // The member's ledger: a FortiGate on an affected version, one fixed, one without a version.
    for (name, version) in [
        ("VPN-01", "7.2.4"),
        ("VPN-02", "FortiOS 7.2.5"),
        ("FW-03", ""),
    ] {
        let r = h
            .app
            .api(
                &h.member,
                "POST",
                "/api/v1/registers/devices",
                Some(
                    json!({"kind": "network", "name": name, "vendor": "Fortinet",
                    "product": "FortiGate 60F", "version": version, "internet_facing": true}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // A fault keeps what was typed.
    let bad = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/alerts",
            "/sharing/alerts",
            &[
                ("collection_id", &h.collection),
                ("title", "FortiOS SSL-VPN の脆弱性"),
                ("severity", "critical"),
                ("affected", "Fortinet FortiOS"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("FortiOS SSL-VPN の脆弱性"));
    assert!(bad.body.contains("field-error"));
    let r = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/alerts",
            "/sharing/alerts",
            &[
                ("collection_id", &h.collection),
                ("title", "FortiOS SSL-VPN の脆弱性"),
                ("severity", "critical"),
                ("summary", "悪用が確認されています。"),
                ("actions", "7.2.5 以降に更新してください。"),
                ("affected", "Fortinet, FortiOS, 7.2.5"),
                ("due_on", "2026-05-15"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let alert_path = r.location().to_string();
    let alert_id = alert_path.rsplit('/').next().unwrap().to_string();

    // The member sees it on its dashboard with its two affected devices, until acknowledged.
    let dash = h.app.get(&mut h.member_b, "/").await;
    assert!(dash.body.contains(r#"id="alerts-card""#), "{}", dash.body);
    assert!(dash.body.contains("2 台が該当"));
    let page = h.app.get(&mut h.member_b, &alert_path).await;
    assert!(page.body.contains("VPN-01") && page.body.contains("FW-03"));
    assert!(!page.body.contains("VPN-02"), "7.2.5 is fixed");
    let api = h
        .app
        .api(&h.member, "GET", "/api/v1/sharing/alerts", None)
        .await
        .json();
    assert_eq!(api[0]["devices"].as_array().unwrap().len(), 2);
    let vpn = api[0]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "VPN-01")
        .expect("VPN-01");
    assert_eq!(vpn["version_matched"], true);
    // The publisher sees who has not acknowledged.
    let acks = h
        .app
        .api(
            &h.keeper,
            "GET",
            &format!("/api/v1/sharing/alerts/{alert_id}/acks"),
            None,
        )
        .await
        .json();
    assert_eq!(acks[0]["name"], "他院");
    assert_eq!(acks[0]["acknowledged_at"], Value::Null);
    // An acknowledgement by the member's administrator counts for the organisation.
    let r = h
        .app
        .api(
            &h.member_admin,
            "POST",
            &format!("/api/v1/sharing/alerts/{alert_id}/ack"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let dash = h.app.get(&mut h.member_b, "/").await;
    assert!(!dash.body.contains(r#"id="alerts-card""#));
    let acks = h
        .app
        .api(
            &h.keeper,
            "GET",
            &format!("/api/v1/sharing/alerts/{alert_id}/acks"),
            None,
        )
        .await
        .json();
    assert_ne!(acks[0]["acknowledged_at"], Value::Null);
    let keeper_page = h.app.get(&mut h.keeper_b, &alert_path).await;
    assert!(keeper_page.body.contains(r#"id="ack-list""#));
    // The member is not the publisher: it cannot read the acknowledgements; an organisation
    // outside the collection does not even find the alert.
    let r = h
        .app
        .api(
            &h.member,
            "GET",
            &format!("/api/v1/sharing/alerts/{alert_id}/acks"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    h.grant(false, false).await;
    let r = h.app.get(&mut h.member_b, &alert_path).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_incidents_indicators_are_shared_as_a_report_once_a_second_person_approves() {
    let mut h = hub("green").await;
    h.grant(true, true).await;
    // The member's incident, with indicators written in its timeline.
    let report = h
        .app
        .api(
            &h.member,
            "POST",
            "/api/v1/reports",
            Some(json!({"what": "ランサムノート"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let facts = json!({"title": "VPN 経由の侵入", "kind": "ransomware", "severity": "high",
        "aware_at": "2026-05-01T09:00", "cyber_attack": true});
    let inc = h
        .app
        .api(
            &h.member,
            "POST",
            &format!("/api/v1/reports/{report}/incident"),
            Some(facts),
        )
        .await;
    assert_eq!(inc.status, StatusCode::CREATED, "{}", inc.body);
    let incident = inc.json()["incident"]["id"].as_str().unwrap().to_string();
    let r = h
        .app
        .api(
            &h.member,
            "POST",
            &format!("/api/v1/incidents/{incident}/timeline"),
            Some(json!({"kind": "note", "text": "FW ログで 198.51.100.23 への通信、C2 は evil-c2[.]example.net"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The form takes the indicators from the timeline.
    let form = h
        .app
        .get(
            &mut h.member_b,
            &format!("/sharing/drafts?incident={incident}"),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("198.51.100.23\nevil-c2.example.net"),
        "{}",
        form.body
    );
    // A draft with a line that names a patient: flagged, and shown exactly as it will be sent.
    let r = h
        .app
        .submit(
            &mut h.member_b,
            &format!("/sharing/drafts?incident={incident}"),
            "/sharing/drafts",
            &[
                ("incident_id", &incident),
                ("collection_id", &h.collection),
                ("title", "VPN 経由のランサムウェア"),
                ("values", "198.51.100.23\nevil-c2.example.net"),
                ("malware", "LockBit"),
                (
                    "summary",
                    "VPN 装置の脆弱性から侵入。\n患者 山田様の画面に脅迫文",
                ),
                ("tlp", "amber"),
                ("anonymous", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let draft_path = r.location().to_string();
    let draft = h.app.get(&mut h.member_b, &draft_path).await;
    assert!(draft.body.contains(r#"id="flagged""#));
    assert!(draft.body.contains("患者 山田様"));
    let sent = &draft.body[draft.body.find(r#"<pre id="objects">"#).unwrap()..];
    let sent = &sent[..sent.find("</pre>").unwrap()];
    assert!(sent.contains("匿名の医療機関"));
    assert!(
        !sent.contains("他院"),
        "the institution's name is not in what is sent"
    );
    // The author cannot approve; a colleague can.
    assert!(draft.body.contains(r#"id="awaiting""#));
    let id = draft_path.rsplit('/').next().unwrap();
    let own = h
        .app
        .api(
            &h.member,
            "POST",
            &format!("/api/v1/sharing/drafts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    let nothing = taxii(
        &h.app,
        &Auth::Bearer(h.keeper.clone()),
        "GET",
        &h.objects_path(),
        None,
    )
    .await
    .json();
    assert_eq!(
        nothing,
        json!({"more": false}),
        "nothing is shared before approval"
    );
    let mut admin = h.app.login("x@other.test", USER_PW).await.0;
    let mut colleague = h
        .app
        .user(&mut admin, "op@other.test", &["system_operator"])
        .await;
    let r = h
        .app
        .submit(
            &mut colleague,
            &draft_path,
            &format!("{draft_path}/approve"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        h.app
            .get(&mut colleague, &draft_path)
            .await
            .body
            .contains(r#"id="published""#)
    );
    // The hub keeper receives the report, its indicators, the malware and the relationships,
    // all AMBER, by an anonymous identity.
    let got = taxii(
        &h.app,
        &Auth::Bearer(h.keeper.clone()),
        "GET",
        &h.objects_path(),
        None,
    )
    .await
    .json();
    let objects = got["objects"].as_array().unwrap();
    let types: Vec<&str> = objects
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    for t in ["identity", "indicator", "malware", "relationship", "report"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    assert_eq!(types.iter().filter(|t| **t == "indicator").count(), 2);
    assert!(
        objects
            .iter()
            .all(|o| o["object_marking_refs"] == json!([AMBER]))
    );
    for o in objects {
        assert!(stix::validate_object(o, "o").is_empty(), "{o}");
    }
    let report = objects.iter().find(|o| o["type"] == "report").unwrap();
    assert_eq!(report["object_refs"].as_array().unwrap().len(), 5);
    let page = h
        .app
        .get(&mut h.keeper_b, &format!("/sharing/{}", h.collection))
        .await;
    assert!(page.body.contains("VPN 経由のランサムウェア"));
    // A second approval changes nothing.
    let again = h
        .app
        .api(
            &h.member_admin,
            "POST",
            &format!("/api/v1/sharing/drafts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::FORBIDDEN,
        "an administrator does not share"
    );
}
