//! The `account` section: root user, administrators, contacts, MFA, passwords, keys.

use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::guide::msg;
use crate::inventory::{
    ContactType, CredentialReportRow, Iam, InlinePolicy, Inventory, KeyStatus, PartId, ResourceRef,
    Role, User, is_aws_managed_policy,
};
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
        needs: &[PartId::AccountSummary, PartId::Iam],
        cis: &["2.4", "2.5"],
        security_hub: &["IAM.9", "IAM.6"],
        check: root_mfa,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: "account.backup-admin",
        section: "account",
        needs: &[PartId::Iam, PartId::CredentialReport],
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
        needs: &[PartId::Iam, PartId::CredentialReport],
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
        needs: &[PartId::Iam, PartId::CredentialReport],
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

/// CIS 2.4 (root MFA on) and 2.5 / Security Hub IAM.6 (hardware MFA): pass
/// only when the root user has MFA and no virtual device is assigned to it.
fn root_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.root-mfa";
    let (Some(summary), Some(iam)) = (inv.account_summary.ready(), inv.iam.ready()) else {
        return Outcome::pass(String::new());
    };
    if !summary.account_mfa_enabled {
        return Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                msg(ID, "finding", &[]),
            )],
            String::new(),
            msg(ID, "fail", &[]),
        );
    }
    let devices = match iam.root_virtual_mfa() {
        Ok(devices) => devices,
        Err(e) => {
            let detail = msg(ID, "unreadable", &[("error", &e.to_string())]);
            return Outcome {
                status: Status::Error,
                summary: detail.clone(),
                findings: vec![Finding {
                    resource: ResourceRef::Account.to_string(),
                    region: None,
                    status: Status::Error,
                    detail,
                }],
            };
        }
    };
    let findings: Vec<Finding> = devices
        .into_iter()
        .map(|d| {
            Finding::fail(
                ResourceRef::Account.to_string(),
                msg(ID, "virtual", &[("serial", &d.serial)]),
            )
        })
        .collect();
    Outcome::from_findings(findings, msg(ID, "pass", &[]), msg(ID, "fail_virtual", &[]))
}

/// Does a managed policy ARN grant full admin (AdministratorAccess, or a
/// document allowing `*` on `*`)?
fn policy_is_admin(iam: &Iam, arn: &str) -> bool {
    is_aws_managed_policy(arn, crate::access::ADMINISTRATOR_ACCESS)
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

fn role_is_admin(iam: &Iam, r: &Role) -> bool {
    r.attached_policies.iter().any(|a| policy_is_admin(iam, a))
        || r.inline_policies
            .iter()
            .any(|p| policy::grants_full_admin(&p.document))
}

/// The identity policies of a principal (attached and inline; `group`: the
/// group they come through), each with how findings name it.
fn labelled_docs<'a>(
    iam: &'a Iam,
    attached: &'a [String],
    inline: &'a [InlinePolicy],
    group: Option<&str>,
) -> Vec<(String, &'a serde_json::Value)> {
    const ID: &str = "account.backup-admin";
    let label = |name: &str| match group {
        Some(g) => msg(ID, "policy_via_group", &[("policy", name), ("group", g)]),
        None => name.to_string(),
    };
    attached
        .iter()
        .filter_map(|a| iam.policy(a))
        .map(|p| (label(&p.name), &p.document))
        .chain(inline.iter().map(|p| {
            (
                label(&msg(ID, "inline_policy", &[("policy", &p.name)])),
                &p.document,
            )
        }))
        .collect()
}

/// Why a principal whose policies grant full administrator rights does not
/// hold them in effect, in the guide's words (`None`: it does). IAM's policy
/// evaluation: an explicit Deny in any identity policy (the principal's own,
/// or a group's) overrides the Allow, and a permissions boundary caps what
/// the identity policies grant, so the rights are those the boundary allows
/// too. A boundary moat could not read is not taken to allow everything.
fn admin_cut(
    iam: &Iam,
    who: &str,
    sign_in: policy::SignIn,
    docs: &[(String, &serde_json::Value)],
    boundary: Option<&str>,
) -> Option<String> {
    const ID: &str = "account.backup-admin";
    let p = ("principal", who);
    if let Some((label, doc)) = docs.iter().find(|(_, d)| policy::limits_admin(d, sign_in)) {
        // A Deny an MFA sign-in would escape, which a federated session
        // cannot: say why.
        let key = if policy::limits_admin(doc, policy::SignIn::IamUserWithMfa) {
            "cut_deny"
        } else {
            "cut_deny_mfa"
        };
        return Some(msg(ID, key, &[p, ("policy", label)]));
    }
    let arn = boundary?;
    let full = |doc: &serde_json::Value| {
        (is_aws_managed_policy(arn, crate::access::ADMINISTRATOR_ACCESS)
            || policy::grants_full_admin(doc))
            && !policy::limits_admin(doc, sign_in)
    };
    match iam.policy(arn) {
        Some(b) if full(&b.document) => None,
        Some(b) => Some(msg(ID, "cut_boundary", &[p, ("policy", &b.name)])),
        None => {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            Some(msg(ID, "cut_boundary_unread", &[p, ("policy", name)]))
        }
    }
}

fn user_admin_cut(iam: &Iam, u: &User, who: &str) -> Option<String> {
    let mut docs = labelled_docs(iam, &u.attached_policies, &u.inline_policies, None);
    for g in u.groups.iter().filter_map(|g| iam.group(g)) {
        docs.extend(labelled_docs(
            iam,
            &g.attached_policies,
            &g.inline_policies,
            Some(&g.name),
        ));
    }
    // People sign in to the console as the user, with MFA.
    admin_cut(
        iam,
        who,
        policy::SignIn::IamUserWithMfa,
        &docs,
        u.permissions_boundary.as_deref(),
    )
}

fn role_admin_cut(iam: &Iam, r: &Role, who: &str) -> Option<String> {
    let docs = labelled_docs(iam, &r.attached_policies, &r.inline_policies, None);
    // Counted roles are reached through SAML or Identity Center, whose
    // sessions STS sees without MFA.
    admin_cut(
        iam,
        who,
        policy::SignIn::Federated,
        &docs,
        r.permissions_boundary.as_deref(),
    )
}

/// OIDC issuers that give tokens to programs (CI systems, Kubernetes service
/// accounts), never to a person signing in.
const WORKLOAD_OIDC_ISSUERS: &[&str] = &[
    "token.actions.githubusercontent.com",
    "gitlab.com",
    "app.terraform.io",
    "oidc.circleci.com",
    "agent.buildkite.com",
    "api.bitbucket.org",
    "oidc.eks.",
    "vstoken.actions.githubusercontent.com",
    "vstoken.dev.azure.com",
];

/// How a role is reached, as far as a human emergency admin is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RoleTrust {
    /// An IAM Identity Center permission set's role.
    IdentityCenter,
    /// AssumeRoleWithSAML through this account's SAML provider.
    Saml(String),
    /// AssumeRoleWithWebIdentity through this account's OIDC provider of an
    /// issuer moat does not know.
    Oidc(String),
    /// An OIDC provider that serves programs (CI, Kubernetes).
    WorkloadOidc(String),
    /// A service principal.
    Service(String),
    /// An `AWS` principal: another account, this account's root, a user or role.
    Aws(String),
    /// Nothing a person signs in through.
    Other,
}

impl RoleTrust {
    /// A person's sign-in: IAM Identity Center or SAML federation. Web
    /// identity (OIDC) federation is not counted, whatever the issuer: AWS
    /// documents it for apps and workloads (mobile and web apps, CI systems,
    /// Kubernetes service accounts), and the AWS console sign-in for people
    /// goes through SAML or Identity Center; an issuer moat does not know
    /// would otherwise pass as a person's sign-in.
    fn is_human(&self) -> bool {
        matches!(self, RoleTrust::IdentityCenter | RoleTrust::Saml(_))
    }
}

/// The account id in an ARN (`arn:partition:service:region:ACCOUNT:…`).
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// An IAM Identity Center role: `AWSReservedSSO_…` under the reserved path.
fn is_identity_center_role(r: &Role) -> bool {
    r.name.starts_with("AWSReservedSSO_") && r.arn.contains(":role/aws-reserved/sso.amazonaws.com/")
}

/// What a role's trust policy lets in, human sign-in first.
fn role_trust(r: &Role) -> RoleTrust {
    if is_identity_center_role(r) {
        return RoleTrust::IdentityCenter;
    }
    let account = arn_account(&r.arn);
    let mut found: Vec<RoleTrust> = vec![];
    for st in policy::statements(&r.trust_policy) {
        if policy::effect(st) != "Allow" {
            continue;
        }
        let actions = policy::as_list(st.get("Action"));
        let allows = |action: &str| actions.iter().any(|a| crate::access::glob(a, action, true));
        let Some(serde_json::Value::Object(principal)) = st.get("Principal") else {
            if st.get("Principal").and_then(|p| p.as_str()) == Some("*") {
                found.push(RoleTrust::Aws("*".into()));
            }
            continue;
        };
        for (kind, value) in principal {
            for p in policy::as_list(Some(value)) {
                let t = if kind.eq_ignore_ascii_case("Federated") {
                    let own = arn_account(&p).is_some() && arn_account(&p) == account;
                    match p.split_once(":saml-provider/") {
                        Some((_, name)) if own && allows("sts:AssumeRoleWithSAML") => {
                            RoleTrust::Saml(name.to_string())
                        }
                        _ => match p.split_once(":oidc-provider/") {
                            Some((_, host)) if own && allows("sts:AssumeRoleWithWebIdentity") => {
                                if WORKLOAD_OIDC_ISSUERS.iter().any(|w| host.starts_with(w)) {
                                    RoleTrust::WorkloadOidc(host.to_string())
                                } else {
                                    RoleTrust::Oidc(host.to_string())
                                }
                            }
                            _ => RoleTrust::Other,
                        },
                    }
                } else if kind.eq_ignore_ascii_case("Service") {
                    RoleTrust::Service(p)
                } else if kind.eq_ignore_ascii_case("AWS") {
                    RoleTrust::Aws(p)
                } else {
                    RoleTrust::Other
                };
                found.push(t);
            }
        }
    }
    if let Some(h) = found.iter().find(|t| t.is_human()) {
        return h.clone();
    }
    // The most telling reason it is not for people.
    found
        .iter()
        .find(|t| matches!(t, RoleTrust::WorkloadOidc(_)))
        .or_else(|| found.iter().find(|t| matches!(t, RoleTrust::Oidc(_))))
        .or_else(|| found.iter().find(|t| matches!(t, RoleTrust::Aws(_))))
        .or_else(|| found.iter().find(|t| matches!(t, RoleTrust::Service(_))))
        .cloned()
        .unwrap_or(RoleTrust::Other)
}

/// Administrators, split into those a person signs in as (counted) and the
/// rest (left out), each as `principal (why)` in the guide's words.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Admins {
    pub counted: Vec<String>,
    pub left_out: Vec<String>,
    /// Users with administrator rights and no console password.
    pub without_password: Vec<String>,
}

/// Every principal whose policies grant full administrator rights, sorted
/// into people's sign-ins that hold them in effect (IAM users with a console
/// password; roles reached through a SAML provider of this account or IAM
/// Identity Center) and the others: rights cut by a Deny or a permissions
/// boundary, users without a password, web identity (OIDC), cross-account,
/// service and CI roles.
pub fn administrators(inv: &Inventory) -> Admins {
    const ID: &str = "account.backup-admin";
    let mut out = Admins::default();
    let Some(iam) = inv.iam.ready() else {
        return out;
    };
    let rows = inv
        .credential_report
        .ready()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for u in iam.users.iter().filter(|u| user_is_admin(iam, u)) {
        let who = ResourceRef::User {
            name: u.name.clone(),
        }
        .to_string();
        if let Some(cut) = user_admin_cut(iam, u, &who) {
            out.left_out.push(cut);
            continue;
        }
        let password = rows
            .iter()
            .any(|r| !r.is_root() && r.user == u.name && r.password_enabled);
        if password {
            out.counted
                .push(msg(ID, "counted_password", &[("principal", &who)]));
        } else {
            out.left_out
                .push(msg(ID, "no_password", &[("principal", &who)]));
            out.without_password.push(u.name.clone());
        }
    }
    for r in iam.roles.iter().filter(|r| role_is_admin(iam, r)) {
        let who = format!("role/{}", r.name);
        if let Some(cut) = role_admin_cut(iam, r, &who) {
            out.left_out.push(cut);
            continue;
        }
        let p = ("principal", who.as_str());
        let line = match role_trust(r) {
            RoleTrust::IdentityCenter => Ok(msg(ID, "counted_sso", &[p])),
            RoleTrust::Saml(n) => Ok(msg(ID, "counted_saml", &[p, ("provider", &n)])),
            RoleTrust::Oidc(n) => Err(msg(ID, "web_identity", &[p, ("provider", &n)])),
            RoleTrust::WorkloadOidc(n) => Err(msg(ID, "workload_oidc", &[p, ("provider", &n)])),
            RoleTrust::Service(n) => Err(msg(ID, "service_role", &[p, ("service", &n)])),
            RoleTrust::Aws(n) => Err(msg(ID, "aws_principal", &[p, ("trusted", &n)])),
            RoleTrust::Other => Err(msg(ID, "other_trust", &[p])),
        };
        match line {
            Ok(l) => out.counted.push(l),
            Err(l) => out.left_out.push(l),
        }
    }
    out
}

fn backup_admin(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.backup-admin";
    if inv.iam.ready().is_none() || inv.credential_report.ready().is_none() {
        return Outcome::pass(String::new());
    }
    let admins = administrators(inv);
    let n = admins.counted.len().to_string();
    let list = if admins.counted.is_empty() {
        "—".to_string()
    } else {
        admins.counted.join(", ")
    };
    let left_out = if admins.left_out.is_empty() {
        String::new()
    } else {
        format!(
            " {}",
            msg(ID, "left_out", &[("left_out", &admins.left_out.join(", "))])
        )
    };
    if admins.counted.len() >= 2 {
        Outcome::pass(format!(
            "{}{left_out}",
            msg(ID, "pass", &[("count", &n), ("admins", &list)])
        ))
    } else {
        let key = if admins.counted.is_empty() {
            "none"
        } else {
            "one"
        };
        Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                format!("{}{left_out}", msg(ID, key, &[("admins", &list)])),
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

/// Users who can sign in to the console (a password in the credential report).
pub fn console_users(inv: &Inventory) -> Vec<&CredentialReportRow> {
    inv.credential_report
        .ready()
        .map(|rows| {
            rows.iter()
                .filter(|r| !r.is_root() && r.password_enabled)
                .collect()
        })
        .unwrap_or_default()
}

fn managed_enforces_mfa(iam: &Iam, arn: &str) -> bool {
    iam.policy(arn)
        .is_some_and(|p| policy::enforces_mfa(&p.document))
}

/// Does the group carry a policy (attached or inline) that enforces MFA?
pub fn group_enforces_mfa(iam: &Iam, g: &crate::inventory::Group) -> bool {
    g.attached_policies
        .iter()
        .any(|a| managed_enforces_mfa(iam, a))
        || g.inline_policies
            .iter()
            .any(|p| policy::enforces_mfa(&p.document))
}

/// Groups whose attached or inline policies enforce MFA.
pub fn mfa_groups(iam: &Iam) -> Vec<&str> {
    iam.groups
        .iter()
        .filter(|g| group_enforces_mfa(iam, g))
        .map(|g| g.name.as_str())
        .collect()
}

/// How an MFA-enforcing policy reaches the user, in the guide's words:
/// attached to the user, inline on the user, through a group, or as the
/// user's permissions boundary. `None`: no policy moat can see covers them
/// (service control policies are not read).
pub fn mfa_cover(iam: &Iam, u: &User) -> Option<String> {
    const ID: &str = "account.mfa-policy";
    let name = |arn: &str| {
        iam.policy(arn)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_string())
    };
    if let Some(a) = u
        .attached_policies
        .iter()
        .find(|a| managed_enforces_mfa(iam, a))
    {
        return Some(msg(ID, "via_attached", &[("policy", &name(a))]));
    }
    if let Some(p) = u
        .inline_policies
        .iter()
        .find(|p| policy::enforces_mfa(&p.document))
    {
        return Some(msg(ID, "via_inline", &[("policy", &p.name)]));
    }
    if let Some(g) = u
        .groups
        .iter()
        .filter_map(|g| iam.group(g))
        .find(|g| group_enforces_mfa(iam, g))
    {
        return Some(msg(ID, "via_group", &[("group", &g.name)]));
    }
    if let Some(b) = u
        .permissions_boundary
        .as_deref()
        .filter(|b| managed_enforces_mfa(iam, b))
    {
        return Some(msg(ID, "via_boundary", &[("policy", &name(b))]));
    }
    None
}

/// Console users no MFA-enforcing policy covers (users the report lists but
/// IAM no longer has are skipped).
pub fn uncovered_console_users<'a>(inv: &'a Inventory, iam: &'a Iam) -> Vec<&'a User> {
    console_users(inv)
        .into_iter()
        .filter_map(|r| iam.user(&r.user))
        .filter(|u| mfa_cover(iam, u).is_none())
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

/// Pass when every console user is covered by an MFA-enforcing policy:
/// attached to them, through a group they are a member of, or as their
/// permissions boundary. A policy on a group without them covers nobody.
fn mfa_policy(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.mfa-policy";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let users: Vec<&User> = console_users(inv)
        .into_iter()
        .filter_map(|r| iam.user(&r.user))
        .collect();
    if users.is_empty() {
        return Outcome::pass(msg(ID, "no_console_users", &[]));
    }
    let enforcing = mfa_groups(iam);
    let mut covered: Vec<String> = vec![];
    let mut findings: Vec<Finding> = vec![];
    for u in &users {
        match mfa_cover(iam, u) {
            Some(how) => covered.push(format!("{} ({how})", u.name)),
            None => {
                let detail = if enforcing.is_empty() {
                    msg(ID, "uncovered_no_policy", &[("user", &u.name)])
                } else {
                    msg(
                        ID,
                        "uncovered",
                        &[("user", &u.name), ("groups", &enforcing.join(", "))],
                    )
                };
                findings.push(Finding::fail(
                    ResourceRef::User {
                        name: u.name.clone(),
                    }
                    .to_string(),
                    detail,
                ));
            }
        }
    }
    let total = users.len().to_string();
    let bad = findings.len().to_string();
    Outcome::from_findings(
        findings,
        msg(
            ID,
            "pass",
            &[("count", &total), ("covered", &covered.join(", "))],
        ),
        msg(ID, "fail", &[("count", &bad), ("total", &total)]),
    )
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

/// Why a console password is stale (CIS 2.11: unused for the threshold), if
/// it is. A password never used is aged from when it was last set (or the
/// user was created), so a password set yesterday is not stale.
pub fn password_staleness(r: &CredentialReportRow, iam: &Iam, ctx: &Ctx) -> Option<String> {
    const ID: &str = "account.stale-access-keys";
    if r.is_root() || !r.password_enabled {
        return None;
    }
    let unused = ctx.settings.key_unused_days;
    if let Some(t) = r.password_last_used {
        let days = (ctx.now - t).num_days();
        return (days >= unused).then(|| {
            msg(
                ID,
                "password_unused",
                &[("user", &r.user), ("days", &days.to_string())],
            )
        });
    }
    let since = r
        .password_last_changed
        .or(r.user_creation_time)
        .or_else(|| iam.user(&r.user).and_then(|u| u.created))?;
    let days = (ctx.now - since).num_days();
    (days >= unused).then(|| {
        msg(
            ID,
            "password_never_used",
            &[("user", &r.user), ("days", &days.to_string())],
        )
    })
}

/// Console users whose password is stale, with the reason.
pub fn stale_passwords<'a>(inv: &'a Inventory, iam: &Iam, ctx: &Ctx) -> Vec<(&'a str, String)> {
    console_users(inv)
        .into_iter()
        .filter(|r| iam.user(&r.user).is_some())
        .filter_map(|r| password_staleness(r, iam, ctx).map(|why| (r.user.as_str(), why)))
        .collect()
}

fn stale_access_keys(inv: &Inventory, ctx: &Ctx) -> Outcome {
    const ID: &str = "account.stale-access-keys";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings: Vec<Finding> = iam
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
    let keys = findings.len().to_string();
    let stale = stale_passwords(inv, iam, ctx);
    let passwords = stale.len().to_string();
    findings.extend(stale.into_iter().map(|(user, why)| {
        Finding::fail(
            ResourceRef::User {
                name: user.to_string(),
            }
            .to_string(),
            why,
        )
    }));
    let days = ctx.settings.key_unused_days.to_string();
    let age = ctx.settings.key_max_age_days.to_string();
    with_user_errors(
        Outcome::from_findings(
            findings,
            msg(ID, "pass", &[("days", &days), ("age", &age)]),
            msg(ID, "fail", &[("count", &keys), ("passwords", &passwords)]),
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
    use crate::inventory::{
        AccessKey, Group, Identity, InlinePolicy, ManagedPolicy, Part, PasswordPolicy, Role,
        VirtualMfaDevice,
    };
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

    fn virtual_device(serial: &str, user_arn: Option<&str>) -> VirtualMfaDevice {
        VirtualMfaDevice {
            serial: serial.into(),
            user_arn: user_arn.map(str::to_string),
        }
    }

    /// CIS 2.5 / IAM.6: root MFA through a virtual device is not hardware MFA.
    #[test]
    fn root_mfa_through_a_virtual_device_fails() {
        const ID: &str = "account.root-mfa";
        let t = T::new();
        let mut inv = demo();
        if let Some(s) = inv.account_summary.ready_mut() {
            s.account_mfa_enabled = true;
        }
        const ROOT_SERIAL: &str = "arn:aws:iam::111122223333:mfa/root-account-mfa-device";
        if let Some(iam) = inv.iam.ready_mut() {
            iam.virtual_mfa_devices = crate::inventory::Fetched::Ready(vec![
                // Other users' devices, assigned or not, do not matter.
                virtual_device(
                    "arn:aws:iam::111122223333:mfa/dana-phone",
                    Some("arn:aws:iam::111122223333:user/dana"),
                ),
                virtual_device("arn:aws:iam::111122223333:mfa/spare", None),
            ]);
        }
        assert_eq!(t.status(&inv, ID), Status::Pass);
        if let Some(all) = inv
            .iam
            .ready_mut()
            .and_then(|iam| iam.virtual_mfa_devices.ready_mut())
        {
            all.push(virtual_device(
                ROOT_SERIAL,
                Some("arn:aws:iam::111122223333:root"),
            ));
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].resource, "account");
        assert!(
            r.findings[0].detail.contains(ROOT_SERIAL),
            "{:?}",
            r.findings
        );
        assert!(r.summary.contains("2.5"), "{}", r.summary);
        // The fix stays guided: only root, in a browser, registers a hardware key.
        assert!(matches!(item(ID).expect("item").fix, Fix::Guided));
        // A denied ListVirtualMFADevices is an error of this item only.
        if let Some(iam) = inv.iam.ready_mut() {
            iam.virtual_mfa_devices =
                crate::inventory::Fetched::Error(crate::inventory::PartError::new(
                    "iam:ListVirtualMFADevices",
                    Some("AccessDenied".into()),
                    "denied",
                ));
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(
            r.summary.contains("iam:ListVirtualMFADevices"),
            "{}",
            r.summary
        );
        assert_ne!(t.status(&inv, "account.backup-admin"), Status::Error);
        // MFA off: the plain finding, whatever the devices.
        if let Some(s) = inv.account_summary.ready_mut() {
            s.account_mfa_enabled = false;
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert!(!r.findings[0].detail.contains(ROOT_SERIAL));
    }

    fn admin_inline() -> InlinePolicy {
        InlinePolicy {
            name: "all".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        }
    }

    fn admin_role(name: &str, path: &str, trust: serde_json::Value) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:role{path}{name}"),
            trust_policy: trust,
            attached_policies: vec![],
            inline_policies: vec![admin_inline()],
            permissions_boundary: None,
        }
    }

    fn trust(principal: serde_json::Value, action: &str) -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]})
    }

    fn with_roles(inv: &Inventory, roles: Vec<Role>) -> Inventory {
        let mut inv = inv.clone();
        if let Some(iam) = inv.iam.ready_mut() {
            iam.roles.extend(roles);
        }
        inv
    }

    /// Give `user` a console password (in the credential report).
    fn set_password(inv: &mut Inventory, user: &str) {
        if let Some(rows) = inv.credential_report.ready_mut()
            && let Some(r) = rows.iter_mut().find(|r| r.user == user)
        {
            r.password_enabled = true;
        }
    }

    #[test]
    fn backup_admin_counts_users_and_human_roles() {
        const ID: &str = "account.backup-admin";
        let t = T::new();
        let inv = demo();
        assert_eq!(t.status(&inv, ID), Status::Fail);
        // A service role with admin rights is not a backup for people.
        let svc = admin_role(
            "svc",
            "/",
            trust(json!({"Service": "ec2.amazonaws.com"}), "sts:AssumeRole"),
        );
        assert_eq!(t.status(&with_roles(&inv, vec![svc]), ID), Status::Fail);
        let saml = admin_role(
            "sso-admin",
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                "sts:AssumeRoleWithSAML",
            ),
        );
        let with_saml = with_roles(&inv, vec![saml]);
        assert_eq!(t.status(&with_saml, ID), Status::Pass);
        let r = evaluate(item(ID).expect("item"), &with_saml, &t.ctx());
        assert!(
            r.summary.contains("role/sso-admin") && r.summary.contains("user/ops-admin"),
            "{}",
            r.summary
        );
        // The fix creates group + user; the user counts once a person has set
        // its console password (moat never does), and undo is complete.
        let after = t.fix(&inv, ID, &Inputs::default());
        assert!(
            after
                .iam
                .ready()
                .and_then(|i| i.user("break-glass-admin"))
                .is_some_and(|u| u.access_keys.is_empty())
        );
        let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings[0].detail.contains("user/break-glass-admin"),
            "{:?}",
            r.findings
        );
        assert!(matches!(
            t.plan(&after, ID, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("break-glass-admin")
        ));
        let mut with_password = after.clone();
        set_password(&mut with_password, "break-glass-admin");
        assert_eq!(t.status(&with_password, ID), Status::Pass);
        let taken = Inputs::default().with("user", "dana");
        assert!(matches!(
            t.plan(&inv, ID, &taken),
            Err(PlanError::Input { .. })
        ));
        let bad = Inputs::default().with("user", "no spaces");
        assert!(matches!(
            t.plan(&inv, ID, &bad),
            Err(PlanError::Input { .. })
        ));
    }

    /// Roles any principal can assume are not people's emergency access:
    /// cross-account (OrganizationAccountAccessRole), CI (an AWS principal or
    /// a workload OIDC issuer), this account's root, services; nor are admin
    /// users without a console password.
    #[test]
    fn backup_admin_leaves_out_roles_and_users_nobody_signs_in_as() {
        const ID: &str = "account.backup-admin";
        let t = T::new();
        let mut inv = demo();
        // A second admin user, with access keys only.
        if let Some(iam) = inv.iam.ready_mut()
            && let Some(u) = iam.users.iter_mut().find(|u| u.name == "ci-deploy")
        {
            u.groups.push("Admins".into());
        }
        let roles = vec![
            admin_role(
                "OrganizationAccountAccessRole",
                "/",
                trust(
                    json!({"AWS": "arn:aws:iam::999988887777:root"}),
                    "sts:AssumeRole",
                ),
            ),
            admin_role(
                "ci-deployer",
                "/",
                trust(
                    json!({"AWS": "arn:aws:iam::111122223333:user/ci-deploy"}),
                    "sts:AssumeRole",
                ),
            ),
            admin_role(
                "own-root",
                "/",
                trust(json!({"AWS": "111122223333"}), "sts:AssumeRole"),
            ),
            admin_role(
                "github-deploy",
                "/",
                trust(
                    json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}),
                    "sts:AssumeRoleWithWebIdentity",
                ),
            ),
            admin_role(
                // Another account's SAML provider is not this account's sign-in.
                "foreign-saml",
                "/",
                trust(
                    json!({"Federated": "arn:aws:iam::999988887777:saml-provider/Corp"}),
                    "sts:AssumeRoleWithSAML",
                ),
            ),
            admin_role(
                // A SAML provider, but the trust allows only plain AssumeRole.
                "saml-wrong-action",
                "/",
                trust(
                    json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                    "sts:AssumeRole",
                ),
            ),
            admin_role(
                "lambda-admin",
                "/",
                trust(json!({"Service": "lambda.amazonaws.com"}), "sts:AssumeRole"),
            ),
        ];
        let inv = with_roles(&inv, roles);
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail, "{}", r.summary);
        assert!(r.summary.contains("Only 1"), "{}", r.summary);
        let detail = &r.findings[0].detail;
        for left_out in [
            "user/ci-deploy",
            "role/OrganizationAccountAccessRole",
            "role/ci-deployer",
            "role/own-root",
            "role/github-deploy",
            "role/foreign-saml",
            "role/saml-wrong-action",
            "role/lambda-admin",
        ] {
            assert!(detail.contains(left_out), "{left_out} not named: {detail}");
        }
        assert!(
            detail.contains("user/ops-admin (console password)"),
            "{detail}"
        );
        assert!(detail.contains("999988887777"), "{detail}");

        // People's sign-ins count: IAM Identity Center, SAML with a wildcard
        // action. A web identity (OIDC) provider does not, whatever its
        // issuer: web identity tokens mostly go to apps and workloads.
        let sso = admin_role(
            "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
            "/aws-reserved/sso.amazonaws.com/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123_DO_NOT_DELETE"}),
                "sts:AssumeRoleWithSAML",
            ),
        );
        assert_eq!(t.status(&with_roles(&inv, vec![sso]), ID), Status::Pass);
        let oidc = admin_role(
            "okta-admin",
            "/",
            trust(
                json!({"Federated": ["arn:aws:iam::111122223333:oidc-provider/corp.okta.com"]}),
                "sts:AssumeRoleWith*",
            ),
        );
        let r = evaluate(
            item(ID).expect("item"),
            &with_roles(&inv, vec![oidc]),
            &t.ctx(),
        );
        assert_eq!(r.status, Status::Fail);
        let detail = &r.findings[0].detail;
        assert!(
            detail.contains(
                "role/okta-admin (reached through the web identity (OIDC) provider corp.okta.com"
            ),
            "{detail}"
        );
        let saml_any = admin_role(
            "saml-any",
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                "sts:AssumeRoleWith*",
            ),
        );
        assert_eq!(
            t.status(&with_roles(&inv, vec![saml_any]), ID),
            Status::Pass
        );
        // An admin user with a console password counts.
        let mut two_users = inv.clone();
        set_password(&mut two_users, "ci-deploy");
        assert_eq!(t.status(&two_users, ID), Status::Pass);
    }

    /// An existing Administrators group at its quota of managed policies
    /// cannot take AdministratorAccess (LimitExceeded): guidance, nothing sent.
    #[test]
    fn backup_admin_fix_does_not_attach_to_a_full_group() {
        const ID: &str = "account.backup-admin";
        let t = T::new();
        let mut inv = demo();
        if let Some(iam) = inv.iam.ready_mut() {
            iam.groups.push(Group {
                name: "Administrators".into(),
                arn: "arn:aws:iam::111122223333:group/Administrators".into(),
                attached_policies: (0..10)
                    .map(|i| format!("arn:aws:iam::111122223333:policy/p{i}"))
                    .collect(),
                inline_policies: vec![],
            });
        }
        assert!(matches!(
            t.plan(&inv, ID, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("LimitExceeded")
        ));
    }

    /// Full rights on paper are not enough: an explicit Deny (the user's,
    /// a group's, attached or inline) or a permissions boundary that does
    /// not allow everything (or that moat could not read) leaves the
    /// principal out, named with the policy; a Deny that applies only
    /// without MFA does not.
    #[test]
    fn backup_admin_counts_only_effective_administrators() {
        const ID: &str = "account.backup-admin";
        let t = T::new();
        let saml = |name: &str| {
            admin_role(
                name,
                "/",
                trust(
                    json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                    "sts:AssumeRoleWithSAML",
                ),
            )
        };
        let deny_iam = |name: &str| InlinePolicy {
            name: name.into(),
            document: json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}),
        };
        let managed = |name: &str, document: serde_json::Value| ManagedPolicy {
            arn: format!("arn:aws:iam::111122223333:policy/{name}"),
            name: name.into(),
            aws_managed: false,
            default_version: "v1".into(),
            document,
        };
        // The demo's ops-admin plus a SAML admin role pass, as a baseline.
        let base = with_roles(&demo(), vec![saml("saml-admin")]);
        assert_eq!(t.status(&base, ID), Status::Pass);

        type Change = Box<dyn Fn(&mut Iam)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "no-iam",
                Box::new(move |iam: &mut Iam| {
                    if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                        r.inline_policies.push(deny_iam("no-iam"));
                    }
                }),
            ),
            (
                "of group Admins",
                Box::new(move |iam: &mut Iam| {
                    // ops-admin's rights come through group Admins; a Deny there cuts them.
                    if let Some(g) = iam.groups.iter_mut().find(|g| g.name == "Admins") {
                        g.inline_policies.push(deny_iam("guardrail"));
                    }
                }),
            ),
            (
                "s3-only",
                Box::new(move |iam: &mut Iam| {
                    iam.policies.push(managed(
                        "s3-only",
                        json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
                    ));
                    if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                        r.permissions_boundary =
                            Some("arn:aws:iam::111122223333:policy/s3-only".into());
                    }
                }),
            ),
            (
                "could not be read",
                Box::new(move |iam: &mut Iam| {
                    if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                        r.permissions_boundary =
                            Some("arn:aws:iam::111122223333:policy/gone".into());
                    }
                }),
            ),
            (
                "boundary-with-deny",
                Box::new(move |iam: &mut Iam| {
                    iam.policies.push(managed(
                        "boundary-with-deny",
                        json!({"Statement": [
                            {"Effect": "Allow", "Action": "*", "Resource": "*"},
                            {"Effect": "Deny", "Action": "organizations:*", "Resource": "*"}]}),
                    ));
                    if let Some(u) = iam.users.iter_mut().find(|u| u.name == "ops-admin") {
                        u.permissions_boundary =
                            Some("arn:aws:iam::111122223333:policy/boundary-with-deny".into());
                    }
                }),
            ),
        ];
        for (why, change) in cases {
            let mut inv = base.clone();
            if let Some(iam) = inv.iam.ready_mut() {
                change(iam);
            }
            let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
            assert_eq!(r.status, Status::Fail, "{why}: {}", r.summary);
            assert!(
                r.findings[0].detail.contains(why),
                "{why}: {}",
                r.findings[0].detail
            );
        }

        // A Deny while AWS sees no MFA: a SAML (or Identity Center) session
        // never shows AWS an MFA sign-in, so the key is false (Bool
        // matches) or absent (BoolIfExists matches), and the role is cut
        // either way.
        let mfa_deny = |op: &str| InlinePolicy {
            name: "mfa".into(),
            document: json!({"Statement": [{"Effect": "Deny", "NotAction": "iam:ListMFADevices",
                "Resource": "*", "Condition": {op: {"aws:MultiFactorAuthPresent": "false"}}}]}),
        };
        for op in ["BoolIfExists", "Bool"] {
            let mut inv = base.clone();
            if let Some(r) = inv
                .iam
                .ready_mut()
                .and_then(|iam| iam.roles.iter_mut().find(|r| r.name == "saml-admin"))
            {
                r.inline_policies.push(mfa_deny(op));
            }
            let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
            assert_eq!(r.status, Status::Fail, "{op}: {}", r.summary);
            let detail = &r.findings[0].detail;
            assert!(
                detail.contains("role/saml-admin") && detail.contains("inline policy mfa"),
                "{op}: {detail}"
            );
            assert!(
                detail.contains("SAML or IAM Identity Center"),
                "{op}: {detail}"
            );
        }

        // Kept: the same Deny on a user who signs in to the console with
        // MFA; on the role, a Deny on an MFA age its sessions never carry
        // (no IfExists), and a boundary that allows everything.
        let mut inv = base.clone();
        if let Some(iam) = inv.iam.ready_mut() {
            iam.policies.push(managed(
                "admin-boundary",
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ));
            if let Some(u) = iam.users.iter_mut().find(|u| u.name == "ops-admin") {
                u.inline_policies.push(mfa_deny("BoolIfExists"));
            }
            if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                r.permissions_boundary =
                    Some("arn:aws:iam::111122223333:policy/admin-boundary".into());
                r.inline_policies.push(InlinePolicy {
                    name: "mfa-age".into(),
                    document: json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}}]}),
                });
            }
        }
        assert_eq!(t.status(&inv, ID), Status::Pass);
        // With IfExists, that age Deny applies to every such session.
        if let Some(r) = inv
            .iam
            .ready_mut()
            .and_then(|iam| iam.roles.iter_mut().find(|r| r.name == "saml-admin"))
        {
            for p in r.inline_policies.iter_mut().filter(|p| p.name == "mfa-age") {
                p.document = json!({"Statement": [{"Effect": "Deny", "Action": "*",
                    "Resource": "*", "Condition": {"NumericGreaterThanIfExists":
                        {"aws:MultiFactorAuthAge": "3600"}}}]});
            }
        }
        assert_eq!(t.status(&inv, ID), Status::Fail);
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
            Some([Op::DeleteAlternateContact(
                crate::aws::ops::DeleteAlternateContact { .. }
            )])
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
        // ops-admin, the user moat runs as in the demo, has a device and
        // stays out of the group: the MFA policy item still names it.
        assert_eq!(
            t.resources(&after, "account.mfa-policy"),
            vec!["user/ops-admin"]
        );
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

    /// moat signed in through a role, not as one of the users.
    fn as_role(mut inv: Inventory) -> Inventory {
        inv.identity = Part::Ready(Identity {
            account: "111122223333".into(),
            arn: "arn:aws:sts::111122223333:assumed-role/SecurityAudit/moat".into(),
            user_id: "AROADEMO:moat".into(),
        });
        inv
    }

    fn require_mfa_policy() -> ManagedPolicy {
        ManagedPolicy {
            arn: "arn:aws:iam::111122223333:policy/RequireMFA".into(),
            name: "RequireMFA".into(),
            aws_managed: false,
            default_version: "v1".into(),
            document: crate::plan::account::require_mfa_document("aws").expect("document"),
        }
    }

    /// The demo plus the policy RequireMFA on an empty group MFARequired.
    fn with_empty_mfa_group(inv: &Inventory) -> Inventory {
        let mut inv = inv.clone();
        if let Some(iam) = inv.iam.ready_mut() {
            iam.policies.push(require_mfa_policy());
            iam.groups.push(Group {
                name: "MFARequired".into(),
                arn: "arn:aws:iam::111122223333:group/MFARequired".into(),
                attached_policies: vec!["arn:aws:iam::111122223333:policy/RequireMFA".into()],
                inline_policies: vec![],
            });
        }
        inv
    }

    #[test]
    fn mfa_policy_on_a_group_without_the_console_users_fails() {
        const ID: &str = "account.mfa-policy";
        let t = T::new();
        let mut inv = with_empty_mfa_group(&as_role(demo()));
        let all = vec!["user/ops-admin", "user/dana", "user/lee"];
        assert_eq!(t.resources(&inv, ID), all, "an empty group covers nobody");
        // A member without a console password does not cover the others.
        if let Some(iam) = inv.iam.ready_mut()
            && let Some(u) = iam.users.iter_mut().find(|u| u.name == "backup-sync")
        {
            u.groups.push("MFARequired".into());
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        let res: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(res, all);
        assert!(
            r.findings.iter().all(|f| f.detail.contains("MFARequired")),
            "{:?}",
            r.findings
        );
        assert!(r.summary.contains("3 of 3"), "{}", r.summary);

        // The fix adds exactly the uncovered console users, listed in the
        // group's document, and creates nothing that exists.
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let ops: Vec<String> = plan.ops().map(|o| o.describe()).collect();
        assert_eq!(
            ops,
            vec![
                "add user ops-admin to group MFARequired",
                "add user dana to group MFARequired",
                "add user lee to group MFARequired",
            ]
        );
        let group = plan
            .resources
            .iter()
            .find(|r| r.resource.to_string() == "group/MFARequired")
            .expect("the group is previewed");
        assert_eq!(
            group.before.as_ref().map(|d| d["Members"].clone()),
            Some(json!(["backup-sync"]))
        );
        assert_eq!(
            group.after.as_ref().map(|d| d["Members"].clone()),
            Some(json!(["backup-sync", "dana", "lee", "ops-admin"]))
        );
        let after = t.fix(&inv, ID, &Inputs::default());
        let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
        assert_eq!(r.status, Status::Pass, "{:?}", r.findings);
        assert!(
            r.summary.contains("dana (group MFARequired)"),
            "{}",
            r.summary
        );
        // Undo removes exactly the users moat added.
        let mut undone = after.clone();
        for s in plan.steps.iter().rev() {
            for op in s.inverse.as_ref().expect("reversible") {
                undone.apply(op).expect("undo");
            }
        }
        assert_eq!(undone, inv);
        assert!(plan.steps.iter().all(|s| matches!(
            s.inverse.as_deref(),
            Some([Op::RemoveUserFromGroup(
                crate::aws::ops::RemoveUserFromGroup { .. }
            )])
        )));
    }

    #[test]
    fn mfa_policy_counts_direct_attachment_and_boundaries() {
        const ID: &str = "account.mfa-policy";
        let t = T::new();
        let mut inv = with_empty_mfa_group(&as_role(demo()));
        let arn = "arn:aws:iam::111122223333:policy/RequireMFA".to_string();
        if let Some(iam) = inv.iam.ready_mut() {
            for u in iam.users.iter_mut() {
                match u.name.as_str() {
                    "dana" => u.attached_policies.push(arn.clone()),
                    "lee" => u.permissions_boundary = Some(arn.clone()),
                    "ops-admin" => u.inline_policies.push(InlinePolicy {
                        name: "mfa".into(),
                        document: require_mfa_policy().document,
                    }),
                    _ => {}
                }
            }
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Pass, "{:?}", r.findings);
        for how in [
            "dana (policy RequireMFA attached to the user)",
            "lee (permissions boundary RequireMFA)",
            "ops-admin (the user's inline policy mfa)",
        ] {
            assert!(r.summary.contains(how), "{how}: {}", r.summary);
        }
        // No console user at all: nobody to cover.
        let mut none = demo();
        if let Some(rows) = none.credential_report.ready_mut() {
            for r in rows.iter_mut() {
                r.password_enabled = false;
            }
        }
        assert_eq!(t.status(&none, ID), Status::Pass);
    }

    #[test]
    fn mfa_policy_fix_creates_policy_and_group_and_adds_the_users() {
        let t = T::new();
        let inv = as_role(demo());
        const ID: &str = "account.mfa-policy";
        assert_eq!(t.status(&inv, ID), Status::Fail);
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
        assert_eq!(
            actions,
            vec![
                "iam:CreatePolicy",
                "iam:CreateGroup",
                "iam:AttachGroupPolicy",
                "iam:AddUserToGroup",
                "iam:AddUserToGroup",
                "iam:AddUserToGroup",
            ]
        );
        // Users whose access keys are active are named: their key-signed
        // calls will need an MFA session.
        let mut keyed = inv.clone();
        if let Some(u) = keyed
            .iam
            .ready_mut()
            .and_then(|iam| iam.users.iter_mut().find(|u| u.name == "lee"))
        {
            u.access_keys.push(crate::inventory::AccessKey {
                id: "AKIAEXAMPLEKEY000001".into(),
                status: KeyStatus::Active,
                created: t.ctx().now,
                last_used: None,
                last_used_service: None,
            });
        }
        let keyed_plan = t.plan(&keyed, ID, &Inputs::default()).expect("plan");
        assert!(
            keyed_plan
                .warnings
                .iter()
                .any(|w| w.contains("lee (last used never)")),
            "{:?}",
            keyed_plan.warnings
        );
        let after = t.fix(&inv, ID, &Inputs::default());
        assert_eq!(t.status(&after, ID), Status::Pass);
        // Undo (inverses in reverse order) restores the exact inventory.
        let mut undone = after.clone();
        for s in plan.steps.iter().rev() {
            for op in s.inverse.as_ref().expect("reversible") {
                undone.apply(op).expect("undo");
            }
        }
        assert_eq!(undone, inv);
        // `--resource` picks users.
        let one = Inputs {
            resources: vec!["user/lee".into()],
            ..Inputs::default()
        };
        let plan = t.plan(&inv, ID, &one).expect("plan");
        assert_eq!(
            plan.ops()
                .filter(|o| o.action() == "iam:AddUserToGroup")
                .count(),
            1
        );
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

    /// moat never adds the user it runs as: without an MFA session it (and
    /// its undo) would lose every permission on joining.
    #[test]
    fn mfa_policy_fix_leaves_out_the_caller_and_foreign_groups() {
        const ID: &str = "account.mfa-policy";
        let t = T::new();
        // The demo signs in as ops-admin.
        let inv = with_empty_mfa_group(&demo());
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let added: Vec<String> = plan
            .ops()
            .filter_map(|o| match o {
                Op::AddUserToGroup(crate::aws::ops::AddUserToGroup { user, .. }) => {
                    Some(user.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(added, vec!["dana", "lee"]);
        assert!(
            plan.warnings.iter().any(|w| w.contains("ops-admin")),
            "{:?}",
            plan.warnings
        );
        let me = Inputs {
            resources: vec!["user/ops-admin".into()],
            ..Inputs::default()
        };
        assert!(
            matches!(t.plan(&inv, ID, &me), Err(PlanError::Guided(m)) if m.contains("ops-admin"))
        );
        // A group MFARequired that grants more than MFA enforcement is not used.
        let mut wide = as_role(inv.clone());
        if let Some(iam) = wide.iam.ready_mut()
            && let Some(g) = iam.groups.iter_mut().find(|g| g.name == "MFARequired")
        {
            g.attached_policies
                .push("arn:aws:iam::aws:policy/AdministratorAccess".into());
        }
        assert!(matches!(
            t.plan(&wide, ID, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("AdministratorAccess")
        ));
    }

    /// A console user already in as many groups as IAM allows cannot join
    /// MFARequired (LimitExceeded): both MFA plans leave them out and say so;
    /// the quota GetAccountSummary reports is the one used.
    #[test]
    fn mfa_plans_leave_out_users_at_the_groups_quota() {
        let t = T::new();
        let mut inv = with_empty_mfa_group(&demo());
        if let Some(iam) = inv.iam.ready_mut()
            && let Some(u) = iam.users.iter_mut().find(|u| u.name == "dana")
        {
            u.groups = (0..10).map(|i| format!("team-{i}")).collect();
        }
        let added = |plan: &crate::plan::Plan| -> Vec<String> {
            plan.ops()
                .filter_map(|o| match o {
                    Op::AddUserToGroup(crate::aws::ops::AddUserToGroup { user, .. }) => {
                        Some(user.clone())
                    }
                    _ => None,
                })
                .collect()
        };
        for id in ["account.mfa-policy", "account.console-users-mfa"] {
            let plan = t.plan(&inv, id, &Inputs::default()).expect("plan");
            assert!(!added(&plan).contains(&"dana".to_string()), "{id}");
            assert!(
                plan.warnings
                    .iter()
                    .any(|w| w.contains("dana") && w.contains("LimitExceeded")),
                "{id}: {:?}",
                plan.warnings
            );
        }
        let only = Inputs {
            resources: vec!["user/dana".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, "account.mfa-policy", &only),
            Err(PlanError::Guided(m)) if m.contains("dana")
        ));
        // An account whose summary reports a larger quota.
        if let Some(s) = inv.account_summary.ready_mut() {
            s.quotas.groups_per_user = 11;
        }
        let plan = t
            .plan(&inv, "account.mfa-policy", &Inputs::default())
            .expect("plan");
        assert!(added(&plan).contains(&"dana".to_string()));
    }

    /// In the China partition every ARN the account plans write names
    /// `aws-cn`, and the preview model accepts them.
    #[test]
    fn account_plans_name_the_caller_partition() {
        let t = T::new();
        let mut inv = demo();
        inv.identity = Part::Ready(Identity {
            account: "111122223333".into(),
            arn: "arn:aws-cn:sts::111122223333:assumed-role/Admin/moat".into(),
            user_id: "AROADEMO:moat".into(),
        });
        if let Some(iam) = inv.iam.ready_mut() {
            iam.groups.retain(|g| g.name != "Administrators");
        }
        for id in ["account.backup-admin", "account.mfa-policy"] {
            let plan = t.plan(&inv, id, &Inputs::default()).expect("plan");
            let ops: Vec<_> = plan.ops().collect();
            let text = serde_json::to_string(&ops).expect("json");
            assert!(text.contains("arn:aws-cn:"), "{id}: {text}");
            assert!(!text.contains("arn:aws:"), "{id}: {text}");
            t.fix(&inv, id, &Inputs::default());
        }
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
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DeletePasswordPolicy(
                crate::aws::ops::DeletePasswordPolicy
            )])
        );
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

    /// Set a console user's password dates (days before `now()`).
    fn password(
        inv: &mut Inventory,
        user: &str,
        used: Option<i64>,
        changed: Option<i64>,
        created: Option<i64>,
    ) {
        let at = |d: Option<i64>| d.map(|d| now() - Duration::days(d));
        if let Some(rows) = inv.credential_report.ready_mut()
            && let Some(r) = rows.iter_mut().find(|r| r.user == user)
        {
            r.password_enabled = true;
            r.password_last_used = at(used);
            r.password_last_changed = at(changed);
            r.user_creation_time = at(created);
        }
    }

    /// CIS 2.11: console passwords unused for 45 days are stale too; a
    /// password never used is aged from when it was set, not from the user.
    #[test]
    fn stale_console_passwords() {
        const ID: &str = "account.stale-access-keys";
        let t = T::new();
        let mut inv = demo();
        if let Some(iam) = inv.iam.ready_mut() {
            for u in iam.users.iter_mut() {
                u.access_keys.clear();
            }
        }
        assert_eq!(t.status(&inv, ID), Status::Pass);
        password(&mut inv, "ops-admin", Some(44), Some(300), Some(900));
        password(&mut inv, "dana", Some(45), Some(300), Some(900));
        // Never used: set 50 days ago (stale), 10 days ago for an old user (not).
        password(&mut inv, "lee", None, Some(50), Some(900));
        password(&mut inv, "ci-deploy", None, Some(10), Some(900));
        // No password-set date: the user's creation counts.
        password(&mut inv, "backup-sync", None, None, Some(60));
        // A disabled password is not a credential.
        if let Some(rows) = inv.credential_report.ready_mut() {
            for r in rows.iter_mut() {
                if r.user == "legacy-reporting" {
                    r.password_enabled = false;
                    r.password_last_used = Some(now() - Duration::days(400));
                }
            }
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail);
        let res: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(res, vec!["user/dana", "user/lee", "user/backup-sync"]);
        assert!(r.findings[0].detail.contains("45 days"), "{:?}", r.findings);
        assert!(r.findings[1].detail.contains("never"), "{:?}", r.findings);
        assert!(r.summary.contains("3 console password"), "{}", r.summary);
        // The password part is guided: deleting a login profile has no undo.
        assert!(matches!(
            t.plan(&inv, ID, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("dana, lee, backup-sync")
        ));
        // With a stale key too, the plan deactivates the key and says the
        // passwords are left to the user.
        if let Some(iam) = inv.iam.ready_mut()
            && let Some(u) = iam.users.iter_mut().find(|u| u.name == "ci-deploy")
        {
            u.access_keys = vec![key("AKIAOLD", KeyStatus::Active, 200, Some(100))];
        }
        let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
        let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
        assert_eq!(actions, vec!["iam:UpdateAccessKey"]);
        assert!(plan.is_reversible());
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("dana, lee, backup-sync")),
            "{:?}",
            plan.warnings
        );
        let only_dana = Inputs {
            resources: vec!["user/dana".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, ID, &only_dana),
            Err(PlanError::Guided(m)) if m.contains("dana") && !m.contains("lee")
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
