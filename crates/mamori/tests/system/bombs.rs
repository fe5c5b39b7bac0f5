//! Hostile uploads against the real server: a tiny workbook that claims a rectangle of 60
//! million cells is refused with a clear message, and the server's peak memory stays small.

use crate::support::{Server, api, mamori};

/// The peak resident memory of a process, in MiB (`VmHWM` of /proc).
fn peak_mib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .expect("VmHWM of the server")
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "bombboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn a_dimension_bomb_is_refused_and_memory_stays_small() {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = mamori(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "爆弾病院",
            "--email",
            "a@bomb.test",
            "--beds",
            "100",
        ],
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let out = mamori(dir.path(), &["admin", "token", "--email", "a@bomb.test"]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let server = Server::start(dir.path(), &[]);
    let r = api(
        server.port,
        "POST",
        "/api/v1/assessments",
        &token,
        Some(("application/json", br#"{"sheet": "fy2025.institution"}"#)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r
        .body
        .split("\"id\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("assessment id")
        .to_string();

    // Cells A1 and ALL60000 only: a few kilobytes whose rectangle is 60 million cells.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "項目ID").expect("A1");
    ws.write_string(59_999, 999, "x").expect("ALL60000");
    let bomb = wb.save_to_buffer().expect("bomb");
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    let before = peak_mib(server.child.id());
    for path in [
        format!("/api/v1/assessments/{id}/import"),
        "/api/v1/registers/devices/import".to_string(),
        "/api/v1/registers/backups/import".to_string(),
    ] {
        let (ct, body) = multipart("bomb.xlsx", &bomb);
        let r = api(server.port, "POST", &path, &token, Some((&ct, &body)));
        assert_eq!(r.status, 422, "{path}: {}", r.body);
        assert!(
            r.body.contains("error.import_too_large") && r.body.contains("大きすぎます"),
            "{path}: {}",
            r.body
        );
    }
    let after = peak_mib(server.child.id());
    println!("peak memory: {before} MiB before the bombs, {after} MiB after");
    assert!(
        after < before + 64,
        "the server grew from {before} MiB to {after} MiB reading a {} byte file",
        bomb.len()
    );
}
