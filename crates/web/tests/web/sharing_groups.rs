//! Groups of organisations in the hub: the keeper makes them on its page, grants them a
//! collection and members name them for AMBER; RED goes to the people chosen on the share form.
//! Everyone named must read the collection.

use crate::sharing::{AMBER, AMBER_STRICT, Auth, hub, indicator, taxii};
use crate::support::*;
use serde_json::{Value, json};

fn values(objects: &Value) -> Vec<String> {
    let mut v: Vec<String> = objects["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["object"]["pattern"].as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_group_granted_a_collection_reads_it_and_receives_the_amber_shared_with_it() {
    let mut h = hub("amber").await;
    let (mut third_admin, _, third_org) = h.third().await;
    let mut third_sm = h
        .app
        .user(&mut third_admin, "sm@third.test", &["security_manager"])
        .await;
    let third = h.app.token(&mut third_sm).await;
    let objects = format!("/api/v1/sharing/collections/{}/objects", h.collection);

    // The keeper makes the group 関東 on its page; the same name again keeps what was typed.
    let made = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/groups",
            "/sharing/groups",
            &[("name", "関東の病院")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let again = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/groups",
            "/sharing/groups",
            &[("name", "関東の病院")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains(r#"value="関東の病院""#));
    assert!(again.body.contains("同じ名前のグループがすでにあります"));
    let groups = h
        .app
        .api(&h.keeper, "GET", "/api/v1/sharing/groups", None)
        .await
        .json();
    let group = groups[0]["id"].as_str().unwrap().to_string();
    assert_eq!(groups[0]["members"], json!([]));
    // Another organisation sees its own groups, not the keeper's, and cannot change them.
    assert_eq!(
        h.app
            .api(&h.member, "GET", "/api/v1/sharing/groups", None)
            .await
            .json(),
        json!([])
    );
    let r = h
        .app
        .api(
            &h.member,
            "PUT",
            &format!("/api/v1/sharing/groups/{group}/members/{}", h.member_org),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The other clinic joins the group on the page; the group is granted the collection.
    let joined = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/groups",
            &format!("/sharing/groups/{group}/members"),
            &[("org", &h.member_org), ("member", "true")],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let groups_page = h.app.get(&mut h.keeper_b, "/sharing/groups").await;
    assert!(groups_page.body.contains("他院"), "{}", groups_page.body);
    assert_eq!(
        h.app.api(&h.member, "GET", &objects, None).await.status,
        StatusCode::NOT_FOUND,
        "no grant yet"
    );
    let page = format!("/sharing/{}", h.collection);
    let granted = h
        .app
        .submit(
            &mut h.keeper_b,
            &page,
            &format!("{page}/group-grants"),
            &[
                ("group", &group),
                ("can_read", "true"),
                ("can_write", "true"),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let kept = h.app.get(&mut h.keeper_b, &page).await;
    assert!(kept.body.contains("グループ: <a"), "{}", kept.body);
    let grants = h
        .app
        .api(
            &h.keeper,
            "GET",
            &format!("/api/v1/sharing/collections/{}/grants", h.collection),
            None,
        )
        .await
        .json();
    assert_eq!(grants["groups"][0]["name"], "関東の病院");
    assert_eq!(grants["orgs"], json!([]));
    assert_eq!(
        h.app.api(&h.member, "GET", &objects, None).await.status,
        StatusCode::OK,
        "the group's member reads"
    );
    // An alert to the collection reaches the group's member, and the publisher sees it among
    // those who have not acknowledged it.
    let alert = h
        .app
        .api(
            &h.keeper,
            "POST",
            "/api/v1/sharing/alerts",
            Some(
                json!({"collection_id": h.collection, "title": "VPN の脆弱性", "severity": "high",
                "affected": [{"vendor": "Fortinet", "product": "FortiOS", "fixed_in": "7.2.5"}]}),
            ),
        )
        .await;
    assert_eq!(alert.status, StatusCode::CREATED, "{}", alert.body);
    let alert_id = alert.json()["id"].as_str().unwrap().to_string();
    let received = h
        .app
        .api(&h.member, "GET", "/api/v1/sharing/alerts", None)
        .await
        .json();
    assert_eq!(received[0]["title"], "VPN の脆弱性", "{received}");
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
    assert_eq!(acks[0]["name"], "他院", "{acks}");
    // The third hospital is granted directly, outside the group.
    let r = h
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
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Whom the third hospital may name: the group by name, not the organisations, and its own
    // and the keeper's people, not the clinic's.
    let audience = h
        .app
        .api(
            &third,
            "GET",
            &format!("/api/v1/sharing/collections/{}/audience", h.collection),
            None,
        )
        .await
        .json();
    assert_eq!(audience["orgs"], json!([]));
    assert_eq!(audience["groups"][0]["name"], "関東の病院");
    let people: Vec<&str> = audience["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(people.contains(&"sm@mamori.test"), "{people:?}");
    assert!(!people.contains(&"sm@other.test"), "{people:?}");
    // The keeper is offered every reader.
    let keeper_audience = h
        .app
        .api(
            &h.keeper,
            "GET",
            &format!("/api/v1/sharing/collections/{}/audience", h.collection),
            None,
        )
        .await
        .json();
    let orgs = keeper_audience["orgs"].to_string();
    assert!(
        orgs.contains(&h.member_org) && orgs.contains(&third_org),
        "{orgs}"
    );
    assert!(
        keeper_audience["people"]
            .to_string()
            .contains("sm@other.test")
    );

    // The third hospital shares AMBER for the group, AMBER+STRICT for the group (a group does
    // not count for STRICT) and AMBER for no one named.
    for (ip, marking, groups) in [
        ("198.51.100.1", AMBER, json!([group])),
        ("198.51.100.2", AMBER_STRICT, json!([group])),
        ("198.51.100.3", AMBER, json!([])),
    ] {
        let n = ip.rsplit('.').next().unwrap().parse().unwrap();
        let r = h
            .app
            .api(
                &third,
                "POST",
                &objects,
                Some(json!({"objects": [indicator(n, ip, Some(marking))], "audience_groups": groups})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let member_sees = values(&h.app.api(&h.member, "GET", &objects, None).await.json());
    assert_eq!(member_sees, ["[ipv4-addr:value = '198.51.100.1']"]);
    let env = taxii(
        &h.app,
        &Auth::Bearer(h.member_admin.clone()),
        "GET",
        &h.objects_path(),
        None,
    )
    .await
    .json();
    assert_eq!(env["objects"].as_array().unwrap().len(), 1, "{env}");
    assert_eq!(
        values(&h.app.api(&h.keeper, "GET", &objects, None).await.json()).len(),
        3
    );

    // Named audiences must read the collection: an unknown group, an organisation or a person
    // outside it is a fault on its member, and nothing is shared.
    let outsider = uuid::Uuid::new_v4().to_string();
    for (member, named) in [
        ("audience_groups", json!({"audience_groups": [outsider]})),
        ("audience_orgs", json!({"audience_orgs": [outsider]})),
        ("audience_users", json!({"audience_users": [outsider]})),
    ] {
        let mut body = named;
        body["objects"] = json!([indicator(9, "198.51.100.9", Some(AMBER))]);
        let r = h.app.api(&third, "POST", &objects, Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{member}");
        assert!(r.body.contains(member), "{}", r.body);
    }
    assert_eq!(
        values(&h.app.api(&h.keeper, "GET", &objects, None).await.json()).len(),
        3
    );

    // Taken out of the group, the clinic no longer reaches the collection at all.
    let left = h
        .app
        .submit(
            &mut h.keeper_b,
            "/sharing/groups",
            &format!("/sharing/groups/{group}/members"),
            &[("org", &h.member_org), ("member", "false")],
        )
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.app.api(&h.member, "GET", &objects, None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = taxii(
        &h.app,
        &Auth::Bearer(h.member.clone()),
        "GET",
        &h.objects_path(),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn red_is_shared_from_the_page_with_the_people_chosen_and_no_one_else() {
    let mut h = hub("amber").await;
    h.grant(true, true).await;
    let page = format!("/sharing/{}", h.collection);
    let objects = format!("/api/v1/sharing/collections/{}/objects", h.collection);
    let member_sm = h.app.api(&h.member, "GET", "/api/v1/me", None).await.json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The keeper's share form offers RED and the member's people by name.
    let form = h.app.get(&mut h.keeper_b, &page).await;
    assert!(
        form.body.contains(r#"name="tlp" value="red""#),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains(&format!(r#"name="audience_users" value="{member_sm}""#))
    );
    // AMBER+STRICT with a group is refused on the form, with what was typed kept.
    let r = h
        .app
        .submit(
            &mut h.keeper_b,
            &page,
            &format!("{page}/indicators"),
            &[
                ("value", "203.0.113.66"),
                ("tlp", "amber+strict"),
                ("audience_groups", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"value="203.0.113.66""#));
    assert!(
        r.body
            .contains("AMBER+STRICT は名指しした組織にのみ届きます")
    );
    // RED for the member's security manager.
    let shared = h
        .app
        .submit(
            &mut h.keeper_b,
            &page,
            &format!("{page}/indicators"),
            &[
                ("value", "203.0.113.99"),
                ("tlp", "red"),
                ("audience_users", &member_sm),
            ],
        )
        .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
    let named = h.app.api(&h.member, "GET", &objects, None).await.json();
    assert_eq!(named["objects"][0]["tlp"], "red");
    assert_eq!(values(&named), ["[ipv4-addr:value = '203.0.113.99']"]);
    // The named person's administrator, and the keeper's own colleague, do not see it.
    let colleague = h
        .app
        .api(&h.member_admin, "GET", &objects, None)
        .await
        .json();
    assert!(values(&colleague).is_empty());
    let mut home_admin = h.app.login("admin@mamori.test", ADMIN_PW).await.0;
    let home_token = h.app.token(&mut home_admin).await;
    let home = h.app.api(&home_token, "GET", &objects, None).await.json();
    assert!(values(&home).is_empty(), "{home}");
}
