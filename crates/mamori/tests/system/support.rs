//! Running the real binary and talking HTTP/1.1 to it over a socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_mamori");

/// Runs `mamori` with the data folder and arguments, to completion.
pub fn mamori(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("MAMORI_DATABASE_URL")
        .output()
        .expect("run mamori")
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A running `mamori serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub stdout: Vec<String>,
}

impl Server {
    /// Starts the server and waits until it listens, collecting what it printed until then.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(data, extra, &[])
    }

    /// Starts the server with extra environment variables (settings such as `MAMORI_SMTP_URL`).
    pub fn start_with_env(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(data)
            .args(["--listen", &listen])
            .arg("serve")
            .args(extra)
            .env_remove("MAMORI_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mamori serve");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stdout = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    let done = line.starts_with("mamori is listening");
                    stdout.push(line);
                    if done {
                        break;
                    }
                }
                Err(e) => panic!("mamori serve did not start: {e}; printed {stdout:?}"),
            }
        }
        Server {
            child,
            port,
            stdout,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 response.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Sends one request with `Connection: close` and reads the whole answer.
pub fn http(port: u16, method: &str, path: &str, cookies: &str, form: Option<&str>) -> Response {
    http_body(
        port,
        method,
        path,
        cookies,
        form.map(|f| ("application/x-www-form-urlencoded", f.as_bytes())),
    )
}

/// Sends one request with a body of the given content type.
pub fn http_body(
    port: u16,
    method: &str,
    path: &str,
    cookies: &str,
    body: Option<(&str, &[u8])>,
) -> Response {
    let raw = http_bytes(port, method, path, cookies, body);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The raw bytes of the answer to one request (head and body).
pub fn http_bytes(
    port: u16,
    method: &str,
    path: &str,
    cookies: &str,
    body: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let cookie = format!("Cookie: {cookies}");
    let headers: Vec<&str> = if cookies.is_empty() {
        vec![]
    } else {
        vec![cookie.as_str()]
    };
    raw_request(port, method, path, &headers, body)
}

/// An API call with a bearer token and a body of the given content type.
pub fn api(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: Option<(&str, &[u8])>,
) -> Response {
    let auth = format!("Authorization: Bearer {token}");
    let raw = raw_request(port, method, path, &[auth.as_str()], body);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

/// One request with extra header lines, read to the end.
fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[&str],
    body: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    if let Some((ct, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some((_, b)) = body {
        bytes.extend_from_slice(b);
    }
    s.write_all(&bytes).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    raw
}

/// The body of a raw HTTP answer (after the blank line).
pub fn body_of(raw: &[u8]) -> &[u8] {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .and_then(|i| raw.get(i + 4..))
        .unwrap_or(&[])
}

/// Percent-encodes form fields.
pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the hidden field `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&pat)
        .map(|i| i + pat.len())
        .unwrap_or_else(|| panic!("no {name} in {page}"));
    page[start..].split('"').next().unwrap_or("").to_string()
}

/// The `name=value` part of a `Set-Cookie` header of a response.
pub fn cookie_pair(res: &Response, name: &str) -> String {
    res.header("set-cookie")
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or("")
        .to_string()
}
