//! Centralized root access for member accounts (AWS Organizations with IAM):
//! the organization's two features, and a member account's root user
//! credentials as an audit session (sts:AssumeRoot with the task policy
//! `IAMAuditRootUserCredentials`) sees them.

use crate::aws::inventory::{KeyStatus, PartError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The AWS-managed task policies moat uses with sts:AssumeRoot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RootTask {
    /// Read the root user's password, keys, certificates and MFA devices.
    Audit,
    /// Delete them (and read them).
    Delete,
}

impl RootTask {
    /// The task policy's name (`arn:PARTITION:iam::aws:policy/root-task/NAME`).
    pub fn policy_name(self) -> &'static str {
        match self {
            RootTask::Audit => "IAMAuditRootUserCredentials",
            RootTask::Delete => "IAMDeleteRootUserCredentials",
        }
    }

    pub fn policy_arn(self, partition: &str) -> String {
        format!(
            "arn:{partition}:iam::aws:policy/root-task/{}",
            self.policy_name()
        )
    }
}

/// What moat knows of the account's place in centralized root access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RootAccess {
    /// The caller's organization; `None`: the caller's account is in none
    /// (or it could not be read: `error`).
    pub organization: Option<OrgRootAccess>,
    /// organizations:DescribeOrganization failed (other than "not in an
    /// organization"): only the centralized root access item reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<PartError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRootAccess {
    pub id: String,
    /// The management account's id.
    pub management_account: String,
    /// The account whose credentials read this (moat's caller).
    pub caller_account: String,
    /// The account this inventory is of.
    pub account: String,
    /// iam:ListOrganizationsFeatures as the caller sees it. Its error when
    /// the caller may not read it (a member account that is not the
    /// delegated administrator: `AccountNotManagementOrDelegatedAdministratorException`).
    pub features: Result<RootFeatures, PartError>,
    /// The account's root user credentials, read through an audit session:
    /// `None` when none could be opened (the management account's own root
    /// user, or root sessions not enabled), its error when it failed.
    pub audit: Option<Result<RootCredentials, PartError>>,
}

impl OrgRootAccess {
    /// Whether the account is the organization's management account (whose
    /// own root user centralized root access does not cover).
    pub fn is_management(&self) -> bool {
        self.account == self.management_account
    }

    /// Whether the caller is the management account (only it may turn the
    /// features and IAM's trusted access on).
    pub fn caller_is_management(&self) -> bool {
        self.caller_account == self.management_account
    }

    /// The audit's answer, when it was read.
    pub fn credentials(&self) -> Option<&RootCredentials> {
        self.audit.as_ref().and_then(|a| a.as_ref().ok())
    }
}

/// The organization's centralized root access features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RootFeatures {
    /// Trusted access for IAM in Organizations (organizations:
    /// EnableAWSServiceAccess for `iam.amazonaws.com`): without it IAM
    /// answers `ServiceAccessNotEnabledException` and neither feature is on.
    pub trusted_access: bool,
    /// `RootCredentialsManagement`: root credentials of member accounts can be
    /// removed centrally, and new member accounts are made without any.
    pub credentials_management: bool,
    /// `RootSessions`: the management account (or delegated administrator)
    /// can open task-scoped root sessions in member accounts (sts:AssumeRoot).
    pub root_sessions: bool,
}

impl RootFeatures {
    pub fn all_on(&self) -> bool {
        self.trusted_access && self.credentials_management && self.root_sessions
    }

    pub fn document(&self) -> Value {
        let mut enabled = Vec::new();
        if self.credentials_management {
            enabled.push("RootCredentialsManagement");
        }
        if self.root_sessions {
            enabled.push("RootSessions");
        }
        json!({
            "IamTrustedAccess": self.trusted_access,
            "EnabledFeatures": enabled,
        })
    }
}

/// One credential of the root user with an id (an access key, a signing certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootCredential {
    pub id: String,
    pub status: KeyStatus,
}

/// A member account's root user credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RootCredentials {
    /// A console password (iam:GetLoginProfile answered one).
    pub password: bool,
    pub access_keys: Vec<RootCredential>,
    pub signing_certificates: Vec<RootCredential>,
    /// MFA device serial numbers (an ARN `…:mfa/NAME` for a virtual device).
    pub mfa_devices: Vec<String>,
}

impl RootCredentials {
    pub fn is_empty(&self) -> bool {
        !self.password
            && self.access_keys.is_empty()
            && self.signing_certificates.is_empty()
            && self.mfa_devices.is_empty()
    }

    pub fn document(&self) -> Value {
        let ids = |v: &[RootCredential]| -> Vec<Value> {
            v.iter()
                .map(|c| json!({ "Id": c.id, "Status": c.status.as_str() }))
                .collect()
        };
        json!({
            "Password": self.password,
            "AccessKeys": ids(&self.access_keys),
            "SigningCertificates": ids(&self.signing_certificates),
            "MFADevices": self.mfa_devices,
        })
    }
}

/// Whether an MFA serial number names a virtual device (an ARN `…:mfa/…`)
/// rather than a hardware one (a plain serial).
pub fn is_virtual_mfa(serial: &str) -> bool {
    serial.starts_with("arn:") && serial.contains(":mfa/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_policy_arns_follow_the_partition() {
        assert_eq!(
            RootTask::Audit.policy_arn("aws"),
            "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
        );
        assert_eq!(
            RootTask::Delete.policy_arn("aws-us-gov"),
            "arn:aws-us-gov:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
        );
    }

    #[test]
    fn credentials_that_let_the_root_user_in() {
        let mut c = RootCredentials::default();
        assert!(c.is_empty());
        c.mfa_devices.push("GAHT12345678".into());
        assert!(!c.is_empty());
        assert!(!is_virtual_mfa("GAHT12345678"));
        assert!(is_virtual_mfa(
            "arn:aws:iam::123456789012:mfa/root-account-mfa-device"
        ));
    }
}
