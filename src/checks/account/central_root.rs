//! Centralized root access (AWS Organizations): the organization lets its
//! management account manage member accounts' root users, and a member
//! account's root user has no credentials at all.

use super::*;
use crate::aws::iam::ops::{
    DeleteRootCredential, EnableIamTrustedAccess, EnableRootCredentialsManagement,
    EnableRootSessions, RootCredentialRef,
};
use crate::aws::iam::root_access::{OrgRootAccess, RootCredentials, RootFeatures};
use crate::checks::kit::not_applicable;
use crate::plan::{Draft, Inputs, Op, PlanError};

pub(super) const CENTRAL_ROOT: &str = "account.central-root-access";

/// The code IAM answers a caller that is neither the management account nor
/// the delegated administrator (moat says the same of a caller outside the
/// account's organization).
const NOT_ADMIN: &str = "AccountNotManagementOrDelegatedAdministratorException";
/// IAM's answer for an organization with consolidated billing features only.
const NOT_ALL_FEATURES: &str = "OrganizationNotInAllFeaturesModeException";

/// An item that could not judge `resource`: `error`, with why.
pub(super) fn error_outcome(resource: ResourceRef, detail: String) -> Outcome {
    Outcome {
        status: Status::Error,
        summary: detail.clone(),
        findings: vec![Finding {
            resource: resource.to_string(),
            region: None,
            status: Status::Error,
            detail,
        }],
    }
}

/// The features that are off, by their AWS names.
fn missing_features(f: &RootFeatures) -> Vec<&'static str> {
    let mut off = Vec::new();
    if !f.trusted_access {
        off.push("trusted access for IAM");
    }
    if !f.credentials_management {
        off.push("RootCredentialsManagement");
    }
    if !f.root_sessions {
        off.push("RootSessions");
    }
    off
}

/// One failing finding per root credential left.
fn credential_findings(c: &RootCredentials) -> Vec<Finding> {
    let at = ResourceRef::RootCredentials.to_string();
    let mut out = Vec::new();
    if c.password {
        out.push(Finding::fail(&at, msg(CENTRAL_ROOT, "password", &[])));
    }
    for k in &c.access_keys {
        out.push(Finding::fail(
            &at,
            msg(
                CENTRAL_ROOT,
                "access_key",
                &[("key", &k.id), ("status", k.status.as_str())],
            ),
        ));
    }
    for k in &c.signing_certificates {
        out.push(Finding::fail(
            &at,
            msg(CENTRAL_ROOT, "certificate", &[("id", &k.id)]),
        ));
    }
    for s in &c.mfa_devices {
        out.push(Finding::fail(
            &at,
            msg(CENTRAL_ROOT, "mfa_device", &[("serial", s)]),
        ));
    }
    out
}

pub(super) fn central_root_access(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(ra) = inv.root_access.ready() else {
        return Outcome::pass(String::new());
    };
    if let Some(e) = &ra.error {
        return error_outcome(
            ResourceRef::OrgRootAccess,
            msg(CENTRAL_ROOT, "org_unreadable", &[("error", &e.summary())]),
        );
    }
    let Some(org) = &ra.organization else {
        return not_applicable(msg(CENTRAL_ROOT, "no_organization", &[]));
    };
    // The China regions have no root user.
    if inv.partition() == "aws-cn" {
        return not_applicable(msg(CENTRAL_ROOT, "no_root_user", &[]));
    }
    let features = match &org.features {
        Ok(f) => f,
        Err(e) if e.is_code(NOT_ALL_FEATURES) => {
            return Outcome::from_findings(
                vec![Finding::fail(
                    ResourceRef::OrgRootAccess.to_string(),
                    msg(CENTRAL_ROOT, "not_all_features", &[]),
                )],
                String::new(),
                msg(CENTRAL_ROOT, "fail", &[]),
            );
        }
        Err(e) if e.is_code(NOT_ADMIN) => {
            return Outcome {
                status: Status::Manual,
                summary: msg(CENTRAL_ROOT, "not_admin", &[]),
                findings: vec![Finding::manual(
                    ResourceRef::RootCredentials.to_string(),
                    msg(
                        CENTRAL_ROOT,
                        "not_admin_finding",
                        &[("management", &org.management_account)],
                    ),
                )],
            };
        }
        Err(e) => {
            return error_outcome(
                ResourceRef::OrgRootAccess,
                msg(
                    CENTRAL_ROOT,
                    "features_unreadable",
                    &[("error", &e.summary())],
                ),
            );
        }
    };
    let mut findings = Vec::new();
    let off = missing_features(features);
    if !off.is_empty() {
        findings.push(Finding::fail(
            ResourceRef::OrgRootAccess.to_string(),
            msg(CENTRAL_ROOT, "features_off", &[("off", &off.join(", "))]),
        ));
    }
    if org.is_management() {
        return Outcome::from_findings(
            findings,
            msg(CENTRAL_ROOT, "pass_management", &[]),
            msg(CENTRAL_ROOT, "fail", &[]),
        );
    }
    match &org.audit {
        Some(Ok(c)) => findings.extend(credential_findings(c)),
        Some(Err(e)) => findings.push(Finding {
            resource: ResourceRef::RootCredentials.to_string(),
            region: None,
            status: Status::Error,
            detail: msg(CENTRAL_ROOT, "audit_failed", &[("error", &e.summary())]),
        }),
        // Root sessions off (a finding above): the audit could not run.
        None => findings.push(Finding::manual(
            ResourceRef::RootCredentials.to_string(),
            msg(CENTRAL_ROOT, "not_audited", &[]),
        )),
    }
    Outcome::from_findings(
        findings,
        msg(CENTRAL_ROOT, "pass", &[]),
        msg(CENTRAL_ROOT, "fail", &[]),
    )
}

fn org(inv: &Inventory) -> Result<&OrgRootAccess, PlanError> {
    let ra = inv
        .root_access
        .ready()
        .ok_or(PlanError::NotReady(PartId::RootAccess))?;
    if let Some(e) = &ra.error {
        return Err(PlanError::Invalid(msg(
            CENTRAL_ROOT,
            "org_unreadable",
            &[("error", &e.summary())],
        )));
    }
    ra.organization
        .as_ref()
        .ok_or_else(|| PlanError::NothingToDo(msg(CENTRAL_ROOT, "no_organization", &[])))
}

/// The fix: with the management account's credentials, turn on IAM's trusted
/// access and the two features; in a member account whose root user was
/// audited, remove each root credential in a root session (cannot be
/// undone: the confirmation asks for the account id).
pub fn central_root_access_plan(inv: &Inventory, _: &Ctx, _: &Inputs) -> Result<Draft, PlanError> {
    let org = org(inv)?;
    let features = match &org.features {
        Ok(f) => f,
        Err(e) if e.is_code(NOT_ALL_FEATURES) => {
            return Err(PlanError::Guided(msg(
                CENTRAL_ROOT,
                "not_all_features",
                &[],
            )));
        }
        Err(e) if e.is_code(NOT_ADMIN) => {
            return Err(PlanError::Guided(msg(CENTRAL_ROOT, "not_admin", &[])));
        }
        Err(e) => {
            return Err(PlanError::Invalid(msg(
                CENTRAL_ROOT,
                "features_unreadable",
                &[("error", &e.summary())],
            )));
        }
    };
    let mut ops: Vec<Op> = Vec::new();
    let mut warnings = Vec::new();
    if !features.all_on() {
        if !org.caller_is_management() {
            return Err(PlanError::Guided(msg(
                CENTRAL_ROOT,
                "features_need_management",
                &[("management", &org.management_account)],
            )));
        }
        let organization = org.id.clone();
        if !features.trusted_access {
            ops.push(
                EnableIamTrustedAccess {
                    organization: organization.clone(),
                }
                .into(),
            );
        }
        if !features.credentials_management {
            ops.push(
                EnableRootCredentialsManagement {
                    organization: organization.clone(),
                }
                .into(),
            );
        }
        if !features.root_sessions {
            ops.push(EnableRootSessions { organization }.into());
        }
        warnings.push(msg(
            CENTRAL_ROOT,
            "whole_organization",
            &[("organization", &org.id)],
        ));
    }
    match &org.audit {
        Some(Ok(c)) if !org.is_management() => {
            let account = &org.account;
            let delete = |credential| -> Op {
                DeleteRootCredential {
                    account: account.clone(),
                    credential,
                }
                .into()
            };
            // MFA devices last: if a removal fails part-way, whatever is
            // left is still guarded by its MFA.
            if c.password {
                ops.push(delete(RootCredentialRef::Password));
            }
            for k in &c.access_keys {
                ops.push(delete(RootCredentialRef::AccessKey { id: k.id.clone() }));
            }
            for k in &c.signing_certificates {
                ops.push(delete(RootCredentialRef::SigningCertificate {
                    id: k.id.clone(),
                }));
            }
            for s in &c.mfa_devices {
                ops.push(delete(RootCredentialRef::MfaDevice { serial: s.clone() }));
            }
            if !c.is_empty() {
                warnings.push(msg(CENTRAL_ROOT, "irreversible", &[("account", account)]));
            }
        }
        Some(Err(e)) if !org.is_management() => {
            return Err(PlanError::Invalid(msg(
                CENTRAL_ROOT,
                "audit_failed",
                &[("error", &e.summary())],
            )));
        }
        None if !org.is_management() && !ops.is_empty() => {
            warnings.push(msg(CENTRAL_ROOT, "scan_again", &[]));
        }
        _ => {}
    }
    if ops.is_empty() {
        return Err(PlanError::NothingToDo(msg(CENTRAL_ROOT, "pass", &[])));
    }
    Ok(Draft { ops, warnings })
}

/// The root user's credentials as the organization's audit session read them,
/// for a member account (`None`: not read, or not a member account).
pub(super) fn audited_root(inv: &Inventory) -> Option<&RootCredentials> {
    let org = inv.root_access.ready()?.organization.as_ref()?;
    if org.is_management() {
        return None;
    }
    org.credentials()
}

/// Whether the organization manages its members' root credentials
/// (RootCredentialsManagement on): a member's root user without
/// credentials then cannot recover a password by e-mail either.
pub(super) fn root_credentials_managed(inv: &Inventory) -> bool {
    inv.root_access
        .ready()
        .and_then(|r| r.organization.as_ref())
        .and_then(|o| o.features.as_ref().ok())
        .is_some_and(|f| f.credentials_management)
}
