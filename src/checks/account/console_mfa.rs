//! MFA for console users: each has a device, or a group policy that denies
//! everything without one.

use super::*;

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

pub(super) fn managed_enforces_mfa(iam: &Iam, arn: &str) -> bool {
    iam.policy(arn)
        .is_some_and(|p| policy::enforces_mfa(&p.document))
}

/// Does the group carry a policy (attached or inline) that enforces MFA?
pub fn group_enforces_mfa(iam: &Iam, g: &crate::aws::inventory::Group) -> bool {
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

pub(super) fn console_users_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.console-users-mfa";
    let Some(iam) = inv.iam.ready() else {
        return Outcome::pass(String::new());
    };
    let enforcing = mfa_groups(iam);
    let users = console_users(inv);
    let without_mfa: Vec<&crate::aws::inventory::CredentialReportRow> = users
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
pub(super) fn unreadable_user(u: &User) -> Option<Finding> {
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
pub(super) fn with_user_errors(mut outcome: Outcome, errors: Vec<Finding>) -> Outcome {
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
pub(super) fn mfa_policy(inv: &Inventory, _: &Ctx) -> Outcome {
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
