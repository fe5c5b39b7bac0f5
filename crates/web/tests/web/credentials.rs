//! Signing in under attack: lockouts that end by themselves and answer like a wrong password,
//! limits per client address that count failures only, survive a restart and believe
//! `X-Forwarded-For` only from a trusted proxy, and what a new password ends.

use crate::support::*;

const WRONG: &str = "not-the-password";

/// The answer to a login, without what differs between any two (the e-mail typed, the form token).
fn answer(r: &Res, email: &str) -> (StatusCode, String) {
    let csrf = r.hidden("csrf");
    (r.status, r.body.replace(email, "").replace(&csrf, ""))
}

async fn user_of(app: &App, email: &str) -> mamori_store::User {
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    app.store
        .users(org)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == email)
        .expect("user")
}

fn count(records: &[mamori_domain::audit::AuditRecord], action: &str) -> usize {
    records.iter().filter(|r| r.event.action == action).count()
}

#[tokio::test]
async fn a_lockout_answers_like_a_wrong_password_and_ends_by_itself_growing_each_time() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    let (_, wrong) = app.login("nurse@mamori.test", WRONG).await;
    let (_, unknown) = app.login("nobody@mamori.test", WRONG).await;
    for _ in 0..4 {
        app.login("nurse@mamori.test", WRONG).await;
    }
    // Five failures: even the right password now gets the answer of a wrong one, and of an
    // e-mail that does not exist, so the form tells nobody which accounts exist or are locked.
    let (_, locked) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(
        locked
            .body
            .contains("メールアドレスまたはパスワードが正しくありません"),
        "{}",
        locked.body
    );
    assert_eq!(
        answer(&locked, "nurse@mamori.test"),
        answer(&wrong, "nurse@mamori.test")
    );
    assert_eq!(
        answer(&locked, "nurse@mamori.test"),
        answer(&unknown, "nobody@mamori.test")
    );
    let users = app.get(&mut admin, "/users").await;
    assert!(users.body.contains("ロック中"), "{}", users.body);
    // Tries during the wait are refused without being counted, so they do not lengthen it.
    for _ in 0..10 {
        app.login("nurse@mamori.test", WRONG).await;
    }
    app.advance(Duration::seconds(61));
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the first wait is a minute"
    );
    assert!(
        !app.get(&mut admin, "/users")
            .await
            .body
            .contains("ロック中")
    );

    // The count starts again after a success; past the fifth failure each one doubles the wait.
    for _ in 0..5 {
        app.login("nurse@mamori.test", WRONG).await;
    }
    app.advance(Duration::seconds(61));
    app.login("nurse@mamori.test", WRONG).await;
    app.advance(Duration::seconds(61));
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the sixth waits two minutes"
    );
    app.advance(Duration::seconds(60));
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let nurse = user_of(&app, "nurse@mamori.test").await;
    assert_eq!((nurse.failed_logins, nurse.locked_until), (0, None));
}

#[tokio::test]
async fn an_administrator_can_lift_a_lockout_at_once() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    for _ in 0..5 {
        app.login("nurse@mamori.test", WRONG).await;
    }
    let nurse = user_of(&app, "nurse@mamori.test").await;
    assert!(nurse.is_locked(app.clock.now()));
    let page = format!("/users/{}", nurse.id);
    assert!(app.get(&mut admin, &page).await.body.contains("ロック中"));
    let r = app
        .submit(&mut admin, &page, &format!("{page}/unlock"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_lockout_holds_back_passwords_not_the_sessions_and_tokens_already_open() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let token = app.token(&mut admin).await;
    // Five wrong passwords are something anyone can send: they must not sign the administrator
    // out or stop the scripts.
    for _ in 0..5 {
        app.login("admin@mamori.test", WRONG).await;
    }
    assert!(
        user_of(&app, "admin@mamori.test")
            .await
            .is_locked(app.clock.now())
    );
    assert_eq!(app.get(&mut admin, "/").await.status, StatusCode::OK);
    assert_eq!(
        app.api(&token, "GET", "/api/v1/me", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_failures_count_against_an_address_and_a_restart_forgets_none() {
    let mut app = App::with_config(|c| c.login_failures_per_address = 5).await;
    app.setup().await;
    // Many people behind one hospital NAT sign in all day: successes never count.
    for _ in 0..8 {
        let (_, r) = app.login("admin@mamori.test", ADMIN_PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    for i in 0..5 {
        let (_, r) = app.login(&format!("guess{i}@mamori.test"), WRONG).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let (_, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("試行が多すぎます"), "{}", r.body);
    app.restart();
    for _ in 0..20 {
        let (_, r) = app.login("admin@mamori.test", ADMIN_PW).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "still refused");
    }
    // A flood of refusals leaves one record at once and one sum when the window closes.
    let records = app.store.audit_records().await.expect("audit");
    assert_eq!(count(&records, "auth.rate_limited"), 1);
    app.advance(Duration::minutes(10));
    let (_, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the window closed");
    let limit = mamori_domain::throttle::AddressLimit::per_ten_minutes(5);
    app.store
        .close_address_windows(&limit, app.clock.now() + Duration::minutes(10))
        .await
        .expect("close");
    let records = app.store.audit_records().await.expect("audit");
    let sums: Vec<_> = records
        .iter()
        .filter(|r| r.event.action == "auth.rate_limited_summary")
        .collect();
    assert_eq!(sums.len(), 1);
    assert!(
        sums[0].event.detail.contains("\"refused\":21"),
        "{}",
        sums[0].event.detail
    );
    assert_eq!(sums[0].event.object_id, "192.0.2.7");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_counts_apart() {
    let app = App::with_config(|c| {
        c.login_failures_per_address = 3;
        c.trusted_proxies = "192.0.2.7".to_string().try_into().expect("proxies");
    })
    .await;
    app.setup().await;
    let app = &app;
    let from = |client: &str| Browser {
        forwarded_for: Some(client.to_string()),
        ..Browser::default()
    };
    let login = |mut b: Browser, email: &'static str, pw: &'static str| async move {
        app.submit(
            &mut b,
            "/login",
            "/login",
            &[("email", email), ("password", pw)],
        )
        .await
        .status
    };
    for _ in 0..3 {
        login(from("198.51.100.1"), "x@mamori.test", WRONG).await;
    }
    assert_eq!(
        login(from("198.51.100.1"), "admin@mamori.test", ADMIN_PW).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A client cannot escape by writing another address in front: the proxy appends the real one.
    assert_eq!(
        login(
            from("203.0.113.50, 198.51.100.1"),
            "admin@mamori.test",
            ADMIN_PW
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another person behind the same proxy is not held back.
    assert_eq!(
        login(from("198.51.100.2"), "admin@mamori.test", ADMIN_PW).await,
        StatusCode::SEE_OTHER
    );
    let records = app.store.audit_records().await.expect("audit");
    let last_login = records
        .iter()
        .rev()
        .find(|r| r.event.action == "auth.login")
        .expect("login recorded");
    assert_eq!(last_login.event.ip, "198.51.100.2");
}

#[tokio::test]
async fn without_a_trusted_proxy_the_forwarded_header_is_ignored() {
    let app = App::with_config(|c| c.login_failures_per_address = 3).await;
    app.setup().await;
    for i in 0..3 {
        let mut b = Browser {
            forwarded_for: Some(format!("198.51.100.{i}")),
            ..Browser::default()
        };
        app.submit(
            &mut b,
            "/login",
            "/login",
            &[("email", "x@mamori.test"), ("password", WRONG)],
        )
        .await;
    }
    let mut b = Browser {
        forwarded_for: Some("198.51.100.99".into()),
        ..Browser::default()
    };
    let r = app
        .submit(
            &mut b,
            "/login",
            "/login",
            &[("email", "admin@mamori.test"), ("password", ADMIN_PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_lockout_at_the_second_factor_ends_every_session_of_the_account() {
    let app = App::new().await;
    let mut a = app.setup().await;
    app.submit(&mut a, "/account/totp", "/account/totp/start", &[])
        .await;
    let secret = app.get(&mut a, "/account/totp").await.by_id("totp-secret");
    let code = crypto::totp_code(&secret, app.unix()).expect("code");
    let r = app
        .submit(&mut a, "/account/totp", "/account/totp", &[("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Someone who knows the password guesses codes.
    let (mut thief, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.location(), "/login/totp");
    for i in 0..4 {
        let r = app
            .submit(
                &mut thief,
                "/login/totp",
                "/login/totp",
                &[("code", &format!("00000{i}"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.get(&mut a, "/").await.status, StatusCode::OK);
    let r = app
        .submit(
            &mut thief,
            "/login/totp",
            "/login/totp",
            &[("code", "000009")],
        )
        .await;
    assert_eq!(r.location(), "/login");
    assert_eq!(
        app.get(&mut thief, "/login/totp").await.location(),
        "/login"
    );
    assert_eq!(
        app.get(&mut a, "/").await.location(),
        "/login",
        "the owner's session ended too: the password is known to someone else"
    );
    let records = app.store.audit_records().await.expect("audit");
    let locked = records
        .iter()
        .find(|r| r.event.action == "auth.locked")
        .expect("lock recorded");
    assert!(
        locked.event.detail.contains("\"sessions_ended\":2"),
        "{}",
        locked.event.detail
    );
}

#[tokio::test]
async fn a_new_password_revokes_the_tokens_unless_kept_and_ends_the_other_sessions() {
    let app = App::new().await;
    let mut a = app.setup().await;
    let token = app.token(&mut a).await;
    let (mut elsewhere, _) = app.login("admin@mamori.test", ADMIN_PW).await;
    let account = app.get(&mut a, "/account").await;
    assert!(account.body.contains("name=\"keep_tokens\""));
    let r = app
        .submit(
            &mut a,
            "/account",
            "/account/password",
            &[
                ("current", ADMIN_PW),
                ("password", "second-long-password-1"),
                ("password_confirm", "second-long-password-1"),
                ("keep_tokens", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.api(&token, "GET", "/api/v1/me", None).await.status,
        StatusCode::OK,
        "kept on request"
    );
    assert_eq!(app.get(&mut elsewhere, "/").await.location(), "/login");
    assert_eq!(app.get(&mut a, "/").await.status, StatusCode::OK);

    let (mut elsewhere, _) = app
        .login("admin@mamori.test", "second-long-password-1")
        .await;
    let r = app
        .submit(
            &mut a,
            "/account",
            "/account/password",
            &[
                ("current", "second-long-password-1"),
                ("password", "third-long-password-22"),
                ("password_confirm", "third-long-password-22"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.api(&token, "GET", "/api/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED,
        "revoked by default"
    );
    assert_eq!(app.get(&mut elsewhere, "/").await.location(), "/login");
    assert_eq!(app.get(&mut a, "/").await.status, StatusCode::OK);
    assert!(
        !app.get(&mut a, "/account")
            .await
            .body
            .contains("name=\"keep_tokens\""),
        "nothing left to keep"
    );
    let records = app.store.audit_records().await.expect("audit");
    let changes: Vec<_> = records
        .iter()
        .filter(|r| r.event.action == "user.password_change")
        .map(|r| r.event.detail.as_str())
        .collect();
    assert_eq!(
        changes,
        [
            r#"{"sessions_ended":1,"tokens_revoked":0}"#,
            r#"{"sessions_ended":1,"tokens_revoked":1}"#
        ]
    );
}

/// Accepts the invitation shown on a page with a password of one's own.
async fn accept(app: &App, page: &Res, password: &str) -> Res {
    let link = page.by_id("invite-link");
    let path = link.trim_start_matches("http://mamori.test");
    app.submit(
        &mut Browser::default(),
        path,
        path,
        &[("password", password), ("password_confirm", password)],
    )
    .await
}

#[tokio::test]
async fn an_address_with_an_account_elsewhere_is_invited_like_any_other_and_login_asks_which() {
    let app = App::new().await;
    let mut home = app.setup().await;
    app.user(&mut home, "nurse@mamori.test", &["staff"]).await;
    let mut clinic = app.other_clinic(&mut home).await;
    let invite =
        |email: &'static str| [("display_name", "Y"), ("email", email), ("roles", "staff")];
    // Nothing in the answer tells the clinic that the hospital has these people.
    for email in [
        "admin@mamori.test",
        "nurse@mamori.test",
        "fresh@mamori.test",
    ] {
        let r = app
            .submit(&mut clinic, "/users", "/users", &invite(email))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(!r.body.contains("すでに使われています"), "{email}");
        let accepted = match email {
            // The hospital's administrator chooses the same password at the clinic.
            "admin@mamori.test" => accept(&app, &r, ADMIN_PW).await,
            _ => accept(&app, &r, "clinic-only-password-9").await,
        };
        assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    }
    // Within one organisation an address is still taken once.
    let r = app
        .submit(
            &mut clinic,
            "/users",
            "/users",
            &invite("fresh@mamori.test"),
        )
        .await;
    assert!(r.body.contains("すでに使われています"));

    // Different passwords: each opens its own account, and the other is not counted as failing.
    let (mut b, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(r.location(), "/");
    assert!(app.get(&mut b, "/").await.body.contains("守り市民病院"));
    let (mut b, r) = app
        .login("nurse@mamori.test", "clinic-only-password-9")
        .await;
    assert_eq!(r.location(), "/");
    assert!(app.get(&mut b, "/").await.body.contains("他院"));
    let orgs = app.store.org_directory().await.expect("orgs");
    let clinic_id = orgs
        .iter()
        .find(|o| o.profile.name == "他院")
        .expect("clinic")
        .id;
    for o in &orgs {
        for u in app.store.users(o.id).await.expect("users") {
            assert_eq!(u.failed_logins, 0, "{} in {}", u.email, o.profile.name);
        }
    }
    // A wrong password counts against every account with the address.
    app.login("admin@mamori.test", WRONG).await;
    for o in &orgs {
        let admin = app.store.users(o.id).await.expect("users");
        let admin = admin.iter().find(|u| u.email == "admin@mamori.test");
        assert_eq!(
            admin.map(|u| u.failed_logins),
            Some(1),
            "{}",
            o.profile.name
        );
    }
    // The same password opens both: the person chooses, typing the password again.
    let (mut b, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"org-choice\""), "{}", r.body);
    assert!(r.body.contains("守り市民病院") && r.body.contains("他院"));
    assert!(app.get(&mut b, "/").await.location().starts_with("/login"));
    let r = app
        .post(
            &mut b,
            "/login",
            &[
                ("csrf", &r.hidden("csrf")),
                ("email", "admin@mamori.test"),
                ("password", ADMIN_PW),
                ("org", &clinic_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
    let dashboard = app.get(&mut b, "/").await;
    assert!(dashboard.body.contains("他院") && !dashboard.body.contains("守り市民病院"));
}
