//! What the sharing hub may show of an incident: its number and title, and the indicator values
//! (addresses, domains, URLs, hashes, e-mail addresses) written in its timeline, to offer when
//! sharing from it.

use crate::core::error::AppError;
use crate::core::state::AppState;
use uuid::Uuid;

/// An incident as something to share from.
#[derive(Debug, Clone)]
pub struct IncidentToShare {
    /// Its id.
    pub id: Uuid,
    /// Its number in the organisation.
    pub number: i64,
    /// Its title.
    pub title: String,
}

/// The organisation's incidents, newest first.
pub async fn incidents_to_share(
    state: &AppState,
    org_id: Uuid,
) -> Result<Vec<IncidentToShare>, AppError> {
    Ok(state
        .store
        .incidents(org_id)
        .await?
        .into_iter()
        .map(|i| IncidentToShare {
            id: i.id,
            number: i.number,
            title: i.facts.title,
        })
        .collect())
}

/// One incident, and the indicator values its timeline names, each once, in order.
pub async fn incident_values(
    state: &AppState,
    org_id: Uuid,
    id: Uuid,
) -> Result<(IncidentToShare, Vec<String>), AppError> {
    let i = state.store.incident(org_id, id).await?;
    let timeline = state.store.incident_timeline(org_id, id).await?;
    let mut values: Vec<String> = Vec::new();
    for e in &timeline {
        for token in e
            .text
            .split(|c: char| c.is_whitespace() || "、。,;()（）「」\"'<>".contains(c))
            .chain(
                e.detail
                    .split(|c: char| c.is_whitespace() || ",;\"'".contains(c)),
            )
        {
            let t = token.trim_end_matches(['.', ':']);
            if let Some(kind) = stix::value::guess(t) {
                let v = stix::value::normalise(kind, t);
                if !values.contains(&v) {
                    values.push(v);
                }
            }
        }
    }
    Ok((
        IncidentToShare {
            id: i.id,
            number: i.number,
            title: i.facts.title,
        },
        values,
    ))
}
