//! `Op`: one variant per mutating AWS call moat makes. Plain data (serde), so a
//! plan can be printed, journaled and replayed.

use crate::inventory::{Contact, ContactType, KeyStatus, PasswordPolicy, ResourceRef};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// iam:UpdateAccessKey. `user: None` is the root user's own key.
    UpdateAccessKey {
        user: Option<String>,
        key_id: String,
        status: KeyStatus,
    },
    CreateUser {
        name: String,
    },
    DeleteUser {
        name: String,
    },
    CreateGroup {
        name: String,
    },
    DeleteGroup {
        name: String,
    },
    AddUserToGroup {
        user: String,
        group: String,
    },
    RemoveUserFromGroup {
        user: String,
        group: String,
    },
    AttachGroupPolicy {
        group: String,
        policy_arn: String,
    },
    DetachGroupPolicy {
        group: String,
        policy_arn: String,
    },
    CreatePolicy {
        name: String,
        document: Value,
    },
    DeletePolicy {
        name: String,
        arn: String,
    },
    UpdatePasswordPolicy {
        policy: PasswordPolicy,
    },
    DeletePasswordPolicy,
    PutAlternateContact {
        contact_type: ContactType,
        contact: Contact,
    },
    DeleteAlternateContact {
        contact_type: ContactType,
    },
}

impl Op {
    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match self {
            Op::UpdateAccessKey { .. } => "iam:UpdateAccessKey",
            Op::CreateUser { .. } => "iam:CreateUser",
            Op::DeleteUser { .. } => "iam:DeleteUser",
            Op::CreateGroup { .. } => "iam:CreateGroup",
            Op::DeleteGroup { .. } => "iam:DeleteGroup",
            Op::AddUserToGroup { .. } => "iam:AddUserToGroup",
            Op::RemoveUserFromGroup { .. } => "iam:RemoveUserFromGroup",
            Op::AttachGroupPolicy { .. } => "iam:AttachGroupPolicy",
            Op::DetachGroupPolicy { .. } => "iam:DetachGroupPolicy",
            Op::CreatePolicy { .. } => "iam:CreatePolicy",
            Op::DeletePolicy { .. } => "iam:DeletePolicy",
            Op::UpdatePasswordPolicy { .. } => "iam:UpdateAccountPasswordPolicy",
            Op::DeletePasswordPolicy => "iam:DeleteAccountPasswordPolicy",
            Op::PutAlternateContact { .. } => "account:PutAlternateContact",
            Op::DeleteAlternateContact { .. } => "account:DeleteAlternateContact",
        }
    }

    /// Every action moat can send, for the least-privilege policy and tests.
    pub const ALL_ACTIONS: &'static [&'static str] = &[
        "iam:UpdateAccessKey",
        "iam:CreateUser",
        "iam:DeleteUser",
        "iam:CreateGroup",
        "iam:DeleteGroup",
        "iam:AddUserToGroup",
        "iam:RemoveUserFromGroup",
        "iam:AttachGroupPolicy",
        "iam:DetachGroupPolicy",
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:UpdateAccountPasswordPolicy",
        "iam:DeleteAccountPasswordPolicy",
        "account:PutAlternateContact",
        "account:DeleteAlternateContact",
    ];

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        match self {
            Op::UpdateAccessKey {
                user: None, key_id, ..
            } => ResourceRef::RootKey {
                key_id: key_id.clone(),
            },
            Op::UpdateAccessKey {
                user: Some(user),
                key_id,
                ..
            } => ResourceRef::AccessKey {
                user: user.clone(),
                key_id: key_id.clone(),
            },
            Op::CreateUser { name } | Op::DeleteUser { name } => {
                ResourceRef::User { name: name.clone() }
            }
            Op::AddUserToGroup { user, .. } | Op::RemoveUserFromGroup { user, .. } => {
                ResourceRef::User { name: user.clone() }
            }
            Op::CreateGroup { name } | Op::DeleteGroup { name } => {
                ResourceRef::Group { name: name.clone() }
            }
            Op::AttachGroupPolicy { group, .. } | Op::DetachGroupPolicy { group, .. } => {
                ResourceRef::Group {
                    name: group.clone(),
                }
            }
            Op::CreatePolicy { name, .. } | Op::DeletePolicy { name, .. } => {
                ResourceRef::Policy { name: name.clone() }
            }
            Op::UpdatePasswordPolicy { .. } | Op::DeletePasswordPolicy => {
                ResourceRef::PasswordPolicy
            }
            Op::PutAlternateContact { contact_type, .. }
            | Op::DeleteAlternateContact { contact_type } => {
                ResourceRef::AlternateContact(*contact_type)
            }
        }
    }

    /// The AWS region the call goes to (`None`: a global service).
    pub fn region(&self) -> Option<&str> {
        None
    }

    /// A short human description, e.g. `deactivate access key AKIA… of alice`.
    pub fn describe(&self) -> String {
        match self {
            Op::UpdateAccessKey {
                user,
                key_id,
                status,
            } => {
                let who = user.as_deref().unwrap_or("the root user");
                let verb = match status {
                    KeyStatus::Active => "re-activate",
                    KeyStatus::Inactive => "deactivate",
                };
                format!("{verb} access key {key_id} of {who}")
            }
            Op::CreateUser { name } => {
                format!("create IAM user {name} (no password, no access keys)")
            }
            Op::DeleteUser { name } => format!("delete IAM user {name}"),
            Op::CreateGroup { name } => format!("create IAM group {name}"),
            Op::DeleteGroup { name } => format!("delete IAM group {name}"),
            Op::AddUserToGroup { user, group } => format!("add user {user} to group {group}"),
            Op::RemoveUserFromGroup { user, group } => {
                format!("remove user {user} from group {group}")
            }
            Op::AttachGroupPolicy { group, policy_arn } => {
                format!("attach {policy_arn} to group {group}")
            }
            Op::DetachGroupPolicy { group, policy_arn } => {
                format!("detach {policy_arn} from group {group}")
            }
            Op::CreatePolicy { name, .. } => format!("create managed policy {name}"),
            Op::DeletePolicy { name, .. } => format!("delete managed policy {name}"),
            Op::UpdatePasswordPolicy { .. } => "set the account password policy".to_string(),
            Op::DeletePasswordPolicy => "delete the account password policy".to_string(),
            Op::PutAlternateContact { contact_type, .. } => {
                format!(
                    "set the {} alternate contact",
                    contact_type.as_str().to_lowercase()
                )
            }
            Op::DeleteAlternateContact { contact_type } => {
                format!(
                    "remove the {} alternate contact",
                    contact_type.as_str().to_lowercase()
                )
            }
        }
    }
}
