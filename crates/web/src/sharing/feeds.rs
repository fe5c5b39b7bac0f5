//! Pulling TAXII 2.1 feeds into a collection: an institution's mamori pulls from its ISAC's
//! mamori (or any TAXII 2.1 server) incrementally, by `added_after` and `next`; a remote that is
//! down is tried again later, sooner at first and then less often; where a pull got to is kept
//! after every page, so a restart resumes there. TLP:RED is never passed on: it is not imported.

use super::service::{self, prepare};
use crate::core::auth::Caller;
use crate::core::error::AppError;
use crate::core::state::AppState;
use chrono::Duration;
use mamori_domain::authz::Permission::ManageCollections;
use mamori_domain::validate::{FieldError, Problem};
use mamori_store::{Audience, Ctx, Feed, FeedRun, NewFeed};
use serde_json::Value;
use stix::Tlp;
use uuid::Uuid;

/// Pages one pull reads at most; the rest waits for the next pull.
const PAGES_PER_PULL: usize = 200;

/// A feed as a person sets it up.
#[derive(Debug, Clone, Default)]
pub struct FeedDraft {
    /// The local collection that receives it.
    pub collection_id: Uuid,
    /// What it is called here.
    pub title: String,
    /// The remote API root URL.
    pub api_root_url: String,
    /// The remote collection's id.
    pub remote_collection: String,
    /// User name for HTTP Basic (empty: the secret is a Bearer token).
    pub username: String,
    /// Password or token.
    pub secret: String,
    /// Minutes between pulls (5 to 10,080).
    pub interval_minutes: i64,
}

/// Sets up a feed into a collection the caller's organisation keeps.
pub async fn add_feed(state: &AppState, c: &Caller, d: &FeedDraft) -> Result<Uuid, AppError> {
    c.require(ManageCollections)?;
    let mut faults = Vec::new();
    let url = d.api_root_url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || reqwest::Url::parse(url).is_err() {
        faults.push(FieldError::new("api_root_url", "feeds.error.url"));
    }
    if d.remote_collection.trim().is_empty() || d.remote_collection.len() > 200 {
        faults.push(FieldError::new(
            "remote_collection",
            "feeds.error.collection",
        ));
    }
    if d.title.trim().is_empty() || d.title.chars().count() > 200 {
        faults.push(FieldError::new("title", "feeds.error.title"));
    }
    if !(5..=10_080).contains(&d.interval_minutes) {
        faults.push(FieldError::new("interval_minutes", "feeds.error.interval"));
    }
    if !faults.is_empty() {
        return Err(AppError::Invalid(Problem::new(faults)));
    }
    let col = service::collection(state, c, d.collection_id).await?;
    if col.org_id != c.org.id {
        return Err(AppError::NotFound);
    }
    let root = if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    };
    Ok(state
        .store
        .add_feed(
            &c.ctx(),
            &NewFeed {
                collection_id: d.collection_id,
                title: d.title.trim().to_string(),
                api_root_url: root,
                remote_collection: d.remote_collection.trim().to_string(),
                username: d.username.trim().to_string(),
                secret: d.secret.clone(),
                interval_minutes: d.interval_minutes,
            },
        )
        .await?)
}

/// The caller's organisation's feeds.
pub async fn feeds(state: &AppState, c: &Caller) -> Result<Vec<Feed>, AppError> {
    c.require(ManageCollections)?;
    Ok(state.store.feeds(c.org.id).await?)
}

/// Pulls one of the caller's organisation's feeds now, and how it went.
pub async fn pull_now(state: &AppState, c: &Caller, id: Uuid) -> Result<FeedRun, AppError> {
    c.require(ManageCollections)?;
    let feed = state.store.feed(c.org.id, id).await?;
    Ok(pull(state, &feed).await?)
}

/// Pulls every feed that is due; how many were pulled.
pub async fn pull_due(state: &AppState) -> Result<usize, AppError> {
    let due = state.store.due_feeds(state.now()).await?;
    for feed in &due {
        pull(state, feed).await?;
    }
    Ok(due.len())
}

/// Pulls due feeds every half minute, as long as the server runs.
pub async fn run_worker(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        if let Err(e) = pull_due(&state).await {
            tracing::warn!(error = ?e, "pulling TAXII feeds");
        }
    }
}

/// When to try again after `failures` pulls failed in a row: 1, 2, 4 … minutes, never later than
/// the feed's own interval (nor than six hours).
pub fn retry_after(failures: i64, interval_minutes: i64) -> Duration {
    let exp = u32::try_from(failures.clamp(0, 16)).unwrap_or(16);
    let minutes = 2i64
        .saturating_pow(exp)
        .min(interval_minutes.min(360))
        .max(1);
    Duration::minutes(minutes)
}

/// The HTTP client for other servers (TAXII feeds), built once, on the TLS provider mail uses.
pub fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // The TLS provider mail already uses; installing it twice is harmless.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .user_agent(concat!("mamori/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// One pull of a feed, recorded whether it worked or not.
pub async fn pull(state: &AppState, feed: &Feed) -> Result<FeedRun, mamori_store::StoreError> {
    let started = state.now();
    let ctx = Ctx {
        org_id: feed.org_id,
        actor_id: None,
        actor_label: format!("feed: {}", feed.title),
        ip: String::new(),
        now: started,
    };
    let mut run = FeedRun {
        started_at: started,
        imported: 0,
        skipped: 0,
        error: String::new(),
    };
    if let Err(e) = pages(state, feed, &ctx, &mut run).await {
        run.error = e;
    }
    let next = if run.error.is_empty() {
        started + Duration::minutes(feed.interval_minutes)
    } else {
        started + retry_after(feed.failures + 1, feed.interval_minutes)
    };
    state.store.record_pull(&ctx, feed, &run, next).await?;
    Ok(run)
}

/// Reads the feed's new objects page by page and keeps each page as it comes.
async fn pages(state: &AppState, feed: &Feed, ctx: &Ctx, run: &mut FeedRun) -> Result<(), String> {
    let secret = state
        .store
        .feed_secret(feed)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the feed's credential cannot be opened with this installation's key")?;
    let col = state
        .store
        .collection(feed.org_id, feed.collection_id)
        .await
        .map_err(|e| e.to_string())?;
    let default = Tlp::from_code(&col.default_tlp).unwrap_or(Tlp::Amber);
    let url = format!(
        "{}collections/{}/objects/",
        feed.api_root_url, feed.remote_collection
    );
    // TAXII servers compare a `next` request's filter with the first one's: keep it the same.
    let mut after = feed.added_after.clone();
    let mut next: Option<String> = None;
    for _ in 0..PAGES_PER_PULL {
        let mut query: Vec<(&str, String)> = vec![("limit", "1000".into())];
        if let Some(a) = &after {
            query.push(("added_after", a.clone()));
        }
        if let Some(n) = &next {
            query.push(("next", n.clone()));
        }
        let req = client()?
            .get(&url)
            .header(reqwest::header::ACCEPT, super::taxii::TAXII)
            .query(&query);
        let req = if feed.username.is_empty() {
            req.bearer_auth(&secret)
        } else {
            req.basic_auth(&feed.username, Some(&secret))
        };
        let res = req.send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = res.status();
        let last = res
            .headers()
            .get("x-taxii-date-added-last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = res.bytes().await.map_err(|e| format!("{url}: {e}"))?;
        if !status.is_success() {
            let title = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("title").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default();
            return Err(format!("{url}: HTTP {status} {title}").trim().to_string());
        }
        let envelope: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{url}: not a TAXII envelope ({e})"))?;
        let objects = envelope
            .get("objects")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut kept = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            match prepare(o, &format!("objects[{i}]"), default) {
                // TLP:RED is for the people named by the sharer: never passed on.
                Ok(p) if p.tlp != Tlp::Red.code() => kept.push((p, Audience::default())),
                _ => run.skipped += 1,
            }
        }
        let added = state
            .store
            .add_objects(ctx, feed.collection_id, &kept)
            .await
            .map_err(|e| e.to_string())?;
        let new = i64::try_from(added.iter().filter(|a| **a).count()).unwrap_or(0);
        run.imported += new;
        run.skipped += i64::try_from(added.len()).unwrap_or(0) - new;
        if let Some(l) = &last {
            state
                .store
                .feed_progress(feed, l)
                .await
                .map_err(|e| e.to_string())?;
        }
        let more = envelope.get("more").and_then(Value::as_bool) == Some(true);
        next = envelope
            .get("next")
            .and_then(Value::as_str)
            .map(str::to_string);
        if !more {
            break;
        }
        // A server that says "more" without a `next` is read on from the last date it gave.
        if next.is_none() {
            match last {
                Some(l) => after = Some(l),
                None => break,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_feed_is_tried_again_sooner_first_and_never_later_than_its_interval() {
        let minutes = |f| retry_after(f, 60).num_minutes();
        assert_eq!(
            (1..=8).map(minutes).collect::<Vec<_>>(),
            [2, 4, 8, 16, 32, 60, 60, 60]
        );
        assert_eq!(retry_after(30, 10_080).num_minutes(), 360);
        assert_eq!(retry_after(0, 5).num_minutes(), 1);
    }
}
