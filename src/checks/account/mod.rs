//! The `account` section: root user, administrators, contacts, MFA, passwords, keys.

pub mod fix;

mod administrators;
mod central_root;
mod console_mfa;
mod credentials;
mod root;
use super::kit::guided_only;
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    ContactType, CredentialReportRow, Iam, InlinePolicy, Inventory, KeyStatus, PartId, ResourceRef,
    Role, User, is_aws_managed_policy,
};
use crate::guide::msg;
use crate::policy;
pub use administrators::*;
use central_root::*;
pub use console_mfa::*;
pub use credentials::*;
use root::*;

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: "account.root-access-keys",
        section: "account",
        needs: &[
            PartId::Identity,
            PartId::AccountSummary,
            PartId::Iam,
            PartId::RootAccess,
        ],
        cis: &["2.3"],
        security_hub: &["IAM.4"],
        check: root_access_keys,
        fix: Fix::Plan(fix::root_access_keys),
        inputs: &[],
    },
    ItemDef {
        id: "account.root-mfa",
        section: "account",
        needs: &[PartId::AccountSummary, PartId::Iam, PartId::RootAccess],
        cis: &["2.4", "2.5"],
        security_hub: &["IAM.9", "IAM.6"],
        check: root_mfa,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: CENTRAL_ROOT,
        section: "account",
        needs: &[PartId::RootAccess],
        cis: &[],
        security_hub: &[],
        check: central_root_access,
        fix: Fix::Plan(central_root_access_plan),
        inputs: &[],
    },
    ItemDef {
        id: "account.backup-admin",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
        cis: &[],
        security_hub: &[],
        check: backup_admin,
        fix: Fix::Plan(fix::backup_admin),
        inputs: fix::BACKUP_ADMIN_INPUTS,
    },
    ItemDef {
        id: "account.alternate-contacts",
        section: "account",
        needs: &[PartId::AlternateContacts],
        cis: &["2.1", "2.2"],
        security_hub: &["Account.1"],
        check: alternate_contacts,
        fix: Fix::Plan(fix::alternate_contacts),
        inputs: fix::CONTACT_INPUTS,
    },
    ItemDef {
        id: "account.security-questions",
        section: "account",
        needs: &[],
        cis: &[],
        security_hub: &[],
        check: security_questions,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.billing-access",
        section: "account",
        needs: &[],
        cis: &[],
        security_hub: &[],
        check: billing_access,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.console-users-mfa",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
        cis: &["2.9"],
        security_hub: &["IAM.5"],
        check: console_users_mfa,
        fix: Fix::Plan(fix::console_users_mfa),
        inputs: &[],
    },
    ItemDef {
        id: "account.mfa-policy",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
        cis: &[],
        security_hub: &[],
        check: mfa_policy,
        fix: Fix::Plan(fix::mfa_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.password-policy",
        section: "account",
        needs: &[PartId::PasswordPolicy],
        cis: &["2.7", "2.8"],
        security_hub: &["IAM.15", "IAM.16"],
        check: password_policy,
        fix: Fix::Plan(fix::password_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.stale-access-keys",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
        cis: &["2.11", "2.13"],
        security_hub: &["IAM.3", "IAM.22"],
        check: stale_access_keys,
        fix: Fix::Plan(fix::stale_access_keys),
        inputs: &[],
    },
];

fn alternate_contacts(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.alternate-contacts";
    let Some(c) = inv.alternate_contacts.ready() else {
        return Outcome::pass(String::new());
    };
    let findings = ContactType::ALL
        .into_iter()
        .filter(|t| !c.contacts.contains_key(t))
        .map(|t| {
            Finding::fail(
                ResourceRef::AlternateContact(t).to_string(),
                msg(ID, "missing", &[("type", &t.as_str().to_lowercase())]),
            )
        })
        .collect();
    Outcome::from_findings(findings, msg(ID, "pass", &[]), msg(ID, "fail", &[]))
}

fn security_questions(_: &Inventory, ctx: &Ctx) -> Outcome {
    guided_only("account.security-questions", ctx)
}

fn billing_access(_: &Inventory, ctx: &Ctx) -> Outcome {
    guided_only("account.billing-access", ctx)
}
#[cfg(test)]
mod central_root_tests;
#[cfg(test)]
mod item_tests;
