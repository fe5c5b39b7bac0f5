//! The emergency pack (緊急時対応パック): one self-contained HTML file with the contact chart, the
//! incident phases and tasks, and the recovery procedures per system. It needs no network and no
//! server, so it can be opened from a shared folder or printed while the systems are down. It is
//! rewritten whenever the chart or the procedures change.

use askama::Template;
use mamori_domain::Lang;
use mamori_domain::clock::format_jst;
use mamori_domain::incident::task_role_label;
use mamori_domain::preparedness::ContactGroup;
use mamori_store::{Organisation, Store, StoredContact, StoredProcedure};
use std::path::{Path, PathBuf};

/// Why a pack could not be made.
pub type PackError = Box<dyn std::error::Error + Send + Sync>;

/// Contacts of one group of the chart.
pub struct ChartGroup {
    /// Group label (Japanese: the pack is for the institution's staff).
    pub label: &'static str,
    /// Its contacts in order.
    pub contacts: Vec<StoredContact>,
}

/// The contact chart grouped for display: internal, vendors, external bodies.
pub fn chart_groups(contacts: Vec<StoredContact>, lang: Lang) -> Vec<ChartGroup> {
    ContactGroup::ALL
        .iter()
        .map(|g| ChartGroup {
            label: g.label(lang),
            contacts: contacts
                .iter()
                .filter(|c| c.contact.group() == *g)
                .cloned()
                .collect(),
        })
        .collect()
}

/// A phase with its tasks, for the pack.
pub struct PackPhase {
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// (role, task, guidance).
    pub tasks: Vec<(&'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "emergency_pack.html")]
struct Pack<'a> {
    org: &'a Organisation,
    generated: String,
    groups: Vec<ChartGroup>,
    phases: Vec<PackPhase>,
    procedures: Vec<StoredProcedure>,
    css: &'static str,
}

/// The pack of an organisation as one HTML document.
pub async fn pack_html(
    store: &Store,
    org: &Organisation,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, PackError> {
    let cat =
        mamori_catalog::catalog().map_err(|e| format!("catalog invalid: {} faults", e.len()))?;
    let mut phases: Vec<_> = cat.phases.values().collect();
    phases.sort_by_key(|p| p.order);
    let phases = phases
        .into_iter()
        .map(|p| PackPhase {
            name: p.name_ja.clone(),
            purpose: p.purpose_ja.clone(),
            tasks: cat
                .phase_tasks(&p.id)
                .into_iter()
                .map(|t| {
                    (
                        task_role_label(&t.role, Lang::Ja),
                        t.text_ja.clone(),
                        t.guidance_ja.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    let pack = Pack {
        org,
        generated: format_jst(now),
        groups: chart_groups(store.contacts(org.id).await?, Lang::Ja),
        phases,
        procedures: store.recovery_procedures(org.id).await?,
        css: include_str!("../../static/pack.css"),
    };
    Ok(pack.render()?)
}

/// Where an organisation's pack is kept in the emergency folder.
pub fn pack_path(dir: &Path, org: &Organisation) -> PathBuf {
    dir.join(format!("emergency-pack-{}.html", org.id))
}

/// Writes the pack to the emergency folder (atomically: a half-written pack is worse than an old one).
pub async fn write_pack(
    store: &Store,
    org: &Organisation,
    dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PathBuf, PackError> {
    let html = pack_html(store, org, now).await?;
    std::fs::create_dir_all(dir)?;
    let path = pack_path(dir, org);
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, html)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
