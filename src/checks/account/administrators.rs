//! Who administers the account: users and roles with full admin rights, how
//! they are trusted, and a second administrator besides the caller.

use super::*;

/// Does a managed policy ARN grant full admin (AdministratorAccess, or a
/// document allowing `*` on `*`)?
pub(super) fn policy_is_admin(iam: &Iam, arn: &str) -> bool {
    is_aws_managed_policy(arn, crate::access::ADMINISTRATOR_ACCESS)
        || iam
            .policy(arn)
            .is_some_and(|p| policy::grants_full_admin(&p.document))
}

pub(super) fn user_is_admin(iam: &Iam, u: &User) -> bool {
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

pub(super) fn role_is_admin(iam: &Iam, r: &Role) -> bool {
    r.attached_policies.iter().any(|a| policy_is_admin(iam, a))
        || r.inline_policies
            .iter()
            .any(|p| policy::grants_full_admin(&p.document))
}

/// The identity policies of a principal (attached and inline; `group`: the
/// group they come through), each with how findings name it.
pub(super) fn labelled_docs<'a>(
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
pub(super) fn admin_cut(
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

pub(super) fn user_admin_cut(iam: &Iam, u: &User, who: &str) -> Option<String> {
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

pub(super) fn role_admin_cut(iam: &Iam, r: &Role, who: &str) -> Option<String> {
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
pub(super) const WORKLOAD_OIDC_ISSUERS: &[&str] = &[
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
pub(super) enum RoleTrust {
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
pub(super) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// An IAM Identity Center role: `AWSReservedSSO_…` under the reserved path.
pub(super) fn is_identity_center_role(r: &Role) -> bool {
    r.name.starts_with("AWSReservedSSO_") && r.arn.contains(":role/aws-reserved/sso.amazonaws.com/")
}

/// What a role's trust policy lets in, human sign-in first.
pub(super) fn role_trust(r: &Role) -> RoleTrust {
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

pub(super) fn backup_admin(inv: &Inventory, _: &Ctx) -> Outcome {
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
