//! Organizations and IAM's centralized root access: the organization's
//! features, and a member account's root user credentials.

use moat::aws::iam::root_access::{RootCredential, RootFeatures};
use moat::aws::inventory::{Inventory, KeyStatus, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    vec![
        Op::EnableIamTrustedAccess(ops::EnableIamTrustedAccess {
            organization: "o-demo1example".into(),
        }),
        Op::EnableRootCredentialsManagement(ops::EnableRootCredentialsManagement {
            organization: "o-demo1example".into(),
        }),
        Op::DisableRootCredentialsManagement(ops::DisableRootCredentialsManagement {
            organization: "o-demo1example".into(),
        }),
        Op::EnableRootSessions(ops::EnableRootSessions {
            organization: "o-demo1example".into(),
        }),
        Op::DisableRootSessions(ops::DisableRootSessions {
            organization: "o-demo1example".into(),
        }),
        Op::DeleteRootCredential(ops::DeleteRootCredential {
            account: super::ACCOUNT.into(),
            credential: ops::RootCredentialRef::Password,
        }),
    ]
}

/// The position of an op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::EnableIamTrustedAccess(_) => 0,
        Op::EnableRootCredentialsManagement(_) => 1,
        Op::DisableRootCredentialsManagement(_) => 2,
        Op::EnableRootSessions(_) => 3,
        Op::DisableRootSessions(_) => 4,
        Op::DeleteRootCredential(_) => 5,
        other => unreachable!("not an Organizations op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[
    (
        "enable_iam_trusted_access",
        "turning IAM's trusted access off again (in Organizations) also turns both features off; moat leaves it on",
    ),
    (
        "delete_root_credential",
        "a removed root credential cannot be restored: only a new root session can allow password recovery",
    ),
];

/// "demo": a member account whose root user has a password and a key, with
/// RootCredentialsManagement off (the demo data). "bare-account": the
/// management account of an organization with trusted access for IAM and
/// both features off. "half-done": the management account with trusted
/// access on and both features off (a plan undo can reverse whole).
pub fn seed(scenario: &str, inv: &mut Inventory) {
    let features = match scenario {
        "bare-account" => RootFeatures::default(),
        "half-done" => RootFeatures {
            trusted_access: true,
            ..RootFeatures::default()
        },
        _ => return,
    };
    let Some(org) = inv
        .root_access
        .ready_mut()
        .and_then(|r| r.organization.as_mut())
    else {
        return;
    };
    org.account = org.management_account.clone();
    org.features = Ok(features);
    org.audit = None;
}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    super::insert_documented(inv, out, ResourceRef::OrgRootAccess);
    super::insert_documented(inv, out, ResourceRef::RootCredentials);
}

pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    let org = inv
        .root_access
        .ready_mut()
        .and_then(|r| r.organization.as_mut())
        .expect("organization");
    match r {
        ResourceRef::OrgRootAccess => {
            let f = org.features.as_mut().expect("features");
            f.root_sessions = !f.root_sessions;
        }
        _ => {
            let c = org
                .audit
                .as_mut()
                .and_then(|a| a.as_mut().ok())
                .expect("audit");
            c.access_keys.push(RootCredential {
                id: "AKIADRIFTROOT0000001".into(),
                status: KeyStatus::Active,
            });
        }
    }
}
