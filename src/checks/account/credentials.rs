//! Credentials: the password policy, and passwords and access keys left unused.

use super::*;

pub(super) fn password_policy(inv: &Inventory, ctx: &Ctx) -> Outcome {
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
pub fn key_staleness(k: &crate::aws::inventory::AccessKey, ctx: &Ctx) -> Option<String> {
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

pub(super) fn stale_access_keys(inv: &Inventory, ctx: &Ctx) -> Outcome {
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
