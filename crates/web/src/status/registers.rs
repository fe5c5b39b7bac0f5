//! Where each register stands: the device ledger, the accounts review, the contact chart and
//! the registers kept as rows, as counts, figures and concerns.

use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::Lang;
use mamori_domain::accounts::{Flag, SystemAccount, flags};
use mamori_domain::ledger::{REGISTERS, Row, register, remarks};
use mamori_domain::status::{ENTRIES, LastReview, RegisterState, Remark, Unit};
use mamori_store::{LedgerRow, RegisterReview, StoredDevice};
use std::collections::HashMap;
use uuid::Uuid;

/// How long a register may go without a review (棚卸し) before it is overdue, for the device
/// ledger and the accounts review (the registers kept as rows carry their own interval).
pub const REVIEW_INTERVAL_DAYS: i64 = 365;
/// A patch older than this is flagged.
pub const PATCH_STALE_DAYS: i64 = 365;
/// Whether a device's last patch is missing or older than a year.
pub fn stale_patch(d: &StoredDevice, today: chrono::NaiveDate) -> bool {
    d.device
        .last_patch
        .is_none_or(|p| (today - p).num_days() > PATCH_STALE_DAYS)
}

pub(crate) async fn last_review(
    state: &AppState,
    org_id: Uuid,
    code: &str,
) -> Result<Option<RegisterReview>, AppError> {
    Ok(state.store.reviews(org_id, code).await?.into_iter().next())
}

/// An account with what is wrong with it.
pub struct FlaggedAccount {
    /// The system.
    pub system: String,
    /// The account.
    pub account: SystemAccount,
    /// Its flags.
    pub flags: Vec<Flag>,
}

/// Where the accounts review stands.
pub struct AccountsReview {
    /// Accounts across systems.
    pub total: usize,
    /// Systems with an imported list.
    pub systems: usize,
    /// Count per flag, in `Flag::ALL` order.
    pub counts: Vec<(Flag, usize)>,
    /// The flagged accounts.
    pub flagged: Vec<FlaggedAccount>,
    /// The last review.
    pub last_review: Option<RegisterReview>,
    /// Days without login that count as unused.
    pub unused_days: i64,
}

/// The accounts review of an organisation.
pub async fn accounts_review(state: &AppState, org_id: Uuid) -> Result<AccountsReview, AppError> {
    let last = last_review(state, org_id, "accounts").await?;
    accounts_review_with(state, org_id, last).await
}

async fn accounts_review_with(
    state: &AppState,
    org_id: Uuid,
    last_review: Option<RegisterReview>,
) -> Result<AccountsReview, AppError> {
    let systems = state.store.account_systems(org_id).await?;
    let staff = state
        .store
        .staff_list(org_id)
        .await?
        .map(|s| s.0)
        .unwrap_or_default();
    let unused_days = state.store.unused_days(org_id).await?;
    let today = mamori_domain::clock::jst_date(state.now());
    let mut counts: Vec<(Flag, usize)> = Flag::ALL.iter().map(|f| (*f, 0)).collect();
    let mut flagged = Vec::new();
    let mut total = 0;
    for s in &systems {
        for a in &s.accounts {
            total += 1;
            let fs = flags(a, &staff, today, unused_days);
            for f in &fs {
                if let Some(c) = counts.iter_mut().find(|(k, _)| k == f) {
                    c.1 += 1;
                }
            }
            if !fs.is_empty() {
                flagged.push(FlaggedAccount {
                    system: s.system.clone(),
                    account: a.clone(),
                    flags: fs,
                });
            }
        }
    }
    Ok(AccountsReview {
        total,
        systems: systems.iter().filter(|s| s.imported_at.is_some()).count(),
        counts,
        flagged,
        last_review,
        unused_days,
    })
}

// ---- where each register stands ----------------------------------------------------------

const DEVICES: Unit = Unit {
    ja: "台",
    one: "device",
    many: "devices",
};
const ACCOUNTS: Unit = Unit {
    ja: "件",
    one: "account",
    many: "accounts",
};

fn overdue(last: &Option<RegisterReview>, today: chrono::NaiveDate, days: i64) -> bool {
    last.as_ref()
        .is_none_or(|r| (today - r.reviewed_on).num_days() > days)
}

fn shown(last: Option<RegisterReview>) -> Option<LastReview> {
    last.map(|r| LastReview {
        on: r.reviewed_on,
        by: r.reviewed_by,
    })
}

/// The codes of every register, in the order the index shows them.
pub fn codes() -> impl Iterator<Item = &'static str> {
    ["devices", "accounts", "contacts"]
        .into_iter()
        .chain(REGISTERS.iter().map(|r| r.code))
}

/// The reviews and rows the registers' states are made from, read once for however many
/// registers are shown.
pub(crate) struct Sources {
    reviews: HashMap<String, RegisterReview>,
    rows: HashMap<String, Vec<Row>>,
}

fn rows_only(rows: Vec<LedgerRow>) -> Vec<Row> {
    rows.into_iter().map(|r| r.row).collect()
}

impl Sources {
    /// What one register needs.
    pub(crate) async fn one(state: &AppState, org_id: Uuid, code: &str) -> Result<Self, AppError> {
        let reviews = last_review(state, org_id, code)
            .await?
            .map(|r| (code.to_string(), r))
            .into_iter()
            .collect();
        let rows = match register(code) {
            Some(reg) => [(
                reg.code.to_string(),
                rows_only(state.store.ledger_rows(org_id, reg.code).await?),
            )]
            .into_iter()
            .collect(),
            None => HashMap::new(),
        };
        Ok(Sources { reviews, rows })
    }

    /// What every register needs: two queries.
    pub(crate) async fn all(state: &AppState, org_id: Uuid) -> Result<Self, AppError> {
        Ok(Sources {
            reviews: state.store.latest_reviews(org_id).await?,
            rows: state
                .store
                .all_ledger_rows(org_id)
                .await?
                .into_iter()
                .map(|(code, rows)| (code, rows_only(rows)))
                .collect(),
        })
    }

    fn last_review(&self, code: &str) -> Option<RegisterReview> {
        self.reviews.get(code).cloned()
    }
}

/// Where a register of an organisation stands, from these sources; none for an unknown code.
pub(crate) async fn state_of(
    state: &AppState,
    org_id: Uuid,
    code: &str,
    sources: &Sources,
) -> Result<Option<RegisterState>, AppError> {
    let today = mamori_domain::clock::jst_date(state.now());
    let out = match code {
        "devices" => {
            // Counted by the database: a large ledger is not read row by row for its figures.
            let n = state
                .store
                .device_counts(
                    org_id,
                    today,
                    today - chrono::Duration::days(PATCH_STALE_DAYS),
                )
                .await?;
            let last = sources.last_review("devices");
            let count = |n: usize, code, ja, en| (n > 0).then(|| Remark::counted(code, n, ja, en));
            RegisterState {
                code: "devices",
                ja: "機器台帳",
                en: "Device ledger",
                unit: DEVICES,
                count: n.total,
                figures: count(
                    n.internet_facing,
                    "internet_facing",
                    "インターネット接続",
                    "internet-facing:",
                )
                .into_iter()
                .collect(),
                concerns: [
                    count(
                        n.unsupported,
                        "unsupported",
                        "サポート終了",
                        "past support end:",
                    ),
                    count(
                        n.stale_patch,
                        "stale_patch",
                        "1年以上パッチ記録なし",
                        "no patch within a year:",
                    ),
                ]
                .into_iter()
                .flatten()
                .collect(),
                review_overdue: overdue(&last, today, REVIEW_INTERVAL_DAYS),
                reviewed: true,
                last_review: shown(last),
                href: "/registers/devices".into(),
            }
        }
        "accounts" => {
            let r = accounts_review_with(state, org_id, sources.last_review("accounts")).await?;
            RegisterState {
                code: "accounts",
                ja: "アカウント",
                en: "Accounts",
                unit: ACCOUNTS,
                count: r.total,
                figures: vec![Remark::counted(
                    "systems",
                    r.systems,
                    "システム",
                    "systems:",
                )],
                concerns: r
                    .counts
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(f, n)| {
                        Remark::counted(flag_code(*f), *n, f.label(Lang::Ja), f.label(Lang::En))
                    })
                    .collect(),
                review_overdue: overdue(&r.last_review, today, REVIEW_INTERVAL_DAYS),
                reviewed: true,
                last_review: shown(r.last_review),
                href: "/registers/accounts".into(),
            }
        }
        "contacts" => {
            let contacts = state.store.contacts(org_id).await?;
            let without = contacts.iter().filter(|c| c.contact.lacks_24h()).count();
            RegisterState {
                code: "contacts",
                ja: "連絡体制図",
                en: "Contact chart",
                unit: ENTRIES,
                count: contacts.len(),
                figures: vec![],
                concerns: (without > 0)
                    .then(|| {
                        Remark::counted(
                            "without_24h",
                            without,
                            "24時間連絡先なし",
                            "without a 24-hour number:",
                        )
                    })
                    .into_iter()
                    .collect(),
                // The chart is kept current by its editors rather than reviewed on a cycle.
                review_overdue: false,
                reviewed: false,
                last_review: None,
                href: "/preparedness".into(),
            }
        }
        code => {
            let Some(reg) = register(code) else {
                return Ok(None);
            };
            let rows = sources.rows.get(reg.code).map_or(&[][..], Vec::as_slice);
            let last = sources.last_review(reg.code);
            let (figures, concerns) = remarks(reg, rows, today);
            RegisterState {
                code: reg.code,
                ja: reg.ja,
                en: reg.en,
                unit: ENTRIES,
                count: rows.len(),
                figures,
                concerns,
                review_overdue: overdue(&last, today, reg.review_days),
                reviewed: true,
                last_review: shown(last),
                href: format!("/registers/{}", reg.code),
            }
        }
    };
    Ok(Some(out))
}

fn flag_code(f: Flag) -> &'static str {
    match f {
        Flag::Left => "left",
        Flag::NotOnStaffList => "not_on_staff_list",
        Flag::Unused => "unused",
        Flag::Shared => "shared",
        Flag::Admin => "admin",
    }
}

/// The ledger's devices by name, as the vulnerability matcher reads them: what an alert from
/// the sharing hub is checked against.
pub async fn device_identities(
    state: &AppState,
    org_id: Uuid,
) -> Result<Vec<(String, mamori_domain::vuln::DeviceIdentity)>, AppError> {
    Ok(state
        .store
        .devices(org_id)
        .await?
        .into_iter()
        .map(|d| (d.device.name.clone(), d.device.identity()))
        .collect())
}
