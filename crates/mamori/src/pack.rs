//! `mamori emergency-pack`: writes an organisation's emergency pack (one self-contained HTML file)
//! without the web server, for a USB stick or a shared folder while the systems are down.

use crate::config::Settings;
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes the pack of the organisation named by id or exact name (the home one by default) to
/// `out`, or to standard output.
pub async fn run(
    settings: Settings,
    org: Option<String>,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let store = settings
        .open_store(crate::config::KeyUse::CreateIfMissing)
        .await?;
    let orgs = store.org_directory().await?;
    let found = match &org {
        None => orgs.iter().find(|o| o.home),
        Some(key) => orgs
            .iter()
            .find(|o| o.id.to_string() == *key || o.profile.name == *key),
    };
    let Some(found) = found else {
        eprintln!(
            "mamori emergency-pack: no organisation {}. Known: {}",
            org.as_deref().unwrap_or("(none set up yet)"),
            orgs.iter()
                .map(|o| o.profile.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        store.close().await;
        return Ok(ExitCode::from(2));
    };
    let html = mamori_web::emergency::pack_html(&store, found, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    match out {
        Some(path) => {
            std::fs::write(&path, html)?;
            eprintln!(
                "emergency pack of {} written to {}",
                found.profile.name,
                path.display()
            );
        }
        None => print!("{html}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Rewrites every organisation's pack in the emergency folder, so that a new catalog (a new
/// release) reaches the packs without waiting for an edit.
pub async fn refresh_all(store: mamori_store::Store, dir: PathBuf) {
    let orgs = match store.org_directory().await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "could not list organisations for the emergency packs");
            return;
        }
    };
    for org in orgs {
        if let Err(e) =
            mamori_web::emergency::write_pack(&store, &org, &dir, chrono::Utc::now()).await
        {
            tracing::error!(org = %org.id, error = %e, "could not write the emergency pack");
        }
    }
}
