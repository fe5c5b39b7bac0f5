//! The command line: `admin init`, `audit verify` and tamper detection, recovery commands.

use crate::support::mamori;
use mamori_store::Store;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn admin_init_creates_the_installation_once_and_prints_a_one_time_password() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = mamori(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "守り病院",
            "--email",
            "a@m.jp",
            "--beds",
            "12",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--beds: A hospital has 20 beds or more")
    );
    let ok = mamori(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "守り病院",
            "--email",
            "Admin@M.jp",
            "--beds",
            "120",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = stdout(&ok);
    let pw = out
        .lines()
        .find_map(|l| l.strip_prefix("one-time password: "))
        .expect("password printed");
    assert!(
        pw.chars().count() >= 13,
        "the one-time password meets the rule without two-factor"
    );
    assert!(out.contains("administrator: admin@m.jp"));
    assert!(
        dir.path().join("mamori.db").exists(),
        "SQLite database in the data folder"
    );
    let again = mamori(
        dir.path(),
        &["admin", "init", "--org", "x", "--email", "b@m.jp"],
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn audit_verify_names_the_first_altered_or_deleted_record() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(
        mamori(
            dir.path(),
            &[
                "admin",
                "init",
                "--org",
                "守り病院",
                "--email",
                "a@m.jp",
                "--beds",
                "120"
            ]
        )
        .status
        .success()
    );
    for args in [
        &["admin", "reset-password", "--email", "a@m.jp"][..],
        &["admin", "unlock", "--email", "a@m.jp"][..],
    ] {
        assert!(mamori(dir.path(), args).status.success());
    }
    let ok = mamori(dir.path(), &["audit", "verify"]);
    assert!(
        stdout(&ok).contains("audit chain intact: 4 records verified"),
        "{}",
        stdout(&ok)
    );
    // The key lives beside the database, readable by its owner only, and so does the data.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("mamori.key")), 0o600);
        assert_eq!(mode(&dir.path().join("mamori.db")), 0o600);
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.path().join("uploads")), 0o700);
    }
    let cp = dir.path().join("checkpoint.json");
    let taken = mamori(
        dir.path(),
        &["audit", "checkpoint", "--out", cp.to_str().expect("path")],
    );
    assert!(taken.status.success(), "{}", stdout(&taken));

    let url = format!("sqlite://{}", dir.path().join("mamori.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = |sql: &str| {
        rt.block_on(async {
            let s = Store::connect(&url).await.expect("store");
            let r = s.execute_raw(sql).await;
            s.close().await;
            r
        })
    };
    // The database itself refuses to change history.
    assert!(db("UPDATE audit_log SET actor_label = 'x' WHERE seq = 2").is_err());
    assert!(db("DELETE FROM audit_log WHERE seq = 4").is_err());
    // Someone with DDL rights drops the guards, rewrites record 2 and recomputes the chain and
    // its head the way a plain SHA-256 chain is computed: without the key, it shows.
    for t in [
        "audit_log_no_update",
        "audit_log_no_delete",
        "audit_head_no_delete",
        "audit_head_forward_only",
    ] {
        db(&format!("DROP TRIGGER {t}")).expect("drop");
    }
    let records = rt.block_on(async {
        let s = Store::connect(&url).await.expect("store");
        let r = s.audit_records().await.expect("records");
        s.close().await;
        r
    });
    let mut prev: Option<(i64, String)> = None;
    for r in &records {
        let mut event = r.event.clone();
        if r.seq == 2 {
            event.actor_label = "someone-else".into();
        }
        let sealed = mamori_domain::audit::seal(
            event,
            r.at,
            prev.as_ref().map(|(s, d)| (*s, d.as_str())),
            None,
        );
        db(&format!(
            "UPDATE audit_log SET actor_label = '{}', prev_digest = '{}', digest = '{}' WHERE seq = {}",
            sealed.event.actor_label, sealed.prev_digest, sealed.digest, sealed.seq
        ))
        .expect("rewrite");
        prev = Some((sealed.seq, sealed.digest));
    }
    let (last, digest) = prev.expect("records");
    db(&format!(
        "UPDATE audit_head SET seq = {last}, digest = '{digest}'"
    ))
    .expect("head");
    let broken = mamori(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stdout(&broken).contains("record 1 was altered"),
        "a recomputed chain does not carry the key: {}",
        stdout(&broken)
    );

    // Deleting the newest record and moving the head back shows against the checkpoint.
    let fresh = tempfile::tempdir().expect("dir");
    let d = fresh.path();
    assert!(
        mamori(
            d,
            &[
                "admin",
                "init",
                "--org",
                "守り病院",
                "--email",
                "a@m.jp",
                "--beds",
                "120"
            ]
        )
        .status
        .success()
    );
    assert!(
        mamori(d, &["admin", "unlock", "--email", "a@m.jp"])
            .status
            .success()
    );
    let cp = d.join("checkpoint.json");
    assert!(
        mamori(
            d,
            &["audit", "checkpoint", "--out", cp.to_str().expect("path")]
        )
        .status
        .success()
    );
    let url = format!("sqlite://{}", d.join("mamori.db").display());
    let db = |sql: &str| {
        rt.block_on(async {
            let s = Store::connect(&url).await.expect("store");
            s.execute_raw(sql).await.expect("tamper");
            s.close().await;
        })
    };
    for t in [
        "audit_log_no_delete",
        "audit_head_forward_only",
        "audit_head_no_delete",
    ] {
        db(&format!("DROP TRIGGER {t}"));
    }
    db("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
    db(
        "UPDATE audit_head SET seq = seq - 1, digest = (SELECT digest FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log))",
    );
    assert!(
        mamori(d, &["audit", "verify"]).status.success(),
        "the chain alone cannot see a clean cut"
    );
    let against = mamori(
        d,
        &[
            "audit",
            "verify",
            "--checkpoint",
            cp.to_str().expect("path"),
        ],
    );
    assert_eq!(against.status.code(), Some(1));
    assert!(
        stdout(&against).contains("no longer extends the checkpoint"),
        "{}",
        stdout(&against)
    );
    db("DELETE FROM audit_head");
    assert!(stdout(&mamori(d, &["audit", "verify"])).contains("the chain head is missing"));
    // Without its key file the chain is not checked at all, rather than reported broken.
    std::fs::remove_file(d.join("mamori.key")).expect("remove key");
    let nokey = mamori(d, &["audit", "verify"]);
    assert_ne!(nokey.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&nokey.stderr).contains("key file"));
}

#[test]
fn a_reset_password_ends_every_session_and_revokes_every_token() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert!(
        mamori(
            d,
            &[
                "admin",
                "init",
                "--org",
                "守り病院",
                "--email",
                "a@m.jp",
                "--beds",
                "120"
            ]
        )
        .status
        .success()
    );
    let token = stdout(&mamori(d, &["admin", "token", "--email", "a@m.jp"]))
        .trim()
        .to_string();
    let url = format!("sqlite://{}", d.join("mamori.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let live = |token: &str| {
        rt.block_on(async {
            let s = Store::connect(&url).await.expect("store");
            let owner = s
                .token_owner(&mamori_web::crypto::digest(token), chrono::Utc::now())
                .await
                .expect("lookup");
            s.close().await;
            owner.is_some()
        })
    };
    assert!(live(&token));
    let session = |open: bool| {
        rt.block_on(async {
            let s = Store::connect(&url).await.expect("store");
            let now = chrono::Utc::now();
            if open {
                let (user, _) = s
                    .login_candidates("a@m.jp")
                    .await
                    .expect("lookup")
                    .pop()
                    .expect("user");
                s.create_session(&mamori_store::NewSession {
                    id_hash: "browser",
                    user_id: user.id,
                    csrf: "c",
                    awaiting_totp: false,
                    now,
                    expires_at: now + chrono::Duration::hours(1),
                    ip: "",
                })
                .await
                .expect("session");
            }
            let found = s.session("browser", now).await.expect("session").is_some();
            s.close().await;
            found
        })
    };
    assert!(session(true));
    let reset = mamori(d, &["admin", "reset-password", "--email", "a@m.jp"]);
    assert!(reset.status.success());
    assert!(!session(false));
    assert!(
        stdout(&reset).contains("1 session(s) ended, 1 API token(s) revoked."),
        "{}",
        stdout(&reset)
    );
    assert!(!live(&token), "whoever had the old password kept nothing");
}

#[test]
fn bad_settings_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = dir.path().join("m.toml");
    std::fs::write(&cfg, "listne = \"x\"\n").expect("write");
    let o = mamori(
        dir.path(),
        &["--config", cfg.to_str().expect("path"), "audit", "verify"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("listne"));
    std::fs::write(&cfg, "trusted_proxies = [\"10.0.0.1\", \"proxy.local\"]\n").expect("write");
    let o = mamori(
        dir.path(),
        &["--config", cfg.to_str().expect("path"), "audit", "verify"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("proxy.local: not an IP address"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn catalog_sheets_are_listed_and_printed_as_json_for_scripts() {
    let dir = tempfile::tempdir().expect("dir");
    let list = mamori(dir.path(), &["catalog", "list"]);
    assert!(list.status.success());
    for sheet in [
        "fy2023.institution",
        "fy2024.pharmacy",
        "fy2025.vendor",
        "gl6",
        "gl52",
    ] {
        assert!(stdout(&list).contains(sheet), "{sheet} not listed");
    }
    let show = mamori(
        dir.path(),
        &["catalog", "show", "fy2025.institution", "--format", "json"],
    );
    assert!(show.status.success());
    let items: Vec<serde_json::Value> = serde_json::from_slice(&show.stdout).expect("JSON array");
    assert!(items.len() >= 20);
    for item in &items {
        for field in [
            "id",
            "section",
            "scope",
            "text_ja",
            "text_en",
            "refs",
            "confidence",
        ] {
            assert!(item.get(field).is_some(), "{field} missing in {item}");
        }
    }
    let ledger = items
        .iter()
        .find(|i| i["id"] == "fy2025.institution.2-01")
        .expect("ledger item");
    assert_eq!(ledger["section"], "management");
    assert_eq!(
        ledger["refs"],
        serde_json::json!(["gl6.gov.1.2.1", "gl6.mgmt.9.1"])
    );
    let unknown = mamori(dir.path(), &["catalog", "show", "fy1999.institution"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("fy2025.institution"),
        "known sheets are named"
    );
}

#[test]
fn duties_are_printed_as_json_from_facts_and_bad_facts_exit_with_2() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let facts = r#"{"aware_at": "2025-10-24T09:00:00+09:00", "cyber_attack": true, "care_disrupted": true, "malicious": false, "crime": false,
        "personal_data": {"involved": "possible", "count": 120, "sensitive": true, "financial_risk": false, "highly_encrypted": false}}"#;
    let mut child = Command::new(crate::support::BIN)
        .arg("duties")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(facts.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("run");
    assert!(out.status.success());
    let duties: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    let kakuho = duties
        .iter()
        .find(|d| d["recipient"] == "ppc" && d["report"] == "kakuho")
        .expect("kakuho");
    assert_eq!(
        kakuho["due"], "2025-11-25",
        "day 30 is Saturday 11-22; 11-23 and its 振替休日 11-24 are closed"
    );
    assert_eq!(kakuho["obligation"], "legal");
    let sokuho = duties
        .iter()
        .find(|d| d["recipient"] == "ppc" && d["report"] == "sokuho")
        .expect("sokuho");
    assert_eq!(
        (sokuho["target"].as_str(), sokuho["due"].as_str()),
        (Some("2025-10-26"), Some("2025-10-28"))
    );
    let mhlw = duties
        .iter()
        .find(|d| d["recipient"] == "mhlw")
        .expect("mhlw");
    assert!(mhlw["due"].is_null() && mhlw["obligation"] == "administrative");
    assert!(duties.iter().all(|d| {
        d.get("basis")
            .and_then(|b| b.as_str())
            .is_some_and(|b| !b.is_empty())
    }));

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("facts.json");
    std::fs::write(&file, r#"{"aware_at": "yesterday"}"#).expect("write");
    let bad = Command::new(crate::support::BIN)
        .args(["duties", "--facts"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not valid"));
}

#[test]
fn the_emergency_pack_is_written_by_the_command_line_too() {
    let data = tempfile::tempdir().expect("dir");
    let none = mamori(data.path(), &["emergency-pack"]);
    assert_eq!(none.status.code(), Some(2), "nothing set up yet");
    let init = mamori(
        data.path(),
        &[
            "admin",
            "init",
            "--org",
            "守り市民病院",
            "--email",
            "admin@example.jp",
            "--beds",
            "120",
        ],
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let out = data.path().join("pack.html");
    let r = mamori(
        data.path(),
        &["emergency-pack", "--out", out.to_str().expect("path")],
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let html = std::fs::read_to_string(&out).expect("pack");
    assert!(html.contains("緊急時対応パック — 守り市民病院") && html.contains("初動対応"));
    assert!(!html.contains("<link") && !html.contains("<script"));
    let by_name = mamori(data.path(), &["emergency-pack", "--org", "守り市民病院"]);
    assert!(stdout(&by_name).contains("<!doctype html>"));
    assert_eq!(
        mamori(data.path(), &["emergency-pack", "--org", "no such"])
            .status
            .code(),
        Some(2)
    );
}
