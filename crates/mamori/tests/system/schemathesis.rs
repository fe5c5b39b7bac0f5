//! Schemathesis (PyPI) against the served OpenAPI document, over every operation with a token:
//! no answer is a server error, and every answer — status, content type, headers, body — is one
//! the document describes.

use crate::support::{Server, mamori};
use std::process::Command;

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe() {
    let st = std::env::var("MAMORI_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--demo"]);
    let out = mamori(
        dir.path(),
        &[
            "admin",
            "token",
            "--email",
            "admin@demo.mamori.jp",
            "--name",
            "schemathesis",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("mamori_"));
    let run = Command::new(&st)
        .args(["run", &server.url("/api/v1/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "25", "--workers", "1", "--seed", "20261202"])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {st} ({e}); bash .ci/run installs schemathesis and sets MAMORI_SCHEMATHESIS")
        });
    let report = String::from_utf8_lossy(&run.stdout);
    let summary = report
        .find("SUMMARY")
        .map(|i| &report[i..])
        .unwrap_or(&report);
    println!("{summary}");
    assert!(
        run.status.success(),
        "schemathesis found faults:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let operations = mamori_web::openapi()["paths"]
        .as_object()
        .map(|p| {
            p.values()
                .filter_map(|i| i.as_object())
                .map(|i| i.len())
                .sum::<usize>()
        })
        .unwrap_or_default();
    assert!(
        summary.contains(&format!("Tested: {operations}")),
        "every one of the {operations} operations was tried:\n{summary}"
    );
}
