//! The exported XLSX opens in LibreOffice with the expected cells (converted headless to CSV).

use crate::support::{Server, body_of, cookie_pair, form, hidden, http, http_body, http_bytes};
use std::process::Command;

#[test]
fn the_exported_workbook_opens_in_libreoffice_with_the_expected_cells() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::start(dir.path(), &[]);
    let port = server.port;
    // Set up through the pages, as a person would.
    let page = http(port, "GET", "/setup", "", None);
    let visitor = cookie_pair(&page, "mamori_csrf");
    let setup = form(&[
        ("csrf", &hidden(&page.body, "csrf")),
        ("name", "守り市民病院"),
        ("kind", "institution"),
        ("institution_type", "hospital"),
        ("beds", "200"),
        ("display_name", "管理"),
        ("email", "admin@sheet.test"),
        ("password", "a-long-enough-password"),
        ("password_confirm", "a-long-enough-password"),
    ]);
    let res = http(port, "POST", "/setup", &visitor, Some(&setup));
    let session = cookie_pair(&res, "mamori_session");
    let csrf = hidden(
        &http(port, "GET", "/assessments", &session, None).body,
        "csrf",
    );
    let res = http(
        port,
        "POST",
        "/assessments",
        &session,
        Some(&form(&[("csrf", &csrf), ("sheet", "fy2025.institution")])),
    );
    assert_eq!(res.status, 303);
    let sheet = res.header("location")[0].to_string();
    let boundary = "b0undary";
    let fields = [
        ("csrf", csrf.as_str()),
        ("answer", "no"),
        ("checked_on", "2025-06-10"),
        ("target_date", "2026-03-31"),
        ("notes", "台帳を作成中"),
    ];
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
        })
        .collect::<String>()
        + &format!("--{boundary}--\r\n");
    let res = http_body(
        port,
        "POST",
        &format!("{sheet}/items/fy2025.institution.2-01?round=1"),
        &session,
        Some((
            &format!("multipart/form-data; boundary={boundary}"),
            body.as_bytes(),
        )),
    );
    assert_eq!(res.status, 303, "{}", res.body);

    let raw = http_bytes(port, "GET", &format!("{sheet}/export.xlsx"), &session, None);
    let xlsx = dir.path().join("sheet.xlsx");
    std::fs::write(&xlsx, body_of(&raw)).expect("write xlsx");
    let out = dir.path().join("out");
    // 44,34,76: comma-separated, double-quoted, UTF-8.
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("lo-profile").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(&out)
        .arg(&xlsx)
        .output()
        .expect(
            "LibreOffice (soffice) must be installed: bash .ci/run installs libreoffice-calc-nogui",
        );
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = std::fs::read_to_string(out.join("sheet.csv")).expect("converted CSV");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("令和7年度 医療機関確認用 — 守り市民病院"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1]
            .starts_with("項目ID,No.,項目,1回目確認日,1回目回答,目標日,2回目確認日,2回目回答,備考"),
        "{}",
        lines[1]
    );
    let ledger = lines
        .iter()
        .find(|l| l.starts_with("fy2025.institution.2-01,"))
        .expect("ledger row");
    assert!(
        ledger.contains(",2025-06-10,いいえ,2026-03-31,,,台帳を作成中"),
        "{ledger}"
    );
}
