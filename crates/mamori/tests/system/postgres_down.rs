//! PostgreSQL stopped under a running server, then started again: requests are answered 503 with a
//! clear message within seconds (pages and API), `/healthz` says so within two seconds, and once
//! the database is back the same process serves again. The test runs a PostgreSQL of its own
//! (`MAMORI_PG_BIN`, set by `.ci/run`), as stopping the shared one would upset other tests.

use crate::support::{Server, api, free_port, http, mamori};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A command as the `postgres` user when we are root (the server refuses to run as root).
fn as_postgres(cmd: &str) -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let status = if root {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", cmd])
            .status()
    } else {
        Command::new("sh").args(["-c", cmd]).status()
    };
    status.is_ok_and(|s| s.success())
}

struct Cluster {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn new() -> Cluster {
        let bin = std::env::var("MAMORI_PG_BIN")
            .expect("MAMORI_PG_BIN names PostgreSQL's bin folder (bash .ci/run sets it)");
        let dir = tempfile::tempdir().expect("dir");
        let _ = Command::new("chown")
            .args(["postgres", &dir.path().display().to_string()])
            .status();
        let data = dir.path().join("data");
        assert!(as_postgres(&format!(
            "'{bin}/initdb' -D '{}' -A trust -U postgres >/dev/null",
            data.display()
        )));
        let c = Cluster {
            bin,
            dir,
            port: free_port(),
        };
        c.start();
        c
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn start(&self) {
        assert!(as_postgres(&format!(
            "'{}/pg_ctl' -D '{}' -o \"-p {} -k {} -c listen_addresses=127.0.0.1\" -l '{}/log' -w start >/dev/null",
            self.bin,
            self.data().display(),
            self.port,
            self.dir.path().display(),
            self.dir.path().display()
        )));
    }

    fn stop(&self) {
        assert!(as_postgres(&format!(
            "'{}/pg_ctl' -D '{}' -m immediate stop >/dev/null",
            self.bin,
            self.data().display()
        )));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&format!(
            "'{}/pg_ctl' -D '{}' -m immediate stop >/dev/null 2>&1",
            self.bin,
            self.data().display()
        ));
    }
}

/// Runs `f` until it returns true or `within` passes; how long it took.
fn until(within: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if f() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

#[test]
fn a_stopped_database_is_answered_503_at_once_and_served_again_when_back() {
    let pg = Cluster::new();
    let data = tempfile::tempdir().expect("data");
    let db = ["--database-url", &pg.url()];
    let init = mamori(
        data.path(),
        &[
            &db[..],
            &[
                "admin",
                "init",
                "--org",
                "停電病院",
                "--email",
                "a@m.jp",
                "--beds",
                "100",
            ],
        ]
        .concat(),
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let token = mamori(
        data.path(),
        &[&db[..], &["admin", "token", "--email", "a@m.jp"]].concat(),
    );
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let server = Server::start(data.path(), &db);
    let port = server.port;
    assert_eq!(http(port, "GET", "/healthz", "", None).status, 200);
    // Requests keep coming while the database goes away.
    let load_token = token.clone();
    let load = std::thread::spawn(move || {
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let (r, took) = timed(|| api(port, "GET", "/api/v1/me", &load_token, None));
            statuses.push((r.status, took));
            std::thread::sleep(Duration::from_millis(100));
        }
        statuses
    });
    std::thread::sleep(Duration::from_millis(500));
    pg.stop();

    let (health, took) = timed(|| http(port, "GET", "/healthz", "", None));
    assert_eq!(health.status, 503);
    assert!(took < Duration::from_millis(2500), "/healthz took {took:?}");
    let (r, took) = timed(|| api(port, "GET", "/api/v1/me", &token, None));
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("\"unavailable\""), "{}", r.body);
    assert!(took < Duration::from_secs(5), "the API took {took:?}");
    let (page, took) = timed(|| http(port, "GET", "/login", "", None));
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(
        page.body.contains("データベースに接続できない"),
        "{}",
        page.body
    );
    assert!(took < Duration::from_secs(5), "the page took {took:?}");

    pg.start();
    let back = until(Duration::from_secs(20), || {
        http(port, "GET", "/healthz", "", None).status == 200
            && api(port, "GET", "/api/v1/me", &token, None).status == 200
    });
    assert!(
        back.is_some(),
        "the same process serves again once the database is back"
    );
    let statuses = load.join().expect("load");
    assert!(
        statuses
            .iter()
            .all(|(s, took)| matches!(s, 200 | 503) && *took < Duration::from_secs(5)),
        "under load every answer came within seconds: {statuses:?}"
    );
    assert!(Path::new(&data.path().join("mamori.key")).exists());
}
