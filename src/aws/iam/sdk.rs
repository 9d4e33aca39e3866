//! IAM's SDK calls: the requests each op sends; the reads, by topic, in the
//! modules below.

mod account_settings;
mod authorization_details;
mod credential_report;
mod policy_document;
mod root_access;

use super::ops::{
    AddUserToGroup, AttachGroupPolicy, CreateGroup, CreatePolicy, CreateUser, DeleteGroup,
    DeletePasswordPolicy, DeletePolicy, DeleteUser, DetachGroupPolicy, RemoveUserFromGroup,
    UpdateAccessKey, UpdatePasswordPolicy,
};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::KeyStatus;
use crate::aws::op::OpKind;
use aws_sdk_iam::types::StatusType;

impl SendOp for UpdateAccessKey {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let status = match self.status {
            KeyStatus::Active => StatusType::Active,
            KeyStatus::Inactive => StatusType::Inactive,
        };
        // No user name: the key belongs to the caller (the root user).
        let request = aws
            .iam()
            .update_access_key()
            .set_user_name(self.user.clone())
            .access_key_id(&self.key_id)
            .status(status);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for CreateUser {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().create_user().user_name(&self.name);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteUser {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().delete_user().user_name(&self.name);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for CreateGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().create_group().group_name(&self.name);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().delete_group().group_name(&self.name);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for AddUserToGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .iam()
            .add_user_to_group()
            .user_name(&self.user)
            .group_name(&self.group);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for RemoveUserFromGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .iam()
            .remove_user_from_group()
            .user_name(&self.user)
            .group_name(&self.group);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for AttachGroupPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .iam()
            .attach_group_policy()
            .group_name(&self.group)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DetachGroupPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .iam()
            .detach_group_policy()
            .group_name(&self.group)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for CreatePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let document = serde_json::to_string(&self.document).map_err(|e| {
            CallError::new(
                Self::ACTION,
                None,
                format!("the policy document could not be serialized: {e}"),
            )
        })?;
        let request = aws
            .iam()
            .create_policy()
            .policy_name(&self.name)
            .policy_document(document);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeletePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let arn = if self.arn.is_empty() {
            customer_policy_arn(aws, &self.name)
        } else {
            self.arn.clone()
        };
        delete_policy(aws, &arn).await?;
        Ok(Outcome::default())
    }
}

/// Delete a customer-managed policy: its non-default versions, then the policy.
async fn delete_policy(aws: &AwsBackend, arn: &str) -> Result<(), CallError> {
    let request = aws.iam().list_policy_versions().policy_arn(arn);
    let pages = aws
        .send(
            "iam:ListPolicyVersions",
            request.into_paginator().send().try_collect(),
        )
        .await?;
    let versions: Vec<String> = pages
        .iter()
        .flat_map(|out| out.versions())
        .filter(|v| !v.is_default_version())
        .filter_map(|v| v.version_id())
        .map(str::to_string)
        .collect();
    for version in versions {
        let request = aws
            .iam()
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(&version);
        aws.send_write("iam:DeletePolicyVersion", request.send())
            .await?;
    }
    aws.send_write(
        "iam:DeletePolicy",
        aws.iam().delete_policy().policy_arn(arn).send(),
    )
    .await?;
    Ok(())
}

/// `arn:<partition>:iam::<account>:policy/<name>` for this account.
fn customer_policy_arn(aws: &AwsBackend, name: &str) -> String {
    let identity = aws.identity();
    crate::aws::inventory::customer_policy_arn(identity.partition(), &identity.account, name)
}

impl SendOp for UpdatePasswordPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let p = &self.policy;
        let request = aws
            .iam()
            .update_account_password_policy()
            .minimum_password_length(p.minimum_password_length)
            .require_symbols(p.require_symbols)
            .require_numbers(p.require_numbers)
            .require_uppercase_characters(p.require_uppercase_characters)
            .require_lowercase_characters(p.require_lowercase_characters)
            .allow_users_to_change_password(p.allow_users_to_change_password)
            .set_max_password_age(p.max_password_age)
            .set_password_reuse_prevention(p.password_reuse_prevention)
            .hard_expiry(p.hard_expiry);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeletePasswordPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().delete_account_password_policy();
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for super::ops::AttachUserPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .attach_user_policy()
            .user_name(&self.user)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for super::ops::DetachUserPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .detach_user_policy()
            .user_name(&self.user)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for super::ops::AttachRolePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .attach_role_policy()
            .role_name(&self.role)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for super::ops::DetachRolePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .detach_role_policy()
            .role_name(&self.role)
            .policy_arn(&self.policy_arn);
        aws.write(Self::ACTION, r.send()).await
    }
}
