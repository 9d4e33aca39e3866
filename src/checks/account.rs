//! The `account` section: root user, administrators, contacts, MFA, passwords, keys.

use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
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
        security_hub: &["IAM.4"],
        check: root_access_keys,
        fix: Fix::Plan(plans::root_access_keys),
        inputs: &[],
    },
    ItemDef {
        id: "account.root-mfa",
        section: "account",
        needs: &[PartId::AccountSummary],
        cis: &["2.4", "2.5"],
        security_hub: &["IAM.9", "IAM.6"],
        check: root_mfa,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.backup-admin",
        section: "account",
        needs: &[PartId::Iam],
        cis: &[],
        security_hub: &[],
        check: backup_admin,
        fix: Fix::Plan(plans::backup_admin),
        inputs: plans::BACKUP_ADMIN_INPUTS,
    },
    ItemDef {
        id: "account.alternate-contacts",
        section: "account",
        needs: &[PartId::AlternateContacts],
        cis: &["2.1", "2.2"],
        security_hub: &["Account.1"],
        check: alternate_contacts,
        fix: Fix::Plan(plans::alternate_contacts),
        inputs: plans::CONTACT_INPUTS,
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
        fix: Fix::Plan(plans::console_users_mfa),
        inputs: &[],
    },
    ItemDef {
        id: "account.mfa-policy",
        section: "account",
        needs: &[PartId::Iam],
        cis: &[],
        security_hub: &[],
        check: mfa_policy,
        fix: Fix::Plan(plans::mfa_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.password-policy",
        section: "account",
        needs: &[PartId::PasswordPolicy],
        cis: &["2.7", "2.8"],
        security_hub: &["IAM.15", "IAM.16"],
        check: password_policy,
        fix: Fix::Plan(plans::password_policy),
        inputs: &[],
    },
    ItemDef {
        id: "account.stale-access-keys",
        section: "account",
        needs: &[PartId::Iam],
        cis: &["2.11", "2.13"],
        security_hub: &["IAM.3", "IAM.22"],
        check: stale_access_keys,
        fix: Fix::Plan(plans::stale_access_keys),
        inputs: &[],
    },
];

const ROOT_KEYS: &str = "account.root-access-keys";

fn root_access_keys(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(summary), Some(iam), Some(id)) = (
        inv.account_summary.ready(),
        inv.iam.ready(),
        inv.identity.ready(),
    ) else {
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
                    ResourceRef::RootKey {
                        key_id: k.id.clone(),
                    }
                    .to_string(),
                    msg(ROOT_KEYS, "active_key", &[("key", &k.id)]),
                )
            })
            .collect();
        if findings.is_empty() {
            // Deactivated keys still exist (CIS 2.3 wants none): deleting them
            // is left to the user, once nothing needs them.
            let findings = iam
                .root_keys
                .iter()
                .map(|k| {
                    Finding::fail(
                        ResourceRef::RootKey {
                            key_id: k.id.clone(),
                        }
                        .to_string(),
                        msg(ROOT_KEYS, "inactive_key", &[("key", &k.id)]),
                    )
                })
                .collect();
            return Outcome::from_findings(
                findings,
                String::new(),
                msg(ROOT_KEYS, "all_inactive", &[]),
            );
        }
        return Outcome::from_findings(findings, String::new(), msg(ROOT_KEYS, "fail", &[]));
    }
    Outcome::from_findings(
        vec![Finding::fail(
            ResourceRef::Account.to_string(),
            msg(ROOT_KEYS, "present", &[]),
        )],
        String::new(),
        msg(ROOT_KEYS, "fail", &[]),
    )
}

fn root_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.root-mfa";
    match inv.account_summary.ready() {
        Some(s) if s.account_mfa_enabled => Outcome::pass(msg(ID, "pass", &[])),
        _ => Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                msg(ID, "finding", &[]),
            )],
            String::new(),
            msg(ID, "fail", &[]),
        ),
    }
}

/// Does a managed policy ARN grant full admin (AdministratorAccess, or a
/// document allowing `*` on `*`)?
fn policy_is_admin(iam: &Iam, arn: &str) -> bool {
    arn == "arn:aws:iam::aws:policy/AdministratorAccess"
        || iam
            .policy(arn)
            .is_some_and(|p| policy::grants_full_admin(&p.document))
}

fn user_is_admin(iam: &Iam, u: &User) -> bool {
    u.attached_policies.iter().any(|a| policy_is_admin(iam, a))
        || u.inline_policies
            .iter()
            .any(|p| policy::grants_full_admin(&p.document))
        || u.groups.iter().filter_map(|g| iam.group(g)).any(|g| {
            g.attached_policies.iter().any(|a| policy_is_admin(iam, a))
                || g.inline_policies
                    .iter()
                    .any(|p| policy::grants_full_admin(&p.document))
        })
}

/// A role people sign in to: trusted by a SAML/OIDC provider or by an AWS
/// principal, rather than by a service.
fn role_is_for_humans(trust: &serde_json::Value) -> bool {
    policy::statements(trust).into_iter().any(|s| {
        policy::effect(s) == "Allow"
            && match s.get("Principal") {
                Some(serde_json::Value::Object(p)) => {
                    p.contains_key("Federated") || p.contains_key("AWS")
                }
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
        .map(|u| {
            ResourceRef::User {
                name: u.name.clone(),
            }
            .to_string()
        })
        .collect();
    out.extend(
        iam.roles
            .iter()
            .filter(|r| role_is_for_humans(&r.trust_policy))
            .filter(|r| {
                r.attached_policies.iter().any(|a| policy_is_admin(iam, a))
                    || r.inline_policies
                        .iter()
                        .any(|p| policy::grants_full_admin(&p.document))
            })
            .map(|r| format!("role/{}", r.name)),
    );
    out
}

fn backup_admin(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.backup-admin";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let admins = administrators(iam);
    let n = admins.len().to_string();
    let list = if admins.is_empty() {
        "—".to_string()
    } else {
        admins.join(", ")
    };
    if admins.len() >= 2 {
        Outcome::pass(msg(ID, "pass", &[("count", &n), ("admins", &list)]))
    } else {
        let key = if admins.is_empty() { "none" } else { "one" };
        Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                msg(ID, key, &[("admins", &list)]),
            )],
            String::new(),
            msg(ID, "fail", &[("count", &n)]),
        )
    }
}

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

fn guided_only(id: &str, ctx: &Ctx) -> Outcome {
    match ctx.done.get(id) {
        Some(when) => Outcome::pass(msg(
            "guided",
            "marked_done",
            &[("date", &when.format("%Y-%m-%d").to_string())],
        )),
        None => Outcome::from_findings(
            vec![Finding::manual(
                ResourceRef::Account.to_string(),
                msg("guided", "finding", &[]),
            )],
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
        .map(|rows| {
            rows.iter()
                .filter(|r| !r.is_root() && r.password_enabled)
                .collect()
        })
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
                || g.inline_policies
                    .iter()
                    .any(|p| policy::enforces_mfa(&p.document))
        })
        .map(|g| g.name.as_str())
        .collect()
}

fn console_users_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.console-users-mfa";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let enforcing = mfa_groups(iam);
    let users = console_users(inv);
    let without_mfa: Vec<&crate::inventory::CredentialReportRow> = users
        .iter()
        .copied()
        .filter(|r| !r.mfa_active && iam.user(&r.user).is_none_or(|u| u.mfa_devices.is_empty()))
        .collect();
    // A user whose devices could not be read may have enrolled one since the
    // credential report was made: unknown, not failing.
    let (unknown, without_mfa): (Vec<_>, Vec<_>) = without_mfa
        .into_iter()
        .partition(|r| iam.user(&r.user).is_some_and(|u| u.unreadable.is_some()));
    let errors: Vec<Finding> = unknown
        .iter()
        .filter_map(|r| iam.user(&r.user))
        .filter_map(unreadable_user)
        .collect();
    let findings: Vec<Finding> = without_mfa
        .iter()
        .map(|r| {
            let enforced = iam
                .user(&r.user)
                .and_then(|u| u.groups.iter().find(|g| enforcing.contains(&g.as_str())));
            let detail = match enforced {
                Some(g) => msg(ID, "pending", &[("user", &r.user), ("group", g)]),
                None => msg(ID, "no_mfa", &[("user", &r.user)]),
            };
            Finding::fail(
                ResourceRef::User {
                    name: r.user.clone(),
                }
                .to_string(),
                detail,
            )
        })
        .collect();
    let n = users.len().to_string();
    let bad = findings.len().to_string();
    with_user_errors(
        Outcome::from_findings(
            findings,
            msg(ID, "pass", &[("count", &n)]),
            msg(ID, "fail", &[("count", &bad)]),
        ),
        errors,
    )
}

/// The finding for a user whose own reads (keys, MFA devices) failed.
fn unreadable_user(u: &User) -> Option<Finding> {
    let e = u.unreadable.as_ref()?;
    Some(Finding {
        resource: ResourceRef::User {
            name: u.name.clone(),
        }
        .to_string(),
        region: None,
        status: Status::Error,
        detail: msg(
            "users",
            "unreadable",
            &[("user", &u.name), ("error", &e.summary())],
        ),
    })
}

/// `outcome` with the findings of users that could not be read: still
/// `fail` when something fails; else `error` when a user could not be read.
fn with_user_errors(mut outcome: Outcome, errors: Vec<Finding>) -> Outcome {
    if errors.is_empty() {
        return outcome;
    }
    if outcome.status != Status::Fail {
        let n = errors.len().to_string();
        outcome.status = Status::Error;
        outcome.summary = msg("users", "some_unreadable", &[("count", &n)]);
    }
    outcome.findings.extend(errors);
    outcome
}

fn mfa_policy(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.mfa-policy";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let groups = mfa_groups(iam);
    if groups.is_empty() {
        Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                msg(ID, "none", &[]),
            )],
            String::new(),
            msg(ID, "fail", &[]),
        )
    } else {
        Outcome::pass(msg(ID, "pass", &[("groups", &groups.join(", "))]))
    }
}

fn password_policy(inv: &Inventory, ctx: &Ctx) -> Outcome {
    const ID: &str = "account.password-policy";
    let Some(p) = inv.password_policy.ready() else {
        return Outcome::pass(String::new());
    };
    let min = ctx.settings.password_min_length.to_string();
    let reuse = ctx.settings.password_reuse_prevention.to_string();
    let r = ResourceRef::PasswordPolicy.to_string();
    let findings = match p {
        None => vec![Finding::fail(r, msg(ID, "none", &[]))],
        Some(p) => {
            let mut f = vec![];
            if p.minimum_password_length < ctx.settings.password_min_length {
                let have = p.minimum_password_length.to_string();
                f.push(Finding::fail(
                    &r,
                    msg(ID, "short", &[("have", &have), ("want", &min)]),
                ));
            }
            if p.password_reuse_prevention.unwrap_or(0) < ctx.settings.password_reuse_prevention {
                let have = p.password_reuse_prevention.unwrap_or(0).to_string();
                f.push(Finding::fail(
                    &r,
                    msg(ID, "reuse", &[("have", &have), ("want", &reuse)]),
                ));
            }
            f
        }
    };
    Outcome::from_findings(
        findings,
        msg(ID, "pass", &[("min", &min), ("reuse", &reuse)]),
        msg(ID, "fail", &[]),
    )
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
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let findings: Vec<Finding> = iam
        .users
        .iter()
        .flat_map(|u| u.access_keys.iter().map(move |k| (u, k)))
        .filter_map(|(u, k)| {
            key_staleness(k, ctx).map(|why| {
                Finding::fail(
                    ResourceRef::AccessKey {
                        user: u.name.clone(),
                        key_id: k.id.clone(),
                    }
                    .to_string(),
                    why,
                )
            })
        })
        .collect();
    let errors: Vec<Finding> = iam.users.iter().filter_map(unreadable_user).collect();
    let n = findings.len().to_string();
    let days = ctx.settings.key_unused_days.to_string();
    let age = ctx.settings.key_max_age_days.to_string();
    with_user_errors(
        Outcome::from_findings(
            findings,
            msg(ID, "pass", &[("days", &days), ("age", &age)]),
            msg(ID, "fail", &[("count", &n)]),
        ),
        errors,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Status, evaluate, item};
    use crate::collect::demo::demo_inventory;
    use crate::config::Settings;
    use crate::inventory::{AccessKey, Identity, InlinePolicy, Part, PasswordPolicy, Role};
    use crate::plan::{Draft, Inputs, PlanError, make_plan};
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0)
            .single()
            .expect("valid date")
    }

    struct T {
        settings: Settings,
        done: BTreeMap<String, DateTime<Utc>>,
    }

    impl T {
        fn new() -> Self {
            T {
                settings: Settings::default(),
                done: BTreeMap::new(),
            }
        }
        fn ctx(&self) -> Ctx<'_> {
            Ctx {
                now: now(),
                settings: &self.settings,
                done: &self.done,
            }
        }
        fn status(&self, inv: &Inventory, id: &str) -> Status {
            evaluate(item(id).expect("item"), inv, &self.ctx()).status
        }
        fn resources(&self, inv: &Inventory, id: &str) -> Vec<String> {
            evaluate(item(id).expect("item"), inv, &self.ctx())
                .findings
                .into_iter()
                .map(|f| f.resource)
                .collect()
        }
        fn plan(
            &self,
            inv: &Inventory,
            id: &str,
            req: &Inputs,
        ) -> Result<crate::plan::Plan, PlanError> {
            let Fix::Plan(f) = item(id).expect("item").fix else {
                panic!("{id} has no plan")
            };
            f(inv, &self.ctx(), req).and_then(|d| make_plan(inv, id, d))
        }
        /// Plan, apply to the inventory, and return the result.
        fn fix(&self, inv: &Inventory, id: &str, req: &Inputs) -> Inventory {
            let plan = self.plan(inv, id, req).expect("plan");
            let mut after = inv.clone();
            for op in plan.ops() {
                after.apply(op).expect("apply");
            }
            // The preview is exactly the applied result.
            for rc in &plan.resources {
                assert_eq!(
                    after.document(&rc.resource).expect("doc"),
                    rc.after,
                    "{}",
                    rc.resource
                );
            }
            after
        }
    }

    fn demo() -> Inventory {
        demo_inventory().expect("demo")
    }

    fn key(id: &str, status: KeyStatus, created_days: i64, used_days: Option<i64>) -> AccessKey {
        AccessKey {
            id: id.into(),
            status,
            created: now() - Duration::days(created_days),
            last_used: used_days.map(|d| now() - Duration::days(d)),
            last_used_service: None,
        }
    }

    fn as_root(mut inv: Inventory, keys: Vec<AccessKey>) -> Inventory {
        inv.identity = Part::Ready(Identity {
            account: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:root".into(),
            user_id: "111122223333".into(),
        });
        if let Some(iam) = inv.iam.ready_mut() {
            iam.root_keys = keys;
        }
        inv
    }

    #[test]
    fn root_keys_absent_passes() {
        let t = T::new();
        let mut inv = demo();
        if let Some(s) = inv.account_summary.ready_mut() {
            s.account_access_keys_present = false;
        }
        assert_eq!(t.status(&inv, ROOT_KEYS), Status::Pass);
    }

    #[test]
    fn root_keys_seen_by_non_root_are_guided() {
        let t = T::new();
        let inv = demo();
        assert_eq!(t.status(&inv, ROOT_KEYS), Status::Fail);
        assert_eq!(t.resources(&inv, ROOT_KEYS), vec!["account"]);
        assert!(matches!(
            t.plan(&inv, ROOT_KEYS, &Inputs::default()),
            Err(PlanError::Guided(_))
        ));
    }

    #[test]
    fn root_caller_deactivates_its_keys_most_recently_used_last() {
        let t = T::new();
        let inv = as_root(
            demo(),
            vec![
                key("AKIAROOTINUSE", KeyStatus::Active, 300, Some(0)),
                key("AKIAROOTOLD", KeyStatus::Active, 900, Some(400)),
                key("AKIAROOTOFF", KeyStatus::Inactive, 900, None),
            ],
        );
        assert_eq!(
            t.resources(&inv, ROOT_KEYS),
            vec!["root/key/AKIAROOTINUSE", "root/key/AKIAROOTOLD"]
        );
        let plan = t.plan(&inv, ROOT_KEYS, &Inputs::default()).expect("plan");
        let ids: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
        assert_eq!(ids, vec!["root/key/AKIAROOTOLD", "root/key/AKIAROOTINUSE"]);
        assert!(!plan.warnings.is_empty(), "lock-out warning");
        assert!(plan.is_reversible());
        let after = t.fix(&inv, ROOT_KEYS, &Inputs::default());
        // Deactivated keys still exist: the item says to delete them, and there
        // is nothing more moat itself can do.
        let r = evaluate(item(ROOT_KEYS).expect("item"), &after, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings.iter().all(|f| f.detail.contains("inactive")),
            "{:?}",
            r.findings
        );
        assert!(matches!(
            t.plan(&after, ROOT_KEYS, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn root_mfa() {
        let t = T::new();
        let mut inv = demo();
        assert_eq!(t.status(&inv, "account.root-mfa"), Status::Fail);
        if let Some(s) = inv.account_summary.ready_mut() {
            s.account_mfa_enabled = true;
        }
        assert_eq!(t.status(&inv, "account.root-mfa"), Status::Pass);
    }

    #[test]
    fn backup_admin_counts_users_and_human_roles() {
        let t = T::new();
        let inv = demo();
        assert_eq!(t.status(&inv, "account.backup-admin"), Status::Fail);
        // A service role with admin rights is not a backup for people.
        let mut with_service_role = inv.clone();
        let admin_inline = InlinePolicy {
            name: "all".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        };
        if let Some(iam) = with_service_role.iam.ready_mut() {
            iam.roles.push(Role {
                name: "svc".into(),
                arn: "arn:aws:iam::111122223333:role/svc".into(),
                trust_policy: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
                attached_policies: vec![],
                inline_policies: vec![admin_inline.clone()],
                permissions_boundary: None,
            });
        }
        assert_eq!(
            t.status(&with_service_role, "account.backup-admin"),
            Status::Fail
        );
        let mut with_sso_role = inv.clone();
        if let Some(iam) = with_sso_role.iam.ready_mut() {
            iam.roles.push(Role {
                name: "sso-admin".into(),
                arn: "arn:aws:iam::111122223333:role/sso-admin".into(),
                trust_policy: json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, "Action": "sts:AssumeRoleWithSAML"}]}),
                attached_policies: vec![],
                inline_policies: vec![admin_inline],
                permissions_boundary: None,
            });
        }
        assert_eq!(
            t.status(&with_sso_role, "account.backup-admin"),
            Status::Pass
        );
        // The fix creates group + user; the item then passes and undo is complete.
        let after = t.fix(&inv, "account.backup-admin", &Inputs::default());
        assert_eq!(t.status(&after, "account.backup-admin"), Status::Pass);
        assert!(
            after
                .iam
                .ready()
                .and_then(|i| i.user("break-glass-admin"))
                .is_some_and(|u| u.access_keys.is_empty())
        );
        let taken = Inputs::default().with("user", "ops-admin");
        assert!(matches!(
            t.plan(&inv, "account.backup-admin", &taken),
            Err(PlanError::Input { .. })
        ));
        let bad = Inputs::default().with("user", "no spaces");
        assert!(matches!(
            t.plan(&inv, "account.backup-admin", &bad),
            Err(PlanError::Input { .. })
        ));
    }

    fn contact_inputs() -> Inputs {
        Inputs::default()
            .with("name", "Sam Rivera")
            .with("title", "Security lead")
            .with("email", "security@example.com")
            .with("phone", "+1 555 0100")
    }

    #[test]
    fn alternate_contacts_fill_only_missing_ones() {
        let t = T::new();
        let inv = demo();
        const ID: &str = "account.alternate-contacts";
        assert_eq!(
            t.resources(&inv, ID),
            vec!["contact/OPERATIONS", "contact/SECURITY"]
        );
        let missing = Inputs::default().with("name", "Sam");
        assert!(
            matches!(t.plan(&inv, ID, &missing), Err(PlanError::Input { name, .. }) if name == "title")
        );
        let bad_mail = contact_inputs().with("email", "security-at-example");
        assert!(
            matches!(t.plan(&inv, ID, &bad_mail), Err(PlanError::Input { name, .. }) if name == "email")
        );
        let only_security = Inputs {
            resources: vec!["contact/SECURITY".into()],
            ..contact_inputs()
        };
        assert_eq!(
            t.plan(&inv, ID, &only_security).expect("plan").steps.len(),
            1
        );
        let after = t.fix(&inv, ID, &contact_inputs());
        assert_eq!(t.status(&after, ID), Status::Pass);
        let plan = t.plan(&inv, ID, &contact_inputs()).expect("plan");
        assert!(plan.steps.iter().all(|s| matches!(
            s.inverse.as_deref(),
            Some([Op::DeleteAlternateContact { .. }])
        )));
    }

    use crate::plan::Op;

    #[test]
    fn console_users_get_enforced_and_show_pending_enrolment() {
        let t = T::new();
        let inv = demo();
        const ID: &str = "account.console-users-mfa";
        assert_eq!(t.resources(&inv, ID), vec!["user/dana", "user/lee"]);
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
        assert_eq!(
            actions,
            vec![
                "iam:CreatePolicy",
                "iam:CreateGroup",
                "iam:AttachGroupPolicy",
                "iam:AddUserToGroup",
                "iam:AddUserToGroup"
            ]
        );
        let after = t.fix(&inv, ID, &Inputs::default());
        // Still failing until they enrol, but now enforced.
        let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings.iter().all(|f| f.detail.contains(MFA_GROUP_NAME)),
            "{:?}",
            r.findings
        );
        assert!(matches!(
            t.plan(&after, ID, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
        assert_eq!(t.status(&after, "account.mfa-policy"), Status::Pass);
        // A user with a device passes.
        let mut enrolled = after.clone();
        if let Some(rows) = enrolled.credential_report.ready_mut() {
            for r in rows.iter_mut() {
                r.mfa_active = true;
            }
        }
        assert_eq!(t.status(&enrolled, ID), Status::Pass);
    }

    const MFA_GROUP_NAME: &str = "MFARequired";

    #[test]
    fn mfa_policy_fix_and_typo_policy() {
        let t = T::new();
        let inv = demo();
        const ID: &str = "account.mfa-policy";
        assert_eq!(t.status(&inv, ID), Status::Fail);
        let after = t.fix(&inv, ID, &Inputs::default());
        assert_eq!(t.status(&after, ID), Status::Pass);
        // Undo (inverses in reverse order) restores the exact inventory.
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let mut undone = after.clone();
        for s in plan.steps.iter().rev() {
            for op in s.inverse.as_ref().expect("reversible") {
                undone.apply(op).expect("undo");
            }
        }
        assert_eq!(undone, inv);
        // The 2015 guide's `aws = MultiFactorAuthAge` key enforces nothing.
        let mut typo = inv.clone();
        if let Some(iam) = typo.iam.ready_mut()
            && let Some(g) = iam.groups.iter_mut().find(|g| g.name == "Developers")
        {
            g.inline_policies.push(InlinePolicy {
                name: "mfa".into(),
                document: json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
                    "Condition": {"NumericLessThan": {"aws = MultiFactorAuthAge": "300"}}}]}),
            });
        }
        assert_eq!(t.status(&typo, ID), Status::Fail);
    }

    #[test]
    fn password_policy_raises_thresholds_and_keeps_the_rest() {
        let mut t = T::new();
        let inv = demo();
        const ID: &str = "account.password-policy";
        assert_eq!(t.status(&inv, ID), Status::Fail);
        let before = inv
            .password_policy
            .ready()
            .cloned()
            .flatten()
            .expect("demo has a policy");
        let after = t.fix(&inv, ID, &Inputs::default());
        let p = after
            .password_policy
            .ready()
            .cloned()
            .flatten()
            .expect("policy");
        assert_eq!(p.minimum_password_length, 14);
        assert_eq!(p.password_reuse_prevention, Some(24));
        assert_eq!(p.require_symbols, before.require_symbols);
        assert_eq!(
            p.allow_users_to_change_password,
            before.allow_users_to_change_password
        );
        assert_eq!(t.status(&after, ID), Status::Pass);
        // No policy: create one; undo deletes it.
        let mut none = inv.clone();
        none.password_policy = Part::Ready(None);
        assert_eq!(t.status(&none, ID), Status::Fail);
        let plan = t.plan(&none, ID, &Inputs::default()).expect("plan");
        assert_eq!(plan.steps[0].inverse, Some(vec![Op::DeletePasswordPolicy]));
        // A stronger policy than the thresholds is never weakened.
        let mut strong = inv.clone();
        strong.password_policy = Part::Ready(Some(PasswordPolicy {
            minimum_password_length: 20,
            password_reuse_prevention: Some(24),
            ..PasswordPolicy::default()
        }));
        assert_eq!(t.status(&strong, ID), Status::Pass);
        // Thresholds are settings.
        t.settings.password_min_length = 21;
        assert_eq!(t.status(&strong, ID), Status::Fail);
        let p = t
            .fix(&strong, ID, &Inputs::default())
            .password_policy
            .ready()
            .cloned()
            .flatten()
            .expect("p");
        assert_eq!(p.minimum_password_length, 21);
    }

    #[test]
    fn a_user_that_could_not_be_read_is_an_error_for_that_user_only() {
        let t = T::new();
        let mut inv = demo();
        let unreadable = crate::inventory::PartError::new(
            "iam:ListAccessKeys",
            Some("ServiceUnavailable".into()),
            "x",
        );
        let (reader, other) = {
            let iam = inv.iam.ready_mut().expect("iam");
            for u in iam.users.iter_mut() {
                u.access_keys.clear();
            }
            // Its keys are unknown: empty in the inventory, so never a pass.
            iam.users[0].unreadable = Some(unreadable);
            iam.users[0].mfa_devices.clear();
            (iam.users[0].name.clone(), iam.users[1].name.clone())
        };
        const KEYS: &str = "account.stale-access-keys";
        let r = evaluate(item(KEYS).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert_eq!(r.findings.len(), 1, "{r:?}");
        assert_eq!(r.findings[0].resource, format!("user/{reader}"));
        assert_eq!(r.findings[0].status, Status::Error);
        assert!(r.findings[0].detail.contains("ServiceUnavailable"), "{r:?}");
        // Another user's stale key still fails the item, beside the error.
        if let Some(u) = inv
            .iam
            .ready_mut()
            .and_then(|i| i.users.iter_mut().find(|u| u.name == other))
        {
            u.access_keys = vec![key("AKIAOLD90", KeyStatus::Active, 90, Some(1))];
        }
        let r = evaluate(item(KEYS).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.findings
                .iter()
                .map(|f| (f.resource.as_str(), f.status))
                .collect::<Vec<_>>(),
            vec![
                (format!("user/{other}/key/AKIAOLD90").as_str(), Status::Fail),
                (format!("user/{reader}").as_str(), Status::Error),
            ]
        );
        // Console MFA: a console user without MFA in the report whose devices
        // could not be read is unknown, not failing.
        if let Some(rows) = inv.credential_report.ready_mut() {
            for r in rows.iter_mut().filter(|r| !r.is_root()) {
                r.mfa_active = r.user != reader;
                r.password_enabled = true;
            }
        }
        const MFA: &str = "account.console-users-mfa";
        let r = evaluate(item(MFA).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert_eq!(
            r.findings
                .iter()
                .map(|f| (f.resource.clone(), f.status))
                .collect::<Vec<_>>(),
            vec![(format!("user/{reader}"), Status::Error)]
        );
    }

    #[test]
    fn stale_keys_thresholds() {
        let t = T::new();
        let mut inv = demo();
        if let Some(iam) = inv.iam.ready_mut() {
            for u in iam.users.iter_mut() {
                u.access_keys.clear();
            }
            let u = &mut iam.users[0];
            u.access_keys = vec![
                key("AKIAUNUSED44", KeyStatus::Active, 60, Some(44)),
                key("AKIAUNUSED45", KeyStatus::Active, 60, Some(45)),
                key("AKIANEVER50", KeyStatus::Active, 50, None),
                key("AKIAOLD90", KeyStatus::Active, 90, Some(1)),
                key("AKIAOLDINACTIVE", KeyStatus::Inactive, 900, Some(800)),
            ];
        }
        const ID: &str = "account.stale-access-keys";
        let user = inv
            .iam
            .ready()
            .map(|i| i.users[0].name.clone())
            .expect("user");
        let res = t.resources(&inv, ID);
        assert_eq!(
            res,
            vec![
                format!("user/{user}/key/AKIAUNUSED45"),
                format!("user/{user}/key/AKIANEVER50"),
                format!("user/{user}/key/AKIAOLD90"),
            ]
        );
        let one = Inputs {
            resources: vec![res[1].clone()],
            ..Inputs::default()
        };
        let plan = t.plan(&inv, ID, &one).expect("plan");
        assert_eq!(plan.steps.len(), 1);
        let after = t.fix(&inv, ID, &Inputs::default());
        assert_eq!(t.status(&after, ID), Status::Pass);
        assert!(matches!(
            t.plan(&after, ID, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn guided_items_pass_once_marked_done() {
        let mut t = T::new();
        let inv = Inventory::default();
        assert_eq!(t.status(&inv, "account.security-questions"), Status::Manual);
        t.done.insert("account.security-questions".into(), now());
        assert_eq!(t.status(&inv, "account.security-questions"), Status::Pass);
        assert_eq!(t.status(&inv, "account.billing-access"), Status::Manual);
    }

    #[test]
    fn loading_and_error_states() {
        let t = T::new();
        let mut inv = Inventory::default();
        assert_eq!(t.status(&inv, "account.password-policy"), Status::Loading);
        inv.set_error(
            PartId::PasswordPolicy,
            crate::inventory::PartError::new(
                "iam:GetAccountPasswordPolicy",
                Some("AccessDenied".into()),
                "no",
            ),
        );
        let r = evaluate(
            item("account.password-policy").expect("item"),
            &inv,
            &t.ctx(),
        );
        assert_eq!(r.status, Status::Error);
        assert!(
            r.summary.contains("iam:GetAccountPasswordPolicy"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn every_message_key_used_exists() {
        // Every check and plan on the demo account and on edge cases renders
        // without falling back to a raw key.
        let t = T::new();
        let invs = [
            demo(),
            Inventory::default(),
            as_root(demo(), vec![key("AKIAR", KeyStatus::Active, 1, None)]),
        ];
        for inv in &invs {
            for def in crate::checks::items() {
                let r = evaluate(def, inv, &t.ctx());
                assert!(
                    !r.summary.contains(": pass") && !r.summary.starts_with(def.id),
                    "{}",
                    r.summary
                );
                for f in r.findings {
                    assert!(!f.detail.starts_with(def.id), "{}", f.detail);
                }
            }
        }
        let _ = Draft::default();
    }
}
