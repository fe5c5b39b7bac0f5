//! TAXII benchmark: the same 100,000 indicators served by mamori (SQLite, and PostgreSQL when
//! `MAMORI_BENCH_DATABASE_URL` names an empty database) and by OASIS medallion (the reference
//! TAXII 2.1 server, memory backend), paged through by the same client at `limit=1000` with
//! `next`. Prints objects per second for each and mamori's ratio to medallion (the baseline),
//! mamori's p50/p99 page latency, and its first pages against its last (flat: keyset paging).
//!
//! `cargo bench -p mamori --bench taxii` (needs `python3 -m pip install medallion`, or
//! `MAMORI_PYTHON` naming a Python that has it; `MAMORI_BENCH_MEDALLION=0` leaves the baseline
//! out; the goal: at least 20× medallion).

// Bench code: a panic is a failed run, so the library's no-panic lints do not apply.
#![allow(clippy::indexing_slicing, clippy::cast_precision_loss)]

use mamori_domain::clock::SystemClock;
use mamori_domain::org::{InstitutionType, OrgKind, OrgProfile};
use mamori_domain::role::{Role, RoleSet};
use mamori_store::{Audience, Ctx, NewObject, NewUser, Store};
use mamori_web::{AppState, WebConfig, crypto};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const INDICATORS: u32 = 100_000;
const PAGE: usize = 1000;
const TAXII: &str = "application/taxii+json;version=2.1";
/// Pages read from medallion: each of its pages looks every object up in the whole manifest, so
/// all hundred would take hours (one page took over ten minutes on two cores); its rate over the
/// first page of the same collection is the baseline.
const MEDALLION_PAGES: usize = 1;

fn indicator(i: u32) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{i:08x}-0000-4000-8000-000000000000"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("C2 {i}"),
        "pattern": format!("[ipv4-addr:value = '10.{}.{}.{}']", i >> 16, (i >> 8) & 255, i & 255),
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
    })
}

/// Pages through a collection's objects with `next`; the latency of every page and the objects.
async fn page_through(
    client: &reqwest::Client,
    url: &str,
    auth: (&str, &str),
    bearer: bool,
    max_pages: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let mut next: Option<String> = None;
    let mut times = Vec::new();
    let mut objects = 0;
    loop {
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(n) = &next {
            query.push(("next", n.clone()));
        }
        let req = client.get(url).header("Accept", TAXII).query(&query);
        let req = if bearer {
            req.bearer_auth(auth.1)
        } else {
            req.basic_auth(auth.0, Some(auth.1))
        };
        let started = Instant::now();
        let res = req.send().await?;
        anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
        let body: Value = res.json().await?;
        times.push(started.elapsed());
        objects += body["objects"].as_array().map_or(0, Vec::len);
        next = body["next"].as_str().map(str::to_string);
        if body["more"] != true || next.is_none() || times.len() >= max_pages {
            return Ok((times, objects));
        }
    }
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Serves the indicators from mamori over `url`; the collection's objects URL and a token.
async fn mamori(url: &str, dir: &std::path::Path) -> anyhow::Result<(String, String)> {
    let store = Store::connect(url).await?;
    let now = chrono::Utc::now();
    let (org, user) = store
        .setup(
            &OrgProfile {
                name: "ISAC".into(),
                kind: OrgKind::Operator,
                institution_type: None::<InstitutionType>,
                beds: None,
            },
            &NewUser {
                email: "bench@isac.test".into(),
                display_name: "bench".into(),
                roles: RoleSet::new([Role::SecurityManager]),
                password_hash: None,
                must_change_password: false,
            },
            "",
            now,
        )
        .await?;
    let ctx = Ctx {
        org_id: org.id,
        actor_id: Some(user.id),
        actor_label: "bench".into(),
        ip: String::new(),
        now,
    };
    let secret = crypto::random_token(24);
    store
        .create_token(&ctx, user.id, "bench", &crypto::digest(&secret), "bench")
        .await?;
    let collection = store.create_collection(&ctx, "IOCs", "", "green").await?;
    let started = Instant::now();
    for chunk in (0..INDICATORS).collect::<Vec<_>>().chunks(5000) {
        let batch: Vec<(NewObject, Audience)> = chunk
            .iter()
            .map(|i| {
                let o = indicator(*i);
                (
                    NewObject {
                        object_id: o["id"].as_str().unwrap_or_default().to_string(),
                        object_type: "indicator".into(),
                        version: "2026-01-01T00:00:00.000Z".into(),
                        spec_version: "2.1".into(),
                        tlp: "green".into(),
                        anonymous: false,
                        body: o.to_string(),
                    },
                    Audience::default(),
                )
            })
            .collect();
        store.add_objects(&ctx, collection, &batch).await?;
    }
    println!(
        "  mamori: {INDICATORS} indicators stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let config = WebConfig {
        public_url: "http://127.0.0.1".into(),
        upload_dir: dir.join("uploads"),
        emergency_dir: dir.join("emergency"),
        ..WebConfig::default()
    };
    let app = mamori_web::router(AppState::new(store, Arc::new(SystemClock), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok((
        format!("http://{addr}/taxii2/hub/collections/{collection}/objects/"),
        secret,
    ))
}

/// Starts medallion over the same indicators; its process and the collection's objects URL.
fn medallion(dir: &std::path::Path) -> anyhow::Result<(std::process::Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let collection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
    let objects: Vec<Value> = (0..INDICATORS).map(indicator).collect();
    let manifest: Vec<Value> = (0..INDICATORS)
        .map(|i| {
            json!({"id": objects[i as usize]["id"], "date_added": format!("2026-01-01T00:00:00.{i:06}Z"),
                "version": "2026-01-01T00:00:00.000Z", "media_type": "application/stix+json;version=2.1"})
        })
        .collect();
    let data = json!({
        "/discovery": {"title": "medallion", "api_roots": [format!("http://127.0.0.1:{port}/root/")]},
        "root": {
            "information": {"title": "root", "versions": [TAXII], "max_content_length": 100_000_000},
            "status": [],
            "collections": [{"id": collection, "title": "IOCs", "can_read": true, "can_write": false,
                "media_types": ["application/stix+json;version=2.1"], "objects": objects, "manifest": manifest}]
        }
    });
    std::fs::write(dir.join("data.json"), data.to_string())?;
    let conf = json!({
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
            "filename": dir.join("data.json")},
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": PAGE}
    });
    std::fs::write(dir.join("medallion.json"), conf.to_string())?;
    let python = std::env::var("MAMORI_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = std::process::Command::new(python)
        .args(["-c", "from medallion.scripts.run import main; main()"])
        .args(["--port", &port.to_string()])
        .arg(dir.join("medallion.json"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "medallion did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok((
        child,
        format!("http://127.0.0.1:{port}/root/collections/{collection}/objects/"),
    ))
}

fn report(label: &str, times: &[Duration], objects: usize, total: Duration) -> f64 {
    let rate = objects as f64 / total.as_secs_f64();
    println!(
        "  {label:<40} {objects:>7} objects in {:>3} pages, {:>8.1} s, {rate:>9.0} objects/s, page p50 {:>7.1} ms, p99 {:>7.1} ms",
        times.len(),
        total.as_secs_f64(),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
    );
    rate
}

/// The first ten pages against the last ten: keyset paging keeps them alike.
fn flatness(times: &[Duration]) {
    let n = times.len().min(10);
    if n == 0 {
        return;
    }
    let first = times[..n].iter().sum::<Duration>() / n as u32;
    let last = times[times.len() - n..].iter().sum::<Duration>() / n as u32;
    println!(
        "    first {n} pages {:.1} ms each, last {n} {:.1} ms each ({:.2}× the first)",
        ms(first),
        ms(last),
        ms(last) / ms(first).max(1e-6)
    );
}

/// medallion's objects per second over its first pages.
async fn medallion_rate(
    dir: &std::path::Path,
    patient: &reqwest::Client,
) -> anyhow::Result<Option<f64>> {
    let (mut med, med_url) = medallion(dir)?;
    let started = Instant::now();
    let measured = page_through(
        patient,
        &med_url,
        ("bench", "bench"),
        false,
        MEDALLION_PAGES,
    )
    .await;
    let med_total = started.elapsed();
    let _ = med.kill();
    let _ = med.wait();
    let (med_times, med_objects) = measured?;
    Ok(Some(report(
        &format!("medallion, first {MEDALLION_PAGES} pages (baseline)"),
        &med_times,
        med_objects,
        med_total,
    )))
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let client = mamori_web::sharing::feeds::client().map_err(anyhow::Error::msg)?;
        // medallion's pages take minutes: the same client, without the feed puller's time limit.
        let patient = reqwest::Client::builder()
            .timeout(Duration::from_secs(1800))
            .build()?;
        println!("TAXII 2.1, {INDICATORS} indicators paged at limit={PAGE} with next");
        // MAMORI_BENCH_MEDALLION=0 measures mamori alone (the baseline takes many minutes).
        let with_medallion = std::env::var("MAMORI_BENCH_MEDALLION").map_or(true, |v| v != "0");
        let base = if with_medallion {
            medallion_rate(dir.path(), &patient).await?
        } else {
            println!("  medallion: not measured (MAMORI_BENCH_MEDALLION=0)");
            None
        };
        let mut backends = vec![(
            "mamori, SQLite",
            format!("sqlite://{}", dir.path().join("bench.db").display()),
        )];
        match std::env::var("MAMORI_BENCH_DATABASE_URL") {
            Ok(url) if !url.is_empty() => backends.push(("mamori, PostgreSQL", url)),
            _ => println!(
                "  mamori, PostgreSQL: not measured (set MAMORI_BENCH_DATABASE_URL to an empty database)"
            ),
        }
        for (label, url) in backends {
            let (objects_url, token) = mamori(&url, dir.path()).await?;
            // One page first, so that caches are warm as they are in service.
            page_through(client, &format!("{objects_url}?match[id]=x"), ("", &token), true, 1).await?;
            let started = Instant::now();
            let (times, objects) =
                page_through(client, &objects_url, ("", &token), true, usize::MAX).await?;
            let rate = report(label, &times, objects, started.elapsed());
            if let Some(base) = base {
                println!("    {:.1}× medallion", rate / base.max(1e-9));
            }
            flatness(&times);
        }
        anyhow::Ok(())
    })
}
