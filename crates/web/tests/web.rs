//! The web application driven through its router as a browser and API clients would, on a
//! temporary SQLite store with a clock the tests control.
// Test code: a panic is a failed check, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use mamori_domain::clock::Clock;
use mamori_store::Store;
use mamori_web::{AppState, WebConfig, crypto};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

struct App {
    router: Router,
    store: Store,
    clock: Arc<TestClock>,
    _dir: tempfile::TempDir,
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Res {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The value of the first `<input name=NAME value=...>` or element with id NAME.
    fn hidden(&self, name: &str) -> String {
        let pat = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&pat)
            .map(|i| i + pat.len())
            .unwrap_or_else(|| panic!("no field {name} in {}", self.body));
        let rest = &self.body[start..];
        rest[..rest.find('"').unwrap_or(0)].to_string()
    }
    fn by_id(&self, id: &str) -> String {
        let pat = format!("id=\"{id}\"");
        let start = self
            .body
            .find(&pat)
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body));
        let rest = &self.body[start..];
        let open = rest.find('>').unwrap_or(0) + 1;
        let rest = &rest[open..];
        rest[..rest.find('<').unwrap_or(0)].trim().to_string()
    }
}

#[derive(Clone, Default)]
struct Browser {
    cookies: HashMap<String, String>,
    lang: Option<&'static str>,
}

impl App {
    async fn new() -> App {
        App::with_mail(None).await
    }

    /// An application that sends notifications through the given mail settings.
    async fn with_mail(mail: Option<mamori_web::mail::MailSettings>) -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("w.db").display()))
            .await
            .expect("store");
        let clock = Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 5, 1, 1, 0, 0)
                .single()
                .expect("time"),
        )));
        let config = WebConfig {
            public_url: "http://mamori.test".into(),
            upload_dir: dir.path().join("uploads"),
            emergency_dir: dir.path().join("emergency"),
            mail,
            ..WebConfig::default()
        };
        let state = AppState::new(store.clone(), clock.clone(), config);
        let router = mamori_web::router(state)
            .layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
        App {
            router,
            store,
            clock,
            _dir: dir,
        }
    }

    fn advance(&self, d: Duration) {
        let mut t = self.clock.0.lock().expect("clock");
        *t += d;
    }

    fn unix(&self) -> u64 {
        self.clock.now().timestamp() as u64
    }

    async fn send(&self, b: &mut Browser, req: axum::http::request::Builder, body: Body) -> Res {
        let mut req = req;
        if !b.cookies.is_empty() {
            let c = b
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(header::COOKIE, c);
        }
        if let Some(l) = b.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("response");
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().expect("cookie");
            let pair = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                if v.contains("Max-Age=0") {
                    b.cookies.remove(k);
                } else {
                    b.cookies.insert(k.into(), val.into());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, b: &mut Browser, path: &str) -> Res {
        self.send(b, Request::get(path), Body::empty()).await
    }

    async fn post(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Res {
        let body = serde_html_form_encode(fields);
        self.send(
            b,
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Opens a page, takes its form token and posts the fields to `action`.
    async fn submit(
        &self,
        b: &mut Browser,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Res {
        let p = self.get(b, page).await;
        assert!(p.status.is_success(), "GET {page}: {} {}", p.status, p.body);
        let csrf = p.hidden("csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(b, action, &all).await
    }

    /// Posts a multipart form (as browsers send forms with file inputs).
    async fn post_multipart(
        &self,
        b: &mut Browser,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Res {
        let boundary = "mamoriboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        self.send(b, req, Body::from(body)).await
    }

    /// Opens a page, takes its form token and posts a multipart form to `action`.
    async fn submit_multipart(
        &self,
        b: &mut Browser,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Res {
        let csrf = self.get(b, page).await.hidden("csrf");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_multipart(b, action, &all, &[]).await
    }

    async fn api(
        &self,
        token: &str,
        method: &str,
        path: &str,
        json: Option<serde_json::Value>,
    ) -> Res {
        let mut b = Browser::default();
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        match json {
            Some(j) => {
                self.send(
                    &mut b,
                    req.header(header::CONTENT_TYPE, "application/json"),
                    Body::from(j.to_string()),
                )
                .await
            }
            None => self.send(&mut b, req, Body::empty()).await,
        }
    }

    /// Sets up the home hospital with an administrator; returns the signed-in browser.
    async fn setup(&self) -> Browser {
        let mut b = Browser::default();
        let r = self
            .submit(
                &mut b,
                "/setup",
                "/setup",
                &[
                    ("name", "守り市民病院"),
                    ("kind", "institution"),
                    ("institution_type", "hospital"),
                    ("beds", "200"),
                    ("display_name", "管理 太郎"),
                    ("email", "admin@mamori.test"),
                    ("password", ADMIN_PW),
                    ("password_confirm", ADMIN_PW),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        b
    }

    /// Accepts the one-time invitation link shown on a page (`#invite-link`) with the usual
    /// password; returns the new user's browser and the acceptance response.
    async fn accept_invite(&self, page: &Res) -> (Browser, Res) {
        let link = page.by_id("invite-link");
        let path = link.trim_start_matches("http://mamori.test");
        let mut b = Browser::default();
        let r = self
            .submit(
                &mut b,
                path,
                path,
                &[("password", USER_PW), ("password_confirm", USER_PW)],
            )
            .await;
        (b, r)
    }

    /// Invites a user with roles and accepts the invitation; returns the user's browser.
    async fn user(&self, admin: &mut Browser, email: &str, roles: &[&str]) -> Browser {
        let mut fields = vec![("display_name", email), ("email", email)];
        fields.extend(roles.iter().map(|r| ("roles", *r)));
        let r = self.submit(admin, "/users", "/users", &fields).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (b, r) = self.accept_invite(&r).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        b
    }

    /// Registers another organisation (a clinic) through the home administrator's page and
    /// returns its administrator's signed-in browser.
    async fn other_clinic(&self, home_admin: &mut Browser) -> Browser {
        let r = self
            .submit(
                home_admin,
                "/organisations",
                "/organisations",
                &[
                    ("name", "他院"),
                    ("kind", "institution"),
                    ("institution_type", "clinic"),
                    ("beds", "0"),
                    ("admin_name", "X"),
                    ("admin_email", "x@other.test"),
                ],
            )
            .await;
        let (other, _) = self.accept_invite(&r).await;
        other
    }

    async fn login(&self, email: &str, pw: &str) -> (Browser, Res) {
        let mut b = Browser::default();
        let r = self
            .submit(
                &mut b,
                "/login",
                "/login",
                &[("email", email), ("password", pw)],
            )
            .await;
        (b, r)
    }

    async fn token(&self, b: &mut Browser) -> String {
        let r = self
            .submit(b, "/account", "/account/tokens", &[("name", "script")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.by_id("new-token")
    }
}

fn serde_html_form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const ADMIN_PW: &str = "correct-horse-battery";
const USER_PW: &str = "staff-password-2026";

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
async fn five_failures_lock_the_account_until_an_administrator_unlocks_it() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    for _ in 0..5 {
        app.login("nurse@mamori.test", "not-the-password").await;
    }
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("ロック"), "{}", r.body);
    let users = app.get(&mut admin, "/users").await;
    assert!(users.body.contains("ロック中"));
    let org = app.store.org_directory().await.expect("orgs")[0].id;
    let nurse = app
        .store
        .users(org)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == "nurse@mamori.test")
        .expect("nurse");
    let page = format!("/users/{}", nurse.id);
    let r = app
        .submit(&mut admin, &page, &format!("{page}/unlock"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, r) = app.login("nurse@mamori.test", USER_PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn each_address_is_limited_in_login_attempts() {
    let app = App::new().await;
    app.setup().await;
    let mut last = StatusCode::OK;
    for i in 0..31 {
        let (_, r) = app
            .login(&format!("x{i}@mamori.test"), "whatever-password")
            .await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    app.advance(Duration::minutes(11));
    let (_, r) = app.login("admin@mamori.test", ADMIN_PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
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
async fn the_openapi_document_describes_the_api() {
    let app = App::new().await;
    let r = app
        .get(&mut Browser::default(), "/api/v1/openapi.json")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    for path in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/audit",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    assert!(doc["components"]["schemas"]["UserOut"].is_object());
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
    // An off-site return address is ignored.
    let r = app
        .submit(
            &mut admin,
            "/account",
            "/lang",
            &[("lang", "ja"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(r.location(), "/");
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

/// Every route, tried by every role of another organisation, gives 403 or 404 (or, for its own
/// pages, only its own data) and never the first organisation's data.
#[tokio::test]
async fn no_route_shows_another_organisations_data_to_any_role() {
    let app = App::new().await;
    let mut admin_a = app.setup().await;
    app.user(&mut admin_a, "secret-nurse@hospital-a.test", &["staff"])
        .await;
    let token_a = app.token(&mut admin_a).await;
    let org_a = app.store.org_directory().await.expect("orgs")[0].id;
    let a_users = app.store.users(org_a).await.expect("users");
    let a_user = a_users
        .iter()
        .find(|u| u.email == "secret-nurse@hospital-a.test")
        .expect("nurse")
        .id;
    let a_token = app
        .store
        .tokens(
            org_a,
            a_users
                .iter()
                .find(|u| u.email == "admin@mamori.test")
                .expect("a")
                .id,
        )
        .await
        .expect("t")[0]
        .id;
    // Organisation B, registered by A's administrator, with one user per role.
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
    let mut actors = vec![("admin", admin_b.clone())];
    for role in [
        "executive",
        "security_manager",
        "planner",
        "system_operator",
        "staff",
    ] {
        actors.push((
            role,
            app.user(&mut admin_b, &format!("{role}@b.test"), &[role])
                .await,
        ));
    }
    let secrets = [
        "secret-nurse@hospital-a.test",
        "admin@mamori.test",
        &a_user.to_string(),
    ];
    let gets = [
        format!("/users/{a_user}"),
        format!("/api/v1/users/{a_user}"),
        format!("/api/v1/organisations/{org_a}"),
    ];
    let posts = [
        format!("/users/{a_user}/roles"),
        format!("/users/{a_user}/disable"),
        format!("/users/{a_user}/enable"),
        format!("/users/{a_user}/unlock"),
        format!("/users/{a_user}/reinvite"),
        format!("/account/tokens/{a_token}/revoke"),
    ];
    for (role, mut b) in actors {
        let csrf = app.get(&mut b, "/account").await.hidden("csrf");
        for path in [
            "/",
            "/users",
            "/organisation",
            "/organisations",
            "/audit",
            "/account",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(gets.iter().cloned())
        {
            let r = app.get(&mut b, &path).await;
            for s in secrets {
                assert!(!r.body.contains(s), "{role} GET {path} shows {s}");
            }
            if gets.contains(&path) {
                // API paths answer a browser session with 401: they take tokens only.
                assert!(
                    matches!(
                        r.status,
                        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
                    ),
                    "{role} GET {path}: {}",
                    r.status
                );
            }
        }
        for path in &posts {
            let r = app
                .post(&mut b, path, &[("csrf", &csrf), ("roles", "admin")])
                .await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{role} POST {path}: {}",
                r.status
            );
        }
        let token = app.token(&mut b).await;
        for path in &gets[1..] {
            let r = app.api(&token, "GET", path, None).await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{role} API {path}: {}",
                r.status
            );
        }
        let r = app
            .api(
                &token,
                "PATCH",
                &format!("/api/v1/users/{a_user}"),
                Some(serde_json::json!({"disabled": true})),
            )
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{role} PATCH: {}",
            r.status
        );
        for path in ["/api/v1/users", "/api/v1/audit", "/api/v1/organisations"] {
            let r = app.api(&token, "GET", path, None).await;
            for s in secrets {
                assert!(!r.body.contains(s), "{role} API {path} shows {s}");
            }
        }
    }
    // After all that, A's data is untouched and A's token still works.
    let nurse = app.store.user(org_a, a_user).await.expect("nurse");
    assert!(
        !nurse.disabled
            && nurse.roles.iter().map(|r| r.code()).collect::<Vec<_>>() == vec!["staff"]
    );
    assert_eq!(
        app.api(&token_a, "GET", "/api/v1/me", None).await.status,
        StatusCode::OK
    );
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
    app.store
        .mark_password_one_time(&ctx, admin)
        .await
        .expect("mark");
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

async fn start_assessment(app: &App, b: &mut Browser, sheet: &str, title: &str) -> String {
    let r = app
        .submit(
            b,
            "/assessments",
            "/assessments",
            &[("sheet", sheet), ("title", title)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/assessments/").to_string()
}

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

async fn upload(app: &App, b: &mut Browser, path: &str, csrf: &str, file: &[u8]) -> Res {
    let boundary = "mamoriboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(path).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={boundary}"),
    );
    app.send(b, req, Body::from(body)).await
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
    // A hospital account is not a vendor.
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
    assert!(r.body.contains("事業者の組織のアカウントではありません"));
}

async fn api_multipart(app: &App, token: &str, path: &str, files: &[(&str, &[u8])]) -> Res {
    let boundary = "apiboundary42";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    app.send(&mut Browser::default(), req, Body::from(body))
        .await
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

/// The id in a `/prefix/{id}` location.
fn id_after(location: &str, prefix: &str) -> String {
    location
        .trim_start_matches(prefix)
        .split(['/', '?', '#', '"'])
        .next()
        .unwrap_or("")
        .to_string()
}

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
    assert!(bad.body.contains("守りシステム株式会社") && bad.body.contains("電話番号は数字"));
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
async fn a_device_ledger_from_japanese_excel_meets_the_kev_and_shows_on_the_checklist() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    let mut staff = app.user(&mut admin, "nurse@mamori.test", &["staff"]).await;
    assert_eq!(
        app.get(&mut staff, "/registers/devices").await.status,
        StatusCode::FORBIDDEN
    );

    // A Shift_JIS CSV as Japanese Excel saves it, with one bad row: nothing is taken.
    let bad = "名称,種別,設置場所,メーカー,製品・型番,バージョン,インターネット接続,サポート終了日\n\
               VPN-01,ネットワーク機器,サーバ室,Fortinet,FortiGate 60F,6.0.4,はい,2026-12-31\n\
               PC-07,端末,外来,NEC,Mate,Win10,いいえ,来年\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(bad);
    let csrf = app
        .get(&mut manager, "/registers/devices")
        .await
        .hidden("csrf");
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "devices.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>3</td>") && r.body.contains("H (サポート終了日)"),
        "{}",
        r.body
    );
    assert!(
        app.store
            .devices(app.store.org_directory().await.expect("orgs")[0].id)
            .await
            .expect("devices")
            .is_empty()
    );
    let good = bad.replace("来年", "2025-10-14");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&good);
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/devices/import",
            &[("csrf", &csrf)],
            &[("file", "devices.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/registers/devices?imported=2-0");
    let list = app.get(&mut manager, "/registers/devices").await;
    assert!(list.body.contains("FortiGate 60F") && list.body.contains("PC-07"));
    let csv = app.get(&mut manager, "/registers/devices/export.csv").await;
    assert!(csv.body.contains("VPN-01") && csv.body.contains("ネットワーク機器"));
    let xlsx = app
        .get(&mut manager, "/registers/devices/export.xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // Vulnerability files: a wrong file is refused; KEV and NVD are taken and merged.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/findings/import",
            &[("csrf", &csrf)],
            &[("file", "x.json", b"{\"a\": 1}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"feed-error\""));
    for (name, bytes) in [
        (
            "kev.json",
            &include_bytes!("../../../testdata/vuln/kev-slice.json")[..],
        ),
        (
            "nvd.json",
            &include_bytes!("../../../testdata/vuln/nvd-sample.json")[..],
        ),
        (
            "jvn.json",
            &include_bytes!("../../../testdata/vuln/jvn-overview-oka.json")[..],
        ),
    ] {
        let r = app
            .post_multipart(
                &mut manager,
                "/registers/findings/import",
                &[("csrf", &csrf)],
                &[("file", name, bytes)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
    }
    let page = app.get(&mut manager, "/registers/findings").await;
    let table = &page.body[page.body.find("id=\"findings-table\"").expect("findings")..];
    let first_row = &table[table.find("<tr id=\"finding-").expect("a finding")..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap_or(0)];
    assert!(
        first_row.contains("VPN-01") && first_row.contains("KEV"),
        "{first_row}"
    );
    assert!(page.body.contains("CVE-2018-13379"));

    // Accepting with a reason closes the finding.
    let vpn = app
        .store
        .devices(app.store.org_directory().await.expect("orgs")[0].id)
        .await
        .expect("devices")
        .into_iter()
        .find(|d| d.device.name == "VPN-01")
        .expect("vpn");
    let r = app
        .post(
            &mut manager,
            &format!("/registers/findings/{}/CVE-2018-13379", vpn.id),
            &[("csrf", &csrf), ("action", "accept"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &mut manager,
            &format!("/registers/findings/{}/CVE-2018-13379", vpn.id),
            &[
                ("csrf", &csrf),
                ("action", "patched"),
                ("patched_on", "2026-04-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut manager, "/registers/findings").await;
    let closed = &page.body[page.body.find("id=\"closed-findings\"").expect("closed")..];
    assert!(closed.contains("CVE-2018-13379") && closed.contains("2026-04-30"));

    // The checklist item on the device ledger shows the ledger's state.
    let r = app
        .submit(
            &mut manager,
            "/registers/devices",
            "/registers/devices/review",
            &[("note", "廃棄済みPCを削除")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sheet = app.get(&mut manager, r.location()).await;
    let item = &sheet.body[sheet
        .body
        .find("id=\"item-fy2025.institution.2-01\"")
        .expect("2-01")..];
    let item = &item[..item.find("</tr>").unwrap_or(0)];
    assert!(
        item.contains("機器台帳 2台") && item.contains("最終棚卸し 2026-05-01"),
        "{item}"
    );
    assert!(
        item.contains("サポート終了 1"),
        "PC-07 ended 2025-10-14: {item}"
    );

    // Another organisation sees none of it.
    let mut other = app.other_clinic(&mut admin).await;
    assert_eq!(
        app.get(&mut other, &format!("/registers/devices/{}", vpn.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get(&mut other, "/registers/findings")
            .await
            .body
            .contains("CVE-2018-13379")
    );
}

#[tokio::test]
async fn remote_lines_backups_and_restore_tests_are_registers_that_speak_on_the_checklist() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    assert_eq!(
        app.get(&mut manager, "/registers/nonsense").await.status,
        StatusCode::NOT_FOUND
    );
    // A form keeps what was typed when refused.
    let r = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "給食業者VPN"),
                ("kind", ""),
                ("last_review", "昨日"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("給食業者VPN")
            && r.body.contains("選択してください")
            && r.body.contains("YYYY-MM-DD")
    );
    let r = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "給食業者VPN"),
                ("kind", "partner"),
                ("vendor", "給食サービス株式会社"),
                ("always_on", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dup = app
        .submit(
            &mut manager,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[("name", "給食業者VPN"), ("kind", "vpn")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Backups imported from a table; a bad cell refuses it all.
    let csrf = app
        .get(&mut manager, "/registers/backups")
        .await
        .hidden("csrf");
    let bad =
        "システム・対象データ,保存世代数,オフライン保管あり\n電子カルテ,7,はい\nPACS,七,いいえ\n";
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/backups/import",
            &[("csrf", &csrf)],
            &[("file", "b.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>3</td>") && r.body.contains("B (保存世代数)"),
        "{}",
        r.body
    );
    let good = bad.replace("七", "3");
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/backups/import",
            &[("csrf", &csrf)],
            &[("file", "b.csv", good.as_bytes())],
        )
        .await;
    assert_eq!(r.location(), "/registers/backups?imported=2-0");
    let csv = app.get(&mut manager, "/registers/backups/export.csv").await;
    assert!(csv.body.contains("PACS,,3,いいえ"), "{}", csv.body);

    // The checklist shows the registers beside 2-② and 3-②.
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    let sheet = app.get(&mut manager, r.location()).await;
    let item = |id: &str| {
        let at = sheet
            .body
            .find(&format!("id=\"item-fy2025.institution.{id}\""))
            .expect("item");
        let rest = &sheet.body[at..];
        rest[..rest.find("</tr>").unwrap_or(0)].to_string()
    };
    assert!(
        item("2-02").contains("リモート接続 1件") && item("2-02").contains("二要素認証なし 1"),
        "{}",
        item("2-02")
    );
    let backups = item("3-02");
    assert!(
        backups.contains("バックアップ 2件") && backups.contains("今年度の復旧テストの記録なし"),
        "{backups}"
    );
    let r = app
        .submit(
            &mut manager,
            "/registers/restore_tests/new",
            "/registers/restore_tests",
            &[
                ("name", "電子カルテ復元訓練"),
                ("tested_on", "2026-04-20"),
                ("result", "success"),
                ("hours", "6"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let index = app.get(&mut manager, "/registers").await;
    assert!(
        index.body.contains("今年度の復旧テスト 1"),
        "{}",
        index.body
    );

    // History keeps who changed what.
    let org = app
        .store
        .org_directory()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.home)
        .expect("home");
    let line = app
        .store
        .ledger_rows(org.id, "remote_connections")
        .await
        .expect("rows")
        .remove(0);
    let path = format!("/registers/remote_connections/{}", line.id);
    let r = app
        .submit(
            &mut manager,
            &path,
            &path,
            &[
                ("name", "給食業者VPN"),
                ("kind", "partner"),
                ("two_factor", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut manager, &path).await;
    assert!(
        page.body.contains("id=\"row-history\"")
            && page.body.contains("update")
            && page.body.contains("csm@mamori.test")
    );
    // The vendor sheets of the self-assessment show beside the vendors register.
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[
                ("sheet", "fy2025.vendor"),
                ("title", "守りシステム 電子カルテ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vendors = app.get(&mut manager, "/registers/vendors").await;
    let sheets = &vendors.body[vendors
        .body
        .find("id=\"vendor-sheets\"")
        .expect("vendor sheets")..];
    assert!(
        sheets.contains("守りシステム 電子カルテ") && sheets.contains("未依頼"),
        "{sheets}"
    );
    // A vendor's MDS/SDS is attached to its row and downloaded as an attachment.
    let r = app
        .submit(
            &mut manager,
            "/registers/vendors/new",
            "/registers/vendors",
            &[
                ("name", "守りシステム 電子カルテ"),
                ("mds_version", "2.0"),
                ("mds_received", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vendor = app
        .store
        .ledger_rows(org.id, "vendors")
        .await
        .expect("vendors")
        .remove(0);
    let vendor_path = format!("/registers/vendors/{}", vendor.id);
    let r = app
        .post_multipart(
            &mut manager,
            &format!("{vendor_path}/files"),
            &[("csrf", &csrf)],
            &[("file", "MDS_v2.pdf", b"%PDF-1.4 mds")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut manager, &vendor_path).await;
    let link = &page.body[page.body.find("id=\"row-files\"").expect("files")..];
    assert!(link.contains("MDS_v2.pdf"));
    let href = link[link.find("href=\"").expect("href") + 6..]
        .split('"')
        .next()
        .unwrap_or("")
        .to_string();
    let dl = app.get(&mut manager, &href).await;
    assert_eq!(dl.body, "%PDF-1.4 mds");
    assert!(
        dl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("cd")
            .starts_with("attachment")
    );
    let mut other = app.other_clinic(&mut admin).await;
    assert_eq!(
        app.get(&mut other, &path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&mut other, &href).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn user_lists_are_mapped_once_per_system_and_flag_leavers_unused_shared_and_admins() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let mut manager = app
        .user(&mut admin, "csm@mamori.test", &["security_manager"])
        .await;
    let csrf = app
        .get(&mut manager, "/registers/accounts")
        .await
        .hidden("csrf");
    let staff = "職員番号,氏名,退職日\n1001,山田 太郎,\n1002,佐藤 花子,2026/03/31\n";
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/staff",
            &[("csrf", &csrf)],
            &[("file", "staff.csv", staff.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let emr = "利用者ID,利用者名,職員CD,最終ログイン,権限区分\n\
               t.yamada,山田 太郎,1001,2026/04/30 08:12,一般\n\
               h.sato,佐藤 花子,1002,2026/03/30 17:00,一般\n\
               kyoyu01,外来共用,,2026/04/30 09:00,管理者\n\
               k.ito,伊藤 次郎,1003,2025/12/01,一般\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(emr);
    // First time: the mapping is asked for, with sensible guesses.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/import",
            &[("csrf", &csrf), ("system", "電子カルテ")],
            &[("file", "emr.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"mapping-form\"")
            && r.body.contains("<option value=\"利用者ID\" selected>"),
        "{}",
        r.body
    );
    let data = r
        .hidden("data")
        .replace("&#10;", "\n")
        .replace("&#13;", "\r");
    let data = html_unescape(&data);
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/map",
            &[
                ("csrf", &csrf),
                ("system", "電子カルテ"),
                ("data", &data),
                ("map_login", "利用者ID"),
                ("map_name", "利用者名"),
                ("map_employee_id", "職員CD"),
                ("map_last_login", "最終ログイン"),
                ("map_admin", "権限区分"),
                ("map_disabled", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&mut manager, "/registers/accounts").await;
    let flagged = &page.body[page.body.find("id=\"flagged-accounts\"").expect("flagged")..];
    assert!(
        flagged.contains("h.sato") && flagged.contains("退職者"),
        "{flagged}"
    );
    assert!(
        flagged.contains("k.ito")
            && flagged.contains("長期未使用")
            && flagged.contains("職員名簿にない")
    );
    assert!(
        flagged.contains("kyoyu01")
            && flagged.contains("共用の疑い")
            && flagged.contains("管理者権限")
    );
    assert!(!flagged.contains("t.yamada"));
    // Next export of the same system: imported at once through the remembered mapping.
    let r = app
        .post_multipart(
            &mut manager,
            "/registers/accounts/import",
            &[("csrf", &csrf), ("system", "電子カルテ")],
            &[("file", "emr.csv", &sjis)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/registers/accounts?imported=4");
    // Fewer days: more accounts unused.
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/settings",
            &[("csrf", &csrf), ("unused_days", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let csv = app
        .get(&mut manager, "/registers/accounts/flagged.csv")
        .await;
    assert!(
        csv.body.contains("h.sato")
            && csv.body.contains("退職者")
            && !csv.body.contains("t.yamada")
    );
    let r = app
        .post(
            &mut manager,
            "/registers/accounts/review",
            &[("csrf", &csrf), ("note", "h.sato を停止予定")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .submit(
            &mut manager,
            "/assessments",
            "/assessments",
            &[("sheet", "fy2025.institution"), ("title", "")],
        )
        .await;
    let sheet = app.get(&mut manager, r.location()).await;
    let at = sheet
        .body
        .find("id=\"item-fy2025.institution.2-05-server\"")
        .expect("2-05");
    let item = &sheet.body[at..at + sheet.body[at..].find("</tr>").unwrap_or(0)];
    assert!(
        item.contains("アカウント 4件 (システム 1)")
            && item.contains("退職者 1")
            && item.contains("最終棚卸し 2026-05-01"),
        "{item}"
    );
}

/// Undoes the HTML escaping of a value attribute.
fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_device_a_remote_line_reaches_in_through_counts_as_an_entrance() {
    let app = App::new().await;
    let mut admin = app.setup().await;
    let r = app
        .submit(
            &mut admin,
            "/registers/devices/new",
            "/registers/devices",
            &[
                ("kind", "network"),
                ("name", "保守GW"),
                ("vendor", "Fortinet"),
                ("product", "FortiGate 40F"),
                ("version", "6.0.4"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let csrf = app
        .get(&mut admin, "/registers/findings")
        .await
        .hidden("csrf");
    let kev = include_bytes!("../../../testdata/vuln/kev-slice.json");
    let r = app
        .post_multipart(
            &mut admin,
            "/registers/findings/import",
            &[("csrf", &csrf)],
            &[("file", "kev.json", &kev[..])],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let row = |body: &str| {
        let t = &body[body.find("id=\"findings-table\"").expect("findings")..];
        let r = &t[t.find("<tr id=\"finding-").expect("row")..];
        r[..r.find("</tr>").unwrap_or(0)].to_string()
    };
    assert!(!row(&app.get(&mut admin, "/registers/findings").await.body).contains("外部公開"));
    let r = app
        .submit(
            &mut admin,
            "/registers/remote_connections/new",
            "/registers/remote_connections",
            &[
                ("name", "電子カルテ保守回線"),
                ("kind", "vendor_maintenance"),
                ("device", "保守GW"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let first = row(&app.get(&mut admin, "/registers/findings").await.body);
    assert!(
        first.contains("保守GW") && first.contains("外部公開") && first.contains("KEV"),
        "{first}"
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
