//! AWS Identity and Access Management: users, groups, roles, policies and
//! access keys; the credential report, the account password policy and the
//! account summary.

pub mod ops;
pub mod root_access;
pub(crate) mod sdk;

use crate::aws::inventory::{Fetched, PartError};
use crate::aws::sts::strip_arn_prefix;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The ARN of the account's own (customer-managed) IAM policy NAME:
/// `arn:PARTITION:iam::ACCOUNT:policy/NAME`.
pub fn customer_policy_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:policy/{name}")
}

/// The ARN of an AWS-managed IAM policy in `partition`
/// (`arn:PARTITION:iam::aws:policy/NAME`; NAME may hold a path).
pub fn aws_managed_policy_arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{name}")
}

/// Is `arn` the AWS-managed policy NAME (path included), in any partition?
pub fn is_aws_managed_policy(arn: &str, name: &str) -> bool {
    aws_managed_policy_name(arn) == Some(name)
}

/// The name (with its path) of an AWS-managed policy ARN, in any partition.
pub fn aws_managed_policy_name(arn: &str) -> Option<&str> {
    strip_arn_prefix(arn, "iam::aws:policy/")
}

/// The parts of iam:GetAccountSummary moat reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccountSummary {
    pub account_mfa_enabled: bool,
    pub account_access_keys_present: bool,
    pub users: i64,
    /// The account's IAM quotas on attachments and group memberships.
    #[serde(default)]
    pub quotas: IamQuotas,
}

/// IAM's default for the managed policies attached to one user, role or
/// group, and for the groups one user is in ("IAM and AWS STS quotas" in the
/// IAM User Guide). The policy quotas of users and roles can be raised (to
/// at most 20); groups per user cannot.
pub const DEFAULT_IAM_ATTACHMENT_QUOTA: u32 = 10;

/// The quotas GetAccountSummary reports (`AttachedPoliciesPerUserQuota`,
/// `AttachedPoliciesPerRoleQuota`, `AttachedPoliciesPerGroupQuota`,
/// `GroupsPerUserQuota`). An attachment or membership beyond them fails
/// with `LimitExceeded`, so plans leave out principals already at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IamQuotas {
    pub policies_per_user: u32,
    pub policies_per_role: u32,
    pub policies_per_group: u32,
    pub groups_per_user: u32,
}

impl Default for IamQuotas {
    /// IAM's defaults: what an account has unless a raise was granted.
    fn default() -> Self {
        IamQuotas {
            policies_per_user: DEFAULT_IAM_ATTACHMENT_QUOTA,
            policies_per_role: DEFAULT_IAM_ATTACHMENT_QUOTA,
            policies_per_group: DEFAULT_IAM_ATTACHMENT_QUOTA,
            groups_per_user: DEFAULT_IAM_ATTACHMENT_QUOTA,
        }
    }
}

/// The IAM quotas of the account: those GetAccountSummary reported, or
/// IAM's defaults when the summary was not read.
pub fn iam_quotas(summary: Option<&AccountSummary>) -> IamQuotas {
    summary.map(|s| s.quotas).unwrap_or_default()
}

/// Is `role` one of the roles AWS Control Tower sets up and protects with
/// its mandatory control AWS-GR_IAM_ROLE_CHANGE_PROHIBITED (an SCP denying
/// AttachRolePolicy, PutRolePolicy, DetachRolePolicy and the other role
/// writes on `aws-controltower-*`, `*AWSControlTower*` and
/// `stacksets-exec-*` to everyone but Control Tower itself)? A change moat
/// sends to it is refused with AccessDenied.
pub fn is_control_tower_role(role: &str) -> bool {
    role.starts_with("aws-controltower-")
        || role.contains("AWSControlTower")
        || role.starts_with("stacksets-exec-")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    pub status: KeyStatus,
    pub created: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Serial numbers (ARNs) of the user's MFA devices.
    #[serde(default)]
    pub mfa_devices: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// ARNs of attached managed policies.
    #[serde(default)]
    pub attached_policies: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// Why this user's own reads (access keys, MFA devices) failed, when
    /// they did: its keys and devices are then unknown, not empty, and the
    /// items that need them say `error` for this user only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<PartError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub attached_policies: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub trust_policy: Value,
    #[serde(default)]
    pub attached_policies: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// The permissions boundary's policy ARN, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// Owned by AWS (`arn:aws:iam::aws:policy/…`) rather than the account.
    pub aws_managed: bool,
    pub default_version: String,
    /// The default version's document.
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Iam {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Customer-managed policies, and the AWS-managed ones attached to anything.
    pub policies: Vec<ManagedPolicy>,
    /// The root user's own keys; only visible when the caller is root.
    #[serde(default)]
    pub root_keys: Vec<AccessKey>,
    /// Every virtual MFA device of the account (ListVirtualMFADevices,
    /// assigned or not), the root user's included; or the error of that
    /// read, which only account.root-mfa needs (an identity whose policy
    /// predates the call keeps every other IAM item).
    #[serde(default = "no_virtual_mfa_devices")]
    pub virtual_mfa_devices: Fetched<Vec<VirtualMfaDevice>>,
}

fn no_virtual_mfa_devices() -> Fetched<Vec<VirtualMfaDevice>> {
    Fetched::Ready(Vec::new())
}

impl Default for Iam {
    fn default() -> Self {
        Self {
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            policies: Vec::new(),
            root_keys: Vec::new(),
            virtual_mfa_devices: no_virtual_mfa_devices(),
        }
    }
}

/// A virtual (authenticator app) MFA device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualMfaDevice {
    /// The device's serial number (an ARN, e.g. `arn:aws:iam::…:mfa/root-account-mfa-device`).
    pub serial: String,
    /// The ARN of the user it is assigned to (`…:root` for the root user);
    /// `None` when unassigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
}

impl VirtualMfaDevice {
    /// Assigned to the root user (whose ARN ends in `:root`).
    pub fn is_root(&self) -> bool {
        self.user_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(":root"))
    }
}

impl Iam {
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }
    /// The root user's virtual MFA devices, or why they could not be read.
    pub fn root_virtual_mfa(&self) -> Result<Vec<&VirtualMfaDevice>, &PartError> {
        match &self.virtual_mfa_devices {
            Fetched::Ready(all) => Ok(all.iter().filter(|d| d.is_root()).collect()),
            Fetched::Error(e) => Err(e),
        }
    }
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }
    pub fn policy_by_name(&self, name: &str) -> Option<&ManagedPolicy> {
        self.policies
            .iter()
            .find(|p| !p.aws_managed && p.name == name)
    }
    /// Users that are members of `group`.
    pub fn members<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a User> + 'a {
        self.users
            .iter()
            .filter(move |u| u.groups.iter().any(|g| g == group))
    }
}

/// One row of the IAM credential report (`<root_account>` is the root user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReportRow {
    pub user: String,
    pub arn: String,
    pub password_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<DateTime<Utc>>,
    /// When the password was last set (`None` without a password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_changed: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_creation_time: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    #[serde(default)]
    pub access_key_1_active: bool,
    #[serde(default)]
    pub access_key_2_active: bool,
}

impl CredentialReportRow {
    pub const ROOT: &'static str = "<root_account>";
    pub fn is_root(&self) -> bool {
        self.user == Self::ROOT
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PasswordPolicy {
    pub minimum_password_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<i32>,
    #[serde(default)]
    pub hard_expiry: bool,
}

#[cfg(test)]
mod tests {
    use super::ops::{AttachGroupPolicy, DeletePasswordPolicy};
    use super::{aws_managed_policy_arn, aws_managed_policy_name, is_aws_managed_policy};
    use crate::aws::op::Op;

    /// Plans and journals name an op by its `"op"` tag, fields in order; a
    /// unit op is the tag alone.
    #[test]
    fn ops_keep_their_json() {
        let cases = [
            (
                Op::from(DeletePasswordPolicy),
                r#"{"op":"delete_password_policy"}"#,
            ),
            (
                Op::from(AttachGroupPolicy {
                    group: "g".into(),
                    policy_arn: "arn:aws:iam::aws:policy/P".into(),
                }),
                r#"{"op":"attach_group_policy","group":"g","policy_arn":"arn:aws:iam::aws:policy/P"}"#,
            ),
        ];
        for (op, json) in cases {
            assert_eq!(serde_json::to_string(&op).expect("serializes"), json);
            assert_eq!(serde_json::from_str::<Op>(json).expect("parses"), op);
        }
    }

    #[test]
    fn aws_managed_policies_are_recognised_in_every_partition() {
        let cn = aws_managed_policy_arn("aws-cn", "AdministratorAccess");
        assert_eq!(cn, "arn:aws-cn:iam::aws:policy/AdministratorAccess");
        assert!(is_aws_managed_policy(&cn, "AdministratorAccess"));
        assert!(is_aws_managed_policy(
            "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
            "AdministratorAccess"
        ));
        assert!(!is_aws_managed_policy(
            "arn:aws-cn:iam::111122223333:policy/AdministratorAccess",
            "AdministratorAccess"
        ));
        assert_eq!(
            aws_managed_policy_name("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess"),
            Some("job-function/ViewOnlyAccess")
        );
    }
}
