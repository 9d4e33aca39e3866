//! One SDK call per [`Op`] (DeletePolicy first removes non-default versions,
//! as IAM requires).

use super::AwsBackend;
use super::account::contact_type;
use super::error::CallError;
use crate::collect::Outcome;
use crate::plan::Op;

/// The SDK request of one op type, written beside its service's other SDK
/// code (`crate::aws::<service>::sdk`).
pub(crate) trait SendOp {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError>;
}

/// Generates [`AwsBackend::apply_op`] from the op registry.
macro_rules! send_op {
    ({}; $( $variant:ident($ty:ty), )*) => {
        impl AwsBackend {
            /// Send `op`: its SDK request, under the backend's bound and retries.
            pub(super) async fn apply_op(&self, op: &Op) -> Result<Outcome, CallError> {
                match op {
                    $( Op::$variant(o) => o.send(self).await, )*
                    _ => self.legacy_apply_op(op).await,
                }
            }
        }
    };
}
crate::plan::for_each_op!(send_op, {});

impl AwsBackend {
    async fn legacy_apply_op(&self, op: &Op) -> Result<Outcome, CallError> {
        let action = op.action();
        let iam = &self.iam;
        match op {
            Op::PutAccountPublicAccessBlock { .. }
            | Op::DeleteAccountPublicAccessBlock
            | Op::PutBucketPublicAccessBlock { .. }
            | Op::DeleteBucketPublicAccessBlock { .. }
            | Op::PutBucketPolicy { .. }
            | Op::DeleteBucketPolicy { .. }
            | Op::PutBucketAcl { .. }
            | Op::PutBucketEncryption { .. }
            | Op::DeleteBucketEncryption { .. }
            | Op::PutBucketVersioning { .. }
            | Op::CreateBucket { .. }
            | Op::DeleteBucket { .. } => {
                return self.apply_s3(op).await.map(|()| Outcome::default());
            }
            Op::Ec2(o) => return self.apply_ec2(o).await,
            Op::EbsVpc(o) => return self.apply_ebs_vpc(o).await,
            Op::Workloads(o) => return self.apply_workloads(o).await.map(|()| Outcome::default()),
            Op::CreateOriginAccessControl { .. }
            | Op::DeleteOriginAccessControl { .. }
            | Op::UpdateDistribution { .. } => {
                return self.apply_cloudfront(op).await.map(|()| Outcome::default());
            }
            Op::CreateGroup { name } => {
                self.send_write(action, iam.create_group().group_name(name).send())
                    .await?;
            }
            Op::DeleteGroup { name } => {
                self.send_write(action, iam.delete_group().group_name(name).send())
                    .await?;
            }
            Op::AddUserToGroup { user, group } => {
                self.send_write(
                    action,
                    iam.add_user_to_group()
                        .user_name(user)
                        .group_name(group)
                        .send(),
                )
                .await?;
            }
            Op::RemoveUserFromGroup { user, group } => {
                let request = iam
                    .remove_user_from_group()
                    .user_name(user)
                    .group_name(group);
                self.send_write(action, request.send()).await?;
            }
            Op::AttachGroupPolicy { group, policy_arn } => {
                let request = iam
                    .attach_group_policy()
                    .group_name(group)
                    .policy_arn(policy_arn);
                self.send_write(action, request.send()).await?;
            }
            Op::DetachGroupPolicy { group, policy_arn } => {
                let request = iam
                    .detach_group_policy()
                    .group_name(group)
                    .policy_arn(policy_arn);
                self.send_write(action, request.send()).await?;
            }
            Op::CreatePolicy { name, document } => {
                let document = serde_json::to_string(document).map_err(|e| {
                    CallError::new(
                        action,
                        None,
                        format!("the policy document could not be serialized: {e}"),
                    )
                })?;
                let request = iam
                    .create_policy()
                    .policy_name(name)
                    .policy_document(document);
                self.send_write(action, request.send()).await?;
            }
            Op::DeletePolicy { name, arn } => {
                let arn = if arn.is_empty() {
                    self.customer_policy_arn(name)
                } else {
                    arn.clone()
                };
                self.delete_policy(&arn).await?;
            }
            Op::UpdatePasswordPolicy { policy: p } => {
                let request = iam
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
                self.send_write(action, request.send()).await?;
            }
            Op::DeletePasswordPolicy => {
                self.send_write(action, iam.delete_account_password_policy().send())
                    .await?;
            }
            Op::PutAlternateContact {
                contact_type: t,
                contact,
            } => {
                let request = self
                    .account
                    .put_alternate_contact()
                    .alternate_contact_type(contact_type(*t))
                    .name(&contact.name)
                    .title(&contact.title)
                    .email_address(&contact.email)
                    .phone_number(&contact.phone);
                self.send_write(action, request.send()).await?;
            }
            Op::DeleteAlternateContact { contact_type: t } => {
                let request = self
                    .account
                    .delete_alternate_contact()
                    .alternate_contact_type(contact_type(*t));
                self.send_write(action, request.send()).await?;
            }
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
        Ok(Outcome::default())
    }

    /// Delete a customer-managed policy: its non-default versions, then the policy.
    async fn delete_policy(&self, arn: &str) -> Result<(), CallError> {
        let mut versions = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let request = self
                .iam
                .list_policy_versions()
                .policy_arn(arn)
                .set_marker(marker.clone());
            let out = self.send("iam:ListPolicyVersions", request.send()).await?;
            versions.extend(
                out.versions()
                    .iter()
                    .filter(|v| !v.is_default_version())
                    .filter_map(|v| v.version_id())
                    .map(str::to_string),
            );
            match (out.is_truncated(), out.marker()) {
                (true, Some(next)) if marker.as_deref() != Some(next) => {
                    marker = Some(next.to_string())
                }
                _ => break,
            }
        }
        for version in versions {
            let request = self
                .iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(&version);
            self.send_write("iam:DeletePolicyVersion", request.send())
                .await?;
        }
        self.send_write(
            "iam:DeletePolicy",
            self.iam.delete_policy().policy_arn(arn).send(),
        )
        .await?;
        Ok(())
    }

    /// `arn:<partition>:iam::<account>:policy/<name>` for this account.
    fn customer_policy_arn(&self, name: &str) -> String {
        crate::inventory::customer_policy_arn(
            self.identity.partition(),
            &self.identity.account,
            name,
        )
    }
}

/// Re-reads made right before a change is sent (see [`crate::collect::Backend`]).
impl AwsBackend {
    /// sts:GetCallerIdentity again: the credentials may resolve to another
    /// account than at start-up (SSO, `credential_process`).
    pub(super) async fn reread_caller(&self) -> Result<crate::inventory::Identity, CallError> {
        const ACTION: &str = "sts:GetCallerIdentity";
        let out = self
            .send(ACTION, self.sts.get_caller_identity().send())
            .await?;
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => Ok(crate::inventory::Identity {
                account: account.to_string(),
                arn: arn.to_string(),
                user_id: out.user_id().unwrap_or_default().to_string(),
            }),
            _ => Err(CallError::new(
                ACTION,
                None,
                "the answer lacked the account id or the caller ARN",
            )),
        }
    }

    /// One GetBucketPolicy in the bucket's region (`None`: no policy). Without
    /// the region, the bucket is located first.
    pub(super) async fn reread_bucket_policy(
        &self,
        bucket: &str,
        region: Option<&str>,
    ) -> Result<Option<serde_json::Value>, CallError> {
        const ACTION: &str = "s3:GetBucketPolicy";
        let Some(region) = region else {
            let read = self.read_bucket(bucket.to_string(), None).await;
            return match read {
                Some(b) => match b.policy {
                    crate::inventory::Fetched::Ready(p) => Ok(p),
                    crate::inventory::Fetched::Error(e) => Err(e),
                },
                None => Err(CallError::new(
                    ACTION,
                    Some("NoSuchBucket".to_string()),
                    format!("the bucket {bucket} does not exist"),
                )),
            };
        };
        let client = self.s3(region);
        let out = match self
            .send(ACTION, client.get_bucket_policy().bucket(bucket).send())
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchBucketPolicy") => return Ok(None),
            Err(e) => return Err(e),
        };
        match out.policy().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
                CallError::new(
                    ACTION,
                    None,
                    format!("the bucket policy is not valid JSON: {e}"),
                )
            }),
        }
    }
}
