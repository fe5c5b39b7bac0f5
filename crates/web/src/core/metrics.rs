//! A small hand-kept registry of request counts and latencies, written out in the Prometheus
//! text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request counts by route and status, and latency by route.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Series>>,
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let s = l.entry(route.to_string()).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b
                    && let Some(c) = s.buckets.get_mut(i)
                {
                    *c += 1;
                }
            }
        }
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Everything counted, with the database pool's open and idle connections, as Prometheus
    /// text.
    pub fn exposition(&self, pool: (u32, usize)) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mamori_http_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE mamori_http_requests_total counter");
        if let Ok(r) = self.requests.lock() {
            for ((m, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "mamori_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(m),
                    escape(route)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP mamori_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(out, "# TYPE mamori_http_request_duration_seconds histogram");
        if let Ok(l) = self.latency.lock() {
            for (route, s) in l.iter() {
                let route = escape(route);
                for (b, c) in BUCKETS.iter().zip(s.buckets.iter()) {
                    let _ = writeln!(
                        out,
                        "mamori_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {c}"
                    );
                }
                let _ = writeln!(
                    out,
                    "mamori_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "mamori_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "mamori_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    s.count
                );
            }
        }
        let (size, idle) = pool;
        let _ = writeln!(
            out,
            "# HELP mamori_db_pool_connections Database pool connections by state."
        );
        let _ = writeln!(out, "# TYPE mamori_db_pool_connections gauge");
        let _ = writeln!(out, "mamori_db_pool_connections{{state=\"open\"}} {size}");
        let _ = writeln!(out, "mamori_db_pool_connections{{state=\"idle\"}} {idle}");
        out
    }
}
