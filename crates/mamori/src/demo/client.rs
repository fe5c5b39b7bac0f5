//! The demo hospital is entered through mamori's own JSON API, in process, with a token of the
//! person who would enter it: the same rules, audit trail and files as a real user's work.

use anyhow::{Context, bail};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// One person's way into the API.
pub struct Client {
    app: axum::Router,
    bearer: String,
}

impl Client {
    /// A client of `app` with an API token's secret.
    pub fn new(app: axum::Router, secret: &str) -> Client {
        Client {
            app,
            bearer: format!("Bearer {secret}"),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Value> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, &self.bearer)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))?;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        let res = self.app.clone().oneshot(req).await?;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024).await?;
        if !status.is_success() {
            bail!(
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).with_context(|| format!("{method} {path}: not JSON"))
    }

    /// A JSON request; the JSON answer (null for none), or the status and body as the error.
    pub async fn json(&self, method: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(method, path, "application/json", serde_json::to_vec(&body)?)
            .await
    }

    /// A GET.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send("GET", path, "application/json", Vec::new()).await
    }

    /// A multipart upload of text fields and one file (the `file` part).
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        bytes: &[u8],
    ) -> anyhow::Result<Value> {
        let boundary = "mamori-demo-boundary-7d1c";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            "POST",
            path,
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }
}

/// A member of a JSON object (null when absent).
pub fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get(name).unwrap_or(&Value::Null)
}

/// The `id` of a created object.
pub fn id_of(v: &Value) -> anyhow::Result<String> {
    field(v, "id")
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no id in {v}"))
}
