//! The root user: no access keys, MFA on a hardware or virtual device.

use super::*;
use crate::aws::iam::root_access::is_virtual_mfa;

pub(super) const ROOT_KEYS: &str = "account.root-access-keys";

/// A failing finding on root access key `key_id`.
fn key_finding(key_id: &str, detail: String) -> Finding {
    Finding::fail(
        ResourceRef::RootKey {
            key_id: key_id.to_string(),
        }
        .to_string(),
        detail,
    )
}

pub(super) fn root_access_keys(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(summary), Some(iam), Some(id)) = (
        inv.account_summary.ready(),
        inv.iam.ready(),
        inv.identity.ready(),
    ) else {
        return Outcome::pass(String::new());
    };
    // A member account: the organization's audit session listed them (a
    // root caller sees its own keys, below).
    if let Some(c) = audited_root(inv).filter(|_| !id.is_root()) {
        // The account's own summary must agree: keys it counts that the
        // audit did not list are never a pass.
        if c.access_keys.is_empty() && summary.account_access_keys_present {
            return error_outcome(ResourceRef::Account, msg(ROOT_KEYS, "audit_disagrees", &[]));
        }
        let findings = c
            .access_keys
            .iter()
            .map(|k| {
                key_finding(
                    &k.id,
                    msg(
                        ROOT_KEYS,
                        "audited_key",
                        &[("key", &k.id), ("status", k.status.as_str())],
                    ),
                )
            })
            .collect();
        return Outcome::from_findings(
            findings,
            msg(ROOT_KEYS, "pass", &[]),
            msg(ROOT_KEYS, "fail", &[]),
        );
    }
    if !summary.account_access_keys_present {
        return Outcome::pass(msg(ROOT_KEYS, "pass", &[]));
    }
    // Only a root caller can see the root user's keys.
    if id.is_root() && !iam.root_keys.is_empty() {
        let findings: Vec<Finding> = iam
            .root_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .map(|k| key_finding(&k.id, msg(ROOT_KEYS, "active_key", &[("key", &k.id)])))
            .collect();
        if findings.is_empty() {
            // Deactivated keys still exist (CIS 2.3 wants none): deleting them
            // is left to the user, once nothing needs them.
            let findings = iam
                .root_keys
                .iter()
                .map(|k| key_finding(&k.id, msg(ROOT_KEYS, "inactive_key", &[("key", &k.id)])))
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
pub(super) fn root_mfa(inv: &Inventory, _: &Ctx) -> Outcome {
    const ID: &str = "account.root-mfa";
    let (Some(summary), Some(iam)) = (inv.account_summary.ready(), inv.iam.ready()) else {
        return Outcome::pass(String::new());
    };
    // A member account: the organization's audit session read its root user.
    if let Some(c) = audited_root(inv) {
        // No credential at all and no password recovery (the organization
        // manages root credentials): as AWS Config's root MFA rules say,
        // MFA does not apply to a root user nobody can sign in as.
        if c.is_empty() && root_credentials_managed(inv) {
            return crate::checks::kit::not_applicable(msg(ID, "pass_no_credentials", &[]));
        }
        if c.mfa_devices.is_empty() {
            return Outcome::from_findings(
                vec![Finding::fail(
                    ResourceRef::Account.to_string(),
                    msg(ID, "finding", &[]),
                )],
                String::new(),
                msg(ID, "fail", &[]),
            );
        }
        let findings = c
            .mfa_devices
            .iter()
            .filter(|s| is_virtual_mfa(s))
            .map(|s| {
                Finding::fail(
                    ResourceRef::Account.to_string(),
                    msg(ID, "virtual", &[("serial", s)]),
                )
            })
            .collect();
        return Outcome::from_findings(
            findings,
            msg(ID, "pass", &[]),
            msg(ID, "fail_virtual", &[]),
        );
    }
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
            return error_outcome(
                ResourceRef::Account,
                msg(ID, "unreadable", &[("error", &e.to_string())]),
            );
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
