//! Load benchmark: the dashboard and the API lists under 100 connections, with 1,000 assessments
//! and 10,000 devices, on SQLite and (when `MAMORI_BENCH_DATABASE_URL` names an empty database)
//! PostgreSQL. The server runs in this process on the loopback interface; the client keeps its
//! connections alive and times every request. Figures are printed with their ratio to `/healthz`
//! measured in the same run, the cheapest route through the same server and client (the baseline).
//!
//! `cargo bench -p mamori --bench load` (the goal on two cores: p99 under 50 ms).

// Bench code: a panic is a failed run, so the library's no-panic lints do not apply.
#![allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use mamori_domain::clock::SystemClock;
use mamori_store::Store;
use mamori_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const CONNECTIONS: usize = 100;
const REQUESTS_PER_CONNECTION: usize = 10;
const ASSESSMENTS: usize = 1_000;
const DEVICES: usize = 10_000;
const PASSWORD: &str = "bench-lantern-harbor-2026";

/// A kept-alive HTTP/1.1 connection.
struct Conn {
    io: BufReader<TcpStream>,
}

/// A response: status, headers (lower-case names) and body.
struct Res {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Res {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Conn {
    async fn open(addr: SocketAddr) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            io: BufReader::new(s),
        })
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<Res> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let stream = self.io.get_mut();
        stream.write_all(req.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut line = String::new();
        self.io.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("bad status line {line:?}"))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.io.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_lowercase(), v.trim().to_string()));
            }
        }
        let mut body = Vec::new();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        if chunked {
            loop {
                line.clear();
                self.io.read_line(&mut line).await?;
                let n = usize::from_str_radix(line.trim(), 16)?;
                let mut chunk = vec![0; n + 2];
                self.io.read_exact(&mut chunk).await?;
                chunk.truncate(n);
                body.extend_from_slice(&chunk);
                if n == 0 {
                    break;
                }
            }
        } else {
            let n: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            body.resize(n, 0);
            self.io.read_exact(&mut body).await?;
        }
        Ok(Res {
            status,
            headers,
            body,
        })
    }
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

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn hidden(page: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    page.find(&pat)
        .map(|i| &page[i + pat.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .to_string()
}

fn cookie_of(r: &Res) -> String {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sets up the hospital, signs in and makes an API token; returns (session cookie, token).
async fn sign_in(addr: SocketAddr) -> anyhow::Result<(String, String)> {
    let mut c = Conn::open(addr).await?;
    let page = c.send("GET", "/setup", &[], b"").await?;
    let mut cookie = cookie_of(&page);
    let csrf = hidden(&page.text(), "csrf");
    let body = form(&[
        ("csrf", &csrf),
        ("name", "負荷試験病院"),
        ("kind", "institution"),
        ("institution_type", "hospital"),
        ("beds", "400"),
        ("display_name", "管理 太郎"),
        ("email", "bench@mamori.test"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]);
    let ct = ("Content-Type", "application/x-www-form-urlencoded");
    let r = c
        .send("POST", "/setup", &[ct, ("Cookie", &cookie)], &body)
        .await?;
    anyhow::ensure!(r.status == 303, "setup: {} {}", r.status, r.text());
    let set = cookie_of(&r);
    if !set.is_empty() {
        cookie = set;
    }
    let account = c
        .send("GET", "/account", &[("Cookie", &cookie)], b"")
        .await?;
    let csrf = hidden(&account.text(), "csrf");
    let r = c
        .send(
            "POST",
            "/account/tokens",
            &[ct, ("Cookie", &cookie)],
            &form(&[("csrf", &csrf), ("name", "bench")]),
        )
        .await?;
    let text = r.text();
    let token = text
        .split("id=\"new-token\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("")
        .trim()
        .to_string();
    anyhow::ensure!(!token.is_empty(), "no token: {} {text}", r.status);
    Ok((cookie, token))
}

/// Loads 1,000 assessments with answers and 10,000 devices through the API.
async fn seed(addr: SocketAddr, token: &str) -> anyhow::Result<()> {
    let auth = format!("Bearer {token}");
    let json = ("Content-Type", "application/json");
    let mut c = Conn::open(addr).await?;
    for n in 0..ASSESSMENTS {
        let body = serde_json::json!({"sheet": "fy2025.institution", "title": format!("点検 {n}")});
        let r = c
            .send(
                "POST",
                "/api/v1/assessments",
                &[json, ("Authorization", &auth)],
                body.to_string().as_bytes(),
            )
            .await?;
        anyhow::ensure!(r.status == 201, "assessment: {} {}", r.status, r.text());
        let id = serde_json::from_slice::<serde_json::Value>(&r.body)?["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for item in ["0-gate", "1-01", "2-01"] {
            let answer = serde_json::json!({"answer": "yes", "checked_on": "2025-06-10"});
            let r = c
                .send(
                    "PUT",
                    &format!("/api/v1/assessments/{id}/answers/fy2025.institution.{item}"),
                    &[json, ("Authorization", &auth)],
                    answer.to_string().as_bytes(),
                )
                .await?;
            anyhow::ensure!(r.status == 200, "answer: {} {}", r.status, r.text());
        }
    }
    let mut csv =
        String::from("名称,種別,設置場所,メーカー,製品・型番,バージョン,インターネット接続\n");
    for n in 0..DEVICES {
        let (kind, vendor, product, version) = match n % 4 {
            0 => ("端末", "NEC", "Mate", "Windows 11"),
            1 => ("サーバ", "Dell", "PowerEdge R650", "2.1"),
            2 => ("ネットワーク機器", "Fortinet", "FortiGate 60F", "7.2.5"),
            _ => ("医療機器", "Canon", "CT Aquilion", "10.1"),
        };
        csv.push_str(&format!(
            "DEV-{n:05},{kind},{}階,{vendor},{product},{version},いいえ\n",
            n % 10
        ));
    }
    let boundary = "benchboundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"devices.csv\"\r\n\r\n").into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = c
        .send(
            "POST",
            "/api/v1/registers/devices/import",
            &[("Content-Type", &ct), ("Authorization", &auth)],
            &body,
        )
        .await?;
    anyhow::ensure!(r.status == 200, "devices: {} {}", r.status, r.text());
    Ok(())
}

/// Latencies of `connections` connections sending `REQUESTS_PER_CONNECTION` requests each, at once.
async fn hammer(
    addr: SocketAddr,
    connections: usize,
    path: &'static str,
    auth: (&'static str, String),
) -> anyhow::Result<Vec<Duration>> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let auth = auth.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(addr).await?;
            let mut times = Vec::with_capacity(REQUESTS_PER_CONNECTION);
            for _ in 0..REQUESTS_PER_CONNECTION {
                let start = Instant::now();
                let r = c.send("GET", path, &[(auth.0, &auth.1)], b"").await?;
                times.push(start.elapsed());
                anyhow::ensure!(r.status == 200, "{path}: {}", r.status);
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    all.sort();
    Ok(all)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(label: &str, url: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    let store = Store::connect(url).await?;
    let config = WebConfig {
        public_url: "http://127.0.0.1".into(),
        upload_dir: dir.join("uploads"),
        emergency_dir: dir.join("emergency"),
        // The benchmark signs in once; nothing here is a login attack.
        login_failures_per_address: 1_000_000,
        ..WebConfig::default()
    };
    let state = AppState::new(store, Arc::new(SystemClock), config);
    let app = mamori_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let (cookie, token) = sign_in(addr).await?;
    let started = Instant::now();
    seed(addr, &token).await?;
    println!(
        "{label}: {ASSESSMENTS} assessments (3 answers each) and {DEVICES} devices loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let bearer = ("Authorization", format!("Bearer {token}"));
    let routes: [(&str, &'static str, (&'static str, String)); 6] = [
        ("/healthz (baseline)", "/healthz", ("X-Bench", "1".into())),
        ("dashboard /", "/", ("Cookie", cookie.clone())),
        (
            "GET /api/v1/assessments",
            "/api/v1/assessments",
            bearer.clone(),
        ),
        (
            "  … ?limit=100 (a page)",
            "/api/v1/assessments?limit=100&offset=500",
            bearer.clone(),
        ),
        (
            "GET /api/v1/registers/devices",
            "/api/v1/registers/devices",
            bearer.clone(),
        ),
        (
            "  … ?limit=100 (a page)",
            "/api/v1/registers/devices?limit=100&offset=5000",
            bearer,
        ),
    ];
    let mut base: Option<(Duration, Duration)> = None;
    println!(
        "{label}: {CONNECTIONS} connections × {REQUESTS_PER_CONNECTION} requests per route (alone: one connection); ratios against the baseline under the same load"
    );
    println!(
        "  {:<32} {:>11} {:>9} {:>9} {:>10} {:>10}",
        "route", "alone p50", "p50 ms", "p99 ms", "p50 ratio", "p99 ratio"
    );
    for (name, path, auth) in routes {
        // One request first, so that caches are warm as they are in service.
        let mut warm = Conn::open(addr).await?;
        let w = warm.send("GET", path, &[(auth.0, &auth.1)], b"").await?;
        anyhow::ensure!(
            w.status == 200,
            "{path}: {} {:?}",
            w.status,
            w.header("location")
        );
        // Alone: one connection, the time a request takes to serve.
        let alone = percentile(&hammer(addr, 1, path, auth.clone()).await?, 0.50);
        let times = hammer(addr, CONNECTIONS, path, auth).await?;
        let (p50, p99) = (percentile(&times, 0.50), percentile(&times, 0.99));
        let (b50, b99) = *base.get_or_insert((p50, p99));
        println!(
            "  {:<32} {:>11.2} {:>9.2} {:>9.2} {:>9.1}× {:>9.1}×",
            name,
            ms(alone),
            ms(p50),
            ms(p99),
            ms(p50) / ms(b50).max(1e-6),
            ms(p99) / ms(b99).max(1e-6)
        );
    }
    server.abort();
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        run("SQLite", &sqlite, dir.path()).await?;
        match std::env::var("MAMORI_BENCH_DATABASE_URL") {
            Ok(url) if !url.is_empty() => run("PostgreSQL", &url, dir.path()).await?,
            _ => println!(
                "PostgreSQL: not measured (set MAMORI_BENCH_DATABASE_URL to an empty database)"
            ),
        }
        anyhow::Ok(())
    })
}
