//! IAM's SDK calls: the requests each op sends.

use super::ops::{CreateUser, DeleteUser, UpdateAccessKey};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::inventory::KeyStatus;
use crate::plan::OpKind;
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
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for CreateUser {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().create_user().user_name(&self.name);
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteUser {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws.iam().delete_user().user_name(&self.name);
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for super::ops::AttachUserPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .attach_user_policy()
            .user_name(&self.user)
            .policy_arn(&self.policy_arn);
        aws.send_write(Self::ACTION, r.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for super::ops::DetachUserPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .detach_user_policy()
            .user_name(&self.user)
            .policy_arn(&self.policy_arn);
        aws.send_write(Self::ACTION, r.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for super::ops::AttachRolePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .attach_role_policy()
            .role_name(&self.role)
            .policy_arn(&self.policy_arn);
        aws.send_write(Self::ACTION, r.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for super::ops::DetachRolePolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .iam()
            .detach_role_policy()
            .role_name(&self.role)
            .policy_arn(&self.policy_arn);
        aws.send_write(Self::ACTION, r.send()).await?;
        Ok(Outcome::default())
    }
}
