//! Who may do what: the one place where authorisation is decided.

use crate::org::OrgKind;
use crate::role::{Role, RoleSet};
use uuid::Uuid;

/// The signed-in user on whose behalf a request acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: Uuid,
    /// The user's one organisation; every tenant query is scoped by it.
    pub org_id: Uuid,
    /// The organisation's kind.
    pub org_kind: OrgKind,
    /// Whether the organisation is this installation's home (the one created at setup), whose
    /// administrators register other organisations.
    pub home_org: bool,
    /// The user's roles.
    pub roles: RoleSet,
    /// How the user is shown in the audit trail.
    pub label: String,
}

coded! {
    /// Something a user may be allowed to do. The codes name the permission in the API document
    /// (the scopes of an operation's security requirement).
    Permission {
        /// See one's own dashboard and profile, manage one's own password, 2FA and tokens.
        UseOwnAccount = "use_own_account", "自分のアカウントの利用", "Use one's own account";
        /// Invite users, change roles, disable and unlock accounts in one's own organisation.
        ManageUsers = "manage_users", "利用者の管理", "Manage users";
        /// Edit one's own organisation's profile.
        EditOwnOrganisation = "edit_own_organisation", "組織情報の編集", "Edit the organisation";
        /// Register other organisations in this installation and list them.
        RegisterOrganisations = "register_organisations", "組織の登録", "Register organisations";
        /// Read one's own organisation's audit trail.
        ViewAudit = "view_audit", "監査ログの閲覧", "Read the audit trail";
        /// See the organisation's self-assessments and their results.
        ViewAssessments = "view_assessments", "自己点検の閲覧", "See self-assessments";
        /// Start self-assessments and answer them.
        AnswerAssessments = "answer_assessments", "自己点検の回答", "Answer self-assessments";
        /// Report an anomaly (異常の報告): every staff member.
        ReportAnomalies = "report_anomalies", "異常の報告", "Report anomalies";
        /// See incidents, anomaly reports and their documents.
        ViewIncidents = "view_incidents", "インシデントの閲覧", "See incidents";
        /// Triage reports and run incidents: facts, tasks, duties, timeline, documents.
        HandleIncidents = "handle_incidents", "インシデント対応", "Handle incidents";
        /// Keep the contact chart and the recovery procedures.
        ManagePreparedness = "manage_preparedness", "連絡体制・復旧手順の管理", "Keep the contact chart and procedures";
        /// See the registers (device ledger, vulnerability findings).
        ViewRegisters = "view_registers", "台帳の閲覧", "See the registers";
        /// Keep the registers: edit, import, review, decide on findings.
        ManageRegisters = "manage_registers", "台帳の管理", "Keep the registers";
        /// Read the sharing hub: the collections the organisation reaches and what they hold.
        ViewSharing = "view_sharing", "共有情報の閲覧", "Read shared threat information";
        /// Share indicators, reports and sightings into a collection the organisation may write.
        ShareThreatInformation = "share_threat_information", "脅威情報の共有", "Share threat information";
        /// Keep the organisation's collections: make them, grant other organisations.
        ManageCollections = "manage_collections", "共有コレクションの管理", "Keep collections";
        /// An authority's view of its jurisdiction: roster, submissions, figures.
        ViewOversight = "view_oversight", "所管の監督情報の閲覧", "See the jurisdiction's oversight";
        /// Keep an authority's jurisdiction and roster.
        ManageOversight = "manage_oversight", "所管・名簿の管理", "Keep the jurisdiction and roster";
        /// Submit the institution's checklist to its authority.
        SubmitChecklist = "submit_checklist", "チェックリストの提出", "Submit the checklist";
    }
}

impl Actor {
    /// Whether the actor holds a permission.
    pub fn can(&self, permission: Permission) -> bool {
        let r = &self.roles;
        match permission {
            Permission::UseOwnAccount | Permission::ReportAnomalies => true,
            Permission::ManageUsers | Permission::EditOwnOrganisation => r.has(Role::Admin),
            Permission::RegisterOrganisations => self.home_org && r.has(Role::Admin),
            Permission::ViewAudit => {
                r.has(Role::Admin) || r.has(Role::SecurityManager) || r.has(Role::Executive)
            }
            Permission::ViewAssessments | Permission::ViewRegisters => {
                self.can(Permission::AnswerAssessments) || r.has(Role::Executive)
            }
            Permission::AnswerAssessments
            | Permission::ManagePreparedness
            | Permission::ManageRegisters => {
                r.has(Role::SecurityManager)
                    || r.has(Role::Planner)
                    || r.has(Role::SystemOperator)
                    || r.has(Role::Admin)
            }
            // The people the BCP materials give incident roles to: 経営層 decides, 安全管理責任者
            // leads, システム運用担当者 acts.
            Permission::HandleIncidents => {
                r.has(Role::SecurityManager)
                    || r.has(Role::SystemOperator)
                    || r.has(Role::Executive)
            }
            Permission::ViewIncidents => {
                self.can(Permission::HandleIncidents) || r.has(Role::Planner) || r.has(Role::Admin)
            }
            // Threat information is for those who defend: everyone but staff without a security
            // role reads it; those who run incidents share it; the security manager and the
            // administrator keep the collections.
            Permission::ViewSharing => {
                self.can(Permission::ShareThreatInformation)
                    || r.has(Role::Planner)
                    || r.has(Role::Admin)
                    || r.has(Role::Executive)
            }
            Permission::ShareThreatInformation => {
                r.has(Role::SecurityManager) || r.has(Role::SystemOperator)
            }
            Permission::ManageCollections => r.has(Role::SecurityManager) || r.has(Role::Admin),
            // Oversight is the work of authorities (自治体, 運営) only; an institution submits.
            Permission::ViewOversight => {
                self.is_authority()
                    && (r.has(Role::SecurityManager)
                        || r.has(Role::Admin)
                        || r.has(Role::Executive)
                        || r.has(Role::Planner))
            }
            Permission::ManageOversight => {
                self.is_authority() && (r.has(Role::SecurityManager) || r.has(Role::Admin))
            }
            Permission::SubmitChecklist => {
                self.org_kind == OrgKind::Institution
                    && (r.has(Role::SecurityManager) || r.has(Role::Admin))
            }
        }
    }

    /// Whether the actor's organisation oversees others: a local government (都道府県, 保健所) or
    /// an operator (MHLW, an ISAC).
    pub fn is_authority(&self) -> bool {
        matches!(self.org_kind, OrgKind::Municipality | OrgKind::Operator)
    }

    /// Whether the actor may act on data of organisation `org_id` with a permission: only within
    /// the actor's own organisation.
    pub fn can_in(&self, org_id: Uuid, permission: Permission) -> bool {
        self.org_id == org_id && self.can(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role], home: bool) -> Actor {
        Actor {
            user_id: Uuid::new_v4(),
            org_id: Uuid::new_v4(),
            org_kind: OrgKind::Institution,
            home_org: home,
            roles: RoleSet::new(roles.iter().copied()),
            label: "a@example.jp".into(),
        }
    }

    #[test]
    fn staff_use_only_their_own_account() {
        let a = actor(&[Role::Staff], true);
        let allowed: Vec<_> = Permission::ALL
            .iter()
            .copied()
            .filter(|p| a.can(*p))
            .collect();
        assert_eq!(
            allowed,
            vec![Permission::UseOwnAccount, Permission::ReportAnomalies]
        );
    }

    #[test]
    fn only_home_administrators_register_organisations() {
        assert!(actor(&[Role::Admin], true).can(Permission::RegisterOrganisations));
        assert!(!actor(&[Role::Admin], false).can(Permission::RegisterOrganisations));
    }

    #[test]
    fn no_permission_reaches_another_organisation() {
        for kind in [OrgKind::Institution, OrgKind::Municipality] {
            let a = Actor {
                org_kind: kind,
                ..actor(&Role::ALL, true)
            };
            for p in Permission::ALL.iter().copied().filter(|p| a.can(*p)) {
                assert!(a.can_in(a.org_id, p));
                assert!(!a.can_in(Uuid::new_v4(), p));
            }
        }
    }

    #[test]
    fn authorities_oversee_and_institutions_submit() {
        let of = |kind| Actor {
            org_kind: kind,
            ..actor(&[Role::SecurityManager], false)
        };
        let prefecture = of(OrgKind::Municipality);
        assert!(prefecture.can(Permission::ViewOversight));
        assert!(prefecture.can(Permission::ManageOversight));
        assert!(!prefecture.can(Permission::SubmitChecklist));
        let hospital = of(OrgKind::Institution);
        assert!(hospital.can(Permission::SubmitChecklist));
        assert!(!hospital.can(Permission::ViewOversight));
        assert!(!of(OrgKind::Vendor).can(Permission::SubmitChecklist));
        assert!(of(OrgKind::Operator).can(Permission::ViewOversight));
    }
}
