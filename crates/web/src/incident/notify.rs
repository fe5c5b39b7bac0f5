//! Telling the on-call roles of a new anomaly report by e-mail, through the outbox.

use crate::core::state::AppState;
use mamori_domain::clock::format_jst;
use mamori_domain::role::Role;
use mamori_store::{AnomalyReport, Organisation, Store};

/// The people told of a new anomaly report: security managers and system operators (the on-call
/// roles of the BCP materials), active accounts only.
async fn on_call(
    store: &Store,
    org: &Organisation,
) -> Result<Vec<String>, mamori_store::StoreError> {
    Ok(store
        .users(org.id)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.password_hash.is_some())
        .filter(|u| u.roles.has(Role::SecurityManager) || u.roles.has(Role::SystemOperator))
        .map(|u| u.email)
        .collect())
}

/// Queues the notice of a new anomaly report and wakes the worker. Failures are logged: the
/// report is stored and on the dashboard whatever happens to the mail.
pub async fn anomaly_reported(state: &AppState, org: &Organisation, r: &AnomalyReport) {
    if state.config.mail.is_none() {
        return;
    }
    let result = async {
        let to = on_call(&state.store, org).await?;
        let subject = format!("[mamori] 異常の報告 #{} / Anomaly report — {}", r.number, org.profile.name);
        let link = format!(
            "{}/reports/{}",
            state.config.public_url.trim_end_matches('/'),
            r.id
        );
        let body = format!(
            "異常の報告がありました。トリアージしてください。\nA staff member reported an anomaly. Please triage it.\n\n\
             内容 / What: {}\n場所 / Where: {}\n機器 / Device: {}\n気づいた日時 / Noticed: {}\n報告者 / Reporter: {}\n\n{link}\n",
            r.anomaly.what,
            r.anomaly.place,
            r.anomaly.device,
            format_jst(r.anomaly.noticed_at),
            r.reported_by,
        );
        state.store.queue_mail(org.id, &to, &subject, &body, state.now()).await
    }
    .await;
    match result {
        Ok(()) => state.mail_wake.notify_one(),
        Err(e) => {
            tracing::error!(report = %r.id, error = %e, "could not queue the notification mail")
        }
    }
}
