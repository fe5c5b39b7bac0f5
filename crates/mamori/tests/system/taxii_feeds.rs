//! mamori pulling a collection from OASIS `medallion`, the reference TAXII 2.1 server: across
//! pages (medallion gives 100 a page and a `next`), leaving TLP:RED behind, surviving medallion
//! being down (the failure is recorded and retried sooner), and after both servers restart,
//! asking only for what is newer than what it has.

use crate::support::{Server, api, free_port, mamori};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COLLECTION: &str = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

/// `n` indicators added one second apart from `from` (seconds after 2026-01-01), the first of
/// them marked TLP:RED when `red` is set.
fn indicators(from: u32, n: u32, red: bool) -> (Vec<Value>, Vec<Value>) {
    let mut objects = Vec::new();
    let mut manifest = Vec::new();
    for i in from..from + n {
        let id = format!("indicator--{i:08x}-0000-4000-8000-000000000000");
        let at = format!(
            "2026-01-01T{:02}:{:02}:{:02}.000000Z",
            i / 3600,
            (i / 60) % 60,
            i % 60
        );
        let mut o = json!({
            "type": "indicator", "spec_version": "2.1", "id": id,
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "name": format!("C2 {i}"), "pattern": format!("[ipv4-addr:value = '10.9.{}.{}']", i / 256, i % 256),
            "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"
        });
        if red && i == from {
            o["object_marking_refs"] = json!([RED]);
        }
        objects.push(o);
        manifest.push(json!({
            "id": id, "date_added": at, "version": "2026-01-01T00:00:00.000Z",
            "media_type": "application/stix+json;version=2.1"
        }));
    }
    (objects, manifest)
}

/// Writes medallion's configuration and its memory backend's data.
fn medallion_files(dir: &Path, port: u16, objects: &[Value], manifest: &[Value]) {
    let data = json!({
        "/discovery": {
            "title": "medallion", "description": "", "contact": "",
            "default": format!("http://127.0.0.1:{port}/trustgroup1/"),
            "api_roots": [format!("http://127.0.0.1:{port}/trustgroup1/")]
        },
        "trustgroup1": {
            "information": {
                "title": "trust group", "description": "",
                "versions": ["application/taxii+json;version=2.1"], "max_content_length": 9765625
            },
            "status": [],
            "collections": [{
                "id": COLLECTION, "title": "IOCs", "description": "",
                "can_read": true, "can_write": true,
                "media_types": ["application/stix+json;version=2.1"],
                "objects": objects, "manifest": manifest
            }]
        }
    });
    std::fs::write(dir.join("data.json"), data.to_string()).expect("data");
    let conf = json!({
        "backend": {
            "module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
            "filename": dir.join("data.json")
        },
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": 100}
    });
    std::fs::write(dir.join("medallion.json"), conf.to_string()).expect("conf");
}

/// Starts medallion and waits until it answers.
fn medallion(dir: &Path, port: u16) -> Child {
    let python = std::env::var("MAMORI_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new(&python)
        .args(["-c", "from medallion.scripts.run import main; main()"])
        .args(["--port", &port.to_string()])
        .arg(dir.join("medallion.json"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {python} ({e}); bash .ci/run installs medallion and sets MAMORI_PYTHON"
            )
        });
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "medallion did not start (pip install medallion)"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    child
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn mamori_pulls_from_medallion_across_pages_outages_and_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let remote = tempfile::tempdir().expect("medallion dir");
    let port = free_port();
    let (objects, manifest) = indicators(1, 250, true);
    medallion_files(remote.path(), port, &objects, &manifest);
    let mut med = medallion(remote.path(), port);

    let server = Server::start(dir.path(), &["--demo"]);
    let out = mamori(
        dir.path(),
        &[
            "admin",
            "token",
            "--email",
            "admin@demo.mamori.jp",
            "--name",
            "feeds",
        ],
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let made = api(
        server.port,
        "POST",
        "/api/v1/sharing/collections",
        &token,
        Some((
            "application/json",
            br#"{"title": "from medallion", "default_tlp": "green"}"#,
        )),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let local = json_of(&made.body)["id"].as_str().unwrap().to_string();
    let feed = json!({
        "collection_id": local, "title": "medallion",
        "api_root_url": format!("http://127.0.0.1:{port}/trustgroup1"),
        "remote_collection": COLLECTION, "username": "admin", "secret": "Password0",
        "interval_minutes": 60
    })
    .to_string();
    let r = api(
        server.port,
        "POST",
        "/api/v1/sharing/feeds",
        &token,
        Some(("application/json", feed.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(!r.body.contains("Password0"), "the secret is never shown");
    let feed_id = json_of(&r.body)["id"].as_str().unwrap().to_string();
    let pull = || {
        let r = api(
            server.port,
            "POST",
            &format!("/api/v1/sharing/feeds/{feed_id}/pull"),
            &token,
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        json_of(&r.body)
    };
    let count = |port: u16, token: &str| {
        let r = api(
            port,
            "GET",
            &format!("/api/v1/sharing/collections/{local}/objects?limit=1000"),
            token,
            None,
        );
        json_of(&r.body)["objects"].as_array().unwrap().len()
    };

    // Three pages of medallion's, the RED one left behind. (The server's own worker may take
    // the first pull, which is due at once; either way all of it arrives once.)
    let first = pull();
    assert_eq!(first["error"], "", "{first}");
    assert_eq!(count(server.port, &token), 249);
    let kept = api(
        server.port,
        "GET",
        &format!("/api/v1/sharing/collections/{local}/export?format=text"),
        &token,
        None,
    );
    assert!(
        !kept.body.contains("10.9.0.1\n"),
        "the RED indicator is not pulled"
    );

    // medallion down: the pull fails, is recorded, and is due again in minutes, not an hour.
    let _ = med.kill();
    let _ = med.wait();
    let down = pull();
    assert_ne!(down["error"], "", "{down}");
    let feeds = json_of(&api(server.port, "GET", "/api/v1/sharing/feeds", &token, None).body);
    assert_eq!(feeds[0]["failures"], 1, "{feeds}");
    let next: chrono::DateTime<chrono::Utc> =
        feeds[0]["next_run_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next - chrono::Utc::now() < chrono::Duration::minutes(5),
        "{feeds}"
    );

    // Both restarted, medallion with 20 newer objects: only those come.
    drop(server);
    let (more_objects, more_manifest) = indicators(1000, 20, false);
    let all_objects: Vec<Value> = objects.iter().chain(&more_objects).cloned().collect();
    let all_manifest: Vec<Value> = manifest.iter().chain(&more_manifest).cloned().collect();
    medallion_files(remote.path(), port, &all_objects, &all_manifest);
    let mut med = medallion(remote.path(), port);
    let server = Server::start(dir.path(), &[]);
    let r = api(
        server.port,
        "POST",
        &format!("/api/v1/sharing/feeds/{feed_id}/pull"),
        &token,
        None,
    );
    let again = json_of(&r.body);
    assert_eq!(again["error"], "", "{again}");
    assert_eq!(
        (&again["imported"], &again["skipped"]),
        (&json!(20), &json!(0)),
        "{again}"
    );
    assert_eq!(count(server.port, &token), 269);
    let runs = json_of(
        &api(
            server.port,
            "GET",
            &format!("/api/v1/sharing/feeds/{feed_id}/runs"),
            &token,
            None,
        )
        .body,
    );
    assert!(
        runs.as_array().unwrap().len() >= 3,
        "every pull recorded: {runs}"
    );
    let feeds = json_of(&api(server.port, "GET", "/api/v1/sharing/feeds", &token, None).body);
    assert_eq!(feeds[0]["failures"], 0);
    assert_eq!(feeds[0]["imported_total"], 269);
    let _ = med.kill();
    let _ = med.wait();
}
