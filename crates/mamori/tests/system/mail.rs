//! Notifications reach a real SMTP server (Python's aiosmtpd) from `mamori serve`.

use crate::support::{Server, cookie_pair, form, free_port, hidden, http};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Smtp(Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An SMTP server that appends every message it accepts to `inbox`.
fn smtp_server(port: u16, inbox: &std::path::Path) -> Smtp {
    let python = std::env::var("MAMORI_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys, time, email, email.policy
from aiosmtpd.controller import Controller
class Inbox:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(sys.argv[2], "a", encoding="utf-8") as f:
            f.write("RCPT " + ",".join(envelope.rcpt_tos) + "\nFrom: " + str(msg["from"]) + "\nSubject: "
                    + str(msg["subject"]) + "\n\n" + msg.get_content() + "\n--END--\n")
        return "250 OK"
c = Controller(Inbox(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
while True:
    time.sleep(1)
"#;
    let mut child = Command::new(&python)
        .args([
            "-c",
            script,
            &port.to_string(),
            &inbox.display().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {python} ({e}); bash .ci/run installs aiosmtpd and sets MAMORI_PYTHON"
            )
        });
    let out = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).expect("read");
    if line.trim() != "ready" {
        let mut err = String::new();
        if let Some(e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut BufReader::new(e), &mut err);
        }
        panic!("aiosmtpd is needed (pip install aiosmtpd): {err}");
    }
    Smtp(child)
}

#[test]
fn an_anomaly_report_is_mailed_to_the_on_call_roles() {
    let data = tempfile::tempdir().expect("dir");
    let inbox = data.path().join("inbox.eml");
    let smtp_port = free_port();
    let _smtp = smtp_server(smtp_port, &inbox);
    let url = format!("smtp://127.0.0.1:{smtp_port}");
    let server = Server::start_with_env(
        data.path(),
        &["--demo"],
        &[
            ("MAMORI_SMTP_URL", &url),
            ("MAMORI_MAIL_FROM", "mamori@demo.mamori.jp"),
        ],
    );
    let password = server
        .stdout
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("nurse@demo.mamori.jp")
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("nurse login");
    let page = http(server.port, "GET", "/login", "", None);
    let visitor = cookie_pair(&page, "mamori_csrf");
    let body = form(&[
        ("csrf", &hidden(&page.body, "csrf")),
        ("email", "nurse@demo.mamori.jp"),
        ("password", &password),
    ]);
    let res = http(server.port, "POST", "/login", &visitor, Some(&body));
    assert_eq!(res.status, 303, "{}", res.body);
    let session = cookie_pair(&res, "mamori_session");
    let page = http(server.port, "GET", "/report", &session, None);
    let body = form(&[
        ("csrf", &hidden(&page.body, "csrf")),
        ("what", "共有フォルダのファイル名がすべて変わっている"),
        ("place", "医事課"),
    ]);
    let res = http(server.port, "POST", "/report", &session, Some(&body));
    assert_eq!(res.status, 303, "{}", res.body);

    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&inbox).unwrap_or_default();
        // The demo hospital's own (handled) report is #1 and was mailed as it was loaded.
        if text.matches("Subject: [mamori] 異常の報告 #2").count() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Only the mails of the nurse's report.
    let text: String = text
        .split("--END--")
        .filter(|m| m.contains("異常の報告 #2"))
        .collect::<Vec<_>>()
        .join("--END--");
    // The demo's security manager (the administrator) and system operator; not the nurse.
    assert!(text.contains("RCPT admin@demo.mamori.jp"), "{text}");
    assert!(text.contains("RCPT it@demo.mamori.jp"), "{text}");
    assert!(!text.contains("RCPT nurse@"), "{text}");
    assert!(text.contains("From: mamori@demo.mamori.jp"), "{text}");
    assert!(text.contains("Subject: [mamori] 異常の報告 #2"), "{text}");
    assert!(
        text.contains("共有フォルダのファイル名がすべて変わっている") && text.contains("医事課"),
        "{text}"
    );
    assert!(text.contains("/reports/"), "{text}");
}
