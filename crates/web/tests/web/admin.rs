//! Setup, login, two-factor, passwords, users, organisations, the audit trail, languages, headers, health and the API's accounts.

use crate::support::*;

#[tokio::test]
async fn a_new_installation_leads_to_setup_and_keeps_what_was_typed() {
    let app = App::new().await;
    let mut b = Browser::default();
    let r = app.get(&mut b, "/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/setup"));
    assert_eq!(app.get(&mut b, "/login").await.location(), "/setup");
    let r = app
        .submit(
            &mut b,
            "/setup",
            "/setup",
            &[
                ("name", "守り市民病院"),
                ("kind", "institution"),
                ("institution_type", "hospital"),
                ("beds", "19"),
                ("display_name", "管理 太郎"),
                ("email", "admin@mamori.test"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("病院の病床数は20床以上です"), "{}", r.body);
    assert!(r.body.contains("13文字以上にしてください"));
    assert!(
        r.body.contains("value=\"守り市民病院\"")
            && r.body.contains("value=\"admin@mamori.test\"")
            && r.body.contains("value=\"19\"")
    );
    assert_eq!(
        app.store.org_count().await.expect("count"),
        0,
        "nothing written on a failed form"
    );
    let mut b = app.setup().await;
    let r = app.get(&mut b, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("守り市民病院") && r.body.contains("200 床"));
    // Setup is closed once done.
    assert_eq!(
        app.get(&mut Browser::default(), "/setup").await.location(),
        "/login"
    );
}

#[tokio::test]
async fn login_logout_and_wrong_passwords() {
    let app = App::new().await;
    app.setup().await;
    let (_, r) = app.login("admin@mamori.test", "wrong-password-123").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body
            .contains("メールアドレスまたはパスワードが正しくありません")
    );
    assert!(
        r.body.contains("value=\"admin@mamori.test\""),
        "the e-mail is kept"
    );
    let (_, r) = app.login("nobody@mamori.test", "wrong-password-123").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let (mut b, r) = app.login("ADMIN@mamori.test ", ADMIN_PW).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(app.get(&mut b, "/").await.status, StatusCode::OK);
    let r = app.submit(&mut b, "/", "/logout", &[]).await;
    assert_eq!(r.location(), "/login");
    assert_eq!(app.get(&mut b, "/").await.location(), "/login");
    let failures = app
        .store
        .audit_list(
            app.store.org_directory().await.expect("orgs")[0].id,
            &mamori_store::AuditFilter {
                action_prefix: Some("auth.".into()),
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    let actions: Vec<_> = failures.iter().map(|r| r.event.action.as_str()).collect();
    assert!(
        actions.contains(&"auth.login_failed")
            && actions.contains(&"auth.login")
            && actions.contains(&"auth.logout"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn forms_need_their_token_and_the_same_site() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let r = app
        .post(
            &mut b,
            "/users",
            &[
                ("display_name", "x"),
                ("email", "x@mamori.test"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("別のサイトから送信されました"));
    let csrf = app.get(&mut b, "/users").await.hidden("csrf");
    let req = Request::post("/users")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "mamori.test");
    let r = app
        .send(
            &mut b,
            req,
            Body::from(format!(
                "csrf={csrf}&display_name=x&email=x%40mamori.test&roles=staff"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let req = Request::post("/users")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site");
    let r = app
        .send(
            &mut b,
            req,
            Body::from(format!(
                "csrf={csrf}&display_name=x&email=x%40mamori.test&roles=staff"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("別のサイトから送信された要求"),
        "{}",
        r.body
    );
    // The same host by another scheme is another site; so is a header that only looks like a
    // token: the check is skipped only for a live one.
    let form = format!("csrf={csrf}&display_name=x&email=x%40mamori.test&roles=staff");
    for (origin, authorization) in [
        ("https://mamori.test", None),
        ("https://evil.example", Some("Bearer not-a-token")),
        ("https://evil.example", Some("Basic eDp5")),
    ] {
        let mut req = Request::post("/users")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, origin)
            .header(header::HOST, "mamori.test");
        if let Some(a) = authorization {
            req = req.header(header::AUTHORIZATION, a);
        }
        let r = app.send(&mut b, req, Body::from(form.clone())).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{origin} {authorization:?}"
        );
        assert!(
            r.body.contains("別のサイトから送信された要求"),
            "{}",
            r.body
        );
    }
    let r = app
        .send(
            &mut Browser::default(),
            Request::post("/api/v1/incidents")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::AUTHORIZATION, "Bearer not-a-token"),
            Body::from("{}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "csrf");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("別のサイト")),
        "{}",
        r.body
    );
    // A live token carries no ambient credentials: its calls pass whatever their origin.
    let token = app.token(&mut b).await;
    let r = app
        .send(
            &mut Browser::default(),
            Request::post("/api/v1/reports")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::AUTHORIZATION, format!("Bearer {token}")),
            Body::from("{}"),
        )
        .await;
    assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    assert_eq!(
        app.store.users(org).await.expect("users").len(),
        1,
        "no user was created"
    );
    // The login form is protected too (double-submit cookie).
    let r = app
        .post(
            &mut Browser::default(),
            "/login",
            &[("email", "admin@mamori.test"), ("password", ADMIN_PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_factor_enrolment_login_replay_and_recovery() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let r = app
        .submit(&mut b, "/account/totp", "/account/totp/start", &[])
        .await;
    assert_eq!(r.location(), "/account/totp");
    let page = app.get(&mut b, "/account/totp").await;
    assert!(
        page.body.contains("data:image/svg+xml;base64,"),
        "QR code shown"
    );
    let secret = page.by_id("totp-secret");
    let r = app
        .submit(
            &mut b,
            "/account/totp",
            "/account/totp",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = crypto::totp_code(&secret, app.unix()).expect("code");
    let r = app
        .submit(&mut b, "/account/totp", "/account/totp", &[("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recovery: Vec<String> = r
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap_or(0)].to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    app.submit(&mut b, "/", "/logout", &[]).await;

    // Password alone now leads to the code step, not the dashboard.
    let (mut b, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.location(), "/login/totp");
    assert_eq!(app.get(&mut b, "/").await.location(), "/login");
    // The code used at enrolment cannot be replayed.
    let r = app
        .submit(&mut b, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.advance(Duration::seconds(60));
    let code2 = crypto::totp_code(&secret, app.unix()).expect("code");
    let r = app
        .submit(&mut b, "/login/totp", "/login/totp", &[("code", &code2)])
        .await;
    assert_eq!(r.location(), "/");
    assert_eq!(app.get(&mut b, "/").await.status, StatusCode::OK);

    // A recovery code works once.
    let (mut b2, _) = app.login("admin@mamori.test", ADMIN_PW).await;
    let r = app
        .submit(
            &mut b2,
            "/login/totp",
            "/login/totp",
            &[("code", &recovery[0].to_uppercase())],
        )
        .await;
    assert_eq!(r.location(), "/");
    let (mut b3, _) = app.login("admin@mamori.test", ADMIN_PW).await;
    let r = app
        .submit(
            &mut b3,
            "/login/totp",
            "/login/totp",
            &[("code", &recovery[0])],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_rules_follow_two_factor_and_refuse_reuse() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let change = |cur: &'static str, new: &'static str| {
        [
            ("current", cur),
            ("password", new),
            ("password_confirm", new),
        ]
    };
    let r = app
        .submit(
            &mut b,
            "/account",
            "/account/password",
            &change(ADMIN_PW, "ab1!efgh"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("13文字以上"));
    // Long enough is not enough: what attackers try first, blanks, one character over and over,
    // and the account's own words are refused with their reason.
    for (weak, reason) in [
        ("password12345", "よく使われるパスワード"),
        ("iloveyou12345", "よく使われるパスワード"),
        ("qwertyuiop123", "よく使われるパスワード"),
        ("admin-mamori-test", "よく使われるパスワード"),
        ("管理太郎の守り市民病院2026", "よく使われるパスワード"),
        ("                 ", "空白だけ"),
        ("aaaaaaaaaaaaaaaa", "同じ文字を繰り返した"),
    ] {
        let r = app
            .submit(
                &mut b,
                "/account",
                "/account/password",
                &change(ADMIN_PW, weak),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak:?}");
        assert!(r.body.contains(reason), "{weak:?}: {}", r.body);
    }
    let r = app
        .submit(
            &mut b,
            "/account",
            "/account/password",
            &change("wrong", "another-long-password"),
        )
        .await;
    assert!(r.body.contains("現在のパスワードが正しくありません"));
    let r = app
        .submit(
            &mut b,
            "/account",
            "/account/password",
            &change(ADMIN_PW, ADMIN_PW),
        )
        .await;
    assert!(
        r.body.contains("直近5回"),
        "reusing the current password is refused"
    );
    let mut current = ADMIN_PW.to_string();
    for i in 0..5 {
        let next = format!("rotation-password-{i}");
        let r = app
            .submit(
                &mut b,
                "/account",
                "/account/password",
                &[
                    ("current", &current),
                    ("password", &next),
                    ("password_confirm", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        current = next;
    }
    // Five changes later the first password is allowed again.
    let r = app
        .submit(
            &mut b,
            "/account",
            "/account/password",
            &[
                ("current", &current),
                ("password", ADMIN_PW),
                ("password_confirm", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("パスワードを変更しました"));
}

#[tokio::test]
async fn an_invited_user_sets_a_password_and_sees_only_their_areas() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let r = app
        .submit(
            &mut admin,
            "/users",
            "/users",
            &[("display_name", ""), ("email", "bad"), ("roles", "staff")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("入力してください")
            && r.body.contains("メールアドレスの形式")
            && r.body.contains("value=\"bad\"")
    );
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let dash = app.get(&mut staff, "/").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(
        !dash.body.contains("href=\"/users\"") && !dash.body.contains("href=\"/audit\""),
        "staff see no admin areas"
    );
    assert_eq!(
        app.get(&mut staff, "/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&mut staff, "/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .submit(
            &mut admin,
            "/users",
            "/users",
            &[
                ("display_name", "x"),
                ("email", "nurse@mamori.test"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert!(r.body.contains("すでに使われています"));
}

#[tokio::test]
async fn administrators_change_roles_and_disable_accounts_but_not_their_own() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut it = app
        .user(&mut admin, "it@mamori.test", &["system_operator"])
        .await;
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    let users = app.store.users(org).await.expect("users");
    let it_user = users
        .iter()
        .find(|u| u.email == "it@mamori.test")
        .expect("it");
    let me = users
        .iter()
        .find(|u| u.email == "admin@mamori.test")
        .expect("admin");
    let page = format!("/users/{}", it_user.id);
    let r = app
        .submit(
            &mut admin,
            &page,
            &format!("{page}/roles"),
            &[("roles", "system_operator"), ("roles", "admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&mut it, "/users").await.status,
        StatusCode::OK,
        "the new role applies at once"
    );
    let my = format!("/users/{}", me.id);
    let r = app
        .submit(
            &mut admin,
            &my,
            &format!("{my}/roles"),
            &[("roles", "staff")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .submit(&mut admin, &my, &format!("{my}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .submit(&mut admin, &page, &format!("{page}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&mut it, "/").await.location(),
        "/login",
        "a disabled account's session ends"
    );
    let (_, r) = app.login("it@mamori.test", USER_PW).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_api_answers_token_holders_with_json_and_stable_error_codes() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    assert!(token.starts_with("mamori_"));
    let me = app.api(&token, "GET", "/api/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK);
    let j = me.json();
    assert_eq!(j["user"]["email"], "admin@mamori.test");
    assert_eq!(j["organisation"]["name"], "守り市民病院");
    assert_eq!(j["organisation"]["beds"], 200);
    let r = app.api("mamori_nonsense", "GET", "/api/v1/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    let r = app
        .api(
            &token,
            "POST",
            "/api/v1/users",
            Some(serde_json::json!({"email": "bad", "display_name": "", "roles": ["boss"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(fields, vec!["email", "display_name", "roles"]);
    let r = app.api(&token, "POST", "/api/v1/users", Some(serde_json::json!({"email": "lab@mamori.test", "display_name": "検査 一郎", "roles": ["staff"]}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let invited = r.json();
    assert!(
        invited["invite_url"]
            .as_str()
            .unwrap_or("")
            .starts_with("http://mamori.test/invite/")
    );
    let id = invited["user"]["id"].as_str().expect("id").to_string();
    let r = app
        .api(
            &token,
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(serde_json::json!({"roles": ["planner"], "disabled": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["roles"], serde_json::json!(["planner"]));
    assert_eq!(r.json()["disabled"], true);
    let r = app.api(&token, "GET", "/api/v1/users", None).await;
    assert_eq!(r.json().as_array().map(|a| a.len()), Some(2));
    let r = app
        .api(&token, "GET", "/api/v1/audit?action=user.", None)
        .await;
    assert!(
        r.json()
            .as_array()
            .expect("records")
            .iter()
            .any(|x| x["action"] == "user.roles")
    );
    // Broken JSON and bad ids are clear 4xx answers, never a crash.
    let mut b = Browser::default();
    let req = Request::post("/api/v1/users")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    let r = app.send(&mut b, req, Body::from("{\"email\": ")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    let r = app
        .api(&token, "GET", "/api/v1/users/not-a-uuid", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    // Revoked tokens stop working.
    let page = app.get(&mut admin, "/account").await;
    let revoke = page
        .body
        .split("action=\"/account/tokens/")
        .nth(1)
        .map(|s| s[..s.find('"').unwrap_or(0)].to_string())
        .expect("revoke form");
    let r = app
        .submit(
            &mut admin,
            "/account",
            &format!("/account/tokens/{revoke}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.api(&token, "GET", "/api/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_speak_english_on_request_and_remember_the_choice() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut visitor = Browser {
        lang: Some("en-US,en;q=0.9"),
        ..Default::default()
    };
    let r = app.get(&mut visitor, "/login").await;
    assert!(r.body.contains("<html lang=\"en\">") && r.body.contains("Log in"));
    let r = app.get(&mut Browser::default(), "/login").await;
    assert!(r.body.contains("<html lang=\"ja\">") && r.body.contains("ログイン"));
    let r = app
        .submit(
            &mut admin,
            "/account",
            "/lang",
            &[("lang", "en"), ("back", "/account")],
        )
        .await;
    assert_eq!(r.location(), "/account");
    assert!(app.get(&mut admin, "/").await.body.contains("Dashboard"));
    // Remembered per user: a fresh browser logging in gets English.
    let (mut b, _) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert!(app.get(&mut b, "/").await.body.contains("Dashboard"));
    // Errors too.
    let r = app
        .get(&mut b, "/users/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("was not found"), "{}", r.body);
    // An off-site return address, or one no header can carry, is ignored.
    for back in [
        "//evil.example/",
        "/\\evil.example",
        "/a\r\nSet-Cookie: x=1",
        "/a\u{7f}",
    ] {
        let r = app
            .submit(
                &mut admin,
                "/account",
                "/lang",
                &[("lang", "ja"), ("back", back)],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/"),
            "{back:?}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = App::new().await;
    for path in ["/login", "/setup", "/healthz", "/no-such-page"] {
        let r = app.get(&mut Browser::default(), path).await;
        let csp = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert!(r.headers.get(header::REFERRER_POLICY).is_some());
    }
    let mut b = app.setup().await;
    let r = app.get(&mut b, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    let setup_cookie = App::new().await;
    let mut v = Browser::default();
    let p = setup_cookie.get(&mut v, "/setup").await;
    let set = p
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
}

#[tokio::test]
async fn health_and_metrics_are_served() {
    let app = App::new().await;
    let mut b = Browser::default();
    let r = app.get(&mut b, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    app.get(&mut b, "/login").await;
    let m = app.get(&mut b, "/metrics").await;
    assert!(
        m.body.contains(
            "mamori_http_requests_total{method=\"GET\",route=\"/login\",status=\"303\"} 1"
        ),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(
            "mamori_http_request_duration_seconds_bucket{route=\"/login\",le=\"+Inf\"} 1"
        )
    );
    assert!(
        m.body
            .contains("mamori_db_pool_connections{state=\"open\"}")
    );
    // Invented methods share one series.
    for method in ["FOO", "BAR", "XYZZY"] {
        let req = Request::builder().method(method).uri("/login");
        app.send(&mut b, req, Body::empty()).await;
    }
    let m = app.get(&mut b, "/metrics").await;
    assert!(
        !m.body.contains("FOO") && !m.body.contains("XYZZY"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("method=\"other\",route=\"/login\",status=\"405\"} 3"),
        "{}",
        m.body
    );
}

#[tokio::test]
async fn the_home_administrator_registers_an_organisation_whose_admin_is_invited() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let r = app
        .submit(
            &mut admin,
            "/organisations",
            "/organisations",
            &[
                ("name", "守りシステム株式会社"),
                ("kind", "vendor"),
                ("admin_name", "事業 者"),
                ("admin_email", "vendor@vendor.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("守りシステム株式会社"));
    let (mut vendor, r) = app.accept_invite(&r).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let dash = app.get(&mut vendor, "/").await;
    assert!(dash.body.contains("守りシステム株式会社") && dash.body.contains("事業者"));
    assert!(
        !dash.body.contains("守り市民病院"),
        "the vendor sees nothing of the hospital"
    );
    assert_eq!(
        app.get(&mut vendor, "/organisations").await.status,
        StatusCode::FORBIDDEN
    );
    let users = app.get(&mut vendor, "/users").await;
    assert!(!users.body.contains("admin@mamori.test"));
}

#[tokio::test]
async fn a_one_time_password_opens_only_the_password_change() {
    let app = App::new().await;
    app.setup().await;
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    let admin = app.store.users(org).await.expect("users")[0].id;
    let ctx = mamori_store::Ctx {
        org_id: org,
        actor_id: None,
        actor_label: "cli".into(),
        ip: String::new(),
        now: app.clock.now(),
    };
    let hash = crypto::hash_password(ADMIN_PW).expect("hash");
    let one_time = mamori_store::PasswordChange {
        one_time: true,
        ..mamori_store::PasswordChange::ending_everything(&hash)
    };
    app.store
        .set_password(&ctx, admin, &one_time)
        .await
        .expect("reset");
    let (mut b, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.location(), "/");
    assert_eq!(app.get(&mut b, "/").await.location(), "/account#password");
    assert_eq!(
        app.get(&mut b, "/users").await.location(),
        "/account#password"
    );
    let account = app.get(&mut b, "/account").await;
    assert!(account.body.contains("一時パスワードでログインしています"));
    let r = app
        .submit(
            &mut b,
            "/account",
            "/account/password",
            &[
                ("current", ADMIN_PW),
                ("password", "a-brand-new-password"),
                ("password_confirm", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get(&mut b, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_organisation_profile_is_edited_by_administrators_only() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut staff = app.user(&mut admin, "staff@mamori.test", &["staff"]).await;
    let r = app
        .submit(
            &mut admin,
            "/organisation",
            "/organisation",
            &[
                ("name", "守り市民病院"),
                ("kind", "institution"),
                ("institution_type", "clinic"),
                ("beds", "40"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("診療所の病床数は0〜19床です") && r.body.contains("value=\"40\""));
    let r = app
        .submit(
            &mut admin,
            "/organisation",
            "/organisation",
            &[
                ("name", "守り市民クリニック"),
                ("kind", "institution"),
                ("institution_type", "clinic"),
                ("beds", "19"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/organisation");
    let page = app.get(&mut staff, "/organisation").await;
    assert!(
        page.body.contains("守り市民クリニック")
            && page.body.contains("診療所")
            && !page
                .body
                .contains("<form method=\"post\" action=\"/organisation\"")
    );
    let csrf = page.hidden("csrf");
    let r = app
        .post(
            &mut staff,
            "/organisation",
            &[("csrf", &csrf), ("name", "乗っ取り"), ("kind", "vendor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let org = app.store.org_directory().await.expect("orgs");
    assert_eq!(org[0].profile.name, "守り市民クリニック");
    let audit = app.get(&mut admin, "/audit?action=org.").await;
    assert!(audit.body.contains("org.update") && audit.body.contains("守り市民クリニック"));
}

#[tokio::test]
async fn the_audit_page_filters_by_action_actor_and_japan_date() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    app.login("admin@mamori.test", "wrong-password-here").await;
    let all = app.get(&mut admin, "/audit").await;
    assert!(all.body.contains("org.create") && all.body.contains("auth.login_failed"));
    let auth = app.get(&mut admin, "/audit?action=auth.").await;
    assert!(auth.body.contains("auth.login_failed") && !auth.body.contains("org.create"));
    // The clock stands at 2026-05-01 10:00 Japan time.
    let today = app
        .get(&mut admin, "/audit?from=2026-05-01&to=2026-05-01")
        .await;
    assert!(today.body.contains("org.create"));
    let before = app.get(&mut admin, "/audit?to=2026-04-30").await;
    assert!(before.body.contains("該当する記録はありません"));
    let bad = app.get(&mut admin, "/audit?from=2026-13-40").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("YYYY-MM-DD") && bad.body.contains("value=\"2026-13-40\""));
}

#[tokio::test]
async fn browsers_are_told_to_keep_to_https_when_it_is_served_so() {
    let plain = App::new().await;
    let r = plain.get(&mut Browser::default(), "/login").await;
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let tls = App::with_config(|c| c.public_url = "https://mamori.test".into()).await;
    for path in ["/setup", "/healthz", "/no-such-page"] {
        let r = tls.get(&mut Browser::default(), path).await;
        assert_eq!(
            r.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn switching_the_language_returns_to_the_page_even_after_a_form_fault() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = App::new().await;
    let mut b = app.setup().await;
    // A page read with GET: the switch comes back to it, query and all.
    let page = app.get(&mut b, "/registers/devices/new").await;
    assert_eq!(page.hidden("back"), "/registers/devices/new");
    // A form that came back with a fault: the switch returns to the form it was sent from.
    let csrf = page.hidden("csrf");
    let body = serde_html_form_encode(&[("csrf", &csrf), ("kind", "server"), ("name", "")]);
    let req = Request::post("/registers/devices")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, "http://mamori.test/registers/devices/new");
    let fault = app.send(&mut b, req, Body::from(body)).await;
    assert_eq!(fault.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fault.hidden("back"), "/registers/devices/new");
    let r = app
        .post(
            &mut b,
            "/lang",
            &[
                ("csrf", &csrf),
                ("lang", "en"),
                ("back", &fault.hidden("back")),
            ],
        )
        .await;
    assert_eq!(r.location(), "/registers/devices/new");
    // A Referer from elsewhere is not followed.
    let body = serde_html_form_encode(&[("csrf", &csrf), ("kind", "server"), ("name", "")]);
    let req = Request::post("/registers/devices")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, "//evil.example/x");
    let fault = app.send(&mut b, req, Body::from(body)).await;
    assert!(!fault.hidden("back").contains("evil"));
}

#[tokio::test]
async fn the_audit_log_and_guideline_references_read_as_words_with_the_code_on_hover() {
    let app = App::new().await;
    let mut b = app.setup().await;
    let audit = app.get(&mut b, "/audit").await;
    assert!(
        audit.body.contains("title=\"org.create\">組織の作成</td>"),
        "{}",
        audit.body
    );
    assert!(!audit.body.contains("<code>org.create</code>"));
    b.lang = Some("en");
    let _ = app
        .post(
            &mut b,
            "/lang",
            &[
                ("csrf", &audit.hidden("csrf")),
                ("lang", "en"),
                ("back", "/audit"),
            ],
        )
        .await;
    let audit = app.get(&mut b, "/audit").await;
    assert!(
        audit
            .body
            .contains("title=\"org.create\">Organisation: created</td>"),
        "{}",
        audit.body
    );
    let r = app
        .submit(
            &mut b,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    let sheet = app.get(&mut b, r.location()).await;
    assert!(
        sheet
            .body
            .contains("<li title=\"gl6.mgmt.9.1\">Management 9.1"),
        "{}",
        sheet.body
    );
}

#[tokio::test]
async fn each_register_page_is_titled_after_its_register() {
    let app = App::new().await;
    let mut b = app.setup().await;
    for (path, title) in [
        ("/registers/backups", "<title>バックアップ — mamori</title>"),
        (
            "/registers/remote_connections",
            "<title>リモート接続 — mamori</title>",
        ),
        (
            "/registers/vendors/new",
            "<title>事業者・契約 — mamori</title>",
        ),
    ] {
        let page = app.get(&mut b, path).await;
        assert!(page.body.contains(title), "{path}: {}", page.body);
        assert!(
            page.body.contains("href=\"/registers\""),
            "{path} has a way back"
        );
    }
}

#[tokio::test]
async fn a_refused_page_keeps_the_navigation_and_the_way_out() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let r = app.get(&mut staff, "/registers/devices").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("id=\"forbidden\"")
            && r.body.contains("action=\"/logout\"")
            && r.body.contains("href=\"/report\""),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("href=\"/registers\""),
        "the navigation is the user's own"
    );
    // The API still answers in JSON.
    let token = app.token(&mut staff).await;
    let r = app
        .api(&token, "GET", "/api/v1/registers/devices", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "forbidden");
}

/// The navigation is grouped by task: at most six entries, each role seeing what it may use, and
/// the pages of the current task under the header.
#[tokio::test]
async fn the_navigation_is_by_task_and_each_role_sees_what_it_may_use() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let tasks = |body: &str| {
        let t = &body[body.find("class=\"tasks\"").expect("nav")..];
        let t = &t[..t.find("</nav>").expect("end")];
        t.matches("<li>").count()
    };
    let home = app.get(&mut admin, "/").await;
    assert_eq!(tasks(&home.body), 6, "{}", home.body);
    assert!(!home.body.contains("class=\"subnav\""), "home has one page");
    let devices = app.get(&mut admin, "/registers/devices").await;
    let sub = &devices.body[devices.body.find("class=\"subnav\"").expect("subnav")..];
    assert!(sub.contains("<a href=\"/registers/devices\" aria-current=\"page\">機器台帳</a>"));
    assert!(sub.contains("/registers/findings"));
    // Staff only report: no registers, no assessments; the report button is on the dashboard,
    // and the report form starts with first aid.
    let mut staff = app.user(&mut admin, "staff@example.jp", &["staff"]).await;
    let home = app.get(&mut staff, "/").await;
    assert_eq!(tasks(&home.body), 3, "{}", home.body);
    assert!(!home.body.contains("href=\"/registers\""));
    assert!(home.body.contains("class=\"button big\" href=\"/report\""));
    let report = app.get(&mut staff, "/report").await;
    let aid = report.body.find("id=\"first-aid\"").expect("first aid");
    assert!(aid < report.body.find("id=\"report-form\"").expect("form"));
    assert!(report.body.contains("電源は切らない"));
}

/// Executives get one part of the dashboard to decide from: the top risks in plain words, the
/// matrix with its legend, and the いいえ items waiting for a decision or a budget.
#[tokio::test]
async fn executives_see_the_risks_in_plain_words_and_what_waits_for_their_decision() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    let id = start_assessment(&app, &mut admin, "fy2025.institution", "").await;
    let r = app
        .api(
            &token,
            "PUT",
            &format!("/api/v1/assessments/{id}/answers/fy2025.institution.2-13"),
            Some(serde_json::json!({"answer": "no", "checked_on": "2025-06-01", "target_date": "2027-09-30"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut director = app
        .user(&mut admin, "director@example.jp", &["executive"])
        .await;
    let home = app.get(&mut director, "/").await;
    let card = &home.body[home
        .body
        .find("id=\"executive-card\"")
        .expect("executive card")..];
    let card = &card[..card.find("</section>").expect("end")];
    assert!(card.contains("判断・予算が必要なこと"), "{card}");
    assert!(
        card.contains("2-⑩") && card.contains("2027-09-30"),
        "{card}"
    );
    assert!(
        card.contains("<svg") && card.contains("回答なし"),
        "the matrix with its legend"
    );
    assert!(
        card.contains("<table class=\"matrix-data\"><caption>はい率(はい/回答)</caption>"),
        "the matrix's figures in a table beside it: {card}"
    );
    // The administrator, not an executive, does not get this part.
    assert!(
        !app.get(&mut admin, "/")
            .await
            .body
            .contains("id=\"executive-card\"")
    );
}
