//! Centralized root access: the organization's features (sent with the
//! caller's own credentials, those of the management account), and the
//! removal of a member account's root user credentials (sent in a root
//! session of that account, sts:AssumeRoot with `IAMDeleteRootUserCredentials`).
//! Removing a root credential cannot be undone: only the account's root user
//! (through password recovery) or a new root session can make new ones.

use crate::aws::iam::root_access::{OrgRootAccess, RootCredentials, RootFeatures};
use crate::aws::inventory::{ApplyError, Inventory, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn org_mut(inv: &mut Inventory) -> Result<&mut OrgRootAccess, ApplyError> {
    inv.root_access
        .ready_mut()
        .ok_or(ApplyError::NotReady("centralized root access"))?
        .organization
        .as_mut()
        .ok_or_else(|| ApplyError::NoSuch("organization".into()))
}

fn features_mut(inv: &mut Inventory) -> Result<&mut RootFeatures, ApplyError> {
    org_mut(inv)?
        .features
        .as_mut()
        .map_err(|_| ApplyError::NotRead("organization's root access features"))
}

fn credentials_mut<'a>(
    inv: &'a mut Inventory,
    account: &str,
) -> Result<&'a mut RootCredentials, ApplyError> {
    let org = org_mut(inv)?;
    if org.account != account {
        return Err(ApplyError::Conflict(format!(
            "this plan removes root credentials of account {account}, but the account is {}",
            org.account
        )));
    }
    match org.audit.as_mut() {
        Some(Ok(c)) => Ok(c),
        _ => Err(ApplyError::NotRead("root user's credentials")),
    }
}

/// organizations:EnableAWSServiceAccess for `iam.amazonaws.com` (trusted
/// access for IAM), which both features need. Not undone by moat: turning
/// it off (in Organizations) also turns both features off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableIamTrustedAccess {
    /// The organization (checked before sending: never another one).
    pub organization: String,
}

impl OpKind for EnableIamTrustedAccess {
    const ACTION: &'static str = "organizations:EnableAWSServiceAccess";

    fn resource(&self) -> ResourceRef {
        ResourceRef::OrgRootAccess
    }

    fn describe(&self) -> String {
        format!(
            "turn on trusted access for IAM in organization {}",
            self.organization
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        features_mut(inv)?.trusted_access = true;
        Ok(())
    }

    fn inverse(&self, _: &Inventory) -> Option<Vec<Op>> {
        None
    }
}

/// Which centralized root access feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootFeature {
    /// `RootCredentialsManagement`.
    CredentialsManagement,
    /// `RootSessions`.
    RootSessions,
}

impl RootFeature {
    pub fn api_name(self) -> &'static str {
        match self {
            RootFeature::CredentialsManagement => "RootCredentialsManagement",
            RootFeature::RootSessions => "RootSessions",
        }
    }

    fn flag(self, f: &mut RootFeatures) -> &mut bool {
        match self {
            RootFeature::CredentialsManagement => &mut f.credentials_management,
            RootFeature::RootSessions => &mut f.root_sessions,
        }
    }
}

fn set_feature(inv: &mut Inventory, feature: RootFeature, on: bool) -> Result<(), ApplyError> {
    let f = features_mut(inv)?;
    if !f.trusted_access {
        return Err(ApplyError::Conflict(
            "trusted access for IAM is not enabled in the organization".into(),
        ));
    }
    *feature.flag(f) = on;
    Ok(())
}

/// The feature as it was, or `None` when it was not read.
fn feature_before(before: &Inventory, feature: RootFeature) -> Option<bool> {
    let org = before.root_access.ready()?.organization.as_ref()?;
    let mut f = *org.features.as_ref().ok()?;
    Some(*feature.flag(&mut f))
}

/// One op type per feature and direction (each is its own IAM action):
/// `$name { }` turns `$feature` on or off; its inverse restores it as it was.
macro_rules! feature_op {
    ($(#[$doc:meta])* $name:ident, $inverse:ident, $action:literal, $feature:ident, $on:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// The organization (checked before sending: never another one).
            pub organization: String,
        }

        impl OpKind for $name {
            const ACTION: &'static str = $action;

            fn resource(&self) -> ResourceRef {
                ResourceRef::OrgRootAccess
            }

            fn describe(&self) -> String {
                format!(
                    "turn {} {} for every member account of organization {}",
                    if $on { "on" } else { "off" },
                    RootFeature::$feature.api_name(),
                    self.organization
                )
            }

            fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                set_feature(inv, RootFeature::$feature, $on)
            }

            fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                Some(if feature_before(before, RootFeature::$feature)? == $on {
                    vec![]
                } else {
                    vec![$inverse {
                        organization: self.organization.clone(),
                    }
                    .into()]
                })
            }
        }
    };
}

feature_op!(
    /// iam:EnableOrganizationsRootCredentialsManagement (management account only).
    EnableRootCredentialsManagement,
    DisableRootCredentialsManagement,
    "iam:EnableOrganizationsRootCredentialsManagement",
    CredentialsManagement,
    true
);
feature_op!(
    /// iam:DisableOrganizationsRootCredentialsManagement: only an undo sends it.
    DisableRootCredentialsManagement,
    EnableRootCredentialsManagement,
    "iam:DisableOrganizationsRootCredentialsManagement",
    CredentialsManagement,
    false
);
feature_op!(
    /// iam:EnableOrganizationsRootSessions (management account only).
    EnableRootSessions,
    DisableRootSessions,
    "iam:EnableOrganizationsRootSessions",
    RootSessions,
    true
);
feature_op!(
    /// iam:DisableOrganizationsRootSessions: only an undo sends it.
    DisableRootSessions,
    EnableRootSessions,
    "iam:DisableOrganizationsRootSessions",
    RootSessions,
    false
);

/// One root user credential of a member account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RootCredentialRef {
    /// The console password (iam:DeleteLoginProfile).
    Password,
    /// iam:DeleteAccessKey.
    AccessKey { id: String },
    /// iam:DeleteSigningCertificate.
    SigningCertificate { id: String },
    /// iam:DeactivateMFADevice.
    MfaDevice { serial: String },
}

impl RootCredentialRef {
    /// The IAM call that removes it.
    pub fn action(&self) -> &'static str {
        match self {
            RootCredentialRef::Password => "iam:DeleteLoginProfile",
            RootCredentialRef::AccessKey { .. } => "iam:DeleteAccessKey",
            RootCredentialRef::SigningCertificate { .. } => "iam:DeleteSigningCertificate",
            RootCredentialRef::MfaDevice { .. } => "iam:DeactivateMFADevice",
        }
    }
}

/// Remove one root user credential of a member account, in a root session
/// of that account (sts:AssumeRoot with `IAMDeleteRootUserCredentials`, sent
/// with the caller's credentials). Cannot be undone; the confirmation asks
/// for the account id to be typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRootCredential {
    /// The member account (checked against the account the op is sent to).
    pub account: String,
    pub credential: RootCredentialRef,
}

impl OpKind for DeleteRootCredential {
    /// The call as the member's CloudTrail records it; the caller's policy
    /// grants sts:AssumeRoot, the task policy the call itself.
    const ACTION: &'static str = "iam:DeleteLoginProfile";
    const ROOT_SESSION: bool = true;

    fn call(&self) -> &'static str {
        self.credential.action()
    }

    fn resource(&self) -> ResourceRef {
        ResourceRef::RootCredentials
    }

    fn describe(&self) -> String {
        let what = match &self.credential {
            RootCredentialRef::Password => "the root user's password".to_string(),
            RootCredentialRef::AccessKey { id } => format!("root access key {id}"),
            RootCredentialRef::SigningCertificate { id } => {
                format!("root signing certificate {id}")
            }
            RootCredentialRef::MfaDevice { serial } => format!("root MFA device {serial}"),
        };
        format!("remove {what} of account {}", self.account)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let c = credentials_mut(inv, &self.account)?;
        let gone = match &self.credential {
            RootCredentialRef::Password => std::mem::take(&mut c.password),
            RootCredentialRef::AccessKey { id } => {
                remove_where(&mut c.access_keys, |k| &k.id == id)
            }
            RootCredentialRef::SigningCertificate { id } => {
                remove_where(&mut c.signing_certificates, |k| &k.id == id)
            }
            RootCredentialRef::MfaDevice { serial } => {
                remove_where(&mut c.mfa_devices, |s| s == serial)
            }
        };
        if gone {
            Ok(())
        } else {
            Err(ApplyError::NoSuch(self.describe()))
        }
    }

    fn inverse(&self, _: &Inventory) -> Option<Vec<Op>> {
        None
    }

    fn typed_confirmation(&self) -> Option<&str> {
        Some(&self.account)
    }
}

fn remove_where<T>(v: &mut Vec<T>, f: impl Fn(&T) -> bool) -> bool {
    let n = v.len();
    v.retain(|x| !f(x));
    v.len() != n
}
