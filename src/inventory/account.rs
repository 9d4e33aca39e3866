//! Account and IAM data: identity, account summary, users, groups, roles,
//! policies, the credential report, the password policy and alternate contacts.

use super::Fetched;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Identity {
    /// The root user's ARN ends in `:root`.
    pub fn is_root(&self) -> bool {
        self.arn.ends_with(":root")
    }
}

/// The parts of iam:GetAccountSummary moat reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccountSummary {
    pub account_mfa_enabled: bool,
    pub account_access_keys_present: bool,
    pub users: i64,
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
    pub unreadable: Option<crate::inventory::PartError>,
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
    pub fn root_virtual_mfa(&self) -> Result<Vec<&VirtualMfaDevice>, &super::PartError> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContactType {
    Billing,
    Operations,
    Security,
}

impl ContactType {
    pub const ALL: [ContactType; 3] = [
        ContactType::Billing,
        ContactType::Operations,
        ContactType::Security,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Billing => "BILLING",
            ContactType::Operations => "OPERATIONS",
            ContactType::Security => "SECURITY",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

/// The account's alternate contacts; a missing key means "not set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AlternateContacts {
    pub contacts: BTreeMap<ContactType, Contact>,
}
