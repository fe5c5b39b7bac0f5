//! Roles inside an organisation, as the guideline names them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role a user holds in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 経営層: executives who decide, instruct and supervise.
    Executive,
    /// 医療情報システム安全管理責任者: directly runs security management.
    SecurityManager,
    /// 企画管理者: plans and administers rules and controls.
    Planner,
    /// システム運用担当者: IT staff who operate the systems.
    SystemOperator,
    /// 職員: every staff member.
    Staff,
    /// 管理者: manages the organisation's accounts in mamori.
    Admin,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 6] = [
        Role::Executive,
        Role::SecurityManager,
        Role::Planner,
        Role::SystemOperator,
        Role::Staff,
        Role::Admin,
    ];

    /// The stable code used in storage, forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Executive => "executive",
            Role::SecurityManager => "security_manager",
            Role::Planner => "planner",
            Role::SystemOperator => "system_operator",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// The Japanese name.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Executive => "経営層",
            Role::SecurityManager => "医療情報システム安全管理責任者",
            Role::Planner => "企画管理者",
            Role::SystemOperator => "システム運用担当者",
            Role::Staff => "職員",
            Role::Admin => "管理者",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Executive => "Executive",
            Role::SecurityManager => "Security manager",
            Role::Planner => "Planning manager",
            Role::SystemOperator => "System operator",
            Role::Staff => "Staff",
            Role::Admin => "Administrator",
        }
    }

    /// The name in a language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(self.label_ja(), self.label_en())
    }
}

/// The set of roles one user holds; never empty once validated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoleSet(BTreeSet<Role>);

impl RoleSet {
    /// A set from the given roles.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> RoleSet {
        RoleSet(roles.into_iter().collect())
    }

    /// Whether the set holds a role.
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The roles in display order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The storage form: codes joined by commas, in a stable order.
    pub fn to_codes(&self) -> String {
        self.0
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses the storage form; unknown codes are an error naming the code.
    pub fn from_codes(codes: &str) -> Result<RoleSet, String> {
        codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| Role::from_code(c).ok_or_else(|| c.to_string()))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(RoleSet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_in_stable_order() {
        let set = RoleSet::new([Role::Admin, Role::Executive]);
        assert_eq!(set.to_codes(), "executive,admin");
        assert_eq!(RoleSet::from_codes("admin, executive"), Ok(set));
        assert_eq!(RoleSet::from_codes("admin,boss"), Err("boss".to_string()));
    }
}
