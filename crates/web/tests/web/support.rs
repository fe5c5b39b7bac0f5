//! What every web test shares: the application on a temporary SQLite store with a clock the
//! tests control, a browser that keeps cookies, and helpers that read pages and call the API.

pub use axum::Router;
pub use axum::body::Body;
pub use axum::extract::connect_info::MockConnectInfo;
pub use axum::http::{Request, StatusCode, header};
pub use chrono::{DateTime, Duration, TimeZone, Utc};
pub use http_body_util::BodyExt;
pub use mamori_domain::clock::Clock;
pub use mamori_store::Store;
pub use mamori_web::{AppState, WebConfig, crypto};
pub use std::collections::HashMap;
pub use std::net::SocketAddr;
pub use std::sync::{Arc, Mutex};
pub use tower::ServiceExt;

pub struct TestClock(pub Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

pub struct App {
    pub router: Router,
    pub store: Store,
    pub clock: Arc<TestClock>,
    pub config: WebConfig,
    pub _dir: tempfile::TempDir,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The value of the first `<input name=NAME value=...>` or element with id NAME.
    pub fn hidden(&self, name: &str) -> String {
        let pat = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&pat)
            .map(|i| i + pat.len())
            .unwrap_or_else(|| panic!("no field {name} in {}", self.body));
        let rest = &self.body[start..];
        rest[..rest.find('"').unwrap_or(0)].to_string()
    }
    pub fn by_id(&self, id: &str) -> String {
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
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub lang: Option<&'static str>,
    /// Sent as `X-Forwarded-For`, as a reverse proxy (or a client pretending) would.
    pub forwarded_for: Option<String>,
}

impl App {
    pub async fn new() -> App {
        App::with_mail(None).await
    }

    /// An application that sends notifications through the given mail settings.
    pub async fn with_mail(mail: Option<mamori_web::mail::MailSettings>) -> App {
        App::with_config(|c| c.mail = mail).await
    }

    /// An application with settings changed from the tests' usual ones.
    pub async fn with_config(change: impl FnOnce(&mut WebConfig)) -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("w.db").display()))
            .await
            .expect("store");
        let clock = Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 5, 1, 1, 0, 0)
                .single()
                .expect("time"),
        )));
        let mut config = WebConfig {
            public_url: "http://mamori.test".into(),
            upload_dir: dir.path().join("uploads"),
            emergency_dir: dir.path().join("emergency"),
            ..WebConfig::default()
        };
        change(&mut config);
        let router = App::serve(&store, &clock, &config);
        App {
            router,
            store,
            clock,
            config,
            _dir: dir,
        }
    }

    /// The application over a store, as a fresh process would serve it; every request comes from
    /// 192.0.2.7.
    fn serve(store: &Store, clock: &Arc<TestClock>, config: &WebConfig) -> Router {
        let state = AppState::new(store.clone(), clock.clone(), config.clone());
        mamori_web::router(state).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))))
    }

    /// Starts the application again over the same database, as after a restart.
    pub fn restart(&mut self) {
        self.router = App::serve(&self.store, &self.clock, &self.config);
    }

    /// The application's data folder (uploads, emergency packs).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn advance(&self, d: Duration) {
        let mut t = self.clock.0.lock().expect("clock");
        *t += d;
    }

    pub fn unix(&self) -> u64 {
        self.clock.now().timestamp() as u64
    }

    pub async fn send(
        &self,
        b: &mut Browser,
        req: axum::http::request::Builder,
        body: Body,
    ) -> Res {
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
        if let Some(f) = &b.forwarded_for {
            req = req.header("x-forwarded-for", f);
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

    pub async fn get(&self, b: &mut Browser, path: &str) -> Res {
        self.send(b, Request::get(path), Body::empty()).await
    }

    pub async fn post(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Res {
        let body = serde_html_form_encode(fields);
        self.send(
            b,
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Opens a page, takes its form token and posts the fields to `action`.
    pub async fn submit(
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
    pub async fn post_multipart(
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
    pub async fn submit_multipart(
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

    pub async fn api(
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
    pub async fn setup(&self) -> Browser {
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
    pub async fn accept_invite(&self, page: &Res) -> (Browser, Res) {
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
    pub async fn user(&self, admin: &mut Browser, email: &str, roles: &[&str]) -> Browser {
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
    pub async fn other_clinic(&self, home_admin: &mut Browser) -> Browser {
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

    pub async fn login(&self, email: &str, pw: &str) -> (Browser, Res) {
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

    pub async fn token(&self, b: &mut Browser) -> String {
        let r = self
            .submit(b, "/account", "/account/tokens", &[("name", "script")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.by_id("new-token")
    }
}

pub fn serde_html_form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub const ADMIN_PW: &str = "correct-horse-battery";
pub const USER_PW: &str = "quiet-lantern-harbor-2026";

pub async fn start_assessment(app: &App, b: &mut Browser, sheet: &str, title: &str) -> String {
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

pub async fn upload(app: &App, b: &mut Browser, path: &str, csrf: &str, file: &[u8]) -> Res {
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

pub async fn api_multipart(app: &App, token: &str, path: &str, files: &[(&str, &[u8])]) -> Res {
    api_multipart_with(app, token, path, &[], files).await
}

/// An API multipart upload with text parts as well as files.
pub async fn api_multipart_with(
    app: &App,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Res {
    let boundary = "apiboundary42";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
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

/// The id in a `/prefix/{id}` location.
pub fn id_after(location: &str, prefix: &str) -> String {
    location
        .trim_start_matches(prefix)
        .split(['/', '?', '#', '"'])
        .next()
        .unwrap_or("")
        .to_string()
}

/// Undoes the HTML escaping of a value attribute.
pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
