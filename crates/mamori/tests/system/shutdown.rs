//! Stopping as service managers stop a process: SIGTERM (systemd, docker, Kubernetes) lets the
//! request in flight finish, then the process exits 0.

use crate::support::{Server, mamori};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path(), &["--demo"]);
    let token = mamori(
        dir.path(),
        &["admin", "token", "--email", "admin@demo.mamori.jp"],
    );
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    assert!(token.starts_with("mamori_"), "{token}");

    // A report whose body arrives in two halves, the signal between them: the server is reading
    // it when told to stop.
    let body = r#"{"what": "SIGTERM の最中に届いた報告", "place": "3階病棟"}"#.as_bytes();
    let (first, second) = body.split_at(body.len() / 2);
    let mut conn = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        conn,
        "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("headers");
    conn.write_all(first).expect("first half");
    conn.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    let pid = server.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    std::thread::sleep(Duration::from_millis(300));
    conn.write_all(second).expect("second half");
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).expect("answer");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("SIGTERM の最中に届いた報告"), "{answer}");

    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    // New connections are no longer taken.
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err());
}
