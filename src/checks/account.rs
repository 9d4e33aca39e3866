//! The `account` section: root user, administrators, contacts, MFA, passwords, keys.

use super::{Ctx, Finding, Fix, ItemDef, Outcome};
use crate::guide::msg;
use crate::inventory::{ContactType, Iam, Inventory, KeyStatus, PartId, ResourceRef, User};
use crate::plan::account as plans;
use crate::policy;

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: "account.root-access-keys",
        section: "account",
        needs: &[PartId::Identity, PartId::AccountSummary, PartId::Iam],
        cis: &["2.3"],
        check: root_access_keys,
        fix: Fix::Plan(plans::root_access_keys),
        inputs: &[],
    },
    ItemDef {
        id: "account.root-mfa",
        section: "account",
        needs: &[PartId::AccountSummary],
        cis: &["2.4", "2.5"],
        check: root_mfa,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.backup-admin",
        section: "account",
        needs: &[PartId::Iam],
        cis: &[],
        check: backup_admin,
        fix: Fix::Plan(plans::backup_admin),
        inputs: plans::BACKUP_ADMIN_INPUTS,
    },
    ItemDef {
        id: "account.alternate-contacts",
        section: "account",
        needs: &[PartId::AlternateContacts],
        cis: &["2.1", "2.2"],
        check: alternate_contacts,
        fix: Fix::Plan(plans::alternate_contacts),
        inputs: plans::CONTACT_INPUTS,
    },
    ItemDef {
        id: "account.security-questions",
        section: "account",
        needs: &[],
        cis: &[],
        check: security_questions,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.billing-access",
        section: "account",
        needs: &[],
        cis: &[],
        check: billing_access,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.console-users-mfa",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
        cis: &["2.9"],
        check: console_users_mfa,
        fix: Fix::Plan(plans::console_users_mfa),
        inputs: &[],
    },
    ItemDef {
        id: "account.mfa-policy",
        section: "account",
        needs: &[PartId::Iam],
        cis: &[],
        check: mfa_policy,
        fix: Fix::Plan(plans::mfa_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.password-policy",
        section: "account",
        needs: &[PartId::PasswordPolicy],
        cis: &["2.7", "2.8"],
        check: password_policy,
        fix: Fix::Plan(plans::password_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.stale-access-keys",
        section: "account",
        needs: &[PartId::Iam],
        cis: &["2.11", "2.13"],
        check: stale_access_keys,
        fix: Fix::Plan(plans::stale_access_keys),
        inputs: &[],
    },
];

const ROOT_KEYS: &str = "account.root-access-keys";

fn root_access_keys(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(summary), Some(iam), Some(id)) = (inv.account_summary.ready(), inv.iam.ready(), inv.identity.ready())
    else {
        return Outcome::pass(String::new());
    };
    if !summary.account_access_keys_present {
        return Outcome::pass(msg(ROOT_KEYS, "pass", &[]));
    }
    // Only a root caller can see the root user's keys.
    if id.is_root() && !iam.root_keys.is_empty() {
        let findings: Vec<Finding> = iam
            .root_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .map(|k| {
                Finding::fail(
                    ResourceRef::RootKey { key_id: k.id.clone() }.to_string(),
                    msg(ROOT_KEYS, "active_key", &[("key", &k.id)]),
                )
            })
            .collect();
        if findings.is_empty() {
            return Outcome::pass(msg(ROOT_KEYS, "all_inactive", &[]));
        }
        return Outcome::from_findings(findings, String::new(), msg(ROOT_KEYS, "fail", &[]));
    }
    Outcome::from_findings(
        vec![Finding::fail(ResourceRef::Account.to_string(), msg(ROOT_KEYS, "present", &[]))],
        String::new(),
        msg(ROOT_KEYS, "fail", &[]),
    )
}

fn root_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.root-mfa";
    match inv.account_summary.ready() {
        Some(s) if s.account_mfa_enabled => Outcome::pass(msg(ID, "pass", &[])),
        _ => Outcome::from_findings(
            vec![Finding::fail(ResourceRef::Account.to_string(), msg(ID, "finding", &[]))],
            String::new(),
            msg(ID, "fail", &[]),
        ),
    }
}

/// Does a managed policy ARN grant full admin (AdministratorAccess, or a
/// document allowing `*` on `*`)?
fn policy_is_admin(iam: &Iam, arn: &str) -> bool {
    arn == "arn:aws:iam::aws:policy/AdministratorAccess"
        || iam.policy(arn).is_some_and(|p| policy::grants_full_admin(&p.document))
}

fn user_is_admin(iam: &Iam, u: &User) -> bool {
    u.attached_policies.iter().any(|a| policy_is_admin(iam, a))
        || u.inline_policies.iter().any(|p| policy::grants_full_admin(&p.document))
        || u.groups.iter().filter_map(|g| iam.group(g)).any(|g| {
            g.attached_policies.iter().any(|a| policy_is_admin(iam, a))
                || g.inline_policies.iter().any(|p| policy::grants_full_admin(&p.document))
        })
}

/// A role people sign in to: trusted by a SAML/OIDC provider or by an AWS
/// principal, rather than by a service.
fn role_is_for_humans(trust: &serde_json::Value) -> bool {
    policy::statements(trust).into_iter().any(|s| {
        policy::effect(s) == "Allow"
            && match s.get("Principal") {
                Some(serde_json::Value::Object(p)) => p.contains_key("Federated") || p.contains_key("AWS"),
                Some(serde_json::Value::String(s)) => s == "*",
                _ => false,
            }
    })
}

/// Administrative principals: users and human-assumable roles with full admin.
pub fn administrators(iam: &Iam) -> Vec<String> {
    let mut out: Vec<String> = iam
        .users
        .iter()
        .filter(|u| user_is_admin(iam, u))
        .map(|u| ResourceRef::User { name: u.name.clone() }.to_string())
        .collect();
    out.extend(
        iam.roles
            .iter()
            .filter(|r| role_is_for_humans(&r.trust_policy))
            .filter(|r| {
                r.attached_policies.iter().any(|a| policy_is_admin(iam, a))
                    || r.inline_policies.iter().any(|p| policy::grants_full_admin(&p.document))
            })
            .map(|r| format!("role/{}", r.name)),
    );
    out
}

fn backup_admin(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.backup-admin";
    let Some(iam) = inv.iam.ready() else { return Outcome::pass(String::new()) };
    let admins = administrators(iam);
    let n = admins.len().to_string();
    let list = if admins.is_empty() { "—".to_string() } else { admins.join(", ") };
    if admins.len() >= 2 {
        Outcome::pass(msg(ID, "pass", &[("count", &n), ("admins", &list)]))
    } else {
        let key = if admins.is_empty() { "none" } else { "one" };
        Outcome::from_findings(
            vec![Finding::fail(ResourceRef::Account.to_string(), msg(ID, key, &[("admins", &list)]))],
            String::new(),
            msg(ID, "fail", &[("count", &n)]),
        )
    }
}

fn alternate_contacts(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.alternate-contacts";
    let Some(c) = inv.alternate_contacts.ready() else { return Outcome::pass(String::new()) };
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

fn guided_only(id: &str, ctx: &Ctx) -> Outcome {
    match ctx.done.get(id) {
        Some(when) => Outcome::pass(msg("guided", "marked_done", &[("date", &when.format("%Y-%m-%d").to_string())])),
        None => Outcome::from_findings(
            vec![Finding::manual(ResourceRef::Account.to_string(), msg("guided", "finding", &[]))],
            String::new(),
            msg("guided", "manual", &[]),
        ),
    }
}

fn security_questions(_: &Inventory, ctx: &Ctx) -> Outcome {
    guided_only("account.security-questions", ctx)
}

fn billing_access(_: &Inventory, ctx: &Ctx) -> Outcome {
    guided_only("account.billing-access", ctx)
}

/// Users who can sign in to the console.
fn console_users(inv: &Inventory) -> Vec<&crate::inventory::CredentialReportRow> {
    inv.credential_report
        .ready()
        .map(|rows| rows.iter().filter(|r| !r.is_root() && r.password_enabled).collect())
        .unwrap_or_default()
}

/// Groups whose attached or inline policies enforce MFA.
pub fn mfa_groups(iam: &Iam) -> Vec<&str> {
    iam.groups
        .iter()
        .filter(|g| {
            g.attached_policies
                .iter()
                .filter_map(|a| iam.policy(a))
                .any(|p| policy::enforces_mfa(&p.document))
                || g.inline_policies.iter().any(|p| policy::enforces_mfa(&p.document))
        })
        .map(|g| g.name.as_str())
        .collect()
}

fn console_users_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.console-users-mfa";
    let Some(iam) = inv.iam.ready() else { return Outcome::pass(String::new()) };
    let enforcing = mfa_groups(iam);
    let users = console_users(inv);
    let findings: Vec<Finding> = users
        .iter()
        .filter(|r| !r.mfa_active && iam.user(&r.user).is_none_or(|u| u.mfa_devices.is_empty()))
        .map(|r| {
            let enforced = iam
                .user(&r.user)
                .and_then(|u| u.groups.iter().find(|g| enforcing.contains(&g.as_str())));
            let detail = match enforced {
                Some(g) => msg(ID, "pending", &[("user", &r.user), ("group", g)]),
                None => msg(ID, "no_mfa", &[("user", &r.user)]),
            };
            Finding::fail(ResourceRef::User { name: r.user.clone() }.to_string(), detail)
        })
        .collect();
    let n = users.len().to_string();
    let bad = findings.len().to_string();
    Outcome::from_findings(findings, msg(ID, "pass", &[("count", &n)]), msg(ID, "fail", &[("count", &bad)]))
}

fn mfa_policy(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.mfa-policy";
    let Some(iam) = inv.iam.ready() else { return Outcome::pass(String::new()) };
    let groups = mfa_groups(iam);
    if groups.is_empty() {
        Outcome::from_findings(
            vec![Finding::fail(ResourceRef::Account.to_string(), msg(ID, "none", &[]))],
            String::new(),
            msg(ID, "fail", &[]),
        )
    } else {
        Outcome::pass(msg(ID, "pass", &[("groups", &groups.join(", "))]))
    }
}

fn password_policy(inv: &Inventory, ctx: &Ctx) -> Outcome {
    const ID: &str = "account.password-policy";
    let Some(p) = inv.password_policy.ready() else { return Outcome::pass(String::new()) };
    let min = ctx.settings.password_min_length.to_string();
    let reuse = ctx.settings.password_reuse_prevention.to_string();
    let r = ResourceRef::PasswordPolicy.to_string();
    let findings = match p {
        None => vec![Finding::fail(r, msg(ID, "none", &[]))],
        Some(p) => {
            let mut f = vec![];
            if p.minimum_password_length < ctx.settings.password_min_length {
                let have = p.minimum_password_length.to_string();
                f.push(Finding::fail(&r, msg(ID, "short", &[("have", &have), ("want", &min)])));
            }
            if p.password_reuse_prevention.unwrap_or(0) < ctx.settings.password_reuse_prevention {
                let have = p.password_reuse_prevention.unwrap_or(0).to_string();
                f.push(Finding::fail(&r, msg(ID, "reuse", &[("have", &have), ("want", &reuse)])));
            }
            f
        }
    };
    Outcome::from_findings(findings, msg(ID, "pass", &[("min", &min), ("reuse", &reuse)]), msg(ID, "fail", &[]))
}

/// Why an active key is stale, if it is.
pub fn key_staleness(k: &crate::inventory::AccessKey, ctx: &Ctx) -> Option<String> {
    const ID: &str = "account.stale-access-keys";
    if k.status != KeyStatus::Active {
        return None;
    }
    let age = (ctx.now - k.created).num_days();
    let unused = ctx.settings.key_unused_days;
    match k.last_used {
        Some(t) if (ctx.now - t).num_days() >= unused => {
            let days = (ctx.now - t).num_days().to_string();
            return Some(msg(ID, "unused", &[("key", &k.id), ("days", &days)]));
        }
        None if age >= unused => {
            let days = age.to_string();
            return Some(msg(ID, "never_used", &[("key", &k.id), ("days", &days)]));
        }
        _ => {}
    }
    if age >= ctx.settings.key_max_age_days {
        let days = age.to_string();
        return Some(msg(ID, "old", &[("key", &k.id), ("days", &days)]));
    }
    None
}

fn stale_access_keys(inv: &Inventory, ctx: &Ctx) -> Outcome {
    const ID: &str = "account.stale-access-keys";
    let Some(iam) = inv.iam.ready() else { return Outcome::pass(String::new()) };
    let findings: Vec<Finding> = iam
        .users
        .iter()
        .flat_map(|u| u.access_keys.iter().map(move |k| (u, k)))
        .filter_map(|(u, k)| {
            key_staleness(k, ctx).map(|why| {
                Finding::fail(
                    ResourceRef::AccessKey { user: u.name.clone(), key_id: k.id.clone() }.to_string(),
                    why,
                )
            })
        })
        .collect();
    let n = findings.len().to_string();
    let days = ctx.settings.key_unused_days.to_string();
    let age = ctx.settings.key_max_age_days.to_string();
    Outcome::from_findings(
        findings,
        msg(ID, "pass", &[("days", &days), ("age", &age)]),
        msg(ID, "fail", &[("count", &n)]),
    )
}
