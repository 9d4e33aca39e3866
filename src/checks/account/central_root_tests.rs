//! `account.central-root-access`, and the root items reading the
//! organization's audit of a member account.

use super::*;
use crate::aws::iam::root_access::{
    OrgRootAccess, RootAccess, RootCredential, RootCredentials, RootFeatures,
};
use crate::aws::inventory::{Part, PartError};
use crate::checks::testkit::T;
use crate::collect::demo::demo_inventory;
use crate::plan::{Inputs, Op, PlanError};

const MEMBER: &str = "111122223333";
const MANAGEMENT: &str = "999988887777";

fn all_on() -> RootFeatures {
    RootFeatures {
        trusted_access: true,
        credentials_management: true,
        root_sessions: true,
    }
}

fn with_org(
    account: &str,
    caller: &str,
    features: Result<RootFeatures, PartError>,
    audit: Option<Result<RootCredentials, PartError>>,
) -> Inventory {
    let mut inv = demo_inventory().expect("demo");
    inv.root_access = Part::of(RootAccess {
        organization: Some(OrgRootAccess {
            id: "o-test".into(),
            management_account: MANAGEMENT.into(),
            caller_account: caller.into(),
            account: account.into(),
            features,
            audit,
        }),
        error: None,
    });
    inv
}

fn creds() -> RootCredentials {
    RootCredentials {
        password: true,
        access_keys: vec![RootCredential {
            id: "AKIAROOT1".into(),
            status: KeyStatus::Inactive,
        }],
        signing_certificates: vec![RootCredential {
            id: "CERT1".into(),
            status: KeyStatus::Active,
        }],
        mfa_devices: vec!["arn:aws:iam::111122223333:mfa/root-account-mfa-device".into()],
    }
}

#[test]
fn a_member_without_root_credentials_passes() {
    let t = T::new();
    let inv = with_org(
        MEMBER,
        MANAGEMENT,
        Ok(all_on()),
        Some(Ok(RootCredentials::default())),
    );
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Pass);
    // No credential and no password recovery: MFA does not apply.
    assert_eq!(t.status(&inv, "account.root-mfa"), Status::NotApplicable);
    let mut summary_agrees = inv.clone();
    if let Some(s) = summary_agrees.account_summary.ready_mut() {
        s.account_access_keys_present = false;
    }
    assert_eq!(t.status(&summary_agrees, ROOT_KEYS), Status::Pass);
    // The account's own summary counts root keys the audit did not list:
    // never a pass.
    assert_eq!(t.status(&inv, ROOT_KEYS), Status::Error);
}

#[test]
fn an_organization_with_consolidated_billing_only_fails_and_is_guided() {
    let t = T::new();
    let e = PartError::new(
        "iam:ListOrganizationsFeatures",
        Some("OrganizationNotInAllFeaturesModeException".into()),
        "not all features",
    );
    let inv = with_org(MEMBER, MANAGEMENT, Err(e), None);
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Fail);
    assert!(matches!(
        t.plan(&inv, CENTRAL_ROOT, &Inputs::default()),
        Err(PlanError::Guided(_))
    ));
}

#[test]
fn every_root_credential_of_a_member_fails_and_the_fix_removes_them_all() {
    let t = T::new();
    let inv = with_org(MEMBER, MANAGEMENT, Ok(all_on()), Some(Ok(creds())));
    let r = t.eval(&inv, CENTRAL_ROOT);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.findings.len(), 4, "{:?}", r.findings);
    // The root items read the audit, not the caller's own account summary.
    assert_eq!(t.resources(&inv, ROOT_KEYS), vec!["root/key/AKIAROOT1"]);
    assert_eq!(t.status(&inv, "account.root-mfa"), Status::Fail);
    assert!(matches!(
        t.plan(&inv, ROOT_KEYS, &Inputs::default()),
        Err(PlanError::Guided(_))
    ));

    let plan = t
        .plan(&inv, CENTRAL_ROOT, &Inputs::default())
        .expect("plan");
    assert_eq!(plan.steps.len(), 4);
    assert!(plan.steps.iter().all(|s| s.inverse.is_none()));
    assert_eq!(plan.typed_confirmation(), Some(MEMBER));
    let calls: Vec<&str> = plan.ops().map(Op::action).collect();
    assert_eq!(
        calls,
        [
            "iam:DeleteLoginProfile",
            "iam:DeleteAccessKey",
            "iam:DeleteSigningCertificate",
            "iam:DeactivateMFADevice"
        ]
    );
    let mut after = inv.clone();
    for op in plan.ops() {
        after.apply(op).expect("apply");
    }
    assert_eq!(t.status(&after, CENTRAL_ROOT), Status::Pass);
}

#[test]
fn features_off_are_turned_on_by_the_management_account_and_undone() {
    let t = T::new();
    let inv = with_org(MANAGEMENT, MANAGEMENT, Ok(RootFeatures::default()), None);
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Fail);
    let plan = t
        .plan(&inv, CENTRAL_ROOT, &Inputs::default())
        .expect("plan");
    let calls: Vec<&str> = plan.ops().map(Op::action).collect();
    assert_eq!(
        calls,
        [
            "organizations:EnableAWSServiceAccess",
            "iam:EnableOrganizationsRootCredentialsManagement",
            "iam:EnableOrganizationsRootSessions"
        ]
    );
    // No typed confirmation: nothing here locks anyone out.
    assert_eq!(plan.typed_confirmation(), None);
    let mut after = inv.clone();
    for op in plan.ops() {
        after.apply(op).expect("apply");
    }
    assert_eq!(t.status(&after, CENTRAL_ROOT), Status::Pass);

    // Trusted access on: only the features, and undo turns them off again.
    let inv = with_org(
        MANAGEMENT,
        MANAGEMENT,
        Ok(RootFeatures {
            trusted_access: true,
            ..RootFeatures::default()
        }),
        None,
    );
    let after = t.fix(&inv, CENTRAL_ROOT, &Inputs::default());
    assert_eq!(t.status(&after, CENTRAL_ROOT), Status::Pass);
}

#[test]
fn a_member_with_sessions_off_fails_and_is_not_called_clean() {
    let t = T::new();
    let inv = with_org(
        MEMBER,
        MANAGEMENT,
        Ok(RootFeatures {
            trusted_access: true,
            credentials_management: true,
            root_sessions: false,
        }),
        None,
    );
    let r = t.eval(&inv, CENTRAL_ROOT);
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.findings
            .iter()
            .any(|f| f.resource == "root/credentials" && f.status == Status::Manual)
    );
    let plan = t
        .plan(&inv, CENTRAL_ROOT, &Inputs::default())
        .expect("plan");
    assert_eq!(plan.steps.len(), 1);
    assert!(!plan.warnings.is_empty(), "says to scan again");
}

#[test]
fn a_caller_that_is_not_the_organizations_administrator_is_told_where_to_run() {
    let t = T::new();
    let denied = PartError::new(
        "iam:ListOrganizationsFeatures",
        Some("AccountNotManagementOrDelegatedAdministratorException".into()),
        "not the management account",
    );
    let inv = with_org(MEMBER, MEMBER, Err(denied), None);
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Manual);
    assert!(matches!(
        t.plan(&inv, CENTRAL_ROOT, &Inputs::default()),
        Err(PlanError::Guided(_))
    ));
    // The root items keep judging the account as before.
    assert_eq!(t.resources(&inv, ROOT_KEYS), vec!["account"]);
}

#[test]
fn a_failed_audit_or_read_is_an_error_never_a_pass() {
    let t = T::new();
    let refused = PartError::new("sts:AssumeRoot", Some("AccessDenied".into()), "denied");
    let inv = with_org(MEMBER, MANAGEMENT, Ok(all_on()), Some(Err(refused.clone())));
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Error);
    let inv = with_org(MEMBER, MANAGEMENT, Err(refused.clone()), None);
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Error);
    let mut inv = demo_inventory().expect("demo");
    inv.root_access = Part::of(RootAccess {
        organization: None,
        error: Some(refused),
    });
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::Error);
}

#[test]
fn an_account_outside_any_organization_is_not_applicable() {
    let t = T::new();
    let mut inv = demo_inventory().expect("demo");
    inv.root_access = Part::of(RootAccess::default());
    assert_eq!(t.status(&inv, CENTRAL_ROOT), Status::NotApplicable);
}

#[test]
fn a_plan_for_one_account_is_never_applied_to_another() {
    let t = T::new();
    let inv = with_org(MEMBER, MANAGEMENT, Ok(all_on()), Some(Ok(creds())));
    let plan = t
        .plan(&inv, CENTRAL_ROOT, &Inputs::default())
        .expect("plan");
    let other = with_org("444455556666", MANAGEMENT, Ok(all_on()), Some(Ok(creds())));
    let mut other = other;
    let first = plan.ops().next().expect("an op");
    assert!(other.apply(first).is_err());
}
